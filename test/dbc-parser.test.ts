/*
 * The DBC text parser (modules/dbc/parser.ts), on Node: the project's own
 * fixtures (test/fixtures/dbc) with exact expected values, error reports with
 * exact positions, what cantools tolerates without strict (warnings) and
 * refuses with it (problems), a fuzz run, and the real DBC files and cantools
 * vectors of ../shared/data when that folder is present.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DbcError, formatProblem, type DbcDatabase, type DbcMessage, type DbcSignal } from "../modules/dbc/database.js";
import { compilePlan } from "../modules/dbc/compile.js";
import { decodeDbcBytes } from "../modules/dbc/encoding.js";
import { parseDbc, parseDbcOrThrow } from "../modules/dbc/parser.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { describeSharedData, fixturesDir, sharedData, cantoolsVectors, type CantoolsVector } from "./shared-data.js";
import { seededRandom } from "./support/random.js";

/** Files are read in the encoding their content shows, as the CLI reads them. */
function fixture(name: string): string {
	return decodeDbcBytes(readFileSync(join(fixturesDir, "dbc", name))).text;
}

function problems(text: string): string[] {
	return parseDbc(text, "car.dbc").problems.map(formatProblem);
}

function warnings(text: string): string[] {
	return parseDbc(text, "car.dbc").warnings.map(formatProblem);
}

/** Problems with strict: what `--strict` refuses, as cantools' strict=True does. */
function strictProblems(text: string): string[] {
	return parseDbc(text, "car.dbc", { strict: true }).problems.map(formatProblem);
}

function message(database: DbcDatabase, name: string): DbcMessage {
	const found = database.messages.find((m) => m.name === name);
	if (!found)
		throw new Error(`no message ${name}`);
	return found;
}

function signal(database: DbcDatabase, messageName: string, name: string): DbcSignal {
	const found = message(database, messageName).signals.find((s) => s.name === name);
	if (!found)
		throw new Error(`no signal ${messageName}.${name}`);
	return found;
}

describe("fixture features.dbc", () => {
	const { database, problems, warnings } = parseDbc(fixture("features.dbc"), "features.dbc");

	test("parses without problems or warnings", () => {
		expect(problems).toEqual([]);
		expect(warnings).toEqual([]);
	});

	test("reads VERSION, BU_ and named VAL_TABLE_ tables", () => {
		expect(database.file).toBe("features.dbc");
		expect(database.version).toBe("1.2.3");
		expect(database.nodes).toEqual(["Engine", "Dash", "Gateway"]);
		expect([...database.valueTables.keys()]).toEqual(["GearTable", "Empty"]);
		expect([...database.valueTables.get("GearTable")!]).toEqual([[0, "Park"], [1, "Reverse"], [2, "Neutral"], [3, "Drive"]]);
		expect(database.valueTables.get("Empty")!.size).toBe(0);
	});

	test("keeps messages in file order and drops VECTOR__INDEPENDENT_SIG_MSG", () => {
		expect(database.messages.map((m) => m.name)).toEqual(["EngineData", "BatteryStatus", "Odometer", "Gear", "Silent"]);
	});

	test("reads a little-endian unsigned signal with receivers separated by commas", () => {
		expect(signal(database, "EngineData", "EngineSpeed")).toEqual({
			name: "EngineSpeed",
			startBit: 0,
			length: 16,
			byteOrder: "little_endian",
			signed: false,
			valueType: "integer",
			factor: 0.25,
			offset: 0,
			minimum: 0,
			maximum: 16383.75,
			unit: "rpm",
			receivers: ["Dash", "Gateway"],
			isMultiplexer: false,
			multiplexerSignal: null,
			multiplexerRanges: [],
			choices: null,
			comment: "Crankshaft speed.\nSecond line of the comment",
			location: { line: 32, col: 2 },
		});
	});

	test("reads a big-endian signed signal with receivers separated by spaces", () => {
		const coolant = signal(database, "EngineData", "CoolantTemp");
		expect(coolant).toMatchObject({ startBit: 23, length: 8, byteOrder: "big_endian", signed: true, factor: 1, offset: -40, minimum: -40, maximum: 215, unit: "degC" });
		expect(coolant.receivers).toEqual(["Dash", "Gateway"]);
	});

	test("reads numbers with exponents and explicit signs, and Vector__XXX as no receiver", () => {
		expect(signal(database, "EngineData", "OilPressure")).toMatchObject({ byteOrder: "big_endian", signed: false, factor: 0.01, offset: 3, receivers: [] });
		expect(signal(database, "EngineData", "Torque")).toMatchObject({ signed: true, factor: -0.5, offset: 15, minimum: -1000, maximum: 1000 });
	});

	test("reads message headers, with bit 31 of the id meaning an extended frame", () => {
		const engine = message(database, "EngineData");
		expect(engine).toMatchObject({ id: 256, extended: false, length: 8, sender: "Engine", location: { line: 31, col: 1 } });
		expect(message(database, "BatteryStatus")).toMatchObject({ id: 0x18FEF100, extended: true, length: 8, sender: "Gateway" });
		expect(message(database, "Silent")).toMatchObject({ id: 1024, length: 0, sender: "Vector__XXX", signals: [] });
	});

	test("takes the cycle time from BA_, else from BA_DEF_DEF_, and a BA_ of 0 means none", () => {
		expect(message(database, "EngineData").cycleTime).toBe(10);
		expect(message(database, "BatteryStatus").cycleTime).toBe(100);
		expect(message(database, "Odometer").cycleTime).toBe(100);
		expect(message(database, "Gear").cycleTime).toBeNull();
	});

	test("keeps every BA_ of a message, converted by the type of its BA_DEF_", () => {
		expect([...message(database, "EngineData").attributes]).toEqual([
			["GenMsgCycleTime", 10],
			["GenMsgSendType", 1],
			["GenMsgDelayTime", 2.5],
			["Owner", "powertrain"],
		]);
		expect([...message(database, "Gear").attributes]).toEqual([["GenMsgCycleTime", 0]]);
		expect(message(database, "Odometer").attributes.size).toBe(0);
	});

	test("attaches comments, unescaping \\\" and keeping line breaks", () => {
		expect(message(database, "EngineData").comment).toBe("Engine data, sent by the \"ECU\"");
		expect(message(database, "Gear").comment).toBeNull();
		expect(signal(database, "EngineData", "Torque").comment).toBeNull();
	});

	test("attaches VAL_ tables to their signals, negative values included", () => {
		expect([...signal(database, "Gear", "GearPosition").choices!]).toEqual([[3, "Drive"], [2, "Neutral"], [1, "Reverse"], [0, "Park"]]);
		expect([...signal(database, "EngineData", "CoolantTemp").choices!]).toEqual([[-40, "Cold"], [215, "Sensor fault"]]);
		expect(signal(database, "Gear", "Counter").choices).toBeNull();
	});

	test("marks SIG_VALTYPE_ 1 as float32 and 2 as float64", () => {
		expect(signal(database, "BatteryStatus", "PackVoltage").valueType).toBe("float32");
		expect(signal(database, "Odometer", "Distance").valueType).toBe("float64");
		expect(signal(database, "BatteryStatus", "PackCurrent").valueType).toBe("integer");
	});
});

