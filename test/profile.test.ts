import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { ProfileFormatError, ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { QUANTITY_NAMES, Quantity, type QuantityName } from "../modules/cluster/quantity.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { SignalStore } from "../modules/signals/store.js";
import { main } from "../tools/cli.js";
import { compileProfile, conversion, ProfileError } from "../tools/profile.js";
import { database, message, signal } from "./support/dbc-builder.js";
import { describeSharedData, repoRoot, sharedData, cantoolsVectors } from "./shared-data.js";

const demoDir = join(repoRoot, "hosts/sim/demo");
const demoDb = parseDbcOrThrow(readFileSync(join(demoDir, "demo-car.dbc"), "latin1"), "demo-car.dbc");
const demoProfile = JSON.parse(readFileSync(join(demoDir, "demo-car.json"), "utf8"));

/** A small car: speed in mph, temperature in °F, a turn-signal enum, two doors. */
const testDb = database([
	message({ id: 0x100, name: "DASH", signals: [
		signal({ name: "Speed", startBit: 0, length: 16, factor: 0.01, unit: "mph" }),
		signal({ name: "Coolant", startBit: 16, length: 8, offset: -40, unit: "°F" }),
		signal({ name: "Turn", startBit: 24, length: 2, choices: new Map([[0, "off"], [1, "left"], [2, "right"], [3, "hazard"]]) }),
		signal({ name: "DoorFL", startBit: 26, length: 1 }),
		signal({ name: "DoorFR", startBit: 27, length: 1 }),
		signal({ name: "Pressure", startBit: 32, length: 8, unit: "bar" }),
		signal({ name: "Odd", startBit: 40, length: 8, unit: "furlong" }),
		signal({ name: "Bare", startBit: 48, length: 8 }),
	] }),
	message({ id: 0x200, name: "OTHER", signals: [signal({ name: "X", startBit: 0, length: 8 })] }),
]);

function frame(id: number, bytes: number[], timestamp = 0): CanFrame {
	const f = new CanFrame();
	f.id = id;
	f.dlc = 8;
	f.data.set(bytes);
	f.timestamp = timestamp;
	return f;
}

function load(json: unknown, db = testDb) {
	const compiled = compileProfile(json, "car.json", db);
	const plan = new DecodePlan(compiled.plan.buffer);
	const profile = new VehicleProfile(compiled.vehicle);
	const decoder = new Decoder(plan);
	const obd = new SignalStore(256, 5000);
	const inputs = new ProfileInputs(profile, plan, decoder.store, obd);
	return { compiled, plan, profile, decoder, obd, inputs };
}

function problemsOf(json: unknown, db: typeof testDb | null = testDb): string[] {
	try {
		compileProfile(json, "car.json", db);
	}
	catch (error) {
		if (error instanceof ProfileError)
			return error.problems;
		throw error;
	}
	return [];
}

describe("profile compile", () => {
	test("the-demo-profile-reads-its-signals-from-the-store", () => {
		const { plan, decoder, inputs, profile } = load(demoProfile, demoDb);
		// The reference: each mapped signal read straight from the store by name (the demo maps plain signals, no conversions).
		const mapping = demoProfile.quantities as Partial<Record<QuantityName, string>>;
		const signalOf = (q: number) => {
			const path = mapping[QUANTITY_NAMES[q] as QuantityName];
			if (path === undefined)
				return -1;
			const [messageName, signalName] = path.split(".");
			return plan.findSignal(plan.findMessageByName(messageName), signalName);
		};
		const reference = {
			has: (q: number) => signalOf(q) >= 0,
			read: (q: number, now: number) => signalOf(q) < 0 ? NaN : decoder.store.read(signalOf(q), now),
			readRaw: (q: number, now: number) => signalOf(q) < 0 ? NaN : decoder.store.readRaw(signalOf(q), now),
		};
		// The simulator's demo drive, up to the instant every message has been seen.
		for (const line of readFileSync(join(demoDir, "demo-drive.log"), "utf8").trim().split("\n").slice(0, 400)) {
			const match = /\s([0-9A-F]+)#([0-9A-F]*)\s*$/i.exec(line);
			if (match)
				decoder.decode(frame(parseInt(match[1], 16), (match[2].match(/../g) ?? []).map(h => parseInt(h, 16))));
		}
		let compared = 0;
		for (const name of QUANTITY_NAMES) {
			const q = Quantity[name];
			expect(inputs.has(q)).toBe(reference.has(q));
			const a = inputs.read(q, 0), b = reference.read(q, 0);
			expect(Number.isNaN(a)).toBe(Number.isNaN(b));
			if (!Number.isNaN(a)) {
				expect(a).toBeCloseTo(b, 9);
				compared++;
			}
		}
		expect(compared).toBe(21);
		expect(profile.name).toBe("xs-cluster demo car");
		expect(profile.gearLabel(3)).toBe("D");
		expect(profile.gearLabel(42)).toBe("");
		expect(profile.gears()).toEqual(demoProfile.gears);
		expect(inputs.readRaw(Quantity.gear, 0)).toBe(reference.readRaw(Quantity.gear, 0));
		expect(inputs.readRaw(Quantity.speed, 0)).toBe(reference.readRaw(Quantity.speed, 0)); // raw, before the factor
	});

	test("known-units-convert-automatically-mph-and-fahrenheit", () => {
		const { compiled, decoder, inputs } = load({ name: "t", quantities: { speed: "DASH.Speed", coolantTemp: "DASH.Coolant", oilPressure: "DASH.Pressure" } });
		decoder.decode(frame(0x100, [0x10, 0x27, 252, 0, 3]));  // 100.00 mph, 212 °F, 3 bar
		expect(inputs.read(Quantity.speed, 0)).toBeCloseTo(160.9344, 9);
		expect(inputs.read(Quantity.coolantTemp, 0)).toBeCloseTo(100, 9);
		expect(inputs.read(Quantity.oilPressure, 0)).toBeCloseTo(300, 9);
		expect(compiled.notes.join("\n")).toMatch(/DASH.Speed converted from mph to km\/h/);
		expect(compiled.plan.messageCount).toBe(1); // only the messages used
	});

	test("explicit-scale-or-unit-overrides-the-dbc", () => {
		const { decoder, inputs, compiled } = load({ name: "t", quantities: {
			speed: { signal: "DASH.Speed", unit: "km/h" },
			rpm: { signal: "DASH.Bare", scale: 50 },
			ambientTemp: "DASH.Bare",
		} });
		decoder.decode(frame(0x100, [0x10, 0x27, 0, 0, 0, 0, 20]));
		expect(inputs.read(Quantity.speed, 0)).toBeCloseTo(100, 9);
		expect(inputs.read(Quantity.rpm, 0)).toBe(1000);
		expect(compiled.warnings.join("\n")).toMatch(/quantities.ambientTemp: DASH.Bare has no unit in the DBC; taken as degC/);
	});

	test("enum-states-and-derived-values-are-honest-about-missing-data", () => {
		const { decoder, inputs, obd } = load({ name: "t", quantities: {
			turnLeft: { signal: "DASH.Turn", equals: "left" },
			turnRight: { signal: "DASH.Turn", equals: 2 },
			doorOpen: { any: ["DASH.DoorFL", "DASH.DoorFR"] },
			seatBeltUnbuckled: { signal: "DASH.Turn", notEquals: 0 },
			speed: { first: ["DASH.Speed", { obd: "0x0D" }] },
		} });
		// Nothing received: every quantity is missing, not off.
		for (const q of [Quantity.turnLeft, Quantity.doorOpen, Quantity.speed])
			expect(inputs.read(q, 0)).toBeNaN();
		// Only OBD speed known: the fallback answers.
		obd.set(0x0D, 88, 0);
		expect(inputs.read(Quantity.speed, 0)).toBe(88);
		decoder.decode(frame(0x100, [0, 0, 0, 0b1001]));  // turn = left, door FR open
		expect(inputs.read(Quantity.turnLeft, 0)).toBe(1);
		expect(inputs.read(Quantity.turnRight, 0)).toBe(0);
		expect(inputs.read(Quantity.doorOpen, 0)).toBe(1);
		expect(inputs.read(Quantity.seatBeltUnbuckled, 0)).toBe(1);
		expect(inputs.read(Quantity.speed, 0)).toBe(0); // the bus wins over OBD when present
		decoder.decode(frame(0x100, [0, 0, 0, 0]));
		expect(inputs.read(Quantity.doorOpen, 0)).toBe(0);
	});

	test("a-driver-key-is-read-as-the-code-the-car-sends", () => {
		const { decoder, inputs } = load({ name: "k", quantities: { driverKey: "DASH.Bare" } });
		expect(inputs.has(Quantity.driverKey)).toBe(true);
		expect(inputs.readRaw(Quantity.driverKey, 0)).toBeNaN();
		decoder.decode(frame(0x100, [0, 0, 0, 0, 0, 0, 3]));
		expect(inputs.readRaw(Quantity.driverKey, 0)).toBe(3);
	});

	test("every-mistake-is-reported-with-file-and-key-path", () => {
		const problems = problemsOf({
			name: "t",
			quantities: {
				speed: "NOPE.Speed",
				rpm: "DASH.Nope",
				coolantTemp: "DASH.Pressure",
				oilTemp: "DASH.Odd",
				turnLeft: { signal: "DASH.Turn", equals: "sideways" },
				fuelLevel: { obd: "0x0D" },
				warp: "DASH.Speed",
				doorOpen: { any: ["DASH.DoorFL", "DASHDoorFR"] },
				gear: { signal: "DASH.Turn", equals: 1, bits: 2 },
			},
			tansmit: {},
		});
		expect(problems).toEqual(expect.arrayContaining([
			"car.json: tansmit: unknown key (known: name, dbc, quantities, gears, tankLiters, transmit, comment)",
			"car.json: quantities.speed: test.dbc has no message 'NOPE'",
			"car.json: quantities.rpm: message DASH has no signal 'Nope' (it has: Speed, Coolant, Turn, DoorFL, DoorFR, Pressure, Odd, Bare)",
			"car.json: quantities.coolantTemp: DASH.Pressure is in bar, coolantTemp needs degC: no conversion between them (wrong signal?)",
			"car.json: quantities.oilTemp: DASH.Odd is in 'furlong', a unit xs-cluster does not know; give \"unit\" (one it knows) or \"scale\"/\"offset\" into degC",
			"car.json: quantities.turnLeft.equals: DASH.Turn has no value named 'sideways' (value table: 'off', 'left', 'right', 'hazard')",
			"car.json: quantities.fuelLevel.obd: PID 0x0D (vehicle speed) is in km/h, fuelLevel needs %",
			expect.stringMatching(/^car.json: quantities.warp: unknown quantity \(known: speed, rpm, /),
			"car.json: quantities.doorOpen.any[1]: 'DASHDoorFR' is not MESSAGE.SIGNAL",
			"car.json: quantities.gear: only one of equals, notEquals, bits",
		]));
		expect(problems).toHaveLength(10);
		expect(problemsOf(JSON.parse('{"name": "t", "quantities": {"constructor": "DASH.Speed", "__proto__": "DASH.Speed"}}'))).toEqual([
			expect.stringMatching(/^car.json: quantities.constructor: unknown quantity/),
			expect.stringMatching(/^car.json: quantities.__proto__: unknown quantity/),
		]);
	});

	test("a-can-signal-without-a-dbc-is-refused-and-obd-only-needs-none", () => {
		expect(problemsOf({ name: "t", quantities: { speed: "DASH.Speed" } }, null)).toEqual([
			"car.json: quantities.speed: 'DASH.Speed' is a CAN signal, but no DBC was given (--dbc FILE.dbc, or \"dbc\" in the profile)",
		]);
		const compiled = compileProfile({ name: "obd", quantities: { speed: { obd: 13 } }, transmit: { obd: true, addressing: "29bit", maxRequestsPerSecond: 15 } }, "obd.json", null);
		const profile = new VehicleProfile(compiled.vehicle);
		expect(profile.transmitObd).toBe(true);
		expect(profile.obdExtended).toBe(true);
		expect(profile.obdRate).toBe(15);
		expect(profile.obdPids()).toEqual([0x0D]);
		expect(new DecodePlan(compiled.plan.buffer).messageCount).toBe(0);
		expect(() => new ProfileInputs(profile, null, null)).not.toThrow();
	});

	test("unit-table-converts-known-pairs-only", () => {
		expect(conversion("mph", "km/h")).toMatchObject({ scale: 1.609344, offset: 0 });
		expect(conversion("Unit_KiloMeterPerHour", "km/h")).toMatchObject({ scale: 1, offset: 0 });
		const f = conversion("degF", "degC")!;
		expect(212 * f.scale + f.offset).toBeCloseTo(100, 12);
		expect(conversion("bar", "degC")).toBeUndefined();
		expect(conversion("parsec", "km")).toBeUndefined();
	});

	test("the-loader-refuses-other-formats-and-a-mismatched-plan", () => {
		const { compiled, plan } = load({ name: "t", quantities: { speed: "DASH.Speed" } });
		const bytes = new Uint8Array(compiled.vehicle.slice(0));
		bytes[0] ^= 1;
		expect(() => new VehicleProfile(bytes.buffer)).toThrow(ProfileFormatError);
		expect(() => new VehicleProfile(compiled.vehicle.slice(0, 40))).toThrow(/too short/);
		expect(() => new VehicleProfile(compiled.vehicle.slice(0, compiled.vehicle.byteLength - 8))).toThrow(/header says/);
		const profile = new VehicleProfile(compiled.vehicle);
		const other = new DecodePlan(compileProfile({ name: "u", quantities: { speed: "DASH.Speed", rpm: "OTHER.X" } }, "u.json", testDb).plan.buffer);
		expect(() => new ProfileInputs(profile, other, null)).toThrow(/compiled with a plan of 1 messages, this plan has 2/);
		expect(() => new ProfileInputs(profile, plan, null)).not.toThrow();
		// Same message count, different plan: refused too.
		const sibling = new DecodePlan(compileProfile({ name: "v", quantities: { rpm: "OTHER.X" } }, "v.json", testDb).plan.buffer);
		expect(sibling.messageCount).toBe(plan.messageCount);
		expect(() => new ProfileInputs(profile, sibling, null)).toThrow(/compiled with another plan/);
	});
});

describe("xs-cluster profile", () => {
	async function run(...argv: string[]) {
		let stdout = "", stderr = "";
		const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
		return { status, stdout, stderr };
	}

	test("compile-writes-the-vehicle-table-and-its-plan", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-profile-"));
		const out = join(dir, "demo.vehicle");
		const { status, stdout, stderr } = await run("profile", "compile", join(demoDir, "demo-car.json"), "-o", out);
		expect(stderr).toBe("");
		expect(status).toBe(0);
		expect(stdout).toMatch(/demo.vehicle: xs-cluster demo car: 21 quantities \(21 from the bus, 0 OBD-II, 0 derived\), 8 messages/);
		expect(existsSync(join(dir, "demo.plan"))).toBe(true);
		const plan = new DecodePlan(new Uint8Array(readFileSync(join(dir, "demo.plan"))).buffer);
		const profile = new VehicleProfile(new Uint8Array(readFileSync(out)).buffer);
		expect(() => new ProfileInputs(profile, plan, new Decoder(plan).store)).not.toThrow();
	});

	test("show-reads-back-what-a-compiled-profile-maps", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-profile-"));
		const path = join(dir, "car.json");
		writeFileSync(path, JSON.stringify({ name: "Test car", quantities: {
			speed: { first: ["DASH.Speed", { obd: "0x0D" }] }, turnLeft: { signal: "DASH.Turn", equals: "left" }, doorOpen: { any: ["DASH.DoorFL", "DASH.DoorFR"] },
		}, gears: { "1": "D" }, transmit: { obd: true } }));
		const dbc = join(dir, "car.dbc");
		writeFileSync(dbc, [
			'VERSION ""', "", "BU_: ECU", "",
			"BO_ 256 DASH: 8 ECU",
			' SG_ Speed : 0|16@1+ (0.01,0) [0|300] "mph" ECU',
			' SG_ Turn : 24|2@1+ (1,0) [0|3] "" ECU',
			' SG_ DoorFL : 26|1@1+ (1,0) [0|1] "" ECU',
			' SG_ DoorFR : 27|1@1+ (1,0) [0|1] "" ECU',
			"", 'VAL_ 256 Turn 0 "off" 1 "left" 2 "right" ;', "",
		].join("\n"));
		expect((await run("profile", "compile", "--dbc", dbc, path, "-o", join(dir, "car.vehicle"))).status).toBe(0);
		const { status, stdout } = await run("profile", "show", join(dir, "car.vehicle"));
		expect(status).toBe(0);
		expect(stdout).toContain("Test car\n");
		expect(stdout).toMatch(/speed +first of \[DASH.Speed \(x1.609344\), OBD-II 0x0D \(vehicle speed\)\]  \[km\/h\]/);
		expect(stdout).toMatch(/turnLeft +DASH.Turn = 1\n/);
		expect(stdout).toMatch(/doorOpen +any of \[DASH.DoorFL, DASH.DoorFR\]/);
		expect(stdout).toContain("OBD-II requests on, 11-bit, at most 20/s");
		expect((await run("profile", "show", join(dir, "nope.vehicle"))).status).toBe(1);
	});

	test("the-shipped-obd-profile-compiles-without-a-dbc", async () => {
		const { status, stdout } = await run("profile", "check", join(repoRoot, "profiles/obd2-generic.json"));
		expect(status).toBe(0);
		expect(stdout).toMatch(/ok, 10 quantities \(0 from the bus, 10 OBD-II, 0 derived\), 0 messages/);
	});

	test("a-bad-mapping-exits-1-with-one-line-per-problem", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-profile-"));
		const path = join(dir, "bad.json");
		writeFileSync(path, JSON.stringify({ name: "bad", quantities: { speed: "WHEEL_SPEED.Nope", rpm: "ENGINE.EngineSpeed" } }));
		const { status, stderr } = await run("profile", "compile", "--dbc", join(demoDir, "demo-car.dbc"), path, "-o", join(dir, "x.vehicle"));
		expect(status).toBe(1);
		expect(stderr).toContain(`${path}: quantities.speed: message WHEEL_SPEED has no signal 'Nope'`);
		expect(stderr).toContain(`${path}: 1 problem\n`);
		expect(existsSync(join(dir, "x.vehicle"))).toBe(false);
		writeFileSync(path, "{ nope");
		expect((await run("profile", "check", path)).stderr).toMatch(/bad\.json:1:3: not valid JSON: /);
	});

	test("usage-mistakes-exit-2", async () => {
		expect((await run("profile")).status).toBe(2);
		expect((await run("profile", "frob")).status).toBe(2);
		expect((await run("profile", "compile", join(demoDir, "demo-car.json"))).status).toBe(2); // no -o
		expect((await run("profile", "check", "/nonexistent.json")).status).toBe(1);
	});
});

