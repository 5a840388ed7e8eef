/*
 * The command line's log readers (tools/logs/): every format and version
 * from a hand-written fixture of the same drive, format sniffing and its
 * errors, malformed lines named by line number, chunking at every byte, and
 * `xs-cluster decode` reading each format to the same records. Node (vitest).
 */
import { createReadStream, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { reportError } from "../tools/cli.js";
import { decodeCommand } from "../tools/decode.js";
import { LogFormatError, chooseFormat, createLogReader, formatProblems, readLog, sniffFormat, type LogFormat } from "../tools/logs/formats.js";
import type { LogReader } from "../tools/logs/text-log.js";
import { fixturesDir, repoRoot } from "./shared-data.js";

interface Plain {
	id: number;
	flags: number;
	dlc: number;
	data: string;
	/** ms since the first frame. */
	t: number;
}

const logs = join(fixturesDir, "logs");
const demoDbc = join(repoRoot, "hosts/sim/demo/demo-car.dbc");

/** The eight frames of test/fixtures/logs/demo-car.log. */
const DRIVE: Omit<Plain, "t">[] = [
	{ id: 0x1C4, flags: 0, dlc: 8, data: "e02e32c800010000" },
	{ id: 0x0B4, flags: 0, dlc: 8, data: "27102706000005ab" },
	{ id: 0x3B1, flags: 0, dlc: 2, data: "4300" },
	{ id: 0x123, flags: 0, dlc: 1, data: "00" },
	{ id: 0x18FEF100, flags: FrameFlag.extended, dlc: 8, data: "0000190000000000" },
	{ id: 0x700, flags: 0, dlc: 8, data: "0146640000000000" },
	{ id: 0x1C4, flags: FrameFlag.remote, dlc: 0, data: "" },
	{ id: 0x700, flags: 0, dlc: 8, data: "0220030000000000" },
];
const DRIVE_TIMES = [0, 10.15, 19.9, 29.9, 39.9, 49.9, 59.9, 69.9];

async function read(source: Uint8Array | string, format?: LogFormat, name = "test.log", chunk = 65536): Promise<{ reader: LogReader; frames: Plain[]; absolute: number[] }> {
	const bytes = typeof source === "string" ? Buffer.from(source, "latin1") : source;
	const ring = new FrameRing(1024), frame = new CanFrame();
	const frames: Plain[] = [], absolute: number[] = [];
	const chunks = async function* () {
		for (let at = 0; at < bytes.length; at += chunk)
			yield bytes.subarray(at, at + chunk);
	};
	const reader = await readLog(chunks(), ring, () => {
		while (ring.pop(frame)) {
			absolute.push(frame.timestamp);
			frames.push({ id: frame.id, flags: frame.flags, dlc: frame.dlc, data: Buffer.from(frame.data.subarray(0, frame.remote ? 0 : frame.dlc)).toString("hex"), t: frame.timestamp - absolute[0] });
		}
	}, { name, format });
	return { reader, frames, absolute };
}

function fixture(name: string): Uint8Array {
	return readFileSync(join(logs, name));
}

function withoutTime(frames: Plain[]): Omit<Plain, "t">[] {
	return frames.map(({ t: _t, ...rest }) => rest);
}

describe("each format reads the demo drive", () => {
	const cases: [string, LogFormat, number, { ignoredAtLeast?: number; unsupported?: number; errors?: number }][] = [
		// file, format, time resolution in ms, what else is in it
		["demo-car.log", "candump", 0.001, {}],
		["demo-car-screen.txt", "candump", 0.001, { unsupported: 1 }],
		["demo-car.asc", "asc", 0.001, { unsupported: 1, errors: 1, ignoredAtLeast: 7 }],
		["demo-car-dec-relative.asc", "asc", 0.001, { ignoredAtLeast: 3 }],
		["demo-car-1.0.trc", "trc", 1, { ignoredAtLeast: 13 }],
		["demo-car-1.1.trc", "trc", 0.1, { ignoredAtLeast: 13 }],
		["demo-car-1.2.trc", "trc", 0.001, {}],
		["demo-car-1.3.trc", "trc", 0.001, {}],
		["demo-car-2.0.trc", "trc", 0.001, { unsupported: 1 }],
		["demo-car-2.1.trc", "trc", 0.001, { unsupported: 1, errors: 1 }],
	];
	for (const [name, format, resolution, extra] of cases) {
		test(`${name}-reads-as-${format}-frame-for-frame`, async () => {
			const { reader, frames } = await read(fixture(name), undefined, name);
			expect(reader.format).toBe(format);
			expect(reader.malformed, formatProblems(name, reader)).toBe(0);
			const errors = frames.filter(frame => frame.flags & FrameFlag.error);
			expect(errors).toHaveLength(extra.errors ?? 0);
			const data = frames.filter(frame => !(frame.flags & FrameFlag.error));
			expect(withoutTime(data)).toEqual(DRIVE);
			data.forEach((frame, i) => expect(frame.t - data[0].t, `frame ${i}`).toBeCloseTo(DRIVE_TIMES[i], 0));
			for (let i = 0; i < data.length; i++)
				expect(Math.abs(data[i].t - data[0].t - DRIVE_TIMES[i])).toBeLessThanOrEqual(resolution * 10 + 0.2);
			expect(reader.unsupported).toBe(extra.unsupported ?? 0);
			expect(reader.ignored).toBeGreaterThanOrEqual(extra.ignoredAtLeast ?? 0);
		});
	}

	test("gvret-csv-reads-microsecond-timestamps-without-remote-frames", async () => {
		const { reader, frames, absolute } = await read(fixture("demo-car.csv"), undefined, "demo-car.csv");
		expect(reader.format).toBe("gvret-csv");
		expect(reader.malformed).toBe(0);
		expect(withoutTime(frames)).toEqual(DRIVE.filter(frame => !(frame.flags & FrameFlag.remote)));
		expect(absolute[0]).toBeCloseTo(1700000000000.1, 3);
		expect(absolute[1] - absolute[0]).toBeCloseTo(10.15, 3); // epoch ms in a double: 0.25 µs steps
	});

	test("asc-and-trc-start-times-give-epoch-timestamps", async () => {
		const trc = await read(fixture("demo-car-2.1.trc"), undefined, "x.trc");
		expect(trc.absolute[0]).toBeCloseTo(1700000000000.1, 0); // $STARTTIME is UTC days since 1899-12-30
		const asc = await read(fixture("demo-car.asc"), undefined, "x.asc");
		expect(asc.absolute[0]).toBeCloseTo(new Date(2023, 10, 14, 22, 13, 20).getTime() + 0.1, 3); // ASC dates are local time
	});

	test("every-fixture-reads-the-same-split-at-every-byte", async () => {
		for (const name of ["demo-car.asc", "demo-car-2.1.trc", "demo-car-1.3.trc", "demo-car.csv", "demo-car-screen.txt"]) {
			const whole = await read(fixture(name), undefined, name);
			const bytewise = await read(fixture(name), whole.reader.format as LogFormat, name, 1);
			expect(bytewise.frames, name).toEqual(whole.frames);
			expect(bytewise.reader.lines).toBe(whole.reader.lines);
		}
	});
});

describe("candump screen format", () => {
	test("without-timestamps-extended-remote-error-and-x-columns", async () => {
		const { reader, frames } = await read([
			"  can0  123   [8]  11 22 33 44 55 66 77 88",
			"  can0  12345678   [2]  DE AD",
			"  can0  7FF   [4]  remote request",
			"  can0  20000004   [8]  00 04 00 00 00 00 00 00   ERRORFRAME",
			"  can0  RX - -  321   [1]  AA",
			"  vcan1  064  [10]  F0 01 FF FF FF FF FF FF FF FF",
			"(2020-01-24 10:10:14.345944)  can0  456   [1]  01",
		].join("\n"));
		expect(reader.malformed, formatProblems("x", reader)).toBe(0);
		expect(reader.unsupported).toBe(1);
		expect(withoutTime(frames)).toEqual([
			{ id: 0x123, flags: 0, dlc: 8, data: "1122334455667788" },
			{ id: 0x12345678, flags: FrameFlag.extended, dlc: 2, data: "dead" },
			{ id: 0x7FF, flags: FrameFlag.remote, dlc: 4, data: "" },
			{ id: 4, flags: FrameFlag.error, dlc: 8, data: "0004000000000000" },
			{ id: 0x321, flags: 0, dlc: 1, data: "aa" },
			{ id: 0x456, flags: 0, dlc: 1, data: "01" },
		]);
	});
});

describe("malformed lines", () => {
	test("are-counted-and-the-first-five-named-file-line-why", async () => {
		const text = [
			"date Tue Nov 14 10:13:20.000 pm 2023",
			"base hex  timestamps absolute",
			"   0.001 1  123   Rx   d 8 11 22",
			"   0.002 1  1G3   Rx   d 1 11",
			"   0.003 1  123   Rx   q 1 11",
			"   0.004 1  123   Rx   d 1 11",
			"   0.005 1  800   Rx   d 1 11",
			"   0.006 1  123   Up   d 1 11",
			"   0.007 1  123   Rx   d 1 XYZ",
		].join("\n");
		const { reader, frames } = await read(text, undefined, "car.asc");
		expect(frames).toHaveLength(1);
		expect(reader.malformed).toBe(6);
		expect(formatProblems("car.asc", reader)).toBe([
			"car.asc:3: DLC 8 but only 2 data bytes",
			"car.asc:4: id '1G3' is not hex",
			"car.asc:5: frame type must be d or r, not 'q'",
			"car.asc:7: id '800' is out of range",
			"car.asc:8: direction must be Rx or Tx, not 'Up'",
			"car.asc: 1 more malformed line",
			"",
		].join("\n"));
	});

	test("an-over-long-line-is-dropped-without-growing-memory", async () => {
		const { reader, frames } = await read(`(1.000000) can0 123#11\n(1.000001) can0 123#${"11".repeat(5000)}\n(1.000002) can0 123#22\n`);
		expect(frames).toHaveLength(2);
		expect(reader.malformed).toBe(1);
		expect(reader.problems[0]).toEqual({ line: 2, reason: "line longer than 1024 bytes" });
	});

	test("candump-lines-that-the-device-parser-rejects-are-named", async () => {
		const { reader } = await read("(1.0) can0 123#11\n(1.0) can0 123#1\n(1.0) can0 XYZ#11\n");
		expect(reader.problems).toEqual([{ line: 2, reason: "not a candump frame line" }, { line: 3, reason: "not a candump frame line" }]);
	});

	test("trc-and-csv-problems", async () => {
		const trc = await read(";$FILEVERSION=2.1\n;$COLUMNS=N,O,T,B,I,d,R,L,D\n 1 1.000 DT 1 0123 Rx - 8 11 22\n 2 x DT 1 0123 Rx - 1 11\n 3 2.0 QQ 1 0123 Rx - 1 11\n 4 3.0 DT 1 0123 Rx - 1 11\n", undefined, "a.trc");
		expect(formatProblems("a.trc", trc.reader)).toBe("a.trc:3: DLC 8 but only 2 data bytes\na.trc:4: time offset 'x' is not a number\n");
		expect(trc.reader.ignored).toBe(3); // two headers and an unknown but well-formed type
		const csv = await read("1,2,3\nTime Stamp,ID,Extended,Dir,Bus,LEN,D1,D2\n5,0x123,maybe,Rx,0,1,11\n6,0x123,false,Rx,0,1,11\n", undefined, "a.csv");
		expect(formatProblems("a.csv", csv.reader)).toBe("a.csv:1: row before the 'Time Stamp,ID,Extended,...' header\na.csv:3: Extended 'maybe' is not true or false\n");
	});
});

describe("choosing the format", () => {
	test("sniffs-each-format-from-its-first-lines", () => {
		expect(sniffFormat("(1.0) can0 123#11\n")).toBe("candump");
		expect(sniffFormat("123#R\n")).toBe("candump");
		expect(sniffFormat("  can0  123   [1]  11\n")).toBe("candump");
		expect(sniffFormat("date Sun Nov 22 05:00:00.000 am 2026\n")).toBe("asc");
		expect(sniffFormat("   0.100000 1  123             Rx   d 1 11\n")).toBe("asc");
		expect(sniffFormat(";$FILEVERSION=2.1\n")).toBe("trc");
		expect(sniffFormat(";   comment\n     1)      1841  0001  8  00 00 00 00 00 00 00 00\n")).toBe("trc");
		expect(sniffFormat("Time Stamp,ID,Extended,Dir,Bus,LEN,D1\n")).toBe("gvret-csv");
		expect(sniffFormat("hello world\n")).toBeUndefined();
	});

	test("content-beats-extension-and-extension-decides-a-log-without-clues", () => {
		const asc = Buffer.from("date Sun Nov 22 05:00:00.000 am 2026\n");
		expect(chooseFormat("drive.log", asc)).toBe("asc");
		expect(chooseFormat("drive.trc", Buffer.from("\n"))).toBe("trc");
		expect(chooseFormat("drive.txt", asc, "candump")).toBe("candump");
	});

	test("an-unknown-file-is-one-line-naming-it-and-what-was-seen", () => {
		expect(() => chooseFormat("notes.txt", Buffer.from("Dear diary,\nthe car made a noise\n"))).toThrow(new LogFormatError("notes.txt: not a CAN log xs-cluster reads (candump, ASC, TRC, GVRET CSV): its first line is 'Dear diary,'; --input-format forces one"));
		expect(() => chooseFormat("blob.bin", Uint8Array.of(0x7F, 0x45, 0x4C, 0x46, 0, 1, 2))).toThrow(/blob\.bin: .*it looks binary/);
		expect(() => chooseFormat("-", new Uint8Array(0))).toThrow(/^stdin: .*it is empty/);
	});

	test("a-reader-can-be-made-directly-for-each-format", () => {
		for (const format of ["candump", "asc", "trc", "gvret-csv"] as const)
			expect(createLogReader(format, new FrameRing(4)).format).toBe(format);
	});
});

describe("xs-cluster decode reads every format", () => {
	async function decode(...args: string[]) {
		let stdout = "", stderr = "";
		const io = { stdout: (text: string) => { stdout += text; }, stderr: (text: string) => { stderr += text; } };
		const status = await decodeCommand(args, io).catch(error => reportError(error, io));
		return { status, stdout, stderr };
	}

	test("each-fixture-decodes-to-the-records-of-the-candump-log", async () => {
		const reference = await decode("--dbc", demoDbc, join(logs, "demo-car.log"));
		expect(reference.status).toBe(0);
		const records = (stdout: string) => stdout.trim().split("\n").map(line => {
			const { t: _t, ...rest } = JSON.parse(line);
			return rest;
		});
		for (const name of ["demo-car-screen.txt", "demo-car.asc", "demo-car-dec-relative.asc", "demo-car-1.0.trc", "demo-car-1.1.trc", "demo-car-1.2.trc", "demo-car-1.3.trc", "demo-car-2.0.trc", "demo-car-2.1.trc", "demo-car.csv"]) {
			const { status, stdout, stderr } = await decode("--dbc", demoDbc, join(logs, name));
			expect(status, stderr).toBe(0);
			expect(records(stdout), name).toEqual(records(reference.stdout));
			expect(stderr).toMatch(new RegExp(`^${name.replace(/\./g, "\\.")}: decoded 6 of `));
		}
	});

	test("input-format-forces-a-reader-and-an-unknown-log-exits-1", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-logs-"));
		const odd = join(dir, "drive.dat");
		writeFileSync(odd, readFileSync(join(logs, "demo-car-1.0.trc")).toString("latin1").split("\n").filter(line => !line.startsWith(";")).join("\n"));
		const forced = await decode("--dbc", demoDbc, "--input-format", "trc", odd);
		expect(forced.status, forced.stderr).toBe(0);
		expect(forced.stdout.trim().split("\n")).toHaveLength(6);
		const notes = join(dir, "notes.txt");
		writeFileSync(notes, "hello\n");
		const unknown = await decode("--dbc", demoDbc, notes);
		expect(unknown.status).toBe(1);
		expect(unknown.stderr).toBe(`xs-cluster: ${notes}: not a CAN log xs-cluster reads (candump, ASC, TRC, GVRET CSV): its first line is 'hello'; --input-format forces one\n`);
		expect(await decode("--dbc", demoDbc, "--input-format", "blf", notes)).toMatchObject({ status: 2, stderr: expect.stringMatching(/--input-format must be one of candump, asc, trc, gvret-csv/) });
	});

	test("malformed-lines-are-named-on-stderr-before-the-summary", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-logs-"));
		const path = join(dir, "bad.log");
		writeFileSync(path, "(1.000000) can0 1C4#E02E32C800010000\n(1.1) can0 1C4#E0Z\n");
		const { status, stderr } = await decode("--dbc", demoDbc, path);
		expect(status).toBe(0);
		expect(stderr).toBe(`${path}:2: not a candump frame line\nbad.log: decoded 1 of 1 frame; no unknown ids; 1 malformed line skipped\n`);
	});

	test("a-log-with-no-frame-exits-1-saying-why", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-logs-"));
		const file = (name: string, content: string | Uint8Array) => {
			const path = join(dir, name);
			writeFileSync(path, content);
			return path;
		};
		// 100 KB of random bytes named like a candump log
		let seed = 12345;
		const random = Uint8Array.from({ length: 100000 }, () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
		const binary = await decode("--dbc", demoDbc, file("random.log", random));
		expect(binary).toMatchObject({ status: 1, stdout: "" });
		expect(binary.stderr).toMatch(/^xs-cluster: .*random\.log: .*it looks binary.*\n$/);
		// python-can's own CSV is not GVRET CSV, though both start with a time stamp column
		const pythonCsv = await decode("--dbc", demoDbc, file("py.csv", "timestamp,arbitration_id,extended,remote,error,dlc,data\n1700000000.0,0x1c4,0,0,0,1,4A==\n"));
		expect(pythonCsv.status).toBe(1);
		expect(pythonCsv.stderr).toMatch(/^xs-cluster: .*py\.csv: python-can's CSV log, which xs-cluster does not read .*logconvert.*\n$/);
		// a wrong --input-format reads nothing, and says which format it looks like
		const wrong = await decode("--dbc", demoDbc, "--input-format", "asc", join(logs, "demo-car.log"));
		expect(wrong.status).toBe(1);
		expect(wrong.stderr).toBe(`xs-cluster: ${join(logs, "demo-car.log")}: no CAN frames in its 8 lines (read as asc (--input-format); its first line is '(1700000000.000100) can0 1C4#E02E32C800010000'); it looks like candump: leave out --input-format\n`);
		// every line malformed
		const malformed = await decode("--dbc", demoDbc, file("bad.log", "(1.0) can0 1C4#E0Z\n(1.1) can0 XYZ\n"));
		expect(malformed).toMatchObject({ status: 1, stderr: expect.stringMatching(/bad\.log: no CAN frames: every one of its 2 lines malformed \(read as candump, from its extension; line 1: not a candump frame line\)\n$/) });
		// a header and no frame; only CAN FD frames
		expect(await decode("--dbc", demoDbc, file("header.asc", "date Sun Nov 22 05:00:00.000 am 2026\nbase hex  timestamps absolute\n"))).toMatchObject({ status: 1, stderr: expect.stringMatching(/header\.asc: no CAN frames in its 2 lines \(read as asc; its first line is 'date Sun/) });
		expect(await decode("--dbc", demoDbc, file("fd.log", "(1.0) can0 123##1112233\n"))).toMatchObject({ status: 1, stderr: expect.stringMatching(/fd\.log: no classic CAN frames: 1 CAN FD frame, which xs-cluster skips\n$/) });
	});

	test("an-empty-log-is-the-same-from-a-file-and-from-standard-input", async () => {
		const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-logs-")), "empty.log");
		writeFileSync(path, "");
		const fromFile = await decode("--dbc", demoDbc, path);
		expect(fromFile).toEqual({ status: 1, stdout: "", stderr: `xs-cluster: ${path}: no CAN frames: it is empty\n` });
		const ring = new FrameRing(16);
		await expect(readLog([new Uint8Array(0)], ring, () => {}, { name: "-" })).rejects.toThrow(new LogFormatError("stdin: no CAN frames: it is empty"));
		await expect(readLog([], ring, () => {}, { name: "-" })).rejects.toThrow(new LogFormatError("stdin: no CAN frames: it is empty"));
	});

	test("a-line-cut-by-ctrl-c-is-not-counted-as-malformed", async () => {
		// A live capture stopped while its last line is half read: that line was cut by the stop, not written wrong.
		const controller = new AbortController();
		async function* capture() {
			yield new TextEncoder().encode("(1.000000) can0 1C4#E02E32C800010000\n(1.001000) can0 1C4#E0");
			await new Promise(() => {}); // the bus goes quiet
		}
		const reader = await readLog(capture(), new FrameRing(16), () => controller.abort(), { name: "-", signal: controller.signal });
		expect({ frames: reader.frames, malformed: reader.malformed }).toEqual({ frames: 1, malformed: 0 });
	});

	test("progress-is-not-drawn-when-stderr-is-not-a-terminal", async () => {
		const { stderr } = await decode("--dbc", demoDbc, join(logs, "demo-car.asc"));
		expect(stderr).not.toContain("\r");
		expect(stderr).not.toContain("frames/s");
	});

	test("a-stream-without-a-path-is-sniffed", async () => {
		const ring = new FrameRing(1024), frame = new CanFrame();
		let count = 0;
		const reader = await readLog(Readable.from([readFileSync(join(logs, "demo-car-2.0.trc"))]), ring, () => { while (ring.pop(frame)) count++; }, { name: "-" });
		expect(reader.format).toBe("trc");
		expect(count).toBe(8);
		const file = await readLog(createReadStream(join(logs, "demo-car.csv")), ring, () => { while (ring.pop(frame)) count++; }, { name: "demo-car.csv" });
		expect(file.frames).toBe(7);
	});
});

describe("progress on a terminal", () => {
	test("draws-a-bar-at-most-every-200-ms-and-clears-it", async () => {
		const { ProgressMeter } = await import("../tools/logs/progress.js");
		let now = 0, out = "";
		const meter = new ProgressMeter("big.log", { write: text => { out += text; }, total: 1000, now: () => now });
		const reader = { frames: 0 } as LogReader;
		now = 100;
		meter.update(100, reader);
		expect(out).toBe("");
		now = 1000;
		reader.frames = 5000;
		meter.update(500, reader);
		expect(out).toBe("\rbig.log: [##########----------] 50% 5,000 frames 5,000 frames/s\x1b[K");
		meter.done();
		expect(out.endsWith("\r\x1b[K")).toBe(true);
	});
});

describe("a live pipe", () => {
	test("starts-at-the-first-frame-line-without-waiting-for-more-input", async () => {
		const ring = new FrameRing(1024), frame = new CanFrame();
		let release!: () => void;
		const more = new Promise<void>(resolve => { release = resolve; });
		let seen = 0;
		async function* pipe() {
			yield Buffer.from("(1700000000.000000) can0 123#11\n");
			await more; // candump has not printed anything else yet
			yield Buffer.from("(1700000000.010000) can0 123#22\n");
		}
		const reading = readLog(pipe(), ring, () => {
			while (ring.pop(frame))
				seen++;
		}, { name: "-" });
		await new Promise(resolve => setTimeout(resolve, 50));
		expect(seen).toBe(1);
		release();
		const reader = await reading;
		expect(reader.frames).toBe(2);
		expect(seen).toBe(2);
	});
});

describe("the ring between reader and caller", () => {
	test("the-shortest-frame-lines-never-overflow-it", async () => {
		const { reader, frames } = await read("1#\n".repeat(5000), undefined, "short.log", 65536);
		expect(reader.frames).toBe(5000);
		expect(frames).toHaveLength(5000);
	});
});
