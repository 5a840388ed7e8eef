import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeEach, describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { Change, ClusterModel } from "../modules/cluster/cluster.js";
import { Diagnostics } from "../modules/cluster/diagnostics.js";
import { frameBits } from "../modules/can/frame.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { LampState, Telltale } from "../modules/cluster/telltales.js";
import { Theme, ThemeSelector } from "../modules/cluster/theme.js";
import { IMPERIAL, METRIC, speed, temperature } from "../modules/cluster/units.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { compileProfile } from "../tools/profile.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Encoder } from "../modules/signals/encoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { Health, Pipeline } from "../modules/signals/pipeline.js";
import { AlertMonitor, Severity } from "../modules/cluster/alerts.js";
import { ShiftLight } from "../modules/cluster/shift-light.js";
import { TripComputer } from "../modules/cluster/trip.js";
import { FakeClock } from "./fixtures/clock.js";
import { FakeQuantities } from "./fixtures/quantities.js";
import { repoRoot } from "./shared-data.js";

const FRAME_MS = 33;
const demoDir = join(repoRoot, "hosts/sim/demo");
const db = parseDbcOrThrow(readFileSync(join(demoDir, "demo-car.dbc"), "latin1"), "demo-car.dbc");
const compiled = compileProfile(JSON.parse(readFileSync(join(demoDir, "demo-car.json"), "utf8")), "demo-car.json", db);
const plan = new DecodePlan(compiled.plan.buffer);
const vehicle = new VehicleProfile(compiled.vehicle);

/** The demo car's bus, driven by hand: the real decode path under a fake clock. */
class Bench {
	readonly clock = new FakeClock(0);
	readonly pipeline = new Pipeline(plan);
	readonly encoder = new Encoder(plan);
	readonly inputs = new ProfileInputs(vehicle, plan, this.pipeline.store);
	readonly model = new ClusterModel(this.inputs, { gears: vehicle.gears() });
	private readonly frame = new CanFrame();

	send(messageName: string, values: Record<string, number>): void {
		const m = this.encoder.message(messageName);
		const frame = this.encoder.begin(m, this.frame, this.clock.now());
		for (const name of Object.keys(values))
			this.encoder.set(this.encoder.signal(m, name), values[name], frame.data);
		this.pipeline.ring.push(frame);
	}
	/** One display tick: decode what arrived, update the model. */
	tick(ms = FRAME_MS): number {
		this.clock.advance(ms);
		this.pipeline.pump();
		return this.model.update(this.clock.now());
	}
}

