/*
 * The same modules on the engine the device runs: the xsnap worker (XS built
 * from source by `npm ci`) loads the compiled modules and must give exactly
 * what V8 gives: every cantools vector, random signal layouts bit for bit, the
 * frame ring, and the candump and SLCAN parsers fed in every chunking.
 * Without the worker the suite fails under CI (the install step is broken)
 * and is skipped, saying why, elsewhere.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FrameFlag } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import type { DbcSignal } from "../modules/dbc/database.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { packFrames, unpackFrames, type FrameFields } from "../bench/frames.js";
import { database, message, randomSignal } from "./support/dbc-builder.js";
import { seededRandom } from "./support/random.js";
import { describeSharedData, fixturesDir, repoRoot, sharedData, cantoolsVectors, type CantoolsVector } from "./shared-data.js";
import { PARSER_CANDUMP, PARSER_SLCAN, decodeTranscript, parserTranscript, ringTranscript } from "./support/xs-checks.js";
import { compileXsHost, float64Reply, putInput, startXsHost, xsnapWorkerPath, type XsWorker } from "./support/xs-engine.js";

const available = xsnapWorkerPath() !== null;
const describeXs = available || process.env.CI ? describe : describe.skip;
const title = available || process.env.CI ? "XS engine (xsnap)" : "XS engine (skipped: xsnap worker not built; run `npm ci` and let @agoric/xsnap's install script run)";

let worker: XsWorker;
let dispose = () => {};

/** Exact equality, NaN equal to NaN: both engines must produce the same doubles. */
function sameNumbers(xs: Float64Array, node: Float64Array): string | null {
	if (xs.length !== node.length)
		return `length ${xs.length} on XS, ${node.length} on V8`;
	for (let i = 0; i < xs.length; i++)
		if (!Object.is(xs[i], node[i]))
			return `index ${i}: ${xs[i]} on XS, ${node[i]} on V8`;
	return null;
}

/** Starts an XS worker with the compiled modules before the suite's tests and stops it after. */
function useXsHost(): void {
	beforeAll(async () => {
		if (!available)
			throw new Error("xsnap worker not built: `npm ci` must run @agoric/xsnap's install script (it builds XS from source)");
		const build = compileXsHost();
		dispose = build.dispose;
		worker = await startXsHost(build.host);
	}, 120_000);

	afterAll(async () => {
		await worker?.close();
		dispose();
	});
}

async function onXs(source: string): Promise<Float64Array> {
	return float64Reply(await worker.evaluate(source));
}

describeXs(title, () => {
	useXsHost();

	test("ring-overflow-pushfields-and-reset-match-v8", async () => {
		const node = ringTranscript();
		expect(sameNumbers(await onXs("xs.ringTranscript()"), node)).toBeNull();
		expect(node[node.length - 1]).toBe(1); // a capacity of 12 is refused with a RangeError
	});

	test("candump-parser-matches-v8-in-every-chunking", async () => {
		const log = readFileSync(join(fixturesDir, "logs", "candump-mixed.log"));
		await putInput(worker, "candump", log);
		for (const chunk of [1, 7, 64, log.length]) {
			const node = parserTranscript(PARSER_CANDUMP, log, chunk);
			expect(sameNumbers(await onXs(`xs.parserTranscript(${PARSER_CANDUMP}, "candump", ${chunk})`), node), `chunk ${chunk}`).toBeNull();
		}
	});

	test("slcan-parser-matches-v8-in-every-chunking", async () => {
		const session = readFileSync(join(fixturesDir, "logs", "slcan-session.bin"));
		await putInput(worker, "slcan", session);
		for (const chunk of [1, 5, 64, session.length]) {
			const node = parserTranscript(PARSER_SLCAN, session, chunk);
			expect(sameNumbers(await onXs(`xs.parserTranscript(${PARSER_SLCAN}, "slcan", ${chunk})`), node), `chunk ${chunk}`).toBeNull();
		}
	});

	test("parse-queue-decode-allocates-nothing-per-frame-on-xs", async () => {
		// The demo drive through the candump parser, the ring and the decoder, many times over:
		// heap slots in use must not grow beyond what the empty loop's script uses, and no
		// collection may run. (Chunk allocations, strings, are caught by the bench's callgrind count.)
		const log = readFileSync(join(repoRoot, "hosts", "sim", "demo", "demo-drive.log"));
		const plan = compilePlan(parseDbcOrThrow(readFileSync(join(repoRoot, "hosts", "sim", "demo", "demo-car.dbc"), "latin1"), "demo-car.dbc")).buffer;
		await putInput(worker, "demo-log", log);
		await putInput(worker, "demo-plan", plan);
		const { value } = await worker.evaluateJson<{ frames: number }>(`xs.streamWorkload("demo", 0, "demo-log", "demo-plan")`);
		expect(value.frames).toBeGreaterThan(1000);
		await worker.evaluate(`xs.run("demo", 1)`);
		const growth = async (fn: string) => {
			const armed = await worker.evaluate("xs.arm()");
			const after = await worker.evaluate(`xs.${fn}("demo", 3)`);
			const { value } = await worker.evaluateJson<{ collected: boolean }>("xs.collected()");
			return { slots: after.meter.currentHeapCount - armed.meter.currentHeapCount, collected: value.collected };
		};
		const work = await growth("run"), empty = await growth("empty");
		expect(work.collected).toBe(false);
		expect(work.slots).toBe(empty.slots);
	}, 60_000);

	test("random-signal-layouts-decode-bit-for-bit-as-on-v8", async () => {
		// Every byte order, length 1..64, signedness and float type, at every alignment.
		const random = seededRandom(7);
		for (let round = 0; round < 40; round++) {
			const signals: DbcSignal[] = [];
			for (let k = 0; k < 8; k++)
				signals.push(randomSignal(random, `S${k}`, { floats: 0.08, scaled: true }));
			const plan = compilePlan(database([message({ id: 0x100 + round, name: "Random", signals })])).buffer;
			const frames: FrameFields[] = [];
			for (let p = 0; p < 20; p++)
				frames.push({ id: 0x100 + round, flags: 0, dlc: p === 19 ? 3 : 8, data: Array.from({ length: 8 }, () => Math.floor(random() * 256)) });
			const packed = packFrames(frames);
			await putInput(worker, "plan", plan);
			await putInput(worker, "frames", packed);
			const node = decodeTranscript(plan, unpackFrames(packed));
			expect(sameNumbers(await onXs(`xs.decodeTranscript("plan", "frames")`), node), `round ${round}`).toBeNull();
		}
	});
});

