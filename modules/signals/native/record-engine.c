/*
 * Candump recording engine: see record-engine.h. The TypeScript
 * CandumpRecorder (modules/can/recorder.ts) is the reference; every step
 * below is one of its steps, in its order.
 *
 * Pure C99, no allocation, no globals, no libm.
 */
#include "record-engine.h"

/* The timestamp arithmetic must round as JavaScript does: no fused multiply-add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

/* recorder.ts MAX_TIMESTAMP: later (or negative, or NaN) timestamps are written as 0. */
#define MAX_TIMESTAMP 1e15
#define ERROR_FLAG 0x20000000u

static const char HEX[16] = { '0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E', 'F' };

/* Math.floor for 0 <= x < 2^63. */
static double floorPositive(double x) {
	return (double)(uint64_t)x;
}

/* `value` as at least `digits` decimal digits, zero-padded; returns the next index. */
static uint32_t putDecimal(uint8_t *line, uint32_t at, uint64_t value, uint32_t digits) {
	uint8_t reversed[20];
	uint32_t n = 0;
	if (value <= 0xFFFFFFFFu) {
		uint32_t small = (uint32_t)value; /* 32-bit division: cheap on the ESP32 */
		do {
			reversed[n++] = (uint8_t)('0' + small % 10);
			small /= 10;
		} while (small);
	}
	else
		do {
			reversed[n++] = (uint8_t)('0' + value % 10);
			value /= 10;
		} while (value);
	for (; digits > n; digits--)
		line[at++] = '0';
	while (n)
		line[at++] = reversed[--n];
	return at;
}

/* `value` as `digits` upper-case hex digits. */
static uint32_t putHex(uint8_t *line, uint32_t at, uint32_t value, uint32_t digits) {
	for (uint32_t i = digits; i-- > 0;) {
		line[at + i] = (uint8_t)HEX[value & 0xF];
		value >>= 4;
	}
	return at + digits;
}

uint32_t sre_format(uint8_t *line, const uint8_t *name, uint32_t nameLength, uint32_t id, uint32_t flags, uint32_t dlc, const uint8_t data[8], double timestamp) {
	uint32_t at = 0;
	line[at++] = '(';
	if (!(timestamp >= 0 && timestamp < MAX_TIMESTAMP))
		timestamp = 0;
	/* formatCandumpLine: Math.round(timestamp * 1000), then whole seconds and the rest. */
	double scaled = timestamp * 1000, total = floorPositive(scaled);
	if (scaled - total >= 0.5)
		total += 1;
	double seconds = floorPositive(total / 1e6);
	double micro = total - seconds * 1e6;
	at = putDecimal(line, at, (uint64_t)seconds, 10);
	line[at++] = '.';
	if (micro >= 0)
		at = putDecimal(line, at, (uint64_t)micro, 6);
	else {
		/* String(micro).padStart(6, "0"), as it comes out past 2^53 microseconds: zeros before the sign. */
		uint8_t digits[24];
		uint32_t n = putDecimal(digits, 0, (uint64_t)-micro, 1);
		for (uint32_t pad = n + 1; pad < 6; pad++)
			line[at++] = '0';
		line[at++] = '-';
		for (uint32_t i = 0; i < n; i++)
			line[at++] = digits[i];
	}
	line[at++] = ')';
	line[at++] = ' ';
	for (uint32_t i = 0; i < nameLength; i++)
		line[at++] = name[i];
	line[at++] = ' ';
	if (flags & SDE_FRAME_ERROR)
		at = putHex(line, at, (id & 0x1FFFFFFFu) + ERROR_FLAG, 8);
	else if (flags & SDE_FRAME_EXTENDED)
		at = putHex(line, at, id & 0x1FFFFFFFu, 8);
	else
		at = putHex(line, at, id & 0x7FFu, 3);
	line[at++] = '#';
	if (dlc > 8)
		dlc = 8;
	if (flags & SDE_FRAME_REMOTE) {
		line[at++] = 'R';
		if (dlc > 0)
			line[at++] = (uint8_t)('0' + dlc);
	}
	else
		for (uint32_t i = 0; i < dlc; i++) {
			line[at++] = (uint8_t)HEX[data[i] >> 4];
			line[at++] = (uint8_t)HEX[data[i] & 0xF];
		}
	line[at++] = '\n';
	return at;
}

uint32_t sre_record_ring(SreRecorder *recorder, const SdeRing *ring, uint32_t max) {
	double *cursor = recorder->cursor;
	uint32_t n = max < ring->count ? max : ring->count;
	if (n == 0)
		return 0;
	uint32_t chunks = (uint32_t)cursor[SRE_CHUNKS], chunkSize = (uint32_t)cursor[SRE_CHUNK_SIZE];
	uint32_t current = (uint32_t)cursor[SRE_CURRENT], fill = (uint32_t)cursor[SRE_FILL], queued = (uint32_t)cursor[SRE_QUEUED];
	uint32_t rotate = cursor[SRE_ROTATE] != 0;
	double maxBytes = cursor[SRE_MAX_BYTES], fileBytes = cursor[SRE_FILE_BYTES];
	double frames = cursor[SRE_FRAMES], dropped = cursor[SRE_DROPPED], bytes = cursor[SRE_BYTES], files = cursor[SRE_FILES];
	if (cursor[SRE_STATE] != SRE_RECORDING) {
		cursor[SRE_DROPPED] = dropped + n;
		return n;
	}
	uint8_t line[SRE_LINE_CAPACITY], data[8];
	uint32_t head = ring->head, k = 0;
	for (; k < n; k++, head = (head + 1) & ring->mask) {
		sde_ring_payload(ring, head, data);
		uint32_t length = sre_format(line, recorder->name, recorder->nameLength, ring->ids[head], ring->flags[head], ring->dlcs[head], data, ring->timestamps[head]);
		if (fileBytes + length > maxBytes) {
			if (!rotate) {
				/* "stop": this frame and every later one are dropped. */
				cursor[SRE_STATE] = SRE_FULL;
				dropped += n - k;
				break;
			}
			/* Finish this file in its own chunk; needs a free chunk to continue in. */
			if (queued + 2 > chunks) {
				dropped++;
				continue;
			}
			recorder->endsFile[current] = 1;
			recorder->lengths[current] = fill;
			queued++;
			current = (current + 1) % chunks;
			fill = 0;
			fileBytes = 0;
			files++;
		}
		uint32_t free = (chunks - 1 - queued) * chunkSize + (chunkSize - fill);
		if (queued + 1 > chunks || length > free) {
			dropped++;
			continue;
		}
		for (uint32_t i = 0; i < length;) {
			uint8_t *chunk = recorder->chunks[current];
			while (i < length && fill < chunkSize)
				chunk[fill++] = line[i++];
			if (fill == chunkSize) {
				recorder->endsFile[current] = 0;
				recorder->lengths[current] = fill;
				queued++;
				current = (current + 1) % chunks;
				fill = 0;
			}
		}
		fileBytes += length;
		bytes += length;
		frames++;
	}
	cursor[SRE_FRAMES] = frames;
	cursor[SRE_DROPPED] = dropped;
	cursor[SRE_BYTES] = bytes;
	cursor[SRE_FILES] = files;
	cursor[SRE_CURRENT] = current;
	cursor[SRE_FILL] = fill;
	cursor[SRE_QUEUED] = queued;
	cursor[SRE_FILE_BYTES] = fileBytes;
	return n;
}
