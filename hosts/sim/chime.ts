/*
 * The alert chime in the simulator: traced, not heard. Moddable's simulator
 * (mcsim, `-p lin` or `-p sim/<device>`) has no audio out on Linux:
 * - `pins/audioout`, what the M5Stack target plays through, compiles for
 *   Linux with an empty platform branch (SDK 8.2.3,
 *   modules/pins/i2s/audioout.c): `start` does nothing and no sample is
 *   ever rendered, so nothing would be heard and its queue never drains;
 * - the ECMA-419 `embedded:io/audio/out` has an ALSA backend for Linux, but
 *   it needs libasound2-dev to build and a sound device to open, which
 *   `npm start` does not ask for (and the simulator's own device panes have
 *   no speaker).
 * So the same Chime runs on the same ToneBank (synthesised at the M5Stack's
 * 11,025 Hz, as on the board) and each tone it starts is a trace line
 * ("chime: urgent 987.77 Hz 150 ms"), and so is the end of each pattern
 * ("chime: stop"), which xsbug or xsbug-log shows.
 * Runs on XS (simulator); allocates the bank at start and a trace line per
 * tone or stop, nothing per display tick.
 */
import { CHIME_TONES, Chime, ToneBank } from "cluster/chime";

/** The M5Stack's audio rate, so the simulator synthesises what the board does. */
const SAMPLE_RATE = 11025;

/** A chime that traces its tones; never null in the simulator. */
export function openChime(): Chime | null {
	const bank = new ToneBank(SAMPLE_RATE, CHIME_TONES);
	return new Chime(bank, {
		start(tone) {
			const spec = bank.tones[tone];
			trace(`chime: ${spec.name} ${spec.frequency} Hz ${spec.durationMs} ms\n`);
		},
		stop() {
			trace("chime: stop\n");
		},
	});
}
