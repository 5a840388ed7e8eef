/*
 * Recording on the ESP32: not switched on yet (no file system in the
 * partition table for it), so there is no recorder. Same interface as
 * hosts/sim/recorder.ts.
 */
import type { CandumpRecorder } from "can/recorder";
import type { CanFrame } from "can/frame";

export interface HostRecorder {
	readonly path: string;
	readonly recorder: CandumpRecorder;
	record(frame: CanFrame): boolean;
	service(): void;
	flush(): void;
	close(): void;
}

/** Always null: recording is off on the device. */
export function openRecorder(): HostRecorder | null {
	return null;
}
