/*
 * The cluster's text pages as Piu templates: the trip page, the diagnostics
 * page and the driver menu. Each template lays its contents out on the page
 * design for the screen (cluster-layout.ts pageDesign: 320 x 240 widened to
 * a wider landscape screen, so what sits at an edge keeps its scaled margin
 * there, as on the cluster page; 240 x 320 in portrait); its behaviour reads the screen model when the view
 * hands it `onScreenChanged` (ScreenChange bits) and forwards touches to the
 * dashboard. Styles and skins are the theme's (ThemedBehavior roles).
 *
 * Device only (Piu). Allocates the contents when a page is built; then
 * only the strings the screen model and diagnostics make.
 */
import {} from "piu/MC";
import type { ClusterModel } from "cluster/cluster";
import type { Diagnostics } from "cluster/diagnostics";
import { MAX_DRIVERS } from "cluster/drivers";
import { ScreenChange, type ScreenModel, Touch } from "cluster/screen";
import { TRIP_ROWS } from "cluster/trip-readout";
import { pageDesign } from "./cluster-layout.js";
import { linkLastRow } from "./diagnostics-rows.js";
import { Geometry } from "./geometry.js";
import type { Look } from "./look.js";
import type { Container, Content, Label } from "./piu-types.js";
import { type Role, ThemedBehavior } from "./themed.js";

/** What a page is built from, and what its behaviour reads. */
export interface PageData {
	readonly g: Geometry;
	readonly look: Look;
	readonly model: ClusterModel;
	readonly screen: ScreenModel;
	readonly diagnostics: Diagnostics;
	/** The CAN source's description, for the diagnostics title. */
	readonly sourceName: string;
	/** Where touches go: Dashboard.touch. */
	readonly touch: (target: number, index?: number) => void;
}

/**
 * Rows of the diagnostics page; from WIDE_FROM on, values take the row's
 * width. The MQTT link and the car each have a second row without a name:
 * the link's last line, and the last pack offer's outcome (a refusal in
 * amber) under the running car.
 */
const DIAG_ROWS = ["Display", "Bus frames", "Bus load (est.)", "Decoded", "Unknown ids", "Stale signals", "Source", "MQTT", "", "Car", ""];
const WIDE_FROM = 6;
/** The Car row: in portrait its value goes on the line below its name, and the offer's row below that. */
const CAR_ROW = 9;
/** Row pitch, design px: eleven rows between the title and the buttons. */
const LANDSCAPE_PITCH = 16, PORTRAIT_PITCH = 22;
/**
 * The MQTT link's second row (its last line), which ends in the telemetry
 * switch (page button 3) when the build configured a broker: the counts on
 * the row above keep their width.
 */
const SWITCH_ROW = 8;
/** The switch's width and its gap to the value before it, design px. */
const SWITCH_WIDTH = 34, SWITCH_GAP = 4;

/** Whether `text` fits `label` in its style. */
function fits(label: Label, text: string): boolean {
	const style = label.style;
	return !style || (style.measure(text).width ?? 0) <= label.width - 4;
}

/** `text` cut at its end ("...") to fit `label`, so a right-aligned value never loses its start. Allocates when it cuts. */
function fit(label: Label, text: string): string {
	if (fits(label, text))
		return text;
	let cut = text.length - 1;
	while (cut > 1 && !fits(label, text.slice(0, cut) + "..."))
		cut--;
	return text.slice(0, cut) + "...";
}

/** A label dressed by the theme in `role`, named for its page's behaviour to find. */
function label(role: Role, name: string, dictionary: ConstructorParameters<typeof Label>[1]): Label {
	return new Label(role, { ...dictionary, name, Behavior: ThemedBehavior });
}

/**
 * The pages' geometry on the view's screen: the page design (cluster-layout.ts),
 * 320 x 240 widened to the screen's width on a wider landscape screen (360 x
 * 240 at 480 x 320), so that what sits at an edge keeps the cluster's scaled
 * margin there; the design itself at 320 x 240 and in portrait.
 */
function onPageDesign($: PageData): PageData {
	const g = $.g, design = pageDesign(g.width, g.height);
	return design.width === g.designWidth && design.height === g.designHeight ? $ : { ...$, g: new Geometry(g.width, g.height, design.width, design.height) };
}

/** A page title at the top left. */
function title($: PageData, string: string): Label {
	const g = $.g;
	return label({ style: "titleStyle" }, "title", { left: g.x(10), top: g.y(4), width: g.s(g.designWidth - 20), height: g.s(26), style: $.look.titleStyle, string });
}

/** A row's name at the left of a page, at `top` (scaled), `width` wide in the design. */
function rowName($: PageData, string: string, top: number, width = 130, name = ""): Label {
	const g = $.g;
	return label({ style: "rowNameStyle" }, name, { left: g.x(g.portrait ? 8 : 12), top, width: g.s(width), height: g.s(19), style: $.look.rowNameStyle, string });
}

