/*
 * The telemetry link in one line for the diagnostics page and the health
 * line: its state, what waits in flash, snapshots dropped, reconnections,
 * then the last line (why it is not online, or "connected"), e.g.
 * `online, 0 queued, 3 dropped, 1 reconnect; connected to mqtt://...`.
 * Runs on XS and Node; allocates the line (once a second while the page
 * shows, and with the health line).
 */
import { LinkState } from "./telemetry.js";

/** What the line reads of Telemetry (modules/connect/telemetry.ts). */
export interface TelemetryStatus {
	readonly state: number;
	readonly queued: number;
	readonly lastLine: string;
	readonly counters: { readonly snapshotsDropped: number; readonly connections: number };
}

/** `status` in one line; "off" without telemetry. */
export function telemetryLine(status: TelemetryStatus | null): string {
	if (!status)
		return "off";
	const state = status.state === LinkState.online ? "online" : status.state === LinkState.connecting ? "connecting" : "waiting";
	// The first connection is not a reconnection.
	const reconnects = Math.max(0, status.counters.connections - 1);
	const line = `${state}, ${status.queued} queued, ${status.counters.snapshotsDropped} dropped, ${reconnects} reconnect${reconnects === 1 ? "" : "s"}`;
	// Its lines start "mqtt: " or "telemetry: "; the page's row already says MQTT.
	const last = status.lastLine.replace(/^(mqtt|telemetry): /, "");
	return last ? `${line}; ${last}` : line;
}
