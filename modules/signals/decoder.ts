/*
 * Decoder: executes a DecodePlan on CAN frames and writes raw values into a
 * SignalStore, which scales them when they are read.
 *
 * Per frame: one O(1) id lookup, then for each signal of the message a few
 * integer operations driven by precomputed byte offsets, shifts and lengths.
 * No object, string, closure or array is created. Runs on XS and Node;
 * allocates only in the constructor.
 *
 * Built for the XS interpreter, where cost is counted in bytecodes and every
 * typed-array element access (350 to 450 x86 instructions) or method call
 * (about 650) weighs as much as several integer operations on locals (about
 * 50 each) or property reads (about 90); `npm run bench` prints this price
 * list. So the constructor folds each signal's layout into one
 * 32-bit "op" word (what kind of read, which byte, shift, length, sign,
 * whether it is multiplexed), the hot loop reads that one word and the data
 * bytes, writes one word of raw bits (store.ts says why no scaling happens
 * here), and it caches every field it touches in locals. Byte-aligned 8- and 16-bit fields and
 * fields inside one byte are read without a loop; fields of up to 4 bytes
 * gather in a loop; floats, fields over 32 bits or 4 bytes (rare on a
 * powertrain bus) take the general path in `readWide`.
 */
import { CanFrame, FrameFlag } from "../can/frame.js";
import { DecodePlan, SIGNAL_WORDS, SignalField, SignalFlag } from "./plan.js";
import { SignalStore } from "./store.js";

/*
 * The op word of a signal: how to read it, fixed at construction.
 *   bits 0-2   kind (below)
 *   bits 3-5   first byte in gathering order: Intel the lowest, Motorola the most significant (lowest index)
 *   bits 6-9   highest byte index + 1: the frame's DLC must reach it
 *   bits 10-12 right shift after gathering
 *   bits 13-18 length in bits (1..32; unused by KIND_WIDE)
 *   bits 19-21 bytes spanned (1..4)
 *   bit 22     signed (not for KIND_WIDE: readWide reads the plan), bit 23 multiplexed
 */
/** 8 bits on a byte boundary: `data[byte]`. */
const KIND_BYTE = 0;
/** Inside one byte: `(data[byte] >> shift) & mask`. */
const KIND_IN_BYTE = 1;
/** 16 bits, Intel, on a byte boundary. */
const KIND_LE16 = 2;
/** 16 bits, Motorola, on a byte boundary. */
const KIND_BE16 = 3;
/** Up to 32 bits over up to 4 bytes, Intel. */
const KIND_LE = 4;
/** Up to 32 bits over up to 4 bytes, Motorola. */
const KIND_BE = 5;
/** Floats, integers over 32 bits or spanning more than 4 bytes: `readWide`. */
const KIND_WIDE = 6;
const KIND_MASK = 7;
const BYTE_SHIFT = 3;
const END_SHIFT = 6;
const SHIFT_SHIFT = 10;
const LENGTH_SHIFT = 13;
const COUNT_SHIFT = 19;
const SIGNED = 1 << 22;
const MUXED = 1 << 23;

/*
 * The span word of a message:
 *   bits 0-15  first signal, bits 16-23 signal count
 *   bits 24-27 highest byte index + 1 over all its signals
 *   bit 28     plain: no multiplexed signal, so a frame reaching that byte carries every signal,
 *              and `present` and `updatedAt` are filled for the whole span with two native calls
 *              (about 1,000 instructions each on XS, against 500 per element written one by one)
 *   bit 29     wide: first or count did not fit; read them from the plan
 */
const SPAN_FIRST_MASK = 0xFFFF;
const SPAN_COUNT_SHIFT = 16;
const SPAN_COUNT_MASK = 0xFF;
const SPAN_END_SHIFT = 24;
const SPAN_PLAIN = 1 << 28;
const SPAN_WIDE = 1 << 29;

