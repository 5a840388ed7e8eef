/*
 * The candump recording engine (modules/signals/native/record-engine.c),
 * built here for each C target (host `cc`, rv32imc on QEMU:
 * test/support/c-targets.ts), against the TypeScript CandumpRecorder, its
 * reference: from the same recorder state and the same queued frames,
 * sre_record_ring must leave the same cursor (state, counters, chunk
 * positions), chunk lengths, end-of-file flags and chunk bytes as
 * `record(frame)` called frame by frame; on random frames (standard,
 * extended, remote, error, DLC past 8, every timestamp oddity: negative, NaN,
 * infinite, huge, half microseconds), with the recorder falling behind, at
 * its cap ("stop" and "rotate") and closed. And the recorder's lines are
 * formatCandumpLine's on random timestamps. Where a target is missing its
 * suite is skipped, saying why, except under CI where it fails.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { formatCandumpLine } from "../modules/can/candump.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { CandumpRecorder, type RecordSink } from "../modules/can/recorder.js";
import { FrameRing } from "../modules/can/ring.js";
import { ENGINE_DIR, buildEngineDriver, runDriver, type BuiltDriver } from "./native/engine-harness.js";
import { repoRoot } from "./shared-data.js";
import { C_TARGETS, describeTarget } from "./support/c-targets.js";

const pad8 = (n: number) => (n + 7) & ~7;

function lcg(seed: number) {
	return () => {
		seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
		return seed / 4294967296;
	};
}

/** A sink that keeps nothing. */
const nowhere: RecordSink = { write() {} };

/** One step: the recorder's storage and the ring's, as the driver reads them. */
function caseBytes(recorder: CandumpRecorder, ring: FrameRing, max: number): Uint8Array {
	const s = recorder.storage(), capacity = ring.capacity;
	const chunks = s.chunks.length, chunkSize = s.chunks[0].length;
	const parts: Uint8Array[] = [];
	const head = new Uint32Array([capacity, ring["head"], ring["count"], max, s.name.length, 0, 0, 0]);
	const name = new Uint8Array(16);
	name.set(s.name);
	const lengths = new Uint8Array(pad8(chunks * 4));
	lengths.set(new Uint8Array(s.lengths.buffer));
	const endsFile = new Uint8Array(pad8(chunks));
	endsFile.set(s.endsFile);
	const all = new Uint8Array(chunks * chunkSize);
	s.chunks.forEach((chunk, c) => all.set(chunk, c * chunkSize));
	const padded = (bytes: Uint8Array) => {
		const out = new Uint8Array(pad8(bytes.length));
		out.set(bytes);
		return out;
	};
	parts.push(new Uint8Array(head.buffer), new Uint8Array(s.cursor.slice().buffer), name,
		padded(new Uint8Array(ring["ids"].slice().buffer)), padded(ring["flags"]), padded(ring["dlcs"]),
		new Uint8Array(ring["words"].slice().buffer), new Uint8Array(ring["timestamps"].slice().buffer),
		padded(all), lengths, endsFile);
	const total = parts.reduce((n, p) => n + p.length, 0);
	const bytes = new Uint8Array(total);
	let at = 0;
	for (const p of parts) {
		bytes.set(p, at);
		at += p.length;
	}
	return bytes;
}

/** What the driver writes for one case, taken from the TypeScript recorder. */
function stateBytes(looked: number, recorder: CandumpRecorder): Uint8Array {
	const s = recorder.storage(), chunks = s.chunks.length, chunkSize = s.chunks[0].length;
	const out = new Uint8Array(8 + s.cursor.length * 8 + pad8(chunks * 4) + pad8(chunks) + pad8(chunks * chunkSize));
	new DataView(out.buffer).setUint32(0, looked, true);
	let at = 8;
	out.set(new Uint8Array(s.cursor.slice().buffer), at);
	at += s.cursor.length * 8;
	out.set(new Uint8Array(s.lengths.slice().buffer), at);
	at += pad8(chunks * 4);
	out.set(s.endsFile, at);
	at += pad8(chunks);
	s.chunks.forEach((chunk, c) => out.set(chunk, at + c * chunkSize));
	return out;
}

const ODD_TIMESTAMPS = [-1, NaN, Infinity, -Infinity, 0, 0.0005, 0.0015, 999.9995, 1e15, 1e15 - 0.001, 99999999999999.999, 4503599627370.4995, 1700000000000.0005, 2 ** 53];

function randomTimestamp(random: () => number): number {
	const pick = random();
	if (pick < 0.15)
		return ODD_TIMESTAMPS[Math.floor(random() * ODD_TIMESTAMPS.length)];
	if (pick < 0.3)
		return random() * 1e15;
	if (pick < 0.45)
		return Math.floor(random() * 1e9) / 2000; // half microseconds
	return 1.7e12 + random() * 1e9;
}

/** Queues `n` random frames. */
function queueRandom(random: () => number, ring: FrameRing, n: number): void {
	const bytes = new Uint8Array(8);
	for (let k = 0; k < n; k++) {
		const kind = random();
		const flags = kind < 0.1 ? FrameFlag.error : kind < 0.2 ? FrameFlag.remote | (random() < 0.5 ? FrameFlag.extended : 0) : kind < 0.5 ? FrameFlag.extended : 0;
		const id = Math.floor(random() * 2 ** 32) >>> (random() < 0.5 ? 0 : 21);
		const dlc = random() < 0.05 ? 9 + Math.floor(random() * 7) : Math.floor(random() * 9);
		for (let i = 0; i < 8; i++)
			bytes[i] = random() * 256;
		ring.pushFields(id, flags, dlc, bytes, 0, 8, randomTimestamp(random));
	}
}

