/*
 * CandumpParser and formatCandumpLine: every line form, timestamps to the
 * microsecond, chunking at every byte, garbage and over-long lines, a seeded
 * fuzz run, and the real SavvyCAN log from ../shared/data. Node (vitest).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CandumpParser, formatCandumpLine } from "../modules/can/candump.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { describeSharedData, fixturesDir, sharedData } from "./shared-data.js";
import { bytes, drain, plain, randomFrame, type PlainFrame } from "./support/frames.js";
import { checkChunkedAgainstWhole } from "./support/parser-check.js";
import { FUZZ_TIMEOUT_MS, caseCount, fuzzCases } from "./support/fuzz.js";
import { seededRandom } from "./support/random.js";

function counters(p: CandumpParser) {
	const { lines, frames, ignored, unsupported, malformed, overlong } = p;
	return { lines, frames, ignored, unsupported, malformed, overlong };
}

function parse(text: string | Uint8Array, options?: ConstructorParameters<typeof CandumpParser>[1]) {
	const ring = new FrameRing(16384);
	const parser = new CandumpParser(ring, options);
	parser.feed(typeof text === "string" ? bytes(text) : text);
	parser.finish();
	return { frames: drain(ring), parser, ring };
}

/** The one frame a single line gives. */
function one(line: string, options?: ConstructorParameters<typeof CandumpParser>[1]): PlainFrame {
	const { frames, parser } = parse(line + "\n", options);
	expect(counters(parser), line).toEqual({ lines: 1, frames: 1, ignored: 0, unsupported: 0, malformed: 0, overlong: 0 });
	return frames[0];
}

const { extended: EXT, remote: RTR, error: ERR } = FrameFlag;
const TS = 1579857014345.944;

const SAMPLE = [
	"(1579857014.345944) can2 486#82967A6B006B07F8",
	"(1579857014.346001)  vcan0 123#R",
	"(1579857014.346100) can0 123#R5",
	"(1579857014.346200) can0 7FF#",
	"(1579857014.346300) can0 12345678#DEADBEEF",
	"(1579857014.346400) can0 00000123#11",
	"(1579857014.346500) can0 20000004#0000080000000000",
	"(1579857014.346600) can0 123##10011223344",
	"(1579857014.346700) can0 321#1122 R",
	"(1579857014.346800) can0 322#3344 T",
	"DROPCOUNT: dropped 3 CAN frames on 'can0' socket (total drops 3)",
	"",
	"can0 100#0102",
	"(0000000166.000000) vcan0 21A#FE3612FE690507AD",
];
const SAMPLE_FRAMES = (clock: number) => [
	plain(0x486, 0, 8, [0x82, 0x96, 0x7A, 0x6B, 0x00, 0x6B, 0x07, 0xF8], TS),
	plain(0x123, RTR, 0, [], 1579857014346.001),
	plain(0x123, RTR, 5, [], 1579857014346.1),
	plain(0x7FF, 0, 0, [], 1579857014346.2),
	plain(0x12345678, EXT, 4, [0xDE, 0xAD, 0xBE, 0xEF], 1579857014346.3),
	plain(0x123, EXT, 1, [0x11], 1579857014346.4),
	plain(4, ERR, 8, [0, 0, 8, 0, 0, 0, 0, 0], 1579857014346.5),
	plain(0x321, 0, 2, [0x11, 0x22], 1579857014346.7),
	plain(0x322, 0, 2, [0x33, 0x44], 1579857014346.8),
	plain(0x100, 0, 2, [1, 2], clock),
	plain(0x21A, 0, 8, [0xFE, 0x36, 0x12, 0xFE, 0x69, 0x05, 0x07, 0xAD], 166000),
];

