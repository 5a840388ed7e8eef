import { generateKeyPairSync } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { DEFAULT_DEVICE, SDK_MISSING_MESSAGE, caCertificate, checkCar, findSdk, packKeyPoint, parseArgs, planBeside, projectRoot, start, type StartHost } from "../tools/start.js";
import { repoRoot } from "./shared-data.js";

/** A machine made of a file list (and some file contents); commands are recorded, not run. */
function fakeHost(files: string[], env: Record<string, string | undefined>, exitCodes: number[] = [], contents: Record<string, Uint8Array> = {}): StartHost & { runs: Array<{ command: string; args: string[] }>; output: string; errors: string; written: Record<string, string>; copies: Array<[string, string]> } {
	const present = new Set([...files, ...Object.keys(contents)]);
	const host = {
		env, platform: "linux",
		runs: [] as Array<{ command: string; args: string[] }>,
		output: "", errors: "",
		written: {} as Record<string, string>,
		copies: [] as Array<[string, string]>,
		exists: (path: string) => present.has(path),
		makeDir: (path: string) => { present.add(path); },
		readFile: (path: string) => {
			if (!contents[path])
				throw new Error(`ENOENT: ${path}`);
			return contents[path];
		},
		writeFile: (path: string, text: string) => { host.written[path] = text; present.add(path); },
		copyFile: (from: string, to: string) => { host.copies.push([from, to]); present.add(to); },
		run: async (command: string, args: string[]) => {
			host.runs.push({ command, args });
			return exitCodes.shift() ?? 0;
		},
		out: (text: string) => { host.output += text; },
		err: (text: string) => { host.errors += text; },
	};
	return host;
}

const SDK = "/opt/moddable", RELEASE = `${SDK}/build/bin/lin/release`, PROJECT = "/home/me/xs-cluster";
const APP = `${PROJECT}/build/bin/lin/${DEFAULT_DEVICE}/debug/xs-cluster/mc.so`;

