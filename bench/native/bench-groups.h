/*
 * What the C benches (engine-bench.c on the host, rv32-bench.c on an RV32
 * core) share: their command line, `<passes> <batch> <words-out-prefix|->
 * <plan> <frames> [<plan> <frames>...]`, each plan loaded with its engine,
 * store and packed frames (bench/frames.ts), and the store words written
 * after one pass for the bench to check against the TypeScript decoder.
 * Bench code only: each bench includes it once. Allocates at load; exits 2
 * with the reason on a file it cannot read or a plan the engine refuses.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode-engine.h"

typedef struct {
	SdeEngine engine;
	double counters[SDE_COUNTERS];
	uint32_t count;
	const uint8_t *frames; /* packed: bench/frames.ts */
} Group;

typedef struct {
	long passes;
	uint32_t batch;
	const char *wordsOut; /* "-": none */
	int count;
	Group *groups;
} BenchInput;

static uint8_t *readFile(const char *name, const char *path, size_t *size) {
	FILE *file = fopen(path, "rb");
	if (!file) {
		fprintf(stderr, "%s: cannot read %s\n", name, path);
		exit(2);
	}
	fseek(file, 0, SEEK_END);
	*size = (size_t)ftell(file);
	fseek(file, 0, SEEK_SET);
	uint8_t *bytes = aligned_alloc(8, (*size + 8) & ~(size_t)7);
	if (fread(bytes, 1, *size, file) != *size) {
		fprintf(stderr, "%s: cannot read %s\n", name, path);
		exit(2);
	}
	fclose(file);
	return bytes;
}

/* Reads the command line; `batch` outside 1..maxBatch becomes maxBatch. */
static BenchInput readBenchInput(const char *name, int argc, char **argv, uint32_t maxBatch) {
	BenchInput input;
	if (argc < 6 || (argc - 4) % 2) {
		fprintf(stderr, "usage: %s <passes> <batch> <words-out-prefix|-> <plan> <frames> [<plan> <frames>...]\n", name);
		exit(2);
	}
	input.passes = atol(argv[1]);
	input.batch = (uint32_t)atol(argv[2]);
	if (input.batch < 1 || input.batch > maxBatch)
		input.batch = maxBatch;
	input.wordsOut = argv[3];
	input.count = (argc - 4) / 2;
	input.groups = calloc((size_t)input.count, sizeof(Group));
	for (int g = 0; g < input.count; g++) {
		size_t planBytes, frameBytes;
		const uint8_t *plan = readFile(name, argv[4 + g * 2], &planBytes);
		Group *group = &input.groups[g];
		group->frames = readFile(name, argv[5 + g * 2], &frameBytes);
		memcpy(&group->count, group->frames, 4);
		uint32_t tableBytes = sde_check(plan, (uint32_t)planBytes) ? 0 : sde_table_bytes(plan);
		uint8_t *tables = aligned_alloc(8, (tableBytes + 7) & ~7u);
		if (!tableBytes || sde_build(plan, (uint32_t)planBytes, tables, tableBytes)) {
			fprintf(stderr, "%s: %s: plan refused\n", name, argv[4 + g * 2]);
			exit(2);
		}
		SdeEngine *e = &group->engine;
		e->plan = plan;
		e->tables = tables;
		uint32_t n = sde_signal_count(e) + 1;
		e->store.words = calloc(n * 2, sizeof(uint32_t));
		e->store.updatedAt = malloc(n * sizeof(double));
		for (uint32_t s = 0; s < n; s++)
			e->store.updatedAt[s] = NAN;
		e->store.updates = calloc(n, sizeof(uint32_t));
		e->store.present = calloc(n, 1);
		e->store.counters = group->counters;
	}
	return input;
}

/* Writes each group's store words to <wordsOut><group>.bin, unless wordsOut is "-". */
static void writeBenchWords(const BenchInput *input) {
	if (strcmp(input->wordsOut, "-") == 0)
		return;
	for (int g = 0; g < input->count; g++) {
		char path[4096];
		snprintf(path, sizeof path, "%s%d.bin", input->wordsOut, g);
		FILE *out = fopen(path, "wb");
		fwrite(input->groups[g].engine.store.words, sizeof(uint32_t), 2 * sde_signal_count(&input->groups[g].engine), out);
		fclose(out);
	}
}

/* Frames decoded over every group. */
static double benchDecoded(const BenchInput *input) {
	double decoded = 0;
	for (int g = 0; g < input->count; g++)
		decoded += input->groups[g].counters[SDE_DECODED];
	return decoded;
}
