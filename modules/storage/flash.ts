/*
 * FlashRegion: the piece of NOR flash persistence is handed, in the shape of
 * Moddable's `flash` module (`new Flash("partition")`: `byteLength`,
 * `blockSize`, `read`, `erase(block)`, `write`). The ESP32 host passes a real
 * partition, the simulator a file-backed stand-in, tests `test/fixtures/fake-flash.ts`.
 *
 * NOR flash facts the record log relies on: an erased byte reads 0xFF, a write
 * can only clear bits (so a byte is written once per erase), and erasing works
 * on whole blocks. A power cut can stop a write after any byte and an erase
 * part-way through its block. Types only; runs anywhere.
 */

export interface FlashRegion {
	/** Size of the region in bytes, a multiple of `blockSize`. */
	readonly byteLength: number;
	/** Erase unit (sector), bytes; usually 4096. */
	readonly blockSize: number;
	/** Reads `byteLength` bytes at `offset` into a new ArrayBuffer. Allocates. */
	read(offset: number, byteLength: number): ArrayBuffer;
	/** Erases block `block` (index, not offset): every byte becomes 0xFF. */
	erase(block: number): void;
	/** Programs the first `byteLength` bytes of `buffer` at `offset`. */
	write(offset: number, byteLength: number, buffer: ArrayBufferLike | Uint8Array): void;
}

/** Value of an erased flash byte. */
export const ERASED = 0xFF;
