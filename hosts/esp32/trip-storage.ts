/*
 * Where the ESP32 keeps the odometer and trips (and, in NVS through
 * Preference, the driver profiles): the `xsc-trip` data partition
 * (hosts/esp32/partitions.csv) through the SDK's `flash` module. TripMemory's
 * record log writes it in alternating sectors with sequence numbers and
 * checksums, so a power cut at any instant loses at most one save interval.
 * Runs on the ESP32; allocates when opened.
 */
import Flash from "flash";
import Preference from "preference";
import type { FlashRegion } from "storage/flash";
import type { Preferences } from "storage/preferences";

/** Partition name of the trip log (the simulator uses it as a Preference domain). */
export const TRIP_STORAGE = "xsc-trip";

/** The Preference store (NVS; driver profiles live there). */
export function openPreferences(): Preferences {
	return Preference as unknown as Preferences;
}

/** The trip log: the `xsc-trip` partition. A board serves one car, so `_car` (the firmware's car, StartedCar.builtInName) does not choose it. */
export function openTripFlash(_car: string): FlashRegion {
	return new Flash(TRIP_STORAGE) as unknown as FlashRegion;
}
