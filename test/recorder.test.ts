/*
 * CandumpRecorder: lines identical to formatCandumpLine, nothing reaches the
 * sink until service(), the size cap (stop and rotate) with whole lines only,
 * a sink that falls behind, and `xs-cluster decode` reading a recording
 * back. Node (vitest).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CandumpParser, formatCandumpLine } from "../modules/can/candump.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { CandumpRecorder, type RecordSink } from "../modules/can/recorder.js";
import { FrameRing } from "../modules/can/ring.js";
import { reportError } from "../tools/cli.js";
import { decodeCommand } from "../tools/decode.js";
import { fixturesDir, repoRoot } from "./shared-data.js";

/** An in-memory file: the bytes written, how many writes, whether it was closed. */
class MemoryFile implements RecordSink {
	parts: Uint8Array[] = [];
	writes = 0;
	closed = false;
	write(bytes: Uint8Array): void {
		if (this.closed)
			throw new Error("write after close");
		this.parts.push(Uint8Array.from(bytes));
		this.writes++;
	}
	close(): void {
		this.closed = true;
	}
	get text(): string {
		return Buffer.concat(this.parts).toString("latin1");
	}
}

/** The frames of a candump log, in order. */
function framesOf(path: string): CanFrame[] {
	const ring = new FrameRing(1024), parser = new CandumpParser(ring);
	parser.feed(readFileSync(path));
	parser.finish();
	const frames: CanFrame[] = [];
	for (let frame = new CanFrame(); ring.pop(frame); frame = new CanFrame())
		frames.push(frame);
	return frames;
}

function frame(id: number, flags: number, bytes: number[], timestamp: number, dlc = bytes.length): CanFrame {
	const f = new CanFrame();
	f.id = id;
	f.flags = flags;
	f.dlc = dlc;
	f.data.set(bytes);
	f.timestamp = timestamp;
	return f;
}

