/*
 * xs-cluster composition root: builds the pipeline from what the host
 * provides (a CAN source, the car's compiled profile and plan as resources,
 * flash for the trip log, the Preference store), and runs the display clock
 * that drives the cluster view. main.ts is host-agnostic: everything
 * host-specific comes through `host/can-source` and `host/trip-storage`.
 *
 * Each display tick (Piu's application clock, asked for every 20 ms; the
 * simulator on Linux gives about 30 a second, a device what its display's
 * drawing leaves): the source moves
 * the frames that are due into the ring, the bus meter decodes them into the
 * signal store (OBD-II answers to the poller, when there is one), the cluster
 * model reads its quantities through ProfileInputs (gauges, telltales, the
 * trip computer with the one odometer, alerts, shift light, day/night),
 * TripMemory saves when due, and the view redraws what changed. A health
 * line is traced every 5 s (debug builds show it in xsbug or xsbug-log).
 * Runs on XS (simulator and device); allocates at start, then only for
 * changed strings, needle outlines, the health line and trip saves.
 */
import {} from "piu/MC";
import Resource from "Resource";
import Timer from "timer";
import Instrumentation from "instrumentation";
import config from "mc/config";
import { DecodePlan } from "signals/plan";
import { Health, Pipeline, formatHealth } from "signals/pipeline";
import { NativeDecoder } from "signals/native-decoder";
import { ProfileInputs, VehicleProfile } from "cluster/profile";
import { ClusterModel } from "cluster/cluster";
import { AlertMonitor, checkEngineAlertRule, defaultAlertRules } from "cluster/alerts";
import { ShiftLight } from "cluster/shift-light";
import { Quantity } from "cluster/quantity";
import { TripComputer, TripMemory } from "cluster/trip";
import { BusMeter, Diagnostics } from "cluster/diagnostics";
import { busStateName, formatBusStatus } from "can/bus-status";
import { ClusterView } from "ui/cluster-view";
import { CAN_RING_CAPACITY, openCanSource } from "host/can-source";
import { DriverBook, type DriverSettings } from "cluster/drivers";
import { newDriverName } from "cluster/driver-menu";
import { IMPERIAL, METRIC } from "cluster/units";
import { openPreferences, openTripFlash } from "host/trip-storage";
import { obdPollerFor } from "obd/wiring";
import { openRecorder } from "host/recorder";
import { openChime } from "host/chime";

const HEALTH_INTERVAL_MS = 5000;
/** A recording's partial chunk is written this often (full chunks are written as they fill). */
const RECORD_FLUSH_INTERVAL_MS = 3000;
/** Odometer and trips are saved this often while they change (and at once when the car stops or a trip is reset). */
const TRIP_SAVE_INTERVAL_MS = 15000;
/**
 * The car: its compiled profile and the decode plan compiled with it
 * (`xs-cluster profile compile ... -o car.vehicle`), resources every host's
 * manifest provides.
 */
const plan = new DecodePlan(new Resource("car.plan") as unknown as ArrayBuffer);
const profile = new VehicleProfile(new Resource("car.vehicle") as unknown as ArrayBuffer);
/*
 * The native engine (modules/signals/native, linked by every host's manifest)
 * decodes with the same plan into the same store as the TypeScript Decoder,
 * which the tests hold it to, draining the ring in one call per tick.
 */
const decoder = new NativeDecoder(plan);
const pipeline = new Pipeline(plan, { ringCapacity: CAN_RING_CAPACITY, decoder: () => decoder });

const trip = new TripComputer({ tankLiters: profile.tankLiters });
const memory = TripMemory.on(trip, openTripFlash(profile.name), { intervalMs: TRIP_SAVE_INTERVAL_MS });
const restored = memory.start();

// A TWAI controller hands its frames over 128 at a time, queued in C.
const source = openCanSource(pipeline.ring, plan, {
	odometerKm: trip.odometer,
	queueRecords: (ring, records, count, now) => decoder.pushRecords(ring, records, count, now),
});
/*
 * OBD-II: a poller for the PIDs the profile reads, when it reads any and the
 * host's source can transmit (never a listen-only controller, a feed or the
 * demo drive); its answers are a second store the profile reads from.
 */
const poller = source.transmit ? obdPollerFor(profile, source.transmit, pipeline) : null;
/*
 * Recording (off unless the build has the config value `record`, see
 * `npm start -- --record`): the pipeline's recorder queues every frame it
 * takes from the ring, before the poller and the decoder see it; with the
 * native engine the candump lines are written in C over the queued frames,
 * and the poller declares its response ids, so the ring is still drained in
 * one native call per tick. The recorder writes to the file once per
 * display tick, after the pump, and flushes its partial chunk every few
 * seconds, since the simulator has no clean stop to close it at.
 */
