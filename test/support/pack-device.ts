/*
 * A cluster's pack link on Node, for tests: a PackInstaller on fake flash
 * behind a PackReceiver, reached over a TCP port (what the simulator's
 * hosts/sim/pack-link.ts does with the SDK's listener) or fed by hand. A
 * timer stands in for the display tick: each one steps the receiver and
 * writes one flash block of an accepted pack. Node only (vitest).
 */
import { createServer, type Server, type Socket } from "node:net";
import { PackInstaller, type StartedCar } from "../../modules/pack/installer.js";
import { PackReceiver } from "../../modules/pack/receiver.js";
import { PackSlots } from "../../modules/pack/slots.js";
import type { PackSignature } from "../../modules/pack/check.js";
import type { FlashRegion } from "../../modules/storage/flash.js";
import { builtInCar } from "./packs.js";

export interface PackDevice {
	packs: PackInstaller;
	car: StartedCar;
	receiver: PackReceiver;
	/** `127.0.0.1:<port>` of its pack link. */
	where: string;
	port: number;
	/** Stops the link and the tick; the flash stays as it is (a power-off). */
	stop(): Promise<void>;
}

/**
 * One start of the firmware on `flash`, its first display tick reached, its
 * pack link listening. Its clock is the real one unless `options.clock` is
 * given: a test of the link's own timeout moves time itself, so a machine too
 * busy to answer in time cannot end a transfer early.
 */
export async function startPackDevice(flash: FlashRegion, signature: PackSignature, options: { idleMs?: number; chunkBytes?: number; clock?: () => number } = {}): Promise<PackDevice> {
	const packs = new PackInstaller(new PackSlots(flash), signature);
	const car = packs.start(builtInCar());
	packs.started();
	let socket: Socket | null = null;
	const receiver = new PackReceiver({
		installer: packs,
		write: bytes => { socket?.write(bytes); },
		clock: options.clock ?? (() => performance.now()),
		idleMs: options.idleMs,
		chunkBytes: options.chunkBytes,
	});
	const server: Server = createServer(connection => {
		// One host at a time, as the simulator's link: a new one replaces the old.
		socket?.destroy();
		socket = connection;
		connection.on("data", bytes => receiver.receive(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)));
		connection.on("error", () => {});
		connection.on("close", () => {
			if (socket === connection) {
				socket = null;
				receiver.closed();
			}
		});
	});
	await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
	const port = (server.address() as { port: number }).port;
	const tick = setInterval(() => {
		receiver.step();
		if (packs.busy)
			packs.service();
	}, 5);
	return {
		packs, car, receiver, port, where: `127.0.0.1:${port}`,
		async stop() {
			clearInterval(tick);
			socket?.destroy();
			await new Promise<void>(resolve => server.close(() => resolve()));
		},
	};
}
