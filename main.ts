/*
 * xs-cluster composition root: builds the parts from what the host provides
 * (a CAN source, the car's compiled profile and plan as resources, flash for
 * the trip log, the Preference store, buttons, a chime and spoken alerts, a
 * backlight) and
 * hands them to the Dashboard (modules/dashboard/dashboard.ts), which runs
 * the display tick; the Piu view's clock calls it. Nothing else happens
 * here: what one tick does, in order, is in dashboard.ts.
 *
 * main.ts is host-agnostic: everything host-specific comes through the
 * `host/*` modules each host's manifest maps. Runs on XS (simulator and
 * device); allocates at start only.
 */
import {} from "piu/MC";
import Resource from "Resource";
import Instrumentation from "instrumentation";
import config from "mc/config";
import { DecodePlan } from "signals/plan";
import { Pipeline } from "signals/pipeline";
import { NativeDecoder } from "signals/native-decoder";
import { ProfileInputs, VehicleProfile } from "cluster/profile";
import { ClusterModel } from "cluster/cluster";
import { AlertMonitor, checkEngineAlertRule, defaultAlertRules } from "cluster/alerts";
import { ShiftLight } from "cluster/shift-light";
import { Quantity } from "cluster/quantity";
import { Button } from "cluster/screen";
import { TripComputer, TripMemory } from "cluster/trip";
import { tripOptionsFor } from "cluster/trip-options";
import { DriverBook } from "cluster/drivers";
import { CarSettings } from "cluster/car-settings";
import { type Backlight, Dashboard } from "dashboard/dashboard";
import { ClusterView } from "ui/cluster-view";
import { CAN_RING_CAPACITY, openCanSource } from "host/can-source";
import { openPreferences, openTripFlash } from "host/trip-storage";
import { obdPollerFor } from "obd/wiring";
import { openRecorder } from "host/recorder";
import { openChime } from "host/chime";
import { openSpeech } from "host/speech";
import { PackInstaller } from "pack/installer";
import { PackSlots } from "pack/slots";
import { PackKey } from "pack/pack-key";
import { openPackFlash } from "host/pack-storage";
import { openPackLink } from "host/pack-link";
import { Outbox } from "connect/outbox";
import { Telemetry, telemetryService } from "connect/telemetry";
import { readVehicleState } from "connect/vehicle-state";
import { telemetryCounts, telemetryLast } from "connect/status-line";
import { openTelemetryHost } from "host/telemetry";

/** Odometer and trips are saved this often while they change (and at once when the car stops or a trip is reset). */
const TRIP_SAVE_INTERVAL_MS = 15000;

/*
 * The car: the newest signed vehicle pack that works (docs/packs.md), else
 * the one before it, else the car built into the firmware (its compiled
 * profile and plan, `xs-cluster profile compile ... -o car.vehicle`,
 * resources every host's manifest provides). A firmware built without
 * `packKey` still starts packs installed before, and refuses new ones.
 */
let packKey: PackKey | null = null;
try {
	packKey = config.packKey ? PackKey.fromHex(String(config.packKey)) : null;
}
catch (error) {
	trace(`packs: ${(error as Error).message}\n`);
}
const builtIn = { plan: new Resource("car.plan") as unknown as ArrayBuffer, vehicle: new Resource("car.vehicle") as unknown as ArrayBuffer };
// The car the firmware was built for: its packs and its odometer are its own (the simulator keeps every car it builds in one store).
const builtInName = new VehicleProfile(builtIn.vehicle).name;
let packs: PackInstaller | null = null;
try {
	packs = new PackInstaller(new PackSlots(openPackFlash(builtInName)), packKey);
}
catch (error) {
	// An ESP32 flashed with an older partition table has no xsc-pack: the built-in car only.
	trace(`packs: no pack storage (${(error as Error).message})\n`);
}
const car = packs ? packs.start(builtIn) : null;
if (car?.note)
	trace(`packs: ${car.note}\n`);
// Packs from the host, `xs-cluster pack send` (docs/packs.md): the simulator's TCP port, a board's UART, where configured.
const packLink = packs ? openPackLink(packs) : null;
const plan = car ? car.plan : new DecodePlan(builtIn.plan);
const profile = car ? car.profile : new VehicleProfile(builtIn.vehicle);
// The native engine (modules/signals/native, linked by every host) drains the ring in one call per tick.
const decoder = new NativeDecoder(plan);
const pipeline = new Pipeline(plan, { ringCapacity: CAN_RING_CAPACITY, decoder: () => decoder });

// A car that sends its own odometer: unknown until restored or its reading is followed, not 0; integrated
// from 0 when the car will not tell (the OBD-II poller, made below, learns its ECU lacks the PID; 30 s awake).
const trip = new TripComputer(tripOptionsFor(profile, () => poller));
// Kept under the firmware's car, whatever pack runs: a pack updates the car the cluster sits in, its odometer stays.
const memory = TripMemory.on(trip, openTripFlash(builtInName), { intervalMs: TRIP_SAVE_INTERVAL_MS });
const restored = memory.start();

// A TWAI controller hands its frames over 128 at a time, queued in C.
const source = openCanSource(pipeline.ring, plan, {
	odometerKm: trip.odometer,
	queueRecords: (ring, records, count, now) => decoder.pushRecords(ring, records, count, now),
});
// OBD-II only where the source can transmit (never listen-only, a feed or the demo drive) and the profile reads PIDs.
const poller = source.transmit ? obdPollerFor(profile, source.transmit, pipeline) : null;
// Recording (`npm start -- --record`): the recorder sees every frame before the poller and the decoder.
const recording = openRecorder();
pipeline.recorder = recording ? recording.recorder : null;
pipeline.tap = poller;
const inputs = new ProfileInputs(profile, plan, pipeline.store, poller ? poller.values : null);

