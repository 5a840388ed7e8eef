/*
 * The cluster's two buttons, each a push button from a GPIO to ground with the
 * internal pull-up (the DevKit's BOOT button on GPIO 0 works as the page
 * button as it is):
 * - page: a press (released within a second) shows the next page;
 * - trip: held for `TRIP_HOLD_MS` resets the trip, so a brush against it
 *   does not.
 * Edges closer than `DEBOUNCE_MS` to the previous one are contact bounce.
 *
 * Runs on the ESP32 in the Digital objects' onReadable callbacks (XS thread).
 * Allocates when opening; no allocation per press.
 */
import Digital from "embedded:io/digital";
import type { Board } from "host/board";

export const DEBOUNCE_MS = 30;
export const TRIP_HOLD_MS = 1000;

export interface ButtonActions {
	page(): void;
	tripReset(): void;
}

export interface Buttons {
	close(): void;
}

/** Opens the buttons the board has (a pin of -1 is none). */
export function openButtons(board: Board, actions: ButtonActions): Buttons {
	const pins: Digital[] = [];
	if (board.buttonPage >= 0)
		pins.push(openButton(board.buttonPage, (held) => {
			if (held < TRIP_HOLD_MS)
				actions.page();
		}));
	if (board.buttonTrip >= 0)
		pins.push(openButton(board.buttonTrip, (held) => {
			if (held >= TRIP_HOLD_MS)
				actions.tripReset();
		}));
	return {
		close() {
			for (const pin of pins)
				pin.close();
			pins.length = 0;
		},
	};
}

/** One button: calls `released(heldMs)` when a debounced press ends. */
function openButton(pin: number, released: (heldMs: number) => void): Digital {
	let lastEdge = -DEBOUNCE_MS, pressedAt = -1;
	return new Digital({
		pin,
		mode: Digital.InputPullUp,
		edge: Digital.Falling | Digital.Rising,
		onReadable(this: Digital) {
			const now = Date.now();
			if (now - lastEdge < DEBOUNCE_MS)
				return;
			lastEdge = now;
			if (this.read() === 0)
				pressedAt = now;
			else if (pressedAt >= 0) {
				const held = now - pressedAt;
				pressedAt = -1;
				released(held);
			}
		},
	});
}
