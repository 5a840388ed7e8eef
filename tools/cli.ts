/*
 * The `xs-cluster` command line. Node only.
 *
 *   xs-cluster dbc check|dump FILE.dbc
 *   xs-cluster dbc compile FILE.dbc -o PLAN.bin [--messages A,B]
 *   xs-cluster decode --dbc FILE.dbc [--format jsonl|csv] [--choices] [filters] LOG|-
 *   xs-cluster stats [--json] LOG|-
 *   xs-cluster convert IN OUT
 *   xs-cluster serve LOG [--rate 1x|max|N] [--loop] [--port N]
 *   xs-cluster profile check|compile [--dbc FILE.dbc] PROFILE.json [-o CAR.vehicle]
 *   xs-cluster profile show CAR.vehicle
 *   xs-cluster pack keygen|build|verify ... (tools/pack.ts), pack send ... (tools/pack-send.ts)
 * and `--help` after any of them (tools/help.ts).
 *
 * Exit status: 0 success, 1 bad input (a DBC with problems, an unreadable
 * log, a log with no frame) or an output that cannot be written, 2 a usage
 * mistake. Errors are one line each, never a stack trace.
 */
import { fstatSync, writeSync } from "node:fs";
import { compilePlan } from "../modules/dbc/compile.js";
import { formatProblem, type DbcProblem } from "../modules/dbc/database.js";
import { DBC_OPTIONS, loadDbc, readDbc } from "./dbc-file.js";
import { COMMAND_HELP, MAIN_HELP, VERSION, helpFor } from "./help.js";
import { InputError, OutputError, UsageError, cannotRead, onePositional, outputError, parseOptions, plural, writeOutput } from "./usage.js";

export interface Io {
	/** May return a promise that settles when the reader is ready for more. @throws OutputError once a write has failed. */
	stdout: (text: string) => void | Promise<void>;
	/** The same for bytes (UTF-8), done with them when it returns; absent, commands write text. */
	stdoutBytes?: (bytes: Uint8Array) => void | Promise<void>;
	stderr: (text: string) => void;
	/** Whether standard output is a regular file (output may then be gathered into large writes); absent means no. */
	stdoutIsFile?: () => boolean;
	/** Resolves when everything written has reached standard output. @throws OutputError when some of it could not be written. */
	flush?: () => Promise<void>;
	/** Standard output's size when it is a terminal, else undefined (absent: not a terminal). */
	terminal?: () => { columns: number; rows: number } | undefined;
}

/**
 * Standard output of the process. Node reports a failed write (EPIPE from a
 * reader that went away, ENOSPC from `> /dev/full`) after the write returned,
 * as an 'error' event: remember it, and fail the next write or the final
 * flush with one OutputError, so the command stops reading and exits 1 with
 * one line instead of a stack trace.
 */
function processStdout(): Pick<Io, "stdout" | "stdoutBytes" | "stdoutIsFile" | "flush" | "terminal"> {
	let failed: OutputError | null = null;
	const fail = (error: Error | null | undefined) => {
		if (error && !failed)
			failed = outputError(error);
	};
	process.stdout.on("error", fail);
	// Into a regular file, write straight to the descriptor: Node's stream
	// would copy each write into a new Buffer, freed only when the garbage
	// collector runs (tens of megabytes on a large decode).
	let toFile: boolean | undefined;
	const isFile = () => {
		try {
			return fstatSync(1).isFile();
		}
		catch {
			return false;
		}
	};
	const write = (output: string | Uint8Array) => {
		if (failed)
			throw failed;
		if (toFile ??= isFile()) {
			try {
				if (typeof output === "string")
					writeSync(1, output);
				else
					for (let at = 0; at < output.length;)
						at += writeSync(1, output, at);
			}
			catch (error) {
				throw failed = outputError(error);
			}
			return;
		}
		// The stream keeps what it is given until written: bytes are copied, as the caller uses its buffer again.
		if (!process.stdout.write(typeof output === "string" ? output : Buffer.from(output), fail))
			// Resolves (never rejects: a caller may not await it) when the reader
			// caught up or the stream failed; the next write or flush then throws.
			return new Promise<void>(resolve => {
				const done = () => {
					process.stdout.off("drain", done).off("error", done).off("close", done);
					resolve();
				};
				process.stdout.on("drain", done).on("error", done).on("close", done);
			});
	};
	return {
		stdout: write,
		stdoutBytes: write,
		terminal: () => process.stdout.isTTY ? { columns: process.stdout.columns || 80, rows: process.stdout.rows || 24 } : undefined,
		stdoutIsFile: () => toFile ??= isFile(),
		flush: () => new Promise((resolve, reject) => {
			const settle = () => failed ? reject(failed) : resolve();
			if (failed || process.stdout.destroyed)
				return settle();
			process.stdout.write("", error => {
				fail(error);
				settle();
			});
		}),
	};
}

