/*
 * TwaiSource against the mock TWAI (ESP-IDF v6.0's node driver as twai.c
 * uses it): opening, controller choice, acceptance filters (11- and 29-bit,
 * dual), receive at a saturated 1 Mbit/s bus drained at the display clock,
 * overload (the controller's ring and the pipeline's drop their oldest frames,
 * counted exactly, the newest kept), loss accounting, bus-off and recovery
 * with back-off (a recovered node runs again without a start), listen-only,
 * close and reopen. Node (vitest).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { BusState, formatBusStatus } from "../modules/can/bus-status.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import {
	TWAI_ACCEPT_ALL, TWAI_RECORD_SIZE, TwaiState, recordId, twaiAcceptance, twaiDualAcceptance, writeRecord,
} from "../modules/can/twai.js";
import { TwaiSource, type TwaiSourceOptions } from "../modules/can/twai-source.js";
import { FakeClock } from "./fixtures/clock.js";
import { MockTwai, MockTwaiBus, twaiFilterPasses, type MockFrame } from "./fixtures/mock-twai.js";

let clock: FakeClock;

beforeEach(() => {
	MockTwaiBus.reset();
	clock = new FakeClock(1000);
	MockTwaiBus.now = clock.now;
});

function source(ring: FrameRing, options: Partial<TwaiSourceOptions> = {}): TwaiSource {
	return new TwaiSource(ring, {
		open: (o) => MockTwaiBus.openTwai(o),
		clock: clock.now,
		transmit: 21,
		receive: 22,
		bitRate: 500000,
		...options,
	});
}

function twai(): MockTwai {
	const open = MockTwaiBus.open;
	if (!open)
		throw new Error("no controller open");
	return open;
}

/** Frame `n` of a numbered stream: id cycles through 8 standard ids, bytes 0..3 carry n. */
function numbered(n: number): MockFrame {
	const data = new Uint8Array(8);
	data[0] = n & 0xFF;
	data[1] = (n >>> 8) & 0xFF;
	data[2] = (n >>> 16) & 0xFF;
	data[3] = (n >>> 24) & 0xFF;
	return { id: 0x100 + (n & 7), flags: 0, dlc: 8, data };
}

function sequenceOf(frame: CanFrame): number {
	const d = frame.data;
	return (d[0] | (d[1] << 8) | (d[2] << 16) | (d[3] << 24)) >>> 0;
}

/** What NativeDecoder.pushRecords does in C, in TypeScript; `calls` gets each batch's count. */
function queueRecordsInto(calls: number[]) {
	return (ring: FrameRing, records: Uint8Array, count: number, now: number): number => {
		calls.push(count);
		const before = ring.dropped;
		for (let r = 0; r < count; r++) {
			const at = r * TWAI_RECORD_SIZE, flags = records[at + 4] & (FrameFlag.extended | FrameFlag.remote), dlc = records[at + 5];
			ring.pushFields(recordId(records, at), flags, dlc, records, at + 8, flags & FrameFlag.remote ? 0 : dlc, now);
		}
		return ring.dropped - before;
	};
}

/** Pops everything in `ring`; returns the frames' sequence numbers, oldest first. */
function popAll(ring: FrameRing): number[] {
	const frame = new CanFrame(), out: number[] = [];
	while (ring.pop(frame))
		out.push(sequenceOf(frame));
	return out;
}

function range(from: number, to: number): number[] {
	return Array.from({ length: to - from }, (_, i) => from + i);
}

describe("twai-record", () => {
	it("record-round-trip: id, flags and data survive, bytes past the DLC are zero", () => {
		const record = new Uint8Array(TWAI_RECORD_SIZE);
		writeRecord(record, 0, 0x1ABCDEF0, FrameFlag.extended, 3, Uint8Array.of(1, 2, 3, 4, 5));
		expect(recordId(record, 0)).toBe(0x1ABCDEF0);
		expect(record[4]).toBe(FrameFlag.extended);
		expect(record[5]).toBe(3);
		expect([...record.subarray(8)]).toEqual([1, 2, 3, 0, 0, 0, 0, 0]);
	});

	it("record-rejects-out-of-range: 12-bit standard id, DLC 9", () => {
		const record = new Uint8Array(TWAI_RECORD_SIZE);
		expect(() => writeRecord(record, 0, 0x800, 0, 0, record)).toThrow(RangeError);
		expect(() => writeRecord(record, 0, 0x7FF, 0, 9, record)).toThrow(RangeError);
	});
});

