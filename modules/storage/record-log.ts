/*
 * RecordLog: one small fixed-size record (odometer, trips) kept in flash so
 * that a power cut at any instant leaves the last complete record readable.
 *
 * The region is a ring of blocks, each cut into fixed-size slots. Every save
 * appends a new record to the next slot; a block is erased only when the log
 * enters it, and never while it holds the newest record, so there is always a
 * complete copy on flash. On start `load()` scans every slot and keeps the
 * valid record with the highest sequence number: a torn record (cut during
 * its write) or a half-erased block fails the checksum and is ignored.
 *
 * Record layout (little-endian), one per slot, slot size a multiple of 16:
 *   0  u32  magic      what kind of record (set by the owner, e.g. "XSTR")
 *   4  u32  sequence   1, 2, 3, ... across the whole log
 *   8  u16  length     payload bytes
 *  10  u16  reserved   0
 *  12  ...  payload
 *  12+length  u32  CRC-32 of bytes 0 .. 12+length
 * The CRC comes last: a write cut part-way leaves it erased or wrong.
 *
 * Wear: each block is erased once per `slotsPerBlock` saves, spread over all
 * blocks of the region; `wearLimitedIntervalMs` says how often saving is
 * affordable. Runs on XS and Node; allocates its slot buffer once, and
 * `FlashRegion.read` allocates per call (as Moddable's does), so `load` and
 * `save` are not for the display clock's hot path: call `save` seconds apart.
 */
import { crc32 } from "./crc32.js";
import { ERASED, type FlashRegion } from "./flash.js";

const HEADER_BYTES = 12;
const CRC_BYTES = 4;

export interface RecordLogOptions {
	/** Identifies the kind of record; records with another magic are ignored. */
	magic: number;
	/** Bytes of payload per record, 1..65535. */
	payloadBytes: number;
}

/** Typical NOR flash endurance: erase cycles per block (ESP32 SPI flash datasheets give 100,000). */
export const DEFAULT_ENDURANCE_CYCLES = 100000;

export class RecordLog {
	readonly flash: FlashRegion;
	readonly magic: number;
	readonly payloadBytes: number;
	readonly slotBytes: number;
	readonly slotsPerBlock: number;
	readonly blocks: number;
	/** Sequence number of the newest record on flash, 0 when there is none. */
	sequence = 0;
	/** Records written by `save`. */
	writes = 0;
	/** Blocks erased by `save`. */
	erases = 0;
	/** Slots found torn or corrupt by `load`, and slots skipped by `save` because they were not blank. */
	damaged = 0;
	/** Valid records `load`'s `accept` refused, newer than the one it took. */
	refused = 0;

	/** Slot index (over the whole region) the next save goes to. */
	private next = 0;
	/** Slot holding the newest valid record, -1 when none. */
	private newest = -1;
	/** False until `load` has scanned the flash: saving blind would erase the newest record. */
	private loaded = false;
	private readonly slot: Uint8Array;
	private readonly view: DataView;

	/** @throws RangeError when the region cannot hold two blocks of at least one slot. */
	constructor(flash: FlashRegion, options: RecordLogOptions) {
		this.flash = flash;
		this.magic = options.magic >>> 0;
		this.payloadBytes = options.payloadBytes;
		if (!(Number.isInteger(this.payloadBytes) && this.payloadBytes > 0 && this.payloadBytes <= 0xFFFF))
			throw new RangeError(`record payload must be 1..65535 bytes, not ${options.payloadBytes}`);
		this.slotBytes = (HEADER_BYTES + this.payloadBytes + CRC_BYTES + 15) & ~15;
		this.slotsPerBlock = Math.floor(flash.blockSize / this.slotBytes);
		this.blocks = Math.floor(flash.byteLength / flash.blockSize);
		// Two blocks at least: the block being erased must never be the one holding the newest record.
		if (this.slotsPerBlock < 1 || this.blocks < 2)
			throw new RangeError(`flash region of ${flash.byteLength} bytes in ${flash.blockSize}-byte blocks cannot hold a ${this.slotBytes}-byte record log`);
		this.slot = new Uint8Array(this.slotBytes);
		this.view = new DataView(this.slot.buffer);
	}

