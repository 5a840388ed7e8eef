/*
 * ProfileDrive: the demo drive's lap (driveAt, DriveState) produced as the
 * CAN frames of any car, through that car's compiled vehicle profile and the
 * plan compiled with it. Where DemoDrive is bound to the demo car's DBC by
 * name, this reads the profile's bindings backwards: for every quantity the
 * profile takes from a bus signal it writes the drive's value into that
 * signal, and it sends each message the profile uses at its cycle time
 * (100 ms when the DBC gives none). `npm start -- --car car.vehicle` drives
 * the user's car with it.
 *
 * How each binding is inverted:
 *   linear signal (value * scale + offset)  the signal's physical value (q - offset) / scale,
 *                                           encoded through the plan (rounded to its step)
 *   gear                                    the raw code whose label is P, R, N or D (D falls
 *                                           back to another forward label, P to N)
 *   equals / notEquals / bits               a raw value that reads as on, or as off: for off,
 *                                           a value no other binding of that signal tests for
 *                                           (a value-table entry named off/none when there is one)
 *   any                                     the first bus source carries the state, the others off
 *   all                                     every bus source carries the state
 *   first                                   the first bus source
 * OBD-II sources are not written (without a poller they stay missing, as in
 * a car), nor are quantities derived from them. The speed's message drops
 * out 40-43 s into the lap, as the demo car's ABS message does.
 *
 * Plain TypeScript with only type imports from modules/ (the simulator maps
 * this file as a host module; the layout numbers it reads are repeated here
 * and test/profile-drive.test.ts checks them); the caller hands in the
 * profile, its plan, an Encoder over that plan and the ring. Allocates in the
 * constructor only; `step` writes into preallocated scratch.
 */
import type { FrameRing } from "../../modules/can/ring.js";
import type { VehicleProfile } from "../../modules/cluster/profile.js";
import type { Encoder } from "../../modules/signals/encoder.js";
import type { DecodePlan } from "../../modules/signals/plan.js";
import { DriveState, LapDrive, type DemoDriveOptions } from "./demo-drive.js";

/** Layout numbers read from the profile and plan (checked against the modules by the tests). */
export const NODE_SIGNAL = 1, NODE_OBD = 2, NODE_ANY = 3, NODE_ALL = 4, NODE_FIRST = 5;
export const TEST_LINEAR = 0, TEST_EQUALS = 1, TEST_NOT_EQUALS = 2, TEST_BITS = 3;
export const MESSAGE_WORDS = 8, MESSAGE_CYCLE_TIME = 3, MESSAGE_LENGTH = 5;
export const SIGNAL_WORDS = 13, SIGNAL_MULTIPLEXER = 6, SIGNAL_RANGE_FIRST = 7, SIGNAL_CHOICE_FIRST = 11, SIGNAL_CHOICE_COUNT = 12;
export const EXTENDED_FLAG = 1;
/** The gear quantity's id. */
export const GEAR_QUANTITY = 2;
/** A message without a DBC cycle time is sent this often, ms. */
export const DEFAULT_CYCLE_MS = 100;

type StateField = keyof DriveState;

/**
 * The drive state feeding each quantity, by quantity id (modules/cluster/quantity.ts);
 * null for the gear, written from the lever through the profile's labels.
 */
export const QUANTITY_FIELDS: readonly (StateField | null)[] = Object.freeze([
	"speed", "rpm", null, "coolant", "fuelLevel", "oilPressure", "oilTemp", "battery", "ambient",
	"odometer", "fuelRate", "dimmer", "headlights",
	"turnLeft", "turnRight", "highBeam", "parkingBrake", "doorOpen", "seatBelt", "checkEngine",
	"oilPressureLow", "chargeFault", "zero", "lowFuel", null,
]);

/** DriveState.lever's values: 0 P, 1 R, 2 N, 3 D. */
const LEVER_LABELS = ["P", "R", "N", "D"];

/** How a writer writes: a physical value, a gear code, an on/off raw value. */
const Mode = { linear: 0, gear: 1, onOff: 2 } as const;
type Mode = 0 | 1 | 2;

/** One signal written from one drive state field. */
interface Writer {
	signal: number;
	field: StateField;
	mode: Mode;
	/** Always written as off (the other sources of an `any`). */
	forceOff: boolean;
	/** Linear: written as 0 or 1 (a source inside any/all). */
	boolean: boolean;
	/** Linear: the node's conversion to invert. */
	scale: number;
	offset: number;
	/** On/off: the node's test and operand. */
	test: number;
	operand: number;
	/** On/off: index of the signal's slot in the raw scratch. */
	slot: number;
	/** The multiplexer switch to set for this signal, -1 when none, and its value. */
	mux: number;
	muxRaw: number;
}

interface MessageEntry {
	message: number;
	cycle: number;
	id: number;
	flags: number;
	dlc: number;
	linear: Writer[];
	onOff: Writer[];
	/** Slots of the on/off signals this message carries. */
	slots: number[];
	muxes: Writer[];
	/** Carries the speed: drops out with the speed signal. */
	speed: boolean;
}

