/*
 * Native decoder check app: the demo drive through the TypeScript Decoder
 * and the NativeDecoder (the C engine linked into the simulator build), frame
 * by frame and through the ring in pumps, compared bit for bit; traces one
 * `native-check:` line per check and `native-check: done, N failures`.
 *
 * JavaScript, not TypeScript: the tests' tsconfig would check it against
 * Node's types. Runs in the simulator (test/native/README.md: build with mcconfig -t build
 * into your own -o folder, run headless with xsbug-log). Allocates freely.
 */
import Resource from "Resource";
import { CandumpParser } from "can/candump";
import { CanFrame } from "can/frame";
import { FrameRing } from "can/ring";
import { Decoder } from "signals/decoder";
import { NativeDecoder } from "signals/native-decoder";
import { DecodePlan } from "signals/plan";
import { SignalStore } from "signals/store";

let failures = 0;
function check(name, ok, detail = "") {
	if (!ok)
		failures++;
	trace(`native-check: ${ok ? "ok" : "FAIL"} ${name}${detail ? " " + detail : ""}\n`);
}

function same(a, b) {
	return Object.is(a, b);
}

/** First signal whose state differs between the two decoders, or -1. */
function firstDifference(ts, c, first, end) {
	for (let s = first; s < end; s++)
		if (ts.present[s] !== c.present[s] || ts.store.words[2 * s] !== c.store.words[2 * s] || ts.store.words[2 * s + 1] !== c.store.words[2 * s + 1]
			|| !same(ts.store.updatedAt[s], c.store.updatedAt[s]) || ts.store.updates[s] !== c.store.updates[s])
			return s;
	return -1;
}

function sameCounters(ts, c) {
	return ts.decoded === c.decoded && ts.unknown === c.unknown && ts.ignored === c.ignored && ts.short === c.short;
}

function loadRing(log) {
	const ring = new FrameRing(4096);
	new CandumpParser(ring).feed(log);
	return ring;
}

const resource = new Resource("demo-car.plan");
const plan = new DecodePlan(resource);
const log = new Uint8Array(new Resource("demo-drive.log"));

// 1. Frame by frame: every frame of the drive, every signal of its message.
{
	const ring = loadRing(log);
	const ts = new Decoder(plan), c = new NativeDecoder(plan);
	const frame = new CanFrame();
	let frames = 0, bad = -1, detail = "";
	while (ring.pop(frame)) {
		const m = ts.decode(frame), n = c.decode(frame);
		frames++;
		if (m !== n && bad < 0) {
			bad = frames;
			detail = `frame ${frames}: message ${m} from TypeScript, ${n} from C`;
		}
		if (m >= 0 && bad < 0) {
			const s = firstDifference(ts, c, plan.firstSignal(m), plan.firstSignal(m) + plan.signalCountOf(m));
			if (s >= 0) {
				bad = frames;
				detail = `frame ${frames}: signal ${plan.signalName(s)}: ${ts.store.value(s)} from TypeScript, ${c.store.value(s)} from C`;
			}
		}
	}
	check("decode-frame-by-frame", bad < 0 && sameCounters(ts, c), bad < 0 ? `${frames} frames, ${c.decoded} decoded, ${c.unknown} unknown` : detail);
	check("plan-read-in-place-from-the-resource", c["blob"] === plan.messages.buffer);
}

// 2. Through the ring: Pipeline.pump's loop against NativeDecoder.pump, 100 frames a call.
{
	const tsRing = loadRing(log), cRing = loadRing(log);
	const ts = new Decoder(plan), c = new NativeDecoder(plan);
	const frame = new CanFrame();
	let calls = 0, popped = 0;
	while (tsRing.pop(frame))
		ts.decode(frame);
	for (let n; (n = c.pump(cRing, 100)) > 0; calls++)
		popped += n;
	const s = firstDifference(ts, c, 0, plan.signalCount);
	check("pump-drains-the-ring-as-pop-and-decode", s < 0 && sameCounters(ts, c) && cRing.length === 0 && popped === ts.decoded + ts.unknown + ts.ignored,
		`${popped} frames in ${calls} calls, ${c.decoded} decoded` + (s >= 0 ? `; signal ${plan.signalName(s)} differs` : ""));
	// The ring goes on working after a native drain: wraps, pushes, pops.
	tsRing.reset();
	cRing.reset();
	const more = loadRing(log);
	let moved = 0;
	while (more.pop(frame) && moved < 5000) {
		tsRing.push(frame);
		cRing.push(frame);
		if (++moved % 37 === 0) {
			while (tsRing.pop(frame))
				ts.decode(frame);
			c.pump(cRing);
		}
	}
	while (tsRing.pop(frame))
		ts.decode(frame);
	c.pump(cRing);
	check("pump-interleaved-with-pushes", firstDifference(ts, c, 0, plan.signalCount) < 0 && sameCounters(ts, c), `${c.decoded} decoded`);
}

