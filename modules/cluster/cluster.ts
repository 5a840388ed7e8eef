/*
 * ClusterModel: what the instrument cluster shows, worked out from the signal
 * store once per display tick.
 *
 * It reads quantities through ProfileInputs, damps and quantises the gauges,
 * runs the telltale bank, the trip computer (the one odometer), the alert
 * monitor and the shift light, chooses the theme (DayNight feeding the
 * ThemeSelector: one source of truth for night), converts into the chosen units,
 * and returns a bit per shown element that changed, so the Piu view redraws
 * only those (the round-bme68x pattern: quantise, compare, then touch the UI).
 * Everything here is plain TypeScript run by vitest with a fake clock; only
 * modules/ui knows Piu. Runs on XS and Node; no allocation after construction
 * (strings are made by the view, and only for a changed value).
 */
import { GaugeChange, Needle, Speedometer } from "./gauge.js";
import { Quantity, type QuantityReader } from "./quantity.js";
import { TelltaleBank } from "./telltales.js";
import { Theme, ThemeSelector, type ThemeChoice } from "./theme.js";
import { TripComputer } from "./trip.js";
import { DayNight } from "./day-night.js";
import type { AlertMonitor } from "./alerts.js";
import type { ShiftLight } from "./shift-light.js";
import { METRIC, distance, stepsDown, temperature, type UnitSystem } from "./units.js";

/** Bits returned by `ClusterModel.update`: which shown elements changed. */
export const Change = Object.freeze({
	speedNeedle: 1 << 0,
	speedDigits: 1 << 1,
	speedMissing: 1 << 2,
	rpmNeedle: 1 << 3,
	rpmMissing: 1 << 4,
	fuel: 1 << 5,
	fuelMissing: 1 << 6,
	coolant: 1 << 7,
	coolantMissing: 1 << 8,
	gear: 1 << 9,
	odometer: 1 << 10,
	trip: 1 << 11,
	ambient: 1 << 12,
	telltales: 1 << 13,
	theme: 1 << 14,
	units: 1 << 15,
	/** The shift light's state or flash phase. */
	shift: 1 << 16,
	/** The alert pop-up: another alert on top, or none. */
	alert: 1 << 17,
	all: 0x3FFFF,
});

export interface ClusterOptions {
	/** Needle positions across a dial's sweep: the sweep in the display's angular resolution. Default 480 (240° in half degrees). */
	needleSteps?: number;
	/** Tachometer scale top, rpm. Default 8000. */
	rpmMax?: number;
	/** Redline start, rpm (the view paints it). Default 6500. */
	redline?: number;
	/** Segments of the fuel and coolant bars. Default 20. */
	barSteps?: number;
	/** Gear labels by the code the car sends, e.g. the profile's `{ "0": "P", "3": "D" }`. */
	gears?: Record<string, string>;
	units?: UnitSystem;
	theme?: ThemeChoice;
	/** The trip computer: odometer and trips (restored by TripMemory). Default: a fresh one, its odometer unknown until followed where `inputs` has the car's. */
	trip?: TripComputer;
	/** Alerts for the pop-up, updated on every tick. */
	alerts?: AlertMonitor;
	/** Shift light, from rpm and the gear code. */
	shift?: ShiftLight;
	/** Day/night decision (headlights, else dimmer) that drives the "auto" theme. Default: a DayNight with its defaults. */
	dayNight?: DayNight;
}

/** Coolant bar scale, °C: a cold engine to well past overheating. */
export const COOLANT_MIN_C = 40;
export const COOLANT_MAX_C = 130;
const MAX_STEP_MS = 500;

export class ClusterModel {
	readonly inputs: QuantityReader;
	readonly speedometer: Speedometer;
	readonly tachometer: Needle;
	readonly fuel: Needle;
	readonly coolant: Needle;
	readonly telltales: TelltaleBank;
	readonly theme: ThemeSelector;
	readonly trip: TripComputer;
	readonly dayNight: DayNight;
	readonly alerts: AlertMonitor | null;
	readonly shift: ShiftLight | null;
	readonly rpmMax: number;
	readonly redline: number;
	units: UnitSystem;
	/** Rule index of the alert on the pop-up, -1 for none. */
	alert = -1;

	/** Gear label shown; "--" while the gear signal is missing. */
	gear = "--";
	/** Whole display units (km or mi), -1 while unknown (shown `--`, never 0). */
	odometer = -1;
	/** Trip in tenths of a display unit since start or the last reset. */
	tripTenths = 0;
	/** Outside temperature, whole degrees in display units; NaN shows `--`. */
	ambient = NaN;

	private readonly gearLabels: string[] = [];
	private lastAt = NaN;
	private alertRevision = -1;
	private forced: number = Change.all;

	/** Allocates the gauges, the bank and the gear table. */
	constructor(inputs: QuantityReader, options: ClusterOptions = {}) {
		const steps = options.needleSteps ?? 480, barSteps = options.barSteps ?? 20;
		this.inputs = inputs;
		this.units = options.units ?? METRIC;
		this.rpmMax = options.rpmMax ?? 8000;
		this.redline = options.redline ?? 6500;
		this.speedometer = new Speedometer(this.units.speedScaleMax, this.units.speedPerKmh, steps);
		this.tachometer = new Needle({ min: 0, max: this.rpmMax, steps, timeConstant: 90 });
		// Fuel sloshes: a real gauge settles over seconds. Coolant moves slowly anyway.
		this.fuel = new Needle({ min: 0, max: 100, steps: barSteps, timeConstant: 3000 });
		this.coolant = new Needle({ min: COOLANT_MIN_C, max: COOLANT_MAX_C, steps: barSteps, timeConstant: 1000 });
		this.telltales = new TelltaleBank(inputs);
		this.theme = new ThemeSelector(options.theme ?? "auto");
		const gears = options.gears ?? {};
		for (const code of Object.keys(gears))
			this.gearLabels[Number(code)] = gears[code];
		this.trip = options.trip ?? new TripComputer({ carOdometer: inputs.has(Quantity.odometer) });
		this.dayNight = options.dayNight ?? new DayNight();
		this.alerts = options.alerts ?? null;
		this.shift = options.shift ?? null;
	}

