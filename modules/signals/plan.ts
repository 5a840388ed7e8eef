/*
 * DecodePlan: a DBC compiled into flat tables the decoder executes.
 *
 * The device never parses DBC text. The host compiles a DBC (or the subset a
 * vehicle profile needs) into one binary blob, `modules/dbc/compile.ts` writes
 * it, and this module reads it: typed-array views straight over the blob, so a
 * plan stored as a Moddable resource stays in flash and costs no RAM beyond the
 * id lookup tables built at load. Runs on XS and Node.
 *
 * Layout (little-endian, every section 8-byte aligned):
 *   header     HEADER_WORDS x u32   magic, version, counts, section offsets
 *   messages   MESSAGE_WORDS x u32 per message
 *   signals    SIGNAL_WORDS x i32 per signal: where the bits are and how to read them
 *   scaling    SCALING_WORDS x f64 per signal: factor, offset, minimum, maximum
 *   ranges     2 x f64 per range: inclusive raw multiplexer ranges
 *   choices    2 x f64 per choice: raw value, name string offset
 *   strings    UTF-8, each NUL-terminated
 *
 * Signals of a message are consecutive and ordered so that a multiplexer switch
 * comes before every signal it selects, which lets the decoder settle
 * multiplexing in one pass.
 */

export const PLAN_MAGIC = 0x50435358; // "XSCP"
export const PLAN_VERSION = 1;

export const HEADER_WORDS = 16;
export const Header = Object.freeze({
	magic: 0, version: 1,
	messageCount: 2, signalCount: 3, rangeCount: 4, choiceCount: 5, stringBytes: 6,
	messagesOffset: 7, signalsOffset: 8, scalingOffset: 9, rangesOffset: 10, choicesOffset: 11, stringsOffset: 12,
	totalBytes: 13,
});

export const MESSAGE_WORDS = 8;
export const MessageField = Object.freeze({
	/** CAN id, with bit 31 set for a 29-bit id. */
	id: 0,
	firstSignal: 1,
	signalCount: 2,
	/** GenMsgCycleTime in ms, 0 when the DBC has none. */
	cycleTime: 3,
	/** How long the message's signals stay fresh, ms. */
	timeout: 4,
	/** Declared length in bytes. */
	length: 5,
	name: 6,
	flags: 7,
});
export const EXTENDED_BIT = 0x80000000;

export const SIGNAL_WORDS = 13;
export const SignalField = Object.freeze({
	message: 0,
	/** First byte read, in accumulation order (lowest byte for Intel, highest for Motorola). */
	firstByte: 1,
	/** Bytes spanned, 1..8. */
	byteCount: 2,
	flags: 3,
	/** Right shift that drops the bits below the signal after accumulation, 0..7. */
	shift: 4,
	/** Length in bits, 1..64. */
	length: 5,
	/** Global id of the switch selecting this signal, or -1. */
	multiplexer: 6,
	rangeFirst: 7,
	rangeCount: 8,
	name: 9,
	unit: 10,
	choiceFirst: 11,
	choiceCount: 12,
});
export const SignalFlag = Object.freeze({
	littleEndian: 1,
	signed: 2,
	float32: 4,
	float64: 8,
	isMultiplexer: 16,
});

export const SCALING_WORDS = 4;
export const Scaling = Object.freeze({ factor: 0, offset: 1, minimum: 2, maximum: 3 });

/** Thrown when a blob is not a plan this build can read. */
export class PlanFormatError extends Error {
	// A field, defined on the instance: assigning `this.name` throws on XS, whose
	// preloaded intrinsics are frozen (Error.prototype.name is then read-only).
	override name = "PlanFormatError";
}

const NOT_FOUND = -1;

export class DecodePlan {
	readonly messageCount: number;
	readonly signalCount: number;
	readonly messages: Uint32Array;
	readonly signals: Int32Array;
	readonly scaling: Float64Array;
	readonly ranges: Float64Array;
	readonly choices: Float64Array;
	private readonly strings: Uint8Array;
	/**
	 * Message index + 1 for each 11-bit id; 0 means unknown. Public so that the
	 * decoder's hot path reads it without a method call (about 650 x86
	 * instructions on XS); treat it as read-only.
	 */
	readonly standardIndex: Uint16Array;
	/** Open-addressing table for 29-bit ids: keys (id + 1) and message indexes. */
	private readonly extendedKeys: Uint32Array;
	private readonly extendedValues: Int32Array;
	private readonly extendedMask: number;

