#!/usr/bin/env node
// Entry point of the `xs-cluster` command. The TypeScript sources in tools/ are
// compiled into dist/ by `npm install` (the package's prepare script).
import { existsSync } from "node:fs";

const entry = new URL("../../dist/tools/cli.js", import.meta.url);
if (!existsSync(entry)) {
	process.stderr.write("xs-cluster: the command line is not built yet; run `npm install` (or `npm run build`) in the xs-cluster folder\n");
	process.exit(2);
}
// A reader that stops early (`xs-cluster decode ... | head`) is not an error.
process.stdout.on("error", error => {
	if (error.code === "EPIPE")
		process.exit(0);
	throw error;
});
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
