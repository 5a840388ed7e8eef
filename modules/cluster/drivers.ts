/*
 * Driver profiles: who is driving, and how they like the cluster: units,
 * theme, their own alert thresholds, the page shown at start, brightness,
 * whether alerts chime and whether they are spoken, and in which language.
 * The cluster starts with the last driver chosen; the UI's driver menu calls
 * `select`, and a car that maps a key or seat-memory signal can call
 * `selectByKey`.
 *
 * Kept in the Preference store (domain "xsc-drivers"): "last" holds the index
 * of the driver in use, "d0".."d7" each driver as a compact JSON string
 * (well under ESP32's 4000-byte value limit; names are at most 15
 * characters). A value that is missing or unreadable falls back to the
 * defaults for that driver and is counted, never thrown: a bad preference
 * must not keep the cluster from starting. Writes happen only on a change.
 *
 * Runs on XS and Node. Everything here allocates (JSON, objects): call it on
 * user actions and at start, not on the display clock.
 */
import type { AlertMonitor } from "./alerts.js";
import { ENGLISH, LANGUAGES, isLanguage } from "./phrases.js";
import type { Preferences } from "../storage/preferences.js";

export type UnitsChoice = "metric" | "imperial";
export type ThemeSetting = "auto" | "day" | "night";

export interface DriverSettings {
	/** Shown in the driver menu; 1 to 15 characters. */
	name: string;
	units: UnitsChoice;
	theme: ThemeSetting;
	/** Page shown at start, by the UI's page id. */
	page: string;
	/** Backlight, 5 to 100 %. */
	brightness: number;
	/** Whether alerts sound the chime (where the board has one). */
	chime: boolean;
	/** Whether alerts are spoken after the chime (where the board has a speaker and the build made the phrases). */
	speech: boolean;
	/**
	 * The language alerts are spoken in (phrases.ts LANGUAGES: "en", "de",
	 * "fr", "es", "it"); a build without it speaks its first language.
	 */
	language: string;
	/** The driver's own alert thresholds by alert id, in canonical units (e.g. "overspeed": 120). */
	thresholds: Record<string, number>;
	/** Key fob or seat-memory code that selects this driver, when the car sends one; -1 for none. */
	key: number;
}

export const DRIVER_DOMAIN = "xsc-drivers";
export const MAX_DRIVERS = 8;
const LAST_KEY = "last";

/** A new driver's settings; `language` is the build's first language. */
export function defaultDriver(name: string, language = ENGLISH): DriverSettings {
	return { name, units: "metric", theme: "auto", page: "main", brightness: 80, chime: true, speech: true, language, thresholds: {}, key: -1 };
}

export class DriverBook {
	readonly prefs: Preferences;
	readonly drivers: DriverSettings[] = [];
	/** Index of the driver in use. */
	index = 0;
	/** Stored values that could not be read and were replaced by defaults. */
	recovered = 0;
	/** Writes that the preference store refused; the setting stays in memory. */
	failedWrites = 0;
	private readonly listeners: Array<(driver: DriverSettings, index: number) => void> = [];
	/** A new driver's language, and a stored driver's that has none: the build's first language. */
	readonly language: string;
	/** The driver key code last seen by `followKey`. */
	private lastKey = NaN;

	/**
	 * Loads every stored driver and the last one chosen; with none stored,
	 * starts with one driver called `firstName` (and stores it). `language`
	 * (the build's first) is a new driver's language, and a stored driver's
	 * when an older build stored none or one this build does not know.
	 * @throws RangeError for a `language` that is not one of phrases.ts LANGUAGES.
	 */
	constructor(prefs: Preferences, firstName = "Driver 1", language = ENGLISH) {
		if (!isLanguage(language))
			throw new RangeError(`no phrases in language ${String(language)}`);
		this.prefs = prefs;
		this.language = language;
		for (let i = 0; i < MAX_DRIVERS; i++) {
			const stored = this.read(`d${i}`);
			if (stored === undefined)
				continue;
			const driver = parseDriver(stored, language);
			if (driver)
				this.drivers.push(driver);
			else {
				this.recovered++;
				this.drivers.push(defaultDriver(`Driver ${i + 1}`, language));
			}
		}
		if (!this.drivers.length) {
			this.drivers.push(defaultDriver(firstName, language));
			this.write(0);
		}
		const last = this.read(LAST_KEY);
		this.index = typeof last === "number" && last >= 0 && last < this.drivers.length ? last : 0;
		if (last !== undefined && last !== this.index)
			this.recovered++;
	}

