/*
 * Wi-Fi for telemetry, without holding up the start (`setup/wifi`,
 * preloaded by hosts/esp32/manifest.json). The SDK's setup/network, which
 * the MQTT client's manifest brings in through manifest_net.json, calls
 * `done` only once the station has an address when the `ssid` config value
 * is set, so the gauges would wait for Wi-Fi. The cluster therefore leaves
 * `ssid` empty and reads `wifiSsid` / `wifiPassword` here: it asks for the
 * connection and lets the cluster start at once. Until the address arrives,
 * the MQTT client's connects fail and Telemetry backs off
 * (modules/connect/telemetry.ts). Without `wifiSsid`, Wi-Fi stays off.
 * Runs on the ESP32 at start (a setup module); allocates the Wi-Fi object.
 */
import config from "mc/config";
import WiFi from "embedded:network/interface/wifi";

/** Held for the program's life: the Wi-Fi object must not be collected while the station is up. */
let wifi: WiFi | null = null;

export default function (done: () => void): void {
	const { wifiSsid: ssid, wifiPassword: password } = config as Record<string, unknown>;
	if (typeof ssid === "string" && ssid) {
		wifi = new WiFi({
			onChanged(property) {
				// connection >= 500: the station has an address (the SDK's setup/network reads it the same way).
				if (property === "address" && wifi && wifi.connection >= 500)
					trace(`Wi-Fi: address ${wifi.address}\n`);
			},
		});
		wifi.connect(typeof password === "string" && password ? { SSID: ssid, password } : { SSID: ssid });
	}
	done();
}
