/*
 * `npm run check:device`: compiles every device C file the project's esp32
 * manifests bring in, for esp32, esp32s3, esp32c3 and esp32c6, with the
 * include paths, defines and sdkconfig settings of a Moddable build and
 * ESP-IDF's warnings as errors, against $IDF_PATH when it is set (see
 * idf.ts for what that needs) and the compile kit ../shared/device
 * otherwise. Compile only: nothing is linked or flashed.
 *
 *   check:device [--chips esp32,esp32c3] [--jobs 2] [file.c ...]
 *
 * Each problem prints once as `file:line:col: error: message (chips)` and
 * the exit status is 1; a clean run prints one summary line and exits 0;
 * missing compilers or kit: one line, exit 2. C files named on the command
 * line are compiled instead of the manifests' (with the esp32 build's
 * settings). Node only (host tool).
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ProblemList, parseDiagnostics } from "./diagnostics.js";
import { definesHeader, projectSdkconfigHeader, SdkconfigError, xsIdsHeader } from "./headers.js";
import { ManifestError, place } from "./manifests.js";
import { CHIPS, type Chip, differs, type Job, jobsOf, type Plan, planBuilds, type Variant } from "./plan.js";
import { type Compile, findToolchain, type Toolchain } from "./toolchain.js";
import { parseOptions, UsageError } from "../usage.js";

export interface CheckIo {
	stdout: (text: string) => void;
	stderr: (text: string) => void;
}

/** Runs the check in `root`; resolves to the exit status (0 clean, 1 problems, 2 cannot run). */
export async function checkDevice(argv: string[], root: string, env: Record<string, string | undefined>, io: CheckIo): Promise<number> {
	let chips: Chip[], jobCount: number, files: string[];
	try {
		({ chips, jobCount, files } = readArguments(argv));
	}
	catch (error) {
		io.stderr(`check:device: ${(error as Error).message}\n`);
		return 2;
	}
	const toolchain = findToolchain(root, env);
	const missing = toolchain.missing(chips);
	if (missing) {
		io.stderr(`check:device: ${missing}\n`);
		return 2;
	}
	let plan: Plan, jobs: Job[];
	const problems = new ProblemList();
	try {
		plan = planBuilds(root, env.MODDABLE);
		jobs = files.length ? files.flatMap(file => chips.map(chip => ({ variant: plan.base, chip, file })))
			: jobsOf(plan).filter(job => chips.includes(job.chip));
		for (const variant of [plan.base, ...plan.boards])
			variant.errors.forEach(error => problems.addLine(error));
		await compileAll(root, env, toolchain, jobs, jobCount, problems);
	}
	catch (error) {
		// Bad input (a manifest, sdkconfig.defaults): one line naming its place.
		if (!(error instanceof ManifestError || error instanceof SdkconfigError))
			throw error;
		io.stderr(`${error.message}\n`);
		return 1;
	}
	return report(io, plan, jobs, chips, toolchain, problems);
}

/** Runs the jobs, `jobCount` at a time, objects and generated headers in a temporary folder; adds what the compilers say. */
async function compileAll(root: string, env: Record<string, string | undefined>, toolchain: Toolchain, jobs: Job[], jobCount: number, problems: ProblemList): Promise<void> {
	const temp = mkdtempSync(join(tmpdir(), "xs-cluster-device-"));
	try {
		const compiles = prepare(root, jobs, toolchain, temp);
		const results = await inParallel(compiles.map(compile => () => runCompiler(toolchain.command(compile), root, env)), jobCount);
		results.forEach(({ status, output }, i) => {
			const { chip, source } = compiles[i];
			const found = parseDiagnostics(output, source, path => place(root, path));
			problems.add(chip, found);
			if (status !== 0 && !found.some(problem => problem.text.includes("error")))
				problems.addLine(`${place(root, source)}: the compiler failed (status ${status}): ${output.trim().split("\n")[0]}`, chip);
		});
	}
	finally {
		rmSync(temp, { recursive: true, force: true });
	}
}

function readArguments(argv: string[]): { chips: Chip[]; jobCount: number; files: string[] } {
	const { values, positionals } = parseOptions(argv, { chips: { type: "string" }, jobs: { type: "string", short: "j" } });
	const chips = values.chips === undefined ? [...CHIPS] : values.chips.split(",") as Chip[];
	const unknown = chips.filter(chip => !CHIPS.includes(chip));
	if (unknown.length)
		throw new UsageError(`unknown chip ${unknown.join(", ")} (${CHIPS.join(", ")})`);
	// Two compiles at a time suit CI's two cores; each is a fraction of a second.
	const jobCount = values.jobs === undefined ? 2 : Number(values.jobs);
	if (!Number.isInteger(jobCount) || jobCount < 1)
		throw new UsageError(`--jobs takes a whole number from 1, not ${values.jobs}`);
	return { chips, jobCount, files: positionals.map(file => resolve(file)) };
}

