import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { LogReplay } from "../modules/can/replay.js";
import { FrameRing } from "../modules/can/ring.js";
import { fixturesDir } from "./shared-data.js";

const log = new Uint8Array(readFileSync(join(fixturesDir, "logs/demo-car.log")));

function drain(ring: FrameRing): Array<[number, number]> {
	const frame = new CanFrame(), out: Array<[number, number]> = [];
	while (ring.pop(frame))
		out.push([frame.id, frame.timestamp]);
	return out;
}

describe("log replay", () => {
	test("plays-frames-when-their-log-time-comes-stamped-with-the-host-clock", () => {
		const ring = new FrameRing(64);
		const replay = new LogReplay(log, ring, { loop: false });
		expect(replay.step(5000)).toBe(1); // the first frame starts the clock
		expect(drain(ring)).toEqual([[0x1C4, 5000]]);
		expect(replay.step(5009)).toBe(0);
		expect(replay.step(5010)).toBe(0); // 10.25 ms after the first in the log: still waiting at 10 ms
		expect(replay.step(5011)).toBe(1);
		expect(drain(ring)).toEqual([[0xB4, 5011]]);
		replay.step(5100);
		expect(drain(ring).map(([id]) => id)).toEqual([0x3B1, 0x123, 0x18FEF100, 0x700, 0x1C4, 0x700]);
		expect(replay.step(9000)).toBe(0);
		expect(replay.finished).toBe(true);
	});

	test("loops-from-the-top-with-a-fresh-time-base", () => {
		const ring = new FrameRing(64);
		const replay = new LogReplay(log, ring);
		replay.step(0);
		expect(replay.step(69)).toBe(6);
		expect(replay.laps).toBe(0);
		// The last frame ends the lap; the next lap starts at once on a new time base.
		expect(replay.step(70)).toBe(2);
		expect(replay.laps).toBe(1);
		expect(drain(ring).slice(-2)).toEqual([[0x700, 70], [0x1C4, 70]]);
		expect(replay.step(139)).toBe(6);
		expect(replay.step(140)).toBe(2);
		expect(replay.laps).toBe(2);
	});

	test("speed-plays-faster-than-real-time", () => {
		const ring = new FrameRing(64);
		const replay = new LogReplay(log, ring, { loop: false, speed: 10 });
		replay.step(0);
		expect(replay.step(7)).toBe(7);
	});

	test("a-looped-log-without-timestamps-plays-one-lap-a-step", () => {
		const ring = new FrameRing(64);
		const replay = new LogReplay(new TextEncoder().encode("can0 123#11\ncan0 124#22\n"), ring);
		expect(replay.step(1000)).toBeLessThanOrEqual(3);
		expect(replay.step(1001)).toBeLessThanOrEqual(3);
		expect(replay.laps).toBeGreaterThanOrEqual(1);
	});

	test("a-log-with-no-frames-does-not-spin", () => {
		const ring = new FrameRing(4);
		const replay = new LogReplay(new TextEncoder().encode("garbage\nmore garbage\n"), ring);
		expect(replay.step(0)).toBe(0);
		expect(replay.step(10)).toBe(0);
		expect(replay.parser.malformed).toBeGreaterThan(0);
	});
});
