/*
 * Pipeline: the frame ring and the decoder joined, with the counters the
 * health report and the diagnostics page show.
 *
 * CAN sources (a driver, a replayed log, a TCP feed) push frames stamped with
 * the host clock into `ring`; the display clock calls `pump()` to decode what
 * is queued. The decoder is the TypeScript `Decoder` unless the host hands in
 * another with the same shape: the simulator and the ESP32 use the native
 * engine (signals/native-decoder), which drains the whole ring in one call.
 * Runs on XS and Node; allocates only in the constructor and in
 * `formatHealth`.
 */
import { CanFrame, frameBits } from "../can/frame.js";
import { FrameRing } from "../can/ring.js";
import { Decoder } from "./decoder.js";
import type { DecodePlan } from "./plan.js";
import type { SignalStore } from "./store.js";

/** What the pipeline needs of a decoder: `Decoder`, or `NativeDecoder` on XS. */
export interface FrameDecoder {
	readonly plan: DecodePlan;
	readonly store: SignalStore;
	readonly present: Uint8Array;
	readonly decoded: number;
	readonly unknown: number;
	readonly ignored: number;
	readonly short: number;
	/** Decodes one frame; the message index, or -1. */
	decode(frame: CanFrame): number;
	/** Drains up to `max` frames of `ring` in one call, counting their bus bits in `bits`. */
	pump?(ring: FrameRing, max: number): number;
	readonly bits?: number;
}

/** Takes some frames before the decoder sees them: the OBD-II poller takes its responses. */
export interface FrameTap {
	/** True for a frame this tap takes instead of the decoder. No allocation. */
	takes(frame: CanFrame): boolean;
	/** Receives a frame it takes, stamped with its arrival time. */
	receive(frame: CanFrame, now: number): unknown;
}

export interface PipelineOptions {
	/** Frame slots in the ring, a power of two. Default 256: 28 ms of a saturated 1 Mbit/s bus. */
	ringCapacity?: number;
	/** Makes the decoder; the TypeScript `Decoder` by default. */
	decoder?: (plan: DecodePlan) => FrameDecoder;
}

/** Counters at one instant; `Pipeline.health` fills one in place. */
export class Health {
	/** Frames that reached the ring. */
	received = 0;
	/** Frames decoded into the store. */
	decoded = 0;
	/** Frames the ring dropped because the decoder fell behind. */
	dropped = 0;
	/** Frames whose id the plan does not know. */
	unknown = 0;
	/** Signals with no fresh value. */
	stale = 0;
	signals = 0;
}

export class Pipeline {
	readonly ring: FrameRing;
	readonly decoder: FrameDecoder;
	/** Bus bits of the frames pumped (`frameBits`), for the bus-load estimate. */
	bits = 0;
	/** Frames pumped since construction. */
	pumped = 0;
	/** Sees each frame before the decoder when set (the OBD-II poller). */
	tap: FrameTap | null = null;
	private readonly frame = new CanFrame();

	constructor(plan: DecodePlan, options: PipelineOptions = {}) {
		this.ring = new FrameRing(options.ringCapacity ?? 256);
		this.decoder = options.decoder ? options.decoder(plan) : new Decoder(plan);
	}

	get store(): SignalStore {
		return this.decoder.store;
	}

	/**
	 * Decodes up to `max` queued frames, handing the tap's frames to the tap;
	 * returns how many were taken from the ring. No allocation.
	 */
	pump(max = 0x7FFFFFFF): number {
		const ring = this.ring, decoder = this.decoder, tap = this.tap;
		if (tap === null && decoder.pump) {
			const before = decoder.bits ?? 0;
			const count = decoder.pump(ring, max);
			this.bits += (decoder.bits ?? 0) - before;
			this.pumped += count;
			return count;
		}
		const frame = this.frame;
		let count = 0, bits = 0;
		while (count < max && ring.pop(frame)) {
			bits += frameBits(frame.dlc, frame.extended);
			if (tap !== null && tap.takes(frame))
				tap.receive(frame, frame.timestamp);
			else
				decoder.decode(frame);
			count++;
		}
		this.bits += bits;
		this.pumped += count;
		return count;
	}

	/** Fills `into` with the counters as of `now`. No allocation. */
	health(now: number, into: Health): Health {
		into.received = this.ring.pushed;
		into.dropped = this.ring.dropped;
		into.decoded = this.decoder.decoded;
		into.unknown = this.decoder.unknown;
		into.signals = this.store.size;
		into.stale = this.store.countMissing(now);
		return into;
	}
}

/** One line for the log: `frames 1200 received, 1180 decoded, 0 dropped, 20 unknown id; 3/35 signals stale`. Allocates. */
export function formatHealth(health: Health): string {
	return `frames ${health.received} received, ${health.decoded} decoded, ${health.dropped} dropped, ${health.unknown} unknown id; ${health.stale}/${health.signals} signals stale`;
}
