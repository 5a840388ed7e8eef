/*
 * python-can (Debian package python3-can) as a test oracle: whether it can be
 * imported, and running a short script under /usr/bin/python3 with a time
 * limit. The pyenv python3 on PATH of some machines lacks it, so the system
 * interpreter is called by its path. Node (vitest) only.
 */
import { spawnSync } from "node:child_process";

export const SYSTEM_PYTHON = "/usr/bin/python3";

/**
 * python-can's version, or null when /usr/bin/python3 is absent or says
 * `import can` fails. A probe cut off by its time limit (a loaded machine)
 * is not taken for a missing python-can: the tests run, and fail saying
 * what went wrong if it really is broken, rather than vanish.
 */
export const pythonCanVersion: string | null = (() => {
	const result = spawnSync(SYSTEM_PYTHON, ["-c", "import can; print(can.__version__)"], { encoding: "utf8", timeout: 120000 });
	if (result.status === 0)
		return result.stdout.trim();
	return result.signal !== null || (result.error as NodeJS.ErrnoException | undefined)?.code === "ETIMEDOUT" ? "(version unknown: the probe timed out)" : null;
})();

// Under CI, which installs python3-can (.ci/run), its tests fail rather than skip.
if (pythonCanVersion === null && process.env.CI)
	throw new Error("python-can is not importable by /usr/bin/python3 under CI: .ci/run installs it (apt-get install python3-can)");

export const PYTHON_CAN_MISSING = "skipped: python-can is not importable by /usr/bin/python3 (Debian: apt-get install python3-can)";

/** Runs `script` with `args`; returns its standard output. @throws with its standard error when it fails. */
export function runPython(script: string, args: string[], timeoutMs = 30000): string {
	const result = spawnSync(SYSTEM_PYTHON, ["-c", script, ...args], { encoding: "utf8", timeout: timeoutMs });
	if (result.status !== 0)
		throw new Error(`python failed (${result.status ?? result.signal}): ${result.stderr}`);
	return result.stdout;
}
