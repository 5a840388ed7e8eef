/*
 * TwaiSource: the CAN source for a TWAI controller, and its bus supervisor.
 *
 * It opens the controller through an injected `TwaiOpen` (the native class on
 * the ESP32, a mock in tests), moves frames from the controller's receive
 * ring into the pipeline's FrameRing stamped with the host clock, follows the
 * controller's state into a `BusStatus`, and brings the controller back from
 * bus-off:
 *
 *   running ──bus-off──► wait the back-off ──recover()──► recovering
 *      ▲                                                     │
 *      └──────────── error-active (recovery done) ◄──────────┘
 *
 * On ESP-IDF v6.0's node driver a completed recovery leaves the node
 * error-active and taking part in the bus again: nothing is started.
 *
 * The back-off starts at `backoffMs` and doubles on every bus-off that comes
 * before the bus has stayed up for `stableMs`, up to `maxBackoffMs`: a
 * controller on a shorted or mis-clocked bus does not spin in recovery.
 *
 * Overload drops the oldest frames, counted, at both places frames wait:
 * - in the controller's receive ring, filled from the interrupt, while the app
 *   is not draining it: a full ring drops its oldest (`status.dropped`);
 * - in the pipeline's ring: `drain` moves everything waiting, and a full ring
 *   drops its oldest (`ring.dropped`).
 * The newest frames are never the ones lost, so `status.missed` stays 0;
 * `status.overruns` counts frames the driver announced and could not hand
 * over. A drain moves at most one ring's worth (`rxQueueLength`), so it ends
 * even if frames arrive as fast as it moves them. Nothing blocks.
 *
 * Runs on XS and Node; no timer or clock of its own: time comes from `step(now)`
 * and the injected `clock`. Allocates only in the constructor and in `open()`
 * (the options bag handed to the driver).
 */
import { Backoff } from "./backoff.js";
import { BusState, BusStatus, ERROR_PASSIVE_LIMIT } from "./bus-status.js";
import { FrameFlag, type CanFrame } from "./frame.js";
import type { FrameRing } from "./ring.js";
import {
	TWAI_ACCEPT_ALL, TWAI_RECORD_DATA, TWAI_RECORD_SIZE, TWAI_STATUS_LENGTH, TwaiState, TwaiStatusIndex,
	recordId, writeRecord,
	type TwaiIO, type TwaiOpen, type TwaiOptions,
} from "./twai.js";

/** The controller's own options (TwaiOptions: pins, controller, bit rate, filter, listen-only, ring), and the supervisor's. */
export interface TwaiSourceOptions extends Pick<TwaiOptions, "transmit" | "receive" | "controller" | "bitRate" | "filter" | "listenOnly" | "rxQueueLength"> {
	/** Opens the controller: `(options) => new Twai(options)` on the device. */
	open: TwaiOpen;
	/** Milliseconds, monotonic; stamps frames moved from `onReadable`. */
	clock: () => number;
	/** First wait before recovery, ms. Default 100. */
	backoffMs?: number;
	/** Longest wait before recovery, ms. Default 5000. */
	maxBackoffMs?: number;
	/** Time up after which the back-off starts again from `backoffMs`. Default 10000. */
	stableMs?: number;
	/**
	 * Queues a batch of driver records into the ring in one call, as the native
	 * engine's `NativeDecoder.pushRecords` does; without it frames are queued
	 * one at a time in TypeScript. Returns the frames the ring dropped.
	 */
	queueRecords?: (ring: FrameRing, records: Uint8Array, count: number, now: number) => number;
}

/** Records read from the driver in one call when `queueRecords` is given. */
export const TWAI_BATCH_RECORDS = 128;

const EXTENDED_OR_REMOTE = FrameFlag.extended | FrameFlag.remote;

/** Supervisor phases. */
const Phase = Object.freeze({
	closed: 0,
	running: 1,
	/** Bus-off seen; `recover()` is due at `recoverAt`. */
	waiting: 2,
	/** `recover()` called; running again once the controller reports an error-active (or -warning, -passive) state. */
	recovering: 3,
});

