/*
 * The telemetry link against a real Mosquitto: started once for this file on
 * a free loopback port, killed and started again mid-stream. The link runs on
 * Node through test/support/node-mqtt-client.ts (the SDK client's shape);
 * the test's own subscriber is the same client. Time inside the link is the
 * test's: each turn advances `now` by STEP ms and yields to the event loop
 * for the sockets, so nothing here asserts on the wall clock.
 */
import { createServer, type Server, type Socket } from "node:net";
import { describe, expect, test } from "vitest";
import { Backoff } from "../modules/can/backoff.js";
import { MqttOperation } from "../modules/connect/mqtt-client.js";
import { MessageKind, Outbox } from "../modules/connect/outbox.js";
import { emptyState, type VehicleState } from "../modules/connect/scheme.js";
import { LinkState, Telemetry, type TelemetryOptions } from "../modules/connect/telemetry.js";
import { FakeFlash, random } from "./fixtures/fake-flash.js";
import { describeWithBroker } from "./support/mosquitto.js";
import { NodeMqttClient } from "./support/node-mqtt-client.js";
import { checkSchema, telemetrySchema } from "./support/json-schema.js";


const STEP = 100;
const NODE = "testcar";
const BASE = `xs-cluster/v1/${NODE}`;

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

interface Received {
	topic: string;
	text: string;
	retained?: boolean;
}

/** A subscriber to everything the cluster publishes, as a phone or Home Assistant would be. */
class Subscriber {
	readonly messages: Received[] = [];
	private client: NodeMqttClient | null = null;
	constructor(private readonly port: number, private readonly topics = [`${BASE}/#`, "homeassistant/#"]) {}

	async connect(): Promise<void> {
		let subscribed = false, failed = false;
		const self = this;
		const client = new NodeMqttClient({
			host: "127.0.0.1", port: this.port, id: `sub-${Math.random().toString(36).slice(2)}`,
			onControl(message) {
				if (message.operation === MqttOperation.CONNACK)
					this.write(null, { operation: MqttOperation.SUBSCRIBE, items: self.topics.map(topic => ({ topic, QoS: 1 })) });
				if (message.operation === MqttOperation.SUBACK)
					subscribed = true;
			},
			onReadable(count, options) {
				const bytes = new Uint8Array(this.read(count)!);
				if (options.topic !== undefined)
					self.messages.push({ topic: options.topic, text: "" });
				self.messages[self.messages.length - 1].text += Buffer.from(bytes).toString("utf8");
			},
			onError() {
				failed = true;
			},
		});
		this.client = client;
		for (let i = 0; i < 500 && !subscribed && !failed; i++)
			await sleep(10);
		if (!subscribed)
			throw new Error("subscriber could not subscribe");
	}

	/** A message as another client would publish it. */
	publish(topic: string, payload: Uint8Array | string, retain = false): void {
		const bytes = typeof payload === "string" ? Buffer.from(payload) : payload;
		this.client!.write(new Uint8Array(bytes), { topic, QoS: 1, retain, id: 77 });
	}

	close(): void {
		this.client?.close();
		this.client = null;
	}

	/** JSON payloads on `topic`, each seq once (the receiver's de-duplication), in arrival order. */
	distinct(topic: string): Array<Record<string, unknown>> {
		const seen = new Set<number>();
		const out: Array<Record<string, unknown>> = [];
		for (const m of this.messages)
			if (m.topic === topic) {
				const json = JSON.parse(m.text) as Record<string, unknown>;
				if (!seen.has(json.seq as number)) {
					seen.add(json.seq as number);
					out.push(json);
				}
			}
		return out;
	}
}

/** The car as the link reads it: the test sets these. */
function car(): VehicleState {
	return { ...emptyState(), speed: 50, rpm: 2000, gear: 3, fuel: 40, range: 300, coolant: 90, battery: 14.1, odometer: 12345.6, tripA: 10, tripB: 100, checkEngine: 0, ignition: true, bus: "error-active", frames: 100, drops: 0 };
}

