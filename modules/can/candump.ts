/*
 * candump log lines (Linux can-utils `candump -l` / `-L`, also what
 * SavvyCAN and python-can write) turned into frames in a FrameRing, and the
 * line formatter for tools.
 *
 * `CandumpParser` runs on XS and Node (replaying a log in the simulator, a
 * TCP feed) and allocates only in its constructor: per line it creates no
 * object, string or closure. Lines live in a fixed buffer; an over-long line
 * is dropped and counted, garbage is counted and the parser picks up again at
 * the next line. `formatCandumpLine` is for host tools and allocates.
 *
 * Accepted lines (fields separated by one or more spaces or tabs):
 *   (1579857014.345944) can2 486#82967A6B006B07F8    candump -l / -L
 *   (1579857014.345944) can2 486#82967A6B006B07F8 R  with -x: R received, T sent (ignored)
 *   can0 123#11                                      no timestamp
 *   123#11                                           frame only (cansend syntax)
 * Frame field, as can-utils' `parse_canframe` reads it:
 *   123#                 standard id, no data
 *   12345678#11          8 id digits: extended (also any shorter id above 0x7FF)
 *   20000004#00...       8 id digits with CAN_ERR_FLAG (0x20000000): error frame, `id` = error class
 *   123#R  123#R5        remote frame, optional DLC digit
 *   123#11.22.33         optional '.' between bytes
 *   123#1122334455667788_E  raw DLC 9..F after 8 bytes: accepted, `dlc` stays 8
 * Skipped and counted in `unsupported`: CAN FD (`123##1...`) and CAN XL
 * (`...#80:00:11223344#...`) lines, since a CanFrame carries 8 bytes at most;
 * an FD or XL line too long for the buffer is still recognised by the start
 * that was kept.
 * Ignored (counted in `ignored`): empty lines, `#` comments and candump's
 * `DROPCOUNT: ...` notices.
 *
 * Timestamp: seconds and fraction digits are read as integers and become
 * milliseconds (`(seconds * 1e6 + microseconds) / 1000`, exact to well under
 * a microsecond for today's epoch), so `formatCandumpLine` prints the same
 * digits back. Digits past the 9th after the point are ignored. A line
 * without a timestamp gets `clock()` when a clock is given, else 0.
 *
 * Cost on XS: a frame line of the usual form wholly inside the chunk `feed`
 * was given is read in place, each byte once, hex digits through a table
 * (`frameIn`); a line cut by a chunk's end is gathered in the line buffer
 * first. Any other line goes the general way through the line buffer (`line`).
 */
import { EXTENDED_ID_MASK, FrameFlag, MAX_DLC, STANDARD_ID_MASK, type CanFrame } from "./frame.js";
import { CR, HEX_DIGIT_VALUES, LF, LineAssembler, LineParser, hexDigit } from "./lines.js";
import type { FrameRing } from "./ring.js";

export interface CandumpParserOptions {
	/** Milliseconds clock, the timestamp of lines that have none. Called once per such frame; it must not allocate. */
	clock?: () => number;
	/** Line buffer size in bytes, at least 64; default 128 (the longest CAN 2.0 line is about 75). */
	maxLineLength?: number;
}

/** CAN_ERR_FLAG of Linux SocketCAN ids. */
const ERROR_FLAG = 0x20000000;

const SPACE = 0x20, TAB = 0x09, HASH = 0x23, DOT = 0x2E, COLON = 0x3A, UNDERSCORE = 0x5F;
const LEFT_PAREN = 0x28, RIGHT_PAREN = 0x29;
/** "DROPCOUNT", the start of candump's notice of frames the socket dropped. */
const DROPCOUNT = [0x44, 0x52, 0x4F, 0x50, 0x43, 0x4F, 0x55, 0x4E, 0x54];

/** Outcome of the frame field. */
const FRAME = 0, UNSUPPORTED = 1, MALFORMED = 2;

export class CandumpParser extends LineParser {
	/** Lines ended, including empty ones and a last line ended by `finish()`. */
	lines = 0;
	/** Empty lines, comments, DROPCOUNT notices. */
	ignored = 0;
	/** CAN FD and CAN XL lines, skipped. */
	unsupported = 0;
	/** Lines that are not a valid candump frame line. */
	malformed = 0;
	/** Lines longer than the line buffer (other than CAN FD), dropped whole. */
	overlong = 0;

