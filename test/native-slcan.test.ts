/*
 * The native SLCAN parser (modules/signals/native/slcan-engine.c), built
 * here for each C target (host `cc`, rv32imc on QEMU:
 * test/support/c-targets.ts), against SlcanParser, its reference: random and
 * adversarial byte streams (valid frames of every kind with and without
 * adapter timestamps, wraps and long silences, replies, BEL, CAN FD
 * commands, garbage, over-long lines, broken frames, CR/LF/CRLF/LFCR), split
 * at every byte, byte by byte and at random chunk sizes, with and without a
 * clock, into rings that overflow; the same frames (id, flags, DLC, data,
 * timestamp), the same counters, the same drops. A broken copy of the parser
 * must be caught. Where a target is missing its suite is skipped, saying
 * why, except under CI where it fails.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { hasNativeSlcan, NativeSlcanParser, slcanParser } from "../modules/can/native-slcan.js";
import { FrameRing } from "../modules/can/ring.js";
import { SlcanParser } from "../modules/can/slcan.js";
import { SlcanSerialSource } from "../modules/can/slcan-serial.js";
import { packSlcanCase, slcanTranscript, type SlcanCase } from "../bench/xs/native-slcan.js";
import { ENGINE_DIR, buildEngineDriver, runDriver, type BuiltDriver } from "./native/engine-harness.js";
import { allCases, ascii } from "./native/slcan-cases.js";
import { repoRoot } from "./shared-data.js";
import { C_TARGETS, describeTarget, hostTarget } from "./support/c-targets.js";

const SLCAN_DRIVER = join(repoRoot, "test", "native", "slcan-driver.c");
const SLCAN_ENGINE = join(ENGINE_DIR, "slcan-engine.c");

function compareAll(transcripts: Float64Array[], cases: SlcanCase[]): string[] {
	const failures: string[] = [];
	cases.forEach((c, i) => {
		const want = slcanTranscript(c, false), got = transcripts[i];
		if (got.length !== want.length)
			failures.push(`case ${i}: ${got.length} values from C, ${want.length} from TypeScript`);
		else
			for (let k = 0; k < want.length; k++)
				if (!Object.is(got[k], want[k])) {
					failures.push(`case ${i}: value ${k}: ${got[k]} from C, ${want[k]} from TypeScript`);
					break;
				}
	});
	return failures;
}

for (const target of C_TARGETS) describeTarget(target, "native SLCAN parser", () => {
	const run = (driver: BuiltDriver, cases: SlcanCase[]): Float64Array[] => {
		const input = join(driver.dir, "cases.bin"), output = join(driver.dir, "out.bin");
		writeFileSync(input, Buffer.concat(cases.map(packSlcanCase)));
		runDriver(driver, input, output);
		const raw = readFileSync(output);
		const all = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
		const out: Float64Array[] = [];
		for (let i = 0; i < all.length; i += 1 + all[i])
			out.push(all.slice(i + 1, i + 1 + all[i]));
		expect(out.length).toBe(cases.length);
		return out;
	};
	let driver: BuiltDriver;
	beforeAll(() => {
		driver = buildEngineDriver(target, SLCAN_DRIVER, SLCAN_ENGINE);
		if (target === hostTarget) // the parser is C99 and C11 alike
			execFileSync("cc", ["-std=c11", "-pedantic", "-Wall", "-Werror", "-I", ENGINE_DIR, "-c", SLCAN_ENGINE, "-o", join(driver.dir, "c11.o")], { stdio: "pipe" });
	}, 60_000);
	afterAll(() => driver?.dispose());

	test("parses-as-slcanparser-in-every-chunking", () => {
		const cases = allCases();
		const failures = compareAll(run(driver, cases), cases);
		expect(failures.slice(0, 5)).toEqual([]);
		// The cases exercise what they are meant to: every counter, drops, frames with and without timestamps.
		const totals = new Array(9).fill(0);
		for (const c of cases) {
			const t = slcanTranscript(c, false);
			t.slice(t.length - 9).forEach((v, i) => totals[i] += v);
		}
		const [frames, lines, ignored, unsupported, malformed, overlong, adapterErrors, , dropped] = totals;
		for (const [name, value] of Object.entries({ frames, ignored, unsupported, malformed, overlong, adapterErrors, dropped }))
			expect(value, name).toBeGreaterThan(20);
	});

	test("a-broken-parser-is-caught", () => {
		// A timestamp one past the limit accepted: the comparison must fail.
		const source = readFileSync(join(ENGINE_DIR, "slcan-engine.c"), "utf8");
		const slip = "if (raw > TIMESTAMP_MAX)";
		expect(source.includes(slip), `${slip} not found in slcan-engine.c: update this test`).toBe(true);
		const broken = buildEngineDriver(target, SLCAN_DRIVER, SLCAN_ENGINE, source.replace(slip, "if (raw > TIMESTAMP_MAX + 1)"));
		const c: SlcanCase = { lineCapacity: 40, ringCapacity: 4, hasClock: false, stream: ascii("t1230EA60\r"), lengths: [10], nows: [0], drains: [true] };
		try {
			expect(compareAll(run(broken, [c]), [c])).not.toEqual([]);
		}
		finally {
			broken.dispose();
		}
		expect(compareAll(run(driver, [c]), [c])).toEqual([]);
	});
});

describe("slcanParser on Node", () => {
	test("falls-back-to-slcanparser-without-the-engine", () => {
		expect(hasNativeSlcan()).toBe(false);
		const ring = new FrameRing(4);
		expect(slcanParser(ring, { maxLineLength: 40 })).toBeInstanceOf(SlcanParser);
		expect(() => new NativeSlcanParser(ring)).toThrow(/not linked/);
	});

	test("slcan-serial-source-takes-a-parser-factory", () => {
		const ring = new FrameRing(8);
		const pending = [ascii("t1232AABB\rV1013\r")];
		const made: SlcanParser[] = [];
		const source = new SlcanSerialSource(ring, {
			openSerial: () => ({ read: (buffer: Uint8Array) => { const next = pending.shift(); if (!next) return 0; buffer.set(next); return next.length; }, write() {}, close() {} }),
			clock: () => 5,
			bitRate: 500000,
			parser: (r, options) => {
				expect(options.maxLineLength).toBe(40);
				const parser = slcanParser(r, options) as SlcanParser;
				made.push(parser);
				return parser;
			},
		});
		expect(source.parser).toBe(made[0]);
		source.open(0);
		expect(ring.length).toBe(1);
		expect([source.parser.frames, source.parser.ignored, source.status.frames]).toEqual([1, 1, 1]);
	});
});
