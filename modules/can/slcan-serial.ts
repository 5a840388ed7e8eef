/*
 * SlcanSerialSource: a CAN source on a LAWICEL/SLCAN adapter behind an
 * ECMA-419 serial port (a UART-connected CAN232-style adapter, or another
 * board speaking SLCAN over its UART).
 *
 * Opening writes the adapter's setup in one write: close the channel (`C`),
 * the bit rate (`S4`..`S8`), timestamps on or off (`Z1`/`Z0`), then open it
 * listen-only (`L`, the default) or normal (`O`). Bytes from `onReadable` go
 * straight into the core's SlcanParser, which puts frames into the ring;
 * the bytes may arrive cut anywhere. Closing writes `C` and releases the port.
 *
 * Overload: every drain reads all the port holds (up to MAX_READS reads, so a
 * port that never runs dry cannot hold the display tick), and when the ring is
 * full it drops its oldest, counted: the project's rule, a cluster shows the
 * present. Leaving bytes in the port instead would lose the newest, when the
 * UART's buffer overflows. The parser's counters (malformed lines, adapter
 * errors) are reported through `parser`.
 *
 * Runs on XS and Node. Allocates only in the constructor and `open()` (the
 * port's options bag); reads go into one preallocated buffer.
 */
import { BusState, BusStatus } from "./bus-status.js";
import type { FrameRing } from "./ring.js";
import type { SlcanStreamParser } from "./native-slcan.js";
import { SLCAN_MAX_FRAME_LENGTH, SlcanParser, type SlcanParserOptions } from "./slcan.js";

/** Reads per drain at most: enough for seconds of a saturated UART at any sensible `readSize`, and a bound on the tick. */
const MAX_READS = 64;

/** The serial port as ECMA-419 defines it, as far as this source uses it. */
export interface SerialIO {
	/** Reads into `buffer`; returns the number of bytes read (0 or undefined when none). */
	read(buffer: Uint8Array): number | undefined;
	write(buffer: Uint8Array): void;
	close(): void;
}

/** What `openSerial` receives: an ECMA-419 Serial options bag's callback. */
export interface SerialCallbacks {
	onReadable(this: SerialIO, count: number): void;
}

/** SLCAN `Sn` bit rate codes. */
const RATE_CODES: Readonly<Record<number, number>> = Object.freeze({
	10000: 0, 20000: 1, 50000: 2, 100000: 3, 125000: 4, 250000: 5, 500000: 6, 800000: 7, 1000000: 8,
});

export interface SlcanSerialOptions {
	/** Opens the port with the given callback, e.g. `(cb) => new Serial({ ...board, baud, ...cb })`. */
	openSerial: (callbacks: SerialCallbacks) => SerialIO;
	/** Milliseconds, monotonic: stamps frames without an adapter timestamp, and unwraps those with one. */
	clock: () => number;
	bitRate: number;
	/** Default true: the adapter is opened with `L`. */
	listenOnly?: boolean;
	/** Ask the adapter for its millisecond timestamps (`Z1`). Default false: frames get the host clock. */
	timestamps?: boolean;
	/** Bytes read per `read` call. Default 256. */
	readSize?: number;
	/**
	 * Makes the parser: default SlcanParser; modules/can/native-slcan.ts
	 * `slcanParser` gives the C parser where it is linked (same frames and
	 * counters, far cheaper on XS).
	 */
	parser?: (ring: FrameRing, options: SlcanParserOptions) => SlcanStreamParser;
}

const C = 0x43, S = 0x53, Z = 0x5A, L = 0x4C, O = 0x4F, CR = 0x0D;

export class SlcanSerialSource {
	readonly status = new BusStatus();
	readonly ring: FrameRing;
	readonly parser: SlcanStreamParser;
	readonly description: string;

	private readonly options: SlcanSerialOptions;
	private readonly buffer: Uint8Array;
	private readonly setup: Uint8Array;
	private readonly closing = Uint8Array.of(C, CR);
	private port: SerialIO | null = null;

	/** @throws RangeError for a bit rate SLCAN has no code for. */
	constructor(ring: FrameRing, options: SlcanSerialOptions) {
		const code = RATE_CODES[options.bitRate];
		if (code === undefined)
			throw new RangeError(`SLCAN has no bit rate code for ${options.bitRate}`);
		this.ring = ring;
		this.options = options;
		const parserOptions = { clock: options.clock, maxLineLength: SLCAN_MAX_FRAME_LENGTH + 10 };
		this.parser = options.parser ? options.parser(ring, parserOptions) : new SlcanParser(ring, parserOptions);
		this.buffer = new Uint8Array(options.readSize ?? 256);
		const listenOnly = options.listenOnly ?? true;
		this.setup = Uint8Array.of(C, CR, S, 0x30 + code, CR, Z, options.timestamps ? 0x31 : 0x30, CR, listenOnly ? L : O, CR);
		this.description = `slcan ${options.bitRate / 1000} kbit/s ${listenOnly ? "listen-only" : "normal"}`;
	}

	get isOpen(): boolean {
		return this.port !== null;
	}

	/** Opens the port and sets the adapter up. */
	open(now: number): void {
		if (this.port)
			return;
		const source = this;
		this.parser.reset();
		this.port = this.options.openSerial({
			onReadable() {
				source.drain();
			},
		});
		this.port.write(this.setup);
		this.status.state = BusState.errorActive;
		this.step(now);
	}

	/** Closes the adapter's channel and the port. Safe to call twice. */
	close(): void {
		const port = this.port;
		if (!port)
			return;
		this.port = null;
		try {
			port.write(this.closing);
		}
		finally {
			port.close();
			this.parser.finish();
			this.status.state = BusState.stopped;
		}
	}

	/** The display clock's call: reads what the port holds. No allocation. */
	step(now: number): void {
		this.drain();
	}

	/** Feeds what the port holds to the parser (the ring drops its oldest when full); returns the frames added. No allocation. */
	drain(): number {
		const port = this.port, parser = this.parser, buffer = this.buffer;
		if (!port)
			return 0;
		let frames = 0;
		for (let reads = 0; reads < MAX_READS; reads++) {
			const count = port.read(buffer);
			if (!count)
				break;
			frames += parser.feed(buffer, 0, count);
		}
		this.status.frames += frames;
		return frames;
	}
}
