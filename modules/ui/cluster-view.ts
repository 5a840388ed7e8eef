/*
 * ClusterView: the instrument cluster drawn with Piu — speedometer and
 * tachometer dials with needles and coloured bands, gear, fuel and coolant
 * gauges with their scales, turn arrows, telltales, odometer and trip — and
 * the text pages built from their templates (pages.ts: trip, diagnostics,
 * the driver menu over them), and the alert pop-up over every page.
 *
 * The view never decides what to show; ClusterModel and the screen model
 * do, and the dashboard hands `draw` a bit per element that changed. `apply`
 * touches only those contents, so an idle display costs no drawing; the
 * text pages' behaviours read the screen model when told it changed. Needles are commodetto outlines: a needle that
 * moves allocates one rotated outline per visible step, nothing otherwise.
 * Strings are made only for changed values. Device only (Piu); allocates its
 * contents at construction.
 */
import {} from "piu/MC";
import {} from "piu/shape";
import { Outline } from "commodetto/outline";
import { COOLANT_MAX_C, COOLANT_MIN_C, Change, type ClusterModel } from "cluster/cluster";
import { COOLANT_OVERHEAT_C } from "cluster/telltales";
import type { Diagnostics } from "cluster/diagnostics";
import { type Page, PAGES, ScreenChange, type ScreenModel, Touch } from "cluster/screen";
import { TELLTALE_COLORS, TELLTALE_COUNT, Telltale } from "cluster/telltales";
import { type Look, looksFor } from "./look.js";
import { telltaleSymbol } from "./symbols.js";
import { type Role, ThemedBehavior } from "./themed.js";
import { Geometry } from "./geometry.js";
import { DiagnosticsPage, DriverMenuPanel, type PageData, TripPage, buildPage } from "./pages.js";
import type { Application, Container, Content, Label, Shape, Skin, Text } from "./piu-types.js";

/** Dial sweep in screen degrees (0 is 3 o'clock, clockwise): from lower left, over the top, to lower right. */
const DIAL_START = 150;
const DIAL_SWEEP = 240;
const RADIANS = Math.PI / 180;


/** Where the cluster page's parts go, in design units: [x, y, width, height], or a dial's [centre x, centre y, radius]. */
interface ClusterLayout {
	speedo: readonly number[];
	tacho: readonly number[];
	/** Turn arrows: left's x, right's right edge, top, width, height. */
	arrows: readonly number[];
	/** The telltale row: centre x, top, lamp width, height, gap. */
	lamps: readonly number[];
	ambient: readonly number[];
	fuelLamp: readonly number[];
	fuelBar: readonly number[];
	coolantLamp: readonly number[];
	coolantBar: readonly number[];
	odometer: readonly number[];
	trip: readonly number[];
	shift: readonly number[];
	popup: readonly number[];
}

/** 320 x 240: the dials side by side, lamps across the top, fuel, odometer and coolant along the bottom. */
const LANDSCAPE: ClusterLayout = {
	speedo: [82, 130, 76], tacho: [238, 130, 76],
	arrows: [6, 314, 5, 26, 20], lamps: [160, 3, 28, 23, 6], ambient: [256, 30, 58, 20],
	fuelLamp: [6, 210, 28, 23], fuelBar: [38, 218, 68, 8], coolantLamp: [286, 210, 28, 23], coolantBar: [214, 218, 68, 8],
	odometer: [110, 202, 100, 18], trip: [110, 220, 100, 18], shift: [238, 33, 36, 6], popup: [20, 198, 280, 40],
};

/**
 * 240 x 320 (a portrait panel not turned by the build): the speedometer large
 * in the middle, the tachometer with the gear below it on the left, odometer,
 * trip, fuel and coolant beside it; the alert pop-up along the bottom edge.
 */
