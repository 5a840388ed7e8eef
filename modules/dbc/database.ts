/*
 * What a DBC file says, as plain data: the output of `parseDbc` and the input
 * of the plan compiler. Host side (Node); nothing here runs on the device.
 *
 * Semantics follow cantools, the reference decoder: start bits as written in
 * the file (Motorola signals give their most significant bit in DBC's sawtooth
 * numbering), raw values scaled as `raw * factor + offset`.
 */

/** Where something stands in a DBC file; line and column are 1-based. */
export interface DbcLocation {
	line: number;
	col: number;
}

export type ByteOrder = "little_endian" | "big_endian";
export type SignalValueType = "integer" | "float32" | "float64";

/** A value table: raw value to its name (`VAL_`, `VAL_TABLE_`). */
export type Choices = Map<number, string>;

export interface DbcSignal {
	name: string;
	/** Start bit as written: the LSB for Intel (`@1`), the MSB for Motorola (`@0`). */
	startBit: number;
	length: number;
	byteOrder: ByteOrder;
	signed: boolean;
	/** `integer`, or IEEE float from `SIG_VALTYPE_` (1 = float32, 2 = float64). */
	valueType: SignalValueType;
	factor: number;
	offset: number;
	minimum: number;
	maximum: number;
	unit: string;
	receivers: string[];
	/** True for a multiplexer switch (`M`, or `mNM` in extended multiplexing). */
	isMultiplexer: boolean;
	/**
	 * The switch this signal depends on, or null when it is always present.
	 * Simple multiplexing (`mN`) names the message's only `M` signal here;
	 * `SG_MUL_VAL_` names it explicitly.
	 */
	multiplexerSignal: string | null;
	/** Inclusive raw ranges of the switch that select this signal (`mN` gives [[N, N]]). */
	multiplexerRanges: Array<[number, number]>;
	choices: Choices | null;
	comment: string | null;
	location: DbcLocation;
}

export interface DbcMessage {
	/** Identifier without the extended flag (bit 31 of the DBC id is removed). */
	id: number;
	extended: boolean;
	name: string;
	/** DLC in bytes as declared. */
	length: number;
	sender: string;
	signals: DbcSignal[];
	comment: string | null;
	/**
	 * `GenMsgCycleTime` in ms (BA_, else BA_DEF_DEF_), or null when absent, 0,
	 * or refused as nonsense (below zero, over an hour: the parser warns).
	 */
	cycleTime: number | null;
	/** Every BA_ of the message, by attribute name. */
	attributes: Map<string, number | string>;
	location: DbcLocation;
}

export interface DbcDatabase {
	/** The file name used in messages. */
	file: string;
	version: string;
	nodes: string[];
	/** Messages in file order, without the pseudo message VECTOR__INDEPENDENT_SIG_MSG. */
	messages: DbcMessage[];
	/** Named tables from VAL_TABLE_. */
	valueTables: Map<string, Choices>;
}

/** One problem found in a DBC file. */
export interface DbcProblem {
	file: string;
	line: number;
	col: number;
	message: string;
}

/** Formats a problem the way compilers do: `file:line:col: message`. */
export function formatProblem(problem: DbcProblem): string {
	return `${problem.file}:${problem.line}:${problem.col}: ${problem.message}`;
}

/** Formats a warning like a problem, marked so that tools and editors tell them apart: `file:line:col: warning: message`. */
export function formatWarning(warning: DbcProblem): string {
	return `${warning.file}:${warning.line}:${warning.col}: warning: ${warning.message}`;
}

/** Thrown by `parseDbcOrThrow`; carries every problem found, not just the first. */
export class DbcError extends Error {
	readonly problems: DbcProblem[];
	constructor(problems: DbcProblem[]) {
		super(problems.map(formatProblem).join("\n"));
		this.name = "DbcError";
		this.problems = problems;
	}
}
