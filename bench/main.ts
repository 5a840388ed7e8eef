/*
 * `npm run bench [-- --json] [-- --no-callgrind]`: the hot path's cost on the
 * XS engine and on Node.
 *
 * Workloads (bench/workloads.ts), all on ../shared/data:
 *   decode      receive (pushFields), queue, pop, look up and decode every frame of
 *               vw_mqb.dbc and toyota_prius_2010_pt.dbc (the cantools vectors' payloads)
 *   powertrain  the same, on the frames of messages with 4 to 6 signals: the budget's
 *               "typical powertrain frame"
 *   queue       receive and queue alone on the powertrain frames: the ring's share
 *   traffic     the SavvyCAN candump log, parsed, queued and looked up against vw_mqb
 *               (unknown ids dropped, known ones decoded)
 *   stream      the candump parser alone on the decode frames printed as candump lines
 *   slcan       the SLCAN parser alone on the decode frames as SLCAN receive commands
 *
 * On XS (the @agoric/xsnap worker): compute meter per frame (run minus empty
 * loop), heap slots allocated per frame over a long run with a check that no
 * garbage collection ran, and under `valgrind --tool=callgrind` x86
 * instructions per frame (run minus empty loop) with the engine's allocation
 * calls counted. On Node: frames per second, and candied's on the same frames.
 * The native decode engine (modules/signals/native) is measured alone
 * (bench/native/engine-bench.c under callgrind) and inside XS: an xsnap
 * worker with the engine linked in runs NativeDecoder on the same frames
 * (bench/native-xs.ts, bench/xs/native-workload.ts). The ESP32's whole C
 * path (TWAI receive ring, queue, decode) is counted in rv32imc instructions
 * on an emulated core (bench/rv32.ts, bench/native/rv32-bench.c).
 *
 * `budgets` judges the path each host runs: the ESP32's C path on its own
 * instruction set, and XS's calls into it; the TypeScript decoder is the
 * reference, reported but run on no device's hot path.
 *
 * Node only; allocates freely. Exits 2 when the shared data or the xsnap
 * worker is missing.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Can, Dbc } from "candied";
import { formatCandumpLine } from "../modules/can/candump.js";
import { encodeSlcanFrame, SLCAN_MAX_ENCODED_LENGTH } from "../modules/can/slcan.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { compileXsHost, projectRoot, putInput, startXsHost, xsnapWorkerPath, type XsWorker } from "../test/support/xs-engine.js";
import { packFrames, unpackFrames, type FrameFields } from "./frames.js";
import { ALLOCATORS, readDump } from "./callgrind.js";
import { buildNativeWorker, engineCosts, nativeXsCosts, type EngineResult, type NativeXsResult, type NativeXsWorkload } from "./native-xs.js";
import { RV32_BATCH, rv32Costs, type Rv32Result } from "./rv32.js";
import { END_TO_END_MEMORY_MB, END_TO_END_SPEEDUP, endToEndCosts } from "./end-to-end.js";
import { DecodeWorkload, PRIMITIVES, STREAM_CANDUMP, STREAM_SLCAN, StreamWorkload, type Workload } from "./workloads.js";

/** The budget of issue 6: receive, queue, look up and decode a typical powertrain frame, x86 instructions inside XS. */
const BUDGET_INSTRUCTIONS = 4000;
/**
 * The ESP32's budget (issue 11): a saturated 1 Mbit/s bus (9,000 frames/s) in
 * at most 10 % of a 160 MHz ESP32-C3 core: 16 M instructions a second at
 * about one a cycle, 1,778 a frame, rounded down to 1,700 rv32imc
 * instructions for receive, queue and decode on the all-messages mix.
 */
const RV32_BUDGET_INSTRUCTIONS = 1700;
/** sizeof(txSlot) on a 64-bit host; 16 on the ESP32. */
const SLOT_BYTES = 32;

const args = new Set(process.argv.slice(2));
const json = args.has("--json");
const useCallgrind = !args.has("--no-callgrind");

function log(line: string): void {
	if (!json)
		process.stderr.write(line + "\n");
}

function fail(message: string): never {
	process.stderr.write(`bench: ${message}\n`);
	process.exit(2);
}

const dataDir = process.env.XS_CLUSTER_SHARED_DATA ?? join(projectRoot, "..", "shared", "data");
if (!existsSync(join(dataDir, "vectors.jsonl")))
	fail(`needs the shared data set (${dataDir} not found); set XS_CLUSTER_SHARED_DATA to its path`);
if (!xsnapWorkerPath())
	fail("xsnap worker not built: run `npm ci` and let @agoric/xsnap's install script build XS");

/* ---- inputs ---- */

