/*
 * Rows of the diagnostics page whose text is longer than a small screen's
 * row, in the shorter forms the page shows.
 *
 * Plain TypeScript (no Piu): tested on Node and XS. Runs on XS once a second
 * while the diagnostics page shows; allocates the row's string.
 */

/** Telemetry's line for a driver command naming no driver (modules/connect/telemetry.ts chooseDriver), after telemetryLast. */
const NO_DRIVER = /^driver command '(.*)' names no driver on this cluster \((.*)\)$/;
/** Telemetry's line for a driver command that is not a name at all. */
const NOT_A_NAME = /^driver command is not a driver's name \((\d+ bytes)\)$/;

/**
 * The MQTT link's last line (Diagnostics.mqttLast) for a row where `fits`
 * says whether a text fits: the line itself when it fits. A refused driver
 * command, whose line names the drivers there are, is worded short, the name
 * sent first: `no driver 'Mallory'; drivers: Anna, Ben`, as many of the
 * drivers as fit and how many more (`drivers: Anna +2`), else how many
 * (`3 drivers`), else the name alone (the page cuts a name too long for the
 * row). Any other line as it is (the page cuts it).
 */
export function linkLastRow(line: string, fits: (text: string) => boolean): string {
	if (fits(line))
		return line;
	const bad = NOT_A_NAME.exec(line);
	if (bad)
		return `no driver: not a name (${bad[1]})`;
	const refused = NO_DRIVER.exec(line);
	if (!refused)
		return line;
	const head = `no driver '${refused[1]}'`, drivers = refused[2] ? refused[2].split(", ") : [];
	for (let shown = drivers.length; shown > 0; shown--) {
		const more = drivers.length - shown;
		const text = `${head}; drivers: ${drivers.slice(0, shown).join(", ")}${more ? ` +${more}` : ""}`;
		if (fits(text))
			return text;
	}
	const counted = `${head}; ${drivers.length} driver${drivers.length === 1 ? "" : "s"}`;
	return drivers.length && fits(counted) ? counted : head;
}
