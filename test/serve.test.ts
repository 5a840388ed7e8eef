/*
 * `xs-cluster serve` on 127.0.0.1 with an ephemeral port: the socketcand
 * handshake and frames, SLCAN after `O`, protocol detection, timing against
 * the log, several clients, dropping a client that stops reading, stopping
 * cleanly, and python-can's socketcand and slcan interfaces as clients
 * (skipped, saying why, without python-can). Pacing is checked on a virtual
 * clock (test/support/virtual-clock.ts), exactly; against the host's clock
 * only bounds that hold on a loaded machine are asserted (frames never come
 * earlier than the log says). Every connection and wait is bounded, with room
 * for a busy machine. Node (vitest).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { encodeSlcanFrame } from "../modules/can/slcan.js";
import { reportError } from "../tools/cli.js";
import { parseRate, serveCommand, startServe, type FeedServer, type ServeOptions } from "../tools/serve.js";
import { fixturesDir } from "./shared-data.js";
import { PYTHON_CAN_MISSING, SYSTEM_PYTHON, pythonCanVersion } from "./support/python-can.js";
import { TestClient } from "./support/tcp-client.js";
import { VirtualClock } from "./support/virtual-clock.js";

const demoLog = join(fixturesDir, "logs/demo-car.log");
/** The data frames of demo-car.log as socketcand sends them (the remote frame is not sent). */
const SOCKETCAND_FRAMES = [
	"1C4 E02E32C800010000", "0B4 27102706000005AB", "3B1 4300", "123 00",
	"18FEF100 0000190000000000", "700 0146640000000000", "700 0220030000000000",
];
/** Log times of those frames, ms after the first. */
const SOCKETCAND_TIMES = [0, 10.15, 19.9, 29.9, 39.9, 49.9, 69.9];
/** A wait for something that happens at once on an idle machine: generous, since it only ends a test that already failed. */
const PATIENCE = 10000;

let servers: FeedServer[] = [];
let clients: TestClient[] = [];

afterEach(async () => {
	for (const client of clients)
		client.close();
	await Promise.all(servers.map(server => server.close()));
	servers = [];
	clients = [];
});

async function serve(options: Partial<ServeOptions> = {}): Promise<FeedServer> {
	const server = await startServe({ path: demoLog, rate: 1, loop: false, port: 0, host: "127.0.0.1", protocol: "auto", beacon: false, ...options });
	servers.push(server);
	return server;
}

async function client(port: number): Promise<TestClient> {
	const c = await TestClient.open(port);
	clients.push(c);
	return c;
}

/** performance.now() just before each client asked for raw mode: the server's settle time starts after it. */
const rawmodeSentAt = new WeakMap<TestClient, number>();

/** Connects and goes through the socketcand handshake to raw mode. */
async function socketcandClient(port: number): Promise<TestClient> {
	const c = await client(port);
	await c.waitFor(() => c.text === "< hi >", PATIENCE, "< hi >");
	c.send("< open can0 >");
	await c.waitFor(() => c.text === "< hi >< ok >", PATIENCE, "< ok > to open");
	rawmodeSentAt.set(c, performance.now());
	c.send("< rawmode >");
	await c.waitFor(() => c.text === "< hi >< ok >< ok >", PATIENCE, "< ok > to rawmode");
	return c;
}

/** `< frame ID TIME DATA >` messages received: "ID DATA" and the time field. */
function socketcandFrames(text: string): { frame: string; time: number }[] {
	return [...text.matchAll(/< frame ([0-9A-F]+) (\d+\.\d{6}) ([0-9A-F]*) >/g)].map(match => ({ frame: `${match[1]} ${match[3]}`, time: Number(match[2]) }));
}

function slcanLine(id: number, flags: number, data: number[], dlc = data.length): string {
	const frame = new CanFrame();
	frame.id = id;
	frame.flags = flags;
	frame.dlc = dlc;
	frame.data.set(data);
	const out = new Uint8Array(40);
	return Buffer.from(out.subarray(0, encodeSlcanFrame(frame, out))).toString("latin1");
}