interface Vector { dbc: string; id: number; extended: boolean; data: string; signals: Record<string, number> }
const vectors: Vector[] = readFileSync(join(dataDir, "vectors.jsonl"), "utf8").trim().split("\n").map(line => JSON.parse(line));
const DBCS = ["vw_mqb.dbc", "toyota_prius_2010_pt.dbc"];
const dbcText = new Map(DBCS.map(name => [name, readFileSync(join(dataDir, "dbc", name), "latin1")]));
const plans = new Map(DBCS.map(name => [name, compilePlan(parseDbcOrThrow(dbcText.get(name)!, name)).buffer]));

function framesOf(dbc: string, filter: (signals: number) => boolean): FrameFields[] {
	const plan = new DecodePlan(plans.get(dbc)!);
	return vectors.filter(v => v.dbc === dbc).map(v => {
		const data = Buffer.from(v.data, "hex");
		return { id: v.id, flags: v.extended ? FrameFlag.extended : 0, dlc: data.length, data };
	}).filter(f => filter(plan.signalCountOf(plan.findMessage(f.id, (f.flags & FrameFlag.extended) !== 0))));
}

function signalsPerFrame(groups: Array<[string, FrameFields[]]>): number {
	let signals = 0, frames = 0;
	for (const [dbc, list] of groups) {
		const plan = new DecodePlan(plans.get(dbc)!);
		for (const f of list) {
			signals += plan.signalCountOf(plan.findMessage(f.id, (f.flags & FrameFlag.extended) !== 0));
			frames++;
		}
	}
	return signals / frames;
}

const decodeGroups: Array<[string, FrameFields[]]> = DBCS.map(dbc => [dbc, framesOf(dbc, () => true)]);
const powertrainGroups: Array<[string, FrameFields[]]> = DBCS.map(dbc => [dbc, framesOf(dbc, n => n >= 4 && n <= 6)]);
const trafficLog = readFileSync(join(dataDir, "logs", "savvycan-candump.log"));
const streamText = Buffer.from(decodeGroups.flatMap(([, list]) => list.map((f, i) => {
	const frame = new CanFrame();
	frame.id = f.id;
	frame.flags = f.flags;
	frame.dlc = f.dlc;
	frame.data.set(Array.from(f.data));
	frame.timestamp = 1579857014345.944 + i;
	return formatCandumpLine(frame, "can0") + "\n";
})).join(""));

const slcanBytes = (() => {
	const frames = decodeGroups.flatMap(([, list]) => list);
	const out = new Uint8Array(frames.length * SLCAN_MAX_ENCODED_LENGTH);
	const frame = new CanFrame();
	let at = 0;
	for (const f of frames) {
		frame.id = f.id;
		frame.flags = f.flags;
		frame.dlc = f.dlc;
		frame.data.fill(0).set(Array.from(f.data));
		at += encodeSlcanFrame(frame, out, at);
	}
	return out.slice(0, at);
})();

interface WorkloadSpec {
	name: string;
	what: string;
	signalsPerFrame: number | null;
	node(): Workload;
	/** Script that builds it in the XS host, after the inputs are sent. */
	xs: string;
}

const allSpecs: WorkloadSpec[] = [
	{
		name: "decode", what: "receive+queue+lookup+decode, vw_mqb + prius frames", signalsPerFrame: signalsPerFrame(decodeGroups),
		node: () => new DecodeWorkload(decodeGroups.map(([dbc, list]) => ({ plan: plans.get(dbc)!, frames: unpackFrames(packFrames(list)) }))),
		xs: `xs.decodeWorkload("decode", ${JSON.stringify(DBCS.map(dbc => [`plan:${dbc}`, `decode:${dbc}`]))})`,
	},
	{
		name: "powertrain", what: "the same, messages of 4 to 6 signals (budget)", signalsPerFrame: signalsPerFrame(powertrainGroups),
		node: () => new DecodeWorkload(powertrainGroups.map(([dbc, list]) => ({ plan: plans.get(dbc)!, frames: unpackFrames(packFrames(list)) }))),
		xs: `xs.decodeWorkload("powertrain", ${JSON.stringify(DBCS.map(dbc => [`plan:${dbc}`, `powertrain:${dbc}`]))})`,
	},
	{
		name: "queue", what: "receive+queue alone, on the powertrain frames (no lookup, no decode)", signalsPerFrame: null,
		node: () => new DecodeWorkload(powertrainGroups.map(([dbc, list]) => ({ plan: plans.get(dbc)!, frames: unpackFrames(packFrames(list)) })), false),
		xs: `xs.decodeWorkload("queue", ${JSON.stringify(DBCS.map(dbc => [`plan:${dbc}`, `powertrain:${dbc}`]))}, false)`,
	},
	{
		name: "traffic", what: "savvycan log: candump parse+queue+lookup (vw_mqb)", signalsPerFrame: null,
		node: () => new StreamWorkload(STREAM_CANDUMP, trafficLog, plans.get("vw_mqb.dbc")!),
		xs: `xs.streamWorkload("traffic", ${STREAM_CANDUMP}, "traffic", "plan:vw_mqb.dbc")`,
	},
	{
		name: "stream", what: "candump byte-stream parser + queue, on the decode frames", signalsPerFrame: null,
		node: () => new StreamWorkload(STREAM_CANDUMP, streamText, null),
		xs: `xs.streamWorkload("stream", ${STREAM_CANDUMP}, "stream", null)`,
	},
	{
		name: "slcan", what: "SLCAN byte-stream parser + queue, on the decode frames", signalsPerFrame: null,
		node: () => new StreamWorkload(STREAM_SLCAN, slcanBytes, null),
		xs: `xs.streamWorkload("slcan", ${STREAM_SLCAN}, "slcan", null)`,
	},
];

