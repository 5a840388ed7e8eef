/*
 * The native decode engine (modules/signals/native/decode-engine.c) on a C
 * target (test/support/c-targets.ts: the host, or an RV32 core): builds
 * test/native/engine-driver.c for it, feeds it cases, and computes the
 * transcript the TypeScript Decoder (the reference) gives for the same
 * cases, in the driver's layout (see its header).
 *
 * Node only (vitest and the bench); allocates freely.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CanFrame, FrameFlag } from "../../modules/can/frame.js";
import { FrameRing } from "../../modules/can/ring.js";
import { frameBits } from "../../modules/can/frame.js";
import { Decoder } from "../../modules/signals/decoder.js";
import { DecodePlan } from "../../modules/signals/plan.js";
import { unpackFrames } from "../../bench/frames.js";
import { repoRoot } from "../shared-data.js";
import { hostTarget, type CTarget } from "../support/c-targets.js";

export const ENGINE_SOURCE = join(repoRoot, "modules", "signals", "native", "decode-engine.c");
export const ENGINE_DIR = join(repoRoot, "modules", "signals", "native");
export const DRIVER_SOURCE = join(repoRoot, "test", "native", "engine-driver.c");

export const MODE_FRAMES = 0;
export const MODE_RING = 1;
export const MODE_RECORDS = 2;

/** Bytes of a ring payload (see ringPayload) for `capacity` slots. */
export function ringPayloadBytes(capacity: number): number {
	return 16 + pad8(capacity * 4) + capacity * 16 + pad8(capacity * 2);
}

export interface EngineCase {
	mode: number;
	plan: ArrayBuffer;
	/** Mode 0: packed frames (bench/frames.ts). Mode 1: `ringPayload`. */
	payload: Uint8Array;
	/** Mode 1: the most frames to pump. Mode 2: the records after the ring. */
	max?: number;
}

/** True when the host's `cc` runs. */
export function hasCompiler(): boolean {
	return hostTarget.missing === null;
}

/** Flags of an engine file: strict C99, warnings are errors, as on the device. */
export const ENGINE_FLAGS = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2"];
/** Flags of a test driver. */
export const DRIVER_FLAGS = ["-std=c11", "-O2", "-Wall"];

/** A test driver built for a target in its own temporary folder. */
export interface BuiltDriver {
	target: CTarget;
	binary: string;
	dir: string;
	dispose(): void;
}

/**
 * Builds `driver` (a test/native/*.c file) with `engine` (a file of
 * modules/signals/native) for `target` into a fresh temporary folder.
 * `engineSource` replaces the engine's text (to check that a broken engine
 * is caught).
 */
