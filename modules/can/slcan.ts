/*
 * SLCAN (LAWICEL ASCII protocol): the byte stream of a USB-serial CAN adapter
 * turned into frames in a FrameRing, and the one-frame encoder for sending.
 *
 * Runs on XS and Node. The parser allocates only in its constructor: it is fed
 * from the serial port's `onReadable` at bus rate (thousands of frames a
 * second), so per frame it creates no object, string or closure. Lines live in
 * a fixed buffer; an over-long line is dropped and counted, garbage is counted
 * and the parser picks up again at the next line.
 *
 * Frames received, one command a line, ended by CR:
 *   tiiildd..[tttt]        standard data frame: 3 hex id, DLC digit 0..8, 2 hex digits a byte
 *   Tiiiiiiiildd..[tttt]   extended data frame: 8 hex id
 *   riiil[tttt]            standard remote frame (DLC is the length asked for, no data)
 *   Riiiiiiiil[tttt]       extended remote frame
 * `tttt` is the adapter's millisecond timestamp (hex, 0..0xEA5F, wraps every
 * 60 s), present when the adapter was told `Z1`.
 *
 * Timestamp policy: a frame that carries `tttt` gets the adapter's time,
 * unwrapped into a monotonic millisecond count (the first such frame gets the
 * host `clock()` when one is given, so that live frames are on the host's time
 * base like every other source, else its raw value; later ones count up from
 * it by the adapter's deltas; a raw value smaller than the last one means the
 * 60 s counter wrapped). A gap of 60 s or more without frames
 * cannot be seen in the raw values alone; when a `clock` is given, the time it
 * says has passed decides how many wraps happened. A frame without `tttt` gets
 * `clock()` when a clock is given, else 0. An adapter sends timestamps on
 * every frame or on none, so the two time bases do not mix in practice.
 *
 * Adapter replies are not frames and not garbage: the empty line (CR, "OK"),
 * `z`/`Z` (transmit acknowledged), `V`/`v` (version), `N` (serial number) and
 * `F` (status flags) are counted in `ignored`. BEL (0x07, "error") ends a
 * reply without a CR and is counted in `adapterErrors`. The CAN FD commands of
 * some adapters (`d`, `D`, `b`, `B`) are counted in `unsupported` and skipped:
 * a CanFrame carries at most 8 bytes.
 *
 * Cost on XS: a frame command wholly inside the chunk `feed` was given is read
 * in place, each byte once, hex digits through a table (`frameIn`); a command
 * cut by a chunk's end is gathered in the line buffer first. Anything else (a
 * reply, garbage, BEL) goes the general way through the line buffer (`line`).
 */
import { EXTENDED_ID_MASK, FrameFlag, MAX_DLC, STANDARD_ID_MASK, type CanFrame } from "./frame.js";
import { BEL, CR, HEX_DIGIT_VALUES, LF, LineAssembler, LineParser, hexChar, hexDigit, readHex } from "./lines.js";
import type { FrameRing } from "./ring.js";

/** Longest SLCAN frame command without its CR: `T` + 8 id + DLC + 16 data + 4 timestamp. */
export const SLCAN_MAX_FRAME_LENGTH = 30;
/** Largest adapter timestamp; the counter wraps to 0 after it. */
export const SLCAN_TIMESTAMP_MAX = 0xEA5F;
/** Period of the adapter's timestamp counter, in milliseconds. */
export const SLCAN_TIMESTAMP_PERIOD = 60000;
/** Bytes `encodeSlcanFrame` may write: the longest command, its timestamp, and the CR. */
export const SLCAN_MAX_ENCODED_LENGTH = SLCAN_MAX_FRAME_LENGTH + 1;

export interface SlcanParserOptions {
	/**
	 * Milliseconds clock (monotonic, e.g. Moddable's `Time.ticks`): the
	 * timestamp of frames sent without one, and the judge of how many 60 s
	 * wraps a long silence hid. Called once per frame; it must not allocate.
	 */
	clock?: () => number;
	/** Line buffer size in bytes, at least `SLCAN_MAX_FRAME_LENGTH`; default 40. */
	maxLineLength?: number;
}

const EXTENDED = FrameFlag.extended;
const REMOTE = FrameFlag.remote;

export class SlcanParser extends LineParser {
	/** Lines ended (including empty ones), plus commands cut short by a BEL. */
	lines = 0;
	/** Adapter replies and empty lines: not frames, not errors. */
	ignored = 0;
	/** CAN FD frame commands, skipped. */
	unsupported = 0;
	/** Lines that are neither a valid frame nor a known reply (bad hex, wrong length, id or DLC out of range). */
	malformed = 0;
	/** Lines longer than the line buffer, dropped whole. */
	overlong = 0;
	/** BEL bytes: the adapter reporting that a command failed. Not counted in `lines`. */
	adapterErrors = 0;

