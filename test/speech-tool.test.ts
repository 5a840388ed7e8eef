/*
 * The phrases' build step (tools/speech.ts): one WAV per alert id, written
 * only when it changed, stale ones removed, one clear line when espeak-ng is
 * missing or refuses the voice; then the real espeak-ng (Debian's
 * `espeak-ng`) and, with the Moddable SDK, its wav2maud turning a phrase
 * into the IMA ADPCM MAUD resource the ESP32 plays, whose length the
 * firmware reads from its header. Node (vitest).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { maudLengthMs } from "../modules/cluster/speech.js";
import { alertPhrases, describeSynthesis, synthesizePhrases, wavSeconds, type RunResult } from "../tools/speech.js";

const folders: string[] = [];
function folder(): string {
	const dir = mkdtempSync(join(tmpdir(), "xs-cluster-speech-test-"));
	folders.push(dir);
	return dir;
}
afterEach(() => {
	for (const dir of folders.splice(0))
		rmSync(dir, { recursive: true, force: true });
});

/** A WAV of `samples` 16-bit mono samples at `rate`, every sample `value`. */
function wav(samples: number, rate = 22050, value = 0): Uint8Array {
	const bytes = new Uint8Array(44 + 2 * samples), view = new DataView(bytes.buffer);
	const text = (at: number, s: string) => [...s].forEach((c, i) => bytes[at + i] = c.charCodeAt(0));
	text(0, "RIFF");
	view.setUint32(4, 36 + 2 * samples, true);
	text(8, "WAVE");
	text(12, "fmt ");
	view.setUint32(16, 16, true);
	view.setUint16(20, 1, true);
	view.setUint16(22, 1, true);
	view.setUint32(24, rate, true);
	view.setUint32(28, rate * 2, true);
	view.setUint16(32, 2, true);
	view.setUint16(34, 16, true);
	text(36, "data");
	view.setUint32(40, 2 * samples, true);
	for (let i = 0; i < samples; i++)
		view.setInt16(44 + 2 * i, value, true);
	return bytes;
}

/** A stand-in for espeak-ng: `-w FILE TEXT` writes a WAV as long as the text (100 ms a letter). */
function fakeEspeak(calls: string[][], voices = ["en", "en-gb"]) {
	return (command: string, args: string[]): RunResult => {
		calls.push([command, ...args]);
		const voice = args[args.indexOf("-v") + 1], file = args[args.indexOf("-w") + 1], text = args.at(-1)!;
		if (!voices.includes(voice))
			return { status: 1, stderr: `Failed to read voice '${voice}'\n` };
		writeFileSync(file, wav(text.length * 2205));
		return { status: 0, stderr: "" };
	};
}

