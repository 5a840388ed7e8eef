/*
 * Vehicle packs on the engine the device runs, two ways:
 *
 * - the pack modules (format, checks, A/B slots, installer, the host link's
 *   receiver and framing) compiled by tsc
 *   for XS and linked by the xsnap worker (`npm ci` builds it), with the
 *   intrinsics frozen as a Moddable build freezes them: refusals with
 *   their one line and nothing changed, an install, a rollback, and power
 *   cuts through an update on FakeFlash (test/fixtures/fake-flash.ts). The
 *   signature check there is an oracle of signatures Node verified: xsnap
 *   has no SDK crypt modules.
 * - the SDK's own crypt modules on XS (modules/pack/pack-key.ts): a small
 *   app built with mcconfig for the SDK's command-line XS host (`-p
 *   x-cli-lin`, test/native/xs-cli/host.c: no simulator, no display), which
 *   checks packs Node's crypto signed, refuses altered ones, and installs
 *   one. It needs the Moddable SDK ($MODDABLE, its tools built); `.ci/run`
 *   does not install it, so without it the suite skips, saying so.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { PACK_HEADER_BYTES, readPackHeader } from "../modules/pack/format.js";
import { PLAN_VERSION } from "../modules/signals/plan.js";
import { crc32 } from "../modules/storage/crc32.js";
import { projectRoot } from "./support/xs-engine.js";
import { describeOnXs } from "./support/xs-suite.js";
import { buildPack, builtInCar, newKey, tampered, type TestKey } from "./support/packs.js";
import { packUpdateCuts, type PackUpdateCutsResult } from "./support/pack-power-cuts.js";

const DRIVER = `
import { PackInstaller } from "./modules/pack/installer.js";
import { PackSlots } from "./modules/pack/slots.js";
import { PackReceiver } from "./modules/pack/receiver.js";
import { beginFrame, dataFrame } from "./modules/pack/transfer.js";
import { utf8 } from "./modules/pack/format.js";
import { crc32 } from "./modules/storage/crc32.js";
import { FakeFlash } from "./test/fixtures/fake-flash.js";
import { packUpdateCuts } from "./test/support/pack-power-cuts.js";

// A Moddable build freezes the intrinsics it preloads, so assigning an error's
// name throws there (the override mistake): freeze the ones the pack code meets.
for (const C of [Object, Function, Array, ArrayBuffer, Uint8Array, DataView, Error, TypeError, RangeError, String, Number, Math, JSON])
	Object.freeze(C.prototype ?? C) && Object.freeze(C);

/** The pack partition: ten 4 KB blocks of NOR flash. */
const newFlash = (seed = 1) => new FakeFlash(10 * 4096, 4096, seed);

let packs, builtIn, signature;
function fromHex(hex) {
	const bytes = new Uint8Array(hex.length / 2);
	for (let i = 0; i < bytes.length; i++)
		bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
	return bytes;
}
function hex(bytes) {
	let out = "";
	for (let i = 0; i < bytes.length; i++)
		out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
	return out;
}
function reply(value) {
	return utf8(JSON.stringify(value)).buffer;
}

globalThis.setup = function (input) {
	packs = {};
	for (const name in input.packs)
		packs[name] = fromHex(input.packs[name]);
	builtIn = { plan: fromHex(input.plan).buffer, vehicle: fromHex(input.vehicle).buffer };
	// Signatures Node's crypto verified, by the CRC-32 of what they sign.
	const good = input.good;
	signature = { keyId: input.keyId, verify: (signed, sig) => good[hex(sig)] === crc32(signed) };
	return reply({ frozen: Object.isFrozen(Error.prototype) });
};

function boot(flash) {
	const installer = new PackInstaller(new PackSlots(flash), signature);
	const car = installer.start(builtIn);
	return { installer, car };
}
function install(flash, bytes) {
	const { installer } = boot(flash);
	installer.started();
	const result = installer.offer(bytes);
	installer.finish();
	const next = boot(flash);
	next.installer.started();
	return { result, car: next.car };
}

