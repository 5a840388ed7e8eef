/*
 * The engine-linked xsnap worker of the native engines' XS tests
 * (test/native-xs.test.ts, test/native-slcan-xs.test.ts): whether it can be
 * built here, and the compiled XS host with that worker built beside it
 * (bench/native-xs.ts builds it with the host `cc` from the stock worker's
 * objects). Node only (vitest); allocates freely.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildNativeWorker, nativeWorkerUnavailable } from "../../bench/native-xs.js";
import { compileXsHost, xsnapWorkerPath } from "./xs-engine.js";

/** Null when the engine-linked worker can be built here, else why not. */
export function nativeXsUnavailable(): string | null {
	return xsnapWorkerPath() === null ? "the xsnap worker is not built (`npm ci` builds it)" : nativeWorkerUnavailable();
}

/** The compiled XS host and the engine-linked worker to run it in: `startXsHost(host, { wrapper: [worker] })`. */
export interface NativeXsHost {
	host: string;
	worker: string;
	/** Removes the compiled host and the worker's scratch folder. */
	dispose: () => void;
}

/**
 * Compiles the XS host and builds the engine-linked worker in a new scratch
 * folder named from `prefix`.
 * @throws Error saying why when the worker cannot be built here or its build fails (nothing is left behind).
 */
export function buildNativeXsHost(prefix: string): NativeXsHost {
	const unavailable = nativeXsUnavailable();
	if (unavailable !== null)
		throw new Error(`cannot link the native engine into XS: ${unavailable}`);
	const build = compileXsHost();
	const dir = mkdtempSync(join(tmpdir(), prefix));
	const dispose = () => {
		build.dispose();
		rmSync(dir, { recursive: true, force: true });
	};
	const built = buildNativeWorker(dir);
	if ("reason" in built) {
		dispose();
		throw new Error(`could not build the engine-linked worker: ${built.reason}`);
	}
	return { host: build.host, worker: built.worker, dispose };
}
