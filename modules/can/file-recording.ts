/*
 * Recording to files, for both hosts: the config values that switch it on,
 * the file (one named file, or the next numbered one in a folder), a
 * CandumpRecorder writing into a FileSink, and the object main.ts drives.
 *
 * Config (manifest `config`, or `mcconfig ... record=1 recordMaxBytes=n`;
 * command-line values arrive as strings):
 *   - `record`: off when absent, "", 0, "0", false or "false". A path ending
 *     in "/" records to numbered files `can-0001.log`, `can-0002.log`, ... in
 *     that folder; 1, "1", true or "true" does so in the host's file root
 *     (`config.file.root`). Any other path is one file, replaced at each start
 *     (the simulator's `npm start -- --record path`).
 *   - `recordMaxBytes`: the size cap of a recording; recording stops there.
 *   - `recordMaxFiles`: numbered recordings kept, the new one included.
 *
 * main.ts makes `recorder` the pipeline's recorder (every frame pumped is
 * recorded, in C on the native engine; never touches the file), calls
 * `service()` once per display tick and `flush()` every few seconds (which
 * does nothing where `service()` commits). `service()` writes at most one chunk per call, and with
 * `writeIntervalMs` at most one per interval: on the ESP32 a 4 KB chunk costs
 * about a flash sector erase and 16 page programs, tens of milliseconds.
 * With `commitIntervalMs` it commits the file that often instead of writing a
 * chunk: when no full chunk waits it writes the partial one first, so the
 * committed file ends after a whole line (after two intervals without
 * catching up it commits anyway). Frames the file cannot keep up with are
 * dropped and counted by the recorder. A file that fails stops the recording
 * (logged once); no exception reaches the display loop.
 *
 * Runs on XS and Node. Allocates when opening, then only for a flush's
 * partial chunk, a commit's file handle and the one log line of a failure.
 */
import { CandumpRecorder } from "./recorder.js";
import type { CanFrame } from "./frame.js";
import { FileSink, errorMessage, prepareRecordingFile, type FileModule } from "../storage/file-sink.js";

/** What main.ts drives. */
export interface HostRecorder {
	/** The file being written. */
	readonly path: string;
	readonly recorder: CandumpRecorder;
	readonly sink: FileSink;
	/** Queues one frame; false when it was dropped. Never touches the file. */
	record(frame: CanFrame): boolean;
	/** Writes at most one full chunk, or commits the file when due (see above). Never throws. */
	service(): void;
	/**
	 * What main.ts calls every few seconds: writes the queued chunks and the
	 * partial one. With `commitIntervalMs` (the ESP32) it does nothing:
	 * `service()` already writes the partial chunk at each commit, and a flush
	 * here would write every queued chunk in one display tick, past the write
	 * budget. Never throws.
	 */
	flush(): void;
	/** Flushes and closes the file. Never throws. */
	close(): void;
}

/** What the config asks for; null from `readRecordingConfig` when recording is off. */
export interface RecordingSettings {
	/** One file, replaced at each start; or null for numbered files in `folder`. */
	path: string | null;
	/** Folder (ending in "/") of the numbered recordings, when `path` is null. */
	folder: string;
	/** Size cap of a recording; 0: half the file system. */
	maxBytes: number;
	/** Numbered recordings kept, the new one included. */
	maxFiles: number;
}

export interface RecordingDefaults {
	/** Size cap when the config has none; 0: half the file system. */
	maxBytes: number;
	/** Numbered recordings kept when the config says nothing. */
	maxFiles: number;
}

const OFF = new Set(["", "0", "false", "off", "no"]);
const ON = new Set(["1", "true", "on", "yes"]);

/** A whole number of at least `least` from a config value (a number, or a string from the command line). @throws RangeError naming the key. */
function wholeNumber(config: Record<string, unknown>, key: string, fallback: number, least: number): number {
	const raw = config[key];
	if (raw === undefined || raw === "")
		return fallback;
	const value = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
	if (!(Number.isInteger(value) && value >= least))
		throw new RangeError(`${key} must be a whole number of at least ${least}, not '${String(raw)}'`);
	return value;
}

/**
 * The recording the config asks for, or null when it is off. Allocates.
 * @throws RangeError naming a config value that makes no sense.
 */
export function readRecordingConfig(config: Record<string, unknown>, defaults: RecordingDefaults): RecordingSettings | null {
	const record = config.record;
	if (record === undefined || record === null || record === false || record === 0)
		return null;
	const text = String(record).trim();
	if (OFF.has(text.toLowerCase()))
		return null;
	const file = config.file as { root?: unknown } | undefined;
	const root = typeof file?.root === "string" && file.root !== "" ? file.root : "/";
	const numbered = record === true || ON.has(text.toLowerCase());
	const folder = numbered ? (root.endsWith("/") ? root : root + "/") : text.endsWith("/") ? text : "";
	return {
		path: folder ? null : text,
		folder,
		maxBytes: wholeNumber(config, "recordMaxBytes", defaults.maxBytes, 0),
		maxFiles: wholeNumber(config, "recordMaxFiles", defaults.maxFiles, 1),
	};
}

