/*
 * Logs written by python-can read by our readers, frame for frame: the same
 * 300 frames written as candump -l (CanutilsLogWriter), Vector ASC
 * (ASCWriter) and PEAK TRC 2.1 (TRCWriter), compared with the frames
 * python-can itself reads back from each file (id, extended, remote, error,
 * DLC, data, time since the first frame). Skipped, saying why, when
 * /usr/bin/python3 cannot import python-can. Node (vitest).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { readLog } from "../tools/logs/formats.js";
import { PYTHON_CAN_MISSING, pythonCanVersion, runPython } from "./support/python-can.js";

interface Frame {
	id: number;
	extended: boolean;
	remote: boolean;
	error: boolean;
	dlc: number;
	data: string;
	/** ms since the first frame. */
	t: number;
}

const WRITE_AND_READ_BACK = String.raw`
import json, random, sys, os
import can
from can.io.canutils import CanutilsLogWriter, CanutilsLogReader
from can.io.asc import ASCWriter, ASCReader
from can.io.trc import TRCWriter, TRCReader

out = sys.argv[1]
random.seed(7)
t = 1700000000.0
messages = []
for i in range(300):
    t += random.choice([0.0001, 0.001, 0.00525, 0.01, 0.02])
    extended = random.random() < 0.2
    remote = random.random() < 0.05
    error = not remote and random.random() < 0.02
    dlc = random.randint(0, 8)
    messages.append(can.Message(
        timestamp=round(t, 6),
        arbitration_id=random.randint(0, 0x1FFFFFFF if extended else 0x7FF),
        is_extended_id=extended, is_remote_frame=remote, is_error_frame=error,
        dlc=dlc, data=None if remote or error else bytes(random.randint(0, 255) for _ in range(dlc)),
        channel=0))

paths = {"candump": os.path.join(out, "py.log"), "asc": os.path.join(out, "py.asc"), "trc": os.path.join(out, "py.trc")}
for name, writer in (("candump", CanutilsLogWriter(paths["candump"], channel="vcan0")), ("asc", ASCWriter(paths["asc"])), ("trc", TRCWriter(paths["trc"]))):
    for message in messages:
        writer.on_message_received(message)
    writer.stop()

def plain(messages):
    first = None
    frames = []
    for m in messages:
        if first is None:
            first = m.timestamp
        frames.append({"id": m.arbitration_id, "extended": bool(m.is_extended_id), "remote": bool(m.is_remote_frame),
            "error": bool(m.is_error_frame), "dlc": m.dlc, "data": bytes(m.data or b"").hex(), "t": (m.timestamp - first) * 1000})
    return frames

read_back = {
    "candump": plain(CanutilsLogReader(paths["candump"])),
    "asc": plain(ASCReader(paths["asc"])),
    "trc": plain(TRCReader(paths["trc"])),
    "written": plain(messages),
}
print(json.dumps({"paths": paths, "frames": read_back}))
`;

async function readOurs(path: string): Promise<{ format: string; malformed: number; frames: Frame[] }> {
	const ring = new FrameRing(1024), frame = new CanFrame();
	const frames: Frame[] = [];
	let first = NaN;
	const bytes = readFileSync(path);
	const reader = await readLog([bytes], ring, () => {
		while (ring.pop(frame)) {
			if (first !== first)
				first = frame.timestamp;
			frames.push({
				id: frame.id, extended: frame.extended, remote: frame.remote, error: frame.error, dlc: frame.dlc,
				data: Buffer.from(frame.data.subarray(0, frame.remote || frame.error ? 0 : frame.dlc)).toString("hex"),
				t: frame.timestamp - first,
			});
		}
	}, { name: path });
	return { format: reader.format, malformed: reader.malformed, frames };
}

/** Compares ours with python-can's reading: everything exact, time to `tolerance` ms; error frames by kind only. */
function expectSameFrames(ours: Frame[], theirs: Frame[], tolerance: number, what: string): void {
	expect(ours.length, what).toBe(theirs.length);
	ours.forEach((frame, i) => {
		const expected = theirs[i];
		expect(frame.error, `${what} frame ${i}`).toBe(expected.error);
		if (!frame.error)
			expect({ ...frame, t: 0 }, `${what} frame ${i}`).toEqual({ ...expected, t: 0 });
		expect(Math.abs(frame.t - expected.t), `${what} frame ${i} time`).toBeLessThanOrEqual(tolerance);
	});
}

if (!pythonCanVersion) {
	describe("logs written by python-can", () => {
		test.skip(PYTHON_CAN_MISSING, () => {});
	});
}
else {
	describe(`logs written by python-can ${pythonCanVersion}`, () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-python-can-"));
		let result: { paths: Record<string, string>; frames: Record<string, Frame[]> } | undefined;
		const written = () => {
			result ??= JSON.parse(runPython(WRITE_AND_READ_BACK, [dir]));
			return result!;
		};

		test("candump-log-reads-frame-for-frame", async () => {
			const { paths, frames } = written();
			const ours = await readOurs(paths.candump);
			expect(ours.format).toBe("candump");
			expect(ours.malformed).toBe(0);
			expectSameFrames(ours.frames, frames.candump, 0.0011, "candump");
		});

		test("asc-reads-frame-for-frame", async () => {
			const { paths, frames } = written();
			const ours = await readOurs(paths.asc);
			expect(ours.format).toBe("asc");
			expect(ours.malformed).toBe(0);
			expectSameFrames(ours.frames, frames.asc, 0.0011, "asc");
		});

		test("trc-2.1-reads-frame-for-frame", async () => {
			const { paths, frames } = written();
			const ours = await readOurs(paths.trc);
			expect(ours.format).toBe("trc");
			expect(ours.malformed).toBe(0);
			expectSameFrames(ours.frames, frames.trc, 0.0011, "trc");
		});

		test("what-each-format-keeps-matches-what-was-written", async () => {
			const { paths, frames } = written();
			const source = frames.written;
			const asc = (await readOurs(paths.asc)).frames;
			expectSameFrames(asc, source, 0.0011, "asc vs written");
			// candump writes remote frames without their DLC ("123#R")
			const candump = (await readOurs(paths.candump)).frames;
			expectSameFrames(candump, source.map(frame => frame.remote ? { ...frame, dlc: 0 } : frame), 0.0011, "candump vs written");
			// python-can's TRC writer leaves out remote and error frames
			const trc = (await readOurs(paths.trc)).frames;
			const kept = source.filter(frame => !frame.remote && !frame.error);
			const t0 = kept[0].t;
			expectSameFrames(trc, kept.map(frame => ({ ...frame, t: frame.t - t0 })), 0.0011, "trc vs written");
		});
	});
}
