import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { TripComputer } from "../modules/cluster/trip.js";
import { ObdPoller, ObdState, pollTiers, type ObdPollerOptions } from "../modules/obd/poller.js";
import { decodePid, parsePid } from "../modules/obd/pids.js";
import { obdPollerFor } from "../modules/obd/wiring.js";
import { Pipeline } from "../modules/signals/pipeline.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { compileProfile } from "../tools/profile.js";
import { FakeClock } from "./fixtures/clock.js";
import { random } from "./fixtures/fake-flash.js";
import { MockObdBus, MockObdEcu } from "./fixtures/mock-obd-ecu.js";
import { database, message, signal } from "./support/dbc-builder.js";
import { repoRoot } from "./shared-data.js";

const emptyPlan = () => new DecodePlan(compileProfile({ name: "none", quantities: {} }, "none.json", null).plan.buffer);

/** An engine ECU with the usual mode 01 PIDs. */
function engine(responseId = 0x7E8, extended = false): MockObdEcu {
	return new MockObdEcu(responseId, extended)
		.set(0x01, 0x00, 0x07, 0xE5, 0x00) // MIL off
		.set(0x05, 132)                    // 92 °C
		.set(0x0C, 0x1A, 0xF8)             // 1726 rpm
		.set(0x0D, 87)                     // 87 km/h
		.set(0x2F, 128)                    // 50.2 %
		.set(0x42, 0x31, 0x2D)             // 12.589 V
		.set(0x46, 65);                    // 25 °C
}

describe("OBD-II formulas", () => {
	test("standard-pids-decode-to-canonical-units", () => {
		const d = (pid: number, ...bytes: number[]) => decodePid(pid, new Uint8Array([...bytes, 0, 0, 0, 0]), 0);
		expect(d(0x0D, 88)).toBe(88);
		expect(d(0x0C, 0x1A, 0xF8)).toBe(1726);
		expect(d(0x05, 132)).toBe(92);
		expect(d(0x2F, 255)).toBe(100);
		expect(d(0x42, 0x31, 0x2D)).toBeCloseTo(12.589, 9);
		expect(d(0x5C, 130)).toBe(90);
		expect(d(0x46, 65)).toBe(25);
		expect(d(0x01, 0x83)).toBe(1); // MIL on, 3 DTCs
		expect(d(0x01, 0x03)).toBe(0);
		expect(d(0x5E, 0x00, 0x64)).toBe(5);
		expect(d(0xA6, 0x00, 0x01, 0xE2, 0x40)).toBeCloseTo(12345.6, 9);
		expect(d(0x99, 1)).toBeNaN();
		expect(parsePid("0x0d")).toBe(13);
		expect(parsePid("256")).toBeNaN();
		expect(parsePid("zz")).toBeNaN();
	});
});

