/*
 * Mcp2515Source against the MCP2515 register model behind a mock SPI and a
 * mock INT pin: bit timing, the init sequence, filters, both receive buffers
 * with rollover, overflow counting, bus-off handling, a saturated bus,
 * listen-only, close and reopen. Node (vitest).
 */
import { beforeEach, describe, expect, it } from "vitest";
import { BusState } from "../modules/can/bus-status.js";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import {
	Mcp2515Mode, Mcp2515Source, mcp2515BitTiming, type Mcp2515Options,
} from "../modules/can/mcp2515.js";
import { FrameRing } from "../modules/can/ring.js";
import { FakeClock } from "./fixtures/clock.js";
import { Mcp2515Model } from "./fixtures/mcp2515-model.js";
import { Edge, MockDigital } from "./fixtures/mock-digital.js";
import { MockSpi, MockSpiBus } from "./fixtures/mock-spi.js";

let clock: FakeClock;
let model: Mcp2515Model;
let int: MockDigital | null;

beforeEach(() => {
	MockSpiBus.reset();
	clock = new FakeClock(1000);
	model = new Mcp2515Model();
	int = null;
});

function source(ring: FrameRing, options: Partial<Mcp2515Options> = {}, wired = true): Mcp2515Source {
	return new Mcp2515Source(ring, {
		openSpi: () => new MockSpi({ clock: 18, out: 23, in: 19, select: 27, hz: 8000000 }, model),
		openInterrupt: wired ? (onInterrupt) => {
			const pin = new MockDigital({ pin: 32, edge: Edge.falling, onReadable: onInterrupt }, model.interruptLevel);
			model.onInterrupt = (level) => pin.drive(level);
			int = pin;
			return pin;
		} : undefined,
		clock: clock.now,
		crystal: 8000000,
		bitRate: 500000,
		...options,
	});
}

function popAll(ring: FrameRing) {
	const out: { id: number; flags: number; dlc: number; data: number[]; timestamp: number }[] = [];
	const frame = new CanFrame();
	while (ring.pop(frame))
		out.push({ id: frame.id, flags: frame.flags, dlc: frame.dlc, data: [...frame.data], timestamp: frame.timestamp });
	return out;
}

describe("mcp2515-bit-timing", () => {
	const rates = [125000, 250000, 500000, 1000000];
	for (const crystal of [8000000, 16000000]) {
		for (const rate of rates) {
			if (crystal === 8000000 && rate === 1000000)
				continue;
			it(`timing-${crystal / 1e6}mhz-${rate / 1000}k: exact rate within the datasheet's rules`, () => {
				const t = mcp2515BitTiming(crystal, rate);
				expect(crystal / (2 * (t.brp + 1) * t.quanta)).toBe(rate);
				expect(1 + t.propagation + t.phase1 + t.phase2).toBe(t.quanta);
				expect(t.quanta).toBeGreaterThanOrEqual(8);
				expect(t.quanta).toBeLessThanOrEqual(25);
				expect(t.phase2).toBeGreaterThanOrEqual(2);
				expect(t.propagation + t.phase1).toBeGreaterThanOrEqual(t.phase2);
				expect(t.phase2).toBeGreaterThan(t.sjw);
				for (const seg of [t.propagation, t.phase1, t.phase2])
					expect(seg >= 1 && seg <= 8).toBe(true);
				expect(t.samplePoint).toBeGreaterThanOrEqual(0.75);
				expect(t.samplePoint).toBeLessThanOrEqual(0.875);
				// Register fields decode back to the same segments.
				expect(t.cnf1 & 0x3F).toBe(t.brp);
				expect(((t.cnf2 >> 3) & 7) + 1).toBe(t.phase1);
				expect((t.cnf2 & 7) + 1).toBe(t.propagation);
				expect(t.cnf2 & 0x80).toBe(0x80);
				expect((t.cnf3 & 7) + 1).toBe(t.phase2);
			});
		}
	}

	it("timing-known-values: 16 MHz 500k is BRP 0, 16 TQ, sampled at 87.5 %", () => {
		const t = mcp2515BitTiming(16000000, 500000);
		expect([t.brp, t.quanta, t.propagation, t.phase1, t.phase2]).toEqual([0, 16, 6, 7, 2]);
		expect([t.cnf1, t.cnf2, t.cnf3]).toEqual([0x00, 0xB5, 0x01]);
		expect(t.samplePoint).toBe(0.875);
	});

	it("timing-8mhz-1m-impossible: 4 TQ per bit is below CAN's minimum", () => {
		expect(() => mcp2515BitTiming(8000000, 1000000)).toThrow(RangeError);
		expect(() => source(new FrameRing(16), { bitRate: 1000000 })).toThrow("cannot make 1000000 bit/s");
	});
});

