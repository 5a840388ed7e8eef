/*
 * The Moddable SDK's ECDSA modules that modules/pack/pack-key.ts uses, as
 * $(MODDABLE)/modules/crypt defines them (etc/ecdsa.js, etc/curve.js,
 * arith/ecp.js), which have no typings in the SDK or @moddable/typings.
 * modules/pack/manifest.json hands this file to a Moddable build's tsc
 * ("types"); the project's own type checks include it as a module file.
 */
declare module "ecp" {
	export default class ECPoint {
		constructor(x: bigint, y: bigint);
	}
}

declare module "curve" {
	export default class Curve {
		constructor(name: "secp256r1" | "secp384r1");
		readonly n: bigint;
		readonly orderSize: number;
	}
}

declare module "ecdsa" {
	import type Curve from "curve";
	import type ECPoint from "ecp";
	export default class ECDSA {
		/** `key` is the public point when verifying. */
		constructor(key: ECPoint, curve: Curve, priv: boolean);
		/** `signature` as r||s (orderSize bytes each) unless `asn1`. */
		verify(hash: ArrayBuffer, signature: ArrayBuffer, asn1?: boolean): boolean;
	}
}
