/*
 * Power cuts through a pack update, written once for both engines:
 * test/pack.test.ts runs it on Node with the firmware's real signature check,
 * test/pack-on-xs.test.ts on XS (xsnap) with an oracle of signatures Node
 * verified, and compares the two. No Node APIs: it compiles for XS.
 */
import { PackInstaller, type BuiltInCar } from "../../modules/pack/installer.js";
import type { PackSignature } from "../../modules/pack/check.js";
import { LOG_BLOCKS, PackSlots } from "../../modules/pack/slots.js";
import { FakeFlash, PowerCut } from "../fixtures/fake-flash.js";

export interface PackUpdateCuts {
	/** Packs 1.0.0 (installed first) and 2.0.0 (the update), signed for `signature`. */
	readonly v1: Uint8Array;
	readonly v2: Uint8Array;
	readonly builtIn: BuiltInCar;
	readonly signature: PackSignature;
	/** Cuts at every `stride`th step of the update, and at every one of its last `tail` steps and just after the last. */
	readonly stride: number;
	readonly tail: number;
}

/** What the cuts left: old pack, new pack; `problems` names each cut that left anything else, or too early, or overwrote flash. */
export interface PackUpdateCutsResult {
	total: number;
	cuts: number;
	olds: number;
	news: number;
	problems: string[];
}

const BLOCK = 4096;

/** The pack partition: the boot record's blocks and two slots of four blocks (16 KiB packs), NOR flash that can lose power at any byte. */
export function packFlash(seed = 1): FakeFlash {
	return new FakeFlash((LOG_BLOCKS + 2 * 4) * BLOCK, BLOCK, seed);
}

/** Byte steps (bytes written and erased) `flash` has taken: where a power cut can strike. */
export function stepsTaken(flash: FakeFlash): number {
	let steps = flash.bytesWritten;
	for (const count of flash.eraseCounts)
		steps += count * flash.blockSize;
	return steps;
}

/** Runs `run` on `flash` with a power cut armed after `cut` steps; the power is back after it, whether the cut struck or not. */
export function runWithCut(flash: FakeFlash, cut: number, run: (flash: FakeFlash) => void): void {
	flash.cutAfter(cut);
	try {
		run(flash);
	}
	catch (error) {
		if (!(error instanceof PowerCut))
			throw error;
	}
	flash.restore();
}

/**
 * From a device running v1 (slot A), v2 offered and written, the power cut
 * at step `cut` (a byte written or erased); then the next start runs v1 or
 * v2 from its slot, never the built-in car or nothing, and v2 only once the
 * boot record's CRC, its last bytes, is on flash. Both outcomes happen.
 */
export function packUpdateCuts(options: PackUpdateCuts): PackUpdateCutsResult {
	const { v1, v2, builtIn, signature, stride, tail } = options;
	const boot = (flash: FakeFlash) => {
		const packs = new PackInstaller(new PackSlots(flash), signature);
		return { packs, car: packs.start(builtIn) };
	};
	const problems: string[] = [];
	const prepared = packFlash();
	{
		const { packs } = boot(prepared);
		packs.started();
		if (!packs.offer(v1).accepted)
			problems.push("v1 was not accepted");
		packs.finish();
		boot(prepared).packs.started();
	}
	const update = (flash: FakeFlash) => {
		const { packs } = boot(flash);
		packs.started();
		packs.offer(v2);
		packs.finish();
	};
	// The update's steps, counted on a copy of the prepared flash.
	const counting = packFlash();
	counting.bytes.set(prepared.bytes);
	update(counting);
	const total = stepsTaken(counting);
	let cuts = 0, olds = 0, news = 0;
	for (let cut = 0; cut <= total; cut++) {
		if (cut % stride !== 0 && cut < total - tail)
			continue;
		const flash = packFlash(cut + 1);
		flash.bytes.set(prepared.bytes);
		runWithCut(flash, cut, update);
		cuts++;
		const info = boot(flash).car.info, at = `cut after ${cut} of ${total} steps`;
		if (info.slot === "built-in" || (info.version !== "1.0.0" && info.version !== "2.0.0"))
			problems.push(`${at}: ${info.version} from ${info.slot}`);
		else if (info.version === "1.0.0")
			olds++;
		else {
			news++;
			if (cut < total - 4)
				problems.push(`${at}: the new pack before the boot record was complete`);
		}
		if (flash.overwrites)
			problems.push(`${at}: ${flash.overwrites} bytes overwritten`);
	}
	return { total, cuts, olds, news, problems };
}
