/*
 * Signed vehicle packs (issue 16, section 3): the format, the checks a pack
 * passes before anything changes, the A/B slots and their boot record, the
 * rollback of a pack that never reaches its first display tick, power cuts
 * at every step of an update, and the command line (`xs-cluster pack`).
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { checkPack, formatKeyId } from "../modules/pack/check.js";
import { MAX_PACK_BYTES, PACK_HEADER_BYTES, PackField, PackFormatError, SIGNATURE_BYTES, readPackHeader, writePack } from "../modules/pack/format.js";
import { PackInstaller, type StartedCar } from "../modules/pack/installer.js";
import { LOG_BLOCKS, PackSlots, Slot } from "../modules/pack/slots.js";
import { PLAN_VERSION } from "../modules/signals/plan.js";
import type { FlashRegion } from "../modules/storage/flash.js";
import { main } from "../tools/cli.js";
import { signPack } from "../tools/pack.js";
import { FakeFlash } from "./fixtures/fake-flash.js";
import { buildPack, builtInCar, DEMO_DBC, DEMO_PROFILE, newKey, tampered, type TestKey } from "./support/packs.js";
import { packFlash, packUpdateCuts, runWithCut, stepsTaken } from "./support/pack-power-cuts.js";
import { describeSharedData, sharedData } from "./shared-data.js";

const BLOCK = 4096;

let key: TestKey, other: TestKey;
let v1: Uint8Array, v2: Uint8Array;
beforeAll(() => {
	key = newKey();
	other = newKey();
	v1 = buildPack(key, { version: "1.0.0" });
	v2 = buildPack(key, { version: "2.0.0", name: "demo car, second edition" });
});

/** A device: its flash, and one start of the firmware on it. */
function boot(flash: FlashRegion, signature = key.signature): { packs: PackInstaller; car: StartedCar } {
	const packs = new PackInstaller(new PackSlots(flash), signature);
	const car = packs.start(builtInCar());
	return { packs, car };
}

/** Installs `bytes` on a running device and reaches the first tick of the next start. */
function install(flash: FlashRegion, bytes: Uint8Array): StartedCar {
	const { packs } = boot(flash);
	packs.started();
	const result = packs.offer(bytes);
	expect(result.accepted).toBe(true);
	packs.finish();
	const next = boot(flash);
	next.packs.started();
	return next.car;
}

describe("pack format", () => {
	test("header-round-trip", () => {
		const header = readPackHeader(v1);
		expect(header).toMatchObject({ formatVersion: 1, planVersion: PLAN_VERSION, version: "1.0.0", name: "xs-cluster demo car", totalBytes: v1.length, keyId: key.signature.keyId });
		expect(header.planOffset).toBe(PACK_HEADER_BYTES);
		expect(header.vehicleOffset % 8).toBe(0);
		expect(header.signedBytes + SIGNATURE_BYTES).toBe(v1.length);
	});

	test("name-and-version-limits", () => {
		const parts = { name: "x".repeat(65), version: "1", planVersion: 1, vehicleVersion: 1, plan: new Uint8Array(8), vehicle: new Uint8Array(8), keyId: 0 };
		expect(() => writePack(parts)).toThrow(/name .* 65 bytes in UTF-8, at most 64/);
		expect(() => writePack({ ...parts, name: "ok", version: "9".repeat(25) })).toThrow(/at most 24/);
		// UTF-8 names survive.
		const pack = writePack({ ...parts, name: "Škoda Octavia III — 1.4 TSI" });
		expect(readPackHeader(pack).name).toBe("Škoda Octavia III — 1.4 TSI");
	});

	test("header-lengths-checked", () => {
		const huge = new Uint8Array(v1);
		new DataView(huge.buffer).setUint32(PackField.planBytes, MAX_PACK_BYTES + 1, true);
		expect(() => readPackHeader(huge)).toThrow(/over 1048576 bytes/);
		const lying = new Uint8Array(v1);
		new DataView(lying.buffer).setUint32(PackField.vehicleBytes, 8, true);
		expect(() => readPackHeader(lying)).toThrow(/header says \d+ bytes, its payload lengths make \d+/);
		expect(() => readPackHeader(new Uint8Array([...v1, 0]))).toThrow("pack: 1 bytes after its signature");
	});
});

