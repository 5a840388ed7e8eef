/*
 * Compatibility suite (issue 12): the command line against cantools.
 *
 * `xs-cluster dbc check` runs over every DBC file of ../shared/data/dbc, and
 * over DBC files made here from them, each with one of the problems cantools
 * tolerates without strict; `xs-cluster decode` then decodes cantools' own
 * vectors (../shared/data/vectors.jsonl, cantools 40.0 on the unedited files)
 * through each, as a candump log. The edited files live in a temporary folder.
 *
 * What cantools gives for an edited file, where it differs from the vectors:
 * - a message with a signal past its declared length: cantools loads it, and
 *   then decodes none of its frames (its bit unpacker wants more bytes than
 *   the message declares), so every value decoded here is one it has no
 *   other answer for; they are held to the unedited file's vectors, the same
 *   bytes read the same way;
 * - a lone `m`, or an `mN` with no switch: cantools reads those signals as
 *   ordinary ones, decoded from every frame;
 * - a statement cut by the end of the file: cantools leaves it out.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { decodeDbcBytes, decodeWindows1252 } from "../modules/dbc/encoding.js";
import { parseDbc } from "../modules/dbc/parser.js";
import { main } from "../tools/cli.js";
import { describeSharedData, fixturesDir, sharedData, cantoolsVectors, type CantoolsVector } from "./shared-data.js";
import { seededRandom } from "./support/random.js";


/** One line of `xs-cluster decode` (JSON lines). */
interface DecodedRecord {
	message: string;
	signals: Record<string, number | string | null>;
}

async function run(...argv: string[]) {
	let stdout = "", stderr = "";
	const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

const temp = mkdtempSync(join(tmpdir(), "xs-cluster-dbc-compat-"));

/** Writes `content` into the temporary folder; returns its path. */
function write(name: string, content: string | Uint8Array): string {
	const path = join(temp, name);
	writeFileSync(path, content);
	return path;
}

/** A candump -l log of frames: one a millisecond, ids as candump writes them (8 digits: extended). */
function candumpLog(name: string, frames: Array<{ id: number; extended: boolean; data: string }>): string {
	const lines = frames.map((frame, i) => {
		const id = frame.id.toString(16).toUpperCase().padStart(frame.extended ? 8 : 3, "0");
		return `(${(1700000000 + i / 1000).toFixed(6)}) can0 ${id}#${frame.data.toUpperCase()}`;
	});
	return write(name, lines.join("\n") + "\n");
}

/** `xs-cluster decode` of `frames`: one record per frame, in order (every frame's id is in the DBC). */
async function decode(dbc: string, frames: Array<{ id: number; extended: boolean; data: string }>, ...options: string[]): Promise<DecodedRecord[]> {
	const log = candumpLog(`${frames.length}-frames.log`, frames);
	const { status, stdout, stderr } = await run("decode", "--dbc", dbc, ...options, log);
	expect(status, stderr).toBe(0);
	const records = stdout.trim().split("\n").filter(Boolean).map(line => JSON.parse(line) as DecodedRecord);
	expect(records).toHaveLength(frames.length);
	return records;
}

/** Equal to floating-point rounding, as test/vectors.test.ts has it. */
function close(actual: unknown, expected: number): boolean {
	if (actual === expected)
		return true;
	return typeof actual === "number" && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected));
}

/**
 * Holds each record to its vector: every signal `want` gives (the vector's by
 * default) with its value, and exactly those signals, unless `present` says
 * which to expect.
 */
