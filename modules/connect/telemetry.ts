/*
 * Telemetry: the cluster on MQTT. Publishes state snapshots, alert events and
 * trip summaries by the scheme in scheme.ts, announces the cluster to Home
 * Assistant (discovery.ts), takes a driver choice and vehicle packs back.
 *
 * Time and work are the display tick's to give: `service(now, byteBudget)`
 * runs in the tick's leftover time, does at most `byteBudget` bytes of
 * publishing and never waits; the client's callbacks only copy and count.
 * Nothing here sets a timer or reads a clock: the tick's `now` drives the
 * snapshot rate, the reconnect back-off and the timeouts.
 *
 * Delivery: events and trip summaries go to the outbox (flash) first, then to
 * the broker at QoS 1; each leaves the outbox on its PUBACK. A connection
 * lost or a broker that does not acknowledge within `ackTimeoutMs` means
 * reconnecting (with back-off) and sending again from the oldest
 * unacknowledged message, in order. Snapshots are published live (QoS 0,
 * retained) only when nothing older waits; otherwise one every
 * `storeEveryMs` is queued and the rest are dropped, counted in
 * `counters.snapshotsDropped`. Receivers drop duplicates by `seq`.
 *
 * Off (`enabled` false: the car's setting, which is off until the driver
 * turns it on), nothing leaves the car: the link is closed (an "offline"
 * status first, so Home Assistant shows the car unavailable rather than a
 * stale "online"), and no snapshot, event or trip summary is made. What the
 * outbox held from before stays on flash and goes when telemetry is back on;
 * alerts are reported then as they stand, and a trip summary covers only
 * time with telemetry on.
 *
 * Bad input from the network is counted and named in `lastLine`, never
 * thrown: an oversized message (read and discarded), a broker that sends
 * something that is not MQTT (the client gives up; we reconnect), a driver
 * command naming no driver. Credentials go to the client and nowhere else.
 *
 * Runs on XS and Node. Allocates per message (payload strings and bytes) and
 * per connection, not per frame or per tick.
 */
import type { AlertMonitor } from "../cluster/alerts.js";
import { Backoff } from "../can/backoff.js";
import { DEFAULT_DISCOVERY_PREFIX, discoveryConfigs, type DiscoveryConfig } from "./discovery.js";
import { MqttOperation, type BrokerAddress, type MqttClient, type MqttNetwork, type MqttReadableOptions } from "./mqtt-client.js";
import { MessageKind, type Outbox } from "./outbox.js";
import { emptyState, encodeAlert, encodeState, encodeTrip, OFFLINE, ONLINE, topicsFor, type AlertAction, type Topics, type VehicleState } from "./scheme.js";
import { utf8Bytes, utf8Text } from "./utf8.js";

/** The drivers a remote choice is checked against: DriverBook's shape. */
export interface DriverChoice {
	readonly drivers: ReadonlyArray<{ readonly name: string }>;
	readonly index: number;
	select(index: number): void;
}

/** What the trip summary is worked out from: TripComputer's shape. */
export interface TripSource {
	readonly tripA: { readonly distance: number; readonly time: number; readonly moving: number; readonly fuel: number };
	readonly odometer: number;
}

