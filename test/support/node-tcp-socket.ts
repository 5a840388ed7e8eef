/*
 * The ECMA-419 TCP socket shape (embedded:io/socket/tcp) on Node's net
 * module, so FeedClient can be tested against the real `xs-cluster serve` on
 * loopback. It behaves like Moddable's implementation where FeedClient
 * depends on it: `onWritable` once connected, `onReadable(count)` with
 * everything readable, `read(buffer)` fills all of buffer and throws when
 * asked for more than is readable, `onError` when the connection fails or the
 * peer closes it (not after `close()`). Node (tests) only; allocates freely.
 */
import { connect, type Socket } from "node:net";
import type { FeedSocket, FeedSocketFactory, FeedSocketOptions } from "../../modules/can/feed-client.js";

export class NodeTcpSocket implements FeedSocket {
	private readonly socket: Socket;
	private readonly queue: Buffer[] = [];
	private readable = 0;
	private closed = false;

	constructor(options: FeedSocketOptions) {
		this.socket = connect({ host: options.address ?? options.host, port: options.port, noDelay: options.nodelay });
		this.socket.on("connect", () => {
			if (!this.closed)
				options.onWritable(this.socket.writableHighWaterMark);
		});
		this.socket.on("data", data => {
			if (this.closed)
				return;
			this.queue.push(data);
			this.readable += data.length;
			options.onReadable(this.readable);
		});
		const failed = () => {
			if (!this.closed) {
				this.closed = true;
				options.onError();
			}
		};
		this.socket.on("error", failed);
		this.socket.on("close", failed);
	}

	read(buffer: Uint8Array): number {
		if (buffer.length > this.readable)
			throw new Error("invalid");
		let at = 0;
		while (at < buffer.length) {
			const head = this.queue[0];
			const take = Math.min(head.length, buffer.length - at);
			buffer.set(head.subarray(0, take), at);
			at += take;
			if (take === head.length)
				this.queue.shift();
			else
				this.queue[0] = head.subarray(take);
		}
		this.readable -= buffer.length;
		return buffer.length;
	}

	write(bytes: Uint8Array): void {
		this.socket.write(Buffer.from(bytes));
	}

	close(): void {
		this.closed = true;
		this.socket.destroy();
	}
}

/** A FeedSocketFactory making NodeTcpSocket connections. */
export const nodeTcpSocket: FeedSocketFactory = options => new NodeTcpSocket(options);
