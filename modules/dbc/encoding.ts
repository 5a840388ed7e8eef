/*
 * DBC text encodings: the bytes of a DBC file in, its text out.
 *
 * DBC files come from Windows tools (Vector CANdb++, written in Windows-1252)
 * and from text editors and generators (UTF-8, sometimes with a byte-order
 * mark). The file does not say which, so the content does: a byte-order mark
 * wins; bytes that are valid UTF-8 are UTF-8 (a Windows-1252 text with
 * accented letters is almost never valid UTF-8, while a UTF-8 text read as
 * Windows-1252 turns `°C` into `Â°C`); anything else is Windows-1252. A caller
 * that knows better names the encoding.
 *
 * Host side (Node; TextDecoder only, no Node API). Allocates the text.
 */

/** The encodings a DBC file is read in. */
export type DbcEncoding = "utf-8" | "windows-1252" | "utf-16le" | "utf-16be";

/** Names accepted for an encoding (`--encoding`), lower case, and what each means. */
const ENCODING_NAMES: ReadonlyMap<string, DbcEncoding> = new Map([
	["utf-8", "utf-8"], ["utf8", "utf-8"],
	["windows-1252", "windows-1252"], ["cp1252", "windows-1252"],
	// As in the WHATWG Encoding standard (and so in browsers): a file labelled Latin-1 is read as Windows-1252.
	["latin1", "windows-1252"], ["iso-8859-1", "windows-1252"],
	["utf-16le", "utf-16le"], ["utf-16be", "utf-16be"],
]);

/** The encoding a name stands for (`utf8`, `cp1252`, ...; case-insensitive), or undefined. */
export function dbcEncodingNamed(name: string): DbcEncoding | undefined {
	return ENCODING_NAMES.get(name.trim().toLowerCase());
}

/** The names `dbcEncodingNamed` takes, for a usage message. */
export const DBC_ENCODING_NAMES: readonly string[] = [...ENCODING_NAMES.keys()];

export interface DecodedDbcText {
	text: string;
	/** The encoding the text was read in. */
	encoding: DbcEncoding;
	/** How it was chosen: named by the caller, a byte-order mark, or the content. */
	by: "caller" | "byte-order mark" | "content";
	/**
	 * Where the first byte that is not valid in the encoding named by the
	 * caller became U+FFFD in `text` (a character index), or -1. Only a named
	 * UTF-8 can have such bytes; a detected one never does.
	 */
	invalidAt: number;
}

/**
 * Windows-1252's characters for bytes 0x80 to 0x9F, where it differs from
 * Latin-1. The five bytes Windows-1252 leaves undefined (0x81, 0x8D, 0x8F,
 * 0x90, 0x9D) stay the C1 controls of Latin-1, as the WHATWG decoder has them,
 * so that no byte is lost. (Node's own TextDecoder("windows-1252") decodes
 * Latin-1, without these.)
 */
const CP1252_HIGH = [
	0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
	0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
];

/** Decodes Windows-1252 bytes. Allocates the text. */
export function decodeWindows1252(bytes: Uint8Array): string {
	let text = "";
	const CHUNK = 8192;
	for (let start = 0; start < bytes.length; start += CHUNK) {
		const end = Math.min(bytes.length, start + CHUNK);
		const codes = new Array<number>(end - start);
		for (let i = start; i < end; i++) {
			const b = bytes[i];
			codes[i - start] = b >= 0x80 && b < 0xA0 ? CP1252_HIGH[b - 0x80] : b;
		}
		text += String.fromCharCode(...codes);
	}
	return text;
}

/**
 * Turns the bytes of a DBC file into text: in `encoding` when given, else in
 * the encoding its content shows (see the header). A byte-order mark is never
 * part of the text. Allocates the text.
 */
export function decodeDbcBytes(bytes: Uint8Array, encoding?: DbcEncoding): DecodedDbcText {
	const bom = byteOrderMark(bytes);
	if (encoding === undefined && bom)
		return { text: decodeAs(bytes.subarray(bom.length), bom.encoding), encoding: bom.encoding, by: "byte-order mark", invalidAt: -1 };
	if (encoding !== undefined) {
		// The caller's encoding wins; its own byte-order mark is still not text.
		const body = bom && bom.encoding === encoding ? bytes.subarray(bom.length) : bytes;
		const text = decodeAs(body, encoding);
		let invalidAt = -1;
		if (encoding === "utf-8" && !isUtf8(body))
			invalidAt = text.indexOf("\uFFFD");
		return { text, encoding, by: "caller", invalidAt };
	}
	if (isUtf8(bytes))
		return { text: decodeAs(bytes, "utf-8"), encoding: "utf-8", by: "content", invalidAt: -1 };
	return { text: decodeWindows1252(bytes), encoding: "windows-1252", by: "content", invalidAt: -1 };
}

function byteOrderMark(bytes: Uint8Array): { encoding: DbcEncoding; length: number } | null {
	if (bytes.length >= 3 && bytes[0] === 0xEF && bytes[1] === 0xBB && bytes[2] === 0xBF)
		return { encoding: "utf-8", length: 3 };
	if (bytes.length >= 2 && bytes[0] === 0xFF && bytes[1] === 0xFE)
		return { encoding: "utf-16le", length: 2 };
	if (bytes.length >= 2 && bytes[0] === 0xFE && bytes[1] === 0xFF)
		return { encoding: "utf-16be", length: 2 };
	return null;
}

function decodeAs(bytes: Uint8Array, encoding: DbcEncoding): string {
	if (encoding === "windows-1252")
		return decodeWindows1252(bytes);
	// ignoreBOM: the mark was taken off above, or the caller named an encoding and a stray one is text.
	return new TextDecoder(encoding, { ignoreBOM: true }).decode(bytes);
}

function isUtf8(bytes: Uint8Array): boolean {
	try {
		new TextDecoder("utf-8", { fatal: true }).decode(bytes);
		return true;
	}
	catch {
		return false;
	}
}
