/*
 * The board's speaker, shared by the chime (stream 0) and spoken alerts
 * (stream 1): one `pins/audioout` for both, as the board has one DAC or I2S
 * amplifier. Targets with a speaker (M5Stack, M5Stack Fire, Core2...)
 * preload `pins/audioout` with their audio configured (the M5Stack: its DAC
 * at 11,025 Hz, 16-bit mono); targets without one do not build it, and
 * `openSpeaker` returns null. Whether it is there is asked at run time
 * (`Modules.has`), so one host module serves every board.
 *
 * The output runs only while a stream has something to play: `play(stream)`
 * starts it, `rest(stream)` flushes that stream and stops the output once
 * no stream plays. Runs on XS (ESP32); allocates the AudioOut once, when
 * first opened; nothing per display tick.
 */
import Modules from "modules";
import type AudioOutClass from "pins/audioout";

export const Stream = Object.freeze({ chime: 0, speech: 1 });

export interface Speaker {
	readonly audio: AudioOutClass;
	readonly AudioOut: typeof AudioOutClass;
	/** `stream` has queued something: the output runs. */
	play(stream: number): void;
	/** `stream` is done (or cut): its queue is flushed, and the output stops when no stream plays. */
	rest(stream: number): void;
}

let opened: Speaker | null | undefined;

/** The speaker, opened once and shared; null when the board has none (or its output is not 16-bit mono). */
export function openSpeaker(): Speaker | null {
	if (opened !== undefined)
		return opened;
	opened = null;
	if (!Modules.has("pins/audioout"))
		return null;
	const AudioOut = Modules.importNow("pins/audioout") as typeof AudioOutClass;
	let audio: AudioOutClass;
	try {
		audio = new AudioOut({ streams: 2 });
	}
	catch (error) {
		trace(`speaker: no audio out (${error})\n`);
		return null;
	}
	if (audio.bitsPerSample !== 16 || audio.numChannels !== 1) {
		trace(`speaker: audio out is ${audio.bitsPerSample}-bit, ${audio.numChannels} channels; the chime and speech need 16-bit mono\n`);
		audio.close();
		return null;
	}
	let playing = 0;
	opened = {
		audio, AudioOut,
		play(stream) {
			if (!playing)
				audio.start();
			playing |= 1 << stream;
		},
		rest(stream) {
			audio.enqueue(stream, AudioOut.Flush);
			const was = playing;
			playing &= ~(1 << stream);
			if (was && !playing)
				audio.stop();
		},
	};
	return opened;
}
