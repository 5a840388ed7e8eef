/*
 * Fills a snapshot (scheme.ts VehicleState) from the cluster's parts: the
 * quantities as the profile reads them, the trip computer's odometer, trips
 * and range, and the CAN source's bus status. An odometer not known yet (a
 * first start, before the car's reading is followed) is NaN, sent as null,
 * which Home Assistant's total_increasing sensor shows as unknown, not as a
 * drop to 0. What the wiring hands
 * Telemetry as `readState`. Runs on XS and Node; no allocation.
 */
import { busStateName, type BusStatus } from "../can/bus-status.js";
import { Quantity, type QuantityReader } from "../cluster/quantity.js";
import type { VehicleState } from "./scheme.js";

/** TripComputer's shape, as far as a snapshot reads it. */
export interface TripReading {
	/** km, NaN while unknown. */
	readonly odometer: number;
	readonly range: number;
	readonly tripA: { readonly distance: number };
	readonly tripB: { readonly distance: number };
	awake(now: number): boolean;
}

/** Frames received and dropped by the ring: Pipeline's counters. */
export interface FrameCounts {
	readonly received: number;
	readonly dropped: number;
}

/** Reads the car at `now` into `into`. No allocation. */
export function readVehicleState(into: VehicleState, now: number, reader: Pick<QuantityReader, "read">, trip: TripReading, bus?: BusStatus | null, frames?: FrameCounts | null): void {
	into.speed = reader.read(Quantity.speed, now);
	into.rpm = reader.read(Quantity.rpm, now);
	into.gear = reader.read(Quantity.gear, now);
	into.fuel = reader.read(Quantity.fuelLevel, now);
	into.coolant = reader.read(Quantity.coolantTemp, now);
	into.battery = reader.read(Quantity.batteryVoltage, now);
	into.checkEngine = reader.read(Quantity.checkEngine, now);
	into.range = trip.range;
	into.odometer = trip.odometer;
	into.tripA = trip.tripA.distance;
	into.tripB = trip.tripB.distance;
	// Awake while speed arrives (the trip computer's view) or the engine turns.
	into.ignition = trip.awake(now) || into.rpm > 0;
	// A source with no controller (demo drive, log, feed) has no bus state to
	// report: null, not "stopped", which would say the bus is down.
	into.bus = bus ? busStateName(bus.state) : null;
	into.frames = frames ? frames.received : NaN;
	into.drops = frames ? frames.dropped : NaN;
}
