/*
 * `xs-cluster stats`: per-id counts, rates, periods and cycle-time jitter on
 * hand-made logs whose answers are known, the table and JSON forms, every
 * fixture format, and the real SavvyCAN log from ../shared/data. Node (vitest).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { reportError } from "../tools/cli.js";
import { collectStats, statsCommand } from "../tools/stats.js";
import { describeSharedData, fixturesDir, sharedData } from "./shared-data.js";

async function stats(...args: string[]) {
	let stdout = "", stderr = "";
	const io = { stdout: (text: string) => { stdout += text; }, stderr: (text: string) => { stderr += text; } };
	const status = await statsCommand(args, io).catch(error => reportError(error, io));
	return { status, stdout, stderr };
}

function tempLog(name: string, text: string): string {
	const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-stats-")), name);
	writeFileSync(path, text);
	return path;
}

/** candump -l line at `ms` milliseconds after 1700000000 s. */
function line(ms: number, field: string): string {
	const micros = Math.round(ms * 1000);
	return `(1700000000.${String(micros).padStart(6, "0")}) can0 ${field}`;
}

describe("per-id statistics", () => {
	test("periods-jitter-and-max-deviation-of-a-known-schedule", async () => {
		// 0x100 every 10 ms exactly; 0x200 at 0, 18, 40, 60 ms (periods 18, 22, 20); one extended id once.
		const lines: string[] = [];
		for (let i = 0; i <= 10; i++)
			lines.push(line(i * 10, "100#0102"));
		for (const t of [0, 18, 40, 60])
			lines.push(line(t + 1, "200#01"));
		lines.push(line(50, "18FEF100#0011223344556677"));
		lines.sort();
		const result = await collectStats([Buffer.from(lines.join("\n") + "\n")], { name: "known.log" });
		expect(result.frames).toBe(16);
		expect(result.duration).toBeCloseTo(100, 6);
		const [a, b, c] = result.ids;
		expect(a).toMatchObject({ id: 0x100, extended: false, count: 11, dlc: [2] });
		expect(a.rate).toBeCloseTo(110, 6);
		expect(a.period).toBeCloseTo(10, 6);
		expect(a.jitter).toBeCloseTo(0, 6);
		expect(b).toMatchObject({ id: 0x200, count: 4, dlc: [1] });
		expect(b.period).toBeCloseTo(20, 6);
		expect(b.jitter).toBeCloseTo(Math.sqrt(8 / 3), 6); // population std dev of 18, 22, 20
		expect(b.maxDeviation).toBeCloseTo(2, 6);
		expect(c).toMatchObject({ id: 0x18FEF100, extended: true, count: 1, period: null, jitter: null, maxDeviation: null });
	});

	test("remote-and-error-frames-and-several-dlcs", async () => {
		const result = await collectStats([Buffer.from([line(0, "123#11"), line(10, "123#R"), line(20, "123#1122"), line(30, "20000004#0000080000000000")].join("\n"))], { name: "x.log" });
		expect(result.errorFrames).toBe(1);
		expect(result.remoteFrames).toBe(1);
		expect(result.ids).toHaveLength(1);
		expect(result.ids[0]).toMatchObject({ id: 0x123, count: 3, remote: 1, dlc: [0, 1, 2] });
	});

	test("a-log-without-timing-says-so-instead-of-dividing-by-zero", async () => {
		const path = tempLog("flat.log", "(5.000000) can0 123#11\n(5.000000) can0 123#12\n(5.000000) can0 456#13\n");
		const { status, stdout } = await stats(path);
		expect(status).toBe(0);
		expect(stdout).toBe([
			`${path}: candump, 3 frames, 2 ids, 0.000 s`,
			"all timestamps are equal: no rates or periods",
			"id   count  frames/s  period ms  jitter ms  max dev ms  dlc",
			"123      2         -          -          -           -  1",
			"456      1         -          -          -           -  1",
			"",
		].join("\n"));
	});
});

