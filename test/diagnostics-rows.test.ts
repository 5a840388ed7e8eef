/*
 * The diagnostics page's short rows (modules/ui/diagnostics-rows.ts): a
 * refused driver command on a row too narrow for telemetry's whole line.
 * Rows are measured here by characters; the page measures them in its font.
 */
import { describe, expect, test } from "vitest";
import { type TelemetryStatus, telemetryLast } from "../modules/connect/status-line.js";
import { linkLastRow } from "../modules/ui/diagnostics-rows.js";
import { describeOnXs } from "./support/xs-suite.js";

/** A row of `n` characters. */
const row = (n: number) => (text: string) => text.length <= n;
/** Telemetry's lines for a refused driver command (as test/connect-broker.test.ts has them), as the page gets them. */
const refused = (name: string, drivers: string) => telemetryLast({ lastLine: `mqtt: driver command '${name}' names no driver on this cluster (${drivers})` } as TelemetryStatus);
const notAName = telemetryLast({ lastLine: "mqtt: driver command is not a driver's name (2 bytes)" } as TelemetryStatus);

const CASES: [string, number, string][] = [
	[refused("Mallory", "Anna, Ben"), 80, "driver command 'Mallory' names no driver on this cluster (Anna, Ben)"],
	[refused("Mallory", "Anna, Ben"), 60, "no driver 'Mallory'; drivers: Anna, Ben"],
	[refused("Nobody", "Driver 1, Driver 2, Driver 3"), 40, "no driver 'Nobody'; drivers: Driver 1 +2"],
	[refused("Nobody", "Driver 1, Driver 2, Driver 3"), 30, "no driver 'Nobody'; 3 drivers"],
	[refused("Nobody", "Driver 1"), 29, "no driver 'Nobody'; 1 driver"],
	[refused("Nobody", "Driver 1"), 20, "no driver 'Nobody'"],
	[refused("A driver of 32 characters, cut.", "Anna"), 30, "no driver 'A driver of 32 characters, cut.'"],
	[notAName, 40, "no driver: not a name (2 bytes)"],
	[notAName, 60, "driver command is not a driver's name (2 bytes)"],
	["no MQTT connection to mqtt://127.0.0.1:1883 (refused, closed, or not an MQTT broker); retry in 1 s", 30, "no MQTT connection to mqtt://127.0.0.1:1883 (refused, closed, or not an MQTT broker); retry in 1 s"],
];

describe("the MQTT link's last row", () => {
	test("a-refused-driver-is-named-first-then-as-many-drivers-as-fit-and-the-count", () => {
		for (const [line, width, shown] of CASES)
			expect(linkLastRow(line, row(width)), `${line} in ${width}`).toBe(shown);
	});

	test("a-line-that-fits-is-shown-as-it-is", () => {
		const line = refused("Mallory", "Anna, Ben");
		expect(linkLastRow(line, row(line.length))).toBe(line);
		expect(linkLastRow("", row(0))).toBe("");
	});

	test("every-form-tried-is-no-longer-than-the-one-before", () => {
		const tried: string[] = [];
		linkLastRow(refused("Nobody", "Driver 1, Driver 2, Driver 3, Driver 4"), text => (tried.push(text), false));
		expect(tried[0]).toMatch(/^driver command/);
		for (let i = 2; i < tried.length; i++)
			expect(tried[i].length).toBeLessThanOrEqual(tried[i - 1].length);
		expect(tried.at(-1)).toBe("no driver 'Nobody'; 4 drivers");
	});
});

describeOnXs("the MQTT link's last row", ["modules/ui/diagnostics-rows.ts"], `
import { linkLastRow } from "./modules/ui/diagnostics-rows.js";
const ascii = text => new Uint8Array(Array.from(text, c => c.charCodeAt(0))).buffer;
globalThis.rows = cases => ascii(JSON.stringify(cases.map(([line, width]) => linkLastRow(line, text => text.length <= width))));
`, ({ json }) => {
	test("xs-shortens-the-rows-as-v8-does", async () => {
		expect(await json<string[]>(`rows(${JSON.stringify(CASES)})`)).toEqual(CASES.map(c => c[2]));
	});
});