describe("mcp2515-init", () => {
	it("init-sequence: reset, timing in configuration mode, interrupts, then listen-only", () => {
		const s = source(new FrameRing(16));
		s.open(clock.now());
		const r = model.registers;
		const t = mcp2515BitTiming(8000000, 500000);
		expect(model.resets).toBe(1);
		expect(model.instructions[0]).toBe(0xC0);
		expect([r[0x2A], r[0x29], r[0x28]]).toEqual([t.cnf1, t.cnf2, t.cnf3]);
		expect(model.ignoredWrites).toBe(0); // every protected register written in configuration mode
		expect(r[0x2B]).toBe(0xA3); // RX0IE | RX1IE | ERRIE | MERRE
		expect(r[0x60] & 0x64).toBe(0x64); // RXB0: any frame, rollover
		expect(r[0x70] & 0x60).toBe(0x60);
		expect(model.mode).toBe(Mcp2515Mode.listenOnly);
		expect(s.status.state).toBe(BusState.errorActive);
		expect(s.description).toBe("mcp2515 500 kbit/s listen-only");
	});

	it("init-normal-mode-when-transmitting", () => {
		source(new FrameRing(16), { listenOnly: false }).open(clock.now());
		expect(model.mode).toBe(Mcp2515Mode.normal);
	});

	it("init-missing-chip: no answer on SPI is an error, and SPI is released", () => {
		model.present = false;
		const s = source(new FrameRing(16));
		expect(() => s.open(clock.now())).toThrow("not responding");
		expect(s.isOpen).toBe(false);
		expect(MockSpiBus.opened[0].closed).toBe(true);
	});

	it("init-16mhz-timing-reaches-the-chip", () => {
		source(new FrameRing(16), { crystal: 16000000, bitRate: 1000000 }).open(clock.now());
		const t = mcp2515BitTiming(16000000, 1000000);
		expect([model.registers[0x2A], model.registers[0x29], model.registers[0x28]]).toEqual([t.cnf1, t.cnf2, t.cnf3]);
	});
});