class Device {
	now = 0;
	readonly lines: string[] = [];
	readonly telemetry: Telemetry;
	constructor(readonly flash: FakeFlash, readonly state: VehicleState, port: number, extra: Partial<TelemetryOptions> = {}) {
		this.telemetry = new Telemetry({
			node: NODE,
			broker: { host: "127.0.0.1", port, secure: false },
			network: { io: NodeMqttClient },
			outbox: new Outbox(flash, { recordBytes: 496 }),
			readState: into => Object.assign(into, this.state),
			snapshotEveryMs: 1000,
			storeEveryMs: 5000,
			quietMs: 3000,
			connectTimeoutMs: 3000,
			ackTimeoutMs: 5000,
			backoff: new Backoff({ firstMs: 500, maxMs: 2000 }),
			log: line => this.lines.push(line),
			...extra,
		});
	}

	/** Turns until `done` holds (or `turns` run out); returns whether it held. */
	async run(done: () => boolean, turns = 600, budget = 4096): Promise<boolean> {
		for (let i = 0; i < turns; i++) {
			if (done())
				return true;
			this.now += STEP;
			this.telemetry.service(this.now, budget);
			await sleep(2);
		}
		return done();
	}

	/** The device loses power: its link just stops (the socket dies with it). */
	die(): void {
		this.telemetry.close();
	}
}

/** Events waiting in the device's outbox (snapshots left out). */
function queuedEvents(device: Device): number {
	const outbox = device.telemetry.outbox;
	let n = 0;
	for (let i = 0; i < outbox.length; i++)
		if (outbox.kindAt(i) === MessageKind.event)
			n++;
	return n;
}

/** A TCP server that is not a working MQTT broker: `behave` decides what it does with each connection. */
async function fakeBroker(behave: (socket: Socket) => void): Promise<{ server: Server; port: number }> {
	const server = createServer(behave);
	await new Promise<void>(resolve => server.listen(0, "127.0.0.1", resolve));
	const address = server.address();
	return { server, port: typeof address === "object" && address ? address.port : 0 };
}