describe("fixture multiplexed.dbc", () => {
	const { database, problems } = parseDbc(fixture("multiplexed.dbc"), "multiplexed.dbc");
	const mux = (messageName: string, name: string) => {
		const s = signal(database, messageName, name);
		return [s.isMultiplexer, s.multiplexerSignal, s.multiplexerRanges];
	};

	test("parses without problems", () => {
		expect(problems).toEqual([]);
	});

	test("simple multiplexing: mN signals depend on the message's only M switch with value N", () => {
		expect(mux("Simple", "Mode")).toEqual([true, null, []]);
		expect(mux("Simple", "Always")).toEqual([false, null, []]);
		expect(mux("Simple", "Speed")).toEqual([false, "Mode", [[0, 0]]]);
		expect(mux("Simple", "Temperature")).toEqual([false, "Mode", [[1, 1]]]);
	});

	test("SG_MUL_VAL_ adds ranges to mN under a single switch, as in cantools", () => {
		expect(mux("Simple", "Shared")).toEqual([false, "Mode", [[2, 3], [5, 5]]]);
	});

	test("extended multiplexing: SG_MUL_VAL_ names the switch, and mNM is a switch that is itself multiplexed", () => {
		expect(mux("Nested", "Page")).toEqual([true, null, []]);
		expect(mux("Nested", "SubPage")).toEqual([true, "Page", [[1, 1]]]);
		expect(mux("Nested", "Plain")).toEqual([false, "Page", [[0, 0]]]);
		expect(mux("Nested", "Deep")).toEqual([false, "SubPage", [[3, 3], [5, 7]]]);
		expect(mux("Nested", "Wide")).toEqual([false, "Page", [[2, 4], [8, 9]]]);
	});
});

describe("tokens and layout", () => {
	test("CRLF line ends, tabs and // comments do not disturb positions", () => {
		const text = "// header comment\r\nBO_ 1 A: 8 X\r\n\t SG_ S : 0|8@1+ (1,0) [0|0] \"\" X // trailing\r\n";
		const { database, problems } = parseDbc(text, "car.dbc");
		expect(problems).toEqual([]);
		expect(database.messages[0].location).toEqual({ line: 2, col: 1 });
		expect(database.messages[0].signals[0].location).toEqual({ line: 3, col: 3 });
	});

	test("line breaks inside a comment string become \\n whatever the file uses, as in cantools", () => {
		const text = "BO_ 1 A: 8 X\r\nCM_ BO_ 1 \"one\r\ntwo\rthree\nfour\";\r\nBO_ 2 B: 8 X\r\n";
		const { database, problems } = parseDbc(text, "car.dbc");
		expect(problems).toEqual([]);
		expect(database.messages[0].comment).toBe("one\ntwo\nthree\nfour");
		expect(database.messages[1].location).toEqual({ line: 6, col: 1 });
	});

	test("a lone CR ends a line", () => {
		const { database, problems } = parseDbc("BO_ 1 A: 8 X\r SG_ S : 0|8@1+ (1,0) [0|0] \"\" X\rBO_ 2 B: 8 X\r", "car.dbc");
		expect(problems).toEqual([]);
		expect(database.messages[0].signals[0].location).toEqual({ line: 2, col: 2 });
		expect(database.messages[1].location).toEqual({ line: 3, col: 1 });
	});

	test("a backslash not before a quote stays in the string", () => {
		const { database } = parseDbc("BO_ 1 A: 8 X\nCM_ BO_ 1 \"C:\\temp \\\"quoted\\\"\";\n", "car.dbc");
		expect(database.messages[0].comment).toBe("C:\\temp \"quoted\"");
	});

	test("latin1 characters inside strings are kept", () => {
		const { database, problems } = parseDbc("BO_ 1 A: 8 X\nCM_ BO_ 1 \"F\xfcllstand\";\n", "car.dbc");
		expect(problems).toEqual([]);
		expect(database.messages[0].comment).toBe("F\u00fcllstand");
	});

	test("an SG_ line may be indented with any whitespace and receivers may be missing their spaces", () => {
		const { database, problems } = parseDbc("BO_ 1 A: 8 X\n    SG_ S:0|8@1+(1,0)[0|0]\"\"X,Y\n", "car.dbc");
		expect(problems).toEqual([]);
		expect(database.messages[0].signals[0]).toMatchObject({ name: "S", receivers: ["X", "Y"] });
	});

	test("NS_ entries may be indented with spaces and BS_ may carry a baud rate", () => {
		const text = "VERSION \"\"\nNS_ :\n    CM_\n    BA_DEF_\nBS_: 500 : 12,34\nBU_: A\nBO_ 1 M: 1 A\n";
		const { database, problems } = parseDbc(text, "car.dbc");
		expect(problems).toEqual([]);
		expect(database.nodes).toEqual(["A"]);
		expect(database.messages.map((m) => m.name)).toEqual(["M"]);
	});

	test("BU_ nodes may be listed one per line", () => {
		const { database, problems } = parseDbc("BU_:\n\tA\n\tB\n\nBO_ 1 M: 1 A\n", "car.dbc");
		expect(problems).toEqual([]);
		expect(database.nodes).toEqual(["A", "B"]);
	});

	test("a vendor statement spelled like a keyword is skipped, even without ';'", () => {
		const text = "BO_ 1 M: 1 A\nXX_TOOL_DATA_ 1 \"x\" 2\nYY_OTHER_ 3;\nCM_ BO_ 1 \"kept\";\n";
		const { database, problems } = parseDbc(text, "car.dbc");
		expect(problems).toEqual([]);
		expect(database.messages[0].comment).toBe("kept");
	});

	test("empty text is an empty database", () => {
		const { database, problems } = parseDbc("", "car.dbc");
		expect(problems).toEqual([]);
		expect(database).toEqual({ file: "car.dbc", version: "", nodes: [], messages: [], valueTables: new Map() });
	});
});

