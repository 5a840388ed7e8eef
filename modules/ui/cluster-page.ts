/*
 * The cluster page and the alert pop-up as Piu templates.
 *
 * The cluster page: the speedometer and tachometer dials (dial.ts), the turn
 * arrows and telltales, the ambient temperature, the fuel and coolant bar
 * gauges (bar-gauge.ts) with their lamps, odometer and trip, and the shift
 * light, where the screen's ClusterLayout puts them. Its behaviour reads the
 * cluster model when the view hands it `onModelChanged` (ClusterModel
 * `Change` bits) and passes the bits on to the dials and bars, which read
 * their own gauges; a content is touched only when its value changed, so an
 * idle display costs no drawing. A touch on the page goes to the dashboard.
 *
 * The pop-up: the screen model's alert over every page, coloured by
 * severity; its behaviour reads the screen model on `onScreenChanged`
 * (ScreenChange bits), and a touch acknowledges the alert.
 *
 * Device only (Piu). Allocates the contents when a page is built; then only
 * the strings of changed values and needle outlines.
 */
import {} from "piu/MC";
import {} from "piu/shape";
import { Outline } from "commodetto/outline";
import { COOLANT_MAX_C, COOLANT_MIN_C, Change, type ClusterModel } from "cluster/cluster";
import { ScreenChange, type ScreenModel, Touch } from "cluster/screen";
import { COOLANT_OVERHEAT_C, TELLTALE_COLORS, TELLTALE_COUNT, Telltale } from "cluster/telltales";
import { BarGauge } from "./bar-gauge.js";
import type { Box, ClusterLayout } from "./cluster-layout.js";
import { Dial, SpeedometerBehavior, TachometerBehavior } from "./dial.js";
import type { Look } from "./look.js";
import type { Container, Content, Label, Shape, Skin, Text } from "./piu-types.js";
import { telltaleSymbol } from "./symbols.js";
import { type Role, ThemedBehavior } from "./themed.js";

/** What the cluster page and the pop-up are built from, and what their behaviours read. */
export interface ClusterPageData {
	readonly layout: ClusterLayout;
	readonly look: Look;
	readonly model: ClusterModel;
	readonly screen: ScreenModel;
	/** Where touches go: Dashboard.touch. */
	readonly touch: (target: number, index?: number) => void;
}

/** The telltales across the top, left to right; low fuel and coolant temperature sit by their bars. */
const ROW_LAMPS = [Telltale.checkEngine, Telltale.oilPressure, Telltale.battery, Telltale.parkingBrake, Telltale.seatBelt, Telltale.doorOpen, Telltale.highBeam];
/** Shift lamp: off, lit. */
const SHIFT_FILLS = ["#00000000", "#ff3b2f"];
/** Pop-up fill by alert severity (info, warning, critical). */
const ALERT_FILLS = ["#2b6cc4", "#e09a10", "#d0281e"];

/** A lamp's skin is the theme's for its colour; its state follows the telltale bank. */
class LampBehavior extends ThemedBehavior {
	private which = 0;
	private model: ClusterModel | null = null;
	override onCreate(lamp: Content, data: { which: number; model: ClusterModel }): void {
		super.onCreate(lamp, null);
		this.which = data.which;
		this.model = data.model;
	}
	override onThemeChanged(lamp: Content, look: Look): void {
		const which = this.which;
		lamp.skin = which === Telltale.turnLeft || which === Telltale.turnRight ? look.arrowSkin : look.lampSkins[TELLTALE_COLORS[which]];
		lamp.state = this.model!.telltales.shown[which];
	}
}

