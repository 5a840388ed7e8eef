/*
 * Signal decode engine: executes a DecodePlan (modules/signals/plan.ts) on CAN
 * frames exactly as the TypeScript Decoder (modules/signals/decoder.ts) does,
 * writing the same SignalStore arrays, `present` flags and counters.
 *
 * Pure C99. Touches only the memory it is handed (see decode-engine.h): reads
 * the plan blob in place, writes its lookup tables once into a caller buffer
 * (sde_build), then per frame reads those and writes the store. No
 * allocation, no globals, no I/O; safe to call from any task, not re-entrant
 * on the same store. Runs on the ESP32, the simulator and the host test
 * driver.
 *
 * Semantics kept from the TypeScript decoder, which stays the reference:
 * - a message "plain" (no multiplexed signal) in a frame long enough for all
 *   its signals needs no per-signal check; otherwise each signal is skipped
 *   (present 0) when its multiplexer does not select it or the frame's DLC
 *   does not reach its last byte, and the frame counts as short;
 * - integers up to 32 bits are exact; 33 to 64 bits are hi * 2^32 + lo in
 *   doubles (the same single rounding); floats are the bits reinterpreted;
 * - a value is raw * factor + offset when the signal is scaled (factor not 1,
 *   offset not 0, or a float or wide read), else the raw value itself.
 */
#include <string.h>
#include "decode-engine.h"

/* raw * factor + offset must round twice, as JavaScript does: no fused multiply-add. */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize ("fp-contract=off")
#endif

/* Plan layout: keep in step with modules/signals/plan.ts. */
enum { HEADER_WORDS = 16, MESSAGE_WORDS = 8, SIGNAL_WORDS = 13, SCALING_WORDS = 4 };
enum {
	H_MAGIC, H_VERSION, H_MESSAGES, H_SIGNALS, H_RANGES, H_CHOICES, H_STRING_BYTES,
	H_MESSAGES_AT, H_SIGNALS_AT, H_SCALING_AT, H_RANGES_AT, H_CHOICES_AT, H_STRINGS_AT, H_TOTAL,
};
enum { M_ID, M_FIRST, M_COUNT };
enum { S_MESSAGE, S_FIRST_BYTE, S_BYTE_COUNT, S_FLAGS, S_SHIFT, S_LENGTH, S_MUX, S_RANGE_FIRST, S_RANGE_COUNT };
enum { F_LITTLE = 1, F_SIGNED = 2, F_FLOAT32 = 4, F_FLOAT64 = 8 };
#define PLAN_MAGIC 0x50435358u
#define PLAN_VERSION 1u
#define EXTENDED_BIT 0x80000000u
#define TABLES_MAGIC 0x54454453u /* "SDET" */

/* Tables built by sde_build, in the caller's buffer. */
typedef struct {
	uint32_t magic, messageCount, signalCount, extendedMask;
	uint32_t keysAt, valuesAt, messagesAt, signalsAt;
	uint32_t planBytes, tableBytes; /* what they were built for and in: sde_valid */
} Tables;
#define STANDARD_AT ((uint32_t)sizeof(Tables)) /* uint16_t[0x800]: message index + 1 per 11-bit id */

/* Per message: its signals and, for the fast path, the bytes they need. */
typedef struct {
	uint32_t first, count;
	uint8_t end;   /* highest byte index + 1 over its signals */
	uint8_t plain; /* no multiplexed signal */
	uint8_t pad[2];
} Message;

/* Per signal, what decoder.ts folds into its op word. */
enum { K_INT = 0, K_WIDE = 1 }; /* K_WIDE: decoder.ts readWide (floats, over 32 bits or 4 bytes) */
typedef struct {
	uint8_t firstByte, byteCount, shift, length;
	uint8_t flags, end, kind;
	uint8_t scaled : 1, muxed : 1;
} Signal;

static uint32_t hashId(uint32_t id) {
	return (uint32_t)(id * 0x9E3779B1u) >> 16;
}

static const uint32_t *header(const uint8_t *plan) {
	return (const uint32_t *)plan;
}

static int sectionFits(uint32_t at, uint64_t bytes, uint32_t total, uint32_t align) {
	return (at % align) == 0 && at <= total && (uint64_t)at + bytes <= total;
}

