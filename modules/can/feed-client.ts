/*
 * FeedClient: a live CAN feed over TCP into the pipeline's ring, for the
 * simulator and the device. It speaks SLCAN over TCP, as `xs-cluster serve`
 * (and Wi-Fi CAN adapters) do: on connecting it sends `Z0\r` (no adapter
 * timestamps) and `O\r` (open), then every `t`/`T`/`r`/`R` line becomes a
 * frame through the SLCAN parser (the C one where the native engine is
 * linked, SlcanParser elsewhere), stamped with the host clock on arrival as
 * a driver stamps frames, so staleness works as it does in a car.
 *
 * When the feed stops (the server closes, the connection fails, nothing
 * arrives for `idleTimeout`), the client closes the socket, waits, and tries
 * again, doubling the wait from `backoffMin` to `backoffMax`; the wait starts
 * over from `backoffMin` once a connection has delivered frames. Its state
 * (`state`, `frames`, `connects`, `reconnects`, `lastError`, `retryIn`) is
 * plain data for the diagnostics page.
 *
 * Runs on XS and Node. The socket comes from an injected factory with the
 * ECMA-419 TCP shape (`embedded:io/socket/tcp`: options bag, `onReadable`,
 * `onWritable`, `onError`, `read(buffer)`, `write`, `close`), and time from
 * an injected clock; timeouts and retries advance in `step(now)`, which the
 * host calls from its frame loop (the CanSource shape) or a Timer. Per frame
 * and per read nothing is allocated: bytes are read into one preallocated
 * buffer through preallocated power-of-two views (ECMA-419's `read(buffer)`
 * fills the whole buffer, which must not be larger than what is readable).
 * Each connection attempt allocates its socket and its callbacks.
 */
import { Backoff } from "./backoff.js";
import type { FrameRing } from "./ring.js";
import { type SlcanStreamParser, slcanParser } from "./native-slcan.js";

/**
 * What the feed client passes to the socket factory: ECMA-419 TCP options
 * (assignable to `embedded:io/socket/tcp`'s), `address` for an IPv4 address,
 * else `host` for a name.
 */
export type FeedSocketOptions = FeedSocketCallbacks & ({ address: string; host?: undefined } | { host: string; address?: undefined });

export interface FeedSocketCallbacks {
	port: number;
	nodelay: boolean;
	format: "buffer";
	/** Bytes now available to read (the socket's whole backlog). */
	onReadable: (count: number) => void;
	/** Connected (first call) and room to write. */
	onWritable: (count: number) => void;
	/** The connection failed or was closed by the peer. */
	onError: () => void;
}

/** The ECMA-419 TCP socket methods the feed client uses. */
export interface FeedSocket {
	/** Fills all of `buffer`; its length must not exceed the readable count. */
	read(buffer: Uint8Array): unknown;
	write(bytes: Uint8Array): void;
	close(): void;
}

/** Makes a connecting socket: `options => new TCP(options)` with `import TCP from "embedded:io/socket/tcp"`. May throw. */
export type FeedSocketFactory = (options: FeedSocketOptions) => FeedSocket;

export type FeedState = "idle" | "connecting" | "connected" | "backing-off";

export interface FeedClientOptions {
	socket: FeedSocketFactory;
	/** Monotonic milliseconds (Moddable `Time.ticks`); also stamps frames. Must not allocate. */
	clock: () => number;
	/** Address or name of the feed; default "127.0.0.1". */
	host?: string;
	/** Default 29536, `xs-cluster serve`'s. */
	port?: number;
	/** Give up a connection attempt after this long; default 3000 ms. */
	connectTimeout?: number;
	/** Reconnect when nothing arrives for this long; 0 never; default 5000 ms. */
	idleTimeout?: number;
	/** First wait after a failure; default 250 ms. */
	backoffMin?: number;
	/** Longest wait; default 5000 ms. */
	backoffMax?: number;
}

/** Why the last connection ended: fixed strings, so reporting allocates nothing. */
export const FeedError = Object.freeze({
	refused: "connection failed or closed by the feed",
	timeout: "connection attempt timed out",
	silent: "feed silent",
	socket: "socket could not be created",
	read: "socket read failed",
});

const OPEN_COMMAND = Uint8Array.of(0x5A, 0x30, 0x0D, 0x4F, 0x0D); // "Z0\rO\r"
/** Largest single read; views of every power of two up to it are preallocated. */
const READ_CHUNK = 512;

export class FeedClient {
	state: FeedState = "idle";
	/** Connections that reached the feed. */
	connects = 0;
	/** Connections after the first: how often the feed came back. */
	reconnects = 0;
	/** Attempts that failed or connections that ended. */
	failures = 0;
	/** Bytes received over all connections. */
	bytes = 0;
	/** Why the last connection ended, "" before any. One of `FeedError`. */
	lastError = "";
	/** Parses the stream; its counters (frames, malformed, ...) are the feed's. */
	readonly parser: SlcanStreamParser;