describe("cluster model", () => {
	let bench: Bench;
	beforeEach(() => {
		bench = new Bench();
		bench.model.start(0);
	});

	test("stale-signal-shows-dashes", () => {
		bench.send("WHEEL_SPEED", { VehicleSpeed: 87.3 });
		bench.tick();
		expect(bench.model.speedometer.digits).toBe(88);
		// WHEEL_SPEED runs every 20 ms; its timeout is 5 periods floored at 250 ms.
		let changed = 0;
		for (let t = 0; t < 300; t += FRAME_MS)
			changed |= bench.tick();
		expect(bench.model.speedometer.digits).toBe(-1);
		expect(bench.model.speedometer.needle.missing).toBe(true);
		expect(changed & Change.speedDigits).toBe(Change.speedDigits);
		expect(changed & Change.speedMissing).toBe(Change.speedMissing);
		// It comes back the moment the signal does.
		bench.send("WHEEL_SPEED", { VehicleSpeed: 40 });
		bench.tick();
		expect(bench.model.speedometer.needle.missing).toBe(false);
		// The needle was still parking: it comes down to 40 from above, never from below.
		expect(bench.model.speedometer.digits).toBeGreaterThanOrEqual(40);
		expect(bench.model.speedometer.digits).toBeLessThanOrEqual(48);
		for (let i = 0; i < 90; i++) {
			bench.send("WHEEL_SPEED", { VehicleSpeed: 40 });
			bench.tick();
		}
		expect(bench.model.speedometer.digits).toBe(40);
	});

	test("missing-gauges-park-and-gear-shows-dashes", () => {
		bench.send("ENGINE", { EngineSpeed: 3000 });
		bench.send("GEARBOX", { GearLever: 3 });
		for (let i = 0; i < 3; i++)
			bench.tick();
		expect(bench.model.gear).toBe("D");
		expect(bench.model.tachometer.position).toBeGreaterThan(100);
		for (let i = 0; i < 40; i++)
			bench.tick();
		expect(bench.model.gear).toBe("--");
		expect(bench.model.tachometer.missing).toBe(true);
		expect(bench.model.tachometer.position).toBe(0);
	});

	test("unchanged-bus-redraws-nothing", () => {
		for (let i = 0; i < 100; i++) {
			bench.send("WHEEL_SPEED", { VehicleSpeed: 50 });
			bench.send("ENGINE", { EngineSpeed: 2000 });
			bench.tick(20);
		}
		expect(bench.tick(20) & ~Change.trip & ~Change.odometer).toBe(0);
	});

	test("telltales-come-from-the-bus-after-the-bulb-check", () => {
		bench.send("BODY", { ParkingBrake: 1, SeatBeltUnbuckled: 1 });
		bench.tick();
		expect(bench.model.inBulbCheck(bench.clock.now())).toBe(true);
		expect(bench.model.telltales.shown[Telltale.checkEngine]).toBe(LampState.on);
		for (let t = 0; t < 2000; t += 50) {
			bench.send("BODY", { ParkingBrake: 1, SeatBeltUnbuckled: 1 });
			bench.send("ENGINE", { CheckEngine: 0, EngineSpeed: 800 });
			bench.tick(50);
		}
		const shown = bench.model.telltales.shown;
		expect(shown[Telltale.parkingBrake]).toBe(LampState.on);
		expect(shown[Telltale.seatBelt]).toBe(LampState.on);
		expect(shown[Telltale.doorOpen]).toBe(LampState.off);
		expect(shown[Telltale.checkEngine]).toBe(LampState.off);
		// POWER never arrived: its lamp is unknown, not off.
		expect(shown[Telltale.battery]).toBe(LampState.unknown);
	});

	test("units-switch-in-one-place", () => {
		bench.send("WHEEL_SPEED", { VehicleSpeed: 100 });
		bench.send("TEMPERATURES", { AmbientTemp: 20 });
		bench.tick();
		expect(bench.model.speedometer.digits).toBe(100);
		expect(bench.model.ambient).toBe(20);
		bench.model.setUnits(IMPERIAL);
		bench.send("WHEEL_SPEED", { VehicleSpeed: 100 });
		const changed = bench.tick();
		expect(changed & Change.units).toBe(Change.units);
		expect(bench.model.speedometer.digits).toBe(63);
		expect(bench.model.ambient).toBe(68);
		expect(speed(100, IMPERIAL)).toBeCloseTo(62.137, 3);
		expect(temperature(-40, IMPERIAL)).toBe(-40);
		expect(speed(100, METRIC)).toBe(100);
	});

	test("trip-and-odometer-follow-the-drive", () => {
		for (let t = 0; t < 36000; t += 20) {
			bench.send("WHEEL_SPEED", { VehicleSpeed: 100 });
			if (t % 1000 === 0)
				bench.send("ODOMETER", { Odometer: 48213.4 });
			bench.tick(20);
		}
		// 100 km/h for 36 s is 1 km.
		expect(bench.model.tripTenths).toBeGreaterThanOrEqual(9);
		expect(bench.model.tripTenths).toBeLessThanOrEqual(10);
		expect(bench.model.odometer).toBe(48213);
		bench.model.resetTrip();
		bench.send("WHEEL_SPEED", { VehicleSpeed: 100 });
		bench.tick(20);
		expect(bench.model.tripTenths).toBe(0);
	});
});

