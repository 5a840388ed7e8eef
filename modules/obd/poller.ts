/*
 * ObdPoller: OBD-II mode 01 over ISO 15765-4 (CAN), for cars whose bus the
 * cluster cannot decode, or for the values a DBC lacks.
 *
 * It asks the engine ECU which PIDs it supports (PIDs 0x00, 0x20, 0x40...),
 * then polls only the PIDs the vehicle profile reads and the ECU supports, each
 * at its tier's period (engine and road speed 5-10 Hz, temperatures, fuel and
 * voltage about 1 Hz), skipping any PID whose quantity is fresh on the bus
 * already. One request is in flight at a time, each with a timeout; requests
 * are spaced by the profile's rate limit, so the cluster never floods a bus.
 * Discovery goes to the functional address (0x7DF, or 0x18DB33F1 on 29-bit
 * buses); once an ECU answers, requests go to its physical address (reply
 * 0x7E8 -> request 0x7E0; 0x18DAF1xx -> 0x18DAxxF1). Negative responses and
 * malformed frames are counted, never thrown. Nothing is sent unless the
 * profile enables transmission.
 *
 * Decoded values go into `values`, a SignalStore indexed by PID, with a
 * timeout per PID, which `ProfileInputs` reads for OBD-II sources.
 *
 * Runs on XS and Node. The constructor allocates; `tick` and `receive` do not
 * (one preallocated request frame), so both run on the display or bus clock.
 */
import { CanFrame, FrameFlag } from "../can/frame.js";
import { tapIds } from "../signals/pipeline.js";
import { SignalStore } from "../signals/store.js";
import { decodePid, pidBytes } from "./pids.js";

/** Sends one frame; false when the controller's transmit queue is full (the request is retried later). */
export type Transmit = (frame: CanFrame) => boolean;

export interface PollEntry {
	pid: number;
	/** How often to ask, ms. */
	periodMs: number;
}

export interface ObdPollerOptions {
	transmit: Transmit;
	/** PIDs to poll (the profile's), with their periods; see `pollTiers`. */
	pids: readonly PollEntry[];
	/** The profile allows transmitting. When false the poller stays silent. */
	enabled: boolean;
	/** 29-bit addressing (0x18DB33F1 / 0x18DAF1xx) instead of 11-bit (0x7DF / 0x7E8). */
	extended?: boolean;
	/** Requests per second at most. Default 20, capped at 50. */
	maxRequestsPerSecond?: number;
	/** How long to wait for a response, ms. Default 150 (J1979's P2 is 50 ms; gateways add latency). */
	timeoutMs?: number;
	/** Consecutive timeouts after which the ECU counts as gone and discovery restarts. Default 5. */
	lostAfter?: number;
	/** Wait before discovery is tried again (ignition off, no answer), ms. Default 2000. */
	retryMs?: number;
	/** True when `pid`'s quantity is fresh from the bus at `now`: the poll is skipped. */
	covered?: (pid: number, now: number) => boolean;
}

export const ObdState = Object.freeze({
	/** Transmission not enabled by the profile. */
	disabled: 0,
	/** Asking which PIDs the ECU supports. */
	discovering: 1,
	polling: 2,
	/** No ECU answered; discovery is retried after `retryMs`. */
	waiting: 3,
});

const FUNCTIONAL_11 = 0x7DF;
const FUNCTIONAL_29 = 0x18DB33F1;
const MODE = 0x01;
const POSITIVE = 0x41;
const NEGATIVE = 0x7F;
const RESPONSE_PENDING = 0x78;
/** ISO 15765-4 P2*max: how long an ECU may take after "response pending", ms. */
const P2_EXTENDED_MS = 5000;
/** ISO 15765-2 pads single frames to 8 bytes; 0x55 is what most scan tools send. */
const PADDING = 0x55;

export class ObdPoller {
	/** Decoded values by PID, for ProfileInputs. */
	readonly values: SignalStore;
	/** ObdState. */
	state: number;
	/** Response id of the ECU requests go to, -1 before discovery settles it. */
	ecu = -1;
	/** 1 for each PID the ECU says it supports. */
	readonly supported = new Uint8Array(256);

	/* Counters for the diagnostics page. */
	requests = 0;
	responses = 0;
	timeouts = 0;
	/** Negative responses (0x7F): PID refused or ECU busy. */
	negative = 0;
	/** Frames on a response id that are not a valid answer to the request in flight. */
	malformed = 0;
	/** Positive answers that came after their request timed out. */
	late = 0;
	/** Transmit refused (queue full). */
	txFailed = 0;

