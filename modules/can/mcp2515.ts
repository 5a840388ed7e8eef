/*
 * Mcp2515Source: a CAN source on a Microchip MCP2515 stand-alone controller,
 * reached over an ECMA-419 SPI object, with its INT pin on an ECMA-419
 * Digital input. Register map, instructions and bit timing rules from the
 * MCP2515 datasheet (DS20001801, sections 4 to 12).
 *
 * - Init: RESET, wait for configuration mode, bit timing (CNF1..3), filters
 *   and masks, both receive buffers with rollover (BUKT: a frame that finds
 *   RXB0 full goes to RXB1), interrupts RX0IE, RX1IE, ERRIE, MERRE, then
 *   listen-only (the default) or normal mode, checked by reading CANSTAT and
 *   the CNF registers back.
 * - Receive: on INT (or on the display clock when no INT pin is wired), read
 *   CANINTF and EFLG in one transaction, then each full buffer with READ RX
 *   BUFFER, which clears its RXnIF when chip select rises. RXB0 first: after a
 *   rollover it holds the older frame. The chip keeps no arrival order, so a
 *   frame that reaches RXB0 while an older one waits in RXB1 (RXB1's own
 *   filters, or a frame landing mid-service) can come out first.
 * - Overflow: EFLG.RX0OVR / RX1OVR mean a frame found its buffer (and, with
 *   rollover, RXB1) full and was lost. Each time one is found set it is counted
 *   in `status.overruns` and cleared: an overrun event is one or more lost
 *   frames (the chip does not count them).
 * - Overload: frames are always read out of the chip, and when the ring is
 *   full it drops its oldest (counted in `ring.dropped`), the project's rule:
 *   a cluster shows the present. Leaving them in the chip instead would lose
 *   the newest, the ones arriving to full buffers.
 * - Bus-off: EFLG.TXBO. The chip recovers by itself after 128 x 11 recessive
 *   bits; if it is still off after the back-off the source resets and
 *   re-initialises it, doubling the back-off (up to its limit) each time.
 * - Listen-only never touches the transmit buffers (TXBnCTRL..TXBnDm, LOAD TX
 *   BUFFER, RTS): the chip cannot send, acknowledge or raise error frames.
 *
 * Runs on XS and Node. Allocates only in the constructor and `open()`; every
 * SPI transaction uses a preallocated view of one scratch buffer.
 */
import { Backoff } from "./backoff.js";
import { BusState, BusStatus } from "./bus-status.js";
import { EXTENDED_ID_MASK, FrameFlag, MAX_DLC, STANDARD_ID_MASK, type CanFrame } from "./frame.js";
import type { FrameRing } from "./ring.js";

/** SPI instructions. */
export const Mcp2515Instruction = Object.freeze({
	reset: 0xC0,
	read: 0x03,
	write: 0x02,
	/** READ RX BUFFER starting at RXB0SIDH; +4 for RXB1SIDH. */
	readRxBuffer0: 0x90,
	readRxBuffer1: 0x94,
	/** LOAD TX BUFFER starting at TXB0SIDH. */
	loadTxBuffer0: 0x40,
	/** REQUEST TO SEND TXB0. */
	requestToSend0: 0x81,
	readStatus: 0xA0,
	bitModify: 0x05,
});

/** Register addresses. */
export const Mcp2515Register = Object.freeze({
	RXF0SIDH: 0x00,
	RXF3SIDH: 0x10,
	CANSTAT: 0x0E,
	CANCTRL: 0x0F,
	TEC: 0x1C,
	REC: 0x1D,
	RXM0SIDH: 0x20,
	CNF3: 0x28,
	CNF2: 0x29,
	CNF1: 0x2A,
	CANINTE: 0x2B,
	CANINTF: 0x2C,
	EFLG: 0x2D,
	TXB0CTRL: 0x30,
	TXB0SIDH: 0x31,
	RXB0CTRL: 0x60,
	RXB0SIDH: 0x61,
	RXB1CTRL: 0x70,
	RXB1SIDH: 0x71,
});