/** Reference semantics, written independently of the compiler: what a profile source means for a vector's signals. */
function expected(source: unknown, signals: Record<string, number>, messageName: string, db: ReturnType<typeof parseDbcOrThrow>, canonical: (unit: string) => { scale: number; offset: number }): number | undefined {
	if (typeof source === "string")
		source = { signal: source };
	const spec = source as Record<string, unknown>;
	if (typeof spec.signal === "string") {
		const [message, name] = spec.signal.split(".");
		if (message !== messageName || !(name in signals))
			return undefined;
		const value = signals[name];
		const sig = db.messages.find(m => m.name === message)!.signals.find(s => s.name === name)!;
		for (const test of ["equals", "notEquals"] as const)
			if (spec[test] !== undefined) {
				const operand = typeof spec[test] === "number" ? spec[test] : [...sig.choices!].find(([, l]) => l === spec[test])![0];
				const raw = (value - sig.offset) / sig.factor;
				return (Math.round(raw) === operand) === (test === "equals") ? 1 : 0;
			}
		const { scale, offset } = canonical(sig.unit);
		return value * scale + offset;
	}
	if (Array.isArray(spec.any)) {
		const values = spec.any.map(child => expected(child, signals, messageName, db, canonical));
		if (values.some(v => v === undefined))
			return undefined;
		return values.some(v => v !== 0) ? 1 : 0;
	}
	return undefined; // OBD sources: not on the bus
}