	private readonly factory: FeedSocketFactory;
	private readonly clock: () => number;
	private readonly host: string;
	private readonly port: number;
	private readonly connectTimeout: number;
	private readonly idleTimeout: number;
	/** Waits between attempts (modules/can/backoff.ts): backoffMin doubling to backoffMax, from the start once a connection delivers. */
	private readonly backoff: Backoff;
	private readonly scratch = new Uint8Array(READ_CHUNK);
	/** views[k] is scratch's first 2^k bytes. */
	private readonly views: Uint8Array[] = [];
	private socket: FeedSocket | null = null;
	/** When the current attempt began, data last arrived, and the next attempt is due. */
	private attemptAt = 0;
	private lastDataAt = 0;
	private retryAt = 0;
	/** Frames counted when the current connection began, to see whether it delivered any. */
	private framesAtConnect = 0;

	constructor(ring: FrameRing, options: FeedClientOptions) {
		this.factory = options.socket;
		this.clock = options.clock;
		this.host = options.host ?? "127.0.0.1";
		this.port = options.port ?? 29536;
		this.connectTimeout = options.connectTimeout ?? 3000;
		this.idleTimeout = options.idleTimeout ?? 5000;
		this.backoff = new Backoff({ firstMs: options.backoffMin ?? 250, maxMs: options.backoffMax ?? 5000 });
		// The C parser where the native engine is linked (the simulator), SlcanParser elsewhere.
		this.parser = slcanParser(ring, { clock: options.clock });
		for (let size = 1; size <= READ_CHUNK; size *= 2)
			this.views.push(this.scratch.subarray(0, size));
	}

	/** Frames pushed into the ring over all connections. */
	get frames(): number {
		return this.parser.frames;
	}

	/** Milliseconds until the next attempt while backing off, else 0. */
	retryIn(now = this.clock()): number {
		return this.state === "backing-off" ? Math.max(0, this.retryAt - now) : 0;
	}

	/** Starts connecting (from idle). */
	start(): void {
		if (this.state === "idle")
			this.connect(this.clock());
	}

	/** Closes the connection and stays idle until `start()`. */
	stop(): void {
		this.drop();
		this.state = "idle";
	}

	/**
	 * Advances timeouts and retries to `now`: gives up a slow attempt, drops a
	 * silent feed, connects again when the wait is over. No allocation except
	 * a new connection attempt's socket.
	 */
	step(now = this.clock()): void {
		switch (this.state) {
			case "connecting":
				if (now - this.attemptAt >= this.connectTimeout)
					this.fail(FeedError.timeout, now);
				break;
			case "connected":
				if (this.idleTimeout > 0 && now - this.lastDataAt >= this.idleTimeout)
					this.fail(FeedError.silent, now);
				break;
			case "backing-off":
				if (now >= this.retryAt)
					this.connect(now);
				break;
		}
	}

	private connect(now: number): void {
		this.state = "connecting";
		this.attemptAt = now;
		let socket: FeedSocket | null = null;
		const callbacks: FeedSocketCallbacks = {
			port: this.port,
			nodelay: true,
			format: "buffer",
			onReadable: count => {
				if (socket === this.socket)
					this.readable(count);
			},
			onWritable: () => {
				if (socket === this.socket && this.state === "connecting")
					this.connected();
			},
			onError: () => {
				if (socket === this.socket)
					this.fail(FeedError.refused, this.clock());
			},
		};
		const options: FeedSocketOptions = /^\d{1,3}(\.\d{1,3}){3}$/.test(this.host) ? { ...callbacks, address: this.host } : { ...callbacks, host: this.host };
		try {
			socket = this.factory(options);
		}
		catch {
			this.fail(FeedError.socket, now);
			return;
		}
		this.socket = socket;
	}

	private connected(): void {
		const now = this.clock();
		this.state = "connected";
		this.lastDataAt = now;
		this.framesAtConnect = this.parser.frames;
		if (this.connects > 0)
			this.reconnects++;
		this.connects++;
		this.socket!.write(OPEN_COMMAND);
	}

	private readable(count: number): void {
		if (this.state === "connecting")
			this.connected(); // data before onWritable still means connected
		const socket = this.socket!, parser = this.parser, scratch = this.scratch, views = this.views;
		let remaining = count;
		try {
			while (remaining > 0) {
				let k = 0, size = 1;
				while (size * 2 <= remaining && size * 2 <= READ_CHUNK) {
					size *= 2;
					k++;
				}
				socket.read(views[k]);
				parser.feed(scratch, 0, size);
				remaining -= size;
			}
		}
		catch {
			this.fail(FeedError.read, this.clock());
			return;
		}
		this.bytes += count;
		this.lastDataAt = this.clock();
	}

	/** Ends the connection or attempt and schedules the next one. */
	private fail(why: string, now: number): void {
		const delivered = this.state === "connected" && this.parser.frames > this.framesAtConnect;
		this.drop();
		this.failures++;
		this.lastError = why;
		if (delivered)
			this.backoff.reset();
		this.state = "backing-off";
		this.retryAt = this.backoff.fail(now);
	}

	private drop(): void {
		const socket = this.socket;
		this.socket = null;
		if (socket) {
			try {
				socket.close();
			}
			catch {
				// already closed by the peer
			}
		}
		// A line cut off by the lost connection is ended here (and counted as
		// malformed), not continued by the next connection's first bytes.
		this.parser.finish();
	}
}
