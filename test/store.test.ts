import { beforeEach, describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { RAW_SCALED, RawKind, SignalStore } from "../modules/signals/store.js";
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
		store.set(0, 42, clock.now());
		expect(store.read(0, clock.advance(499))).toBe(42);
		expect(store.read(0, clock.advance(1))).toBe(42);
		expect(store.read(0, clock.advance(1))).toBeNaN();
		store.set(0, 43, clock.now());
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

	test("reset-forgets-every-value: times back to NaN (not 0, which a clock can read), counts and raw words to 0", () => {
		const store = new SignalStore(1, 500);
		store.set(0, 1, clock.now());
		store.reset();
		expect(store.read(0, clock.now())).toBeNaN();
		expect(store.read(0, 0)).toBeNaN();
		expect(store.updatedAt[0]).toBeNaN();
		expect(store.updates[0]).toBe(0);
		expect(Array.from(store.words)).toEqual([0, 0]);
	});
});

describe("signal store raw values", () => {
	const clock = new FakeClock(1000);
	/** One message holding a signal of each raw kind, scaled or not. */
	function kindsStore() {
		const plan = new DecodePlan(compilePlan(database([
			message({ id: 1, name: "Narrow", length: 8, signals: [
				signal({ name: "U8", startBit: 0, length: 8 }),
				signal({ name: "S12", startBit: 8, length: 12, signed: true, factor: 0.5, offset: -1 }),
				signal({ name: "F32", startBit: 32, length: 32, valueType: "float32" }),
			] }),
			message({ id: 2, name: "Wide", length: 8, signals: [
				signal({ name: "U40", startBit: 0, length: 40 }),
				signal({ name: "S24", startBit: 40, length: 24, signed: true }),
			] }),
			message({ id: 3, name: "Double", length: 8, signals: [signal({ name: "F64", startBit: 0, length: 64, valueType: "float64", factor: 2 })] }),
			message({ id: 4, name: "Huge", length: 8, signals: [
				signal({ name: "S48", startBit: 0, length: 48, signed: true }),
				signal({ name: "Overflow", startBit: 48, length: 16, factor: 1e308 }),
			] }),
		])).buffer);
		return new Decoder(plan);
	}

	function decode(decoder: Decoder, id: number, bytes: number[], now: number): void {
		const frame = new CanFrame();
		frame.id = id;
		frame.dlc = 8;
		frame.data.set(bytes);
		frame.timestamp = now;
		decoder.decode(frame);
	}

	test("each-raw-kind-reads-back: the decoder stores raw bits, the store turns them into raws and values", () => {
		const decoder = kindsStore(), store = decoder.store, now = clock.now();
		const single = new DataView(new ArrayBuffer(8));
		single.setFloat32(4, -2.5, true);
		decode(decoder, 1, [200, 0x00, 0x08, 0, ...new Uint8Array(single.buffer, 4, 4)], now); // S12 = 0x800 = -2048
		decode(decoder, 2, [1, 2, 3, 4, 5, 0xFE, 0xFF, 0xFF], now); // U40 = 0x0504030201, S24 = -2
		const double = new DataView(new ArrayBuffer(8));
		double.setFloat64(0, -1.25, true);
		decode(decoder, 3, Array.from(new Uint8Array(double.buffer)), now);
		expect(Array.from(store.kinds.subarray(0, 6))).toEqual([
			RawKind.uint32, RawKind.int32 | RAW_SCALED, RawKind.float32 | RAW_SCALED, RawKind.uint64, RawKind.int32, RawKind.float64 | RAW_SCALED]);
		expect([0, 1, 2, 3, 4, 5].map(s => store.raw(s))).toEqual([200, -2048, -2.5, 0x0504030201, -2, -1.25]);
		expect([0, 1, 2, 3, 4, 5].map(s => store.read(s, now))).toEqual([200, -1025, -2.5, 0x0504030201, -2, -2.5]);
		// A 32-bit kind writes word 0 only: word 1 stays as it was.
		expect(store.words[2 * 1 + 1]).toBe(0);
	});

	test("wide-signed-is-sign-extended-to-64-bits", () => {
		const decoder = kindsStore(), store = decoder.store;
		decode(decoder, 4, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0], clock.now()); // S48 = -1
		expect(store.raw(6)).toBe(-1);
		expect([store.words[12], store.words[13]]).toEqual([0xFFFFFFFF, 0xFFFFFFFF]);
	});

	test("non-finite-value-reads-missing: a factor of 1e308 on a 16-bit raw value is Infinity, shown as missing", () => {
		const decoder = kindsStore(), store = decoder.store, now = clock.now();
		decode(decoder, 4, [0, 0, 0, 0, 0, 0, 0x10, 0x00], now);
		expect(store.value(7)).toBe(Infinity);
		expect(store.isFresh(7, now)).toBe(true);
		expect(store.read(7, now)).toBeNaN();
	});

	test("decoder-refuses-a-store-of-another-layout: a plain-number store would read raw bits as doubles", () => {
		const plan = kindsStore().plan;
		expect(SignalStore.forPlan(plan).fits(plan)).toBe(true);
		expect(new SignalStore(plan.signalCount, 500).fits(plan)).toBe(false);
		expect(() => new Decoder(plan, new SignalStore(plan.signalCount, 500))).toThrow(/does not fit the plan/);
		expect(() => new Decoder(plan, SignalStore.forPlan(plan))).not.toThrow();
	});

	test("plain-number-store-refuses-scaled-kinds-without-scaling", () => {
		expect(() => new SignalStore(1, 500, Uint8Array.of(RawKind.uint32 | RAW_SCALED))).toThrow(RangeError);
	});
});
