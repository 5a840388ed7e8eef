/*
 * ScreenModel: what the screen shows beside the gauges, and what a press or
 * a touch means. It owns the current page, the driver menu, the alert on the
 * pop-up and the trip page's text; the view (modules/ui) reads it and draws,
 * and hands it every press and touch.
 *
 * Inputs return an `Action`: what the dashboard must do with the rest of
 * the cluster (acknowledge the alert, reset a trip, switch units...). What is
 * the screen's own business (the page, the menu's selection) the model does
 * itself. Each visible change sets a `ScreenChange` bit that the dashboard
 * takes once per display tick, so the view redraws only that, as it does
 * for ClusterModel's `Change` bits.
 *
 * The three buttons of a board that has them (M5Stack A, B, C), a tap or a
 * hold of HOLD_MS: A acknowledges the alert, else shows the next page; held,
 * resets trip A. B switches units; held, opens the driver menu. C cycles the
 * theme; held, resets trip B. On the diagnostics page, whose settings a board
 * without a touch screen has no other way to reach, holding A switches
 * telemetry on or off and holding C cycles the alert sound instead. While
 * the driver menu is open: B moves down, A chooses, C closes; choosing its
 * language row (where alerts are spoken) asks for the driver's next language.
 *
 * Plain TypeScript, tested on Node and XS; no Piu. No allocation per input
 * or tick (`openMenu` copies the drivers' names).
 */
import { type DriverChoice, DriverMenu } from "./driver-menu.js";
import { TripReadout } from "./trip-readout.js";

export type Page = "cluster" | "trip" | "diagnostics";
/** The pages in the order a tap on the page (or button A) goes through them. */
export const PAGES: readonly Page[] = Object.freeze(["cluster", "trip", "diagnostics"] as Page[]);

/** A press this long or longer is a hold, ms. */
export const HOLD_MS = 1000;

/** The board's buttons. */
export const Button = Object.freeze({ a: 0, b: 1, c: 2 });

/** Where a touch landed. */
export const Touch = Object.freeze({
	/** The page itself, outside its buttons. */
	page: 0,
	/** The alert pop-up. */
	popup: 1,
	/** A row of the driver menu (`index`: the row). */
	menuRow: 2,
	/** One of the page's buttons (`index`: 0 to 2 along the bottom, left to right; 3 the diagnostics page's MQTT switch). */
	pageButton: 3,
});

/** What an input asks the dashboard to do; `none` when the screen model did all of it. */
export const Action = Object.freeze({
	none: 0,
	acknowledgeAlert: 1,
	/** The page changed: keep it as the driver's page. */
	pageChanged: 2,
	resetTripA: 3,
	resetTripB: 4,
	toggleUnits: 5,
	cycleTheme: 6,
	/** The alert sound: the chime on or off, or where alerts are spoken too, chime and voice, chime only, silent. */
	cycleSound: 7,
	/** Open the driver menu (`openMenu` with the drivers). */
	openDriverMenu: 8,
	/** Make `takeChoice()` the current driver. */
	chooseDriver: 9,
	/** Telemetry to the broker on or off (the car's setting). */
	toggleTelemetry: 10,
	/** The current driver's next spoken language (the driver menu's language row, which stays open). */
	cycleLanguage: 11,
});

/** Bits of `ScreenModel.take()`: what the view redraws. */
export const ScreenChange = Object.freeze({
	page: 1 << 0,
	menu: 1 << 1,
	/** Another alert on the pop-up, or none. */
	popup: 1 << 2,
	/** The settings shown on buttons (units, theme, sound, telemetry) or the driver's name. */
	labels: 1 << 3,
	/** The trip page's text (`trips`). */
	trips: 1 << 4,
	/** The diagnostics page's numbers, refreshed once a second while it shows. */
	diagnostics: 1 << 5,
	all: 0x3F,
});

/** The trip page's three buttons, left to right. */
const TRIP_BUTTONS = [Action.resetTripA, Action.resetTripB, Action.openDriverMenu];
/** The diagnostics page's buttons: three along the bottom, left to right, then the MQTT row's switch. */
const DIAGNOSTICS_BUTTONS = [Action.toggleUnits, Action.cycleTheme, Action.cycleSound, Action.toggleTelemetry];

export class ScreenModel {
	page: Page;
	readonly menu = new DriverMenu();
	/** The trip page's text, brought up to date by the dashboard while the page shows. */
	readonly trips = new TripReadout();
	/** Rule index of the alert on the pop-up, -1 for none. */
	alert = -1;
	/** The current driver's name, for the trip page's title (set by the dashboard, with `labels`). */
	driverName = "";
	/** Whether alerts chime for the current driver; null on a board without a chime (set by the dashboard, with `labels`). */
	chime: boolean | null = null;
	/** Whether alerts are spoken for the current driver; null on a board that cannot speak them (set by the dashboard, with `labels`). */
	speech: boolean | null = null;
	/** Whether telemetry is on; null when the build configured no broker (set by the dashboard, with `labels`). */
	telemetry: boolean | null = null;
	private changed: number = ScreenChange.all;
	private menuRevision: number;
	private choice: DriverChoice | null = null;
	/** When each button went down, ms; NaN while up. */
	private readonly pressedAt = new Float64Array(3).fill(NaN);

