/*
 * Compiled vehicle profile: the binding table the device loads beside the
 * decode plan, and ProfileInputs, which reads cluster quantities through it.
 *
 * `xs-cluster profile compile` (tools/profile.ts) validates a profile JSON
 * against the car's DBC and writes two files: `car.plan` (the DecodePlan of
 * the messages the profile uses, unchanged format) and `car.vehicle` (this
 * table). Two resources rather than one so the plan is a buffer of its own
 * that DecodePlan maps in place from flash. The device never sees DBC text or
 * the profile JSON.
 *
 * `.vehicle` layout, little-endian, sections 8-byte aligned:
 *   header   VEHICLE_HEADER_WORDS x u32 (see VehicleHeader)
 *   roots    QUANTITY_COUNT x i32: node index per quantity, -1 when unmapped
 *   nodes    nodeCount x NODE_BYTES:
 *              u8 kind, u8 test, u16 childCount, i32 a (signal id, PID, or first child),
 *              f64 scale, f64 offset, f64 operand
 *   gears    gearCount x (f64 code, u32 string offset, u32 0)
 *   strings  UTF-8, NUL-terminated; offset 0 is ""
 * A composite node's children are the `childCount` nodes from index `a`.
 *
 * Runs on XS and Node. Loading allocates the gear label strings once;
 * `read` is the display clock's path and allocates nothing.
 */
import type { DecodePlan } from "../signals/plan.js";
import type { SignalStore } from "../signals/store.js";
import { crc32 } from "../storage/crc32.js";
import { QUANTITY_COUNT } from "./quantity.js";

export const VEHICLE_MAGIC = 0x56435358; // "XSCV"
export const VEHICLE_VERSION = 1;

export const VEHICLE_HEADER_WORDS = 20;
export const VehicleHeader = Object.freeze({
	magic: 0, version: 1,
	/** Bytes of the whole table. */
	totalBytes: 2,
	/** QUANTITY_COUNT when written; a reader with fewer quantities ignores the rest. */
	quantityCount: 3,
	nodeCount: 4, gearCount: 5, stringBytes: 6,
	rootsOffset: 7, nodesOffset: 8, gearsOffset: 9, stringsOffset: 10,
	/** String offset of the profile's name. */
	name: 11,
	/** TransmitFlag bits. */
	transmit: 12,
	/** OBD-II requests per second at most (0: the poller's default). */
	obdRate: 13,
	/** Usable fuel tank volume in mL (0: unknown), for range. */
	tankMillilitres: 14,
	/** Messages in the companion plan. */
	planMessages: 15,
	/** CRC-32 of the companion plan's bytes: a .vehicle paired with another .plan would read the wrong signals. */
	planCrc: 16,
});

export const TransmitFlag = Object.freeze({
	/** The profile allows transmitting OBD-II requests. */
	obd: 1,
	/** OBD-II on 29-bit identifiers (ISO 15765-4 0x18DB33F1 / 0x18DAF1xx). */
	extended: 2,
});

export const NODE_BYTES = 32;
export const NodeKind = Object.freeze({
	/** A decoded signal: a = signal id in the plan. */
	signal: 1,
	/** An OBD-II mode 01 PID: a = PID, read from the OBD value store. */
	obd: 2,
	/** 1 when any child is non-zero, 0 when all are zero, NaN when none is non-zero and some are missing. */
	any: 3,
	/** 1 when every child is non-zero, 0 when one is zero, else NaN. */
	all: 4,
	/** The first child that is not missing: a bus signal with an OBD fallback. */
	first: 5,
});

/** How a leaf turns its value into the quantity. */
export const NodeTest = Object.freeze({
	/** value * scale + offset. */
	linear: 0,
	/** 1 when the raw value equals `operand`, else 0 (an enum state such as TURN_SIGNALS = left). */
	equals: 1,
	/** 1 when the raw value differs from `operand`, else 0. */
	notEquals: 2,
	/** 1 when raw & operand is non-zero. */
	bits: 3,
});

