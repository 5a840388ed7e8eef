/*
 * `xs-cluster decode`: decodes a CAN log (candump, ASC, TRC, GVRET CSV; see
 * tools/logs/) with a DBC, through the same ring, plan and decoder the device
 * runs (a candump log also through the device's own line parser). Node only.
 *
 * The log is streamed: memory stays flat whatever its size. Output is live
 * when the input is: reading a pipe or a terminal (`candump -L can0 |
 * xs-cluster decode --dbc car.dbc -`), or writing into one, the records of
 * each piece of input are written as soon as it is decoded; only file to file
 * are they gathered into large writes. On a terminal, standard error shows
 * progress while a long log decodes. Ctrl-C stops reading and still prints
 * the summary.
 *
 * Filters: `--ids` and `--messages` pick frames, `--start`/`--end` a time
 * window, `--signals` the signals each record shows (and so the messages).
 */
import { closeSync, openSync, readSync, statSync } from "node:fs";
import { setImmediate as nextTurn } from "node:timers/promises";
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { formatProblem } from "../modules/dbc/database.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan, SIGNAL_WORDS, SignalField } from "../modules/signals/plan.js";
import { RawKind } from "../modules/signals/store.js";
import { ByteOutput, NUMBER_BYTES, SECONDS_BYTES, encodeText, type ByteSink } from "./byte-output.js";
import type { Io } from "./cli.js";
import { DBC_OPTIONS, loadDbc } from "./dbc-file.js";
import { LogClock, STEP_IN_ORDER } from "./logs/clock.js";
import { RING_CAPACITY, formatProblems, parseInputFormat, readLog, type LogFormat } from "./logs/formats.js";
import { ProgressMeter } from "./logs/progress.js";
import type { LogReader } from "./logs/text-log.js";
import { UsageError, cannotRead, checkInputPath, formatCanId, isRegularFile, onePositional, parseOptions, plural } from "./usage.js";

export type OutputFormat = "jsonl" | "csv";

/** What to decode and show; every part optional (absent = everything). */
export interface DecodeFilter {
	/** Frames with these ids (key: `idKey`). */
	ids?: Set<number>;
	/** Plan message indexes to decode. */
	messages?: Set<number>;
	/** Per plan signal: 1 to show it. Messages with none shown are left out. */
	signals?: Uint8Array;
	/** Time window in the log's own ms, start inclusive, end exclusive. */
	start?: TimeBound;
	end?: TimeBound;
}

/** A time bound: absolute log time (ms), or ms after the log's first frame. */
export interface TimeBound {
	ms: number;
	relative: boolean;
}

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
	/** Write each piece of input's records as soon as they are decoded (default), or gather them into large writes. */
	live?: boolean;
	filter?: DecodeFilter;
	/** Stops reading; what was decoded so far is written and summed up. */
	signal?: AbortSignal;
}

export interface DecodeSummary {
	/** Every frame read. */
	frames: number;
	/** Frames decoded and written (after the filters). */
	decoded: number;
	unknown: number;
	unknownIds: Set<string>;
	malformed: number;
	ignored: number;
	/** CAN FD and other frames a CanFrame cannot hold, skipped. */
	unsupported: number;
	/** Frames of known messages that the filters left out. */
	filtered: number;
	/** Format the log was read as. */
	format: LogFormat;
	/** The reader, for `FILE:LINE: why` messages (`formatProblems`). */
	reader: LogReader;
}

/** One key for an id and its kind: extended ids above every standard one. */
export function idKey(id: number, extended: boolean): number {
	return extended ? 0x800 + id : id;
}

/**
 * Decodes `input` and writes the records, as UTF-8 bytes, to `sink`: in
 * buffers of 64 KB, or after each piece of input when live. Resolves when the
 * input ends (or `options.signal` stops it).
 */
