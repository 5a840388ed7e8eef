/*
 * Spoken alerts in the driver's language: the phrase table (every alert the
 * firmware raises, in every language, short; English from the alert's own
 * message, and English where a translation is missing), the driver's
 * `language` setting (stored, loaded, checked; records from before it or
 * with a language this build does not know load with the build's first),
 * the choice of phrase by language with its fallback, and the names the
 * build tool writes matching the ones the firmware reads. Node (vitest),
 * and the same on XS (xsnap), compiled as the device compiles them.
 */
import { describe, expect, test } from "vitest";
import { checkEngineAlertRule, defaultAlertRules } from "../modules/cluster/alerts.js";
import { DRIVER_DOMAIN, DriverBook } from "../modules/cluster/drivers.js";
import { ENGLISH, LANGUAGES, TRANSLATIONS, isLanguage, languageName, spokenPhrase } from "../modules/cluster/phrases.js";
import { phraseResource } from "../modules/cluster/speech.js";
import { buildPhrases, phraseFile } from "../tools/speech.js";
import { FakePreferences } from "./fixtures/fake-preferences.js";
import { describeOnXs } from "./support/xs-suite.js";

const RULES = [...defaultAlertRules(), checkEngineAlertRule()];

describe("phrase table", () => {
	test("every-alert-the-firmware-raises has-a-phrase-in-every-language, and-the-table-no-other-ids", () => {
		expect(LANGUAGES).toEqual(["en", "de", "fr", "es", "it"]);
		for (const rule of RULES)
			for (const language of LANGUAGES.filter(l => l !== ENGLISH))
				expect(TRANSLATIONS[rule.id]?.[language], `${rule.id} ${language}`).toBeTruthy();
		expect(Object.keys(TRANSLATIONS).sort()).toEqual(RULES.map(rule => rule.id).sort());
		for (const [id, phrases] of Object.entries(TRANSLATIONS))
			expect(Object.keys(phrases).sort(), id).toEqual(LANGUAGES.filter(l => l !== ENGLISH).sort());
	});

	test("phrases-are-short: at-most-twice-the-english (30 letters for the shortest), at-most-eight-words", () => {
		for (const rule of RULES)
			for (const language of LANGUAGES) {
				const text = spokenPhrase(rule.id, rule.message, language).text;
				expect(text.split(/\s+/).length, text).toBeLessThanOrEqual(8);
				expect(text.length, text).toBeLessThanOrEqual(Math.max(2 * rule.message.length, 30));
			}
	});

	test("english-is-the-alert's-message; a-missing-translation-is-english, said-in-english", () => {
		expect(spokenPhrase("coolant-hot", "Engine hot", "en")).toEqual({ text: "Engine hot", language: "en" });
		expect(spokenPhrase("coolant-hot", "Engine hot", "de")).toEqual({ text: "Motor heiß", language: "de" });
		expect(spokenPhrase("oil-pressure-low", "Oil pressure low: stop engine", "fr")).toEqual({ text: "Pression d'huile insuffisante : arrêtez le moteur", language: "fr" });
		expect(spokenPhrase("tyre-pressure", "Check tyre pressure", "de")).toEqual({ text: "Check tyre pressure", language: "en" });
		expect(spokenPhrase("fuel-low", "Fuel low", "nl")).toEqual({ text: "Fuel low", language: "en" });
		expect(spokenPhrase("constructor", "x", "de")).toEqual({ text: "x", language: "en" });
	});

	test("languages-on-screen: their-own-names-in-ascii (the-fonts-have-no-accents)", () => {
		expect(LANGUAGES.map(languageName)).toEqual(["English", "Deutsch", "Francais", "Espanol", "Italiano"]);
		for (const language of LANGUAGES)
			expect(languageName(language)).toMatch(/^[\x20-\x7E]+$/);
		expect(languageName("nl")).toBe("nl");
		expect([isLanguage("de"), isLanguage("DE"), isLanguage("de-at"), isLanguage(undefined), isLanguage("toString")]).toEqual([true, false, false, false, false]);
	});

	test("the-tool's-files are-the-firmware's-resources, before-wav2maud", () => {
		for (const phrase of buildPhrases(LANGUAGES))
			expect(phrase.file.replace(/\.wav$/, ".maud")).toBe(phraseResource(phrase.language, phrase.id));
		expect(phraseFile("es", "overspeed")).toBe("say-es-overspeed.wav");
		expect(buildPhrases(["de", "en"]).slice(0, 2).map(p => [p.file, p.text])).toEqual([["say-de-coolant-hot.wav", "Motor heiß"], ["say-de-coolant-critical.wav", "Motor überhitzt: sicher anhalten"]]);
	});
});