const recording = openRecorder();
pipeline.recorder = recording ? recording.recorder : null;
pipeline.tap = poller;
const inputs = new ProfileInputs(profile, plan, pipeline.store, poller ? poller.values : null);

const alerts = new AlertMonitor(inputs, [...defaultAlertRules(), ...(inputs.has(Quantity.checkEngine) ? [checkEngineAlertRule()] : [])]);
/** Shift light: `shiftRpm` and `shiftLimitRpm` from the manifest's config (the simulator's demo car shifts early). */
const shift = new ShiftLight({ defaultRpm: Number(config.shiftRpm ?? 5500), limitRpm: Number(config.shiftLimitRpm ?? 6500) });
const model = new ClusterModel(inputs, { gears: profile.gears(), trip, alerts, shift });
/*
 * The alert chime, where the host has one (a speaker on the board, a trace in
 * the simulator; null on a board without audio): each display tick it starts
 * the pattern AlertMonitor asks for, and sounds only while the pop-up shows an
 * alert at least that severe, so acknowledging the pop-up (button A, a touch)
 * or the alert clearing silences it by the next tick.
 */
const chime = openChime();
/*
 * Drivers: each has their units, theme, alert thresholds and brightness, kept in the
 * Preference store; the cluster starts with the last one, on their page.
 * Switching units, theme or page changes the current driver's; the driver
 * menu (button B held, or the pages' Driver button) switches driver or adds one.
 */
const drivers = new DriverBook(openPreferences(), "Driver 1");
/*
 * The display's backlight, where the board lets the app set it: Moddable
 * targets either make one (`globalThis.backlight`) or offer the class
 * (`Host.Backlight`, e.g. the Moddable Two). Null on boards whose backlight
 * is wired on (the DevKit's ILI9341 LED pin) and in the simulator.
 */
interface Backlight { write(percent: number): void }
const hostGlobals = globalThis as { backlight?: Backlight; Host?: { Backlight?: new (percent: number) => Backlight } };
const backlight: Backlight | null = hostGlobals.backlight ?? (hostGlobals.Host?.Backlight ? new hostGlobals.Host.Backlight(drivers.current.brightness) : null);
function applyDriver(driver: DriverSettings): void {
	model.setUnits(driver.units === "imperial" ? IMPERIAL : METRIC);
	model.theme.choice = driver.theme;
	drivers.applyThresholds(alerts);
	backlight?.write(driver.brightness);
	if (chime)
		chime.muted = !driver.chime;
}
applyDriver(drivers.current);
drivers.onChange(applyDriver);

const meter = new BusMeter(source.bitRate);
const diagnostics = new Diagnostics(meter);
const health = new Health();
const start = Date.now();
const now = () => Date.now() - start;

/** Names of the profile's signals that are stale now, for the diagnostics page. Allocates. */
function staleNames(at: number): string {
	let names = "", count = 0;
	const signals = profile.directSignal, store = pipeline.store;
	for (let q = 0; q < signals.length; q++) {
		const signal = signals[q];
		if (signal < 0 || store.isFresh(signal, at))
			continue;
		if (names.indexOf(plan.signalName(signal)) >= 0)
			continue;
		if (count < 2)
			names += (count ? ", " : "") + plan.signalName(signal);
		count++;
	}
	return count === 0 ? "none" : count > 2 ? `${names} +${count - 2}` : names;
}

/** The source's own state, short for the diagnostics page: a live feed's connection, a CAN controller's bus status. Allocates. */
function sourceStatus(at: number): string {
	const feed = source.feed, bus = source.bus;
	if (feed) {
		const state = feed.state === "backing-off" ? `retry in ${Math.ceil(feed.retryIn(at) / 1000)} s` : feed.state;
		return `${state}, ${feed.reconnects} reconnects`;
	}
	if (bus)
		// Error counters (transmit/receive), frames lost in the controller or its queue, and the oldest dropped to keep up.
		return `${busStateName(bus.state)} ${bus.txErrors}/${bus.rxErrors}, lost ${bus.overruns + bus.missed}, drop ${bus.dropped}`;
	return source.description;
}

