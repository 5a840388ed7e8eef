/*
 * Diagnostics: the numbers of the cluster's second page and of the health
 * trace — display frames per second, bus frames per second, bus load, dropped
 * frames, unknown ids, stale signals.
 *
 * BusMeter pumps the pipeline and keeps the bits the frames took on the wire
 * (Pipeline.bits), which is what a bus load estimate needs. Rates are worked
 * out once a second from counter deltas.
 * Runs on XS and Node; no allocation after construction.
 */
import type { Health, Pipeline } from "../signals/pipeline.js";

/** The bit rate a bus load is worked out against when the source does not know its own: most powertrain buses'. */
export const ASSUMED_BIT_RATE = 500000;

export class BusMeter {
	/** Nominal bit rate of the bus, bit/s. */
	readonly bitrate: number;
	/** Bits of the frames counted so far. */
	bits = 0;
	frames = 0;

	/** `bitrate`: the source's (CanSource.bitRate), or ASSUMED_BIT_RATE when it has none. */
	constructor(bitrate = ASSUMED_BIT_RATE) {
		this.bitrate = bitrate;
	}

	/** Pumps `pipeline` (Pipeline.pump) and takes its frame and bit counts. Returns how many frames. No allocation. */
	pump(pipeline: Pipeline, max = 0x7FFFFFFF): number {
		const count = pipeline.pump(max);
		this.frames += count;
		this.bits = pipeline.bits;
		return count;
	}
}

/** Shown numbers of the diagnostics page; `sample` refreshes them once a second. */
export class Diagnostics {
	/** Display frames drawn per second: ticks that changed something on screen. */
	fps = 0;
	/** Display clock ticks per second. */
	tickRate = 0;
	/** Frames received per second. */
	frameRate = 0;
	/** Estimated bus load, whole percent of `bitRate`. */
	busLoad = 0;
	received = 0;
	decoded = 0;
	dropped = 0;
	unknown = 0;
	stale = 0;
	signals = 0;

	private readonly meter: BusMeter;
	private lastAt = NaN;
	private lastDrawn = 0;
	private lastTicks = 0;
	private lastReceived = 0;
	private lastBits = 0;
	private lastDropped = 0;
	private lastFrames = 0;

	constructor(meter: BusMeter) {
		this.meter = meter;
	}

	/** The bit rate the bus load is a percentage of, bit/s. */
	get bitRate(): number {
		return this.meter.bitrate;
	}

	/**
	 * Takes a sample at `now` from pipeline counters `health`, the count of
	 * display frames drawn and of display ticks. Returns true when a second has
	 * passed and the numbers were refreshed. No allocation.
	 */
	sample(now: number, health: Health, drawn: number, ticks = 0): boolean {
		const meter = this.meter;
		if (this.lastAt !== this.lastAt) {
			this.remember(now, health, drawn, ticks);
			return false;
		}
		const elapsed = now - this.lastAt;
		if (elapsed < 1000)
			return false;
		const seconds = elapsed / 1000;
		this.fps = Math.round((drawn - this.lastDrawn) / seconds);
		this.tickRate = Math.round((ticks - this.lastTicks) / seconds);
		this.frameRate = Math.round((health.received - this.lastReceived) / seconds);
		// Dropped frames were on the wire too: count them at the average size of the ones measured.
		const measured = meter.frames - this.lastFrames;
		let bits = meter.bits - this.lastBits;
		if (measured > 0)
			bits += (health.dropped - this.lastDropped) * bits / measured;
		this.busLoad = Math.round(bits / seconds / meter.bitrate * 100);
		this.received = health.received;
		this.decoded = health.decoded;
		this.dropped = health.dropped;
		this.unknown = health.unknown;
		this.stale = health.stale;
		this.signals = health.signals;
		this.remember(now, health, drawn, ticks);
		return true;
	}

	/** The counters at `now`, that the next sample's rates are worked out from. */
	private remember(now: number, health: Health, drawn: number, ticks: number): void {
		const meter = this.meter;
		this.lastAt = now;
		this.lastDrawn = drawn;
		this.lastTicks = ticks;
		this.lastReceived = health.received;
		this.lastBits = meter.bits;
		this.lastDropped = health.dropped;
		this.lastFrames = meter.frames;
	}
}
