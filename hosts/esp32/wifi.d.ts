/*
 * The part of the SDK's ECMA-419 Wi-Fi interface that network-setup.ts uses,
 * as the SDK's typings/embedded_network/interface/wifi.d.ts declares it
 * (mcconfig compiles against that one); the npm @moddable/typings package
 * has no declaration for it. Type-checking only.
 */
declare module "embedded:network/interface/wifi" {
	export type WiFiChangedProperty = "connection" | "address";
	export interface WiFiConstructorOptions {
		onChanged?: (property: WiFiChangedProperty) => void;
	}
	export interface WiFiConnectOptions {
		SSID: string;
		password?: string;
	}
	class WiFi {
		constructor(options: WiFiConstructorOptions);
		close(): void;
		connect(options: WiFiConnectOptions): void;
		disconnect(): void;
		/** Below 500: no address yet (400 .. 499 associated); 500 and above: the station has an address. */
		readonly connection: number;
		readonly address: string | undefined;
		readonly SSID: string | undefined;
	}
	export default WiFi;
}