describe("CandumpRecorder", () => {
	test("writes-the-lines-formatCandumpLine-writes", () => {
		const file = new MemoryFile();
		const recorder = new CandumpRecorder({ sink: file, maxBytes: 1 << 20, interfaceName: "vcan0" });
		const frames = [
			...framesOf(join(fixturesDir, "logs/demo-car.log")),
			frame(0x7FF, FrameFlag.remote, [], 5.5, 3),
			frame(4, FrameFlag.error, [0, 4, 0, 0, 0, 0, 0, 0], 1234567.000001),
			frame(0x1FFFFFFF, FrameFlag.extended, [], 99999999999999.999),
		];
		for (const f of frames)
			expect(recorder.record(f)).toBe(true);
		recorder.close();
		expect(file.closed).toBe(true);
		expect(file.text).toBe(frames.map(f => formatCandumpLine(f, "vcan0") + "\n").join(""));
		expect(recorder.frames).toBe(frames.length);
		expect(recorder.bytes).toBe(file.text.length);
	});

	test("record-never-touches-the-sink-service-writes-bounded-whole-chunks", () => {
		const file = new MemoryFile();
		const recorder = new CandumpRecorder({ sink: file, maxBytes: 1 << 20, chunkSize: 256, chunks: 8 });
		const f = frame(0x123, 0, [1, 2, 3, 4, 5, 6, 7, 8], 1700000000000);
		for (let i = 0; i < 30; i++)
			recorder.record(f);
		expect(file.writes).toBe(0);
		expect(recorder.pendingChunks).toBe(5); // 30 lines of 46 bytes: 1380 bytes fill five chunks of 256
		expect(recorder.service()).toBe(1);
		expect(file.writes).toBe(1);
		expect(file.parts[0]).toHaveLength(256);
		expect(recorder.service(10)).toBe(4);
		recorder.flush();
		expect(file.text.split("\n").filter(Boolean)).toHaveLength(30);
	});

	test("a-sink-that-falls-behind-drops-new-frames-and-counts-them", () => {
		const file = new MemoryFile();
		const recorder = new CandumpRecorder({ sink: file, maxBytes: 1 << 20, chunkSize: 128, chunks: 2 });
		const f = frame(0x123, 0, [1, 2, 3, 4, 5, 6, 7, 8], 0);
		let recorded = 0;
		for (let i = 0; i < 20; i++)
			if (recorder.record(f))
				recorded++;
		expect(recorded).toBe(5); // 256 bytes of buffering hold five 46-byte lines
		expect(recorder.dropped).toBe(15);
		recorder.service(2);
		expect(recorder.record(f)).toBe(true);
		recorder.close();
		expect(file.text.split("\n").filter(Boolean)).toHaveLength(6);
		expect(recorder.record(f)).toBe(false);
	});

	test("stop-at-the-cap-keeps-whole-lines-and-turns-full", () => {
		const file = new MemoryFile();
		const recorder = new CandumpRecorder({ sink: file, maxBytes: 1000, chunkSize: 256 });
		const f = frame(0x123, 0, [1, 2, 3, 4, 5, 6, 7, 8], 1700000000000);
		for (let i = 0; i < 100; i++) {
			recorder.record(f);
			recorder.service();
		}
		recorder.close();
		const line = formatCandumpLine(f, "can0") + "\n";
		expect(recorder.state).toBe("closed");
		expect(file.text).toBe(line.repeat(Math.floor(1000 / line.length)));
		expect(recorder.frames + recorder.dropped).toBe(100);
	});

	test("rotate-at-the-cap-continues-in-the-next-file", () => {
		const files = [new MemoryFile()];
		const recorder = new CandumpRecorder({
			sink: files[0], maxBytes: 500, onFull: "rotate", chunkSize: 128,
			openNext: part => {
				expect(part).toBe(files.length);
				files.push(new MemoryFile());
				return files[part];
			},
		});
		const f = frame(0x18FEF100, FrameFlag.extended, [1, 2, 3], 0);
		for (let i = 0; i < 40; i++) {
			f.timestamp = i * 10;
			expect(recorder.record(f)).toBe(true);
			recorder.service();
		}
		recorder.close();
		expect(recorder.dropped).toBe(0);
		expect(files.length).toBe(recorder.files);
		expect(files.length).toBeGreaterThan(3);
		let lines = 0;
		for (const file of files) {
			expect(file.closed).toBe(true);
			expect(file.text.length).toBeLessThanOrEqual(500);
			expect(file.text.endsWith("\n")).toBe(true);
			lines += file.text.split("\n").filter(Boolean).length;
		}
		expect(lines).toBe(40);
		expect(files[1].text.startsWith("(0000000000.")).toBe(true);
	});

	test("bad-options-are-one-line-errors", () => {
		const sink = new MemoryFile();
		expect(() => new CandumpRecorder({ sink, maxBytes: 10 })).toThrow(RangeError);
		expect(() => new CandumpRecorder({ sink, maxBytes: 1000, onFull: "rotate" })).toThrow(/openNext/);
		expect(() => new CandumpRecorder({ sink, maxBytes: 1000, chunks: 1 })).toThrow(RangeError);
		expect(() => new CandumpRecorder({ sink, maxBytes: 1000, interfaceName: "can 0" })).toThrow(/interface name/);
	});
});

describe("xs-cluster decode reads a recording", () => {
	test("a-recorded-drive-decodes-like-the-log-it-came-from", async () => {
		const source = join(fixturesDir, "logs/demo-car.log");
		const file = new MemoryFile();
		const recorder = new CandumpRecorder({ sink: file, maxBytes: 1 << 20 });
		for (const f of framesOf(source))
			recorder.record(f);
		recorder.close();
		const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-recorder-")), "recording.log");
		writeFileSync(path, Buffer.concat(file.parts));
		const decode = async (log: string) => {
			let stdout = "", stderr = "";
			const io = { stdout: (text: string) => { stdout += text; }, stderr: (text: string) => { stderr += text; } };
		const status = await decodeCommand(["--dbc", join(repoRoot, "hosts/sim/demo/demo-car.dbc"), log], io).catch(error => reportError(error, io));
			return { status, stdout, stderr };
		};
		const original = await decode(source), recorded = await decode(path);
		expect(recorded.status).toBe(0);
		expect(recorded.stdout).toBe(original.stdout);
		expect(recorded.stderr).toBe(original.stderr.replace("demo-car.log", "recording.log"));
	});
});
