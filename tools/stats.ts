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
 */
import { basename } from "node:path";
import type { Readable } from "node:stream";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import type { Io } from "./cli.js";
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
}

export interface LogStats {
	name: string;
	format: LogFormat;
	frames: number;
	remoteFrames: number;
	errorFrames: number;
	/** Last minus first timestamp, ms. */
	duration: number;
	ids: IdStats[];
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

	add(frame: CanFrame): void {
		if (this.count > 0) {
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
	}
}

/** Reads `input` and gathers per-id statistics. @throws LogFormatError (tools/logs/formats.ts) for a log in no known format. */
export async function collectStats(input: Readable | AsyncIterable<Uint8Array> | Iterable<Uint8Array>, options: { name: string; format?: LogFormat; onChunk?: (bytes: number, reader: LogReader) => void; signal?: AbortSignal }): Promise<LogStats> {
	const ring = new FrameRing(RING_CAPACITY), frame = new CanFrame();
	const byId = new Map<number, IdAccumulator>();
	let frames = 0, remoteFrames = 0, errorFrames = 0, first = NaN, last = NaN;
	const reader = await readLog(input as AsyncIterable<Uint8Array>, ring, () => {
		while (ring.pop(frame)) {
			frames++;
			if (frame.error) {
				errorFrames++;
				continue;
			}
			if (frame.remote)
				remoteFrames++;
			if (first !== first)
				first = frame.timestamp;
			last = frame.timestamp;
			// Extended ids get a key above every standard one, so one Map holds both.
			const key = frame.extended ? 0x800 + frame.id : frame.id;
			let entry = byId.get(key);
			if (!entry)
				byId.set(key, entry = new IdAccumulator());
			entry.add(frame);
		}
	}, options);
	const duration = frames > 0 && last === last ? last - first : 0;
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
		};
	});
	return { name: options.name, format: reader.format as LogFormat, frames, remoteFrames, errorFrames, duration, ids, reader };
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
