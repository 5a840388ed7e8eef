/*
 * Recording on the ESP32: off unless the build says `record=1` (or sets the
 * manifest config value `record`). Then each start records the frames the
 * pipeline receives as a candump `-l` log in the next numbered file,
 * /can-0001.log, /can-0002.log, ..., in the `xsc-rec` flash partition
 * (littlefs, hosts/esp32/manifest.json and partitions.csv). A recording stops
 * at `recordMaxBytes` (default: half the partition, so that it and the one
 * before fit); the oldest recordings are deleted to keep `recordMaxFiles`
 * (default 20) and to make room, never the newest earlier one for room alone.
 * The logic is modules/can/file-recording.ts, shared with the simulator.
 *
 * Flash writes stop the JavaScript thread (a 4 KB chunk is about one sector
 * erase and 16 page programs: tens of milliseconds by the flash datasheets),
 * so at most one chunk is written per display tick and one per
 * WRITE_INTERVAL_MS; frames beyond that are dropped and counted. littlefs
 * keeps a file's new data only once the file is closed, so the file is
 * closed and reopened every COMMIT_INTERVAL_MS: a power cut loses about that
 * much. Runs on the ESP32; allocates when opened.
 */
import config from "mc/config";
import { File, Iterator, System } from "file";
import { openConfiguredRecording, type HostRecorder } from "can/file-recording";

export type { HostRecorder };

/** Least time between two chunk writes (or commits): at most 10 x 4 KB a second, about 900 frames/s of candump lines. */
export const WRITE_INTERVAL_MS = 100;
/** The file is committed (closed and reopened) this often while it grows. */
export const COMMIT_INTERVAL_MS = 3000;
/** Numbered recordings kept, the new one included. */
export const MAX_FILES = 20;

/** The recorder the `record` config value asks for, or null when recording is off (or cannot start: traced). */
export function openRecorder(): HostRecorder | null {
	return openConfiguredRecording(config, { File, Iterator, System }, { maxBytes: 0, maxFiles: MAX_FILES }, {
		now: () => Date.now(),
		log: line => trace(line + "\n"),
		writeIntervalMs: WRITE_INTERVAL_MS,
		commitIntervalMs: COMMIT_INTERVAL_MS,
	});
}
