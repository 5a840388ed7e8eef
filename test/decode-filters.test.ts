/*
 * `xs-cluster decode` filters: --messages, --signals (names, MESSAGE.NAME and
 * * patterns), --ids (hex as candump writes them), and the --start/--end time
 * window (seconds after the first frame, or times as the log writes them),
 * alone and together, with their usage mistakes; and --ids on the real
 * SavvyCAN log. Node (vitest).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../tools/cli.js";
import { parseIds, parseTimeBound, idKey } from "../tools/decode.js";
import { describeSharedData, fixturesDir, repoRoot, sharedData } from "./shared-data.js";

const demoDbc = join(repoRoot, "hosts/sim/demo/demo-car.dbc");
const demoLog = join(fixturesDir, "logs/demo-car.log");

async function decode(...args: string[]) {
	let stdout = "", stderr = "";
	const status = await main(["decode", "--dbc", demoDbc, ...args], { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	const records = stdout.trim() && !args.includes("csv") ? stdout.trim().split("\n").map(line => JSON.parse(line)) : [];
	return { status, stdout, stderr, records };
}

/** "t message" of each record, t in ms after the log's first frame (1700000000.000100). */
function brief(records: { t: number; message: string }[]): string[] {
	return records.map(r => `${Math.round((r.t - 1700000000.0001) * 100000) / 100} ${r.message}`);
}

describe("decode filters", () => {
	test("messages-by-name-or-pattern", async () => {
		const { status, records, stderr } = await decode("--messages", "DIAG", demoLog);
		expect(status).toBe(0);
		expect(records.map(r => r.message)).toEqual(["DIAG", "DIAG"]);
		expect(stderr).toBe("demo-car.log: decoded 2 of 8 frames; 4 frames left out by the filters; skipped 1 frame with unknown ids (1 id: 123); 1 remote or error frame\n");
		expect((await decode("--messages", "*E*", demoLog)).records.map(r => r.message)).toEqual(["ENGINE", "WHEEL_SPEED", "GEARBOX"]);
		expect((await decode("--messages", "GEARBOX, CCVS", demoLog)).records.map(r => r.message)).toEqual(["GEARBOX", "CCVS"]);
	});

	test("signals-pick-what-each-record-shows-and-so-the-messages", async () => {
		const { records } = await decode("--signals", "Engine*,VehicleSpeed", demoLog);
		expect(records.map(r => [r.message, r.signals])).toEqual([
			["ENGINE", { EngineSpeed: 3000, EngineTorque: 100 }],
			["WHEEL_SPEED", { VehicleSpeed: 100 }],
		]);
		// MESSAGE.SIGNAL; a multiplexed signal shows only in the frames that carry it
		expect((await decode("--signals", "DIAG.Lambda", demoLog)).records.map(r => r.signals)).toEqual([{ Lambda: 0.08 }]);
		const csv = await decode("--signals", "GearLever", "--format", "csv", "--choices", demoLog);
		expect(csv.stdout).toBe("t,id,extended,message,signal,value\n1700000000.020000,3B1,false,GEARBOX,GearLever,D\n");
	});

	test("ids-in-candump-hex", async () => {
		const { records, stderr } = await decode("--ids", "1C4,18FEF100", demoLog);
		expect(records.map(r => r.id)).toEqual(["1C4", "18FEF100"]);
		expect(stderr).toContain("1 remote or error frame"); // the remote 1C4 passes the filter, and carries no signals
		expect((await decode("--ids", "0x700", demoLog)).records).toHaveLength(2);
		// 8 digits is an extended id, as candump writes one: 00000700 is not 700
		expect((await decode("--ids", "00000700", demoLog)).records).toHaveLength(0);
		expect(parseIds("7ff,800,0x18FEF100")).toEqual(new Set([idKey(0x7FF, false), idKey(0x800, true), idKey(0x18FEF100, true)]));
	});

	test("time-window-from-the-first-frame-or-as-the-log-writes-times", async () => {
		// Frames at 0, 10.15, 19.9, 29.9, 39.9, 49.9, 59.9, 69.9 ms after the first.
		expect(brief((await decode("--start", "0.02", "--end", "0.05", demoLog)).records)).toEqual(["39.9 CCVS", "49.9 DIAG"]);
		expect(brief((await decode("--end", "0.0101", demoLog)).records)).toEqual(["0 ENGINE"]);
		expect(brief((await decode("--start", "1700000000.04", demoLog)).records)).toEqual(["39.9 CCVS", "49.9 DIAG", "69.9 DIAG"]);
		expect(parseTimeBound("12.5", "--start")).toEqual({ ms: 12500, relative: true });
		expect(parseTimeBound("1700000012.5", "--start")).toEqual({ ms: 1700000012500, relative: false });
	});

	test("filters-together-and-nothing-left", async () => {
		const { status, records, stderr } = await decode("--messages", "DIAG", "--signals", "Page", "--start", "0.06", demoLog);
		expect(status).toBe(0);
		expect(records).toEqual([{ t: 1700000000.07, id: "700", extended: false, message: "DIAG", signals: { Page: 2 } }]);
		expect(stderr).toMatch(/decoded 1 of 8 frames; 7 frames left out by the filters/);
		const none = await decode("--ids", "123", demoLog);
		expect(none).toMatchObject({ status: 0, stdout: "" });
	});

	test("mistakes-name-the-option-or-the-dbc", async () => {
		expect(await decode("--messages", "NOPE", demoLog)).toMatchObject({ status: 1, stdout: "", stderr: `xs-cluster: ${demoDbc} has no message matching 'NOPE'\n` });
		expect(await decode("--signals", "ENGINE.Nope*", demoLog)).toMatchObject({ status: 1, stderr: `xs-cluster: ${demoDbc} has no signal matching 'ENGINE.Nope*'\n` });
		expect(await decode("--ids", "1G4", demoLog)).toMatchObject({ status: 2, stderr: expect.stringMatching(/^xs-cluster: --ids takes hex CAN ids as candump writes them \(1C4, 18FEF100\), not '1G4'\nRun 'xs-cluster decode --help'/) });
		expect(await decode("--ids", "20000000", demoLog)).toMatchObject({ status: 2 });
		expect(await decode("--start", "soon", demoLog)).toMatchObject({ status: 2, stderr: expect.stringMatching(/--start takes seconds/) });
		expect(await decode("--start", "2", "--end", "1", demoLog)).toMatchObject({ status: 2, stderr: expect.stringMatching(/--end \(1\) must come after --start \(2\)/) });
	});
});

