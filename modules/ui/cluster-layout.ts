/*
 * Where the cluster page's parts go on a screen of a given size, in screen
 * pixels: the dials, the telltale row and turn arrows, the ambient
 * temperature, the fuel and coolant gauges, odometer and trip, the shift
 * light and the alert pop-up, and the readouts inside each dial.
 *
 * A landscape screen keeps the 320 x 240 design's heights (scaled by the
 * screen's height, or its width on a screen narrower than 4:3) and spends a
 * wider screen's width on the layout itself: what sits at an edge keeps the
 * same margin from it, the dials stay at the sides, the bars grow towards the
 * odometer in the middle. At 320 x 240 it is the design itself. A portrait
 * screen gets the portrait design (240 x 320), scaled and centred.
 *
 * The text pages (pages.ts) take their design from here too (pageDesign):
 * the same unit and, on a wider landscape screen, the design widened to the
 * screen, so their margins follow the cluster's rule.
 *
 * The needle's outline is defined here too, so that the tests can check that
 * it never reaches the speed digits at any position of the sweep.
 *
 * Plain TypeScript (no Piu): tested on Node. Runs on XS (the view, once at
 * start). Allocates the layout's objects.
 */

/** A box in screen pixels: left, top, width, height. */
export interface Box {
	readonly left: number;
	readonly top: number;
	readonly width: number;
	readonly height: number;
}

/** A dial: its centre and radius in screen pixels. */
export interface Circle {
	readonly cx: number;
	readonly cy: number;
	readonly r: number;
}

/** A bar gauge: left and width the whole gauge's, the scale's ends included; top and height its track's (barHeight too); each end's width. */
export interface BarPlace extends Box {
	readonly barHeight: number;
	readonly endWidth: number;
}

export interface ClusterLayout {
	readonly width: number;
	readonly height: number;
	readonly portrait: boolean;
	/** How much larger than the 320 x 240 design the text is (the looks' scale, fonts.ts). */
	readonly textScale: number;
	/** A design pixel in screen pixels (the layout's scale). */
	readonly unit: number;
	readonly speedo: Circle;
	readonly tacho: Circle;
	readonly arrowLeft: Box;
	readonly arrowRight: Box;
	/** The telltale row, left to right (ROW_LAMPS order in the page). */
	readonly lamps: readonly Box[];
	readonly ambient: Box;
	readonly fuelLamp: Box;
	readonly fuel: BarPlace;
	readonly coolantLamp: Box;
	readonly coolant: BarPlace;
	readonly odometer: Box;
	readonly trip: Box;
	readonly shift: Box;
	readonly popup: Box;
	/** Readouts relative to their dial's box (its top left corner is the circle's bounding box's). */
	readonly speedDigits: Box;
	readonly speedUnit: Box;
	readonly gear: Box;
	readonly rpmUnit: Box;
	/** The tachometer's unit says "x1000" alone on a small dial, "x1000 rpm" otherwise. */
	readonly rpmUnitShort: boolean;
}

/** The telltales in the row across the top. */
export const ROW_LAMP_COUNT = 7;

/** Dial sweep in screen degrees (0 is 3 o'clock, clockwise): from lower left, over the top, to lower right. */
export const DIAL_START = 150;
export const DIAL_SWEEP = 240;

/** The design's dial radius: ticks, numbers, needle and hub are drawn for it and scale with a dial's radius. */
export const DESIGN_RADIUS = 76;

/**
 * The needle of a dial of radius `r`, pointing along +x from the hub's
 * centre: a tapered quadrilateral [x0, y0, x1, y1, ...] from its short tail
 * (hidden under the hub) to its tip just inside the ticks.
 */
export function needlePolygon(r: number): number[] {
	const k = r / DESIGN_RADIUS, tip = r - 7 * k, tail = -5 * k;
	return [tail, -3.2 * k, tip, -1.1 * k, tip, 1.1 * k, tail, 3.2 * k];
}

/** The hub's radius on a dial of radius `r`. */
export function hubRadius(r: number): number {
	return Math.round(6 * r / DESIGN_RADIUS);
}

/** The screen angle, in degrees, of `position` of `steps` along the sweep. */
export function dialAngle(position: number, steps: number): number {
	return DIAL_START + position / steps * DIAL_SWEEP;
}

function box(left: number, top: number, width: number, height: number): Box {
	return { left, top, width, height };
}

/** The readouts of dials of radius `sr` (speedometer) and `tr` (tachometer); `s` scales design lengths. */
function readouts(sr: number, tr: number, s: (n: number) => number) {
	const sk = (n: number) => Math.round(n * sr / DESIGN_RADIUS), tk = (n: number) => Math.round(n * tr / DESIGN_RADIUS);
	// A small tachometer (the portrait one) keeps its gear and unit high: it has no speed to line up with.
	const small = tr < s(70);
	return {
		// Below the hub, the needle sweeps a wedge 30 degrees under the horizontal at either end: the digits sit deep
		// enough in it that the needle clears three digits at the top of the scale and two at its bottom (the tests
		// check every position), and the needle's tail hides under the hub.
		speedDigits: box(sr - sk(40), sr + sk(22), sk(80), sk(38)),
		speedUnit: box(sr - sk(40), sr + sk(22) + sk(38) - 1, sk(80), s(18)),
		// The gear's middle level with the speed's.
		gear: box(tr - s(30), tr + (small ? tk(9) : tk(24)), s(60), s(34)),
		rpmUnit: box(tr - s(45), tr + (small ? tk(44) : tk(22) + tk(38) - 1), s(90), s(18)),
		rpmUnitShort: small,
	};
}

/**
 * The landscape layout: the 320 x 240 design's heights scaled by `s`
 * (centred vertically when the screen is narrower than 4:3), its widths
 * spread over the screen: edges keep their margins, the dials their size.
 */
