/*
 * Outbox: telemetry messages waiting for the broker, kept in flash on the
 * power-cut-safe record log (storage/record-log.ts) so that nothing queued is
 * lost when the power goes.
 *
 * Every message is one record (write-ahead: it is on flash before it is
 * published) and carries its telemetry sequence number, the number receivers
 * de-duplicate by. A message leaves the outbox when the broker acknowledged
 * it (QoS 1 PUBACK): the outbox forgets it and the next record written says
 * how far delivery got. After a restart `open` scans every record and takes
 * back the ones above that mark, in sequence order; a few delivered after the
 * last record was written come again, and receivers drop them by sequence.
 *
 * The log is a ring of blocks and erases the block it enters. The outbox
 * keeps the block after the one being filled free of queued messages: when
 * the log enters a block, the queued messages in the next block are copied
 * forward (read, written again with their own sequence) before anything else
 * is written. A cut during the copy leaves both copies; `open` keeps one.
 *
 * Bounded, with a drop order: when the outbox holds `limit` messages, or the
 * messages to copy forward do not fit, state snapshots go first (oldest
 * first), then events and trip summaries (oldest first), each counted.
 *
 * Sequence numbers survive restarts without a write per message: a record
 * reserves numbers in blocks of RESERVE, and `open` continues above the
 * highest reserved, so a number is never used twice even for snapshots that
 * were published live and never written.
 *
 * Record payload (little-endian), `recordBytes` long:
 *   0  u8   kind       MessageKind, or MARK (a record carrying only the marks)
 *   1  u8   version    1
 *   2  u16  length     bytes of body
 *   4  u32  seq        the message's sequence number (0 for MARK)
 *   8  u32  delivered  every message up to this one was acknowledged
 *  12  u32  reserved   sequence numbers are reserved up to this one
 *  16  u32  stale      snapshots up to this one were dropped (do not bring them back)
 *  20  ...  body       the encoded payload, as published
 *
 * Runs on XS and Node. Allocates its index and buffers once; `open`, each
 * write and each read allocate what `FlashRegion.read` allocates. Writes to
 * flash take milliseconds: call from the display tick's leftover time.
 */
import type { FlashRegion } from "../storage/flash.js";
import { RecordLog } from "../storage/record-log.js";

/** What a queued message is; its topic follows from it. */
export const MessageKind = Object.freeze({
	/** A state snapshot: dropped first. */
	state: 1,
	/** An alert raised, acknowledged or cleared. */
	event: 2,
	/** A trip summary, when the car goes quiet. */
	trip: 3,
});

const MARK = 0x7F;
const VERSION = 1;
const HEAD = 20;
/** Sequence numbers reserved per write of a mark. */
export const RESERVE = 1024;
/** "XSTQ": telemetry queue records. */
export const OUTBOX_MAGIC = 0x51545358;

export interface OutboxOptions {
	/** Bytes per record payload (20 of them header); the largest body is recordBytes - 20. Default 496 (512-byte slots). */
	recordBytes?: number;
	/** Most messages held; default: all but two blocks' worth of slots. */
	limit?: number;
}

export class Outbox {
	readonly log: RecordLog;
	readonly limit: number;
	/** Largest body a message may have, bytes. */
	readonly maxBody: number;
	/** Snapshots and events/summaries dropped to keep the bound (or lost to a worn slot). */
	droppedStates = 0;
	droppedEvents = 0;
	/** Records written (messages, copies forward and marks). */
	writes = 0;
	/** Messages copied forward out of a block about to be erased. */
	copied = 0;
	/** Every message up to this sequence number was acknowledged. */
	delivered = 0;

	/** Queue index, oldest first, `count` long: sequence, slot, kind, body length, acknowledged. */
	private readonly seqs: Float64Array;
	private readonly slots: Int32Array;
	private readonly kinds: Uint8Array;
	private readonly lengths: Uint16Array;
	private readonly acked: Uint8Array;
	private count = 0;
	private reserved = 0;
	/** Snapshots up to this sequence number were dropped: a restart must not bring them back. */
	private stale = 0;
	private nextSeq = 1;
	/** `delivered` as the newest record on flash says it. */
	private persistedDelivered = 0;
	private readonly record: Uint8Array;
	private readonly view: DataView;
	private copying = false;
	private opened = false;

	/** Allocates the index and one record buffer. @throws RangeError when the region cannot hold three blocks of records. */
	constructor(flash: FlashRegion, options: OutboxOptions = {}) {
		const recordBytes = options.recordBytes ?? 496;
		this.log = new RecordLog(flash, { magic: OUTBOX_MAGIC, payloadBytes: recordBytes });
		if (this.log.blocks < 3)
			throw new RangeError(`outbox: a flash region of ${flash.byteLength} bytes holds ${this.log.blocks} blocks; the queue needs at least 3`);
		if (recordBytes <= HEAD)
			throw new RangeError(`outbox: records of ${recordBytes} bytes leave no room for a message`);
		this.maxBody = recordBytes - HEAD;
		const slots = this.log.capacity;
		this.limit = Math.max(1, Math.min(options.limit ?? (this.log.blocks - 2) * this.log.slotsPerBlock, slots));
		this.seqs = new Float64Array(slots);
		this.slots = new Int32Array(slots);
		this.kinds = new Uint8Array(slots);
		this.lengths = new Uint16Array(slots);
		this.acked = new Uint8Array(slots);
		this.record = new Uint8Array(recordBytes);
		this.view = new DataView(this.record.buffer);
	}