	/** Slots in the whole log. */
	get capacity(): number {
		return this.blocks * this.slotsPerBlock;
	}

	/** Slot the next `save` tries first (it skips slots that are not blank). For logs used as queues. */
	get nextSlot(): number {
		return this.next;
	}

	/** Slot holding the newest record (the one the last `save` wrote), -1 when none. */
	get newestSlot(): number {
		return this.newest;
	}

	/**
	 * Calls `visit` for every valid record, in slot order, with its slot, its
	 * sequence number and its payload (the log's scratch slot, valid only
	 * during the call). A log used as a queue keeps every record, not only the
	 * newest: this is how it finds them after a restart. Reads every slot;
	 * allocates what `FlashRegion.read` allocates. Returns the records visited.
	 */
	scan(visit: (slot: number, sequence: number, payload: Uint8Array) => void): number {
		let count = 0;
		for (let s = 0; s < this.capacity; s++) {
			const sequence = this.readValid(s);
			if (sequence < 0)
				continue;
			count++;
			visit(s, sequence, this.slot.subarray(HEADER_BYTES, HEADER_BYTES + this.payloadBytes));
		}
		return count;
	}

	/**
	 * Copies the payload of the valid record in `slot` into `into`; returns its
	 * sequence number, or -1 (and leaves `into` alone) when the slot holds no
	 * valid record of this log. Allocates what `FlashRegion.read` allocates.
	 */
	readSlot(slot: number, into: Uint8Array): number {
		if (!(Number.isInteger(slot) && slot >= 0 && slot < this.capacity))
			return -1;
		const sequence = this.readValid(slot);
		if (sequence >= 0)
			into.set(this.slot.subarray(HEADER_BYTES, HEADER_BYTES + Math.min(this.payloadBytes, into.length)));
		return sequence;
	}

	/**
	 * Finds the newest valid record that `accept` takes (every valid one when
	 * omitted) and copies its payload into `into`. A record `accept` refuses
	 * (written by older firmware, say) is passed over for the next older one,
	 * and counted in `refused`: a restore falls back to the last good state,
	 * never to nothing while one is on flash. `accept` sees the payload in the
	 * log's scratch slot, valid only during the call. Returns false (and
	 * leaves `into` alone) when no record is taken. Reads every slot once;
	 * allocates one number per slot and what `FlashRegion.read` allocates.
	 */
	load(into: Uint8Array, accept?: (payload: Uint8Array) => boolean): boolean {
		this.loaded = true;
		this.damaged = 0;
		this.refused = 0;
		const sequences = new Float64Array(this.capacity);
		let top = -1, topSequence = 0;
		for (let s = 0; s < this.capacity; s++) {
			const sequence = this.readValid(s);
			if (sequence < 0)
				continue;
			sequences[s] = sequence;
			if (sequence > topSequence) {
				topSequence = sequence;
				top = s;
			}
		}
		// New records continue above every valid one, refused or not, so they supersede it.
		this.sequence = topSequence;
		this.next = (top + 1) % this.capacity;
		this.newest = -1;
		for (let below = Infinity; ;) {
			let best = -1, bestSequence = 0;
			for (let s = 0; s < this.capacity; s++) {
				const sequence = sequences[s];
				if (sequence > bestSequence && sequence < below) {
					bestSequence = sequence;
					best = s;
				}
			}
			if (best < 0)
				return false;
			this.readValid(best);
			const payload = this.slot.subarray(HEADER_BYTES, HEADER_BYTES + this.payloadBytes);
			if (!accept || accept(payload)) {
				into.set(payload.subarray(0, Math.min(this.payloadBytes, into.length)));
				// The next save goes after the record taken: the slots after it in its
				// block are skipped as not blank, the block after is erased, and the
				// block holding this, now the only good copy, is kept.
				this.next = (best + 1) % this.capacity;
				this.newest = best;
				return true;
			}
			this.refused++;
			below = bestSequence;
		}
	}

