/*
 * Workloads of the native decode engine inside XS: the NativeDecoder module,
 * unchanged, in the bench's xsnap worker that links the engine (see
 * bench/native-xs.ts). Same frames and the same receive step as
 * DecodeWorkload (`pushFields` from a driver-like buffer); what differs is
 * how the queue is drained.
 *
 * Runs in XS only, in the worker that defines `globalThis.sdeEngine`.
 * Constructors allocate; `run` and `empty` must not.
 */
import { CanFrame } from "../../modules/can/frame.js";
import { CandumpRecorder, type RecordSink } from "../../modules/can/recorder.js";
import { FrameRing } from "../../modules/can/ring.js";
import { ObdPoller } from "../../modules/obd/poller.js";
import { NativeDecoder } from "../../modules/signals/native-decoder.js";
import { Pipeline, type FrameTap } from "../../modules/signals/pipeline.js";
import { DecodePlan } from "../../modules/signals/plan.js";
import { decodeTranscript } from "../../test/support/xs-checks.js";
import type { FrameSource } from "../frames.js";
import type { DecodeGroup, Workload } from "../workloads.js";

/**
 * Receive and queue every frame; then, with `batch` 0, pop each into a
 * CanFrame and `decode(frame)` it (one XS→C call per frame), or else
 * `pump(ring)` each time `batch` frames are queued and at the end of each
 * group (one XS→C call per batch: the display tick's drain).
 * With `nativeReceive`, the frames arrive as a driver's batch of TWAI records
 * (`batch` at a time) queued by `pushRecords`, one more XS→C call per batch,
 * instead of one `pushFields` each: receive, queue and decode all in C.
 */
export class NativeDecodeWorkload implements Workload {
	private readonly ring = new FrameRing(256);
	private readonly frame = new CanFrame();
	private readonly decoders: NativeDecoder[];
	private readonly sources: FrameSource[];
	private readonly batch: number;
	/** With native receive: per group, the TWAI records of each batch and how many each holds. */
	private readonly records: Uint8Array[][] | null;
	private readonly recordCounts: number[][] | null;

	constructor(groups: ReadonlyArray<DecodeGroup>, batch: number, nativeReceive = false) {
		if (!(batch >= 0 && batch <= 256) || (nativeReceive && batch === 0))
			throw new RangeError("batch must be 0 to 256, the ring's capacity (1 to 256 with native receive)");
		this.batch = batch;
		this.decoders = groups.map(group => new NativeDecoder(new DecodePlan(group.plan)));
		this.sources = groups.map(group => group.frames);
		this.records = nativeReceive ? [] : null;
		this.recordCounts = nativeReceive ? [] : null;
		if (this.records && this.recordCounts) {
			for (const source of this.sources) {
				// The driver's read buffer: modules/can/twai.ts's 16-byte records.
				const bytes = new Uint8Array(source.count * 16);
				for (let k = 0; k < source.count; k++) {
					const id = source.ids[k];
					bytes[k * 16] = id;
					bytes[k * 16 + 1] = id >> 8;
					bytes[k * 16 + 2] = id >> 16;
					bytes[k * 16 + 3] = id >>> 24;
					bytes[k * 16 + 4] = source.flags[k];
					bytes[k * 16 + 5] = source.dlcs[k];
					bytes.set(source.data.subarray(k * 8, k * 8 + 8), k * 16 + 8);
				}
				const views: Uint8Array[] = [], counts: number[] = [];
				for (let k = 0; k < source.count; k += batch) {
					const n = Math.min(batch, source.count - k);
					views.push(bytes.subarray(k * 16, (k + n) * 16));
					counts.push(n);
				}
				this.records.push(views);
				this.recordCounts.push(counts);
			}
		}
	}

	get decoder(): ReadonlyArray<NativeDecoder> {
		return this.decoders;
	}

	run(passes: number): number {
		if (this.records)
			return this.runNativeReceive(passes);
		const ring = this.ring, frame = this.frame, groups = this.decoders.length, batch = this.batch;
		let frames = 0, time = 0;
		for (let p = 0; p < passes; p++) {
			for (let g = 0; g < groups; g++) {
				const decoder = this.decoders[g], source = this.sources[g];
				const ids = source.ids, flags = source.flags, dlcs = source.dlcs, data = source.data, count = source.count;
				if (batch === 0) {
					for (let k = 0; k < count; k++) {
						ring.pushFields(ids[k], flags[k], dlcs[k], data, k << 3, 8, time++);
						ring.pop(frame);
						decoder.decode(frame);
					}
				}
				else {
					let queued = 0;
					for (let k = 0; k < count; k++) {
						ring.pushFields(ids[k], flags[k], dlcs[k], data, k << 3, 8, time++);
						if (++queued === batch) {
							decoder.pump(ring);
							queued = 0;
						}
					}
					decoder.pump(ring);
				}
				frames += count;
			}
		}
		return frames;
	}