	/**
	 * Reads a plan from `buffer` (an ArrayBuffer or a Moddable host buffer from
	 * flash) without copying it. Allocates the id tables: 4 KiB plus 8 bytes per
	 * extended message slot.
	 * @throws PlanFormatError when the blob is not a plan of this version.
	 */
	constructor(buffer: ArrayBufferLike) {
		if (buffer.byteLength < HEADER_WORDS * 4)
			throw new PlanFormatError("decode plan: too short for a header");
		const header = new Uint32Array(buffer, 0, HEADER_WORDS);
		if (header[Header.magic] !== PLAN_MAGIC)
			throw new PlanFormatError("decode plan: bad magic (not a compiled xs-cluster plan)");
		if (header[Header.version] !== PLAN_VERSION)
			throw new PlanFormatError(`decode plan: version ${header[Header.version]}, this build reads ${PLAN_VERSION}`);
		if (header[Header.totalBytes] !== buffer.byteLength)
			throw new PlanFormatError(`decode plan: ${buffer.byteLength} bytes, header says ${header[Header.totalBytes]}`);
		const messageCount = this.messageCount = header[Header.messageCount];
		const signalCount = this.signalCount = header[Header.signalCount];
		this.messages = new Uint32Array(buffer, header[Header.messagesOffset], messageCount * MESSAGE_WORDS);
		this.signals = new Int32Array(buffer, header[Header.signalsOffset], signalCount * SIGNAL_WORDS);
		this.scaling = new Float64Array(buffer, header[Header.scalingOffset], signalCount * SCALING_WORDS);
		this.ranges = new Float64Array(buffer, header[Header.rangesOffset], header[Header.rangeCount] * 2);
		this.choices = new Float64Array(buffer, header[Header.choicesOffset], header[Header.choiceCount] * 2);
		this.strings = new Uint8Array(buffer, header[Header.stringsOffset], header[Header.stringBytes]);

		this.standardIndex = new Uint16Array(0x800);
		let extendedCount = 0;
		// Stryker disable next-line EqualityOperator: the message past the last reads as undefined, which has no extended bit, so the count is the same
		for (let m = 0; m < messageCount; m++)
			// Stryker disable next-line ConditionalExpression,ArithmeticOperator: counting more messages only makes the id table larger (same lookups); the field is word 0 of its record, so minus 0 is plus 0
			if (this.messages[m * MESSAGE_WORDS + MessageField.id] & EXTENDED_BIT)
				extendedCount++;
		let size = 4;
		// Stryker disable next-line EqualityOperator: a table twice as large holds the same ids; only memory differs
		while (size < extendedCount * 2)
			size <<= 1;
		this.extendedKeys = new Uint32Array(size);
		this.extendedValues = new Int32Array(size);
		this.extendedMask = size - 1;
		for (let m = 0; m < messageCount; m++) {
			// Stryker disable next-line ArithmeticOperator: the field is word 0 of its record, so minus 0 is plus 0
			const word = this.messages[m * MESSAGE_WORDS + MessageField.id];
			if (word & EXTENDED_BIT) {
				const id = (word & 0x1FFFFFFF) >>> 0;
				let slot = hashId(id) & this.extendedMask;
				while (this.extendedKeys[slot] !== 0)
					slot = (slot + 1) & this.extendedMask;
				this.extendedKeys[slot] = id + 1;
				this.extendedValues[slot] = m;
			}
			else
				this.standardIndex[word & 0x7FF] = m + 1;
		}
	}

	/** Message index for a CAN id, or -1. O(1), no allocation. */
	findMessage(id: number, extended: boolean): number {
		if (!extended)
			return id <= 0x7FF ? this.standardIndex[id] - 1 : NOT_FOUND;
		const key = id + 1;
		const keys = this.extendedKeys, mask = this.extendedMask;
		let slot = hashId(id) & mask;
		for (;;) {
			const found = keys[slot];
			if (found === key)
				return this.extendedValues[slot];
			if (found === 0)
				return NOT_FOUND;
			slot = (slot + 1) & mask;
		}
	}

