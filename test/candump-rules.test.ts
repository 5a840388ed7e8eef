/*
 * Rules of the candump parser and formatter that mutation testing
 * (npm run mutate) found unguarded, each test named after its rule:
 *  - every accepted line form is read in place by the fast way (`frameIn`),
 *    never copied into the line buffer and never left to the general way;
 *  - a line read from the line buffer is read to its own end only, never into
 *    the bytes a longer earlier line left there;
 *  - a few edge cases of the grammar, decided alike by both ways;
 *  - formatCandumpLine writes every id and time a candump line can hold, and
 *    refuses, with a message that says why, those it cannot.
 * Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { CandumpParser, formatCandumpLine } from "../modules/can/candump.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { bytes, drain, plain } from "./support/frames.js";

const { extended: EXT, remote: RTR, error: ERR } = FrameFlag;

/** The parser's private parts these tests watch. */
type Inside = { line(): void; anyLine(): void; frameIn(bytes: Uint8Array, start: number, end: number): number };
const inside = (parser: CandumpParser) => parser as unknown as Inside;

/** Counts the lines read from the line buffer (`line`) and those left to the general way (`anyLine`). */
function spy(parser: CandumpParser): { buffered: number; general: number } {
	const counts = { buffered: 0, general: 0 };
	const line = inside(parser).line.bind(parser), anyLine = inside(parser).anyLine.bind(parser);
	inside(parser).line = () => {
		counts.buffered++;
		line();
	};
	inside(parser).anyLine = () => {
		counts.general++;
		anyLine();
	};
	return counts;
}

function counters(p: CandumpParser) {
	const { lines, frames, ignored, unsupported, malformed, overlong } = p;
	return { lines, frames, ignored, unsupported, malformed, overlong };
}

/** Frames and counters from `text` in one chunk, read the usual way or (general) with the fast way switched off. */
function run(text: string, general = false) {
	const ring = new FrameRing(256);
	const parser = new CandumpParser(ring, { clock: () => 42 });
	if (general)
		inside(parser).frameIn = () => -1;
	parser.feed(bytes(text));
	parser.finish();
	return { frames: drain(ring), counters: counters(parser) };
}

/** `text` read both ways; both must agree, and the common result is returned. */
function both(text: string) {
	const fast = run(text), general = run(text, true);
	expect(general, `general way: ${JSON.stringify(text)}`).toEqual(fast);
	return fast;
}

const MALFORMED_ONE = { lines: 1, frames: 0, ignored: 0, unsupported: 0, malformed: 1, overlong: 0 };

