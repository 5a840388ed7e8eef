/*
 * The telemetry switch (Telemetry.enabled, the car's setting on the
 * diagnostics page) against a real Mosquitto started for this file: off from
 * the start, the link never connects and nothing reaches the broker; turned
 * off while online, an "offline" status and a clean disconnect, then nothing
 * (no snapshot, no alert event, no trip summary is even recorded); turned on
 * again, alerts as they stand and what the outbox held from before, once.
 * The link runs on Node through test/support/node-mqtt-client.ts; its time is
 * the test's (STEP ms a turn), so nothing asserts on the wall clock.
 */
import { expect, test } from "vitest";
import { Backoff } from "../modules/can/backoff.js";
import { AlertMonitor, type AlertRule } from "../modules/cluster/alerts.js";
import { MqttOperation, type MqttClientOptions } from "../modules/connect/mqtt-client.js";
import { Outbox } from "../modules/connect/outbox.js";
import { emptyState, type VehicleState } from "../modules/connect/scheme.js";
import { LinkState, Telemetry } from "../modules/connect/telemetry.js";
import { telemetryCounts } from "../modules/connect/status-line.js";
import { FakeFlash } from "./fixtures/fake-flash.js";
import { describeWithBroker } from "./support/mosquitto.js";
import { NodeMqttClient } from "./support/node-mqtt-client.js";


const STEP = 100;
const NODE = "switchcar";
const BASE = `xs-cluster/v1/${NODE}`;
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

/** Everything published under the cluster's topics and Home Assistant's, as a phone would see it. */
class Watcher {
	readonly messages: Array<{ topic: string; text: string }> = [];
	private client: NodeMqttClient | null = null;
	constructor(private readonly port: number) {}
	async connect(): Promise<void> {
		let subscribed = false;
		const self = this;
		this.client = new NodeMqttClient({
			host: "127.0.0.1", port: this.port, id: `watch-${Math.random().toString(36).slice(2)}`,
			onControl(message) {
				if (message.operation === MqttOperation.CONNACK)
					this.write(null, { operation: MqttOperation.SUBSCRIBE, items: [{ topic: `${BASE}/#`, QoS: 1 }, { topic: "homeassistant/#", QoS: 1 }] });
				if (message.operation === MqttOperation.SUBACK)
					subscribed = true;
			},
			onReadable(count, options) {
				const text = Buffer.from(new Uint8Array(this.read(count)!)).toString("utf8");
				if (options.topic !== undefined)
					self.messages.push({ topic: options.topic, text });
				else
					self.messages[self.messages.length - 1].text += text;
			},
		});
		for (let i = 0; i < 500 && !subscribed; i++)
			await sleep(10);
		if (!subscribed)
			throw new Error("the watcher could not subscribe");
	}
	close(): void {
		this.client?.close();
	}
	/** Alert events as "<action> <alert>". */
	events(): string[] {
		return this.messages.filter(m => m.topic === `${BASE}/event`).map(m => JSON.parse(m.text) as { action: string; alert: string }).map(e => `${e.action} ${e.alert}`);
	}
}

/** Two alerts on quantities 0 and 1, raised at once when the value is above 1. */
const RULES: AlertRule[] = [
	{ id: "a", message: "Alert A", severity: 1, conditions: [{ quantity: 0, above: 1 }], clearMs: 0 },
	{ id: "b", message: "Alert B", severity: 1, conditions: [{ quantity: 1, above: 1 }], clearMs: 0 },
];

/** The link as main.ts builds it, with a car whose values and alerts the test sets, counting the clients it opens. */
function rig(port: number, enabled: boolean) {
	const values = [0, 0];
	const alerts = new AlertMonitor({ read: (q: number) => values[q] }, RULES);
	const state: VehicleState = { ...emptyState(), speed: 40, rpm: 1800, ignition: true, odometer: 1000, tripA: 5 };
	let clients = 0;
	class CountingClient extends NodeMqttClient {
		constructor(options: MqttClientOptions) {
			super(options);
			clients++;
		}
	}
	const telemetry = new Telemetry({
		node: NODE,
		broker: { host: "127.0.0.1", port, secure: false },
		network: { io: CountingClient },
		outbox: new Outbox(new FakeFlash(16 * 4096), { recordBytes: 496 }),
		readState: into => Object.assign(into, state),
		alerts,
		snapshotEveryMs: 1000,
		storeEveryMs: 2000,
		quietMs: 2000,
		backoff: new Backoff({ firstMs: 300, maxMs: 1000 }),
		enabled,
	});
	let now = 0;
	/** Turns (alerts first, as the display tick runs them) until `done` holds; whether it did. */
	const run = async (done: () => boolean, turns = 400) => {
		for (let i = 0; i < turns && !done(); i++) {
			now += STEP;
			alerts.update(now);
			telemetry.service(now, 4096);
			await sleep(2);
		}
		return done();
	};
	return { values, state, telemetry, run, clients: () => clients };
}