describeWithBroker("telemetry against mosquitto", broker => {

	test("publishes-state-events-trips-and-discovery-by-the-scheme", async () => {
		const sub = new Subscriber(broker.port);
		await sub.connect();
		const device = new Device(new FakeFlash(16 * 4096), car(), broker.port);
		try {
			expect(await device.run(() => device.telemetry.state === LinkState.online)).toBe(true);
			expect(await device.run(() => sub.messages.some(m => m.topic === `${BASE}/state`))).toBe(true);
			device.telemetry.alert(device.now, "raised", "coolant-hot", 2, "Coolant hot");
			device.state.tripA = 22.5;
			device.state.ignition = false;
			device.state.speed = NaN;
			device.state.rpm = NaN;
			expect(await device.run(() => sub.messages.some(m => m.topic === `${BASE}/trip`) && device.telemetry.queued === 0)).toBe(true);

			expect(sub.messages.find(m => m.topic === `${BASE}/status`)?.text).toBe("online");
			const state = sub.distinct(`${BASE}/state`)[0];
			expect(state).toMatchObject({ v: 1, speed: 50, rpm: 2000, gear: 3, fuel: 40, coolant: 90, battery: 14.1, odometer: 12345.6, checkEngine: false, ignition: true, bus: "error-active" });
			const [event] = sub.distinct(`${BASE}/event`);
			expect(event).toMatchObject({ v: 1, type: "alert", alert: "coolant-hot", action: "raised", severity: "critical", message: "Coolant hot" });
			const [trip] = sub.distinct(`${BASE}/trip`);
			expect(trip).toMatchObject({ v: 1, type: "trip", distance: 12.5, odometer: 12345.6 });
			// One counter over every kind, rising.
			expect((event.seq as number) > (state.seq as number) && (trip.seq as number) > (event.seq as number)).toBe(true);
			for (const m of sub.messages.filter(m => m.topic.startsWith(BASE) && /\/(state|event|trip)$/.test(m.topic)))
				expect(checkSchema(telemetrySchema(), JSON.parse(m.text)), m.text).toEqual([]);
			const discovery = sub.messages.filter(m => m.topic.startsWith("homeassistant/"));
			expect(discovery.map(m => m.topic)).toContain(`homeassistant/sensor/${NODE}/fuel/config`);
			expect(discovery.map(m => m.topic)).toContain(`homeassistant/binary_sensor/${NODE}/check_engine/config`);
			expect(device.telemetry.counters.failures).toBe(0);
		}
		finally {
			device.die();
			sub.close();
		}
	}, 60000);

	test("broker-down-for-a-drive-and-two-power-cuts-every-event-arrives-once-in-order", async () => {
		const rand = random(16);
		const flash = new FakeFlash(16 * 4096, 4096, 7);
		const sub = new Subscriber(broker.port);
		await sub.connect();
		let device = new Device(flash, car(), broker.port);
		const sent: string[] = []; // alert ids reported before the power went: each must arrive once, in this order
		// The device is gone from the moment its flash loses power (Telemetry counts flash failures, it does not throw).
		let cutsBefore = 0;
		const dead = () => flash.cutsInWrite + flash.cutsInErase > cutsBefore;
		const report = (d: Device, id: string) => {
			d.telemetry.alert(d.now, "raised", id, 1, `alert ${id}`);
			sent.push(dead() ? `${id}?` : id); // the one being written when the power went may or may not be on flash
		};
		try {
			expect(await device.run(() => device.telemetry.state === LinkState.online)).toBe(true);
			report(device, "before");
			expect(await device.run(() => device.telemetry.queued === 0)).toBe(true);

			await broker.kill(); // the broker crashes mid-stream
			let n = 0;
			for (let cut = 0; cut < 2; cut++) {
				// Driving with no broker: events, snapshots (some queued), one trip summary per leg.
				for (let i = 0; i < 12; i++) {
					report(device, `e${n++}`);
					await device.run(() => false, 10);
				}
				device.state.ignition = false;
				await device.run(() => false, 40); // quiet: the trip summary is queued
				device.state.ignition = true;
				// The power goes at a random byte of the next flash writes.
				cutsBefore = flash.cutsInWrite + flash.cutsInErase;
				flash.cutAfter(Math.floor(rand() * 3000));
				while (!dead()) {
					report(device, `e${n++}`);
					if (!dead())
						await device.run(dead, 5);
				}
				device.die();
				flash.restore();
				device = new Device(flash, car(), broker.port);
			}
			for (let i = 0; i < 3; i++)
				report(device, `after${i}`);
			await device.run(() => false, 30);
			expect(device.telemetry.state).not.toBe(LinkState.online);
			expect(device.telemetry.counters.snapshotsDropped).toBeGreaterThan(0);

			await broker.start();
			sub.messages.length = 0;
			await sub.connect();
			expect(await device.run(() => device.telemetry.queued === 0, 2000)).toBe(true);
			expect(await device.run(() => false, 20)).toBe(false);

			const got = sub.distinct(`${BASE}/event`).map(e => e.alert as string);
			// Exactly once each (after seq de-duplication), in order; the one cut mid-write may be missing.
			const expected = sent.filter(id => !id.endsWith("?") || got.includes(id.slice(0, -1))).map(id => id.replace("?", ""));
			expect(got.filter(id => id !== "before")).toEqual(expected.filter(id => id !== "before"));
			const trips = sub.distinct(`${BASE}/trip`);
			expect(trips.length).toBe(2);
			const seqs = [...sub.distinct(`${BASE}/event`), ...trips].map(m => m.seq as number);
			expect(new Set(seqs).size).toBe(seqs.length);
			// In order across topics too: the broker forwards them as the cluster sent them.
			const order = sub.messages.filter(m => /\/(event|trip)$/.test(m.topic)).map(m => JSON.parse(m.text).seq as number);
			const firsts = order.filter((seq, i) => order.indexOf(seq) === i);
			expect(firsts).toEqual([...firsts].sort((a, b) => a - b));
		}
		finally {
			device.die();
			sub.close();
			if (!(await brokerUp()))
				await broker.start();
		}

		async function brokerUp(): Promise<boolean> {
			try {
				const probe = new Subscriber(broker.port);
				await probe.connect();
				probe.close();
				return true;
			}
			catch {
				return false;
			}
		}
	}, 120000);

	test("a-driver-is-chosen-remotely-checked-against-the-drivers", async () => {
		const sub = new Subscriber(broker.port);
		await sub.connect();
		const drivers = { drivers: [{ name: "Anna" }, { name: "Ben" }], index: 0, select(i: number) { this.index = i; } };
		const device = new Device(new FakeFlash(16 * 4096), car(), broker.port, { drivers });
		try {
			expect(await device.run(() => device.telemetry.state === LinkState.online)).toBe(true);
			expect(await device.run(() => sub.messages.some(m => m.topic === `${BASE}/driver` && m.text === "Anna"))).toBe(true);
			sub.publish(`${BASE}/driver/set`, "Ben");
			expect(await device.run(() => drivers.index === 1)).toBe(true);
			expect(await device.run(() => sub.messages.some(m => m.topic === `${BASE}/driver` && m.text === "Ben"))).toBe(true);
			sub.publish(`${BASE}/driver/set`, "Mallory");
			expect(await device.run(() => device.telemetry.counters.driverRefused === 1)).toBe(true);
			expect(device.telemetry.lastLine).toBe("mqtt: driver command 'Mallory' names no driver on this cluster (Anna, Ben)");
			sub.publish(`${BASE}/driver/set`, new Uint8Array([0xFF, 0xFE]));
			expect(await device.run(() => device.telemetry.counters.driverRefused === 2)).toBe(true);
			expect(drivers.index).toBe(1);
			const select = sub.messages.find(m => m.topic === `homeassistant/select/${NODE}/driver/config`);
			expect(JSON.parse(select!.text)).toMatchObject({ options: ["Anna", "Ben"], command_topic: `${BASE}/driver/set` });
			// A driver added on the cluster: Home Assistant's select lists them all again, on the same connection.
			drivers.drivers.push({ name: "Cleo" });
			const connections = device.telemetry.counters.connections;
			expect(await device.run(() => sub.messages.some(m => m.topic === `homeassistant/select/${NODE}/driver/config` && JSON.parse(m.text).options.length === 3))).toBe(true);
			expect(JSON.parse(sub.messages.filter(m => m.topic === `homeassistant/select/${NODE}/driver/config`).at(-1)!.text)).toMatchObject({ options: ["Anna", "Ben", "Cleo"] });
			expect(device.telemetry.counters.connections).toBe(connections);
		}
		finally {
			device.die();
			sub.close();
		}
	}, 60000);

	test("a-retained-pack-reaches-the-installer-and-an-oversized-message-is-discarded", async () => {
		const sub = new Subscriber(broker.port);
		await sub.connect();
		const packs: Uint8Array[] = [];
		const pack = new Uint8Array(20000).map((_, i) => (i * 7) & 0xFF);
		sub.publish(`${BASE}/pack`, pack, true); // retained: arrives when the cluster subscribes
		await sleep(50);
		const device = new Device(new FakeFlash(16 * 4096), car(), broker.port, { onPack: bytes => packs.push(bytes.slice()), maxPackBytes: 32768, drivers: { drivers: [{ name: "Anna" }], index: 0, select() {} } });
		try {
			expect(await device.run(() => packs.length === 1)).toBe(true);
			expect(packs[0]).toEqual(pack);
			sub.publish(`${BASE}/pack`, new Uint8Array(40000));
			expect(await device.run(() => device.telemetry.counters.oversized === 1)).toBe(true);
			expect(device.telemetry.lastLine).toBe(`mqtt: a 40000-byte message on ${BASE}/pack is over its 32768-byte limit; discarded`);
			sub.publish(`${BASE}/driver/set`, "x".repeat(1000));
			expect(await device.run(() => device.telemetry.counters.oversized === 2)).toBe(true);
			// Still connected and publishing.
			expect(device.telemetry.state).toBe(LinkState.online);
			const before = device.telemetry.counters.published;
			expect(await device.run(() => device.telemetry.counters.published > before)).toBe(true);
			expect(packs.length).toBe(1);
		}
		finally {
			sub.publish(`${BASE}/pack`, new Uint8Array(0), true); // clear the retained pack
			await sleep(20);
			device.die();
			sub.close();
		}
	}, 60000);

	test("credentials-are-never-printed", async () => {
		const device = new Device(new FakeFlash(16 * 4096), car(), broker.port, { user: "driver-login", password: "s3cret-pw" });
		try {
			expect(await device.run(() => device.telemetry.state === LinkState.online)).toBe(true);
			await broker.kill();
			await device.run(() => device.telemetry.counters.failures > 1, 200);
			await broker.start();
			expect(await device.run(() => device.telemetry.state === LinkState.online, 1000)).toBe(true);
			expect(device.lines.length).toBeGreaterThan(2);
			expect(device.lines.join("\n")).not.toMatch(/s3cret-pw|driver-login/);
		}
		finally {
			device.die();
		}
	}, 60000);
});

