import { defineConfig } from "vitest/config";

export default defineConfig({
	test: {
		include: ["test/**/*.test.ts"],
		// The default report, then one line per suite skipped for something missing (what, and how to get it).
		reporters: ["default", "./test/support/skip-reporter.ts"],
	},
});