export async function decodeLog(plan: DecodePlan, input: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: DecodeOptions, sink: ByteSink): Promise<DecodeSummary> {
	const ring = new FrameRing(RING_CAPACITY);
	const decoder = new Decoder(plan);
	const frame = new CanFrame();
	const unknownIds = new Set<string>();
	const filter = options.filter ?? {};
	const shown = filter.signals ?? null;
	const live = options.live !== false;
	const out = new ByteOutput(sink);
	const formatter = new RecordFormatter(plan, decoder, options.format, options.choices, shown, out);
	if (options.format === "csv") {
		const header = "t,id,extended,message,signal,value\n";
		out.reserve(header.length);
		out.ascii(header);
	}
	// Relative bounds count log time from the first frame over in-order steps only
	// (tools/logs/clock.ts): a clock stepping back or jumping moves no frame out of the range.
	const clock = new LogClock(), timeRange = filter.start !== undefined || filter.end !== undefined;
	let start = -Infinity, end = Infinity, frames = 0, records = 0, filtered = 0;
	const ids = filter.ids ?? null, messages = filter.messages ?? null;
	const drain = () => {
		while (ring.pop(frame)) {
			frames++;
			if (timeRange && (clock.step(frame.timestamp) !== STEP_IN_ORDER || frames === 1)) {
				if (filter.start)
					start = filter.start.ms + (filter.start.relative ? clock.origin : 0);
				if (filter.end)
					end = filter.end.ms + (filter.end.relative ? clock.origin : 0);
			}
			if (ids !== null && !ids.has(idKey(frame.id, frame.extended)) && !frame.error) {
				filtered++;
				continue;
			}
			if (timeRange && (frame.timestamp < start || frame.timestamp >= end)) {
				filtered++;
				continue;
			}
			const message = decoder.decode(frame);
			if (message >= 0) {
				if (messages !== null && !messages.has(message)) {
					filtered++;
					continue;
				}
				if (formatter.record(out, message, frame))
					records++;
				else
					filtered++;
			}
			else if (!frame.remote && !frame.error)
				unknownIds.add(formatCanId(frame.id, frame.extended));
		}
		if (live)
			out.flush();
		return out.settled(); // waits while a slow reader catches up
	};

	const name = options.name ?? streamPath(input) ?? "-";
	const reader = await readLog(input as AsyncIterable<Uint8Array>, ring, drain, { name, format: options.inputFormat, onChunk: options.onChunk, signal: options.signal });
	out.flush();
	await out.settled();

	return {
		frames,
		decoded: records,
		unknown: decoder.unknown,
		unknownIds,
		malformed: reader.malformed,
		ignored: decoder.ignored,
		unsupported: reader.unsupported,
		filtered,
		format: reader.format as LogFormat,
		reader,
	};
}

function streamPath(input: unknown): string | undefined {
	const path = (input as { path?: unknown }).path;
	return typeof path === "string" ? path : undefined;
}

/**
 * Writes decoded frames as JSON lines or CSV rows into a ByteOutput.
 * Everything that depends only on the message or the signal (the id and name
 * part of a record, each signal's quoted name, value-table names as JSON) is
 * encoded once, when the formatter is built; per frame only the time and the
 * values are written, digit by digit. That is where decode spends its time:
 * a 1,000,000-frame log is 10 to 40 million values, so the loop over them
 * does only what each value needs: one copy of its name part, and for the
 * most common signal, an unscaled unsigned integer, its digits straight from
 * the store's raw word. Host only.
 */
export class RecordFormatter {
	/** Per message, kept in the output: `, "id": "1C4", "extended": false, "message": "ENGINE", "signals":` (JSON) or `,1C4,false,ENGINE,` (CSV). */
	private readonly messageParts: Int32Array;
	/**
	 * Per signal, kept in the output: `, "Name": ` (JSON) or `Name,` (CSV). A
	 * JSON record writes every signal with its separator, then turns the first
	 * `, ` into the ` {` that opens the signals: the loop needs no test for the
	 * first one.
	 */
	private readonly signalParts: Int32Array;
	/** The JSON record's start (`{"t": `) and end (`}}` and a newline), kept in the output. */
	private readonly recordStart: number;
	private readonly recordEnd: number;
	/** Per message: the most bytes one of its records takes. */
	private readonly recordBytes: number[];
	/** Per signal: how its value is written (ValueWriting). */
	private readonly writing: Uint8Array;
	/** Per signal: its value table's names as kept parts, by raw value (-1: no name); null without one or without --choices. */
	private readonly choiceParts: Array<Map<number, number> | null>;
	/** `null` (a JSON value that is not a finite number) and ` {` (the signals of a record without any), kept in the output. */
	private readonly nullPart: number;
	private readonly openSignals: number;
	private readonly json: boolean;

