/*
 * The in-place fast path of SlcanParser and CandumpParser (a line wholly
 * inside the fed chunk read where it lies; a line cut by a chunk's end
 * gathered in the line buffer) against the general way every line took
 * before: the same frames and counters for lines of every form, fed in any
 * chunking; and the edges of the chunk loop (terminators at chunk
 * boundaries, over-long lines inside one chunk and across several).
 * Node (vitest).
 */
import { describe, expect, it } from "vitest";
import { CandumpParser, formatCandumpLine } from "../modules/can/candump.js";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { SLCAN_MAX_ENCODED_LENGTH, SlcanParser, encodeSlcanFrame } from "../modules/can/slcan.js";
import { bytes, drain, plain, randomFrame } from "./support/frames.js";
import { checkChunkedAgainstWhole, generalWayOnly } from "./support/parser-check.js";
import { seededRandom } from "./support/random.js";

function slcanCounters(p: SlcanParser) {
	const { lines, frames, ignored, unsupported, malformed, overlong, adapterErrors } = p;
	return { lines, frames, ignored, unsupported, malformed, overlong, adapterErrors };
}

function candumpCounters(p: CandumpParser) {
	const { lines, frames, ignored, unsupported, malformed, overlong } = p;
	return { lines, frames, ignored, unsupported, malformed, overlong };
}

/** Feeds `input` in the given chunk sizes (cycled), then finishes; returns frames and counters. */
function run<P extends SlcanParser | CandumpParser>(parser: P, input: Uint8Array, sizes: number[] = [input.length || 1]) {
	for (let i = 0, k = 0; i < input.length; k++) {
		const n = Math.min(input.length - i, sizes[k % sizes.length]);
		parser.feed(input, i, n);
		i += n;
	}
	parser.finish();
	return { frames: drain(parser.ring), counters: parser instanceof SlcanParser ? slcanCounters(parser) : candumpCounters(parser as CandumpParser) };
}

/**
 * Feeds `input` whole to a parser `make()` gives with only the general way,
 * and in each of `chunkings` to one with its fast path; expects the same
 * frames and counters. Returns the frames the general way found.
 */
function expectFastPathAgrees(make: () => SlcanParser | CandumpParser, input: Uint8Array, chunkings: number[][], round: number): number {
	const reference = run(generalWayOnly(make()), input);
	for (const sizes of chunkings) {
		const fast = run(make(), input, sizes);
		expect(fast.counters, `round ${round}, chunks ${sizes}`).toEqual(reference.counters);
		expect(fast.frames, `round ${round}, chunks ${sizes}`).toEqual(reference.frames);
	}
	return reference.counters.frames;
}

