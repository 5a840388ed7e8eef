import { describe, expect, test } from "vitest";
import { CanFrame, FrameFlag, frameBits } from "../modules/can/frame.js";
import type { FrameRing } from "../modules/can/ring.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { Health, Pipeline, formatHealth } from "../modules/signals/pipeline.js";
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
		expect(pipeline.store.values[0]).toBe(7);
		expect(pipeline.pump()).toBe(1);
		expect(pipeline.store.values[0]).toBe(9);
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
		expect(pipeline.store.values[0]).toBe(2);
	});
});
