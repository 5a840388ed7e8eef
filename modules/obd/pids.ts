/*
 * OBD-II mode 01 PIDs (SAE J1979 / ISO 15031-5) that a cluster shows: how
 * many data bytes each carries and the standard formula into the cluster's
 * canonical unit. Shared by the poller (device) and `xs-cluster profile
 * compile` (host), which checks that a profile maps a PID to a quantity of the
 * same unit. Runs on XS and Node; the table is built once at load.
 */

export interface PidInfo {
	pid: number;
	name: string;
	/** Data bytes after the PID in a positive response. */
	bytes: number;
	/** Canonical unit of the decoded value ("" for states). */
	unit: string;
}

/** PIDs with a formula in `decodePid`. */
export const PIDS: readonly PidInfo[] = Object.freeze([
	{ pid: 0x01, name: "monitor status since DTCs cleared (MIL)", bytes: 4, unit: "" },
	{ pid: 0x04, name: "calculated engine load", bytes: 1, unit: "%" },
	{ pid: 0x05, name: "engine coolant temperature", bytes: 1, unit: "degC" },
	{ pid: 0x0B, name: "intake manifold absolute pressure", bytes: 1, unit: "kPa" },
	{ pid: 0x0C, name: "engine speed", bytes: 2, unit: "rpm" },
	{ pid: 0x0D, name: "vehicle speed", bytes: 1, unit: "km/h" },
	{ pid: 0x0F, name: "intake air temperature", bytes: 1, unit: "degC" },
	{ pid: 0x11, name: "throttle position", bytes: 1, unit: "%" },
	{ pid: 0x2F, name: "fuel tank level input", bytes: 1, unit: "%" },
	{ pid: 0x33, name: "absolute barometric pressure", bytes: 1, unit: "kPa" },
	{ pid: 0x42, name: "control module voltage", bytes: 2, unit: "V" },
	{ pid: 0x46, name: "ambient air temperature", bytes: 1, unit: "degC" },
	{ pid: 0x5C, name: "engine oil temperature", bytes: 1, unit: "degC" },
	{ pid: 0x5E, name: "engine fuel rate", bytes: 2, unit: "L/h" },
	{ pid: 0xA6, name: "odometer", bytes: 4, unit: "km" },
].map(info => Object.freeze(info)));

/** PidInfo by PID, undefined for PIDs without a formula here. */
export function pidInfo(pid: number): PidInfo | undefined {
	for (let i = 0; i < PIDS.length; i++)
		if (PIDS[i].pid === pid)
			return PIDS[i];
	return undefined;
}

/** Data bytes of a PID this table knows, 0 otherwise. No allocation. */
export function pidBytes(pid: number): number {
	const info = pidInfo(pid);
	return info ? info.bytes : 0;
}

/**
 * The physical value of `pid` from its data bytes A, B, C, D at
 * `data[at..]`, or NaN for a PID without a formula. No allocation.
 */
export function decodePid(pid: number, data: Uint8Array, at: number): number {
	const a = data[at], b = data[at + 1];
	switch (pid) {
	case 0x01: return (a & 0x80) !== 0 ? 1 : 0; // MIL on: bit A7
	case 0x04: return a * 100 / 255;
	case 0x05: return a - 40;
	case 0x0B: return a;
	case 0x0C: return (a * 256 + b) / 4;
	case 0x0D: return a;
	case 0x0F: return a - 40;
	case 0x11: return a * 100 / 255;
	case 0x2F: return a * 100 / 255;
	case 0x33: return a;
	case 0x42: return (a * 256 + b) / 1000;
	case 0x46: return a - 40;
	case 0x5C: return a - 40;
	case 0x5E: return (a * 256 + b) / 20;
	case 0xA6: return (((a * 256 + b) * 256 + data[at + 2]) * 256 + data[at + 3]) / 10;
	default: return NaN;
	}
}

/** Parses "0x0D", "13" or 13 into a PID 0..255, NaN otherwise. */
export function parsePid(value: unknown): number {
	const pid = typeof value === "number" ? value : typeof value === "string" && /^(0x[0-9a-f]{1,2}|\d{1,3})$/i.test(value.trim()) ? Number(value.trim()) : NaN;
	return Number.isInteger(pid) && pid >= 0 && pid <= 0xFF ? pid : NaN;
}