let processIo: Io | undefined;

/** Runs the command line; resolves to the exit status. Without `io`, on the process's standard streams. */
export async function main(argv: string[], io?: Io): Promise<number> {
	io ??= processIo ??= { ...processStdout(), stderr: text => { process.stderr.write(text); } };
	try {
		const status = await run(argv, io);
		await io.flush?.();
		return status;
	}
	catch (error) {
		return reportError(error, io);
	}
}

/** The words of the command being run, for a usage mistake's hint. */
let commandWords: string[] = [];

/**
 * What every command's failure looks like: one line on standard error and an
 * exit status (2 for a usage mistake, 1 for bad input or output that cannot
 * be written), never a stack trace.
 */
export function reportError(error: unknown, io: Io): number {
	if (error instanceof UsageError) {
		const help = helpFor(commandWords) ? `xs-cluster ${commandWords.slice(0, COMMAND_HELP[commandWords.slice(0, 2).join(" ")] ? 2 : 1).join(" ")} --help` : "xs-cluster --help";
		io.stderr(`xs-cluster: ${error.message}\nRun '${help}' for usage.\n`);
		return 2;
	}
	if (error instanceof InputError || error instanceof OutputError) {
		io.stderr(`xs-cluster: ${error.message}\n`);
		return 1;
	}
	const err = error as NodeJS.ErrnoException;
	if (err.code && err.path) {
		io.stderr(`xs-cluster: ${cannotRead(err.path, err).message}\n`);
		return 1;
	}
	if (err.code === "EPIPE" || err.code === "ENOSPC")
		io.stderr(`xs-cluster: ${outputError(err).message}\n`);
	else
		io.stderr(`xs-cluster: ${err.message ?? String(error)}\n`);
	return 1;
}

/** `--help` or `-h` among a command's arguments (before a `--`). */
function asksForHelp(args: string[]): boolean {
	for (const arg of args) {
		if (arg === "--")
			return false;
		if (arg === "--help" || arg === "-h")
			return true;
	}
	return false;
}

const SUBCOMMANDS: Record<string, string[]> = {
	dbc: ["check", "dump", "compile"],
	profile: ["check", "compile", "show"],
	pack: ["keygen", "build", "verify", "send"],
};

