/*
 * Trip computer and odometer: distance, time, fuel, average speed, economy and
 * range, kept across power loss.
 *
 * `TripComputer` integrates speed over the display clock (trapezoids between
 * updates) into the odometer and trips A and B. When the vehicle profile maps
 * the car's own odometer, the cluster odometer follows it (the car is the
 * legal record); trips still integrate speed, which is finer than the car's
 * 1 km odometer steps. Such a car's odometer is unknown (NaN) on a first
 * start, until the car's reading is followed: the cluster shows `--`,
 * telemetry sends null and nothing is saved, where a 0 integrated meanwhile
 * would have been shown, sent (a drop to Home Assistant) and, after a power
 * cut, restored. The trips count all along and are saved once it is known.
 * It stops waiting when the car will not tell: the car says it does not send
 * it (`carOdometerRefused`: the OBD-II ECU does not support the PID), or its
 * reading has not been followed after CAR_ODOMETER_WAIT_MS awake. Then it is
 * the odometer of a car without one: integrated from 0 (the distance driven
 * meanwhile in it), shown, sent and saved, trips too; a reading that turns up
 * later is followed by the glitch rule below. A short gap in the speed data
 * (a dropped message, up to `maxGapMs`) is bridged by a trapezoid from the
 * last speed before it to the first after it, as the car kept moving; a
 * longer one (ignition off, a suspended app) adds no distance and no time:
 * unknown is not driving.
 * `TripMemory` keeps it all in a RecordLog.
 *
 * The odometer only moves as a car can (DESIGN.md, safety of what is shown):
 * a speed, odometer or fuel reading that is not finite or not physically
 * possible is counted in `refused` and taken as missing; a car's odometer
 * reading is followed only when it agrees with the distance integrated from
 * speed since the car's last accepted reading (`agrees`), or once it has held
 * steady for STABLE_MS over STABLE_READINGS readings (a module replaced, the
 * car moved while the cluster was off). One glitched frame lasts one message
 * period in the signal store, so it is never followed and, since the
 * odometer never goes backwards, could not be undone if it were.
 *
 * Runs on XS and Node. `update` does not allocate; `TripMemory.tick` writes
 * flash seconds apart (what `FlashRegion.read` allocates, for read-back).
 */
import type { FlashRegion } from "../storage/flash.js";
import { RecordLog, wearLimitedIntervalMs } from "../storage/record-log.js";
import { SaveSchedule } from "../storage/save-schedule.js";
import { Quantity, type QuantityReader } from "./quantity.js";

/** What the trip computer reads: quantities in canonical units (ProfileInputs, a test's fake). */
export type TripReader = Pick<QuantityReader, "read">;

export class Trip {
	/** km. */
	distance = 0;
	/** ms with the car awake (speed known). */
	time = 0;
	/** ms moving (speed above 1 km/h). */
	moving = 0;
	/** L, from the fuel rate. */
	fuel = 0;

	reset(): void {
		this.distance = 0;
		this.time = 0;
		this.moving = 0;
		this.fuel = 0;
	}

	/** km/h over the time the car was awake, NaN before any. */
	get averageSpeed(): number {
		return this.time > 0 ? this.distance / (this.time / 3600000) : NaN;
	}

	/** L/100 km, NaN below 0.1 km or without fuel data. */
	get economy(): number {
		return this.distance >= 0.1 && this.fuel > 0 ? this.fuel / this.distance * 100 : NaN;
	}
}

export interface TripOptions {
	/** Longest gap between two known speeds that is integrated, ms; a longer one adds nothing. Default 5000. */
	maxGapMs?: number;
	/** Usable tank volume, L; range needs it with fuel level. */
	tankLiters?: number;
	/**
	 * The profile maps the car's own odometer: until a record is restored,
	 * the car's reading is followed or the car will not tell
	 * (`carOdometerRefused`, CAR_ODOMETER_WAIT_MS), the odometer is unknown
	 * (NaN), not 0. Default false: integrated from 0 on a first start.
	 */
	carOdometer?: boolean;
	/**
	 * With `carOdometer`: true once the car has said it will not send its
	 * odometer (the OBD-II poller learned that the ECU does not support the
	 * PID). Asked on each update while the odometer is unknown; the wait ends
	 * at once. No allocation, please: it runs on the display clock.
	 */
	carOdometerRefused?: () => boolean;
}