	readonly extended: boolean;
	readonly minIntervalMs: number;
	readonly timeoutMs: number;
	private readonly transmit: Transmit;
	private readonly covered: ((pid: number, now: number) => boolean) | undefined;
	private readonly lostAfter: number;
	private readonly retryMs: number;
	private readonly pids: Uint8Array;
	private readonly periods: Float64Array;
	private readonly due: Float64Array;
	private readonly request = new CanFrame();
	/** PID of the request in flight (0x00 during discovery), -1 when none. */
	private inFlight = -1;
	/** When the request in flight times out, ms. */
	private deadline = NaN;
	private lastSent = -Infinity;
	private consecutiveTimeouts = 0;
	/** Discovery: next supported-PIDs range to ask for (0x00, 0x20...). */
	private range = 0;
	private retryAt = 0;

	/** Allocates the value store and schedule. */
	constructor(options: ObdPollerOptions) {
		this.transmit = options.transmit;
		this.extended = options.extended ?? false;
		this.minIntervalMs = 1000 / Math.min(50, Math.max(1, options.maxRequestsPerSecond || 20));
		this.timeoutMs = options.timeoutMs ?? 150;
		this.lostAfter = options.lostAfter ?? 5;
		this.retryMs = options.retryMs ?? 2000;
		this.covered = options.covered;
		const entries = options.pids.filter(entry => entry.pid > 0 && entry.pid < 256 && pidBytes(entry.pid) > 0);
		this.pids = new Uint8Array(entries.map(entry => entry.pid));
		this.periods = new Float64Array(entries.map(entry => entry.periodMs));
		this.due = new Float64Array(entries.length);
		// A value stays valid for three of its periods (at least 1.5 s): one lost answer does not blank a gauge.
		const timeouts = new Float64Array(256).fill(1500);
		for (const entry of entries)
			timeouts[entry.pid] = Math.max(1500, entry.periodMs * 3);
		this.values = new SignalStore(256, timeouts);
		this.state = options.enabled ? ObdState.discovering : ObdState.disabled;
		this.request.dlc = 8;
		this.request.flags = this.extended ? FrameFlag.extended : 0;
		this.ids = tapIds([this.extended ? { id: 0x18DAF100, mask: 0x1FFFFF00, extended: true } : { id: 0x7E8, mask: 0x7F8, extended: false }]);
	}

	/**
	 * FrameTap: the response ids `isResponse` accepts (0x7E8-0x7EF, or
	 * 0x18DAF1xx with 29-bit addressing), so a native pipeline hands only
	 * those frames to `takes`.
	 */
	readonly ids: Uint32Array;

	/** FrameTap: takes OBD-II responses while polling, so the pipeline hands them here instead of the decoder. No allocation. */
	takes(frame: CanFrame): boolean {
		return this.state !== ObdState.disabled && this.isResponse(frame);
	}

	/** True for a frame on an OBD-II response id of this addressing: what the pipeline hands to `receive`. No allocation. */
	isResponse(frame: CanFrame): boolean {
		const extended = (frame.flags & FrameFlag.extended) !== 0;
		if (extended !== this.extended || (frame.flags & (FrameFlag.remote | FrameFlag.error)))
			return false;
		return extended ? (frame.id & 0x1FFFFF00) === 0x18DAF100 : frame.id >= 0x7E8 && frame.id <= 0x7EF;
	}

	/**
	 * True when the ECU has said it does not answer `pid`: discovery is over
	 * and its supported-PIDs bitmaps leave it out, or it refused the PID (a
	 * negative response). False while that is not known yet (discovering, no
	 * ECU answering). No allocation.
	 */
	refuses(pid: number): boolean {
		return this.state === ObdState.polling && !this.supported[pid];
	}

	/** Sends the next request when one is due and allowed; handles timeouts. Call every few ms to every display frame. No allocation. */
	tick(now: number): void {
		// Stryker disable next-line ConditionalExpression: a disabled poller has nothing in flight and no supported PID, so the rest of tick sends nothing either
		if (this.state === ObdState.disabled)
			return;
		if (this.inFlight >= 0) {
			if (now < this.deadline)
				return;
			this.timeouts++;
			this.inFlight = -1;
			if (++this.consecutiveTimeouts >= this.lostAfter || this.state === ObdState.discovering)
				this.lose(now);
		}
		if (this.state === ObdState.waiting) {
			if (now < this.retryAt)
				return;
			this.state = ObdState.discovering;
			this.range = 0;
		}
		if (now - this.lastSent < this.minIntervalMs)
			return;
		if (this.state === ObdState.discovering) {
			this.send(this.range, now);
			return;
		}
		// The most overdue PID that is supported and not on the bus already.
		let best = -1;
		// Stryker disable next-line EqualityOperator: the PID past the last reads as undefined, which is not supported, so it is skipped
		for (let i = 0; i < this.pids.length; i++) {
			const pid = this.pids[i];
			if (!this.supported[pid] || this.due[i] > now)
				continue;
			if (this.covered && this.covered(pid, now)) {
				this.due[i] = now + this.periods[i];
				continue;
			}
			if (best < 0 || this.due[i] < this.due[best])
				best = i;
		}
		if (best >= 0 && this.send(this.pids[best], now))
			this.due[best] = now + this.periods[best];
	}

