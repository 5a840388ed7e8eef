/*
 * The cluster's two looks, day and night: every Piu skin and style the view
 * uses, built once at start for both themes so a theme change only swaps
 * references. Lamp colours follow ISO 2575 (red, amber, green, blue).
 *
 * Device only (Piu). The view allocates both looks at start, then nothing.
 * Fonts are the Open Sans resources the manifest builds from the Moddable SDK,
 * chosen for the screen's size by fonts.ts.
 */
import {} from "piu/MC";
import { LampColor } from "cluster/telltales";
import { type FontWeight, type Glyphs, fontFor } from "./fonts.js";
import type { Skin, Style } from "./piu-types.js";

export interface Palette {
	readonly background: string;
	readonly text: string;
	readonly dimText: string;
	readonly minorTick: string;
	readonly majorTick: string;
	readonly ring: string;
	readonly needle: string;
	readonly hub: string;
	readonly redline: string;
	/** The tachometer's caution band before the red zone. */
	readonly caution: string;
	/** A lamp that is off: barely there, like an unlit lens. */
	readonly lampOff: string;
	/** A lamp whose signal is missing: a mid grey, neither lit nor dark. */
	readonly unknown: string;
	readonly bar: string;
	readonly barTrack: string;
	readonly missing: string;
	readonly button: string;
}

const DAY: Palette = Object.freeze({
	background: "#eef0f3", text: "#11161c", dimText: "#5d6670", minorTick: "#7a838c", majorTick: "#11161c",
	ring: "#b8bec6", needle: "#e23a12", hub: "#2a3038", redline: "#d81e1e", caution: "#e8a010",
	lampOff: "#d6dade", unknown: "#8c949c",
	bar: "#27323d", barTrack: "#cfd4da", missing: "#a5acb4", button: "#d5d9de",
});

const NIGHT: Palette = Object.freeze({
	background: "#000000", text: "#f2f2f2", dimText: "#8a939c", minorTick: "#5c6670", majorTick: "#e6e9ec",
	ring: "#262b31", needle: "#ff5a1f", hub: "#c8ccd0", redline: "#e0241c", caution: "#d99a12",
	lampOff: "#16191d", unknown: "#5a626b",
	bar: "#e6e9ec", barTrack: "#23272c", missing: "#3e444b", button: "#1c2025",
});

/** Lit lamp colours by LampColor. */
const LAMP_FILL = ["#e3261c", "#ffb300", "#1fbf45", "#2f6bff"];

export class Look {
	readonly palette: Palette;
	readonly background: Skin;
	/** Telltale symbols by LampColor; states: 0 off, 1 on, 2 unknown (the LampState values). */
	readonly lampSkins: Skin[] = [];
	/** Turn arrows: fill by state off, on, unknown. */
	readonly arrowSkin: Skin;
	/** Dial ticks: fill is the minor ticks and ring, stroke the major ticks. */
	readonly tickSkin: Skin;
	readonly redlineSkin: Skin;
	/** The caution band (amber). */
	readonly cautionSkin: Skin;
	/** Needle: state 0 live, 1 missing (greyed while it parks). */
	readonly needleSkin: Skin;
	readonly hubSkin: Skin;
	readonly barSkin: Skin;
	readonly barTrackSkin: Skin;
	readonly buttonSkin: Skin;
	/** Styles by role; colour state 0 normal, 1 missing. */
	readonly speedStyle: Style;
	/** The speed readout's `--`: the light digits font has no dash. */
	readonly missingStyle: Style;
	readonly gearStyle: Style;
	readonly dialNumberStyle: Style;
	readonly unitStyle: Style;
	/** The ends of a bar's scale ("E", "F", "C", "H"). */
	readonly scaleStyle: Style;
	readonly infoStyle: Style;
	readonly infoRightStyle: Style;
	readonly titleStyle: Style;
	readonly rowNameStyle: Style;
	readonly rowValueStyle: Style;
	/** Column heads of the trip page (landscape). */
	readonly columnStyle: Style;
	/** Section heads of the trip page (portrait). */
	readonly sectionStyle: Style;
	readonly buttonStyle: Style;
	/** Driver menu rows: state 0 normal, 1 on the selection bar. */
	readonly menuStyle: Style;
	readonly popupStyle: Style;
	/** The driver menu's selection bar and the panel behind the menu. */
	readonly selectionSkin: Skin;
	readonly panelSkin: Skin;

