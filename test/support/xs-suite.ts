/*
 * The XS half of a test file: modules compiled for XS with a driver script
 * (compileXsDriver), run in one xsnap worker shared by the suite's tests and
 * closed after them. Under CI, which builds XS (`npm ci`), a missing worker
 * fails the suite (its beforeAll) instead of skipping it; elsewhere the suite
 * is skipped and its title says why. Node (vitest) only.
 */
import { afterAll, beforeAll, describe } from "vitest";
import { compileXsDriver } from "./xs-compile.js";
import { XsWorker, float64Reply, xsnapWorkerPath, type XsMeter } from "./xs-engine.js";

export interface XsSuite {
	/** Evaluates `source` in the worker, whose value is a Float64Array's buffer: the numbers, and the compute meter of the run. */
	run(source: string): Promise<{ meter: XsMeter; values: number[] }>;
	/** Evaluates `source`, whose value is the buffer of UTF-8 JSON text: the value. */
	json<T>(source: string): Promise<T>;
}

/**
 * `describe` for tests run on XS: `files` (project-relative, with what they
 * import) and `driver` (an ES module importing them as `./modules/...`) are
 * compiled and started before the tests, within `timeoutMs`.
 */
export function describeOnXs(name: string, files: string[], driver: string, body: (xs: XsSuite) => void, timeoutMs = 60_000): void {
	const available = xsnapWorkerPath() !== null;
	const run = available || process.env.CI;
	(run ? describe : describe.skip)(run ? `${name} on XS (xsnap)` : `${name} on XS (skipped: xsnap worker not built; run \`npm ci\`)`, () => {
		let worker: XsWorker | undefined;
		let dispose = () => {};
		beforeAll(async () => {
			const compiled = compileXsDriver(files, driver);
			dispose = compiled.dispose;
			worker = new XsWorker({ output: "ignore" });
			await worker.runModule(compiled.driver);
		}, timeoutMs);
		afterAll(async () => {
			await worker?.close();
			dispose();
		});
		const evaluate = (source: string) => {
			if (!worker)
				throw new Error("the XS worker did not start (see the suite's beforeAll)");
			return worker.evaluate(source);
		};
		body({
			run: async source => {
				const reply = await evaluate(source);
				return { meter: reply.meter, values: Array.from(float64Reply(reply)) };
			},
			json: async <T>(source: string) => JSON.parse(Buffer.from((await evaluate(source)).bytes).toString("utf8")) as T,
		});
	});
}

/**
 * Whether a loop on the display clock takes heap: runs `warmUp`, collects,
 * then `work` and `empty` (the same loop without the part under test) one
 * after the other; the part takes no heap when `work` grew the heap count
 * exactly as much as `empty` did after it. Returns `work`'s values too.
 */
export async function heapOfWork(run: XsSuite["run"], warmUp: string, work: string, empty: string): Promise<{ values: number[]; grownByWork: number; grownByEmpty: number }> {
	await run(warmUp);
	await run("collect()");
	const before = (await run("collect()")).meter.currentHeapCount;
	const worked = await run(work);
	const after = worked.meter.currentHeapCount;
	const emptied = await run(empty);
	return { values: worked.values, grownByWork: after - before, grownByEmpty: emptied.meter.currentHeapCount - after };
}
