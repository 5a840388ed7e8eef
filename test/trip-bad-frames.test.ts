/*
 * Bad frames through the whole pipeline, as the device wires it: a DBC
 * compiled with a vehicle profile, frames queued in the ring, decoded into
 * the signal store, read through ProfileInputs by the cluster model, which
 * feeds the trip computer, saved by TripMemory in a record log on flash that
 * loses power while saving. The odometer must end where the car's own does,
 * never ahead of it, whatever the frames said on the way.
 */
import { describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { ClusterModel } from "../modules/cluster/cluster.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { STABLE_MS, TripComputer, TripMemory } from "../modules/cluster/trip.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Encoder } from "../modules/signals/encoder.js";
import { Pipeline } from "../modules/signals/pipeline.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { compileProfile } from "../tools/profile.js";
import { FakeClock } from "./fixtures/clock.js";
import { FakeFlash, random } from "./fixtures/fake-flash.js";

const DBC = `VERSION ""
NS_ :
BS_:
BU_: ABS BCM CLUSTER
BO_ 256 ABS_SPEED: 2 ABS
 SG_ VehicleSpeed : 0|16@1+ (0.01,0) [0|655.35] "km/h" CLUSTER
BO_ 257 US_SPEED: 8 ABS
 SG_ SpeedMph : 0|64@1- (1,0) [0|0] "mph" CLUSTER
BO_ 1520 ODOMETER: 3 BCM
 SG_ Odometer : 0|24@1+ (0.1,0) [0|1677721.5] "km" CLUSTER
BO_ 1521 ODOMETER_KM: 3 BCM
 SG_ OdometerKm : 0|24@1+ (1,0) [0|16777215] "km" CLUSTER
BA_DEF_ BO_ "GenMsgCycleTime" INT 0 65535;
BA_DEF_DEF_ "GenMsgCycleTime" 0;
BA_ "GenMsgCycleTime" BO_ 256 20;
BA_ "GenMsgCycleTime" BO_ 257 20;
BA_ "GenMsgCycleTime" BO_ 1520 100;
BA_ "GenMsgCycleTime" BO_ 1521 1000;
SIG_VALTYPE_ 257 SpeedMph : 2;
`;
const db = parseDbcOrThrow(DBC, "glitch.dbc");

const TICK = 20; // display clock, ms
const SAVE_INTERVAL = 10000;

/**
 * Two cars: one sends km/h in 16 bits and its odometer in 0.1 km; the other
 * sends a double in mph (the profile converts it, so a huge but finite double
 * becomes Infinity after the store) and whole km.
 */
const CARS = {
	metric: { speed: ["ABS_SPEED", "VehicleSpeed"], odometer: ["ODOMETER", "Odometer"], odometerStep: 0.1, odometerPeriod: 100 },
	us: { speed: ["US_SPEED", "SpeedMph"], odometer: ["ODOMETER_KM", "OdometerKm"], odometerStep: 1, odometerPeriod: 1000 },
} as const;
type CarName = keyof typeof CARS;

/** A glitch: from `at` ms into a drive, for one frame, the signal's raw bits (`raw`) or physical value (`value`), from what the car really sends. */
interface Glitch { at: number; quantity: "speed" | "odometer"; raw?: number; value?: (real: number) => number }

/** The car: its true odometer and speed, and the frames it sends. */
class Car {
	odometer: number;
	speed = 0;
	readonly spec: (typeof CARS)[CarName];
	readonly plan: DecodePlan;
	readonly encoder: Encoder;
	readonly frame = new CanFrame();
	readonly ids: { speed: [number, number]; odometer: [number, number] };
	/** Glitched frames sent, per quantity. */
	readonly sent = { speed: 0, odometer: 0 };

	constructor(name: CarName, odometer: number) {
		this.spec = CARS[name];
		this.odometer = odometer;
		this.plan = new DecodePlan(compilePlan(db).buffer);
		this.encoder = new Encoder(this.plan);
		const find = ([message, signal]: readonly [string, string]): [number, number] => {
			const m = this.encoder.message(message);
			return [m, this.encoder.signal(m, signal)];
		};
		this.ids = { speed: find(this.spec.speed), odometer: find(this.spec.odometer) };
	}