// 2b. Receive in C: the drive as TWAI records (modules/can/twai.ts), 64 at a time, pushRecords then pump, against pushFields, pop and decode.
{
	const frames = loadRing(log), all = [];
	const frame = new CanFrame();
	while (frames.pop(frame))
		all.push({ id: frame.id, flags: frame.flags, dlc: frame.dlc, data: frame.data.slice() });
	const records = new Uint8Array(all.length * 16);
	all.forEach((f, k) => {
		records[k * 16] = f.id;
		records[k * 16 + 1] = f.id >> 8;
		records[k * 16 + 2] = f.id >> 16;
		records[k * 16 + 3] = f.id >>> 24;
		records[k * 16 + 4] = f.flags;
		records[k * 16 + 5] = f.dlc;
		records.set(f.data, k * 16 + 8);
	});
	const ts = new Decoder(plan), c = new NativeDecoder(plan);
	const tsRing = new FrameRing(256), cRing = new FrameRing(256);
	let dropped = 0;
	for (let k = 0; k < all.length; k += 64) {
		const n = Math.min(64, all.length - k), now = 1000 + k;
		for (let i = k; i < k + n; i++) {
			const f = all[i];
			tsRing.pushFields(f.id, f.flags & 3, f.dlc, f.data, 0, f.flags & 2 ? 0 : f.dlc, now);
		}
		dropped += c.pushRecords(cRing, records.subarray(k * 16, (k + n) * 16), n, now);
		if (k % 256 === 192) {
			while (tsRing.pop(frame))
				ts.decode(frame);
			c.pump(cRing);
		}
	}
	while (tsRing.pop(frame))
		ts.decode(frame);
	c.pump(cRing);
	check("push-records-then-pump-as-push-fields-pop-and-decode", firstDifference(ts, c, 0, plan.signalCount) < 0 && sameCounters(ts, c)
		&& cRing.pushed === tsRing.pushed && cRing.dropped === tsRing.dropped && dropped === 0, `${c.decoded} decoded, ${cRing.pushed} pushed`);
}

// 3. Refusals.
{
	let threw = "";
	try {
		new NativeDecoder(plan, new SignalStore(plan.signalCount - 1, 0));
	}
	catch (e) {
		threw = e.name;
	}
	check("a-small-store-is-refused", threw === "RangeError");
	const c = new NativeDecoder(plan);
	threw = "";
	try {
		c.decodeMessage(plan.messageCount, new Uint8Array(8), 8, 0);
	}
	catch (e) {
		threw = e.name;
	}
	check("an-unknown-message-index-is-refused", threw === "RangeError");
	c.resetCounters();
	check("reset-counters", c.decoded === 0);
}

// 4. Time: the drive decoded 5 times each way, rings filled beforehand (the simulator's clock, for scale only; the bench counts instructions).
{
	const ts = new Decoder(plan), c = new NativeDecoder(plan);
	const frame = new CanFrame();
	const tsRings = [], cRings = [];
	for (let r = 0; r < 5; r++) {
		tsRings.push(loadRing(log));
		cRings.push(loadRing(log));
	}
	let start = Date.now();
	for (const ring of tsRings)
		while (ring.pop(frame))
			ts.decode(frame);
	const tsMs = Date.now() - start;
	start = Date.now();
	for (const ring of cRings)
		c.pump(ring);
	const cMs = Date.now() - start;
	trace(`native-check: ${5 * 3521} frames: TypeScript pop+decode ${tsMs} ms, native pump ${cMs} ms (debug build, xsbug attached)\n`);
}

trace(`native-check: done, ${failures} failures\n`);