describeSharedData("shipped profiles against the real opendbc DBCs", () => {
	const vectors = cantoolsVectors();

	for (const [file, dbcName] of [["toyota-prius-2010.json", "toyota_prius_2010_pt.dbc"], ["vw-mqb.json", "vw_mqb.dbc"]]) {
		test(`${file}-compiles-and-decodes-real-vectors`, () => {
			const db = parseDbcOrThrow(readFileSync(sharedData("dbc", dbcName), "latin1"), dbcName);
			const json = JSON.parse(readFileSync(join(repoRoot, "profiles", file), "utf8"));
			expect(json.dbc).toBe(dbcName);
			const compiled = compileProfile(json, file, db);
			const plan = new DecodePlan(compiled.plan.buffer);
			const decoder = new Decoder(plan);
			const inputs = new ProfileInputs(new VehicleProfile(compiled.vehicle), plan, decoder.store, null);
			const canonical = (unit: string) => conversion(unit, "km/h") ?? conversion(unit, "degC") ?? conversion(unit, "kPa") ?? { scale: 1, offset: 0 };
			const checked = new Set<string>();
			let comparisons = 0;
			for (const vector of vectors.filter(v => v.dbc === dbcName)) {
				const m = plan.findMessage(vector.id, vector.extended);
				if (m < 0)
					continue;
				const f = frame(vector.id, vector.data.match(/../g)!.map(h => parseInt(h, 16)), 1000);
				f.flags = vector.extended ? 1 : 0;
				decoder.store.reset();
				decoder.decode(f);
				for (const [name, source] of Object.entries(json.quantities)) {
					const want = expected(source, vector.signals, plan.messageName(m), db, canonical);
					if (want === undefined)
						continue;
					expect(inputs.read(Quantity[name as QuantityName], 1000), `${file} ${name} from ${vector.data}`).toBeCloseTo(want, 6);
					checked.add(name);
					comparisons++;
				}
			}
			// Every bus-mapped quantity met at least one real vector.
			const busMapped = Object.entries(json.quantities).filter(([, s]) => !(typeof s === "object" && s !== null && "obd" in s)).map(([n]) => n);
			for (const name of busMapped)
				if (name !== "headlights") // Licht_Anf_01 has no vector in the set
					expect(checked, `${file}: no vector exercised ${name}`).toContain(name);
			expect(comparisons).toBeGreaterThan(50);
		});
	}
});