	readonly ring: FrameRing;
	private readonly clock: (() => number) | null;
	/** The frame being parsed. */
	private readonly scratch = new Uint8Array(MAX_DLC);
	private id = 0;
	private flags = 0;
	private dlc = 0;
	private dataLength = 0;
	/**
	 * Time of the frame being parsed, in ms. A field rather than a local: on V8
	 * a local that holds both parsed doubles and the clock's integers is boxed
	 * on every frame; a field is updated in place. (XS never boxes numbers.)
	 */
	private time = 0;

	/** @throws RangeError when `maxLineLength` is below 64 or above 65536. */
	constructor(ring: FrameRing, options: CandumpParserOptions = {}) {
		const maxLineLength = options.maxLineLength ?? 128;
		if (!(maxLineLength >= 64))
			throw new RangeError(`candump maxLineLength must be at least 64, not ${maxLineLength}`);
		super(new LineAssembler(maxLineLength), "candump");
		this.ring = ring;
		this.clock = options.clock ?? null;
	}

	/** Zeroes the counters and forgets any partial line. The ring is left alone. */
	reset(): void {
		this.assembler.reset();
		this.lines = this.frames = this.ignored = this.unsupported = this.malformed = this.overlong = 0;
	}

	protected override lineIn(bytes: Uint8Array, start: number, end: number): number {
		const at = this.frameIn(bytes, start, end);
		// Stryker disable next-line EqualityOperator: a line frameIn takes is at least "1#", so it never ends at index 0
		return at >= 0 ? at : super.lineIn(bytes, start, end);
	}

	protected line(): void {
		const assembler = this.assembler;
		// Stryker disable next-line EqualityOperator: a line frameIn takes is at least "1#", so it never ends at index 0
		if (!assembler.overlong && this.frameIn(assembler.buffer, 0, assembler.length) >= 0)
			return;
		this.anyLine();
	}

	/**
	 * The fast way for the usual line, `[(seconds.fraction)] [interface] id#data [R|T]`:
	 * reads the line at `bytes[start]`,
	 * which ends at the first CR or LF or at `end`, and when `anyLine` would
	 * push a frame for it, pushes the same frame, counts it and returns the
	 * index where the line ends. Returns -1, having pushed and counted
	 * nothing, for any other line. No allocation. Public for the host's log
	 * reader (tools/logs/candump.ts), which frames lines itself and tries
	 * this first on each.
	 */
	frameIn(bytes: Uint8Array, start: number, end: number): number {
		let i = start, c = 0;
		if (i === end)
			return -1;
		c = bytes[i];
		const timed = c === LEFT_PAREN;
		if (timed) {
			// The same arithmetic as `timestamp`, so the same double.
			let seconds = 0, micro = 0, nano = 0, fractionDigits = 0;
			const digits = ++i;
			while (i < end) {
				const d = bytes[i] - 0x30;
				if (d < 0 || d > 9)
					break;
				seconds = seconds * 10 + d;
				i++;
			}
			if (i === digits || i === end)
				return -1;
			c = bytes[i];
			if (c === DOT) {
				while (++i < end) {
					const d = bytes[i] - 0x30;
					if (d < 0 || d > 9)
						break;
					if (fractionDigits < 6)
						micro = micro * 10 + d;
					else if (fractionDigits < 9)
						nano = nano * 10 + d;
					fractionDigits++;
				}
				if (i === end)
					return -1;
				c = bytes[i];
			}
			if (c !== RIGHT_PAREN || ++i === end)
				return -1;
			c = bytes[i];
			if (c !== SPACE && c !== TAB)
				return -1;
			for (let d = fractionDigits; d < 6; d++)
				micro *= 10;
			for (let d = fractionDigits; d < 9; d++) // nano is 0 unless there were more than 6 digits
				nano *= 10;
			this.time = (seconds * 1e6 + micro) / 1000 + nano / 1e6;
			do {
				if (++i === end)
					return -1;
				c = bytes[i];
			} while (c === SPACE || c === TAB);
		}
		else if (c === 0x44) // D: perhaps "DROPCOUNT"
			return -1;
		// The interface, unless this field is the frame itself (then it holds a '#').
		let frameStart = i;
		for (;;) {
			if (c === HASH) {
				i = frameStart;
				c = bytes[i];
				break;
			}
			if (c === SPACE || c === TAB) {
				do {
					if (++i === end)
						return -1;
					c = bytes[i];
				} while (c === SPACE || c === TAB);
				frameStart = i;
				break;
			}
			if (c === CR || c === LF || ++i === end)
				return -1;
			c = bytes[i];
		}
		// id#: from here on, c is bytes[i], or LF once i is at the end.
		const hex = HEX_DIGIT_VALUES;
		let id = 0;
		while (c !== HASH) {
			const d = hex[c];
			if (d < 0 || i - frameStart === 8 || ++i === end)
				return -1;
			id = id * 16 + d;
			c = bytes[i];
		}
		const idDigits = i - frameStart;
		if (idDigits === 0)
			return -1;
		let flags = 0;
		if (idDigits === 8) {
			if (id >= 0x40000000)
				return -1;
			if (id >= ERROR_FLAG) {
				flags = FrameFlag.error;
				id -= ERROR_FLAG;
			}
			else
				flags = FrameFlag.extended;
		}
		else if (id > STANDARD_ID_MASK)
			flags = FrameFlag.extended;
		// Data bytes, or R and an optional DLC digit.
		const scratch = this.scratch;
		let dlc = 0, dataLength = 0;
		c = ++i < end ? bytes[i] : LF;
		if (c === 0x52 || c === 0x72) { // R, r
			flags |= FrameFlag.remote;
			c = ++i < end ? bytes[i] : LF;
			const d = c - 0x30;
			if (d >= 0 && d <= MAX_DLC) {
				dlc = d;
				c = ++i < end ? bytes[i] : LF;
			}
		}
		else {
			for (;;) {
				const high = hex[c];
				if (high < 0) {
					if (c !== DOT)
						break;
					c = ++i < end ? bytes[i] : LF;
					continue;
				}
				if (dataLength === MAX_DLC || i + 1 === end)
					return -1;
				const low = hex[bytes[i + 1]];
				if (low < 0)
					return -1;
				scratch[dataLength++] = (high << 4) | low;
				i += 2;
				c = i < end ? bytes[i] : LF;
			}
			dlc = dataLength;
		}
		// The frame field must end here; then blanks, a direction mark of `candump -x`, blanks, the line's end.
		if (c !== SPACE && c !== TAB && c !== CR && c !== LF)
			return -1;
		while (c === SPACE || c === TAB)
			c = ++i < end ? bytes[i] : LF;
		if (c === 0x52 || c === 0x54) { // R, T; "RX" or "R T" fails the line's end below
			c = ++i < end ? bytes[i] : LF;
			while (c === SPACE || c === TAB)
				c = ++i < end ? bytes[i] : LF;
		}
		if (c !== CR && c !== LF)
			return -1;
		if (i - start > this.assembler.buffer.length)
			return -1;
		this.lines++;
		if (!timed)
			this.time = this.clock ? this.clock() : 0;
		this.ring.pushFields(id, flags, dlc, scratch, 0, dataLength, this.time);
		this.frames++;
		return i;
	}

