import { describe, expect, test } from "vitest";
import { Quantity } from "../modules/cluster/quantity.js";
import { BULB_CHECK_MS, FLASH_PERIOD_MS, LampState, Telltale, TelltaleBank } from "../modules/cluster/telltales.js";
import { FakeClock } from "./fixtures/clock.js";
import { FakeQuantities } from "./fixtures/quantities.js";

const FRAME_MS = 33;

function everyLampMapped(): FakeQuantities {
	const q = new FakeQuantities();
	for (const quantity of [Quantity.turnLeft, Quantity.turnRight, Quantity.checkEngine, Quantity.oilPressureLow, Quantity.chargeFault,
		Quantity.coolantTemp, Quantity.fuelLevel, Quantity.parkingBrake, Quantity.highBeam, Quantity.seatBeltUnbuckled, Quantity.doorOpen])
		q.set(quantity, 0);
	q.set(Quantity.coolantTemp, 90).set(Quantity.fuelLevel, 50);
	return q;
}

describe("telltales", () => {
	test("bulb-check-lights-every-lamp-then-shows-real-state", () => {
		const clock = new FakeClock(1000);
		const q = everyLampMapped().set(Quantity.parkingBrake, 1);
		const bank = new TelltaleBank(q);
		bank.start(clock.now());
		bank.update(clock.now());
		expect(Array.from(bank.shown)).toEqual(new Array(11).fill(LampState.on));
		clock.advance(BULB_CHECK_MS - 1);
		bank.update(clock.now());
		expect(bank.shown[Telltale.checkEngine]).toBe(LampState.on);
		clock.advance(1);
		const changed = bank.update(clock.now());
		expect(bank.shown[Telltale.checkEngine]).toBe(LampState.off);
		expect(bank.shown[Telltale.parkingBrake]).toBe(LampState.on);
		// Only the lamps that went out are redrawn.
		expect(changed & (1 << Telltale.parkingBrake)).toBe(0);
		expect(changed & (1 << Telltale.checkEngine)).not.toBe(0);
	});

	test("turn-signal-blinks-90-times-a-minute", () => {
		const clock = new FakeClock();
		const q = everyLampMapped();
		const bank = new TelltaleBank(q);
		bank.start(0);
		clock.set(BULB_CHECK_MS + 100);
		q.set(Quantity.turnLeft, 1);
		let flashes = 0, previous: number = LampState.off;
		const start = clock.now();
		bank.update(start);
		expect(bank.shown[Telltale.turnLeft]).toBe(LampState.on); // lit the moment the stalk moves
		for (let t = start; t < start + 60000; t += 10) {
			bank.update(t);
			const lit = bank.shown[Telltale.turnLeft];
			if (lit === LampState.on && previous !== LampState.on)
				flashes++;
			previous = lit;
		}
		expect(flashes).toBe(90);
		expect(FLASH_PERIOD_MS).toBeGreaterThanOrEqual(500); // at most 120 a minute
		expect(FLASH_PERIOD_MS).toBeLessThanOrEqual(1000); // at least 60
		q.set(Quantity.turnLeft, 0);
		bank.update(start + 60000);
		expect(bank.shown[Telltale.turnLeft]).toBe(LampState.off);
	});

	test("missing-lamp-signal-is-unknown-not-off", () => {
		const q = everyLampMapped().set(Quantity.parkingBrake, NaN);
		const bank = new TelltaleBank(q);
		bank.start(0);
		bank.update(BULB_CHECK_MS);
		expect(bank.shown[Telltale.parkingBrake]).toBe(LampState.unknown);
		expect(bank.shown[Telltale.seatBelt]).toBe(LampState.off);
	});

	test("unmapped-lamp-stays-off-after-the-bulb-check", () => {
		const q = new FakeQuantities().set(Quantity.speed, 0);
		const bank = new TelltaleBank(q);
		bank.start(0);
		bank.update(0);
		expect(bank.shown[Telltale.oilPressure]).toBe(LampState.on);
		bank.update(BULB_CHECK_MS);
		expect(bank.shown[Telltale.oilPressure]).toBe(LampState.off);
		expect(bank.mapped[Telltale.oilPressure]).toBe(0);
	});

	test("coolant-and-fuel-lamps-fall-back-to-thresholds", () => {
		const q = everyLampMapped().set(Quantity.coolantTemp, 121).set(Quantity.fuelLevel, 8);
		const bank = new TelltaleBank(q);
		bank.start(0);
		bank.update(BULB_CHECK_MS);
		expect(bank.shown[Telltale.coolantTemp]).toBe(LampState.on);
		expect(bank.shown[Telltale.lowFuel]).toBe(LampState.on);
		q.set(Quantity.coolantTemp, 95).set(Quantity.fuelLevel, 40);
		bank.update(BULB_CHECK_MS + FRAME_MS);
		expect(bank.shown[Telltale.coolantTemp]).toBe(LampState.off);
		expect(bank.shown[Telltale.lowFuel]).toBe(LampState.off);
		// A car's own lamp bit wins over the threshold.
		q.set(Quantity.lowFuel, 1);
		const own = new TelltaleBank(q);
		own.start(0);
		own.update(BULB_CHECK_MS);
		expect(own.shown[Telltale.lowFuel]).toBe(LampState.on);
	});
});
