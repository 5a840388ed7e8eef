/*
 * Where the ESP32 keeps vehicle packs: the `xsc-pack` data partition
 * (hosts/esp32/partitions.csv, 192 KB: the boot record's two sectors and two
 * slots of 23 sectors, packs up to 92 KB) through the SDK's `flash` module.
 * PackSlots lays the A/B pair out on it (modules/pack/slots.ts).
 * Runs on the ESP32; allocates when opened.
 */
import Flash from "flash";
import type { FlashRegion } from "storage/flash";

/** Partition name of the pack slots (the simulator uses it as a Preference domain). */
export const PACK_STORAGE = "xsc-pack";

/** The pack slots' flash: the `xsc-pack` partition. A board serves one car, so `_car` (the firmware's car, StartedCar.builtInName) does not choose it. */
export function openPackFlash(_car: string): FlashRegion {
	return new Flash(PACK_STORAGE) as unknown as FlashRegion;
}
