/*
 * What the ESP32 hands the telemetry link (modules/connect/telemetry.ts):
 * the broker from the `mqtt` config value (`mcconfig ... mqtt=host:port`,
 * with `ssid=` and `password=` for Wi-Fi, which hosts/esp32/network-setup.ts
 * starts without waiting), the SDK's ECMA-419 MQTT client
 * (the one the SDK's examples/io/tcp/mqttclient sets up as
 * `device.network.mqtt`; for an mqtts:// broker the same client over the
 * SDK's TLS socket, examples/io/tcp/tlssocket, as its mqttsclient does,
 * checking the broker's certificate against the CA in the `mqttCa` config
 * value, DER in hex, else against the CAs the SDK builds in) and the
 * outbox's flash: the `xsc-tlm` data
 * partition (hosts/esp32/partitions.csv, 64 KB: 16 blocks of 4 KB), so
 * queued events survive a power cut. The node id is the `mqttNode` config
 * value, else the `node` preference in domain `xsc-tlm`, else `xsc-` and the
 * station MAC (unique per board, stable across reflashing). Without an
 * `mqtt` config value, telemetry is off (null).
 * Runs on the ESP32; allocates when opened.
 */
import Flash from "flash";
import Net from "net";
import Preference from "preference";
import config from "mc/config";
import MQTTClient from "embedded:network/mqtt/client";
import TCP from "embedded:io/socket/tcp";
import TLSSocket from "embedded:io/socket/tcp/tls";
import { guardedSocket, type SocketClass } from "connect/guarded-socket";
import UDP from "embedded:io/socket/udp";
import Resolver from "embedded:network/dns/resolver/udp";
import type { MqttNetwork } from "connect/mqtt-client";
import type { FlashRegion } from "storage/flash";
import { brokerSettings, type TelemetryHost } from "connect/broker-ca";

/** Partition name of the outbox (and the Preference domain of the `node` setting). */
export const TELEMETRY_STORAGE = "xsc-tlm";

/** The node id: config, then preference, then the MAC (`xsc-a4d18cdbc020`); "esp32" when the board reports no MAC. */
function nodeId(): string {
	const configured = (config as Record<string, unknown>).mqttNode;
	if (typeof configured === "string" && configured)
		return configured;
	const preferred = Preference.get(TELEMETRY_STORAGE, "node");
	if (typeof preferred === "string" && preferred)
		return preferred;
	// Net.get returns undefined while the station interface does not exist yet.
	const mac = Net.get("MAC") as string | undefined;
	return mac ? "xsc-" + mac.replace(/:/g, "").toLowerCase() : "esp32";
}

/** The telemetry's parts, null when no broker is configured; a bad setting or a missing partition is one trace line and null. */
export function openTelemetryHost(): TelemetryHost | null {
	const settings = brokerSettings(config as Record<string, unknown>);
	if (typeof settings === "string")
		trace(`telemetry: ${settings}\n`);
	if (settings === null || typeof settings === "string")
		return null;
	const { broker, ca } = settings;
	// Guarded: an exception in the SDK client's callbacks (or, under TLS, in the handshake: a certificate
	// the CA did not sign) is a failed connection and a back-off, not an XS abort.
	const tcp = { io: guardedSocket(TCP as unknown as SocketClass) };
	let socket: object = tcp;
	if (broker.secure)
		// As the SDK's mqttsclient/config: the TLS socket over TCP, TLS 1.2.
		socket = ca ? { io: TLSSocket, TCP: tcp, secure: { certificate: ca } } : { io: TLSSocket, TCP: tcp };
	// What the SDK's mqttclient/config puts in device.network.mqtt; DNS servers for a broker given by name.
	const network = {
		io: MQTTClient,
		dns: { io: Resolver, servers: ["1.1.1.1", "8.8.8.8"], socket: { io: UDP } },
		socket,
	} as unknown as MqttNetwork;
	let flash: FlashRegion;
	try {
		flash = new Flash(TELEMETRY_STORAGE) as unknown as FlashRegion;
	}
	catch (error) {
		// A board flashed with an older partition table has no xsc-tlm.
		trace(`telemetry: no ${TELEMETRY_STORAGE} partition (${(error as Error).message})\n`);
		return null;
	}
	return { broker, network, flash, node: nodeId() };
}
