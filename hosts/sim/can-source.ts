/*
 * The simulator's CAN sources. The default is the built-in demo drive (a
 * scripted lap of the demo car, encoded frame by frame through the plan); a
 * candump log resource can be replayed instead with `openLogReplay`.
 * Runs in the Moddable simulator; allocates when a source is opened, not when
 * it steps.
 */
import Resource from "Resource";
import { LogReplay } from "can/replay";
import type { FrameRing } from "can/ring";
import { Encoder } from "signals/encoder";
import type { DecodePlan } from "signals/plan";
import { DemoDrive } from "host/demo-drive";

export interface CanSource {
	/** Moves frames due by `now` (ms) into the pipeline's ring. */
	step(now: number): void;
	/** A few words for the health line and the diagnostics page. */
	readonly description: string;
}

/** The demo drive, looping: what `npm start` shows. */
export function openCanSource(ring: FrameRing, plan: DecodePlan): CanSource {
	const drive = new DemoDrive(plan, new Encoder(plan), ring);
	return {
		description: "demo drive",
		step(now: number) {
			drive.step(now);
		},
	};
}

/** Replays the candump log resource `name` (e.g. "demo-drive.log") in real time, looped. */
export function openLogReplay(ring: FrameRing, name: string): CanSource {
	const log = new Uint8Array(new Resource(name) as unknown as ArrayBuffer);
	const replay = new LogReplay(log, ring, { loop: true });
	return {
		description: `log ${name}`,
		step(now: number) {
			replay.step(now);
		},
	};
}