describe("stream parsers' fast path", () => {
	it("slcan-fast-path-agrees-with-the-general-way", () => {
		const random = seededRandom(0xFA57);
		const int = (n: number) => Math.floor(random() * n);
		const frame = new CanFrame();
		const encoded = new Uint8Array(SLCAN_MAX_ENCODED_LENGTH);
		const replies = ["", "z", "Z", "V1013", "N0042", "F00", "d1231AA", "x"];
		// Bytes a mutation puts in: the ones the fast path tests for, and any.
		const tricky = [0x0D, 0x0A, 0x07, 0x30, 0x39, 0x3A, 0x40, 0x41, 0x46, 0x47, 0x60, 0x61, 0x66, 0x67, 0x74, 0x54, 0x72, 0x52, 0x20];
		const terminators = ["\r", "\r", "\n", "\r\n", "\x07"];
		let frames = 0;
		for (let round = 0; round < 300; round++) {
			const stream: number[] = [];
			for (let k = 20 + int(40); k > 0; k--) {
				let line: number[];
				if (random() < 0.1)
					line = [...bytes(replies[int(replies.length)])];
				else {
					randomFrame(frame, int, false);
					// Without its CR: the terminator is chosen below.
					line = [...encoded.subarray(0, encodeSlcanFrame(frame, encoded, 0, random() < 0.5) - 1)];
				}
				if (random() < 0.3) {
					const at = int(line.length + 1), kind = int(4);
					const b = random() < 0.7 ? tricky[int(tricky.length)] : int(256);
					if (kind === 0) line[Math.min(at, line.length - 1)] = b;
					else if (kind === 1) line.splice(at, 0, b);
					else if (kind === 2) line.splice(at, 1);
					else line.splice(at, 0, ...new Array(int(40)).fill(0x30 + int(10)));
				}
				stream.push(...line, ...bytes(terminators[int(terminators.length)]));
			}
			const input = Uint8Array.from(stream);
			frames += expectFastPathAgrees(() => new SlcanParser(new FrameRing(128), { clock: () => 9 }), input,
				[[input.length], [1 + int(64)], [1, 2, 3, 5, 8, 13, 21, 34]], round);
		}
		expect(frames).toBeGreaterThan(5000);
	});

	it("candump-fast-path-agrees-with-the-general-way", () => {
		const random = seededRandom(0xCA4D);
		const int = (n: number) => Math.floor(random() * n);
		const frame = new CanFrame();
		const extras = ["", "# comment", "DROPCOUNT: dropped 1 CAN frame on 'can0' socket (total drops 1)", "D#11", "DROPCOUNT 1#2",
			"(1.0) can0 123##1AABB", "(1.0) can0 123#80:00:11223344#00", "   ", "can0 123#1122_9", "123#1122334455667788_A", "123#R5_9"];
		// Pieces of the candump grammar a mutation puts in, and bytes that end or break a field.
		const pieces = [" ", "\t", "  ", ".", "..", "#", "R", "r", "T", "_", "_F", "(", ")", ":", "D", "0", "9", "F", "g", "\r", "\n", "\x00", "R8", "R9", " R", " T", " X"];
		const terminators = ["\n", "\n", "\r\n", "\r"];
		let frames = 0;
		for (let round = 0; round < 300; round++) {
			const stream: number[] = [];
			for (let k = 20 + int(40); k > 0; k--) {
				let text: string;
				if (random() < 0.1)
					text = extras[int(extras.length)];
				else {
					randomFrame(frame, int, true);
					text = formatCandumpLine(frame, ["can0", "vcan0", "slcan12", "x"][int(4)]);
					const field = text.slice(text.lastIndexOf(" ") + 1);
					const form = int(8);
					if (form === 0) text = text.slice(text.indexOf(")") + 2);          // no timestamp
					else if (form === 1) text = field;                                  // frame only
					else if (form === 2) text = text.replace(/\.(\d+)\)/, (_, f: string) => "." + f.slice(0, int(10)) + "9".repeat(int(5)) + ")"); // other fraction lengths
					else if (form === 3) text = text.replace(") ", ")\t ").replace(/ ([^ ]+)$/, "\t\t$1"); // tabs and padding
					else if (form === 4) text = text.replace(/#([0-9A-F]{2})/, "#$1.");                  // a dot between bytes
					else if (form === 5) text = "  " + text;                                              // leading blanks
					else if (form === 6) text += " ".repeat(int(80));                                     // padding, perhaps over-long
					if (random() < 0.2) text += [" R", " T", "\tR ", " T  "][int(4)];
				}
				let line = [...bytes(text)];
				if (random() < 0.3) {
					const at = int(line.length + 1), kind = int(3);
					const piece = random() < 0.8 ? [...bytes(pieces[int(pieces.length)])] : [int(256)];
					if (kind === 0) line.splice(at, 1, ...piece);
					else if (kind === 1) line.splice(at, 0, ...piece);
					else line.splice(at, 1);
				}
				stream.push(...line, ...bytes(terminators[int(terminators.length)]));
			}
			const input = Uint8Array.from(stream);
			frames += expectFastPathAgrees(() => new CandumpParser(new FrameRing(128), { clock: () => 9 }), input,
				[[input.length], [1 + int(100)], [1, 2, 3, 5, 8, 13, 21, 34, 55]], round);
		}
		expect(frames).toBeGreaterThan(5000);
	});

	it("crlf-split-between-chunks-is-one-terminator", () => {
		for (const make of [(r: FrameRing) => new SlcanParser(r), (r: FrameRing) => new CandumpParser(r)]) {
			const line = make(new FrameRing(2)) instanceof SlcanParser ? "t1231AA" : "123#AA";
			const parser = make(new FrameRing(8));
			// CR ends the first chunk, LF starts the next: one line, then an empty one from the bare LF after.
			parser.feed(bytes(line + "\r"));
			parser.feed(bytes("\n" + line + "\r\n\n"));
			parser.finish();
			expect(parser.frames).toBe(2);
			expect(parser.lines).toBe(3);
			expect(parser.ignored).toBe(1);
			// A CR that ends a partial line at a chunk's end, its LF in the next chunk.
			parser.feed(bytes(line.slice(0, 3)));
			parser.feed(bytes(line.slice(3) + "\r"));
			parser.feed(bytes("\n"));
			parser.finish();
			expect(parser.frames).toBe(3);
			expect(parser.lines).toBe(4);
		}
	});

	it("line-ending-exactly-at-chunk-end-and-starting-the-next", () => {
		const ring = new FrameRing(16);
		const parser = new SlcanParser(ring);
		const a = "t1231AA\r", b = "t4562BBCC\r";
		expect(parser.feed(bytes(a))).toBe(1);
		expect(parser.feed(bytes(b + a))).toBe(2);
		// A chunk that is all partial line, then one that ends it and holds the next whole.
		expect(parser.feed(bytes("t45"))).toBe(0);
		expect(parser.feed(bytes("62BBCC\r" + a))).toBe(2);
		expect(drain(ring).map((f) => f.id)).toEqual([0x123, 0x456, 0x123, 0x456, 0x123]);
		expect(parser.lines).toBe(5);
	});

	it("overlong-line-inside-one-chunk-counted-like-one-across-chunks", () => {
		// SLCAN: a 41-byte command in one chunk, and the same cut into three chunks.
		const long = "T" + "1".repeat(8) + "8" + "2".repeat(31) + "\r";
		const whole = new SlcanParser(new FrameRing(8));
		whole.feed(bytes(long + "t1231AA\r"));
		const cut = new SlcanParser(new FrameRing(8));
		cut.feed(bytes(long.slice(0, 10)));
		cut.feed(bytes(long.slice(10, 35)));
		cut.feed(bytes(long.slice(35) + "t1231AA\r"));
		for (const parser of [whole, cut]) {
			expect(slcanCounters(parser)).toEqual({ lines: 2, frames: 1, ignored: 0, unsupported: 0, malformed: 0, overlong: 1, adapterErrors: 0 });
			expect(parser["assembler"].buffer.length).toBe(40);
			expect(drain(parser.ring)).toEqual([plain(0x123, 0, 1, [0xAA], 0)]);
		}
		// candump: a valid frame line padded past the 64-byte buffer is over-long wherever the chunks fall.
		const padded = "(1.000000) can0" + " ".repeat(50) + "123#1122\n";
		for (const sizes of [[1000], [7], [60, 1000], [1]]) {
			const parser = new CandumpParser(new FrameRing(8), { maxLineLength: 64 });
			const { frames, counters } = run(parser, bytes(padded + "(2.000000) can0 456#33\n" + "x".repeat(200) + "\n"), sizes);
			expect(counters, `chunks ${sizes}`).toEqual({ lines: 3, frames: 1, ignored: 0, unsupported: 0, malformed: 0, overlong: 2 });
			expect(parser["assembler"].buffer.length).toBe(64);
			expect(frames).toEqual([plain(0x456, 0, 1, [0x33], 2000)]);
		}
	});

	it("line-exactly-the-buffer-size-fits-in-place-and-across-chunks", () => {
		// SLCAN: 40 bytes is the buffer; a 40-byte reply fits, 41 do not.
		for (const sizes of [[1000], [3], [40], [41]]) {
			const parser = new SlcanParser(new FrameRing(8));
			run(parser, bytes("V" + "x".repeat(39) + "\r" + "V" + "x".repeat(40) + "\r"), sizes);
			expect(parser.ignored, `chunks ${sizes}`).toBe(1);
			expect(parser.overlong, `chunks ${sizes}`).toBe(1);
		}
		// candump: a 64-byte frame line is parsed, a 65-byte one is over-long.
		const line64 = "(1.000000) can0 123#11".padEnd(64, " ");
		for (const sizes of [[1000], [5], [64], [65]]) {
			const parser = new CandumpParser(new FrameRing(8), { maxLineLength: 64 });
			run(parser, bytes(line64 + "\n" + line64 + " \n"), sizes);
			expect(candumpCounters(parser), `chunks ${sizes}`).toEqual({ lines: 2, frames: 1, ignored: 0, unsupported: 0, malformed: 0, overlong: 1 });
		}
	});

	it("chunked-feeding-of-both-parsers-passes-the-shared-check", () => {
		const slcan = bytes("t1231AA\rT123456788AABBCCDD11223344EA5F\r\nr7FF3\nz\r\x07" + "t1230\r".repeat(10));
		checkChunkedAgainstWhole((ring) => new SlcanParser(ring, { clock: () => 1 }), slcan, () => 3, 40, slcanCounters);
		const candump = bytes("(1.5) can0 123#11\n(2.25)\tcan0\t456#R3 T\r\n789#11.22\rcan1 1#\n".repeat(3));
		checkChunkedAgainstWhole((ring) => new CandumpParser(ring, { clock: () => 1 }), candump, () => 5, 128, candumpCounters);
	});
});
