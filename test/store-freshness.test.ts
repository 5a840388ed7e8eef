/*
 * Signal store freshness rules that the staleness tests in store.test.ts do
 * not reach: a value stamped in the future (a frame's clock ahead of the
 * display's, or the display's clock stepped back) is fresh only within its
 * timeout of now, either way; otherwise it would stay on the glass forever.
 * And what the store counts (updates, non-finite reads, missing signals),
 * which diagnostics show.
 */
import { describe, expect, test } from "vitest";
import { RAW_SCALED, RawKind, SignalStore } from "../modules/signals/store.js";

describe("signal store freshness", () => {
	test("a-value-stamped-further-ahead-than-its-timeout-is-missing", () => {
		const store = new SignalStore(1, 500);
		store.set(0, 42, 10000);
		for (const now of [0, 9499]) {
			expect(store.read(0, now)).toBeNaN();
			expect(store.readRaw(0, now)).toBeNaN();
			expect(store.isFresh(0, now)).toBe(false);
			expect(store.countMissing(now)).toBe(1);
			expect(store.countMissing(now, [0])).toBe(1);
		}
		// Within its timeout either side of now, it is the value.
		for (const now of [9500, 10000, 10500]) {
			expect(store.read(0, now)).toBe(42);
			expect(store.readRaw(0, now)).toBe(42);
			expect(store.isFresh(0, now)).toBe(true);
		}
		expect(store.read(0, 10501)).toBeNaN();
	});
});

describe("signal store counts", () => {
	test("updates-and-non-finite-reads-count-up-one-each", () => {
		const store = new SignalStore(2, 500);
		store.set(0, 1, 0);
		store.set(0, 2, 10);
		expect(store.updates[0]).toBe(2);
		expect(store.updates[1]).toBe(0);
		store.set(1, Infinity, 10);
		expect(store.read(1, 10)).toBeNaN();
		expect(store.read(1, 20)).toBeNaN();
		expect(store.nonFinite).toBe(2);
	});

	test("missing-counts-only-the-ids-asked-for", () => {
		const store = new SignalStore(3, 500);
		store.set(1, 5, 0);
		expect(store.countMissing(100)).toBe(2);
		expect(store.countMissing(100, [1])).toBe(0);
		expect(store.countMissing(100, [0, 1, 2])).toBe(2);
		expect(store.countMissing(100, [])).toBe(0);
	});

	test("a-store-without-a-kind-for-every-signal-or-without-scaling-is-refused", () => {
		expect(() => new SignalStore(3, 500, new Uint8Array(2))).toThrow("signal store: a kind for every signal, and scaling for the scaled ones");
		expect(() => new SignalStore(1, 500, new Uint8Array([RawKind.uint32 | RAW_SCALED]))).toThrow(RangeError);
		expect(new SignalStore(2, 500, new Uint8Array([RawKind.uint32, RawKind.int32])).size).toBe(2);
	});
});
