/*
 * The native SLCAN parser (modules/can/native-slcan.ts, C in
 * modules/signals/native/slcan-engine.c) against SlcanParser, its
 * reference: one case format that the host C driver
 * (test/native/slcan-driver.c), the XS worker and Node all read, one
 * transcript all three write; and the bench's workload.
 *
 * A case, little-endian, each part padded to 8 bytes:
 *   u32 lineCapacity, ringCapacity, hasClock, chunks, bytes, 3 pad;
 *   f64 now[chunks] (the clock during each chunk); u32 length[chunks];
 *   u8 drain[chunks] (1: pop the ring after the chunk); u8 stream[bytes].
 * Transcript (doubles): per chunk the frames feed returned, the frames it
 * dropped, and when drained the frames popped, then each (id, flags, dlc,
 * data words lo and hi, timestamp); then the same for finish (always
 * drained); then frames, lines, ignored, unsupported, malformed, overlong,
 * adapterErrors, the ring's pushed and dropped.
 *
 * Runs on Node and XS; transcripts and cases allocate freely, the
 * workload's run does not.
 */
import { CanFrame } from "../../modules/can/frame.js";
import { NativeSlcanParser, type SlcanStreamParser } from "../../modules/can/native-slcan.js";
import { FrameRing } from "../../modules/can/ring.js";
import { SlcanParser } from "../../modules/can/slcan.js";
import { framesInOnePass, type Workload } from "../workloads.js";

const pad8 = (n: number) => (n + 7) & ~7;

export interface SlcanCase {
	lineCapacity: number;
	ringCapacity: number;
	hasClock: boolean;
	stream: Uint8Array;
	/** Chunk lengths, adding up to the stream's. */
	lengths: number[];
	/** The clock's time during each chunk. */
	nows: number[];
	/** Pop the ring after each chunk, or leave it to overflow. */
	drains: boolean[];
}

/** A case's bytes (format above). */
export function packSlcanCase(c: SlcanCase): Uint8Array {
	const n = c.lengths.length;
	const bytes = new Uint8Array(32 + n * 8 + pad8(n * 4) + pad8(n) + pad8(c.stream.length));
	const view = new DataView(bytes.buffer);
	[c.lineCapacity, c.ringCapacity, c.hasClock ? 1 : 0, n, c.stream.length].forEach((v, i) => view.setUint32(i * 4, v, true));
	let at = 32;
	c.nows.forEach((now, i) => view.setFloat64(at + i * 8, now, true));
	at += n * 8;
	c.lengths.forEach((length, i) => view.setUint32(at + i * 4, length, true));
	at += pad8(n * 4);
	c.drains.forEach((drain, i) => bytes[at + i] = drain ? 1 : 0);
	at += pad8(n);
	bytes.set(c.stream, at);
	return bytes;
}

/** Reads a case back (the XS side gets the bytes). */
export function unpackSlcanCase(bytes: Uint8Array): SlcanCase {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
	const n = view.getUint32(12, true), size = view.getUint32(16, true);
	const c: SlcanCase = { lineCapacity: view.getUint32(0, true), ringCapacity: view.getUint32(4, true), hasClock: view.getUint32(8, true) !== 0,
		stream: new Uint8Array(0), lengths: [], nows: [], drains: [] };
	let at = 32;
	for (let i = 0; i < n; i++)
		c.nows.push(view.getFloat64(at + i * 8, true));
	at += n * 8;
	for (let i = 0; i < n; i++)
		c.lengths.push(view.getUint32(at + i * 4, true));
	at += pad8(n * 4);
	for (let i = 0; i < n; i++)
		c.drains.push(bytes[at + i] !== 0);
	at += pad8(n);
	c.stream = bytes.slice(at, at + size);
	return c;
}

/** Bytes of a case in a buffer of several: its own length. */
export function slcanCaseBytes(bytes: Uint8Array, at: number): number {
	const view = new DataView(bytes.buffer, bytes.byteOffset + at);
	const n = view.getUint32(12, true), size = view.getUint32(16, true);
	return 32 + n * 8 + pad8(n * 4) + pad8(n) + pad8(size);
}