describe("mcp2515-receive", () => {
	it("receive-standard-extended-remote: decoded from the buffer registers, stamped with the clock", () => {
		const ring = new FrameRing(16);
		source(ring).open(clock.now());
		clock.advance(7);
		model.receive({ id: 0x7E8, dlc: 3, data: [0x41, 0x0D, 0x3C] });
		model.receive({ id: 0x18DAF110, extended: true, dlc: 8, data: [1, 2, 3, 4, 5, 6, 7, 8] });
		model.receive({ id: 0x123, remote: true, dlc: 2 });
		model.receive({ id: 0x1ABCDE, extended: true, remote: true, dlc: 8 });
		expect(popAll(ring)).toEqual([
			{ id: 0x7E8, flags: 0, dlc: 3, data: [0x41, 0x0D, 0x3C, 0, 0, 0, 0, 0], timestamp: 1007 },
			{ id: 0x18DAF110, flags: FrameFlag.extended, dlc: 8, data: [1, 2, 3, 4, 5, 6, 7, 8], timestamp: 1007 },
			{ id: 0x123, flags: FrameFlag.remote, dlc: 2, data: [0, 0, 0, 0, 0, 0, 0, 0], timestamp: 1007 },
			{ id: 0x1ABCDE, flags: FrameFlag.extended | FrameFlag.remote, dlc: 8, data: [0, 0, 0, 0, 0, 0, 0, 0], timestamp: 1007 },
		]);
		expect(model.registers[0x2C] & 3).toBe(0); // READ RX BUFFER cleared RXnIF
		expect(model.interruptLevel).toBe(1);
	});

	it("both-buffers-rollover: with no service, RXB0 then RXB1 fill, read back oldest first", () => {
		const ring = new FrameRing(16);
		const s = source(ring, {}, false);
		s.open(clock.now());
		expect(model.receive({ id: 0x100, dlc: 1, data: [1] })).toBe("rxb0");
		expect(model.receive({ id: 0x101, dlc: 1, data: [2] })).toBe("rxb1");
		s.step(clock.now());
		expect(popAll(ring).map((f) => f.id)).toEqual([0x100, 0x101]);
		expect(s.status.overruns).toBe(0);
	});

	it("overrun-counted: a third frame with both buffers full is lost and counted once, then cleared", () => {
		const ring = new FrameRing(16);
		const s = source(ring, {}, false);
		s.open(clock.now());
		model.receive({ id: 0x100, dlc: 0 });
		model.receive({ id: 0x101, dlc: 0 });
		expect(model.receive({ id: 0x102, dlc: 0 })).toBe("lost");
		expect(model.registers[0x2D] & 0x80).toBe(0x80); // RX1OVR: rollover target full
		s.step(clock.now());
		expect(s.status.overruns).toBe(1);
		expect(model.registers[0x2D] & 0xC0).toBe(0);
		expect(model.registers[0x2C] & 0x20).toBe(0); // ERRIF cleared
		expect(popAll(ring).map((f) => f.id)).toEqual([0x100, 0x101]);
	});

	it("ring-full-drops-the-oldest: the chip is emptied, the ring keeps the newest frames", () => {
		const ring = new FrameRing(2);
		const s = source(ring);
		s.open(clock.now());
		for (let i = 0; i < 5; i++)
			model.receive({ id: 0x200 + i, dlc: 0 });
		// Serviced on each interrupt: nothing waits or is lost in the chip; the ring dropped its 3 oldest.
		expect(model.lost).toBe(0);
		expect(ring.dropped).toBe(3);
		expect(popAll(ring).map((f) => f.id)).toEqual([0x203, 0x204]);
		s.step(clock.now());
		expect(ring.length).toBe(0);
		expect(s.status.overruns).toBe(0);
		expect(s.status.frames).toBe(5);
	});

	it("saturated-bus-no-loss: 9,000 frames/s serviced on INT, drained every 33 ms into a 512-slot ring", () => {
		const ring = new FrameRing(512);
		const s = source(ring, { crystal: 16000000, bitRate: 1000000 });
		s.open(clock.now());
		const frame = new CanFrame();
		let sent = 0, received = 0, outOfOrder = 0;
		for (let ms = 1; ms <= 2000; ms++) {
			clock.advance(1);
			for (let i = 0; i < 9; i++, sent++)
				model.receive({ id: 0x100 + (sent & 0xFF), dlc: 2, data: [sent & 0xFF, (sent >> 8) & 0xFF] });
			if (ms % 33 === 0) {
				s.step(clock.now());
				while (ring.pop(frame)) {
					if ((frame.data[0] | (frame.data[1] << 8)) !== (received & 0xFFFF))
						outOfOrder++;
					received++;
				}
			}
		}
		s.step(clock.now());
		received += ring.length;
		expect(sent).toBe(18000);
		expect(received).toBe(sent);
		expect(outOfOrder).toBe(0);
		expect(model.lost).toBe(0);
		expect(ring.dropped).toBe(0);
		expect(s.status.overruns).toBe(0);
		expect(s.status.frames).toBe(sent);
	});
});

describe("mcp2515-filters", () => {
	it("standard-filters: RXB0 takes its two ids, RXB1 its four, the rest is rejected by the chip", () => {
		const ring = new FrameRing(32);
		source(ring, {
			rxb0: { mask: 0x7FF, ids: [0x100, 0x101] },
			rxb1: { mask: 0x7F0, ids: [0x200, 0x300, 0x400, 0x500] },
		}).open(clock.now());
		expect(model.ignoredWrites).toBe(0);
		const where = [0x100, 0x101, 0x102, 0x20F, 0x310, 0x40A, 0x600].map((id) => model.receive({ id, dlc: 0 }));
		expect(where).toEqual(["rxb0", "rxb0", "rejected", "rxb1", "rejected", "rxb1", "rejected"]);
		expect(popAll(ring).map((f) => f.id)).toEqual([0x100, 0x101, 0x20F, 0x40A]);
	});

	it("extended-filters: EXIDE set, 29 bits compared, standard frames do not match", () => {
		const ring = new FrameRing(32);
		source(ring, { rxb0: { mask: 0x1FFFFF00, ids: [0x18DAF100], extended: true } }).open(clock.now());
		expect(model.registers[0x01] & 0x08).toBe(0x08);
		expect(model.receive({ id: 0x18DAF110, extended: true, dlc: 0 })).toBe("rxb0");
		expect(model.receive({ id: 0x18DAF210, extended: true, dlc: 0 })).toBe("rejected");
		expect(model.receive({ id: 0x100, dlc: 0 })).toBe("rejected");
		expect(popAll(ring).map((f) => f.id)).toEqual([0x18DAF110]);
	});

	it("rxb0-filters-alone-keep-rxb1-closed: RXB1 gets the same filters instead of every frame", () => {
		const ring = new FrameRing(32);
		const s = source(ring, { rxb0: { mask: 0x7FF, ids: [0x3E8] } }, false);
		s.open(clock.now());
		expect(model.receive({ id: 0x3E8, dlc: 0 })).toBe("rxb0");
		expect(model.receive({ id: 0x3E8, dlc: 0 })).toBe("rxb1"); // rollover
		expect(model.receive({ id: 0x3E9, dlc: 0 })).toBe("rejected");
	});

	it("filter-values-checked", () => {
		expect(() => source(new FrameRing(4), { rxb0: { mask: 0x800, ids: [1] } })).toThrow(RangeError);
		expect(() => source(new FrameRing(4), { rxb0: { mask: 0x7FF, ids: [1, 2, 3] } })).toThrow(RangeError);
		expect(() => source(new FrameRing(4), { rxb1: { mask: 0x7FF, ids: [1] } })).toThrow("need rxb0");
	});
});