describe("pack checks: refused with one line, nothing changed", () => {
	const refusals: Array<[string, () => Uint8Array, RegExp]> = [
		["tampered", () => tampered(v1, PackField.name + 3), /^pack '.*' 1\.0\.0: wrong signature \(changed after signing, or not signed by key [0-9a-f]{8}\)$/],
		["tampered-payload", () => tampered(v1, PACK_HEADER_BYTES + 40), /: wrong signature/],
		["tampered-signature", () => tampered(v1, v1.length - 1), /: wrong signature/],
		["truncated", () => v1.subarray(0, v1.length - 10), /^pack: truncated, \d+ of \d+ bytes$/],
		["truncated-header", () => v1.subarray(0, 100), /^pack: truncated, 100 bytes, less than a header and a signature$/],
		["empty", () => new Uint8Array(0), /^pack: 0 bytes, too short for a header$/],
		["not-a-pack", () => new TextEncoder().encode("{\"speed\": 12, \"padding\": \"................................................................................................................................................................\"}"), /^pack: bad magic \(not an xs-cluster vehicle pack\)$/],
		["other-key", () => buildPack(other), /^pack '.*' 1\.0\.0: signed with key [0-9a-f]{8}, this firmware trusts [0-9a-f]{8}$/],
		["other-plan-version", () => buildPack(key, { planVersion: PLAN_VERSION + 1 }), new RegExp(`^pack '.*' 1\\.0\\.0: for plan version ${PLAN_VERSION + 1}, this firmware reads ${PLAN_VERSION}$`)],
	];
	for (const [name, make, reason] of refusals)
		test(`refuses-${name}`, () => {
			const device = packFlash();
			install(device, v1);
			const before = device.bytes.slice();
			const { packs } = boot(device);
			packs.started();
			const result = packs.offer(make());
			expect(result.accepted).toBe(false);
			expect(result.state).toBe("refused");
			expect(result.reason.split("\n")).toHaveLength(1);
			expect(result.reason.replace(/^refused: /, "")).toMatch(reason);
			expect(packs.busy).toBe(false);
			packs.finish();
			expect(device.bytes).toEqual(before);
			expect(packs.line).toContain(result.reason);
			expect(boot(device).car.info).toMatchObject({ name: "xs-cluster demo car", version: "1.0.0" });
		});

	test("refuses-contents-that-do-not-belong-together", () => {
		const a = readPackHeader(v1);
		// The demo car's plan with a profile table whose plan CRC is another plan's.
		const vehicle = new Uint8Array(v1.subarray(a.vehicleOffset, a.vehicleOffset + a.vehicleBytes));
		new DataView(vehicle.buffer).setUint32(16 * 4, 0x12345678, true); // planCrc
		const bytes = writePack({ name: "xs-cluster demo car", version: "3", planVersion: PLAN_VERSION, vehicleVersion: 1, keyId: key.signature.keyId, plan: v1.subarray(a.planOffset, a.planOffset + a.planBytes), vehicle });
		expect(() => checkPack(signed(bytes), key.signature)).toThrow(/^pack 'xs-cluster demo car' 3: contents do not load: vehicle profile 'xs-cluster demo car' was compiled with another plan/);
		const broken = new Uint8Array(v1.subarray(a.planOffset, a.planOffset + a.planBytes));
		broken[0] ^= 0xFF;
		const badPlan = writePack({ name: "xs-cluster demo car", version: "4", planVersion: PLAN_VERSION, vehicleVersion: 1, keyId: key.signature.keyId, plan: broken, vehicle: v1.subarray(a.vehicleOffset, a.vehicleOffset + a.vehicleBytes) });
		expect(() => checkPack(signed(badPlan), key.signature)).toThrow("pack 'xs-cluster demo car' 4: contents do not load: decode plan: bad magic (not a compiled xs-cluster plan)");
		expect(new PackFormatError("x").name).toBe("PackFormatError");
	});

	test("refuses-oversized-for-the-slot", () => {
		const slots = new PackSlots(new FakeFlash((LOG_BLOCKS + 2) * BLOCK, BLOCK));
		const packs = new PackInstaller(slots, key.signature);
		packs.start(builtInCar());
		const big = buildPack(key, { theme: new TextEncoder().encode(JSON.stringify({ pad: "x".repeat(5000) })) });
		expect(packs.offer(big).reason).toBe(`refused: pack: ${big.length} bytes, a slot holds 4096`);
	});
});