describe("CandumpParser fast way", () => {
	// Real candump forms, with the blanks, cases and digits each step of the fast way reads.
	const FORMS = [
		"(1579857019.999999) can0 199#99999999",      // digit 9 in seconds, fraction and data
		"(1579857014.345944)\tcan0 123#11",           // a tab after the timestamp
		"(1579857014.345944)  \t can0 123#11",        // several blanks after it
		"(1579857014.345944) can0 \t 123#11",         // several blanks after the interface
		"can0\t123#11",
		"(1579857014.3459449) can0 123#11",           // 7 fraction digits
		"(1579857014.345944) can0 123#r",             // remote, lower case
		"(1579857014.345944) can0 123#r5",
		"(1579857014.345944) can0 123#R0",            // remote with DLC 0 and 8
		"(1579857014.345944) can0 123#R8",
		"(1579857014.345944) can0 123#11.22.33",      // dots between bytes
		"(1579857014.345944) can0 123#11\t",          // blanks after the frame
		"(1579857014.345944) can0 123#11 \t ",
		"(1579857014.345944) can0 123#11\tT",         // direction marks of candump -x, with tabs and blanks
		"(1579857014.345944) can0 123#11 R\t ",
		"(1579857014.345944) can0 123#11 T  ",
		"(1579857014.345944) can0 123#R T",
		"123#11",
		"(1.0) can0 123#11" + " ".repeat(128 - 17),   // exactly as long as the line buffer
	];

	test("every-accepted-line-form-is-read-in-place-without-the-line-buffer", () => {
		for (const terminator of ["\n", "\r", "\r\n"]) {
			// All in one chunk, so most lines start far into it.
			const ring = new FrameRing(256), parser = new CandumpParser(ring), counts = spy(parser);
			parser.feed(bytes(FORMS.join(terminator) + terminator));
			expect(counts, JSON.stringify(terminator)).toEqual({ buffered: 0, general: 0 });
			expect(counters(parser)).toEqual({ lines: FORMS.length, frames: FORMS.length, ignored: 0, unsupported: 0, malformed: 0, overlong: 0 });
			// Each alone too, the same frame either way.
			for (const line of FORMS) {
				const one = new CandumpParser(new FrameRing(4)), oneCounts = spy(one);
				one.feed(bytes(line + terminator));
				expect(oneCounts, JSON.stringify(line + terminator)).toEqual({ buffered: 0, general: 0 });
				expect(one.frames, line).toBe(1);
				both(line + terminator);
			}
		}
	});

	test("a-line-read-from-the-buffer-is-read-to-its-own-end-not-into-an-earlier-longer-line", () => {
		// Each line goes through the line buffer (cut by a chunk's end), then every start of it does too:
		// the buffer then still holds the rest of the longer line past the shorter one's end.
		const LINES = [
			"(123) can0 123#11 ",
			"(12) can0 123#11 ",
			"(12.5) can0 123#1122 X",
			"(12.5) can0 123#1122 R X",
			"(12.5) can0 123#1122 RX",
			"(12.5) can0 123#R X",
			"(1579857014.345944) can2 486#82967A6B006B07F8 T ",
			"     DROPCOUNT: dropped 3 CAN frames on 'can0' socket (total drops 3)",
			"DROPCOUNT: dropped 3 CAN frames on 'can0' socket (total drops 3)",
		];
		for (const whole of LINES.concat(["(12.5) can0 123#R5 "]))
			for (let k = 1; k < whole.length; k++) {
				const start = whole.slice(0, k);
				const fresh = new CandumpParser(new FrameRing(8), { clock: () => 7 }), freshCounts = spy(fresh);
				fresh.feed(bytes(start));
				fresh.finish();
				const used = new CandumpParser(new FrameRing(8), { clock: () => 7 });
				used.feed(bytes(whole.slice(0, 2)));
				used.feed(bytes(whole.slice(2) + "\n"));
				const before = counters(used);
				drain(used.ring);
				const usedCounts = spy(used);
				used.feed(bytes(start));
				used.finish();
				const after = counters(used);
				const added = Object.fromEntries(Object.entries(after).map(([key, value]) => [key, value - before[key as keyof typeof before]]));
				expect(added, JSON.stringify(start)).toEqual(counters(fresh));
				expect(drain(used.ring), JSON.stringify(start)).toEqual(drain(fresh.ring));
				// None of these is a raw-DLC line, the one frame line only the general way reads.
				const general = after.frames > before.frames ? 0 : 1;
				expect(usedCounts.general, `general way for ${JSON.stringify(start)}`).toBe(general);
				expect(freshCounts.general, `general way for ${JSON.stringify(start)} alone`).toBe(general);
			}
	});

	test("the-general-way-too-reads-a-buffered-line-to-its-own-end", () => {
		// As above with the fast way switched off: the general way alone reads each start of a longer line.
		for (const whole of ["(12.5) can0 123#R5 ", "(12.5) can0 123#1122 T ", "(12) can0 123#11 ", "(12.5) can0 123#1122334455667788_9 "])
			for (let k = 1; k < whole.length; k++) {
				const start = whole.slice(0, k);
				const fresh = new CandumpParser(new FrameRing(8), { clock: () => 7 });
				inside(fresh).frameIn = () => -1;
				fresh.feed(bytes(start));
				fresh.finish();
				const used = new CandumpParser(new FrameRing(8), { clock: () => 7 });
				inside(used).frameIn = () => -1;
				used.feed(bytes(whole + "\n"));
				used.feed(bytes(start));
				used.finish();
				expect(drain(used.ring).slice(1), JSON.stringify(start)).toEqual(drain(fresh.ring));
				expect(used.malformed, JSON.stringify(start)).toBe(fresh.malformed);
			}
	});
});

