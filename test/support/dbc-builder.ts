/*
 * Builds DbcDatabase values in code, so decoder tests do not depend on the
 * DBC text parser.
 */
import type { DbcDatabase, DbcMessage, DbcSignal } from "../../modules/dbc/database.js";

export function signal(fields: Partial<DbcSignal> & Pick<DbcSignal, "name" | "startBit" | "length">): DbcSignal {
	return {
		byteOrder: "little_endian",
		signed: false,
		valueType: "integer",
		factor: 1,
		offset: 0,
		minimum: 0,
		maximum: 0,
		unit: "",
		receivers: [],
		isMultiplexer: false,
		multiplexerSignal: null,
		multiplexerRanges: [],
		choices: null,
		comment: null,
		location: { line: 1, col: 1 },
		...fields,
	};
}

export function message(fields: Partial<DbcMessage> & Pick<DbcMessage, "id" | "name" | "signals">): DbcMessage {
	return {
		extended: false,
		length: 8,
		sender: "",
		comment: null,
		cycleTime: null,
		attributes: new Map(),
		location: { line: 1, col: 1 },
		...fields,
	};
}

export function database(messages: DbcMessage[]): DbcDatabase {
	return { file: "test.dbc", version: "", nodes: [], messages, valueTables: new Map() };
}

/** The DBC start bit of a Motorola signal whose MSB sits at `msb` in the big-endian bit stream (bit 7 of byte 0 is 0). */
export function motorolaStartBit(msb: number): number {
	return (msb >> 3) * 8 + 7 - (msb & 7);
}

/**
 * A random signal that fits in 8 bytes: either byte order, length 1..64,
 * signed or not; `floats` is the share of float32 signals and of float64
 * ones; `scaled` adds a factor of 1 or 0.1 and an offset of 0 or -40.
 */
export function randomSignal(random: () => number, name: string, options: { floats?: number; scaled?: boolean } = {}): DbcSignal {
	const floats = options.floats ?? 0.05;
	const byteOrder = random() < 0.5 ? "little_endian" : "big_endian";
	const kind = random();
	const valueType = kind < floats ? "float32" : kind < 2 * floats ? "float64" : "integer";
	const length = valueType === "float32" ? 32 : valueType === "float64" ? 64 : 1 + Math.floor(random() * 64);
	const position = Math.floor(random() * (64 - length + 1));
	const startBit = byteOrder === "little_endian" ? position : motorolaStartBit(position);
	const signed = valueType === "integer" && random() < 0.5;
	if (!options.scaled)
		return signal({ name, startBit, length, byteOrder, valueType, signed });
	return signal({ name, startBit, length, byteOrder, valueType, signed, factor: random() < 0.5 ? 1 : 0.1, offset: random() < 0.5 ? 0 : -40 });
}
