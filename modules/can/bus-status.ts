/*
 * Bus health as plain data: the controller's state, its error counters, and
 * what the driver lost or recovered from. Every CAN source that talks to a
 * controller (TWAI, MCP2515, an SLCAN adapter) fills one `BusStatus` in place;
 * the diagnostics page shows it.
 *
 * Runs on XS and Node. Allocates only in `formatBusStatus`.
 */

/**
 * Controller states, after ISO 11898-1's fault confinement:
 * - errorActive: both error counters below 128, the node takes full part in the bus;
 * - errorPassive: a counter at 128 or more, the node may only send passive error flags;
 * - busOff: transmit error counter past 255, the node is off the bus;
 * - recovering: bus-off, and the controller is waiting out the 128 x 11 recessive bits of recovery;
 * - stopped: not started, closed, or stopped after recovery until it is started again.
 */
export const BusState = Object.freeze({
	stopped: 0,
	errorActive: 1,
	errorPassive: 2,
	busOff: 3,
	recovering: 4,
});
export type BusStateValue = typeof BusState[keyof typeof BusState];

/** Error counter value from which a node is error passive (ISO 11898-1). */
export const ERROR_PASSIVE_LIMIT = 128;

const STATE_NAMES = Object.freeze(["stopped", "error-active", "error-passive", "bus-off", "recovering"]);

/** Word for a `BusState`, for logs and the diagnostics page. No allocation. */
export function busStateName(state: number): string {
	return STATE_NAMES[state] ?? "unknown";
}

export class BusStatus {
	state: number = BusState.stopped;
	/** Transmit and receive error counters as the controller reports them. */
	txErrors = 0;
	rxErrors = 0;
	/** Frames moved from the controller into the frame ring. */
	frames = 0;
	/** Hardware overruns: the controller's receive FIFO or buffers were full and a frame was lost. */
	overruns = 0;
	/** Frames lost on arrival because the driver's receive queue was full: the newest ones, lost before anything made room. */
	missed = 0;
	/**
	 * Frames discarded oldest-first because the host fell behind (TWAI: more
	 * waited in the driver's queue than it keeps), so that newer frames could
	 * be kept. A cluster shows the present: this is the overload policy
	 * working, where `missed` is it failing.
	 */
	dropped = 0;
	/** Bus errors (bit, stuff, CRC, form, ACK) the controller counted. */
	busErrors = 0;
	/** Times the controller went bus-off. */
	busOffs = 0;
	/** Recoveries from bus-off completed: the controller is back on the bus (the TWAI node driver and the MCP2515 rejoin by themselves). */
	recoveries = 0;

	/** Zeroes everything. No allocation. */
	reset(): void {
		this.state = BusState.stopped;
		this.txErrors = this.rxErrors = 0;
		this.frames = this.overruns = this.missed = this.dropped = this.busErrors = this.busOffs = this.recoveries = 0;
	}
}

/** One line: `bus-off, tec 255 rec 0, 1200 frames, 2 overruns, 0 missed, 30 dropped, 14 bus errors, 1 bus-off, 0 recovered`. Allocates. */
export function formatBusStatus(status: BusStatus): string {
	return `${busStateName(status.state)}, tec ${status.txErrors} rec ${status.rxErrors}, ${status.frames} frames, ${status.overruns} overruns, ${status.missed} missed, ${status.dropped} dropped, ${status.busErrors} bus errors, ${status.busOffs} bus-off, ${status.recoveries} recovered`;
}
