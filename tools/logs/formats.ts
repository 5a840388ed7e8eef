/*
 * Which log format a file is in, and streaming any of them into a FrameRing.
 * Node only (host tools).
 *
 * The format is sniffed from the first lines (a header or a frame line that
 * only one format has); when the content says nothing (a header-only file),
 * the extension decides; `--input-format` overrides both. Anything else is a
 * one-line error naming the file and what its first line looked like, and so
 * is a log from which no frame could be read (empty, binary, python-can's own
 * CSV, every line malformed, the wrong `--input-format`): no command goes on
 * as if such a log were a quiet bus.
 *
 * `readLog` never holds the whole file: chunks are fed to the reader as they
 * arrive, at most FEED_BYTES at a time, and the caller drains the ring after
 * each feed, so the ring (RING_CAPACITY slots) never overflows: the shortest
 * line that is a frame (`1#` and its newline) takes 3 bytes.
 */
import { extname } from "node:path";
import type { FrameRing } from "../../modules/can/ring.js";
import { InputError, UsageError } from "../usage.js";
import { AscLogReader } from "./asc.js";
import { CandumpLogReader } from "./candump.js";
import { formatClockWarnings } from "./clock.js";
import { GvretCsvLogReader } from "./gvret-csv.js";
import type { LogReader } from "./text-log.js";
import { TrcLogReader } from "./trc.js";

export const LOG_FORMATS = ["candump", "asc", "trc", "gvret-csv"] as const;
export type LogFormat = typeof LOG_FORMATS[number];

/** Ring size for readers' callers; see FEED_BYTES. */
export const RING_CAPACITY = 1024;
/** Bytes fed between drains: fewer than RING_CAPACITY frame lines of 3 bytes. */
export const FEED_BYTES = 2048;
/** Bytes looked at to tell the format. */
const SNIFF_BYTES = 8192;

const EXTENSIONS: Record<string, LogFormat> = {
	".log": "candump", ".candump": "candump", ".asc": "asc", ".trc": "trc", ".csv": "gvret-csv",
};

/** A log the tools cannot read: the message names the file. Exit status 1. */
export class LogFormatError extends InputError {
	constructor(message: string) {
		super(message);
		this.name = "LogFormatError";
	}
}

/** `--input-format` value, or undefined to sniff. @throws UsageError for an unknown name. */
export function parseInputFormat(text: string | undefined): LogFormat | undefined {
	if (text === undefined)
		return undefined;
	if ((LOG_FORMATS as readonly string[]).includes(text))
		return text as LogFormat;
	throw new UsageError(`--input-format must be one of ${LOG_FORMATS.join(", ")}, not ${text}`);
}

export function formatFromExtension(path: string): LogFormat | undefined {
	return EXTENSIONS[extname(path).toLowerCase()];
}

/** The format the first lines of `sample` show, or undefined. */
export function sniffFormat(sample: string): LogFormat | undefined {
	let looked = 0;
	for (const raw of sample.split(/\r\n|\r|\n/)) {
		const line = raw.trimEnd();
		if (!line.trim())
			continue;
		if (/^\s*time\s*stamp\s*,\s*id\s*,/i.test(line))
			return "gvret-csv";
		if (/^;\$FILEVERSION=/.test(line) || /^\s*\d+\)\s+\d/.test(line) || /^\s*\d+\s+\d+\.\d+\s+[A-Z]{2}\s/.test(line))
			return "trc";
		if (/^(date|base\s+(hex|dec)|begin\s+triggerblock)\b/i.test(line) || /^\s*\d+\.\d+\s+(\d+|CANFD)\s+\S/.test(line))
			return "asc";
		if (/^\s*(\([^)]*\)\s+)?(\S+\s+)?[0-9A-Fa-f]{1,8}##?[0-9A-Fa-fRr.]*(_[0-9A-Fa-f])?(\s+[RT])?\s*$/.test(line) || /^\s*(\([^)]*\)\s+)?\S+\s+(\S+\s+)*[0-9A-Fa-f]{3,8}\s+\[\d+\]/.test(line))
			return "candump";
		if (++looked === 40)
			break;
	}
	return undefined;
}

/** A fresh reader for `format` pushing into `ring`. */
export function createLogReader(format: LogFormat, ring: FrameRing): LogReader {
	switch (format) {
		case "candump": return new CandumpLogReader(ring);
		case "asc": return new AscLogReader(ring);
		case "trc": return new TrcLogReader(ring);
		case "gvret-csv": return new GvretCsvLogReader(ring);
	}
}

