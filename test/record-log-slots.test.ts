/*
 * The record log read as a queue (RecordLog.scan, readSlot, nextSlot,
 * newestSlot: how a log keeps every record, not only the newest, for the
 * telemetry outbox): every valid record visited once in slot order with its
 * sequence number and payload, one slot read back by index, anything that
 * is not a slot of this log refused with -1. The rules mutation testing
 * (npm run mutate) found unguarded. Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { RecordLog } from "../modules/storage/record-log.js";
import { FakeFlash } from "./fixtures/fake-flash.js";

const MAGIC = 0x51554555, PAYLOAD = 12;

const payload = (value: number) => Uint8Array.from({ length: PAYLOAD }, (_, i) => (value * 7 + i) & 0xFF);

function filled(saves: number) {
	const flash = new FakeFlash(4 * 4096, 4096);
	const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
	log.load(new Uint8Array(PAYLOAD));
	for (let v = 1; v <= saves; v++)
		log.save(payload(v));
	return { flash, log };
}

describe("record log as a queue", () => {
	test("scan-visits-every-valid-record-once-in-slot-order-with-its-sequence-and-payload", () => {
		const { flash, log } = filled(5);
		const seen: Array<[number, number, number[]]> = [];
		const again = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		expect(again.scan((slot, sequence, bytes) => seen.push([slot, sequence, Array.from(bytes)]))).toBe(5);
		expect(seen.map(([slot]) => slot)).toEqual([0, 1, 2, 3, 4]);
		expect(seen.map(([, sequence]) => sequence)).toEqual([1, 2, 3, 4, 5].map(n => seen[0][1] + n - 1));
		seen.forEach(([, , bytes], i) => expect(bytes).toEqual(Array.from(payload(i + 1))));
		expect(new RecordLog(new FakeFlash(4 * 4096, 4096), { magic: MAGIC, payloadBytes: PAYLOAD }).scan(() => { throw new Error("no record"); })).toBe(0);
	});

	test("next-and-newest-slot-follow-the-saves", () => {
		const { log } = filled(0);
		expect([log.nextSlot, log.newestSlot]).toEqual([0, -1]);
		log.save(payload(1));
		expect([log.nextSlot, log.newestSlot]).toEqual([1, 0]);
		log.save(payload(2));
		expect([log.nextSlot, log.newestSlot]).toEqual([2, 1]);
	});

	test("read-slot-copies-one-record-and-refuses-what-is-not-a-slot-of-this-log", () => {
		const { log } = filled(3);
		const into = new Uint8Array(PAYLOAD).fill(0xEE);
		const first = log.readSlot(0, into);
		expect(first).toBeGreaterThanOrEqual(0);
		expect(into).toEqual(payload(1));
		expect(log.readSlot(2, into)).toBe(first + 2);
		expect(into).toEqual(payload(3));
		// A shorter buffer gets the payload's first bytes.
		const short = new Uint8Array(4);
		expect(log.readSlot(1, short)).toBe(first + 1);
		expect(short).toEqual(payload(2).subarray(0, 4));
		// A longer one keeps its tail.
		const long = new Uint8Array(PAYLOAD + 2).fill(0xAA);
		log.readSlot(1, long);
		expect(Array.from(long.subarray(PAYLOAD))).toEqual([0xAA, 0xAA]);
		// Blank slots and slots outside the log: -1, and the buffer left alone.
		const untouched = new Uint8Array(PAYLOAD).fill(0x11);
		for (const slot of [3, log.capacity - 1, log.capacity, -1, 1.5, NaN])
			expect(log.readSlot(slot, untouched), String(slot)).toBe(-1);
		expect(untouched).toEqual(new Uint8Array(PAYLOAD).fill(0x11));
	});
});