async function run(argv: string[], io: Io): Promise<number> {
	const [command, ...rest] = argv;
	commandWords = [];
	if (command === undefined || command === "-h" || command === "--help") {
		await io.stdout(MAIN_HELP);
		return command === undefined ? 2 : 0;
	}
	if (command === "help") {
		const text = rest.length ? helpFor(rest) : MAIN_HELP;
		if (!text)
			throw new UsageError(`no help for '${rest.join(" ")}': not a command`);
		await io.stdout(text);
		return 0;
	}
	if (command === "--version") {
		await io.stdout(`${VERSION}\n`);
		return 0;
	}
	const subcommands = SUBCOMMANDS[command];
	const words = subcommands && subcommands.includes(rest[0]) ? [command, rest[0]] : [command];
	commandWords = words;
	if (COMMAND_HELP[command] && asksForHelp(rest)) {
		await io.stdout(helpFor(words)!);
		return 0;
	}
	const args = rest.slice(words.length - 1);
	if (subcommands && words.length === 1) {
		const sub = rest[0];
		throw new UsageError(sub ? `unknown ${command} command '${sub}' (${subcommands.join(", ")})` : `${command} needs a command: ${subcommands.slice(0, -1).join(", ")} or ${subcommands.at(-1)}`);
	}
	// The commands that need more than the DBC reader are loaded when asked
	// for: each module loaded is resident memory (decode of a large log stays
	// within the 64 MB that bench's end-to-end row checks).
	switch (words.join(" ")) {
		case "dbc check": return dbcCheck(args, io);
		case "dbc dump": return (await import("./dbc-dump.js")).dumpCommand(args, io);
		case "dbc compile": return dbcCompile(args, io);
		case "decode": return (await import("./decode.js")).decodeCommand(args, io);
		case "stats": return (await import("./stats.js")).statsCommand(args, io);
		case "convert": return (await import("./convert.js")).convertCommand(args, io);
		case "plot": return (await import("./plot.js")).plotCommand(args, io);
		case "monitor": return (await import("./monitor.js")).monitorCommand(args, io);
		case "serve": return (await import("./serve.js")).serveCommand(args, io);
		case "profile check": return (await import("./profile.js")).profileCommand("check", args, io);
		case "profile compile": return (await import("./profile.js")).profileCommand("compile", args, io);
		case "profile show": return (await import("./profile.js")).profileShowCommand(args, io);
		case "pack keygen": return (await import("./pack.js")).packCommand("keygen", args, io);
		case "pack build": return (await import("./pack.js")).packCommand("build", args, io);
		case "pack verify": return (await import("./pack.js")).packCommand("verify", args, io);
		case "pack send": return (await import("./pack-send.js")).packSend(args, io);
	}
	commandWords = [];
	throw new UsageError(`unknown command '${command}'`);
}

function dbcCheck(args: string[], io: Io): number {
	const { values, positionals } = parseOptions(args, DBC_OPTIONS);
	const path = onePositional(positionals, "DBC file");
	const { database, problems, warnings } = readDbc(path, values);
	for (const warning of warnings)
		io.stderr(formatWarning(warning) + "\n");
	if (problems.length) {
		for (const problem of problems)
		io.stderr(formatProblem(problem) + "\n");
		io.stderr(`${path}: ${plural(problems.length, "problem")}\n`);
		return 1;
	}
	const signals = database.messages.reduce((n, m) => n + m.signals.length, 0);
	const warned = warnings.length ? ` (${plural(warnings.length, "warning")})` : "";
	io.stdout(`${path}: ok, ${plural(database.messages.length, "message")}, ${plural(signals, "signal")}, ${plural(database.nodes.length, "node")}${warned}\n`);
	return 0;
}

function dbcCompile(args: string[], io: Io): number {
	const { values, positionals } = parseOptions(args, {
		...DBC_OPTIONS,
		output: { type: "string", short: "o" },
		messages: { type: "string" },
	});
	const path = onePositional(positionals, "DBC file");
	if (!values.output)
		throw new UsageError("dbc compile needs -o PLAN.bin");
	const database = loadDbc(path, io, values);
	if (!database)
		return 1;
	const messages = values.messages?.split(",").map(name => name.trim()).filter(Boolean);
	const plan = compilePlan(database, { messages });
	for (const warning of plan.warnings)
		io.stderr(`warning: ${warning}\n`);
	writeOutput(values.output, new Uint8Array(plan.buffer));
	io.stdout(`${values.output}: ${plural(plan.messageCount, "message")}, ${plural(plan.signalCount, "signal")}, ${plural(plan.buffer.byteLength, "byte")}\n`);
	return 0;
}

/** A warning in the same shape as a problem, marked so tools and editors tell them apart. */
function formatWarning(warning: DbcProblem): string {
	return `${warning.file}:${warning.line}:${warning.col}: warning: ${warning.message}`;
}

