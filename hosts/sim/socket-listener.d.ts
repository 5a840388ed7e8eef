// The SDK's ECMA-419 TCP listener (typings/embedded_io/socket/listener.d.ts),
// for type-checking hosts/sim outside mcconfig; mcconfig uses the SDK's own typings.
declare module "embedded:io/socket/listener" {
	import type TCP from "embedded:io/socket/tcp";
	export default class Listener {
		constructor(options: { port?: number; address?: string; onReadable?: (this: Listener, requests: number) => void });
		read(): TCP | undefined;
		readonly port: number;
		close(): void;
	}
}
