/*
 * SaveSchedule: when persistent state is worth a flash write.
 *
 * A save is due when the state changed and at least `intervalMs` passed since
 * the last one (the interval bounds what a power cut can lose and, through
 * `wearLimitedIntervalMs`, keeps the flash alive for the car's life), or
 * sooner when the caller says the moment matters (the car stopped, ignition
 * off) and `urgentIntervalMs` passed. Nothing changes while parked, so
 * nothing is written. Runs on XS and Node; no allocation.
 */

export interface SaveScheduleOptions {
	/** Longest time unsaved changes may wait, ms: what a power cut can lose at most. */
	intervalMs: number;
	/** Shortest gap between saves even when urgent, ms (wear floor). Default: a fifth of `intervalMs`. */
	urgentIntervalMs?: number;
}

export class SaveSchedule {
	readonly intervalMs: number;
	readonly urgentIntervalMs: number;
	/** Time of the last save, or of the first change after it (-Infinity before either). */
	private lastSave = -Infinity;
	private pendingSince = NaN;

	constructor(options: SaveScheduleOptions) {
		this.intervalMs = options.intervalMs;
		this.urgentIntervalMs = options.urgentIntervalMs ?? Math.ceil(options.intervalMs / 5);
	}

	/** Notes that the state changed at `now`. */
	changed(now: number): void {
		if (this.pendingSince !== this.pendingSince)
			this.pendingSince = now;
	}

	/** True when unsaved changes exist. */
	get pending(): boolean {
		return this.pendingSince === this.pendingSince;
	}

	/** True when a save should happen now. */
	due(now: number, urgent = false): boolean {
		if (!this.pending)
			return false;
		const since = now - this.lastSave;
		return since >= this.intervalMs || (urgent && since >= this.urgentIntervalMs);
	}

	/** Records a completed save at `now`. */
	saved(now: number): void {
		this.lastSave = now;
		this.pendingSince = NaN;
	}
}