describe("mcp2515-errors", () => {
	it("error-passive-and-message-errors: EFLG drives the state, MERRF counts bus errors", () => {
		const s = source(new FrameRing(16));
		s.open(clock.now());
		model.setErrorCounters(0, 130);
		expect(s.status.state).toBe(BusState.errorPassive);
		model.messageError();
		expect(s.status.busErrors).toBe(1);
		s.step(clock.now());
		expect(s.status.rxErrors).toBe(130);
		model.setErrorCounters(0, 10);
		expect(s.status.state).toBe(BusState.errorActive);
	});

	it("bus-off-recovers-by-itself: counted, then recovery counted when TXBO clears", () => {
		const s = source(new FrameRing(16), { listenOnly: false, backoffMs: 100 });
		s.open(clock.now());
		model.busOff();
		expect(s.status.state).toBe(BusState.busOff);
		expect(s.status.busOffs).toBe(1);
		clock.advance(50);
		s.step(clock.now());
		model.recoverFromBusOff();
		expect(s.status.recoveries).toBe(1);
		expect(s.status.state).toBe(BusState.errorActive);
		expect(model.resets).toBe(1); // no forced reset was needed
	});

	it("bus-off-recovers-with-backoff: still off after the back-off, the chip is reset and re-initialised, waits doubling", () => {
		const s = source(new FrameRing(16), { listenOnly: false, backoffMs: 100, maxBackoffMs: 300 });
		s.open(clock.now());
		const waits: number[] = [];
		for (let round = 0; round < 3; round++) {
			model.busOff();
			const offAt = clock.now(), resets = model.resets;
			while (model.resets === resets) {
				clock.advance(1);
				s.step(clock.now());
			}
			waits.push(clock.now() - offAt);
			expect(model.mode).toBe(Mcp2515Mode.normal);
			expect(s.status.state).toBe(BusState.errorActive);
		}
		expect(waits).toEqual([100, 200, 300]);
		expect(s.status.busOffs).toBe(3);
		expect(s.status.recoveries).toBe(3);
		expect(s.initialisations).toBe(4);
	});
});