	/** A formatter whose fixed parts `out` keeps: the records go into `out`, and only there. */
	constructor(private readonly plan: DecodePlan, private readonly decoder: Decoder, format: OutputFormat, choices: boolean, private readonly shown: Uint8Array | null, out: ByteOutput) {
		const json = this.json = format === "jsonl";
		this.messageParts = new Int32Array(plan.messageCount);
		this.signalParts = new Int32Array(plan.signalCount);
		this.recordStart = out.keep(RECORD_START);
		this.recordEnd = out.keep(RECORD_END);
		this.nullPart = out.keep(encodeText("null"));
		this.openSignals = out.keep(OPEN_SIGNALS);
		this.choiceParts = [];
		this.recordBytes = [];
		this.writing = new Uint8Array(plan.signalCount);
		const kinds = decoder.store.kinds, signalBytes = new Int32Array(plan.signalCount);
		let longestChoice = 0;
		for (let s = 0; s < plan.signalCount; s++) {
			const part = encodeText(json ? `, ${JSON.stringify(plan.signalName(s))}: ` : `${csvField(plan.signalName(s))},`);
			this.signalParts[s] = out.keep(part);
			signalBytes[s] = part.length;
			const table = choices && hasChoices(plan, s);
			this.choiceParts.push(table ? new Map() : null);
			this.writing[s] = table ? ValueWriting.choice : kinds[s] === RawKind.uint32 ? ValueWriting.unsigned : ValueWriting.number;
			if (table) {
				// A CSV field doubles its quotes: twice the JSON form's length is enough for either.
				const base = s * SIGNAL_WORDS, firstChoice = plan.signals[base + SignalField.choiceFirst];
				for (let c = firstChoice; c < firstChoice + plan.signals[base + SignalField.choiceCount]; c++)
					longestChoice = Math.max(longestChoice, 2 * encodeText(JSON.stringify(plan.string(plan.choices[c * 2 + 1]))).length);
			}
		}
		const valueBytes = Math.max(NUMBER_BYTES, longestChoice);
		for (let m = 0; m < plan.messageCount; m++) {
			const id = formatCanId(plan.messageId(m), plan.messageExtended(m)), extended = plan.messageExtended(m), name = plan.messageName(m);
			const part = encodeText(json ? `, "id": "${id}", "extended": ${extended}, "message": ${JSON.stringify(name)}, "signals":` : `,${id},${extended},${csvField(name)},`);
			this.messageParts[m] = out.keep(part);
			let bytes = json ? RECORD_FRAME_BYTES + part.length : 0;
			const first = plan.firstSignal(m);
			for (let s = first; s < first + plan.signalCountOf(m); s++)
				bytes += json ? signalBytes[s] + valueBytes : SECONDS_BYTES + part.length + signalBytes[s] + valueBytes + 1;
			this.recordBytes.push(bytes);
		}
	}

	/** A value as JSON or a CSV field: a value-table name when asked for, null (JSON) or empty (CSV) when not finite. */
	private value(out: ByteOutput, s: number): void {
		const writing = this.writing[s];
		if (writing === ValueWriting.unsigned) {
			out.unsigned(this.decoder.store.words[s << 1]);
			return;
		}
		if (writing === ValueWriting.choice) {
			const table = this.choiceParts[s]!;
			const raw = this.decoder.store.raw(s);
			let part = table.get(raw);
			if (part === undefined) {
				const name = this.plan.choiceName(s, raw);
				part = name === undefined ? -1 : out.keep(encodeText(this.json ? JSON.stringify(name) : csvField(name)));
				table.set(raw, part);
			}
			if (part >= 0) {
				out.part(part);
				return;
			}
		}
		const v = this.decoder.store.value(s);
		if (v - v === 0)
			out.number(v);
		else if (this.json)
			out.part(this.nullPart);
	}

