/*
 * Board facts as data. The values live in the manifests' "config" sections
 * (hosts/esp32/manifest.json for the defaults and Moddable Two,
 * hosts/esp32/targets/<board>/manifest.json for boards defined here) and
 * reach the program as `mc/config`; a value can be overridden on the command
 * line, e.g. `mcconfig ... canBitRate=250000`, which arrives as a string.
 * `readBoard` turns them into checked numbers once at start, against the
 * facts of the board's chip (`CHIPS`).
 *
 * Runs on the ESP32 (preloaded: the chip table lives in flash) and on Node:
 * it imports nothing. `readBoard` allocates the result.
 */

export type CanDriver = "twai" | "mcp2515" | "slcan";

/** The ESP32 family members this firmware is built for (the SDK's `ESP32_SUBCLASS`). */
export type Chip = "esp32" | "esp32s3" | "esp32c3" | "esp32c6";

/**
 * What a chip's pins can and cannot do. From ESP-IDF's GPIO reference for
 * each chip (docs/en/api-reference/peripherals/gpio/<chip>.inc) and the
 * chips' datasheets ("Strapping Pins").
 */
export interface ChipFacts {
	/** The GPIO numbers the chip has. */
	gpios: readonly number[];
	/** SPI0/1, the bus to the flash (in the package or on the module): a pin here stops the chip. */
	flash: readonly number[];
	/** Taken by PSRAM on modules that have it: ESP32 WROVER 16, 17; ESP32-S3 with octal flash or PSRAM (R8, N16R8...) 33..37. */
	psram: readonly number[];
	/** Read at reset to choose the boot mode: nothing attached may drive them then (a button to ground is fine: held at reset it asks for the download mode, as BOOT does). */
	strapping: readonly number[];
	/** USB Serial/JTAG D-, D+: flashing and xsbug on boards without a USB-UART bridge. */
	usb: readonly number[];
	/** UART0 TX, RX: the boot log, and xsbug on boards with a USB-UART bridge. */
	uart0: readonly number[];
	/** Input-only pads: they cannot drive a line and have no internal pull-up. */
	inputOnly: readonly number[];
	/** TWAI (CAN) controllers: `twaiController` is 0 .. this - 1. */
	twaiControllers: number;
	/** UARTs: `slcanPort` is 0 .. this - 1. */
	uarts: number;
	/** General-purpose SPI hosts, as ESP-IDF's spi_host_device_t (1 SPI2_HOST, 2 SPI3_HOST). */
	spiHosts: readonly number[];
}

function span(from: number, to: number): number[] {
	const pins: number[] = [];
	for (let pin = from; pin <= to; pin++)
		pins.push(pin);
	return pins;
}

export const CHIPS: Readonly<Record<Chip, Readonly<ChipFacts>>> = Object.freeze({
	esp32: Object.freeze({
		gpios: Object.freeze([...span(0, 19), 21, 22, 23, 25, 26, 27, ...span(32, 39)]),
		flash: Object.freeze(span(6, 11)),
		psram: Object.freeze([16, 17]),
		strapping: Object.freeze([0, 2, 5, 12, 15]),
		usb: Object.freeze([]),
		uart0: Object.freeze([1, 3]),
		inputOnly: Object.freeze(span(34, 39)),
		twaiControllers: 1,
		uarts: 3,
		spiHosts: Object.freeze([1, 2]),
	}),
	esp32s3: Object.freeze({
		gpios: Object.freeze([...span(0, 21), ...span(26, 48)]),
		flash: Object.freeze(span(26, 32)),
		psram: Object.freeze(span(33, 37)),
		strapping: Object.freeze([0, 3, 45, 46]),
		usb: Object.freeze([19, 20]),
		uart0: Object.freeze([43, 44]),
		inputOnly: Object.freeze([]),
		twaiControllers: 1,
		uarts: 3,
		spiHosts: Object.freeze([1, 2]),
	}),
	esp32c3: Object.freeze({
		gpios: Object.freeze(span(0, 21)),
		flash: Object.freeze(span(12, 17)),
		psram: Object.freeze([]),
		strapping: Object.freeze([2, 8, 9]),
		usb: Object.freeze([18, 19]),
		uart0: Object.freeze([21, 20]),
		inputOnly: Object.freeze([]),
		twaiControllers: 1,
		uarts: 2,
		spiHosts: Object.freeze([1]),
	}),
	esp32c6: Object.freeze({
		gpios: Object.freeze(span(0, 30)),
		flash: Object.freeze(span(24, 30)),
		psram: Object.freeze([]),
		strapping: Object.freeze([4, 5, 8, 9, 15]),
		usb: Object.freeze([12, 13]),
		uart0: Object.freeze([16, 17]),
		inputOnly: Object.freeze([]),
		twaiControllers: 2,
		uarts: 2,
		spiHosts: Object.freeze([1]),
	}),
});

