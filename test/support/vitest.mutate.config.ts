/*
 * The vitest configuration `npm run mutate` (Stryker, stryker.config.json)
 * runs each mutant against: the in-process tests of the core modules it
 * mutates. Tests that run code elsewhere (XS workers, C engines, QEMU,
 * python-can, the command line in a child process) are left out: a mutant
 * lives in the instrumented TypeScript Stryker loads into vitest, which they
 * never see. `npm test` does not use this file. Node (vitest).
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const CORE_TESTS = [
	"ring", "lines", "slcan", "candump", "candump-rules", "stream-paths", "stream-fast-path", "slcan-serial", "replay", "recorder", "twai", "mcp2515",
	"plan", "decoder", "decoder-paths", "encoder", "store", "store-freshness", "pipeline", "vectors", "dbc-nonsense", "profile",
	"storage", "record-log-slots", "trip", "trip-options", "trip-bad-frames", "trip-demo-drive", "cluster-model", "alerts", "alert-rules", "obd", "obd-responses",
];

export default defineConfig({
	root: fileURLToPath(new URL("../..", import.meta.url)),
	test: {
		include: CORE_TESTS.map(name => `test/${name}.test.ts`),
		// Instrumented code runs several times slower, and the dry run collects coverage per test.
		testTimeout: 600_000,
		// The long property tests run a tenth of their cases (test/support/fuzz.ts, caseCount).
		env: { XS_CLUSTER_MUTATION: "1" },
	},
});
