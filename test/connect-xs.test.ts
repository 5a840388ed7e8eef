/*
 * The telemetry core on the engine the device runs: the outbox under power
 * cuts (on FakeFlash, test/fixtures/fake-flash.ts), the payload and
 * discovery encoding (byte for byte what V8 makes), and the whole link over
 * an in-script MQTT client that acknowledges what it is sent, all compiled
 * with the device's settings and run by the xsnap worker. Skipped, saying
 * why, when the worker is not built; under CI it fails.
 */
import { expect, test } from "vitest";
import { discoveryConfigs } from "../modules/connect/discovery.js";
import { encodeAlert, encodeState, encodeTrip, topicsFor } from "../modules/connect/scheme.js";
import { outboxPowerCuts, type OutboxPowerCutsResult } from "./support/outbox-power-cuts.js";
import { describeOnXs } from "./support/xs-suite.js";


/** Inputs both engines encode. */
const STATE = { speed: 88.26, rpm: 2400.4, gear: 4, fuel: 51.55, range: 420.2, coolant: 91.04, battery: 14.126, odometer: 12345.67, tripA: 12.345, tripB: NaN, checkEngine: 1, ignition: true, bus: "error-active", frames: 123456, drops: 2 };
const TRIP = { distance: 23.456, duration: 1800, moving: 1500, fuel: 1.7, odometer: 12345.67 };

const DRIVER = `
import { Outbox } from "./modules/connect/outbox.js";
import { encodeAlert, encodeState, encodeTrip, topicsFor } from "./modules/connect/scheme.js";
import { discoveryConfigs } from "./modules/connect/discovery.js";
import { Telemetry } from "./modules/connect/telemetry.js";
import { utf8Bytes, utf8Text } from "./modules/connect/utf8.js";
import { Backoff } from "./modules/can/backoff.js";
import { FakeFlash } from "./test/fixtures/fake-flash.js";
import { outboxPowerCuts } from "./test/support/outbox-power-cuts.js";

const json = value => utf8Bytes(JSON.stringify(value)).buffer;

/** The scenario test/connect-outbox.test.ts runs on Node (test/support/outbox-power-cuts.ts). */
globalThis.outboxPowerCuts = options => json(outboxPowerCuts(options));

globalThis.encodings = function (state, trip) {
	const topics = topicsFor("car1");
	return json({
		state: encodeState(7, 1234.4, state),
		alert: encodeAlert(8, 1300, "raised", "coolant-hot", 2, "Coolant hot \\u00b0C"),
		trip: encodeTrip(9, 1400, trip),
		discovery: discoveryConfigs({ node: "car1", topics, drivers: ["Anna", "Bj\\u00f6rn"], version: "0.1.0" }),
	});
};

/** An MQTT client in the SDK's shape that accepts at once and acknowledges everything. */
const later = [];
class LoopbackClient {
	static sent = [];
	constructor(options) {
		this.options = options;
		later.push(() => {
			options.onControl.call(this, { operation: 2 });
			options.onWritable.call(this, 8192);
		});
	}
	write(data, options) {
		if (options.operation === 8)
			return 8192;
		LoopbackClient.sent.push({ topic: options.topic, text: data ? utf8Text(new Uint8Array(data)) : "", QoS: options.QoS ?? 0 });
		if (options.QoS)
			later.push(() => this.options.onControl.call(this, { operation: 4, id: options.id }));
		return 8192;
	}
	read() {}
	close() {}
}

globalThis.drive = function () {
	const flash = new FakeFlash(8 * 4096, 4096);
	const state = ${JSON.stringify(STATE).replace("null", "NaN")};
	const telemetry = new Telemetry({
		node: "car1", broker: { host: "broker", port: 1883, secure: false }, network: { io: LoopbackClient },
		outbox: new Outbox(flash, { recordBytes: 240 }), readState: into => Object.assign(into, state),
		snapshotEveryMs: 1000, quietMs: 2000, backoff: new Backoff({ firstMs: 100, maxMs: 1000 }),
	});
	let now = 0;
	const turn = n => {
		for (let i = 0; i < n; i++) {
			now += 100;
			telemetry.service(now, 4096);
			for (const callback of later.splice(0))
				callback(); // the network's turn: callbacks between ticks, as on the device
		}
	};
	turn(5);
	telemetry.alert(now, "raised", "low-fuel", 1, "Low fuel");
	turn(20);
	state.ignition = false;
	turn(40);
	return json({ sent: LoopbackClient.sent, queued: telemetry.queued, counters: telemetry.counters });
};
`;

const XS_FILES = ["modules/connect/telemetry.ts", "modules/connect/outbox.ts", "modules/connect/scheme.ts", "modules/connect/discovery.ts", "modules/connect/utf8.ts", "modules/can/backoff.ts", "test/fixtures/fake-flash.ts", "test/support/outbox-power-cuts.ts"];

describeOnXs("telemetry core", XS_FILES, DRIVER, ({ json }) => {
	test("outbox-power-cuts-on-xs-lose-nothing-queued", async () => {
		// As on Node, whose answers are the same.
		const options = { devices: 25, cutsPerDevice: 4, steps: 400, cutBlocks: 6, seed: 16 };
		const r = await json<OutboxPowerCutsResult>(`outboxPowerCuts(${JSON.stringify(options)})`);
		expect(r.problems).toEqual([]);
		expect(r.overwrites).toBe(0);
		expect(r.cuts).toBeGreaterThan(25);
		expect(r).toEqual(outboxPowerCuts(options));
	}, 120_000);

	test("payloads-and-discovery-encode-on-xs-as-on-v8", async () => {
		const xs = await json<Record<string, unknown>>(`encodings(${JSON.stringify(STATE).replace("null", "NaN")}, ${JSON.stringify(TRIP)})`);
		expect(xs.state).toBe(encodeState(7, 1234.4, STATE));
		expect(xs.alert).toBe(encodeAlert(8, 1300, "raised", "coolant-hot", 2, "Coolant hot \u00b0C"));
		expect(xs.trip).toBe(encodeTrip(9, 1400, TRIP));
		expect(xs.discovery).toEqual(discoveryConfigs({ node: "car1", topics: topicsFor("car1"), drivers: ["Anna", "Bj\u00f6rn"], version: "0.1.0" }));
	}, 60_000);

	test("the-link-publishes-and-drains-on-xs", async () => {
		const result = await json<{ sent: Array<{ topic: string; text: string; QoS: number }>; queued: number; counters: Record<string, number> }>("drive()");
		const topics = result.sent.map(m => m.topic);
		expect(topics[0]).toBe("xs-cluster/v1/car1/status");
		expect(topics).toContain("homeassistant/sensor/car1/odometer/config");
		const event = result.sent.find(m => m.topic === "xs-cluster/v1/car1/event")!;
		expect(JSON.parse(event.text)).toMatchObject({ type: "alert", alert: "low-fuel", action: "raised" });
		expect(event.QoS).toBe(1);
		expect(result.sent.some(m => m.topic === "xs-cluster/v1/car1/trip")).toBe(true);
		expect(result.sent.filter(m => m.topic === "xs-cluster/v1/car1/state").length).toBeGreaterThan(3);
		expect(result.queued).toBe(0);
		expect(result.counters.connections).toBe(1);
		expect(result.counters.acknowledged).toBe(2);
	}, 60_000);
}, 120_000);