int32_t sde_check(const uint8_t *plan, uint32_t bytes) {
	if (!plan || ((uintptr_t)plan & 3) || bytes < HEADER_WORDS * 4)
		return SDE_BAD_HEADER;
	const uint32_t *h = header(plan);
	if (h[H_MAGIC] != PLAN_MAGIC || h[H_VERSION] != PLAN_VERSION || h[H_TOTAL] != bytes)
		return SDE_BAD_HEADER;
	/* decoder.ts keeps message indexes in a Uint16Array (index + 1). */
	if (h[H_MESSAGES] > 0xFFFE || h[H_SIGNALS] > 0x7FFFFFF)
		return SDE_BAD_HEADER;
	if (!sectionFits(h[H_MESSAGES_AT], (uint64_t)h[H_MESSAGES] * MESSAGE_WORDS * 4, bytes, 4)
		|| !sectionFits(h[H_SIGNALS_AT], (uint64_t)h[H_SIGNALS] * SIGNAL_WORDS * 4, bytes, 4)
		|| !sectionFits(h[H_SCALING_AT], (uint64_t)h[H_SIGNALS] * SCALING_WORDS * 8, bytes, 8)
		|| !sectionFits(h[H_RANGES_AT], (uint64_t)h[H_RANGES] * 16, bytes, 8))
		return SDE_BAD_SECTION;
	const uint32_t *messages = (const uint32_t *)(plan + h[H_MESSAGES_AT]);
	for (uint32_t m = 0; m < h[H_MESSAGES]; m++) {
		const uint32_t *w = messages + m * MESSAGE_WORDS;
		if ((uint64_t)w[M_FIRST] + w[M_COUNT] > h[H_SIGNALS])
			return SDE_BAD_MESSAGE;
	}
	const int32_t *signals = (const int32_t *)(plan + h[H_SIGNALS_AT]);
	for (uint32_t s = 0; s < h[H_SIGNALS]; s++) {
		const int32_t *w = signals + s * SIGNAL_WORDS;
		if (w[S_FIRST_BYTE] < 0 || w[S_BYTE_COUNT] < 1 || w[S_BYTE_COUNT] > 8 || w[S_FIRST_BYTE] > 8 - w[S_BYTE_COUNT]
			|| w[S_SHIFT] < 0 || w[S_SHIFT] > 7 || w[S_LENGTH] < 1 || w[S_LENGTH] > 64
			|| w[S_MUX] < -1 || w[S_MUX] >= (int32_t)h[H_SIGNALS]
			|| w[S_RANGE_FIRST] < 0 || w[S_RANGE_COUNT] < 0
			|| (uint64_t)(uint32_t)w[S_RANGE_FIRST] + (uint32_t)w[S_RANGE_COUNT] > h[H_RANGES])
			return SDE_BAD_SIGNAL;
	}
	return SDE_OK;
}

static uint32_t extendedSlots(const uint8_t *plan) {
	const uint32_t *h = header(plan);
	const uint32_t *messages = (const uint32_t *)(plan + h[H_MESSAGES_AT]);
	uint32_t extended = 0, size = 4;
	for (uint32_t m = 0; m < h[H_MESSAGES]; m++)
		if (messages[m * MESSAGE_WORDS + M_ID] & EXTENDED_BIT)
			extended++;
	while (size < extended * 2)
		size <<= 1;
	return size;
}

uint32_t sde_table_bytes(const uint8_t *plan) {
	const uint32_t *h = header(plan);
	return STANDARD_AT + 0x800 * 2 + extendedSlots(plan) * 8
		+ h[H_MESSAGES] * (uint32_t)sizeof(Message) + h[H_SIGNALS] * (uint32_t)sizeof(Signal);
}

