/*
 * Encoder: the inverse of the Decoder. Writes physical signal values into the
 * payload of a CAN frame, driven by the same compiled DecodePlan, so whatever
 * it writes the Decoder reads back.
 *
 * Used by the simulator's demo drive (a car made of numbers) and by tests; a
 * listen-only cluster never transmits. Runs on XS and Node; allocates only in
 * the constructor. Writes go bit by bit: simple to check against the
 * decoder's byte gathering, and a few hundred frames a second is all a
 * generator needs.
 */
import { CanFrame, FrameFlag } from "../can/frame.js";
import { DecodePlan, MESSAGE_WORDS, MessageField, SCALING_WORDS, SIGNAL_WORDS, Scaling, SignalField, SignalFlag } from "./plan.js";

const TWO_POW_32 = 4294967296;

export class Encoder {
	readonly plan: DecodePlan;
	// Scratch for IEEE float bits, allocated once.
	private readonly floatBits = new DataView(new ArrayBuffer(8));

	constructor(plan: DecodePlan) {
		this.plan = plan;
	}

	/**
	 * Readies `frame` to carry message `message`: its id and id kind, its
	 * declared length as dlc, a zeroed payload, and `timestamp`. No allocation.
	 */
	begin(message: number, frame: CanFrame, timestamp: number): CanFrame {
		const plan = this.plan, mbase = message * MESSAGE_WORDS;
		frame.id = plan.messageId(message);
		frame.flags = plan.messageExtended(message) ? FrameFlag.extended : 0;
		frame.dlc = Math.min(8, plan.messages[mbase + MessageField.length]);
		frame.data.fill(0);
		frame.timestamp = timestamp;
		return frame;
	}

	/**
	 * Writes physical `value` of signal `signal` into `data`: offset and factor
	 * removed, rounded to the nearest raw step and clamped to what the bits hold.
	 * Returns the raw value written. A multiplexed signal only decodes when the
	 * caller also writes its switch with a value that selects it. No allocation.
	 */
	set(signal: number, value: number, data: Uint8Array): number {
		const plan = this.plan, sbase = signal * SCALING_WORDS;
		const flags = plan.signals[signal * SIGNAL_WORDS + SignalField.flags];
		const raw = (value - plan.scaling[sbase + Scaling.offset]) / plan.scaling[sbase + Scaling.factor];
		if (flags & (SignalFlag.float32 | SignalFlag.float64))
			return this.setRaw(signal, raw, data);
		return this.setRaw(signal, Math.round(raw), data);
	}

	/** Writes a raw value (clamped to the signal's range) into `data`; returns what was written. No allocation. */
	setRaw(signal: number, raw: number, data: Uint8Array): number {
		const signals = this.plan.signals, base = signal * SIGNAL_WORDS;
		const flags = signals[base + SignalField.flags];
		const length = signals[base + SignalField.length];
		let lo: number, hi: number;

		if (flags & SignalFlag.float32) {
			this.floatBits.setFloat32(0, raw);
			raw = this.floatBits.getFloat32(0);
			lo = this.floatBits.getUint32(0);
			hi = 0;
		}
		else if (flags & SignalFlag.float64) {
			this.floatBits.setFloat64(0, raw);
			hi = this.floatBits.getUint32(0);
			lo = this.floatBits.getUint32(4);
		}
		else {
			if (raw !== raw)
				raw = 0;
			const signed = (flags & SignalFlag.signed) !== 0;
			const span = Math.pow(2, length);
			const min = signed ? -span / 2 : 0;
			const max = signed ? span / 2 - 1 : span - 1;
			raw = raw < min ? min : raw > max ? max : raw;
			// Two's complement within `length` bits, then split into 32-bit halves.
			const bits = raw < 0 ? raw + span : raw;
			hi = Math.floor(bits / TWO_POW_32);
			lo = bits - hi * TWO_POW_32;
		}

		// Bit k of the value sits at bit (k + shift) of the word the decoder
		// gathers: counted from the lowest byte for Intel, the highest for Motorola.
		const firstByte = signals[base + SignalField.firstByte];
		const byteCount = signals[base + SignalField.byteCount];
		const shift = signals[base + SignalField.shift];
		const littleEndian = (flags & SignalFlag.littleEndian) !== 0;
		for (let k = 0; k < length; k++) {
			const bit = k < 32 ? (lo >>> k) & 1 : (hi >>> (k - 32)) & 1;
			const position = k + shift;
			const byteIndex = littleEndian ? firstByte + (position >> 3) : firstByte + byteCount - 1 - (position >> 3);
			const mask = 1 << (position & 7);
			if (bit)
				data[byteIndex] |= mask;
			else
				data[byteIndex] &= ~mask;
		}
		return raw;
	}

	/** Signal id of `message`'s signal called `name`; throws when absent (a generator bug). Allocates. */
	signal(message: number, name: string): number {
		const signal = this.plan.findSignal(message, name);
		if (signal < 0)
			throw new Error(`encoder: message '${this.plan.messageName(message)}' has no signal '${name}'`);
		return signal;
	}

	/** Index of the message called `name`; throws when absent. Allocates. */
	message(name: string): number {
		const message = this.plan.findMessageByName(name);
		if (message < 0)
			throw new Error(`encoder: no message '${name}' in the plan`);
		return message;
	}
}
