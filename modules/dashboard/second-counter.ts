/*
 * SecondCounter: a per-second rate from a counter that the engine restarts
 * every second (XS Instrumentation's "Pixels Drawn"), read once a display
 * tick. Reading the counter when the health line is written gives only the
 * part of a second drawn so far, which depends on where the reading falls
 * against the restart; here each reading is kept until the counter goes back,
 * and the reading before that is the whole second's count. Plain TypeScript,
 * no allocation; runs on XS and Node.
 */
export class SecondCounter {
	private last = 0;
	private total = 0;
	private seconds = 0;

	/** A reading of the counter, once a display tick. */
	read(value: number): void {
		// The counter went back: the last reading closed a second (what it drew after that reading, within one tick, is not seen).
		if (value < this.last) {
			this.total += this.last;
			this.seconds++;
		}
		this.last = value;
	}

	/** The average count of the whole seconds since the last call, rounded; undefined when none ended. */
	take(): number | undefined {
		const average = this.seconds > 0 ? Math.round(this.total / this.seconds) : undefined;
		this.total = this.seconds = 0;
		return average;
	}
}
