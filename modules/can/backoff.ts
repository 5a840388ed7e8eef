/*
 * Backoff: the one reconnect and bus-off policy of every CAN source that
 * retries something (the MCP2515 and TWAI supervisors after bus-off, the TCP
 * feed after a lost connection, the ESP32 host opening a controller that did
 * not answer).
 *
 * The first wait is `firstMs`; each failure doubles the next wait, up to
 * `maxMs`, so a shorted bus, a mis-clocked controller or a dead server is
 * retried ever more rarely instead of spinning. Once the thing has stayed up
 * for `stableMs` (or `reset()` says it worked), the wait starts over from
 * `firstMs`: one failure after hours of running is retried promptly.
 *
 * Runs on XS and Node; plain numbers, no allocation after construction.
 */

export interface BackoffOptions {
	/** First wait after a failure, ms. */
	firstMs: number;
	/** Longest wait, ms. */
	maxMs: number;
	/** Time up after which the wait starts over from `firstMs`, ms; Infinity never (only `reset()`). */
	stableMs?: number;
}

export class Backoff {
	readonly firstMs: number;
	readonly maxMs: number;
	readonly stableMs: number;
	/** The wait the next failure gets, ms. */
	wait: number;
	private upSince = 0;

	/** @throws RangeError when the waits are not positive or the first exceeds the longest. */
	constructor(options: BackoffOptions) {
		if (!(options.firstMs > 0) || !(options.maxMs >= options.firstMs))
			throw new RangeError(`Backoff: firstMs ${options.firstMs} must be > 0 and <= maxMs ${options.maxMs}`);
		this.firstMs = options.firstMs;
		this.maxMs = options.maxMs;
		this.stableMs = options.stableMs ?? Infinity;
		this.wait = this.firstMs;
	}

	/** A failure at `now`: returns when to try again (`now` + the wait) and doubles the next wait, up to `maxMs`. */
	fail(now: number): number {
		const at = now + this.wait;
		this.grow();
		return at;
	}

	/** Doubles the next wait, up to `maxMs` (a retry that is being made now, after waiting `wait`). */
	grow(): void {
		this.wait = Math.min(this.wait * 2, this.maxMs);
	}

	/** The thing came up at `now` (opened, recovered, connected). */
	up(now: number): void {
		this.upSince = now;
	}

	/** While it stays up: after `stableMs` since `up`, the next wait starts over from `firstMs`. */
	settle(now: number): void {
		if (now - this.upSince >= this.stableMs)
			this.wait = this.firstMs;
	}

	/** It worked (a connection delivered data, a controller was opened anew): the next wait is `firstMs`. */
	reset(): void {
		this.wait = this.firstMs;
	}
}
