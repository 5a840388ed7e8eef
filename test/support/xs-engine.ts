/*
 * The real XS engine, driven from Node: an `@agoric/xsnap` worker process.
 *
 * xsnap builds Moddable's XS from source when the package installs (its
 * postinstall script) and ships `xsnap-worker`, which reads netstring commands
 * on file descriptor 3 and writes replies on 4:
 *   e<source>   evaluates a script (global eval); a returned ArrayBuffer is the reply
 *   m<path>     runs an ES module file; relative imports resolve against its path
 *   ?<bytes>    calls the script's global `handleCommand(ArrayBuffer)`
 *   q           quits
 * Every good reply starts with `.` and a JSON meter,
 * `{"currentHeapCount":n,"compute":n,"allocate":n,...}` then `\x01` and the
 * result; an exception gives `!` and its text.
 *
 * So the project's TypeScript is compiled with tsc into real ES modules in a
 * scratch folder and loaded with `m`: the same module linking XS does on the
 * device, no bundler in between. The bench and the XS tests both use this.
 * Node only (vitest and the bench); allocates freely.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
/** Where a build from `tools/` or `bench/` ran from `build/`: walk up to the folder holding package.json. */
function findRoot(start: string): string {
	let dir = start;
	while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir)
		dir = dirname(dir);
	return dir;
}
export const projectRoot = findRoot(repoRoot);

/** The release xsnap worker that `npm ci` built, or null when it is missing (install script skipped or failed). */
export function xsnapWorkerPath(): string | null {
	const platform = process.platform === "darwin" ? "mac" : "lin";
	const path = join(projectRoot, "node_modules", "@agoric", "xsnap", "xsnap-native", "xsnap", "build", "bin", platform, "release", "xsnap-worker");
	return existsSync(path) ? path : null;
}

/** What xsnap reports after each command: deterministic, the same on every run of the same code. */
export interface XsMeter {
	/** Heap slots in use (live plus not yet collected). */
	currentHeapCount: number;
	/** XS's compute meter for the command: roughly one unit per bytecode executed. */
	compute: number;
	/** Bytes the machine has taken from the system for its heaps. */
	allocate: number;
}

export interface XsReply {
	meter: XsMeter;
	/** Reply bytes (an ArrayBuffer the script returned), empty when it returned none. */
	bytes: Uint8Array;
}

/** An exception inside XS, with XS's message. */
export class XsError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "XsError";
	}
}

export interface XsWorkerOptions {
	/** Program and arguments to run the worker under, e.g. `["valgrind", "--tool=callgrind", ...]`. */
	wrapper?: string[];
	/** Where the worker's own stdout and stderr (print(), XS errors) go; default: this process's stderr. */
	output?: "inherit" | "ignore";
}

export class XsWorker {
	private readonly child: ChildProcess;
	private pending: Array<{ resolve: (reply: XsReply) => void; reject: (error: Error) => void }> = [];
	private input: Buffer = Buffer.alloc(0);
	private exited: Error | null = null;

	/** @throws Error when the worker was not built (see `xsnapWorkerPath`). */
	constructor(options: XsWorkerOptions = {}) {
		const worker = xsnapWorkerPath();
		if (!worker)
			throw new Error("xsnap worker not built: run `npm ci` (the @agoric/xsnap install script builds XS)");
		const wrapper = options.wrapper ?? [];
		const argv = [...wrapper, worker];
		const out = options.output === "ignore" ? "ignore" : process.stderr;
		this.child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", out, out, "pipe", "pipe"] });
		const replies = this.child.stdio[4]!;
		replies.on("data", (chunk: Buffer) => this.receive(chunk));
		this.child.on("exit", (code, signal) => {
			this.exited = new XsError(`xsnap worker exited (${signal ?? code})`);
			for (const waiter of this.pending.splice(0))
				waiter.reject(this.exited);
		});
		this.child.on("error", error => {
			this.exited = error;
			for (const waiter of this.pending.splice(0))
				waiter.reject(error);
		});
	}

	/** Evaluates a script in the worker's global scope; its value, when an ArrayBuffer, is the reply. */
	evaluate(source: string): Promise<XsReply> {
		return this.send(Buffer.concat([Buffer.from("e"), Buffer.from(source, "utf8")]));
	}

