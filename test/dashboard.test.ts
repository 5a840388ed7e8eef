/*
 * Dashboard: the one owner of the display tick (modules/dashboard/dashboard.ts),
 * composed as main.ts composes it, with the demo drive as the source, a
 * fake view and a fake clock.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { CanSource } from "../modules/can/source.js";
import { AlertMonitor, checkEngineAlertRule, defaultAlertRules } from "../modules/cluster/alerts.js";
import { Change, ClusterModel } from "../modules/cluster/cluster.js";
import { staleSignalNames } from "../modules/cluster/diagnostics.js";
import { CarSettings } from "../modules/cluster/car-settings.js";
import { Chime, ToneBank } from "../modules/cluster/chime.js";
import { DriverBook } from "../modules/cluster/drivers.js";
import { Speech } from "../modules/cluster/speech.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { Button, ScreenChange, Touch } from "../modules/cluster/screen.js";
import { CAR_ODOMETER_WAIT_MS, STABLE_MS, TripComputer, TripMemory } from "../modules/cluster/trip.js";
import { tripOptionsFor } from "../modules/cluster/trip-options.js";
import { IMPERIAL } from "../modules/cluster/units.js";
import { Dashboard, type DashboardOptions, HEALTH_INTERVAL_MS } from "../modules/dashboard/dashboard.js";
import { Encoder } from "../modules/signals/encoder.js";
import { Pipeline } from "../modules/signals/pipeline.js";
import { parseDbcOrThrow } from "../modules/dbc/parser.js";
import { compileProfile } from "../tools/profile.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { DemoDrive } from "../hosts/sim/demo-drive.js";
import { FakeClock } from "./fixtures/clock.js";
import { FakeFlash } from "./fixtures/fake-flash.js";
import { FakePreferences } from "./fixtures/fake-preferences.js";
import { repoRoot } from "./shared-data.js";

const FRAME_MS = 33;
const demoDir = join(repoRoot, "hosts/sim/demo");
const read = (name: string) => {
	const bytes = readFileSync(join(demoDir, name));
	return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
};
const carPlan = new DecodePlan(read("demo-car.plan"));
const plan = new DecodePlan(read("car.plan"));
const profile = new VehicleProfile(read("car.vehicle"));

/**
 * The demo car with its odometer read from OBD-II PID 0xA6: the demo drive has no poller (a car that
 * never sends the odometer its profile maps), its ODOMETER frames are not in this plan.
 */
function silentOdometerCar() {
	const json = JSON.parse(readFileSync(join(demoDir, "demo-car.json"), "utf8"));
	json.quantities.odometer = { obd: "0xA6" };
	const db = parseDbcOrThrow(readFileSync(join(demoDir, "demo-car.dbc"), "latin1"), "demo-car.dbc");
	const compiled = compileProfile(json, "demo-car.json", db);
	return { plan: new DecodePlan(compiled.plan.buffer), profile: new VehicleProfile(compiled.vehicle) };
}

/** main.ts's composition with a fake clock, a fake view that logs its draws, and `order` naming each step as it runs. */
function cluster(options: Partial<DashboardOptions> = {}, bitRate?: number, car = { plan, profile }) {
	const { plan, profile } = car;
	const clock = new FakeClock(0);
	const order: string[] = [];
	const pipeline = new Pipeline(plan);
	const drive = new DemoDrive(carPlan, new Encoder(carPlan), pipeline.ring);
	const source: CanSource = {
		description: "demo drive",
		bitRate,
		step(now) {
			order.push("source");
			drive.step(now);
		},
	};
	const pump = pipeline.pump.bind(pipeline);
	pipeline.pump = (max?: number) => {
		order.push("pump");
		return pump(max);
	};
	const inputs = new ProfileInputs(profile, plan, pipeline.store);
	// As main.ts wires it; the demo drive cannot transmit, so there is no OBD-II poller.
	const trip = new TripComputer(tripOptionsFor(profile, () => null));
	const flash = new FakeFlash();
	const memory = TripMemory.on(trip, flash, { intervalMs: 15000 });
	memory.start();
	const alerts = new AlertMonitor(inputs, [...defaultAlertRules(), checkEngineAlertRule()]);
	const model = new ClusterModel(inputs, { gears: profile.gears(), trip, alerts });
	const update = model.update.bind(model);
	model.update = (now: number) => {
		order.push("model");
		return update(now);
	};
	const prefs = new FakePreferences();
	const drivers = new DriverBook(prefs, "Ana");
	const lines: string[] = [];
	const draws: Array<[number, number]> = [];
	const dashboard = new Dashboard({
		clock: clock.now, source, pipeline, plan, profile, model, drivers, memory,
		log: line => lines.push(line),
		// XS restarts its pixel count every second: 1234 a second, drawn evenly.
		meters: { pixelsDrawn: () => Math.floor((clock.now() % 1000) * 1.234), slotHeap: () => undefined, chunkHeap: () => undefined },
		...options,
	});
	dashboard.attach({
		draw(changed, screenChanged) {
			order.push("draw");
			draws.push([changed, screenChanged]);
			return true;
		},
	});
	const tick = () => {
		clock.advance(FRAME_MS);
		order.length = 0;
		dashboard.tick();
	};
	return { clock, dashboard, model, drivers, prefs, memory, flash, trip, pipeline, lines, draws, order, tick };
}

