/*
 * PackSlots: where vehicle packs live on the device, an A/B pair in one
 * data partition (`xsc-pack`, hosts/esp32/partitions.csv), and the one
 * record that says which pack starts.
 *
 *   blocks 0 .. LOG_BLOCKS-1   the boot record, a RecordLog (power-cut safe:
 *                              after a cut the last complete record is read)
 *   then slot A, then slot B   each `slotBlocks` blocks: a pack's bytes as
 *                              received, nothing else
 *
 * The switch is the boot record alone. A pack is written whole into the
 * slot no record points to as the pack to start, read back and its CRC-32
 * compared, and only then is a record saved that names it. A power cut
 * before that record is complete leaves the old record, so the old pack
 * starts; a cut after it leaves the new one. The record carries each
 * slot's length and CRC-32, so a slot that changed under a record (a cut
 * while a later pack was written over the fallback) is known at start.
 *
 * Boot record (BOOT_RECORD_BYTES, little-endian):
 *   0  u8   active     slot that starts: 0 the built-in car, 1 A, 2 B
 *   1  u8   fallback   slot to go back to when the active one fails: 0, 1, 2
 *   2  u8   trial      1 while the active pack has not yet reached a display tick
 *   3  u8   attempts   starts of the trial pack so far
 *   4  u32  activeBytes, 8 u32 activeCrc
 *   12 u32  fallbackBytes, 16 u32 fallbackCrc
 *   20..31  0
 *
 * Runs on XS and Node; reads allocate what FlashRegion.read does (a slot's
 * bytes once at start), writes allocate nothing but RecordLog's scratch.
 */
import { crc32 } from "../storage/crc32.js";
import type { FlashRegion } from "../storage/flash.js";
import { RecordLog } from "../storage/record-log.js";

export const BOOT_MAGIC = 0x42505358; // "XSPB"
export const BOOT_RECORD_BYTES = 32;
export const LOG_BLOCKS = 2;

/** Slot numbers as the boot record writes them. */
export const Slot = Object.freeze({ builtIn: 0, a: 1, b: 2 });

export interface BootRecord {
	active: number;
	fallback: number;
	trial: boolean;
	attempts: number;
	activeBytes: number;
	activeCrc: number;
	fallbackBytes: number;
	fallbackCrc: number;
}

/** The built-in car with no pack in reserve: what a blank partition means. */
export function builtInRecord(): BootRecord {
	return { active: Slot.builtIn, fallback: Slot.builtIn, trial: false, attempts: 0, activeBytes: 0, activeCrc: 0, fallbackBytes: 0, fallbackCrc: 0 };
}

/** "built-in", "A" or "B". */
export function slotName(slot: number): string {
	return slot === Slot.a ? "A" : slot === Slot.b ? "B" : "built-in";
}

/**
 * A window of whole blocks of a FlashRegion, itself a FlashRegion: the boot
 * record's log sees only its blocks. No allocation beyond the parent's.
 */
export class FlashWindow implements FlashRegion {
	readonly byteLength: number;
	readonly blockSize: number;
	private readonly parent: FlashRegion;
	private readonly firstBlock: number;

	constructor(parent: FlashRegion, firstBlock: number, blocks: number) {
		this.parent = parent;
		this.blockSize = parent.blockSize;
		this.firstBlock = firstBlock;
		this.byteLength = blocks * parent.blockSize;
	}

	read(offset: number, byteLength: number): ArrayBuffer {
		this.check(offset, byteLength);
		return this.parent.read(this.firstBlock * this.blockSize + offset, byteLength);
	}

	erase(block: number): void {
		if (!(block >= 0 && block < this.byteLength / this.blockSize))
			throw new RangeError(`no block ${block}`);
		this.parent.erase(this.firstBlock + block);
	}

	write(offset: number, byteLength: number, buffer: ArrayBufferLike | Uint8Array): void {
		this.check(offset, byteLength);
		this.parent.write(this.firstBlock * this.blockSize + offset, byteLength, buffer);
	}

	private check(offset: number, byteLength: number): void {
		if (!(offset >= 0 && byteLength >= 0 && offset + byteLength <= this.byteLength))
			throw new RangeError(`flash access ${offset}+${byteLength} outside ${this.byteLength} bytes`);
	}
}