	/** Messages waiting, acknowledged ones at the head not yet forgotten excluded. */
	get length(): number {
		return this.count;
	}

	/**
	 * Reads the queue back from flash: every message above the delivered mark,
	 * once each, oldest first. Call once, at start. Reads every slot twice.
	 */
	open(): void {
		const log = this.log;
		log.load(this.record);
		let delivered = 0, reserved = 0, top = 0, stale = 0;
		log.scan((_slot, _sequence, payload) => {
			const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
			delivered = Math.max(delivered, view.getUint32(8, true));
			reserved = Math.max(reserved, view.getUint32(12, true));
			top = Math.max(top, view.getUint32(4, true));
			stale = Math.max(stale, view.getUint32(16, true));
		});
		this.stale = stale;
		this.delivered = this.persistedDelivered = delivered;
		this.reserved = Math.max(reserved, top);
		this.nextSeq = this.reserved + 1;
		this.count = 0;
		log.scan((slot, sequence, payload) => {
			const kind = payload[0];
			const seq = payload[4] | payload[5] << 8 | payload[6] << 16 | (payload[7] << 24 >>> 0);
			if (kind === MARK || payload[1] !== VERSION || seq <= delivered || (kind === MessageKind.state && seq <= stale))
				return;
			const at = this.find(seq);
			if (at >= 0) {
				// Two copies (a cut during a copy forward): keep the one written later.
				if (this.logSequenceOf(this.slots[at]) < sequence)
					this.slots[at] = slot;
				return;
			}
			this.insert(seq, slot, kind, payload[2] | payload[3] << 8);
		});
		this.opened = true;
		// Messages dropped to keep the bound stay on flash until their block is
		// erased, and come back here: drop them again, by the same order.
		while (this.count > this.limit)
			this.dropOne(-1);
		// A cut during a copy forward leaves messages in the block the log enters next.
		this.clearAhead();
	}

	/**
	 * The next telemetry sequence number; every message, queued or published
	 * live, takes one. Writes a mark record once per RESERVE numbers.
	 */
	takeSeq(): number {
		this.mustBeOpen();
		if (this.nextSeq > this.reserved) {
			this.reserved = this.nextSeq + RESERVE - 1;
			this.write(MARK, 0, null, 0);
		}
		return this.nextSeq++;
	}

	/**
	 * Queues `body` (an encoded payload, at most `maxBody` bytes) as message
	 * `seq` of `kind`; it is on flash when this returns. Drops by the drop
	 * order to stay within `limit`. Returns false for a body too large.
	 * @throws what the flash throws (a worn-out region: the record log's error).
	 */
	enqueue(kind: number, seq: number, body: Uint8Array, length = body.length): boolean {
		this.mustBeOpen();
		if (length > this.maxBody)
			return false;
		while (this.count >= this.limit)
			this.dropOne(-1);
		const slot = this.write(kind, seq, body, length);
		this.insert(seq, slot, kind, length);
		return true;
	}

	/** Sequence number of the `i`-th waiting message (0 oldest). */
	seqAt(i: number): number {
		return this.seqs[i];
	}

	kindAt(i: number): number {
		return this.kinds[i];
	}

	/** Whether the `i`-th message was acknowledged already (it leaves when those before it are). */
	ackedAt(i: number): boolean {
		return this.acked[i] === 1;
	}

	/**
	 * Copies the body of the `i`-th waiting message into `into`; returns its
	 * length, or -1 when the flash no longer holds it (counted as dropped, and
	 * forgotten). Reads flash.
	 */
	read(i: number, into: Uint8Array): number {
		const sequence = this.log.readSlot(this.slots[i], this.record);
		const seq = this.view.getUint32(4, true);
		if (sequence < 0 || seq !== this.seqs[i]) {
			this.countDrop(this.kinds[i]);
			this.remove(i);
			return -1;
		}
		const length = this.lengths[i];
		into.set(this.record.subarray(HEAD, HEAD + length));
		return length;
	}

	/** The broker acknowledged message `seq`: it leaves the queue once every older one has. No flash write. */
	acknowledge(seq: number): void {
		const at = this.find(seq);
		if (at < 0)
			return;
		this.acked[at] = 1;
		let n = 0;
		while (n < this.count && this.acked[n])
			n++;
		if (!n)
			return;
		this.delivered = Math.max(this.delivered, this.seqs[n - 1]);
		this.shift(n);
	}

	/**
	 * Writes a mark record when the queue is empty and the delivered mark moved
	 * since the newest record: after a restart, nothing delivered comes again.
	 * Returns whether it wrote. Call when the queue drains.
	 */
	settle(): boolean {
		this.mustBeOpen();
		if (this.count || this.delivered <= this.persistedDelivered)
			return false;
		this.write(MARK, 0, null, 0);
		return true;
	}

