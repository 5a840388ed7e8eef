/*
 * A round gauge as a Piu template, a reusable content: ticks, numbers,
 * coloured bands (a caution band and a red zone), readouts in the open lower
 * part of the dial, needle and hub. Its behaviour reads the cluster model
 * when the page hands it `onModelChanged` (ClusterModel `Change` bits):
 * SpeedometerBehavior the speedometer (its scale follows the units), and
 * TachometerBehavior the tachometer (amber for the last 1,000 rpm before
 * the redline, red from it) and the gear.
 *
 * The needle is a commodetto outline: a move allocates one rotated outline
 * and shrinks the needle's content to its bounds, so only the strip the
 * needle sweeps is redrawn, not the whole dial: what an SPI display pays for.
 * Device only (Piu). Allocates the contents when a dial is built, strings of
 * changed values, and the numbers again when the units change.
 */
import {} from "piu/MC";
import {} from "piu/shape";
import { Outline } from "commodetto/outline";
import { Change, type ClusterModel } from "cluster/cluster";
import { type Box, type Circle, type ClusterLayout, DESIGN_RADIUS, DIAL_START, DIAL_SWEEP, dialAngle, hubRadius, needlePolygon } from "./cluster-layout.js";
import type { Look } from "./look.js";
import type { Container, Content, Label, Shape } from "./piu-types.js";
import { type Role, ThemedBehavior } from "./themed.js";

const RADIANS = Math.PI / 180;

/** What a dial is built from. */
export interface DialData {
	readonly model: ClusterModel;
	readonly layout: ClusterLayout;
	readonly look: Look;
	readonly circle: Circle;
	/** Its behaviour: which gauge of the model it reads. */
	readonly Behavior: typeof DialBehavior;
}

/** A content of the dial the theme dresses, named for the behaviour to find. */
function shape(role: Role, name: string, look: Look, coordinates: Box): Shape {
	return new Shape(role, { ...coordinates, name, skin: role.skin ? look[role.skin] : undefined, Behavior: ThemedBehavior });
}

/** A readout label inside the dial. */
function readout(role: Role, name: string, look: Look, at: Box, string: string): Label {
	return new Label(role, { ...at, name, style: role.style ? look[role.style] : undefined, string, Behavior: ThemedBehavior });
}

/**
 * A dial: bands under the ticks, the numbers under the bands (added by the
 * behaviour for the scale), the readouts, then needle and hub on top.
 */
export const Dial = Container.template(($: DialData) => {
	const { cx, cy, r } = $.circle, size = 2 * r, look = $.look, L = $.layout;
	const whole = { left: 0, top: 0, width: size, height: size };
	const hub = hubRadius(r);
	const hubShape = shape({ skin: "hubSkin" }, "hub", look, { left: r - hub, top: r - hub, width: hub * 2, height: hub * 2 });
	const hubPath = new Outline.CanvasPath();
	hubPath.arc(hub, hub, hub - 0.5, 0, 2 * Math.PI);
	hubShape.fillOutline = Outline.fill(hubPath);
	const readouts = $.Behavior === TachometerBehavior
		? [
			readout({ style: "gearStyle" }, "gear", look, L.gear, "--"),
			// A small tachometer (portrait) says "x1000" under the gear, its numbers being thousands already.
			readout({ style: "unitStyle" }, "unit", look, L.rpmUnit, L.rpmUnitShort ? "x1000" : "x1000 rpm"),
		]
		: [
			// The digits' style follows the speed's state (SpeedometerBehavior), not a role.
			new Label(null, { ...L.speedDigits, name: "digits", style: look.speedStyle, string: "--" }),
			readout({ style: "unitStyle" }, "unit", look, L.speedUnit, $.model.units.speedLabel),
		];
	return {
		left: cx - r, top: cy - r, width: size, height: size, Behavior: $.Behavior,
		contents: [
			shape({ skin: "cautionSkin" }, "caution", look, whole),
			shape({ skin: "redlineSkin" }, "redline", look, whole),
			shape({ skin: "tickSkin" }, "ticks", look, whole),
			...readouts,
			shape({ skin: "needleSkin" }, "needle", look, whole),
			hubShape,
		],
	};
});

/** What every dial's behaviour does: its scale, its bands, its needle. */
export class DialBehavior extends ThemedBehavior {
	protected data: DialData | null = null;
	/** The theme's look: the numbers' style when the scale is drawn again, the digits' by state. */
	protected look: Look | null = null;
	protected needle: Shape | null = null;
	private needleBase: Outline | null = null;
	private readonly numbers: Label[] = [];
	private steps = 1;

	override onCreate(dial: Container, data: DialData): void {
		super.onCreate(dial, null);
		this.data = data;
		this.look = data.look;
		this.needle = dial.content("needle") as Shape;
		this.needleBase = Outline.fill(Outline.PolygonPath(...needlePolygon(data.circle.r)));
	}

	override onThemeChanged(_dial: Content, look: Look): void {
		this.look = look;
	}

	/** The model changed (`changed`: Change bits): subclasses read their gauge. */
	onModelChanged(_dial: Container, _changed: number): void {
	}