	readonly ring: FrameRing;
	private readonly clock: (() => number) | null;
	/** Payload of the frame being parsed. */
	private readonly scratch = new Uint8Array(MAX_DLC);
	/** Timestamp unwrapping state: last raw adapter value, its unwrapped time, the clock then. */
	private haveTimestamp = false;
	private lastRaw = 0;
	private lastUnwrapped = 0;
	private lastClock = 0;
	/**
	 * Time of the frame being parsed, in ms. A field rather than a local: on V8
	 * a local that holds both unwrapped integers and a clock's doubles is boxed
	 * on every frame; a field is updated in place. (XS never boxes numbers.)
	 */
	private time = 0;

	/** @throws RangeError when `maxLineLength` is below `SLCAN_MAX_FRAME_LENGTH` or above 65536. */
	constructor(ring: FrameRing, options: SlcanParserOptions = {}) {
		const maxLineLength = options.maxLineLength ?? 40;
		if (!(maxLineLength >= SLCAN_MAX_FRAME_LENGTH))
			throw new RangeError(`SLCAN maxLineLength must be at least ${SLCAN_MAX_FRAME_LENGTH}, not ${maxLineLength}`);
		super(new LineAssembler(maxLineLength, BEL), "SLCAN");
		this.ring = ring;
		this.clock = options.clock ?? null;
	}

	/** Zeroes the counters and forgets any partial line and the timestamp history. The ring is left alone. */
	reset(): void {
		this.assembler.reset();
		this.lines = this.frames = this.ignored = this.unsupported = this.malformed = this.overlong = this.adapterErrors = 0;
		this.haveTimestamp = false;
		this.lastRaw = this.lastUnwrapped = this.lastClock = this.time = 0;
	}

	protected override lineIn(bytes: Uint8Array, start: number, end: number): number {
		const at = this.frameIn(bytes, start, end);
		return at >= 0 ? at : super.lineIn(bytes, start, end);
	}

	protected line(): void {
		const assembler = this.assembler;
		if (assembler.terminator !== BEL && !assembler.overlong && this.frameIn(assembler.buffer, 0, assembler.length) >= 0)
			return;
		this.anyLine();
	}

