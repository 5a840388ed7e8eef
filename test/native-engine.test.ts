/*
 * The native decode engine against the TypeScript Decoder, its reference:
 * the C engine (modules/signals/native/decode-engine.c), built here for each
 * C target (the host's `cc`, and rv32imc, the ESP32-C3's instruction set, on
 * QEMU: test/support/c-targets.ts), must give the same message indexes,
 * present flags, raw store words, update times and counts, and counters, bit
 * for bit (Object.is), on every cantools vector, on random layouts (every
 * byte order, length 1..64, signed, float32/64, scaling, multiplexing with
 * nested switches and ranges, short frames, extended, unknown, remote and
 * error frames), on the demo car's drive, and when it drains a real
 * FrameRing's storage. A deliberately broken engine must be caught. Where a
 * target is missing its suite is skipped, saying why, except under CI where
 * it fails.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CandumpParser } from "../modules/can/candump.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { compilePlan } from "../modules/dbc/compile.js";
import type { DbcMessage, DbcSignal } from "../modules/dbc/database.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { packFrames, type FrameFields } from "../bench/frames.js";
import { database, message, motorolaStartBit, signal } from "./support/dbc-builder.js";
import { describeSharedData, repoRoot, sharedData, cantoolsVectors, type CantoolsVector } from "./shared-data.js";
import {
	ENGINE_SOURCE, MODE_FRAMES, MODE_RECORDS, MODE_RING, buildDriver, firstDifference, referenceTranscript, ringPayload, runEngine,
	type BuiltDriver, type EngineCase,
} from "./native/engine-harness.js";
import { C_TARGETS, describeTarget } from "./support/c-targets.js";

/** A small deterministic generator, independent of the other suites' seeds. */
function lcg(seed: number) {
	return () => {
		seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
		return seed / 4294967296;
	};
}

/** A random signal that fits in 8 bytes: any byte order, length, signedness, float type, scaling. */
function randomSignal(random: () => number, name: string, extra: Partial<DbcSignal> = {}): DbcSignal {
	const byteOrder = random() < 0.5 ? "little_endian" : "big_endian";
	const kind = random();
	const valueType = kind < 0.07 ? "float32" : kind < 0.14 ? "float64" : "integer";
	// Lengths weighted towards the decoder's fast paths (8, 16, inside a byte) as well as 1..64.
	const pick = random();
	const length = valueType === "float32" ? 32 : valueType === "float64" ? 64
		: pick < 0.2 ? 8 : pick < 0.35 ? 16 : pick < 0.5 ? 1 + Math.floor(random() * 7) : 1 + Math.floor(random() * 64);
	let startBit: number;
	const aligned = random() < 0.3;
	if (byteOrder === "little_endian") {
		startBit = Math.floor(random() * (64 - length + 1));
		if (aligned)
			startBit &= ~7;
	}
	else {
		let msb = Math.floor(random() * (64 - length + 1));
		if (aligned)
			msb &= ~7;
		startBit = motorolaStartBit(msb);
	}
	const scale = random();
	return signal({
		name, startBit, length, byteOrder, valueType,
		signed: valueType === "integer" && random() < 0.5,
		factor: scale < 0.4 ? 1 : scale < 0.7 ? 0.1 : scale < 0.85 ? 0.25 : -3.7,
		offset: random() < 0.5 ? 0 : random() < 0.5 ? -40 : 1e6 + 0.3,
		...extra,
	});
}

