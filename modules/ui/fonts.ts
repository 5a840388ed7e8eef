/*
 * Fonts for a screen size. The cluster is designed at 320 x 240 and scaled to
 * the display (see Geometry in cluster-view.ts); its text must scale with it,
 * but Moddable fonts are bitmaps built at fixed sizes. FONT_LADDER lists the
 * Open Sans sizes the manifest builds, and `fontFor` picks, for a role's
 * design size and weight, the built font nearest the scaled size that does
 * not overflow the box the layout scaled for it by more than a little.
 *
 * Plain TypeScript (no Piu): the choice is tested under vitest. Runs on XS
 * and Node; allocates the font name strings, once per look.
 */

export type FontWeight = "light" | "regular" | "semibold";

/** What a font can write: "text" is printable ASCII; "digits" is digits (and at most a few letters, no dash). */
export type Glyphs = "digits" | "text";

export interface BuiltFont {
	readonly weight: FontWeight;
	readonly size: number;
	readonly glyphs: Glyphs;
}

/**
 * The fonts the manifest builds from the Moddable SDK's examples/assets/fonts
 * (keep the two lists together: a font named here and not built is an error
 * on the device). Light is only built large, and semibold not above 28 px.
 * The SDK built the light fonts with digits and letters but no punctuation
 * (no dash for `--`), and regular 72 with digits, `-.CFcf°` only.
 */
export const FONT_LADDER: readonly BuiltFont[] = Object.freeze([
	{ weight: "regular", size: 16, glyphs: "text" }, { weight: "regular", size: 20, glyphs: "text" },
	{ weight: "regular", size: 24, glyphs: "text" }, { weight: "regular", size: 52, glyphs: "text" },
	{ weight: "regular", size: 72, glyphs: "digits" },
	{ weight: "semibold", size: 16, glyphs: "text" }, { weight: "semibold", size: 20, glyphs: "text" },
	{ weight: "semibold", size: 28, glyphs: "text" },
	{ weight: "light", size: 36, glyphs: "digits" }, { weight: "light", size: 42, glyphs: "digits" },
]);

/** How far past its scaled size a font may go: its box has a little air, not more. */
const OVERSIZE = 1.1;

/**
 * The built font for text designed at `designSize` px in `weight` on a screen
 * `scale` times the design, among fonts that can write `glyphs` (digits: any
 * font; text: only those with all of printable ASCII). Prefers the weight
 * asked for; when that weight has no size near the target (over 20 % off),
 * the nearest of any weight. The
 * largest that fits within OVERSIZE of the target wins; with none that small,
 * the smallest there is. Returns a Piu font name, e.g. "semibold 20px Open Sans".
 */
export function fontFor(weight: FontWeight, designSize: number, scale: number, glyphs: Glyphs = "text"): string {
	const target = designSize * scale;
	let font = pick(weight, target, glyphs);
	if (!font || Math.abs(font.size - target) > target * 0.2) {
		const any = pick(undefined, target, glyphs);
		if (any && (!font || Math.abs(any.size - target) < Math.abs(font.size - target)))
			font = any;
	}
	font ??= FONT_LADDER[0];
	return `${font.weight === "regular" ? "" : font.weight + " "}${font.size}px Open Sans`;
}

function pick(weight: FontWeight | undefined, target: number, glyphs: Glyphs): BuiltFont | undefined {
	let fits: BuiltFont | undefined, smallest: BuiltFont | undefined;
	for (const font of FONT_LADDER) {
		if ((weight !== undefined && font.weight !== weight) || (glyphs === "text" && font.glyphs !== "text"))
			continue;
		if (font.size <= target * OVERSIZE && (!fits || font.size > fits.size))
			fits = font;
		if (!smallest || font.size < smallest.size)
			smallest = font;
	}
	return fits ?? smallest;
}
