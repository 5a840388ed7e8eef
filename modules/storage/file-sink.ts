/*
 * Files for recordings, through the part of Moddable's `file` module they use
 * (`File`, `Iterator`, `System`), handed in so that tests can pass a fake
 * (test/fixtures/fake-files.ts). The simulator's module writes to the
 * desktop's files, the ESP32's (littlefs in the manifest) to a flash
 * partition.
 *
 * FileSink: the sink a CandumpRecorder writes its chunks to. It never throws
 * once open: a write that fails (flash full, a file system error) closes the
 * file and records why in `error`, and later bytes are counted in `lostBytes`,
 * so a failing file never reaches the display loop as an exception.
 * `commit()` closes and reopens the file: littlefs (the ESP32's file system
 * here) makes a file's new data durable only when the file is closed, so
 * without it a power cut, the way a car usually switches the cluster off,
 * would lose everything written since the file was opened.
 *
 * prepareRecordingFile: numbered files `can-0001.log`, `can-0002.log`, ... in
 * a folder, so that a recording never overwrites an earlier one; the oldest
 * are deleted to keep at most `maxFiles` and to make room, but never the
 * newest earlier recording for room alone, and nothing when there would not
 * be room anyway.
 *
 * Runs on XS and Node. Allocates when opening and listing, and for the copy
 * of a partial chunk (a flush); a whole-chunk write allocates nothing.
 */

/** An open file, as Moddable's `File`. */
export interface FileHandle {
	/** Writes all of `buffer` or throws. The simulator's module takes ArrayBuffers only. */
	write(buffer: ArrayBuffer): void;
	close(): void;
	readonly length: number;
	position: number;
}

/** A directory entry from Moddable's `Iterator`: `length` is undefined for a directory. */
export interface FileEntry {
	name: string;
	length?: number;
}

/** What a recording needs of Moddable's `file` module. */
export interface FileModule {
	File: {
		/** Opens `path`; with `write`, creates it when missing and opens it at position 0 without truncating it. Throws when it cannot. */
		new (path: string, write?: boolean): FileHandle;
		exists(path: string): boolean;
		delete(path: string): boolean;
	};
	Iterator: new (path: string) => { next(): FileEntry | undefined };
	/** Size of the file system, when the host's module reports it (the ESP32's does). */
	System?: { info(): { total: number; used: number } };
}

/** The message of a thrown value, for one line of trace. */
export function errorMessage(error: unknown): string {
	return error instanceof Error ? error.message : String(error);
}

export class FileSink {
	readonly path: string;
	/** Bytes written to the file. */
	bytes = 0;
	/** Bytes handed to `write` after the file failed or was closed. */
	lostBytes = 0;
	/** Why the file stopped taking bytes; "" while it works. */
	error = "";
	private readonly files: FileModule;
	private file: FileHandle | null;
	private uncommitted = 0;

	/**
	 * Creates `path` empty (deleting what was there: Moddable's module does
	 * not truncate). Allocates.
	 * @throws the file module's error when the file cannot be created.
	 */
	constructor(files: FileModule, path: string) {
		this.files = files;
		this.path = path;
		if (files.File.exists(path))
			files.File.delete(path);
		this.file = new files.File(path, true);
	}

	/** True until the file failed or was closed. */
	get open(): boolean {
		return this.file !== null;
	}

	/** Bytes written since the file was opened or last committed. */
	get uncommittedBytes(): number {
		return this.uncommitted;
	}

	/**
	 * Appends `bytes`. Never throws: a failure closes the file (see `error`).
	 * No allocation for a view of a whole buffer; a partial view is copied.
	 */
	write(bytes: Uint8Array): void {
		const file = this.file;
		if (file === null) {
			this.lostBytes += bytes.byteLength;
			return;
		}
		try {
			const buffer = bytes.buffer as ArrayBuffer;
			if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength)
				file.write(buffer);
			else
				file.write(buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
			this.bytes += bytes.byteLength;
			this.uncommitted += bytes.byteLength;
		}
		catch (error) {
			this.lostBytes += bytes.byteLength;
			this.fail(error);
		}
	}

	/**
	 * Makes what was written durable: closes the file and opens it again at
	 * its end. Never throws (a failure closes the file). Allocates the new
	 * handle; a no-op when nothing was written since the last commit.
	 */
	commit(): void {
		if (this.file === null || this.uncommitted === 0)
			return;
		try {
			this.file.close();
			this.file = null;
			const file = new this.files.File(this.path, true);
			file.position = file.length;
			this.file = file;
			this.uncommitted = 0;
		}
		catch (error) {
			this.fail(error);
		}
	}