describe("CandumpParser grammar edges, read alike both ways", () => {
	test("error-flag-with-class-0-is-an-error-frame-of-class-0", () => {
		expect(both("(1579857014.345944) can0 20000000#0000000000000000\n").frames)
			.toEqual([plain(0, ERR, 8, [0, 0, 0, 0, 0, 0, 0, 0], 1579857014345.944)]);
	});

	test("an-id-of-8-digits-from-40000000-is-malformed", () => {
		expect(both("(1.0) can0 40000000#11\n").counters).toEqual(MALFORMED_ONE);
		expect(both("(1.0) can0 3FFFFFFF#11\n").frames).toEqual([plain(0x1FFFFFFF, ERR, 1, [0x11], 1000)]);
	});

	test("a-timestamp-must-close-with-a-parenthesis", () => {
		expect(both("(1579857014.345944] can0 123#11\n").counters).toEqual(MALFORMED_ONE);
		expect(both("(1579857014] can0 123#11\n").counters).toEqual(MALFORMED_ONE);
		// Not a frame line with a stray '(' either.
		expect(both("(123#0102\n").counters).toEqual(MALFORMED_ONE);
		expect(both("(A23#0102\n").counters).toEqual(MALFORMED_ONE);
	});

	test("the-dlc-of-a-remote-frame-is-one-digit-from-0-to-8", () => {
		for (const line of ["(1.0) can0 123#R/", "(1.0) can0 123#R9", "(1.0) can0 123#Rx"])
			expect(both(line + "\n").counters, line).toEqual(MALFORMED_ONE);
		expect(both("(1.0) can0 123#R0\n").frames).toEqual([plain(0x123, RTR, 0, [], 1000)]);
	});

	test("a-data-byte-needs-two-hex-digits", () => {
		expect(both("(1.0) can0 123#1G\n").counters).toEqual(MALFORMED_ONE);
		expect(both("(1.0) can0 123#11.G1\n").counters).toEqual(MALFORMED_ONE);
	});

	test("a-raw-dlc-is-an-underscore-and-one-digit-9-to-F-after-8-bytes", () => {
		expect(both("(1.0) can0 123#1122334455667788_8\n").counters).toEqual(MALFORMED_ONE);
		expect(both("(1.0) can0 123#R8-9\n").counters).toEqual(MALFORMED_ONE);
		expect(both("(1.0) can0 123#1122334455667788_9\n").frames).toEqual([plain(0x123, 0, 8, [0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88], 1000)]);
		expect(both("(1.0) can0 123#R8_F\n").frames).toEqual([plain(0x123, RTR, 8, [], 1000)]);
	});

	test("a-dropcount-notice-is-ignored-even-cut-to-the-word", () => {
		for (const line of ["DROPCOUNT", "DROPCOUNT: dropped 1 CAN frame on 'can0' socket (total drops 1)", "  DROPCOUNT"])
			expect(both(line + "\n").counters, line).toEqual({ lines: 1, frames: 0, ignored: 1, unsupported: 0, malformed: 0, overlong: 0 });
		expect(both("DROPCOUN\n").counters).toEqual(MALFORMED_ONE);
	});

	test("an-fd-line-is-recognised-when-the-kept-start-ends-at-its-double-hash", () => {
		// 126 bytes before "##": the buffer (128 bytes) keeps the "##" as its last two bytes.
		const line = "(1.0) can0 " + " ".repeat(112) + "123##1" + "11".repeat(64);
		expect(line.indexOf("##")).toBe(126);
		expect(both(line + "\n").counters).toEqual({ lines: 1, frames: 0, ignored: 0, unsupported: 1, malformed: 0, overlong: 0 });
	});

	test("an-over-long-line-without-an-fd-or-xl-frame-in-its-kept-start-is-over-long", () => {
		for (const line of [
			"DROPCOUNT: dropped 1 CAN frame on 'can0' socket (total drops 1)" + " ".repeat(100),
			"(1.0) can0 123#11" + " ".repeat(150) + "x:y:z",
			"# 12:00:00 " + "-".repeat(200),
		])
			expect(both(line + "\n").counters, line).toEqual({ lines: 1, frames: 0, ignored: 0, unsupported: 0, malformed: 0, overlong: 1 });
	});

	test("more-than-6-fraction-digits-are-read-to-the-nanosecond", () => {
		expect(both("(1.1234567) can0 1#\n").frames[0].timestamp).toBeCloseTo(1123.4567, 9);
		expect(both("(1.12345678) can0 1#\n").frames[0].timestamp).toBeCloseTo(1123.45678, 9);
		expect(both("(1.000000001) can0 1#\n").frames[0].timestamp).toBeCloseTo(1000.000001, 9);
	});

	test("errors-name-the-candump-parser-and-the-limit", () => {
		expect(() => new CandumpParser(new FrameRing(2), { maxLineLength: 63 })).toThrow("candump maxLineLength must be at least 64, not 63");
		const parser = new CandumpParser(new FrameRing(2));
		expect(() => parser.feed(bytes("1#\n"), 0, 4)).toThrow("candump feed range outside the buffer");
	});
});