describe("syntax errors", () => {
	test("a missing ':' after the message name points at the token found instead", () => {
		expect(problems("BO_ 100 Foo 8 A\n")).toEqual(["car.dbc:1:13: expected ':' after message name, found '8'"]);
	});

	test("several errors in one file are all reported, and the good parts are still read", () => {
		const text = [
			"VERSION \"\"",
			"BU_: A B",
			"BO_ 100 Foo 8 A",
			" SG_ Lost : 0|8@1+ (1,0) [0|0] \"\" A",
			"BO_ 200 Bar: 8 A",
			" SG_ Bad : 0|8@2+ (1,0) [0|0] \"\" A",
			" SG_ Good : 8|8@1+ (1,0) [0|0] \"\" A",
			"garbage here ;",
			"CM_ SG_ 200 Good \"still read\";",
			"VAL_ 200 Good 1 \"one\" 2 ;",
			"SIG_VALTYPE_ 200 Good : 7;",
			" SG_ Stray : 0|8@1+ (1,0) [0|0] \"\" A",
		].join("\n");
		const result = parseDbc(text, "car.dbc");
		expect(result.problems.map(formatProblem)).toEqual([
			"car.dbc:3:13: expected ':' after message name, found '8'",
			"car.dbc:6:16: byte order must be @0 (big endian, Motorola) or @1 (little endian, Intel), found '@2'",
			"car.dbc:8:1: expected a statement keyword (BO_, SG_, CM_, ...), found 'garbage'",
			"car.dbc:10:25: expected a string after value 2 in VAL_, found ';'",
			"car.dbc:12:2: SG_ outside a message: a signal must follow its BO_ line",
		]);
		// cantools reads any value type but 1 and 2 as an integer; strict has it a problem.
		expect(result.warnings.map(formatProblem)).toEqual([
			"car.dbc:11:25: value type must be 0 (integer), 1 (float32) or 2 (float64), found '7': read as 0 (integer), as cantools reads it",
		]);
		expect(strictProblems(text)).toEqual([
			"car.dbc:3:13: expected ':' after message name, found '8'",
			"car.dbc:6:16: byte order must be @0 (big endian, Motorola) or @1 (little endian, Intel), found '@2'",
			"car.dbc:8:1: expected a statement keyword (BO_, SG_, CM_, ...), found 'garbage'",
			"car.dbc:10:25: expected a string after value 2 in VAL_, found ';'",
			"car.dbc:11:25: value type must be 0 (integer), 1 (float32) or 2 (float64), found '7'",
			"car.dbc:12:2: SG_ outside a message: a signal must follow its BO_ line",
		]);
		expect(result.database.messages.map((m) => m.name)).toEqual(["Bar"]);
		expect(result.database.messages[0].signals.map((s) => s.name)).toEqual(["Good"]);
		expect(result.database.messages[0].signals[0].comment).toBe("still read");
	});

	test("an unterminated string is reported once, at its opening quote", () => {
		expect(problems("BO_ 1 A: 8 X\nCM_ BO_ 1 \"no end\n\n")).toEqual([
			"car.dbc:2:11: unterminated string: no closing '\"' before the end of the file",
		]);
	});

	test("a stray character is reported once per run, and the statement around it still parses", () => {
		const { database, problems } = parseDbc("BO_ 1 A: 8 X\n SG_ S : 0|8@1+ (1,0) [0|0] \"\" X $$$\n", "car.dbc");
		expect(problems.map(formatProblem)).toEqual(["car.dbc:2:34: unexpected character '$'"]);
		expect(database.messages[0].signals.map((s) => s.name)).toEqual(["S"]);
	});

	test("control characters are shown by code point", () => {
		expect(problems("BO_ 1 A: 8 X\u0001\n")).toEqual(["car.dbc:1:13: unexpected character U+0001"]);
	});

	test("a missing receiver does not swallow the next SG_ line", () => {
		expect(problems("BO_ 1 A: 8 X\n SG_ S : 0|8@1+ (1,0) [0|0] \"\"\n SG_ T : 8|8@1+ (1,0) [0|0] \"\" X\n")).toEqual([
			"car.dbc:3:2: expected receiver node name (Vector__XXX for none), found 'SG_'",
		]);
	});

	test("a bad multiplexer indicator is named", () => {
		expect(problems("BO_ 1 A: 8 X\n SG_ S x2 : 0|8@1+ (1,0) [0|0] \"\" X\n")).toEqual([
			"car.dbc:2:8: invalid multiplexer indicator 'x2'; expected M, mN or mNM",
		]);
	});

	test("non-integer ids and lengths are reported", () => {
		expect(problems("BO_ 1.5 A: 8 X\nBO_ 2 B: 8 X\n SG_ S : 0|-8@1+ (1,0) [0|0] \"\" X\n")).toEqual([
			"car.dbc:1:5: expected an integer for message id, found '1.5'",
			"car.dbc:3:12: signal length -8 is out of range 0..65535",
		]);
	});

	test("a known statement without ';' is reported where the next statement starts", () => {
		expect(problems("EV_ V: 0 [0|1] \"\" 0 1 DUMMY_NODE_VECTOR0 Vector__XXX\nBO_ 1 A: 8 X\n")).toEqual([
			"car.dbc:2:1: expected ';' at the end of EV_, found 'BO_'",
		]);
	});

	test("parseDbcOrThrow throws a DbcError carrying every problem", () => {
		const text = "BO_ 1 A 8 X\nBO_ 2 B 8 X\n";
		expect(() => parseDbcOrThrow(text, "car.dbc")).toThrow(DbcError);
		try {
			parseDbcOrThrow(text, "car.dbc");
		} catch (error) {
			expect((error as DbcError).problems).toHaveLength(2);
			expect((error as DbcError).message).toBe([
				"car.dbc:1:9: expected ':' after message name, found '8'",
				"car.dbc:2:9: expected ':' after message name, found '8'",
			].join("\n"));
		}
		expect(parseDbcOrThrow("BO_ 1 A: 8 X\n", "car.dbc").messages).toHaveLength(1);
	});

	test("a file of garbage stops after a hundred problems", () => {
		const result = problems("x ;\n".repeat(500));
		expect(result).toHaveLength(101);
		expect(result[100]).toBe("car.dbc:101:1: too many problems (more than 100); stopped here");
	});
});