export interface TelemetryOptions {
	/** This cluster's id in topics and in Home Assistant: letters, digits, _ and -. */
	node: string;
	/** First topic level; default "xs-cluster". */
	prefix?: string;
	broker: BrokerAddress;
	/** `device.network.mqtt` (or `.mqtts` for a TLS broker), or a test's stand-in. */
	network: MqttNetwork;
	user?: string;
	password?: string;
	/** The flash queue, not yet opened: the constructor opens it. */
	outbox: Outbox;
	/** Fills `into` with the car's state at `now`; NaN for what is missing. Called once per service. */
	readState(into: VehicleState, now: number): void;
	/** Where trip summaries come from; without it, from the snapshots' trip A and odometer. */
	trip?: TripSource;
	/** Alerts to report as they are raised, acknowledged and cleared. */
	alerts?: AlertMonitor;
	/** Drivers a remote choice may select (DriverBook). */
	drivers?: DriverChoice;
	/** A vehicle pack arrived on the cluster's pack topic (retained): the bytes, for the pack installer. */
	onPack?(bytes: Uint8Array): void;
	/** A diagnostics line (connection state, refused input); never holds credentials. */
	log?(line: string): void;
	/** Home Assistant discovery; default on. */
	discovery?: false | { name?: string; version?: string; prefix?: string };
	/** ms between snapshots; default 5000. */
	snapshotEveryMs?: number;
	/** While snapshots cannot go out live, one this often is queued; default 60000. */
	storeEveryMs?: number;
	/** The car is quiet (no speed or rpm) this long: the trip summary goes; default 10000. */
	quietMs?: number;
	/** MQTT keepalive, ms; default 60000. */
	keepAliveMs?: number;
	/** No CONNACK this long after connecting: give up and back off; default 15000. */
	connectTimeoutMs?: number;
	/** No PUBACK this long for the oldest message sent: reconnect; default 15000. */
	ackTimeoutMs?: number;
	/** QoS 1 messages in flight at once; default 8. */
	window?: number;
	/** Largest driver command, bytes; default 64. */
	maxCommandBytes?: number;
	/** Largest vehicle pack, bytes; default 256 KiB. */
	maxPackBytes?: number;
	/** The reconnect policy (the project's one Backoff); default 1 s doubling to 60 s, starting over after 60 s connected. */
	backoff?: Backoff;
	/** On at start; default true (the wiring passes the car's setting, off by default). */
	enabled?: boolean;
}

export const LinkState = Object.freeze({ waiting: 0, connecting: 1, online: 2, off: 3 });

/** Counters for the diagnostics page. */
export class TelemetryCounters {
	/** Messages written to the broker (all kinds). */
	published = 0;
	/** QoS 1 messages the broker acknowledged. */
	acknowledged = 0;
	/** Snapshots that did not go out: no broker, no budget, or a queue in the way. */
	snapshotsDropped = 0;
	/** Connections made (CONNACK received). */
	connections = 0;
	/** Connections that failed or were lost (refused, closed, not MQTT). */
	failures = 0;
	/** Brokers that accepted the connection but sent no CONNACK in time. */
	connectTimeouts = 0;
	/** Brokers that did not acknowledge a message in time. */
	ackTimeouts = 0;
	/** Incoming messages over their size limit, discarded. */
	oversized = 0;
	/** Driver commands applied and refused. */
	driverChosen = 0;
	driverRefused = 0;
	/** Packs handed to the installer. */
	packs = 0;
	/** Events or summaries that could not be queued: flash failures, or too large for a record. */
	queueFailures = 0;
}

interface Announcement {
	topic: string;
	bytes: Uint8Array;
}

const Target = Object.freeze({ discard: 0, command: 1, pack: 2 });

export class Telemetry {
	readonly topics: Topics;
	readonly outbox: Outbox;
	readonly counters = new TelemetryCounters();
	/** LinkState. */
	state: number = LinkState.waiting;
	/** The last diagnostics line, "" before any. */
	lastLine = "";
	/** The state last read, for the diagnostics page. */
	readonly vehicle: VehicleState = emptyState();

	private readonly options: TelemetryOptions;
	private readonly backoff: Backoff;
	private readonly where: string;
	private readonly snapshotEveryMs: number;
	private readonly storeEveryMs: number;
	private readonly quietMs: number;
	private readonly connectTimeoutMs: number;
	private readonly ackTimeoutMs: number;
	private readonly window: number;
	private readonly maxCommandBytes: number;
	private readonly maxPackBytes: number;
	private client: MqttClient | null = null;
	/** Which connection callbacks belong to; stale ones are ignored. */
	private connection = 0;
	private now = 0;
	private since = 0;
	private retryAt = 0;
	private writable = 0;
	private nextSnapshot = 0;
	private lastStored = -Infinity;
	private packetId = 0;
	/** QoS 1 messages in flight: packet id, seq, when sent. */
	private readonly flightIds: Uint16Array;
	private readonly flightSeqs: Float64Array;
	private readonly flightAt: Float64Array;
	private flying = 0;
	/** Queued messages up to this seq were sent on this connection. */
	private sentThrough = 0;
	private announcements: Announcement[] = [];
	private publishedDriver = -1;
	/** How many drivers the announced Driver select lists, and its discovery topic. */
	private announcedDrivers = 0;
	private readonly driverSelectTopic: string;
	private readonly body: Uint8Array;
	/** The incoming message being read. */
	private target: number = Target.discard;
	private incoming: Uint8Array | null = null;
	private incomingAt = 0;
	private readonly command: Uint8Array;
	/** Trip baseline while the car is awake. */
	private awakeSince = NaN;
	private lastAwake = -Infinity;
	private readonly baseline = { distance: 0, time: 0, moving: 0, fuel: 0, odometer: NaN };
	/** Alert states last seen: 0 clear, 1 raised, 2 raised and acknowledged. */
	private readonly alertSeen: Uint8Array;