/** REQOP / OPMOD values (CANCTRL / CANSTAT bits 7..5). */
export const Mcp2515Mode = Object.freeze({
	normal: 0x00,
	sleep: 0x20,
	loopback: 0x40,
	listenOnly: 0x60,
	configuration: 0x80,
});
const MODE_MASK = 0xE0;

/** CANINTE / CANINTF bits. */
export const Mcp2515Interrupt = Object.freeze({
	RX0: 0x01,
	RX1: 0x02,
	TX0: 0x04,
	TX1: 0x08,
	TX2: 0x10,
	ERR: 0x20,
	WAK: 0x40,
	MERR: 0x80,
});

/** EFLG bits. */
export const Mcp2515Error = Object.freeze({
	EWARN: 0x01,
	RXWAR: 0x02,
	TXWAR: 0x04,
	RXEP: 0x08,
	TXEP: 0x10,
	TXBO: 0x20,
	RX0OVR: 0x40,
	RX1OVR: 0x80,
});

/** RXBnCTRL bits. */
export const Mcp2515Receive = Object.freeze({
	/** RXM = 11: masks and filters off, receive any frame. */
	ANY: 0x60,
	/** RXB0 only: rollover into RXB1 when RXB0 is full. */
	BUKT: 0x04,
});

/** RXBnSIDL / RXFnSIDL bits. */
const SIDL_IDE = 0x08;
const SIDL_SRR = 0x10;
/** RXBnDLC: remote request of an extended frame. */
const DLC_RTR = 0x40;
/** TXBnCTRL: transmission pending. */
const TXREQ = 0x08;

export interface Mcp2515BitTiming {
	/** Baud rate prescaler, 0..63: TQ = 2 (brp + 1) / crystal. */
	brp: number;
	/** Time quanta per bit: 1 (sync) + propagation + phase 1 + phase 2. */
	quanta: number;
	propagation: number;
	phase1: number;
	phase2: number;
	/** Synchronisation jump width, TQ. */
	sjw: number;
	/** Sample point as a fraction of the bit. */
	samplePoint: number;
	cnf1: number;
	cnf2: number;
	cnf3: number;
}

/**
 * CNF1..3 for `bitRate` from a `crystal` (Hz). Picks the prescaler that gives
 * the most time quanta per bit within CAN's 8..25 and puts the sample point
 * at 87.5 % (75 % at 1 Mbit/s, CiA 301's values) within the datasheet's
 * rules (section 5.3): PS2 >= 2, PropSeg + PS1 >= PS2, PS2 > SJW, each
 * segment 1..8 TQ. SJW is 1 TQ: quartz crystals. Allocates the result.
 * @throws RangeError when no exact setting exists, e.g. 1 Mbit/s from 8 MHz
 * (4 TQ per bit).
 */
export function mcp2515BitTiming(crystal: number, bitRate: number): Mcp2515BitTiming {
	const target = bitRate >= 1000000 ? 0.75 : 0.875;
	for (let brp = 0; brp < 64; brp++) {
		const quanta = crystal / (2 * (brp + 1) * bitRate);
		if (!Number.isInteger(quanta) || quanta > 25)
			continue;
		if (quanta < 8)
			break;
		const phase2 = Math.min(8, Math.max(2, quanta - Math.round(quanta * target)));
		const tseg1 = quanta - 1 - phase2;
		const phase1 = Math.min(8, Math.ceil(tseg1 / 2));
		const propagation = tseg1 - phase1;
		if (propagation < 1 || propagation > 8 || propagation + phase1 < phase2)
			continue;
		const sjw = 1;
		return {
			brp, quanta, propagation, phase1, phase2, sjw,
			samplePoint: (1 + propagation + phase1) / quanta,
			cnf1: ((sjw - 1) << 6) | brp,
			// BTLMODE: PS2 comes from CNF3. SAM 0: one sample.
			cnf2: 0x80 | ((phase1 - 1) << 3) | (propagation - 1),
			cnf3: phase2 - 1,
		};
	}
	throw new RangeError(`MCP2515 cannot make ${bitRate} bit/s from a ${crystal} Hz crystal`);
}

