import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../tools/cli.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { describeSharedData, fixturesDir, repoRoot, sharedData, cantoolsVectors, type CantoolsVector } from "./shared-data.js";

const demoDbc = join(repoRoot, "hosts/sim/demo/demo-car.dbc");
const demoLog = join(fixturesDir, "logs/demo-car.log");
const bin = join(repoRoot, "tools/bin/xs-cluster.js");

async function run(...argv: string[]) {
	let stdout = "", stderr = "";
	const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

function tempDir(): string {
	return mkdtempSync(join(tmpdir(), "xs-cluster-"));
}

describe("xs-cluster dbc check", () => {
	test("a-good-file-prints-a-one-line-summary", async () => {
		const { status, stdout, stderr } = await run("dbc", "check", demoDbc);
		expect(stderr).toBe("");
		expect(status).toBe(0);
		expect(stdout).toBe(`${demoDbc}: ok, 10 messages, 33 signals, 5 nodes\n`);
	});

	test("a-bad-file-prints-file-line-col-for-each-problem-and-exits-1", async () => {
		const path = join(tempDir(), "bad.dbc");
		writeFileSync(path, [
			'VERSION ""',
			"BO_ 100 A: 8 X",
			" SG_ S : 0|8@1+ (1,0) [0|255] \"\" X",
			" SG_ T : 60|8@1+ (1,0) [0|255] \"\" X",
			"BO_ 200 B 8 X",
			"",
		].join("\n"));
		const { status, stdout, stderr } = await run("dbc", "check", path);
		expect(status).toBe(1);
		expect(stdout).toBe("");
		const lines = stderr.trim().split("\n");
		expect(lines.length).toBeGreaterThanOrEqual(3);
		expect(lines[0]).toMatch(new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:4:\\d+: `));
		expect(lines.some(line => line.startsWith(`${path}:5:`))).toBe(true);
		expect(lines.at(-1)).toMatch(/problems?$/);
	});

	test("a-missing-file-is-one-line-not-a-stack-trace", async () => {
		const { status, stderr } = await run("dbc", "check", "/nonexistent/car.dbc");
		expect(status).toBe(1); // bad input, not a usage mistake
		expect(stderr).toBe("xs-cluster: cannot read /nonexistent/car.dbc: no such file\n");
		expect(stderr).not.toContain("    at ");
	});

	test("usage-mistakes-exit-2", async () => {
		expect((await run("dbc")).status).toBe(2);
		expect((await run("dbc", "frob", demoDbc)).status).toBe(2);
		expect((await run("decode", demoLog)).status).toBe(2);
		expect((await run("decode", "--dbc", demoDbc, "--format", "xml", demoLog)).status).toBe(2);
		expect((await run("nonsense")).status).toBe(2);
		expect((await run("--help")).status).toBe(0);
	});
});

describe("xs-cluster decode", () => {
	test("jsonl-gives-physical-values-per-decoded-frame", async () => {
		const { status, stdout, stderr } = await run("decode", "--dbc", demoDbc, demoLog);
		expect(status).toBe(0);
		expect(stdout.trim().split("\n").map(line => JSON.parse(line))).toEqual([
			{ t: 1700000000.0001, id: "1C4", extended: false, message: "ENGINE", signals: { EngineSpeed: 3000, ThrottlePosition: 20, EngineTorque: 100, CheckEngine: 1, OilPressureLow: 0 } },
			{ t: 1700000000.01025, id: "0B4", extended: false, message: "WHEEL_SPEED", signals: { VehicleSpeed: 100, WheelSpeedFL: 99.9, Counter: 5, Checksum: 171 } },
			{ t: 1700000000.02, id: "3B1", extended: false, message: "GEARBOX", signals: { GearLever: 3, GearEngaged: 4, ShiftRequest: 0 } },
			{ t: 1700000000.04, id: "18FEF100", extended: true, message: "CCVS", signals: { WheelBasedSpeed: 25 } },
			{ t: 1700000000.05, id: "700", extended: false, message: "DIAG", signals: { Page: 1, IntakeAirTemp: 30, ManifoldPressure: 100 } },
			{ t: 1700000000.07, id: "700", extended: false, message: "DIAG", signals: { Page: 2, Lambda: 0.08 } },
		]);
		expect(stdout.split("\n")[0]).toBe('{"t": 1700000000.000100, "id": "1C4", "extended": false, "message": "ENGINE", "signals": {"EngineSpeed": 3000, "ThrottlePosition": 20, "EngineTorque": 100, "CheckEngine": 1, "OilPressureLow": 0}}');
		// Ids as candump writes them, in records and summary alike; counts with their nouns in the right number.
		expect(stderr).toBe("demo-car.log: decoded 6 of 8 frames; skipped 1 frame with unknown ids (1 id: 123); 1 remote or error frame\n");
	});

	test("a-frame-too-short-for-every-signal-gives-an-empty-signals-object", async () => {
		// GEARBOX's signals lie in its first 2 bytes: with none, none is there; with one byte, only GearLever and GearEngaged.
		const log = join(tempDir(), "short.log");
		writeFileSync(log, "(1700000000.000000) can0 3B1#\n(1700000000.001000) can0 3B1#43\n");
		for (const format of ["jsonl", "csv"]) {
			const { status, stdout } = await run("decode", "--dbc", demoDbc, "--format", format, log);
			expect(status).toBe(0);
			expect(stdout).toBe(format === "jsonl"
				? '{"t": 1700000000.000000, "id": "3B1", "extended": false, "message": "GEARBOX", "signals": {}}\n{"t": 1700000000.001000, "id": "3B1", "extended": false, "message": "GEARBOX", "signals": {"GearLever": 3, "GearEngaged": 4}}\n'
				: "t,id,extended,message,signal,value\n1700000000.001000,3B1,false,GEARBOX,GearLever,3\n1700000000.001000,3B1,false,GEARBOX,GearEngaged,4\n");
		}
	});

	test("a-value-that-is-not-a-finite-number-is-null-in-json-and-empty-in-csv", async () => {
		// A float signal carrying NaN: JSON has no NaN, so null, as cantools' JSON would have it; an empty CSV field.
		const dir = tempDir();
		const dbc = join(dir, "float.dbc");
		writeFileSync(dbc, 'VERSION ""\nBU_: X\nBO_ 256 F: 4 X\n SG_ Temp : 0|32@1- (1,0) [0|0] "" X\nSIG_VALTYPE_ 256 Temp : 1;\n');
		const log = join(dir, "nan.log");
		writeFileSync(log, "(1700000000.000000) can0 100#0000C07F\n(1700000000.001000) can0 100#0000C03F\n");
		expect((await run("decode", "--dbc", dbc, log)).stdout).toBe('{"t": 1700000000.000000, "id": "100", "extended": false, "message": "F", "signals": {"Temp": null}}\n{"t": 1700000000.001000, "id": "100", "extended": false, "message": "F", "signals": {"Temp": 1.5}}\n');
		expect((await run("decode", "--dbc", dbc, "--format", "csv", log)).stdout).toBe("t,id,extended,message,signal,value\n1700000000.000000,100,false,F,Temp,\n1700000000.001000,100,false,F,Temp,1.5\n");
	});

	test("choices-substitutes-value-table-names", async () => {
		const { stdout } = await run("decode", "--dbc", demoDbc, "--choices", demoLog);
		const gearbox = JSON.parse(stdout.split("\n")[2]);
		expect(gearbox.signals).toEqual({ GearLever: "D", GearEngaged: "4", ShiftRequest: 0 });
	});

	test("csv-gives-one-row-per-signal", async () => {
		const { status, stdout } = await run("decode", "--dbc", demoDbc, "--format", "csv", demoLog);
		expect(status).toBe(0);
		const rows = stdout.trim().split("\n");
		expect(rows[0]).toBe("t,id,extended,message,signal,value");
		expect(rows[1]).toBe("1700000000.000100,1C4,false,ENGINE,EngineSpeed,3000");
		expect(rows).toHaveLength(1 + 5 + 4 + 3 + 1 + 3 + 2);
	});

	test("the-installed-command-runs-by-its-own-#!-line-and-reads-standard-input", () => {
		if (!existsSync(join(repoRoot, "dist/tools/cli.js")))
			throw new Error("dist/ is missing: `npm install` builds the command line (npm run build)");
		// Run as npm's bin link runs it: the interpreter and its memory flags come from the #! line.
		const result = spawnSync(bin, ["decode", "--dbc", demoDbc, "-"], { input: readFileSync(demoLog), encoding: "utf8" });
		expect(result.status).toBe(0);
		expect(result.stdout.trim().split("\n")).toHaveLength(6);
		expect(result.stderr).toMatch(/^stdin: decoded 6 of 8 frames/);
	});

	test("a-reader-that-goes-away-is-one-line-and-exit-1-not-a-stack-trace", () => {
		const log = join(repoRoot, "hosts/sim/demo/demo-drive.log");
		const result = spawnSync("bash", ["-c", `"${process.execPath}" "${bin}" decode --dbc "${demoDbc}" "${log}" | head -1; exit "\${PIPESTATUS[0]}"`], { encoding: "utf8" });
		expect(result.stdout.trim().split("\n")).toHaveLength(1);
		expect(result.stderr).toBe("xs-cluster: cannot write standard output: the reader closed the pipe (EPIPE)\n");
		expect(result.status).toBe(1);
	});

	test("a-full-disk-is-one-line-and-exit-1-for-every-command", () => {
		for (const args of [["decode", "--dbc", demoDbc, demoLog], ["stats", demoLog], ["dbc", "check", demoDbc], ["decode", "--help"], ["dbc", "dump", demoDbc], ["convert", "--output-format", "asc", demoLog, "-"]]) {
			const result = spawnSync("sh", ["-c", `"${process.execPath}" "${bin}" "$@" > /dev/full`, "sh", ...args], { encoding: "utf8" });
			expect(result.stderr, args.join(" ")).toBe("xs-cluster: cannot write standard output: no space left on the device (ENOSPC)\n");
			expect(result.status, args.join(" ")).toBe(1);
		}
	});

	test("output-is-live-when-the-input-is-a-pipe", async () => {
		// One frame line in, and its record comes out while the pipe is still open.
		const { spawn } = await import("node:child_process");
		const child = spawn(process.execPath, [bin, "decode", "--dbc", demoDbc, "-"], { stdio: ["pipe", "pipe", "pipe"] });
		try {
			let out = "";
			const first = new Promise<string>((resolve, reject) => {
				child.stdout.on("data", data => {
					out += data;
					if (out.includes("\n"))
						resolve(out);
				});
				child.on("close", () => reject(new Error("decode ended before writing a record")));
			});
			child.stdin.write("(1700000000.000100) can0 1C4#E02E32C800010000\n");
			expect(JSON.parse(await first)).toMatchObject({ id: "1C4", message: "ENGINE" });
			child.stdin.end("(1700000000.010000) can0 0B4#27102706000005AB\n");
			const status = await new Promise(resolve => child.on("close", resolve));
			expect(status).toBe(0);
			expect(out.trim().split("\n")).toHaveLength(2);
		}
		finally {
			child.kill();
		}
	}, 30000);

	test("an-empty-log-exits-1-from-a-file-and-from-standard-input-alike", () => {
		const path = join(tempDir(), "empty.log");
		writeFileSync(path, "");
		const fromFile = spawnSync(process.execPath, [bin, "decode", "--dbc", demoDbc, path], { encoding: "utf8" });
		const fromStdin = spawnSync(process.execPath, [bin, "decode", "--dbc", demoDbc, "-"], { input: "", encoding: "utf8" });
		expect(fromFile.status).toBe(1);
		expect(fromStdin.status).toBe(1);
		expect(fromFile.stderr).toBe(`xs-cluster: ${path}: no CAN frames: it is empty\n`);
		expect(fromStdin.stderr).toBe("xs-cluster: stdin: no CAN frames: it is empty\n");
	});

	test("dbc-compile-writes-a-plan-the-device-can-load", async () => {
		const out = join(tempDir(), "demo.plan");
		const { status, stdout } = await run("dbc", "compile", demoDbc, "-o", out, "--messages", "ENGINE,WHEEL_SPEED");
		expect(status).toBe(0);
		expect(stdout).toMatch(/demo\.plan: 2 messages, 9 signals, \d+ bytes/);
		const plan = new DecodePlan(new Uint8Array(readFileSync(out)).buffer);
		expect(plan.messageName(plan.findMessage(0x1C4, false))).toBe("ENGINE");
		expect(plan.findMessage(0x3B1, false)).toBe(-1);
	});

	test("an-output-that-cannot-be-written-is-named-as-such-not-as-unreadable", async () => {
		const dir = tempDir();
		const plan = join(dir, "no-such-folder", "demo.plan");
		const compiled = await run("dbc", "compile", demoDbc, "-o", plan);
		expect(compiled.status).toBe(1);
		expect(compiled.stderr).toBe(`xs-cluster: cannot write ${plan}: no such folder\n`);
		const vehicle = join(dir, "my-car", "car.vehicle");
		const profile = await run("profile", "compile", join(repoRoot, "hosts/sim/demo/demo-car.json"), "-o", vehicle);
		expect(profile.status).toBe(1);
		expect(profile.stderr).toContain(`xs-cluster: cannot write ${vehicle}: no such folder\n`);
		expect(profile.stdout).toBe("");
	});
});

describe("help and errors", () => {
	const commands = [["dbc"], ["dbc", "check"], ["dbc", "dump"], ["dbc", "compile"], ["decode"], ["stats"], ["convert"], ["plot"], ["monitor"], ["serve"], ["profile"], ["profile", "check"], ["profile", "compile"], ["profile", "show"]];

	test("every-command-and-subcommand-has-help-with-examples", async () => {
		for (const words of commands) {
			for (const flag of ["--help", "-h"]) {
				const { status, stdout, stderr } = await run(...words, flag);
				expect(status, words.join(" ")).toBe(0);
				expect(stderr).toBe("");
				expect(stdout, words.join(" ")).toMatch(new RegExp(`^Usage: xs-cluster ${words.join(" ")}`));
				if (words.length === 2 || !["dbc", "profile"].includes(words[0]))
					expect(stdout, words.join(" ")).toMatch(/\nExamples?:\n {2}xs-cluster /);
			}
			expect((await run("help", ...words)).stdout).toBe((await run(...words, "--help")).stdout);
		}
		// --help wins over whatever else is on the line, even a missing required option
		expect(await run("decode", "--help", "--frob")).toMatchObject({ status: 0, stdout: expect.stringMatching(/^Usage: xs-cluster decode/) });
		const main = await run("--help");
		expect(main.stdout).toMatch(/^xs-cluster: tools/);
		for (const words of commands.filter(w => w.length === 1))
			expect(main.stdout).toContain(`  ${words[0]} `);
	});

	test("every-command-that-reads-a-dbc-says-how: --strict and --encoding in its help", async () => {
		for (const words of [["dbc", "check"], ["dbc", "dump"], ["dbc", "compile"], ["decode"], ["plot"], ["monitor"], ["profile", "check"], ["profile", "compile"]]) {
			const { stdout } = await run(...words, "--help");
			expect(stdout, words.join(" ")).toMatch(/\n {2}--strict {2,}refuse what cantools loads only without strict/);
			expect(stdout, words.join(" ")).toMatch(/\n {2}--encoding NAME {2,}utf-8 or windows-1252/);
		}
		expect((await run("stats", "--help")).stdout).not.toContain("--strict");
	});

	test("every-help-example-runs-in-a-clone", async () => {
		// The examples use the demo car's files, which ship with the repository.
		const dir = tempDir();
		for (const words of commands.filter(w => w.length === 2 || !["dbc", "profile"].includes(w[0]))) {
			const { stdout } = await run(...words, "--help");
			const examples = stdout.split("\n").filter(line => /^ {2}xs-cluster /.test(line) && !/car\.dbc|\||\(with /.test(line)); // a live source, or xs-cluster serve running beside
			for (const example of examples) {
				if (words[0] === "serve")
					continue; // runs until Ctrl-C; serve.test.ts covers it
				const argv = example.trim().split(/\s+(?=(?:[^']*'[^']*')*[^']*$)/).slice(1).map(arg => arg.replace(/^'|'$/g, "")).map(arg => arg.replace(/^\/tmp\//, dir + "/"));
				const cut = argv.indexOf("(after");
				const result = await run(...(cut >= 0 ? argv.slice(0, cut) : argv));
				expect(result.status, `${example}: ${result.stderr}`).toBe(0);
			}
		}
	});

	test("a-usage-mistake-points-at-the-commands-own-help", async () => {
		expect(await run("decode", "--frob")).toEqual({ status: 2, stdout: "", stderr: "xs-cluster: unknown option --frob\nRun 'xs-cluster decode --help' for usage.\n" });
		expect((await run("dbc", "check")).stderr).toBe("xs-cluster: missing DBC file\nRun 'xs-cluster dbc check --help' for usage.\n");
		expect((await run("dbc", "frob")).stderr).toMatch(/unknown dbc command 'frob' \(check, .*compile\)\nRun 'xs-cluster dbc --help'/);
		expect((await run("frob")).stderr).toBe("xs-cluster: unknown command 'frob'\nRun 'xs-cluster --help' for usage.\n");
	});

	test("a-folder-or-a-device-where-a-file-is-expected-is-one-line", async () => {
		const dir = tempDir();
		const folder = `xs-cluster: cannot read ${dir}: is a folder, not a file\n`;
		expect(await run("decode", "--dbc", demoDbc, dir)).toMatchObject({ status: 1, stderr: folder });
		expect(await run("decode", "--dbc", dir, demoLog)).toMatchObject({ status: 1, stderr: folder });
		expect(await run("stats", dir)).toMatchObject({ status: 1, stderr: folder });
		expect(await run("dbc", "check", dir)).toMatchObject({ status: 1, stderr: folder });
		expect(await run("profile", "check", dir)).toMatchObject({ status: 1, stderr: folder });
		expect(await run("serve", dir, "--port", "0")).toMatchObject({ status: 1, stderr: folder });
		const device = "xs-cluster: cannot read /dev/zero: is a device, not a file (give a file, or - for standard input)\n";
		expect(await run("stats", "/dev/zero")).toMatchObject({ status: 1, stderr: device });
		expect(await run("dbc", "check", "/dev/zero")).toMatchObject({ status: 1, stderr: device });
		expect(await run("decode", "--dbc", demoDbc, "/dev/zero")).toMatchObject({ status: 1, stderr: device });
		const written = await run("dbc", "compile", demoDbc, "-o", dir);
		expect(written).toMatchObject({ status: 1, stderr: `xs-cluster: cannot write ${dir}: is a folder, not a file\n` });
	});

	test("a-profile-with-a-json-mistake-is-named-by-line-and-column", async () => {
		const dir = tempDir();
		const broken = join(dir, "broken.json");
		writeFileSync(broken, '{\n\t"name": "Car",\n\t"quantities": {\n\t\t"speed": "A.B"\n\t\t"rpm": "A.C"\n\t}\n}\n');
		expect(await run("profile", "check", broken)).toEqual({ status: 1, stdout: "", stderr: `xs-cluster: ${broken}:5:3: not valid JSON: expected ',' (or a closing bracket)\n` });
		// comments and trailing commas are accepted, as in VS Code's settings
		const relaxed = join(dir, "relaxed.json");
		writeFileSync(relaxed, readFileSync(join(repoRoot, "profiles/obd2-generic.json"), "utf8").replace(/^\{/, "{ // a generic car\n").replace(/\}\s*$/, "},").replace(/\},$/, "}").replace(/("name":\s*"[^"]*",)/, "$1 /* named */"));
		const trailing = relaxed.replace(/\.json$/, "-trailing.json");
		writeFileSync(trailing, readFileSync(join(repoRoot, "profiles/obd2-generic.json"), "utf8").replace(/\n\}\s*$/, ",\n}\n"));
		expect(await run("profile", "check", relaxed)).toMatchObject({ status: 0 });
		expect(await run("profile", "check", trailing)).toMatchObject({ status: 0 });
		const empty = join(dir, "empty.json");
		writeFileSync(empty, "");
		expect((await run("profile", "check", empty)).stderr).toBe(`xs-cluster: ${empty}:1:1: not valid JSON: expected a value\n`);
	});

	test("plural-forms-are-right", async () => {
		const dbc = join(tempDir(), "one.dbc");
		writeFileSync(dbc, 'VERSION ""\nBU_: ECU\nBO_ 100 ONE: 8 ECU\n SG_ S : 0|8@1+ (1,0) [0|255] "" ECU\n');
		expect((await run("dbc", "check", dbc)).stdout).toBe(`${dbc}: ok, 1 message, 1 signal, 1 node\n`);
	});
});

describe("xs-cluster stats and serve", () => {
	test("stats-is-reachable-from-the-command-line", async () => {
		const { status, stdout } = await run("stats", demoLog);
		expect(status).toBe(0);
		expect(stdout).toContain("demo-car.log: candump, 8 frames (1 remote, 0 error), 6 ids");
		expect(stdout).toMatch(/^1C4\s+2\s/m);
	});

	test("serve-without-a-log-is-a-usage-mistake", async () => {
		const { status, stderr } = await run("serve");
		expect(status).toBe(2);
		expect(stderr).toContain("xs-cluster:");
	});
});

describeSharedData("xs-cluster on real data", () => {
	test("every-real-dbc-passes-check", async () => {
		for (const name of ["toyota_prius_2010_pt.dbc", "vw_mqb.dbc", "tesla_can.dbc", "hyundai_i30_2014.dbc", "mazda_rx8.dbc", "multiplex.dbc"]) {
			const { status, stdout } = await run("dbc", "check", sharedData("dbc", name));
			expect(status, name).toBe(0);
			expect(stdout).toMatch(/: ok, \d+ messages?, \d+ signals?/);
		}
	});

	test("decodes-the-savvycan-log-without-error", async () => {
		const log = sharedData("logs", "savvycan-candump.log");
		const lines = readFileSync(log, "latin1").split("\n").filter(line => line.trim()).length;
		const { status, stdout, stderr } = await run("decode", "--dbc", sharedData("dbc", "toyota_prius_2010_pt.dbc"), log);
		expect(status).toBe(0);
		const summary = /decoded (\d+) of (\d+) frames/.exec(stderr);
		expect(summary, stderr).not.toBeNull();
		expect(Number(summary![2])).toBe(lines);
		expect(stdout.trim() ? stdout.trim().split("\n").length : 0).toBe(Number(summary![1]));
		expect(stderr).not.toContain("malformed");
	});

	test("a-log-made-from-the-vectors-decodes-to-cantools-values", async () => {
		const vectors = cantoolsVectors()
			.filter((v: CantoolsVector) => v.dbc === "vw_mqb.dbc");
		expect(vectors.length).toBeGreaterThan(100);
		const log = vectors.map((v, i) => `(${1600000000 + i}.000000) can0 ${v.id.toString(16).toUpperCase().padStart(v.extended ? 8 : 3, "0")}#${v.data.toUpperCase()}`).join("\n");
		const path = join(tempDir(), "vectors.log");
		writeFileSync(path, log + "\n");
		const { status, stdout } = await run("decode", "--dbc", sharedData("dbc", "vw_mqb.dbc"), path);
		expect(status).toBe(0);
		const records = stdout.trim().split("\n").map(line => JSON.parse(line));
		expect(records).toHaveLength(vectors.length);
		records.forEach((record, i) => {
			expect(parseInt(record.id, 16)).toBe(vectors[i].id);
			for (const [name, expected] of Object.entries(vectors[i].signals))
				expect(record.signals[name], `${record.message}.${name}`).toBeCloseTo(expected, 9);
		});
	});
});
