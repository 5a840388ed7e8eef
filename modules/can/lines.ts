/*
 * Line framing and hex digits shared by the text stream parsers (SLCAN,
 * candump).
 *
 * Bytes from a serial port, a socket or a file arrive in chunks cut anywhere;
 * `LineAssembler` gathers them into one fixed buffer until a terminator ends
 * the line. Runs on XS and Node. Allocates only in the constructor: a line
 * longer than the buffer is not grown into, it is cut off, marked `overlong`
 * and discarded up to its terminator, so no input can make memory grow.
 *
 * Built for the XS interpreter, where each typed-array element access costs
 * about 400 x86 instructions and each call about 650 (`npm run bench`):
 * `LineParser.feed` hands a line that lies wholly inside the caller's chunk
 * to the parser in place, and copies into the assembler only the line cut by
 * the chunk's end; hex digits are read through `HEX_DIGIT_VALUES`, not a call.
 */

export const CR = 0x0D;
export const LF = 0x0A;
/** ASCII BEL: the SLCAN adapter's error reply, which ends a reply without a CR. */
export const BEL = 0x07;

/**
 * Collects bytes into lines ended by CR, LF or CRLF (and optionally one more
 * terminator byte). A CRLF pair ends one line, also when the chunk boundary
 * falls between the CR and the LF. Empty lines are delivered too: the parsers
 * decide what an empty line means.
 *
 * Use as a cursor:
 * ```
 * while (i < end) {
 * 	i = lines.take(bytes, i, end);
 * 	if (lines.ready)
 * 		handle(lines.buffer, lines.length);
 * }
 * ```
 */
export class LineAssembler {
	/** Holds the current line; only `buffer[0, length)` is meaningful. */
	readonly buffer: Uint8Array;
	/** Bytes of the current line kept in `buffer` (at most `buffer.length`). */
	length = 0;
	/** The line was longer than `buffer`; `buffer` holds its first bytes, the rest was dropped. */
	overlong = false;
	/** A whole line is in `buffer`; cleared by the next `take`. */
	ready = false;
	/** The byte that ended the ready line: CR, LF, the extra terminator, or 0 when `flush` ended it. */
	terminator = 0;

	/** One more byte value that ends a line (SLCAN's BEL), or -1. */
	readonly extraTerminator: number;
	/** The previous line ended with CR: an LF that follows belongs to it. Read and cleared by `take` and `LineParser.feed`. */
	afterCR = false;

	/**
	 * @param capacity longest line kept, in bytes (1..65536).
	 * @param extraTerminator one more byte value that ends a line (SLCAN's BEL), or -1.
	 * @throws RangeError when capacity is out of range.
	 */
	constructor(capacity: number, extraTerminator = -1) {
		if (!(Number.isInteger(capacity) && capacity >= 1 && capacity <= 65536))
			throw new RangeError(`LineAssembler capacity must be an integer from 1 to 65536, not ${capacity}`);
		this.buffer = new Uint8Array(capacity);
		this.extraTerminator = extraTerminator;
	}

	/**
	 * Consumes `bytes[start, end)` up to and including the first terminator.
	 * Returns the index of the first byte not consumed; when a line ended,
	 * `ready` is true and the caller should handle it before calling again.
	 * No allocation.
	 */
	take(bytes: Uint8Array, start: number, end: number): number {
		if (this.ready)
			this.clear();
		let i = start;
		if (this.afterCR && i < end) {
			this.afterCR = false;
			if (bytes[i] === LF)
				i++;
		}
		const buffer = this.buffer, capacity = buffer.length, extra = this.extraTerminator;
		let length = this.length;
		while (i < end) {
			const c = bytes[i++];
			if (c === CR || c === LF || c === extra) {
				this.afterCR = c === CR;
				this.terminator = c;
				this.length = length;
				this.ready = true;
				return i;
			}
			if (length < capacity)
				buffer[length++] = c;
			else
				this.overlong = true;
		}
		this.length = length;
		return i;
	}

