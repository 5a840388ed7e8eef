import { describe, expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { compilePlan, signalLayout } from "../modules/dbc/compile.js";
import type { DbcSignal } from "../modules/dbc/database.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan, PlanFormatError } from "../modules/signals/plan.js";
import { database, message, randomSignal, signal } from "./support/dbc-builder.js";
import { seededRandom } from "./support/random.js";

/** A deliberately naive bit-by-bit reference, written independently of the plan's byte gathering. */
function referenceRaw(s: DbcSignal, data: Uint8Array): number {
	let bits = 0n;
	if (s.byteOrder === "little_endian") {
		for (let i = s.length - 1; i >= 0; i--) {
			const k = s.startBit + i;
			bits = (bits << 1n) | BigInt((data[k >> 3] >> (k & 7)) & 1);
		}
	}
	else {
		const msb = (s.startBit >> 3) * 8 + 7 - (s.startBit & 7);
		for (let i = 0; i < s.length; i++) {
			const p = msb + i;
			bits = (bits << 1n) | BigInt((data[p >> 3] >> (7 - (p & 7))) & 1);
		}
	}
	if (s.valueType === "float32")
		return new DataView(new Uint32Array([Number(bits)]).buffer).getFloat32(0, true);
	if (s.valueType === "float64") {
		const view = new DataView(new ArrayBuffer(8));
		view.setBigUint64(0, bits, true);
		return view.getFloat64(0, true);
	}
	if (s.signed && (bits >> BigInt(s.length - 1)) & 1n)
		bits -= 1n << BigInt(s.length);
	return Number(bits);
}

function frame(id: number, bytes: number[], options: { flags?: number; dlc?: number; timestamp?: number } = {}): CanFrame {
	const f = new CanFrame();
	f.id = id;
	f.flags = options.flags ?? 0;
	f.dlc = options.dlc ?? bytes.length;
	f.data.set(bytes);
	f.timestamp = options.timestamp ?? 0;
	return f;
}

function decoderFor(...messages: ReturnType<typeof message>[]): Decoder {
	return new Decoder(new DecodePlan(compilePlan(database(messages)).buffer));
}

describe("signal layout", () => {
	test("intel-signal-spans-bytes-from-its-lsb", () => {
		expect(signalLayout({ startBit: 12, length: 10, byteOrder: "little_endian" })).toEqual({ firstByte: 1, byteCount: 2, shift: 4, highestByte: 2 });
	});
	test("motorola-signal-counts-from-its-msb-in-sawtooth-numbering", () => {
		// MSB is bit 7 of byte 0, 16 bits: bytes 0 and 1, nothing to shift.
		expect(signalLayout({ startBit: 7, length: 16, byteOrder: "big_endian" })).toEqual({ firstByte: 0, byteCount: 2, shift: 0, highestByte: 1 });
		// MSB is bit 3 of byte 1 (sawtooth 11), 6 bits: byte 1 bits 3..0, byte 2 bits 7..6.
		expect(signalLayout({ startBit: 11, length: 6, byteOrder: "big_endian" })).toEqual({ firstByte: 1, byteCount: 2, shift: 6, highestByte: 2 });
	});
});

describe("decoder", () => {
	test("decodes-known-values-with-factor-and-offset", () => {
		const decoder = decoderFor(message({
			id: 0x123, name: "Engine", signals: [
				signal({ name: "Rpm", startBit: 0, length: 16, factor: 0.25 }),
				signal({ name: "Coolant", startBit: 16, length: 8, offset: -40 }),
				signal({ name: "Torque", startBit: 31, length: 12, byteOrder: "big_endian", signed: true, factor: 0.5 }),
			],
		}));
		// Rpm raw 0x2EE0 = 12000 -> 3000 rpm; coolant 130 - 40 = 90; torque 0xF9C (12 bits, negative) = -100 -> -50.
		expect(decoder.decode(frame(0x123, [0xE0, 0x2E, 130, 0xF9, 0xC0, 0, 0, 0]))).toBe(0);
		const store = decoder.store;
		expect(store.value(0)).toBe(3000);
		expect(store.value(1)).toBe(90);
		expect(store.value(2)).toBe(-50);
		expect(decoder.decoded).toBe(1);
	});

	test("random-layouts-match-a-bitwise-reference", () => {
		const random = seededRandom(42);
		for (let round = 0; round < 300; round++) {
			const signals: DbcSignal[] = [];
			for (let k = 0; k < 6; k++)
				signals.push(randomSignal(random, `S${k}`));
			const decoder = decoderFor(message({ id: 0x100, name: "Random", signals }));
			for (let p = 0; p < 10; p++) {
				const bytes = Array.from({ length: 8 }, () => Math.floor(random() * 256));
				decoder.decode(frame(0x100, bytes));
				signals.forEach((s, i) => {
					const expected = referenceRaw(s, Uint8Array.from(bytes));
					if (Number.isNaN(expected))
						expect(decoder.store.raw(i), `${JSON.stringify(s)} ${bytes}`).toBeNaN();
					else
						expect(decoder.store.raw(i), `${JSON.stringify(s)} ${bytes}`).toBe(expected);
				});
			}
		}
	});

	test("simple-multiplexing-decodes-only-the-selected-signals", () => {
		const decoder = decoderFor(message({
			id: 0x200, name: "Mux", signals: [
				signal({ name: "A0", startBit: 8, length: 8, multiplexerSignal: "Sel", multiplexerRanges: [[0, 0]] }),
				signal({ name: "Sel", startBit: 0, length: 8, isMultiplexer: true }),
				signal({ name: "A1", startBit: 8, length: 16, multiplexerSignal: "Sel", multiplexerRanges: [[1, 1]] }),
				signal({ name: "Always", startBit: 56, length: 8 }),
			],
		}));
		const plan = decoder.plan;
		const id = (name: string) => plan.findSignal(0, name);
		expect(plan.signalName(0)).toBe("Sel"); // switches are ordered first
		decoder.decode(frame(0x200, [1, 0x34, 0x12, 0, 0, 0, 0, 9]));
		expect(decoder.present[id("A1")]).toBe(1);
		expect(decoder.present[id("A0")]).toBe(0);
		expect(decoder.store.value(id("A1"))).toBe(0x1234);
		expect(decoder.store.value(id("Always"))).toBe(9);
		decoder.decode(frame(0x200, [0, 0x55, 0, 0, 0, 0, 0, 9]));
		expect(decoder.present[id("A0")]).toBe(1);
		expect(decoder.present[id("A1")]).toBe(0);
		expect(decoder.store.value(id("A0"))).toBe(0x55);
		decoder.decode(frame(0x200, [7, 0x55, 0, 0, 0, 0, 0, 9]));
		expect(decoder.present[id("A0")] + decoder.present[id("A1")]).toBe(0);
	});

	test("extended-multiplexing-follows-nested-switches-and-ranges", () => {
		const decoder = decoderFor(message({
			id: 0x201, name: "Nested", signals: [
				signal({ name: "Leaf", startBit: 16, length: 8, multiplexerSignal: "Inner", multiplexerRanges: [[3, 5]] }),
				signal({ name: "Inner", startBit: 8, length: 8, isMultiplexer: true, multiplexerSignal: "Outer", multiplexerRanges: [[0, 0], [2, 2]] }),
				signal({ name: "Outer", startBit: 0, length: 8, isMultiplexer: true }),
			],
		}));
		const id = (name: string) => decoder.plan.findSignal(0, name);
		decoder.decode(frame(0x201, [2, 4, 77, 0, 0, 0, 0, 0]));
		expect(decoder.present[id("Leaf")]).toBe(1);
		expect(decoder.store.value(id("Leaf"))).toBe(77);
		decoder.decode(frame(0x201, [1, 4, 78, 0, 0, 0, 0, 0])); // outer does not select inner
		expect(decoder.present[id("Inner")]).toBe(0);
		expect(decoder.present[id("Leaf")]).toBe(0);
		decoder.decode(frame(0x201, [0, 6, 79, 0, 0, 0, 0, 0])); // inner out of the leaf's range
		expect(decoder.present[id("Leaf")]).toBe(0);
		expect(decoder.store.value(id("Leaf"))).toBe(77);
	});

	test("short-frame-skips-signals-past-its-dlc", () => {
		const decoder = decoderFor(message({
			id: 0x300, name: "Short", signals: [
				signal({ name: "Low", startBit: 0, length: 8 }),
				signal({ name: "High", startBit: 48, length: 16 }),
			],
		}));
		decoder.decode(frame(0x300, [5, 0, 0, 0], { dlc: 4 }));
		expect(decoder.present[0]).toBe(1);
		expect(decoder.present[1]).toBe(0);
		expect(decoder.short).toBe(1);
		expect(decoder.store.isFresh(1, 0)).toBe(false);
	});

	test("unknown-remote-and-error-frames-are-counted-not-decoded", () => {
		const decoder = decoderFor(
			message({ id: 0x10, name: "Std", signals: [signal({ name: "X", startBit: 0, length: 8 })] }),
			message({ id: 0x18DAF110, extended: true, name: "Ext", signals: [signal({ name: "Y", startBit: 0, length: 8 })] }),
		);
		expect(decoder.decode(frame(0x11, [1]))).toBe(-1);
		expect(decoder.decode(frame(0x10, [1], { flags: FrameFlag.remote }))).toBe(-1);
		expect(decoder.decode(frame(0x10, [1], { flags: FrameFlag.error }))).toBe(-1);
		expect(decoder.decode(frame(0x18DAF110, [2]))).toBe(-1); // same number, but standard
		expect(decoder.decode(frame(0x18DAF110, [3], { flags: FrameFlag.extended }))).toBe(1);
		expect(decoder.decode(frame(0x10, [4], { flags: FrameFlag.extended }))).toBe(-1);
		expect(decoder.unknown).toBe(3);
		expect(decoder.ignored).toBe(2);
		expect(decoder.decoded).toBe(1);
		expect(decoder.store.value(1)).toBe(3);
	});

	test("many-extended-ids-are-all-found", () => {
		const messages = Array.from({ length: 300 }, (_, i) => message({
			id: 0x18000000 + i * 7919, extended: true, name: `M${i}`, signals: [signal({ name: "V", startBit: 0, length: 8 })],
		}));
		const plan = new DecodePlan(compilePlan(database(messages)).buffer);
		messages.forEach((m, i) => expect(plan.findMessage(m.id, true)).toBe(i));
		expect(plan.findMessage(0x18000001, true)).toBe(-1);
	});

	test("plan-keeps-names-units-choices-and-timeouts", () => {
		const plan = new DecodePlan(compilePlan(database([message({
			id: 0x7A, name: "Gear", cycleTime: 100, signals: [
				signal({ name: "Position", startBit: 0, length: 4, unit: "°", choices: new Map([[0, "P"], [1, "R"], [2, "N"], [3, "D"]]) }),
			],
		})])).buffer);
		expect(plan.messageName(0)).toBe("Gear");
		expect(plan.signalUnit(0)).toBe("°");
		expect(plan.choiceName(0, 3)).toBe("D");
		expect(plan.choiceName(0, 9)).toBeUndefined();
		expect(plan.messageTimeout(0)).toBe(500);
	});

	test("a-foreign-blob-is-refused-with-a-clear-error", () => {
		expect(() => new DecodePlan(new ArrayBuffer(8))).toThrow(PlanFormatError);
		expect(() => new DecodePlan(new ArrayBuffer(128))).toThrow(/bad magic/);
	});
});
