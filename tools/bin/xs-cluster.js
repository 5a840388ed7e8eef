#!/usr/bin/env -S node --optimize-for-size --max-semi-space-size=1 --single-threaded
// The flags keep the command small: with V8's defaults (a 16 MB young
// generation, a heap that grows before it collects, compiler and collector
// threads) a decode of a million frames holds more memory than it needs, and
// spends more CPU time; with these, 1.06 to 1.08 s and 61 to 62 MB (npm run bench, end to end).
// Entry point of the `xs-cluster` command. The TypeScript sources in tools/ are
// compiled into dist/ by `npm install` (the package's prepare script).
import { existsSync } from "node:fs";

const entry = new URL("../../dist/tools/cli.js", import.meta.url);
if (!existsSync(entry)) {
	process.stderr.write("xs-cluster: the command line is not built yet; run `npm install` (or `npm run build`) in the xs-cluster folder\n");
	process.exit(2);
}
// Write errors on standard output (a reader that went away, a full disk) are
// caught in main (tools/cli.ts): one line on standard error, exit status 1.
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