/** `--only=decode,powertrain` runs just those workloads. */
const only = process.argv.find(arg => arg.startsWith("--only="))?.slice(7).split(",");
const specs = only ? allSpecs.filter(spec => only.includes(spec.name)) : allSpecs;
if (specs.length === 0)
	fail(`--only names none of ${allSpecs.map(spec => spec.name).join(", ")}`);

async function sendInputs(worker: XsWorker): Promise<void> {
	for (const dbc of DBCS)
		await putInput(worker, `plan:${dbc}`, plans.get(dbc)!);
	for (const [dbc, list] of decodeGroups)
		await putInput(worker, `decode:${dbc}`, packFrames(list));
	for (const [dbc, list] of powertrainGroups)
		await putInput(worker, `powertrain:${dbc}`, packFrames(list));
	await putInput(worker, "traffic", trafficLog);
	await putInput(worker, "stream", streamText);
	await putInput(worker, "slcan", slcanBytes);
	for (const spec of allSpecs)
		await worker.evaluate(spec.xs);
	for (const primitive of PRIMITIVES)
		await worker.evaluate(`xs.primitiveWorkload("${primitive}")`);
}

/** Passes whose frames add up to about `frames`. */
function passesFor(workload: Workload, frames: number): number {
	return Math.max(1, Math.round(frames / workload.empty(1)));
}

/* ---- Node ---- */

/**
 * Frames per second of `pass` (which returns the frames it handled): the best
 * of several 150 ms windows, since the machine may be shared and a slow window
 * says more about the neighbours than about the code.
 */
function bestRate(pass: () => number): number {
	for (let warm = performance.now(); performance.now() - warm < 200;)
		pass();
	let best = 0;
	for (let window = 0; window < 6; window++) {
		let frames = 0, elapsed = 0;
		const start = performance.now();
		while (elapsed < 150) {
			frames += pass();
			elapsed = performance.now() - start;
		}
		best = Math.max(best, frames / (elapsed / 1000));
	}
	return best;
}

function nodeFramesPerSecond(workload: Workload): number {
	const passes = passesFor(workload, 5_000);
	return bestRate(() => workload.run(passes));
}

interface CandiedResult { framesPerSecond: number; signalsAgreeing: number; signalsChecked: number; framesUnknown: number }

/** candied on the decode workload's frames: its own Can.decode, one call per frame. */
function candiedDecode(): CandiedResult {
	const decoders = DBCS.map(dbc => {
		const can = new Can();
		can.database = new Dbc().load(dbcText.get(dbc)!);
		return can;
	});
	const inputs = decodeGroups.map(([, list]) => list.map(f => ({ id: f.id, dlc: f.dlc, isExtended: (f.flags & FrameFlag.extended) !== 0, payload: Array.from(f.data) })));
	// How often candied agrees with cantools on these frames, for the record.
	let agreeing = 0, checked = 0, unknown = 0;
	DBCS.forEach((dbc, g) => {
		const list = vectors.filter(v => v.dbc === dbc);
		list.forEach((vector, i) => {
			const bound = decoders[g].decode(inputs[g][i]);
			if (!bound) {
				unknown++;
				return;
			}
			for (const [name, expected] of Object.entries(vector.signals)) {
				checked++;
				const value = bound.boundSignals.get(name)?.value;
				if (typeof value === "number" && Math.abs(value - expected) <= 1e-9 * Math.max(1, Math.abs(expected)))
					agreeing++;
			}
		});
	});
	const pass = () => {
		let frames = 0;
		for (let g = 0; g < decoders.length; g++) {
			const can = decoders[g], list = inputs[g];
			for (let i = 0; i < list.length; i++)
				can.decode(list[i]);
			frames += list.length;
		}
		return frames;
	};
	return { framesPerSecond: bestRate(pass), signalsAgreeing: agreeing, signalsChecked: checked, framesUnknown: unknown };
}

/* ---- XS: compute meter and heap ---- */

interface XsResult {
	frames: number;
	computePerFrame: number;
	allocatedBytesPerFrame: number;
	slotsPerFrame: number;
	garbageCollected: boolean;
	instructionsPerFrame: number | null;
	allocationCallsPerFrame: number | null;
	signalsPerFrame: number | null;
}