	/** Any line in `assembler`, frame or not: the general way, which counts every kind of line. */
	private anyLine(): void {
		this.lines++;
		const assembler = this.assembler, line = assembler.buffer, length = assembler.length;
		if (assembler.overlong) {
			if (looksUnsupported(line, length))
				this.unsupported++;
			else
				this.overlong++;
			return;
		}
		let i = skipSpace(line, 0, length);
		if (i === length || line[i] === HASH || startsWith(line, i, length, DROPCOUNT)) {
			this.ignored++;
			return;
		}
		const timed = line[i] === LEFT_PAREN;
		if (timed) {
			i = this.timestamp(line, i + 1, length);
			// Stryker disable next-line EqualityOperator: timestamp returns -1 or an index past "(0)", never 0
			if (i < 0) {
				this.malformed++;
				return;
			}
		}
		// First field: the interface, or the frame itself when it holds a '#'.
		let frameStart = i, hash = false;
		while (i < length && !isSpace(line[i])) {
			if (line[i] === HASH)
				hash = true;
			i++;
		}
		if (!hash) {
			frameStart = i = skipSpace(line, i, length);
			while (i < length && !isSpace(line[i]))
				i++;
		}
		const result = this.frameField(line, frameStart, i);
		if (result !== FRAME) {
			if (result === UNSUPPORTED)
				this.unsupported++;
			else
				this.malformed++;
			return;
		}
		// What may follow: the direction mark of `candump -x`, then only spaces.
		i = skipSpace(line, i, length);
		if (i < length && (line[i] === 0x52 || line[i] === 0x54)) // "RX" or "R T" leaves i short of the end
			i = skipSpace(line, i + 1, length);
		if (i !== length) {
			this.malformed++;
			return;
		}
		if (!timed)
			this.time = this.clock ? this.clock() : 0;
		this.ring.pushFields(this.id, this.flags, this.dlc, this.scratch, 0, this.dataLength, this.time);
		this.frames++;
	}