export class ProfileDrive extends LapDrive<MessageEntry> {
	/** Quantity ids written onto the bus, for tests and the trace line. */
	readonly quantities: number[] = [];
	/** Raw codes written for the lever's P, R, N and D. */
	readonly gearCodes = new Float64Array(4);

	private readonly encoder: Encoder;
	/** Per on/off signal: its id, its off value, and the raw value being built for a frame. */
	private readonly slotSignal: number[] = [];
	private readonly slotOff: Float64Array;
	private readonly slotRaw: Float64Array;

	/**
	 * Binds the drive to what `profile` reads from `plan`, the plan it was
	 * compiled with. Allocates.
	 * @throws Error when the profile reads no bus signal at all.
	 */
	constructor(profile: VehicleProfile, plan: DecodePlan, encoder: Encoder, ring: FrameRing, options: DemoDriveOptions = {}) {
		super(ring, options);
		this.encoder = encoder;

		const byMessage = new Map<number, MessageEntry>();
		const entryOf = (signal: number): MessageEntry => {
			const message = plan.signalMessage(signal);
			let entry = byMessage.get(message);
			if (!entry) {
				const base = message * MESSAGE_WORDS;
				entry = {
					message, cycle: plan.messages[base + MESSAGE_CYCLE_TIME] || DEFAULT_CYCLE_MS,
					id: plan.messageId(message), flags: plan.messageExtended(message) ? EXTENDED_FLAG : 0,
					dlc: Math.min(8, plan.messages[base + MESSAGE_LENGTH]),
					linear: [], onOff: [], slots: [], muxes: [], speed: false,
				};
				byMessage.set(message, entry);
			}
			return entry;
		};
		const writers: Writer[] = [];
		const add = (n: number, field: StateField, mode: Mode, forceOff: boolean, boolean: boolean) => {
			const node = profile.node(n);
			const signal = node.arg;
			const entry = entryOf(signal);
			const multiplexer = plan.signals[signal * SIGNAL_WORDS + SIGNAL_MULTIPLEXER];
			const writer: Writer = {
				signal, field, forceOff, boolean,
				mode: mode === Mode.gear ? Mode.gear : node.test === TEST_LINEAR ? Mode.linear : Mode.onOff,
				scale: node.scale, offset: node.offset, test: node.test, operand: node.operand, slot: -1,
				mux: multiplexer, muxRaw: multiplexer >= 0 ? plan.ranges[plan.signals[signal * SIGNAL_WORDS + SIGNAL_RANGE_FIRST] * 2] : 0,
			};
			if (writer.mode === Mode.onOff) {
				writer.slot = this.slotSignal.indexOf(signal);
				if (writer.slot < 0) {
					writer.slot = this.slotSignal.length;
					this.slotSignal.push(signal);
					entry.slots.push(writer.slot);
				}
				entry.onOff.push(writer);
			}
			else
				entry.linear.push(writer);
			if (writer.mux >= 0)
				entry.muxes.push(writer);
			if (field === "speed")
				entry.speed = true;
			writers.push(writer);
		};
		/** Writes the state into node `n`'s bus sources; false when none is on the bus. */
		const walk = (n: number, field: StateField, mode: Mode, forceOff: boolean, boolean: boolean): boolean => {
			const node = profile.node(n);
			if (node.kind === NODE_SIGNAL) {
				add(n, field, mode, forceOff, boolean);
				return true;
			}
			if (node.kind === NODE_OBD)
				return false;
			let written = false;
			for (let c = node.arg; c < node.arg + node.childCount; c++) {
				if (node.kind === NODE_FIRST) {
					if (walk(c, field, mode, forceOff, boolean))
						return true;
				}
				else if (walk(c, field, mode, forceOff || (node.kind === NODE_ANY && written), true))
					written = true;
			}
			return written;
		};

		this.gearCodes.set(gearCodes(profile));
		for (let q = 0; q < QUANTITY_FIELDS.length && q < profile.roots.length; q++) {
			const root = profile.roots[q];
			if (root < 0)
				continue;
			const field = q === GEAR_QUANTITY ? "lever" : QUANTITY_FIELDS[q]!;
			// The gear is a code: only a plain signal (or the bus source of a `first`) carries one.
			if (q === GEAR_QUANTITY && !plainSignal(profile, root))
				continue;
			if (walk(root, field, q === GEAR_QUANTITY ? Mode.gear : Mode.linear, false, false))
				this.quantities.push(q);
		}
		if (writers.length === 0)
			throw new Error(`profile drive: profile '${profile.name}' reads no signal from the bus`);

		// Off values: for each on/off signal, a raw value none of its equals/notEquals tests names.
		this.slotOff = new Float64Array(this.slotSignal.length);
		this.slotRaw = new Float64Array(this.slotSignal.length);
		for (let s = 0; s < this.slotSignal.length; s++) {
			const operands = writers.filter(w => w.slot === s && w.test !== TEST_BITS).map(w => w.operand);
			this.slotOff[s] = restValue(plan, this.slotSignal[s], operands);
		}
		for (const entry of byMessage.values())
			this.messages.push(entry);
	}