	/* Names and metadata: for tools, diagnostics and profile binding, not the hot path. Each allocates a string. */

	messageName(message: number): string {
		return this.string(this.messages[message * MESSAGE_WORDS + MessageField.name]);
	}
	messageId(message: number): number {
		// Stryker disable next-line ArithmeticOperator: the field is word 0 of its record, so minus 0 is plus 0 (message / MESSAGE_WORDS is killed in test/plan.test.ts too, but shares the mutator)
		return (this.messages[message * MESSAGE_WORDS + MessageField.id] & 0x1FFFFFFF) >>> 0;
	}
	messageExtended(message: number): boolean {
		// Stryker disable next-line ArithmeticOperator: the field is word 0 of its record, so minus 0 is plus 0 (message / MESSAGE_WORDS is killed in test/plan.test.ts too, but shares the mutator)
		return (this.messages[message * MESSAGE_WORDS + MessageField.id] & EXTENDED_BIT) !== 0;
	}
	messageTimeout(message: number): number {
		return this.messages[message * MESSAGE_WORDS + MessageField.timeout];
	}
	firstSignal(message: number): number {
		return this.messages[message * MESSAGE_WORDS + MessageField.firstSignal];
	}
	signalCountOf(message: number): number {
		return this.messages[message * MESSAGE_WORDS + MessageField.signalCount];
	}
	signalName(signal: number): string {
		return this.string(this.signals[signal * SIGNAL_WORDS + SignalField.name]);
	}
	signalUnit(signal: number): string {
		return this.string(this.signals[signal * SIGNAL_WORDS + SignalField.unit]);
	}
	signalMessage(signal: number): number {
		// Stryker disable next-line ArithmeticOperator: the field is word 0 of its record, so minus 0 is plus 0 (signal / SIGNAL_WORDS is killed in test/plan.test.ts too, but shares the mutator)
		return this.signals[signal * SIGNAL_WORDS + SignalField.message];
	}

	/** Global id of `message`'s signal called `name`, or -1. */
	findSignal(message: number, name: string): number {
		const first = this.firstSignal(message), end = first + this.signalCountOf(message);
		for (let s = first; s < end; s++)
			if (this.signalName(s) === name)
				return s;
		return NOT_FOUND;
	}

	/** Index of the message called `name`, or -1. */
	findMessageByName(name: string): number {
		for (let m = 0; m < this.messageCount; m++)
			if (this.messageName(m) === name)
				return m;
		return NOT_FOUND;
	}

	/** The value-table name of a raw value, or undefined. */
	choiceName(signal: number, raw: number): string | undefined {
		const base = signal * SIGNAL_WORDS;
		const first = this.signals[base + SignalField.choiceFirst];
		const end = first + this.signals[base + SignalField.choiceCount];
		for (let c = first; c < end; c++)
			if (this.choices[c * 2] === raw)
				return this.string(this.choices[c * 2 + 1]);
		return undefined;
	}

	/** Reads the NUL-terminated UTF-8 string at `offset`. Allocates the string. */
	string(offset: number): string {
		const bytes = this.strings;
		let result = "";
		let i = offset;
		while (i < bytes.length && bytes[i] !== 0) {
			const b = bytes[i++];
			let code: number;
			if (b < 0x80)
				code = b;
			else if (b < 0xE0)
				code = ((b & 0x1F) << 6) | (bytes[i++] & 0x3F);
			else if (b < 0xF0) {
				code = ((b & 0x0F) << 12) | ((bytes[i] & 0x3F) << 6) | (bytes[i + 1] & 0x3F);
				i += 2;
			}
			else {
				code = ((b & 0x07) << 18) | ((bytes[i] & 0x3F) << 12) | ((bytes[i + 1] & 0x3F) << 6) | (bytes[i + 2] & 0x3F);
				i += 3;
			}
			result += String.fromCodePoint(code);
		}
		return result;
	}
}

// Stryker disable next-line BlockStatement: a hash of undefined is slot 0 for every id; linear probing then still finds each one (only slower)
function hashId(id: number): number {
	return Math.imul(id, 0x9E3779B1) >>> 16;
}