/** Acceptance for one receive buffer: frames whose id matches one of `ids` in the bits set in `mask` (1 = must match). */
export interface Mcp2515Acceptance {
	mask: number;
	/** RXB0 takes 1 or 2 filters, RXB1 1 to 4. */
	ids: readonly number[];
	/** The ids and mask are 29-bit extended ones; otherwise 11-bit standard. */
	extended?: boolean;
}

/** The SPI object as ECMA-419 defines it, as far as this driver uses it. */
export interface SpiIO {
	/** Full duplex, in place: sends `buffer` and replaces it with what came back. Chip select stays asserted until `flush(true)`. */
	transfer(buffer: Uint8Array): void;
	flush(deselect?: boolean): void;
	close?(): void;
}

/** The INT input as an ECMA-419 Digital: `read()` is 0 while the chip asserts it (active low). */
export interface InterruptInput {
	read(): number;
	close?(): void;
}

export interface Mcp2515Options {
	/** Opens the SPI object (a device on the bus with its own chip select). */
	openSpi: () => SpiIO;
	/** Opens the INT pin, calling `onInterrupt` on its falling edge. Without it the source polls on `step`. */
	openInterrupt?: (onInterrupt: () => void) => InterruptInput;
	/** Milliseconds, monotonic; stamps frames read on an interrupt. */
	clock: () => number;
	/** Crystal on the module, Hz: commonly 8 MHz (blue boards) or 16 MHz. */
	crystal: number;
	bitRate: number;
	/** Default true. `false` is the explicit choice to transmit. */
	listenOnly?: boolean;
	/** Default: both buffers receive any frame. */
	rxb0?: Mcp2515Acceptance;
	rxb1?: Mcp2515Acceptance;
	backoffMs?: number;
	maxBackoffMs?: number;
	stableMs?: number;
}

/** Mode-change polls before giving up; a change completes within one frame time. */
const MODE_POLLS = 10;
/** Rounds of the interrupt service loop before it yields to the caller. */
const SERVICE_ROUNDS = 8;

export class Mcp2515Source {
	readonly status = new BusStatus();
	readonly ring: FrameRing;
	readonly description: string;
	readonly timing: Mcp2515BitTiming;
	/** Times the controller was reset and initialised (open and bus-off recoveries). */
	initialisations = 0;

	private readonly options: Mcp2515Options;
	private readonly listenOnly: boolean;
	private spi: SpiIO | null = null;
	private interrupt: InterruptInput | null = null;
	/** One scratch buffer and a view of it for each transaction length 1..16: no allocation per transaction. */
	private readonly scratch = new Uint8Array(16);
	private readonly views: Uint8Array[] = [];
	private readonly filterBytes = new Uint8Array(12);
	private servicing = false;
	private busOffSince = -1;
	/** Bus-off recovery waits (modules/can/backoff.ts): backoffMs doubling to maxBackoffMs, from the start after stableMs up. */
	private readonly backoff: Backoff;

	/** @throws RangeError when the bit rate cannot be made from the crystal. */
	constructor(ring: FrameRing, options: Mcp2515Options) {
		this.ring = ring;
		this.options = options;
		this.listenOnly = options.listenOnly ?? true;
		this.timing = mcp2515BitTiming(options.crystal, options.bitRate);
		this.backoff = new Backoff({ firstMs: options.backoffMs ?? 100, maxMs: options.maxBackoffMs ?? 5000, stableMs: options.stableMs ?? 10000 });
		for (let n = 0; n <= 16; n++)
			this.views.push(new Uint8Array(this.scratch.buffer, 0, n));
		checkAcceptance(options.rxb0, 2);
		checkAcceptance(options.rxb1, 4);
		if (options.rxb1 && !options.rxb0)
			throw new RangeError("MCP2515 rxb1 filters need rxb0 filters: RXB0 would take every frame");
		this.description = `mcp2515 ${options.bitRate / 1000} kbit/s ${this.listenOnly ? "listen-only" : "normal"}`;
	}