/** A touch button: Touch.pageButton `index`. */
class ButtonBehavior extends ThemedBehavior {
	private data: { role: Role; index: number; touch: PageData["touch"] } | null = null;
	override onCreate(content: Content, data: { role: Role; index: number; touch: PageData["touch"] }): void {
		super.onCreate(content, data.role);
		this.data = data;
	}
	onTouchEnded(_content: Content): void {
		const data = this.data!;
		data.touch(Touch.pageButton, data.index);
	}
}

/** Three touch buttons along the bottom of a page, named button0..2. */
function buttons($: PageData, names: readonly string[]): Label[] {
	// Three across the design's width, 6 px apart (4 in portrait), 10 from the edges (8).
	const g = $.g, margin = g.portrait ? 8 : 10, gap = g.portrait ? 4 : 6;
	const width = g.s((g.designWidth - 2 * margin - 2 * gap) / 3);
	return names.map((string, index) => new Label({ role: { style: "buttonStyle", skin: "buttonSkin" }, index, touch: $.touch }, {
		left: g.x(margin) + index * (width + g.s(gap)), top: g.y(g.designHeight - 34), width, height: g.s(28), active: true,
		name: `button${index}`, style: $.look.buttonStyle, skin: $.look.buttonSkin, Behavior: ButtonBehavior, string,
	}));
}

/** What every page's behaviour shares: its data, the background, a touch on the page. */
class PageBehavior extends ThemedBehavior {
	protected data: PageData | null = null;
	override onCreate(page: Content, data: PageData): void {
		super.onCreate(page, { skin: "background" });
		this.data = data;
	}
	onTouchEnded(_page: Content): void {
		this.data!.touch(Touch.page);
	}
	/** The screen model changed (`bits`: ScreenChange): bring the page's text up to date. */
	onScreenChanged(_page: Container, _bits: number): void {
	}
	protected find(page: Container, name: string): Label {
		return page.content(name) as Label;
	}
}

/**
 * The trip page: a row per figure, trips A and B side by side (landscape) or
 * one above the other (portrait, too narrow for two columns of figures), the
 * range under them; buttons reset trip A or B and open the driver menu.
 */
export const TripPage = Container.template(($: PageData) => {
	$ = onPageDesign($);
	const g = $.g, look = $.look, portrait = g.portrait, W = g.designWidth;
	const contents: Content[] = [title($, "Trips")];
	for (let c = 0; c < 2; c++)
		contents.push(portrait
			? label({ style: "sectionStyle" }, "", { left: g.x(8), top: g.y(30 + c * 114), width: g.s(W - 16), height: g.s(18), style: look.sectionStyle, string: c ? "Trip B" : "Trip A" })
			: label({ style: "columnStyle" }, "", { left: g.x(W - 196 + c * 98), top: g.y(32), width: g.s(92), height: g.s(20), style: look.columnStyle, string: c ? "Trip B" : "Trip A" }));
	for (let i = 0; i < TRIP_ROWS.length; i++) {
		for (let c = 0; c < 2; c++) {
			if (portrait || c === 0) {
				// Landscape names are 120 px at most; the economy row's carries its unit and runs under trip A's short figure.
				const top = portrait ? g.y(49 + c * 114 + i * 19) : g.y(54 + i * 24);
				contents.push(rowName($, TRIP_ROWS[i], top, portrait ? W - 16 : i === TRIP_ROWS.length - 1 ? 170 : 120, `name${i}-${c}`));
			}
			contents.push(portrait
				? label({ style: "rowValueStyle" }, `cell${i}-${c}`, { left: g.x(8), top: g.y(49 + c * 114 + i * 19), width: g.s(W - 16), height: g.s(19), style: look.rowValueStyle, string: "--" })
				: label({ style: "rowValueStyle" }, `cell${i}-${c}`, { left: g.x(W - 196 + c * 98), top: g.y(54 + i * 24), width: g.s(92), height: g.s(22), style: look.rowValueStyle, string: "--" }));
		}
	}
	const rangeTop = portrait ? g.y(258) : g.y(54 + TRIP_ROWS.length * 24);
	contents.push(rowName($, "Range", rangeTop, portrait ? W - 16 : 120));
	contents.push(label({ style: "rowValueStyle" }, "range", { left: g.x(portrait ? 8 : W - 196), top: rangeTop, width: g.s(portrait ? W - 16 : 190), height: g.s(portrait ? 19 : 22), style: look.rowValueStyle, string: "--" }));
	contents.push(...buttons($, ["Reset A", "Reset B", "Driver"]));
	return { left: 0, top: 0, width: g.width, height: g.height, active: true, visible: false, skin: look.background, Behavior: TripBehavior, contents };
});