	/**
	 * End of input: a partial line still pending becomes ready, as if a
	 * terminator had followed it (`terminator` is 0). Returns `ready`.
	 * No allocation.
	 */
	flush(): boolean {
		if (this.ready)
			this.clear();
		this.afterCR = false;
		if (this.length > 0 || this.overlong) {
			this.terminator = 0;
			this.ready = true;
		}
		return this.ready;
	}

	/**
	 * Index of the first terminator in `bytes[start, end)`, or `end` when there
	 * is none. No allocation.
	 */
	lineEnd(bytes: Uint8Array, start: number, end: number): number {
		const extra = this.extraTerminator;
		let i = start;
		while (i < end) {
			const c = bytes[i];
			if (c === CR || c === LF || c === extra)
				return i;
			i++;
		}
		return end;
	}

	/**
	 * Makes `bytes[start, stop)`, a whole line that `bytes[stop]` ends, the
	 * ready line: its first `buffer.length` bytes are copied, `overlong` says
	 * whether that was all of it. For parsers that handle in place only the
	 * lines they expect. No allocation.
	 */
	hold(bytes: Uint8Array, start: number, stop: number): void {
		const buffer = this.buffer, capacity = buffer.length;
		const kept = stop - start > capacity ? capacity : stop - start;
		for (let k = 0; k < kept; k++)
			buffer[k] = bytes[start + k];
		this.length = kept;
		this.overlong = stop - start > capacity;
		this.terminator = bytes[stop];
		this.ready = true;
	}

	/**
	 * Starts or continues a partial line with `bytes[start, end)`, which holds
	 * no terminator (the caller has looked): what does not fit the buffer is
	 * dropped and marks the line `overlong`. No allocation.
	 */
	append(bytes: Uint8Array, start: number, end: number): void {
		if (this.ready)
			this.clear();
		const buffer = this.buffer, capacity = buffer.length;
		let length = this.length, i = start;
		const stop = end - start > capacity - length ? start + capacity - length : end;
		while (i < stop)
			buffer[length++] = bytes[i++];
		if (stop < end)
			this.overlong = true;
		this.length = length;
	}

	/** Forgets any partial line, keeping the buffer. */
	reset(): void {
		this.clear();
		this.afterCR = false;
	}

	/** Forgets the ready line (or a partial one), so that the next byte starts a new line. No allocation. */
	clear(): void {
		this.ready = false;
		this.length = 0;
		this.overlong = false;
		this.terminator = 0;
	}
}

/**
 * Value of each byte as an ASCII hex digit (either case), -1 for the bytes
 * that are not one: `HEX_DIGIT_VALUES[c]` is one element read where
 * `hexDigit(c)` is a call, which on XS costs more than the read.
 */
export const HEX_DIGIT_VALUES = new Int8Array(256).fill(-1);
for (let c = 0; c < 256; c++)
	HEX_DIGIT_VALUES[c] = hexDigit(c);

/** Value of an ASCII hex digit (either case), or -1. No allocation. */
export function hexDigit(c: number): number {
	if (c >= 0x30 && c <= 0x39)
		return c - 0x30;
	const lower = c | 0x20;
	if (lower >= 0x61 && lower <= 0x66)
		return lower - 0x57;
	return -1;
}

/**
 * Value of `count` (at most 8) hex digits at `bytes[start]`, or -1 when one
 * is not a hex digit. Multiplies instead of shifting so that 8 digits stay a
 * non-negative number. No allocation.
 */
export function readHex(bytes: Uint8Array, start: number, count: number): number {
	let value = 0;
	for (let i = start, end = start + count; i < end; i++) {
		const d = hexDigit(bytes[i]);
		if (d < 0)
			return -1;
		value = value * 16 + d;
	}
	return value;
}

/** ASCII code of the upper-case hex digit for `nibble` (0..15). No allocation. */
export function hexChar(nibble: number): number {
	return nibble < 10 ? 0x30 + nibble : 0x37 + nibble;
}

