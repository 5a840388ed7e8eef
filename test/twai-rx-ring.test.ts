/*
 * The TWAI module's receive ring (hosts/esp32/twai/twai-rx-ring.h), built
 * with the host `cc` (strict C99, warnings as errors, AddressSanitizer and
 * UndefinedBehaviorSanitizer) and for rv32imc on QEMU (the ESP32-C3's 32-bit
 * core: test/support/c-targets.ts) into test/native/twai-rx-ring-driver.c: wrap-
 * around, overflow that drops the oldest records and counts each one, the
 * record layout (DLC above 8, remote frames, flag bits), reads of every size
 * into unaligned buffers, capacities it must refuse, and random scripts held
 * byte for byte to RxRingModel, the TypeScript model the mock TWAI runs (so
 * the mock and the C cannot drift apart). A deliberately broken copy of the
 * header must be caught. Where a target is missing its suite is skipped,
 * saying why, except under CI where it fails.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { TWAI_RECORD_SIZE } from "../modules/can/twai.js";
import { RxRingModel } from "./fixtures/mock-twai.js";
import { repoRoot } from "./shared-data.js";
import { C_TARGETS, describeTarget, hostTarget } from "./support/c-targets.js";

const HEADER_DIR = join(repoRoot, "hosts", "esp32", "twai");
const DRIVER = join(repoRoot, "test", "native", "twai-rx-ring-driver.c");

type Operation =
	| { kind: "push"; id: number; flags: number; dlc: number; data: readonly number[] }
	| { kind: "read"; max: number }
	| { kind: "counters" };

interface RingCase {
	capacity: number;
	operations: Operation[];
}

const push = (id: number, flags = 0, dlc = 8, data: readonly number[] = [id & 0xFF, 1, 2, 3, 4, 5, 6, 7]): Operation => ({ kind: "push", id, flags, dlc, data });
const read = (max: number): Operation => ({ kind: "read", max });
const counters: Operation = { kind: "counters" };

function pack(cases: readonly RingCase[]): Uint8Array {
	const size = cases.reduce((sum, c) => sum + 16 + 24 * c.operations.length, 0);
	const bytes = new Uint8Array(size), view = new DataView(bytes.buffer);
	let at = 0;
	for (const c of cases) {
		view.setUint32(at, c.capacity, true);
		view.setUint32(at + 4, c.operations.length, true);
		at += 16;
		for (const op of c.operations) {
			view.setUint32(at, op.kind === "push" ? 1 : op.kind === "read" ? 2 : 3, true);
			if (op.kind === "push") {
				view.setUint32(at + 4, op.id >>> 0, true);
				bytes[at + 8] = op.flags;
				bytes[at + 9] = op.dlc;
				bytes.set(op.data, at + 16);
			}
			else if (op.kind === "read")
				view.setUint32(at + 4, op.max, true);
			at += 24;
		}
	}
	return bytes;
}

/** What the driver writes for `cases`, computed with RxRingModel. */
function modelOutput(cases: readonly RingCase[]): Uint8Array {
	const out: number[] = [];
	const put32 = (value: number) => out.push(value & 0xFF, (value >>> 8) & 0xFF, (value >>> 16) & 0xFF, (value >>> 24) & 0xFF);
	for (const c of cases) {
		let ring: RxRingModel | null = null;
		try {
			ring = new RxRingModel(c.capacity);
			put32(0);
		}
		catch {
			put32(-1);
		}
		if (!ring)
			continue;
		for (const op of c.operations) {
			if (op.kind === "push")
				ring.push(op.id >>> 0, op.flags, op.dlc, Uint8Array.from(op.data));
			else if (op.kind === "read") {
				const buffer = new Uint8Array(op.max * TWAI_RECORD_SIZE);
				const n = ring.read(buffer, 0, op.max);
				put32(n);
				out.push(...buffer.subarray(0, n * TWAI_RECORD_SIZE));
			}
			else {
				put32(ring.count);
				put32(ring.pushed);
				put32(ring.dropped);
				put32(ring.head);
			}
		}
	}
	return Uint8Array.from(out);
}

/** Splits a driver output into its 32-bit words and records, for readable failures. */
function words(bytes: Uint8Array, from: number, count: number): number[] {
	const view = new DataView(bytes.buffer, bytes.byteOffset);
	return Array.from({ length: count }, (_, i) => view.getUint32(from + 4 * i, true));
}

/** A record's identifier, flags, DLC and data, as the driver wrote it at `at`. */
function record(bytes: Uint8Array, at: number) {
	const view = new DataView(bytes.buffer, bytes.byteOffset);
	return { id: view.getUint32(at, true), flags: bytes[at + 4], dlc: bytes[at + 5], pad: [bytes[at + 6], bytes[at + 7]], data: [...bytes.subarray(at + 8, at + 16)] };
}