function signed(bytes: Uint8Array): Uint8Array {
	return signPack(bytes, key.privateKey);
}

describe("installing and starting", () => {
	test("signed-pack-installs-and-starts-next-time", () => {
		const flash = packFlash();
		const first = boot(flash);
		expect(first.car.info).toEqual({ name: "xs-cluster demo car", version: "", slot: "built-in", trial: false });
		first.packs.started();
		const offered = first.packs.offer(v2);
		expect(offered).toEqual({ accepted: true, state: "staging", reason: "pack 'demo car, second edition' 2.0.0 accepted; writing slot A, it starts at the next start" });
		// One sector erase or program per service call: the display never waits for the whole slot.
		const blocks = Math.ceil(v2.length / BLOCK);
		let calls = 0;
		while (first.packs.service())
			calls++;
		expect(calls).toBe(2 * blocks); // an erase, then a program, per block
		expect(first.packs.lastOffer).toBe("pack 'demo car, second edition' 2.0.0 installed in slot A; it starts at the next start");
		// Still the built-in car until the next start.
		expect(first.packs.info.slot).toBe("built-in");
		const second = boot(flash);
		expect(second.car.info).toEqual({ name: "demo car, second edition", version: "2.0.0", slot: "A", trial: true });
		expect(second.car.profile.name).toBe("demo car, second edition");
		expect(second.car.plan.messageCount).toBeGreaterThan(0);
		// The name cut to 20 characters on the diagnostics line: its version and slot stay on the row.
		expect(second.packs.line).toBe("demo car, second... 2.0.0 (slot A, trial)");
		second.packs.started();
		expect(second.packs.line).toBe("demo car, second... 2.0.0 (slot A)");
		expect(second.car.info.trial).toBe(false); // what start returned follows
		// Kept from then on.
		expect(boot(flash).car.info).toEqual({ name: "demo car, second edition", version: "2.0.0", slot: "A", trial: false });
	});

	test("the-same-pack-again-is-unchanged", () => {
		const flash = packFlash();
		install(flash, v1);
		const { packs } = boot(flash);
		packs.started();
		const writes = flash.bytesWritten;
		expect(packs.offer(v1)).toEqual({ accepted: true, state: "unchanged", reason: "pack 'xs-cluster demo car' 1.0.0 runs already (slot A)" });
		expect(packs.offer(v2).state).toBe("staging");
		expect(packs.offer(v2).reason).toBe("pack 'demo car, second edition' 2.0.0 is being written to slot B");
		packs.finish();
		expect(packs.offer(v2).reason).toBe("pack 'demo car, second edition' 2.0.0 waits in slot B for the next start");
		expect(flash.bytesWritten).toBeGreaterThan(writes);
		expect(packs.unchanged).toBe(3);
	});

	test("a/b-alternate-and-never-touch-the-running-slot", () => {
		const flash = packFlash();
		expect(install(flash, v1).info.slot).toBe("A");
		expect(install(flash, v2).info.slot).toBe("B");
		const v3 = buildPack(key, { version: "3.0.0" });
		expect(install(flash, v3).info).toMatchObject({ slot: "A", version: "3.0.0" });
	});

	test("a-pack-that-never-reaches-its-first-tick-rolls-back", () => {
		const flash = packFlash();
		install(flash, v1); // runs from A, confirmed
		const { packs } = boot(flash);
		packs.started();
		packs.offer(v2);
		packs.finish();
		// The new pack's start: the cluster dies before its first display tick.
		const trial = boot(flash);
		expect(trial.car.info).toMatchObject({ version: "2.0.0", slot: "B", trial: true });
		// The next start goes back to the pack that ran before it.
		const after = boot(flash);
		expect(after.car.info).toEqual({ name: "xs-cluster demo car", version: "1.0.0", slot: "A", trial: false });
		expect(after.car.note).toBe("pack in slot B did not reach its first display tick; back to A");
		after.packs.started();
		expect(boot(flash).car.info.version).toBe("1.0.0");
		// The rolled-back pack offered again is written again (a fix may come with the same bytes after a firmware update).
		expect(after.packs.offer(v2).state).toBe("staging");
	});

	test("rollback-from-the-first-pack-goes-to-the-built-in-car", () => {
		const flash = packFlash();
		const { packs } = boot(flash);
		packs.offer(v1);
		packs.finish();
		boot(flash); // dies before the first tick
		const after = boot(flash);
		expect(after.car.info.slot).toBe("built-in");
		expect(after.car.note).toBe("pack in slot A did not reach its first display tick; back to built-in");
	});

	test("a-slot-damaged-on-flash-falls-back", () => {
		const flash = packFlash();
		install(flash, v1);
		install(flash, v2); // B active, A fallback
		// A bit of slot B flips (no read-back can see a later disturbance).
		flash.bytes[(LOG_BLOCKS + 4) * BLOCK + 300] ^= 0x10;
		const after = boot(flash);
		expect(after.car.info).toMatchObject({ slot: "A", version: "1.0.0" });
		expect(after.car.note).toBe("pack in slot B does not load (its bytes changed on flash); back to A");
		// Both damaged: the built-in car.
		flash.bytes[(LOG_BLOCKS) * BLOCK + 300] ^= 0x10;
		expect(boot(flash).car.info.slot).toBe("built-in");
	});

	test("no-key-built-in-refuses-every-pack", () => {
		const packs = new PackInstaller(new PackSlots(packFlash()), { keyId: 0, verify: () => false });
		packs.start(builtInCar());
		expect(packs.offer(v1).reason).toMatch(/^refused: pack '.*' 1\.0\.0: signed with key [0-9a-f]{8}, this firmware trusts 00000000$/);
		const keyless = new PackInstaller(new PackSlots(packFlash()), null);
		keyless.start(builtInCar());
		expect(keyless.offer(v1).reason).toBe("refused: this firmware has no pack key (build it with the manifest config packKey, from xs-cluster pack keygen)");
	});
});

