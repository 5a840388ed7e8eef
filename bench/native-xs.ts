/*
 * The native decode engine inside XS, for the bench: builds a second xsnap
 * worker, the stock one (node_modules/@agoric/xsnap, built by `npm ci`) with
 * the engine (modules/signals/native/decode-engine.c, record-engine.c), its XS binding
 * (decode-engine-xs.c) and bench/native/xsnap-engine.c linked in, so the
 * NativeDecoder module runs in XS exactly as in the simulator build; and the
 * C engine alone (bench/native/engine-bench.c), for the share of the C side.
 *
 * Node only (the bench); allocates freely. Uses the host `cc` and the stock
 * worker's object files; returns null (and says why) when either is missing.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectRoot, startXsHost, type XsWorker } from "../test/support/xs-engine.js";
import { ALLOCATORS, readDump } from "./callgrind.js";

const XSNAP = join(projectRoot, "node_modules", "@agoric", "xsnap");
const XSNAP_SOURCES = join(XSNAP, "xsnap-native", "xsnap", "sources");
const XSNAP_OBJECTS = join(XSNAP, "xsnap-native", "xsnap", "build", "tmp", "lin", "release", "xsnap-worker");
const XS = join(XSNAP, "moddable", "xs");
const ENGINE = join(projectRoot, "modules", "signals", "native");

/** The stock worker's compile options (xsnap-native/xsnap/makefiles/lin/xsnap-worker.mk, release). */
const XSNAP_OPTIONS = [
	"-fno-common", "-DINCLUDE_XSPLATFORM", "-DXSPLATFORM=\"xsnapPlatform.h\"", "-DXSNAP_VERSION=\"xs-cluster-bench\"",
	"-DXSNAP_TEST_RECORD=0", "-DmxLockdown=1", "-DmxMetering=1", "-DmxDebug=1", "-UmxInstrument", "-DmxNoConsole=1",
	"-DmxBoundsCheck=1", "-DmxParse=1", "-DmxRun=1", "-DmxSloppy=1", "-DmxSnapshot=1", "-DmxRegExpUnicodePropertyEscapes=1",
	"-DmxStringNormalize=1", "-DmxMinusZero=1",
	`-I${join(XS, "includes")}`, `-I${join(XS, "platforms")}`, `-I${join(XS, "sources")}`, `-I${XSNAP_SOURCES}`, `-I${XSNAP_OBJECTS}`,
	`-I${ENGINE}`, "-O3", "-w",
];

/** Null when buildNativeWorker can run here, else why not. */
export function nativeWorkerUnavailable(): string | null {
	if (!existsSync(XSNAP_OBJECTS))
		return `the stock xsnap worker's objects are missing (${XSNAP_OBJECTS}); run \`npm ci\``;
	try {
		execFileSync("cc", ["--version"], { stdio: "pipe" });
	}
	catch {
		return "no C compiler `cc` on PATH";
	}
	return null;
}

/**
 * Builds `xsnap-native-worker` in `dir`: xsnap-worker.c with one line added
 * (its xsBuildAgent calls sdeInstall, which defines `globalThis.sdeEngine`),
 * linked with the stock objects and the engine. Returns its path, or a reason.
 */
