/*
 * The quantities a cluster shows, each in one canonical unit. A vehicle
 * profile says which decoded signal feeds each one; everything above this
 * line (gauges, telltales, alerts, trip) speaks only in quantities.
 * Runs on XS and Node.
 */

export const Quantity = Object.freeze({
	/** Vehicle speed, km/h. */
	speed: 0,
	/** Engine speed, rpm. */
	rpm: 1,
	/** Gear code as the car sends it; the profile's gear labels name it. */
	gear: 2,
	/** Engine coolant temperature, °C. */
	coolantTemp: 3,
	/** Fuel level, % of the tank. */
	fuelLevel: 4,
	/** Oil pressure, kPa. */
	oilPressure: 5,
	/** Oil temperature, °C. */
	oilTemp: 6,
	/** Battery or system voltage, V. */
	batteryVoltage: 7,
	/** Outside air temperature, °C. */
	ambientTemp: 8,
	/** Odometer as the car reports it, km. */
	odometer: 9,
	/** Fuel flow, L/h (for economy and range). */
	fuelRate: 10,
	/** Instrument dimmer, % (0 darkest). */
	dimmer: 11,
	/** Headlight switch: 0 off, non-zero on (parking, low, high). */
	headlights: 12,
	// Discrete states: non-zero is on.
	turnLeft: 13,
	turnRight: 14,
	highBeam: 15,
	parkingBrake: 16,
	doorOpen: 17,
	seatBeltUnbuckled: 18,
	checkEngine: 19,
	oilPressureLow: 20,
	chargeFault: 21,
	coolantOverheat: 22,
	lowFuel: 23,
	/** Driver key or seat-memory code as the car sends it: selects that driver's profile. */
	driverKey: 24,
});

export type QuantityName = keyof typeof Quantity;

export const QUANTITY_COUNT = 25;

/** Canonical unit of each quantity, by id; "" for codes and on/off states. */
export const QUANTITY_UNITS: readonly string[] = Object.freeze([
	"km/h", "rpm", "", "degC", "%", "kPa", "degC", "V", "degC", "km", "L/h", "%", "",
	"", "", "", "", "", "", "", "", "", "", "", "",
]);

/** Quantity names by id. Allocates once at load. */
export const QUANTITY_NAMES: readonly QuantityName[] = Object.freeze(
	(Object.keys(Quantity) as QuantityName[]).sort((a, b) => Quantity[a] - Quantity[b]),
);

/**
 * What the cluster reads quantities through (ProfileInputs, or a test's
 * fake): the one reader of gauges, telltales, trip, day/night and alerts.
 * A part that needs only some of it takes a `Pick` of it. No allocation.
 */
export interface QuantityReader {
	/** True when the profile maps `quantity` (from the bus or OBD-II). */
	has(quantity: number): boolean;
	/** The quantity in its canonical unit (QUANTITY_UNITS), NaN when unmapped or missing at `now`. */
	read(quantity: number, now: number): number;
	/** The raw code the car sends (gear, driver key), NaN when unmapped or missing at `now`. */
	readRaw(quantity: number, now: number): number;
}