	/** Opens the outbox (reads the queue back from flash). Allocates. @throws RangeError for a bad node id. */
	constructor(options: TelemetryOptions) {
		this.options = options;
		this.topics = topicsFor(options.node, options.prefix);
		this.driverSelectTopic = `${(options.discovery || {}).prefix ?? DEFAULT_DISCOVERY_PREFIX}/select/${options.node}/driver/config`;
		this.outbox = options.outbox;
		this.outbox.open();
		this.backoff = options.backoff ?? new Backoff({ firstMs: 1000, maxMs: 60000, stableMs: 60000 });
		this.where = `${options.broker.secure ? "mqtts" : "mqtt"}://${options.broker.host}:${options.broker.port}`;
		this.snapshotEveryMs = options.snapshotEveryMs ?? 5000;
		this.storeEveryMs = options.storeEveryMs ?? 60000;
		this.quietMs = options.quietMs ?? 10000;
		this.connectTimeoutMs = options.connectTimeoutMs ?? 15000;
		this.ackTimeoutMs = options.ackTimeoutMs ?? 15000;
		this.window = Math.max(1, options.window ?? 8);
		this.maxCommandBytes = options.maxCommandBytes ?? 64;
		this.maxPackBytes = options.maxPackBytes ?? 256 * 1024;
		this.flightIds = new Uint16Array(this.window);
		this.flightSeqs = new Float64Array(this.window);
		this.flightAt = new Float64Array(this.window);
		this.body = new Uint8Array(this.outbox.maxBody);
		this.command = new Uint8Array(this.maxCommandBytes);
		this.alertSeen = new Uint8Array(options.alerts ? options.alerts.rules.length : 0);
		if (options.enabled === false)
			this.enabled = false;
	}

	/** Off, nothing is sent or recorded; turning it off closes the link, turning it on connects at the next turn. */
	get enabled(): boolean {
		return this.state !== LinkState.off;
	}
	set enabled(on: boolean) {
		if (on === this.enabled)
			return;
		if (on) {
			this.state = LinkState.waiting;
			this.retryAt = 0;
			this.line(`mqtt: on; connecting to ${this.where}`);
			return;
		}
		this.close();
		this.state = LinkState.off;
		this.awakeSince = NaN;
		this.line(`mqtt: off; nothing is sent${this.outbox.length ? `, ${this.outbox.length} queued wait` : ""}`);
	}

	/** Messages waiting in flash for the broker. */
	get queued(): number {
		return this.outbox.length;
	}

	/**
	 * One turn, in the display tick's leftover time: connection upkeep, alert
	 * and trip watching, the snapshot when due, then publishing up to
	 * `byteBudget` bytes. Never waits. Allocates per message sent.
	 */
	service(now: number, byteBudget: number): void {
		this.now = now;
		if (this.state === LinkState.off)
			return;
		this.connectionUpkeep();
		this.options.readState(this.vehicle, now);
		this.watchTrip(now);
		if (this.options.alerts)
			this.observeAlerts(this.options.alerts, now);
		let budget = byteBudget;
		if (this.state === LinkState.online) {
			this.backoff.settle(now);
			budget = this.announce(budget);
			budget = this.sendQueued(budget);
		}
		if (now >= this.nextSnapshot) {
			this.nextSnapshot = now + this.snapshotEveryMs;
			this.snapshot(now, budget);
		}
		if (this.state === LinkState.online && !this.outbox.length && !this.flying)
			this.settle();
	}

