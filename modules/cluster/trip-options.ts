/*
 * The trip computer's options for a vehicle profile, as main.ts wires them:
 * the tank, whether the profile maps the car's own odometer (unknown, not 0,
 * on a first start until it is followed) and, when that odometer is one
 * OBD-II PID, the poller's word that the ECU does not support it, which ends
 * the wait for it at once (TripOptions.carOdometerRefused).
 *
 * Runs on XS and Node; allocates (start-up).
 */
import { NodeKind, type VehicleProfile } from "./profile.js";
import { Quantity } from "./quantity.js";
import type { TripOptions } from "./trip.js";

/** What knows that the car does not answer a PID: the OBD-II poller (`ObdPoller.refuses`). */
export interface PidRefusals {
	refuses(pid: number): boolean;
}

/**
 * Options for `new TripComputer` in a car of `profile`. `poller` returns the
 * OBD-II poller, or null where there is none: it is asked when the trip
 * computer asks, so the poller may be made after the trip computer (main.ts
 * makes the source, and then the poller, with the odometer in hand). An
 * odometer read from a bus signal, alone or ahead of a PID, is waited for
 * CAR_ODOMETER_WAIT_MS: the bus may still send it.
 */
export function tripOptionsFor(profile: VehicleProfile, poller: () => PidRefusals | null): TripOptions {
	const root = profile.roots[Quantity.odometer];
	const options: TripOptions = { tankLiters: profile.tankLiters, carOdometer: root >= 0 };
	const node = root >= 0 ? profile.node(root) : null;
	if (node && node.kind === NodeKind.obd) {
		const pid = node.arg;
		options.carOdometerRefused = () => {
			const refusals = poller();
			return refusals !== null && refusals.refuses(pid);
		};
	}
	return options;
}
