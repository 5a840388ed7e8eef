/*
 * The ESP32's pack link (hosts/esp32/pack-link.ts): its UART and pins come
 * from the config (`mcconfig ... packLinkPort=1 packLinkTransmit=17
 * packLinkReceive=16`) and readPackLink (hosts/esp32/board.ts) checks them
 * against the chip's pin rules and the board's other pins, as readBoard does
 * the board's own; then the wiring hosts/esp32/README.md shows is checked on
 * each board here, against its display too. Node (vitest).
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CHIPS, readBoard, readPackLink } from "../hosts/esp32/board.js";
import { displayPins, esp32Boards } from "./support/esp32-boards.js";

const root = join(import.meta.dirname, "..");
const boards = esp32Boards(root, process.env.MODDABLE);

/** The link hosts/esp32/README.md wires on an ESP32 (UART1 on GPIO 17 and 16). */
const README_LINK = { packLinkPort: 1, packLinkTransmit: 17, packLinkReceive: 16 };

describe("esp32-pack-link", () => {
	const esp32 = readBoard({});

	it("off-unless-configured", () => {
		expect(readPackLink({}, esp32)).toBeNull();
		expect(readPackLink({ packLinkPort: "" }, esp32)).toBeNull();
		expect(readPackLink({ packLinkPort: "-1" }, esp32)).toBeNull();
	});

	it("command-line-strings-and-the-default-baud", () => {
		expect(readPackLink({ packLinkPort: "1", packLinkTransmit: "17", packLinkReceive: "16" }, esp32)).toEqual({ port: 1, transmit: 17, receive: 16, baud: 115200 });
		expect(readPackLink({ ...README_LINK, packLinkBaud: "921600" }, esp32)?.baud).toBe(921600);
	});

	it("bad-values-name-their-key", () => {
		expect(() => readPackLink({ packLinkPort: 3, packLinkTransmit: 17, packLinkReceive: 16 }, esp32)).toThrow("packLinkPort: 3 is not an integer from 0 to 2");
		expect(() => readPackLink({ packLinkPort: 1, packLinkReceive: 16 }, esp32)).toThrow("packLinkTransmit: undefined is not an integer");
		expect(() => readPackLink({ ...README_LINK, packLinkBaud: "fast" }, esp32)).toThrow("packLinkBaud");
		expect(() => readPackLink({ packLinkPort: "one", packLinkTransmit: 17, packLinkReceive: 16 }, esp32)).toThrow("packLinkPort");
	});

	it("the-chip's-pin-rules", () => {
		expect(() => readPackLink({ ...README_LINK, packLinkTransmit: 24 }, esp32)).toThrow("packLinkTransmit: the esp32 has no GPIO 24");
		expect(() => readPackLink({ ...README_LINK, packLinkTransmit: 7 }, esp32)).toThrow("packLinkTransmit: GPIO 7 is the esp32's flash bus");
		expect(() => readPackLink({ ...README_LINK, packLinkTransmit: 34 }, esp32)).toThrow("packLinkTransmit: GPIO 34 is input-only");
		// An input-only pad receives.
		expect(readPackLink({ ...README_LINK, packLinkReceive: 34 }, esp32)?.receive).toBe(34);
		expect(() => readPackLink({ ...README_LINK, packLinkReceive: 17 }, esp32)).toThrow("GPIO 17 is packLinkTransmit too");
		const s3 = readBoard({ chip: "esp32s3", twaiTransmit: 14, twaiReceive: 13, spiClock: 39, spiOut: 40, spiIn: 41, mcp2515Select: 12, mcp2515Interrupt: 47, slcanTransmit: 43, slcanReceive: 44, buttonC: 7 });
		expect(() => readPackLink({ packLinkPort: 1, packLinkTransmit: 19, packLinkReceive: 18 }, s3)).toThrow("GPIO 19 is the esp32s3's USB");
		expect(readPackLink({ packLinkPort: 1, packLinkTransmit: 17, packLinkReceive: 18 }, s3)).toEqual({ port: 1, transmit: 17, receive: 18, baud: 115200 });
	});

	it("uart0-is-the-boot-log's", () => {
		// Another UART on UART0's pins would fight the boot log (and xsbug).
		expect(() => readPackLink({ packLinkPort: 1, packLinkTransmit: 1, packLinkReceive: 16 }, esp32)).toThrow("packLinkTransmit: GPIO 1 is UART0's");
		expect(() => readPackLink({ packLinkPort: 1, packLinkTransmit: 17, packLinkReceive: 3 }, esp32)).toThrow("packLinkReceive: GPIO 3 is UART0's");
		// UART0 itself only on its own pins (a release build, without xsbug there).
		expect(readPackLink({ packLinkPort: 0, packLinkTransmit: 1, packLinkReceive: 3 }, esp32)).toEqual({ port: 0, transmit: 1, receive: 3, baud: 115200 });
		expect(() => readPackLink({ packLinkPort: 0, packLinkTransmit: 17, packLinkReceive: 16 }, esp32)).toThrow("UART0 is the boot log's");
	});

	it("not-the-board's-other-pins", () => {
		expect(() => readPackLink({ ...README_LINK, packLinkTransmit: 25 }, esp32)).toThrow("packLinkTransmit: GPIO 25 is twaiTransmit on this board");
		expect(() => readPackLink({ ...README_LINK, packLinkReceive: 0 }, esp32)).toThrow("packLinkReceive: GPIO 0 is buttonA on this board");
		expect(() => readPackLink({ ...README_LINK, packLinkTransmit: 4 }, readBoard({ twaiSilent: 4 }))).toThrow("GPIO 4 is twaiSilent");
		// The SLCAN adapter's UART and pins, when it is the CAN input; free when the TWAI is.
		const slcan = readBoard({ canDriver: "slcan", slcanPort: 1, slcanTransmit: 17, slcanReceive: 16 });
		expect(() => readPackLink(README_LINK, slcan)).toThrow("packLinkPort: UART 1 is the SLCAN adapter's");
		expect(() => readPackLink({ packLinkPort: 2, packLinkTransmit: 17, packLinkReceive: 4 }, slcan)).toThrow("GPIO 17 is slcanTransmit");
		expect(readPackLink({ packLinkPort: 2, packLinkTransmit: 4, packLinkReceive: 5 }, slcan)?.port).toBe(2);
		// An MCP2515's pins when it is the input.
		expect(() => readPackLink({ ...README_LINK, packLinkReceive: 32 }, readBoard({ canDriver: "mcp2515" }))).toThrow("GPIO 32 is mcp2515Interrupt");
	});

	for (const board of boards) {
		const parsed = readBoard(board.config);
		if (parsed.chip !== "esp32")
			continue;
		it(`readme-wiring-fits ${board.name}: UART1 on GPIO 17 and 16, clear of its display, not strapping pins`, () => {
			const link = readPackLink(README_LINK, parsed);
			expect(link).not.toBeNull();
			const display = displayPins(board);
			const displayUses = [display.select, display.dataCommand, display.reset, display.backlight, display.clock, display.out, display.in].filter((pin) => pin !== undefined);
			expect(displayUses).not.toContain(link!.transmit);
			expect(displayUses).not.toContain(link!.receive);
			// The adapter drives the cluster's RX from reset on, and TX must not be pulled while the chip resets.
			expect(CHIPS.esp32.strapping).not.toContain(link!.receive);
			expect(CHIPS.esp32.strapping).not.toContain(link!.transmit);
		});
	}
});
