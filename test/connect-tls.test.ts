/*
 * Telemetry to a broker over TLS ("mqtts://" in the broker URL): a real
 * Mosquitto with a TLS listener and a certificate made here with openssl (a
 * throwaway CA, a server certificate for 127.0.0.1). The link runs on Node
 * through test/support/node-mqtt-client.ts, which takes Node's TLS options as
 * `socket.secure` the way the SDK's `device.network.mqtts` carries its TLS
 * socket under `socket`. A certificate the cluster does not trust is a failed
 * connection in one line, and the link goes on trying; credentials are never
 * printed. Time inside the link is the test's (STEP per turn).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Backoff } from "../modules/can/backoff.js";
import { MqttOperation, parseBroker, type BrokerAddress } from "../modules/connect/mqtt-client.js";
import { Outbox } from "../modules/connect/outbox.js";
import { emptyState, type VehicleState } from "../modules/connect/scheme.js";
import { LinkState, Telemetry } from "../modules/connect/telemetry.js";
import { FakeFlash } from "./fixtures/fake-flash.js";
import { Mosquitto, mosquittoMissing } from "./support/mosquitto.js";
import { NodeMqttClient } from "./support/node-mqtt-client.js";

const STEP = 100;
const NODE = "tlscar";
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

function opensslMissing(): string | null {
	return spawnSync("openssl", ["version"], { stdio: "ignore" }).status === 0 ? null : "openssl is not installed: apt-get install openssl";
}
const missing = mosquittoMissing() ?? opensslMissing();
// Under CI (.ci/run installs mosquitto; openssl comes with the image) a missing tool fails instead of skipping.
const describeTls = !missing || process.env.CI ? describe : describe.skip;
const title = !missing || process.env.CI ? "telemetry over TLS against mosquitto" : `telemetry over TLS against mosquitto (skipped: ${missing})`;

/** A CA and a certificate it signed for 127.0.0.1 (P-256, a day), in `dir`. */
function makeCertificates(dir: string, name: string): { ca: string; cert: string; key: string } {
	const at = (file: string) => join(dir, `${name}-${file}`);
	const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
	run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
		"-subj", `/CN=xs-cluster test CA ${name}`, "-keyout", at("ca.key"), "-out", at("ca.crt"));
	run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-subj", "/CN=127.0.0.1", "-keyout", at("server.key"), "-out", at("server.csr"));
	writeFileSync(at("san.cnf"), "subjectAltName=IP:127.0.0.1\n");
	run("x509", "-req", "-in", at("server.csr"), "-CA", at("ca.crt"), "-CAkey", at("ca.key"), "-CAcreateserial",
		"-days", "1", "-extfile", at("san.cnf"), "-out", at("server.crt"));
	// Started as root, Mosquitto reads its files as the user `mosquitto`: a throwaway key may be readable.
	for (const file of ["ca.crt", "server.crt", "server.key"])
		chmodSync(at(file), 0o644);
	return { ca: at("ca.crt"), cert: at("server.crt"), key: at("server.key") };
}

function car(): VehicleState {
	return { ...emptyState(), speed: 50, rpm: 2000, gear: 3, fuel: 40, range: 300, coolant: 90, battery: 14.1, odometer: 12345.6, tripA: 10, tripB: 100, checkEngine: 0, ignition: true, bus: "error-active", frames: 100, drops: 0 };
}

/** The cluster's link to `broker`, trusting `ca`, with credentials that must never show in its lines. */
function device(broker: BrokerAddress, ca: string) {
	const lines: string[] = [];
	const telemetry = new Telemetry({
		node: NODE,
		broker,
		network: { io: NodeMqttClient, socket: { secure: { ca: readFileSync(ca) } } },
		user: "driver",
		password: "s3cret-pass",
		outbox: new Outbox(new FakeFlash(16 * 4096, 4096, 1), { recordBytes: 496 }),
		readState: into => Object.assign(into, car()),
		snapshotEveryMs: 1000,
		connectTimeoutMs: 3000,
		backoff: new Backoff({ firstMs: 500, maxMs: 2000 }),
		log: line => lines.push(line),
	});
	let now = 0;
	return {
		telemetry, lines,
		async run(done: () => boolean, turns = 400): Promise<boolean> {
			for (let i = 0; i < turns && !done(); i++) {
				now += STEP;
				telemetry.service(now, 4096);
				await sleep(2);
			}
			return done();
		},
	};
}

