/*
 * CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320): the checksum that
 * tells a record that was written whole from one torn by a power cut.
 *
 * Runs on XS and Node. The 1 KiB table is built once at module load; `crc32`
 * itself allocates nothing, so saving a record costs no garbage.
 */

const TABLE = new Uint32Array(256);
for (let n = 0; n < 256; n++) {
	let c = n;
	for (let k = 0; k < 8; k++)
		c = c & 1 ? 0xEDB88320 ^ (c >>> 1) : c >>> 1;
	TABLE[n] = c >>> 0;
}

/** CRC-32 of `bytes[start, end)`; the check value of "123456789" is 0xCBF43926. No allocation. */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length): number {
	let crc = 0xFFFFFFFF;
	for (let i = start; i < end; i++)
		crc = TABLE[(crc ^ bytes[i]) & 0xFF] ^ (crc >>> 8);
	return (crc ^ 0xFFFFFFFF) >>> 0;
}
