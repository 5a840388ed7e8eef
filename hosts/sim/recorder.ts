/*
 * Recording in the simulator: when the build has the config value `record`
 * (an absolute path; `npm start -- --record [path]` sets it), the frames the
 * pipeline receives are written to that file as a candump `-l` log by
 * CandumpRecorder, capped at `recordMaxBytes` (default 8 MB; the recording
 * stops there). Without `record` there is no recorder and nothing is written.
 * Runs on XS (simulator); allocates when opened and for a partial chunk at a
 * flush.
 */
import config from "mc/config";
import { File } from "file";
import { CandumpRecorder, type RecordSink } from "can/recorder";
import type { CanFrame } from "can/frame";

/** What main.ts drives: `record` per frame (never touches the file), `service` once per display tick, `flush` every few seconds. */
export interface HostRecorder {
	readonly path: string;
	readonly recorder: CandumpRecorder;
	record(frame: CanFrame): boolean;
	/** Writes at most one full chunk. */
	service(): void;
	/** Writes the partial chunk too, so the file is readable while the simulator runs. */
	flush(): void;
	close(): void;
}

export const DEFAULT_RECORD_MAX_BYTES = 8 * 1024 * 1024;

/** The recorder named by the `record` config value, or null when recording is off. */
export function openRecorder(): HostRecorder | null {
	const path = config.record;
	if (typeof path !== "string" || path === "" || path === "0" || path === "false")
		return null;
	const maxBytes = Number(config.recordMaxBytes ?? DEFAULT_RECORD_MAX_BYTES);
	// The file module opens an existing file for update without truncating it: start afresh.
	if (File.exists(path))
		File.delete(path);
	const file = new File(path, true);
	const sink: RecordSink = {
		write(bytes: Uint8Array) {
			// The file module takes ArrayBuffers: a whole chunk's own buffer, or a copy of a partial one.
			const buffer = bytes.buffer as ArrayBuffer;
			if (bytes.byteOffset === 0 && bytes.byteLength === buffer.byteLength)
				file.write(buffer);
			else
				file.write(buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
		},
		close() {
			file.close();
		},
	};
	const recorder = new CandumpRecorder({ sink, maxBytes: maxBytes > 0 ? maxBytes : DEFAULT_RECORD_MAX_BYTES, onFull: "stop", interfaceName: "can0", chunkSize: 4096, chunks: 4 });
	return {
		path,
		recorder,
		record: frame => recorder.record(frame),
		service() { recorder.service(1); },
		flush() { recorder.flush(); },
		close() { recorder.close(); },
	};
}
