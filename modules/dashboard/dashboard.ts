/*
 * Dashboard: the one owner of the display tick. main.ts builds the parts
 * from what the host provides and hands them here; the Piu view's clock
 * calls `tick()`, and one tick runs, top to bottom, in this order:
 *
 *   1. the source moves the frames that are due into the ring;
 *   2. the pipeline pumps the ring into the signal store (OBD-II answers to
 *      the poller, every frame to the recorder first), and the recorder
 *      writes at most one chunk;
 *   3. the OBD-II poller sends its next request when one is due;
 *   4. the cluster model reads its quantities (gauges, telltales, the trip
 *      computer with the one odometer, alerts, shift light, day/night);
 *   5. the car's driver key may choose another driver;
 *   6. the chime, then speech (the alert on the pop-up said after the chime),
 *      the trip memory, and the diagnostics sample take their turn;
 *   7. the screen model says what changed (page, menu, pop-up, trip text...);
 *   8. the view redraws only what the model and the screen model name;
 *   9. leftover-time work: each `services` entry is called with the time
 *      left in the tick's budget (telemetry, pack checks: work that can wait
 *      a tick, never work the display waits for);
 *  10. every HEALTH_INTERVAL_MS, the health line.
 *
 * Presses and touches come in through `press` and `touch`: the screen model
 * says what they mean, the dashboard does it (acknowledge, reset a trip,
 * switch units, theme, sound, spoken language or driver, telemetry on or off) and saves the
 * driver's settings (the car's, for telemetry).
 *
 * Plain TypeScript: no Piu, no timers, no hardware; the view, the clock and
 * the log are handed in. Runs on XS (simulator, device) and Node (tests).
 * A tick allocates only the changed strings (the view's), needle outlines,
 * the diagnostics lines once a second while that page shows, and the health
 * line every 5 s.
 */
import { busStateName, formatBusStatus } from "../can/bus-status.js";
import type { HostRecorder } from "../can/file-recording.js";
import type { CanSource } from "../can/source.js";
import type { ObdPoller } from "../obd/poller.js";
import { Health, type Pipeline, formatHealth } from "../signals/pipeline.js";
import type { DecodePlan } from "../signals/plan.js";
import type { Chime } from "../cluster/chime.js";
import type { Speech } from "../cluster/speech.js";
import type { ClusterModel } from "../cluster/cluster.js";
import { Diagnostics, staleSignalNames } from "../cluster/diagnostics.js";
import { languageRow, newDriverName } from "../cluster/driver-menu.js";
import { type DriverBook, type DriverSettings, MAX_DRIVERS } from "../cluster/drivers.js";
import { languageName } from "../cluster/phrases.js";
import type { VehicleProfile } from "../cluster/profile.js";
import { Quantity } from "../cluster/quantity.js";
import { Action, ScreenChange, ScreenModel } from "../cluster/screen.js";
import type { TripMemory } from "../cluster/trip.js";
import { IMPERIAL, METRIC } from "../cluster/units.js";
import { SecondCounter } from "./second-counter.js";

/** The health line comes this often, ms. */
export const HEALTH_INTERVAL_MS = 5000;
/** A recording's partial chunk is written this often (full chunks are written as they fill), ms. */
export const RECORD_FLUSH_INTERVAL_MS = 3000;
/** What a tick may take in all, ms, unless the options say: 30 ticks a second. */
export const TICK_BUDGET_MS = 33;

/** What draws: the Piu view (modules/ui), a test's fake. */
export interface DashboardView {
	/**
	 * Redraws what `changed` (ClusterModel `Change` bits) and `screenChanged`
	 * (ScreenChange bits) name, reading the model and the screen model.
	 * Returns true when it touched anything on screen.
	 */
	draw(changed: number, screenChanged: number, now: number): boolean;
}

/**
 * Leftover-time work: called once a tick after drawing with the
 * milliseconds left in the tick's budget (0 or less: none; a service may
 * still do a bounded minimum). Must not block.
 */
export interface DashboardService {
	service(now: number, leftMs: number): void;
}

