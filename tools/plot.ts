/*
 * `xs-cluster plot --dbc car.dbc LOG SIGNAL... -o drive.svg`: signals over
 * time as a picture, as `cantools plot` draws them: one panel per signal on
 * a shared time axis (seconds after the log's first frame), each with its
 * name, unit and value axis; a signal with a value table is drawn as steps
 * with its names on the axis. SIGNAL is a name, MESSAGE.NAME, or a `*`
 * pattern, as decode's --signals takes it. Written as SVG, which every
 * browser shows and any SVG tool (rsvg-convert, Inkscape) turns into PNG.
 * Node only; keeps each chosen signal's samples in memory (16 bytes each)
 * and draws at most a few points per pixel column, so the file stays small
 * for a long log.
 */
import { basename } from "node:path";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { compilePlan } from "../modules/dbc/compile.js";
import type { DbcDatabase } from "../modules/dbc/database.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import type { Io } from "./cli.js";
import { DBC_OPTIONS, loadDbc } from "./dbc-file.js";
import { buildFilter, openLog, parseTimeBound, untilInterrupted, type TimeBound } from "./decode.js";
import { LogClock, STEP_IN_ORDER } from "./logs/clock.js";
import { RING_CAPACITY, formatProblems, parseInputFormat, readLog, type LogFormat } from "./logs/formats.js";
import { UsageError, parseOptions, plural, writeOutput } from "./usage.js";

/** One signal's samples: times (ms after the first frame) and physical values. */
export interface Series {
	message: string;
	name: string;
	unit: string;
	times: number[];
	values: number[];
	/** Physical value to its value-table name, when the DBC has a table. */
	choices: Map<number, string> | null;
}

/** Reads `input` and gathers the samples of the signals `shown` marks. */
export async function collectSeries(plan: DecodePlan, database: DbcDatabase, shown: Uint8Array, input: AsyncIterable<Uint8Array>, options: { name: string; format?: LogFormat; start?: TimeBound; end?: TimeBound; signal?: AbortSignal }) {
	const ring = new FrameRing(RING_CAPACITY), frame = new CanFrame(), decoder = new Decoder(plan);
	const series = new Map<number, Series>();
	for (let s = 0; s < plan.signalCount; s++) {
		if (!shown[s])
			continue;
		const messageName = plan.messageName(plan.signalMessage(s)), name = plan.signalName(s);
		const dbcSignal = database.messages.find(m => m.name === messageName)?.signals.find(signal => signal.name === name);
		let choices: Map<number, string> | null = null;
		if (dbcSignal?.choices?.size) {
			choices = new Map();
			for (const [raw, text] of dbcSignal.choices)
				choices.set(raw * dbcSignal.factor + dbcSignal.offset, text);
		}
		series.set(s, { message: messageName, name, unit: plan.signalUnit(s), times: [], values: [], choices });
	}
	// The time axis is log time from the first frame over in-order steps only
	// (tools/logs/clock.ts): a clock stepping back or jumping ahead draws no line back and squeezes nothing.
	const clock = new LogClock();
	let start = -Infinity, end = Infinity;
	const reader = await readLog(input, ring, () => {
		while (ring.pop(frame)) {
			if (clock.step(frame.timestamp) !== STEP_IN_ORDER || clock.elapsed === 0) {
				if (options.start)
					start = options.start.ms + (options.start.relative ? clock.origin : 0);
				if (options.end)
					end = options.end.ms + (options.end.relative ? clock.origin : 0);
			}
			if (frame.timestamp < start || frame.timestamp >= end)
				continue;
			const message = decoder.decode(frame);
			if (message < 0)
				continue;
			const from = plan.firstSignal(message), to = from + plan.signalCountOf(message);
			for (let s = from; s < to; s++) {
				if (!shown[s] || !decoder.present[s])
					continue;
				const value = decoder.store.value(s);
				if (!Number.isFinite(value))
					continue;
				const entry = series.get(s)!;
				entry.times.push(frame.timestamp - clock.origin);
				entry.values.push(value);
			}
		}
	}, { name: options.name, format: options.format, signal: options.signal });
	return { series: [...series.values()], reader };
}

