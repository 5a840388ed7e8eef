/*
 * FrameRing: capacity rules, FIFO order, wrap-around, the drop-oldest overflow
 * policy, and that a queued frame is never corrupted. Node (vitest).
 */
import { describe, expect, it } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";

/** A frame whose every field is derived from `n`, so a popped frame can be checked whole. */
function frameFor(n: number): CanFrame {
	const frame = new CanFrame();
	fill(frame, n);
	return frame;
}

function fill(frame: CanFrame, n: number): void {
	frame.id = (n * 2654435761) % 0x1FFFFFFF;
	frame.flags = n % 8;
	frame.dlc = n % 9;
	for (let i = 0; i < 8; i++)
		frame.data[i] = i < frame.dlc ? (n * 31 + i * 7) & 0xFF : 0;
	frame.timestamp = 1579857014345.944 + n * 0.001;
}

function expectFrame(actual: CanFrame, n: number): void {
	const expected = frameFor(n);
	expect({ id: actual.id, flags: actual.flags, dlc: actual.dlc, data: [...actual.data], timestamp: actual.timestamp })
		.toEqual({ id: expected.id, flags: expected.flags, dlc: expected.dlc, data: [...expected.data], timestamp: expected.timestamp });
}

describe("FrameRing", () => {
	it("capacity-must-be-power-of-two-2-to-65536", () => {
		for (const bad of [0, 1, 3, 6, 12, 65537, 131072, -2, 2.5, 4.5, Number.NaN, Infinity])
			expect(() => new FrameRing(bad), String(bad)).toThrow(RangeError);
		for (const good of [2, 4, 256, 65536])
			expect(new FrameRing(good).capacity).toBe(good);
	});

	it("pop-on-empty-returns-false-and-leaves-frame-alone", () => {
		const ring = new FrameRing(4);
		const frame = frameFor(5);
		expect(ring.pop(frame)).toBe(false);
		expectFrame(frame, 5);
		expect(ring.length).toBe(0);
	});

	it("fifo-order", () => {
		const ring = new FrameRing(8);
		for (let n = 0; n < 8; n++)
			ring.push(frameFor(n));
		expect(ring.length).toBe(8);
		const out = new CanFrame();
		for (let n = 0; n < 8; n++) {
			expect(ring.pop(out)).toBe(true);
			expectFrame(out, n);
		}
		expect(ring.pop(out)).toBe(false);
	});

	it("wrap-around-many-times", () => {
		const ring = new FrameRing(4);
		const scratch = new CanFrame(), out = new CanFrame();
		let pushed = 0, popped = 0;
		// Uneven batches move head and tail across the end of the storage over and over.
		for (let round = 0; round < 2000; round++) {
			const batch = 1 + (round % 4);
			for (let k = 0; k < batch && ring.length < ring.capacity; k++) {
				fill(scratch, pushed++);
				ring.push(scratch);
			}
			const take = 1 + ((round * 7) % 4);
			for (let k = 0; k < take && ring.length > 0; k++) {
				expect(ring.pop(out)).toBe(true);
				expectFrame(out, popped++);
			}
		}
		expect(pushed).toBeGreaterThan(4000);
		expect(ring.dropped).toBe(0);
		expect(ring.pushed).toBe(pushed);
		expect(ring.length).toBe(pushed - popped);
	});

	it("overflow-drops-oldest-and-counts", () => {
		const ring = new FrameRing(4);
		for (let n = 0; n < 10; n++)
			ring.push(frameFor(n));
		expect(ring.length).toBe(4);
		expect(ring.dropped).toBe(6);
		expect(ring.pushed).toBe(10);
		const out = new CanFrame();
		for (let n = 6; n < 10; n++) {
			expect(ring.pop(out)).toBe(true);
			expectFrame(out, n);
		}
		expect(ring.pop(out)).toBe(false);
	});

	it("queued-frame-never-corrupted", () => {
		const ring = new FrameRing(8);
		const scratch = new CanFrame(), out = new CanFrame();
		let next = 0, expected = 0;
		for (let round = 0; round < 500; round++) {
			// Push more than fits now and then, so overflow reuses slots under queued frames.
			const batch = round % 5 === 0 ? 13 : 3;
			for (let k = 0; k < batch; k++) {
				fill(scratch, next++);
				ring.push(scratch);
				// The ring copied: changing the caller's frame afterwards changes nothing queued.
				scratch.data.fill(0xEE);
				scratch.id = 0x7FF;
			}
			expected = Math.max(expected, next - ring.length);
			for (let k = 0; k < 2 && ring.pop(out); k++)
				expectFrame(out, expected++);
		}
		while (ring.pop(out))
			expectFrame(out, expected++);
		expect(expected).toBe(next);
		expect(ring.pushed).toBe(next);
		expect(ring.dropped).toBeGreaterThan(0);
	});

	it("pushFields-copies-length-bytes-and-zero-fills", () => {
		const ring = new FrameRing(2);
		const out = new CanFrame();
		// Leave 0xFF in every slot first, so stale bytes would show.
		const full = frameFor(8);
		full.data.fill(0xFF);
		ring.push(full);
		ring.push(full);
		ring.pop(out);
		ring.pop(out);
		const source = new Uint8Array([0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19]);
		ring.pushFields(0x1ABCDEF0 & 0x1FFFFFFF, FrameFlag.extended, 3, source, 4, 3, 12.5);
		ring.pushFields(0x123, FrameFlag.remote, 5, source, 0, 0, 13);
		expect(ring.pop(out)).toBe(true);
		expect(out.id).toBe(0x1ABCDEF0);
		expect(out.flags).toBe(FrameFlag.extended);
		expect(out.dlc).toBe(3);
		expect([...out.data]).toEqual([0x14, 0x15, 0x16, 0, 0, 0, 0, 0]);
		expect(out.timestamp).toBe(12.5);
		expect(ring.pop(out)).toBe(true);
		expect(out.remote).toBe(true);
		expect(out.dlc).toBe(5);
		expect([...out.data]).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
	});

	it("keeps-29-bit-ids-and-float64-timestamps", () => {
		const ring = new FrameRing(2);
		const frame = new CanFrame(), out = new CanFrame();
		frame.id = 0x1FFFFFFF;
		frame.flags = FrameFlag.extended | FrameFlag.remote | FrameFlag.error;
		frame.timestamp = 1579857014345.944;
		ring.push(frame);
		ring.pop(out);
		expect(out.id).toBe(0x1FFFFFFF);
		expect(out.extended && out.remote && out.error).toBe(true);
		expect(out.timestamp).toBe(1579857014345.944);
	});

	it("reset-empties-zeroes-counters-and-reuses-instance", () => {
		const ring = new FrameRing(4);
		for (let n = 0; n < 7; n++)
			ring.push(frameFor(n));
		const out = new CanFrame();
		ring.pop(out);
		ring.reset();
		expect(ring.length).toBe(0);
		expect(ring.dropped).toBe(0);
		expect(ring.pushed).toBe(0);
		expect(ring.pop(out)).toBe(false);
		for (let n = 100; n < 106; n++)
			ring.push(frameFor(n));
		expect(ring.dropped).toBe(2);
		for (let n = 102; n < 106; n++) {
			expect(ring.pop(out)).toBe(true);
			expectFrame(out, n);
		}
	});
});
