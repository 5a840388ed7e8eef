/*
 * The real-world data set (DBC files of real cars, a real traffic log and
 * cantools decode vectors) lives in ../shared/data beside a CI checkout, not in
 * this repository. Tests that need it use `describeSharedData`, which skips
 * with a message saying why when the folder is absent (a user's clone); the
 * project's own fixtures in test/fixtures keep the core covered without it.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, test } from "vitest";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const fixturesDir = join(repoRoot, "test", "fixtures");

const candidate = process.env.XS_CLUSTER_SHARED_DATA ?? join(repoRoot, "..", "shared", "data");

/** Absolute path of the shared data folder, or null when it is not there. */
export const sharedDataDir: string | null = existsSync(join(candidate, "vectors.jsonl")) ? candidate : null;

/** Path of a file in the shared data folder; only call inside `describeSharedData`. */
export function sharedData(...parts: string[]): string {
	if (!sharedDataDir)
		throw new Error("shared data folder is absent");
	return join(sharedDataDir, ...parts);
}

/**
 * `describe` for tests on ../shared/data. When the data is absent the body is
 * not even run (it would read the files while collecting tests); one skipped
 * test says why instead.
 */
export function describeSharedData(name: string, body: () => void): void {
	if (sharedDataDir)
		describe(name, body);
	else
		describe(name, () => {
			test.skip("skipped: ../shared/data not found (set XS_CLUSTER_SHARED_DATA to its path)", () => {});
		});
}

/** A decode vector of ../shared/data/vectors.jsonl: a frame of a real DBC's message and the values cantools decoded from it. */
export interface CantoolsVector {
	dbc: string;
	id: number;
	extended: boolean;
	/** The frame's data, hex. */
	data: string;
	signals: Record<string, number>;
}

/** Every cantools vector, in file order; only call inside `describeSharedData`. Allocates. */
export function cantoolsVectors(): CantoolsVector[] {
	return readFileSync(sharedData("vectors.jsonl"), "utf8").split("\n").filter(line => line.trim()).map(line => JSON.parse(line) as CantoolsVector);
}
