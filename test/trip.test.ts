import { describe, expect, test } from "vitest";
import { TRIP_RECORD_MAGIC, TripComputer, TripMemory } from "../modules/cluster/trip.js";
import { RecordLog } from "../modules/storage/record-log.js";
import { SaveSchedule } from "../modules/storage/save-schedule.js";
import { FakeClock } from "./fixtures/clock.js";
import { FakeFlash, random } from "./fixtures/fake-flash.js";

const TICK = 50; // display clock, ms

function drive(trip: TripComputer, clock: FakeClock, ms: number, speed: number | ((t: number) => number), extra: { odometer?: number; fuelRate?: number; fuelLevel?: number } = {}) {
	for (let t = 0; t < ms; t += TICK) {
		const v = typeof speed === "number" ? speed : speed(clock.now());
		trip.update(clock.advance(TICK), v, extra.odometer ?? NaN, extra.fuelRate ?? NaN, extra.fuelLevel ?? NaN);
	}
}

function memoryOn(flash: FakeFlash, intervalMs = 10000) {
	const trip = new TripComputer({ tankLiters: 50 });
	const log = new RecordLog(flash, { magic: TRIP_RECORD_MAGIC, payloadBytes: TripComputer.RECORD_BYTES });
	const memory = new TripMemory(trip, log, new SaveSchedule({ intervalMs }));
	memory.start();
	return { trip, memory };
}

describe("trip computer", () => {
	test("an-hour-at-100-kmh-is-100-km-on-odometer-and-both-trips", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 100);
		drive(trip, clock, 3600000, 100);
		expect(trip.odometer).toBeCloseTo(100, 6);
		expect(trip.tripA.distance).toBeCloseTo(100, 6);
		expect(trip.tripB.distance).toBeCloseTo(100, 6);
		expect(trip.tripA.averageSpeed).toBeCloseTo(100, 6);
		expect(trip.tripA.time).toBe(3600000);
	});

	test("a-short-dropout-is-bridged-and-a-long-gap-adds-nothing", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 100);
		drive(trip, clock, 3000, NaN); // the ABS message dropped out for 3 s
		trip.update(clock.advance(TICK), 100);
		expect(trip.odometer).toBeCloseTo(100 * 3.05 / 3600, 9);
		expect(trip.tripA.time).toBe(3050);
		drive(trip, clock, 6000, NaN); // longer than maxGapMs: unknown
		trip.update(clock.advance(TICK), 100);
		expect(trip.odometer).toBeCloseTo(100 * 3.05 / 3600, 9);
	});

	test("missing-speed-and-long-gaps-add-no-distance-and-no-time", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		drive(trip, clock, 10000, NaN);
		expect(trip.odometer).toBe(0);
		expect(trip.tripA.time).toBe(0);
		trip.update(clock.now(), 50);
		trip.update(clock.advance(60000), 50); // the app was suspended for a minute
		expect(trip.odometer).toBe(0);
		trip.update(clock.advance(1000), 50);
		expect(trip.odometer).toBeCloseTo(50 / 3600, 9);
	});

	test("acceleration-integrates-as-trapezoids", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 0);
		trip.update(clock.advance(1000), 36); // 0 to 36 km/h (10 m/s) in 1 s: 5 m
		expect(trip.odometer * 1000).toBeCloseTo(5, 9);
	});

	test("the-odometer-follows-the-cars-own-when-mapped", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 60, 12345);
		drive(trip, clock, 60000, 60, { odometer: 12345 });
		expect(trip.odometer).toBe(12345);
		expect(trip.followingCar).toBe(true);
		expect(trip.tripA.distance).toBeCloseTo(1, 6); // trips still integrate speed
		drive(trip, clock, 60000, 60); // the odometer signal went missing
		expect(trip.followingCar).toBe(false);
		expect(trip.odometer).toBeCloseTo(12346, 6);
	});

	test("the-odometer-never-follows-the-car-backwards", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 0, 12345);
		trip.update(clock.advance(100), 0, 0); // a module waking up
		expect(trip.odometer).toBe(12345);
		trip.update(clock.advance(100), 0, 12344.9);
		expect(trip.odometer).toBe(12345);
		trip.update(clock.advance(100), 0, 12345.1);
		expect(trip.odometer).toBe(12345.1);
	});

	test("economy-and-range-come-from-fuel-rate-and-level", () => {
		const clock = new FakeClock(), trip = new TripComputer({ tankLiters: 50 });
		trip.update(clock.now(), 100, NaN, 6, 40);
		drive(trip, clock, 3600000, 100, { fuelRate: 6, fuelLevel: 40 }); // 6 L/h at 100 km/h
		expect(trip.tripA.fuel).toBeCloseTo(6, 6);
		expect(trip.tripA.economy).toBeCloseTo(6, 6); // L/100 km
		expect(trip.fuelRemaining).toBeCloseTo(20, 9);
		expect(trip.range).toBeCloseTo(20 / 6 * 100, 4);
		const noTank = new TripComputer();
		noTank.update(0, 100, NaN, 6, 40);
		noTank.update(1000, 100, NaN, 6, 40);
		expect(noTank.range).toBeNaN();
	});

	test("resetting-trip-a-keeps-trip-b-and-the-odometer", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 80);
		drive(trip, clock, 45000, 80);
		trip.resetTrip(0);
		expect(trip.tripA.distance).toBe(0);
		expect(trip.tripA.averageSpeed).toBeNaN();
		expect(trip.tripB.distance).toBeCloseTo(1, 6);
		expect(trip.odometer).toBeCloseTo(1, 6);
	});
});

