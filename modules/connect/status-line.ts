/*
 * The telemetry link in words, for the diagnostics page (two rows: the
 * counts, then the last line) and the health line (both, in one), e.g.
 * `online, 0 queued, 3 dropped, 1 reconnect; connected to mqtt://...`.
 * Runs on XS and Node; allocates the strings (once a second while the page
 * shows, and with the health line).
 */
import { LinkState } from "./telemetry.js";

/** What the lines read of Telemetry (modules/connect/telemetry.ts). */
export interface TelemetryStatus {
	readonly state: number;
	readonly queued: number;
	readonly lastLine: string;
	readonly counters: { readonly snapshotsDropped: number; readonly connections: number };
}

/** The link's state and counts: `online, 0 queued, 3 dropped`, then `, 1 reconnect` once there was one; `off, 2 queued` switched off; "off" without telemetry. */
export function telemetryCounts(status: TelemetryStatus | null): string {
	if (!status)
		return "off";
	if (status.state === LinkState.off)
		return `off, ${status.queued} queued`;
	const state = status.state === LinkState.online ? "online" : status.state === LinkState.connecting ? "connecting" : "waiting";
	// The first connection is not a reconnection.
	const reconnects = Math.max(0, status.counters.connections - 1);
	// Reconnections only once there were any: the line fits a diagnostics row until then.
	const line = `${state}, ${status.queued} queued, ${status.counters.snapshotsDropped} dropped`;
	return reconnects ? `${line}, ${reconnects} reconnect${reconnects === 1 ? "" : "s"}` : line;
}

/** The link's last line without its "mqtt: " or "telemetry: " prefix (the page's row says MQTT); "" before any. */
export function telemetryLast(status: TelemetryStatus | null): string {
	return status ? status.lastLine.replace(/^(mqtt|telemetry): /, "") : "";
}

/** Counts and last line in one: `online, 0 queued, 0 dropped; connected to mqtt://127.0.0.1:1883`. */
export function telemetryLine(status: TelemetryStatus | null): string {
	const counts = telemetryCounts(status), last = telemetryLast(status);
	return last ? `${counts}; ${last}` : counts;
}
