/*
 * PackReceiver: the cluster's end of a pack transfer from the host over a
 * byte stream (modules/pack/transfer.ts is the wire format; `xs-cluster pack
 * send` the other end). It gathers the pack, checks the transfer (length
 * announced first and bounded by a slot, the whole pack's CRC-32), and hands
 * the pack to PackInstaller.offer, the same call a retained MQTT message
 * reaches: the installer checks signature and contents before anything
 * changes, and writes it in the display tick's leftover time.
 *
 *   const receiver = new PackReceiver({ installer, write: bytes => port.write(bytes), clock });
 *   receiver.receive(bytes)  // whatever the port read, cut anywhere
 *   receiver.step()          // from the display tick: drops a stalled transfer,
 *                            // reports a finished write to the host
 *   receiver.closed()        // the connection went away
 *
 * Every refusal (too large, damaged on the way, stalled, cut off, and the
 * installer's own) is one line: in the reply to the host and on the
 * diagnostics page (PackInstaller.line). The running car never changes here.
 *
 * Runs on XS and Node. A transfer allocates the pack's bytes once (at most a
 * slot) at its begin; frames are read into FrameReader's preallocated
 * buffer; each reply allocates its line.
 */
import { crc32 } from "../storage/crc32.js";
import { utf8 } from "./format.js";
import type { PackInstaller } from "./installer.js";
import { BEGIN_FORCE, CHUNK_BYTES, FRAME_GAP_MS, FrameKind, FrameReader, TRANSFER_IDLE_MS, replyLine, type FrameSink } from "./transfer.js";

export interface PackReceiverOptions {
	installer: PackInstaller;
	/** Writes reply bytes to the host; may throw (a closed connection), which is ignored. */
	write: (bytes: Uint8Array) => void;
	/** Milliseconds, monotonic. */
	clock: () => number;
	/** A transfer silent this long is dropped (default TRANSFER_IDLE_MS). */
	idleMs?: number;
	/**
	 * Pack bytes a data frame may carry, 1 to CHUNK_BYTES (the default), told
	 * the host in `ready`: on a UART read straight from its hardware FIFO, a
	 * whole frame must fit the FIFO, since the host sends the next only when
	 * this one is answered.
	 */
	chunkBytes?: number;
}

export class PackReceiver implements FrameSink {
	/** Transfers begun, and frames that arrived damaged (and were asked for again). */
	transfers = 0;
	damagedFrames = 0;

	private readonly installer: PackInstaller;
	private readonly write: (bytes: Uint8Array) => void;
	private readonly clock: () => number;
	private readonly idleMs: number;
	private readonly chunkBytes: number;
	private readonly reader: FrameReader;
	private pack: Uint8Array | null = null;
	private received = 0;
	private expectedCrc = 0;
	private force = false;
	private lastAt = 0;
	/** The installer's count of written packs when an accepted pack started writing; -1 when none waits. */
	private installedBefore = -1;

	constructor(options: PackReceiverOptions) {
		this.installer = options.installer;
		this.write = options.write;
		this.clock = options.clock;
		this.idleMs = options.idleMs ?? TRANSFER_IDLE_MS;
		this.chunkBytes = Math.max(1, Math.min(CHUNK_BYTES, Math.floor(options.chunkBytes ?? CHUNK_BYTES)));
		this.reader = new FrameReader(this);
	}

	/** True while a transfer is under way. */
	get receiving(): boolean {
		return this.pack !== null;
	}

	/** Bytes from the host, as the port read them. */
	receive(bytes: Uint8Array, start = 0, end = bytes.length): void {
		this.lastAt = this.clock();
		this.reader.push(bytes, start, end);
	}

	/**
	 * From the display tick: asks again for a frame left unfinished for
	 * FRAME_GAP_MS, drops a transfer silent for `idleMs`, and tells the host
	 * when an accepted pack has been written. Allocates only then.
	 */
	step(): void {
		const quiet = this.clock() - this.lastAt;
		if (this.reader.partial && quiet >= FRAME_GAP_MS) {
			this.reader.reset();
			this.damaged();
		}
		if (this.pack && quiet >= this.idleMs)
			this.drop(`pack transfer: nothing for ${Math.round(this.idleMs / 1000)} s after ${this.received} of ${this.pack.length} bytes (sender stalled or gone)`);
		if (this.installedBefore >= 0 && !this.installer.busy) {
			const written = this.installer.installed > this.installedBefore;
			this.installedBefore = -1;
			this.reply(written ? "installed" : "failed", this.installer.lastOffer);
		}
	}

