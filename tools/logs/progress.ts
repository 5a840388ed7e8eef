/*
 * Progress of a long log on standard error: `name: [########------------]
 * 42% 1,234,567 frames 310,000 frames/s` (the bar and percentage when the
 * size is known), redrawn in place at most five times a second, only when
 * standard error is a terminal (never into a pipe or a file). Node only.
 */
import type { LogReader } from "./text-log.js";

export interface ProgressOptions {
	/** Writes to the terminal. */
	write: (text: string) => void;
	/** Total bytes when known (a file), for the percentage. */
	total?: number;
	/** Milliseconds clock; Date.now by default. */
	now?: () => number;
}

/** Redraw interval, ms. */
const INTERVAL = 200;
const BAR_WIDTH = 20;

export class ProgressMeter {
	private readonly name: string;
	private readonly options: ProgressOptions;
	private readonly started: number;
	private lastDraw: number;
	private drawn = false;

	constructor(name: string, options: ProgressOptions) {
		this.name = name;
		this.options = options;
		this.started = this.lastDraw = this.clock();
	}

	/** Call after each chunk; draws when INTERVAL has passed. */
	update = (bytesRead: number, reader: LogReader): void => {
		const now = this.clock();
		if (now - this.lastDraw < INTERVAL)
			return;
		this.lastDraw = now;
		const seconds = (now - this.started) / 1000;
		const total = this.options.total;
		let percent = "";
		if (total) {
			const fraction = Math.min(1, bytesRead / total), filled = Math.round(fraction * BAR_WIDTH);
			percent = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}] ${Math.floor(fraction * 100)}% `;
		}
		const rate = seconds > 0 ? Math.round(reader.frames / seconds) : 0;
		this.options.write(`\r${this.name}: ${percent}${reader.frames.toLocaleString("en-US")} frames ${rate.toLocaleString("en-US")} frames/s\x1b[K`);
		this.drawn = true;
	};

	/** Clears the progress line so the summary starts on a clean line. */
	done(): void {
		if (this.drawn)
			this.options.write("\r\x1b[K");
		this.drawn = false;
	}

	private clock(): number {
		return (this.options.now ?? Date.now)();
	}
}
