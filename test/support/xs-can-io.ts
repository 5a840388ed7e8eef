/*
 * The XS side of the recorder and feed-client engine tests: an ES module the
 * xsnap worker loads, installing a global `xsCanIo` whose functions the Node
 * side calls with small scripts (see test/support/xs-engine.ts). It drives
 * CandumpRecorder into a counting sink and FeedClient from a fake ECMA-419
 * socket that replays preallocated SLCAN bytes, so their hot loops run on the
 * real engine.
 *
 * Runs only inside the xsnap worker (XS). Setup functions allocate; the
 * `...Loop` functions must not, which the tests check with XS's heap meter.
 */
import { FeedClient, type FeedSocket, type FeedSocketOptions } from "../../modules/can/feed-client.js";
import { CanFrame } from "../../modules/can/frame.js";
import { CandumpRecorder, type RecordSink } from "../../modules/can/recorder.js";
import { FrameRing } from "../../modules/can/ring.js";

interface XsnapGlobal {
	gc(): void;
	xsCanIo: unknown;
}
const host = globalThis as unknown as XsnapGlobal;

/** JSON as the reply's bytes (ASCII only). */
function reply(value: unknown): ArrayBuffer {
	const text = JSON.stringify(value);
	const bytes = new Uint8Array(text.length);
	for (let i = 0; i < text.length; i++)
		bytes[i] = text.charCodeAt(i);
	return bytes.buffer;
}

/** Counts and checksums what it is given; keeps the first bytes for comparison with Node. */
class CountingSink implements RecordSink {
	bytes = 0;
	writes = 0;
	checksum = 0;
	readonly head = new Uint8Array(4096);
	write(bytes: Uint8Array): void {
		for (let i = 0; i < bytes.length; i++) {
			if (this.bytes + i < this.head.length)
				this.head[this.bytes + i] = bytes[i];
			this.checksum = (Math.imul(this.checksum, 31) + bytes[i]) >>> 0;
		}
		this.bytes += bytes.length;
		this.writes++;
	}
}

/** A connected socket whose every onReadable offers the same preallocated SLCAN bytes. */
class ReplaySocket implements FeedSocket {
	position = 0;
	constructor(readonly options: FeedSocketOptions, readonly source: Uint8Array) {}
	read(buffer: Uint8Array): number {
		const source = this.source, start = this.position, length = buffer.length;
		if (start + length > source.length)
			throw new Error("invalid");
		for (let i = 0; i < length; i++)
			buffer[i] = source[start + i];
		this.position = start + length;
		return length;
	}
	write(_bytes: Uint8Array): void {}
	close(): void {}
}

let recorder: CandumpRecorder | null = null;
let sink = new CountingSink();
const frame = new CanFrame();
let now = 0;
const clock = () => now;
let ring = new FrameRing(1024);
let feed: FeedClient | null = null;
let socket: ReplaySocket | null = null;
let popped = 0;
let sentinel: WeakRef<object> | null = null;

host.xsCanIo = {
	/** Frees garbage and plants a sentinel that a later collection would clear. */
	arm(): void {
		host.gc();
		sentinel = new WeakRef({});
	},
	collected(): ArrayBuffer {
		return reply({ collected: sentinel !== null && sentinel.deref() === undefined });
	},

	setupRecorder(): void {
		sink = new CountingSink();
		recorder = new CandumpRecorder({ sink, maxBytes: 1 << 30, chunkSize: 4096, chunks: 4 });
		frame.id = 0x1C4;
		frame.flags = 0;
		frame.dlc = 8;
	},
	/** Records `count` frames (varying time, id form and data), servicing the sink every 16. */
	recordLoop(count: number): void {
		const r = recorder!;
		for (let i = 0; i < count; i++) {
			frame.timestamp = 1700000000000 + i * 1.25;
			frame.flags = (i & 7) === 0 ? 1 : 0;
			frame.id = (i & 7) === 0 ? 0x18FEF100 : 0x100 + (i & 0xFF);
			frame.data[0] = i & 0xFF;
			frame.data[7] = (i >> 8) & 0xFF;
			r.record(frame);
			if ((i & 15) === 0)
				r.service(4);
		}
	},
	/** The same loop without the recorder: the baseline. */
	recordEmpty(count: number): void {
		for (let i = 0; i < count; i++) {
			frame.timestamp = 1700000000000 + i * 1.25;
			frame.flags = (i & 7) === 0 ? 1 : 0;
			frame.id = (i & 7) === 0 ? 0x18FEF100 : 0x100 + (i & 0xFF);
			frame.data[0] = i & 0xFF;
			frame.data[7] = (i >> 8) & 0xFF;
			if ((i & 15) === 0)
				sink.writes += 0;
		}
	},
	recorderResult(): ArrayBuffer {
		recorder!.flush();
		let head = "";
		for (let i = 0; i < Math.min(sink.bytes, sink.head.length); i++)
			head += String.fromCharCode(sink.head[i]);
		return reply({ frames: recorder!.frames, dropped: recorder!.dropped, bytes: sink.bytes, checksum: sink.checksum, head });
	},

	/** A FeedClient connected to a socket that replays `lines` copies of one SLCAN frame line. */
	setupFeed(lines: number): void {
		const line = "t12381122334455667788\r";
		const source = new Uint8Array(line.length * lines);
		for (let i = 0; i < source.length; i++)
			source[i] = line.charCodeAt(i % line.length);
		ring = new FrameRing(1024);
		feed = new FeedClient(ring, {
			clock,
			socket: options => (socket = new ReplaySocket(options, source)),
			idleTimeout: 0,
		});
		feed.start();
		socket!.options.onWritable(1024);
		popped = 0;
	},
	/** `rounds` times: the socket offers its bytes, the client reads and parses them, the ring is drained. */
	feedLoop(rounds: number): void {
		const s = socket!, f = feed!, r = ring;
		for (let k = 0; k < rounds; k++) {
			now += 10;
			s.position = 0;
			s.options.onReadable(s.source.length);
			f.step(now);
			while (r.pop(frame))
				popped++;
		}
	},
	feedEmpty(rounds: number): void {
		const s = socket!, f = feed!, r = ring;
		for (let k = 0; k < rounds; k++) {
			now += 10;
			s.position = 0;
			f.step(now);
			while (r.pop(frame))
				popped++;
		}
	},
	feedResult(): ArrayBuffer {
		const f = feed!;
		return reply({ state: f.state, frames: f.frames, popped, malformed: f.parser.malformed, bytes: f.bytes, timestamp: frame.timestamp });
	},
};