describe("twai-filter", () => {
	it("standard-filter: id and mask as the driver takes them, 1 = must match", () => {
		expect(twaiAcceptance(0x123, 0x7FF)).toEqual({ id: 0x123, mask: 0x7FF, extended: false, dual: false });
	});

	it("filter-matches-like-the-controller: the masked bits must match, and the format", () => {
		const f = twaiAcceptance(0x120, 0x7F0);
		expect(twaiFilterPasses(f, 0x120, false)).toBe(true);
		expect(twaiFilterPasses(f, 0x12F, false)).toBe(true);
		expect(twaiFilterPasses(f, 0x130, false)).toBe(false);
		expect(twaiFilterPasses(f, 0x020, false)).toBe(false);
		expect(twaiFilterPasses(f, 0x120, true)).toBe(false); // the driver's software format check
	});

	it("extended-filter-29-bit: all 29 bits compared, standard frames turned away", () => {
		const f = twaiAcceptance(0x18DAF100, 0x1FFFFF00, true);
		expect(f).toEqual({ id: 0x18DAF100, mask: 0x1FFFFF00, extended: true, dual: false });
		expect(twaiFilterPasses(f, 0x18DAF110, true)).toBe(true);
		expect(twaiFilterPasses(f, 0x18DAF1FF, true)).toBe(true);
		expect(twaiFilterPasses(f, 0x18DAF210, true)).toBe(false);
		expect(twaiFilterPasses(f, 0x08DAF110, true)).toBe(false); // bit 28
		expect(twaiFilterPasses(f, 0x110, false)).toBe(false);
	});

	it("accept-all-passes-both-formats: id and mask 0, the driver's default", () => {
		expect(TWAI_ACCEPT_ALL).toEqual({ id: 0, mask: 0, extended: false, dual: false });
		expect(twaiFilterPasses(TWAI_ACCEPT_ALL, 0x7FF, false)).toBe(true);
		expect(twaiFilterPasses(TWAI_ACCEPT_ALL, 0x1FFFFFFF, true)).toBe(true);
	});

	it("dual-filter-as-twai_make_dual_filter: two standard filters of 11 bits, two extended of bits 28..13", () => {
		const std = twaiDualAcceptance(0x100, 0x7FF, 0x200, 0x7F0);
		expect(std).toEqual({ id: ((0x100 << 21) | (0x200 << 5)) >>> 0, mask: ((0x7FF << 21) | (0x7F0 << 5)) >>> 0, extended: false, dual: true });
		expect([0x100, 0x101, 0x200, 0x20F, 0x210].map((id) => twaiFilterPasses(std, id, false))).toEqual([true, false, true, true, false]);
		const ext = twaiDualAcceptance(0x18DA0000, 0x1FFFE000, 0x0CF00000, 0x1FFFE000, true);
		expect(ext.id).toBe((((0x18DA0000 >>> 13) << 16) | (0x0CF00000 >>> 13)) >>> 0);
		expect(twaiFilterPasses(ext, 0x18DA1FFF, true)).toBe(true); // bits 12..0 are not compared in dual mode
		expect(twaiFilterPasses(ext, 0x0CF01234, true)).toBe(true);
		expect(twaiFilterPasses(ext, 0x18DC0000, true)).toBe(false);
	});

	it("filter-rejects-wide-values", () => {
		expect(() => twaiAcceptance(0x800, 0x7FF)).toThrow(RangeError);
		expect(() => twaiAcceptance(0x123, 0x800)).toThrow(RangeError);
		expect(() => twaiAcceptance(0x20000000, 0, true)).toThrow(RangeError);
		expect(() => twaiDualAcceptance(0x100, 0x7FF, 0x800, 0x7FF)).toThrow(RangeError);
	});

	it("filter-reaches-the-driver: the options bag carries the filter", () => {
		const filter = twaiAcceptance(0x3E8, 0x7FF);
		source(new FrameRing(16), { filter }).open(clock.now());
		expect(twai().options.filter).toEqual(filter);
	});

	it("29-bit-filter-end-to-end: only the matching extended frames reach the ring", () => {
		const ring = new FrameRing(16);
		source(ring, { filter: twaiAcceptance(0x18DAF100, 0x1FFFFF00, true) }).open(clock.now());
		const data = new Uint8Array(8);
		twai().deliver([
			{ id: 0x18DAF110, flags: FrameFlag.extended, dlc: 8, data },
			{ id: 0x18DAF210, flags: FrameFlag.extended, dlc: 8, data },
			{ id: 0x110, flags: 0, dlc: 8, data },
			{ id: 0x18DAF1F1, flags: FrameFlag.extended | FrameFlag.remote, dlc: 0, data },
		]);
		const frame = new CanFrame(), ids: number[] = [];
		while (ring.pop(frame))
			ids.push(frame.id);
		expect(ids).toEqual([0x18DAF110, 0x18DAF1F1]);
		expect(twai().filtered).toBe(2);
	});
});