	/** Starts on `page` (a driver's page id; anything unknown is the cluster). */
	constructor(page: string = "cluster") {
		this.page = pageOf(page);
		this.menuRevision = this.menu.revision;
	}

	/** Shows `page` (unknown: the cluster), closing the driver menu. */
	showPage(page: string): void {
		const next = pageOf(page);
		if (next !== this.page) {
			this.page = next;
			this.changed |= ScreenChange.page;
		}
		this.menu.close();
	}

	/** The pop-up shows rule `alert` (-1: none). */
	showAlert(alert: number): void {
		if (alert !== this.alert) {
			this.alert = alert;
			this.changed |= ScreenChange.popup;
		}
	}

	/** Marks `bits` (ScreenChange) for the view to redraw. */
	mark(bits: number): void {
		this.changed |= bits;
	}

	/**
	 * Button `button` (Button) went down (`pressed` 1) or up (0). `heldMs` is
	 * how long it was held when the host knows (HostButton passes it); without
	 * it the model times the press itself. Acts on release.
	 */
	press(button: number, pressed: number, now: number, heldMs?: number): number {
		if (!(button >= 0 && button < 3))
			return Action.none;
		if (pressed) {
			this.pressedAt[button] = now;
			return Action.none;
		}
		const held = (heldMs ?? now - this.pressedAt[button]) >= HOLD_MS;
		this.pressedAt[button] = NaN;
		const menu = this.menu;
		if (menu.isOpen) {
			if (button === Button.a)
				return held ? Action.none : this.choose(menu.selected);
			if (button === Button.b)
				menu.next(now);
			else
				menu.close();
			return Action.none;
		}
		const settings = this.page === "diagnostics";
		if (button === Button.a)
			return held ? (settings ? Action.toggleTelemetry : Action.resetTripA) : this.alert >= 0 ? Action.acknowledgeAlert : this.nextPage();
		if (button === Button.b)
			return held ? Action.openDriverMenu : Action.toggleUnits;
		return held ? (settings ? Action.cycleSound : Action.resetTripB) : Action.cycleTheme;
	}

	/** A touch on `target` (Touch); `index` is the menu row or page button. */
	touch(target: number, index = 0): number {
		switch (target) {
			case Touch.popup:
				return Action.acknowledgeAlert;
			case Touch.menuRow:
				return this.choose(index);
			case Touch.pageButton: {
				const actions = this.page === "trip" ? TRIP_BUTTONS : this.page === "diagnostics" ? DIAGNOSTICS_BUTTONS : null;
				return actions && index >= 0 && index < actions.length ? actions[index] : Action.none;
			}
			default:
				return this.alert >= 0 ? Action.acknowledgeAlert : this.nextPage();
		}
	}

	/**
	 * Opens the driver menu on driver `current` of `names`; `canAdd` offers a
	 * new driver, `language` (languageRow, "" for none) the language row.
	 * Allocates the rows.
	 */
	openMenu(names: readonly string[], current: number, canAdd: boolean, now: number, language = ""): void {
		this.menu.open(names, current, canAdd, now, language);
	}

	/** The driver chosen by the last `Action.chooseDriver`, once; null otherwise. */
	takeChoice(): DriverChoice | null {
		const choice = this.choice;
		this.choice = null;
		return choice;
	}

	/** Display clock: closes an idle driver menu. No allocation. */
	tick(now: number): void {
		this.menu.tick(now);
	}

	/** What changed since the last call (ScreenChange bits), and forgets it. No allocation. */
	take(): number {
		if (this.menu.revision !== this.menuRevision) {
			this.menuRevision = this.menu.revision;
			this.changed |= ScreenChange.menu;
		}
		const changed = this.changed;
		this.changed = 0;
		return changed;
	}

	private nextPage(): number {
		this.page = PAGES[(PAGES.indexOf(this.page) + 1) % PAGES.length];
		this.changed |= ScreenChange.page;
		return Action.pageChanged;
	}

	private choose(row: number): number {
		const choice = this.menu.choose(row);
		if (!choice)
			return Action.none;
		if (choice.language)
			return Action.cycleLanguage;
		this.choice = choice;
		return Action.chooseDriver;
	}
}

/** `page` as a Page; anything unknown (an old profile's "main") is the cluster. */
export function pageOf(page: string): Page {
	return PAGES.indexOf(page as Page) >= 0 ? page as Page : "cluster";
}