/**
 * Each job as a Compile, objects in `temp`; each variant's generated headers
 * written once into a folder of its own.
 */
function prepare(root: string, jobs: Job[], toolchain: Toolchain, temp: string): Compile[] {
	const folders = new Map<Variant, { generated: string; flags: string[] }>();
	return jobs.map((job, i) => {
		if (!folders.has(job.variant))
			folders.set(job.variant, writeGenerated(root, job.variant, toolchain, join(temp, `settings-${folders.size}`)));
		const { generated, flags } = folders.get(job.variant)!;
		return { chip: job.chip, source: job.file, object: join(temp, `${i}.o`), moduleDirs: job.variant.moduleDirs, generated, flags };
	});
}

function writeGenerated(root: string, variant: Variant, toolchain: Toolchain, folder: string): { generated: string; flags: string[] } {
	mkdirSync(folder);
	const flags = subplatformFlags(root, variant, toolchain.idfPath);
	if (!toolchain.generatesHeaders)
		return { generated: folder, flags };
	writeFileSync(join(folder, "mc.defines.h"), definesHeader(variant.defines));
	writeFileSync(join(folder, "mc.xs.h"), xsIdsHeader(variant.files));
	if (variant.sdkconfig) {
		const header = join(folder, "proj-sdkconfig.h");
		writeFileSync(header, projectSdkconfigHeader(variant.sdkconfig, place(root, variant.sdkconfig), toolchain.knownOptions(CHIPS)));
		flags.push("-include", header);
	}
	return { generated: folder, flags };
}

/** C_FLAGS_SUBPLATFORM as words, $(IDF_PATH) replaced (words, no shell quoting, as make passes them). */
function subplatformFlags(root: string, variant: Variant, idfPath: string): string[] {
	if (!variant.cFlags)
		return [];
	const value = variant.cFlags.value.replaceAll("$(IDF_PATH)", idfPath);
	const unknown = /\$\([^)]*\)/.exec(value);
	if (unknown)
		throw new ManifestError(`${place(root, variant.cFlags.from)}: C_FLAGS_SUBPLATFORM uses ${unknown[0]}, which the device check cannot resolve`);
	return value.split(/\s+/).filter(Boolean);
}

/** Runs one compiler; its output in the C locale (plain quotes), stdout and stderr together. */
function runCompiler(argv: string[], cwd: string, env: Record<string, string | undefined>): Promise<{ status: number; output: string }> {
	return new Promise(done => {
		const child = spawn(argv[0], argv.slice(1), { cwd, env: { ...env, LC_ALL: "C" } });
		let output = "";
		child.stdout.on("data", chunk => { output += chunk; });
		child.stderr.on("data", chunk => { output += chunk; });
		child.on("error", error => done({ status: 127, output: `${argv[0]}: ${error.message}` }));
		child.on("close", code => done({ status: code ?? 1, output }));
	});
}

/** Runs the tasks, at most `count` at a time; results in the tasks' order. */
async function inParallel<T>(tasks: (() => Promise<T>)[], count: number): Promise<T[]> {
	const results: T[] = new Array(tasks.length);
	let next = 0;
	const worker = async () => {
		while (next < tasks.length) {
			const i = next++;
			results[i] = await tasks[i]();
		}
	};
	await Promise.all(Array.from({ length: Math.min(count, tasks.length) }, worker));
	return results;
}

function report(io: CheckIo, plan: Plan, jobs: Job[], chips: Chip[], toolchain: Toolchain, problems: ProblemList): number {
	for (const board of plan.boards)
		if (board.note && differs(board, plan.base))
			io.stderr(`check:device: note: ${board.note}\n`);
	const baseFiles = new Set(jobs.filter(job => job.variant === plan.base).map(job => job.file)).size;
	const boards = [...new Set(jobs.filter(job => job.variant !== plan.base).map(job => job.variant.platform))];
	const extra = jobs.length - baseFiles * chips.length;
	const what = `${plural(baseFiles, "file")} x ${plural(chips.length, "chip")}`;
	const more = extra > 0 ? ` (plus ${plural(extra, "compile")} with the settings of ${boards.join(", ")})` : "";
	if (problems.size) {
		problems.lines().forEach(line => io.stderr(`${line}\n`));
		io.stderr(`device C: ${plural(problems.size, "problem")} in ${what}${more} against ${toolchain.name}\n`);
		return 1;
	}
	io.stdout(`device C: ${what} compiled${more} against ${toolchain.name}, 0 warnings\n`);
	return 0;
}

function plural(count: number, noun: string): string {
	return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

// Run when executed (node dist/tools/device/check.js), not when imported by tests.
const self = fileURLToPath(import.meta.url);
if (process.argv[1] && resolve(process.argv[1]) === self) {
	const io: CheckIo = { stdout: text => process.stdout.write(text), stderr: text => process.stderr.write(text) };
	process.exitCode = await checkDevice(process.argv.slice(2), resolve(dirname(self), "..", "..", ".."), process.env, io);
}
