/*
 * No nonsense on the glass (issue 12): real DBC files of ../shared/data,
 * edited here (in a temporary folder) to carry values that make no sense for
 * a cluster. An attribute outside its BA_DEF_ range is ignored for its
 * default, a cycle time that a 32-bit timeout would wrap is refused, and a
 * scaling that overflows, or a float carrying Infinity or NaN, is shown as
 * missing and counted, never stored as a value.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { CanFrame, FrameFlag } from "../modules/can/frame.js";
import { DEFAULT_TIMEOUT_MS, compilePlan, messageTimeout, usableCycleTime } from "../modules/dbc/compile.js";
import { formatProblem } from "../modules/dbc/database.js";
import { parseDbc } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan, MESSAGE_WORDS, MessageField } from "../modules/signals/plan.js";
import { main } from "../tools/cli.js";
import { database, message, signal } from "./support/dbc-builder.js";
import { describeSharedData, sharedData, cantoolsVectors, type CantoolsVector } from "./shared-data.js";


async function run(...argv: string[]) {
	let stdout = "", stderr = "";
	const status = await main(argv, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

const temp = mkdtempSync(join(tmpdir(), "xs-cluster-dbc-nonsense-"));

function edited(name: string, source: string, change: (text: string) => string): string {
	const text = readFileSync(sharedData("dbc", source), "utf8");
	const changed = change(text);
	expect(changed).not.toBe(text);
	const path = join(temp, name);
	writeFileSync(path, changed);
	return path;
}

/** The plan `xs-cluster dbc compile` writes for `path`, and what it said. */
async function compiled(path: string) {
	const out = `${path}.plan`;
	const result = await run("dbc", "compile", path, "-o", out);
	expect(result.status, result.stderr).toBe(0);
	return { plan: new DecodePlan(new Uint8Array(readFileSync(out)).buffer), stderr: result.stderr };
}

function frameOf(vector: Pick<CantoolsVector, "id" | "extended" | "data">): CanFrame {
	const frame = new CanFrame();
	const bytes = Buffer.from(vector.data, "hex");
	frame.id = vector.id;
	frame.flags = vector.extended ? FrameFlag.extended : 0;
	frame.dlc = bytes.length;
	frame.data.fill(0).set(bytes);
	frame.timestamp = 1000;
	return frame;
}

test("a cycle time whose timeout the plan cannot hold is refused by compilePlan too, whoever made the database", () => {
	const db = database([
		message({ id: 1, name: "Wrapping", cycleTime: 858993460, signals: [signal({ name: "S", startBit: 0, length: 8 })] }),
		message({ id: 2, name: "Zero", cycleTime: 4294967296, signals: [] }),
		message({ id: 3, name: "Negative", cycleTime: -10, signals: [] }),
		message({ id: 4, name: "Fast", cycleTime: 10, signals: [] }),
	]);
	const result = compilePlan(db);
	const plan = new DecodePlan(result.buffer);
	// 858993460 * 5 wraps to 4 in 32 bits, 4294967296 to 0: both now get the timeout of a message without a cycle time.
	expect([0, 1, 2, 3].map(m => plan.messageTimeout(m))).toEqual([DEFAULT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, 250]);
	expect(result.warnings).toEqual([
		"test.dbc:1:1: Wrapping: cycle time 858993460 ms would give a timeout the plan cannot hold; the message gets the 2000 ms timeout of one without a cycle time",
		"test.dbc:1:1: Zero: cycle time 4294967296 ms would give a timeout the plan cannot hold; the message gets the 2000 ms timeout of one without a cycle time",
		"test.dbc:1:1: Negative: cycle time -10 ms would give a timeout the plan cannot hold; the message gets the 2000 ms timeout of one without a cycle time",
	]);
	expect(usableCycleTime({ cycleTime: 858993459 })).toBe(858993459);
	expect(messageTimeout({ cycleTime: 858993459 })).toBe(4294967295);
	expect(usableCycleTime({ cycleTime: 858993459 }, { timeoutPeriods: 6 })).toBe(0);
});

