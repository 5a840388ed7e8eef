/*
 * The alert chime on the ESP32, through Moddable's `pins/audioout` where the
 * board has a speaker: targets with one (M5Stack, M5Stack Fire, Core2...)
 * preload `pins/audioout` with their audio configured (the M5Stack: its DAC
 * at 11,025 Hz, 16-bit mono); targets without one (Moddable Two, the DevKit
 * with an ILI9341) do not build it, and `openChime` returns null. Whether it
 * is there is asked at run time (`Modules.has`), so one host module serves
 * every board.
 *
 * The tones are synthesised once, at the output's own sample rate, into a
 * SharedArrayBuffer: AudioOut plays samples only from memory the garbage
 * collector never moves ("non-relocatable block required"), which an
 * ordinary ArrayBuffer is not. A tone is one `RawSamples` entry on stream 0,
 * after a `Flush` so it cuts the one before; the output runs only while a
 * pattern sounds. Runs on XS (ESP32); allocates the bank and the AudioOut at
 * start (about 21 KB of samples at 11,025 Hz), nothing per display tick.
 */
import Modules from "modules";
import type AudioOutClass from "pins/audioout";
import { CHIME_TONES, Chime, ToneBank } from "cluster/chime";

/** The board's speaker as a chime, or null when the board has none (or its output is not 16-bit mono). */
export function openChime(): Chime | null {
	if (!Modules.has("pins/audioout"))
		return null;
	const AudioOut = Modules.importNow("pins/audioout") as typeof AudioOutClass;
	let audio: AudioOutClass;
	try {
		audio = new AudioOut({ streams: 1 });
	}
	catch (error) {
		trace(`chime: no audio out (${error})\n`);
		return null;
	}
	if (audio.bitsPerSample !== 16 || audio.numChannels !== 1) {
		trace(`chime: audio out is ${audio.bitsPerSample}-bit, ${audio.numChannels} channels; the chime needs 16-bit mono\n`);
		audio.close();
		return null;
	}
	const sampleRate = audio.sampleRate;
	const buffer = new SharedArrayBuffer(ToneBank.samplesNeeded(sampleRate, CHIME_TONES) * 2);
	const bank = new ToneBank(sampleRate, CHIME_TONES, new Int16Array(buffer));
	// AudioOut's typings take a HostBuffer; a SharedArrayBuffer is one to the native code.
	const samples = buffer as unknown as HostBuffer;
	let running = false;
	return new Chime(bank, {
		start(tone) {
			audio.enqueue(0, AudioOut.Flush);
			audio.enqueue(0, AudioOut.RawSamples, samples, 1, bank.offset[tone], bank.count[tone]);
			if (!running) {
				audio.start();
				running = true;
			}
		},
		stop() {
			audio.enqueue(0, AudioOut.Flush);
			if (running) {
				audio.stop();
				running = false;
			}
		},
	});
}