describe("twai-open", () => {
	it("open-defaults: listen-only, accept all, controller 0, 512-slot ring, started", () => {
		const s = source(new FrameRing(16));
		s.open(clock.now());
		const io = twai();
		expect(io.options.listenOnly).toBe(true);
		expect(io.options.filter).toEqual({ id: 0, mask: 0, extended: false, dual: false });
		expect(io.options.rxQueueLength).toBe(512);
		expect(io.options.controller).toBe(0);
		expect(io.options.transmit).toBe(21);
		expect(io.options.receive).toBe(22);
		expect(io.calls).toEqual(["start"]);
		expect(io.state).toBe(TwaiState.errorActive);
		expect(s.status.state).toBe(BusState.errorActive);
		expect(s.description).toBe("twai 500 kbit/s listen-only");
	});

	it("open-rejects-bad-bit-rate: the driver's error reaches the caller", () => {
		expect(() => source(new FrameRing(16), { bitRate: 300000 }).open(0)).toThrow("invalid bitRate");
	});

	it("controller-choice: controller 1 on a chip with two, each controller one node", () => {
		expect(() => source(new FrameRing(16), { controller: 1 }).open(0)).toThrow(RangeError); // one controller
		MockTwaiBus.controllers = 2; // ESP32-C6
		source(new FrameRing(16), { controller: 1 }).open(0);
		expect(twai().controller).toBe(1);
		expect(() => source(new FrameRing(16), { controller: 1 }).open(0)).toThrow("in use");
		source(new FrameRing(16)).open(0);
		expect(twai().controller).toBe(0);
		expect(MockTwaiBus.nodes.map((node) => node?.controller)).toEqual([0, 1]);
		expect(() => source(new FrameRing(16), { controller: 2 }).open(0)).toThrow(RangeError);
	});
});

