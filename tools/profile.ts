/*
 * `xs-cluster profile compile`: checks a vehicle profile (JSON) against the
 * car's DBC and writes what the device loads: the decode plan of the messages
 * the profile uses (`.plan`) and the binding table (`.vehicle`, format in
 * modules/cluster/profile.ts). Host side (Node); allocates freely.
 *
 * Every mistake is reported with the profile file and the JSON key path
 * (`car.json: quantities.speed.signal: ...`), all of them in one run.
 */
import { StringTable, compilePlan, type CompiledPlan } from "../modules/dbc/compile.js";
import type { DbcDatabase, DbcMessage, DbcSignal } from "../modules/dbc/database.js";
import {
	NODE_BYTES, NodeKind, NodeTest, ProfileFormatError, ProfileInputs, TransmitFlag, VEHICLE_HEADER_WORDS, VEHICLE_MAGIC, VEHICLE_VERSION, VehicleHeader,
	VehicleProfile,
} from "../modules/cluster/profile.js";
import { QUANTITY_COUNT, QUANTITY_NAMES, QUANTITY_UNITS, Quantity, type QuantityName } from "../modules/cluster/quantity.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { parsePid, pidInfo } from "../modules/obd/pids.js";
import { crc32 } from "../modules/storage/crc32.js";
import { readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { DBC_OPTIONS, loadDbc, type DbcReadOptions } from "./dbc-file.js";
import { readJsonFile } from "./json-file.js";
import type { Io } from "./cli.js";
import { cannotRead, checkInputPath, onePositional, parseOptions, plural, UsageError, writeOutput } from "./usage.js";

/** A linear conversion into a canonical unit: canonical = value * scale + offset. */
interface Conversion {
	unit: string;
	scale: number;
	offset: number;
}

/**
 * Unit spellings met in DBC files (SI, cantools, Vector's `Unit_*` names as
 * in VW's) and how to bring each into the cluster's canonical unit.
 */
const UNITS = new Map<string, Conversion>();
function units(unit: string, scale: number, offset: number, ...names: string[]) {
	for (const name of names)
		UNITS.set(name.toLowerCase(), { unit, scale, offset });
}
units("km/h", 1, 0, "km/h", "kmh", "kph", "kmph", "km/hr", "Unit_KiloMeterPerHour");
units("km/h", 1.609344, 0, "mph", "mi/h", "Unit_MilePerHour");
units("km/h", 3.6, 0, "m/s", "mps", "Unit_MeterPerSecon");
units("rpm", 1, 0, "rpm", "1/min", "min-1", "r/min", "U/min", "Unit_MinutInver", "Unit_RevolPerMinut");
units("degC", 1, 0, "degC", "°C", "C", "deg C", "Celsius", "Unit_DegreCelsi");
units("degC", 5 / 9, -160 / 9, "degF", "°F", "F", "deg F", "Fahrenheit", "Unit_DegreFahre");
units("degC", 1, -273.15, "K", "Kelvin", "Unit_Kelvi");
units("%", 1, 0, "%", "pct", "percent", "Unit_PerCent");
units("kPa", 1, 0, "kPa", "Unit_KiloPascal");
units("kPa", 100, 0, "bar", "Unit_Bar");
units("kPa", 0.1, 0, "mbar", "hPa", "Unit_MilliBar");
units("kPa", 0.001, 0, "Pa", "Unit_Pascal");
units("kPa", 6.894757293168361, 0, "psi", "Unit_PoundForcPerSquarInch");
units("V", 1, 0, "V", "volt", "volts", "Unit_Volt");
units("V", 0.001, 0, "mV", "Unit_MilliVolt");
units("km", 1, 0, "km", "Unit_KiloMeter");
units("km", 1.609344, 0, "mi", "mile", "miles", "Unit_Mile");
units("km", 0.001, 0, "m", "Unit_Meter");
units("L/h", 1, 0, "L/h", "l/h", "Unit_LiterPerHour");
units("L/h", 3.6, 0, "mL/s", "ml/s");
units("L/h", 0.001, 0, "mL/h", "ml/h");
units("L/h", 3.785411784, 0, "gal/h", "gph");

/** How to bring a value in `from` into canonical unit `to`; undefined when no known conversion exists. */
export function conversion(from: string, to: string): Conversion | undefined {
	const known = UNITS.get(from.trim().toLowerCase());
	return known && known.unit === to ? known : undefined;
}

/** What profile JSON looks like (checked at run time, field by field). */
export type SourceJson =
	| string
	| { signal: string; scale?: number; offset?: number; unit?: string; equals?: number | string; notEquals?: number | string; bits?: number }
	| { obd: number | string }
	| { any: SourceJson[] } | { all: SourceJson[] } | { first: SourceJson[] };

export interface ProfileJson {
	name: string;
	dbc?: string;
	quantities: Partial<Record<QuantityName, SourceJson>>;
	gears?: Record<string, string>;
	tankLiters?: number;
	transmit?: { obd?: boolean; addressing?: "11bit" | "29bit"; maxRequestsPerSecond?: number };
}

export interface CompiledProfile {
	name: string;
	plan: CompiledPlan;
	vehicle: ArrayBuffer;
	/** Automatic unit conversions applied, for the record. */
	notes: string[];
	/** Quantities bound, by where they come from. */
	counts: { bus: number; obd: number; derived: number };
	warnings: string[];
}

/** Thrown with every problem found in a profile, one a line. */
export class ProfileError extends Error {
	readonly problems: string[];
	constructor(problems: string[]) {
		super(problems.join("\n"));
		this.name = "ProfileError";
		this.problems = problems;
	}
}

interface Node {
	kind: number;
	test: number;
	/** Signal path (for kind signal, resolved to an id later), PID, or children. */
	signal?: { message: DbcMessage; signal: DbcSignal };
	pid?: number;
	children?: Node[];
	scale: number;
	offset: number;
	operand: number;
}

const TOP_KEYS = new Set(["name", "dbc", "quantities", "gears", "tankLiters", "transmit", "comment", "$schema"]);

/**
 * Checks `json` (parsed from `file`) against `database` (null when the
 * profile is OBD-II only) and compiles it.
 * @throws ProfileError listing every problem.
 */
export function compileProfile(json: unknown, file: string, database: DbcDatabase | null): CompiledProfile {
	const problems: string[] = [];
	const warnings: string[] = [];
	const notes: string[] = [];
	const problem = (path: string, message: string) => problems.push(`${file}: ${path}: ${message}`);
	const warn = (path: string, message: string) => warnings.push(`${file}: ${path}: ${message}`);

	if (typeof json !== "object" || json === null || Array.isArray(json))
		throw new ProfileError([`${file}: the profile must be a JSON object`]);
	const profile = json as Record<string, unknown>;
	for (const key of Object.keys(profile))
		if (!TOP_KEYS.has(key))
			problem(key, `unknown key (known: ${[...TOP_KEYS].filter(k => k !== "$schema").join(", ")})`);
	const name = typeof profile.name === "string" && profile.name.trim() ? profile.name : "";
	if (!name)
		problem("name", "missing: a name for the car, e.g. \"Toyota Prius 2010\"");

	const roots = new Array<Node | null>(QUANTITY_COUNT).fill(null);
	const usedMessages = new Set<DbcMessage>();
	const counts = { bus: 0, obd: 0, derived: 0 };
	let usesObd = false;

	const leafSignal = (path: string, value: unknown, quantity: number): Node | null => {
		const spec = typeof value === "string" ? { signal: value } : value as Record<string, unknown>;
		const signalPath = spec.signal;
		const at = typeof value === "string" ? path : `${path}.signal`;
		if (typeof signalPath !== "string") {
			problem(at, "signal must be \"MESSAGE.SIGNAL\"");
			return null;
		}
		const dot = signalPath.indexOf(".");
		if (dot <= 0 || dot === signalPath.length - 1) {
			problem(at, `'${signalPath}' is not MESSAGE.SIGNAL`);
			return null;
		}
		if (!database) {
			problem(at, `'${signalPath}' is a CAN signal, but no DBC was given (--dbc FILE.dbc, or "dbc" in the profile)`);
			return null;
		}
		const messageName = signalPath.slice(0, dot), signalName = signalPath.slice(dot + 1);
		const message = database.messages.find(m => m.name === messageName);
		if (!message) {
			const near = database.messages.filter(m => m.name.toLowerCase().includes(messageName.toLowerCase().slice(0, 4))).slice(0, 5).map(m => m.name);
			problem(at, `${database.file} has no message '${messageName}'${near.length ? ` (similar: ${near.join(", ")})` : ""}`);
			return null;
		}
		const signal = message.signals.find(s => s.name === signalName);
		if (!signal) {
			problem(at, `message ${messageName} has no signal '${signalName}' (it has: ${message.signals.map(s => s.name).join(", ")})`);
			return null;
		}
		for (const key of Object.keys(spec))
			if (!["signal", "scale", "offset", "unit", "equals", "notEquals", "bits"].includes(key))
				problem(`${path}.${key}`, "unknown key (signal, scale, offset, unit, equals, notEquals, bits)");
		usedMessages.add(message);
		const node: Node = { kind: NodeKind.signal, test: NodeTest.linear, signal: { message, signal }, scale: 1, offset: 0, operand: 0 };
		const canonical = QUANTITY_UNITS[quantity];

		const tests = (["equals", "notEquals", "bits"] as const).filter(key => spec[key] !== undefined);
		if (tests.length > 1) {
			problem(path, `only one of equals, notEquals, bits`);
			return null;
		}
		if (tests.length === 1) {
			const key = tests[0];
			if (canonical !== "") {
				problem(`${path}.${key}`, `${key} gives on/off (0 or 1); ${QUANTITY_NAMES[quantity]} is measured in ${canonical}`);
				return null;
			}
			let operand = spec[key];
			if (typeof operand === "string") {
				const entry = [...(signal.choices ?? new Map<number, string>())].find(([, label]) => label === operand);
				if (!entry) {
					const labels = signal.choices ? [...signal.choices.values()].map(l => `'${l}'`).join(", ") : "none";
					problem(`${path}.${key}`, `${messageName}.${signalName} has no value named '${operand}' (value table: ${labels})`);
					return null;
				}
				operand = entry[0];
			}
			if (typeof operand !== "number" || !Number.isFinite(operand)) {
				problem(`${path}.${key}`, "must be a raw value (number) or a value-table name (string)");
				return null;
			}
			node.test = key === "equals" ? NodeTest.equals : key === "notEquals" ? NodeTest.notEquals : NodeTest.bits;
			node.operand = operand;
			return node;
		}

		const hasScale = spec.scale !== undefined || spec.offset !== undefined;
		for (const key of ["scale", "offset"] as const)
			if (spec[key] !== undefined && (typeof spec[key] !== "number" || !Number.isFinite(spec[key])))
				problem(`${path}.${key}`, "must be a finite number");
		if (spec.unit !== undefined && typeof spec.unit !== "string")
			problem(`${path}.unit`, "must be a unit name such as \"mph\"");
		const declared = typeof spec.unit === "string" ? spec.unit : signal.unit;
		if (hasScale) {
			// The author converts by hand; the unit, if any, is only documentation.
			node.scale = (spec.scale as number) ?? 1;
			node.offset = (spec.offset as number) ?? 0;
			return node;
		}
		if (canonical === "")
			return node;
		if (declared.trim() === "") {
			warn(path, `${messageName}.${signalName} has no unit in the DBC; taken as ${canonical} (add "unit" to say which)`);
			return node;
		}
		const conv = conversion(declared, canonical);
		if (!conv) {
			const known = UNITS.get(declared.trim().toLowerCase());
			problem(at, known
				? `${messageName}.${signalName} is in ${declared}, ${QUANTITY_NAMES[quantity]} needs ${canonical}: no conversion between them (wrong signal?)`
				: `${messageName}.${signalName} is in '${declared}', a unit xs-cluster does not know; give "unit" (one it knows) or "scale"/"offset" into ${canonical}`);
			return null;
		}
		node.scale = conv.scale;
		node.offset = conv.offset;
		if (conv.scale !== 1 || conv.offset !== 0)
			notes.push(`${file}: ${path}: ${messageName}.${signalName} converted from ${declared} to ${canonical}`);
		return node;
	};

	const source = (path: string, value: unknown, quantity: number, depth: number): Node | null => {
		if (typeof value === "string")
			return leafSignal(path, value, quantity);
		if (typeof value !== "object" || value === null || Array.isArray(value)) {
			problem(path, "a source is \"MESSAGE.SIGNAL\", {\"signal\": ...}, {\"obd\": PID}, or {\"any\"|\"all\"|\"first\": [sources]}");
			return null;
		}
		const spec = value as Record<string, unknown>;
		if ("signal" in spec)
			return leafSignal(path, spec, quantity);
		if ("obd" in spec) {
			const pid = parsePid(spec.obd);
			if (pid !== pid) {
				problem(`${path}.obd`, `'${String(spec.obd)}' is not a mode 01 PID (0x00..0xFF)`);
				return null;
			}
			const info = pidInfo(pid);
			if (!info) {
				problem(`${path}.obd`, `PID 0x${hex(pid)} has no formula in xs-cluster`);
				return null;
			}
			if (info.unit !== QUANTITY_UNITS[quantity]) {
				problem(`${path}.obd`, `PID 0x${hex(pid)} (${info.name}) is in ${info.unit || "on/off"}, ${QUANTITY_NAMES[quantity]} needs ${QUANTITY_UNITS[quantity] || "on/off"}`);
				return null;
			}
			usesObd = true;
			return { kind: NodeKind.obd, test: NodeTest.linear, pid, scale: 1, offset: 0, operand: 0 };
		}
		const composite = (["any", "all", "first"] as const).find(key => key in spec);
		if (composite) {
			const list = spec[composite];
			if (!Array.isArray(list) || list.length === 0) {
				problem(`${path}.${composite}`, "must be a non-empty list of sources");
				return null;
			}
			if (depth > 4) {
				problem(path, "sources nest too deep");
				return null;
			}
			if (composite !== "first" && QUANTITY_UNITS[quantity] !== "") {
				problem(`${path}.${composite}`, `${composite} combines on/off states; ${QUANTITY_NAMES[quantity]} is measured in ${QUANTITY_UNITS[quantity]} (use "first" for a fallback)`);
				return null;
			}
			const children = list.map((child, i) => source(`${path}.${composite}[${i}]`, child, quantity, depth + 1));
			if (children.some(child => !child))
				return null;
			return { kind: NodeKind[composite], test: NodeTest.linear, children: children as Node[], scale: 1, offset: 0, operand: 0 };
		}
		problem(path, "a source needs \"signal\", \"obd\", \"any\", \"all\" or \"first\"");
		return null;
	};

	const quantities = profile.quantities;
	if (typeof quantities !== "object" || quantities === null || Array.isArray(quantities))
		problem("quantities", "missing: an object mapping quantity names to sources");
	else {
		for (const [key, value] of Object.entries(quantities)) {
			const quantity = Object.prototype.hasOwnProperty.call(Quantity, key) ? (Quantity as Record<string, number>)[key] : undefined;
			if (quantity === undefined) {
				problem(`quantities.${key}`, `unknown quantity (known: ${QUANTITY_NAMES.join(", ")})`);
				continue;
			}
			const node = source(`quantities.${key}`, value, quantity, 0);
			if (node) {
				roots[quantity] = node;
				if (node.kind === NodeKind.signal)
					counts.bus++;
				else if (node.kind === NodeKind.obd)
					counts.obd++;
				else
					counts.derived++;
			}
		}
	}

	const gears: Array<[number, string]> = [];
	if (profile.gears !== undefined) {
		if (typeof profile.gears !== "object" || profile.gears === null || Array.isArray(profile.gears))
			problem("gears", "must map gear codes to labels, e.g. {\"0\": \"P\", \"1\": \"R\"}");
		else
			for (const [code, label] of Object.entries(profile.gears)) {
				const n = Number(code);
				if (code.trim() === "" || !Number.isFinite(n))
					problem(`gears.${code}`, "a gear code must be a number");
				else if (typeof label !== "string" || label.length === 0 || label.length > 3)
					problem(`gears.${code}`, "a gear label is 1 to 3 characters, e.g. \"D\" or \"M1\"");
				else
					gears.push([n, label]);
			}
		if (!roots[Quantity.gear])
			warn("gears", "gear labels without a gear quantity");
	}

	let tankMillilitres = 0;
	if (profile.tankLiters !== undefined) {
		if (typeof profile.tankLiters !== "number" || !(profile.tankLiters > 0 && profile.tankLiters < 1000))
			problem("tankLiters", "the usable tank volume in litres, e.g. 45");
		else
			tankMillilitres = Math.round(profile.tankLiters * 1000);
	}

	let transmit = 0, obdRate = 0;
	if (profile.transmit !== undefined) {
		const t = profile.transmit as Record<string, unknown>;
		if (typeof t !== "object" || t === null || Array.isArray(t))
			problem("transmit", "must be an object: {\"obd\": true, \"addressing\": \"11bit\", \"maxRequestsPerSecond\": 20}");
		else {
			for (const key of Object.keys(t))
				if (!["obd", "addressing", "maxRequestsPerSecond"].includes(key))
					problem(`transmit.${key}`, "unknown key (obd, addressing, maxRequestsPerSecond)");
			if (t.obd !== undefined && typeof t.obd !== "boolean")
				problem("transmit.obd", "true or false");
			if (t.obd === true)
				transmit |= TransmitFlag.obd;
			if (t.addressing !== undefined && t.addressing !== "11bit" && t.addressing !== "29bit")
				problem("transmit.addressing", "\"11bit\" (0x7DF/0x7E8) or \"29bit\" (0x18DB33F1/0x18DAF1xx)");
			if (t.addressing === "29bit")
				transmit |= TransmitFlag.extended;
			if (t.maxRequestsPerSecond !== undefined) {
				if (typeof t.maxRequestsPerSecond !== "number" || !(t.maxRequestsPerSecond >= 1 && t.maxRequestsPerSecond <= 50))
					problem("transmit.maxRequestsPerSecond", "1 to 50 (a cluster must never flood the bus)");
				else
					obdRate = Math.floor(t.maxRequestsPerSecond);
			}
		}
	}
	if (usesObd && !(transmit & TransmitFlag.obd))
		warn("transmit", "the profile reads OBD-II PIDs but does not enable transmission (\"transmit\": {\"obd\": true}); those quantities stay missing");

	if (problems.length)
		throw new ProfileError(problems);

	// The plan: only the messages the profile reads, in DBC order.
	const planMessages = database ? database.messages.filter(m => usedMessages.has(m)).map(m => m.name) : [];
	const plan = database
		? compilePlan(database, { messages: planMessages })
		: compilePlan({ file: "(none)", version: "", nodes: [], messages: [], valueTables: new Map() }, { messages: [] });
	const decodePlan = new DecodePlan(plan.buffer);

	// Nodes: each root, then each composite's children as one contiguous run.
	const nodes: Node[] = [];
	const childStart = new Map<Node, number>();
	const placeChildren = (node: Node): void => {
		childStart.set(node, nodes.length);
		nodes.push(...node.children!);
		for (const child of node.children!)
			if (child.children)
				placeChildren(child);
	};
	const place = (node: Node): number => {
		const at = nodes.length;
		nodes.push(node);
		if (node.children)
			placeChildren(node);
		return at;
	};
	const rootIndex = roots.map(node => node ? place(node) : -1);

	const strings = new StringTable();
	const nameOffset = strings.add(name);
	const gearOffsets = gears.map(([, label]) => strings.add(label));
	const stringBytes = strings.bytes();

	const align = (n: number) => (n + 7) & ~7;
	const rootsOffset = VEHICLE_HEADER_WORDS * 4;
	const nodesOffset = align(rootsOffset + QUANTITY_COUNT * 4);
	const gearsOffset = align(nodesOffset + nodes.length * NODE_BYTES);
	const stringsOffset = align(gearsOffset + gears.length * 16);
	const totalBytes = align(stringsOffset + stringBytes.length);
	const buffer = new ArrayBuffer(totalBytes);
	const header = new Uint32Array(buffer, 0, VEHICLE_HEADER_WORDS);
	header[VehicleHeader.magic] = VEHICLE_MAGIC;
	header[VehicleHeader.version] = VEHICLE_VERSION;
	header[VehicleHeader.totalBytes] = totalBytes;
	header[VehicleHeader.quantityCount] = QUANTITY_COUNT;
	header[VehicleHeader.nodeCount] = nodes.length;
	header[VehicleHeader.gearCount] = gears.length;
	header[VehicleHeader.stringBytes] = stringBytes.length;
	header[VehicleHeader.rootsOffset] = rootsOffset;
	header[VehicleHeader.nodesOffset] = nodesOffset;
	header[VehicleHeader.gearsOffset] = gearsOffset;
	header[VehicleHeader.stringsOffset] = stringsOffset;
	header[VehicleHeader.name] = nameOffset;
	header[VehicleHeader.transmit] = transmit;
	header[VehicleHeader.obdRate] = obdRate;
	header[VehicleHeader.tankMillilitres] = tankMillilitres;
	header[VehicleHeader.planMessages] = decodePlan.messageCount;
	header[VehicleHeader.planCrc] = crc32(new Uint8Array(plan.buffer));
	new Int32Array(buffer, rootsOffset, QUANTITY_COUNT).set(rootIndex);
	const view = new DataView(buffer);
	nodes.forEach((node, n) => {
		const at = nodesOffset + n * NODE_BYTES;
		view.setUint8(at, node.kind);
		view.setUint8(at + 1, node.test);
		let a = 0;
		if (node.kind === NodeKind.signal) {
			const m = decodePlan.findMessageByName(node.signal!.message.name);
			a = decodePlan.findSignal(m, node.signal!.signal.name);
			if (a < 0)
				throw new Error(`${file}: ${node.signal!.message.name}.${node.signal!.signal.name} was left out of the plan (see warnings)`);
		}
		else if (node.kind === NodeKind.obd)
			a = node.pid!;
		else {
			a = childStart.get(node)!;
			view.setUint16(at + 2, node.children!.length, true);
		}
		view.setInt32(at + 4, a, true);
		view.setFloat64(at + 8, node.scale, true);
		view.setFloat64(at + 16, node.offset, true);
		view.setFloat64(at + 24, node.operand, true);
	});
	gears.forEach(([code], g) => {
		view.setFloat64(gearsOffset + g * 16, code, true);
		view.setUint32(gearsOffset + g * 16 + 8, gearOffsets[g], true);
	});
	new Uint8Array(buffer, stringsOffset, stringBytes.length).set(stringBytes);
	return { name, plan, vehicle: buffer, counts, notes, warnings: [...warnings, ...plan.warnings] };
}

function hex(n: number): string {
	return n.toString(16).toUpperCase().padStart(2, "0");
}


/**
 * What a compiled profile says, one line per mapped quantity, in the profile
 * JSON's own notation: `speed  SPEED.SPEED (x1.609344)`. For `xs-cluster
 * profile show`; a check that a .vehicle and .plan say what was meant.
 */
export function describeProfile(profile: VehicleProfile, plan: DecodePlan | null): string[] {
	const number = (n: number) => Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(10)));
	const describe = (n: number): string => {
		const node = profile.node(n);
		if (node.kind === NodeKind.obd)
			return `OBD-II 0x${hex(node.arg)} (${pidInfo(node.arg)?.name ?? "?"})`;
		if (node.kind === NodeKind.signal) {
			const name = plan && node.arg < plan.signalCount ? `${plan.messageName(plan.signalMessage(node.arg))}.${plan.signalName(node.arg)}` : `signal #${node.arg}`;
			if (node.test === NodeTest.equals)
				return `${name} = ${number(node.operand)}`;
			if (node.test === NodeTest.notEquals)
				return `${name} != ${number(node.operand)}`;
			if (node.test === NodeTest.bits)
				return `${name} & 0x${node.operand.toString(16)}`;
			const parts: string[] = [];
			if (node.scale !== 1)
				parts.push(`x${number(node.scale)}`);
			if (node.offset !== 0)
				parts.push(`${node.offset > 0 ? "+" : ""}${number(node.offset)}`);
			return parts.length ? `${name} (${parts.join(" ")})` : name;
		}
		const word = node.kind === NodeKind.any ? "any" : node.kind === NodeKind.all ? "all" : "first";
		const children: string[] = [];
		for (let c = 0; c < node.childCount; c++)
			children.push(describe(node.arg + c));
		return `${word} of [${children.join(", ")}]`;
	};
	const lines = [`${profile.name}`];
	const width = Math.max(...QUANTITY_NAMES.map(name => name.length));
	for (let q = 0; q < QUANTITY_COUNT; q++) {
		const root = profile.roots[q];
		if (root >= 0)
			lines.push(`  ${QUANTITY_NAMES[q].padEnd(width)}  ${describe(root)}${QUANTITY_UNITS[q] ? `  [${QUANTITY_UNITS[q]}]` : ""}`);
	}
	if (profile.gearCodes.length)
		lines.push(`  gears  ${[...profile.gearCodes].map((code, g) => `${code}=${profile.gearLabels[g]}`).join(" ")}`);
	if (profile.tankLiters === profile.tankLiters)
		lines.push(`  tank   ${profile.tankLiters} L`);
	lines.push(`  OBD-II ${profile.transmitObd ? `requests on, ${profile.obdExtended ? "29" : "11"}-bit, at most ${profile.obdRate || 20}/s` : "requests off (listen only)"}`);
	return lines;
}