describe("trip memory", () => {
	test("odometer-and-trips-survive-a-restart", () => {
		const flash = new FakeFlash(8192, 4096);
		const clock = new FakeClock();
		const first = memoryOn(flash);
		first.trip.update(clock.now(), 90);
		for (let t = 0; t < 120000; t += TICK) {
			first.trip.update(clock.advance(TICK), 90, NaN, 5);
			first.memory.tick(clock.now());
		}
		first.memory.flush(clock.now());
		const second = memoryOn(flash);
		expect(second.trip.odometer).toBe(first.trip.odometer);
		expect(second.trip.tripA.distance).toBe(first.trip.tripA.distance);
		expect(second.trip.tripB.fuel).toBe(first.trip.tripB.fuel);
		expect(second.trip.tripA.time).toBe(first.trip.tripA.time);
	});

	test("a-failing-flash-is-retried-after-a-pause-not-every-frame", () => {
		class BrokenFlash extends FakeFlash {
			attempts = 0;
			override write(): void {
				this.attempts++;
				throw new Error("flash write failed");
			}
		}
		const flash = new BrokenFlash(8192, 4096);
		const clock = new FakeClock();
		const { trip, memory } = memoryOn(flash, 1000);
		trip.update(clock.now(), 90);
		for (let t = 0; t < 15000; t += TICK) {
			trip.update(clock.advance(TICK), 90);
			memory.tick(clock.now());
		}
		// Due after 1 s, then one try every RETRY_MS: 2 tries in 15 s, not 400.
		expect(memory.failures).toBe(2);
		expect(flash.attempts).toBe(2);
	});

	test("parked-car-writes-nothing", () => {
		const flash = new FakeFlash(8192, 4096);
		const clock = new FakeClock();
		const { trip, memory } = memoryOn(flash);
		for (let t = 0; t < 600000; t += 1000) {
			trip.update(clock.advance(1000), 0);
			memory.tick(clock.now());
		}
		expect(memory.log.writes).toBe(0);
	});

	test("saves-are-an-interval-apart-while-driving-and-at-a-stop", () => {
		const flash = new FakeFlash(8192, 4096);
		const clock = new FakeClock();
		const { trip, memory } = memoryOn(flash, 10000);
		const saves: number[] = [];
		trip.update(clock.now(), 50);
		for (let t = 0; t < 60000; t += TICK) {
			trip.update(clock.advance(TICK), t < 55000 ? 50 : 0);
			if (memory.tick(clock.now()))
				saves.push(clock.now());
		}
		// Regular saves while driving, and one soon after stopping rather than up to 10 s later.
		expect(saves.slice(0, 5)).toEqual([50, 10050, 20050, 30050, 40050]);
		expect(saves.at(-1)).toBeLessThanOrEqual(55000 + TICK);
	});

	test("the-car-going-quiet-while-rolling-saves-at-once", () => {
		// Ignition off (or the bus lost) while still rolling: the speed stops
		// coming, there is no stop to save at, and the cluster may lose power
		// any moment. The save comes when the car is declared asleep, not an
		// interval later.
		const flash = new FakeFlash(8192, 4096);
		const clock = new FakeClock();
		const { trip, memory } = memoryOn(flash, 60000);
		trip.update(clock.now(), 30);
		const saves: number[] = [];
		for (let t = 0; t < 20000; t += TICK) {
			trip.update(clock.advance(TICK), t < 8000 ? 30 : NaN);
			if (memory.tick(clock.now()))
				saves.push(clock.now());
		}
		expect(trip.awake(clock.now())).toBe(false);
		// The first save of a fresh log comes at once; the next one when the speed has been gone for maxGapMs.
		expect(saves).toEqual([50, 8000 + trip.maxGapMs + TICK]);
		const again = memoryOn(flash);
		expect(again.trip.odometer).toBeCloseTo(trip.odometer, 9);
	});

	test("power-cut-while-driving-loses-at-most-one-save-interval", () => {
		// 150 cars, each losing power 10 times at a random byte while saving.
		// After each cut the restored odometer is one the trip computer really
		// had, no newer than the cut and no older than one interval before it.
		const rand = random(7);
		const INTERVAL = 10000, STEP = 200;
		let cuts = 0;
		for (let car = 0; car < 150; car++) {
			const flash = new FakeFlash(8192, 4096, car + 100);
			const clock = new FakeClock(1000);
			let { trip, memory } = memoryOn(flash, INTERVAL);
			for (let cut = 0; cut < 10; cut++) {
				const history: Array<[number, number]> = [[clock.now(), trip.odometer]];
				const speed = 20 + rand() * 130;
				const cutsBefore = flash.cutsInErase + flash.cutsInWrite;
				flash.cutAfter(Math.floor(rand() * 2 * 4096));
				trip.update(clock.now(), speed);
				// Drive until the cut strikes during some save.
				while (flash.cutsInErase + flash.cutsInWrite === cutsBefore) {
					trip.update(clock.advance(STEP), speed);
					history.push([clock.now(), trip.odometer]);
					memory.tick(clock.now());
				}
				const cutAt = clock.now(), odometerAtCut = trip.odometer;
				flash.restore();
				// Reboot: new objects over the same flash; the display clock restarts too.
				({ trip, memory } = memoryOn(flash, INTERVAL));
				const restored = trip.odometer;
				expect(restored).toBeLessThanOrEqual(odometerAtCut);
				// What the car had one interval (plus the tick that triggered the save) before the cut.
				const window = history.filter(([time]) => time <= cutAt - INTERVAL - STEP);
				const oldestAllowed = (window.at(-1) ?? history[0])[1];
				expect(restored).toBeGreaterThanOrEqual(oldestAllowed);
				// Exactly a value the computer held, not a blend.
				expect(history.some(([, odometer]) => odometer === restored)).toBe(true);
				clock.advance(5000);
				cuts++;
			}
			expect(flash.overwrites).toBe(0);
		}
		expect(cuts).toBe(1500);
	}, 60000);
});