describe("twai-receive", () => {
	it("frames-reach-the-ring: standard, extended, remote, stamped with the clock", () => {
		const ring = new FrameRing(16);
		const s = source(ring);
		s.open(clock.now());
		clock.advance(5);
		twai().deliver([
			{ id: 0x7DF, flags: 0, dlc: 2, data: Uint8Array.of(0xAA, 0xBB, 1, 1, 1, 1, 1, 1) },
			{ id: 0x18DAF110, flags: FrameFlag.extended, dlc: 8, data: Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8) },
			{ id: 0x123, flags: FrameFlag.remote, dlc: 4, data: new Uint8Array(8) },
		]);
		const frame = new CanFrame();
		expect(ring.pop(frame)).toBe(true);
		expect([frame.id, frame.flags, frame.dlc, [...frame.data], frame.timestamp]).toEqual([0x7DF, 0, 2, [0xAA, 0xBB, 0, 0, 0, 0, 0, 0], 1005]);
		expect(ring.pop(frame)).toBe(true);
		expect([frame.id, frame.flags, frame.dlc, [...frame.data]]).toEqual([0x18DAF110, FrameFlag.extended, 8, [1, 2, 3, 4, 5, 6, 7, 8]]);
		expect(ring.pop(frame)).toBe(true);
		expect([frame.id, frame.flags, frame.dlc, [...frame.data]]).toEqual([0x123, FrameFlag.remote, 4, [0, 0, 0, 0, 0, 0, 0, 0]]);
		expect(s.status.frames).toBe(3);
	});

	// 1 Mbit/s, 8-byte standard frames with average stuffing: about 111 bits, 9,000 frames a second.
	const RATE_PER_MS = 9;
	const DISPLAY_MS = 33;

	function saturate(ringCapacity: number, notify: boolean, seconds: number, options: Partial<TwaiSourceOptions> = {}) {
		const ring = new FrameRing(ringCapacity);
		const s = source(ring, { bitRate: 1000000, ...options });
		s.open(clock.now());
		twai().notify = notify;
		const frame = new CanFrame();
		let sent = 0, expected = 0, received = 0, outOfOrder = 0;
		for (let ms = 1; ms <= seconds * 1000; ms++) {
			clock.advance(1);
			const batch: MockFrame[] = [];
			for (let i = 0; i < RATE_PER_MS; i++)
				batch.push(numbered(sent++));
			twai().deliver(batch);
			if (ms % DISPLAY_MS === 0) {
				s.step(clock.now());
				while (ring.pop(frame)) {
					const n = sequenceOf(frame);
					if (n !== expected)
						outOfOrder++;
					expected = n + 1;
					received++;
				}
			}
		}
		s.step(clock.now());
		while (ring.pop(frame))
			received++;
		received += twai().queued;
		return { sent, received, outOfOrder, status: s.status, ring };
	}

	it("saturated-bus-no-loss-polled: 9,000 frames/s, drained every 33 ms into a 512-slot ring", () => {
		const r = saturate(512, false, 3);
		expect(r.sent).toBe(27000);
		expect(r.outOfOrder).toBe(0);
		expect(r.received).toBe(r.sent);
		expect(r.ring.dropped).toBe(0);
		expect(r.status.missed).toBe(0);
		expect(r.status.dropped).toBe(0);
	});

	it("batches-go-to-queue-records-in-one-call: 128 records a call, same frames in the same order", () => {
		const calls: number[] = [];
		const r = saturate(512, false, 3, { queueRecords: queueRecordsInto(calls) });
		expect(r.outOfOrder).toBe(0);
		expect(r.received).toBe(r.sent);
		expect(r.ring.dropped).toBe(0);
		expect(Math.max(...calls)).toBe(128);
		expect(calls.reduce((a, b) => a + b, 0)).toBeGreaterThan(r.sent * 0.9);
		// At most one short batch per display tick: the rest go 128 at a time.
		expect(calls.filter(count => count < 128).length).toBeLessThanOrEqual(Math.ceil(3000 / DISPLAY_MS) + 1);
	});

	it("saturated-bus-no-loss-on-readable: frames move at the bus clock, decoded at the display clock", () => {
		const r = saturate(512, true, 3);
		expect(r.outOfOrder).toBe(0);
		expect(r.received).toBe(r.sent);
		expect(r.ring.dropped).toBe(0);
		expect(r.status.missed).toBe(0);
		expect(r.status.frames).toBe(r.sent);
	});

	it("saturated-bus-small-ring-drops-oldest: a 256-slot ring cannot hold 33 ms; it keeps the newest, the loss is counted", () => {
		const ring = new FrameRing(256);
		const s = source(ring, { bitRate: 1000000 });
		s.open(clock.now());
		twai().notify = false;
		let sent = 0;
		for (let tick = 0; tick < 90; tick++) {
			for (let ms = 0; ms < DISPLAY_MS; ms++) {
				clock.advance(1);
				const batch: MockFrame[] = [];
				for (let i = 0; i < RATE_PER_MS; i++)
					batch.push(numbered(sent++));
				twai().deliver(batch);
			}
			s.step(clock.now());
			// 297 frames came this tick: the ring holds the newest 256.
			expect(popAll(ring)).toEqual(range(sent - 256, sent));
		}
		expect(ring.dropped).toBe(90 * (DISPLAY_MS * RATE_PER_MS - 256));
		expect(s.status.missed).toBe(0);
		expect(s.status.dropped).toBe(0); // the controller's 512-slot ring holds a tick's 297
		expect(s.status.frames).toBe(sent);
	});

	for (const batched of [false, true]) {
		it(`overload-keeps-newest${batched ? "-batched" : ""}: the app stalls 300 ms at 9,000 frames/s; the newest frames are kept, the dropped count is exact`, () => {
			const calls: number[] = [];
			const ring = new FrameRing(512);
			const s = source(ring, { bitRate: 1000000, ...(batched ? { queueRecords: queueRecordsInto(calls) } : {}) });
			s.open(clock.now());
			const io = twai();
			io.notify = false;
			let sent = 0;
			const run = (ms: number) => {
				for (let i = 0; i < ms; i++) {
					clock.advance(1);
					const batch: MockFrame[] = [];
					for (let k = 0; k < RATE_PER_MS; k++)
						batch.push(numbered(sent++));
					io.deliver(batch);
				}
			};
			// Running normally: one tick's frames, decoded.
			run(DISPLAY_MS);
			s.step(clock.now());
			expect(popAll(ring)).toEqual(range(0, sent));
			// The app stalls (a long flash write, a slow redraw): no step for 300 ms. The
			// interrupt keeps filling the controller's 512 slots, each frame over the oldest.
			run(300);
			expect(io.queued).toBe(512);
			s.step(clock.now());
			expect(popAll(ring)).toEqual(range(sent - 512, sent));
			const lost = 300 * RATE_PER_MS - 512;
			expect(s.status.dropped).toBe(lost);
			expect(s.status.missed).toBe(0);
			expect(ring.dropped).toBe(0);
			expect(s.status.frames + s.status.dropped).toBe(sent);
			expect(formatBusStatus(s.status)).toContain(`, 0 missed, ${lost} dropped,`);
			// The decoder stalls too: the ring holds a tick of older frames when the controller's
			// 512 newest are moved in; it drops its oldest, so what is left is the newest 512.
			run(DISPLAY_MS);
			s.step(clock.now()); // 297 frames into the ring, not popped
			run(300);
			s.step(clock.now());
			expect(popAll(ring)).toEqual(range(sent - 512, sent));
			expect(ring.dropped).toBe(DISPLAY_MS * RATE_PER_MS);
			expect(s.status.dropped).toBe(2 * lost);
			expect(s.status.missed).toBe(0);
			if (batched)
				expect(Math.max(...calls)).toBe(128);
		});
	}

	it("lost-frames-counted-as-overruns: frames the driver announced and the callback could not read", () => {
		const s = source(new FrameRing(16));
		s.open(clock.now());
		twai().lose(3);
		twai().lose(2);
		twai().poll();
		expect(s.status.overruns).toBe(5);
		expect(formatBusStatus(s.status)).toContain("5 overruns");
	});

	it("burst-beyond-the-ring-drops-oldest: a burst larger than the controller's ring keeps its newest, each drop counted, none missed", () => {
		const ring = new FrameRing(4);
		const s = source(ring, { rxQueueLength: 8 });
		s.open(clock.now());
		twai().notify = false;
		const batch: MockFrame[] = [];
		for (let i = 0; i < 20; i++)
			batch.push(numbered(i));
		twai().deliver(batch); // the ring keeps 12..19; 0..11 dropped, oldest first
		expect(twai().queued).toBe(8);
		s.step(clock.now());
		expect(s.status.dropped).toBe(12);
		expect(s.status.missed).toBe(0);
		expect(twai().queued).toBe(0); // a drain moves everything; the pipeline's ring keeps its newest 4
		expect(ring.dropped).toBe(4);
		expect(popAll(ring)).toEqual([16, 17, 18, 19]);
	});

	it("ring-length-must-be-a-power-of-two", () => {
		expect(() => source(new FrameRing(16), { rxQueueLength: 500 }).open(0)).toThrow(RangeError);
	});

	it("drain-bounded-by-queue-length: a drain moves at most rxQueueLength frames, even when more keep coming", () => {
		const ring = new FrameRing(64);
		const s = source(ring, { rxQueueLength: 16 });
		s.open(clock.now());
		const io = twai();
		io.notify = false;
		let sent = 0;
		const realRead = io.read.bind(io);
		// Frames arrive as fast as they are read: each read finds another one queued.
		io.read = (buffer: Uint8Array) => {
			io.arrive([numbered(sent++)]);
			return realRead(buffer);
		};
		expect(s.drain(clock.now())).toBe(16);
	});
});

