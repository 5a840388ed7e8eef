/*
 * NodeMqttClient: the ECMA-419 MQTT client shape (modules/connect/
 * mqtt-client.ts, the Moddable SDK's `embedded:network/mqtt/client`) on
 * Node's sockets, MQTT 3.1.1, so the telemetry link runs against a real
 * Mosquitto in tests, and tests subscribe with it too; over TLS (node:tls)
 * when the network carries `socket: { secure: {...} }`.
 *
 * Behaves like the SDK's client where the link depends on it: callbacks with
 * `this` the client; `onControl` for CONNACK, PUBACK, SUBACK; an incoming
 * PUBLISH arrives as `onReadable(count, {topic, byteLength, QoS, more})`
 * pieces (topic on the first) read with `read(count)` inside the callback,
 * QoS 1 answered with PUBACK; `write` throws before CONNACK and when the
 * message does not fit; `onError()` once when the connection fails, the
 * broker refuses it, or sends something that is not MQTT (then closed);
 * nothing after `close()`. Node (tests) only; allocates freely.
 */
import { connect, type Socket } from "node:net";
import { connect as connectTls, type ConnectionOptions } from "node:tls";
import { MqttOperation, type MqttClient, type MqttClientOptions, type MqttWriteOptions } from "../../modules/connect/mqtt-client.js";

/** Room the client reports for writing: Node buffers without limit, so a fixed window. */
const ROOM = 64 * 1024;
/** Size of the pieces an incoming PUBLISH is handed over in (as a socket delivers it). */
const PIECE = 1460;

function lengthBytes(length: number): number[] {
	const out: number[] = [];
	do {
		let byte = length % 128;
		length = Math.floor(length / 128);
		if (length > 0)
			byte |= 0x80;
		out.push(byte);
	} while (length > 0);
	return out;
}

function str(value: string | ArrayBuffer | Uint8Array): Buffer {
	const bytes = typeof value === "string" ? Buffer.from(value, "utf8") : Buffer.from(value instanceof Uint8Array ? value : new Uint8Array(value));
	return Buffer.concat([Buffer.from([bytes.length >> 8, bytes.length & 0xFF]), bytes]);
}

function packet(first: number, body: Buffer): Buffer {
	return Buffer.concat([Buffer.from([first, ...lengthBytes(body.length)]), body]);
}

export class NodeMqttClient implements MqttClient {
	static readonly CONNECT = 1;
	static readonly CONNACK = 2;
	static readonly PUBLISH = 3;
	static readonly PUBACK = 4;
	static readonly SUBSCRIBE = 8;
	static readonly SUBACK = 9;
	static readonly DISCONNECT = 14;

	private readonly socket: Socket;
	private readonly options: MqttClientOptions;
	private input: Buffer = Buffer.alloc(0);
	private connected = false;
	private closed = false;
	private piece: Buffer | null = null;
	private ping: NodeJS.Timeout | null = null;
	private nextId = 1;

	constructor(options: MqttClientOptions) {
		this.options = options;
		// TLS when the network says so, as the SDK's `device.network.mqtts` puts its TLS socket under `socket`:
		// here `socket: { secure: { ca, ... } }`, Node's tls.connect options (the host is checked against the certificate).
		const secure = (options.socket as { secure?: ConnectionOptions } | undefined)?.secure;
		const port = options.port ?? (secure ? 8883 : 1883);
		this.socket = secure ? connectTls({ ...secure, host: options.host, port }) : connect({ host: options.host, port });
		this.socket.setNoDelay(true);
		this.socket.on(secure ? "secureConnect" : "connect", () => this.sendConnect());
		this.socket.on("data", data => this.received(data));
		const failed = () => this.error();
		this.socket.on("error", failed);
		this.socket.on("close", failed);
	}

	write(data: ArrayBuffer | Uint8Array | null, options: MqttWriteOptions): number {
		if (this.closed || !this.connected)
			throw new Error("not connected");
		const operation = options.operation ?? MqttOperation.PUBLISH;
		if (operation === MqttOperation.SUBSCRIBE) {
			const id = options.id ?? this.nextId++;
			const parts: Buffer[] = [Buffer.from([id >> 8, id & 0xFF])];
			for (const item of options.items ?? [])
				parts.push(str(item.topic), Buffer.from([item.QoS ?? 0]));
			this.socket.write(packet(0x82, Buffer.concat(parts)));
		}
		else if (operation === MqttOperation.DISCONNECT)
			this.socket.write(Buffer.from([0xE0, 0]));
		else if (operation === MqttOperation.PUBLISH) {
			const QoS = options.QoS ?? 0;
			const payload = data ? Buffer.from(data instanceof Uint8Array ? data : new Uint8Array(data)) : Buffer.alloc(0);
			const id = options.id ?? this.nextId++;
			const body = Buffer.concat([str(options.topic ?? ""), QoS ? Buffer.from([id >> 8, id & 0xFF]) : Buffer.alloc(0), payload]);
			if (body.length + 5 > this.room())
				throw new Error("overflow");
			this.socket.write(packet(0x30 | (options.duplicate ? 8 : 0) | QoS << 1 | (options.retain ? 1 : 0), body));
		}
		else
			throw new Error("unknown");
		return this.room();
	}