/** A turn arrow filling `at`, pointing left or right. */
function arrow($: ClusterPageData, which: number, at: Box): Shape {
	const shape = new Shape({ which, model: $.model }, { ...at, name: `lamp${which}`, skin: $.look.arrowSkin, Behavior: LampBehavior });
	const w = at.width, h = at.height, m = h / 2, shaft = h * 0.28, head = w * 0.5;
	const points = which === Telltale.turnLeft
		? [0, m, head, 0, head, m - shaft, w, m - shaft, w, m + shaft, head, m + shaft, head, h]
		: [w, m, w - head, 0, w - head, m - shaft, 0, m - shaft, 0, m + shaft, w - head, m + shaft, w - head, h];
	shape.fillOutline = Outline.fill(Outline.PolygonPath(...points));
	return shape;
}

/** A telltale's symbol filling `at`. */
function lamp($: ClusterPageData, which: number, at: Box): Shape {
	const shape = new Shape({ which, model: $.model }, { ...at, name: `lamp${which}`, skin: $.look.lampSkins[TELLTALE_COLORS[which]], Behavior: LampBehavior });
	const symbol = telltaleSymbol(which, at.width, at.height);
	if (symbol.fill)
		shape.fillOutline = symbol.fill;
	if (symbol.stroke)
		shape.strokeOutline = symbol.stroke;
	return shape;
}

/** A label dressed by the theme in `role`, named for the page's behaviour to find. */
function label($: ClusterPageData, role: Role, name: string, at: Box): Label {
	return new Label(role, { ...at, name, style: role.style ? $.look[role.style] : undefined, string: "--", Behavior: ThemedBehavior });
}

/** The cluster page, laid out by `$.layout`. */
export const ClusterPage = Container.template(($: ClusterPageData) => {
	const L = $.layout, look = $.look, model = $.model;
	// Where the coolant's overheating range starts on its scale.
	const hot = (COOLANT_OVERHEAT_C - COOLANT_MIN_C) / (COOLANT_MAX_C - COOLANT_MIN_C);
	const contents: Content[] = [
		new Dial({ model, layout: L, look, circle: L.speedo, Behavior: SpeedometerBehavior }, { name: "speedo" }) as Container,
		new Dial({ model, layout: L, look, circle: L.tacho, Behavior: TachometerBehavior }, { name: "tacho" }) as Container,
		arrow($, Telltale.turnLeft, L.arrowLeft),
		arrow($, Telltale.turnRight, L.arrowRight),
		...ROW_LAMPS.map((which, i) => lamp($, which, L.lamps[i])),
		label($, { style: "infoRightStyle" }, "ambient", L.ambient),
		lamp($, Telltale.lowFuel, L.fuelLamp),
		new BarGauge({ model, look, place: L.fuel, gauge: "fuel", ends: ["E", "F"], zoneFrom: -1 }, { name: "fuel" }) as Container,
		new BarGauge({ model, look, place: L.coolant, gauge: "coolant", ends: ["C", "H"], zoneFrom: hot }, { name: "coolant" }) as Container,
		lamp($, Telltale.coolantTemp, L.coolantLamp),
		label($, { style: "infoStyle" }, "odometer", L.odometer),
		label($, { style: "unitStyle" }, "trip", L.trip),
		// Shift light: a bar above the tachometer, lit at the shift point, flashing at the limit.
		new Content(null, { ...L.shift, name: "shift", skin: new Skin({ fill: SHIFT_FILLS }), state: 0 }),
	];
	return { left: 0, top: 0, width: L.width, height: L.height, active: true, visible: false, skin: look.background, Behavior: ClusterPageBehavior, contents };
});

/** Reads the model into the page's contents; the dials and bars read their own gauges. */
class ClusterPageBehavior extends ThemedBehavior {
	private data: ClusterPageData | null = null;
	/** The contents the behaviour updates, found once by name. */
	private gauges: Content[] = [];
	private odometer: Label | null = null;
	private trip: Label | null = null;
	private ambient: Label | null = null;
	private shift: Content | null = null;
	/** The lamps by Telltale. */
	private readonly lamps: Content[] = [];

