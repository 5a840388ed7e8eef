/*
 * FrameRing: a fixed-capacity queue of CAN frames between the bus clock and the
 * decoder.
 *
 * All storage is preallocated in typed arrays at construction; push and pop copy
 * into and out of caller storage and never allocate. Runs on XS and Node.
 *
 * Overflow policy, "drop oldest": when the ring is full, a push discards the
 * oldest queued frame to make room and counts it in `dropped`. A cluster shows
 * the present, so when the decoder falls behind, the newest frames are the ones
 * worth keeping. A queued frame is never overwritten in part: the slot that is
 * reused is the one just removed from the queue.
 */
import { CanFrame, MAX_DLC } from "./frame.js";

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
	private readonly payload: Uint8Array;
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
		this.payload = new Uint8Array(capacity * MAX_DLC);
		this.timestamps = new Float64Array(capacity);
	}

	/** Frames waiting to be popped. */
	get length(): number {
		return this.count;
	}

	/** Copies `frame` in. Never blocks; when full, drops the oldest frame. No allocation. */
	push(frame: CanFrame): void {
		const slot = this.claim();
		const base = slot * MAX_DLC;
		const data = frame.data, payload = this.payload;
		this.ids[slot] = frame.id;
		this.flags[slot] = frame.flags;
		this.dlcs[slot] = frame.dlc;
		for (let i = 0; i < MAX_DLC; i++)
			payload[base + i] = data[i];
		this.timestamps[slot] = frame.timestamp;
	}

	/**
	 * Writes a frame straight from a byte source (a parser's scratch, a driver's
	 * buffer): `length` bytes at `bytes[offset]`, the rest of the slot zeroed.
	 * No allocation.
	 */
	pushFields(id: number, flags: number, dlc: number, bytes: Uint8Array, offset: number, length: number, timestamp: number): void {
		const slot = this.claim();
		const base = slot * MAX_DLC;
		const payload = this.payload;
		this.ids[slot] = id;
		this.flags[slot] = flags;
		this.dlcs[slot] = dlc;
		for (let i = 0; i < MAX_DLC; i++)
			payload[base + i] = i < length ? bytes[offset + i] : 0;
		this.timestamps[slot] = timestamp;
	}

	/** Copies the oldest frame into `frame` and removes it. Returns false when empty. No allocation. */
	pop(frame: CanFrame): boolean {
		if (this.count === 0)
			return false;
		const slot = this.head;
		const base = slot * MAX_DLC;
		const data = frame.data, payload = this.payload;
		frame.id = this.ids[slot];
		frame.flags = this.flags[slot];
		frame.dlc = this.dlcs[slot];
		for (let i = 0; i < MAX_DLC; i++)
			data[i] = payload[base + i];
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

	/** Returns the slot for the next frame, dropping the oldest when full. */
	private claim(): number {
		this.pushed++;
		if (this.count === this.capacity) {
			this.head = (this.head + 1) & this.mask;
			this.count--;
			this.dropped++;
		}
		const slot = (this.head + this.count) & this.mask;
		this.count++;
		return slot;
	}
}
