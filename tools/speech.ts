/*
 * The spoken alerts' phrases, synthesised on the host at build time: for
 * every alert the firmware can raise (the default rules and check-engine;
 * vehicle profiles do not define alerts), espeak-ng says its message into
 * hosts/speech/phrases/say-<alert id>.wav, and mcconfig turns each WAV into
 * a MAUD resource in the target's audio format (its wav2maud, at the rate
 * the target's `audioOut` defines; IMA ADPCM on the ESP32,
 * hosts/speech/manifest.json). The firmware finds a phrase by alert id
 * (modules/cluster/speech.ts `phraseResource`) and plays it, or in the
 * simulator traces it.
 *
 *   npm run speech [-- --voice en-gb] [--espeak /path/to/espeak-ng]
 *
 * `npm start` runs it before every build. One voice for the whole build: the
 * manifest's `voice` (hosts/speech/manifest.json, "en") unless `--voice`
 * says otherwise. The messages are English, so other English voices
 * (`espeak-ng --voices=en`) are what make sense today; drivers have no
 * language setting.
 *
 * A phrase whose WAV is already what espeak-ng makes is not rewritten (make
 * does not convert it again); WAVs of alerts that no longer exist are
 * removed. Without espeak-ng it says so in one line and the build goes on
 * without phrases (the cluster then only chimes). Node only (host tool).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { checkEngineAlertRule, defaultAlertRules } from "../modules/cluster/alerts.js";
import { PHRASE_PREFIX } from "../modules/cluster/speech.js";

/** Where the phrases go, from the project's root: the folder hosts/speech/manifest.json takes its resources from. */
export const PHRASES_DIR = join("hosts", "speech", "phrases");
/** The voice when neither `--voice` nor the manifest names one. */
export const DEFAULT_VOICE = "en";

export interface Phrase {
	readonly id: string;
	readonly message: string;
}

/** Every alert the firmware can raise, by id, with its message: what is said. Allocates. */
export function alertPhrases(): Phrase[] {
	return [...defaultAlertRules(), checkEngineAlertRule()].map(rule => ({ id: rule.id, message: rule.message }));
}

/** What running a command gave: its exit code (null when it could not start), and what it printed on stderr. */
export interface RunResult {
	status: number | null;
	stderr: string;
}

export interface SynthesisOptions {
	/** Folder of the WAVs; created when missing. */
	dir: string;
	/** espeak-ng's voice (`-v`): "en", "en-gb", "en-us"... */
	voice: string;
	/** The espeak-ng to run; default "espeak-ng" on PATH. */
	espeak?: string;
	/** The phrases; default alertPhrases(). */
	phrases?: readonly Phrase[];
	/** Runs a command to completion; default spawnSync. For tests. */
	run?: (command: string, args: string[]) => RunResult;
}