const PORTRAIT: ClusterLayout = {
	speedo: [120, 122, 86], tacho: [62, 262, 54],
	arrows: [4, 236, 4, 22, 17], lamps: [120, 3, 22, 18, 4], ambient: [168, 26, 66, 18],
	fuelLamp: [124, 262, 22, 18], fuelBar: [150, 269, 84, 8], coolantLamp: [124, 290, 22, 18], coolantBar: [150, 297, 84, 8],
	odometer: [120, 214, 116, 18], trip: [120, 234, 116, 18], shift: [62, 200, 36, 6], popup: [4, 270, 232, 46],
};

/** A new Container (the typings' Container constructor returns no type). */
function container(dictionary: ConstructorParameters<typeof Content>[1] & { contents?: Content[] }): Container {
	return new Container(null, dictionary) as Container;
}

/** A Label dressed by the theme in `role` (ThemedBehavior). */
function themed(role: Role, dictionary: ConstructorParameters<typeof Label>[1]): Label {
	return new Label(role, { ...dictionary, Behavior: ThemedBehavior });
}

/**
 * One round gauge, a reusable content: ticks, numbers, coloured bands (a
 * caution band and a red zone), needle, hub and a readout below the hub.
 */
class Dial {
	readonly box: Container;
	readonly ticks: Shape;
	/** The caution band before the red zone (amber), and the red zone. */
	readonly caution: Shape;
	readonly redline: Shape;
	readonly needle: Shape;
	readonly hub: Shape;
	readonly numbers: Label[] = [];
	readonly radius: number;
	/** The dial's size against the 76 px radius of the 320 x 240 design: ticks, numbers, needle and hub scale by it. */
	private readonly k: number;
	private readonly needleBase: Outline;
	private readonly steps: number;

	constructor(parent: Container, left: number, top: number, radius: number, steps: number) {
		this.radius = radius;
		this.steps = steps;
		const k = this.k = radius / 76;
		const size = radius * 2;
		this.box = container({ left, top, width: size, height: size });
		parent.add(this.box);
		this.ticks = new Shape(null, { left: 0, top: 0, width: size, height: size });
		this.caution = new Shape(null, { left: 0, top: 0, width: size, height: size });
		this.redline = new Shape(null, { left: 0, top: 0, width: size, height: size });
		this.box.add(this.caution);
		this.box.add(this.redline);
		this.box.add(this.ticks);
		this.needle = new Shape(null, { left: 0, top: 0, width: size, height: size });
		const hub = Math.round(6 * k);
		this.hub = new Shape(null, { left: radius - hub, top: radius - hub, width: hub * 2, height: hub * 2 });
		const hubPath = new Outline.CanvasPath();
		hubPath.arc(hub, hub, hub - 0.5, 0, 2 * Math.PI);
		this.hub.fillOutline = Outline.fill(hubPath);
		// A tapered needle along +x to just inside the ticks; its short tail stays under the hub,
		// so nothing of it ever reaches the readout below.
		const tip = radius - 7 * k, tail = -5 * k;
		this.needleBase = Outline.fill(Outline.PolygonPath(tail, -3.2 * k, tip, -1.1 * k, tip, 1.1 * k, tail, 3.2 * k));
	}

	/** Adds the needle and hub above whatever the caller put in the centre. */
	finish(): void {
		this.box.add(this.needle);
		this.box.add(this.hub);
	}