function expectAgreement(records: DecodedRecord[], vectors: CantoolsVector[], want: (vector: CantoolsVector) => Record<string, number> = v => v.signals,
	present?: (vector: CantoolsVector, record: DecodedRecord) => string[]): number {
	const failures: string[] = [];
	let checked = 0;
	vectors.forEach((vector, i) => {
		const record = records[i];
		const expected = want(vector);
		const names = present ? present(vector, record) : Object.keys(expected);
		expect(Object.keys(record.signals).sort(), `${vector.dbc} ${vector.id} ${vector.data}: signals decoded`).toEqual([...names].sort());
		for (const [name, value] of Object.entries(expected)) {
			checked++;
			if (!close(record.signals[name], value))
				failures.push(`${vector.dbc} 0x${vector.id.toString(16)} ${vector.data} ${name}: got ${record.signals[name]}, cantools ${value}`);
		}
	});
	expect(failures.slice(0, 10)).toEqual([]);
	return checked;
}

/** Replaces exactly one occurrence of `old`; returns the text and the 1-based line of the change. */
function edit(text: string, old: string, replacement: string): { text: string; line: number } {
	const at = text.indexOf(old);
	if (at < 0 || text.indexOf(old, at + 1) >= 0)
		throw new Error(`expected one '${old}'`);
	return { text: text.slice(0, at) + replacement + text.slice(at + old.length), line: text.slice(0, at).split("\n").length };
}

