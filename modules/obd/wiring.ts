/*
 * Joining the OBD-II poller to the rest: a poller configured from a compiled
 * vehicle profile. Set it as the pipeline's tap (`pipeline.tap = poller`) and
 * `Pipeline.pump` hands it the OBD-II responses.
 *
 * Runs on XS and Node; allocates (start-up).
 */
import type { VehicleProfile } from "../cluster/profile.js";
import type { Pipeline } from "../signals/pipeline.js";
import { ObdPoller, pollTiers, type Transmit } from "./poller.js";

/**
 * A poller for the PIDs `profile` reads, enabled only when the profile allows
 * transmitting, skipping PIDs whose quantity is fresh on the bus (`pipeline`'s
 * store). Returns null when the profile reads no PID.
 */
export function obdPollerFor(profile: VehicleProfile, transmit: Transmit, pipeline: Pipeline | null): ObdPoller | null {
	const pids = profile.obdPids();
	if (!pids.length)
		return null;
	const store = pipeline ? pipeline.store : null;
	return new ObdPoller({
		transmit,
		pids: pollTiers(pids),
		enabled: profile.transmitObd,
		extended: profile.obdExtended,
		maxRequestsPerSecond: profile.obdRate || undefined,
		covered: store ? (pid, now) => profile.coveredByBus(pid, store, now) : undefined,
	});
}
