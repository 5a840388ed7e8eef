import { beforeEach, describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { SignalStore } from "../modules/signals/store.js";
import { FakeClock } from "./fixtures/clock.js";
import { database, message, signal } from "./support/dbc-builder.js";

describe("signal store staleness", () => {
	let clock: FakeClock;
	beforeEach(() => {
		clock = new FakeClock(1000);
	});

	test("never-received-signal-is-missing", () => {
		const store = new SignalStore(2, 500);
		expect(store.isFresh(0, clock.now())).toBe(false);
		expect(store.read(0, clock.now())).toBeNaN();
		expect(store.countMissing(clock.now())).toBe(2);
	});

	test("value-is-fresh-until-its-timeout-then-missing", () => {
		const store = new SignalStore(1, 500);
		store.set(0, 10, 42, clock.now());
		expect(store.read(0, clock.advance(499))).toBe(42);
		expect(store.read(0, clock.advance(1))).toBe(42);
		expect(store.read(0, clock.advance(1))).toBeNaN();
		store.set(0, 11, 43, clock.now());
		expect(store.read(0, clock.now())).toBe(43);
	});

	test("timeouts-come-from-the-message-cycle-time", () => {
		const plan = new DecodePlan(compilePlan(database([
			message({ id: 1, name: "Fast", cycleTime: 10, signals: [signal({ name: "A", startBit: 0, length: 8 })] }),
			message({ id: 2, name: "Slow", cycleTime: 1000, signals: [signal({ name: "B", startBit: 0, length: 8 })] }),
			message({ id: 3, name: "Event", signals: [signal({ name: "C", startBit: 0, length: 8 })] }),
		])).buffer);
		const decoder = new Decoder(plan);
		const frame = new CanFrame();
		frame.dlc = 8;
		for (const id of [1, 2, 3]) {
			frame.id = id;
			frame.timestamp = clock.now();
			decoder.decode(frame);
		}
		const store = decoder.store;
		// 10 ms cycle: 5 periods is 50 ms, raised to the 250 ms floor.
		expect(Array.from(store.timeouts)).toEqual([250, 5000, 2000]);
		clock.advance(251);
		expect([0, 1, 2].map(id => store.isFresh(id, clock.now()))).toEqual([false, true, true]);
		clock.advance(1800);
		expect(store.countMissing(clock.now())).toBe(2);
		expect(store.countMissing(clock.now(), [1])).toBe(0);
	});

	test("reset-forgets-every-value", () => {
		const store = new SignalStore(1, 500);
		store.set(0, 1, 1, clock.now());
		store.reset();
		expect(store.read(0, clock.now())).toBeNaN();
		expect(store.updates[0]).toBe(0);
	});
});