	/** Writes the record of `frame`, decoded as `message`; false (nothing written) when the signal filter leaves none of its signals. */
	record(out: ByteOutput, message: number, frame: CanFrame): boolean {
		const plan = this.plan, present = this.decoder.present, shown = this.shown, parts = this.signalParts;
		const first = plan.firstSignal(message), end = first + plan.signalCountOf(message);
		out.reserve(this.recordBytes[message]);
		const start = out.position;
		if (this.json) {
			out.part(this.recordStart);
			out.seconds(frame);
			out.part(this.messageParts[message]);
			const signals = out.position;
			if (shown === null) {
				for (let s = first; s < end; s++)
					if (present[s]) {
						out.part(parts[s]);
						this.value(out, s);
					}
			}
			else
				for (let s = first; s < end; s++)
					if (present[s] && shown[s]) {
						out.part(parts[s]);
						this.value(out, s);
					}
			if (out.position === signals) {
				if (shown !== null) {
					out.rewind(start);
					return false;
				}
				out.part(this.openSignals);
			}
			else
				out.overwrite(signals, OPEN_SIGNALS);
			out.part(this.recordEnd);
			return true;
		}
		for (let s = first; s < end; s++)
			if (present[s] && (shown === null || shown[s])) {
				out.seconds(frame);
				out.part(this.messageParts[message]);
				out.part(parts[s]);
				this.value(out, s);
				out.byte(NEWLINE);
			}
		return shown === null || out.position !== start;
	}
}

/** How RecordFormatter writes a signal's value. */
const enum ValueWriting {
	/** Through the store's physical value: scaled, signed, floats, 64-bit. */
	number,
	/** An unscaled unsigned integer of up to 32 bits: its raw word's digits. */
	unsigned,
	/** Its value-table name (--choices), else as a number. */
	choice,
}

const RECORD_START = encodeText(`{"t": `), RECORD_END = encodeText("}}\n"), OPEN_SIGNALS = encodeText(" {"), NEWLINE = 0x0A;
/** A JSON record's bytes besides its message part and signals: start, time, the signals' opening, end. */
const RECORD_FRAME_BYTES = 6 + SECONDS_BYTES + 2 + 3;

/** Whether signal `s` has a value table in `plan`. */
function hasChoices(plan: DecodePlan, s: number): boolean {
	return plan.signals[s * SIGNAL_WORDS + SignalField.choiceCount] > 0;
}

