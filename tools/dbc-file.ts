/*
 * Reading DBC files for the command line. Every command that takes a DBC
 * (`dbc check`, `dbc compile`, `decode`, `profile check|compile`) reads it
 * here, with the same options:
 *   --strict           refuse what cantools loads only without strict (for
 *                      people who write DBC files); by default those are
 *                      warnings and the file loads as cantools loads it
 *   --encoding NAME    utf-8 or windows-1252 (cp1252, latin1); by default
 *                      the content says (modules/dbc/encoding.ts)
 * Node only.
 */
import { readFileSync } from "node:fs";
import { formatProblem, formatWarning, type DbcDatabase, type DbcProblem } from "../modules/dbc/database.js";
import { DBC_ENCODING_NAMES, dbcEncodingNamed, decodeDbcBytes, type DbcEncoding } from "../modules/dbc/encoding.js";
import { parseDbc } from "../modules/dbc/parser.js";
import { UsageError, cannotRead, checkInputPath } from "./usage.js";

/** The options of every command that reads a DBC file: spread into its `parseOptions` spec. */
export const DBC_OPTIONS = {
	strict: { type: "boolean" },
	encoding: { type: "string" },
} as const;

/** What `DBC_OPTIONS` parse into (a command's `values` will do). */
export interface DbcReadOptions {
	strict?: boolean;
	encoding?: string;
}

export interface DbcRead {
	database: DbcDatabase;
	/** Errors: the file is refused when there is one. */
	problems: DbcProblem[];
	/** What was tolerated, and what was done about it. */
	warnings: DbcProblem[];
	encoding: DbcEncoding;
}

/**
 * Reads and parses a DBC file, in the encoding `options.encoding` names or
 * the one its content shows.
 * @throws UsageError for an encoding it does not know; Error `cannot read
 *   PATH: why` when the file cannot be read.
 */
export function readDbc(path: string, options: DbcReadOptions = {}): DbcRead {
	let encoding: DbcEncoding | undefined;
	if (options.encoding !== undefined) {
		encoding = dbcEncodingNamed(options.encoding);
		if (!encoding)
			throw new UsageError(`--encoding must be one of ${DBC_ENCODING_NAMES.join(", ")}, not ${options.encoding}`);
	}
	let bytes: Uint8Array;
	checkInputPath(path); // a folder or a device: one clear line (reading /dev/zero would never end)
	try {
		bytes = readFileSync(path);
	}
	catch (error) {
		throw cannotRead(path, error);
	}
	const decoded = decodeDbcBytes(bytes, encoding);
	const { database, problems, warnings } = parseDbc(decoded.text, path, { strict: options.strict === true });
	if (decoded.invalidAt >= 0) {
		const before = decoded.text.slice(0, decoded.invalidAt);
		const line = before.split(/\r\n|\r|\n/).length;
		const col = decoded.invalidAt - Math.max(before.lastIndexOf("\n"), before.lastIndexOf("\r"));
		warnings.unshift({ file: path, line, col, message: `not valid ${decoded.encoding.toUpperCase()} (--encoding): such bytes read as U+FFFD` });
		warnings.sort((a, b) => a.line - b.line || a.col - b.col);
	}
	return { database, problems, warnings, encoding: decoded.encoding };
}

/**
 * Reads a DBC file for a command that goes on to use it: prints its warnings
 * and problems on `io.stderr` (`FILE:LINE:COL: ...`) and returns the
 * database, or undefined when the file has problems.
 * @throws as `readDbc`.
 */
export function loadDbc(path: string, io: { stderr: (text: string) => void }, options: DbcReadOptions = {}): DbcDatabase | undefined {
	const { database, problems, warnings } = readDbc(path, options);
	for (const warning of warnings)
		io.stderr(formatWarning(warning) + "\n");
	for (const problem of problems)
		io.stderr(formatProblem(problem) + "\n");
	return problems.length ? undefined : database;
}
