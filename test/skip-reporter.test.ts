import { describe, expect, test } from "vitest";
import { skipReason } from "./support/skip-reporter.js";

/** A test as vitest reports it: its name and the chain of suites up to the module. */
function reported(name: string, ...suites: string[]) {
	let parent: { name?: string; type: string; parent?: unknown } = { type: "module" };
	for (const suite of suites.reverse())
		parent = { name: suite, type: "suite", parent };
	return { name, parent } as unknown as Parameters<typeof skipReason>[0];
}

describe("skip reporter", () => {
	test("a-skip-says-why-by-its-test-name-or-its-suite-title", () => {
		expect(skipReason(reported("skipped: ../shared/data not found (set XS_CLUSTER_SHARED_DATA to its path)", "vectors"))).toBe("../shared/data not found (set XS_CLUSTER_SHARED_DATA to its path)");
		expect(skipReason(reported("runs-a-module", "chime on XS (skipped: xsnap worker not built; run `npm ci`)"))).toBe("xsnap worker not built; run `npm ci`");
		expect(skipReason(reported("inner", "rec-extract (skipped: no `cc` (Debian: apt-get install build-essential))", "nested"))).toBe("no `cc` (Debian: apt-get install build-essential)");
		// A test left out by `-t` says nothing: not reported.
		expect(skipReason(reported("parses-a-line", "slcan"))).toBeNull();
	});
});