globalThis.installAndRollBack = function () {
	const flash = newFlash();
	const first = install(flash, packs.v1);
	const { installer } = boot(flash);
	installer.started();
	const offered = installer.offer(packs.v2);
	let calls = 0;
	while (installer.service())
		calls++;
	const trial = boot(flash).car.info; // never reaches its first tick
	const after = boot(flash);
	return reply({ first: first.result, installed: first.car.info, offered, calls, trial, after: after.car.info, note: after.car.note, line: after.installer.line, overwrites: flash.overwrites });
};

globalThis.refusals = function () {
	const out = {};
	for (const name of ["tampered", "truncated", "otherPlan", "otherKey", "garbage"]) {
		const flash = newFlash();
		install(flash, packs.v1);
		const before = flash.bytes.slice();
		const { installer } = boot(flash);
		installer.started();
		const result = installer.offer(packs[name]);
		installer.finish();
		let same = true;
		for (let i = 0; i < before.length; i++)
			if (before[i] !== flash.bytes[i])
				same = false;
		out[name] = { result, same, still: boot(flash).car.info.version };
	}
	return reply(out);
};

// A pack from the host through PackReceiver, framed by transfer.js on XS: one frame damaged on
// the way and asked for again, the pack installed; then a transfer that stalls, dropped.
globalThis.transfer = function () {
	const flash = newFlash();
	const { installer } = boot(flash);
	installer.started();
	const clock = { now: 0 };
	const replies = [];
	const receiver = new PackReceiver({ installer, clock: () => clock.now, write: bytes => { let t = ""; for (const b of bytes) t += String.fromCharCode(b); replies.push(t); } });
	const pack = packs.v1;
	receiver.receive(beginFrame(pack));
	let offset = 0, damaged = false;
	for (let guard = 0; guard < 100; guard++) {
		const frame = dataFrame(pack, offset);
		if (offset === 512 && !damaged) {
			damaged = true;
			frame[40] ^= 4;
		}
		receiver.receive(frame);
		const last = replies[replies.length - 1];
		if (!last.startsWith("xspack next "))
			break;
		offset = Number(last.slice(12));
	}
	installer.finish();
	receiver.step();
	const installed = boot(flash).car.info;
	receiver.receive(beginFrame(packs.v2));
	receiver.receive(dataFrame(packs.v2, 0));
	clock.now += 3000;
	receiver.step();
	return reply({ replies, damagedFrames: receiver.damagedFrames, installed, receiving: receiver.receiving, line: installer.line });
};

