/*
 * `npm start`: builds the cluster with the user's Moddable SDK and opens it in
 * the desktop simulator on the demo drive.
 *
 * It finds the SDK ($MODDABLE, mcconfig on PATH or in the SDK's build
 * folder), builds with `mcconfig -d -m -p sim/<device> -t build` into
 * ./build (always `-t build`: the default target kills every simulator on the
 * machine before launching the SDK's own).
 * With `--feed [host:port]` the cluster takes a live SLCAN-over-TCP feed
 * (`xs-cluster serve LOG --loop`) instead of the demo drive: the build gets
 * the config value `feed=host:port`, which hosts/sim/can-source.ts reads.
 * With `--record [path]` the cluster records the frames it receives to
 * `path` (default ./build/recording.log) as a candump `-l` log, capped at
 * `--record-max-bytes` (default 8 MB): the config values `record=/abs/path`
 * and `recordMaxBytes=n`, which hosts/sim/recorder.ts reads.
 * With `--car path/car.vehicle` (and the car.plan beside it, as
 * `xs-cluster profile compile -o car.vehicle` writes them) the app is built
 * with that car instead of the demo car: a small manifest generated in the
 * build folder includes the project's, drops the demo car's `car.vehicle` and
 * `car.plan` resources (a `"~"` entry) and adds copies of the user's under
 * the same names, with the config value `drive=profile`, which makes
 * hosts/sim/can-source.ts drive the demo lap through that car's profile
 * (hosts/sim/profile-drive.ts). The app is then named `<project>-car`, so its
 * build folder never mixes with the demo car's.
 * With `--mqtt [broker]` (host:port, mqtt://host:port or mqtts://host:port;
 * alone: a Mosquitto on this machine, 127.0.0.1:1883) the cluster publishes
 * its telemetry there (docs/mqtt.md): the config value `mqtt=<broker>`, which
 * the simulator's telemetry wiring reads. With `--mqtt-ca ca.crt` (PEM or
 * DER) an mqtts:// broker's certificate is checked against that CA: the
 * config value `mqttCa=<its DER in hex>`.
 * Before building it makes the spoken alerts' phrases with espeak-ng
 * (tools/speech.ts), in the languages `--languages` names (default: the
 * manifest's), e.g. `--languages en,de` or with a voice, `en=en-us,de`.
 * With `--pack-key public.pem` the cluster takes vehicle packs signed with
 * that key's private half (docs/packs.md): the config value
 * `packKey=<the key's 65-byte point in hex>`, which PackKey reads.
 * With `--pack-link [port]` (alone: 7071) the cluster listens there for
 * packs from `xs-cluster pack send --tcp`: the config value `packLink=<port>`,
 * which hosts/sim/pack-link.ts reads.
 * Then it starts mcsim on the result, through the SDK's xsbug-log when it is installed so trace output (the health
 * line) shows in the terminal. Without the SDK it says in one message what to
 * install and exits non-zero. Node only (host tool); everything it touches in
 * the world comes in through `StartHost`, so tests run it with fakes.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, delimiter, dirname, extname, join, resolve } from "node:path";
import { X509Certificate, createPublicKey } from "node:crypto";
import { fileURLToPath } from "node:url";
import { ProfileFormatError, ProfileInputs, VehicleProfile } from "../modules/cluster/profile.js";
import { DecodePlan, PlanFormatError } from "../modules/signals/plan.js";
import { parseBroker } from "../modules/connect/mqtt-client.js";
import { publicPoint } from "./pack.js";
import { VOICE_MOVED, makeProjectPhrases, parseLanguages } from "./speech.js";

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
	/** Reads a whole file; throws when it cannot. */
	readFile(path: string): Uint8Array;
	writeFile(path: string, text: string): void;
	/** Copies a file (the copy gets a fresh modification time, so make rebuilds from it). */
	copyFile(from: string, to: string): void;
	/** Runs a command with inherited stdio; resolves to its exit code. */
	run(command: string, args: string[], options: { cwd: string; env: Record<string, string | undefined> }): Promise<number>;
	out(text: string): void;
	err(text: string): void;
	/** Makes the spoken alerts' phrases (tools/speech.ts) in `languages` (as `--languages` takes them; null: the manifest's); absent, the build uses the phrases already there. */
	phrases?(projectDir: string, languages: string | null): { ok: boolean; line: string };
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
	/** The MQTT broker the cluster publishes telemetry to (as `--mqtt` gave it, checked), or null. */
	mqtt: string | null;
	/** Absolute path of the car's compiled profile (`car.vehicle`, its `car.plan` beside it), or null: the demo car. */
	car: string | null;
	/** Absolute path of the public key (PEM) vehicle packs are checked with, or null: a build that refuses every pack. */
	packKey: string | null;
	/** The spoken alerts' languages as `--languages` gave them (checked), or null: the manifest's (tools/speech.ts). */
	languages?: string | null;
	/** Absolute path of the CA certificate an mqtts:// broker's certificate is checked against, or null. */
	mqttCa?: string | null;
	/** The TCP port the cluster takes packs on (`xs-cluster pack send --tcp`), or null: none. */
	packLink?: number | null;
}