int32_t sde_build(const uint8_t *plan, uint32_t planBytes, uint8_t *buffer, uint32_t tableBytes) {
	int32_t error = sde_check(plan, planBytes);
	if (error)
		return error;
	if (!buffer || ((uintptr_t)buffer & 3) || tableBytes < sde_table_bytes(plan))
		return SDE_BAD_TABLES;
	const uint32_t *h = header(plan);
	const uint32_t *messages = (const uint32_t *)(plan + h[H_MESSAGES_AT]);
	const int32_t *signals = (const int32_t *)(plan + h[H_SIGNALS_AT]);
	const double *scaling = (const double *)(plan + h[H_SCALING_AT]);
	uint32_t size = extendedSlots(plan);
	memset(buffer, 0, tableBytes);
	Tables *t = (Tables *)buffer;
	t->messageCount = h[H_MESSAGES];
	t->signalCount = h[H_SIGNALS];
	t->extendedMask = size - 1;
	t->keysAt = STANDARD_AT + 0x800 * 2;
	t->valuesAt = t->keysAt + size * 4;
	t->messagesAt = t->valuesAt + size * 4;
	t->signalsAt = t->messagesAt + t->messageCount * (uint32_t)sizeof(Message);

	/* Ids: plan.ts's constructor, in the same order, so duplicates resolve the same way. */
	uint16_t *standard = (uint16_t *)(buffer + STANDARD_AT);
	uint32_t *keys = (uint32_t *)(buffer + t->keysAt);
	int32_t *values = (int32_t *)(buffer + t->valuesAt);
	for (uint32_t m = 0; m < t->messageCount; m++) {
		uint32_t word = messages[m * MESSAGE_WORDS + M_ID];
		if (word & EXTENDED_BIT) {
			uint32_t id = word & 0x1FFFFFFFu, slot = hashId(id) & t->extendedMask;
			while (keys[slot])
				slot = (slot + 1) & t->extendedMask;
			keys[slot] = id + 1;
			values[slot] = (int32_t)m;
		}
		else
			standard[word & 0x7FF] = (uint16_t)(m + 1);
	}

	Signal *g = (Signal *)(buffer + t->signalsAt);
	for (uint32_t s = 0; s < t->signalCount; s++) {
		const int32_t *w = signals + s * SIGNAL_WORDS;
		int32_t flags = w[S_FLAGS];
		g[s].firstByte = (uint8_t)w[S_FIRST_BYTE];
		g[s].byteCount = (uint8_t)w[S_BYTE_COUNT];
		g[s].shift = (uint8_t)w[S_SHIFT];
		g[s].length = (uint8_t)w[S_LENGTH];
		g[s].flags = (uint8_t)flags;
		g[s].end = (uint8_t)(w[S_FIRST_BYTE] + w[S_BYTE_COUNT]);
		g[s].kind = (flags & (F_FLOAT32 | F_FLOAT64)) || w[S_LENGTH] > 32 || w[S_BYTE_COUNT] > 4 ? K_WIDE : K_INT;
		double factor = scaling[s * SCALING_WORDS], offset = scaling[s * SCALING_WORDS + 1];
		/* Floats keep the multiply-add even at 1 and 0 (decoder.ts: -0 and NaN payloads come out as they always did). */
		g[s].scaled = g[s].kind == K_WIDE || factor != 1 || offset != 0;
		g[s].muxed = w[S_MUX] >= 0;
	}
	Message *msg = (Message *)(buffer + t->messagesAt);
	for (uint32_t m = 0; m < t->messageCount; m++) {
		const uint32_t *w = messages + m * MESSAGE_WORDS;
		uint32_t end = 0, plain = 1;
		for (uint32_t s = w[M_FIRST]; s < w[M_FIRST] + w[M_COUNT]; s++) {
			if (g[s].end > end)
				end = g[s].end;
			if (g[s].muxed)
				plain = 0;
		}
		msg[m].first = w[M_FIRST];
		msg[m].count = w[M_COUNT];
		msg[m].end = (uint8_t)end;
		msg[m].plain = (uint8_t)plain;
	}
	t->planBytes = planBytes;
	t->tableBytes = tableBytes;
	t->magic = TABLES_MAGIC;
	return SDE_OK;
}

int32_t sde_valid(const SdeEngine *engine, uint32_t planBytes, uint32_t tableBytes, uint32_t storeLength) {
	const Tables *t = (const Tables *)engine->tables;
	if (!engine->plan || !t || ((uintptr_t)t & 3) || tableBytes < sizeof(Tables))
		return SDE_BAD_TABLES;
	if (t->magic != TABLES_MAGIC || t->planBytes != planBytes || t->tableBytes != tableBytes
		|| header(engine->plan)[H_TOTAL] != planBytes || header(engine->plan)[H_SIGNALS] != t->signalCount)
		return SDE_BAD_TABLES;
	if (storeLength < t->signalCount)
		return SDE_BAD_STORE;
	return SDE_OK;
}

uint32_t sde_signal_count(const SdeEngine *engine) {
	return ((const Tables *)engine->tables)->signalCount;
}

uint32_t sde_message_count(const SdeEngine *engine) {
	return ((const Tables *)engine->tables)->messageCount;
}