	override onCreate(page: Container, data: ClusterPageData): void {
		super.onCreate(page, { skin: "background" });
		this.data = data;
		// The dials and bars read their own gauges.
		this.gauges = ["speedo", "tacho", "fuel", "coolant"].map(name => page.content(name)!);
		this.odometer = page.content("odometer") as Label;
		this.trip = page.content("trip") as Label;
		this.ambient = page.content("ambient") as Label;
		this.shift = page.content("shift")!;
		for (let i = 0; i < TELLTALE_COUNT; i++)
			this.lamps[i] = page.content(`lamp${i}`)!;
	}

	onTouchEnded(_page: Content): void {
		this.data!.touch(Touch.page);
	}

	/** Updates what `changed` (Change bits) names. Allocates only strings of changed values and needle outlines. */
	onModelChanged(_page: Container, changed: number): void {
		const model = this.data!.model, gauges = this.gauges;
		for (let i = 0; i < gauges.length; i++)
			gauges[i].delegate("onModelChanged", changed);
		if (changed & (Change.odometer | Change.units))
			this.odometer!.string = model.odometerText;
		if (changed & (Change.trip | Change.units)) {
			const tenths = model.tripTenths < 0 ? 0 : model.tripTenths;
			this.trip!.string = `trip ${Math.floor(tenths / 10)}.${tenths % 10} ${model.units.distanceLabel}`;
		}
		if (changed & (Change.ambient | Change.units))
			this.ambient!.string = model.ambient !== model.ambient ? "--" : `${model.ambient} ${model.units.temperatureLabel}`;
		if (changed & Change.shift)
			this.shift!.state = model.shift && model.shift.lit ? 1 : 0;
		if (changed & Change.telltales) {
			const shown = model.telltales.shown, bits = model.telltales.changed | (changed & Change.theme ? 0x7FF : 0);
			for (let i = 0; i < TELLTALE_COUNT; i++)
				if (bits & (1 << i))
					this.lamps[i].state = shown[i];
		}
	}
}

/**
 * The alert pop-up, over the bottom strip of the cluster page (never over
 * the speed or the lamps) and over every page: one line, or in portrait a
 * Text, where a long message wraps to a second line.
 */
export const Popup = Container.template(($: ClusterPageData) => {
	const L = $.layout, look = $.look, u = L.unit, role: Role = { style: "popupStyle" };
	const inset = Math.round(6 * u);
	const text = L.portrait
		? new Text(role, { left: inset, right: inset, top: Math.round(u), bottom: 0, name: "text", style: look.popupStyle, string: "", Behavior: ThemedBehavior }) as Text
		: new Label(role, { left: inset, right: inset, top: 0, bottom: 0, name: "text", style: look.popupStyle, string: "", Behavior: ThemedBehavior });
	return { ...L.popup, visible: false, active: true, Behavior: PopupBehavior, contents: [text] };
});

class PopupBehavior extends Behavior {
	private data: ClusterPageData | null = null;
	/** Fill by alert severity. */
	private readonly skins: Skin[] = [];

	onCreate(popup: Container, data: ClusterPageData): void {
		this.data = data;
		for (const fill of ALERT_FILLS)
			this.skins.push(new Skin({ fill, stroke: "#ffffff", borders: { left: 2, right: 2, top: 2, bottom: 2 } }));
		popup.skin = this.skins[1];
	}

	onTouchEnded(_popup: Content): void {
		this.data!.touch(Touch.popup);
	}

	/** The screen model's alert, coloured by severity, or none. */
	onScreenChanged(popup: Container, bits: number): void {
		if (!(bits & ScreenChange.popup))
			return;
		const alert = this.data!.screen.alert, alerts = this.data!.model.alerts;
		if (alert < 0 || !alerts) {
			popup.visible = false;
			return;
		}
		const rule = alerts.rules[alert];
		popup.skin = this.skins[rule.severity] ?? this.skins[1];
		(popup.first as Label | Text).string = rule.message;
		popup.visible = true;
	}
}
