/*
 * The CA an mqtts:// broker is checked against, from the `mqttCa` config
 * value (DER in hex), as both hosts read it (modules/connect/broker-ca.ts).
 * Node (vitest).
 */
import { describe, expect, it } from "vitest";
import { brokerCa, brokerSettings } from "../modules/connect/broker-ca.js";

/** A DER SEQUENCE of 70 bytes: the shape of a certificate, enough for the reader. */
const DER = "3082" + "0042" + "ab".repeat(66);

describe("broker-ca", () => {
	it("none-given: the SDK's own CAs", () => {
		expect(brokerCa(undefined)).toBeNull();
		expect(brokerCa("")).toBeNull();
	});

	it("der-in-hex-either-case", () => {
		const ca = brokerCa(DER.toUpperCase());
		expect(ca).toBeInstanceOf(ArrayBuffer);
		const bytes = new Uint8Array(ca as ArrayBuffer);
		expect(bytes.length).toBe(70);
		expect([...bytes.subarray(0, 4)]).toEqual([0x30, 0x82, 0x00, 0x42]);
	});

	it("bad-values-are-one-line", () => {
		expect(brokerCa("30820")).toMatch(/^mqttCa: not a certificate in hex/);
		expect(brokerCa("zz" + DER.slice(2))).toMatch(/^mqttCa: not a certificate in hex/);
		expect(brokerCa("-----BEGIN CERTIFICATE-----")).toMatch(/^mqttCa: not a certificate in hex/);
		expect(brokerCa(42)).toMatch(/^mqttCa: not a certificate in hex/);
		expect(brokerCa("31" + DER.slice(2))).toMatch(/^mqttCa: not a DER certificate/);
		expect(brokerCa("3003020101")).toMatch(/^mqttCa: not a DER certificate/);
	});
});

describe("broker settings, as both hosts read their config", () => {
	it("no-broker-no-telemetry", () => {
		expect(brokerSettings({})).toBeNull();
		expect(brokerSettings({ mqtt: "" })).toBeNull();
	});

	it("a-plain-broker-needs-no-ca, and-its-ca-setting-is-not-read", () => {
		expect(brokerSettings({ mqtt: "10.0.0.2:1884", mqttCa: "not hex" })).toEqual({ broker: { host: "10.0.0.2", port: 1884, secure: false }, ca: null });
	});

	it("mqtts-takes-the-ca-or-the-sdks-own", () => {
		const settings = brokerSettings({ mqtt: "mqtts://broker.local", mqttCa: DER });
		expect(settings).toMatchObject({ broker: { host: "broker.local", port: 8883, secure: true } });
		expect(new Uint8Array((settings as { ca: ArrayBuffer }).ca).length).toBe(70);
		expect(brokerSettings({ mqtt: "mqtts://broker.local" })).toMatchObject({ ca: null });
	});

	it("a-bad-broker-or-ca-is-one-line", () => {
		expect(brokerSettings({ mqtt: "mqtt://bad host" })).toMatch(/^mqtt: 'mqtt:\/\/bad host' is not a broker/);
		expect(brokerSettings({ mqtt: "mqtts://broker.local", mqttCa: "30820" })).toMatch(/^mqttCa: not a certificate in hex/);
	});
});
