import { beforeEach, describe, expect, test } from "vitest";
import { AlertMonitor, AlertState, Severity, defaultAlertRules, type AlertRule } from "../modules/cluster/alerts.js";
import { DayNight } from "../modules/cluster/day-night.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { ShiftLight, ShiftState } from "../modules/cluster/shift-light.js";
import { LampState, Telltale, TelltaleBank } from "../modules/cluster/telltales.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { SignalStore } from "../modules/signals/store.js";
import { compileProfile } from "../tools/profile.js";
import { FakeClock } from "./fixtures/clock.js";

/** Quantities set by hand; NaN (missing) unless set. */
class Values {
	private readonly values = new Map<number, number>();
	set(quantity: number, value: number): this {
		this.values.set(quantity, value);
		return this;
	}
	has(quantity: number): boolean {
		return this.values.has(quantity);
	}
	read = (quantity: number): number => this.values.get(quantity) ?? NaN;
}

const coolantBands: AlertRule[] = [
	{ id: "hot", group: "coolant", message: "Engine hot", severity: Severity.warning, conditions: [{ quantity: Quantity.coolantTemp, above: 110, hysteresis: 3 }], debounceMs: 3000, clearMs: 5000 },
	{ id: "overheat", group: "coolant", message: "Overheating", severity: Severity.critical, conditions: [{ quantity: Quantity.coolantTemp, above: 120, hysteresis: 3 }], debounceMs: 2000, clearMs: 5000 },
	{ id: "hot-under-load", message: "Ease off", severity: Severity.warning, conditions: [{ quantity: Quantity.coolantTemp, above: 105, hysteresis: 2 }, { quantity: Quantity.rpm, above: 3000, hysteresis: 300 }], debounceMs: 5000 },
	{ id: "fuel", message: "Fuel low", severity: Severity.info, conditions: [{ quantity: Quantity.fuelLevel, below: 10, hysteresis: 3 }], chime: false },
];

