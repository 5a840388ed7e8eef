/*
 * `xs-cluster convert`: every fixture log into every format it writes
 * (candump, ASC, TRC 2.1, GVRET CSV) and back through our readers, frame for
 * frame; a chain through all four; what python-can reads from what we write,
 * and python-can's own logs converted and read back by python-can; standard
 * input and output, usage mistakes, and the real SavvyCAN log. Node (vitest).
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { main } from "../tools/cli.js";
import { readLog, type LogFormat } from "../tools/logs/formats.js";
import { formatAscDate } from "../tools/logs/writers.js";
import { parseAscDate } from "../tools/logs/asc.js";
import { describeSharedData, fixturesDir, repoRoot, sharedData } from "./shared-data.js";
import { PYTHON_CAN_MISSING, pythonCanVersion, runPython } from "./support/python-can.js";

const logs = join(fixturesDir, "logs");
const FIXTURES = ["demo-car.log", "demo-car-screen.txt", "demo-car.asc", "demo-car-dec-relative.asc", "demo-car-1.0.trc", "demo-car-1.3.trc", "demo-car-2.1.trc", "demo-car.csv"];
const EXTENSIONS: Record<LogFormat, string> = { candump: "log", asc: "asc", trc: "trc", "gvret-csv": "csv" };

interface Frame {
	id: number;
	flags: number;
	dlc: number;
	data: string;
	/** Absolute ms. */
	t: number;
}