describe("xs-cluster serve, socketcand", () => {
	test("handshake-then-every-data-frame-at-its-log-time", async () => {
		const clock = new VirtualClock();
		const server = await serve({ clock });
		const c = await socketcandClient(server.port);
		await c.waitFor(() => socketcandFrames(c.text).length === SOCKETCAND_FRAMES.length, PATIENCE, "7 frames");
		expect(socketcandFrames(c.text).map(f => f.frame)).toEqual(SOCKETCAND_FRAMES);
		expect(c.text).toMatch(/^< hi >< ok >< ok >(\n< frame [^>]+ >)+$/);
		// Each frame is sent at its log time after the first, stamped with the clock's time of sending.
		const times = socketcandFrames(c.text).map(f => f.time);
		times.forEach((time, i) => expect(Math.abs(time - (clock.epochStart + SOCKETCAND_TIMES[i]) / 1000), `frame ${i}`).toBeLessThan(2e-6));
		await server.finished;
		expect(server.stats).toMatchObject({ frames: 8, laps: 1 });
	}, 30000);

	test("on-the-host-clock-frames-never-come-earlier-than-the-log-says", async () => {
		// Only a lower bound: a loaded machine may deliver late, never early.
		const server = await serve();
		const c = await socketcandClient(server.port);
		await c.waitFor(() => socketcandFrames(c.text).length === SOCKETCAND_FRAMES.length, PATIENCE, "7 frames");
		const last = c.arrivals.at(-1)!.at;
		// From the request, not from the client's sight of its < ok >: that can arrive late on a
		// loaded machine (issue 15: 16 ms seen), while the server's settle time had started at once.
		expect(last - rawmodeSentAt.get(c)!).toBeGreaterThanOrEqual(90 + SOCKETCAND_TIMES.at(-1)! - 2); // RAWMODE_SETTLE_MS, then the log's 69.9 ms
		const times = socketcandFrames(c.text).map(f => f.time);
		// The stamps, on the same clock: the last frame was sent no earlier than the log says either.
		// (Not measured from the first frame's stamp: on a loaded machine that one can be late
		// while the last is on time, 0.18 ms short of 68.9 ms seen.)
		expect(times.at(-1)! * 1000 - performance.timeOrigin).toBeGreaterThanOrEqual(rawmodeSentAt.get(c)! + 90 + SOCKETCAND_TIMES.at(-1)! - 2);
		expect(Math.abs(times[0] * 1000 - Date.now())).toBeLessThan(60000); // the host's wall clock
	}, 30000);

	test("rate-2x-plays-twice-as-fast-and-loop-starts-again", async () => {
		const clock = new VirtualClock();
		const server = await serve({ rate: 2, loop: true, clock });
		const c = await socketcandClient(server.port);
		await c.waitFor(() => socketcandFrames(c.text).length >= 3 * SOCKETCAND_FRAMES.length, PATIENCE, "three laps");
		// The last frame of each lap, as sent: a lap of 69.9 ms at 2x takes 34.95 ms, the next starting at once.
		const lapEnds = socketcandFrames(c.text).filter(f => f.frame === "700 0220030000000000").map(f => f.time * 1000 - clock.epochStart);
		expect(lapEnds.length).toBeGreaterThanOrEqual(3);
		lapEnds.slice(0, 3).forEach((t, lap) => expect(t, `lap ${lap}`).toBeCloseTo(34.95 * (lap + 1), 2));
		expect(server.stats.laps).toBeGreaterThanOrEqual(2);
	}, 30000);

	test("echo-and-unknown-commands-and-rawmode-before-open", async () => {
		const server = await serve({ protocol: "socketcand" });
		const c = await client(server.port);
		await c.waitFor(() => c.text === "< hi >", PATIENCE);
		c.send("< rawmode >");
		await c.waitFor(() => c.text.endsWith("< error no bus opened >"));
		c.send("< echo >");
		await c.waitFor(() => c.text.endsWith("< echo >"));
		c.send("< frobnicate >");
		await c.waitFor(() => c.text.endsWith("< error unknown command >"));
	});
});