describe("the odometer shown on a first start", () => {
	test("unknown-shows-dashes-never-0-km-until-the-cars-reading-is-followed", () => {
		// The demo car sends its odometer; no record restored: the glitch rule waits 10 s for it to hold steady.
		const bench = new Bench();
		bench.model.start(0);
		let changed = 0;
		const drive = (ms: number) => {
			for (let t = 0; t < ms; t += 20) {
				bench.send("WHEEL_SPEED", { VehicleSpeed: 100 });
				if (bench.clock.now() % 500 === 0)
					bench.send("ODOMETER", { Odometer: 48213.4 });
				changed |= bench.tick(20);
			}
		};
		drive(5000);
		expect(bench.model.odometer).toBe(-1);
		expect(bench.model.odometerText).toBe("--");
		expect(bench.model.tripTenths).toBe(1); // the trip counts meanwhile: 5 s at 100 km/h is 0.14 km
		expect(changed & Change.odometer).toBe(Change.odometer); // drawn once, as "--"
		changed = 0;
		bench.model.setUnits(IMPERIAL);
		drive(1000);
		expect(bench.model.odometerText).toBe("--");
		bench.model.setUnits(METRIC);
		drive(1000);
		expect(changed & Change.odometer).toBe(Change.odometer);
		expect(bench.model.odometerText).toBe("--");
		changed = 0;
		drive(1000);
		expect(changed & Change.odometer).toBe(0); // unknown is not redrawn every tick
		drive(5000); // 12 s: followed
		expect(bench.model.trip.followingCar).toBe(true);
		expect(bench.model.odometer).toBe(48213);
		expect(bench.model.odometerText).toBe("48213 km");
		expect(changed & Change.odometer).toBe(Change.odometer);
		bench.model.setUnits(IMPERIAL);
		drive(20);
		expect(bench.model.odometerText).toBe("29958 mi");
	});

	test("a-car-without-its-own-odometer-shows-the-integrated-one-from-0-as-before", () => {
		const model = new ClusterModel(new FakeQuantities().set(Quantity.speed, 100));
		model.update(0);
		expect(model.odometer).toBe(0);
		expect(model.odometerText).toBe("0 km");
		for (let t = 33; t <= 36300; t += 33)
			model.update(t);
		expect(model.odometerText).toBe("1 km");
	});
});

describe("model-wired parts", () => {
	test("one-odometer-the-trip-computers-restored-one-integrates-on", () => {
		const trip = new TripComputer();
		trip.odometer = 1000;
		trip.tripA.distance = 2.5;
		const q = new FakeQuantities().set(Quantity.speed, 100);
		const model = new ClusterModel(q, { trip });
		model.update(0);
		expect(model.odometer).toBe(1000);
		expect(model.tripTenths).toBe(25);
		for (let t = 33; t <= 36300; t += 33)
			model.update(t);
		expect(model.odometer).toBe(1001); // 1 km at 100 km/h in 36 s
		expect(model.tripKm).toBeCloseTo(3.5, 1);
		model.resetTrip();
		model.update(36333);
		expect(model.tripTenths).toBe(0);
		expect(trip.tripA.distance).toBeLessThan(0.01);
	});

	test("shift-light-and-alert-pop-up-report-their-changes", () => {
		const q = new FakeQuantities().set(Quantity.rpm, 2000).set(Quantity.gear, 3).set(Quantity.coolantTemp, 90);
		const alerts = new AlertMonitor(q, [{ id: "hot", message: "Hot", severity: Severity.warning, conditions: [{ quantity: Quantity.coolantTemp, above: 110 }], clearMs: 0 }]);
		const model = new ClusterModel(q, { alerts, shift: new ShiftLight({ defaultRpm: 3000 }) });
		model.update(0);
		expect(model.alert).toBe(-1);
		q.set(Quantity.rpm, 3200);
		expect(model.update(33) & Change.shift).toBe(Change.shift);
		expect(model.shift!.lit).toBe(true);
		q.set(Quantity.coolantTemp, 115);
		expect(model.update(66) & Change.alert).toBe(Change.alert);
		expect(model.alert).toBe(0);
		expect(model.update(99) & Change.alert).toBe(0);
		expect(model.acknowledgeAlert(120)).toBe(true);
		expect(model.update(132) & Change.alert).toBe(Change.alert);
		expect(model.alert).toBe(-1);
		expect(model.acknowledgeAlert(140)).toBe(false);
	});
});

describe("theme", () => {
	test("auto-theme-follows-the-headlights-and-holds-when-missing", () => {
		const theme = new ThemeSelector("auto");
		expect(theme.update(0)).toBe(false);
		expect(theme.theme).toBe(Theme.day);
		expect(theme.update(2)).toBe(true);
		expect(theme.theme).toBe(Theme.night);
		expect(theme.update(NaN)).toBe(false);
		expect(theme.theme).toBe(Theme.night);
		expect(theme.cycle()).toBe("day");
		theme.update(2);
		expect(theme.theme).toBe(Theme.day);
		expect(theme.cycle()).toBe("night");
		theme.update(0);
		expect(theme.theme).toBe(Theme.night);
		expect(theme.cycle()).toBe("auto");
	});

	test("model-reports-a-theme-change-once", () => {
		const q = new FakeQuantities().set(Quantity.headlights, 0);
		const model = new ClusterModel(q);
		model.update(0);
		q.set(Quantity.headlights, 1);
		// DayNight decides (headlights held for 2 s), the ThemeSelector follows it.
		expect(model.update(33) & Change.theme).toBe(0);
		expect(model.update(2040) & Change.theme).toBe(Change.theme);
		expect(model.night).toBe(true);
		expect(model.update(2073) & Change.theme).toBe(0);
	});
});

