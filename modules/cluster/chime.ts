/*
 * The alert chime: turns what `AlertMonitor.takeChime` asks for into a
 * pattern of tones per severity, and synthesises those tones once, at start.
 *
 * Like a real car, it sounds when a pop-up appears and never nags for ever:
 * - info: one soft, decaying tone;
 * - warning: two tones, high then low;
 * - critical: three short urgent tones, a round every 1.5 s, at most 6
 *   rounds (about 9 s). AlertMonitor's own reminder (a minute after the
 *   driver acknowledged a critical alert that is still there) asks again.
 * A pattern sounds only while the pop-up shows an alert at least as severe
 * as the pattern: acknowledging the alert, or the alert clearing, silences
 * it at once. A more severe request takes over from a pattern sounding; a
 * less severe one does not interrupt it. Muted, nothing sounds.
 *
 * The sequencer is handed its output (the board's speaker, or a trace line
 * in the simulator) and the time; it never reaches for hardware or a clock.
 * Runs on XS and Node. `ToneBank`'s constructor allocates (unless it is given
 * its storage) and synthesises; `Chime.play`, `service`, `silence` and
 * muting allocate nothing, so they run on the display clock.
 */
export interface ToneSpec {
	/** For traces: "soft", "urgent". */
	readonly name: string;
	/** Hz; below half the sample rate. */
	readonly frequency: number;
	readonly durationMs: number;
	/** Peak level, 0 to 1 of full scale. */
	readonly amplitude: number;
	/** Time constant of the exponential decay, ms (a bell); Infinity for a steady tone. */
	readonly decayMs: number;
}

/** Indices of CHIME_TONES. */
export const ChimeTone = Object.freeze({ soft: 0, high: 1, low: 2, urgent: 3 });

/**
 * The tones of the alert chime: about 0.95 s of sound in all, 10,500
 * samples (21 KB) at the M5Stack's 11,025 Hz.
 */
export const CHIME_TONES: readonly ToneSpec[] = Object.freeze([
	Object.freeze({ name: "soft", frequency: 659.25, durationMs: 300, amplitude: 0.3, decayMs: 90 }), // E5, a quiet bong
	Object.freeze({ name: "high", frequency: 880, durationMs: 250, amplitude: 0.6, decayMs: 110 }), // A5
	Object.freeze({ name: "low", frequency: 698.46, durationMs: 250, amplitude: 0.6, decayMs: 110 }), // F5, a major third below
	Object.freeze({ name: "urgent", frequency: 987.77, durationMs: 150, amplitude: 0.9, decayMs: 400 }), // B5, nearly steady
]);

export interface ChimePattern {
	/** Tones of one round, in order (indices into the tone bank). */
	readonly tones: readonly number[];
	/** When each tone starts, ms after its round starts; ascending, the first 0. */
	readonly onsetMs: readonly number[];
	/** Rounds at most; 1 plays the pattern once. */
	readonly rounds: number;
	/** A round starts this long after the one before, ms (ignored for one round). */
	readonly periodMs: number;
}

/** Patterns by severity (alerts.ts `Severity`): CHIME_PATTERNS[Severity.warning] is the warning's. */
export const CHIME_PATTERNS: readonly ChimePattern[] = Object.freeze([
	Object.freeze({ tones: Object.freeze([ChimeTone.soft]), onsetMs: Object.freeze([0]), rounds: 1, periodMs: 0 }),
	Object.freeze({ tones: Object.freeze([ChimeTone.high, ChimeTone.low]), onsetMs: Object.freeze([0, 300]), rounds: 1, periodMs: 0 }),
	Object.freeze({ tones: Object.freeze([ChimeTone.urgent, ChimeTone.urgent, ChimeTone.urgent]), onsetMs: Object.freeze([0, 200, 400]), rounds: 6, periodMs: 1500 }),
]);

/** Attack and release, ms: every tone starts and ends at zero, so it never clicks. */
const RAMP_MS = 4;

/** How many samples a tone of `durationMs` takes at `sampleRate`. */
export function toneSamples(sampleRate: number, durationMs: number): number {
	return Math.round(durationMs * sampleRate / 1000);
}

/**
 * Writes one tone into `target` from `offset` as signed 16-bit samples: a
 * sine at `spec.frequency`, `spec.amplitude` of full scale, decaying with
 * `spec.decayMs`, ramped in and out over 4 ms. Returns the sample count.
 * Runs once at start; no allocation.
 * @throws RangeError when the tone does not fit in `target`, its frequency is
 * not between 0 and half the sample rate, or its amplitude not in 0..1.
 */