	/** Draws ticks every `minor` and `major` units up to `max`, numbers every `labelStep` divided by `labelDivisor`. */
	scale(max: number, minor: number, major: number, labelStep: number, labelDivisor: number, look: Look): void {
		const r = this.radius, k = this.k;
		const minorPath = new Outline.CanvasPath(), majorPath = new Outline.CanvasPath();
		minorPath.arc(r, r, r - 1, DIAL_START * RADIANS, (DIAL_START + DIAL_SWEEP) * RADIANS);
		for (let v = 0; v <= max + 1e-9; v += minor) {
			const a = (DIAL_START + v / max * DIAL_SWEEP) * RADIANS;
			const isMajor = Math.abs(v / major - Math.round(v / major)) < 1e-6;
			const inner = isMajor ? r - 10 * k : r - 6 * k;
			const path = isMajor ? majorPath : minorPath;
			path.moveTo(r + Math.cos(a) * (r - 1), r + Math.sin(a) * (r - 1));
			path.lineTo(r + Math.cos(a) * inner, r + Math.sin(a) * inner);
		}
		this.ticks.fillOutline = Outline.stroke(minorPath, 1.5 * k, Outline.LINECAP_BUTT);
		this.ticks.strokeOutline = Outline.stroke(majorPath, 3 * k, Outline.LINECAP_BUTT);
		for (const label of this.numbers)
			this.box.remove(label);
		this.numbers.length = 0;
		const lr = r - 21 * k, w = Math.round(30 * k), h = Math.round(18 * k);
		for (let v = 0; v <= max + 1e-9; v += labelStep) {
			const a = (DIAL_START + v / max * DIAL_SWEEP) * RADIANS;
			const label = new Label(null, {
				left: Math.round(r + Math.cos(a) * lr - w / 2), top: Math.round(r + Math.sin(a) * lr - h / 2), width: w, height: h,
				style: look.dialNumberStyle, string: String(Math.round(v / labelDivisor)),
			});
			this.numbers.push(label);
			this.box.insert(label, this.caution);
		}
	}

	/** Paints the caution band from `caution` to `red` and the red zone from `red` to `max`, inside the ticks. */
	zone(caution: number, red: number, max: number): void {
		this.band(this.caution, caution, red, max);
		this.band(this.redline, red, max, max);
	}

	private band(shape: Shape, from: number, to: number, max: number): void {
		const r = this.radius, path = new Outline.CanvasPath();
		if (!(to > from))
			return;
		path.arc(r, r, r - 4 * this.k, (DIAL_START + from / max * DIAL_SWEEP) * RADIANS, (DIAL_START + to / max * DIAL_SWEEP) * RADIANS);
		shape.fillOutline = Outline.stroke(path, 6 * this.k, Outline.LINECAP_BUTT);
	}

	/**
	 * Points the needle at quantised `position` of the sweep. The needle's
	 * content shrinks to the rotated outline's bounds, so a move redraws the
	 * strip the needle sweeps, not the whole dial: what an SPI display pays for.
	 * Allocates one outline.
	 */
	point(position: number): void {
		const angle = (DIAL_START + position / this.steps * DIAL_SWEEP) * RADIANS;
		// Outline.rotate turns +x toward -y: a screen angle (clockwise) is a negative rotation.
		const outline = this.needleBase.clone().rotate(-angle);
		const bounds = outline.bounds, needle = this.needle;
		const left = Math.floor(bounds.x) - 1, top = Math.floor(bounds.y) - 1;
		needle.width = Math.ceil(bounds.x + bounds.width) + 1 - left;
		needle.height = Math.ceil(bounds.y + bounds.height) + 1 - top;
		needle.x = this.box.x + this.radius + left;
		needle.y = this.box.y + this.radius + top;
		needle.fillOutline = outline.translate(-left, -top);
	}

	theme(look: Look): void {
		this.ticks.skin = look.tickSkin;
		this.caution.skin = look.cautionSkin;
		this.redline.skin = look.redlineSkin;
		this.needle.skin = look.needleSkin;
		this.hub.skin = look.hubSkin;
		for (const label of this.numbers)
			label.style = look.dialNumberStyle;
	}
}

/**
 * A horizontal bar gauge (fuel, coolant), a reusable content: the scale's
 * ends written either side ("E" and "F", "C" and "H"), a track, a fill whose
 * width is the quantised level, and an optional warning zone marked under
 * the track (the coolant's overheating range), visible whatever the level.
 */
class Bar {
	readonly box: Container;
	readonly track: Container;
	readonly fill: Content;
	readonly ends: Label[] = [];
	readonly zone: Content | null = null;
	private readonly width: number;
	private readonly steps: number;

