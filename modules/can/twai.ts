/*
 * The shape of a TWAI controller (the ESP32's own CAN controller, an SJA1000
 * relative) as an ECMA-419 style IO object, and the little arithmetic around
 * it: the frame record that `read` and `write` exchange, the status read-out,
 * and the acceptance filter. The native class runs on ESP-IDF v6.0's TWAI
 * node driver (esp_twai.h, esp_twai_onchip.h).
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
 *   bytes 8..15 data; bytes past the DLC (all of a remote frame's) are zero
 * The receive ring in C (hosts/esp32/twai/twai-rx-ring.h) holds records in
 * this layout, so `read` is one copy.
 */
export const TWAI_RECORD_SIZE = 16;
export const TWAI_RECORD_DATA = 8;

/**
 * Bit rates this project supports. ESP-IDF v6.0's node driver computes the
 * timing from the bit rate alone (twai_node_timing_calc_param, sample point
 * 75 % at 1 Mbit/s, 80 % from 500 kbit/s, 87.5 % below): these are the
 * rates cars and trucks use.
 */
export const TWAI_BIT_RATES = Object.freeze([125000, 250000, 500000, 1000000]);

/**
 * The controller's state as `status()` reports it. The four error states are
 * ESP-IDF v6.0's `twai_error_state_t` (TEC or REC from 96 warning, from 128
 * passive, TEC past 255 bus-off); `stopped` and `recovering` are the
 * controller object's own knowledge, which the node driver does not report
 * (it says bus-off for a node that is disabled or recovering).
 *
 * A listen-only node on ESP32, ESP32-S3 and ESP32-C3 reads error-passive with
 * REC 128 from the start: the driver's workaround for those chips' listen-only
 * erratum (twai_hal_start in esp_hal_twai/twai_hal_v1.c). Its counters stay
 * frozen while it listens.
 */
export const TwaiState = Object.freeze({
	/** Not taking part in the bus: before `start()`, after `stop()`. */
	stopped: 0,
	errorActive: 1,
	errorWarning: 2,
	errorPassive: 3,
	/** Off the bus; `recover()` brings it back. */
	busOff: 4,
	/** `recover()` called; error-active again after 128 x 11 recessive bits. */
	recovering: 5,
});

/**
 * Indexes into the `Uint32Array` that `status()` fills: the node's state and
 * error counters (`twai_node_get_info`), then the controller object's own
 * counts since it was opened.
 */
export const TwaiStatusIndex = Object.freeze({
	/** `TwaiState`. */
	state: 0,
	txErrorCounter: 1,
	rxErrorCounter: 2,
	/**
	 * Bus errors the driver reported (its on_error callback; on these chips
	 * arbitration losses while transmitting count too). Unlike the driver's
	 * `bus_err_num`, not zeroed by `recover()`.
	 */
	busErrors: 3,
	/** Frames waiting in the receive ring. */
	rxQueued: 4,
	/** Frames the receive callback put into the ring. */
	received: 5,
	/** Oldest frames the ring discarded because it was full (drop-oldest; see `TwaiOptions.rxQueueLength`). */
	rxDropped: 6,
	/**
	 * Frames the driver announced that the callback could not read. The node
	 * driver clears hardware receive FIFO overruns without telling its
	 * callbacks, so those are not counted anywhere.
	 */
	rxLost: 7,
});
export const TWAI_STATUS_LENGTH = 8;

/**
 * An acceptance filter as ESP-IDF v6.0's `twai_mask_filter_config_t`: a frame
 * passes when its identifier equals `id` in every bit set in `mask` (1 = must
 * match, 0 = any) and its format is the filter's. On these chips the format
 * is checked by the driver in software (twai_hal_soft_filter_check_msg), so a
 * standard filter passes no extended frame and the other way round, except
 * for `TWAI_ACCEPT_ALL` (id and mask 0), which passes both.
 */
export interface TwaiAcceptance {
	/** The identifier; in dual mode two 16-bit halves as `twaiDualAcceptance` lays them out. */
	id: number;
	/** 1 = this bit must match. */
	mask: number;
	/** For 29-bit identifiers (`is_ext`); otherwise 11-bit. */
	extended: boolean;
	/** Two filters of 16 bits (`dual_filter`) rather than one. */
	dual: boolean;
}

