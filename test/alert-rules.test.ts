/*
 * The alerts every car gets (defaultAlertRules) and the check-engine pop-up,
 * as the README and the driver see them: ids, groups, words, severities,
 * thresholds, hysteresis and timings. A change here is a change a driver
 * notices, so it is written out in full; mutation testing (npm run mutate)
 * found none of it guarded. Then the monitor's own rules that were not
 * guarded either: thresholds a driver sets and resets, the hysteresis band's
 * edges, the exact debounce, clear and reminder times, what counts as a
 * change of the display, and which alerts chime. Node (vitest).
 */
import { describe, expect, test } from "vitest";
import { AlertMonitor, AlertState, Severity, checkEngineAlertRule, defaultAlertRules, type AlertRule } from "../modules/cluster/alerts.js";
import { Quantity } from "../modules/cluster/quantity.js";

describe("built-in alert rules", () => {
	test("the-alerts-every-car-gets", () => {
		const { speed, rpm, coolantTemp, fuelLevel, oilPressure, batteryVoltage } = Quantity;
		expect(defaultAlertRules()).toEqual([
			{ id: "coolant-hot", group: "coolant", message: "Engine hot", severity: Severity.warning,
				conditions: [{ quantity: coolantTemp, above: 110, hysteresis: 3 }], debounceMs: 3000, clearMs: 5000 },
			{ id: "coolant-critical", group: "coolant", message: "Engine overheating: stop safely", severity: Severity.critical,
				conditions: [{ quantity: coolantTemp, above: 120, hysteresis: 3 }], debounceMs: 2000, clearMs: 5000 },
			{ id: "coolant-hot-under-load", group: "coolant", message: "Engine hot: ease off", severity: Severity.warning, priority: 1,
				conditions: [{ quantity: coolantTemp, above: 105, hysteresis: 2 }, { quantity: rpm, above: 3000, hysteresis: 300 }], debounceMs: 5000 },
			{ id: "oil-pressure-low", message: "Oil pressure low: stop engine", severity: Severity.critical, priority: 2,
				conditions: [{ quantity: oilPressure, below: 50, hysteresis: 20 }, { quantity: rpm, above: 500 }], debounceMs: 1000 },
			{ id: "battery-low", message: "Battery voltage low", severity: Severity.warning,
				conditions: [{ quantity: batteryVoltage, below: 11.8, hysteresis: 0.4 }], debounceMs: 10000, clearMs: 5000 },
			{ id: "fuel-low", message: "Fuel low", severity: Severity.info, chime: true,
				conditions: [{ quantity: fuelLevel, below: 10, hysteresis: 3 }], debounceMs: 10000, clearMs: 10000 },
			{ id: "overspeed", message: "Speed limit", severity: Severity.warning,
				conditions: [{ quantity: speed, above: 130, hysteresis: 3 }], debounceMs: 1000 },
		]);
	});

	test("check-engine-pops-up-after-half-a-second-of-the-lamp", () => {
		expect(checkEngineAlertRule()).toEqual({ id: "check-engine", message: "Check engine: have it serviced", severity: Severity.warning,
			conditions: [{ quantity: Quantity.checkEngine, above: 1 }], debounceMs: 500, clearMs: 2000 });
	});

	test("each-call-gives-rules-of-its-own", () => {
		const a = defaultAlertRules(), b = defaultAlertRules();
		a[0].conditions[0].above = 0;
		expect(b[0].conditions[0].above).toBe(110);
	});
});

/** A monitor over quantities set by hand. */
function monitor(rules: AlertRule[]) {
	const values = new Map<number, number>();
	const alerts = new AlertMonitor({ read: quantity => values.get(quantity) ?? NaN }, rules);
	return { alerts, set: (quantity: number, value: number) => values.set(quantity, value) };
}

const { coolantTemp, rpm, batteryVoltage, fuelLevel, speed } = Quantity;