/** Speeds below this count as standing still for `moving`, km/h. */
const MOVING_KMH = 1;
/** Faster than any road car (the fastest production cars reach about 490 km/h), either way: not a speed, km/h. */
export const MAX_SPEED_KMH = 500;
/** More than any car has run (the record is about 5.2 million km): not an odometer, km. A 24-bit all-ones glitch (16,777,215) is above it. */
export const MAX_ODOMETER_KM = 10000000;
/** More than any road engine burns (a hypercar flat out is near 500 L/h): not a fuel rate, L/h. */
export const MAX_FUEL_RATE_LH = 1000;
/** The car's odometer may differ from the distance integrated from its speed by this share (tyre wear, speed signal error)... */
export const ODOMETER_TOLERANCE = 0.1;
/** ...plus one step of its count, km: many cars send whole km, some whole miles (1.609 km). */
export const ODOMETER_STEP_KM = 1.7;
/**
 * A car's odometer reading that does not agree is followed once readings
 * agreeing with it have come for this long, ms: longer than a glitched frame
 * can stay in the signal store (one message period, or its timeout, 5
 * periods of a slow odometer message or 2 s without a cycle time).
 */
export const STABLE_MS = 10000;
/** ...and over at least this many readings (display ticks). */
export const STABLE_READINGS = 3;
/**
 * A first start stops waiting for the car's odometer after this long awake
 * (speed known) without following it, ms. A car that sends it does so within
 * seconds of waking (bus messages cycle at 1 s or faster; the OBD-II poller
 * asks for PID 0xA6 in its first round, then every 10 s) and the glitch rule
 * follows a steady reading STABLE_MS later: 30 s is three times that, so a car
 * that will tell has told, and `--` lasts half a minute of the car awake at most.
 * Awake time, not time since power-up: a car asleep (a cluster on permanent
 * power started at ignition off) tells nothing, and integrates nothing.
 */
export const CAR_ODOMETER_WAIT_MS = 30000;

/**
 * True when the car's odometer `reading` is one the car can show `km`
 * (integrated from speed) after showing `base`: within the tolerance of that
 * distance, give or take one step of its count. False when `base` is NaN.
 */
function agrees(reading: number, base: number, km: number): boolean {
	return reading >= base + km * (1 - ODOMETER_TOLERANCE) - ODOMETER_STEP_KM
		&& reading <= base + km * (1 + ODOMETER_TOLERANCE) + ODOMETER_STEP_KM;
}

export class TripComputer {
	/** km: the car's odometer when it sends one, else integrated; NaN while unknown (`carOdometer`, before it is restored, followed or given up on). */
	odometer: number;
	readonly tripA = new Trip();
	readonly tripB = new Trip();
	/** True while the odometer follows the car's odometer quantity (a reading agreed or held steady). */
	followingCar = false;
	/** Readings taken as missing because they were not finite or not physically possible (speed, odometer, fuel). */
	refused = 0;
	/** Car odometer readings not followed because they did not agree with the distance driven (yet). */
	unconfirmed = 0;
	readonly maxGapMs: number;
	readonly tankLiters: number;
	/** Changes since the last `takeChanged()`: what makes a save worth it. */
	private dirty = false;
	/** The last update with a known speed: time, speed and fuel rate then. */
	private lastTime = NaN;
	private lastSpeed = NaN;
	private lastFuelRate = NaN;
	/** Latest fuel level, %, for range. */
	private fuelLevel = NaN;
	/** The car's odometer as last followed (km; NaN before one is) and the km integrated since it last changed. */
	private carOdometer = NaN;
	private carKm = 0;
	/** A car odometer reading that did not agree: its value, km since it changed, when it came and how many readings agreed with it. */
	private candidate = NaN;
	private candidateKm = 0;
	private candidateSince = 0;
	private candidateReadings = 0;
	/** While the odometer is unknown: ms awake and km driven so far (the wait for the car's reading). */
	private waitedMs = 0;
	private waitedKm = 0;
	private readonly carOdometerRefused: (() => boolean) | undefined;

	constructor(options: TripOptions = {}) {
		this.maxGapMs = options.maxGapMs ?? 5000;
		this.tankLiters = options.tankLiters ?? NaN;
		this.odometer = options.carOdometer ? NaN : 0;
		this.carOdometerRefused = options.carOdometerRefused;
	}

	/** False while the odometer is unknown: a first start in a car whose own odometer has not been followed yet. */
	get odometerKnown(): boolean {
		return this.odometer === this.odometer;
	}

