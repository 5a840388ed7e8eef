/*
 * The simulator's demo drive through this session's modules, as the host will
 * wire them: the demo profile compiled by `xs-cluster profile compile`, read
 * through ProfileInputs; trips kept by TripMemory on a PreferenceFlash (what
 * the simulator has instead of a flash partition); alerts from the default
 * rules with a driver's own speed limit; day/night from the headlights.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { AlertMonitor, defaultAlertRules } from "../modules/cluster/alerts.js";
import { DayNight } from "../modules/cluster/day-night.js";
import { DriverBook } from "../modules/cluster/drivers.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { TripComputer, TripMemory } from "../modules/cluster/trip.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Encoder } from "../modules/signals/encoder.js";
import { Pipeline } from "../modules/signals/pipeline.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { PreferenceFlash } from "../modules/storage/preference-flash.js";
import { compileProfile } from "../tools/profile.js";
import { DemoDrive, LAP_MS } from "../hosts/sim/demo-drive.js";
import { FakeClock } from "./fixtures/clock.js";
import { FakePreferences } from "./fixtures/fake-preferences.js";
import { repoRoot } from "./shared-data.js";

const FRAME_MS = 33;
const demoDir = join(repoRoot, "hosts/sim/demo");
const fullPlanBytes = readFileSync(join(demoDir, "demo-car.plan"));
const fullPlan = new DecodePlan(fullPlanBytes.buffer.slice(fullPlanBytes.byteOffset, fullPlanBytes.byteOffset + fullPlanBytes.byteLength));
const db = parseDbcOrThrow(readFileSync(join(demoDir, "demo-car.dbc"), "latin1"), "demo-car.dbc");
const compiled = compileProfile(JSON.parse(readFileSync(join(demoDir, "demo-car.json"), "utf8")), "demo-car.json", db);

/** One boot of the simulated cluster on persistent preferences. */
function boot(prefs: FakePreferences, clock: FakeClock) {
	const plan = new DecodePlan(compiled.plan.buffer);
	const profile = new VehicleProfile(compiled.vehicle);
	const pipeline = new Pipeline(plan);
	// The drive's ECUs encode with the full demo plan; the cluster decodes only what its profile uses.
	const drive = new DemoDrive(fullPlan, new Encoder(fullPlan), pipeline.ring, { loop: false });
	const inputs = new ProfileInputs(profile, plan, pipeline.store);
	const trip = new TripComputer({ tankLiters: profile.tankLiters });
	const memory = TripMemory.on(trip, new PreferenceFlash(prefs, "xsc-trip"), { intervalMs: 10000 });
	memory.start();
	const drivers = new DriverBook(prefs, "Anna");
	const alerts = new AlertMonitor(inputs, defaultAlertRules());
	drivers.applyThresholds(alerts);
	const dayNight = new DayNight();
	const tick = () => {
		const now = clock.advance(FRAME_MS);
		drive.step(now);
		pipeline.pump();
		trip.updateFrom(inputs, now);
		memory.tick(now);
		alerts.update(now);
		dayNight.updateFrom(inputs, now);
		return now;
	};
	return { drive, inputs, trip, memory, drivers, alerts, dayNight, tick };
}

describe("demo drive through trip, alerts and drivers", () => {
	test("trip-advances-survives-a-restart-and-alerts-come-and-go", () => {
		const prefs = new FakePreferences();
		const clock = new FakeClock(0);
		let car = boot(prefs, clock);
		car.drivers.update({ thresholds: { overspeed: 90 } }); // Anna's own limit
		car.drivers.applyThresholds(car.alerts);
		const overspeed = car.alerts.indexOf("overspeed");
		let raised = 0, wasActive = false, staleSeen = false, nightAt = NaN;
		const start = clock.now();
		while (clock.now() - start < LAP_MS + 2000) {
			const now = car.tick();
			const active = car.alerts.isActive(overspeed);
			if (active && !wasActive)
				raised++;
			wasActive = active;
			if (car.alerts.stale[overspeed])
				staleSeen = true;
			if (car.dayNight.night === 1 && nightAt !== nightAt)
				nightAt = now - start;
		}
		// The trip integrates the drive's speed; the odometer follows the car's own.
		expect(car.trip.tripA.distance).toBeGreaterThan(1.5);
		expect(car.trip.tripA.distance).toBeCloseTo(car.drive.distanceKm, 1);
		expect(car.trip.followingCar).toBe(true);
		expect(car.trip.odometer).toBe(car.inputs.read(Quantity.odometer, clock.now()));
		expect(car.trip.tripA.fuel).toBeGreaterThan(0);
		// Cruise at 100 km/h over Anna's 90: raised once, held through the ABS dropout, cleared after braking.
		expect(raised).toBe(1);
		expect(staleSeen).toBe(true);
		expect(car.alerts.isActive(overspeed)).toBe(false);
		// Headlights on at 45 s: night, after the 2 s hold.
		expect(nightAt).toBeGreaterThan(45000);
		expect(nightAt).toBeLessThan(48000);

		const distance = car.trip.tripA.distance, saves = car.memory.log.writes;
		expect(saves).toBeGreaterThan(5);
		expect(saves).toBeLessThan(20); // 10 s apart while moving, not every frame
		car.memory.flush(clock.now()); // the car stopped and the key came out

		car = boot(prefs, clock); // restart the simulator
		expect(car.trip.tripA.distance).toBe(distance);
		expect(car.drivers.current.thresholds.overspeed).toBe(90);
	});
});