describe("power cuts during an update", () => {
	test("old-or-new-never-neither", () => {
		// Every step of the last block and of the boot record's save (the switch), every 127th before, and just
		// after the last (the cut right after the record is complete); on XS too (test/pack-on-xs.test.ts).
		const r = packUpdateCuts({ v1, v2, builtIn: builtInCar(), signature: key.signature, stride: 127, tail: BLOCK + 255 });
		expect(r.total).toBeGreaterThan(2 * BLOCK);
		expect(r.problems).toEqual([]);
		expect(r.cuts).toBeGreaterThan(BLOCK + 255);
		// Both outcomes happen: a cut before the record is complete keeps the old pack.
		expect(r.olds).toBeGreaterThan(0);
		expect(r.news).toBeGreaterThan(0);
	}, 120000);

	test("cut-during-the-trial-start-and-the-confirmation", () => {
		// Cuts while the first start of the new pack counts its attempt, and while its first tick confirms it.
		const prepare = (flash: FlashRegion) => {
			install(flash, v1);
			const { packs } = boot(flash);
			packs.started();
			packs.offer(v2);
			packs.finish();
		};
		const startAndTick = (flash: FlashRegion) => boot(flash).packs.started();
		const counting = packFlash();
		prepare(counting);
		const base = stepsTaken(counting);
		startAndTick(counting);
		const total = stepsTaken(counting) - base;
		expect(total).toBeGreaterThan(0);
		for (let cut = 0; cut < total; cut++) {
			const flash = packFlash(cut + 7);
			prepare(flash);
			runWithCut(flash, cut, startAndTick);
			const { car } = boot(flash);
			expect(["1.0.0", "2.0.0"]).toContain(car.info.version);
		}
	}, 120000);
});

describeSharedData("packs of real cars (../shared/data)", () => {
	const cars: Array<[string, string]> = [
		["toyota-prius-2010.json", "toyota_prius_2010_pt.dbc"],
		["vw-mqb.json", "vw_mqb.dbc"],
	];
	for (const [profile, dbc] of cars)
		test(`packs-and-loads-${profile}`, () => {
			const bytes = buildPack(key, { profilePath: join("profiles", profile), dbcPath: sharedData("dbc", dbc), version: "2026.12" });
			const checked = checkPack(bytes, key.signature);
			expect(checked.plan.messageCount).toBeGreaterThan(3);
			const flash = new FakeFlash((LOG_BLOCKS + 2 * 16) * BLOCK, BLOCK);
			const { packs } = boot(flash);
			packs.started();
			expect(packs.offer(bytes).state).toBe("staging");
			packs.finish();
			const car = boot(flash).car;
			expect(car.info).toMatchObject({ name: checked.profile.name, version: "2026.12", slot: "A" });
			expect(car.plan.signalCount).toBe(checked.plan.signalCount);
		});
});

