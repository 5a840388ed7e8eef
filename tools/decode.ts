/*
 * `xs-cluster decode`: decodes a CAN log (candump, ASC, TRC, GVRET CSV; see
 * tools/logs/) with a DBC, through the same ring, plan and decoder the device
 * runs (a candump log also through the device's own line parser). Node only.
 *
 * The log is streamed: memory stays flat whatever its size. On a terminal,
 * standard error shows progress while a long log decodes.
 */
import { createReadStream, statSync } from "node:fs";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { formatProblem } from "../modules/dbc/database.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import type { Io } from "./cli.js";
import { DBC_OPTIONS, loadDbc } from "./dbc-file.js";
import { RING_CAPACITY, formatProblems, parseInputFormat, readLog, type LogFormat } from "./logs/formats.js";
import { ProgressMeter } from "./logs/progress.js";
import type { LogReader } from "./logs/text-log.js";
import { UsageError, onePositional, parseOptions } from "./usage.js";

export type OutputFormat = "jsonl" | "csv";

export interface DecodeOptions {
	format: OutputFormat;
	/** Print value-table names instead of raw numbers where the DBC has them. */
	choices: boolean;
	/** Log format; sniffed from the content (then the extension) when absent. */
	inputFormat?: LogFormat;
	/** Name of the log for messages and its extension; the stream's path, else "-". */
	name?: string;
	/** Progress hook, called after each chunk read. */
	onChunk?: (bytesRead: number, reader: LogReader) => void;
}

export interface DecodeSummary {
	frames: number;
	decoded: number;
	unknown: number;
	unknownIds: Set<string>;
	malformed: number;
	ignored: number;
	/** CAN FD and other frames a CanFrame cannot hold, skipped. */
	unsupported: number;
	/** Format the log was read as. */
	format: LogFormat;
	/** The reader, for `FILE:LINE: why` messages (`formatProblems`). */
	reader: LogReader;
}

/** Decodes `input` and writes one record per decoded frame with `write`. */
export async function decodeLog(plan: DecodePlan, input: Readable, options: DecodeOptions, write: (text: string) => void | Promise<void>): Promise<DecodeSummary> {
	const ring = new FrameRing(RING_CAPACITY);
	const decoder = new Decoder(plan);
	const frame = new CanFrame();
	const unknownIds = new Set<string>();
	const format = options.format === "csv" ? csvRecord : jsonRecord;
	let out = options.format === "csv" ? "t,id,extended,message,signal,value\n" : "";
	const drain = () => {
		while (ring.pop(frame)) {
			const message = decoder.decode(frame);
			if (message >= 0)
				out += format(plan, decoder, message, frame, options.choices);
			else if (!frame.remote && !frame.error)
				unknownIds.add(formatId(frame.id, frame.extended));
		}
	};

	const name = options.name ?? streamPath(input) ?? "-";
	const reader = await readLog(input as AsyncIterable<Uint8Array>, ring, () => {
		drain();
		if (out.length > 65536) {
			const text = out;
			out = "";
			return write(text); // waits while a slow reader catches up
		}
	}, { name, format: options.inputFormat, onChunk: options.onChunk });
	if (out)
		await write(out);

	return {
		frames: decoder.decoded + decoder.unknown + decoder.ignored,
		decoded: decoder.decoded,
		unknown: decoder.unknown,
		unknownIds,
		malformed: reader.malformed,
		ignored: decoder.ignored,
		unsupported: reader.unsupported,
		format: reader.format as LogFormat,
		reader,
	};
}

function streamPath(input: Readable): string | undefined {
	const path = (input as Readable & { path?: unknown }).path;
	return typeof path === "string" ? path : undefined;
}

function formatId(id: number, extended: boolean): string {
	return "0x" + id.toString(16).toUpperCase().padStart(extended ? 8 : 3, "0");
}

/** Seconds with microseconds, exactly as candump wrote them. */
export function formatSeconds(ms: number): string {
	const micros = Math.round(ms * 1000);
	const seconds = Math.floor(micros / 1e6);
	return `${seconds}.${String(micros - seconds * 1e6).padStart(6, "0")}`;
}

function value(plan: DecodePlan, decoder: Decoder, signal: number, choices: boolean): number | string | null {
	if (choices) {
		const name = plan.choiceName(signal, decoder.store.raw(signal));
		if (name !== undefined)
			return name;
	}
	const v = decoder.store.value(signal);
	return Number.isFinite(v) ? v : null;
}