describe("twai-bus-off", () => {
	it("listen-only-reads-error-active: its counters say nothing about the bus, its bus errors are still counted", () => {
		const s = source(new FrameRing(16));
		s.open(clock.now());
		const io = twai();
		for (let i = 0; i < 200; i++)
			io.busError(false);
		io.poll();
		expect(s.status.state).toBe(BusState.errorActive);
		expect(s.status.busErrors).toBe(200);
	});

	it("error-states-from-the-driver: warning at 96 stays error-active, REC at 128 makes the node error passive", () => {
		const s = source(new FrameRing(16), { listenOnly: false });
		s.open(clock.now());
		const io = twai();
		for (let i = 0; i < 127; i++)
			io.busError(false);
		expect(io.state).toBe(TwaiState.errorWarning);
		io.poll();
		expect(s.status.state).toBe(BusState.errorActive);
		io.busError(false);
		io.poll();
		expect(s.status.state).toBe(BusState.errorPassive);
		expect(s.status.rxErrors).toBe(128);
		expect(s.status.busErrors).toBe(128);
	});

	it("bus-off-recovers-with-backoff: wait, recover, and the node runs again with no start", () => {
		const s = source(new FrameRing(16), { backoffMs: 100, maxBackoffMs: 400, stableMs: 10000 });
		s.open(clock.now());
		const io = twai();
		for (let i = 0; i < 32; i++)
			io.busError(true);
		expect(io.state).toBe(TwaiState.busOff);
		io.poll(); // the module's period: onError
		expect(s.status.state).toBe(BusState.busOff);
		expect(s.status.busOffs).toBe(1);

		clock.advance(99);
		s.step(clock.now());
		expect(io.calls).toEqual(["start"]);
		clock.advance(1);
		s.step(clock.now());
		expect(io.calls).toEqual(["start", "recover@1100"]);
		expect(s.status.state).toBe(BusState.recovering);

		clock.advance(33);
		s.step(clock.now());
		expect(s.status.state).toBe(BusState.recovering);

		io.completeRecovery();
		io.poll();
		expect(io.calls).toEqual(["start", "recover@1100"]); // twai_node_recover is all it takes
		expect(io.state).toBe(TwaiState.errorActive);
		expect(s.status.recoveries).toBe(1);
		expect(s.status.state).toBe(BusState.errorActive);

		// Frames flow again.
		io.deliver([numbered(1)]);
		expect(s.status.frames).toBe(1);
	});

	it("recovery-and-new-bus-off-between-two-looks: both are counted, and the next recovery follows the back-off", () => {
		const s = source(new FrameRing(16), { backoffMs: 100, maxBackoffMs: 400, stableMs: 10000 });
		s.open(clock.now());
		const io = twai();
		io.goBusOff();
		io.poll();
		s.step(clock.advance(100));
		expect(io.state).toBe(TwaiState.recovering);
		io.completeRecovery();
		io.goBusOff(); // before the module's next period
		s.step(clock.advance(10));
		expect(s.status.recoveries).toBe(1);
		expect(s.status.busOffs).toBe(2);
		s.step(clock.advance(199));
		expect(io.state).toBe(TwaiState.busOff);
		s.step(clock.advance(1));
		expect(io.state).toBe(TwaiState.recovering);
	});

	it("backoff-doubles-to-its-limit-and-resets-when-stable", () => {
		const s = source(new FrameRing(16), { backoffMs: 100, maxBackoffMs: 400, stableMs: 10000 });
		s.open(clock.now());
		const io = twai();
		const waits: number[] = [];
		for (let round = 0; round < 4; round++) {
			io.goBusOff();
			io.poll();
			const offAt = clock.now();
			while (io.state === TwaiState.busOff) {
				clock.advance(1);
				s.step(clock.now());
			}
			waits.push(clock.now() - offAt);
			io.completeRecovery();
			clock.advance(50);
			s.step(clock.now());
		}
		expect(waits).toEqual([100, 200, 400, 400]);
		expect(s.status.busOffs).toBe(4);
		expect(s.status.recoveries).toBe(4);

		clock.advance(10000);
		s.step(clock.now());
		expect(s.currentBackoff).toBe(100);
	});

	it("bus-off-counted-once: repeated error calls while off do not count again", () => {
		const s = source(new FrameRing(16));
		s.open(clock.now());
		twai().goBusOff();
		twai().poll();
		twai().lose(0);
		twai().poll();
		s.step(clock.now());
		expect(s.status.busOffs).toBe(1);
	});

	it("driver-state-rules: start only stopped, stop refused off the bus, recover only bus-off, transmit refused off the bus", () => {
		const io = MockTwaiBus.openTwai({ transmit: 21, receive: 22, bitRate: 500000, listenOnly: false });
		const record = new Uint8Array(TWAI_RECORD_SIZE);
		expect(() => io.write(record)).toThrow("stopped");
		expect(() => io.recover()).toThrow("invalid state"); // a disabled node is not recovered
		io.start();
		expect(() => io.start()).toThrow("invalid state");
		io.write(record);
		io.goBusOff();
		expect(() => io.stop()).toThrow("invalid state");
		expect(() => io.write(record)).toThrow("bus-off");
		io.recover();
		expect(() => io.stop()).toThrow("invalid state");
		io.completeRecovery();
		io.write(record);
		io.stop();
		expect(io.state).toBe(TwaiState.stopped);
		io.close();
	});
});

