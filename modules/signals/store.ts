/*
 * SignalStore: the latest raw value of every signal, when it arrived and how
 * long it stays valid. Physical values are computed when they are read.
 *
 * Decoders write raw bits only, never a floating-point value: the ESP32-C3
 * and C6 have no FPU and the ESP32 and S3 a single-precision one, so every
 * double multiply or add there is a software routine, and scaling every
 * signal of every frame (9,000 frames a second on a saturated bus) would
 * cost more than decoding them. The display reads a few dozen values 30 times
 * a second; `value` converts those, at that rate.
 *
 * Each signal owns 8 bytes, two little-endian 32-bit words, read according to
 * its `RawKind`:
 *   uint32, int32  word 0: the value, sign-extended to 32 bits when signed
 *   float32        word 0: the IEEE single's bits
 *   uint64, int64  words 0 and 1: low and high halves, sign-extended to 64 bits
 *   float64        words 0 and 1: the IEEE double's bits (also where `set` puts a plain number)
 * Word 1 of a 32-bit kind is never written. The TypeScript Decoder and the C
 * engine (modules/signals/native/decode-engine.c) write these words bit for
 * bit alike; this file is the one place that turns them into numbers.
 *
 * Indexed by the small integer signal ids of a DecodePlan; storage is typed
 * arrays allocated once. The store never guesses: a signal that has not been
 * updated within its timeout is missing, and readers get NaN for it, so a
 * gauge can show `--` instead of a frozen value; so does a value that is not
 * a finite number, which is counted (`nonFinite`). Runs on XS and Node.
 * Little-endian hosts only (the ESP32 family, x86, ARM), as the plan is.
 */
import { type DecodePlan, SCALING_WORDS, SIGNAL_WORDS, SignalField, SignalFlag, Scaling } from "./plan.js";

/** How a signal's 8 bytes hold its raw value (see the header). */
export const RawKind = Object.freeze({
	uint32: 0,
	int32: 1,
	float32: 2,
	uint64: 3,
	int64: 4,
	float64: 5,
});
/** Flag beside the kind: the physical value is raw * factor + offset (else the raw value itself). */
export const RAW_SCALED = 8;
const KIND_MASK = 7;
const TWO_POW_32 = 4294967296;

/**
 * The raw kind of a signal with plan flags `flags` and `length` bits, as both
 * decoders store it. No allocation.
 */
export function rawKind(flags: number, length: number): number {
	if (length <= 32)
		return flags & SignalFlag.float32 ? RawKind.float32 : flags & SignalFlag.signed ? RawKind.int32 : RawKind.uint32;
	return flags & SignalFlag.float64 ? RawKind.float64 : flags & SignalFlag.signed ? RawKind.int64 : RawKind.uint64;
}

export class SignalStore {
	readonly size: number;
	/** Two words per signal: its raw bits (see the header). Decoders write here. */
	readonly words: Uint32Array;
	/** Time of the latest update in ms, NaN when never updated. */
	readonly updatedAt: Float64Array;
	/** How long after an update the value stays valid, ms. */
	readonly timeouts: Float64Array;
	/** Updates since construction or `reset()`; wraps at 2^32. */
	readonly updates: Uint32Array;
	/** Per signal: its `RawKind`, with `RAW_SCALED` when factor and offset apply. */
	readonly kinds: Uint8Array;
	/**
	 * Reads (`read`) of a fresh value that was not a finite number, shown as
	 * missing instead: a float signal carrying Infinity or NaN, or a scaling
	 * that overflows (the DBC parser warns about those). Counted where the
	 * value is computed, at the rate the display reads it, because the
	 * decoders store raw bits and never compute it (see the header): checking
	 * every decoded frame would cost the hot path a multiply-add per signal.
	 * So a value that stays non-finite counts once per read, as long as it is
	 * read, and a diagnostics page can show it rising. Wraps at 2^32.
	 */
	nonFinite = 0;

	// The same 8 bytes per signal, seen as each kind needs them.
	private readonly ints: Int32Array;
	private readonly singles: Float32Array;
	private readonly doubles: Float64Array;
	/** Factor and offset of signal s at s * SCALING_WORDS (the plan's scaling, read in place), or null. */
	private readonly scaling: Float64Array | null;

	/**
	 * Allocates the arrays. Without `kinds` every signal holds a plain number
	 * (`set`), as the OBD-II poller's store does; with them, `scaling` gives
	 * the factor and offset of the scaled ones.
	 */
	constructor(size: number, timeoutMs: ArrayLike<number> | number, kinds?: Uint8Array, scaling?: Float64Array) {
		this.size = size;
		const buffer = new ArrayBuffer(size * 8);
		this.words = new Uint32Array(buffer);
		this.ints = new Int32Array(buffer);
		this.singles = new Float32Array(buffer);
		this.doubles = new Float64Array(buffer);
		this.updatedAt = new Float64Array(size).fill(NaN);
		this.timeouts = new Float64Array(size);
		this.updates = new Uint32Array(size);
		this.kinds = kinds ?? new Uint8Array(size).fill(RawKind.float64);
		this.scaling = scaling ?? null;
		if (this.kinds.length < size || (!this.scaling && this.kinds.some(kind => (kind & RAW_SCALED) !== 0)))
			throw new RangeError("signal store: a kind for every signal, and scaling for the scaled ones");
		if (typeof timeoutMs === "number")
			this.timeouts.fill(timeoutMs);
		else
			this.timeouts.set(timeoutMs);
	}

