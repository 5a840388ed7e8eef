/*
 * PackKey: the public key built into the firmware, checking vehicle pack
 * signatures with the Moddable SDK's own crypt modules (SHA-256 from
 * "crypt", ECDSA over secp256r1 from "ecdsa" and "curve", BigInt arithmetic
 * in C). modules/pack/manifest.json brings those modules in; the key comes
 * from the manifest's config (`packKey`: the 65-byte uncompressed point in
 * hex, as `xs-cluster pack keygen` prints it).
 *
 * Signatures are r||s, 32 bytes each (IEEE P1363), what Node's crypto
 * writes with `dsaEncoding: "ieee-p1363"` and what the SDK's ECDSA reads
 * without its `asn1` flag: a fixed 64 bytes, no DER to parse on the device.
 * r and s are checked to lie in [1, n-1] before the SDK sees them: with
 * r = s = 0 its verification would compare the point at infinity's X (0)
 * with r (0) and pass.
 *
 * Runs on XS (simulator and device) only; the host tool and tests check
 * signatures with Node's crypto (tools/pack.ts). `verify` allocates a few
 * BigInts and the digest.
 */
import { Digest } from "crypt";
import ECDSA from "ecdsa";
import Curve from "curve";
import ECPoint from "ecp";
import { PackFormatError } from "./format.js";
import type { PackSignature } from "./check.js";

export const PUBLIC_KEY_BYTES = 65;

export class PackKey implements PackSignature {
	readonly keyId: number;
	private readonly ecdsa: ECDSA;
	private readonly n: bigint;

	/**
	 * @param publicKey the uncompressed point 04 || X || Y (65 bytes).
	 * @throws PackFormatError for anything else.
	 */
	constructor(publicKey: Uint8Array) {
		if (publicKey.length !== PUBLIC_KEY_BYTES || publicKey[0] !== 4)
			throw new PackFormatError(`pack key: ${publicKey.length} bytes, expected a 65-byte uncompressed P-256 point (04...)`);
		const curve = new Curve("secp256r1");
		this.n = curve.n;
		this.ecdsa = new ECDSA(new ECPoint(toBigInt(publicKey, 1, 33), toBigInt(publicKey, 33, 65)), curve, false);
		const id = new Uint8Array(sha256([publicKey]));
		this.keyId = ((id[0] << 24) | (id[1] << 16) | (id[2] << 8) | id[3]) >>> 0;
	}

	/**
	 * The key of the manifest's `packKey` config (130 hex digits).
	 * @throws PackFormatError when it is missing or not a key.
	 */
	static fromHex(hex: string | undefined): PackKey {
		if (!hex || !/^[0-9a-fA-F]{130}$/.test(hex))
			throw new PackFormatError(`pack key: config packKey must be 130 hex digits (xs-cluster pack keygen prints it), not '${hex ?? ""}'`);
		const bytes = new Uint8Array(PUBLIC_KEY_BYTES);
		for (let i = 0; i < PUBLIC_KEY_BYTES; i++)
			bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
		return new PackKey(bytes);
	}

	verify(signed: Uint8Array, signature: Uint8Array): boolean {
		if (signature.length !== 64)
			return false;
		const r = toBigInt(signature, 0, 32), s = toBigInt(signature, 32, 64);
		if (r <= 0n || r >= this.n || s <= 0n || s >= this.n)
			return false;
		const hash = sha256([signed]);
		const copy = new Uint8Array(64);
		copy.set(signature);
		return this.ecdsa.verify(hash, copy.buffer, false);
	}
}

/** SHA-256 of the parts, with the SDK's digest. Allocates the digest and its result. */
function sha256(parts: Uint8Array[]): ArrayBuffer {
	const digest = new Digest("SHA256");
	for (const part of parts)
		digest.write(part as unknown as ArrayBuffer); // the SDK's typings say ArrayBuffer; its C reads any buffer view in place, with no copy
	return digest.close();
}

/** Big-endian bytes [start, end) as a BigInt. Allocates. */
function toBigInt(bytes: Uint8Array, start: number, end: number): bigint {
	let hex = "0x0";
	for (let i = start; i < end; i++)
		hex += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
	return BigInt(hex);
}
