/*
 * The compile kit (../shared/device): ESP-IDF v6.0's headers and sdkconfig.h
 * per chip, the C library and XS headers, compiled with Debian's
 * riscv64-unknown-elf-gcc (esp32c3, esp32c6) and clang-22's Xtensa target
 * (esp32, esp32s3). The commands are the kit's cc.sh, word for word, with
 * the project's module folders and generated headers spliced into the
 * include list where mcconfig puts them. Node only (host tool).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import type { Chip } from "./plan.js";
import { type Compile, runs, type Toolchain, WARN } from "./toolchain.js";

const GCC = "riscv64-unknown-elf-gcc", CLANG = "clang-22";
const DEFINES = ["-DESP_PLATFORM", '-DIDF_VER="v6.0"', "-DSOC_MMU_PAGE_SIZE=CONFIG_MMU_PAGE_SIZE",
	"-DSOC_XTAL_FREQ_MHZ=CONFIG_XTAL_FREQ", "-D_GNU_SOURCE", "-D_POSIX_READER_WRITER_LOCKS"];
/** Moddable's own C_DEFINES (make.esp32.mk), after -DESP32=n. */
const MODDABLE_DEFINES = ["-D__ets__", "-U__STRICT_ANSI__", "-DmxUseDefaultSharedChunks=1"];
const COMMON = ["-c", "-Os", "-ffunction-sections", "-fdata-sections", "-fno-jump-tables", "-std=gnu17"];
/** The ESP32 LX6 core's features: Debian's clang-22 has no -mcpu=esp32 (used for S3 too; code generation only). */
const XTENSA_FEATURES = ["windowed", "density", "mul16", "mul32", "mul32high", "div32", "bool", "loop", "sext",
	"nsa", "minmax", "clamps", "mac16", "s32c1i", "fp", "debug", "exception", "highpriinterrupts", "interrupt",
	"prid", "regprotect", "rvector", "coprocessor", "miscsr", "threadptr"];
const TARGET: Record<Chip, number> = { esp32: 1, esp32s3: 3, esp32c3: 4, esp32c6: 5 };
const RISCV_ARCH: Partial<Record<Chip, string>> = { esp32c3: "rv32imc_zicsr_zifencei", esp32c6: "rv32imac_zicsr_zifencei" };

/** The kit at `kit` as a toolchain. Runs on Node; reads the kit lazily. */
export function kitToolchain(kit: string, root: string): Toolchain {
	const includes = new Map<Chip, string[]>();
	let gccInclude = "";
	return {
		name: `${relative(root, kit).startsWith("../..") ? kit : relative(root, kit)} (ESP-IDF v6.0 headers)`,
		idfPath: join(kit, "esp-idf-v6.0"),
		generatesHeaders: true,
		knownOptions(chips) {
			// The options kconfgen wrote for each chip (sdkconfig/<chip>/sdkconfig.json), all chips together.
			const names = new Set<string>();
			for (const chip of chips) {
				const path = join(kit, "sdkconfig", chip, "sdkconfig.json");
				if (!existsSync(path))
					return null;
				for (const name of Object.keys(JSON.parse(readFileSync(path, "utf8"))))
					names.add(name);
			}
			return names;
		},
		missing(chips) {
			if (!chips.every(chip => existsSync(join(kit, "inc", `${chip}.txt`))))
				return `compile kit not found at ${kit} (it is ../shared/device beside the repository; ` +
					"set XS_CLUSTER_DEVICE_KIT to its folder, or IDF_PATH to an ESP-IDF v6.0 checkout)";
			const absent = [...new Set(chips.map(compilerOf))].filter(command => !runs(command));
			if (!absent.length)
				return null;
			const packages = absent.map(command => command === GCC ? "gcc-riscv64-unknown-elf" : CLANG).join(" ");
			return `${absent.join(" and ")} not found on PATH (Debian 12: apt-get install ${packages}` +
				`${absent.includes(CLANG) ? "; clang-22 comes from bookworm-security main" : ""})`;
		},
		command(compile) {
			const { chip } = compile;
			if (!includes.has(chip))
				includes.set(chip, readFileSync(join(kit, "inc", `${chip}.txt`), "utf8").split("\n").filter(Boolean).map(dir => join(kit, dir)));
			const include = includeList(kit, includes.get(chip)!, compile).map(dir => `-I${dir}`);
			const defines = [...DEFINES, `-DESP32=${TARGET[chip]}`, ...MODDABLE_DEFINES];
			const tail = [...compile.flags, compile.source, "-o", compile.object];
			const arch = RISCV_ARCH[chip];
			if (arch) {
				gccInclude ||= execFileSync(GCC, ["-print-file-name=include"], { encoding: "utf8" }).trim();
				return [GCC, `-march=${arch}`, "-mabi=ilp32", "-nostdinc", "-isystem", gccInclude, "-isystem", `${gccInclude}-fixed`,
					"-isystem", join(kit, "newlib", "riscv", "include"), ...defines, ...include, ...COMMON,
					"-fstrict-volatile-bitfields", "-fno-tree-switch-conversion", ...WARN, ...tail];
			}
			return [CLANG, "--target=xtensa", "-mcpu=generic", ...XTENSA_FEATURES.flatMap(f => ["-Xclang", "-target-feature", "-Xclang", `+${f}`]),
				"-nostdlibinc", "-isystem", join(kit, "newlib", "xtensa", "include"), ...defines, ...include, ...COMMON,
				...WARN, "-Wno-unknown-warning-option", ...tail];
		},
	};
}

function compilerOf(chip: Chip): string {
	return RISCV_ARCH[chip] ? GCC : CLANG;
}

/**
 * The kit's include list (Moddable's order: module folders, ESP-IDF, XS,
 * sdkconfig, the build's tmp folder xs/gen) with the project's module
 * folders after the SDK's and the generated headers' folder ahead of the
 * kit's stand-ins (mc.defines.h, mc.xs.h).
 */
function includeList(kit: string, dirs: string[], compile: Compile): string[] {
	const sdkModules = Math.max(0, dirs.findIndex(dir => !dir.startsWith(join(kit, "xs", "modules"))));
	const gen = dirs.includes(join(kit, "xs", "gen")) ? dirs.indexOf(join(kit, "xs", "gen")) : dirs.length;
	return [...dirs.slice(0, sdkModules), ...compile.moduleDirs, ...dirs.slice(sdkModules, gen), compile.generated, ...dirs.slice(gen)];
}
