/*
 * Diagnostics: the numbers of the cluster's second page and of the health
 * trace — display frames per second, bus frames per second, bus load, dropped
 * frames, unknown ids, stale signals.
 *
 * The pipeline counts the frames it pumps and the bits they took on the wire
 * (Pipeline.pumped, Pipeline.bits), which is what a bus load estimate needs;
 * Diagnostics reads those counters and works out rates once a second from
 * their deltas. `staleSignalNames` names the profile's missing signals.
 * Runs on XS and Node; no allocation after construction (`staleSignalNames`
 * allocates its line).
 */
import type { DecodePlan } from "../signals/plan.js";
import type { Health, Pipeline } from "../signals/pipeline.js";
import type { VehicleProfile } from "./profile.js";

/** The bit rate a bus load is worked out against when the source does not know its own: most powertrain buses'. */
export const ASSUMED_BIT_RATE = 500000;

/** The pipeline's counters the bus load is worked out from. */
export type BusCounters = Pick<Pipeline, "bits" | "pumped">;

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
	/** Some stale signals by name (`staleSignalNames`), set by the dashboard while the page shows. */
	staleNames = "none";
	/** The source's state in a few words (a feed's connection, a controller's bus), set by the dashboard while the page shows. */
	sourceStatus = "";
	/** The telemetry link's state and counts ("off" without telemetry), and its last line; set by the dashboard while the page shows. */
	mqtt = "off";
	mqttLast = "";
	/** The running car (name, and its pack's version and slot), and the last pack offer's outcome ("" before any); set by the dashboard while the page shows. */
	pack = "";
	packLast = "";
	/** The bit rate the bus load is a percentage of, bit/s. */
	readonly bitRate: number;

	private readonly counters: BusCounters;
	private lastAt = NaN;
	private lastDrawn = 0;
	private lastTicks = 0;
	private lastReceived = 0;
	private lastBits = 0;
	private lastDropped = 0;
	private lastFrames = 0;

	/** `counters`: the pipeline; `bitRate`: the source's (CanSource.bitRate), else ASSUMED_BIT_RATE. */
	constructor(counters: BusCounters, bitRate = ASSUMED_BIT_RATE) {
		this.counters = counters;
		this.bitRate = bitRate;
	}

	/** True when `sample` at `now` would refresh (or take the first sample): the health counters are worth reading. No allocation. */
	due(now: number): boolean {
		return this.lastAt !== this.lastAt || now - this.lastAt >= 1000;
	}

	/**
	 * Takes a sample at `now` from pipeline counters `health`, the count of
	 * display frames drawn and of display ticks. Returns true when a second has
	 * passed and the numbers were refreshed. No allocation.
	 */
	sample(now: number, health: Health, drawn: number, ticks = 0): boolean {
		const counters = this.counters;
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
		const measured = counters.pumped - this.lastFrames;
		let bits = counters.bits - this.lastBits;
		if (measured > 0)
			bits += (health.dropped - this.lastDropped) * bits / measured;
		this.busLoad = Math.round(bits / seconds / this.bitRate * 100);
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
		const counters = this.counters;
		this.lastAt = now;
		this.lastDrawn = drawn;
		this.lastTicks = ticks;
		this.lastReceived = health.received;
		this.lastBits = counters.bits;
		this.lastDropped = health.dropped;
		this.lastFrames = counters.pumped;
	}
}

/**
 * Names of the profile's signals that are stale at `now`, two at most and how
 * many more ("VehicleSpeed, EngineSpeed +3"), "none" when none is. Runs on XS
 * and Node, once a second while the diagnostics page shows; allocates the line.
 */
export function staleSignalNames(profile: VehicleProfile, plan: DecodePlan, store: { isFresh(signal: number, now: number): boolean }, now: number): string {
	let names = "", count = 0;
	const signals = profile.directSignal;
	for (let q = 0; q < signals.length; q++) {
		const signal = signals[q];
		if (signal < 0 || store.isFresh(signal, now))
			continue;
		const name = plan.signalName(signal);
		// Two quantities read from one signal name it once.
		if (names.indexOf(name) >= 0)
			continue;
		if (count < 2)
			names += (count ? ", " : "") + name;
		count++;
	}
	return count === 0 ? "none" : count > 2 ? `${names} +${count - 2}` : names;
}
