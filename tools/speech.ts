/*
 * The spoken alerts' phrases, synthesised on the host at build time: for
 * every alert the firmware can raise (the default rules and check-engine;
 * vehicle profiles do not define alerts) and every language the build
 * carries, espeak-ng says its phrase (modules/cluster/phrases.ts: the
 * alert's message in English, its translation in the others) into
 * hosts/speech/phrases/say-<language>-<alert id>.wav, and mcconfig turns
 * each WAV into a MAUD resource in the target's audio format (its wav2maud,
 * at the rate the target's `audioOut` defines; IMA ADPCM on the ESP32,
 * hosts/speech/manifest.json). Beside them, say-languages.txt lists the
 * build's languages, the first being what a new driver, and a driver whose
 * language the build lacks, hears. The firmware finds a phrase by language
 * and alert id (modules/cluster/speech.ts `phraseResource`) and plays it, or
 * in the simulator traces it.
 *
 *   npm run speech [-- --languages en,de] [--espeak /path/to/espeak-ng]
 *
 * `npm start` runs it before every build (and takes `--languages` too). The
 * languages: the manifest's `languages` (hosts/speech/manifest.json, "en")
 * unless `--languages` says otherwise; each is a tag phrases.ts has (en, de,
 * fr, es, it), spoken by espeak-ng's voice of that name unless the entry
 * names another after `=` (`en=en-us,de`). A phrase with no translation in a
 * language is said in English by the English voice (the build's `en` voice,
 * else espeak-ng's `en`), under that language's name, so every language has
 * every phrase. Each language costs flash: see the README's figures.
 *
 * A phrase whose WAV is already what espeak-ng makes is not rewritten (make
 * does not convert it again); WAVs of alerts or languages no longer built
 * are removed. Without espeak-ng it says so in one line and the build goes
 * on without phrases (the cluster then only chimes). Node only (host tool).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkEngineAlertRule, defaultAlertRules } from "../modules/cluster/alerts.js";
import { ENGLISH, LANGUAGES, isLanguage, spokenPhrase } from "../modules/cluster/phrases.js";
import { LANGUAGES_RESOURCE, PHRASE_PREFIX } from "../modules/cluster/speech.js";

/** Where the phrases go, from the project's root: the folder hosts/speech/manifest.json takes its resources from. */
export const PHRASES_DIR = join("hosts", "speech", "phrases");
/** The languages when neither `--languages` nor the manifest names them. */
export const DEFAULT_LANGUAGES = ENGLISH;

/** An alert the firmware can raise: its id and its (English) message. */
export interface Alert {
	readonly id: string;
	readonly message: string;
}

/** A language the build carries, and the espeak-ng voice that says it. */
export interface BuildLanguage {
	readonly language: string;
	readonly voice: string;
}

/** One phrase to synthesise: its file, what is said and in which language (English where `language` has no translation). */
export interface Phrase {
	readonly file: string;
	readonly id: string;
	readonly language: string;
	readonly text: string;
	readonly spokenIn: string;
}

/** Every alert the firmware can raise, by id, with its message. Allocates. */
export function alertMessages(): Alert[] {
	return [...defaultAlertRules(), checkEngineAlertRule()].map(rule => ({ id: rule.id, message: rule.message }));
}

/** The file of alert `id`'s phrase in `language`: say-de-coolant-hot.wav (the firmware's phraseResource, before wav2maud). */
export function phraseFile(language: string, id: string): string {
	return `${PHRASE_PREFIX}${language}-${id}.wav`;
}

/** Every phrase of `alerts` in each of `languages`, language by language. Allocates. */
export function buildPhrases(languages: readonly string[], alerts: readonly Alert[] = alertMessages()): Phrase[] {
	const phrases: Phrase[] = [];
	for (const language of languages)
		for (const alert of alerts) {
			const spoken = spokenPhrase(alert.id, alert.message, language);
			phrases.push({ file: phraseFile(language, alert.id), id: alert.id, language, text: spoken.text, spokenIn: spoken.language });
		}
	return phrases;
}

/**
 * The languages of `spec` ("en,de", "en=en-us,de": tags phrases.ts has, each
 * once, with espeak-ng's voice of the same name unless one follows `=`), or
 * one line saying what is wrong, naming `where` (the flag or the manifest).
 */
export function parseLanguages(spec: string, where = "--languages"): BuildLanguage[] | string {
	const languages: BuildLanguage[] = [];
	for (const entry of spec.split(",")) {
		const [language, voice, extra] = entry.trim().split("=");
		if (!isLanguage(language))
			return `xs-cluster: speech: ${where}: '${entry.trim()}' is not a language the phrase table has (${LANGUAGES.join(", ")}; modules/cluster/phrases.ts)`;
		if (extra !== undefined || (voice !== undefined && !/^[A-Za-z0-9_+-]+$/.test(voice)))
			return `xs-cluster: speech: ${where}: '${entry.trim()}' is not <language>[=<espeak-ng voice>], e.g. en=en-us`;
		if (languages.some(each => each.language === language))
			return `xs-cluster: speech: ${where}: ${language} is named twice`;
		languages.push({ language, voice: voice ?? language });
	}
	return languages;
}

