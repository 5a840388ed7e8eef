/*
 * Spoken alerts in the simulator: traced, not heard, as the chime is
 * (hosts/sim/chime.ts: mcsim has no audio out on Linux). The build made the
 * phrases all the same (tools/speech.ts: espeak-ng in each of the build's
 * languages, then mcconfig's wav2maud), so the same Speech runs on the same
 * phrase lengths, read from the resources' MAUD headers, and each phrase it
 * starts is a trace line with what it says, in which language and for how
 * long (`speech: "Motor heiß" (de, 0.9 s)`; a phrase with no translation
 * says so: `(en for de, ...)`), as is the end of each, said in full or cut
 * short (`speech: stop`).
 * Runs on XS (simulator); allocates the tables at start and a trace line per
 * phrase, nothing per display tick.
 */
import Resource from "Resource";
import type { Chime } from "cluster/chime";
import { spokenPhrase } from "cluster/phrases";
import { Speech, readPhraseBook } from "cluster/speech";

/** Spoken alerts for `rules`, after `chime`; null when the build made no phrases (no espeak-ng). */
export function openSpeech(rules: ReadonlyArray<{ readonly id: string; readonly message: string }>, chime: Chime | null): Speech | null {
	const book = readPhraseBook(rules, name => Resource.exists(name) ? new Resource(name) as unknown as ArrayBuffer : null);
	const speech = book.languages.length ? new Speech(book, {
		say(rule, language) {
			const tag = book.languages[language], phrase = spokenPhrase(rules[rule].id, rules[rule].message, tag);
			const said = phrase.language === tag ? tag : `${phrase.language} for ${tag}`;
			trace(`speech: "${phrase.text}" (${said}, ${(book.lengths[language][rule] / 1000).toFixed(1)} s)\n`);
		},
		stop() {
			trace("speech: stop\n");
		},
	}, chime) : null;
	if (!speech?.phrases) {
		trace("speech: this build has no phrases (`npm run speech` makes them with espeak-ng)\n");
		return null;
	}
	trace(`speech: phrases in ${book.languages.join(", ")}\n`);
	return speech;
}