int32_t sde_find(const SdeEngine *engine, uint32_t id, int extended) {
	const Tables *t = (const Tables *)engine->tables;
	if (!extended)
		return id <= 0x7FF ? (int32_t)((const uint16_t *)(engine->tables + STANDARD_AT))[id] - 1 : -1;
	/* The key is id + 1 in JavaScript numbers: 0xFFFFFFFF's key (2^32) matches no slot. */
	const uint32_t *keys = (const uint32_t *)(engine->tables + t->keysAt);
	uint64_t key = (uint64_t)id + 1;
	uint32_t slot = hashId(id) & t->extendedMask;
	for (;;) {
		uint32_t found = keys[slot];
		if (found == key)
			return ((const int32_t *)(engine->tables + t->valuesAt))[slot];
		if (!found)
			return -1;
		slot = (slot + 1) & t->extendedMask;
	}
}

/* decoder.ts selected(): whether signal s's multiplexer, decoded earlier in this frame, selects it. */
static int selected(const SdeEngine *engine, uint32_t s) {
	const uint32_t *h = header(engine->plan);
	const int32_t *w = (const int32_t *)(engine->plan + h[H_SIGNALS_AT]) + s * SIGNAL_WORDS;
	const double *ranges = (const double *)(engine->plan + h[H_RANGES_AT]);
	int32_t mux = w[S_MUX];
	if (!engine->store.present[mux])
		return 0;
	double selector = engine->store.raws[mux];
	for (int32_t r = w[S_RANGE_FIRST], end = r + w[S_RANGE_COUNT]; r < end; r++)
		if (selector >= ranges[r * 2] && selector <= ranges[r * 2 + 1])
			return 1;
	return 0;
}

/* The raw value of a signal: decoder.ts's switch and readWide in one. */
static double readRaw(const Signal *g, const uint8_t *data) {
	uint64_t bits = 0;
	const uint8_t *at = data + g->firstByte;
	if (g->flags & F_LITTLE)
		for (int i = g->byteCount - 1; i >= 0; i--)
			bits = (bits << 8) | at[i];
	else
		for (int i = 0; i < g->byteCount; i++)
			bits = (bits << 8) | at[i];
	bits >>= g->shift;
	uint32_t length = g->length;
	if (length <= 32) {
		uint32_t lo = (uint32_t)bits;
		if (length < 32)
			lo &= (UINT32_C(1) << length) - 1;
		if (g->kind == K_WIDE && (g->flags & F_FLOAT32)) {
			float f;
			memcpy(&f, &lo, 4);
			return (double)f;
		}
		if (g->flags & F_SIGNED) {
			uint32_t drop = 32 - length;
			return (double)((int32_t)(lo << drop) >> drop);
		}
		return (double)lo;
	}
	if (g->flags & F_FLOAT64) {
		/* readWide: the bits as gathered and shifted, unmasked. */
		double d;
		memcpy(&d, &bits, 8);
		return d;
	}
	uint32_t lo = (uint32_t)bits, hi = (uint32_t)(bits >> 32), highBits = length - 32;
	double high;
	if (g->flags & F_SIGNED)
		high = highBits < 32 ? (double)((int32_t)(hi << (32 - highBits)) >> (32 - highBits)) : (double)(int32_t)hi;
	else
		high = highBits < 32 ? (double)(hi & ((UINT32_C(1) << highBits) - 1)) : (double)hi;
	return high * 4294967296.0 + (double)lo;
}

void sde_decode_message(const SdeEngine *engine, uint32_t message, const uint8_t data[8], uint32_t dlc, double now) {
	const Tables *t = (const Tables *)engine->tables;
	const Message *msg = (const Message *)(engine->tables + t->messagesAt) + message;
	const Signal *signals = (const Signal *)(engine->tables + t->signalsAt);
	const double *scaling = (const double *)(engine->plan + header(engine->plan)[H_SCALING_AT]);
	const SdeStore *store = &engine->store;
	uint32_t first = msg->first, end = first + msg->count;
	/* A plain message in a long enough frame: every signal is there, no per-signal checks. */
	int track = !msg->plain || msg->end > dlc;
	int isShort = 0;
	for (uint32_t s = first; s < end; s++) {
		const Signal *g = &signals[s];
		if (track) {
			if (g->muxed && !selected(engine, s)) {
				store->present[s] = 0;
				continue;
			}
			if (g->end > dlc) {
				store->present[s] = 0;
				isShort = 1;
				continue;
			}
		}
		double raw = readRaw(g, data);
		store->raws[s] = raw;
		store->values[s] = g->scaled ? raw * scaling[s * SCALING_WORDS] + scaling[s * SCALING_WORDS + 1] : raw;
		store->updates[s]++;
		store->updatedAt[s] = now;
		store->present[s] = 1;
	}
	if (isShort)
		store->counters[SDE_SHORT]++;
}

