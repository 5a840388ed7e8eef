import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import type { DbcSignal } from "../modules/dbc/database.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { Encoder } from "../modules/signals/encoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { database, message, signal } from "./support/dbc-builder.js";
import { fixturesDir, repoRoot } from "./shared-data.js";
import { seededRandom } from "./support/random.js";

function planOf(text: string, file: string): DecodePlan {
	return new DecodePlan(compilePlan(parseDbcOrThrow(text, file)).buffer);
}

describe("encoder", () => {
	test("random-layouts-round-trip-through-the-decoder", () => {
		const random = seededRandom(419);
		for (let round = 0; round < 300; round++) {
			const byteOrder = random() < 0.5 ? "little_endian" : "big_endian";
			const length = 1 + Math.floor(random() * 52);
			const signed = length > 1 && random() < 0.5;
			// A start bit that keeps the signal inside 8 bytes.
			let startBit: number;
			if (byteOrder === "little_endian")
				startBit = Math.floor(random() * (64 - length + 1));
			else {
				const msbPosition = Math.floor(random() * (64 - length + 1)); // big-endian stream position
				startBit = (msbPosition >> 3) * 8 + 7 - (msbPosition & 7);
			}
			const s: DbcSignal = signal({ name: "S", startBit, length, byteOrder, signed });
			const plan = new DecodePlan(compilePlan(database([message({ id: 0x10, name: "M", signals: [s] })])).buffer);
			const encoder = new Encoder(plan), decoder = new Decoder(plan);
			const span = 2 ** length;
			const raw = Math.floor(random() * span) - (signed ? span / 2 : 0);
			const frame = encoder.begin(0, new CanFrame(), 5);
			// Noise around the signal must survive: fill, then overwrite.
			frame.data.fill(0xA5);
			expect(encoder.setRaw(0, raw, frame.data)).toBe(raw);
			decoder.decode(frame);
			expect(decoder.store.raw(0), `${byteOrder} start ${startBit} length ${length} signed ${signed}`).toBe(raw);
		}
	});

	test("motorola-signal-lands-where-the-dbc-says", () => {
		// VehicleSpeed of the demo car: 7|16@0+ is bytes 0 and 1, big-endian.
		const plan = planOf(readFileSync(join(repoRoot, "hosts/sim/demo/demo-car.dbc"), "latin1"), "demo-car.dbc");
		const encoder = new Encoder(plan);
		const m = encoder.message("WHEEL_SPEED");
		const frame = encoder.begin(m, new CanFrame(), 0);
		expect(encoder.set(encoder.signal(m, "VehicleSpeed"), 100, frame.data)).toBe(10000);
		expect(Array.from(frame.data.subarray(0, 2))).toEqual([0x27, 0x10]);
		expect(frame.id).toBe(0xB4);
		expect(frame.dlc).toBe(8);
	});

	test("signed-and-scaled-values-round-trip", () => {
		const plan = planOf(readFileSync(join(repoRoot, "hosts/sim/demo/demo-car.dbc"), "latin1"), "demo-car.dbc");
		const encoder = new Encoder(plan), decoder = new Decoder(plan);
		const m = encoder.message("ENGINE");
		const frame = encoder.begin(m, new CanFrame(), 0);
		const torque = encoder.signal(m, "EngineTorque"), rpm = encoder.signal(m, "EngineSpeed");
		encoder.set(torque, -123.5, frame.data);
		encoder.set(rpm, 3012.25, frame.data);
		decoder.decode(frame);
		expect(decoder.store.value(torque)).toBe(-123.5);
		expect(decoder.store.value(rpm)).toBe(3012.25);
	});

	test("out-of-range-values-clamp-to-what-the-bits-hold", () => {
		const plan = planOf(readFileSync(join(repoRoot, "hosts/sim/demo/demo-car.dbc"), "latin1"), "demo-car.dbc");
		const encoder = new Encoder(plan);
		const m = encoder.message("TEMPERATURES");
		const frame = encoder.begin(m, new CanFrame(), 0);
		const coolant = encoder.signal(m, "CoolantTemp");
		expect(encoder.set(coolant, 500, frame.data)).toBe(255);
		expect(encoder.set(coolant, -100, frame.data)).toBe(0);
		const torque = encoder.signal(encoder.message("ENGINE"), "EngineTorque");
		expect(encoder.setRaw(torque, -5000, frame.data)).toBe(-2048);
	});

	test("multiplexed-signals-decode-when-their-switch-selects-them", () => {
		const plan = planOf(readFileSync(join(fixturesDir, "dbc/multiplexed.dbc"), "latin1"), "multiplexed.dbc");
		const encoder = new Encoder(plan), decoder = new Decoder(plan);
		const m = encoder.message("Simple");
		const mode = encoder.signal(m, "Mode"), speed = encoder.signal(m, "Speed"), temperature = encoder.signal(m, "Temperature");
		const frame = encoder.begin(m, new CanFrame(), 0);
		encoder.set(mode, 1, frame.data);
		encoder.set(temperature, -40, frame.data);
		decoder.decode(frame);
		expect(decoder.present[temperature]).toBe(1);
		expect(decoder.present[speed]).toBe(0);
		expect(decoder.store.value(temperature)).toBe(-40);

		encoder.begin(m, frame, 1);
		encoder.set(mode, 0, frame.data);
		encoder.set(speed, 123.45, frame.data);
		decoder.decode(frame);
		expect(decoder.present[speed]).toBe(1);
		expect(decoder.store.value(speed)).toBeCloseTo(123.45, 9);
	});

	test("extended-ids-and-float-signals-round-trip", () => {
		const plan = new DecodePlan(compilePlan(database([
			message({ id: 0x18FEF100, extended: true, name: "X", signals: [
				signal({ name: "F32", startBit: 0, length: 32, valueType: "float32" }),
				signal({ name: "F32BE", startBit: 39, length: 32, valueType: "float32", byteOrder: "big_endian" }),
			] }),
			message({ id: 0x20, name: "D", signals: [signal({ name: "F64", startBit: 0, length: 64, valueType: "float64" })] }),
		])).buffer);
		const encoder = new Encoder(plan), decoder = new Decoder(plan);
		const frame = encoder.begin(0, new CanFrame(), 0);
		expect(frame.flags & FrameFlag.extended).toBe(FrameFlag.extended);
		encoder.set(0, 1.5, frame.data);
		encoder.set(1, -2.25, frame.data);
		decoder.decode(frame);
		expect(decoder.store.value(0)).toBe(1.5);
		expect(decoder.store.value(1)).toBe(-2.25);
		encoder.begin(1, frame, 0);
		encoder.set(2, Math.PI, frame.data);
		decoder.decode(frame);
		expect(decoder.store.value(2)).toBe(Math.PI);
	});

	test("unknown-names-throw-naming-them", () => {
		const plan = planOf(readFileSync(join(repoRoot, "hosts/sim/demo/demo-car.dbc"), "latin1"), "demo-car.dbc");
		const encoder = new Encoder(plan);
		expect(() => encoder.message("NOPE")).toThrow(/no message 'NOPE'/);
		expect(() => encoder.signal(encoder.message("BODY"), "Nope")).toThrow(/'BODY' has no signal 'Nope'/);
	});
});
