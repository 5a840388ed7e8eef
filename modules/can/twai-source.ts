/*
 * TwaiSource: the CAN source for a TWAI controller, and its bus supervisor.
 *
 * It opens the controller through an injected `TwaiOpen` (the native class on
 * the ESP32, a mock in tests), moves frames from the driver's queue into the
 * pipeline's FrameRing stamped with the host clock, follows the controller's
 * state into a `BusStatus`, and brings the controller back from bus-off:
 *
 *   running ──bus-off──► wait the back-off ──recover()──► recovering
 *      ▲                                                     │
 *      └──────────── start() ◄── stopped (recovery done) ◄───┘
 *
 * The back-off starts at `backoffMs` and doubles on every bus-off that comes
 * before the bus has stayed up for `stableMs`, up to `maxBackoffMs`: a
 * controller on a shorted or mis-clocked bus does not spin in recovery.
 *
 * Overload drops the oldest frames, counted, at both places frames wait:
 * - in the driver's queue, while the app is not draining it: past
 *   `twaiQueueKeep(rxQueueLength)` frames the controller object discards the
 *   oldest (`status.dropped`), so the queue never fills and the newest are
 *   never the ones lost (`status.missed` stays 0 unless a burst outruns the
 *   headroom);
 * - in the ring: `drain` moves everything queued, and a full ring drops its
 *   oldest (`ring.dropped`).
 * A drain moves at most one queue's worth (`rxQueueLength`), so it ends even
 * if frames arrive as fast as it moves them. Nothing blocks.
 *
 * Runs on XS and Node; no timer or clock of its own: time comes from `step(now)`
 * and the injected `clock`. Allocates only in the constructor and in `open()`
 * (the options bag handed to the driver).
 */
import { BusState, BusStatus, ERROR_PASSIVE_LIMIT } from "./bus-status.js";
import { FrameFlag, type CanFrame } from "./frame.js";
import type { FrameRing } from "./ring.js";
import {
	TWAI_ACCEPT_ALL, TWAI_RECORD_DATA, TWAI_RECORD_SIZE, TWAI_STATUS_LENGTH, TwaiState, TwaiStatusIndex,
	recordId, writeRecord,
	type TwaiIO, type TwaiOpen, type TwaiOptions,
} from "./twai.js";

/** The controller's own options (TwaiOptions: pins, bit rate, filter, listen-only, queue), and the supervisor's. */
export interface TwaiSourceOptions extends Pick<TwaiOptions, "transmit" | "receive" | "bitRate" | "filter" | "listenOnly" | "rxQueueLength"> {
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
	/** `recover()` called; `start()` follows once the controller reports stopped. */
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
	/** Frames a drain moves at most: the driver's queue length. */
	private readonly drainLimit: number;
	private phase: number = Phase.closed;
	private backoff: number;
	private recoverAt = 0;
	private upSince = 0;
	/** Driver counters of earlier opens: the driver's own restart from zero on every install. */
	private baseMissed = 0;
	private baseDropped = 0;
	private baseOverruns = 0;
	private baseBusErrors = 0;

	constructor(ring: FrameRing, options: TwaiSourceOptions) {
		this.ring = ring;
		this.options = options;
		this.listenOnly = options.listenOnly ?? true;
		this.backoff = options.backoffMs ?? 100;
		this.batch = options.queueRecords ? new Uint8Array(TWAI_BATCH_RECORDS * TWAI_RECORD_SIZE) : null;
		this.drainLimit = options.rxQueueLength ?? 512;
		this.description = `twai ${options.bitRate / 1000} kbit/s ${this.listenOnly ? "listen-only" : "normal"}`;
	}

	get isOpen(): boolean {
		return this.io !== null;
	}

	/** Milliseconds the supervisor will wait before the next recovery. */
	get currentBackoff(): number {
		return this.backoff;
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
		this.upSince = now;
		this.backoff = options.backoffMs ?? 100;
		this.supervise(now);
	}

	/** Stops and releases the controller, keeping the counters. Safe to call twice. */
	close(): void {
		const io = this.io;
		if (!io)
			return;
		io.status(this.info);
		this.baseMissed += this.info[TwaiStatusIndex.rxMissed];
		this.baseDropped += this.info[TwaiStatusIndex.rxDropped];
		this.baseOverruns += this.info[TwaiStatusIndex.rxOverrun];
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
	 * Moves the queued frames into the ring, whose overflow policy drops the
	 * oldest; at most `rxQueueLength` of them. Returns how many. No allocation.
	 */
	drain(now: number): number {
		const io = this.io, ring = this.ring, record = this.record, limit = this.drainLimit;
		if (!io)
			return 0;
		let moved = 0;
		const queue = this.options.queueRecords, batch = this.batch;
		if (queue && batch) {
			// One driver read and one queueing call per 128 frames; a short batch means the queue is empty.
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
	 * Queues `frame` for transmission. Returns false when the TX queue is full.
	 * No allocation.
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
		const tec = info[TwaiStatusIndex.txErrorCounter], rec = info[TwaiStatusIndex.rxErrorCounter];
		status.txErrors = tec;
		status.rxErrors = rec;
		status.missed = this.baseMissed + info[TwaiStatusIndex.rxMissed];
		status.dropped = this.baseDropped + info[TwaiStatusIndex.rxDropped];
		status.overruns = this.baseOverruns + info[TwaiStatusIndex.rxOverrun];
		status.busErrors = this.baseBusErrors + info[TwaiStatusIndex.busErrors];
		const options = this.options;
		switch (info[TwaiStatusIndex.state]) {
			case TwaiState.running:
				status.state = (tec >= ERROR_PASSIVE_LIMIT || rec >= ERROR_PASSIVE_LIMIT) ? BusState.errorPassive : BusState.errorActive;
				if (this.phase !== Phase.running) {
					// Started by someone else (or recovery raced us): treat it as up.
					this.phase = Phase.running;
					this.upSince = now;
				}
				else if (now - this.upSince >= (options.stableMs ?? 10000))
					this.backoff = options.backoffMs ?? 100;
				return;
			case TwaiState.busOff:
				status.state = BusState.busOff;
				if (this.phase !== Phase.waiting) {
					// From recovering: the recovery did not take; wait and try again, not a new bus-off.
					if (this.phase === Phase.running)
						status.busOffs++;
					this.phase = Phase.waiting;
					this.recoverAt = now + this.backoff;
					this.backoff = Math.min(this.backoff * 2, options.maxBackoffMs ?? 5000);
				}
				if (this.phase === Phase.waiting && now >= this.recoverAt) {
					this.phase = Phase.recovering;
					io.recover();
					status.state = BusState.recovering;
				}
				return;
			case TwaiState.recovering:
				status.state = BusState.recovering;
				return;
			default: // stopped
				status.state = BusState.stopped;
				if (this.phase === Phase.recovering) {
					// Recovery leaves the driver stopped: start it again.
					io.start();
					status.recoveries++;
					status.state = BusState.errorActive;
					this.phase = Phase.running;
					this.upSince = now;
				}
				return;
		}
	}
}
