/*
 * SlcanSerialSource against the mock serial port: adapter setup, frames cut
 * into arbitrary chunks, flow control, listen-only, close and reopen.
 * Node (vitest).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { BusState } from "../modules/can/bus-status.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { SlcanSerialSource, type SlcanSerialOptions } from "../modules/can/slcan-serial.js";
import { FakeClock } from "./fixtures/clock.js";
import { MockSerial, MockSerialBus } from "./fixtures/mock-serial.js";

let clock: FakeClock;

beforeEach(() => {
	MockSerialBus.reset();
	clock = new FakeClock(500);
});

function source(ring: FrameRing, options: Partial<SlcanSerialOptions> = {}): SlcanSerialSource {
	return new SlcanSerialSource(ring, {
		openSerial: (callbacks) => new MockSerial({ receive: 16, transmit: 17, baud: 115200, port: 2, ...callbacks }),
		clock: clock.now,
		bitRate: 500000,
		...options,
	});
}

function port(): MockSerial {
	return MockSerialBus.opened[MockSerialBus.opened.length - 1];
}

function ids(ring: FrameRing): number[] {
	const out: number[] = [], frame = new CanFrame();
	while (ring.pop(frame))
		out.push(frame.id);
	return out;
}

/** A deterministic generator for chunk sizes. */
function chunkSizes(seed: number, count: number): number[] {
	const out: number[] = [];
	let x = seed;
	for (let i = 0; i < count; i++) {
		x = (x * 1103515245 + 12345) & 0x7FFFFFFF;
		out.push(1 + (x % 17));
	}
	return out;
}

describe("slcan-serial", () => {
	it("setup-listen-only: close, bit rate, no timestamps, open listen-only", () => {
		const s = source(new FrameRing(16));
		s.open(clock.now());
		expect(port().text).toBe("C\rS6\rZ0\rL\r");
		expect(s.status.state).toBe(BusState.errorActive);
		expect(s.description).toBe("slcan 500 kbit/s listen-only");
	});

	it("setup-normal-with-timestamps", () => {
		source(new FrameRing(16), { bitRate: 125000, listenOnly: false, timestamps: true }).open(clock.now());
		expect(port().text).toBe("C\rS4\rZ1\rO\r");
	});

	it("setup-rejects-unknown-rate", () => {
		expect(() => source(new FrameRing(16), { bitRate: 83333 })).toThrow(RangeError);
	});

	it("frames-in-arbitrary-chunks: every split point gives the same frames", () => {
		const text = "t1232AABB\rT18DAF11080102030405060708\rr7DF0\r\x07t7E83410D3C\r";
		for (let cut = 1; cut < text.length; cut++) {
			const ring = new FrameRing(16);
			const s = source(ring);
			s.open(clock.now());
			port().deliver(text, [cut]);
			expect(ids(ring)).toEqual([0x123, 0x18DAF110, 0x7DF, 0x7E8]);
			expect(s.parser.adapterErrors).toBe(1);
			s.close();
		}
	});

	it("frames-fields-and-clock: data, flags and host time reach the ring", () => {
		const ring = new FrameRing(16);
		source(ring).open(clock.now());
		clock.advance(12);
		port().deliver("T18DAF11080102030405060770\rr1232\r", [3, 9, 1]);
		const frame = new CanFrame();
		expect(ring.pop(frame)).toBe(true);
		expect([frame.id, frame.flags, frame.dlc, [...frame.data], frame.timestamp]).toEqual([0x18DAF110, FrameFlag.extended, 8, [1, 2, 3, 4, 5, 6, 7, 0x70], 512]);
		expect(ring.pop(frame)).toBe(true);
		expect([frame.id, frame.flags, frame.dlc]).toEqual([0x123, FrameFlag.remote, 2]);
	});

	it("burst-in-random-chunks-no-loss: 3,000 frames drained at the display clock", () => {
		const ring = new FrameRing(512);
		const s = source(ring);
		s.open(clock.now());
		port().notify = false;
		let text = "";
		for (let i = 0; i < 3000; i++)
			text += `t${(0x100 + (i & 0xFF)).toString(16).toUpperCase()}2${(i & 0xFF).toString(16).padStart(2, "0").toUpperCase()}${((i >> 8) & 0xFF).toString(16).padStart(2, "0").toUpperCase()}\r`;
		const sizes = chunkSizes(42, 4000);
		const frame = new CanFrame();
		let received = 0, outOfOrder = 0, at = 0, chunk = 0;
		while (at < text.length) {
			// About 33 ms of a 115200 baud line: 380 bytes, in random chunks.
			const end = Math.min(text.length, at + 380);
			const piece = text.slice(at, end);
			port().deliver(piece, sizes.slice(chunk, chunk + 40));
			chunk += 40;
			at = end;
			s.step(clock.advance(33));
			while (ring.pop(frame)) {
				if ((frame.data[0] | (frame.data[1] << 8)) !== received)
					outOfOrder++;
				received++;
			}
		}
		expect(received).toBe(3000);
		expect(outOfOrder).toBe(0);
		expect(ring.dropped).toBe(0);
		expect(s.status.frames).toBe(3000);
		expect(s.parser.malformed).toBe(0);
	});

	it("ring-full-drops-the-oldest: the port is emptied, the ring keeps the newest frames", () => {
		const ring = new FrameRing(4);
		const s = source(ring, { readSize: 8 });
		s.open(clock.now());
		port().notify = false;
		port().deliver("t1000\rt1010\rt1020\rt1030\rt1040\rt1050\r");
		s.step(clock.now());
		expect(port().waiting).toBe(0);
		expect(ring.dropped).toBe(2);
		expect(ids(ring)).toEqual([0x102, 0x103, 0x104, 0x105]);
		expect(s.status.frames).toBe(6);
	});

	it("listen-only-never-writes-frames: the host sends only the setup and close commands", () => {
		const s = source(new FrameRing(64));
		s.open(clock.now());
		port().deliver("t1232AABB\r\x07z\r");
		s.close();
		expect(port().text).toBe("C\rS6\rZ0\rL\rC\r");
		expect(port().text).not.toMatch(/[tTrR]/);
	});

	it("close-and-reopen: the port is released, a partial line is finished, a new port is set up", () => {
		const ring = new FrameRing(16);
		const s = source(ring);
		s.open(clock.now());
		const first = port();
		first.deliver("t1230\rt45");
		s.close();
		expect(first.closed).toBe(true);
		expect(s.status.state).toBe(BusState.stopped);
		expect(s.isOpen).toBe(false);
		s.close();
		s.step(clock.now());
		s.open(clock.now());
		expect(MockSerialBus.opened.length).toBe(2);
		port().deliver("t3210\r");
		expect(ids(ring)).toEqual([0x123, 0x321]);
	});
});
