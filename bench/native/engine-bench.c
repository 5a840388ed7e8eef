/*
 * The native decode engine alone, for the bench: frames written into a ring
 * laid out as modules/can/ring.ts's FrameRing (ids, flags, dlcs, two payload
 * words and a timestamp per slot), drained by sde_pump every <batch> frames,
 * as NativeDecoder.pump drains the real ring. The bench runs it under
 * callgrind with --toggle-collect=sde_pump, so the count is the engine's
 * work alone: no XS, no receive, no start-up.
 *
 * Host only (bench/native-xs.ts builds it with the host `cc -O2`). Allocates
 * at load (plans, tables, stores); none per frame. After the passes it writes
 * each plan's store words, for the bench to check against the TypeScript decoder.
 *
 * Usage: engine-bench <passes> <batch> <words-out-prefix|-> <plan> <frames> [<plan> <frames>...]
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode-engine.h"

#define SLOTS 256

static uint8_t *readFile(const char *path, size_t *size) {
	FILE *file = fopen(path, "rb");
	if (!file) {
		perror(path);
		exit(2);
	}
	fseek(file, 0, SEEK_END);
	*size = (size_t)ftell(file);
	fseek(file, 0, SEEK_SET);
	uint8_t *bytes = aligned_alloc(8, (*size + 8) & ~(size_t)7);
	if (fread(bytes, 1, *size, file) != *size) {
		perror(path);
		exit(2);
	}
	fclose(file);
	return bytes;
}

typedef struct {
	SdeEngine engine;
	double counters[SDE_COUNTERS];
	uint32_t count;
	const uint8_t *frames; /* packed: bench/frames.ts */
} Group;

static uint32_t ids[SLOTS], words[SLOTS * 2];
static uint8_t flags[SLOTS], dlcs[SLOTS];
static double timestamps[SLOTS];

int main(int argc, char **argv) {
	if (argc < 6 || (argc - 4) % 2) {
		fprintf(stderr, "usage: engine-bench <passes> <batch> <words-out-prefix|-> <plan> <frames> [<plan> <frames>...]\n");
		return 2;
	}
	long passes = atol(argv[1]);
	uint32_t batch = (uint32_t)atol(argv[2]);
	if (batch < 1 || batch > SLOTS)
		batch = SLOTS;
	int groups = (argc - 4) / 2;
	Group *group = calloc((size_t)groups, sizeof(Group));
	for (int g = 0; g < groups; g++) {
		size_t planBytes, frameBytes;
		const uint8_t *plan = readFile(argv[4 + g * 2], &planBytes);
		group[g].frames = readFile(argv[5 + g * 2], &frameBytes);
		memcpy(&group[g].count, group[g].frames, 4);
		if (sde_check(plan, (uint32_t)planBytes)) {
			fprintf(stderr, "engine-bench: %s: plan refused\n", argv[4 + g * 2]);
			return 2;
		}
		uint32_t tableBytes = sde_table_bytes(plan);
		uint8_t *tables = aligned_alloc(8, (tableBytes + 7) & ~7u);
		sde_build(plan, (uint32_t)planBytes, tables, tableBytes);
		SdeEngine *e = &group[g].engine;
		e->plan = plan;
		e->tables = tables;
		uint32_t n = sde_signal_count(e) + 1;
		e->store.words = calloc(n * 2, sizeof(uint32_t));
		e->store.updatedAt = malloc(n * sizeof(double));
		for (uint32_t s = 0; s < n; s++)
			e->store.updatedAt[s] = NAN;
		e->store.updates = calloc(n, sizeof(uint32_t));
		e->store.present = calloc(n, 1);
		e->store.counters = group[g].counters;
	}
	SdeRing ring = { ids, flags, dlcs, words, timestamps, 0, 0, SLOTS - 1 };
	double time = 0;
	for (long p = 0; p < passes; p++) {
		for (int g = 0; g < groups; g++) {
			for (uint32_t k = 0; k < group[g].count; k++) {
				/* FrameRing.pushFields, drop-oldest never needed: batch <= SLOTS. */
				const uint8_t *f = group[g].frames + 4 + k * 16;
				uint32_t slot = (ring.head + ring.count++) & ring.mask;
				memcpy(&ids[slot], f, 4);
				flags[slot] = f[4];
				dlcs[slot] = f[5];
				words[slot * 2] = (uint32_t)f[8] | (uint32_t)f[9] << 8 | (uint32_t)f[10] << 16 | (uint32_t)f[11] << 24;
				words[slot * 2 + 1] = (uint32_t)f[12] | (uint32_t)f[13] << 8 | (uint32_t)f[14] << 16 | (uint32_t)f[15] << 24;
				timestamps[slot] = time++;
				if (ring.count == batch)
					sde_pump(&group[g].engine, &ring, SLOTS);
			}
			sde_pump(&group[g].engine, &ring, SLOTS);
		}
	}
	if (strcmp(argv[3], "-") != 0) {
		for (int g = 0; g < groups; g++) {
			char path[4096];
			snprintf(path, sizeof path, "%s%d.bin", argv[3], g);
			FILE *out = fopen(path, "wb");
			fwrite(group[g].engine.store.words, sizeof(uint32_t), 2 * sde_signal_count(&group[g].engine), out);
			fclose(out);
		}
	}
	double decoded = 0;
	for (int g = 0; g < groups; g++)
		decoded += group[g].counters[SDE_DECODED];
	printf("%.0f\n", decoded);
	return 0;
}
