/*
 * Where the simulator keeps vehicle packs: the SDK's Preference store (a
 * file in the simulator) seen as flash by PreferenceFlash, 50 blocks of
 * 2 KB: the boot record's two and two slots of 24 (packs up to 48 KB). The
 * ESP32 host has a partition instead (hosts/esp32/pack-storage.ts).
 * Runs in the Moddable simulator; allocates when opened.
 */
import Preference from "preference";
import type { FlashRegion } from "storage/flash";
import { PreferenceFlash } from "storage/preference-flash";
import type { Preferences } from "storage/preferences";
import { carDomain } from "storage/car-domain";

/** Preference domain of the pack slots, before the car's tag (the ESP32's partition name). */
export const PACK_STORAGE = "xsc-pack";
/** The slots' flash: 50 blocks of 2 KB. */
export const PACK_BLOCKS = 50, PACK_BLOCK_BYTES = 2048;

/**
 * The pack slots of the car named `car`: the car the firmware was built for
 * (its built-in profile's name), as the trip log is keyed. One simulator
 * builds many cars (the demo car, `npm start -- --car` with yours) on one
 * Preference file, and a pack is for the car it was installed on, so each
 * car has its own slots: domain "xsc-pack-" and six hex digits of its name's
 * hash (storage/car-domain).
 */
export function openPackFlash(car: string): FlashRegion {
	return new PreferenceFlash(Preference as unknown as Preferences, carDomain(PACK_STORAGE, car), PACK_BLOCKS, PACK_BLOCK_BYTES);
}