describe("alerts", () => {
	let clock: FakeClock, values: Values, alerts: AlertMonitor;
	/** Updates now (the value just changed) and every `step` for `ms`. */
	const run = (ms: number, step = 100) => {
		alerts.update(clock.now());
		for (let t = 0; t < ms; t += step)
			alerts.update(clock.advance(step));
	};
	const state = (id: string) => alerts.state[alerts.indexOf(id)];
	beforeEach(() => {
		clock = new FakeClock();
		values = new Values();
		alerts = new AlertMonitor(values, coolantBands);
	});

	test("a-spike-shorter-than-the-debounce-raises-nothing", () => {
		values.set(Quantity.coolantTemp, 112);
		run(2900);
		values.set(Quantity.coolantTemp, 100);
		run(1000);
		expect(state("hot")).toBe(AlertState.clear);
		expect(alerts.top()).toBe(-1);
	});

	test("no-chime-for-an-alert-hidden-under-a-worse-one", () => {
		values.set(Quantity.coolantTemp, 125);
		run(3500);
		expect(alerts.rules[alerts.top()].id).toBe("overheat");
		// The warning band raised too (superseded); the one chime is the critical one.
		expect(alerts.takeChime()).toBe(Severity.critical);
		values.set(Quantity.rpm, 3500);
		run(6000);
		expect(state("hot-under-load")).toBe(AlertState.active);
		// A new warning while the critical alert is on the pop-up: nothing to hear that cannot be seen.
		expect(alerts.takeChime()).toBe(-1);
		// Once the critical one is acknowledged, the warning comes to the pop-up, and chimes then, once.
		alerts.acknowledgeTop(clock.now());
		run(100);
		expect(alerts.rules[alerts.top()].id).toBe("hot-under-load");
		expect(alerts.takeChime()).toBe(Severity.warning);
		expect(alerts.takeChime()).toBe(-1);
	});

	test("an-alert-outranked-by-one-as-severe-chimes-when-it-shows", () => {
		// Two warnings: the first raised shows, the second waits (same severity, the older one ranks first here).
		const two = new AlertMonitor(values, [
			{ id: "a", message: "A", severity: Severity.warning, priority: 2, conditions: [{ quantity: Quantity.rpm, above: 3000 }] },
			{ id: "b", message: "B", severity: Severity.warning, priority: 1, conditions: [{ quantity: Quantity.fuelLevel, below: 10 }] },
		]);
		values.set(Quantity.rpm, 3500).set(Quantity.fuelLevel, 50);
		two.update(clock.advance(100));
		expect(two.takeChime()).toBe(Severity.warning);
		values.set(Quantity.fuelLevel, 5);
		two.update(clock.advance(100));
		expect(two.rules[two.top()].id).toBe("a");
		expect(two.takeChime()).toBe(-1);
		two.acknowledgeTop(clock.now());
		two.update(clock.advance(100));
		expect(two.rules[two.top()].id).toBe("b");
		expect(two.takeChime()).toBe(Severity.warning);
	});

	test("hysteresis-keeps-the-alert-until-the-value-falls-back-past-the-band", () => {
		values.set(Quantity.coolantTemp, 111);
		run(3000);
		expect(state("hot")).toBe(AlertState.active);
		expect(alerts.rules[alerts.top()].id).toBe("hot");
		expect(alerts.takeChime()).toBe(Severity.warning);
		expect(alerts.takeChime()).toBe(-1);
		values.set(Quantity.coolantTemp, 108); // below 110, inside the 3 °C band
		run(20000);
		expect(state("hot")).toBe(AlertState.active);
		values.set(Quantity.coolantTemp, 106.9);
		run(4900);
		expect(state("hot")).toBe(AlertState.clearing); // still shown while clearing
		expect(alerts.isActive(alerts.indexOf("hot"))).toBe(true);
		run(200);
		expect(state("hot")).toBe(AlertState.clear);
		expect(alerts.top()).toBe(-1);
	});

	test("wobbling-on-the-threshold-does-not-flash-the-pop-up", () => {
		let changes = 0;
		values.set(Quantity.coolantTemp, 111);
		run(3000);
		for (let i = 0; i < 100; i++) {
			values.set(Quantity.coolantTemp, i % 2 ? 111 : 109);
			if (alerts.update(clock.advance(500)))
				changes++;
		}
		expect(changes).toBe(0);
	});

	test("the-critical-band-supersedes-the-warning-of-its-group", () => {
		values.set(Quantity.coolantTemp, 125);
		run(3000);
		const hot = alerts.indexOf("hot"), overheat = alerts.indexOf("overheat");
		expect(alerts.isActive(hot) && alerts.isActive(overheat)).toBe(true);
		expect(alerts.superseded[hot]).toBe(1);
		expect(alerts.top()).toBe(overheat);
		expect(alerts.activeCount()).toBe(1);
		values.set(Quantity.coolantTemp, 112); // critical clears, the warning band remains
		run(5100);
		expect(alerts.top()).toBe(hot);
	});

	test("combined-condition-needs-both-for-the-whole-debounce", () => {
		values.set(Quantity.coolantTemp, 106).set(Quantity.rpm, 3500);
		run(4000);
		values.set(Quantity.rpm, 2500); // lifted off before 5 s
		run(100);
		values.set(Quantity.rpm, 3500);
		run(4900);
		expect(state("hot-under-load")).toBe(AlertState.pending);
		run(200);
		expect(state("hot-under-load")).toBe(AlertState.active);
		values.set(Quantity.rpm, 2800); // inside rpm's 300 hysteresis
		run(3000);
		expect(state("hot-under-load")).toBe(AlertState.active);
		values.set(Quantity.rpm, 2600);
		run(1100);
		expect(state("hot-under-load")).toBe(AlertState.clear);
	});

	test("missing-data-neither-raises-nor-clears-and-is-marked-stale", () => {
		run(10000);
		expect(alerts.activeCount()).toBe(0);
		values.set(Quantity.coolantTemp, 125);
		run(3000);
		const overheat = alerts.indexOf("overheat");
		expect(alerts.isActive(overheat)).toBe(true);
		values.set(Quantity.coolantTemp, NaN); // the engine ECU went quiet
		run(30000);
		expect(alerts.isActive(overheat)).toBe(true);
		expect(alerts.stale[overheat]).toBe(1);
	});

	test("acknowledged-alert-hides-until-it-returns-or-escalates", () => {
		values.set(Quantity.coolantTemp, 111);
		run(3000);
		const hot = alerts.acknowledgeTop(clock.now());
		expect(alerts.rules[hot].id).toBe("hot");
		expect(alerts.top()).toBe(-1);
		expect(alerts.isActive(hot)).toBe(true); // still active: a warning list would show it
		run(120000);
		expect(alerts.top()).toBe(-1); // a warning does not nag
		values.set(Quantity.coolantTemp, 121); // escalation shows the critical band
		run(2100);
		expect(alerts.rules[alerts.top()].id).toBe("overheat");
		alerts.acknowledgeTop(clock.now());
		expect(alerts.top()).toBe(-1);
		alerts.takeChime();
		run(60000); // a critical alert reminds after a minute
		expect(alerts.rules[alerts.top()].id).toBe("overheat");
		expect(alerts.takeChime()).toBe(Severity.critical);
		// Cleared and raised again: shown again.
		values.set(Quantity.coolantTemp, 90);
		run(6000);
		expect(alerts.activeCount()).toBe(0);
		values.set(Quantity.coolantTemp, 111);
		run(3100);
		expect(alerts.rules[alerts.top()].id).toBe("hot");
	});

	test("priority-orders-severity-then-priority-then-recency", () => {
		const rules: AlertRule[] = [
			{ id: "a", message: "A", severity: Severity.warning, conditions: [{ quantity: 0, above: 1 }] },
			{ id: "b", message: "B", severity: Severity.warning, priority: 5, conditions: [{ quantity: 1, above: 1 }] },
			{ id: "c", message: "C", severity: Severity.warning, conditions: [{ quantity: 2, above: 1 }] },
			{ id: "d", message: "D", severity: Severity.info, priority: 99, conditions: [{ quantity: 3, above: 1 }] },
		];
		alerts = new AlertMonitor(values, rules);
		values.set(0, 2).set(3, 2);
		run(100);
		values.set(2, 2);
		run(100);
		expect(alerts.top()).toBe(2); // c: same severity as a, more recent; d is only info
		values.set(1, 2);
		run(100);
		expect(alerts.top()).toBe(1); // b: priority
		alerts.acknowledgeTop(clock.now());
		alerts.acknowledgeTop(clock.now());
		alerts.acknowledgeTop(clock.now());
		expect(alerts.top()).toBe(3);
	});

	test("a-drivers-threshold-moves-the-rule", () => {
		alerts = new AlertMonitor(values, defaultAlertRules());
		values.set(Quantity.speed, 125);
		run(2000);
		expect(alerts.isActive(alerts.indexOf("overspeed"))).toBe(false);
		alerts.setThreshold("overspeed", 120);
		run(1100);
		expect(alerts.isActive(alerts.indexOf("overspeed"))).toBe(true);
		expect(() => alerts.setThreshold("nope", 1)).toThrow(RangeError);
	});

	test("rules-are-checked-when-built", () => {
		expect(() => new AlertMonitor(values, [{ id: "x", message: "", severity: 0, conditions: [] }])).toThrow(/no condition/);
		expect(() => new AlertMonitor(values, [{ id: "x", message: "", severity: 0, conditions: [{ quantity: 0 }] }])).toThrow(/exactly one/);
		expect(() => new AlertMonitor(values, [coolantBands[0], coolantBands[0]])).toThrow(/twice/);
	});
});

