import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { compilePlan } from "../modules/dbc/compile.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { repoRoot } from "./shared-data.js";

// The simulator loads the demo car's compiled plan as a resource; mcconfig
// cannot run the compiler, so the plan is committed beside its DBC.
test("committed-demo-plan-matches-its-dbc", () => {
	const dbc = join(repoRoot, "hosts/sim/demo/demo-car.dbc");
	const compiled = new Uint8Array(compilePlan(parseDbcOrThrow(readFileSync(dbc, "latin1"), dbc)).buffer);
	const committed = new Uint8Array(readFileSync(join(repoRoot, "hosts/sim/demo/demo-car.plan")));
	expect(committed.length, "run `npm run plans` to recompile hosts/sim/demo/demo-car.plan").toBe(compiled.length);
	expect(Buffer.compare(committed, compiled), "run `npm run plans` to recompile hosts/sim/demo/demo-car.plan").toBe(0);
});