	get isOpen(): boolean {
		return this.spi !== null;
	}

	/**
	 * Opens SPI and INT, resets and initialises the controller.
	 * @throws Error when the chip does not answer or does not take the configuration.
	 */
	open(now: number): void {
		if (this.spi)
			return;
		this.spi = this.options.openSpi();
		try {
			this.initialise();
		}
		catch (e) {
			this.release();
			throw e;
		}
		const source = this;
		if (this.options.openInterrupt)
			this.interrupt = this.options.openInterrupt(() => source.service(source.options.clock()));
		this.backoff.up(now);
		this.busOffSince = -1;
		this.backoff.reset();
		this.service(now);
	}

	/** Puts the controller back in configuration mode (off the bus) and releases SPI and INT. Safe to call twice. */
	close(): void {
		if (!this.spi)
			return;
		try {
			this.writeRegister(Mcp2515Register.CANINTE, 0);
			this.writeRegister(Mcp2515Register.CANCTRL, Mcp2515Mode.configuration);
		}
		finally {
			this.release();
			this.status.state = BusState.stopped;
		}
	}

	/** The display clock's call: reads what is pending and runs the bus-off back-off. No allocation. */
	step(now: number): void {
		if (!this.spi)
			return;
		this.service(now);
		this.supervise(now);
	}

	/**
	 * Services the controller: frames into the ring (which drops its oldest when full), errors
	 * counted and cleared. Called from the INT pin's callback and from `step`.
	 * Returns the number of frames read. No allocation.
	 */
	service(now: number): number {
		if (!this.spi || this.servicing)
			return 0;
		const interrupt = this.interrupt;
		// INT high: nothing pending, spare the SPI bus (the display shares it).
		if (interrupt && interrupt.read() !== 0)
			return 0;
		this.servicing = true;
		let frames = 0;
		try {
			for (let round = 0; round < SERVICE_ROUNDS; round++) {
				const flags = this.readRegisters(Mcp2515Register.CANINTF, 2);
				const intf = flags[2], eflg = flags[3];
				if (intf & (Mcp2515Interrupt.ERR | Mcp2515Interrupt.MERR))
					this.errors(intf, eflg, now);
				// Both buffers or neither: reading RXB0 alone would let the next frame
				// into RXB0 ahead of the older one waiting in RXB1.
				const pending = intf & (Mcp2515Interrupt.RX0 | Mcp2515Interrupt.RX1);
				const count = pending === (Mcp2515Interrupt.RX0 | Mcp2515Interrupt.RX1) ? 2 : pending ? 1 : 0;
				if (count === 0)
					break;
				if (pending & Mcp2515Interrupt.RX0)
					this.readFrame(Mcp2515Instruction.readRxBuffer0, now);
				if (pending & Mcp2515Interrupt.RX1)
					this.readFrame(Mcp2515Instruction.readRxBuffer1, now);
				frames += count;
			}
		}
		finally {
			this.servicing = false;
		}
		this.status.frames += frames;
		return frames;
	}

