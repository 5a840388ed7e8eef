/*
 * SecondCounter (modules/dashboard/second-counter.ts): a per-second rate from
 * a counter the engine restarts every second, read once a display tick. The
 * rate is the whole seconds' counts, wherever the health line's reading falls
 * against the restart. Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { SecondCounter } from "../modules/dashboard/second-counter.js";

/** The counter as XS keeps it: `perMs` counted each ms, back to 0 at each whole second. */
function counterAt(now: number, perMs: number): number {
	return (now % 1000) * perMs;
}

describe("second counter", () => {
	test("the-rate-is-the-whole-seconds-count-wherever-the-reading-falls", () => {
		// Readings every 33 ms, as the display tick; the health line every 5 s at different offsets against the restart.
		for (const offset of [0, 10, 500, 990]) {
			const counter = new SecondCounter();
			let rates: Array<number | undefined> = [];
			for (let now = offset; now < offset + 15_000; now += 33) {
				counter.read(counterAt(now, 40));
				if ((now - offset) % 4_950 === 0 && now > offset)
					rates.push(counter.take());
			}
			rates = rates.filter(rate => rate !== undefined);
			expect(rates.length, `offset ${offset}`).toBeGreaterThan(1);
			// 40 a ms is 40,000 a second; the last reading of a second is at most one tick before its end.
			for (const rate of rates)
				expect(rate, `offset ${offset}`).toBeGreaterThanOrEqual(40 * (1000 - 33));
		}
	});

	test("nothing-until-a-second-has-ended, and-each-take-starts-afresh", () => {
		const counter = new SecondCounter();
		counter.read(100);
		counter.read(500);
		expect(counter.take()).toBeUndefined();
		counter.read(30); // restarted: the second that ended counted 500
		expect(counter.take()).toBe(500);
		expect(counter.take()).toBeUndefined();
		counter.read(900);
		counter.read(10);
		counter.read(600);
		counter.read(5);
		expect(counter.take()).toBe(750);
	});

	test("a-counter-that-never-restarts-gives-no-rate", () => {
		const counter = new SecondCounter();
		for (let i = 0; i < 100; i++)
			counter.read(i * 10);
		expect(counter.take()).toBeUndefined();
	});
});
