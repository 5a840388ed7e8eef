/*
 * The odometer that the car will not send: the OBD-II poller's word that the
 * ECU does not support a PID (ObdPoller.refuses), and the trip computer's
 * options as main.ts wires them (tripOptionsFor), which end the wait for the
 * car's odometer on that word, end to end with a mock ECU.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { CAR_ODOMETER_WAIT_MS, STABLE_MS, TripComputer } from "../modules/cluster/trip.js";
import { tripOptionsFor } from "../modules/cluster/trip-options.js";
import { ObdState, type ObdPoller } from "../modules/obd/poller.js";
import { obdPollerFor } from "../modules/obd/wiring.js";
import { Pipeline } from "../modules/signals/pipeline.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { compileProfile } from "../tools/profile.js";
import { FakeClock } from "./fixtures/clock.js";
import { MockObdBus, MockObdEcu } from "./fixtures/mock-obd-ecu.js";
import { database, message, signal } from "./support/dbc-builder.js";
import { repoRoot } from "./shared-data.js";

const generic = compileProfile(JSON.parse(readFileSync(join(repoRoot, "profiles/obd2-generic.json"), "utf8")), "obd2-generic.json", null);

/** An engine ECU with speed and rpm, without the odometer's PID 0xA6 unless `odometer` (0.1 km) is given. */
function engine(odometerTenths?: number): MockObdEcu {
	const ecu = new MockObdEcu(0x7E8, false).set(0x0C, 0x1A, 0xF8).set(0x0D, 72);
	if (odometerTenths !== undefined)
		ecu.set(0xA6, (odometerTenths >>> 24) & 0xFF, (odometerTenths >>> 16) & 0xFF, (odometerTenths >>> 8) & 0xFF, odometerTenths & 0xFF);
	return ecu;
}

/** The OBD-II car as main.ts composes it: the trip computer made first, the poller after it. */
function obdCar(ecu: MockObdEcu) {
	const profile = new VehicleProfile(generic.vehicle);
	const plan = new DecodePlan(generic.plan.buffer);
	const pipeline = new Pipeline(plan);
	const clock = new FakeClock(0);
	let poller: ObdPoller | null = null;
	const trip = new TripComputer(tripOptionsFor(profile, () => poller));
	const bus = new MockObdBus(pipeline.ring, clock.now, ecu);
	poller = obdPollerFor(profile, bus.transmit, pipeline)!;
	const inputs = new ProfileInputs(profile, plan, pipeline.store, poller.values);
	const obd = poller;
	/** Bus and poller every 5 ms, the display clock every 20 ms. */
	const step = (ms: number) => {
		for (let t = 0; t < ms; t += 5) {
			clock.advance(5);
			bus.deliver();
			pipeline.tap = obd;
			pipeline.pump();
			obd.tick(clock.now());
			if (clock.now() % 20 === 0)
				trip.updateFrom(inputs, clock.now());
		}
	};
	return { trip, poller: obd, clock, step };
}

describe("the OBD-II poller knows what the ECU will not answer", () => {
	test("refuses-a-pid-its-bitmaps-leave-out-or-it-refused-only-once-discovery-is-over", () => {
		const ecu = engine();
		ecu.refuse.add(0x2F); // listed as supported, answered with a negative response
		const car = obdCar(ecu);
		const { poller } = car;
		expect(poller.state).toBe(ObdState.discovering);
		expect(poller.refuses(0xA6)).toBe(false); // not known yet
		car.step(2000);
		expect(poller.state).toBe(ObdState.polling);
		expect(poller.refuses(0xA6)).toBe(true);
		expect(poller.refuses(0x0D)).toBe(false);
		expect(poller.refuses(0x2F)).toBe(true);
		expect(poller.negative).toBeGreaterThan(0);
		ecu.silent = true; // ignition off: the ECU is gone, discovery starts again
		car.step(3000);
		expect(poller.state).not.toBe(ObdState.polling);
		expect(poller.refuses(0xA6)).toBe(false);
	});
});

describe("the trip computer's options, as main.ts wires them", () => {
	test("an-obd-ii-car-without-the-odometer-pid-integrates-from-0-once-discovery-is-over-not-after-30-s", () => {
		const ecu = engine();
		ecu.latencyMs = 40; // a few display ticks per answer
		const car = obdCar(ecu);
		let ticks = 0;
		while (!car.poller.refuses(0xA6)) {
			expect(car.trip.odometer).toBeNaN(); // discovering: not known yet
			car.step(20);
			ticks++;
		}
		expect(ticks).toBeGreaterThan(1);
		car.step(20); // the next display tick
		expect(car.trip.odometerKnown).toBe(true);
		expect(car.trip.odometer).toBe(car.trip.tripA.distance);
		const start = car.trip.odometer;
		car.step(60000);
		expect(car.trip.odometer - start).toBeCloseTo(72 / 60, 2); // a minute at 72 km/h from OBD speed
	});

	test("an-obd-ii-car-with-the-odometer-pid-is-unknown-until-its-reading-is-followed", () => {
		const car = obdCar(engine(482134)); // 48,213.4 km
		car.step(STABLE_MS - 1000);
		expect(car.poller.refuses(0xA6)).toBe(false);
		expect(car.trip.odometer).toBeNaN();
		car.step(3000);
		expect(car.trip.odometer).toBeCloseTo(48213.4, 9);
		expect(car.trip.followingCar).toBe(true);
	});

	test("an-obd-ii-car-with-no-poller-waits-the-bound", () => {
		const profile = new VehicleProfile(generic.vehicle);
		const options = tripOptionsFor(profile, () => null);
		expect(options.carOdometer).toBe(true);
		expect(options.carOdometerRefused!()).toBe(false);
		const trip = new TripComputer(options);
		trip.update(0, 36);
		for (let t = 50; t <= CAR_ODOMETER_WAIT_MS; t += 50)
			trip.update(t, 36);
		expect(trip.odometer).toBeCloseTo(0.3, 9);
	});

	test("a-bus-odometer-alone-or-ahead-of-a-pid-is-waited-for-no-odometer-integrates-from-0", () => {
		const demo = join(repoRoot, "hosts/sim/demo/car.vehicle");
		const bytes = readFileSync(demo);
		const demoProfile = new VehicleProfile(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
		const demoOptions = tripOptionsFor(demoProfile, () => ({ refuses: () => true }));
		expect(demoOptions).toEqual({ tankLiters: demoProfile.tankLiters, carOdometer: true });
		const db = database([message({ id: 0x100, name: "KOMBI", signals: [signal({ name: "Km", startBit: 0, length: 24, unit: "km" })], cycleTime: 1000 })]);
		const mixed = new VehicleProfile(compileProfile({ name: "mixed", quantities: { odometer: { first: ["KOMBI.Km", { obd: "0xA6" }] } }, transmit: { obd: true } }, "mixed.json", db).vehicle);
		expect(mixed.roots[Quantity.odometer]).toBeGreaterThanOrEqual(0);
		expect(tripOptionsFor(mixed, () => ({ refuses: () => true })).carOdometerRefused).toBeUndefined();
		const none = new VehicleProfile(compileProfile({ name: "none", quantities: { speed: { obd: "0x0D" } }, tankLiters: 50 }, "none.json", null).vehicle);
		expect(tripOptionsFor(none, () => null)).toEqual({ tankLiters: 50, carOdometer: false });
	});
});
