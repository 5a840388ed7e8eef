import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { FONT_LADDER, fontFor } from "../modules/ui/fonts.js";

describe("fonts for the screen size", () => {
	test("the-320x240-design-gets-its-own-sizes", () => {
		expect(fontFor("light", 42, 1, "digits")).toBe("light 42px Open Sans");
		expect(fontFor("semibold", 28, 1)).toBe("semibold 28px Open Sans");
		expect(fontFor("regular", 16, 1)).toBe("16px Open Sans");
		expect(fontFor("semibold", 20, 1)).toBe("semibold 20px Open Sans");
	});

	test("480x320-scales-text-up-by-a-third-without-overflowing", () => {
		const scale = Math.min(480 / 320, 320 / 240);
		expect(fontFor("light", 42, scale, "digits")).toBe("52px Open Sans");
		expect(fontFor("regular", 16, scale)).toBe("20px Open Sans");
		expect(fontFor("semibold", 16, scale)).toBe("semibold 20px Open Sans");
		expect(fontFor("semibold", 20, scale)).toBe("semibold 28px Open Sans");
		// No semibold between 28 and 52 writes letters and dashes: 28 it stays.
		expect(fontFor("semibold", 28, scale)).toBe("semibold 28px Open Sans");
	});

	test("text-that-needs-a-dash-never-gets-a-digits-only-font", () => {
		for (const scale of [0.5, 0.75, 1, 1.33, 1.5, 2, 2.25, 3]) {
			for (const size of [16, 20, 28, 42]) {
				const name = fontFor("light", size, scale);
				const font = FONT_LADDER.find(f => name === `${f.weight === "regular" ? "" : f.weight + " "}${f.size}px Open Sans`);
				expect(font?.glyphs, `${size}px at ${scale}`).toBe("text");
			}
		}
		expect(fontFor("light", 42, 2.25, "digits")).toBe("72px Open Sans");
	});

	test("small-screens-get-the-smallest-built-font-not-nothing", () => {
		expect(fontFor("regular", 16, 0.5)).toBe("16px Open Sans");
		expect(fontFor("light", 42, 0.75, "digits")).toBe("light 36px Open Sans");
	});

	test("the-manifest-builds-every-font-the-ladder-names", () => {
		const manifest = JSON.parse(readFileSync(new URL("../manifest.json", import.meta.url), "utf8"));
		const built = (manifest.resources["*-mask"] as string[]).map(path => path.split("/").pop());
		const named = FONT_LADDER.map(f => `OpenSans-${f.weight[0].toUpperCase()}${f.weight.slice(1)}-${f.size}`);
		expect([...built].sort()).toEqual([...named].sort());
	});
});
