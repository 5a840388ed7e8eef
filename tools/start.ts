/*
 * `npm start`: builds the cluster with the user's Moddable SDK and opens it in
 * the desktop simulator on the demo drive.
 *
 * It finds the SDK ($MODDABLE, mcconfig on PATH or in the SDK's build
 * folder), builds with `mcconfig -d -m -p sim/<device> -t build` into
 * ./build (always `-t build`: the default target kills every simulator on the
 * machine before launching the SDK's own), then starts mcsim on the result,
 * With `--feed [host:port]` the cluster takes a live SLCAN-over-TCP feed
 * (`xs-cluster serve LOG --loop`) instead of the demo drive: the build gets
 * the config value `feed=host:port`, which hosts/sim/can-source.ts reads.
 * With `--record [path]` the cluster records the frames it receives to
 * `path` (default ./build/recording.log) as a candump `-l` log, capped at
 * `--record-max-bytes` (default 8 MB): the config values `record=/abs/path`
 * and `recordMaxBytes=n`, which hosts/sim/recorder.ts reads.
 * through the SDK's xsbug-log when it is installed so trace output (the health
 * line) shows in the terminal. Without the SDK it says in one message what to
 * install and exits non-zero. Node only (host tool); everything it touches in
 * the world comes in through `StartHost`, so tests run it with fakes.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { basename, delimiter, dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The simulated device: 320 x 240 landscape, like the common ILI9341 boards. */
export const DEFAULT_DEVICE = "m5stack";
/** Simulated devices whose screens are portrait: the cluster turns them 90 degrees, as a landscape-mounted panel. */
export const PORTRAIT_DEVICES: readonly string[] = ["moddable_one", "moddable_two", "moddable_six", "pico_display"];

export const SDK_MISSING_MESSAGE =
	"xs-cluster: the Moddable SDK was not found ($MODDABLE unset, or its tools not built). " +
	"Install it with `npx xs-dev setup` or its Getting Started guide " +
	"(https://github.com/Moddable-OpenSource/moddable/blob/public/documentation/Moddable%20SDK%20-%20Getting%20Started.md), " +
	"then run `npm start` again.";

export interface StartHost {
	env: Record<string, string | undefined>;
	/** `process.platform`. */
	platform: string;
	exists(path: string): boolean;
	/** Creates a folder and its parents (mcconfig wants its -o folder to exist). */
	makeDir(path: string): void;
	/** Runs a command with inherited stdio; resolves to its exit code. */
	run(command: string, args: string[], options: { cwd: string; env: Record<string, string | undefined> }): Promise<number>;
	out(text: string): void;
	err(text: string): void;
}

export interface Sdk {
	moddable: string;
	mcconfig: string;
	mcsim: string;
	/** The SDK's xsbug-log script when its dependencies are installed, else null. */
	xsbugLog: string | null;
	/** PATH with the SDK's tools added, for mcconfig's own calls (xsc, tsc...). */
	path: string;
	/** bin folder name of this OS: lin, mac or win. */
	os: string;
}

function osFolder(platform: string): string {
	return platform === "darwin" ? "mac" : platform === "win32" ? "win" : "lin";
}

/** Finds the SDK's tools, or returns null when something is missing. No side effects. */
export function findSdk(host: Pick<StartHost, "env" | "platform" | "exists">): Sdk | null {
	const moddable = host.env.MODDABLE;
	if (!moddable || !host.exists(moddable))
		return null;
	const os = osFolder(host.platform);
	const exe = host.platform === "win32" ? ".exe" : "";
	const release = join(moddable, "build", "bin", os, "release");
	const pathDirs = (host.env.PATH ?? "").split(delimiter).filter(Boolean);
	const onPath = (name: string) => pathDirs.map(dir => join(dir, name)).find(candidate => host.exists(candidate));
	const mcconfig = onPath("mcconfig" + exe) ?? (host.exists(join(release, "mcconfig" + exe)) ? join(release, "mcconfig" + exe) : undefined);
	const mcsimName = host.platform === "darwin" ? join("mcsim.app", "Contents", "MacOS", "mcsim") : "mcsim" + exe;
	const mcsim = host.exists(join(release, mcsimName)) ? join(release, mcsimName) : onPath("mcsim" + exe);
	if (!mcconfig || !mcsim)
		return null;
	const xsbugDir = join(moddable, "tools", "xsbug-log");
	const xsbugLog = host.exists(join(xsbugDir, "xsbug-log.js")) && host.exists(join(xsbugDir, "node_modules")) ? join(xsbugDir, "xsbug-log.js") : null;
	const path = pathDirs.includes(release) ? pathDirs.join(delimiter) : [...pathDirs, release].join(delimiter);
	return { moddable, mcconfig, mcsim, xsbugLog, path, os };
}

