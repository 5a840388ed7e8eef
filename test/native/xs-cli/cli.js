/*
 * The command-line XS host's two functions (host.c): a line on standard
 * output, a file's bytes. Test builds only.
 */
export function print(text) @ "xs_cli_print";
export function read(path) @ "xs_cli_read";
