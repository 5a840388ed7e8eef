/*
 * A log's clock as the host tools read it: the time elapsed in the log counted
 * over in-order steps only. Logs merged from several captures, written by a
 * logger whose clock was set while it ran, or with a glitched timestamp step
 * back in time or jump far ahead; a duration taken as last minus first is
 * then negative or absurd, and a period across such a step is no period.
 *
 * `LogClock.step` takes each frame's timestamp in log order and says whether
 * the step from the frame before is in order, back in time or a jump of more
 * than CLOCK_JUMP_MS ahead. Such a step starts a new stretch that adds no
 * time: `elapsed` never goes back and never jumps. On a log without either it
 * is exactly the timestamp minus the first one (`origin` is then the first
 * timestamp), so clean logs read as before.
 *
 * The readers (tools/logs/text-log.ts) keep one with line numbers for the
 * warnings (`formatClockWarnings`); a tool that needs the time of each frame
 * (stats, plot, decode's relative time range, serve's pacing) keeps its own
 * over the frames it drains, in the same order. Node only; allocates nothing
 * per step.
 */

/** A forward step longer than this between two frames is a jump of the clock, not a quiet bus. */
export const CLOCK_JUMP_MS = 60_000;

export const STEP_IN_ORDER = 0;
export const STEP_BACK = 1;
export const STEP_JUMP = 2;
export type StepKind = typeof STEP_IN_ORDER | typeof STEP_BACK | typeof STEP_JUMP;

/** One kind of bad step: how many, and the first (its line, from and to timestamps in ms). */
export interface ClockFault {
	count: number;
	/** Line of the first such frame, 0 where lines are not known. */
	line: number;
	from: number;
	to: number;
}

export class LogClock {
	/** Log time elapsed at the last frame, in ms, over in-order steps only. */
	elapsed = 0;
	/** The timestamp that elapsed time 0 stands for in the current stretch: a frame at t is `t - origin` ms into the log. */
	origin = NaN;
	/** Timestamp of the last frame, NaN before the first. */
	last = NaN;
	readonly back: ClockFault = { count: 0, line: 0, from: 0, to: 0 };
	readonly jumps: ClockFault = { count: 0, line: 0, from: 0, to: 0 };

	/** Takes the next frame's timestamp (ms) in log order, with its line if known. Returns the kind of step from the frame before. */
	step(timestamp: number, line = 0): StepKind {
		if (!Number.isFinite(timestamp))
			return STEP_IN_ORDER; // (the readers only produce finite times; such a frame adds no time)
		const last = this.last;
		this.last = timestamp;
		if (last !== last) {
			this.origin = timestamp;
			return STEP_IN_ORDER;
		}
		const delta = timestamp - last;
		const kind: StepKind = delta < 0 ? STEP_BACK : delta > CLOCK_JUMP_MS ? STEP_JUMP : STEP_IN_ORDER;
		if (kind !== STEP_IN_ORDER) {
			const fault = kind === STEP_BACK ? this.back : this.jumps;
			if (fault.count++ === 0) {
				fault.line = line;
				fault.from = last;
				fault.to = timestamp;
			}
			// The new stretch starts where the old one ended: this frame is at the same elapsed time as the last.
			this.origin = timestamp - this.elapsed;
			return kind;
		}
		this.elapsed = timestamp - this.origin;
		return STEP_IN_ORDER;
	}

	/** Steps that were back in time or jumps. */
	get faults(): number {
		return this.back.count + this.jumps.count;
	}
}

function seconds(ms: number): string {
	const s = Math.abs(ms) / 1000;
	return s >= 1e6 ? s.toExponential(3) : s.toFixed(3);
}

/**
 * One `FILE:LINE: ...` warning per kind of bad step (not one per frame), with
 * the count; "" for a clean clock. `name` is as the user gave it.
 */
export function formatClockWarnings(name: string, clock: LogClock): string {
	let text = "";
	const where = (fault: ClockFault) => fault.line ? `${name}:${fault.line}` : name;
	if (clock.back.count)
		text += `${where(clock.back)}: timestamp goes back ${seconds(clock.back.from - clock.back.to)} s (${clock.back.count === 1 ? "the only step back" : `first of ${clock.back.count} steps back`} in time); such steps add no time\n`;
	if (clock.jumps.count)
		text += `${where(clock.jumps)}: timestamp jumps ${seconds(clock.jumps.to - clock.jumps.from)} s ahead (${clock.jumps.count === 1 ? "the only jump" : `first of ${clock.jumps.count} jumps`} of more than ${CLOCK_JUMP_MS / 1000} s); such steps add no time\n`;
	return text;
}