	/** Reports an alert raised, acknowledged or cleared (queued; on flash when this returns). Allocates. */
	alert(now: number, action: AlertAction, id: string, severity: number, message: string): void {
		this.queue(MessageKind.event, now, seq => encodeAlert(seq, now, action, id, severity, message));
	}

	/**
	 * Compares the monitor's alerts with what it saw last and reports each
	 * change. `service` calls it with `options.alerts`; cheap (typed arrays).
	 */
	observeAlerts(monitor: AlertMonitor, now: number): void {
		const seen = this.alertSeen;
		for (let r = 0; r < seen.length && r < monitor.rules.length; r++) {
			const raised = monitor.isActive(r);
			const was = seen[r];
			if (raised && !was) {
				seen[r] = 1;
				this.reportAlert(monitor, r, "raised", now);
			}
			if (raised && seen[r] === 1 && monitor.acknowledged[r]) {
				seen[r] = 2;
				this.reportAlert(monitor, r, "acknowledged", now);
			}
			if (!raised && was) {
				seen[r] = 0;
				this.reportAlert(monitor, r, "cleared", now);
			}
		}
	}

	/** Closes the connection (after an "offline" status when connected). */
	close(): void {
		const client = this.client;
		if (client && this.state === LinkState.online)
			try {
				client.write(utf8Bytes(OFFLINE).buffer as ArrayBuffer, { topic: this.topics.status, QoS: 0, retain: true });
				client.write(null, { operation: MqttOperation.DISCONNECT });
			}
			catch { /* closing anyway */ }
		this.drop();
		this.state = LinkState.waiting;
		this.retryAt = Infinity;
	}

	private reportAlert(monitor: AlertMonitor, r: number, action: AlertAction, now: number): void {
		const rule = monitor.rules[r];
		this.alert(now, action, rule.id, rule.severity, rule.message);
	}

	private watchTrip(now: number): void {
		const s = this.vehicle, trip = this.options.trip;
		if (s.ignition) {
			this.lastAwake = now;
			if (!(this.awakeSince === this.awakeSince)) {
				this.awakeSince = now;
				const b = this.baseline;
				b.distance = trip ? trip.tripA.distance : s.tripA;
				b.time = trip ? trip.tripA.time : now;
				b.moving = trip ? trip.tripA.moving : 0;
				b.fuel = trip ? trip.tripA.fuel : NaN;
			}
			return;
		}
		if (this.awakeSince === this.awakeSince && now - this.lastAwake >= this.quietMs) {
			const b = this.baseline;
			const distance = trip ? trip.tripA.distance : s.tripA;
			const reset = distance < b.distance; // trip A reset during the drive: it holds the whole drive
			const summary = {
				distance: reset ? distance : distance - b.distance,
				duration: (trip ? (reset ? trip.tripA.time : trip.tripA.time - b.time) : this.lastAwake - b.time) / 1000,
				moving: (trip ? (reset ? trip.tripA.moving : trip.tripA.moving - b.moving) : NaN) / 1000,
				fuel: trip ? (reset ? trip.tripA.fuel : trip.tripA.fuel - b.fuel) : NaN,
				odometer: trip ? trip.odometer : s.odometer,
			};
			this.awakeSince = NaN;
			this.queue(MessageKind.trip, now, seq => encodeTrip(seq, now, summary));
		}
	}

	/** Puts an event or summary on flash. Failures are counted and named, not thrown: telemetry must not stop the cluster. */
	private queue(kind: number, now: number, encode: (seq: number) => string): void {
		try {
			const seq = this.outbox.takeSeq();
			const bytes = utf8Bytes(encode(seq));
			if (!this.outbox.enqueue(kind, seq, bytes)) {
				this.counters.queueFailures++;
				this.line(`telemetry: a ${kind === MessageKind.trip ? "trip summary" : "event"} of ${bytes.length} bytes does not fit a ${this.outbox.maxBody}-byte record; not sent`);
			}
		}
		catch (error) {
			this.counters.queueFailures++;
			this.line(`telemetry: the queue's flash failed (${(error as Error).message}); message not queued`);
		}
	}