	/** The driver in use. */
	get current(): DriverSettings {
		return this.drivers[this.index];
	}

	/** Calls `listener` whenever the driver or their settings change (the UI re-themes, alerts move). */
	onChange(listener: (driver: DriverSettings, index: number) => void): void {
		this.listeners.push(listener);
	}

	/** Makes driver `index` current and remembers it for the next start. @throws RangeError for no such driver. */
	select(index: number): void {
		if (!(Number.isInteger(index) && index >= 0 && index < this.drivers.length))
			throw new RangeError(`no driver ${index}`);
		if (index === this.index)
			return;
		this.index = index;
		this.store(LAST_KEY, index);
		this.changed();
	}

	/** Selects the driver whose `key` is `code` (a key fob or seat-memory signal); false when none matches. */
	selectByKey(code: number): boolean {
		if (!(code === code) || code < 0)
			return false;
		const index = this.drivers.findIndex(driver => driver.key === code);
		if (index < 0)
			return false;
		this.select(index);
		return true;
	}

	/**
	 * Follows the car's driver key (a key fob or seat-memory code, the
	 * profile's `driverKey`): the driver whose key it is becomes current; a key
	 * no driver has yet becomes the current driver's, as a car learns a new
	 * key. Only a change of code does anything, so the driver menu can still
	 * switch while the same key stays in. Returns true when the driver changed.
	 * Allocates (on a change of code only).
	 */
	followKey(code: number): boolean {
		if (code === this.lastKey || !(code === code) || code < 0 || !Number.isInteger(code))
			return false;
		this.lastKey = code;
		const before = this.index;
		if (this.selectByKey(code))
			return this.index !== before;
		this.update({ key: code });
		return false;
	}

	/** Adds a driver with default settings; returns its index. @throws RangeError when the book is full or the name is bad. */
	add(name: string): number {
		if (this.drivers.length >= MAX_DRIVERS)
			throw new RangeError(`at most ${MAX_DRIVERS} drivers`);
		const driver = defaultDriver(name, this.language);
		checkName(name);
		this.drivers.push(driver);
		this.write(this.drivers.length - 1);
		return this.drivers.length - 1;
	}

	/** Removes driver `index` (never the last one left). */
	remove(index: number): void {
		if (this.drivers.length <= 1 || !(index >= 0 && index < this.drivers.length))
			throw new RangeError(`cannot remove driver ${index}`);
		this.drivers.splice(index, 1);
		for (let i = index; i < this.drivers.length; i++)
			this.write(i);
		try {
			this.prefs.delete(DRIVER_DOMAIN, `d${this.drivers.length}`);
		}
		catch {
			this.failedWrites++;
		}
		const current = this.index;
		this.index = current > index ? current - 1 : current === index ? 0 : current;
		if (this.index !== current)
			this.store(LAST_KEY, this.index);
		this.changed();
	}

	/**
	 * Changes settings of driver `index` (the current one by default); checks
	 * each value and writes only when something changed.
	 * @throws RangeError naming the first bad value (nothing is changed then).
	 */
	update(changes: Partial<DriverSettings>, index = this.index): void {
		const driver = this.drivers[index];
		if (!driver)
			throw new RangeError(`no driver ${index}`);
		const next: DriverSettings = { ...driver, ...changes, thresholds: { ...driver.thresholds, ...(changes.thresholds ?? {}) } };
		const problem = validate(next);
		if (problem)
			throw new RangeError(problem);
		if (JSON.stringify(next) === JSON.stringify(driver))
			return;
		this.drivers[index] = next;
		this.write(index);
		if (index === this.index)
			this.changed();
	}

