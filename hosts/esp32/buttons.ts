/*
 * The cluster's two buttons, each a push button from a GPIO to ground with the
 * internal pull-up (the DevKit's BOOT button on GPIO 0 works as the page
 * button as it is):
 * - page: a press released within `TRIP_HOLD_MS` shows the next page;
 * - trip: held for `TRIP_HOLD_MS` resets the trip, so a brush against it
 *   does not.
 * Debouncing and timing are in button.ts.
 *
 * Runs on the ESP32 in the Digital objects' onReadable callbacks (XS thread).
 * Allocates when opening; no allocation per press.
 */
import Digital from "embedded:io/digital";
import type { Board } from "host/board";
import { ButtonPress } from "host/button";

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
		pins.push(openButton(board.buttonPage, new ButtonPress((held) => {
			if (held < TRIP_HOLD_MS)
				actions.page();
		})));
	if (board.buttonTrip >= 0)
		pins.push(openButton(board.buttonTrip, new ButtonPress((held) => {
			if (held >= TRIP_HOLD_MS)
				actions.tripReset();
		})));
	return {
		close() {
			for (const pin of pins)
				pin.close();
			pins.length = 0;
		},
	};
}

function openButton(pin: number, press: ButtonPress): Digital {
	return new Digital({
		pin,
		mode: Digital.InputPullUp,
		edge: Digital.Falling | Digital.Rising,
		onReadable(this: Digital) {
			press.edge(this.read(), Date.now());
		},
	});
}
