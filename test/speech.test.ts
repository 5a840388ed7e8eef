/*
 * Spoken alerts (modules/cluster/speech.ts) on a fake clock, with the real
 * chime beside them and outputs that log what they were asked: a phrase
 * after the chime's round, a critical chime's further rounds held until the
 * phrase is over, one phrase at a time, cut by acknowledgement, silent when
 * off; the phrase lengths read from MAUD headers; and the same code on the
 * XS engine: the same phrases at the same times, no heap used per tick.
 * Node (vitest) and XS (xsnap).
 */
import { describe, expect, test } from "vitest";
import { Severity } from "../modules/cluster/alerts.js";
import { CHIME_PATTERNS, Chime, ToneBank } from "../modules/cluster/chime.js";
import { LANGUAGES_RESOURCE, SPEECH_GAP_MS, Speech, maudLengthMs, parseLanguageList, phraseLengths, phraseResource, readPhraseBook } from "../modules/cluster/speech.js";
import { FakeClock } from "./fixtures/clock.js";
import { describeOnXs, heapOfWork } from "./support/xs-suite.js";

const TICK_MS = 33;
/** Rules 0..3: a warning, a critical alert, an info alert, and one with no phrase. */
const PHRASE_MS = [1200, 2000, 800, NaN];
const SEVERITY = [Severity.warning, Severity.critical, Severity.info, Severity.warning];

/** A chime and speech on one fake clock; `events` logs what each output was asked, with the time. */
function rig(options: { chime?: boolean } = {}) {
	const clock = new FakeClock(0);
	const events: string[] = [];
	const bank = new ToneBank(8000);
	const chime = options.chime === false ? null : new Chime(bank, {
		start: tone => events.push(`${clock.now()} tone ${bank.tones[tone].name}`),
		stop: () => events.push(`${clock.now()} chime stop`),
	});
	const speech = new Speech({ languages: ["en"], lengths: [PHRASE_MS] }, {
		say: rule => events.push(`${clock.now()} say ${rule}`),
		stop: () => events.push(`${clock.now()} speech stop`),
	}, chime);
	/** The alert on the pop-up (a rule, -1 for none); `raise` asks for its chime this tick, as takeChime does once. */
	let shown = -1, asked = -1;
	const tick = () => {
		if (chime) {
			chime.play(asked >= 0 ? SEVERITY[asked] : -1, clock.now());
			chime.service(clock.now(), shown < 0 ? -1 : SEVERITY[shown]);
		}
		if (asked >= 0)
			speech.request(asked);
		asked = -1;
		speech.service(clock.now(), shown);
	};
	const run = (ms: number) => {
		for (const end = clock.now() + ms; clock.now() < end;) {
			clock.advance(TICK_MS);
			tick();
		}
	};
	const raise = (rule: number) => {
		shown = asked = rule;
	};
	const show = (rule: number) => {
		shown = rule;
	};
	/** Times of the events whose text ends with `what`. */
	const at = (what: string) => events.filter(e => e.endsWith(` ${what}`)).map(e => Number(e.split(" ")[0]));
	return { clock, chime, speech, events, run, raise, show, at };
}

