/*
 * The OBD-II poller's rules for what it sends and what it takes
 * (modules/obd/poller.ts), driven frame by frame: which frames answer the
 * request in flight (receive returns true) and which are counted as
 * malformed, late or negative and leave the request waiting; the PIDs it
 * accepts from a profile; the pace, timeouts and the ECU it addresses. The
 * rules mutation testing (npm run mutate) found unguarded. Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { ObdPoller, ObdState, type ObdPollerOptions } from "../modules/obd/poller.js";

interface Sent {
	id: number;
	data: number[];
	at: number;
}

function poller(options: Partial<ObdPollerOptions> = {}) {
	const sent: Sent[] = [];
	let accept = true;
	const p = new ObdPoller({
		transmit: frame => {
			if (!accept)
				return false;
			sent.push({ id: frame.id, data: Array.from(frame.data), at: frame.timestamp });
			return true;
		},
		pids: [{ pid: 0x0D, periodMs: 100 }, { pid: 0x0C, periodMs: 100 }],
		enabled: true,
		...options,
	});
	return { p, sent, refuse: (value: boolean) => { accept = !value; } };
}

function response(bytes: number[], id = 0x7E8, dlc = 8, flags = 0): CanFrame {
	const frame = new CanFrame();
	frame.id = id;
	frame.flags = flags;
	frame.dlc = dlc;
	frame.data.set([...bytes, 0, 0, 0, 0, 0, 0, 0, 0].slice(0, 8));
	return frame;
}

/** Supported PIDs 0x01-0x20: 0x0C and 0x0D (bits 12 and 13), none above. */
const SUPPORTED = [6, 0x41, 0x00, 0x00, 0x18, 0x00, 0x00];

/** A poller past discovery, with its first request (0x0D or 0x0C) in flight at t = 100. */
function polling(options: Partial<ObdPollerOptions> = {}) {
	const state = poller(options);
	state.p.tick(0);
	expect(state.p.receive(response(SUPPORTED), 10)).toBe(true);
	expect(state.p.state).toBe(ObdState.polling);
	state.p.tick(100);
	return state;
}

function counters(p: ObdPoller) {
	const { requests, responses, timeouts, negative, malformed, late, txFailed } = p;
	return { requests, responses, timeouts, negative, malformed, late, txFailed };
}

