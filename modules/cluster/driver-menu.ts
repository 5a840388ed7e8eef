/*
 * DriverMenu: the on-screen list a driver picks themselves from. It lists
 * the drivers in the book and, while there is room, a row that adds one.
 * With three buttons: one moves the selection down (wrapping), one chooses,
 * one closes; on a touch screen a touch on a row chooses it. The menu opens
 * on the current driver and closes by itself after a while without input, so
 * a press by accident does not leave it over the gauges.
 *
 * Plain TypeScript, tested under vitest with a fake clock; runs on XS and
 * Node. Only `open` allocates (the row names).
 */

/** What choosing a row asks for: select driver `index`, or add a driver (`index` -1). */
export interface DriverChoice {
	readonly add: boolean;
	readonly index: number;
}

export const NEW_DRIVER_ROW = "+ New driver";

export class DriverMenu {
	/** Closes by itself this long after the last input, ms. */
	static readonly TIMEOUT_MS = 10000;

	isOpen = false;
	/** Row names while open: the drivers, then NEW_DRIVER_ROW when one can be added. */
	rows: string[] = [];
	/** The highlighted row. */
	selected = 0;
	/** Bumped on every visible change, for the view to redraw. */
	revision = 0;
	private lastInputAt = 0;

	/** Opens on driver `current` of `names`; `canAdd` offers the new-driver row. */
	open(names: readonly string[], current: number, canAdd: boolean, now: number): void {
		this.rows = canAdd ? [...names, NEW_DRIVER_ROW] : [...names];
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

	/** Chooses row `row` (default: the highlighted one) and closes; null when closed or no such row. */
	choose(row = this.selected): DriverChoice | null {
		if (!this.isOpen || !(row >= 0 && row < this.rows.length))
			return null;
		this.close();
		return this.rows[row] === NEW_DRIVER_ROW && row === this.rows.length - 1 ? { add: true, index: -1 } : { add: false, index: row };
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