describeWithBroker("telemetry switch against mosquitto", broker => {

	test("off-from-the-start: no-connection, nothing-published, nothing-recorded", async () => {
		const watch = new Watcher(broker.port);
		await watch.connect();
		const car = rig(broker.port, false);
		try {
			car.values[0] = 5; // an alert raised
			await car.run(() => false, 30);
			car.state.ignition = false; // and a drive ending
			car.state.speed = NaN;
			await car.run(() => false, 40);
			expect(car.telemetry.state).toBe(LinkState.off);
			expect(car.clients()).toBe(0);
			expect(car.telemetry.counters.published).toBe(0);
			expect(car.telemetry.queued).toBe(0);
			expect(watch.messages).toEqual([]);
			expect(telemetryCounts(car.telemetry)).toBe("off, 0 queued");
			expect(car.telemetry.lastLine).toBe("mqtt: off; nothing is sent");
		}
		finally {
			car.telemetry.close();
			watch.close();
		}
	}, 60000);

	test("on-off-on: offline-and-a-clean-disconnect, silence-while-off, then-alerts-as-they-stand-and-the-queue-once", async () => {
		const watch = new Watcher(broker.port);
		await watch.connect();
		const car = rig(broker.port, true);
		try {
			// On: online, a snapshot, alert A raised.
			car.values[0] = 5;
			expect(await car.run(() => watch.events().includes("raised a") && watch.messages.some(m => m.topic === `${BASE}/state`))).toBe(true);
			expect(await car.run(() => car.telemetry.queued === 0)).toBe(true);

			// Off while online: the retained status says offline, then the link closes (no will: a clean disconnect).
			const before = watch.messages.length;
			car.telemetry.enabled = false;
			expect(car.telemetry.state).toBe(LinkState.off);
			await car.run(() => false, 10);
			expect(watch.messages.slice(before)).toEqual([{ topic: `${BASE}/status`, text: "offline" }]);
			// While off: B raised, A cleared, the drive ends. Nothing goes, nothing is queued.
			const clients = car.clients();
			car.values[1] = 5;
			car.values[0] = 0;
			await car.run(() => false, 20);
			car.state.ignition = false;
			car.state.speed = NaN;
			await car.run(() => false, 40);
			expect(watch.messages.length).toBe(before + 1);
			expect(car.telemetry.queued).toBe(0);
			expect(car.clients()).toBe(clients);

			// On again: online, and the alerts as they stand now (A cleared, B raised); no trip summary spans the time off.
			car.telemetry.enabled = true;
			expect(await car.run(() => watch.events().includes("raised b") && car.telemetry.queued === 0)).toBe(true);
			expect(watch.messages.slice(before + 1).find(m => m.topic === `${BASE}/status`)?.text).toBe("online");
			expect(watch.events()).toEqual(["raised a", "cleared a", "raised b"]);
			expect(watch.messages.some(m => m.topic === `${BASE}/trip`)).toBe(false);

			// The broker goes; an event is queued; telemetry is switched off with it on flash, and the broker comes back.
			await broker.kill();
			car.values[0] = 5;
			expect(await car.run(() => car.telemetry.state !== LinkState.online && car.telemetry.queued > 0)).toBe(true);
			const queued = car.telemetry.queued;
			car.telemetry.enabled = false;
			await broker.start();
			watch.messages.length = 0;
			await watch.connect();
			const reconnects = car.clients();
			await car.run(() => false, 30);
			// Off: the queue waits on flash, nothing connects.
			expect([car.telemetry.queued, car.clients()]).toEqual([queued, reconnects]);
			expect(watch.messages.filter(m => m.topic === `${BASE}/event`)).toEqual([]);
			// On: what was queued goes, once.
			car.telemetry.enabled = true;
			expect(await car.run(() => car.telemetry.queued === 0 && watch.events().includes("raised a"), 600)).toBe(true);
			expect(watch.events().filter(e => e === "raised a")).toHaveLength(1);
		}
		finally {
			car.telemetry.close();
			watch.close();
		}
	}, 120000);
});