/** Messages with random layouts, some multiplexed (nested switches, ranges), some extended. */
function randomDatabase(random: () => number, round: number): DbcMessage[] {
	const messages: DbcMessage[] = [];
	const count = 1 + Math.floor(random() * 4);
	for (let m = 0; m < count; m++) {
		const signals: DbcSignal[] = [];
		const extended = random() < 0.3;
		const id = extended ? (0x18000000 + round * 97 + m * 13) & 0x1FFFFFFF : 0x100 + ((round * 7 + m) & 0x6FF);
		if (random() < 0.35) {
			// Outer switch in byte 0, inner switch in byte 1 selected by outer 0 or 2..3, leaves elsewhere.
			signals.push(signal({ name: "Outer", startBit: 0, length: 8, isMultiplexer: true }));
			signals.push(signal({ name: "Inner", startBit: 8, length: 4, isMultiplexer: true, multiplexerSignal: "Outer", multiplexerRanges: [[0, 0], [2, 3]] }));
			for (let k = 0; k < 4; k++) {
				const leaf = randomSignal(random, `L${k}`);
				// Keep leaves off the switches' bytes so the frames select every way.
				if (leaf.byteOrder === "little_endian" ? leaf.startBit < 16 : (leaf.startBit >> 3) < 2)
					continue;
				leaf.multiplexerSignal = k & 1 ? "Inner" : "Outer";
				leaf.multiplexerRanges = k & 1 ? [[k, k + 2]] : [[k & 3, k & 3], [5, 9]];
				signals.push(leaf);
			}
			signals.push(randomSignal(random, "Always"));
		}
		else {
			const n = 1 + Math.floor(random() * 8);
			for (let k = 0; k < n; k++)
				signals.push(randomSignal(random, `S${k}`));
		}
		messages.push(message({ id, extended, name: `M${round}_${m}`, signals }));
	}
	return messages;
}

/** Frames for those messages: right and wrong ids, flags, short DLCs, selectors that select and miss. */
function randomFrames(random: () => number, messages: DbcMessage[], count: number): FrameFields[] {
	const frames: FrameFields[] = [];
	for (let k = 0; k < count; k++) {
		const m = messages[Math.floor(random() * messages.length)];
		const data = Array.from({ length: 8 }, () => Math.floor(random() * 256));
		data[0] = random() < 0.7 ? Math.floor(random() * 5) : data[0];
		data[1] = random() < 0.7 ? Math.floor(random() * 8) : data[1];
		const roll = random();
		let flags = m.extended ? FrameFlag.extended : 0, id = m.id;
		if (roll < 0.04)
			flags |= FrameFlag.remote;
		else if (roll < 0.07)
			flags |= FrameFlag.error;
		else if (roll < 0.1)
			id = (id + 1 + Math.floor(random() * 5)) & 0x1FFFFFFF;
		else if (roll < 0.12)
			flags ^= FrameFlag.extended;
		else if (roll < 0.13)
			id = m.extended ? 0x1FFFFFFF : 0x7FF + 1 + Math.floor(random() * 100);
		const dlc = random() < 0.25 ? Math.floor(random() * 9) : 8;
		frames.push({ id, flags, dlc, data });
	}
	return frames;
}

function randomCases(seed: number, rounds: number): EngineCase[] {
	const random = lcg(seed);
	const cases: EngineCase[] = [];
	for (let round = 0; round < rounds; round++) {
		const messages = randomDatabase(random, round);
		const plan = compilePlan(database(messages)).buffer;
		const frames = randomFrames(random, messages, 40);
		cases.push({ mode: MODE_FRAMES, plan, payload: packFrames(frames) });
		if (round % 4 === 0) {
			// The same frames through a small ring that wrapped and dropped, drained in two pumps' worth.
			const ring = new FrameRing(16);
			const bytes = new Uint8Array(8);
			frames.forEach((f, k) => {
				bytes.set(Array.from(f.data));
				ring.pushFields(f.id, f.flags, f.dlc, bytes, 0, 8, 1e12 + k * 0.125);
			});
			cases.push({ mode: MODE_RING, plan, payload: ringPayload(ring), max: 1 + (round % 16) });
		}
	}
	return cases;
}