/** Thrown when a blob is not a vehicle table this build reads, or does not fit its plan. */
export class ProfileFormatError extends Error {
	// A field, defined on the instance: assigning `this.name` throws on XS, whose
	// preloaded intrinsics are frozen (Error.prototype.name is then read-only).
	override name = "ProfileFormatError";
}

/** The OBD-II values a poller keeps: a SignalStore indexed by mode 01 PID (0..255). */
export type ObdValues = SignalStore;

/** The binding table, read in place. */
export class VehicleProfile {
	readonly name: string;
	readonly roots: Int32Array;
	readonly nodeCount: number;
	/** Gear codes and their labels, sorted by code as written. */
	readonly gearCodes: Float64Array;
	readonly gearLabels: readonly string[];
	readonly transmitObd: boolean;
	readonly obdExtended: boolean;
	/** OBD-II requests per second at most, 0 when the profile leaves it to the poller. */
	readonly obdRate: number;
	/** Usable tank volume in litres, NaN when unknown. */
	readonly tankLiters: number;
	readonly planMessages: number;
	readonly planCrc: number;
	/** Per quantity: the signal id when it maps straight to one linear signal (the common case, read without the tree), else -1. */
	readonly directSignal: Int32Array;
	readonly directScale: Float64Array;
	readonly directOffset: Float64Array;
	private readonly kinds: Uint8Array;
	private readonly tests: Uint8Array;
	private readonly childCounts: Uint16Array;
	private readonly args: Int32Array;
	private readonly numbers: Float64Array;