/** The display's backlight, where the board lets the app set it. */
export interface Backlight {
	write(percent: number): void;
}

/** Numbers only the engine knows (Instrumentation on XS): each undefined where unavailable. */
export interface DashboardMeters {
	/** Pixels drawn so far in the current second (the engine restarts the count every second). */
	pixelsDrawn(): number | undefined;
	/** XS slot and chunk heap in use, bytes. */
	slotHeap(): number | undefined;
	chunkHeap(): number | undefined;
}

/** The parts of a cluster: an options bag, so new parts are added without breaking callers. */
export interface DashboardOptions {
	/** Milliseconds since start: the one clock of the tick. */
	clock: () => number;
	source: CanSource;
	pipeline: Pipeline;
	plan: DecodePlan;
	profile: VehicleProfile;
	model: ClusterModel;
	drivers: DriverBook;
	/** Odometer and trips in flash. */
	memory: TripMemory;
	/** OBD-II requests and answers, where the source transmits. */
	poller?: ObdPoller | null;
	/** The alert chime, where the board has one. */
	chime?: Chime | null;
	/** Spoken alerts, where the board has a speaker and the build made the phrases. */
	speech?: Speech | null;
	/** Recording of received frames, when configured. */
	recording?: HostRecorder | null;
	backlight?: Backlight | null;
	/** Leftover-time work, called in this order after drawing (step 9 above). */
	services?: DashboardService[];
	/** The running car's vehicle pack (PackInstaller.carLine) and the last offer's outcome (lastOfferRow, "" before any); without it, the built-in car. */
	packs?: { readonly carLine: string; readonly lastOfferRow: string } | null;
	/**
	 * The telemetry link, where the build configured a broker: its state in
	 * words for the diagnostics page (modules/connect/status-line.ts), and its
	 * switch, which follows `car.telemetry`. Without it, "off".
	 */
	telemetry?: { counts(): string; last(): string; enabled?: boolean } | null;
	/** The car's own settings (CarSettings): whether telemetry is on. Without them it stays off. */
	car?: { telemetry: boolean } | null;
	/** What a tick may take in all, ms; default TICK_BUDGET_MS. */
	budgetMs?: number;
	/** Where the health line and start line go (`trace` on XS); default nowhere. */
	log?: (line: string) => void;
	meters?: DashboardMeters;
}

export class Dashboard {
	readonly screen: ScreenModel;
	readonly diagnostics: Diagnostics;
	readonly model: ClusterModel;
	readonly drivers: DriverBook;
	/** Leftover-time work; parts may be pushed after construction. */
	readonly services: DashboardService[];
	/** Display ticks run, and those that drew something. */
	ticks = 0;
	drawn = 0;

	private readonly options: DashboardOptions;
	private readonly health = new Health();
	/** Pixels drawn per whole second, from the engine's counter read after each draw. */
	private readonly pixels = new SecondCounter();
	private view: DashboardView | null = null;
	private lastHealthAt: number;
	private lastFlushAt: number;

	/** Applies the current driver's settings. Allocates the screen model and diagnostics. */
	constructor(options: DashboardOptions) {
		this.options = options;
		this.model = options.model;
		this.drivers = options.drivers;
		this.services = options.services ?? [];
		this.screen = new ScreenModel(options.drivers.current.page);
		this.screen.driverName = options.drivers.current.name;
		this.diagnostics = new Diagnostics(options.pipeline, options.source.bitRate);
		const now = options.clock();
		this.lastHealthAt = this.lastFlushAt = now;
		this.applyDriver(options.drivers.current);
		options.drivers.onChange(driver => this.applyDriver(driver));
		this.applyTelemetry();
		this.model.start(now);
	}

	/** The view the tick draws with; set once the view is built (it needs the dashboard for its touches). */
	attach(view: DashboardView): void {
		this.view = view;
	}

	/** Milliseconds since start, on the dashboard's clock. */
	now(): number {
		return this.options.clock();
	}

