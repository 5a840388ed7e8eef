/*
 * Buttons in the shape main.ts looks for: Moddable's `Host.Button` convention
 * (a target's setup module puts button classes on `globalThis.Host`; each is
 * constructed with `{ onPush(pressed) }`). main.ts hands them to the screen
 * model: A for the page, B for units, C for the theme. Each button is a push button from a GPIO to ground
 * with the internal pull-up (the DevKit's BOOT button on GPIO 0 serves as A).
 * On release `onPush` also gets the time held, so a long press can mean
 * something else (the screen model's `HOLD_MS`, modules/cluster/screen.ts).
 *
 * Runs on the ESP32: the classes are made when the target's setup module is
 * preloaded; a button's Digital is opened when main.ts constructs it, and its
 * onReadable callback runs on the XS thread. No allocation per press.
 */
import Digital from "embedded:io/digital";
import type { Board } from "host/board";
import { ButtonPress } from "host/button";

export interface HostButtonOptions {
	/** 1 when pressed; 0 on release, with the time held in ms. */
	onPush?: (this: HostButton, pressed: number, heldMs: number) => void;
}

export class HostButton {
	readonly #digital: Digital;
	readonly #press: ButtonPress;

	constructor(pin: number, options: HostButtonOptions) {
		const button = this, onPush = options.onPush;
		const press = this.#press = new ButtonPress((pressed, held) => onPush?.call(button, pressed, held));
		this.#digital = new Digital({
			pin,
			mode: Digital.InputPullUp,
			edge: Digital.Falling | Digital.Rising,
			onReadable(this: Digital) {
				press.edge(this.read(), Date.now());
			},
		});
	}

	/** 1 while pressed (debounced). */
	read(): number {
		return this.#press.pressed ? 1 : 0;
	}

	get pressed(): boolean {
		return this.#press.pressed;
	}

	close(): void {
		this.#digital.close();
	}
}

export type HostButtonClass = new (options: HostButtonOptions) => HostButton;

/** `Host.Button` for the board: `a`, `b`, `c` on its pins; a pin of -1 leaves that button out. */
export function hostButtons(board: Board): Record<string, HostButtonClass> {
	const buttons: Record<string, HostButtonClass> = {};
	const pins: Record<string, number> = { a: board.buttonA, b: board.buttonB, c: board.buttonC };
	for (const name in pins) {
		const pin = pins[name];
		if (pin >= 0)
			buttons[name] = class extends HostButton {
				constructor(options: HostButtonOptions) {
					super(pin, options);
				}
			};
	}
	return buttons;
}
