/*
 * The SDK's "crypt" module (digest/crypt.js) for the project's own type
 * checks (tsconfig.json, test/tsconfig.json): @moddable/typings has no
 * crypt.d.ts. A Moddable build has the SDK's typings/crypt.d.ts instead, so
 * modules/pack/manifest.json does not list this file.
 */
declare module "crypt" {
	export class Digest {
		constructor(type: "SHA1" | "SHA224" | "SHA256" | "SHA384" | "SHA512");
		write(data: string | ArrayBufferLike | ArrayBufferView): void;
		close(): ArrayBuffer;
		reset(): void;
	}
}
