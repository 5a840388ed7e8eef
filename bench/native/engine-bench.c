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
#include "bench-groups.h"

#define SLOTS 256

static uint32_t ids[SLOTS], words[SLOTS * 2];
static uint8_t flags[SLOTS], dlcs[SLOTS];
static double timestamps[SLOTS];

int main(int argc, char **argv) {
	BenchInput input = readBenchInput("engine-bench", argc, argv, SLOTS);
	Group *group = input.groups;
	SdeRing ring = { ids, flags, dlcs, words, timestamps, 0, 0, SLOTS - 1 };
	double time = 0;
	for (long p = 0; p < input.passes; p++) {
		for (int g = 0; g < input.count; g++) {
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
				if (ring.count == input.batch)
					sde_pump(&group[g].engine, &ring, SLOTS);
			}
			sde_pump(&group[g].engine, &ring, SLOTS);
		}
		if (p == 0)
			writeBenchWords(&input);
	}
	printf("%.0f\n", benchDecoded(&input));
	return 0;
}
