/*
 * Seeded fuzz cases: case i of a run draws from its own PRNG, seeded
 * `seed + i`, so a failure names the one seed that replays it alone
 * (`FUZZ_SEED=<seed> npx vitest run <file> -t <test>`), whatever the other
 * cases did. The number of cases is fixed: a run does the same work every
 * time, on any machine. Node (vitest).
 */
import { seededRandom } from "./random.js";

/**
 * Time limit of a fuzz test, ms: the parser fuzz runs take 1 to 2.5 s alone
 * and up to 7.2 s on a 2-core machine running another `npm test` beside
 * them (vitest's default 5 s failed there); this holds with room to spare.
 */
export const FUZZ_TIMEOUT_MS = 60_000;

/**
 * `npm run mutate` (Stryker) sets XS_CLUSTER_MUTATION=1 through
 * test/support/vitest.mutate.config.ts: every mutant reruns the tests that
 * reach it on instrumented code, several times slower, so there the seeded
 * and simulated cases of the long property tests (fuzz rounds, devices
 * losing power) shrink tenfold. `npm test` always runs them all.
 */
export function caseCount(full: number): number {
	return process.env.XS_CLUSTER_MUTATION === "1" ? Math.ceil(full / 10) : full;
}

/**
 * Runs `cases` cases of `run`, each with its own seeded PRNG; with FUZZ_SEED
 * set, only the case of that seed. A failing case's error starts with its
 * case number and seed. Returns the number of cases run.
 */
export function fuzzCases(seed: number, cases: number, run: (random: () => number, caseIndex: number) => void): number {
	const only = process.env.FUZZ_SEED === undefined ? NaN : Number(process.env.FUZZ_SEED);
	let ran = 0;
	for (let i = 0; i < cases; i++) {
		const caseSeed = (seed + i) >>> 0;
		if (only === only && caseSeed !== only)
			continue;
		try {
			run(seededRandom(caseSeed), i);
		}
		catch (error) {
			const where = `fuzz case ${i} of ${cases}, seed ${caseSeed} (replay: FUZZ_SEED=${caseSeed})`;
			if (error instanceof Error) {
				error.message = `${where}: ${error.message}`;
				throw error;
			}
			throw new Error(`${where}: ${String(error)}`);
		}
		ran++;
	}
	return ran;
}