	/**
	 * Takes a frame from an OBD-II response id (`isResponse`). Returns true when
	 * it answered the request in flight. Never throws; no allocation.
	 */
	receive(frame: CanFrame, now: number): boolean {
		if (this.state === ObdState.disabled || !this.isResponse(frame))
			return false;
		// Stryker disable next-line EqualityOperator: an ECU is a response id (0x7E8 and up), never 0
		if (this.ecu >= 0 && frame.id !== this.ecu)
			return false; // another ECU answering a functional request: not ours to count
		const data = frame.data, dlc = frame.dlc;
		const pci = data[0];
		const length = pci & 0x0F;
		// Single frames only: one PID per request never needs segmentation.
		if (dlc < 3 || (pci & 0xF0) !== 0 || length < 2 || length > 7 || length + 1 > dlc) {
			this.malformed++;
			return false;
		}
		if (data[1] === NEGATIVE) {
			if (data[2] !== MODE || length < 3) {
				this.malformed++;
				return false;
			}
			if (this.inFlight < 0)
				return false;
			if (data[3] === RESPONSE_PENDING) {
				this.deadline = now + P2_EXTENDED_MS; // the ECU asked for more time
				return false;
			}
			const pid = this.inFlight;
			this.negative++;
			this.answered(frame, now);
			if (this.state === ObdState.discovering)
				this.lose(now);
			else
				this.supported[pid] = 0; // refused: stop asking
			return true;
		}
		const pid = data[2];
		if (data[1] === POSITIVE && this.inFlight < 0) {
			this.late++;
			return false;
		}
		if (data[1] !== POSITIVE || pid !== this.inFlight) {
			this.malformed++;
			return false;
		}
		const discovering = this.state === ObdState.discovering;
		const needed = discovering ? 4 : pidBytes(pid);
		if (length - 2 < needed) {
			this.malformed++;
			return false;
		}
		this.responses++;
		this.answered(frame, now);
		if (discovering)
			this.learnSupported(pid, data);
		else
			this.values.set(pid, decodePid(pid, data, 3), now);
		return true;
	}

	private send(pid: number, now: number): boolean {
		const frame = this.request, data = frame.data;
		if (this.ecu < 0)
			frame.id = this.extended ? FUNCTIONAL_29 : FUNCTIONAL_11;
		else
			frame.id = this.extended ? (0x18DA00F1 | ((this.ecu & 0xFF) << 8)) >>> 0 : this.ecu - 8;
		data[0] = 2;
		data[1] = MODE;
		data[2] = pid;
		for (let i = 3; i < 8; i++)
			data[i] = PADDING;
		frame.timestamp = now;
		this.lastSent = now;
		if (!this.transmit(frame)) {
			this.txFailed++;
			return false;
		}
		this.requests++;
		this.inFlight = pid;
		this.deadline = now + this.timeoutMs;
		return true;
	}

	private answered(frame: CanFrame, now: number): void {
		void now;
		this.inFlight = -1;
		this.consecutiveTimeouts = 0;
		if (this.ecu < 0)
			this.ecu = frame.id; // switch from the functional to this ECU's physical address
	}

	/** Records a supported-PIDs bitmask (PID `base`: bits for base+1 .. base+0x20) and moves on. */
	private learnSupported(base: number, data: Uint8Array): void {
		for (let i = 0; i < 32; i++)
			this.supported[base + 1 + i] = (data[3 + (i >> 3)] >> (7 - (i & 7))) & 1;
		if (this.supported[base + 0x20] && base + 0x20 <= 0xE0)
			this.range = base + 0x20;
		else {
			this.state = ObdState.polling;
			this.due.fill(0);
		}
	}

	/** The ECU stopped answering: back to the functional address after a pause. */
	private lose(now: number): void {
		this.state = ObdState.waiting;
		this.retryAt = now + this.retryMs;
		this.ecu = -1;
		this.consecutiveTimeouts = 0;
		this.inFlight = -1;
	}
}

/** Fast tier: engine and road speed, for a needle that moves. */
export const FAST_PIDS: readonly number[] = Object.freeze([0x0C, 0x0D]);

/**
 * Poll periods for a profile's PIDs: 150 ms (about 7 Hz) for engine and road
 * speed, 1 s for temperatures, fuel, voltage and MIL, 10 s for the odometer.
 * Allocates the list.
 */
export function pollTiers(pids: readonly number[]): PollEntry[] {
	return pids.map(pid => ({ pid, periodMs: FAST_PIDS.includes(pid) ? 150 : pid === 0xA6 ? 10000 : 1000 }));
}