describe("xs-cluster pack", () => {
	let dir: string;
	beforeAll(() => {
		dir = mkdtempSync(join(tmpdir(), "xs-cluster-pack-"));
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
		let out = "", err = "";
		const status = await main(argv, { stdout: text => { out += text; }, stderr: text => { err += text; } });
		return { status, out, err };
	}

	test("keygen-build-verify", async () => {
		const keys = join(dir, "keys");
		const made = await run("pack", "keygen", "-o", keys);
		expect(made.status).toBe(0);
		expect(made.out).toMatch(/public key, id [0-9a-f]{8}\n/);
		expect(made.out).toMatch(/"packKey": "04[0-9a-f]{128}"/);
		expect(statSync(join(keys, "private.pem")).mode & 0o777).toBe(0o600);
		const again = await run("pack", "keygen", "-o", keys);
		expect(again).toMatchObject({ status: 1, err: `xs-cluster: ${join(keys, "private.pem")} exists: a key is never overwritten (move it, or give another folder with -o)\n` });

		const theme = join(dir, "theme.json");
		writeFileSync(theme, "{ // night blue\n \"accent\": \"#3060ff\", }\n");
		const out = join(dir, "demo.xspack");
		const built = await run("pack", "build", "--dbc", DEMO_DBC, DEMO_PROFILE, "--key", join(keys, "private.pem"), "--theme", theme, "--version", "1.2.0", "-o", out);
		expect(built.err).toBe("");
		expect(built.out).toMatch(/demo\.xspack: 'xs-cluster demo car' 1\.2\.0, \d+ messages, \d+ signals, a theme, \d+ bytes, signed by key [0-9a-f]{8}\n/);
		expect(built.status).toBe(0);
		const verified = await run("pack", "verify", "--key", join(keys, "public.pem"), out);
		expect(verified.out).toMatch(/: ok, 'xs-cluster demo car' 1\.2\.0, plan version 1 with \d+ messages and \d+ signals, a theme, \d+ bytes; signature good \(key [0-9a-f]{8}\)\n/);
		const unkeyed = await run("pack", "verify", out);
		expect(unkeyed.out).toMatch(/signature not checked \(signed by key [0-9a-f]{8}; give --key public\.pem\)/);

		const bytes = new Uint8Array(readFileSync(out));
		const header = readPackHeader(bytes);
		expect(new TextDecoder().decode(bytes.subarray(header.themeOffset, header.themeOffset + header.themeBytes))).toBe("{\"accent\":\"#3060ff\"}");

		writeFileSync(join(dir, "bad.xspack"), tampered(bytes));
		const bad = await run("pack", "verify", "--key", join(keys, "public.pem"), join(dir, "bad.xspack"));
		expect(bad.status).toBe(1);
		expect(bad.err).toMatch(/^xs-cluster: .*bad\.xspack: pack '.*' 1\.2\.0: wrong signature \(changed after signing, or not signed by key [0-9a-f]{8}\)\n$/);
		writeFileSync(join(dir, "short.xspack"), bytes.subarray(0, 1000));
		expect((await run("pack", "verify", join(dir, "short.xspack"))).err).toMatch(/short\.xspack: pack: truncated, 1000 of \d+ bytes\n$/);
		// The verifier a device trusts with another key.
		const otherKeys = join(dir, "other");
		await run("pack", "keygen", "-o", otherKeys);
		expect((await run("pack", "verify", "--key", join(otherKeys, "public.pem"), out)).err).toMatch(/signed with key [0-9a-f]{8}, this firmware trusts [0-9a-f]{8}\n$/);
	});

	test("usage-mistakes", async () => {
		expect(await run("pack")).toMatchObject({ status: 2, err: "xs-cluster: pack needs a command: keygen, build, verify or send\nRun 'xs-cluster pack --help' for usage.\n" });
		expect((await run("pack", "build", DEMO_PROFILE, "-o", join(dir, "x.xspack"))).err).toMatch(/^xs-cluster: pack build needs --key private\.pem/);
		expect((await run("pack", "build", DEMO_PROFILE, "--key", "k.pem")).err).toMatch(/^xs-cluster: pack build needs -o CAR\.xspack/);
		expect((await run("pack", "build", DEMO_PROFILE, "--key", DEMO_PROFILE, "--version", "1 0", "-o", "x")).err).toMatch(/--version '1 0': 1 to 24 printable ASCII characters/);
		const notKey = await run("pack", "build", DEMO_PROFILE, "--key", DEMO_PROFILE, "-o", join(dir, "x.xspack"));
		expect(notKey).toMatchObject({ status: 1, err: `xs-cluster: ${DEMO_PROFILE}: not a PEM private key (xs-cluster pack keygen writes private.pem)\n` });
		expect(existsSync(join(dir, "x.xspack"))).toBe(false);
		expect((await run("pack", "verify", join(dir, "missing.xspack"))).err).toBe(`xs-cluster: cannot read ${join(dir, "missing.xspack")}: no such file\n`);
		const help = await run("pack", "build", "--help");
		expect(help.out).toContain("Example:\n  xs-cluster pack build hosts/sim/demo/demo-car.json --key /tmp/keys/private.pem");
	});

	test("key-ids-agree", () => {
		expect(formatKeyId(key.signature.keyId)).toMatch(/^[0-9a-f]{8}$/);
		expect(readPackHeader(v1).keyId).toBe(key.signature.keyId);
	});
});

describe("older versions", () => {
	test("an-older-version-of-the-running-car-is-refused-unless-allowed", () => {
		const flash = packFlash();
		const newer = buildPack(key, { version: "1.10.0" }), older = buildPack(key, { version: "1.9.2" });
		install(flash, newer);
		const { packs } = boot(flash);
		packs.started();
		// A stale retained message on the broker, at every connect: refused, nothing written.
		const refused = packs.offer(older);
		expect(refused).toEqual({ accepted: false, state: "refused", reason: "refused: pack 'xs-cluster demo car' 1.9.2 is older than 1.10.0, which runs (to go back, send it with xs-cluster pack send --force)" });
		expect(packs.busy).toBe(false);
		expect(packs.line).toBe(`xs-cluster demo car 1.10.0 (slot A); ${refused.reason}`);
		// Renamed, it is still the same car: compared all the same. The host's --force installs the older one.
		expect(packs.offer(buildPack(key, { version: "0.1", name: "demo car, renamed" })).reason).toBe("refused: pack 'demo car, renamed' 0.1 is older than 'xs-cluster demo car' 1.10.0, which runs (to go back, send it with xs-cluster pack send --force)");
		expect(packs.offer(buildPack(key, { version: "1.10.0", name: "demo car, renamed" })).state).toBe("staging"); // the same version: a rebuild
		expect(packs.offer(older, { allowOlder: true }).state).toBe("staging");
		packs.finish();
		expect(boot(flash).car.info).toMatchObject({ version: "1.9.2", slot: "B" });
	});
});

describe("the diagnostics line", () => {
	test("a-long-name-is-cut-before-its-version-and-slot", async () => {
		const { shortened, LINE_NAME_CHARS } = await import("../modules/pack/installer.js");
		expect(shortened("xs-cluster demo car", LINE_NAME_CHARS)).toBe("xs-cluster demo car");
		expect(shortened("xs-cluster demo car, second edition (2027 facelift model)", LINE_NAME_CHARS)).toBe("xs-cluster demo c...");
		expect(shortened("Volkswagen MQB (Golf 7, Passat B8, Tiguan II, ...)", LINE_NAME_CHARS)).toBe("Volkswagen MQB (G...");
		expect(shortened("a b                  c", 6)).toBe("a b..."); // no space before the dots
		const flash = packFlash();
		const long = buildPack(key, { version: "2026.12", name: "xs-cluster demo car, second edition (2027 facelift model)" });
		install(flash, long);
		const { packs } = boot(flash);
		packs.started();
		expect(packs.line).toBe("xs-cluster demo c... 2026.12 (slot A)");
		expect(packs.info.name).toBe("xs-cluster demo car, second edition (2027 facelift model)"); // the whole name elsewhere
	});
});

describe("slots", () => {
	test("geometry", () => {
		const slots = new PackSlots(packFlash());
		expect(slots.slotBlocks).toBe(4);
		expect(slots.slotBytes).toBe(16384);
		expect(slots.firstBlock(Slot.a)).toBe(2);
		expect(slots.firstBlock(Slot.b)).toBe(6);
		expect(() => new PackSlots(new FakeFlash(3 * BLOCK, BLOCK))).toThrow("pack partition of 12288 bytes holds no A/B pair (2 blocks for the boot record and 2 slots)");
	});
});

describe("npm start -- --pack-key", () => {
	test("passes-the-key-as-a-config-value", async () => {
		const { parseArgs, packKeyPoint, start } = await import("../tools/start.js");
		expect(parseArgs(["--pack-key", "keys/public.pem"])).toMatchObject({ packKey: join(process.cwd(), "keys", "public.pem") });
		expect(parseArgs(["--pack-key"])).toMatch(/^xs-cluster: --pack-key wants the public key vehicle packs are signed for/);
		expect(parseArgs([])).toMatchObject({ packKey: null });
		const pem = new TextEncoder().encode(key.publicKey.export({ type: "spki", format: "pem" }) as string);
		const hex = Buffer.from(key.point).toString("hex");
		expect(packKeyPoint("/k.pem", { readFile: () => pem })).toBe(hex);
		expect(packKeyPoint("/k.pem", { readFile: () => new TextEncoder().encode("nope") })).toBe("xs-cluster: /k.pem: not a P-256 public key in PEM (xs-cluster pack keygen writes public.pem)");
		expect(packKeyPoint("/k.pem", { readFile: () => { throw new Error("ENOENT"); } })).toBe("xs-cluster: cannot read /k.pem");
		// The build gets packKey=<hex> on mcconfig's command line.
		const runs: string[][] = [];
		const sdk = "/opt/moddable", release = `${sdk}/build/bin/lin/release`, project = "/home/me/xs-cluster";
		const files = new Set([sdk, `${release}/mcconfig`, `${release}/mcsim`, `${project}/build/bin/lin/m5stack/debug/xs-cluster/mc.so`]);
		let out = "";
		const status = await start(["--pack-key", "/keys/public.pem", "--build-only"], project, {
			env: { MODDABLE: sdk, PATH: "/usr/bin" }, platform: "linux",
			exists: path => files.has(path), makeDir: () => {}, readFile: () => pem, writeFile: () => {}, copyFile: () => {},
			run: async (_command, args) => { runs.push(args); return 0; },
			out: text => { out += text; }, err: text => { out += text; },
		});
		expect(status).toBe(0);
		expect(runs[0]).toContain(`packKey=${hex}`);
		expect(out).toContain("xs-cluster: the cluster will take vehicle packs signed for /keys/public.pem");
	});

	test("--pack-link-opens-the-simulator's-tcp-port", async () => {
		const { parseArgs, start } = await import("../tools/start.js");
		expect(parseArgs(["--pack-link"])).toMatchObject({ packLink: 7071 });
		expect(parseArgs(["--pack-link", "9000", "--build-only"])).toMatchObject({ packLink: 9000, buildOnly: true });
		expect(parseArgs(["--pack-link", "70000"])).toMatch(/^xs-cluster: --pack-link wants a TCP port, e\.g\. 7071, not '70000'\n/);
		const runs: string[][] = [];
		const sdk = "/opt/moddable", release = `${sdk}/build/bin/lin/release`, project = "/home/me/xs-cluster";
		const files = new Set([sdk, `${release}/mcconfig`, `${release}/mcsim`, `${project}/build/bin/lin/m5stack/debug/xs-cluster/mc.so`]);
		let out = "";
		const status = await start(["--pack-link", "--build-only"], project, {
			env: { MODDABLE: sdk, PATH: "/usr/bin" }, platform: "linux",
			exists: path => files.has(path), makeDir: () => {}, readFile: () => new Uint8Array(0), writeFile: () => {}, copyFile: () => {},
			run: async (_command, args) => { runs.push(args); return 0; },
			out: text => { out += text; }, err: text => { out += text; },
		});
		expect(status).toBe(0);
		expect(runs[0]).toContain("packLink=7071");
		expect(out).toContain("xs-cluster: the cluster will take vehicle packs on TCP port 7071 (npx xs-cluster pack send CAR.xspack --tcp 127.0.0.1:7071)");
	});
});
