/*
 * Twai: the ESP32's TWAI controller as an ECMA-419 style IO class, the
 * `TwaiIO` of modules/can/twai.ts. The work is in twai.c (see its header for
 * where each callback runs and which ESP-IDF it targets). This half checks the
 * options bag and hands the native constructor a flat, complete one.
 *
 * Runs on the ESP32 only (the module is in hosts/esp32/manifest.json's esp32
 * platform). Allocates in the constructor; read, write and status copy into
 * caller storage.
 */
import { TWAI_ACCEPT_ALL, TWAI_BIT_RATES, type TwaiIO, type TwaiOptions } from "can/twai";

// `extends Native("...")` and `native("...")` with literal names are what xsc binds to C functions.
export default class Twai extends Native("xs_twai_destructor") implements TwaiIO {
	/**
	 * @throws RangeError for a bit rate without a preset or a bad queue length;
	 * Error "in use" when the pins or the controller are taken.
	 */
	constructor(options: TwaiOptions) {
		super();
		if (!TWAI_BIT_RATES.includes(options.bitRate))
			throw new RangeError(`TWAI bitRate must be one of ${TWAI_BIT_RATES.join(", ")}`);
		const filter = options.filter ?? TWAI_ACCEPT_ALL;
		native("xs_twai_constructor").call(this, {
			transmit: options.transmit,
			receive: options.receive,
			bitRate: options.bitRate,
			listenOnly: options.listenOnly ?? true,
			code: filter.code >>> 0,
			mask: filter.mask >>> 0,
			single: filter.single,
			rxQueueLength: options.rxQueueLength ?? 512,
			onReadable: options.onReadable,
			onError: options.onError,
		});
	}
	read(buffer: Uint8Array): number {
		return native("xs_twai_read").call(this, buffer);
	}
	write(buffer: Uint8Array): void {
		native("xs_twai_write").call(this, buffer);
	}
	status(into: Uint32Array): void {
		native("xs_twai_status").call(this, into);
	}
	start(): void {
		native("xs_twai_start").call(this);
	}
	stop(): void {
		native("xs_twai_stop").call(this);
	}
	recover(): void {
		native("xs_twai_recover").call(this);
	}
	close(): void {
		native("xs_twai_close").call(this);
	}
}
