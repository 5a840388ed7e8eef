/*
 * A bounded loopback TCP client for tests of `xs-cluster serve`: collects
 * what arrives (with arrival times) and waits for a condition with a time
 * limit, so no test can hang on the network. Node (vitest) only.
 */
import { connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";

export interface Arrival {
	/** performance.now() when the bytes arrived. */
	at: number;
	text: string;
}

export class TestClient {
	readonly socket: Socket;
	text = "";
	readonly arrivals: Arrival[] = [];
	closed = false;

	private constructor(socket: Socket) {
		this.socket = socket;
		socket.on("data", data => {
			const text = data.toString("latin1");
			this.text += text;
			this.arrivals.push({ at: performance.now(), text });
		});
		socket.on("close", () => { this.closed = true; });
		socket.on("error", () => {});
	}

	/** Connects to 127.0.0.1:`port` within `timeoutMs`. */
	static open(port: number, timeoutMs = 2000): Promise<TestClient> {
		return new Promise((resolve, reject) => {
			const socket = connect({ host: "127.0.0.1", port });
			const timer = setTimeout(() => {
				socket.destroy();
				reject(new Error(`no connection to 127.0.0.1:${port} within ${timeoutMs} ms`));
			}, timeoutMs);
			socket.once("connect", () => {
				clearTimeout(timer);
				resolve(new TestClient(socket));
			});
			socket.once("error", error => {
				clearTimeout(timer);
				reject(error);
			});
		});
	}

	send(text: string): void {
		this.socket.write(text);
	}

	/** Resolves when `condition()` holds, checking on every arrival; rejects after `timeoutMs`. */
	waitFor(condition: () => boolean, timeoutMs = 3000, what = "condition"): Promise<void> {
		return new Promise((resolve, reject) => {
			if (condition())
				return resolve();
			const check = () => {
				if (condition()) {
					cleanup();
					resolve();
				}
			};
			const timer = setTimeout(() => {
				cleanup();
				reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; received ${JSON.stringify(this.text.slice(-200))}`));
			}, timeoutMs);
			const poll = setInterval(check, 10);
			const cleanup = () => {
				clearTimeout(timer);
				clearInterval(poll);
				this.socket.off("data", check);
				this.socket.off("close", check);
			};
			this.socket.on("data", check);
			this.socket.on("close", check);
		});
	}

	close(): void {
		this.socket.destroy();
	}
}
