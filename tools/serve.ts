/*
 * `xs-cluster serve LOG`: replays a CAN log in real time over TCP, as a live
 * bus would appear through a network CAN adapter, so the simulator, python-can
 * or SavvyCAN can take it as a feed. Node only.
 *
 * Two standard protocols on one port, told apart per connection:
 *   - socketcand's ASCII protocol (linux-can/socketcand doc/protocol.md), what
 *     python-can's `socketcand` interface and SavvyCAN's socketcand connection
 *     speak. The server greets `< hi >`, answers `< open BUS >` and
 *     `< rawmode >` with `< ok >`, then sends every data frame as
 *     `< frame 123 1700000000.000100 1122334455667788 >` (id %03X or %08X,
 *     time of sending, bytes without spaces), as socketcand's own state_raw.c
 *     does; like socketcand, it sends no remote frames (python-can 4.1 cannot
 *     parse the documented `< rtr >`). A newline goes before each frame
 *     message: the protocol ignores it, and python-can 4.1's reader drops the
 *     byte after the last whole message it has, which must not be the next
 *     message's '<'. Handshake replies are written alone, and frames start
 *     RAWMODE_SETTLE_MS after `< ok >`, since python-can and SavvyCAN compare
 *     each handshake read with `< hi >` or `< ok >` whole.
 *   - SLCAN (LAWICEL) over TCP, what Wi-Fi CAN adapters speak and what the
 *     device's feed client (modules/can/feed-client.ts) and python-can's
 *     `slcan` interface (`socket://127.0.0.1:PORT`) use: after `O\r` (or `L\r`)
 *     frames come as `t1238112233...\r`, with the adapter's 60 s millisecond
 *     timestamp after `Z1\r`; `C\r` stops them. Setup commands (S, s, V, N, F,
 *     Z, X, W, M, m) are answered as an adapter would; transmit commands are
 *     acknowledged and dropped (a log cannot be written to).
 * With `--protocol auto` (default) a client that sends something within
 * GREETING_DELAY_MS speaks SLCAN; one that waits is greeted in socketcand.
 * (python-can's slcan waits 2 s after connecting: give it `--protocol slcan`
 * or `sleep_after_open=0`.) Error frames have no form in either and are not sent.
 *
 * The replay starts when the first client is ready for frames and then plays
 * on like a bus, whoever is connected. When a log played without --loop has
 * ended, a connection is ended only by its client (or Ctrl-C): the server
 * cannot know when a client has read the last frames it was sent, and a
 * client such as python-can's SLCAN interface drops what it had buffered when
 * the server closes first. A client that asked for no frames, or stopped them
 * (SLCAN `C`), is ended at once then. Pacing runs on a `ReplayClock`
 * (performance.now and timers; tests inject a virtual one), so the schedule
 * is checked exactly without timing a loaded machine. Frames are batched per timer tick and
 * written once per client. A client whose unsent data passes `maxBuffered`
 * (it stopped reading) is dropped rather than buffered without end; with
 * `--rate max` the replay instead waits for slow clients, up to STALL_MS.
 * Binds to 127.0.0.1 unless told otherwise.
 *
 * SavvyCAN lists socketcand servers from their UDP beacons (port 42000), as
 * socketcand announces itself: while bound to loopback, serve sends a
 * `<CANBeacon>` naming `can://127.0.0.1:PORT` and bus `can0` to
 * 127.0.0.1:42000 every BEACON_MS, so a SavvyCAN on the same machine offers
 * it under Connections, New connection, socketcand. (`--no-beacon` stops it.)
 */