/**
 * The feed loop every line-based frame parser shares. Each line reaches the
 * parser once: a line that lies wholly inside the chunk `feed` was given goes
 * to `lineIn(bytes, start, end)` in place; a line cut by a chunk's end is
 * gathered in `assembler` and goes to `line()`, which reads
 * `assembler.buffer[0, assembler.length)`. The default `lineIn` copies the
 * line into the assembler and calls `line()`, so a subclass need implement
 * only `line()`; a parser built for speed overrides `lineIn` too. Subclasses
 * count what they produce; `frames` is the one counter the loop itself needs.
 * Runs on XS and Node; `feed` and `finish` allocate nothing.
 */
export abstract class LineParser {
	/** Frames pushed into the ring. */
	frames = 0;
	protected readonly assembler: LineAssembler;
	private readonly what: string;

	/** @param what names the format in the one error a caller bug can get. */
	constructor(assembler: LineAssembler, what: string) {
		this.assembler = assembler;
		this.what = what;
	}

	/**
	 * Parses `length` bytes at `bytes[offset]`, continuing any line left
	 * partial by the previous call. Returns the number of frames pushed into
	 * the ring. No allocation.
	 * @throws RangeError when the range lies outside `bytes` (a caller bug).
	 */
	feed(bytes: Uint8Array, offset = 0, length = bytes.length - offset): number {
		const end = offset + length;
		if (!(offset >= 0 && length >= 0 && end <= bytes.length))
			throw new RangeError(`${this.what} feed range outside the buffer`);
		const before = this.frames, assembler = this.assembler;
		let i = offset;
		if (i === end)
			return 0;
		if (assembler.afterCR) {
			assembler.afterCR = false;
			if (bytes[i] === LF)
				i++;
		}
		if (assembler.length > 0 || assembler.overlong) {
			// The end of a line the last chunk cut: gathered, then parsed from the buffer.
			i = assembler.take(bytes, i, end);
			if (!assembler.ready)
				return 0;
			this.line();
			assembler.clear();
			if (assembler.afterCR && i < end) {
				assembler.afterCR = false;
				if (bytes[i] === LF)
					i++;
			}
		}
		// Whole lines end at or before the chunk's last terminator; what follows it is a partial line.
		const extra = assembler.extraTerminator;
		let stop = end;
		while (stop > i) {
			const c = bytes[stop - 1];
			if (c === CR || c === LF || c === extra)
				break;
			stop--;
		}
		while (i < stop) {
			const at = this.lineIn(bytes, i, stop);
			i = at + 1;
			if (bytes[at] === CR) {
				if (i === end)
					assembler.afterCR = true;
				else if (bytes[i] === LF)
					i++;
			}
		}
		if (i < end)
			assembler.append(bytes, i, end);
		return this.frames - before;
	}

	/**
	 * End of input (a file's end, a port closed): a pending line without its
	 * terminator is parsed as if it had come. Returns the number of frames
	 * pushed. No allocation.
	 */
	finish(): number {
		const before = this.frames;
		if (this.assembler.flush())
			this.line();
		this.assembler.clear();
		return this.frames - before;
	}

	/**
	 * Handles the whole line that starts at `bytes[start]` and ends at the
	 * first terminator (CR, LF or the assembler's extra one) before `end`; one
	 * is there. Returns the terminator's index. A line longer than the
	 * assembler's buffer must be handled as `line()` would handle it cut
	 * (`overlong`). This one copies the line into the assembler and calls
	 * `line()`. No allocation.
	 */
	protected lineIn(bytes: Uint8Array, start: number, end: number): number {
		const assembler = this.assembler;
		const at = assembler.lineEnd(bytes, start, end);
		assembler.hold(bytes, start, at);
		this.line();
		assembler.clear();
		return at;
	}

	/** Handles the line now in `assembler`. */
	protected abstract line(): void;
}