describe("robustness", () => {
	test("a-corrupted-vehicle-table-is-refused-or-reads-nan-never-crashes", () => {
		const { compiled, plan, decoder } = load({ name: "t", quantities: {
			speed: { first: ["DASH.Speed", { obd: 13 }] }, doorOpen: { any: ["DASH.DoorFL", { all: ["DASH.DoorFR", "DASH.DoorFL"] }] }, turnLeft: { signal: "DASH.Turn", equals: 1 },
		} });
		const obd = new SignalStore(256, 5000);
		let seed = 11;
		const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
		let refused = 0, loaded = 0;
		for (let trial = 0; trial < 3000; trial++) {
			const bytes = new Uint8Array(compiled.vehicle.slice(0));
			const flips = 1 + Math.floor(rand() * 4);
			for (let f = 0; f < flips; f++)
				bytes[Math.floor(rand() * bytes.length)] ^= 1 << Math.floor(rand() * 8);
			try {
				const inputs = new ProfileInputs(new VehicleProfile(bytes.buffer), plan, decoder.store, obd);
				for (const name of QUANTITY_NAMES)
					inputs.read(Quantity[name], 0);
				loaded++;
			}
			catch (error) {
				expect(error).toBeInstanceOf(ProfileFormatError);
				refused++;
			}
		}
		expect(refused).toBeGreaterThan(0);
		expect(loaded).toBeGreaterThan(0);
	});

	test("random-profile-json-gets-problems-never-a-crash", () => {
		let seed = 5;
		const rand = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296;
		const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)];
		const leaf = (): unknown => pick<unknown>([
			"DASH.Speed", "DASH.Turn", "DASH", "", 42, null, [], {}, { signal: pick(["DASH.Coolant", 7, "X.Y"]) },
			{ signal: "DASH.Turn", equals: pick<unknown>([1, "left", "nope", null, {}]) }, { obd: pick<unknown>([13, "0x05", "0x1FF", -1, "x", 0x99]) },
			{ signal: "DASH.Speed", scale: pick<unknown>(["2", 2, NaN]) }, { signal: "DASH.Speed", unit: pick<unknown>(["mph", 3, "parsec"]) },
		]);
		const source = (depth: number): unknown => depth > 0 && rand() < 0.3 ? { [pick(["any", "all", "first", "none"])]: Array.from({ length: Math.floor(rand() * 3) }, () => source(depth - 1)) } : leaf();
		for (let trial = 0; trial < 2000; trial++) {
			const quantities: Record<string, unknown> = {};
			for (let k = 0; k < 4; k++)
				quantities[pick([...QUANTITY_NAMES, "warp", "__proto__", "constructor"])] = source(3);
			const json = pick<unknown>([
				{ name: pick<unknown>(["car", "", 5]), quantities, gears: pick<unknown>([undefined, { "1": "D" }, { x: "D" }, [], { "2": "TOOLONG" }]), transmit: pick<unknown>([undefined, { obd: true }, { obd: "yes" }, 3, { maxRequestsPerSecond: 500 }]), tankLiters: pick<unknown>([undefined, 40, -1, "40"]) },
				null, [], "text", { quantities: null },
			]);
			try {
				compileProfile(json, "fuzz.json", testDb);
			}
			catch (error) {
				expect(error, JSON.stringify(json)).toBeInstanceOf(ProfileError);
			}
		}
	});
});