describe("mcp2515-listen-only", () => {
	it("listen-only-never-writes: init, traffic, overflow, errors and bus-off never touch the transmit side", () => {
		const ring = new FrameRing(4);
		const s = source(ring);
		s.open(clock.now());
		for (let i = 0; i < 20; i++)
			model.receive({ id: i, dlc: 8, data: [1, 2, 3, 4, 5, 6, 7, 8] });
		model.setErrorCounters(0, 140);
		model.messageError();
		model.busOff();
		for (let i = 0; i < 400; i++) {
			clock.advance(5);
			s.step(clock.now());
			popAll(ring);
		}
		s.close();
		expect(model.txTouches).toBe(0);
		expect(model.sent.length).toBe(0);
		expect(() => s.send(new CanFrame())).toThrow("listen-only");
		expect(model.txTouches).toBe(0);
	});

	it("transmit-is-explicit: normal mode loads TXB0 and requests to send", () => {
		const s = source(new FrameRing(4), { listenOnly: false });
		s.open(clock.now());
		const frame = new CanFrame();
		frame.id = 0x7DF;
		frame.dlc = 8;
		frame.data.set([2, 1, 0x0D, 0, 0, 0, 0, 0]);
		expect(s.send(frame)).toBe(true);
		expect(model.sent).toEqual([[0xFB, 0xE0, 0, 0, 8, 2, 1, 0x0D, 0, 0, 0, 0, 0]]);
	});

	it("transmit-29-bit-id: OBD-II's functional request 0x18DB33F1 goes out extended, all 29 bits, EXIDE set", () => {
		const s = source(new FrameRing(4), { listenOnly: false });
		s.open(clock.now());
		const frame = new CanFrame();
		frame.id = 0x18DB33F1;
		frame.flags = FrameFlag.extended;
		frame.dlc = 8;
		frame.data.set([2, 1, 0x0D, 0, 0, 0, 0, 0]);
		expect(s.send(frame)).toBe(true);
		const [sidh, sidl, eid8, eid0] = model.sent[0];
		expect(sidl & 0x08).toBe(0x08); // TXB0SIDL.EXIDE: a 29-bit frame
		// The datasheet's layout read back: SID10..3, SID2..0, EID17..16, EID15..8, EID7..0.
		const id = ((sidh << 3 | sidl >> 5) * 2 ** 18) + (sidl & 3) * 2 ** 16 + (eid8 << 8) + eid0;
		expect(id).toBe(0x18DB33F1);
	});
});

describe("mcp2515-close", () => {
	it("close-and-reopen: chip back in configuration mode, SPI and INT released, reopen works", () => {
		const ring = new FrameRing(16);
		const s = source(ring);
		s.open(clock.now());
		const firstInt = int!;
		s.close();
		expect(model.mode).toBe(Mcp2515Mode.configuration);
		expect(model.registers[0x2B]).toBe(0);
		expect(MockSpiBus.opened[0].closed).toBe(true);
		expect(firstInt.closed).toBe(true);
		expect(s.status.state).toBe(BusState.stopped);
		expect(model.receive({ id: 1, dlc: 0 })).toBe("ignored");
		s.step(clock.now());
		s.close();

		s.open(clock.now());
		expect(MockSpiBus.opened.length).toBe(2);
		expect(model.resets).toBe(2);
		model.receive({ id: 0x321, dlc: 0 });
		expect(popAll(ring).map((f) => f.id)).toEqual([0x321]);
	});
});

describe("mcp2515-fuzz", () => {
	/** Deterministic generator, so a failure replays. */
	function random(seed: number) {
		let x = seed;
		return () => {
			x = (Math.imul(x, 1103515245) + 12345) >>> 0;
			return x / 4294967296;
		};
	}

	for (const seed of [1, 7, 2026]) {
		it(`overflow-accounting-fuzz-${seed}: every frame is read in order or counted lost or dropped, overruns match losses`, () => {
			const rand = random(seed);
			const ring = new FrameRing(8);
			const s = source(ring, {}, rand() < 0.5);
			s.open(clock.now());
			const sent: number[] = [], received: number[] = [];
			const frame = new CanFrame();
			for (let step = 0; step < 5000; step++) {
				const r = rand();
				if (r < 0.55) {
					const id = sent.length & 0x7FF;
					const extended = rand() < 0.3;
					model.receive({ id: extended ? id | 0x10000 : id, extended, dlc: 1, data: [sent.length & 0xFF] });
					sent.push(sent.length);
				}
				else if (r < 0.8) {
					s.step(clock.advance(1));
				}
				else {
					for (let n = Math.floor(rand() * 4); n > 0 && ring.pop(frame); n--)
						received.push(frame.data[0] | ((frame.id & 0x700) << 0));
				}
			}
			for (let i = 0; i < 4; i++) {
				s.step(clock.advance(1));
				while (ring.pop(frame))
					received.push(frame.data[0] | ((frame.id & 0x700) << 0));
			}
			// In order: received is a subsequence of sent (frame numbers modulo 2048).
			let at = 0;
			for (const n of received) {
				while (at < sent.length && (sent[at] & 0x7FF) !== n)
					at++;
				expect(at).toBeLessThan(sent.length);
				at++;
			}
			// The run does reach an overflow: frames lost in the chip (polled between steps) or dropped by a full ring.
			expect(model.lost + ring.dropped).toBeGreaterThan(0);
			expect(received.length + model.lost + ring.dropped).toBe(sent.length);
			expect(s.status.overruns > 0).toBe(model.lost > 0);
			expect(s.status.overruns).toBeLessThanOrEqual(model.lost);
			expect(model.txTouches).toBe(0);
		});
	}
});
