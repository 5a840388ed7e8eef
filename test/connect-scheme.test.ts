import { describe, expect, test } from "vitest";
import { discoveryConfigs } from "../modules/connect/discovery.js";
import { parseBroker } from "../modules/connect/mqtt-client.js";
import { checkNodeId, emptyState, encodeAlert, encodeState, encodeTrip, topicsFor } from "../modules/connect/scheme.js";
import { utf8Bytes, utf8Length, utf8Text } from "../modules/connect/utf8.js";
import { readVehicleState } from "../modules/connect/vehicle-state.js";
import { BusState, BusStatus } from "../modules/can/bus-status.js";
import { Quantity } from "../modules/cluster/quantity.js";
import { TripComputer } from "../modules/cluster/trip.js";
import { checkSchema, telemetrySchema } from "./support/json-schema.js";

const full = { ...emptyState(), speed: 88.26, rpm: 2400.4, gear: 4, fuel: 51.55, range: 420.2, coolant: 91.04, battery: 14.126, odometer: 12345.67, tripA: 12.345, tripB: 3, checkEngine: 1, ignition: true, bus: "error-active", frames: 10, drops: 0 };

describe("payloads", () => {
	test("a-snapshot-rounds-and-matches-the-schema", () => {
		const json = JSON.parse(encodeState(5, 1234.6, full));
		expect(json).toEqual({ v: 1, seq: 5, t: 1235, type: "state", speed: 88.3, rpm: 2400, gear: 4, fuel: 51.6, range: 420, coolant: 91, battery: 14.13, odometer: 12345.7, tripA: 12.35, tripB: 3, checkEngine: true, ignition: true, bus: "error-active", frames: 10, drops: 0 });
		expect(checkSchema(telemetrySchema(), json)).toEqual([]);
	});

	test("missing-non-finite-and-impossible-values-are-null", () => {
		const json = JSON.parse(encodeState(6, 0, { ...full, speed: Infinity, rpm: NaN, fuel: 140, coolant: -300, battery: -1, odometer: NaN, checkEngine: NaN }));
		expect(json).toMatchObject({ speed: null, rpm: null, fuel: null, coolant: null, battery: null, odometer: null, checkEngine: null });
		expect(checkSchema(telemetrySchema(), json)).toEqual([]);
		expect(checkSchema(telemetrySchema(), JSON.parse(encodeState(1, 0, emptyState())))).toEqual([]);
	});

	test("alerts-and-trips-match-the-schema", () => {
		const alert = JSON.parse(encodeAlert(7, 10, "acknowledged", "coolant-hot", 2, "Coolant hot"));
		expect(alert).toEqual({ v: 1, seq: 7, t: 10, type: "alert", alert: "coolant-hot", action: "acknowledged", severity: "critical", message: "Coolant hot" });
		const trip = JSON.parse(encodeTrip(8, 20, { distance: 30, duration: 1800, moving: 1500, fuel: 2.1, odometer: 500 }));
		expect(trip).toEqual({ v: 1, seq: 8, t: 20, type: "trip", distance: 30, duration: 1800, moving: 1500, fuel: 2.1, averageSpeed: 60, economy: 7, odometer: 500 });
		const idle = JSON.parse(encodeTrip(9, 20, { distance: 0, duration: 0, moving: NaN, fuel: NaN, odometer: NaN }));
		expect(idle).toMatchObject({ averageSpeed: null, economy: null, moving: null, fuel: null });
		for (const payload of [alert, trip, idle])
			expect(checkSchema(telemetrySchema(), payload)).toEqual([]);
	});

	test("the-schema-refuses-what-the-scheme-does-not-say", () => {
		const state = JSON.parse(encodeState(5, 0, full));
		expect(checkSchema(telemetrySchema(), { ...state, v: 2 })).not.toEqual([]);
		expect(checkSchema(telemetrySchema(), { ...state, extra: 1 })).not.toEqual([]);
		expect(checkSchema(telemetrySchema(), { ...state, speed: "fast" })).not.toEqual([]);
		const { seq: _seq, ...noSeq } = state;
		expect(checkSchema(telemetrySchema(), noSeq)).not.toEqual([]);
	});
});