describe("CandumpParser", () => {
	it("parses-candump-l-line-with-exact-fields", () => {
		expect(one("(1579857014.345944) can2 486#82967A6B006B07F8")).toEqual(
			plain(0x486, 0, 8, [0x82, 0x96, 0x7A, 0x6B, 0x00, 0x6B, 0x07, 0xF8], 1579857014345.944));
	});

	it("parses-every-line-form", () => {
		const { frames, parser } = parse(SAMPLE.join("\n") + "\n", { clock: () => 42 });
		expect(frames).toEqual(SAMPLE_FRAMES(42));
		expect(counters(parser)).toEqual({ lines: 14, frames: 11, ignored: 2, unsupported: 1, malformed: 0, overlong: 0 });
	});

	it("remote-frames-with-and-without-dlc", () => {
		expect(one("(1.0) can0 123#R")).toEqual(plain(0x123, RTR, 0, [], 1000));
		expect(one("(1.0) can0 123#R5")).toEqual(plain(0x123, RTR, 5, [], 1000));
		expect(one("(1.0) can0 123#r8")).toEqual(plain(0x123, RTR, 8, [], 1000));
		expect(one("(1.0) can0 1ABCDEF0#R2")).toEqual(plain(0x1ABCDEF0, EXT | RTR, 2, [], 1000));
	});

	it("empty-data-gives-dlc-zero", () => {
		expect(one("(2.5) can1 000#")).toEqual(plain(0, 0, 0, [], 2500));
	});

	it("extended-by-eight-digits-or-id-above-7FF", () => {
		expect(one("can0 00000001#")).toMatchObject({ id: 1, flags: EXT });
		expect(one("can0 1FFFFFFF#01")).toMatchObject({ id: 0x1FFFFFFF, flags: EXT, dlc: 1 });
		expect(one("can0 800#")).toMatchObject({ id: 0x800, flags: EXT });
		expect(one("can0 18FEF1#")).toMatchObject({ id: 0x18FEF1, flags: EXT });
		expect(one("can0 7FF#")).toMatchObject({ id: 0x7FF, flags: 0 });
		expect(one("can0 1#")).toMatchObject({ id: 1, flags: 0 });
	});

	it("error-flag-in-eight-digits-gives-error-frame", () => {
		expect(one("(1.0) can0 20000004#0000080000000000")).toEqual(plain(4, ERR, 8, [0, 0, 8, 0, 0, 0, 0, 0], 1000));
		expect(one("(1.0) can0 200000C0#")).toMatchObject({ id: 0xC0, flags: ERR });
	});

	it("fd-and-xl-lines-counted-unsupported", () => {
		const { frames, parser } = parse([
			"(1.0) can0 123##1",
			"(1.0) can0 123##0" + "11".repeat(64), // longer than the line buffer
			"(1.0) can0 12345678##3AABB",
			"(1.0) xl0 00123#80:00:11223344#" + "22".repeat(100),
			"(1.0) xl0 00123#80:00:11223344#0102",
			"(1.0) can0 123#01",
		].join("\n"));
		expect(frames).toEqual([plain(0x123, 0, 1, [1], 1000)]);
		expect(counters(parser)).toEqual({ lines: 6, frames: 1, ignored: 0, unsupported: 5, malformed: 0, overlong: 0 });
	});

	it("direction-marks-accepted", () => {
		expect(one("(1.0) can0 321#1122 R")).toEqual(plain(0x321, 0, 2, [0x11, 0x22], 1000));
		expect(one("(1.0) can0 321#1122 T  ")).toEqual(plain(0x321, 0, 2, [0x11, 0x22], 1000));
		expect(one("(1.0) can0 321#R T")).toEqual(plain(0x321, RTR, 0, [], 1000));
	});

	it("line-without-timestamp-uses-clock-or-zero", () => {
		expect(one("can0 123#11", { clock: () => 1234.5 }).timestamp).toBe(1234.5);
		expect(one("can0 123#11").timestamp).toBe(0);
		expect(one("123#11")).toEqual(plain(0x123, 0, 1, [0x11], 0));
		expect(one("(7.0) 123#11").timestamp).toBe(7000);
	});

	it("padded-interface-tabs-and-dots-accepted", () => {
		expect(one("(1.0)    vcan0\t123#11.22.33")).toEqual(plain(0x123, 0, 3, [0x11, 0x22, 0x33], 1000));
		expect(one("  (1.0) can0 123#aabb  ")).toEqual(plain(0x123, 0, 2, [0xAA, 0xBB], 1000));
	});

	it("raw-dlc-suffix-accepted-dlc-stays-8", () => {
		expect(one("(1.0) can0 123#1122334455667788_E")).toEqual(plain(0x123, 0, 8, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88], 1000));
		expect(one("(1.0) can0 123#R8_9")).toEqual(plain(0x123, RTR, 8, [], 1000));
	});

	it("timestamp-digits-read-exactly", () => {
		expect(one("(1.5) c 1#").timestamp).toBe(1500);
		expect(one("(12) c 1#").timestamp).toBe(12000);
		expect(one("(0.000001) c 1#").timestamp).toBe(0.001);
		expect(one("(0000000166.000000) c 1#").timestamp).toBe(166000);
		expect(one("(1.123456789) c 1#").timestamp).toBeCloseTo(1123.456789, 9);
		expect(one("(1.123456789999) c 1#").timestamp).toBe(one("(1.123456789) c 1#").timestamp);
		expect(one("(1700000000.010250) c 1#").timestamp).toBe(1700000000010.25);
	});

	it("timestamp-is-the-double-nearest-the-exact-milliseconds", () => {
		// Number("1579857014345.944") is correctly rounded by the JS engine; the parser must agree on every value.
		const random = seededRandom(3);
		const ring = new FrameRing(2), frame = new CanFrame();
		const parser = new CandumpParser(ring);
		for (let i = 0; i < 20000; i++) {
			const seconds = String(Math.floor(random() * 2e9)), micro = String(Math.floor(random() * 1e6)).padStart(6, "0");
			parser.feed(bytes(`(${seconds}.${micro}) can0 1#\n`));
			ring.pop(frame);
			expect(frame.timestamp, `${seconds}.${micro}`).toBe(Number(`${seconds}${micro.slice(0, 3)}.${micro.slice(3)}`));
		}
	});

	it("comments-blank-lines-and-dropcount-ignored", () => {
		const { frames, parser } = parse("# comment\n\n   \n\t\nDROPCOUNT: dropped 1 CAN frame on 'can0' socket (total drops 1)\n# 123#11\n");
		expect(frames).toEqual([]);
		expect(counters(parser)).toEqual({ lines: 6, frames: 0, ignored: 6, unsupported: 0, malformed: 0, overlong: 0 });
	});

	it("invalid-lines-counted-malformed-and-skipped", () => {
		const bad = [
			"(1.0) can0 123",                      // no '#'
			"(1.0) can0 #11",                      // no id
			"(1.0) can0 123456789#11",             // 9 id digits
			"(1.0) can0 12G#11",                   // bad hex in id
			"(1.0) can0 123#1",                    // odd digit count
			"(1.0) can0 123#11G2",                 // bad hex in data
			"(1.0) can0 123#112233445566778899",   // 9 bytes
			"(1.0) can0 123#R9",                   // remote DLC 9
			"(1.0) can0 123#R55",                  // two DLC digits
			"(1.0) can0 80000123#11",              // EFF flag bit written into the id
			"(1.0) can0 40000123#11",              // RTR flag bit written into the id
			"(1.0) can0 123#11223344556677_E",     // raw DLC without 8 bytes
			"(1.0) can0 123#1122334455667788_5",   // raw DLC not above 8
			"(1.0) can0 123#1122334455667788_EE",
			"(1.0) can0 123#11 X",                 // trailing field that is not a direction
			"(1.0) can0 123#11 R R",
			"(1.0) can0",                          // no frame
			"(1.0)",
			"(1.0) ",
			"(abc) can0 123#11",
			"() can0 123#11",
			"(1.0 can0 123#11",
			"(1.0)can0 123#11",                    // no blank after the timestamp
			"(-1.0) can0 123#11",
			"hello world",
			"\x00\xFF\x80",
		];
		const { frames, parser } = parse(bad.join("\n") + "\n(3.0) can0 123#11\n");
		expect(frames).toEqual([plain(0x123, 0, 1, [0x11], 3000)]);
		expect(parser.malformed).toBe(bad.length);
		expect(parser.frames).toBe(1);
	});

	it("crlf-cr-and-lf-terminators-accepted", () => {
		const { frames, parser } = parse("can0 1#01\r\ncan0 2#02\rcan0 3#03\ncan0 4#04\r\n\r\n");
		expect(frames.map((f) => f.id)).toEqual([1, 2, 3, 4]);
		expect(parser.lines).toBe(5);
	});

	it("garbage-between-frames-resyncs", () => {
		const { frames, parser } = parse("can0 1#01\n\x00\x01garbage###\n(1.0) can0 2#02\n\xFF\xFE\n(2.0) can0 3#03\n");
		expect(frames.map((f) => f.id)).toEqual([1, 2, 3]);
		expect(parser.malformed).toBe(2);
	});

	it("truncated-line-merges-with-next-and-is-dropped", () => {
		// The newline after a cut-off line was lost: the two lines run together.
		const { frames, parser } = parse("(1.0) can0 123#1122(2.0) can0 456#33\n(3.0) can0 789#44\n");
		expect(frames).toEqual([plain(0x789, 0, 1, [0x44], 3000)]);
		expect(parser.malformed).toBe(1);
	});

	it("overlong-line-resyncs", () => {
		const ring = new FrameRing(8);
		const parser = new CandumpParser(ring);
		const buffer = parser["assembler"].buffer;
		expect(buffer.length).toBe(128);
		// A 128-byte line fits (with padding spaces); 129 bytes do not.
		const fits = "(1.0) can0 123#11" + " ".repeat(128 - 17);
		parser.feed(bytes(fits + "\n"));
		parser.feed(bytes("(1.0) can0 123#" + "1".repeat(300)));
		parser.feed(bytes("2".repeat(3000)));
		parser.feed(bytes("\n(2.0) can0 456#22\n"));
		expect(drain(ring)).toEqual([plain(0x123, 0, 1, [0x11], 1000), plain(0x456, 0, 1, [0x22], 2000)]);
		expect(counters(parser)).toEqual({ lines: 3, frames: 2, ignored: 0, unsupported: 0, malformed: 0, overlong: 1 });
		expect(parser["assembler"].buffer).toBe(buffer);
	});

	it("split-at-every-byte", () => {
		const input = bytes(SAMPLE.join("\r\n") + "\r\n");
		const whole = parse(input, { clock: () => 42 });
		expect(whole.frames).toEqual(SAMPLE_FRAMES(42));
		for (let cut = 0; cut <= input.length; cut++) {
			const ring = new FrameRing(64);
			const parser = new CandumpParser(ring, { clock: () => 42 });
			const produced = parser.feed(input, 0, cut) + parser.feed(input, cut) + parser.finish();
			expect(produced).toBe(11);
			expect(drain(ring), `cut at ${cut}`).toEqual(whole.frames);
			expect(counters(parser)).toEqual(counters(whole.parser));
		}
	});

	it("one-byte-chunks", () => {
		const input = bytes(SAMPLE.join("\n"));
		const ring = new FrameRing(64);
		const parser = new CandumpParser(ring, { clock: () => 42 });
		let produced = 0;
		for (let i = 0; i < input.length; i++)
			produced += parser.feed(input.subarray(i, i + 1));
		// The last line has no newline: it waits for finish().
		expect(produced).toBe(10);
		expect(parser.finish()).toBe(1);
		expect(drain(ring)).toEqual(SAMPLE_FRAMES(42));
	});

	it("feed-honours-offset-and-length", () => {
		const input = bytes("xxcan0 1#01\ncan0 2#02\nyy");
		const ring = new FrameRing(8);
		const parser = new CandumpParser(ring);
		expect(parser.feed(input, 2, 10)).toBe(1);
		expect(parser.feed(input, 12, 10)).toBe(1);
		expect(drain(ring).map((f) => f.id)).toEqual([1, 2]);
		expect(() => parser.feed(input, 0, input.length + 1)).toThrow(RangeError);
	});

	it("rejects-too-small-line-buffer", () => {
		expect(() => new CandumpParser(new FrameRing(2), { maxLineLength: 63 })).toThrow(RangeError);
		expect(new CandumpParser(new FrameRing(2), { maxLineLength: 64 })["assembler"].buffer.length).toBe(64);
	});

	it("reset-zeroes-counters-and-instance-is-reusable", () => {
		const ring = new FrameRing(16);
		const parser = new CandumpParser(ring);
		parser.feed(bytes("can0 1#01\nnonsense\n(1.0) can0 12"));
		parser.reset();
		drain(ring);
		expect(counters(parser)).toEqual({ lines: 0, frames: 0, ignored: 0, unsupported: 0, malformed: 0, overlong: 0 });
		// The partial "(1.0) can0 12" was forgotten: "3#03" alone is a complete frame line.
		parser.feed(bytes("3#03\n"));
		expect(drain(ring)).toEqual([plain(3, 0, 1, [3], 0)]);
		expect(counters(parser)).toEqual({ lines: 1, frames: 1, ignored: 0, unsupported: 0, malformed: 0, overlong: 0 });
	});

	it("fixture-mixed-log", () => {
		const { frames, parser } = parse(new Uint8Array(readFileSync(join(fixturesDir, "logs", "candump-mixed.log"))), { clock: () => 42 });
		expect(frames).toEqual(SAMPLE_FRAMES(42));
		expect(counters(parser)).toEqual({ lines: 15, frames: 11, ignored: 3, unsupported: 1, malformed: 0, overlong: 0 });
	});

	it("fuzz-random-bytes-and-mutated-lines", () => {
		const CASES = caseCount(300);
		const frame = new CanFrame();
		let random: () => number = () => 0; // each case's own PRNG, set below
		const int = (n: number) => Math.floor(random() * n);
		const extras = ["", "# comment", "DROPCOUNT: dropped 1 CAN frame on 'can0' socket (total drops 1)", "(1.0) can0 123##1AABB", "   "];
		function validLine(): string {
			if (random() < 0.1)
				return extras[int(extras.length)];
			randomFrame(frame, int);
			let line = formatCandumpLine(frame, ["can0", "vcan0", "slcan12"][int(3)]);
			if (random() < 0.2)
				line = line.slice(line.indexOf(")") + 2); // no timestamp
			if (random() < 0.2)
				line += [" R", " T"][int(2)];
			return line;
		}
		function mutate(line: number[]): number[] {
			const out = [...line];
			const kind = int(7);
			const at = int(out.length + 1);
			if (kind === 0) out[Math.min(at, out.length - 1)] = int(256);
			else if (kind === 1) out.splice(at, 0, int(256));
			else if (kind === 2) out.splice(at, 1);
			else if (kind === 3) out.length = at;                 // truncated: runs into the next line
			else if (kind === 4) out.splice(at, 0, ...new Array(80 + int(100)).fill(0x41 + int(6))); // made over-long
			else if (kind === 5) out.splice(at, 0, [0x0D, 0x0A][int(2)]);
			return out;                                           // kind 6: left valid
		}
		const terminators = ["\n", "\r\n", "\r"];
		let feeds = 0;
		const totals = { lines: 0, frames: 0, ignored: 0, unsupported: 0, malformed: 0, overlong: 0 };
		const ran = fuzzCases(0xC0FFEE, CASES, caseRandom => {
			random = caseRandom;
			const stream: number[] = [];
			const lineCount = 20 + int(40);
			for (let k = 0; k < lineCount; k++) {
				if (random() < 0.05) {
					for (let g = int(200); g > 0; g--) stream.push(int(256));
					continue;
				}
				const line = [...bytes(validLine() + terminators[int(3)])];
				stream.push(...(random() < 0.4 ? mutate(line) : line));
			}
			const input = Uint8Array.from(stream);
			const { parser: a, feeds: fed } = checkChunkedAgainstWhole(ring => new CandumpParser(ring, { clock: () => 9 }), input, () => 1 + int(48), 128, counters);
			feeds += fed;
			// Lines counted independently: each CR, each LF not right after a CR, and a last unterminated line.
			let expectedLines = 0;
			for (let i = 0; i < input.length; i++)
				if (input[i] === 0x0D || (input[i] === 0x0A && (i === 0 || input[i - 1] !== 0x0D)))
					expectedLines++;
			const last = input[input.length - 1];
			if (input.length > 0 && last !== 0x0D && last !== 0x0A)
				expectedLines++;
			expect(a.lines).toBe(expectedLines);
			for (const [key, value] of Object.entries(counters(a)))
				totals[key as keyof typeof totals] += value;
		});
		if (ran < CASES)
			return; // one case replayed by FUZZ_SEED
		expect(feeds).toBeGreaterThan(200 * CASES / 3);
		for (const [key, value] of Object.entries(totals))
			expect(value, key).toBeGreaterThan(CASES / 6);
	}, FUZZ_TIMEOUT_MS);
});