/** Picks the format of `name` from a forced one, its first bytes, or its extension. */
export function chooseFormat(name: string, sample: Uint8Array, forced?: LogFormat): LogFormat {
	if (sample.length === 0)
		throw new LogFormatError(`${displayName(name)}: no CAN frames: it is empty`);
	if (forced)
		return forced;
	const text = Buffer.from(sample.buffer, sample.byteOffset, sample.length).toString("latin1");
	if (PYTHON_CAN_CSV.test(text))
		throw new LogFormatError(`${displayName(name)}: python-can's CSV log, which xs-cluster does not read (its first line is 'timestamp,arbitration_id,...'); python-can's logconvert turns it into a candump .log or an .asc`);
	const sniffed = sniffFormat(text);
	if (sniffed)
		return sniffed;
	// Binary content is no text log whatever its name says (a .log of random bytes).
	const byExtension = name === "-" || looksBinary(sample) ? undefined : formatFromExtension(name);
	if (byExtension)
		return byExtension;
	throw new LogFormatError(`${displayName(name)}: not a CAN log xs-cluster reads (candump, ASC, TRC, GVRET CSV): ${describeStart(sample, text)}; --input-format forces one`);
}

/** python-can's CSVWriter header: `timestamp,arbitration_id,extended,remote,error,dlc,data`. */
const PYTHON_CAN_CSV = /^\s*timestamp\s*,\s*arbitration_id\s*,/i;

function looksBinary(sample: Uint8Array): boolean {
	for (let i = 0; i < Math.min(sample.length, 512); i++) {
		const c = sample[i];
		if (c === 0 || (c < 0x20 && c !== 0x09 && c !== 0x0A && c !== 0x0D))
			return true;
	}
	return false;
}

function firstLine(text: string): string {
	const first = text.split(/\r\n|\r|\n/).find(line => line.trim()) ?? "";
	return first.length > 60 ? first.slice(0, 57) + "..." : first;
}

function describeStart(sample: Uint8Array, text: string): string {
	if (sample.length === 0)
		return "it is empty";
	if (looksBinary(sample))
		return "it looks binary";
	return `its first line is '${firstLine(text)}'`;
}

/**
 * Why a log gave no frame, as one line naming the file: what the content
 * looked like and how it was read. Called after `finish()`.
 */
export function noFramesError(name: string, reader: LogReader, sample: Uint8Array, how: "forced" | "content" | "extension"): LogFormatError {
	const text = Buffer.from(sample.buffer, sample.byteOffset, sample.length).toString("latin1");
	const as = how === "forced" ? `read as ${reader.format} (--input-format)` : how === "extension" ? `read as ${reader.format}, from its extension` : `read as ${reader.format}`;
	let why: string;
	if (looksBinary(sample))
		why = `no CAN frames: it looks binary (${as})`;
	else if (reader.unsupported > 0)
		why = `no classic CAN frames: ${reader.unsupported} CAN FD frame${reader.unsupported === 1 ? "" : "s"}, which xs-cluster skips`;
	else if (reader.malformed > 0) {
		const first = reader.problems[0];
		why = `no CAN frames: ${reader.malformed === reader.lines ? "every one" : `${reader.malformed}`} of its ${reader.lines} line${reader.lines === 1 ? "" : "s"} malformed (${as}; line ${first.line}: ${first.reason})`;
	}
	else {
		why = `no CAN frames in its ${reader.lines} line${reader.lines === 1 ? "" : "s"} (${as}; its first line is '${firstLine(text)}')`;
		const sniffed = sniffFormat(text);
		if (how === "forced" && sniffed && sniffed !== reader.format)
			why += `; it looks like ${sniffed}: leave out --input-format`;
	}
	return new LogFormatError(`${displayName(name)}: ${why}`);
}

export function displayName(name: string): string {
	return name === "-" ? "stdin" : name;
}

export interface ReadLogOptions {
	/** File name for messages and the extension; "-" for standard input. */
	name: string;
	/** Forces the format instead of sniffing. */
	format?: LogFormat;
	/** Called after each chunk with bytes read so far and the reader (for progress). */
	onChunk?: (bytesRead: number, reader: LogReader) => void;
	/** Stops reading (Ctrl-C on a live capture): what was read so far counts, as if the input had ended there. */
	signal?: AbortSignal;
}

/**
 * Streams `input` through the right reader into `ring`, calling `drain`
 * after every feed so the ring never overflows. Resolves to the reader with
 * its counters and problems. @throws LogFormatError when the format is
 * unknown or no frame could be read.
 */