describe("dashboard", () => {
	test("one-tick-runs-in-the-designs-order: source, pump, model, draw, then leftover work with the time left", () => {
		const left: number[] = [];
		const c = cluster({ budgetMs: 20 });
		c.dashboard.services.push({ service(_now, leftMs) {
			c.order.push("service");
			left.push(leftMs);
		} });
		c.tick();
		expect(c.order).toEqual(["source", "pump", "model", "draw", "service"]);
		// The fake clock stands still within a tick: the whole budget is left.
		expect(left).toEqual([20]);
	});

	test("the-first-tick-draws-everything, an-unchanged-screen-draws-nothing", () => {
		const c = cluster();
		c.tick();
		expect(c.draws).toEqual([[Change.all, ScreenChange.all]]);
		expect(c.dashboard.drawn).toBe(1);
		// Before the drive's first frames reach the model nothing moves: no draw, yet a tick.
		c.draws.length = 0;
		c.dashboard.tick();
		expect(c.dashboard.ticks).toBe(2);
		expect(c.draws.every(([changed, screen]) => changed !== 0 || screen !== 0)).toBe(true);
	});

	test("a-lap-draws-fewer-frames-than-ticks and-logs-health-every-5-s", () => {
		const c = cluster();
		for (let t = 0; t < 60000; t += FRAME_MS)
			c.tick();
		const d = c.dashboard;
		expect(d.drawn).toBeGreaterThan(100);
		expect(d.drawn).toBeLessThan(d.ticks);
		expect(c.lines.length).toBe(Math.floor(60000 / HEALTH_INTERVAL_MS) - (60000 % HEALTH_INTERVAL_MS < FRAME_MS ? 1 : 0));
		expect(c.lines[0]).toMatch(/^health: frames \d+ received, .*; ui \d+ frames drawn of \d+ ticks, \d+ pixels\/s, page cluster; .*driver Ana km\/h; alert \S+; source demo drive; heap slot \? chunk \?\n$/);
		// Whole seconds' counts of 1234 pixels, each read at most one tick before the count restarted, in every health line.
		for (const line of c.lines) {
			const pixels = Number(/, (\d+) pixels\/s/.exec(line)![1]);
			expect(pixels).toBeGreaterThanOrEqual(Math.floor(1234 * (1000 - FRAME_MS) / 1000));
			expect(pixels).toBeLessThanOrEqual(1234);
		}
		expect(c.lines.every(line => line.length < 400)).toBe(true);
	});

	test("bus-load-is-a-share-of-the-sources-bit-rate", () => {
		const slow = cluster({}, 125000), fast = cluster({}, 1000000);
		for (let t = 0; t < 3000; t += FRAME_MS) {
			slow.tick();
			fast.tick();
		}
		expect(slow.dashboard.diagnostics.bitRate).toBe(125000);
		expect(slow.dashboard.diagnostics.busLoad).toBeGreaterThan(0);
		expect(slow.dashboard.diagnostics.busLoad).toBeCloseTo(fast.dashboard.diagnostics.busLoad * 8, -1);
		expect(cluster().dashboard.diagnostics.bitRate).toBe(500000);
	});

	test("buttons: b-switches-units-and-keeps-them-as-the-drivers, a-goes-to-the-next-page-and-keeps-it", () => {
		const c = cluster();
		c.tick();
		c.dashboard.press(Button.b, 1);
		c.dashboard.press(Button.b, 0, 80);
		expect(c.model.units).toBe(IMPERIAL);
		expect(c.drivers.current.units).toBe("imperial");
		c.dashboard.press(Button.a, 1);
		c.dashboard.press(Button.a, 0, 80);
		expect(c.dashboard.screen.page).toBe("trip");
		expect(c.drivers.current.page).toBe("trip");
		c.draws.length = 0;
		c.tick();
		expect(c.draws[0][1] & (ScreenChange.page | ScreenChange.labels | ScreenChange.trips)).toBe(ScreenChange.page | ScreenChange.labels | ScreenChange.trips);
		expect(c.dashboard.screen.trips.cells[0][0]).toMatch(/ mi$/);
	});

	test("driver-menu: held-b-lists-the-drivers, a-new-driver-is-added-and-made-current", () => {
		const c = cluster();
		c.tick();
		c.dashboard.press(Button.b, 1);
		c.dashboard.press(Button.b, 0, 1500);
		expect(c.dashboard.screen.menu.rows).toEqual(["Ana", "+ New driver"]);
		c.dashboard.touch(Touch.menuRow, 1);
		// The lowest "Driver N" no driver has.
		expect(c.drivers.drivers.map(d => d.name)).toEqual(["Ana", "Driver 1"]);
		expect(c.drivers.current.name).toBe("Driver 1");
		expect(c.dashboard.screen.driverName).toBe("Driver 1");
		expect(c.dashboard.screen.menu.isOpen).toBe(false);
	});

	test("trip-reset-held-a-zeroes-trip-a-and-saves-at-once", () => {
		const c = cluster();
		for (let t = 0; t < 30000; t += FRAME_MS)
			c.tick();
		expect(c.model.trip.tripA.distance).toBeGreaterThan(0.1);
		const writes = c.memory.log.writes;
		c.dashboard.press(Button.a, 1);
		c.dashboard.press(Button.a, 0, 1000);
		expect(c.model.trip.tripA.distance).toBe(0);
		expect(c.memory.log.writes).toBe(writes + 1);
	});

	test("odometer-as-the-app-runs-it: unknown on-a-first-start until-the-demo-car's-own-is-followed, in-the-start-and-health-lines-too", () => {
		const c = cluster();
		expect(c.dashboard.startLine(false)).toMatch(/; odometer unknown, trip A 0\.00 km \(new\)\n$/);
		const until = (ms: number) => {
			while (c.clock.now() < ms)
				c.tick();
		};
		until(5000);
		expect(c.model.odometer).toBe(-1); // '--'
		expect(c.lines[0]).toMatch(/; odo unknown trip \d+\.\d\d km saves 0;/);
		until(STABLE_MS + 2000); // the car's reading held steady for STABLE_MS: followed
		expect(c.trip.followingCar).toBe(true);
		expect(c.model.odometer).toBe(Math.floor(c.trip.odometer));
		expect(c.trip.odometer).toBeGreaterThan(48213);
		until(CAR_ODOMETER_WAIT_MS + 5000);
		expect(c.trip.odometer).toBeGreaterThan(48213); // the car's, not the distance since the start
		expect(c.lines.at(-1)).toMatch(/; odo 482\d\d\.\d\d km trip /);
		expect(c.dashboard.startLine(true)).toMatch(/; odometer 482\d\d\.\d km, trip A \d\.\d\d km \(restored\)\n$/);
	});

	test("odometer-as-the-app-runs-it: a-car-that-never-sends-its-own is-unknown-for-30-s-awake, then-a-km-figure-shown-logged-and-saved", () => {
		const c = cluster({}, undefined, silentOdometerCar());
		const until = (ms: number) => {
			while (c.clock.now() < ms)
				c.tick();
		};
		until(CAR_ODOMETER_WAIT_MS - 1000);
		expect(c.model.odometer).toBe(-1);
		expect(c.trip.odometer).toBeNaN();
		expect(c.trip.tripA.distance).toBeGreaterThan(0.1);
		expect(c.memory.log.writes).toBe(0);
		expect(c.lines.at(-1)).toMatch(/; odo unknown trip /);
		until(CAR_ODOMETER_WAIT_MS + 2000);
		// From 0 on the first start, the distance driven meanwhile in it, as in a car without an odometer.
		expect(c.trip.odometerKnown).toBe(true);
		expect(c.trip.odometer).toBeCloseTo(c.trip.tripA.distance, 9);
		expect(c.model.odometer).toBe(Math.floor(c.trip.odometer));
		expect(c.memory.log.writes).toBeGreaterThan(0); // pending since the first metre: saved at once
		until(60000);
		expect(c.lines.at(-1)).toMatch(/; odo \d+\.\d\d km trip /);
		// The power goes: the odometer and the trips come back from flash.
		const again = new TripComputer({ carOdometer: true });
		expect(TripMemory.on(again, c.flash, { intervalMs: 15000 }).start()).toBe(true);
		expect(again.odometer).toBeGreaterThan(0.1);
		expect(again.tripA.distance).toBeGreaterThan(0.1);
	});

	test("diagnostics-page: its-lines-are-filled-once-a-second, the-chime-button-says-there-is-none", () => {
		const c = cluster();
		c.dashboard.touch(Touch.page);
		c.dashboard.touch(Touch.page);
		expect(c.dashboard.screen.page).toBe("diagnostics");
		expect(c.dashboard.screen.chime).toBeNull();
		c.tick(); // the first tick draws everything
		c.draws.length = 0;
		for (let t = 0; t < 2100; t += FRAME_MS)
			c.tick();
		const refreshed = c.draws.filter(([, screen]) => screen & ScreenChange.diagnostics).length;
		expect(refreshed).toBe(2);
		expect(c.dashboard.diagnostics.sourceStatus).toBe("demo drive");
		expect(c.dashboard.diagnostics.staleNames).toMatch(/none|\w+/);
	});

	test("diagnostics-page: the-car-and-the-mqtt-link, built-in-and-off-without-packs-or-telemetry", () => {
		const bare = cluster();
		bare.dashboard.touch(Touch.page);
		bare.dashboard.touch(Touch.page);
		for (let t = 0; t < 1100; t += FRAME_MS)
			bare.tick();
		expect(bare.dashboard.diagnostics.pack).toBe(`${profile.name} (built-in)`);
		expect(bare.dashboard.diagnostics.packLast).toBe("");
		expect(bare.dashboard.diagnostics.mqtt).toBe("off");
		expect(bare.dashboard.diagnostics.mqttLast).toBe("");
		const c = cluster({ packs: { carLine: "VW MQB 2026.12 (slot A)", lastOfferRow: "refused: pack: truncated, 3000 of 4568 bytes" }, telemetry: { counts: () => "online, 2 queued, 0 dropped, 0 reconnects", last: () => "connected to mqtt://127.0.0.1:1883" } });
		c.dashboard.touch(Touch.page);
		c.dashboard.touch(Touch.page);
		for (let t = 0; t < 5100; t += FRAME_MS)
			c.tick();
		const d = c.dashboard.diagnostics;
		expect([d.pack, d.packLast, d.mqtt, d.mqttLast]).toEqual(["VW MQB 2026.12 (slot A)", "refused: pack: truncated, 3000 of 4568 bytes", "online, 2 queued, 0 dropped, 0 reconnects", "connected to mqtt://127.0.0.1:1883"]);
		// The health line carries the link's counts, only when there is telemetry.
		expect(c.lines[0]).toMatch(/; mqtt online, 2 queued, 0 dropped, 0 reconnects\n$/);
		expect(bare.lines.every(line => !line.includes("mqtt"))).toBe(true);
	});

	test("sound-button: chime-and-voice, chime-only, silent, and-round-again; kept-as-the-driver's", () => {
		const bank = new ToneBank(8000);
		const chime = new Chime(bank, { start() {}, stop() {} });
		const speech = new Speech({ languages: ["en"], lengths: [[1000]] }, { say() {}, stop() {} }, chime);
		const c = cluster({ chime, speech });
		expect([c.dashboard.screen.chime, c.dashboard.screen.speech]).toEqual([true, true]);
		const states: Array<[boolean, boolean, boolean, boolean]> = [];
		for (let i = 0; i < 3; i++) {
			c.dashboard.screen.showPage("diagnostics");
			c.dashboard.touch(Touch.pageButton, 2);
			states.push([c.drivers.current.chime, c.drivers.current.speech, chime.muted, speech.enabled]);
		}
		expect(states).toEqual([[true, false, false, false], [false, false, true, false], [true, true, false, true]]);
		// A board without a touch screen: a hold of C on the diagnostics page is the sound button.
		c.dashboard.press(Button.c, 1);
		c.dashboard.press(Button.c, 0, 1000);
		expect([c.drivers.current.chime, c.drivers.current.speech]).toEqual([true, false]);
		expect(c.dashboard.screen.take() & ScreenChange.labels).toBeTruthy();
		// A driver stored before speech existed with the chime muted is not spoken to either.
		const prefs = new FakePreferences();
		prefs.set("xsc-drivers", "d0", JSON.stringify({ name: "Old", units: "metric", theme: "auto", page: "main", brightness: 80, chime: false, thresholds: {}, key: -1 }));
		expect(new DriverBook(prefs).current.speech).toBe(false);
		// A board with a chime and no speech: the button turns the chime on and off, and says there is no voice.
		const plain = cluster({ chime: new Chime(bank, { start() {}, stop() {} }) });
		expect(plain.dashboard.screen.speech).toBeNull();
		plain.dashboard.screen.showPage("diagnostics");
		plain.dashboard.touch(Touch.pageButton, 2);
		expect([plain.drivers.current.chime, plain.drivers.current.speech]).toEqual([false, true]);
	});

	test("language-row: the-driver-menu-goes-through-the-build's-languages, speech-follows-the-driver, and-switching-drivers-switches-it", () => {
		const speech = new Speech({ languages: ["en", "de"], lengths: [[1000], [1200]] }, { say() {}, stop() {} });
		const c = cluster({ speech });
		c.drivers.add("Ben");
		const menu = c.dashboard.screen.menu;
		// Held B opens the menu: Ana, Ben, a new driver, then Ana's language.
		c.dashboard.press(Button.b, 1);
		c.dashboard.press(Button.b, 0, 1000);
		expect(menu.rows).toEqual(["Ana", "Ben", "+ New driver", "Language (Ana): English"]);
		// Touching the row goes to German, kept as hers; the menu stays open on the row.
		c.dashboard.touch(Touch.menuRow, 3);
		expect([c.drivers.current.language, speech.languages[speech.language], menu.isOpen, menu.rows[3]]).toEqual(["de", "de", true, "Language (Ana): Deutsch"]);
		expect(c.dashboard.screen.take() & ScreenChange.menu).toBeTruthy();
		// Round again, by the buttons: B goes down the four rows and round to it, A chooses it.
		expect(menu.selected).toBe(3);
		for (let i = 0; i < 4; i++) {
			c.dashboard.press(Button.b, 1);
			c.dashboard.press(Button.b, 0, 10);
		}
		c.dashboard.press(Button.a, 1);
		c.dashboard.press(Button.a, 0, 10);
		expect([c.drivers.current.language, menu.isOpen]).toEqual(["en", true]);
		c.dashboard.touch(Touch.menuRow, 3);
		// Ben speaks English (new drivers speak the build's first); choosing him switches speech, and back.
		c.dashboard.touch(Touch.menuRow, 1);
		expect([c.drivers.current.name, speech.languages[speech.language], menu.isOpen]).toEqual(["Ben", "en", false]);
		c.drivers.select(0);
		expect(speech.languages[speech.language]).toBe("de");
		// A driver whose language the build lacks hears its first; the row says so.
		c.drivers.update({ language: "fr" });
		expect(speech.languages[speech.language]).toBe("en");
		c.dashboard.press(Button.b, 1);
		c.dashboard.press(Button.b, 0, 1000);
		expect(menu.rows.at(-1)).toBe("Language (Ana): Francais (n/a)");
		// Without speech there is no language row.
		const quiet = cluster();
		quiet.dashboard.press(Button.b, 1);
		quiet.dashboard.press(Button.b, 0, 1000);
		expect(quiet.dashboard.screen.menu.rows).toEqual(["Ana", "+ New driver"]);
	});

	test("speech-on-the-demo-drive: the-check-engine-alert is-said-once, after-its-chime, and-cut-when-acknowledged", () => {
		const events: Array<[number, string]> = [];
		let now = () => 0;
		const bank = new ToneBank(8000);
		const chime = new Chime(bank, { start: tone => events.push([now(), `tone ${bank.tones[tone].name}`]), stop: () => events.push([now(), "chime stop"]) });
		const rules = [...defaultAlertRules(), checkEngineAlertRule()];
		const speech = new Speech({ languages: ["en"], lengths: [rules.map(rule => rule.id === "check-engine" ? 2500 : NaN)] }, {
			say: rule => events.push([now(), `say ${rules[rule].id}`]),
			stop: () => events.push([now(), "speech stop"]),
		}, chime);
		const c = cluster({ chime, speech });
		now = c.clock.now;
		while (!events.some(([, e]) => e === "say check-engine") && c.clock.now() < 100000)
			c.tick();
		const said = events.find(([, e]) => e === "say check-engine")![0];
		const tones = events.filter(([, e]) => e.startsWith("tone"));
		// The demo drive's fault (75-95 s) raises it; a warning's two tones come first, then the phrase.
		expect(said).toBeGreaterThan(75000);
		expect(tones.map(([, e]) => e)).toEqual(["tone high", "tone low"]);
		expect(said).toBeGreaterThanOrEqual(tones[1][0] + 250);
		// Acknowledged while it is said: the phrase stops at once, and is not said again.
		for (let t = 0; t < 500; t += FRAME_MS)
			c.tick();
		c.dashboard.touch(Touch.popup);
		c.tick();
		expect(events.at(-1)).toEqual([c.clock.now(), "speech stop"]);
		for (let t = 0; t < 10000; t += FRAME_MS)
			c.tick();
		expect(events.filter(([, e]) => e.startsWith("say"))).toHaveLength(1);
	});

	test("mqtt-switch: off-by-default, turns-the-link-on-and-off, kept-in-the-car's-settings", () => {
		const prefs = new FakePreferences();
		const link = { enabled: true, counts: () => link.enabled ? "online, 0 queued, 0 dropped" : "off, 0 queued", last: () => "" };
		const car = new CarSettings(prefs);
		const c = cluster({ telemetry: link, car });
		// Never on by default: the dashboard switches the link off at start.
		expect([link.enabled, c.dashboard.screen.telemetry]).toEqual([false, false]);
		c.dashboard.screen.showPage("diagnostics");
		c.dashboard.touch(Touch.pageButton, 3);
		expect([link.enabled, car.telemetry, c.dashboard.screen.telemetry]).toEqual([true, true, true]);
		// The page's MQTT row says so at once.
		expect(c.dashboard.diagnostics.mqtt).toBe("online, 0 queued, 0 dropped");
		expect(new CarSettings(prefs).telemetry).toBe(true);
		c.dashboard.touch(Touch.pageButton, 3);
		expect([link.enabled, new CarSettings(prefs).telemetry, c.dashboard.diagnostics.mqtt]).toEqual([false, false, "off, 0 queued"]);
		// Another driver does not change it: it is the car's.
		c.dashboard.touch(Touch.pageButton, 3);
		c.drivers.select(c.drivers.add("Ben"));
		expect(link.enabled).toBe(true);
		// A board without a touch screen: a hold of A on the diagnostics page is the switch.
		c.dashboard.screen.showPage("diagnostics");
		const was = link.enabled;
		c.dashboard.press(Button.a, 1);
		c.dashboard.press(Button.a, 0, 1000);
		expect([link.enabled, car.telemetry]).toEqual([!was, !was]);
		// Without a broker the switch is not there, and pressing where it would be does nothing.
		const bare = cluster({ car: new CarSettings(new FakePreferences()) });
		expect(bare.dashboard.screen.telemetry).toBeNull();
		bare.dashboard.screen.showPage("diagnostics");
		bare.dashboard.touch(Touch.pageButton, 3);
		expect(bare.dashboard.screen.telemetry).toBeNull();
	});

	test("stale-signal-names: two by name, then how many more", () => {
		const store = { isFresh: () => false };
		const line = staleSignalNames(profile, plan, store, 0);
		expect(line).toMatch(/^\w+, \w+ \+\d+$/);
		expect(staleSignalNames(profile, plan, { isFresh: () => true }, 0)).toBe("none");
	});
});
