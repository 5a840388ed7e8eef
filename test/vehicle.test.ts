import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { BindingError, VehicleInputs } from "../modules/cluster/vehicle.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { repoRoot } from "./shared-data.js";

const demoDir = join(repoRoot, "hosts/sim/demo");
const plan = new DecodePlan(compilePlan(parseDbcOrThrow(readFileSync(join(demoDir, "demo-car.dbc"), "latin1"), "demo-car.dbc")).buffer);
const profile = JSON.parse(readFileSync(join(demoDir, "demo-car.json"), "utf8"));

describe("vehicle inputs", () => {
	test("the-demo-profile-binds-every-quantity-it-names", () => {
		const decoder = new Decoder(plan);
		const inputs = new VehicleInputs(plan, decoder.store, profile.quantities);
		expect(inputs.has(Quantity.speed)).toBe(true);
		expect(inputs.has(Quantity.oilPressure)).toBe(false);
		const frame = new CanFrame();
		frame.id = 0xB4;
		frame.dlc = 8;
		frame.data.set([0x27, 0x10]);
		frame.timestamp = 100;
		decoder.decode(frame);
		expect(inputs.read(Quantity.speed, 150)).toBe(100);
		expect(inputs.read(Quantity.speed, 100 + 5000)).toBeNaN(); // stale
		expect(inputs.read(Quantity.oilPressure, 150)).toBeNaN(); // unmapped
	});

	test("a-conversion-brings-a-signal-into-the-canonical-unit", () => {
		const decoder = new Decoder(plan);
		const inputs = new VehicleInputs(plan, decoder.store, { speed: { signal: "WHEEL_SPEED.VehicleSpeed", scale: 1.609344 } });
		const frame = new CanFrame();
		frame.id = 0xB4;
		frame.dlc = 8;
		frame.data.set([0x03, 0xE8]); // 10.00 "mph"
		decoder.decode(frame);
		expect(inputs.read(Quantity.speed, 0)).toBeCloseTo(16.09344, 9);
	});

	test("unknown-names-are-refused-clearly", () => {
		const store = new Decoder(plan).store;
		expect(() => new VehicleInputs(plan, store, { speed: "NOPE.VehicleSpeed" })).toThrow(new BindingError("speed: no message 'NOPE' in the plan"));
		expect(() => new VehicleInputs(plan, store, { speed: "WHEEL_SPEED.Nope" })).toThrow(/has no signal 'Nope'/);
		expect(() => new VehicleInputs(plan, store, { speed: "VehicleSpeed" })).toThrow(/not MESSAGE.SIGNAL/);
		expect(() => new VehicleInputs(plan, store, { warp: "A.B" } as never)).toThrow(/unknown quantity 'warp'/);
		expect(() => new VehicleInputs(plan, store, { constructor: "ENGINE.EngineSpeed" } as never)).toThrow(/unknown quantity 'constructor'/);
	});
});
