/*
 * The project's Moddable manifests, read the way mcconfig reads them (the
 * SDK's tools/mcmanifest.js), for what the device compile check needs: which
 * C files a build for one esp32 platform compiles, the folders of its module
 * headers (mcconfig's DIRECTORIES), its "build" variables and its "defines".
 * Node only (host tool).
 *
 * The Moddable SDK's own manifests ($(MODDABLE)/..., $(MODULES)/... and any
 * other path that starts with a variable the project does not define) are
 * skipped: their C is the SDK's, built and tested by Moddable, and the
 * compile kit's include list already carries the SDK folders the project's
 * C reads (xs/modules/io/common for builtinCommon.h).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

/** A manifest that cannot be read, or names a folder that is not there; the message starts with its place. */
export class ManifestError extends Error {
	constructor(message: string) {
		super(message);
		this.name = "ManifestError";
	}
}

/** A "build" variable and the manifest that set it last. */
export interface BuildValue {
	value: string;
	from: string;
}

/** What one platform's build takes from the project's manifests. */
export interface ManifestBuild {
	/** Absolute paths of the C files the "modules" bring in. */
	cFiles: string[];
	/** Folders holding module .h files: mcconfig puts each on the include path. */
	moduleDirs: string[];
	/** "build" variables, the last one set winning as in mcconfig's environment. */
	build: Map<string, BuildValue>;
	/** "defines", merged as mcconfig merges them (the source of mc.defines.h). */
	defines: Record<string, unknown>;
	/** The "error" of each selected platforms section ("place: text"). */
	errors: string[];
	/** Every key of every "platforms" section read, selected or not. */
	platformKeys: Set<string>;
}

type Json = Record<string, unknown>;
type ModuleSource = string | { source: string };

interface Parsed {
	path: string;
	json: Json;
	section: Json | undefined;
}

/** One reading of the manifests: what is read so far, in mcconfig's order. */
interface Walk {
	root: string;
	fullplatform: string;
	result: ManifestBuild;
	parsed: Parsed[];
	seen: Set<string>;
}

/**
 * Reads the manifest at `path` and everything it includes for `fullplatform`
 * ("esp32" or "esp32/<board>"). `first` is a board's own manifest, read
 * before the project's as the SDK's device manifest includes it
 * ($(SUBPLATFORMMANIFEST)) ahead of the app's manifests. Runs on Node; allocates.
 */
export function readManifests(root: string, path: string, fullplatform: string, first?: string): ManifestBuild {
	const result: ManifestBuild = { cFiles: [], moduleDirs: [], build: new Map(), defines: {}, errors: [], platformKeys: new Set() };
	const walk: Walk = { root, fullplatform, result, parsed: [], seen: new Set() };
	if (first)
		parse(walk, first);
	parse(walk, path);
	const { parsed } = walk;
	// mcconfig merges "modules" and "defines" after reading everything, includes before includers.
	const excluded = new Set<string>();
	for (const { path, json, section } of parsed)
		for (const manifest of [json, section])
			for (const source of sources(((manifest?.modules ?? {}) as Json)["~"]))
				moduleFiles(root, path, source).forEach(file => excluded.add(file));
	for (const { path, json, section } of parsed)
		for (const manifest of [json, section]) {
			if (!manifest)
				continue;
			mergeDefines(result.defines, manifest.defines);
			addModules(root, path, manifest.modules, excluded, result);
			if (typeof manifest.error === "string")
				result.errors.push(`${place(root, path)}: ${manifest.error}`);
		}
	return result;
}

/** Moddable's matchPlatform: the most specific key for `name`, then "...". */
export function matchPlatform(platforms: Json, name: string): Json | undefined {
	const parts = name.split("/");
	for (; parts.length; parts.length -= 1) {
		const partial = parts.join("/");
		for (const key of Object.keys(platforms)) {
			const hit = key.endsWith("/*") ? partial.startsWith(key.slice(0, -1))
				: key.startsWith("*/") ? partial.endsWith(key.slice(1))
				: partial === key;
			if (hit)
				return platforms[key] as Json;
		}
	}
	return platforms["..."] as Json | undefined;
}