	protected fill(entry: MessageEntry, state: DriveState): boolean {
		// The message carrying the speed drops out for a few seconds of the lap, as the demo car's does.
		if (entry.speed && !state.speedSignal)
			return false;
		const encoder = this.encoder, data = this.data, raw = this.slotRaw;
		data.fill(0);
		for (let w = 0; w < entry.linear.length; w++) {
			const writer = entry.linear[w];
			const value = writer.forceOff ? 0 : state[writer.field] as number;
			if (writer.mode === Mode.gear)
				encoder.setRaw(writer.signal, this.gearCodes[value & 3], data);
			else if (writer.scale !== 0)
				encoder.set(writer.signal, ((writer.boolean ? (value !== 0 ? 1 : 0) : value) - writer.offset) / writer.scale, data);
		}
		if (entry.onOff.length) {
			for (let s = 0; s < entry.slots.length; s++)
				raw[entry.slots[s]] = NaN;
			// Off first, then on: a signal several bindings test (a turn-signal enum) shows the one that is on.
			for (let pass = 0; pass < 2; pass++) {
				for (let w = 0; w < entry.onOff.length; w++) {
					const writer = entry.onOff[w];
					const on = !writer.forceOff && (state[writer.field] as number) !== 0;
					if (on !== (pass === 1))
						continue;
					const slot = writer.slot, current = raw[slot] === raw[slot] ? raw[slot] : 0;
					const wantsOperand = writer.test === TEST_EQUALS ? on : !on;
					if (writer.test === TEST_BITS)
						raw[slot] = on ? (current | writer.operand) >>> 0 : (current & ~writer.operand) >>> 0;
					else if (wantsOperand)
						raw[slot] = writer.operand;
					else if (pass === 1 || raw[slot] !== raw[slot])
						raw[slot] = this.slotOff[slot];
				}
			}
			for (let s = 0; s < entry.slots.length; s++) {
				const slot = entry.slots[s];
				encoder.setRaw(this.slotSignal[slot], raw[slot] === raw[slot] ? raw[slot] : this.slotOff[slot], data);
			}
		}
		for (let m = 0; m < entry.muxes.length; m++)
			encoder.setRaw(entry.muxes[m].mux, entry.muxes[m].muxRaw, data);
		return true;
	}
}

/** True when node `n` is a plain linear signal, or a `first` whose first bus source is one. */
function plainSignal(profile: VehicleProfile, n: number): boolean {
	const node = profile.node(n);
	if (node.kind === NODE_SIGNAL)
		return node.test === TEST_LINEAR;
	if (node.kind !== NODE_FIRST)
		return false;
	for (let c = node.arg; c < node.arg + node.childCount; c++) {
		const child = profile.node(c);
		if (child.kind === NODE_SIGNAL)
			return child.test === TEST_LINEAR;
	}
	return false;
}

/**
 * Raw gear codes for the lever's P, R, N, D: the codes the profile labels so;
 * D falls back to another forward label (S, E, B, a number), P to N. Without
 * gear labels the lever's own values (0 P ... 3 D, the demo car's). Allocates.
 */
export function gearCodes(profile: VehicleProfile): number[] {
	const labels = profile.gearLabels.map(label => label.trim().toUpperCase());
	const codeOf = (label: string) => {
		const g = labels.indexOf(label);
		return g < 0 ? NaN : profile.gearCodes[g];
	};
	return LEVER_LABELS.map((label, lever) => {
		let code = codeOf(label);
		if (code !== code && label === "D") {
			const g = labels.findIndex(other => other !== "" && !LEVER_LABELS.includes(other));
			code = g < 0 ? NaN : profile.gearCodes[g];
		}
		if (code !== code && label === "P")
			code = codeOf("N");
		return code === code ? code : lever;
	});
}

/**
 * A raw value of `signal` that none of `operands` is: a value-table entry
 * named like off/none when there is one, else another entry, else the
 * smallest whole number. Allocates.
 */
export function restValue(plan: DecodePlan, signal: number, operands: number[]): number {
	const base = signal * SIGNAL_WORDS;
	const first = plan.signals[base + SIGNAL_CHOICE_FIRST], count = plan.signals[base + SIGNAL_CHOICE_COUNT];
	let fallback = NaN;
	for (let c = first; c < first + count; c++) {
		const raw = plan.choices[c * 2];
		if (operands.includes(raw))
			continue;
		if (/^(off|none|no|inactive|not|closed|idle|aus|0)\b/i.test(plan.string(plan.choices[c * 2 + 1])))
			return raw;
		if (fallback !== fallback)
			fallback = raw;
	}
	if (fallback === fallback)
		return fallback;
	let value = 0;
	while (operands.includes(value))
		value++;
	return value;
}
