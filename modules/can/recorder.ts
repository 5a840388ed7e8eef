/*
 * CandumpRecorder: records raw frames as a candump `-l` log
 * (`(1700000000.000100) can0 1C4#E02E32C800010000`) into a file-like sink (a
 * Moddable File on flash or an SD card, a buffer in tests), for reading back
 * with `xs-cluster decode` or any can-utils tool.
 *
 * Runs on XS and Node. Allocates only in its constructor: `record()` formats
 * the line with integer arithmetic into preallocated chunks and never touches
 * the sink, so the bus and display clocks never wait on flash. The host calls
 * `service()` when it has time (after a display frame, from a low-priority
 * timer): it hands at most `maxChunks` full chunks to the sink, each one whole
 * preallocated buffer, so the per-call cost is bounded. When the sink falls
 * so far behind that every chunk is full, new frames are dropped and counted
 * in `dropped`: recording never blocks and never grows memory.
 *
 * Size cap, `maxBytes` per file (whole lines only, never a cut line):
 *   - "stop" (default): the frame that would pass the cap is dropped, the
 *     recorder turns `full` and drops (and counts) every later frame. What
 *     was recorded stays readable.
 *   - "rotate": the file is finished there; `service()` writes its last
 *     chunk, calls the sink's `close()`, and continues in `openNext(part)`
 *     (part 1, 2, ...). Reusing names in `openNext` (part % 2) keeps only the
 *     newest files on a small flash.
 * Only a file's last, partly filled chunk (at rotation, `flush()`, `close()`)
 * is written through a `subarray` view: one small allocation per file or per
 * explicit flush, never per frame.
 *
 * Timestamps are written as given: `frame.timestamp` in ms, printed as
 * seconds with 6 decimals. Stamp frames with the wall clock (seconds since
 * 1970) for logs other tools line up; a ticks clock gives seconds since boot.
 */
import { FrameFlag, MAX_DLC, type CanFrame } from "./frame.js";
import { hexChar } from "./lines.js";

/** Where recorded bytes go. `write` must take all of `bytes` (a Moddable File does). */
export interface RecordSink {
	write(bytes: Uint8Array): void;
	/** Called once the file is complete (rotation or `close()`). */
	close?(): void;
}

export interface RecorderOptions {
	/** The first file. */
	sink: RecordSink;
	/** Largest file size in bytes; at least one chunk. */
	maxBytes: number;
	/** What happens at the cap: "stop" (default) or "rotate". */
	onFull?: "stop" | "rotate";
	/** The sink for the next file when rotating; required with "rotate". */
	openNext?: (part: number) => RecordSink;
	/** Interface name written on every line; default "can0". */
	interfaceName?: string;
	/** Bytes per chunk handed to the sink at once; default 4096. */
	chunkSize?: number;
	/** Chunks of buffering between `record` and the sink, at least 2; default 4. */
	chunks?: number;
}

export type RecorderState = "recording" | "full" | "closed";

/** Longest line: `(` 10+ digits `.` 6 `) ` name ` ` 8 id `#` 16 data `\n`. */
const LINE_CAPACITY = 64;
const ERROR_FLAG = 0x20000000;

export class CandumpRecorder {
	state: RecorderState = "recording";
	/** Frames recorded (queued or written). */
	frames = 0;
	/** Frames not recorded: the sink was behind, the cap was reached (stop), or after close. */
	dropped = 0;
	/** Bytes recorded into all files. */
	bytes = 0;
	/** Files begun, the first included. */
	files = 1;

	private sink: RecordSink;
	private readonly maxBytes: number;
	private readonly rotate: boolean;
	private readonly openNext: ((part: number) => RecordSink) | null;
	private readonly name: Uint8Array;
	private readonly chunkSize: number;
	private readonly chunks: Uint8Array[];
	/** Bytes in each queued chunk, and whether it is the last of its file. */
	private readonly lengths: Uint32Array;
	private readonly endsFile: Uint8Array;
	private readonly line = new Uint8Array(LINE_CAPACITY);
	/** The chunk being filled and its fill; the oldest queued chunk and how many are queued. */
	private current = 0;
	private fill = 0;
	private head = 0;
	private queued = 0;
	/** Bytes of the current file, queued or written. */
	private fileBytes = 0;
	/** Part number the next `openNext` call gets. */
	private nextPart = 1;

