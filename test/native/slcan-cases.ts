/*
 * Byte streams for holding the native SLCAN parser to SlcanParser
 * (test/native-slcan.test.ts on the host, test/native-slcan-xs.test.ts on
 * XS): random and adversarial lines in random chunkings, one byte a chunk,
 * split in two at every byte; clocks with long silences; rings that
 * overflow. Node only; allocates freely.
 */
import { CanFrame, FrameFlag } from "../../modules/can/frame.js";
import { encodeSlcanFrame } from "../../modules/can/slcan.js";
import type { SlcanCase } from "../../bench/xs/native-slcan.js";

function lcg(seed: number) {
	return () => {
		seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
		return seed / 4294967296;
	};
}

export const ascii = (text: string) => Uint8Array.from(text, c => c.charCodeAt(0));

/** One random line of SLCAN input, ended or not (the generator adds terminators). */
function randomPiece(random: () => number, raw: { value: number }): Uint8Array {
	const pick = random();
	const int = (n: number) => Math.floor(random() * n);
	if (pick < 0.55) {
		// A valid frame, sometimes with the adapter's timestamp, sometimes in lower case.
		const frame = new CanFrame();
		const kind = int(4);
		frame.flags = (kind & 1 ? FrameFlag.extended : 0) | (kind & 2 ? FrameFlag.remote : 0);
		frame.id = kind & 1 ? (random() < 0.1 ? 0x1FFFFFFF : int(0x20000000)) : (random() < 0.1 ? 0x7FF : int(0x800));
		frame.dlc = random() < 0.6 ? 8 : int(9);
		for (let i = 0; i < 8; i++)
			frame.data[i] = int(256);
		const out = new Uint8Array(40);
		const timestamp = random() < 0.5;
		if (timestamp) {
			// Forward steps, wraps, repeats; now and then a value at the edge.
			const step = random();
			raw.value = step < 0.1 ? 0xEA5F : step < 0.2 ? 0 : (raw.value + (step < 0.9 ? int(50) : int(60000))) % 60000;
			frame.timestamp = raw.value;
		}
		let n = encodeSlcanFrame(frame, out, 0, timestamp) - 1; // without its CR
		if (random() < 0.15)
			for (let i = 1; i < n; i++)
				if (out[i] >= 0x41 && out[i] <= 0x46 && random() < 0.5)
					out[i] |= 0x20;
		if (random() < 0.15) {
			// Broken: a byte changed, cut short or one too many; an id out of range; a DLC of 9; a timestamp past 0xEA5F.
			const how = int(6);
			if (how === 0)
				out[int(n)] = [0x47, 0x67, 0x20, 0x00, 0xFF, 0x39, 0x3A, 0x2F, 0x40][int(9)];
			else if (how === 1)
				n = int(n);
			else if (how === 2)
				out[n++] = 0x30 + int(10);
			else if (how === 3)
				return ascii(random() < 0.5 ? "t8000" : "T200000000");
			else if (how === 4)
				return ascii(random() < 0.5 ? "t1239" : "r7FF9");
			else
				return ascii(random() < 0.5 ? "t1230EA60" : "r1232FFFF");
		}
		return out.slice(0, n);
	}
	if (pick < 0.7)
		return ascii(["", "z", "Z", "V1013", "v0102", "N1234", "F00", "d12380011223344", "D1234567880011223344", "b1230", "B123456780"][int(11)]);
	if (pick < 0.8) {
		// Garbage: any bytes (terminators included).
		const bytes = new Uint8Array(1 + int(12));
		for (let i = 0; i < bytes.length; i++)
			bytes[i] = random() < 0.7 ? 0x20 + int(0x5F) : int(256);
		return bytes;
	}
	if (pick < 0.88) {
		// Over-long: a frame's start then more than any buffer holds (or just about a buffer's length).
		const length = random() < 0.5 ? 28 + int(16) : 40 + int(80);
		const bytes = new Uint8Array(length);
		bytes[0] = [0x74, 0x54, 0x72, 0x52, 0x7A, 0x41][int(6)];
		for (let i = 1; i < length; i++)
			bytes[i] = 0x30 + int(10);
		return bytes;
	}
	return ascii(["\x07", "t123\x07", "\x07\x07", "T1\x07", ""][int(5)]);
}

const TERMINATORS = ["\r", "\r", "\r", "\n", "\r\n", "\n\r", "\x07", "\r\r\n", ""].map(ascii);

/** A random stream of `pieces` lines. */
function randomStream(random: () => number, pieces: number): Uint8Array {
	const parts: number[] = [];
	const raw = { value: Math.floor(random() * 60000) };
	for (let k = 0; k < pieces; k++) {
		parts.push(...randomPiece(random, raw));
		parts.push(...TERMINATORS[Math.floor(random() * TERMINATORS.length)]);
	}
	return Uint8Array.from(parts);
}

/** Chunk lengths: at random, 1 to `max` bytes each. */
function randomChunks(random: () => number, total: number, max: number): number[] {
	const lengths: number[] = [];
	for (let left = total; left > 0;) {
		const n = Math.min(left, random() < 0.05 ? 0 : 1 + Math.floor(random() * max));
		lengths.push(n);
		left -= n;
	}
	return lengths;
}

/** Clock readings for `n` chunks: steps of milliseconds, now and then a long silence or a fraction. */
function randomNows(random: () => number, n: number): number[] {
	let now = 1e6 + Math.floor(random() * 1e6);
	return Array.from({ length: n }, () => {
		const step = random();
		now += step < 0.8 ? Math.floor(random() * 40) : step < 0.9 ? 60000 * (1 + Math.floor(random() * 5)) + Math.floor(random() * 40000) : step < 0.95 ? random() * 3 : 29999 + random() * 2;
		return now;
	});
}

function makeCase(random: () => number, stream: Uint8Array, lengths: number[]): SlcanCase {
	const hasClock = random() < 0.6;
	return {
		lineCapacity: [30, 40, 40, 64][Math.floor(random() * 4)],
		ringCapacity: random() < 0.3 ? 4 : 64,
		hasClock,
		stream,
		lengths,
		nows: hasClock ? randomNows(random, lengths.length) : lengths.map(() => 0),
		drains: lengths.map(() => random() < 0.7),
	};
}

/** Every case: random streams in random chunks, one byte a chunk, and split in two at every byte. */
export function allCases(): SlcanCase[] {
	const random = lcg(0x51CA11);
	const cases: SlcanCase[] = [];
	for (let k = 0; k < 300; k++) {
		const stream = randomStream(random, 1 + Math.floor(random() * 60));
		cases.push(makeCase(random, stream, randomChunks(random, stream.length, [8, 64, 256][k % 3])));
	}
	for (let k = 0; k < 20; k++) {
		const stream = randomStream(random, 1 + Math.floor(random() * 20));
		cases.push(makeCase(random, stream, Array.from(stream, () => 1)));
	}
	for (let k = 0; k < 6; k++) {
		const stream = randomStream(random, 4);
		for (let split = 0; split <= stream.length; split++)
			cases.push(makeCase(random, stream, [split, stream.length - split]));
	}
	// Long silences with a clock: the wraps the raw values cannot show.
	const quiet = ascii("t1238000000000000000001\rt1238000000000000000002\rT0000000181122334455667788EA5F\rr12380000\r");
	cases.push({ lineCapacity: 40, ringCapacity: 64, hasClock: true, stream: quiet, lengths: [24, 24, 31, 10], nows: [5e5, 5e5 + 125_000.4, 5e5 + 3_725_000, 5e5 + 3_725_000], drains: [true, false, true, true] });
	return cases;
}