describe("xs-cluster serve, SLCAN", () => {
	test("frames-after-O-as-an-adapter-sends-them-with-Z1-timestamps", async () => {
		const clock = new VirtualClock();
		const server = await serve({ clock });
		const c = await client(server.port);
		c.send("V\rZ1\rO\r");
		await c.waitFor(() => (c.text.match(/\r/g) ?? []).length >= 3 + 8, PATIENCE, "8 frames");
		const lines = c.text.split("\r");
		expect(lines.slice(0, 3)).toEqual(["V1013", "", ""]);
		const frames = lines.slice(3, 11);
		const expected = [
			slcanLine(0x1C4, 0, [0xE0, 0x2E, 0x32, 0xC8, 0, 1, 0, 0]),
			slcanLine(0x0B4, 0, [0x27, 0x10, 0x27, 0x06, 0, 0, 0x05, 0xAB]),
			slcanLine(0x3B1, 0, [0x43, 0]),
			slcanLine(0x123, 0, [0]),
			slcanLine(0x18FEF100, FrameFlag.extended, [0, 0, 0x19, 0, 0, 0, 0, 0]),
			slcanLine(0x700, 0, [1, 0x46, 0x64, 0, 0, 0, 0, 0]),
			slcanLine(0x1C4, FrameFlag.remote, [], 0),
			slcanLine(0x700, 0, [2, 0x20, 3, 0, 0, 0, 0, 0]),
		];
		// Each line is the frame plus 4 hex digits of adapter time: the ms of the 60 s counter when sent.
		expect(frames.map(line => line.slice(0, -4) + "\r")).toEqual(expected);
		const stamps = frames.map(line => parseInt(line.slice(-4), 16));
		const sent = [0, 10.15, 19.9, 29.9, 39.9, 49.9, 59.9, 69.9].map(t => Math.floor(clock.epochStart + t) % 60000);
		stamps.forEach((stamp, i) => expect(Math.abs(stamp - sent[i]), `frame ${i}`).toBeLessThanOrEqual(1));
	}, 30000);

	test("C-stops-frames-and-transmit-commands-are-acknowledged", async () => {
		const server = await serve({ protocol: "slcan", loop: true, clock: new VirtualClock() });
		const c = await client(server.port);
		c.send("S6\rt12321122\rO\r");
		await c.waitFor(() => /t1C48E02E/.test(c.text), PATIENCE, "a frame");
		expect(c.text.startsWith("\rz\r\r")).toBe(true);
		// V after C: its answer follows C's in the stream, and no frame may come after it.
		c.send("C\rV\r");
		await c.waitFor(() => c.text.includes("V1013\r"), PATIENCE, "the answer to V");
		const laps = server.stats.laps;
		await c.waitFor(() => server.stats.laps >= laps + 3, PATIENCE, "three more laps played");
		expect(c.text.slice(c.text.indexOf("V1013\r") + 6)).toBe("");
	}, 30000);
});

describe("xs-cluster serve, clients", () => {
	test("several-clients-at-once-each-get-every-frame", async () => {
		// The replay starts with the first client and plays on like a bus: later clients join mid-lap.
		const server = await serve({ loop: true });
		const a = await socketcandClient(server.port);
		const b = await socketcandClient(server.port);
		const s = await client(server.port);
		s.send("O\r");
		const lap = SOCKETCAND_FRAMES.join(",");
		const hasLap = (c: TestClient) => socketcandFrames(c.text).map(f => f.frame).join(",").includes(lap);
		await a.waitFor(() => hasLap(a), PATIENCE, "a: a whole lap");
		await b.waitFor(() => hasLap(b), PATIENCE, "b: a whole lap");
		await s.waitFor(() => s.text.includes("\rt1C48E02E32C800010000\rt0B4827102706000005AB\rt3B124300\rt123100\rT18FEF10080000190000000000\rt70080146640000000000\rr1C40\rt70080220030000000000\r"), PATIENCE, "slcan: a whole lap");
		expect(server.stats.clients).toBe(3);
	}, 30000);

	test("a-client-that-stops-reading-is-dropped-and-memory-stays-bounded", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-serve-"));
		const path = join(dir, "flood.log");
		// 600,000 frames at one instant: 13 MB of SLCAN at once, more than loopback buffers hold.
		const line = "(1700000000.000000) can0 123#1122334455667788\n";
		writeFileSync(path, line.repeat(600000));
		const server = await serve({ path, maxBuffered: 256 * 1024, protocol: "slcan" });
		const reader = await client(server.port);
		const stuck = await client(server.port);
		stuck.socket.pause(); // stops reading
		stuck.send("O\r");
		reader.send("O\r");
		// (A paused socket does not read, so it cannot see the close itself: watch the server.)
		await stuck.waitFor(() => server.stats.droppedClients === 1, 20000, "the stuck client to be dropped");
		expect(server.stats.clients).toBe(1);
		await server.finished;
		const expected = 1 + 600000 * "t12381122334455667788\r".length;
		await reader.waitFor(() => reader.text.length >= expected, 10000, "every frame at the reading client");
		expect(reader.text.length).toBe(expected);
	}, 60000);
});

