/*
 * Signal store freshness rules that the staleness tests in store.test.ts do
 * not reach: a value stamped in the future (a frame's clock ahead of the
 * display's, or the display's clock stepped back) is fresh only within its
 * timeout of now, either way; otherwise it would stay on the glass forever.
 */
import { describe, expect, test } from "vitest";
import { SignalStore } from "../modules/signals/store.js";

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
