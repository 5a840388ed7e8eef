/*
 * Recording on the ESP32 and in the simulator: the hosts' own recorder
 * modules (hosts/esp32/recorder.ts, hosts/sim/recorder.ts) run here against a
 * fake `file` module (test/fixtures/fake-files.ts, littlefs's behaviour) and
 * a fake `mc/config`, driven the way main.ts drives them: `record` per frame,
 * `service()` per display tick, `flush()` every 3 s. The
 * numbered files, the caps, read-back frame for frame, failures that must not
 * reach the display loop, and power cuts. Node (vitest).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { CandumpParser } from "../modules/can/candump.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import type { HostRecorder } from "../modules/can/file-recording.js";
import { FrameRing } from "../modules/can/ring.js";
import { recordingName } from "../modules/storage/file-sink.js";
import { reportError } from "../tools/cli.js";
import { decodeCommand } from "../tools/decode.js";
import { FakeFiles } from "./fixtures/fake-files.js";
import { bytes, drain, type PlainFrame } from "./support/frames.js";
import { seededRandom } from "./support/random.js";
import { repoRoot } from "./shared-data.js";

/** What the SDK modules the hosts import are, for this test. */
const sdk = vi.hoisted(() => ({
	config: {} as Record<string, unknown>,
	files: null as null | { module: any },
}));
vi.mock("mc/config", () => ({ default: sdk.config }));
vi.mock("file", () => {
	const module = () => sdk.files!.module;
	const File: any = function (path: string, write?: boolean) {
		return new (module().File)(path, write);
	};
	File.exists = (path: string) => module().File.exists(path);
	File.delete = (path: string) => module().File.delete(path);
	const Iterator: any = function (path: string) {
		return new (module().Iterator)(path);
	};
	return { File, Iterator, System: { info: () => module().System.info() } };
});
vi.mock("can/file-recording", () => import("../modules/can/file-recording.js"));

interface HostModule {
	openRecorder(): HostRecorder | null;
	WRITE_INTERVAL_MS?: number;
	COMMIT_INTERVAL_MS?: number;
}
/** A host's recorder module (device code: not in this test's type-checked program, see hosts/*\/tsconfig.json). */
async function host(name: "esp32" | "sim"): Promise<HostModule> {
	const path = `../hosts/${name}/recorder.js`;
	return await import(/* @vite-ignore */ path) as HostModule;
}

let files: FakeFiles;
let log: string[];

beforeEach(() => {
	files = new FakeFiles();
	sdk.files = files;
	for (const key of Object.keys(sdk.config))
		delete sdk.config[key];
	sdk.config.file = { root: "/" };
	log = [];
	(globalThis as { trace?: (text: string) => void }).trace = text => { log.push(text.trimEnd()); };
	vi.useFakeTimers({ toFake: ["Date"] });
	vi.setSystemTime(1_700_000_000_000);
});

afterEach(() => {
	vi.useRealTimers();
	delete (globalThis as { trace?: unknown }).trace;
});

/** Frames of several shapes, `count` of them, `stepMs` apart from `start` ms. */
function frames(count: number, start = 0, stepMs = 1, seed = 7): CanFrame[] {
	const random = seededRandom(seed), out: CanFrame[] = [];
	for (let i = 0; i < count; i++) {
		const f = new CanFrame();
		const kind = i % 10;
		f.flags = kind === 3 ? FrameFlag.extended : kind === 7 ? FrameFlag.remote : 0;
		f.id = kind === 3 ? Math.floor(random() * 0x20000000) : Math.floor(random() * 0x800);
		f.dlc = kind === 5 ? 0 : 1 + Math.floor(random() * 8);
		if (!(f.flags & FrameFlag.remote))
			for (let b = 0; b < f.dlc; b++)
				f.data[b] = Math.floor(random() * 256);
		f.timestamp = start + i * stepMs;
		out.push(f);
	}
	return out;
}