	/** The connection closed: a transfer under way is dropped. */
	closed(): void {
		this.reader.reset();
		if (this.pack)
			this.drop(`pack transfer: the connection closed after ${this.received} of ${this.pack.length} bytes`);
	}

	/** FrameSink: a good frame. */
	frame(kind: number, payload: Uint8Array): void {
		const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
		if (kind === FrameKind.begin && payload.length === 12)
			this.begin(view.getUint32(0, true), view.getUint32(4, true), view.getUint32(8, true));
		else if (kind === FrameKind.data && payload.length > 4)
			this.data(view.getUint32(0, true), payload.subarray(4));
		else if (kind === FrameKind.abort) {
			if (this.pack)
				this.drop(`pack transfer: the host stopped after ${this.received} of ${this.pack.length} bytes`);
		}
		else
			this.damaged();
	}

	/** FrameSink: a frame that did not arrive intact: have it sent again. */
	damaged(): void {
		this.damagedFrames++;
		if (this.pack)
			this.reply("next", this.received);
	}

	private begin(total: number, crc: number, flags: number): void {
		this.pack = null;
		const slotBytes = this.installer.slots.slotBytes;
		if (total === 0 || total > slotBytes) {
			this.refuse(total === 0 ? "pack transfer: an empty pack" : `pack: ${total} bytes, a slot holds ${slotBytes}`);
			return;
		}
		this.transfers++;
		try {
			this.pack = new Uint8Array(total);
		}
		catch {
			// The heap cannot hold it now (an ESP32's XS chunk heap is tens of KB).
			this.refuse(`pack transfer: no memory for a pack of ${total} bytes`);
			return;
		}
		this.received = 0;
		this.expectedCrc = crc >>> 0;
		this.force = (flags & BEGIN_FORCE) !== 0;
		this.lastAt = this.clock();
		this.reply("ready", `${total} ${this.chunkBytes}`);
	}

	private data(offset: number, bytes: Uint8Array): void {
		const pack = this.pack;
		if (!pack) {
			this.reply("refused", "pack transfer: data without a begin (send the pack again)");
			return;
		}
		// A chunk sent again after its `next` was lost, or one that ran ahead: say where to go on from.
		if (offset !== this.received || bytes.length > this.chunkBytes) {
			this.reply("next", this.received);
			return;
		}
		if (offset + bytes.length > pack.length) {
			this.drop(`pack transfer: data past the ${pack.length} bytes announced`);
			return;
		}
		pack.set(bytes, offset);
		this.received += bytes.length;
		if (this.received < pack.length) {
			this.reply("next", this.received);
			return;
		}
		this.pack = null;
		if (crc32(pack) !== this.expectedCrc) {
			this.refuse("pack transfer: the pack's checksum does not match what the host announced (damaged on the way)");
			return;
		}
		const installedBefore = this.installer.installed;
		let result;
		try {
			result = this.installer.offer(pack, { allowOlder: this.force, handOver: true });
		}
		catch (error) {
			// Out of memory while the contents were checked: refused, the cluster goes on.
			this.refuse(`pack: ${(error as Error).message}`);
			return;
		}
		if (result.state === "staging")
			this.installedBefore = installedBefore;
		this.reply(result.state, result.state === "refused" ? result.reason.replace(/^refused: /, "") : result.reason);
	}

	/** Ends the transfer under way, says why to the host and on the diagnostics page. */
	private drop(reason: string): void {
		this.pack = null;
		this.refuse(`${reason}; nothing changed`);
	}

	private refuse(reason: string): void {
		this.installer.refuse(reason);
		this.reply("refused", reason);
	}

	private reply(word: string, rest: string | number): void {
		try {
			this.write(utf8(replyLine(word, rest)));
		}
		catch {
			// The host went away; the cluster goes on.
		}
	}
}