function csvField(text: string): string {
	return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Bytes read from a log file at a time. */
const READ_BYTES = 65536;

/**
 * A log file's bytes, READ_BYTES at a time, into one buffer used again for
 * every read: a consumer must be done with a chunk before it asks for the
 * next (readLog is). A fs.ReadStream allocates a buffer per chunk, freed only
 * when the garbage collector next runs: tens of megabytes on a large log.
 * The reads are synchronous: a file on disk answers at once, while a read
 * handed to libuv's threads costs a thread switch per chunk (a tenth of
 * decode's CPU time on a large log). Between chunks the event loop still
 * turns (setImmediate), so Ctrl-C, sockets and timers are served meanwhile.
 * @throws Error `cannot read PATH: why`.
 */
export async function* readFileChunks(path: string): AsyncGenerator<Uint8Array> {
	let fd: number;
	try {
		fd = openSync(path, "r");
	}
	catch (error) {
		throw cannotRead(path, error);
	}
	try {
		const buffer = new Uint8Array(READ_BYTES);
		for (;;) {
			let bytesRead: number;
			try {
				bytesRead = readSync(fd, buffer, 0, READ_BYTES, null);
			}
			catch (error) {
				throw cannotRead(path, error);
			}
			if (bytesRead === 0)
				return;
			yield buffer.subarray(0, bytesRead);
			await nextTurn();
		}
	}
	finally {
		closeSync(fd);
	}
}

/** Opens a log path, or standard input for `-`. @throws Error `cannot read PATH: why` for a folder or a device. */
export function openLog(path: string): AsyncIterable<Uint8Array> {
	if (path === "-")
		return process.stdin;
	checkInputPath(path);
	return readFileChunks(path);
}

/** Summary line for standard error. */
export function describeSummary(summary: DecodeSummary): string {
	const ids = [...summary.unknownIds].sort();
	const shown = ids.slice(0, 12).join(" ") + (ids.length > 12 ? ` and ${ids.length - 12} more` : "");
	let text = `decoded ${summary.decoded} of ${plural(summary.frames, "frame")}`;
	if (summary.filtered)
		text += `; ${plural(summary.filtered, "frame")} left out by the filters`;
	text += summary.unknown ? `; skipped ${plural(summary.unknown, "frame")} with unknown ids (${plural(ids.length, "id")}: ${shown})` : "; no unknown ids";
	if (summary.ignored)
		text += `; ${plural(summary.ignored, "remote or error frame")}`;
	if (summary.unsupported)
		text += `; ${plural(summary.unsupported, "CAN FD frame")} skipped`;
	if (summary.malformed)
		text += `; ${plural(summary.malformed, "malformed line")} skipped`;
	return text;
}

export function parseFormat(text: string | undefined): OutputFormat {
	if (text === undefined || text === "jsonl" || text === "csv")
		return text ?? "jsonl";
	throw new UsageError(`--format must be jsonl or csv, not ${text}`);
}

/** Comma-separated list, blanks trimmed, empties dropped. */
function list(text: string): string[] {
	return text.split(",").map(item => item.trim()).filter(Boolean);
}

/** `*` and `?` wildcards (as cantools plot takes signal names) as a whole-name RegExp. */
export function globPattern(glob: string): RegExp {
	return new RegExp("^" + glob.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".") + "$");
}

/**
 * `--ids 1C4,18FEF100` as id keys: hex as candump writes them, `0x` allowed;
 * 8 digits (or a value above 7FF) is an extended id. @throws UsageError.
 */
export function parseIds(text: string): Set<number> {
	const keys = new Set<number>();
	for (const item of list(text)) {
		const digits = item.replace(/^0x/i, "");
		if (!/^[0-9A-Fa-f]{1,8}$/.test(digits) || parseInt(digits, 16) > 0x1FFFFFFF)
			throw new UsageError(`--ids takes hex CAN ids as candump writes them (1C4, 18FEF100), not '${item}'`);
		const id = parseInt(digits, 16);
		keys.add(idKey(id, digits.length === 8 || id > 0x7FF));
	}
	return keys;
}

/**
 * `--start`/`--end` seconds: from the log's first frame (`--start 12.5`), or,
 * from 1e9 on (2001 onwards as Unix time), a time as the log writes it
 * (`--start 1700000012.5`, the `t` of decode's own output). @throws UsageError.
 */
export function parseTimeBound(text: string, option: string): TimeBound {
	if (!/^\d+(\.\d+)?$/.test(text))
		throw new UsageError(`${option} takes seconds (from the log's first frame, or a time as the log writes it), not '${text}'`);
	const seconds = Number(text);
	return { ms: seconds * 1000, relative: seconds < 1e9 };
}

/**
 * The filter for `--messages`, `--signals` (names or `*` patterns; a signal
 * as `NAME` or `MESSAGE.NAME`), `--ids` and the time window. A pattern that
 * matches nothing in the DBC is an error naming it (exit status 1).
 */
