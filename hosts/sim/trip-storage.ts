/*
 * Where the simulator keeps the odometer and trips (and the driver
 * profiles): the SDK's Preference
 * store (a file in the simulator), seen as a two-block flash region by
 * PreferenceFlash so TripMemory's record log runs unchanged. The ESP32 host
 * has a flash partition instead (hosts/esp32/trip-storage.ts).
 * Runs in the Moddable simulator; allocates when opened.
 */
import Preference from "preference";
import type { FlashRegion } from "storage/flash";
import { PreferenceFlash } from "storage/preference-flash";
import type { Preferences } from "storage/preferences";
import { carDomain } from "storage/car-domain";

/** Preference domain of the trip log, before the car's tag. */
export const TRIP_STORAGE = "xsc-trip";

/** The Preference store (driver profiles live there). */
export function openPreferences(): Preferences {
	return Preference as unknown as Preferences;
}

/**
 * The trip log of the car named `car`: the name of the car the firmware was
 * built for (its built-in profile's), not a vehicle pack's, so installing a
 * pack keeps the odometer and trips (PackInstaller's StartedCar.builtInName).
 * One simulator runs many cars (the demo car, `npm start -- --car` with
 * yours) and its Preference store is one file for them all, so each car gets
 * its own domain: "xsc-trip-" and six hex digits of an FNV-1a hash of the
 * name, within Preference's 15-character limit (storage/car-domain; the pack
 * slots are keyed the same way).
 */
export function openTripFlash(car: string): FlashRegion {
	return new PreferenceFlash(Preference as unknown as Preferences, carDomain(TRIP_STORAGE, car));
}
