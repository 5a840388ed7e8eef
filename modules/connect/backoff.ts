/*
 * Backoff: how long to wait before the next reconnect: doubling from
 * `firstMs` up to `maxMs`, back to `firstMs` after a success. Deterministic
 * (no jitter): the clock is the caller's, so a test can step through it.
 * Runs on XS and Node; no allocation.
 *
 * (DESIGN.md wants one back-off policy for reconnects and bus-off: when a
 * shared one lands, this is the one to replace; the telemetry link takes any
 * object of this shape.)
 */
export class Backoff {
	readonly firstMs: number;
	readonly maxMs: number;
	/** Failures since the last success. */
	failures = 0;

	constructor(firstMs = 1000, maxMs = 60000) {
		this.firstMs = firstMs;
		this.maxMs = maxMs;
	}

	/** Counts a failure; returns how long to wait before trying again, ms. */
	fail(): number {
		const wait = Math.min(this.maxMs, this.firstMs * 2 ** Math.min(this.failures, 30));
		this.failures++;
		return wait;
	}

	/** A connection succeeded: the next failure waits `firstMs` again. */
	succeed(): void {
		this.failures = 0;
	}
}
