/*
 * Compiles a parsed DBC into the binary DecodePlan the device loads.
 *
 * Everything the decoder would otherwise work out per frame is settled here:
 * which bytes a signal spans, in which order to gather them, how far to shift,
 * how to sign-extend, which switch selects it, and how long its value stays
 * fresh. Host side (Node); allocates freely.
 */
import type { DbcDatabase, DbcMessage, DbcSignal } from "./database.js";
import {
	EXTENDED_BIT, HEADER_WORDS, Header, MESSAGE_WORDS, MessageField, PLAN_MAGIC, PLAN_VERSION,
	SCALING_WORDS, SIGNAL_WORDS, Scaling, SignalField, SignalFlag,
} from "../signals/plan.js";

export interface CompileOptions {
	/** Keep only these messages (by name or id); all when omitted. */
	messages?: ReadonlyArray<string | number>;
	/** A signal is missing after this many cycle times without an update. */
	timeoutPeriods?: number;
	/** Floor for cycle-derived timeouts, ms: below a few display frames, scheduler jitter would blank gauges. */
	minimumTimeoutMs?: number;
	/** Timeout for messages without GenMsgCycleTime, ms. */
	defaultTimeoutMs?: number;
}

export const DEFAULT_TIMEOUT_PERIODS = 5;
export const DEFAULT_MINIMUM_TIMEOUT_MS = 250;
export const DEFAULT_TIMEOUT_MS = 2000;

/**
 * The longest GenMsgCycleTime taken, ms: an hour, the top of the range that
 * CANdb++'s template declares for it (`INT 0 3600000`). Longer is nonsense,
 * or a wrap in the tool that wrote it; and the plan keeps cycle times and
 * timeouts in 32-bit fields, where 858993460 ms times 5 periods wraps to a
 * timeout of 4 ms and 4294967296 ms to none. The parser warns about longer
 * ones and drops them, and `compilePlan` refuses any whose timeout would not
 * fit.
 */
export const MAX_CYCLE_TIME_MS = 3_600_000;
/** The plan's 32-bit millisecond fields. */
const MAX_PLAN_MS = 0xFFFFFFFF;

/** CAN frames carry 8 data bytes; CAN FD is not supported. */
const MAX_BYTES = 8;

export interface CompiledPlan {
	buffer: ArrayBuffer;
	messageCount: number;
	signalCount: number;
	/** Messages or signals left out, with why. */
	warnings: string[];
}

/** Where a signal's bits lie, in the decoder's terms. */
export interface SignalLayout {
	firstByte: number;
	byteCount: number;
	shift: number;
	/** Highest byte index touched. */
	highestByte: number;
}

/**
 * Works out the bytes a signal spans and the shift that aligns it.
 * Intel signals give their LSB as start bit; Motorola signals their MSB in
 * DBC's sawtooth numbering (bit 7 of byte 0 is 7, bit 0 of byte 1 is 8).
 */
export function signalLayout(signal: Pick<DbcSignal, "startBit" | "length" | "byteOrder">): SignalLayout {
	if (signal.byteOrder === "little_endian") {
		const lsb = signal.startBit, msb = lsb + signal.length - 1;
		const firstByte = lsb >> 3, lastByte = msb >> 3;
		return { firstByte, byteCount: lastByte - firstByte + 1, shift: lsb & 7, highestByte: lastByte };
	}
	// Position in the big-endian bit stream, counting from the first byte's MSB.
	const msb = (signal.startBit >> 3) * 8 + 7 - (signal.startBit & 7);
	const lsb = msb + signal.length - 1;
	const firstByte = msb >> 3, lastByte = lsb >> 3;
	return { firstByte, byteCount: lastByte - firstByte + 1, shift: 7 - (lsb & 7), highestByte: lastByte };
}