export async function readLog(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, ring: FrameRing, drain: () => void | Promise<void>, options: ReadLogOptions): Promise<LogReader> {
	const iterator = Symbol.asyncIterator in input ? input[Symbol.asyncIterator]() : toAsync(input)[Symbol.asyncIterator]();
	try {
		return await readAll(iterator, ring, drain, options);
	}
	finally {
		await iterator.return?.(); // closes the file when reading stopped early
	}
}

/** The text of `chunks` up to their last line end (a cut line could mislead the sniffing). */
function completeLines(chunks: Uint8Array[]): string {
	const text = Buffer.concat(chunks).subarray(0, SNIFF_BYTES).toString("latin1");
	return text.slice(0, Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r")) + 1);
}

async function* toAsync(chunks: Iterable<Uint8Array>): AsyncIterable<Uint8Array> {
	yield* chunks;
}

async function readAll(iterator: AsyncIterator<Uint8Array>, ring: FrameRing, drain: () => void | Promise<void>, options: ReadLogOptions): Promise<LogReader> {
	const head: Uint8Array[] = [];
	let headBytes = 0, bytesRead = 0, done = false;
	const nextChunk = stoppable(iterator, options.signal);
	// Wait for more only while the lines so far do not tell: a live pipe
	// (`candump -L can0 | xs-cluster decode -`) starts at its first frame line.
	while (headBytes < SNIFF_BYTES) {
		const next = await nextChunk();
		if (next.done) {
			done = true;
			break;
		}
		head.push(Uint8Array.from(next.value)); // a copy: a reader may use its buffer again for the next chunk
		headBytes += next.value.length;
		if (options.format || sniffFormat(completeLines(head)))
			break;
	}
	const sample = head.length === 1 ? head[0] : Buffer.concat(head);
	const start = sample.subarray(0, SNIFF_BYTES);
	const format = chooseFormat(options.name, start, options.format);
	const reader = createLogReader(format, ring);
	const feed = async (chunk: Uint8Array) => {
		for (let at = 0; at < chunk.length; at += FEED_BYTES) {
			reader.feed(chunk, at, Math.min(FEED_BYTES, chunk.length - at));
			const pending = drain();
			if (pending)
				await pending;
		}
		bytesRead += chunk.length;
		options.onChunk?.(bytesRead, reader);
	};
	await feed(sample);
	while (!done) {
		const next = await nextChunk();
		if (next.done)
			break;
		await feed(next.value);
	}
	// Stopped by the user, the line in flight was cut by the stop: read as a
	// last line it would be a shorter frame than was sent, or a malformed one.
	if (!options.signal?.aborted)
		reader.finish();
	const pending = drain();
	if (pending)
		await pending;
	if (ring.dropped)
		throw new Error(`internal: ${ring.dropped} frames dropped by the ring`);
	if (reader.frames === 0 && !options.signal?.aborted) {
		const how = options.format ? "forced" : sniffFormat(completeLines([start])) === format ? "content" : "extension";
		throw noFramesError(options.name, reader, start, how);
	}
	return reader;
}

/**
 * `iterator.next()` that also ends when `signal` aborts, so a read waiting on a
 * terminal or a quiet pipe stops at Ctrl-C.
 */
function stoppable(iterator: AsyncIterator<Uint8Array>, signal: AbortSignal | undefined): () => Promise<IteratorResult<Uint8Array>> {
	if (!signal)
		return () => iterator.next();
	const stopped = new Promise<IteratorResult<Uint8Array>>(resolve => {
		if (signal.aborted)
			resolve({ done: true, value: undefined });
		signal.addEventListener("abort", () => resolve({ done: true, value: undefined }), { once: true });
	});
	return () => signal.aborted ? stopped : Promise.race([iterator.next(), stopped]);
}

/**
 * `FILE:LINE: why` lines for the first malformed lines, and a count of the
 * rest; then one line per kind of bad timestamp step (back in time, a jump
 * ahead), naming the first and counting them all.
 */
export function formatProblems(name: string, reader: LogReader): string {
	let text = "";
	for (const problem of reader.problems)
		text += `${displayName(name)}:${problem.line}: ${problem.reason}\n`;
	const more = reader.malformed - reader.problems.length;
	if (more > 0)
		text += `${displayName(name)}: ${more} more malformed line${more === 1 ? "" : "s"}\n`;
	return text + formatClockWarnings(displayName(name), reader.clock);
}
