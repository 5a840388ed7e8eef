/*
 * The cluster page's layout per screen size (modules/ui/cluster-layout.ts),
 * on Node: every part on the screen, nothing overlapping what it must not,
 * the same margin at every edge, the needle clear of the speed digits at
 * every position of its sweep, and the 320 x 240 and 240 x 320 designs.
 * And on XS (xsnap, describeOnXs), which computes it on the device: the same numbers.
 */
import { describe, expect, test } from "vitest";
import { fontFor } from "../modules/ui/fonts.js";
import {
	type Box, type Circle, type ClusterLayout, DESIGN_RADIUS, ROW_LAMP_COUNT, clusterLayout, dialAngle, hubRadius, needlePolygon, pageDesign,
} from "../modules/ui/cluster-layout.js";
import { Geometry } from "../modules/ui/geometry.js";
import { describeOnXs } from "./support/xs-suite.js";

const SIZES: readonly [number, number][] = [[320, 240], [480, 320], [240, 320], [800, 480]];

const right = (b: Box) => b.left + b.width, bottom = (b: Box) => b.top + b.height;
const overlaps = (a: Box, b: Box) => a.left < right(b) && b.left < right(a) && a.top < bottom(b) && b.top < bottom(a);
const dialBox = (c: Circle): Box => ({ left: c.cx - c.r, top: c.cy - c.r, width: 2 * c.r, height: 2 * c.r });
/** A box inside a dial, in screen coordinates. */
const inDial = (c: Circle, b: Box): Box => ({ left: c.cx - c.r + b.left, top: c.cy - c.r + b.top, width: b.width, height: b.height });

/** The parts outside the dials, by name. */
function parts(L: ClusterLayout): [string, Box][] {
	return [
		["arrowLeft", L.arrowLeft], ["arrowRight", L.arrowRight], ...L.lamps.map((b, i) => [`lamp${i}`, b] as [string, Box]),
		["ambient", L.ambient], ["fuelLamp", L.fuelLamp], ["fuel", L.fuel], ["coolantLamp", L.coolantLamp], ["coolant", L.coolant],
		["odometer", L.odometer], ["trip", L.trip],
	];
}