	/**
	 * Queues `frame` in TXB0 and requests its transmission. Returns false when
	 * TXB0 is still busy. No allocation.
	 * @throws Error "listen-only" unless opened with `listenOnly: false`; "closed".
	 */
	send(frame: CanFrame): boolean {
		if (this.listenOnly)
			throw new Error("listen-only");
		if (!this.spi)
			throw new Error("closed");
		if (this.readRegisters(Mcp2515Register.TXB0CTRL, 1)[2] & TXREQ)
			return false;
		const extended = (frame.flags & FrameFlag.extended) !== 0, remote = (frame.flags & FrameFlag.remote) !== 0;
		const id = frame.id, dlc = frame.dlc;
		if (!(id >= 0 && id <= (extended ? EXTENDED_ID_MASK : STANDARD_ID_MASK) && dlc >= 0 && dlc <= MAX_DLC))
			throw new RangeError("MCP2515 frame id or DLC out of range");
		const b = this.views[14];
		b[0] = Mcp2515Instruction.loadTxBuffer0;
		encodeId(b, 1, id, extended);
		b[5] = dlc | (remote ? DLC_RTR : 0);
		for (let i = 0; i < 8; i++)
			b[6 + i] = (!remote && i < dlc) ? frame.data[i] : 0;
		this.transaction(b);
		const rts = this.views[1];
		rts[0] = Mcp2515Instruction.requestToSend0;
		this.transaction(rts);
		return true;
	}

	private initialise(): void {
		const R = Mcp2515Register;
		this.initialisations++;
		const reset = this.views[1];
		reset[0] = Mcp2515Instruction.reset;
		this.transaction(reset);
		this.waitForMode(Mcp2515Mode.configuration, "MCP2515 not responding (no configuration mode after reset)");

		const t = this.timing;
		const cnf = this.views[5];
		cnf[0] = Mcp2515Instruction.write;
		cnf[1] = R.CNF3;
		cnf[2] = t.cnf3;
		cnf[3] = t.cnf2;
		cnf[4] = t.cnf1;
		this.transaction(cnf);

		const options = this.options;
		const rxb0 = options.rxb0, rxb1 = options.rxb1 ?? options.rxb0;
		if (rxb0 && rxb1) {
			// RXF0, RXF1 with RXM0 for RXB0; RXF2..RXF5 with RXM1 for RXB1. Unused filters repeat the first.
			const filters = this.filterBytes;
			encodeId(filters, 0, rxb0.ids[0], !!rxb0.extended);
			encodeId(filters, 4, rxb0.ids[1] ?? rxb0.ids[0], !!rxb0.extended);
			encodeId(filters, 8, rxb1.ids[0], !!rxb1.extended);
			this.writeBlock(R.RXF0SIDH, filters);
			for (let i = 0; i < 3; i++)
				encodeId(filters, i * 4, rxb1.ids[i + 1] ?? rxb1.ids[0], !!rxb1.extended);
			this.writeBlock(R.RXF3SIDH, filters);
			encodeId(filters, 0, rxb0.mask, !!rxb0.extended, true);
			encodeId(filters, 4, rxb1.mask, !!rxb1.extended, true);
			const masks = this.views[10];
			masks[0] = Mcp2515Instruction.write;
			masks[1] = R.RXM0SIDH;
			for (let i = 0; i < 8; i++)
				masks[2 + i] = filters[i];
			this.transaction(masks);
			this.writeRegister(R.RXB0CTRL, Mcp2515Receive.BUKT);
			this.writeRegister(R.RXB1CTRL, 0);
		}
		else {
			this.writeRegister(R.RXB0CTRL, Mcp2515Receive.ANY | Mcp2515Receive.BUKT);
			this.writeRegister(R.RXB1CTRL, Mcp2515Receive.ANY);
		}
		this.writeRegister(R.CANINTF, 0);
		this.writeRegister(R.EFLG, 0);
		this.writeRegister(R.CANINTE, Mcp2515Interrupt.RX0 | Mcp2515Interrupt.RX1 | Mcp2515Interrupt.ERR | Mcp2515Interrupt.MERR);

		// CNF registers only take writes in configuration mode: reading them back catches a dead MISO or a wrong chip select.
		const back = this.readRegisters(R.CNF3, 3);
		if (back[2] !== t.cnf3 || back[3] !== t.cnf2 || back[4] !== t.cnf1)
			throw new Error("MCP2515 did not keep its bit timing (check SPI wiring)");

		const mode = this.listenOnly ? Mcp2515Mode.listenOnly : Mcp2515Mode.normal;
		this.writeRegister(R.CANCTRL, mode);
		this.waitForMode(mode, "MCP2515 did not leave configuration mode");
		this.status.state = BusState.errorActive;
	}