describe("twai-listen-only", () => {
	it("listen-only-never-writes: a session with traffic, errors, bus-off and recovery makes no write", () => {
		const s = source(new FrameRing(64));
		s.open(clock.now());
		const io = twai();
		io.deliver([numbered(1), numbered(2)]);
		for (let i = 0; i < 40; i++)
			io.busError(false);
		io.goBusOff();
		io.poll();
		clock.advance(1000);
		s.step(clock.now());
		io.completeRecovery();
		io.poll();
		s.step(clock.now());
		expect(s.status.recoveries).toBe(1);
		expect(io.writes.length).toBe(0);
		expect(() => s.send(new CanFrame())).toThrow("listen-only");
		expect(io.writes.length).toBe(0);
	});

	it("transmit-is-explicit: with listenOnly false a frame reaches the driver as a record", () => {
		const s = source(new FrameRing(16), { listenOnly: false });
		s.open(clock.now());
		expect(twai().options.listenOnly).toBe(false);
		const frame = new CanFrame();
		frame.id = 0x7DF;
		frame.dlc = 8;
		frame.data.set([2, 1, 0x0D, 0, 0, 0, 0, 0]);
		expect(s.send(frame)).toBe(true);
		const record = twai().writes[0];
		expect(recordId(record, 0)).toBe(0x7DF);
		expect([...record.subarray(8)]).toEqual([2, 1, 0x0D, 0, 0, 0, 0, 0]);
		expect(s.description).toBe("twai 500 kbit/s normal");
	});

	it("transmit-only-while-running: off the bus, send refuses before the driver is asked", () => {
		const s = source(new FrameRing(16), { listenOnly: false });
		s.open(clock.now());
		twai().goBusOff();
		twai().poll();
		expect(() => s.send(new CanFrame())).toThrow("closed");
		expect(twai().writes.length).toBe(0);
	});
});