	/**
	 * In the box `left, top, width` (design already scaled), the bar `height`
	 * high; `ends` each take `endWidth` of it; `zoneFrom` is where the warning
	 * zone starts as a fraction of the scale (no zone when not in 0..1).
	 */
	constructor(parent: Container, left: number, top: number, width: number, height: number, steps: number,
		ends: readonly [string, string], endWidth: number, look: Look, zoneFrom = -1) {
		// The zone's mark under the track: half the bar's height, at least 2 px.
		const labelHeight = endWidth * 2, mark = Math.max(2, Math.round(height / 2));
		this.steps = steps;
		this.width = width - 2 * endWidth;
		this.box = container({ left, top: top + Math.round(height / 2 - labelHeight / 2), width, height: labelHeight });
		const barTop = Math.round(labelHeight / 2 - height / 2);
		this.track = container({ left: endWidth, top: barTop, width: this.width, height, contents: [] });
		this.fill = new Content(null, { left: 0, top: 0, bottom: 0, width: 0 });
		this.track.add(this.fill);
		this.box.add(this.track);
		if (zoneFrom >= 0 && zoneFrom < 1) {
			const zoneLeft = Math.round(zoneFrom * this.width);
			this.zone = new Content(null, { left: endWidth + zoneLeft, top: barTop + height + 1, width: this.width - zoneLeft, height: mark });
			this.box.add(this.zone);
		}
		for (let i = 0; i < 2; i++) {
			const label = new Label(null, { left: i ? width - endWidth : 0, top: 0, width: endWidth, height: labelHeight, style: look.scaleStyle, string: ends[i] });
			this.ends.push(label);
			this.box.add(label);
		}
		parent.add(this.box);
	}

	level(position: number): void {
		this.fill.width = Math.round(position / this.steps * this.width);
	}

	theme(look: Look): void {
		this.track.skin = look.barTrackSkin;
		this.fill.skin = look.barSkin;
		if (this.zone)
			this.zone.skin = look.redlineSkin;
		for (const label of this.ends)
			label.style = look.scaleStyle;
	}
}

/** What the view is built from: the models it reads, and where its touches and clock go. */
export interface ViewParts {
	model: ClusterModel;
	screen: ScreenModel;
	diagnostics: Diagnostics;
	/** The CAN source's description, for the diagnostics title. */
	sourceName: string;
	/** A touch on `target` (Touch), `index` its row or button: Dashboard.touch. */
	touch(target: number, index?: number): void;
	/** The display clock: Dashboard.tick, which calls `draw`. */
	tick(): void;
}

/** Pop-up fill by alert severity (info, warning, critical). */
const ALERT_FILLS = ["#2b6cc4", "#e09a10", "#d0281e"];
/** Shift lamp: off, lit. */
const SHIFT_FILLS = ["#00000000", "#ff3b2f"];



export class ClusterView {
	readonly application: Application;

	private readonly model: ClusterModel;
	private readonly screen: ScreenModel;
	private readonly diagnostics: Diagnostics;
	private readonly parts: ViewParts;
	private readonly g: Geometry;
	/** Day and night, sized for this screen. */
	private readonly looks: Look[];
	private look: Look;
	private readonly pages: Record<Page, Container>;
	private current: Page = "cluster";
	private readonly speedo: Dial;
	private readonly tacho: Dial;
	private readonly speedLabel: Label;
	private readonly speedUnit: Label;
	private readonly gearLabel: Label;
	private readonly rpmUnit: Label;
	private readonly fuel: Bar;
	private readonly coolant: Bar;
	private readonly odometer: Label;
	private readonly trip: Label;
	private readonly ambient: Label;
	private readonly lamps: Content[] = [];
	/** Trip page cells by row, then column (A, B). */
	private readonly tripCells: Label[][] = [];
	/** Trip page row names by row: one label (landscape) or one per trip (portrait). */
	private readonly tripNames: Label[][] = [];
	private readonly popup: Container;
	/** A Label (one line, centred), or in portrait a Text: a long message wraps to a second line. */
	private readonly popupText: Label | Text;
	private readonly popupSkins: Skin[] = [];
	private readonly shiftLamp: Content;
	private readonly menuPanel: Container;

