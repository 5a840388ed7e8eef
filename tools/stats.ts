/*
 * `xs-cluster stats LOG`: what is on an unknown car's bus. Per CAN id: how
 * many frames, how often (frames/s over the log), the mean period between
 * frames and how steady it is (cycle-time jitter as the standard deviation of
 * the period, and the largest deviation from the mean), and the DLCs seen.
 * Sorted by id, standard ids first; a plain table, or JSON with `--json`.
 * Node only; the log is streamed (any format tools/logs reads), and memory
 * grows only with the number of distinct ids. Ids are hex as candump writes
 * them, as in every command. Reading a live capture (a pipe or a terminal),
 * Ctrl-C ends the input: the table of what was read is printed then.
 *
 * On a bad clock (timestamps that step back or jump more than a minute ahead,
 * tools/logs/clock.ts) the duration counts in-order steps only, and a period
 * that spans such a step is left out of the mean and jitter; the warning
 * names the line of the first of each kind, and the JSON says what was left
 * out. So no duration is negative and no period is one the bus never had.
 */
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import type { Io } from "./cli.js";
import { CLOCK_JUMP_MS, LogClock } from "./logs/clock.js";
import { openLog, terminalProgress, untilInterrupted } from "./decode.js";
import { formatCanId, onePositional, parseOptions, plural } from "./usage.js";
import { RING_CAPACITY, displayName, formatProblems, parseInputFormat, readLog, type LogFormat } from "./logs/formats.js";
import type { LogReader } from "./logs/text-log.js";

/** One id's traffic. Times in ms; null where the log cannot tell (one frame, no timing). */
export interface IdStats {
	id: number;
	extended: boolean;
	/** Frames with this id, remote frames included. */
	count: number;
	remote: number;
	/** DLCs seen, ascending. */
	dlc: number[];
	/** Frames per second over the whole log's duration. */
	rate: number | null;
	/** Mean time between consecutive frames of this id. */
	period: number | null;
	/** Standard deviation of that time: cycle-time jitter. */
	jitter: number | null;
	/** Largest distance of one period from the mean period. */
	maxDeviation: number | null;
	/** Steps between two frames of this id left out of the periods: a bad clock step came between them. */
	excludedPeriods: number;
}

export interface LogStats {
	name: string;
	format: LogFormat;
	frames: number;
	remoteFrames: number;
	errorFrames: number;
	/** Time the log covers, ms: last minus first timestamp, counting in-order steps only. */
	duration: number;
	ids: IdStats[];
	/** The log's clock over its frames: steps back and jumps, with the line of the first of each. */
	clock: LogClock;
	reader: LogReader;
}

/** Running sums for one id: Welford's mean and variance of the periods. */
class IdAccumulator {
	count = 0;
	remote = 0;
	dlcMask = 0;
	last = 0;
	periods = 0;
	mean = 0;
	m2 = 0;
	min = Infinity;
	max = -Infinity;
	/** Bad clock steps seen by the last frame of this id (LogClock.faults). */
	faults = 0;
	excluded = 0;

	/** `faults`: bad clock steps in the log up to this frame; one since this id's last frame means its period is unknown. */
	add(frame: CanFrame, faults: number): void {
		if (this.count > 0 && faults !== this.faults)
			this.excluded++;
		else if (this.count > 0) {
			const period = frame.timestamp - this.last;
			this.periods++;
			const delta = period - this.mean;
			this.mean += delta / this.periods;
			this.m2 += delta * (period - this.mean);
			if (period < this.min)
				this.min = period;
			if (period > this.max)
				this.max = period;
		}
		this.count++;
		if (frame.remote)
			this.remote++;
		this.dlcMask |= 1 << frame.dlc;
		this.last = frame.timestamp;
		this.faults = faults;
	}
}

/** Reads `input` and gathers per-id statistics. @throws LogFormatError (tools/logs/formats.ts) for a log in no known format. */
export async function collectStats(input: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { name: string; format?: LogFormat; onChunk?: (bytes: number, reader: LogReader) => void; signal?: AbortSignal }): Promise<LogStats> {
	const ring = new FrameRing(RING_CAPACITY), frame = new CanFrame();
	const byId = new Map<number, IdAccumulator>();
	// The clock over the frames counted (error frames have no id and are left out, as before).
	const clock = new LogClock();
	let frames = 0, remoteFrames = 0, errorFrames = 0;
	const reader = await readLog(input as AsyncIterable<Uint8Array>, ring, () => {
		while (ring.pop(frame)) {
			frames++;
			if (frame.error) {
				errorFrames++;
				continue;
			}
			if (frame.remote)
				remoteFrames++;
			clock.step(frame.timestamp);
			// Extended ids get a key above every standard one, so one Map holds both.
			const key = frame.extended ? 0x800 + frame.id : frame.id;
			let entry = byId.get(key);
			if (!entry)
				byId.set(key, entry = new IdAccumulator());
			entry.add(frame, clock.faults);
		}
	}, options);
	const duration = clock.elapsed;
	const ids: IdStats[] = [...byId.entries()].sort((a, b) => a[0] - b[0]).map(([key, entry]) => {
		const timed = duration > 0;
		const hasPeriod = timed && entry.periods > 0;
		const dlc: number[] = [];
		for (let d = 0; d <= 8; d++)
			if (entry.dlcMask & (1 << d))
				dlc.push(d);
		return {
			id: key >= 0x800 ? key - 0x800 : key,
			extended: key >= 0x800,
			count: entry.count,
			remote: entry.remote,
			dlc,
			rate: timed ? entry.count * 1000 / duration : null,
			period: hasPeriod ? entry.mean : null,
			jitter: hasPeriod ? Math.sqrt(entry.m2 / entry.periods) : null,
			maxDeviation: hasPeriod ? Math.max(entry.max - entry.mean, entry.mean - entry.min) : null,
			excludedPeriods: entry.excluded,
		};
	});
	return { name: options.name, format: reader.format as LogFormat, frames, remoteFrames, errorFrames, duration, ids, clock, reader };
}

