import { describe, expect, test } from "vitest";
import { MAX_FUEL_RATE_LH, MAX_ODOMETER_KM, MAX_SPEED_KMH, CAR_ODOMETER_WAIT_MS, ODOMETER_STEP_KM, ODOMETER_TOLERANCE, STABLE_MS, STABLE_READINGS, TRIP_RECORD_MAGIC, Trip, TripComputer, TripMemory } from "../modules/cluster/trip.js";
import { RecordLog } from "../modules/storage/record-log.js";
import { SaveSchedule } from "../modules/storage/save-schedule.js";
import { FakeClock } from "./fixtures/clock.js";
import { FakeFlash, random } from "./fixtures/fake-flash.js";
import { caseCount } from "./support/fuzz.js";

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
		const clock = new FakeClock(), trip = restoredAt(12345);
		trip.update(clock.now(), 0, 12345);
		expect(trip.followingCar).toBe(true);
		drive(trip, clock, 3000, 0, { odometer: 0 }); // a module waking up
		expect(trip.odometer).toBe(12345);
		trip.update(clock.advance(100), 0, 12344.9);
		expect(trip.odometer).toBe(12345);
		trip.update(clock.advance(100), 0, 12345.1);
		expect(trip.odometer).toBe(12345.1);
		// Even a module sending 0 long enough to be taken as the car's odometer does not turn it back.
		drive(trip, clock, 60000, 0, { odometer: 0 });
		expect(trip.odometer).toBe(12345.1);
		drive(trip, clock, STABLE_MS + 1000, 0, { odometer: 12345.2 });
		expect(trip.odometer).toBe(12345.2);
	});
});

/** A trip computer restored from a record with odometer `km` (what TripMemory.start does after a restart). */
function restoredAt(km: number): TripComputer {
	const saved = new TripComputer(), record = new Uint8Array(TripComputer.RECORD_BYTES);
	saved.odometer = km;
	saved.serialize(record);
	const trip = new TripComputer();
	expect(trip.restore(record)).toBe(true);
	return trip;
}

/** Drives at `kmh` for `ms` with the car's odometer sent as a real car counts it from `start` (0.1 km steps, truncated), `glitch` replacing it while it returns a number. */
function driveFollowing(trip: TripComputer, clock: FakeClock, ms: number, kmh: number, start: number, glitch: (t: number) => number = () => NaN) {
	const t0 = clock.now();
	for (let t = 0; t < ms; t += TICK) {
		const now = clock.advance(TICK);
		const real = start + Math.floor((now - t0) / 3600000 * kmh * 10) / 10;
		const bad = glitch(now - t0);
		trip.update(now, kmh, bad === bad ? bad : real);
	}
}

