/*
 * Vehicle pack: one car's compiled profile and decode plan (and optionally a
 * theme) in one signed file, `car.xspack`, for the device to take over the
 * air. docs/packs.md is the reference; this module is the one definition of
 * the layout, read by the device (PackInstaller) and written by the host
 * tool (`xs-cluster pack build`, tools/pack.ts).
 *
 * Layout, little-endian; payloads start 8-byte aligned:
 *   0    u32  magic            "XSPK" (0x4B505358)
 *   4    u16  format version   PACK_FORMAT_VERSION
 *   6    u16  header bytes     PACK_HEADER_BYTES
 *   8    u32  plan version     PLAN_VERSION of the plan payload
 *   12   u32  vehicle version  VEHICLE_VERSION of the profile payload
 *   16   u32  plan bytes
 *   20   u32  vehicle bytes
 *   24   u32  theme bytes      0: no theme
 *   28   u32  signature scheme 1: ECDSA P-256, SHA-256, r||s (IEEE P1363, 64 bytes)
 *   32   u32  key id           first 4 bytes (big-endian) of SHA-256 of the signing public key (65-byte point)
 *   36   u32  total bytes      of the whole pack, signature included
 *   40   24   version          UTF-8, NUL-padded ("1.4.0")
 *   64   64   name             UTF-8, NUL-padded (the profile's name)
 *   128  plan, padded with zeros to a multiple of 8
 *        vehicle (.vehicle table), padded likewise
 *        theme (UTF-8 JSON), padded likewise
 *   end-64  signature over every byte before it
 *
 * Runs on XS and Node. `readPackHeader` allocates the two header strings;
 * `packPayloads` copies the payloads out (a new ArrayBuffer each, which
 * DecodePlan and VehicleProfile need at offset 0); `writePack` allocates
 * the pack.
 */

export const PACK_MAGIC = 0x4B505358; // "XSPK"
export const PACK_FORMAT_VERSION = 1;
export const PACK_HEADER_BYTES = 128;
export const SIGNATURE_BYTES = 64;
/** ECDSA over P-256 with SHA-256, the signature as r and s, 32 bytes each, big-endian. */
export const SCHEME_P256_SHA256 = 1;
export const VERSION_BYTES = 24;
export const NAME_BYTES = 64;
/** The largest pack a reader takes; the device's slots may be smaller (PackSlots.slotBytes). */
export const MAX_PACK_BYTES = 1 << 20;

export const PackField = Object.freeze({
	magic: 0, formatVersion: 4, headerBytes: 6, planVersion: 8, vehicleVersion: 12,
	planBytes: 16, vehicleBytes: 20, themeBytes: 24, scheme: 28, keyId: 32, totalBytes: 36,
	version: 40, name: 64,
});

/** Thrown for bytes that are not a pack this build reads; the message is one line saying why. */
export class PackFormatError extends Error {
	// A field, defined on the instance: assigning `this.name` fails on XS, whose
	// preloaded intrinsics are frozen (Error.prototype.name is then read-only).
	override name = "PackFormatError";
}

export interface PackHeader {
	formatVersion: number;
	planVersion: number;
	vehicleVersion: number;
	planBytes: number;
	vehicleBytes: number;
	themeBytes: number;
	scheme: number;
	keyId: number;
	totalBytes: number;
	version: string;
	name: string;
	/** Where each payload starts. */
	planOffset: number;
	vehicleOffset: number;
	themeOffset: number;
	/** Bytes covered by the signature (everything before it). */
	signedBytes: number;
}

/** `n` rounded up to a multiple of 8. */
export function padded(n: number): number {
	return (n + 7) & ~7;
}

/**
 * Reads and checks the header of `bytes`: magic, format version, the
 * lengths against the bytes there are. Says nothing about the signature or
 * whether the payloads load. Allocates the header object and its strings.
 * @throws PackFormatError saying what is wrong, in one line.
 */