describe("snapshot from the cluster's parts", () => {
	test("quantities-trip-and-bus-fill-a-snapshot", () => {
		const values: Record<number, number> = { [Quantity.speed]: 42, [Quantity.rpm]: 1500, [Quantity.gear]: 3, [Quantity.fuelLevel]: 60, [Quantity.coolantTemp]: 88, [Quantity.batteryVoltage]: 13.9, [Quantity.checkEngine]: 0 };
		const reader = { read: (q: number) => values[q] ?? NaN };
		const trip = { odometer: 1000, range: 350, tripA: { distance: 5 }, tripB: { distance: 50 }, awake: () => false };
		const bus = new BusStatus();
		bus.state = BusState.errorPassive;
		const into = emptyState();
		readVehicleState(into, 0, reader, trip, bus, { received: 9, dropped: 1 });
		expect(into).toEqual({ speed: 42, rpm: 1500, gear: 3, fuel: 60, range: 350, coolant: 88, battery: 13.9, odometer: 1000, tripA: 5, tripB: 50, checkEngine: 0, ignition: true, bus: "error-passive", frames: 9, drops: 1 });
		readVehicleState(into, 0, { read: () => NaN }, trip);
		expect(into).toMatchObject({ speed: NaN, rpm: NaN, ignition: false, bus: null });
	});
});

describe("topics and settings", () => {
	test("topics-are-versioned-under-the-node", () => {
		expect(topicsFor("car1")).toMatchObject({ state: "xs-cluster/v1/car1/state", event: "xs-cluster/v1/car1/event", trip: "xs-cluster/v1/car1/trip", status: "xs-cluster/v1/car1/status", driverSet: "xs-cluster/v1/car1/driver/set", pack: "xs-cluster/v1/car1/pack" });
		expect(topicsFor("car1", "fleet/acme").state).toBe("fleet/acme/v1/car1/state");
	});

	test("a-node-id-that-is-not-a-topic-level-is-refused-saying-why", () => {
		expect(checkNodeId("my-car_2")).toBeNull();
		for (const bad of ["", "a/b", "car#", "car+", "my car", "x".repeat(33)])
			expect(() => topicsFor(bad)).toThrow(/must be 1 to 32 letters, digits, _ or -/);
	});

	test("broker-addresses-as-the-config-gives-them", () => {
		expect(parseBroker("127.0.0.1:1883")).toEqual({ host: "127.0.0.1", port: 1883, secure: false });
		expect(parseBroker("broker.local")).toEqual({ host: "broker.local", port: 1883, secure: false });
		expect(parseBroker("mqtts://broker.example.com")).toEqual({ host: "broker.example.com", port: 8883, secure: true });
		expect(parseBroker("mqtt://10.0.0.2:2883/")).toEqual({ host: "10.0.0.2", port: 2883, secure: false });
		expect(parseBroker("http://x")).toBe("mqtt: 'http://x' is not a broker (host:port, mqtt://host:port or mqtts://host:port)");
		expect(parseBroker("host:0")).toBe("mqtt: port 0 is not 1 to 65535");
		expect(parseBroker("host:99999", "--mqtt")).toBe("--mqtt: port 99999 is not 1 to 65535");
	});

	test("utf8-both-ways-and-invalid-bytes-refused", () => {
		for (const text of ["Anna", "Björn", "°C", "運転手", "🚗 car"]) {
			expect(utf8Bytes(text)).toEqual(new Uint8Array(Buffer.from(text, "utf8")));
			expect(utf8Length(text)).toBe(Buffer.byteLength(text));
			expect(utf8Text(utf8Bytes(text))).toBe(text);
		}
		for (const bad of [[0xFF], [0xC0, 0x80], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0x41, 0x00]])
			expect(utf8Text(new Uint8Array(bad))).toBeNull();
	});
});

/*
 * What Home Assistant accepts, from its sources (homeassistant/components/
 * sensor/const.py: DEVICE_CLASS_UNITS and DEVICE_CLASS_STATE_CLASSES for the
 * classes used here; binary_sensor's BinarySensorDeviceClass; the MQTT
 * platforms' schemas: state_topic required for sensor and binary_sensor,
 * command_topic and options for select; discovery topics
 * <prefix>/<component>/<node_id>/<object_id>/config with node and object ids
 * of [a-zA-Z0-9_-]).
 */
