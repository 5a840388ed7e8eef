/*
 * The device compile check (`npm run check:device`, tools/device/check.ts):
 * every device C file the esp32 manifests bring in compiles for esp32,
 * esp32s3, esp32c3 and esp32c6 against ESP-IDF v6.0's headers with
 * ESP-IDF's warnings as errors, and a wrong struct field in a real device C
 * file is caught and named with its file, line, column and chips. It needs
 * the compile kit (../shared/device) and Debian's riscv64-unknown-elf-gcc
 * and clang-22, or $IDF_PATH (tools/device/idf.ts): without them the suite
 * is skipped, saying what is missing, except under CI where it fails.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { checkDevice } from "../tools/device/check.js";
import { projectSdkconfigHeader } from "../tools/device/headers.js";
import { CHIPS } from "../tools/device/plan.js";
import { findToolchain } from "../tools/device/toolchain.js";
import { repoRoot } from "./shared-data.js";

const missing = findToolchain(repoRoot, process.env).missing(CHIPS);
// One skipped test, named after what is missing, stands in for the suite.
const describeDevice = !missing || process.env.CI ? describe
	: (name: string, _body: () => void) => describe(name, () => test.skip(`skipped: ${missing}`, () => {}));

// The whole check took 4.9 to 6.1 s with both cores of a 2-core machine busy
// (35 compiles, two at a time); ten times that, for CI's busy machines and
// boards being added.
const WHOLE_CHECK_MS = 60_000;
// One file for four chips: 0.6 s on the same busy machine.
const ONE_FILE_MS = 5_000;

async function check(...argv: string[]) {
	let stdout = "", stderr = "";
	const status = await checkDevice(argv, repoRoot, process.env, { stdout: text => { stdout += text; }, stderr: text => { stderr += text; } });
	return { status, stdout, stderr };
}

describeDevice("device compile check (ESP-IDF v6.0, four chips)", () => {
	const temp = mkdtempSync(join(tmpdir(), "xs-cluster-device-test-"));
	afterAll(() => rmSync(temp, { recursive: true, force: true }));

	test("every-device-c-file-compiles-for-four-chips-with-no-warnings", async () => {
		const { status, stdout, stderr } = await check();
		expect(stderr).toBe("");
		expect(status).toBe(0);
		expect(stdout).toMatch(/^device C: \d+ files x 4 chips compiled .*, 0 warnings\n$/);
	}, WHOLE_CHECK_MS);

	test("an-sdkconfig-key-esp-idf-does-not-know-is-named: the legacy driver's errata key, which v6.0 would drop", () => {
		const known = findToolchain(repoRoot, process.env).knownOptions(CHIPS);
		if (!known)
			return; // $IDF_PATH mode: the real build's Kconfig judges the keys
		const defaults = join(temp, "sdkconfig.defaults");
		writeFileSync(defaults, "# the node driver's ISR in IRAM\nCONFIG_TWAI_ISR_IN_IRAM=y\nCONFIG_TWAI_ERRATA_FIX_BUS_OFF_REC=y\n");
		expect(() => projectSdkconfigHeader(defaults, "sdkconfig.defaults", known))
			.toThrow(/^sdkconfig\.defaults:3:1: CONFIG_TWAI_ERRATA_FIX_BUS_OFF_REC is not an option of ESP-IDF v6\.0's Kconfig/);
		writeFileSync(defaults, "CONFIG_TWAI_ISR_IN_IRAM=y\n# CONFIG_TWAI_ISR_CACHE_SAFE is not set\n");
		expect(projectSdkconfigHeader(defaults, "sdkconfig.defaults", known)).toContain("#undef CONFIG_TWAI_ISR_CACHE_SAFE");
	});

	test("a-wrong-struct-field-is-named-with-file-line-col-and-every-chip", async () => {
		// A copy of the decode engine that writes a field its Tables struct does not have.
		const source = readFileSync(join(repoRoot, "modules/signals/native/decode-engine.c"), "utf8").split("\n");
		const line = source.findIndex(text => text.includes("t->messageCount = ")) + 1;
		expect(line).toBeGreaterThan(0);
		source[line - 1] = source[line - 1].replace("t->messageCount = ", "t->messageTotal = ");
		const broken = join(temp, "decode-engine.c");
		writeFileSync(broken, source.join("\n"));

		const { status, stdout, stderr } = await check(broken);
		expect(status).toBe(1);
		expect(stdout).toBe("");
		const problems = stderr.split("\n").filter(text => text.startsWith(`${broken}:${line}:`));
		expect(problems.length).toBeGreaterThan(0);
		for (const problem of problems)
			expect(problem).toMatch(new RegExp(`^[^ ]+:${line}:\\d+: error: .*'messageTotal'.* \\((esp32\\w*)(, esp32\\w*)*\\)$`));
		const named = problems.flatMap(problem => /\(([^()]*)\)$/.exec(problem)![1].split(", "));
		expect(named.sort()).toEqual([...CHIPS].sort());
		expect(stderr.trim().split("\n").at(-1)).toMatch(/^device C: \d+ problems? in 1 file x 4 chips /);
	}, ONE_FILE_MS);
});