async function xsMeterAndHeap(host: string): Promise<Map<string, XsResult>> {
	const worker = await startXsHost(host);
	const results = new Map<string, XsResult>();
	try {
		await sendInputs(worker);
		for (const spec of specs) {
			const passes = passesFor(spec.node(), 20_000);
			await worker.evaluate(`xs.run("${spec.name}", 1)`);
			// Compute: the same script shape for both loops, so parsing and reply cancel out.
			const run = await worker.evaluateJson<{ frames: number }>(`xs.run("${spec.name}", ${passes})`);
			const empty = await worker.evaluateJson<{ frames: number }>(`xs.empty("${spec.name}", ${passes})`);
			const frames = run.value.frames;
			// Heap: slots in use after a long run without collection, against the empty loop's.
			const longPasses = passes * 5;
			const heap = async (fn: string) => {
				const armed = await worker.evaluate("xs.arm()");
				const after = await worker.evaluate(`xs.${fn}("${spec.name}", ${longPasses})`);
				const collected = (await worker.evaluateJson<{ collected: boolean }>("xs.collected()")).value.collected;
				return { slots: after.meter.currentHeapCount - armed.meter.currentHeapCount, collected };
			};
			const work = await heap("run"), base = await heap("empty");
			const slotsPerFrame = (work.slots - base.slots) / (frames * 5);
			results.set(spec.name, {
				frames,
				computePerFrame: (run.meter.compute - empty.meter.compute) / frames,
				slotsPerFrame,
				allocatedBytesPerFrame: slotsPerFrame * SLOT_BYTES,
				garbageCollected: work.collected,
				instructionsPerFrame: null,
				allocationCallsPerFrame: null,
				signalsPerFrame: spec.signalsPerFrame,
			});
		}
	}
	finally {
		await worker.close();
	}
	return results;
}

/* ---- XS under callgrind ---- */

/** x86 instructions per operation, measured under callgrind: the engine's price list. */
const primitiveCosts = new Map<string, number>();

async function xsCallgrind(host: string, results: Map<string, XsResult>, outDir: string): Promise<void> {
	rmSync(outDir, { recursive: true, force: true });
	mkdirSync(outDir, { recursive: true });
	const worker = await startXsHost(host, {
		wrapper: ["valgrind", "--tool=callgrind", "--dump-before=xs_performance_now", "--compress-strings=no", "--compress-pos=no", `--callgrind-out-file=${join(outDir, "xs.cg")}`, "-q"],
	});
	const order: Array<{ name: string; baseline: boolean; frames: number }> = [];
	try {
		await sendInputs(worker);
		for (const spec of specs) {
			const passes = Math.max(1, Math.round(passesFor(spec.node(), 3000)));
			await worker.evaluate(`xs.run("${spec.name}", 1)`);
			for (const baseline of [true, false]) {
				await worker.evaluate("gc()");
				const reply = await worker.evaluateJson<{ frames: number }>(`xs.measure("${spec.name}", ${passes}, ${baseline})`);
				order.push({ name: spec.name, baseline, frames: reply.value.frames });
			}
		}
		for (const primitive of PRIMITIVES) {
			const name = `primitive:${primitive}`;
			for (const baseline of [true, false]) {
				const reply = await worker.evaluateJson<{ frames: number }>(`xs.measure("${name}", 3, ${baseline})`);
				order.push({ name, baseline, frames: reply.value.frames });
			}
		}
	}
	finally {
		await worker.close();
	}
	// Dump n is written before the n-th performance.now(): the even ones hold a loop.
	const dumps = readdirSync(outDir).filter(f => /^xs\.cg\.\d+$/.test(f)).sort((a, b) => Number(a.split(".")[2]) - Number(b.split(".")[2]));
	if (dumps.length < order.length * 2)
		throw new Error(`callgrind wrote ${dumps.length} dumps, expected ${order.length * 2}`);
	for (let i = 0; i < order.length; i += 2) {
		const base = readDump(join(outDir, dumps[i * 2 + 1])), work = readDump(join(outDir, dumps[(i + 1) * 2 + 1]));
		const frames = order[i + 1].frames;
		if (order[i].name.startsWith("primitive:")) {
			primitiveCosts.set(order[i].name.slice(10), (work.instructions - base.instructions) / frames);
			continue;
		}
		const result = results.get(order[i].name)!;
		result.instructionsPerFrame = (work.instructions - base.instructions) / frames;
		let allocations = 0;
		for (const name of ALLOCATORS)
			allocations += (work.calls.get(name) ?? 0) - (base.calls.get(name) ?? 0);
		result.allocationCallsPerFrame = allocations / frames;
	}
}

/* ---- the native decode engine ---- */

/** Frames a NativeDecoder.pump drains per call in the budget row: a 30 Hz display tick on a bus at 3,840 frames/s; a saturated bus queues more. */
const BUDGET_BATCH = 128;

