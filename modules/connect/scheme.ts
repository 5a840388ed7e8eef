/*
 * The telemetry scheme, version 1: topics and payloads as docs/mqtt.md
 * describes them and docs/mqtt.schema.json checks them. One place: the
 * telemetry link, the tests and the documentation read these.
 *
 * Topics under `<prefix>/v1/<node>/`:
 *   state       snapshot (JSON, retained), at the configured rate
 *   event       alert raised, acknowledged or cleared (JSON, QoS 1)
 *   trip        trip summary when the car goes quiet (JSON, QoS 1, retained)
 *   status      "online" / "offline" (retained; "offline" is the last will)
 *   driver      the driver in use (text, retained)
 *   driver/set  command: a driver's name chooses that driver
 *   pack        a vehicle pack for this cluster (binary, retained)
 * Every JSON payload has "v" (scheme version), "type" ("state", "alert",
 * "trip"), "seq" (one counter over
 * state, event and trip, rising across restarts: receivers drop a message
 * whose seq they have seen) and "t" (ms since the cluster started).
 *
 * Runs on XS and Node. The encoders allocate their string (JSON.stringify):
 * once per message, not per frame.
 */

export const SCHEME_VERSION = 1;
export const DEFAULT_PREFIX = "xs-cluster";

export interface Topics {
	readonly base: string;
	readonly state: string;
	readonly event: string;
	readonly trip: string;
	readonly status: string;
	readonly driver: string;
	readonly driverSet: string;
	readonly pack: string;
}

/** What Home Assistant and MQTT allow in a topic level that names a device: letters, digits, _ and -. */
const NODE_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Why `node` cannot name this cluster in topics, or null when it can. */
export function checkNodeId(node: string): string | null {
	return NODE_ID.test(node) ? null : `node id '${node}' must be 1 to 32 letters, digits, _ or - (it is a topic level and Home Assistant's node_id)`;
}

/** The topics of cluster `node`. Allocates. @throws RangeError for a node id `checkNodeId` refuses. */
export function topicsFor(node: string, prefix = DEFAULT_PREFIX): Topics {
	const problem = checkNodeId(node);
	if (problem)
		throw new RangeError(problem);
	const base = `${prefix}/v${SCHEME_VERSION}/${node}`;
	return Object.freeze({
		base,
		state: `${base}/state`,
		event: `${base}/event`,
		trip: `${base}/trip`,
		status: `${base}/status`,
		driver: `${base}/driver`,
		driverSet: `${base}/driver/set`,
		pack: `${base}/pack`,
	});
}

export const ONLINE = "online";
export const OFFLINE = "offline";

/** What a snapshot reports; NaN for what is missing (it is sent as null). */
export interface VehicleState {
	/** km/h */
	speed: number;
	rpm: number;
	/** The gear as the car sends it (the profile's code). */
	gear: number;
	/** % of the tank */
	fuel: number;
	/** km to empty */
	range: number;
	/** °C */
	coolant: number;
	/** V */
	battery: number;
	/** km */
	odometer: number;
	/** km on trip A and trip B */
	tripA: number;
	tripB: number;
	/** 1 lit, 0 off, NaN unknown */
	checkEngine: number;
	/** The car is awake: speed or rpm arrives. */
	ignition: boolean;
	/** CAN bus state as the source reports it ("error-active", "bus-off", ...); null from a source with no controller (the demo drive, a log, a feed). */
	bus: string | null;
	/** Frames received and frames dropped (ring overflow) since start. */
	frames: number;
	drops: number;
}

export function emptyState(): VehicleState {
	return { speed: NaN, rpm: NaN, gear: NaN, fuel: NaN, range: NaN, coolant: NaN, battery: NaN, odometer: NaN, tripA: NaN, tripB: NaN, checkEngine: NaN, ignition: false, bus: null, frames: 0, drops: 0 };
}

/** A finite value rounded to `digits` decimals, or null: no NaN, Infinity or impossible value reaches a payload. */
function num(value: number, digits: number, min = -Infinity, max = Infinity): number | null {
	if (!(value === value) || value === Infinity || value === -Infinity || value < min || value > max)
		return null;
	const scale = 10 ** digits;
	return Math.round(value * scale) / scale;
}

/** The snapshot payload. Allocates. */
export function encodeState(seq: number, t: number, s: VehicleState): string {
	return JSON.stringify({
		v: SCHEME_VERSION, seq, t: Math.round(t), type: "state",
		speed: num(s.speed, 1, 0, 500), rpm: num(s.rpm, 0, 0, 20000), gear: num(s.gear, 0),
		fuel: num(s.fuel, 1, 0, 100), range: num(s.range, 0, 0, 10000), coolant: num(s.coolant, 1, -60, 250),
		battery: num(s.battery, 2, 0, 60), odometer: num(s.odometer, 1, 0, 10000000),
		tripA: num(s.tripA, 2, 0, 10000000), tripB: num(s.tripB, 2, 0, 10000000),
		checkEngine: s.checkEngine === s.checkEngine ? s.checkEngine !== 0 : null,
		ignition: s.ignition, bus: s.bus, frames: num(s.frames, 0, 0), drops: num(s.drops, 0, 0),
	});
}

export type AlertAction = "raised" | "acknowledged" | "cleared";
export const SEVERITY_NAMES: readonly string[] = Object.freeze(["info", "warning", "critical"]);

/** An alert event's payload. Allocates. */
export function encodeAlert(seq: number, t: number, action: AlertAction, id: string, severity: number, message: string): string {
	return JSON.stringify({ v: SCHEME_VERSION, seq, t: Math.round(t), type: "alert", alert: id, action, severity: SEVERITY_NAMES[severity] ?? "info", message });
}

/** What one drive added, from the car waking to it going quiet. */
export interface TripSummary {
	/** km */
	distance: number;
	/** s awake and s moving */
	duration: number;
	moving: number;
	/** L, NaN without fuel data */
	fuel: number;
	/** km at the end */
	odometer: number;
}

/** A trip summary's payload, with average speed (km/h) and economy (L/100 km) worked out. Allocates. */
export function encodeTrip(seq: number, t: number, trip: TripSummary): string {
	const average = trip.duration > 0 ? trip.distance / (trip.duration / 3600) : NaN;
	const economy = trip.distance >= 0.1 && trip.fuel > 0 ? trip.fuel / trip.distance * 100 : NaN;
	return JSON.stringify({
		v: SCHEME_VERSION, seq, t: Math.round(t), type: "trip",
		distance: num(trip.distance, 2, 0), duration: num(trip.duration, 0, 0), moving: num(trip.moving, 0, 0),
		fuel: num(trip.fuel, 2, 0), averageSpeed: num(average, 1, 0, 500), economy: num(economy, 1, 0, 1000),
		odometer: num(trip.odometer, 1, 0, 10000000),
	});
}