	/** One display tick, in the order above. Runs on the display clock (Piu's onTimeChanged). */
	tick(): void {
		const options = this.options, model = this.model, screen = this.screen;
		const now = options.clock();
		// 1, 2: bus clock work that arrived since the last tick.
		options.source.step(now);
		options.pipeline.pump();
		options.recording?.service();
		// 3, 4: requests due, then what the cluster shows.
		options.poller?.tick(now);
		const changed = model.update(now);
		// 5: a car that sends a driver key (profile `driverKey`) chooses the driver as the key changes.
		if (this.drivers.followKey(model.inputs.readRaw(Quantity.driverKey, now)))
			this.driverChanged();
		// 6: sound (the chime, then the alert said), saves, numbers.
		const chime = options.chime, speech = options.speech, alerts = model.alerts;
		if (alerts && (chime || speech)) {
			// A severity when the alert on the pop-up asks for its chime (raised, or its reminder): once.
			const asked = alerts.takeChime();
			if (chime) {
				chime.play(asked, now);
				chime.service(now, model.alert < 0 ? -1 : alerts.rules[model.alert].severity);
			}
			if (speech) {
				if (asked >= 0)
					speech.request(model.alert);
				speech.service(now, model.alert);
			}
		}
		options.memory.tick(now);
		const diagnostics = this.diagnostics;
		if (diagnostics.due(now) && diagnostics.sample(now, options.pipeline.health(now, this.health), this.drawn, this.ticks) && screen.page === "diagnostics")
			this.describe(now);
		// 7: the screen's own changes.
		screen.showAlert(model.alert);
		screen.tick(now);
		if (screen.page === "trip" && screen.trips.update(model.trip, model.units))
			screen.mark(ScreenChange.trips);
		const screenChanged = screen.take();
		// 8: draw what changed.
		this.ticks++;
		if ((changed || screenChanged) && this.view?.draw(changed, screenChanged, now))
			this.drawn++;
		const pixels = options.meters?.pixelsDrawn();
		if (pixels !== undefined)
			this.pixels.read(pixels);
		// 9: leftover-time work.
		const services = this.services;
		if (services.length) {
			const end = now + (options.budgetMs ?? TICK_BUDGET_MS);
			for (let i = 0; i < services.length; i++)
				services[i].service(now, end - options.clock());
		}
		// 10: the slow lines.
		if (now - this.lastFlushAt >= RECORD_FLUSH_INTERVAL_MS && options.recording) {
			this.lastFlushAt = now;
			this.flushRecording();
		}
		if (now - this.lastHealthAt >= HEALTH_INTERVAL_MS) {
			this.lastHealthAt = now;
			options.log?.(this.healthLine(now));
		}
	}

	/** Button `button` (Button) down (1) or up (0), held `heldMs` when the host knows. Runs on the XS thread (a button callback). */
	press(button: number, pressed: number, heldMs?: number): void {
		const now = this.now();
		this.perform(this.screen.press(button, pressed, now, heldMs), now);
	}

	/** A touch on `target` (Touch), `index` its row or button. Runs on the XS thread (a Piu touch). */
	touch(target: number, index = 0): void {
		const now = this.now();
		this.perform(this.screen.touch(target, index), now);
	}

	/** The source's description, e.g. "demo drive". */
	get sourceName(): string {
		return this.options.source.description;
	}

	/** The line the dashboard logs at start. Allocates. */
	startLine(restored: boolean): string {
		const { profile, plan, source, poller, model } = this.options, drivers = this.drivers, trip = model.trip;
		const obd = poller ? (profile.transmitObd ? "polling" : "off (listen-only profile)") : "none";
		return `xs-cluster: ${profile.name}, ${plan.messageCount} messages, ${plan.signalCount} signals, source ${source.description}; ` +
			`OBD-II ${obd}; driver ${drivers.current.name} (${drivers.index + 1} of ${drivers.drivers.length}); ` +
			`shift light at ${model.shift ? model.shift.shiftPoint(-1) : "-"} rpm; ` +
			`odometer ${trip.odometerKnown ? `${trip.odometer.toFixed(1)} km` : "unknown"}, trip A ${trip.tripA.distance.toFixed(2)} km (${restored ? "restored" : "new"})\n`;
	}