describe("formatCandumpLine", () => {
	function make(id: number, flags: number, dlc: number, data: number[], timestamp: number): CanFrame {
		const frame = new CanFrame();
		frame.id = id;
		frame.flags = flags;
		frame.dlc = dlc;
		frame.data.set(data);
		frame.timestamp = timestamp;
		return frame;
	}

	it("parsed-timestamp-prints-back-the-same-digits", () => {
		const line = "(1579857014.345944) can2 486#82967A6B006B07F8";
		const ring = new FrameRing(2);
		new CandumpParser(ring).feed(bytes(line + "\n"));
		const frame = new CanFrame();
		ring.pop(frame);
		expect(formatCandumpLine(frame, "can2")).toBe(line);
	});

	it("writes-each-frame-form", () => {
		expect(formatCandumpLine(make(0x21A, 0, 8, [0xFE, 0x36, 0x12, 0xFE, 0x69, 0x05, 0x07, 0xAD], 166000), "vcan0"))
			.toBe("(0000000166.000000) vcan0 21A#FE3612FE690507AD");
		expect(formatCandumpLine(make(0x1, 0, 0, [], 0.001), "can0")).toBe("(0000000000.000001) can0 001#");
		expect(formatCandumpLine(make(0x123, EXT, 1, [0x11], 1000), "can0")).toBe("(0000000001.000000) can0 00000123#11");
		expect(formatCandumpLine(make(0x123, RTR, 0, [], 1000), "can0")).toBe("(0000000001.000000) can0 123#R");
		expect(formatCandumpLine(make(0x123, RTR, 5, [1, 2], 1000), "can0")).toBe("(0000000001.000000) can0 123#R5");
		expect(formatCandumpLine(make(4, ERR, 8, [0, 0, 8], 1000), "can0")).toBe("(0000000001.000000) can0 20000004#0000080000000000");
		// Rounded to the microsecond: 999.9996 ms is 999999.6 µs, printed as 1.000000 s.
		expect(formatCandumpLine(make(0x7FF, 0, 0, [], 999.9996), "can0")).toBe("(0000000001.000000) can0 7FF#");
	});

	it("rejects-frames-without-a-candump-form", () => {
		expect(() => formatCandumpLine(make(0x800, 0, 0, [], 0), "can0")).toThrow(RangeError);
		expect(() => formatCandumpLine(make(0x20000000, EXT, 0, [], 0), "can0")).toThrow(RangeError);
		expect(() => formatCandumpLine(make(1, 0, 9, [], 0), "can0")).toThrow(RangeError);
		expect(() => formatCandumpLine(make(1, 0, 0, [], -1), "can0")).toThrow(RangeError);
		expect(() => formatCandumpLine(make(1, 0, 0, [], Number.NaN), "can0")).toThrow(RangeError);
	});

	it("round-trip-format-parse-format", () => {
		const random = seededRandom(7);
		const int = (n: number) => Math.floor(random() * n);
		const frame = new CanFrame();
		const expected: PlainFrame[] = [], lines: string[] = [];
		for (let i = 0; i < 3000; i++) {
			randomFrame(frame, int);
			lines.push(formatCandumpLine(frame, "can0"));
			expected.push({ id: frame.id, flags: frame.flags, dlc: frame.dlc, data: [...frame.data], timestamp: frame.timestamp });
		}
		const { frames, parser } = parse(lines.join("\n"));
		expect(parser.malformed).toBe(0);
		expect(frames).toEqual(expected);
		const back = new CanFrame();
		const ring = new FrameRing(2);
		for (let i = 0; i < frames.length; i++) {
			const f = frames[i];
			ring.pushFields(f.id, f.flags, f.dlc, Uint8Array.from(f.data), 0, 8, f.timestamp);
			ring.pop(back);
			expect(formatCandumpLine(back, "can0")).toBe(lines[i]);
		}
	});
});

