/*
 * The SLCAN and candump parsers each read a line two ways: a fast path
 * (`frameIn`) for the usual frame line, in place, and the general path
 * (`anyLine`) for everything else. Two rules, which mutation testing
 * (npm run mutate) found guarded only loosely:
 *  - a well-formed frame line always takes the fast path, whether it lies in
 *    one chunk or was cut across several (the device's speed depends on it);
 *  - the fast path never decides otherwise than the general one: on valid
 *    lines, on each way a line can be wrong, and on seeded random edits of
 *    valid lines, the frames (ids, flags, data, times) and every counter are
 *    the same with the fast path as with the general path alone.
 * Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { CandumpParser } from "../modules/can/candump.js";
import { FrameRing } from "../modules/can/ring.js";
import { SlcanParser } from "../modules/can/slcan.js";
import { bytes, drain } from "./support/frames.js";
import { seededRandom } from "./support/random.js";

type Parser = SlcanParser | CandumpParser;
type Make = (ring: FrameRing, clock: () => number) => Parser;
/** The two paths, private in both parsers. */
type Paths = { anyLine(): void; frameIn(bytes: Uint8Array, start: number, end: number): number };
const paths = (parser: Parser) => parser as unknown as Paths;

const makeSlcan: Make = (ring, clock) => new SlcanParser(ring, { clock });
const makeCandump: Make = (ring, clock) => new CandumpParser(ring, { clock });

/** Counts the lines that reach the general path. */
function spyGeneral(parser: Parser): { count: number } {
	const spy = { count: 0 };
	const general = paths(parser).anyLine.bind(parser);
	paths(parser).anyLine = () => {
		spy.count++;
		general();
	};
	return spy;
}

/** Frames and counters from `text`, fed in one chunk, with the fast path or (general) without it. */
function run(make: Make, text: string, general: boolean) {
	const ring = new FrameRing(1024);
	let tick = 1000;
	const parser = make(ring, () => tick += 0.5);
	if (general)
		paths(parser).frameIn = () => -1;
	parser.feed(bytes(text));
	parser.finish();
	const { lines, frames, ignored, unsupported, malformed, overlong } = parser;
	const extra = parser instanceof SlcanParser ? { adapterErrors: parser.adapterErrors } : {};
	return { frames: drain(ring), counters: { lines, frames, ignored, unsupported, malformed, overlong, ...extra } };
}

const SLCAN_VALID = [
	"t1230", "t1232AABB", "t1a32aabb", "t7FF81122334455667788", "t0001FF", "t7FF0",
	"T1234567F8DEADBEEF01020304", "T1FFFFFFF0", "T000000001FF",
	"r1233", "r7FF8", "R0000ABCD0", "R1FFFFFFF8",
	"t1230EA5F", "t1231000000", "t7FF81122334455667788EA5F", "T1234567F1AB0001", "r1230ea5f",
];
const SLCAN_WRONG = [
	"tFFF0", "t8000", "T2000000000", "TFFFFFFFF0", "t12", "t123", "t123:", "t1239", "t123211", "t1232AABBC",
	"t1232AAXX", "t1232AABBCCDD", "t7FF811223344556677G8", "t7FF8112233445566778", "r1238AA", "t1230EA60",
	"t1230FFFF", "t1230123", "t12301234X", "t1230GGGG", "tG230", "T123456780", "x1230", "t1231AA\x07",
	"t1232AABB\x07", "", "z", "Z", "V1013", "t 230", "t12301", "t123012", "t1230123456",
];
const CANDUMP_VALID = [
	"(1700000000.000100) can0 123#1122334455667788", "(1.5) vcan0 7FF#", "can0 123#R", "123#11", "1234567F#00",
	"(0.000001) can0 1FFFFFFF#DEADBEEF", "(1700000000.010250) can0 0B4#27102706000005AB", "(12.000000) can1 123#R5",
	"(12.5) can1 20000004#0000080000000000", "(2.25) can0 123#11 T",
	"(2.25) can0 123#11 R", "can0 123#aabbcc",
];
const CANDUMP_WRONG = [
	// A raw DLC (_9) is read by the general path only.
	"(12.000000) can1 123#1122334455667788_9",
	"(1700000000.000100) can0 123#112233445566778899", "(1.5) vcan0 800#", "can0 12#11", "can0 1234#11", "123#1", "123#11G2",
	"(x) can0 123#11", "(1.5 can0 123#11", "1.5) can0 123#11", "can0 123##011", "can0 123##1112233", "can0 123#R9",
	"can0 123#Rx", "(1.5) can0 123#11 X", "can0 40000000#11", "can0 123#11_9", "can0 123#1122334455667788_G",
	"can0 123#1122334455667788_8", "can0 123", "# comment", "", "   ", "can0 123#11 T T", "(1.) can0 123#11",
	"(.5) can0 123#11", "can0  123#11", "\tcan0 123#11", "can0 123#11\t", "(1700000000.000100)  can0 123#11",
];

