/*
 * Test driver for the native decode engine (modules/signals/native/): runs
 * cases written by test/native-engine.test.ts through the C engine and writes
 * what the TypeScript Decoder must reproduce bit for bit.
 *
 * Host only (built with the host `cc` by the test, never linked into the
 * firmware). Allocates per case with malloc; it is a test tool.
 *
 * Usage: engine-driver <cases.bin> <transcript.bin>
 * Cases, back to back, every part padded to 8 bytes, little-endian:
 *   u32 mode, u32 planBytes, u32 payloadBytes, u32 max; plan blob; payload
 *   mode 0 (frames): payload = packed frames (bench/frames.ts); frame k is
 *     decoded one by one with sde_decode, stamped k + 0.5
 *   mode 1 (ring): payload = a FrameRing's storage: u32 capacity, head,
 *     count, pad; u32 ids[capacity]; f64 timestamps[capacity];
 *     u32 words[2 * capacity]; u8 flags[capacity]; u8 dlcs[capacity];
 *     drained by one sde_pump(max)
 *   mode 2 (records): payload = a ring as in mode 1, then `max` TWAI records
 *     (16 bytes each) queued by sde_ring_push_records stamped 1e12 + 0.25
 * Transcript, per case: f64 n, then n f64:
 *   mode 0: per frame the message index, then per signal of that message
 *     present, both raw words, updatedAt, updates; then the 4 counters
 *   mode 1: frames pumped, head, count; per signal of the plan present, both
 *     raw words, updatedAt, updates; then the 4 counters and the bus bits
 *   mode 2: frames dropped, head, count, then per slot id, flags, dlc,
 *     both payload words, timestamp (the plan is not used)
 *   a plan the engine refuses: n = 1, the sde_build error
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "decode-engine.h"
#include "driver-input.h"

static double *out;
static size_t outCount, outCapacity;

static void put(double value) {
	if (outCount == outCapacity) {
		outCapacity = outCapacity ? outCapacity * 2 : 1 << 16;
		out = realloc(out, outCapacity * sizeof(double));
	}
	out[outCount++] = value;
}

static uint32_t u32(const uint8_t *p) {
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

static void putSignal(const SdeStore *store, uint32_t s) {
	put(store->present[s]);
	put(store->words[2 * s]);
	put(store->words[2 * s + 1]);
	put(store->updatedAt[s]);
	put(store->updates[s]);
}

int main(int argc, char **argv) {
	if (argc != 3) {
		fprintf(stderr, "usage: engine-driver <cases.bin> <transcript.bin>\n");
		return 2;
	}
	readInput("engine-driver", argv[1]);

	while (at < inputBytes) {
		const uint8_t *head = take(16);
		uint32_t mode = u32(head), planBytes = u32(head + 4), payloadBytes = u32(head + 8), max = u32(head + 12);
		const uint8_t *plan = take(planBytes);
		const uint8_t *payload = take(payloadBytes);
		size_t countAt = outCount;
		put(0);
		int32_t error = sde_check(plan, planBytes);
		uint32_t tableBytes = error ? 0 : sde_table_bytes(plan);
		uint8_t *tables = aligned_alloc(8, (tableBytes + 8) & ~(size_t)7);
		if (!error)
			error = sde_build(plan, planBytes, tables, tableBytes);
		if (error) {
			put(error);
			out[countAt] = 1;
			free(tables);
			continue;
		}
		SdeEngine engine = { plan, tables, { 0 } };
		uint32_t n = sde_signal_count(&engine) + 1;
		double counters[SDE_COUNTERS] = { 0 };
		engine.store.words = calloc(2 * n, sizeof(uint32_t));
		engine.store.updatedAt = malloc(n * sizeof(double));
		for (uint32_t s = 0; s < n; s++)
			engine.store.updatedAt[s] = NAN;
		engine.store.updates = calloc(n, sizeof(uint32_t));
		engine.store.present = calloc(n, 1);
		engine.store.counters = counters;
		const uint32_t *h = (const uint32_t *)plan;
		const uint32_t *messages = (const uint32_t *)(plan + h[7]);

		if (mode == 0) {
			uint32_t count = u32(payload);
			for (uint32_t k = 0; k < count; k++) {
				const uint8_t *f = payload + 4 + k * 16;
				int32_t m = sde_decode(&engine, u32(f), f[4], f[5], f + 8, k + 0.5);
				put(m);
				if (m < 0)
					continue;
				uint32_t first = messages[m * 8 + 1], end = first + messages[m * 8 + 2];
				for (uint32_t s = first; s < end; s++)
					putSignal(&engine.store, s);
			}
		}
		else if (mode == 2) {
			uint32_t capacity = u32(payload);
			size_t ringBytes = 16 + ((capacity * 4 + 7) & ~7u) + capacity * 16 + ((capacity * 2 + 7) & ~7u);
			uint8_t *copy = aligned_alloc(8, (ringBytes + 7) & ~(size_t)7);
			memcpy(copy, payload, ringBytes);
			SdeRing ring;
			ring.head = u32(copy + 4);
			ring.count = u32(copy + 8);
			ring.mask = capacity - 1;
			ring.ids = (uint32_t *)(copy + 16);
			ring.timestamps = (double *)(copy + 16 + ((capacity * 4 + 7) & ~7u));
			ring.words = (uint32_t *)((uint8_t *)ring.timestamps + capacity * 8);
			ring.flags = (uint8_t *)ring.words + capacity * 8;
			ring.dlcs = ring.flags + capacity;
			put(sde_ring_push_records(&ring, payload + ringBytes, max, 1e12 + 0.25));
			put(ring.head);
			put(ring.count);
			for (uint32_t slot = 0; slot < capacity; slot++) {
				put(ring.ids[slot]);
				put(ring.flags[slot]);
				put(ring.dlcs[slot]);
				put(ring.words[slot * 2]);
				put(ring.words[slot * 2 + 1]);
				put(ring.timestamps[slot]);
			}
			free(copy);
			out[countAt] = (double)(outCount - countAt - 1);
			free(tables);
			continue;
		}
		else {
			uint32_t capacity = u32(payload);
			SdeRing ring;
			ring.head = u32(payload + 4);
			ring.count = u32(payload + 8);
			ring.mask = capacity - 1;
			ring.ids = (uint32_t *)(payload + 16);
			ring.timestamps = (double *)(payload + 16 + ((capacity * 4 + 7) & ~7u));
			ring.words = (uint32_t *)((const uint8_t *)ring.timestamps + capacity * 8);
			ring.flags = (uint8_t *)ring.words + capacity * 8;
			ring.dlcs = ring.flags + capacity;
			put(sde_pump(&engine, &ring, max));
			put(ring.head);
			put(ring.count);
			for (uint32_t s = 0; s + 1 < n; s++)
				putSignal(&engine.store, s);
		}
		for (int c = 0; c < SDE_BITS; c++)
			put(counters[c]);
		if (mode == 1)
			put(counters[SDE_BITS]);
		out[countAt] = (double)(outCount - countAt - 1);
		free(engine.store.words);
		free(engine.store.updatedAt);
		free(engine.store.updates);
		free(engine.store.present);
		free(tables);
	}
	FILE *file = fopen(argv[2], "wb");
	if (!file || fwrite(out, sizeof(double), outCount, file) != outCount) {
		perror(argv[2]);
		return 2;
	}
	fclose(file);
	return 0;
}
