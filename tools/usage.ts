/*
 * Command-line plumbing shared by every xs-cluster command. Node only.
 */
import { fstatSync, statSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";

/** A mistake in how the command was called (exit status 2), as opposed to bad input data (1). */
export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "UsageError";
	}
}

/**
 * Input data a command cannot use (a log in no known format, a JSON file that
 * does not parse): the message names the place, `FILE:LINE:COL: why` where
 * there is one. Exit status 1, one line.
 */
export class InputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "InputError";
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

/** `1 frame`, `2 frames`: a count with its noun in the right number. */
export function plural(count: number, singular: string, pluralForm = singular + "s"): string {
	return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * A CAN id as candump writes it, the one id style of every command: upper-case
 * hex, 3 digits for a standard id, 8 for an extended one (`1C4`, `18FEF100`).
 */
export function formatCanId(id: number, extended: boolean): string {
	return id.toString(16).toUpperCase().padStart(extended ? 8 : 3, "0");
}

/** A failure to write standard output (the reader went away, the disk is full). Exit status 1. */
export class OutputError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "OutputError";
	}
}

const OUTPUT_ERRNO_TEXT: Record<string, string> = {
	EPIPE: "the reader closed the pipe",
	ENOSPC: "no space left on the device",
	EDQUOT: "disk quota exceeded",
	EIO: "input/output error",
	EFBIG: "the file is too large",
};

/** `cannot write standard output: why`, for a write error on standard output. */
export function outputError(error: unknown): OutputError {
	const code = (error as NodeJS.ErrnoException).code;
	const why = code ? `${OUTPUT_ERRNO_TEXT[code] ?? "error"} (${code})` : String(error);
	return new OutputError(`cannot write standard output: ${why}`);
}

/**
 * Where a command expects a file to read: one clear line for a folder or a
 * device (reading /dev/zero would never end, a folder fails with a raw EISDIR).
 * Pipes and the standard streams' aliases (/dev/stdin, /dev/fd/N, a process
 * substitution) are read like files. A missing path is left to the reader.
 * @throws Error `cannot read PATH: why` (exit status 1).
 */
export function checkInputPath(path: string): void {
	let stats;
	try {
		stats = statSync(path);
	}
	catch {
		return; // the open that follows names the problem
	}
	if (stats.isDirectory())
		throw new Error(`cannot read ${path}: is a folder, not a file`);
	const alias = /^\/(dev\/(stdin|fd\/\d+)|proc\/self\/fd\/\d+)$/.test(path);
	if ((stats.isCharacterDevice() || stats.isBlockDevice()) && !alias)
		throw new Error(`cannot read ${path}: is a device, not a file (give a file, or - for standard input)`);
}

/** Whether `path` (or "-" for standard input) names a regular file: input that is read whole, not live. */
export function isRegularFile(path: string): boolean {
	try {
		return path === "-" ? fstatSync(0).isFile() : statSync(path).isFile();
	}
	catch {
		return false;
	}
}
