/*
 * The command line end to end, for the bench: `xs-cluster decode` of a
 * 1,000,000-frame candump log to JSON lines in a file, as a user runs it, in
 * CPU time (user + system) and peak resident memory of the process (the
 * least time and the most memory of END_TO_END_RUNS runs); and
 * cantools' own `decode` command on the same log and DBC as the peer, where
 * `cantools` is on PATH (PyPI, so not on every machine). cantools runs with
 * --no-strict, as the issue's measurement did (it refuses vw_mqb.dbc's
 * overlapping signals otherwise), and --single-line, the form closest to JSON
 * lines; it names value-table values, which xs-cluster does only with
 * --choices.
 *
 * The log is the frames of the cantools vectors of one DBC (every one a known
 * message), repeated with timestamps a millisecond apart. CPU time and peak
 * memory of a child are read with Python's resource.getrusage(RUSAGE_CHILDREN)
 * (Node has no such call for a child). Node only; allocates freely.
 */
import { spawnSync } from "node:child_process";
import { closeSync, mkdirSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";
import { formatCandumpLine } from "../modules/can/candump.js";
import { CanFrame } from "../modules/can/frame.js";
import { projectRoot } from "../test/support/xs-engine.js";
import type { FrameFields } from "./frames.js";

/** The goals of issue 13: at most this resident memory, and at least this many times cantools' speed. */
export const END_TO_END_MEMORY_MB = 64;
export const END_TO_END_SPEEDUP = 10;

export interface ProcessCost {
	cpuSeconds: number;
	maxResidentMB: number;
}

export interface EndToEndResult {
	frames: number;
	/** Runs of each command: the least CPU time and the most memory of them. */
	runs: number;
	xsCluster: ProcessCost;
	/** Null when cantools is not installed (`cantoolsNote` says so). */
	cantools: ProcessCost | null;
	cantoolsNote: string | null;
	memoryMet: boolean;
	/** Null without cantools. */
	speedup: number | null;
	speedMet: boolean | null;
}

/** Writes `count` frames, `frames` over and over 1 ms apart, as a candump -l log. */
function writeLog(path: string, frames: ReadonlyArray<FrameFields>, count: number): void {
	const fd = openSync(path, "w");
	const frame = new CanFrame();
	let chunk = "";
	for (let k = 0; k < count; k++) {
		const f = frames[k % frames.length];
		frame.id = f.id;
		frame.flags = f.flags;
		frame.dlc = f.dlc;
		frame.data.fill(0).set(Array.from(f.data));
		frame.timestamp = 1_700_000_000_000 + k;
		chunk += formatCandumpLine(frame, "can0") + "\n";
		if (chunk.length > 1 << 20) {
			writeSync(fd, chunk);
			chunk = "";
		}
	}
	writeSync(fd, chunk);
	closeSync(fd);
}

const MEASURE = `import resource, subprocess, sys
with open(sys.argv[1], "rb") as stdin, open(sys.argv[2], "wb") as stdout:
    status = subprocess.run(sys.argv[3:], stdin=stdin, stdout=stdout, stderr=subprocess.DEVNULL).returncode
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(status, usage.ru_utime + usage.ru_stime, usage.ru_maxrss)`;

/** Runs `argv` with standard input from `input` and output to `output`; its CPU time and peak memory, or a reason. */
function measure(argv: string[], input: string, output: string): ProcessCost | string {
	const run = spawnSync("python3", ["-c", MEASURE, input, output, ...argv], { encoding: "utf8" });
	const [status, cpu, maxrssKB] = (run.stdout ?? "").trim().split(/\s+/).map(Number);
	if (run.status !== 0 || status !== 0)
		return `${argv[0]} ${argv[1] ?? ""} failed (${run.stderr?.trim().split("\n").at(-1) ?? `status ${status}`})`;
	return { cpuSeconds: Math.round(cpu * 100) / 100, maxResidentMB: Math.round(maxrssKB / 1024) };
}

/** Runs of each command: the least CPU time counts, as a busy machine only ever adds time, and the most memory. */
export const END_TO_END_RUNS = 3;

/** The least CPU time and the most memory of `runs`, or the first reason a run failed. */
function best(runs: Array<ProcessCost | string>): ProcessCost | string {
	const failed = runs.find(run => typeof run === "string");
	if (failed !== undefined)
		return failed;
	const costs = runs as ProcessCost[];
	return { cpuSeconds: Math.min(...costs.map(run => run.cpuSeconds)), maxResidentMB: Math.max(...costs.map(run => run.maxResidentMB)) };
}

/**
 * Decodes a `count`-frame log of `frames` with `dbc` through `xs-cluster
 * decode` and, where installed, `cantools decode`, END_TO_END_RUNS times
 * each, taking turns so a spell of load elsewhere on the machine falls on
 * both. A reason when python3 or the built command line (npm install builds
 * it) is missing.
 */
export function endToEndCosts(dir: string, dbc: string, frames: ReadonlyArray<FrameFields>, count = 1_000_000): EndToEndResult | { reason: string } {
	mkdirSync(dir, { recursive: true });
	const log = join(dir, "end-to-end.log");
	writeLog(log, frames, count);
	const cli = join(projectRoot, "tools", "bin", "xs-cluster.js");
	const withCantools = spawnSync("cantools", ["--version"], { stdio: "ignore" }).status === 0;
	const ourRuns: Array<ProcessCost | string> = [], theirRuns: Array<ProcessCost | string> = [];
	for (let run = 0; run < END_TO_END_RUNS; run++) {
		// Run as a user runs it, so the interpreter flags on its #! line apply.
		ourRuns.push(measure([cli, "decode", "--dbc", dbc, log], "/dev/null", join(dir, "end-to-end.jsonl")));
		if (withCantools)
			theirRuns.push(measure(["cantools", "decode", "--no-strict", "--single-line", dbc], log, join(dir, "end-to-end.cantools.txt")));
	}
	const ours = best(ourRuns);
	if (typeof ours === "string")
		return { reason: ours };
	let cantools: ProcessCost | null = null, cantoolsNote: string | null = null;
	if (withCantools) {
		const theirs = best(theirRuns);
		if (typeof theirs === "string")
			cantoolsNote = theirs;
		else
			cantools = theirs;
	}
	else
		cantoolsNote = "cantools is not installed (pip install cantools; PyPI)";
	const speedup = cantools ? Math.round(cantools.cpuSeconds / ours.cpuSeconds * 10) / 10 : null;
	return {
		frames: count, runs: END_TO_END_RUNS, xsCluster: ours, cantools, cantoolsNote,
		memoryMet: ours.maxResidentMB <= END_TO_END_MEMORY_MB,
		speedup, speedMet: speedup === null ? null : speedup >= END_TO_END_SPEEDUP,
	};
}
