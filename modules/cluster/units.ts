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
});

const KM_PER_MILE = 1.609344;

export const IMPERIAL: UnitSystem = Object.freeze({
	name: "imperial",
	speedPerKmh: 1 / KM_PER_MILE,
	speedLabel: "mph",
	speedScaleMax: 160,
	speedScaleStep: 20,
	distancePerKm: 1 / KM_PER_MILE,
	distanceLabel: "mi",
	temperatureLabel: "F",
});

export function unitSystem(name: string): UnitSystem {
	return name === "imperial" ? IMPERIAL : METRIC;
}

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