class TripBehavior extends PageBehavior {
	/** Copies the trip readout's text in; its strings are the readout's own, nothing allocates here. */
	override onScreenChanged(page: Container, bits: number): void {
		const screen = this.data!.screen, portrait = this.data!.g.portrait;
		if (bits & ScreenChange.labels)
			this.find(page, "title").string = `Trips: ${screen.driverName}`;
		if (!(bits & (ScreenChange.trips | ScreenChange.page)))
			return;
		const readout = screen.trips;
		for (let i = 0; i < TRIP_ROWS.length; i++) {
			for (let c = 0; c < 2; c++) {
				if (portrait || c === 0)
					this.find(page, `name${i}-${c}`).string = readout.names[i];
				this.find(page, `cell${i}-${c}`).string = readout.cells[i][c];
			}
		}
		this.find(page, "range").string = readout.range;
	}
}

/**
 * The diagnostics page: a row per number, refreshed once a second while it
 * shows; buttons for units, theme and the alert sound (chime, and voice where
 * alerts are spoken), and at the end of the MQTT rows, where the build
 * configured a broker, the telemetry switch ("On" / "Off").
 */
export const DiagnosticsPage = Container.template(($: PageData) => {
	$ = onPageDesign($);
	const g = $.g, look = $.look, portrait = g.portrait, W = g.designWidth;
	const switchable = $.screen.telemetry !== null;
	// The source has its own row; a portrait title has no room for it.
	const contents: Content[] = [title($, portrait ? "Diagnostics" : `Diagnostics: ${$.sourceName}`)];
	for (let i = 0; i < DIAG_ROWS.length; i++) {
		// The last row's descenders clear the buttons (their top at the design's height - 34).
		const top = portrait
			? g.y(i <= CAR_ROW ? 28 + i * PORTRAIT_PITCH : 28 + CAR_ROW * PORTRAIT_PITCH + 38)
			: g.y(27 + i * LANDSCAPE_PITCH);
		contents.push(rowName($, DIAG_ROWS[i], top));
		// The source's, the MQTT link's and the car's are the longest values; their names are short. In portrait a
		// value takes the row's whole width, right-aligned past its name, and the car's goes on the line below.
		const below = portrait && i === CAR_ROW, wide = portrait || i >= WIDE_FROM;
		// A wide value starts past its name (about 8 design px a letter: "Source" 66, as before); one without a name at the margin.
		const left = portrait ? 8 : wide ? 18 + 8 * DIAG_ROWS[i].length - (DIAG_ROWS[i] ? 0 : 6) : 116;
		let valueWidth = W - (portrait ? 8 : 6) - left;
		const valueTop = below ? top + g.s(19) : top;
		if (i === SWITCH_ROW && switchable) {
			// The switch ends the row where the value did; the value ends before it.
			const right = left + valueWidth;
			valueWidth -= SWITCH_WIDTH + SWITCH_GAP;
			contents.push(new Label({ role: { style: "buttonStyle", skin: "buttonSkin" }, index: 3, touch: $.touch }, {
				left: g.x(right - SWITCH_WIDTH), top: top + g.s(2), width: g.s(SWITCH_WIDTH), height: g.s(portrait ? 19 : 16), active: true,
				name: "switch", style: look.buttonStyle, skin: look.buttonSkin, Behavior: ButtonBehavior, string: "Off",
			}));
		}
		contents.push(label({ style: "rowValueStyle" }, `value${i}`, { left: g.x(left), top: valueTop, width: g.s(valueWidth), height: g.s(19), style: look.rowValueStyle, string: "--" }));
	}
	contents.push(...buttons($, ["", "", ""]));
	return { left: 0, top: 0, width: g.width, height: g.height, active: true, visible: false, skin: look.background, Behavior: DiagnosticsBehavior, contents };
});

