/*
 * Shift light: tells the driver when to change up, at an engine speed that
 * depends on the gear (first gear revs out sooner on some cars, top gear is
 * never shifted), and flashes at the rev limit.
 *
 * Runs on XS and Node; the constructor copies the thresholds into typed
 * arrays, `update` allocates nothing (display clock).
 */

export const ShiftState = Object.freeze({ off: 0, shift: 1, flash: 2 });

export interface ShiftLightOptions {
	/** Shift point by gear code (the code the car sends, as in the profile's gear labels). */
	gears?: Record<number, number>;
	/** Shift point for gears without their own, rpm; NaN (no light) when omitted. */
	defaultRpm?: number;
	/** How far below the shift point the engine must drop before the light goes off, rpm. Default 200. */
	hysteresis?: number;
	/** Rev limit, rpm: the light flashes at and above it. */
	limitRpm?: number;
	/** How far below the shift point the progress bar starts, rpm. Default 1500. */
	rampRpm?: number;
	/** Flash period, ms. Default 200. */
	flashPeriodMs?: number;
}

export class ShiftLight {
	/** ShiftState now shown. */
	state: number = ShiftState.off;
	/** 0..1: how close to the shift point, for a row of LEDs; NaN when unknown. */
	level = NaN;
	/** True when the light itself is lit this instant (flash phase applied). */
	lit = false;
	private readonly codes: Float64Array;
	private readonly points: Float64Array;
	private readonly defaultRpm: number;
	private readonly hysteresis: number;
	private readonly limitRpm: number;
	private readonly rampRpm: number;
	private readonly flashPeriodMs: number;

	constructor(options: ShiftLightOptions) {
		const entries = Object.entries(options.gears ?? {});
		this.codes = new Float64Array(entries.map(([code]) => Number(code)));
		this.points = new Float64Array(entries.map(([, rpm]) => rpm));
		this.defaultRpm = options.defaultRpm ?? NaN;
		this.hysteresis = options.hysteresis ?? 200;
		this.limitRpm = options.limitRpm ?? Infinity;
		this.rampRpm = options.rampRpm ?? 1500;
		this.flashPeriodMs = options.flashPeriodMs ?? 200;
	}

	/** Shift point for `gear`, NaN when the gear has none (neutral, park, top gear). No allocation. */
	shiftPoint(gear: number): number {
		for (let i = 0; i < this.codes.length; i++)
			if (this.codes[i] === gear)
				return this.points[i];
		return this.defaultRpm;
	}

	/** Updates from engine speed and gear code (NaN when missing). Returns true when `state` or `lit` changed. */
	update(rpm: number, gear: number, now: number): boolean {
		const previousState = this.state, previousLit = this.lit;
		const point = this.shiftPoint(gear);
		if (rpm !== rpm || point !== point) {
			// Unknown engine speed or a gear without a shift point: no advice rather than a wrong one.
			this.state = ShiftState.off;
			this.level = NaN;
		}
		else {
			if (rpm >= this.limitRpm)
				this.state = ShiftState.flash;
			else if (rpm >= point || (this.state !== ShiftState.off && rpm > point - this.hysteresis))
				this.state = ShiftState.shift;
			else
				this.state = ShiftState.off;
			this.level = Math.min(1, Math.max(0, (rpm - (point - this.rampRpm)) / this.rampRpm));
		}
		this.lit = this.state === ShiftState.shift || (this.state === ShiftState.flash && now % this.flashPeriodMs < this.flashPeriodMs / 2);
		return this.state !== previousState || this.lit !== previousLit;
	}
}
