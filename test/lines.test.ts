/*
 * Line framing shared by the SLCAN and candump parsers (modules/can/lines.ts),
 * on its own: the rules mutation testing (npm run mutate) found guarded only
 * through the parsers, or not at all. A CRLF pair ends one line even when a
 * chunk ends between CR and LF; a line longer than the buffer is cut and
 * marked, one exactly as long is not; a line handed over in place or
 * gathered across chunks reads the same; hex digits are exactly 0-9, a-f and
 * A-F. Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { BEL, CR, HEX_DIGIT_VALUES, LF, LineAssembler, LineParser, hexChar, hexDigit, readHex } from "../modules/can/lines.js";

const bytes = (text: string) => new TextEncoder().encode(text);
const text = (assembler: LineAssembler) => new TextDecoder().decode(assembler.buffer.subarray(0, assembler.length));

describe("line assembler", () => {
	test("capacity-is-an-integer-from-1-to-65536", () => {
		for (const bad of [0, -1, 1.5, 65537, NaN])
			expect(() => new LineAssembler(bad), String(bad)).toThrow(new RangeError(`LineAssembler capacity must be an integer from 1 to 65536, not ${bad}`));
		expect(new LineAssembler(1).buffer.length).toBe(1);
		expect(new LineAssembler(65536).buffer.length).toBe(65536);
	});

	test("a-crlf-cut-between-cr-and-lf-ends-one-line", () => {
		const lines = new LineAssembler(16);
		let i = lines.take(bytes("ab\r"), 0, 3);
		expect([i, lines.ready, text(lines), lines.terminator, lines.afterCR]).toEqual([3, true, "ab", CR, true]);
		const next = bytes("\ncd\n");
		i = lines.take(next, 0, next.length);
		// The LF belongs to the CR before it: the next line is "cd", not an empty one.
		expect([i, lines.ready, text(lines), lines.terminator, lines.afterCR]).toEqual([4, true, "cd", LF, false]);
	});

	test("an-lf-after-a-line-that-ended-with-lf-is-an-empty-line", () => {
		const lines = new LineAssembler(16), input = bytes("ab\n\n");
		let i = lines.take(input, 0, input.length);
		expect(text(lines)).toBe("ab");
		i = lines.take(input, i, input.length);
		expect([i, lines.ready, lines.length]).toEqual([4, true, 0]);
	});

	test("a-take-of-nothing-keeps-the-pending-cr", () => {
		const lines = new LineAssembler(16);
		lines.take(bytes("ab\r"), 0, 3);
		expect(lines.take(bytes(""), 0, 0)).toBe(0);
		expect(lines.afterCR).toBe(true);
	});

	test("the-extra-terminator-ends-a-line-and-others-do-not", () => {
		const lines = new LineAssembler(16, BEL), input = bytes("ab\x07cd");
		expect(lines.take(input, 0, input.length)).toBe(3);
		expect([text(lines), lines.terminator]).toEqual(["ab", BEL]);
		const plain = new LineAssembler(16);
		expect(plain.take(input, 0, input.length)).toBe(5);
		expect(plain.ready).toBe(false);
	});

	test("a-line-longer-than-the-buffer-is-cut-and-marked-one-as-long-is-not", () => {
		const lines = new LineAssembler(3);
		lines.take(bytes("abcd\n"), 0, 5);
		expect([text(lines), lines.overlong]).toEqual(["abc", true]);
		lines.take(bytes("xyz\n"), 0, 4);
		expect([text(lines), lines.overlong]).toEqual(["xyz", false]);
	});

	test("flush-makes-a-pending-line-ready-with-terminator-0", () => {
		const lines = new LineAssembler(4);
		lines.take(bytes("ab"), 0, 2);
		expect(lines.flush()).toBe(true);
		expect([text(lines), lines.terminator]).toEqual(["ab", 0]);
		// The ready line is then forgotten: nothing more is pending.
		expect(lines.flush()).toBe(false);
		expect(lines.ready).toBe(false);
		// An overlong line with its bytes is pending too, and flush forgets a CR's pending LF.
		lines.take(bytes("abcdef"), 0, 6);
		expect(lines.flush()).toBe(true);
		expect(lines.overlong).toBe(true);
		lines.take(bytes("x\r"), 0, 2);
		lines.flush();
		expect(lines.afterCR).toBe(false);
	});

	test("line-end-finds-the-first-terminator-or-the-end", () => {
		const lines = new LineAssembler(4, BEL), input = bytes("ab\x07c\rd\n");
		expect(lines.lineEnd(input, 0, input.length)).toBe(2);
		expect(lines.lineEnd(input, 3, input.length)).toBe(4);
		expect(lines.lineEnd(input, 5, input.length)).toBe(6);
		expect(lines.lineEnd(input, 0, 2)).toBe(2);
		expect(new LineAssembler(4).lineEnd(input, 0, 4)).toBe(4);
	});

	test("hold-keeps-what-fits-and-says-whether-that-was-all", () => {
		const lines = new LineAssembler(3), input = bytes("abcdef\nxyz\n");
		lines.hold(input, 0, 6);
		expect([text(lines), lines.overlong, lines.ready, lines.terminator]).toEqual(["abc", true, true, LF]);
		lines.clear();
		lines.hold(input, 7, 10);
		expect([text(lines), lines.overlong, lines.ready]).toEqual(["xyz", false, true]);
		// Nothing past the line is copied.
		const short = new LineAssembler(4);
		short.hold(bytes("ab\ncd"), 0, 2);
		expect(Array.from(short.buffer)).toEqual([0x61, 0x62, 0, 0]);
	});

	test("append-continues-a-partial-line-and-marks-what-does-not-fit", () => {
		const lines = new LineAssembler(4);
		lines.append(bytes("ab"), 0, 2);
		lines.append(bytes("cd"), 0, 2);
		expect([text(lines), lines.overlong]).toEqual(["abcd", false]);
		lines.append(bytes("e"), 0, 1);
		expect([text(lines), lines.overlong]).toEqual(["abcd", true]);
		// After a ready line, append starts a new one.
		const next = new LineAssembler(4);
		next.take(bytes("xy\n"), 0, 3);
		next.append(bytes("abcdef"), 2, 5);
		expect([text(next), next.overlong, next.ready]).toEqual(["cde", false, false]);
	});

	test("clear-and-reset-forget-the-line", () => {
		const lines = new LineAssembler(4);
		lines.take(bytes("abcdef\r"), 0, 7);
		lines.clear();
		expect([lines.ready, lines.length, lines.overlong, lines.terminator, lines.afterCR]).toEqual([false, 0, false, 0, true]);
		lines.reset();
		expect(lines.afterCR).toBe(false);
	});
});

describe("hex digits", () => {
	test("exactly-0-9-a-f-and-A-F-are-hex-digits", () => {
		const digits = "0123456789abcdef";
		for (let c = 0; c < 256; c++) {
			const char = String.fromCharCode(c).toLowerCase();
			const expected = c < 128 && digits.includes(char) && char.length === 1 ? digits.indexOf(char) : -1;
			expect(hexDigit(c), `byte ${c}`).toBe(expected);
			expect(HEX_DIGIT_VALUES[c], `table byte ${c}`).toBe(expected);
		}
		expect(HEX_DIGIT_VALUES.length).toBe(256);
	});

	test("read-hex-and-hex-char", () => {
		expect(readHex(bytes("FFFFFFFF"), 0, 8)).toBe(0xFFFFFFFF);
		expect(readHex(bytes("x1aG"), 1, 2)).toBe(0x1A);
		expect(readHex(bytes("1G"), 0, 2)).toBe(-1);
		expect([0, 9, 10, 15].map(hexChar)).toEqual([0x30, 0x39, 0x41, 0x46]);
	});
});

/** A LineParser that records its lines, as the SLCAN and candump parsers see them. */
class Recorder extends LineParser {
	readonly lines: string[] = [];
	constructor(capacity = 8, extra = -1) {
		super(new LineAssembler(capacity, extra), "test");
	}
	protected line(): void {
		const a = this.assembler;
		this.lines.push(new TextDecoder().decode(a.buffer.subarray(0, a.length)) + (a.overlong ? "+" : ""));
		this.frames++;
	}
}