describeSharedData("nonsense in real DBC files", () => {
	const vectors = cantoolsVectors();

	test("GenMsgCycleTime outside its BA_DEF_ range (motohawk.dbc, INT 0 65535) is ignored: the default applies, not a 4 ms timeout", async () => {
		const path = edited("motohawk-range.dbc", "motohawk.dbc", text => text.replace('VAL_ 496 Enable', 'BA_ "GenMsgCycleTime" BO_ 496 858993460;\nVAL_ 496 Enable'));
		const checked = await run("dbc", "check", path);
		expect(checked.status).toBe(0);
		expect(checked.stderr).toMatch(/:\d+:31: warning: attribute "GenMsgCycleTime" 858993460 is outside the range 0\.\.65535 that its BA_DEF_ \(line \d+\) declares: ignored, the default \(0\) applies\n$/);
		const { plan, stderr } = await compiled(path);
		expect(stderr).toContain("warning: attribute \"GenMsgCycleTime\" 858993460 is outside the range");
		expect(plan.messageTimeout(0)).toBe(DEFAULT_TIMEOUT_MS);
	});

	test("a cycle time of days (socialledge.dbc, INT 0 0: no range) is refused; 4294967296 does not wrap to a timeout of 0", async () => {
		const reference = await compiled(sharedData("dbc", "socialledge.dbc"));
		const heartbeat = reference.plan.findMessageByName("DRIVER_HEARTBEAT");
		expect(reference.plan.messageTimeout(heartbeat)).toBe(5000);
		for (const wild of ["858993460", "4294967296"]) {
			const path = edited(`socialledge-${wild}.dbc`, "socialledge.dbc", text => text.replace('BA_ "GenMsgCycleTime" BO_ 100 1000;', `BA_ "GenMsgCycleTime" BO_ 100 ${wild};`));
			const { stdout, stderr, status } = await run("dbc", "check", path);
			expect(status).toBe(0);
			expect(stdout).toMatch(/ok, .* \(1 warning\)\n$/);
			expect(stderr).toMatch(new RegExp(`:\\d+:31: warning: GenMsgCycleTime of message 'DRIVER_HEARTBEAT' is ${wild} ms, longer than an hour \\(3600000\\): ignored, so its signals get the timeout of a message without a cycle time\\n$`));
			const { plan } = await compiled(path);
			expect(plan.messageTimeout(plan.findMessageByName("DRIVER_HEARTBEAT"))).toBe(DEFAULT_TIMEOUT_MS);
			expect(plan.messages[heartbeat * MESSAGE_WORDS + MessageField.cycleTime]).toBe(0);
		}
	});

	test("a factor of 1e308 (socialledge.dbc) is a warning, and its infinite values are shown as missing and counted", async () => {
		const path = edited("socialledge-factor.dbc", "socialledge.dbc", text => text.replace('MOTOR_STATUS_speed_kph : 8|16@1+ (0.001,0)', 'MOTOR_STATUS_speed_kph : 8|16@1+ (1e308,0)'));
		const checked = await run("dbc", "check", path);
		expect(checked.stderr).toMatch(/:\d+:\d+: warning: signal 'MOTOR_STATUS_speed_kph': raw \* 1e\+308 \+ 0 overflows to infinity for some of its 16-bit raw values; those are shown as missing\n$/);
		const { database: db } = parseDbc(readFileSync(path, "utf8"), "socialledge-factor.dbc");
		const decoder = new Decoder(new DecodePlan(compilePlan(db).buffer));
		const plan = decoder.plan;
		const speed = plan.findSignal(plan.findMessageByName("MOTOR_STATUS"), "MOTOR_STATUS_speed_kph");
		const wheel = plan.findSignal(plan.findMessageByName("MOTOR_STATUS"), "MOTOR_STATUS_wheel_error");
		const mine = vectors.filter(v => v.dbc === "socialledge.dbc" && v.id === 400);
		expect(mine.length).toBeGreaterThan(5);
		let infinite = 0;
		for (const vector of mine) {
			decoder.decode(frameOf(vector));
			const raw = Math.round(vector.signals.MOTOR_STATUS_speed_kph / 0.001);
			const before = decoder.store.nonFinite;
			const shown = decoder.store.read(speed, 1000);
			if (raw >= 2) {
				infinite++;
				expect(shown).toBeNaN();
				expect(decoder.store.nonFinite).toBe(before + 1);
			} else
				expect(shown).toBe(raw * 1e308);
			// The rest of the frame is untouched.
			expect(decoder.store.read(wheel, 1000)).toBe(vector.signals.MOTOR_STATUS_wheel_error);
		}
		expect(infinite).toBeGreaterThan(0);
		expect(decoder.store.nonFinite).toBe(infinite);
		// decode prints such a value as null, never as a number.
		const log = join(temp, "motor.log");
		writeFileSync(log, mine.map((v, i) => `(${1700000000 + i}.000000) can0 190#${v.data}`).join("\n") + "\n");
		const decoded = await run("decode", "--dbc", path, log);
		expect(decoded.status).toBe(0);
		const speeds = decoded.stdout.trim().split("\n").map(line => JSON.parse(line).signals.MOTOR_STATUS_speed_kph);
		expect(speeds.filter(v => v === null)).toHaveLength(infinite);
	});

	test("a float signal carrying Infinity or NaN (floating_point.dbc) is shown as missing and counted, a finite one as it is", () => {
		const { database: db } = parseDbc(readFileSync(sharedData("dbc", "floating_point.dbc"), "utf8"), "floating_point.dbc");
		const decoder = new Decoder(new DecodePlan(compilePlan(db).buffer));
		const plan = decoder.plan;
		const double = plan.findSignal(plan.findMessage(1024, false), "Signal1");
		const bytes = (value: number) => Buffer.from(new Float64Array([value]).buffer).toString("hex");
		for (const [value, shown] of [[Infinity, NaN], [-Infinity, NaN], [NaN, NaN], [1.5, 1.5]]) {
			const before = decoder.store.nonFinite;
			decoder.decode(frameOf({ id: 1024, extended: false, data: bytes(value) }));
			expect(decoder.store.value(double)).toBe(value); // the raw physical value, for tools
			expect(decoder.store.read(double, 1000)).toBe(shown); // what the glass gets
			expect(decoder.store.nonFinite).toBe(before + (Number.isFinite(value) ? 0 : 1));
		}
		decoder.store.reset();
		expect(decoder.store.nonFinite).toBe(0);
	});

	test("the warnings of an edited real file name file:line:col and say what was done, strict or not", () => {
		const text = readFileSync(sharedData("dbc", "motohawk.dbc"), "utf8").replace("BA_DEF_DEF_  \"GenMsgCycleTime\" 0;", "BA_DEF_DEF_  \"GenMsgCycleTime\" 70000;");
		for (const strict of [false, true]) {
			const result = parseDbc(text, "motohawk.dbc", { strict });
			expect(result.problems).toEqual([]);
			expect(result.warnings.map(formatProblem)).toEqual([
				"motohawk.dbc:49:32: attribute \"GenMsgCycleTime\" default 70000 is outside the range 0..65535 that its BA_DEF_ (line 48) declares: ignored, the attribute has no default",
			]);
			expect(result.database.messages[0].cycleTime).toBeNull();
		}
	});
});
