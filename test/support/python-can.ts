/*
 * python-can (Debian package python3-can) as a test oracle: whether it can be
 * imported, and running a short script under /usr/bin/python3 with a time
 * limit. The pyenv python3 on PATH of some machines lacks it, so the system
 * interpreter is called by its path. Node (vitest) only.
 */
import { spawnSync } from "node:child_process";

export const SYSTEM_PYTHON = "/usr/bin/python3";

/** python-can's version, or null when `import can` fails under /usr/bin/python3. */
export const pythonCanVersion: string | null = (() => {
	const result = spawnSync(SYSTEM_PYTHON, ["-c", "import can; print(can.__version__)"], { encoding: "utf8", timeout: 20000 });
	return result.status === 0 ? result.stdout.trim() : null;
})();

export const PYTHON_CAN_MISSING = "skipped: python-can is not importable by /usr/bin/python3 (Debian: apt-get install python3-can)";

/** Runs `script` with `args`; returns its standard output. @throws with its standard error when it fails. */
export function runPython(script: string, args: string[], timeoutMs = 30000): string {
	const result = spawnSync(SYSTEM_PYTHON, ["-c", script, ...args], { encoding: "utf8", timeout: timeoutMs });
	if (result.status !== 0)
		throw new Error(`python failed (${result.status ?? result.signal}): ${result.stderr}`);
	return result.stdout;
}
