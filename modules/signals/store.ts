/*
 * SignalStore: the latest physical value of every signal, when it arrived and
 * how long it stays valid.
 *
 * Indexed by the small integer signal ids of a DecodePlan; storage is typed
 * arrays allocated once. The store never guesses: a signal that has not been
 * updated within its timeout is missing, and readers get NaN for it, so a
 * gauge can show `--` instead of a frozen value. Runs on XS and Node.
 */
import type { DecodePlan } from "./plan.js";

export class SignalStore {
	readonly size: number;
	/** Latest physical value (factor and offset applied). */
	readonly values: Float64Array;
	/** Latest raw value, before scaling: what value tables and multiplexers use. */
	readonly raws: Float64Array;
	/** Time of the latest update in ms, NaN when never updated. */
	readonly updatedAt: Float64Array;
	/** How long after an update the value stays valid, ms. */
	readonly timeouts: Float64Array;
	/** Updates since construction or `reset()`; wraps at 2^32. */
	readonly updates: Uint32Array;

	/** Allocates the arrays. */
	constructor(size: number, timeoutMs: ArrayLike<number> | number) {
		this.size = size;
		this.values = new Float64Array(size);
		this.raws = new Float64Array(size);
		this.updatedAt = new Float64Array(size).fill(NaN);
		this.timeouts = new Float64Array(size);
		this.updates = new Uint32Array(size);
		if (typeof timeoutMs === "number")
			this.timeouts.fill(timeoutMs);
		else
			this.timeouts.set(timeoutMs);
	}

	/** A store for every signal of `plan`, each valid for its message's timeout. Allocates. */
	static forPlan(plan: DecodePlan): SignalStore {
		const timeouts = new Float64Array(plan.signalCount);
		for (let s = 0; s < plan.signalCount; s++)
			timeouts[s] = plan.messageTimeout(plan.signalMessage(s));
		return new SignalStore(plan.signalCount, timeouts);
	}

	/** Records a value. Hot path: no allocation. */
	set(id: number, raw: number, value: number, now: number): void {
		this.raws[id] = raw;
		this.values[id] = value;
		this.updatedAt[id] = now;
		this.updates[id]++;
	}

	/** True when the signal was updated no longer than its timeout before `now`. */
	isFresh(id: number, now: number): boolean {
		const age = now - this.updatedAt[id];
		return age <= this.timeouts[id] && age >= -this.timeouts[id];
	}

	/** The value, or NaN when missing (never received, or older than its timeout). */
	read(id: number, now: number): number {
		return this.isFresh(id, now) ? this.values[id] : NaN;
	}

	/** The raw value, or NaN when missing. */
	readRaw(id: number, now: number): number {
		return this.isFresh(id, now) ? this.raws[id] : NaN;
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

	/** Forgets every value. */
	reset(): void {
		this.updatedAt.fill(NaN);
		this.updates.fill(0);
		this.values.fill(0);
		this.raws.fill(0);
	}
}