export function synthesizeTone(target: Int16Array, offset: number, sampleRate: number, spec: ToneSpec): number {
	const count = toneSamples(sampleRate, spec.durationMs);
	if (!(spec.frequency > 0 && spec.frequency < sampleRate / 2))
		throw new RangeError(`tone '${spec.name}': ${spec.frequency} Hz needs a sample rate above ${2 * spec.frequency} Hz`);
	if (!(spec.amplitude >= 0 && spec.amplitude <= 1))
		throw new RangeError(`tone '${spec.name}': amplitude ${spec.amplitude} is not in 0..1`);
	if (!(count > 0) || offset < 0 || offset + count > target.length)
		throw new RangeError(`tone '${spec.name}': ${count} samples do not fit at ${offset} in ${target.length}`);
	// sin(n w) by the recurrence s[n] = 2 cos(w) s[n-1] - s[n-2]: one
	// multiplication per sample instead of a Math.sin (slow on an ESP32).
	const w = 2 * Math.PI * spec.frequency / sampleRate;
	const k = 2 * Math.cos(w);
	let previous = -Math.sin(w), current = 0;
	const decay = spec.decayMs === Infinity ? 1 : Math.exp(-1000 / (spec.decayMs * sampleRate));
	let envelope = spec.amplitude * 32767;
	const ramp = Math.max(1, Math.round(RAMP_MS * sampleRate / 1000));
	for (let n = 0; n < count; n++) {
		let gain = envelope;
		if (n < ramp)
			gain *= n / ramp;
		const left = count - 1 - n;
		if (left < ramp)
			gain *= left / ramp;
		const value = Math.round(current * gain);
		target[offset + n] = value > 32767 ? 32767 : value < -32767 ? -32767 : value;
		const next = k * current - previous;
		previous = current;
		current = next;
		envelope *= decay;
	}
	return count;
}

/** The chime's tones, synthesised once, one after another in one array of samples. */
export class ToneBank {
	readonly sampleRate: number;
	readonly tones: readonly ToneSpec[];
	/** Every tone's samples, signed 16-bit mono. */
	readonly samples: Int16Array;
	/** Per tone: its first sample in `samples`. */
	readonly offset: Uint32Array;
	/** Per tone: its sample count. */
	readonly count: Uint32Array;
	/** Per tone: how long it sounds, ms. */
	readonly durationMs: Float64Array;

	/** The length of the storage `tones` need at `sampleRate`, in samples. */
	static samplesNeeded(sampleRate: number, tones: readonly ToneSpec[] = CHIME_TONES): number {
		let total = 0;
		for (const tone of tones)
			total += toneSamples(sampleRate, tone.durationMs);
		return total;
	}

	/**
	 * Synthesises every tone into `storage` (the audio driver may need memory
	 * of its own kind: a SharedArrayBuffer for Moddable's AudioOut), or into a
	 * new Int16Array. Allocates the tables; runs once at start.
	 * @throws RangeError when `storage` is too short, or for a tone synthesizeTone refuses.
	 */
	constructor(sampleRate: number, tones: readonly ToneSpec[] = CHIME_TONES, storage?: Int16Array) {
		const needed = ToneBank.samplesNeeded(sampleRate, tones);
		if (storage && storage.length < needed)
			throw new RangeError(`the chime's tones need ${needed} samples at ${sampleRate} Hz, storage has ${storage.length}`);
		this.sampleRate = sampleRate;
		this.tones = tones;
		this.samples = storage ?? new Int16Array(needed);
		this.offset = new Uint32Array(tones.length);
		this.count = new Uint32Array(tones.length);
		this.durationMs = new Float64Array(tones.length);
		let at = 0;
		tones.forEach((tone, t) => {
			const count = synthesizeTone(this.samples, at, sampleRate, tone);
			this.offset[t] = at;
			this.count[t] = count;
			this.durationMs[t] = count * 1000 / sampleRate;
			at += count;
		});
	}
}

/** Where the chime sounds: a speaker, or a trace. Called on the display clock. */
export interface ChimeOutput {
	/** Starts tone `tone` of the bank now, cutting any tone still sounding. */
	start(tone: number): void;
	/** Nothing is to sound any more: cut what still sounds and let the hardware rest. */
	stop(): void;
}

export class Chime {
	readonly bank: ToneBank;
	readonly output: ChimeOutput;
	readonly patterns: readonly ChimePattern[];
	/** Severity of the pattern sounding, -1 for none. */
	playing = -1;
	/** Tones started since the chime was made. */
	tonesPlayed = 0;
	private isMuted = false;
	/** When the pattern's first round started, ms. */
	private startedAt = 0;
	/** The next tone to start: its round, and its step within the round. */
	private round = 0;
	private step = 0;
	/** When the tone last started stops sounding, ms. */
	private endAt = NaN;
	/** The same, kept after the pattern is over (speech waits for it). */
	private lastEndAt = -Infinity;