	/** A store for every signal of `plan`, each valid for its message's timeout. Allocates. */
	static forPlan(plan: DecodePlan): SignalStore {
		const count = plan.signalCount, signals = plan.signals, scaling = plan.scaling;
		const timeouts = new Float64Array(count);
		const kinds = new Uint8Array(count);
		for (let s = 0; s < count; s++) {
			timeouts[s] = plan.messageTimeout(plan.signalMessage(s));
			const flags = signals[s * SIGNAL_WORDS + SignalField.flags];
			const kind = rawKind(flags, signals[s * SIGNAL_WORDS + SignalField.length]);
			const factor = scaling[s * SCALING_WORDS + Scaling.factor], offset = scaling[s * SCALING_WORDS + Scaling.offset];
			// Floats keep the multiply-add even at 1 and 0, so -0 and NaN payloads come out as they always did.
			const float = kind === RawKind.float32 || kind === RawKind.float64;
			kinds[s] = kind | (float || factor !== 1 || offset !== 0 ? RAW_SCALED : 0);
		}
		return new SignalStore(count, timeouts, kinds, scaling);
	}

	/**
	 * True when this store can hold every signal of `plan`: as many signals,
	 * each with the raw kind a decoder writes for it (a store made by
	 * `forPlan`, or one of the same layout). No allocation.
	 */
	fits(plan: DecodePlan): boolean {
		if (this.size < plan.signalCount)
			return false;
		const signals = plan.signals;
		for (let s = 0; s < plan.signalCount; s++)
			if ((this.kinds[s] & KIND_MASK) !== rawKind(signals[s * SIGNAL_WORDS + SignalField.flags], signals[s * SIGNAL_WORDS + SignalField.length]))
				return false;
		return true;
	}

	/** Records a plain number for a signal without a raw layout (the store was made without kinds). No allocation. */
	set(id: number, value: number, now: number): void {
		this.doubles[id] = value;
		this.updatedAt[id] = now;
		this.updates[id]++;
	}

	/** The latest raw value as a number, whatever its age: what value tables and multiplexers use. No allocation. */
	raw(id: number): number {
		const at = id << 1;
		switch (this.kinds[id] & KIND_MASK) {
			case RawKind.uint32: return this.words[at];
			case RawKind.int32: return this.ints[at];
			case RawKind.float32: return this.singles[at];
			case RawKind.uint64: return this.words[at + 1] * TWO_POW_32 + this.words[at];
			case RawKind.int64: return this.ints[at + 1] * TWO_POW_32 + this.words[at];
			default: return this.doubles[id];
		}
	}

	/** The latest physical value, whatever its age; may be non-finite (a float signal, or a factor of 1e308). No allocation. */
	value(id: number): number {
		const raw = this.raw(id);
		const scaling = this.scaling;
		if (scaling === null || (this.kinds[id] & RAW_SCALED) === 0)
			return raw;
		const at = id * SCALING_WORDS;
		return raw * scaling[at + Scaling.factor] + scaling[at + Scaling.offset];
	}

	/** True when the signal was updated no longer than its timeout before `now`. */
	isFresh(id: number, now: number): boolean {
		const age = now - this.updatedAt[id];
		return age <= this.timeouts[id] && age >= -this.timeouts[id];
	}

	/**
	 * The physical value, or NaN when missing (never received, older than its
	 * timeout, or not finite). Display clock, so `isFresh` and `value` are
	 * written out here: a method call costs XS as much as a dozen operations.
	 * No allocation.
	 */
	read(id: number, now: number): number {
		const age = now - this.updatedAt[id], timeout = this.timeouts[id];
		if (!(age <= timeout && age >= -timeout))
			return NaN;
		let value = this.raw(id);
		const scaling = this.scaling;
		if (scaling !== null && (this.kinds[id] & RAW_SCALED) !== 0) {
			const at = id * SCALING_WORDS;
			value = value * scaling[at + Scaling.factor] + scaling[at + Scaling.offset];
		}
		if (value - value === 0)
			return value;
		this.nonFinite = (this.nonFinite + 1) >>> 0;
		return NaN;
	}

	/** The raw value, or NaN when missing. No allocation. */
	readRaw(id: number, now: number): number {
		return this.isFresh(id, now) ? this.raw(id) : NaN;
	}

	/** How many of the ids in `ids` (all when omitted) are missing at `now`. */
	countMissing(now: number, ids?: ArrayLike<number>): number {
		let missing = 0;
		if (ids) {
			for (let i = 0; i < ids.length; i++)
				if (!this.isFresh(ids[i], now))
					missing++;
		}
		else {
			for (let id = 0; id < this.size; id++)
				if (!this.isFresh(id, now))
					missing++;
		}
		return missing;
	}

	/** Forgets every value (and the count of non-finite reads). */
	reset(): void {
		this.nonFinite = 0;
		this.updatedAt.fill(NaN);
		this.updates.fill(0);
		this.words.fill(0);
	}
}
