/*
 * Command-line plumbing shared by every xs-cluster command. Node only.
 */
import { parseArgs } from "node:util";

/** A mistake in how the command was called (exit status 2), as opposed to bad input data (1). */
export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "UsageError";
	}
}

type OptionSpec = Record<string, { type: "string" | "boolean"; short?: string }>;

/** node:util parseArgs with positionals allowed and its errors as usage errors. */
export function parseOptions<const O extends OptionSpec>(args: string[], options: O) {
	try {
		return parseArgs({ args, options, allowPositionals: true });
	}
	catch (error) {
		throw new UsageError((error as Error).message);
	}
}

/** The one positional argument a command takes. @throws UsageError for none or several. */
export function onePositional(positionals: string[], what: string): string {
	if (positionals.length !== 1)
		throw new UsageError(positionals.length ? `expected one ${what}, got ${positionals.length}` : `missing ${what}`);
	return positionals[0];
}
