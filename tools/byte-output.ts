/*
 * Text output written as bytes into one buffer used again and again, for the
 * commands that write a great deal (decode: hundreds of megabytes for a
 * million frames). Building strings and converting them to UTF-8 on the way
 * out was half of decode's time and most of its garbage; here the fixed parts
 * of a record are encoded once and copied, and numbers are written digit by
 * digit. Node only.
 *
 * The buffer and the fixed parts (`keep`) share one WebAssembly memory, so a
 * part is copied by memory.copy, through the one-instruction function below:
 * for the short copies decode makes by the ten million (a signal's name, 20
 * bytes or so), a call to it takes about 9 ns here against 15 for
 * TypedArray.prototype.set, whose call costs more than its copy.
 */

const utf8 = new TextEncoder();
const MINUS = 0x2D, ZERO = 0x30, DOT = 0x2E;

/**
 * (module
 *   (import "js" "memory" (memory 1))
 *   (func (export "copy") (param $to i32) (param $from i32) (param $length i32)
 *     (memory.copy (local.get $to) (local.get $from) (local.get $length))))
 */
const COPY_MODULE = new WebAssembly.Module(Uint8Array.of(
	0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00, // \0asm, version 1
	0x01, 0x07, 0x01, 0x60, 0x03, 0x7F, 0x7F, 0x7F, 0x00, // types: (i32 i32 i32) -> ()
	0x02, 0x0E, 0x01, 0x02, 0x6A, 0x73, 0x06, 0x6D, 0x65, 0x6D, 0x6F, 0x72, 0x79, 0x02, 0x00, 0x01, // import js.memory, 1 page at least
	0x03, 0x02, 0x01, 0x00, // one function of type 0
	0x07, 0x08, 0x01, 0x04, 0x63, 0x6F, 0x70, 0x79, 0x00, 0x00, // export it as "copy"
	0x0A, 0x0E, 0x01, 0x0C, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xFC, 0x0A, 0x00, 0x00, 0x0B, // local.get 0 1 2, memory.copy, end
));
const PAGE_BYTES = 65536;

/** A memory of at least `bytes` (and a page to spare for kept parts), COPY_MODULE's copy working in it, and a view of it all. */
function newMemory(bytes: number): [WebAssembly.Memory, (to: number, from: number, length: number) => void, Uint8Array] {
	const memory = new WebAssembly.Memory({ initial: Math.ceil(bytes / PAGE_BYTES) + 1 });
	const copy = new WebAssembly.Instance(COPY_MODULE, { js: { memory } }).exports.copy as (to: number, from: number, length: number) => void;
	return [memory, copy, new Uint8Array(memory.buffer)];
}

/** Where the bytes go: done with them when it returns (a sink that keeps them copies them); may return a promise while the reader catches up. */
export type ByteSink = (bytes: Uint8Array) => void | Promise<void>;

/** UTF-8 bytes of `text`, for the fixed parts kept with `keep()`. */
export function encodeText(text: string): Uint8Array {
	return utf8.encode(text);
}

export class ByteOutput {
	/** The whole memory: the buffer, [0, capacity), then the kept parts. */
	private buffer: Uint8Array;
	private memory: WebAssembly.Memory;
	private copy: (to: number, from: number, length: number) => void;
	private capacity: number;
	private length = 0;
	/** Where each kept part lies in the memory, by its number, and where the next goes. */
	private readonly partStarts: number[] = [];
	private readonly partLengths: number[] = [];
	private partsEnd: number;
	/** The sink's promise from the last flush, until `settled()` hands it over. */
	private pending: Promise<void> | undefined;
	/** The whole seconds `seconds()` wrote last, and the kept part that holds their digits. */
	private wholeSeconds = -1;
	private wholeSecondsLength = 0;
	private readonly wholeSecondsPart: number;

	constructor(private readonly sink: ByteSink, capacity = 65536) {
		this.capacity = this.partsEnd = capacity;
		[this.memory, this.copy, this.buffer] = newMemory(capacity);
		this.wholeSecondsPart = this.keep(new Uint8Array(16));
	}

	/** Makes room for `bytes` more: hands what is gathered to the sink when they would not fit. */
	reserve(bytes: number): void {
		if (this.length + bytes <= this.capacity)
			return;
		this.flush();
		if (bytes > this.capacity)
			this.enlarge(bytes);
	}

	/** Keeps `part` (a fixed part of the output: a name, a separator) for `part()`; returns its number. */
	keep(part: Uint8Array): number {
		this.ensure(this.partsEnd + part.length);
		this.buffer.set(part, this.partsEnd);
		this.partStarts.push(this.partsEnd);
		this.partLengths.push(part.length);
		this.partsEnd += part.length;
		return this.partStarts.length - 1;
	}

	/** Writes kept part number `part`. */
	part(part: number): void {
		const length = this.partLengths[part];
		this.copy(this.length, this.partStarts[part], length);
		this.length += length;
	}

	/** The memory holds at least `bytes`; grown, it has a new ArrayBuffer, so the view is made again. */
	private ensure(bytes: number): void {
		const have = this.memory.buffer.byteLength;
		if (bytes <= have)
			return;
		this.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
		this.buffer = new Uint8Array(this.memory.buffer);
	}

	/** A buffer of `capacity` (a record longer than the buffer): the kept parts move up behind it. Rare. */
	private enlarge(capacity: number): void {
		const parts = this.buffer.slice(this.capacity, this.partsEnd), shift = capacity - this.capacity;
		[this.memory, this.copy, this.buffer] = newMemory(capacity + parts.length);
		this.buffer.set(parts, capacity);
		for (let p = 0; p < this.partStarts.length; p++)
			this.partStarts[p] += shift;
		this.capacity = capacity;
		this.partsEnd += shift;
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
	 * The writers below, and `part`, assume room was reserved: a part's
	 * length, NUMBER_BYTES for a number, SECONDS_BYTES for a time.
	 */

	/** Puts `part` back over what was written at `at` (a separator that turns out to open a list). */
	overwrite(at: number, part: Uint8Array): void {
		// A few bytes: stored one by one, cheaper than a call to set().
		for (let i = 0; i < part.length; i++)
			this.buffer[at + i] = part[i];
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
		// A log has hundreds or thousands of frames a second: the whole seconds'
		// digits are written once and copied from the part kept for them after.
		const kept = this.partStarts[this.wholeSecondsPart];
		if (seconds === this.wholeSeconds) {
			this.copy(this.length, kept, this.wholeSecondsLength);
			this.length += this.wholeSecondsLength;
		}
		else {
			const start = this.length;
			this.digits(seconds, 1);
			this.wholeSeconds = seconds;
			this.wholeSecondsLength = this.length - start;
			this.copy(kept, start, this.wholeSecondsLength);
		}
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