int32_t sde_decode(const SdeEngine *engine, uint32_t id, uint32_t flags, uint32_t dlc, const uint8_t data[8], double now) {
	if (flags & (SDE_FRAME_REMOTE | SDE_FRAME_ERROR)) {
		engine->store.counters[SDE_IGNORED]++;
		return -1;
	}
	int32_t message = sde_find(engine, id, (flags & SDE_FRAME_EXTENDED) != 0);
	if (message < 0) {
		engine->store.counters[SDE_UNKNOWN]++;
		return -1;
	}
	sde_decode_message(engine, (uint32_t)message, data, dlc, now);
	engine->store.counters[SDE_DECODED]++;
	return message;
}

/* Whether a frame matches one of a tap's (value, mask) pairs: its id with bit 31 set for a 29-bit id. */
static int tapped(uint32_t id, uint32_t flags, const uint32_t *filter, uint32_t pairs) {
	uint32_t key = id | ((flags & SDE_FRAME_EXTENDED) ? SDE_TAP_EXTENDED : 0);
	for (uint32_t p = 0; p < pairs; p++)
		if ((key & filter[2 * p + 1]) == filter[2 * p])
			return 1;
	return 0;
}

uint32_t sde_pump_until(const SdeEngine *engine, SdeRing *ring, uint32_t max, const uint32_t *filter, uint32_t pairs) {
	uint32_t done = 0, head = ring->head;
	uint8_t data[8];
	while (done < max && done < ring->count) {
		uint32_t flags = ring->flags[head], dlc = ring->dlcs[head], id = ring->ids[head];
		if (pairs && tapped(id, flags, filter, pairs))
			break;
		sde_ring_payload(ring, head, data);
		/* diagnostics.ts frameBits: header and trailer, payload, half the worst-case stuff bits. */
		uint32_t stuffable = ((flags & SDE_FRAME_EXTENDED) ? 54 : 34) + 8 * dlc;
		engine->store.counters[SDE_BITS] += ((flags & SDE_FRAME_EXTENDED) ? 67 : 47) + 8 * dlc + ((stuffable - 1) >> 3);
		sde_decode(engine, id, flags, dlc, data, ring->timestamps[head]);
		head = (head + 1) & ring->mask;
		done++;
	}
	ring->head = head;
	ring->count -= done;
	return done;
}

uint32_t sde_pump(const SdeEngine *engine, SdeRing *ring, uint32_t max) {
	return sde_pump_until(engine, ring, max, 0, 0);
}

uint32_t sde_ring_push_records(SdeRing *ring, const uint8_t *records, uint32_t count, double timestamp) {
	uint32_t dropped = 0, capacity = ring->mask + 1;
	for (uint32_t k = 0; k < count; k++) {
		const uint8_t *r = records + k * SDE_RECORD_SIZE;
		uint32_t flags = r[4] & (SDE_FRAME_EXTENDED | SDE_FRAME_REMOTE), dlc = r[5];
		uint32_t length = (flags & SDE_FRAME_REMOTE) ? 0 : dlc;
		if (ring->count == capacity) {
			ring->head = (ring->head + 1) & ring->mask;
			ring->count--;
			dropped++;
		}
		uint32_t slot = (ring->head + ring->count++) & ring->mask;
		uint8_t data[8] = { 0 };
		for (uint32_t i = 0; i < 8 && i < length; i++)
			data[i] = r[8 + i];
		ring->words[slot << 1] = (uint32_t)data[0] | (uint32_t)data[1] << 8 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 24;
		ring->words[(slot << 1) + 1] = (uint32_t)data[4] | (uint32_t)data[5] << 8 | (uint32_t)data[6] << 16 | (uint32_t)data[7] << 24;
		ring->ids[slot] = (uint32_t)r[0] | (uint32_t)r[1] << 8 | (uint32_t)r[2] << 16 | (uint32_t)r[3] << 24;
		ring->flags[slot] = (uint8_t)flags;
		ring->dlcs[slot] = (uint8_t)dlc;
		ring->timestamps[slot] = timestamp;
	}
	return dropped;
}