export class PackSlots {
	readonly flash: FlashRegion;
	readonly log: RecordLog;
	/** Blocks per slot. */
	readonly slotBlocks: number;
	/** The largest pack a slot holds. */
	readonly slotBytes: number;
	private readonly payload = new Uint8Array(BOOT_RECORD_BYTES);

	/** @throws RangeError when the region cannot hold the boot record and two slots of a block each. */
	constructor(flash: FlashRegion) {
		this.flash = flash;
		const blocks = Math.floor(flash.byteLength / flash.blockSize);
		this.slotBlocks = Math.floor((blocks - LOG_BLOCKS) / 2);
		if (this.slotBlocks < 1)
			throw new RangeError(`pack partition of ${flash.byteLength} bytes holds no A/B pair (${LOG_BLOCKS} blocks for the boot record and 2 slots)`);
		this.slotBytes = this.slotBlocks * flash.blockSize;
		this.log = new RecordLog(new FlashWindow(flash, 0, LOG_BLOCKS), { magic: BOOT_MAGIC, payloadBytes: BOOT_RECORD_BYTES });
	}

	/** The newest complete boot record, or the built-in car's when there is none. Reads the log; allocates the record. */
	load(): BootRecord {
		const p = this.payload;
		if (!this.log.load(p, payload => payload[0] <= Slot.b && payload[1] <= Slot.b))
			return builtInRecord();
		const view = new DataView(p.buffer);
		return {
			active: p[0], fallback: p[1], trial: p[2] === 1, attempts: p[3],
			activeBytes: view.getUint32(4, true), activeCrc: view.getUint32(8, true),
			fallbackBytes: view.getUint32(12, true), fallbackCrc: view.getUint32(16, true),
		};
	}

	/** Saves `record` as the newest: the switch itself. A cut inside leaves the previous record. */
	save(record: BootRecord): void {
		const p = this.payload;
		p.fill(0);
		p[0] = record.active;
		p[1] = record.fallback;
		p[2] = record.trial ? 1 : 0;
		p[3] = Math.min(record.attempts, 255);
		const view = new DataView(p.buffer);
		view.setUint32(4, record.activeBytes, true);
		view.setUint32(8, record.activeCrc >>> 0, true);
		view.setUint32(12, record.fallbackBytes, true);
		view.setUint32(16, record.fallbackCrc >>> 0, true);
		this.log.save(p);
	}

	/** First block of `slot` (1 or 2) in the partition. */
	firstBlock(slot: number): number {
		return LOG_BLOCKS + (slot - 1) * this.slotBlocks;
	}

	/** Erases block `index` (0-based within the slot): one sector erase, the slow half of writing a block. */
	eraseBlock(slot: number, index: number): void {
		this.flash.erase(this.firstBlock(slot) + index);
	}

	/** Programs erased block `index` with its part of `bytes`: one write of up to a block. */
	programBlock(slot: number, index: number, bytes: Uint8Array): void {
		const size = this.flash.blockSize, block = this.firstBlock(slot) + index;
		const start = index * size, length = Math.min(size, bytes.length - start);
		if (length > 0)
			this.flash.write(block * size, length, start === 0 && length === bytes.length ? bytes : bytes.subarray(start, start + length));
	}

	/** Blocks a pack of `length` bytes takes. */
	blocksFor(length: number): number {
		return Math.ceil(length / this.flash.blockSize);
	}

	/** The first `length` bytes of `slot`. Allocates them. */
	read(slot: number, length: number): Uint8Array {
		return new Uint8Array(this.flash.read(this.firstBlock(slot) * this.flash.blockSize, length));
	}

	/** The slot's first `length` bytes when their CRC-32 is `crc`, else null. Allocates them. */
	readChecked(slot: number, length: number, crc: number): Uint8Array | null {
		if (slot !== Slot.a && slot !== Slot.b || !(length > 0 && length <= this.slotBytes))
			return null;
		const bytes = this.read(slot, length);
		return crc32(bytes) === crc >>> 0 ? bytes : null;
	}
}