/** What running a command gave: its exit code (null when it could not start), and what it printed on stderr. */
export interface RunResult {
	status: number | null;
	stderr: string;
}

export interface SynthesisOptions {
	/** Folder of the WAVs; created when missing. */
	dir: string;
	/** The languages the build carries, the default first, each with its espeak-ng voice (`-v`). */
	languages: readonly BuildLanguage[];
	/** The espeak-ng to run; default "espeak-ng" on PATH. */
	espeak?: string;
	/** The alerts; default alertMessages(). */
	alerts?: readonly Alert[];
	/** Runs a command to completion; default spawnSync. For tests. */
	run?: (command: string, args: string[]) => RunResult;
}

export interface SynthesisResult {
	/** File names written (new or changed). */
	written: string[];
	/** Phrases whose WAV was already right. */
	unchanged: number;
	/** WAVs of alerts or languages no longer built, removed. */
	removed: string[];
	/** Seconds of speech in all. */
	seconds: number;
	/** Seconds of speech per language, in the build's order. */
	secondsByLanguage: Record<string, number>;
	/** Phrases with no translation, said in English: "de check-engine". */
	inEnglish: string[];
}

function runCommand(command: string, args: string[]): RunResult {
	const result = spawnSync(command, args, { encoding: "utf8" });
	return { status: result.error ? null : result.status, stderr: result.error ? result.error.message : result.stderr };
}

/** Seconds of sound in a PCM WAV (its fmt and data chunks), NaN when it is not one. */
export function wavSeconds(bytes: Uint8Array): number {
	const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
	const tag = (at: number) => String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]);
	if (bytes.length < 12 || tag(0) !== "RIFF" || tag(8) !== "WAVE")
		return NaN;
	let byteRate = NaN;
	for (let at = 12; at + 8 <= bytes.length;) {
		const id = tag(at), size = view.getUint32(at + 4, true);
		if (id === "fmt " && size >= 16)
			byteRate = view.getUint32(at + 16, true);
		if (id === "data")
			return byteRate > 0 ? Math.min(size, bytes.length - at - 8) / byteRate : NaN;
		at += 8 + size + (size & 1);
	}
	return NaN;
}

/**
 * Says every phrase of every language into `dir/say-<language>-<id>.wav`
 * with espeak-ng, and writes the language list (LANGUAGES_RESOURCE). Returns
 * what it did, or one line saying why it could not (espeak-ng missing, a
 * voice unknown, a phrase it would not say); nothing is removed then.
 */
export function synthesizePhrases(options: SynthesisOptions): SynthesisResult | string {
	const espeak = options.espeak ?? "espeak-ng", run = options.run ?? runCommand;
	const languages = options.languages;
	if (!languages.length)
		return "xs-cluster: speech: no languages to build";
	const voices = new Map(languages.map(each => [each.language, each.voice]));
	// A phrase with no translation is English: the build's English voice, else espeak-ng's.
	const englishVoice = voices.get(ENGLISH) ?? ENGLISH;
	const phrases = buildPhrases(languages.map(each => each.language), options.alerts ?? alertMessages());
	mkdirSync(options.dir, { recursive: true });
	const scratch = mkdtempSync(join(tmpdir(), "xs-cluster-speech-"));
	const result: SynthesisResult = { written: [], unchanged: 0, removed: [], seconds: 0, secondsByLanguage: {}, inEnglish: [] };
	for (const each of languages)
		result.secondsByLanguage[each.language] = 0;
	try {
		for (const phrase of phrases) {
			const made = join(scratch, phrase.file);
			const voice = phrase.spokenIn === phrase.language ? voices.get(phrase.language)! : englishVoice;
			const said = run(espeak, ["-v", voice, "-w", made, phrase.text]);
			if (said.status === null)
				return `xs-cluster: speech: cannot run ${espeak} (${said.stderr.trim()}); install Debian's espeak-ng (apt-get install espeak-ng) to have alerts spoken`;
			if (said.status !== 0 || !existsSync(made))
				return `xs-cluster: speech: ${espeak} -v ${voice} failed on '${phrase.text}': ${said.stderr.trim() || `exit code ${said.status}`} (its voices: espeak-ng --voices)`;
			const bytes = readFileSync(made);
			const seconds = wavSeconds(bytes);
			if (!(seconds > 0))
				return `xs-cluster: speech: ${espeak} made no sound for '${phrase.text}'`;
			result.seconds += seconds;
			result.secondsByLanguage[phrase.language] += seconds;
			if (phrase.spokenIn !== phrase.language)
				result.inEnglish.push(`${phrase.language} ${phrase.id}`);
			const target = join(options.dir, phrase.file);
			if (existsSync(target) && Buffer.compare(readFileSync(target), bytes) === 0)
				result.unchanged++;
			else {
				writeFileSync(target, bytes);
				result.written.push(phrase.file);
			}
		}
	}
	finally {
		rmSync(scratch, { recursive: true, force: true });
	}
	const list = join(options.dir, LANGUAGES_RESOURCE), text = languages.map(each => each.language).join(",") + "\n";
	if (!existsSync(list) || readFileSync(list, "utf8") !== text)
		writeFileSync(list, text);
	const wanted = new Set(phrases.map(phrase => phrase.file));
	for (const name of readdirSync(options.dir))
		if (name.startsWith(PHRASE_PREFIX) && name.endsWith(".wav") && !wanted.has(name)) {
			unlinkSync(join(options.dir, name));
			result.removed.push(name);
		}
	return result;
}

