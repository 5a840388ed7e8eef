/*
 * The persistence, trip, alert and OBD-II code on the engine the device runs:
 * the modules compiled by tsc into ES modules (no Node types), linked by the
 * xsnap worker (XS built from source by `npm ci`), then driven by a small
 * script: hundreds of power cuts on FakeFlash (test/fixtures/fake-flash.ts,
 * compiled with them), a drive through the trip computer, and the cost of
 * the display-clock calls on XS's compute meter. Skipped, saying why, when
 * the worker is not built.
 */
import { join } from "node:path";
import { expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { Quantity } from "../modules/cluster/quantity.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { Decoder } from "../modules/signals/decoder.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { CanFrame } from "../modules/can/frame.js";
import { compileProfile } from "../tools/profile.js";
import { projectRoot } from "./support/xs-engine.js";
import { describeOnXs } from "./support/xs-suite.js";


/** The script XS runs: the checks, on FakeFlash where they need flash, all reported as numbers. */
const DRIVER = `
import { RecordLog } from "./modules/storage/record-log.js";
import { TripComputer, TripMemory } from "./modules/cluster/trip.js";
import { AlertMonitor, defaultAlertRules } from "./modules/cluster/alerts.js";
import { ObdPoller, pollTiers } from "./modules/obd/poller.js";
import { CanFrame } from "./modules/can/frame.js";
import { ProfileInputs, VehicleProfile } from "./modules/cluster/profile.js";
import { DecodePlan } from "./modules/signals/plan.js";
import { Decoder } from "./modules/signals/decoder.js";
import { FakeFlash, PowerCut, random } from "./test/fixtures/fake-flash.js";

const rand = random(2026);

function payload(value) {
	const bytes = new Uint8Array(40);
	new DataView(bytes.buffer).setFloat64(0, value, true);
	for (let i = 8; i < 40; i++)
		bytes[i] = (value * 31 + i * 7) & 0xFF;
	return bytes;
}

/** Devices losing power while saving: [cuts, records lost or corrupt, overwrites, reprograms, cuts in an erase, cuts in a write]. */
globalThis.powerCuts = function (devices) {
	let bad = 0, cuts = 0, overwrites = 0, reprograms = 0, inErase = 0, inWrite = 0;
	for (let d = 0; d < devices; d++) {
		const flash = new FakeFlash(8192, 4096, d + 1);
		let log = new RecordLog(flash, { magic: 0x54534554, payloadBytes: 40 });
		const into = new Uint8Array(40);
		log.load(into);
		let value = 0;
		for (let c = 0; c < 5; c++) {
			const before = Math.floor(rand() * 100);
			for (let i = 0; i < before; i++)
				log.save(payload(++value));
			const committed = value;
			flash.cutAfter(Math.floor(rand() * 3 * 4096));
			try {
				for (;;) {
					log.save(payload(value + 1));
					value++;
				}
			}
			catch (e) {
				if (!(e instanceof PowerCut))
					throw e;
			}
			flash.restore();
			cuts++;
			log = new RecordLog(flash, { magic: 0x54534554, payloadBytes: 40 });
			if (!log.load(into)) {
				if (value !== 0)
					bad++;
				value = 0;
				continue;
			}
			const got = new DataView(into.buffer).getFloat64(0, true);
			const expected = payload(got);
			let same = true;
			for (let i = 0; i < 40; i++)
				if (expected[i] !== into[i])
					same = false;
			if (!same || got < value || got > value + 1)
				bad++;
			value = got;
		}
		overwrites += flash.overwrites;
		reprograms += flash.reprograms;
		inErase += flash.cutsInErase;
		inWrite += flash.cutsInWrite;
	}
	return new Float64Array([cuts, bad, overwrites, reprograms, inErase, inWrite]).buffer;
};

globalThis.tripSurvivesRestart = function () {
	const flash = new FakeFlash(8192, 4096);
	const trip = new TripComputer();
	const memory = TripMemory.on(trip, flash);
	memory.start();
	for (let t = 0; t <= 120000; t += 50) {
		trip.update(t, 90, NaN, 5);
		memory.tick(t);
	}
	memory.flush(120000);
	const again = new TripComputer();
	TripMemory.on(again, flash).start();
	return new Float64Array([trip.odometer, again.odometer, again.tripA.fuel, memory.log.writes]).buffer;
};

globalThis.tripRefusesGlitches = function () {
	const flash = new FakeFlash(8192, 4096);
	const trip = new TripComputer();
	const memory = TripMemory.on(trip, flash);
	memory.start();
	// A new cluster: the car's odometer is taken once it has held steady; then glitches of speed and odometer.
	for (let t = 0; t <= 120000; t += 50) {
		const real = 48213.4 + Math.floor(t / 36000 * 10) / 10;
		const speed = t === 30000 ? Infinity : t === 31000 ? 655.35 : 100;
		const odometer = t >= 60000 && t < 60500 ? 16777215 : t >= 90000 && t < 90500 ? 1677721.5 : real;
		trip.update(t, speed, odometer);
		memory.tick(t);
	}
	memory.flush(120000);
	// An older firmware's record with an Infinity in it, then a restart.
	const record = new Uint8Array(TripComputer.RECORD_BYTES);
	new TripComputer().serialize(record);
	new DataView(record.buffer).setFloat64(8, Infinity, true);
	memory.log.save(record);
	const again = new TripComputer();
	const restarted = TripMemory.on(again, flash);
	restarted.start();
	return new Float64Array([trip.odometer, trip.refused, trip.unconfirmed, again.odometer, restarted.log.refused]).buffer;
};

/** A first start in a car that sends its odometer: [odometer and writes at 5 s, the same at 12 s, trip A km, odometer restored]. */
globalThis.firstStartUnknown = function () {
	const flash = new FakeFlash(8192, 4096);
	const trip = new TripComputer({ carOdometer: true });
	const memory = TripMemory.on(trip, flash, { intervalMs: 1000 });
	memory.start();
	const at = [];
	for (let t = 0; t <= 12000; t += 50) {
		trip.update(t, 100, 48213.4);
		memory.tick(t);
		if (t === 5000)
			at.push(trip.odometer, memory.log.writes);
	}
	at.push(trip.odometer, memory.log.writes, trip.tripA.distance);
	const again = new TripComputer({ carOdometer: true });
	TripMemory.on(again, flash).start();
	at.push(again.odometer);
	return new Float64Array(at).buffer;
};

/**
 * A first start in a car that never sends the odometer its profile maps: [odometer and writes at 29.95 s
 * awake, odometer at 30 s, first write's time, odometer and trip A km restored after a power cut at 60 s,
 * odometer at 0.5 s in a car the poller says lacks it, times asked once known].
 */
globalThis.firstStartSilent = function () {
	const flash = new FakeFlash(8192, 4096);
	const trip = new TripComputer({ carOdometer: true });
	const memory = TripMemory.on(trip, flash, { intervalMs: 1000 });
	memory.start();
	const at = [];
	let firstWrite = NaN;
	for (let t = 0; t <= 60000; t += 50) {
		trip.update(t, 100);
		if (memory.tick(t) && firstWrite !== firstWrite)
			firstWrite = t;
		if (t === 29950)
			at.push(trip.odometer, memory.log.writes);
		if (t === 30000)
			at.push(trip.odometer);
	}
	at.push(firstWrite);
	const again = new TripComputer({ carOdometer: true });
	TripMemory.on(again, flash).start();
	at.push(again.odometer, again.tripA.distance);
	let asked = 0;
	const refused = new TripComputer({ carOdometer: true, carOdometerRefused: () => ++asked > 5 });
	for (let t = 0; t <= 1000; t += 50) {
		refused.update(t, 36);
		if (t === 500)
			at.push(refused.odometer);
	}
	at.push(asked);
	return new Float64Array(at).buffer;
};

/* Display-clock costs: each function runs its call many times in one command. */
const trip = new TripComputer();
let clock = 0;
globalThis.tripUpdates = function (n) {
	for (let i = 0; i < n; i++)
		trip.update(clock += 20, 80 + (i & 7), NaN, 6, 40);
	return new Float64Array([trip.odometer]).buffer;
};
const values = new Float64Array(32).fill(20);
const reader = { read: (q, now) => values[q] };
const alerts = new AlertMonitor(reader, defaultAlertRules());
globalThis.alertUpdates = function (n) {
	for (let i = 0; i < n; i++)
		alerts.update(clock += 20);
	return new Float64Array([alerts.activeCount()]).buffer;
};
const sent = [];
const poller = new ObdPoller({ transmit: f => { sent.push(f.data[2]); return true; }, pids: pollTiers([0x0C, 0x0D, 0x05]), enabled: true });
const answer = new CanFrame();
answer.id = 0x7E8;
answer.dlc = 8;
globalThis.obdRound = function (n) {
	let responses = 0, requests = 0;
	for (let i = 0; i < n; i++) {
		clock += 60;
		const before = sent.length;
		poller.tick(clock);
		if (sent.length === before)
			continue;
		requests++;
		const pid = sent[sent.length - 1];
		answer.data.set(pid === 0 ? [6, 0x41, 0, 0x18, 0x18, 0, 0] : [4, 0x41, pid, 0x1A, 0xF8, 0, 0, 0]);
		if (poller.receive(answer, clock + 5))
			responses++;
	}
	return new Float64Array([responses, requests, poller.values.read(0x0C, clock + 5), poller.malformed]).buffer;
};

/* A compiled profile on XS: loaded from bytes, fed frames, read 24 quantities per display frame. */
globalThis.loadProfile = function (vehicleBytes, planBytes) {
	const plan = new DecodePlan(new Uint8Array(planBytes).buffer);
	const decoder = new Decoder(plan);
	globalThis.car = { plan, decoder, inputs: new ProfileInputs(new VehicleProfile(new Uint8Array(vehicleBytes).buffer), plan, decoder.store) };
	return new Float64Array([plan.messageCount]).buffer;
};
globalThis.feed = function (frames) {
	const frame = new CanFrame();
	for (const [id, bytes, time] of frames) {
		frame.id = id;
		frame.dlc = bytes.length;
		frame.data.fill(0);
		frame.data.set(bytes);
		frame.timestamp = time;
		car.decoder.decode(frame);
	}
	return new Float64Array([car.decoder.decoded]).buffer;
};
globalThis.readAll = function (n, now) {
	const out = new Float64Array(24);
	for (let i = 0; i < n; i++)
		for (let q = 0; q < 24; q++)
			out[q] = car.inputs.read(q, now);
	return out.buffer;
};
`;

const XS_FILES = ["modules/storage/record-log.ts", "modules/cluster/trip.ts", "modules/cluster/alerts.ts", "modules/obd/poller.ts", "modules/cluster/profile.ts", "modules/signals/decoder.ts", "test/fixtures/fake-flash.ts"];

describeOnXs("cluster logic", XS_FILES, DRIVER, ({ run }) => {
	test("power-cuts-on-xs-never-corrupt-or-lose-more-than-the-record-in-progress", async () => {
		// Fewer than on V8 (test/storage.test.ts runs 5,000): XS interprets, and this proves the same code behaves the same.
		const { values: [cuts, bad, overwrites, reprograms, inErase, inWrite] } = await run("powerCuts(60)");
		expect(cuts).toBe(300);
		expect(bad).toBe(0);
		expect(overwrites).toBe(0);
		expect(reprograms).toBe(0); // the log programs each byte once per erase, not even clearing bits again
		// Cuts struck both in an erase and in a write (175 and 125 with these seeds).
		expect(inErase).toBeGreaterThan(0);
		expect(inWrite).toBeGreaterThan(0);
	}, 60_000);

	test("trip-and-odometer-survive-a-restart-on-xs", async () => {
		const { values: [odometer, restored, fuel, writes] } = await run("tripSurvivesRestart()");
		expect(odometer).toBeCloseTo(3, 6); // two minutes at 90 km/h
		expect(restored).toBe(odometer);
		expect(fuel).toBeCloseTo(5 / 30, 6);
		expect(writes).toBeLessThanOrEqual(10); // 15 s apart, plus the flush
	});

	test("the-odometer-refuses-glitches-and-unreadable-records-on-xs", async () => {
		const { values: [odometer, refused, unconfirmed, restored, refusedRecords] } = await run("tripRefusesGlitches()");
		expect(odometer).toBeCloseTo(48213.4 + 3.3, 6); // the car's count after two minutes at 100 km/h
		expect(refused).toBe(2 + 10); // two speeds, ten ticks of 16,777,215 km
		expect(unconfirmed).toBeGreaterThanOrEqual(10 + 10 * 1000 / 50 - 1); // the glitch, and the new cluster's first 10 s
		expect(restored).toBe(odometer);
		expect(refusedRecords).toBe(1);
	});

	test("a-first-start-odometer-is-unknown-and-unsaved-until-the-cars-reading-is-followed-on-xs", async () => {
		const { values: [early, earlyWrites, later, laterWrites, tripKm, restored] } = await run("firstStartUnknown()");
		expect(early).toBeNaN(); // not 0: the car's reading has not held steady for 10 s yet
		expect(earlyWrites).toBe(0);
		expect(later).toBe(48213.4);
		expect(laterWrites).toBeGreaterThan(0);
		expect(tripKm).toBeCloseTo(100 * 12 / 3600, 6);
		expect(restored).toBe(48213.4);
	});

	test("a-car-that-never-sends-its-odometer-integrates-from-0-after-30-s-awake-or-at-once-when-refused-and-saves-on-xs", async () => {
		const { values: [waiting, waitingWrites, known, firstWrite, restored, restoredTrip, refused, asked] } = await run("firstStartSilent()");
		expect(waiting).toBeNaN();
		expect(waitingWrites).toBe(0);
		expect(known).toBeCloseTo(100 * 30 / 3600, 9); // from 0: the distance driven while waiting
		expect(firstWrite).toBe(30000);
		// A later save (the small flash stretches the interval), at most the 60 s driven.
		expect(restored).toBeGreaterThan(known);
		expect(restored).toBeLessThanOrEqual(100 * 60 / 3600 + 1e-9);
		expect(restoredTrip).toBe(restored);
		expect(refused).toBeCloseTo(36 * 0.5 / 3600, 9); // from 0 since the start: given up at the 6th update (250 ms), not asked after
		expect(asked).toBe(6);
	});

	test("display-clock-calls-stay-cheap-on-xs", async () => {
		// Warm up once, then read XS's deterministic compute meter over 1,000 calls.
		await run("tripUpdates(10)");
		await run("alertUpdates(10)");
		const trip = (await run("tripUpdates(1000)")).meter.compute / 1000;
		const alerts = (await run("alertUpdates(1000)")).meter.compute / 1000;
		const obd = await run("obdRound(1000)");
		const [responses, requests, rpm, malformed] = obd.values;
		expect(requests).toBeGreaterThan(500);
		expect(responses).toBe(requests);
		expect(rpm).toBe(1726);
		expect(malformed).toBe(0);
		console.log(`XS compute per call: TripComputer.update ${trip.toFixed(0)}, AlertMonitor.update (7 rules) ${alerts.toFixed(0)}, ObdPoller tick+receive ${(obd.meter.compute / requests).toFixed(0)}`);
		// Budgets with headroom: a 60 Hz display clock on an ESP32 affords a few thousand units per call.
		expect(trip).toBeLessThan(1500);
		expect(alerts).toBeLessThan(6000);
		expect(obd.meter.compute / requests).toBeLessThan(3000);
	});

	test("a-compiled-profile-reads-the-same-on-xs-as-on-v8", async () => {
		const demo = join(projectRoot, "hosts/sim/demo");
		const db = parseDbcOrThrow(readFileSync(join(demo, "demo-car.dbc"), "latin1"), "demo-car.dbc");
		const compiled = compileProfile(JSON.parse(readFileSync(join(demo, "demo-car.json"), "utf8")), "demo-car.json", db);
		const frames: Array<[number, number[], number]> = [];
		for (const line of readFileSync(join(demo, "demo-drive.log"), "utf8").split("\n").slice(0, 400)) {
			const match = /\s([0-9A-F]+)#((?:[0-9A-F]{2})+)\s*$/i.exec(line);
			if (match)
				frames.push([parseInt(match[1], 16), match[2].match(/../g)!.map(h => parseInt(h, 16)), 1000]);
		}
		const bytes = (buffer: ArrayBuffer) => JSON.stringify([...new Uint8Array(buffer)]);
		expect((await run(`loadProfile(${bytes(compiled.vehicle)}, ${bytes(compiled.plan.buffer)})`)).values[0]).toBe(compiled.plan.messageCount);
		await run(`feed(${JSON.stringify(frames)})`);
		// The same on V8.
		const plan = new DecodePlan(compiled.plan.buffer.slice(0));
		const decoder = new Decoder(plan);
		const inputs = new ProfileInputs(new VehicleProfile(compiled.vehicle.slice(0)), plan, decoder.store);
		const frame = new CanFrame();
		for (const [id, data, time] of frames) {
			frame.id = id;
			frame.dlc = data.length;
			frame.data.fill(0);
			frame.data.set(data);
			frame.timestamp = time;
			decoder.decode(frame);
		}
		const onXs = (await run("readAll(1, 1100)")).values;
		for (let q = 0; q < 24; q++)
			expect(Object.is(onXs[q], inputs.read(q, 1100)), `quantity ${q}: ${onXs[q]} on XS, ${inputs.read(q, 1100)} on V8`).toBe(true);
		expect([...onXs].filter(v => !Number.isNaN(v)).length).toBe(21); // every quantity the demo maps
		expect(onXs[Quantity.speed]).toBe(inputs.read(Quantity.speed, 1100));
		const cost = (await run("readAll(100, 1100)")).meter.compute / 100;
		console.log(`XS compute: ProfileInputs.read of all 24 quantities ${cost.toFixed(0)} per display frame`);
		expect(cost).toBeLessThan(6000);
	});
}, 120_000);
