/*
 * A pseudo-terminal for serial-port tests: Python's os.openpty makes the
 * pair, the child prints the terminal's path (/dev/pts/N, what a host
 * program opens as it opens /dev/ttyUSB0) and relays the other end to its
 * standard input and output, raw. Node only (vitest); needs python3.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from "node:child_process";

const RELAY = `
import os, select, sys, tty
m, s = os.openpty()
tty.setraw(m)
sys.stderr.write(os.ttyname(s) + "\\n"); sys.stderr.flush()
out = sys.stdout.buffer
while True:
    r, _, _ = select.select([m, 0], [], [])
    if m in r:
        try:
            d = os.read(m, 4096)
        except OSError:
            d = b""
        if d:
            out.write(d); out.flush()
    if 0 in r:
        d = os.read(0, 4096)
        if not d:
            break
        os.write(m, d)
`;

/** Why there is no pseudo-terminal here, or null when python3 can make one. */
export function ptyUnavailable(): string | null {
	if (process.platform === "win32")
		return "no pseudo-terminals on Windows";
	const probe = spawnSync("python3", ["-c", "import os, pty; os.openpty()"], { stdio: "ignore" });
	return probe.status === 0 ? null : "python3 is not installed (apt-get install python3)";
}

export interface Pty {
	/** The terminal's path, as a serial port's. */
	path: string;
	/** Bytes written to the terminal arrive here; what is written here, the terminal reads. */
	child: ChildProcessWithoutNullStreams;
	close(): void;
}

export function openPty(): Promise<Pty> {
	const child = spawn("python3", ["-c", RELAY]);
	return new Promise((resolve, reject) => {
		let text = "";
		child.once("error", reject);
		child.stderr.on("data", bytes => {
			text += bytes.toString();
			const end = text.indexOf("\n");
			if (end >= 0)
				resolve({ path: text.slice(0, end), child, close: () => child.kill() });
		});
		child.once("exit", code => reject(new Error(`pty relay exited (${code}): ${text}`)));
	});
}
