/*
 * `xs-cluster plot`: signals of the demo drive drawn into SVG, one panel per
 * signal with every sample accounted for and every point inside its panel,
 * value-table names on the axis, a long log drawn with a bounded number of
 * points, usage mistakes, and a real log. Node (vitest).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../tools/cli.js";
import { ticks } from "../tools/plot.js";
import { describeSharedData, repoRoot, sharedData } from "./shared-data.js";

const demoDbc = join(repoRoot, "hosts/sim/demo/demo-car.dbc");
const driveLog = join(repoRoot, "hosts/sim/demo/demo-drive.log");

async function run(...argv: string[]) {
	let stdout = "", stderr = "";
	const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

interface Panel { signal: string; samples: number; top: number; bottom: number; left: number; right: number; points: Array<[number, number]>; labels: string[] }

/** The panels of a plot, read back from its SVG. */
function panels(svg: string): Panel[] {
	return [...svg.matchAll(/<g class="panel" data-signal="([^"]+)" data-samples="(\d+)">([\s\S]*?)<\/g>/g)].map(match => {
		const frame = /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(match[3])!.slice(1).map(Number);
		const points = /points="([^"]*)"/.exec(match[3])?.[1].split(" ").map(p => p.split(",").map(Number) as [number, number]) ?? [];
		const labels = [...match[3].matchAll(/text-anchor="end">([^<]*)</g)].map(m => m[1]);
		return { signal: match[1], samples: Number(match[2]), left: frame[0], top: frame[1], right: frame[0] + frame[2], bottom: frame[1] + frame[3], points, labels };
	});
}

async function decodedCount(signal: string): Promise<number> {
	const { stdout } = await run("decode", "--dbc", demoDbc, "--signals", signal, driveLog);
	return stdout.trim().split("\n").length;
}

describe("xs-cluster plot", () => {
	test("one-panel-per-signal-every-sample-every-point-inside", async () => {
		const out = join(mkdtempSync(join(tmpdir(), "xs-cluster-plot-")), "drive.svg");
		const { status, stderr } = await run("plot", "--dbc", demoDbc, driveLog, "VehicleSpeed", "ENGINE.EngineSpeed", "GearLever", "-o", out);
		expect(status, stderr).toBe(0);
		const svg = readFileSync(out, "utf8");
		expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
		expect(svg.trimEnd().endsWith("</svg>")).toBe(true);
		expect(svg).toContain(">demo-drive.log decoded with demo-car.dbc</text>");
		const drawn = panels(svg);
		expect(drawn.map(p => p.signal)).toEqual(["WHEEL_SPEED.VehicleSpeed", "ENGINE.EngineSpeed", "GEARBOX.GearLever"]);
		for (const panel of drawn) {
			expect(panel.samples, panel.signal).toBe(await decodedCount(panel.signal));
			expect(panel.points.length).toBeGreaterThan(10);
			for (const [x, y] of panel.points) {
				expect(x).toBeGreaterThanOrEqual(panel.left);
				expect(x).toBeLessThanOrEqual(panel.right);
				expect(y).toBeGreaterThanOrEqual(panel.top);
				expect(y).toBeLessThanOrEqual(panel.bottom);
			}
		}
		// A value table gives the axis its names; units go in the panel's title.
		expect(drawn[2].labels).toEqual(["P", "R", "N", "D", "B"]);
		expect(svg).toContain(">WHEEL_SPEED.VehicleSpeed [km/h]</text>");
		// The speed rises to 60 km/h: its highest point is the panel's highest value tick.
		const speed = drawn[0];
		expect(Math.min(...speed.points.map(p => p[1]))).toBeLessThan(speed.top + 0.1 * (speed.bottom - speed.top));
		expect(stderr).toMatch(/drive\.svg: 3 signals, \d+ samples, 20\.000 s\n$/);
	});

	test("a-long-log-is-drawn-with-a-bounded-number-of-points", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-plot-"));
		const log = join(dir, "long.log");
		const lines: string[] = [];
		for (let i = 0; i < 200000; i++) {
			const rpm = Math.round((2000 + 1500 * Math.sin(i / 500)) * 4);
			lines.push(`(${(1700000000 + i / 1000).toFixed(6)}) can0 1C4#${(rpm & 0xFF).toString(16).padStart(2, "0")}${(rpm >> 8).toString(16).padStart(2, "0")}000000000000`);
		}
		writeFileSync(log, lines.join("\n") + "\n");
		const out = join(dir, "long.svg");
		const result = await run("plot", "--dbc", demoDbc, log, "EngineSpeed", "-o", out);
		expect(result.status, result.stderr).toBe(0);
		const [panel] = panels(readFileSync(out, "utf8"));
		expect(panel.samples).toBe(200000);
		expect(panel.points.length).toBeLessThan(4 * 2 * (panel.right - panel.left + 1));
		const ys = panel.points.map(p => p[1]);
		// the peaks survive the thinning: the line still spans the panel's range
		expect(Math.max(...ys) - Math.min(...ys)).toBeGreaterThan(0.8 * (panel.bottom - panel.top));
	});

	test("mistakes", async () => {
		expect(await run("plot", "--dbc", demoDbc, driveLog)).toMatchObject({ status: 2, stderr: expect.stringMatching(/plot needs at least one SIGNAL/) });
		expect(await run("plot", driveLog, "VehicleSpeed")).toMatchObject({ status: 2, stderr: expect.stringMatching(/plot needs --dbc/) });
		expect(await run("plot", "--dbc", demoDbc, driveLog, "VehicleSpeed", "-o", "x.png")).toMatchObject({ status: 2, stderr: expect.stringMatching(/plot writes SVG, not PNG/) });
		expect(await run("plot", "--dbc", demoDbc, driveLog, "Nope", "-o", "x.svg")).toMatchObject({ status: 1, stderr: `xs-cluster: ${demoDbc} has no signal matching 'Nope'\n` });
		expect(ticks(0, 20, 10)).toEqual([0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20]);
		expect(ticks(-0.3, 0.7, 4)).toEqual([-0.25, 0, 0.25, 0.5]);
	});
});

describeSharedData("xs-cluster plot on real data", () => {
	test("a-prius-signal-from-the-savvycan-log", async () => {
		const dir = mkdtempSync(join(tmpdir(), "xs-cluster-plot-"));
		const out = join(dir, "savvy.svg");
		const log = sharedData("logs", "savvycan-candump.log"), dbc = sharedData("dbc", "toyota_prius_2010_pt.dbc");
		// The first signal decode shows from this log.
		const decoded = await run("decode", "--dbc", dbc, log);
		const first = JSON.parse(decoded.stdout.split("\n")[0]);
		const signal = `${first.message}.${Object.keys(first.signals)[0]}`;
		const { status, stderr } = await run("plot", "--dbc", dbc, log, signal, "-o", out);
		expect(status, stderr).toBe(0);
		const [panel] = panels(readFileSync(out, "utf8"));
		expect(panel.signal).toBe(signal);
		expect(panel.samples).toBe(decoded.stdout.trim().split("\n").filter(line => { const r = JSON.parse(line); return r.message === first.message && Object.keys(first.signals)[0] in r.signals; }).length);
	});
});
