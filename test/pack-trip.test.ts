/*
 * A vehicle pack is a software update for the car the cluster sits in: the
 * odometer and the trips stay across its install and the restart onto it,
 * even when the pack's profile has another name (found in the simulator: a
 * renamed pack started a new trip log at 0 km). main.ts keeps the trip log
 * under StartedCar.builtInName; this test boots the same way, with the
 * simulator's keying (a Preference domain per car name) on one store.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { PackInstaller, type StartedCar } from "../modules/pack/installer.js";
import { LOG_BLOCKS, PackSlots } from "../modules/pack/slots.js";
import { TripComputer, TripMemory } from "../modules/cluster/trip.js";
import { PreferenceFlash } from "../modules/storage/preference-flash.js";
import { FakeFlash } from "./fixtures/fake-flash.js";
import { FakePreferences } from "./fixtures/fake-preferences.js";
import { buildPack, builtInCar, newKey, type TestKey } from "./support/packs.js";

let key: TestKey;
let renamed: Uint8Array;
beforeAll(() => {
	key = newKey();
	renamed = buildPack(key, { version: "2.0.0", name: "demo car, second edition" });
});

/** hosts/sim/trip-storage.ts's domain for a car name: "xsc-trip-" and six hex digits of FNV-1a. */
function tripDomain(car: string): string {
	let hash = 0x811c9dc5;
	for (let i = 0; i < car.length; i++)
		hash = Math.imul(hash ^ car.charCodeAt(i), 0x01000193) >>> 0;
	return `xsc-trip-${(hash >>> 8).toString(16).padStart(6, "0")}`;
}

/** One start of the firmware, as main.ts wires it: the car from the packs, the trip log under the firmware's car. */
function boot(packFlash: FakeFlash, prefs: FakePreferences) {
	const packs = new PackInstaller(new PackSlots(packFlash), key.signature);
	const car: StartedCar = packs.start(builtInCar());
	const trip = new TripComputer({ tankLiters: car.profile.tankLiters });
	const memory = TripMemory.on(trip, new PreferenceFlash(prefs, tripDomain(car.builtInName)), { intervalMs: 1000 });
	const restored = memory.start();
	packs.started();
	return { packs, car, trip, memory, restored };
}

/** Drives `minutes` at `kmh`, saving as the tick does, then flushes as a stop does. */
function drive(cluster: ReturnType<typeof boot>, from: number, minutes: number, kmh: number): number {
	let now = from;
	for (let i = 0; i <= minutes * 60; i++, now += 1000) {
		cluster.trip.update(now, kmh);
		cluster.memory.tick(now);
	}
	cluster.memory.flush(now);
	return now;
}

describe("a pack keeps the car's odometer and trips", () => {
	test("install-a-renamed-pack-and-restart-onto-it", () => {
		const packFlash = new FakeFlash((LOG_BLOCKS + 2 * 4) * 4096, 4096, 1);
		const prefs = new FakePreferences();

		let cluster = boot(packFlash, prefs);
		expect(cluster.car.info.slot).toBe("built-in");
		let now = drive(cluster, 0, 10, 60); // 10 km
		const odometer = cluster.trip.odometer, tripA = cluster.trip.tripA.distance;
		expect(odometer).toBeCloseTo(10, 1);

		// The pack arrives (MQTT, or pack send) and is written; then the ignition goes off.
		expect(cluster.packs.offer(renamed).state).toBe("staging");
		cluster.packs.finish();

		cluster = boot(packFlash, prefs);
		expect(cluster.car.info).toMatchObject({ name: "demo car, second edition", version: "2.0.0", slot: "A" });
		expect(cluster.car.profile.name).not.toBe(cluster.car.builtInName);
		expect(cluster.car.builtInName).toBe("xs-cluster demo car");
		expect(cluster.restored).toBe(true);
		expect(cluster.trip.odometer).toBe(odometer);
		expect(cluster.trip.tripA.distance).toBe(tripA);

		// It goes on counting from there, and a further restart still has it.
		now = drive(cluster, now + 60000, 5, 60);
		const after = cluster.trip.odometer;
		expect(after).toBeCloseTo(odometer + 5, 1);
		cluster = boot(packFlash, prefs);
		expect(cluster.car.info.slot).toBe("A");
		expect(cluster.trip.odometer).toBe(after);
		// One trip log on the store: none started under the pack's name.
		expect(prefs.keys(tripDomain("demo car, second edition"))).toEqual([]);
	});

	test("a-rollback-to-the-built-in-car-keeps-them-too", () => {
		const packFlash = new FakeFlash((LOG_BLOCKS + 2 * 4) * 4096, 4096, 2);
		const prefs = new FakePreferences();
		let cluster = boot(packFlash, prefs);
		drive(cluster, 0, 6, 60);
		const odometer = cluster.trip.odometer;
		cluster.packs.offer(renamed);
		cluster.packs.finish();
		// A start of the new pack that never reaches its first display tick...
		new PackInstaller(new PackSlots(packFlash), key.signature).start(builtInCar());
		// ...so the next start goes back to the built-in car, with the same odometer.
		cluster = boot(packFlash, prefs);
		expect(cluster.car.info.slot).toBe("built-in");
		expect(cluster.car.note).toMatch(/did not reach its first display tick/);
		expect(cluster.trip.odometer).toBe(odometer);
	});
});
