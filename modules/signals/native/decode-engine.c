/*
 * Signal decode engine: executes a DecodePlan (modules/signals/plan.ts) on CAN
 * frames exactly as the TypeScript Decoder (modules/signals/decoder.ts) does,
 * writing the same SignalStore words, `present` flags and counters.
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
 * - each signal's raw bits go to its two store words as store.ts lays them
 *   out; the store applies factor and offset when the value is read.
 *
 * Cost: the device's budget is counted in RV32IMC instructions (ESP32-C3,
 * no FPU: a double add or multiply is a libgcc routine of about a hundred
 * instructions). So the per-frame path is integer only: a signal within 4
 * bytes (nearly all of them) is gathered into 32 bits and placed with two
 * shifts; 64-bit arithmetic only for signals over 4 bytes; doubles only to
 * copy a frame's timestamp, to compare a multiplexer's value with its
 * ranges, and to add the counters once per call (sde_pump counts in
 * integers). `npm run bench` measures it on an emulated RV32 core.
 */
#include <string.h>
#include "decode-engine.h"

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

/* Raw kinds: store.ts RawKind. */
enum { R_UINT32, R_INT32, R_FLOAT32, R_UINT64, R_INT64, R_FLOAT64 };

/*
 * Per signal, what decoder.ts folds into its op word. A signal within 4
 * bytes (`narrow`, hence at most 32 bits) is gathered big-end first into 32
 * bits, where it sits at bits shift..shift+length-1: `up` = 32 - shift -
 * length moves its top bit to bit 31, `down` = 32 - length moves it back to
 * bit 0, sign-extending when `extend`. Wider ones take readWide's 64 bits.
 */