export function buildNativeWorker(dir: string): { worker: string } | { reason: string } {
	if (!existsSync(XSNAP_OBJECTS))
		return { reason: `the stock xsnap worker's objects are missing (${XSNAP_OBJECTS}); run \`npm ci\`` };
	mkdirSync(dir, { recursive: true });
	const source = readFileSync(join(XSNAP_SOURCES, "xsnap-worker.c"), "utf8");
	const hook = "\tmodInstallBase64(the);\n";
	if (!source.includes(hook))
		return { reason: "xsnap-worker.c changed: no modInstallBase64 call to hook sdeInstall after" };
	const patched = join(dir, "xsnap-worker.c");
	writeFileSync(patched, source.replace(hook, hook + "\t{ extern void sdeInstall(xsMachine *the); sdeInstall(the); }\n"));
	const objects: string[] = [];
	try {
		for (const file of [patched, join(projectRoot, "bench", "native", "xsnap-engine.c"), join(ENGINE, "decode-engine-xs.c"), join(ENGINE, "decode-engine.c"), join(ENGINE, "record-engine.c"), join(ENGINE, "slcan-engine.c")]) {
			const object = join(dir, file.split("/").pop()!.replace(/\.c$/, ".o"));
			execFileSync("cc", [...XSNAP_OPTIONS, "-c", file, "-o", object], { stdio: "pipe" });
			objects.push(object);
		}
		const stock = readdirSync(XSNAP_OBJECTS).filter(f => f.endsWith(".o") && f !== "xsnap-worker.o").map(f => join(XSNAP_OBJECTS, f));
		const worker = join(dir, "xsnap-native-worker");
		execFileSync("cc", ["-rdynamic", ...stock, ...objects, "-ldl", "-lm", "-lpthread", "-o", worker], { stdio: "pipe" });
		return { worker };
	}
	catch (error) {
		const e = error as { stderr?: Buffer; message: string };
		return { reason: `cc failed: ${(e.stderr?.toString() || e.message).split("\n").slice(0, 5).join(" ")}` };
	}
}

/* ---- the C engine alone ---- */

export interface EngineResult { instructionsPerFrame: number; agreesWithTypeScript: boolean }

/** A workload of the C benches: per group a plan and its packed frames (bench/frames.ts). */
export interface CBenchWorkload {
	name: string;
	groups: ReadonlyArray<{ plan: ArrayBuffer; frames: Uint8Array }>;
}

/** A group's store words as the C benches write them and the TypeScript decoder's agree. */
export type WordsCheck = (name: string, group: number, words: Uint32Array) => boolean;

/**
 * Writes a workload's plan and frame files into `dir` and returns them as
 * the C benches' arguments (bench/native/bench-groups.h).
 */
export function writeBenchGroups(dir: string, workload: CBenchWorkload): string[] {
	return workload.groups.flatMap((group, g) => {
		const plan = join(dir, `${workload.name}-plan${g}.bin`), frames = join(dir, `${workload.name}-frames${g}.bin`);
		writeFileSync(plan, new Uint8Array(group.plan));
		writeFileSync(frames, group.frames);
		return [plan, frames];
	});
}

/** Whether every group's store words, written by a C bench under `prefix`, pass `check`. */
export function benchWordsAgree(prefix: string, workload: CBenchWorkload, check: WordsCheck): boolean {
	return workload.groups.every((_, g) => {
		const bytes = readFileSync(`${prefix}${g}.bin`);
		return check(workload.name, g, new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length)));
	});
}

/**
 * bench/native/engine-bench.c, built with the host `cc -O2`: the frames
 * through a FrameRing-shaped ring drained by sde_pump every `batch` frames,
 * under callgrind counting inside sde_pump only (--toggle-collect), divided
 * by the frames pumped. `check(group, words)` says whether a plan's store words
 * after one pass agree with the TypeScript decoder's. Null without `cc`.
 */
export function engineCosts(dir: string, batch: number, workloads: ReadonlyArray<CBenchWorkload>, check: WordsCheck): Map<string, EngineResult> | null {
	mkdirSync(dir, { recursive: true });
	const binary = join(dir, "engine-bench");
	try {
		execFileSync("cc", ["-std=c11", "-O2", "-I", ENGINE, "-o", binary, join(projectRoot, "bench", "native", "engine-bench.c"), join(ENGINE, "decode-engine.c"), "-lm"], { stdio: "pipe" });
	}
	catch {
		return null;
	}
	const results = new Map<string, EngineResult>();
	for (const workload of workloads) {
		const { name, groups } = workload;
		const args = writeBenchGroups(dir, workload);
		execFileSync(binary, ["1", String(batch), join(dir, `${name}-words`), ...args], { stdio: "pipe" });
		let agrees = benchWordsAgree(join(dir, `${name}-words`), workload, check);
		const passes = 10;
		const out = join(dir, `${name}.cg`);
		const decoded = Number(execFileSync("valgrind", ["--tool=callgrind", "-q", "--toggle-collect=sde_pump", `--callgrind-out-file=${out}`, binary, String(passes), String(batch), "-", ...args], { stdio: ["ignore", "pipe", "pipe"] }).toString());
		const frames = passes * groups.reduce((n, group) => n + new DataView(group.frames.buffer, group.frames.byteOffset).getUint32(0, true), 0);
		if (decoded !== frames)
			agrees = false;
		results.set(name, { instructionsPerFrame: readDump(out).instructions / frames, agreesWithTypeScript: agrees });
	}
	return results;
}

