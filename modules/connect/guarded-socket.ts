/*
 * guardedSocket: an ECMA-419 TCP socket class (`embedded:io/socket/tcp`)
 * whose callbacks never throw into the host.
 *
 * The SDK's TLS socket and MQTT client do their work inside the TCP socket's
 * `onReadable` and `onWritable`: the TLS handshake, the certificate check,
 * MQTT parsing. An exception there (a broker certificate the TLS session does
 * not trust: found in the simulator, where it stopped the whole cluster with
 * "XS abort: unhandled exception") escapes to the native callback, and XS
 * aborts. Through this class the exception closes the socket and becomes the
 * socket's `onError`, which the TLS socket hands to the MQTT client and the
 * client to the telemetry link: a failed connection, one line, a back-off,
 * and the cluster keeps drawing.
 *
 * Runs on XS and Node. Allocates the wrapped callbacks once per socket.
 */

/** An ECMA-419 socket class: `new Socket(options)`, the options carrying its callbacks. */
export type SocketClass = new (options: SocketOptions) => { close(): void };

interface SocketOptions {
	onReadable?: (this: unknown, count: number) => void;
	onWritable?: (this: unknown, count: number) => void;
	onError?: (this: unknown, error?: unknown) => void;
	[option: string]: unknown;
}

/** `Socket`, with its callbacks guarded: an exception in one closes the socket and calls `onError` once. Allocates the class. */
export function guardedSocket<T extends SocketClass>(Socket: T): T {
	const Guarded = class extends (Socket as SocketClass) {
		constructor(options: SocketOptions) {
			let failed = false;
			const onError = options.onError;
			const fail = (socket: unknown) => {
				if (failed)
					return;
				failed = true;
				try {
					(socket as { close?(): void } | undefined)?.close?.();
				}
				catch {
					// already closed
				}
				onError?.call(socket);
			};
			const guard = (callback: ((this: unknown, count: number) => void) | undefined) => callback && function (this: unknown, count: number) {
				if (failed)
					return;
				try {
					callback.call(this, count);
				}
				catch {
					fail(this);
				}
			};
			// Only the callbacks given: a native socket takes a callback that is there as one it must call.
			const guarded: SocketOptions = { ...options };
			if (options.onReadable)
				guarded.onReadable = guard(options.onReadable);
			if (options.onWritable)
				guarded.onWritable = guard(options.onWritable);
			if (onError)
				guarded.onError = function (this: unknown, error?: unknown) {
					if (!failed) {
						failed = true;
						onError.call(this, error);
					}
				};
			super(guarded);
		}
	};
	return Guarded as unknown as T;
}
