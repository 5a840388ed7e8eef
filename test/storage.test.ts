import { describe, expect, test } from "vitest";
import { crc32 } from "../modules/storage/crc32.js";
import { RecordLog, wearLimitedIntervalMs } from "../modules/storage/record-log.js";
import { PreferenceFlash } from "../modules/storage/preference-flash.js";
import { FakeFlash, PowerCut, random } from "./fixtures/fake-flash.js";
import { caseCount } from "./support/fuzz.js";
import { FakePreferences } from "./fixtures/fake-preferences.js";

const MAGIC = 0x54534554; // "TEST"
const PAYLOAD = 40;

/** A payload whose every byte depends on `value`, so any mix of two records is detectable. */
function payloadFor(value: number): Uint8Array {
	const bytes = new Uint8Array(PAYLOAD);
	new DataView(bytes.buffer).setFloat64(0, value, true);
	for (let i = 8; i < PAYLOAD; i++)
		bytes[i] = (value * 31 + i * 7) & 0xFF;
	return bytes;
}

function valueOf(bytes: Uint8Array): number {
	const value = new DataView(bytes.buffer, bytes.byteOffset).getFloat64(0, true);
	expect(bytes).toEqual(payloadFor(value)); // internally consistent: not a blend of records
	return value;
}

describe("crc32", () => {
	test("matches-the-standard-check-value", () => {
		expect(crc32(new Uint8Array([..."123456789"].map(c => c.charCodeAt(0))))).toBe(0xCBF43926);
		expect(crc32(new Uint8Array(0))).toBe(0);
	});
});

