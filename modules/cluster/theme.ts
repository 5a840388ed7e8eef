/*
 * Day and night: which theme the cluster wears.
 *
 * "auto" follows the headlight switch as cars do (lights on: night), and holds
 * the last choice while the switch signal is missing rather than flashing the
 * screen to day. Runs on XS and Node; no allocation.
 */

export const Theme = Object.freeze({ day: 0, night: 1 });
export type ThemeChoice = "auto" | "day" | "night";

export class ThemeSelector {
	choice: ThemeChoice;
	/** `Theme` now shown. */
	theme: number = Theme.day;

	constructor(choice: ThemeChoice = "auto") {
		this.choice = choice;
		if (choice === "night")
			this.theme = Theme.night;
	}

	/** Next choice in the order a settings button cycles: auto, day, night. */
	cycle(): ThemeChoice {
		this.choice = this.choice === "auto" ? "day" : this.choice === "day" ? "night" : "auto";
		return this.choice;
	}

	/** Updates `theme` from the headlight switch (NaN when missing); true when it changed. */
	update(headlights: number): boolean {
		let theme = this.theme;
		if (this.choice === "day")
			theme = Theme.day;
		else if (this.choice === "night")
			theme = Theme.night;
		else if (headlights === headlights)
			theme = headlights !== 0 ? Theme.night : Theme.day;
		if (theme === this.theme)
			return false;
		this.theme = theme;
		return true;
	}
}