	private waitForMode(mode: number, message: string): void {
		for (let i = 0; i < MODE_POLLS; i++) {
			if ((this.readRegisters(Mcp2515Register.CANSTAT, 1)[2] & MODE_MASK) === mode)
				return;
		}
		throw new Error(message);
	}

	private errors(intf: number, eflg: number, now: number): void {
		const status = this.status;
		if (eflg & Mcp2515Error.RX0OVR)
			status.overruns++;
		if (eflg & Mcp2515Error.RX1OVR)
			status.overruns++;
		if (eflg & (Mcp2515Error.RX0OVR | Mcp2515Error.RX1OVR))
			this.bitModify(Mcp2515Register.EFLG, Mcp2515Error.RX0OVR | Mcp2515Error.RX1OVR, 0);
		if (intf & Mcp2515Interrupt.MERR)
			status.busErrors++;
		this.bitModify(Mcp2515Register.CANINTF, intf & (Mcp2515Interrupt.ERR | Mcp2515Interrupt.MERR), 0);
		this.track(eflg, now);
	}

	/** Follows EFLG into the bus state; counts bus-off entries and recoveries. */
	private track(eflg: number, now: number): void {
		const status = this.status;
		if (eflg & Mcp2515Error.TXBO) {
			status.state = BusState.busOff;
			if (this.busOffSince < 0) {
				this.busOffSince = now;
				status.busOffs++;
			}
			return;
		}
		if (this.busOffSince >= 0) {
			// TXBO cleared: the chip recovered by itself after 128 x 11 recessive bits.
			this.busOffSince = -1;
			status.recoveries++;
			this.backoff.up(now);
		}
		status.state = (eflg & (Mcp2515Error.TXEP | Mcp2515Error.RXEP)) ? BusState.errorPassive : BusState.errorActive;
	}

	private supervise(now: number): void {
		const counters = this.readRegisters(Mcp2515Register.TEC, 2);
		this.status.txErrors = counters[2];
		this.status.rxErrors = counters[3];
		this.track(this.readRegisters(Mcp2515Register.EFLG, 1)[2], now);
		const backoff = this.backoff;
		if (this.busOffSince < 0) {
			backoff.settle(now);
			return;
		}
		if (now - this.busOffSince < backoff.wait)
			return;
		// Still off after the back-off: reset the chip, which clears its error counters.
		backoff.grow();
		try {
			this.initialise();
		}
		catch {
			// The chip did not answer: try again after the next back-off.
			this.busOffSince = now;
			this.status.state = BusState.stopped;
			return;
		}
		this.busOffSince = -1;
		this.status.recoveries++;
		backoff.up(now);
	}

	/** READ RX BUFFER: 13 bytes (SIDH, SIDL, EID8, EID0, DLC, D0..D7) into the ring. */
	private readFrame(instruction: number, now: number): void {
		const b = this.views[14];
		b[0] = instruction;
		for (let i = 1; i < 14; i++)
			b[i] = 0;
		this.transaction(b);
		const sidh = b[1], sidl = b[2];
		let id: number, flags: number;
		if (sidl & SIDL_IDE) {
			id = ((sidh << 21) | ((sidl >> 5) << 18) | ((sidl & 3) << 16) | (b[3] << 8) | b[4]) >>> 0;
			flags = FrameFlag.extended | ((b[5] & DLC_RTR) ? FrameFlag.remote : 0);
		}
		else {
			id = (sidh << 3) | (sidl >> 5);
			flags = (sidl & SIDL_SRR) ? FrameFlag.remote : 0;
		}
		let dlc = b[5] & 0x0F;
		if (dlc > MAX_DLC)
			dlc = MAX_DLC;
		this.ring.pushFields(id, flags, dlc, b, 6, (flags & FrameFlag.remote) ? 0 : dlc, now);
	}