function plainOf(f: CanFrame): PlainFrame {
	const data = [...f.data];
	if (f.flags & FrameFlag.remote)
		data.fill(0);
	return { id: f.id, flags: f.flags, dlc: f.dlc, data, timestamp: f.timestamp };
}

/** The frames of a candump log, and how many lines could not be read. */
function parse(text: string): { frames: PlainFrame[]; bad: number } {
	const ring = new FrameRing(1 << 16), parser = new CandumpParser(ring);
	parser.feed(bytes(text));
	parser.finish();
	return { frames: drain(ring), bad: parser.malformed };
}

/**
 * Drives `recording` as main.ts does for `ms` milliseconds of 33 ms display
 * ticks: each tick records `perTick` frames, then services; `flush()` every
 * 3 s; then `onTick`. Returns the frames offered.
 */
function drive(recording: HostRecorder, ms: number, perTick: number, source = frames(Math.ceil(ms / 33) * perTick + perTick), onTick?: () => void): CanFrame[] {
	const offered: CanFrame[] = [];
	const start = Date.now();
	let next = 0, lastFlush = start;
	for (let t = 0; t < ms; t += 33) {
		vi.setSystemTime(start + t);
		for (let i = 0; i < perTick && next < source.length; i++) {
			offered.push(source[next]);
			recording.record(source[next++]);
		}
		recording.service();
		if (start + t - lastFlush >= 3000) {
			recording.flush();
			lastFlush = start + t;
		}
		onTick?.();
	}
	return offered;
}