const nativeSpecs: NativeXsWorkload[] = [
	...[BUDGET_BATCH, 16].map(batch => ({
		name: `native-powertrain-receive${batch}`, what: `powertrain frames as TWAI records, ${batch} at a time: NativeDecoder.pushRecords then pump (receive, queue, decode in C; 2 XS→C calls per ${batch} frames)`,
		xs: `xs.nativeWorkload("native-powertrain-receive${batch}", ${JSON.stringify(DBCS.map(dbc => [`plan:${dbc}`, `powertrain:${dbc}`]))}, ${batch}, true)`,
		reference: "powertrain", compareTimes: false,
	})),
	...[BUDGET_BATCH, 16, 1].map(batch => ({
		name: `native-powertrain-pump${batch}`, what: `powertrain frames received and queued in TypeScript, NativeDecoder.pump every ${batch} frame${batch > 1 ? "s" : ""}`,
		xs: `xs.nativeWorkload("native-powertrain-pump${batch}", ${JSON.stringify(DBCS.map(dbc => [`plan:${dbc}`, `powertrain:${dbc}`]))}, ${batch})`,
		reference: "powertrain",
	})),
	{
		name: "native-powertrain-decode", what: "the same, each frame popped and NativeDecoder.decode(frame): one XS→C call per frame",
		xs: `xs.nativeWorkload("native-powertrain-decode", ${JSON.stringify(DBCS.map(dbc => [`plan:${dbc}`, `powertrain:${dbc}`]))}, 0)`,
		reference: "powertrain",
	},
	{
		name: `native-decode-pump${BUDGET_BATCH}`, what: `all decode frames, NativeDecoder.pump every ${BUDGET_BATCH} frames`,
		xs: `xs.nativeWorkload("native-decode-pump${BUDGET_BATCH}", ${JSON.stringify(DBCS.map(dbc => [`plan:${dbc}`, `decode:${dbc}`]))}, ${BUDGET_BATCH})`,
		reference: "decode",
	},
	// A Pipeline as main.ts wires it, TWAI records BUDGET_BATCH at a time and one pipeline.pump() per batch (what 1: OBD-II tap, 2: recorder, 3: both).
	...([["tap", 1, "an OBD-II poller as the tap (its ids matched in C)"], ["record", 2, "a CandumpRecorder (lines written in C before the pump, serviced after it)"], ["tap-record", 3, "both"]] as const)
		.flatMap(([name, what, how]) => [false, true].map(legacy => ({
			name: `native-powertrain-${name}${legacy ? "-legacy" : ""}${BUDGET_BATCH}`,
			what: legacy
				? `the same wired as before (tap without ids${what & 2 ? ", recording inside the tap" : ""}): pipeline.pump pops and hands over each frame in TypeScript, NativeDecoder.decode(frame) per frame`
				: `powertrain frames as TWAI records, ${BUDGET_BATCH} at a time, through Pipeline.pump with ${how}`,
			xs: `xs.pipelineWorkload("native-powertrain-${name}${legacy ? "-legacy" : ""}${BUDGET_BATCH}", ${JSON.stringify(DBCS.map(dbc => [`plan:${dbc}`, `powertrain:${dbc}`]))}, ${BUDGET_BATCH}, ${what}, ${legacy})`,
			reference: "powertrain", compareTimes: false,
		}))),
	// SLCAN bytes in, frames queued: the C parser (NativeSlcanParser) and, in the same loop, SlcanParser; 64-byte chunks as the slcan row, 256 as slcan-serial.ts reads.
	...[64, 256].map(chunk => ({
		name: `native-slcan${chunk}`, what: `SLCAN text in ${chunk}-byte reads through NativeSlcanParser: parse and queue in C, one XS→C call per read`,
		xs: `xs.slcanWorkload("native-slcan${chunk}", "slcan", ${chunk}, true)`, reference: null,
	})),
	{
		name: "slcan-ts64", what: "the same loop through the TypeScript SlcanParser (no pop: compare with native-slcan64)",
		xs: `xs.slcanWorkload("slcan-ts64", "slcan", 64, false)`, reference: null,
	},
	{ name: "call16", what: "a bare XS→C call with pump's 16 arguments (per call)", xs: `xs.callWorkload("call16", true)`, reference: null, perCall: true },
	{ name: "call0", what: "a bare XS→C call, no arguments (per call)", xs: `xs.callWorkload("call0", false)`, reference: null, perCall: true },
];

/** The TypeScript decoder's store words after one pass over a workload's group, for the C engine's check. */
function typeScriptWords(groups: Array<[string, FrameFields[]]>, g: number): Uint32Array {
	const [dbc, list] = groups[g];
	const decoder = new Decoder(new DecodePlan(plans.get(dbc)!));
	const frame = new CanFrame();
	for (const f of list) {
		frame.id = f.id;
		frame.flags = f.flags;
		frame.dlc = f.dlc;
		frame.data.fill(0).set(Array.from(f.data));
		decoder.decode(frame);
	}
	return decoder.store.words;
}

function sameWords(a: Uint32Array, b: Uint32Array): boolean {
	return a.length === b.length && a.every((v, i) => v === b[i]);
}