describe("twai-close", () => {
	it("close-and-reopen: the driver is released, counters carry over, frames flow again", () => {
		const ring = new FrameRing(16);
		const s = source(ring);
		s.open(clock.now());
		const first = twai();
		first.lose(2);
		first.deliver([numbered(1)]);
		first.ring.dropped = 5; // as if the ring had dropped 5
		s.close();
		expect(first.closed).toBe(true);
		expect(MockTwaiBus.open).toBeNull();
		expect(s.isOpen).toBe(false);
		expect(s.status.state).toBe(BusState.stopped);
		s.step(clock.now()); // closed: nothing happens
		s.close(); // twice is fine

		s.open(clock.now());
		const second = twai();
		expect(second).not.toBe(first);
		expect(MockTwaiBus.opened.length).toBe(2);
		second.lose(1);
		second.deliver([numbered(2)]);
		expect(s.status.overruns).toBe(3);
		second.ring.dropped = 1;
		s.step(clock.now());
		expect(s.status.dropped).toBe(6);
		expect(s.status.frames).toBe(2);
		expect(ring.length).toBe(2);
	});

	it("use-after-close: the closed controller refuses calls", () => {
		const s = source(new FrameRing(16));
		s.open(clock.now());
		const io = twai();
		s.close();
		expect(() => io.read(new Uint8Array(TWAI_RECORD_SIZE))).toThrow("closed");
	});
});

