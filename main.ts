/*
 * xs-cluster composition root: builds the pipeline from what the host
 * provides (a CAN source and a compiled decode plan) and runs its two clocks.
 * Runs on XS (simulator and device).
 */
import Resource from "Resource";
import Timer from "timer";
import { DecodePlan } from "signals/plan";
import { Health, Pipeline, formatHealth } from "signals/pipeline";
import { openCanSource } from "host/can-source";

/** The display clock: 30 updates a second. */
const DISPLAY_INTERVAL_MS = 33;
const HEALTH_INTERVAL_MS = 5000;

const plan = new DecodePlan(new Resource("demo-car.plan") as unknown as ArrayBuffer);
const pipeline = new Pipeline(plan);
const source = openCanSource(pipeline.ring);
const health = new Health();
const start = Date.now();

trace(`xs-cluster: ${plan.messageCount} messages, ${plan.signalCount} signals, source ${source.description}\n`);

Timer.repeat(() => {
	source.step(Date.now() - start);
	pipeline.pump();
}, DISPLAY_INTERVAL_MS);

Timer.repeat(() => {
	trace(`health: ${formatHealth(pipeline.health(Date.now() - start, health))}\n`);
}, HEALTH_INTERVAL_MS);