describe("telemetry against brokers that misbehave", () => {
	test("a-broker-that-accepts-and-never-acknowledges-is-given-up-on-and-counted", async () => {
		const sockets: Socket[] = [];
		const { server, port } = await fakeBroker(socket => {
			sockets.push(socket);
			socket.on("error", () => {});
		});
		const device = new Device(new FakeFlash(16 * 4096), car(), port);
		try {
			expect(await device.run(() => device.telemetry.counters.connectTimeouts >= 2, 2000)).toBe(true);
			expect(device.telemetry.state).not.toBe(LinkState.online);
			expect(device.lines).toContain(`mqtt: mqtt://127.0.0.1:${port} accepted the connection but sent no CONNACK in 3 s; retry in 0.5 s`);
			// Snapshots that cannot go out are counted; events wait on flash.
			device.telemetry.alert(device.now, "raised", "low-fuel", 1, "Low fuel");
			expect(queuedEvents(device)).toBe(1);
			expect(device.telemetry.counters.snapshotsDropped).toBeGreaterThan(0);
		}
		finally {
			device.die();
			for (const socket of sockets)
				socket.destroy();
			server.close();
		}
	}, 60000);

	test("a-broker-that-connects-but-never-acknowledges-messages-is-left-and-retried", async () => {
		const sockets: Socket[] = [];
		const { server, port } = await fakeBroker(socket => {
			sockets.push(socket);
			socket.on("error", () => {});
			socket.once("data", () => socket.write(Buffer.from([0x20, 2, 0, 0]))); // CONNACK, then silence
		});
		const device = new Device(new FakeFlash(16 * 4096), car(), port);
		try {
			expect(await device.run(() => device.telemetry.state === LinkState.online)).toBe(true);
			device.telemetry.alert(device.now, "raised", "low-fuel", 1, "Low fuel");
			expect(await device.run(() => device.telemetry.counters.ackTimeouts >= 1, 2000)).toBe(true);
			expect(device.lines.some(line => /did not acknowledge message \d+ in 5 s; retry in/.test(line))).toBe(true);
			expect(queuedEvents(device)).toBe(1); // still waiting, on flash
			expect(await device.run(() => device.telemetry.counters.connections >= 2, 2000)).toBe(true);
		}
		finally {
			device.die();
			for (const socket of sockets)
				socket.destroy();
			server.close();
		}
	}, 60000);

	test("a-broker-that-sends-garbage-is-counted-and-the-cluster-carries-on", async () => {
		const rand = random(4);
		const sockets: Socket[] = [];
		const { server, port } = await fakeBroker(socket => {
			sockets.push(socket);
			socket.on("error", () => {});
			socket.once("data", () => {
				const garbage = Buffer.alloc(64);
				for (let i = 0; i < garbage.length; i++)
					garbage[i] = Math.floor(rand() * 256);
				garbage[0] = 0xF0; // packet type 15: not MQTT 3.1.1
				socket.write(garbage);
			});
		});
		const device = new Device(new FakeFlash(16 * 4096), car(), port);
		try {
			expect(await device.run(() => device.telemetry.counters.failures >= 3, 2000)).toBe(true);
			expect(device.telemetry.counters.connections).toBe(0);
			expect(device.telemetry.lastLine).toMatch(new RegExp(`^mqtt: no MQTT connection to mqtt://127.0.0.1:${port} \\(refused, closed, or not an MQTT broker\\); retry in 2 s$`));
		}
		finally {
			device.die();
			for (const socket of sockets)
				socket.destroy();
			server.close();
		}
	}, 60000);

	test("no-broker-at-all-backs-off-doubling-to-its-limit", async () => {
		const { server, port } = await fakeBroker(socket => socket.destroy());
		server.close(); // nothing listens: connections are refused
		await sleep(20);
		const device = new Device(new FakeFlash(16 * 4096), car(), port);
		try {
			expect(await device.run(() => device.telemetry.counters.failures >= 4, 2000)).toBe(true);
			const waits = device.lines.map(line => /retry in ([\d.]+) s/.exec(line)?.[1]).filter(Boolean);
			expect(waits.slice(0, 4)).toEqual(["0.5", "1", "2", "2"]);
		}
		finally {
			device.die();
		}
	}, 60000);
});