	/** @throws RangeError for sizes out of range, or "rotate" without `openNext`. */
	constructor(options: RecorderOptions) {
		const chunkSize = options.chunkSize ?? 4096, chunks = options.chunks ?? 4;
		if (!(Number.isInteger(chunkSize) && chunkSize >= LINE_CAPACITY && Number.isInteger(chunks) && chunks >= 2))
			throw new RangeError(`recorder needs chunks of at least ${LINE_CAPACITY} bytes and at least 2 of them`);
		if (!(options.maxBytes >= LINE_CAPACITY))
			throw new RangeError(`recorder maxBytes must be at least ${LINE_CAPACITY}, not ${options.maxBytes}`);
		const rotate = options.onFull === "rotate";
		if (rotate && !options.openNext)
			throw new RangeError("recorder onFull 'rotate' needs openNext");
		const name = options.interfaceName ?? "can0";
		if (!/^[\x21-\x7E]{1,16}$/.test(name))
			throw new RangeError(`recorder interface name must be 1 to 16 printable characters, not '${name}'`);
		this.sink = options.sink;
		this.maxBytes = options.maxBytes;
		this.rotate = rotate;
		this.openNext = options.openNext ?? null;
		this.name = new Uint8Array(name.length);
		for (let i = 0; i < name.length; i++)
			this.name[i] = name.charCodeAt(i);
		this.chunkSize = chunkSize;
		this.chunks = [];
		for (let i = 0; i < chunks; i++)
			this.chunks.push(new Uint8Array(chunkSize));
		this.lengths = new Uint32Array(chunks);
		this.endsFile = new Uint8Array(chunks);
	}

	/** Full chunks waiting for `service()`. */
	get pendingChunks(): number {
		return this.queued;
	}

	/**
	 * Queues `frame` as one candump line. Returns false when it was dropped
	 * (see `dropped`). Never calls the sink. No allocation.
	 */
	record(frame: CanFrame): boolean {
		if (this.state !== "recording") {
			this.dropped++;
			return false;
		}
		const length = this.format(frame);
		if (this.fileBytes + length > this.maxBytes) {
			if (!this.rotate) {
				this.state = "full";
				this.dropped++;
				return false;
			}
			// Finish this file in its own chunk; needs a free chunk to continue in.
			if (this.queued + 2 > this.chunks.length) {
				this.dropped++;
				return false;
			}
			this.endsFile[this.current] = 1;
			this.queueCurrent();
			this.fileBytes = 0;
			this.files++;
		}
		const free = (this.chunks.length - 1 - this.queued) * this.chunkSize + (this.chunkSize - this.fill);
		if (length > free) {
			this.dropped++;
			return false;
		}
		const line = this.line;
		for (let i = 0; i < length;) {
			const chunk = this.chunks[this.current];
			let fill = this.fill;
			while (i < length && fill < this.chunkSize)
				chunk[fill++] = line[i++];
			this.fill = fill;
			if (fill === this.chunkSize) {
				this.endsFile[this.current] = 0;
				this.queueCurrent();
			}
		}
		this.fileBytes += length;
		this.bytes += length;
		this.frames++;
		return true;
	}

