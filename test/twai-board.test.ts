/*
 * The ESP32 board facts: hosts/esp32/board.ts turns the manifests' config
 * (and command-line overrides, which arrive as strings) into checked numbers,
 * and the manifests carry a complete, consistent board. Node (vitest).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readBoard } from "../hosts/esp32/board.js";
import { TWAI_BIT_RATES } from "../modules/can/twai.js";
import { mcp2515BitTiming } from "../modules/can/mcp2515.js";

const root = join(import.meta.dirname, "..");

function manifest(path: string) {
	return JSON.parse(readFileSync(join(root, path), "utf8"));
}

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

	for (const [name, path, platform] of [
		["host defaults", "hosts/esp32/manifest.json", ""],
		["moddable two", "hosts/esp32/manifest.json", "esp32/moddable_two"],
		["devkit + ili9341", "hosts/esp32/targets/devkit_ili9341/manifest.json", ""],
	] as const) {
		it(`manifest-board-consistent: ${name}`, () => {
			const host = manifest("hosts/esp32/manifest.json").config;
			const m = manifest(path);
			const config = { ...host, ...m.config, ...(platform ? m.platforms[platform].config : {}) };
			const board = readBoard(config);
			expect(TWAI_BIT_RATES).toContain(board.canBitRate);
			expect(() => mcp2515BitTiming(board.mcp2515Crystal, board.canBitRate)).not.toThrow();
			// No pin does two jobs among those in use together (TWAI, buttons, the MCP2515's bus).
			const pins = [board.twaiTransmit, board.twaiReceive, board.buttonA, board.buttonB, board.buttonC, board.mcp2515Select, board.mcp2515Interrupt, board.spiClock, board.spiOut, board.spiIn].filter((pin) => pin >= 0);
			expect(new Set(pins).size).toBe(pins.length);
			// GPIO 34..39 are inputs without pull-ups: not for buttons, not for TWAI TX.
			for (const pin of [board.buttonA, board.buttonB, board.buttonC, board.twaiTransmit, board.mcp2515Interrupt])
				expect(pin < 34 || pin > 39).toBe(true);
		});
	}

	it("devkit-display-shares-the-mcp2515-bus", () => {
		const m = manifest("hosts/esp32/targets/devkit_ili9341/manifest.json");
		expect(m.defines.spi).toEqual({ miso_pin: m.config.spiIn, mosi_pin: m.config.spiOut, sck_pin: m.config.spiClock });
		expect(m.defines.ili9341.spi_port).toBe("SPI3_HOST");
		expect(m.config.spiPort).toBe(2); // SPI3_HOST in ESP-IDF's spi_host_device_t
		expect(m.defines.ili9341.cs_pin).not.toBe(m.config.mcp2515Select);
	});
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