describe("ESP32 recorder on littlefs", () => {
	test("off-unless-the-build-asks-for-it", async () => {
		const { openRecorder } = await host("esp32");
		for (const record of [undefined, "", "0", 0, false, "false"]) {
			sdk.config.record = record;
			expect(openRecorder()).toBeNull();
		}
		expect(files.files.size).toBe(0);
		expect(log).toEqual([]);
	});

	test("record-1-starts-can-0001-in-an-empty-partition", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		expect(recording.path).toBe("/can-0001.log");
		expect(files.files.has("/can-0001.log")).toBe(true);
		expect(recordingName(12345)).toBe("can-12345.log");
	});

	test("a-new-recording-takes-the-next-free-number-and-leaves-the-others", async () => {
		const { openRecorder } = await host("esp32");
		files.put("/can-0001.log", "(0.000000) can0 123#11\n");
		files.put("/can-0007.log", "(1.000000) can0 456#22\n");
		files.put("/notes.txt", "not a recording");
		sdk.config.record = true;
		const recording = openRecorder()!;
		expect(recording.path).toBe("/can-0008.log");
		recording.record(frames(1)[0]);
		recording.close();
		expect(files.text("/can-0001.log")).toBe("(0.000000) can0 123#11\n");
		expect(files.text("/can-0007.log")).toBe("(1.000000) can0 456#22\n");
		expect(files.text("/notes.txt")).toBe("not a recording");
		// And the next start after this one.
		expect(openRecorder()!.path).toBe("/can-0009.log");
	});

	test("what-is-recorded-reads-back-frame-for-frame", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		const offered = drive(recording, 10_000, 20, frames(8000, 1234.5, 0.125));
		recording.close();
		expect(recording.recorder.dropped).toBe(0);
		const { frames: back, bad } = parse(files.text(recording.path));
		expect(bad).toBe(0);
		expect(back).toEqual(offered.map(plainOf));
	});

	test("xs-cluster-decode-reads-a-device-recording", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		const source = join(repoRoot, "test/fixtures/logs/demo-car.log");
		const ring = new FrameRing(64), parser = new CandumpParser(ring);
		parser.feed(bytes(readFileSync(source, "latin1")));
		parser.finish();
		for (const f of drain(ring)) {
			const frame = new CanFrame();
			Object.assign(frame, { id: f.id, flags: f.flags, dlc: f.dlc, timestamp: f.timestamp });
			frame.data.set(f.data);
			recording.record(frame);
		}
		recording.close();
		const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-esp32-rec-")), "can-0001.log");
		writeFileSync(path, files.text(recording.path), "latin1");
		const decode = async (file: string) => {
			let stdout = "", stderr = "";
			const io = { stdout: (text: string) => { stdout += text; }, stderr: (text: string) => { stderr += text; } };
			const status = await decodeCommand(["--dbc", join(repoRoot, "hosts/sim/demo/demo-car.dbc"), file], io).catch(error => reportError(error, io));
			return { status, stdout, stderr };
		};
		const original = await decode(source), recorded = await decode(path);
		expect(recorded.status).toBe(0);
		expect(recorded.stdout).toBe(original.stdout);
		expect(recorded.stderr).toBe(original.stderr.replace("demo-car.log", "can-0001.log"));
	});

	test("the-size-cap-stops-the-recording-on-a-whole-line", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		sdk.config.recordMaxBytes = "10000"; // from the command line: a string
		const recording = openRecorder()!;
		const offered = drive(recording, 10_000, 10);
		recording.close();
		const text = files.text(recording.path);
		expect(text.length).toBeLessThanOrEqual(10_000);
		expect(text.length).toBeGreaterThan(10_000 - 64);
		expect(text.endsWith("\n")).toBe(true);
		const r = recording.recorder;
		expect(r.frames + r.dropped).toBe(offered.length);
		expect(r.dropped).toBeGreaterThan(0);
		expect(parse(text).frames).toEqual(offered.slice(0, r.frames).map(plainOf));
	});

	test("without-recordMaxBytes-a-recording-takes-at-most-half-the-partition", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		drive(recording, 120_000, 40);
		recording.close();
		expect(recording.recorder.state).toBe("closed");
		const half = Math.floor((files.total - 64 * 1024) / 2);
		const length = files.text(recording.path).length;
		expect(length).toBeLessThanOrEqual(half);
		expect(length).toBeGreaterThan(half - 64);
		// The next start still has room for a recording of its own, beside this one.
		const next = openRecorder()!;
		expect(next.path).toBe("/can-0002.log");
		expect(files.files.has("/can-0001.log")).toBe(true);
	});

	test("recordMaxFiles-deletes-the-oldest-recordings", async () => {
		const { openRecorder } = await host("esp32");
		for (let n = 1; n <= 5; n++)
			files.put(`/${recordingName(n)}`, `(${n}.000000) can0 123#11\n`);
		sdk.config.record = "1";
		sdk.config.recordMaxFiles = 3;
		expect(openRecorder()!.path).toBe("/can-0006.log");
		expect([...files.files.keys()].sort()).toEqual(["/can-0004.log", "/can-0005.log", "/can-0006.log"]);
		expect(log.filter(line => line.includes("deleted"))).toHaveLength(3);
	});

	test("room-is-made-from-the-oldest-but-never-the-newest-earlier-recording", async () => {
		const { openRecorder } = await host("esp32");
		files = new FakeFiles(512 * 1024);
		sdk.files = files;
		files.put("/can-0001.log", new Uint8Array(200 * 1024));
		files.put("/can-0002.log", new Uint8Array(200 * 1024));
		sdk.config.record = "1";
		sdk.config.recordMaxBytes = 150 * 1024;
		expect(openRecorder()!.path).toBe("/can-0003.log");
		expect(files.files.has("/can-0001.log")).toBe(false);
		expect(files.files.has("/can-0002.log")).toBe(true);

		// Now can-0002 (200 KB) and the empty can-0003 are there. A start that
		// wants 480 KB deletes can-0002, not the newest, and gets what is left...
		sdk.config.recordMaxBytes = 480 * 1024;
		const smaller = openRecorder()!;
		expect(smaller.path).toBe("/can-0004.log");
		expect(files.files.has("/can-0002.log")).toBe(false);
		expect(files.files.has("/can-0003.log")).toBe(true);
		const room = files.total - files.used() - 64 * 1024;
		expect(room).toBeLessThan(480 * 1024);
		drive(smaller, 60_000, 40);
		smaller.close();
		const length = files.text("/can-0004.log").length;
		expect(length).toBeLessThanOrEqual(room);
		expect(length).toBeGreaterThan(room - 64);

		// ...and one that would find less than 64 KB even so deletes nothing and does not start.
		log.length = 0;
		expect(openRecorder()).toBeNull();
		expect([...files.files.keys()].sort()).toEqual(["/can-0003.log", "/can-0004.log"]);
		expect(log).toHaveLength(1);
		expect(log[0]).toMatch(/^recording off: no room for a recording in \/: \d+ bytes free after the reserve$/);
	});

	test("at-most-one-write-per-tick-and-per-interval", async () => {
		const { openRecorder, WRITE_INTERVAL_MS } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		for (const f of frames(300))
			recording.record(f); // about 12 KB: two or three full chunks waiting
		expect(recording.recorder.pendingChunks).toBeGreaterThanOrEqual(2);
		const start = Date.now();
		for (let i = 0; i < 5; i++)
			recording.service();
		expect(files.writes).toEqual([4096]);
		vi.setSystemTime(start + WRITE_INTERVAL_MS! - 1);
		recording.service();
		expect(files.writes).toHaveLength(1);
		vi.setSystemTime(start + WRITE_INTERVAL_MS!);
		recording.service();
		recording.service();
		expect(files.writes).toEqual([4096, 4096]);
	});

	test("a-bus-faster-than-the-flash-drops-frames-and-counts-them", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		// 300 frames a tick, about 9,000 frames/s: a saturated 1 Mbit/s bus.
		const offered = drive(recording, 5_000, 300);
		recording.close();
		const r = recording.recorder;
		expect(r.dropped).toBeGreaterThan(0);
		expect(r.frames + r.dropped).toBe(offered.length);
		const back = parse(files.text(recording.path));
		expect(back.bad).toBe(0);
		expect(back.frames).toHaveLength(r.frames);
		// At most one 4 KB write (or commit) per 100 ms, whatever the bus does.
		expect(files.writes.length).toBeLessThanOrEqual(5_000 / 100 + 2);
	});

	test("the-3-s-flush-keeps-to-one-write-per-tick", async () => {
		// main.ts flushes every 3 s; on the ESP32 that must not write the whole queue in one tick.
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		let seen = 0, most = 0;
		drive(recording, 10_000, 300, undefined, () => {
			most = Math.max(most, files.writes.length - seen);
			seen = files.writes.length;
		});
		expect(most).toBe(1);
		recording.close();
		expect(parse(files.text(recording.path)).bad).toBe(0);
	});

	test("a-failing-write-stops-the-recording-and-never-throws-into-the-display-loop", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		files.failWrites(2, "file write failed");
		const offered = drive(recording, 5_000, 20); // would throw out of service() or flush() if anything leaked
		expect(recording.recorder.state).toBe("closed");
		expect(recording.record(offered[0])).toBe(false);
		expect(recording.sink.error).toBe("file write failed");
		expect(log.filter(line => line.startsWith("recording stopped: /can-0001.log: file write failed"))).toHaveLength(1);
		expect(() => { recording.service(); recording.flush(); recording.recorder.flush(); recording.close(); }).not.toThrow();
		// The two chunks written before the failure are still a readable log (up to where the second cut a line).
		const text = files.text(recording.path);
		const back = parse(text.slice(0, text.lastIndexOf("\n") + 1));
		expect(back.frames).toEqual(offered.slice(0, back.frames.length).map(plainOf));
		expect(back.frames.length).toBeGreaterThan(0);
	});

	test("a-full-file-system-stops-the-recording-quietly", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		sdk.config.recordMaxBytes = 600 * 1024;
		const recording = openRecorder()!;
		// Something else fills the partition while the cluster records.
		files.put("/other.bin", new Uint8Array(files.total - files.used() - 8192));
		expect(() => drive(recording, 5_000, 40)).not.toThrow();
		expect(recording.recorder.state).toBe("closed");
		expect(recording.sink.error).toBe("No space left on device");
		expect(log.some(line => line.includes("No space left on device"))).toBe(true);
	});

	test("a-missing-folder-or-partition-leaves-recording-off", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "/sd/";
		expect(openRecorder()).toBeNull();
		expect(log).toEqual(["recording off: failed to open directory"]);
		files.mkdir("/sd/");
		expect(openRecorder()!.path).toBe("/sd/can-0001.log");
	});

	test("a-bad-config-value-is-named-and-recording-stays-off", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		sdk.config.recordMaxBytes = "lots";
		expect(openRecorder()).toBeNull();
		expect(log).toEqual(["recording off: recordMaxBytes must be a whole number of at least 0, not 'lots'"]);
		sdk.config.recordMaxBytes = "100000";
		sdk.config.recordMaxFiles = "0";
		expect(openRecorder()).toBeNull();
		expect(log[1]).toMatch(/recordMaxFiles/);
	});

	test("settings-the-recorder-refuses-leave-no-empty-file", async () => {
		const { openRecorder } = await host("esp32");
		sdk.config.record = "1";
		sdk.config.recordMaxBytes = "10"; // less than one candump line
		expect(openRecorder()).toBeNull();
		expect(log[0]).toMatch(/^recording off: /);
		expect([...files.files.keys()]).toEqual([]);
		sdk.config.recordMaxBytes = "100000";
		expect(openRecorder()!.path).toBe("/can-0001.log");
	});

	test("a-power-cut-loses-at-most-about-the-commit-interval", async () => {
		const { openRecorder, COMMIT_INTERVAL_MS } = await host("esp32");
		sdk.config.record = "1";
		const recording = openRecorder()!;
		const start = Date.now();
		const offered = drive(recording, 20_000, 10, frames(10_000, 0, 3.25));
		files.powerCut();
		const survived = parse(files.text(recording.path));
		expect(survived.bad).toBe(0); // committed after a whole line
		expect(survived.frames).toEqual(offered.slice(0, survived.frames.length).map(plainOf));
		const lost = offered.length - survived.frames.length;
		const lostMs = offered[offered.length - 1].timestamp - survived.frames[survived.frames.length - 1].timestamp;
		expect(lost).toBeGreaterThan(0);
		expect(lostMs).toBeLessThanOrEqual(COMMIT_INTERVAL_MS! + 200);
		expect(Date.now() - start).toBeGreaterThan(19_000);
	});

	test("without-commits-littlefs-would-lose-the-whole-recording", async () => {
		// What the commits are for: the same drive through the shared code with no commit interval.
		const { openConfiguredRecording } = await import("../modules/can/file-recording.js");
		const recording = openConfiguredRecording({ record: "1", file: { root: "/" } }, files.module, { maxBytes: 0, maxFiles: 20 }, { now: () => Date.now(), writeIntervalMs: 100 })!;
		drive(recording, 20_000, 10, frames(10_000, 0, 3.25));
		expect(files.text(recording.path).length).toBeGreaterThan(0);
		files.powerCut();
		expect(files.text(recording.path)).toBe("");
	});
});

describe("simulator recorder", () => {
	test("record-path-replaces-the-file-and-writes-each-chunk-as-it-fills", async () => {
		const { openRecorder } = await host("sim");
		files.mkdir("/tmp/");
		files.put("/tmp/recording.log", "old recording, longer than what follows ".repeat(1000));
		sdk.config.record = "/tmp/recording.log";
		sdk.config.recordMaxBytes = "8388608";
		const recording = openRecorder()!;
		expect(recording.path).toBe("/tmp/recording.log");
		expect(files.text("/tmp/recording.log")).toBe("");
		const offered = drive(recording, 3_000, 30);
		recording.recorder.flush();
		// No commits in the simulator: the desktop file takes each write.
		expect(files.closes).toBe(0);
		expect(parse(files.text("/tmp/recording.log")).frames).toEqual(offered.map(plainOf));
		expect(Math.max(...files.writes)).toBe(4096);
	});
});
