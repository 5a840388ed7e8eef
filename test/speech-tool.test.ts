/*
 * The phrases' build step (tools/speech.ts): one WAV per language and alert
 * id, written only when it changed, stale ones removed, the build's
 * languages listed beside them, English by the English voice where a
 * language has no translation, one clear line when espeak-ng is missing or
 * refuses a voice or `--languages` names a language the table lacks; then the real espeak-ng (Debian's
 * `espeak-ng`) and, with the Moddable SDK, its wav2maud turning a phrase
 * into the IMA ADPCM MAUD resource the ESP32 plays, whose length the
 * firmware reads from its header. Node (vitest).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { maudLengthMs, phraseResource } from "../modules/cluster/speech.js";
import { alertMessages, buildPhrases, describeSynthesis, manifestLanguages, parseLanguages, phraseFile, synthesizePhrases, wavSeconds, type RunResult } from "../tools/speech.js";
import { repoRoot } from "./shared-data.js";

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
	const EN = [{ language: "en", voice: "en" }], EN_DE = [{ language: "en", voice: "en-gb" }, { language: "de", voice: "de" }];

	test("one-wav-per-language-and-alert-id, rewritten-only-when-it-changed, stale-ones-removed, the-list-beside-them", () => {
		const dir = folder(), calls: string[][] = [];
		writeFileSync(join(dir, "say-old-alert.wav"), wav(10));
		writeFileSync(join(dir, "say-coolant-hot.wav"), wav(10)); // named as before languages
		writeFileSync(join(dir, "notes.txt"), "kept");
		const first = synthesizePhrases({ dir, languages: EN_DE, run: fakeEspeak(calls, ["en-gb", "de"]) });
		if (typeof first === "string")
			throw new Error(first);
		const ids = alertMessages().map(p => p.id);
		expect(ids).toEqual(expect.arrayContaining(["coolant-hot", "oil-pressure-low", "fuel-low", "check-engine"]));
		const files = [...ids.map(id => `say-en-${id}.wav`), ...ids.map(id => `say-de-${id}.wav`)];
		expect(first.written.sort()).toEqual([...files].sort());
		expect(first.removed.sort()).toEqual(["say-coolant-hot.wav", "say-old-alert.wav"]);
		expect(readdirSync(dir).sort()).toEqual(["notes.txt", "say-languages.txt", ...files].sort());
		expect(readFileSync(join(dir, "say-languages.txt"), "utf8")).toBe("en,de\n");
		// What espeak-ng is asked: each language's voice, the file, the phrase (English: the alert's message; German: the table's).
		expect(calls.map(c => c.slice(1, 3).join(" ") + " " + c.at(-1))).toEqual(buildPhrases(["en", "de"]).map(p => `-v ${p.language === "en" ? "en-gb" : "de"} ${p.text}`));
		expect(calls.find(c => c.at(-1) === "Motor heiß")).toEqual(["espeak-ng", "-v", "de", "-w", expect.stringMatching(/say-de-coolant-hot\.wav$/), "Motor heiß"]);
		const seconds = buildPhrases(["en", "de"]).reduce((sum, p) => sum + p.text.length * 0.1, 0);
		expect(first.seconds).toBeCloseTo(seconds, 6);
		expect(first.inEnglish).toEqual([]);
		// Again: nothing changes, so make converts nothing again.
		const again = synthesizePhrases({ dir, languages: EN_DE, run: fakeEspeak(calls, ["en-gb", "de"]) });
		expect(again).toMatchObject({ written: [], unchanged: files.length, removed: [] });
		const line = describeSynthesis(again as Exclude<typeof again, string>, EN_DE, "hosts/speech/phrases");
		expect(line).toMatch(new RegExp(`^xs-cluster: speech: ${files.length} alert phrases in en \\(voice en-gb, [0-9.]+ s\\), de \\(voice de, [0-9.]+ s\\), ${seconds.toFixed(1)} s in all, in hosts/speech/phrases \\(${files.length} unchanged\\)$`));
		// English alone: German's phrases go, and the list says so.
		const english = synthesizePhrases({ dir, languages: EN, run: fakeEspeak(calls) });
		expect(english).toMatchObject({ removed: ids.map(id => `say-de-${id}.wav`).sort() });
		expect(readFileSync(join(dir, "say-languages.txt"), "utf8")).toBe("en\n");
	});

	test("a-message-with-no-translation is-said-in-english-by-the-english-voice, under-the-language's-name", () => {
		const dir = folder(), calls: string[][] = [];
		const alerts = [{ id: "fuel-low", message: "Fuel low" }, { id: "tyre-pressure", message: "Check tyre pressure" }];
		const made = synthesizePhrases({ dir, languages: [{ language: "fr", voice: "fr-fr" }], alerts, run: fakeEspeak(calls, ["fr-fr", "en"]) });
		if (typeof made === "string")
			throw new Error(made);
		// No English in the build: espeak-ng's own English voice.
		expect(calls.map(c => [c[2], c.at(-1)])).toEqual([["fr-fr", "Réserve de carburant"], ["en", "Check tyre pressure"]]);
		expect(made.written).toEqual(["say-fr-fuel-low.wav", "say-fr-tyre-pressure.wav"]);
		expect(made.inEnglish).toEqual(["fr tyre-pressure"]);
		expect(describeSynthesis(made, [{ language: "fr", voice: "fr-fr" }], "x")).toMatch(/; no translation, said in English: fr tyre-pressure$/);
		// With English in the build, its voice says them.
		calls.length = 0;
		synthesizePhrases({ dir, languages: [{ language: "de", voice: "de" }, { language: "en", voice: "en-us" }], alerts, run: fakeEspeak(calls, ["de", "en-us"]) });
		expect(calls.map(c => [c[2], c.at(-1)])).toEqual([["de", "Kraftstoffreserve"], ["en-us", "Check tyre pressure"], ["en-us", "Fuel low"], ["en-us", "Check tyre pressure"]]);
	});

	test("languages: tags-the-table-has, each-once, a-voice-after-equals; one-line-otherwise", () => {
		expect(parseLanguages("en,de")).toEqual([{ language: "en", voice: "en" }, { language: "de", voice: "de" }]);
		expect(parseLanguages("de, en=en-us ,fr=fr-be")).toEqual([{ language: "de", voice: "de" }, { language: "en", voice: "en-us" }, { language: "fr", voice: "fr-be" }]);
		expect(parseLanguages("en,nl")).toBe("xs-cluster: speech: --languages: 'nl' is not a language the phrase table has (en, de, fr, es, it; modules/cluster/phrases.ts)");
		expect(parseLanguages("en,en=en-us")).toBe("xs-cluster: speech: --languages: en is named twice");
		expect(parseLanguages("en=a=b")).toMatch(/'en=a=b' is not <language>\[=<espeak-ng voice>\]/);
		expect(parseLanguages("en=; rm", "manifest")).toMatch(/^xs-cluster: speech: manifest: /);
		expect(parseLanguages("")).toMatch(/'' is not a language/);
		expect(phraseFile("de", "fuel-low")).toBe("say-de-fuel-low.wav");
	});

	test("the-manifest's-languages, else-english", () => {
		const dir = folder();
		expect(manifestLanguages(dir)).toBe("en");
		mkdirSync(join(dir, "hosts", "speech"), { recursive: true });
		writeFileSync(join(dir, "hosts", "speech", "manifest.json"), JSON.stringify({ config: { languages: "de,en" } }));
		expect(manifestLanguages(dir)).toBe("de,en");
		expect(manifestLanguages(repoRoot)).toBe("en");
	});

	test("a-missing-espeak-or-an-unknown-voice-is-one-line, and-nothing-is-removed", () => {
		const dir = folder();
		writeFileSync(join(dir, "say-en-coolant-hot.wav"), wav(10));
		const missing = synthesizePhrases({ dir, languages: EN, espeak: "/nowhere/espeak-ng", run: () => ({ status: null, stderr: "spawnSync /nowhere/espeak-ng ENOENT" }) });
		expect(missing).toMatch(/^xs-cluster: speech: cannot run \/nowhere\/espeak-ng \(spawnSync \/nowhere\/espeak-ng ENOENT\); install Debian's espeak-ng/);
		const voice = synthesizePhrases({ dir, languages: [{ language: "en", voice: "tlh" }], run: fakeEspeak([]) });
		expect(voice).toMatch(/^xs-cluster: speech: espeak-ng -v tlh failed on '.+': Failed to read voice 'tlh' \(its voices: espeak-ng --voices\)$/);
		expect(readdirSync(dir)).toEqual(["say-en-coolant-hot.wav"]);
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
		// Two short alerts in English and German: four phrases, kept small (CPU is scarce).
		const alerts = [{ id: "coolant-hot", message: "Engine hot" }, { id: "oil-pressure-low", message: "Oil pressure low: stop engine" }];
		const languages = [{ language: "en", voice: "en" }, { language: "de", voice: "de" }];
		const made = synthesizePhrases({ dir, languages, alerts });
		if (typeof made === "string")
			throw new Error(made);
		const seconds = (file: string) => wavSeconds(readFileSync(join(dir, file)));
		const short = seconds("say-en-coolant-hot.wav"), long = seconds("say-en-oil-pressure-low.wav");
		// A couple of words, then a sentence: seconds, the longer message longer; in German too ("Motor heiß", "Öldruck zu niedrig: ...").
		expect(short).toBeGreaterThan(0.4);
		expect(short).toBeLessThan(3);
		expect(long).toBeGreaterThan(short);
		expect(seconds("say-de-coolant-hot.wav")).toBeGreaterThan(0.4);
		expect(seconds("say-de-oil-pressure-low.wav")).toBeGreaterThan(seconds("say-de-coolant-hot.wav"));
		expect(readFileSync(join(dir, "say-de-coolant-hot.wav")).equals(readFileSync(join(dir, "say-en-coolant-hot.wav")))).toBe(false);
		expect(synthesizePhrases({ dir, languages, alerts })).toMatchObject({ written: [], unchanged: 4 });
		expect(synthesizePhrases({ dir, languages: [{ language: "en", voice: "tlh" }], alerts })).toMatch(/^xs-cluster: speech: espeak-ng -v tlh failed on .+: Error: The specified espeak-ng voice does not exist/);
	});

	(hasWav2maud ? test : test.skip)(hasWav2maud ? "wav2maud: the-esp32's-ima-resource, and-its-length-from-the-header" : "wav2maud (skipped: no Moddable SDK tools at $MODDABLE)", () => {
		const dir = folder(), out = folder();
		const made = synthesizePhrases({ dir, languages: [{ language: "en", voice: "en" }], alerts: [{ id: "fuel-low", message: "Fuel low" }] });
		if (typeof made === "string")
			throw new Error(made);
		const seconds = wavSeconds(readFileSync(join(dir, "say-en-fuel-low.wav")));
		// As mcconfig runs it for the M5Stack with hosts/speech/manifest.json's format: the name the firmware looks for.
		const converted = spawnSync(wav2maud, [join(dir, "say-en-fuel-low.wav"), "-o", out, "-r", "11025", "-c", "1", "-s", "16", "-f", "ima"], { encoding: "utf8" });
		expect(converted.status, converted.stdout + converted.stderr).toBe(0);
		expect(readdirSync(out)).toEqual([phraseResource("en", "fuel-low")]);
		const maud = readFileSync(join(out, "say-en-fuel-low.maud"));
		expect([maud[0], maud[1], maud[7]]).toEqual([0x6D, 0x61, 1]); // 'ma', IMA ADPCM
		const ms = maudLengthMs(maud.buffer.slice(maud.byteOffset, maud.byteOffset + maud.byteLength));
		expect(Math.abs(ms - seconds * 1000)).toBeLessThan(15); // resampled 22,050 to 11,025 Hz, in chunks of 129 samples
		// About a quarter of 16-bit samples: 68 bytes per 129.
		expect(maud.length).toBeLessThan(12 + Math.ceil(ms * 11.025 / 129) * 68 + 68);
	});
});
