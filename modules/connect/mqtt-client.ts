/*
 * The MQTT client the telemetry link is handed: the shape of the Moddable
 * SDK's ECMA-419 client (`embedded:network/mqtt/client`, examples/io/tcp/
 * mqttclient in the SDK; `device.network.mqtt` on the device, and
 * `device.network.mqtts` for TLS: the same client over
 * `embedded:io/socket/tcp/tls`). The host passes `{ io, ...its options }`;
 * the link adds host, port, id, credentials, will and callbacks and calls
 * `new io(options)`. Tests pass test/support/node-mqtt-client.ts, the same
 * shape on Node's sockets.
 *
 * What the link relies on, as the SDK's client does it: callbacks run with
 * `this` the client; `onControl({operation, id})` for CONNACK, PUBACK and
 * SUBACK; `onReadable(count, {topic, byteLength, QoS, more})` for each piece
 * of an incoming PUBLISH (topic and byteLength on the first), the piece read
 * with `read(count)` inside the callback; `onWritable(count)`: bytes that can
 * be written; `write(data, {topic, QoS, retain, id})` throws when the message
 * does not fit; `onError()` (no reason given) when the connection fails or
 * the broker sends something that is not MQTT, after which the client is
 * closed. Types only; runs anywhere.
 */

export const MqttOperation = Object.freeze({
	CONNECT: 1,
	CONNACK: 2,
	PUBLISH: 3,
	PUBACK: 4,
	SUBSCRIBE: 8,
	SUBACK: 9,
	PINGREQ: 12,
	DISCONNECT: 14,
});

export interface MqttReadableOptions {
	more: boolean;
	topic?: string;
	QoS?: number;
	byteLength?: number;
}

export interface MqttControlMessage {
	operation: number;
	id?: number;
}

export interface MqttWriteOptions {
	operation?: number;
	id?: number;
	topic?: string;
	QoS?: number;
	retain?: boolean;
	duplicate?: boolean;
	byteLength?: number;
	items?: Array<{ topic: string; QoS?: number }>;
}

export interface MqttClient {
	write(data: ArrayBuffer | Uint8Array | null, options: MqttWriteOptions): number;
	read(count?: number): ArrayBuffer | undefined;
	close(): void;
}

export interface MqttClientOptions {
	host: string;
	port?: number;
	id?: string;
	user?: string;
	password?: string | ArrayBuffer;
	clean?: boolean;
	keepAlive?: number;
	will?: { topic: string; message: ArrayBuffer; QoS?: number; retain?: boolean };
	onControl?(this: MqttClient, message: MqttControlMessage): void;
	onReadable?(this: MqttClient, count: number, options: MqttReadableOptions): void;
	onWritable?(this: MqttClient, count: number): void;
	onError?(this: MqttClient, error?: unknown): void;
	onClose?(this: MqttClient): void;
	[option: string]: unknown;
}

/** What the host provides: `device.network.mqtt` (or `.mqtts`), or a test's stand-in. */
export interface MqttNetwork {
	io: new (options: MqttClientOptions) => MqttClient;
	[option: string]: unknown;
}

export interface BrokerAddress {
	host: string;
	port: number;
	/** TLS (mqtts://): the host hands the secure network. */
	secure: boolean;
}

/**
 * Reads a broker as the config gives it: `host:port`, `host` (port 1883),
 * `mqtt://host[:port]` or `mqtts://host[:port]` (TLS, port 8883). Returns
 * the address, or a one-line error naming the setting. Allocates.
 */
export function parseBroker(text: string, setting = "mqtt"): BrokerAddress | string {
	const match = /^(?:(mqtts?):\/\/)?([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(?::([0-9]{1,5}))?\/?$/.exec(text.trim());
	if (!match)
		return `${setting}: '${text}' is not a broker (host:port, mqtt://host:port or mqtts://host:port)`;
	const secure = match[1] === "mqtts";
	const port = match[3] === undefined ? (secure ? 8883 : 1883) : Number(match[3]);
	if (!(port >= 1 && port <= 65535))
		return `${setting}: port ${match[3]} is not 1 to 65535`;
	return { host: match[2], port, secure };
}