// The scenario test/pack.test.ts runs on Node (test/support/pack-power-cuts.ts), with the oracle.
globalThis.powerCuts = function (stride, tail) {
	return reply(packUpdateCuts({ v1: packs.v1, v2: packs.v2, builtIn, signature, stride, tail }));
};
`;

let key: TestKey, other: TestKey;
/** The packs the power-cut scenario gets on both engines. */
let v1: Uint8Array, v2: Uint8Array;

const hex = (bytes: Uint8Array | ArrayBuffer) => Buffer.from(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes)).toString("hex");

const XS_FILES = ["modules/pack/installer.ts", "modules/pack/receiver.ts", "modules/pack/transfer.ts", "modules/storage/crc32.ts", "test/fixtures/fake-flash.ts", "test/support/pack-power-cuts.ts"];

describeOnXs("vehicle packs", XS_FILES, DRIVER, ({ json: call }) => {
	beforeAll(async () => {
		key = newKey();
		other = newKey();
		v1 = buildPack(key, { version: "1.0.0" });
		v2 = buildPack(key, { version: "2.0.0" });
		const otherPlan = buildPack(key, { planVersion: PLAN_VERSION + 1 });
		const packs = { v1, v2, tampered: tampered(v1, PACK_HEADER_BYTES + 12), truncated: v1.subarray(0, v1.length - 100), otherPlan, otherKey: buildPack(other), garbage: new Uint8Array(300).fill(0x5A) };
		// The oracle: the signatures Node's crypto verified, by the CRC-32 of the bytes they sign.
		const good: Record<string, number> = {};
		for (const bytes of [v1, v2, otherPlan]) {
			const header = readPackHeader(bytes);
			const signed = bytes.subarray(0, header.signedBytes), sig = bytes.subarray(header.signedBytes);
			expect(key.signature.verify(signed, sig)).toBe(true);
			good[hex(sig)] = crc32(signed);
		}
		const car = builtInCar();
		const input = { packs: Object.fromEntries(Object.entries(packs).map(([name, bytes]) => [name, hex(bytes)])), plan: hex(car.plan), vehicle: hex(car.vehicle), good, keyId: key.signature.keyId };
		const state = await call<{ frozen: boolean }>(`setup(${JSON.stringify(input)})`);
		expect(state).toEqual({ frozen: true });
	}, 120_000);

	test("installs-and-rolls-back-on-xs", async () => {
		const r = await call<Record<string, unknown>>("installAndRollBack()");
		expect(r.first).toMatchObject({ accepted: true, state: "staging" });
		expect(r.installed).toEqual({ name: "xs-cluster demo car", version: "1.0.0", slot: "A", trial: false });
		expect(r.offered).toEqual({ accepted: true, state: "staging", reason: "pack 'xs-cluster demo car' 2.0.0 accepted; writing slot B, it starts at the next start" });
		expect(r.calls).toBe(4); // two blocks, each an erase and a program
		expect(r.trial).toEqual({ name: "xs-cluster demo car", version: "2.0.0", slot: "B", trial: true });
		expect(r.after).toEqual({ name: "xs-cluster demo car", version: "1.0.0", slot: "A", trial: false });
		expect(r.note).toBe("pack in slot B did not reach its first display tick; back to A");
		expect(r.overwrites).toBe(0);
	}, 60_000);

	test("refusals-on-xs-say-why-in-one-line-and-change-nothing", async () => {
		const r = await call<Record<string, { result: { accepted: boolean; reason: string }; same: boolean; still: string }>>("refusals()");
		const reasons = Object.fromEntries(Object.entries(r).map(([name, { result }]) => [name, result.reason]));
		expect(reasons.tampered).toMatch(/^refused: pack 'xs-cluster demo car' 1\.0\.0: wrong signature \(changed after signing, or not signed by key [0-9a-f]{8}\)$/);
		expect(reasons.truncated).toMatch(/^refused: pack: truncated, \d+ of \d+ bytes$/);
		expect(reasons.otherPlan).toBe(`refused: pack 'xs-cluster demo car' 1.0.0: for plan version ${PLAN_VERSION + 1}, this firmware reads ${PLAN_VERSION}`);
		expect(reasons.otherKey).toMatch(/^refused: pack 'xs-cluster demo car' 1\.0\.0: signed with key [0-9a-f]{8}, this firmware trusts [0-9a-f]{8}$/);
		expect(reasons.garbage).toBe("refused: pack: bad magic (not an xs-cluster vehicle pack)");
		for (const { result, same, still } of Object.values(r)) {
			expect(result.accepted).toBe(false);
			expect(same).toBe(true);
			expect(still).toBe("1.0.0");
		}
	}, 60_000);

	test("a-pack-from-the-host-through-the-receiver-on-xs", async () => {
		const r = await call<{ replies: string[]; damagedFrames: number; installed: Record<string, unknown>; receiving: boolean; line: string }>("transfer()");
		expect(r.damagedFrames).toBe(1);
		expect(r.replies[0]).toMatch(/^xspack ready \d+ 512\n$/);
		const staging = r.replies.indexOf("xspack staging pack 'xs-cluster demo car' 1.0.0 accepted; writing slot A, it starts at the next start\n");
		expect(staging).toBeGreaterThan(0);
		expect(r.replies.slice(0, staging).filter(line => line === "xspack next 512\n")).toHaveLength(2); // the damaged frame asked for again
		expect(r.replies).toContain("xspack installed pack 'xs-cluster demo car' 1.0.0 installed in slot A; it starts at the next start\n");
		expect(r.installed).toMatchObject({ version: "1.0.0", slot: "A", trial: true });
		expect(r.receiving).toBe(false);
		expect(r.replies.at(-1)).toMatch(/^xspack refused pack transfer: nothing for 3 s after 512 of \d+ bytes \(sender stalled or gone\); nothing changed\n$/);
		expect(r.line).toMatch(/; refused: pack transfer: nothing for 3 s/);
	}, 60_000);

	test("power-cuts-through-an-update-on-xs-leave-old-or-new", async () => {
		// Every 401st step and the last 300 (the boot record's save): as on Node, whose answers are the same.
		const r = await call<PackUpdateCutsResult>("powerCuts(401, 300)");
		expect(r.problems).toEqual([]);
		expect(r.olds).toBeGreaterThan(0);
		expect(r.news).toBeGreaterThan(0);
		expect(r.cuts).toBeGreaterThan(300);
		expect(r).toEqual(packUpdateCuts({ v1, v2, builtIn: builtInCar(), signature: key.signature, stride: 401, tail: 300 }));
	}, 120_000);
}, 120_000);

/* ---- the SDK's crypt modules, in a command-line XS build ---- */

const MODDABLE = process.env.MODDABLE;
const RELEASE = MODDABLE ? join(MODDABLE, "build", "bin", "lin", "release") : "";
function sdkMissing(): string | null {
	if (process.platform !== "linux")
		return "the SDK build of this check runs on Linux";
	if (!MODDABLE)
		return "$MODDABLE not set; the SDK's crypt modules check packs on XS with the Moddable SDK 8.2, built as its Getting Started guide says, with $MODDABLE set; CI does not install it";
	if (!existsSync(join(RELEASE, "mcconfig")))
		return "the Moddable SDK's tools are not built ($MODDABLE/build/bin/lin/release/mcconfig): build them as its Getting Started guide says";
	return null;
}
const missing = sdkMissing();
const describeSdk = missing ? describe.skip : describe;
const sdkTitle = missing ? `pack signatures with the SDK's crypt modules on XS (skipped: ${missing})` : "pack signatures with the SDK's crypt modules on XS (x-cli-lin)";

