/*
 * NativeDecoder on the real XS engine: an xsnap worker with the native
 * engine and its XS binding linked in (bench/native-xs.ts builds it with the
 * host `cc` from the stock worker's objects) runs the unchanged
 * modules/signals/native-decoder.ts, and must give what the TypeScript
 * Decoder gives on V8, bit for bit: frame by frame through `decode`, and as
 * TWAI records through `pushRecords` and `pump` against pushFields, pop and
 * decode; and a Pipeline with an OBD-II tap (its ids matched in C) and a
 * recorder (lines written in C) as the TypeScript pipeline, frame by frame.
 * This covers the binding and the TypeScript class, which the host
 * test of the engine (test/native-engine.test.ts) does not. Skipped, saying
 * why, without `cc` or the stock worker; fails instead under CI.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CandumpParser } from "../modules/can/candump.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { frameBits } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { packFrames, unpackFrames, type FrameFields, type FrameSource } from "../bench/frames.js";
import { pipelineTranscript } from "../bench/xs/native-workload.js";
import { describeSharedData, repoRoot, sharedData, cantoolsVectors, type CantoolsVector } from "./shared-data.js";
import { buildNativeXsHost, nativeXsUnavailable } from "./support/native-xs-host.js";
import { decodeTranscript } from "./support/xs-checks.js";
import { float64Reply, putInput, startXsHost, type XsWorker } from "./support/xs-engine.js";

const unavailable = nativeXsUnavailable();
const available = unavailable === null;
const describeNative = available || process.env.CI ? describe : describe.skip;
const title = available || process.env.CI ? "NativeDecoder on XS (engine-linked xsnap worker)"
	: `NativeDecoder on XS (skipped: ${unavailable})`;

/** The TypeScript side of nativeTranscript's batched mode (bench/xs/native-workload.ts): twai-source's pushFields, then Pipeline.pump's pop, count and decode. */
function referenceBatched(plan: ArrayBufferLike, frames: FrameSource, batch: number): Float64Array {
	const decoder = new Decoder(new DecodePlan(plan));
	const ring = new FrameRing(64), frame = new CanFrame();
	let bits = 0;
	for (let k = 0; k < frames.count; k += batch) {
		for (let i = k; i < Math.min(k + batch, frames.count); i++) {
			const flags = frames.flags[i] & (FrameFlag.extended | FrameFlag.remote), dlc = frames.dlcs[i];
			ring.pushFields(frames.ids[i], flags, dlc, frames.data, i * 8, flags & FrameFlag.remote ? 0 : dlc, k);
		}
		while (ring.pop(frame)) {
			bits += frameBits(frame.dlc, frame.extended);
			decoder.decode(frame);
		}
	}
	const out: number[] = [], store = decoder.store;
	for (let s = 0; s < decoder.plan.signalCount; s++)
		out.push(decoder.present[s], store.raw(s), store.value(s), store.updatedAt[s], store.updates[s]);
	out.push(decoder.decoded, decoder.unknown, decoder.ignored, decoder.short, ring.pushed, ring.dropped, bits);
	return Float64Array.from(out);
}

function firstDifference(xs: Float64Array, node: Float64Array): string | null {
	if (xs.length !== node.length)
		return `length ${xs.length} on XS, ${node.length} on V8`;
	for (let i = 0; i < xs.length; i++)
		if (!Object.is(xs[i], node[i]))
			return `index ${i}: ${xs[i]} from NativeDecoder on XS, ${node[i]} from Decoder on V8`;
	return null;
}

/** The simulator's demo car plan and the frames of its demo drive (hosts/sim/demo). */
function demoDrive(): { plan: ArrayBuffer; frames: FrameFields[] } {
	const plan = new Uint8Array(readFileSync(join(repoRoot, "hosts", "sim", "demo", "demo-car.plan"))).slice().buffer;
	const ring = new FrameRing(4096);
	new CandumpParser(ring).feed(new Uint8Array(readFileSync(join(repoRoot, "hosts", "sim", "demo", "demo-drive.log"))));
	const frames: FrameFields[] = [];
	const frame = new CanFrame();
	while (ring.pop(frame))
		frames.push({ id: frame.id, flags: frame.flags, dlc: frame.dlc, data: frame.data.slice() });
	return { plan, frames };
}

let worker: XsWorker;
let dispose = () => {};

async function start(): Promise<void> {
	const native = buildNativeXsHost("xs-cluster-native-xs-");
	dispose = native.dispose;
	worker = await startXsHost(native.host, { wrapper: [native.worker] });
}

/** Both transcripts of `frames` on XS against V8; null when all agree. */
async function compare(plan: ArrayBuffer, frames: FrameFields[]): Promise<string | null> {
	const packed = packFrames(frames);
	await putInput(worker, "plan", plan);
	await putInput(worker, "frames", packed);
	const source = unpackFrames(packed);
	const perFrame = firstDifference(float64Reply(await worker.evaluate(`xs.nativeTranscript("plan", "frames", 0)`)), decodeTranscript(plan, source));
	if (perFrame)
		return `decode(frame): ${perFrame}`;
	for (const batch of [7, 64]) {
		const batched = firstDifference(float64Reply(await worker.evaluate(`xs.nativeTranscript("plan", "frames", ${batch})`)), referenceBatched(plan, source, batch));
		if (batched)
			return `pushRecords+pump by ${batch}: ${batched}`;
	}
	return null;
}