	/**
	 * The fast way for the usual line, a valid frame command: reads the line
	 * at `bytes[start]`, which ends at the first CR or LF or at `end`, and
	 * when it is a frame that `anyLine` would accept, pushes it, counts it and
	 * returns the index where the line ends. Returns -1, having changed
	 * nothing, for any other line (one with a BEL too). No allocation.
	 */
	private frameIn(bytes: Uint8Array, start: number, end: number): number {
		if (start >= end)
			return -1;
		const command = bytes[start];
		let flags: number, dlcAt: number, idMask: number;
		if (command === 0x74) { // t
			flags = 0;
			dlcAt = start + 4;
			idMask = STANDARD_ID_MASK;
		}
		else if (command === 0x54) { // T
			flags = EXTENDED;
			dlcAt = start + 9;
			idMask = EXTENDED_ID_MASK;
		}
		else if (command === 0x72) { // r
			flags = REMOTE;
			dlcAt = start + 4;
			idMask = STANDARD_ID_MASK;
		}
		else if (command === 0x52) { // R
			flags = EXTENDED | REMOTE;
			dlcAt = start + 9;
			idMask = EXTENDED_ID_MASK;
		}
		else
			return -1;
		if (dlcAt >= end)
			return -1;
		const hex = HEX_DIGIT_VALUES;
		let id = 0;
		for (let i = start + 1; i < dlcAt; i++) {
			const d = hex[bytes[i]];
			if (d < 0)
				return -1;
			id = id * 16 + d;
		}
		const dlc = bytes[dlcAt] - 0x30;
		if (id > idMask || !(dlc >= 0 && dlc <= MAX_DLC))
			return -1;
		const dataLength = (flags & REMOTE) ? 0 : dlc;
		let i = dlcAt + 1;
		const dataEnd = i + dataLength * 2;
		if (dataEnd > end)
			return -1;
		const scratch = this.scratch;
		if (dataLength === MAX_DLC) {
			// The usual frame, unrolled: a loop's own work costs as much as a digit here.
			const h0 = hex[bytes[i]], l0 = hex[bytes[i + 1]], h1 = hex[bytes[i + 2]], l1 = hex[bytes[i + 3]];
			const h2 = hex[bytes[i + 4]], l2 = hex[bytes[i + 5]], h3 = hex[bytes[i + 6]], l3 = hex[bytes[i + 7]];
			const h4 = hex[bytes[i + 8]], l4 = hex[bytes[i + 9]], h5 = hex[bytes[i + 10]], l5 = hex[bytes[i + 11]];
			const h6 = hex[bytes[i + 12]], l6 = hex[bytes[i + 13]], h7 = hex[bytes[i + 14]], l7 = hex[bytes[i + 15]];
			if ((h0 | l0 | h1 | l1 | h2 | l2 | h3 | l3 | h4 | l4 | h5 | l5 | h6 | l6 | h7 | l7) < 0)
				return -1;
			scratch[0] = (h0 << 4) | l0;
			scratch[1] = (h1 << 4) | l1;
			scratch[2] = (h2 << 4) | l2;
			scratch[3] = (h3 << 4) | l3;
			scratch[4] = (h4 << 4) | l4;
			scratch[5] = (h5 << 4) | l5;
			scratch[6] = (h6 << 4) | l6;
			scratch[7] = (h7 << 4) | l7;
			i = dataEnd;
		}
		else
			for (let k = 0; i < dataEnd; k++, i += 2) {
				const high = hex[bytes[i]], low = hex[bytes[i + 1]];
				if ((high | low) < 0)
					return -1;
				scratch[k] = (high << 4) | low;
			}
		let raw = -1;
		if (i < end) {
			const c = bytes[i];
			if (c !== CR && c !== LF) {
				// The adapter's timestamp: 4 digits, then the line's end.
				if (i + 4 > end)
					return -1;
				const d0 = hex[c], d1 = hex[bytes[i + 1]], d2 = hex[bytes[i + 2]], d3 = hex[bytes[i + 3]];
				if ((d0 | d1 | d2 | d3) < 0)
					return -1;
				raw = ((d0 * 16 + d1) * 16 + d2) * 16 + d3;
				if (raw > SLCAN_TIMESTAMP_MAX)
					return -1;
				i += 4;
				if (i < end) {
					const t = bytes[i];
					if (t !== CR && t !== LF)
						return -1;
				}
			}
		}
		this.lines++;
		if (raw >= 0)
			this.unwrap(raw);
		else
			this.time = this.clock ? this.clock() : 0;
		this.ring.pushFields(id, flags, dlc, scratch, 0, dataLength, this.time);
		this.frames++;
		return i;
	}

	/** Any line in `assembler`, frame or not: the general way, which counts every kind of line. */
	private anyLine(): void {
		const assembler = this.assembler;
		if (assembler.terminator === BEL) {
			this.adapterErrors++;
			// A bare BEL is a reply. Bytes before it are a command that never got its CR.
			if (assembler.length === 0 && !assembler.overlong)
				return;
			this.lines++;
			if (assembler.overlong)
				this.overlong++;
			else
				this.malformed++;
			return;
		}
		this.lines++;
		if (assembler.overlong) {
			this.overlong++;
			return;
		}
		const length = assembler.length;
		if (length === 0) {
			this.ignored++;
			return;
		}
		const line = assembler.buffer;
		switch (line[0]) {
			case 0x74: // t
				this.frame(line, length, 3, 0);
				return;
			case 0x54: // T
				this.frame(line, length, 8, EXTENDED);
				return;
			case 0x72: // r
				this.frame(line, length, 3, REMOTE);
				return;
			case 0x52: // R
				this.frame(line, length, 8, EXTENDED | REMOTE);
				return;
			case 0x7A: // z
			case 0x5A: // Z
			case 0x56: // V
			case 0x76: // v
			case 0x4E: // N
			case 0x46: // F
				this.ignored++;
				return;
			case 0x64: // d
			case 0x44: // D
			case 0x62: // b
			case 0x42: // B
				this.unsupported++;
				return;
			default:
				this.malformed++;
		}
	}