/** The manifest's languages (hosts/speech/manifest.json config `languages`, as `--languages` takes them), else DEFAULT_LANGUAGES. */
export function manifestLanguages(projectDir: string): string {
	try {
		const manifest = JSON.parse(readFileSync(join(projectDir, "hosts", "speech", "manifest.json"), "utf8")) as { config?: { languages?: unknown } };
		const languages = manifest.config?.languages;
		return typeof languages === "string" && languages ? languages : DEFAULT_LANGUAGES;
	}
	catch {
		return DEFAULT_LANGUAGES;
	}
}

/** What a run did, in one line. */
export function describeSynthesis(result: SynthesisResult, languages: readonly BuildLanguage[], dir: string): string {
	const count = result.written.length + result.unchanged;
	const changes = [result.written.length ? `${result.written.length} written` : "", result.unchanged ? `${result.unchanged} unchanged` : "", result.removed.length ? `${result.removed.length} removed` : ""].filter(Boolean).join(", ");
	const spoken = languages.map(each => `${each.language} (voice ${each.voice}, ${result.secondsByLanguage[each.language].toFixed(1)} s)`).join(", ");
	const english = result.inEnglish.length ? `; no translation, said in English: ${result.inEnglish.join(", ")}` : "";
	return `xs-cluster: speech: ${count} alert phrases in ${spoken}, ${result.seconds.toFixed(1)} s in all, in ${dir} (${changes})${english}`;
}

/**
 * Makes the project's phrases (`npm start` calls this before building) in
 * `languages` (as `--languages` takes them; null: the manifest's). Returns
 * the line to print and whether it worked; without espeak-ng the build goes
 * on, so a failure is a note, not an error.
 */
export function makeProjectPhrases(projectDir: string, languages: string | null, espeak?: string): { ok: boolean; line: string } {
	const chosen = parseLanguages(languages ?? manifestLanguages(projectDir), languages === null ? "hosts/speech/manifest.json languages" : "--languages");
	if (typeof chosen === "string")
		return { ok: false, line: `${chosen}; building without spoken alerts` };
	const dir = join(projectDir, PHRASES_DIR);
	const result = synthesizePhrases({ dir, languages: chosen, espeak });
	if (typeof result === "string")
		return { ok: false, line: `${result}; building without spoken alerts` };
	return { ok: true, line: describeSynthesis(result, chosen, PHRASES_DIR) };
}

/** What `--voice` (gone: the voice is part of `--languages`) says now. */
export const VOICE_MOVED = "xs-cluster: speech: --voice is now part of --languages: e.g. --languages en=en-gb,de (a language, then its espeak-ng voice after =)";

const USAGE = "usage: npm run speech [-- --languages <language>[=<espeak-ng voice>],... e.g. en,de or en=en-us,de] [--espeak <path to espeak-ng>]\n";

/** `npm run speech [-- --languages en,de] [--espeak <path>]`: exit code 0, 1 when espeak-ng failed, 2 for bad arguments. */
export function main(argv: string[], projectDir: string): number {
	let languages: string | null = null, espeak: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === "--languages" && argv[i + 1]) {
			languages = argv[++i];
			const parsed = parseLanguages(languages);
			if (typeof parsed === "string") {
				process.stderr.write(parsed + "\n" + USAGE);
				return 2;
			}
		}
		else if (argv[i] === "--espeak" && argv[i + 1])
			espeak = argv[++i];
		else {
			process.stderr.write((argv[i] === "--voice" ? VOICE_MOVED + "\n" : "") + USAGE);
			return 2;
		}
	}
	const made = makeProjectPhrases(projectDir, languages, espeak);
	(made.ok ? process.stdout : process.stderr).write(made.line + "\n");
	return made.ok ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
	process.exitCode = main(process.argv.slice(2), resolve(fileURLToPath(import.meta.url), "..", "..", ".."));
