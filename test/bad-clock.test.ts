/*
 * Host tools on bad clocks (issue 15, item 5): logs whose timestamps step
 * back in time or jump far ahead. Every tool warns once per kind of bad step
 * with the line of the first and the count, and what it computes from times
 * stays meaningful: stats' duration counts in-order steps only and never goes
 * negative, periods across a bad step are left out (and --json says how
 * many), decode's and plot's relative times run on, serve plays such frames at
 * once. On test/fixtures/logs/demo-car-bad-clock.log (demo-car.log with line
 * 4 stepped back 25 ms and lines 7 and 8 two hours ahead) and on the real
 * SavvyCAN log from ../shared/data with glitches edited in. Node (vitest).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../tools/cli.js";
import { CLOCK_JUMP_MS, LogClock, STEP_BACK, STEP_IN_ORDER, STEP_JUMP } from "../tools/logs/clock.js";
import { startServe } from "../tools/serve.js";
import { collectStats } from "../tools/stats.js";
import { describeSharedData, fixturesDir, repoRoot, sharedData } from "./shared-data.js";
import { TestClient } from "./support/tcp-client.js";
import { VirtualClock } from "./support/virtual-clock.js";

const demoDbc = join(repoRoot, "hosts/sim/demo/demo-car.dbc");
const badLog = join(fixturesDir, "logs/demo-car-bad-clock.log");
const cleanLog = join(fixturesDir, "logs/demo-car.log");

async function run(...args: string[]) {
	let stdout = "", stderr = "";
	const status = await main(args, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

function tempLog(name: string, text: string): string {
	const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-clock-")), name);
	writeFileSync(path, text);
	return path;
}

const WARN_BACK = `${badLog}:4: timestamp goes back 0.025 s (the only step back in time); such steps add no time\n`;
const WARN_JUMP = `${badLog}:7: timestamp jumps 7200.010 s ahead (the only jump of more than 60 s); such steps add no time\n`;

describe("the log clock", () => {
	test("in-order-steps-count-back-steps-and-jumps-add-nothing", () => {
		const clock = new LogClock();
		const kinds = [1000, 1010, 1005, 1020, 1020 + CLOCK_JUMP_MS, 1020 + 2 * CLOCK_JUMP_MS + 1, 1030 + 2 * CLOCK_JUMP_MS + 1].map((t, i) => clock.step(t, i + 1));
		expect(kinds).toEqual([STEP_IN_ORDER, STEP_IN_ORDER, STEP_BACK, STEP_IN_ORDER, STEP_IN_ORDER, STEP_JUMP, STEP_IN_ORDER]);
		// 10 (1000 to 1010) + 15 (1005 to 1020) + a step of exactly CLOCK_JUMP_MS (in order) + 10 after the jump.
		expect(clock.elapsed).toBe(10 + 15 + CLOCK_JUMP_MS + 10);
		expect(clock.back).toEqual({ count: 1, line: 3, from: 1010, to: 1005 });
		expect(clock.jumps).toEqual({ count: 1, line: 6, from: 1020 + CLOCK_JUMP_MS, to: 1020 + 2 * CLOCK_JUMP_MS + 1 });
		expect(clock.faults).toBe(2);
	});

	test("a-clean-log-reads-exactly-as-last-minus-first", () => {
		const clock = new LogClock();
		for (const t of [1700000000000.1, 1700000000010.25, 1700000000069.9])
			clock.step(t);
		expect(clock.origin).toBe(1700000000000.1);
		expect(clock.elapsed).toBe(1700000000069.9 - 1700000000000.1);
		expect(clock.faults).toBe(0);
	});

	test("the-first-of-each-kind-is-remembered-and-the-rest-counted", () => {
		const clock = new LogClock();
		[5000, 4000, 3000, 2000].forEach((t, i) => clock.step(t, i + 10));
		expect(clock.back).toEqual({ count: 3, line: 11, from: 5000, to: 4000 });
		expect(clock.elapsed).toBe(0); // never negative
	});
});

describe("xs-cluster stats on a bad clock", () => {
	test("duration-counts-in-order-steps-only-and-periods-across-a-bad-step-are-left-out", async () => {
		const stats = await collectStats([readFileSync(badLog)], { name: "bad.log" });
		// 0.1 to 20 ms, then 45 ms after the step back (-5 to 40 ms) and 10 more (50 ms), then 10 ms after the jump.
		expect(stats.duration).toBeCloseTo(19.9 + 45 + 10 + 10, 3); // (ms of epoch times: 3 decimals)
		const byId = new Map(stats.ids.map(entry => [entry.id, entry]));
		// 0x1C4 (lines 1 and 7) and 0x700 (lines 6 and 8) each have one period, across the jump: no period.
		expect(byId.get(0x1C4)).toMatchObject({ count: 2, period: null, jitter: null, excludedPeriods: 1 });
		expect(byId.get(0x700)).toMatchObject({ count: 2, period: null, jitter: null, excludedPeriods: 1 });
		expect(stats.clock.back.count).toBe(1);
		expect(stats.clock.jumps.count).toBe(1);
	});

	test("the-table-warns-with-the-lines-and-says-what-was-left-out", async () => {
		const { status, stdout, stderr } = await run("stats", badLog);
		expect(status).toBe(0);
		expect(stderr).toBe(WARN_BACK + WARN_JUMP);
		expect(stdout).toContain("8 frames (1 remote, 0 error), 6 ids, 0.085 s\n");
		expect(stdout).toContain("bad clock: 1 step back in time, 1 jump ahead; the duration counts none of them, and 2 periods across them are left out\n");
	});

	test("json-says-what-was-excluded", async () => {
		const { stdout } = await run("stats", "--json", badLog);
		const json = JSON.parse(stdout);
		expect(json.durationMs).toBeCloseTo(84.9, 3);
		expect(json.clock).toEqual({ stepsBack: 1, firstStepBackLine: 4, jumps: 1, firstJumpLine: 7, jumpMs: CLOCK_JUMP_MS, excludedPeriods: 2 });
		expect(json.ids.find((entry: { id: string }) => entry.id === "1C4")).toMatchObject({ periodMs: null, excludedPeriods: 1 });
		const clean = JSON.parse((await run("stats", "--json", cleanLog)).stdout);
		expect(clean.clock).toEqual({ stepsBack: 0, firstStepBackLine: null, jumps: 0, firstJumpLine: null, jumpMs: CLOCK_JUMP_MS, excludedPeriods: 0 });
		expect(clean.durationMs).toBeCloseTo(69.9, 3);
	});

	test("a-log-going-back-by-1e26-ms-has-no-negative-duration", async () => {
		// The log: a timestamp far ahead, then back to the start.
		const path = tempLog("far.log", "(100000000000000000000000.000000) can0 123#01\n(1.000000) can0 123#02\n(1.010000) can0 123#03\n");
		const json = JSON.parse((await run("stats", "--json", path)).stdout);
		expect(json.durationMs).toBeCloseTo(10, 6);
		expect(json.durationMs).toBeGreaterThanOrEqual(0);
		expect(json.ids[0]).toMatchObject({ count: 3, excludedPeriods: 1 });
		expect(json.ids[0].periodMs).toBeCloseTo(10, 6);
		expect(json.clock).toMatchObject({ stepsBack: 1, firstStepBackLine: 2, jumps: 0 });
	});

	test("one-warning-line-per-kind-not-one-per-frame", async () => {
		// A clock that steps back every other frame (two merged captures) and jumps ahead three times.
		const lines: string[] = [];
		for (let i = 0; i < 200; i++)
			lines.push(`(${(1000 + i * 0.01 + (i % 2 ? -0.5 : 0)).toFixed(6)}) can0 100#00`);
		for (let i = 0; i < 3; i++)
			lines.push(`(${(5000 + i * 1000).toFixed(6)}) can0 100#00`);
		const path = tempLog("merged.log", lines.join("\n") + "\n");
		const { stderr, stdout } = await run("stats", path);
		expect(stderr.split("\n").filter(Boolean)).toEqual([
			`${path}:2: timestamp goes back 0.490 s (first of 100 steps back in time); such steps add no time`,
			`${path}:201: timestamp jumps 3998.510 s ahead (first of 3 jumps of more than 60 s); such steps add no time`,
		]);
		expect(stdout).toContain("bad clock: 100 steps back in time, 3 jumps ahead");
	});
});

describe("other host tools on a bad clock", () => {
	test("decode-warns-and-a-relative-time-range-counts-log-time-from-the-first-frame", async () => {
		const messages = (stdout: string) => stdout.trim().split("\n").filter(Boolean).map(line => (JSON.parse(line) as { message: string }).message);
		// The first 70 ms of log time: line 5 (CCVS) is 64.9 ms in, line 6 (DIAG, stamped 50 ms after the first) 74.9 ms.
		const { status, stdout, stderr } = await run("decode", "--dbc", demoDbc, "--end", "0.07", badLog);
		expect(status).toBe(0);
		expect(stderr.startsWith(WARN_BACK + WARN_JUMP)).toBe(true);
		expect(messages(stdout)).toEqual(["ENGINE", "WHEEL_SPEED", "GEARBOX", "CCVS"]);
		// From 30 ms on: line 5 on, never the two hours of the jump.
		expect(messages((await run("decode", "--dbc", demoDbc, "--start", "0.03", badLog)).stdout)).toEqual(["CCVS", "DIAG", "DIAG"]);
		// An absolute range takes the timestamps as written.
		expect(messages((await run("decode", "--dbc", demoDbc, "--start", "1700007200", badLog)).stdout)).toEqual(["DIAG"]);
	});

	test("plot-warns-and-its-time-axis-never-goes-back-or-jumps", async () => {
		const out = join(mkdtempSync(join(tmpdir(), "xs-cluster-clock-")), "drive.svg");
		const { status, stderr } = await run("plot", "--dbc", demoDbc, "-o", out, badLog, "EngineSpeed", "VehicleSpeed");
		expect(status).toBe(0);
		expect(stderr.startsWith(WARN_BACK + WARN_JUMP)).toBe(true);
		expect(stderr).toMatch(/, 0\.0\d\d s/); // not two hours
		expect(readFileSync(out, "utf8")).not.toMatch(/points="[^"]*-\d/);
	});

	test("convert-and-monitor-warn-with-the-lines", async () => {
		const out = join(mkdtempSync(join(tmpdir(), "xs-cluster-clock-")), "out.asc");
		const converted = await run("convert", badLog, out);
		expect(converted.status).toBe(0);
		expect(converted.stderr).toContain(WARN_BACK + WARN_JUMP);
		const monitored = await run("monitor", "--dbc", demoDbc, badLog);
		expect(monitored.status).toBe(0);
		expect(monitored.stderr).toBe(WARN_BACK + WARN_JUMP);
	});

	test("serve-plays-a-frame-stamped-back-or-far-ahead-at-once-and-warns", async () => {
		const clock = new VirtualClock(), log: string[] = [];
		const server = await startServe({ path: badLog, rate: 1, loop: false, port: 0, host: "127.0.0.1", protocol: "slcan", beacon: false, clock, log: text => log.push(text) });
		const c = await TestClient.open(server.port);
		try {
			c.send("O\r");
			await server.finished;
			// Log time over in-order steps: 84.9 ms in all, never the two hours of the jump.
			expect(clock.time).toBeLessThan(90);
			expect(clock.sleeps.every(ms => ms < 50)).toBe(true);
			expect(server.stats.frames).toBe(8);
			expect(log).toContain(WARN_BACK.trimEnd());
			expect(log).toContain(WARN_JUMP.trimEnd());
		}
		finally {
			c.close();
			await server.close();
		}
	}, 60_000);
});

describeSharedData("stats on the real SavvyCAN log with a glitched clock", () => {
	test("one-frame-stamped-back-warns-at-its-line-and-leaves-duration-and-periods-meaningful", async () => {
		const log = sharedData("logs", "savvycan-candump.log");
		const lines = readFileSync(log, "latin1").split("\n").filter(text => text.trim());
		const glitch = Math.floor(lines.length / 2); // 0-based: line glitch + 1 in the file
		const edited = [...lines];
		edited[glitch] = edited[glitch].replace(/^\(\d+\.\d+\)/, "(100.000000)");
		const path = tempLog("savvycan-glitch.log", edited.join("\n") + "\n");
		const clean = JSON.parse((await run("stats", "--json", log)).stdout);
		const { status, stdout, stderr } = await run("stats", "--json", path);
		expect(status).toBe(0);
		// One frame 66 s or more back, so the next one jumps ahead: one warning line each.
		expect(stderr.split("\n").filter(Boolean)).toEqual([
			expect.stringMatching(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:${glitch + 1}: timestamp goes back \\d+\\.000 s \\(the only step back in time\\)`)),
			expect.stringMatching(new RegExp(`:${glitch + 2}: timestamp jumps \\d+\\.000 s ahead \\(the only jump of more than 60 s\\)`)),
		]);
		const json = JSON.parse(stdout);
		// The glitch adds no time: the duration is the clean log's.
		expect(json.durationMs).toBe(clean.durationMs);
		expect(json.frames).toBe(clean.frames);
		// The periods of each id leave out the steps across the glitch: one per id seen on both sides, two for the glitched frame's id.
		const idOf = (text: string) => text.split(/\s+/)[2].split("#")[0];
		const faultsAt = (i: number) => i < glitch ? 0 : i === glitch ? 1 : 2;
		const expected = new Map<string, number>(), lastAt = new Map<string, number>();
		lines.forEach((text, i) => {
			const id = idOf(text), before = lastAt.get(id);
			if (before !== undefined && faultsAt(before) !== faultsAt(i))
				expected.set(id, (expected.get(id) ?? 0) + 1);
			lastAt.set(id, i);
		});
		expect(json.clock).toMatchObject({ stepsBack: 1, firstStepBackLine: glitch + 1, jumps: 1, firstJumpLine: glitch + 2 });
		expect(json.clock.excludedPeriods).toBe([...expected.values()].reduce((a, b) => a + b, 0));
		for (const entry of json.ids) {
			expect(entry.excludedPeriods, entry.id).toBe(expected.get(entry.id) ?? 0);
			if (entry.periodMs !== null)
				expect(entry.periodMs, entry.id).toBeGreaterThanOrEqual(0);
		}
	});
});
