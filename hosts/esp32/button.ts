/*
 * One push button's edges turned into debounced presses and releases, with
 * how long the press was held. Kept apart from the Digital pin (buttons.ts)
 * so the logic is tested on Node.
 *
 * Runs on XS and Node; imports nothing. No allocation per edge.
 */

/** Edges closer than this to the previous accepted edge are contact bounce, ms. */
export const DEBOUNCE_MS = 30;

export class ButtonPress {
	private lastEdge = -Infinity;
	private pressedAt = -1;
	private readonly changed: (pressed: number, heldMs: number) => void;

	/** @param changed called with 1 when a press starts, then with 0 and the time held (ms) when it ends. */
	constructor(changed: (pressed: number, heldMs: number) => void) {
		this.changed = changed;
	}

	get pressed(): boolean {
		return this.pressedAt >= 0;
	}

	/** The pin changed: `level` 0 is pressed (to ground, pull-up), `now` in ms. No allocation. */
	edge(level: number, now: number): void {
		if (now - this.lastEdge < DEBOUNCE_MS)
			return;
		this.lastEdge = now;
		if (level === 0) {
			if (this.pressedAt < 0) {
				this.pressedAt = now;
				this.changed(1, 0);
			}
			return;
		}
		if (this.pressedAt < 0)
			return;
		const held = now - this.pressedAt;
		this.pressedAt = -1;
		this.changed(0, held);
	}
}