	/** Draws ticks every `minor` and `major` units up to `max`, numbers every `labelStep` divided by `labelDivisor`; `steps` needle positions. */
	protected scale(dial: Container, steps: number, max: number, minor: number, major: number, labelStep: number, labelDivisor: number): void {
		const r = this.data!.circle.r, k = r / DESIGN_RADIUS, look = this.look!;
		this.steps = steps;
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
		const ticks = dial.content("ticks") as Shape;
		ticks.fillOutline = Outline.stroke(minorPath, 1.5 * k, Outline.LINECAP_BUTT);
		ticks.strokeOutline = Outline.stroke(majorPath, 3 * k, Outline.LINECAP_BUTT);
		for (const label of this.numbers)
			dial.remove(label);
		this.numbers.length = 0;
		// The numbers go under the bands (first in the dial), each dressed by the theme.
		const lr = r - 21 * k, w = Math.round(30 * k), h = Math.round(18 * k), first = dial.content("caution")!;
		for (let v = 0; v <= max + 1e-9; v += labelStep) {
			const a = (DIAL_START + v / max * DIAL_SWEEP) * RADIANS;
			const label = new Label({ style: "dialNumberStyle" }, {
				left: Math.round(r + Math.cos(a) * lr - w / 2), top: Math.round(r + Math.sin(a) * lr - h / 2), width: w, height: h,
				style: look.dialNumberStyle, string: String(Math.round(v / labelDivisor)), Behavior: ThemedBehavior,
			});
			this.numbers.push(label);
			dial.insert(label, first);
		}
	}

	/** Paints the caution band from `caution` to `red` and the red zone from `red` to `max`, inside the ticks. */
	protected zone(dial: Container, caution: number, red: number, max: number): void {
		this.band(dial.content("caution") as Shape, caution, red, max);
		this.band(dial.content("redline") as Shape, red, max, max);
	}

	private band(shape: Shape, from: number, to: number, max: number): void {
		const r = this.data!.circle.r, path = new Outline.CanvasPath();
		if (!(to > from))
			return;
		path.arc(r, r, r - 4 * r / DESIGN_RADIUS, (DIAL_START + from / max * DIAL_SWEEP) * RADIANS, (DIAL_START + to / max * DIAL_SWEEP) * RADIANS);
		shape.fillOutline = Outline.stroke(path, 6 * r / DESIGN_RADIUS, Outline.LINECAP_BUTT);
	}

	/**
	 * Points the needle at quantised `position` of the sweep, once the dial
	 * is on the screen. The needle's content shrinks to the rotated outline's
	 * bounds. Allocates one outline.
	 */
	protected point(dial: Container, position: number): void {
		const x = dial.x;
		if (x === undefined)
			return;
		// Outline.rotate turns +x toward -y: a screen angle (clockwise) is a negative rotation.
		const outline = this.needleBase!.clone().rotate(-dialAngle(position, this.steps) * RADIANS);
		const bounds = outline.bounds, needle = this.needle!, r = this.data!.circle.r;
		const left = Math.floor(bounds.x) - 1, top = Math.floor(bounds.y) - 1;
		needle.width = Math.ceil(bounds.x + bounds.width) + 1 - left;
		needle.height = Math.ceil(bounds.y + bounds.height) + 1 - top;
		needle.x = x + r + left;
		needle.y = dial.y + r + top;
		needle.fillOutline = outline.translate(-left, -top);
	}
}

/** The speedometer: needle, digits (`--` when the speed is missing) and its unit; the scale follows the units. */
export class SpeedometerBehavior extends DialBehavior {
	override onCreate(dial: Container, data: DialData): void {
		super.onCreate(dial, data);
		this.rescale(dial);
	}

	override onModelChanged(dial: Container, changed: number): void {
		const model = this.data!.model, speedometer = model.speedometer;
		if (changed & Change.units) {
			this.rescale(dial);
			(dial.content("unit") as Label).string = model.units.speedLabel;
		}
		if (changed & (Change.speedNeedle | Change.units))
			this.point(dial, speedometer.needle.position);
		if (changed & Change.speedMissing) {
			const state = speedometer.needle.missing ? 1 : 0;
			this.needle!.state = state;
			const digits = dial.content("digits") as Label;
			// The light digits font has no dash: a missing speed is written in the semibold one.
			digits.style = state ? this.look!.missingStyle : this.look!.speedStyle;
			digits.state = state;
			dial.content("unit")!.state = state;
		}
		if (changed & Change.speedDigits)
			(dial.content("digits") as Label).string = speedometer.digits < 0 ? "--" : String(speedometer.digits);
	}

	override onThemeChanged(dial: Content, look: Look): void {
		super.onThemeChanged(dial, look);
		const digits = (dial as Container).content("digits") as Label;
		digits.style = this.data!.model.speedometer.needle.missing ? look.missingStyle : look.speedStyle;
	}

	private rescale(dial: Container): void {
		const model = this.data!.model, units = model.units, step = units.speedScaleStep;
		this.scale(dial, model.speedometer.needle.steps, units.speedScaleMax, step / 4, step / 2, step, 1);
		this.point(dial, model.speedometer.needle.position);
	}
}

/** The tachometer: needle, gear, and the bands before and from the redline. */
export class TachometerBehavior extends DialBehavior {
	override onCreate(dial: Container, data: DialData): void {
		super.onCreate(dial, data);
		const model = data.model;
		this.scale(dial, model.tachometer.steps, model.rpmMax, 500, 1000, 1000, 1000);
		// Amber for the last 1000 rpm before the redline, red from it.
		this.zone(dial, Math.max(0, model.redline - 1000), model.redline, model.rpmMax);
	}

	override onModelChanged(dial: Container, changed: number): void {
		const model = this.data!.model;
		if (changed & Change.rpmNeedle)
			this.point(dial, model.tachometer.position);
		if (changed & Change.rpmMissing) {
			const state = model.tachometer.missing ? 1 : 0;
			this.needle!.state = state;
			dial.content("unit")!.state = state;
		}
		if (changed & Change.gear)
			(dial.content("gear") as Label).string = model.gear;
	}
}
