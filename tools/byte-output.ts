/*
 * Text output written as bytes into one buffer used again and again, for the
 * commands that write a great deal (decode: hundreds of megabytes for a
 * million frames). Building strings and converting them to UTF-8 on the way
 * out was half of decode's time and most of its garbage; here the fixed parts
 * of a record are encoded once and copied, and numbers are written digit by
 * digit. Node only.
 */

const utf8 = new TextEncoder();
const MINUS = 0x2D, ZERO = 0x30, DOT = 0x2E;

/** Where the bytes go: done with them when it returns (a sink that keeps them copies them); may return a promise while the reader catches up. */
export type ByteSink = (bytes: Uint8Array) => void | Promise<void>;

/** UTF-8 bytes of `text`, for the fixed parts written with `bytes()`. */
export function encodeText(text: string): Uint8Array {
	return utf8.encode(text);
}

export class ByteOutput {
	private buffer: Uint8Array;
	private length = 0;
	/** The sink's promise from the last flush, until `settled()` hands it over. */
	private pending: Promise<void> | undefined;

	constructor(private readonly sink: ByteSink, capacity = 65536) {
		this.buffer = new Uint8Array(capacity);
	}

	/** Makes room for `bytes` more: hands what is gathered to the sink when they would not fit. */
	reserve(bytes: number): void {
		if (this.length + bytes <= this.buffer.length)
			return;
		this.flush();
		if (bytes > this.buffer.length)
			this.buffer = new Uint8Array(bytes);
	}

	/** Bytes written so far and not yet flushed: with `rewind`, takes back a record that turned out empty. */
	get position(): number {
		return this.length;
	}

	rewind(position: number): void {
		this.length = position;
	}

	/** Hands what is gathered to the sink. */
	flush(): void {
		if (this.length === 0)
			return;
		const pending = this.sink(this.buffer.subarray(0, this.length));
		this.length = 0;
		if (pending)
			this.pending = pending;
	}

	/** The promise of a sink whose reader is behind, once: await it before producing more. */
	settled(): Promise<void> | undefined {
		const pending = this.pending;
		this.pending = undefined;
		return pending;
	}

	/*
	 * The writers below assume room was reserved: `bytes` for the parts,
	 * NUMBER_BYTES for a number, SECONDS_BYTES for a time.
	 */

	/** Puts `part` back over what was written at `at` (a separator that turns out to open a list). */
	overwrite(at: number, part: Uint8Array): void {
		this.buffer.set(part, at);
	}

	bytes(part: Uint8Array): void {
		this.buffer.set(part, this.length);
		this.length += part.length;
	}

	byte(value: number): void {
		this.buffer[this.length++] = value;
	}

	/** ASCII text (a number's digits): one byte per character. */
	ascii(text: string): void {
		const buffer = this.buffer;
		let at = this.length;
		for (let i = 0; i < text.length; i++)
			buffer[at++] = text.charCodeAt(i);
		this.length = at;
	}

	/**
	 * A finite number as JavaScript writes it (and so JSON): integers up to
	 * 2^53 digit by digit, which is what most CAN signals are; others through
	 * Number::toString.
	 */
	number(value: number): void {
		if (value >= 0 && value < 10 && value === (value | 0))
			this.buffer[this.length++] = ZERO + value; // one digit: a flag, a small enum, the most common value of all
		else if (value === Math.floor(value) && value <= Number.MAX_SAFE_INTEGER && value >= -Number.MAX_SAFE_INTEGER) {
			if (value < 0) {
				this.buffer[this.length++] = MINUS;
				value = -value;
			}
			this.digits(value, 1);
		}
		else if (!this.decimal(value))
			this.ascii("" + value);
	}

	/** A non-negative integer up to 2^53 (an unsigned raw value), as `number()` writes it. */
	unsigned(value: number): void {
		if (value < 10)
			this.buffer[this.length++] = ZERO + value;
		else if (value < 100) {
			// Two digits (a counter, a percentage, a small enum) without digits()'s loops.
			const tens = (value / 10) | 0;
			this.buffer[this.length] = ZERO + tens;
			this.buffer[this.length + 1] = ZERO + value - tens * 10;
			this.length += 2;
		}
		else
			this.digits(value, 1);
	}

	/**
	 * A number with a fraction, as JavaScript writes it, when that is at most
	 * six digits after the point, as most scaled signals are (0.792, 11.4):
	 * the fewest fraction digits that read back as the same double, which is
	 * the shortest form Number::toString writes, at a fraction of its cost.
	 * With the magnitude under 1e9 the scaled value stays below 2^50, so
	 * rounding it finds the right digits. False, having written nothing, for
	 * any other number (2.410000000000001, 1e-7).
	 */
	private decimal(value: number): boolean {
		const magnitude = value < 0 ? -value : value;
		if (!(magnitude >= 1e-6 && magnitude < 1e9))
			return false;
		for (let count = 1, scale = 10; count <= 6; count++, scale *= 10) {
			const scaled = Math.round(magnitude * scale);
			if (scaled / scale !== magnitude)
				continue;
			// The fewest digits never end in 0 (one fewer would have read back too).
			if (scaled % 10 === 0)
				return false;
			if (value < 0)
				this.buffer[this.length++] = MINUS;
			const whole = Math.floor(scaled / scale);
			this.digits(whole, 1);
			this.buffer[this.length++] = DOT;
			this.digits(scaled - whole * scale, count);
			return true;
		}
		return false;
	}

	/**
	 * The time of `frame` (ms) in seconds with microseconds, as candump writes
	 * them: `1700000000.000123`. Takes the frame, not the number: V8 hands a
	 * double to a call it does not inline in a new heap box, one per record.
	 */
	seconds(frame: { readonly timestamp: number }): void {
		const micros = Math.round(frame.timestamp * 1000);
		if (!(micros >= 0 && micros <= Number.MAX_SAFE_INTEGER)) {
			this.ascii(formatSeconds(frame.timestamp));
			return;
		}
		const seconds = Math.floor(micros / 1e6);
		this.digits(seconds, 1);
		this.buffer[this.length++] = DOT;
		this.digits(micros - seconds * 1e6, 6);
	}

	/** A non-negative integer up to 2^53 in decimal, zero-padded to at least `width` digits. */
	private digits(value: number, width: number): void {
		let count = 1;
		for (let limit = 10; limit <= value && count < 16; limit *= 10)
			count++;
		if (count < width)
			count = width;
		const buffer = this.buffer, end = this.length + count;
		let at = end - 1;
		// Doubles while above 2^31, then 32-bit integers, which divide by 10 several times faster.
		for (; value > 0x7FFFFFFF; at--) {
			const next = Math.floor(value / 10);
			buffer[at] = ZERO + (value - next * 10);
			value = next;
		}
		let small = value | 0;
		for (; at >= this.length; at--) {
			const next = (small / 10) | 0;
			buffer[at] = ZERO + (small - next * 10);
			small = next;
		}
		this.length = end;
	}
}

/** The most bytes `number()` writes: `-1.7976931348623157e+308`. */
export const NUMBER_BYTES = 24;
/** The most bytes `seconds()` writes for any finite time. */
export const SECONDS_BYTES = 32;

/** Seconds with microseconds, exactly as candump wrote them (as text; `ByteOutput.seconds` writes the same). */
export function formatSeconds(ms: number): string {
	const micros = Math.round(ms * 1000);
	const seconds = Math.floor(micros / 1e6);
	return `${seconds}.${String(micros - seconds * 1e6).padStart(6, "0")}`;
}