	/**
	 * Builds the view for the display as the host's rotation makes it: the
	 * landscape design (320 x 240, 480 x 320...), or the portrait one on a
	 * screen taller than wide, on the screen model's page.
	 */
	constructor(parts: ViewParts) {
		const model = this.model = parts.model;
		this.screen = parts.screen;
		this.diagnostics = parts.diagnostics;
		this.parts = parts;

		class PageBehavior extends ThemedBehavior {
			onTouchEnded(_content: Content) {
				parts.touch(Touch.page);
			}
		}
		class ClockBehavior extends Behavior {
			onCreate(application: Application) {
				// 50 a second asked: timers in the Linux simulator run late, and 33 ms gave it only 24.
				application.interval = 20;
				application.start();
			}
			onTimeChanged(_application: Application) {
				parts.tick();
			}
		}

		// The application first: its size is the screen's after the host's rotation (a 240 x 320 panel turned 90 degrees is 320 x 240).
		this.application = new Application(null, {
			left: 0, top: 0, right: 0, bottom: 0, Behavior: ClockBehavior,
			commandListLength: 8192, displayListLength: 8192, touchCount: 1,
		} as ConstructorParameters<typeof Application>[1]);
		const width = this.application.width, height = this.application.height;
		// A portrait screen gets the portrait design (the build may instead turn the panel, see README "Screen sizes").
		const portrait = height > width;
		const g = this.g = portrait ? new Geometry(width, height, 240, 320) : new Geometry(width, height, 320, 240);
		const L = portrait ? PORTRAIT : LANDSCAPE;
		this.looks = looksFor(g.scale);
		const look = this.look = this.looks[model.theme.theme];

		// The text pages and the driver menu are templates (pages.ts); the cluster page is built here.
		const data: PageData = { g, look, model, screen: parts.screen, diagnostics: parts.diagnostics, sourceName: parts.sourceName, touch: parts.touch };
		const main = new Container({ skin: "background" }, { left: 0, top: 0, width, height, active: true, visible: false, Behavior: PageBehavior }) as Container;
		this.pages = { cluster: main, trip: buildPage(TripPage, data), diagnostics: buildPage(DiagnosticsPage, data) };
		this.menuPanel = buildPage(DriverMenuPanel, data);

		// Dials. Readouts sit in the open lower part of each dial, clear of the hub and the needle's sweep;
		// their boxes are sized for the 76 px dial of the landscape design and follow the dial's radius.
		const sr = g.s(L.speedo[2]), tr = g.s(L.tacho[2]);
		this.speedo = new Dial(main, g.x(L.speedo[0]) - sr, g.y(L.speedo[1]) - sr, sr, model.speedometer.needle.steps);
		this.tacho = new Dial(main, g.x(L.tacho[0]) - tr, g.y(L.tacho[1]) - tr, tr, model.tachometer.steps);
		const sk = (n: number) => Math.round(n * sr / 76), tk = (n: number) => Math.round(n * tr / 76);
		// The digits start below the hub (radius 6 at 76) with a margin: the needle, whose tail hides under the hub, never crosses them.
		this.speedLabel = new Label(null, { left: sr - sk(40), top: sr + sk(9), width: sk(80), height: sk(38), style: look.speedStyle, string: "--" });
		this.speedUnit = themed({ style: "unitStyle" }, { left: sr - sk(40), top: sr + sk(46), width: sk(80), height: g.s(18), style: look.unitStyle, string: model.units.speedLabel });
		this.speedo.box.add(this.speedLabel);
		this.speedo.box.add(this.speedUnit);
		this.speedo.finish();
		// A small tachometer (portrait) says "rpm" under the gear, its numbers being thousands already.
		this.gearLabel = themed({ style: "gearStyle" }, { left: tr - g.s(30), top: tr + tk(9), width: g.s(60), height: g.s(34), style: look.gearStyle, string: "--" });
		this.rpmUnit = themed({ style: "unitStyle" }, { left: tr - g.s(45), top: tr + tk(44), width: g.s(90), height: g.s(18), style: look.unitStyle, string: tr < g.s(70) ? "x1000" : "x1000 rpm" });
		this.tacho.box.add(this.gearLabel);
		this.tacho.box.add(this.rpmUnit);
		this.tacho.finish();
		this.tacho.scale(model.rpmMax, 500, 1000, 1000, 1000, look);
		// Amber for the last 1000 rpm before the redline, red from it.
		this.tacho.zone(Math.max(0, model.redline - 1000), model.redline, model.rpmMax);
		this.scaleSpeedometer();

		// Turn arrows, top corners.
		const arrowW = g.s(L.arrows[3]), arrowH = g.s(L.arrows[4]);
		for (const which of [Telltale.turnLeft, Telltale.turnRight]) {
			const left = which === Telltale.turnLeft ? g.x(L.arrows[0]) : g.x(L.arrows[1]) - arrowW;
			const arrow = new Shape(null, { left, top: g.y(L.arrows[2]), width: arrowW, height: arrowH });
			const w = arrowW, h = arrowH, m = h / 2, shaft = h * 0.28, head = w * 0.5;
			const points = which === Telltale.turnLeft
				? [0, m, head, 0, head, m - shaft, w, m - shaft, w, m + shaft, head, m + shaft, head, h]
				: [w, m, w - head, 0, w - head, m - shaft, 0, m - shaft, 0, m + shaft, w - head, m + shaft, w - head, h];
			arrow.fillOutline = Outline.fill(Outline.PolygonPath(...points));
			this.lamps[which] = arrow;
			main.add(arrow);
		}

		// Telltales: warnings and indicators across the top; low fuel and coolant temperature by their bars.
		const lamp = (which: number, left: number, top: number, w: number, h: number) => {
			const shape = new Shape(null, { left, top, width: w, height: h });
			const symbol = telltaleSymbol(which, w, h);
			if (symbol.fill)
				shape.fillOutline = symbol.fill;
			if (symbol.stroke)
				shape.strokeOutline = symbol.stroke;
			this.lamps[which] = shape;
			main.add(shape);
		};
		const lw = g.s(L.lamps[2]), lh = g.s(L.lamps[3]), gap = g.s(L.lamps[4]);
		const row = [Telltale.checkEngine, Telltale.oilPressure, Telltale.battery, Telltale.parkingBrake, Telltale.seatBelt, Telltale.doorOpen, Telltale.highBeam];
		let x = g.x(L.lamps[0]) - (lw * row.length + gap * (row.length - 1)) / 2;
		for (const which of row) {
			lamp(which, x, g.y(L.lamps[1]), lw, lh);
			x += lw + gap;
		}
		const box = (b: readonly number[]) => ({ left: g.x(b[0]), top: g.y(b[1]), width: g.s(b[2]), height: g.s(b[3]) });
		this.ambient = themed({ style: "infoRightStyle" }, { ...box(L.ambient), style: look.infoRightStyle, string: "--" });
		main.add(this.ambient);

		// Fuel, odometer and trip, coolant: the bottom strip (landscape) or beside the tachometer (portrait).
		lamp(Telltale.lowFuel, g.x(L.fuelLamp[0]), g.y(L.fuelLamp[1]), g.s(L.fuelLamp[2]), g.s(L.fuelLamp[3]));
		// Scale ends either side of each bar; the coolant's overheating range marked under its track.
		const endWidth = g.s(12), hot = (COOLANT_OVERHEAT_C - COOLANT_MIN_C) / (COOLANT_MAX_C - COOLANT_MIN_C);
		this.fuel = new Bar(main, g.x(L.fuelBar[0]), g.y(L.fuelBar[1]), g.s(L.fuelBar[2]), g.s(L.fuelBar[3]), model.fuel.steps, ["E", "F"], endWidth, look);
		this.coolant = new Bar(main, g.x(L.coolantBar[0]), g.y(L.coolantBar[1]), g.s(L.coolantBar[2]), g.s(L.coolantBar[3]), model.coolant.steps, ["C", "H"], endWidth, look, hot);
		lamp(Telltale.coolantTemp, g.x(L.coolantLamp[0]), g.y(L.coolantLamp[1]), g.s(L.coolantLamp[2]), g.s(L.coolantLamp[3]));
		this.odometer = themed({ style: "infoStyle" }, { ...box(L.odometer), style: look.infoStyle, string: "--" });
		this.trip = themed({ style: "unitStyle" }, { ...box(L.trip), style: look.unitStyle, string: "--" });
		main.add(this.odometer);
		main.add(this.trip);

		// Shift light: a bar above the tachometer, lit at the shift point, flashing at the limit.
		this.shiftLamp = new Content(null, { left: g.x(L.shift[0]) - g.s(L.shift[2] / 2), top: g.y(L.shift[1]), width: g.s(L.shift[2]), height: g.s(L.shift[3]), skin: new Skin({ fill: SHIFT_FILLS }), state: 0 });
		main.add(this.shiftLamp);

		// Alert pop-up over the bottom strip (never over the speed or the lamps): the monitor's top alert,
		// coloured by severity; a touch (or button A) acknowledges it.
		for (const fill of ALERT_FILLS)
			this.popupSkins.push(new Skin({ fill, stroke: "#ffffff", borders: { left: 2, right: 2, top: 2, bottom: 2 } }));
		class PopupBehavior extends Behavior {
			onTouchEnded(_content: Content) {
				parts.touch(Touch.popup);
			}
		}
		this.popup = container({ ...box(L.popup), skin: this.popupSkins[1], visible: false, active: true, Behavior: PopupBehavior });
		const popupRole: Role = { style: "popupStyle" };
		this.popupText = portrait
			? new Text(popupRole, { left: g.s(6), right: g.s(6), top: g.s(1), bottom: 0, style: look.popupStyle, string: "", Behavior: ThemedBehavior }) as Text
			: themed(popupRole, { left: g.s(6), right: g.s(6), top: 0, bottom: 0, style: look.popupStyle, string: "" });
		this.popup.add(this.popupText);

		for (const name of PAGES)
			this.application.add(this.pages[name]);
		// The pop-up shows over every page (the chime sounds whatever the page), the driver menu over it.
		this.application.add(this.popup);
		this.application.add(this.menuPanel);
		this.showPage();
		this.applyTheme();
	}