import { openSync, readSync, closeSync } from "node:fs";
import { createSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { encodeSlcanFrame, SLCAN_MAX_ENCODED_LENGTH } from "../modules/can/slcan.js";
import type { Io } from "./cli.js";
import { readFileChunks } from "./decode.js";
import { LogClock, formatClockWarnings } from "./logs/clock.js";
import { RING_CAPACITY, chooseFormat, displayName, parseInputFormat, readLog, type LogFormat } from "./logs/formats.js";
import { plural } from "./usage.js";
import { UsageError, checkInputPath, onePositional, parseOptions } from "./usage.js";

export type FeedProtocol = "auto" | "socketcand" | "slcan";

/** socketcand's well-known port. */
export const DEFAULT_PORT = 29536;
/** How long an `auto` connection waits for an SLCAN client to speak first. */
export const GREETING_DELAY_MS = 150;
/** Pause between `< ok >` for rawmode and the first frame (see the header). */
export const RAWMODE_SETTLE_MS = 100;
/** With `--rate max`, how long the replay waits for a client that stopped reading before dropping it. */
export const STALL_MS = 2000;
/** Where socketcand's service discovery beacons go, and how often. */
export const BEACON_PORT = 42000;
export const BEACON_MS = 2000;
/** Lap time of a looped log whose frames all have the same time. */
export const UNTIMED_LAP_MS = 1000;
/** Longest command line accepted from a client; a longer one drops the client. */
const MAX_COMMAND_LENGTH = 256;

/** The replay's time: pacing and the times frames are stamped with when sent. */
export interface ReplayClock {
	/** Monotonic milliseconds. */
	now(): number;
	/** Milliseconds since the Unix epoch, now (socketcand frame times, SLCAN timestamps). */
	epoch(): number;
	/** Resolves after `ms` of this clock, or when `cancel` is called. */
	sleep(ms: number): { done: Promise<void>; cancel(): void };
}

/** The host's clock: performance.now and setTimeout. */
export const hostClock: ReplayClock = {
	now: () => performance.now(),
	epoch: () => performance.timeOrigin + performance.now(),
	sleep(ms) {
		let timer: NodeJS.Timeout | undefined, wake!: () => void;
		const done = new Promise<void>(resolve => {
			wake = resolve;
			timer = setTimeout(resolve, ms);
		});
		return { done, cancel: () => { clearTimeout(timer); wake(); } };
	},
};

export interface ServeOptions {
	path: string;
	format?: LogFormat;
	/** Playback speed: 1 is real time, 2 twice as fast; "max" as fast as clients read. */
	rate: number | "max";
	loop: boolean;
	/** 0 picks a free port. */
	port: number;
	host: string;
	protocol: FeedProtocol;
	/** Unsent bytes per client before it is dropped; default 1 MiB. */
	maxBuffered?: number;
	/** One line per event (client connected, dropped, lap), without newline. */
	log?: (text: string) => void;
	/** UDP port on 127.0.0.1 for the socketcand beacon (default BEACON_PORT); false for none. Only sent while bound to loopback. */
	beacon?: number | false;
	/** Pacing and send times; hostClock by default. */
	clock?: ReplayClock;
}

export interface ServeStats {
	/** Frames replayed (each sent to every ready client). */
	frames: number;
	laps: number;
	clients: number;
	/** Clients dropped for not reading. */
	droppedClients: number;
}

export interface FeedServer {
	readonly host: string;
	readonly port: number;
	readonly stats: ServeStats;
	/** Resolves when a non-looping replay has played the whole log. */
	readonly finished: Promise<void>;
	/** Clients taking frames now. */
	readonly readers: number;
	/**
	 * After the replay has finished: stops taking connections, ends those that
	 * receive no frames, and resolves when every client that does has
	 * disconnected by itself (having read what it was sent).
	 */
	clientsDone(): Promise<void>;
	/** Stops the replay, disconnects every client, closes the port. */
	close(): Promise<void>;
}

type ClientState = "pending" | "socketcand" | "slcan";

const HEX_BYTES = Array.from({ length: 256 }, (_, i) => i.toString(16).toUpperCase().padStart(2, "0"));

function hex3(id: number): string {
	return id.toString(16).toUpperCase().padStart(3, "0");
}

function hex8(id: number): string {
	return id.toString(16).toUpperCase().padStart(8, "0");
}

/** Thrown out of the replay's drain to stop reading the log when the server closes. */
class ReplayStopped extends Error {}

class Client {
	state: ClientState = "pending";
	/** Frames go to this client now. */
	streaming = false;
	/** SLCAN `Z1`: append the adapter timestamp. */
	timestamps = false;
	/** socketcand: a bus was opened. */
	opened = false;
	input = "";
	greeting: NodeJS.Timeout | undefined;
	constructor(readonly socket: Socket, readonly name: string) {}
}

/** Starts serving `options.path`. @throws LogFormatError (tools/logs/formats.ts) when the log is in no known format. */
export async function startServe(options: ServeOptions): Promise<FeedServer> {
	const format = await checkLog(options.path, options.format);
	const maxBuffered = options.maxBuffered ?? 1 << 20;
	const log = options.log ?? (() => {});
	const clients = new Set<Client>();
	const stats: ServeStats = { frames: 0, laps: 0, clients: 0, droppedClients: 0 };
	const clock = options.clock ?? hostClock;
	let closing = false, started = false, draining = false;
	let allDone: (() => void) | null = null;
	let startReplay!: () => void;
	const firstClient = new Promise<void>(resolve => { startReplay = resolve; });
	let sleeping: { cancel(): void } | null = null;

	const server: Server = createServer(socket => {
		socket.setNoDelay(true);
		const client = new Client(socket, `${socket.remoteAddress}:${socket.remotePort}`);
		clients.add(client);
		stats.clients = clients.size;
		log(`client ${client.name} connected`);
		if (options.protocol === "socketcand")
			greet(client);
		else if (options.protocol === "slcan")
			client.state = "slcan";
		else
			client.greeting = setTimeout(() => greet(client), GREETING_DELAY_MS);
		socket.on("data", data => onData(client, data));
		socket.on("error", () => socket.destroy());
		socket.on("close", () => {
			clearTimeout(client.greeting);
			clients.delete(client);
			stats.clients = clients.size;
			if (!closing)
				log(`client ${client.name} disconnected`);
			checkDone();
		});
	});

	function greet(client: Client): void {
		client.state = "socketcand";
		client.socket.write("< hi >");
	}

	function ready(client: Client): void {
		client.streaming = true;
		if (!started) {
			started = true;
			startReplay();
		}
	}

	function onData(client: Client, data: Buffer): void {
		if (client.state === "pending") {
			clearTimeout(client.greeting);
			const first = data.toString("latin1").trimStart()[0];
			if (first === "<")
				greet(client);
			else
				client.state = "slcan";
		}
		client.input += data.toString("latin1");
		if (client.state === "socketcand")
			socketcandCommands(client);
		else
			slcanCommands(client);
		if (client.input.length > MAX_COMMAND_LENGTH) {
			log(`client ${client.name} dropped: command longer than ${MAX_COMMAND_LENGTH} bytes`);
			client.socket.destroy();
		}
	}

	function socketcandCommands(client: Client): void {
		for (;;) {
			const start = client.input.indexOf("<"), end = client.input.indexOf(">", start + 1);
			if (start < 0) {
				client.input = "";
				return;
			}
			if (end < 0) {
				client.input = client.input.slice(start);
				return;
			}
			const words = client.input.slice(start + 1, end).trim().split(/\s+/);
			client.input = client.input.slice(end + 1);
			const socket = client.socket;
			switch (words[0]) {
				case "open":
					client.opened = true;
					socket.write("< ok >");
					break;
				case "rawmode":
					if (!client.opened) {
						socket.write("< error no bus opened >");
						break;
					}
					socket.write("< ok >");
					setTimeout(() => {
						if (!socket.destroyed)
							ready(client);
					}, RAWMODE_SETTLE_MS);
					break;
				case "bcmmode":
				case "controlmode":
					client.streaming = false;
					socket.write("< ok >");
					break;
				case "echo":
					socket.write("< echo >");
					break;
				case "send":
				case "sendrtr":
					break; // a log cannot be transmitted to
				default:
					socket.write("< error unknown command >");
			}
		}
	}

	function slcanCommands(client: Client): void {
		for (;;) {
			const end = client.input.search(/[\r\n]/);
			if (end < 0)
				return;
			const command = client.input.slice(0, end);
			client.input = client.input.slice(end + 1);
			if (command === "")
				continue;
			const socket = client.socket;
			switch (command[0]) {
				case "O":
				case "L":
					socket.write("\r");
					ready(client);
					break;
				case "C":
					client.streaming = false;
					socket.write("\r");
					if (draining)
						socket.end(); // asked for no more frames after the last: done
					break;
				case "Z":
					client.timestamps = command[1] === "1";
					socket.write("\r");
					break;
				case "V":
					socket.write("V1013\r");
					break;
				case "N":
					socket.write("NXSCL\r");
					break;
				case "F":
					socket.write("F00\r");
					break;
				case "S": case "s": case "X": case "W": case "M": case "m": case "Q":
					socket.write("\r");
					break;
				case "t": case "r":
					socket.write("z\r");
					break;
				case "T": case "R":
					socket.write("Z\r");
					break;
				default:
					socket.write("\x07");
			}
		}
	}

	// Batches of encoded frames, one per wire form, written once per client.
	let socketcandBatch = "";
	// 1000 frames of at most SLCAN_MAX_ENCODED_LENGTH bytes each.
	const slcanBatch = Buffer.alloc(1000 * SLCAN_MAX_ENCODED_LENGTH), slcanStampedBatch = Buffer.alloc(1000 * SLCAN_MAX_ENCODED_LENGTH);
	let slcanLength = 0, slcanStampedLength = 0, batched = 0;

	// A batch goes out at one moment: its frames share one sending time.
	let batchTime = "", batchMs = 0;
	// Which wire forms the streaming clients need, counted at the start of a batch.
	let wantSocketcand = false, wantSlcan = false, wantStamped = false;

	function addFrame(frame: CanFrame): void {
		stats.frames++;
		if (frame.flags & FrameFlag.error)
			return;
		if (batched === 0) {
			batchMs = clock.epoch();
			const seconds = Math.floor(batchMs / 1000), micros = Math.floor((batchMs - seconds * 1000) * 1000);
			batchTime = `${seconds}.${String(micros).padStart(6, "0")}`;
			wantSocketcand = wantSlcan = wantStamped = false;
			for (const client of clients) {
				if (!client.streaming)
					continue;
				if (client.state === "socketcand")
					wantSocketcand = true;
				else if (client.timestamps)
					wantStamped = true;
				else
					wantSlcan = true;
			}
		}
		batched++;
		if (wantSocketcand && !frame.remote) {
			let text = `\n< frame ${frame.extended ? hex8(frame.id) : hex3(frame.id)} ${batchTime} `;
			for (let i = 0; i < frame.dlc; i++)
				text += HEX_BYTES[frame.data[i]];
			socketcandBatch += text + " >";
		}
		frame.timestamp = batchMs;
		if (wantSlcan)
			slcanLength += encodeSlcanFrame(frame, slcanBatch, slcanLength, false);
		if (wantStamped)
			slcanStampedLength += encodeSlcanFrame(frame, slcanStampedBatch, slcanStampedLength, true);
		if (batched >= 1000)
			flushBatch();
	}

	function flushBatch(): void {
		if (batched === 0)
			return;
		const slcan = Buffer.from(slcanBatch.subarray(0, slcanLength)), stamped = Buffer.from(slcanStampedBatch.subarray(0, slcanStampedLength));
		for (const client of clients) {
			if (!client.streaming || client.socket.destroyed)
				continue;
			if (client.state === "socketcand")
				client.socket.write(socketcandBatch);
			else
				client.socket.write(client.timestamps ? stamped : slcan);
			if (options.rate !== "max" && client.socket.writableLength > maxBuffered)
				dropClient(client, `stopped reading (${client.socket.writableLength} bytes unsent)`);
		}
		socketcandBatch = "";
		slcanLength = slcanStampedLength = batched = 0;
	}

	function dropClient(client: Client, why: string): void {
		stats.droppedClients++;
		log(`client ${client.name} dropped: ${why}`);
		client.socket.destroy();
	}

	async function sleep(ms: number): Promise<void> {
		const sleep = sleeping = clock.sleep(ms);
		await sleep.done;
		sleeping = null;
	}

	/**
	 * With --rate max: waits while a client has a backlog, dropping one that
	 * reads nothing for STALL_MS (a slow reader that makes progress is waited for).
	 */
	async function waitForSlowClients(): Promise<void> {
		const highWater = Math.min(maxBuffered, 256 * 1024);
		for (const client of clients) {
			const socket = client.socket;
			while (!closing && client.streaming && !socket.destroyed && socket.writableLength > highWater) {
				const before = socket.writableLength;
				let timer: NodeJS.Timeout | undefined, done!: () => void;
				await new Promise<void>(resolve => {
					done = resolve;
					timer = setTimeout(resolve, STALL_MS);
					socket.once("drain", resolve).once("close", resolve);
				});
				clearTimeout(timer);
				socket.off("drain", done).off("close", done);
				if (!socket.destroyed && socket.writableLength >= before && socket.writableLength > highWater) {
					dropClient(client, `read nothing for ${STALL_MS} ms`);
					break;
				}
			}
		}
	}

	/** Resolves `clientsDone` once draining and no client that takes frames is left. */
	function checkDone(): void {
		if (!draining || !allDone)
			return;
		for (const client of clients)
			if (client.streaming && !client.socket.destroyed)
				return;
		allDone();
		allDone = null;
	}

	async function replay(): Promise<void> {
		await firstClient;
		const ring = new FrameRing(RING_CAPACITY), frame = new CanFrame();
		const speed = options.rate === "max" ? Infinity : options.rate;
		let warnedUntimed = false;
		do {
			// Log time over in-order steps only (tools/logs/clock.ts): a frame stamped back in time
			// (merged files) or far ahead (a clock set while logging) plays at once, not never.
			const logClock = new LogClock();
			let hostStart = NaN;
			const framesBefore = stats.frames;
			try {
				const reader = await readLog(readFileChunks(options.path), ring, async () => {
				if (closing)
					throw new ReplayStopped();
				while (ring.pop(frame)) {
					if (speed !== Infinity) {
						logClock.step(frame.timestamp);
						if (hostStart !== hostStart)
							hostStart = clock.now();
						const wait = hostStart + logClock.elapsed / speed - clock.now();
						if (wait >= 1) {
							flushBatch();
							await sleep(wait);
						}
					}
					addFrame(frame);
				}
				flushBatch();
				if (speed === Infinity) {
					await waitForSlowClients();
					await new Promise(resolve => setImmediate(resolve)); // let sockets breathe
				}
				}, { name: options.path, format });
				if (stats.laps === 0)
					for (const warning of formatClockWarnings(options.path, reader.clock).split("\n").filter(Boolean))
						log(warning);
			}
			catch (error) {
				if (error instanceof ReplayStopped)
					return;
				throw error;
			}
			stats.laps++;
			if (stats.frames === framesBefore)
				return; // (readLog refuses a log without frames; a file emptied meanwhile ends the replay)
			if (options.loop && !closing) {
				// A short log loops many times a second: say so for the first lap and then now and then.
				if (stats.laps === 1 || stats.laps % 1000 === 0)
					log(`lap ${stats.laps} played, starting again`);
				if (speed !== Infinity && !(logClock.elapsed > 0)) {
					// Every frame had the same time (a screen log without -t): pace the laps, do not flood.
					if (!warnedUntimed)
						log(`the log has no timing: one lap every ${UNTIMED_LAP_MS} ms`);
					warnedUntimed = true;
					await sleep(UNTIMED_LAP_MS / speed);
				}
			}
		} while (options.loop && !closing);
	}

	await new Promise<void>((resolve, reject) => {
		server.once("error", reject);
		server.listen(options.port, options.host, () => {
			server.off("error", reject);
			resolve();
		});
	});
	const address = server.address();
	const port = typeof address === "object" && address ? address.port : options.port;
	const finished = replay();
	finished.catch(() => {});
	const stopBeacon = startBeacon(options, port);

	return {
		host: options.host,
		port,
		stats,
		finished,
		get readers() {
			let count = 0;
			for (const client of clients)
				if (client.streaming && !client.socket.destroyed)
					count++;
			return count;
		},
		clientsDone() {
			return finished.then(() => new Promise<void>(resolve => {
				if (closing)
					return resolve();
				draining = true;
				allDone = resolve;
				server.close(); // no new clients: the log has played
				for (const client of clients)
					if (!client.streaming)
						client.socket.end();
				checkDone();
			}));
		},
		async close() {
			if (closing)
				return;
			closing = true;
			stopBeacon();
			sleeping?.cancel();
			allDone?.();
			startReplay(); // a replay still waiting for its first client ends at once
			flushBatch();
			// end() delivers what is queued; destroy() catches a client that never closes its side.
			for (const client of clients) {
				client.socket.end();
				setTimeout(() => client.socket.destroy(), 1000).unref();
			}
			if (server.listening)
				await new Promise<void>(resolve => server.close(() => resolve()));
			await finished.catch(() => {});
		},
	};
}

/** Sends socketcand's CANBeacon to 127.0.0.1 every BEACON_MS while bound to loopback; returns the stop function. */
function startBeacon(options: ServeOptions, port: number): () => void {
	const loopback = options.host === "127.0.0.1" || options.host === "localhost";
	if (options.beacon === false || !loopback)
		return () => {};
	const udp = createSocket("udp4");
	udp.on("error", () => {}); // nobody listening is not an error worth a message
	const beacon = Buffer.from(`<CANBeacon name="xs-cluster" type="adapter" description="xs-cluster serve"><URL>can://127.0.0.1:${port}</URL><Bus name="can0"/></CANBeacon>`);
	const send = () => udp.send(beacon, options.beacon || BEACON_PORT, "127.0.0.1");
	send();
	const timer = setInterval(send, BEACON_MS);
	timer.unref();
	udp.unref();
	return () => {
		clearInterval(timer);
		udp.close();
	};
}

/** Thrown out of checkLog's drain at the first frame: the log is playable. */
class FoundFrame extends Error {}

/**
 * Tells the log's format and reads it up to its first frame before
 * listening, so a wrong file, or one without a frame, fails at once.
 * @throws LogFormatError, or Error `cannot read PATH: why`.
 */
async function checkLog(path: string, forced?: LogFormat): Promise<LogFormat> {
	checkInputPath(path);
	const fd = openSync(path, "r");
	let format: LogFormat;
	try {
		const sample = Buffer.alloc(8192);
		const length = readSync(fd, sample, 0, sample.length, 0);
		format = chooseFormat(path, sample.subarray(0, length), forced);
	}
	finally {
		closeSync(fd);
	}
	const ring = new FrameRing(RING_CAPACITY);
	try {
		await readLog(readFileChunks(path), ring, () => {
			if (ring.length > 0)
				throw new FoundFrame();
		}, { name: path, format });
	}
	catch (error) {
		if (!(error instanceof FoundFrame))
			throw error;
	}
	return format;
}

/** `1x`, `2`, `0.5x`, `max` → a speed; @throws UsageError. */
export function parseRate(text: string | undefined): number | "max" {
	if (text === undefined)
		return 1;
	if (text === "max")
		return "max";
	const match = /^(\d+(?:\.\d+)?)x?$/.exec(text);
	const rate = match ? Number(match[1]) : NaN;
	if (!(rate > 0 && rate <= 1000))
		throw new UsageError(`--rate must be 1x, max or a factor like 2 or 0.5x, not ${text}`);
	return rate;
}

/**
 * `xs-cluster serve LOG [--rate 1x|max|FACTOR] [--loop] [--port N]
 * [--host 127.0.0.1] [--protocol auto|socketcand|slcan] [--input-format F]
 * [--no-beacon]`.
 * Runs until the log has played (without --loop), Ctrl-C (SIGINT or
 * SIGTERM), or `signal` aborts. Resolves to the exit status.
 */
export async function serveCommand(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
	const { values, positionals } = parseOptions(args, {
		rate: { type: "string" },
		loop: { type: "boolean" },
		port: { type: "string" },
		host: { type: "string" },
		protocol: { type: "string" },
		"input-format": { type: "string" },
		"no-beacon": { type: "boolean" },
	});
	const path = onePositional(positionals, "log file");
	const rate = parseRate(values.rate as string | undefined);
	const portText = (values.port as string | undefined) ?? String(DEFAULT_PORT);
	const port = Number(portText);
	if (!(/^\d+$/.test(portText) && port <= 65535))
		throw new UsageError(`--port must be a TCP port number (0 for any free one), not ${portText}`);
	const protocol = (values.protocol as string | undefined) ?? "auto";
	if (protocol !== "auto" && protocol !== "socketcand" && protocol !== "slcan")
		throw new UsageError(`--protocol must be auto, socketcand or slcan, not ${protocol}`);
	const host = (values.host as string | undefined) ?? "127.0.0.1";
	const format = parseInputFormat(values["input-format"] as string | undefined);
	let server: FeedServer;
	try {
		server = await startServe({ path, format, rate, loop: values.loop === true, port, host, protocol, beacon: values["no-beacon"] ? false : BEACON_PORT, log: text => io.stderr(`xs-cluster serve: ${text}\n`) });
	}
	catch (error) {
		const err = error as NodeJS.ErrnoException;
		if (err.code === "EADDRINUSE" || err.code === "EACCES" || err.code === "EADDRNOTAVAIL") {
			io.stderr(`xs-cluster: cannot listen on ${host}:${port}: ${err.code}\n`);
			return 1;
		}
		throw error;
	}
	if (host !== "127.0.0.1" && host !== "::1" && host !== "localhost")
		io.stderr(`xs-cluster serve: listening on ${host}: anyone who can reach this address can read the feed\n`);
	io.stderr(`xs-cluster serve: ${displayName(path)} at ${rate === "max" ? "max rate" : `${rate}x`}${values.loop ? ", looping" : ""} on ${server.host}:${server.port}; socketcand (any bus name) or SLCAN (send O); Ctrl-C stops\n`);
	const stop = () => { void server.close(); };
	process.once("SIGINT", stop);
	process.once("SIGTERM", stop);
	signal?.addEventListener("abort", stop);
	try {
		await server.finished;
		if (server.readers > 0)
			io.stderr(`xs-cluster serve: the log has played; waiting for ${plural(server.readers, "client")} to read the rest and disconnect (Ctrl-C stops)\n`);
		await server.clientsDone();
		await server.close();
	}
	finally {
		process.off("SIGINT", stop);
		process.off("SIGTERM", stop);
		signal?.removeEventListener("abort", stop);
	}
	io.stderr(`xs-cluster serve: ${plural(server.stats.frames, "frame")} in ${plural(server.stats.laps, "lap")}; ${plural(server.stats.droppedClients, "client")} dropped for not reading\n`);
	return 0;
}