/** The app: each pack checked with the firmware's key, then one installed and started from a FakeFlash (no power cut). */
const APP = `
import { print, read } from "cli";
import { PackKey } from "pack/pack-key";
import { checkPack } from "pack/check";
import { PackInstaller } from "pack/installer";
import { PackSlots } from "pack/slots";
import { FakeFlash } from "test/fixtures/fake-flash";

const [keyHex, dir, ...names] = argv;
const key = PackKey.fromHex(keyHex);
print("pack-xs: key " + key.keyId.toString(16).padStart(8, "0"));
for (const name of names) {
	try {
		const pack = checkPack(new Uint8Array(read(dir + "/" + name + ".xspack")), key);
		print("pack-xs: " + name + " ok " + pack.header.version + " " + pack.plan.messageCount);
	}
	catch (e) {
		print("pack-xs: " + name + " refused " + e.name + ": " + e.message);
	}
}
const flash = new FakeFlash(10 * 4096, 4096);
const builtIn = { plan: read(dir + "/car.plan"), vehicle: read(dir + "/car.vehicle") };
let installer = new PackInstaller(new PackSlots(flash), key);
installer.start(builtIn);
installer.started();
const offered = installer.offer(new Uint8Array(read(dir + "/good.xspack")));
installer.finish();
installer = new PackInstaller(new PackSlots(flash), key);
const car = installer.start(builtIn);
print("pack-xs: installed " + offered.state + " " + car.info.slot + " " + car.info.version + " " + car.profile.name + " overwrites " + flash.overwrites);
`;