describe("OBD-II responses", () => {
	test("discovery-asks-the-functional-address-then-polls-the-ecu-that-answered", () => {
		const { p, sent } = polling();
		expect(sent[0]).toEqual({ id: 0x7DF, data: [2, 0x01, 0x00, 0x55, 0x55, 0x55, 0x55, 0x55], at: 0 });
		expect(p.ecu).toBe(0x7E8);
		expect(sent[1].id).toBe(0x7E0);
		expect(sent[1].data.slice(0, 3)).toEqual([2, 0x01, 0x0D]);
		expect([...p.supported.keys()].filter(pid => p.supported[pid])).toEqual([0x0C, 0x0D]);
	});

	test("a-frame-that-is-no-single-frame-answer-is-malformed-and-the-request-keeps-waiting", () => {
		const { p } = polling();
		const bad: Array<[string, CanFrame]> = [
			["dlc below 3", response([4, 0x41, 0x0D, 50], 0x7E8, 2)],
			["a first frame (PCI 1x, its length nibble 3)", response([0x13, 0x41, 0x0D, 50])],
			["length 1", response([1, 0x41, 0x0D, 50])],
			["length 8", response([8, 0x41, 0x0D, 50])],
			["length past the dlc", response([4, 0x41, 0x0D, 50], 0x7E8, 4)],
			["not mode 01's answer", response([3, 0x42, 0x0D, 50])],
			["another PID", response([3, 0x41, 0x0C, 50])],
			["too short for the PID", response([2, 0x41, 0x0D])],
			["a negative answer to another mode", response([3, 0x7F, 0x02, 0x12])],
			["a negative answer without its code", response([2, 0x7F, 0x01])],
		];
		bad.forEach(([why, frame], i) => {
			expect(p.receive(frame, 110), why).toBe(false);
			expect(p.malformed, why).toBe(i + 1);
		});
		// Still in flight: the right answer is taken.
		expect(p.receive(response([3, 0x41, 0x0D, 50]), 120)).toBe(true);
		expect(p.values.read(0x0D, 120)).toBe(50);
		expect(counters(p)).toMatchObject({ responses: 2, malformed: bad.length, late: 0, negative: 0 });
	});

	test("the-shortest-and-longest-single-frames-are-answers", () => {
		const { p } = polling();
		// Length 7 in a frame of dlc 8: the speed, then padding.
		expect(p.receive(response([7, 0x41, 0x0D, 60, 0xAA, 0xAA, 0xAA, 0xAA]), 110)).toBe(true);
		p.tick(200);
		const { p: q } = polling();
		// Length 3 exactly in a frame of dlc 4 (length + 1 = dlc).
		expect(q.receive(response([3, 0x41, 0x0D, 70], 0x7E8, 4), 110)).toBe(true);
		expect(q.values.read(0x0D, 110)).toBe(70);
	});

	test("an-answer-with-nothing-in-flight-is-late-not-malformed", () => {
		const { p } = polling();
		expect(p.receive(response([3, 0x41, 0x0D, 50]), 110)).toBe(true);
		expect(p.receive(response([3, 0x41, 0x0D, 51]), 111)).toBe(false);
		expect(counters(p)).toMatchObject({ late: 1, malformed: 0, responses: 2 });
		expect(p.values.read(0x0D, 111)).toBe(50);
		// A negative answer with nothing in flight is nobody's: not counted.
		expect(p.receive(response([3, 0x7F, 0x01, 0x12]), 112)).toBe(false);
		expect(counters(p)).toMatchObject({ late: 1, malformed: 0, negative: 0 });
	});

	test("a-negative-answer-ends-the-request-and-that-pid-is-not-asked-again", () => {
		const { p, sent } = polling();
		const refused = sent[1].data[2];
		expect(p.receive(response([3, 0x7F, 0x01, 0x12]), 110)).toBe(true);
		expect(p.negative).toBe(1);
		expect(p.supported[refused]).toBe(0);
		for (let t = 200; t < 2000; t += 50) {
			p.tick(t);
			p.receive(response([3, 0x41, sent.at(-1)!.data[2], 1, 2]), t + 1);
		}
		expect(sent.slice(2).every(request => request.data[2] !== refused)).toBe(true);
	});

	test("response-pending-extends-the-wait-to-5-s", () => {
		const { p } = polling({ timeoutMs: 150 });
		expect(p.receive(response([3, 0x7F, 0x01, 0x78]), 110)).toBe(false);
		expect(counters(p)).toMatchObject({ negative: 0, malformed: 0 });
		p.tick(110 + 4999);
		expect(p.timeouts).toBe(0);
		expect(p.receive(response([3, 0x41, 0x0D, 50]), 110 + 4999)).toBe(true);
	});

	test("a-negative-answer-during-discovery-means-no-ecu-for-now", () => {
		const { p } = poller({ retryMs: 2000 });
		p.tick(0);
		expect(p.receive(response([3, 0x7F, 0x01, 0x11]), 5)).toBe(true);
		expect(p.state).toBe(ObdState.waiting);
		expect(p.ecu).toBe(-1);
	});

	test("a-frame-on-another-id-is-not-looked-at", () => {
		const { p } = polling();
		expect(p.receive(response([3, 0x41, 0x0D, 50], 0x123), 110)).toBe(false);
		expect(p.receive(response([1], 0x7E0), 110)).toBe(false);
		expect(counters(p)).toMatchObject({ malformed: 0, late: 0, responses: 1 });
		expect(p.receive(response([3, 0x41, 0x0D, 50]), 111)).toBe(true);
	});

	test("after-an-ecu-answered-another-ecu-is-not-ours-to-count", () => {
		const { p } = polling();
		expect(p.receive(response([3, 0x41, 0x0D, 50], 0x7E9), 110)).toBe(false);
		expect(p.receive(response([1], 0x7E9), 110)).toBe(false);
		expect(counters(p)).toMatchObject({ malformed: 0, late: 0, responses: 1 });
	});

	test("a-disabled-poller-takes-nothing-and-sends-nothing", () => {
		const { p, sent } = poller({ enabled: false });
		p.tick(0);
		p.tick(1000);
		expect(sent).toEqual([]);
		expect(p.takes(response(SUPPORTED))).toBe(false);
		expect(p.receive(response(SUPPORTED), 0)).toBe(false);
		expect(p.receive(response([3, 0x41, 0x0D, 50]), 0)).toBe(false);
		expect(counters(p)).toEqual({ requests: 0, responses: 0, timeouts: 0, negative: 0, malformed: 0, late: 0, txFailed: 0 });
	});

	test("response-ids-are-0x7E8-to-0x7EF-or-0x18DAF1xx-of-the-right-addressing", () => {
		const { p } = poller();
		expect([0x7E7, 0x7E8, 0x7EF, 0x7F0].map(id => p.isResponse(response([], id)))).toEqual([false, true, true, false]);
		expect(p.isResponse(response([], 0x18DAF110, 8, FrameFlag.extended))).toBe(false);
		expect(p.isResponse(response([], 0x7E8, 8, FrameFlag.remote))).toBe(false);
		expect(p.isResponse(response([], 0x7E8, 8, FrameFlag.error))).toBe(false);
		const { p: x } = poller({ extended: true });
		expect(x.isResponse(response([], 0x18DAF110, 8, FrameFlag.extended))).toBe(true);
		expect(x.isResponse(response([], 0x18DAF210, 8, FrameFlag.extended))).toBe(false);
		expect(x.isResponse(response([], 0x7E8))).toBe(false);
	});

	test("29-bit-requests-go-to-the-functional-then-the-physical-address", () => {
		const { p, sent } = poller({ extended: true });
		p.tick(0);
		expect(sent[0].id).toBe(0x18DB33F1);
		expect(p.receive(response(SUPPORTED, 0x18DAF110, 8, FrameFlag.extended), 10)).toBe(true);
		p.tick(100);
		expect(sent[1].id).toBe(0x18DA10F1);
	});
});

