/*
 * Reading DBC files for the command line. Node only.
 */
import { readFileSync } from "node:fs";
import type { DbcDatabase, DbcProblem } from "../modules/dbc/database.js";
import { parseDbc } from "../modules/dbc/parser.js";
import { cannotRead } from "./usage.js";

/**
 * Reads and parses a DBC file. DBC files are written by Windows tools in
 * cp1252 more often than UTF-8; like cantools, read them as single-byte text
 * so no file is refused for its encoding.
 * @throws Error `cannot read PATH: why` when the file cannot be read.
 */
export function readDbc(path: string): { database: DbcDatabase; problems: DbcProblem[]; warnings: DbcProblem[] } {
	let text: string;
	try {
		text = readFileSync(path, "latin1");
	}
	catch (error) {
		throw cannotRead(path, error);
	}
	return parseDbc(text, path);
}