describe("cluster layout", () => {
	test("320x240-is-the-design", () => {
		const L = clusterLayout(320, 240);
		expect(L.speedo).toEqual({ cx: 82, cy: 124, r: 76 });
		expect(L.tacho).toEqual({ cx: 238, cy: 124, r: 76 });
		expect(L.lamps[0]).toEqual({ left: 44, top: 3, width: 28, height: 23 });
		expect(L.ambient).toEqual({ left: 256, top: 30, width: 58, height: 20 });
		expect(L.fuel).toMatchObject({ left: 38, top: 218, width: 68, barHeight: 8 });
		expect(L.coolant).toMatchObject({ left: 214, top: 218, width: 68 });
		expect(L.odometer).toEqual({ left: 110, top: 202, width: 100, height: 18 });
		expect(L.popup).toEqual({ left: 20, top: 200, width: 280, height: 38 });
		expect(L.speedDigits).toEqual({ left: 36, top: 98, width: 80, height: 38 });
		expect(L.textScale).toBe(1);
	});

	test("portrait-240x320-is-the-portrait-design", () => {
		const L = clusterLayout(240, 320);
		expect(L.portrait).toBe(true);
		expect(L.speedo).toEqual({ cx: 120, cy: 122, r: 86 });
		expect(L.tacho).toEqual({ cx: 62, cy: 262, r: 54 });
		expect(L.rpmUnitShort).toBe(true);
	});

	for (const [width, height] of SIZES) {
		const L = clusterLayout(width, height);
		const name = `${width}x${height}`;

		test(`${name}-everything-on-the-screen`, () => {
			for (const [part, b] of [...parts(L), ["speedo", dialBox(L.speedo)], ["tacho", dialBox(L.tacho)], ["popup", L.popup], ["shift", L.shift]] as [string, Box][]) {
				expect(b.left, part).toBeGreaterThanOrEqual(0);
				expect(b.top, part).toBeGreaterThanOrEqual(0);
				expect(right(b), part).toBeLessThanOrEqual(width);
				expect(bottom(b), part).toBeLessThanOrEqual(height);
			}
			expect(L.lamps.length).toBe(ROW_LAMP_COUNT);
		});

		test(`${name}-no-part-overlaps-another-or-a-dial`, () => {
			const all = parts(L);
			for (let i = 0; i < all.length; i++)
				for (let j = i + 1; j < all.length; j++)
					expect(overlaps(all[i][1], all[j][1]), `${all[i][0]} and ${all[j][0]}`).toBe(false);
			expect(overlaps(dialBox(L.speedo), dialBox(L.tacho)), "the dials").toBe(false);
			for (const [part, b] of all) {
				// A dial's square box has empty corners: a part may sit there (the ambient over the tachometer's
				// shoulder), never inside the circle.
				for (const c of [L.speedo, L.tacho]) {
					const nx = Math.max(b.left, Math.min(c.cx, right(b))), ny = Math.max(b.top, Math.min(c.cy, bottom(b)));
					expect(Math.hypot(nx - c.cx, ny - c.cy), `${part} inside a dial`).toBeGreaterThanOrEqual(c.r - 1);
				}
			}
		});

		test(`${name}-the-readouts-stay-apart-and-clear-of-every-other-part`, () => {
			// Each readout's ink: 0.72 of its font's size high, in the middle of its box.
			const sizeOf = (font: string) => Number(/(\d+)px/.exec(font)![1]);
			const ink = (b: Box, font: string) => ({ ...b, top: b.top + (b.height - 0.72 * sizeOf(font)) / 2, height: 0.72 * sizeOf(font) });
			const unit = fontFor("regular", 16, L.textScale);
			for (const [c, a, b] of [
				[L.speedo, ink(L.speedDigits, fontFor("light", 42, L.textScale, "digits")), ink(L.speedUnit, unit)],
				[L.tacho, ink(L.gear, fontFor("semibold", 28, L.textScale)), ink(L.rpmUnit, unit)],
			] as [Circle, Box, Box][]) {
				expect(bottom(a), "the value's ink above its unit's").toBeLessThan(b.top);
				for (const box of [inDial(c, a), inDial(c, b)]) {
					expect(bottom(box)).toBeLessThanOrEqual(height);
					for (const [part, other] of parts(L))
						expect(overlaps(box, other), `a readout and ${part}`).toBe(false);
				}
			}
		});

		test(`${name}-the-pop-up-never-hides-the-speed-or-the-lamps`, () => {
			const sizeOf = (font: string) => Number(/(\d+)px/.exec(font)![1]);
			const ink = (b: Box, font: string) => ({ ...b, top: b.top + (b.height - 0.72 * sizeOf(font)) / 2, height: 0.72 * sizeOf(font) });
			expect(overlaps(L.popup, inDial(L.speedo, ink(L.speedDigits, fontFor("light", 42, L.textScale, "digits")))), "the speed").toBe(false);
			for (const [part, b] of parts(L).filter(([part]) => part.startsWith("lamp") || part.startsWith("arrow")))
				expect(overlaps(L.popup, b), part).toBe(false);
			if (!L.portrait)
				expect(overlaps(L.popup, inDial(L.speedo, ink(L.speedUnit, fontFor("regular", 16, L.textScale)))), "the speed's unit").toBe(false);
		});

		test(`${name}-the-same-margin-at-every-edge`, () => {
			const m = L.arrowLeft.left;
			expect(width - right(L.arrowRight)).toBe(m);
			expect(width - right(L.ambient)).toBe(m);
			if (!L.portrait) {
				expect(L.fuelLamp.left).toBe(m);
				expect(width - right(L.coolantLamp)).toBe(m);
				expect(L.speedo.cx - L.speedo.r).toBe(m);
				expect(width - (L.tacho.cx + L.tacho.r)).toBe(m);
				// Symmetric about the middle.
				expect(L.fuel.left).toBe(width - right(L.coolant));
				expect(Math.abs(L.odometer.left + L.odometer.width / 2 - width / 2)).toBeLessThanOrEqual(1);
			}
		});

		test(`${name}-the-needle-never-touches-the-speed-digits`, () => {
			// The digits' ink: as many digits of the light font as the speed has (each about 0.57 of the font's size wide),
			// 0.72 of its size high, centred in the box; the font is the design's 42 px scaled. The needle is smoothed and
			// may lag the digits: the speed written is taken as up to 5 km/h above the needle's (on the 240 km/h scale).
			const c = L.speedo, box = inDial(c, L.speedDigits), size = Number(/(\d+)px/.exec(fontFor("light", 42, L.textScale, "digits"))![1]);
			const polygon = needlePolygon(c.r), steps = 480;
			for (let position = 0; position <= steps; position++) {
				const digits = String(Math.floor(position / steps * 240 + 5)).length;
				const inkW = digits * 0.57 * size, inkH = 0.72 * size, mx = box.left + box.width / 2, my = box.top + box.height / 2;
				const ink = { left: mx - inkW / 2, top: my - inkH / 2, right: mx + inkW / 2, bottom: my + inkH / 2 };
				const a = dialAngle(position, steps) * Math.PI / 180, cos = Math.cos(a), sin = Math.sin(a);
				for (let i = 0; i < polygon.length; i += 2) {
					// Every corner and points along each edge of the needle, rotated to the position.
					const [x0, y0, x1, y1] = [polygon[i], polygon[i + 1], polygon[(i + 2) % polygon.length], polygon[(i + 3) % polygon.length]];
					for (let t = 0; t <= 1; t += 0.05) {
						const px = x0 + (x1 - x0) * t, py = y0 + (y1 - y0) * t;
						const x = c.cx + px * cos - py * sin, y = c.cy + px * sin + py * cos;
						const inside = x > ink.left - 1 && x < ink.right + 1 && y > ink.top - 1 && y < ink.bottom + 1;
						expect(inside, `needle at ${position} touches the digits at ${x.toFixed(1)},${y.toFixed(1)}`).toBe(false);
					}
				}
			}
			// The digits start below the hub.
			expect(box.top).toBeGreaterThan(c.cy + hubRadius(c.r));
		});
	}

	test("480x320-uses-the-width-it-has", () => {
		const L = clusterLayout(480, 320);
		expect(L.speedo.r).toBe(Math.round(DESIGN_RADIUS * 4 / 3));
		// The 320 x 240 design scaled alone would leave 26 px at each side.
		expect(L.arrowLeft.left).toBe(8);
		expect(L.fuel.width).toBeGreaterThan(Math.round(68 * 4 / 3));
	});
});