export function buildEngineDriver(target: CTarget, driver: string, engine: string, engineSource?: string): BuiltDriver {
	const dir = mkdtempSync(join(tmpdir(), "xs-cluster-engine-"));
	let source = engine;
	if (engineSource !== undefined) {
		source = join(dir, "engine.c");
		writeFileSync(source, engineSource);
	}
	const binary = join(dir, "driver");
	target.build([{ source, flags: ENGINE_FLAGS }, { source: driver, flags: DRIVER_FLAGS }], [ENGINE_DIR], binary);
	return { target, binary, dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The decode engine's driver for `target`; `engineSource` as in buildEngineDriver. */
export function buildDriver(target: CTarget, engineSource?: string): BuiltDriver {
	return buildEngineDriver(target, DRIVER_SOURCE, ENGINE_SOURCE, engineSource);
}

/** Runs a built driver on `input`, writing `output` (host paths in its folder). */
export function runDriver(driver: BuiltDriver, input: string, output: string): void {
	driver.target.run(driver.binary, [input, output]);
}

const pad8 = (n: number) => (n + 7) & ~7;

/** Runs `cases` through the C engine; one transcript per case. */
export function runEngine(driver: BuiltDriver, cases: ReadonlyArray<EngineCase>): Float64Array[] {
	let total = 0;
	for (const c of cases)
		total += 16 + pad8(c.plan.byteLength) + pad8(c.payload.length);
	const bytes = new Uint8Array(total);
	const view = new DataView(bytes.buffer);
	let at = 0;
	for (const c of cases) {
		view.setUint32(at, c.mode, true);
		view.setUint32(at + 4, c.plan.byteLength, true);
		view.setUint32(at + 8, c.payload.length, true);
		view.setUint32(at + 12, c.max ?? 0xFFFFFFFF, true);
		at += 16;
		bytes.set(new Uint8Array(c.plan), at);
		at += pad8(c.plan.byteLength);
		bytes.set(c.payload, at);
		at += pad8(c.payload.length);
	}
	const input = join(driver.dir, "cases.bin"), output = join(driver.dir, "transcript.bin");
	writeFileSync(input, bytes);
	runDriver(driver, input, output);
	const raw = readFileSync(output);
	const all = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
	const transcripts: Float64Array[] = [];
	for (let i = 0; i < all.length;) {
		const n = all[i];
		transcripts.push(all.slice(i + 1, i + 1 + n));
		i += 1 + n;
	}
	if (transcripts.length !== cases.length)
		throw new Error(`engine driver wrote ${transcripts.length} transcripts for ${cases.length} cases`);
	return transcripts;
}

function pushSignal(out: number[], decoder: Decoder, s: number): void {
	const store = decoder.store;
	out.push(decoder.present[s], store.words[2 * s], store.words[2 * s + 1], store.updatedAt[s], store.updates[s]);
}

function pushCounters(out: number[], decoder: Decoder): void {
	out.push(decoder.decoded, decoder.unknown, decoder.ignored, decoder.short);
}

/** The TypeScript Decoder's transcript of a case. */
export function referenceTranscript(c: EngineCase): Float64Array {
	const out: number[] = [];
	if (c.mode === MODE_RECORDS) {
		// modules/can/twai-source.ts's drain, one record at a time, with pushFields's drop-oldest.
		const capacity = new DataView(c.payload.buffer, c.payload.byteOffset).getUint32(0, true);
		const at = ringPayloadBytes(capacity);
		const ring = ringFromPayload(c.payload.subarray(0, at));
		const before = ring.dropped;
		for (let k = 0; k < (c.max ?? 0); k++) {
			const record = c.payload.subarray(at + k * 16, at + k * 16 + 16);
			const flags = record[4] & (FrameFlag.extended | FrameFlag.remote), dlc = record[5];
			const id = (record[0] | (record[1] << 8) | (record[2] << 16) | (record[3] << 24)) >>> 0;
			ring.pushFields(id, flags, dlc, record, 8, (flags & FrameFlag.remote) ? 0 : dlc, 1e12 + 0.25);
		}
		out.push(ring.dropped - before, ring["head"], ring["count"]);
		for (let slot = 0; slot < capacity; slot++)
			out.push(ring["ids"][slot], ring["flags"][slot], ring["dlcs"][slot], ring["words"][slot * 2], ring["words"][slot * 2 + 1], ring["timestamps"][slot]);
		return Float64Array.from(out);
	}
	const decoder = new Decoder(new DecodePlan(c.plan));
	if (c.mode === MODE_FRAMES) {
		const frames = unpackFrames(c.payload);
		const frame = new CanFrame();
		for (let k = 0; k < frames.count; k++) {
			frame.id = frames.ids[k];
			frame.flags = frames.flags[k];
			frame.dlc = frames.dlcs[k];
			frame.data.set(frames.data.subarray(k * 8, k * 8 + 8));
			frame.timestamp = k + 0.5;
			const message = decoder.decode(frame);
			out.push(message);
			if (message < 0)
				continue;
			const first = decoder.plan.firstSignal(message), end = first + decoder.plan.signalCountOf(message);
			for (let s = first; s < end; s++)
				pushSignal(out, decoder, s);
		}
	}
	else {
		const ring = ringFromPayload(c.payload);
		const frame = new CanFrame();
		const max = c.max ?? 0xFFFFFFFF;
		let popped = 0, bits = 0;
		while (popped < max && ring.pop(frame)) {
			bits += frameBits(frame.dlc, frame.extended);
			decoder.decode(frame);
			popped++;
		}
		out.push(popped, ring["head"], ring["count"]);
		for (let s = 0; s < decoder.plan.signalCount; s++)
			pushSignal(out, decoder, s);
		pushCounters(out, decoder);
		out.push(bits);
		return Float64Array.from(out);
	}
	pushCounters(out, decoder);
	return Float64Array.from(out);
}

/** A FrameRing's storage as the driver reads it (mode 1). Reads the ring's private arrays: the layout the native pump depends on. */
export function ringPayload(ring: FrameRing): Uint8Array {
	const capacity = ring.capacity;
	const bytes = new Uint8Array(16 + pad8(capacity * 4) + capacity * 8 + capacity * 8 + pad8(capacity * 2));
	const view = new DataView(bytes.buffer);
	view.setUint32(0, capacity, true);
	view.setUint32(4, ring["head"], true);
	view.setUint32(8, ring["count"], true);
	let at = 16;
	bytes.set(new Uint8Array(ring["ids"].buffer), at);
	at += pad8(capacity * 4);
	bytes.set(new Uint8Array(ring["timestamps"].buffer), at);
	at += capacity * 8;
	bytes.set(new Uint8Array(ring["words"].buffer), at);
	at += capacity * 8;
	bytes.set(ring["flags"], at);
	bytes.set(ring["dlcs"], at + capacity);
	return bytes;
}

/** The ring a payload was taken from, rebuilt (for the reference run). */
export function ringFromPayload(bytes: Uint8Array): FrameRing {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
	const capacity = view.getUint32(0, true);
	const ring = new FrameRing(capacity);
	ring["head"] = view.getUint32(4, true);
	ring["count"] = view.getUint32(8, true);
	let at = 16;
	ring["ids"].set(new Uint32Array(bytes.slice(at, at + capacity * 4).buffer));
	at += pad8(capacity * 4);
	ring["timestamps"].set(new Float64Array(bytes.slice(at, at + capacity * 8).buffer));
	at += capacity * 8;
	ring["words"].set(new Uint32Array(bytes.slice(at, at + capacity * 8).buffer));
	at += capacity * 8;
	ring["flags"].set(bytes.subarray(at, at + capacity));
	ring["dlcs"].set(bytes.subarray(at + capacity, at + 2 * capacity));
	return ring;
}

/** First difference between two transcripts (Object.is: NaN equals NaN, -0 differs from 0), or null. */
export function firstDifference(c: Float64Array, ts: Float64Array): string | null {
	if (c.length !== ts.length)
		return `length ${c.length} from C, ${ts.length} from TypeScript`;
	for (let i = 0; i < c.length; i++)
		if (!Object.is(c[i], ts[i]))
			return `index ${i}: ${c[i]} from C, ${ts[i]} from TypeScript`;
	return null;
}
