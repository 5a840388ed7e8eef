/*
 * The simulator's CAN source: the built-in demo log, replayed in real time
 * and looped. Runs in the Moddable simulator.
 */
import Resource from "Resource";
import { LogReplay } from "can/replay";
import type { FrameRing } from "can/ring";

export interface CanSource {
	/** Moves frames due by `now` (ms) into the pipeline's ring. */
	step(now: number): void;
	/** One word for the health line and the diagnostics page. */
	readonly description: string;
}

export function openCanSource(ring: FrameRing): CanSource {
	const log = new Uint8Array(new Resource("demo-drive.log") as unknown as ArrayBuffer);
	const replay = new LogReplay(log, ring, { loop: true });
	return {
		description: "demo log",
		step(now: number) {
			replay.step(now);
		},
	};
}