describe("diagnostics", () => {
	test("pipeline-pumps-through-its-tap-and-counts-frames-and-bits", () => {
		const pipeline = new Pipeline(plan);
		const frame = new CanFrame();
		const received: number[] = [];
		let enabled = true;
		pipeline.tap = { takes: (f: CanFrame) => enabled && f.id === 0x7E8, receive: (f: CanFrame, now: number) => { received.push(f.id, now); } };
		for (const id of [0x7E8, 0xB4, 0x7E8]) {
			frame.id = id;
			frame.dlc = 8;
			frame.timestamp = 5;
			pipeline.ring.push(frame);
		}
		expect(pipeline.pump()).toBe(3);
		expect(received).toEqual([0x7E8, 5, 0x7E8, 5]);
		expect(pipeline.decoder.decoded).toBe(1);
		expect(pipeline.bits).toBe(3 * frameBits(8, false));
		enabled = false; // a disabled poller takes nothing
		pipeline.ring.push(frame);
		pipeline.pump();
		expect(received).toHaveLength(4);
		expect(pipeline.pumped).toBe(4);
	});

	test("bus-load-is-estimated-from-frame-sizes", () => {
		expect(frameBits(8, false)).toBe(47 + 64 + 12);
		expect(frameBits(0, false)).toBe(47 + 4);
		expect(frameBits(8, true)).toBe(67 + 64 + 14);
		const pipeline = new Pipeline(plan);
		const diagnostics = new Diagnostics(pipeline, 500000);
		const health = new Health();
		const encoder = new Encoder(plan);
		const frame = new CanFrame();
		diagnostics.sample(0, pipeline.health(0, health), 0);
		// One second of WHEEL_SPEED at 50 Hz and 10 unknown frames.
		for (let i = 0; i < 50; i++) {
			encoder.begin(encoder.message("WHEEL_SPEED"), frame, i * 20);
			pipeline.ring.push(frame);
			pipeline.pump();
		}
		frame.id = 0x123;
		for (let i = 0; i < 10; i++) {
			pipeline.ring.push(frame);
			pipeline.pump();
		}
		expect(diagnostics.sample(999, pipeline.health(999, health), 29, 29)).toBe(false);
		expect(diagnostics.sample(1000, pipeline.health(1000, health), 12, 30)).toBe(true);
		expect(diagnostics.fps).toBe(12);
		expect(diagnostics.tickRate).toBe(30);
		expect(diagnostics.frameRate).toBe(60);
		expect(diagnostics.unknown).toBe(10);
		expect(diagnostics.decoded).toBe(50);
		// 60 frames of 123 bits at 500 kbit/s: 1.5 %.
		expect(diagnostics.busLoad).toBe(Math.round(60 * 123 / 500000 * 100));
		expect(diagnostics.stale).toBeGreaterThan(0);
	});

	test("bus-load-is-a-share-of-the-source-bit-rate: the same frames on a 125 kbit/s bus load it four times as much", () => {
		const pipeline = new Pipeline(plan);
		const diagnostics = new Diagnostics(pipeline, 125000);
		const health = new Health();
		const encoder = new Encoder(plan);
		const frame = new CanFrame();
		diagnostics.sample(0, pipeline.health(0, health), 0);
		for (let i = 0; i < 200; i++) {
			encoder.begin(encoder.message("WHEEL_SPEED"), frame, i * 5);
			pipeline.ring.push(frame);
			pipeline.pump();
		}
		expect(diagnostics.sample(1000, pipeline.health(1000, health), 0)).toBe(true);
		expect(diagnostics.bitRate).toBe(125000);
		expect(diagnostics.busLoad).toBe(Math.round(200 * frameBits(frame.dlc, false) / 125000 * 100));
		expect(new Diagnostics(pipeline).bitRate).toBe(500000);
	});
});
