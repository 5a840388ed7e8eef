/*
 * The simulator's CAN sources. With a `feed` config value (`npm start --
 * --feed [host:port]` passes `feed=host:port` to mcconfig) the cluster takes
 * a live SLCAN-over-TCP feed (`xs-cluster serve`, a Wi-Fi CAN adapter,
 * python-can) through FeedClient, reconnecting when it stops. Otherwise it is
 * the built-in demo drive (a
 * scripted lap of the demo car, encoded frame by frame through the demo car's
 * full plan, the `demo-car.plan` resource: the car's ECUs send every message
 * of its DBC, the cluster decodes the ones its profile uses). With the config
 * value `drive=profile` (`npm start -- --car car.vehicle` sets it in the
 * manifest it generates) the same lap is encoded through the car's own
 * compiled profile and plan instead (ProfileDrive), so any car's profile
 * drives.
 * Runs in the Moddable simulator; allocates when a source is opened, not when
 * it steps.
 */
import Resource from "Resource";
import config from "mc/config";
import TCP from "embedded:io/socket/tcp";
import { FeedClient, type FeedSocket } from "can/feed-client";
import type { FrameRing } from "can/ring";
import type { CanSource, CanSourceOptions } from "can/source";
import { Encoder } from "signals/encoder";
import { DecodePlan } from "signals/plan";
import { VehicleProfile } from "cluster/profile";
import { DemoDrive } from "host/demo-drive";
import { ProfileDrive } from "host/profile-drive";

/**
 * Frame slots the pipeline's ring needs here (the same name as the ESP32
 * host's): the demo drive brings a few frames per display tick, the
 * Pipeline's default is plenty.
 */
export const CAN_RING_CAPACITY = 256;

/** `xs-cluster serve`'s port. */
export const FEED_PORT = 29536;

export type { CanSource, CanSourceOptions } from "can/source";

/**
 * The feed named by the `feed` config value, else the demo drive, looping:
 * through the car's profile with `drive=profile`, else the demo car's. `plan`
 * is the cluster's (decoding) plan.
 */
export function openCanSource(ring: FrameRing, plan: DecodePlan, options: CanSourceOptions = {}): CanSource {
	const feed = config.feed;
	if (typeof feed === "string" && feed !== "" && feed !== "0" && feed !== "false")
		return openFeed(ring, feed);
	if (config.drive === "profile")
		return openProfileDrive(ring, plan, options);
	return openDemoDrive(ring, plan, options);
}

/**
 * A live feed at `where` ("host:port", "host", ":port", or "1"/"true" for
 * 127.0.0.1:29536). Frames are stamped on main.ts's clock: the offset to
 * `Date.now()` is taken at every step.
 */
export function openFeed(ring: FrameRing, where: string): CanSource {
	let host = "127.0.0.1", port = FEED_PORT;
	if (where !== "1" && where !== "true") {
		const colon = where.lastIndexOf(":");
		const name = colon < 0 ? where : where.slice(0, colon);
		if (name)
			host = name;
		if (colon >= 0 && Number(where.slice(colon + 1)) > 0)
			port = Number(where.slice(colon + 1));
	}
	let offset = Date.now();
	const client = new FeedClient(ring, {
		socket: options => new TCP(options as any) as unknown as FeedSocket,
		clock: () => Date.now() - offset,
		host, port,
	});
	client.start();
	return {
		description: `feed ${host}:${port}`,
		feed: client,
		step(now: number) {
			offset = Date.now() - now;
			client.step(now);
		},
	};
}

/** The demo drive, looping: what `npm start` shows. */
export function openDemoDrive(ring: FrameRing, _plan: DecodePlan, options: CanSourceOptions = {}): CanSource {
	const carPlan = new DecodePlan(new Resource("demo-car.plan") as unknown as ArrayBuffer);
	const odometerKm = options.odometerKm !== undefined && options.odometerKm > 0 ? options.odometerKm : undefined;
	const drive = new DemoDrive(carPlan, new Encoder(carPlan), ring, { odometerKm });
	return {
		description: "demo drive",
		step(now: number) {
			drive.step(now);
		},
	};
}

/**
 * The demo lap encoded through the car's compiled profile (the `car.vehicle`
 * resource, as main.ts loads it) into the cluster's own plan: the car the
 * user built with `npm start -- --car`.
 */
export function openProfileDrive(ring: FrameRing, plan: DecodePlan, options: CanSourceOptions = {}): CanSource {
	const profile = new VehicleProfile(new Resource("car.vehicle") as unknown as ArrayBuffer);
	const odometerKm = options.odometerKm !== undefined && options.odometerKm > 0 ? options.odometerKm : undefined;
	const drive = new ProfileDrive(profile, plan, new Encoder(plan), ring, { odometerKm });
	return {
		description: "demo drive (profile)",
		step(now: number) {
			drive.step(now);
		},
	};
}
