/*
 * The shape of a TWAI controller (the ESP32's own CAN controller, an SJA1000
 * relative) as an ECMA-419 style IO object, and the little arithmetic around
 * it: the frame record that `read` and `write` exchange, the status read-out,
 * and the acceptance filter.
 *
 * The native class (hosts/esp32/twai/twai.ts over twai.c beside it) and the
 * mock (test/fixtures/mock-twai.ts) both implement `TwaiIO`; `TwaiSource`
 * (twai-source.ts) only ever sees this shape. Runs on XS and Node; nothing
 * here allocates after module load.
 */
import { EXTENDED_ID_MASK, FrameFlag, MAX_DLC, STANDARD_ID_MASK } from "./frame.js";

/**
 * One frame as `read` delivers it and `write` takes it, little-endian:
 *   bytes 0..3  identifier (11 or 29 bits)
 *   byte  4     `FrameFlag` bits (extended, remote)
 *   byte  5     DLC, 0..8
 *   bytes 6..7  zero
 *   bytes 8..15 data; bytes past the DLC are zero
 */
export const TWAI_RECORD_SIZE = 16;
export const TWAI_RECORD_DATA = 8;

/** Bit rates with a timing preset in ESP-IDF (`TWAI_TIMING_CONFIG_*`) that this project supports. */
export const TWAI_BIT_RATES = Object.freeze([125000, 250000, 500000, 1000000]);

/** Mirrors ESP-IDF's `twai_state_t`. */
export const TwaiState = Object.freeze({
	stopped: 0,
	running: 1,
	busOff: 2,
	recovering: 3,
});

/**
 * Indexes into the `Uint32Array` that `status()` fills: the order of ESP-IDF's
 * `twai_status_info_t`, then `rxDropped`, the controller object's own count.
 */
export const TwaiStatusIndex = Object.freeze({
	state: 0,
	txQueued: 1,
	rxQueued: 2,
	txErrorCounter: 3,
	rxErrorCounter: 4,
	txFailed: 5,
	rxMissed: 6,
	rxOverrun: 7,
	arbitrationLost: 8,
	busErrors: 9,
	/** Oldest frames discarded because more than `twaiQueueKeep` waited (drop-oldest; see `TwaiOptions.rxQueueLength`). */
	rxDropped: 10,
});
export const TWAI_STATUS_LENGTH = 11;

/**
 * Frames a receive queue of `rxQueueLength` keeps waiting: three quarters of
 * it. Whenever more wait, the controller object discards the oldest down to
 * this (counted in `rxDropped`), so the last quarter is headroom for frames
 * that arrive before it looks again and the driver's queue, which would lose
 * the NEWEST frames, does not fill. A queue under 4 frames is never trimmed.
 * twai.c computes the same. No allocation.
 */
export function twaiQueueKeep(rxQueueLength: number): number {
	return rxQueueLength - (rxQueueLength >> 2);
}

/** Raw SJA1000 acceptance filter, as ESP-IDF's `twai_filter_config_t`: a 1 bit in `mask` is "don't care". */
export interface TwaiAcceptance {
	code: number;
	mask: number;
	/** Single filter mode (one 32-bit filter) rather than dual (two 16-bit filters). */
	single: boolean;
}

export interface TwaiOptions {
	/** GPIO of the controller's TX line, to the transceiver's TXD. */
	transmit: number;
	/** GPIO of the controller's RX line, from the transceiver's RXD. */
	receive: number;
	/** One of `TWAI_BIT_RATES`. */
	bitRate: number;
	/** Default: accept everything. `twaiAcceptance()` builds one for an id and mask. */
	filter?: TwaiAcceptance;
	/**
	 * Default true: the controller never drives the bus (no ACK, no error
	 * frames, no transmission). Transmitting takes an explicit `false`.
	 */
	listenOnly?: boolean;
	/**
	 * Frames the driver's receive queue holds (its fixed slots), default 512.
	 * Overload drops the oldest: past `twaiQueueKeep(rxQueueLength)` waiting
	 * frames the oldest are discarded and counted (`TwaiStatusIndex.rxDropped`);
	 * only a burst that outruns the remaining quarter between two looks of the
	 * controller object (10 ms on the ESP32) loses the newest (`rxMissed`).
	 */
	rxQueueLength?: number;
	/**
	 * Frames are waiting; `count` is how many. Batched, not one call per frame:
	 * at most one call per look at the queue (every 10 ms on the ESP32). Runs
	 * on the XS thread.
	 */
	onReadable?: (this: TwaiIO, count: number) => void;
	/**
	 * The controller's state changed (error warning, error passive, bus-off,
	 * recovery) or frames were lost; read `status()`. Not called per bus error:
	 * `status()` counts those. Runs on the XS thread.
	 */
	onError?: (this: TwaiIO) => void;
}