describe("line parser feed loop", () => {
	test("a-range-outside-the-buffer-is-a-caller-bug", () => {
		const parser = new Recorder(), input = bytes("ab\n");
		for (const [offset, length] of [[-1, 1], [0, 4], [2, 2], [0, -1]])
			expect(() => parser.feed(input, offset, length), `${offset},${length}`).toThrow(new RangeError("test feed range outside the buffer"));
		expect(parser.feed(input, 3, 0)).toBe(0);
		expect(parser.feed(input, 0, 3)).toBe(1);
	});

	test("every-way-of-cutting-a-stream-gives-the-same-lines", () => {
		const input = bytes("ab\r\ncd\n\rlonger-than-8\re\x07f\r\n\r");
		const whole = new Recorder(8, BEL);
		whole.feed(input);
		whole.finish();
		expect(whole.lines).toEqual(["ab", "cd", "", "longer-t+", "e", "f", ""]);
		for (let cut = 0; cut <= input.length; cut++)
			for (let cut2 = cut; cut2 <= input.length; cut2++) {
				const parser = new Recorder(8, BEL);
				parser.feed(input, 0, cut);
				parser.feed(input, cut, cut2 - cut);
				parser.feed(input, cut2, input.length - cut2);
				parser.finish();
				expect(parser.lines, `cut at ${cut} and ${cut2}`).toEqual(whole.lines);
			}
	});

	test("feed-returns-the-frames-of-this-chunk-and-finish-the-last-line", () => {
		const parser = new Recorder();
		expect(parser.feed(bytes("ab\ncd"))).toBe(1);
		expect(parser.feed(bytes("e\nf"))).toBe(1);
		expect(parser.finish()).toBe(1);
		expect(parser.lines).toEqual(["ab", "cde", "f"]);
		expect(parser.finish()).toBe(0);
	});
});
