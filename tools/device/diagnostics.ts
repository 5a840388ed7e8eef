/*
 * Compiler output (GCC's and clang's) to one line per problem,
 * `file:line:col: error: message (chips)`, the same problem on several chips
 * said once. Node only (host tool).
 */
import { CHIPS, type Chip } from "./plan.js";

/** One error or warning as a compiler printed it. */
export interface Diagnostic {
	/** "path:line:col", or the path (or the tool's name) alone when the compiler gave no place. */
	at: string;
	/** "error: ...", "warning: ...", "fatal error: ...". */
	text: string;
	/** Where the compiled file includes the header the problem is in ("path:line"). */
	includedFrom?: string;
}

const PROBLEM = /^(.+?(?::\d+:\d+)?): ((?:fatal error|error|warning): .*)$/;
/** GCC: "In file included from a.h:14," then "                 from b.c:75:"; clang: one "In file included from" per level. */
const INCLUDED = /^(?:In file included from|\s+from) (.+):(\d+)(?::\d+)?[,:]$/;

/**
 * The errors and warnings in one compile's output, for `source`. Notes,
 * "In function" lines and the code excerpts are dropped; `show` turns a
 * path into the way it is printed. Runs anywhere; allocates.
 */
export function parseDiagnostics(output: string, source: string, show: (path: string) => string): Diagnostic[] {
	const found: Diagnostic[] = [];
	let includedFrom: string | undefined, chain = false;
	for (const line of output.split("\n")) {
		const include = INCLUDED.exec(line);
		if (include) {
			if (!chain)
				includedFrom = undefined;
			chain = true;
			if (include[1] === source)
				includedFrom = `${show(include[1])}:${include[2]}`;
			continue;
		}
		chain = false;
		const problem = PROBLEM.exec(line);
		if (!problem)
			continue;
		const [, at, text] = problem;
		const place = /^(.+?)((?::\d+:\d+)?)$/.exec(at)!;
		const inSource = place[1] === source;
		found.push({ at: show(place[1]) + place[2], text, includedFrom: inSource ? undefined : includedFrom });
	}
	return found;
}

/** Problems from every chip, each said once with the chips it was seen on, in the order first seen. */
export class ProblemList {
	private readonly seen = new Map<string, Set<Chip>>();

	/** Adds one chip's problems. Allocates. */
	add(chip: Chip, problems: readonly Diagnostic[]): void {
		for (const { at, text, includedFrom } of problems)
			this.addLine(`${at}: ${text}${includedFrom ? ` [included from ${includedFrom}]` : ""}`, chip);
	}

	/** Adds a problem that is not a compiler's: a manifest's, or a compile that failed without saying why. Allocates. */
	addLine(line: string, chip?: Chip): void {
		const chips = this.seen.get(line) ?? new Set<Chip>();
		if (chip)
			chips.add(chip);
		this.seen.set(line, chips);
	}

	get size(): number {
		return this.seen.size;
	}

	/** One line per problem: `key (chip, chip)`. Allocates. */
	lines(): string[] {
		return [...this.seen].map(([key, chips]) => {
			const named = CHIPS.filter(chip => chips.has(chip));
			return named.length ? `${key} (${named.join(", ")})` : key;
		});
	}
}