describe("OBD-II schedule", () => {
	test("only-pids-1-to-255-with-a-known-formula-are-polled", () => {
		const { p, sent } = poller({ pids: [{ pid: 0, periodMs: 100 }, { pid: 256, periodMs: 100 }, { pid: 0x99, periodMs: 100 }, { pid: 0x0D, periodMs: 100 }, { pid: -1, periodMs: 100 }] });
		// The ECU supports every PID it can name (0x01 to 0xFF).
		let t = 0;
		p.tick(t);
		while (p.state === ObdState.discovering) {
			p.receive(response([6, 0x41, sent.at(-1)!.data[2], 0xFF, 0xFF, 0xFF, 0xFF]), t += 60);
			p.tick(t += 60);
		}
		expect(p.supported[0xFF]).toBe(1);
		expect(p.supported[0x99]).toBe(1);
		const discovery = sent.length - 1;
		for (t += 60; t < 3000; t += 60) {
			p.tick(t);
			if (p.receive(response([3, 0x41, sent.at(-1)!.data[2], 1]), t + 1) === false)
				break;
		}
		expect(new Set(sent.slice(discovery).map(request => request.data[2]))).toEqual(new Set([0x0D]));
	});

	test("requests-are-spaced-by-the-rate-limit-default-20-per-second", () => {
		const { p, sent } = polling();
		p.receive(response([3, 0x41, sent[1].data[2], 1, 2]), 101);
		p.tick(100 + 49);
		expect(sent).toHaveLength(2);
		p.tick(150);
		expect(sent).toHaveLength(3);
		const fast = polling({ maxRequestsPerSecond: 100 }); // capped at 50: 20 ms
		expect(fast.p.minIntervalMs).toBe(20);
		expect(polling({ maxRequestsPerSecond: 0 }).p.minIntervalMs).toBe(50);
	});

	test("each-pid-again-after-its-period-the-most-overdue-first", () => {
		const { p, sent } = polling();
		const answer = (t: number) => p.receive(response([4, 0x41, sent.at(-1)!.data[2], 1, 2]), t);
		answer(101);
		p.tick(150);
		answer(151);
		expect(sent.slice(1).map(r => r.data[2]).sort()).toEqual([0x0C, 0x0D]);
		// Both answered; neither is due again before its 100 ms period.
		p.tick(199);
		expect(sent).toHaveLength(3);
		p.tick(200);
		expect(sent.at(-1)!.data[2]).toBe(sent[1].data[2]);
		expect(sent).toHaveLength(4);
	});

	test("timeouts-after-timeoutMs-and-lost-after-lostAfter-in-a-row", () => {
		const { p } = polling({ timeoutMs: 150, lostAfter: 2, retryMs: 1000 });
		p.tick(249);
		expect(p.timeouts).toBe(0);
		p.tick(250);
		expect(p.timeouts).toBe(1);
		expect(p.state).toBe(ObdState.polling);
		p.tick(400); // the next request, sent at 250, times out at 400
		expect(p.timeouts).toBe(2);
		expect(p.state).toBe(ObdState.waiting);
		expect(p.ecu).toBe(-1);
		p.tick(400 + 999);
		expect(p.state).toBe(ObdState.waiting);
		p.tick(400 + 1000);
		expect(p.state).toBe(ObdState.discovering);
	});

	test("a-value-stays-valid-for-three-of-its-periods-at-least-1-5-s", () => {
		const { p, sent } = polling({ pids: [{ pid: 0x0D, periodMs: 1000 }, { pid: 0x0C, periodMs: 100 }] });
		expect(sent[1].data[2]).toBe(0x0D);
		p.receive(response([3, 0x41, 0x0D, 50]), 100);
		expect(p.values.read(0x0D, 3100)).toBe(50);
		expect(p.values.read(0x0D, 3101)).toBeNaN();
		p.tick(200);
		p.receive(response([4, 0x41, 0x0C, 0x1A, 0xF8]), 200);
		expect(p.values.read(0x0C, 1700)).toBe(1726);
		expect(p.values.read(0x0C, 1701)).toBeNaN();
	});

	test("the-most-overdue-pid-goes-first", () => {
		const { p, sent } = polling({ pids: [{ pid: 0x0C, periodMs: 1000 }, { pid: 0x0D, periodMs: 100 }], maxRequestsPerSecond: 50 });
		expect(sent[1].data[2]).toBe(0x0C); // both due at once: the first listed
		p.receive(response([4, 0x41, 0x0C, 1, 2]), 101);
		p.tick(120);
		expect(sent[2].data[2]).toBe(0x0D);
		p.receive(response([3, 0x41, 0x0D, 5]), 121);
		// At 1200 0x0C is due since 1100 and 0x0D since 220: 0x0D first.
		p.tick(1200);
		expect(sent[3].data[2]).toBe(0x0D);
	});

	test("a-pid-not-due-is-not-asked-even-when-requests-are-allowed", () => {
		const { p, sent } = polling({ pids: [{ pid: 0x0D, periodMs: 100 }], maxRequestsPerSecond: 50 });
		p.receive(response([3, 0x41, 0x0D, 5]), 101);
		p.tick(199);
		expect(sent).toHaveLength(2);
		p.tick(200);
		expect(sent).toHaveLength(3);
	});

	test("a-pid-the-bus-already-carries-is-skipped-for-a-period", () => {
		let covered = true;
		const { p, sent } = polling({ pids: [{ pid: 0x0D, periodMs: 100 }, { pid: 0x0C, periodMs: 100 }], maxRequestsPerSecond: 50, covered: pid => pid === 0x0D && covered });
		// 0x0D skipped at 100 (due again at 200); 0x0C asked.
		expect(sent[1].data[2]).toBe(0x0C);
		p.receive(response([4, 0x41, 0x0C, 1, 2]), 101);
		covered = false;
		p.tick(150);
		expect(sent).toHaveLength(2);
		p.tick(200);
		expect(sent[2].data[2]).toBe(0x0D);
	});

	test("a-refused-transmit-is-counted-and-retried-after-the-interval", () => {
		const { p, sent, refuse } = poller();
		refuse(true);
		p.tick(0);
		expect(p.txFailed).toBe(1);
		expect(p.requests).toBe(0);
		refuse(false);
		p.tick(49);
		expect(sent).toHaveLength(0);
		p.tick(50);
		expect(sent).toHaveLength(1);
		expect(p.requests).toBe(1);
	});

	test("after-a-timeout-a-refused-transmit-counts-no-second-timeout", () => {
		const { p, refuse } = polling({ timeoutMs: 150, lostAfter: 5 });
		refuse(true);
		p.tick(250);
		expect([p.timeouts, p.txFailed]).toEqual([1, 1]);
		p.tick(300);
		expect([p.timeouts, p.txFailed]).toEqual([1, 2]);
	});

	test("discovery-follows-the-supported-ranges-up-to-0xE0", () => {
		const { p, sent } = poller();
		p.tick(0);
		let t = 0;
		for (const base of [0x00, 0x20, 0x40, 0x60, 0x80, 0xA0, 0xC0, 0xE0]) {
			expect(sent.at(-1)!.data[2]).toBe(base);
			p.receive(response([6, 0x41, base, 0x00, 0x00, 0x00, 0x01]), t += 60);
			p.tick(t += 60);
		}
		// 0xE0 says 0x100 is supported too; there is no such range.
		expect(p.state).toBe(ObdState.polling);
		expect(p.supported[0xE0]).toBe(1);
	});
});