const RECORD_DRIVER = join(repoRoot, "test", "native", "record-driver.c");
const RECORD_ENGINE = join(ENGINE_DIR, "record-engine.c");

for (const target of C_TARGETS) describeTarget(target, "candump recording engine", () => {
	let driver: BuiltDriver;
	beforeAll(() => {
		driver = buildEngineDriver(target, RECORD_DRIVER, RECORD_ENGINE);
	}, 60_000);
	afterAll(() => driver?.dispose());

	test("records-as-the-typescript-recorder-byte-for-byte", () => {
		const random = lcg(0x5EC0DE);
		const cases: Uint8Array[] = [], expected: Uint8Array[] = [];
		const configs = [
			{ maxBytes: 2 ** 40, onFull: "stop" as const, chunkSize: 4096, chunks: 4, interfaceName: "can0" },
			{ maxBytes: 2 ** 40, onFull: "stop" as const, chunkSize: 64, chunks: 2, interfaceName: "vcan0" },
			{ maxBytes: 3000, onFull: "stop" as const, chunkSize: 256, chunks: 3, interfaceName: "can1" },
			{ maxBytes: 700, onFull: "rotate" as const, chunkSize: 128, chunks: 3, interfaceName: "sixteen-chars-ok" },
			{ maxBytes: 500, onFull: "rotate" as const, chunkSize: 100, chunks: 5, interfaceName: "c" },
		];
		const frame = new CanFrame();
		for (const config of configs) {
			const recorder = new CandumpRecorder({ sink: nowhere, openNext: () => nowhere, ...config });
			const ring = new FrameRing(64);
			for (let step = 0; step < 60; step++) {
				queueRandom(random, ring, Math.floor(random() * (64 - ring.length + 1)));
				const max = random() < 0.2 ? Math.floor(random() * 10) : 0xFFFFFFFF;
				if (step === 55)
					recorder.close();
				cases.push(caseBytes(recorder, ring, max));
				// The reference: record frame by frame what the engine looks at, off a copy of the ring.
				const n = Math.min(max, ring.length);
				for (let k = 0; k < n; k++) {
					ring.pop(frame);
					recorder.record(frame);
				}
				expected.push(stateBytes(n, recorder));
				// Drain some of the queue, sometimes: the recorder falls behind at other times.
				if (random() < 0.6)
					recorder.service(Math.floor(random() * 3));
			}
		}
		const input = join(driver.dir, "cases.bin"), output = join(driver.dir, "out.bin");
		writeFileSync(input, Buffer.concat(cases));
		runDriver(driver, input, output);
		const got = new Uint8Array(readFileSync(output));
		const failures: string[] = [];
		let at = 0;
		expected.forEach((want, i) => {
			const part = got.subarray(at, at + want.length);
			at += want.length;
			if (Buffer.compare(Buffer.from(part), Buffer.from(want)) !== 0) {
				let byte = 0;
				while (part[byte] === want[byte])
					byte++;
				failures.push(`case ${i}: first difference at byte ${byte}`);
			}
		});
		expect(at).toBe(got.length);
		expect(failures.slice(0, 5)).toEqual([]);
	});

	test("a-broken-engine-is-caught", () => {
		// A rounding slip in the microseconds: the same driver, a mutated engine, and the comparison above must fail.
		const source = readFileSync(join(ENGINE_DIR, "record-engine.c"), "utf8");
		const slip = "if (scaled - total >= 0.5)";
		expect(source.includes(slip), `${slip} not found in record-engine.c: update this test`).toBe(true);
		const broken = buildEngineDriver(target, RECORD_DRIVER, RECORD_ENGINE, source.replace(slip, "if (scaled - total > 0.5)"));
		const recorder = new CandumpRecorder({ sink: nowhere, maxBytes: 2 ** 40 });
		const ring = new FrameRing(4);
		ring.pushFields(0x123, 0, 1, new Uint8Array(8), 0, 8, 0.0005);
		const input = join(broken.dir, "cases.bin"), output = join(broken.dir, "out.bin");
		writeFileSync(input, caseBytes(recorder, ring, 0xFFFFFFFF));
		let got: Buffer;
		try {
			runDriver(broken, input, output);
			got = readFileSync(output);
		}
		finally {
			broken.dispose();
		}
		const frame = new CanFrame();
		ring.pop(frame);
		recorder.record(frame);
		expect(Buffer.compare(got, Buffer.from(stateBytes(1, recorder)))).not.toBe(0);
	});
});

describe("CandumpRecorder lines on random timestamps", () => {
	test("lines-are-formatCandumpLine-for-every-timestamp-it-accepts", () => {
		const random = lcg(0xC0FFEE);
		let text = "";
		const sink: RecordSink = { write(bytes) { text += Buffer.from(bytes).toString("latin1"); } };
		const recorder = new CandumpRecorder({ sink, maxBytes: 2 ** 40, chunkSize: 4096, interfaceName: "can0" });
		const frame = new CanFrame();
		frame.flags = FrameFlag.extended;
		frame.id = 0x18FEF100;
		frame.dlc = 2;
		let expected = "";
		for (let k = 0; k < 20000; k++) {
			const t = randomTimestamp(random);
			frame.timestamp = t >= 0 && t < 1e15 ? t : 1234.5;
			expect(recorder.record(frame)).toBe(true);
			recorder.service(4);
			expected += formatCandumpLine(frame, "can0") + "\n";
		}
		recorder.flush();
		expect(text).toBe(expected);
	});
});