for (const target of C_TARGETS) describeTarget(target, "TWAI receive ring", () => {
	let dir = "";
	let binary = "";

	const build = (header: string | null, name: string): string => {
		const includeDir = header === null ? HEADER_DIR : join(dir, name);
		if (header !== null) {
			mkdirSync(includeDir, { recursive: true });
			writeFileSync(join(includeDir, "twai-rx-ring.h"), header);
		}
		const out = join(dir, name + "-driver");
		if (target !== hostTarget) {
			// A 32-bit core: the same driver, plain (no sanitizers there).
			target.build([{ source: DRIVER, flags: ["-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2"] }], [includeDir, join(repoRoot, "test", "native")], out);
			return out;
		}
		// The header alone as strict C99 with conversion warnings: what a device compiler may ask of it.
		const unit = join(dir, name + "-unit.c");
		writeFileSync(unit, "#include \"twai-rx-ring.h\"\nint twaiRxRingUnit(TwaiRxRing *ring, uint8_t *out) {\n\ttwaiRxRingPush(ring, 1, 0, 8, out);\n\treturn (int)twaiRxRingRead(ring, out, 1);\n}\n");
		execFileSync("cc", ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Wconversion", "-Wsign-conversion", "-Werror", "-I", includeDir, "-c", unit, "-o", join(dir, name + "-unit.o")], { stdio: "pipe" });
		execFileSync("cc", ["-std=c11", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2", "-g", "-fsanitize=address,undefined", "-fno-sanitize-recover=all",
			"-I", includeDir, "-I", join(repoRoot, "test", "native"), DRIVER, "-o", out], { stdio: "pipe" });
		return out;
	};

	const run = (driver: string, cases: readonly RingCase[]): Uint8Array => {
		const input = join(dir, "cases.bin"), output = join(dir, "out.bin");
		writeFileSync(input, pack(cases));
		target.run(driver, [input, output]);
		return new Uint8Array(readFileSync(output));
	};

	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), "xs-cluster-twai-ring-"));
		binary = build(null, "ring");
	}, 60_000);

	afterAll(() => {
		if (dir)
			rmSync(dir, { recursive: true, force: true });
	});

	test("wrap-around: records come out oldest first across the end of the slots", () => {
		// Capacity 4: push 3, read 2, push 3 (slots 3, 0, 1), read all.
		const cases = [{ capacity: 4, operations: [push(1), push(2), push(3), read(2), push(4), push(5), push(6), read(8), counters] }];
		const out = run(binary, cases);
		expect(out).toEqual(modelOutput(cases));
		expect(words(out, 0, 2)).toEqual([0, 2]);
		expect([record(out, 8).id, record(out, 24).id]).toEqual([1, 2]);
		const second = 8 + 2 * 16;
		expect(words(out, second, 1)).toEqual([4]);
		expect([0, 1, 2, 3].map((r) => record(out, second + 4 + r * 16).id)).toEqual([3, 4, 5, 6]);
		// count 0, pushed 6, dropped 0, head at slot 2 (6 records through 4 slots)
		expect(words(out, second + 4 + 4 * 16, 4)).toEqual([0, 6, 0, 2]);
	});

	test("overflow-drops-oldest-counted-exactly: 11 frames into 4 slots keep the newest 4, 7 dropped", () => {
		const operations: Operation[] = [];
		for (let i = 0; i < 11; i++)
			operations.push(push(0x100 + i));
		operations.push(counters, read(16), counters);
		const cases = [{ capacity: 4, operations }];
		const out = run(binary, cases);
		expect(out).toEqual(modelOutput(cases));
		expect(words(out, 4, 4)).toEqual([4, 11, 7, 7 & 3]);
		expect(words(out, 20, 1)).toEqual([4]);
		expect([0, 1, 2, 3].map((r) => record(out, 24 + r * 16).id)).toEqual([0x107, 0x108, 0x109, 0x10A]);
		expect(words(out, 24 + 64, 4)).toEqual([0, 11, 7, 11 & 3]);
	});

	test("overflow-after-wrap-and-partial-reads: drops stay exact when reads and overflow interleave", () => {
		const operations: Operation[] = [];
		let next = 0;
		for (let round = 0; round < 40; round++) {
			for (let i = 0; i < (round % 7) + 1; i++)
				operations.push(push(next++));
			operations.push(read(round % 3), counters);
		}
		operations.push(read(64), counters);
		const cases = [{ capacity: 8, operations }];
		const out = run(binary, cases);
		expect(out).toEqual(modelOutput(cases));
		// What went in is what came out plus what was dropped.
		const model = new RxRingModel(8);
		let outCount = 0;
		for (const op of operations) {
			if (op.kind === "push")
				model.push(op.id, op.flags, op.dlc, Uint8Array.from(op.data));
			else if (op.kind === "read")
				outCount += model.read(new Uint8Array(op.max * 16), 0, op.max);
		}
		expect(outCount + model.dropped).toBe(next);
		expect(model.dropped).toBeGreaterThan(0);
	});

	test("record-layout: id little-endian, flag bits kept, DLC above 8 stored as 8, remote and short frames zero-filled", () => {
		const cases = [{
			capacity: 8, operations: [
				push(0x1ABCDEF0, 1, 8, [1, 2, 3, 4, 5, 6, 7, 8]),
				push(0x7DF, 0, 2, [0xAA, 0xBB, 9, 9, 9, 9, 9, 9]),
				push(0x123, 2, 4, [9, 9, 9, 9, 9, 9, 9, 9]),
				push(0x124, 0xFF, 15, [1, 2, 3, 4, 5, 6, 7, 8]),
				push(0x125, 0, 0, [9, 9, 9, 9, 9, 9, 9, 9]),
				read(5),
			],
		}];
		const out = run(binary, cases);
		expect(out).toEqual(modelOutput(cases));
		expect([0, 1, 2, 3, 4].map((r) => record(out, 8 + r * 16))).toEqual([
			{ id: 0x1ABCDEF0, flags: 1, dlc: 8, pad: [0, 0], data: [1, 2, 3, 4, 5, 6, 7, 8] },
			{ id: 0x7DF, flags: 0, dlc: 2, pad: [0, 0], data: [0xAA, 0xBB, 0, 0, 0, 0, 0, 0] },
			{ id: 0x123, flags: 2, dlc: 4, pad: [0, 0], data: [0, 0, 0, 0, 0, 0, 0, 0] },
			{ id: 0x124, flags: 3, dlc: 8, pad: [0, 0], data: [0, 0, 0, 0, 0, 0, 0, 0] },
			{ id: 0x125, flags: 0, dlc: 0, pad: [0, 0], data: [0, 0, 0, 0, 0, 0, 0, 0] },
		]);
	});

	test("capacity-must-be-a-power-of-two: 0, 1, 3, 6 and 131072 refused, 2 and 65536 taken", () => {
		const cases = [0, 1, 3, 6, 131072, 2, 65536].map((capacity) => ({ capacity, operations: [push(1), counters] }));
		const out = run(binary, cases);
		expect(out).toEqual(modelOutput(cases));
		const view = new DataView(out.buffer, out.byteOffset);
		expect([0, 4, 8, 12, 16].map((at) => view.getInt32(at, true))).toEqual([-1, -1, -1, -1, -1]);
		expect(view.getInt32(20, true)).toBe(0);
	});

	test("random-scripts-match-the-model: 200 scripts of pushes, reads and counters, byte for byte", () => {
		let seed = 0x7A1;
		const random = () => {
			seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
			return seed / 4294967296;
		};
		const cases: RingCase[] = [];
		for (let k = 0; k < 200; k++) {
			const capacity = 2 ** (1 + Math.floor(random() * 7));
			const operations: Operation[] = [];
			const length = Math.floor(random() * 300);
			for (let i = 0; i < length; i++) {
				const r = random();
				if (r < 0.7) {
					const data = Array.from({ length: 8 }, () => Math.floor(random() * 256));
					operations.push(push(Math.floor(random() * 0x20000000), Math.floor(random() * 8), Math.floor(random() * 16), data));
				}
				else if (r < 0.95)
					operations.push(read(Math.floor(random() * (capacity * 2 + 1))));
				else
					operations.push(counters);
			}
			operations.push(counters);
			cases.push({ capacity, operations });
		}
		expect(run(binary, cases)).toEqual(modelOutput(cases));
	});

	test("broken-ring-is-caught: a ring that overwrites the newest instead of dropping the oldest fails the comparison", () => {
		const header = readFileSync(join(HEADER_DIR, "twai-rx-ring.h"), "utf8");
		const broken = header.replace("ring->head = (ring->head + 1) & ring->mask;\n\t\tring->count--;", "ring->count--;");
		expect(broken).not.toBe(header);
		const driver = build(broken, "broken");
		const cases = [{ capacity: 4, operations: [push(1), push(2), push(3), push(4), push(5), read(4)] }];
		expect(run(driver, cases)).not.toEqual(modelOutput(cases));
	});
});