	/** READ `count` registers from `address`; the values are at [2, 2 + count) of the returned view. */
	private readRegisters(address: number, count: number): Uint8Array {
		const b = this.views[2 + count];
		b[0] = Mcp2515Instruction.read;
		b[1] = address;
		for (let i = 2; i < b.length; i++)
			b[i] = 0;
		this.transaction(b);
		return b;
	}

	private writeRegister(address: number, value: number): void {
		const b = this.views[3];
		b[0] = Mcp2515Instruction.write;
		b[1] = address;
		b[2] = value;
		this.transaction(b);
	}

	/** WRITE of the 12 bytes of three filters from `address`. */
	private writeBlock(address: number, bytes: Uint8Array): void {
		const b = this.views[14];
		b[0] = Mcp2515Instruction.write;
		b[1] = address;
		for (let i = 0; i < 12; i++)
			b[2 + i] = bytes[i];
		this.transaction(b);
	}

	private bitModify(address: number, mask: number, value: number): void {
		const b = this.views[4];
		b[0] = Mcp2515Instruction.bitModify;
		b[1] = address;
		b[2] = mask;
		b[3] = value;
		this.transaction(b);
	}

	/** One instruction: chip select low, the bytes, chip select high. */
	private transaction(b: Uint8Array): void {
		const spi = this.spi;
		if (!spi)
			throw new Error("closed");
		spi.transfer(b);
		spi.flush(true);
	}

	private release(): void {
		const spi = this.spi, interrupt = this.interrupt;
		this.spi = null;
		this.interrupt = null;
		interrupt?.close?.();
		spi?.close?.();
	}
}

/**
 * Writes `id` in the MCP2515's SIDH, SIDL, EID8, EID0 layout at `out[offset]`,
 * with EXIDE set for an extended id (a transmit buffer or a filter: it is
 * what makes the frame, or the match, 29-bit). A mask has no EXIDE bit
 * (RXMnSIDL bit 3 is unimplemented): `mask` leaves it clear. No allocation.
 */
function encodeId(out: Uint8Array, offset: number, id: number, extended: boolean, mask = false): void {
	if (extended) {
		out[offset] = (id >>> 21) & 0xFF;
		out[offset + 1] = (((id >>> 18) & 7) << 5) | SIDL_IDE | ((id >>> 16) & 3);
		out[offset + 2] = (id >>> 8) & 0xFF;
		out[offset + 3] = id & 0xFF;
	}
	else {
		out[offset] = (id >>> 3) & 0xFF;
		out[offset + 1] = (id & 7) << 5;
		out[offset + 2] = 0;
		out[offset + 3] = 0;
	}
	if (mask)
		out[offset + 1] &= ~SIDL_IDE;
}

function checkAcceptance(acceptance: Mcp2515Acceptance | undefined, most: number): void {
	if (!acceptance)
		return;
	const limit = acceptance.extended ? EXTENDED_ID_MASK : STANDARD_ID_MASK;
	const ids = acceptance.ids;
	if (!(ids.length >= 1 && ids.length <= most))
		throw new RangeError(`MCP2515 buffer takes 1 to ${most} filter ids, not ${ids.length}`);
	for (const id of [acceptance.mask, ...ids]) {
		if (!(Number.isInteger(id) && id >= 0 && id <= limit))
			throw new RangeError(`MCP2515 filter value ${id} does not fit ${acceptance.extended ? 29 : 11} bits`);
	}
}