export class TwaiSource {
	readonly status = new BusStatus();
	readonly ring: FrameRing;
	/** "twai 500 kbit/s listen-only" */
	readonly description: string;

	private io: TwaiIO | null = null;
	private readonly options: TwaiSourceOptions;
	private readonly listenOnly: boolean;
	private readonly record = new Uint8Array(TWAI_RECORD_SIZE);
	/** Batch buffer for `queueRecords`, allocated only when it is given. */
	private readonly batch: Uint8Array | null;
	private readonly txRecord = new Uint8Array(TWAI_RECORD_SIZE);
	private readonly info = new Uint32Array(TWAI_STATUS_LENGTH);
	/** Frames a drain moves at most: the controller's ring length. */
	private readonly drainLimit: number;
	private phase: number = Phase.closed;
	/** Bus-off recovery waits (modules/can/backoff.ts): backoffMs doubling to maxBackoffMs, from the start after stableMs up. */
	private readonly backoff: Backoff;
	private recoverAt = 0;
	/** Controller counters of earlier opens: the controller object's own start from zero at every open. */
	private baseDropped = 0;
	private baseOverruns = 0;
	private baseBusErrors = 0;

	constructor(ring: FrameRing, options: TwaiSourceOptions) {
		this.ring = ring;
		this.options = options;
		this.listenOnly = options.listenOnly ?? true;
		this.backoff = new Backoff({ firstMs: options.backoffMs ?? 100, maxMs: options.maxBackoffMs ?? 5000, stableMs: options.stableMs ?? 10000 });
		this.batch = options.queueRecords ? new Uint8Array(TWAI_BATCH_RECORDS * TWAI_RECORD_SIZE) : null;
		this.drainLimit = options.rxQueueLength ?? 512;
		this.description = `twai ${options.bitRate / 1000} kbit/s ${this.listenOnly ? "listen-only" : "normal"}`;
	}

	get isOpen(): boolean {
		return this.io !== null;
	}

	/** Milliseconds the supervisor will wait before the next recovery. */
	get currentBackoff(): number {
		return this.backoff.wait;
	}

	/**
	 * Opens and starts the controller. Allocates the driver's options bag.
	 * @throws what the driver throws (pins in use, bad bit rate).
	 */
	open(now: number): void {
		if (this.io)
			return;
		const options = this.options;
		const source = this;
		const io = options.open({
			transmit: options.transmit,
			receive: options.receive,
			controller: options.controller ?? 0,
			bitRate: options.bitRate,
			filter: options.filter ?? TWAI_ACCEPT_ALL,
			listenOnly: this.listenOnly,
			rxQueueLength: options.rxQueueLength ?? 512,
			onReadable() {
				source.drain(source.options.clock());
			},
			onError() {
				source.supervise(source.options.clock());
			},
		});
		try {
			io.start();
		}
		catch (e) {
			io.close();
			throw e;
		}
		this.io = io;
		this.phase = Phase.running;
		this.backoff.up(now);
		this.backoff.reset();
		this.supervise(now);
	}

	/** Stops and releases the controller, keeping the counters. Safe to call twice. */
	close(): void {
		const io = this.io;
		if (!io)
			return;
		io.status(this.info);
		this.baseDropped += this.info[TwaiStatusIndex.rxDropped];
		this.baseOverruns += this.info[TwaiStatusIndex.rxLost];
		this.baseBusErrors += this.info[TwaiStatusIndex.busErrors];
		this.io = null;
		this.phase = Phase.closed;
		io.close();
		this.status.state = BusState.stopped;
		this.status.txErrors = this.status.rxErrors = 0;
	}

	/** The display clock's call: runs the supervisor and moves queued frames into the ring. No allocation. */
	step(now: number): void {
		if (!this.io)
			return;
		this.supervise(now);
		this.drain(now);
	}