	/** Per batch: one pushRecords, one pump. */
	private runNativeReceive(passes: number): number {
		const ring = this.ring, groups = this.decoders.length, records = this.records!, recordCounts = this.recordCounts!;
		let frames = 0, time = 0;
		for (let p = 0; p < passes; p++) {
			for (let g = 0; g < groups; g++) {
				const decoder = this.decoders[g], views = records[g], counts = recordCounts[g], batches = views.length;
				for (let b = 0; b < batches; b++) {
					const n = counts[b];
					decoder.pushRecords(ring, views[b], n, time);
					time += n;
					decoder.pump(ring);
					frames += n;
				}
			}
		}
		return frames;
	}

	empty(passes: number): number {
		const groups = this.decoders.length;
		let frames = 0, time = 0;
		if (this.recordCounts) {
			// The same loop over batches, without the calls.
			const recordCounts = this.recordCounts;
			for (let p = 0; p < passes; p++) {
				for (let g = 0; g < groups; g++) {
					const counts = recordCounts[g], batches = counts.length;
					for (let b = 0; b < batches; b++) {
						const n = counts[b];
						time += n;
						frames += n;
					}
				}
			}
			return frames + (time & 0);
		}
		for (let p = 0; p < passes; p++) {
			for (let g = 0; g < groups; g++) {
				const count = this.sources[g].count;
				for (let k = 0; k < count; k++)
					time++;
				frames += count;
			}
		}
		return frames + (time & 0);
	}
}

/** Calls in one pass of a HostCallWorkload. */
const CALL_PASS = 1000;

/**
 * A bare XS→C call, to price the boundary: `sdeEngine.nop`, a host function
 * that returns at once, called with as many arguments as `pump` takes (16)
 * or none. Runs in XS only; no allocation.
 */
export class HostCallWorkload implements Workload {
	private readonly nop: (...args: unknown[]) => void;
	private readonly arguments16: boolean;
	private readonly buffer = new ArrayBuffer(8);
	private readonly bytes = new Uint8Array(8);

	constructor(arguments16: boolean) {
		this.nop = (globalThis as unknown as { sdeEngine: { nop(...args: unknown[]): void } }).sdeEngine.nop;
		this.arguments16 = arguments16;
	}

	run(passes: number): number {
		const n = passes * CALL_PASS, nop = this.nop, buffer = this.buffer, bytes = this.bytes;
		if (this.arguments16)
			for (let i = 0; i < n; i++)
				nop(buffer, buffer, buffer, buffer, buffer, buffer, bytes, buffer, buffer, bytes, bytes, buffer, buffer, i, i, i);
		else
			for (let i = 0; i < n; i++)
				nop();
		return n;
	}

	empty(passes: number): number {
		const n = passes * CALL_PASS;
		let x = 0;
		for (let i = 0; i < n; i++)
			x = i;
		return n + (x & 0);
	}
}

/** Packs frames as TWAI records (modules/can/twai.ts): what a driver's read hands over. Allocates. */
export function twaiRecords(frames: FrameSource): Uint8Array {
	const bytes = new Uint8Array(frames.count * 16);
	for (let k = 0; k < frames.count; k++) {
		const id = frames.ids[k];
		bytes[k * 16] = id;
		bytes[k * 16 + 1] = id >> 8;
		bytes[k * 16 + 2] = id >> 16;
		bytes[k * 16 + 3] = id >>> 24;
		bytes[k * 16 + 4] = frames.flags[k];
		bytes[k * 16 + 5] = frames.dlcs[k];
		bytes.set(frames.data.subarray(k * 8, k * 8 + 8), k * 16 + 8);
	}
	return bytes;
}

/**
 * The native decoder's transcript, for test/native-xs.test.ts. With `batch`
 * 0: test/support/xs-checks.ts decodeTranscript's layout, frame k decoded
 * with `decode` stamped k. Otherwise the frames as TWAI records, `batch` at a
 * time through `pushRecords` (stamped with the batch's first index) into a
 * ring of 64 slots, which `pump` drains after each batch; then per signal of
 * the plan present, raw, value, updatedAt, updates, then the four counters,
 * the ring's pushed and dropped, and the bus bits pumped. Allocates freely.
 */