describe("trip computer: only what a car can do", () => {
	test("speeds-no-car-can-reach-are-missing-and-counted", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 100);
		drive(trip, clock, 1000, 100);
		// One decoded glitch each: overflow, a 16-bit all-ones frame (655.35 km/h), a runaway scale.
		for (const glitch of [Infinity, -Infinity, 655.35, 1e308, -MAX_SPEED_KMH - 1])
			trip.update(clock.advance(TICK), glitch);
		trip.update(clock.advance(TICK), 100);
		// The glitches were a 300 ms dropout, bridged at 100 km/h like any other.
		expect(trip.odometer).toBeCloseTo(100 * 1.3 / 3600, 9);
		expect(trip.tripA.distance).toBeCloseTo(100 * 1.3 / 3600, 9);
		expect(trip.tripB.time).toBe(1300);
		expect(trip.refused).toBe(5);
		drive(trip, clock, 1000, NaN); // missing is not refused
		expect(trip.refused).toBe(5);
		trip.update(clock.advance(TICK), MAX_SPEED_KMH); // the limit itself is a speed
		expect(trip.refused).toBe(5);
	});

	test("odometer-readings-no-car-can-show-are-missing-and-counted", () => {
		const clock = new FakeClock(), trip = restoredAt(12345);
		trip.update(clock.now(), 0, 12345);
		// Overflow, below zero, a 24-bit all-ones frame in km: not an odometer, so not the car's.
		for (const glitch of [Infinity, -1, 16777215, MAX_ODOMETER_KM + 1, -Infinity]) {
			trip.update(clock.advance(TICK), 36, glitch);
			expect(trip.followingCar).toBe(false);
		}
		expect(trip.refused).toBe(5);
		expect(trip.unconfirmed).toBe(0);
		// Missing, the odometer went on from speed: 36 km/h (10 m/s) for 250 ms.
		expect(trip.odometer).toBeCloseTo(12345 + 0.0025 - 0.00025, 9);
		trip.update(clock.advance(TICK), 36, 12345);
		expect(trip.followingCar).toBe(true);
	});

	test("a-glitched-odometer-frame-is-never-followed", () => {
		// One frame of the car's odometer decoded wrong stays in the signal store
		// for one message period (here 500 ms); the odometer never goes back, so
		// following it even once would be for good.
		const clock = new FakeClock(), trip = restoredAt(48213.4);
		trip.update(clock.now(), 100, 48213.4);
		// A 24-bit all-ones frame at 0.1 km, a jump of 50 km, one 2.5 km ahead of the car.
		const glitches: Array<[number, (real: number) => number]> = [[20000, () => 1677721.5], [80000, () => 48213.4 + 50], [140000, real => real + 2.5]];
		let most = 0;
		driveFollowing(trip, clock, 180000, 100, 48213.4, t => {
			const real = 48213.4 + t / 36000;
			most = Math.max(most, trip.odometer - real);
			for (const [at, value] of glitches)
				if (t >= at && t < at + 500)
					return value(real);
			return NaN;
		});
		// Three minutes at 100 km/h: the car's 5 km, nothing of the glitches.
		expect(trip.odometer).toBe(48213.4 + 5);
		expect(most).toBeLessThan(0.01);
		expect(trip.followingCar).toBe(true);
		expect(trip.unconfirmed).toBe(3 * 500 / TICK);
	});

	test("a-car-odometer-that-disagrees-is-followed-once-it-holds-steady", () => {
		// A new cluster in a car with 48,213 km, or a car driven while the cluster was unplugged.
		const clock = new FakeClock(), fresh = new TripComputer();
		fresh.update(clock.now(), 0, 48213.4);
		drive(fresh, clock, STABLE_MS - TICK, 0, { odometer: 48213.4 });
		expect(fresh.odometer).toBe(0);
		expect(fresh.followingCar).toBe(false);
		drive(fresh, clock, TICK, 0, { odometer: 48213.4 });
		expect(fresh.odometer).toBe(48213.4);
		expect(fresh.followingCar).toBe(true);

		const moved = restoredAt(1000);
		moved.update(clock.now(), 60, 1500);
		drive(moved, clock, STABLE_MS - TICK, 60, { odometer: 1500 });
		expect(moved.odometer).toBeCloseTo(1000 + 60 * (STABLE_MS - TICK) / 3600000, 9); // from speed meanwhile
		drive(moved, clock, TICK, 60, { odometer: 1500 });
		expect(moved.odometer).toBe(1500);

		// Steady means over readings too, not one reading and a long wait.
		const rare = new TripComputer();
		for (let reading = 1; reading < STABLE_READINGS; reading++)
			rare.update(reading * STABLE_MS, 0, 777);
		expect(rare.followingCar).toBe(false);
		rare.update(STABLE_READINGS * STABLE_MS, 0, 777);
		expect(rare.odometer).toBe(777);
	});

	test("a-car-odometer-that-agrees-with-the-distance-driven-is-followed-at-once", () => {
		// After a restart the car reads what was saved; as it drives, each 1 km step is followed when it comes.
		const clock = new FakeClock(), trip = restoredAt(2000);
		trip.update(clock.now(), 100, 2000);
		expect(trip.followingCar).toBe(true);
		let sent = 2000;
		for (let t = 0; t < 3600000; t += TICK) {
			const now = clock.advance(TICK);
			sent = 2000 + Math.floor(now / 36000); // a whole-km count
			trip.update(now, 100, sent);
			if (!trip.followingCar)
				throw new Error(`not following at ${now} ms, car at ${sent}`);
		}
		expect(trip.odometer).toBe(2100);
		expect(trip.unconfirmed).toBe(0);
	});

	test("a-car-odometer-running-ahead-of-the-speed-is-not-followed", () => {
		// 10 % ahead of the distance driven and one count: beyond that the car did not drive it.
		const clock = new FakeClock(), trip = restoredAt(2000);
		trip.update(clock.now(), 100, 2000);
		drive(trip, clock, 36000, 100, { odometer: 2000 }); // 1 km from speed, the car's count lagging
		const most = 2000 + 1 * (1 + ODOMETER_TOLERANCE) + ODOMETER_STEP_KM;
		trip.update(clock.advance(TICK), 100, most + 0.01);
		expect(trip.followingCar).toBe(false);
		trip.update(clock.advance(TICK), 100, most - 0.01);
		expect(trip.followingCar).toBe(true);
	});

	test("fuel-rates-no-engine-burns-are-missing-and-counted", () => {
		const clock = new FakeClock(), trip = new TripComputer({ tankLiters: 50 });
		trip.update(clock.now(), 100, NaN, 6, 40);
		drive(trip, clock, 60000, 100, { fuelRate: 6, fuelLevel: 40 });
		trip.update(clock.advance(TICK), 100, NaN, Infinity, Infinity);
		expect(trip.range).toBeNaN(); // the level was missing for a moment, not infinite
		trip.update(clock.advance(TICK), 100, NaN, MAX_FUEL_RATE_LH + 1, 40);
		drive(trip, clock, 60000, 100, { fuelRate: 6, fuelLevel: 40 });
		// 120.1 s at 6 L/h but for the 150 ms without a fuel rate at both ends.
		expect(trip.tripA.fuel).toBeCloseTo(6 * (120100 - 150) / 3600000, 9);
		expect(Number.isFinite(trip.range)).toBe(true);
		expect(trip.refused).toBe(2);
	});
});

