/*
 * The alert chime on the ESP32, through the board's speaker (speaker.ts:
 * `pins/audioout`, shared with spoken alerts); null on a board without one.
 *
 * The tones are synthesised once, at the output's own sample rate, into a
 * SharedArrayBuffer: AudioOut plays samples only from memory the garbage
 * collector never moves ("non-relocatable block required"), which an
 * ordinary ArrayBuffer is not. A tone is one `RawSamples` entry on the
 * chime's stream, after a `Flush` so it cuts the one before; the output runs
 * only while something sounds. Runs on XS (ESP32); allocates the bank at
 * start (about 21 KB of samples at 11,025 Hz), nothing per display tick.
 */
import { CHIME_TONES, Chime, ToneBank } from "cluster/chime";
import { Stream, openSpeaker } from "host/speaker";

/** The board's speaker as a chime, or null when the board has none. */
export function openChime(): Chime | null {
	const speaker = openSpeaker();
	if (!speaker)
		return null;
	const { audio, AudioOut } = speaker;
	const sampleRate = audio.sampleRate;
	const buffer = new SharedArrayBuffer(ToneBank.samplesNeeded(sampleRate, CHIME_TONES) * 2);
	const bank = new ToneBank(sampleRate, CHIME_TONES, new Int16Array(buffer));
	// AudioOut's typings take a HostBuffer; a SharedArrayBuffer is one to the native code.
	const samples = buffer as unknown as HostBuffer;
	return new Chime(bank, {
		start(tone) {
			audio.enqueue(Stream.chime, AudioOut.Flush);
			audio.enqueue(Stream.chime, AudioOut.RawSamples, samples, 1, bank.offset[tone], bank.count[tone]);
			speaker.play(Stream.chime);
		},
		stop() {
			speaker.rest(Stream.chime);
		},
	});
}