const UNITS: Record<string, string[]> = {
	distance: ["km", "m", "cm", "mm", "mi", "nmi", "yd", "in", "ft"],
	temperature: ["°C", "°F", "K"],
	voltage: ["V", "mV", "µV", "kV", "MV"],
	volume_storage: ["L", "mL", "gal", "m³", "ft³", "fl. oz.", "CCF"],
};
const STATE_CLASSES: Record<string, string[]> = {
	distance: ["measurement", "total", "total_increasing"],
	temperature: ["measurement"],
	voltage: ["measurement"],
	volume_storage: ["measurement"],
};
const ALL_STATE_CLASSES = ["measurement", "measurement_angle", "total", "total_increasing"];
const BINARY_CLASSES = ["battery", "battery_charging", "carbon_monoxide", "cold", "connectivity", "door", "garage_door", "gas", "heat", "light", "lock", "moisture", "motion", "moving", "occupancy", "opening", "plug", "power", "presence", "problem", "running", "safety", "smoke", "sound", "tamper", "update", "vibration", "window"];
const ID = /^[a-zA-Z0-9_-]+$/;

/** Renders the two template forms the discovery uses, as Jinja would for Home Assistant (None for null, Python's True/False). */
function render(template: string, value: Record<string, unknown>): string {
	let match = /^\{\{ value_json\.(\w+) \}\}$/.exec(template);
	if (match) {
		const v = value[match[1]];
		expect(match[1] in value, `template reads ${match[1]}, which the payload does not have`).toBe(true);
		return v === null ? "None" : typeof v === "boolean" ? (v ? "True" : "False") : String(v);
	}
	match = /^\{\{ 'ON' if value_json\.(\w+) else 'OFF' \}\}$/.exec(template);
	if (match) {
		expect(match[1] in value, `template reads ${match[1]}, which the payload does not have`).toBe(true);
		return value[match[1]] ? "ON" : "OFF";
	}
	throw new Error(`template not understood: ${template}`);
}

