/*
 * Twai: the ESP32's TWAI controller as an ECMA-419 style IO class, the
 * `TwaiIO` of modules/can/twai.ts. The work is in twai.c, on ESP-IDF v6.0's
 * TWAI node driver (see its header for where each part runs). This half
 * checks the options bag and hands the native constructor a flat, complete one.
 *
 * Runs on the ESP32 only (the module is in hosts/esp32/manifest.json's esp32
 * platform). Allocates in the constructor; read, write and status copy into
 * caller storage.
 */
import { TWAI_ACCEPT_ALL, TWAI_BIT_RATES, type TwaiIO, type TwaiOptions } from "can/twai";

// `extends Native("...")` and `native("...")` with literal names are what xsc binds to C functions.
export default class Twai extends Native("xs_twai_destructor") implements TwaiIO {
	/**
	 * @throws RangeError for a bit rate not in TWAI_BIT_RATES, a ring length
	 * that is not a power of two from 2 to 4096, a controller the chip does not
	 * have; Error "in use" when the pins or the controller are taken.
	 */
	constructor(options: TwaiOptions) {
		super();
		if (!TWAI_BIT_RATES.includes(options.bitRate))
			throw new RangeError(`TWAI bitRate must be one of ${TWAI_BIT_RATES.join(", ")}`);
		const rxQueueLength = options.rxQueueLength ?? 512;
		if (!(Number.isInteger(rxQueueLength) && rxQueueLength >= 2 && rxQueueLength <= 4096 && (rxQueueLength & (rxQueueLength - 1)) === 0))
			throw new RangeError("TWAI rxQueueLength must be a power of two from 2 to 4096");
		const filter = options.filter ?? TWAI_ACCEPT_ALL;
		native("xs_twai_constructor").call(this, {
			transmit: options.transmit,
			receive: options.receive,
			controller: options.controller ?? 0,
			bitRate: options.bitRate,
			listenOnly: options.listenOnly ?? true,
			filterId: filter.id >>> 0,
			filterMask: filter.mask >>> 0,
			filterExtended: filter.extended,
			filterDual: filter.dual,
			rxQueueLength,
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