describe("consistency problems with strict (as cantools' strict=True refuses them)", () => {
	const sg = (name: string, layout: string) => ` SG_ ${name} : ${layout} (1,0) [0|0] "" X`;

	test("signal lengths must be 1 to 64 bits", () => {
		expect(strictProblems(["BO_ 1 A: 8 X", sg("Empty", "0|0@1+"), sg("Huge", "0|65@1+"), sg("Full", "0|64@1+")].join("\n"))).toEqual([
			"car.dbc:2:16: signal 'Empty' is 0 bits long; a signal has 1 to 64 bits",
			"car.dbc:3:15: signal 'Huge' is 65 bits long; a signal has 1 to 64 bits",
		]);
	});

	test("little-endian signals must end inside the message", () => {
		expect(strictProblems(["BO_ 1 A: 1 X", sg("Fits", "4|4@1+"), sg("Over", "4|5@1+")].join("\n"))).toEqual([
			"car.dbc:3:13: signal 'Over' (start bit 4, 5 bits, little endian) does not fit in the 1 bytes of message 'A'",
		]);
	});

	test("big-endian signals count from their most significant bit in sawtooth numbering", () => {
		const text = [
			"BO_ 1 A: 1 X",
			sg("WholeByte", "7|8@0+"),
			sg("Across", "0|2@0+"),
			"BO_ 2 B: 8 X",
			sg("All64", "7|64@0+"),
			sg("Shifted", "6|64@0+"),
			sg("LastBit", "56|1@0+"),
		].join("\n");
		expect(strictProblems(text)).toEqual([
			"car.dbc:3:15: signal 'Across' (start bit 0, 2 bits, big endian) does not fit in the 1 bytes of message 'A'",
			"car.dbc:6:16: signal 'Shifted' (start bit 6, 64 bits, big endian) does not fit in the 8 bytes of message 'B'",
		]);
	});

	test("float signals must be 32 or 64 bits long", () => {
		const text = ["BO_ 1 A: 8 X", sg("F", "0|16@1-"), sg("D", "0|32@1-"), "SIG_VALTYPE_ 1 F : 1;", "SIG_VALTYPE_ 1 D : 2;"].join("\n");
		expect(strictProblems(text)).toEqual([
			"car.dbc:4:20: signal 'F' is float32 (SIG_VALTYPE_) but 16 bits long; float32 needs 32",
			"car.dbc:5:20: signal 'D' is float64 (SIG_VALTYPE_) but 32 bits long; float64 needs 64",
		]);
	});

	test("message ids and signal names must be unique", () => {
		const text = ["BO_ 1 A: 8 X", sg("S", "0|8@1+"), sg("S", "8|8@1+"), "BO_ 1 B: 8 X", "BO_ 2147483649 C: 8 X"].join("\n");
		expect(strictProblems(text)).toEqual([
			"car.dbc:3:6: duplicate signal name 'S' in message 'A' (first at line 2)",
			"car.dbc:4:5: duplicate message id 1: 'B' repeats 'A' (line 1)",
		]);
	});

	test("message lengths above 64 bytes and standard ids above 0x7FF are reported; CAN FD lengths are fine", () => {
		expect(strictProblems("BO_ 1 A: 64 X\nBO_ 2 B: 65 X\nBO_ 2048 C: 8 X\nBO_ 3758096384 D: 8 X\n")).toEqual([
			"car.dbc:2:10: message 'B' is 65 bytes long; the most is 64 (CAN FD)",
			"car.dbc:3:5: standard message id 2048 (0x800) is above 0x7FF; an extended id needs bit 31 set (2147485696)",
			"car.dbc:4:5: extended message id 3758096384 has bits 29-30 set; an extended id is 29 bits plus bit 31",
		]);
	});

	test("SIG_VALTYPE_ and SG_MUL_VAL_ about unknown messages or signals are problems", () => {
		const text = ["BO_ 1 A: 8 X", sg("M", "0|8@1+").replace("M :", "M M :"), "SIG_VALTYPE_ 2 F : 1;", "SG_MUL_VAL_ 1 Nope M 1-1;"].join("\n");
		expect(strictProblems(text)).toEqual([
			"car.dbc:3:14: SIG_VALTYPE_ refers to message id 2, which no BO_ declares",
			"car.dbc:4:15: SG_MUL_VAL_ refers to signal 'Nope', which message 'A' (id 1) does not have",
		]);
	});

	test("CM_, VAL_ and BA_ about unknown messages or signals are warnings, as cantools ignores them", () => {
		const text = [
			"BO_ 1 A: 8 X",
			sg("S", "0|8@1+"),
			"BA_DEF_ BO_ \"GenMsgCycleTime\" INT 0 100;",
			"CM_ SG_ 1 Gone \"renamed long ago\";",
			"VAL_ 9 S 1 \"x\" ;",
			"BA_ \"GenMsgCycleTime\" BO_ 9 10;",
		].join("\n");
		expect(problems(text)).toEqual([]);
		expect(warnings(text)).toEqual([
			"car.dbc:4:11: CM_ refers to signal 'Gone', which message 'A' (id 1) does not have",
			"car.dbc:5:6: VAL_ refers to message id 9, which no BO_ declares",
			"car.dbc:6:27: BA_ refers to message id 9, which no BO_ declares",
		]);
	});

	test("a BA_ needs its BA_DEF_, and numeric attributes need numbers", () => {
		const text = [
			"BO_ 1 A: 8 X",
			"BA_DEF_ BO_ \"GenMsgCycleTime\" INT 0 100;",
			"BA_DEF_ BO_ \"Kind\" ENUM \"One\",\"Two\";",
			"BA_ \"Undefined\" BO_ 1 3;",
			"BA_ \"GenMsgCycleTime\" BO_ 1 \"fast\";",
			"BA_ \"Kind\" BO_ 1 \"Two\";",
		].join("\n");
		const result = parseDbc(text, "car.dbc");
		expect(result.problems.map(formatProblem)).toEqual([
			"car.dbc:4:5: attribute \"Undefined\" has no definition (BA_DEF_)",
			"car.dbc:5:29: attribute \"GenMsgCycleTime\" is INT, so its value must be a number, found string \"fast\"",
		]);
		expect([...result.database.messages[0].attributes]).toEqual([["Kind", 1]]);
	});

	test("without a BA_DEF_ for GenMsgCycleTime there is no cycle time, as in cantools", () => {
		const { database } = parseDbc("BO_ 1 A: 8 X\nBA_DEF_DEF_ \"GenMsgCycleTime\" 100;\n", "car.dbc");
		expect(database.messages[0].cycleTime).toBeNull();
	});

	test("multiplexed signals need a switch that can select them", () => {
		const text = [
			"BO_ 1 NoSwitch: 8 X",
			sg("A", "0|8@1+").replace("A :", "A m1 :"),
			"BO_ 2 TwoSwitches: 8 X",
			sg("S1", "0|4@1+").replace("S1 :", "S1 M :"),
			sg("S2", "4|4@1+").replace("S2 :", "S2 M :"),
			sg("B", "8|8@1+").replace("B :", "B m1 :"),
			sg("C", "16|8@1+"),
			"SG_MUL_VAL_ 2 C S1 1-1;",
			"SG_MUL_VAL_ 2 S2 C 0-0;",
		].join("\n");
		expect(strictProblems(text)).toEqual([
			"car.dbc:2:8: signal 'A' is multiplexed (m1) but message 'NoSwitch' has no other signal that is a multiplexer switch (M)",
			"car.dbc:6:8: signal 'B' is multiplexed (m1) but message 'TwoSwitches' has 2 multiplexer switches and no SG_MUL_VAL_ says which one selects it",
			"car.dbc:8:1: SG_MUL_VAL_ for signal 'C', which has no multiplexer indicator (mN) in message 'TwoSwitches'",
			"car.dbc:9:18: SG_MUL_VAL_ names 'C' as the switch of 'S2', but it is not a multiplexer switch (M) of message 'TwoSwitches'",
		]);
	});

	test("signals of VECTOR__INDEPENDENT_SIG_MSG are not checked", () => {
		expect(problems("BO_ 3221225472 VECTOR__INDEPENDENT_SIG_MSG: 0 Vector__XXX\n SG_ S : 0|8@1+ (1,0) [0|0] \"\" X\n SG_ S : 0|8@1+ (1,0) [0|0] \"\" X\n")).toEqual([]);
	});
});