	private snapshot(now: number, budget: number): void {
		const live = this.state === LinkState.online && !this.outbox.length && !this.flying;
		if (!live && now - this.lastStored < this.storeEveryMs) {
			this.counters.snapshotsDropped++;
			return;
		}
		let seq: number;
		try {
			seq = this.outbox.takeSeq();
		}
		catch {
			this.counters.snapshotsDropped++;
			return;
		}
		const bytes = utf8Bytes(encodeState(seq, now, this.vehicle));
		if (live) {
			if (!this.publish(this.topics.state, bytes, 0, true, 0, budget))
				this.counters.snapshotsDropped++;
			return;
		}
		this.lastStored = now;
		try {
			if (!this.outbox.enqueue(MessageKind.state, seq, bytes))
				this.counters.snapshotsDropped++;
		}
		catch {
			this.counters.queueFailures++;
		}
	}

	private announce(budget: number): number {
		const drivers = this.options.drivers;
		// A driver added or removed on the cluster: Home Assistant's Driver select gets the new list (only it changed).
		if (drivers && this.options.discovery !== false && drivers.drivers.length !== this.announcedDrivers) {
			this.announcedDrivers = drivers.drivers.length;
			for (const config of this.discovery())
				if (config.topic === this.driverSelectTopic)
					this.announcements.push({ topic: config.topic, bytes: utf8Bytes(config.payload) });
		}
		if (drivers && drivers.index !== this.publishedDriver && drivers.drivers[drivers.index]) {
			this.publishedDriver = drivers.index;
			this.announcements.push({ topic: this.topics.driver, bytes: utf8Bytes(drivers.drivers[drivers.index].name) });
		}
		while (this.announcements.length) {
			const next = this.announcements[0];
			if (!this.publish(next.topic, next.bytes, 0, true, 0, budget))
				break;
			budget -= sizeOf(next.topic, next.bytes.length, 0);
			this.announcements.shift();
		}
		return budget;
	}

	private sendQueued(budget: number): number {
		const outbox = this.outbox;
		if (this.announcements.length)
			return budget;
		for (let i = 0; i < outbox.length && this.flying < this.window; i++) {
			const seq = outbox.seqAt(i);
			if (seq <= this.sentThrough || outbox.ackedAt(i))
				continue;
			const kind = outbox.kindAt(i);
			const length = outbox.read(i, this.body);
			if (length < 0) {
				i--;
				continue;
			}
			const topic = kind === MessageKind.state ? this.topics.state : kind === MessageKind.trip ? this.topics.trip : this.topics.event;
			const id = this.nextPacketId();
			const bytes = this.body.slice(0, length);
			if (!this.publish(topic, bytes, 1, kind !== MessageKind.event, id, budget))
				break;
			budget -= sizeOf(topic, length, 1);
			this.sentThrough = seq;
			this.flightIds[this.flying] = id;
			this.flightSeqs[this.flying] = seq;
			this.flightAt[this.flying] = this.now;
			this.flying++;
		}
		return budget;
	}

	private settle(): void {
		try {
			this.outbox.settle();
		}
		catch {
			this.counters.queueFailures++;
		}
	}

	/** Writes one PUBLISH when it fits the budget and the client's room; false when it does not (nothing written). */
	private publish(topic: string, bytes: Uint8Array, QoS: number, retain: boolean, id: number, budget: number): boolean {
		const client = this.client;
		const size = sizeOf(topic, bytes.length, QoS);
		if (!client || size > budget || size > this.writable)
			return false;
		try {
			const data = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes.buffer as ArrayBuffer : bytes.slice().buffer;
			this.writable = client.write(data, QoS ? { topic, QoS, retain, id } : { topic, QoS, retain });
		}
		catch {
			this.writable = 0; // no room after all: next turn
			return false;
		}
		this.counters.published++;
		return true;
	}

	private nextPacketId(): number {
		this.packetId = this.packetId >= 0xFFFF ? 1 : this.packetId + 1;
		return this.packetId;
	}