	/**
	 * A chime playing `bank`'s tones on `output`. Allocates nothing itself.
	 * @throws RangeError for a pattern naming a tone the bank lacks, with
	 * onsets out of order, or whose rounds would overlap.
	 */
	constructor(bank: ToneBank, output: ChimeOutput, patterns: readonly ChimePattern[] = CHIME_PATTERNS) {
		patterns.forEach((pattern, severity) => {
			const { tones, onsetMs } = pattern;
			if (!tones.length || tones.length !== onsetMs.length || onsetMs[0] !== 0 || !(pattern.rounds >= 1))
				throw new RangeError(`chime pattern ${severity}: needs tones, an onset for each (the first 0) and at least one round`);
			for (let i = 0; i < tones.length; i++) {
				if (!(tones[i] >= 0 && tones[i] < bank.tones.length))
					throw new RangeError(`chime pattern ${severity}: no tone ${tones[i]}`);
				if (i > 0 && !(onsetMs[i] > onsetMs[i - 1]))
					throw new RangeError(`chime pattern ${severity}: onsets must ascend`);
			}
			const last = tones.length - 1;
			if (pattern.rounds > 1 && !(pattern.periodMs >= onsetMs[last] + bank.durationMs[tones[last]]))
				throw new RangeError(`chime pattern ${severity}: a round lasts longer than its period`);
		});
		this.bank = bank;
		this.output = output;
		this.patterns = patterns;
	}

	/** Muted, requests are ignored; muting silences a pattern sounding. */
	get muted(): boolean {
		return this.isMuted;
	}
	set muted(value: boolean) {
		this.isMuted = value;
		if (value)
			this.silence();
	}

	/**
	 * Starts the pattern for `severity` (what AlertMonitor.takeChime returns;
	 * -1 does nothing) at `now`; `service` starts its tones. A more severe
	 * pattern sounding carries on; an equal or less severe one is replaced.
	 * Display clock; no allocation.
	 */
	play(severity: number, now: number): void {
		if (severity < 0 || this.isMuted)
			return;
		if (severity >= this.patterns.length)
			severity = this.patterns.length - 1;
		if (this.playing > severity)
			return;
		this.playing = severity;
		this.startedAt = now;
		this.round = 0;
		this.step = 0;
	}

	/**
	 * Once per display tick, after `play`: starts the tone that is due and
	 * stops the output when the pattern is over. `shown` is the severity of
	 * the alert on the pop-up, -1 for none: below the pattern's (acknowledged,
	 * cleared), the pattern stops at once. After a stalled tick only the
	 * latest tone due starts, so tones never pile up. No allocation.
	 */
	service(now: number, shown: number): void {
		const severity = this.playing;
		if (severity < 0)
			return;
		if (shown < severity) {
			this.silence();
			return;
		}
		const pattern = this.patterns[severity];
		const steps = pattern.tones.length;
		let due = -1;
		while (this.round < pattern.rounds) {
			const at = this.startedAt + this.round * pattern.periodMs + pattern.onsetMs[this.step];
			if (at > now)
				break;
			due = pattern.tones[this.step];
			if (++this.step === steps) {
				this.step = 0;
				this.round++;
			}
		}
		if (due >= 0) {
			this.output.start(due);
			this.tonesPlayed++;
			this.endAt = this.lastEndAt = now + this.bank.durationMs[due];
		}
		else if (this.round >= pattern.rounds && now >= this.endAt)
			this.silence();
	}

	/**
	 * When the chime leaves room for speech (speech.ts): the end of the last
	 * tone it started when no round is part-way (between rounds, after the
	 * last, or no pattern sounding; -Infinity before any tone), NaN while a
	 * round is part-way. No allocation.
	 */
	quietFrom(): number {
		if (this.playing >= 0 && !(this.step === 0 && this.round > 0))
			return NaN;
		return this.lastEndAt;
	}

	/**
	 * Starts no tone before `until`: the rounds still to come move back by
	 * as much as it takes (a phrase being spoken between rounds). No allocation.
	 */
	holdUntil(until: number): void {
		if (this.playing < 0)
			return;
		const pattern = this.patterns[this.playing];
		if (this.round >= pattern.rounds)
			return;
		const next = this.startedAt + this.round * pattern.periodMs + pattern.onsetMs[this.step];
		if (next < until)
			this.startedAt += until - next;
	}

	/** Stops the pattern sounding, at once. No allocation. */
	silence(): void {
		if (this.playing < 0)
			return;
		this.playing = -1;
		this.endAt = NaN;
		this.output.stop();
	}
}
