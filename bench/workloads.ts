/*
 * The hot-path workloads the bench times, written once and run unchanged on
 * Node and inside the XS worker.
 *
 * Each workload owns its ring, parser and decoder, built in the constructor
 * (which allocates), and has `run(passes)` and `empty(passes)`: the same loops,
 * with and without the work, so that the difference is the work alone. Both
 * return the number of frames a pass covers times `passes`. `run` must not
 * allocate: the bench checks it on XS by heap counts and by callgrind. Runs on
 * XS and Node.
 */
import { CandumpParser } from "../modules/can/candump.js";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { SlcanParser } from "../modules/can/slcan.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import type { FrameSource } from "./frames.js";

export interface Workload {
	run(passes: number): number;
	empty(passes: number): number;
}

/** One DBC's plan and frames of its messages. */
export interface DecodeGroup {
	plan: ArrayBufferLike;
	frames: FrameSource;
}

/**
 * Receive, queue, look up, decode: each frame is written into the ring from a
 * driver-like buffer (`pushFields`, what the TWAI driver's copy does), popped
 * into the pipeline's one CanFrame, and decoded into the store.
 */
export class DecodeWorkload implements Workload {
	private readonly ring = new FrameRing(256);
	private readonly frame = new CanFrame();
	private readonly decoders: Decoder[];
	private readonly sources: FrameSource[];

	/** Whether frames are decoded after the pop; without, the workload is receive and queue alone. */
	private readonly decoding: boolean;

	constructor(groups: ReadonlyArray<DecodeGroup>, decoding = true) {
		this.decoding = decoding;
		this.decoders = groups.map(group => new Decoder(new DecodePlan(group.plan)));
		this.sources = groups.map(group => group.frames);
	}

	get decoder(): ReadonlyArray<Decoder> {
		return this.decoders;
	}

	run(passes: number): number {
		const ring = this.ring, frame = this.frame, groups = this.decoders.length, decoding = this.decoding;
		let frames = 0, time = 0;
		for (let p = 0; p < passes; p++) {
			for (let g = 0; g < groups; g++) {
				const decoder = this.decoders[g], source = this.sources[g];
				const ids = source.ids, flags = source.flags, dlcs = source.dlcs, data = source.data, count = source.count;
				for (let k = 0; k < count; k++) {
					ring.pushFields(ids[k], flags[k], dlcs[k], data, k << 3, 8, time++);
					ring.pop(frame);
					if (decoding)
						decoder.decode(frame);
				}
				frames += count;
			}
		}
		return frames;
	}

	empty(passes: number): number {
		const groups = this.decoders.length;
		let frames = 0, time = 0;
		for (let p = 0; p < passes; p++) {
			for (let g = 0; g < groups; g++) {
				const source = this.sources[g];
				const count = source.count;
				for (let k = 0; k < count; k++)
					time++;
				frames += count;
			}
		}
		return frames + (time & 0);
	}
}

/** Bytes a serial port or socket hands over at a time. */
export const STREAM_CHUNK = 64;

/** Which byte-stream parser a StreamWorkload feeds. */
export const STREAM_CANDUMP = 0, STREAM_SLCAN = 1;

/**
 * Feeds all of `text` to `parser` and finishes, for the frames one pass
 * gives; then empties its ring and resets it, as new. For a stream
 * workload's constructor; allocates nothing itself.
 */
export function framesInOnePass(parser: { readonly ring: FrameRing; readonly frames: number; feed(bytes: Uint8Array): number; finish(): number; reset(): void }, text: Uint8Array): number {
	parser.feed(text);
	parser.finish();
	const frames = parser.frames;
	parser.ring.reset();
	parser.reset();
	return frames;
}

/**
 * A byte stream in, frames out: the candump or SLCAN parser fed STREAM_CHUNK
 * bytes at a time (a serial port's or a socket's read), the ring drained
 * after each chunk, and each frame decoded when a plan is given (unknown ids
 * are counted and dropped by the decoder's O(1) lookup).
 */
