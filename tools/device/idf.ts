/*
 * ESP-IDF itself ($IDF_PATH, v6.0) as the device check's toolchain: ESP-IDF's
 * own compilers with the flags of a real Moddable build of this app, one
 * build per chip. What it needs besides $IDF_PATH:
 * - ESP-IDF's compilers on PATH (`. $IDF_PATH/export.sh`):
 *   xtensa-esp32-elf-gcc, xtensa-esp32s3-elf-gcc, riscv32-esp-elf-gcc;
 * - make, and per chip one finished build of this app
 *   (`mcconfig -d -m -t build -p esp32/<board>` for a board of that chip).
 *   Its tmp folder ($MODDABLE/build/tmp/esp32/<board>/debug/<app>/, found
 *   there, or listed PATH-style in XS_CLUSTER_IDF_BUILDS) holds the makefile
 *   mcconfig wrote, the sdkconfig.h ESP-IDF's kconfig made from the SDK's and
 *   the project's sdkconfig.defaults (xsProj-<chip>/build/config/), mc.defines.h
 *   and mc.xs.h. That sdkconfig.h is the real one, so proj-sdkconfig.h is not
 *   forced in, and mc.defines.h is not generated.
 * `make` prints that build's $(CC) $(C_DEFINES) $(C_INCLUDES) $(C_FLAGS) with
 * C_FLAGS_SUBPLATFORM emptied: the check adds the manifests' own, so a
 * manifest changed since the build counts. Written and reviewed where no
 * ESP-IDF is installed: not run there. Node only (host tool).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, delimiter, join } from "node:path";
import { CHIPS, type Chip } from "./plan.js";
import { runs, type Toolchain, WARN } from "./toolchain.js";

/** ESP-IDF's compiler for a chip (make.esp32.mk GXX_PREFIX). */
function compilerOf(chip: Chip): string {
	return chip === "esp32c3" || chip === "esp32c6" ? "riscv32-esp-elf-gcc" : `xtensa-${chip}-elf-gcc`;
}

/** $IDF_PATH and this app's Moddable builds as a toolchain. Runs on Node; runs make once per chip. */
export function idfToolchain(root: string, env: Record<string, string | undefined>): Toolchain {
	const idf = env.IDF_PATH!;
	let builds: Map<Chip, string> | undefined;
	const flags = new Map<Chip, string[][]>();
	const buildOf = (chip: Chip) => (builds ??= findBuilds(root, env)).get(chip);
	return {
		name: `${idf} (ESP-IDF, flags of this app's Moddable builds)`,
		idfPath: idf,
		generatesHeaders: false,
		// A real build drops unknown keys itself; its proj-sdkconfig.h is not written here.
		knownOptions: () => null,
		missing(chips) {
			if (!existsSync(join(idf, "components")))
				return `IDF_PATH=${idf} is not an ESP-IDF checkout (no components folder)`;
			if (!runs("make"))
				return "make not found on PATH (the flags come from a Moddable build's makefile)";
			const unbuilt = chips.filter(chip => !buildOf(chip));
			if (unbuilt.length)
				return `no Moddable build of this app for ${unbuilt.join(", ")} (run mcconfig -d -m -t build -p esp32/<board> ` +
					"for a board of each chip, or list build tmp folders in XS_CLUSTER_IDF_BUILDS)";
			const unfinished = chips.filter(chip => !existsSync(join(buildOf(chip)!, `xsProj-${chip}`, "build", "config", "sdkconfig.h")));
			if (unfinished.length)
				return `the ${unfinished.join(", ")} build has no sdkconfig.h yet (${buildOf(unfinished[0])}): let mcconfig -t build finish`;
			const absent = [...new Set(chips.map(compilerOf))].filter(command => !runs(command));
			return absent.length ? `${absent.join(" and ")} not found on PATH (ESP-IDF's compilers: run . $IDF_PATH/export.sh)` : null;
		},
		command(compile) {
			if (!flags.has(compile.chip))
				flags.set(compile.chip, makeFlags(buildOf(compile.chip)!, env));
			const [[cc], defines, includes, cFlags] = flags.get(compile.chip)!;
			return [cc, ...defines, ...compile.moduleDirs.map(dir => `-I${dir}`), ...includes, ...cFlags, ...WARN,
				...compile.flags, compile.source, "-o", compile.object];
		},
	};
}

/** This app's build tmp folders by chip: the newest makefile for each ESP32_SUBCLASS. */
function findBuilds(root: string, env: Record<string, string | undefined>): Map<Chip, string> {
	const app = basename(root), tmp = join(env.MODDABLE ?? "", "build", "tmp", "esp32");
	const folders = env.XS_CLUSTER_IDF_BUILDS?.split(delimiter).filter(Boolean)
		?? (env.MODDABLE && existsSync(tmp) ? readdirSync(tmp).flatMap(board =>
			["debug", "instrument", "release"].map(kind => join(tmp, board, kind, app))) : []);
	const found = new Map<Chip, { folder: string; time: number }>();
	for (const folder of folders) {
		const makefile = join(folder, "makefile");
		if (!existsSync(makefile))
			continue;
		const subclass = /^ESP32_SUBCLASS = (\S+)$/m.exec(readFileSync(makefile, "utf8"))?.[1] ?? "esp32";
		const time = statSync(makefile).mtimeMs;
		if ((CHIPS as readonly string[]).includes(subclass) && time > (found.get(subclass as Chip)?.time ?? -1))
			found.set(subclass as Chip, { folder, time });
	}
	return new Map([...found].map(([chip, { folder }]) => [chip, folder]));
}

/** [CC], C_DEFINES, C_INCLUDES, C_FLAGS of a build, each split into words, as its makefile expands them. */
function makeFlags(folder: string, env: Record<string, string | undefined>): string[][] {
	const print = "xs-cluster-flags: ; $(info $(CC))$(info $(C_DEFINES))$(info $(C_INCLUDES))$(info $(C_FLAGS))@:";
	const output = execFileSync("make", ["-s", "-f", join(folder, "makefile"), "C_FLAGS_SUBPLATFORM=", `--eval=${print}`, "xs-cluster-flags"],
		{ cwd: folder, env: { ...env }, encoding: "utf8" });
	return output.split("\n").slice(0, 4).map(line => line.split(/\s+/).filter(Boolean));
}