/** The JSON object in a manifest file. */
export function readManifest(root: string, path: string): Json {
	let text: string;
	try {
		text = readFileSync(path, "utf8");
	}
	catch {
		throw new ManifestError(`${place(root, path)}: cannot read the manifest`);
	}
	try {
		return JSON.parse(text) as Json;
	}
	catch (error) {
		// Node 20 says where by offset: give the line and column, as the other problems do.
		const message = (error as Error).message;
		const offset = Number(/at position (\d+)/.exec(message)?.[1] ?? 0);
		const before = text.slice(0, offset).split("\n");
		throw new ManifestError(`${place(root, path)}:${before.length}:${before.at(-1)!.length + 1}: invalid JSON: ${message}`);
	}
}

/** A path as the check prints it: relative inside the repository, absolute outside. */
export function place(root: string, path: string): string {
	const rel = relative(root, path);
	return rel.startsWith("..") ? path : rel;
}

function parse(walk: Walk, path: string): void {
	const { root, result } = walk;
	if (walk.seen.has(path))
		return;
	walk.seen.add(path);
	const json = readManifest(root, path);
	const platforms = (json.platforms ?? {}) as Json;
	for (const key of Object.keys(platforms))
		result.platformKeys.add(key);
	const section = matchPlatform(platforms, walk.fullplatform);
	// "build" is read as each manifest is met, before its includes (mcmanifest.js parseBuild).
	setBuild(path, json.build, result.build);
	setBuild(path, section?.build, result.build);
	for (const include of [...list(json.include), ...list(section?.include)]) {
		if (typeof include !== "string")
			throw new ManifestError(`${place(root, path)}: "include" takes paths (strings)`);
		const file = projectPath(include, dirname(path), result.build);
		if (file)
			parse(walk, file);
	}
	walk.parsed.push({ path, json, section });
}

function setBuild(path: string, build: unknown, into: Map<string, BuildValue>): void {
	for (const [name, value] of Object.entries((build ?? {}) as Json))
		if (typeof value === "string")
			into.set(name, { value: value.startsWith("./") ? join(dirname(path), value) : value, from: path });
}

/**
 * A manifest path in the project, absolute, or null for the SDK's: one that
 * starts with a variable the project's "build" does not set to a folder of its own.
 */
function projectPath(path: string, dir: string, build: Map<string, BuildValue>): string | null {
	const expanded = path.replace(/\$\(([^)]+)\)/g, (whole, name: string) => build.get(name)?.value ?? whole);
	return expanded.startsWith("$(") ? null : resolve(dir, expanded);
}

function list<T>(value: T | T[] | undefined): T[] {
	return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function sources(value: unknown): string[] {
	return list(value as ModuleSource | ModuleSource[]).map(source => typeof source === "string" ? source : source.source);
}

/** The files a module source names, as mcmanifest.js's Rule.iterate finds them. */
function moduleFiles(root: string, manifest: string, source: string): string[] {
	const path = projectPath(source, dirname(manifest), new Map());
	if (!path)
		return [];
	const folder = dirname(path), name = path.slice(folder.length + 1);
	if (!existsSync(folder))
		throw new ManifestError(`${place(root, manifest)}: module folder not found: ${source}`);
	const star = name.lastIndexOf("*");
	return readdirSync(folder).filter(file => {
		if (file.startsWith("."))
			return false;
		const dot = file.lastIndexOf(".");
		const stem = dot > 0 ? file.slice(0, dot) : file;
		return star >= 0 ? stem.startsWith(name.slice(0, star)) : stem === name || file === name;
	}).map(file => join(folder, file)).filter(file => statSync(file).isFile());
}

function addModules(root: string, manifest: string, modules: unknown, excluded: Set<string>, result: ManifestBuild): void {
	for (const [target, value] of Object.entries((modules ?? {}) as Json)) {
		if (target === "~")
			continue;
		for (const file of sources(value).flatMap(source => moduleFiles(root, manifest, source))) {
			if (excluded.has(file))
				continue;
			// C only: the project has no C++ (mcconfig would build .cc/.cpp with other flags).
			if (file.endsWith(".c") && !result.cFiles.includes(file))
				result.cFiles.push(file);
			else if (file.endsWith(".h") && !result.moduleDirs.includes(dirname(file)))
				result.moduleDirs.push(dirname(file));
		}
	}
}

/** mcmanifest.js mergeProperties: objects merge, anything else replaces. */
function mergeDefines(into: Json, from: unknown): void {
	for (const [name, value] of Object.entries((from ?? {}) as Json)) {
		const target = into[name];
		if (target && value && typeof target === "object" && typeof value === "object" && !Array.isArray(value))
			mergeDefines(target as Json, value);
		else
			into[name] = value && typeof value === "object" && !Array.isArray(value) ? structuredClone(value) : value;
	}
}