describe("trip memory on a flash region", () => {
	test("the-save-interval-is-stretched-to-what-the-flash-can-sustain", () => {
		const trip = new TripComputer();
		// 80-byte records in 96-byte slots: 42 per 4 KiB block. Two blocks, 84 saves per
		// erase round: 20,000 h x 3.6e6 ms / (84 x 100,000 cycles) = 8.6 s at least.
		expect(TripMemory.on(trip, new FakeFlash(8192, 4096)).schedule.intervalMs).toBe(15000);
		expect(TripMemory.on(trip, new FakeFlash(8192, 4096), { intervalMs: 1000 }).schedule.intervalMs).toBe(8572);
		expect(TripMemory.on(trip, new FakeFlash(8 * 4096, 4096), { intervalMs: 1000 }).schedule.intervalMs).toBe(2143);
	});

	test("saving-before-loading-never-erases-the-newest-record", () => {
		const flash = new FakeFlash(8192, 4096);
		const first = TripMemory.on(new TripComputer(), flash);
		first.start();
		first.trip.odometer = 1234;
		first.trip.resetTrip(0);
		first.flush(0);
		const careless = TripMemory.on(new TripComputer(), flash); // no start()
		careless.trip.odometer = 1;
		careless.trip.resetTrip(0);
		careless.flush(0);
		expect(careless.log.sequence).toBe(2); // appended after the first record, not over it
	});
});
