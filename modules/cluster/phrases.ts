/*
 * What the spoken alerts say, in each language the cluster can speak: the
 * one table of translations, keyed by alert id and language tag.
 *
 * English is the alerts' own message (alerts.ts), as on the pop-up; this
 * table holds the other languages, worded as a car says them: short, the
 * fault first, then what to do. A message with no translation in a language
 * (an alert added without one) is said in English, by the English voice: a
 * German voice reading English words is hard to follow, an English voice
 * reading English is not. The build (tools/speech.ts) synthesises what
 * `spokenPhrase` returns, and the simulator traces the same.
 *
 * Speech only: the pop-up text stays English, because the display fonts
 * (modules/ui/fonts.ts, the SDK's Open Sans 16 to 28 px) have printable
 * ASCII only, no umlauts or accents. For the same reason each language's
 * name on screen (`languageName`) is written without its accents.
 *
 * Runs on XS and Node; the table is frozen data (a few hundred bytes of
 * strings in flash); `spokenPhrase` allocates its answer, once per phrase.
 */

/** The languages the table has phrases in (espeak-ng has a voice for each), English first. */
export const LANGUAGES: readonly string[] = Object.freeze(["en", "de", "fr", "es", "it"]);

/** The language alert messages are written in, and what a phrase with no translation is said in. */
export const ENGLISH = "en";

/** Each language's own name, in ASCII (the fonts have no accents): what the driver menu shows. */
const NAMES: Readonly<Record<string, string>> = Object.freeze({ en: "English", de: "Deutsch", fr: "Francais", es: "Espanol", it: "Italiano" });

/** The alerts' phrases by alert id, then language (English is the alert's message). */
export const TRANSLATIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = Object.freeze({
	"coolant-hot": Object.freeze({ de: "Motor heiß", fr: "Moteur chaud", es: "Motor caliente", it: "Motore caldo" }),
	"coolant-critical": Object.freeze({ de: "Motor überhitzt: sicher anhalten", fr: "Surchauffe moteur : arrêtez-vous prudemment", es: "Motor sobrecalentado: deténgase en un lugar seguro", it: "Motore surriscaldato: fermarsi in sicurezza" }),
	"coolant-hot-under-load": Object.freeze({ de: "Motor heiß: Gas wegnehmen", fr: "Moteur chaud : levez le pied", es: "Motor caliente: levante el pie", it: "Motore caldo: moderare l'andatura" }),
	"oil-pressure-low": Object.freeze({ de: "Öldruck zu niedrig: Motor abstellen", fr: "Pression d'huile insuffisante : arrêtez le moteur", es: "Presión de aceite baja: pare el motor", it: "Pressione olio bassa: spegnere il motore" }),
	"battery-low": Object.freeze({ de: "Batteriespannung niedrig", fr: "Tension batterie faible", es: "Tensión de batería baja", it: "Tensione batteria bassa" }),
	"fuel-low": Object.freeze({ de: "Kraftstoffreserve", fr: "Réserve de carburant", es: "Reserva de combustible", it: "Riserva carburante" }),
	"overspeed": Object.freeze({ de: "Tempolimit überschritten", fr: "Limite de vitesse dépassée", es: "Límite de velocidad superado", it: "Limite di velocità superato" }),
	"check-engine": Object.freeze({ de: "Motorstörung: Werkstatt aufsuchen", fr: "Anomalie moteur : faites contrôler le véhicule", es: "Avería del motor: acuda al taller", it: "Avaria motore: rivolgersi all'assistenza" }),
});

/** Whether `tag` is a language the table has ("en", "de"...). No allocation. */
export function isLanguage(tag: unknown): tag is string {
	return typeof tag === "string" && LANGUAGES.indexOf(tag) >= 0;
}

/** `tag`'s own name in ASCII ("Deutsch"); the tag itself for one the table lacks. No allocation. */
export function languageName(tag: string): string {
	return isLanguage(tag) ? NAMES[tag] : tag;
}

/** A phrase and the language it is said in (English when `language` has no translation). */
export interface SpokenPhrase {
	readonly text: string;
	readonly language: string;
}

/** What alert `id`, whose message is `message`, says in `language`: its translation, else the English message in English. Allocates the answer. */
export function spokenPhrase(id: string, message: string, language: string): SpokenPhrase {
	const text = language === ENGLISH ? undefined : TRANSLATIONS[id]?.[language];
	return text ? { text, language } : { text: message, language: ENGLISH };
}
