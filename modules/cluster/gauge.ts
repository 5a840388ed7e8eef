/*
 * Gauges of the cluster view model: a damped needle, and the speedometer that
 * wraps one with the legal rule for shown speed.
 *
 * Each display tick a gauge moves toward its target, then quantises to what
 * the screen can show (needle positions, whole digits) and reports whether
 * that changed, so the UI touches Piu only on a visible change. Runs on XS and
 * Node; no allocation after construction.
 */

export interface NeedleOptions {
	/** Scale bottom, where a needle parks when its signal is missing. */
	min: number;
	max: number;
	/** Distinct positions across the scale: what the display can resolve (e.g. half degrees of the sweep). */
	steps: number;
	/** Time constant of the damping toward the target, ms; 0 follows at once. */
	timeConstant: number;
}

/** Result bits of `update`: what the UI has to redraw. */
export const GaugeChange = Object.freeze({
	position: 1,
	missing: 2,
	digits: 4,
});

export class Needle {
	readonly min: number;
	/** Scale top; a unit change moves it. */
	max: number;
	readonly steps: number;
	readonly timeConstant: number;
	/** Damped value in scale units; starts parked at `min`. */
	value: number;
	/** Quantised position, 0..steps. */
	position = 0;
	/** True while the target is missing (NaN): the needle is parking and the UI greys it. */
	missing = true;

	constructor(options: NeedleOptions) {
		this.min = options.min;
		this.max = options.max;
		this.steps = options.steps;
		this.timeConstant = options.timeConstant;
		this.value = options.min;
	}

	/**
	 * Moves toward `target` (NaN parks the needle at `min`) for `elapsed` ms.
	 * Returns `GaugeChange` bits. No allocation.
	 */
	update(target: number, elapsed: number): number {
		const missing = target !== target;
		let changed = 0;
		if (missing !== this.missing) {
			this.missing = missing;
			changed |= GaugeChange.missing;
		}
		this.value = this.damp(missing ? this.min : this.clamp(target), elapsed);
		return changed | this.quantise(this.value, false);
	}

	/** First-order lag toward `target`; snaps when within a hundredth of a step. */
	damp(target: number, elapsed: number): number {
		const tau = this.timeConstant;
		let value = this.value;
		if (tau <= 0 || elapsed >= tau * 20)
			value = target;
		else if (elapsed > 0)
			value += (target - value) * (1 - Math.exp(-elapsed / tau));
		if (Math.abs(target - value) * this.steps < (this.max - this.min) * 0.01)
			value = target;
		return value;
	}

	clamp(value: number): number {
		return value < this.min ? this.min : value > this.max ? this.max : value;
	}

	/** Sets `position` from a scale value, rounding up when `up` (never below it) else to nearest. */
	quantise(value: number, up: boolean): number {
		const exact = (this.clamp(value) - this.min) / (this.max - this.min) * this.steps;
		// The epsilon absorbs float noise of scaling so an exact step does not round up past itself.
		const position = up ? Math.ceil(exact - 1e-6) : Math.round(exact);
		if (position === this.position)
			return 0;
		this.position = position;
		return GaugeChange.position;
	}
}

/**
 * The speedometer. UN R39: the shown speed is never below the true speed and
 * never above it by more than 10 % + 4 km/h. So the needle's damping only acts
 * downward (a falling needle lags above the true value, capped by the rule),
 * a rising needle follows at once, and both needle and digits round up.
 */
/** How far below a digit boundary the shown speed must fall before the readout drops, display units. */
const DIGIT_HYSTERESIS = 0.3;
/** How long a digit is held over a value just under it before dropping, ms. */
const DIGIT_HOLD_MS = 600;

export class Speedometer {
	readonly needle: Needle;
	/** Display units per km/h (from the unit system). */
	private perKmh: number;
	/** Shown speed, km/h, before quantising; NaN while missing. */
	shownKmh = NaN;
	/** Whole display units shown by the digital readout; -1 shows `--`. */
	digits = -1;
	/** How long the readout has held a digit over a lower value, ms. */
	private heldFor = 0;

	/** `scaleMax` and `perKmh` in display units (see units.ts). */
	constructor(scaleMax: number, perKmh: number, steps: number, timeConstant = 250) {
		this.needle = new Needle({ min: 0, max: scaleMax, steps, timeConstant });
		this.perKmh = perKmh;
	}

	/** Changes the display unit; the next update redraws. No allocation. */
	setScale(scaleMax: number, perKmh: number): void {
		// The damped value is in display units: carry it over so the needle does not jump.
		this.needle.value *= perKmh / this.perKmh;
		this.needle.max = scaleMax;
		this.perKmh = perKmh;
		this.needle.position = -1;
		this.digits = -2;
	}

	/** Follows the true speed `kmh` (NaN when missing) for `elapsed` ms. Returns `GaugeChange` bits. No allocation. */
	update(kmh: number, elapsed: number): number {
		const needle = this.needle;
		let changed = 0;
		const missing = kmh !== kmh;
		if (missing !== needle.missing) {
			needle.missing = missing;
			changed |= GaugeChange.missing;
		}
		if (missing) {
			this.shownKmh = NaN;
			needle.value = needle.damp(needle.min, elapsed);
			changed |= needle.quantise(needle.value, false);
			if (this.digits !== -1) {
				this.digits = -1;
				changed |= GaugeChange.digits;
			}
			return changed;
		}

		const truth = kmh < 0 ? 0 : kmh;
		const perKmh = this.perKmh;
		// The needle's damped value is in display units; bring the shown speed back to km/h for the rule.
		let shown = needle.damp(truth * perKmh, elapsed) / perKmh;
		if (shown < truth)
			shown = truth;
		const ceiling = truth * 1.1 + 4;
		if (shown > ceiling)
			shown = ceiling;
		this.shownKmh = shown;
		needle.value = shown * perKmh;
		changed |= needle.quantise(needle.value, true);

		// Digits round up; a drop by one waits until the shown value is clear of
		// the boundary or has stayed under it for a moment, so cruising at 100.0
		// does not flicker 100/101 (the held digit over-reads by under 1.3 units,
		// inside the rule's 4 km/h).
		const value = shown * perKmh;
		let digits = Math.ceil(value - 1e-6);
		if (digits === this.digits - 1 && value > this.digits - 1 - DIGIT_HYSTERESIS) {
			this.heldFor += elapsed;
			if (this.heldFor < DIGIT_HOLD_MS)
				digits = this.digits;
		}
		else
			this.heldFor = 0;
		// Whatever the rounding did, stay inside the rule: no lower than the
		// truth rounded up, no higher than its ceiling (there is always a whole
		// unit between them: the allowance is at least 4 km/h, 2.4 mph).
		const lowest = Math.ceil(truth * perKmh - 1e-6), highest = Math.floor(ceiling * perKmh + 1e-6);
		if (digits < lowest)
			digits = lowest;
		else if (digits > highest)
			digits = highest;
		if (digits === 0)
			digits = 0; // not -0
		if (digits !== this.digits) {
			this.digits = digits;
			changed |= GaugeChange.digits;
		}
		return changed;
	}
}