describe("shift light", () => {
	const light = () => new ShiftLight({ gears: { 1: 5500, 2: 6000, 3: 6200 }, defaultRpm: 6300, limitRpm: 6800, hysteresis: 200 });

	test("each-gear-has-its-own-shift-point", () => {
		const s = light();
		s.update(5600, 1, 0);
		expect(s.state).toBe(ShiftState.shift);
		s.update(5600, 2, 0);
		expect(s.state).toBe(ShiftState.off);
		expect(s.level).toBeCloseTo(1 - 400 / 1500, 9);
		s.update(6250, 4, 0); // no point of its own: the default
		expect(s.state).toBe(ShiftState.off);
		s.update(6300, 4, 0);
		expect(s.state).toBe(ShiftState.shift);
	});

	test("hysteresis-keeps-it-lit-just-below-the-point-and-it-flashes-at-the-limit", () => {
		const s = light();
		s.update(6000, 2, 0);
		s.update(5850, 2, 0);
		expect(s.state).toBe(ShiftState.shift);
		s.update(5800, 2, 0);
		expect(s.state).toBe(ShiftState.off);
		s.update(6900, 2, 0);
		expect(s.state).toBe(ShiftState.flash);
		expect(s.lit).toBe(true);
		s.update(6900, 2, 150);
		expect(s.lit).toBe(false);
	});

	test("unknown-rpm-or-a-gear-without-a-point-gives-no-advice", () => {
		const s = new ShiftLight({ gears: { 1: 5500 } });
		s.update(7000, 8, 0); // park, reverse, a gear the car calls 8: no default
		expect(s.state).toBe(ShiftState.off);
		expect(s.level).toBeNaN();
		s.update(NaN, 1, 0);
		expect(s.state).toBe(ShiftState.off);
	});
});

