/*
 * The shape every log reader of the command line shares: a push parser fed
 * chunk by chunk (`feed(bytes, offset, length)`, `finish()`), like
 * CandumpParser, that pushes frames into a FrameRing and counts what it could
 * not use, remembering where the first malformed lines were.
 *
 * Node only (host tools): a line is turned into a string before it is parsed,
 * which allocates per line. That is fine on a PC, and it keeps the readers of
 * the many vendor formats short and obviously right; the device only ever
 * reads candump and SLCAN, whose parsers in modules/can allocate nothing.
 * Lines are gathered in a fixed LineAssembler buffer: an over-long line is cut,
 * counted as malformed and skipped, so no input makes memory grow.
 */
import { MAX_DLC } from "../../modules/can/frame.js";
import { LineAssembler, LineParser } from "../../modules/can/lines.js";
import type { FrameRing } from "../../modules/can/ring.js";
import { LogClock } from "./clock.js";

/** A line that could not be read, for `FILE:LINE: why` messages. */
export interface LogProblem {
	line: number;
	reason: string;
}

/** What every log reader counts. */
export interface LogCounters {
	/** Lines ended, including empty ones. */
	lines: number;
	/** Frames pushed into the ring. */
	frames: number;
	/** Headers, comments, empty lines, events that are not frames. */
	ignored: number;
	/** CAN FD and other frames a CanFrame cannot hold, skipped. */
	unsupported: number;
	/** Lines that look like frames but are not valid (over-long lines included). */
	malformed: number;
	/** The first malformed lines, with why (at most `MAX_PROBLEMS`). */
	problems: LogProblem[];
	/** Timestamps stepping back or jumping ahead, with the line of the first of each kind (tools/logs/clock.ts). */
	readonly clock: LogClock;
}

/** A streaming log reader: the parsers' feed/finish shape. */
export interface LogReader extends LogCounters {
	readonly format: string;
	/** Parses a chunk, continuing a line left partial by the last one. Returns frames pushed. */
	feed(bytes: Uint8Array, offset?: number, length?: number): number;
	/** End of input: a last line without a newline is parsed. Returns frames pushed. */
	finish(): number;
}

/** Malformed lines remembered by line number; the rest are only counted. */
export const MAX_PROBLEMS = 5;
/** Longest line kept: an ASC CAN FD line with 64 bytes and its trailer fits. */
export const MAX_LINE_LENGTH = 1024;

/** Thrown by `parseLine` implementations to mark a line malformed; the message is the reason. */
export class MalformedLine extends Error {}

/**
 * Base class of the text log readers: line framing, counters, problems.
 * A subclass implements `parseLine(text)` and calls `pushFrame`, `ignore`,
 * `skipUnsupported`, or throws `MalformedLine`.
 */
export abstract class TextLogReader extends LineParser implements LogReader {
	abstract readonly format: string;
	lines = 0;
	ignored = 0;
	unsupported = 0;
	malformed = 0;
	readonly problems: LogProblem[] = [];
	readonly clock = new LogClock();

	protected readonly ring: FrameRing;
	/** Payload of the frame being parsed. */
	protected readonly data = new Uint8Array(MAX_DLC);

	constructor(ring: FrameRing) {
		super(new LineAssembler(MAX_LINE_LENGTH), "log reader");
		this.ring = ring;
	}

	/** Parses one line (without its terminator). */
	protected abstract parseLine(text: string): void;

	/**
	 * A fast path on the line's bytes, before any string is made; returns
	 * false to have `parseLine` handle the line. The default takes none.
	 */
	protected parseLineBytes(_line: Uint8Array, _length: number): boolean {
		return false;
	}

	protected pushFrame(id: number, flags: number, dlc: number, dataLength: number, timestamp: number): void {
		this.ring.pushFields(id, flags, dlc, this.data, 0, dataLength, timestamp);
		this.frames++;
		this.clock.step(timestamp, this.lines);
	}

	protected ignore(): void {
		this.ignored++;
	}

	protected skipUnsupported(): void {
		this.unsupported++;
	}

	protected problem(reason: string): void {
		this.malformed++;
		if (this.problems.length < MAX_PROBLEMS)
			this.problems.push({ line: this.lines, reason });
	}

	protected line(): void {
		this.lines++;
		const assembler = this.assembler;
		if (assembler.overlong) {
			this.problem(`line longer than ${MAX_LINE_LENGTH} bytes`);
			return;
		}
		try {
			if (!this.parseLineBytes(assembler.buffer, assembler.length))
				this.parseLine(latin1(assembler.buffer, assembler.length));
		}
		catch (error) {
			if (!(error instanceof MalformedLine))
				throw error;
			this.problem(error.message);
		}
	}
}

/** Bytes as a string, one char per byte (logs are ASCII; a stray byte stays visible). */
export function latin1(bytes: Uint8Array, length: number): string {
	return Buffer.from(bytes.buffer, bytes.byteOffset, length).toString("latin1");
}

/** Hex field (optionally `0x`-prefixed) as a number, or a MalformedLine naming `what`. */
export function hexField(text: string | undefined, what: string, max = 0xFFFFFFFF): number {
	if (text === undefined || text === "")
		throw new MalformedLine(`missing ${what}`);
	const digits = /^0x/i.test(text) ? text.slice(2) : text;
	if (!/^[0-9A-Fa-f]{1,8}$/.test(digits))
		throw new MalformedLine(`${what} '${text}' is not hex`);
	const value = parseInt(digits, 16);
	if (value > max)
		throw new MalformedLine(`${what} '${text}' is out of range`);
	return value;
}

/** Decimal integer field, or a MalformedLine naming `what`. */
export function decimalField(text: string | undefined, what: string, max = Number.MAX_SAFE_INTEGER): number {
	if (text === undefined || !/^\d{1,15}$/.test(text))
		throw new MalformedLine(text === undefined ? `missing ${what}` : `${what} '${text}' is not a number`);
	const value = Number(text);
	if (value > max)
		throw new MalformedLine(`${what} '${text}' is out of range`);
	return value;
}

/** Non-negative decimal number with an optional fraction (a time), or a MalformedLine. */
export function timeField(text: string | undefined, what: string): number {
	if (text === undefined || !/^\d+(\.\d*)?$/.test(text))
		throw new MalformedLine(text === undefined ? `missing ${what}` : `${what} '${text}' is not a number`);
	return Number(text);
}

/** Splits on runs of blanks, ignoring leading and trailing ones. */
export function fields(text: string): string[] {
	const trimmed = text.trim();
	return trimmed ? trimmed.split(/[ \t]+/) : [];
}
