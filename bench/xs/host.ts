/*
 * The XS side of the bench and of the XS tests: an ES module the xsnap worker
 * loads (`m` command), which installs `handleCommand` to receive binary inputs
 * (plans, packed frames, log text) and a global `xs` object whose functions the
 * Node side calls with small `e` scripts.
 *
 * Runs only inside the xsnap worker (XS). Setup functions allocate; `run`,
 * `empty` and `measure` execute a workload's loop, which must not. `measure`
 * brackets the loop with two `performance.now()` calls: the bench runs the
 * worker under callgrind with `--dump-before=xs_performance_now`, so the dump
 * between them holds the loop's instructions and nothing else.
 */
import { decodeTranscript, parserTranscript, ringTranscript } from "../../test/support/xs-checks.js";
import { unpackFrames } from "../frames.js";
import { DecodeWorkload, StreamWorkload, PrimitiveWorkload, type Primitive, type Workload } from "../workloads.js";
import { HostCallWorkload, NativeDecodeWorkload, NativePipelineWorkload, nativeTranscript, pipelineTranscript } from "./native-workload.js";
import { SlcanReceiveWorkload, slcanTranscripts } from "./native-slcan.js";

/** What xsnap adds to the global object (see xsnap-worker.c). */
interface XsnapGlobal {
	handleCommand(message: ArrayBuffer): ArrayBuffer;
	gc(): void;
	print(...values: unknown[]): void;
	performance: { now(): number };
	TextEncoder: new () => { encode(text: string): Uint8Array };
	xs: unknown;
}
const host = globalThis as unknown as XsnapGlobal;

/** Inputs by name, each its own ArrayBuffer (so typed views over it are aligned). */
const inputs = new Map<string, ArrayBuffer>();
const workloads = new Map<string, Workload>();
let sentinel: WeakRef<object> | null = null;

/** Message: one byte of key length, the key (ASCII), the payload. */
host.handleCommand = (message: ArrayBuffer): ArrayBuffer => {
	const bytes = new Uint8Array(message);
	const keyLength = bytes[0];
	let key = "";
	for (let i = 0; i < keyLength; i++)
		key += String.fromCharCode(bytes[1 + i]);
	inputs.set(key, message.slice(1 + keyLength));
	return new ArrayBuffer(0);
};

function input(key: string): ArrayBuffer {
	const buffer = inputs.get(key);
	if (!buffer)
		throw new Error(`no input named ${key}`);
	return buffer;
}

function reply(value: unknown): ArrayBuffer {
	const encoded = new host.TextEncoder().encode(JSON.stringify(value));
	return encoded.buffer.slice(encoded.byteOffset, encoded.byteOffset + encoded.byteLength) as ArrayBuffer;
}

function workload(name: string): Workload {
	const found = workloads.get(name);
	if (!found)
		throw new Error(`no workload named ${name}`);
	return found;
}