/**
 * Reads and compiles the profile at `path` as `profile compile` and `pack
 * build` do: the DBC from `dbcPath`, else the one the profile names beside
 * it; DBC warnings and problems, the profile's problems, notes and warnings
 * printed on `io.stderr`. Null when the DBC or the profile has problems (each
 * already printed). Node only.
 */
export function compileProfileFile(path: string, dbcPath: string | undefined, dbcOptions: DbcReadOptions, io: { stderr: (text: string) => void }): CompiledProfile | null {
	const json = readJsonFile(path);
	const named = (json as { dbc?: unknown } | null)?.dbc;
	if (!dbcPath && typeof named === "string")
		dbcPath = join(dirname(path), named);
	let database = null;
	if (dbcPath) {
		database = loadDbc(dbcPath, io, dbcOptions) ?? null;
		if (!database)
			return null;
	}
	let compiled;
	try {
		compiled = compileProfile(json, path, database);
	}
	catch (error) {
		if (!(error instanceof ProfileError))
			throw error;
		for (const problem of error.problems)
			io.stderr(problem + "\n");
		io.stderr(`${path}: ${plural(error.problems.length, "problem")}\n`);
		return null;
	}
	for (const note of compiled.notes)
		io.stderr(`note: ${note}\n`);
	for (const warning of compiled.warnings)
		io.stderr(`warning: ${warning}\n`);
	return compiled;
}

