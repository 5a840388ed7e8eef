/*
 * The `xs-cluster` command line. Node only.
 *
 *   xs-cluster dbc check FILE.dbc
 *   xs-cluster dbc compile FILE.dbc -o PLAN.bin [--messages A,B]
 *   xs-cluster decode --dbc FILE.dbc [--format jsonl|csv] [--choices] [--input-format F] LOG|-
 *   xs-cluster stats [--json] LOG
 *   xs-cluster serve LOG [--rate 1x|max|N] [--loop] [--port N]
 *   xs-cluster profile check|compile [--dbc FILE.dbc] PROFILE.json [-o CAR.vehicle]
 *   xs-cluster profile show CAR.vehicle
 *
 * Exit status: 0 success, 1 bad input (a DBC with problems, an unreadable
 * log), 2 a usage mistake. Errors are one line each, never a stack trace.
 */
import { readFileSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { compilePlan } from "../modules/dbc/compile.js";
import { formatProblem, type DbcProblem } from "../modules/dbc/database.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { DBC_OPTIONS, loadDbc, readDbc, type DbcReadOptions } from "./dbc-file.js";
import { decodeCommand } from "./decode.js";
import { serveCommand } from "./serve.js";
import { statsCommand } from "./stats.js";
import { compileProfile, describeProfile, ProfileError } from "./profile.js";
import { ProfileFormatError, ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { LogFormatError } from "./logs/formats.js";
import { UsageError, cannotRead, onePositional, parseOptions, writeOutput } from "./usage.js";

const HELP = `xs-cluster: tools for the xs-cluster instrument cluster

Usage:
  xs-cluster dbc check FILE.dbc
      Parse a DBC file; print a summary, or each problem as FILE:LINE:COL: message.
  xs-cluster dbc compile FILE.dbc -o PLAN.bin [--messages NAME,NAME...]
      Compile a DBC (or some of its messages) into the decode plan the device loads.
  xs-cluster decode --dbc FILE.dbc [--format jsonl|csv] [--choices] [--input-format FORMAT] LOG
      Decode a CAN log (LOG may be - for standard input) with the device's decoder:
      candump (-l/-L or screen), Vector ASC, PEAK TRC 1.0-2.1 or SavvyCAN GVRET CSV,
      told by content or extension (--input-format candump|asc|trc|gvret-csv forces one).
      One JSON line (or CSV rows) per decoded frame on standard output; malformed
      lines as FILE:LINE: why, and a summary, on standard error.
  xs-cluster stats [--json] [--input-format FORMAT] LOG
      Per-id counts, frames/s, mean period, cycle-time jitter and DLCs: the first
      look at an unknown car's log.
  xs-cluster serve LOG [--rate 1x|max|FACTOR] [--loop] [--port 29536] [--host 127.0.0.1]
                   [--protocol auto|socketcand|slcan] [--input-format FORMAT] [--no-beacon]
      Replay a log in real time over TCP as a live bus: socketcand (python-can,
      SavvyCAN) or SLCAN (Wi-Fi adapters, the simulator's feed). Ctrl-C stops.
  xs-cluster profile check [--dbc FILE.dbc] PROFILE.json
      Check a vehicle profile against the car's DBC: every problem as
      PROFILE: key.path: message.
  xs-cluster profile compile [--dbc FILE.dbc] PROFILE.json -o CAR.vehicle
      Check and compile a vehicle profile into what the device loads:
      CAR.vehicle (bindings) and CAR.plan (decode plan of the messages used).
      Without --dbc, the profile's "dbc" is read beside the profile; an
      OBD-II-only profile needs no DBC.
  xs-cluster profile show CAR.vehicle
      Print what a compiled profile maps, read back from CAR.vehicle and CAR.plan.

Options:
  -h, --help     show this help
  --version      show the version
`;

export interface Io {
	/** May return a promise that settles when the reader is ready for more. */
	stdout: (text: string) => void | Promise<void>;
	stderr: (text: string) => void;
}

const processIo: Io = {
	stdout: text => {
		if (!process.stdout.write(text))
			return new Promise(resolve => process.stdout.once("drain", resolve));
	},
	stderr: text => {
		process.stderr.write(text);
	},
};

/** Runs the command line; resolves to the exit status. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
	try {
		return await run(argv, io);
	}
	catch (error) {
		return reportError(error, io);
	}
}

/**
 * What every command's failure looks like: one line on standard error and an
 * exit status (2 for a usage mistake, 1 for bad input), never a stack trace.
 */
export function reportError(error: unknown, io: Io): number {
	if (error instanceof UsageError) {
		io.stderr(`xs-cluster: ${error.message}\nRun 'xs-cluster --help' for usage.\n`);
		return 2;
	}
	if (error instanceof LogFormatError) {
		io.stderr(`xs-cluster: ${error.message}\n`);
		return 1;
	}
	const err = error as NodeJS.ErrnoException;
	if (err.code && err.path) {
		io.stderr(`xs-cluster: ${cannotRead(err.path, err).message}\n`);
		return 1;
	}
	if (err.code === "EPIPE")
		return 0;
	io.stderr(`xs-cluster: ${err.message ?? String(error)}\n`);
	return 1;
}

async function run(argv: string[], io: Io): Promise<number> {
	const [command, ...rest] = argv;
	if (command === undefined || command === "-h" || command === "--help" || command === "help") {
		io.stdout(HELP);
		return command === undefined ? 2 : 0;
	}
	if (command === "--version") {
		io.stdout(`${VERSION}\n`);
		return 0;
	}
	if (command === "dbc") {
		const [sub, ...args] = rest;
		if (sub === "check")
			return dbcCheck(args, io);
		if (sub === "compile")
			return dbcCompile(args, io);
		throw new UsageError(sub ? `unknown dbc command '${sub}' (check, compile)` : "dbc needs a command: check or compile");
	}
	if (command === "decode")
		return decodeCommand(rest, io);
	if (command === "stats")
		return statsCommand(rest, io);
	if (command === "serve")
		return serveCommand(rest, io);
	if (command === "profile") {
		const [sub, ...args] = rest;
		if (sub === "check" || sub === "compile")
			return profile(sub, args, io);
		if (sub === "show")
			return profileShow(args, io);
		throw new UsageError(sub ? `unknown profile command '${sub}' (check, compile, show)` : "profile needs a command: check, compile or show");
	}
	throw new UsageError(`unknown command '${command}'`);
}

const VERSION = "0.1.0";

function dbcCheck(args: string[], io: Io): number {
	const { values, positionals } = parseOptions(args, DBC_OPTIONS);
	const path = onePositional(positionals, "DBC file");
	const { database, problems, warnings } = readDbc(path, values);
	for (const warning of warnings)
		io.stderr(formatWarning(warning) + "\n");
	if (problems.length) {
		for (const problem of problems)
		io.stderr(formatProblem(problem) + "\n");
		io.stderr(`${path}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n`);
		return 1;
	}
	const signals = database.messages.reduce((n, m) => n + m.signals.length, 0);
	const warned = warnings.length ? ` (${warnings.length} warning${warnings.length === 1 ? "" : "s"})` : "";
	io.stdout(`${path}: ok, ${database.messages.length} messages, ${signals} signals, ${database.nodes.length} nodes${warned}\n`);
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
	const database = checkedDatabase(path, io, values);
	if (!database)
		return 1;
	const messages = values.messages?.split(",").map(name => name.trim()).filter(Boolean);
	const plan = compilePlan(database, { messages });
	for (const warning of plan.warnings)
		io.stderr(`warning: ${warning}\n`);
	writeOutput(values.output, new Uint8Array(plan.buffer));
	io.stdout(`${values.output}: ${plan.messageCount} messages, ${plan.signalCount} signals, ${plan.buffer.byteLength} bytes\n`);
	return 0;
}

function profile(sub: "check" | "compile", args: string[], io: Io): number {
	const { values, positionals } = parseOptions(args, {
		...DBC_OPTIONS,
		dbc: { type: "string" },
		output: { type: "string", short: "o" },
	});
	const path = onePositional(positionals, "profile JSON file");
	if (sub === "compile" && !values.output)
		throw new UsageError("profile compile needs -o CAR.vehicle");
	let text: string;
	try {
		text = readFileSync(path, "utf8");
	}
	catch (error) {
		throw cannotRead(path, error);
	}
	let json: unknown;
	try {
		json = JSON.parse(text);
	}
	catch (error) {
		io.stderr(`${path}: not JSON: ${(error as Error).message}\n`);
		return 1;
	}
	let dbcPath = values.dbc;
	const named = (json as { dbc?: unknown } | null)?.dbc;
	if (!dbcPath && typeof named === "string")
		dbcPath = join(dirname(path), named);
	let database = null;
	if (dbcPath) {
		database = checkedDatabase(dbcPath, io, values);
		if (!database)
			return 1;
	}
	let compiled;
	try {
		compiled = compileProfile(json, path, database);
	}
	catch (error) {
		if (!(error instanceof ProfileError))
			throw error;
		for (const problem of error.problems)
			io.stderr(problem + "\n");
		io.stderr(`${path}: ${error.problems.length} problem${error.problems.length === 1 ? "" : "s"}\n`);
		return 1;
	}
	for (const note of compiled.notes)
		io.stderr(`note: ${note}\n`);
	for (const warning of compiled.warnings)
		io.stderr(`warning: ${warning}\n`);
	const { bus, obd, derived } = compiled.counts;
	const summary = `${bus + obd + derived} quantities (${bus} from the bus, ${obd} OBD-II, ${derived} derived), ${compiled.plan.messageCount} messages`;
	if (sub === "check") {
		io.stdout(`${path}: ok, ${summary}\n`);
		return 0;
	}
	const vehiclePath = values.output!;
	const planPath = join(dirname(vehiclePath), basename(vehiclePath, extname(vehiclePath)) + ".plan");
	writeOutput(vehiclePath, new Uint8Array(compiled.vehicle));
	writeOutput(planPath, new Uint8Array(compiled.plan.buffer));
	io.stdout(`${vehiclePath}: ${compiled.name}: ${summary}, ${compiled.vehicle.byteLength} bytes\n${planPath}: ${compiled.plan.messageCount} messages, ${compiled.plan.signalCount} signals, ${compiled.plan.buffer.byteLength} bytes\n`);
	return 0;
}

function profileShow(args: string[], io: Io): number {
	const { positionals } = parseOptions(args, {});
	const vehiclePath = onePositional(positionals, "compiled profile (CAR.vehicle)");
	const planPath = join(dirname(vehiclePath), basename(vehiclePath, extname(vehiclePath)) + ".plan");
	const read = (path: string) => {
		try {
			return new Uint8Array(readFileSync(path)).buffer;
		}
		catch (error) {
			throw cannotRead(path, error);
		}
	};
	let profile: VehicleProfile;
	try {
		profile = new VehicleProfile(read(vehiclePath));
	}
	catch (error) {
		if (error instanceof ProfileFormatError)
			throw new Error(`${vehiclePath}: ${error.message}`);
		throw error;
	}
	const plan = new DecodePlan(read(planPath));
	new ProfileInputs(profile, plan, null); // throws when the pair does not belong together
	io.stdout(describeProfile(profile, plan).join("\n") + "\n");
	return 0;
}

/** A warning in the same shape as a problem, marked so tools and editors tell them apart. */
function formatWarning(warning: DbcProblem): string {
	return `${warning.file}:${warning.line}:${warning.col}: warning: ${warning.message}`;
}

/** The parsed DBC, or undefined; its warnings and problems printed. */
function checkedDatabase(path: string, io: Io, options: DbcReadOptions) {
	return loadDbc(path, io, options);
}