describe("Home Assistant discovery", () => {
	const topics = topicsFor("car1");
	const configs = discoveryConfigs({ node: "car1", topics, drivers: ["Anna", "Ben"], version: "0.1.0", name: "My car" });
	const parsed = configs.map(c => ({ topic: c.topic, config: JSON.parse(c.payload) as Record<string, unknown> }));
	const state = JSON.parse(encodeState(1, 0, full)) as Record<string, unknown>;
	const trip = JSON.parse(encodeTrip(2, 0, { distance: 30, duration: 1800, moving: 1500, fuel: 2.1, odometer: 500 })) as Record<string, unknown>;
	const payloadOn: Record<string, Record<string, unknown>> = { [topics.state]: state, [topics.trip]: trip };

	test("announces-every-sensor-the-issue-names", () => {
		expect(parsed.map(p => p.topic)).toEqual([
			"homeassistant/sensor/car1/fuel/config", "homeassistant/sensor/car1/range/config", "homeassistant/sensor/car1/odometer/config",
			"homeassistant/sensor/car1/coolant/config", "homeassistant/sensor/car1/battery/config", "homeassistant/binary_sensor/car1/check_engine/config",
			"homeassistant/binary_sensor/car1/ignition/config", "homeassistant/binary_sensor/car1/home/config", "homeassistant/sensor/car1/last_trip/config",
			"homeassistant/select/car1/driver/config",
		]);
		expect(discoveryConfigs({ node: "car1", topics }).some(c => c.topic.includes("/select/"))).toBe(false);
	});

	test("topics-and-ids-follow-the-discovery-convention", () => {
		const ids = new Set<string>();
		for (const { topic, config } of parsed) {
			const parts = topic.split("/");
			expect(parts.length).toBe(5);
			expect(["sensor", "binary_sensor", "select"]).toContain(parts[1]);
			expect(parts[2]).toMatch(ID);
			expect(parts[3]).toMatch(ID);
			expect(parts[4]).toBe("config");
			expect(typeof config.unique_id).toBe("string");
			expect(ids.has(config.unique_id as string)).toBe(false);
			ids.add(config.unique_id as string);
			expect(config.device).toEqual({ identifiers: ["xs-cluster-car1"], name: "My car", manufacturer: "xs-cluster", model: "instrument cluster", sw_version: "0.1.0" });
			expect(config.origin).toEqual({ name: "xs-cluster", sw_version: "0.1.0" });
		}
	});

	test("sensors-use-device-classes-units-and-state-classes-home-assistant-accepts", () => {
		for (const { topic, config } of parsed.filter(p => p.topic.includes("/sensor/"))) {
			expect(typeof config.state_topic, topic).toBe("string");
			const deviceClass = config.device_class as string | undefined;
			if (deviceClass) {
				expect(UNITS[deviceClass], `${topic}: ${deviceClass} is a class this test knows`).toBeDefined();
				expect(UNITS[deviceClass], topic).toContain(config.unit_of_measurement);
				if (config.state_class)
					expect(STATE_CLASSES[deviceClass], topic).toContain(config.state_class);
			}
			if (config.state_class)
				expect(ALL_STATE_CLASSES).toContain(config.state_class);
			expect(config.options, `${topic}: options only for enum sensors`).toBeUndefined();
			const rendered = render(config.value_template as string, payloadOn[config.state_topic as string]);
			expect(Number.isFinite(Number(rendered)) || rendered === "None", `${topic} renders ${rendered}`).toBe(true);
		}
	});

	test("binary-sensors-render-on-and-off", () => {
		for (const { topic, config } of parsed.filter(p => p.topic.includes("/binary_sensor/"))) {
			expect(typeof config.state_topic, topic).toBe("string");
			expect(BINARY_CLASSES).toContain(config.device_class);
			if (config.value_template) {
				expect(render(config.value_template as string, payloadOn[config.state_topic as string])).toBe("ON");
				expect(render(config.value_template as string, { ...state, checkEngine: false, ignition: false })).toBe("OFF");
			}
			else {
				// "home" reads the status topic itself: online is home, the last will's offline is away.
				expect(config).toMatchObject({ state_topic: topics.status, payload_on: "online", payload_off: "offline" });
				expect(config.availability_topic).toBeUndefined();
			}
		}
	});

	test("entities-go-unavailable-with-the-last-will", () => {
		for (const { topic, config } of parsed.filter(p => !p.topic.includes("/home/")))
			expect(config, topic).toMatchObject({ availability_topic: topics.status, payload_available: "online", payload_not_available: "offline" });
	});

	test("the-driver-select-commands-the-device-topic", () => {
		const select = parsed.find(p => p.topic.includes("/select/"))!.config;
		expect(select).toMatchObject({ command_topic: topics.driverSet, state_topic: topics.driver, options: ["Anna", "Ben"] });
	});
});

describe("the odometer before it is known", () => {
	test("a-first-start-sends-null-which-home-assistant-shows-as-unknown-never-a-drop-to-0", () => {
		// The car sends its odometer; no record restored: it is followed once it has held steady for 10 s.
		const trip = new TripComputer({ carOdometer: true });
		const reader = { read: (q: number) => q === Quantity.speed ? 100 : q === Quantity.odometer ? 48213.4 : NaN };
		const odometerConfig = JSON.parse(discoveryConfigs({ node: "car1", topics: topicsFor("car1") }).find(c => c.topic.endsWith("/odometer/config"))!.payload) as { value_template: string; state_class: string };
		expect(odometerConfig.state_class).toBe("total_increasing");
		const into = emptyState();
		let at = 0;
		const sent = (now: number) => {
			for (; at <= now; at += 50)
				trip.update(at, reader.read(Quantity.speed), reader.read(Quantity.odometer));
			readVehicleState(into, now, reader, trip);
			return JSON.parse(encodeState(1, now, into)) as Record<string, unknown>;
		};
		const early = sent(5000);
		expect(early.odometer).toBeNull();
		expect(render(odometerConfig.value_template, early)).toBe("None");
		expect(early.tripA).toBeCloseTo(100 * 5 / 3600, 2); // the trips count meanwhile
		expect(JSON.parse(encodeTrip(2, 5000, { distance: 0.14, duration: 5, moving: 5, fuel: NaN, odometer: trip.odometer })).odometer).toBeNull();
		const later = sent(12000);
		expect(later.odometer).toBe(48213.4);
		expect(render(odometerConfig.value_template, later)).toBe("48213.4");
	});
});