describe("trip computer: more", () => {
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
		expect(second.trip.tripB.moving).toBe(first.trip.tripB.moving);
		expect(second.trip.tripA.moving).toBeGreaterThan(0);
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

	test("a-parked-car-sending-its-odometer-writes-nothing", () => {
		const flash = new FakeFlash(8192, 4096);
		const before = memoryOn(flash);
		before.trip.odometer = 48213;
		before.trip.resetTrip(0);
		expect(before.memory.flush(0)).toBe(true);
		const clock = new FakeClock();
		const { trip, memory } = memoryOn(flash);
		for (let t = 0; t < 600000; t += 1000) {
			trip.update(clock.advance(1000), 0, 48213);
			expect(trip.takeChanged()).toBe(false); // the reading the odometer holds: no change
			memory.tick(clock.now());
		}
		expect(trip.followingCar).toBe(true);
		expect(memory.log.writes).toBe(0);
	});

	test("the-first-tick-is-not-a-stop: a-change-before-it-waits-its-interval", () => {
		const flash = new FakeFlash(8192, 4096);
		const { trip, memory } = memoryOn(flash, 10000);
		trip.resetTrip(0);
		expect(memory.flush(0)).toBe(true); // a trip reset, saved at once
		trip.resetTrip(1); // another, with the car asleep (no speed yet): no stop to save at
		expect(memory.tick(2500)).toBe(false); // past the urgent interval (2 s), not the interval
		expect(memory.tick(9999)).toBe(false);
		expect(memory.tick(10000)).toBe(true);
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
		expect(saves.at(-1)).toBeGreaterThan(55000); // at the stop, not the interval before it
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
		const CARS = caseCount(150);
		for (let car = 0; car < CARS; car++) {
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
		expect(cuts).toBe(10 * CARS);
	}, 60000);
});

describe("trip memory: never back to 0", () => {
	/** What firmware before the odometer checks could save after one Infinity frame: a record restore refuses. */
	function saveUnreadable(log: RecordLog, field = 8) {
		const record = new Uint8Array(TripComputer.RECORD_BYTES);
		new TripComputer().serialize(record);
		new DataView(record.buffer).setFloat64(field, Infinity, true);
		log.save(record);
	}

	test("a-record-the-trip-computer-refuses-falls-back-to-the-one-before", () => {
		const flash = new FakeFlash(8192, 4096);
		const clock = new FakeClock();
		const first = memoryOn(flash);
		first.trip.update(clock.now(), 90);
		drive(first.trip, clock, 60000, 90);
		first.memory.flush(clock.now());
		const good = first.trip.odometer;
		// 60 bad saves: more than the rest of the first block, so the good record's block is full and the log has entered the next.
		for (let i = 0; i < 60; i++)
			saveUnreadable(first.memory.log, 8 + 8 * (i % 9));
		const second = memoryOn(flash);
		expect(second.trip.odometer).toBe(good);
		expect(second.memory.log.refused).toBe(60);
		// Driving on saves above the refused records, so the next restart takes the new state, and the good record's block was kept until then.
		second.trip.update(clock.now(), 90);
		drive(second.trip, clock, 60000, 90);
		expect(second.memory.flush(clock.now())).toBe(true);
		const third = memoryOn(flash);
		expect(third.trip.odometer).toBe(second.trip.odometer);
		expect(third.trip.odometer).toBeCloseTo(good * 2, 9);
		expect(flash.overwrites).toBe(0);
	});

	test("only-unreadable-records-restore-nothing-and-are-superseded", () => {
		const flash = new FakeFlash(8192, 4096);
		const log = new RecordLog(flash, { magic: TRIP_RECORD_MAGIC, payloadBytes: TripComputer.RECORD_BYTES });
		log.load(new Uint8Array(TripComputer.RECORD_BYTES));
		saveUnreadable(log);
		const { trip, memory } = memoryOn(flash);
		expect(trip.odometer).toBe(0);
		expect(memory.log.refused).toBe(1);
		trip.odometer = 5;
		trip.resetTrip(0);
		memory.flush(0);
		expect(memoryOn(flash).trip.odometer).toBe(5);
	});

	test("a-state-that-could-not-be-restored-is-never-saved", () => {
		const flash = new FakeFlash(8192, 4096);
		const { trip, memory } = memoryOn(flash);
		trip.odometer = 1000;
		trip.resetTrip(0);
		expect(memory.flush(0)).toBe(true);
		for (const bad of [Infinity, -1, MAX_ODOMETER_KM * 2]) {
			trip.odometer = bad; // only code setting the field could do this: update refuses such readings
			trip.resetTrip(0);
			expect(memory.flush(0)).toBe(false);
		}
		expect(memory.failures).toBe(3);
		// NaN is an odometer not known yet: not saved either, and not a failure (nothing is wrong with the flash).
		trip.odometer = NaN;
		expect(memory.flush(0)).toBe(false);
		expect(memory.failures).toBe(3);
		expect(memory.log.writes).toBe(1);
		expect(memoryOn(flash).trip.odometer).toBe(1000);
	});
});

describe("the odometer is unknown, not 0, until it is known", () => {
	/** A first start (no record) in a car whose profile maps its own odometer. */
	function firstStart(flash = new FakeFlash(8192, 4096), intervalMs = 1000, restored = false) {
		const trip = new TripComputer({ carOdometer: true });
		const memory = new TripMemory(trip, new RecordLog(flash, { magic: TRIP_RECORD_MAGIC, payloadBytes: TripComputer.RECORD_BYTES }), new SaveSchedule({ intervalMs }));
		expect(memory.start()).toBe(restored);
		return { trip, memory, flash };
	}

	test("a-first-start-in-a-car-that-sends-its-odometer-is-unknown-until-the-cars-reading-is-followed", () => {
		const clock = new FakeClock(), { trip } = firstStart();
		expect(trip.odometer).toBeNaN();
		expect(trip.odometerKnown).toBe(false);
		trip.update(clock.now(), 100, 48213.4);
		drive(trip, clock, STABLE_MS - TICK, 100, { odometer: 48213.4 });
		// Not 0 km and the distance driven: unknown, while the glitch rule waits. The trips count.
		expect(trip.odometer).toBeNaN();
		expect(trip.odometerKnown).toBe(false);
		expect(trip.followingCar).toBe(false);
		expect(trip.tripA.distance).toBeCloseTo(100 * (STABLE_MS - TICK) / 3600000, 9);
		expect(trip.tripB.distance).toBe(trip.tripA.distance);
		drive(trip, clock, TICK, 100, { odometer: 48213.4 });
		// The car's reading is the truth, the distance meanwhile in it.
		expect(trip.odometer).toBe(48213.4);
		expect(trip.odometerKnown).toBe(true);
		expect(trip.followingCar).toBe(true);
		expect(trip.tripA.distance).toBeCloseTo(100 * STABLE_MS / 3600000, 9);
		driveFollowing(trip, clock, 36000, 100, 48213.4);
		expect(trip.odometer).toBe(48214.4);
	});

	test("a-module-waking-up-with-0-is-not-taken-for-the-unknown-odometer", () => {
		const clock = new FakeClock(), { trip } = firstStart();
		drive(trip, clock, 3000, 0, { odometer: 0 }); // the instrument module's first frames
		expect(trip.odometer).toBeNaN();
		// Its first real reading comes a tick after the last 0: steady STABLE_MS after that.
		drive(trip, clock, STABLE_MS, 0, { odometer: 48213.4 });
		expect(trip.odometer).toBeNaN();
		drive(trip, clock, TICK, 0, { odometer: 48213.4 });
		expect(trip.odometer).toBe(48213.4);
	});

	test("unknown-while-the-cars-odometer-does-not-arrive-and-after-it-goes-missing-known-integrates-on", () => {
		const clock = new FakeClock(), { trip } = firstStart();
		trip.update(clock.now(), 60);
		drive(trip, clock, 20000, 60);
		expect(trip.odometer).toBeNaN();
		expect(trip.tripA.distance).toBeCloseTo(1 / 3, 6);
		drive(trip, clock, STABLE_MS + TICK, 60, { odometer: 500 });
		expect(trip.odometer).toBe(500);
		drive(trip, clock, 60000, 60); // the odometer signal went missing: known now, it integrates
		expect(trip.odometer).toBeCloseTo(501, 6);
	});

	test("the-speed-lost-the-cars-odometer-still-counting-is-followed-step-by-step", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 0, 1000);
		drive(trip, clock, STABLE_MS + TICK, 0, { odometer: 1000 });
		expect(trip.odometer).toBe(1000);
		const unconfirmed = trip.unconfirmed; // the first reading's wait
		// The speed message is lost for three minutes; the car's count goes on a km a minute.
		for (let km = 1; km <= 3; km++) {
			drive(trip, clock, 60000, NaN, { odometer: 1000 + km });
			expect(trip.odometer).toBe(1000 + km);
		}
		expect(trip.unconfirmed).toBe(unconfirmed); // each step agrees with the one before
	});

	test("a-glitch-value-that-comes-back-much-later-starts-over", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 0, 1000);
		drive(trip, clock, STABLE_MS + TICK, 0, { odometer: 1000 });
		expect(trip.odometer).toBe(1000);
		drive(trip, clock, 3 * TICK, 0, { odometer: 5000 }); // three glitched frames
		drive(trip, clock, 20000, 0, { odometer: 1000 });
		drive(trip, clock, TICK, 0, { odometer: 5000 }); // once more, 20 s later: not held steady
		expect(trip.odometer).toBe(1000);
		expect(trip.followingCar).toBe(false);
	});

	test("a-car-that-never-sends-its-odometer-integrates-from-0-after-30-s-awake-and-a-later-reading-is-followed-by-the-glitch-rule", () => {
		expect(CAR_ODOMETER_WAIT_MS).toBe(30000);
		const clock = new FakeClock(), { trip } = firstStart();
		trip.update(clock.now(), 60);
		drive(trip, clock, CAR_ODOMETER_WAIT_MS - TICK, 60);
		expect(trip.odometer).toBeNaN();
		drive(trip, clock, TICK, 60);
		// A car without an odometer of its own: from 0, the half km driven meanwhile in it, as in trip A.
		expect(trip.odometerKnown).toBe(true);
		expect(trip.odometer).toBeCloseTo(0.5, 9);
		expect(trip.odometer).toBe(trip.tripA.distance);
		drive(trip, clock, 60000, 60);
		expect(trip.odometer).toBeCloseTo(1.5, 9);
		// The car's reading turns up: not in agreement with 1.5 km, so followed once it has held steady.
		drive(trip, clock, STABLE_MS, 60, { odometer: 48213 });
		expect(trip.odometer).toBeCloseTo(1.5 + 1 / 6, 9);
		drive(trip, clock, TICK, 60, { odometer: 48213 });
		expect(trip.odometer).toBe(48213);
		expect(trip.followingCar).toBe(true);
		// A glitch after that is refused as for any car.
		drive(trip, clock, 1000, 60, { odometer: 16777215 });
		expect(trip.odometer).toBeCloseTo(48213 + 1 / 60, 9);
	});

	test("the-wait-counts-time-awake-a-sleeping-car-tells-nothing", () => {
		const clock = new FakeClock(), { trip } = firstStart();
		drive(trip, clock, 120000, NaN); // ignition off: no speed, no odometer
		expect(trip.odometer).toBeNaN();
		trip.update(clock.now(), 0);
		trip.update(clock.advance(60000), 0); // longer than maxGapMs: not awake all along
		expect(trip.odometer).toBeNaN();
		drive(trip, clock, CAR_ODOMETER_WAIT_MS - TICK, 0); // idling, awake
		expect(trip.odometer).toBeNaN();
		drive(trip, clock, TICK, 0);
		expect(trip.odometer).toBe(0);
		expect(trip.tripA.time).toBe(CAR_ODOMETER_WAIT_MS);
	});

	test("a-reading-followed-before-the-bound-ends-the-wait", () => {
		const clock = new FakeClock(), { trip } = firstStart();
		trip.update(clock.now(), 60);
		drive(trip, clock, 15000, 60);
		drive(trip, clock, STABLE_MS + TICK, 60, { odometer: 500 });
		expect(trip.odometer).toBe(500);
		// Past the bound: the car's reading stays, not the distance driven since the start.
		drive(trip, clock, 60000, 60, { odometer: 500 });
		expect(trip.odometer).toBe(500);
		drive(trip, clock, 60000, 60);
		expect(trip.odometer).toBeCloseTo(501, 6);
	});

	test("the-car-saying-it-has-no-odometer-ends-the-wait-at-once-even-standing-and-it-is-saved-with-the-trips", () => {
		let refused = false, asked = 0;
		const flash = new FakeFlash(8192, 4096);
		const trip = new TripComputer({ carOdometer: true, carOdometerRefused: () => (asked++, refused) });
		const memory = new TripMemory(trip, new RecordLog(flash, { magic: TRIP_RECORD_MAGIC, payloadBytes: TripComputer.RECORD_BYTES }), new SaveSchedule({ intervalMs: 1000 }));
		memory.start();
		const clock = new FakeClock();
		trip.update(clock.now(), 0);
		drive(trip, clock, 5000, 0); // standing, engine running: the OBD-II poller discovering
		expect(trip.odometer).toBeNaN();
		expect(asked).toBe(101);
		expect(memory.flush(clock.now())).toBe(false); // nothing driven: nothing to save
		refused = true; // discovery over: the ECU does not support the odometer's PID
		drive(trip, clock, TICK, 0);
		expect(trip.odometer).toBe(0);
		expect(trip.tripA.time).toBe(5050);
		expect(memory.flush(clock.now())).toBe(true); // known now: a change worth saving, with the time awake
		// Known now: not asked again, saved as a car without an odometer would be.
		drive(trip, clock, 36000, 100);
		expect(asked).toBe(102);
		const km = 1 - 100 / 2 * TICK / 3600000; // from standing: the first tick's trapezoid
		expect(trip.odometer).toBeCloseTo(km, 9);
		expect(memory.flush(clock.now())).toBe(true);
		const again = new TripComputer({ carOdometer: true });
		expect(TripMemory.on(again, flash).start()).toBe(true);
		expect(again.odometer).toBeCloseTo(km, 9);
		expect(again.tripA.time).toBe(41050);
	});

	test("a-car-that-never-sends-its-odometer-saves-its-trips-after-the-bound-and-a-power-cut-keeps-them", () => {
		const clock = new FakeClock(), { trip, memory, flash } = firstStart();
		trip.update(clock.now(), 100);
		let firstWrite = NaN;
		for (let t = 0; t < 60000; t += TICK) {
			trip.update(clock.advance(TICK), 100);
			if (memory.tick(clock.now()) && firstWrite !== firstWrite)
				firstWrite = clock.now();
		}
		// Nothing before the bound (unknown), saved at the first tick after it (pending since the first km).
		expect(firstWrite).toBe(CAR_ODOMETER_WAIT_MS);
		expect(memory.log.writes).toBeGreaterThan(1);
		// The power goes: the trips and the odometer come back.
		const again = firstStart(flash, 1000, true).trip;
		expect(again.odometer).toBeCloseTo(100 * 60 / 3600, 2);
		expect(again.tripA.distance).toBe(again.odometer);
	});

	test("without-the-cars-odometer-a-first-start-integrates-from-0-as-before", () => {
		for (const trip of [new TripComputer(), new TripComputer({ carOdometer: false })]) {
			expect(trip.odometer).toBe(0);
			expect(trip.odometerKnown).toBe(true);
			const clock = new FakeClock();
			trip.update(clock.now(), 100);
			drive(trip, clock, 36000, 100);
			expect(trip.odometer).toBeCloseTo(1, 6);
		}
	});

	test("a-restored-record-is-known-at-once-in-a-car-that-sends-its-odometer", () => {
		const flash = new FakeFlash(8192, 4096), before = memoryOn(flash);
		before.trip.odometer = 48213;
		before.trip.resetTrip(0);
		expect(before.memory.flush(0)).toBe(true);
		const trip = new TripComputer({ carOdometer: true });
		expect(new TripMemory(trip, new RecordLog(flash, { magic: TRIP_RECORD_MAGIC, payloadBytes: TripComputer.RECORD_BYTES }), new SaveSchedule({ intervalMs: 1000 })).start()).toBe(true);
		expect(trip.odometer).toBe(48213);
		expect(trip.odometerKnown).toBe(true);
		trip.update(0, 0, 48213.4);
		expect(trip.followingCar).toBe(true);
		expect(trip.odometer).toBe(48213.4);
	});

	test("nothing-is-saved-while-unknown-so-a-power-cut-cannot-restore-0", () => {
		const clock = new FakeClock(), { trip, memory, flash } = firstStart();
		trip.update(clock.now(), 100, 48213.4);
		for (let t = 0; t < STABLE_MS - TICK; t += TICK) {
			trip.update(clock.advance(TICK), 100, 48213.4);
			memory.tick(clock.now());
		}
		trip.resetTrip(1);
		expect(memory.flush(clock.now())).toBe(false);
		expect(memory.log.writes).toBe(0);
		expect(memory.failures).toBe(0); // nothing went wrong: there is nothing to save yet
		expect(memory.schedule.pending).toBe(true);
		// The power goes now: the next start is a first start again, unknown, not 0.
		expect(firstStart(flash).trip.odometer).toBeNaN();
		// It stays on instead: followed, the car's reading and the trips driven meanwhile are saved at the next tick.
		trip.update(clock.advance(TICK), 100, 48213.4);
		expect(memory.tick(clock.now())).toBe(true);
		const again = new TripComputer({ carOdometer: true });
		expect(TripMemory.on(again, flash).start()).toBe(true);
		expect(again.odometer).toBe(48213.4);
		expect(again.tripA.distance).toBeCloseTo(100 * STABLE_MS / 3600000, 9);
	});
});