const view = new ClusterView(model, diagnostics, {
	source: source.description,
	now,
	tick(at: number) {
		source.step(at);
		meter.pump(pipeline);
		recording?.service();
		poller?.tick(at);
		const changed = model.update(at);
		// A car that sends a driver key (profile `driverKey`) chooses the driver as the key changes.
		if (drivers.followKey(inputs.readRaw(Quantity.driverKey, at)))
			view.driverChanged(drivers.current.page);
		if (chime) {
			chime.play(alerts.takeChime(), at);
			chime.service(at, model.alert < 0 ? -1 : alerts.rules[model.alert].severity);
		}
		memory.tick(at);
		return changed;
	},
	sample(at: number) {
		return diagnostics.sample(at, pipeline.health(at, health), view.drawn, view.ticks);
	},
	staleNames,
	sourceStatus,
	resetTrip(which) {
		model.resetTrip(which);
		memory.flush(now());
	},
	settingsChanged(page) {
		drivers.update({ units: model.units === IMPERIAL ? "imperial" : "metric", theme: model.theme.choice, page });
	},
	toggleChime() {
		if (!chime)
			return null;
		drivers.update({ chime: !drivers.current.chime });
		return drivers.current.chime;
	},
	chimeOn() {
		return chime ? drivers.current.chime : null;
	},
	drivers() {
		return { names: drivers.drivers.map(driver => driver.name), index: drivers.index };
	},
	chooseDriver(choice) {
		drivers.select(choice.add ? drivers.add(newDriverName(drivers.drivers.map(driver => driver.name))) : choice.index);
		return drivers.current.page;
	},
	acknowledgeAlert() {
		return model.acknowledgeAlert(now());
	},
}, drivers.current.page);
model.start(now());

/*
 * Buttons, where the host has them (the M5Stack, real or simulated, puts A, B
 * and C on Host.Button): a tap, or a hold of a second, each handed to the view
 * (ClusterView.buttonA..C say what they do: pages and alerts, units and the
 * driver menu, theme and trip B). A touch screen switches pages too (a touch
 * on the pop-up acknowledges it); the trip and diagnostics pages have buttons
 * for the rest.
 */
interface HostButton { new (options: { onPush(pressed: number): void }): object }
const hostButtons = (globalThis as { Host?: { Button?: { a?: HostButton; b?: HostButton; c?: HostButton } } }).Host?.Button;
const buttons: object[] = [];
const LONG_PRESS_MS = 1000;
/** A button that tells a tap from a hold of a second or more. */
function tapOrHold(Button: HostButton, press: (held: boolean) => void): object {
	let pressedAt = NaN;
	return new Button({ onPush(pressed) {
		const at = now();
		if (pressed) {
			pressedAt = at;
			return;
		}
		press(at - pressedAt >= LONG_PRESS_MS);
		pressedAt = NaN;
	} });
}
if (hostButtons?.a && hostButtons.b && hostButtons.c) {
	buttons.push(tapOrHold(hostButtons.a, held => view.buttonA(held)));
	buttons.push(tapOrHold(hostButtons.b, held => view.buttonB(held)));
	buttons.push(tapOrHold(hostButtons.c, held => view.buttonC(held)));
}

const slotHeap = Instrumentation.map("XS Slot Heap Used"), chunkHeap = Instrumentation.map("XS Chunk Heap Used");
const pixelsDrawn = Instrumentation.map("Pixels Drawn");
trace(`xs-cluster: ${profile.name}, ${plan.messageCount} messages, ${plan.signalCount} signals, source ${source.description}; OBD-II ${poller ? (profile.transmitObd ? "polling" : "off (listen-only profile)") : "none"}; driver ${drivers.current.name} (${drivers.index + 1} of ${drivers.drivers.length}); shift light at ${shift.shiftPoint(-1)} rpm; odometer ${trip.odometer.toFixed(1)} km, trip A ${trip.tripA.distance.toFixed(2)} km (${restored ? "restored" : "new"})\n`);

Timer.repeat(() => {
	const at = now();
	pipeline.health(at, health);
	const slot = slotHeap === undefined ? undefined : Instrumentation.get(slotHeap);
	const chunk = chunkHeap === undefined ? undefined : Instrumentation.get(chunkHeap);
	// Instrumentation counts pixels drawn over its last one-second sample, not in total.
	const pixels = pixelsDrawn === undefined ? undefined : Instrumentation.get(pixelsDrawn);
	trace(`health: ${formatHealth(health)}; ui ${view.drawn} frames drawn of ${view.ticks} ticks, ${pixels ?? "?"} pixels/s, page ${view.page}; odo ${trip.odometer.toFixed(2)} km trip ${trip.tripA.distance.toFixed(2)} km saves ${memory.log.writes}; driver ${drivers.current.name} ${model.units.speedLabel}; alert ${model.alert < 0 ? "none" : alerts.rules[model.alert].id}; source ${source.bus ? formatBusStatus(source.bus) : source.feed ? sourceStatus(at) : source.description}; heap slot ${slot ?? "?"} chunk ${chunk ?? "?"}\n`);
}, HEALTH_INTERVAL_MS);

if (recording) {
	trace(`recording to ${recording.path}\n`);
	Timer.repeat(() => {
		const r = recording.recorder;
		recording.flush();
		trace(`recording: ${r.frames} frames, ${r.bytes} bytes, ${r.dropped} dropped, ${r.state}\n`);
	}, RECORD_FLUSH_INTERVAL_MS);
}

export default view.application;
