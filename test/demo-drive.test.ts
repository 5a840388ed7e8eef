import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { FrameFlag } from "../modules/can/frame.js";
import { Change, ClusterModel } from "../modules/cluster/cluster.js";
import { Diagnostics } from "../modules/cluster/diagnostics.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { LampState, Telltale } from "../modules/cluster/telltales.js";
import { AlertMonitor, checkEngineAlertRule, defaultAlertRules } from "../modules/cluster/alerts.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { TripComputer } from "../modules/cluster/trip.js";
import { Encoder } from "../modules/signals/encoder.js";
import { DecodePlan, MESSAGE_WORDS, MessageField } from "../modules/signals/plan.js";
import { Health, Pipeline } from "../modules/signals/pipeline.js";
import { DemoDrive, DriveState, EXTENDED_FLAG, LAP_MS, PLAN_CYCLE_TIME, PLAN_LENGTH, PLAN_MESSAGE_WORDS, driveAt } from "../hosts/sim/demo-drive.js";
import { FakeClock } from "./fixtures/clock.js";
import { repoRoot } from "./shared-data.js";

const FRAME_MS = 33;
const demoDir = join(repoRoot, "hosts/sim/demo");
// The committed plans are what the simulator loads (demo-plan.test.ts and
// demo-profile.test.ts keep them current): the demo car's ECUs encode with
// the full plan of its DBC, the cluster decodes with the plan compiled with
// its profile (car.plan, car.vehicle).
const read = (name: string) => {
	const bytes = readFileSync(join(demoDir, name));
	return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};
const plan = new DecodePlan(read("demo-car.plan"));
const carPlan = new DecodePlan(read("car.plan"));
const carProfile = new VehicleProfile(read("car.vehicle"));

/** The simulator's composition (main.ts), with a fake clock instead of Timer. */
function simulator() {
	const clock = new FakeClock(0);
	const pipeline = new Pipeline(carPlan);
	const drive = new DemoDrive(plan, new Encoder(plan), pipeline.ring);
	const inputs = new ProfileInputs(carProfile, carPlan, pipeline.store);
	const trip = new TripComputer({ tankLiters: carProfile.tankLiters });
	const alerts = new AlertMonitor(inputs, [...defaultAlertRules(), checkEngineAlertRule()]);
	const model = new ClusterModel(inputs, { gears: carProfile.gears(), trip, alerts });
	model.start(0);
	const tick = () => {
		const now = clock.advance(FRAME_MS);
		drive.step(now);
		pipeline.pump();
		return model.update(now);
	};
	return { clock, pipeline, drive, inputs, model, tick };
}

