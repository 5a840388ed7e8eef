/*
 * FeedClient: the SLCAN open sequence, frames stamped with the host clock,
 * reads never larger than what is readable, back-off and reconnection (peer
 * gone, attempt timed out, feed silent, socket refused), stop, on a mock
 * socket with a fake clock; then against the real `xs-cluster serve` on
 * 127.0.0.1 through a Node adapter, including a server that stops and comes
 * back. Node (vitest).
 */
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterEach, describe, expect, test } from "vitest";
import { FeedClient, FeedError, type FeedClientOptions } from "../modules/can/feed-client.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { startServe, type FeedServer } from "../tools/serve.js";
import { FakeClock } from "./fixtures/clock.js";
import { MockSocketFactory } from "./fixtures/mock-socket.js";
import { fixturesDir } from "./shared-data.js";
import { nodeTcpSocket } from "./support/node-tcp-socket.js";

interface Plain {
	id: number;
	flags: number;
	dlc: number;
	data: string;
	timestamp: number;
}

function drain(ring: FrameRing): Plain[] {
	const out: Plain[] = [], frame = new CanFrame();
	while (ring.pop(frame))
		out.push({ id: frame.id, flags: frame.flags, dlc: frame.dlc, data: Buffer.from(frame.data.subarray(0, frame.remote ? 0 : frame.dlc)).toString("hex"), timestamp: frame.timestamp });
	return out;
}

function mockFeed(options: Partial<FeedClientOptions> = {}) {
	const clock = new FakeClock(1000), sockets = new MockSocketFactory(), ring = new FrameRing(256);
	const feed = new FeedClient(ring, { socket: sockets.create, clock: clock.now, ...options });
	return { clock, sockets, ring, feed };
}