/** Frame flags that carry no signals. */
const NOT_DATA = FrameFlag.remote | FrameFlag.error;
const EXTENDED = FrameFlag.extended;

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

	/** Per signal: the op word (see above). */
	private readonly ops: Int32Array;
	/** Per message: the span word (see above). */
	private readonly spans: Int32Array;
	/** Message index + 1 for each 11-bit id, 0 when unknown: the plan's table, read without a method call. */
	private readonly standardIndex: Uint16Array;

	/** Allocates the store (unless given), the `present` flags and the op and span tables (4 bytes per signal and per message). */
	constructor(plan: DecodePlan, store?: SignalStore) {
		this.plan = plan;
		if (store) {
			if (!store.fits(plan))
				throw new RangeError(`signal store does not fit the plan (${store.size} signals, plan has ${plan.signalCount}; make it with SignalStore.forPlan)`);
			this.store = store;
		}
		else
			this.store = SignalStore.forPlan(plan);
		this.present = new Uint8Array(plan.signalCount);
		this.standardIndex = plan.standardIndex;

		const signals = plan.signals;
		this.spans = new Int32Array(plan.messageCount);
		// Stryker disable next-line EqualityOperator: one message past the last writes out of the span table (ignored) and reads no signal (its range is NaN)
		for (let m = 0; m < plan.messageCount; m++) {
			const first = plan.firstSignal(m), count = plan.signalCountOf(m);
			let end = 0, plain = true;
			for (let s = first; s < first + count; s++) {
				const base = s * SIGNAL_WORDS;
				end = Math.max(end, signals[base + SignalField.firstByte] + signals[base + SignalField.byteCount]);
				if (signals[base + SignalField.multiplexer] >= 0)
					plain = false;
			}
			this.spans[m] = first <= SPAN_FIRST_MASK && count <= SPAN_COUNT_MASK
				? first | (count << SPAN_COUNT_SHIFT) | (end << SPAN_END_SHIFT) | (plain ? SPAN_PLAIN : 0)
				: SPAN_WIDE;
		}

		this.ops = new Int32Array(plan.signalCount);
		// Stryker disable next-line EqualityOperator: one signal past the last writes out of the op table, which ignores it
		for (let s = 0; s < plan.signalCount; s++) {
			const base = s * SIGNAL_WORDS;
			const firstByte = signals[base + SignalField.firstByte];
			const byteCount = signals[base + SignalField.byteCount];
			const flags = signals[base + SignalField.flags];
			const shift = signals[base + SignalField.shift];
			const length = signals[base + SignalField.length];
			const littleEndian = (flags & SignalFlag.littleEndian) !== 0;
			const highestByte = firstByte + byteCount - 1;
			let kind: number;
			if (flags & (SignalFlag.float32 | SignalFlag.float64) || length > 32 || byteCount > 4)
				kind = KIND_WIDE;
			else if (byteCount === 1)
				kind = length === 8 ? KIND_BYTE : KIND_IN_BYTE;
			else if (byteCount === 2 && length === 16)
				kind = littleEndian ? KIND_LE16 : KIND_BE16;
			else
				kind = littleEndian ? KIND_LE : KIND_BE;
			this.ops[s] = kind
				| (firstByte << BYTE_SHIFT)
				| ((highestByte + 1) << END_SHIFT)
				| (shift << SHIFT_SHIFT)
				| ((length & 63) << LENGTH_SHIFT)
				| ((byteCount & 7) << COUNT_SHIFT)
				| (flags & SignalFlag.signed && kind !== KIND_WIDE ? SIGNED : 0) // readWide sign-extends its own
				| (signals[base + SignalField.multiplexer] >= 0 ? MUXED : 0);
		}
	}

	/**
	 * Decodes one frame into the store, stamped with `frame.timestamp`.
	 * Returns the message index, or -1 for an unknown id, remote or error frame.
	 * Hot path: no allocation.
	 */
	decode(frame: CanFrame): number {
		const flags = frame.flags;
		if (flags & NOT_DATA) {
			this.ignored++;
			return -1;
		}
		const id = frame.id;
		let message: number;
		if (flags & EXTENDED)
			message = this.plan.findMessage(id, true);
		else
			message = id <= 0x7FF ? this.standardIndex[id] - 1 : -1;
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
		const ops = this.ops, present = this.present, store = this.store;
		const words = store.words, updatedAt = store.updatedAt, updates = store.updates;
		const span = this.spans[message];
		let first: number, end: number;
		if (span & SPAN_WIDE) {
			first = this.plan.firstSignal(message);
			end = first + this.plan.signalCountOf(message);
		}
		else {
			first = span & SPAN_FIRST_MASK;
			end = first + ((span >> SPAN_COUNT_SHIFT) & SPAN_COUNT_MASK);
		}
		// A plain message in a long enough frame: every signal is there, no per-signal checks or flags.
		const track = (span & SPAN_PLAIN) === 0 || ((span >> SPAN_END_SHIFT) & 15) > dlc;
		let short = false;

		for (let s = first; s < end; s++) {
			const op = ops[s];
			if (track) {
				if (op & MUXED && !this.selected(s)) {
					present[s] = 0;
					continue;
				}
				if (((op >> END_SHIFT) & 15) > dlc) {
					present[s] = 0;
					short = true;
					continue;
				}
			}
			const byte = (op >> BYTE_SHIFT) & 7;
			let raw: number;
			// Cases in order of how common they are on real buses; XS tests them one by one.
			switch (op & KIND_MASK) {
				// Stryker disable next-line ConditionalExpression: without its own code a whole byte falls through to the in-byte reader, which reads the same 8 bits
				case KIND_BYTE:
					raw = data[byte];
					break;
				case KIND_IN_BYTE:
					raw = (data[byte] >> ((op >> SHIFT_SHIFT) & 7)) & ((1 << ((op >> LENGTH_SHIFT) & 63)) - 1);
					break;
				// Stryker disable next-line ConditionalExpression: without its own code an Intel 16-bit field falls through to the gathering loop, which reads the same 2 bytes
				case KIND_LE16:
					raw = data[byte] | (data[byte + 1] << 8);
					break;
				case KIND_LE: {
					let lo = 0;
					// Stryker disable next-line ArithmeticOperator: starting one byte higher gathers a byte that the length mask (or a 32-bit shift) drops again
					for (let i = byte + ((op >> COUNT_SHIFT) & 7) - 1; i >= byte; i--)
						lo = (lo << 8) | data[i];
					const length = (op >> LENGTH_SHIFT) & 63;
					lo >>>= (op >> SHIFT_SHIFT) & 7;
					raw = length < 32 ? lo & ((1 << length) - 1) : lo;
					break;
				}
				// Stryker disable next-line ConditionalExpression: without its own code a Motorola 16-bit field falls through to the gathering loop, which reads the same 2 bytes
				case KIND_BE16:
					raw = (data[byte] << 8) | data[byte + 1];
					break;
				// Stryker disable next-line ConditionalExpression,BlockStatement: without its own code a Motorola field falls through to readWide, which reads the same bits from the plan
				case KIND_BE: {
					let lo = 0;
					const last = byte + ((op >> COUNT_SHIFT) & 7);
					for (let i = byte; i < last; i++)
						lo = (lo << 8) | data[i];
					const length = (op >> LENGTH_SHIFT) & 63;
					lo >>>= (op >> SHIFT_SHIFT) & 7;
					raw = length < 32 ? lo & ((1 << length) - 1) : lo;
					break;
				}
				default:
					raw = this.readWide(s, data, words);
			}
			if (op & SIGNED) {
				const drop = 32 - ((op >> LENGTH_SHIFT) & 63);
				raw = (raw << drop) >> drop;
			}
			words[s << 1] = raw;
			updates[s]++;
			if (track) {
				updatedAt[s] = now;
				present[s] = 1;
			}
		}
		if (!track) {
			updatedAt.fill(now, first, end);
			present.fill(1, first, end);
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

	/**
	 * Whether signal `s`'s multiplexer selects it in the frame being decoded.
	 * The switch comes earlier in the same message, so its presence and raw
	 * value are already current. No allocation.
	 */
	private selected(s: number): boolean {
		const plan = this.plan, signals = plan.signals, ranges = plan.ranges;
		const base = s * SIGNAL_WORDS;
		const muxSignal = signals[base + SignalField.multiplexer];
		if (!this.present[muxSignal])
			return false;
		const selector = this.store.raw(muxSignal);
		let r = signals[base + SignalField.rangeFirst];
		const rend = r + signals[base + SignalField.rangeCount];
		for (; r < rend; r++)
			if (selector >= ranges[r * 2] && selector <= ranges[r * 2 + 1])
				return true;
		return false;
	}

	/**
	 * The general read: any byte order, 1 to 64 bits over up to 8 bytes,
	 * IEEE floats. Gathers the spanned bytes into two 32-bit halves, `lo`
	 * holding the last four read, then drops the bits below the signal.
	 * Returns word 0 of the signal's raw value as store.ts lays it out and
	 * writes word 1 itself when the kind has one. No allocation.
	 */
	private readWide(s: number, data: Uint8Array, words: Uint32Array): number {
		const signals = this.plan.signals;
		const base = s * SIGNAL_WORDS;
		const firstByte = signals[base + SignalField.firstByte];
		const byteCount = signals[base + SignalField.byteCount];
		const sflags = signals[base + SignalField.flags];
		const littleEndian = (sflags & SignalFlag.littleEndian) !== 0;
		const shift = signals[base + SignalField.shift];
		const length = signals[base + SignalField.length];

		let lo = 0, hi = 0;
		// Stryker disable next-line ConditionalExpression,EqualityOperator: the 5-to-8-byte way reads 4 bytes or fewer the same (bytes before the field read as 0, bytes past it are masked off)
		if (byteCount <= 4) {
			if (littleEndian) {
				// Stryker disable next-line ArithmeticOperator: bytes gathered past the field land above its length and are masked off (or shift out of 32 bits)
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
				// Stryker disable next-line ArithmeticOperator: the extra bytes read past the frame are undefined, i.e. 0, and shift out above the field's 64 bits
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
			// A float32's bits as they are; an integer sign-extended to 32 bits.
			// Stryker disable next-line ConditionalExpression,EqualityOperator: at 32 bits sign extension is a no-op on the bits the Uint32 word stores
			return sflags & SignalFlag.signed && !(sflags & SignalFlag.float32) && length < 32 ? (lo << (32 - length)) >> (32 - length) : lo;
		}
		// Stryker disable next-line ConditionalExpression: a float64's high half is 32 bits, which neither mask nor sign extension changes
		if (!(sflags & SignalFlag.float64)) {
			// 33 to 64 bits: the high half masked, or sign-extended to 64 bits.
			const highBits = length - 32;
			if (sflags & SignalFlag.signed)
				// Stryker disable next-line ConditionalExpression,EqualityOperator: at 32 high bits sign extension is a no-op on the bits the Uint32 word stores
				hi = highBits < 32 ? (hi << (32 - highBits)) >> (32 - highBits) : hi;
			else if (highBits < 32)
				hi &= (1 << highBits) - 1;
		}
		// A float64's bits as gathered and shifted, unmasked.
		words[(s << 1) + 1] = hi;
		return lo;
	}
}
