/*
 * NativeSlcanParser: SlcanParser (./slcan.ts) run by the C parser
 * (modules/signals/native/slcan-engine.c), which reads a chunk of SLCAN
 * bytes and queues its frames straight into the FrameRing's storage in one
 * XS→C call: on XS each byte parsed in TypeScript costs about 1,000 x86
 * instructions, in C a few. Same frames (id, flags, DLC, data, timestamp),
 * same counters, same ring policy (drop-oldest, `pushed` and `dropped`);
 * every line is handled in C (test/native-slcan.test.ts and
 * test/native-slcan-xs.test.ts hold the two together).
 *
 * One difference by design: the clock is read once per `feed` (a chunk is
 * read at one moment), where SlcanParser reads it once per frame.
 *
 * `slcanParser(ring, options)` picks it where the engine is linked (the
 * simulator and ESP32 builds, modules/signals/native/manifest.json; the
 * bench's xsnap worker) and SlcanParser elsewhere (Node, vitest, a stock
 * XS): the TypeScript parser stays the reference and the fallback.
 *
 * Runs on XS (and in Node only as the fallback). Allocates in the
 * constructor (the state and line buffer, about 170 bytes); feed, finish and
 * reset allocate nothing.
 */
import type { FrameRing, FrameRingStorage } from "./ring.js";
import { SLCAN_MAX_FRAME_LENGTH, SlcanParser, type SlcanParserOptions } from "./slcan.js";

/** What a byte-stream SLCAN source needs of its parser: SlcanParser's, and NativeSlcanParser's. */
export interface SlcanStreamParser {
	readonly ring: FrameRing;
	readonly frames: number;
	readonly lines: number;
	readonly ignored: number;
	readonly unsupported: number;
	readonly malformed: number;
	readonly overlong: number;
	readonly adapterErrors: number;
	feed(bytes: Uint8Array, offset?: number, length?: number): number;
	finish(): number;
	reset(): void;
}

/** xs_sls_feed (modules/signals/native/decode-engine-xs.c). */
type SlcanFeed = (...args: unknown[]) => number;

/** State slots, as slcan-engine.h orders them. */
const FRAMES = 0, LINES = 1, IGNORED = 2, UNSUPPORTED = 3, MALFORMED = 4, OVERLONG = 5, ADAPTER_ERRORS = 6, HAS_CLOCK = 7, DROPPED = 14, STATE = 16;

/**
 * The C entry point: the bench worker's `globalThis.sdeEngine.slcanFeed`, or
 * XS's compile-time `native()` binding; null where neither exists (`native`
 * is not defined in Node or in a stock XS). Allocates the host function.
 */
function bindSlcanFeed(): SlcanFeed | null {
	const hosted = (globalThis as { sdeEngine?: { slcanFeed?: SlcanFeed } }).sdeEngine;
	if (hosted)
		return hosted.slcanFeed ?? null;
	try {
		return native("xs_sls_feed");
	}
	catch {
		return null;
	}
}

let bound: SlcanFeed | null | undefined;

/** True when the C parser is linked into this build. */
export function hasNativeSlcan(): boolean {
	if (bound === undefined)
		bound = bindSlcanFeed();
	return bound !== null;
}

/**
 * The SLCAN parser for `ring`: NativeSlcanParser where the C parser is
 * linked, else SlcanParser. Fits SlcanSerialOptions.parser. Allocates.
 */
export function slcanParser(ring: FrameRing, options: SlcanParserOptions = {}): SlcanStreamParser {
	return hasNativeSlcan() ? new NativeSlcanParser(ring, options) : new SlcanParser(ring, options);
}

export class NativeSlcanParser implements SlcanStreamParser {
	readonly ring: FrameRing;
	private readonly engine: SlcanFeed;
	private readonly clock: (() => number) | null;
	/** Counters, timestamp history, partial line (slcan-engine.h), then the line buffer: one buffer, one argument. */
	private readonly buffer: ArrayBuffer;
	private readonly state: Float64Array;
	// The ring's storage and buffers, fetched once.
	private readonly storage: FrameRingStorage;
	private readonly ids: ArrayBufferLike;
	private readonly words: ArrayBufferLike;
	private readonly timestamps: ArrayBufferLike;
	private readonly mask: number;

