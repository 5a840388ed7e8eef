/*
 * The ESP32 boards this project describes, found in its manifests rather than
 * listed again by hand: every target folder in hosts/esp32/targets (a board
 * the SDK does not define; `mcconfig -p esp32:./hosts/esp32/targets/<board>`)
 * and every "esp32/<board>" platforms section of hosts/esp32/manifest.json (a
 * board the SDK defines; `mcconfig -p esp32/<board>`).
 *
 * `config` is the board's config merged in the order mcconfig merges it: the
 * target's manifest comes before hosts/esp32/manifest.json, whose top-level
 * config comes before its platforms section. Node (vitest); allocates.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface Esp32Board {
	/** The target's name: its folder here, or the SDK's target name. */
	name: string;
	/** mcconfig's `-p` argument, from the repository root. */
	platform: string;
	/** The target manifest: this repository's, or the SDK's when $MODDABLE has it; undefined otherwise. */
	target?: Manifest;
	/** The target's ESP32_SUBCLASS (the SDK's default, esp32, when the manifest names none); undefined when the target manifest is not at hand. */
	subclass?: string;
	/** The board's config, merged as mcconfig merges it. */
	config: Record<string, unknown>;
	/** xsbug and flashing over the chip's own USB (USE_USB) rather than a USB-UART bridge on UART0. */
	usbDebug: boolean;
}

export interface Manifest {
	build?: Record<string, string>;
	config?: Record<string, unknown>;
	defines?: Record<string, Record<string, unknown>>;
	platforms?: Record<string, { config?: Record<string, unknown> }>;
}

const HOST = join("hosts", "esp32", "manifest.json");
const TARGETS = join("hosts", "esp32", "targets");

function readManifest(path: string): Manifest {
	return JSON.parse(readFileSync(path, "utf8")) as Manifest;
}

/** The host manifest, hosts/esp32/manifest.json. */
export function hostManifest(root: string): Manifest {
	return readManifest(join(root, HOST));
}

/** Every board, project-local targets first, in name order. `moddable` is the SDK's root, to read the SDK's own target manifests (optional). */
export function esp32Boards(root: string, moddable?: string): Esp32Board[] {
	const host = hostManifest(root);
	const boards: Esp32Board[] = [];
	const board = (name: string, platform: string, target: Manifest | undefined) => {
		const section = host.platforms?.[`esp32/${name}`]?.config;
		boards.push({
			name, platform, target,
			subclass: target ? target.build?.ESP32_SUBCLASS ?? "esp32" : undefined,
			config: { ...target?.config, ...host.config, ...section },
			usbDebug: Number(target?.build?.USE_USB ?? 0) !== 0,
		});
	};
	const folders = readdirSync(join(root, TARGETS), { withFileTypes: true })
		.filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
	for (const folder of folders)
		board(folder, `esp32:./hosts/esp32/targets/${folder}`, readManifest(join(root, TARGETS, folder, "manifest.json")));
	for (const key of Object.keys(host.platforms ?? {}).sort()) {
		const [platform, name] = key.split("/");
		if (platform !== "esp32" || !name || folders.includes(name))
			continue;
		const sdkTarget = moddable && join(moddable, "build", "devices", "esp32", "targets", name, "manifest.json");
		board(name, key, sdkTarget && existsSync(sdkTarget) ? readManifest(sdkTarget) : undefined);
	}
	return boards;
}

/** The display's pins, from the target's ILI9341 and SPI defines (and the SDK's `backlight` config); empty when the target manifest is not at hand. */
export function displayPins(board: Esp32Board): { select?: number; dataCommand?: number; reset?: number; backlight?: number; clock?: number; out?: number; in?: number; spiPort?: string } {
	const ili9341 = board.target?.defines?.ili9341 as Record<string, unknown> | undefined;
	const spi = board.target?.defines?.spi as Record<string, number> | undefined;
	if (!ili9341)
		return {};
	const pin = (value: unknown) => typeof value === "number" ? value : undefined;
	return {
		select: pin(ili9341.cs_pin),
		dataCommand: pin(ili9341.dc_pin),
		reset: pin(ili9341.rst_pin),
		backlight: pin(ili9341.backlight_pin) ?? pin(board.target?.config?.backlight),
		clock: spi?.sck_pin, out: spi?.mosi_pin, in: spi?.miso_pin,
		spiPort: typeof ili9341.spi_port === "string" ? ili9341.spi_port : undefined,
	};
}
