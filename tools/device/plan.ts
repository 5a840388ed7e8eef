/*
 * What the device compile check compiles: the esp32 build's C files for all
 * four chips, and each board's build for that board's chip where the board
 * changes something (its own C files, C_FLAGS_SUBPLATFORM, module headers,
 * sdkconfig or defines). Boards are the "esp32/<board>" keys of the
 * manifests' "platforms" sections and the project's own targets
 * (hosts/esp32/targets/<board>/manifest.json, built with
 * `-p esp32:<folder>`). Node only (host tool).
 */
import { existsSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { type ManifestBuild, matchPlatform, readManifest, readManifests } from "./manifests.js";

export const CHIPS = ["esp32", "esp32s3", "esp32c3", "esp32c6"] as const;
export type Chip = typeof CHIPS[number];

/** One platform's build, as far as its C is concerned. */
export interface Variant {
	/** "esp32" or "esp32/<board>". */
	platform: string;
	chips: Chip[];
	files: string[];
	moduleDirs: string[];
	/** C_FLAGS_SUBPLATFORM as written ($(IDF_PATH) not yet replaced), and the manifest that set it. */
	cFlags: { value: string; from: string } | null;
	/** The project's sdkconfig.defaults (SDKCONFIGPATH), when there is one. */
	sdkconfig: string | null;
	defines: Record<string, unknown>;
	errors: string[];
	/** What the check could not tell about this board and how it went on. */
	note?: string;
}

/** One compile: a file, for a chip, with a variant's settings. */
export interface Job {
	variant: Variant;
	chip: Chip;
	file: string;
}

export interface Plan {
	base: Variant;
	boards: Variant[];
}

/** Reads the project's manifests into the builds to compile. Runs on Node; allocates. */
export function planBuilds(root: string, moddable: string | undefined): Plan {
	const manifest = join(root, "manifest.json");
	const baseBuild = readManifests(root, manifest, "esp32");
	const base = variantOf("esp32", [...CHIPS], baseBuild);
	const targets = projectTargets(root, manifest);
	const queue = [...targets.keys(), ...boardKeys(baseBuild)];
	const boards: Variant[] = [];
	for (let i = 0; i < queue.length; i++) {
		const platform = queue[i];
		if (queue.indexOf(platform) !== i)
			continue;
		const build = readManifests(root, manifest, platform, targets.get(platform));
		queue.push(...boardKeys(build));
		const { chips, note } = boardChips(platform, build, targets.has(platform), moddable);
		boards.push({ ...variantOf(platform, chips, build), note });
	}
	return { base, boards };
}

/**
 * The compiles of a plan, each (file, chip, settings) once: a board that only
 * changes config values adds none; one that adds a C file adds that file for
 * its chip; one that changes a flag, a module header folder, sdkconfig or
 * defines (mc.defines.h) adds all its files for its chip. Runs on Node; allocates.
 */
export function jobsOf(plan: Plan): Job[] {
	const done = new Set<string>(), jobs: Job[] = [];
	for (const variant of [plan.base, ...plan.boards]) {
		const settings = settingsOf(variant);
		for (const chip of variant.chips)
			for (const file of variant.files) {
				const key = `${file}\n${chip}\n${settings}`;
				if (!done.has(key)) {
					done.add(key);
					jobs.push({ variant, chip, file });
				}
			}
	}
	return jobs;
}

/** Whether a board builds its C differently from the base esp32 build (so its note matters). */
export function differs(board: Variant, base: Variant): boolean {
	return settingsOf(board) !== settingsOf(base) || board.files.some(file => !base.files.includes(file));
}

function settingsOf(variant: Variant): string {
	return JSON.stringify([variant.moduleDirs, variant.cFlags?.value, variant.sdkconfig, variant.defines]);
}

function variantOf(platform: string, chips: Chip[], build: ManifestBuild): Variant {
	const flags = build.build.get("C_FLAGS_SUBPLATFORM");
	const sdkconfigPath = build.build.get("SDKCONFIGPATH")?.value;
	const sdkconfig = sdkconfigPath && !sdkconfigPath.startsWith("$(") ? join(sdkconfigPath, "sdkconfig.defaults") : null;
	return {
		platform, chips, files: build.cFiles, moduleDirs: build.moduleDirs,
		cFlags: flags ? { value: flags.value, from: flags.from } : null,
		sdkconfig: sdkconfig && existsSync(sdkconfig) ? sdkconfig : null,
		defines: build.defines, errors: build.errors,
	};
}

function boardKeys(build: ManifestBuild): string[] {
	return [...build.platformKeys].filter(key => key.startsWith("esp32/"));
}

/** The project's own boards: "esp32/<SUBPLATFORM or folder>" to the target's manifest. */
function projectTargets(root: string, manifest: string): Map<string, string> {
	const targets = new Map<string, string>();
	const section = matchPlatform((readManifest(root, manifest).platforms ?? {}) as Record<string, unknown>, "esp32");
	const host = [section?.include].flat()[0];
	if (typeof host !== "string")
		return targets;
	const folder = join(dirname(join(root, host)), "targets");
	for (const name of existsSync(folder) ? readdirSync(folder).sort() : []) {
		const path = join(folder, name, "manifest.json");
		if (!existsSync(path))
			continue;
		const build = (readManifest(root, path).build ?? {}) as Record<string, unknown>;
		targets.set(`esp32/${typeof build.SUBPLATFORM === "string" ? build.SUBPLATFORM : name}`, path);
	}
	return targets;
}

/**
 * A board's chip: ESP32_SUBCLASS of the project's target, else of the SDK's
 * build/devices/esp32/targets/<board> ($MODDABLE), else the board's name when
 * it is a chip's (the SDK's esp32c6, esp32s3 dev boards); unknown, all four.
 */
function boardChips(platform: string, build: ManifestBuild, own: boolean, moddable: string | undefined): { chips: Chip[]; note?: string } {
	const board = platform.slice("esp32/".length);
	const sdkTarget = moddable ? join(moddable, "build", "devices", "esp32", "targets", board, "manifest.json") : "";
	let subclass: unknown;
	if (own)
		subclass = build.build.get("ESP32_SUBCLASS")?.value ?? "esp32";
	else if (sdkTarget && existsSync(sdkTarget))
		subclass = ((readManifest(moddable!, sdkTarget).build ?? {}) as Record<string, unknown>).ESP32_SUBCLASS ?? "esp32";
	else if ((CHIPS as readonly string[]).includes(board))
		subclass = board;
	else
		return { chips: [...CHIPS], note: `${platform}: its chip is unknown without the Moddable SDK ($MODDABLE); what it adds is compiled for all four chips` };
	if ((CHIPS as readonly unknown[]).includes(subclass))
		return { chips: [subclass as Chip] };
	return { chips: [], note: `${platform}: ${String(subclass)} is not one of the chips checked (${CHIPS.join(", ")}); skipped` };
}
