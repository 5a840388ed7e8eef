/*
 * carDomain: the Preference domain a car's own storage lives under, on a
 * host whose one Preference store serves every car the firmware is built
 * for: the simulator (one file for the demo car and every `npm start --
 * --car`). The trip log and the vehicle pack slots are keyed by the name of
 * the car the firmware was built for (PackInstaller's
 * StartedCar.builtInName), so two built-in cars never see each other's
 * odometer or packs, and a pack (a software update for the same car, whose
 * name may change) keeps the car's. A board has one car and its own
 * partitions, and does not use this. Runs on XS and Node; allocates the
 * string.
 */

/** Longest prefix: Preference names are at most 15 characters, and the tag takes 7. */
export const CAR_DOMAIN_PREFIX_MAX = 8;

/**
 * `prefix`, "-" and six hex digits of an FNV-1a hash of `car` (e.g.
 * "xsc-trip-1a2b3c"), within Preference's 15-character limit.
 * @throws RangeError for a prefix longer than CAR_DOMAIN_PREFIX_MAX.
 */
export function carDomain(prefix: string, car: string): string {
	if (prefix.length > CAR_DOMAIN_PREFIX_MAX)
		throw new RangeError(`carDomain: prefix '${prefix}' over ${CAR_DOMAIN_PREFIX_MAX} characters`);
	let hash = 0x811c9dc5;
	for (let i = 0; i < car.length; i++)
		hash = Math.imul(hash ^ car.charCodeAt(i), 0x01000193) >>> 0;
	return `${prefix}-${(hash >>> 8).toString(16).padStart(6, "0")}`;
}
