/*
 * The machines the C engines' tests and the bench run on: the host (`cc`,
 * with UndefinedBehaviorSanitizer, so a misaligned access or a shift out of
 * range stops the run as it may stop an Xtensa ESP32) and a 32-bit RISC-V
 * core with the ESP32-C3's instruction set (rv32imc, ilp32: 32-bit pointers
 * and longs, no FPU), so that 32-bit assumptions fail here before they fail
 * on a board. QEMU does not trap misaligned accesses, and every target is
 * little-endian, as the ESP32 family is.
 *
 * RV32 programs are built with Debian's `riscv64-unknown-elf-gcc` and
 * picolibc (`picolibc-riscv64-unknown-elf`) for QEMU's `virt` machine
 * (`qemu-system-misc`) and run there bare-metal: semihosting carries the
 * arguments, the host files they read and write, and the exit status. With
 * `icount` QEMU retires one instruction per clock tick, so the `minstret`
 * CSR (bench/native/rv32.h) counts instructions exactly and repeatably.
 *
 * Node only (vitest and the bench); allocates freely.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { describe, test } from "vitest";

/** One C file and the flags it is compiled with (standard, warnings). */
export interface CUnit {
	source: string;
	flags?: string[];
}

export interface CTarget {
	/** What it is, for test titles: "host cc", "rv32imc (QEMU)". */
	readonly name: string;
	/** Null when it can build and run here; else what is missing and how to get it. */
	readonly missing: string | null;
	/** Compiles each unit with `include` folders and links them into `output`. Throws with the compiler's message. */
	build(units: ReadonlyArray<CUnit>, include: ReadonlyArray<string>, output: string): void;
	/**
	 * Runs `executable` with `args` (host paths) and returns its standard
	 * output. Throws, with its output, on a non-zero exit or a run over
	 * `timeoutMs`. `icount`: one instruction per tick (RV32 only; minstret exact).
	 */
	run(executable: string, args: ReadonlyArray<string>, options?: { icount?: boolean; timeoutMs?: number }): string;
}

function runs(command: string, args: string[]): boolean {
	return spawnSync(command, args, { stdio: "ignore" }).status === 0;
}

function compile(compiler: string, base: string[], units: ReadonlyArray<CUnit>, include: ReadonlyArray<string>, output: string): void {
	const includes = include.flatMap(dir => ["-I", dir]);
	const objects = units.map((unit, i) => {
		const object = `${output}.${i}.o`;
		execFileSync(compiler, [...base, ...(unit.flags ?? ["-O2"]), ...includes, "-c", unit.source, "-o", object], { stdio: "pipe" });
		return object;
	});
	execFileSync(compiler, [...base, "-o", output, ...objects, "-lm"], { stdio: "pipe" });
}

/** The machine the tests run on. */
export const hostTarget: CTarget = {
	name: "host cc",
	missing: runs("cc", ["--version"]) ? null : "no C compiler `cc` on PATH (Debian: apt-get install build-essential)",
	build(units, include, output) {
		compile("cc", ["-fsanitize=undefined", "-fno-sanitize-recover=all"], units, include, output);
	},
	run(executable, args, options = {}) {
		return execFileSync(executable, [...args], { stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutMs ?? 120_000 }).toString();
	},
};

const RV32_GCC = "riscv64-unknown-elf-gcc";
const QEMU = "qemu-system-riscv32";
/** QEMU virt's RAM starts at 0x80000000: 4 MiB for code, then the rest of 256 MiB for data, heap and stack. */
const RV32_LINK = [
	"--specs=picolibc.specs", "--oslib=semihost", "--crt0=semihost",
	"-Wl,--defsym=__flash=0x80000000", "-Wl,--defsym=__flash_size=0x400000",
	"-Wl,--defsym=__ram=0x80400000", "-Wl,--defsym=__ram_size=0xFC00000",
];

function rv32Missing(): string | null {
	const gcc = runs(RV32_GCC, ["--version"]);
	// GCC prints the full path of a file it finds, the bare name of one it does not.
	const picolibc = gcc && existsSync(execFileSync(RV32_GCC, ["-print-file-name=picolibc.specs"]).toString().trim());
	const qemu = runs(QEMU, ["--version"]);
	if (gcc && picolibc && qemu)
		return null;
	const lack = [gcc ? "" : RV32_GCC, picolibc ? "" : "picolibc", qemu ? "" : QEMU].filter(Boolean).join(", ");
	return `no RV32 toolchain (${lack}; Debian: apt-get install gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc)`;
}

/** A 32-bit RISC-V core: the ESP32-C3's rv32imc on QEMU. */
export const rv32Target: CTarget = {
	name: "rv32imc (QEMU)",
	missing: rv32Missing(),
	build(units, include, output) {
		compile(RV32_GCC, ["-march=rv32imc", "-mabi=ilp32", ...RV32_LINK], units, include, output);
	},
	run(executable, args, options = {}) {
		// Semihosting's console is QEMU's standard output (named, or QEMU picks standard error when that is
		// not a terminal); its arguments follow its `arg=` list, a comma in a value written twice.
		const semihosting = ["enable=on", "target=native", "chardev=console", ...args.map(a => `arg=${a.replaceAll(",", ",,")}`)].join(",");
		return execFileSync(QEMU, [
			"-M", "virt", "-m", "256M", "-display", "none", "-bios", "none", "-monitor", "none", "-serial", "none",
			...(options.icount ? ["-icount", "shift=0"] : []),
			"-chardev", "stdio,id=console,signal=off", "-semihosting-config", semihosting, "-kernel", executable,
		], { stdio: ["ignore", "pipe", "pipe"], timeout: options.timeoutMs ?? 180_000 }).toString();
	},
};

/** Every target, host first. */
export const C_TARGETS: ReadonlyArray<CTarget> = [hostTarget, rv32Target];

/**
 * Each test of a target's suite may take this long: an emulated core on a
 * busy 2-core machine runs a few times slower than alone (the longest suite
 * takes about 2 s alone).
 */
const TARGET_TEST_TIMEOUT_MS = 60_000;

/**
 * `describe` for a suite that needs `target`. Where it is missing the suite
 * is one skipped test saying what is missing, except under CI, whose
 * `.ci/run` installs every target: there the suite runs and fails.
 */
export function describeTarget(target: CTarget, title: string, body: () => void): void {
	if (target.missing === null || process.env.CI)
		describe(`${title} (${target.name})`, { timeout: TARGET_TEST_TIMEOUT_MS }, () => {
			if (target.missing !== null)
				test("target present", () => {
					throw new Error(`${target.missing}: .ci/run installs it`);
				});
			else
				body();
		});
	else
		describe(`${title} (${target.name})`, () => {
			test.skip(`skipped: ${target.missing}`, () => {});
		});
}