export class StreamWorkload implements Workload {
	private readonly ring = new FrameRing(256);
	private readonly frame = new CanFrame();
	private readonly parser: CandumpParser | SlcanParser;
	private readonly decoder: Decoder | null;
	private readonly text: Uint8Array;
	/** Frames in one pass over the text. */
	readonly frames: number;

	constructor(kind: number, text: Uint8Array, plan: ArrayBufferLike | null) {
		this.text = text;
		this.parser = kind === STREAM_SLCAN ? new SlcanParser(this.ring) : new CandumpParser(this.ring);
		this.decoder = plan ? new Decoder(new DecodePlan(plan)) : null;
		this.frames = framesInOnePass(this.parser, text);
	}

	run(passes: number): number {
		const ring = this.ring, frame = this.frame, parser = this.parser, decoder = this.decoder, text = this.text;
		const length = text.length;
		for (let p = 0; p < passes; p++) {
			for (let at = 0; at < length; at += STREAM_CHUNK) {
				parser.feed(text, at, length - at < STREAM_CHUNK ? length - at : STREAM_CHUNK);
				if (decoder) {
					while (ring.pop(frame))
						decoder.decode(frame);
				}
				else
					while (ring.pop(frame));
			}
			parser.finish();
			while (ring.pop(frame))
				if (decoder)
					decoder.decode(frame);
		}
		return passes * this.frames;
	}

	empty(passes: number): number {
		const length = this.text.length;
		let chunks = 0;
		for (let p = 0; p < passes; p++)
			for (let at = 0; at < length; at += STREAM_CHUNK)
				chunks++;
		return passes * this.frames + (chunks & 0);
	}
}

/** Operations whose cost on XS explains the workloads' (see PrimitiveWorkload). */
export const PRIMITIVES = ["localArithmetic", "propertyGet", "typedArrayRead", "typedArrayWrite", "methodCall", "typedArrayFill8"] as const;
export type Primitive = typeof PRIMITIVES[number];

/** Iterations in one pass of a PrimitiveWorkload. */
const PRIMITIVE_PASS = 1000;

/**
 * One JavaScript operation in a loop, to price the engine's building blocks:
 * the bench reports x86 instructions per operation (run minus the same empty
 * loop). Runs on XS and Node; no allocation.
 */
export class PrimitiveWorkload implements Workload {
	private readonly kind: Primitive;
	private readonly bytes = new Uint8Array(8);
	private readonly doubles = new Float64Array(8);
	private readonly target = { field: 3 };
	private sink = 0;

	constructor(kind: Primitive) {
		this.kind = kind;
	}

	private bump(v: number): number {
		return v + 1;
	}

	run(passes: number): number {
		const n = passes * PRIMITIVE_PASS, bytes = this.bytes, doubles = this.doubles, target = this.target;
		let x = 0;
		switch (this.kind) {
			case "localArithmetic":
				for (let i = 0; i < n; i++)
					x = (x + i) & 0xFF;
				break;
			case "propertyGet":
				for (let i = 0; i < n; i++)
					x = target.field;
				break;
			case "typedArrayRead":
				for (let i = 0; i < n; i++)
					x = bytes[5];
				break;
			case "typedArrayWrite":
				for (let i = 0; i < n; i++)
					doubles[5] = i;
				break;
			case "methodCall":
				for (let i = 0; i < n; i++)
					x = this.bump(i);
				break;
			case "typedArrayFill8":
				for (let i = 0; i < n; i++)
					doubles.fill(i);
				break;
		}
		this.sink = x;
		return n;
	}

	empty(passes: number): number {
		const n = passes * PRIMITIVE_PASS;
		let x = 0;
		for (let i = 0; i < n; i++)
			x = i;
		this.sink = x;
		return n;
	}
}