function fixed(value: number | null, digits: number): string {
	return value === null ? "-" : value.toFixed(digits);
}

/** The plain table: a summary line, a header, one row per id. */
export function formatStatsTable(stats: LogStats): string {
	let text = `${displayName(stats.name)}: ${stats.format}, ${plural(stats.frames, "frame")}`;
	if (stats.remoteFrames || stats.errorFrames)
		text += ` (${stats.remoteFrames} remote, ${stats.errorFrames} error)`;
	text += `, ${plural(stats.ids.length, "id")}, ${(stats.duration / 1000).toFixed(3)} s\n`;
	if (stats.clock.faults) {
		const excluded = stats.ids.reduce((sum, entry) => sum + entry.excludedPeriods, 0);
		text += `bad clock: ${plural(stats.clock.back.count, "step")} back in time, ${plural(stats.clock.jumps.count, "jump")} ahead; the duration counts none of them, and ${plural(excluded, "period")} across them ${excluded === 1 ? "is" : "are"} left out\n`;
	}
	if (stats.frames > 0 && stats.duration === 0)
		text += "all timestamps are equal: no rates or periods\n";
	const rows = stats.ids.map(entry => [
		formatCanId(entry.id, entry.extended),
		String(entry.count),
		fixed(entry.rate, 1),
		fixed(entry.period, 3),
		fixed(entry.jitter, 3),
		fixed(entry.maxDeviation, 3),
		entry.dlc.join(",") + (entry.remote ? ` (${entry.remote} remote)` : ""),
	]);
	const header = ["id", "count", "frames/s", "period ms", "jitter ms", "max dev ms", "dlc"];
	const widths = header.map((title, column) => Math.max(title.length, ...rows.map(row => row[column].length)));
	const line = (cells: string[]) => cells.map((cell, column) => column === 0 || column === cells.length - 1 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])).join("  ").trimEnd() + "\n";
	text += line(header);
	for (const row of rows)
		text += line(row);
	return text;
}

/** The JSON form: ids as hex strings (as candump writes them) and numbers, times in ms, null where unknown. */
export function statsJson(stats: LogStats): object {
	return {
		file: stats.name,
		format: stats.format,
		frames: stats.frames,
		remoteFrames: stats.remoteFrames,
		errorFrames: stats.errorFrames,
		durationMs: stats.duration,
		malformedLines: stats.reader.malformed,
		unsupportedFrames: stats.reader.unsupported,
		// What a bad clock left out: durationMs counts in-order steps only, periodMs and jitterMs leave out periods across a bad step.
		clock: {
			stepsBack: stats.clock.back.count,
			firstStepBackLine: stats.clock.back.count ? stats.reader.clock.back.line : null,
			jumps: stats.clock.jumps.count,
			firstJumpLine: stats.clock.jumps.count ? stats.reader.clock.jumps.line : null,
			jumpMs: CLOCK_JUMP_MS,
			excludedPeriods: stats.ids.reduce((sum, entry) => sum + entry.excludedPeriods, 0),
		},
		ids: stats.ids.map(entry => ({
			id: formatCanId(entry.id, entry.extended),
			idValue: entry.id,
			extended: entry.extended,
			count: entry.count,
			remote: entry.remote,
			dlc: entry.dlc,
			ratePerSecond: entry.rate,
			periodMs: entry.period,
			jitterMs: entry.jitter,
			maxDeviationMs: entry.maxDeviation,
			excludedPeriods: entry.excludedPeriods,
		})),
	};
}

/**
 * `xs-cluster stats [--json] [--input-format F] LOG|-`. Resolves to the exit
 * status (0, or 1 for a log in no known format); throws UsageError (2) for a
 * usage mistake.
 */
export async function statsCommand(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parseOptions(args, { json: { type: "boolean" }, "input-format": { type: "string" } });
	const path = onePositional(positionals, "log file (or - for standard input)");
	const format = parseInputFormat(values["input-format"] as string | undefined);
	const input = openLog(path);
	const progress = terminalProgress(path);
	let stats: LogStats;
	try {
		stats = await untilInterrupted(signal => collectStats(input, { name: path, format, onChunk: progress?.update, signal }));
	}
	finally {
		progress?.done();
	}
	io.stderr(formatProblems(path, stats.reader));
	if (stats.reader.malformed || stats.reader.unsupported)
		io.stderr(`${path === "-" ? "stdin" : basename(path)}: ${plural(stats.reader.malformed, "malformed line")}, ${plural(stats.reader.unsupported, "CAN FD frame")} skipped\n`);
	await io.stdout(values.json ? JSON.stringify(statsJson(stats), null, "\t") + "\n" : formatStatsTable(stats));
	return 0;
}
