/*
 * Reading callgrind's output files, for the bench. Node only; allocates freely.
 */
import { readFileSync } from "node:fs";

export interface Dump { instructions: number; calls: Map<string, number> }

/** Total Ir and calls per callee from one callgrind dump file (name compression resolved). */
export function readDump(path: string): Dump {
	const names = new Map<string, string>();
	const calls = new Map<string, number>();
	let instructions = 0;
	let callee: string | null = null;
	for (const line of readFileSync(path, "utf8").split("\n")) {
		if (line.startsWith("summary:") || line.startsWith("totals:")) {
			instructions = Number(line.split(/\s+/)[1]);
			continue;
		}
		const named = /^c?fn=(?:\((\d+)\))? ?(.*)$/.exec(line);
		if (named) {
			// With --compress-strings=no every name is spelled out; with ids, the first use names them.
			let name = named[2];
			if (named[1] !== undefined) {
				if (name)
					names.set(named[1], name);
				else
					name = names.get(named[1]) ?? "";
			}
			callee = line.startsWith("cfn=") ? name : null;
			continue;
		}
		if (line.startsWith("calls=") && callee) {
			calls.set(callee, (calls.get(callee) ?? 0) + Number(line.slice(6).split(" ")[0]));
			callee = null;
		}
	}
	return { instructions, calls };
}

/** XS's allocators and collector: calls to them in a loop's dump mean the loop allocates. */
export const ALLOCATORS = ["fxNewSlot", "fxNewChunk", "fxRenewChunk", "fxCollectGarbage"];