	/**
	 * Reads `seconds[.fraction])` and the blanks after it, starting past the
	 * '(', into `time`. Returns the index of the next field, or -1 when malformed.
	 */
	private timestamp(line: Uint8Array, start: number, length: number): number {
		let i = start, seconds = 0, micro = 0, nano = 0, fractionDigits = 0;
		// Reads past the line's end (a line in the buffer, whose bytes past `length` an earlier line left there) only ever leave i
		// past it, and from there frameField finds no frame: the mutants that read there are marked below.
		// Stryker disable next-line ConditionalExpression,EqualityOperator: digits read past the line's end leave i past it
		while (i < length && isDigit(line[i]))
			seconds = seconds * 10 + (line[i++] - 0x30);
		if (i === start)
			return -1;
		// Stryker disable next-line ConditionalExpression,EqualityOperator: a '.' read past the line's end leaves i past it
		if (i < length && line[i] === DOT) {
			i++;
			// Stryker disable next-line ConditionalExpression,EqualityOperator: digits read past the line's end leave i past it
			while (i < length && isDigit(line[i])) {
				const d = line[i++] - 0x30;
				if (fractionDigits < 6)
					micro = micro * 10 + d;
				else if (fractionDigits < 9)
					nano = nano * 10 + d;
				fractionDigits++;
			}
		}
		// Then ')' and a blank. At the line's end the line is "(digits.digits" or "(digits.digits)": read on from index 1 (-1 made +1), it holds no frame either.
		// Stryker disable ConditionalExpression,EqualityOperator,UnaryOperator: a ')' read past the line's end leaves i past it
		if (i === length)
			return -1;
		// Stryker restore ConditionalExpression,EqualityOperator,UnaryOperator
		if (line[i] !== RIGHT_PAREN)
			return -1;
		i++;
		// Stryker disable ConditionalExpression,EqualityOperator,UnaryOperator: a blank read past the line's end leaves i past it
		if (i === length)
			return -1;
		// Stryker restore ConditionalExpression,EqualityOperator,UnaryOperator
		if (!isSpace(line[i]))
			return -1;
		for (let d = fractionDigits; d < 6; d++)
			micro *= 10;
		for (let d = fractionDigits; d < 9; d++) // nano is 0 unless there were more than 6 digits
			nano *= 10;
		// seconds * 1e6 + micro is an exact integer (below 2^53 until the year 2255),
		// so one rounding, in the division, is all the error there is.
		this.time = (seconds * 1e6 + micro) / 1000 + nano / 1e6;
		return skipSpace(line, i, length);
	}

	/** Reads `id#data` in `line[start, end)` into id, flags, dlc, dataLength and scratch. */
	private frameField(line: Uint8Array, start: number, end: number): number {
		let i = start, id = 0;
		while (i < end && line[i] !== HASH) {
			const d = hexDigit(line[i]);
			if (d < 0 || i - start === 8)
				return MALFORMED;
			id = id * 16 + d;
			i++;
		}
		const idDigits = i - start;
		if (i === end || idDigits === 0)
			return MALFORMED;
		i++; // '#'
		if (i < end && line[i] === HASH)
			return UNSUPPORTED; // CAN FD
		if (i + 2 < end && line[i + 2] === COLON)
			return UNSUPPORTED; // CAN XL header "flags:sdt:af#"
		let flags = 0;
		if (idDigits === 8) {
			if (id >= 0x40000000)
				return MALFORMED; // RTR or EFF flag bits written into the id: not candump's form
			if (id >= ERROR_FLAG) {
				flags = FrameFlag.error;
				id -= ERROR_FLAG;
			}
			else
				flags = FrameFlag.extended;
		}
		else if (id > STANDARD_ID_MASK)
			flags = FrameFlag.extended;
		const scratch = this.scratch;
		let dlc = 0, dataLength = 0;
		if (i < end && (line[i] === 0x52 || line[i] === 0x72)) { // R, r
			flags |= FrameFlag.remote;
			i++;
			if (i < end) {
				dlc = line[i++] - 0x30;
				if (!(dlc >= 0 && dlc <= MAX_DLC))
					return MALFORMED;
			}
		}
		else {
			while (i < end && line[i] !== UNDERSCORE) {
				if (line[i] === DOT) {
					i++;
					continue;
				}
				if (dataLength === MAX_DLC || i + 1 === end)
					return MALFORMED;
				const high = hexDigit(line[i]), low = hexDigit(line[i + 1]);
				if (high < 0 || low < 0)
					return MALFORMED;
				scratch[dataLength++] = (high << 4) | low;
				i += 2;
			}
			dlc = dataLength;
		}
		if (i < end) {
			// "_X": the raw DLC 9..F of a classic frame with 8 bytes; a CanFrame keeps only 8.
			if (!(dlc === MAX_DLC && line[i] === UNDERSCORE && i + 2 === end && hexDigit(line[i + 1]) > MAX_DLC))
				return MALFORMED;
		}
		this.id = id;
		this.flags = flags;
		this.dlc = dlc;
		this.dataLength = dataLength;
		return FRAME;
	}
}

