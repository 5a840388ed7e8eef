/*
 * Preferences: small named settings that survive restarts, in the shape of
 * Moddable's Preference module (modules/files/preference): values grouped by
 * domain and key, each a boolean, an integer, a string or an ArrayBuffer.
 * The host passes Moddable's `Preference` class itself (its static methods
 * satisfy this interface); tests pass `test/fixtures/fake-preferences.ts`.
 *
 * Limits to respect on every platform (Moddable's documentation): on ESP32
 * (ESP-IDF NVS) domain and key names are at most 15 characters and values at
 * most 4000 bytes; on ESP8266, 32 characters and 63 bytes. Preference storage
 * is flash with limited erase cycles: write only what changed. Types only.
 */

export type PreferenceValue = boolean | number | string | ArrayBuffer;

export interface Preferences {
	/** The value, or undefined when absent. */
	get(domain: string, key: string): PreferenceValue | undefined;
	/** Stores a value. May throw (name too long, value too large, storage full). */
	set(domain: string, key: string, value: PreferenceValue): void;
	delete(domain: string, key: string): void;
	keys(domain: string): string[];
}

/** ESP32 NVS: longest domain or key name, characters. */
export const MAX_PREFERENCE_NAME = 15;
/** ESP32 NVS: largest value, bytes. */
export const MAX_PREFERENCE_BYTES = 4000;
