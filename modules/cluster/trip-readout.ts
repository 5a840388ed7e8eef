/*
 * TripReadout: what the trip page shows, from the trip computer, in the
 * driver's units: for trips A and B the distance, the driving time, the
 * average speed, the fuel used and the economy, and the range left.
 *
 * Like the gauges, each figure is quantised to what the page can show (tenths
 * of a km, whole minutes...) and its text is rebuilt only when that changes,
 * so the page redraws a cell only when its digits move. Unknown figures (no
 * fuel data, a trip too short for an economy) show `--`, never a made-up
 * zero. Range is rounded down: the cluster never promises distance the tank
 * may not hold.
 *
 * Plain TypeScript, tested under vitest; runs on XS and Node. `update`
 * allocates only the strings of cells that changed.
 */
import type { Trip, TripComputer } from "./trip.js";
import { type UnitSystem, distance, economy, stepsDown, volume } from "./units.js";

/** Row names of the trip page, top to bottom; `TripReadout.cells` follows this order. */
export const TRIP_ROWS: readonly string[] = Object.freeze(["Distance", "Driving time", "Average speed", "Fuel used", "Economy"]);
const DISTANCE = 0, TIME = 1, AVERAGE = 2, FUEL = 3, ECONOMY = 4;
/** `quantised` slot of the range, after the rows' two columns each. */
const RANGE = TRIP_ROWS.length * 2;

export class TripReadout {
	/** Shown text by row (TRIP_ROWS order) and column (0 trip A, 1 trip B). */
	readonly cells: string[][] = TRIP_ROWS.map(() => ["--", "--"]);
	/**
	 * Row names: TRIP_ROWS, but the economy row carries its unit ("Economy
	 * L/100 km"), which does not fit in a cell beside the figure.
	 */
	readonly names: string[] = [...TRIP_ROWS];
	/** Distance left on the fuel in the tank, e.g. "420 km". */
	range = "--";
	/** The quantised value behind each cell and the range; NaN is unknown. */
	private readonly quantised = new Float64Array(RANGE + 1).fill(-1);
	private units: UnitSystem | null = null;

	/**
	 * Brings the text up to `trip` in `units`; true when any text changed.
	 * Allocates only the strings of changed cells.
	 */
	update(trip: TripComputer, units: UnitSystem): boolean {
		const unitsChanged = units !== this.units;
		this.units = units;
		if (unitsChanged)
			this.names[ECONOMY] = `${TRIP_ROWS[ECONOMY]} ${units.economyLabel}`;
		let changed = false;
		for (let column = 0; column < 2; column++) {
			const t: Trip = column === 0 ? trip.tripA : trip.tripB;
			changed = this.set(DISTANCE, column, stepsDown(distance(t.distance, units), 10), unitsChanged) || changed;
			changed = this.set(TIME, column, Math.floor(t.time / 60000), unitsChanged) || changed;
			changed = this.set(AVERAGE, column, Math.round(distance(t.averageSpeed, units)), unitsChanged) || changed;
			// No fuel counted means no fuel data (a trip does not burn nothing), shown as unknown.
			changed = this.set(FUEL, column, t.fuel > 0 ? Math.round(volume(t.fuel, units) * 10) : NaN, unitsChanged) || changed;
			changed = this.set(ECONOMY, column, Math.round(economy(t.economy, units) * 10), unitsChanged) || changed;
		}
		const range = stepsDown(distance(trip.range, units), 1);
		if (unitsChanged || !same(range, this.quantised[RANGE])) {
			this.quantised[RANGE] = range;
			this.range = range >= 0 ? `${range} ${units.distanceLabel}` : "--";
			changed = true;
		}
		return changed;
	}

	private set(row: number, column: number, value: number, force: boolean): boolean {
		const slot = row * 2 + column;
		if (!force && same(value, this.quantised[slot]))
			return false;
		this.quantised[slot] = value;
		this.cells[row][column] = value === value && value < Infinity ? this.format(row, value) : "--";
		return true;
	}

	private format(row: number, value: number): string {
		const units = this.units!;
		switch (row) {
		case DISTANCE: return `${tenths(value)} ${units.distanceLabel}`;
		case TIME: return value < 60 ? `${value} min` : `${Math.floor(value / 60)} h ${String(value % 60).padStart(2, "0")}`;
		case AVERAGE: return `${value} ${units.speedLabel}`;
		case FUEL: return `${tenths(value)} ${units.volumeLabel}`;
		default: return tenths(value);
		}
	}
}

/** "12.3" from 123 tenths. */
function tenths(value: number): string {
	return `${Math.floor(value / 10)}.${value % 10}`;
}

function same(a: number, b: number): boolean {
	return a === b || (a !== a && b !== b);
}