	/**
	 * Options as SlcanParser's.
	 * @throws RangeError when `maxLineLength` is below `SLCAN_MAX_FRAME_LENGTH` or above 65536; Error when the C parser is not linked.
	 */
	constructor(ring: FrameRing, options: SlcanParserOptions = {}) {
		const maxLineLength = options.maxLineLength ?? 40;
		if (!(Number.isInteger(maxLineLength) && maxLineLength >= SLCAN_MAX_FRAME_LENGTH && maxLineLength <= 65536))
			throw new RangeError(`SLCAN maxLineLength must be at least ${SLCAN_MAX_FRAME_LENGTH}, not ${maxLineLength}`);
		if (!hasNativeSlcan())
			throw new Error("native SLCAN parser not linked (modules/signals/native)");
		this.engine = bound!;
		this.ring = ring;
		this.clock = options.clock ?? null;
		this.buffer = new ArrayBuffer(STATE * 8 + maxLineLength);
		this.state = new Float64Array(this.buffer, 0, STATE);
		this.state[HAS_CLOCK] = this.clock ? 1 : 0;
		const r = ring.storage();
		this.storage = r;
		this.ids = r.ids.buffer;
		this.words = r.words.buffer;
		this.timestamps = r.timestamps.buffer;
		this.mask = r.capacity - 1;
	}

	/** Frames pushed into the ring. */
	get frames(): number {
		return this.state[FRAMES];
	}
	/** Lines ended (including empty ones), plus commands cut short by a BEL. */
	get lines(): number {
		return this.state[LINES];
	}
	/** Adapter replies and empty lines: not frames, not errors. */
	get ignored(): number {
		return this.state[IGNORED];
	}
	/** CAN FD frame commands, skipped. */
	get unsupported(): number {
		return this.state[UNSUPPORTED];
	}
	/** Lines that are neither a valid frame nor a known reply. */
	get malformed(): number {
		return this.state[MALFORMED];
	}
	/** Lines longer than the line buffer, dropped whole. */
	get overlong(): number {
		return this.state[OVERLONG];
	}
	/** BEL bytes: the adapter reporting that a command failed. */
	get adapterErrors(): number {
		return this.state[ADAPTER_ERRORS];
	}

	/**
	 * SlcanParser.feed in one call into C: parses `length` bytes at
	 * `bytes[offset]`, continuing any line left partial, and returns the
	 * number of frames pushed into the ring. No allocation.
	 * @throws RangeError when the range lies outside `bytes` (a caller bug).
	 */
	feed(bytes: Uint8Array, offset = 0, length = bytes.length - offset): number {
		return this.call(bytes, offset, length);
	}

	/** SlcanParser.finish: a pending line without its terminator is parsed as if it had come. Returns the frames pushed. No allocation. */
	finish(): number {
		return this.call(null, 0, 0);
	}

	/** Zeroes the counters and forgets any partial line and the timestamp history. The ring is left alone. */
	reset(): void {
		const state = this.state, hasClock = state[HAS_CLOCK];
		state.fill(0);
		state[HAS_CLOCK] = hasClock;
	}

	private call(bytes: Uint8Array | null, offset: number, length: number): number {
		const r = this.storage, head = r.head, count = r.count;
		const frames = this.engine(this.buffer, this.ids, r.flags, r.dlcs, this.words, this.timestamps, head, count, bytes, offset, length,
			this.clock ? this.clock() : 0);
		if (frames > 0) {
			const dropped = this.state[DROPPED];
			r.head = (head + dropped) & this.mask;
			r.count = count + frames - dropped;
			r.pushed += frames;
			r.dropped += dropped;
		}
		return frames;
	}
}