describe("profile schema", () => {
	test("the-schema-names-every-quantity-and-the-shipped-profiles-point-to-it", () => {
		const schema = JSON.parse(readFileSync(join(repoRoot, "profiles/profile.schema.json"), "utf8"));
		expect(Object.keys(schema.properties.quantities.properties)).toEqual([...QUANTITY_NAMES]);
		for (const file of ["toyota-prius-2010.json", "vw-mqb.json", "obd2-generic.json"])
			expect(JSON.parse(readFileSync(join(repoRoot, "profiles", file), "utf8")).$schema).toBe("./profile.schema.json");
	});
});

describeSharedData("profile check and compile read the DBC as dbc check does (issue 12)", () => {
	async function run(...argv: string[]) {
		let stdout = "", stderr = "";
		const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
		return { status, stdout, stderr };
	}
	const dir = mkdtempSync(join(tmpdir(), "xs-cluster-profile-dbc-"));
	const profilePath = join(dir, "vw-mqb.json");
	writeFileSync(profilePath, readFileSync(join(repoRoot, "profiles", "vw-mqb.json")));
	/** vw_mqb.dbc (UTF-8) with the coolant temperature in °C and gear 9 named "Drive ü", as a German tool might write them. */
	const text = readFileSync(sharedData("dbc", "vw_mqb.dbc"), "utf8")
		.replace('MO_Kuehlmittel_Temp : 24|8@1+ (0.75,-48) [-48|141.75] "Unit_DegreCelsi"', 'MO_Kuehlmittel_Temp : 24|8@1+ (0.75,-48) [-48|141.75] "°C"')
		.replace('VAL_ 988 GE_Fahrstufe 0 "Zwischenstellung" 1 "Init" 5 "P" 6 "R" 7 "N" 8 "D" 9 "D"', 'VAL_ 988 GE_Fahrstufe 0 "Zwischenstellung" 1 "Init" 5 "P" 6 "R" 7 "N" 8 "D" 9 "Drive ü"');
	const utf8 = new TextEncoder().encode(text);
	// Every character of the file is Latin-1, so Windows-1252 has the same byte for it.
	const cp1252 = Uint8Array.from([...text].map(c => c.charCodeAt(0)));
	expect([...text].every(c => c.charCodeAt(0) < 0x80 || (c.charCodeAt(0) >= 0xA0 && c.charCodeAt(0) <= 0xFF))).toBe(true);

	test.each([
		["UTF-8", utf8],
		["UTF-8 with a byte-order mark", new Uint8Array([0xEF, 0xBB, 0xBF, ...utf8])],
		["Windows-1252", cp1252],
	])("%s: a unit in °C is known, and units and value names reach the plan as written", async (name, bytes) => {
		const dbc = join(dir, `vw_mqb-${name.replace(/\W+/g, "-")}.dbc`);
		writeFileSync(dbc, bytes);
		const out = join(dir, `${name.replace(/\W+/g, "-")}.vehicle`);
		const { status, stderr } = await run("profile", "compile", "--dbc", dbc, profilePath, "-o", out);
		expect(stderr).not.toContain("does not know");
		expect(status, stderr).toBe(0);
		const plan = new DecodePlan(new Uint8Array(readFileSync(out.replace(/\.vehicle$/, ".plan"))).buffer);
		const coolant = plan.findSignal(plan.findMessageByName("Motor_07"), "MO_Kuehlmittel_Temp");
		expect(plan.signalUnit(coolant)).toBe("°C");
		const gear = plan.findSignal(plan.findMessageByName("Gateway_73"), "GE_Fahrstufe");
		expect(plan.choiceName(gear, 9)).toBe("Drive ü");
	});

	test("read in the wrong encoding (--encoding), the unit comes out garbled and is refused, as every file was before", async () => {
		const dbc = join(dir, "vw_mqb-forced.dbc");
		writeFileSync(dbc, utf8);
		const { status, stderr } = await run("profile", "check", "--dbc", dbc, "--encoding", "windows-1252", profilePath);
		expect(status).toBe(1);
		expect(stderr).toContain("is in 'Â°C', a unit xs-cluster does not know");
	});

	test("a DBC with a problem cantools tolerates compiles, with its warning; --strict refuses it", async () => {
		const dbc = join(dir, "vw_mqb-cut.dbc");
		writeFileSync(dbc, text.trimEnd() + "\nVAL_ 988 GE_Fahrstufe 5 \"P\"");
		const line = (text.trimEnd() + "\n").split("\n").length;
		const loose = await run("profile", "compile", "--dbc", dbc, profilePath, "-o", join(dir, "cut.vehicle"));
		expect(loose.status, loose.stderr).toBe(0);
		expect(loose.stderr).toContain(`${dbc}:${line}:1: warning: VAL_ cut by the end of the file`);
		const strict = await run("profile", "check", "--strict", "--dbc", dbc, profilePath);
		expect(strict.status).toBe(1);
		expect(strict.stderr).toContain(`${dbc}:${line}:28: expected a value or ';' in VAL_, found end of file`);
	});
});