export function buildFilter(plan: DecodePlan, dbcName: string, values: { messages?: string; signals?: string; ids?: string; start?: string; end?: string }): DecodeFilter {
	const filter: DecodeFilter = {};
	if (values.ids !== undefined)
		filter.ids = parseIds(values.ids);
	if (values.messages !== undefined) {
		filter.messages = new Set();
		for (const pattern of list(values.messages)) {
			const re = globPattern(pattern);
			let matched = false;
			for (let m = 0; m < plan.messageCount; m++)
				if (re.test(plan.messageName(m))) {
					filter.messages.add(m);
					matched = true;
				}
			if (!matched)
				throw new Error(`${dbcName} has no message matching '${pattern}'`);
		}
	}
	if (values.signals !== undefined) {
		filter.signals = new Uint8Array(plan.signalCount);
		for (const pattern of list(values.signals)) {
			const dot = pattern.indexOf(".");
			const messageRe = dot > 0 ? globPattern(pattern.slice(0, dot)) : null;
			const signalRe = globPattern(dot > 0 ? pattern.slice(dot + 1) : pattern);
			let matched = false;
			for (let s = 0; s < plan.signalCount; s++)
				if (signalRe.test(plan.signalName(s)) && (messageRe === null || messageRe.test(plan.messageName(plan.signalMessage(s))))) {
					filter.signals[s] = 1;
					matched = true;
				}
			if (!matched)
				throw new Error(`${dbcName} has no signal matching '${pattern}'`);
		}
	}
	if (values.start !== undefined)
		filter.start = parseTimeBound(values.start, "--start");
	if (values.end !== undefined)
		filter.end = parseTimeBound(values.end, "--end");
	if (filter.start && filter.end && filter.start.relative === filter.end.relative && filter.end.ms <= filter.start.ms)
		throw new UsageError(`--end (${values.end}) must come after --start (${values.start})`);
	return filter;
}

/**
 * Stops `controller` at Ctrl-C (SIGINT) or SIGTERM while `body` runs, so a
 * live capture ends with its summary; the handlers go when it settles.
 */
export async function untilInterrupted<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
	const controller = new AbortController();
	const stop = () => controller.abort();
	process.once("SIGINT", stop);
	process.once("SIGTERM", stop);
	try {
		return await body(controller.signal);
	}
	finally {
		process.off("SIGINT", stop);
		process.off("SIGTERM", stop);
	}
}

/**
 * `xs-cluster decode --dbc FILE.dbc [--format jsonl|csv] [--choices]
 * [--input-format F] [--messages A,B] [--signals S,M.S] [--ids 1C4,...]
 * [--start S] [--end S] LOG|-`. Resolves to the exit status: 0, 1 for bad
 * input (DBC problems, a log in no known format or without frames), and
 * throws UsageError (status 2) for a usage mistake.
 */
export async function decodeCommand(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parseOptions(args, {
		dbc: { type: "string" },
		...DBC_OPTIONS,
		format: { type: "string" },
		choices: { type: "boolean" },
		"input-format": { type: "string" },
		messages: { type: "string" },
		signals: { type: "string" },
		ids: { type: "string" },
		start: { type: "string" },
		end: { type: "string" },
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
	const filter = buildFilter(plan, values.dbc as string, values as Record<string, string | undefined>);
	const input = openLog(logPath);
	const live = !(isRegularFile(logPath) && io.stdoutIsFile?.() === true);
	const progress = terminalProgress(logPath);
	let summary: DecodeSummary;
	try {
		summary = await untilInterrupted(signal => decodeLog(plan, input, { format, choices: values.choices === true, inputFormat, name: logPath, onChunk: progress?.update, live, filter, signal }, stdoutBytes(io)));
	}
	finally {
		progress?.done();
	}
	await io.flush?.(); // a failed output is the one line, not a summary of records never written
	io.stderr(formatProblems(logPath, summary.reader));
	io.stderr(`${logPath === "-" ? "stdin" : basename(logPath)}: ${describeSummary(summary)}\n`);
	return 0;
}

/** Standard output as a ByteSink: the process's own, or through `io.stdout` as text (tests). */
function stdoutBytes(io: Io): ByteSink {
	if (io.stdoutBytes)
		return io.stdoutBytes;
	const utf8 = new TextDecoder();
	return bytes => io.stdout(utf8.decode(bytes));
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