describe("formatCandumpLine limits", () => {
	function make(id: number, flags: number, dlc: number, timestamp = 1000): CanFrame {
		const frame = new CanFrame();
		frame.id = id;
		frame.flags = flags;
		frame.dlc = dlc;
		frame.timestamp = timestamp;
		return frame;
	}

	test("time-zero-is-written", () => {
		expect(formatCandumpLine(make(0x123, 0, 0, 0), "can0")).toBe("(0000000000.000000) can0 123#");
	});

	test("a-negative-or-non-finite-time-is-refused", () => {
		for (const time of [-0.001, Number.NaN, Number.POSITIVE_INFINITY])
			expect(() => formatCandumpLine(make(1, 0, 0, time), "can0")).toThrow(`candump timestamp must be finite and not negative, not ${time}`);
	});

	test("a-dlc-that-is-not-a-whole-number-from-0-to-8-is-refused", () => {
		for (const dlc of [2.5, -1, 9])
			expect(() => formatCandumpLine(make(1, 0, dlc), "can0")).toThrow(`CAN DLC must be 0..8, not ${dlc}`);
	});

	test("error-classes-from-0-to-29-bits-are-written-and-others-refused", () => {
		expect(formatCandumpLine(make(0, ERR, 0), "can0")).toBe("(0000000001.000000) can0 20000000#");
		expect(formatCandumpLine(make(0x1FFFFFFF, ERR, 0), "can0")).toBe("(0000000001.000000) can0 3FFFFFFF#");
		for (const id of [-1, 0x20000000])
			expect(() => formatCandumpLine(make(id, ERR, 0), "can0")).toThrow(`error class ${id} does not fit 29 bits`);
	});

	test("extended-ids-from-0-to-29-bits-are-written-and-others-refused", () => {
		expect(formatCandumpLine(make(0, EXT, 0), "can0")).toBe("(0000000001.000000) can0 00000000#");
		expect(formatCandumpLine(make(0x1FFFFFFF, EXT, 0), "can0")).toBe("(0000000001.000000) can0 1FFFFFFF#");
		for (const id of [-1, 0x20000000])
			expect(() => formatCandumpLine(make(id, EXT, 0), "can0")).toThrow(`extended id ${id} does not fit 29 bits`);
	});

	test("standard-ids-from-0-to-11-bits-are-written-and-others-refused", () => {
		expect(formatCandumpLine(make(0, 0, 0), "can0")).toBe("(0000000001.000000) can0 000#");
		expect(formatCandumpLine(make(0x7FF, 0, 0), "can0")).toBe("(0000000001.000000) can0 7FF#");
		for (const id of [-1, 0x800])
			expect(() => formatCandumpLine(make(id, 0, 0), "can0")).toThrow(`standard id ${id} does not fit 11 bits`);
	});
});
