/*
 * Where the device compile check gets its headers and compilers: ESP-IDF
 * itself when $IDF_PATH is set, else the compile kit in ../shared/device
 * (XS_CLUSTER_DEVICE_KIT overrides the kit's place and wins over
 * $IDF_PATH). Node only (host tool).
 */
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { idfToolchain } from "./idf.js";
import { kitToolchain } from "./kit.js";
import type { Chip } from "./plan.js";

/** ESP-IDF's warnings as errors, as ESP-IDF v6.0 builds components (../shared/device/README.md, WARN). */
export const WARN = [
	"-Wall", "-Werror", "-Wno-error=unused-function", "-Wno-error=unused-variable",
	"-Wno-error=unused-but-set-variable", "-Wno-error=deprecated-declarations", "-Wextra",
	"-Wno-error=extra", "-Wno-unused-parameter", "-Wno-sign-compare", "-Wno-enum-conversion",
	"-Wno-old-style-declaration",
];

/** One compile, in the terms every toolchain understands. */
export interface Compile {
	chip: Chip;
	source: string;
	object: string;
	/** The project's module header folders (mcconfig's DIRECTORIES). */
	moduleDirs: string[];
	/** C_FLAGS_SUBPLATFORM, split, $(IDF_PATH) already replaced; then -include proj-sdkconfig.h (kit). */
	flags: string[];
	/** Folder of the generated mc.defines.h and mc.xs.h (kit only). */
	generated: string;
}

export interface Toolchain {
	/** Where the headers come from, for the summary line. */
	readonly name: string;
	/** What $(IDF_PATH) in a manifest stands for. */
	readonly idfPath: string;
	/** Whether the check writes mc.defines.h and proj-sdkconfig.h (a real build's tmp folder has its own). */
	readonly generatesHeaders: boolean;
	/** ESP-IDF's Kconfig option names (without CONFIG_) for the chips, to check the project's sdkconfig against; null when unknown. */
	knownOptions(chips: readonly Chip[]): ReadonlySet<string> | null;
	/** null when all the chips need is here, else one line: what is missing and how to get it. */
	missing(chips: readonly Chip[]): string | null;
	/** The compiler's argv for one compile. */
	command(compile: Compile): string[];
}

/** The toolchain this environment asks for. Runs on Node; reads the file system. */
export function findToolchain(root: string, env: Record<string, string | undefined>): Toolchain {
	if (env.IDF_PATH && !env.XS_CLUSTER_DEVICE_KIT)
		return idfToolchain(root, env);
	return kitToolchain(env.XS_CLUSTER_DEVICE_KIT ?? join(root, "..", "shared", "device"), root);
}

/** Whether `command` runs on this machine (a compiler on PATH). */
export function runs(command: string, ...args: string[]): boolean {
	try {
		execFileSync(command, args.length ? args : ["--version"], { stdio: "ignore" });
		return true;
	}
	catch {
		return false;
	}
}
