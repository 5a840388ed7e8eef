/*
 * XS's compile-time binding to C functions, as the SDK's xs/includes/xs.d.ts
 * declares it (the npm @moddable/typings copy lacks it). Type-checking only:
 * mcconfig's own tsconfig takes the SDK's declaration; no manifest lists this.
 */
declare function native(name: string): (...args: any[]) => any;
