/*
 * The telemetry link's line on the diagnostics page (modules/connect/status-line.ts).
 */
import { describe, expect, test } from "vitest";
import { telemetryLine } from "../modules/connect/status-line.js";
import { LinkState } from "../modules/connect/telemetry.js";

const status = (state: number, connections: number, lastLine: string, queued = 0, snapshotsDropped = 0) =>
	({ state, queued, lastLine, counters: { snapshotsDropped, connections } });

describe("telemetry line", () => {
	test("without-telemetry-it-says-off", () => {
		expect(telemetryLine(null)).toBe("off");
	});

	test("online-the-first-connection-is-no-reconnect", () => {
		expect(telemetryLine(status(LinkState.online, 1, "mqtt: connected to mqtt://127.0.0.1:1883"))).toBe("online, 0 queued, 0 dropped, 0 reconnects; connected to mqtt://127.0.0.1:1883");
	});

	test("waiting-it-counts-and-says-why", () => {
		expect(telemetryLine(status(LinkState.waiting, 3, "mqtt: connection lost; retry in 2 s", 5, 7))).toBe("waiting, 5 queued, 7 dropped, 2 reconnects; connection lost; retry in 2 s");
		expect(telemetryLine(status(LinkState.connecting, 2, "telemetry: the queue's flash failed"))).toBe("connecting, 0 queued, 0 dropped, 1 reconnect; the queue's flash failed");
	});

	test("before-any-line-only-the-counts", () => {
		expect(telemetryLine(status(LinkState.connecting, 0, ""))).toBe("connecting, 0 queued, 0 dropped, 0 reconnects");
	});
});
