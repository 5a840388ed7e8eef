/*
 * The CAN sources on the engine the device runs: TwaiSource against the mock
 * TWAI and Mcp2515Source against the MCP2515 register model, compiled by tsc
 * into ES modules (no Node types) and linked by the xsnap worker (XS built
 * from source by `npm ci`). Checks that a saturated bus is received without
 * loss on XS too, that an overload keeps the newest frames and counts the
 * dropped ones exactly (the mock's receive ring is twai-rx-ring.h's model), that moving frames from the driver into the ring allocates
 * nothing (XS heap slots before and after), and what a frame costs on XS's
 * compute meter. Skipped, saying why, when the worker is not built.
 */
import { expect, test } from "vitest";
import { describeOnXs } from "./support/xs-suite.js";


const DRIVER = `
import { FrameRing } from "./modules/can/ring.js";
import { CanFrame } from "./modules/can/frame.js";
import { TwaiSource } from "./modules/can/twai-source.js";
import { twaiAcceptance } from "./modules/can/twai.js";
import { Mcp2515Source } from "./modules/can/mcp2515.js";
import { MockTwai, MockTwaiBus } from "./test/fixtures/mock-twai.js";
import { Mcp2515Model } from "./test/fixtures/mcp2515-model.js";
import { MockSpi } from "./test/fixtures/mock-spi.js";
import { MockDigital } from "./test/fixtures/mock-digital.js";

let time = 0;
const clock = () => time;

function twaiSource(ring, rxQueueLength = 512) {
	MockTwaiBus.reset();
	const source = new TwaiSource(ring, { open: (o) => new MockTwai(o), clock, transmit: 25, receive: 26, bitRate: 1000000, rxQueueLength });
	source.open(time);
	return source;
}

function frames(n, start) {
	const out = [];
	for (let i = 0; i < n; i++) {
		const data = new Uint8Array(8);
		const k = start + i;
		data[0] = k & 0xFF; data[1] = (k >> 8) & 0xFF; data[2] = (k >> 16) & 0xFF;
		out.push({ id: 0x100 + (k & 7), flags: 0, dlc: 8, data });
	}
	return out;
}

globalThis.twaiSaturated = function (seconds) {
	const ring = new FrameRing(512);
	const source = twaiSource(ring);
	MockTwaiBus.open.notify = false;
	const frame = new CanFrame();
	let sent = 0, received = 0, bad = 0;
	for (let ms = 1; ms <= seconds * 1000; ms++) {
		time++;
		MockTwaiBus.open.deliver(frames(9, sent));
		sent += 9;
		if (ms % 33 === 0) {
			source.step(time);
			while (ring.pop(frame)) {
				if ((frame.data[0] | (frame.data[1] << 8) | (frame.data[2] << 16)) !== received)
					bad++;
				received++;
			}
		}
	}
	source.step(time);
	while (ring.pop(frame))
		received++;
	return new Float64Array([sent, received, bad, ring.dropped, source.status.missed, source.status.dropped]).buffer;
};

/* The app stalls for \`ms\` at 9 frames/ms, then drains once: the controller's ring keeps its newest 512, dropping the oldest. */
globalThis.twaiOverload = function (ms) {
	const ring = new FrameRing(512);
	const source = twaiSource(ring);
	MockTwaiBus.open.notify = false;
	const frame = new CanFrame();
	let sent = 0;
	for (let i = 0; i < ms; i++) {
		time++;
		MockTwaiBus.open.deliver(frames(9, sent));
		sent += 9;
	}
	source.step(time);
	let first = -1, count = 0, bad = 0;
	while (ring.pop(frame)) {
		const n = frame.data[0] | (frame.data[1] << 8) | (frame.data[2] << 16);
		if (first < 0)
			first = n;
		else if (n !== first + count)
			bad++;
		count++;
	}
	return new Float64Array([sent, first, count, bad, source.status.dropped, source.status.missed, ring.dropped]).buffer;
};

/*
 * Supervision on XS: a listen-only source with a 29-bit filter goes bus-off, waits
 * its back-off, recovers (twai_node_recover only: no start) and receives again.
 */
globalThis.twaiSupervision = function () {
	MockTwaiBus.reset();
	MockTwaiBus.now = clock;
	const ring = new FrameRing(64);
	const source = new TwaiSource(ring, {
		open: (o) => new MockTwai(o), clock, transmit: 25, receive: 26, bitRate: 500000,
		filter: twaiAcceptance(0x18DAF100, 0x1FFFFF00, true), backoffMs: 100,
	});
	source.open(time);
	const io = MockTwaiBus.open;
	const data = new Uint8Array(8);
	const mix = [
		{ id: 0x18DAF110, flags: 1, dlc: 8, data }, { id: 0x18DAF210, flags: 1, dlc: 8, data },
		{ id: 0x110, flags: 0, dlc: 8, data }, { id: 0x18DAF1FF, flags: 1, dlc: 8, data },
	];
	io.deliver(mix);
	const before = ring.length;
	io.goBusOff();
	io.poll();
	const stateOff = source.status.state;
	time += 100;
	source.step(time);
	const recovering = source.status.state;
	io.completeRecovery();
	io.poll();
	io.deliver(mix);
	return new Float64Array([before, ring.length, io.filtered, stateOff, recovering, source.status.state,
		source.status.busOffs, source.status.recoveries, io.calls.length, io.writes.length]).buffer;
};

/* Drain cost: frames are queued in the mock by one command, moved by the next. */
const drainRing = new FrameRing(4096);
let drainSource = null;
globalThis.twaiQueue = function (n) {
	drainRing.reset();
	drainSource = twaiSource(drainRing, 1024); // the 400 frames all wait in the controller's ring
	MockTwaiBus.open.notify = false;
	MockTwaiBus.open.deliver(frames(n, 0));
	return new Float64Array([MockTwaiBus.open.queued]).buffer;
};
globalThis.twaiDrain = function () {
	return new Float64Array([drainSource.drain(time)]).buffer;
};

globalThis.mcpSaturated = function (seconds) {
	const model = new Mcp2515Model();
	const ring = new FrameRing(512);
	const source = new Mcp2515Source(ring, {
		openSpi: () => new MockSpi({ clock: 18, out: 23, in: 19, select: 27, hz: 8000000 }, model),
		openInterrupt: (onInterrupt) => {
			const pin = new MockDigital({ pin: 32, edge: 2, onReadable: onInterrupt }, model.interruptLevel);
			model.onInterrupt = (level) => pin.drive(level);
			return pin;
		},
		clock, crystal: 16000000, bitRate: 1000000,
	});
	source.open(time);
	const frame = new CanFrame();
	let sent = 0, received = 0;
	for (let ms = 1; ms <= seconds * 1000; ms++) {
		time++;
		for (let i = 0; i < 9; i++, sent++)
			model.receive({ id: 0x100 + (sent & 0xFF), dlc: 2, data: [sent & 0xFF, (sent >> 8) & 0xFF] });
		if (ms % 33 === 0) {
			source.step(time);
			while (ring.pop(frame))
				received++;
		}
	}
	source.step(time);
	while (ring.pop(frame))
		received++;
	return new Float64Array([sent, received, model.lost, ring.dropped, source.status.overruns]).buffer;
};
`;

