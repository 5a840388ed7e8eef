/*
 * Test driver for the TWAI receive ring (hosts/esp32/twai/twai-rx-ring.h):
 * runs scripts written by test/twai-rx-ring.test.ts through the header's
 * push and read and writes what they produced, which the TypeScript model of
 * the ring (RxRingModel in test/fixtures/mock-twai.ts) must reproduce byte for
 * byte. Guard bytes around the slots and the read buffer catch a write out of
 * bounds; reads go to an odd address every other time.
 *
 * Host only (built with the host `cc` by the test). Allocates per case.
 *
 * Usage: twai-rx-ring-driver <cases.bin> <out.bin>
 * In, 8-aligned: per case u32 capacity, u32 operations, u64 zero; then per
 * operation 24 bytes: u32 kind (1 push, 2 read, 3 counters), u32 id (push) or
 * most records (read), u8 flags, u8 dlc, 6 zero bytes, 8 data bytes.
 * Out, per case: i32 init result; per read u32 n then n records; per counters
 * u32 count, pushed, dropped, head.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "twai-rx-ring.h"
#include "driver-input.h"

#define GUARD (32)
#define GUARD_BYTE (0xA5)

static FILE *out;

static void put32(uint32_t value) {
	uint8_t bytes[4] = { (uint8_t)value, (uint8_t)(value >> 8), (uint8_t)(value >> 16), (uint8_t)(value >> 24) };
	fwrite(bytes, 1, 4, out);
}

static uint32_t get32(const uint8_t *p) {
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

/* Exits 3 when a guard byte changed: the ring wrote outside its storage. */
static void checkGuards(const uint8_t *block, size_t inner, const char *what) {
	for (size_t i = 0; i < GUARD; i++)
		if ((block[i] != GUARD_BYTE) || (block[GUARD + inner + i] != GUARD_BYTE)) {
			fprintf(stderr, "twai-rx-ring-driver: write outside the %s\n", what);
			exit(3);
		}
}

int main(int argc, char **argv) {
	out = startDriver("twai-rx-ring-driver", argc, argv);
	int reads = 0;
	while (at < inputBytes) {
		const uint8_t *head = take(16);
		uint32_t capacity = get32(head), operations = get32(head + 4);
		size_t storage = (size_t)(capacity ? capacity : 1) * TWAI_RX_RECORD_SIZE;
		uint8_t *block = malloc(storage + (2 * GUARD));
		if (!block) {
			perror("twai-rx-ring-driver");
			exit(2);
		}
		memset(block, GUARD_BYTE, storage + (2 * GUARD));
		TwaiRxRing ring = { 0 }; /* used only when init succeeds; zeroed for compilers that cannot see that */
		int result = twaiRxRingInit(&ring, block + GUARD, capacity);
		put32((uint32_t)result);
		for (uint32_t k = 0; k < operations; k++) {
			const uint8_t *op = take(24);
			uint32_t kind = get32(op), value = get32(op + 4);
			if (result != 0)
				continue;
			if (kind == 1)
				twaiRxRingPush(&ring, value, op[8], op[9], op + 16);
			else if (kind == 2) {
				size_t bytes = (size_t)value * TWAI_RX_RECORD_SIZE;
				int odd = reads++ & 1;
				uint8_t *buffer = malloc(bytes + (2 * GUARD) + 1);
				if (!buffer) {
					perror("twai-rx-ring-driver");
					exit(2);
				}
				memset(buffer, GUARD_BYTE, bytes + (2 * GUARD) + 1);
				uint32_t n = twaiRxRingRead(&ring, buffer + GUARD + odd, value);
				if (n > value) {
					fprintf(stderr, "twai-rx-ring-driver: read %lu of at most %lu\n", (unsigned long)n, (unsigned long)value);
					exit(3);
				}
				checkGuards(buffer + odd, bytes, "read buffer");
				put32(n);
				fwrite(buffer + GUARD + odd, 1, (size_t)n * TWAI_RX_RECORD_SIZE, out);
				free(buffer);
			}
			else if (kind == 3) {
				put32(twaiRxRingCount(&ring));
				put32(ring.pushed);
				put32(ring.dropped);
				put32(ring.head);
			}
			checkGuards(block, storage, "ring's slots");
		}
		free(block);
	}
	if (fclose(out)) {
		perror(argv[2]);
		exit(2);
	}
	return 0;
}