describeSdk(sdkTitle, () => {
	let dir: string;
	let lines: string[] = [];
	let skey: TestKey;

	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), "xs-cluster-pack-sdk-"));
		skey = newKey();
		const v1 = buildPack(skey, { version: "1.0.0" });
		const cases: Record<string, Uint8Array> = {
			good: v1,
			tampered: tampered(v1, PACK_HEADER_BYTES + 12),
			resigned: tampered(v1, v1.length - 1),
			// r = s = 0: the SDK's ECDSA alone would compare the point at infinity's X (0) with r and pass.
			zero: (() => { const z = new Uint8Array(v1); z.fill(0, z.length - 64); return z; })(),
			otherKey: buildPack(newKey()),
			otherPlan: buildPack(skey, { planVersion: PLAN_VERSION + 1 }),
		};
		const car = builtInCar();
		for (const [name, bytes] of Object.entries(cases))
			writeFileSync(join(dir, `${name}.xspack`), bytes);
		writeFileSync(join(dir, "car.plan"), new Uint8Array(car.plan));
		writeFileSync(join(dir, "car.vehicle"), new Uint8Array(car.vehicle));
		// Built in the project's build folder, so a second run only relinks what changed.
		const app = join(projectRoot, "build", "pack-xs-cli");
		mkdirSync(join(app, "out"), { recursive: true });
		writeFileSync(join(app, "main.js"), APP);
		const modules: Record<string, string | string[]> = { "*": ["./main", join(projectRoot, "test", "native", "xs-cli", "cli"), join(projectRoot, "test", "native", "xs-cli", "host")] };
		for (const module of ["signals/plan", "cluster/profile", "cluster/quantity", "storage/crc32", "storage/flash", "storage/record-log"])
			modules[module] = join(projectRoot, "modules", module);
		for (const module of ["test/fixtures/fake-flash", "test/support/random"])
			modules[module] = join(projectRoot, module);
		writeFileSync(join(app, "manifest.json"), JSON.stringify({
			build: { MODULES: "$(MODDABLE)/modules" },
			include: ["$(MODDABLE)/examples/manifest_typings.json", join(projectRoot, "modules", "pack", "manifest.json")],
			modules,
			preload: ["cli"],
			creation: { static: 0, chunk: { initial: 262144, incremental: 65536 }, heap: { initial: 16384, incremental: 4096 }, stack: 4096, keys: { available: 1024, name: 127, symbol: 127 }, parser: { buffer: 8192, tab: 8 }, main: "main" },
			typescript: { tsconfig: { compilerOptions: { strict: true } } },
		}, null, "\t"));
		const env = { ...process.env, PATH: `${process.env.PATH}:${RELEASE}:${join(projectRoot, "node_modules", ".bin")}` };
		try {
			// Always -t build: mcconfig's default target launches (and kills) simulators.
			execFileSync(join(RELEASE, "mcconfig"), ["-m", "-p", "x-cli-lin", "-t", "build", "-o", join(app, "out"), "manifest.json"], { cwd: app, env, stdio: "pipe" });
		}
		catch (error) {
			const e = error as { stdout?: Buffer; stderr?: Buffer };
			throw new Error(`mcconfig could not build the check:\n${e.stdout?.toString().split("\n").filter(l => !l.startsWith("# ")).join("\n") ?? ""}${e.stderr?.toString() ?? ""}`);
		}
		const binary = join(app, "out", "bin", "lin", "release", "pack-xs-cli");
		lines = execFileSync(binary, [hex(skey.point), dir, ...Object.keys(cases)], { encoding: "utf8" }).split("\n").filter(Boolean);
	}, 600_000);

	afterAll(() => {
		if (dir)
			rmSync(dir, { recursive: true, force: true });
	});

	const line = (name: string) => lines.find(l => l.startsWith(`pack-xs: ${name} `)) ?? `(no line for ${name} in: ${lines.join(" | ")})`;

	test("the-sdk-verifies-what-node-signed", () => {
		expect(line("key")).toBe(`pack-xs: key ${skey.signature.keyId.toString(16).padStart(8, "0")}`);
		expect(line("good")).toMatch(/^pack-xs: good ok 1\.0\.0 \d+$/);
		expect(line("installed")).toBe("pack-xs: installed staging A 1.0.0 xs-cluster demo car overwrites 0");
	});

	test("the-sdk-refuses-what-it-should", () => {
		expect(line("tampered")).toMatch(/^pack-xs: tampered refused PackFormatError: pack 'xs-cluster demo car' 1\.0\.0: wrong signature \(changed after signing, or not signed by key [0-9a-f]{8}\)$/);
		expect(line("resigned")).toMatch(/^pack-xs: resigned refused PackFormatError: .*: wrong signature/);
		expect(line("zero")).toMatch(/^pack-xs: zero refused PackFormatError: .*: wrong signature/);
		expect(line("otherKey")).toMatch(/^pack-xs: otherKey refused PackFormatError: .*: signed with key [0-9a-f]{8}, this firmware trusts [0-9a-f]{8}$/);
		expect(line("otherPlan")).toBe(`pack-xs: otherPlan refused PackFormatError: pack 'xs-cluster demo car' 1.0.0: for plan version ${PLAN_VERSION + 1}, this firmware reads ${PLAN_VERSION}`);
	});
});
