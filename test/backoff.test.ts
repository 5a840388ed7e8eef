/*
 * Backoff: the one reconnect and bus-off policy (modules/can/backoff.ts)
 * that the MCP2515 and TWAI supervisors, the TCP feed and the ESP32 host's
 * open retries share.
 */
import { describe, expect, test } from "vitest";
import { Backoff } from "../modules/can/backoff.js";

describe("backoff", () => {
	test("waits-double-from-the-first-up-to-the-longest", () => {
		const b = new Backoff({ firstMs: 100, maxMs: 500 });
		expect([b.fail(0), b.fail(1000), b.fail(2000), b.fail(3000), b.fail(4000)]).toEqual([100, 1200, 2400, 3500, 4500]);
	});

	test("grow-doubles-without-scheduling: a retry made after waiting `wait`", () => {
		const b = new Backoff({ firstMs: 100, maxMs: 300 });
		b.grow();
		expect(b.wait).toBe(200);
		b.grow();
		expect(b.wait).toBe(300);
	});

	test("stable-for-stableMs-starts-over; one-ms-short-does-not", () => {
		const b = new Backoff({ firstMs: 100, maxMs: 5000, stableMs: 10000 });
		b.fail(0);
		b.fail(0);
		b.up(1000);
		b.settle(10999);
		expect(b.wait).toBe(400);
		b.settle(11000);
		expect(b.wait).toBe(100);
	});

	test("without-stableMs-only-reset-starts-over", () => {
		const b = new Backoff({ firstMs: 250, maxMs: 5000 });
		b.fail(0);
		b.up(0);
		b.settle(1e9);
		expect(b.wait).toBe(500);
		b.reset();
		expect(b.wait).toBe(250);
	});

	test("bad-waits-are-refused-with-their-values", () => {
		expect(() => new Backoff({ firstMs: 0, maxMs: 10 })).toThrow("Backoff: firstMs 0 must be > 0 and <= maxMs 10");
		expect(() => new Backoff({ firstMs: 20, maxMs: 10 })).toThrow(RangeError);
	});
});