describeSharedData("XS engine with the shared data", () => {
	describeXs(title, () => {
		useXsHost();

		test("every-cantools-vector-decodes-on-xs-to-cantools-values", async () => {
			const vectors = cantoolsVectors();
			const byDbc = new Map<string, CantoolsVector[]>();
			for (const vector of vectors)
				byDbc.set(vector.dbc, [...(byDbc.get(vector.dbc) ?? []), vector]);
			const failures: string[] = [];
			let checked = 0;
			for (const [dbc, list] of byDbc) {
				const buffer = compilePlan(parseDbcOrThrow(readFileSync(sharedData("dbc", dbc), "latin1"), dbc)).buffer;
				const plan = new DecodePlan(buffer);
				const packed = packFrames(list.map(v => {
					const data = Buffer.from(v.data, "hex");
					return { id: v.id, flags: v.extended ? FrameFlag.extended : 0, dlc: data.length, data };
				}));
				await putInput(worker, "plan", buffer);
				await putInput(worker, "frames", packed);
				const xs = await onXs(`xs.decodeTranscript("plan", "frames")`);
				expect(sameNumbers(xs, decodeTranscript(buffer, unpackFrames(packed))), dbc).toBeNull();
				// Walk the transcript: message, then (present, raw, value) per signal.
				let at = 0;
				for (const vector of list) {
					const m = xs[at++];
					if (m < 0) {
						failures.push(`${dbc} 0x${vector.id.toString(16)}: not found on XS`);
						continue;
					}
					const first = plan.firstSignal(m), count = plan.signalCountOf(m);
					const decoded: Record<string, number> = {};
					for (let s = first; s < first + count; s++, at += 3)
						if (xs[at] === 1)
							decoded[plan.signalName(s)] = xs[at + 2];
					if (Object.keys(decoded).sort().join() !== Object.keys(vector.signals).sort().join())
						failures.push(`${dbc} 0x${vector.id.toString(16)} ${vector.data}: signals present differ`);
					for (const [name, expected] of Object.entries(vector.signals)) {
						checked++;
						const actual = decoded[name];
						if (!(actual === expected || Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected))))
							failures.push(`${dbc} 0x${vector.id.toString(16)} ${vector.data} ${name}: XS ${actual}, cantools ${expected}`);
					}
				}
			}
			expect(failures.slice(0, 20)).toEqual([]);
			expect(checked).toBeGreaterThan(20000);
		}, 120_000);

		test("savvycan-log-parses-on-xs-as-on-v8", async () => {
			const log = readFileSync(sharedData("logs", "savvycan-candump.log"));
			await putInput(worker, "savvycan", log);
			const node = parserTranscript(PARSER_CANDUMP, log, 61);
			expect(node.length).toBeGreaterThan(12000 * 12);
			expect(sameNumbers(await onXs(`xs.parserTranscript(${PARSER_CANDUMP}, "savvycan", 61)`), node)).toBeNull();
		}, 60_000);
	});
});