function jsonRecord(plan: DecodePlan, decoder: Decoder, message: number, frame: CanFrame, choices: boolean): string {
	const first = plan.firstSignal(message), end = first + plan.signalCountOf(message);
	const signals: string[] = [];
	for (let s = first; s < end; s++)
		if (decoder.present[s])
			signals.push(`${JSON.stringify(plan.signalName(s))}: ${JSON.stringify(value(plan, decoder, s, choices))}`);
	return `{"t": ${formatSeconds(frame.timestamp)}, "id": ${frame.id}, "extended": ${frame.extended}, "message": ${JSON.stringify(plan.messageName(message))}, "signals": {${signals.join(", ")}}}\n`;
}

function csvField(text: string): string {
	return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRecord(plan: DecodePlan, decoder: Decoder, message: number, frame: CanFrame, choices: boolean): string {
	const first = plan.firstSignal(message), end = first + plan.signalCountOf(message);
	const prefix = `${formatSeconds(frame.timestamp)},${frame.id},${frame.extended},${csvField(plan.messageName(message))},`;
	let rows = "";
	for (let s = first; s < end; s++)
		if (decoder.present[s])
			rows += `${prefix}${csvField(plan.signalName(s))},${csvField(String(value(plan, decoder, s, choices) ?? ""))}\n`;
	return rows;
}

/** Opens a log path, or standard input for `-`. */
export function openLog(path: string): Readable {
	if (path === "-")
		return process.stdin;
	return createReadStream(path);
}

/** Summary line for standard error. */
export function describeSummary(summary: DecodeSummary): string {
	const ids = [...summary.unknownIds].sort();
	const shown = ids.slice(0, 12).join(" ") + (ids.length > 12 ? ` and ${ids.length - 12} more` : "");
	let text = `decoded ${summary.decoded} of ${summary.frames} frames`;
	text += summary.unknown ? `; skipped ${summary.unknown} with unknown ids (${ids.length} ids: ${shown})` : "; no unknown ids";
	if (summary.ignored)
		text += `; ${summary.ignored} remote or error frames`;
	if (summary.unsupported)
		text += `; ${summary.unsupported} CAN FD frames skipped`;
	if (summary.malformed)
		text += `; ${summary.malformed} malformed lines skipped`;
	return text;
}

export function parseFormat(text: string | undefined): OutputFormat {
	if (text === undefined || text === "jsonl" || text === "csv")
		return text ?? "jsonl";
	throw new UsageError(`--format must be jsonl or csv, not ${text}`);
}

/**
 * `xs-cluster decode --dbc FILE.dbc [--format jsonl|csv] [--choices]
 * [--input-format candump|asc|trc|gvret-csv] LOG|-`. Resolves to the exit
 * status: 0, 1 for bad input (DBC problems, a log in no known format), and
 * throws UsageError (status 2) for a usage mistake.
 */
export async function decodeCommand(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parseOptions(args, {
		dbc: { type: "string" },
		...DBC_OPTIONS,
		format: { type: "string" },
		choices: { type: "boolean" },
		"input-format": { type: "string" },
	});
	if (!values.dbc)
		throw new UsageError("decode needs --dbc FILE.dbc");
	const logPath = onePositional(positionals, "log file (or - for standard input)");
	const format = parseFormat(values.format as string | undefined);
	const inputFormat = parseInputFormat(values["input-format"] as string | undefined);
	const database = loadDbc(values.dbc as string, io, values);
	if (!database)
		return 1;
	const plan = new DecodePlan(compilePlan(database).buffer);
	const progress = terminalProgress(logPath);
	let summary: DecodeSummary;
	try {
		summary = await decodeLog(plan, openLog(logPath), { format, choices: values.choices === true, inputFormat, name: logPath, onChunk: progress?.update }, io.stdout);
	}
	finally {
		progress?.done();
	}
	io.stderr(formatProblems(logPath, summary.reader));
	io.stderr(`${logPath === "-" ? "stdin" : basename(logPath)}: ${describeSummary(summary)}\n`);
	return 0;
}

/** A progress meter on standard error when it is a terminal, else undefined. */
export function terminalProgress(path: string): ProgressMeter | undefined {
	if (!process.stderr.isTTY)
		return undefined;
	let total: number | undefined;
	try {
		total = path === "-" ? undefined : statSync(path).size;
	}
	catch {
		total = undefined;
	}
	return new ProgressMeter(path === "-" ? "stdin" : basename(path), { write: text => process.stderr.write(text), total });
}