describe("alert monitor rules", () => {
	test("a-driver-sets-either-kind-of-threshold-of-any-condition-and-reset-brings-the-rules-own-back", () => {
		const { alerts, set } = monitor(defaultAlertRules());
		// The first rule, a below condition, and the second condition of a rule.
		alerts.setThreshold("coolant-hot", 100);
		alerts.setThreshold("battery-low", 12.2);
		alerts.setThreshold("coolant-hot-under-load", 2000, 1);
		set(coolantTemp, 106);
		set(batteryVoltage, 12.1);
		set(rpm, 2500);
		alerts.update(0);
		alerts.update(10000);
		const active = (id: string) => alerts.isActive(alerts.indexOf(id));
		expect(["coolant-hot", "battery-low", "coolant-hot-under-load"].map(active)).toEqual([true, true, true]);
		alerts.resetThresholds();
		// Everything clears, then the same values again: with the rules' own 110 and 11.8, nothing raises.
		set(coolantTemp, 90);
		set(batteryVoltage, 13);
		set(rpm, 800);
		alerts.update(11000);
		alerts.update(30000);
		expect(alerts.activeCount()).toBe(0);
		set(coolantTemp, 106);
		set(batteryVoltage, 12.1);
		set(rpm, 2500);
		alerts.update(31000);
		alerts.update(50000);
		expect(active("battery-low")).toBe(false);
		expect(active("coolant-hot-under-load")).toBe(false);
		expect(active("coolant-hot")).toBe(false);
	});

	test("an-unknown-rule-or-condition-is-a-range-error-naming-both", () => {
		const { alerts } = monitor(defaultAlertRules());
		expect(() => alerts.setThreshold("nope", 1)).toThrow(new RangeError("no alert 'nope' with condition 0"));
		expect(() => alerts.setThreshold("coolant-hot", 1, 1)).toThrow(new RangeError("no alert 'coolant-hot' with condition 1"));
		expect(() => alerts.setThreshold("coolant-hot-under-load", 1, 1)).not.toThrow();
	});

	test("the-callers-rules-stay-the-callers", () => {
		const rules = defaultAlertRules();
		monitor(rules);
		expect(Object.isFrozen(rules)).toBe(false);
		rules.push(checkEngineAlertRule());
		expect(rules).toHaveLength(8);
	});

	test("the-hysteresis-band-edges-hold-and-clear-takes-exactly-clearMs", () => {
		const rule: AlertRule = { id: "hot", message: "Hot", severity: Severity.warning, conditions: [{ quantity: coolantTemp, above: 110, hysteresis: 3 }], clearMs: 1000 };
		const low: AlertRule = { id: "low", message: "Low", severity: Severity.warning, conditions: [{ quantity: fuelLevel, below: 10, hysteresis: 3 }], clearMs: 1000 };
		const { alerts, set } = monitor([rule, low]);
		set(coolantTemp, 110); // at the threshold: holds
		set(fuelLevel, 10);
		alerts.update(0);
		expect([alerts.isActive(0), alerts.isActive(1)]).toEqual([true, true]);
		set(coolantTemp, 107); // at the band's edge: still holds
		set(fuelLevel, 13);
		alerts.update(100);
		expect([alerts.state[0], alerts.state[1]]).toEqual([AlertState.active, AlertState.active]);
		set(coolantTemp, 106.9);
		set(fuelLevel, 13.1);
		alerts.update(200);
		expect([alerts.state[0], alerts.state[1]]).toEqual([AlertState.clearing, AlertState.clearing]);
		alerts.update(1199);
		expect(alerts.isActive(0)).toBe(true);
		expect(alerts.update(1200)).toBe(true);
		expect([alerts.isActive(0), alerts.isActive(1)]).toEqual([false, false]);
	});

	test("a-pending-alert-whose-data-goes-missing-starts-its-debounce-again", () => {
		const { alerts, set } = monitor([{ id: "fast", message: "Fast", severity: Severity.warning, conditions: [{ quantity: speed, above: 130 }], debounceMs: 1000 }]);
		set(speed, 140);
		alerts.update(0);
		expect(alerts.state[0]).toBe(AlertState.pending);
		set(speed, NaN);
		alerts.update(500);
		expect(alerts.state[0]).toBe(AlertState.clear);
		set(speed, 140);
		alerts.update(600);
		alerts.update(1599);
		expect(alerts.isActive(0)).toBe(false);
		alerts.update(1600);
		expect(alerts.isActive(0)).toBe(true);
		// Missing while raised: kept, and marked stale; known again: not stale.
		set(speed, NaN);
		alerts.update(1700);
		expect([alerts.isActive(0), alerts.stale[0]]).toEqual([true, 1]);
		set(speed, 140);
		alerts.update(1800);
		expect(alerts.stale[0]).toBe(0);
	});

	test("an-acknowledged-critical-alert-comes-back-exactly-remindMs-later-with-a-chime", () => {
		const { alerts, set } = monitor([{ id: "oil", message: "Oil", severity: Severity.critical, conditions: [{ quantity: rpm, above: 500 }], remindMs: 10000 }]);
		set(rpm, 800);
		alerts.update(0);
		expect(alerts.takeChime()).toBe(Severity.critical);
		const before = alerts.revision;
		expect(alerts.acknowledgeTop(1000)).toBe(0);
		expect(alerts.revision).not.toBe(before);
		// Acknowledging again changes nothing.
		const after = alerts.revision;
		alerts.acknowledge(0, 1500);
		expect(alerts.revision).toBe(after);
		expect(alerts.update(10999)).toBe(false);
		expect(alerts.top()).toBe(-1);
		expect(alerts.update(11000)).toBe(true);
		expect(alerts.top()).toBe(0);
		expect(alerts.takeChime()).toBe(Severity.critical);
		expect(alerts.takeChime()).toBe(-1);
	});

	test("an-update-that-raises-one-band-and-supersedes-another-is-a-change", () => {
		const { alerts, set } = monitor(defaultAlertRules());
		set(coolantTemp, 115);
		alerts.update(0);
		expect(alerts.update(3000)).toBe(true); // coolant-hot raised
		set(coolantTemp, 125);
		alerts.update(3100);
		// coolant-critical raised and coolant-hot superseded in one update.
		expect(alerts.update(5100)).toBe(true);
		expect(alerts.top()).toBe(alerts.indexOf("coolant-critical"));
		expect(alerts.activeCount()).toBe(1);
		// Back under 120 - 3: the critical band clears after 5 s and the warning shows again.
		set(coolantTemp, 112);
		alerts.update(6000);
		expect(alerts.update(11000)).toBe(true);
		expect(alerts.top()).toBe(alerts.indexOf("coolant-hot"));
		expect(alerts.activeCount()).toBe(1);
	});

	test("info-alerts-chime-only-when-they-ask-and-warnings-unless-told-not-to", () => {
		const { alerts, set } = monitor([
			{ id: "info", message: "i", severity: Severity.info, conditions: [{ quantity: fuelLevel, below: 10 }] },
			{ id: "info-chime", message: "ic", severity: Severity.info, chime: true, conditions: [{ quantity: fuelLevel, below: 5 }], priority: 1 },
			{ id: "quiet", message: "q", severity: Severity.warning, chime: false, conditions: [{ quantity: speed, above: 200 }] },
		]);
		set(fuelLevel, 8);
		alerts.update(0);
		expect(alerts.takeChime()).toBe(-1);
		set(fuelLevel, 4);
		alerts.update(10);
		expect(alerts.takeChime()).toBe(Severity.info);
		set(speed, 210);
		alerts.update(20);
		expect(alerts.top()).toBe(2);
		expect(alerts.takeChime()).toBe(-1);
	});

	test("a-chime-asked-for-by-an-alert-that-cleared-or-was-acknowledged-is-dropped", () => {
		const { alerts, set } = monitor([
			{ id: "a", message: "a", severity: Severity.warning, conditions: [{ quantity: speed, above: 100 }], clearMs: 0 },
			{ id: "b", message: "b", severity: Severity.critical, conditions: [{ quantity: rpm, above: 5000 }] },
		]);
		set(speed, 120);
		set(rpm, 6000);
		alerts.update(0);
		// b is on top and chimes; a waits for its turn.
		expect(alerts.takeChime()).toBe(Severity.critical);
		// a clears before it shows: its chime is gone.
		set(speed, 90);
		alerts.update(10);
		alerts.acknowledgeTop(20);
		expect(alerts.takeChime()).toBe(-1);
		expect(alerts["chimeWanted"][0]).toBe(0);
	});

	test("ties-go-to-severity-then-priority-then-the-most-recent", () => {
		const rules: AlertRule[] = [
			{ id: "w-old", message: "", severity: Severity.warning, conditions: [{ quantity: speed, above: 1 }] },
			{ id: "w-new", message: "", severity: Severity.warning, conditions: [{ quantity: rpm, above: 1 }] },
			{ id: "w-prio", message: "", severity: Severity.warning, priority: 1, conditions: [{ quantity: fuelLevel, above: 1 }] },
			{ id: "crit", message: "", severity: Severity.critical, conditions: [{ quantity: coolantTemp, above: 1 }] },
		];
		const { alerts, set } = monitor(rules);
		set(speed, 2);
		alerts.update(0);
		set(rpm, 2);
		alerts.update(10);
		expect(alerts.top()).toBe(1);
		set(fuelLevel, 2);
		alerts.update(5); // (an earlier time: priority wins anyway)
		expect(alerts.top()).toBe(2);
		set(coolantTemp, 2);
		alerts.update(20);
		expect(alerts.top()).toBe(3);
		alerts.acknowledgeTop(30);
		expect(alerts.top()).toBe(2);
		alerts.acknowledgeTop(30);
		expect(alerts.top()).toBe(1);
		alerts.acknowledgeTop(30);
		expect(alerts.top()).toBe(0);
	});
});
