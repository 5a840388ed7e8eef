/*
 * ByteOutput (tools/byte-output.ts), the writer decode formats its records
 * with: a number written digit by digit must be exactly what JavaScript (and
 * so JSON) writes for it, the shortest form that reads back as the same
 * double, for every kind of value a DBC's scale and offset make; a time must
 * be candump's seconds with six fraction digits; what is gathered reaches the
 * sink whole, in order, and a buffer used again never changes bytes already
 * handed over. Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { ByteOutput, NUMBER_BYTES, SECONDS_BYTES, encodeText, formatSeconds } from "../tools/byte-output.js";
import { FUZZ_TIMEOUT_MS, fuzzCases } from "./support/fuzz.js";

/** What `write` puts into a ByteOutput, as text. */
function written(write: (out: ByteOutput) => void): string {
	const chunks: string[] = [];
	const out = new ByteOutput(bytes => { chunks.push(new TextDecoder().decode(bytes)); });
	write(out);
	out.flush();
	return chunks.join("");
}

const number = (value: number) => written(out => {
	out.reserve(NUMBER_BYTES);
	out.number(value);
});

describe("numbers as JavaScript writes them", () => {
	test("integers-small-large-negative-and-zero", () => {
		for (const value of [0, -0, 1, 9, 10, 99, 100, 255, 65535, -1, -128, 2 ** 31 - 1, 2 ** 31, 2 ** 32, 4294967295, 1e15, 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 53, 2 ** 60, 1e21, -1e21, 1.7976931348623157e308])
			expect(number(value), String(value)).toBe(String(value));
	});

	test("unsigned-raw-values-are-written-as-numbers-are", () => {
		// decode writes an unscaled unsigned signal from its raw word: the same digits number() writes.
		const unsigned = (value: number) => written(out => {
			out.reserve(NUMBER_BYTES);
			out.unsigned(value);
		});
		for (const value of [0, 1, 9, 10, 11, 99, 100, 255, 1000, 65535, 999999, 2 ** 31 - 1, 2 ** 31, 4294967295, 2 ** 53 - 1])
			expect(unsigned(value), String(value)).toBe(number(value));
	});

	test("overwrite-puts-bytes-back-over-what-was-written", () => {
		expect(written(out => {
			out.reserve(16);
			out.ascii("a, b");
			out.overwrite(1, encodeText(" {"));
		})).toBe("a {b");
	});

	test("fractions-with-few-digits-and-the-ones-that-need-all-seventeen", () => {
		for (const value of [0.5, 0.792, 11.4, -0.25, 0.000001, 0.0000015, 1e-7, 2.410000000000001, 11.200000000000001, 0.1 + 0.2, 1 / 3, 999999999.5, 1e9 + 0.5, 123456.789012, Math.PI, Number.MIN_VALUE, -Number.EPSILON])
			expect(number(value), String(value)).toBe(String(value));
	});

	test("every-value-a-dbc-scale-and-offset-make-reads-the-same-as-json", () => {
		// The way a decoder makes values: raw * factor + offset, with the factors and offsets DBC files use.
		const factors = [1, 0.1, 0.01, 0.001, 0.0001, 0.5, 0.25, 0.125, 0.0625, 0.03125, 0.015625, 0.05, 0.02, 0.005, 0.04, 0.3, 0.00390625, 1 / 3, 0.0078125, 0.001953125, 10, 0.2, 1e-5, 1e-6];
		const offsets = [0, -40, -273.15, 0.5, -1000, -32768, 100, -0.5, -1600];
		fuzzCases(0xB17E, 200, random => {
			const factor = factors[Math.floor(random() * factors.length)], offset = offsets[Math.floor(random() * offsets.length)];
			const bits = 1 + Math.floor(random() * 32);
			for (let k = 0; k < 500; k++) {
				let raw = Math.floor(random() * 2 ** bits);
				if (random() < 0.3)
					raw -= 2 ** (bits - 1); // signed
				const value = raw * factor + offset;
				expect(number(value), `${raw} * ${factor} + ${offset}`).toBe(String(value));
			}
		});
	}, FUZZ_TIMEOUT_MS);

	test("any-double-reads-the-same-as-json", () => {
		const words = new Uint32Array(2), double = new Float64Array(words.buffer);
		fuzzCases(0xD0B1E, 100, random => {
			for (let k = 0; k < 500; k++) {
				words[0] = random() * 2 ** 32;
				words[1] = random() * 2 ** 32;
				const value = double[0];
				if (Number.isFinite(value))
					expect(number(value), String(value)).toBe(String(value));
			}
		});
	}, FUZZ_TIMEOUT_MS);
});