/**
 * Timeout in ms for a message, from its cycle time: `timeoutPeriods` cycles,
 * at least `minimumTimeoutMs`. A message without a usable cycle time (none,
 * or one whose timeout the plan cannot hold: see `usableCycleTime`) gets
 * `defaultTimeoutMs`.
 */
export function messageTimeout(message: Pick<DbcMessage, "cycleTime">, options: CompileOptions = {}): number {
	const cycleTime = usableCycleTime(message, options);
	if (cycleTime === 0)
		return options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS;
	return Math.max(cycleTime * (options.timeoutPeriods ?? DEFAULT_TIMEOUT_PERIODS), options.minimumTimeoutMs ?? DEFAULT_MINIMUM_TIMEOUT_MS);
}

/**
 * The cycle time the plan records for a message, ms, or 0 for none: a
 * positive finite one whose timeout fits the plan's 32-bit field (computed
 * in doubles, so nothing wraps). Never more than what the DBC says.
 */
export function usableCycleTime(message: Pick<DbcMessage, "cycleTime">, options: CompileOptions = {}): number {
	const ms = message.cycleTime;
	const periods = options.timeoutPeriods ?? DEFAULT_TIMEOUT_PERIODS;
	if (ms === null || !(ms > 0) || !(ms * periods <= MAX_PLAN_MS) || !(Math.max(ms * periods, options.minimumTimeoutMs ?? DEFAULT_MINIMUM_TIMEOUT_MS) <= MAX_PLAN_MS))
		return 0;
	return ms;
}

