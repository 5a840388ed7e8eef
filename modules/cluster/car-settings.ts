/*
 * Settings of the car rather than of a driver: today, whether telemetry is
 * on. The broker, the Wi-Fi and the node id are the car's (manifest config),
 * and what leaves the car must not change behind the driver's back when the
 * driver menu, a key fob or a remote command chooses another driver; so the
 * switch is one for the car, shown on the diagnostics page beside the
 * driver's own settings. Never on by default: a driver turns it on.
 *
 * Kept in the Preference store (domain "xsc-car", key "telemetry": 1 on,
 * 0 off); a value that is missing or unreadable is off. Writes happen only on
 * a change; a write the store refuses is counted and the setting stays in
 * memory. Runs on XS and Node; allocates nothing after construction.
 */
import type { Preferences } from "../storage/preferences.js";

export const CAR_DOMAIN = "xsc-car";
const TELEMETRY_KEY = "telemetry";

export class CarSettings {
	readonly prefs: Preferences;
	/** Writes that the preference store refused. */
	failedWrites = 0;
	private isTelemetry: boolean;

	/** Reads the stored settings; anything missing or unreadable is off. */
	constructor(prefs: Preferences) {
		this.prefs = prefs;
		let stored: unknown;
		try {
			stored = prefs.get(CAR_DOMAIN, TELEMETRY_KEY);
		}
		catch {
			stored = undefined;
		}
		this.isTelemetry = stored === 1 || stored === true;
	}

	/** Whether the cluster may publish to the broker the build configured. */
	get telemetry(): boolean {
		return this.isTelemetry;
	}
	set telemetry(on: boolean) {
		if (on === this.isTelemetry)
			return;
		this.isTelemetry = on;
		try {
			this.prefs.set(CAR_DOMAIN, TELEMETRY_KEY, on ? 1 : 0);
		}
		catch {
			this.failedWrites++;
		}
	}
}