	/** What the car's odometer shows: its count, truncated to its step. */
	get count(): number {
		const step = this.spec.odometerStep;
		return Math.floor(this.odometer / step + 1e-9) * step;
	}

	/** Advances `dt` ms at `speed` km/h and queues the frames due at `now` (`t` ms into the drive), glitched where `glitches` say. */
	step(pipeline: Pipeline, now: number, t: number, dt: number, speed: number, glitches: Glitch[]): void {
		this.odometer += (this.speed + speed) / 2 * dt / 3600000;
		this.speed = speed;
		const glitch = (quantity: Glitch["quantity"]) => glitches.find(g => g.quantity === quantity && t >= g.at && t < g.at + TICK);
		const isUs = this.spec === CARS.us;
		this.send(pipeline, now, "speed", isUs ? speed / 1.609344 : speed, glitch("speed"));
		if (now % this.spec.odometerPeriod === 0)
			this.send(pipeline, now, "odometer", this.count, glitches.find(g => g.quantity === "odometer" && t >= g.at && t < g.at + this.spec.odometerPeriod));
	}

	private send(pipeline: Pipeline, now: number, quantity: Glitch["quantity"], value: number, glitch: Glitch | undefined): void {
		const [message, signal] = this.ids[quantity];
		const frame = this.encoder.begin(message, this.frame, now);
		if (glitch?.raw !== undefined)
			this.encoder.setRaw(signal, glitch.raw, frame.data);
		else
			this.encoder.set(signal, glitch?.value ? glitch.value(value) : value, frame.data);
		if (glitch)
			this.sent[quantity]++;
		pipeline.ring.push(frame);
	}
}

/** One boot of the cluster for `name` on `flash`: the pieces main.ts builds, in its order. */
function boot(name: CarName, flash: FakeFlash) {
	const spec = CARS[name];
	const profile = compileProfile({
		name: `glitch ${name}`,
		quantities: { speed: spec.speed.join("."), odometer: spec.odometer.join(".") },
	}, `${name}.json`, db);
	const plan = new DecodePlan(profile.plan.buffer);
	const pipeline = new Pipeline(plan);
	const inputs = new ProfileInputs(new VehicleProfile(profile.vehicle), plan, pipeline.store, null);
	const trip = new TripComputer();
	const memory = TripMemory.on(trip, flash, { intervalMs: SAVE_INTERVAL });
	memory.start();
	const model = new ClusterModel(inputs, { trip });
	return { pipeline, inputs, trip, memory, model };
}

/** Glitches of one drive, ms into it: every kind of bad value each car can send. */
function glitchesFor(name: CarName): Glitch[] {
	return name === "metric"
		? [
			{ at: 30000, quantity: "speed", raw: 0xFFFF }, // 655.35 km/h: out of range
			{ at: 60000, quantity: "odometer", raw: 0xFFFFFF }, // 1,677,721.5 km: in range, disagrees
			{ at: 90000, quantity: "odometer", value: real => real + 100 }, // a jump no car drove
		]
		: [
			{ at: 30000, quantity: "speed", value: () => Number.MAX_VALUE }, // finite in the store, Infinity in km/h
			{ at: 40000, quantity: "speed", value: () => Infinity }, // missing from the store already
			{ at: 60000, quantity: "odometer", raw: 0xFFFFFF }, // 16,777,215 km: out of range
			{ at: 90000, quantity: "odometer", value: real => real + 100 },
		];
}