const XS_FILES = [
	"modules/can/twai-source.ts", "modules/can/mcp2515.ts",
	"test/fixtures/mock-twai.ts", "test/fixtures/mcp2515-model.ts", "test/fixtures/mock-spi.ts", "test/fixtures/mock-digital.ts",
];

describeOnXs("CAN sources", XS_FILES, DRIVER, ({ run }) => {
	test("twai-saturated-bus-no-loss-on-xs: 9,000 frames/s for 2 s, 512-slot ring at 33 ms", async () => {
		const { values: [sent, received, bad, dropped, missed, driverDropped] } = await run("twaiSaturated(2)");
		expect(sent).toBe(18000);
		expect(received).toBe(sent);
		expect(bad).toBe(0);
		expect(dropped).toBe(0);
		expect(missed).toBe(0);
		expect(driverDropped).toBe(0);
	}, 60_000);

	test("twai-overload-keeps-newest-on-xs: the app stalls 200 ms; the newest 512 frames are kept, 1,288 dropped and counted", async () => {
		const { values: [sent, first, count, bad, dropped, missed, ringDropped] } = await run("twaiOverload(200)");
		expect(sent).toBe(1800);
		expect(count).toBe(512);
		expect(first).toBe(sent - 512);
		expect(bad).toBe(0);
		expect(dropped).toBe(1288);
		expect(missed).toBe(0);
		expect(ringDropped).toBe(0);
	}, 60_000);

	test("twai-bus-off-recover-running-on-xs: 29-bit filter, bus-off, back-off, recover with no start, frames again, no write", async () => {
		const { values } = await run("twaiSupervision()");
		// BusState: 3 bus-off, 4 recovering, 1 error-active. Calls: start, recover.
		expect(values).toEqual([2, 4, 4, 3, 4, 1, 1, 1, 2, 0]);
	}, 60_000);

	test("twai-drain-allocates-nothing-on-xs: moving 400 frames takes the same heap slots as moving 40", async () => {
		const heapDelta = async (n: number) => {
			await run(`twaiQueue(${n})`);
			const before = (await run("0")).meter.currentHeapCount;
			const drained = await run("twaiDrain()");
			expect(drained.values[0]).toBe(n);
			return { slots: drained.meter.currentHeapCount - before, compute: drained.meter.compute };
		};
		await heapDelta(40); // warm up
		const few = await heapDelta(40);
		const many = await heapDelta(400);
		// What the command itself allocates (its reply) is the same for both: nothing per frame.
		expect(many.slots).toBe(few.slots);
		const perFrame = (many.compute - few.compute) / 360;
		console.log(`XS compute per frame: TwaiSource.drain ${perFrame.toFixed(0)} (mock read included); heap slots per command ${many.slots}`);
		expect(perFrame).toBeLessThan(1500);
	}, 60_000);

	test("mcp2515-saturated-bus-no-loss-on-xs: serviced on INT, 512-slot ring at 33 ms", async () => {
		const { meter, values: [sent, received, lost, dropped, overruns] } = await run("mcpSaturated(1)");
		expect(sent).toBe(9000);
		expect(received).toBe(sent);
		expect(lost).toBe(0);
		expect(dropped).toBe(0);
		expect(overruns).toBe(0);
		console.log(`XS compute per frame: MCP2515 model + driver ${(meter.compute / sent).toFixed(0)}`);
	}, 60_000);
}, 120_000);