export function readPackHeader(bytes: Uint8Array): PackHeader {
	if (bytes.length < 8)
		throw new PackFormatError(`pack: ${bytes.length} bytes, too short for a header`);
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	if (view.getUint32(PackField.magic, true) !== PACK_MAGIC)
		throw new PackFormatError("pack: bad magic (not an xs-cluster vehicle pack)");
	const formatVersion = view.getUint16(PackField.formatVersion, true);
	if (formatVersion !== PACK_FORMAT_VERSION)
		throw new PackFormatError(`pack: format version ${formatVersion}, this build reads ${PACK_FORMAT_VERSION}`);
	if (bytes.length < PACK_HEADER_BYTES + SIGNATURE_BYTES)
		throw new PackFormatError(`pack: truncated, ${bytes.length} bytes, less than a header and a signature`);
	const headerBytes = view.getUint16(PackField.headerBytes, true);
	if (headerBytes !== PACK_HEADER_BYTES)
		throw new PackFormatError(`pack: header of ${headerBytes} bytes, this format's is ${PACK_HEADER_BYTES}`);
	const planBytes = view.getUint32(PackField.planBytes, true);
	const vehicleBytes = view.getUint32(PackField.vehicleBytes, true);
	const themeBytes = view.getUint32(PackField.themeBytes, true);
	const totalBytes = view.getUint32(PackField.totalBytes, true);
	if (planBytes > MAX_PACK_BYTES || vehicleBytes > MAX_PACK_BYTES || themeBytes > MAX_PACK_BYTES || totalBytes > MAX_PACK_BYTES)
		throw new PackFormatError(`pack: a length in the header is over ${MAX_PACK_BYTES} bytes`);
	const planOffset = PACK_HEADER_BYTES;
	const vehicleOffset = planOffset + padded(planBytes);
	const themeOffset = vehicleOffset + padded(vehicleBytes);
	const signedBytes = themeOffset + padded(themeBytes);
	if (totalBytes !== signedBytes + SIGNATURE_BYTES)
		throw new PackFormatError(`pack: header says ${totalBytes} bytes, its payload lengths make ${signedBytes + SIGNATURE_BYTES}`);
	if (bytes.length < totalBytes)
		throw new PackFormatError(`pack: truncated, ${bytes.length} of ${totalBytes} bytes`);
	if (bytes.length > totalBytes)
		throw new PackFormatError(`pack: ${bytes.length - totalBytes} bytes after its signature`);
	return {
		formatVersion,
		planVersion: view.getUint32(PackField.planVersion, true),
		vehicleVersion: view.getUint32(PackField.vehicleVersion, true),
		planBytes, vehicleBytes, themeBytes,
		scheme: view.getUint32(PackField.scheme, true),
		keyId: view.getUint32(PackField.keyId, true),
		totalBytes,
		version: readText(bytes, PackField.version, VERSION_BYTES),
		name: readText(bytes, PackField.name, NAME_BYTES),
		planOffset, vehicleOffset, themeOffset, signedBytes,
	};
}

/** The payloads of a pack whose header was read, each copied into an ArrayBuffer of its own. Allocates them. */
export function packPayloads(bytes: Uint8Array, header: PackHeader): { plan: ArrayBuffer; vehicle: ArrayBuffer; theme: ArrayBuffer | null } {
	const copy = (offset: number, length: number) => {
		const out = new Uint8Array(length);
		out.set(bytes.subarray(offset, offset + length));
		return out.buffer;
	};
	return {
		plan: copy(header.planOffset, header.planBytes),
		vehicle: copy(header.vehicleOffset, header.vehicleBytes),
		theme: header.themeBytes ? copy(header.themeOffset, header.themeBytes) : null,
	};
}

/** The signature bytes of a pack whose header was read (a view, no copy). */
export function packSignature(bytes: Uint8Array, header: PackHeader): Uint8Array {
	return bytes.subarray(header.signedBytes, header.signedBytes + SIGNATURE_BYTES);
}

export interface PackParts {
	name: string;
	version: string;
	planVersion: number;
	vehicleVersion: number;
	plan: Uint8Array;
	vehicle: Uint8Array;
	theme?: Uint8Array | null;
	keyId: number;
}

/**
 * Lays out a pack with its signature left zero: sign bytes [0, length - 64)
 * and put the signature in the last 64 bytes. Host side (`pack build`) and
 * tests; allocates the pack.
 * @throws PackFormatError for a name or version too long for its field.
 */
