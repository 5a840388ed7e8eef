/*
 * The decode plan as read on the device (modules/signals/plan.ts): a blob
 * that is not a plan of this version is refused with a PlanFormatError that
 * says why; ids are found for standard and extended messages and nothing
 * else; names, units and value-table names are read back for the right
 * message and signal, never a neighbour's; UTF-8 strings of every length
 * read back whole. The rules mutation testing (npm run mutate) found
 * unguarded. Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { compilePlan } from "../modules/dbc/compile.js";
import { DecodePlan, HEADER_WORDS, Header, PLAN_VERSION, PlanFormatError } from "../modules/signals/plan.js";
import { database, message, signal } from "./support/dbc-builder.js";

/** Two standard messages (the first without id 0) and two extended ones, with units and value tables. */
function blob(): ArrayBuffer {
	return compilePlan(database([
		message({ id: 0x100, name: "First", signals: [
			signal({ name: "Gear", startBit: 0, length: 4, unit: "°", choices: new Map([[1, "One"], [2, "Two"]]) }),
			signal({ name: "Mode", startBit: 8, length: 4, unit: "€/km", choices: new Map([[3, "Eco"]]) }),
		] }),
		message({ id: 0x7FF, name: "Last", signals: [
			signal({ name: "Heat", startBit: 0, length: 8, unit: "ࠀ-ऄ", choices: new Map([[4, "Hot"]]) }),
		] }),
		message({ id: 0x18FEF100, extended: true, name: "Ext", signals: [signal({ name: "Face", startBit: 0, length: 8, unit: "😀" })] }),
		message({ id: 0x7FF, extended: true, name: "ExtLow", signals: [signal({ name: "Low", startBit: 0, length: 8 })] }),
	])).buffer;
}

function refusal(buffer: ArrayBuffer): PlanFormatError {
	try {
		new DecodePlan(buffer);
	}
	catch (error) {
		return error as PlanFormatError;
	}
	throw new Error("the plan was accepted");
}

describe("decode plan blob checks", () => {
	test("a-blob-shorter-than-a-header-is-refused-saying-so", () => {
		const error = refusal(new ArrayBuffer(HEADER_WORDS * 4 - 4));
		expect(error).toBeInstanceOf(PlanFormatError);
		expect(error.name).toBe("PlanFormatError");
		expect(error.message).toBe("decode plan: too short for a header");
	});

	test("a-header-sized-blob-of-zeros-is-read-as-a-header-and-refused-for-its-magic", () => {
		expect(refusal(new ArrayBuffer(HEADER_WORDS * 4)).message).toBe("decode plan: bad magic (not a compiled xs-cluster plan)");
	});

	test("another-version-is-refused-naming-both", () => {
		const buffer = blob();
		new Uint32Array(buffer)[Header.version] = PLAN_VERSION + 1;
		expect(refusal(buffer).message).toBe(`decode plan: version ${PLAN_VERSION + 1}, this build reads ${PLAN_VERSION}`);
	});

	test("a-blob-whose-size-is-not-the-headers-is-refused-naming-both", () => {
		const good = blob(), longer = new ArrayBuffer(good.byteLength + 8);
		new Uint8Array(longer).set(new Uint8Array(good));
		expect(refusal(longer).message).toBe(`decode plan: ${good.byteLength + 8} bytes, header says ${good.byteLength}`);
	});
});

describe("decode plan lookups", () => {
	const plan = new DecodePlan(blob());
	const first = plan.findMessageByName("First"), last = plan.findMessageByName("Last");
	const ext = plan.findMessageByName("Ext"), extLow = plan.findMessageByName("ExtLow");

	test("standard-ids-up-to-0x7FF-are-found-and-nothing-else", () => {
		expect(plan.findMessage(0x100, false)).toBe(first);
		expect(plan.findMessage(0x7FF, false)).toBe(last);
		// No message has id 0 (the table's slot past the last message must not claim one).
		expect(plan.findMessage(0, false)).toBe(-1);
		expect(plan.findMessage(0x101, false)).toBe(-1);
		// Above 11 bits a standard id is no message, even one an extended message has.
		expect(plan.findMessage(0x800, false)).toBe(-1);
		expect(plan.findMessage(0x18FEF100, false)).toBe(-1);
	});

	test("extended-ids-are-their-own-namespace", () => {
		expect(plan.findMessage(0x18FEF100, true)).toBe(ext);
		expect(plan.findMessage(0x7FF, true)).toBe(extLow);
		expect(plan.findMessage(0x100, true)).toBe(-1);
		expect([first, last, ext, extLow].sort()).toEqual([0, 1, 2, 3]);
	});

	test("metadata-of-every-message-is-its-own", () => {
		expect([first, last, ext, extLow].map(m => plan.messageExtended(m))).toEqual([false, false, true, true]);
		expect([first, last, ext, extLow].map(m => plan.messageId(m))).toEqual([0x100, 0x7FF, 0x18FEF100, 0x7FF]);
		expect([first, last, ext, extLow].map(m => plan.messageName(m))).toEqual(["First", "Last", "Ext", "ExtLow"]);
	});

	test("names-are-found-in-their-own-message-only", () => {
		expect(plan.signalName(plan.findSignal(first, "Mode"))).toBe("Mode");
		// "Heat" is the next message's first signal, right after First's last one.
		expect(plan.findSignal(first, "Heat")).toBe(-1);
		expect(plan.signalMessage(plan.findSignal(last, "Heat"))).toBe(last);
		// A name no message has, not even the empty one past the last message.
		expect(plan.findMessageByName("")).toBe(-1);
		expect(plan.findMessageByName("Nothing")).toBe(-1);
	});

	test("units-and-value-table-names-are-the-signals-own", () => {
		const gear = plan.findSignal(first, "Gear"), mode = plan.findSignal(first, "Mode"), heat = plan.findSignal(last, "Heat");
		expect([gear, mode, heat].map(s => plan.signalUnit(s))).toEqual(["°", "€/km", "ࠀ-ऄ"]);
		expect(plan.choiceName(gear, 2)).toBe("Two");
		expect(plan.choiceName(mode, 3)).toBe("Eco");
		expect(plan.choiceName(heat, 4)).toBe("Hot");
		// Value 3 is Mode's, the next signal's: not Gear's.
		expect(plan.choiceName(gear, 3)).toBeUndefined();
		expect(plan.choiceName(mode, 4)).toBeUndefined();
	});

	test("utf8-strings-of-one-to-four-bytes-a-character-read-back-whole", () => {
		// ° (2 bytes), € (3, lead 0xE2), U+0800 and U+0904 (3, lead 0xE0), 😀 (4).
		expect(plan.signalUnit(plan.findSignal(ext, "Face"))).toBe("😀");
		expect(plan.signalUnit(plan.findSignal(last, "Heat"))).toBe("ࠀ-ऄ");
	});

	test("a-string-offset-at-the-end-of-the-strings-reads-as-empty", () => {
		const stringBytes = new Uint32Array(blob(), 0, HEADER_WORDS)[Header.stringBytes];
		expect(plan.string(stringBytes)).toBe("");
	});
});
