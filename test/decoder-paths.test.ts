/*
 * The decoder's fast paths (modules/signals/decoder.ts), which its header
 * promises and mutation testing (npm run mutate) found unguarded, since a
 * slower reader gives the same value: each signal gets the cheapest reader
 * for its layout (a byte, a field inside one byte, byte-aligned 16 bits of
 * either order, up to 4 bytes gathered in a loop, and the general reader
 * only for floats and fields over 32 bits or 4 bytes), a message without
 * multiplexed signals is "plain" (filled for its whole span at once), and
 * the edges of each reader read right: 32-bit fields, 4-byte spans, short
 * frames. The kind numbers are the op word's bits 0-2 as the header lists
 * them. Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { database, message, motorolaStartBit, signal } from "./support/dbc-builder.js";

const BYTE = 0, IN_BYTE = 1, LE16 = 2, BE16 = 3, LE = 4, BE = 5, WIDE = 6;
const PLAIN = 1 << 28, SPAN_WIDE = 1 << 29;

const be = (msb: number, length: number, more = {}) => signal({ name: `BE${msb}_${length}`, startBit: motorolaStartBit(msb), length, byteOrder: "big_endian", ...more });

function decoderOf(...messages: ReturnType<typeof message>[]) {
	const decoder = new Decoder(new DecodePlan(compilePlan(database(messages)).buffer));
	const internals = decoder as unknown as { ops: Int32Array; spans: Int32Array };
	return { decoder, kinds: Array.from(internals.ops, op => op & 7), signed: Array.from(internals.ops, op => (op >> 22) & 1), spans: internals.spans };
}

function decode(decoder: Decoder, id: number, data: number[], dlc = data.length) {
	const frame = new CanFrame();
	frame.id = id;
	frame.dlc = dlc;
	frame.data.set(data);
	frame.timestamp = 1000;
	return decoder.decode(frame);
}

describe("decoder fast paths", () => {
	test("each-signal-gets-the-cheapest-reader-for-its-layout", () => {
		const { kinds, signed } = decoderOf(
			message({ id: 1, name: "Intel", signals: [
				signal({ name: "Byte", startBit: 0, length: 8 }),
				signal({ name: "Nibble", startBit: 12, length: 4 }),
				signal({ name: "Word", startBit: 16, length: 16, signed: true }),
				signal({ name: "Twelve", startBit: 32, length: 12 }),
				signal({ name: "Long", startBit: 44, length: 20 }),
			] }),
			message({ id: 2, name: "Motorola", signals: [be(0, 16), be(16, 8), be(28, 12)] }),
			message({ id: 5, name: "Motorola32", signals: [be(8, 32)] }),
			message({ id: 3, name: "Wide", signals: [
				signal({ name: "F32", startBit: 0, length: 32, valueType: "float32" }),
				signal({ name: "U32", startBit: 32, length: 32 }),
			] }),
			message({ id: 4, name: "Wider", signals: [signal({ name: "U33", startBit: 0, length: 33 }), signal({ name: "Odd", startBit: 36, length: 28 })] }),
		);
		// Twelve (bits 32-43) spans 2 bytes, Long (44-63) 3, BE28_12 2, BE8_32 4, Odd (36-63) 4 bytes from bit 4: a 4-byte gather.
		expect(kinds).toEqual([BYTE, IN_BYTE, LE16, LE, LE, BE16, BYTE, BE, BE, WIDE, LE, WIDE, LE]);
		// Signed is the op's own only outside the general reader.
		expect(signed).toEqual([0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
	});

	test("a-message-is-plain-unless-it-has-a-multiplexed-signal-and-its-span-says-where-its-signals-end", () => {
		const { spans } = decoderOf(
			message({ id: 1, name: "Plain", length: 8, signals: [signal({ name: "A", startBit: 0, length: 8 }), signal({ name: "B", startBit: 16, length: 8 })] }),
			message({ id: 2, name: "Muxed", signals: [
				signal({ name: "Sel", startBit: 0, length: 8, isMultiplexer: true }),
				signal({ name: "M", startBit: 8, length: 8, multiplexerSignal: "Sel", multiplexerRanges: [[1, 1]] }),
			] }),
		);
		expect(spans[0] & PLAIN).toBe(PLAIN);
		expect((spans[0] >> 24) & 15).toBe(3); // B ends in byte 2
		expect([spans[0] & 0xFFFF, (spans[0] >> 16) & 0xFF]).toEqual([0, 2]);
		expect(spans[1] & PLAIN).toBe(0);
		expect(spans[1] & SPAN_WIDE).toBe(0);
	});

	test("a-message-with-more-than-255-signals-reads-its-range-from-the-plan", () => {
		const many = Array.from({ length: 256 }, (_, i) => signal({ name: `S${i}`, startBit: i % 64, length: 1 }));
		const { decoder, spans } = decoderOf(message({ id: 1, name: "Many", signals: many }), message({ id: 2, name: "After", signals: [signal({ name: "X", startBit: 0, length: 8 })] }));
		expect(spans[0] & SPAN_WIDE).toBe(SPAN_WIDE);
		expect(spans[1] & SPAN_WIDE).toBe(0);
		decode(decoder, 1, [0xFF, 0, 0, 0, 0, 0, 0, 0x80]);
		expect([0, 7, 8, 63, 64, 255].map(s => decoder.store.raw(s))).toEqual([1, 1, 0, 1, 1, 1]);
		decode(decoder, 2, [42]);
		expect(decoder.store.raw(256)).toBe(42);
		expect(decoder.present[255]).toBe(1);
	});

	test("32-bit-fields-of-either-order-read-whole", () => {
		const { decoder } = decoderOf(
			message({ id: 1, name: "M", signals: [signal({ name: "LE32", startBit: 0, length: 32 }), be(32, 32)] }),
			message({ id: 2, name: "F", signals: [signal({ name: "F32", startBit: 0, length: 32, valueType: "float32" })] }),
		);
		decode(decoder, 1, [0xFF, 0xFF, 0xFF, 0xFE, 0x80, 0, 0, 1]);
		expect(decoder.store.raw(0)).toBe(0xFEFFFFFF);
		expect(decoder.store.raw(1)).toBe(0x80000001);
		const single = new DataView(new ArrayBuffer(4));
		single.setFloat32(0, -1.5, true);
		decode(decoder, 2, Array.from(new Uint8Array(single.buffer)));
		expect(decoder.store.raw(2)).toBe(-1.5);
	});

	test("a-short-frame-leaves-out-exactly-the-signals-past-its-end", () => {
		const { decoder } = decoderOf(message({ id: 1, name: "M", length: 8, signals: [signal({ name: "A", startBit: 0, length: 8 }), signal({ name: "B", startBit: 8, length: 16 })] }));
		decode(decoder, 1, [1, 2, 3], 3);
		expect([decoder.present[0], decoder.present[1], decoder.short]).toEqual([1, 1, 0]);
		decode(decoder, 1, [4, 5], 2);
		expect([decoder.present[0], decoder.present[1], decoder.short]).toEqual([1, 0, 1]);
		expect(decoder.store.raw(0)).toBe(4);
		expect(decoder.store.raw(1)).toBe(0x0302); // kept from before
		expect(decoder.store.updates[1]).toBe(1);
	});
});

describe("decoder ids and counters", () => {
	test("standard-id-0x7FF-is-a-message-and-counters-reset-to-0", () => {
		const { decoder } = decoderOf(message({ id: 0x7FF, name: "Top", signals: [signal({ name: "A", startBit: 0, length: 8 })] }));
		expect(decode(decoder, 0x7FF, [9])).toBe(0);
		expect(decode(decoder, 0x7FE, [9])).toBe(-1);
		decode(decoder, 0x7FF, [9], 0);
		expect([decoder.decoded, decoder.unknown, decoder.short]).toEqual([2, 1, 1]);
		decoder.resetCounters();
		expect([decoder.decoded, decoder.unknown, decoder.ignored, decoder.short]).toEqual([0, 0, 0, 0]);
	});
});