	/**
	 * Applies the current driver's thresholds to `alerts`, over the rules' own
	 * (so the previous driver's do not linger). Alert ids the monitor lacks are
	 * ignored: a driver moved between cars. Returns how many applied.
	 */
	applyThresholds(alerts: AlertMonitor): number {
		alerts.resetThresholds();
		let applied = 0;
		for (const [id, value] of Object.entries(this.current.thresholds))
			if (alerts.indexOf(id) >= 0) {
				alerts.setThreshold(id, value);
				applied++;
			}
		return applied;
	}

	private changed(): void {
		for (const listener of this.listeners)
			listener(this.current, this.index);
	}

	private write(index: number): void {
		this.store(`d${index}`, JSON.stringify(this.drivers[index]));
	}

	private store(key: string, value: string | number): void {
		try {
			if (this.read(key) !== value)
				this.prefs.set(DRIVER_DOMAIN, key, value);
		}
		catch {
			this.failedWrites++;
		}
	}

	private read(key: string) {
		try {
			return this.prefs.get(DRIVER_DOMAIN, key);
		}
		catch {
			return undefined;
		}
	}
}

const LANGUAGE_LIST = LANGUAGES.join(", ");

function checkName(name: string): void {
	if (typeof name !== "string" || name.length < 1 || name.length > 15)
		throw new RangeError("a driver's name is 1 to 15 characters");
}

/** Why `driver` is not valid, or "" when it is. */
function validate(driver: DriverSettings): string {
	if (typeof driver.name !== "string" || driver.name.length < 1 || driver.name.length > 15)
		return "a driver's name is 1 to 15 characters";
	if (driver.units !== "metric" && driver.units !== "imperial")
		return `units must be metric or imperial, not ${String(driver.units)}`;
	if (driver.theme !== "auto" && driver.theme !== "day" && driver.theme !== "night")
		return `theme must be auto, day or night, not ${String(driver.theme)}`;
	if (typeof driver.page !== "string" || driver.page.length < 1 || driver.page.length > 15)
		return "page is a page id of 1 to 15 characters";
	if (typeof driver.brightness !== "number" || !(driver.brightness >= 5 && driver.brightness <= 100))
		return "brightness is 5 to 100 %";
	if (typeof driver.chime !== "boolean")
		return "chime is true or false";
	if (typeof driver.speech !== "boolean")
		return "speech is true or false";
	if (!isLanguage(driver.language))
		return `language must be one of ${LANGUAGE_LIST}, not ${String(driver.language)}`;
	if (typeof driver.key !== "number" || !Number.isInteger(driver.key))
		return "key is an integer code, -1 for none";
	for (const [id, value] of Object.entries(driver.thresholds))
		if (typeof value !== "number" || !Number.isFinite(value))
			return `threshold ${id} must be a number`;
	return "";
}

/** A stored driver, or undefined when it is not one; `language` for one stored without a language this build knows. */
function parseDriver(stored: unknown, language: string): DriverSettings | undefined {
	if (typeof stored !== "string")
		return undefined;
	let value: unknown;
	try {
		value = JSON.parse(stored);
	}
	catch {
		return undefined;
	}
	if (typeof value !== "object" || value === null)
		return undefined;
	// Fill what an older build did not store; reject what is wrong. A driver
	// stored before speech existed keeps the sound they chose: with the chime
	// muted, their alerts are not spoken either. One stored before languages
	// existed, or with a language this build has no phrases for, speaks the
	// build's first: the rest of their settings stay theirs.
	const v = value as Partial<DriverSettings>;
	const driver: DriverSettings = { ...defaultDriver(typeof v.name === "string" ? v.name : "Driver", language), ...(v.speech === undefined && v.chime === false ? { speech: false } : {}), ...v, thresholds: { ...(typeof v.thresholds === "object" && v.thresholds ? v.thresholds : {}) } };
	if (!isLanguage(driver.language))
		driver.language = language;
	return validate(driver) ? undefined : driver;
}