	/** The health line: pipeline counters, drawing, trip, driver, alert, source, heap. Allocates. */
	healthLine(now: number): string {
		const { pipeline, memory, meters, source } = this.options, model = this.model, trip = model.trip;
		const alert = model.alert < 0 || !model.alerts ? "none" : model.alerts.rules[model.alert].id;
		// Instrumentation counts pixels drawn over its last one-second sample, not in total.
		const ui = `ui ${this.drawn} frames drawn of ${this.ticks} ticks, ${this.pixels.take() ?? "?"} pixels/s, page ${this.screen.page}`;
		const odo = `odo ${trip.odometerKnown ? `${trip.odometer.toFixed(2)} km` : "unknown"} trip ${trip.tripA.distance.toFixed(2)} km saves ${memory.log.writes}`;
		const heap = `heap slot ${meters?.slotHeap() ?? "?"} chunk ${meters?.chunkHeap() ?? "?"}`;
		return `health: ${formatHealth(pipeline.health(now, this.health))}; ${ui}; ${odo}; ` +
			`driver ${this.drivers.current.name} ${model.units.speedLabel}; alert ${alert}; source ${source.bus ? formatBusStatus(source.bus) : this.sourceStatus(now)}; ${heap}` +
			(this.options.telemetry ? `; mqtt ${this.options.telemetry.counts()}` : "") + "\n";
	}

	/** The source's own state in a few words: a live feed's connection, a controller's bus status. Allocates. */
	sourceStatus(now: number): string {
		const source = this.options.source, feed = source.feed, bus = source.bus;
		if (feed) {
			const state = feed.state === "backing-off" ? `retry in ${Math.ceil(feed.retryIn(now) / 1000)} s` : feed.state;
			return `${state}, ${feed.reconnects} reconnects`;
		}
		if (bus)
			// Error counters (transmit/receive), frames lost in the controller or its queue, and the oldest dropped to keep up.
			return `${busStateName(bus.state)} ${bus.txErrors}/${bus.rxErrors}, lost ${bus.overruns + bus.missed}, drop ${bus.dropped}`;
		return source.description;
	}

	/** Does what an input asked (Action). */
	private perform(action: number, now: number): void {
		const model = this.model, drivers = this.drivers, screen = this.screen;
		switch (action) {
			case Action.acknowledgeAlert:
				model.acknowledgeAlert(now);
				break;
			case Action.pageChanged:
				this.saveSettings();
				if (screen.page === "diagnostics")
					this.describe(now);
				break;
			case Action.resetTripA:
			case Action.resetTripB:
				model.resetTrip(action === Action.resetTripA ? 0 : 1);
				this.options.memory.flush(now);
				break;
			case Action.toggleUnits:
				model.setUnits(model.units === METRIC ? IMPERIAL : METRIC);
				this.saveSettings();
				break;
			case Action.cycleTheme:
				model.cycleTheme();
				this.saveSettings();
				break;
			case Action.cycleSound:
				this.cycleSound();
				break;
			case Action.toggleTelemetry: {
				const car = this.options.car;
				if (!this.options.telemetry || !car)
					break;
				car.telemetry = !car.telemetry;
				this.applyTelemetry();
				if (screen.page === "diagnostics")
					this.describe(now);
				break;
			}
			case Action.openDriverMenu: {
				const names = drivers.drivers.map(driver => driver.name);
				screen.openMenu(names, drivers.index, names.length < MAX_DRIVERS, now, this.languageRow());
				break;
			}
			case Action.cycleLanguage: {
				// The build's next language after the driver's (a language it lacks: its first).
				const languages = this.options.speech?.languages;
				if (!languages)
					break;
				drivers.update({ language: languages[(languages.indexOf(drivers.current.language) + 1) % languages.length] });
				screen.menu.showLanguage(this.languageRow(), now);
				break;
			}
			case Action.chooseDriver: {
				const choice = screen.takeChoice();
				if (!choice)
					break;
				drivers.select(choice.add ? drivers.add(newDriverName(drivers.drivers.map(driver => driver.name))) : choice.index);
				this.driverChanged();
				break;
			}
		}
	}