export interface Board {
	/** The board's chip (`ESP32_SUBCLASS` of its target); default esp32. */
	chip: Chip;
	/** Which CAN input the cluster reads. */
	canDriver: CanDriver;
	/** Bus bit rate: 125000, 250000, 500000 or 1000000 (SLCAN also 10k..800k). */
	canBitRate: number;
	/** Default true: never drive the bus. */
	canListenOnly: boolean;
	/** TWAI: GPIOs to the transceiver's TXD and RXD. */
	twaiTransmit: number;
	twaiReceive: number;
	/** TWAI: which controller, 0 or 1 (1 only on a chip with two: ESP32-C6). Default 0. */
	twaiController: number;
	/** GPIO to the transceiver's silent or standby input (TJA1051 S, SN65HVD230 Rs), held high while the cluster listens only, so the transceiver cannot drive the bus, and low when it may transmit. -1: none (tie it to GND). */
	twaiSilent: number;
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
	chip: "esp32",
	canDriver: "twai",
	canBitRate: 500000,
	canListenOnly: true,
	twaiTransmit: 25,
	twaiReceive: 26,
	twaiController: 0,
	twaiSilent: -1,
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

/** The pins each CAN input needs wired (not -1). */
const NEEDED: Readonly<Record<CanDriver, readonly (keyof Board)[]>> = Object.freeze({
	twai: Object.freeze(["twaiTransmit", "twaiReceive"] as const),
	mcp2515: Object.freeze(["spiClock", "spiOut", "spiIn", "mcp2515Select", "mcp2515Interrupt"] as const),
	slcan: Object.freeze(["slcanTransmit", "slcanReceive"] as const),
});

/** Pins the ESP32 drives: not on an input-only pad. */
const OUTPUTS: readonly (keyof Board)[] = Object.freeze(["twaiTransmit", "twaiSilent", "spiClock", "spiOut", "mcp2515Select", "slcanTransmit"] as const);

/**
 * Reads the board from a config object (`mc/config` on the device).
 * @throws RangeError naming the first key with a bad value.
 */
export function readBoard(config: Record<string, unknown>): Board {
	const chip = String(config.chip ?? DEFAULTS.chip);
	if (!Object.prototype.hasOwnProperty.call(CHIPS, chip))
		throw new RangeError(`board config chip: ${chip} is not ${Object.keys(CHIPS).join(", ")}`);
	const facts = CHIPS[chip as Chip];
	const number = (key: keyof Board, low: number, high: number): number => {
		const raw = config[key] ?? DEFAULTS[key];
		const value = typeof raw === "string" ? Number(raw) : raw;
		if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high)
			throw new RangeError(`board config ${key}: ${String(raw)} is not an integer from ${low} to ${high}`);
		return value;
	};
	const pin = (key: keyof Board): number => {
		const value = number(key, -1, 48);
		if (value < 0)
			return value;
		if (!facts.gpios.includes(value))
			throw new RangeError(`board config ${key}: the ${chip} has no GPIO ${value}`);
		// A pin on the flash bus hangs the chip the moment it is reconfigured.
		if (facts.flash.includes(value))
			throw new RangeError(`board config ${key}: GPIO ${value} is the ${chip}'s flash bus (SPI0/1)`);
		if (facts.inputOnly.includes(value) && OUTPUTS.includes(key))
			throw new RangeError(`board config ${key}: GPIO ${value} is input-only on the ${chip}`);
		return value;
	};
	const driver = String(config.canDriver ?? DEFAULTS.canDriver);
	if (driver !== "twai" && driver !== "mcp2515" && driver !== "slcan")
		throw new RangeError(`board config canDriver: ${driver} is not twai, mcp2515 or slcan`);
	const listenOnly = config.canListenOnly ?? DEFAULTS.canListenOnly;
	const twaiController = number("twaiController", 0, 1);
	if (twaiController >= facts.twaiControllers)
		throw new RangeError(`board config twaiController: ${twaiController}, but the ${chip} has one TWAI controller (0)`);
	const spiPort = number("spiPort", 1, 2);
	if (!facts.spiHosts.includes(spiPort))
		throw new RangeError(`board config spiPort: the ${chip} has no SPI host ${spiPort} (it has ${facts.spiHosts.join(", ")})`);
	const board: Board = {
		chip: chip as Chip,
		canDriver: driver,
		canBitRate: number("canBitRate", 10000, 1000000),
		// Anything but an explicit false (or "false" from the command line) listens only.
		canListenOnly: !(listenOnly === false || listenOnly === "false" || listenOnly === 0 || listenOnly === "0"),
		twaiTransmit: pin("twaiTransmit"),
		twaiReceive: pin("twaiReceive"),
		twaiController,
		twaiSilent: pin("twaiSilent"),
		spiPort,
		spiClock: pin("spiClock"),
		spiOut: pin("spiOut"),
		spiIn: pin("spiIn"),
		mcp2515Select: pin("mcp2515Select"),
		mcp2515Interrupt: pin("mcp2515Interrupt"),
		mcp2515Hz: number("mcp2515Hz", 100000, 10000000),
		mcp2515Crystal: number("mcp2515Crystal", 1000000, 40000000),
		slcanPort: number("slcanPort", 0, facts.uarts - 1),
		slcanTransmit: pin("slcanTransmit"),
		slcanReceive: pin("slcanReceive"),
		slcanBaud: number("slcanBaud", 1200, 5000000),
		buttonA: pin("buttonA"),
		buttonB: pin("buttonB"),
		buttonC: pin("buttonC"),
	};
	for (const key of NEEDED[driver])
		if (board[key] === -1)
			throw new RangeError(`board config ${key}: canDriver ${driver} needs this pin wired, not -1`);
	return board;
}

