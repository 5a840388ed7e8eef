/*
 * Decoder: executes a DecodePlan on CAN frames and writes physical values into
 * a SignalStore.
 *
 * Per frame: one O(1) id lookup, then for each signal of the message a few
 * integer operations driven by precomputed byte offsets, shifts and lengths.
 * No object, string, closure or array is created. Runs on XS and Node.
 */
import { CanFrame, FrameFlag } from "../can/frame.js";
import { DecodePlan, MESSAGE_WORDS, MessageField, SIGNAL_WORDS, SCALING_WORDS, SignalField, SignalFlag, Scaling } from "./plan.js";
import { SignalStore } from "./store.js";

const TWO_POW_32 = 4294967296;

export class Decoder {
	readonly plan: DecodePlan;
	readonly store: SignalStore;
	/** Frames whose message was decoded. */
	decoded = 0;
	/** Frames with an id the plan does not know. */
	unknown = 0;
	/** Remote and error frames, which carry no signals. */
	ignored = 0;
	/** Frames shorter than some of their message's signals; those signals were skipped. */
	short = 0;

	/**
	 * Per signal: 1 when the last frame of its message carried it (its
	 * multiplexer selected it and the frame was long enough). Tools read it to
	 * list what a frame contained.
	 */
	readonly present: Uint8Array;

	// Scratch for reinterpreting raw bits as IEEE floats, allocated once.
	private readonly floatBits = new DataView(new ArrayBuffer(8));

	/** Allocates the store (unless given) and the `present` flags. */
	constructor(plan: DecodePlan, store?: SignalStore) {
		this.plan = plan;
		if (store) {
			if (store.size < plan.signalCount)
				throw new RangeError(`signal store holds ${store.size} signals, plan has ${plan.signalCount}`);
			this.store = store;
		}
		else {
			const timeouts = new Float64Array(plan.signalCount);
			for (let s = 0; s < plan.signalCount; s++)
				timeouts[s] = plan.messageTimeout(plan.signalMessage(s));
			this.store = new SignalStore(plan.signalCount, timeouts);
		}
		this.present = new Uint8Array(plan.signalCount);
	}

	/**
	 * Decodes one frame into the store, stamped with `frame.timestamp`.
	 * Returns the message index, or -1 for an unknown id, remote or error frame.
	 * Hot path: no allocation.
	 */
	decode(frame: CanFrame): number {
		const flags = frame.flags;
		if (flags & (FrameFlag.remote | FrameFlag.error)) {
			this.ignored++;
			return -1;
		}
		const plan = this.plan;
		const message = plan.findMessage(frame.id, (flags & FrameFlag.extended) !== 0);
		if (message < 0) {
			this.unknown++;
			return -1;
		}
		this.decodeMessage(message, frame.data, frame.dlc, frame.timestamp);
		this.decoded++;
		return message;
	}

	/** Decodes `data` as message `message`. Hot path: no allocation. */
	decodeMessage(message: number, data: Uint8Array, dlc: number, now: number): void {
		const plan = this.plan, signals = plan.signals, scaling = plan.scaling, ranges = plan.ranges;
		const store = this.store, present = this.present;
		const mbase = message * MESSAGE_WORDS;
		const first = plan.messages[mbase + MessageField.firstSignal];
		const end = first + plan.messages[mbase + MessageField.signalCount];
		let short = false;

		for (let s = first; s < end; s++) {
			const base = s * SIGNAL_WORDS;
			const muxSignal = signals[base + SignalField.multiplexer];
			if (muxSignal >= 0) {
				// The switch comes earlier in this message, so its presence and raw value are current.
				if (!present[muxSignal]) {
					present[s] = 0;
					continue;
				}
				const selector = store.raws[muxSignal];
				let r = signals[base + SignalField.rangeFirst];
				const rend = r + signals[base + SignalField.rangeCount];
				for (; r < rend; r++)
					if (selector >= ranges[r * 2] && selector <= ranges[r * 2 + 1])
						break;
				if (r === rend) {
					present[s] = 0;
					continue;
				}
			}

			const firstByte = signals[base + SignalField.firstByte];
			const byteCount = signals[base + SignalField.byteCount];
			const sflags = signals[base + SignalField.flags];
			const littleEndian = (sflags & SignalFlag.littleEndian) !== 0;
			const lastByte = littleEndian ? firstByte + byteCount - 1 : firstByte;
			const highestByte = littleEndian ? lastByte : firstByte + byteCount - 1;
			if (highestByte >= dlc) {
				present[s] = 0;
				short = true;
				continue;
			}
			const shift = signals[base + SignalField.shift];
			const length = signals[base + SignalField.length];
			let raw: number;

			// Gather the spanned bytes into two 32-bit halves, `lo` holding the last
			// four read, then drop the bits below the signal.
			let lo = 0, hi = 0;
			if (byteCount <= 4) {
				if (littleEndian) {
					for (let i = byteCount - 1; i >= 0; i--)
						lo = (lo << 8) | data[firstByte + i];
				}
				else {
					for (let i = 0; i < byteCount; i++)
						lo = (lo << 8) | data[firstByte + i];
				}
				lo >>>= shift;
			}
			else {
				if (littleEndian) {
					for (let i = 3; i >= 0; i--)
						lo = (lo << 8) | data[firstByte + i];
					for (let i = byteCount - 1; i >= 4; i--)
						hi = (hi << 8) | data[firstByte + i];
				}
				else {
					for (let i = 0; i < byteCount - 4; i++)
						hi = (hi << 8) | data[firstByte + i];
					for (let i = byteCount - 4; i < byteCount; i++)
						lo = (lo << 8) | data[firstByte + i];
				}
				if (shift) {
					lo = (lo >>> shift) | (hi << (32 - shift));
					hi >>>= shift;
				}
			}

			if (length <= 32) {
				if (length < 32)
					lo &= (1 << length) - 1;
				if (sflags & SignalFlag.float32) {
					this.floatBits.setUint32(0, lo);
					raw = this.floatBits.getFloat32(0);
				}
				else if (sflags & SignalFlag.signed)
					raw = length < 32 ? (lo << (32 - length)) >> (32 - length) : lo | 0;
				else
					raw = lo >>> 0;
			}
			else if (sflags & SignalFlag.float64) {
				this.floatBits.setUint32(0, hi);
				this.floatBits.setUint32(4, lo);
				raw = this.floatBits.getFloat64(0);
			}
			else {
				// 33 to 64 bits: exact up to 53, rounded beyond as cantools' floats are.
				const highBits = length - 32;
				if (sflags & SignalFlag.signed)
					hi = highBits < 32 ? (hi << (32 - highBits)) >> (32 - highBits) : hi | 0;
				else
					hi = highBits < 32 ? hi & ((1 << highBits) - 1) : hi >>> 0;
				raw = hi * TWO_POW_32 + (lo >>> 0);
			}

			const sbase = s * SCALING_WORDS;
			store.set(s, raw, raw * scaling[sbase + Scaling.factor] + scaling[sbase + Scaling.offset], now);
			present[s] = 1;
		}
		if (short)
			this.short++;
	}

	/** Zeroes the counters. */
	resetCounters(): void {
		this.decoded = 0;
		this.unknown = 0;
		this.ignored = 0;
		this.short = 0;
	}
}
