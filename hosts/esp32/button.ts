/*
 * One push button's edges turned into presses: debounced, timed. Kept apart
 * from the Digital pin (buttons.ts) so the logic is tested on Node.
 *
 * Runs on XS and Node; imports nothing. No allocation per edge.
 */

/** Edges closer than this to the previous accepted edge are contact bounce, ms. */
export const DEBOUNCE_MS = 30;

export class ButtonPress {
	private lastEdge = -Infinity;
	private pressedAt = -1;
	private readonly released: (heldMs: number) => void;

	/** @param released called when a press ends, with how long it was held (ms). */
	constructor(released: (heldMs: number) => void) {
		this.released = released;
	}

	/** The pin changed: `level` 0 is pressed (to ground, pull-up), `now` in ms. No allocation. */
	edge(level: number, now: number): void {
		if (now - this.lastEdge < DEBOUNCE_MS)
			return;
		this.lastEdge = now;
		if (level === 0) {
			this.pressedAt = now;
			return;
		}
		if (this.pressedAt < 0)
			return;
		const held = now - this.pressedAt;
		this.pressedAt = -1;
		this.released(held);
	}
}
