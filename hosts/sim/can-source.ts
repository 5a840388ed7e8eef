/*
 * The simulator's CAN sources. The default is the built-in demo drive (a
 * scripted lap of the demo car, encoded frame by frame through the demo car's
 * full plan, the `demo-car.plan` resource: the car's ECUs send every message
 * of its DBC, the cluster decodes the ones its profile uses); a candump log
 * resource can be replayed instead with `openLogReplay`.
 * Runs in the Moddable simulator; allocates when a source is opened, not when
 * it steps.
 */
import Resource from "Resource";
import type { BusStatus } from "can/bus-status";
import { LogReplay } from "can/replay";
import type { FrameRing } from "can/ring";
import { Encoder } from "signals/encoder";
import { DecodePlan } from "signals/plan";
import { DemoDrive } from "host/demo-drive";

/**
 * Frame slots the pipeline's ring needs here (the same name as the ESP32
 * host's): the demo drive brings a few frames per display tick, the
 * Pipeline's default is plenty.
 */
export const CAN_RING_CAPACITY = 256;

export interface CanSource {
	/** Moves frames due by `now` (ms) into the pipeline's ring. */
	step(now: number): void;
	/** A few words for the health line and the diagnostics page. */
	readonly description: string;
	/** Controller health, where the source has a controller (not the demo drive). */
	readonly bus?: BusStatus;
}

export interface CanSourceOptions {
	/** The cluster's odometer at start, km: the demo car's odometer continues from it. */
	odometerKm?: number;
}

/** The demo drive, looping: what `npm start` shows. `_plan` is the cluster's (decoding) plan. */
export function openCanSource(ring: FrameRing, _plan: DecodePlan, options: CanSourceOptions = {}): CanSource {
	const carPlan = new DecodePlan(new Resource("demo-car.plan") as unknown as ArrayBuffer);
	const odometerKm = options.odometerKm !== undefined && options.odometerKm > 0 ? options.odometerKm : undefined;
	const drive = new DemoDrive(carPlan, new Encoder(carPlan), ring, { odometerKm });
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