interface NativeReport {
	/** The C engine alone: instructions inside sde_pump per frame. */
	engine: Record<string, { instructionsPerFrame: number; agreesWithTypeScript: boolean }> | null;
	/** Inside XS (the engine-linked xsnap worker): per frame, or per call for the call rows; run minus empty loop. */
	xs: Record<string, { what: string; instructionsPerFrame?: number; instructionsPerCall?: number; allocationCallsPerFrame: number; matchesTypeScript: boolean | null }> | null;
	xsNote: string | null;
}

function nativeReport(engine: Map<string, EngineResult> | null, inXs: Map<string, NativeXsResult> | null, reason: string | null): NativeReport {
	const round1 = (n: number) => Math.round(n * 10) / 10;
	return {
		engine: engine && Object.fromEntries([...engine].map(([name, r]) => [name, { instructionsPerFrame: round1(r.instructionsPerFrame), agreesWithTypeScript: r.agreesWithTypeScript }])),
		xs: inXs && Object.fromEntries(nativeSpecs.map(spec => {
			const r = inXs.get(spec.name)!;
			return [spec.name, {
				what: spec.what,
				...(spec.perCall ? { instructionsPerCall: round1(r.instructions) } : { instructionsPerFrame: round1(r.instructions) }),
				allocationCallsPerFrame: Math.round(r.allocationCalls * 1000) / 1000,
				matchesTypeScript: r.matchesTypeScript,
			}];
		})),
		xsNote: reason,
	};
}

/** One host's hot path against its limit. */
interface Budget {
	host: string;
	path: string;
	workload: string;
	unit: string;
	perFrame: number | null;
	limit: number;
	/** Null when not measured here (`note` says why). */
	met: boolean | null;
	note?: string;
}

/** The budgets of the paths the hosts run: the ESP32's C path on rv32imc, and XS's share of it. */
function budgets(rv32: { results: Map<string, Rv32Result> } | { reason: string }, inXs: Map<string, NativeXsResult> | null, xsNote: string | null): Budget[] {
	const device = "results" in rv32 ? rv32.results.get("decode") ?? null : null;
	const xsRow = inXs?.get(`native-powertrain-receive${BUDGET_BATCH}`) ?? null;
	return [
		{
			host: "esp32",
			path: "TWAI receive ring (ISR), read and queue into the FrameRing, decode: C, rv32imc -Os (ESP32-C3)",
			workload: "decode (every message of the vw_mqb and prius vectors)",
			unit: "rv32imc instructions/frame",
			perFrame: device && device.total,
			limit: RV32_BUDGET_INSTRUCTIONS,
			met: device && device.total <= RV32_BUDGET_INSTRUCTIONS && device.agreesWithTypeScript,
			note: "reason" in rv32 ? rv32.reason
				: "not counted: ESP-IDF's own part of each frame's interrupt (entry, exit, the node driver's handler, twai_node_receive_from_isr), not built here",
		},
		{
			host: "xs (simulator and esp32)",
			path: `NativeDecoder.pushRecords and pump: two XS→C calls per ${BUDGET_BATCH} TWAI records`,
			workload: `native-powertrain-receive${BUDGET_BATCH}`,
			unit: "x86 instructions/frame inside XS",
			perFrame: xsRow && Math.round(xsRow.instructions * 10) / 10,
			limit: BUDGET_INSTRUCTIONS,
			met: xsRow && xsRow.instructions <= BUDGET_INSTRUCTIONS && xsRow.allocationCalls === 0 && xsRow.matchesTypeScript === true,
			...(xsRow ? {} : { note: xsNote ?? "not measured" }),
		},
	];
}

function printNative(native: NativeReport): void {
	process.stdout.write("\nnative decode engine (modules/signals/native, what the simulator and the ESP32 run; the TypeScript decoder stays the reference):\n");
	if (native.xs) {
		const rows = [["workload", "XS instr", "alloc calls", "same as TS", "what"]];
		for (const [name, r] of Object.entries(native.xs))
			rows.push([name, r.instructionsPerCall !== undefined ? `${r.instructionsPerCall}/call` : `${r.instructionsPerFrame}/frame`, String(r.allocationCallsPerFrame),
				r.matchesTypeScript === null ? "-" : r.matchesTypeScript ? "yes" : "NO", r.what]);
		const widths = rows[0].map((_, c) => Math.max(...rows.map(row => row[c].length)));
		for (const row of rows)
			process.stdout.write("  " + row.map((cell, c) => c === row.length - 1 ? cell : cell.padEnd(widths[c])).join("  ") + "\n");
	}
	else
		process.stdout.write(`  inside XS: not measured (${native.xsNote})\n`);
	if (native.engine)
		process.stdout.write(`  the C engine alone (instructions inside sde_pump, cc -O2): ${Object.entries(native.engine).map(([name, r]) => `${name} ${r.instructionsPerFrame}/frame${r.agreesWithTypeScript ? "" : " (VALUES DIFFER from the TypeScript decoder)"}`).join(", ")}\n`);
}