describe("xs-cluster stats", () => {
	test("prints-a-table-sorted-by-id-standard-first", async () => {
		const path = join(fixturesDir, "logs/demo-car.log");
		const { status, stdout, stderr } = await stats(path);
		expect(status).toBe(0);
		expect(stderr).toBe("");
		expect(stdout).toBe([
			`${path}: candump, 8 frames (1 remote, 0 error), 6 ids, 0.070 s`,
			"id        count  frames/s  period ms  jitter ms  max dev ms  dlc",
			"0B4           1      14.3          -          -           -  8",
			"123           1      14.3          -          -           -  1",
			"1C4           2      28.6     59.900      0.000       0.000  0,8 (1 remote)",
			"3B1           1      14.3          -          -           -  2",
			"700           2      28.6     20.000      0.000       0.000  8",
			"18FEF100      1      14.3          -          -           -  8",
			"",
		].join("\n"));
	});

	test("json-gives-numbers-and-nulls", async () => {
		const { status, stdout } = await stats("--json", join(fixturesDir, "logs/demo-car-2.1.trc"));
		expect(status).toBe(0);
		const json = JSON.parse(stdout);
		expect(json).toMatchObject({ format: "trc", frames: 9, remoteFrames: 1, errorFrames: 1, unsupportedFrames: 1, malformedLines: 0 });
		expect(json.ids.map((entry: { id: string }) => entry.id)).toEqual(["0B4", "123", "1C4", "3B1", "700", "18FEF100"]);
		expect(json.ids[4]).toMatchObject({ id: "700", idValue: 0x700, extended: false, count: 2, dlc: [8] });
		expect(json.ids[4].periodMs).toBeCloseTo(20, 6);
		expect(json.ids[0].periodMs).toBeNull();
	});

	test("every-fixture-format-gives-the-same-ids-and-counts", async () => {
		const counts = async (name: string) => (await collectStats([readFileSync(join(fixturesDir, "logs", name))], { name })).ids.map(entry => `${entry.id}:${entry.count - entry.remote}`);
		const reference = await counts("demo-car.log");
		for (const name of ["demo-car-screen.txt", "demo-car.asc", "demo-car-1.0.trc", "demo-car-1.3.trc", "demo-car-2.1.trc", "demo-car.csv"])
			expect(await counts(name), name).toEqual(reference);
	});

	test("usage-mistakes-and-unknown-logs", async () => {
		expect(await stats()).toMatchObject({ status: 2, stderr: expect.stringMatching(/missing log file/) });
		expect(await stats("--frob", "x.log")).toMatchObject({ status: 2, stderr: expect.stringMatching(/unknown option --frob/) });
		const path = tempLog("notes.txt", "hello\n");
		const { status, stderr } = await stats(path);
		expect(status).toBe(1);
		expect(stderr).toMatch(/notes\.txt: not a CAN log xs-cluster reads/);
	});
});

describeSharedData("xs-cluster stats on real data", () => {
	test("the-savvycan-log-gives-every-frame-and-id", async () => {
		const log = sharedData("logs", "savvycan-candump.log");
		const lines = readFileSync(log, "latin1").split("\n").filter(text => text.trim());
		const ids = new Set(lines.map(text => text.split(/\s+/)[2].split("#")[0]));
		const { status, stdout, stderr } = await stats("--json", log);
		expect(status).toBe(0);
		expect(stderr).toBe("");
		const json = JSON.parse(stdout);
		expect(json.frames).toBe(lines.length);
		expect(json.ids).toHaveLength(ids.size);
		expect(json.ids.reduce((sum: number, entry: { count: number }) => sum + entry.count, 0)).toBe(lines.length);
		const sorted = [...json.ids].sort((a, b) => Number(a.extended) - Number(b.extended) || a.idValue - b.idValue);
		expect(json.ids).toEqual(sorted);
		for (const entry of json.ids)
			if (entry.count > 1)
				expect(entry.periodMs).toBeGreaterThanOrEqual(0);
	});
});