	/**
	 * Moves the waiting frames into the ring, whose overflow policy drops the
	 * oldest; at most `rxQueueLength` of them. Returns how many. No allocation.
	 */
	drain(now: number): number {
		const io = this.io, ring = this.ring, record = this.record, limit = this.drainLimit;
		if (!io)
			return 0;
		let moved = 0;
		const queue = this.options.queueRecords, batch = this.batch;
		if (queue && batch) {
			// One controller read and one queueing call per 128 frames; a short batch means its ring is empty.
			while (moved < limit) {
				const count = (io.read(batch) / TWAI_RECORD_SIZE) | 0;
				if (count === 0)
					break;
				queue(ring, batch, count, now);
				moved += count;
				if (count < TWAI_BATCH_RECORDS)
					break;
			}
		}
		else {
			while (moved < limit && io.read(record) >= TWAI_RECORD_SIZE) {
				const flags = record[4] & EXTENDED_OR_REMOTE;
				const dlc = record[5];
				ring.pushFields(recordId(record, 0), flags, dlc, record, TWAI_RECORD_DATA, (flags & FrameFlag.remote) ? 0 : dlc, now);
				moved++;
			}
		}
		this.status.frames += moved;
		return moved;
	}

	/**
	 * Queues `frame` for transmission. Returns false when the controller
	 * refuses it (transmit queue full, bus-off). No allocation.
	 * @throws Error "listen-only" when the source was not opened with `listenOnly: false`; "closed".
	 */
	send(frame: CanFrame): boolean {
		if (this.listenOnly)
			throw new Error("listen-only");
		const io = this.io;
		if (!io || this.phase !== Phase.running)
			throw new Error("closed");
		writeRecord(this.txRecord, 0, frame.id, frame.flags, frame.dlc, frame.data);
		try {
			io.write(this.txRecord);
		}
		catch {
			return false;
		}
		return true;
	}

	/** Reads the controller's status and takes the next step out of bus-off when one is due. No allocation. */
	supervise(now: number): void {
		const io = this.io;
		if (!io)
			return;
		const info = this.info, status = this.status;
		io.status(info);
		status.txErrors = info[TwaiStatusIndex.txErrorCounter];
		status.rxErrors = info[TwaiStatusIndex.rxErrorCounter];
		status.dropped = this.baseDropped + info[TwaiStatusIndex.rxDropped];
		status.overruns = this.baseOverruns + info[TwaiStatusIndex.rxLost];
		status.busErrors = this.baseBusErrors + info[TwaiStatusIndex.busErrors];
		const options = this.options, state = info[TwaiStatusIndex.state];
		switch (state) {
			case TwaiState.errorActive:
			case TwaiState.errorWarning:
			case TwaiState.errorPassive:
				// BusStatus has no warning state: ISO 11898-1's warning is a part of error-active.
				status.state = state === TwaiState.errorPassive ? BusState.errorPassive : BusState.errorActive;
				if (this.phase === Phase.recovering) {
					// The recovery completed: the node takes part in the bus again by itself.
					status.recoveries++;
					this.phase = Phase.running;
					this.backoff.up(now);
				}
				else if (this.phase !== Phase.running) {
					this.phase = Phase.running;
					this.backoff.up(now);
				}
				else
					this.backoff.settle(now);
				return;
			case TwaiState.busOff:
				status.state = BusState.busOff;
				if (this.phase !== Phase.waiting) {
					// From recovering: the controller reports recovering until the node leaves bus-off,
					// so this is a recovery that completed and a new bus-off before this look.
					if (this.phase === Phase.recovering)
						status.recoveries++;
					status.busOffs++;
					this.phase = Phase.waiting;
					this.recoverAt = this.backoff.fail(now);
				}
				if (now >= this.recoverAt) {
					this.phase = Phase.recovering;
					io.recover();
					status.state = BusState.recovering;
				}
				return;
			case TwaiState.recovering:
				status.state = BusState.recovering;
				return;
			default: // stopped: not by this supervisor, which never stops the controller
				status.state = BusState.stopped;
				return;
		}
	}
}
