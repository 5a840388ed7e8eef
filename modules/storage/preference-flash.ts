/*
 * PreferenceFlash: a FlashRegion kept in the Preference store, one value per
 * block, for hosts without a flash partition to spare (the Moddable
 * simulator, where Preference is a file) so the odometer and trips still
 * survive a restart there. It behaves like NOR flash (erase to 0xFF, writes
 * clear bits) so the RecordLog above it runs unchanged.
 *
 * Not for the ESP32: each write rewrites a whole block value in NVS, which
 * NVS then copies again; a real partition through Moddable's `flash` module
 * is both faster and kinder to the chip. Runs on XS and Node; each call
 * allocates (the Preference API hands out copies).
 */
import type { FlashRegion } from "./flash.js";
import { MAX_PREFERENCE_BYTES, type Preferences } from "./preferences.js";

export class PreferenceFlash implements FlashRegion {
	readonly byteLength: number;
	readonly blockSize: number;
	private readonly prefs: Preferences;
	private readonly domain: string;

	/**
	 * @param domain Preference domain (at most 15 characters) used by nothing else.
	 * @throws RangeError for blocks over the Preference value limit or fewer than two.
	 */
	constructor(prefs: Preferences, domain: string, blocks = 2, blockSize = 2048) {
		if (blockSize > MAX_PREFERENCE_BYTES || blockSize < 64 || blocks < 2)
			throw new RangeError(`PreferenceFlash needs two or more blocks of 64..${MAX_PREFERENCE_BYTES} bytes`);
		this.prefs = prefs;
		this.domain = domain;
		this.blockSize = blockSize;
		this.byteLength = blocks * blockSize;
	}

	read(offset: number, byteLength: number): ArrayBuffer {
		this.check(offset, byteLength);
		const out = new Uint8Array(byteLength);
		for (let i = 0; i < byteLength;) {
			const block = Math.floor((offset + i) / this.blockSize);
			const start = (offset + i) - block * this.blockSize;
			const n = Math.min(byteLength - i, this.blockSize - start);
			out.set(this.block(block).subarray(start, start + n), i);
			i += n;
		}
		return out.buffer;
	}

	erase(block: number): void {
		if (!(block >= 0 && block < this.byteLength / this.blockSize))
			throw new RangeError(`no block ${block}`);
		this.prefs.set(this.domain, `b${block}`, new Uint8Array(this.blockSize).fill(0xFF).buffer);
	}

	write(offset: number, byteLength: number, buffer: ArrayBufferLike | Uint8Array): void {
		this.check(offset, byteLength);
		const source = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
		for (let i = 0; i < byteLength;) {
			const block = Math.floor((offset + i) / this.blockSize);
			const start = (offset + i) - block * this.blockSize;
			const n = Math.min(byteLength - i, this.blockSize - start);
			const bytes = this.block(block);
			for (let k = 0; k < n; k++)
				bytes[start + k] &= source[i + k];
			this.prefs.set(this.domain, `b${block}`, bytes.buffer as ArrayBuffer);
			i += n;
		}
	}

	/** A block's bytes, erased (0xFF) when never written or of the wrong size. */
	private block(block: number): Uint8Array {
		const stored = this.prefs.get(this.domain, `b${block}`);
		if (stored instanceof ArrayBuffer && stored.byteLength === this.blockSize)
			return new Uint8Array(stored);
		return new Uint8Array(this.blockSize).fill(0xFF);
	}

	private check(offset: number, byteLength: number): void {
		if (!(offset >= 0 && byteLength >= 0 && offset + byteLength <= this.byteLength))
			throw new RangeError(`flash access ${offset}+${byteLength} outside ${this.byteLength} bytes`);
	}
}