	/**
	 * Integrates from the previous update to `now`. Arguments in canonical
	 * units, NaN when missing; a value that is not finite or not physically
	 * possible is missing too, and counted in `refused`. Display clock; no
	 * allocation.
	 */
	update(now: number, speed: number, carOdometer = NaN, fuelRate = NaN, fuelLevel = NaN): void {
		// NaN fails every comparison: missing stays missing, uncounted.
		if (!(speed >= -MAX_SPEED_KMH && speed <= MAX_SPEED_KMH)) {
			if (speed === speed)
				this.refused++;
			speed = NaN;
		}
		if (!(carOdometer >= 0 && carOdometer <= MAX_ODOMETER_KM)) {
			if (carOdometer === carOdometer)
				this.refused++;
			carOdometer = NaN;
		}
		if (!(fuelRate >= -MAX_FUEL_RATE_LH && fuelRate <= MAX_FUEL_RATE_LH)) {
			if (fuelRate === fuelRate)
				this.refused++;
			fuelRate = NaN;
		}
		if (!(fuelLevel >= 0 && fuelLevel <= 100))
			fuelLevel = NaN;

		const dt = now - this.lastTime;
		let km = 0, awakeMs = 0;
		if (speed === speed && dt > 0 && dt <= this.maxGapMs) {
			awakeMs = dt;
			const hours = dt / 3600000;
			km = Math.max(0, (speed + this.lastSpeed) / 2) * hours;
			this.add(this.tripA, km, dt, speed);
			this.add(this.tripB, km, dt, speed);
			if (fuelRate === fuelRate && this.lastFuelRate === this.lastFuelRate) {
				const litres = Math.max(0, (fuelRate + this.lastFuelRate) / 2) * hours;
				this.tripA.fuel += litres;
				this.tripB.fuel += litres;
			}
			if (km > 0)
				this.dirty = true;
		}
		this.carKm += km;
		this.candidateKm += km;
		this.followingCar = carOdometer === carOdometer && this.follow(now, carOdometer);
		// Not following the car (no odometer, or one not confirmed yet): the distance driven counts.
		// Unknown stays unknown: the car's reading, once followed, holds that distance; awaitCar counts it.
		if (!this.followingCar && km > 0)
			this.odometer += km;
		if (this.odometer !== this.odometer)
			this.awaitCar(km, awakeMs);
		if (speed === speed) {
			this.lastTime = now;
			this.lastSpeed = speed;
			this.lastFuelRate = fuelRate;
		}
		this.fuelLevel = fuelLevel;
	}

	/**
	 * Takes the car's odometer `reading` (finite, in range) when it agrees with
	 * the one followed so far or has held steady long enough; returns whether
	 * the odometer now follows it. No allocation.
	 */
	private follow(now: number, reading: number): boolean {
		if (agrees(reading, this.carOdometer, this.carKm)) {
			this.candidate = NaN;
		}
		else {
			this.unconfirmed++;
			if (agrees(reading, this.candidate, this.candidateKm)) {
				this.candidateReadings++;
				if (reading !== this.candidate) {
					this.candidate = reading;
					this.candidateKm = 0;
				}
			}
			else {
				this.candidate = reading;
				this.candidateKm = 0;
				this.candidateSince = now;
				this.candidateReadings = 1;
			}
			if (this.candidateReadings < STABLE_READINGS || now - this.candidateSince < STABLE_MS)
				return false;
			// Steady: the car's odometer is what it says (a module replaced, the car moved while the cluster was off).
			this.carKm = this.candidateKm;
			this.carOdometer = this.candidate;
			this.candidate = NaN;
		}
		if (reading !== this.carOdometer) {
			this.carOdometer = reading;
			this.carKm = 0;
		}
		// Followed, but never backwards: after a stretch integrated from speed the
		// car's coarser count may lag; the odometer holds until it catches up.
		// Unknown (NaN) takes the reading.
		if (!(reading <= this.odometer)) {
			this.odometer = reading;
			this.dirty = true;
		}
		return true;
	}

	/**
	 * The odometer is unknown, `km` driven over `awakeMs` more: when the car
	 * will not tell (it said so, or has not for CAR_ODOMETER_WAIT_MS awake), the
	 * odometer is the distance driven since the start, as in a car without one.
	 * No allocation.
	 */
	private awaitCar(km: number, awakeMs: number): void {
		this.waitedKm += km;
		this.waitedMs += awakeMs;
		if (this.waitedMs >= CAR_ODOMETER_WAIT_MS || (this.carOdometerRefused !== undefined && this.carOdometerRefused())) {
			this.odometer = this.waitedKm;
			this.dirty = true;
		}
	}