describe("FeedClient on a mock socket", () => {
	test("connects-opens-the-channel-and-stamps-frames-with-the-host-clock", () => {
		const { clock, sockets, ring, feed } = mockFeed({ host: "127.0.0.1", port: 29536 });
		expect(feed.state).toBe("idle");
		feed.start();
		expect(feed.state).toBe("connecting");
		expect(sockets.last.options).toMatchObject({ address: "127.0.0.1", port: 29536, format: "buffer" });
		sockets.last.connect();
		expect(feed.state).toBe("connected");
		expect(sockets.last.written).toBe("Z0\rO\r");
		clock.advance(5);
		sockets.last.receive("\r\rt1C48E02E32C8000100");
		clock.advance(3);
		sockets.last.receive("00\rT18FEF10080000190000000000\rr1C40\r");
		expect(drain(ring)).toEqual([
			{ id: 0x1C4, flags: 0, dlc: 8, data: "e02e32c800010000", timestamp: 1008 },
			{ id: 0x18FEF100, flags: FrameFlag.extended, dlc: 8, data: "0000190000000000", timestamp: 1008 },
			{ id: 0x1C4, flags: FrameFlag.remote, dlc: 0, data: "", timestamp: 1008 },
		]);
		expect(feed.frames).toBe(3);
		expect(feed.connects).toBe(1);
		expect(feed.reconnects).toBe(0);
	});

	test("reads-in-power-of-two-pieces-never-more-than-readable", () => {
		const { sockets, ring, feed } = mockFeed();
		feed.start();
		sockets.last.connect();
		const lines = "t12381122334455667788\r".repeat(100); // 2200 bytes, cut mid-line
		sockets.last.receive(lines.slice(0, 1333));
		sockets.last.receive(lines.slice(1333));
		expect(drain(ring)).toHaveLength(100);
		for (const size of sockets.last.reads) {
			expect(size & (size - 1)).toBe(0);
			expect(size).toBeLessThanOrEqual(512);
		}
		expect(sockets.last.reads.reduce((a, b) => a + b, 0)).toBe(2200);
		expect(feed.bytes).toBe(2200);
	});

	test("backs-off-doubling-and-reconnects-when-the-feed-comes-back", () => {
		const { clock, sockets, feed } = mockFeed({ backoffMin: 100, backoffMax: 400 });
		feed.start();
		sockets.last.fail(); // refused
		expect(feed.state).toBe("backing-off");
		expect(feed.lastError).toBe(FeedError.refused);
		expect(feed.retryIn()).toBe(100);
		clock.advance(99);
		feed.step();
		expect(sockets.sockets).toHaveLength(1);
		clock.advance(1);
		feed.step();
		expect(feed.state).toBe("connecting");
		expect(sockets.sockets).toHaveLength(2);
		sockets.last.fail();
		expect(feed.retryIn()).toBe(200);
		clock.advance(200);
		feed.step();
		sockets.last.fail();
		expect(feed.retryIn()).toBe(400);
		clock.advance(400);
		feed.step();
		sockets.last.fail();
		expect(feed.retryIn()).toBe(400); // capped
		clock.advance(400);
		feed.step();
		sockets.last.connect();
		sockets.last.receive("t1230\r");
		expect(feed.state).toBe("connected");
		expect(feed.connects).toBe(1);
		// The feed stops and starts again: a connection that delivered frames resets the wait.
		sockets.last.fail();
		expect(sockets.sockets.at(-1)!.closed).toBe(true);
		expect(feed.retryIn()).toBe(100);
		clock.advance(100);
		feed.step();
		sockets.last.connect();
		expect(feed.reconnects).toBe(1);
		expect(feed.failures).toBe(5);
	});

	test("a-slow-attempt-times-out-and-a-silent-feed-is-dropped", () => {
		const { clock, sockets, feed } = mockFeed({ connectTimeout: 1000, idleTimeout: 2000, backoffMin: 50 });
		feed.start();
		clock.advance(999);
		feed.step();
		expect(feed.state).toBe("connecting");
		clock.advance(1);
		feed.step();
		expect(feed.state).toBe("backing-off");
		expect(feed.lastError).toBe(FeedError.timeout);
		expect(sockets.sockets[0].closed).toBe(true);
		clock.advance(50);
		feed.step();
		sockets.last.connect();
		sockets.last.receive("t1230\r");
		clock.advance(1999);
		feed.step();
		expect(feed.state).toBe("connected");
		clock.advance(1);
		feed.step();
		expect(feed.state).toBe("backing-off");
		expect(feed.lastError).toBe(FeedError.silent);
	});

	test("a-socket-that-cannot-be-made-backs-off-and-stop-stays-idle", () => {
		const { clock, sockets, feed } = mockFeed({ host: "feed.local" });
		sockets.refuse = true;
		feed.start();
		expect(feed.state).toBe("backing-off");
		expect(feed.lastError).toBe(FeedError.socket);
		sockets.refuse = false;
		clock.advance(250);
		feed.step();
		expect(sockets.last.options).toMatchObject({ host: "feed.local" });
		expect(sockets.last.options.address).toBeUndefined();
		sockets.last.connect();
		feed.stop();
		expect(feed.state).toBe("idle");
		expect(sockets.last.closed).toBe(true);
		clock.advance(100000);
		feed.step();
		expect(sockets.sockets).toHaveLength(1);
		// Events from a closed socket are ignored.
		sockets.last.fail();
		expect(feed.state).toBe("idle");
	});

	test("a-line-cut-by-a-lost-connection-is-not-glued-to-the-next", () => {
		const { clock, sockets, ring, feed } = mockFeed({ backoffMin: 10 });
		feed.start();
		sockets.last.connect();
		sockets.last.receive("t1238112233");
		sockets.last.fail();
		clock.advance(10);
		feed.step();
		sockets.last.connect();
		sockets.last.receive("4455667788\rt4561AA\r");
		expect(drain(ring).map(frame => frame.id)).toEqual([0x456]);
		expect(feed.parser.malformed).toBe(2);
	});
});

