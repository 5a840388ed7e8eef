/*
 * The simulator's pack link: with a `packLink` config value (`npm start --
 * --pack-link [port]` passes `packLink=<port>`), a TCP port where `xs-cluster
 * pack send CAR.xspack --tcp 127.0.0.1:<port>` delivers a vehicle pack, as it
 * does over a board's serial port. The bytes go to PackReceiver
 * (modules/pack/receiver.ts), which hands the pack to the installer the MQTT
 * route uses. One host at a time: a new connection replaces the one before.
 * The SDK's Linux listener binds every interface: a pack still has to carry
 * the firmware's signature. Without `packLink` there is no link (null).
 * Runs in the Moddable simulator; allocates when opened and per read.
 */
import config from "mc/config";
import Listener from "embedded:io/socket/listener";
import TCP from "embedded:io/socket/tcp";
import type { PackInstaller } from "pack/installer";
import { PackReceiver } from "pack/receiver";

/** Where `--pack-link` alone listens. */
export const PACK_LINK_PORT = 7071;

export interface PackLink {
	/** What the start line and the trace say. */
	description: string;
	/** From the display tick: drops a stalled transfer, reports a finished write. */
	service(): void;
}

export function openPackLink(installer: PackInstaller): PackLink | null {
	const setting = (config as Record<string, unknown>).packLink;
	if (setting === undefined || setting === "" || setting === "0" || setting === "false" || setting === 0)
		return null;
	const port = setting === "1" || setting === "true" || setting === 1 ? PACK_LINK_PORT : Number(setting);
	if (!(Number.isInteger(port) && port > 0 && port < 65536)) {
		trace(`pack link: packLink '${String(setting)}' is not a TCP port\n`);
		return null;
	}
	let socket: TCP | null = null;
	const receiver = new PackReceiver({
		installer,
		write: bytes => socket?.write(bytes),
		clock: () => Date.now(),
	});
	try {
		new Listener({
			port,
			onReadable(count: number) {
				while (count-- > 0) {
					const from = this.read();
					if (!from)
						break;
					if (socket) {
						socket.close();
						receiver.closed();
					}
					const connection: TCP = new TCP({
						from,
						format: "buffer",
						onReadable() {
							receiver.receive(new Uint8Array(this.read() as ArrayBuffer));
						},
						onError() {
							connection.close();
							if (socket === connection) {
								socket = null;
								receiver.closed();
							}
						},
					});
					socket = connection;
				}
			},
		});
	}
	catch (error) {
		trace(`pack link: cannot listen on port ${port} (${(error as Error).message})\n`);
		return null;
	}
	return { description: `pack link on TCP port ${port}`, service: () => receiver.step() };
}
