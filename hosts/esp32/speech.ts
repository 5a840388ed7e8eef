/*
 * Spoken alerts on the ESP32, through the board's speaker (speaker.ts, the
 * chime's `pins/audioout`, on a stream of their own); null on a board
 * without one, or when the build made no phrases.
 *
 * The phrases are resources the build made (tools/speech.ts runs espeak-ng
 * in each of the build's languages; mcconfig's wav2maud turns each WAV into
 * the target's audio format, IMA ADPCM at its sample rate: about 6 KB a
 * second of speech at 11,025 Hz), named by language and alert id, mapped
 * from flash: playing one copies nothing. A phrase is one `Samples` entry,
 * the one of the driver's language (Speech picks it); AudioOut decodes it as
 * it plays. Its length comes from its MAUD header, plus the output's
 * buffering, so the stream is not flushed before the last samples have left.
 * Runs on XS (ESP32); allocates the tables at start, nothing per display tick.
 */
import Resource from "Resource";
import type { Chime } from "cluster/chime";
import { Speech, readPhraseBook } from "cluster/speech";
import { Stream, openSpeaker } from "host/speaker";

/** The audio out's DMA buffers hold about this much sound, ms (two of 768 bytes at 11,025 Hz, 16-bit). */
const OUTPUT_LATENCY_MS = 80;

/** Spoken alerts for `rules` after `chime`; null without a speaker or phrases. */
export function openSpeech(rules: ReadonlyArray<{ readonly id: string }>, chime: Chime | null): Speech | null {
	const speaker = openSpeaker();
	if (!speaker)
		return null;
	const { audio, AudioOut } = speaker;
	const book = readPhraseBook(rules, name => Resource.exists(name) ? new Resource(name) as unknown as ArrayBuffer : null, OUTPUT_LATENCY_MS);
	const speech = book.languages.length ? new Speech(book, {
		say(rule, language) {
			audio.enqueue(Stream.speech, AudioOut.Flush);
			audio.enqueue(Stream.speech, AudioOut.Samples, book.sounds[language][rule] as unknown as HostBuffer);
			speaker.play(Stream.speech);
		},
		stop() {
			speaker.rest(Stream.speech);
		},
	}, chime) : null;
	if (!speech?.phrases) {
		trace("speech: this build has no phrases (`npm run speech` makes them with espeak-ng)\n");
		return null;
	}
	return speech;
}