export interface TwaiOptions {
	/** GPIO of the controller's TX line, to the transceiver's TXD. */
	transmit: number;
	/** GPIO of the controller's RX line, from the transceiver's RXD. */
	receive: number;
	/** One of `TWAI_BIT_RATES`. */
	bitRate: number;
	/** Which TWAI controller: 0 (default), or 1 on a chip with two (ESP32-C6). */
	controller?: number;
	/** Default: accept everything. `twaiAcceptance()` builds one for an id and mask. */
	filter?: TwaiAcceptance;
	/**
	 * Default true: the controller never drives the bus (no ACK, no error
	 * frames, no transmission). Transmitting takes an explicit `false`.
	 */
	listenOnly?: boolean;
	/**
	 * Frames the receive ring holds, a power of two from 2 to 4096, default
	 * 512 (8 KB of internal RAM on the ESP32). The driver has no receive queue:
	 * its receive callback copies each frame into this ring from the interrupt.
	 * A full ring drops its OLDEST frame for the new one and counts it
	 * (`TwaiStatusIndex.rxDropped`).
	 */
	rxQueueLength?: number;
	/**
	 * Frames are waiting; `count` is how many. Batched, not one call per frame:
	 * at most one call per period (10 ms on the ESP32), and none in a period
	 * when nothing arrived and nothing changed. Runs on the XS thread.
	 */
	onReadable?: (this: TwaiIO, count: number) => void;
	/**
	 * The controller's state changed (error warning, error passive, bus-off,
	 * back to error-active) or frames were lost; read `status()`. Batched like
	 * `onReadable` and called before it; not called for bus errors, which
	 * `status()` counts. Runs on the XS thread.
	 */
	onError?: (this: TwaiIO) => void;
}

/** What a TWAI controller object offers. Methods throw on a closed object. */
export interface TwaiIO {
	/**
	 * Copies up to `buffer.byteLength / TWAI_RECORD_SIZE` received frames, the
	 * oldest first, into `buffer` as records; returns the number of bytes
	 * written, 0 when none is waiting. No allocation.
	 */
	read(buffer: Uint8Array): number;
	/**
	 * Queues one frame record for transmission without waiting.
	 * @throws Error "listen-only" when the controller was opened listen-only;
	 * "stopped" before `start()`; "bus-off" off the bus; "output full" when the
	 * transmit queue is full.
	 */
	write(buffer: Uint8Array): void;
	/** Fills `into` (at least `TWAI_STATUS_LENGTH` long) in `TwaiStatusIndex` order. No allocation. */
	status(into: Uint32Array): void;
	/** Takes part in the bus (`twai_node_enable`). Only from `TwaiState.stopped`. */
	start(): void;
	/**
	 * Leaves the bus (`twai_node_disable`). Only from error-active, -warning or
	 * -passive: the driver refuses while the node is bus-off or recovering.
	 */
	stop(): void;
	/**
	 * Starts bus-off recovery (`twai_node_recover`). The state is `recovering`
	 * until 128 x 11 recessive bits have passed, then error-active: the node
	 * runs again by itself, no `start()` follows. Only from `TwaiState.busOff`.
	 */
	recover(): void;
	/** Leaves the bus and releases the driver, its pins and the ring. Safe to call twice. */
	close(): void;
}

/** Opens a controller with the given options; the native class's constructor, or a mock's. */
export type TwaiOpen = (options: TwaiOptions) => TwaiIO;

function checkId(id: number, mask: number, extended: boolean): void {
	const limit = extended ? EXTENDED_ID_MASK : STANDARD_ID_MASK;
	if (!(Number.isInteger(id) && id >= 0 && id <= limit && Number.isInteger(mask) && mask >= 0 && mask <= limit))
		throw new RangeError(`TWAI filter id and mask must fit ${extended ? 29 : 11} bits`);
}

/**
 * The filter that passes frames of one format whose identifier equals `id`
 * in the bits set in `mask` (1 = must match). No allocation besides the
 * returned object.
 * @throws RangeError when `id` or `mask` does not fit the format.
 */
export function twaiAcceptance(id: number, mask: number, extended = false): TwaiAcceptance {
	checkId(id, mask, extended);
	return { id, mask, extended, dual: false };
}

/**
 * Two filters in one, as ESP-IDF's `twai_make_dual_filter`: a frame of the
 * format passes when it matches either. A standard filter compares all 11
 * bits; an extended one only identifier bits 28..13 (the hardware's dual mode
 * has 16 bits per filter). No allocation besides the returned object.
 * @throws RangeError when an id or mask does not fit the format.
 */
export function twaiDualAcceptance(id1: number, mask1: number, id2: number, mask2: number, extended = false): TwaiAcceptance {
	checkId(id1, mask1, extended);
	checkId(id2, mask2, extended);
	if (extended)
		return { id: (((id1 >>> 13) << 16) | (id2 >>> 13)) >>> 0, mask: (((mask1 >>> 13) << 16) | (mask2 >>> 13)) >>> 0, extended, dual: true };
	return { id: ((id1 << 21) | (id2 << 5)) >>> 0, mask: ((mask1 << 21) | (mask2 << 5)) >>> 0, extended, dual: true };
}

/** The filter that passes every frame, standard and extended: the driver's default. */
export const TWAI_ACCEPT_ALL: TwaiAcceptance = Object.freeze({ id: 0, mask: 0, extended: false, dual: false });

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
