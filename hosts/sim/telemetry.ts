/*
 * What the simulator hands the telemetry link (modules/connect/telemetry.ts):
 * the broker from the `mqtt` config value (`npm start -- --mqtt host:port`
 * passes `mqtt=<broker>` to mcconfig), the SDK's ECMA-419 MQTT client
 * (`device.network.mqtt`, set up by the SDK's examples/io/tcp/mqttclient
 * manifest; `device.network.mqtts` for an mqtts:// broker when the TLS
 * manifest is included) and a flash region for the outbox kept in the
 * Preference store (a file in the simulator), so queued events survive a
 * restart of the simulator as they survive a power cut on the device.
 * Without an `mqtt` config value, telemetry is off (null). Runs in the
 * Moddable simulator; allocates when opened.
 */
import Preference from "preference";
import config from "mc/config";
import type { MqttNetwork, BrokerAddress } from "connect/mqtt-client";
import { parseBroker } from "connect/mqtt-client";
import type { FlashRegion } from "storage/flash";
import { PreferenceFlash } from "storage/preference-flash";
import type { Preferences } from "storage/preferences";

export interface TelemetryHost {
	broker: BrokerAddress;
	network: MqttNetwork;
	flash: FlashRegion;
	/** The cluster's id in topics and in Home Assistant. */
	node: string;
}

/** Preference domain of the outbox (16 blocks of 2 KB: 64 records of 512 bytes). */
export const TELEMETRY_STORAGE = "xsc-tlm";

/** The telemetry's parts, null when no broker is configured; a bad setting is one trace line and null. */
export function openTelemetryHost(): TelemetryHost | null {
	const setting = (config as Record<string, unknown>).mqtt;
	if (typeof setting !== "string" || !setting)
		return null;
	const broker = parseBroker(setting);
	if (typeof broker === "string") {
		trace(`telemetry: ${broker}\n`);
		return null;
	}
	const networks = (globalThis as { device?: { network?: Record<string, MqttNetwork | undefined> } }).device?.network;
	const network = networks?.[broker.secure ? "mqtts" : "mqtt"];
	if (!network) {
		trace(`telemetry: this build has no ${broker.secure ? "TLS " : ""}MQTT client (device.network.${broker.secure ? "mqtts" : "mqtt"})\n`);
		return null;
	}
	const node = (config as Record<string, unknown>).mqttNode;
	return {
		broker,
		network,
		flash: new PreferenceFlash(Preference as unknown as Preferences, TELEMETRY_STORAGE, 16, 2048),
		node: typeof node === "string" && node ? node : "sim",
	};
}