	/** The current driver changed (menu, key): their page shows, their name and settings on the labels. */
	private driverChanged(): void {
		this.screen.showPage(this.drivers.current.page);
		this.screen.mark(ScreenChange.labels);
	}

	/**
	 * The next alert sound for the current driver: with speech, chime and
	 * voice, chime only, silent, and round again; with a chime alone, on or
	 * off. Nothing on a board that sounds nothing.
	 */
	private cycleSound(): void {
		const { chime, speech } = this.options, drivers = this.drivers, driver = drivers.current;
		if (chime && speech)
			drivers.update(driver.chime && driver.speech ? { speech: false } : driver.chime ? { chime: false } : { chime: true, speech: true });
		else if (chime)
			drivers.update({ chime: !driver.chime });
		else if (speech)
			drivers.update({ speech: !driver.speech });
	}

	/**
	 * The driver menu's language row for the current driver, "(n/a)" after a
	 * language this build has no phrases in (its first is spoken); "" where
	 * alerts are not spoken. Allocates.
	 */
	private languageRow(): string {
		const driver = this.drivers.current, speech = this.options.speech;
		if (!speech)
			return "";
		const built = speech.languages.indexOf(driver.language) >= 0;
		return languageRow(driver.name, built ? languageName(driver.language) : `${languageName(driver.language)} (n/a)`);
	}

	/** The telemetry switch follows the car's setting; off without one. */
	private applyTelemetry(): void {
		const telemetry = this.options.telemetry;
		const on = !!this.options.car?.telemetry;
		if (telemetry)
			telemetry.enabled = on;
		this.screen.telemetry = telemetry ? on : null;
		this.screen.mark(ScreenChange.labels);
	}

	/** Keeps units, theme and page as the current driver's. */
	private saveSettings(): void {
		const model = this.model;
		this.drivers.update({ units: model.units === IMPERIAL ? "imperial" : "metric", theme: model.theme.choice, page: this.screen.page });
		this.screen.mark(ScreenChange.labels);
	}

	/** Units, theme, thresholds, brightness, chime, speech and its language of `driver`. */
	private applyDriver(driver: DriverSettings): void {
		const model = this.model, options = this.options;
		model.setUnits(driver.units === "imperial" ? IMPERIAL : METRIC);
		model.theme.choice = driver.theme;
		if (model.alerts)
			this.drivers.applyThresholds(model.alerts);
		options.backlight?.write(driver.brightness);
		if (options.chime)
			options.chime.muted = !driver.chime;
		if (options.speech) {
			options.speech.enabled = driver.speech;
			options.speech.speakIn(driver.language);
		}
		const screen = this.screen;
		screen.driverName = driver.name;
		screen.chime = options.chime ? driver.chime : null;
		screen.speech = options.speech ? driver.speech : null;
		screen.mark(ScreenChange.labels);
	}

	/** Fills the diagnostics page's text lines. Allocates them; once a second while the page shows. */
	private describe(now: number): void {
		const { profile, plan, pipeline } = this.options, diagnostics = this.diagnostics;
		diagnostics.staleNames = staleSignalNames(profile, plan, pipeline.store, now);
		diagnostics.sourceStatus = this.sourceStatus(now);
		const { packs, telemetry } = this.options;
		diagnostics.pack = packs ? packs.carLine : `${profile.name} (built-in)`;
		diagnostics.packLast = packs ? packs.lastOfferRow : "";
		diagnostics.mqtt = telemetry ? telemetry.counts() : "off";
		diagnostics.mqttLast = telemetry ? telemetry.last() : "";
		this.screen.mark(ScreenChange.diagnostics);
	}

	private flushRecording(): void {
		const recording = this.options.recording!, r = recording.recorder;
		recording.flush();
		this.options.log?.(`recording: ${r.frames} frames, ${r.bytes} bytes, ${r.dropped} dropped, ${r.state}\n`);
	}
}
