/*
 * The dashboard and the screen model on XS (xsnap): the same composition as
 * test/dashboard.test.ts, run for a minute of the demo drive with presses
 * and touches, gives the same ticks, draws, pages and settings on XS as on
 * V8. Compiled as the device compiles them (ES2022 modules, no Node types).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, test } from "vitest";
import { AlertMonitor, checkEngineAlertRule, defaultAlertRules } from "../modules/cluster/alerts.js";
import { ClusterModel } from "../modules/cluster/cluster.js";
import { DriverBook } from "../modules/cluster/drivers.js";
import { ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { Action, Button, ScreenModel, Touch } from "../modules/cluster/screen.js";
import { TripComputer, TripMemory } from "../modules/cluster/trip.js";
import { tripOptionsFor } from "../modules/cluster/trip-options.js";
import { Dashboard } from "../modules/dashboard/dashboard.js";
import { Encoder } from "../modules/signals/encoder.js";
import { Pipeline } from "../modules/signals/pipeline.js";
import { DecodePlan } from "../modules/signals/plan.js";
import { DemoDrive } from "../hosts/sim/demo-drive.js";
import { FakeFlash } from "./fixtures/fake-flash.js";
import { FakePreferences } from "./fixtures/fake-preferences.js";
import { repoRoot } from "./shared-data.js";
import { describeOnXs } from "./support/xs-suite.js";


const demoDir = join(repoRoot, "hosts/sim/demo");
const bytesOf = (name: string) => [...readFileSync(join(demoDir, name))];

/**
 * One minute of the demo drive at 30 ticks a second through the dashboard,
 * with a fake view; at 10 s button B (units), at 20 s A (next page), at 30 s
 * B held (driver menu) and a touch on its second row (a new driver, with
 * default settings), at 40 s a touch on the page. The trip computer as main.ts wires it
 * (tripOptionsFor: the demo car sends its odometer). Returns [ticks, drawn, draws with screen
 * changes, units imperial (1), page index, drivers, trip A metres, the cluster page's odometer
 * at 5 s and at the end (-1: unknown, '--'), the trip log's writes].
 * Written once, as JavaScript both engines run.
 */
const SCENARIO = `
function scenario(parts, carBytes, planBytes, vehicleBytes) {
	const { Pipeline, DemoDrive, Encoder, DecodePlan, ProfileInputs, VehicleProfile, TripComputer, TripMemory, tripOptionsFor, AlertMonitor,
		defaultAlertRules, checkEngineAlertRule, ClusterModel, DriverBook, Dashboard, FakeFlash, FakePreferences, Button, Touch } = parts;
	const prefs = new FakePreferences();
	const carPlan = new DecodePlan(new Uint8Array(carBytes).buffer);
	const plan = new DecodePlan(new Uint8Array(planBytes).buffer);
	const profile = new VehicleProfile(new Uint8Array(vehicleBytes).buffer);
	let time = 0;
	const clock = () => time;
	const pipeline = new Pipeline(plan);
	const drive = new DemoDrive(carPlan, new Encoder(carPlan), pipeline.ring);
	const source = { description: "demo drive", step(now) { drive.step(now); } };
	const inputs = new ProfileInputs(profile, plan, pipeline.store);
	const trip = new TripComputer(tripOptionsFor(profile, () => null));
	const memory = TripMemory.on(trip, new FakeFlash(), { intervalMs: 15000 });
	memory.start();
	const alerts = new AlertMonitor(inputs, [...defaultAlertRules(), checkEngineAlertRule()]);
	const model = new ClusterModel(inputs, { gears: profile.gears(), trip, alerts });
	const drivers = new DriverBook(prefs, "Ana");
	const dashboard = new Dashboard({ clock, source, pipeline, plan, profile, model, drivers, memory });
	let screenDraws = 0, early = NaN;
	dashboard.attach({ draw(changed, screenChanged) { if (screenChanged) screenDraws++; return true; } });
	for (let tick = 1; tick <= 1800; tick++) {
		time = tick * 33;
		dashboard.tick();
		if (tick === 300) { dashboard.press(Button.b, 1); dashboard.press(Button.b, 0, 90); }
		if (tick === 600) { dashboard.press(Button.a, 1); dashboard.press(Button.a, 0, 90); }
		if (tick === 900) { dashboard.press(Button.b, 1); dashboard.press(Button.b, 0, 1200); dashboard.touch(Touch.menuRow, 1); }
		if (tick === 1200) dashboard.touch(Touch.page);
		if (tick === 150) early = model.odometer;
	}
	return [dashboard.ticks, dashboard.drawn, screenDraws, model.units.speedLabel === "mph" ? 1 : 0,
		["cluster", "trip", "diagnostics"].indexOf(dashboard.screen.page), drivers.drivers.length, Math.round(trip.tripA.distance * 1000),
		early, model.odometer, memory.log.writes];
}
`;

