/*
 * ScreenModel: pages, the driver menu, the pop-up and what buttons and
 * touches mean, with no Piu (modules/cluster/screen.ts).
 */
import { describe, expect, test } from "vitest";
import { Action, Button, HOLD_MS, PAGES, ScreenChange, ScreenModel, Touch, pageOf } from "../modules/cluster/screen.js";
import { DriverMenu, NEW_DRIVER_ROW } from "../modules/cluster/driver-menu.js";

/** A tap (`heldMs` given, as HostButton passes it) of `button`. */
function tap(screen: ScreenModel, button: number, now = 0): number {
	screen.press(button, 1, now);
	return screen.press(button, 0, now + 100, 100);
}

function hold(screen: ScreenModel, button: number, now = 0): number {
	screen.press(button, 1, now);
	return screen.press(button, 0, now + HOLD_MS, HOLD_MS);
}

describe("screen model", () => {
	test("starts-on-the-drivers-page-and-unknown-pages-are-the-cluster", () => {
		expect(new ScreenModel("trip").page).toBe("trip");
		expect(new ScreenModel("main").page).toBe("cluster");
		expect(pageOf("diagnostics")).toBe("diagnostics");
		// The first take redraws everything.
		expect(new ScreenModel().take()).toBe(ScreenChange.all);
	});

	test("button-a-tap-goes-through-the-pages-and-round-again", () => {
		const screen = new ScreenModel();
		screen.take();
		const seen: string[] = [];
		for (let i = 0; i < PAGES.length; i++) {
			expect(tap(screen, Button.a)).toBe(Action.pageChanged);
			expect(screen.take()).toBe(ScreenChange.page);
			seen.push(screen.page);
		}
		expect(seen).toEqual(["trip", "diagnostics", "cluster"]);
	});

	test("button-a-acknowledges-an-alert-before-it-switches-pages", () => {
		const screen = new ScreenModel();
		screen.take();
		screen.showAlert(3);
		expect(screen.take()).toBe(ScreenChange.popup);
		expect(tap(screen, Button.a)).toBe(Action.acknowledgeAlert);
		expect(screen.page).toBe("cluster");
		// The same alert again is no change.
		screen.showAlert(3);
		expect(screen.take()).toBe(0);
		expect(screen.touch(Touch.page)).toBe(Action.acknowledgeAlert);
		expect(screen.touch(Touch.popup)).toBe(Action.acknowledgeAlert);
		screen.showAlert(-1);
		expect(screen.touch(Touch.page)).toBe(Action.pageChanged);
	});

	test("tap-or-hold-uses-the-hosts-held-time: exactly HOLD_MS is a hold, one less a tap", () => {
		const screen = new ScreenModel();
		screen.press(Button.b, 1, 0);
		// The host's held time wins over the model's own timing.
		expect(screen.press(Button.b, 0, 5000, HOLD_MS - 1)).toBe(Action.toggleUnits);
		screen.press(Button.c, 1, 0);
		expect(screen.press(Button.c, 0, 0, HOLD_MS)).toBe(Action.resetTripB);
		expect(hold(screen, Button.a)).toBe(Action.resetTripA);
		expect(tap(screen, Button.c)).toBe(Action.cycleTheme);
	});

	test("on-the-diagnostics-page held-a-switches-telemetry and held-c-cycles-the-sound; taps-and-held-b-as-elsewhere", () => {
		const screen = new ScreenModel("diagnostics");
		expect(hold(screen, Button.a)).toBe(Action.toggleTelemetry);
		expect(hold(screen, Button.c)).toBe(Action.cycleSound);
		expect(hold(screen, Button.b)).toBe(Action.openDriverMenu);
		expect(tap(screen, Button.b)).toBe(Action.toggleUnits);
		expect(tap(screen, Button.c)).toBe(Action.cycleTheme);
		expect(tap(screen, Button.a)).toBe(Action.pageChanged);
		expect(screen.page).toBe("cluster");
		// Elsewhere the holds reset the trips.
		expect(hold(screen, Button.a)).toBe(Action.resetTripA);
		expect(hold(screen, Button.c)).toBe(Action.resetTripB);
	});

	test("tap-or-hold-without-a-held-time: the model times the press itself (the simulator's buttons)", () => {
		const screen = new ScreenModel();
		screen.press(Button.c, 1, 1000);
		expect(screen.press(Button.c, 0, 1000 + HOLD_MS - 1)).toBe(Action.cycleTheme);
		screen.press(Button.c, 1, 5000);
		expect(screen.press(Button.c, 0, 5000 + HOLD_MS)).toBe(Action.resetTripB);
		// A release with no press seen is a tap.
		expect(screen.press(Button.b, 0, 9000)).toBe(Action.toggleUnits);
		expect(screen.press(7, 0, 9000)).toBe(Action.none);
	});

	test("driver-menu: b-held-asks-for-it, b-moves, a-chooses, c-closes", () => {
		const screen = new ScreenModel();
		expect(hold(screen, Button.b)).toBe(Action.openDriverMenu);
		screen.openMenu(["Ana", "Ben"], 1, true, 0);
		expect(screen.take() & ScreenChange.menu).toBe(ScreenChange.menu);
		expect(screen.menu.rows).toEqual(["Ana", "Ben", NEW_DRIVER_ROW]);
		expect(tap(screen, Button.b, 10)).toBe(Action.none);
		expect(screen.menu.selected).toBe(2);
		expect(screen.take()).toBe(ScreenChange.menu);
		// A held A in the menu does nothing, a tap chooses the new-driver row.
		expect(hold(screen, Button.a, 20)).toBe(Action.none);
		expect(tap(screen, Button.a, 30)).toBe(Action.chooseDriver);
		expect(screen.takeChoice()).toEqual({ add: true, index: -1 });
		expect(screen.takeChoice()).toBeNull();
		expect(screen.menu.isOpen).toBe(false);
		screen.openMenu(["Ana", "Ben"], 0, true, 100);
		expect(tap(screen, Button.c, 110)).toBe(Action.none);
		expect(screen.menu.isOpen).toBe(false);
	});

	test("driver-menu: a-touch-on-a-row-chooses-it; an-idle-menu-closes-by-itself", () => {
		const screen = new ScreenModel();
		screen.openMenu(["Ana", "Ben"], 0, false, 0);
		expect(screen.touch(Touch.menuRow, 5)).toBe(Action.none);
		expect(screen.touch(Touch.menuRow, 1)).toBe(Action.chooseDriver);
		expect(screen.takeChoice()).toEqual({ add: false, index: 1 });
		screen.openMenu(["Ana"], 0, true, 1000);
		screen.take();
		screen.tick(1000 + DriverMenu.TIMEOUT_MS - 1);
		expect(screen.take()).toBe(0);
		screen.tick(1000 + DriverMenu.TIMEOUT_MS);
		expect(screen.menu.isOpen).toBe(false);
		expect(screen.take()).toBe(ScreenChange.menu);
	});

	test("driver-menu: its-language-row asks-for-the-next-language and-stays-open", () => {
		const screen = new ScreenModel();
		screen.openMenu(["Ana"], 0, true, 0, "Language (Ana): English");
		expect(screen.touch(Touch.menuRow, 2)).toBe(Action.cycleLanguage);
		expect(screen.takeChoice()).toBeNull();
		expect(screen.menu.isOpen).toBe(true);
		expect(tap(screen, Button.a, 10)).toBe(Action.cycleLanguage);
		expect(tap(screen, Button.b, 20)).toBe(Action.none);
		expect(tap(screen, Button.a, 30)).toBe(Action.chooseDriver);
		expect(screen.takeChoice()).toEqual({ add: false, index: 0 });
	});

	test("page-buttons-mean-what-the-page-says", () => {
		const screen = new ScreenModel("trip");
		expect([0, 1, 2, 3].map(i => screen.touch(Touch.pageButton, i))).toEqual([Action.resetTripA, Action.resetTripB, Action.openDriverMenu, Action.none]);
		screen.showPage("diagnostics");
		// The fourth is the MQTT row's switch.
		expect([0, 1, 2, 3, 4].map(i => screen.touch(Touch.pageButton, i))).toEqual([Action.toggleUnits, Action.cycleTheme, Action.cycleSound, Action.toggleTelemetry, Action.none]);
		screen.showPage("cluster");
		expect(screen.touch(Touch.pageButton, 0)).toBe(Action.none);
	});

	test("show-page-closes-the-menu-and-marks-only-a-real-change", () => {
		const screen = new ScreenModel("trip");
		screen.take();
		screen.showPage("trip");
		expect(screen.take()).toBe(0);
		screen.openMenu(["Ana"], 0, true, 0);
		screen.showPage("nonsense");
		expect(screen.page).toBe("cluster");
		expect(screen.menu.isOpen).toBe(false);
		expect(screen.take()).toBe(ScreenChange.page | ScreenChange.menu);
	});
});
