/*
 * The board's pack link: a UART where `xs-cluster pack send CAR.xspack
 * --port /dev/ttyUSB0` delivers a vehicle pack (through a USB-serial adapter
 * on the pins, or the board's own bridge). Off unless the build names the
 * UART: `mcconfig ... packLinkPort=1 packLinkTransmit=17 packLinkReceive=16
 * [packLinkBaud=115200]`. Not UART0 in a debug build (xsbug's), nor the
 * SLCAN adapter's UART; readPackLink (host/board) checks the pins against
 * the chip's rules and the board's other pins, as readBoard does the board's. The bytes go to PackReceiver (modules/pack/receiver.ts),
 * which hands the pack to the installer the MQTT route uses; replies are
 * lines starting `xspack `, so the host skips anything else on the wire.
 * Frames carry 112 bytes of the pack, so one fits the UART's 128-byte FIFO
 * (the SDK reads it directly, without a buffer): about 11 ms at 115200 baud,
 * whatever the display tick is doing. Not tried on a board yet.
 * Runs on the ESP32; allocates when opened and per read.
 */
import config from "mc/config";
import Serial from "embedded:io/serial";
import { readBoard, readPackLink } from "host/board";
import type { PackInstaller } from "pack/installer";
import { PackReceiver } from "pack/receiver";
import { FRAME_OVERHEAD } from "pack/transfer";

/** The ESP32 family's UART FIFOs, receive and transmit, in bytes (SOC_UART_FIFO_LEN). */
const UART_FIFO_BYTES = 128;

export interface PackLink {
	/** What the start line and the trace say. */
	description: string;
	/** From the display tick: drops a stalled transfer, reports a finished write. */
	service(): void;
}

export function openPackLink(installer: PackInstaller): PackLink | null {
	let pins;
	try {
		pins = readPackLink(config as Record<string, unknown>, readBoard(config as Record<string, unknown>));
	}
	catch (error) {
		trace(`pack link: ${(error as Error).message}; no pack link\n`);
		return null;
	}
	if (!pins)
		return null;
	const { port, transmit, receive, baud } = pins;
	let serial: Serial | null = null;
	// Replies wait here for room: the SDK's serial writes straight into the TX FIFO and throws when it is full.
	let pending: Uint8Array | null = null;
	const pump = (room: number) => {
		while (serial && pending && room > 0) {
			const n = Math.min(room, pending.length);
			serial.write(n === pending.length ? pending : pending.subarray(0, n));
			pending = n === pending.length ? null : pending.subarray(n);
			room -= n;
		}
	};
	const receiver = new PackReceiver({
		installer,
		write: bytes => {
			const queued = pending;
			if (queued) {
				const joined = new Uint8Array(queued.length + bytes.length);
				joined.set(queued);
				joined.set(bytes, queued.length);
				pending = joined;
			}
			else {
				pending = bytes;
				pump(UART_FIFO_BYTES / 2); // at most half: the FIFO may still hold the end of the last reply
			}
		},
		clock: () => Date.now(),
		// The SDK's serial reads the 128-byte hardware FIFO itself, with no buffer behind it: a whole frame
		// must fit while a display tick holds the main loop (the host sends the next only once this one is answered).
		chunkBytes: UART_FIFO_BYTES - 4 - FRAME_OVERHEAD - 3,
	});
	try {
		serial = new Serial({
			port, transmit, receive, baud, format: "buffer",
			onReadable() {
				const bytes = this.read();
				if (bytes instanceof ArrayBuffer)
					receiver.receive(new Uint8Array(bytes));
			},
			onWritable(room: number) {
				try {
					pump(room);
				}
				catch {
					pending = null; // the port refused it: the host times out and says so
				}
			},
		});
	}
	catch (error) {
		trace(`pack link: cannot open UART ${port} (${(error as Error).message})\n`);
		return null;
	}
	return { description: `pack link on UART ${port} at ${baud} baud`, service: () => receiver.step() };
}
