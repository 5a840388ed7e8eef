/*
 * Frames as plain objects, for comparing what parsers put in a ring; and
 * random frames for the parsers' fuzz tests.
 */
import { CanFrame, FrameFlag } from "../../modules/can/frame.js";
import type { FrameRing } from "../../modules/can/ring.js";

export interface PlainFrame {
	id: number;
	flags: number;
	dlc: number;
	data: number[];
	timestamp: number;
}

/** Text as bytes, one per character (latin1). */
export function bytes(text: string): Uint8Array {
	return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Pops every frame of `ring`. */
export function drain(ring: FrameRing): PlainFrame[] {
	const out: PlainFrame[] = [], frame = new CanFrame();
	while (ring.pop(frame))
		out.push({ id: frame.id, flags: frame.flags, dlc: frame.dlc, data: [...frame.data], timestamp: frame.timestamp });
	return out;
}

/** An expected frame; data is zero-padded to 8 bytes as the ring stores it. */
export function plain(id: number, flags: number, dlc: number, data: number[], timestamp: number): PlainFrame {
	const padded = [...data];
	while (padded.length < 8)
		padded.push(0);
	return { id, flags, dlc, data: padded, timestamp };
}

/**
 * Fills `frame` with a random frame candump can write: an error frame one
 * time in ten (when `errorFrames`; else extended), else extended or standard
 * alike, remote one time in five, and a timestamp in whole microseconds, as a
 * 6-digit log line holds it. `int(n)` gives a whole number below n.
 */
export function randomFrame(frame: CanFrame, int: (n: number) => number, errorFrames = true): void {
	const { extended: EXT, remote: RTR, error: ERR } = FrameFlag;
	const kind = int(10);
	frame.flags = errorFrames && kind === 0 ? ERR : (kind < 5 ? EXT : 0);
	if (int(5) === 0)
		frame.flags |= RTR;
	frame.id = frame.flags & (EXT | ERR) ? int(0x20000000) : int(0x800);
	frame.dlc = int(9);
	frame.data.fill(0);
	if (!(frame.flags & RTR))
		for (let i = 0; i < frame.dlc; i++)
			frame.data[i] = int(256);
	frame.timestamp = (int(2e9) * 1e6 + int(1e6)) / 1000;
}
