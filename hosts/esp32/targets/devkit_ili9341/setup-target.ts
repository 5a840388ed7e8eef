/*
 * The DevKit board's `Host`, as Moddable targets provide one: `Host.Button.a`,
 * `b` and `c` (page, units, theme in main.ts) on the GPIOs the board config
 * names. Preloaded: it runs when the firmware image is built, making only the
 * button classes; the pins are opened when main.ts constructs the buttons.
 */
import config from "mc/config";
import { readBoard } from "host/board";
import { hostButtons } from "host/buttons";

(globalThis as { Host?: unknown }).Host = Object.freeze({
	Button: Object.freeze(hostButtons(readBoard(config))),
});