export function writePack(parts: PackParts): Uint8Array {
	const name = utf8(parts.name), version = utf8(parts.version);
	if (name.length > NAME_BYTES)
		throw new PackFormatError(`pack: name '${parts.name}' is ${name.length} bytes in UTF-8, at most ${NAME_BYTES}`);
	if (version.length > VERSION_BYTES)
		throw new PackFormatError(`pack: version '${parts.version}' is ${version.length} bytes, at most ${VERSION_BYTES}`);
	const theme = parts.theme ?? new Uint8Array(0);
	const signed = PACK_HEADER_BYTES + padded(parts.plan.length) + padded(parts.vehicle.length) + padded(theme.length);
	const total = signed + SIGNATURE_BYTES;
	if (total > MAX_PACK_BYTES)
		throw new PackFormatError(`pack: ${total} bytes, at most ${MAX_PACK_BYTES}`);
	const bytes = new Uint8Array(total);
	const view = new DataView(bytes.buffer);
	view.setUint32(PackField.magic, PACK_MAGIC, true);
	view.setUint16(PackField.formatVersion, PACK_FORMAT_VERSION, true);
	view.setUint16(PackField.headerBytes, PACK_HEADER_BYTES, true);
	view.setUint32(PackField.planVersion, parts.planVersion, true);
	view.setUint32(PackField.vehicleVersion, parts.vehicleVersion, true);
	view.setUint32(PackField.planBytes, parts.plan.length, true);
	view.setUint32(PackField.vehicleBytes, parts.vehicle.length, true);
	view.setUint32(PackField.themeBytes, theme.length, true);
	view.setUint32(PackField.scheme, SCHEME_P256_SHA256, true);
	view.setUint32(PackField.keyId, parts.keyId >>> 0, true);
	view.setUint32(PackField.totalBytes, total, true);
	bytes.set(version, PackField.version);
	bytes.set(name, PackField.name);
	let at = PACK_HEADER_BYTES;
	bytes.set(parts.plan, at);
	at += padded(parts.plan.length);
	bytes.set(parts.vehicle, at);
	at += padded(parts.vehicle.length);
	bytes.set(theme, at);
	return bytes;
}

/**
 * Orders two pack versions: negative when `a` is older than `b`, 0 when
 * they read the same, positive when newer. Runs of digits compare as
 * numbers and the rest as text, left to right ("1.10" after "1.9",
 * "2026.12" after "2026.9", "1.0.0" after "1.0"). No allocation.
 */
export function compareVersions(a: string, b: string): number {
	let i = 0, j = 0;
	while (i < a.length && j < b.length) {
		const ca = a.charCodeAt(i), cb = b.charCodeAt(j);
		if (isDigit(ca) && isDigit(cb)) {
			let ei = i, ej = j;
			while (ei < a.length && isDigit(a.charCodeAt(ei)))
				ei++;
			while (ej < b.length && isDigit(b.charCodeAt(ej)))
				ej++;
			// Leading zeros aside, the longer run is the larger number; equal lengths compare digit by digit.
			while (i < ei - 1 && a.charCodeAt(i) === 48)
				i++;
			while (j < ej - 1 && b.charCodeAt(j) === 48)
				j++;
			if (ei - i !== ej - j)
				return (ei - i) - (ej - j);
			for (; i < ei; i++, j++)
				if (a.charCodeAt(i) !== b.charCodeAt(j))
					return a.charCodeAt(i) - b.charCodeAt(j);
			continue;
		}
		if (ca !== cb)
			return ca - cb;
		i++;
		j++;
	}
	return (a.length - i) - (b.length - j);
}

function isDigit(c: number): boolean {
	return c >= 48 && c <= 57;
}

/** UTF-8 bytes of `text` (XS has no TextEncoder in every build). Allocates. */
export function utf8(text: string): Uint8Array {
	const out: number[] = [];
	for (const char of text) {
		const c = char.codePointAt(0)!;
		if (c < 0x80)
			out.push(c);
		else if (c < 0x800)
			out.push(0xC0 | (c >> 6), 0x80 | (c & 0x3F));
		else if (c < 0x10000)
			out.push(0xE0 | (c >> 12), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
		else
			out.push(0xF0 | (c >> 18), 0x80 | ((c >> 12) & 0x3F), 0x80 | ((c >> 6) & 0x3F), 0x80 | (c & 0x3F));
	}
	return new Uint8Array(out);
}

/** A NUL-padded UTF-8 field as a string. Allocates. */
function readText(bytes: Uint8Array, offset: number, length: number): string {
	let result = "";
	const end = offset + length;
	for (let i = offset; i < end && bytes[i] !== 0; i++) {
		const b = bytes[i];
		let code = b;
		if (b >= 0xF0 && i + 3 < end) {
			code = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3F) << 12) | ((bytes[i + 2] & 0x3F) << 6) | (bytes[i + 3] & 0x3F);
			i += 3;
		}
		else if (b >= 0xE0 && i + 2 < end) {
			code = ((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
			i += 2;
		}
		else if (b >= 0xC0 && i + 1 < end) {
			code = ((b & 0x1F) << 6) | (bytes[i + 1] & 0x3F);
			i += 1;
		}
		result += String.fromCodePoint(code > 0x10FFFF ? 0xFFFD : code);
	}
	return result;
}
