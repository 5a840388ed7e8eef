/*
 * TelltaleBank: the warning and indicator lamps of the cluster, each lit only
 * for its condition, after a bulb check at start (FMVSS 101 / ECE R121), with
 * turn signals flashing at the legal rate.
 *
 * A lamp whose source signal is missing is not shown as "off": it is Unknown,
 * which the UI draws as a dim outline, so a lost BCM does not look like a car
 * with its parking brake released. Runs on XS and Node; no allocation after
 * construction.
 */
import { Quantity, type QuantityReader } from "./quantity.js";

export const Telltale = Object.freeze({
	turnLeft: 0,
	turnRight: 1,
	checkEngine: 2,
	oilPressure: 3,
	battery: 4,
	coolantTemp: 5,
	lowFuel: 6,
	parkingBrake: 7,
	highBeam: 8,
	seatBelt: 9,
	doorOpen: 10,
});
export type TelltaleName = keyof typeof Telltale;
export const TELLTALE_COUNT = 11;

export const LampState = Object.freeze({
	off: 0,
	on: 1,
	/** The source signal is missing: neither on nor off is known. */
	unknown: 2,
});

/** ISO 2575 colour class of each lamp, by id: what the theme turns into a colour. */
export const LampColor = Object.freeze({ red: 0, amber: 1, green: 2, blue: 3 });
export const TELLTALE_COLORS: readonly number[] = Object.freeze([
	LampColor.green, LampColor.green, LampColor.amber, LampColor.red, LampColor.red, LampColor.red,
	LampColor.amber, LampColor.red, LampColor.blue, LampColor.red, LampColor.red,
]);

/** Length of the bulb check at start, ms. */
export const BULB_CHECK_MS = 2000;
/** Flash period of the turn signals: 90 flashes a minute, inside the legal 60 to 120. */
export const FLASH_PERIOD_MS = 60000 / 90;

/** Where the bank reads each lamp's condition: an on/off quantity, or a threshold on an analogue one. */
interface LampSource {
	quantity: number;
	/** For analogue sources: lit at or above (`above`) or at or below this value. */
	threshold: number;
	above: boolean;
	analogue: boolean;
}

/** Fallback thresholds when a car sends no lamp bit of its own: coolant at 118 °C, fuel at 10 %. */
export const COOLANT_OVERHEAT_C = 118;
export const LOW_FUEL_PERCENT = 10;

/** What the bank reads: ProfileInputs fits. */
export type TelltaleReader = Pick<QuantityReader, "has" | "read">;

export class TelltaleBank {
	/** `LampState` of each lamp as it is to be drawn now (flash phase applied). */
	readonly shown = new Uint8Array(TELLTALE_COUNT);
	/** Bit per lamp that changed in the last update; the UI redraws only those. */
	changed = 0;
	private readonly sources: LampSource[] = [];
	/** When each turn signal was switched on, for its flash phase; NaN while off. */
	private readonly flashStart = new Float64Array(2).fill(NaN);
	private startedAt = NaN;
	/** 1 for a lamp the profile can drive; an unmapped lamp stays off. */
	readonly mapped: Uint8Array;
	private readonly inputs: TelltaleReader;

	/** Chooses a source per lamp from what `inputs` maps. Allocates. */
	constructor(inputs: TelltaleReader) {
		const state = (quantity: number): LampSource => ({ quantity, threshold: 0, above: true, analogue: false });
		const fallback = (bit: number, analogue: number, threshold: number, above: boolean): LampSource =>
			inputs.has(bit) || !inputs.has(analogue) ? state(bit) : { quantity: analogue, threshold, above, analogue: true };
		this.sources[Telltale.turnLeft] = state(Quantity.turnLeft);
		this.sources[Telltale.turnRight] = state(Quantity.turnRight);
		this.sources[Telltale.checkEngine] = state(Quantity.checkEngine);
		this.sources[Telltale.oilPressure] = fallback(Quantity.oilPressureLow, Quantity.oilPressure, 50, false);
		this.sources[Telltale.battery] = state(Quantity.chargeFault);
		this.sources[Telltale.coolantTemp] = fallback(Quantity.coolantOverheat, Quantity.coolantTemp, COOLANT_OVERHEAT_C, true);
		this.sources[Telltale.lowFuel] = fallback(Quantity.lowFuel, Quantity.fuelLevel, LOW_FUEL_PERCENT, false);
		this.sources[Telltale.parkingBrake] = state(Quantity.parkingBrake);
		this.sources[Telltale.highBeam] = state(Quantity.highBeam);
		this.sources[Telltale.seatBelt] = state(Quantity.seatBeltUnbuckled);
		this.sources[Telltale.doorOpen] = state(Quantity.doorOpen);
		this.mapped = new Uint8Array(TELLTALE_COUNT);
		for (let i = 0; i < TELLTALE_COUNT; i++)
			this.mapped[i] = inputs.has(this.sources[i].quantity) ? 1 : 0;
		this.inputs = inputs;
	}

	/** True during the bulb check. */
	inBulbCheck(now: number): boolean {
		return now - this.startedAt < BULB_CHECK_MS;
	}

	/** Starts the bulb check at `now`. */
	start(now: number): void {
		this.startedAt = now;
	}

	/** Recomputes every lamp for `now`; returns the `changed` bits. No allocation. */
	update(now: number): number {
		if (this.startedAt !== this.startedAt)
			this.startedAt = now;
		const bulbCheck = this.inBulbCheck(now);
		let changed = 0;
		for (let i = 0; i < TELLTALE_COUNT; i++) {
			let state: number;
			if (bulbCheck)
				state = LampState.on;
			else if (!this.mapped[i])
				state = LampState.off;
			else {
				const source = this.sources[i];
				const value = this.inputs.read(source.quantity, now);
				if (value !== value)
					state = LampState.unknown;
				else if (source.analogue)
					state = (source.above ? value >= source.threshold : value <= source.threshold) ? LampState.on : LampState.off;
				else
					state = value !== 0 ? LampState.on : LampState.off;
				if (i <= Telltale.turnRight)
					state = this.flash(i, state, now);
			}
			if (state !== this.shown[i]) {
				this.shown[i] = state;
				changed |= 1 << i;
			}
		}
		if (bulbCheck)
			this.flashStart.fill(NaN);
		this.changed = changed;
		return changed;
	}

	/**
	 * Turns a steady turn-signal request into flashes: lit for the first half of
	 * each period, starting lit the moment the stalk moves.
	 */
	private flash(which: number, request: number, now: number): number {
		if (request !== LampState.on) {
			this.flashStart[which] = NaN;
			return request;
		}
		let start = this.flashStart[which];
		if (start !== start)
			start = this.flashStart[which] = now;
		const phase = (now - start) % FLASH_PERIOD_MS;
		return phase < FLASH_PERIOD_MS / 2 ? LampState.on : LampState.off;
	}
}