export interface StartOptions {
	device: string;
	/** Build output folder; default ./build in the project. */
	output: string | null;
	/** Build only; do not launch the simulator. */
	buildOnly: boolean;
	/** A live feed's "host:port" instead of the demo drive, or null. */
	feed: string | null;
	/** Absolute path to record the received frames to, "" for the default (build/recording.log in the project), or null: no recording. */
	record: string | null;
	/** Size cap of the recording, bytes. */
	recordMaxBytes: number;
}

/** Where `--record` alone writes, in the project. */
export const DEFAULT_RECORDING = join("build", "recording.log");
/** A recording stops at this size unless `--record-max-bytes` says otherwise. */
export const DEFAULT_RECORD_MAX_BYTES = 8 * 1024 * 1024;

/** Where `--feed` alone connects: `xs-cluster serve` on this machine. */
export const DEFAULT_FEED = "127.0.0.1:29536";

const USAGE = "usage: npm start [-- --device <simulator device>] [--output <build folder>] [--build-only] [--feed [host:port]] [--record [path]] [--record-max-bytes <n>]\n";

export function parseArgs(argv: string[]): StartOptions | string {
	const options: StartOptions = { device: DEFAULT_DEVICE, output: null, buildOnly: false, feed: null, record: null, recordMaxBytes: DEFAULT_RECORD_MAX_BYTES };
	for (let i = 0; i < argv.length; i++) {
		const arg = argv[i];
		if (arg === "--device" && argv[i + 1])
			options.device = argv[++i];
		else if (arg === "--output" && argv[i + 1])
			options.output = resolve(argv[++i]);
		else if (arg === "--build-only")
			options.buildOnly = true;
		else if (arg === "--feed") {
			const next = argv[i + 1];
			if (next !== undefined && !next.startsWith("--")) {
				if (!/^[A-Za-z0-9.-]*(:[0-9]{1,5})?$/.test(next) || next === "")
					return `xs-cluster: --feed wants host:port, e.g. ${DEFAULT_FEED}, not '${next}'\n${USAGE}`;
				options.feed = next.startsWith(":") ? `127.0.0.1${next}` : next;
				i++;
			}
			else
				options.feed = DEFAULT_FEED;
		}
		else if (arg === "--record") {
			const next = argv[i + 1];
			if (next !== undefined && !next.startsWith("--")) {
				if (/\s/.test(next))
					return `xs-cluster: --record wants a path without spaces, not '${next}'\n${USAGE}`;
				options.record = resolve(next);
				i++;
			}
			else
				options.record = "";
		}
		else if (arg === "--record-max-bytes" && argv[i + 1]) {
			const bytes = Number(argv[++i]);
			if (!(Number.isInteger(bytes) && bytes >= 64))
				return `xs-cluster: --record-max-bytes wants a whole number of bytes, at least 64, not '${argv[i]}'\n${USAGE}`;
			options.recordMaxBytes = bytes;
		}
		else
			return `xs-cluster: unknown argument '${arg}'\n${USAGE}`;
	}
	return options;
}

/**
 * Builds and launches the cluster from the project at `projectDir`. Resolves
 * to the exit code: 1 when the SDK is missing, the build's code when it
 * fails, the simulator's otherwise.
 */
