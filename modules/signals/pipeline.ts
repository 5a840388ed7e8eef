/*
 * Pipeline: the frame ring and the decoder joined, with the counters the
 * health report and the diagnostics page show.
 *
 * CAN sources (a driver, a replayed log, a TCP feed) push frames stamped with
 * the host clock into `ring`; the display clock calls `pump()` to decode what
 * is queued. The decoder is the TypeScript `Decoder` unless the host hands in
 * another with the same shape: the simulator and the ESP32 use the native
 * engine (signals/native-decoder), which drains the whole ring in one call.
 *
 * A tap (the OBD-II poller) that declares its `ids` keeps that one call: the
 * engine stops before the first frame the ids match, the pipeline hands that
 * one frame to the tap (or, when the tap does not take it, decodes it) and
 * calls the engine again. A `recorder` sees every frame before the tap and
 * the decoder; with the native engine its candump lines are written in C
 * over the queued frames before they are pumped (NativeDecoder.record).
 * Without a native engine, or for a tap without `ids`, frames are popped and
 * handed over one by one in TypeScript: the same frames go to the same
 * places either way.
 * Runs on XS and Node; allocates only in the constructor, in `tapIds` and in
 * `formatHealth`.
 */
import { CanFrame, frameBits } from "../can/frame.js";
import type { CandumpRecorder } from "../can/recorder.js";
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
	/**
	 * Drains up to `max` frames of `ring` in one call, counting their bus bits
	 * in `bits`; with `filter` (TapIds), stops before the first frame it matches.
	 */
	pump?(ring: FrameRing, max: number, filter?: Uint32Array | null): number;
	readonly bits?: number;
	/** Records the first `max` queued frames of `ring` into `recorder` in one call, leaving them queued. */
	record?(ring: FrameRing, recorder: CandumpRecorder, max: number): number;
}

/** Takes some frames before the decoder sees them: the OBD-II poller takes its responses. */
export interface FrameTap {
	/** True for a frame this tap takes instead of the decoder. No allocation. */
	takes(frame: CanFrame): boolean;
	/** Receives a frame it takes, stamped with its arrival time. */
	receive(frame: CanFrame, now: number): unknown;
	/**
	 * The ids of every frame `takes` may take (`tapIds`), so that a native
	 * decoder hands only those to TypeScript; a frame outside them is decoded
	 * without asking `takes`. Absent: every frame is offered to `takes`.
	 */
	readonly ids?: Uint32Array;
}

/** One id pattern of a tap: a frame matches when its id length is `extended`'s and its id agrees with `id` on every bit of `mask`. */
export interface TapIdPattern {
	id: number;
	/** Bits of the id that must match; default all 29 (or 11). */
	mask?: number;
	extended: boolean;
}

/** Bit 31 of a TapIds value and mask: the frame has a 29-bit id (decode-engine.h SDE_TAP_EXTENDED). */
const TAP_EXTENDED = 0x80000000;
/** Most patterns a tap may declare (decode-engine.h SDE_TAP_MAX_PAIRS). */
const TAP_MAX_PATTERNS = 16;

/**
 * A tap's ids as the native engine matches them: (value, mask) pairs of
 * 32-bit words, the id with bit 31 set for a 29-bit id. Allocates.
 * @throws RangeError for more than 16 patterns or an id that does not fit.
 */
export function tapIds(patterns: readonly TapIdPattern[]): Uint32Array {
	if (patterns.length > TAP_MAX_PATTERNS)
		throw new RangeError(`a tap declares at most ${TAP_MAX_PATTERNS} id patterns, not ${patterns.length}`);
	const words = new Uint32Array(patterns.length * 2);
	patterns.forEach((p, i) => {
		const all = p.extended ? 0x1FFFFFFF : 0x7FF;
		if (!(Number.isInteger(p.id) && p.id >= 0 && p.id <= all))
			throw new RangeError(`tap id ${p.id} does not fit ${p.extended ? 29 : 11} bits`);
		const mask = ((p.mask ?? all) & all) | TAP_EXTENDED;
		words[i * 2] = ((p.id & mask) | (p.extended ? TAP_EXTENDED : 0)) >>> 0;
		words[i * 2 + 1] = mask >>> 0;
	});
	return words;
}

/** Whether `frame` matches `ids` (tapIds), as the native engine decides it. No allocation. */
export function matchesTapIds(ids: Uint32Array, frame: CanFrame): boolean {
	const key = (frame.id | (frame.extended ? TAP_EXTENDED : 0)) >>> 0;
	for (let i = 0; i < ids.length; i += 2)
		if (((key & ids[i + 1]) >>> 0) === ids[i])
			return true;
	return false;
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
	/** Records every frame pumped, before the tap and the decoder see it, when set. */
	recorder: CandumpRecorder | null = null;
	private readonly frame = new CanFrame();

	constructor(plan: DecodePlan, options: PipelineOptions = {}) {
		this.ring = new FrameRing(options.ringCapacity ?? 256);
		this.decoder = options.decoder ? options.decoder(plan) : new Decoder(plan);
	}

	get store(): SignalStore {
		return this.decoder.store;
	}

	/**
	 * Decodes up to `max` queued frames, recording each first when a recorder
	 * is set and handing the tap's frames to the tap; returns how many were
	 * taken from the ring. No allocation.
	 */
	pump(max = 0x7FFFFFFF): number {
		const ring = this.ring, decoder = this.decoder, tap = this.tap, recorder = this.recorder;
		if (!decoder.pump || (tap !== null && !tap.ids) || (recorder !== null && !decoder.record))
			return this.pumpEach(max);
		if (recorder !== null)
			decoder.record!(ring, recorder, max);
		const before = decoder.bits ?? 0;
		if (tap === null) {
			const count = decoder.pump(ring, max);
			this.bits += (decoder.bits ?? 0) - before;
			this.pumped += count;
			return count;
		}
		// The engine stops before each frame the tap's ids match: hand that one over, then go on in C.
		const frame = this.frame, filter = tap.ids!;
		let count = 0, bits = 0;
		for (;;) {
			count += decoder.pump(ring, max - count, filter);
			if (count >= max || !ring.pop(frame))
				break;
			bits += frameBits(frame.dlc, frame.extended);
			if (tap.takes(frame))
				tap.receive(frame, frame.timestamp);
			else
				decoder.decode(frame);
			count++;
		}
		this.bits += bits + (decoder.bits ?? 0) - before;
		this.pumped += count;
		return count;
	}

	/** `pump` one frame at a time in TypeScript: the recorder, the tap, the decoder. No allocation. */
	private pumpEach(max: number): number {
		const ring = this.ring, decoder = this.decoder, tap = this.tap, recorder = this.recorder, frame = this.frame;
		let count = 0, bits = 0;
		while (count < max && ring.pop(frame)) {
			bits += frameBits(frame.dlc, frame.extended);
			if (recorder !== null)
				recorder.record(frame);
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