describe("npm start", () => {
	test("missing-sdk-says-what-to-install-and-fails", async () => {
		const host = fakeHost([], { PATH: "/usr/bin" });
		expect(await start([], PROJECT, host)).toBe(1);
		expect(host.runs).toEqual([]);
		expect(host.errors).toBe(SDK_MISSING_MESSAGE + "\n");
		// One short message naming both ways to install.
		expect(host.errors.trim().split("\n")).toHaveLength(1);
		expect(host.errors).toMatch(/Getting Started/);
		expect(host.errors).toMatch(/npx xs-dev setup/);
	});

	test("moddable-set-but-tools-not-built-is-the-same-message", async () => {
		const host = fakeHost([SDK], { MODDABLE: SDK, PATH: "/usr/bin" });
		expect(await start([], PROJECT, host)).toBe(1);
		expect(host.errors).toBe(SDK_MISSING_MESSAGE + "\n");
	});

	test("makes-the-spoken-alerts'-phrases-before-building, in-the-languages-asked-for, and-builds-without-them-when-it-cannot", async () => {
		const host = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, APP], { MODDABLE: SDK, PATH: "/usr/bin" });
		// With each call, the commands run so far: made before each build's mcconfig, which converts them.
		const asked: Array<[string, string | null, number]> = [];
		host.phrases = (projectDir, languages) => {
			asked.push([projectDir, languages, host.runs.length]);
			return { ok: languages !== "en=tlh", line: languages === "en=tlh" ? "xs-cluster: speech: espeak-ng -v tlh failed; building without spoken alerts" : "xs-cluster: speech: 16 alert phrases" };
		};
		expect(await start(["--build-only", "--languages", "en,de"], PROJECT, host)).toBe(0);
		expect(await start(["--build-only"], PROJECT, host)).toBe(0);
		expect(asked).toEqual([[PROJECT, "en,de", 0], [PROJECT, null, 1]]);
		expect(host.output).toContain("xs-cluster: speech: 16 alert phrases\n");
		// A voice espeak-ng does not have: said, and the build goes on.
		expect(await start(["--build-only", "--languages", "en=tlh"], PROJECT, host)).toBe(0);
		expect(host.errors).toBe("xs-cluster: speech: espeak-ng -v tlh failed; building without spoken alerts\n");
		expect(host.runs.filter(run => run.command === `${RELEASE}/mcconfig`)).toHaveLength(3);
		// A language the phrase table lacks, and the old --voice, are refused before anything runs.
		expect(await start(["--build-only", "--languages", "en,nl"], PROJECT, host)).toBe(2);
		expect(host.errors).toContain("'nl' is not a language the phrase table has (en, de, fr, es, it;");
		expect(await start(["--build-only", "--voice", "en-gb"], PROJECT, host)).toBe(2);
		expect(host.errors).toContain("--voice is now part of --languages: e.g. --languages en=en-gb,de");
		expect(asked).toHaveLength(3);
	});

	test("builds-with-t-build-then-opens-the-simulator", async () => {
		const host = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, APP], { MODDABLE: SDK, PATH: "/usr/bin" });
		expect(await start([], PROJECT, host)).toBe(0);
		const [build, run] = host.runs;
		expect(build.command).toBe(`${RELEASE}/mcconfig`);
		// Never the default target: it kills every mcsim on the machine.
		expect(build.args).toEqual(["-d", "-m", "-p", "sim/m5stack", "-t", "build", "-o", `${PROJECT}/build`, `${PROJECT}/manifest.json`]);
		expect(run).toEqual({ command: `${RELEASE}/mcsim`, args: [APP] });
	});

	test("trace-output-goes-through-xsbug-log-when-installed", async () => {
		const xsbugLog = `${SDK}/tools/xsbug-log/xsbug-log.js`;
		const host = fakeHost([SDK, "/usr/local/bin/mcconfig", `${RELEASE}/mcsim`, xsbugLog, `${SDK}/tools/xsbug-log/node_modules`, APP],
			{ MODDABLE: SDK, PATH: "/usr/local/bin:/usr/bin" });
		expect(await start([], PROJECT, host)).toBe(0);
		expect(host.runs[0].command).toBe("/usr/local/bin/mcconfig");
		expect(host.runs[1].args).toEqual([xsbugLog, `${RELEASE}/mcsim`, APP]);
	});

	test("a-failed-build-stops-with-its-exit-code", async () => {
		const host = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`], { MODDABLE: SDK, PATH: "" }, [2]);
		expect(await start([], PROJECT, host)).toBe(2);
		expect(host.runs).toHaveLength(1);
		expect(host.errors).toMatch(/build failed/);
	});

	test("device-and-build-only-options", async () => {
		const app = `${PROJECT}/build/bin/lin/moddable_two/debug/xs-cluster/mc.so`;
		const host = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, app], { MODDABLE: SDK, PATH: "" });
		expect(await start(["--device", "moddable_two", "--build-only"], PROJECT, host)).toBe(0);
		expect(host.runs).toHaveLength(1);
		// A portrait panel is turned to landscape.
		expect(host.runs[0].args.join(" ")).toContain("-p sim/moddable_two -r 90 -t build");
		const elsewhere = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, "/tmp/out/bin/lin/m5stack/debug/xs-cluster/mc.so"], { MODDABLE: SDK, PATH: "" });
		expect(await start(["--output", "/tmp/out", "--build-only"], PROJECT, elsewhere)).toBe(0);
		expect(elsewhere.runs[0].args).toContain("/tmp/out");
		expect(parseArgs(["--bogus"])).toMatch(/unknown argument '--bogus'/);
	});

	test("feed-option-passes-a-config-value-to-mcconfig", async () => {
		expect(parseArgs(["--feed"])).toMatchObject({ feed: "127.0.0.1:29536" });
		expect(parseArgs(["--feed", "--build-only"])).toMatchObject({ feed: "127.0.0.1:29536", buildOnly: true });
		expect(parseArgs(["--feed", "10.0.0.7:35000"])).toMatchObject({ feed: "10.0.0.7:35000" });
		expect(parseArgs(["--feed", ":4000"])).toMatchObject({ feed: "127.0.0.1:4000" });
		expect(parseArgs(["--feed", "a b"])).toMatch(/--feed wants host:port/);
		expect(parseArgs([])).toMatchObject({ feed: null });
		const app = `${PROJECT}/build/bin/lin/m5stack/debug/xs-cluster/mc.so`;
		const host = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, app], { MODDABLE: SDK, PATH: "" });
		expect(await start(["--feed", "--build-only"], PROJECT, host)).toBe(0);
		const args = host.runs[0].args;
		expect(args).toContain("feed=127.0.0.1:29536");
		// Before the manifest: mcconfig takes name=value anywhere, the manifest last by convention.
		expect(args.indexOf("feed=127.0.0.1:29536")).toBeLessThan(args.indexOf(`${PROJECT}/manifest.json`));
	});

	test("mqtt-option-is-checked-and-passes-a-config-value-to-mcconfig", async () => {
		expect(parseArgs(["--mqtt"])).toMatchObject({ mqtt: "127.0.0.1:1883" });
		expect(parseArgs(["--mqtt", "--build-only"])).toMatchObject({ mqtt: "127.0.0.1:1883", buildOnly: true });
		expect(parseArgs(["--mqtt", "10.0.0.7:1884"])).toMatchObject({ mqtt: "10.0.0.7:1884" });
		expect(parseArgs(["--mqtt", "mqtts://broker.example.com"])).toMatchObject({ mqtt: "mqtts://broker.example.com" });
		expect(parseArgs([])).toMatchObject({ mqtt: null });
		expect(parseArgs(["--mqtt", "http://x"])).toMatch(/^xs-cluster: --mqtt: 'http:\/\/x' is not a broker \(host:port, mqtt:\/\/host:port or mqtts:\/\/host:port\), e\.g\. 127\.0\.0\.1:1883\n/);
		expect(parseArgs(["--mqtt", "host:70000"])).toMatch(/^xs-cluster: --mqtt: port 70000 is not 1 to 65535/);
		const app = `${PROJECT}/build/bin/lin/m5stack/debug/xs-cluster/mc.so`;
		const host = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, app], { MODDABLE: SDK, PATH: "" });
		expect(await start(["--mqtt", "127.0.0.1:1884", "--build-only"], PROJECT, host)).toBe(0);
		const args = host.runs[0].args;
		expect(args).toContain("mqtt=127.0.0.1:1884");
		expect(args.indexOf("mqtt=127.0.0.1:1884")).toBeLessThan(args.indexOf(`${PROJECT}/manifest.json`));
		expect(host.output).toContain("mosquitto_sub -h 127.0.0.1 -p 1884 -t 'xs-cluster/#' -v");
	});

	test("record-option-passes-path-and-cap-to-mcconfig", async () => {
		expect(parseArgs([])).toMatchObject({ record: null, recordMaxBytes: 8 * 1024 * 1024 });
		expect(parseArgs(["--record"])).toMatchObject({ record: "" });
		expect(parseArgs(["--record", "--build-only"])).toMatchObject({ record: "", buildOnly: true });
		expect(parseArgs(["--record", "/tmp/x.log", "--record-max-bytes", "1000"])).toMatchObject({ record: "/tmp/x.log", recordMaxBytes: 1000 });
		expect(parseArgs(["--record-max-bytes", "ten"])).toMatch(/--record-max-bytes wants/);
		const app = `${PROJECT}/build/bin/lin/m5stack/debug/xs-cluster/mc.so`;
		const host = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, app], { MODDABLE: SDK, PATH: "" });
		expect(await start(["--record", "--build-only"], PROJECT, host)).toBe(0);
		const args = host.runs[0].args;
		expect(args).toContain(`record=${PROJECT}/build/recording.log`);
		expect(args).toContain(`recordMaxBytes=${8 * 1024 * 1024}`);
		expect(args.indexOf(`record=${PROJECT}/build/recording.log`)).toBeLessThan(args.indexOf(`${PROJECT}/manifest.json`));
		const plain = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, app], { MODDABLE: SDK, PATH: "" });
		expect(await start(["--build-only"], PROJECT, plain)).toBe(0);
		expect(plain.runs[0].args.some(arg => arg.startsWith("record"))).toBe(false);
	});

	test("car-option-builds-a-manifest-with-the-users-profile-and-drives-it", async () => {
		const demo = (name: string) => new Uint8Array(readFileSync(join(repoRoot, "hosts/sim/demo", name)));
		const car = { "/cars/prius/prius.vehicle": demo("car.vehicle"), "/cars/prius/prius.plan": demo("car.plan") };
		expect(parseArgs(["--car", "/cars/prius/prius.vehicle"])).toMatchObject({ car: "/cars/prius/prius.vehicle" });
		expect(parseArgs([])).toMatchObject({ car: null });
		expect(parseArgs(["--car"])).toMatch(/--car wants the car's compiled profile/);
		expect(parseArgs(["--car", "--build-only"])).toMatch(/--car wants/);
		expect(planBeside("/cars/prius/prius.vehicle")).toBe("/cars/prius/prius.plan");

		const app = `${PROJECT}/build/bin/lin/m5stack/debug/xs-cluster-car/mc.so`;
		const host = fakeHost([SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`, app], { MODDABLE: SDK, PATH: "" }, [], car);
		expect(await start(["--car", "/cars/prius/prius.vehicle"], PROJECT, host)).toBe(0);
		const folder = `${PROJECT}/build/car/xs-cluster-car`;
		// The user's files are copied under the names main.ts loads.
		expect(host.copies).toEqual([["/cars/prius/prius.vehicle", `${folder}/car.vehicle`], ["/cars/prius/prius.plan", `${folder}/car.plan`]]);
		const manifest = JSON.parse(host.written[`${folder}/manifest.json`]);
		expect(manifest).toEqual({
			include: [`${PROJECT}/manifest.json`],
			config: { drive: "profile" },
			resources: { "~": [`${PROJECT}/hosts/sim/demo/car.plan`, `${PROJECT}/hosts/sim/demo/car.vehicle`], "*": ["./car.vehicle", "./car.plan"] },
		});
		// Built with -t build from the generated manifest; the app is named after its folder.
		expect(host.runs[0].args).toEqual(["-d", "-m", "-p", "sim/m5stack", "-t", "build", "-o", `${PROJECT}/build`, `${folder}/manifest.json`]);
		expect(host.runs[1]).toEqual({ command: `${RELEASE}/mcsim`, args: [app] });
		expect(host.output).toMatch(/will show xs-cluster demo car/);
	});

	test("car-option-refuses-a-missing-or-mismatched-pair-before-building", async () => {
		const demo = (name: string) => new Uint8Array(readFileSync(join(repoRoot, "hosts/sim/demo", name)));
		const sdkFiles = [SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`];
		const missing = fakeHost(sdkFiles, { MODDABLE: SDK, PATH: "" }, [], { "/c/car.vehicle": demo("car.vehicle") });
		expect(await start(["--car", "/c/car.vehicle"], PROJECT, missing)).toBe(1);
		expect(missing.runs).toEqual([]);
		expect(missing.errors).toMatch(/\/c\/car.plan not found .*profile compile/);
		// The demo car's full plan is not the plan its profile was compiled with.
		const mismatched = { "/c/car.vehicle": demo("car.vehicle"), "/c/car.plan": demo("demo-car.plan") };
		expect(checkCar("/c/car.vehicle", fakeHost([], {}, [], mismatched))).toMatch(/^xs-cluster: --car: vehicle profile .* (was compiled with|plan of)/);
		const swapped = { "/c/car.vehicle": demo("car.plan"), "/c/car.plan": demo("car.plan") };
		expect(checkCar("/c/car.vehicle", fakeHost([], {}, [], swapped))).toMatch(/bad magic/);
		expect(checkCar("/c/car.vehicle", fakeHost([], {}, [], { "/c/car.vehicle": demo("car.vehicle"), "/c/car.plan": demo("car.plan") }))).toEqual({ name: "xs-cluster demo car", plan: "/c/car.plan" });
	});

	test("sdk-tools-join-path-for-mcconfig", () => {
		const sdk = findSdk({ env: { MODDABLE: SDK, PATH: "/usr/bin" }, platform: "linux", exists: path => [SDK, `${RELEASE}/mcconfig`, `${RELEASE}/mcsim`].includes(path) });
		expect(sdk?.path).toBe(`/usr/bin:${RELEASE}`);
		expect(sdk?.xsbugLog).toBeNull();
	});

	test("project-root-is-found-from-dist", () => {
		const exists = (path: string) => path === join(PROJECT, "manifest.json") || path === join(PROJECT, "package.json");
		expect(projectRoot(join(PROJECT, "dist", "tools"), exists)).toBe(PROJECT);
		expect(projectRoot("/elsewhere", exists)).toBeNull();
	});
});

describe("files npm start turns into config values", () => {
	const files: Record<string, Uint8Array> = {};
	const host = { readFile: (path: string) => { if (!(path in files)) throw new Error("ENOENT"); return files[path]; } };
	const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
	files["public.pem"] = Buffer.from(publicKey.export({ type: "spki", format: "pem" }));
	files["garbage"] = Buffer.from("not a key, not a certificate");

	test("pack-key: the public point in hex, else one line", () => {
		expect(packKeyPoint("public.pem", host)).toMatch(/^04[0-9a-f]{128}$/);
		expect(packKeyPoint("garbage", host)).toBe("xs-cluster: garbage: not a P-256 public key in PEM (xs-cluster pack keygen writes public.pem)");
		expect(packKeyPoint("missing.pem", host)).toBe("xs-cluster: cannot read missing.pem");
	});

	test("mqtt-ca: a certificate as DER in hex, else one line", () => {
		expect(caCertificate("garbage", host)).toBe("xs-cluster: garbage: not a certificate (PEM or DER)");
		expect(caCertificate("public.pem", host)).toBe("xs-cluster: public.pem: not a certificate (PEM or DER)");
		expect(caCertificate("missing.crt", host)).toBe("xs-cluster: cannot read missing.crt");
	});
});