async function run(...argv: string[]) {
	let stdout = "", stderr = "";
	const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

async function frames(path: string): Promise<Frame[]> {
	const ring = new FrameRing(1024), frame = new CanFrame();
	const out: Frame[] = [];
	await readLog([readFileSync(path)], ring, () => {
		while (ring.pop(frame))
			out.push({ id: frame.id, flags: frame.flags, dlc: frame.dlc, data: Buffer.from(frame.data.subarray(0, frame.remote || frame.error ? 0 : frame.dlc)).toString("hex"), t: frame.timestamp });
	}, { name: path });
	return out;
}

/** Same frames, times to within `tolerance` ms; error frames by kind (a candump log gives one without a class a bus error's). */
function expectSame(actual: Frame[], expected: Frame[], what: string, tolerance = 0.0011): void {
	expect(actual.length, what).toBe(expected.length);
	const plain = (frame: Frame) => frame.flags & 0b100 ? { ...frame, id: 0, t: 0 } : { ...frame, t: 0 };
	actual.forEach((frame, i) => {
		expect(plain(frame), `${what} frame ${i}`).toEqual(plain(expected[i]));
		expect(Math.abs(frame.t - expected[i].t), `${what} frame ${i} time`).toBeLessThanOrEqual(tolerance);
	});
}

function tempDir(): string {
	return mkdtempSync(join(tmpdir(), "xs-cluster-convert-"));
}

describe("xs-cluster convert", () => {
	test("every-fixture-into-every-format-reads-back-frame-for-frame", async () => {
		const dir = tempDir();
		for (const name of FIXTURES) {
			const source = await frames(join(logs, name));
			for (const format of Object.keys(EXTENSIONS) as LogFormat[]) {
				const out = join(dir, `${name}.${EXTENSIONS[format]}`);
				const { status, stderr } = await run("convert", join(logs, name), out);
				expect(status, `${name} to ${format}: ${stderr}`).toBe(0);
				// GVRET CSV has no remote or error frames; everything else keeps every frame
				const kept = format === "gvret-csv" ? source.filter(frame => !(frame.flags & 0b110)) : source;
				expectSame(await frames(out), kept, `${name} to ${format}`);
				expect(stderr).toMatch(new RegExp(`^${name.replace(/\./g, "\\.")}: ${kept.length} frames? from \\S+ to ${format} `));
			}
		}
	});

	test("a-chain-through-every-format-comes-back-to-the-same-candump-log", async () => {
		const dir = tempDir();
		const source = join(logs, "demo-car.log");
		let from = source;
		for (const extension of ["asc", "trc", "log"]) {
			const to = join(dir, `chain.${extension}`);
			expect((await run("convert", from, to)).status).toBe(0);
			from = to;
		}
		expect(readFileSync(from, "latin1")).toBe(readFileSync(source, "latin1"));
	});

	test("what-each-writer-lays-out", async () => {
		const dir = tempDir();
		for (const extension of ["asc", "trc", "csv"])
			expect((await run("convert", join(logs, "demo-car.log"), join(dir, `out.${extension}`))).status).toBe(0);
		const asc = readFileSync(join(dir, "out.asc"), "latin1").split("\n");
		expect(asc[0]).toMatch(/^date \w{3} \w{3} \d\d \d\d:\d\d:\d\d\.000 [ap]m 2023$/);
		expect(asc.slice(1, 4)).toEqual(["base hex  timestamps absolute", "internal events logged", "// version 9.0.0"]);
		expect(asc).toContain("   0.000100 1  1C4             Rx   d 8 E0 2E 32 C8 00 01 00 00");
		expect(asc).toContain("   0.040000 1  18FEF100x       Rx   d 8 00 00 19 00 00 00 00 00");
		expect(asc).toContain("   0.060000 1  1C4             Rx   r 0");
		expect(asc.at(-2)).toBe("End TriggerBlock");
		const trc = readFileSync(join(dir, "out.trc"), "latin1").split("\n");
		expect(trc.slice(0, 3)).toEqual([";$FILEVERSION=2.1", ";$STARTTIME=45244.9259259259", ";$COLUMNS=N,O,T,B,I,d,R,L,D"]);
		expect(trc).toContain("      1         0.100 DT 1      01C4 Rx -  8    E0 2E 32 C8 00 01 00 00");
		expect(trc).toContain("      7        60.000 RR 1      01C4 Rx -  0");
		expect(readFileSync(join(dir, "out.csv"), "latin1").split("\n").slice(0, 2)).toEqual(["Time Stamp,ID,Extended,Dir,Bus,LEN,D1,D2,D3,D4,D5,D6,D7,D8", "1700000000000100,0x000001C4,false,Rx,0,8,E0,2E,32,C8,00,01,00,00,"]);
		// The ASC date is local time both ways.
		expect(parseAscDate(formatAscDate(1700000000123))).toBe(1700000000123);
	});

	test("standard-input-and-output-and-the-channel", async () => {
		const stdout = await run("convert", "--output-format", "candump", "--channel", "vcan1", join(logs, "demo-car.asc"), "-");
		expect(stdout.status).toBe(0);
		expect(stdout.stdout.split("\n")[0]).toBe("(1700000000.000100) vcan1 1C4#E02E32C800010000");
		expect(stdout.stderr).toBe("demo-car.asc: 9 frames from asc to candump; 1 CAN FD frame skipped\n");
		const bin = join(repoRoot, "tools/bin/xs-cluster.js");
		const piped = spawnSync(process.execPath, [bin, "convert", "--output-format", "gvret-csv", "-", "-"], { input: readFileSync(join(logs, "demo-car.log")), encoding: "utf8" });
		expect(piped.status).toBe(0);
		expect(piped.stdout).toBe(readFileSync(join(logs, "demo-car.csv"), "latin1").replace(/,Tx,/g, ",Rx,"));
		expect(piped.stderr).toBe("stdin: 7 frames from candump to gvret-csv; 1 remote or error frame left out (gvret-csv has no form for them)\n");
	});

	test("mistakes-and-a-log-without-frames-leave-no-output-behind", async () => {
		const dir = tempDir();
		const demo = join(logs, "demo-car.log");
		expect(await run("convert", demo)).toMatchObject({ status: 2, stderr: expect.stringMatching(/^xs-cluster: convert needs IN and OUT \(missing OUT\)\nRun 'xs-cluster convert --help'/) });
		expect(await run("convert", demo, join(dir, "out.txt"))).toMatchObject({ status: 2, stderr: expect.stringMatching(/cannot tell a log format from the name .*out\.txt .*--output-format/) });
		expect(await run("convert", demo, "-")).toMatchObject({ status: 2, stderr: expect.stringMatching(/standard output needs --output-format/) });
		expect(await run("convert", "--output-format", "blf", demo, "-")).toMatchObject({ status: 2, stderr: expect.stringMatching(/--output-format must be one of candump, asc, trc, gvret-csv, not blf/) });
		expect(await run("convert", demo, demo)).toMatchObject({ status: 2, stderr: expect.stringMatching(/OUT is IN/) });
		const empty = join(dir, "empty.log"), out = join(dir, "empty.asc");
		writeFileSync(empty, "");
		expect(await run("convert", empty, out)).toEqual({ status: 1, stdout: "", stderr: `xs-cluster: ${empty}: no CAN frames: it is empty\n` });
		expect(existsSync(out)).toBe(false);
		expect(await run("convert", demo, join(dir, "no-such-folder", "x.asc"))).toMatchObject({ status: 1, stderr: `xs-cluster: cannot write ${join(dir, "no-such-folder", "x.asc")}: no such folder\n` });
		expect(await run("convert", demo, dir + "/")).toMatchObject({ status: 2 });
	});
});

describeSharedData("xs-cluster convert on real data", () => {
	test("the-savvycan-log-through-every-format-back-to-the-same-frames", async () => {
		const dir = tempDir();
		const log = sharedData("logs", "savvycan-candump.log");
		for (const [from, to] of [[log, join(dir, "a.asc")], [join(dir, "a.asc"), join(dir, "b.trc")], [join(dir, "b.trc"), join(dir, "c.csv")], [join(dir, "c.csv"), join(dir, "d.log")]])
			expect((await run("convert", "--channel", "vcan0", from, to)).status).toBe(0);
		const source = await frames(log);
		expect(source.length).toBeGreaterThan(10000);
		expectSame(await frames(join(dir, "d.log")), source, "savvycan");
		// candump writes seconds in 10 digits; the rest of each line is as the log has it
		expect(readFileSync(join(dir, "d.log"), "latin1")).toBe(readFileSync(log, "latin1").replace(/^\((\d+)\./gm, (_, s: string) => `(${s.padStart(10, "0")}.`));
	});
});

/** python-can writes its logs, we convert them, python-can reads ours; and python-can reads what we write from the fixtures. */
const PYTHON_ROUND_TRIP = String.raw`
import json, random, sys, os, subprocess
import can
from can.io.canutils import CanutilsLogWriter, CanutilsLogReader
from can.io.asc import ASCWriter, ASCReader
from can.io.trc import TRCWriter, TRCReader

out, node, bin = sys.argv[1], sys.argv[2], sys.argv[3]
random.seed(11)
t = 1700000000.0
messages = []
for i in range(300):
    t += random.choice([0.0001, 0.001, 0.00525, 0.01, 0.02])
    extended = random.random() < 0.2
    remote = random.random() < 0.05
    error = not remote and random.random() < 0.02
    dlc = random.randint(0, 8)
    messages.append(can.Message(timestamp=round(t, 6), arbitration_id=random.randint(0, 0x1FFFFFFF if extended else 0x7FF),
        is_extended_id=extended, is_remote_frame=remote, is_error_frame=error, dlc=0 if remote else dlc,
        data=None if remote or error else bytes(random.randint(0, 255) for _ in range(dlc)), channel=0))

writers = {"log": CanutilsLogWriter, "asc": ASCWriter, "trc": TRCWriter}
readers = {"log": CanutilsLogReader, "asc": ASCReader, "trc": TRCReader}

def plain(messages, kinds=True):
    frames, first = [], None
    for m in messages:
        if first is None:
            first = m.timestamp
        frames.append({"id": m.arbitration_id, "extended": bool(m.is_extended_id), "remote": bool(m.is_remote_frame), "error": bool(m.is_error_frame),
            "dlc": m.dlc, "data": bytes(m.data or b"").hex(), "t": round((m.timestamp - first) * 1000, 3)})
    return frames

result = {}
for source, writer in writers.items():
    path = os.path.join(out, "python." + source)
    w = writer(path)
    for m in messages:
        w.on_message_received(m)
    w.stop()
    for target in readers:
        converted = os.path.join(out, "python-" + source + "-to." + target)
        done = subprocess.run([node, bin, "convert", path, converted], capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit("convert failed: " + done.stderr)
        result[source + ">" + target] = plain(readers[target](converted))
result["written"] = plain(messages)
for name in sys.argv[4:]:
    result[os.path.basename(name)] = plain(readers[name.rsplit(".", 1)[1]](name))
print(json.dumps(result))
`;

interface PythonFrame { id: number; extended: boolean; remote: boolean; error: boolean; dlc: number; data: string; t: number }

if (!pythonCanVersion) {
	describe("python-can and xs-cluster convert", () => {
		test.skip(PYTHON_CAN_MISSING, () => {});
	});
}
else {
	describe(`python-can ${pythonCanVersion} and xs-cluster convert`, () => {
		test("python-cans-logs-converted-read-back-by-python-can-as-written", async () => {
			const dir = tempDir();
			// Ours from the fixtures, for python-can to read too.
			for (const extension of ["log", "asc", "trc"])
				expect((await run("convert", join(logs, "demo-car.log"), join(dir, `ours.${extension}`))).status).toBe(0);
			const bin = join(repoRoot, "tools/bin/xs-cluster.js");
			const result: Record<string, PythonFrame[]> = JSON.parse(runPython(PYTHON_ROUND_TRIP, [dir, process.execPath, bin, join(dir, "ours.log"), join(dir, "ours.asc"), join(dir, "ours.trc")], 120000));
			const written = result.written;
			const expectFrames = (actual: PythonFrame[], expected: PythonFrame[], what: string) => {
				expect(actual.length, what).toBe(expected.length);
				actual.forEach((frame, i) => {
					expect(frame.error, `${what} ${i}`).toBe(expected[i].error);
					if (!frame.error)
						expect({ ...frame, t: 0 }, `${what} ${i}`).toEqual({ ...expected[i], t: 0 });
					expect(Math.abs(frame.t - expected[i].t), `${what} ${i} time`).toBeLessThanOrEqual(0.0011);
				});
			};
			// What python-can's own reader of each format can hold: its TRC reader reads data frames only.
			const dataOnly = (frames: PythonFrame[]) => {
				const kept = frames.filter(f => !f.remote && !f.error);
				return kept.map(f => ({ ...f, t: Math.round((f.t - kept[0].t) * 1000) / 1000 }));
			};
			for (const source of ["log", "asc", "trc"])
				for (const target of ["log", "asc", "trc"]) {
					// python-can's TRC writer leaves out remote and error frames
					let expected = source === "trc" ? dataOnly(written) : written;
					if (target === "trc")
						expected = dataOnly(expected);
					expectFrames(result[`${source}>${target}`], expected, `python ${source} to ${target}`);
				}
			// python-can reads what we write from the demo log.
			const demo = result["ours.log"];
			expect(demo.map(f => f.id)).toEqual([0x1C4, 0xB4, 0x3B1, 0x123, 0x18FEF100, 0x700, 0x1C4, 0x700]);
			expectFrames(result["ours.asc"], demo, "ours.asc");
			expectFrames(result["ours.trc"], dataOnly(demo), "ours.trc");
		}, 180000);
	});
}
