/*
 * xs-cluster composition root: builds the pipeline from what the host
 * provides (a CAN source and a compiled decode plan), binds the vehicle
 * profile, and runs the display clock that drives the cluster view.
 *
 * Each display tick (Piu's application clock, 30 a second): the source moves
 * the frames that are due into the ring, the bus meter decodes them into the
 * signal store, the cluster model reads its quantities, and the view redraws
 * what changed. A health line is traced every 5 s (debug builds show it in
 * xsbug or xsbug-log). Runs on XS (simulator and device); allocates at start,
 * then only for changed strings, needle outlines and the health line.
 */
import {} from "piu/MC";
import Resource from "Resource";
import Timer from "timer";
import Instrumentation from "instrumentation";
import { DecodePlan } from "signals/plan";
import { Health, Pipeline, formatHealth } from "signals/pipeline";
import { VehicleInputs } from "cluster/vehicle";
import { ClusterModel } from "cluster/cluster";
import { BusMeter, Diagnostics } from "cluster/diagnostics";
import { ClusterView } from "ui/cluster-view";
import { openCanSource } from "host/can-source";
import { DEMO_PROFILE as profile } from "host/profile";

const HEALTH_INTERVAL_MS = 5000;
/** The compiled plan the host's manifest provides as a resource; `host/profile` binds it. */
const PLAN_RESOURCE = "demo-car.plan";

const plan = new DecodePlan(new Resource(PLAN_RESOURCE) as unknown as ArrayBuffer);
const pipeline = new Pipeline(plan);
const source = openCanSource(pipeline.ring, plan);
const inputs = new VehicleInputs(plan, pipeline.store, profile.quantities);
const model = new ClusterModel(inputs, { gears: profile.gears });
const meter = new BusMeter();
const diagnostics = new Diagnostics(meter);
const health = new Health();
const start = Date.now();
const now = () => Date.now() - start;

/** Names of the profile's signals that are stale now, for the diagnostics page. Allocates. */
function staleNames(at: number): string {
	let names = "", count = 0;
	const signals = inputs.signals, store = pipeline.store;
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

const view = new ClusterView(model, diagnostics, {
	source: source.description,
	now,
	tick(at: number) {
		source.step(at);
		meter.pump(pipeline);
		return model.update(at);
	},
	sample(at: number) {
		return diagnostics.sample(at, pipeline.health(at, health), view.drawn, view.ticks);
	},
	staleNames,
});
model.start(now());

/*
 * Buttons, where the host has them (the M5Stack, real or simulated, puts A, B
 * and C on Host.Button): A switches pages, B units, C the theme. A touch
 * screen switches pages too; the diagnostics page has buttons for the rest.
 */
interface HostButton { new (options: { onPush(pressed: number): void }): object }
const hostButtons = (globalThis as { Host?: { Button?: { a?: HostButton; b?: HostButton; c?: HostButton } } }).Host?.Button;
const buttons: object[] = [];
if (hostButtons?.a && hostButtons.b && hostButtons.c) {
	buttons.push(new hostButtons.a({ onPush(pressed) { if (pressed) view.togglePage(); } }));
	buttons.push(new hostButtons.b({ onPush(pressed) { if (pressed) view.toggleUnits(); } }));
	buttons.push(new hostButtons.c({ onPush(pressed) { if (pressed) view.cycleTheme(); } }));
}

const slotHeap = Instrumentation.map("XS Slot Heap Used"), chunkHeap = Instrumentation.map("XS Chunk Heap Used");
const pixelsDrawn = Instrumentation.map("Pixels Drawn");
trace(`xs-cluster: ${profile.name}, ${plan.messageCount} messages, ${plan.signalCount} signals, source ${source.description}\n`);

Timer.repeat(() => {
	const at = now();
	pipeline.health(at, health);
	const slot = slotHeap === undefined ? undefined : Instrumentation.get(slotHeap);
	const chunk = chunkHeap === undefined ? undefined : Instrumentation.get(chunkHeap);
	// Instrumentation counts pixels drawn over its last one-second sample, not in total.
	const pixels = pixelsDrawn === undefined ? undefined : Instrumentation.get(pixelsDrawn);
	trace(`health: ${formatHealth(health)}; ui ${view.drawn} frames drawn of ${view.ticks} ticks, ${pixels ?? "?"} pixels/s, page ${view.page}; heap slot ${slot ?? "?"} chunk ${chunk ?? "?"}\n`);
}, HEALTH_INTERVAL_MS);

export default view.application;
