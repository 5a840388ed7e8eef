/*
 * Vehicle packs for tests: a signing key, packs of the demo car (or any
 * profile and DBC) signed as `xs-cluster pack build` signs them, and the
 * usual ways a pack goes wrong. Node only (vitest); allocates freely.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { readDbc } from "../../tools/dbc-file.js";
import { PackField, writePack } from "../../modules/pack/format.js";
import { PLAN_VERSION } from "../../modules/signals/plan.js";
import { VEHICLE_VERSION } from "../../modules/cluster/profile.js";
import { parseJsonText } from "../../tools/json-file.js";
import { keyIdOf, nodePackSignature, publicPoint, signPack } from "../../tools/pack.js";
import { compileProfile } from "../../tools/profile.js";
import type { PackSignature } from "../../modules/pack/check.js";
import { repoRoot } from "../shared-data.js";

export const DEMO_DBC = join(repoRoot, "hosts", "sim", "demo", "demo-car.dbc");
export const DEMO_PROFILE = join(repoRoot, "hosts", "sim", "demo", "demo-car.json");

export interface TestKey {
	privateKey: KeyObject;
	publicKey: KeyObject;
	signature: PackSignature;
	/** The 65-byte point, as the firmware's `packKey` holds it. */
	point: Uint8Array;
}

export function newKey(): TestKey {
	const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
	return { privateKey, publicKey, signature: nodePackSignature(publicKey), point: publicPoint(publicKey) };
}

/** The compiled plan and profile of a profile JSON with its DBC (the demo car's by default). */
export function compiled(profilePath = DEMO_PROFILE, dbcPath = DEMO_DBC, nameOverride?: string) {
	const json = parseJsonText(readFileSync(profilePath, "utf8"), profilePath) as Record<string, unknown>;
	if (nameOverride)
		json.name = nameOverride;
	const { database, problems } = readDbc(dbcPath);
	if (problems.length)
		throw new Error(`${dbcPath}: ${problems.length} problems`);
	return compileProfile(json, profilePath, database);
}

export interface PackOptions {
	version?: string;
	name?: string;
	planVersion?: number;
	theme?: Uint8Array | null;
	profilePath?: string;
	dbcPath?: string;
}

/** A signed pack, as `xs-cluster pack build` writes it. */
export function buildPack(key: TestKey, options: PackOptions = {}): Uint8Array {
	const car = compiled(options.profilePath, options.dbcPath, options.name);
	const bytes = writePack({
		name: car.name, version: options.version ?? "1.0.0", planVersion: options.planVersion ?? PLAN_VERSION, vehicleVersion: VEHICLE_VERSION,
		plan: new Uint8Array(car.plan.buffer), vehicle: new Uint8Array(car.vehicle), theme: options.theme ?? null, keyId: keyIdOf(key.point),
	});
	return signPack(bytes, key.privateKey);
}

/** `bytes` with one bit flipped at `offset`, signature left as it was. */
export function tampered(bytes: Uint8Array, offset = PackField.name + 1): Uint8Array {
	const copy = new Uint8Array(bytes);
	copy[offset] ^= 0x01;
	return copy;
}

/** The demo car's built-in resources, as the firmware carries them. */
export function builtInCar(): { plan: ArrayBuffer; vehicle: ArrayBuffer } {
	const read = (name: string) => new Uint8Array(readFileSync(join(repoRoot, "hosts", "sim", "demo", name))).buffer;
	return { plan: read("car.plan"), vehicle: read("car.vehicle") };
}
