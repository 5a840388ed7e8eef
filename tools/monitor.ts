/*
 * `xs-cluster monitor --dbc car.dbc [--feed host:port | LOG | -]`: a live
 * terminal view of the decoded signals, like `cantools monitor`: one block
 * per message seen (id as candump writes it, name, period, count) with the
 * latest value of each of its signals, redrawn at most REDRAW_MS apart.
 * Sources: a TCP feed speaking SLCAN (`xs-cluster serve`, a Wi-Fi CAN
 * adapter; the monitor sends `O`), standard input (`candump -L can0 |
 * xs-cluster monitor --dbc car.dbc -`), or a log file (read at once: its
 * last state). A message not seen for STALE_PERIODS of its period shows its
 * values as `--`, as the cluster does: never a frozen value.
 *
 * On a terminal the view takes the screen (the alternate screen, restored on
 * exit); `q` or Ctrl-C quits. Into a pipe or a file it prints the last view
 * once, when the input ends or at Ctrl-C. Node only. The decoder keeps the
 * latest values (its store); per frame nothing is allocated but the
 * message's entry the first time it is seen.
 */
import { connect, type Socket } from "node:net";
import { basename } from "node:path";
import { CanFrame } from "../modules/can/frame.js";
import { FrameRing } from "../modules/can/ring.js";
import { SlcanParser } from "../modules/can/slcan.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import type { Io } from "./cli.js";
import { DBC_OPTIONS, loadDbc } from "./dbc-file.js";
import { openLog } from "./decode.js";
import { RING_CAPACITY, displayName, parseInputFormat, readLog, type LogFormat } from "./logs/formats.js";
import { LogClock, formatClockWarnings } from "./logs/clock.js";
import { UsageError, formatCanId, parseOptions, plural } from "./usage.js";

/** Least time between two redraws. */
export const REDRAW_MS = 100;
/** A message is stale after this many of its periods without a frame (and at least STALE_FLOOR_MS, for jitter on fast ones). */
export const STALE_PERIODS = 3;
export const STALE_FLOOR_MS = 50;
/** A message with no period yet (one frame) is stale after this long. */
export const STALE_MS = 2000;

interface MessageEntry {
	count: number;
	/** Timestamp of the last frame, ms. */
	last: number;
	/** Smoothed time between frames, ms; NaN until two frames. */
	period: number;
	extended: boolean;
	id: number;
	/** Bad clock steps (LogClock.faults) up to this message's last frame: a period across a new one is no period. */
	faults: number;
}

/** What the view shows: the decoder (latest values) and per-message counters. */
export class MonitorState {
	readonly decoder: Decoder;
	readonly messages = new Map<number, MessageEntry>();
	frames = 0;
	unknown = 0;
	readonly unknownIds = new Set<number>();
	malformed = 0;
	/** The frames' clock: a period across a step back or a jump (a log's bad clock) is left out. */
	readonly clock = new LogClock();
	/** The `FILE:LINE:` warnings of a log's bad clock, shown under the view. */
	clockWarnings = "";

	constructor(readonly plan: DecodePlan) {
		this.decoder = new Decoder(plan);
	}

	/** Decodes one frame into the view. */
	add(frame: CanFrame): void {
		this.frames++;
		const message = this.decoder.decode(frame);
		if (message < 0) {
			if (!frame.remote && !frame.error) {
				this.unknown++;
				if (this.unknownIds.size < 4096)
					this.unknownIds.add(frame.extended ? 0x800 + frame.id : frame.id);
			}
			return;
		}
		this.clock.step(frame.timestamp);
		const faults = this.clock.faults;
		let entry = this.messages.get(message);
		if (!entry) {
			this.messages.set(message, entry = { count: 0, last: frame.timestamp, period: NaN, extended: frame.extended, id: frame.id, faults });
		}
		else {
			const interval = frame.timestamp - entry.last;
			if (faults === entry.faults)
				entry.period = entry.period !== entry.period ? interval : entry.period * 0.875 + interval * 0.125;
			entry.last = frame.timestamp;
			entry.faults = faults;
		}
		entry.count++;
	}
}

function formatValue(plan: DecodePlan, decoder: Decoder, signal: number): string {
	const name = plan.choiceName(signal, decoder.store.raw(signal));
	if (name !== undefined)
		return name;
	const value = decoder.store.value(signal);
	if (!Number.isFinite(value))
		return "--";
	const unit = plan.signalUnit(signal);
	return String(Number(value.toPrecision(10))) + (unit ? ` ${unit}` : "");
}

/**
 * The view as lines, at most `rows` of them and `columns` wide: a header,
 * then the messages by id (standard first), each with its signals.
 * `now` (ms, on the frames' time base) decides what is stale.
 */