describeNative(title, () => {
	beforeAll(start, 120_000);
	afterAll(async () => {
		await worker?.close();
		dispose();
	});

	test("demo-drive-decodes-on-xs-as-the-typescript-decoder", async () => {
		const { plan, frames } = demoDrive();
		expect(frames.length).toBeGreaterThan(3000);
		expect(await compare(plan, frames)).toBeNull();
	}, 60_000);

	test("pipeline-with-obd-tap-and-recorder-on-xs-as-the-typescript-pipeline", async () => {
		const { plan, frames: drive } = demoDrive();
		const frames: FrameFields[] = [];
		// Between the drive's frames: OBD-II answers (valid, negative, malformed), other ids in and near the tap's range, remote frames, 29-bit ids.
		const extras: FrameFields[] = [
			{ id: 0x7E8, flags: 0, dlc: 8, data: Uint8Array.of(0x06, 0x41, 0x00, 0xBE, 0x3F, 0xA8, 0x13, 0) },
			{ id: 0x7E8, flags: 0, dlc: 8, data: Uint8Array.of(0x04, 0x41, 0x0C, 0x1A, 0xF8, 0, 0, 0) },
			{ id: 0x7E9, flags: 0, dlc: 8, data: Uint8Array.of(0x03, 0x7F, 0x01, 0x12, 0, 0, 0, 0) },
			{ id: 0x7EF, flags: 0, dlc: 2, data: Uint8Array.of(0x10, 0x41, 0, 0, 0, 0, 0, 0) },
			{ id: 0x7E7, flags: 0, dlc: 8, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
			{ id: 0x7F0, flags: 0, dlc: 1, data: Uint8Array.of(0xAA, 0, 0, 0, 0, 0, 0, 0) },
			{ id: 0x7E8, flags: FrameFlag.remote, dlc: 8, data: new Uint8Array(8) },
			{ id: 0x18DAF110, flags: FrameFlag.extended, dlc: 8, data: Uint8Array.of(0x04, 0x41, 0x0C, 0x1A, 0xF8, 0, 0, 0) },
			{ id: 0x7E8, flags: FrameFlag.extended, dlc: 3, data: Uint8Array.of(0x02, 0x41, 0x0D, 0, 0, 0, 0, 0) },
		];
		for (let k = 1; k <= drive.length; k++) {
			frames.push(drive[k - 1]);
			if (k % 37 === 0)
				frames.push(extras[(k / 37) % extras.length]);
		}
		const packed = packFrames(frames);
		await putInput(worker, "plan", plan);
		await putInput(worker, "frames", packed);
		const source = unpackFrames(packed);
		const failures: string[] = [];
		for (const [batch, maxBytes, rotate] of [[128, 2 ** 40, false], [7, 2 ** 40, false], [64, 20_000, false], [50, 3_000, true], [1, 2 ** 40, false]] as Array<[number, number, boolean]>) {
			const node = pipelineTranscript(plan, source, batch, maxBytes, rotate, false);
			const xs = float64Reply(await worker.evaluate(`xs.pipelineTranscript("plan", "frames", ${batch}, ${maxBytes}, ${rotate})`));
			const difference = firstDifference(xs, node);
			if (difference)
				failures.push(`batch ${batch}, maxBytes ${maxBytes}, ${rotate ? "rotate" : "stop"}: ${difference}`);
			// The poller's counters, recorded frames and drops, files: each case exercises what it is meant to.
			const [responses, malformed, negative, late, recorded, dropped, , files] = node.slice(node.length - 10);
			expect(responses + malformed + negative + late).toBeGreaterThan(0);
			expect(recorded).toBeGreaterThan(0);
			if (maxBytes < 2 ** 40)
				expect(dropped + files).toBeGreaterThan(1);
		}
		expect(failures).toEqual([]);
	}, 60_000);
});

describeSharedData("NativeDecoder on XS with the shared data", () => {
	describeNative(title, () => {
		beforeAll(start, 120_000);
		afterAll(async () => {
			await worker?.close();
			dispose();
		});

		test("every-cantools-vector-decodes-on-xs-as-the-typescript-decoder", async () => {
			const vectors = cantoolsVectors();
			const byDbc = new Map<string, CantoolsVector[]>();
			for (const vector of vectors)
				byDbc.set(vector.dbc, [...(byDbc.get(vector.dbc) ?? []), vector]);
			const failures: string[] = [];
			for (const [dbc, list] of byDbc) {
				const plan = compilePlan(parseDbcOrThrow(readFileSync(sharedData("dbc", dbc), "latin1"), dbc)).buffer;
				const difference = await compare(plan, list.map(v => {
					const data = Buffer.from(v.data, "hex");
					return { id: v.id, flags: v.extended ? FrameFlag.extended : 0, dlc: data.length, data };
				}));
				if (difference)
					failures.push(`${dbc}: ${difference}`);
			}
			expect(failures).toEqual([]);
		}, 180_000);
	});
});
