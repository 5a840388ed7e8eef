/*
 * Day or night, from what the car says: the headlight switch when the profile
 * maps one, else the instrument dimmer (a car dims its own cluster at dusk).
 * The result feeds the theme (`ThemeSelector.update` in theme.ts) and a
 * backlight level.
 *
 * A dimmer wobbling around its threshold must not flip the theme back and
 * forth, so the dimmer has a hysteresis band and any change must hold for
 * `holdMs`. Missing data leaves the last answer in place (NaN until the
 * first). Runs on XS and Node; no allocation.
 */
import { Quantity } from "./quantity.js";
import type { QuantityReader } from "./quantity.js";

export interface DayNightOptions {
	/** Dimmer at or below this is night, %. Default 40. */
	dimmerNightBelow?: number;
	/** Dimmer must rise this far above the night threshold for day, %. Default 10. */
	dimmerHysteresis?: number;
	/** A change must last this long, ms. Default 2000. */
	holdMs?: number;
}

export class DayNight {
	/** 1 night, 0 day, NaN before any data: what `ThemeSelector.update` takes as headlights. */
	night = NaN;
	private candidate = NaN;
	private candidateSince = NaN;
	private readonly below: number;
	private readonly hysteresis: number;
	private readonly holdMs: number;

	constructor(options: DayNightOptions = {}) {
		this.below = options.dimmerNightBelow ?? 40;
		this.hysteresis = options.dimmerHysteresis ?? 10;
		this.holdMs = options.holdMs ?? 2000;
	}

	/** Updates from headlights (0/1) and dimmer (%), NaN when missing. Returns true when `night` changed. */
	update(headlights: number, dimmer: number, now: number): boolean {
		let wanted = NaN;
		if (headlights === headlights)
			wanted = headlights !== 0 ? 1 : 0;
		else if (dimmer === dimmer) {
			const current = this.candidate === this.candidate ? this.candidate : this.night;
			wanted = current === 1 ? (dimmer > this.below + this.hysteresis ? 0 : 1) : (dimmer <= this.below ? 1 : 0);
		}
		if (wanted !== wanted)
			return false;
		if (this.night !== this.night) {
			// The first answer is taken at once: the cluster starts in the right theme.
			this.night = wanted;
			return true;
		}
		if (wanted === this.night) {
			this.candidate = NaN;
			return false;
		}
		if (wanted !== this.candidate) {
			this.candidate = wanted;
			this.candidateSince = now;
		}
		if (now - this.candidateSince < this.holdMs)
			return false;
		this.night = wanted;
		this.candidate = NaN;
		return true;
	}

	/** `update` from a profile's headlights and dimmer quantities. */
	updateFrom(inputs: Pick<QuantityReader, "read">, now: number): boolean {
		return this.update(inputs.read(Quantity.headlights, now), inputs.read(Quantity.dimmer, now), now);
	}
}