	/** Writes one record; returns its slot. Copies forward when the log entered a new block. */
	private write(kind: number, seq: number, body: Uint8Array | null, length: number): number {
		const record = this.record, view = this.view;
		record.fill(0);
		record[0] = kind;
		record[1] = VERSION;
		view.setUint16(2, length, true);
		view.setUint32(4, seq, true);
		view.setUint32(8, this.delivered, true);
		view.setUint32(12, this.reserved, true);
		view.setUint32(16, this.stale, true);
		if (body)
			record.set(body.subarray(0, length), HEAD);
		const log = this.log, erases = log.erases;
		log.save(record);
		this.writes++;
		this.persistedDelivered = this.delivered;
		const slot = log.newestSlot;
		if (log.erases !== erases) {
			// Whatever the outbox still had in the erased block is gone (only when a worn slot pushed the log on).
			const block = this.blockOf(slot);
			for (let i = this.count - 1; i >= 0; i--)
				if (this.blockOf(this.slots[i]) === block) {
					this.countDrop(this.kinds[i]);
					this.remove(i);
				}
			if (!this.copying)
				this.clearAhead(slot);
		}
		return slot;
	}

	/**
	 * Copies forward the messages in the block the log will erase next, as
	 * many as the current block has room for (one slot spare for a torn one);
	 * drops the rest by the drop order.
	 */
	private clearAhead(justWritten = -1): void {
		const log = this.log, perBlock = log.slotsPerBlock;
		const next = log.nextSlot, inBlock = next % perBlock;
		const ahead = inBlock === 0 ? this.blockOf(next) : (this.blockOf(next) + 1) % log.blocks;
		const room = inBlock === 0 ? 0 : Math.max(0, perBlock - inBlock - 1);
		let waiting = 0;
		for (let i = 0; i < this.count; i++)
			if (this.blockOf(this.slots[i]) === ahead && this.slots[i] !== justWritten)
				waiting++;
		while (waiting > room) {
			this.dropOne(ahead);
			waiting--;
		}
		if (!waiting)
			return;
		this.copying = true;
		try {
			const body = new Uint8Array(this.maxBody);
			for (let i = 0; i < this.count; i++) {
				if (this.blockOf(this.slots[i]) !== ahead)
					continue;
				const seq = this.seqs[i], kind = this.kinds[i];
				const length = this.read(i, body);
				if (length < 0) {
					i--;
					continue;
				}
				const at = this.find(seq);
				this.slots[at] = this.write(kind, seq, body, length);
				this.copied++;
			}
		}
		finally {
			this.copying = false;
		}
	}

	/** Drops one message by the drop order, from `block` only when it is not -1. */
	private dropOne(block: number): void {
		let pick = -1;
		for (let pass = 0; pass < 2 && pick < 0; pass++)
			for (let i = 0; i < this.count; i++)
				if ((block < 0 || this.blockOf(this.slots[i]) === block) && (pass === 1 || this.kinds[i] === MessageKind.state)) {
					pick = i;
					break;
				}
		if (pick < 0)
			return;
		this.countDrop(this.kinds[pick]);
		if (this.kinds[pick] === MessageKind.state)
			this.stale = Math.max(this.stale, this.seqs[pick]);
		this.remove(pick);
	}

	private countDrop(kind: number): void {
		if (kind === MessageKind.state)
			this.droppedStates++;
		else
			this.droppedEvents++;
	}

	private blockOf(slot: number): number {
		return Math.floor(slot / this.log.slotsPerBlock);
	}

	private logSequenceOf(slot: number): number {
		return this.log.readSlot(slot, this.record);
	}

	private find(seq: number): number {
		for (let i = 0; i < this.count; i++)
			if (this.seqs[i] === seq)
				return i;
		return -1;
	}

	/** Inserts in sequence order (appends, except while `open` reads records back out of order). */
	private insert(seq: number, slot: number, kind: number, length: number): void {
		let at = this.count;
		while (at > 0 && this.seqs[at - 1] > seq)
			at--;
		for (let i = this.count; i > at; i--)
			this.move(i - 1, i);
		this.seqs[at] = seq;
		this.slots[at] = slot;
		this.kinds[at] = kind;
		this.lengths[at] = length;
		this.acked[at] = 0;
		this.count++;
	}

	private remove(at: number): void {
		for (let i = at + 1; i < this.count; i++)
			this.move(i, i - 1);
		this.count--;
	}

	private shift(n: number): void {
		for (let i = n; i < this.count; i++)
			this.move(i, i - n);
		this.count -= n;
	}

	private move(from: number, to: number): void {
		this.seqs[to] = this.seqs[from];
		this.slots[to] = this.slots[from];
		this.kinds[to] = this.kinds[from];
		this.lengths[to] = this.lengths[from];
		this.acked[to] = this.acked[from];
	}

	private mustBeOpen(): void {
		if (!this.opened)
			throw new Error("outbox: open() it first");
	}
}