describe("speech build step", () => {
	test("one-wav-per-alert-id, rewritten-only-when-it-changed, stale-ones-removed", () => {
		const dir = folder(), calls: string[][] = [];
		writeFileSync(join(dir, "say-old-alert.wav"), wav(10));
		writeFileSync(join(dir, "notes.txt"), "kept");
		const first = synthesizePhrases({ dir, voice: "en", run: fakeEspeak(calls) });
		if (typeof first === "string")
			throw new Error(first);
		const ids = alertPhrases().map(p => p.id);
		expect(ids).toEqual(expect.arrayContaining(["coolant-hot", "oil-pressure-low", "fuel-low", "check-engine"]));
		expect(first.written.sort()).toEqual(ids.map(id => `say-${id}.wav`).sort());
		expect(first.removed).toEqual(["say-old-alert.wav"]);
		expect(readdirSync(dir).sort()).toEqual(["notes.txt", ...ids.map(id => `say-${id}.wav`)].sort());
		// What espeak-ng is asked: the voice, the file, the alert's message.
		expect(calls[0].slice(0, 3)).toEqual(["espeak-ng", "-v", "en"]);
		expect(calls.map(c => c.at(-1))).toEqual(alertPhrases().map(p => p.message));
		const seconds = alertPhrases().reduce((sum, p) => sum + p.message.length * 0.1, 0);
		expect(first.seconds).toBeCloseTo(seconds, 6);
		// Again: nothing changes, so make converts nothing again.
		const again = synthesizePhrases({ dir, voice: "en", run: fakeEspeak(calls) });
		expect(again).toMatchObject({ written: [], unchanged: ids.length, removed: [] });
		expect(describeSynthesis(again as Exclude<typeof again, string>, "en", "hosts/speech/phrases"))
			.toBe(`xs-cluster: speech: ${ids.length} alert phrases in voice 'en', ${seconds.toFixed(1)} s in all, in hosts/speech/phrases (${ids.length} unchanged)`);
	});

	test("a-missing-espeak-or-an-unknown-voice-is-one-line, and-nothing-is-removed", () => {
		const dir = folder();
		writeFileSync(join(dir, "say-coolant-hot.wav"), wav(10));
		const missing = synthesizePhrases({ dir, voice: "en", espeak: "/nowhere/espeak-ng", run: () => ({ status: null, stderr: "spawnSync /nowhere/espeak-ng ENOENT" }) });
		expect(missing).toMatch(/^xs-cluster: speech: cannot run \/nowhere\/espeak-ng \(spawnSync \/nowhere\/espeak-ng ENOENT\); install Debian's espeak-ng/);
		const voice = synthesizePhrases({ dir, voice: "tlh", run: fakeEspeak([]) });
		expect(voice).toMatch(/^xs-cluster: speech: espeak-ng -v tlh failed on '.+': Failed to read voice 'tlh' \(its voices: espeak-ng --voices\)$/);
		expect(readdirSync(dir)).toEqual(["say-coolant-hot.wav"]);
	});

	test("wav-seconds-from-its-fmt-and-data-chunks", () => {
		expect(wavSeconds(wav(22050))).toBe(1);
		expect(wavSeconds(wav(11025, 11025))).toBe(1);
		expect(wavSeconds(new Uint8Array(8))).toBeNaN();
		const riffOnly = wav(100).slice(0, 36);
		expect(wavSeconds(riffOnly)).toBeNaN();
	});
});

const espeak = spawnSync("espeak-ng", ["--version"], { encoding: "utf8" });
const hasEspeak = !espeak.error && espeak.status === 0;
const moddable = process.env.MODDABLE;
const wav2maud = moddable ? join(moddable, "build", "bin", "lin", "release", "wav2maud") : "";
const hasWav2maud = !!moddable && existsSync(wav2maud);

// Under CI, whose .ci/run installs espeak-ng, a missing one fails the suite instead of skipping it.
const runEspeak = hasEspeak || !!process.env.CI;
(runEspeak ? describe : describe.skip)(runEspeak ? "speech with Debian's espeak-ng" : "speech with espeak-ng (skipped: espeak-ng not installed; apt-get install espeak-ng)", () => {
	test("real-phrases: said, the-same-bytes-each-time, and-an-unknown-voice-refused", () => {
		const dir = folder();
		const phrases = [{ id: "coolant-hot", message: "Engine hot" }, { id: "oil-pressure-low", message: "Oil pressure low: stop engine" }];
		const made = synthesizePhrases({ dir, voice: "en", phrases });
		if (typeof made === "string")
			throw new Error(made);
		const short = wavSeconds(readFileSync(join(dir, "say-coolant-hot.wav")));
		const long = wavSeconds(readFileSync(join(dir, "say-oil-pressure-low.wav")));
		// A couple of words, then a sentence: seconds, the longer message longer.
		expect(short).toBeGreaterThan(0.4);
		expect(short).toBeLessThan(3);
		expect(long).toBeGreaterThan(short);
		expect(synthesizePhrases({ dir, voice: "en", phrases })).toMatchObject({ written: [], unchanged: 2 });
		expect(synthesizePhrases({ dir, voice: "tlh", phrases })).toMatch(/^xs-cluster: speech: espeak-ng -v tlh failed on .+: Error: The specified espeak-ng voice does not exist/);
	});

	(hasWav2maud ? test : test.skip)(hasWav2maud ? "wav2maud: the-esp32's-ima-resource, and-its-length-from-the-header" : "wav2maud (skipped: no Moddable SDK tools at $MODDABLE)", () => {
		const dir = folder(), out = folder();
		const made = synthesizePhrases({ dir, voice: "en", phrases: [{ id: "fuel-low", message: "Fuel low" }] });
		if (typeof made === "string")
			throw new Error(made);
		const seconds = wavSeconds(readFileSync(join(dir, "say-fuel-low.wav")));
		// As mcconfig runs it for the M5Stack with hosts/speech/manifest.json's format.
		const converted = spawnSync(wav2maud, [join(dir, "say-fuel-low.wav"), "-o", out, "-r", "11025", "-c", "1", "-s", "16", "-f", "ima"], { encoding: "utf8" });
		expect(converted.status, converted.stdout + converted.stderr).toBe(0);
		const maud = readFileSync(join(out, "say-fuel-low.maud"));
		expect([maud[0], maud[1], maud[7]]).toEqual([0x6D, 0x61, 1]); // 'ma', IMA ADPCM
		const ms = maudLengthMs(maud.buffer.slice(maud.byteOffset, maud.byteOffset + maud.byteLength));
		expect(Math.abs(ms - seconds * 1000)).toBeLessThan(15); // resampled 22,050 to 11,025 Hz, in chunks of 129 samples
		// About a quarter of 16-bit samples: 68 bytes per 129.
		expect(maud.length).toBeLessThan(12 + Math.ceil(ms * 11.025 / 129) * 68 + 68);
	});
});
