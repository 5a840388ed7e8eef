/*
 * Behaviours the XS tests run on both engines, V8 in vitest and XS in the
 * xsnap worker, so a test can demand the same transcript from each: code that
 * only works on V8 (an API XS lacks, a number that V8 and XS round apart, a
 * typed-array edge) shows up as a difference.
 *
 * Each function returns plain numbers in a Float64Array (cheap to hand back
 * from the worker, exact for every value the modules produce). Runs on XS and
 * Node; allocates freely: these are tests, not the hot path.
 */
import { CandumpParser } from "../../modules/can/candump.js";
import { CanFrame, FrameFlag } from "../../modules/can/frame.js";
import { FrameRing } from "../../modules/can/ring.js";
import { SlcanParser } from "../../modules/can/slcan.js";
import { Decoder } from "../../modules/signals/decoder.js";
import type { FrameDecoder } from "../../modules/signals/pipeline.js";
import { DecodePlan } from "../../modules/signals/plan.js";
import type { FrameSource } from "../../bench/frames.js";

/**
 * Decodes every frame and lists, per frame: the message index, then for each
 * signal of that message its present flag, raw value and physical value.
 * Unknown ids give just -1. The TypeScript Decoder unless `decoder` is given
 * (the native engine's checks pass theirs).
 */
export function decodeTranscript(plan: ArrayBufferLike, frames: FrameSource, decoder: FrameDecoder = new Decoder(new DecodePlan(plan))): Float64Array {
	const out: number[] = [];
	const frame = new CanFrame();
	for (let k = 0; k < frames.count; k++) {
		frame.id = frames.ids[k];
		frame.flags = frames.flags[k];
		frame.dlc = frames.dlcs[k];
		for (let b = 0; b < 8; b++)
			frame.data[b] = frames.data[k * 8 + b];
		frame.timestamp = k;
		const message = decoder.decode(frame);
		out.push(message);
		if (message < 0)
			continue;
		const first = decoder.plan.firstSignal(message), end = first + decoder.plan.signalCountOf(message);
		for (let s = first; s < end; s++)
			out.push(decoder.present[s], decoder.store.raw(s), decoder.store.value(s));
	}
	out.push(decoder.decoded, decoder.unknown, decoder.ignored, decoder.short);
	return Float64Array.from(out);
}

function pushFrame(out: number[], frame: CanFrame): void {
	out.push(frame.id, frame.flags, frame.dlc, frame.timestamp);
	for (let b = 0; b < 8; b++)
		out.push(frame.data[b]);
}

/** FrameRing through fill, overflow (drop oldest), pushFields with short payloads, drain and reset. */
export function ringTranscript(): Float64Array {
	const out: number[] = [];
	const ring = new FrameRing(8);
	const frame = new CanFrame(), popped = new CanFrame();
	const scratch = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
	for (let i = 0; i < 21; i++) {
		frame.id = 0x100 + i;
		frame.flags = i % 3 === 0 ? FrameFlag.extended : 0;
		frame.dlc = i % 9;
		frame.data.fill(0);
		for (let b = 0; b < frame.dlc; b++)
			frame.data[b] = (i * 17 + b * 31) & 0xFF;
		frame.timestamp = 1579857014345.944 + i * 0.125;
		if (i % 4 === 3)
			ring.pushFields(0x1FFFFFFF - i, FrameFlag.extended | FrameFlag.remote, i % 9, scratch, i % 3, i % 9, frame.timestamp);
		else
			ring.push(frame);
		out.push(ring.length, ring.dropped, ring.pushed);
		if (i % 5 === 4 && ring.pop(popped))
			pushFrame(out, popped);
	}
	while (ring.pop(popped))
		pushFrame(out, popped);
	out.push(ring.pop(popped) ? 1 : 0, ring.length);
	ring.reset();
	out.push(ring.length, ring.dropped, ring.pushed);
	try {
		new FrameRing(12);
		out.push(0);
	}
	catch (error) {
		out.push(error instanceof RangeError ? 1 : 2);
	}
	return Float64Array.from(out);
}

/** Which byte-stream parser a transcript exercises. */
export const PARSER_CANDUMP = 0, PARSER_SLCAN = 1;

/**
 * Feeds `bytes` to a parser in chunks of `chunk` bytes (1 exercises every
 * split point), draining the ring after each; lists every frame and then the
 * parser's counters.
 */
export function parserTranscript(kind: number, bytes: Uint8Array, chunk: number): Float64Array {
	const out: number[] = [];
	const ring = new FrameRing(64);
	const frame = new CanFrame();
	const candump = kind === PARSER_CANDUMP ? new CandumpParser(ring) : null;
	const slcan = kind === PARSER_SLCAN ? new SlcanParser(ring) : null;
	for (let at = 0; at < bytes.length; at += chunk) {
		const length = Math.min(chunk, bytes.length - at);
		if (candump)
			candump.feed(bytes, at, length);
		else
			slcan!.feed(bytes, at, length);
		while (ring.pop(frame))
			pushFrame(out, frame);
	}
	if (candump)
		candump.finish();
	else
		slcan!.finish();
	while (ring.pop(frame))
		pushFrame(out, frame);
	if (candump)
		out.push(candump.lines, candump.frames, candump.ignored, candump.unsupported, candump.malformed, candump.overlong);
	else
		out.push(slcan!.lines, slcan!.frames, slcan!.ignored, slcan!.unsupported, slcan!.malformed, slcan!.overlong, slcan!.adapterErrors);
	out.push(ring.dropped);
	return Float64Array.from(out);
}
