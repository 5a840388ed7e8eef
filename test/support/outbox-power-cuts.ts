/*
 * The telemetry outbox losing power at random bytes while messages queue,
 * written once for both engines: test/connect-outbox.test.ts runs it on Node,
 * test/connect-xs.test.ts on XS (xsnap) and compares the two. Seeded; no Node
 * APIs: it compiles for XS.
 */
import { MessageKind, Outbox } from "../../modules/connect/outbox.js";
import { FakeFlash, PowerCut, random } from "../fixtures/fake-flash.js";

export interface OutboxPowerCuts {
	/** Devices, each on its own flash (8 blocks of 4 KiB, seeded by its number), and power cuts each. */
	readonly devices: number;
	readonly cutsPerDevice: number;
	/** Queue and acknowledge steps between cuts at most, and where the cut falls: a random step below `cutBlocks` blocks' worth of bytes. */
	readonly steps: number;
	readonly cutBlocks: number;
	readonly seed: number;
}

/** The cuts that struck; `problems` names each restart that lost, repeated or reordered a message, or a body that came back changed. */
export interface OutboxPowerCutsResult {
	cuts: number;
	overwrites: number;
	problems: string[];
}

/** A message's body, distinct for each seq and kind. */
export function messageBody(seq: number, kind: number): Uint8Array {
	const text = JSON.stringify({ seq, kind, pad: "x".repeat(seq % 40) });
	return new Uint8Array(Array.from(text, c => c.charCodeAt(0)));
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
	if (a.length !== b.length)
		return false;
	for (let i = 0; i < a.length; i++)
		if (a[i] !== b[i])
			return false;
	return true;
}

/**
 * Events, trip summaries and snapshots are queued and events acknowledged
 * in random order of steps, the power cut at a random byte of a write or an
 * erase. After each restart: the events and summaries on flash are in order,
 * once each; every event queued (its enqueue returned) and not acknowledged
 * is there, and the one being written at the cut may or may not be; each
 * body reads back as written; the next seq is above all of them. No byte is
 * ever overwritten.
 */
export function outboxPowerCuts(options: OutboxPowerCuts): OutboxPowerCutsResult {
	const rand = random(options.seed);
	const problems: string[] = [];
	let cuts = 0, overwrites = 0;
	const open = (flash: FakeFlash) => {
		const outbox = new Outbox(flash, { recordBytes: 240, limit: 40 });
		outbox.open();
		return outbox;
	};
	for (let device = 0; device < options.devices; device++) {
		const flash = new FakeFlash(8 * 4096, 4096, device + 1);
		let outbox = open(flash);
		const waiting: number[] = []; // events queued and not acknowledged, in order
		const acked = new Set<number>();
		let maybe = -1;
		for (let cut = 0; cut < options.cutsPerDevice; cut++) {
			const at = `device ${device}, cut ${cut}`;
			flash.cutAfter(Math.floor(rand() * options.cutBlocks * 4096));
			try {
				for (let step = 0; step < options.steps; step++) {
					const r = rand();
					if (r < 0.35 && waiting.length) {
						const seq = waiting.shift()!;
						outbox.acknowledge(seq);
						acked.add(seq);
						if (!outbox.length)
							outbox.settle();
					}
					else {
						const kind = r < 0.5 ? MessageKind.event : r < 0.55 ? MessageKind.trip : MessageKind.state;
						const seq = outbox.takeSeq();
						maybe = kind === MessageKind.state ? -1 : seq;
						outbox.enqueue(kind, seq, messageBody(seq, kind));
						if (maybe >= 0)
							waiting.push(seq);
						maybe = -1;
					}
				}
			}
			catch (error) {
				if (!(error instanceof PowerCut))
					throw error;
				cuts++;
			}
			flash.restore();
			outbox = open(flash);
			const all: number[] = [];
			const into = new Uint8Array(outbox.maxBody);
			for (let i = 0; i < outbox.length; i++) {
				const seq = outbox.seqAt(i), kind = outbox.kindAt(i);
				const length = outbox.read(i, into);
				if (!(length > 0) || !sameBytes(into.subarray(0, length), messageBody(seq, kind)))
					problems.push(`${at}: message ${seq} came back changed`);
				if (kind !== MessageKind.state)
					all.push(seq);
			}
			// Acknowledgements after the newest record are not on flash: those come again (receivers drop them by seq).
			for (let i = 1; i < all.length; i++)
				if (all[i] <= all[i - 1])
					problems.push(`${at}: ${all[i]} after ${all[i - 1]}`);
			const events = all.filter(seq => !acked.has(seq));
			const expected = maybe >= 0 && events.includes(maybe) ? [...waiting, maybe] : waiting;
			if (events.join() !== expected.join())
				problems.push(`${at}: events ${events.join()} where ${expected.join()} were queued`);
			if (expected !== waiting)
				waiting.push(maybe);
			maybe = -1;
			// Numbers never go back: the next one is above everything seen.
			const next = outbox.takeSeq();
			if (!(next > Math.max(0, ...events)))
				problems.push(`${at}: next seq ${next} not above ${events.join()}`);
		}
		overwrites += flash.overwrites;
	}
	return { cuts, overwrites, problems };
}
