import { describe, expect, test } from "vitest";
import { DriverMenu, NEW_DRIVER_ROW, languageRow, newDriverName } from "../modules/cluster/driver-menu.js";

describe("driver menu", () => {
	test("opens-on-the-current-driver-and-offers-a-new-one-while-there-is-room", () => {
		const menu = new DriverMenu();
		menu.open(["Ana", "Ben"], 1, true, 0);
		expect(menu.isOpen).toBe(true);
		expect(menu.rows).toEqual(["Ana", "Ben", NEW_DRIVER_ROW]);
		expect(menu.selected).toBe(1);
		menu.open(["Ana", "Ben"], 0, false, 0);
		expect(menu.rows).toEqual(["Ana", "Ben"]);
	});

	test("next-wraps-and-choose-names-the-driver-or-the-new-row", () => {
		const menu = new DriverMenu();
		menu.open(["Ana", "Ben"], 1, true, 0);
		menu.next(1);
		expect(menu.choose()).toEqual({ add: true, index: -1 });
		expect(menu.isOpen).toBe(false);
		menu.open(["Ana", "Ben"], 1, true, 0);
		menu.next(1);
		menu.next(2);
		expect(menu.selected).toBe(0);
		expect(menu.choose()).toEqual({ add: false, index: 0 });
		// A touch chooses its own row; a closed menu chooses nothing.
		menu.open(["Ana", "Ben"], 0, true, 0);
		expect(menu.choose(1)).toEqual({ add: false, index: 1 });
		expect(menu.choose(0)).toBeNull();
		menu.open(["Ana"], 0, true, 0);
		expect(menu.choose(5)).toBeNull();
		expect(menu.isOpen).toBe(true);
	});

	test("closes-by-itself-ten-seconds-after-the-last-press", () => {
		const menu = new DriverMenu();
		menu.open(["Ana", "Ben"], 0, true, 1000);
		expect(menu.tick(10999)).toBe(false);
		menu.next(9000);
		expect(menu.tick(18999)).toBe(false);
		const revision = menu.revision;
		expect(menu.tick(19000)).toBe(true);
		expect(menu.isOpen).toBe(false);
		expect(menu.revision).toBe(revision + 1);
		expect(menu.tick(30000)).toBe(false);
	});

	test("the-language-row: last, chosen-without-closing, its-text-updated, and-input-for-the-timeout", () => {
		const menu = new DriverMenu();
		menu.open(["Ana", "Ben"], 0, true, 0, languageRow("Ana", "English"));
		expect(menu.rows).toEqual(["Ana", "Ben", NEW_DRIVER_ROW, "Language (Ana): English"]);
		expect(menu.choose(3)).toEqual({ add: false, index: -1, language: true });
		expect([menu.isOpen, menu.selected]).toEqual([true, 3]);
		const revision = menu.revision;
		menu.showLanguage(languageRow("Ana", "Deutsch"), 9000);
		expect([menu.rows[3], menu.revision]).toEqual(["Language (Ana): Deutsch", revision + 1]);
		expect(menu.tick(18999)).toBe(false);
		// The new-driver row is the one after the names, whatever a driver is called.
		expect(menu.choose(2)).toEqual({ add: true, index: -1 });
		menu.open(["Ana", NEW_DRIVER_ROW], 1, false, 0, languageRow("Ana", "English"));
		expect(menu.choose(1)).toEqual({ add: false, index: 1 });
		// A full book: the names, then the language row; none without speech, and then showLanguage does nothing.
		const eight = ["1", "2", "3", "4", "5", "6", "7", "8"];
		menu.open(eight, 0, false, 0, languageRow("1", "Italiano"));
		expect(menu.rows).toHaveLength(9);
		menu.open(eight, 0, false, 0);
		menu.showLanguage("x", 1);
		expect(menu.rows).toEqual(eight);
		expect(menu.languageAt).toBe(-1);
	});

	test("a-new-driver-gets-the-lowest-free-number", () => {
		expect(newDriverName(["Driver 1"])).toBe("Driver 2");
		expect(newDriverName(["Driver 2", "Ana"])).toBe("Driver 1");
		expect(newDriverName(["Driver 1", "Driver 3", "Driver 2"])).toBe("Driver 4");
	});
});
