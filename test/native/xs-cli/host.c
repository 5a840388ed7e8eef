/*
 * A command-line XS host for tests: runs an app built by mcconfig for
 * `-p x-cli-lin` (the SDK's XS, its preloaded modules, and native modules
 * such as the crypt modules' BigInt arithmetic) with no simulator, no
 * display and no debugger, so a test can run the SDK's own modules on the
 * engine the device runs. The module "main" is imported once; `argv` (the
 * command's arguments after the program) is a global, and the "cli" module
 * (cli.js) gives `print(text)` (a line on standard output) and `read(path)`
 * (a file as an ArrayBuffer). An uncaught exception prints `### message` on
 * standard error and the exit status is 1.
 *
 * Built by test/pack-on-xs.test.ts; host only (Linux, the SDK's lin XS
 * platform). Allocates what the app does.
 */
#include "xsAll.h"
#include "mc.xs.h"
#include <stdio.h>

void fxAbort(xsMachine* the, int status)
{
	fprintf(stderr, "### XS abort %d\n", status);
	exit(status ? status : 1);
}

void xs_cli_print(xsMachine *the)
{
	fputs(xsToString(xsArg(0)), stdout);
	fputc('\n', stdout);
	fflush(stdout);
}

void xs_cli_read(xsMachine *the)
{
	FILE *file = fopen(xsToString(xsArg(0)), "rb");
	long size;
	if (!file)
		xsUnknownError("cannot open file");
	fseek(file, 0, SEEK_END);
	size = ftell(file);
	fseek(file, 0, SEEK_SET);
	xsResult = xsArrayBuffer(NULL, (xsIntegerValue)size);
	if (fread(xsToArrayBuffer(xsResult), 1, size, file) != (size_t)size) {
		fclose(file);
		xsUnknownError("cannot read file");
	}
	fclose(file);
}

/* As the SDK's own command-line hosts (examples/js/repl/mac/repl.c) prepare a machine from the linked archive. */
int main(int argc, char* argv[])
{
	static txMachine root;
	int error = 0;
	txMachine* machine = &root;
	txPreparation* preparation = xsPreparation();
	c_memset(machine, 0, sizeof(txMachine));
	machine->preparation = preparation;
	machine->keyArray = preparation->keys;
	machine->keyCount = (txID)preparation->keyCount + (txID)preparation->creation.initialKeyCount;
	machine->keyIndex = (txID)preparation->keyCount;
	machine->nameModulo = preparation->nameModulo;
	machine->nameTable = preparation->names;
	machine->symbolModulo = preparation->symbolModulo;
	machine->symbolTable = preparation->symbols;
	machine->stack = &preparation->stack[0];
	machine->stackBottom = &preparation->stack[0];
	machine->stackTop = &preparation->stack[preparation->stackCount];
	machine->firstHeap = &preparation->heap[0];
	machine->freeHeap = &preparation->heap[preparation->heapCount - 1];
	machine->aliasCount = (txID)preparation->aliasCount;
	machine = fxCloneMachine(&preparation->creation, machine, "xs-cli", NULL);
	xsBeginHost(machine);
	{
		xsVars(1);
		xsTry {
			int i;
			xsVar(0) = xsNewArray(0);
			for (i = 1; i < argc; i++)
				xsSetAt(xsVar(0), xsInteger(i - 1), xsString(argv[i]));
			xsSet(xsGlobal, xsID("argv"), xsVar(0));
			xsResult = xsAwaitImport("main", XS_IMPORT_NAMESPACE);
		}
		xsCatch {
			fprintf(stderr, "### %s\n", xsToString(xsException));
			error = 1;
		}
	}
	xsEndHost(the);
	xsDeleteMachine(machine);
	return error;
}