	/** Parses one frame command of `length` bytes; everything is checked before the ring or the clock state is touched. */
	private frame(line: Uint8Array, length: number, idDigits: number, flags: number): void {
		const dlcAt = 1 + idDigits;
		if (length <= dlcAt) {
			this.malformed++;
			return;
		}
		const id = readHex(line, 1, idDigits);
		const dlc = line[dlcAt] - 0x30;
		if (id < 0 || id > ((flags & EXTENDED) ? EXTENDED_ID_MASK : STANDARD_ID_MASK) || !(dlc >= 0 && dlc <= MAX_DLC)) {
			this.malformed++;
			return;
		}
		const dataLength = (flags & REMOTE) ? 0 : dlc;
		const dataAt = dlcAt + 1, timestampAt = dataAt + dataLength * 2;
		let raw = -1;
		if (length === timestampAt + 4) {
			raw = readHex(line, timestampAt, 4);
			if (raw < 0 || raw > SLCAN_TIMESTAMP_MAX) {
				this.malformed++;
				return;
			}
		}
		else if (length !== timestampAt) {
			this.malformed++;
			return;
		}
		const scratch = this.scratch;
		for (let i = 0, at = dataAt; i < dataLength; i++, at += 2) {
			const high = hexDigit(line[at]), low = hexDigit(line[at + 1]);
			if (high < 0 || low < 0) {
				this.malformed++;
				return;
			}
			scratch[i] = (high << 4) | low;
		}
		if (raw >= 0)
			this.unwrap(raw);
		else
			this.time = this.clock ? this.clock() : 0;
		this.ring.pushFields(id, flags, dlc, scratch, 0, dataLength, this.time);
		this.frames++;
	}

	/** Adapter timestamp to monotonic milliseconds in `time` (see the policy at the top). */
	private unwrap(raw: number): void {
		const clock = this.clock;
		const now = clock ? clock() : 0;
		if (!this.haveTimestamp) {
			// With a host clock, adapter time only measures the gaps: the count
			// starts at the host's now, so staleness compares like with like.
			this.haveTimestamp = true;
			this.lastRaw = raw;
			this.time = this.lastUnwrapped = clock ? now : raw;
			this.lastClock = now;
			return;
		}
		const delta = raw - this.lastRaw;
		// Time never runs backwards: a smaller raw value is at least one wrap.
		let wraps = delta < 0 ? 1 : 0;
		if (clock) {
			// The clock's elapsed time is only coarse (serial latency, buffering),
			// but it need only be right to within 30 s to pick the wrap count.
			const byClock = Math.round((now - this.lastClock - delta) / SLCAN_TIMESTAMP_PERIOD);
			if (byClock > wraps)
				wraps = byClock;
			this.lastClock = now;
		}
		this.lastRaw = raw;
		this.time = this.lastUnwrapped += delta + wraps * SLCAN_TIMESTAMP_PERIOD;
	}
}

/**
 * Writes `frame` as an SLCAN transmit command (`t`, `T`, `r` or `R`) ending in
 * CR at `out[offset]` and returns the number of bytes written, at most
 * `SLCAN_MAX_ENCODED_LENGTH`. With `timestamp`, appends the frame's time as
 * the 4-digit adapter timestamp (milliseconds modulo 60000), the form an
 * adapter sends to its host. Error frames have no SLCAN form: returns 0.
 * Runs on XS and Node; no allocation.
 * @throws RangeError when `out` is too small, the DLC is above 8, or a
 * standard frame's id does not fit 11 bits (caller bugs).
 */
export function encodeSlcanFrame(frame: CanFrame, out: Uint8Array, offset = 0, timestamp = false): number {
	const flags = frame.flags;
	if (flags & FrameFlag.error)
		return 0;
	const extended = (flags & EXTENDED) !== 0, remote = (flags & REMOTE) !== 0;
	const dlc = frame.dlc, id = frame.id;
	const idDigits = extended ? 8 : 3;
	const dataLength = remote ? 0 : dlc;
	const size = 2 + idDigits + dataLength * 2 + (timestamp ? 4 : 0) + 1;
	if (!(dlc >= 0 && dlc <= MAX_DLC) || id < 0 || id > (extended ? EXTENDED_ID_MASK : STANDARD_ID_MASK) || offset < 0 || offset + size > out.length)
		throw new RangeError("SLCAN frame does not fit its format or the buffer");
	let at = offset;
	out[at++] = remote ? (extended ? 0x52 : 0x72) : (extended ? 0x54 : 0x74);
	for (let shift = (idDigits - 1) * 4; shift >= 0; shift -= 4)
		out[at++] = hexChar((id >>> shift) & 0xF);
	out[at++] = 0x30 + dlc;
	const data = frame.data;
	for (let i = 0; i < dataLength; i++) {
		out[at++] = hexChar(data[i] >> 4);
		out[at++] = hexChar(data[i] & 0xF);
	}
	if (timestamp) {
		let ms = Math.floor(frame.timestamp) % SLCAN_TIMESTAMP_PERIOD;
		if (ms < 0)
			ms += SLCAN_TIMESTAMP_PERIOD;
		for (let shift = 12; shift >= 0; shift -= 4)
			out[at++] = hexChar((ms >>> shift) & 0xF);
	}
	out[at++] = CR;
	return at - offset;
}