/** The transcript of a case through SlcanParser, or NativeSlcanParser with `native`. */
export function slcanTranscript(c: SlcanCase, native: boolean): Float64Array {
	const ring = new FrameRing(c.ringCapacity);
	let now = 0;
	const options = { clock: c.hasClock ? () => now : undefined, maxLineLength: c.lineCapacity };
	const parser: SlcanStreamParser = native ? new NativeSlcanParser(ring, options) : new SlcanParser(ring, options);
	const out: number[] = [];
	const frame = new CanFrame();
	const pop = () => {
		const words = new Uint32Array(2);
		out.push(ring.length);
		while (ring.pop(frame)) {
			words[0] = frame.data[0] | (frame.data[1] << 8) | (frame.data[2] << 16) | (frame.data[3] << 24);
			words[1] = frame.data[4] | (frame.data[5] << 8) | (frame.data[6] << 16) | (frame.data[7] << 24);
			out.push(frame.id, frame.flags, frame.dlc, words[0], words[1], frame.timestamp);
		}
	};
	let at = 0;
	for (let i = 0; i < c.lengths.length; i++) {
		now = c.nows[i];
		const dropped = ring.dropped;
		out.push(parser.feed(c.stream, at, c.lengths[i]), ring.dropped - dropped);
		at += c.lengths[i];
		if (c.drains[i])
			pop();
	}
	const dropped = ring.dropped;
	out.push(parser.finish(), ring.dropped - dropped);
	pop();
	out.push(parser.frames, parser.lines, parser.ignored, parser.unsupported, parser.malformed, parser.overlong, parser.adapterErrors, ring.pushed, ring.dropped);
	return Float64Array.from(out);
}

/** Each case of a buffer of several, transcribed, lengths first: [n, ...transcript] per case. */
export function slcanTranscripts(bytes: Uint8Array, native: boolean): Float64Array {
	const parts: Float64Array[] = [];
	let total = 0;
	for (let at = 0; at < bytes.length;) {
		const size = slcanCaseBytes(bytes, at);
		const t = slcanTranscript(unpackSlcanCase(bytes.subarray(at, at + size)), native);
		parts.push(Float64Array.of(t.length), t);
		total += t.length + 1;
		at += size;
	}
	const out = new Float64Array(total);
	let k = 0;
	for (const p of parts) {
		out.set(p, k);
		k += p.length;
	}
	return out;
}

/**
 * The bench's SLCAN receive: `text` fed `chunk` bytes at a time (a serial
 * port's read) to NativeSlcanParser (or SlcanParser without `native`):
 * parse and queue. The ring is not popped in TypeScript (the device drains
 * it with NativeDecoder.pump, in C); once full it drops its oldest, counted,
 * which costs the C side nothing more. Allocates in the constructor only.
 */
export class SlcanReceiveWorkload implements Workload {
	private readonly ring = new FrameRing(256);
	private readonly parser: SlcanStreamParser;
	private readonly text: Uint8Array;
	private readonly chunk: number;
	/** Frames in one pass over the text. */
	readonly frames: number;

	constructor(text: Uint8Array, chunk: number, native: boolean) {
		this.text = text;
		this.chunk = chunk;
		this.parser = native ? new NativeSlcanParser(this.ring) : new SlcanParser(this.ring);
		this.frames = framesInOnePass(this.parser, text);
	}

	run(passes: number): number {
		const parser = this.parser, text = this.text, chunk = this.chunk;
		const length = text.length;
		for (let p = 0; p < passes; p++) {
			for (let at = 0; at < length; at += chunk)
				parser.feed(text, at, length - at < chunk ? length - at : chunk);
			parser.finish();
		}
		return passes * this.frames;
	}

	empty(passes: number): number {
		const length = this.text.length, chunk = this.chunk;
		let chunks = 0;
		for (let p = 0; p < passes; p++)
			for (let at = 0; at < length; at += chunk)
				chunks++;
		return passes * this.frames + (chunks & 0);
	}
}