export function renderView(state: MonitorState, source: string, now: number, rows = Infinity, columns = Infinity): string[] {
	const { plan, decoder } = state;
	const header = [
		`xs-cluster monitor: ${source}`,
		`${plural(state.frames, "frame")}, ${plural(state.messages.size, "message")} seen, ${plural(state.unknown, "frame")} with unknown ids${state.unknownIds.size ? ` (${plural(state.unknownIds.size, "id")})` : ""}${state.malformed ? `, ${plural(state.malformed, "malformed line")}` : ""}`,
		"",
	];
	const body: string[] = [];
	const order = [...state.messages.entries()].sort((a, b) => (a[1].extended ? 0x800 + a[1].id : a[1].id) - (b[1].extended ? 0x800 + b[1].id : b[1].id));
	for (const [message, entry] of order) {
		const stale = now - entry.last > (entry.period === entry.period ? Math.max(STALE_PERIODS * entry.period, STALE_FLOOR_MS) : STALE_MS);
		const period = entry.period === entry.period ? `${entry.period.toFixed(1)} ms` : "-";
		body.push(`${formatCanId(entry.id, entry.extended).padEnd(8)}  ${plan.messageName(message)}  (period ${period}, ${plural(entry.count, "frame")}${stale ? ", stale" : ""})`);
		const first = plan.firstSignal(message), end = first + plan.signalCountOf(message);
		for (let s = first; s < end; s++)
			if (decoder.present[s])
				body.push(`    ${plan.signalName(s)}: ${stale ? "--" : formatValue(plan, decoder, s)}`);
	}
	let lines = [...header, ...body];
	if (lines.length > rows) {
		lines = lines.slice(0, Math.max(rows - 1, 0));
		lines.push(`... ${lines.length < header.length ? "" : `${body.length - (lines.length - header.length)} more lines `}(a taller terminal shows them)`);
	}
	return lines.map(line => line.length > columns ? line.slice(0, Math.max(columns - 1, 0)) + "…" : line);
}

/** `host:port` (host optional: 127.0.0.1; port optional: serve's 29536). @throws UsageError. */
export function parseFeed(text: string): { host: string; port: number } {
	const match = /^(?:\[([^\]]+)\]|([^:]*))?(?::(\d+))?$/.exec(text);
	const port = Number(match?.[3] ?? 29536);
	if (!match || !(port > 0 && port <= 65535))
		throw new UsageError(`--feed takes host:port (as 127.0.0.1:29536), not ${text}`);
	return { host: match[1] ?? (match[2] || "127.0.0.1"), port };
}

/** Reads SLCAN frames from a TCP feed into `state` until the feed closes or `signal` stops it. */
async function readFeed(host: string, port: number, state: MonitorState, changed: () => void, signal: AbortSignal): Promise<void> {
	const ring = new FrameRing(RING_CAPACITY), frame = new CanFrame();
	const parser = new SlcanParser(ring, { clock: () => Date.now() });
	const socket: Socket = connect({ host, port });
	await new Promise<void>((resolve, reject) => {
		socket.once("connect", resolve);
		socket.once("error", error => reject(new Error(`cannot connect to ${host}:${port}: ${(error as NodeJS.ErrnoException).code ?? error.message}`)));
	});
	socket.write("O\r");
	await new Promise<void>(resolve => {
		const stop = () => {
			socket.destroy();
			resolve();
		};
		signal.addEventListener("abort", stop, { once: true });
		socket.on("data", (chunk: Buffer) => {
			for (let at = 0; at < chunk.length; at += 512) {
				parser.feed(chunk, at, Math.min(512, chunk.length - at));
				while (ring.pop(frame))
					state.add(frame);
			}
			state.malformed = parser.malformed;
			changed();
		});
		socket.on("error", () => {});
		socket.on("close", () => {
			signal.removeEventListener("abort", stop);
			resolve();
		});
	});
}

export interface MonitorOptions {
	plan: DecodePlan;
	/** A log path, "-", or a feed. */
	source: { log: string; format?: LogFormat } | { feed: { host: string; port: number } };
	/** The terminal, or undefined when standard output is not one. */
	terminal?: { columns: number; rows: number };
	write: (text: string) => void | Promise<void>;
	signal: AbortSignal;
	/** Milliseconds clock for redraws and staleness; Date.now by default. */
	now?: () => number;
	/** Called after each batch of frames (tests wait on it). */
	onUpdate?: (state: MonitorState) => void;
}

