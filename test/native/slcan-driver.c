/*
 * Test driver for the native SLCAN parser
 * (modules/signals/native/slcan-engine.c): runs cases written by
 * test/native-slcan.test.ts (format in bench/xs/native-slcan.ts) through
 * sls_feed and sls_finish into a FrameRing-shaped ring and writes their
 * transcripts, which SlcanParser (the reference) must reproduce.
 *
 * Host only (built with the host `cc` by the test). Allocates per case.
 *
 * Usage: slcan-driver <cases.bin> <out.bin>
 * Out, per case: f64 n, then n doubles of transcript.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "slcan-engine.h"
#include "driver-input.h"

static double *out;
static size_t outLength, outCapacity;

static void emit(double value) {
	if (outLength == outCapacity) {
		outCapacity = outCapacity ? outCapacity * 2 : 4096;
		out = realloc(out, outCapacity * sizeof(double));
		if (!out) {
			perror("slcan-driver");
			exit(2);
		}
	}
	out[outLength++] = value;
}

/* Pops every queued frame into the transcript: the count, then id, flags, dlc, lo, hi, timestamp each. */
static void drain(SdeRing *ring) {
	emit(ring->count);
	while (ring->count) {
		uint32_t slot = ring->head;
		emit(ring->ids[slot]);
		emit(ring->flags[slot]);
		emit(ring->dlcs[slot]);
		emit(ring->words[slot << 1]);
		emit(ring->words[(slot << 1) + 1]);
		emit(ring->timestamps[slot]);
		ring->head = (slot + 1) & ring->mask;
		ring->count--;
	}
}

int main(int argc, char **argv) {
	FILE *file = startDriver("slcan-driver", argc, argv);
	while (at < inputBytes) {
		uint32_t head[8];
		memcpy(head, take(32), 32);
		uint32_t lineCapacity = head[0], capacity = head[1], hasClock = head[2], chunks = head[3], bytes = head[4];
		const double *nows = (const double *)take((size_t)chunks * 8);
		const uint32_t *lengths = (const uint32_t *)take((size_t)chunks * 4);
		const uint8_t *drains = take(chunks);
		const uint8_t *stream = take(bytes);

		double *state = calloc(SLS_STATE + (lineCapacity + 7) / 8, sizeof(double));
		SlsParser parser = { state, (uint8_t *)(state + SLS_STATE), lineCapacity };
		state[SLS_HAS_CLOCK] = hasClock ? 1 : 0;
		SdeRing ring;
		ring.ids = calloc(capacity, 4);
		ring.flags = calloc(capacity, 1);
		ring.dlcs = calloc(capacity, 1);
		ring.words = calloc(capacity, 8);
		ring.timestamps = calloc(capacity, 8);
		ring.head = ring.count = 0;
		ring.mask = capacity - 1;
		double pushed = 0, dropped = 0;
		size_t start = outLength;
		emit(0); /* the length, filled in below */

		uint32_t offset = 0;
		for (uint32_t c = 0; c < chunks; c++) {
			/* Each chunk in its own allocation: the parser must not read past it. */
			uint8_t *chunk = malloc(lengths[c] ? lengths[c] : 1);
			memcpy(chunk, stream + offset, lengths[c]);
			uint32_t frames = sls_feed(&parser, &ring, chunk, lengths[c], hasClock ? nows[c] : 0);
			free(chunk);
			offset += lengths[c];
			pushed += frames;
			dropped += state[SLS_DROPPED];
			emit(frames);
			emit(state[SLS_DROPPED]);
			if (drains[c])
				drain(&ring);
		}
		double now = chunks && hasClock ? nows[chunks - 1] : 0;
		uint32_t frames = sls_finish(&parser, &ring, now);
		pushed += frames;
		dropped += state[SLS_DROPPED];
		emit(frames);
		emit(state[SLS_DROPPED]);
		drain(&ring);
		for (int k = SLS_FRAMES; k <= SLS_ADAPTER_ERRORS; k++)
			emit(state[k]);
		emit(pushed);
		emit(dropped);
		out[start] = (double)(outLength - start - 1);
		free(state);
		free(ring.ids);
		free(ring.flags);
		free(ring.dlcs);
		free(ring.words);
		free(ring.timestamps);
	}
	if (fwrite(out, sizeof(double), outLength, file) != outLength) {
		perror(argv[2]);
		return 2;
	}
	fclose(file);
	return 0;
}