	/** Trip A's distance, km (the trip computer integrates it from the true speed). */
	get tripKm(): number {
		return this.trip.tripA.distance;
	}

	/** Starts the bulb check; call when the display first shows. */
	start(now: number): void {
		this.telltales.start(now);
		this.lastAt = now;
	}

	/** Switches units; everything unit-bound is redrawn on the next update. */
	setUnits(units: UnitSystem): void {
		if (units === this.units)
			return;
		this.units = units;
		this.speedometer.setScale(units.speedScaleMax, units.speedPerKmh);
		this.odometer = -2;
		this.tripTenths = -1;
		this.ambient = -1e9;
		this.forced |= Change.units;
	}

	/** Cycles the theme choice (auto, day, night); the next update applies it. */
	cycleTheme(): ThemeChoice {
		return this.theme.cycle();
	}

	/** Starts trip A (0, the default) or B (1) again at zero. */
	resetTrip(which: 0 | 1 = 0): void {
		this.trip.resetTrip(which);
	}

	/** Acknowledges the alert on the pop-up; true when there was one. */
	acknowledgeAlert(now: number): boolean {
		return this.alerts !== null && this.alerts.acknowledgeTop(now) >= 0;
	}

	/** True while the start-up bulb check runs. */
	inBulbCheck(now: number): boolean {
		return this.telltales.inBulbCheck(now);
	}

	/** Brings every shown element up to `now`; returns `Change` bits. No allocation. */
	update(now: number): number {
		const inputs = this.inputs;
		if (this.lastAt !== this.lastAt)
			this.start(now);
		let elapsed = now - this.lastAt;
		elapsed = elapsed < 0 ? 0 : elapsed > MAX_STEP_MS ? MAX_STEP_MS : elapsed;
		this.lastAt = now;
		let changed = this.forced;
		this.forced = 0;

		const kmh = inputs.read(Quantity.speed, now);
		const speedBits = this.speedometer.update(kmh, elapsed);
		if (speedBits & GaugeChange.position) changed |= Change.speedNeedle;
		if (speedBits & GaugeChange.digits) changed |= Change.speedDigits;
		if (speedBits & GaugeChange.missing) changed |= Change.speedMissing;

		const rpmBits = this.tachometer.update(inputs.read(Quantity.rpm, now), elapsed);
		if (rpmBits & GaugeChange.position) changed |= Change.rpmNeedle;
		if (rpmBits & GaugeChange.missing) changed |= Change.rpmMissing;

		const fuelBits = this.fuel.update(inputs.read(Quantity.fuelLevel, now), elapsed);
		if (fuelBits & GaugeChange.position) changed |= Change.fuel;
		if (fuelBits & GaugeChange.missing) changed |= Change.fuelMissing;

		const coolantBits = this.coolant.update(inputs.read(Quantity.coolantTemp, now), elapsed);
		if (coolantBits & GaugeChange.position) changed |= Change.coolant;
		if (coolantBits & GaugeChange.missing) changed |= Change.coolantMissing;

		const code = inputs.readRaw(Quantity.gear, now);
		const gear = code !== code ? "--" : this.gearLabels[code] ?? "?";
		if (gear !== this.gear) {
			this.gear = gear;
			changed |= Change.gear;
		}

		// One odometer: the trip computer's (the car's own when it sends one, else integrated).
		// Distance is not a display, it is not rounded up.
		this.trip.updateFrom(inputs, now);
		const tripTenths = stepsDown(distance(this.trip.tripA.distance, this.units), 10);
		if (tripTenths !== this.tripTenths) {
			this.tripTenths = tripTenths;
			changed |= Change.trip;
		}
		// Unknown until restored or the car's reading is followed: -1, shown as `--`.
		const km = this.trip.odometer;
		const odometer = km === km ? stepsDown(distance(km, this.units), 1) : -1;
		if (odometer !== this.odometer) {
			this.odometer = odometer;
			changed |= Change.odometer;
		}

		const celsius = inputs.read(Quantity.ambientTemp, now);
		const ambient = Math.round(temperature(celsius, this.units));
		if (ambient !== this.ambient && !(ambient !== ambient && this.ambient !== this.ambient)) {
			this.ambient = ambient;
			changed |= Change.ambient;
		}

		if (this.telltales.update(now))
			changed |= Change.telltales;
		this.dayNight.updateFrom(inputs, now);
		if (this.theme.update(this.dayNight.night))
			changed |= Change.theme;
		const shift = this.shift;
		if (shift && shift.update(inputs.read(Quantity.rpm, now), code, now))
			changed |= Change.shift;
		const alerts = this.alerts;
		if (alerts) {
			alerts.update(now);
			if (alerts.revision !== this.alertRevision) {
				this.alertRevision = alerts.revision;
				const top = alerts.top();
				if (top !== this.alert) {
					this.alert = top;
					changed |= Change.alert;
				}
			}
		}
		return changed;
	}

	/** The odometer as shown: "48213 km", or "--" while unknown. Allocates; the view calls it when `Change.odometer` or `Change.units` is set. */
	get odometerText(): string {
		return this.odometer < 0 ? "--" : `${this.odometer} ${this.units.distanceLabel}`;
	}

	/** True when the night theme is on. */
	get night(): boolean {
		return this.theme.theme === Theme.night;
	}
}
