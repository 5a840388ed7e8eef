/*
 * `xs-cluster pack keygen|build|verify`: signed vehicle packs (docs/packs.md).
 *
 *   pack keygen [-o DIR]                     private.pem, public.pem, and the key for the firmware
 *   pack build [--dbc F] PROFILE.json --key private.pem [--theme T.json] [--version V] -o CAR.xspack
 *   pack verify [--key public.pem] CAR.xspack
 *
 * ECDSA P-256 with SHA-256 from Node's crypto; the signature as r||s
 * (`dsaEncoding: "ieee-p1363"`), which the SDK's ECDSA reads on the device
 * (modules/pack/pack-key.ts). The pack is checked by the same code the
 * device runs (modules/pack/check.ts) before it is written. Node only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { checkPack, formatKeyId, type PackSignature } from "../modules/pack/check.js";
import { PackFormatError, SIGNATURE_BYTES, readPackHeader, utf8, writePack } from "../modules/pack/format.js";
import { PLAN_VERSION } from "../modules/signals/plan.js";
import { VEHICLE_VERSION } from "../modules/cluster/profile.js";
import { DBC_OPTIONS } from "./dbc-file.js";
import { readJsonFile } from "./json-file.js";
import { compileProfileFile } from "./profile.js";
import { UsageError, cannotRead, cannotWrite, checkInputPath, onePositional, parseOptions, plural, writeOutput } from "./usage.js";

interface PackIo {
	stdout: (text: string) => void | Promise<void>;
	stderr: (text: string) => void;
}

/** The 65-byte uncompressed point of a P-256 key (public, or the public half of a private one). */
export function publicPoint(key: KeyObject): Uint8Array {
	const jwk = (key.type === "private" ? createPublicKey(key) : key).export({ format: "jwk" });
	if (jwk.crv !== "P-256" || !jwk.x || !jwk.y)
		throw new Error(`the key is not a P-256 key (${jwk.crv ?? key.asymmetricKeyType})`);
	const point = new Uint8Array(65);
	point[0] = 4;
	point.set(Buffer.from(jwk.x, "base64url"), 1);
	point.set(Buffer.from(jwk.y, "base64url"), 33);
	return point;
}

/** The key id packs carry: the first 4 bytes of SHA-256 of the point, big-endian. */
export function keyIdOf(point: Uint8Array): number {
	return createHash("sha256").update(point).digest().readUInt32BE(0);
}

/** Node's crypto in the shape the device's PackKey has: the host side of the check. */
export function nodePackSignature(key: KeyObject): PackSignature {
	const publicKey = key.type === "private" ? createPublicKey(key) : key;
	return {
		keyId: keyIdOf(publicPoint(publicKey)),
		verify: (signed, signature) => verify("sha256", signed, { key: publicKey, dsaEncoding: "ieee-p1363" }, signature),
	};
}

/** Signs a pack laid out by writePack in place: the last 64 bytes. */
export function signPack(bytes: Uint8Array, privateKey: KeyObject): Uint8Array {
	const end = bytes.length - SIGNATURE_BYTES;
	bytes.set(sign("sha256", bytes.subarray(0, end), { key: privateKey, dsaEncoding: "ieee-p1363" }), end);
	return bytes;
}

/** Reads a PEM key file. @throws Error `PATH: why` in one line. */
function readKey(path: string, kind: "private" | "public"): KeyObject {
	checkInputPath(path);
	let text: Buffer;
	try {
		text = readFileSync(path);
	}
	catch (error) {
		throw cannotRead(path, error);
	}
	let key: KeyObject;
	try {
		key = kind === "private" ? createPrivateKey(text) : createPublicKey(text);
	}
	catch {
		throw new Error(`${path}: not a PEM ${kind} key${kind === "private" ? " (xs-cluster pack keygen writes private.pem)" : " (public.pem, or the private key)"}`);
	}
	try {
		publicPoint(key);
	}
	catch (error) {
		throw new Error(`${path}: ${(error as Error).message}`);
	}
	return key;
}

function readBytes(path: string): Uint8Array {
	checkInputPath(path);
	try {
		return new Uint8Array(readFileSync(path));
	}
	catch (error) {
		throw cannotRead(path, error);
	}
}

export async function packCommand(sub: "keygen" | "build" | "verify", args: string[], io: PackIo): Promise<number> {
	if (sub === "keygen")
		return keygen(args, io);
	if (sub === "build")
		return build(args, io);
	return verifyCommand(args, io);
}