describe("xs-cluster serve, discovery", () => {
	test("announces-itself-with-socketcands-beacon-on-loopback", async () => {
		const { createSocket } = await import("node:dgram");
		const udp = createSocket("udp4");
		try {
			await new Promise<void>(resolve => udp.bind(0, "127.0.0.1", resolve));
			const beacon = new Promise<string>((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error("no beacon within 10 s")), PATIENCE);
				udp.once("message", message => {
					clearTimeout(timer);
					resolve(message.toString("utf8"));
				});
			});
			const server = await serve({ beacon: udp.address().port });
			// What SavvyCAN's connection window reads: the host name, the URL and each bus.
			expect(await beacon).toBe(`<CANBeacon name="xs-cluster" type="adapter" description="xs-cluster serve"><URL>can://127.0.0.1:${server.port}</URL><Bus name="can0"/></CANBeacon>`);
		}
		finally {
			udp.close();
		}
	});
});

describe("xs-cluster serve, logs without timing", () => {
	test("a-looped-log-without-timestamps-plays-one-lap-a-second-not-a-flood", async () => {
		const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-serve-")), "screen.txt");
		writeFileSync(path, "  can0  123   [1]  11\n  can0  456   [1]  22\n  can0  789   [1]  33\n");
		const log: string[] = [];
		const clock = new VirtualClock();
		const server = await serve({ path, loop: true, protocol: "slcan", log: text => log.push(text), clock });
		const c = await client(server.port);
		c.send("Z1\rO\r");
		await c.waitFor(() => (c.text.match(/t7891/g) ?? []).length >= 3, PATIENCE, "three laps");
		// Every frame of a lap at one time, the laps UNTIMED_LAP_MS apart.
		const stamps = [...c.text.matchAll(/t\d{3}1\d\d([0-9A-F]{4})\r/g)].slice(0, 9).map(m => parseInt(m[1], 16));
		const start = Math.floor(clock.epochStart) % 60000;
		expect(stamps).toEqual([0, 0, 0, 1000, 1000, 1000, 2000, 2000, 2000].map(t => start + t));
		expect(log).toContain("the log has no timing: one lap every 1000 ms");
	}, 30000);

	test("a-log-with-no-frames-is-refused-before-listening", async () => {
		const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-serve-")), "empty.log");
		writeFileSync(path, "# nothing recorded\n");
		await expect(serve({ path, loop: true, protocol: "slcan" })).rejects.toThrow(/empty\.log: no CAN frames in its 1 line \(read as candump/);
	});
});

describe("xs-cluster serve command", () => {
	async function run(args: string[], signal?: AbortSignal) {
		let stdout = "", stderr = "";
		const io = { stdout: (text: string) => { stdout += text; }, stderr: (text: string) => { stderr += text; } };
		const status = await serveCommand(args, io, signal).catch(error => reportError(error, io));
		return { status, stdout, stderr };
	}

	test("stops-cleanly-on-abort-like-ctrl-c", async () => {
		const controller = new AbortController();
		const running = run([demoLog, "--port", "0", "--loop", "--no-beacon"], controller.signal);
		await new Promise(resolve => setTimeout(resolve, 200));
		controller.abort();
		const { status, stderr } = await running;
		expect(status).toBe(0);
		expect(stderr).toMatch(/^xs-cluster serve: .*demo-car\.log at 1x, looping on 127\.0\.0\.1:\d+; socketcand \(any bus name\) or SLCAN \(send O\); Ctrl-C stops\n/);
		expect(stderr).toMatch(/xs-cluster serve: 0 frames in 0 laps; 0 clients dropped for not reading\n$/);
	}, 30000);

	test("after-the-log-a-connection-ends-only-when-its-client-has-read-and-closes", async () => {
		let stderr = "";
		const io = { stdout: () => {}, stderr: (text: string) => { stderr += text; } };
		const running = serveCommand([demoLog, "--port", "0", "--rate", "max", "--no-beacon", "--protocol", "slcan"], io);
		let port = 0;
		await new Promise<void>((resolve, reject) => {
			const started = Date.now();
			const poll = setInterval(() => {
				const match = /127\.0\.0\.1:(\d+);/.exec(stderr);
				if (match || Date.now() - started > PATIENCE) {
					clearInterval(poll);
					port = Number(match?.[1] ?? 0);
					return match ? resolve() : reject(new Error(`serve did not start: ${stderr}`));
				}
			}, 5);
		});
		const c = await client(port);
		const idle = await client(port); // asks for no frames: ended when the log has played
		c.send("O\r");
		await c.waitFor(() => /waiting for 1 client to read the rest/.test(stderr), PATIENCE, "the log to have played");
		await idle.waitFor(() => idle.closed, PATIENCE, "the idle client to be ended");
		expect(c.closed).toBe(false); // the server never closes on a client that may still be reading
		let settled = false;
		void running.then(() => { settled = true; });
		await new Promise(resolve => setTimeout(resolve, 50));
		expect(settled).toBe(false);
		expect(c.text.match(/\r/g)).toHaveLength(1 + 8); // O's answer and every frame
		c.close();
		expect(await running).toBe(0);
		expect(stderr).toMatch(/8 frames in 1 lap; 0 clients dropped for not reading\n$/);
	}, 30000);

	test("usage-mistakes-and-bad-logs", async () => {
		expect(await run([])).toMatchObject({ status: 2, stderr: expect.stringMatching(/missing log file/) });
		expect(await run([demoLog, "--rate", "fast"])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--rate must be/) });
		expect(await run([demoLog, "--port", "99999"])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--port must be/) });
		expect(await run([demoLog, "--protocol", "http"])).toMatchObject({ status: 2, stderr: expect.stringMatching(/--protocol must be/) });
		const notes = join(mkdtempSync(join(tmpdir(), "xs-cluster-serve-")), "notes.txt");
		writeFileSync(notes, "hello\n");
		const bad = await run([notes, "--port", "0"]);
		expect(bad.status).toBe(1);
		expect(bad.stderr).toMatch(/notes\.txt: not a CAN log xs-cluster reads/);
		expect(parseRate("1x")).toBe(1);
		expect(parseRate("0.5x")).toBe(0.5);
		expect(parseRate("3")).toBe(3);
		expect(parseRate("max")).toBe("max");
	});
});