export interface FileRecordingOptions {
	/** Milliseconds, for `writeIntervalMs` and `commitIntervalMs`. */
	now(): number;
	/** One line per event worth telling (trace on the hosts). */
	log?(line: string): void;
	/** Least time between two writes (or commits) to the file; default 0: one per `service()`. */
	writeIntervalMs?: number;
	/** Commit the file (close and reopen it) this often while bytes were written; default 0: never (the file module flushes each write). */
	commitIntervalMs?: number;
	/** Recorder chunks; defaults 4096 bytes and 4 of them. */
	chunkSize?: number;
	chunks?: number;
}

/**
 * Opens the recording `config` asks for (see `readRecordingConfig`), or
 * returns null when it is off or cannot start (logged). Never throws.
 * Allocates. What each host's `openRecorder()` calls.
 */
export function openConfiguredRecording(config: Record<string, unknown>, files: FileModule, defaults: RecordingDefaults, options: FileRecordingOptions): HostRecorder | null {
	let settings: RecordingSettings | null;
	try {
		settings = readRecordingConfig(config, defaults);
	}
	catch (error) {
		options.log?.(`recording off: ${errorMessage(error)}`);
		return null;
	}
	return settings ? openFileRecording(files, settings, options) : null;
}

/**
 * Opens the recording `settings` ask for (see `readRecordingConfig`) in
 * `files`. Returns null, having logged why, when the file cannot be chosen or
 * created. Never throws. Allocates.
 */
export function openFileRecording(files: FileModule, settings: RecordingSettings, options: FileRecordingOptions): HostRecorder | null {
	const log = (line: string) => options.log?.(line);
	let sink: FileSink, recorder: CandumpRecorder;
	try {
		let path = settings.path, maxBytes = settings.maxBytes;
		if (path === null) {
			const plan = prepareRecordingFile(files, settings.folder, { maxBytes, maxFiles: settings.maxFiles });
			if (typeof plan === "string") {
				log(`recording off: ${plan}`);
				return null;
			}
			for (const deleted of plan.deleted)
				log(`recording: deleted ${deleted} to make room`);
			path = plan.path;
			maxBytes = plan.maxBytes;
		}
		else if (!(maxBytes > 0))
			throw new RangeError("recordMaxBytes is needed to record to one named file");
		sink = new FileSink(files, path);
		try {
			recorder = new CandumpRecorder({ sink, maxBytes, onFull: "stop", interfaceName: "can0", chunkSize: options.chunkSize ?? 4096, chunks: options.chunks ?? 4 });
		}
		catch (error) {
			// Settings the recorder refuses: no recording, and no empty file left taking a number.
			sink.close();
			try {
				files.File.delete(path);
			}
			catch {
				// Nothing more to do: the log line says recording is off.
			}
			throw error;
		}
	}
	catch (error) {
		log(`recording off: ${errorMessage(error)}`);
		return null;
	}
	const writeInterval = options.writeIntervalMs ?? 0, commitInterval = options.commitIntervalMs ?? 0;
	let lastWrite = -Infinity, lastCommit = options.now(), stopped = false;
	/** A failed file ends the recording: later frames are dropped and counted. */
	const stopIfFailed = () => {
		if (stopped || sink.open || sink.error === "")
			return;
		stopped = true;
		recorder.close();
		log(`recording stopped: ${sink.path}: ${sink.error}; ${recorder.frames} frames recorded, ${sink.lostBytes} bytes lost`);
	};
	return {
		path: sink.path,
		recorder,
		sink,
		record: frame => recorder.record(frame),
		service() {
			stopIfFailed();
			if (stopped)
				return;
			const at = options.now();
			if (at - lastWrite < writeInterval)
				return;
			const sinceCommit = commitInterval > 0 ? at - lastCommit : -Infinity;
			if (sinceCommit >= commitInterval && recorder.pendingChunks === 0) {
				// Nothing but the partial chunk waits: write it (the file ends after a whole line) and commit.
				recorder.flush();
				sink.commit();
				lastCommit = lastWrite = at;
			}
			else if (sinceCommit >= 2 * commitInterval) {
				// The file has not caught up for two intervals: commit anyway (its last line may be cut).
				sink.commit();
				lastCommit = lastWrite = at;
			}
			else if (recorder.service(1) > 0)
				lastWrite = at;
			stopIfFailed();
		},
		flush() {
			if (commitInterval > 0)
				return;
			recorder.flush();
			stopIfFailed();
		},
		close() {
			recorder.close();
			stopIfFailed();
		},
	};
}
