/*
 * Spoken alerts: beside the chime, the alert that comes to the pop-up is
 * said aloud ("Engine hot: ease off") on boards with a speaker, in the
 * current driver's language where the build has it.
 *
 * The phrases are not synthesised here: the host's build runs espeak-ng over
 * every alert rule's phrase in each language the build carries
 * (tools/speech.ts, the table in phrases.ts) and the firmware plays the
 * audio resources it made, named by language and alert id
 * (`phraseResource`). This part only decides what to say, in which of the
 * build's languages, and when, by the same rules a car's voice prompts follow:
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
 *   phrase, says nothing; a board without a speaker has no Speech at all;
 * - in the driver's language (`speakIn`); a language the build lacks, or a
 *   phrase missing in it, is said in the build's first language.
 *
 * Handed its output (the speaker, or a trace line in the simulator) and the
 * time; never reaches for hardware or a clock. Runs on XS and Node; the
 * constructor allocates its tables, `request`, `service`, `speakIn` and
 * `enabled` allocate nothing, so they run on the display clock.
 */
import type { Chime } from "./chime.js";
import { isLanguage } from "./phrases.js";

/** Quiet between the chime's last tone and the phrase, and after the phrase before the chime goes on, ms. */
export const SPEECH_GAP_MS = 200;

/** Where the phrases are said: a speaker, or a trace. Called on the display clock. */
export interface SpeechOutput {
	/** Starts saying the phrase of alert rule `rule` in language `language` (an index into Speech.languages) now. */
	say(rule: number, language: number): void;
	/** Nothing is to be said any more (the phrase is over, or cut): cut what still sounds and let the hardware rest. */
	stop(): void;
}

/** The phrases a build made: its languages (the first is the default) and, per language, each rule's phrase length. */
export interface PhraseLengths {
	/** Language tags ("en", "de"), in the build's order. */
	readonly languages: readonly string[];
	/** Per language (as `languages`), per alert rule: how long its phrase lasts, ms; NaN for none. */
	readonly lengths: ReadonlyArray<ArrayLike<number>>;
}

export class Speech {
	readonly output: SpeechOutput;
	/** The build's languages; the first is said when the driver's is not among them. */
	readonly languages: readonly string[];
	/** Per language, per alert rule: how long its phrase lasts, ms; NaN for a rule with no phrase. */
	readonly phraseMs: Float64Array[];
	/** Rule whose phrase is being said, -1 for none. */
	speaking = -1;
	/** Rule waiting to be said, -1 for none. */
	pending = -1;
	/** Phrases started since the part was made. */
	spoken = 0;
	/** The language phrases are said in now (an index into `languages`). */
	language = 0;
	private readonly chime: Chime | null;
	private readonly gapMs: number;
	private isEnabled = true;
	/** When the phrase being said is over, ms. */
	private endAt = NaN;

	/**
	 * Speech for alert rules whose phrases last `book.lengths` (by language,
	 * then rule index, NaN for none), said on `output` after `chime`'s rounds
	 * (null: no chime to wait for). Allocates a copy of the tables.
	 * @throws RangeError for no languages, a table per language missing, or a
	 * phrase length that is not NaN and not above 0.
	 */
	constructor(book: PhraseLengths, output: SpeechOutput, chime: Chime | null = null, gapMs = SPEECH_GAP_MS) {
		if (!book.languages.length || book.lengths.length !== book.languages.length)
			throw new RangeError(`speech: ${book.lengths.length} phrase tables for ${book.languages.length} languages`);
		this.languages = book.languages.slice();
		this.phraseMs = [];
		const rules = book.lengths[0].length;
		for (let l = 0; l < book.lengths.length; l++) {
			const from = book.lengths[l], table = new Float64Array(rules);
			for (let r = 0; r < rules; r++) {
				const ms = r < from.length ? from[r] : NaN;
				if (ms === ms && !(ms > 0 && ms < Infinity))
					throw new RangeError(`speech: rule ${r}'s phrase in ${book.languages[l]} lasts ${ms} ms`);
				table[r] = ms;
			}
			this.phraseMs.push(table);
		}
		this.output = output;
		this.chime = chime;
		this.gapMs = gapMs;
	}