typedef struct {
	uint8_t firstByte, byteCount, shift, length;
	uint8_t up, down, end, raw; /* raw: R_* */
	uint8_t little : 1, extend : 1, narrow : 1, muxed : 1;
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
		g[s].end = (uint8_t)(w[S_FIRST_BYTE] + w[S_BYTE_COUNT]);
		g[s].raw = (uint8_t)(w[S_LENGTH] <= 32
			? ((flags & F_FLOAT32) ? R_FLOAT32 : (flags & F_SIGNED) ? R_INT32 : R_UINT32)
			: ((flags & F_FLOAT64) ? R_FLOAT64 : (flags & F_SIGNED) ? R_INT64 : R_UINT64));
		g[s].little = (flags & F_LITTLE) != 0;
		g[s].extend = g[s].raw == R_INT32 || g[s].raw == R_INT64;
		/* sde_check: byteCount <= 4 bounds shift + length by 32 here. */
		g[s].narrow = w[S_BYTE_COUNT] <= 4;
		g[s].up = g[s].narrow ? (uint8_t)(32 - w[S_SHIFT] - w[S_LENGTH]) : 0;
		g[s].down = (uint8_t)(w[S_LENGTH] <= 32 ? 32 - w[S_LENGTH] : 64 - w[S_LENGTH]);
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

/* The raw value of signal s as a number, from its store words: store.ts raw(). Multiplexers only. */
static double rawNumber(const Signal *g, const uint32_t *w) {
	uint64_t bits = (uint64_t)w[1] << 32 | w[0];
	float single;
	double d;
	switch (g->raw) {
		case R_UINT32: return (double)w[0];
		case R_INT32: return (double)(int32_t)w[0];
		case R_FLOAT32: memcpy(&single, w, 4); return (double)single;
		case R_UINT64: return (double)w[1] * 4294967296.0 + (double)w[0];
		case R_INT64: return (double)(int32_t)w[1] * 4294967296.0 + (double)w[0];
		default: memcpy(&d, &bits, 8); return d;
	}
}

/* decoder.ts selected(): whether signal s's multiplexer, decoded earlier in this frame, selects it. */
static int selected(const SdeEngine *engine, const Signal *signals, uint32_t s) {
	const uint32_t *h = header(engine->plan);
	const int32_t *w = (const int32_t *)(engine->plan + h[H_SIGNALS_AT]) + s * SIGNAL_WORDS;
	const double *ranges = (const double *)(engine->plan + h[H_RANGES_AT]);
	int32_t mux = w[S_MUX];
	if (!engine->store.present[mux])
		return 0;
	double selector = rawNumber(&signals[mux], engine->store.words + 2 * (uint32_t)mux);
	for (int32_t r = w[S_RANGE_FIRST], end = r + w[S_RANGE_COUNT]; r < end; r++)
		if (selector >= ranges[r * 2] && selector <= ranges[r * 2 + 1])
			return 1;
	return 0;
}

/* Over 4 bytes: decoder.ts readWide, in 64 bits. */
static void readWide(const Signal *g, const uint8_t *at, uint32_t *out) {
	uint64_t bits = 0;
	if (g->little)
		for (int i = g->byteCount - 1; i >= 0; i--)
			bits = (bits << 8) | at[i];
	else
		for (int i = 0; i < g->byteCount; i++)
			bits = (bits << 8) | at[i];
	bits >>= g->shift;
	if (g->length <= 32) {
		uint32_t lo = (uint32_t)bits << g->down;
		out[0] = g->extend ? (uint32_t)((int32_t)lo >> g->down) : lo >> g->down;
		return;
	}
	if (g->raw != R_FLOAT64) {
		/* A float64's bits stay as gathered and shifted, unmasked; integers are masked or sign-extended to 64 bits. */
		bits <<= g->down;
		bits = g->extend ? (uint64_t)((int64_t)bits >> g->down) : bits >> g->down;
	}
	out[0] = (uint32_t)bits;
	out[1] = (uint32_t)(bits >> 32);
}

/* Writes signal g's raw words from the frame's bytes: decoder.ts's switch and readWide in one. */
static void readRaw(const Signal *g, const uint8_t *data, uint32_t *out) {
	const uint8_t *at = data + g->firstByte;
	if (!g->narrow) {
		readWide(g, at, out);
		return;
	}
	uint32_t lo = 0;
	int n = g->byteCount;
	if (g->little)
		while (n--)
			lo = (lo << 8) | at[n];
	else
		for (int i = 0; i < n; i++)
			lo = (lo << 8) | at[i];
	lo <<= g->up;
	out[0] = g->extend ? (uint32_t)((int32_t)lo >> g->down) : lo >> g->down;
}

/* Decodes message `message`; returns 1 when the frame was short for some of its signals. */
static int decodeMessage(const SdeEngine *engine, uint32_t message, const uint8_t data[8], uint32_t dlc, double now) {
	const Tables *t = (const Tables *)engine->tables;
	const Message *msg = (const Message *)(engine->tables + t->messagesAt) + message;
	const Signal *signals = (const Signal *)(engine->tables + t->signalsAt);
	const SdeStore *store = &engine->store;
	uint32_t first = msg->first, end = first + msg->count;
	/* A plain message in a long enough frame: every signal is there, no per-signal checks. */
	int track = !msg->plain || msg->end > dlc;
	int isShort = 0;
	for (uint32_t s = first; s < end; s++) {
		const Signal *g = &signals[s];
		if (track) {
			if (g->muxed && !selected(engine, signals, s)) {
				store->present[s] = 0;
				continue;
			}
			if (g->end > dlc) {
				store->present[s] = 0;
				isShort = 1;
				continue;
			}
		}
		readRaw(g, data, store->words + 2 * s);
		store->updates[s]++;
		store->updatedAt[s] = now;
		store->present[s] = 1;
	}
	return isShort;
}

void sde_decode_message(const SdeEngine *engine, uint32_t message, const uint8_t data[8], uint32_t dlc, double now) {
	if (decodeMessage(engine, message, data, dlc, now))
		engine->store.counters[SDE_SHORT]++;
}

/* Frames of one call, counted in integers and added to the store's doubles once: sde_pump's per-frame path has no floating point. */
typedef struct {
	uint32_t counts[SDE_BITS];
	uint32_t bits;
} Tally;

static void addTally(const SdeEngine *engine, const Tally *tally) {
	double *counters = engine->store.counters;
	for (int c = 0; c < SDE_BITS; c++)
		if (tally->counts[c])
			counters[c] += tally->counts[c];
	if (tally->bits)
		counters[SDE_BITS] += tally->bits;
}

/* Decoder.decode, counting into `tally`. */
static int32_t decodeFrame(const SdeEngine *engine, uint32_t id, uint32_t flags, uint32_t dlc, const uint8_t data[8], double now, Tally *tally) {
	if (flags & (SDE_FRAME_REMOTE | SDE_FRAME_ERROR)) {
		tally->counts[SDE_IGNORED]++;
		return -1;
	}
	int32_t message = sde_find(engine, id, (flags & SDE_FRAME_EXTENDED) != 0);
	if (message < 0) {
		tally->counts[SDE_UNKNOWN]++;
		return -1;
	}
	tally->counts[SDE_SHORT] += (uint32_t)decodeMessage(engine, (uint32_t)message, data, dlc, now);
	tally->counts[SDE_DECODED]++;
	return message;
}

int32_t sde_decode(const SdeEngine *engine, uint32_t id, uint32_t flags, uint32_t dlc, const uint8_t data[8], double now) {
	Tally tally = { { 0 }, 0 };
	int32_t message = decodeFrame(engine, id, flags, dlc, data, now, &tally);
	addTally(engine, &tally);
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
	Tally tally = { { 0 }, 0 };
	while (done < max && done < ring->count) {
		uint32_t flags = ring->flags[head], dlc = ring->dlcs[head], id = ring->ids[head];
		if (pairs && tapped(id, flags, filter, pairs))
			break;
		sde_ring_payload(ring, head, data);
		/* diagnostics.ts frameBits: header and trailer, payload, half the worst-case stuff bits. */
		uint32_t stuffable = ((flags & SDE_FRAME_EXTENDED) ? 54 : 34) + 8 * dlc;
		tally.bits += ((flags & SDE_FRAME_EXTENDED) ? 67 : 47) + 8 * dlc + ((stuffable - 1) >> 3);
		decodeFrame(engine, id, flags, dlc, data, ring->timestamps[head], &tally);
		head = (head + 1) & ring->mask;
		done++;
	}
	ring->head = head;
	ring->count -= done;
	addTally(engine, &tally);
	return done;
}

uint32_t sde_pump(const SdeEngine *engine, SdeRing *ring, uint32_t max) {
	return sde_pump_until(engine, ring, max, 0, 0);
}

/* Per payload length 0..8, the bits of the low and high words that the length keeps. */
static const uint32_t keepLow[9] = { 0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF };
static const uint32_t keepHigh[9] = { 0, 0, 0, 0, 0, 0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF };

/* Four bytes as a little-endian word, from any alignment. */
static uint32_t littleWord(const uint8_t *p) {
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

uint32_t sde_ring_push_records(SdeRing *ring, const uint8_t *records, uint32_t count, double timestamp) {
	uint32_t dropped = 0, capacity = ring->mask + 1;
	for (uint32_t k = 0; k < count; k++) {
		const uint8_t *r = records + k * SDE_RECORD_SIZE;
		uint32_t flags = r[4] & (SDE_FRAME_EXTENDED | SDE_FRAME_REMOTE), dlc = r[5];
		uint32_t length = (flags & SDE_FRAME_REMOTE) ? 0 : dlc > 8 ? 8 : dlc;
		if (ring->count == capacity) {
			ring->head = (ring->head + 1) & ring->mask;
			ring->count--;
			dropped++;
		}
		uint32_t slot = (ring->head + ring->count++) & ring->mask;
		ring->words[slot << 1] = littleWord(r + 8) & keepLow[length];
		ring->words[(slot << 1) + 1] = littleWord(r + 12) & keepHigh[length];
		ring->ids[slot] = littleWord(r);
		ring->flags[slot] = (uint8_t)flags;
		ring->dlcs[slot] = (uint8_t)dlc;
		ring->timestamps[slot] = timestamp;
	}
	return dropped;
}
