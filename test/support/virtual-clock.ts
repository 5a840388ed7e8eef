/*
 * A virtual ReplayClock for `xs-cluster serve` tests: time moves only when
 * the replay sleeps, by exactly what it asked for, and the sleep ends at the
 * next turn of the event loop. The replay then runs as fast as the machine
 * allows while every frame is stamped with the exact time of its schedule, so
 * tests check pacing to the microsecond and never time a loaded machine.
 * Node (vitest) only.
 */
import type { ReplayClock } from "../../tools/serve.js";

export class VirtualClock implements ReplayClock {
	/** Virtual milliseconds since the clock was made. */
	time = 0;
	/** Every sleep asked for, in ms. */
	readonly sleeps: number[] = [];

	/** @param epochStart Unix time in ms at virtual time 0. */
	constructor(readonly epochStart = 1_800_000_000_000) {}

	now = (): number => this.time;
	epoch = (): number => this.epochStart + this.time;

	sleep(ms: number): { done: Promise<void>; cancel(): void } {
		this.sleeps.push(ms);
		this.time += ms;
		let cancel!: () => void;
		const done = new Promise<void>(resolve => {
			const immediate = setImmediate(resolve);
			cancel = () => {
				clearImmediate(immediate);
				resolve();
			};
		});
		return { done, cancel };
	}
}