function expectSame(c: Float64Array[], cases: ReadonlyArray<EngineCase>, label: (i: number) => string): void {
	const failures: string[] = [];
	cases.forEach((one, i) => {
		const difference = firstDifference(c[i], referenceTranscript(one));
		if (difference)
			failures.push(`${label(i)}: ${difference}`);
	});
	expect(failures.slice(0, 10)).toEqual([]);
}

for (const target of C_TARGETS) {
let driver: BuiltDriver;

describeTarget(target, "native decode engine", () => {
	beforeAll(() => {
		driver = buildDriver(target);
	}, 60_000);
	afterAll(() => driver?.dispose());

	test("random-layouts-decode-bit-for-bit-as-the-typescript-decoder", () => {
		const cases = randomCases(2024, 400);
		const c = runEngine(driver, cases);
		expectSame(c, cases, i => `case ${i}`);
		// The cases reach every path: each counter moves, and multiplexed signals are both selected and not.
		const totals = [0, 0, 0, 0];
		cases.forEach((one, i) => {
			const t = c[i], at = t.length - (one.mode === MODE_RING ? 5 : 4);
			for (let k = 0; k < 4; k++)
				totals[k] += t[at + k];
		});
		expect(totals.every(n => n > 20), `decoded, unknown, ignored, short: ${totals}`).toBe(true);
		expect(cases.filter(one => one.mode === MODE_RING).length).toBe(100);
	});

	test("demo-drive-through-a-ring-decodes-as-the-typescript-decoder", () => {
		const plan = new Uint8Array(readFileSync(join(repoRoot, "hosts", "sim", "demo", "demo-car.plan"))).slice().buffer;
		const log = readFileSync(join(repoRoot, "hosts", "sim", "demo", "demo-drive.log"));
		const ring = new FrameRing(4096);
		const parser = new CandumpParser(ring);
		parser.feed(new Uint8Array(log));
		expect(ring.length).toBeGreaterThan(3000);
		const cases: EngineCase[] = [
			{ mode: MODE_RING, plan, payload: ringPayload(ring) },
			{ mode: MODE_RING, plan, payload: ringPayload(ring), max: 1000 },
		];
		const c = runEngine(driver, cases);
		expectSame(c, cases, i => `demo case ${i}`);
		expect(c[0][0]).toBe(ring.length); // all pumped
		expect(c[0].at(-5)).toBeGreaterThan(3000); // decoded
		expect(c[0].at(-1)).toBeGreaterThan(3000 * 47); // bus bits
	});

	test("records-queue-into-a-ring-as-the-twai-source-pushes-them", () => {
		// Rings part full, wrapped and full; records with every flag, DLC 0..15, remote frames with payload bytes set.
		const random = lcg(99);
		const plan = compilePlan(database([message({ id: 0x10, name: "A", signals: [signal({ name: "X", startBit: 0, length: 8 })] })])).buffer;
		const cases: EngineCase[] = [];
		for (let round = 0; round < 60; round++) {
			const ring = new FrameRing(8 << (round % 3));
			const bytes = new Uint8Array(8);
			for (let k = 0, n = Math.floor(random() * 40); k < n; k++) {
				bytes.forEach((_, i) => bytes[i] = Math.floor(random() * 256));
				ring.pushFields(k * 3, 0, 8, bytes, 0, 8, k);
				if (random() < 0.3)
					ring.pop(new CanFrame());
			}
			const count = Math.floor(random() * 50);
			const records = new Uint8Array(count * 16);
			for (let k = 0; k < count; k++) {
				for (let i = 0; i < 16; i++)
					records[k * 16 + i] = Math.floor(random() * 256);
				records[k * 16 + 5] = Math.floor(random() * 16);
			}
			const payload = new Uint8Array(ringPayload(ring).length + records.length);
			payload.set(ringPayload(ring));
			payload.set(records, ringPayload(ring).length);
			cases.push({ mode: MODE_RECORDS, plan, payload, max: count });
		}
		const c = runEngine(driver, cases);
		expectSame(c, cases, i => `records case ${i}`);
		expect(c.some(t => t[0] > 0)).toBe(true); // some rings overflowed
	});

	test("a-plan-the-engine-cannot-trust-is-refused", () => {
		const good = compilePlan(database([message({ id: 0x10, name: "A", signals: [signal({ name: "X", startBit: 0, length: 8 })] })])).buffer;
		const corrupt = (edit: (words: Int32Array) => void) => {
			const copy = good.slice(0);
			edit(new Int32Array(copy));
			return copy;
		};
		const header = new Uint32Array(good, 0, 16);
		const signalWord = (field: number) => header[8] / 4 + field;
		const cases: EngineCase[] = [
			corrupt(w => { w[0] = 0; }), // magic
			corrupt(w => { w[13] += 8; }), // total length
			corrupt(w => { w[8] = good.byteLength; }), // signals section outside the blob
			corrupt(w => { w[signalWord(1)] = 7; w[signalWord(2)] = 2; }), // reads past byte 7
			corrupt(w => { w[signalWord(6)] = 5; }), // multiplexer out of range
			corrupt(w => { w[signalWord(1)] = 0x7FFFFFFF; w[signalWord(2)] = 2; }), // first byte + count overflows int32
		].map(plan => ({ mode: MODE_FRAMES, plan, payload: packFrames([]) }));
		const c = runEngine(driver, cases);
		expect(c.map(t => Array.from(t))).toEqual([[-1], [-1], [-2], [-4], [-4], [-4]]);
	});

	test("a-broken-shift-is-caught", () => {
		// The harness must be able to fail: place every signal within 4 bytes one bit too far.
		const source = readFileSync(ENGINE_SOURCE, "utf8");
		const line = "lo <<= g->up;";
		expect(source.includes(line), `${line} not found in decode-engine.c: update this test`).toBe(true);
		const broken = buildDriver(target, source.replace(line, "lo <<= (g->up + 1) & 31;"));
		try {
			const cases = randomCases(7, 20);
			const c = runEngine(broken, cases);
			const differing = cases.filter((one, i) => firstDifference(c[i], referenceTranscript(one)) !== null).length;
			expect(differing).toBeGreaterThan(15);
		}
		finally {
			broken.dispose();
		}
	}, 60_000);
});

describeSharedData("native decode engine with the shared data", () => {
	describeTarget(target, "native decode engine", () => {
		beforeAll(() => {
			driver = buildDriver(target);
		}, 60_000);
		afterAll(() => driver?.dispose());

		test("every-cantools-vector-decodes-bit-for-bit-as-the-typescript-decoder", () => {
			const vectors = cantoolsVectors();
			expect(vectors.length).toBeGreaterThan(4000);
			const byDbc = new Map<string, CantoolsVector[]>();
			for (const vector of vectors)
				byDbc.set(vector.dbc, [...(byDbc.get(vector.dbc) ?? []), vector]);
			const cases: EngineCase[] = [], names: string[] = [];
			let frames = 0;
			for (const [dbc, list] of byDbc) {
				const plan = compilePlan(parseDbcOrThrow(readFileSync(sharedData("dbc", dbc), "latin1"), dbc)).buffer;
				const packed = packFrames(list.map(v => {
					const data = Buffer.from(v.data, "hex");
					return { id: v.id, flags: v.extended ? FrameFlag.extended : 0, dlc: data.length, data };
				}));
				frames += list.length;
				cases.push({ mode: MODE_FRAMES, plan, payload: packed });
				names.push(dbc);
			}
			expect(frames).toBe(vectors.length);
			const c = runEngine(driver, cases);
			expectSame(c, cases, i => names[i]);
			// Every vector's message was found by the C engine.
			const decoded = c.reduce((n, t) => n + t[t.length - 4], 0);
			expect(decoded).toBe(vectors.length);
		}, 120_000);
	});
});
}
