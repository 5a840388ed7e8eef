import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { compileProfile } from "../tools/profile.js";
import { repoRoot } from "./shared-data.js";

// The simulator and the ESP32 load the demo car's compiled profile and its
// plan (car.vehicle, car.plan) as resources; mcconfig cannot run the
// compiler, so both are committed beside the JSON and the DBC.
test("committed-demo-profile-matches-its-json-and-dbc", () => {
	const demoDir = join(repoRoot, "hosts/sim/demo");
	const db = parseDbcOrThrow(readFileSync(join(demoDir, "demo-car.dbc"), "latin1"), "demo-car.dbc");
	const compiled = compileProfile(JSON.parse(readFileSync(join(demoDir, "demo-car.json"), "utf8")), "demo-car.json", db);
	const hint = "run `npm run plans` to recompile hosts/sim/demo/car.vehicle and car.plan";
	for (const [name, bytes] of [["car.vehicle", compiled.vehicle], ["car.plan", compiled.plan.buffer]] as const) {
		const committed = new Uint8Array(readFileSync(join(demoDir, name)));
		expect(Buffer.compare(committed, new Uint8Array(bytes)), `${name}: ${hint}`).toBe(0);
	}
});
