import { describe, expect, test } from "vitest";
import { GaugeChange, Needle, Speedometer } from "../modules/cluster/gauge.js";
import { FakeClock } from "./fixtures/clock.js";
import { seededRandom } from "./support/random.js";

const FRAME_MS = 33;

describe("needle", () => {
	test("needle-damps-toward-its-target-at-the-display-clock", () => {
		const needle = new Needle({ min: 0, max: 8000, steps: 480, timeConstant: 100 });
		needle.update(0, FRAME_MS);
		needle.update(3000, FRAME_MS);
		// One frame of a 100 ms lag covers 1 - e^-0.33 of the way: about 28 %.
		expect(needle.value).toBeGreaterThan(800);
		expect(needle.value).toBeLessThan(900);
		for (let i = 0; i < 30; i++)
			needle.update(3000, FRAME_MS);
		expect(needle.value).toBe(3000);
		expect(needle.position).toBe(180);
	});

	test("needle-quantises-and-reports-only-visible-changes", () => {
		const needle = new Needle({ min: 0, max: 8000, steps: 480, timeConstant: 0 });
		expect(needle.update(1000, FRAME_MS) & GaugeChange.position).toBe(GaugeChange.position);
		// 8000 / 480 = 16.7 rpm a step: a 3 rpm wobble does not move the needle.
		expect(needle.update(1003, FRAME_MS)).toBe(0);
		expect(needle.update(997, FRAME_MS)).toBe(0);
		expect(needle.update(1020, FRAME_MS)).toBe(GaugeChange.position);
	});

	test("missing-target-parks-the-needle-and-says-so", () => {
		const needle = new Needle({ min: 0, max: 100, steps: 20, timeConstant: 200 });
		needle.update(60, 10000);
		expect(needle.position).toBe(12);
		expect(needle.missing).toBe(false);
		expect(needle.update(NaN, FRAME_MS) & GaugeChange.missing).toBe(GaugeChange.missing);
		expect(needle.missing).toBe(true);
		for (let i = 0; i < 60; i++)
			needle.update(NaN, FRAME_MS);
		expect(needle.position).toBe(0);
	});
});

describe("speedometer", () => {
	test("speed-never-under-reads", () => {
		const random = seededRandom(39);
		const speedo = new Speedometer(240, 1, 480);
		const clock = new FakeClock();
		let truth = 0;
		for (let i = 0; i < 5000; i++) {
			// A rough drive: hard acceleration, braking, noise.
			truth = Math.max(0, Math.min(230, truth + (random() - 0.5) * 12));
			speedo.update(truth, clock.advance(FRAME_MS) && FRAME_MS);
			expect(speedo.shownKmh).toBeGreaterThanOrEqual(truth);
			expect(speedo.shownKmh).toBeLessThanOrEqual(truth * 1.1 + 4);
			expect(speedo.digits).toBeGreaterThanOrEqual(truth - 1e-6);
			expect(speedo.digits).toBeLessThanOrEqual(truth * 1.1 + 4);
			// The needle position rounds up too.
			expect(speedo.needle.position / 480 * 240).toBeGreaterThanOrEqual(Math.min(truth, 240) - 1e-9);
		}
	});

	test("speed-digits-round-up-and-do-not-flicker-at-cruise", () => {
		const speedo = new Speedometer(240, 1, 480);
		speedo.update(99.99, 1000);
		expect(speedo.digits).toBe(100);
		speedo.update(100.01, FRAME_MS);
		expect(speedo.digits).toBe(101);
		// Back under 100: the digit holds at 101 (over-reading by less than 1.3) ...
		let changes = 0;
		for (let i = 0; i < 100; i++)
			changes += speedo.update(i % 2 ? 99.98 : 100.02, FRAME_MS) & GaugeChange.digits;
		expect(changes).toBe(0);
		// Settling exactly on 100 shows 100 after a moment.
		for (let i = 0; i < 30; i++)
			speedo.update(100, FRAME_MS);
		expect(speedo.digits).toBe(100);
		speedo.update(100.01, FRAME_MS);
		expect(speedo.digits).toBe(101);
		// ... and follows once the speed is clearly lower.
		for (let i = 0; i < 60; i++)
			speedo.update(97.5, FRAME_MS);
		expect(speedo.digits).toBe(98);
	});

	test("exact-speed-shows-exactly", () => {
		const speedo = new Speedometer(240, 1, 480);
		speedo.update(10000 * 0.01, 1000);
		expect(speedo.digits).toBe(100);
		speedo.update(0, 10000);
		expect(speedo.digits).toBe(0);
	});

	test("falling-speed-lags-above-the-truth-within-the-rule", () => {
		const speedo = new Speedometer(240, 1, 480, 250);
		speedo.update(100, 1000);
		speedo.update(50, FRAME_MS);
		expect(speedo.shownKmh).toBeGreaterThan(50);
		expect(speedo.shownKmh).toBeLessThanOrEqual(59 + 1e-9);
	});

	test("rising-speed-is-followed-at-once", () => {
		const speedo = new Speedometer(240, 1, 480, 250);
		speedo.update(20, 1000);
		speedo.update(80, FRAME_MS);
		expect(speedo.shownKmh).toBe(80);
		expect(speedo.digits).toBe(80);
	});

	test("imperial-speed-rounds-up-in-mph", () => {
		const speedo = new Speedometer(160, 1 / 1.609344, 480);
		speedo.update(100, 1000); // 62.137 mph
		expect(speedo.digits).toBe(63);
		speedo.update(1, 10000); // 0.62 mph: round up, and inside 0.1 * v + 4 km/h
		expect(speedo.digits).toBe(1);
	});

	test("stale-speed-shows-dashes-and-parks", () => {
		const speedo = new Speedometer(240, 1, 480);
		speedo.update(120, 1000);
		const bits = speedo.update(NaN, FRAME_MS);
		expect(bits & GaugeChange.digits).toBe(GaugeChange.digits);
		expect(bits & GaugeChange.missing).toBe(GaugeChange.missing);
		expect(speedo.digits).toBe(-1);
		expect(speedo.needle.missing).toBe(true);
		for (let i = 0; i < 100; i++)
			speedo.update(NaN, FRAME_MS);
		expect(speedo.needle.position).toBe(0);
		speedo.update(30, FRAME_MS);
		expect(speedo.digits).toBe(30);
		expect(speedo.needle.missing).toBe(false);
	});
});
