/*
 * Pack transfer: how a vehicle pack travels from the host to the cluster over
 * a byte stream (a UART, or the simulator's TCP port), as `xs-cluster pack
 * send` sends it and PackReceiver (modules/pack/receiver.ts) takes it. This
 * module is the one definition of the wire format; docs/packs.md describes it.
 *
 * Host to cluster, binary frames, little-endian:
 *   0  2  sync "XT" (0x58 0x54)
 *   2  1  kind: 'B' begin, 'D' data, 'A' abort
 *   3  2  payload bytes (at most MAX_FRAME_PAYLOAD)
 *   5     payload
 *   end 4 CRC-32 of kind, length and payload
 *   begin  u32 total bytes of the pack, u32 CRC-32 of the whole pack,
 *          u32 flags (BEGIN_FORCE: an older version of the running car may install)
 *   data   u32 offset, then 1 to CHUNK_BYTES bytes of the pack (at most the chunk `ready` names)
 *   abort  nothing
 *
 * Cluster to host, text lines, each `xspack <word> <rest>\n`, so a host can
 * pick them out of a UART that also carries log lines:
 *   ready <total> <chunk> a begin was taken; send data from 0, at most <chunk>
 *                         bytes of the pack a frame (a UART's FIFO holds one frame)
 *   next <offset>         send data from <offset> (after each chunk, and after
 *                         a damaged frame, to have it sent again)
 *   staging|unchanged <line>  the pack arrived whole and the installer took it
 *   refused <line>        the pack (or the transfer) was refused; nothing changed
 *   installed|failed <line>   after `staging`: the write to flash is done
 * The host sends one data frame and waits for `next` (stop and wait): the
 * cluster never buffers more than one frame, whatever its UART driver holds.
 *
 * Runs on XS and Node. `FrameReader` preallocates its frame buffer and
 * allocates nothing per byte; the encoders allocate the frame.
 */
import { crc32 } from "../storage/crc32.js";

export const SYNC0 = 0x58, SYNC1 = 0x54; // "XT"
export const FrameKind = Object.freeze({ begin: 0x42, data: 0x44, abort: 0x41 });
/** Begin flag: install even when the pack is an older version of the running car (`pack send --force`). */
export const BEGIN_FORCE = 1;
/** Pack bytes per data frame, at most; a cluster may ask for less (its `ready` line). */
export const CHUNK_BYTES = 512;
export const MAX_FRAME_PAYLOAD = 4 + CHUNK_BYTES;
/** Sync, kind, length. */
export const FRAME_HEAD = 5;
export const FRAME_OVERHEAD = FRAME_HEAD + 4;
/** The cluster drops a transfer that is silent this long. */
export const TRANSFER_IDLE_MS = 3000;
/**
 * A frame left unfinished this long is dropped and asked for again: a length
 * damaged on the way would otherwise wait for bytes that never come (115200
 * baud brings a whole frame in 45 ms).
 */
export const FRAME_GAP_MS = 500;
/** Every reply line starts with this. */
export const REPLY_PREFIX = "xspack ";

/** Lays out one frame. Host side and tests; allocates it. */
export function encodeFrame(kind: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
	if (payload.length > MAX_FRAME_PAYLOAD)
		throw new RangeError(`frame payload of ${payload.length} bytes, at most ${MAX_FRAME_PAYLOAD}`);
	const frame = new Uint8Array(FRAME_OVERHEAD + payload.length);
	frame[0] = SYNC0;
	frame[1] = SYNC1;
	frame[2] = kind;
	frame[3] = payload.length & 0xFF;
	frame[4] = payload.length >> 8;
	frame.set(payload, FRAME_HEAD);
	const end = FRAME_HEAD + payload.length;
	new DataView(frame.buffer).setUint32(end, crc32(frame, 2, end), true);
	return frame;
}

/** The begin frame of a pack. Allocates. */
export function beginFrame(pack: Uint8Array, flags = 0): Uint8Array {
	const payload = new Uint8Array(12);
	const view = new DataView(payload.buffer);
	view.setUint32(0, pack.length, true);
	view.setUint32(4, crc32(pack), true);
	view.setUint32(8, flags, true);
	return encodeFrame(FrameKind.begin, payload);
}

/** The data frame carrying `pack[offset, offset + chunkBytes)`. Allocates. */
export function dataFrame(pack: Uint8Array, offset: number, chunkBytes = CHUNK_BYTES): Uint8Array {
	const chunk = pack.subarray(offset, Math.min(pack.length, offset + Math.min(chunkBytes, CHUNK_BYTES)));
	const payload = new Uint8Array(4 + chunk.length);
	new DataView(payload.buffer).setUint32(0, offset, true);
	payload.set(chunk, 4);
	return encodeFrame(FrameKind.data, payload);
}

/** What FrameReader hands over: a frame's kind and payload (a view into its buffer, valid until the next byte). */
export interface FrameSink {
	frame(kind: number, payload: Uint8Array): void;
	/** A frame whose length or CRC was wrong; the reader looks for the next sync. */
	damaged(): void;
}

/**
 * Finds frames in a byte stream cut anywhere: looks for the sync, reads the
 * head, the payload and the CRC, and hands over good frames. Bytes between
 * frames are skipped. No allocation after construction.
 */
export class FrameReader {
	private readonly buffer = new Uint8Array(FRAME_OVERHEAD + MAX_FRAME_PAYLOAD);
	private readonly view = new DataView(this.buffer.buffer);
	private readonly sink: FrameSink;
	private at = 0;
	private need = FRAME_HEAD;

	constructor(sink: FrameSink) {
		this.sink = sink;
	}

	/** True while part of a frame has been read. */
	get partial(): boolean {
		return this.at > 0;
	}

	/** Forgets a partial frame (the connection closed, or the rest never came). */
	reset(): void {
		this.at = 0;
		this.need = FRAME_HEAD;
	}

	push(bytes: Uint8Array, start = 0, end = bytes.length): void {
		const buffer = this.buffer;
		for (let i = start; i < end; i++) {
			const b = bytes[i];
			if (this.at === 0 && b !== SYNC0)
				continue;
			if (this.at === 1 && b !== SYNC1) {
				this.at = b === SYNC0 ? 1 : 0;
				continue;
			}
			buffer[this.at++] = b;
			if (this.at < this.need)
				continue;
			if (this.at === FRAME_HEAD) {
				const length = buffer[3] | (buffer[4] << 8);
				if (length > MAX_FRAME_PAYLOAD) {
					this.reset();
					this.sink.damaged();
					continue;
				}
				this.need = FRAME_OVERHEAD + length;
				continue;
			}
			const end = this.need - 4;
			const good = crc32(buffer, 2, end) === this.view.getUint32(end, true);
			this.reset();
			if (good)
				this.sink.frame(buffer[2], buffer.subarray(FRAME_HEAD, end));
			else
				this.sink.damaged();
		}
	}
}

/** A reply line as the cluster writes it. Allocates. */
export function replyLine(word: string, rest: string | number): string {
	// One line: a reason never carries a line break onto the wire.
	return `${REPLY_PREFIX}${word} ${String(rest).replace(/[\r\n]+/g, " ")}\n`;
}

/** A reply line as the host reads it, or null for a line that is not one (a log line). */
export function parseReply(line: string): { word: string; rest: string } | null {
	const at = line.indexOf(REPLY_PREFIX);
	if (at < 0)
		return null;
	const text = line.slice(at + REPLY_PREFIX.length).replace(/\r$/, "");
	const space = text.indexOf(" ");
	return space < 0 ? { word: text, rest: "" } : { word: text.slice(0, space), rest: text.slice(space + 1) };
}
