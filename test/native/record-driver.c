/*
 * Test driver for the candump recording engine
 * (modules/signals/native/record-engine.c): runs cases written by
 * test/native-record.test.ts through sre_record_ring and writes the
 * recorder's storage afterwards, which the TypeScript CandumpRecorder (the
 * reference) must reproduce byte for byte.
 *
 * Host only (built with the host `cc` by the test). Allocates per case.
 *
 * Usage: record-driver <cases.bin> <out.bin>
 * Case, little-endian, every part padded to 8 bytes:
 *   u32 capacity, head, count, max, nameLength, 3 pad; f64 cursor[SRE_CURSOR];
 *   name[16]; u32 ids[capacity]; u8 flags[capacity]; u8 dlcs[capacity];
 *   u32 words[2 * capacity]; f64 timestamps[capacity];
 *   chunks (chunks * chunkSize bytes); u32 lengths[chunks]; u8 endsFile[chunks]
 * Out, per case: u32 looked at, 4 pad, then the cursor, lengths, endsFile and
 * chunks as they were read, after the call.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "record-engine.h"
#include "driver-input.h"


static void put(FILE *file, const void *data, size_t bytes) {
	static const uint8_t zeros[8] = { 0 };
	if (fwrite(data, 1, bytes, file) != bytes || fwrite(zeros, 1, ((bytes + 7) & ~(size_t)7) - bytes, file) != ((bytes + 7) & ~(size_t)7) - bytes) {
		perror("record-driver");
		exit(2);
	}
}

int main(int argc, char **argv) {
	FILE *out = startDriver("record-driver", argc, argv);
	while (at < inputBytes) {
		uint32_t head[8];
		memcpy(head, take(32), 32);
		uint32_t capacity = head[0], max = head[3];
		SdeRing ring;
		ring.head = head[1];
		ring.count = head[2];
		ring.mask = capacity - 1;
		SreRecorder recorder;
		recorder.nameLength = head[4];
		recorder.cursor = (double *)take(SRE_CURSOR * 8);
		recorder.name = take(16);
		ring.ids = (uint32_t *)take(capacity * 4);
		ring.flags = take(capacity);
		ring.dlcs = take(capacity);
		ring.words = (uint32_t *)take(capacity * 8);
		ring.timestamps = (double *)take(capacity * 8);
		uint32_t chunks = (uint32_t)recorder.cursor[SRE_CHUNKS], chunkSize = (uint32_t)recorder.cursor[SRE_CHUNK_SIZE];
		uint8_t *bytes = take((size_t)chunks * chunkSize);
		for (uint32_t c = 0; c < chunks; c++)
			recorder.chunks[c] = bytes + (size_t)c * chunkSize;
		recorder.lengths = (uint32_t *)take(chunks * 4);
		recorder.endsFile = take(chunks);
		uint32_t looked[2] = { sre_record_ring(&recorder, &ring, max), 0 };
		put(out, looked, 8);
		put(out, recorder.cursor, SRE_CURSOR * 8);
		put(out, recorder.lengths, chunks * 4);
		put(out, recorder.endsFile, chunks);
		put(out, bytes, (size_t)chunks * chunkSize);
	}
	fclose(out);
	return 0;
}