/** About `count` round tick values covering [low, high]. */
export function ticks(low: number, high: number, count = 5): number[] {
	if (!(high > low))
		return [low];
	const raw = (high - low) / count;
	const magnitude = 10 ** Math.floor(Math.log10(raw));
	const step = [1, 2, 2.5, 5, 10].map(f => f * magnitude).find(s => s >= raw)!;
	const out: number[] = [];
	for (let v = Math.ceil(low / step) * step; v <= high + step * 1e-9; v += step)
		out.push(Number(v.toPrecision(12)));
	return out;
}

function escape(text: string): string {
	return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

function label(value: number): string {
	return String(Number(value.toPrecision(6)));
}

const WIDTH = 1000, PANEL = 150, GAP = 40, LEFT = 90, RIGHT = 20, TOP = 40, BOTTOM = 50;
const COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

/**
 * The points of a panel's line: per pixel column the first, lowest, highest
 * and last sample, so peaks survive however many samples share a pixel.
 */
function decimate(series: Series, x: (t: number) => number, y: (v: number) => number, steps: boolean): string {
	const points: string[] = [];
	let column = NaN, firstV = 0, minV = 0, maxV = 0, lastV = 0, previousY = NaN;
	const flush = () => {
		if (column !== column)
			return;
		for (const v of firstV === lastV && minV === maxV ? [firstV] : [firstV, minV, maxV, lastV]) {
			const py = y(v);
			if (steps && previousY === previousY && py !== previousY)
				points.push(`${column},${previousY}`);
			points.push(`${column},${py}`);
			previousY = py;
		}
	};
	for (let i = 0; i < series.times.length; i++) {
		const px = Math.round(x(series.times[i]) * 2) / 2, v = series.values[i];
		if (px !== column) {
			flush();
			column = px;
			firstV = minV = maxV = lastV = v;
		}
		else {
			minV = Math.min(minV, v);
			maxV = Math.max(maxV, v);
			lastV = v;
		}
	}
	flush();
	return points.join(" ");
}

/** The SVG picture of `series`, one panel each, over `durationMs`. */
export function renderSvg(series: Series[], title: string, durationMs: number): string {
	const height = TOP + series.length * (PANEL + GAP) - GAP + BOTTOM;
	const plotWidth = WIDTH - LEFT - RIGHT;
	const seconds = Math.max(durationMs, 1) / 1000;
	const x = (t: number) => Number((LEFT + (t / 1000 / seconds) * plotWidth).toFixed(2));
	const parts = [
		`<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
		`<rect width="100%" height="100%" fill="white"/>`,
		`<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)}</text>`,
	];
	const timeTicks = ticks(0, seconds, 10);
	series.forEach((entry, index) => {
		const top = TOP + index * (PANEL + GAP), bottom = top + PANEL;
		let low = Infinity, high = -Infinity;
		for (const v of entry.values) {
			if (v < low)
				low = v;
			if (v > high)
				high = v;
		}
		if (entry.choices)
			for (const value of entry.choices.keys()) {
				low = Math.min(low, value);
				high = Math.max(high, value);
			}
		if (!Number.isFinite(low)) {
			low = 0;
			high = 1;
		}
		if (high === low) {
			low -= 1;
			high += 1;
		}
		const margin = (high - low) * 0.05;
		low -= margin;
		high += margin;
		const y = (v: number) => Number((bottom - ((v - low) / (high - low)) * PANEL).toFixed(2));
		const unit = entry.unit ? ` [${entry.unit}]` : "";
		parts.push(`<g class="panel" data-signal="${escape(entry.message)}.${escape(entry.name)}" data-samples="${entry.values.length}">`);
		parts.push(`<rect x="${LEFT}" y="${top}" width="${plotWidth}" height="${PANEL}" fill="none" stroke="#888"/>`);
		parts.push(`<text x="${LEFT + 6}" y="${top + 15}">${escape(`${entry.message}.${entry.name}${unit}`)}${entry.values.length ? "" : " (no samples)"}</text>`);
		const valueTicks = entry.choices ? [...entry.choices.keys()].filter(v => v >= low && v <= high).sort((a, b) => a - b) : ticks(low, high, 4);
		for (const v of valueTicks) {
			const py = y(v);
			parts.push(`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${py}" y2="${py}" stroke="#eee"/>`);
			parts.push(`<text x="${LEFT - 6}" y="${py + 4}" text-anchor="end">${escape(entry.choices?.get(v) ?? label(v))}</text>`);
		}
		for (const t of timeTicks)
			parts.push(`<line x1="${x(t * 1000)}" x2="${x(t * 1000)}" y1="${top}" y2="${bottom}" stroke="#eee"/>`);
		if (entry.values.length)
			parts.push(`<polyline fill="none" stroke="${COLORS[index % COLORS.length]}" stroke-width="1.5" points="${decimate(entry, x, y, entry.choices !== null)}"/>`);
		parts.push("</g>");
	});
	const axisY = TOP + series.length * (PANEL + GAP) - GAP;
	for (const t of timeTicks)
		parts.push(`<text x="${x(t * 1000)}" y="${axisY + 16}" text-anchor="middle">${label(t)}</text>`);
	parts.push(`<text x="${LEFT + plotWidth / 2}" y="${axisY + 38}" text-anchor="middle">time [s] after the first frame</text>`);
	parts.push("</svg>");
	return parts.join("\n") + "\n";
}

