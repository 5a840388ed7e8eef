/*
 * NativeDecoder: the Decoder's public API (modules/signals/decoder.ts) run by
 * the C decode engine (modules/signals/native/decode-engine.c), plus
 * `pump(ring)`, which drains a FrameRing in one XS→C call, and
 * `pushRecords(ring, records, count, now)`, which queues a driver's batch of
 * TWAI records in one more, and `record(ring, recorder)`, which writes the
 * queued frames' candump lines into a CandumpRecorder's chunks in one more
 * (modules/signals/native/record-engine.c). `pump` takes a tap's id filter
 * and stops before the first frame it matches, so a pipeline with an OBD-II
 * tap still drains the ring in C.
 *
 * Runs on XS only, where the host manifest links the engine
 * (modules/signals/native/manifest.json): the simulator and the ESP32. Node
 * and vitest keep the TypeScript Decoder, the reference both are tested
 * against (test/native-engine.test.ts). Allocates in the constructor (the
 * store unless given, `present`, the counters, the engine's id and signal
 * tables: about 4 KiB + 12 bytes per message + 8 per signal); decode,
 * decodeMessage and pump allocate nothing.
 *
 * Cost on XS: every call passes the plan, the tables and the store arrays
 * (the engine takes their data pointers afresh each call, as XS may move
 * ArrayBuffer data between calls), so one call costs about as much as a
 * dozen property reads. Per frame through `decode(frame)` that is still well
 * under the TypeScript decoder's cost; through `pump(ring)` it is paid once
 * per display tick for every frame queued.
 */
import type { CanFrame } from "../can/frame.js";
import type { CandumpRecorder } from "../can/recorder.js";
import type { FrameRing, FrameRingStorage } from "../can/ring.js";
import type { DecodePlan } from "./plan.js";
import { SignalStore } from "./store.js";

/** The engine's entry points (modules/signals/native/decode-engine-xs.c). */
interface EngineFunctions {
	tableBytes(plan: ArrayBufferLike): number;
	build(plan: ArrayBufferLike, tables: ArrayBuffer): number;
	decode(...args: unknown[]): number;
	decodeMessage(...args: unknown[]): void;
	pump(...args: unknown[]): number;
	push(...args: unknown[]): number;
	record(...args: unknown[]): number;
}

/**
 * The entry points: XS's compile-time binding to the C functions
 * (`native("...")` with a literal name), or, in a host that links the engine
 * without xsc (the bench's xsnap worker, bench/native/xsnap-engine.c), the
 * same functions it installs as `globalThis.sdeEngine`. Resolved per decoder,
 * not at module load, so that merely importing this module never throws.
 * Allocates the seven host functions.
 */
function bindEngine(): EngineFunctions {
	const hosted = (globalThis as { sdeEngine?: EngineFunctions }).sdeEngine;
	if (hosted)
		return hosted;
	return {
		tableBytes: native("xs_sde_table_bytes"),
		build: native("xs_sde_build"),
		decode: native("xs_sde_decode"),
		decodeMessage: native("xs_sde_decode_message"),
		pump: native("xs_sde_pump"),
		push: native("xs_sde_ring_push"),
		record: native("xs_sde_record"),
	};
}

/** Counter slots, as decode-engine.h orders them. */
const DECODED = 0, UNKNOWN = 1, IGNORED = 2, SHORT = 3, BITS = 4;

/** The engine's refusals (decode-engine.h). */
const ENGINE_ERRORS: Record<number, string> = {
	[-1]: "bad header or misaligned plan",
	[-2]: "section outside the plan",
	[-3]: "message signals outside the plan",
	[-4]: "signal outside 8 bytes or bad multiplexer",
	[-5]: "tables too small",
};

export class NativeDecoder {
	readonly plan: DecodePlan;
	readonly store: SignalStore;
	/** Per signal: 1 when the last frame of its message carried it (Decoder.present). */
	readonly present: Uint8Array;

	private readonly engine = bindEngine();
	/** decoded, unknown, ignored, short, bits: written by the engine. */
	private readonly counters = new Float64Array(5);
	/** The plan's blob (an ArrayBuffer, or a Resource read in place) and the engine's tables built from it. */
	private readonly blob: ArrayBufferLike;
	private readonly tables: ArrayBuffer;
	// The store's buffers, fetched once.
	private readonly words: ArrayBufferLike;
	private readonly updatedAt: ArrayBufferLike;
	private readonly updates: ArrayBufferLike;
	private readonly countersBuffer: ArrayBufferLike;
	// The last ring pumped, and its buffers.
	private ring: FrameRingStorage | null = null;
	private ringIds: ArrayBufferLike | null = null;
	private ringWords: ArrayBufferLike | null = null;
	private ringTimestamps: ArrayBufferLike | null = null;
	private ringMask = 0;

	/**
	 * @throws RangeError when `store` does not fit the plan (SignalStore.fits) or is made of views
	 * into larger buffers; Error when the engine refuses the plan.
	 */
	constructor(plan: DecodePlan, store?: SignalStore) {
		this.plan = plan;
		if (store) {
			if (!store.fits(plan))
				throw new RangeError(`signal store does not fit the plan (${store.size} signals, plan has ${plan.signalCount}; make it with SignalStore.forPlan)`);
			if (store.words.byteOffset || store.updatedAt.byteOffset || store.updates.byteOffset)
				throw new RangeError("native decoder: the store's arrays must start their buffers");
			this.store = store;
		}
		else
			this.store = SignalStore.forPlan(plan);
		this.present = new Uint8Array(plan.signalCount);

		let blob: ArrayBufferLike = plan.messages.buffer;
		let bytes = this.engine.tableBytes(blob);
		if (bytes === -1) {
			// The plan already passed DecodePlan's checks, so the engine refused its address: copy it to an aligned buffer.
			const copy = new Uint8Array(blob.byteLength);
			copy.set(new Uint8Array(blob));
			blob = copy.buffer;
			bytes = this.engine.tableBytes(blob);
		}
		if (bytes < 0)
			throw new Error(`native decoder: plan refused (${ENGINE_ERRORS[bytes] ?? bytes})`);
		this.blob = blob;
		this.tables = new ArrayBuffer(bytes);
		const error = this.engine.build(blob, this.tables);
		if (error)
			throw new Error(`native decoder: plan refused (${ENGINE_ERRORS[error] ?? error})`);
		const s = this.store;
		this.words = s.words.buffer;
		this.updatedAt = s.updatedAt.buffer;
		this.updates = s.updates.buffer;
		this.countersBuffer = this.counters.buffer;
	}