describe("OBD-II poller", () => {
	let clock: FakeClock, pipeline: Pipeline, bus: MockObdBus, ecu: MockObdEcu, poller: ObdPoller;

	function setUp(options: Partial<ObdPollerOptions> = {}, ...ecus: MockObdEcu[]) {
		clock = new FakeClock(0);
		pipeline = new Pipeline(emptyPlan());
		ecu = ecus[0] ?? engine();
		bus = new MockObdBus(pipeline.ring, clock.now, ...(ecus.length ? ecus : [ecu]));
		poller = new ObdPoller({ transmit: bus.transmit, pids: pollTiers([0x0C, 0x0D, 0x05, 0x2F, 0x42, 0x46, 0x5C, 0x01]), enabled: true, ...options });
	}

	/** Runs the bus and display loop on the fake clock in 2 ms steps. */
	function run(ms: number) {
		for (let t = 0; t < ms; t += 2) {
			clock.advance(2);
			bus.deliver();
			pipeline.tap = poller;
			pipeline.pump();
			poller.tick(clock.now());
		}
	}

	beforeEach(() => setUp());

	test("discovers-supported-pids-across-ranges-then-polls-only-those", () => {
		run(3000);
		expect(ecu.requests.slice(0, 3).map(r => r.pid)).toEqual([0x00, 0x20, 0x40]);
		expect(poller.state).toBe(ObdState.polling);
		expect(poller.supported[0x42]).toBe(1);
		expect(poller.supported[0x5C]).toBe(0);
		const asked = new Set(ecu.requests.map(r => r.pid));
		expect(asked.has(0x5C)).toBe(false); // the profile wants oil temperature, the ECU has none
		expect(asked.has(0x0C) && asked.has(0x42)).toBe(true);
		expect(poller.values.read(0x0C, clock.now())).toBe(1726);
		expect(poller.values.read(0x42, clock.now())).toBeCloseTo(12.589, 9);
		expect(poller.values.read(0x5C, clock.now())).toBeNaN();
		expect(poller.malformed + poller.negative + poller.timeouts).toBe(0);
	});

	test("switches-from-the-functional-to-the-answering-ecus-physical-address", () => {
		const transmission = new MockObdEcu(0x7E9).set(0x0D, 86);
		transmission.latencyMs = 15; // answers after the engine
		setUp({}, engine(), transmission);
		run(2000);
		expect(bus.sent[0].id).toBe(0x7DF);
		expect(poller.ecu).toBe(0x7E8);
		expect(new Set(bus.sent.slice(1).map(s => s.id))).toEqual(new Set([0x7E0]));
		expect(bus.sent[0].data).toEqual([0x02, 0x01, 0x00, 0x55, 0x55, 0x55, 0x55, 0x55]);
		expect(poller.values.read(0x0D, clock.now())).toBe(87); // the engine's answer, not the gearbox's
	});

	test("29-bit-addressing-uses-18DB33F1-then-18DAxxF1", () => {
		const ecu29 = engine(0x18DAF110, true);
		setUp({ extended: true }, ecu29);
		run(2000);
		expect(bus.sent[0]).toMatchObject({ id: 0x18DB33F1, extended: true });
		expect(poller.ecu).toBe(0x18DAF110);
		expect(bus.sent.at(-1)).toMatchObject({ id: 0x18DA10F1, extended: true });
		expect(poller.values.read(0x0D, clock.now())).toBe(87);
		// 11-bit responses are not ours on a 29-bit poller.
		const f = new CanFrame();
		f.id = 0x7E8;
		expect(poller.isResponse(f)).toBe(false);
	});

	test("fast-tier-at-5-to-10-hz-slow-tier-near-1-hz-within-the-rate-limit", () => {
		setUp({ maxRequestsPerSecond: 20 });
		run(1000); // discovery
		const from = clock.now();
		run(10000);
		const window = ecu.requests.filter(r => r.time > from);
		const rate = (pid: number) => window.filter(r => r.pid === pid).length / 10;
		expect(rate(0x0C)).toBeGreaterThanOrEqual(5);
		expect(rate(0x0C)).toBeLessThanOrEqual(10);
		expect(rate(0x0D)).toBeGreaterThanOrEqual(5);
		expect(rate(0x05)).toBeGreaterThanOrEqual(0.8);
		expect(rate(0x05)).toBeLessThanOrEqual(1.2);
		expect(window.length / 10).toBeLessThanOrEqual(20);
		// Never closer than the rate limit, never two in flight.
		for (let i = 1; i < bus.sent.length; i++)
			expect(bus.sent[i].time - bus.sent[i - 1].time).toBeGreaterThanOrEqual(50);
	});

	test("one-request-in-flight-even-with-a-slow-ecu", () => {
		ecu.latencyMs = 120;
		run(5000);
		const sends = bus.sent.map(s => s.time);
		for (let i = 1; i < sends.length; i++)
			expect(sends[i] - sends[i - 1]).toBeGreaterThanOrEqual(120);
		expect(poller.timeouts).toBe(0);
	});

	test("a-pid-already-on-the-bus-is-not-polled", () => {
		setUp({ covered: pid => pid === 0x0D });
		run(3000);
		expect(ecu.requests.filter(r => r.pid === 0x0D)).toHaveLength(0);
		expect(ecu.requests.filter(r => r.pid === 0x0C).length).toBeGreaterThan(5);
	});

	test("a-silent-car-gets-a-discovery-request-every-two-seconds-not-a-flood", () => {
		ecu.silent = true;
		run(10000);
		expect(bus.sent.length).toBeGreaterThanOrEqual(4);
		expect(bus.sent.length).toBeLessThanOrEqual(6);
		expect(bus.sent.every(s => s.id === 0x7DF)).toBe(true);
		expect(poller.state).toBe(ObdState.waiting);
		ecu.silent = false; // ignition on
		run(3000);
		expect(poller.state).toBe(ObdState.polling);
		expect(poller.values.read(0x0D, clock.now())).toBe(87);
	});

	test("an-ecu-that-stops-answering-is-rediscovered-and-its-values-go-missing", () => {
		run(2000);
		ecu.silent = true;
		run(1500);
		expect(poller.state).not.toBe(ObdState.polling);
		expect(poller.ecu).toBe(-1);
		run(3000);
		expect(poller.values.read(0x0C, clock.now())).toBeNaN(); // honest: missing, not frozen
		ecu.silent = false;
		run(3000);
		expect(poller.values.read(0x0C, clock.now())).toBe(1726);
	});

	test("a-refused-pid-is-counted-and-no-longer-asked", () => {
		ecu.refuse.add(0x2F);
		run(5000);
		expect(poller.negative).toBe(1);
		expect(ecu.requests.filter(r => r.pid === 0x2F)).toHaveLength(1);
		expect(poller.values.read(0x2F, clock.now())).toBeNaN();
		expect(poller.values.read(0x0D, clock.now())).toBe(87);
	});

	test("response-pending-extends-the-wait", () => {
		ecu.pending = true;
		ecu.latencyMs = 100; // 0x78 at 100 ms, the answer at 400 ms: past the 150 ms timeout
		run(3000);
		expect(poller.timeouts).toBe(0);
		expect(poller.values.read(0x0C, clock.now())).toBe(1726);
	});

	test("malformed-and-junk-frames-are-counted-never-thrown", () => {
		ecu.garble.add(0x46);
		run(3000);
		expect(poller.malformed).toBeGreaterThan(0);
		const before = poller.malformed;
		const rand = random(5);
		const f = new CanFrame();
		for (let i = 0; i < 10000; i++) {
			f.id = 0x7E8;
			f.flags = 0;
			f.dlc = Math.floor(rand() * 9);
			for (let b = 0; b < 8; b++)
				f.data[b] = rand() < 0.3 ? [0x02, 0x03, 0x41, 0x7F, 0x0C, 0x10][Math.floor(rand() * 6)] : Math.floor(rand() * 256);
			expect(() => poller.receive(f, clock.now())).not.toThrow();
			poller.tick(clock.advance(1));
		}
		expect(poller.malformed).toBeGreaterThan(before);
		run(2000); // and it still works
		expect(poller.values.read(0x0D, clock.now())).toBe(87);
	});

	test("a-late-answer-is-counted-and-not-taken-for-another-request", () => {
		ecu.latencyMs = 200; // past the 150 ms timeout
		run(5000);
		expect(poller.late).toBeGreaterThan(0);
		expect(poller.timeouts).toBeGreaterThan(0);
		expect(poller.state).not.toBe(ObdState.polling);
		expect(poller.values.read(0x0D, clock.now())).toBeNaN();
	});

	test("nothing-is-sent-unless-the-profile-enables-transmission", () => {
		setUp({ enabled: false });
		run(10000);
		expect(bus.sent).toHaveLength(0);
		expect(poller.state).toBe(ObdState.disabled);
	});

	test("a-full-transmit-queue-is-counted-and-retried", () => {
		bus.refuseTransmit = 3;
		run(2000);
		expect(poller.txFailed).toBe(3);
		expect(poller.values.read(0x0D, clock.now())).toBe(87);
	});
});