describe("what cantools loads without strict: warnings that say what was done", () => {
	const sg = (name: string, layout: string, mux = "") => ` SG_ ${name}${mux ? ` ${mux}` : ""} : ${layout} (1,0) [0|0] "" X`;
	const read = (text: string) => parseDbc(text, "car.dbc");
	const names = (database: DbcDatabase, messageName: string) => message(database, messageName).signals.map((s) => s.name);
	const mux = (database: DbcDatabase, messageName: string, name: string) => {
		const s = signal(database, messageName, name);
		return [s.isMultiplexer, s.multiplexerSignal, s.multiplexerRanges];
	};

	test("a signal past its message's length but inside 8 bytes is kept; one past byte 8 is left out", () => {
		const text = ["BO_ 1 A: 2 X", sg("Fits", "0|16@1+"), sg("Beyond", "16|8@1+"), sg("TooFar", "60|8@1+"), sg("Motorola", "55|30@0+")].join("\n");
		const { database, problems, warnings } = read(text);
		expect(problems).toEqual([]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:3:15: signal 'Beyond' (start bit 16, 8 bits, little endian) does not fit in the 2 bytes of message 'A': kept, and decoded from frames of at least 3 bytes",
			"car.dbc:4:15: signal 'TooFar' (start bit 60, 8 bits, little endian) does not fit in the 2 bytes of message 'A': left out: it reaches byte 9, past the 8 bytes of a CAN frame",
			"car.dbc:5:17: signal 'Motorola' (start bit 55, 30 bits, big endian) does not fit in the 2 bytes of message 'A': left out: it reaches byte 10, past the 8 bytes of a CAN frame",
		]);
		expect(names(database, "A")).toEqual(["Fits", "Beyond"]);
	});

	test("a signal over 64 bits is left out; one of 0 bits stays a problem (cantools refuses it too)", () => {
		const { database, problems, warnings } = read(["BO_ 1 A: 64 X", sg("Huge", "0|65@1+"), sg("Empty", "0|0@1+"), sg("Ok", "0|8@1+")].join("\n"));
		expect(problems.map(formatProblem)).toEqual(["car.dbc:3:16: signal 'Empty' is 0 bits long; a signal has 1 to 64 bits"]);
		expect(warnings.map(formatProblem)).toEqual(["car.dbc:2:15: signal 'Huge' is 65 bits long; a signal has 1 to 64 bits: left out (cantools keeps it)"]);
		expect(names(database, "A")).toEqual(["Empty", "Ok"]);
	});

	test("a float whose length is not its SIG_VALTYPE_'s is read by its length, as cantools does; 16 bits is left out", () => {
		const text = ["BO_ 1 A: 8 X", sg("D", "0|32@1-"), sg("F", "0|64@1-"), sg("H", "0|16@1-"), sg("Odd", "0|24@1-"),
			"SIG_VALTYPE_ 1 D : 2;", "SIG_VALTYPE_ 1 F : 1;", "SIG_VALTYPE_ 1 H : 1;", "SIG_VALTYPE_ 1 Odd : 1;"].join("\n");
		const { database, problems, warnings } = read(text);
		expect(problems.map(formatProblem)).toEqual(["car.dbc:9:22: signal 'Odd' is float32 (SIG_VALTYPE_) but 24 bits long; float32 needs 32"]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:6:20: signal 'D' is float64 (SIG_VALTYPE_) but 32 bits long; float64 needs 64: read as float32, as cantools reads it",
			"car.dbc:7:20: signal 'F' is float32 (SIG_VALTYPE_) but 64 bits long; float32 needs 32: read as float64, as cantools reads it",
			"car.dbc:8:20: signal 'H' is float32 (SIG_VALTYPE_) but 16 bits long; float32 needs 32: left out: a 16-bit float is not decoded here (cantools reads it as half precision)",
		]);
		expect(message(database, "A").signals.map((s) => `${s.name}:${s.valueType}`)).toEqual(["D:float32", "F:float64", "Odd:float32"]);
	});

	test("duplicate signal names are both left out; of duplicate message ids the later one is kept, as cantools decodes it", () => {
		const text = ["BO_ 1 A: 8 X", sg("S", "0|8@1+"), sg("S", "8|8@1+"), sg("T", "16|8@1+"), "BO_ 1 B: 8 X", sg("U", "0|8@1+")].join("\n");
		const { database, problems, warnings } = read(text);
		expect(problems).toEqual([]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:3:6: duplicate signal name 'S' in message 'A' (first at line 2): both left out, as which of them cantools decodes depends on their layout",
			"car.dbc:5:5: duplicate message id 1: 'B' repeats 'A' (line 1): 'A' left out, as frames of this id decode as 'B' in cantools (the later one wins)",
		]);
		expect(database.messages.map((m) => `${m.name}:${m.signals.map((s) => s.name).join(",")}`)).toEqual(["B:U"]);
	});

	test("a message over 64 bytes is kept, and SIG_VALTYPE_ or SG_MUL_VAL_ about what does not exist is ignored", () => {
		const text = ["BO_ 1 A: 65 X", sg("M", "0|8@1+", "M"), "SIG_VALTYPE_ 2 F : 1;", "SG_MUL_VAL_ 1 Nope M 1-1;"].join("\n");
		const { database, problems, warnings } = read(text);
		expect(problems).toEqual([]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:1:10: message 'A' is 65 bytes long; the most is 64 (CAN FD): kept, as cantools keeps it (signals past byte 8 are left out of decode plans)",
			"car.dbc:3:14: SIG_VALTYPE_ refers to message id 2, which no BO_ declares: ignored, as cantools ignores it",
			"car.dbc:4:15: SG_MUL_VAL_ refers to signal 'Nope', which message 'A' (id 1) does not have: ignored, as cantools ignores it",
		]);
		expect(message(database, "A").length).toBe(65);
	});

	test("a statement cut by the end of the file is left out, as cantools' parser leaves it; with strict it is a problem", () => {
		const text = ["BO_ 1 A: 8 X", sg("S", "0|8@1+"), "VAL_ 1 S 1 \"on\" 0 \"off\""].join("\n");
		const { database, problems: found, warnings } = read(text);
		expect(found).toEqual([]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:3:1: VAL_ cut by the end of the file (expected a value or ';' in VAL_, found end of file): left out, as cantools leaves it out",
		]);
		expect(signal(database, "A", "S").choices).toBeNull();
		expect(strictProblems(text)).toEqual(["car.dbc:3:24: expected a value or ';' in VAL_, found end of file"]);
		// A signal cut short goes, its message stays; an unterminated string stays a problem.
		const cut = read("BO_ 1 A: 8 X\n SG_ S : 0|8@1+ (1,0) [0|0] \"\" X\n SG_ T : 8|8@1+ (1,");
		expect(cut.problems).toEqual([]);
		expect(names(cut.database, "A")).toEqual(["S"]);
		expect(problems("BO_ 1 A: 8 X\nCM_ BO_ 1 \"no end")).toEqual(["car.dbc:2:11: unterminated string: no closing '\"' before the end of the file"]);
	});

	test("a lone lower-case m is an ordinary signal, as cantools reads it, unless the message has a switch (cantools cannot load that)", () => {
		const text = [
			"BO_ 648 Motor_2: 8 X", sg("Code", "6|2@1+", "m"), sg("Gear", "0|6@1+", "m2"), sg("Engine", "0|6@1+", "m1"), sg("Coolant", "8|8@1+"),
			"BO_ 2 Switched: 8 X", sg("Mode", "0|4@1+", "M"), sg("Loose", "4|4@1+", "m"),
		].join("\n");
		const { database, problems, warnings } = read(text);
		expect(problems.map(formatProblem)).toEqual([
			"car.dbc:8:12: multiplexer indicator 'm' without a value for signal 'Loose', in message 'Switched' whose switch is 'Mode': write mN (cantools cannot load it either)",
		]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:2:11: multiplexer indicator 'm' without a value for signal 'Code', and message 'Motor_2' has no switch (M): read as an ordinary signal, always decoded, as cantools reads it",
			"car.dbc:3:11: signal 'Gear' is multiplexed (m2) but message 'Motor_2' has no other signal that is a multiplexer switch (M): read as an ordinary signal, always decoded, as cantools reads it",
			"car.dbc:4:13: signal 'Engine' is multiplexed (m1) but message 'Motor_2' has no other signal that is a multiplexer switch (M): read as an ordinary signal, always decoded, as cantools reads it",
		]);
		expect(names(database, "Motor_2")).toEqual(["Code", "Gear", "Engine", "Coolant"]);
		expect(message(database, "Motor_2").signals.every((s) => !s.isMultiplexer && s.multiplexerSignal === null)).toBe(true);
		expect(strictProblems(text)).toEqual([
			"car.dbc:2:11: invalid multiplexer indicator 'm'; expected M, mN or mNM",
			"car.dbc:3:11: signal 'Gear' is multiplexed (m2) but message 'Motor_2' has no other signal that is a multiplexer switch (M)",
			"car.dbc:4:13: signal 'Engine' is multiplexed (m1) but message 'Motor_2' has no other signal that is a multiplexer switch (M)",
			"car.dbc:8:12: invalid multiplexer indicator 'm'; expected M, mN or mNM",
		]);
	});

	test("signals that SG_MUL_VAL_ hangs under a lone m are never decoded by cantools: left out (opendbc's vw_pq.dbc)", () => {
		const text = ["BO_ 648 Motor_2: 8 X", sg("Code", "6|2@1+", "m"), sg("Gear", "0|6@1+", "m2"), sg("Coolant", "8|8@1+"), "SG_MUL_VAL_ 648 Gear Code 2-2;"].join("\n");
		const { database, warnings } = read(text);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:2:11: multiplexer indicator 'm' without a value for signal 'Code', and message 'Motor_2' has no switch (M): read as an ordinary signal, always decoded, as cantools reads it",
			"car.dbc:5:22: SG_MUL_VAL_ names 'Code' as the switch of 'Gear', but it is not a multiplexer switch (M) of message 'Motor_2': 'Gear' left out, as cantools never decodes it",
		]);
		expect(names(database, "Motor_2")).toEqual(["Code", "Coolant"]);
	});

	test("a sole mNM switch is a plain switch, and an mN among several switches without SG_MUL_VAL_ an ordinary signal", () => {
		const text = [
			"BO_ 1 Sole: 8 X", sg("Page", "0|4@1+", "m1M"), sg("Speed", "8|8@1+", "m0"),
			"BO_ 2 Two: 8 X", sg("S1", "0|4@1+", "M"), sg("S2", "4|4@1+", "M"), sg("B", "8|8@1+", "m1"),
		].join("\n");
		const { database, problems, warnings } = read(text);
		expect(problems).toEqual([]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:2:11: signal 'Page' is multiplexed (m1M) but message 'Sole' has no other signal that is a multiplexer switch (M): read as a switch that is always decoded (M), as cantools reads it",
			"car.dbc:7:8: signal 'B' is multiplexed (m1) but message 'Two' has 2 multiplexer switches and no SG_MUL_VAL_ says which one selects it: read as an ordinary signal, always decoded, as cantools reads it",
		]);
		expect(mux(database, "Sole", "Page")).toEqual([true, null, []]);
		expect(mux(database, "Sole", "Speed")).toEqual([false, "Page", [[0, 0]]]);
		expect(mux(database, "Two", "B")).toEqual([false, null, []]);
	});

	test("SG_MUL_VAL_ for a switch written M (cantools' own dumps write mNM so) selects it; for a signal without indicator it is ignored", () => {
		const text = [
			"BO_ 1 Dumped: 8 X", sg("S0", "0|4@1+", "M"), sg("S1", "4|4@1+", "M"), sg("S2", "8|8@1+", "m0"), sg("Plain", "16|8@1+"),
			"SG_MUL_VAL_ 1 S1 S0 0-0;", "SG_MUL_VAL_ 1 S2 S1 0-0;", "SG_MUL_VAL_ 1 Plain S0 1-1;",
		].join("\n");
		const { database, problems, warnings } = read(text);
		expect(problems).toEqual([]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:6:1: SG_MUL_VAL_ for signal 'S1', which has no multiplexer indicator (mN) in message 'Dumped': read as selected by 'S0' (0-0), as cantools reads it",
			"car.dbc:8:1: SG_MUL_VAL_ for signal 'Plain', which has no multiplexer indicator (mN) in message 'Dumped': ignored, as cantools ignores it: the signal is always decoded",
		]);
		// The same tree as `S1 m0M`, which is what cantools dumped.
		expect(mux(database, "Dumped", "S1")).toEqual([true, "S0", [[0, 0]]]);
		expect(mux(database, "Dumped", "S2")).toEqual([false, "S1", [[0, 0]]]);
		expect(mux(database, "Dumped", "Plain")).toEqual([false, null, []]);
	});

	test("what hangs under a signal left out is left out with it, and switches selecting each other in a loop are never decoded", () => {
		const text = [
			"BO_ 1 A: 2 X", sg("S0", "0|4@1+", "M"), sg("Far", "63|4@1+", "M"), sg("Child", "8|8@1+", "m1"),
			"SG_MUL_VAL_ 1 Child Far 1-1;",
			"BO_ 2 B: 8 X", sg("P", "0|4@1+", "M"), sg("Q", "4|4@1+", "M"), sg("R", "8|4@1+", "M"), sg("Ok", "12|4@1+", "m1"),
			"SG_MUL_VAL_ 2 P Q 1-1;", "SG_MUL_VAL_ 2 Q P 1-1;", "SG_MUL_VAL_ 2 Ok R 1-1;",
		].join("\n");
		const { database, problems, warnings } = read(text);
		expect(problems).toEqual([]);
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:3:14: signal 'Far' (start bit 63, 4 bits, little endian) does not fit in the 2 bytes of message 'A': left out: it reaches byte 9, past the 8 bytes of a CAN frame",
			"car.dbc:4:6: signal 'Child' left out with its multiplexer switch 'Far'",
			"car.dbc:7:6: signal 'P' is selected through a loop of multiplexer switches (SG_MUL_VAL_) in message 'B': left out, as cantools never decodes it",
			"car.dbc:8:6: signal 'Q' left out with its multiplexer switch 'P'",
			"car.dbc:11:1: SG_MUL_VAL_ for signal 'P', which has no multiplexer indicator (mN) in message 'B': read as selected by 'Q' (1-1), as cantools reads it",
			"car.dbc:12:1: SG_MUL_VAL_ for signal 'Q', which has no multiplexer indicator (mN) in message 'B': read as selected by 'P' (1-1), as cantools reads it",
		]);
		expect(names(database, "A")).toEqual(["S0"]);
		expect(names(database, "B")).toEqual(["R", "Ok"]);
	});
});

