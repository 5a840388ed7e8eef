import { describe, expect, test } from "vitest";
import { MessageKind, Outbox, RESERVE } from "../modules/connect/outbox.js";
import { FakeFlash } from "./fixtures/fake-flash.js";
import { caseCount } from "./support/fuzz.js";
import { messageBody, outboxPowerCuts } from "./support/outbox-power-cuts.js";

/** 8 blocks of 4 KiB, 256-byte slots: 16 per block, 128 in all, 96 queued at most. */
function region(seed = 1): FakeFlash {
	return new FakeFlash(8 * 4096, 4096, seed);
}

function open(flash: FakeFlash, limit?: number): Outbox {
	const outbox = new Outbox(flash, { recordBytes: 240, ...(limit ? { limit } : {}) });
	outbox.open();
	return outbox;
}


/** Every waiting message as [seq, kind], checking each body is the one written for it. */
function contents(outbox: Outbox): Array<[number, number]> {
	const out: Array<[number, number]> = [];
	const into = new Uint8Array(outbox.maxBody);
	for (let i = 0; i < outbox.length; i++) {
		const seq = outbox.seqAt(i), kind = outbox.kindAt(i);
		const length = outbox.read(i, into);
		expect(length).toBeGreaterThan(0);
		expect(into.subarray(0, length)).toEqual(messageBody(seq, kind));
		out.push([seq, kind]);
	}
	return out;
}

function add(outbox: Outbox, kind: number): number {
	const seq = outbox.takeSeq();
	expect(outbox.enqueue(kind, seq, messageBody(seq, kind))).toBe(true);
	return seq;
}

describe("outbox", () => {
	test("messages-come-back-in-order-after-a-restart", () => {
		const flash = region();
		const outbox = open(flash);
		const seqs = [add(outbox, MessageKind.event), add(outbox, MessageKind.state), add(outbox, MessageKind.trip)];
		expect(seqs).toEqual([1, 2, 3]);
		const again = open(flash);
		expect(contents(again)).toEqual([[1, MessageKind.event], [2, MessageKind.state], [3, MessageKind.trip]]);
		expect(flash.overwrites).toBe(0);
	});

	test("sequence-numbers-rise-across-restarts-even-unwritten", () => {
		const flash = region();
		const outbox = open(flash);
		for (let i = 0; i < 5; i++)
			outbox.takeSeq(); // published live, never queued
		const again = open(flash);
		// The reservation on flash covers every number handed out: the next is above all of them.
		expect(again.takeSeq()).toBe(RESERVE + 1);
		expect(open(flash).takeSeq()).toBe(2 * RESERVE + 1);
	});

	test("acknowledged-messages-leave-and-do-not-come-back", () => {
		const flash = region();
		const outbox = open(flash);
		const a = add(outbox, MessageKind.event), b = add(outbox, MessageKind.event), c = add(outbox, MessageKind.event);
		outbox.acknowledge(b); // out of order: waits for a
		expect(outbox.length).toBe(3);
		outbox.acknowledge(a);
		expect(contents(outbox)).toEqual([[c, MessageKind.event]]);
		outbox.acknowledge(c);
		expect(outbox.length).toBe(0);
		expect(outbox.settle()).toBe(true);
		expect(outbox.settle()).toBe(false); // nothing new to say
		expect(open(flash).length).toBe(0);
	});

	test("unknown-and-repeated-acknowledgements-are-ignored", () => {
		const outbox = open(region());
		const a = add(outbox, MessageKind.event);
		outbox.acknowledge(999);
		outbox.acknowledge(a);
		outbox.acknowledge(a);
		expect(outbox.length).toBe(0);
	});

	test("a-body-too-large-is-refused", () => {
		const outbox = open(region());
		expect(outbox.enqueue(MessageKind.event, outbox.takeSeq(), new Uint8Array(outbox.maxBody + 1))).toBe(false);
		expect(outbox.length).toBe(0);
		expect(() => new Outbox(new FakeFlash(2 * 4096, 4096))).toThrow(/at least 3/);
		expect(() => new Outbox(region()).enqueue(1, 1, new Uint8Array(1))).toThrow(/open\(\) it first/);
	});

	test("full-drops-oldest-snapshots-first-then-oldest-events", () => {
		const outbox = open(region(), 10);
		const events = [add(outbox, MessageKind.event), add(outbox, MessageKind.trip)];
		const states: number[] = [];
		for (let i = 0; i < 8; i++)
			states.push(add(outbox, MessageKind.state));
		// Full: each new snapshot pushes out the oldest snapshot, never an event.
		for (let i = 0; i < 5; i++)
			states.push(add(outbox, MessageKind.state));
		expect(outbox.droppedStates).toBe(5);
		expect(contents(outbox).filter(([, kind]) => kind !== MessageKind.state).map(([seq]) => seq)).toEqual(events);
		// Events fill it: the snapshots go, then the oldest events.
		for (let i = 0; i < 10; i++)
			events.push(add(outbox, MessageKind.event));
		expect(outbox.droppedStates).toBe(13);
		expect(outbox.droppedEvents).toBe(2);
		expect(contents(outbox).map(([seq]) => seq)).toEqual(events.slice(2));
	});

	test("events-survive-many-laps-of-the-ring-while-snapshots-come-and-go", () => {
		// The broker is away for a long drive: 3 events wait while 2,000
		// snapshots pass through a ring of 128 slots (15 laps). The events are
		// copied forward every time the log comes round to their block.
		const flash = region();
		const outbox = open(flash, 20);
		const events = [add(outbox, MessageKind.event)];
		for (let i = 0; i < 2000; i++) {
			add(outbox, MessageKind.state);
			if (i === 700 || i === 1400)
				events.push(add(outbox, MessageKind.trip));
		}
		expect(outbox.copied).toBeGreaterThan(0);
		expect(outbox.droppedEvents).toBe(0);
		const kept = contents(open(flash, 20));
		expect(kept.filter(([, kind]) => kind !== MessageKind.state).map(([seq]) => seq)).toEqual(events);
		expect(kept.length).toBe(20);
		expect(flash.overwrites).toBe(0);
	});

	test("power-cut-at-any-byte-loses-nothing-queued", () => {
		// Devices losing power at a random byte of a write or an erase while events, summaries and snapshots are
		// queued and some acknowledged (test/support/outbox-power-cuts.ts; on XS too, test/connect-xs.test.ts).
		const devices = caseCount(100);
		const r = outboxPowerCuts({ devices, cutsPerDevice: 4, steps: 400, cutBlocks: 6, seed: 1616 });
		expect(r.problems).toEqual([]);
		expect(r.overwrites).toBe(0);
		expect(r.cuts).toBeGreaterThan(devices);
	}, 60000);
});
