/*
 * What a host's CAN input is to main.ts, whatever it is underneath (a TWAI
 * controller, an MCP2515, an SLCAN adapter, a TCP feed, the simulator's demo
 * drive): each host's `host/can-source` opens one of these onto the
 * pipeline's ring. Types only.
 */
import type { BusStatus } from "./bus-status.js";
import type { CanFrame } from "./frame.js";
import type { FeedClient } from "./feed-client.js";
import type { FrameRing } from "./ring.js";

export interface CanSource {
	/** Moves frames due by `now` (ms) into the pipeline's ring. */
	step(now: number): void;
	/** A few words for the health line and the diagnostics page. */
	readonly description: string;
	/** The bus's nominal bit rate, bit/s, where the source sets it (a controller); absent for feeds and the demo drive. */
	readonly bitRate?: number;
	/** Controller health (state, error counters, frames lost and dropped), where the source has a controller. */
	readonly bus?: BusStatus;
	/** The live feed's client (state, frames, reconnects), when the source is a feed. */
	readonly feed?: FeedClient;
	/** Sends a frame (OBD-II requests), where the source can; false when it could not queue it. Absent when listen-only. */
	readonly transmit?: (frame: CanFrame) => boolean;
}

export interface CanSourceOptions {
	/** The cluster's odometer at start, km: a simulated car's odometer continues from it. */
	odometerKm?: number;
	/** Queues a batch of controller records in one call (NativeDecoder.pushRecords); used by a TWAI controller. */
	queueRecords?: (ring: FrameRing, records: Uint8Array, count: number, now: number) => number;
}