describe("trip computer: the rules in numbers", () => {
	test("average-speed-is-distance-over-the-time-awake", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 100);
		drive(trip, clock, 1800000, 100); // half an hour at 100 km/h
		expect(trip.tripA.averageSpeed).toBeCloseTo(100, 6);
		drive(trip, clock, 1800000, 0); // and half an hour standing, awake
		expect(trip.tripA.averageSpeed).toBeCloseTo(50, 2); // but for the tick slowing from 100 to 0
	});

	test("economy-needs-a-tenth-of-a-km-and-some-fuel", () => {
		const trip = new Trip();
		trip.distance = 0.1;
		trip.fuel = 0.01;
		expect(trip.economy).toBeCloseTo(10, 9); // L/100 km
		trip.distance = 0.0999;
		expect(trip.economy).toBeNaN();
		trip.distance = 1;
		trip.fuel = 0;
		expect(trip.economy).toBeNaN(); // no fuel data is not 0 L/100 km
		trip.fuel = 0.05;
		expect(trip.economy).toBeCloseTo(5, 9);
	});

	test("the-physical-limits-themselves-are-accepted", () => {
		const clock = new FakeClock(), trip = new TripComputer({ tankLiters: 50 });
		trip.update(clock.now(), MAX_SPEED_KMH, MAX_ODOMETER_KM, MAX_FUEL_RATE_LH, 100);
		trip.update(clock.advance(TICK), -MAX_SPEED_KMH, 0, -MAX_FUEL_RATE_LH, 0);
		expect(trip.refused).toBe(0);
		expect(trip.fuelRemaining).toBe(0);
		trip.update(clock.advance(TICK), 0, NaN, 0, 100);
		expect(trip.fuelRemaining).toBe(50);
		trip.update(clock.advance(TICK), 0, NaN, 0, 100.5); // a level above full is not a level
		expect(trip.fuelRemaining).toBeNaN();
		trip.update(clock.advance(TICK), 0, NaN, 0, -0.5);
		expect(trip.fuelRemaining).toBeNaN();
		trip.update(clock.advance(TICK), -MAX_SPEED_KMH - 0.01, -0.01, -MAX_FUEL_RATE_LH - 0.01);
		expect(trip.refused).toBe(3);
	});

	test("a-gap-of-exactly-maxGapMs-is-bridged-and-a-clock-going-back-adds-nothing", () => {
		const trip = new TripComputer();
		trip.update(0, 36);
		trip.update(trip.maxGapMs, 36); // 10 m/s for 5 s
		expect(trip.odometer).toBeCloseTo(0.05, 9);
		expect(trip.tripA.time).toBe(trip.maxGapMs);
		trip.update(1000, 36); // the display clock stepped back
		expect(trip.odometer).toBeCloseTo(0.05, 9);
		expect(trip.tripA.time).toBe(trip.maxGapMs);
	});

	test("time-moving-counts-from-1-kmh", () => {
		const clock = new FakeClock(), trip = new TripComputer();
		trip.update(clock.now(), 0.9);
		drive(trip, clock, 10000, 0.9);
		expect(trip.moving).toBe(false);
		expect(trip.tripA.moving).toBe(0);
		drive(trip, clock, 10000, 1);
		expect(trip.moving).toBe(true);
		expect(trip.tripA.moving).toBe(10000);
		expect(trip.tripA.time).toBe(20000);
	});

	test("a-car-odometer-is-followed-within-one-count-of-what-it-showed", () => {
		for (const [reading, followed] of [[2000 - ODOMETER_STEP_KM, true], [2000 + ODOMETER_STEP_KM, true], [2000 - ODOMETER_STEP_KM - 0.01, false], [2000 + ODOMETER_STEP_KM + 0.01, false]] as const) {
			const trip = restoredAt(2000);
			trip.update(0, 0, reading);
			expect(trip.followingCar, `${reading}`).toBe(followed);
		}
	});

	test("a-car-odometer-that-stops-counting-while-the-car-drives-is-not-followed", () => {
		// Its frames still come, with the same count: the car drives on, so it is not the car's odometer any more.
		const clock = new FakeClock(), trip = restoredAt(2000);
		trip.update(clock.now(), 100, 2000);
		const lag = ODOMETER_STEP_KM / (1 - ODOMETER_TOLERANCE); // km driven before the count is too far behind
		drive(trip, clock, lag * 36000 - 1000, 100, { odometer: 2000 });
		expect(trip.followingCar).toBe(true);
		expect(trip.odometer).toBe(2000); // the car's record, not the integrated distance
		drive(trip, clock, 3000, 100, { odometer: 2000 });
		expect(trip.followingCar).toBe(false);
		expect(trip.odometer).toBeGreaterThan(2000); // the distance driven counts again
	});

	test("an-odometer-taken-from-the-car-while-parked-is-saved", () => {
		// The car was driven while the cluster was unplugged: standing still now, the new figure is still worth a save.
		const flash = new FakeFlash(8192, 4096);
		const { trip, memory } = memoryOn(flash, 10000);
		trip.odometer = 1000;
		trip.resetTrip(0);
		memory.flush(0);
		const again = memoryOn(flash, 10000);
		const clock = new FakeClock();
		for (let t = 0; t < STABLE_MS + 20000; t += TICK) {
			again.trip.update(clock.advance(TICK), 0, 1500);
			again.memory.tick(clock.now());
		}
		expect(again.trip.odometer).toBe(1500);
		expect(memoryOn(flash).trip.odometer).toBe(1500);
	});

	test("resetting-trip-b-keeps-trip-a-and-range-falls-back-to-trip-a", () => {
		const clock = new FakeClock(), trip = new TripComputer({ tankLiters: 50 });
		trip.update(clock.now(), 100, NaN, 8, 50);
		drive(trip, clock, 360000, 100, { fuelRate: 8, fuelLevel: 50 }); // 10 km at 8 L/100 km
		trip.resetTrip(1);
		expect(trip.tripB.distance).toBe(0);
		expect(trip.tripA.distance).toBeCloseTo(10, 6);
		expect(trip.range).toBeCloseTo(25 / 8 * 100, 3); // trip B has no economy yet: trip A's
	});

	test("range-takes-trip-bs-economy-when-it-has-one", () => {
		const clock = new FakeClock(), trip = new TripComputer({ tankLiters: 50 });
		trip.update(clock.now(), 100, NaN, 8, 50);
		drive(trip, clock, 360000, 100, { fuelRate: 8, fuelLevel: 50 }); // 10 km at 8 L/100 km
		trip.resetTrip(0);
		drive(trip, clock, 360000, 100, { fuelRate: 4, fuelLevel: 50 }); // 10 km more at 4 L/100 km
		expect(trip.tripA.economy).toBeCloseTo(4, 2);
		expect(trip.tripB.economy).toBeCloseTo(6, 2);
		expect(trip.range).toBeCloseTo(25 / trip.tripB.economy * 100, 6); // the long-term trip's, not trip A's
	});

	test("a-fresh-computer-follows-nothing", () => {
		expect(new TripComputer().followingCar).toBe(false);
	});

	test("records-of-another-version-or-beyond-the-limits-are-not-read", () => {
		const record = new Uint8Array(TripComputer.RECORD_BYTES);
		const trip = new TripComputer();
		trip.odometer = MAX_ODOMETER_KM;
		trip.serialize(record);
		expect(TripComputer.readable(record)).toBe(true);
		const view = new DataView(record.buffer);
		view.setFloat64(0, TripComputer.RECORD_VERSION + 1, true);
		expect(TripComputer.readable(record)).toBe(false);
		expect(new TripComputer().restore(record)).toBe(false);
		view.setFloat64(0, TripComputer.RECORD_VERSION, true);
		view.setFloat64(8, MAX_ODOMETER_KM + 1, true);
		expect(TripComputer.readable(record)).toBe(false);
	});
});

