/*
 * Joining the OBD-II poller to the rest: a poller configured from a compiled
 * vehicle profile, and a pump that decodes queued frames and hands OBD-II
 * responses to the poller on the way.
 *
 * Runs on XS and Node. `obdPollerFor` allocates (start-up); `pumpWithObd`
 * does not (bus or display clock).
 */
import { CanFrame } from "../can/frame.js";
import type { VehicleProfile } from "../cluster/profile.js";
import type { Pipeline } from "../signals/pipeline.js";
import { ObdPoller, ObdState, pollTiers, type Transmit } from "./poller.js";

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

const scratch = new CanFrame();

/**
 * `Pipeline.pump` with an OBD-II tap: decodes up to `max` queued frames and
 * gives each OBD-II response to `poller` (stamped with its arrival time).
 * Returns the frames taken. No allocation.
 */
export function pumpWithObd(pipeline: Pipeline, poller: ObdPoller | null, max = 0x7FFFFFFF): number {
	const ring = pipeline.ring, decoder = pipeline.decoder, frame = scratch;
	let count = 0;
	while (count < max && ring.pop(frame)) {
		if (poller && poller.state !== ObdState.disabled && poller.isResponse(frame))
			poller.receive(frame, frame.timestamp);
		else
			decoder.decode(frame);
		count++;
	}
	return count;
}