/** `xs-cluster profile check|compile [--dbc FILE.dbc] PROFILE.json [-o CAR.vehicle]`. */
export function profileCommand(sub: "check" | "compile", args: string[], io: Io): number {
	const { values, positionals } = parseOptions(args, {
		...DBC_OPTIONS,
		dbc: { type: "string" },
		output: { type: "string", short: "o" },
	});
	const path = onePositional(positionals, "profile JSON file");
	if (sub === "compile" && !values.output)
		throw new UsageError("profile compile needs -o CAR.vehicle");
	const compiled = compileProfileFile(path, values.dbc as string | undefined, values, io);
	if (!compiled)
		return 1;
	const { bus, obd, derived } = compiled.counts;
	const summary = `${plural(bus + obd + derived, "quantity", "quantities")} (${bus} from the bus, ${obd} OBD-II, ${derived} derived), ${plural(compiled.plan.messageCount, "message")}`;
	if (sub === "check") {
		io.stdout(`${path}: ok, ${summary}\n`);
		return 0;
	}
	const vehiclePath = values.output!;
	const planPath = join(dirname(vehiclePath), basename(vehiclePath, extname(vehiclePath)) + ".plan");
	writeOutput(vehiclePath, new Uint8Array(compiled.vehicle));
	writeOutput(planPath, new Uint8Array(compiled.plan.buffer));
	io.stdout(`${vehiclePath}: ${compiled.name}: ${summary}, ${plural(compiled.vehicle.byteLength, "byte")}\n${planPath}: ${plural(compiled.plan.messageCount, "message")}, ${plural(compiled.plan.signalCount, "signal")}, ${plural(compiled.plan.buffer.byteLength, "byte")}\n`);
	return 0;
}

/** `xs-cluster profile show CAR.vehicle`: what a compiled profile binds, checked against its plan. */
export function profileShowCommand(args: string[], io: Io): number {
	const { positionals } = parseOptions(args, {});
	const vehiclePath = onePositional(positionals, "compiled profile (CAR.vehicle)");
	const planPath = join(dirname(vehiclePath), basename(vehiclePath, extname(vehiclePath)) + ".plan");
	const read = (path: string) => {
		checkInputPath(path);
		try {
			return new Uint8Array(readFileSync(path)).buffer;
		}
		catch (error) {
			throw cannotRead(path, error);
		}
	};
	let profile: VehicleProfile;
	try {
		profile = new VehicleProfile(read(vehiclePath));
	}
	catch (error) {
		if (error instanceof ProfileFormatError)
			throw new Error(`${vehiclePath}: ${error.message}`);
		throw error;
	}
	const plan = new DecodePlan(read(planPath));
	new ProfileInputs(profile, plan, null); // throws when the pair does not belong together
	io.stdout(describeProfile(profile, plan).join("\n") + "\n");
	return 0;
}
