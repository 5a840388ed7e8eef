/*
 * LogReplay: a CAN source that plays a candump log held in memory (a
 * Moddable resource in flash, a file read on Node) in real time.
 *
 * Frames go into the pipeline's ring stamped with the host clock, as a driver
 * would stamp them on arrival, so staleness works the same as on a car. At the
 * end of the log it starts again from the top when `loop` is set. Runs on XS
 * and Node; allocates only in the constructor.
 */
import { CandumpParser } from "./candump.js";
import { CanFrame } from "./frame.js";
import { LF } from "./lines.js";
import { FrameRing } from "./ring.js";

export interface LogReplayOptions {
	/** Start again at the end of the log. Default true. */
	loop?: boolean;
	/** Playback speed, 1 for real time. */
	speed?: number;
}

export class LogReplay {
	/** Times the log was played to its end. */
	laps = 0;
	readonly parser: CandumpParser;

	private readonly log: Uint8Array;
	private readonly target: FrameRing;
	private readonly staging = new FrameRing(4);
	private readonly pending = new CanFrame();
	private hasPending = false;
	private position = 0;
	private readonly loop: boolean;
	private readonly speed: number;
	/** Log time of the first frame of the lap and host time it was played at, NaN before. */
	private logStart = NaN;
	private hostStart = NaN;

	/** @param log candump `-l` text; frames without a timestamp play back to back. */
	constructor(log: Uint8Array, target: FrameRing, options: LogReplayOptions = {}) {
		this.log = log;
		this.target = target;
		this.loop = options.loop ?? true;
		this.speed = options.speed ?? 1;
		this.parser = new CandumpParser(this.staging);
	}

	/** True when the log has played to its end and does not loop. */
	get finished(): boolean {
		return !this.loop && this.laps > 0;
	}

	/**
	 * Pushes every frame due by `now` (ms) into the target ring. Returns the
	 * number pushed. No allocation.
	 */
	step(now: number): number {
		let pushed = 0;
		// At most one lap a call: a log whose frames carry no time (or all the
		// same one) is due at once, and looping it must not spin for ever.
		const laps = this.laps;
		for (;;) {
			if (this.laps !== laps)
				return pushed;
			if (!this.hasPending && !this.next())
				return pushed;
			const frame = this.pending;
			if (this.logStart !== this.logStart) {
				this.logStart = frame.timestamp;
				this.hostStart = now;
			}
			if ((frame.timestamp - this.logStart) > (now - this.hostStart) * this.speed)
				return pushed;
			frame.timestamp = now;
			this.target.push(frame);
			this.hasPending = false;
			pushed++;
		}
	}

	/** Parses lines until a frame is staged in `pending`; false at the end of a non-looping log. */
	private next(): boolean {
		const log = this.log, parser = this.parser;
		for (;;) {
			if (this.staging.pop(this.pending)) {
				this.hasPending = true;
				return true;
			}
			if (this.position >= log.length) {
				parser.finish();
				if (this.staging.length)
					continue;
				if (!this.loop && this.laps > 0)
					return false;
				this.laps++;
				if (!this.loop)
					return false;
				if (parser.frames === 0)
					return false; // nothing playable: do not spin
				this.position = 0;
				this.logStart = NaN;
				parser.reset();
				continue;
			}
			let end = this.position;
			while (end < log.length && log[end] !== LF)
				end++;
			if (end < log.length)
				end++;
			parser.feed(log, this.position, end - this.position);
			this.position = end;
		}
	}
}