export function nativeTranscript(plan: ArrayBufferLike, frames: FrameSource, batch: number): Float64Array {
	const decoder = new NativeDecoder(new DecodePlan(plan));
	if (batch === 0)
		return decodeTranscript(plan, frames, decoder);
	const out: number[] = [];
	const ring = new FrameRing(64);
	const records = twaiRecords(frames);
	for (let k = 0; k < frames.count; k += batch) {
		const n = Math.min(batch, frames.count - k);
		decoder.pushRecords(ring, records.subarray(k * 16, (k + n) * 16), n, k);
		decoder.pump(ring);
	}
	const store = decoder.store;
	for (let s = 0; s < decoder.plan.signalCount; s++)
		out.push(decoder.present[s], store.raw(s), store.value(s), store.updatedAt[s], store.updates[s]);
	out.push(decoder.decoded, decoder.unknown, decoder.ignored, decoder.short, ring.pushed, ring.dropped, decoder.bits);
	return Float64Array.from(out);
}

/** What a NativePipelineWorkload adds to the native pipeline. */
export const PIPELINE_TAP = 1, PIPELINE_RECORD = 2;

/** A sink that only counts and checksums what it is handed (no allocation). */
class ChecksumSink implements RecordSink {
	bytes = 0;
	checksum = 0;
	/** With `sum`, every byte goes into the checksum (tests); else only counted (the bench). */
	constructor(readonly sum: boolean) {}
	write(chunk: Uint8Array): void {
		if (this.sum)
			for (let i = 0; i < chunk.length; i++)
				this.checksum = (Math.imul(this.checksum, 31) + chunk[i]) >>> 0;
		this.bytes += chunk.length;
	}
}

/** An OBD-II poller polling (discovering), as main.ts makes one; its transmit accepts every request. */
function pollingTap(): ObdPoller {
	return new ObdPoller({ transmit: () => true, pids: [{ pid: 0x0C, periodMs: 150 }], enabled: true });
}

/** The tap main.ts set before taps declared their ids: every frame offered to `takes` in TypeScript. */
function undeclared(tap: FrameTap): FrameTap {
	return { takes: frame => tap.takes(frame), receive: (frame, now) => tap.receive(frame, now) };
}

/** main.ts's recording before the recorder had its own place in the pipeline: a tap that records each frame it is offered. */
function recordingTap(recorder: CandumpRecorder, next: FrameTap | null): FrameTap {
	return {
		takes(frame) {
			recorder.record(frame);
			return next !== null && next.takes(frame);
		},
		receive(frame, now) {
			return next?.receive(frame, now);
		},
	};
}

/**
 * A Pipeline on the native engine as main.ts builds it on the ESP32: each
 * batch of `batch` frames arrives as TWAI records (pushRecords) and one
 * `pipeline.pump()` drains it, with an OBD-II poller as its tap (`what` has
 * PIPELINE_TAP) and/or a CandumpRecorder (PIPELINE_RECORD, serviced after
 * each pump into a sink that only counts). With `legacy`, the tap and the
 * recording are wired as main.ts did before (a tap without ids, recording
 * inside a tap): the pipeline pops and hands over frame by frame in
 * TypeScript. Runs in XS only; constructors allocate, `run` and `empty` must not.
 */
export class NativePipelineWorkload implements Workload {
	private readonly inner: NativeDecodeWorkload;
	private readonly pipelines: Pipeline[];
	private readonly recorders: CandumpRecorder[];
	private readonly records: Uint8Array[][];
	private readonly counts: number[][];

	constructor(groups: ReadonlyArray<DecodeGroup>, batch: number, what: number, legacy: boolean) {
		this.inner = new NativeDecodeWorkload(groups, batch, true);
		this.records = this.inner["records"]!;
		this.counts = this.inner["recordCounts"]!;
		this.recorders = [];
		this.pipelines = this.inner.decoder.map(decoder => {
			const pipeline = new Pipeline(decoder.plan, { ringCapacity: 256, decoder: () => decoder });
			const tap = what & PIPELINE_TAP ? pollingTap() : null;
			const recorder = what & PIPELINE_RECORD ? new CandumpRecorder({ sink: new ChecksumSink(false), maxBytes: 2 ** 52, chunkSize: 4096, chunks: 4 }) : null;
			if (recorder)
				this.recorders.push(recorder);
			if (legacy)
				pipeline.tap = recorder ? recordingTap(recorder, tap) : tap && undeclared(tap);
			else {
				pipeline.tap = tap;
				pipeline.recorder = recorder;
			}
			return pipeline;
		});
	}