	/**
	 * Reads a `.vehicle` table (an ArrayBuffer, or a Moddable Resource's host buffer).
	 * Allocates the node arrays (a few bytes per node) and the gear labels.
	 * @throws ProfileFormatError for another format or version.
	 */
	constructor(buffer: ArrayBufferLike) {
		if (buffer.byteLength < VEHICLE_HEADER_WORDS * 4)
			throw new ProfileFormatError("vehicle profile: too short for a header");
		const header = new Uint32Array(buffer, 0, VEHICLE_HEADER_WORDS);
		if (header[VehicleHeader.magic] !== VEHICLE_MAGIC)
			throw new ProfileFormatError("vehicle profile: bad magic (not a compiled xs-cluster profile)");
		if (header[VehicleHeader.version] !== VEHICLE_VERSION)
			throw new ProfileFormatError(`vehicle profile: version ${header[VehicleHeader.version]}, this build reads ${VEHICLE_VERSION}`);
		if (header[VehicleHeader.totalBytes] !== buffer.byteLength)
			throw new ProfileFormatError(`vehicle profile: ${buffer.byteLength} bytes, header says ${header[VehicleHeader.totalBytes]}`);
		const fits = (offset: number, bytes: number, align: number) => offset % align === 0 && offset >= VEHICLE_HEADER_WORDS * 4 && bytes >= 0 && offset + bytes <= buffer.byteLength;
		if (!fits(header[VehicleHeader.rootsOffset], Math.min(header[VehicleHeader.quantityCount], QUANTITY_COUNT) * 4, 4)
			|| !fits(header[VehicleHeader.nodesOffset], header[VehicleHeader.nodeCount] * NODE_BYTES, 1)
			|| !fits(header[VehicleHeader.gearsOffset], header[VehicleHeader.gearCount] * 16, 1)
			|| !fits(header[VehicleHeader.stringsOffset], header[VehicleHeader.stringBytes], 1))
			throw new ProfileFormatError("vehicle profile: a section lies outside the table");
		const stored = header[VehicleHeader.quantityCount];
		this.roots = new Int32Array(QUANTITY_COUNT).fill(-1);
		this.roots.set(new Int32Array(buffer, header[VehicleHeader.rootsOffset], Math.min(stored, QUANTITY_COUNT)));
		const count = this.nodeCount = header[VehicleHeader.nodeCount];
		const view = new DataView(buffer as ArrayBuffer, header[VehicleHeader.nodesOffset], count * NODE_BYTES);
		this.kinds = new Uint8Array(count);
		this.tests = new Uint8Array(count);
		this.childCounts = new Uint16Array(count);
		this.args = new Int32Array(count);
		this.numbers = new Float64Array(count * 3);
		for (let n = 0; n < count; n++) {
			const at = n * NODE_BYTES;
			this.kinds[n] = view.getUint8(at);
			this.tests[n] = view.getUint8(at + 1);
			this.childCounts[n] = view.getUint16(at + 2, true);
			this.args[n] = view.getInt32(at + 4, true);
			this.numbers[n * 3] = view.getFloat64(at + 8, true);
			this.numbers[n * 3 + 1] = view.getFloat64(at + 16, true);
			this.numbers[n * 3 + 2] = view.getFloat64(at + 24, true);
			const kind = this.kinds[n];
			if (kind < NodeKind.signal || kind > NodeKind.first)
				throw new ProfileFormatError(`vehicle profile: node ${n} has unknown kind ${kind}`);
			// Children come after their parent (as the compiler lays them out): no cycles, bounded recursion.
			if (kind >= NodeKind.any && (this.args[n] <= n || this.args[n] + this.childCounts[n] > count))
				throw new ProfileFormatError(`vehicle profile: node ${n} has children outside the table`);
			if (kind === NodeKind.obd && (this.args[n] < 0 || this.args[n] > 0xFF))
				throw new ProfileFormatError(`vehicle profile: node ${n} reads PID ${this.args[n]}`);
			if (kind === NodeKind.signal && this.args[n] < 0)
				throw new ProfileFormatError(`vehicle profile: node ${n} reads signal ${this.args[n]}`);
		}
		for (let q = 0; q < QUANTITY_COUNT; q++)
			if (this.roots[q] >= count)
				throw new ProfileFormatError(`vehicle profile: quantity ${q} points past the node table`);

		this.directSignal = new Int32Array(QUANTITY_COUNT).fill(-1);
		this.directScale = new Float64Array(QUANTITY_COUNT);
		this.directOffset = new Float64Array(QUANTITY_COUNT);
		for (let q = 0; q < QUANTITY_COUNT; q++) {
			const root = this.roots[q];
			if (root >= 0 && this.kinds[root] === NodeKind.signal && this.tests[root] === NodeTest.linear) {
				this.directSignal[q] = this.args[root];
				this.directScale[q] = this.numbers[root * 3];
				this.directOffset[q] = this.numbers[root * 3 + 1];
			}
		}

		const strings = new Uint8Array(buffer, header[VehicleHeader.stringsOffset], header[VehicleHeader.stringBytes]);
		this.name = readString(strings, header[VehicleHeader.name]);
		const gearCount = header[VehicleHeader.gearCount];
		const gears = new DataView(buffer as ArrayBuffer, header[VehicleHeader.gearsOffset], gearCount * 16);
		this.gearCodes = new Float64Array(gearCount);
		const labels: string[] = [];
		for (let g = 0; g < gearCount; g++) {
			this.gearCodes[g] = gears.getFloat64(g * 16, true);
			labels.push(readString(strings, gears.getUint32(g * 16 + 8, true)));
		}
		this.gearLabels = Object.freeze(labels);
		const transmit = header[VehicleHeader.transmit];
		this.transmitObd = (transmit & TransmitFlag.obd) !== 0;
		this.obdExtended = (transmit & TransmitFlag.extended) !== 0;
		this.obdRate = header[VehicleHeader.obdRate];
		const tank = header[VehicleHeader.tankMillilitres];
		this.tankLiters = tank ? tank / 1000 : NaN;
		this.planMessages = header[VehicleHeader.planMessages];
		this.planCrc = header[VehicleHeader.planCrc];
	}

	/** The OBD-II PIDs the profile reads, each once, in node order. Allocates. */
	obdPids(): number[] {
		const pids: number[] = [];
		for (let n = 0; n < this.nodeCount; n++)
			if (this.kinds[n] === NodeKind.obd && !pids.includes(this.args[n]))
				pids.push(this.args[n]);
		return pids;
	}

