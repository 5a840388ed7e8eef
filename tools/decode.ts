/*
 * `xs-cluster decode`: decodes a candump log with a DBC, through the same
 * parser, ring, plan and decoder the device runs. Node only.
 *
 * The log is streamed: memory stays flat whatever its size.
 */
import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { CandumpParser } from "../modules/can/candump.js";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { UsageError } from "./usage.js";

export type OutputFormat = "jsonl" | "csv";

export interface DecodeOptions {
	format: OutputFormat;
	/** Print value-table names instead of raw numbers where the DBC has them. */
	choices: boolean;
}

export interface DecodeSummary {
	frames: number;
	decoded: number;
	unknown: number;
	unknownIds: Set<string>;
	malformed: number;
	ignored: number;
}

const RING_CAPACITY = 1024;
/** At most RING_CAPACITY frames fit in this many bytes of candump text, so no frame is dropped between drains. */
const FEED_BYTES = 4096;

/** Decodes `input` and writes one record per decoded frame with `write`. */
export async function decodeLog(plan: DecodePlan, input: Readable, options: DecodeOptions, write: (text: string) => void | Promise<void>): Promise<DecodeSummary> {
	const ring = new FrameRing(RING_CAPACITY);
	const parser = new CandumpParser(ring);
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

	for await (const chunk of input as AsyncIterable<Buffer>) {
		for (let at = 0; at < chunk.length; at += FEED_BYTES) {
			parser.feed(chunk, at, Math.min(FEED_BYTES, chunk.length - at));
			drain();
		}
		if (out.length > 65536) {
			await write(out); // waits while a slow reader catches up
			out = "";
		}
	}
	parser.finish(); // a last line without its newline is still a line
	drain();
	if (out)
		await write(out);
	if (ring.dropped)
		throw new Error(`internal: ${ring.dropped} frames dropped by the ring`);

	return {
		frames: decoder.decoded + decoder.unknown + decoder.ignored,
		decoded: decoder.decoded,
		unknown: decoder.unknown,
		unknownIds,
		malformed: parser.malformed + parser.overlong,
		ignored: decoder.ignored,
	};
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
		const name = plan.choiceName(signal, decoder.store.raws[signal]);
		if (name !== undefined)
			return name;
	}
	const v = decoder.store.values[signal];
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
	if (summary.malformed)
		text += `; ${summary.malformed} malformed lines skipped`;
	return text;
}

export function parseFormat(text: string | undefined): OutputFormat {
	if (text === undefined || text === "jsonl" || text === "csv")
		return text ?? "jsonl";
	throw new UsageError(`--format must be jsonl or csv, not ${text}`);
}