describe("twai-fuzz", () => {
	function random(seed: number) {
		let x = seed;
		return () => {
			x = (Math.imul(x, 1103515245) + 12345) >>> 0;
			return x / 4294967296;
		};
	}

	const running = (state: number) => state === TwaiState.errorActive || state === TwaiState.errorWarning || state === TwaiState.errorPassive;

	for (const seed of [3, 11, 2026]) {
		it(`supervisor-fuzz-${seed}: only legal driver calls, frames in order, every bus-off recovered`, () => {
			// The mock throws on a call the real driver refuses (start when not stopped,
			// recover when not bus-off), so any supervisor mistake fails the test. State
			// changes reach the supervisor at the module's period (poll) or its own step.
			const rand = random(seed);
			const ring = new FrameRing(64);
			const s = source(ring, { backoffMs: 20, maxBackoffMs: 160, stableMs: 500 });
			s.open(clock.now());
			const frame = new CanFrame();
			let sent = 0, expected = 0, received = 0;
			for (let step = 0; step < 20000; step++) {
				const io = twai();
				const r = rand();
				if (r < 0.4)
					io.deliver([numbered(sent++)]);
				else if (r < 0.45)
					io.busError(rand() < 0.5);
				else if (r < 0.46 && running(io.state))
					io.goBusOff();
				else if (r < 0.5 && io.state === TwaiState.recovering)
					io.completeRecovery();
				else if (r < 0.51)
					io.poll();
				else if (r < 0.52)
					io.lose(1);
				else if (r < 0.5205) {
					s.close();
					s.open(clock.now());
				}
				else
					s.step(clock.advance(Math.floor(rand() * 10)));
				while (ring.pop(frame)) {
					const n = sequenceOf(frame);
					expect(n).toBeGreaterThanOrEqual(expected); // in order; a reopen or bus-off may lose the queue
					expected = n + 1;
					received++;
				}
			}
			const io = twai();
			s.step(clock.advance(1));
			while (ring.pop(frame))
				received++;
			// No silent loss: every frame the callback put into a ring was read, dropped (counted), or left there by a close.
			const accepted = MockTwaiBus.opened.reduce((sum, t) => sum + t.accepted, 0);
			const discarded = MockTwaiBus.opened.reduce((sum, t) => sum + t.discarded, 0);
			expect(received + ring.dropped + s.status.dropped + io.queued + discarded).toBe(accepted);
			expect(received).toBeGreaterThan(0);
			expect(MockTwaiBus.opened.every((t) => t.writes.length === 0)).toBe(true);
			expect(s.status.recoveries).toBeLessThanOrEqual(s.status.busOffs);
			expect(s.status.busOffs).toBeGreaterThan(0);
			// Whatever state it ended in, the supervisor brings it back to running.
			for (let i = 0; i < 100 && !running(io.state); i++) {
				if (io.state === TwaiState.recovering)
					io.completeRecovery();
				s.step(clock.advance(10));
			}
			expect(running(io.state)).toBe(true);
			expect(s.status.state === BusState.errorActive || s.status.state === BusState.errorPassive).toBe(true);
		});
	}
});