	/**
	 * Redraws what changed: `changed` (ClusterModel Change bits) and
	 * `screenChanged` (ScreenChange bits). Dashboard.tick calls it; true when
	 * anything on screen was touched.
	 */
	draw(changed: number, screenChanged: number, _now: number): boolean {
		if (screenChanged & ScreenChange.page)
			this.showPage();
		if (changed)
			this.apply(changed);
		if (screenChanged & ScreenChange.popup)
			this.showPopup();
		// The text pages' behaviours read the screen model: the shown one now, the others' labels as they change.
		if (screenChanged & ~ScreenChange.popup) {
			for (const name of PAGES)
				if (name !== "cluster" && (name === this.current || screenChanged & ScreenChange.labels))
					this.pages[name].delegate("onScreenChanged", name === this.current ? screenChanged : ScreenChange.labels);
			if (screenChanged & ScreenChange.menu)
				this.menuPanel.delegate("onScreenChanged", screenChanged);
		}
		return true;
	}

	/** Updates the contents named by `changed` bits. Allocates only strings of changed values and needle outlines. */
	apply(changed: number): void {
		const model = this.model;
		if (changed & Change.theme)
			this.applyTheme();
		if (changed & Change.units) {
			this.scaleSpeedometer();
			this.speedUnit.string = model.units.speedLabel;
		}
		const speedometer = model.speedometer;
		if (changed & (Change.speedNeedle | Change.units))
			this.speedo.point(speedometer.needle.position);
		if (changed & Change.speedMissing) {
			const state = speedometer.needle.missing ? 1 : 0;
			this.speedo.needle.state = state;
			// The light digits font has no dash: a missing speed is written in the semibold one.
			this.speedLabel.style = state ? this.look.missingStyle : this.look.speedStyle;
			this.speedLabel.state = state;
			this.speedUnit.state = state;
		}
		if (changed & Change.speedDigits)
			this.speedLabel.string = speedometer.digits < 0 ? "--" : String(speedometer.digits);
		if (changed & Change.rpmNeedle)
			this.tacho.point(model.tachometer.position);
		if (changed & Change.rpmMissing) {
			const state = model.tachometer.missing ? 1 : 0;
			this.tacho.needle.state = state;
			this.rpmUnit.state = state;
		}
		if (changed & Change.gear)
			this.gearLabel.string = model.gear;
		if (changed & Change.fuel)
			this.fuel.level(model.fuel.position);
		if (changed & Change.fuelMissing)
			this.fuel.fill.state = model.fuel.missing ? 1 : 0;
		if (changed & Change.coolant)
			this.coolant.level(model.coolant.position);
		if (changed & Change.coolantMissing)
			this.coolant.fill.state = model.coolant.missing ? 1 : 0;
		if (changed & (Change.odometer | Change.units))
			this.odometer.string = model.odometer < 0 ? "--" : `${model.odometer} ${model.units.distanceLabel}`;
		if (changed & (Change.trip | Change.units)) {
			const tenths = model.tripTenths < 0 ? 0 : model.tripTenths;
			this.trip.string = `trip ${Math.floor(tenths / 10)}.${tenths % 10} ${model.units.distanceLabel}`;
		}
		if (changed & (Change.ambient | Change.units))
			this.ambient.string = model.ambient !== model.ambient ? "--" : `${model.ambient} ${model.units.temperatureLabel}`;
		if (changed & Change.shift)
			this.shiftLamp.state = model.shift && model.shift.lit ? 1 : 0;
		if (changed & Change.telltales) {
			const shown = model.telltales.shown, bits = model.telltales.changed | (changed & Change.theme ? 0x7FF : 0);
			for (let i = 0; i < TELLTALE_COUNT; i++)
				if (bits & (1 << i))
					this.lamps[i].state = shown[i];
		}
	}

