/*
 * Command-line plumbing shared by every xs-cluster command. Node only.
 */
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** A mistake in how the command was called (exit status 2), as opposed to bad input data (1). */
export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "UsageError";
	}
}

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** node:util parseArgs with positionals allowed and its errors as short usage errors. */
export function parseOptions<const O extends OptionSpec>(args: string[], options: O) {
	try {
		return parseArgs({ args, options, allowPositionals: true });
	}
	catch (error) {
		const message = (error as Error).message;
		const unknown = /^Unknown option '([^']*)'/.exec(message);
		throw new UsageError(unknown ? `unknown option ${unknown[1]}` : message.replace(/^./, c => c.toLowerCase()));
	}
}

const ERRNO_TEXT: Record<string, string> = {
	ENOENT: "no such file",
	EISDIR: "is a folder, not a file",
	EACCES: "permission denied",
	ENOTDIR: "a part of the path is not a folder",
};

/** `cannot read PATH: why`, for an input file that could not be read (exit status 1, like other bad input). */
export function cannotRead(path: string, error: unknown): Error {
	const code = (error as NodeJS.ErrnoException).code;
	return new Error(`cannot read ${path}: ${code ? ERRNO_TEXT[code] ?? code : String(error)}`);
}

/** `cannot write PATH: why`, for an output file that could not be written (exit status 1). */
export function cannotWrite(path: string, error: unknown): Error {
	const code = (error as NodeJS.ErrnoException).code;
	// Writing, a missing path is a missing folder.
	const why = code === "ENOENT" ? "no such folder" : code ? ERRNO_TEXT[code] ?? code : String(error);
	return new Error(`cannot write ${path}: ${why}`);
}

/** Writes a command's output file. @throws `cannotWrite`'s Error when it cannot. */
export function writeOutput(path: string, bytes: Uint8Array): void {
	try {
		writeFileSync(path, bytes);
	}
	catch (error) {
		throw cannotWrite(path, error);
	}
}

/** The one positional argument a command takes. @throws UsageError for none or several. */
export function onePositional(positionals: string[], what: string): string {
	if (positionals.length !== 1)
		throw new UsageError(positionals.length ? `expected one ${what}, got ${positionals.length}` : `missing ${what}`);
	return positionals[0];
}