const alerts = new AlertMonitor(inputs, [...defaultAlertRules(), ...(inputs.has(Quantity.checkEngine) ? [checkEngineAlertRule()] : [])]);
// `shiftRpm` and `shiftLimitRpm` from the manifest's config (the simulator's demo car shifts early).
const shift = new ShiftLight({ defaultRpm: Number(config.shiftRpm ?? 5500), limitRpm: Number(config.shiftLimitRpm ?? 6500) });
const model = new ClusterModel(inputs, { gears: profile.gears(), trip, alerts, shift });
// The car's own settings: telemetry stays off until a driver turns it on (the diagnostics page's MQTT switch).
const carSettings = new CarSettings(openPreferences());

/*
 * The chime, and the alert on the pop-up said after it, where the board has
 * a speaker (the simulator traces both): the phrases are resources the build
 * made with espeak-ng (tools/speech.ts), one per language and alert id.
 */
const chime = openChime();
const speech = openSpeech(alerts.rules, chime);
// A new driver, and one stored before languages, speaks the build's first language.
const drivers = new DriverBook(openPreferences(), "Driver 1", speech?.languages[0]);

/*
 * The backlight, where the board lets the app set it: Moddable targets make
 * one (`globalThis.backlight`) or offer the class (`Host.Backlight`). None on
 * boards whose backlight is wired on, nor in the simulator.
 */
const hostGlobals = globalThis as { backlight?: Backlight; Host?: { Backlight?: new (percent: number) => Backlight } };
const backlight = hostGlobals.backlight ?? (hostGlobals.Host?.Backlight ? new hostGlobals.Host.Backlight(drivers.current.brightness) : null);

/*
 * Telemetry to an MQTT broker (docs/mqtt.md), when the host has one
 * configured (`npm start -- --mqtt`) and the car's setting is on (off until a
 * driver turns it on): snapshots, alert events and trip summaries, Home
 * Assistant discovery, driver commands, and vehicle packs (a retained
 * message on the cluster's pack topic) handed to the installer.
 */
const telemetryHost = openTelemetryHost();
const frameCounts = { get received() { return pipeline.ring.pushed; }, get dropped() { return pipeline.ring.dropped; } };
const telemetry = telemetryHost ? new Telemetry({
	node: telemetryHost.node,
	broker: telemetryHost.broker,
	network: telemetryHost.network,
	outbox: new Outbox(telemetryHost.flash),
	readState: (into, now) => readVehicleState(into, now, inputs, trip, source.bus, frameCounts),
	trip, alerts, drivers,
	onPack(bytes) {
		const result = packs ? packs.offer(bytes) : { reason: "refused: this cluster has no pack storage" };
		trace(`packs: ${result.reason}\n`);
	},
	log: line => trace(line + "\n"),
	discovery: { name: profile.name, version: "0.1.0" },
	enabled: carSettings.telemetry,
}) : null;

const slotHeap = Instrumentation.map("XS Slot Heap Used"), chunkHeap = Instrumentation.map("XS Chunk Heap Used");
const pixelsDrawn = Instrumentation.map("Pixels Drawn");
const start = Date.now();

const dashboard = new Dashboard({
	clock: () => Date.now() - start,
	source, pipeline, plan, profile, model, drivers, memory, poller, recording, backlight,
	chime, speech,
	packs,
	telemetry: telemetry ? {
		counts: () => telemetryCounts(telemetry), last: () => telemetryLast(telemetry),
		get enabled() { return telemetry.enabled; }, set enabled(on: boolean) { telemetry.enabled = on; },
	} : null,
	car: carSettings,
	services: [
		// The first tick got this far (the view drew): a pack on trial is good. Then one flash step
		// (typ. 45 ms erase, ~10 ms program) of an accepted pack, only with time to spare.
		{ service: (_now, leftMs) => { packs?.started(); packLink?.service(); if (packs?.busy && leftMs >= 10) packs.service(); } },
		...(telemetry ? [telemetryService(telemetry)] : []),
	],
	log: line => trace(line),
	meters: {
		pixelsDrawn: () => pixelsDrawn === undefined ? undefined : Instrumentation.get(pixelsDrawn),
		slotHeap: () => slotHeap === undefined ? undefined : Instrumentation.get(slotHeap),
		chunkHeap: () => chunkHeap === undefined ? undefined : Instrumentation.get(chunkHeap),
	},
});

const view = new ClusterView({
	model, screen: dashboard.screen, diagnostics: dashboard.diagnostics, sourceName: source.description,
	touch: (target, index) => dashboard.touch(target, index),
	tick: () => dashboard.tick(),
});
dashboard.attach(view);

/*
 * Buttons, where the host has them (the M5Stack, real or simulated, puts A,
 * B and C on Host.Button): each press and release goes to the screen model,
 * with the time held where the host measures it (hosts/esp32/buttons.ts).
 */
interface HostButton { new (options: { onPush(pressed: number, heldMs?: number): void }): object }
const hostButtons = (globalThis as { Host?: { Button?: Record<string, HostButton | undefined> } }).Host?.Button;
const buttons: object[] = [];
for (const [name, button] of [["a", Button.a], ["b", Button.b], ["c", Button.c]] as const) {
	const Host = hostButtons?.[name];
	if (Host)
		buttons.push(new Host({ onPush: (pressed, heldMs) => dashboard.press(button, pressed, heldMs) }));
}

trace(dashboard.startLine(restored));
if (recording)
	trace(`recording to ${recording.path}\n`);
if (packLink)
	trace(`packs: ${packLink.description}\n`);

export default view.application;
