import { describe, expect, test } from "vitest";
import { CanFrame, FrameFlag, frameBits } from "../modules/can/frame.js";
import type { FrameRing } from "../modules/can/ring.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { ObdPoller } from "../modules/obd/poller.js";
import { CandumpRecorder } from "../modules/can/recorder.js";
import { Health, Pipeline, formatHealth, matchesTapIds, tapIds, type FrameTap } from "../modules/signals/pipeline.js";
import { database, message, signal } from "./support/dbc-builder.js";

const plan = new DecodePlan(compilePlan(database([
	message({ id: 0x100, name: "A", cycleTime: 100, signals: [signal({ name: "X", startBit: 0, length: 8 })] }),
])).buffer);

function push(pipeline: Pipeline, id: number, bytes: number[], flags = 0, timestamp = 0): void {
	const frame = new CanFrame();
	frame.id = id;
	frame.flags = flags;
	frame.dlc = bytes.length;
	frame.data.set(bytes);
	frame.timestamp = timestamp;
	pipeline.ring.push(frame);
}

describe("pipeline", () => {
	test("pump-decodes-what-is-queued-and-counts-bus-bits", () => {
		const pipeline = new Pipeline(plan, { ringCapacity: 8 });
		push(pipeline, 0x100, [7]);
		push(pipeline, 0x18000000, [1, 2, 3, 4, 5, 6, 7, 8], FrameFlag.extended);
		push(pipeline, 0x100, [9]);
		expect(pipeline.pump(2)).toBe(2);
		expect(pipeline.store.value(0)).toBe(7);
		expect(pipeline.pump()).toBe(1);
		expect(pipeline.store.value(0)).toBe(9);
		expect(pipeline.bits).toBe(2 * frameBits(1, false) + frameBits(8, true));
		const health = pipeline.health(50, new Health());
		expect(health).toMatchObject({ received: 3, decoded: 2, dropped: 0, unknown: 1, stale: 0, signals: 1 });
		expect(formatHealth(health)).toBe("frames 3 received, 2 decoded, 0 dropped, 1 unknown id; 0/1 signals stale");
	});

	test("a-decoder-that-pumps-drains-the-ring-in-one-call", () => {
		let calls = 0;
		const pipeline = new Pipeline(plan, {
			decoder: p => {
				const inner = new Decoder(p);
				const frame = new CanFrame();
				return Object.assign(inner, {
					bits: 0,
					pump(ring: FrameRing, max: number) {
						calls++;
						let n = 0;
						while (n < max && ring.pop(frame)) {
							inner.decode(frame);
							this.bits += 100;
							n++;
						}
						return n;
					},
				});
			},
		});
		push(pipeline, 0x100, [1]);
		push(pipeline, 0x100, [2]);
		expect(pipeline.pump()).toBe(2);
		expect(calls).toBe(1);
		expect(pipeline.bits).toBe(200);
		expect(pipeline.store.value(0)).toBe(2);
	});

	test("a-tap-with-ids-keeps-the-one-call-pump-and-is-offered-only-its-frames", () => {
		let pumps = 0, recordCalls = 0;
		const decoded: number[] = [];
		const pipeline = new Pipeline(plan, {
			decoder: p => {
				const inner = new Decoder(p);
				const frame = new CanFrame();
				return Object.assign(inner, {
					bits: 0,
					decode(f: CanFrame) {
						decoded.push(f.id);
						return Decoder.prototype.decode.call(inner, f);
					},
					// What the native engine does: stop before the first frame the filter matches.
					pump(ring: FrameRing, max: number, filter?: Uint32Array | null) {
						pumps++;
						const r = ring.storage();
						let n = 0;
						while (n < max && r.count > 0) {
							frame.id = r.ids[r.head];
							frame.flags = r.flags[r.head];
							if (filter && matchesTapIds(filter, frame))
								break;
							ring.pop(frame);
							this.decode(frame);
							this.bits += 100;
							n++;
						}
						return n;
					},
					record(ring: FrameRing, recorder: CandumpRecorder, max: number) {
						recordCalls++;
						return Math.min(max, ring.length);
					},
				});
			},
		});
		const offered: number[] = [], received: number[] = [];
		const tap: FrameTap = {
			ids: tapIds([{ id: 0x7E8, mask: 0x7F8, extended: false }, { id: 0x18DAF100, mask: 0x1FFFFF00, extended: true }]),
			takes(f) {
				offered.push(f.id);
				return f.id !== 0x7EF;
			},
			receive(f) {
				received.push(f.id);
			},
		};
		pipeline.tap = tap;
		pipeline.recorder = new CandumpRecorder({ sink: { write() {} }, maxBytes: 1 << 20 });
		for (const [id, flags] of [[0x100, 0], [0x7E8, 0], [0x7E8, FrameFlag.extended], [0x100, 0], [0x7EF, 0], [0x18DAF1A0, FrameFlag.extended], [0x100, 0]])
			push(pipeline, id, [1, 2, 3], flags);
		expect(pipeline.pump()).toBe(7);
		expect(offered).toEqual([0x7E8, 0x7EF, 0x18DAF1A0]);
		expect(received).toEqual([0x7E8, 0x18DAF1A0]);
		// The 29-bit 0x7E8 does not match the 11-bit pattern; the 0x7EF the tap declined is decoded.
		expect(decoded).toEqual([0x100, 0x7E8, 0x100, 0x7EF, 0x100]);
		expect(pumps).toBe(4);
		expect(recordCalls).toBe(1);
		expect(pipeline.pumped).toBe(7);
		expect(pipeline.bits).toBe(400 + frameBits(3, false) * 2 + frameBits(3, true));
	});

	test("tap-ids-refuse-ids-that-do-not-fit-and-too-many-patterns", () => {
		expect(() => tapIds([{ id: 0x800, extended: false }])).toThrow(RangeError);
		expect(() => tapIds(Array.from({ length: 17 }, () => ({ id: 1, extended: false })))).toThrow(RangeError);
		const exact = tapIds([{ id: 0x123, extended: false }]);
		const frame = new CanFrame();
		frame.id = 0x123;
		expect(matchesTapIds(exact, frame)).toBe(true);
		frame.flags = FrameFlag.extended;
		expect(matchesTapIds(exact, frame)).toBe(false);
	});

	test("the-obd-poller-declares-every-id-it-takes", () => {
		for (const extended of [false, true]) {
			const poller = new ObdPoller({ transmit: () => true, pids: [{ pid: 0x0C, periodMs: 100 }], enabled: true, extended });
			const frame = new CanFrame();
			let taken = 0;
			for (let k = 0; k < 200000; k++) {
				frame.flags = k & 7;
				frame.id = k % 3 === 0 ? (0x18DAF000 + (k & 0x3FF)) : k % 3 === 1 ? 0x7E0 + (k & 0x1F) : (k * 2654435761) >>> 3;
				if (!(frame.flags & FrameFlag.extended))
					frame.id &= 0x7FF;
				if (poller.takes(frame)) {
					taken++;
					expect(matchesTapIds(poller.ids, frame)).toBe(true);
				}
			}
			expect(taken).toBeGreaterThan(100);
		}
	});
});
