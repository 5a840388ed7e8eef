/*
 * What the simulator hands the telemetry link (modules/connect/telemetry.ts):
 * the broker from the `mqtt` config value (`npm start -- --mqtt host:port`
 * passes `mqtt=<broker>` to mcconfig), the SDK's ECMA-419 MQTT client
 * (`device.network.mqtt`, set up by the SDK's examples/io/tcp/mqttclient
 * manifest; `device.network.mqtts` for an mqtts:// broker, from its
 * mqttsclient manifest: TLS 1.2 with an RSA certificate, checked against the
 * CA in `mqttCa`) and a flash region for the outbox kept in the
 * Preference store (a file in the simulator), so queued events survive a
 * restart of the simulator as they survive a power cut on the device.
 * Without an `mqtt` config value, telemetry is off (null). Runs in the
 * Moddable simulator; allocates when opened.
 */
import Preference from "preference";
import config from "mc/config";
import type { MqttNetwork } from "connect/mqtt-client";
import { guardedSocket, type SocketClass } from "connect/guarded-socket";
import { brokerSettings, type TelemetryHost } from "connect/broker-ca";
import { PreferenceFlash } from "storage/preference-flash";
import type { Preferences } from "storage/preferences";

/** Preference domain of the outbox (16 blocks of 2 KB: 64 records of 512 bytes). */
export const TELEMETRY_STORAGE = "xsc-tlm";

/** The telemetry's parts, null when no broker is configured; a bad setting is one trace line and null. */
export function openTelemetryHost(): TelemetryHost | null {
	const settings = brokerSettings(config as Record<string, unknown>);
	if (typeof settings === "string")
		trace(`telemetry: ${settings}\n`);
	if (settings === null || typeof settings === "string")
		return null;
	const { broker, ca } = settings;
	const networks = (globalThis as { device?: { network?: Record<string, MqttNetwork | undefined> } }).device?.network;
	let network = networks?.[broker.secure ? "mqtts" : "mqtt"];
	if (!network) {
		trace(`telemetry: this build has no ${broker.secure ? "TLS " : ""}MQTT client (device.network.${broker.secure ? "mqtts" : "mqtt"})\n`);
		return null;
	}
	// The TCP socket under the client (under the TLS socket for mqtts://) with its callbacks guarded: an
	// exception in the SDK's TLS or MQTT code (a certificate it does not trust) is a failed connection, not an abort.
	const socket = network.socket as { io: SocketClass; TCP?: { io: SocketClass } };
	network = { ...network, socket: socket.TCP ? { ...socket, TCP: { ...socket.TCP, io: guardedSocket(socket.TCP.io) } } : { ...socket, io: guardedSocket(socket.io) } };
	// mqtts://: the SDK's TLS socket checks the broker's certificate against the CA given as `mqttCa`
	// (its certificate, DER in hex: npm start -- --mqtt-ca ca.crt); without one, against none it knows.
	if (ca)
		network = { ...network, socket: { ...(network.socket as object), secure: { certificate: ca } } };
	const node = (config as Record<string, unknown>).mqttNode;
	return {
		broker,
		network,
		flash: new PreferenceFlash(Preference as unknown as Preferences, TELEMETRY_STORAGE, 16, 2048),
		node: typeof node === "string" && node ? node : "sim",
	};
}