const PYTHON_SOCKETCAND = String.raw`
import json, sys, time, can
bus = can.Bus(interface="socketcand", channel="can0", host="127.0.0.1", port=int(sys.argv[1]))
frames = []
deadline = time.time() + 30
while len(frames) < 7 and time.time() < deadline:
    m = bus.recv(0.5)
    if m is not None:
        frames.append({"id": m.arbitration_id, "data": bytes(m.data).hex(), "t": m.timestamp})
bus.shutdown()
print(json.dumps(frames))
`;

const PYTHON_SLCAN = String.raw`
import json, sys, time, can
bus = can.Bus(interface="slcan", channel="socket://127.0.0.1:" + sys.argv[1], sleep_after_open=0)
frames = []
deadline = time.time() + 30
while len(frames) < 8 and time.time() < deadline:
    m = bus.recv(0.5)
    if m is not None:
        frames.append({"id": m.arbitration_id, "extended": m.is_extended_id, "remote": m.is_remote_frame, "data": bytes(m.data).hex()})
bus.shutdown()
print(json.dumps(frames))
`;

/** Reads until argv[2] frames or the connection ends; prints [count, last id, last data]. */
const PYTHON_SLCAN_ALL = String.raw`
import json, sys, time, can
bus = can.Bus(interface="slcan", channel="socket://127.0.0.1:" + sys.argv[1], sleep_after_open=0)
want = int(sys.argv[2])
count, last = 0, None
deadline = time.time() + 90
try:
    while count < want and time.time() < deadline:
        m = bus.recv(5)
        if m is not None:
            count += 1
            last = m
except can.CanError as error:
    print("connection ended after %d frames: %s" % (count, error), file=sys.stderr)
bus.shutdown()
print(json.dumps([count, last.arbitration_id if last else None, bytes(last.data).hex() if last else None]))
`;

