/*
 * CandumpRecorder and FeedClient on the real XS engine (an xsnap worker, see
 * test/support/xs-engine.ts): they run there, the recording is byte for byte
 * what Node records, and their hot loops (record + service; onReadable,
 * parse, ring) take no heap slot per frame and trigger no collection,
 * compared with the same loop without them. Skipped, saying why, when the
 * xsnap worker was not built. Node (vitest) driving XS.
 */
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { CanFrame } from "../modules/can/frame.js";
import { CandumpRecorder, type RecordSink } from "../modules/can/recorder.js";
import { repoRoot } from "./shared-data.js";
import { compileForXs } from "./support/xs-compile.js";
import { XsWorker, xsnapWorkerPath } from "./support/xs-engine.js";

const available = xsnapWorkerPath() !== null;
const describeXs = available || process.env.CI ? describe : describe.skip;
const title = available || process.env.CI ? "recorder and feed client on XS (xsnap)" : "recorder and feed client on XS (skipped: xsnap worker not built; run `npm ci` and let @agoric/xsnap's install script run)";

describeXs(title, () => {
	let worker: XsWorker;
	let dispose = () => {};

	beforeAll(async () => {
		const build = compileForXs(join(repoRoot, "test", "support", "xs-can-io.ts"));
		dispose = build.dispose;
		worker = new XsWorker({ output: "ignore" });
		await worker.runModule(build.module);
	}, 60_000);

	afterAll(async () => {
		await worker?.close();
		dispose();
	});

	/** Heap slots a loop leaves in use (against a freshly collected heap), and whether a collection ran. */
	async function growth(script: string): Promise<{ slots: number; collected: boolean }> {
		const armed = await worker.evaluate("xsCanIo.arm()");
		const after = await worker.evaluate(script);
		const { value } = await worker.evaluateJson<{ collected: boolean }>("xsCanIo.collected()");
		return { slots: after.meter.currentHeapCount - armed.meter.currentHeapCount, collected: value.collected };
	}

	test("recorder-writes-what-node-writes-and-allocates-nothing-per-frame", async () => {
		await worker.evaluate("xsCanIo.setupRecorder()");
		await worker.evaluate("xsCanIo.recordLoop(64)"); // warm up
		const work = await growth("xsCanIo.recordLoop(20000)");
		const empty = await growth("xsCanIo.recordEmpty(20000)");
		expect(work.collected).toBe(false);
		expect(work.slots).toBe(empty.slots);
		const { value } = await worker.evaluateJson<{ frames: number; dropped: number; bytes: number; checksum: number; head: string }>("xsCanIo.recorderResult()");
		expect(value.frames).toBe(20064);
		expect(value.dropped).toBe(0);

		// The same frames recorded on Node.
		let head = "", bytes = 0, checksum = 0;
		const sink: RecordSink = {
			write(chunk) {
				for (let i = 0; i < chunk.length; i++) {
					if (bytes + i < 4096)
						head += String.fromCharCode(chunk[i]);
					checksum = (Math.imul(checksum, 31) + chunk[i]) >>> 0;
				}
				bytes += chunk.length;
			},
		};
		const recorder = new CandumpRecorder({ sink, maxBytes: 1 << 30, chunkSize: 4096, chunks: 4 });
		const frame = new CanFrame();
		frame.dlc = 8;
		for (const count of [64, 20000])
			for (let i = 0; i < count; i++) {
				frame.timestamp = 1700000000000 + i * 1.25;
				frame.flags = (i & 7) === 0 ? 1 : 0;
				frame.id = (i & 7) === 0 ? 0x18FEF100 : 0x100 + (i & 0xFF);
				frame.data[0] = i & 0xFF;
				frame.data[7] = (i >> 8) & 0xFF;
				recorder.record(frame);
				if ((i & 15) === 0)
					recorder.service(4);
			}
		recorder.flush();
		expect(value.head).toBe(head);
		expect(value.bytes).toBe(bytes);
		expect(value.checksum).toBe(checksum);
	}, 60_000);

	test("feed-client-reads-parses-and-queues-without-allocating-per-frame", async () => {
		await worker.evaluate("xsCanIo.setupFeed(100)");
		await worker.evaluate("xsCanIo.feedLoop(2)"); // warm up
		const work = await growth("xsCanIo.feedLoop(200)");
		const empty = await growth("xsCanIo.feedEmpty(200)");
		expect(work.collected).toBe(false);
		expect(work.slots).toBe(empty.slots);
		const { value } = await worker.evaluateJson<{ state: string; frames: number; popped: number; malformed: number; bytes: number; timestamp: number }>("xsCanIo.feedResult()");
		expect(value).toMatchObject({ state: "connected", frames: 20200, popped: 20200, malformed: 0, bytes: 20200 * 22 });
		expect(value.timestamp).toBe(2020); // stamped with the injected clock on arrival
	}, 60_000);
});