export interface SynthesisResult {
	/** File names written (new or changed). */
	written: string[];
	/** Phrases whose WAV was already right. */
	unchanged: number;
	/** WAVs of alerts that no longer exist, removed. */
	removed: string[];
	/** Seconds of speech in all. */
	seconds: number;
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
 * Says every phrase into `dir/say-<id>.wav` with espeak-ng. Returns what it
 * did, or one line saying why it could not (espeak-ng missing, the voice
 * unknown, a phrase it would not say); nothing is removed then.
 */
export function synthesizePhrases(options: SynthesisOptions): SynthesisResult | string {
	const espeak = options.espeak ?? "espeak-ng", run = options.run ?? runCommand;
	const phrases = options.phrases ?? alertPhrases();
	mkdirSync(options.dir, { recursive: true });
	const scratch = mkdtempSync(join(tmpdir(), "xs-cluster-speech-"));
	const result: SynthesisResult = { written: [], unchanged: 0, removed: [], seconds: 0 };
	try {
		for (const phrase of phrases) {
			const name = `${PHRASE_PREFIX}${phrase.id}.wav`, made = join(scratch, name);
			const said = run(espeak, ["-v", options.voice, "-w", made, phrase.message]);
			if (said.status === null)
				return `xs-cluster: speech: cannot run ${espeak} (${said.stderr.trim()}); install Debian's espeak-ng (apt-get install espeak-ng) to have alerts spoken`;
			if (said.status !== 0 || !existsSync(made))
				return `xs-cluster: speech: ${espeak} -v ${options.voice} failed on '${phrase.message}': ${said.stderr.trim() || `exit code ${said.status}`} (its voices: espeak-ng --voices)`;
			const bytes = readFileSync(made);
			const seconds = wavSeconds(bytes);
			if (!(seconds > 0))
				return `xs-cluster: speech: ${espeak} made no sound for '${phrase.message}'`;
			result.seconds += seconds;
			const target = join(options.dir, name);
			if (existsSync(target) && Buffer.compare(readFileSync(target), bytes) === 0)
				result.unchanged++;
			else {
				writeFileSync(target, bytes);
				result.written.push(name);
			}
		}
	}
	finally {
		rmSync(scratch, { recursive: true, force: true });
	}
	const wanted = new Set(phrases.map(phrase => `${PHRASE_PREFIX}${phrase.id}.wav`));
	for (const name of readdirSync(options.dir))
		if (name.startsWith(PHRASE_PREFIX) && name.endsWith(".wav") && !wanted.has(name)) {
			unlinkSync(join(options.dir, name));
			result.removed.push(name);
		}
	return result;
}

/** The manifest's voice (hosts/speech/manifest.json config `voice`), else DEFAULT_VOICE. */
export function manifestVoice(projectDir: string): string {
	try {
		const manifest = JSON.parse(readFileSync(join(projectDir, "hosts", "speech", "manifest.json"), "utf8")) as { config?: { voice?: unknown } };
		const voice = manifest.config?.voice;
		return typeof voice === "string" && voice ? voice : DEFAULT_VOICE;
	}
	catch {
		return DEFAULT_VOICE;
	}
}

/** What a run did, in one line. */
export function describeSynthesis(result: SynthesisResult, voice: string, dir: string): string {
	const count = result.written.length + result.unchanged;
	const changes = [result.written.length ? `${result.written.length} written` : "", result.unchanged ? `${result.unchanged} unchanged` : "", result.removed.length ? `${result.removed.length} removed` : ""].filter(Boolean).join(", ");
	return `xs-cluster: speech: ${count} alert phrases in voice '${voice}', ${result.seconds.toFixed(1)} s in all, in ${dir} (${changes})`;
}

/**
 * Makes the project's phrases (`npm start` calls this before building).
 * Returns the line to print and whether it worked; without espeak-ng the
 * build goes on, so a failure is a note, not an error.
 */
export function makeProjectPhrases(projectDir: string, voice: string | null, espeak?: string): { ok: boolean; line: string } {
	const chosen = voice ?? manifestVoice(projectDir), dir = join(projectDir, PHRASES_DIR);
	const result = synthesizePhrases({ dir, voice: chosen, espeak });
	if (typeof result === "string")
		return { ok: false, line: `${result}; building without spoken alerts` };
	return { ok: true, line: describeSynthesis(result, chosen, PHRASES_DIR) };
}

/** `npm run speech [-- --voice <voice>] [--espeak <path>]`: exit code 0, 1 when espeak-ng failed, 2 for bad arguments. */
export function main(argv: string[], projectDir: string): number {
	let voice: string | null = null, espeak: string | undefined;
	for (let i = 0; i < argv.length; i++) {
		if (argv[i] === "--voice" && argv[i + 1])
			voice = argv[++i];
		else if (argv[i] === "--espeak" && argv[i + 1])
			espeak = argv[++i];
		else {
			process.stderr.write("usage: npm run speech [-- --voice <espeak-ng voice, e.g. en-gb>] [--espeak <path to espeak-ng>]\n");
			return 2;
		}
	}
	const made = makeProjectPhrases(projectDir, voice, espeak);
	(made.ok ? process.stdout : process.stderr).write(made.line + "\n");
	return made.ok ? 0 : 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url))
	process.exitCode = main(process.argv.slice(2), resolve(fileURLToPath(import.meta.url), "..", "..", ".."));