/* ---- the engine inside XS ---- */

export interface NativeXsWorkload {
	name: string;
	what: string;
	/** Script that builds it in the XS host (bench/xs/host.ts), after the inputs are sent. */
	xs: string;
	/** The TypeScript workload on the same frames, whose store it must match after one pass; null for call workloads. */
	reference: string | null;
	/** Compare update times with the reference too (false when frames are stamped per batch). */
	compareTimes?: boolean;
	/** Calls rather than frames: report per call. */
	perCall?: boolean;
}

export interface NativeXsResult { instructions: number; allocationCalls: number; matchesTypeScript: boolean | null }

/**
 * Runs `workloads` in the engine-linked worker under callgrind, each loop
 * bracketed by performance.now() dumps like the TypeScript workloads, minus
 * its empty loop; instructions and allocator calls per frame (or per call).
 * Before measuring, checks that one pass leaves each decoder's store as its
 * TypeScript reference workload's.
 */
export async function nativeXsCosts(host: string, worker: string, outDir: string, workloads: ReadonlyArray<NativeXsWorkload>,
	send: (worker: XsWorker) => Promise<void>): Promise<Map<string, NativeXsResult>> {
	rmSync(outDir, { recursive: true, force: true });
	mkdirSync(outDir, { recursive: true });
	const xs = await startXsHost(host, {
		wrapper: ["valgrind", "--tool=callgrind", "--dump-before=xs_performance_now", "--compress-strings=no", "--compress-pos=no", `--callgrind-out-file=${join(outDir, "xs.cg")}`, "-q", worker],
	});
	const order: Array<{ name: string; frames: number }> = [];
	const matches = new Map<string, boolean | null>();
	try {
		await send(xs);
		for (const w of workloads) {
			await xs.evaluate(w.xs);
			if (w.reference) {
				const times = w.compareTimes ?? true;
				const native = await xs.evaluate(`xs.storeDigest("${w.name}", ${times})`);
				const reference = await xs.evaluate(`xs.storeDigest("${w.reference}", ${times})`);
				matches.set(w.name, Buffer.compare(Buffer.from(native.bytes), Buffer.from(reference.bytes)) === 0);
			}
			else
				matches.set(w.name, null);
			const perPass = (await xs.evaluateJson<{ frames: number }>(`xs.empty("${w.name}", 1)`)).value.frames;
			const passes = Math.max(1, Math.round(3000 / perPass));
			for (const baseline of [true, false]) {
				await xs.evaluate("gc()");
				const reply = await xs.evaluateJson<{ frames: number }>(`xs.measure("${w.name}", ${passes}, ${baseline})`);
				order.push({ name: w.name, frames: reply.value.frames });
			}
		}
	}
	finally {
		await xs.close();
	}
	// Dump n is written before the n-th performance.now(): dump 2k + 1 holds the k-th loop.
	const dumps = readdirSync(outDir).filter(f => /^xs\.cg\.\d+$/.test(f)).sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]));
	if (dumps.length < order.length * 2)
		throw new Error(`callgrind wrote ${dumps.length} dumps, expected ${order.length * 2}`);
	const results = new Map<string, NativeXsResult>();
	for (let i = 0; i < order.length; i += 2) {
		const base = readDump(join(outDir, dumps[i * 2 + 1])), work = readDump(join(outDir, dumps[(i + 1) * 2 + 1]));
		const frames = order[i + 1].frames;
		let allocations = 0;
		for (const name of ALLOCATORS)
			allocations += (work.calls.get(name) ?? 0) - (base.calls.get(name) ?? 0);
		results.set(order[i].name, {
			instructions: (work.instructions - base.instructions) / frames,
			allocationCalls: allocations / frames,
			matchesTypeScript: matches.get(order[i].name) ?? null,
		});
	}
	return results;
}
