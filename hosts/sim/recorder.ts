/*
 * Recording in the simulator: `npm start -- --record [path]` sets the config
 * value `record` to an absolute path, and the frames the pipeline receives
 * are written there as a candump `-l` log, replacing what was there, capped
 * at `recordMaxBytes` (default 8 MB; the recording stops there). Without
 * `record` there is no recorder and nothing is written. The logic is
 * modules/can/file-recording.ts, shared with the ESP32 (which records to
 * numbered files). Runs on XS (simulator); allocates when opened.
 */
import config from "mc/config";
import { File, Iterator } from "file";
import { openConfiguredRecording, type HostRecorder } from "can/file-recording";

export type { HostRecorder };

export const DEFAULT_RECORD_MAX_BYTES = 8 * 1024 * 1024;

/** The recorder the `record` config value asks for, or null when recording is off (or cannot start: traced). */
export function openRecorder(): HostRecorder | null {
	// The desktop's files take each write at once (the module flushes it): no commits needed.
	return openConfiguredRecording(config, { File, Iterator }, { maxBytes: DEFAULT_RECORD_MAX_BYTES, maxFiles: 20 }, {
		now: () => Date.now(),
		log: line => trace(line + "\n"),
	});
}
