/*
 * Board facts as data. The values live in the manifests' "config" sections
 * (hosts/esp32/manifest.json for the defaults and Moddable Two,
 * hosts/esp32/targets/<board>/manifest.json for boards defined here) and
 * reach the program as `mc/config`; a value can be overridden on the command
 * line, e.g. `mcconfig ... canBitRate=250000`, which arrives as a string.
 * `readBoard` turns them into checked numbers once at start.
 *
 * Runs on the ESP32 (and on Node: it imports nothing). Allocates the result.
 */

export type CanDriver = "twai" | "mcp2515" | "slcan";

export interface Board {
	/** Which CAN input the cluster reads. */
	canDriver: CanDriver;
	/** Bus bit rate: 125000, 250000, 500000 or 1000000 (SLCAN also 10k..800k). */
	canBitRate: number;
	/** Default true: never drive the bus. */
	canListenOnly: boolean;
	/** TWAI: GPIOs to the transceiver's TXD and RXD. */
	twaiTransmit: number;
	twaiReceive: number;
	/** MCP2515: SPI host (ESP-IDF spi_host_device_t: 1 SPI2_HOST, 2 SPI3_HOST; the display's, to share its bus), bus pins, chip select, INT, SPI clock, crystal. */
	spiPort: number;
	spiClock: number;
	spiOut: number;
	spiIn: number;
	mcp2515Select: number;
	mcp2515Interrupt: number;
	mcp2515Hz: number;
	mcp2515Crystal: number;
	/** SLCAN adapter on a UART. */
	slcanPort: number;
	slcanTransmit: number;
	slcanReceive: number;
	slcanBaud: number;
	/** Buttons to ground (internal pull-up), `Host.Button.a/b/c` for main.ts: page, units, theme. -1: none. */
	buttonA: number;
	buttonB: number;
	buttonC: number;
}

const DEFAULTS: Board = Object.freeze({
	canDriver: "twai",
	canBitRate: 500000,
	canListenOnly: true,
	twaiTransmit: 25,
	twaiReceive: 26,
	spiPort: 2,
	spiClock: 18,
	spiOut: 23,
	spiIn: 19,
	mcp2515Select: 27,
	mcp2515Interrupt: 32,
	mcp2515Hz: 8000000,
	mcp2515Crystal: 8000000,
	slcanPort: 2,
	slcanTransmit: 17,
	slcanReceive: 16,
	slcanBaud: 115200,
	buttonA: 0,
	buttonB: 33,
	buttonC: 13,
});

/**
 * Reads the board from a config object (`mc/config` on the device).
 * @throws RangeError naming the first key with a bad value.
 */
export function readBoard(config: Record<string, unknown>): Board {
	const number = (key: keyof Board, low: number, high: number): number => {
		const raw = config[key] ?? DEFAULTS[key];
		const value = typeof raw === "string" ? Number(raw) : raw;
		if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high)
			throw new RangeError(`board config ${key}: ${String(raw)} is not an integer from ${low} to ${high}`);
		return value;
	};
	const pin = (key: keyof Board) => number(key, -1, 48);
	const driver = String(config.canDriver ?? DEFAULTS.canDriver);
	if (driver !== "twai" && driver !== "mcp2515" && driver !== "slcan")
		throw new RangeError(`board config canDriver: ${driver} is not twai, mcp2515 or slcan`);
	const listenOnly = config.canListenOnly ?? DEFAULTS.canListenOnly;
	return {
		canDriver: driver,
		canBitRate: number("canBitRate", 10000, 1000000),
		// Anything but an explicit false (or "false" from the command line) listens only.
		canListenOnly: !(listenOnly === false || listenOnly === "false" || listenOnly === 0 || listenOnly === "0"),
		twaiTransmit: pin("twaiTransmit"),
		twaiReceive: pin("twaiReceive"),
		spiPort: number("spiPort", 1, 2),
		spiClock: pin("spiClock"),
		spiOut: pin("spiOut"),
		spiIn: pin("spiIn"),
		mcp2515Select: pin("mcp2515Select"),
		mcp2515Interrupt: pin("mcp2515Interrupt"),
		mcp2515Hz: number("mcp2515Hz", 100000, 10000000),
		mcp2515Crystal: number("mcp2515Crystal", 1000000, 40000000),
		slcanPort: number("slcanPort", 0, 2),
		slcanTransmit: pin("slcanTransmit"),
		slcanReceive: pin("slcanReceive"),
		slcanBaud: number("slcanBaud", 1200, 5000000),
		buttonA: pin("buttonA"),
		buttonB: pin("buttonB"),
		buttonC: pin("buttonC"),
	};
}