	/** Closes the file (committing it). Never throws. */
	close(): void {
		const file = this.file;
		if (file === null)
			return;
		this.file = null;
		try {
			file.close();
			this.uncommitted = 0;
		}
		catch (error) {
			this.error ||= errorMessage(error);
		}
	}

	private fail(error: unknown): void {
		this.error = errorMessage(error) || "file error";
		const file = this.file;
		this.file = null;
		try {
			file?.close();
		}
		catch {
			// already failing; the first error is the one reported
		}
	}
}

/** A numbered recording in a folder. */
export interface RecordingFile {
	path: string;
	number: number;
	/** Bytes, as the folder listing says. */
	length: number;
}

const RECORDING_NAME = /^can-(\d+)\.log$/;

/** The name of recording `number`: `can-0001.log`. */
export function recordingName(number: number): string {
	return `can-${String(number).padStart(4, "0")}.log`;
}

/** The numbered recordings in `folder` (ending in "/"), oldest (lowest number) first. Allocates. @throws when the folder cannot be listed. */
export function listRecordings(files: FileModule, folder: string): RecordingFile[] {
	const found: RecordingFile[] = [];
	const iterator = new files.Iterator(folder);
	for (let entry = iterator.next(); entry !== undefined; entry = iterator.next()) {
		const match = RECORDING_NAME.exec(entry.name);
		if (match && entry.length !== undefined)
			found.push({ path: folder + entry.name, number: Number(match[1]), length: entry.length });
	}
	return found.sort((a, b) => a.number - b.number);
}

export interface RecordingPlanOptions {
	/** Largest size of the new recording; 0: half of the file system (when it reports its size), so that it and the one before it fit. */
	maxBytes: number;
	/** Recordings kept, the new one included; the oldest are deleted. */
	maxFiles: number;
	/** Space left free for the file system's own blocks. Default 64 KB. */
	reserveBytes?: number;
	/** Smallest recording worth starting when space is short. Default 64 KB. */
	minBytes?: number;
}

/** Where the next recording goes and how large it may grow. */
export interface RecordingPlan {
	path: string;
	maxBytes: number;
	/** Recordings deleted to make room or keep `maxFiles`. */
	deleted: string[];
}

/** Recordings smaller than this are not started for want of space (unless asked for). */
export const MIN_RECORDING_BYTES = 64 * 1024;
/** The file system's allocation unit: a flash sector, littlefs's block. */
const BLOCK_BYTES = 4096;
/** Free space left for littlefs's metadata and copy-on-write blocks. */
export const RESERVE_BYTES = 64 * 1024;

/**
 * Chooses the next numbered recording in `folder`: one past the highest
 * number there. The oldest recordings are deleted while there would be more
 * than `maxFiles`, or (keeping the newest earlier one) too little space for
 * `maxBytes`; when even then there is less than `minBytes` of room, nothing
 * is deleted and the answer is a sentence saying why. With less room than
 * `maxBytes` but at least `minBytes`, the plan's `maxBytes` is the room.
 * Allocates.
 * @throws when the folder cannot be listed or the file system not measured.
 */
export function prepareRecordingFile(files: FileModule, folder: string, options: RecordingPlanOptions): RecordingPlan | string {
	const reserve = options.reserveBytes ?? RESERVE_BYTES;
	const existing = listRecordings(files, folder);
	const next = existing.length > 0 ? existing[existing.length - 1].number + 1 : 1;
	const info = files.System ? files.System.info() : null;
	let free = info ? info.total - info.used - reserve : Infinity;
	let wanted = options.maxBytes;
	if (!(wanted > 0)) {
		if (!info)
			return "recordMaxBytes is needed where the file system does not report its size";
		wanted = Math.floor((info.total - reserve) / 2);
	}
	const maxFiles = Math.max(1, options.maxFiles);
	let doomed = 0;
	while (doomed < existing.length) {
		const kept = existing.length - doomed;
		if (!(kept + 1 > maxFiles || (kept > 1 && free < wanted)))
			break;
		// A deleted file frees its blocks (littlefs allocates whole 4 KB blocks).
		free += Math.ceil(existing[doomed].length / BLOCK_BYTES) * BLOCK_BYTES;
		doomed++;
	}
	const maxBytes = Math.floor(Math.min(wanted, free));
	if (maxBytes < wanted && maxBytes < (options.minBytes ?? MIN_RECORDING_BYTES))
		return `no room for a recording in ${folder}: ${Math.max(0, Math.floor(free))} bytes free after the reserve`;
	const deleted: string[] = [];
	for (let i = 0; i < doomed; i++) {
		files.File.delete(existing[i].path);
		deleted.push(existing[i].path);
	}
	return { path: folder + recordingName(next), maxBytes, deleted };
}
