/*
 * `xs-cluster convert IN OUT`: a CAN log from one format into another, like
 * python-can's logconvert, among those tools/logs reads and writes: candump
 * -l, Vector ASC, PEAK TRC 2.1, SavvyCAN GVRET CSV. IN's format is told as
 * for every command (content, then extension, or --input-format); OUT's by
 * its extension or --output-format. `-` is standard input or output. The log
 * is streamed: memory stays flat whatever its size. Node only.
 *
 * Every classic CAN frame is written with its id, kind, DLC, data and time;
 * remote and error frames where the format has them (GVRET CSV has neither:
 * they are counted and named on standard error). OUT is created only once
 * IN has given a frame, so a log that cannot be read leaves nothing behind.
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { basename, resolve } from "node:path";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import type { Io } from "./cli.js";
import { openLog, untilInterrupted } from "./decode.js";
import { LOG_FORMATS, RING_CAPACITY, displayName, formatFromExtension, formatProblems, parseInputFormat, readLog, type LogFormat } from "./logs/formats.js";
import type { LogReader } from "./logs/text-log.js";
import { createLogWriter, type LogWriter } from "./logs/writers.js";
import { UsageError, cannotWrite, parseOptions, plural } from "./usage.js";

/** Output gathered before a write to a file. */
const BATCH_CHARS = 65536;

/** Where converted text goes: a file opened at the first write, or standard output. */
interface Sink {
	write(text: string): void | Promise<void>;
	close(): void;
}

function fileSink(path: string): Sink {
	let fd = -1;
	const fail = (error: unknown) => cannotWrite(path, error);
	return {
		write(text) {
			try {
				if (fd < 0)
					fd = openSync(path, "w");
				writeSync(fd, text);
			}
			catch (error) {
				throw fail(error);
			}
		},
		close() {
			if (fd >= 0)
				closeSync(fd);
		},
	};
}

export interface ConvertSummary {
	/** The reader, for `FILE:LINE: why` messages. */
	reader: LogReader;
	from: LogFormat;
	frames: number;
	written: number;
	writer: LogWriter;
	malformed: number;
	unsupported: number;
}

/** Streams `input` through a reader and `writer` into `write`. */
export async function convertLog(input: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, writer: LogWriter, write: (text: string) => void | Promise<void>, options: { name: string; format?: LogFormat; live: boolean; signal?: AbortSignal }): Promise<ConvertSummary> {
	const ring = new FrameRing(RING_CAPACITY), frame = new CanFrame();
	let out = "", frames = 0;
	const reader = await readLog(input, ring, () => {
		while (ring.pop(frame)) {
			frames++;
			out += writer.frame(frame);
		}
		if (out.length > (options.live ? 0 : BATCH_CHARS)) {
			const text = out;
			out = "";
			return write(text);
		}
	}, { name: options.name, format: options.format, signal: options.signal });
	out += writer.end();
	if (out)
		await write(out);
	return { from: reader.format as LogFormat, frames, written: frames - writer.skipped, writer, malformed: reader.malformed, unsupported: reader.unsupported, reader };
}

/** OUT's format: --output-format, else its extension. @throws UsageError when neither tells. */
export function outputFormat(path: string, forced: string | undefined): LogFormat {
	if (forced !== undefined) {
		if ((LOG_FORMATS as readonly string[]).includes(forced))
			return forced as LogFormat;
		throw new UsageError(`--output-format must be one of ${LOG_FORMATS.join(", ")}, not ${forced}`);
	}
	const format = path === "-" ? undefined : formatFromExtension(path);
	if (!format)
		throw new UsageError(path === "-" ? "writing standard output needs --output-format (candump, asc, trc, gvret-csv)" : `cannot tell a log format from the name ${path} (.log, .asc, .trc, .csv): give --output-format`);
	return format;
}

/**
 * `xs-cluster convert [--input-format F] [--output-format F] [--channel NAME]
 * IN OUT`. Resolves to the exit status: 0, 1 for bad input (a log in no known
 * format or without frames) or an output that cannot be written; throws
 * UsageError (2) for a usage mistake.
 */
export async function convertCommand(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parseOptions(args, {
		"input-format": { type: "string" },
		"output-format": { type: "string" },
		channel: { type: "string" },
	});
	if (positionals.length !== 2)
		throw new UsageError(positionals.length < 2 ? `convert needs IN and OUT (${positionals.length ? "missing OUT" : "missing IN"})` : `convert takes IN and OUT, got ${positionals.length} paths`);
	const [inPath, outPath] = positionals;
	const inputFormat = parseInputFormat(values["input-format"] as string | undefined);
	const format = outputFormat(outPath, values["output-format"] as string | undefined);
	const channel = (values.channel as string | undefined) ?? "can0";
	if (!/^[A-Za-z0-9_.-]{1,15}$/.test(channel))
		throw new UsageError(`--channel must be an interface name like can0 (letters, digits, . _ -), not '${channel}'`);
	if (inPath !== "-" && outPath !== "-" && resolve(inPath) === resolve(outPath))
		throw new UsageError(`OUT is IN (${inPath}): converting a log onto itself would destroy it`);
	const input = openLog(inPath);
	const sink: Sink = outPath === "-" ? { write: io.stdout, close: () => {} } : fileSink(outPath);
	let summary;
	try {
		summary = await untilInterrupted(signal => convertLog(input as AsyncIterable<Uint8Array>, createLogWriter(format, channel), text => sink.write(text), { name: inPath, format: inputFormat, live: outPath === "-" || inPath === "-", signal }));
	}
	finally {
		sink.close();
	}
	await io.flush?.();
	const name = inPath === "-" ? "stdin" : basename(inPath);
	io.stderr(formatProblems(inPath, summary.reader));
	let text = `${name}: ${plural(summary.written, "frame")} from ${summary.from} to ${format}${outPath === "-" ? "" : ` (${displayName(outPath)})`}`;
	if (summary.writer.skipped)
		text += `; ${plural(summary.writer.skipped, "remote or error frame")} left out (${format} has no form for them)`;
	if (summary.writer.clamped)
		text += `; ${plural(summary.writer.clamped, "frame")} earlier than the first written at its time`;
	if (summary.unsupported)
		text += `; ${plural(summary.unsupported, "CAN FD frame")} skipped`;
	if (summary.malformed)
		text += `; ${plural(summary.malformed, "malformed line")} skipped`;
	io.stderr(text + "\n");
	return 0;
}