describeSharedData("decode filters on real data", () => {
	test("ids-keep-exactly-the-frames-of-those-ids-in-the-savvycan-log", async () => {
		const log = sharedData("logs", "savvycan-candump.log");
		const dbc = sharedData("dbc", "toyota_prius_2010_pt.dbc");
		let stdout = "", stderr = "";
		const io = { stdout: (text: string) => { stdout += text; }, stderr: (text: string) => { stderr += text; } };
		const all = readFileSync(log, "latin1").split("\n").filter(line => line.trim());
		// The most frequent id of the log that the Prius DBC decodes.
		expect(await main(["decode", "--dbc", dbc, log], io)).toBe(0);
		const counts = new Map<string, number>();
		for (const line of stdout.trim().split("\n"))
			counts.set(JSON.parse(line).id, (counts.get(JSON.parse(line).id) ?? 0) + 1);
		const [id, count] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
		expect(all.filter(line => line.split(/\s+/)[2].split("#")[0] === id)).toHaveLength(count);
		stdout = stderr = "";
		expect(await main(["decode", "--dbc", dbc, "--ids", id, log], io)).toBe(0);
		const records = stdout.trim().split("\n").map(line => JSON.parse(line));
		expect(records).toHaveLength(count);
		expect(new Set(records.map(r => r.id))).toEqual(new Set([id]));
		expect(stderr).toContain(`; ${all.length - count} frames left out by the filters`);
	});
});
