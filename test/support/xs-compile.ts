/*
 * Compiles one XS-side test module (and what it imports) into ES modules in
 * a scratch folder, with the settings the device uses (ES2022 modules, no
 * Node types), for the xsnap worker to load. Node (vitest) only.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { projectRoot } from "./xs-engine.js";

/** Returns the compiled module's path; `dispose()` removes the folder. @throws Error with tsc's output. */
export function compileForXs(source: string): { module: string; dispose: () => void } {
	const dir = mkdtempSync(join(tmpdir(), "xs-cluster-xs-io-"));
	const config = join(dir, "tsconfig.json");
	writeFileSync(config, JSON.stringify({
		compilerOptions: {
			target: "es2022", module: "es2022", moduleResolution: "bundler", lib: ["es2022"], types: [],
			strict: true, skipLibCheck: true, noImplicitOverride: true, rootDir: projectRoot, outDir: dir,
		},
		// XS's `native()` declaration: modules that bind the C engine fall back when it is absent, but must compile.
		files: [source, join(projectRoot, "modules", "signals", "native", "xs-native.d.ts")],
	}));
	const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
	try {
		execFileSync(process.execPath, [tsc, "-p", config], { stdio: "pipe" });
	}
	catch (error) {
		rmSync(dir, { recursive: true, force: true });
		const e = error as { stdout?: Buffer; stderr?: Buffer };
		throw new Error(`tsc could not compile ${source} for XS:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`);
	}
	return {
		module: join(dir, relative(projectRoot, source)).replace(/\.ts$/, ".js"),
		dispose: () => rmSync(dir, { recursive: true, force: true }),
	};
}

/**
 * Compiles `files` (project-relative, with what they import) into a scratch
 * folder with the device's settings and writes `driver` there as driver.js, a
 * module that imports them as `./modules/...` and `./test/...`. Returns the
 * driver's path; `dispose()` removes the folder. @throws Error with tsc's output.
 */
export function compileXsDriver(files: string[], driver: string): { driver: string; dispose: () => void } {
	const dir = mkdtempSync(join(tmpdir(), "xs-cluster-xs-"));
	const tsc = join(projectRoot, "node_modules", "typescript", "bin", "tsc");
	try {
		execFileSync(process.execPath, [tsc, "--ignoreConfig", "--outDir", dir, "--rootDir", projectRoot, "--target", "es2022", "--module", "es2022",
			"--moduleResolution", "bundler", "--lib", "es2022", "--types", "", "--strict", "--skipLibCheck", ...files.map(f => join(projectRoot, f))], { stdio: "pipe" });
	}
	catch (error) {
		rmSync(dir, { recursive: true, force: true });
		const e = error as { stdout?: Buffer; stderr?: Buffer };
		throw new Error(`tsc could not compile ${files.join(", ")} for XS:\n${e.stdout?.toString() ?? ""}${e.stderr?.toString() ?? ""}`);
	}
	writeFileSync(join(dir, "driver.js"), driver);
	return { driver: join(dir, "driver.js"), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}