	/** `update` with the quantities read from `inputs`. Display clock; no allocation. */
	updateFrom(inputs: TripReader, now: number): void {
		this.update(now, inputs.read(Quantity.speed, now), inputs.read(Quantity.odometer, now),
			inputs.read(Quantity.fuelRate, now), inputs.read(Quantity.fuelLevel, now));
	}

	/** Zeroes trip A (0) or B (1). */
	resetTrip(which: 0 | 1): void {
		(which === 0 ? this.tripA : this.tripB).reset();
		this.dirty = true;
	}

	/** Fuel left, L: fuel level times tank size, NaN when either is unknown. */
	get fuelRemaining(): number {
		return this.fuelLevel / 100 * this.tankLiters;
	}

	/** km left at trip B's economy (the long-term trip), else trip A's; NaN when unknown. */
	get range(): number {
		let economy = this.tripB.economy;
		if (!(economy === economy))
			economy = this.tripA.economy;
		return this.fuelRemaining / economy * 100;
	}

	/** True (once) when something changed since the previous call. */
	takeChanged(): boolean {
		const dirty = this.dirty;
		this.dirty = false;
		return dirty;
	}

	/** True while the car moves, from the latest speed. */
	get moving(): boolean {
		return this.lastSpeed >= MOVING_KMH;
	}

	/** True while speed is known, or was within `maxGapMs` of `now`: the car is awake. Its silence is how the ignition goes off. */
	awake(now: number): boolean {
		return now - this.lastTime <= this.maxGapMs;
	}

	/* Persistence: a fixed little-endian layout of float64s, version first. */

	static readonly RECORD_BYTES = 8 * 10;
	static readonly RECORD_VERSION = 1;

	/** Writes the state into `into` (RECORD_BYTES long). Allocates only a DataView. */
	serialize(into: Uint8Array): void {
		const view = new DataView(into.buffer, into.byteOffset, TripComputer.RECORD_BYTES);
		view.setFloat64(0, TripComputer.RECORD_VERSION, true);
		view.setFloat64(8, this.odometer, true);
		writeTrip(view, 16, this.tripA);
		writeTrip(view, 48, this.tripB);
	}

	/** True when `record` is what `serialize` writes: this version, every value finite, not negative, the odometer in range. Allocates only a DataView. */
	static readable(record: Uint8Array): boolean {
		const view = new DataView(record.buffer, record.byteOffset, TripComputer.RECORD_BYTES);
		if (view.getFloat64(0, true) !== TripComputer.RECORD_VERSION)
			return false;
		for (let at = 8; at < TripComputer.RECORD_BYTES; at += 8) {
			const value = view.getFloat64(at, true);
			if (!(value >= 0 && value < Infinity))
				return false;
		}
		return view.getFloat64(8, true) <= MAX_ODOMETER_KM;
	}

	/** Restores what `serialize` wrote; false (state unchanged) when it is not `readable`. Allocates. */
	restore(from: Uint8Array): boolean {
		if (!TripComputer.readable(from))
			return false;
		const view = new DataView(from.buffer, from.byteOffset, TripComputer.RECORD_BYTES);
		const values: number[] = [];
		for (let at = 8; at < TripComputer.RECORD_BYTES; at += 8)
			values.push(view.getFloat64(at, true));
		this.odometer = values[0];
		// The car's odometer agrees when it reads what was saved (give or take a step of its count).
		this.carOdometer = values[0];
		this.carKm = 0;
		this.candidate = NaN;
		[this.tripA.distance, this.tripA.time, this.tripA.moving, this.tripA.fuel] = values.slice(1, 5);
		[this.tripB.distance, this.tripB.time, this.tripB.moving, this.tripB.fuel] = values.slice(5, 9);
		return true;
	}

	private add(trip: Trip, km: number, dt: number, speed: number): void {
		trip.distance += km;
		trip.time += dt;
		if (speed >= MOVING_KMH)
			trip.moving += dt;
	}
}

function writeTrip(view: DataView, at: number, trip: Trip): void {
	view.setFloat64(at, trip.distance, true);
	view.setFloat64(at + 8, trip.time, true);
	view.setFloat64(at + 16, trip.moving, true);
	view.setFloat64(at + 24, trip.fuel, true);
}