/** Runs the monitor until the input ends or `signal` aborts; resolves to its state. */
export async function runMonitor(options: MonitorOptions): Promise<MonitorState> {
	const state = new MonitorState(options.plan);
	const now = options.now ?? Date.now;
	const live = "feed" in options.source || options.source.log === "-";
	const sourceName = "feed" in options.source ? `feed ${options.source.feed.host}:${options.source.feed.port}` : options.source.log === "-" ? "stdin" : basename(options.source.log);
	const terminal = options.terminal;
	// The view's clock: the host's for a live source, the log's own for a file.
	let lastFrame = -Infinity;
	const viewTime = () => live ? now() : lastFrame;
	const draw = () => {
		if (!terminal)
			return;
		void options.write("\x1b[H\x1b[2J" + renderView(state, sourceName, viewTime(), terminal.rows, terminal.columns).join("\n"));
	};
	let lastDraw = -Infinity, pending: NodeJS.Timeout | undefined;
	const changed = () => {
		options.onUpdate?.(state);
		for (const entry of state.messages.values())
			lastFrame = Math.max(lastFrame, entry.last);
		const t = now();
		if (t - lastDraw >= REDRAW_MS) {
			lastDraw = t;
			draw();
		}
		else if (!pending)
			pending = setTimeout(() => { pending = undefined; lastDraw = now(); draw(); }, REDRAW_MS);
	};
	// Staleness shows even when nothing arrives.
	const ticker = terminal && live ? setInterval(draw, 500) : undefined;
	if (terminal)
		await options.write("\x1b[?1049h\x1b[?25l");
	try {
		if ("feed" in options.source)
			await readFeed(options.source.feed.host, options.source.feed.port, state, changed, options.signal);
		else {
			const ring = new FrameRing(RING_CAPACITY), frame = new CanFrame();
			const reader = await readLog(openLog(options.source.log) as AsyncIterable<Uint8Array>, ring, () => {
				while (ring.pop(frame))
					state.add(frame);
				changed();
			}, { name: options.source.log, format: options.source.format, signal: options.signal });
			state.malformed = reader.malformed;
			state.clockWarnings = formatClockWarnings(displayName(options.source.log), reader.clock);
		}
	}
	finally {
		clearTimeout(pending);
		clearInterval(ticker);
		if (terminal)
			await options.write("\x1b[?25h\x1b[?1049l");
	}
	for (const entry of state.messages.values())
		lastFrame = Math.max(lastFrame, entry.last);
	// The last view stays: printed once after the alternate screen is gone, or into the pipe.
	await options.write(renderView(state, sourceName, viewTime(), Infinity, terminal?.columns ?? Infinity).join("\n") + "\n");
	return state;
}

/**
 * `xs-cluster monitor --dbc FILE.dbc [--feed HOST:PORT | LOG | -]
 * [--input-format F]`. Resolves to the exit status: 0, 1 for bad input or a
 * feed that cannot be reached; throws UsageError (2) for a usage mistake.
 */
export async function monitorCommand(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
	const { values, positionals } = parseOptions(args, {
		dbc: { type: "string" },
		...DBC_OPTIONS,
		feed: { type: "string" },
		"input-format": { type: "string" },
	});
	if (!values.dbc)
		throw new UsageError("monitor needs --dbc FILE.dbc");
	if (positionals.length > 1 || (values.feed !== undefined && positionals.length))
		throw new UsageError("monitor reads one source: --feed HOST:PORT, a log file, or - for standard input");
	if (values.feed === undefined && !positionals.length)
		throw new UsageError("monitor needs a source: --feed HOST:PORT (serve, an SLCAN adapter), a log file, or - for standard input");
	const feed = values.feed === undefined ? undefined : parseFeed(values.feed as string);
	const format = parseInputFormat(values["input-format"] as string | undefined);
	const database = loadDbc(values.dbc as string, io, values);
	if (!database)
		return 1;
	const plan = new DecodePlan(compilePlan(database).buffer);
	const terminal = io.terminal?.();
	const controller = new AbortController();
	const stop = () => controller.abort();
	process.once("SIGINT", stop);
	process.once("SIGTERM", stop);
	signal?.addEventListener("abort", stop);
	// `q` quits when the keyboard is not the data source.
	const keys = terminal && feed && process.stdin.isTTY ? process.stdin : undefined;
	const onKey = (data: Buffer) => {
		if (data[0] === 0x71 || data[0] === 0x51 || data[0] === 0x03)
			stop();
	};
	if (keys) {
		keys.setRawMode(true);
		keys.on("data", onKey);
	}
	try {
		const state = await runMonitor({ plan, source: feed ? { feed } : { log: positionals[0], format }, terminal, write: io.stdout, signal: controller.signal });
		io.stderr(state.clockWarnings);
	}
	finally {
		process.off("SIGINT", stop);
		process.off("SIGTERM", stop);
		signal?.removeEventListener("abort", stop);
		if (keys) {
			keys.off("data", onKey);
			keys.setRawMode(false);
			keys.pause();
		}
	}
	return 0;
}