function isSpace(c: number): boolean {
	return c === SPACE || c === TAB;
}

function isDigit(c: number): boolean {
	return c >= 0x30 && c <= 0x39;
}

function skipSpace(line: Uint8Array, i: number, length: number): number {
	while (i < length && isSpace(line[i]))
		i++;
	return i;
}

function startsWith(line: Uint8Array, i: number, length: number, prefix: readonly number[]): boolean {
	if (length - i < prefix.length)
		return false;
	for (let k = 0; k < prefix.length; k++)
		if (line[i + k] !== prefix[k])
			return false;
	return true;
}

/** The kept start of an over-long line shows a CAN FD (`##`) or CAN XL (`#80:`) frame. */
function looksUnsupported(line: Uint8Array, length: number): boolean {
	// An over-long line fills the buffer, so a read past `length` gives undefined, which is no '#' and no ':'.
	// Stryker disable next-line EqualityOperator,ArithmeticOperator: reading one byte further reads undefined
	for (let i = 0; i + 1 < length; i++)
		if (line[i] === HASH && line[i + 1] === HASH)
			return true;
	// Stryker disable next-line EqualityOperator,ArithmeticOperator: reading further reads undefined
	for (let i = 0; i + 3 < length; i++)
		if (line[i] === HASH && line[i + 3] === COLON)
			return true;
	return false;
}

/**
 * One `candump -l` line for `frame` on interface `iface`, without the newline:
 * `(0000000166.000000) vcan0 21A#FE3612FE690507AD`. Seconds are zero-padded to
 * 10 digits and the fraction has 6, as candump prints them; the time is
 * rounded to the microsecond, so a timestamp `CandumpParser` read from a
 * 6-digit line prints back as the same digits.
 * Host tools only: builds strings (allocates).
 * @throws RangeError when the timestamp is negative or not finite, the DLC is
 * above 8, or the id does not fit its format.
 */
export function formatCandumpLine(frame: CanFrame, iface: string): string {
	const { id, flags, dlc, data, timestamp } = frame;
	if (!(Number.isFinite(timestamp) && timestamp >= 0))
		throw new RangeError(`candump timestamp must be finite and not negative, not ${timestamp}`);
	if (!(Number.isInteger(dlc) && dlc >= 0 && dlc <= MAX_DLC))
		throw new RangeError(`CAN DLC must be 0..8, not ${dlc}`);
	const totalMicro = Math.round(timestamp * 1000);
	const seconds = Math.floor(totalMicro / 1e6);
	const micro = totalMicro - seconds * 1e6;
	let field: string;
	if (flags & FrameFlag.error) {
		if (!(id >= 0 && id <= EXTENDED_ID_MASK))
			throw new RangeError(`error class ${id} does not fit 29 bits`);
		field = hex(id + ERROR_FLAG, 8);
	}
	else if (flags & FrameFlag.extended) {
		if (!(id >= 0 && id <= EXTENDED_ID_MASK))
			throw new RangeError(`extended id ${id} does not fit 29 bits`);
		field = hex(id, 8);
	}
	else {
		if (!(id >= 0 && id <= STANDARD_ID_MASK))
			throw new RangeError(`standard id ${id} does not fit 11 bits`);
		field = hex(id, 3);
	}
	field += "#";
	if (flags & FrameFlag.remote)
		field += dlc > 0 ? `R${dlc}` : "R";
	else
		for (let i = 0; i < dlc; i++)
			field += hex(data[i], 2);
	return `(${String(seconds).padStart(10, "0")}.${String(micro).padStart(6, "0")}) ${iface} ${field}`;
}

function hex(value: number, digits: number): string {
	return value.toString(16).toUpperCase().padStart(digits, "0");
}