	/** How many rules have a phrase (in some language). */
	get phrases(): number {
		let count = 0;
		for (let r = 0; r < this.phraseMs[0].length; r++)
			if (this.languageFor(r, 0) >= 0)
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
	 * Says the next phrases in language `tag` (the driver's), or in the
	 * build's first language when the build lacks it; a phrase being said
	 * goes on. Returns the tag said from now on. No allocation.
	 */
	speakIn(tag: string): string {
		const index = this.languages.indexOf(tag);
		this.language = index >= 0 ? index : 0;
		return this.languages[this.language];
	}

	/**
	 * Alert rule `rule` came to the pop-up asking for its chime
	 * (AlertMonitor.takeChime returned a severity): say it when its turn
	 * comes. It replaces one still waiting. No allocation.
	 */
	request(rule: number): void {
		if (!this.isEnabled || !(rule >= 0 && rule < this.phraseMs[0].length) || this.languageFor(rule, this.language) < 0)
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
		const language = this.languageFor(rule, this.language);
		this.pending = -1;
		if (language < 0)
			return;
		this.speaking = rule;
		this.endAt = now + this.phraseMs[language][rule];
		this.spoken++;
		this.output.say(rule, language);
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

	/** The language rule `rule` is said in when `language` is asked for: it, else the first, -1 for neither. */
	private languageFor(rule: number, language: number): number {
		const ms = this.phraseMs[language][rule];
		if (ms === ms)
			return language;
		return this.phraseMs[0][rule] === this.phraseMs[0][rule] ? 0 : -1;
	}
}

/** The phrases' file names start with this, then the language and the alert id. */
export const PHRASE_PREFIX = "say-";

/** The resource listing the build's languages, comma-separated, the default first ("en,de"): tools/speech.ts writes it beside the phrases. */
export const LANGUAGES_RESOURCE = "say-languages.txt";

/**
 * The resource holding alert `id`'s phrase in `language`:
 * "say-de-coolant-hot.maud", from say-de-coolant-hot.wav (tools/speech.ts
 * writes those). Language tags have no dash, so the name reads back. Allocates.
 */
export function phraseResource(language: string, id: string): string {
	return `${PHRASE_PREFIX}${language}-${id}.maud`;
}

/**
 * The build's languages from the text of LANGUAGES_RESOURCE ("en,de\n"):
 * the tags phrases.ts knows, in order, each once. Allocates; at start.
 */
export function parseLanguageList(text: string): string[] {
	const languages: string[] = [];
	for (const part of text.split(",")) {
		const tag = part.trim();
		if (isLanguage(tag) && languages.indexOf(tag) < 0)
			languages.push(tag);
	}
	return languages;
}

/** ASCII bytes (a resource) as a string. Allocates; at start. */
export function asciiText(bytes: ArrayBuffer): string {
	const view = new Uint8Array(bytes);
	let text = "";
	for (let i = 0; i < view.length; i++)
		text += String.fromCharCode(view[i]);
	return text;
}

/** A build's phrases: PhraseLengths, and each phrase's sound (the resource) by language, then rule; null for none. */
export interface PhraseBook extends PhraseLengths {
	readonly sounds: ReadonlyArray<ReadonlyArray<ArrayBuffer | null>>;
}

/**
 * The phrases the build made for `rules`: the languages LANGUAGES_RESOURCE
 * lists, and for each, every rule's resource (`open(name)`, null when the
 * build has none) and its length from its MAUD header plus `extraMs`. No
 * list, no languages. Allocates the tables; at start.
 */
export function readPhraseBook(rules: ReadonlyArray<{ readonly id: string }>, open: (name: string) => ArrayBuffer | null, extraMs = 0): PhraseBook {
	const list = open(LANGUAGES_RESOURCE);
	const languages = list ? parseLanguageList(asciiText(list)) : [];
	const lengths: Float64Array[] = [], sounds: Array<Array<ArrayBuffer | null>> = [];
	for (const language of languages) {
		const sound: Array<ArrayBuffer | null> = [];
		lengths.push(phraseLengths(rules, id => {
			const bytes = open(phraseResource(language, id));
			sound.push(bytes);
			return bytes ? maudLengthMs(bytes) + extraMs : NaN;
		}));
		sounds.push(sound);
	}
	return { languages, lengths, sounds };
}

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