/** A TLS subscriber to the cluster's topics. */
async function subscribe(port: number, ca: string): Promise<{ messages: { topic: string; text: string }[]; close(): void }> {
	const messages: { topic: string; text: string }[] = [];
	let subscribed = false, failed = false;
	const client = new NodeMqttClient({
		host: "127.0.0.1", port, id: "tls-sub", socket: { secure: { ca: readFileSync(ca) } },
		onControl(message) {
			if (message.operation === MqttOperation.CONNACK)
				this.write(null, { operation: MqttOperation.SUBSCRIBE, items: [{ topic: `xs-cluster/v1/${NODE}/#`, QoS: 1 }] });
			if (message.operation === MqttOperation.SUBACK)
				subscribed = true;
		},
		onReadable(count, options) {
			const bytes = Buffer.from(this.read(count)!);
			if (options.topic !== undefined)
				messages.push({ topic: options.topic, text: "" });
			messages[messages.length - 1].text += bytes.toString("utf8");
		},
		onError() {
			failed = true;
		},
	});
	for (let i = 0; i < 500 && !subscribed && !failed; i++)
		await sleep(10);
	if (!subscribed)
		throw new Error("the TLS subscriber could not subscribe");
	return { messages, close: () => client.close() };
}

describeTls(title, () => {
	let dir: string;
	let trusted: { ca: string; cert: string; key: string }, stranger: { ca: string };
	let broker: Mosquitto;
	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), "xsc-tls-"));
		chmodSync(dir, 0o755);
		trusted = makeCertificates(dir, "broker");
		stranger = makeCertificates(dir, "other");
		broker = new Mosquitto({ listenerConfig: `cafile ${trusted.ca}\ncertfile ${trusted.cert}\nkeyfile ${trusted.key}\n` });
		await broker.start();
	});
	afterAll(async () => {
		await broker?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	test("mqtts-broker-publishes-over-tls", async () => {
		const address = parseBroker(`mqtts://127.0.0.1:${broker.port}`) as BrokerAddress;
		expect(address).toEqual({ host: "127.0.0.1", port: broker.port, secure: true });
		const sub = await subscribe(broker.port, trusted.ca);
		const cluster = device(address, trusted.ca);
		try {
			const state = `xs-cluster/v1/${NODE}/state`;
			expect(await cluster.run(() => sub.messages.some(m => m.topic === state))).toBe(true);
			expect(cluster.telemetry.state).toBe(LinkState.online);
			const snapshot = JSON.parse(sub.messages.find(m => m.topic === state)!.text) as Record<string, unknown>;
			expect(snapshot).toMatchObject({ v: 1, type: "state", speed: 50, odometer: 12345.6 });
			expect(sub.messages.find(m => m.topic === `xs-cluster/v1/${NODE}/status`)?.text).toBe("online");
			expect(cluster.lines.join("\n")).toContain(`mqtts://127.0.0.1:${broker.port}`);
		}
		finally {
			cluster.telemetry.close();
			sub.close();
		}
		expect(cluster.lines.join("\n")).not.toMatch(/s3cret-pass/);
	});

	test("a-certificate-the-cluster-does-not-trust-is-a-failed-connection", async () => {
		const cluster = device({ host: "127.0.0.1", port: broker.port, secure: true }, stranger.ca);
		try {
			// Connects, fails, waits, tries again: never online, and says why in one line.
			expect(await cluster.run(() => cluster.telemetry.counters.failures >= 2 || cluster.telemetry.state === LinkState.online)).toBe(true);
			expect(cluster.telemetry.state).not.toBe(LinkState.online);
			expect(cluster.telemetry.lastLine).toMatch(new RegExp(`^mqtt: no MQTT connection to mqtts://127\\.0\\.0\\.1:${broker.port} \\(refused, closed, or not an MQTT broker\\); retry in \\d+ s$`));
			expect(cluster.lines.join("\n")).not.toMatch(/s3cret-pass|driver/);
		}
		finally {
			cluster.telemetry.close();
		}
	});

	test("npm-start---mqtt-ca-gives-the-simulator-the-broker's-ca", async () => {
		const { parseArgs, start, caCertificate } = await import("../tools/start.js");
		expect(parseArgs(["--mqtt", "mqtts://127.0.0.1:8883", "--mqtt-ca", "ca.crt"])).toMatchObject({ mqtt: "mqtts://127.0.0.1:8883", mqttCa: join(process.cwd(), "ca.crt") });
		expect(parseArgs(["--mqtt-ca"])).toMatch(/^xs-cluster: --mqtt-ca wants the certificate of the CA that signed the broker's/);
		const pem = new Uint8Array(readFileSync(trusted.ca));
		const der = new X509Certificate(Buffer.from(pem)).raw;
		expect(caCertificate("/ca.crt", { readFile: () => pem })).toBe(der.toString("hex"));
		expect(caCertificate("/ca.der", { readFile: () => new Uint8Array(der) })).toBe(der.toString("hex"));
		expect(caCertificate("/x", { readFile: () => new TextEncoder().encode("nope") })).toBe("xs-cluster: /x: not a certificate (PEM or DER)");
		const build = async (...argv: string[]) => {
			const runs: string[][] = [];
			let out = "";
			const sdk = "/opt/moddable", release = `${sdk}/build/bin/lin/release`, project = "/home/me/xs-cluster";
			const files = new Set([sdk, `${release}/mcconfig`, `${release}/mcsim`, `${project}/build/bin/lin/m5stack/debug/xs-cluster/mc.so`]);
			const status = await start([...argv, "--build-only"], project, {
				env: { MODDABLE: sdk, PATH: "/usr/bin" }, platform: "linux",
				exists: path => files.has(path), makeDir: () => {}, readFile: () => pem, writeFile: () => {}, copyFile: () => {},
				run: async (_command, args) => { runs.push(args); return 0; },
				out: text => { out += text; }, err: text => { out += text; },
			});
			return { status, runs, out };
		};
		const made = await build("--mqtt", "mqtts://broker.local:8883", "--mqtt-ca", "/etc/ca.crt");
		expect(made.status).toBe(0);
		expect(made.runs[0]).toContain(`mqttCa=${der.toString("hex")}`);
		expect(made.out).toContain("xs-cluster: the broker's certificate is checked against /etc/ca.crt");
		expect(made.out).toContain("mosquitto_sub -h broker.local -p 8883 --cafile /etc/ca.crt");
		const plain = await build("--mqtt", "127.0.0.1:1883", "--mqtt-ca", "/etc/ca.crt");
		expect(plain.status).toBe(2);
		expect(plain.out).toMatch(/xs-cluster: --mqtt-ca is for a broker that wants TLS: --mqtt mqtts:\/\/host:port\n/);
	});

	test("a-plain-mqtt-client-on-the-tls-port-fails-the-same-way", async () => {
		const lines: string[] = [];
		const telemetry = new Telemetry({
			node: NODE, broker: { host: "127.0.0.1", port: broker.port, secure: false }, network: { io: NodeMqttClient },
			outbox: new Outbox(new FakeFlash(16 * 4096, 4096, 2), { recordBytes: 496 }),
			readState: into => Object.assign(into, car()),
			connectTimeoutMs: 1000, backoff: new Backoff({ firstMs: 500, maxMs: 2000 }), log: line => lines.push(line),
		});
		let now = 0;
		for (let i = 0; i < 200 && telemetry.counters.failures < 1; i++) {
			now += STEP;
			telemetry.service(now, 4096);
			await sleep(2);
		}
		telemetry.close();
		expect(telemetry.counters.failures).toBeGreaterThanOrEqual(1);
		expect(telemetry.state).not.toBe(LinkState.online);
	});
});