	/**
	 * Hands at most `maxChunks` queued chunks to the sink (rotating files where
	 * a chunk ends one). Returns the number written. Call when the display has
	 * time. No allocation except for a file's last, partial chunk.
	 */
	service(maxChunks = 1): number {
		let written = 0;
		while (written < maxChunks && this.queued > 0) {
			const slot = this.head;
			const length = this.lengths[slot];
			if (length === this.chunkSize)
				this.sink.write(this.chunks[slot]);
			else if (length > 0)
				this.sink.write(this.chunks[slot].subarray(0, length));
			if (this.endsFile[slot]) {
				this.sink.close?.();
				this.sink = this.openNext!(this.nextPart++);
			}
			this.head = (slot + 1) % this.chunks.length;
			this.queued--;
			written++;
		}
		return written;
	}

	/** Writes everything recorded so far, the partial chunk too (one subarray). For a clean stop or before reading the file. */
	flush(): void {
		this.service(this.chunks.length);
		if (this.fill > 0) {
			this.sink.write(this.chunks[this.current].subarray(0, this.fill));
			this.fill = 0;
		}
	}

	/** Flushes and closes the sink; later frames are dropped. */
	close(): void {
		if (this.state === "closed")
			return;
		this.flush();
		this.sink.close?.();
		this.state = "closed";
	}

	/** Moves the chunk being filled to the queue and starts the next one. */
	private queueCurrent(): void {
		this.lengths[this.current] = this.fill;
		this.queued++;
		this.current = (this.current + 1) % this.chunks.length;
		this.fill = 0;
	}

	/** Writes the candump line for `frame` into `line`; returns its length. No allocation. */
	private format(frame: CanFrame): number {
		const line = this.line;
		let at = 0;
		line[at++] = 0x28; // (
		let timestamp = frame.timestamp;
		if (!(timestamp >= 0))
			timestamp = 0; // a candump time cannot be negative or NaN
		let seconds = Math.floor(timestamp / 1000);
		let micros = Math.round((timestamp - seconds * 1000) * 1000);
		if (micros >= 1000000) {
			seconds++;
			micros -= 1000000;
		}
		let digits = 10;
		for (let s = seconds; s >= 1e10; s = Math.floor(s / 10))
			digits++;
		at = writeDecimal(line, at, seconds, digits);
		line[at++] = 0x2E; // .
		at = writeDecimal(line, at, micros, 6);
		line[at++] = 0x29; // )
		line[at++] = 0x20;
		const name = this.name;
		for (let i = 0; i < name.length; i++)
			line[at++] = name[i];
		line[at++] = 0x20;
		const flags = frame.flags;
		if (flags & FrameFlag.error)
			at = writeHex(line, at, (frame.id & 0x1FFFFFFF) + ERROR_FLAG, 8);
		else if (flags & FrameFlag.extended)
			at = writeHex(line, at, frame.id & 0x1FFFFFFF, 8);
		else
			at = writeHex(line, at, frame.id & 0x7FF, 3);
		line[at++] = 0x23; // #
		const dlc = frame.dlc > MAX_DLC ? MAX_DLC : frame.dlc;
		if (flags & FrameFlag.remote) {
			line[at++] = 0x52; // R
			if (dlc > 0)
				line[at++] = 0x30 + dlc;
		}
		else {
			const data = frame.data;
			for (let i = 0; i < dlc; i++) {
				line[at++] = hexChar(data[i] >> 4);
				line[at++] = hexChar(data[i] & 0xF);
			}
		}
		line[at++] = 0x0A;
		return at;
	}
}

/** `value` as exactly `digits` decimal digits (zero-padded) at `out[at]`; returns the next index. No allocation. */
function writeDecimal(out: Uint8Array, at: number, value: number, digits: number): number {
	for (let i = digits - 1; i >= 0; i--) {
		const next = Math.floor(value / 10);
		out[at + i] = 0x30 + (value - next * 10);
		value = next;
	}
	return at + digits;
}

/** `value` as exactly `digits` upper-case hex digits at `out[at]`; returns the next index. No allocation. */
function writeHex(out: Uint8Array, at: number, value: number, digits: number): number {
	for (let i = digits - 1; i >= 0; i--) {
		out[at + i] = hexChar(value & 0xF);
		value >>>= 4;
	}
	return at + digits;
}
