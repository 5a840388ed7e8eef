/*
 * The ESP32's native receive, queue and decode path on its own instruction
 * set, for the bench: bench/native/rv32-bench.c built for rv32imc (the
 * ESP32-C3's, no FPU) with ESP-IDF's -Os and run on QEMU with one instruction
 * per tick (test/support/c-targets.ts), so minstret counts exactly what the
 * path executes per frame. Each workload's store words are first checked
 * against the TypeScript decoder's on the same frames.
 *
 * Node only (the bench); allocates freely. Null with a reason where the RV32
 * toolchain is missing.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { projectRoot } from "../test/support/xs-engine.js";
import { rv32Target } from "../test/support/c-targets.js";
import { benchWordsAgree, writeBenchGroups, type CBenchWorkload, type WordsCheck } from "./native-xs.js";

export interface Rv32Result {
	frames: number;
	/** rv32imc instructions per frame: the receive ring's push (the ISR), read + queue, decode, and their sum. */
	receive: number;
	queue: number;
	decode: number;
	total: number;
	/** The store words after one pass equal the TypeScript decoder's, and every frame was decoded. */
	agreesWithTypeScript: boolean;
}

/** Frames queued per read and pump: TwaiSource's 128-record batch. */
export const RV32_BATCH = 128;

export function rv32Costs(dir: string, workloads: ReadonlyArray<CBenchWorkload>, check: WordsCheck): { results: Map<string, Rv32Result> } | { reason: string } {
	if (rv32Target.missing)
		return { reason: rv32Target.missing };
	mkdirSync(dir, { recursive: true });
	const binary = join(dir, "rv32-bench.elf");
	const native = join(projectRoot, "modules", "signals", "native");
	const flags = ["-Os", "-Wall", "-Werror"];
	try {
		rv32Target.build([{ source: join(native, "decode-engine.c"), flags: ["-std=c99", ...flags] }, { source: join(projectRoot, "bench", "native", "rv32-bench.c"), flags: ["-std=c11", ...flags] }],
			[native, join(projectRoot, "hosts", "esp32", "twai")], binary);
	}
	catch (error) {
		const e = error as { stderr?: Buffer; message: string };
		return { reason: `rv32 build failed: ${(e.stderr?.toString() || e.message).split("\n").slice(0, 3).join(" ")}` };
	}
	const results = new Map<string, Rv32Result>();
	for (const workload of workloads) {
		const name = workload.name;
		const args = writeBenchGroups(dir, workload);
		const passes = 4;
		const out = rv32Target.run(binary, [String(passes), String(RV32_BATCH), join(dir, `${name}-words`), ...args], { icount: true });
		const [frames, receive, queue, decode, decoded] = out.trim().split(/\s+/).map(Number);
		if (!(frames > 0 && receive > 0 && queue > 0 && decode > 0))
			return { reason: `rv32-bench printed '${out.trim()}', not its counts` };
		const agrees = decoded === frames && benchWordsAgree(join(dir, `${name}-words`), workload, check);
		const round1 = (n: number) => Math.round(n / frames * 10) / 10;
		results.set(name, {
			frames, receive: round1(receive), queue: round1(queue), decode: round1(decode), total: round1(receive + queue + decode), agreesWithTypeScript: agrees,
		});
	}
	return { results };
}
