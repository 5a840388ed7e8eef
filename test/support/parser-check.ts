/*
 * The fuzz check every line parser must pass: the same input fed in random
 * chunks and in one piece gives the same frames and counters, the line buffer
 * never grows or is replaced, the ring never overflows its capacity, and every
 * line is counted once.
 */
import { expect } from "vitest";
import type { LineParser } from "../../modules/can/lines.js";
import { FrameRing } from "../../modules/can/ring.js";
import { drain, type PlainFrame } from "./frames.js";

interface CountingParser extends LineParser {
	lines: number;
	ignored: number;
	unsupported: number;
	malformed: number;
	overlong: number;
}

/**
 * Feeds `input` to one parser in chunks of `chunk()` bytes (draining a 4-slot
 * ring after each) and to another in one piece, and checks they agree.
 * Returns the chunked parser and the number of feeds.
 */
export function checkChunkedAgainstWhole<P extends CountingParser>(
	make: (ring: FrameRing) => P, input: Uint8Array, chunk: () => number, lineCapacity: number, counters: (parser: P) => object,
): { parser: P; feeds: number } {
	const ringA = new FrameRing(4), ringB = new FrameRing(128);
	const a = make(ringA), b = make(ringB);
	const bufferA = a["assembler"].buffer;
	const framesA: PlainFrame[] = [];
	let feeds = 0;
	for (let i = 0; i < input.length;) {
		const n = Math.min(input.length - i, chunk());
		a.feed(input, i, n);
		feeds++;
		i += n;
		expect(ringA.length).toBeLessThanOrEqual(ringA.capacity);
		framesA.push(...drain(ringA));
		expect(a["assembler"].length).toBeLessThanOrEqual(lineCapacity);
		expect(a.lines).toBe(a.frames + a.ignored + a.unsupported + a.malformed + a.overlong);
	}
	a.finish();
	framesA.push(...drain(ringA));
	b.feed(input);
	b.finish();
	expect(a["assembler"].buffer).toBe(bufferA);
	expect(bufferA.length).toBe(lineCapacity);
	expect(ringA.pushed).toBe(a.frames);
	expect(counters(a)).toEqual(counters(b));
	expect(framesA).toEqual(drain(ringB));
	return { parser: a, feeds };
}

/**
 * Turns off the parser's in-place fast path (its private `frameIn`, which
 * SlcanParser and CandumpParser try before the general way), so that every
 * line goes the general way: the reference the fast path must agree with.
 * Returns the parser.
 */
export function generalWayOnly<P extends LineParser>(parser: P): P {
	(parser as unknown as { frameIn: () => number }).frameIn = () => -1;
	return parser;
}