describe("demo drive", () => {
	test("plan-layout-constants-match-the-plan-module", () => {
		expect(PLAN_MESSAGE_WORDS).toBe(MESSAGE_WORDS);
		expect(PLAN_CYCLE_TIME).toBe(MessageField.cycleTime);
		expect(PLAN_LENGTH).toBe(MessageField.length);
		expect(EXTENDED_FLAG).toBe(FrameFlag.extended);
	});

	test("drive-is-a-pure-function-of-time", () => {
		const a = driveAt(23456, new DriveState()), b = driveAt(23456 + LAP_MS * 0, new DriveState());
		expect(a).toEqual(b);
		expect(driveAt(0, new DriveState()).speed).toBe(0);
		expect(driveAt(40000, new DriveState()).speed).toBeGreaterThan(98);
		expect(driveAt(40000, new DriveState()).engaged).toBe(6);
	});

	test("messages-go-out-at-their-cycle-times", () => {
		const sim = simulator();
		const counts = new Map<number, number>();
		const original = sim.pipeline.ring.pushFields.bind(sim.pipeline.ring);
		sim.pipeline.ring.pushFields = (id, flags, dlc, bytes, offset, length, timestamp) => {
			counts.set(id, (counts.get(id) ?? 0) + 1);
			original(id, flags, dlc, bytes, offset, length, timestamp);
		};
		for (let t = 0; t < 10000; t += FRAME_MS)
			sim.tick();
		// 10 s: ENGINE every 10 ms, WHEEL_SPEED every 20 ms, BODY 100 ms, TEMPERATURES 1 s.
		expect(counts.get(0x1C4)).toBeGreaterThanOrEqual(995);
		expect(counts.get(0x1C4)).toBeLessThanOrEqual(1005);
		expect(counts.get(0xB4)).toBeGreaterThanOrEqual(497);
		expect(counts.get(0x610)).toBeGreaterThanOrEqual(99);
		expect(counts.get(0x3E8)).toBeGreaterThanOrEqual(10);
		expect(counts.get(0x18FEF100)).toBeGreaterThanOrEqual(99);
		expect(counts.get(0x123)).toBeGreaterThanOrEqual(99);
		expect(sim.pipeline.ring.dropped).toBe(0);
	});

	test("a-lap-tells-the-whole-story-through-the-decode-path", () => {
		const sim = simulator();
		const health = new Health();
		const diagnostics = new Diagnostics(sim.pipeline);
		const seen = { maxDigits: 0, gears: new Set<string>(), engaged: new Set<number>(), staleAt: NaN, backAt: NaN,
			leftFlashes: 0, checkOn: NaN, checkOff: NaN, nightAt: NaN, redrawn: 0, ticks: 0,
			alertOn: NaN, alertOff: NaN, alerts: new Set<string>() };
		let leftWas = 0;
		for (let t = 0; t < LAP_MS; t += FRAME_MS) {
			const changed = sim.tick();
			const now = sim.clock.now(), model = sim.model;
			seen.ticks++;
			if (changed & (Change.speedNeedle | Change.rpmNeedle))
				seen.redrawn++;
			seen.maxDigits = Math.max(seen.maxDigits, model.speedometer.digits);
			if (now > 500) // before the first GEARBOX frame the gear is honestly unknown
				seen.gears.add(model.gear);
			const engaged = sim.pipeline.store.read(carPlan.findSignal(carPlan.findMessageByName("GEARBOX"), "GearEngaged"), now);
			if (engaged === engaged)
				seen.engaged.add(engaged);
			if (model.speedometer.digits === -1 && now > 5000 && seen.staleAt !== seen.staleAt)
				seen.staleAt = now;
			if (seen.staleAt === seen.staleAt && seen.backAt !== seen.backAt && model.speedometer.digits >= 0)
				seen.backAt = now;
			const left = model.telltales.shown[Telltale.turnLeft];
			if (left === LampState.on && leftWas !== LampState.on && now > 3000)
				seen.leftFlashes++;
			leftWas = left;
			const check = model.telltales.shown[Telltale.checkEngine];
			if (check === LampState.on && now > 3000 && seen.checkOn !== seen.checkOn)
				seen.checkOn = now;
			if (check === LampState.off && seen.checkOn === seen.checkOn && seen.checkOff !== seen.checkOff)
				seen.checkOff = now;
			if (changed & Change.alert) {
				if (model.alert >= 0) {
					seen.alerts.add(model.alerts!.rules[model.alert].id);
					if (seen.alertOn !== seen.alertOn)
						seen.alertOn = now;
				}
				else if (seen.alertOn === seen.alertOn && seen.alertOff !== seen.alertOff)
					seen.alertOff = now;
			}
			if (model.night && seen.nightAt !== seen.nightAt)
				seen.nightAt = now;
			diagnostics.sample(now, sim.pipeline.health(now, health), seen.ticks);
		}
		expect(seen.maxDigits).toBeGreaterThanOrEqual(100);
		expect(seen.maxDigits).toBeLessThanOrEqual(106);
		expect([...seen.gears].sort()).toEqual(["D", "P"]);
		expect([...seen.engaged].sort()).toEqual([0, 1, 2, 3, 4, 5, 6]);
		// The ABS message stops at 40 s: the speed goes to dashes within its 250 ms timeout, and returns at 43 s.
		expect(seen.staleAt).toBeGreaterThan(40000);
		expect(seen.staleAt).toBeLessThan(40000 + 300);
		expect(seen.backAt).toBeGreaterThanOrEqual(43000);
		expect(seen.backAt).toBeLessThan(43000 + 100);
		// 10 s of left signal at 90 a minute.
		expect(seen.leftFlashes).toBeGreaterThanOrEqual(14);
		expect(seen.leftFlashes).toBeLessThanOrEqual(16);
		expect(seen.checkOn).toBeGreaterThanOrEqual(75000);
		expect(seen.checkOff).toBeGreaterThanOrEqual(95000);
		expect(seen.nightAt).toBeGreaterThanOrEqual(45000);
		// The check-engine pop-up comes with the lamp (75-95 s) and goes after it.
		expect([...seen.alerts]).toEqual(["check-engine"]);
		expect(seen.alertOn).toBeGreaterThanOrEqual(75000);
		expect(seen.alertOn).toBeLessThan(77000);
		expect(seen.alertOff).toBeGreaterThanOrEqual(95000);
		expect(seen.alertOff).toBeLessThan(98000);
		expect(sim.pipeline.ring.dropped).toBe(0);
		expect(diagnostics.unknown).toBeGreaterThan(1000);
		expect(diagnostics.busLoad).toBeGreaterThan(2);
		expect(diagnostics.busLoad).toBeLessThan(10);
		// The car's odometer and the cluster's own trip agree on the lap's distance.
		expect(sim.model.odometer).toBe(Math.floor(48213.4 + sim.model.tripKm));
		expect(sim.model.tripTenths).toBeGreaterThanOrEqual(15);
		// Quantising pays: the needles move on under every frame only while the car does.
		expect(seen.redrawn).toBeLessThan(seen.ticks);
		expect(sim.inputs.read(Quantity.coolantTemp, sim.clock.now())).toBeGreaterThan(80);
	});

	test("the-drive-loops-and-can-stop", () => {
		const pipeline = new Pipeline(plan);
		const drive = new DemoDrive(plan, new Encoder(plan), pipeline.ring, { loop: false });
		drive.step(0);
		expect(drive.finished(LAP_MS)).toBe(true);
		expect(drive.step(LAP_MS + 10)).toBe(0);
		const looping = new DemoDrive(plan, new Encoder(plan), new Pipeline(plan).ring);
		looping.step(0);
		expect(looping.step(LAP_MS + 10)).toBeGreaterThan(0);
	});
});
