/*
 * `xs-cluster dbc dump`: the bit-layout picture and signal tree drawn exactly
 * as `cantools dump` draws them (expected texts from cantools' own tests,
 * tests/test_command_line.py, on the same DBC files in ../shared/data), the
 * signal table and value tables, multiplexing, overlaps, `--messages`, and
 * every real DBC. Node (vitest).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { main } from "../tools/cli.js";
import { describeSharedData, repoRoot, sharedData } from "./shared-data.js";

const demoDbc = join(repoRoot, "hosts/sim/demo/demo-car.dbc");

async function run(...argv: string[]) {
	let stdout = "", stderr = "";
	const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

function tempDbc(text: string): string {
	const path = join(mkdtempSync(join(tmpdir(), "xs-cluster-dump-")), "t.dbc");
	writeFileSync(path, text);
	return path;
}

/** The part of a message's dump from `from` up to the next blank-line-separated section named `to`. */
function section(text: string, from: string, to: string): string {
	const start = text.indexOf(from);
	const end = text.indexOf(to, start + from.length);
	return text.slice(start, end < 0 ? undefined : end);
}

describe("xs-cluster dbc dump", () => {
	test("prints-each-message-with-id-length-cycle-time-senders", async () => {
		const { status, stdout, stderr } = await run("dbc", "dump", demoDbc);
		expect(stderr).toBe("");
		expect(status).toBe(0);
		expect(stdout.startsWith("================================= Messages =================================\n\n  " + "-".repeat(72) + "\n")).toBe(true);
		expect(stdout).toContain([
			"  Name:           GEARBOX",
			"  Id:             3B1",
			"  Length:         2 bytes",
			"  Cycle time:     100 ms",
			"  Senders:        TCM",
			"  Layout:",
		].join("\n"));
		// Ids as candump writes them; an extended one says so.
		expect(stdout).toContain("  Name:           CCVS\n  Id:             18FEF100 (extended)\n");
		expect(stdout.match(/ {2}Name: {11}/g)).toHaveLength(10);
	});

	test("each-signal-with-layout-type-scale-range-unit-and-value-table", async () => {
		const { stdout } = await run("dbc", "dump", demoDbc, "--messages", "ENGINE,GEARBOX");
		const engine = section(stdout, "Name:           ENGINE", "\n  ----------");
		expect(section(engine, "  Signals:", "\n\n  ---")).toBe([
			"  Signals:",
			"",
			"    Name              Start  Length  Order   Type      Scale  Offset  Minimum   Maximum  Unit  Receivers  Multiplexing",
			"    EngineSpeed           0      16  little  unsigned   0.25       0        0  16383.75  rpm   CLUSTER    -",
			"    ThrottlePosition     16       8  little  unsigned    0.4       0        0       102  %     CLUSTER    -",
			"    EngineTorque         24      12  little  signed      0.5       0    -1024    1023.5  Nm    CLUSTER    -",
			"    CheckEngine          40       1  little  unsigned      1       0        0         1  -     CLUSTER    -",
			"    OilPressureLow       41       1  little  unsigned      1       0        0         1  -     CLUSTER    -",
			"",
		].join("\n"));
		const gearbox = section(stdout, "Name:           GEARBOX", "\n  ----------");
		expect(gearbox).toContain("  Signal choices:\n\n    GearEngaged\n        0 N\n");
		expect(gearbox).toContain("\n    GearLever\n        0 P\n        1 R\n        2 N\n        3 D\n        4 B\n");
		expect(stdout).not.toContain("WHEEL_SPEED");
		// The picture: GEARBOX's two big-endian nibbles (3|4@0, 7|4@0) and a little-endian pair of bits in byte 1.
		expect(section(gearbox, "  Layout:", "  Signal tree:")).toBe([
			"  Layout:",
			"",
			"                          Bit",
			"",
			"             7   6   5   4   3   2   1   0",
			"           +---+---+---+---+---+---+---+---+",
			"         0 |<-------------x|<-------------x|",
			"     B     +---+---+---+---+---+---+---+---+",
			"     y                   |               +-- GearLever",
			"     t                   +-- GearEngaged",
			"     e     +---+---+---+---+---+---+---+---+",
			"         1 |   |   |   |   |   |   |<-----x|",
			"           +---+---+---+---+---+---+---+---+",
			"                                     +-- ShiftRequest",
			"",
			"",
		].join("\n"));
	});

	test("multiplexed-signals-form-a-tree-and-overlaps-are-X", async () => {
		const path = tempDbc([
			'VERSION ""', "BU_: A",
			"BO_ 100 MUXED: 8 A",
			' SG_ Page M : 0|8@1+ (1,0) [0|0] "" A',
			' SG_ Low m0 : 8|8@1+ (1,0) [0|0] "" A',
			' SG_ High m1 : 8|16@1+ (0.5,-10) [-10|100] "V" A',
			' SG_ Flag : 63|1@1+ (1,0) [0|1] "" A',
			'VAL_ 100 Page 0 "Low page" 1 "High page" ;',
			"",
		].join("\n"));
		const { status, stdout } = await run("dbc", "dump", path);
		expect(status).toBe(0);
		expect(section(stdout, "  Signal tree:", "\n\n  Signals:")).toBe([
			"  Signal tree:",
			"",
			"    -- {root}",
			"       +-- Page",
			"       |   +-- Low page (0)",
			"       |   |   +-- Low",
			"       |   +-- High page (1)",
			"       |       +-- High",
			"       +-- Flag",
		].join("\n"));
		expect(stdout).toContain("         1 |XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX|"); // Low and High share byte 1
		expect(stdout).toMatch(/ {4}Page {2}.* switch\n/);
		expect(stdout).toMatch(/ {4}High {2}.* 0\.5 {5}-10 .* V .* Page=1\n/);
	});

	test("messages-filter-and-mistakes", async () => {
		expect((await run("dbc", "dump", demoDbc, "--messages", "*SPEED*")).stdout.match(/ {2}Name: /g)).toHaveLength(1);
		expect(await run("dbc", "dump", demoDbc, "--messages", "NOPE")).toEqual({ status: 1, stdout: "", stderr: `xs-cluster: ${demoDbc} has no message matching 'NOPE'\n` });
		expect((await run("dbc", "dump")).status).toBe(2);
		const broken = tempDbc('VERSION ""\nBO_ 100 A 8 X\n');
		const result = await run("dbc", "dump", broken);
		expect(result.status).toBe(1);
		expect(result.stderr).toMatch(/t\.dbc:2:\d+: /);
	});
});

