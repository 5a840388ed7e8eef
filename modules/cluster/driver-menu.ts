/*
 * DriverMenu: the on-screen list a driver picks themselves from. It lists
 * the drivers in the book and, while there is room, a row that adds one;
 * where alerts are spoken, a last row shows the current driver's language
 * ("Language (Anna): Deutsch"), and choosing it goes to the build's next
 * language, leaving the menu open on it.
 * With three buttons: one moves the selection down (wrapping), one chooses,
 * one closes; on a touch screen a touch on a row chooses it. The menu opens
 * on the current driver and closes by itself after a while without input, so
 * a press by accident does not leave it over the gauges.
 *
 * Plain TypeScript, tested under vitest with a fake clock; runs on XS and
 * Node. Only `open` and `showLanguage` allocate (the row names).
 */

/** What choosing a row asks for: select driver `index`, add a driver (`index` -1), or (`language`) the next language. */
export interface DriverChoice {
	readonly add: boolean;
	readonly index: number;
	/** The language row: the current driver's next language; the menu stays open. */
	readonly language?: boolean;
}

export const NEW_DRIVER_ROW = "+ New driver";

/** The language row's text: whose language it is, and its name ("Language (Anna): Deutsch"). Allocates. */
export function languageRow(driver: string, languageName: string): string {
	return `Language (${driver}): ${languageName}`;
}

export class DriverMenu {
	/** Closes by itself this long after the last input, ms. */
	static readonly TIMEOUT_MS = 10000;

	isOpen = false;
	/** Row names while open: the drivers, then NEW_DRIVER_ROW when one can be added. */
	rows: string[] = [];
	/** The highlighted row. */
	selected = 0;
	/** The language row's index while open, -1 without one. */
	languageAt = -1;
	/** The new-driver row's index while open, -1 without one. */
	private addAt = -1;
	/** Bumped on every visible change, for the view to redraw. */
	revision = 0;
	private lastInputAt = 0;

	/**
	 * Opens on driver `current` of `names`; `canAdd` offers the new-driver
	 * row, and a `language` row text (languageRow) ends the list, "" for none.
	 */
	open(names: readonly string[], current: number, canAdd: boolean, now: number, language = ""): void {
		this.rows = canAdd ? [...names, NEW_DRIVER_ROW] : [...names];
		this.addAt = canAdd ? names.length : -1;
		this.languageAt = language ? this.rows.length : -1;
		if (language)
			this.rows.push(language);
		this.selected = current >= 0 && current < names.length ? current : 0;
		this.isOpen = true;
		this.lastInputAt = now;
		this.revision++;
	}

	/** Moves the selection to the next row, wrapping to the first. */
	next(now: number): void {
		if (!this.isOpen)
			return;
		this.selected = (this.selected + 1) % this.rows.length;
		this.lastInputAt = now;
		this.revision++;
	}

	/**
	 * Chooses row `row` (default: the highlighted one) and closes, except on
	 * the language row, which stays open for `showLanguage`; null when closed
	 * or no such row.
	 */
	choose(row = this.selected): DriverChoice | null {
		if (!this.isOpen || !(row >= 0 && row < this.rows.length))
			return null;
		if (row === this.languageAt) {
			this.selected = row;
			return { add: false, index: -1, language: true };
		}
		this.close();
		return row === this.addAt ? { add: true, index: -1 } : { add: false, index: row };
	}

	/** The language row shows `text` (languageRow) after a change; counts as input. Nothing without the row. */
	showLanguage(text: string, now: number): void {
		if (!this.isOpen || this.languageAt < 0)
			return;
		this.rows[this.languageAt] = text;
		this.lastInputAt = now;
		this.revision++;
	}

	close(): void {
		if (!this.isOpen)
			return;
		this.isOpen = false;
		this.revision++;
	}

	/** Display clock: closes the menu after TIMEOUT_MS without input; true when it did. */
	tick(now: number): boolean {
		if (!this.isOpen || now - this.lastInputAt < DriverMenu.TIMEOUT_MS)
			return false;
		this.close();
		return true;
	}
}

/** A name for a new driver: "Driver N" with the lowest N no driver has. */
export function newDriverName(names: readonly string[]): string {
	for (let n = 1; ; n++) {
		const name = `Driver ${n}`;
		if (names.indexOf(name) < 0)
			return name;
	}
}
