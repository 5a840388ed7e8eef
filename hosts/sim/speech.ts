/*
 * Spoken alerts in the simulator: traced, not heard, as the chime is
 * (hosts/sim/chime.ts: mcsim has no audio out on Linux). The build made the
 * phrases all the same (tools/speech.ts: espeak-ng, then mcconfig's
 * wav2maud), so the same Speech runs on the same phrase lengths, read from
 * the resources' MAUD headers, and each phrase it starts is a trace line
 * with what it says and for how long (`speech: "Engine hot" (0.9 s)`), as is
 * the end of each, said in full or cut short (`speech: stop`).
 * Runs on XS (simulator); allocates the table at start and a trace line per
 * phrase, nothing per display tick.
 */
import Resource from "Resource";
import type { Chime } from "cluster/chime";
import { Speech, maudLengthMs, phraseLengths, phraseResource } from "cluster/speech";

/** Spoken alerts for `rules`, after `chime`; null when the build made no phrases (no espeak-ng). */
export function openSpeech(rules: ReadonlyArray<{ readonly id: string; readonly message: string }>, chime: Chime | null): Speech | null {
	const lengths = phraseLengths(rules, id => {
		const name = phraseResource(id);
		return Resource.exists(name) ? maudLengthMs(new Resource(name) as unknown as ArrayBuffer) : NaN;
	});
	const speech = new Speech(lengths, {
		say(rule) {
			trace(`speech: "${rules[rule].message}" (${(lengths[rule] / 1000).toFixed(1)} s)\n`);
		},
		stop() {
			trace("speech: stop\n");
		},
	}, chime);
	if (!speech.phrases) {
		trace("speech: this build has no phrases (`npm run speech` makes them with espeak-ng)\n");
		return null;
	}
	return speech;
}