/** The pack link's UART (hosts/esp32/pack-link.ts): where `xs-cluster pack send --port` delivers vehicle packs. */
export interface PackLinkPins {
	/** UART number, 0 .. the chip's UARTs - 1. */
	port: number;
	/** GPIOs: the cluster's TX (to the adapter's RX) and RX (from its TX). */
	transmit: number;
	receive: number;
	baud: number;
}

/**
 * Reads the pack link from the config (`packLinkPort`, `packLinkTransmit`,
 * `packLinkReceive`, `packLinkBaud`, default 115200): null when
 * `packLinkPort` is absent, "" or -1 (no link, the default). Checks the pins
 * as readBoard does (the chip has them, not its flash bus, TX not input-only,
 * not its USB pins), and against `board`: not the SLCAN adapter's UART or
 * pins when that is the CAN input, no pin the CAN input or a button uses.
 * UART0 is the boot log's and, on boards with a USB-UART bridge, xsbug's:
 * its port is taken only with its own pins, and its pins only by it.
 * Runs on the ESP32 and Node; allocates the result.
 * @throws RangeError naming the first key with a bad value.
 */
export function readPackLink(config: Record<string, unknown>, board: Board): PackLinkPins | null {
	const facts = CHIPS[board.chip];
	const raw = config.packLinkPort;
	if (raw === undefined || raw === "" || raw === -1 || raw === "-1")
		return null;
	const number = (key: string, low: number, high: number, fallback?: number): number => {
		const given = config[key] ?? fallback;
		const value = typeof given === "string" && given !== "" ? Number(given) : given;
		if (typeof value !== "number" || !Number.isInteger(value) || value < low || value > high)
			throw new RangeError(`pack link config ${key}: ${String(given)} is not an integer from ${low} to ${high}`);
		return value;
	};
	const port = number("packLinkPort", 0, facts.uarts - 1);
	const baud = number("packLinkBaud", 1200, 5000000, 115200);
	const pin = (key: string, output: boolean): number => {
		const value = number(key, 0, 48);
		if (!facts.gpios.includes(value))
			throw new RangeError(`pack link config ${key}: the ${board.chip} has no GPIO ${value}`);
		if (facts.flash.includes(value))
			throw new RangeError(`pack link config ${key}: GPIO ${value} is the ${board.chip}'s flash bus (SPI0/1)`);
		if (output && facts.inputOnly.includes(value))
			throw new RangeError(`pack link config ${key}: GPIO ${value} is input-only on the ${board.chip}`);
		if (facts.usb.includes(value))
			throw new RangeError(`pack link config ${key}: GPIO ${value} is the ${board.chip}'s USB (flashing and xsbug)`);
		if (port !== 0 && facts.uart0.includes(value))
			throw new RangeError(`pack link config ${key}: GPIO ${value} is UART0's (the boot log, and xsbug on a USB-UART bridge)`);
		return value;
	};
	const transmit = pin("packLinkTransmit", true), receive = pin("packLinkReceive", false);
	if (transmit === receive)
		throw new RangeError(`pack link config packLinkReceive: GPIO ${receive} is packLinkTransmit too`);
	if (port === 0 && (transmit !== facts.uart0[0] || receive !== facts.uart0[1]))
		throw new RangeError(`pack link config packLinkPort: UART0 is the boot log's (and xsbug's): only on its own pins, TX ${facts.uart0[0]} and RX ${facts.uart0[1]}, in a build without the debugger`);
	if (board.canDriver === "slcan" && port === board.slcanPort)
		throw new RangeError(`pack link config packLinkPort: UART ${port} is the SLCAN adapter's (slcanPort)`);
	// What the CAN input and the buttons wire: a pin cannot do two jobs.
	const used: [string, number][] = [["buttonA", board.buttonA], ["buttonB", board.buttonB], ["buttonC", board.buttonC], ...NEEDED[board.canDriver].map((key): [string, number] => [key, board[key] as number])];
	if (board.canDriver === "twai")
		used.push(["twaiSilent", board.twaiSilent]);
	for (const [key, value] of [["packLinkTransmit", transmit], ["packLinkReceive", receive]] as const) {
		const taken = used.find(([, other]) => other === value);
		if (taken)
			throw new RangeError(`pack link config ${key}: GPIO ${value} is ${taken[0]} on this board`);
	}
	return { port, transmit, receive, baud };
}