function landscape(width: number, height: number): ClusterLayout {
	const scale = Math.min(width / 320, height / 240);
	const s = (n: number) => Math.round(n * scale);
	const top = Math.round((height - 240 * scale) / 2);
	const y = (n: number) => top + s(n);
	/** From the left edge, the right edge, the middle. */
	const L = (n: number) => s(n), R = (n: number) => width - s(n), C = (n: number) => Math.round(width / 2 + n * scale);
	const r = s(DESIGN_RADIUS);
	const speedo = { cx: L(6) + r, cy: y(124), r }, tacho = { cx: R(6) - r, cy: y(124), r };
	const lampW = s(28), lampH = s(23), gap = s(6);
	const lamps: Box[] = [];
	let x = Math.round(width / 2 - (lampW * ROW_LAMP_COUNT + gap * (ROW_LAMP_COUNT - 1)) / 2);
	for (let i = 0; i < ROW_LAMP_COUNT; i++, x += lampW + gap)
		lamps.push(box(x, y(3), lampW, lampH));
	const bar = (left: number, right: number): BarPlace => ({ ...box(left, y(218), right - left, s(8)), barHeight: s(8), endWidth: s(12) });
	return {
		width, height, portrait: false, textScale: scale, unit: scale, speedo, tacho,
		arrowLeft: box(L(6), y(5), s(26), s(20)),
		arrowRight: box(R(6) - s(26), y(5), s(26), s(20)),
		lamps,
		ambient: box(R(6) - s(58), y(30), s(58), s(20)),
		// Fuel at the left edge, coolant at the right, each bar reaching to 4 px short of the odometer's box.
		fuelLamp: box(L(6), y(210), s(28), s(23)),
		fuel: bar(L(38), C(-54)),
		coolantLamp: box(R(6) - s(28), y(210), s(28), s(23)),
		coolant: bar(C(54), R(38)),
		odometer: box(C(-50), y(202), s(100), s(18)),
		trip: box(C(-50), y(220), s(100), s(18)),
		// The shift light above the tachometer.
		shift: box(tacho.cx - s(18), y(33), s(36), s(6)),
		// Over the bottom strip, never over the speed, its unit or the lamps.
		popup: box(L(20), y(200), width - 2 * L(20), s(38)),
		...readouts(r, r, s),
	};
}

/**
 * The portrait layout, designed at 240 x 320 and scaled and centred: the
 * speedometer large in the middle, the tachometer with the gear below it on
 * the left, odometer, trip, fuel and coolant beside it; the alert pop-up
 * along the bottom edge.
 */
function portrait(width: number, height: number): ClusterLayout {
	const scale = Math.min(width / 240, height / 320);
	const s = (n: number) => Math.round(n * scale);
	const x0 = (width - 240 * scale) / 2, y0 = (height - 320 * scale) / 2;
	const x = (n: number) => Math.round(x0 + n * scale), y = (n: number) => Math.round(y0 + n * scale);
	const b = (left: number, top: number, w: number, h: number) => box(x(left), y(top), s(w), s(h));
	const sr = s(86), tr = s(54);
	const lampW = s(22), lampH = s(18), gap = s(4);
	const lamps: Box[] = [];
	let lx = x(120) - (lampW * ROW_LAMP_COUNT + gap * (ROW_LAMP_COUNT - 1)) / 2;
	for (let i = 0; i < ROW_LAMP_COUNT; i++, lx += lampW + gap)
		lamps.push(box(lx, y(3), lampW, lampH));
	const bar = (left: number, top: number): BarPlace => ({ ...b(left, top, 84, 8), barHeight: s(8), endWidth: s(12) });
	return {
		width, height, portrait: true, textScale: scale, unit: scale,
		speedo: { cx: x(120), cy: y(122), r: sr },
		tacho: { cx: x(62), cy: y(262), r: tr },
		arrowLeft: b(4, 4, 22, 17),
		arrowRight: box(x(236) - s(22), y(4), s(22), s(17)),
		lamps,
		ambient: b(170, 26, 66, 18),
		fuelLamp: b(124, 262, 22, 18),
		fuel: bar(150, 269),
		coolantLamp: b(124, 290, 22, 18),
		coolant: bar(150, 297),
		odometer: b(120, 214, 116, 18),
		trip: b(120, 234, 116, 18),
		shift: box(x(62) - s(18), y(200), s(36), s(6)),
		popup: b(4, 270, 232, 46),
		...readouts(sr, tr, s),
	};
}

/**
 * The design the text pages (trip, diagnostics, driver menu) are laid out
 * on for a screen `width` x `height`, by the cluster page's rule: a
 * landscape screen keeps the 320 x 240 design's heights at the cluster's
 * unit and widens the design to the screen's width (360 x 240 at 480 x 320),
 * so that what the pages place from an edge keeps its margin there, scaled as
 * the cluster's are; a screen narrower than 4:3 keeps 320 x 240, centred
 * vertically; a portrait screen the 240 x 320 design, scaled and centred.
 */
export interface PageDesign {
	readonly width: number;
	readonly height: number;
	/** A design pixel in screen pixels: the cluster layout's unit. */
	readonly unit: number;
}

export function pageDesign(width: number, height: number): PageDesign {
	if (height > width)
		return { width: 240, height: 320, unit: Math.min(width / 240, height / 320) };
	const unit = Math.min(width / 320, height / 240);
	return { width: Math.max(320, Math.round(width / unit)), height: 240, unit };
}

/** The cluster page's layout for a screen `width` x `height` (after the host's rotation). */
export function clusterLayout(width: number, height: number): ClusterLayout {
	return height > width ? portrait(width, height) : landscape(width, height);
}