if (!pythonCanVersion) {
	describe("python-can as a client of xs-cluster serve", () => {
		test.skip(PYTHON_CAN_MISSING, () => {});
	});
}
else {
	describe(`python-can ${pythonCanVersion} as a client of xs-cluster serve`, () => {
		// python-can blocks in recv, so it runs as a child process while this process serves.
		async function python(script: string, port: number, args: string[] = []): Promise<{ frames: unknown[]; warnings: string }> {
			const { spawn } = await import("node:child_process");
			return new Promise((resolve, reject) => {
				const child = spawn(SYSTEM_PYTHON, ["-c", script, String(port), ...args], { stdio: ["ignore", "pipe", "pipe"] });
				let out = "", err = "";
				child.stdout.on("data", data => { out += data; });
				child.stderr.on("data", data => { err += data; });
				const timer = setTimeout(() => child.kill(), 100000);
				child.on("close", code => {
					clearTimeout(timer);
					if (code === 0)
						resolve({ frames: JSON.parse(out), warnings: err });
					else
						reject(new Error(`python-can client failed (${code}): ${err}`));
				});
			});
		}

		test("socketcand-interface-receives-every-data-frame-without-warnings", async () => {
			const server = await serve({ loop: true });
			const result = await python(PYTHON_SOCKETCAND, server.port);
			const frames = result.frames as { id: number; data: string; t: number }[];
			expect(result.warnings).not.toMatch(/Could not parse|Invalid Frame|Bad data/);
			expect(frames.slice(0, 7).map(f => `${f.id.toString(16).toUpperCase().padStart(f.id > 0x7FF ? 8 : 3, "0")} ${f.data.toUpperCase()}`)).toEqual(SOCKETCAND_FRAMES);
			expect(frames[6].t - frames[0].t).toBeGreaterThan(0.05);
		}, 60000);

		test("slcan-interface-at-rate-max-gets-the-last-frame-of-a-large-log", async () => {
			// python-can's slcan interface drops the frames it had buffered when the
			// server closes first: serve must wait for the client to close.
			const count = 12974;
			const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-serve-")), "big.log");
			writeFileSync(path, Array.from({ length: count }, (_, i) => `(1700000000.${String(i).padStart(6, "0")}) can0 ${(0x100 + (i % 0x600)).toString(16).toUpperCase()}#${(i & 0xFFFF).toString(16).toUpperCase().padStart(4, "0")}\n`).join(""));
			let stderr = "";
			const io = { stdout: () => {}, stderr: (text: string) => { stderr += text; } };
			const running = serveCommand([path, "--port", "0", "--rate", "max", "--no-beacon", "--protocol", "slcan"], io);
			const port = await new Promise<number>((resolve, reject) => {
				const started = Date.now();
				const poll = setInterval(() => {
					const match = /127\.0\.0\.1:(\d+);/.exec(stderr);
					if (match || Date.now() - started > PATIENCE) {
						clearInterval(poll);
						return match ? resolve(Number(match[1])) : reject(new Error(`serve did not start: ${stderr}`));
					}
				}, 5);
			});
			const { frames, warnings } = await python(PYTHON_SLCAN_ALL, port, [String(count)]);
			expect(warnings).toBe("");
			expect(frames).toEqual([count, (0x100 + ((count - 1) % 0x600)), ((count - 1) & 0xFFFF).toString(16).padStart(4, "0")]);
			expect(await running).toBe(0);
		}, 120000);

		test("slcan-interface-over-socket-url-receives-every-frame", async () => {
			const server = await serve({ loop: true });
			const frames = (await python(PYTHON_SLCAN, server.port)).frames as { id: number; extended: boolean; remote: boolean; data: string }[];
			expect(frames).toEqual([
				{ id: 0x1C4, extended: false, remote: false, data: "e02e32c800010000" },
				{ id: 0x0B4, extended: false, remote: false, data: "27102706000005ab" },
				{ id: 0x3B1, extended: false, remote: false, data: "4300" },
				{ id: 0x123, extended: false, remote: false, data: "00" },
				{ id: 0x18FEF100, extended: true, remote: false, data: "0000190000000000" },
				{ id: 0x700, extended: false, remote: false, data: "0146640000000000" },
				{ id: 0x1C4, extended: false, remote: true, data: "" },
				{ id: 0x700, extended: false, remote: false, data: "0220030000000000" },
			]);
		}, 60000);
	});
}
