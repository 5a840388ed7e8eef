/*
 * The CA an mqtts:// broker's certificate is checked against: the config
 * value `mqttCa`, the CA's certificate as DER in hex (`npm start --
 * --mqtt-ca ca.crt` writes it; on a board, `mcconfig ... mqttCa=3082...`).
 * Both hosts hand it to the SDK's TLS socket as `secure.certificate`; both
 * read the broker and its CA from their config with `brokerSettings`, and
 * open the same `TelemetryHost`. Runs on XS and Node; allocates.
 */
import type { FlashRegion } from "../storage/flash.js";
import { parseBroker, type BrokerAddress, type MqttNetwork } from "./mqtt-client.js";

/** What a host opens for telemetry (host/telemetry's openTelemetryHost). */
export interface TelemetryHost {
	broker: BrokerAddress;
	network: MqttNetwork;
	flash: FlashRegion;
	/** The cluster's id in topics and in Home Assistant. */
	node: string;
}

/**
 * The broker (config `mqtt`) and, for mqtts://, its CA (config `mqttCa`, see
 * `brokerCa`) from a build's config: null without a broker, a line saying
 * what is wrong with a bad setting.
 */
export function brokerSettings(config: Record<string, unknown>): { broker: BrokerAddress; ca: ArrayBuffer | null } | string | null {
	const setting = config.mqtt;
	if (typeof setting !== "string" || !setting)
		return null;
	const broker = parseBroker(setting);
	if (typeof broker === "string")
		return broker;
	const ca = broker.secure ? brokerCa(config.mqttCa) : null;
	return typeof ca === "string" ? ca : { broker, ca };
}

/**
 * The certificate in `hex`: null when none is given (the TLS socket then
 * checks against the CAs the SDK builds in), else its DER bytes, or a line
 * saying what is wrong with the value.
 */
export function brokerCa(hex: unknown): ArrayBuffer | null | string {
	if (hex === undefined || hex === null || hex === "")
		return null;
	if (typeof hex !== "string" || hex.length % 2 !== 0 || !/^[0-9a-fA-F]+$/.test(hex))
		return "mqttCa: not a certificate in hex (DER, an even number of hex digits)";
	const certificate = new Uint8Array(hex.length >> 1);
	for (let i = 0; i < certificate.length; i++)
		certificate[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
	// DER: a SEQUENCE (0x30) with a long-form length, as every X.509 certificate is.
	if (certificate[0] !== 0x30 || certificate.length < 64)
		return "mqttCa: not a DER certificate (it does not start with a SEQUENCE)";
	return certificate.buffer;
}
