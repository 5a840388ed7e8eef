/*
 * The `Host` of the boards defined in this folder, as Moddable targets provide
 * one: `Host.Button.a`, `b` and `c` (page, units, theme in main.ts) on the
 * GPIOs the board config names. Every target here maps `setup/target` to this
 * file; its own manifest holds the board's facts.
 *
 * Preloaded: the module body runs when the firmware image is built, making
 * only the button classes (a bad board config fails the build here). The
 * default export runs at start on the device, before main.ts: it puts the
 * CAN transceiver in its silent mode while the cluster listens only
 * (`twaiSilent`). It opens one Digital and keeps it; no other allocation.
 */
import config from "mc/config";
import Digital from "embedded:io/digital";
import { readBoard } from "host/board";
import { hostButtons } from "host/buttons";

const board = Object.freeze(readBoard(config));

(globalThis as { Host?: unknown }).Host = Object.freeze({
	Button: Object.freeze(hostButtons(board)),
});

/** Held open for the life of the program: a collected Digital resets its pin (input, pull-up). */
let silent: Digital | undefined;

export default function (done: () => void): void {
	if (board.twaiSilent >= 0) {
		// High: the transceiver's driver is off and its receiver works (SN65HVD230
		// standby, TJA1051 silent): a listen-only cluster cannot disturb the bus even
		// if the controller misbehaves. Low: normal mode, for canListenOnly=false.
		silent = new Digital({ pin: board.twaiSilent, mode: Digital.Output });
		silent.write(board.canListenOnly ? 1 : 0);
	}
	done();
}