function printRv32(rv32: Record<string, Rv32Result> | null, note: string | null): void {
	process.stdout.write(`\nthe ESP32's C path on rv32imc (ESP32-C3, QEMU, exact instruction counts; ${RV32_BATCH} frames a batch):\n`);
	if (!rv32) {
		process.stdout.write(`  not measured (${note})\n`);
		return;
	}
	for (const [name, r] of Object.entries(rv32))
		process.stdout.write(`  ${name.padEnd(10)} ${r.total}/frame: receive ring ${r.receive}, read and queue ${r.queue}, decode ${r.decode}${r.agreesWithTypeScript ? "" : " (STORE DIFFERS from the TypeScript decoder)"}\n`);
}

function hasValgrind(): boolean {
	try {
		execFileSync("valgrind", ["--version"], { stdio: "pipe" });
		return true;
	}
	catch {
		return false;
	}
}

/* ---- main ---- */

const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

async function main(): Promise<void> {
	log("bench: compiling the XS host...");
	const build = compileXsHost();
	try {
		log("bench: XS compute meter and heap...");
		const xs = await xsMeterAndHeap(build.host);
		const callgrindDir = join(projectRoot, "build", "bench", "callgrind");
		let callgrindNote: string | null = null;
		if (!useCallgrind)
			callgrindNote = "skipped (--no-callgrind)";
		else if (!hasValgrind())
			callgrindNote = "valgrind not found (apt-get install valgrind)";
		else {
			log("bench: XS under callgrind (about a minute)...");
			await xsCallgrind(build.host, xs, callgrindDir);
		}
		let native: NativeReport | null = null;
		let inXs: Map<string, NativeXsResult> | null = null, xsNote: string | null = callgrindNote;
		const groupsOf: Record<string, Array<[string, FrameFields[]]>> = { decode: decodeGroups, powertrain: powertrainGroups };
		const nativeWorkloads = Object.entries(groupsOf).map(([name, groups]) => ({ name, groups: groups.map(([dbc, list]) => ({ plan: plans.get(dbc)!, frames: packFrames(list) })) }));
		const matchesTypeScript = (name: string, g: number, words: Uint32Array) => sameWords(words, typeScriptWords(groupsOf[name], g));
		if (!callgrindNote) {
			log("bench: the native engine alone (bench/native/engine-bench.c)...");
			const engine = engineCosts(join(projectRoot, "build", "bench", "native"), BUDGET_BATCH, nativeWorkloads, matchesTypeScript);
			log("bench: the native engine inside XS (an xsnap worker that links it, under callgrind)...");
			const built = buildNativeWorker(join(projectRoot, "build", "bench", "xsnap-native"));
			inXs = "worker" in built
				? await nativeXsCosts(build.host, built.worker, join(projectRoot, "build", "bench", "callgrind-native"), nativeSpecs, sendInputs)
				: null;
			xsNote = "reason" in built ? built.reason : null;
			native = nativeReport(engine, inXs, xsNote);
		}
		log("bench: the ESP32's C path on rv32imc (QEMU)...");
		const rv32 = rv32Costs(join(projectRoot, "build", "bench", "rv32"), nativeWorkloads, matchesTypeScript);
		log("bench: xs-cluster decode end to end, 1,000,000 frames...");
		const endToEnd = endToEndCosts(join(projectRoot, "build", "bench", "end-to-end"), join(dataDir, "dbc", "vw_mqb.dbc"),
			decodeGroups.find(([dbc]) => dbc === "vw_mqb.dbc")![1]);
		log("bench: Node...");
		const node = new Map(specs.map(spec => [spec.name, nodeFramesPerSecond(spec.node())]));
		const decodeNode = node.get("decode");
		const candied = decodeNode === undefined ? null : (log("bench: candied on Node..."), candiedDecode());

		const powertrain = xs.get("powertrain") ?? xs.get(specs[0].name)!;
		const report = {
			xs: Object.fromEntries(specs.map(spec => {
				const r = xs.get(spec.name)!;
				return [spec.name, {
					instructionsPerFrame: r.instructionsPerFrame === null ? null : round(r.instructionsPerFrame),
					computePerFrame: round(r.computePerFrame),
					allocatedBytesPerFrame: round(r.allocatedBytesPerFrame, 3),
					allocationCallsPerFrame: r.allocationCallsPerFrame === null ? null : round(r.allocationCallsPerFrame, 3),
					garbageCollected: r.garbageCollected,
					framesMeasured: r.frames,
					signalsPerFrame: r.signalsPerFrame === null ? null : round(r.signalsPerFrame, 2),
				}];
			})),
			node: Object.fromEntries(specs.map(spec => [spec.name, { framesPerSecond: Math.round(node.get(spec.name)!) }])),
			candied: candied && {
				decode: {
					framesPerSecond: Math.round(candied.framesPerSecond),
					xsClusterSpeedup: round(decodeNode! / candied.framesPerSecond, 1),
					signalsAgreeingWithCantools: candied.signalsAgreeing,
					signalsChecked: candied.signalsChecked,
					framesUnknown: candied.framesUnknown,
				},
			},
			// The reference decoder in TypeScript: no device runs it per frame; against issue 6's XS limit for comparison.
			typescriptDecoder: {
				workload: "powertrain",
				instructionsPerFrame: powertrain.instructionsPerFrame === null ? null : round(powertrain.instructionsPerFrame),
				xsLimit: BUDGET_INSTRUCTIONS,
				// Zero allocation: no heap growth, no collection, no allocator call.
				allocationFree: powertrain.slotsPerFrame <= 0 && !powertrain.garbageCollected && powertrain.allocationCallsPerFrame === 0,
			},
			native,
			rv32: "results" in rv32 ? Object.fromEntries(rv32.results) : null,
			rv32Note: "reason" in rv32 ? rv32.reason : null,
			budgets: budgets(rv32, inXs, xsNote),
			endToEnd: "reason" in endToEnd ? { note: endToEnd.reason } : endToEnd,
			primitives: primitiveCosts.size ? Object.fromEntries([...primitiveCosts].map(([name, cost]) => [name, round(cost)])) : null,
			callgrind: callgrindNote ?? `dumps in ${callgrindDir} (callgrind_annotate)`,
		};

		if (json) {
			process.stdout.write(JSON.stringify(report) + "\n");
			return;
		}
		const rows = [["workload", "XS instr/frame", "XS compute/frame", "XS heap B/frame", "XS alloc calls/frame", "GC", "Node frames/s", "signals/frame", "what"]];
		for (const spec of specs) {
			const r = report.xs[spec.name] as Record<string, number | boolean | null>;
			rows.push([spec.name, String(r.instructionsPerFrame ?? "-"), String(r.computePerFrame), String(r.allocatedBytesPerFrame), String(r.allocationCallsPerFrame ?? "-"), r.garbageCollected ? "yes" : "no",
				String(report.node[spec.name].framesPerSecond), String(r.signalsPerFrame ?? "-"), spec.what]);
		}
		if (report.candied && candied) {
			rows.push(["candied", "-", "-", "-", "-", "-", String(report.candied.decode.framesPerSecond), String(report.xs.decode.signalsPerFrame), "candied Can.decode on the decode frames (Node)"]);
		}
		const widths = rows[0].map((_, c) => Math.max(...rows.map(row => row[c].length)));
		for (const row of rows)
			process.stdout.write(row.map((cell, c) => c === row.length - 1 ? cell : cell.padEnd(widths[c])).join("  ") + "\n");
		if (report.candied && candied)
			process.stdout.write(`\nxs-cluster decodes ${report.candied.decode.xsClusterSpeedup}x as many frames per second as candied on Node (candied agrees with cantools on ${candied.signalsAgreeing} of ${candied.signalsChecked} signals, misses ${candied.framesUnknown} frames).\n`);
		const t = report.typescriptDecoder;
		if (t.instructionsPerFrame !== null)
			process.stdout.write(`TypeScript decoder (the reference; no device runs it per frame): ${t.instructionsPerFrame} x86 instructions per powertrain frame in XS\n`);
		if (report.native)
			printNative(report.native);
		printRv32(report.rv32, report.rv32Note);
		const e = report.endToEnd;
		process.stdout.write("\nxs-cluster decode end to end (a 1,000,000-frame candump log of vw_mqb frames to JSON lines in a file):\n");
		if ("note" in e)
			process.stdout.write(`  not measured (${e.note})\n`);
		else
			process.stdout.write(`  ${e.runs} runs each, the least CPU time and the most memory: ${e.xsCluster.cpuSeconds} s of CPU, ${e.xsCluster.maxResidentMB} MB resident (goal ${END_TO_END_MEMORY_MB} MB: ${e.memoryMet ? "met" : "NOT met"}); ` +
				(e.cantools ? `cantools decode ${e.cantools.cpuSeconds} s, ${e.cantools.maxResidentMB} MB: ${e.speedup}x (goal ${END_TO_END_SPEEDUP}x: ${e.speedMet ? "met" : "NOT met"})` : `cantools: ${e.cantoolsNote}`) + "\n");
		process.stdout.write("\nbudgets, the path each host runs:\n");
		for (const b of report.budgets)
			process.stdout.write(`  ${b.host}: ${b.perFrame === null ? "not measured" : b.perFrame} ${b.unit} (limit ${b.limit}): ${b.met === null ? `not measured (${b.note})` : b.met ? "met" : "NOT met"}; ${b.workload}; ${b.path}${b.met !== null && b.note ? `; ${b.note}` : ""}\n`);
		if (report.primitives)
			process.stdout.write(`XS price list, x86 instructions per operation: ${Object.entries(report.primitives).map(([name, cost]) => `${name} ${cost}`).join(", ")}\n`);
		if (!callgrindNote)
			process.stdout.write(`callgrind dumps: ${callgrindDir}\n`);
	}
	finally {
		build.dispose();
	}
}

await main();
