/*
 * The ESP32's CAN source: the board's CAN input (the TWAI controller, an
 * MCP2515 on SPI, or an SLCAN adapter on a UART, as `canDriver` in the board
 * config says) opened onto the pipeline's ring, as a `CanSource`
 * (modules/can/source.ts) with `bus`: the controller's health for the
 * diagnostics page.
 *
 * Time base: main.ts passes `step` a "now" of its own (milliseconds since its
 * start). Frames read between steps, from a driver callback, are stamped on
 * the same base: the offset to `Date.now()` is taken at every step.
 *
 * Runs on the ESP32. Allocates when opening (and tracing a failed open);
 * `step` does not.
 */
import config from "mc/config";
import Digital from "embedded:io/digital";
import Serial from "embedded:io/serial";
import SPI from "embedded:io/spi";
import { Backoff } from "can/backoff";
import type { CanFrame } from "can/frame";
import { Mcp2515Source } from "can/mcp2515";
import type { FrameRing } from "can/ring";
import type { CanSource, CanSourceOptions } from "can/source";
import type { DecodePlan } from "signals/plan";
import { SlcanSerialSource, type SerialIO } from "can/slcan-serial";
import { slcanParser } from "can/native-slcan";
import { TwaiSource } from "can/twai-source";
import { readBoard } from "host/board";
import Twai from "host/twai";

/**
 * Frame slots the pipeline's ring needs here: a saturated 1 Mbit/s bus brings
 * about 300 frames per 33 ms display tick, more than the Pipeline's default
 * 256. For main.ts: `new Pipeline(plan, { ringCapacity: CAN_RING_CAPACITY })`.
 */
export const CAN_RING_CAPACITY = 512;


/** What main.ts may pass; the simulator's demo car uses it, a real bus needs none of it. */
export type { CanSource, CanSourceOptions } from "can/source";

/** Opens the board's CAN input. `plan` and `options.odometerKm` are unused here (the simulator's demo drive uses them). */
export function openCanSource(ring: FrameRing, plan?: DecodePlan, options: CanSourceOptions = {}): CanSource {
	const board = readBoard(config);
	let offset = Date.now();
	const clock = () => Date.now() - offset;
	let source: TwaiSource | Mcp2515Source | SlcanSerialSource;
	switch (board.canDriver) {
		case "mcp2515":
			source = new Mcp2515Source(ring, {
				openSpi: () => new SPI({
					port: board.spiPort, clock: board.spiClock, out: board.spiOut, in: board.spiIn,
					select: board.mcp2515Select, active: 0, hz: board.mcp2515Hz, mode: 0,
				}),
				openInterrupt: (onInterrupt) => new Digital({
					pin: board.mcp2515Interrupt, mode: Digital.InputPullUp, edge: Digital.Falling,
					onReadable: onInterrupt,
				}),
				clock,
				crystal: board.mcp2515Crystal,
				bitRate: board.canBitRate,
				listenOnly: board.canListenOnly,
			});
			break;
		case "slcan":
			source = new SlcanSerialSource(ring, {
				openSerial: (callbacks) => new Serial({
					port: board.slcanPort, transmit: board.slcanTransmit, receive: board.slcanReceive,
					baud: board.slcanBaud, format: "buffer",
					onReadable: callbacks.onReadable as (this: Serial, bytes: number) => void,
				}) as unknown as SerialIO,
				clock,
				bitRate: board.canBitRate,
				listenOnly: board.canListenOnly,
				// The C parser (modules/signals/native): about 1,200 x86 instructions a frame in XS, against 79,000.
				parser: slcanParser,
			});
			break;
		default:
			source = new TwaiSource(ring, {
				open: (options) => new Twai(options),
				clock,
				transmit: board.twaiTransmit,
				receive: board.twaiReceive,
				controller: board.twaiController,
				bitRate: board.canBitRate,
				listenOnly: board.canListenOnly,
				queueRecords: options.queueRecords,
			});
			break;
	}
	// A controller that does not open (no MCP2515 on the bus, pins taken) leaves
	// the cluster up, showing every signal missing; opening is retried on the
	// sources' one back-off policy, 2 s doubling to a minute.
	const backoff = new Backoff({ firstMs: OPEN_RETRY_FIRST_MS, maxMs: OPEN_RETRY_MAX_MS });
	let retryAt = tryOpen(source, clock(), backoff);
	// Transmitting (OBD-II requests) is an explicit setting: canListenOnly=false, on a controller that sends.
	const sender = !board.canListenOnly && !(source instanceof SlcanSerialSource) ? source : null;
	return {
		description: source.description,
		bitRate: board.canBitRate,
		bus: source.status,
		transmit: sender ? (frame: CanFrame) => {
			try {
				return sender.isOpen && sender.send(frame);
			}
			catch {
				return false;
			}
		} : undefined,
		step(now: number) {
			offset = Date.now() - now;
			if (!source.isOpen) {
				if (now >= retryAt)
					retryAt = tryOpen(source, now, backoff);
				return;
			}
			source.step(now);
		},
	};
}

/** First and longest wait before trying again to open a controller that failed to open, ms. */
const OPEN_RETRY_FIRST_MS = 2000;
const OPEN_RETRY_MAX_MS = 60000;

/** Opens `source`; returns when to try again if it failed (traced), else Infinity. */
function tryOpen(source: TwaiSource | Mcp2515Source | SlcanSerialSource, now: number, backoff: Backoff): number {
	try {
		source.open(now);
		backoff.reset();
		return Infinity;
	}
	catch (e) {
		const at = backoff.fail(now);
		trace(`can: ${source.description} did not open: ${(e as Error).message}; again in ${at - now} ms\n`);
		return at;
	}
}