describe("times", () => {
	test("seconds-with-six-fraction-digits-as-candump-writes-them", () => {
		for (const ms of [0, 0.001, 1, 999.999, 1000, 1_700_000_000_000, 1_700_000_000_123.456, 1579857014345.944, 4_102_444_800_000.5, 1e15])
			expect(written(out => {
				out.reserve(SECONDS_BYTES);
				out.seconds({ timestamp: ms });
			}), String(ms)).toBe(formatSeconds(ms));
		expect(formatSeconds(1579857014345.944)).toBe("1579857014.345944");
		expect(formatSeconds(1_700_000_000_000)).toBe("1700000000.000000");
	});
});

describe("times in a row", () => {
	test("frames-of-one-second-and-the-next-as-candump-writes-them", () => {
		// The whole seconds' digits are copied while they last: a run of times within a second,
		// across seconds, across a change in the number of digits, and back.
		const times = [1_700_000_000_000, 1_700_000_000_001.5, 1_700_000_000_999.999, 1_700_000_001_000, 1_700_000_001_000.25,
			9_999_999_999_999, 10_000_000_000_000.5, 10_000_000_000_001, 1_700_000_000_000, 0, 0.001, 999.999, 1000, 1000.5];
		expect(written(out => {
			for (const ms of times) {
				out.reserve(SECONDS_BYTES + 1);
				out.seconds({ timestamp: ms });
				out.byte(0x20);
			}
		})).toBe(times.map(ms => formatSeconds(ms) + " ").join(""));
	});
});

describe("buffering", () => {
	test("bytes-reach-the-sink-whole-and-in-order-and-are-never-changed-after", () => {
		const received: Uint8Array[] = [];
		// The sink keeps a copy, as its contract asks of a sink that keeps bytes.
		const out = new ByteOutput(bytes => { received.push(bytes.slice()); }, 16);
		const parts = ["abc", "defghij", "klmnopqrstu", "v", "wxyz0123456789", "!"].map(encodeText);
		const kept = parts.map(part => out.keep(part));
		parts.forEach((part, k) => {
			out.reserve(part.length);
			out.part(kept[k]);
		});
		out.flush();
		expect(received.every(chunk => chunk.length <= 16)).toBe(true);
		expect(new TextDecoder().decode(Buffer.concat(received))).toBe("abcdefghijklmnopqrstuvwxyz0123456789!");
	});

	test("a-part-longer-than-the-buffer-grows-it", () => {
		const long = encodeText("x".repeat(100));
		expect(written(out => {
			out.reserve(4);
			out.ascii("ab");
			const kept = out.keep(long);
			out.reserve(long.length);
			out.part(kept);
		})).toBe("ab" + "x".repeat(100));
	});

	test("kept-parts-are-written-as-kept-through-growth-and-a-longer-buffer", () => {
		// Parts live in the output's WebAssembly memory behind the buffer: growing it past its
		// first pages (many parts), or making the buffer longer for a long record, must keep them.
		const received: Uint8Array[] = [];
		const out = new ByteOutput(bytes => { received.push(bytes.slice()); }, 64);
		const texts = Array.from({ length: 5000 }, (_, k) => `, "Signal_${k}": `);
		const kept = texts.map(text => out.keep(encodeText(text)));
		let expected = "";
		for (let k = 0; k < texts.length; k += 997) {
			out.reserve(NUMBER_BYTES + 20);
			out.part(kept[k]);
			out.number(k);
			expected += texts[k] + k;
		}
		const long = "y".repeat(300);
		out.reserve(long.length + 40); // longer than the buffer: it moves the parts
		out.ascii(long);
		out.part(kept[4999]);
		out.part(kept[0]);
		expected += long + texts[4999] + texts[0];
		out.reserve(NUMBER_BYTES + 20);
		out.part(kept[1234]);
		out.unsigned(7);
		expected += texts[1234] + "7";
		out.flush();
		expect(new TextDecoder().decode(Buffer.concat(received))).toBe(expected);
	});

	test("rewind-takes-back-what-was-written-since", () => {
		expect(written(out => {
			out.reserve(20);
			out.ascii("kept ");
			const at = out.position;
			out.ascii("taken back");
			out.rewind(at);
			out.ascii("end");
		})).toBe("kept end");
	});

	test("settled-hands-over-a-slow-sinks-promise-once", async () => {
		let release = () => {};
		const out = new ByteOutput(() => new Promise<void>(resolve => { release = resolve; }));
		out.reserve(1);
		out.byte(0x41);
		expect(out.settled()).toBeUndefined();
		out.flush();
		const pending = out.settled();
		expect(pending).toBeInstanceOf(Promise);
		expect(out.settled()).toBeUndefined();
		release();
		await pending;
	});
});