	/** Frames whose message was decoded. */
	get decoded(): number {
		return this.counters[DECODED];
	}
	/** Frames with an id the plan does not know. */
	get unknown(): number {
		return this.counters[UNKNOWN];
	}
	/** Remote and error frames, which carry no signals. */
	get ignored(): number {
		return this.counters[IGNORED];
	}
	/** Frames shorter than some of their message's signals. */
	get short(): number {
		return this.counters[SHORT];
	}

	/**
	 * Bus bits of the frames `pump` popped, as Pipeline.bits counts them
	 * (frameBits in modules/can/frame.ts), so a bus-load estimate needs
	 * no per-frame work in XS. Not counted by decode or decodeMessage.
	 */
	get bits(): number {
		return this.counters[BITS];
	}

	/** Decoder.decode: the message index, or -1 for an unknown id, remote or error frame. No allocation. */
	decode(frame: CanFrame): number {
		return this.engine.decode(this.blob, this.tables, this.words, this.updatedAt, this.updates, this.present, this.countersBuffer,
			frame.id, frame.flags, frame.dlc, frame.data, frame.timestamp);
	}

	/** Decoder.decodeMessage: decodes `data` (8 bytes) as message `message`. No allocation. */
	decodeMessage(message: number, data: Uint8Array, dlc: number, now: number): void {
		this.engine.decodeMessage(this.blob, this.tables, this.words, this.updatedAt, this.updates, this.present, this.countersBuffer,
			message, data, dlc, now);
	}

	/**
	 * Queues `count` TWAI frame records (16 bytes each, modules/can/twai.ts's
	 * layout, as a driver's read fills `records`) into `ring`, all stamped
	 * `now`, in one call into C: what twai-source.ts's drain does record by
	 * record with FrameRing.pushFields, drop-oldest policy and counters
	 * included. Returns the frames dropped. No allocation.
	 * @throws RangeError when `records` holds fewer than `count` records.
	 */
	pushRecords(ring: FrameRing, records: Uint8Array, count: number, now: number): number {
		const r = ring.storage();
		if (r !== this.ring)
			this.bindRing(r);
		const head = r.head, queued = r.count;
		const dropped: number = this.engine.push(this.ringIds, r.flags, r.dlcs, this.ringWords, this.ringTimestamps, head, queued, records, count, now);
		r.head = (head + dropped) & this.ringMask;
		r.count = queued + count - dropped;
		r.pushed += count;
		r.dropped += dropped;
		return dropped;
	}

	/**
	 * Pops up to `max` queued frames off `ring` and decodes them, in one call
	 * into C: Pipeline.pump's loop. With `filter` (a tap's ids from
	 * pipeline.ts tapIds, a whole buffer of value, mask pairs), stops before the first frame it matches and leaves
	 * it queued. Returns how many were decoded. No allocation.
	 * Reads and advances the ring's storage in place (FrameRingStorage).
	 */
	pump(ring: FrameRing, max = 0x7FFFFFFF, filter: Uint32Array | null = null): number {
		const r = ring.storage();
		if (r !== this.ring)
			this.bindRing(r);
		const head = r.head, count = r.count;
		if (count === 0 || max <= 0)
			return 0;
		const done: number = this.engine.pump(this.blob, this.tables, this.words, this.updatedAt, this.updates, this.present, this.countersBuffer,
			this.ringIds, r.flags, r.dlcs, this.ringWords, this.ringTimestamps, head, count, max, filter === null ? null : filter.buffer);
		r.head = (head + done) & this.ringMask;
		r.count = count - done;
		return done;
	}

	/**
	 * Records the first `max` frames queued in `ring` into `recorder`, in one
	 * call into C: what `recorder.record(frame)` does frame by frame (same
	 * lines, cap, rotation and drops), leaving the ring as it is, so a pump
	 * that follows still decodes them. Returns how many frames it looked at.
	 * No allocation.
	 */
	record(ring: FrameRing, recorder: CandumpRecorder, max = 0x7FFFFFFF): number {
		const r = ring.storage();
		if (r !== this.ring)
			this.bindRing(r);
		const count = r.count;
		if (count === 0 || max <= 0)
			return 0;
		const s = recorder.storage();
		return this.engine.record(this.ringIds, r.flags, r.dlcs, this.ringWords, this.ringTimestamps, r.head, count, max,
			s.chunks, s.lengths.buffer, s.endsFile, s.name, s.cursor.buffer);
	}

	/** Remembers `r` and its buffers as the ring pumped and filled. */
	private bindRing(r: FrameRingStorage): void {
		this.ring = r;
		this.ringIds = r.ids.buffer;
		this.ringWords = r.words.buffer;
		this.ringTimestamps = r.timestamps.buffer;
		this.ringMask = r.capacity - 1;
	}

	/** Zeroes the counters. */
	resetCounters(): void {
		this.counters.fill(0);
	}
}
