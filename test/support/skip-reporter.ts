/*
 * SkipReporter: after vitest's default report, one line for each suite that
 * was skipped because something it needs is missing, saying what and how to
 * get it. Vitest's default reporter shows only a count of skipped tests, so
 * without this a missing engine or compiler takes coverage away without a
 * word.
 *
 * A skip says why through its name, the convention every skip in test/
 * follows: a test named "skipped: <reason>" (describeSharedData,
 * describeTarget, the device check, the python-can tests), or a suite titled
 * "<name> (skipped: <reason>)" (the XS suites, esp32-generate, rec-extract).
 * (Tests left out by `-t` are skipped too, without a reason: not reported.)
 * Under CI the prerequisites that `.ci/run` installs fail their suites
 * instead of skipping (see each suite).
 * Runs in vitest's main process (Node); vitest.config.ts registers it.
 */
import type { Reporter, TestCase, TestModule } from "vitest/node";

const MARK = "skipped: ";

/** The reason in a test's name or its suites' titles, or null when none says one. */
export function skipReason(test: Pick<TestCase, "name" | "parent">): string | null {
	for (let node: { name?: string; parent?: unknown; type?: string } | undefined = test; node; node = node.type === "module" ? undefined : node.parent as typeof node) {
		const name = node.name ?? "";
		if (name.startsWith(MARK))
			return name.slice(MARK.length);
		const at = name.indexOf(`(${MARK}`);
		if (at >= 0)
			return name.slice(at + 1 + MARK.length).replace(/\)$/, "");
	}
	return null;
}

export default class SkipReporter implements Reporter {
	onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
		const lines = new Set<string>();
		for (const module of modules)
			for (const test of module.children.allTests("skipped")) {
				const reason = skipReason(test);
				if (reason !== null)
					lines.add(`skipped ${module.relativeModuleId}: ${reason}\n`);
			}
		process.stdout.write([...lines].join(""));
	}
}
