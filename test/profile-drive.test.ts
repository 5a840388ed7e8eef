import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { NodeKind, NodeTest, ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { QUANTITY_COUNT, QUANTITY_NAMES, Quantity, type QuantityName } from "../modules/cluster/quantity.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { Encoder } from "../modules/signals/encoder.js";
import { DecodePlan, MESSAGE_WORDS, MessageField, SCALING_WORDS, SIGNAL_WORDS, Scaling, SignalField } from "../modules/signals/plan.js";
import { Pipeline } from "../modules/signals/pipeline.js";
import { DriveState, LAP_MS, driveAt } from "../hosts/sim/demo-drive.js";
import * as drive from "../hosts/sim/profile-drive.js";
import { ProfileDrive, QUANTITY_FIELDS } from "../hosts/sim/profile-drive.js";
import { compileProfile } from "../tools/profile.js";
import { database, message, signal } from "./support/dbc-builder.js";
import { describeSharedData, repoRoot, sharedData } from "./shared-data.js";

const DISCRETE_FROM = Quantity.headlights;
/** States the lap turns both on and off: each must be seen both ways when the profile maps it. */
const LAP_TOGGLES: QuantityName[] = ["headlights", "turnLeft", "turnRight", "highBeam", "parkingBrake", "doorOpen", "seatBeltUnbuckled", "checkEngine"];

function bufferOf(path: string): ArrayBuffer {
	const bytes = readFileSync(path);
	return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
}

/** The bus signals (and so messages) behind quantity `q`'s node tree. */
function signalsOf(profile: VehicleProfile, n: number, into: number[] = []): number[] {
	const node = profile.node(n);
	if (node.kind === NodeKind.signal)
		into.push(node.arg);
	else if (node.kind !== NodeKind.obd)
		for (let c = node.arg; c < node.arg + node.childCount; c++)
			signalsOf(profile, c, into);
	return into;
}

/** The drive state as quantity `q` should read it, in its canonical unit. */
function expected(q: number, state: DriveState): number {
	if (q === Quantity.gear)
		return state.lever;
	return state[QUANTITY_FIELDS[q]!] as number;
}

/**
 * Drives a whole lap through `profile` and `plan`, decoding every frame as it
 * is sent and comparing each quantity its message carries with the drive
 * state at the frame's time, within the quantisation of its signal.
 */
function lapDecodesBack(profile: VehicleProfile, plan: DecodePlan) {
	const ring = new FrameRing(1024);
	const pd = new ProfileDrive(profile, plan, new Encoder(plan), ring, { loop: false });
	const decoder = new Decoder(plan);
	const inputs = new ProfileInputs(profile, plan, decoder.store, null);
	const frame = new CanFrame();
	const state = new DriveState();
	const byMessage = new Map<number, number[]>();
	const tolerance = new Float64Array(QUANTITY_COUNT);
	for (const q of pd.quantities) {
		const signals = signalsOf(profile, profile.roots[q]);
		const messages = new Set(signals.map(s => plan.signalMessage(s)));
		for (const m of messages)
			byMessage.set(m, [...(byMessage.get(m) ?? []), q]);
		// One raw step of the signal, in the quantity's unit (a direct signal's conversion).
		const node = profile.node(profile.roots[q]);
		const step = Math.abs(plan.scaling[signals[0] * SCALING_WORDS + Scaling.factor] * (node.kind === NodeKind.signal ? node.scale : 1));
		tolerance[q] = step / 2 + 1e-6;
	}
	const seen = { on: new Set<number>(), off: new Set<number>() };
	let comparisons = 0, speedFramesInDropout = 0;
	const mismatches: string[] = [];
	for (let now = 0; now <= LAP_MS; now += 33) {
		pd.step(now);
		while (ring.pop(frame)) {
			const m = decoder.decode(frame);
			expect(m).toBeGreaterThanOrEqual(0);
			const t = frame.timestamp;
			driveAt(t, state);
			for (const q of byMessage.get(m) ?? []) {
				const name = QUANTITY_NAMES[q];
				if (q === Quantity.speed && t >= 40000 && t < 43000)
					speedFramesInDropout++;
				const want = q === Quantity.odometer ? 48213.4 + pd.distanceKm : expected(q, state);
				if (q === Quantity.gear) {
					const label = profile.gearLabel(inputs.readRaw(q, t));
					if (label !== (want === 0 ? "P" : "D") && pd.gearCodes[want & 3] !== inputs.readRaw(q, t))
						mismatches.push(`${t} ms gear: ${label}, wanted lever ${want}`);
				}
				else if (q >= DISCRETE_FROM) {
					const got = inputs.read(q, t);
					(want !== 0 ? seen.on : seen.off).add(q);
					if ((got !== 0) !== (want !== 0) || got !== got)
						mismatches.push(`${t} ms ${name}: ${got}, wanted ${want}`);
				}
				else {
					const got = inputs.read(q, t);
					if (!(Math.abs(got - want) <= tolerance[q] + Math.abs(want) * 1e-9))
						mismatches.push(`${t} ms ${name}: ${got}, wanted ${want} +- ${tolerance[q]}`);
				}
				comparisons++;
			}
		}
	}
	expect(mismatches.slice(0, 10)).toEqual([]);
	for (const name of LAP_TOGGLES)
		if (pd.quantities.includes(Quantity[name])) {
			expect(seen.on.has(Quantity[name]), `${name} seen on`).toBe(true);
			expect(seen.off.has(Quantity[name]), `${name} seen off`).toBe(true);
		}
	return { drive: pd, comparisons, speedFramesInDropout, inputs };
}

describe("profile-driven demo drive", () => {
	test("layout-constants-match-the-modules", () => {
		expect([drive.NODE_SIGNAL, drive.NODE_OBD, drive.NODE_ANY, drive.NODE_ALL, drive.NODE_FIRST])
			.toEqual([NodeKind.signal, NodeKind.obd, NodeKind.any, NodeKind.all, NodeKind.first]);
		expect([drive.TEST_LINEAR, drive.TEST_EQUALS, drive.TEST_NOT_EQUALS, drive.TEST_BITS])
			.toEqual([NodeTest.linear, NodeTest.equals, NodeTest.notEquals, NodeTest.bits]);
		expect([drive.MESSAGE_WORDS, drive.MESSAGE_CYCLE_TIME, drive.MESSAGE_LENGTH]).toEqual([MESSAGE_WORDS, MessageField.cycleTime, MessageField.length]);
		expect([drive.SIGNAL_WORDS, drive.SIGNAL_MULTIPLEXER, drive.SIGNAL_RANGE_FIRST, drive.SIGNAL_CHOICE_FIRST, drive.SIGNAL_CHOICE_COUNT])
			.toEqual([SIGNAL_WORDS, SignalField.multiplexer, SignalField.rangeFirst, SignalField.choiceFirst, SignalField.choiceCount]);
		expect(drive.EXTENDED_FLAG).toBe(FrameFlag.extended);
		expect(drive.GEAR_QUANTITY).toBe(Quantity.gear);
		expect(QUANTITY_FIELDS).toHaveLength(QUANTITY_COUNT);
		expect(QUANTITY_FIELDS[Quantity.speed]).toBe("speed");
		expect(QUANTITY_FIELDS[Quantity.coolantTemp]).toBe("coolant");
		expect(QUANTITY_FIELDS[Quantity.seatBeltUnbuckled]).toBe("seatBelt");
		expect(QUANTITY_FIELDS[Quantity.lowFuel]).toBe("lowFuel");
		const state = new DriveState();
		for (const field of QUANTITY_FIELDS)
			if (field)
				expect(typeof state[field], field).toBe("number");
	});

	test("demo-car-profile-lap-decodes-back-to-the-drive-state", () => {
		const demo = join(repoRoot, "hosts/sim/demo");
		const plan = new DecodePlan(bufferOf(join(demo, "car.plan")));
		const profile = new VehicleProfile(bufferOf(join(demo, "car.vehicle")));
		const { drive: pd, comparisons, speedFramesInDropout } = lapDecodesBack(profile, plan);
		// Every quantity the demo profile maps is on its bus.
		const mapped = [...profile.roots.keys()].filter(q => profile.roots[q] >= 0);
		expect(pd.quantities).toEqual(mapped);
		expect(pd.gearCodes[0]).toBe(0);
		expect(pd.gearCodes[3]).toBe(3);
		expect(comparisons).toBeGreaterThan(20000);
		expect(speedFramesInDropout).toBe(0);
	});

	test("speed-drops-out-and-recovers-like-the-demo-car", () => {
		const demo = join(repoRoot, "hosts/sim/demo");
		const plan = new DecodePlan(bufferOf(join(demo, "car.plan")));
		const profile = new VehicleProfile(bufferOf(join(demo, "car.vehicle")));
		const pipeline = new Pipeline(plan);
		const pd = new ProfileDrive(profile, plan, new Encoder(plan), pipeline.ring);
		const inputs = new ProfileInputs(profile, plan, pipeline.store);
		let now = 0;
		const runTo = (ms: number) => {
			for (; now + 33 <= ms; now += 33) {
				pd.step(now);
				pipeline.pump();
			}
			return now - 33;
		};
		expect(inputs.read(Quantity.speed, runTo(35000))).toBeGreaterThan(90);
		// The ABS message is silent 40-43 s: speed goes missing, the engine carries on.
		const t = runTo(42000);
		expect(inputs.read(Quantity.speed, t)).toBeNaN();
		expect(inputs.read(Quantity.rpm, t)).toBeGreaterThan(1000);
		expect(inputs.read(Quantity.speed, runTo(44000))).toBeGreaterThan(90);
	});

	test("conversions-enums-bits-and-gear-fallbacks-are-inverted", () => {
		// A car in mph and °F, a turn-signal enum, door bits, a belt switch read
		// with notEquals, and gear labels without a D.
		const db = database([
			message({ id: 0x100, name: "DASH", cycleTime: 50, signals: [
				signal({ name: "Speed", startBit: 0, length: 16, factor: 0.01, unit: "mph" }),
				signal({ name: "Coolant", startBit: 16, length: 8, offset: -40, unit: "°F" }),
				signal({ name: "Turn", startBit: 24, length: 2, choices: new Map([[0, "left"], [1, "right"], [2, "off"], [3, "hazard"]]) }),
				signal({ name: "Doors", startBit: 32, length: 4 }),
				signal({ name: "Belt", startBit: 36, length: 2 }),
				signal({ name: "Gear", startBit: 40, length: 4 }),
			] }),
			message({ id: 0x18FF0100, extended: true, name: "ENGINE", signals: [
				signal({ name: "Rpm", startBit: 0, length: 16, factor: 0.25, unit: "rpm" }),
			] }),
		]);
		const compiled = compileProfile({
			name: "mph car",
			quantities: {
				speed: "DASH.Speed", rpm: { first: ["ENGINE.Rpm", { obd: "0x0C" }] }, coolantTemp: "DASH.Coolant", gear: "DASH.Gear",
				turnLeft: { signal: "DASH.Turn", equals: "left" }, turnRight: { signal: "DASH.Turn", equals: "right" },
				doorOpen: { any: [{ signal: "DASH.Doors", bits: 1 }, { signal: "DASH.Doors", bits: 2 }] },
				seatBeltUnbuckled: { signal: "DASH.Belt", notEquals: 1 },
				fuelLevel: { obd: "0x2F" },
			},
			gears: { "1": "P", "2": "R", "3": "N", "5": "S" },
		}, "mph.json", db);
		const plan = new DecodePlan(compiled.plan.buffer);
		const profile = new VehicleProfile(compiled.vehicle);
		const { drive: pd, comparisons, inputs } = lapDecodesBack(profile, plan);
		expect(pd.quantities.map(q => QUANTITY_NAMES[q])).toEqual(["speed", "rpm", "gear", "coolantTemp", "turnLeft", "turnRight", "doorOpen", "seatBeltUnbuckled"]);
		// D falls back to the forward label S.
		expect(Array.from(pd.gearCodes)).toEqual([1, 2, 3, 5]);
		expect(comparisons).toBeGreaterThan(5000);
		// The OBD-only fuel level is not made up.
		expect(inputs.read(Quantity.fuelLevel, 1000)).toBeNaN();
		// Off for the turn enum is its "off" entry, not left (0).
		expect(drive.restValue(plan, plan.findSignal(plan.findMessageByName("DASH"), "Turn"), [0, 1])).toBe(2);
		expect(drive.restValue(plan, plan.findSignal(plan.findMessageByName("DASH"), "Belt"), [1])).toBe(0);
	});

	test("a-profile-without-bus-signals-is-refused", () => {
		const compiled = compileProfile({ name: "obd", quantities: { speed: { obd: 13 } } }, "obd.json", null);
		const plan = new DecodePlan(compiled.plan.buffer);
		expect(() => new ProfileDrive(new VehicleProfile(compiled.vehicle), plan, new Encoder(plan), new FrameRing(16)))
			.toThrow(/reads no signal from the bus/);
	});
});

describeSharedData("profile-driven demo drive on real cars' DBCs", () => {
	const cases: Array<[string, string, QuantityName[]]> = [
		["toyota-prius-2010.json", "toyota_prius_2010_pt.dbc", ["speed", "rpm", "gear", "turnLeft", "turnRight", "doorOpen", "seatBeltUnbuckled"]],
		["vw-mqb.json", "vw_mqb.dbc", ["speed", "rpm", "gear", "coolantTemp", "fuelLevel", "oilPressure", "oilTemp", "ambientTemp", "odometer", "dimmer", "headlights",
			"turnLeft", "turnRight", "highBeam", "parkingBrake", "doorOpen", "seatBeltUnbuckled", "checkEngine", "oilPressureLow", "lowFuel"]],
	];
	for (const [file, dbcName, onBus] of cases)
		test(`${file}-lap-decodes-back-to-the-drive-state`, () => {
			const db = parseDbcOrThrow(readFileSync(sharedData("dbc", dbcName), "latin1"), dbcName);
			const json = JSON.parse(readFileSync(join(repoRoot, "profiles", file), "utf8"));
			const compiled = compileProfile(json, file, db);
			const plan = new DecodePlan(compiled.plan.buffer);
			const profile = new VehicleProfile(compiled.vehicle);
			const { drive: pd, comparisons, speedFramesInDropout, inputs } = lapDecodesBack(profile, plan);
			expect(pd.quantities.map(q => QUANTITY_NAMES[q])).toEqual(onBus);
			expect(profile.gearLabel(pd.gearCodes[0])).toBe("P");
			expect(profile.gearLabel(pd.gearCodes[3])).toBe("D");
			expect(comparisons).toBeGreaterThan(5000);
			expect(speedFramesInDropout).toBe(0);
			// OBD-II sources stay missing without a poller.
			expect(inputs.read(Quantity.batteryVoltage, 60000)).toBeNaN();
		});
});