describeSharedData("xs-cluster dbc dump against cantools", () => {
	test("motohawk-as-cantools-dump-draws-it", async () => {
		// cantools' tests/test_command_line.py test_dump, with our id style and our signal table.
		const { stdout } = await run("dbc", "dump", sharedData("dbc", "motohawk.dbc"));
		const withoutTable = stdout.replace(/ {2}Signals:\n\n(?: {4}.*\n)+\n/, "");
		expect(withoutTable).toBe(`================================= Messages =================================

  ------------------------------------------------------------------------

  Name:           ExampleMessage
  Id:             1F0
  Length:         8 bytes
  Cycle time:     - ms
  Senders:        PCM1
  Layout:

                          Bit

             7   6   5   4   3   2   1   0
           +---+---+---+---+---+---+---+---+
         0 |<-x|<---------------------x|<--|
           +---+---+---+---+---+---+---+---+
             |                       +-- AverageRadius
             +-- Enable
           +---+---+---+---+---+---+---+---+
         1 |-------------------------------|
           +---+---+---+---+---+---+---+---+
         2 |----------x|   |   |   |   |   |
     B     +---+---+---+---+---+---+---+---+
     y               +-- Temperature
     t     +---+---+---+---+---+---+---+---+
     e   3 |   |   |   |   |   |   |   |   |
           +---+---+---+---+---+---+---+---+
         4 |   |   |   |   |   |   |   |   |
           +---+---+---+---+---+---+---+---+
         5 |   |   |   |   |   |   |   |   |
           +---+---+---+---+---+---+---+---+
         6 |   |   |   |   |   |   |   |   |
           +---+---+---+---+---+---+---+---+
         7 |   |   |   |   |   |   |   |   |
           +---+---+---+---+---+---+---+---+

  Signal tree:

    -- {root}
       +-- Enable
       +-- AverageRadius
       +-- Temperature

  Signal choices:

    Enable
        0 Disabled
        1 Enabled

  ------------------------------------------------------------------------
`);
		expect(stdout).toContain("    Temperature        0      12  big    signed     0.01     250   229.52   270.47  degK");
	});

	test("multiplex-layout-and-tree-as-cantools-dump-draws-them", async () => {
		// cantools' test_dump_with_comments_mux draws the same message (bus_comment.dbc).
		const { stdout } = await run("dbc", "dump", sharedData("dbc", "multiplex.dbc"));
		expect(section(stdout, "         2 |", "  Signal tree:")).toBe(`         2 |<-x|   |   |   |<-x|<-x|   |   |
           +---+---+---+---+---+---+---+---+
             |               |   +-- BIT_J
             |               +-- BIT_C
             +-- BIT_G
           +---+---+---+---+---+---+---+---+
         3 |   |   |<-x|<-x|   |<-x|   |<-x|
     B     +---+---+---+---+---+---+---+---+
     y               |   |       |       +-- BIT_L
     t               |   |       +-- BIT_A
     e               |   +-- BIT_K
                     +-- BIT_E
           +---+---+---+---+---+---+---+---+
         4 |<-x|<-x|   |   |   |   |<-x|<-x|
           +---+---+---+---+---+---+---+---+
             |   |                   |   +-- BIT_D
             |   |                   +-- BIT_B
             |   +-- BIT_H
             +-- BIT_F
           +---+---+---+---+---+---+---+---+
         5 |   |   |   |   |   |   |   |   |
           +---+---+---+---+---+---+---+---+
         6 |   |   |   |   |   |   |   |   |
           +---+---+---+---+---+---+---+---+
         7 |   |   |   |   |   |   |   |   |
           +---+---+---+---+---+---+---+---+

`);
		expect(section(stdout, "  Signal tree:", "  Signals:")).toBe(`  Signal tree:

    -- {root}
       +-- Multiplexor
           +-- 8
           |   +-- BIT_J
           |   +-- BIT_C
           |   +-- BIT_G
           |   +-- BIT_L
           +-- 16
           |   +-- BIT_J
           |   +-- BIT_C
           |   +-- BIT_G
           |   +-- BIT_L
           +-- 24
               +-- BIT_J
               +-- BIT_C
               +-- BIT_G
               +-- BIT_L
               +-- BIT_A
               +-- BIT_K
               +-- BIT_E
               +-- BIT_D
               +-- BIT_B
               +-- BIT_H
               +-- BIT_F

`);
	});

	test("every-real-dbc-dumps-every-message", async () => {
		for (const name of ["toyota_prius_2010_pt.dbc", "vw_mqb.dbc", "tesla_can.dbc", "hyundai_i30_2014.dbc", "mazda_rx8.dbc", "signed.dbc", "floating_point.dbc", "choices.dbc", "socialledge.dbc"]) {
			const path = sharedData("dbc", name);
			const check = await run("dbc", "check", path);
			const count = Number(/ok, (\d+) messages?/.exec(check.stdout)?.[1]);
			const { status, stdout, stderr } = await run("dbc", "dump", path);
			expect(status, `${name}: ${stderr}`).toBe(0);
			expect(stdout.match(/^ {2}Name: /gm), name).toHaveLength(count);
			expect(stdout).not.toContain("undefined");
			expect(stdout).not.toContain("NaN");
		}
	});
});