/** A valid line with a few random edits: replaced, inserted and deleted characters. */
function edit(random: () => number, line: string, alphabet: string): string {
	let text = line;
	const edits = 1 + Math.floor(random() * 3);
	for (let e = 0; e < edits; e++) {
		const at = Math.floor(random() * (text.length + 1)), c = alphabet[Math.floor(random() * alphabet.length)];
		const kind = random();
		text = kind < 0.4 ? text.slice(0, at) + c + text.slice(at + 1) : kind < 0.7 ? text.slice(0, at) + c + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
	}
	return text;
}

const cases: Array<[string, Make, string[], string[], string]> = [
	["slcan", makeSlcan, SLCAN_VALID, SLCAN_WRONG, "0123456789abcdefABCDEFGtTrR\x07 :"],
	["candump", makeCandump, CANDUMP_VALID, CANDUMP_WRONG, "0123456789abcdefABCDEFG#R_.() TXx\t"],
];

describe.each(cases)("%s fast and general paths", (_name, make, valid, wrong, alphabet) => {
	test("a-frame-line-takes-the-fast-path-in-one-chunk-or-cut-anywhere", () => {
		for (const terminator of ["\r", "\n", "\r\n"]) {
			const input = bytes(valid.join(terminator) + terminator);
			const whole = make(new FrameRing(256), () => 0), spy = spyGeneral(whole);
			whole.feed(input);
			expect(spy.count, JSON.stringify(terminator)).toBe(0);
			expect(whole.frames).toBe(valid.length);
			const cut = make(new FrameRing(256), () => 0), cutSpy = spyGeneral(cut);
			for (let i = 0; i < input.length; i++)
				cut.feed(input, i, 1);
			expect(cutSpy.count, `byte by byte, ${JSON.stringify(terminator)}`).toBe(0);
			expect(cut.frames).toBe(valid.length);
		}
	});

	test("each-valid-line-gives-the-same-frame-either-way", () => {
		for (const line of valid)
			for (const terminator of ["\r", "\n", ""])
				expect(run(make, line + terminator, false), JSON.stringify(line + terminator)).toEqual(run(make, line + terminator, true));
	});

	test("each-wrong-or-unusual-line-is-decided-the-same-either-way", () => {
		for (const line of wrong)
			for (const terminator of ["\r", "\n", ""]) {
				const text = line + terminator;
				expect(run(make, text, false), JSON.stringify(text)).toEqual(run(make, text, true));
				// After a good line too, so a fast path that misreads the next line's start shows.
				expect(run(make, valid[1] + "\r" + text + "\r" + valid[0], false), JSON.stringify(text)).toEqual(run(make, valid[1] + "\r" + text + "\r" + valid[0], true));
			}
	});

	test("seeded-random-edits-of-valid-lines-are-decided-the-same-either-way", () => {
		const random = seededRandom(0x5EED15);
		for (let round = 0; round < 400; round++) {
			const lines: string[] = [];
			for (let n = 0; n < 8; n++)
				lines.push(edit(random, valid[Math.floor(random() * valid.length)], alphabet));
			const text = lines.join(random() < 0.5 ? "\r" : "\n");
			expect(run(make, text, false), `round ${round}: ${JSON.stringify(text)}`).toEqual(run(make, text, true));
		}
	});
});
