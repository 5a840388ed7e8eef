/*
 * Home Assistant MQTT discovery: the configurations that make the cluster's
 * sensors appear in Home Assistant with no setup. Each is published, retained,
 * to `<discovery prefix>/<component>/<node>/<object>/config`; every entity
 * reads the cluster's own topics (scheme.ts) and goes unavailable with the
 * status topic's last will, except "home", which reads the status topic
 * itself: connected to the broker at home is the car being home.
 *
 * Device classes, units and state classes are the combinations Home
 * Assistant's sensor platform accepts (homeassistant/components/sensor/const.py,
 * DEVICE_CLASS_UNITS and DEVICE_CLASS_STATE_CLASSES; test/connect-discovery.test.ts
 * checks them). A null in a snapshot renders as "None", which Home
 * Assistant's MQTT sensor shows as unknown.
 *
 * Runs on XS and Node; allocates (objects and JSON), once per connection.
 */
import { OFFLINE, ONLINE, type Topics } from "./scheme.js";

export const DEFAULT_DISCOVERY_PREFIX = "homeassistant";

export interface DiscoveryConfig {
	/** Where to publish it, retained. */
	topic: string;
	/** The JSON configuration. */
	payload: string;
}

export interface DiscoveryOptions {
	node: string;
	topics: Topics;
	/** Shown as the device's name in Home Assistant. Default "Car". */
	name?: string;
	/** Firmware version shown on the device page. */
	version?: string;
	/** The drivers a `select` entity offers; none: no select. */
	drivers?: readonly string[];
	prefix?: string;
}

interface Entity {
	component: "sensor" | "binary_sensor" | "select";
	object: string;
	config: Record<string, unknown>;
}

/** Every discovery configuration of the cluster. Allocates. */
export function discoveryConfigs(options: DiscoveryOptions): DiscoveryConfig[] {
	const { node, topics } = options;
	const prefix = options.prefix ?? DEFAULT_DISCOVERY_PREFIX;
	const device = {
		identifiers: [`xs-cluster-${node}`],
		name: options.name ?? "Car",
		manufacturer: "xs-cluster",
		model: "instrument cluster",
		...(options.version ? { sw_version: options.version } : {}),
	};
	const available = { availability_topic: topics.status, payload_available: ONLINE, payload_not_available: OFFLINE };
	const reading = (field: string, extra: Record<string, unknown>) => ({ state_topic: topics.state, value_template: `{{ value_json.${field} }}`, ...available, ...extra });
	const entities: Entity[] = [
		{ component: "sensor", object: "fuel", config: reading("fuel", { name: "Fuel level", unit_of_measurement: "%", state_class: "measurement", icon: "mdi:gas-station" }) },
		{ component: "sensor", object: "range", config: reading("range", { name: "Range", device_class: "distance", unit_of_measurement: "km", state_class: "measurement" }) },
		{ component: "sensor", object: "odometer", config: reading("odometer", { name: "Odometer", device_class: "distance", unit_of_measurement: "km", state_class: "total_increasing" }) },
		{ component: "sensor", object: "coolant", config: reading("coolant", { name: "Coolant temperature", device_class: "temperature", unit_of_measurement: "°C", state_class: "measurement" }) },
		{ component: "sensor", object: "battery", config: reading("battery", { name: "Battery voltage", device_class: "voltage", unit_of_measurement: "V", state_class: "measurement" }) },
		{ component: "binary_sensor", object: "check_engine", config: { state_topic: topics.state, value_template: "{{ 'ON' if value_json.checkEngine else 'OFF' }}", ...available, name: "Check engine", device_class: "problem" } },
		{ component: "binary_sensor", object: "ignition", config: { state_topic: topics.state, value_template: "{{ 'ON' if value_json.ignition else 'OFF' }}", ...available, name: "Ignition", device_class: "running" } },
		{ component: "binary_sensor", object: "home", config: { state_topic: topics.status, payload_on: ONLINE, payload_off: OFFLINE, name: "Home", device_class: "presence" } },
		{ component: "sensor", object: "last_trip", config: { state_topic: topics.trip, value_template: "{{ value_json.distance }}", json_attributes_topic: topics.trip, ...available, name: "Last trip", device_class: "distance", unit_of_measurement: "km", state_class: "measurement" } },
	];
	if (options.drivers && options.drivers.length)
		entities.push({ component: "select", object: "driver", config: { command_topic: topics.driverSet, state_topic: topics.driver, options: options.drivers.slice(), ...available, name: "Driver", icon: "mdi:account" } });
	return entities.map(({ component, object, config }) => ({
		topic: `${prefix}/${component}/${node}/${object}/config`,
		payload: JSON.stringify({
			...config,
			unique_id: `xs-cluster-${node}-${object}`,
			device,
			origin: { name: "xs-cluster", ...(options.version ? { sw_version: options.version } : {}) },
		}),
	}));
}
