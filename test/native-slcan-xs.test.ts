/*
 * NativeSlcanParser on the real XS engine: the xsnap worker that links the
 * native engines (bench/native-xs.ts) runs modules/can/native-slcan.ts and
 * its C parser (slcan-engine.c through decode-engine-xs.c's xs_sls_feed)
 * on the streams of test/native/slcan-cases.ts, and must give what
 * SlcanParser gives on V8: the same frames, counters and drops, in every
 * chunking. Covers the binding and the TypeScript class, which the host
 * test (test/native-slcan.test.ts) does not; and the stock worker, without
 * the engine, falls back to SlcanParser. Skipped, saying why, without `cc`
 * or the stock worker; fails instead under CI.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { packSlcanCase, slcanTranscripts } from "../bench/xs/native-slcan.js";
import { allCases } from "./native/slcan-cases.js";
import { buildNativeXsHost, nativeXsUnavailable } from "./support/native-xs-host.js";
import { float64Reply, putInput, startXsHost, type XsWorker } from "./support/xs-engine.js";

const unavailable = nativeXsUnavailable();
const available = unavailable === null;
const describeNative = available || process.env.CI ? describe : describe.skip;
const title = available || process.env.CI ? "NativeSlcanParser on XS (engine-linked xsnap worker)" : `NativeSlcanParser on XS (skipped: ${unavailable})`;

describeNative(title, () => {
	let worker: XsWorker, stock: XsWorker;
	let dispose = () => {};
	beforeAll(async () => {
		const native = buildNativeXsHost("xs-cluster-native-slcan-");
		dispose = native.dispose;
		worker = await startXsHost(native.host, { wrapper: [native.worker] });
		stock = await startXsHost(native.host);
	}, 120_000);
	afterAll(async () => {
		await worker?.close();
		await stock?.close();
		dispose();
	});

	test("parses-on-xs-as-slcanparser-in-every-chunking", async () => {
		const cases = allCases();
		// In parts: a reply is one buffer.
		const failures: string[] = [];
		for (let first = 0; first < cases.length; first += 100) {
			const part = cases.slice(first, first + 100);
			const packed = Buffer.concat(part.map(packSlcanCase));
			await putInput(worker, "slcan-cases", packed);
			const xs = float64Reply(await worker.evaluate(`xs.slcanTranscripts("slcan-cases", true)`));
			const node = slcanTranscripts(new Uint8Array(packed), false);
			if (xs.length !== node.length)
				failures.push(`cases ${first}..: ${xs.length} values from XS, ${node.length} from V8`);
			else
				for (let k = 0; k < node.length; k++)
					if (!Object.is(xs[k], node[k])) {
						failures.push(`cases ${first}..: value ${k}: ${xs[k]} from NativeSlcanParser on XS, ${node[k]} from SlcanParser on V8`);
						break;
					}
		}
		expect(failures).toEqual([]);
	}, 120_000);

	test("a-stock-xs-falls-back-to-slcanparser", async () => {
		const cases = allCases().slice(0, 20);
		const packed = Buffer.concat(cases.map(packSlcanCase));
		await putInput(stock, "slcan-cases", packed);
		await expect(stock.evaluate(`xs.slcanTranscripts("slcan-cases", true)`)).rejects.toThrow(/not linked/);
		const xs = float64Reply(await stock.evaluate(`xs.slcanTranscripts("slcan-cases", false)`));
		expect(Array.from(xs)).toEqual(Array.from(slcanTranscripts(new Uint8Array(packed), false)));
	}, 60_000);
});