describe("values that make no sense are warned about and ignored, strict or not", () => {
	const head = [
		"BA_DEF_ BO_ \"GenMsgCycleTime\" INT 0 65535;",
		"BA_DEF_ BO_ \"GenMsgSendType\" ENUM \"Cyclic\",\"OnEvent\";",
		"BA_DEF_ BO_ \"Any\" INT 0 0;",
		"BA_DEF_DEF_ \"GenMsgCycleTime\" 100;",
	];

	test("a BA_ outside its BA_DEF_ range or ENUM labels is ignored, and the default applies", () => {
		const text = [...head, "BO_ 1 A: 8 X", "BO_ 2 B: 8 X",
			"BA_ \"GenMsgCycleTime\" BO_ 1 858993460;", "BA_ \"GenMsgSendType\" BO_ 1 2;", "BA_ \"Any\" BO_ 1 -123456789;", "BA_ \"GenMsgCycleTime\" BO_ 2 \"20\";"].join("\n");
		for (const strict of [false, true]) {
			const { database, problems, warnings } = parseDbc(text, "car.dbc", { strict });
			expect(problems).toEqual([]);
			expect(warnings.map(formatProblem)).toEqual([
				"car.dbc:7:29: attribute \"GenMsgCycleTime\" 858993460 is outside the range 0..65535 that its BA_DEF_ (line 1) declares: ignored, the default (100) applies",
				"car.dbc:8:28: attribute \"GenMsgSendType\" 2 is outside the range 0..1 (the indexes of its 2 labels) that its BA_DEF_ (line 2) declares: ignored, there is no default",
			]);
			expect(message(database, "A").cycleTime).toBe(100);
			expect([...message(database, "A").attributes]).toEqual([["Any", -123456789]]);
			// A number in quotes is a number, as Python's Decimal reads it for cantools.
			expect(message(database, "B").cycleTime).toBe(20);
		}
	});

	test("a default outside its range is ignored too", () => {
		const { database, warnings } = parseDbc(["BA_DEF_ BO_ \"GenMsgCycleTime\" INT 1 3000;", "BA_DEF_DEF_ \"GenMsgCycleTime\" 5000;", "BO_ 1 A: 8 X"].join("\n"), "car.dbc");
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:2:31: attribute \"GenMsgCycleTime\" default 5000 is outside the range 1..3000 that its BA_DEF_ (line 1) declares: ignored, the attribute has no default",
		]);
		expect(message(database, "A").cycleTime).toBeNull();
	});

	test("a cycle time of over an hour or below zero is refused, so no 32-bit wrap can make a timeout of a few ms", () => {
		const text = ["BA_DEF_ BO_ \"GenMsgCycleTime\" INT 0 0;", "BA_DEF_DEF_ \"GenMsgCycleTime\" -10;", "BO_ 1 A: 8 X", "BO_ 2 B: 8 X", "BO_ 3 C: 8 X", "BO_ 4 D: 8 X",
			"BA_ \"GenMsgCycleTime\" BO_ 1 858993460;", "BA_ \"GenMsgCycleTime\" BO_ 2 4294967296;", "BA_ \"GenMsgCycleTime\" BO_ 3 3600000;"].join("\n");
		const { database, warnings } = parseDbc(text, "car.dbc");
		expect(warnings.map(formatProblem)).toEqual([
			"car.dbc:2:31: GenMsgCycleTime default (BA_DEF_DEF_) is -10 ms, negative: ignored, so messages without one of their own get the timeout of a message without a cycle time",
			"car.dbc:7:29: GenMsgCycleTime of message 'A' is 858993460 ms, longer than an hour (3600000): ignored, so its signals get the timeout of a message without a cycle time",
			"car.dbc:8:29: GenMsgCycleTime of message 'B' is 4294967296 ms, longer than an hour (3600000): ignored, so its signals get the timeout of a message without a cycle time",
		]);
		expect(database.messages.map((m) => m.cycleTime)).toEqual([null, null, 3600000, null]);
	});

	test("a factor that overflows for the signal's raw values is a warning (the store shows such values as missing)", () => {
		const text = ["BO_ 1 A: 8 X", " SG_ Big : 0|16@1+ (1e308,0) [0|0] \"\" X", " SG_ Fine : 16|16@1- (1e300,-1e300) [0|0] \"\" X", " SG_ F : 32|32@1- (1e308,0) [0|0] \"\" X", "SIG_VALTYPE_ 1 F : 1;"].join("\n");
		expect(warnings(text)).toEqual([
			"car.dbc:2:21: signal 'Big': raw * 1e+308 + 0 overflows to infinity for some of its 16-bit raw values; those are shown as missing",
		]);
	});

	test("a byte-order mark left in the text is not a character of the file", () => {
		const { database, problems } = parseDbc("\uFEFFVERSION \"x\"\nBO_ 1 A: 8 X\n", "car.dbc");
		expect(problems).toEqual([]);
		expect(database.version).toBe("x");
		expect(problems.concat(parseDbc("\uFEFFBO_ 1 A 8 X", "car.dbc").problems).map(formatProblem)).toEqual(["car.dbc:1:9: expected ':' after message name, found '8'"]);
	});
});