	private connectionUpkeep(): void {
		const now = this.now;
		if (this.state === LinkState.waiting && now >= this.retryAt)
			this.connect();
		else if (this.state === LinkState.connecting && now - this.since >= this.connectTimeoutMs) {
			this.counters.connectTimeouts++;
			this.fail(`${this.where} accepted the connection but sent no CONNACK in ${this.connectTimeoutMs / 1000} s`);
		}
		else if (this.state === LinkState.online && this.flying && now - this.flightAt[0] >= this.ackTimeoutMs) {
			this.counters.ackTimeouts++;
			this.fail(`${this.where} did not acknowledge message ${this.flightSeqs[0]} in ${this.ackTimeoutMs / 1000} s`);
		}
	}

	private connect(): void {
		const options = this.options, network = options.network;
		const token = ++this.connection;
		const self = this;
		this.state = LinkState.connecting;
		this.since = this.now;
		this.writable = 0;
		try {
			const client = new network.io({
				...network,
				host: options.broker.host,
				port: options.broker.port,
				id: `xs-cluster-${options.node}`,
				...(options.user ? { user: options.user } : {}),
				...(options.password ? { password: options.password } : {}),
				clean: true,
				keepAlive: options.keepAliveMs ?? 60000,
				will: { topic: this.topics.status, message: utf8Bytes(OFFLINE).buffer as ArrayBuffer, QoS: 1, retain: true },
				onControl(message) {
					if (token !== self.connection)
						return;
					self.client ??= this; // a client that answers before its constructor returns
					self.onControl(message.operation, message.id ?? 0);
				},
				onReadable(count, readable) {
					if (token === self.connection)
						self.onReadable(this, count, readable);
				},
				onWritable(count) {
					if (token === self.connection)
						self.writable = count;
				},
				onError() {
					if (token === self.connection)
						self.fail(self.state === LinkState.online ? `connection to ${self.where} lost` : `no MQTT connection to ${self.where} (refused, closed, or not an MQTT broker)`);
				},
				onClose() {
					if (token === self.connection)
						self.fail(`${self.where} closed the connection`);
				},
			});
			if (token === this.connection)
				this.client = client;
			else
				client.close();
		}
		catch (error) {
			if (token === this.connection)
				this.fail(`cannot connect to ${this.where}: ${(error as Error).message}`);
		}
	}

	/** Home Assistant's discovery configs for this cluster and its drivers now. Allocates. */
	private discovery(): DiscoveryConfig[] {
		const discovery = this.options.discovery, drivers = this.options.drivers;
		return discoveryConfigs({ node: this.options.node, topics: this.topics, ...(discovery || {}), drivers: drivers ? drivers.drivers.map(d => d.name) : undefined });
	}

	private onControl(operation: number, id: number): void {
		if (operation === MqttOperation.CONNACK) {
			this.state = LinkState.online;
			this.backoff.up(this.now);
			this.counters.connections++;
			this.sentThrough = 0;
			this.flying = 0;
			this.line(`mqtt: connected to ${this.where}`);
			this.subscribe();
			this.announcements = [{ topic: this.topics.status, bytes: utf8Bytes(ONLINE) }];
			if (this.options.discovery !== false)
				for (const config of this.discovery())
					this.announcements.push({ topic: config.topic, bytes: utf8Bytes(config.payload) });
			this.announcedDrivers = this.options.drivers ? this.options.drivers.drivers.length : 0;
			this.publishedDriver = -1;
		}
		else if (operation === MqttOperation.PUBACK) {
			for (let f = 0; f < this.flying; f++)
				if (this.flightIds[f] === id) {
					const seq = this.flightSeqs[f];
					for (let g = f + 1; g < this.flying; g++) {
						this.flightIds[g - 1] = this.flightIds[g];
						this.flightSeqs[g - 1] = this.flightSeqs[g];
						this.flightAt[g - 1] = this.flightAt[g];
					}
					this.flying--;
					this.counters.acknowledged++;
					this.outbox.acknowledge(seq);
					break;
				}
		}
	}

	private subscribe(): void {
		const items: Array<{ topic: string; QoS: number }> = [];
		if (this.options.drivers)
			items.push({ topic: this.topics.driverSet, QoS: 1 });
		if (this.options.onPack)
			items.push({ topic: this.topics.pack, QoS: 1 });
		if (!items.length)
			return;
		try {
			this.client!.write(null, { operation: MqttOperation.SUBSCRIBE, items });
		}
		catch {
			this.fail(`cannot subscribe at ${this.where}`);
		}
	}