	/** PIDs of quantities whose bus source exists too (a `first` with a bus signal before the PID). Allocates. */
	obdPidsFor(quantity: number): number[] {
		const pids: number[] = [];
		const walk = (n: number) => {
			if (n < 0)
				return;
			if (this.kinds[n] === NodeKind.obd)
				pids.push(this.args[n]);
			else if (this.kinds[n] >= NodeKind.any)
				for (let c = 0; c < this.childCounts[n]; c++)
					walk(this.args[n] + c);
		};
		walk(this.roots[quantity]);
		return pids;
	}

	/**
	 * True when a quantity reading `pid` as a fallback (`first: [bus, {obd}]`)
	 * has a fresh bus value at `now`: the poll can be skipped. No allocation.
	 */
	coveredByBus(pid: number, store: SignalStore | null, now: number): boolean {
		if (!store)
			return false;
		for (let q = 0; q < this.roots.length; q++) {
			const root = this.roots[q];
			if (root < 0 || this.kinds[root] !== NodeKind.first)
				continue;
			const first = this.args[root], end = first + this.childCounts[root];
			for (let c = first; c < end; c++) {
				if (this.kinds[c] === NodeKind.obd) {
					if (this.args[c] === pid)
						break;
					continue;
				}
				const value = this.evaluate(c, store, null, now);
				if (value === value) {
					// A bus source ahead of this PID answers: but only if the PID is in this list.
					for (let d = c + 1; d < end; d++)
						if (this.kinds[d] === NodeKind.obd && this.args[d] === pid)
							return true;
					break;
				}
			}
		}
		return false;
	}

	/** Node `n` as plain data, for tools (`xs-cluster profile show`) and tests. Allocates. */
	node(n: number): { kind: number; test: number; childCount: number; arg: number; scale: number; offset: number; operand: number } {
		return {
			kind: this.kinds[n], test: this.tests[n], childCount: this.childCounts[n], arg: this.args[n],
			scale: this.numbers[n * 3], offset: this.numbers[n * 3 + 1], operand: this.numbers[n * 3 + 2],
		};
	}

	/** Gear labels by code, in the profile JSON's shape (what ClusterOptions.gears takes). Allocates. */
	gears(): Record<string, string> {
		const gears: Record<string, string> = {};
		for (let g = 0; g < this.gearCodes.length; g++)
			gears[String(this.gearCodes[g])] = this.gearLabels[g];
		return gears;
	}

	/**
	 * The raw value behind quantity `q` when it maps straight to one signal
	 * (gear codes, value-table states), else the same as `evaluate`. No allocation.
	 */
	evaluateRaw(q: number, store: SignalStore | null, obd: ObdValues | null, now: number): number {
		const root = this.roots[q];
		if (root < 0)
			return NaN;
		if (this.kinds[root] === NodeKind.signal && this.tests[root] === NodeTest.linear)
			return store ? store.readRaw(this.args[root], now) : NaN;
		return this.evaluate(root, store, obd, now);
	}

	/** Label of a gear code, or "" for a code the profile does not name. No allocation. */
	gearLabel(code: number): string {
		const codes = this.gearCodes;
		for (let g = 0; g < codes.length; g++)
			if (codes[g] === code)
				return this.gearLabels[g];
		return "";
	}

	/** Evaluates node `n`. Display clock; no allocation. */
	evaluate(n: number, store: SignalStore | null, obd: ObdValues | null, now: number): number {
		const kind = this.kinds[n];
		if (kind === NodeKind.signal || kind === NodeKind.obd) {
			const source = kind === NodeKind.signal ? store : obd;
			if (!source)
				return NaN;
			const id = this.args[n];
			const test = this.tests[n];
			if (test === NodeTest.linear)
				return source.read(id, now) * this.numbers[n * 3] + this.numbers[n * 3 + 1];
			const raw = source.readRaw(id, now);
			if (raw !== raw)
				return NaN;
			const operand = this.numbers[n * 3 + 2];
			if (test === NodeTest.equals)
				return raw === operand ? 1 : 0;
			if (test === NodeTest.notEquals)
				return raw !== operand ? 1 : 0;
			return (raw & operand) !== 0 ? 1 : 0;
		}
		const first = this.args[n], end = first + this.childCounts[n];
		if (kind === NodeKind.first) {
			for (let c = first; c < end; c++) {
				const value = this.evaluate(c, store, obd, now);
				if (value === value)
					return value;
			}
			return NaN;
		}
		let missing = false;
		for (let c = first; c < end; c++) {
			const value = this.evaluate(c, store, obd, now);
			if (value !== value)
				missing = true;
			else if (kind === NodeKind.any && value !== 0)
				return 1;
			else if (kind === NodeKind.all && value === 0)
				return 0;
		}
		return missing ? NaN : kind === NodeKind.any ? 0 : 1;
	}
}