/** Where `--record` alone writes, in the project. */
export const DEFAULT_RECORDING = join("build", "recording.log");
/** A recording stops at this size unless `--record-max-bytes` says otherwise. */
export const DEFAULT_RECORD_MAX_BYTES = 8 * 1024 * 1024;

/** Where `--mqtt` alone publishes: a Mosquitto on this machine. */
export const DEFAULT_MQTT = "127.0.0.1:1883";

/** Where `--pack-link` alone listens (hosts/sim/pack-link.ts PACK_LINK_PORT). */
export const DEFAULT_PACK_LINK = 7071;

/** Where `--feed` alone connects: `xs-cluster serve` on this machine. */
export const DEFAULT_FEED = "127.0.0.1:29536";

const USAGE = "usage: npm start [-- --device <simulator device>] [--output <build folder>] [--build-only] [--car <car.vehicle>] [--feed [host:port]] [--mqtt [broker]] [--mqtt-ca <ca.crt>] [--record [path]] [--record-max-bytes <n>] [--pack-key <public.pem>] [--pack-link [port]] [--languages <language>[=<espeak-ng voice>],...]\n";

export function parseArgs(argv: string[]): StartOptions | string {
	const options: StartOptions = { device: DEFAULT_DEVICE, output: null, buildOnly: false, feed: null, mqtt: null, record: null, recordMaxBytes: DEFAULT_RECORD_MAX_BYTES, car: null, packKey: null };
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
		else if (arg === "--mqtt") {
			const next = argv[i + 1];
			if (next !== undefined && !next.startsWith("--")) {
				const broker = parseBroker(next, "xs-cluster: --mqtt");
				if (typeof broker === "string")
					return `${broker}, e.g. ${DEFAULT_MQTT}\n${USAGE}`;
				options.mqtt = next.trim();
				i++;
			}
			else
				options.mqtt = DEFAULT_MQTT;
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
		else if (arg === "--car") {
			const next = argv[i + 1];
			if (next === undefined || next.startsWith("--"))
				return `xs-cluster: --car wants the car's compiled profile, e.g. --car car.vehicle (from \`xs-cluster profile compile ... -o car.vehicle\`)\n${USAGE}`;
			options.car = resolve(next);
			i++;
		}
		else if (arg === "--pack-key") {
			const next = argv[i + 1];
			if (next === undefined || next.startsWith("--"))
				return `xs-cluster: --pack-key wants the public key vehicle packs are signed for, e.g. --pack-key keys/public.pem (from \`xs-cluster pack keygen\`)\n${USAGE}`;
			options.packKey = resolve(next);
			i++;
		}
		else if (arg === "--mqtt-ca") {
			const next = argv[i + 1];
			if (next === undefined || next.startsWith("--"))
				return `xs-cluster: --mqtt-ca wants the certificate of the CA that signed the broker's, e.g. --mqtt-ca ca.crt\n${USAGE}`;
			options.mqttCa = resolve(next);
			i++;
		}
		else if (arg === "--pack-link") {
			const next = argv[i + 1];
			if (next !== undefined && !next.startsWith("--")) {
				const port = Number(next);
				if (!(/^[0-9]{1,5}$/.test(next) && port >= 1 && port <= 65535))
					return `xs-cluster: --pack-link wants a TCP port, e.g. ${DEFAULT_PACK_LINK}, not '${next}'\n${USAGE}`;
				options.packLink = port;
				i++;
			}
			else
				options.packLink = DEFAULT_PACK_LINK;
		}
		else if (arg === "--languages") {
			const next = argv[i + 1];
			const parsed = next === undefined || next.startsWith("--") ? "xs-cluster: --languages wants the spoken alerts' languages, e.g. --languages en,de" : parseLanguages(next);
			if (typeof parsed === "string")
				return `${parsed}\n${USAGE}`;
			options.languages = next;
			i++;
		}
		else if (arg === "--voice")
			return `${VOICE_MOVED}\n${USAGE}`;
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

/** The plan `xs-cluster profile compile -o car.vehicle` writes beside the profile: car.plan. */
export function planBeside(vehicle: string): string {
	return join(dirname(vehicle), basename(vehicle, extname(vehicle)) + ".plan");
}

/** The demo car's resources in the project, which a `--car` build drops. */
export const DEMO_CAR_RESOURCES: readonly string[] = [join("hosts", "sim", "demo", "car.plan"), join("hosts", "sim", "demo", "car.vehicle")];

/**
 * Checks that `vehicle` and the plan beside it are a compiled profile and the
 * plan compiled with it, as the app will (so a mistake is one line here, not
 * an exception in the simulator). Returns the profile's name, or a message.
 */
export function checkCar(vehicle: string, host: Pick<StartHost, "exists" | "readFile">): { name: string; plan: string } | string {
	const plan = planBeside(vehicle);
	for (const path of [vehicle, plan])
		if (!host.exists(path))
			return `xs-cluster: --car: ${path} not found (compile the profile with \`npx xs-cluster profile compile --dbc CAR.dbc CAR.json -o ${basename(vehicle)}\`, which writes ${basename(plan)} beside it)`;
	const buffer = (path: string) => {
		const bytes = host.readFile(path);
		return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
	};
	try {
		const profile = new VehicleProfile(buffer(vehicle));
		new ProfileInputs(profile, new DecodePlan(buffer(plan)), null);
		return { name: profile.name, plan };
	}
	catch (error) {
		if (error instanceof ProfileFormatError || error instanceof PlanFormatError)
			return `xs-cluster: --car: ${error.message} (${vehicle}, ${plan})`;
		return `xs-cluster: --car: cannot read ${vehicle} or ${plan}: ${(error as Error).message}`;
	}
}

/**
 * Writes the manifest of a `--car` build into `folder` (whose name becomes
 * the app's): the project's manifest, minus the demo car's profile and plan,
 * plus copies of the user's under the names main.ts loads, and `drive=profile`.
 * Returns its path.
 */
export function writeCarManifest(folder: string, projectDir: string, vehicle: string, plan: string, host: Pick<StartHost, "makeDir" | "writeFile" | "copyFile">): string {
	host.makeDir(folder);
	host.copyFile(vehicle, join(folder, "car.vehicle"));
	host.copyFile(plan, join(folder, "car.plan"));
	const manifest = {
		include: [join(projectDir, "manifest.json")],
		config: { drive: "profile" },
		resources: {
			"~": DEMO_CAR_RESOURCES.map(path => join(projectDir, path)),
			"*": ["./car.vehicle", "./car.plan"],
		},
	};
	const path = join(folder, "manifest.json");
	host.writeFile(path, JSON.stringify(manifest, null, "\t") + "\n");
	return path;
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
	const car = options.car === null ? null : checkCar(options.car, host);
	if (typeof car === "string") {
		host.err(car + "\n");
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
	// Likewise `mqtt` for the telemetry wiring (docs/mqtt.md).
	const mqtt = options.mqtt ? [`mqtt=${options.mqtt}`] : [];
	const broker = options.mqtt ? parseBroker(options.mqtt) : null;
	if (broker && typeof broker !== "string")
		host.out(`xs-cluster: the cluster will publish telemetry to the MQTT broker at ${options.mqtt} (watch it with \`mosquitto_sub -h ${broker.host} -p ${broker.port}${broker.secure ? (options.mqttCa ? ` --cafile ${options.mqttCa}` : " --capath /etc/ssl/certs") : ""} -t 'xs-cluster/#' -v\`)\n`);
	// Likewise `mqttCa` for an mqtts:// broker: the CA's certificate, DER in hex.
	if (options.mqttCa) {
		if (!broker || typeof broker === "string" || !broker.secure) {
			host.err(`xs-cluster: --mqtt-ca is for a broker that wants TLS: --mqtt mqtts://host:port\n${USAGE}`);
			return 2;
		}
		const der = caCertificate(options.mqttCa, host);
		if (der.startsWith("xs-cluster:")) {
			host.err(der + "\n");
			return 1;
		}
		mqtt.push(`mqttCa=${der}`);
		host.out(`xs-cluster: the broker's certificate is checked against ${options.mqttCa}\n`);
	}
	// Likewise `record` and `recordMaxBytes` for hosts/sim/recorder.ts.
	const recordPath = options.record === null ? null : options.record === "" ? join(projectDir, DEFAULT_RECORDING) : options.record;
	const record = recordPath ? [`record=${recordPath}`, `recordMaxBytes=${options.recordMaxBytes}`] : [];
	if (recordPath)
		host.out(`xs-cluster: the cluster will record the frames it receives to ${recordPath} (candump -l, at most ${options.recordMaxBytes} bytes)\n`);
	// Likewise `packKey` for PackKey (docs/packs.md): the key's point, in hex.
	let packKey: string[] = [];
	if (options.packKey) {
		const point = packKeyPoint(options.packKey, host);
		if (point.startsWith("xs-cluster:")) {
			host.err(point + "\n");
			return 1;
		}
		packKey = [`packKey=${point}`];
		host.out(`xs-cluster: the cluster will take vehicle packs signed for ${options.packKey} (xs-cluster pack build --key ...)\n`);
	}
	// Likewise `packLink` for hosts/sim/pack-link.ts.
	const packLink = options.packLink ? [`packLink=${options.packLink}`] : [];
	if (options.packLink)
		host.out(`xs-cluster: the cluster will take vehicle packs on TCP port ${options.packLink} (npx xs-cluster pack send CAR.xspack --tcp 127.0.0.1:${options.packLink})\n`);
	// mcconfig names the app after its manifest's folder: the project's, or for a car `<project>-car`.
	const name = car ? `${basename(projectDir)}-car` : basename(projectDir);
	let manifest = join(projectDir, "manifest.json");
	if (car && options.car) {
		manifest = writeCarManifest(join(output, "car", name), projectDir, options.car, car.plan, host);
		host.out(`xs-cluster: the cluster will show ${car.name} (${options.car}), driving the demo lap through its profile${options.feed ? " unless the feed is running" : ""}\n`);
	}
	// The spoken alerts' phrases, made again when the languages, voices or messages changed; without espeak-ng the cluster only chimes.
	if (host.phrases) {
		const made = host.phrases(projectDir, options.languages ?? null);
		if (made.ok)
			host.out(made.line + "\n");
		else
			host.err(made.line + "\n");
	}
	const built = await host.run(sdk.mcconfig, ["-d", "-m", "-p", platform, ...rotation, "-t", "build", "-o", output, ...feed, ...mqtt, ...record, ...packKey, ...packLink, manifest], { cwd: projectDir, env });
	if (built !== 0) {
		host.err(`xs-cluster: the build failed (mcconfig exit code ${built}); see its messages above.\n`);
		return built;
	}
	const app = join(output, "bin", sdk.os, options.device, "debug", name, sdk.os === "win" ? "mc.dll" : "mc.so");
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

/** A CA certificate file (PEM or DER) as DER in hex, or a one-line error starting "xs-cluster:". */
export function caCertificate(path: string, host: Pick<StartHost, "readFile">): string {
	return fileAsHex(path, host, bytes => new X509Certificate(bytes).raw, "not a certificate (PEM or DER)");
}

/** The 65-byte point of the PEM key at `path` in hex, or `xs-cluster: PATH: why` in one line. */
export function packKeyPoint(path: string, host: Pick<StartHost, "readFile">): string {
	return fileAsHex(path, host, bytes => publicPoint(createPublicKey(bytes)), "not a P-256 public key in PEM (xs-cluster pack keygen writes public.pem)");
}

/** What `convert` makes of the file at `path`, in hex; `xs-cluster: cannot read PATH` or `xs-cluster: PATH: <notWhat>` when it cannot. */
function fileAsHex(path: string, host: Pick<StartHost, "readFile">, convert: (bytes: Buffer) => Uint8Array, notWhat: string): string {
	let bytes: Uint8Array;
	try {
		bytes = host.readFile(path);
	}
	catch {
		return `xs-cluster: cannot read ${path}`;
	}
	try {
		return Buffer.from(convert(Buffer.from(bytes))).toString("hex");
	}
	catch {
		return `xs-cluster: ${path}: ${notWhat}`;
	}
}

/** The real world, for the command line. */
export const nodeHost: StartHost = {
	env: process.env,
	platform: process.platform,
	exists: existsSync,
	makeDir: path => mkdirSync(path, { recursive: true }),
	readFile: path => readFileSync(path),
	writeFile: (path, text) => writeFileSync(path, text),
	copyFile: (from, to) => copyFileSync(from, to),
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
	phrases: (projectDir, languages) => makeProjectPhrases(projectDir, languages),
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