	read(count?: number): ArrayBuffer | undefined {
		const piece = this.piece;
		if (!piece || !piece.length)
			return undefined;
		const n = Math.min(count ?? piece.length, piece.length);
		this.piece = piece.subarray(n);
		return new Uint8Array(piece.subarray(0, n)).buffer;
	}

	close(): void {
		if (this.closed)
			return;
		this.closed = true;
		if (this.ping)
			clearInterval(this.ping);
		this.socket.destroy();
	}

	private room(): number {
		return Math.max(0, ROOM - this.socket.writableLength);
	}

	private sendConnect(): void {
		if (this.closed)
			return;
		const o = this.options;
		const keepalive = Math.ceil((o.keepAlive ?? 0) / 1000);
		let flags = o.clean === false ? 0 : 2;
		const payload = [str(o.id ?? "")];
		if (o.will) {
			flags |= 4 | ((o.will.QoS ?? 0) & 3) << 3 | (o.will.retain ? 0x20 : 0);
			payload.push(str(o.will.topic), str(o.will.message));
		}
		if (o.user) {
			flags |= 0x80;
			payload.push(str(o.user));
		}
		if (o.password) {
			flags |= 0x40;
			payload.push(str(o.password));
		}
		const header = Buffer.from([0, 4, 77, 81, 84, 84, 4, flags, keepalive >> 8, keepalive & 0xFF]);
		this.socket.write(packet(0x10, Buffer.concat([header, ...payload])));
		if (keepalive)
			this.ping = setInterval(() => {
				if (!this.closed)
					this.socket.write(Buffer.from([0xC0, 0]));
			}, keepalive * 500).unref();
	}

	private received(data: Buffer): void {
		if (this.closed)
			return;
		this.input = this.input.length ? Buffer.concat([this.input, data]) : data;
		for (;;) {
			if (this.input.length < 2)
				return;
			const first = this.input[0], type = first >> 4;
			let length = 0, multiplier = 1, at = 1;
			for (;;) {
				if (at >= this.input.length)
					return;
				const byte = this.input[at++];
				length += (byte & 0x7F) * multiplier;
				multiplier *= 128;
				if (!(byte & 0x80))
					break;
				if (at > 4)
					return this.error();
			}
			if (type === 0 || type === 15)
				return this.error(); // not MQTT
			if (this.input.length < at + length)
				return;
			const body = this.input.subarray(at, at + length);
			this.input = this.input.subarray(at + length);
			if (!this.dispatch(type, first & 0x0F, body) || this.closed)
				return;
		}
	}

	private dispatch(type: number, flags: number, body: Buffer): boolean {
		const o = this.options;
		if (!this.connected && type !== MqttOperation.CONNACK) {
			this.error();
			return false;
		}
		switch (type) {
			case MqttOperation.CONNACK:
				if (body.length !== 2 || body[1] !== 0) {
					this.error(); // refused, or not a CONNACK
					return false;
				}
				this.connected = true;
				o.onControl?.call(this, { operation: MqttOperation.CONNACK, id: 0 });
				if (!this.closed)
					o.onWritable?.call(this, this.room());
				return true;
			case MqttOperation.PUBACK:
			case MqttOperation.SUBACK:
				if (body.length < 2) {
					this.error();
					return false;
				}
				o.onControl?.call(this, { operation: type, id: body[0] << 8 | body[1] });
				return true;
			case MqttOperation.PUBLISH: {
				const QoS = flags >> 1 & 3;
				const topicLength = body.length >= 2 ? body[0] << 8 | body[1] : -1;
				if (topicLength <= 0 || body.length < 2 + topicLength + (QoS ? 2 : 0)) {
					this.error();
					return false;
				}
				const topic = body.subarray(2, 2 + topicLength).toString("utf8");
				let at = 2 + topicLength;
				if (QoS) {
					const id = body[at] << 8 | body[at + 1];
					at += 2;
					this.socket.write(Buffer.from([0x40, 2, id >> 8, id & 0xFF]));
				}
				const payload = body.subarray(at);
				let first = true;
				for (let from = 0; from < payload.length || first; from += PIECE) {
					this.piece = payload.subarray(from, Math.min(payload.length, from + PIECE));
					const more = from + PIECE < payload.length;
					o.onReadable?.call(this, this.piece.length, first ? { topic, byteLength: payload.length, QoS, more } : { more });
					first = false;
					if (this.closed)
						return false;
				}
				return true;
			}
			case 13: // PINGRESP
				return true;
			default:
				this.error();
				return false;
		}
	}

	private error(): void {
		if (this.closed)
			return;
		this.close();
		this.options.onError?.call(this);
	}
}