host.xs = {
	/** A decode workload over [planKey, framesKey] groups. */
	decodeWorkload(name: string, groups: Array<[string, string]>, decoding = true): ArrayBuffer {
		const w = new DecodeWorkload(groups.map(([plan, frames]) => ({ plan: input(plan), frames: unpackFrames(new Uint8Array(input(frames))) })), decoding);
		workloads.set(name, w);
		return reply({ ok: true });
	},
	/** A byte-stream workload (kind: STREAM_CANDUMP or STREAM_SLCAN); frames are decoded with `planKey`'s plan when given. */
	streamWorkload(name: string, kind: number, textKey: string, planKey: string | null): ArrayBuffer {
		const w = new StreamWorkload(kind, new Uint8Array(input(textKey)), planKey ? input(planKey) : null);
		workloads.set(name, w);
		return reply({ frames: w.frames });
	},
	/**
	 * The native engine over [planKey, framesKey] groups: `batch` 0 decodes
	 * frame by frame, else pumps the ring every `batch` frames, received
	 * by pushFields or, with `nativeReceive`, as TWAI records by pushRecords. Only in the
	 * worker that links the engine (bench/native-xs.ts).
	 */
	nativeWorkload(name: string, groups: Array<[string, string]>, batch: number, nativeReceive = false): ArrayBuffer {
		workloads.set(name, new NativeDecodeWorkload(groups.map(([plan, frames]) => ({ plan: input(plan), frames: unpackFrames(new Uint8Array(input(frames))) })), batch, nativeReceive));
		return reply({ ok: true });
	},
	/**
	 * A decode workload's stores after one fresh pass (values, raw words,
	 * updatedAt, updates and present of each decoder, in order), to check the
	 * native engine against the TypeScript decoder on the same frames.
	 * Without `withTimes`, update times read 0 (a batch received at once is
	 * stamped once).
	 */
	storeDigest(name: string, withTimes = true): ArrayBuffer {
		const w = workload(name) as DecodeWorkload | NativeDecodeWorkload;
		const before = w.decoder.map(d => d.store.updates.slice());
		w.run(1);
		const out: number[] = [];
		w.decoder.forEach((d, g) => {
			const s = d.store;
			for (let i = 0; i < s.size; i++)
				out.push(s.value(i), s.words[2 * i], s.words[2 * i + 1], withTimes ? s.updatedAt[i] : 0, s.updates[i] - before[g][i], d.present[i]);
		});
		return Float64Array.from(out).buffer as ArrayBuffer;
	},
	/** SLCAN text fed `chunk` bytes at a time to NativeSlcanParser (`native`) or SlcanParser: parse and queue (see SlcanReceiveWorkload). */
	slcanWorkload(name: string, textKey: string, chunk: number, native: boolean): ArrayBuffer {
		const w = new SlcanReceiveWorkload(new Uint8Array(input(textKey)), chunk, native);
		workloads.set(name, w);
		return reply({ frames: w.frames });
	},
	/** A bare XS→C call with 16 arguments or none (see HostCallWorkload). */
	callWorkload(name: string, arguments16: boolean): ArrayBuffer {
		workloads.set(name, new HostCallWorkload(arguments16));
		return reply({ ok: true });
	},
	/** A primitive operation's loop, named `primitive:<kind>`. */
	primitiveWorkload(kind: Primitive): ArrayBuffer {
		workloads.set(`primitive:${kind}`, new PrimitiveWorkload(kind));
		return reply({ ok: true });
	},
	run(name: string, passes: number): ArrayBuffer {
		return reply({ frames: workload(name).run(passes) });
	},
	empty(name: string, passes: number): ArrayBuffer {
		return reply({ frames: workload(name).empty(passes) });
	},
	/** The loop alone between two performance.now() calls (callgrind dump points). */
	measure(name: string, passes: number, baseline: boolean): ArrayBuffer {
		const w = workload(name);
		host.performance.now();
		const frames = baseline ? w.empty(passes) : w.run(passes);
		host.performance.now();
		return reply({ frames });
	},
	/** Collects garbage, then leaves an unreachable object behind a WeakRef: it disappears at the next collection. */
	arm(): ArrayBuffer {
		host.gc();
		sentinel = new WeakRef({});
		return reply({ ok: true });
	},
	/** Whether a garbage collection ran since `arm()`. */
	collected(): ArrayBuffer {
		return reply({ collected: sentinel !== null && sentinel.deref() === undefined });
	},

	/* For the XS tests: the same functions the tests run on Node. */
	decodeTranscript(planKey: string, framesKey: string): ArrayBuffer {
		return decodeTranscript(input(planKey), unpackFrames(new Uint8Array(input(framesKey)))).buffer as ArrayBuffer;
	},
	/**
	 * A native Pipeline with an OBD-II tap (`what` 1), a recorder (2) or both,
	 * fed as TWAI records `batch` at a time; `legacy`: wired as main.ts did
	 * before taps declared ids (see NativePipelineWorkload).
	 */
	pipelineWorkload(name: string, groups: Array<[string, string]>, batch: number, what: number, legacy: boolean): ArrayBuffer {
		workloads.set(name, new NativePipelineWorkload(groups.map(([plan, frames]) => ({ plan: input(plan), frames: unpackFrames(new Uint8Array(input(frames))) })), batch, what, legacy));
		return reply({ ok: true });
	},
	/** A native pipeline's transcript (see pipelineTranscript); only in the worker that links the engine. */
	pipelineTranscript(planKey: string, framesKey: string, batch: number, maxBytes: number, rotate: boolean): ArrayBuffer {
		return pipelineTranscript(input(planKey), unpackFrames(new Uint8Array(input(framesKey))), batch, maxBytes, rotate, true).buffer as ArrayBuffer;
	},
	/** NativeDecoder's transcript (see nativeTranscript); only in the worker that links the engine. */
	nativeTranscript(planKey: string, framesKey: string, batch: number): ArrayBuffer {
		return nativeTranscript(input(planKey), unpackFrames(new Uint8Array(input(framesKey))), batch).buffer as ArrayBuffer;
	},
	/** Transcripts of packed SLCAN cases (bench/xs/native-slcan.ts) through NativeSlcanParser (`native`) or SlcanParser. */
	slcanTranscripts(key: string, native: boolean): ArrayBuffer {
		return slcanTranscripts(new Uint8Array(input(key)), native).buffer as ArrayBuffer;
	},
	ringTranscript(): ArrayBuffer {
		return ringTranscript().buffer as ArrayBuffer;
	},
	parserTranscript(kind: number, key: string, chunk: number): ArrayBuffer {
		return parserTranscript(kind, new Uint8Array(input(key)), chunk).buffer as ArrayBuffer;
	},
};
