/*
 * guardedSocket (modules/connect/guarded-socket.ts): an exception in a
 * socket callback (the SDK's TLS handshake refusing a certificate, found in
 * the simulator as "XS abort: unhandled exception") closes the socket and
 * becomes one onError, instead of escaping into the host.
 */
import { describe, expect, test } from "vitest";
import { guardedSocket } from "../modules/connect/guarded-socket.js";

/** A socket as a native one behaves: it keeps the callbacks it was given and calls them with itself as `this`. */
class FakeSocket {
	static made: FakeSocket[] = [];
	closed = 0;
	readonly options: Record<string, unknown>;
	constructor(options: Record<string, unknown>) {
		this.options = options;
		FakeSocket.made.push(this);
	}
	close(): void {
		this.closed++;
	}
	readable(count: number): void {
		(this.options.onReadable as (this: FakeSocket, n: number) => void).call(this, count);
	}
	writable(count: number): void {
		(this.options.onWritable as (this: FakeSocket, n: number) => void).call(this, count);
	}
	error(): void {
		(this.options.onError as (this: FakeSocket) => void).call(this);
	}
}

describe("guardedSocket", () => {
	test("an-exception-in-a-callback-closes-and-becomes-one-onError", () => {
		const Guarded = guardedSocket(FakeSocket);
		const seen: string[] = [];
		const socket = new Guarded({
			host: "broker", port: 8883,
			onReadable(count: number) {
				seen.push(`readable ${count}`);
				if (count === 2)
					throw new Error("certificate not trusted");
			},
			onWritable(count: number) {
				seen.push(`writable ${count}`);
			},
			onError() {
				seen.push("error");
			},
		}) as unknown as FakeSocket;
		expect(socket).toBeInstanceOf(FakeSocket);
		expect(socket.options.host).toBe("broker");
		socket.writable(100);
		socket.readable(1);
		expect(() => socket.readable(2)).not.toThrow();
		expect(socket.closed).toBe(1);
		// Closed: nothing more reaches the owner, and the socket's own error after it is not a second one.
		socket.readable(3);
		socket.writable(100);
		socket.error();
		expect(seen).toEqual(["writable 100", "readable 1", "readable 2", "error"]);
	});

	test("an-error-from-the-socket-is-passed-on-once", () => {
		const Guarded = guardedSocket(FakeSocket);
		let errors = 0;
		const socket = new Guarded({ onReadable() {}, onError() { errors++; } }) as unknown as FakeSocket;
		socket.error();
		socket.error();
		expect(errors).toBe(1);
		expect(socket.closed).toBe(0);
	});

	test("only-the-callbacks-given-are-passed", () => {
		const Guarded = guardedSocket(FakeSocket);
		const socket = new Guarded({ host: "h" }) as unknown as FakeSocket;
		expect(Object.keys(socket.options)).toEqual(["host"]);
		// A callback that throws with no onError: closed, nothing escapes.
		const quiet = new Guarded({ onReadable() { throw new Error("x"); } }) as unknown as FakeSocket;
		expect(() => quiet.readable(1)).not.toThrow();
		expect(quiet.closed).toBe(1);
	});
});
