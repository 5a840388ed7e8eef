/*
 * Links the native decode engine's XS binding into a bench-only xsnap worker:
 * installs `globalThis.sdeEngine` with the host functions of
 * modules/signals/native/decode-engine-xs.c (which NativeDecoder picks up in
 * place of xsc's `native()` binding) and `nop`, a host function that returns
 * at once, to price a bare XS→C call.
 *
 * Runs in the xsnap worker that bench/native-xs.ts builds (never in the
 * firmware); called once from the worker's xsBuildAgent. Allocates the host
 * function objects once.
 */
#include "xs.h"

extern void xs_sde_table_bytes(xsMachine *the);
extern void xs_sde_build(xsMachine *the);
extern void xs_sde_decode(xsMachine *the);
extern void xs_sde_decode_message(xsMachine *the);
extern void xs_sde_pump(xsMachine *the);
extern void xs_sde_ring_push(xsMachine *the);
extern void xs_sde_record(xsMachine *the);
extern void xs_sls_feed(xsMachine *the);

static void xs_sde_nop(xsMachine *the) {
	(void)the;
}

void sdeInstall(xsMachine *the) {
	xsBeginHost(the);
	xsVars(2);
	xsVar(0) = xsNewObject();
	xsVar(1) = xsNewHostFunction(xs_sde_table_bytes, 1);
	xsDefine(xsVar(0), xsID("tableBytes"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sde_build, 2);
	xsDefine(xsVar(0), xsID("build"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sde_decode, 13);
	xsDefine(xsVar(0), xsID("decode"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sde_decode_message, 12);
	xsDefine(xsVar(0), xsID("decodeMessage"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sde_pump, 17);
	xsDefine(xsVar(0), xsID("pump"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sde_ring_push, 10);
	xsDefine(xsVar(0), xsID("push"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sde_record, 13);
	xsDefine(xsVar(0), xsID("record"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sls_feed, 12);
	xsDefine(xsVar(0), xsID("slcanFeed"), xsVar(1), xsDontEnum);
	xsVar(1) = xsNewHostFunction(xs_sde_nop, 0);
	xsDefine(xsVar(0), xsID("nop"), xsVar(1), xsDontEnum);
	xsDefine(xsGlobal, xsID("sdeEngine"), xsVar(0), xsDontEnum);
	xsEndHost(the);
}