describe("driver language", () => {
	test("a-new-driver-speaks-the-build's-first-language; a-choice-is-stored-and-loaded", () => {
		const prefs = new FakePreferences();
		const book = new DriverBook(prefs, "Anna", "de");
		expect(book.current.language).toBe("de");
		const ben = book.add("Ben");
		expect(book.drivers[ben].language).toBe("de");
		book.update({ language: "fr" }, ben);
		expect(JSON.parse(prefs.get(DRIVER_DOMAIN, "d1") as string).language).toBe("fr");
		const again = new DriverBook(prefs, "x", "en");
		expect(again.drivers.map(d => d.language)).toEqual(["de", "fr"]);
		expect(again.recovered).toBe(0);
		// A build without a language: English.
		expect(new DriverBook(new FakePreferences()).current.language).toBe("en");
	});

	test("old-records-without-a-language, or-with-one-this-build-lacks, load-with-the-build's-first and-keep-the-rest", () => {
		const prefs = new FakePreferences();
		prefs.set(DRIVER_DOMAIN, "d0", JSON.stringify({ name: "Old", units: "imperial", theme: "night", page: "trip", brightness: 50, chime: true, speech: true, thresholds: { overspeed: 120 }, key: 3 }));
		prefs.set(DRIVER_DOMAIN, "d1", JSON.stringify({ name: "Far", units: "metric", theme: "auto", page: "main", brightness: 80, chime: true, speech: false, language: "tlh", thresholds: {}, key: -1 }));
		const writes = prefs.writes;
		const book = new DriverBook(prefs, "x", "es");
		expect(book.drivers[0]).toMatchObject({ name: "Old", units: "imperial", theme: "night", brightness: 50, thresholds: { overspeed: 120 }, key: 3, language: "es" });
		expect(book.drivers[1]).toMatchObject({ name: "Far", speech: false, language: "es" });
		expect(book.recovered).toBe(0);
		// Loading writes nothing; the next change stores the language.
		expect(prefs.writes).toBe(writes);
		book.update({ brightness: 60 });
		expect(JSON.parse(prefs.get(DRIVER_DOMAIN, "d0") as string).language).toBe("es");
	});

	test("a-language-the-table-lacks is-refused-and-changes-nothing", () => {
		const book = new DriverBook(new FakePreferences(), "Anna");
		for (const bad of ["nl", "DE", "", 3, null])
			expect(() => book.update({ language: bad as string })).toThrow(/^language must be one of en, de, fr, es, it, not /);
		expect(book.current.language).toBe("en");
		expect(() => new DriverBook(new FakePreferences(), "Anna", "nl")).toThrow(RangeError);
	});
});

/**
 * The same on XS: drivers stored and loaded with their language (an old
 * record, one with an unknown language), a bad language refused, phrases
 * chosen by language with the fallback, and Speech saying each in the
 * driver's language or the build's first.
 */
const DRIVER = `
import { DriverBook } from "./modules/cluster/drivers.js";
import { LANGUAGES, languageName, spokenPhrase } from "./modules/cluster/phrases.js";
import { Speech, parseLanguageList, phraseResource } from "./modules/cluster/speech.js";
import { utf8Bytes } from "./modules/connect/utf8.js";
import { FakePreferences } from "./test/fixtures/fake-preferences.js";

const json = value => utf8Bytes(JSON.stringify(value)).buffer;

globalThis.drivers = function () {
	const prefs = new FakePreferences();
	prefs.set("xsc-drivers", "d0", JSON.stringify({ name: "Old", units: "imperial", theme: "night", page: "trip", brightness: 50, chime: true, speech: true, thresholds: { overspeed: 120 }, key: 3 }));
	prefs.set("xsc-drivers", "d1", JSON.stringify({ name: "Far", units: "metric", theme: "auto", page: "main", brightness: 80, chime: true, speech: false, language: "tlh", thresholds: {}, key: -1 }));
	const book = new DriverBook(prefs, "x", "es");
	const loaded = book.drivers.map(d => d.language);
	const ben = book.add("Ben");
	book.update({ language: "fr" }, ben);
	let refused = "";
	try {
		book.update({ language: "nl" });
	}
	catch (error) {
		refused = error.message;
	}
	const again = new DriverBook(prefs, "x", "de");
	return json({ loaded, recovered: book.recovered, stored: JSON.parse(prefs.get("xsc-drivers", "d2")).language, reloaded: again.drivers.map(d => d.language), refused });
};

globalThis.phrases = function () {
	const said = [];
	const speech = new Speech({ languages: ["en", "de"], lengths: [[1000, 1000, 1000], [1200, 1200, NaN]] }, {
		say(rule, language) { said.push(rule + " " + speech.languages[language]); },
		stop() {},
	});
	let now = 0;
	const say = rule => {
		speech.request(rule);
		speech.service(now += 10, rule);
		speech.service(now += 2000, -1);
	};
	const chosen = [speech.speakIn("de")];
	say(0);
	say(2);
	chosen.push(speech.speakIn("fr"));
	say(1);
	return json({
		said, chosen,
		spoken: LANGUAGES.map(language => spokenPhrase("oil-pressure-low", "Oil pressure low: stop engine", language)),
		missing: spokenPhrase("tyre-pressure", "Check tyre pressure", "de"),
		names: LANGUAGES.map(languageName),
		resource: phraseResource("de", "coolant-hot"),
		list: parseLanguageList(" de,en,xx,de\\n"),
	});
};
`;

describeOnXs("language", ["modules/cluster/phrases.ts", "modules/cluster/drivers.ts", "modules/cluster/speech.ts", "modules/cluster/chime.ts", "modules/connect/utf8.ts", "test/fixtures/fake-preferences.ts"], DRIVER, ({ json }) => {
	test("xs-stores-loads-and-checks-a-driver's-language as-node-does", async () => {
		const xs = await json<Record<string, unknown>>("drivers()");
		expect(xs).toEqual({ loaded: ["es", "es"], recovered: 0, stored: "fr", reloaded: ["de", "de", "fr"], refused: "language must be one of en, de, fr, es, it, not nl" });
	});

	test("xs-chooses-the-phrase-by-language, with-the-fallback, as-node-does", async () => {
		const xs = await json<Record<string, unknown>>("phrases()");
		expect(xs).toEqual({
			said: ["0 de", "2 en", "1 en"],
			chosen: ["de", "en"],
			spoken: LANGUAGES.map(language => spokenPhrase("oil-pressure-low", "Oil pressure low: stop engine", language)),
			missing: { text: "Check tyre pressure", language: "en" },
			names: LANGUAGES.map(languageName),
			resource: "say-de-coolant-hot.maud",
			list: ["de", "en"],
		});
	});
});