describe("day and night", () => {
	test("headlights-decide-when-mapped", () => {
		const d = new DayNight();
		expect(d.update(1, 100, 0)).toBe(true);
		expect(d.night).toBe(1);
		d.update(0, 0, 1000);
		expect(d.night).toBe(1); // held for 2 s
		d.update(0, 0, 3000);
		expect(d.night).toBe(0);
	});

	test("the-dimmer-decides-with-hysteresis-when-there-are-no-headlights", () => {
		const d = new DayNight({ dimmerNightBelow: 40, dimmerHysteresis: 10, holdMs: 1000 });
		d.update(NaN, 80, 0);
		expect(d.night).toBe(0);
		d.update(NaN, 35, 100);
		d.update(NaN, 35, 1200);
		expect(d.night).toBe(1);
		for (let t = 1300; t < 10000; t += 100)
			d.update(NaN, t % 200 ? 45 : 49, t); // wobbling inside the band
		expect(d.night).toBe(1);
		d.update(NaN, 60, 10000);
		d.update(NaN, 60, 11000);
		expect(d.night).toBe(0);
	});

	test("missing-data-keeps-the-last-answer", () => {
		const d = new DayNight();
		expect(d.update(NaN, NaN, 0)).toBe(false);
		expect(d.night).toBeNaN();
		d.update(1, NaN, 0);
		d.update(NaN, NaN, 60000);
		expect(d.night).toBe(1);
	});
});

describe("telltales through a compiled profile", () => {
	test("telltale-bank-reads-profile-inputs-and-shows-missing-as-unknown", () => {
		const compiled = compileProfile({ name: "obd", quantities: { checkEngine: { obd: 1 }, coolantTemp: { obd: 5 } }, transmit: { obd: true } }, "obd.json", null);
		const obd = new SignalStore(256, 5000);
		const inputs = new ProfileInputs(new VehicleProfile(compiled.vehicle), new DecodePlan(compiled.plan.buffer), null, obd);
		const bank = new TelltaleBank(inputs);
		bank.start(0);
		bank.update(5000);
		expect(bank.shown[Telltale.checkEngine]).toBe(LampState.unknown);
		expect(bank.shown[Telltale.parkingBrake]).toBe(LampState.off); // not mapped: never lit
		obd.set(0x01, 0, 5000);
		obd.set(0x05, 90, 5000);
		bank.update(5000);
		expect(bank.shown[Telltale.checkEngine]).toBe(LampState.off);
		expect(bank.shown[Telltale.coolantTemp]).toBe(LampState.off);
		obd.set(0x01, 1, 5100);
		bank.update(5100);
		expect(bank.shown[Telltale.checkEngine]).toBe(LampState.on);
		expect(bank.shown[Telltale.coolantTemp]).toBe(LampState.off); // only its own condition
	});
});