	get decoder(): ReadonlyArray<NativeDecoder> {
		return this.inner.decoder;
	}

	run(passes: number): number {
		const groups = this.pipelines.length, records = this.records, recordCounts = this.counts;
		let frames = 0, time = 0;
		for (let p = 0; p < passes; p++) {
			for (let g = 0; g < groups; g++) {
				const pipeline = this.pipelines[g], decoder = this.inner.decoder[g], recorder = this.recorders.length ? this.recorders[g] : null;
				const views = records[g], counts = recordCounts[g], batches = views.length;
				for (let b = 0; b < batches; b++) {
					const n = counts[b];
					decoder.pushRecords(pipeline.ring, views[b], n, time);
					time += n;
					pipeline.pump();
					if (recorder)
						recorder.service(4);
					frames += n;
				}
			}
		}
		return frames;
	}

	empty(passes: number): number {
		return this.inner.empty(passes);
	}
}

/**
 * A pipeline's transcript, for test/native-xs.test.ts: the frames as TWAI
 * records `batch` at a time (stamped with the batch's first index, then
 * 1e12 ms + that, so the lines carry a wall-clock time) into a ring of 64
 * slots, one `pump` after each, with an OBD-II poller as the tap and a
 * recorder (chunks of 256 bytes, 3 of them, `maxBytes` cap, "stop" or
 * "rotate" into the same sink; serviced every other batch so that it falls
 * behind and drops sometimes). `native`: NativeDecoder with the tap's ids
 * and the recorder in C; else the TypeScript Decoder, frame by frame. Then:
 * per signal present, raw, value, updatedAt, updates; the decoder's four
 * counters; the pipeline's pumped and bits; the poller's responses,
 * malformed, negative and late; the recorder's frames, dropped, bytes, files
 * and the sink's bytes and checksum. Allocates freely.
 */
export function pipelineTranscript(plan: ArrayBufferLike, frames: FrameSource, batch: number, maxBytes: number, rotate: boolean, native: boolean): Float64Array {
	const p = new DecodePlan(plan);
	const pipeline = new Pipeline(p, { ringCapacity: 64, decoder: native ? plan => new NativeDecoder(plan) : undefined });
	const poller = pollingTap();
	const sink = new ChecksumSink(true);
	const recorder = new CandumpRecorder({ sink, maxBytes, chunkSize: 256, chunks: 3, onFull: rotate ? "rotate" : "stop", openNext: () => sink, interfaceName: "vcan0" });
	pipeline.tap = poller;
	pipeline.recorder = recorder;
	const records = twaiRecords(frames);
	const frame = new CanFrame();
	for (let k = 0, b = 0; k < frames.count; k += batch, b++) {
		const n = Math.min(batch, frames.count - k);
		if (native)
			(pipeline.decoder as NativeDecoder).pushRecords(pipeline.ring, records.subarray(k * 16, (k + n) * 16), n, 1e12 + k + 0.000125 * b);
		else
			for (let i = k; i < k + n; i++) {
				frame.id = frames.ids[i];
				frame.flags = frames.flags[i] & 3;
				frame.dlc = frames.dlcs[i];
				pipeline.ring.pushFields(frame.id, frame.flags, frame.dlc, frames.data, i * 8, frame.flags & 2 ? 0 : frame.dlc, 1e12 + k + 0.000125 * b);
			}
		pipeline.pump();
		if (b & 1)
			recorder.service(1);
	}
	recorder.flush();
	const out: number[] = [];
	const decoder = pipeline.decoder, store = decoder.store;
	for (let s = 0; s < p.signalCount; s++)
		out.push(decoder.present[s], store.raw(s), store.value(s), store.updatedAt[s], store.updates[s]);
	out.push(decoder.decoded, decoder.unknown, decoder.ignored, decoder.short, pipeline.pumped, pipeline.bits);
	out.push(poller.responses, poller.malformed, poller.negative, poller.late);
	out.push(recorder.frames, recorder.dropped, recorder.bytes, recorder.files, sink.bytes, sink.checksum);
	return Float64Array.from(out);
}