describe("speech", () => {
	test("a-warning-is-said-once, after-its-chime's-two-tones and a gap", () => {
		const r = rig();
		r.raise(0);
		r.run(6000);
		const [high] = r.at("tone high"), [low] = r.at("tone low"), [said] = r.at("say 0");
		expect(high).toBeLessThan(low);
		// The low tone lasts 250 ms; the phrase starts at least a gap after it ends, within a tick.
		expect(said).toBeGreaterThanOrEqual(low + 250 + SPEECH_GAP_MS);
		expect(said).toBeLessThan(low + 250 + SPEECH_GAP_MS + 2 * TICK_MS);
		expect(r.at("say 0")).toHaveLength(1);
		// The phrase is over after its length: the output rests.
		const [stopped] = r.at("speech stop");
		expect(stopped - said).toBeGreaterThanOrEqual(1200);
		expect(stopped - said).toBeLessThan(1200 + TICK_MS + 1);
		expect(r.speech.spoken).toBe(1);
	});

	test("a-critical-chime's-next-round-waits-for-the-phrase, then-goes-on", () => {
		const r = rig();
		r.raise(1);
		r.run(15000);
		const urgent = r.at("tone urgent"), [said] = r.at("say 1");
		// Round one (three tones) before the phrase; no tone while it is said, nor in the gap after it.
		expect(urgent.filter(t => t < said)).toHaveLength(3);
		expect(urgent.filter(t => t >= said && t < said + 2000 + SPEECH_GAP_MS)).toEqual([]);
		const next = urgent.filter(t => t > said);
		expect(next[0]).toBeGreaterThanOrEqual(said + 2000 + SPEECH_GAP_MS);
		// The pattern's rounds are all played (six of three tones), the phrase once.
		expect(urgent).toHaveLength(CHIME_PATTERNS[Severity.critical].rounds * 3);
		expect(r.at("say 1")).toHaveLength(1);
		// Rounds after the phrase keep their period.
		expect(Math.abs(next[3] - next[0] - CHIME_PATTERNS[Severity.critical].periodMs)).toBeLessThanOrEqual(TICK_MS);
	});

	test("never-two-at-once: a-newer-alert-waits, and-is-said-only-if-still-on-the-pop-up", () => {
		const r = rig({ chime: false });
		r.raise(0);
		r.run(300);
		expect(r.at("say 0")).toHaveLength(1);
		// An info alert asks while the warning is said (it would not show over it; say it came anyway).
		r.raise(2);
		r.run(100);
		// The pop-up changed: the warning's phrase is cut, and the info alert is said next.
		expect(r.at("speech stop")).toHaveLength(1);
		expect(r.at("say 2")).toHaveLength(1);
		// A phrase is not cut for a request for the alert being said, and one waiting that left the pop-up is dropped.
		r.raise(0);
		r.show(2);
		r.run(2000);
		expect(r.at("say 0")).toHaveLength(1);
		let overlaps = 0, saying = false;
		for (const e of r.events) {
			if (e.includes(" say ")) {
				if (saying)
					overlaps++;
				saying = true;
			}
			if (e.endsWith("speech stop"))
				saying = false;
		}
		expect(overlaps).toBe(0);
	});

	test("acknowledging-or-clearing-stops-the-phrase-at-once", () => {
		const r = rig({ chime: false });
		r.raise(1);
		r.run(500);
		expect(r.speech.speaking).toBe(1);
		r.show(-1);
		r.run(TICK_MS);
		expect(r.speech.speaking).toBe(-1);
		expect(r.at("speech stop")).toHaveLength(1);
		expect(r.at("speech stop")[0] - r.at("say 1")[0]).toBeLessThan(500 + 2 * TICK_MS);
	});

	test("speech-off says-nothing, and-turning-it-off-stops-a-phrase", () => {
		const r = rig({ chime: false });
		r.speech.enabled = false;
		r.raise(0);
		r.run(3000);
		expect(r.at("say 0")).toEqual([]);
		r.speech.enabled = true;
		r.raise(1);
		r.run(300);
		expect(r.speech.speaking).toBe(1);
		r.speech.enabled = false;
		expect(r.speech.speaking).toBe(-1);
		expect(r.at("speech stop")).toHaveLength(1);
		r.run(3000);
		expect(r.at("say 1")).toHaveLength(1);
	});

	test("with-the-chime-muted the-phrase-comes-at-once; an-alert-without-a-phrase-says-nothing", () => {
		const r = rig();
		r.chime!.muted = true;
		r.raise(0);
		r.run(TICK_MS);
		expect(r.at("say 0")).toEqual([TICK_MS]);
		expect(r.events.some(e => e.includes("tone"))).toBe(false);
		r.run(2000);
		r.raise(3);
		r.run(3000);
		expect(r.events.some(e => e.includes("say 3"))).toBe(false);
		expect(r.speech.phrases).toBe(3);
	});

	test("in-the-driver's-language: its-phrase, else-the-first-language's; a-phrase-being-said-goes-on", () => {
		const said: string[] = [];
		// English and German; German lacks rule 2's phrase, French is not in the build.
		const speech = new Speech({ languages: ["en", "de"], lengths: [[1000, 1000, 1000], [1200, 1200, NaN]] }, {
			say: (rule, language) => said.push(`${rule} ${["en", "de"][language]}`),
			stop() {},
		});
		let now = 0;
		const say = (rule: number) => {
			speech.request(rule);
			speech.service(now += 10, rule);
			speech.service(now += 2000, -1);
		};
		expect(speech.speakIn("de")).toBe("de");
		say(0);
		say(2);
		expect(speech.speakIn("fr")).toBe("en");
		say(1);
		// Switched while a phrase is said: it goes on, in its language; the next is in the new one.
		speech.speakIn("de");
		speech.request(0);
		speech.service(now += 10, 0);
		speech.speakIn("en");
		speech.service(now += 500, 0);
		expect(speech.speaking).toBe(0);
		speech.service(now += 2000, -1);
		say(1);
		expect(said).toEqual(["0 de", "2 en", "1 en", "0 de", "1 en"]);
	});

	test("refuses-a-phrase-length-that-is-not-a-length", () => {
		const output = { say() {}, stop() {} };
		const english = (lengths: number[]) => ({ languages: ["en"], lengths: [lengths] });
		expect(() => new Speech(english([1000, 0]), output)).toThrow(RangeError);
		expect(() => new Speech(english([Infinity]), output)).toThrow(RangeError);
		expect(() => new Speech(english([-5]), output)).toThrow(RangeError);
		expect(new Speech(english([NaN, 10]), output).phrases).toBe(1);
		// A table per language, and at least one language.
		expect(() => new Speech({ languages: ["en", "de"], lengths: [[1000]] }, output)).toThrow(RangeError);
		expect(() => new Speech({ languages: [], lengths: [] }, output)).toThrow(RangeError);
		expect(() => new Speech({ languages: ["en", "de"], lengths: [[1000], [0]] }, output)).toThrow(/rule 0's phrase in de lasts 0 ms/);
	});
});

describe("phrases", () => {
	/** A MAUD header: 'ma', version 1, 16 bits, `rate` Hz, mono, `format`, `count` samples; then `body` bytes. */
	function maud(rate: number, count: number, format = 0, body = 0): ArrayBuffer {
		const bytes = new Uint8Array(12 + body), view = new DataView(bytes.buffer);
		bytes.set([0x6D, 0x61, 1, 16]);
		view.setUint16(4, rate, true);
		bytes[6] = 1;
		bytes[7] = format;
		view.setUint32(8, count, true);
		return bytes.buffer;
	}

	test("a-maud-resource's-length-comes-from-its-header, for-raw-and-ima-samples", () => {
		expect(maudLengthMs(maud(11025, 25440, 0, 50880))).toBeCloseTo(2307.48, 2);
		expect(maudLengthMs(maud(11025, 25413, 1))).toBeCloseTo(2305.03, 2);
		expect(maudLengthMs(maud(8000, 8000))).toBe(1000);
		expect(maudLengthMs(new ArrayBuffer(8))).toBeNaN();
		const wav = new Uint8Array(maud(11025, 100));
		wav[0] = 0x52; // 'R' of RIFF: not a MAUD
		expect(maudLengthMs(wav.buffer)).toBeNaN();
		expect(maudLengthMs(maud(0, 100))).toBeNaN();
		expect(maudLengthMs(maud(11025, 0))).toBeNaN();
	});

	test("a-phrase's-resource-is-named-by-language-and-alert-id", () => {
		expect(phraseResource("de", "coolant-hot")).toBe("say-de-coolant-hot.maud");
		expect(phraseResource("en", "check-engine")).toBe("say-en-check-engine.maud");
		expect(LANGUAGES_RESOURCE).toBe("say-languages.txt");
	});

	test("the-build's-languages: in-its-order, each-once, only-those-the-table-has", () => {
		expect(parseLanguageList("de,en\n")).toEqual(["de", "en"]);
		expect(parseLanguageList(" en , fr,en,xx,,EN\r\n")).toEqual(["en", "fr"]);
		expect(parseLanguageList("")).toEqual([]);
	});

	test("the-phrase-book: per-language-lengths-and-sounds from-the-resources, nothing-without-the-list", () => {
		const ascii = (text: string) => new Uint8Array([...text].map(c => c.charCodeAt(0))).buffer;
		const resources = new Map<string, ArrayBuffer>([
			[LANGUAGES_RESOURCE, ascii("de,en\n")],
			["say-de-fuel-low.maud", maud(11025, 11025)],
			["say-en-fuel-low.maud", maud(8000, 4000)],
			["say-en-overspeed.maud", maud(8000, 8000)],
		]);
		const rules = [{ id: "fuel-low" }, { id: "overspeed" }];
		const book = readPhraseBook(rules, name => resources.get(name) ?? null, 80);
		expect(book.languages).toEqual(["de", "en"]);
		expect(book.lengths.map(table => Array.from(table))).toEqual([[1080, NaN], [580, 1080]]);
		expect(book.sounds[0]).toEqual([resources.get("say-de-fuel-low.maud"), null]);
		expect(book.sounds[1][1]).toBe(resources.get("say-en-overspeed.maud"));
		resources.delete(LANGUAGES_RESOURCE);
		expect(readPhraseBook(rules, name => resources.get(name) ?? null)).toEqual({ languages: [], lengths: [], sounds: [] });
	});

	test("the-table-has-a-length-per-rule, NaN-where-the-build-made-no-phrase", () => {
		const lengths: Record<string, number> = { "coolant-hot": 900, "fuel-low": 700, "overspeed": 0 };
		const table = phraseLengths([{ id: "coolant-hot" }, { id: "overspeed" }, { id: "fuel-low" }, { id: "nothing" }], id => lengths[id] ?? NaN);
		expect(Array.from(table)).toEqual([900, NaN, 700, NaN]);
	});
});

/**
 * The script XS runs: a chime and speech through the display-tick loop, an
 * alert of each severity (rules 0..2) coming to the pop-up every 12 s and
 * acknowledged 8 s later; the times of the phrases said, summed.
 */
const DRIVER = `
import { Chime, ToneBank } from "./modules/cluster/chime.js";
import { Speech } from "./modules/cluster/speech.js";

let says = 0, stops = 0, sayTimes = 0, now = 0;
const chime = new Chime(new ToneBank(8000), { start() {}, stop() {} });
// English and German; a language change every 50 s (German lacks rule 2's phrase: said in English).
const speech = new Speech({ languages: ["en", "de"], lengths: [[1200, 2000, 800], [1500, 2400, NaN]] }, { say(rule, language) { says++; sayTimes += now; languages += language; }, stop() { stops++; } }, chime);
let languages = 0;

function reply(numbers) {
	return new Float64Array(numbers).buffer;
}
function step(real) {
	now += 33;
	const phase = now % 12000, rule = Math.floor(now / 12000) % 3;
	const shown = phase < 8000 ? rule : -1;
	if (!real)
		return;
	if (now % 50000 < 33)
		speech.speakIn(Math.floor(now / 50000) % 2 ? "de" : "en");
	if (phase < 33) {
		chime.play(rule === 1 ? 2 : rule === 0 ? 1 : 0, now);
		speech.request(rule);
	}
	chime.service(now, shown < 0 ? -1 : rule === 1 ? 2 : rule === 0 ? 1 : 0);
	speech.service(now, shown);
}
globalThis.ticks = function (count) {
	for (let i = 0; i < count; i++)
		step(true);
	return reply([says, stops, sayTimes, languages]);
};
globalThis.empty = function (count) {
	for (let i = 0; i < count; i++)
		step(false);
	return reply([says, stops, sayTimes, languages]);
};
globalThis.collect = function () {
	gc();
};
`;

describeOnXs("speech", ["modules/cluster/chime.ts", "modules/cluster/phrases.ts", "modules/cluster/speech.ts"], DRIVER, ({ run }) => {
	test("xs-says-what-node-says, when-node-says-it, and-its-display-ticks-take-no-heap", async () => {
		// The same loop on Node.
		let says = 0, stops = 0, sayTimes = 0, languages = 0, now = 0;
		const chime = new Chime(new ToneBank(8000), { start() {}, stop() {} });
		const speech = new Speech({ languages: ["en", "de"], lengths: [[1200, 2000, 800], [1500, 2400, NaN]] }, { say(_rule, language) { says++; sayTimes += now; languages += language; }, stop() { stops++; } }, chime);
		const severity = (rule: number) => rule === 1 ? 2 : rule === 0 ? 1 : 0;
		for (let i = 0; i < 2000 + 36000; i++) {
			now += 33;
			const phase = now % 12000, rule = Math.floor(now / 12000) % 3, shown = phase < 8000 ? rule : -1;
			if (now % 50000 < 33)
				speech.speakIn(Math.floor(now / 50000) % 2 ? "de" : "en");
			if (phase < 33) {
				chime.play(severity(rule), now);
				speech.request(rule);
			}
			chime.service(now, shown < 0 ? -1 : severity(rule));
			speech.service(now, shown);
		}
		// 20 minutes of display clock, 100 alerts
		const { values, grownByWork, grownByEmpty } = await heapOfWork(run, "ticks(2000)", "ticks(36000)", "empty(36000)");
		expect(values).toEqual([says, stops, sayTimes, languages]);
		expect(says).toBeGreaterThan(100);
		// Some in German, not all.
		expect(languages).toBeGreaterThan(10);
		expect(languages).toBeLessThan(says);
		// The loop with speech leaves the heap as the loop without it does.
		expect(grownByWork).toBe(grownByEmpty);
	});
});
