/*
 * Spoken alerts: beside the chime, the alert that comes to the pop-up is
 * said aloud ("Engine hot: ease off") on boards with a speaker.
 *
 * The phrases are not synthesised here: the host's build runs espeak-ng over
 * every alert rule's message (tools/speech.ts) and the firmware plays the
 * audio resources it made, named by alert id. This part only decides what to
 * say and when, by the same rules a car's voice prompts follow:
 * - an alert is spoken once, when it comes to the pop-up asking for its
 *   chime (raised, or its reminder); one hidden under a worse alert is
 *   spoken when its turn comes, as it chimes then;
 * - after the chime: a phrase starts once the chime's round is over
 *   (SPEECH_GAP_MS later), and a critical chime's further rounds wait until
 *   the phrase is over; with the chime muted, it is spoken at once;
 * - never two at once: a phrase is never cut for another; the newest alert
 *   waits its turn, and is dropped if it left the pop-up meanwhile;
 * - acknowledging the alert, or its clearing, stops its phrase at once;
 * - speech off (the driver's `speech` setting), or an alert without a
 *   phrase, says nothing; a board without a speaker has no Speech at all.
 *
 * Handed its output (the speaker, or a trace line in the simulator) and the
 * time; never reaches for hardware or a clock. Runs on XS and Node; the
 * constructor allocates its table, `request`, `service` and `enabled`
 * allocate nothing, so they run on the display clock.
 */
import type { Chime } from "./chime.js";

/** Quiet between the chime's last tone and the phrase, and after the phrase before the chime goes on, ms. */
export const SPEECH_GAP_MS = 200;

/** Where the phrases are said: a speaker, or a trace. Called on the display clock. */
export interface SpeechOutput {
	/** Starts saying the phrase of alert rule `rule` now. */
	say(rule: number): void;
	/** Nothing is to be said any more (the phrase is over, or cut): cut what still sounds and let the hardware rest. */
	stop(): void;
}

export class Speech {
	readonly output: SpeechOutput;
	/** Per alert rule: how long its phrase lasts, ms; NaN for a rule with no phrase. */
	readonly phraseMs: Float64Array;
	/** Rule whose phrase is being said, -1 for none. */
	speaking = -1;
	/** Rule waiting to be said, -1 for none. */
	pending = -1;
	/** Phrases started since the part was made. */
	spoken = 0;
	private readonly chime: Chime | null;
	private readonly gapMs: number;
	private isEnabled = true;
	/** When the phrase being said is over, ms. */
	private endAt = NaN;

	/**
	 * Speech for alert rules whose phrases last `phraseMs` (by rule index, NaN
	 * for none), said on `output` after `chime`'s rounds (null: no chime to
	 * wait for). Allocates a copy of the table.
	 * @throws RangeError for a phrase length that is not NaN and not above 0.
	 */
	constructor(phraseMs: ArrayLike<number>, output: SpeechOutput, chime: Chime | null = null, gapMs = SPEECH_GAP_MS) {
		this.phraseMs = new Float64Array(phraseMs.length);
		for (let r = 0; r < phraseMs.length; r++) {
			const ms = phraseMs[r];
			if (ms === ms && !(ms > 0 && ms < Infinity))
				throw new RangeError(`speech: rule ${r}'s phrase lasts ${ms} ms`);
			this.phraseMs[r] = ms;
		}
		this.output = output;
		this.chime = chime;
		this.gapMs = gapMs;
	}

	/** How many rules have a phrase. */
	get phrases(): number {
		let count = 0;
		for (let r = 0; r < this.phraseMs.length; r++)
			if (this.phraseMs[r] === this.phraseMs[r])
				count++;
		return count;
	}

	/** Off (the driver's setting), nothing is said and a phrase being said stops. */
	get enabled(): boolean {
		return this.isEnabled;
	}
	set enabled(value: boolean) {
		this.isEnabled = value;
		if (!value) {
			this.pending = -1;
			this.stop();
		}
	}

	/**
	 * Alert rule `rule` came to the pop-up asking for its chime
	 * (AlertMonitor.takeChime returned a severity): say it when its turn
	 * comes. It replaces one still waiting. No allocation.
	 */
	request(rule: number): void {
		if (!this.isEnabled || !(rule >= 0 && rule < this.phraseMs.length) || this.phraseMs[rule] !== this.phraseMs[rule])
			return;
		this.pending = rule;
	}

	/**
	 * Once per display tick, after the chime's own `service`: stops a phrase
	 * whose alert left the pop-up (`shown`, the rule on it, -1 for none),
	 * notices the end of one, and starts the one waiting when the chime
	 * leaves room. No allocation.
	 */
	service(now: number, shown: number): void {
		if (this.speaking >= 0) {
			if (this.speaking === shown && now < this.endAt)
				return;
			this.stop(); // over, or its alert left the pop-up
		}
		const rule = this.pending;
		if (rule < 0)
			return;
		if (rule !== shown) {
			this.pending = -1; // acknowledged, cleared, or outranked before its turn
			return;
		}
		const chime = this.chime;
		if (chime) {
			const quiet = chime.quietFrom();
			if (!(now >= quiet + this.gapMs))
				return;
		}
		this.pending = -1;
		this.speaking = rule;
		this.endAt = now + this.phraseMs[rule];
		this.spoken++;
		this.output.say(rule);
		chime?.holdUntil(this.endAt + this.gapMs);
	}

	/** Stops the phrase being said, at once. No allocation. */
	stop(): void {
		if (this.speaking < 0)
			return;
		this.speaking = -1;
		this.endAt = NaN;
		this.output.stop();
	}
}

/** The resource holding alert `id`'s phrase: "say-coolant-hot.maud", from say-coolant-hot.wav (tools/speech.ts writes those). */
export function phraseResource(id: string): string {
	return `${PHRASE_PREFIX}${id}.maud`;
}

/** The phrases' file names start with this, then the alert id. */
export const PHRASE_PREFIX = "say-";

/**
 * The phrase table for `rules`: `lengthOf(id)` is the length of the phrase
 * for alert id `id` in ms, NaN (or anything not above 0) when there is none.
 * Allocates the table; at start.
 */
export function phraseLengths(rules: ReadonlyArray<{ readonly id: string }>, lengthOf: (id: string) => number): Float64Array {
	const table = new Float64Array(rules.length);
	for (let r = 0; r < rules.length; r++) {
		const ms = lengthOf(rules[r].id);
		table[r] = ms > 0 && ms < Infinity ? ms : NaN;
	}
	return table;
}

/**
 * The length of a MAUD audio resource (the SDK's "Moddable Audio": `ma`,
 * version, bits per sample, rate, channels, format, sample count), ms; NaN
 * when `bytes` is not one. No allocation beyond a DataView.
 */
export function maudLengthMs(bytes: ArrayBuffer): number {
	if (bytes.byteLength < 12)
		return NaN;
	const view = new DataView(bytes);
	if (view.getUint8(0) !== 0x6D || view.getUint8(1) !== 0x61)
		return NaN;
	const rate = view.getUint16(4, true), count = view.getUint32(8, true);
	return rate > 0 && count > 0 ? count * 1000 / rate : NaN;
}