/** Compiles `database` into a plan. Throws Error for an option naming a message the DBC lacks. */
export function compilePlan(database: DbcDatabase, options: CompileOptions = {}): CompiledPlan {
	const warnings: string[] = [];
	let messages = database.messages;
	if (options.messages) {
		const wanted = options.messages;
		for (const want of wanted)
			if (!messages.some(m => m.name === want || m.id === want))
				throw new Error(`${database.file}: no message ${typeof want === "number" ? `with id 0x${want.toString(16)}` : `named ${want}`}`);
		messages = messages.filter(m => wanted.includes(m.name) || wanted.includes(m.id));
	}

	const kept: Array<{ message: DbcMessage; signals: DbcSignal[] }> = [];
	for (const message of messages) {
		const where = (signal: DbcSignal) => `${database.file}:${signal.location.line}:${signal.location.col}: ${message.name}.${signal.name}`;
		let signals: DbcSignal[] = [];
		for (const signal of message.signals) {
			const layout = signalLayout(signal);
			if (layout.highestByte >= MAX_BYTES || layout.byteCount > MAX_BYTES)
				warnings.push(`${where(signal)} lies past byte 8 (CAN FD), left out`);
			else
				signals.push(signal);
		}
		// A signal whose switch is left out would otherwise be decoded from every frame, selected or not.
		for (let dropped = true; dropped;) {
			const names = new Set(signals.map(signal => signal.name));
			const orphans = signals.filter(signal => signal.multiplexerSignal !== null && !names.has(signal.multiplexerSignal));
			for (const signal of orphans)
				warnings.push(`${where(signal)} left out with its multiplexer switch ${signal.multiplexerSignal}`);
			signals = signals.filter(signal => !orphans.includes(signal));
			dropped = orphans.length > 0;
		}
		if (message.cycleTime !== null && usableCycleTime(message, options) === 0)
			warnings.push(`${database.file}:${message.location.line}:${message.location.col}: ${message.name}: cycle time ${message.cycleTime} ms would give a timeout the plan cannot hold; the message gets the ${options.defaultTimeoutMs ?? DEFAULT_TIMEOUT_MS} ms timeout of one without a cycle time`);
		kept.push({ message, signals: orderForDecoding(signals) });
	}

	const strings = new StringTable();
	const signalCount = kept.reduce((n, k) => n + k.signals.length, 0);
	const rangeCount = kept.reduce((n, k) => n + k.signals.reduce((r, s) => r + (s.multiplexerSignal ? s.multiplexerRanges.length : 0), 0), 0);
	const choiceCount = kept.reduce((n, k) => n + k.signals.reduce((c, s) => c + (s.choices?.size ?? 0), 0), 0);

	const messageWords = new Uint32Array(kept.length * MESSAGE_WORDS);
	const signalWords = new Int32Array(signalCount * SIGNAL_WORDS);
	const scaling = new Float64Array(signalCount * SCALING_WORDS);
	const ranges = new Float64Array(rangeCount * 2);
	const choices = new Float64Array(choiceCount * 2);

	let s = 0, r = 0, c = 0;
	kept.forEach(({ message, signals }, m) => {
		const mbase = m * MESSAGE_WORDS;
		messageWords[mbase + MessageField.id] = (message.extended ? (message.id | EXTENDED_BIT) : message.id) >>> 0;
		messageWords[mbase + MessageField.firstSignal] = s;
		messageWords[mbase + MessageField.signalCount] = signals.length;
		messageWords[mbase + MessageField.cycleTime] = usableCycleTime(message, options);
		messageWords[mbase + MessageField.timeout] = messageTimeout(message, options);
		messageWords[mbase + MessageField.length] = message.length;
		messageWords[mbase + MessageField.name] = strings.add(message.name);

		const idOf = new Map<string, number>();
		signals.forEach((signal, i) => idOf.set(signal.name, s + i));
		for (const signal of signals) {
			const base = s * SIGNAL_WORDS;
			const layout = signalLayout(signal);
			let flags = 0;
			if (signal.byteOrder === "little_endian")
				flags |= SignalFlag.littleEndian;
			if (signal.signed)
				flags |= SignalFlag.signed;
			if (signal.valueType === "float32")
				flags |= SignalFlag.float32;
			if (signal.valueType === "float64")
				flags |= SignalFlag.float64;
			if (signal.isMultiplexer)
				flags |= SignalFlag.isMultiplexer;
			signalWords[base + SignalField.message] = m;
			signalWords[base + SignalField.firstByte] = layout.firstByte;
			signalWords[base + SignalField.byteCount] = layout.byteCount;
			signalWords[base + SignalField.flags] = flags;
			signalWords[base + SignalField.shift] = layout.shift;
			signalWords[base + SignalField.length] = signal.length;
			signalWords[base + SignalField.name] = strings.add(signal.name);
			signalWords[base + SignalField.unit] = strings.add(signal.unit);

			const muxId = signal.multiplexerSignal ? idOf.get(signal.multiplexerSignal) : undefined;
			signalWords[base + SignalField.multiplexer] = muxId ?? -1;
			signalWords[base + SignalField.rangeFirst] = r;
			if (muxId !== undefined) {
				for (const [lo, hi] of signal.multiplexerRanges) {
					ranges[r * 2] = lo;
					ranges[r * 2 + 1] = hi;
					r++;
				}
			}
			signalWords[base + SignalField.rangeCount] = r - signalWords[base + SignalField.rangeFirst];

			signalWords[base + SignalField.choiceFirst] = c;
			for (const [value, name] of signal.choices ?? []) {
				choices[c * 2] = value;
				choices[c * 2 + 1] = strings.add(name);
				c++;
			}
			signalWords[base + SignalField.choiceCount] = c - signalWords[base + SignalField.choiceFirst];

			const sbase = s * SCALING_WORDS;
			scaling[sbase + Scaling.factor] = signal.factor;
			scaling[sbase + Scaling.offset] = signal.offset;
			scaling[sbase + Scaling.minimum] = signal.minimum;
			scaling[sbase + Scaling.maximum] = signal.maximum;
			s++;
		}
	});

	const stringBytes = strings.bytes();
	const align = (n: number) => (n + 7) & ~7;
	const messagesOffset = HEADER_WORDS * 4;
	const signalsOffset = align(messagesOffset + messageWords.byteLength);
	const scalingOffset = align(signalsOffset + signalWords.byteLength);
	const rangesOffset = align(scalingOffset + scaling.byteLength);
	const choicesOffset = align(rangesOffset + ranges.byteLength);
	const stringsOffset = align(choicesOffset + choices.byteLength);
	const totalBytes = align(stringsOffset + stringBytes.length);

	const buffer = new ArrayBuffer(totalBytes);
	const header = new Uint32Array(buffer, 0, HEADER_WORDS);
	header[Header.magic] = PLAN_MAGIC;
	header[Header.version] = PLAN_VERSION;
	header[Header.messageCount] = kept.length;
	header[Header.signalCount] = signalCount;
	header[Header.rangeCount] = rangeCount;
	header[Header.choiceCount] = choiceCount;
	header[Header.stringBytes] = stringBytes.length;
	header[Header.messagesOffset] = messagesOffset;
	header[Header.signalsOffset] = signalsOffset;
	header[Header.scalingOffset] = scalingOffset;
	header[Header.rangesOffset] = rangesOffset;
	header[Header.choicesOffset] = choicesOffset;
	header[Header.stringsOffset] = stringsOffset;
	header[Header.totalBytes] = totalBytes;
	new Uint32Array(buffer, messagesOffset, messageWords.length).set(messageWords);
	new Int32Array(buffer, signalsOffset, signalWords.length).set(signalWords);
	new Float64Array(buffer, scalingOffset, scaling.length).set(scaling);
	new Float64Array(buffer, rangesOffset, ranges.length).set(ranges);
	new Float64Array(buffer, choicesOffset, choices.length).set(choices);
	new Uint8Array(buffer, stringsOffset, stringBytes.length).set(stringBytes);

	return { buffer, messageCount: kept.length, signalCount, warnings };
}

