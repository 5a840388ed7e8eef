/*
 * The telemetry link's line on the diagnostics page (modules/connect/status-line.ts).
 */
import { describe, expect, test } from "vitest";
import { telemetryCounts, telemetryLast, telemetryLine } from "../modules/connect/status-line.js";
import { LinkState } from "../modules/connect/telemetry.js";

const status = (state: number, connections: number, lastLine: string, queued = 0, snapshotsDropped = 0) =>
	({ state, queued, lastLine, counters: { snapshotsDropped, connections } });

describe("telemetry line", () => {
	test("without-telemetry-it-says-off", () => {
		expect(telemetryLine(null)).toBe("off");
	});

	test("online-the-first-connection-is-no-reconnect-and-none-is-not-said", () => {
		expect(telemetryLine(status(LinkState.online, 1, "mqtt: connected to mqtt://127.0.0.1:1883"))).toBe("online, 0 queued, 0 dropped; connected to mqtt://127.0.0.1:1883");
	});

	test("waiting-it-counts-and-says-why", () => {
		expect(telemetryLine(status(LinkState.waiting, 3, "mqtt: connection lost; retry in 2 s", 5, 7))).toBe("waiting, 5 queued, 7 dropped, 2 reconnects; connection lost; retry in 2 s");
		expect(telemetryLine(status(LinkState.connecting, 2, "telemetry: the queue's flash failed"))).toBe("connecting, 0 queued, 0 dropped, 1 reconnect; the queue's flash failed");
	});

	test("the-page-rows-are-the-two-halves", () => {
		const s = status(LinkState.online, 2, "mqtt: connected to mqtt://127.0.0.1:1883", 4, 1);
		expect(telemetryCounts(s)).toBe("online, 4 queued, 1 dropped, 1 reconnect");
		expect(telemetryLast(s)).toBe("connected to mqtt://127.0.0.1:1883");
		expect(telemetryCounts(null)).toBe("off");
		expect(telemetryLast(null)).toBe("");
	});

	test("before-any-line-only-the-counts", () => {
		expect(telemetryLine(status(LinkState.connecting, 0, ""))).toBe("connecting, 0 queued, 0 dropped");
	});
});
