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
 * seconds with 6 decimals with formatCandumpLine's arithmetic. Stamp frames
 * with the wall clock (seconds since 1970) for logs other tools line up; a
 * ticks clock gives seconds since boot. A negative, NaN or absurd timestamp
 * (1e15 ms or later, year 33658) is written as 0.
 *
 * `storage()` hands the recorder's chunks and cursor to a native engine
 * (modules/signals/native/record-engine.c, through NativeDecoder.record),
 * which records a whole batch of queued frames in one call, exactly as
 * `record` would one by one: the pipeline's path on XS.
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

/** Smallest chunk and file cap. */
const MIN_CHUNK = 64;
/** Longest line: `(` 10 to 13 digits `.` 6 or 7 `) ` name (16) ` ` 8 id `#` 16 data `\n`. */
const LINE_CAPACITY = 72;
/** Timestamps (ms) from here on are written as 0: past 2^53 microseconds formatCandumpLine's digits are no longer exact. */
const MAX_TIMESTAMP = 1e15;
const ERROR_FLAG = 0x20000000;
/** Most chunks (record-engine.h SRE_MAX_CHUNKS). */
const MAX_CHUNKS = 64;

/** The recorder's cursor: indexes into RecorderStorage.cursor (record-engine.h's order). */
const STATE = 0, FRAMES = 1, DROPPED = 2, BYTES = 3, FILES = 4, CURRENT = 5, FILL = 6, HEAD = 7, QUEUED = 8, FILE_BYTES = 9,
	MAX_BYTES = 10, ROTATE = 11, CHUNK_SIZE = 12, CHUNKS = 13, CURSOR = 14;
const STATES: readonly RecorderState[] = ["recording", "full", "closed"];
const RECORDING = 0, FULL = 1, CLOSED = 2;

/**
 * A recorder's storage as a native engine reads and advances it in place
 * (record-engine.c): the chunks, their lengths and end-of-file flags, the
 * interface name, and the cursor, doubles in record-engine.h's order (state,
 * frames, dropped, bytes, files, current, fill, head, queued, fileBytes, then
 * maxBytes, rotate, chunkSize, chunks).
 */
export interface RecorderStorage {
	readonly chunks: readonly Uint8Array[];
	readonly lengths: Uint32Array;
	readonly endsFile: Uint8Array;
	readonly name: Uint8Array;
	readonly cursor: Float64Array;
}

export class CandumpRecorder {
	private sink: RecordSink;
	private readonly openNext: ((part: number) => RecordSink) | null;
	private readonly name: Uint8Array;
	private readonly chunks: Uint8Array[];
	/** Bytes in each queued chunk, and whether it is the last of its file. */
	private readonly lengths: Uint32Array;
	private readonly endsFile: Uint8Array;
	private readonly line = new Uint8Array(LINE_CAPACITY);
	/**
	 * State and counters, the chunk being filled and its fill, the oldest
	 * queued chunk and how many are queued, bytes of the current file (queued
	 * or written), and the settings: one typed array a native engine shares.
	 */
	private readonly cursor = new Float64Array(CURSOR);
	/** Part number the next `openNext` call gets. */
	private nextPart = 1;

	/** @throws RangeError for sizes out of range, or "rotate" without `openNext`. */
	constructor(options: RecorderOptions) {
		const chunkSize = options.chunkSize ?? 4096, chunks = options.chunks ?? 4;
		if (!(Number.isInteger(chunkSize) && chunkSize >= MIN_CHUNK && chunkSize <= 0x7FFFFFFF && Number.isInteger(chunks) && chunks >= 2 && chunks <= MAX_CHUNKS))
			throw new RangeError(`recorder needs chunks of at least ${MIN_CHUNK} bytes and 2 to ${MAX_CHUNKS} of them`);
		if (!(options.maxBytes >= MIN_CHUNK))
			throw new RangeError(`recorder maxBytes must be at least ${MIN_CHUNK}, not ${options.maxBytes}`);
		const rotate = options.onFull === "rotate";
		if (rotate && !options.openNext)
			throw new RangeError("recorder onFull 'rotate' needs openNext");
		const name = options.interfaceName ?? "can0";
		if (!/^[\x21-\x7E]{1,16}$/.test(name))
			throw new RangeError(`recorder interface name must be 1 to 16 printable characters, not '${name}'`);
		this.sink = options.sink;
		const cursor = this.cursor;
		cursor[FILES] = 1;
		cursor[MAX_BYTES] = options.maxBytes;
		cursor[ROTATE] = rotate ? 1 : 0;
		cursor[CHUNK_SIZE] = chunkSize;
		cursor[CHUNKS] = chunks;
		this.openNext = options.openNext ?? null;
		this.name = new Uint8Array(name.length);
		for (let i = 0; i < name.length; i++)
			this.name[i] = name.charCodeAt(i);
		this.chunks = [];
		for (let i = 0; i < chunks; i++)
			this.chunks.push(new Uint8Array(chunkSize));
		this.lengths = new Uint32Array(chunks);
		this.endsFile = new Uint8Array(chunks);
	}

	/** "recording", "full" (the cap was reached with "stop") or "closed". */
	get state(): RecorderState {
		return STATES[this.cursor[STATE]];
	}
	/** Frames recorded (queued or written). */
	get frames(): number {
		return this.cursor[FRAMES];
	}
	/** Frames not recorded: the sink was behind, the cap was reached (stop), or after close. */
	get dropped(): number {
		return this.cursor[DROPPED];
	}
	/** Bytes recorded into all files. */
	get bytes(): number {
		return this.cursor[BYTES];
	}
	/** Files begun, the first included. */
	get files(): number {
		return this.cursor[FILES];
	}