	/** The pop-up: the screen model's alert, coloured by severity, or none. */
	private showPopup(): void {
		const alert = this.screen.alert, alerts = this.model.alerts;
		if (alert < 0 || !alerts) {
			this.popup.visible = false;
			return;
		}
		const rule = alerts.rules[alert];
		this.popup.skin = this.popupSkins[rule.severity] ?? this.popupSkins[1];
		this.popupText.string = rule.message;
		this.popup.visible = true;
	}

	private showPage(): void {
		const page = this.screen.page;
		for (const name of PAGES)
			this.pages[name].visible = name === page;
		this.current = page;
	}

	private scaleSpeedometer(): void {
		const units = this.model.units;
		const max = units.speedScaleMax, step = units.speedScaleStep;
		this.speedo.scale(max, step / 4, step / 2, step, 1, this.look);
		this.speedo.point(this.model.speedometer.needle.position);
	}

	/**
	 * The theme's look on everything: what wears a role (ThemedBehavior) takes
	 * it from the distributed look; the gauges and lamps, whose skins follow
	 * their state, are dressed here.
	 */
	private applyTheme(): void {
		const look = this.look = this.looks[this.model.theme.theme];
		this.application.skin = look.background;
		this.application.distribute("onThemeChanged", look);
		this.speedo.theme(look);
		this.tacho.theme(look);
		this.fuel.theme(look);
		this.coolant.theme(look);
		this.speedLabel.style = this.model.speedometer.needle.missing ? look.missingStyle : look.speedStyle;
		for (let i = 0; i < TELLTALE_COUNT; i++) {
			const lamp = this.lamps[i];
			if (i === Telltale.turnLeft || i === Telltale.turnRight)
				lamp.skin = look.arrowSkin;
			else
				lamp.skin = look.lampSkins[TELLTALE_COLORS[i]];
			lamp.state = this.model.telltales.shown[i];
		}
		// A new skin on a container does not invalidate what it covers: hide and show the page to redraw it whole.
		const page = this.screen.menu.isOpen ? this.menuPanel : this.pages[this.current];
		page.visible = false;
		page.visible = true;
	}
}