export async function start(argv: string[], projectDir: string, host: StartHost): Promise<number> {
	const options = parseArgs(argv);
	if (typeof options === "string") {
		host.err(options);
		return 2;
	}
	const sdk = findSdk(host);
	if (!sdk) {
		host.err(SDK_MISSING_MESSAGE + "\n");
		return 1;
	}
	const env = { ...host.env, MODDABLE: sdk.moddable, PATH: sdk.path };
	const output = options.output ?? join(projectDir, "build");
	const platform = `sim/${options.device}`;
	host.makeDir(output);
	host.out(`xs-cluster: building for ${platform} with ${sdk.mcconfig}\n`);
	const rotation = PORTRAIT_DEVICES.includes(options.device) ? ["-r", "90"] : [];
	// A config value on mcconfig's command line reaches the app as mc/config's `feed`.
	const feed = options.feed ? [`feed=${options.feed}`] : [];
	if (options.feed)
		host.out(`xs-cluster: the cluster will take the live feed at ${options.feed} (start it with \`npx xs-cluster serve LOG --loop\`)\n`);
	// Likewise `record` and `recordMaxBytes` for hosts/sim/recorder.ts.
	const recordPath = options.record === null ? null : options.record === "" ? join(projectDir, DEFAULT_RECORDING) : options.record;
	const record = recordPath ? [`record=${recordPath}`, `recordMaxBytes=${options.recordMaxBytes}`] : [];
	if (recordPath)
		host.out(`xs-cluster: the cluster will record the frames it receives to ${recordPath} (candump -l, at most ${options.recordMaxBytes} bytes)\n`);
	const built = await host.run(sdk.mcconfig, ["-d", "-m", "-p", platform, ...rotation, "-t", "build", "-o", output, ...feed, ...record, join(projectDir, "manifest.json")], { cwd: projectDir, env });
	if (built !== 0) {
		host.err(`xs-cluster: the build failed (mcconfig exit code ${built}); see its messages above.\n`);
		return built;
	}
	// mcconfig names the app after the project folder.
	const app = join(output, "bin", sdk.os, options.device, "debug", basename(projectDir), sdk.os === "win" ? "mc.dll" : "mc.so");
	if (!host.exists(app)) {
		host.err(`xs-cluster: the build did not produce ${app}\n`);
		return 1;
	}
	if (options.buildOnly) {
		host.out(`xs-cluster: built ${app}\n`);
		return 0;
	}
	if (sdk.xsbugLog) {
		host.out("xs-cluster: opening the simulator; trace output follows (Ctrl-C to stop)\n");
		return host.run(process.execPath, [sdk.xsbugLog, sdk.mcsim, app], { cwd: dirname(sdk.xsbugLog), env });
	}
	host.out("xs-cluster: opening the simulator (install $MODDABLE/tools/xsbug-log with `npm install` there to see its trace output here)\n");
	return host.run(sdk.mcsim, [app], { cwd: projectDir, env });
}

/** The real world, for the command line. */
export const nodeHost: StartHost = {
	env: process.env,
	platform: process.platform,
	exists: existsSync,
	makeDir: path => mkdirSync(path, { recursive: true }),
	run(command, args, options) {
		return new Promise(done => {
			const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: "inherit" });
			child.on("error", error => {
				process.stderr.write(`xs-cluster: could not run ${command}: ${error.message}\n`);
				done(1);
			});
			child.on("exit", (code, signal) => done(code ?? (signal ? 1 : 0)));
		});
	},
	out: text => process.stdout.write(text),
	err: text => process.stderr.write(text),
};

/** The project folder: the nearest folder above `from` holding manifest.json and package.json, or null. */
export function projectRoot(from: string, exists: (path: string) => boolean = existsSync): string | null {
	let dir = from;
	for (;;) {
		if (exists(join(dir, "manifest.json")) && exists(join(dir, "package.json")))
			return dir;
		const parent = dirname(dir);
		if (parent === dir)
			return null;
		dir = parent;
	}
}

// Run when executed (node dist/tools/start.js), not when imported by tests.
const self = fileURLToPath(import.meta.url);
if (process.argv[1] && resolve(process.argv[1]) === self)
	process.exitCode = await start(process.argv.slice(2), projectRoot(dirname(self)) ?? projectRoot(process.cwd()) ?? process.cwd(), nodeHost);