describe("FeedClient against xs-cluster serve on 127.0.0.1", () => {
	let server: FeedServer | undefined;
	let timer: NodeJS.Timeout | undefined;
	afterEach(async () => {
		clearInterval(timer);
		await server?.close();
		server = undefined;
	});

	function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
		return new Promise((resolve, reject) => {
			const start = performance.now();
			const poll = setInterval(() => {
				if (condition()) {
					clearInterval(poll);
					resolve();
				}
				else if (performance.now() - start > timeoutMs) {
					clearInterval(poll);
					reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
				}
			}, 5);
		});
	}

	test("receives-the-log-and-reconnects-when-serve-stops-and-starts-again", async () => {
		const log = join(fixturesDir, "logs/demo-car.log");
		server = await startServe({ path: log, rate: 1, loop: true, port: 0, host: "127.0.0.1", protocol: "auto", beacon: false });
		const port = server.port;
		const ring = new FrameRing(1024);
		const clock = () => performance.now();
		const feed = new FeedClient(ring, { socket: nodeTcpSocket, clock, port, backoffMin: 20, backoffMax: 100, idleTimeout: 2000 });
		feed.start();
		timer = setInterval(() => feed.step(), 5);
		const frames: Plain[] = [];
		const collect = () => {
			frames.push(...drain(ring));
			return frames;
		};
		await waitUntil(() => collect().length >= 16, 3000, "two laps of frames");
		expect(feed.state).toBe("connected");
		expect(frames.slice(0, 8).map(f => `${f.id.toString(16)}:${f.data}`)).toEqual([
			"1c4:e02e32c800010000", "b4:27102706000005ab", "3b1:4300", "123:00", "18fef100:0000190000000000", "700:0146640000000000", "1c4:", "700:0220030000000000",
		]);
		// Stamped on arrival with the host clock: about 10 ms apart, as in the log.
		expect(frames[7].timestamp - frames[0].timestamp).toBeGreaterThan(50);
		expect(frames[7].timestamp - frames[0].timestamp).toBeLessThan(120);

		await server.close();
		await waitUntil(() => feed.state === "backing-off" || feed.state === "connecting", 3000, "the client to see the feed stop");
		server = await startServe({ path: log, rate: 1, loop: true, port, host: "127.0.0.1", protocol: "auto", beacon: false });
		const before = feed.frames;
		await waitUntil(() => feed.reconnects === 1 && feed.frames >= before + 8, 3000, "frames after the feed came back");
		expect(feed.state).toBe("connected");
		expect(feed.connects).toBe(2);
		feed.stop();
	}, 15000);
});

describe("a drive from a log file to the decoder through serve and the feed", () => {
	test("the-decoder-sees-the-same-signals-as-decoding-the-file", async () => {
		const { readFileSync } = await import("node:fs");
		const { CandumpParser } = await import("../modules/can/candump.js");
		const { Decoder } = await import("../modules/signals/decoder.js");
		const { DecodePlan } = await import("../modules/signals/plan.js");
		const { repoRoot } = await import("./shared-data.js");
		const plan = new DecodePlan(new Uint8Array(readFileSync(join(repoRoot, "hosts/sim/demo/demo-car.plan"))).buffer);
		const log = join(repoRoot, "hosts/sim/demo/demo-drive.log");
		/** "MESSAGE Signal=value ..." for each decoded frame. */
		const describe = (decoder: InstanceType<typeof Decoder>, frame: CanFrame): string | null => {
			const message = decoder.decode(frame);
			if (message < 0)
				return null;
			let text = plan.messageName(message);
			for (let s = plan.firstSignal(message), end = s + plan.signalCountOf(message); s < end; s++)
				if (decoder.present[s])
					text += ` ${plan.signalName(s)}=${decoder.store.value(s)}`;
			return text;
		};
		// Straight from the file.
		const fileRing = new FrameRing(8192), parser = new CandumpParser(fileRing), fileDecoder = new Decoder(plan), frame = new CanFrame();
		parser.feed(readFileSync(log));
		parser.finish();
		const expected: string[] = [];
		while (fileRing.pop(frame)) {
			const text = describe(fileDecoder, frame);
			if (text)
				expected.push(text);
		}
		expect(expected.length).toBeGreaterThan(1000);

		// Through `serve` at 20x and the feed client, as the simulator would take it.
		const server = await startServe({ path: log, rate: 20, loop: false, port: 0, host: "127.0.0.1", protocol: "auto", beacon: false });
		try {
			const ring = new FrameRing(4096), decoder = new Decoder(plan);
			const feed = new FeedClient(ring, { socket: nodeTcpSocket, clock: () => performance.now(), port: server.port });
			const received: string[] = [];
			const drainDecoded = () => {
				while (ring.pop(frame)) {
					const text = describe(decoder, frame);
					if (text)
						received.push(text);
				}
			};
			feed.start();
			const timer = setInterval(() => {
				feed.step();
				drainDecoded();
			}, 5);
			try {
				await server.finished;
				await new Promise(resolve => setTimeout(resolve, 100));
				drainDecoded();
			}
			finally {
				clearInterval(timer);
				feed.stop();
			}
			expect(ring.dropped).toBe(0);
			expect(received).toEqual(expected);
		}
		finally {
			await server.close();
		}
	}, 20000);
});
