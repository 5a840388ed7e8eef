/*
 * What the host-compiled test drivers (engine-driver.c, record-driver.c,
 * slcan-driver.c) share: reading the cases file the TypeScript side wrote
 * into one 8-aligned buffer, taking its 8-aligned records in order, and the
 * start of a run with an output file. Test code only: each driver includes
 * it once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint8_t *input;
static size_t inputBytes, at;
static const char *driverName;

/* Reads all of `path` into `input` (8-aligned), or exits 2 with the reason. */
static void readInput(const char *name, const char *path) {
	driverName = name;
	FILE *file = fopen(path, "rb");
	if (!file) {
		perror(path);
		exit(2);
	}
	fseek(file, 0, SEEK_END);
	inputBytes = (size_t)ftell(file);
	fseek(file, 0, SEEK_SET);
	input = aligned_alloc(8, (inputBytes + 7) & ~(size_t)7);
	if (fread(input, 1, inputBytes, file) != inputBytes) {
		perror(path);
		exit(2);
	}
	fclose(file);
}

/* The next `bytes` of the input; records are padded to 8 bytes. Exits 2 past the end. */
static uint8_t *take(size_t bytes) {
	if (at + bytes > inputBytes) {
		fprintf(stderr, "%s: truncated input\n", driverName);
		exit(2);
	}
	uint8_t *p = input + at;
	at += (bytes + 7) & ~(size_t)7;
	return p;
}

/*
 * The start of `name <cases.bin> <out.bin>`: reads the cases into `input` and
 * opens the output for writing. Exits 2 with the reason on a wrong argument
 * count or a file it cannot read or create.
 */
static inline FILE *startDriver(const char *name, int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: %s <cases.bin> <out.bin>\n", name);
		exit(2);
	}
	readInput(name, argv[1]);
	FILE *out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		exit(2);
	}
	return out;
}