/** Parses, strict and not, without an exception and with problems and warnings that point inside the text. */
function expectGraceful(text: string, label: string): void {
	const lines = text.split(/\r\n|\r|\n/);
	for (const strict of [false, true]) {
		let result;
		try {
			result = parseDbc(text, "fuzz.dbc", { strict });
		} catch (error) {
			throw new Error(`${label}: parseDbc threw ${String(error)}`);
		}
		for (const problem of [...result.problems, ...result.warnings]) {
			const inside = problem.line >= 1 && problem.line <= lines.length && problem.col >= 1 && problem.col <= lines[problem.line - 1].length + 1;
			if (problem.message.startsWith("internal parser error") || !inside)
				throw new Error(`${label}${strict ? " (strict)" : ""}: ${formatProblem(problem)}`);
		}
		// What loads compiles: every switch a signal names is in its message.
		if (result.problems.length === 0) {
			for (const m of result.database.messages)
				for (const s of m.signals)
					if (s.multiplexerSignal !== null && !m.signals.some((other) => other.name === s.multiplexerSignal && other.isMultiplexer))
						throw new Error(`${label}: ${m.name}.${s.name} hangs under '${s.multiplexerSignal}', which is no switch of the message`);
			new DecodePlan(compilePlan(result.database).buffer);
		}
	}
}

