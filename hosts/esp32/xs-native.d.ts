/*
 * XS's bindings to C functions, as the SDK's xs/includes/xs.d.ts declares
 * them; the npm @moddable/typings copy lacks them. Type-checking only: this
 * file is not in any manifest.
 */
declare function Native(name: string): new (...args: any[]) => any;
declare function native(name: string): (...args: any[]) => any;