describe("record log", () => {
	test("blank-flash-has-no-record", () => {
		const log = new RecordLog(new FakeFlash(), { magic: MAGIC, payloadBytes: PAYLOAD });
		const into = new Uint8Array(PAYLOAD);
		expect(log.load(into)).toBe(false);
		expect(log.sequence).toBe(0);
		expect(log.damaged).toBe(0);
	});

	test("newest-record-wins-after-restart", () => {
		const flash = new FakeFlash();
		const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		log.load(new Uint8Array(PAYLOAD));
		for (let v = 1; v <= 300; v++)
			log.save(payloadFor(v));
		const again = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		const into = new Uint8Array(PAYLOAD);
		expect(again.load(into)).toBe(true);
		expect(valueOf(into)).toBe(300);
		expect(again.sequence).toBe(300);
		expect(flash.overwrites).toBe(0);
	});

	test("wear-is-spread-over-every-block", () => {
		const flash = new FakeFlash(4 * 4096, 4096);
		const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		log.load(new Uint8Array(PAYLOAD));
		for (let v = 1; v <= 64 * 4 * 10; v++)
			log.save(payloadFor(v));
		// One erase per block per lap of the ring: saves / slots-per-block erases in total.
		expect([...flash.eraseCounts]).toEqual([10, 10, 10, 10]);
		expect(log.erases).toBe(40);
	});

	test("records-of-another-kind-are-ignored", () => {
		const flash = new FakeFlash();
		const other = new RecordLog(flash, { magic: 0x11111111, payloadBytes: PAYLOAD });
		other.load(new Uint8Array(PAYLOAD));
		other.save(payloadFor(7));
		const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		expect(log.load(new Uint8Array(PAYLOAD))).toBe(false);
		expect(log.damaged).toBeGreaterThan(0);
	});

	test("random-garbage-on-flash-never-crashes-and-never-loads", () => {
		const rand = random(99);
		for (let trial = 0; trial < 50; trial++) {
			const flash = new FakeFlash();
			for (let i = 0; i < flash.bytes.length; i++)
				flash.bytes[i] = rand() < 0.5 ? 0xFF : Math.floor(rand() * 256);
			const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
			expect(log.load(new Uint8Array(PAYLOAD))).toBe(false);
			log.save(payloadFor(1)); // and it recovers: the next save lands and loads
			const again = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
			const into = new Uint8Array(PAYLOAD);
			expect(again.load(into)).toBe(true);
			expect(valueOf(into)).toBe(1);
		}
	});

	test("a-wrong-payload-size-is-refused", () => {
		const log = new RecordLog(new FakeFlash(), { magic: MAGIC, payloadBytes: PAYLOAD });
		expect(() => log.save(new Uint8Array(3))).toThrow(RangeError);
		expect(() => new RecordLog(new FakeFlash(4096, 4096), { magic: MAGIC, payloadBytes: PAYLOAD })).toThrow(/cannot hold/);
	});

	test("power-cut-at-any-byte-keeps-last-good-record", () => {
		// 1,000 devices, each losing power 5 times at a random byte of a write or
		// an erase. After every cut the log must load either the last record
		// whose save returned or the one being written, intact, never older.
		const rand = random(2026);
		let cuts = 0, inErase = 0, inWrite = 0, tornFound = 0;
		const DEVICES = caseCount(1000);
		for (let device = 0; device < DEVICES; device++) {
			const flash = new FakeFlash(8192, 4096, device + 1);
			let value = 0, committed = 0;
			let log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
			log.load(new Uint8Array(PAYLOAD));
			for (let cut = 0; cut < 5; cut++) {
				// Run some saves, then arm a cut anywhere within the next few blocks' worth of steps.
				const before = Math.floor(rand() * 150);
				for (let i = 0; i < before; i++)
					log.save(payloadFor(committed = ++value));
				flash.cutAfter(Math.floor(rand() * 3 * flash.blockSize));
				try {
					for (;;)
						log.save(payloadFor(committed = ++value));
				}
				catch (error) {
					if (!(error instanceof PowerCut))
						throw error;
					committed = value - 1; // the save in progress did not return
				}
				cuts++;
				flash.restore();
				log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
				const into = new Uint8Array(PAYLOAD);
				const found = log.load(into);
				tornFound += log.damaged;
				if (committed === 0 && !found) {
					value = 0;
					continue;
				}
				expect(found).toBe(true);
				const loaded = valueOf(into);
				expect([committed, committed + 1]).toContain(loaded);
				value = loaded; // the next value continues from what survived
				committed = loaded;
			}
			expect(flash.overwrites).toBe(0);
			inErase += flash.cutsInErase;
			inWrite += flash.cutsInWrite;
		}
		expect(cuts).toBe(5 * DEVICES);
		expect(inErase + inWrite).toBe(5 * DEVICES);
		expect(inErase).toBeGreaterThan(DEVICES); // half-erased blocks
		expect(inWrite).toBeGreaterThan(DEVICES); // torn records
		expect(tornFound).toBeGreaterThan(DEVICES / 10); // the cuts really did tear records
	}, 60000);

	test("load-passes-over-records-its-reader-refuses-for-the-newest-it-takes", () => {
		// 64 slots a block: 1..64 fill block 0, 65..70 start block 1.
		const flash = new FakeFlash();
		const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		log.load(new Uint8Array(PAYLOAD));
		for (let v = 1; v <= 70; v++)
			log.save(payloadFor(v));
		const upTo60 = (payload: Uint8Array) => valueOf(payload) <= 60;
		const again = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		const into = new Uint8Array(PAYLOAD);
		expect(again.load(into, upTo60)).toBe(true);
		expect(valueOf(into)).toBe(60);
		expect(again.refused).toBe(10);
		expect(again.sequence).toBe(70); // what it saves next supersedes the refused ones
		// The next save skips the used slots after 60, erases block 1 (only refused records) and lands there.
		again.save(payloadFor(71));
		expect(again.sequence).toBe(71);
		expect(again.damaged).toBe(4); // slots 61..64 of block 0 were not blank
		expect([...flash.eraseCounts]).toEqual([1, 2]);
		const third = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		expect(third.load(into)).toBe(true);
		expect(valueOf(into)).toBe(71);
		// With nothing taken, nothing is loaded, and new records still go above every one on flash.
		const none = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		expect(none.load(into, () => false)).toBe(false);
		expect(none.refused).toBe(65); // 1..64 and 71
		none.save(payloadFor(72));
		expect(none.sequence).toBe(72);
		expect(new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD }).load(into)).toBe(true);
		expect(valueOf(into)).toBe(72);
		expect(flash.overwrites).toBe(0);
	});

	test("a-record-that-does-not-read-back-goes-to-the-next-slot", () => {
		// Worn cells that no longer program: a record written over one is
		// unreadable, and a save that returned must still be the one a restart
		// loads, so each write is read back and, when wrong, written again in
		// the next slot. 40 devices, each with 48 stuck bytes.
		class StuckFlash extends FakeFlash {
			readonly stuck = new Set<number>();
			override write(offset: number, byteLength: number, buffer: ArrayBufferLike | Uint8Array): void {
				const source = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
				const copy = source.slice(0, byteLength);
				for (let i = 0; i < byteLength; i++)
					if (this.stuck.has(offset + i))
						copy[i] = 0xFF; // the cell keeps its erased state
				super.write(offset, byteLength, copy);
			}
		}
		const rand = random(110);
		let moved = 0;
		const DEVICES = caseCount(40);
		for (let device = 0; device < DEVICES; device++) {
			const flash = new StuckFlash(8192, 4096, device + 1);
			for (let i = 0; i < 48; i++)
				flash.stuck.add(Math.floor(rand() * flash.byteLength));
			const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
			log.load(new Uint8Array(PAYLOAD));
			for (let v = 1; v <= 130; v++) { // once around the ring and on
				log.save(payloadFor(v));
				const into = new Uint8Array(PAYLOAD);
				expect(new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD }).load(into)).toBe(true);
				expect(valueOf(into)).toBe(v);
			}
			moved += log.damaged;
			expect(flash.overwrites).toBe(0);
		}
		expect(moved).toBeGreaterThan(2.5 * DEVICES); // the stuck cells did spoil records
	}, 60000);

	test("a-flash-that-stops-programming-never-loses-the-last-record", () => {
		// Every slot is tried once, but the block holding the only complete
		// copy is never erased to make room: the save fails, the record stays.
		class DeadFlash extends FakeFlash {
			dead = false;
			override write(offset: number, byteLength: number, buffer: ArrayBufferLike | Uint8Array): void {
				if (!this.dead)
					super.write(offset, byteLength, buffer);
			}
		}
		for (const saved of [1, 64, 65, 100]) { // the newest in block 0, at its end, at block 1's start, inside block 1
			const flash = new DeadFlash();
			const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
			log.load(new Uint8Array(PAYLOAD));
			for (let v = 1; v <= saved; v++)
				log.save(payloadFor(v));
			flash.dead = true;
			expect(() => log.save(payloadFor(saved + 1))).toThrow(/no slot accepted/);
			expect(() => log.save(payloadFor(saved + 1))).toThrow(/no slot accepted/);
			const into = new Uint8Array(PAYLOAD);
			expect(new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD }).load(into)).toBe(true);
			expect(valueOf(into)).toBe(saved);
		}
	});

	test("record-sizes-and-regions-are-checked-with-a-message", () => {
		const big = new FakeFlash(2 * 65536 * 2, 65536 * 2);
		expect(new RecordLog(big, { magic: MAGIC, payloadBytes: 65535 }).slotsPerBlock).toBe(1);
		expect(new RecordLog(new FakeFlash(), { magic: MAGIC, payloadBytes: 1 }).slotBytes).toBe(32);
		for (const bad of [0, -1, 1.5, 65536, NaN])
			expect(() => new RecordLog(big, { magic: MAGIC, payloadBytes: bad })).toThrow(`record payload must be 1..65535 bytes, not ${bad}`);
		// One slot a block is enough; no slot, or one block, is not.
		expect(new RecordLog(new FakeFlash(128, 64), { magic: MAGIC, payloadBytes: 48 }).capacity).toBe(2);
		expect(() => new RecordLog(new FakeFlash(128, 64), { magic: MAGIC, payloadBytes: 49 })).toThrow("flash region of 128 bytes in 64-byte blocks cannot hold a 80-byte record log");
		const log = new RecordLog(new FakeFlash(), { magic: MAGIC, payloadBytes: PAYLOAD });
		expect(() => log.save(new Uint8Array(3))).toThrow(`record payload is ${PAYLOAD} bytes, got 3`);
	});

	test("load-into-a-shorter-buffer-copies-what-fits", () => {
		const flash = new FakeFlash();
		const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		log.save(payloadFor(9));
		const into = new Uint8Array(8);
		expect(new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD }).load(into)).toBe(true);
		expect(new DataView(into.buffer).getFloat64(0, true)).toBe(9);
	});

	test("a-record-with-a-bad-checksum-or-a-torn-header-is-damage-not-a-record", () => {
		const flash = new FakeFlash();
		const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		log.save(payloadFor(5));
		flash.bytes[12 + 3] ^= 0x10; // one payload bit flipped
		const again = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		expect(again.load(new Uint8Array(PAYLOAD))).toBe(false);
		expect(again.damaged).toBe(1);
		// Magic still erased but the sequence programmed (a write cut short, then bits disturbed): damage, not a blank slot.
		const blankish = new FakeFlash();
		blankish.bytes[64 + 4] = 0x00;
		const other = new RecordLog(blankish, { magic: MAGIC, payloadBytes: PAYLOAD });
		expect(other.load(new Uint8Array(PAYLOAD))).toBe(false);
		expect(other.damaged).toBe(1);
	});

	test("a-dead-blank-flash-is-tried-once-around-then-refused", () => {
		class DeadFlash extends FakeFlash {
			override write(): void {}
		}
		const flash = new DeadFlash();
		const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		log.load(new Uint8Array(PAYLOAD));
		expect(() => log.save(payloadFor(1))).toThrow(/no slot accepted/);
		expect([...flash.eraseCounts]).toEqual([1, 1]); // each block entered once
		expect(log.damaged).toBe(log.capacity);
	});

	test("wear-limited-interval-follows-geometry-and-endurance", () => {
		const log = new RecordLog(new FakeFlash(8192, 4096), { magic: MAGIC, payloadBytes: 100 }); // 128-byte slots
		expect(log.capacity).toBe(64);
		expect(wearLimitedIntervalMs(log)).toBe(11250);
		expect(wearLimitedIntervalMs(log, 20000, 10000)).toBe(112500);
	});
});

describe("preference-backed flash (simulator)", () => {
	test("a-trip-log-on-preferences-survives-a-restart", () => {
		const prefs = new FakePreferences();
		const flash = new PreferenceFlash(prefs, "xsc-trip");
		const log = new RecordLog(flash, { magic: MAGIC, payloadBytes: PAYLOAD });
		log.load(new Uint8Array(PAYLOAD));
		for (let v = 1; v <= 100; v++) // 100 saves: around the two blocks and back
			log.save(payloadFor(v));
		const again = new RecordLog(new PreferenceFlash(prefs, "xsc-trip"), { magic: MAGIC, payloadBytes: PAYLOAD });
		const into = new Uint8Array(PAYLOAD);
		expect(again.load(into)).toBe(true);
		expect(valueOf(into)).toBe(100);
		expect(prefs.keys("xsc-trip").sort()).toEqual(["b0", "b1"]);
		expect(() => new PreferenceFlash(prefs, "x", 2, 8192)).toThrow(RangeError);
	});
});
