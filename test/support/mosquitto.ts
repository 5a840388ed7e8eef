/*
 * A real Mosquitto broker for a test file: started on a free loopback port,
 * killed and started again on the same port when a test wants the broker to
 * go away mid-stream, stopped after. Debian's `mosquitto` (.ci/run installs
 * it); `mosquittoMissing()` says how to get it when it is not there, which the
 * tests turn into a skip outside CI and a failure under CI=true.
 * Node (tests) only.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe } from "vitest";

/** The broker's path, or null. */
export function findMosquitto(): string | null {
	const places = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/local/sbin"];
	for (const dir of places) {
		const path = join(dir, "mosquitto");
		if (dir && existsSync(path))
			return path;
	}
	return null;
}

/** Why the broker tests cannot run here, or null when they can. */
export function mosquittoMissing(): string | null {
	return findMosquitto() ? null : "mosquitto (the MQTT broker) is not installed: apt-get install mosquitto";
}

/**
 * `describe` for tests against a real broker: one Mosquitto started before
 * them and stopped after. Under CI (.ci/run installs mosquitto) a missing
 * broker fails the suite (its beforeAll) instead of skipping it; elsewhere
 * the suite is skipped and its title says why.
 */
export function describeWithBroker(name: string, body: (broker: Mosquitto) => void): void {
	const missing = mosquittoMissing();
	const run = !missing || process.env.CI;
	(run ? describe : describe.skip)(run ? name : `${name} (skipped: ${missing})`, () => {
		const broker = new Mosquitto();
		beforeAll(async () => {
			if (missing)
				throw new Error(missing);
			await broker.start();
		}, 30000);
		afterAll(async () => {
			await broker.stop();
		});
		body(broker);
	});
}

/** A free TCP port on loopback (taken and released at once). */
export async function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = createServer();
		server.once("error", reject);
		server.listen(0, "127.0.0.1", () => {
			const address = server.address();
			const port = typeof address === "object" && address ? address.port : 0;
			server.close(() => resolve(port));
		});
	});
}

async function accepts(port: number): Promise<boolean> {
	return new Promise(resolve => {
		const socket = connect({ host: "127.0.0.1", port });
		socket.once("connect", () => {
			socket.destroy();
			resolve(true);
		});
		socket.once("error", () => resolve(false));
	});
}

export class Mosquitto {
	port = 0;
	private child: ChildProcess | null = null;
	private readonly dir = mkdtempSync(join(tmpdir(), "xsc-mosquitto-"));
	/** Everything the broker wrote, for a failing test's message. */
	output = "";
	/** Lines added to the listener's configuration (e.g. `certfile ...` for TLS). */
	private readonly listenerConfig: string;

	constructor(options: { listenerConfig?: string } = {}) {
		this.listenerConfig = options.listenerConfig ?? "";
	}

	/** Starts the broker (on the same port as before when restarting). Resolves once it accepts connections. */
	async start(): Promise<void> {
		const bin = findMosquitto();
		if (!bin)
			throw new Error(mosquittoMissing()!);
		if (!this.port)
			this.port = await freePort();
		const config = join(this.dir, "mosquitto.conf");
		writeFileSync(config, `listener ${this.port} 127.0.0.1\n${this.listenerConfig}allow_anonymous true\npersistence false\nmax_inflight_messages 20\n`);
		const child = spawn(bin, ["-c", config], { stdio: ["ignore", "pipe", "pipe"] });
		this.child = child;
		child.stdout!.on("data", data => this.output += data);
		child.stderr!.on("data", data => this.output += data);
		for (let tries = 0; tries < 400; tries++) {
			if (child.exitCode !== null)
				throw new Error(`mosquitto exited (${child.exitCode}): ${this.output}`);
			if (await accepts(this.port))
				return;
			await new Promise(resolve => setTimeout(resolve, 25));
		}
		throw new Error(`mosquitto did not accept connections on port ${this.port}: ${this.output}`);
	}

	/** Kills the broker as a crash would (SIGKILL) and waits for it to be gone. */
	async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
		const child = this.child;
		this.child = null;
		if (!child || child.exitCode !== null)
			return;
		await new Promise<void>(resolve => {
			child.once("exit", () => resolve());
			child.kill(signal);
		});
	}

	/** Stops the broker and removes its files. */
	async stop(): Promise<void> {
		await this.kill("SIGTERM");
		rmSync(this.dir, { recursive: true, force: true });
	}
}
