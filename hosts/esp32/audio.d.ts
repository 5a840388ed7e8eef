/*
 * The SDK modules hosts/esp32/chime.ts uses, for type-checking it outside
 * mcconfig (`npm run typecheck`); mcconfig uses the SDK's own typings.
 * Type-checking only: this file is not in any manifest.
 */
/// <reference path="../../node_modules/@moddable/typings/modules.d.ts" />
/// <reference path="../../node_modules/@moddable/typings/pins/audioout.d.ts" />