	/** Both skins and styles for `palette`, text sized for a screen `scale` times the 320 x 240 design. */
	constructor(palette: Palette, scale: number) {
		this.palette = palette;
		const p = palette;
		this.background = new Skin({ fill: p.background });
		for (let c = 0; c < LAMP_FILL.length; c++) {
			this.lampSkins[c] = new Skin({ fill: [p.lampOff, LAMP_FILL[c], p.unknown], stroke: [p.lampOff, LAMP_FILL[c], p.unknown] });
		}
		this.arrowSkin = new Skin({ fill: [p.lampOff, LAMP_FILL[LampColor.green], p.unknown] });
		this.tickSkin = new Skin({ fill: p.minorTick, stroke: p.majorTick });
		this.redlineSkin = new Skin({ fill: p.redline });
		this.cautionSkin = new Skin({ fill: p.caution });
		this.needleSkin = new Skin({ fill: [p.needle, p.missing] });
		this.hubSkin = new Skin({ fill: p.hub });
		this.barSkin = new Skin({ fill: [p.bar, p.missing, LAMP_FILL[LampColor.amber]] });
		this.barTrackSkin = new Skin({ fill: p.barTrack });
		this.buttonSkin = new Skin({ fill: p.button, stroke: p.dimText, borders: { left: 1, right: 1, top: 1, bottom: 1 } });
		this.selectionSkin = new Skin({ fill: ["#00000000", p.text] });
		this.panelSkin = new Skin({ fill: p.background, stroke: p.dimText, borders: { left: 2, right: 2, top: 2, bottom: 2 } });
		// Text scales with the layout, in the sizes the manifest builds (fonts.ts).
		const font = (weight: FontWeight, size: number, glyphs?: Glyphs) => fontFor(weight, size, scale, glyphs);
		this.speedStyle = new Style({ font: font("light", 42, "digits"), color: [p.text, p.missing], horizontal: "center", vertical: "middle" });
		this.missingStyle = new Style({ font: font("semibold", 28), color: [p.missing, p.missing], horizontal: "center", vertical: "middle" });
		this.gearStyle = new Style({ font: font("semibold", 28), color: [p.text, p.missing], horizontal: "center", vertical: "middle" });
		this.dialNumberStyle = new Style({ font: font("regular", 16), color: [p.dimText, p.missing], horizontal: "center", vertical: "middle" });
		this.unitStyle = new Style({ font: font("regular", 16), color: [p.dimText, p.missing], horizontal: "center", vertical: "middle" });
		this.scaleStyle = new Style({ font: font("semibold", 16), color: p.dimText, horizontal: "center", vertical: "middle" });
		this.infoStyle = new Style({ font: font("semibold", 16), color: [p.text, p.missing], horizontal: "center", vertical: "middle" });
		// A right margin: a right-aligned glyph whose ink overhangs its advance would be clipped at the edge.
		this.infoRightStyle = new Style({ font: font("semibold", 16), color: [p.text, p.missing], horizontal: "right", vertical: "middle", right: Math.ceil(2 * scale) });
		this.titleStyle = new Style({ font: font("semibold", 20), color: p.text, horizontal: "left", vertical: "middle" });
		this.rowNameStyle = new Style({ font: font("regular", 16), color: p.dimText, horizontal: "left", vertical: "middle" });
		// Right-aligned like the ambient: a right margin keeps an overhanging last glyph ("32.4") from being clipped.
		this.rowValueStyle = new Style({ font: font("semibold", 16), color: [p.text, LAMP_FILL[LampColor.amber]], horizontal: "right", vertical: "middle", right: Math.ceil(2 * scale) });
		this.columnStyle = new Style({ font: font("semibold", 16), color: p.dimText, horizontal: "right", vertical: "middle" });
		this.sectionStyle = new Style({ font: font("semibold", 16), color: p.text, horizontal: "left", vertical: "middle" });
		this.buttonStyle = new Style({ font: font("semibold", 16), color: p.text, horizontal: "center", vertical: "middle" });
		this.menuStyle = new Style({ font: font("regular", 16), color: [p.text, p.background], horizontal: "left", vertical: "middle" });
		this.popupStyle = new Style({ font: font("semibold", 16), color: "#ffffff", horizontal: "center", vertical: "middle" });
	}
}

/** The looks by `Theme` value (0 day, 1 night), text sized for a screen `scale` times the design. */
export function looksFor(scale: number): Look[] {
	return [new Look(DAY, scale), new Look(NIGHT, scale)];
}