	/**
	 * Appends `payload` (exactly `payloadBytes` long) as the newest record.
	 * Erases the next block first when the log enters it. A power cut inside
	 * leaves the previous record as the newest valid one.
	 * @throws RangeError for a payload of the wrong size.
	 */
	save(payload: Uint8Array): void {
		if (payload.length !== this.payloadBytes)
			throw new RangeError(`record payload is ${this.payloadBytes} bytes, got ${payload.length}`);
		if (!this.loaded)
			this.load(new Uint8Array(this.payloadBytes));
		const bytes = HEADER_BYTES + this.payloadBytes + CRC_BYTES;

		// At most one full lap: every slot of the ring tried once.
		for (let tries = 0; tries < this.capacity; tries++) {
			const s = this.next;
			const inBlock = s % this.slotsPerBlock;
			const block = (s - inBlock) / this.slotsPerBlock;
			if (inBlock === 0) {
				if (this.newest >= 0 && (this.newest - this.newest % this.slotsPerBlock) / this.slotsPerBlock === block)
					break; // never erase the only complete copy
				this.flash.erase(block);
				this.erases++;
			}
			else if (!this.isBlank(s)) {
				// Torn by an earlier power cut: programming over it would AND two records together.
				this.damaged++;
				this.advance();
				continue;
			}
			this.compose(payload);
			this.flash.write(this.offsetOf(s), bytes, this.slot);
			this.advance();
			if (this.readValid(s) === this.sequence + 1) {
				this.sequence++;
				this.writes++;
				this.newest = s;
				return;
			}
			// Read-back failed (a worn or disturbed cell): the record goes to the next slot.
			this.damaged++;
		}
		throw new Error("record log: no slot accepted the record (flash worn out?)");
	}

	private advance(): void {
		this.next = (this.next + 1) % this.capacity;
	}

	private offsetOf(s: number): number {
		const inBlock = s % this.slotsPerBlock;
		return ((s - inBlock) / this.slotsPerBlock) * this.flash.blockSize + inBlock * this.slotBytes;
	}

	/** Reads slot `s` into `slot`; returns its sequence number when it holds a valid record, else -1. */
	private readValid(s: number): number {
		const bytes = new Uint8Array(this.flash.read(this.offsetOf(s), this.slotBytes));
		this.slot.set(bytes);
		const view = this.view;
		const magic = view.getUint32(0, true);
		if (magic === 0xFFFFFFFF && bytes[4] === ERASED)
			return -1; // blank, not damage
		const length = view.getUint16(8, true);
		if (magic !== this.magic || length !== this.payloadBytes) {
			this.damaged++;
			return -1;
		}
		const end = HEADER_BYTES + length;
		if (view.getUint32(end, true) !== crc32(this.slot, 0, end)) {
			this.damaged++;
			return -1;
		}
		const sequence = view.getUint32(4, true);
		return sequence === 0 ? -1 : sequence;
	}

	/** Lays out the next record in the scratch slot. */
	private compose(payload: Uint8Array): void {
		const slot = this.slot, view = this.view;
		slot.fill(0);
		view.setUint32(0, this.magic, true);
		view.setUint32(4, this.sequence + 1, true);
		view.setUint16(8, this.payloadBytes, true);
		slot.set(payload, HEADER_BYTES);
		const end = HEADER_BYTES + this.payloadBytes;
		view.setUint32(end, crc32(slot, 0, end), true);
	}

	private isBlank(s: number): boolean {
		const bytes = new Uint8Array(this.flash.read(this.offsetOf(s), this.slotBytes));
		for (let i = 0; i < bytes.length; i++)
			if (bytes[i] !== ERASED)
				return false;
		return true;
	}
}

/**
 * The shortest save interval the flash can sustain for `lifetimeHours` of
 * running (saving only while something changed), given the log's geometry
 * and the flash's erase endurance. Example: two 4 KiB blocks of 128-byte
 * slots = 64 saves per erase round; at 100,000 cycles and 20,000 hours, one
 * save every 11.25 s is affordable.
 */
export function wearLimitedIntervalMs(log: Pick<RecordLog, "capacity">, lifetimeHours = 20000, enduranceCycles = DEFAULT_ENDURANCE_CYCLES): number {
	return Math.ceil(lifetimeHours * 3600000 / (log.capacity * enduranceCycles));
}