	/** Evaluates a script that returns `reply(value)` (see the XS host) and parses the JSON. */
	async evaluateJson<T>(source: string): Promise<{ meter: XsMeter; value: T }> {
		const { meter, bytes } = await this.evaluate(source);
		return { meter, value: JSON.parse(Buffer.from(bytes).toString("utf8")) as T };
	}

	/** Runs the ES module at `path` (absolute). */
	runModule(path: string): Promise<XsReply> {
		return this.send(Buffer.from("m" + path, "utf8"));
	}

	/** Hands bytes to the script's `handleCommand`. */
	command(bytes: Uint8Array): Promise<XsReply> {
		return this.send(Buffer.concat([Buffer.from("?"), bytes]));
	}

	/** Asks the worker to quit and waits for it to exit. */
	close(): Promise<void> {
		if (this.exited)
			return Promise.resolve();
		return new Promise(done => {
			this.child.once("exit", () => done());
			const commands = this.child.stdio[3] as NodeJS.WritableStream;
			commands.write("1:q,");
			commands.end();
		});
	}

	private send(payload: Buffer): Promise<XsReply> {
		if (this.exited)
			return Promise.reject(this.exited);
		return new Promise((resolve, reject) => {
			this.pending.push({ resolve, reject });
			(this.child.stdio[3] as NodeJS.WritableStream).write(Buffer.concat([Buffer.from(`${payload.length}:`), payload, Buffer.from(",")]));
		});
	}

	private receive(chunk: Buffer): void {
		this.input = this.input.length ? Buffer.concat([this.input, chunk]) : chunk;
		for (;;) {
			const colon = this.input.indexOf(0x3A);
			if (colon < 0)
				return;
			const length = Number(this.input.subarray(0, colon).toString("latin1"));
			if (this.input.length < colon + 1 + length + 1)
				return;
			const message = this.input.subarray(colon + 1, colon + 1 + length);
			this.input = this.input.subarray(colon + 2 + length);
			const waiter = this.pending.shift();
			if (!waiter)
				continue;
			if (message[0] === 0x2E) { // "."
				const separator = message.indexOf(0x01);
				const meter = JSON.parse(message.subarray(1, separator).toString("utf8")) as XsMeter;
				waiter.resolve({ meter, bytes: new Uint8Array(message.subarray(separator + 1)) });
			}
			else
				waiter.reject(new XsError(`XS: ${message.subarray(1).toString("utf8") || "exception (see the worker's stderr)"}`));
		}
	}
}

/**
 * Compiles the XS host (`bench/xs/host.ts`) and every module it imports into
 * ES modules under a new scratch folder, with tsc and `bench/xs/tsconfig.json`
 * (ES2022 modules, no Node types: what XS links on the device). Returns the
 * folder and the host module's absolute path; `dispose()` removes the folder.
 * @throws Error with tsc's output when the code does not compile.
 */
export function compileXsHost(): { dir: string; host: string; dispose: () => void } {
	const dir = mkdtempSync(join(tmpdir(), "xs-cluster-xs-"));
	const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
	try {
		execFileSync(process.execPath, [tsc, "-p", join(projectRoot, "bench", "xs", "tsconfig.json"), "--outDir", dir], { stdio: "pipe" });
	}
	catch (error) {
		rmSync(dir, { recursive: true, force: true });
		const e = error as { stdout?: Buffer; stderr?: Buffer };
		throw new Error(`tsc could not compile the XS host:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`);
	}
	return { dir, host: join(dir, "bench", "xs", "host.js"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Starts a worker and loads the compiled XS host into it. */
export async function startXsHost(host: string, options: XsWorkerOptions = {}): Promise<XsWorker> {
	const worker = new XsWorker(options);
	await worker.runModule(host);
	return worker;
}

/** Hands `bytes` to the XS host under `key` (see `handleCommand` in bench/xs/host.ts). */
export function putInput(worker: XsWorker, key: string, bytes: Uint8Array | ArrayBuffer): Promise<XsReply> {
	const payload = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
	const message = new Uint8Array(1 + key.length + payload.length);
	message[0] = key.length;
	for (let i = 0; i < key.length; i++)
		message[1 + i] = key.charCodeAt(i);
	message.set(payload, 1 + key.length);
	return worker.command(message);
}

/** A reply's bytes as the Float64Array the XS host returned. */
export function float64Reply(reply: XsReply): Float64Array {
	return new Float64Array(reply.bytes.slice().buffer);
}