describeSharedData("CandumpParser on the SavvyCAN log", () => {
	const text = () => readFileSync(sharedData("logs", "savvycan-candump.log"));

	it("whole-log-parses-without-malformed-lines", () => {
		const input = new Uint8Array(text());
		const lines = Buffer.from(input).toString("latin1").split(/\r?\n/).filter((l) => l.trim() !== "");
		const { frames, parser } = parse(input);
		expect(lines.length).toBeGreaterThan(10000);
		expect(parser.frames).toBe(lines.length);
		expect(counters(parser)).toEqual({ lines: lines.length, frames: lines.length, ignored: 0, unsupported: 0, malformed: 0, overlong: 0 });
		// The first lines, spelled out.
		expect(frames.slice(0, 3)).toEqual([
			plain(0x21A, 0, 8, [0xFE, 0x36, 0x12, 0xFE, 0x69, 0x05, 0x07, 0xAD], 166000),
			plain(0x23A, 0, 8, [0x00, 0x37, 0x00, 0x12, 0x00, 0x00, 0x00, 0x00], 166000),
			plain(0x28C, 0, 8, [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x00], 166000),
		]);
		expect(frames[4]).toEqual(plain(0x27A, 0, 7, [0x30, 0x30, 0x0D, 0x8C, 0x09, 0x15, 0x00], 166000));
		expect(frames[18]).toEqual(plain(0x48C, 0, 1, [0x00], 166000));
		// Every frame against the text, read here the slow obvious way.
		for (let i = 0; i < lines.length; i++) {
			const [, seconds, id, data] = /^\((\d+\.\d+)\) \S+ ([0-9A-F]+)#([0-9A-F]*)$/.exec(lines[i])!;
			const f = frames[i];
			expect(f.id, lines[i]).toBe(parseInt(id, 16));
			expect(f.flags, lines[i]).toBe(id.length === 8 ? EXT : 0);
			expect(f.dlc, lines[i]).toBe(data.length / 2);
			expect(f.data.slice(0, f.dlc), lines[i]).toEqual(data.match(/../g)?.map((h) => parseInt(h, 16)) ?? []);
			expect(f.timestamp, lines[i]).toBeCloseTo(Number(seconds) * 1000, 6);
		}
	});

	it("whole-log-in-random-chunks-gives-the-same-frames", () => {
		const input = new Uint8Array(text());
		const whole = parse(input);
		const random = seededRandom(99);
		const ring = new FrameRing(16384);
		const parser = new CandumpParser(ring);
		for (let i = 0; i < input.length;) {
			const n = Math.min(input.length - i, 1 + Math.floor(random() * 300));
			parser.feed(input, i, n);
			i += n;
		}
		parser.finish();
		expect(drain(ring)).toEqual(whole.frames);
	});
});