function keygen(args: string[], io: PackIo): number {
	const { values, positionals } = parseOptions(args, { output: { type: "string", short: "o" } });
	if (positionals.length)
		throw new UsageError(`pack keygen takes no file names (the folder is -o DIR), got '${positionals[0]}'`);
	const dir = values.output ?? ".";
	const privatePath = join(dir, "private.pem"), publicPath = join(dir, "public.pem");
	for (const path of [privatePath, publicPath])
		if (existsSync(path))
			throw new Error(`${path} exists: a key is never overwritten (move it, or give another folder with -o)`);
	try {
		mkdirSync(dir, { recursive: true });
	}
	catch (error) {
		throw cannotWrite(dir, error);
	}
	const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
	const point = publicPoint(publicKey);
	try {
		// Readable by its owner only from the start; "wx" never replaces a key that appeared meanwhile.
		writeFileSync(privatePath, privateKey.export({ type: "pkcs8", format: "pem" }) as string, { mode: 0o600, flag: "wx" });
	}
	catch (error) {
		throw cannotWrite(privatePath, error);
	}
	writeOutput(publicPath, utf8(publicKey.export({ type: "spki", format: "pem" }) as string));
	io.stdout(`${privatePath}: private key (keep it secret; it signs packs)\n${publicPath}: public key, id ${formatKeyId(keyIdOf(point))}\n`
		+ `Build it into the firmware as the manifest config value:\n  "packKey": "${Buffer.from(point).toString("hex")}"\n`);
	return 0;
}

function build(args: string[], io: PackIo): number {
	const { values, positionals } = parseOptions(args, {
		...DBC_OPTIONS,
		dbc: { type: "string" },
		key: { type: "string" },
		theme: { type: "string" },
		version: { type: "string" },
		output: { type: "string", short: "o" },
	});
	const path = onePositional(positionals, "profile JSON file");
	if (!values.key)
		throw new UsageError("pack build needs --key private.pem (xs-cluster pack keygen makes one)");
	if (!values.output)
		throw new UsageError("pack build needs -o CAR.xspack");
	const version = values.version ?? "1";
	if (!/^[\x21-\x7E]{1,24}$/.test(version))
		throw new UsageError(`--version '${version}': 1 to 24 printable ASCII characters, no spaces (e.g. 1.2.0)`);
	const key = readKey(values.key, "private");
	const compiled = compileProfileFile(path, values.dbc, values, io);
	if (!compiled)
		return 1;
	let theme: Uint8Array | null = null;
	if (values.theme) {
		const parsed = readJsonFile(values.theme);
		if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
			throw new Error(`${values.theme}: a theme must be a JSON object`);
		theme = utf8(JSON.stringify(parsed));
	}
	const point = publicPoint(key);
	let bytes: Uint8Array;
	try {
		bytes = writePack({
			name: compiled.name, version, planVersion: PLAN_VERSION, vehicleVersion: VEHICLE_VERSION,
			plan: new Uint8Array(compiled.plan.buffer), vehicle: new Uint8Array(compiled.vehicle), theme, keyId: keyIdOf(point),
		});
	}
	catch (error) {
		if (error instanceof PackFormatError)
			throw new Error(`${path}: ${error.message}`);
		throw error;
	}
	signPack(bytes, key);
	// The device's own check, with the key that signed: what is written is what a device takes.
	checkPack(bytes, nodePackSignature(key));
	writeOutput(values.output, bytes);
	io.stdout(`${values.output}: '${compiled.name}' ${version}, ${plural(compiled.plan.messageCount, "message")}, ${plural(compiled.plan.signalCount, "signal")}${theme ? ", a theme" : ""}, ${plural(bytes.length, "byte")}, signed by key ${formatKeyId(keyIdOf(point))}\n`);
	return 0;
}

function verifyCommand(args: string[], io: PackIo): number {
	const { values, positionals } = parseOptions(args, { key: { type: "string" } });
	const path = onePositional(positionals, "pack file (CAR.xspack)");
	const key = values.key ? readKey(values.key, "public") : null;
	const bytes = readBytes(path);
	let checked;
	try {
		checked = checkPack(bytes, key ? nodePackSignature(key) : null);
	}
	catch (error) {
		if (error instanceof PackFormatError) {
			io.stderr(`xs-cluster: ${path}: ${error.message}\n`);
			return 1;
		}
		throw error;
	}
	const header = readPackHeader(bytes);
	const signature = key ? `signature good (key ${formatKeyId(header.keyId)})` : `signature not checked (signed by key ${formatKeyId(header.keyId)}; give --key public.pem)`;
	io.stdout(`${path}: ok, '${header.name}' ${header.version}, plan version ${header.planVersion} with ${plural(checked.plan.messageCount, "message")} and ${plural(checked.plan.signalCount, "signal")}${checked.theme ? ", a theme" : ""}, ${plural(bytes.length, "byte")}; ${signature}\n`);
	return 0;
}