	private onReadable(client: MqttClient, count: number, options: MqttReadableOptions): void {
		if (options.topic !== undefined) {
			const total = options.byteLength ?? count;
			const topic = options.topic;
			// Only what was subscribed to is read; anything else a broker sends is discarded.
			const command = topic === this.topics.driverSet && !!this.options.drivers;
			const pack = topic === this.topics.pack && !!this.options.onPack;
			const limit = command ? this.maxCommandBytes : pack ? this.maxPackBytes : -1;
			this.incomingAt = 0;
			this.incoming = null;
			this.target = Target.discard;
			if (limit >= 0 && total > limit) {
				this.counters.oversized++;
				this.line(`mqtt: a ${total}-byte message on ${topic} is over its ${limit}-byte limit; discarded`);
			}
			else if (command) {
				this.target = Target.command;
				this.incoming = this.command;
			}
			else if (pack) {
				this.target = Target.pack;
				this.incoming = new Uint8Array(total);
			}
		}
		const chunk = client.read(count);
		const incoming = this.incoming;
		if (incoming && chunk) {
			const bytes = new Uint8Array(chunk);
			const take = Math.min(bytes.length, incoming.length - this.incomingAt);
			incoming.set(bytes.subarray(0, take), this.incomingAt);
			this.incomingAt += take;
		}
		if (options.more)
			return;
		const target = this.target, length = this.incomingAt;
		this.target = Target.discard;
		this.incoming = null;
		if (target === Target.command)
			this.chooseDriver(this.command, length);
		else if (target === Target.pack && incoming && length) {
			this.counters.packs++;
			this.options.onPack!(incoming.subarray(0, length));
		}
	}

	private chooseDriver(bytes: Uint8Array, length: number): void {
		const drivers = this.options.drivers!;
		const text = utf8Text(bytes, length);
		const name = text === null ? null : text.trim();
		const index = name ? drivers.drivers.findIndex(d => d.name === name) : -1;
		if (index < 0) {
			this.counters.driverRefused++;
			const list = drivers.drivers.map(d => d.name).join(", ");
			this.line(name ? `mqtt: driver command '${name.slice(0, 32)}' names no driver on this cluster (${list})` : `mqtt: driver command is not a driver's name (${length} bytes)`);
			return;
		}
		drivers.select(index);
		this.counters.driverChosen++;
		this.line(`mqtt: driver '${name}' chosen remotely`);
	}

	private fail(reason: string): void {
		this.drop();
		this.counters.failures++;
		this.state = LinkState.waiting;
		this.retryAt = this.backoff.fail(this.now);
		const wait = this.retryAt - this.now;
		this.line(`mqtt: ${reason}; retry in ${Math.round(wait / 100) / 10} s`);
	}

	/** Forgets the connection: stale callbacks are ignored, messages in flight go again on the next. */
	private drop(): void {
		this.connection++;
		const client = this.client;
		this.client = null;
		this.flying = 0;
		this.sentThrough = 0;
		this.writable = 0;
		this.announcements = [];
		this.target = Target.discard;
		this.incoming = null;
		if (client)
			try {
				client.close();
			}
			catch { /* already closed */ }
	}

	private line(text: string): void {
		this.lastLine = text;
		this.options.log?.(text);
	}
}

/**
 * The telemetry as one of the Dashboard's leftover-time services: the time
 * left in the tick becomes a byte budget (`bytesPerMs`, at most `maxBytes`);
 * with no time left, upkeep only (a due snapshot is dropped and counted).
 * Allocates the adapter once.
 */
export function telemetryService(telemetry: Telemetry, bytesPerMs = 1024, maxBytes = 4096): { service(now: number, leftMs: number): void } {
	return {
		service(now: number, leftMs: number): void {
			telemetry.service(now, leftMs > 0 ? Math.min(maxBytes, Math.floor(leftMs * bytesPerMs)) : 0);
		},
	};
}

/** Bytes a PUBLISH of `length` payload bytes to `topic` takes on the wire (header at most 5, topic, packet id). */
function sizeOf(topic: string, length: number, QoS: number): number {
	return 5 + 2 + topic.length + length + (QoS ? 2 : 0);
}
