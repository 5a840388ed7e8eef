/** A mistake in how the command was called (exit status 2), as opposed to bad input data (1). */
export class UsageError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "UsageError";
	}
}
