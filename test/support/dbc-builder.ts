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