	/** Full chunks waiting for `service()`. */
	get pendingChunks(): number {
		return this.cursor[QUEUED];
	}

	/**
	 * This recorder's storage, for a native engine that records frames in bulk
	 * (see RecorderStorage); the same arrays, so the engine's writes are the
	 * recorder's. Nothing else should touch it.
	 */
	storage(): RecorderStorage {
		return this as unknown as RecorderStorage;
	}

	/**
	 * Queues `frame` as one candump line. Returns false when it was dropped
	 * (see `dropped`). Never calls the sink. No allocation.
	 */
	record(frame: CanFrame): boolean {
		const cursor = this.cursor;
		if (cursor[STATE] !== RECORDING) {
			cursor[DROPPED]++;
			return false;
		}
		const length = this.format(frame);
		const chunks = this.chunks.length, chunkSize = cursor[CHUNK_SIZE];
		if (cursor[FILE_BYTES] + length > cursor[MAX_BYTES]) {
			if (!cursor[ROTATE]) {
				cursor[STATE] = FULL;
				cursor[DROPPED]++;
				return false;
			}
			// Finish this file in its own chunk; needs a free chunk to continue in.
			if (cursor[QUEUED] + 2 > chunks) {
				cursor[DROPPED]++;
				return false;
			}
			this.endsFile[cursor[CURRENT]] = 1;
			this.queueCurrent();
			cursor[FILE_BYTES] = 0;
			cursor[FILES]++;
		}
		const free = (chunks - 1 - cursor[QUEUED]) * chunkSize + (chunkSize - cursor[FILL]);
		if (length > free) {
			cursor[DROPPED]++;
			return false;
		}
		const line = this.line;
		for (let i = 0; i < length;) {
			const chunk = this.chunks[cursor[CURRENT]];
			let fill = cursor[FILL];
			while (i < length && fill < chunkSize)
				chunk[fill++] = line[i++];
			cursor[FILL] = fill;
			if (fill === chunkSize) {
				this.endsFile[cursor[CURRENT]] = 0;
				this.queueCurrent();
			}
		}
		cursor[FILE_BYTES] += length;
		cursor[BYTES] += length;
		cursor[FRAMES]++;
		return true;
	}

	/**
	 * Hands at most `maxChunks` queued chunks to the sink (rotating files where
	 * a chunk ends one). Returns the number written. Call when the display has
	 * time. No allocation except for a file's last, partial chunk.
	 */
	service(maxChunks = 1): number {
		const cursor = this.cursor, chunkSize = cursor[CHUNK_SIZE];
		let written = 0;
		while (written < maxChunks && cursor[QUEUED] > 0) {
			const slot = cursor[HEAD];
			const length = this.lengths[slot];
			if (length === chunkSize)
				this.sink.write(this.chunks[slot]);
			else if (length > 0)
				this.sink.write(this.chunks[slot].subarray(0, length));
			if (this.endsFile[slot]) {
				this.sink.close?.();
				this.sink = this.openNext!(this.nextPart++);
			}
			cursor[HEAD] = (slot + 1) % this.chunks.length;
			cursor[QUEUED]--;
			written++;
		}
		return written;
	}

	/** Writes everything recorded so far, the partial chunk too (one subarray). For a clean stop or before reading the file. */
	flush(): void {
		this.service(this.chunks.length);
		const cursor = this.cursor, fill = cursor[FILL];
		if (fill > 0) {
			this.sink.write(this.chunks[cursor[CURRENT]].subarray(0, fill));
			cursor[FILL] = 0;
		}
	}

	/** Flushes and closes the sink; later frames are dropped. */
	close(): void {
		if (this.cursor[STATE] === CLOSED)
			return;
		this.flush();
		this.sink.close?.();
		this.cursor[STATE] = CLOSED;
	}

	/** Moves the chunk being filled to the queue and starts the next one. */
	private queueCurrent(): void {
		const cursor = this.cursor, current = cursor[CURRENT];
		this.lengths[current] = cursor[FILL];
		cursor[QUEUED]++;
		cursor[CURRENT] = (current + 1) % this.chunks.length;
		cursor[FILL] = 0;
	}

	/** Writes the candump line for `frame` into `line`; returns its length. No allocation. */
	private format(frame: CanFrame): number {
		const line = this.line;
		let at = 0;
		line[at++] = 0x28; // (
		let timestamp = frame.timestamp;
		if (!(timestamp >= 0 && timestamp < MAX_TIMESTAMP))
			timestamp = 0; // a candump time cannot be negative or NaN
		// formatCandumpLine's arithmetic, so the digits are its digits.
		const total = Math.round(timestamp * 1000);
		const seconds = Math.floor(total / 1e6);
		const micro = total - seconds * 1e6;
		let digits = 10;
		for (let s = seconds; s >= 1e10; s = Math.floor(s / 10))
			digits++;
		at = writeDecimal(line, at, seconds, digits);
		line[at++] = 0x2E; // .
		if (micro >= 0) {
			digits = 6;
			for (let m = micro; m >= 1e6; m = Math.floor(m / 10))
				digits++;
			at = writeDecimal(line, at, micro, digits);
		}
		else {
			// Past 2^53 microseconds: String(micro).padStart(6, "0") puts the zeros before the sign.
			digits = 1;
			for (let m = -micro; m >= 10; m = Math.floor(m / 10))
				digits++;
			for (let pad = digits + 1; pad < 6; pad++)
				line[at++] = 0x30;
			line[at++] = 0x2D; // -
			at = writeDecimal(line, at, -micro, digits);
		}
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