class DiagnosticsBehavior extends PageBehavior {
	override onScreenChanged(page: Container, bits: number): void {
		const data = this.data!;
		// Portrait buttons and rows share their width with the name: the shorter forms.
		const short = data.g.portrait;
		if (bits & ScreenChange.labels) {
			const screen = data.screen, units = data.model.units.speedLabel, choice = data.model.theme.choice;
			this.find(page, "button0").string = short ? units : `Units: ${units}`;
			this.find(page, "button1").string = short ? choice[0].toUpperCase() + choice.slice(1) : `Theme: ${choice}`;
			this.find(page, "button2").string = soundLabel(screen.chime, screen.speech, short);
			const toggle = page.content("switch") as Label | undefined;
			if (toggle)
				toggle.string = screen.telemetry ? "On" : "Off";
		}
		if (!(bits & (ScreenChange.diagnostics | ScreenChange.page)))
			return;
		// Allocates the rows' strings; once a second while the page shows.
		const d = data.diagnostics, value = (i: number) => this.find(page, `value${i}`);
		value(0).string = short ? `${d.fps} drawn, ${d.tickRate} ticks/s` : `${d.fps} fps drawn, ${d.tickRate} ticks/s`;
		value(1).string = short ? `${d.frameRate} /s, ${d.received}` : `${d.frameRate} /s (${d.received} total)`;
		value(2).string = short ? `${d.busLoad} % of ${d.bitRate / 1000}k` : `${d.busLoad} % of ${d.bitRate / 1000} kbit/s`;
		value(3).string = `${d.decoded}, ${d.dropped} dropped`;
		value(3).state = d.dropped ? 1 : 0;
		value(4).string = String(d.unknown);
		value(5).string = fit(value(5), d.stale ? `${d.stale} of ${d.signals}: ${d.staleNames}` : `0 of ${d.signals}`);
		value(5).state = d.stale ? 1 : 0;
		value(6).string = fit(value(6), d.sourceStatus);
		// Portrait: a value shares its row with the name; the MQTT counts without what follows the queue.
		value(7).string = fit(value(7), short ? d.mqtt.split(", ").slice(0, 2).join(", ") : d.mqtt);
		// A refused driver command in its short form, the drivers there are as far as they fit (the trace has them all).
		value(8).string = fit(value(8), linkLastRow(d.mqttLast, text => fits(value(8), text)));
		value(9).string = fit(value(9), d.pack);
		value(10).string = fit(value(10), d.packLast);
		value(10).state = d.packLast.startsWith("refused") ? 1 : 0;
	}
}

/**
 * The sound button's words: the chime alone on or off, or where alerts are
 * spoken, chime and voice, chime only, or silent; `short` for a portrait
 * button. Each fits its button at 16 px.
 */
function soundLabel(chime: boolean | null, speech: boolean | null, short: boolean): string {
	if (speech === null)
		return chime === null ? (short ? "Silent" : "No chime") : chime ? (short ? "Sound" : "Chime: on") : (short ? "Muted" : "Chime: off");
	if (chime && speech)
		return short ? "Voice" : "Alert: voice";
	if (chime)
		return short ? "Chime" : "Alert: chime";
	return speech ? (short ? "Voice" : "Voice only") : (short ? "Muted" : "Alert: silent");
}

/** A driver menu row: a touch chooses it. */
class MenuRowBehavior extends ThemedBehavior {
	private data: { index: number; touch: PageData["touch"] } | null = null;
	override onCreate(content: Content, data: { index: number; touch: PageData["touch"] }): void {
		super.onCreate(content, { style: "menuStyle", skin: "selectionSkin" });
		this.data = data;
	}
	onTouchEnded(_content: Content): void {
		this.data!.touch(Touch.menuRow, this.data!.index);
	}
}

/** The driver menu: a panel over the whole screen, a row per driver and one to add a driver, and what the buttons do. */
export const DriverMenuPanel = Container.template(($: PageData) => {
	$ = onPageDesign($);
	const g = $.g, look = $.look, W = g.designWidth;
	const contents: Content[] = [title($, "Who is driving?")];
	for (let index = 0; index <= MAX_DRIVERS; index++)
		contents.push(new Label({ index, touch: $.touch }, {
			left: g.x(10), top: g.y(30 + index * 20), width: g.s(W - 20), height: g.s(20), active: true, visible: false,
			name: `row${index}`, style: look.menuStyle, skin: look.selectionSkin, Behavior: MenuRowBehavior, string: "",
		}));
	// A touch on a name works too.
	contents.push(label({ style: "unitStyle" }, "", { left: g.x(10), top: g.y(g.designHeight - 24), width: g.s(W - 20), height: g.s(20), style: look.unitStyle, string: "A choose   B next   C close" }));
	return { left: 0, top: 0, width: g.width, height: g.height, active: true, visible: false, skin: look.background, Behavior: MenuBehavior, contents };
});

class MenuBehavior extends PageBehavior {
	/** A touch beside the rows does nothing. */
	override onTouchEnded(_page: Content): void {
	}
	/** Shows, updates or hides the menu after a change. */
	override onScreenChanged(panel: Container, bits: number): void {
		if (!(bits & ScreenChange.menu))
			return;
		const menu = this.data!.screen.menu;
		panel.visible = menu.isOpen;
		if (!menu.isOpen)
			return;
		for (let i = 0; i <= MAX_DRIVERS; i++) {
			const row = this.find(panel, `row${i}`);
			row.visible = i < menu.rows.length;
			row.string = i < menu.rows.length ? menu.rows[i] : "";
			row.state = i === menu.selected ? 1 : 0;
		}
	}
}

/** A page built from its template. */
export function buildPage(Template: typeof TripPage, data: PageData): Container {
	return new Template(data) as Container;
}