describe("page design", () => {
	test("320x240-and-240x320-are-the-designs", () => {
		expect(pageDesign(320, 240)).toEqual({ width: 320, height: 240, unit: 1 });
		expect(pageDesign(240, 320)).toEqual({ width: 240, height: 320, unit: 1 });
	});

	test("480x320-is-360x240-at-the-clusters-unit", () => {
		const d = pageDesign(480, 320);
		expect(d).toEqual({ width: 360, height: 240, unit: clusterLayout(480, 320).unit });
		// The 320 x 240 design scaled alone left 26 px at each side; the widened one none.
		const g = new Geometry(480, 320, d.width, d.height);
		expect(g.x(0)).toBe(0);
		expect(g.x(d.width)).toBe(480);
	});

	for (const [width, height] of SIZES) {
		test(`${width}x${height}-the-pages-keep-the-same-margin-at-each-edge`, () => {
			const d = pageDesign(width, height), g = new Geometry(width, height, d.width, d.height), L = clusterLayout(width, height);
			expect(g.scale).toBeCloseTo(L.unit, 9);
			expect(g.x(0)).toBeGreaterThanOrEqual(0);
			expect(g.x(d.width)).toBeLessThanOrEqual(width);
			expect(g.y(0)).toBeGreaterThanOrEqual(0);
			expect(g.y(d.height)).toBeLessThanOrEqual(height);
			// The pages' margins in the design (title and buttons 10, row names 12, values 6; 8 in portrait): the
			// same at the left and the right, to a pixel of rounding; on a landscape screen the cluster's own
			// margin (6 design px) is where the cluster puts it.
			for (const m of [6, 8, 10, 12])
				expect(Math.abs(g.x(m) - (width - g.x(d.width - m))), `margin ${m}`).toBeLessThanOrEqual(1);
			if (!L.portrait)
				expect(g.x(6)).toBe(L.arrowLeft.left);
		});
	}
});

/** Every number of the layouts at SIZES, in a fixed order (JavaScript both engines run). */
const FLATTEN = `
function flatten(clusterLayout, pageDesign, sizes) {
	const out = [];
	const walk = value => {
		if (typeof value === "number") out.push(value);
		else if (typeof value === "boolean") out.push(value ? 1 : 0);
		else if (Array.isArray(value)) value.forEach(walk);
		else for (const key of Object.keys(value).sort()) walk(value[key]);
	};
	for (const [width, height] of sizes) walk(clusterLayout(width, height));
	for (const [width, height] of sizes) walk(pageDesign(width, height));
	return out;
}
`;

describeOnXs("cluster layout", ["modules/ui/cluster-layout.ts"], `
import { clusterLayout, pageDesign } from "./modules/ui/cluster-layout.js";
${FLATTEN}
globalThis.runLayouts = sizes => new Float64Array(flatten(clusterLayout, pageDesign, sizes)).buffer;
`, ({ run }) => {
	test("xs-lays-the-cluster-out-as-v8-does", async () => {
		const node = new Function("clusterLayout", "pageDesign", "sizes", `${FLATTEN}; return flatten(clusterLayout, pageDesign, sizes);`)(clusterLayout, pageDesign, SIZES) as number[];
		expect(node.length).toBeGreaterThan(100);
		expect((await run(`runLayouts(${JSON.stringify(SIZES)})`)).values).toEqual(node);
	});
});
