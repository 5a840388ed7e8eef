/*
 * The ESP32 board facts: hosts/esp32/board.ts turns the manifests' config
 * (and command-line overrides, which arrive as strings) into checked numbers,
 * and the manifests carry a complete, consistent board. Node (vitest).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHIPS, readBoard } from "../hosts/esp32/board.js";
import { TWAI_BIT_RATES } from "../modules/can/twai.js";
import { mcp2515BitTiming } from "../modules/can/mcp2515.js";
import { displayPins, esp32Boards, hostManifest } from "./support/esp32-boards.js";

const root = join(import.meta.dirname, "..");
// The SDK's own target manifests (Moddable Two's display pins, its chip) are read when $MODDABLE has them.
const boards = esp32Boards(root, process.env.MODDABLE);

// A complete set of pins that exists on each chip, for the readBoard cases (the defaults are an ESP32's).
const S3_PINS = { twaiTransmit: 14, twaiReceive: 13, spiClock: 39, spiOut: 40, spiIn: 41, mcp2515Select: 12, mcp2515Interrupt: 47, slcanTransmit: 43, slcanReceive: 44, buttonC: 7 };
const C3_PINS = { twaiTransmit: 4, twaiReceive: 5, spiClock: 6, spiOut: 7, spiIn: 2, mcp2515Select: 10, mcp2515Interrupt: 3, slcanPort: 1, slcanTransmit: 0, slcanReceive: 1, buttonA: 9, buttonB: 8, buttonC: 20, spiPort: 1 };
const C6_PINS = { twaiTransmit: 22, twaiReceive: 23, spiClock: 6, spiOut: 7, spiIn: 2, mcp2515Select: 0, mcp2515Interrupt: 1, slcanPort: 1, slcanTransmit: 20, slcanReceive: 21, buttonA: 9, buttonB: 18, buttonC: 19, spiPort: 1 };

describe("esp32-board", () => {
	it("defaults-listen-only-twai", () => {
		const board = readBoard({});
		expect(board.canDriver).toBe("twai");
		expect(board.canListenOnly).toBe(true);
		expect(board.canBitRate).toBe(500000);
	});

	it("command-line-strings: canBitRate=250000 canListenOnly=false", () => {
		const board = readBoard({ canBitRate: "250000", canListenOnly: "false", canDriver: "mcp2515" });
		expect(board.canBitRate).toBe(250000);
		expect(board.canListenOnly).toBe(false);
		expect(board.canDriver).toBe("mcp2515");
	});

	it("listen-only-unless-explicitly-false", () => {
		expect(readBoard({ canListenOnly: "yes" }).canListenOnly).toBe(true);
		expect(readBoard({ canListenOnly: undefined }).canListenOnly).toBe(true);
		expect(readBoard({ canListenOnly: false }).canListenOnly).toBe(false);
	});

	it("bad-values-named", () => {
		expect(() => readBoard({ twaiTransmit: "x" })).toThrow("twaiTransmit");
		expect(() => readBoard({ canDriver: "socketcan" })).toThrow("canDriver");
		expect(() => readBoard({ mcp2515Hz: 20000000 })).toThrow("mcp2515Hz");
	});

	it("twai-controller-default-0-and-1-only-where-there-are-two", () => {
		expect(readBoard({}).twaiController).toBe(0);
		expect(readBoard({ chip: "esp32c6", ...C6_PINS, twaiController: 1 }).twaiController).toBe(1);
		expect(readBoard({ chip: "esp32c6", ...C6_PINS, twaiController: "1" }).twaiController).toBe(1);
		for (const chip of ["esp32", "esp32s3", "esp32c3"] as const)
			expect(() => readBoard({ chip, ...(chip === "esp32c3" ? C3_PINS : {}), ...(chip === "esp32s3" ? S3_PINS : {}), twaiController: 1 })).toThrow(`twaiController: 1, but the ${chip} has one TWAI controller`);
		expect(() => readBoard({ chip: "esp32c6", ...C6_PINS, twaiController: 2 })).toThrow("twaiController");
		expect(() => readBoard({ twaiController: -1 })).toThrow("twaiController");
	});

	it("pins-checked-against-the-chip", () => {
		expect(() => readBoard({ chip: "esp32h2" })).toThrow("board config chip: esp32h2");
		expect(() => readBoard({ twaiTransmit: 7 })).toThrow("twaiTransmit: GPIO 7 is the esp32's flash bus");
		expect(() => readBoard({ twaiTransmit: 24 })).toThrow("twaiTransmit: the esp32 has no GPIO 24");
		expect(() => readBoard({ twaiTransmit: 34 })).toThrow("twaiTransmit: GPIO 34 is input-only");
		expect(readBoard({ twaiReceive: 34 }).twaiReceive).toBe(34);
		expect(() => readBoard({ chip: "esp32s3", ...S3_PINS, buttonA: 22 })).toThrow("the esp32s3 has no GPIO 22");
		expect(() => readBoard({ chip: "esp32c6", ...C6_PINS, spiClock: 24 })).toThrow("spiClock: GPIO 24 is the esp32c6's flash bus");
		expect(() => readBoard({ chip: "esp32c6", ...C6_PINS, spiPort: 2 })).toThrow("spiPort: the esp32c6 has no SPI host 2");
		expect(() => readBoard({ chip: "esp32c6", ...C6_PINS, slcanPort: 2 })).toThrow("slcanPort");
	});

	it("the-chosen-input-needs-its-pins", () => {
		expect(() => readBoard({ twaiReceive: -1 })).toThrow("twaiReceive: canDriver twai needs this pin wired");
		expect(() => readBoard({ canDriver: "mcp2515", mcp2515Select: -1 })).toThrow("mcp2515Select: canDriver mcp2515 needs");
		expect(readBoard({ canDriver: "slcan", mcp2515Select: -1, twaiTransmit: -1 }).canDriver).toBe("slcan");
	});

	it("host-manifest-config-sets-no-board-fact: mcconfig merges it after the target's, so it would override every board", () => {
		const keys = Object.keys(readBoard({}));
		expect(Object.keys(hostManifest(root).config ?? {}).filter((key) => keys.includes(key))).toEqual([]);
	});

	it("boards-found: the SDK's Moddable Two and the targets defined here", () => {
		expect(boards.map((board) => board.platform)).toEqual([
			"esp32:./hosts/esp32/targets/c6_devkit_ili9341",
			"esp32:./hosts/esp32/targets/devkit_ili9341",
			"esp32:./hosts/esp32/targets/rejsacan_s3_ili9341",
			"esp32/moddable_two",
		]);
	});

	for (const board of boards) {
		describe(`board ${board.name}`, () => {
			const parsed = readBoard(board.config);
			const chip = CHIPS[parsed.chip];
			const display = displayPins(board);
			const named = (pins: Record<string, number | undefined>) =>
				Object.entries(pins).filter((entry): entry is [string, number] => entry[1] !== undefined && entry[1] >= 0);
			// What the board itself wires: the transceiver, the display and the buttons.
			const wiring = named({
				twaiTransmit: parsed.twaiTransmit, twaiReceive: parsed.twaiReceive, twaiSilent: parsed.twaiSilent,
				buttonA: parsed.buttonA, buttonB: parsed.buttonB, buttonC: parsed.buttonC,
				displaySelect: display.select, displayDataCommand: display.dataCommand, displayReset: display.reset, displayBacklight: display.backlight,
				spiClock: display.clock ?? parsed.spiClock, spiOut: display.out ?? parsed.spiOut, spiIn: display.in ?? parsed.spiIn,
			});
			// Alternatives to the TWAI: an MCP2515 on the display's bus, or an SLCAN adapter.
			const mcp2515 = named({ mcp2515Select: parsed.mcp2515Select, mcp2515Interrupt: parsed.mcp2515Interrupt });
			const slcan = named({ slcanTransmit: parsed.slcanTransmit, slcanReceive: parsed.slcanReceive });

			it("config-complete: every board fact stated, none left to an ESP32 DevKit default", () => {
				const missing = Object.keys(parsed).filter((key) => key !== "canListenOnly" && !(key in board.config));
				expect(missing).toEqual([]);
			});

			it("chip-is-the-target's", () => {
				if (board.subclass === undefined)
					return; // an SDK target without $MODDABLE: its manifest is not at hand
				expect(parsed.chip).toBe(board.subclass);
			});

			it("bit-rate-valid", () => {
				expect(TWAI_BIT_RATES).toContain(parsed.canBitRate);
				expect(() => mcp2515BitTiming(parsed.mcp2515Crystal, parsed.canBitRate)).not.toThrow();
			});

			it("twai-controller-valid", () => {
				expect(parsed.twaiController).toBeGreaterThanOrEqual(0);
				expect(parsed.twaiController).toBeLessThan(chip.twaiControllers);
			});

			it("pins-distinct: no pin does two jobs among those used together", () => {
				const pins = [...wiring, ...mcp2515].map(([, pin]) => pin);
				expect(new Set(pins).size, JSON.stringify([...wiring, ...mcp2515])).toBe(pins.length);
				// SLCAN and the MCP2515 are never used together; each is used with the display and buttons.
				const slcanWithWiring = [...wiring, ...slcan].map(([, pin]) => pin);
				expect(new Set(slcanWithWiring).size).toBe(slcanWithWiring.length);
			});

			it("no-reserved-pins: flash, PSRAM, USB, the debugger's UART, strapping pins driven at reset", () => {
				const used = [...wiring, ...mcp2515, ...slcan];
				const misused = (keys: [string, number][], pins: readonly number[]) => keys.filter(([, pin]) => pins.includes(pin));
				expect(misused(used, [...chip.flash, ...chip.usb])).toEqual([]);
				expect(misused(wiring, chip.psram)).toEqual([]);
				// xsbug's serial line, on boards with a USB-UART bridge, and the boot log on UART0 TX.
				expect(misused(board.usbDebug ? wiring : used, chip.uart0)).toEqual([]);
				// A strapping pin must float to its default at reset. The transceiver drives RXD
				// (recessive high), the MCP2515 drives INT, an adapter drives its TX; and TX must not
				// be pulled dominant by a strapping pull-down while the chip resets. Buttons to
				// ground (the BOOT button is one) and display inputs do not drive the pin.
				const driven = named({ twaiTransmit: parsed.twaiTransmit, twaiReceive: parsed.twaiReceive, twaiSilent: parsed.twaiSilent, mcp2515Interrupt: parsed.mcp2515Interrupt, slcanReceive: parsed.slcanReceive });
				expect(misused(driven, chip.strapping)).toEqual([]);
				// Buttons need the internal pull-up, which input-only pads lack.
				expect(misused(named({ buttonA: parsed.buttonA, buttonB: parsed.buttonB, buttonC: parsed.buttonC }), chip.inputOnly)).toEqual([]);
			});

			it("display-shares-the-mcp2515-bus", () => {
				if (display.spiPort === undefined)
					return; // an SDK target without $MODDABLE
				expect({ clock: display.clock, out: display.out, in: display.in }).toEqual({ clock: parsed.spiClock, out: parsed.spiOut, in: parsed.spiIn });
				// ESP-IDF's spi_host_device_t: SPI2_HOST is 1, SPI3_HOST 2.
				expect(display.spiPort).toBe(["", "SPI2_HOST", "SPI3_HOST"][parsed.spiPort]);
			});
		});
	}
});

describe("esp32-buttons", () => {
	it("press-debounced-and-timed: press and release reported once each, bounces ignored, time held on release", async () => {
		const { ButtonPress, DEBOUNCE_MS } = await import("../hosts/esp32/button.js");
		const events: [number, number][] = [];
		const press = new ButtonPress((pressed, held) => events.push([pressed, held]));
		press.edge(0, 1000);
		press.edge(1, 1005); // bounce
		press.edge(0, 1010); // bounce
		press.edge(1, 1200);
		expect(events).toEqual([[1, 0], [0, 200]]);
		press.edge(1, 1200 + DEBOUNCE_MS + 1); // a release without a press: nothing
		press.edge(0, 2000);
		expect(press.pressed).toBe(true);
		press.edge(1, 3500);
		expect(press.pressed).toBe(false);
		expect(events).toEqual([[1, 0], [0, 200], [1, 0], [0, 1500]]);
	});
});