/** What a TWAI controller object offers. Methods throw on a closed object. */
export interface TwaiIO {
	/**
	 * Copies up to `buffer.byteLength / TWAI_RECORD_SIZE` queued frames into
	 * `buffer` as records; returns the number of bytes written, 0 when none
	 * is queued. No allocation.
	 */
	read(buffer: Uint8Array): number;
	/**
	 * Queues one frame record for transmission without waiting.
	 * @throws Error "listen-only" when the controller was opened listen-only; "output full" when the TX queue is full.
	 */
	write(buffer: Uint8Array): void;
	/** Fills `into` (at least `TWAI_STATUS_LENGTH` long) in `TwaiStatusIndex` order. No allocation. */
	status(into: Uint32Array): void;
	/** Starts taking part in the bus. Only from `TwaiState.stopped`. */
	start(): void;
	/** Leaves the bus. Only from `TwaiState.running`. */
	stop(): void;
	/** Starts bus-off recovery; when it completes the controller is stopped, not running. Only from `TwaiState.busOff`. */
	recover(): void;
	/** Stops the controller and releases the driver and its pins. Safe to call twice. */
	close(): void;
}

/** Opens a controller with the given options; the native class's constructor, or a mock's. */
export type TwaiOpen = (options: TwaiOptions) => TwaiIO;

/**
 * Single-filter acceptance code and mask that pass frames whose identifier
 * matches `id` in the bits set in `mask` (a 1 in `mask` is "must match",
 * the CAN convention; the controller's convention is the opposite and this
 * converts). Standard and extended identifiers sit at different bit
 * positions in the SJA1000 filter, so a filter is for one format; RTR and the
 * data bytes are "don't care". The controller applies the same 32 bits to
 * frames of the other format read with that format's layout, so frames of the
 * other format can pass too: `TwaiSource` does not rely on the filter to
 * exclude them. No allocation besides the returned object.
 * @throws RangeError when `id` or `mask` does not fit the format.
 */
export function twaiAcceptance(id: number, mask: number, extended = false): TwaiAcceptance {
	const limit = extended ? EXTENDED_ID_MASK : STANDARD_ID_MASK;
	if (!(Number.isInteger(id) && id >= 0 && id <= limit && Number.isInteger(mask) && mask >= 0 && mask <= limit))
		throw new RangeError(`TWAI filter id and mask must fit ${extended ? 29 : 11} bits`);
	// Standard: ID.10..0 in bits 31..21, RTR in bit 20, data bytes 1 and 2 in bits 15..0.
	// Extended: ID.28..0 in bits 31..3, RTR in bit 2.
	const shift = extended ? 3 : 21;
	const code = (id * 2 ** shift) >>> 0;
	const care = (mask * 2 ** shift) >>> 0;
	return { code, mask: (~care) >>> 0, single: true };
}

/** The filter that passes every frame: ESP-IDF's `TWAI_FILTER_CONFIG_ACCEPT_ALL()`. */
export const TWAI_ACCEPT_ALL: TwaiAcceptance = Object.freeze({ code: 0, mask: 0xFFFFFFFF, single: true });

/** Reads the identifier of the record at `offset`. No allocation. */
export function recordId(buffer: Uint8Array, offset: number): number {
	return (buffer[offset] | (buffer[offset + 1] << 8) | (buffer[offset + 2] << 16) | (buffer[offset + 3] << 24)) >>> 0;
}

/**
 * Writes a frame record at `offset`. No allocation.
 * @throws RangeError when the id does not fit its format or the DLC is above 8.
 */
export function writeRecord(buffer: Uint8Array, offset: number, id: number, flags: number, dlc: number, data: Uint8Array): void {
	const extended = (flags & FrameFlag.extended) !== 0;
	if (!(id >= 0 && id <= (extended ? EXTENDED_ID_MASK : STANDARD_ID_MASK) && dlc >= 0 && dlc <= MAX_DLC))
		throw new RangeError("TWAI frame id or DLC out of range");
	buffer[offset] = id & 0xFF;
	buffer[offset + 1] = (id >>> 8) & 0xFF;
	buffer[offset + 2] = (id >>> 16) & 0xFF;
	buffer[offset + 3] = (id >>> 24) & 0xFF;
	buffer[offset + 4] = flags & (FrameFlag.extended | FrameFlag.remote);
	buffer[offset + 5] = dlc;
	buffer[offset + 6] = 0;
	buffer[offset + 7] = 0;
	const length = (flags & FrameFlag.remote) ? 0 : dlc;
	for (let i = 0; i < MAX_DLC; i++)
		buffer[offset + TWAI_RECORD_DATA + i] = i < length ? data[i] : 0;
}
