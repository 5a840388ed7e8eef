/*
 * Frames as plain objects, for comparing what parsers put in a ring.
 */
import { CanFrame } from "../../modules/can/frame.js";
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
