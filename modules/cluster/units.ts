/*
 * Display units: the one place that knows how a canonical quantity (km/h, km,
 * °C, see quantity.ts) is shown in metric or imperial units.
 *
 * Everything below the display speaks canonical units; the cluster model asks
 * here when it turns a value into needle positions and digits. Runs on XS and
 * Node; the unit systems are frozen constants allocated once at load.
 */

export interface UnitSystem {
	readonly name: "metric" | "imperial";
	/** Display units per km/h. */
	readonly speedPerKmh: number;
	readonly speedLabel: string;
	/** Top of the speedometer scale, in display units, and the step between its numbers. */
	readonly speedScaleMax: number;
	readonly speedScaleStep: number;
	/** Display units per km. */
	readonly distancePerKm: number;
	readonly distanceLabel: string;
	/** Temperature label; the conversion is `temperature()`. */
	readonly temperatureLabel: string;
	/** Display units per litre (L or US gallons). */
	readonly volumePerLitre: number;
	readonly volumeLabel: string;
	/** Fuel economy label; the conversion is `economy()` (L/100 km, or miles per US gallon). */
	readonly economyLabel: string;
}

export const METRIC: UnitSystem = Object.freeze({
	name: "metric",
	speedPerKmh: 1,
	speedLabel: "km/h",
	speedScaleMax: 240,
	speedScaleStep: 40,
	distancePerKm: 1,
	distanceLabel: "km",
	temperatureLabel: "C",
	volumePerLitre: 1,
	volumeLabel: "L",
	economyLabel: "L/100 km",
});

const KM_PER_MILE = 1.609344;
const LITRES_PER_US_GALLON = 3.785411784;

export const IMPERIAL: UnitSystem = Object.freeze({
	name: "imperial",
	speedPerKmh: 1 / KM_PER_MILE,
	speedLabel: "mph",
	speedScaleMax: 160,
	speedScaleStep: 20,
	distancePerKm: 1 / KM_PER_MILE,
	distanceLabel: "mi",
	temperatureLabel: "F",
	volumePerLitre: 1 / LITRES_PER_US_GALLON,
	volumeLabel: "gal",
	economyLabel: "mpg",
});

/** km/h in `units`. NaN stays NaN. */
export function speed(kmh: number, units: UnitSystem): number {
	return kmh * units.speedPerKmh;
}

/** km in `units`. */
export function distance(km: number, units: UnitSystem): number {
	return km * units.distancePerKm;
}

/** °C in `units`. */
export function temperature(celsius: number, units: UnitSystem): number {
	return units === IMPERIAL ? celsius * 1.8 + 32 : celsius;
}

/** Litres in `units`. */
export function volume(litres: number, units: UnitSystem): number {
	return litres * units.volumePerLitre;
}

/** Fuel economy from L/100 km: the same in metric, miles per US gallon in imperial (more is better there). NaN stays NaN. */
export function economy(litresPer100km: number, units: UnitSystem): number {
	return units === IMPERIAL ? 100 * LITRES_PER_US_GALLON / KM_PER_MILE / litresPer100km : litresPer100km;
}

/**
 * `value` rounded down to whole `1 / per` steps, as a count of steps (tenths
 * of a km for `per` 10). Distances are shown rounded down, never ahead of the
 * car; a sum of float increments that lands a hair under a step (4.99999999
 * km after five minutes at 60 km/h) still counts that step.
 */
export function stepsDown(value: number, per: number): number {
	return Math.floor(value * per + 1e-6);
}