/**
 * `xs-cluster plot --dbc FILE.dbc [-o OUT.svg] [--start S] [--end S]
 * [--input-format F] LOG SIGNAL...`. Resolves to the exit status: 0, 1 for
 * bad input (DBC problems, a log without frames, a signal the DBC lacks);
 * throws UsageError (2) for a usage mistake.
 */
export async function plotCommand(args: string[], io: Io): Promise<number> {
	const { values, positionals } = parseOptions(args, {
		dbc: { type: "string" },
		...DBC_OPTIONS,
		output: { type: "string", short: "o" },
		"input-format": { type: "string" },
		start: { type: "string" },
		end: { type: "string" },
	});
	if (!values.dbc)
		throw new UsageError("plot needs --dbc FILE.dbc");
	const [logPath, ...patterns] = positionals;
	if (!logPath)
		throw new UsageError("missing log file (or - for standard input)");
	if (!patterns.length)
		throw new UsageError("plot needs at least one SIGNAL after the log (a name, MESSAGE.NAME or a * pattern)");
	const output = (values.output as string | undefined) ?? `${logPath === "-" ? "plot" : basename(logPath).replace(/\.[^.]*$/, "")}.svg`;
	if (/\.png$/i.test(output))
		throw new UsageError(`plot writes SVG, not PNG: name the output .svg (rsvg-convert or any browser turns it into PNG)`);
	if (!/\.svg$/i.test(output))
		throw new UsageError(`plot writes SVG: name the output .svg, not ${output}`);
	const inputFormat = parseInputFormat(values["input-format"] as string | undefined);
	const start = values.start === undefined ? undefined : parseTimeBound(values.start as string, "--start");
	const end = values.end === undefined ? undefined : parseTimeBound(values.end as string, "--end");
	const database = loadDbc(values.dbc as string, io, values);
	if (!database)
		return 1;
	const plan = new DecodePlan(compilePlan(database).buffer);
	const shown = buildFilter(plan, values.dbc as string, { signals: patterns.join(",") }).signals!;
	const input = openLog(logPath);
	const { series, reader } = await untilInterrupted(signal => collectSeries(plan, database, shown, input as AsyncIterable<Uint8Array>, { name: logPath, format: inputFormat, start, end, signal }));
	io.stderr(formatProblems(logPath, reader));
	let duration = 0;
	for (const entry of series)
		if (entry.times.length)
			duration = Math.max(duration, entry.times[entry.times.length - 1]);
	const title = `${logPath === "-" ? "stdin" : basename(logPath)} decoded with ${basename(values.dbc as string)}`;
	writeOutput(output, new TextEncoder().encode(renderSvg(series, title, duration)));
	const samples = series.reduce((sum, entry) => sum + entry.values.length, 0);
	const empty = series.filter(entry => entry.values.length === 0).map(entry => `${entry.message}.${entry.name}`);
	io.stderr(`${output}: ${plural(series.length, "signal")}, ${plural(samples, "sample")}, ${(duration / 1000).toFixed(3)} s${empty.length ? `; no samples of ${empty.join(", ")}` : ""}\n`);
	return 0;
}