describe("an OBD-II-only car end to end", () => {
	test("the-generic-profile-drives-the-cluster-from-a-mock-ecu", () => {
		const json = JSON.parse(readFileSync(join(repoRoot, "profiles/obd2-generic.json"), "utf8"));
		const compiled = compileProfile(json, "obd2-generic.json", null);
		const profile = new VehicleProfile(compiled.vehicle);
		const plan = new DecodePlan(compiled.plan.buffer);
		const pipeline = new Pipeline(plan);
		const clock = new FakeClock(0);
		const ecu = engine().set(0x5E, 0x00, 0x64); // 5 L/h; no oil temperature, no odometer PID
		const bus = new MockObdBus(pipeline.ring, clock.now, ecu);
		const poller = obdPollerFor(profile, bus.transmit, pipeline)!;
		const inputs = new ProfileInputs(profile, plan, pipeline.store, poller.values);
		const trip = new TripComputer();
		const step = (ms: number) => {
			for (let t = 0; t < ms; t += 5) {
				clock.advance(5);
				bus.deliver();
				pipeline.tap = poller;
				pipeline.pump();
				poller.tick(clock.now());
				if (clock.now() % 20 === 0) // 50 Hz display clock
					trip.updateFrom(inputs, clock.now());
			}
		};
		step(3000);
		const now = clock.now();
		expect(inputs.read(Quantity.speed, now)).toBe(87);
		expect(inputs.read(Quantity.rpm, now)).toBe(1726);
		expect(inputs.read(Quantity.coolantTemp, now)).toBe(92);
		expect(inputs.read(Quantity.fuelLevel, now)).toBeCloseTo(128 / 2.55, 9);
		expect(inputs.read(Quantity.batteryVoltage, now)).toBeCloseTo(12.589, 9);
		expect(inputs.read(Quantity.ambientTemp, now)).toBe(25);
		expect(inputs.read(Quantity.checkEngine, now)).toBe(0);
		expect(inputs.read(Quantity.fuelRate, now)).toBe(5);
		expect(inputs.read(Quantity.oilTemp, now)).toBeNaN();   // unsupported by this ECU
		expect(inputs.read(Quantity.odometer, now)).toBeNaN();
		expect(ecu.requests.some(r => r.pid === 0x5C || r.pid === 0xA6)).toBe(false);
		const start = trip.odometer;
		step(60000);
		expect(trip.odometer - start).toBeCloseTo(87 / 60, 2); // a minute at 87 km/h from OBD speed
		expect(trip.tripA.fuel).toBeGreaterThan(0);
		ecu.silent = true; // ignition off
		step(5000);
		expect(inputs.read(Quantity.speed, clock.now())).toBeNaN();
		expect(poller.requests / 68).toBeLessThanOrEqual(20); // 68 s at the profile's 20 requests/s at most
	});

	test("a-bus-signal-with-an-obd-fallback-polls-only-when-the-bus-is-quiet", () => {
		const db = database([message({ id: 0x100, name: "SPEED", signals: [signal({ name: "Kph", startBit: 0, length: 8, unit: "km/h" })], cycleTime: 20 })]);
		const compiled = compileProfile({ name: "mixed", quantities: { speed: { first: ["SPEED.Kph", { obd: "0x0D" }] }, coolantTemp: { obd: 5 } }, transmit: { obd: true } }, "mixed.json", db);
		const profile = new VehicleProfile(compiled.vehicle);
		const plan = new DecodePlan(compiled.plan.buffer);
		const pipeline = new Pipeline(plan);
		const clock = new FakeClock(0);
		const ecu = engine();
		const bus = new MockObdBus(pipeline.ring, clock.now, ecu);
		const poller = obdPollerFor(profile, bus.transmit, pipeline)!;
		const inputs = new ProfileInputs(profile, plan, pipeline.store, poller.values);
		let busSpeed = true;
		const step = (ms: number) => {
			for (let t = 0; t < ms; t += 2) {
				clock.advance(2);
				if (busSpeed && clock.now() % 20 === 0)
					bus.push(0x100, false, [64]);
				bus.deliver();
				pipeline.tap = poller;
				pipeline.pump();
				poller.tick(clock.now());
			}
		};
		step(5000);
		expect(inputs.read(Quantity.speed, clock.now())).toBe(64);
		expect(ecu.requests.filter(r => r.pid === 0x0D)).toHaveLength(0);
		expect(inputs.read(Quantity.coolantTemp, clock.now())).toBe(92);
		busSpeed = false; // the ABS module's message stops
		step(2000);
		expect(ecu.requests.filter(r => r.pid === 0x0D).length).toBeGreaterThan(3);
		expect(inputs.read(Quantity.speed, clock.now())).toBe(87);
	});
});
