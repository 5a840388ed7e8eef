/*
 * The simulator builds many cars (the demo car, `npm start -- --car` with
 * yours) on one Preference file. A pack is for the car it was installed on:
 * found in the simulator, a pack installed on the demo car also started when
 * the simulator was built for another car. The pack slots are now keyed as
 * the trip log is, by the name of the car the firmware was built for
 * (storage/car-domain, hosts/sim/pack-storage.ts). This test boots two
 * built-in cars, as main.ts wires them, on one store.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { PackInstaller, type BuiltInCar } from "../modules/pack/installer.js";
import { PackSlots } from "../modules/pack/slots.js";
import { VehicleProfile } from "../modules/cluster/profile.js";
import { TripComputer, TripMemory } from "../modules/cluster/trip.js";
import { PreferenceFlash } from "../modules/storage/preference-flash.js";
import { CAR_DOMAIN_PREFIX_MAX, carDomain } from "../modules/storage/car-domain.js";
import { FakePreferences } from "./fixtures/fake-preferences.js";
import { buildPack, builtInCar, compiled, newKey, type TestKey } from "./support/packs.js";

/** hosts/sim/pack-storage.ts's layout and prefix, hosts/sim/trip-storage.ts's prefix. */
const PACK_STORAGE = "xsc-pack", PACK_BLOCKS = 50, PACK_BLOCK_BYTES = 2048, TRIP_STORAGE = "xsc-trip";

let key: TestKey;
let demo: BuiltInCar;
let other: BuiltInCar;
let demoPack: Uint8Array;
let otherPack: Uint8Array;
beforeAll(() => {
	key = newKey();
	demo = builtInCar();
	const car = compiled(undefined, undefined, "my own car");
	other = { plan: car.plan.buffer as ArrayBuffer, vehicle: car.vehicle as ArrayBuffer };
	demoPack = buildPack(key, { version: "1.0.0" });
	otherPack = buildPack(key, { version: "3.1", name: "my own car, tuned" });
});

/** One start of a simulator built for `builtIn`, as main.ts wires it: packs and trip log under the firmware's car. */
function boot(prefs: FakePreferences, builtIn: BuiltInCar) {
	const builtInName = new VehicleProfile(builtIn.vehicle).name;
	const packs = new PackInstaller(new PackSlots(new PreferenceFlash(prefs, carDomain(PACK_STORAGE, builtInName), PACK_BLOCKS, PACK_BLOCK_BYTES)), key.signature);
	const car = packs.start(builtIn);
	const trip = new TripComputer({ tankLiters: car.profile.tankLiters });
	const memory = TripMemory.on(trip, new PreferenceFlash(prefs, carDomain(TRIP_STORAGE, builtInName)), { intervalMs: 1000 });
	memory.start();
	packs.started();
	return { packs, car, trip, memory };
}

describe("each built-in car has its own pack slots in the simulator", () => {
	test("a-pack-installed-on-one-car-does-not-start-on-another", () => {
		const prefs = new FakePreferences();
		let demoCar = boot(prefs, demo);
		expect(demoCar.packs.offer(demoPack).state).toBe("staging");
		demoCar.packs.finish();
		demoCar = boot(prefs, demo);
		expect(demoCar.car.info).toMatchObject({ name: "xs-cluster demo car", version: "1.0.0", slot: "A" });

		// The simulator built for another car, on the same Preference file: its own built-in car, no pack, nothing to roll back.
		let otherCar = boot(prefs, other);
		expect(otherCar.car.info).toEqual({ name: "my own car", version: "", slot: "built-in", trial: false });
		expect(otherCar.car.note).toBe("");
		expect(otherCar.car.builtInName).toBe("my own car");

		// Its own pack installs into its own slot A, and the demo car's stays.
		expect(otherCar.packs.offer(otherPack).state).toBe("staging");
		otherCar.packs.finish();
		otherCar = boot(prefs, other);
		expect(otherCar.car.info).toMatchObject({ name: "my own car, tuned", version: "3.1", slot: "A" });
		demoCar = boot(prefs, demo);
		expect(demoCar.car.info).toMatchObject({ name: "xs-cluster demo car", version: "1.0.0", slot: "A" });
		expect(demoCar.car.note).toBe("");

		// The demo car's 1.0.0 is not "older" than the other car's 3.1: the version rule sees only its own car.
		expect(boot(prefs, demo).packs.offer(demoPack).state).toBe("unchanged");

		// Two pack domains and nothing under the old shared one.
		const demoDomain = carDomain(PACK_STORAGE, "xs-cluster demo car"), otherDomain = carDomain(PACK_STORAGE, "my own car");
		expect(demoDomain).not.toBe(otherDomain);
		expect(prefs.keys(demoDomain).length).toBeGreaterThan(0);
		expect(prefs.keys(otherDomain).length).toBeGreaterThan(0);
		expect(prefs.keys(PACK_STORAGE)).toEqual([]);
	});

	test("a-rollback-on-one-car-leaves-the-other-car's-pack", () => {
		const prefs = new FakePreferences();
		const demoCar = boot(prefs, demo);
		demoCar.packs.offer(demoPack);
		demoCar.packs.finish();
		const otherCar = boot(prefs, other);
		otherCar.packs.offer(otherPack);
		otherCar.packs.finish();
		// The other car's new pack starts and never reaches its first display tick...
		new PackInstaller(new PackSlots(new PreferenceFlash(prefs, carDomain(PACK_STORAGE, "my own car"), PACK_BLOCKS, PACK_BLOCK_BYTES)), key.signature).start(other);
		// ...so it goes back to its built-in car; the demo car's pack, not yet started, is untouched and starts.
		const back = boot(prefs, other);
		expect(back.car.info.slot).toBe("built-in");
		expect(back.car.note).toMatch(/did not reach its first display tick/);
		expect(boot(prefs, demo).car.info).toMatchObject({ version: "1.0.0", slot: "A" });
	});

	test("car-domain-is-the-trip-log's-old-domain-and-fits-preference", () => {
		// The trip log's domains from before (hosts/sim/trip-storage.ts, e03dba1) are kept: odometers stay where they are.
		const old = (car: string) => {
			let hash = 0x811c9dc5;
			for (let i = 0; i < car.length; i++)
				hash = Math.imul(hash ^ car.charCodeAt(i), 0x01000193) >>> 0;
			return `xsc-trip-${(hash >>> 8).toString(16).padStart(6, "0")}`;
		};
		for (const name of ["xs-cluster demo car", "my own car", "", "Volkswagen MQB (Golf 7, Passat B8, Tiguan II, ...)", "Größe ✓"]) {
			expect(carDomain(TRIP_STORAGE, name)).toBe(old(name));
			expect(carDomain(PACK_STORAGE, name)).toMatch(/^xsc-pack-[0-9a-f]{6}$/);
			expect(carDomain(PACK_STORAGE, name).length).toBeLessThanOrEqual(15);
		}
		expect(() => carDomain("x".repeat(CAR_DOMAIN_PREFIX_MAX + 1), "car")).toThrow(RangeError);
	});
});
