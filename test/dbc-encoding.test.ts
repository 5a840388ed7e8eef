/*
 * DBC text encodings (modules/dbc/encoding.ts): UTF-8 with or without a
 * byte-order mark and Windows-1252 told apart by content, a named encoding
 * winning, and `--encoding` on the command line.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { dbcEncodingNamed, decodeDbcBytes, decodeWindows1252 } from "../modules/dbc/encoding.js";
import { main } from "../tools/cli.js";

const bytes = (...values: number[]) => new Uint8Array(values);
const utf8 = (text: string) => new TextEncoder().encode(text);

describe("decodeDbcBytes", () => {
	test("valid UTF-8 is UTF-8, a byte-order mark is taken off, anything else is Windows-1252", () => {
		expect(decodeDbcBytes(utf8("\"°C\" \"Drive ü\""))).toEqual({ text: "\"°C\" \"Drive ü\"", encoding: "utf-8", by: "content", invalidAt: -1 });
		expect(decodeDbcBytes(bytes(0xEF, 0xBB, 0xBF, ...utf8("BO_ °")))).toEqual({ text: "BO_ °", encoding: "utf-8", by: "byte-order mark", invalidAt: -1 });
		// "°C" and "ü" as CANdb++ writes them, and Windows-1252's own characters (€, quotes, Š).
		expect(decodeDbcBytes(bytes(0xB0, 0x43, 0x20, 0xFC, 0x20, 0x80, 0x93, 0x94, 0x8A))).toEqual({ text: "°C ü €“”Š", encoding: "windows-1252", by: "content", invalidAt: -1 });
		expect(decodeDbcBytes(bytes(0xFF, 0xFE, 0x42, 0x00, 0xB0, 0x00)).text).toBe("B°");
		expect(decodeDbcBytes(bytes(0xFE, 0xFF, 0x00, 0x42)).text).toBe("B");
		expect(decodeDbcBytes(bytes()).text).toBe("");
	});

	test("a named encoding wins over the content", () => {
		const text = utf8("°C");
		expect(decodeDbcBytes(text, "windows-1252").text).toBe("Â°C");
		expect(decodeDbcBytes(bytes(0xEF, 0xBB, 0xBF, 0x41), "utf-8").text).toBe("A");
		expect(decodeDbcBytes(bytes(0xEF, 0xBB, 0xBF, 0x41), "windows-1252").text).toBe("ï»¿A");
		// Bytes that are not UTF-8 where UTF-8 was named become U+FFFD, and say where.
		expect(decodeDbcBytes(bytes(0x41, 0x0A, 0x42, 0xFC), "utf-8")).toEqual({ text: "A\nB\uFFFD", encoding: "utf-8", by: "caller", invalidAt: 3 });
	});

	test("Windows-1252 maps all 256 bytes, its 5 undefined ones to the C1 controls as WHATWG does", () => {
		const text = decodeWindows1252(Uint8Array.from({ length: 256 }, (_, i) => i));
		expect(text).toHaveLength(256);
		expect([...text].map(c => c.codePointAt(0)).filter((code, i) => code !== i)).toHaveLength(27);
		expect([0x81, 0x8D, 0x8F, 0x90, 0x9D].map(b => text.charCodeAt(b))).toEqual([0x81, 0x8D, 0x8F, 0x90, 0x9D]);
		expect(text.charCodeAt(0x80)).toBe(0x20AC);
		expect(text.charCodeAt(0x9F)).toBe(0x0178);
		expect(new Set(text).size).toBe(256);
	});

	test("encoding names, as --encoding takes them", () => {
		expect(["UTF-8", "utf8", "cp1252", "Windows-1252", "latin1", "ISO-8859-1", "nope"].map(dbcEncodingNamed))
			.toEqual(["utf-8", "utf-8", "windows-1252", "windows-1252", "windows-1252", "windows-1252", undefined]);
	});
});

describe("xs-cluster dbc check --encoding", () => {
	async function run(...argv: string[]) {
		let stdout = "", stderr = "";
		const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
		return { status, stdout, stderr };
	}
	const dir = mkdtempSync(join(tmpdir(), "xs-cluster-dbc-encoding-"));
	const cp1252 = join(dir, "cp1252.dbc");
	writeFileSync(cp1252, bytes(...utf8("BO_ 1 A: 8 X\n SG_ T : 0|8@1+ (1,0) [0|0] \""), 0xB0, 0x43, ...utf8("\" X\n")));

	test("naming UTF-8 for a Windows-1252 file warns where the first byte that is not UTF-8 is", async () => {
		const { status, stderr } = await run("dbc", "check", "--encoding", "utf-8", cp1252);
		expect(status).toBe(0);
		expect(stderr).toBe(`${cp1252}:2:30: warning: not valid UTF-8 (--encoding): such bytes read as U+FFFD\n`);
		expect((await run("dbc", "check", cp1252)).stderr).toBe("");
	});

	test("an encoding it does not know is a usage mistake", async () => {
		const { status, stderr } = await run("dbc", "check", "--encoding", "ebcdic", cp1252);
		expect(status).toBe(2);
		expect(stderr).toMatch(/^xs-cluster: --encoding must be one of utf-8, utf8, windows-1252, cp1252, latin1, iso-8859-1, utf-16le, utf-16be, not ebcdic\n/);
	});
});