function escape(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Windows-1252 bytes of `text`, by inverting the decoder (every character must have one). */
function encodeWindows1252(text: string): Uint8Array {
	const all = decodeWindows1252(Uint8Array.from({ length: 256 }, (_, i) => i));
	const byte = new Map([...all].map((c, i) => [c, i]));
	return Uint8Array.from([...text].map(c => {
		const b = byte.get(c);
		if (b === undefined)
			throw new Error(`no Windows-1252 byte for U+${c.codePointAt(0)!.toString(16)}`);
		return b;
	}));
}

describeSharedData("compatibility with cantools: dbc check and decode over ../shared/data", () => {
	const vectors = cantoolsVectors();
	const vectorsOf = (dbc: string) => vectors.filter(v => v.dbc === dbc);
	const original = (name: string) => readFileSync(sharedData("dbc", name), "utf8");
	const files = readdirSync(sharedData("dbc")).filter(name => name.endsWith(".dbc")).sort();

	test.each(files)("%s: dbc check accepts it, with --strict too", async name => {
		const path = sharedData("dbc", name);
		const loose = await run("dbc", "check", path);
		expect(loose.status, loose.stderr).toBe(0);
		expect(loose.stdout).toMatch(/: ok, /);
		const strict = await run("dbc", "check", "--strict", path);
		expect(strict.status, strict.stderr).toBe(0);
		expect(strict.stdout).toBe(loose.stdout);
	});

	test("decode gives cantools' values for every vector of every file", async () => {
		let checked = 0;
		for (const name of files) {
			const mine = vectorsOf(name);
			if (mine.length)
				checked += expectAgreement(await decode(sharedData("dbc", name), mine), mine);
		}
		expect(checked).toBeGreaterThan(20000);
	});

	describe("files with a problem cantools tolerates without strict", () => {
		/**
		 * Checks the edited file: accepted with exactly `warnings` (each the
		 * source of a RegExp for what follows `PATH:`, in order), refused with
		 * --strict. Returns its path.
		 */
		async function check(name: string, text: string | Uint8Array, warnings: string[]): Promise<string> {
			const path = write(name, text);
			const loose = await run("dbc", "check", path);
			expect(loose.status, loose.stderr).toBe(0);
			const lines = loose.stderr.trim().split("\n").filter(Boolean);
			expect(lines).toHaveLength(warnings.length);
			lines.forEach((line, i) => expect(line).toMatch(new RegExp(`^${escape(path)}:${warnings[i]}`)));
			const strict = await run("dbc", "check", "--strict", path);
			expect(strict.status).toBe(1);
			expect(strict.stderr).toMatch(/problems?\n$/);
			return path;
		}

		test("a signal past its message's length is kept and decoded from frames that carry it (socialledge.dbc, IO_DEBUG 4 -> 2 bytes)", async () => {
			const { text, line } = edit(original("socialledge.dbc"), "BO_ 500 IO_DEBUG: 4 IO", "BO_ 500 IO_DEBUG: 2 IO");
			const path = await check("short-message.dbc", text, [
				`${line + 3}:\\d+: warning: signal 'IO_DEBUG_test_signed' \\(start bit 16, 8 bits, little endian\\) does not fit in the 2 bytes of message 'IO_DEBUG': kept, and decoded from frames of at least 3 bytes$`,
				`${line + 4}:\\d+: warning: signal 'IO_DEBUG_test_float' \\(start bit 24, 8 bits, little endian\\) does not fit in the 2 bytes of message 'IO_DEBUG': kept, and decoded from frames of at least 4 bytes$`,
			]);
			const mine = vectorsOf("socialledge.dbc");
			expect(expectAgreement(await decode(path, mine), mine)).toBeGreaterThan(100);
			// Frames of the declared 2 bytes carry only the first two signals, as cantools' truncated decoding has it.
			const io = mine.filter(v => v.id === 500).map(v => ({ ...v, data: v.data.slice(0, 4) }));
			expect(io.length).toBeGreaterThan(5);
			const fitting = (v: CantoolsVector) => Object.fromEntries(Object.entries(v.signals).filter(([name]) => name === "IO_DEBUG_test_unsigned" || name === "IO_DEBUG_test_enum"));
			expectAgreement(await decode(path, io), io, fitting);
		});

		test("a signal reaching past byte 8 is left out, the rest decode (socialledge.dbc)", async () => {
			const { text, line } = edit(original("socialledge.dbc"), "SENSOR_SONARS_err_count : 4|12@1+", "SENSOR_SONARS_err_count : 60|12@1+");
			const path = await check("past-byte-8.dbc", text, [
				`${line}:\\d+: warning: signal 'SENSOR_SONARS_err_count' \\(start bit 60, 12 bits, little endian\\) does not fit in the 8 bytes of message 'SENSOR_SONARS': left out: it reaches byte 9, past the 8 bytes of a CAN frame$`,
			]);
			const mine = vectorsOf("socialledge.dbc");
			expectAgreement(await decode(path, mine), mine, v => Object.fromEntries(Object.entries(v.signals).filter(([name]) => name !== "SENSOR_SONARS_err_count")));
		});

		test("a lone m makes its message's mN signals ordinary ones, decoded from every frame, as cantools reads them (socialledge.dbc)", async () => {
			const { text, line } = edit(original("socialledge.dbc"), "SENSOR_SONARS_mux M :", "SENSOR_SONARS_mux m :");
			const muxed = ["left", "middle", "right", "rear", "no_filt_left", "no_filt_middle", "no_filt_right", "no_filt_rear"];
			const path = await check("lone-m.dbc", text, [
				`${line}:\\d+: warning: multiplexer indicator 'm' without a value for signal 'SENSOR_SONARS_mux', and message 'SENSOR_SONARS' has no switch \\(M\\): read as an ordinary signal, always decoded, as cantools reads it$`,
				...muxed.map((name, i) => `${line + 2 + i}:\\d+: warning: signal 'SENSOR_SONARS_${name}' is multiplexed \\(m${i < 4 ? 0 : 1}\\) but message 'SENSOR_SONARS' has no other signal that is a multiplexer switch \\(M\\): read as an ordinary signal, always decoded, as cantools reads it$`),
			]);
			const mine = vectorsOf("socialledge.dbc");
			const all = ["SENSOR_SONARS_mux", "SENSOR_SONARS_err_count", ...muxed.map(name => `SENSOR_SONARS_${name}`)];
			expectAgreement(await decode(path, mine), mine, v => v.signals, v => v.id === 200 ? all : Object.keys(v.signals));
		});

		test("a VAL_ cut by the end of the file is left out, and nothing else changes (socialledge.dbc)", async () => {
			const text = original("socialledge.dbc").trimEnd() + "\nVAL_ 500 IO_DEBUG_test_enum 2 \"two\" 1 \"one\"";
			const line = text.split("\n").length;
			const path = await check("cut-val.dbc", text, [
				`${line}:1: warning: VAL_ cut by the end of the file \\(expected a value or ';' in VAL_, found end of file\\): left out, as cantools leaves it out$`,
			]);
			const mine = vectorsOf("socialledge.dbc");
			expectAgreement(await decode(path, mine), mine);
			// The file's complete VAL_ for the signal still names its values; the cut one named them "one" and "two".
			const named = (await decode(path, mine, "--choices")).map(r => r.signals.IO_DEBUG_test_enum).filter(v => typeof v === "string");
			expect(named.length).toBeGreaterThan(0);
			expect(named.every(v => String(v).startsWith("IO_DEBUG_test2_enum_"))).toBe(true);
		});

		test("of two messages with one id, frames decode as the later one, as in cantools (motohawk.dbc)", async () => {
			const text = original("motohawk.dbc");
			const block = text.slice(text.indexOf("BO_ 496 ExampleMessage"), text.indexOf("\n\n", text.indexOf("BO_ 496 ExampleMessage")));
			const doubled = text.replace(block, `${block}\n\n${block.replace("ExampleMessage:", "ExampleMessageAgain:")}`);
			const line = doubled.split("\n").findIndex(l => l.startsWith("BO_ 496 ExampleMessageAgain")) + 1;
			const path = await check("same-id.dbc", doubled, [
				`${line}:5: warning: duplicate message id 496: 'ExampleMessageAgain' repeats 'ExampleMessage' \\(line \\d+\\): 'ExampleMessage' left out, as frames of this id decode as 'ExampleMessageAgain' in cantools \\(the later one wins\\)$`,
			]);
			const mine = vectorsOf("motohawk.dbc");
			const records = await decode(path, mine);
			expect(new Set(records.map(r => r.message))).toEqual(new Set(["ExampleMessageAgain"]));
			expectAgreement(records, mine);
		});

		test("two signals of one name are both left out, and an SG_MUL_VAL_ about a signal that does not exist is ignored (socialledge.dbc)", async () => {
			const base = original("socialledge.dbc");
			const { text, line } = edit(base, " SG_ MOTOR_STATUS_speed_kph :", " SG_ MOTOR_STATUS_wheel_error : 1|1@1+ (1,0) [0|0] \"\"  DRIVER,IO\n SG_ MOTOR_STATUS_speed_kph :");
			const withMulVal = text.trimEnd() + "\nSG_MUL_VAL_ 200 Gone SENSOR_SONARS_mux 0-0;\n";
			const path = await check("same-name.dbc", withMulVal, [
				`${line}:\\d+: warning: duplicate signal name 'MOTOR_STATUS_wheel_error' in message 'MOTOR_STATUS' \\(first at line ${line - 1}\\): both left out, as which of them cantools decodes depends on their layout$`,
				`${withMulVal.trimEnd().split("\n").length}:17: warning: SG_MUL_VAL_ refers to signal 'Gone', which message 'SENSOR_SONARS' \\(id 200\\) does not have: ignored, as cantools ignores it$`,
			]);
			const mine = vectorsOf("socialledge.dbc");
			expectAgreement(await decode(path, mine), mine, v => Object.fromEntries(Object.entries(v.signals).filter(([name]) => name !== "MOTOR_STATUS_wheel_error")));
		});

		test("a float whose SIG_VALTYPE_ does not match its length is read by its length, as cantools reads it (floating_point.dbc)", async () => {
			const text = original("floating_point.dbc");
			const at = text.match(/SIG_VALTYPE_ 1024 Signal1 ?: ?2;/);
			expect(at).not.toBeNull();
			const { text: edited, line } = edit(text, at![0], at![0].replace("2;", "1;"));
			const path = await check("float-length.dbc", edited, [
				`${line}:\\d+: warning: signal 'Signal1' is float32 \\(SIG_VALTYPE_\\) but 64 bits long; float32 needs 32: read as float64, as cantools reads it$`,
			]);
			const mine = vectorsOf("floating_point.dbc");
			expectAgreement(await decode(path, mine), mine);
		});

		test("an encoding changes nothing: vw_mqb.dbc in UTF-8, UTF-8 with a byte-order mark, and Windows-1252 read the same", async () => {
			const utf8 = readFileSync(sharedData("dbc", "vw_mqb.dbc"));
			const text = decodeDbcBytes(utf8).text;
			expect(text).toContain("Tankfüllstand in %");
			const variants = {
				"vw_mqb-bom.dbc": new Uint8Array([0xEF, 0xBB, 0xBF, ...utf8]),
				"vw_mqb-cp1252.dbc": encodeWindows1252(text),
			};
			const reference = parseDbc(text, "vw_mqb.dbc");
			const mine = vectorsOf("vw_mqb.dbc");
			const expected = await decode(sharedData("dbc", "vw_mqb.dbc"), mine, "--choices");
			for (const [name, bytes] of Object.entries(variants)) {
				const path = write(name, bytes);
				const checked = await run("dbc", "check", "--strict", path);
				expect(checked.status, checked.stderr).toBe(0);
				expect(checked.stderr.trim().split("\n")).toHaveLength(reference.warnings.length);
				// Units, value names and comments exactly as written.
				const { database } = parseDbc(decodeDbcBytes(readFileSync(path)).text, "vw_mqb.dbc");
				expect(database).toEqual(reference.database);
				expect(await decode(path, mine, "--choices")).toEqual(expected);
			}
			// With --choices a value with a name prints as the name; the rest are cantools' numbers.
			expectAgreement(expected, mine, v => Object.fromEntries(Object.entries(v.signals).filter(([name]) => typeof expected[mine.indexOf(v)].signals[name] !== "string")),
				v => Object.keys(v.signals));
		});
	});
});

describe("SG_MUL_VAL_ naming an M signal's switch, as cantools' own dumps write mNM", () => {
	test("decodes every frame exactly as the mNM it was dumped from (test/fixtures/dbc/multiplexed.dbc)", async () => {
		const text = readFileSync(join(fixturesDir, "dbc", "multiplexed.dbc"), "utf8");
		// cantools dumps the inner switch `SubPage m1M` as `SubPage M`, leaving SG_MUL_VAL_ to say that Page 1 selects it.
		const { text: dumped, line } = edit(text, " SG_ SubPage m1M :", " SG_ SubPage M :");
		expect(text).toContain("SG_MUL_VAL_ 200 SubPage Page 1-1;");
		const original = write("nested.dbc", text);
		const asDumped = write("nested-dumped.dbc", dumped);
		const checked = await run("dbc", "check", asDumped);
		expect(checked.status).toBe(0);
		const mulValLine = dumped.split("\n").findIndex(l => l.startsWith("SG_MUL_VAL_ 200 SubPage")) + 1;
		expect(checked.stderr).toBe(`${asDumped}:${mulValLine}:1: warning: SG_MUL_VAL_ for signal 'SubPage', which has no multiplexer indicator (mN) in message 'Nested': read as selected by 'Page' (1-1), as cantools reads it\n`);
		expect(line).toBeLessThan(mulValLine);
		const random = seededRandom(12);
		const frames = Array.from({ length: 400 }, () => ({
			id: 200,
			extended: false,
			data: Array.from({ length: 8 }, () => Math.floor(random() * 256).toString(16).padStart(2, "0")).join(""),
		}));
		const records = await decode(asDumped, frames);
		expect(records).toEqual(await decode(original, frames));
		expect(records.filter(r => "Deep" in r.signals).length).toBeGreaterThan(0);
	});
});