describe.each(["metric", "us"] as const)("bad frames through DBC, plan, decoder, store, model, trip and record log (%s car)", name => {
	test("the-odometer-ends-where-the-cars-does-across-power-cuts", () => {
		const flash = new FakeFlash(8192, 4096, 15);
		const rand = random(name === "metric" ? 15 : 16);
		const clock = new FakeClock(0);
		const car = new Car(name, 48213.44);
		let cluster = boot(name, flash);
		let refused = 0, unconfirmed = 0, infinities = 0;
		for (let drive = 0; drive < 4; drive++) {
			// An older firmware saved a record from an Infinity once: the restart must take the one before it.
			if (drive === 3) {
				const record = new Uint8Array(TripComputer.RECORD_BYTES);
				new TripComputer().serialize(record);
				new DataView(record.buffer).setFloat64(8, Infinity, true);
				cluster.memory.log.save(record);
				cluster = boot(name, flash);
				expect(cluster.memory.log.refused).toBe(1);
			}
			// A new cluster takes the car's odometer once it has held steady; after that, restarts take it at once.
			const settled = drive === 0 ? STABLE_MS + 2 * car.spec.odometerPeriod : 2 * car.spec.odometerPeriod;
			if (drive > 0) {
				expect(cluster.trip.odometer).toBeGreaterThan(48213);
				expect(cluster.trip.odometer).toBeLessThanOrEqual(car.odometer);
			}
			const glitches = glitchesFor(name);
			// The power is cut during some save after the glitches, anywhere in the bytes it writes or erases.
			const cutFrom = 100000;
			const cutsBefore = flash.cutsInErase + flash.cutsInWrite;
			const history: Array<[number, number]> = [];
			let t = 0;
			for (; ; t += TICK) {
				const now = clock.advance(TICK);
				if (t === cutFrom)
					flash.cutAfter(Math.floor(rand() * 2 * 4096));
				car.step(cluster.pipeline, now, t, TICK, t < 5000 ? t / 50 : 100, glitches);
				cluster.pipeline.pump();
				const speed = cluster.inputs.read(Quantity.speed, now);
				if (speed === Infinity)
					infinities++;
				cluster.model.update(now);
				cluster.memory.tick(now);
				history.push([now, cluster.trip.odometer]);
				// Never ahead of the car, whatever it was sent; following it once it has been seen.
				expect(cluster.trip.odometer).toBeLessThanOrEqual(car.odometer + 1e-6);
				if (t > settled && !cluster.trip.followingCar && !glitches.some(g => t >= g.at && t < g.at + 2 * car.spec.odometerPeriod + TICK))
					throw new Error(`${name}: not following the car at ${t} ms into drive ${drive}`);
				if (flash.cutsInErase + flash.cutsInWrite !== cutsBefore)
					break;
			}
			refused += cluster.trip.refused;
			unconfirmed += cluster.trip.unconfirmed;
			// Before the cut the cluster showed the car's count.
			expect(cluster.model.odometer).toBe(Math.floor(car.count));
			const odometerAtCut = cluster.trip.odometer;
			flash.restore();
			// Off for two seconds while the car rolls on; then a new boot over the same flash.
			for (let off = 0; off < 2000; off += TICK)
				car.step(cluster.pipeline, clock.advance(TICK), -1, TICK, 100, []);
			cluster = boot(name, flash);
			const back = cluster.trip.odometer;
			expect(back).toBeLessThanOrEqual(odometerAtCut);
			const window = history.filter(([time]) => time <= clock.now() - 2000 - SAVE_INTERVAL - TICK);
			expect(back).toBeGreaterThanOrEqual((window.at(-1) ?? history[0])[1]);
		}
		// One more drive without cuts: the car's figure, to the unit it counts in.
		for (let t = 0; t < 60000; t += TICK) {
			const now = clock.advance(TICK);
			car.step(cluster.pipeline, now, t, TICK, 100, glitchesFor(name));
			cluster.pipeline.pump();
			cluster.model.update(now);
			cluster.memory.tick(now);
		}
		expect(cluster.trip.odometer).toBeCloseTo(car.count, 9);
		expect(cluster.model.odometer).toBe(Math.floor(car.count));
		cluster.memory.flush(clock.now());
		expect(boot(name, flash).trip.odometer).toBe(cluster.trip.odometer);
		// The glitches were sent, reached the trip computer, and were counted there.
		expect(car.sent.odometer).toBeGreaterThan(0);
		expect(refused).toBeGreaterThan(0);
		expect(unconfirmed).toBeGreaterThan(0);
		if (name === "us")
			expect(infinities).toBe(4); // one MAX_VALUE mph frame read for one tick in each cut drive
		expect(flash.overwrites).toBe(0);
	}, 60000);
});