/**
 * ProfileInputs: cluster quantities read through a compiled profile from the
 * decoder's store and, for OBD-II sources, the poller's store: the one way
 * the cluster reads quantities (`has`, `read`, `readRaw`), which gauges,
 * telltales, alerts, day/night and the trip computer take.
 */
export class ProfileInputs {
	readonly profile: VehicleProfile;
	readonly store: SignalStore | null;
	readonly obd: ObdValues | null;

	/**
	 * @param plan the companion plan, checked to be the one the table was
	 *   compiled with (null for an OBD-only car). The check reads the plan's
	 *   bytes once (a CRC-32; about a millisecond per 10 KB on an ESP32).
	 * @throws ProfileFormatError when the pair does not belong together.
	 */
	constructor(profile: VehicleProfile, plan: DecodePlan | null, store: SignalStore | null, obd: ObdValues | null = null) {
		this.profile = profile;
		this.store = store;
		this.obd = obd;
		const messages = plan ? plan.messageCount : 0;
		if (messages !== profile.planMessages)
			throw new ProfileFormatError(`vehicle profile '${profile.name}' was compiled with a plan of ${profile.planMessages} messages, this plan has ${messages}`);
		for (let n = 0; n < profile.nodeCount; n++) {
			const node = profile.node(n);
			if (node.kind === NodeKind.signal && node.arg >= (plan ? plan.signalCount : 0))
				throw new ProfileFormatError(`vehicle profile '${profile.name}': node ${n} reads signal ${node.arg}, the plan has ${plan ? plan.signalCount : 0}`);
		}
		// The plan's typed-array views all lie over its one blob.
		if (plan && crc32(new Uint8Array(plan.messages.buffer)) !== profile.planCrc)
			throw new ProfileFormatError(`vehicle profile '${profile.name}' was compiled with another plan (recompile both with xs-cluster profile compile)`);
	}

	/** True when the profile maps `quantity`. */
	has(quantity: number): boolean {
		return this.profile.roots[quantity] >= 0;
	}

	/** The quantity in its canonical unit, NaN when unmapped or missing. Display clock; no allocation. */
	read(quantity: number, now: number): number {
		const profile = this.profile;
		const signal = profile.directSignal[quantity];
		if (signal >= 0) {
			const store = this.store;
			return store ? store.read(signal, now) * profile.directScale[quantity] + profile.directOffset[quantity] : NaN;
		}
		const root = profile.roots[quantity];
		return root < 0 ? NaN : profile.evaluate(root, this.store, this.obd, now);
	}

	/** The raw value (gear codes, value tables) when the quantity maps to one signal, else `read`. No allocation. */
	readRaw(quantity: number, now: number): number {
		return this.profile.evaluateRaw(quantity, this.store, this.obd, now);
	}
}

function readString(bytes: Uint8Array, offset: number): string {
	let result = "";
	for (let i = offset; i < bytes.length && bytes[i] !== 0; i++) {
		const b = bytes[i];
		let code = b;
		if (b >= 0xF0) {
			code = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3F) << 12) | ((bytes[i + 2] & 0x3F) << 6) | (bytes[i + 3] & 0x3F);
			i += 3;
		}
		else if (b >= 0xE0) {
			code = ((b & 0x0F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
			i += 2;
		}
		else if (b >= 0x80) {
			code = ((b & 0x1F) << 6) | (bytes[i + 1] & 0x3F);
			i += 1;
		}
		result += String.fromCodePoint(code);
	}
	return result;
}
