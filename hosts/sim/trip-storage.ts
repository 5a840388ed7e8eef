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

/** Preference domain (and ESP32 partition name) of the trip log. */
export const TRIP_STORAGE = "xsc-trip";

/** The Preference store (driver profiles live there). */
export function openPreferences(): Preferences {
	return Preference as unknown as Preferences;
}

export function openTripFlash(): FlashRegion {
	return new PreferenceFlash(Preference as unknown as Preferences, TRIP_STORAGE);
}