/** Record magic of the trip log: "XSTR". */
export const TRIP_RECORD_MAGIC = 0x52545358;

/**
 * TripMemory: the trip computer's state on flash. `start` restores the newest
 * record; `tick` on the display clock saves when the schedule says so
 * (changes older than its interval, or at once when the car comes to a stop
 * or goes to sleep); `flush` saves now (shutdown, trip reset). Nothing is
 * saved while the odometer is unknown: the changes wait until it is known.
 */
export class TripMemory {
	readonly trip: TripComputer;
	readonly log: RecordLog;
	readonly schedule: SaveSchedule;
	/** Saves that failed (flash error); tried again `RETRY_MS` later. */
	failures = 0;
	/** After a failed save, the time of the next try: a failing flash is not hammered every display frame. */
	private retryAt = -Infinity;
	static readonly RETRY_MS = 10000;
	private readonly buffer = new Uint8Array(TripComputer.RECORD_BYTES);
	private wasMoving = false;
	private wasAwake = false;

	/** The log's payload must be `TripComputer.RECORD_BYTES` long and its magic `TRIP_RECORD_MAGIC`. */
	constructor(trip: TripComputer, log: RecordLog, schedule: SaveSchedule) {
		if (log.payloadBytes !== TripComputer.RECORD_BYTES)
			throw new RangeError(`trip log records must be ${TripComputer.RECORD_BYTES} bytes`);
		this.trip = trip;
		this.log = log;
		this.schedule = schedule;
	}

	/**
	 * A TripMemory on `flash` (a region of two blocks or more, used by nothing
	 * else). The save interval is `intervalMs` (default 15 s), stretched when
	 * the flash could not sustain it for `lifetimeHours` (default 20,000 h).
	 * Allocates.
	 */
	static on(trip: TripComputer, flash: FlashRegion, options: { intervalMs?: number; lifetimeHours?: number } = {}): TripMemory {
		const log = new RecordLog(flash, { magic: TRIP_RECORD_MAGIC, payloadBytes: TripComputer.RECORD_BYTES });
		const intervalMs = Math.max(options.intervalMs ?? 15000, wearLimitedIntervalMs(log, options.lifetimeHours));
		return new TripMemory(trip, log, new SaveSchedule({ intervalMs }));
	}

	/**
	 * Loads the newest record the trip computer takes (an older one when the
	 * newest is unreadable to it); false when the log holds none. Allocates.
	 */
	start(): boolean {
		return this.log.load(this.buffer, record => this.trip.restore(record));
	}

	/** Display clock: saves when due. Returns true when it saved. */
	tick(now: number): boolean {
		if (this.trip.takeChanged())
			this.schedule.changed(now);
		// Saved at once when the car stops (a cluster on switched power loses it at
		// ignition off, after the stop), and when it goes to sleep: no speed for
		// maxGapMs (the bus lost, or ignition off on a cluster with permanent power).
		const moving = this.trip.moving, awake = this.trip.awake(now);
		const stopped = (this.wasMoving && !moving) || (this.wasAwake && !awake);
		this.wasMoving = moving;
		this.wasAwake = awake;
		if (now < this.retryAt || !this.schedule.due(now, stopped))
			return false;
		return this.save(now);
	}

	/** Saves now if anything is unsaved. */
	flush(now: number): boolean {
		if (this.trip.takeChanged())
			this.schedule.changed(now);
		return this.schedule.pending ? this.save(now) : false;
	}

	private save(now: number): boolean {
		// An unknown odometer is not saved (a 0 in its place would be restored after
		// a power cut); the changes stay pending until it is known.
		if (!this.trip.odometerKnown)
			return false;
		this.trip.serialize(this.buffer);
		// A state the trip computer would not restore is never written: records
		// like it would push the good ones out of the log. Update refuses such
		// values, so only code that sets the fields directly gets here.
		if (!TripComputer.readable(this.buffer)) {
			this.failures++;
			this.retryAt = now + TripMemory.RETRY_MS;
			return false;
		}
		try {
			this.log.save(this.buffer);
		}
		catch {
			// A flash error must not stop the cluster; the changes stay pending.
			this.failures++;
			this.retryAt = now + TripMemory.RETRY_MS;
			return false;
		}
		this.schedule.saved(now);
		return true;
	}
}
