import { describe, expect, test } from "vitest";
import { AlertMonitor, defaultAlertRules } from "../modules/cluster/alerts.js";
import { DRIVER_DOMAIN, DriverBook, MAX_DRIVERS } from "../modules/cluster/drivers.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { FakeClock } from "./fixtures/clock.js";
import { FakePreferences } from "./fixtures/fake-preferences.js";

describe("driver profiles", () => {
	test("first-start-has-one-driver-and-stores-it", () => {
		const prefs = new FakePreferences();
		const book = new DriverBook(prefs, "Sam");
		expect(book.drivers.map(d => d.name)).toEqual(["Sam"]);
		expect(book.current.units).toBe("metric");
		expect(prefs.keys(DRIVER_DOMAIN)).toEqual(["d0"]);
		expect(new DriverBook(prefs).current.name).toBe("Sam");
	});

	test("the-car-key-learns-and-then-selects-its-driver", () => {
		const prefs = new FakePreferences();
		const book = new DriverBook(prefs, "Anna");
		book.add("Ben");
		// Anna drives with key 1: a key nobody has becomes hers.
		expect(book.followKey(1)).toBe(false);
		expect(book.current).toMatchObject({ name: "Anna", key: 1 });
		// Ben picks himself in the menu, then drives with key 2.
		book.select(1);
		expect(book.followKey(2)).toBe(false);
		expect(book.drivers[1].key).toBe(2);
		// Key 1 again: Anna, from her key alone; the same code again changes nothing, so the menu still can.
		expect(book.followKey(1)).toBe(true);
		expect(book.current.name).toBe("Anna");
		book.select(1);
		expect(book.followKey(1)).toBe(false);
		expect(book.current.name).toBe("Ben");
		// No key (missing signal) or a nonsense code does nothing; the key is kept across restarts.
		expect(book.followKey(NaN)).toBe(false);
		expect(book.followKey(-1)).toBe(false);
		expect(book.followKey(2.5)).toBe(false);
		const again = new DriverBook(prefs);
		expect(again.followKey(2)).toBe(false); // Ben is the last driver: already current
		expect(again.current.name).toBe("Ben");
		expect(again.followKey(1)).toBe(true);
		expect(again.current.name).toBe("Anna");
	});

	test("two-drivers-see-their-own-settings-across-restarts", () => {
		const prefs = new FakePreferences();
		let book = new DriverBook(prefs, "Anna");
		book.update({ units: "imperial", theme: "night", page: "sport", brightness: 60, thresholds: { overspeed: 120 } });
		const ben = book.add("Ben");
		book.update({ brightness: 40, page: "trip", chime: false }, ben);
		book.select(ben);

		book = new DriverBook(prefs); // power off, power on
		expect(book.current).toMatchObject({ name: "Ben", units: "metric", theme: "auto", page: "trip", brightness: 40, chime: false, thresholds: {} });
		book.select(0);

		book = new DriverBook(prefs);
		expect(book.current).toMatchObject({ name: "Anna", units: "imperial", theme: "night", page: "sport", brightness: 60, thresholds: { overspeed: 120 } });
		expect(book.recovered).toBe(0);
	});

	test("a-drivers-thresholds-move-the-alerts", () => {
		const prefs = new FakePreferences();
		const book = new DriverBook(prefs, "Anna");
		book.update({ thresholds: { overspeed: 120, "not-in-this-car": 1 } });
		const values = new Map<number, number>([[Quantity.speed, 125]]);
		const reader = { read: (q: number) => values.get(q) ?? NaN };
		const clock = new FakeClock();
		const alerts = new AlertMonitor(reader, defaultAlertRules());
		expect(book.applyThresholds(alerts)).toBe(1);
		for (let t = 0; t < 2000; t += 100)
			alerts.update(clock.advance(100));
		expect(alerts.isActive(alerts.indexOf("overspeed"))).toBe(true);
		// Ben takes the wheel: the default 130 again, not Anna's 120.
		book.select(book.add("Ben"));
		book.applyThresholds(alerts);
		for (let t = 0; t < 2000; t += 100)
			alerts.update(clock.advance(100));
		expect(alerts.isActive(alerts.indexOf("overspeed"))).toBe(false);
	});

	test("names-and-values-fit-the-esp32-preference-limits", () => {
		const prefs = new FakePreferences(15, 4000);
		const book = new DriverBook(prefs, "Fifteen chars!!");
		for (let i = 1; i < MAX_DRIVERS; i++)
			book.add(`Driver number ${i}`.slice(0, 15));
		book.update({ thresholds: { overspeed: 120, "coolant-hot": 108, "fuel-low": 15, "battery-low": 11.5 } });
		expect(DRIVER_DOMAIN.length).toBeLessThanOrEqual(15);
		for (const key of prefs.keys(DRIVER_DOMAIN)) {
			expect(key.length).toBeLessThanOrEqual(15);
			expect((prefs.get(DRIVER_DOMAIN, key) as string).length ?? 0).toBeLessThan(400);
		}
		expect(() => book.add("one too many")).toThrow(RangeError);
		expect(() => new DriverBook(prefs).add("x")).toThrow(/at most 8/);
	});

	test("unreadable-or-missing-values-fall-back-to-defaults-without-throwing", () => {
		const prefs = new FakePreferences();
		prefs.set(DRIVER_DOMAIN, "d0", "{not json");
		prefs.set(DRIVER_DOMAIN, "d1", JSON.stringify({ name: "Cleo", units: "furlongs" }));
		prefs.set(DRIVER_DOMAIN, "d2", JSON.stringify({ name: "Dee", brightness: 30 })); // an older build's record
		prefs.set(DRIVER_DOMAIN, "last", 7);
		const book = new DriverBook(prefs);
		expect(book.drivers.map(d => d.name)).toEqual(["Driver 1", "Driver 2", "Dee"]);
		expect(book.drivers[2]).toMatchObject({ brightness: 30, units: "metric", page: "main", chime: true });
		expect(book.index).toBe(0);
		expect(book.recovered).toBe(3);
	});

	test("writes-happen-only-on-a-change", () => {
		const prefs = new FakePreferences();
		const book = new DriverBook(prefs, "Anna");
		book.add("Ben");
		const writes = prefs.writes;
		book.update({ units: "metric", brightness: 80 });
		book.select(0);
		expect(prefs.writes).toBe(writes);
		book.update({ brightness: 81 });
		expect(prefs.writes).toBe(writes + 1);
	});

	test("a-refusing-store-is-counted-and-the-setting-still-applies", () => {
		const prefs = new FakePreferences();
		const book = new DriverBook(prefs, "Anna");
		prefs.failWrites = 1;
		book.update({ theme: "day" });
		expect(book.failedWrites).toBe(1);
		expect(book.current.theme).toBe("day");
	});

	test("bad-values-are-refused-and-change-nothing", () => {
		const book = new DriverBook(new FakePreferences(), "Anna");
		expect(() => book.update({ brightness: 0 })).toThrow(/brightness/);
		expect(() => book.update({ chime: "off" as unknown as boolean })).toThrow(/chime/);
		expect(() => book.update({ units: "cubits" as never })).toThrow(/units/);
		expect(() => book.update({ name: "A name far too long" })).toThrow(/name/);
		expect(() => book.update({ thresholds: { overspeed: NaN } })).toThrow(/overspeed/);
		expect(() => book.select(3)).toThrow(RangeError);
		expect(book.current).toMatchObject({ brightness: 80, units: "metric", name: "Anna" });
	});

	test("the-cars-key-signal-selects-its-driver-and-listeners-hear-of-it", () => {
		const book = new DriverBook(new FakePreferences(), "Anna");
		const ben = book.add("Ben");
		book.update({ key: 2 }, ben);
		const heard: string[] = [];
		book.onChange(driver => heard.push(driver.name));
		expect(book.selectByKey(2)).toBe(true);
		expect(book.selectByKey(9)).toBe(false);
		expect(book.selectByKey(NaN)).toBe(false);
		book.update({ theme: "night" });
		expect(heard).toEqual(["Ben", "Ben"]);
	});

	test("removing-a-driver-keeps-the-rest-and-the-choice-consistent", () => {
		const prefs = new FakePreferences();
		const book = new DriverBook(prefs, "Anna");
		book.add("Ben");
		book.add("Cleo");
		book.select(2);
		book.remove(0);
		expect(book.current.name).toBe("Cleo");
		const again = new DriverBook(prefs);
		expect(again.drivers.map(d => d.name)).toEqual(["Ben", "Cleo"]);
		expect(again.current.name).toBe("Cleo");
		expect(() => new DriverBook(new FakePreferences()).remove(0)).toThrow(RangeError);
	});
});
