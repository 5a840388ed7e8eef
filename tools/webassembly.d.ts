/*
 * The part of WebAssembly's JavaScript API the command line uses
 * (tools/byte-output.ts): Node has all of it, but TypeScript declares it only
 * with the DOM's types, which the tools do not take.
 */
declare namespace WebAssembly {
	class Module {
		constructor(bytes: Uint8Array);
	}
	class Instance {
		constructor(module: Module, imports: Record<string, Record<string, unknown>>);
		readonly exports: Record<string, unknown>;
	}
	class Memory {
		constructor(descriptor: { initial: number; maximum?: number });
		readonly buffer: ArrayBuffer;
		/** Adds `pages` of 64 KB; the old `buffer` is detached. Returns the previous size in pages. */
		grow(pages: number): number;
	}
}
