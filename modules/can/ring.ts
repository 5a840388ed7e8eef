/*
 * FrameRing: a fixed-capacity queue of CAN frames between the bus clock and the
 * decoder.
 *
 * All storage is preallocated in typed arrays at construction; push and pop copy
 * into and out of caller storage and never allocate. Runs on XS and Node.
 *
 * Built for the XS interpreter, where each typed-array element access costs
 * 350 to 450 x86 instructions and each method call about 650 (`npm run bench`):
 * a slot's 8 payload bytes are kept as two little-endian 32-bit words, so a
 * frame costs 2 word accesses and 8 byte accesses each way instead of 16,
 * the copies are unrolled, and the slot claim is inlined.
 *
 * Overflow policy, "drop oldest": when the ring is full, a push discards the
 * oldest queued frame to make room and counts it in `dropped`. A cluster shows
 * the present, so when the decoder falls behind, the newest frames are the ones
 * worth keeping. A queued frame is never overwritten in part: the slot that is
 * reused is the one just removed from the queue.
 */
import { CanFrame, MAX_DLC } from "./frame.js";

/**
 * A ring's storage as a native engine reads and advances it in place
 * (modules/signals/native-decoder.ts pumps frames out of it and queues driver
 * records into it in one call each): FrameRing's own private fields, named
 * here beside them so the two cannot drift apart unnoticed
 * (test/native-engine.test.ts drains a real ring through it). The engine
 * keeps the ring's rules: drop-oldest, and `pushed`/`dropped` counted.
 */
export interface FrameRingStorage {
	head: number;
	count: number;
	pushed: number;
	dropped: number;
	readonly capacity: number;
	readonly ids: Uint32Array;
	readonly flags: Uint8Array;
	readonly dlcs: Uint8Array;
	readonly words: Uint32Array;
	readonly timestamps: Float64Array;
}

export class FrameRing {
	readonly capacity: number;
	/** Frames discarded by the overflow policy since construction or `reset()`. */
	dropped = 0;
	/** Frames accepted by `push` since construction or `reset()`. */
	pushed = 0;

	private readonly mask: number;
	private readonly ids: Uint32Array;
	private readonly flags: Uint8Array;
	private readonly dlcs: Uint8Array;
	/** Payload, two words per slot: bytes 0-3 and 4-7, little-endian. */
	private readonly words: Uint32Array;
	private readonly timestamps: Float64Array;
	/** Index of the oldest frame. */
	private head = 0;
	private count = 0;

	/** @param capacity number of frame slots, a power of two (2..65536). */
	constructor(capacity: number) {
		// Number.isInteger: for a fraction the bit test passes (4.5 & 3.5 === 0) and the ring would hand out stale slots.
		if (!(Number.isInteger(capacity) && capacity >= 2 && capacity <= 65536 && (capacity & (capacity - 1)) === 0))
			throw new RangeError(`FrameRing capacity must be a power of two from 2 to 65536, not ${capacity}`);
		this.capacity = capacity;
		this.mask = capacity - 1;
		this.ids = new Uint32Array(capacity);
		this.flags = new Uint8Array(capacity);
		this.dlcs = new Uint8Array(capacity);
		this.words = new Uint32Array(capacity * 2);
		this.timestamps = new Float64Array(capacity);
	}

	/**
	 * This ring's storage, for an engine that moves frames in bulk (see
	 * FrameRingStorage); the same object, so the engine's writes are the
	 * ring's. Nothing else should touch it.
	 */
	storage(): FrameRingStorage {
		return this as unknown as FrameRingStorage;
	}

	/** Frames waiting to be popped. */
	get length(): number {
		return this.count;
	}

	/** Copies `frame` in. Never blocks; when full, drops the oldest frame. No allocation. */
	push(frame: CanFrame): void {
		this.pushed++;
		if (this.count === this.capacity) {
			this.head = (this.head + 1) & this.mask;
			this.count--;
			this.dropped++;
		}
		const slot = (this.head + this.count++) & this.mask;
		const data = frame.data, words = this.words;
		words[slot << 1] = data[0] | (data[1] << 8) | (data[2] << 16) | (data[3] << 24);
		words[(slot << 1) + 1] = data[4] | (data[5] << 8) | (data[6] << 16) | (data[7] << 24);
		this.ids[slot] = frame.id;
		this.flags[slot] = frame.flags;
		this.dlcs[slot] = frame.dlc;
		this.timestamps[slot] = frame.timestamp;
	}

	/**
	 * Writes a frame straight from a byte source (a parser's scratch, a driver's
	 * buffer): `length` bytes at `bytes[offset]` (8 at most are kept), the rest
	 * of the slot zeroed. No allocation.
	 */
	pushFields(id: number, flags: number, dlc: number, bytes: Uint8Array, offset: number, length: number, timestamp: number): void {
		this.pushed++;
		if (this.count === this.capacity) {
			this.head = (this.head + 1) & this.mask;
			this.count--;
			this.dropped++;
		}
		const slot = (this.head + this.count++) & this.mask;
		let lo: number, hi: number;
		if (length >= MAX_DLC) {
			lo = bytes[offset] | (bytes[offset + 1] << 8) | (bytes[offset + 2] << 16) | (bytes[offset + 3] << 24);
			hi = bytes[offset + 4] | (bytes[offset + 5] << 8) | (bytes[offset + 6] << 16) | (bytes[offset + 7] << 24);
		}
		else {
			// Bytes past the source's end read as undefined, which the shifts turn into 0, as the typed array would.
			lo = 0;
			hi = 0;
			for (let i = length - 1; i >= 4; i--)
				hi = (hi << 8) | bytes[offset + i];
			for (let i = (length < 4 ? length : 4) - 1; i >= 0; i--)
				lo = (lo << 8) | bytes[offset + i];
		}
		const words = this.words;
		words[slot << 1] = lo;
		words[(slot << 1) + 1] = hi;
		this.ids[slot] = id;
		this.flags[slot] = flags;
		this.dlcs[slot] = dlc;
		this.timestamps[slot] = timestamp;
	}

	/** Copies the oldest frame into `frame` and removes it. Returns false when empty. No allocation. */
	pop(frame: CanFrame): boolean {
		if (this.count === 0)
			return false;
		const slot = this.head;
		const data = frame.data, words = this.words;
		// Uint8Array stores keep the low 8 bits, so no masking.
		const lo = words[slot << 1], hi = words[(slot << 1) + 1];
		data[0] = lo;
		data[1] = lo >> 8;
		data[2] = lo >> 16;
		data[3] = lo >>> 24;
		data[4] = hi;
		data[5] = hi >> 8;
		data[6] = hi >> 16;
		data[7] = hi >>> 24;
		frame.id = this.ids[slot];
		frame.flags = this.flags[slot];
		frame.dlc = this.dlcs[slot];
		frame.timestamp = this.timestamps[slot];
		this.head = (slot + 1) & this.mask;
		this.count--;
		return true;
	}

	/** Empties the ring and zeroes its counters, keeping its storage. */
	reset(): void {
		this.head = 0;
		this.count = 0;
		this.dropped = 0;
		this.pushed = 0;
	}
}
