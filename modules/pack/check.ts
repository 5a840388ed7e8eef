/*
 * Checking a vehicle pack before anything changes: its layout
 * (modules/pack/format.ts), its signature against the key built into the
 * firmware, the versions of its plan and profile against this firmware's,
 * and its contents: the plan and the profile load, and belong together
 * (ProfileInputs' check, the same the app makes at start).
 *
 * PackSignature is the shape of the signature check, as the twai triple
 * does it: the SDK's crypt modules on the device (modules/pack/ecdsa-p256.ts),
 * Node's crypto in the host tool and tests (tools/pack.ts).
 *
 * Runs on XS and Node. `checkPack` allocates the payload copies, the plan's
 * id tables and the profile's node arrays; the signature check hashes the
 * pack once (on an ESP32 the ECDSA verification is the slow part, a single
 * native call that cannot be split across display ticks).
 */
import { DecodePlan, PLAN_VERSION } from "../signals/plan.js";
import { ProfileInputs, VEHICLE_VERSION, VehicleProfile } from "../cluster/profile.js";
import { PackFormatError, SCHEME_P256_SHA256, packPayloads, packSignature, readPackHeader, type PackHeader } from "./format.js";

/** Verifies pack signatures with one public key. */
export interface PackSignature {
	/** First 4 bytes (big-endian) of SHA-256 of the public key's 65-byte uncompressed point; names the key in messages. */
	readonly keyId: number;
	/** True when `signature` (r||s, 64 bytes) is this key's ECDSA P-256 signature of SHA-256(`signed`). May allocate. */
	verify(signed: Uint8Array, signature: Uint8Array): boolean;
}

/** A pack that passed every check, its contents loaded. */
export interface CheckedPack {
	header: PackHeader;
	plan: DecodePlan;
	profile: VehicleProfile;
	/** The theme payload (UTF-8 JSON), null when the pack has none. */
	theme: ArrayBuffer | null;
}

/** A key id as 8 hex digits, as `xs-cluster pack keygen` and `verify` print it. */
export function formatKeyId(keyId: number): string {
	return (keyId >>> 0).toString(16).padStart(8, "0");
}

/**
 * Checks `bytes` as a pack for this firmware: layout, signature (when
 * `signature` is given; the device always gives one, `xs-cluster pack verify`
 * without --key does not), plan and profile versions, contents.
 * @throws PackFormatError with one line saying why the pack is refused.
 */
export function checkPack(bytes: Uint8Array, signature: PackSignature | null): CheckedPack {
	const header = readPackHeader(bytes);
	const what = `pack '${header.name}' ${header.version}`;
	if (header.scheme !== SCHEME_P256_SHA256)
		throw new PackFormatError(`${what}: signature scheme ${header.scheme}, this build checks ${SCHEME_P256_SHA256} (ECDSA P-256, SHA-256)`);
	if (signature) {
		if ((header.keyId >>> 0) !== (signature.keyId >>> 0))
			throw new PackFormatError(`${what}: signed with key ${formatKeyId(header.keyId)}, this firmware trusts ${formatKeyId(signature.keyId)}`);
		if (!signature.verify(bytes.subarray(0, header.signedBytes), packSignature(bytes, header)))
			throw new PackFormatError(`${what}: wrong signature (changed after signing, or not signed by key ${formatKeyId(signature.keyId)})`);
	}
	if (header.planVersion !== PLAN_VERSION)
		throw new PackFormatError(`${what}: for plan version ${header.planVersion}, this firmware reads ${PLAN_VERSION}`);
	if (header.vehicleVersion !== VEHICLE_VERSION)
		throw new PackFormatError(`${what}: for profile version ${header.vehicleVersion}, this firmware reads ${VEHICLE_VERSION}`);
	const { plan, vehicle, theme } = packPayloads(bytes, header);
	try {
		const decodePlan = new DecodePlan(plan);
		const profile = new VehicleProfile(vehicle);
		new ProfileInputs(profile, decodePlan, null); // throws when the pair does not belong together
		if (profile.name !== header.name)
			throw new PackFormatError(`its header names '${header.name}', its profile '${profile.name}'`);
		return { header, plan: decodePlan, profile, theme };
	}
	catch (error) {
		// DecodePlan and VehicleProfile throw their own format errors, and a RangeError for a section past the end.
		throw new PackFormatError(`${what}: contents do not load: ${(error as Error).message}`);
	}
}