describe("trip memory: rules in numbers", () => {
	test("a-log-of-another-record-size-is-refused", () => {
		const log = new RecordLog(new FakeFlash(8192, 4096), { magic: TRIP_RECORD_MAGIC, payloadBytes: 40 });
		expect(() => new TripMemory(new TripComputer(), log, new SaveSchedule({ intervalMs: 1000 }))).toThrow(`trip log records must be ${TripComputer.RECORD_BYTES} bytes`);
	});

	test("flush-with-nothing-changed-writes-nothing", () => {
		const flash = new FakeFlash(8192, 4096);
		const { memory } = memoryOn(flash);
		expect(memory.flush(0)).toBe(false);
		expect(memory.log.writes).toBe(0);
	});

	test("a-failed-save-says-so-and-is-tried-again-exactly-RETRY_MS-later", () => {
		class BrokenFlash extends FakeFlash {
			attempts = 0;
			override write(): void {
				this.attempts++;
				throw new Error("flash write failed");
			}
		}
		const flash = new BrokenFlash(8192, 4096);
		const { trip, memory } = memoryOn(flash, 1000);
		trip.update(0, 90);
		trip.update(100, 90);
		expect(memory.tick(100)).toBe(false); // due at once (nothing saved yet), and it failed
		expect(flash.attempts).toBe(1);
		expect(memory.tick(100 + TripMemory.RETRY_MS - 1)).toBe(false);
		expect(flash.attempts).toBe(1);
		memory.tick(100 + TripMemory.RETRY_MS);
		expect(flash.attempts).toBe(2);
	});

	test("a-state-that-would-not-restore-is-retried-RETRY_MS-later-not-every-frame", () => {
		const flash = new FakeFlash(8192, 4096);
		const { trip, memory } = memoryOn(flash, 1000);
		trip.odometer = Infinity;
		trip.resetTrip(0);
		for (let t = 0; t < 15000; t += TICK)
			memory.tick(t);
		expect(memory.failures).toBe(2);
		expect(memory.log.writes).toBe(0);
	});
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