function fuzzCorpus(): string[] {
	return [fixture("features.dbc"), fixture("multiplexed.dbc")];
}

describe("fuzz", () => {
	const alphabet = "BO_SG_CM_VAL_BA_DEF_ M m1 0123456789 :|@+-()[],;\"\\\n\r\t xyz/.eE\u0000\u00e4";

	test("random bytes never throw", () => {
		const random = seededRandom(1);
		for (let i = 0; i < 1500; i++) {
			const length = Math.floor(random() * 200);
			let text = "";
			for (let j = 0; j < length; j++)
				text += random() < 0.8 ? alphabet[Math.floor(random() * alphabet.length)] : String.fromCharCode(Math.floor(random() * 256));
			expectGraceful(text, `bytes case ${i}`);
		}
	});

	test("random truncations never throw", () => {
		const random = seededRandom(2);
		for (const text of fuzzCorpus()) {
			for (let i = 0; i < 500; i++)
				expectGraceful(text.slice(0, Math.floor(random() * text.length)), `truncation case ${i}`);
		}
	});

	test("random token deletions and duplications never throw", () => {
		const random = seededRandom(3);
		for (const text of fuzzCorpus()) {
			const pieces = text.split(/(?=[\s:|@(),[\];"])/);
			for (let i = 0; i < 500; i++) {
				const mutated = pieces.filter(() => random() > 0.05).map((piece) => (random() < 0.01 ? piece + piece : piece)).join("");
				expectGraceful(mutated, `deletion case ${i}`);
			}
		}
	});
});

describeSharedData("real DBC files in ../shared/data/dbc", () => {
	const directory = sharedData("dbc");
	const files = readdirSync(directory).filter((name) => name.endsWith(".dbc")).sort();
	const parsed = new Map(files.map((name) => [name, parseDbc(readFileSync(join(directory, name), "latin1"), name)]));

	test("there are files to check", () => {
		expect(files.length).toBeGreaterThanOrEqual(11);
	});

	test.each(files)("%s parses with zero problems", (name) => {
		expect(parsed.get(name)!.problems.map(formatProblem)).toEqual([]);
	});

	test.each(files)("%s has one message per BO_ line and one signal per SG_ line", (name) => {
		const lines = readFileSync(join(directory, name), "latin1").split("\n");
		const messageLines = lines.filter((line) => line.startsWith("BO_ ") && !line.includes("VECTOR__INDEPENDENT_SIG_MSG"));
		const signalLines = lines.filter((line) => /^\s+SG_ /.test(line));
		const { database } = parsed.get(name)!;
		expect(database.messages).toHaveLength(messageLines.length);
		expect(database.messages.reduce((sum, m) => sum + m.signals.length, 0)).toBe(signalLines.length);
	});

	test("message and signal counts of the big files are as checked by hand", () => {
		const counts = (name: string) => {
			const { messages } = parsed.get(name)!.database;
			return [messages.length, messages.reduce((sum, m) => sum + m.signals.length, 0)];
		};
		expect(counts("vw_mqb.dbc")).toEqual([113, 1348]);
		expect(counts("tesla_can.dbc")).toEqual([44, 572]);
		expect(counts("hyundai_i30_2014.dbc")).toEqual([32, 415]);
		expect(counts("toyota_prius_2010_pt.dbc")).toEqual([26, 78]);
	});

	test("stale CM_ and VAL_ lines of the opendbc files are warnings, not problems", () => {
		const warned = Object.fromEntries(files.map((name) => [name, parsed.get(name)!.warnings.length]));
		expect(warned).toMatchObject({ "vw_mqb.dbc": 17, "tesla_can.dbc": 1, "motohawk.dbc": 0, "multiplex.dbc": 0 });
		expect(parsed.get("tesla_can.dbc")!.warnings.map(formatProblem)).toEqual([
			"tesla_can.dbc:783:10: VAL_ refers to signal 'UI_mapSpeedLimit', which message 'UI_driverAssistRoadSign' (id 568) does not have",
		]);
	});

	test("spot checks against the files: motohawk.dbc big-endian, multiplex.dbc extended, floating_point.dbc", () => {
		const motohawk = parsed.get("motohawk.dbc")!.database;
		expect(signal(motohawk, "ExampleMessage", "Temperature")).toMatchObject({ startBit: 0, length: 12, byteOrder: "big_endian", signed: true, factor: 0.01, offset: 250 });
		const multiplex = parsed.get("multiplex.dbc")!.database;
		expect(message(multiplex, "Message1")).toMatchObject({ id: 0x123456, extended: true });
		expect(signal(multiplex, "Message1", "BIT_L").multiplexerRanges).toEqual([[8, 8], [16, 16], [24, 24]]);
		expect(signal(multiplex, "Message1", "BIT_K").multiplexerRanges).toEqual([[24, 24]]);
		const floats = parsed.get("floating_point.dbc")!.database;
		expect(floats.messages.flatMap((m) => m.signals.map((s) => `${m.name}.${s.name}:${s.valueType}`))).toEqual([
			"Message1.Signal1:float64", "Message2.Signal2:float32", "Message2.Signal1:float32",
		]);
	});

	const vectors = cantoolsVectors();

	test("every cantools vector names a message of its DBC and only signals of that message", () => {
		expect(vectors.length).toBeGreaterThan(4000);
		for (const vector of vectors) {
			const database = parsed.get(vector.dbc)?.database;
			const found = database?.messages.find((m) => m.id === vector.id && m.extended === vector.extended);
			if (!found)
				throw new Error(`no message ${vector.id} (extended ${vector.extended}) in ${vector.dbc}`);
			const names = new Set(found.signals.map((s) => s.name));
			const missing = Object.keys(vector.signals).filter((name) => !names.has(name));
			expect(missing, `${vector.dbc} ${found.name}`).toEqual([]);
		}
	});

	test("the multiplexing read from the files selects exactly the signals cantools decoded", () => {
		let multiplexed = 0;
		for (const vector of vectors) {
			const found = parsed.get(vector.dbc)!.database.messages.find((m) => m.id === vector.id && m.extended === vector.extended)!;
			const byName = new Map(found.signals.map((s) => [s.name, s]));
			const present = (s: DbcSignal): boolean => {
				if (s.multiplexerSignal === null)
					return true;
				const selector = byName.get(s.multiplexerSignal)!;
				const physical = vector.signals[selector.name];
				if (physical === undefined || !present(selector))
					return false;
				const raw = Math.round((physical - selector.offset) / selector.factor);
				return s.multiplexerRanges.some(([low, high]) => raw >= low && raw <= high);
			};
			if (found.signals.some((s) => s.multiplexerSignal !== null))
				multiplexed++;
			const expected = found.signals.filter(present).map((s) => s.name).sort();
			expect(Object.keys(vector.signals).sort(), `${vector.dbc} ${found.name} ${vector.data}`).toEqual(expected);
		}
		expect(multiplexed).toBeGreaterThan(0);
	});
});
