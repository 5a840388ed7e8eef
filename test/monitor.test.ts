/*
 * `xs-cluster monitor`: the view (messages by id with their latest values,
 * stale messages shown as --, cut to the terminal), a log file's last state,
 * a live SLCAN feed from `xs-cluster serve`, the terminal's alternate screen,
 * and its mistakes. Node (vitest).
 */
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { main } from "../tools/cli.js";
import { readDbc } from "../tools/dbc-file.js";
import { MonitorState, parseFeed, renderView, runMonitor } from "../tools/monitor.js";
import { startServe } from "../tools/serve.js";
import { fixturesDir, repoRoot } from "./shared-data.js";
import { VirtualClock } from "./support/virtual-clock.js";

const demoDbc = join(repoRoot, "hosts/sim/demo/demo-car.dbc");
const demoLog = join(fixturesDir, "logs/demo-car.log");
const plan = new DecodePlan(compilePlan(readDbc(demoDbc).database).buffer);

function frame(id: number, data: number[], t: number, flags = 0): CanFrame {
	const f = new CanFrame();
	f.id = id;
	f.flags = flags;
	f.dlc = data.length;
	f.data.set(data);
	f.timestamp = t;
	return f;
}

async function run(...argv: string[]) {
	let stdout = "", stderr = "";
	const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

describe("the monitor's view", () => {
	test("messages-by-id-with-latest-values-and-stale-ones-as-dashes", () => {
		const state = new MonitorState(plan);
		for (let i = 0; i < 5; i++)
			state.add(frame(0x1C4, [0x80, 0x0C, 50, 0, 0, 0, 0, 0], 1000 + i * 10)); // ENGINE every 10 ms: 800 rpm
		state.add(frame(0x18FEF100, [0, 0, 0x19, 0, 0, 0, 0, 0], 1040, FrameFlag.extended));
		state.add(frame(0x123, [0], 1041));
		const fresh = renderView(state, "test", 1045);
		expect(fresh).toEqual([
			"xs-cluster monitor: test",
			"7 frames, 2 messages seen, 1 frame with unknown ids (1 id)",
			"",
			"1C4       ENGINE  (period 10.0 ms, 5 frames)",
			"    EngineSpeed: 800 rpm",
			"    ThrottlePosition: 20 %",
			"    EngineTorque: 0 Nm",
			"    CheckEngine: 0",
			"    OilPressureLow: 0",
			"18FEF100  CCVS  (period -, 1 frame)",
			"    WheelBasedSpeed: 25 km/h",
		]);
		// 3 periods (at least 50 ms) after ENGINE's last frame it goes stale; CCVS (one frame) after 2 s.
		expect(renderView(state, "test", 1089)[3]).toBe("1C4       ENGINE  (period 10.0 ms, 5 frames)");
		const later = renderView(state, "test", 1091);
		expect(later[3]).toBe("1C4       ENGINE  (period 10.0 ms, 5 frames, stale)");
		expect(later[4]).toBe("    EngineSpeed: --");
		expect(later[10]).toBe("    WheelBasedSpeed: 25 km/h");
		expect(renderView(state, "test", 3041)[10]).toBe("    WheelBasedSpeed: --");
	});

	test("cut-to-the-terminal", () => {
		const state = new MonitorState(plan);
		state.add(frame(0x1C4, [0x80, 0x0C, 50, 0, 0, 0, 0, 0], 0));
		state.add(frame(0x0B4, [0x27, 0x10, 0x27, 0x06, 0, 0, 0x05, 0xAB], 0));
		const view = renderView(state, "test", 0, 6, 20);
		expect(view).toHaveLength(6);
		expect(view.at(-1)).toMatch(/^\.\.\. 9 more lines/); // of 11: two message headers and nine signals
		for (const line of view)
			expect(line.length).toBeLessThanOrEqual(20);
		expect(view[0]).toBe("xs-cluster monitor:…");
	});

	test("feed-addresses", () => {
		expect(parseFeed("127.0.0.1:29536")).toEqual({ host: "127.0.0.1", port: 29536 });
		expect(parseFeed("adapter.local")).toEqual({ host: "adapter.local", port: 29536 });
		expect(parseFeed(":3333")).toEqual({ host: "127.0.0.1", port: 3333 });
		expect(parseFeed("[::1]:4000")).toEqual({ host: "::1", port: 4000 });
		expect(() => parseFeed("host:99999")).toThrow(/--feed takes host:port/);
	});
});

describe("xs-cluster monitor", () => {
	test("a-log-file-gives-its-last-state-once", async () => {
		const { status, stdout, stderr } = await run("monitor", "--dbc", demoDbc, demoLog);
		expect(stderr).toBe("");
		expect(status).toBe(0);
		expect(stdout.split("\n").slice(0, 4)).toEqual(["xs-cluster monitor: demo-car.log", "8 frames, 5 messages seen, 1 frame with unknown ids (1 id)", "", "0B4       WHEEL_SPEED  (period -, 1 frame)"]);
		expect(stdout).toContain("700       DIAG  (period 20.0 ms, 2 frames)\n    Page: 2\n    Lambda: 0.08\n");
		expect(stdout).toContain("    GearLever: D\n");
		expect(stdout).not.toContain("\x1b");
	});

	test("a-live-slcan-feed-from-serve", async () => {
		const server = await startServe({ path: demoLog, rate: 1, loop: false, port: 0, host: "127.0.0.1", protocol: "slcan", beacon: false, clock: new VirtualClock() });
		try {
			const controller = new AbortController();
			let out = "";
			const running = runMonitor({ plan, source: { feed: { host: "127.0.0.1", port: server.port } }, write: text => { out += text; }, signal: controller.signal, onUpdate: state => { if (state.frames === 8) controller.abort(); } });
			const state = await running;
			expect(state.frames).toBe(8);
			expect(out).toMatch(/^xs-cluster monitor: feed 127\.0\.0\.1:\d+\n8 frames, 5 messages seen, 1 frame with unknown ids \(1 id\)\n/);
			expect(out).toContain("1C4       ENGINE  (period ");
			expect(out).toContain("    WheelBasedSpeed: 25 km/h\n");
			await server.clientsDone(); // the monitor hung up: serve is done with it
		}
		finally {
			await server.close();
		}
	}, 30000);

	test("on-a-terminal-the-view-takes-the-screen-and-gives-it-back", async () => {
		let out = "";
		const status = await main(["monitor", "--dbc", demoDbc, demoLog], { stdout: text => { out += text; }, stderr: () => {}, terminal: () => ({ columns: 60, rows: 10 }) });
		expect(status).toBe(0);
		expect(out.startsWith("\x1b[?1049h\x1b[?25l\x1b[H\x1b[2Jxs-cluster monitor: demo-car.log\n")).toBe(true);
		const restored = out.indexOf("\x1b[?25h\x1b[?1049l");
		expect(restored).toBeGreaterThan(0);
		// after the screen is given back, the last view stays in the terminal, whole
		expect(out.slice(restored + 14)).toMatch(/^xs-cluster monitor: demo-car\.log\n8 frames[\s\S]*WheelBasedSpeed: 25 km\/h\n$/);
	});

	test("mistakes", async () => {
		expect(await run("monitor", demoLog)).toMatchObject({ status: 2, stderr: expect.stringMatching(/monitor needs --dbc/) });
		expect(await run("monitor", "--dbc", demoDbc)).toMatchObject({ status: 2, stderr: expect.stringMatching(/monitor needs a source/) });
		expect(await run("monitor", "--dbc", demoDbc, "--feed", "127.0.0.1:1", demoLog)).toMatchObject({ status: 2, stderr: expect.stringMatching(/monitor reads one source/) });
		const refused = await run("monitor", "--dbc", demoDbc, "--feed", "127.0.0.1:1");
		expect(refused).toMatchObject({ status: 1, stderr: "xs-cluster: cannot connect to 127.0.0.1:1: ECONNREFUSED\n" });
	});
});
