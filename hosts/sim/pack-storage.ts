/*
 * Where the simulator keeps vehicle packs: the SDK's Preference store (a
 * file in the simulator) seen as flash by PreferenceFlash, 50 blocks of
 * 2 KB under the domain `xsc-pack`: the boot record's two and two slots of
 * 24 (packs up to 48 KB). The ESP32 host has a partition instead
 * (hosts/esp32/pack-storage.ts). Runs in the Moddable simulator; allocates
 * when opened.
 */
import Preference from "preference";
import type { FlashRegion } from "storage/flash";
import { PreferenceFlash } from "storage/preference-flash";
import type { Preferences } from "storage/preferences";

/** Preference domain of the pack slots (the ESP32's partition name). */
export const PACK_STORAGE = "xsc-pack";
const BLOCKS = 50, BLOCK_BYTES = 2048;

/** The pack slots' flash. */
export function openPackFlash(): FlashRegion {
	return new PreferenceFlash(Preference as unknown as Preferences, PACK_STORAGE, BLOCKS, BLOCK_BYTES);
}