/** The screen model's answers to a fixed list of inputs, as numbers. */
const SCREEN = `
function screenAnswers(ScreenModel, Button, Touch) {
	const screen = new ScreenModel("trip"), out = [];
	out.push(screen.take());
	for (const [button, held] of [[0, 0], [0, 1000], [1, 999], [1, 1000], [2, 10], [2, 5000]]) {
		screen.press(button, 1, 0);
		out.push(screen.press(button, 0, 0, held));
	}
	screen.openMenu(["Ana", "Ben"], 1, true, 0);
	screen.press(Button.b, 1, 10);
	out.push(screen.press(Button.b, 0, 20), screen.menu.selected, screen.touch(Touch.menuRow, 0), screen.takeChoice().index);
	screen.showAlert(2);
	out.push(screen.touch(Touch.page), screen.take());
	return out;
}
`;

const DRIVER = `
import { Pipeline } from "./modules/signals/pipeline.js";
import { Encoder } from "./modules/signals/encoder.js";
import { DecodePlan } from "./modules/signals/plan.js";
import { ProfileInputs, VehicleProfile } from "./modules/cluster/profile.js";
import { TripComputer, TripMemory } from "./modules/cluster/trip.js";
import { tripOptionsFor } from "./modules/cluster/trip-options.js";
import { AlertMonitor, checkEngineAlertRule, defaultAlertRules } from "./modules/cluster/alerts.js";
import { ClusterModel } from "./modules/cluster/cluster.js";
import { DriverBook } from "./modules/cluster/drivers.js";
import { Button, ScreenModel, Touch } from "./modules/cluster/screen.js";
import { Dashboard } from "./modules/dashboard/dashboard.js";
import { DemoDrive } from "./hosts/sim/demo-drive.js";
import { FakeFlash } from "./test/fixtures/fake-flash.js";
import { FakePreferences } from "./test/fixtures/fake-preferences.js";
${SCENARIO}
${SCREEN}
const parts = { Pipeline, DemoDrive, Encoder, DecodePlan, ProfileInputs, VehicleProfile, TripComputer, TripMemory, tripOptionsFor, AlertMonitor,
	defaultAlertRules, checkEngineAlertRule, ClusterModel, DriverBook, Dashboard, FakeFlash, FakePreferences, Button, Touch };
globalThis.runScenario = function (carBytes, planBytes, vehicleBytes) {
	return new Float64Array(scenario(parts, carBytes, planBytes, vehicleBytes)).buffer;
};
globalThis.runScreen = function () {
	return new Float64Array(screenAnswers(ScreenModel, Button, Touch)).buffer;
};
`;

const nodeParts = { Pipeline, DemoDrive, Encoder, DecodePlan, ProfileInputs, VehicleProfile, TripComputer, TripMemory, tripOptionsFor, AlertMonitor,
	defaultAlertRules, checkEngineAlertRule, ClusterModel, DriverBook, Dashboard, FakeFlash, FakePreferences, Button, Touch };

/** What the XS side is built from: the dashboard and what the scenario drives it with. */
const XS_FILES = ["modules/dashboard/dashboard.ts", "hosts/sim/demo-drive.ts", "modules/signals/encoder.ts",
	"modules/cluster/profile.ts", "modules/cluster/trip-options.ts", "test/fixtures/fake-flash.ts", "test/fixtures/fake-preferences.ts",
	// XS's `native()` declaration: the CAN modules the dashboard's types reach bind the C engines.
	"modules/signals/native/xs-native.d.ts"];

describeOnXs("dashboard", XS_FILES, DRIVER, ({ run }) => {
	test("xs-screen-model-means-what-it-means-on-v8", async () => {
		const node = new Function("ScreenModel", "Button", "Touch", `${SCREEN}; return screenAnswers(ScreenModel, Button, Touch);`)(ScreenModel, Button, Touch) as number[];
		// The tap on A moved from the trip page to the diagnostics page, where holding A switches telemetry.
		expect(node[2]).toBe(Action.toggleTelemetry);
		expect((await run("runScreen()")).values).toEqual(node);
	});

	test("xs-dashboard-runs-a-minute-of-the-demo-drive-as-v8-does", async () => {
		const car = bytesOf("demo-car.plan"), plan = bytesOf("car.plan"), vehicle = bytesOf("car.vehicle");
		const node = new Function("parts", "car", "plan", "vehicle", `${SCENARIO}; return scenario(parts, car, plan, vehicle);`)(nodeParts, car, plan, vehicle) as number[];
		// 1800 ticks, fewer drawn; the new driver's own units (metric) and start page, moved on by the touch; two drivers.
		expect(node[0]).toBe(1800);
		expect(node[1]).toBeLessThan(1800);
		expect(node.slice(3, 6)).toEqual([0, 1, 2]);
		expect(node[6]).toBeGreaterThan(100);
		// '--' at 5 s (the car's reading not followed yet), the demo car's own at the end, saved.
		expect(node[7]).toBe(-1);
		expect(node[8]).toBeGreaterThan(48213);
		expect(node[9]).toBeGreaterThan(0);
		expect((await run(`runScenario(${JSON.stringify(car)}, ${JSON.stringify(plan)}, ${JSON.stringify(vehicle)})`)).values).toEqual(node);
	}, 120_000);
}, 120_000);