/**
 * Orders a message's signals so that every multiplexer switch precedes the
 * signals it selects (nested switches included), keeping file order otherwise.
 */
function orderForDecoding(signals: DbcSignal[]): DbcSignal[] {
	const byName = new Map(signals.map(signal => [signal.name, signal]));
	const depth = new Map<DbcSignal, number>();
	const depthOf = (signal: DbcSignal, seen: Set<DbcSignal>): number => {
		const known = depth.get(signal);
		if (known !== undefined)
			return known;
		const parent = signal.multiplexerSignal ? byName.get(signal.multiplexerSignal) : undefined;
		// A cyclic switch (the parser leaves such signals out; a database built in code may not) leaves the signal at the top level.
		const d = parent && !seen.has(parent) ? depthOf(parent, seen.add(signal)) + 1 : 0;
		depth.set(signal, d);
		return d;
	};
	return signals
		.map((signal, index) => ({ signal, index, depth: depthOf(signal, new Set()) }))
		.sort((a, b) => a.depth - b.depth || a.index - b.index)
		.map(entry => entry.signal);
}

/** Deduplicated NUL-terminated UTF-8 strings; offset 0 is the empty string. The plan's and the vehicle profile's string sections. */
export class StringTable {
	private readonly offsets = new Map<string, number>([["", 0]]);
	/** Each string's UTF-8 bytes, in order; the NUL after each is the zero the table's buffer starts with. */
	private readonly chunks: Uint8Array[] = [];
	/** Offset 0 is the empty string: its NUL alone. */
	private size = 1;

	add(text: string): number {
		const known = this.offsets.get(text);
		if (known !== undefined)
			return known;
		const encoded = utf8.encode(text);
		const offset = this.size;
		this.chunks.push(encoded);
		this.size += encoded.length + 1;
		this.offsets.set(text, offset);
		return offset;
	}

	bytes(): Uint8Array {
		const out = new Uint8Array(this.size);
		let at = 1;
		for (const chunk of this.chunks) {
			out.set(chunk, at);
			at += chunk.length + 1;
		}
		return out;
	}
}

const utf8 = new TextEncoder();
