/*
 * What the hot path costs in C: a measuring stick for the native decode
 * engine that issue 6 allows when TypeScript on XS cannot meet the budget.
 * Not the engine itself, not linked into anything: the bench builds it with
 * the host C compiler and counts its instructions under callgrind.
 *
 * Same inputs as the XS workloads: compiled plans (modules/dbc/compile.ts) and
 * packed frames (bench/frames.ts). Same work per frame: receive into a ring of
 * fixed slots, pop, look the id up in O(1), decode every signal of the message
 * (plan semantics of modules/signals/decoder.ts, multiplexing included) into
 * raws, values, update times and counts, and present flags. After one pass it
 * writes the value array of each plan, so the bench can check that it agrees
 * with the TypeScript decoder bit for bit.
 *
 * Usage: decode <passes> <values-out-prefix|-> <plan> <frames> [<plan> <frames>...]
 * Allocates at load only (plans, tables, stores); none per frame.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Plan layout: keep in step with modules/signals/plan.ts. */
enum { HEADER_WORDS = 16, MESSAGE_WORDS = 8, SIGNAL_WORDS = 13, SCALING_WORDS = 4 };
enum { H_MAGIC, H_VERSION, H_MESSAGES, H_SIGNALS, H_RANGES, H_CHOICES, H_STRING_BYTES,
	H_MESSAGES_AT, H_SIGNALS_AT, H_SCALING_AT, H_RANGES_AT, H_CHOICES_AT, H_STRINGS_AT, H_TOTAL };
enum { M_ID, M_FIRST, M_COUNT };
enum { S_MESSAGE, S_FIRST_BYTE, S_BYTE_COUNT, S_FLAGS, S_SHIFT, S_LENGTH, S_MUX, S_RANGE_FIRST, S_RANGE_COUNT };
enum { F_LITTLE = 1, F_SIGNED = 2, F_FLOAT32 = 4, F_FLOAT64 = 8 };
#define PLAN_MAGIC 0x50435358u
#define PLAN_VERSION 1u
#define EXTENDED_BIT 0x80000000u

/* Frame flags: modules/can/frame.ts. */
enum { FRAME_EXTENDED = 1, FRAME_REMOTE = 2, FRAME_ERROR = 4 };

typedef struct {
	uint8_t first, count, shift, length, flags;
	int32_t mux;
	uint32_t rangeFirst, rangeCount;
	double factor, offset;
} Signal;

typedef struct {
	uint32_t messageCount, signalCount;
	uint32_t *spans; /* first | count << 16 */
	Signal *signals;
	const double *ranges;
	uint16_t standard[0x800];
	uint32_t *extendedKeys;
	int32_t *extendedValues;
	uint32_t extendedMask;
	/* The store. */
	double *raws, *values, *updatedAt;
	uint32_t *updates;
	uint8_t *present;
} Decoder;

typedef struct {
	uint32_t id;
	uint8_t flags, dlc;
	uint8_t data[8];
	double timestamp;
} Frame;

/* A ring of fixed slots, drop-oldest: modules/can/ring.ts. */
#define RING_SLOTS 256
typedef struct {
	Frame slots[RING_SLOTS];
	uint32_t head, count, pushed, dropped;
} Ring;

static uint32_t hashId(uint32_t id) {
	return (uint32_t)(id * 0x9E3779B1u) >> 16;
}

static uint8_t *readFile(const char *path, size_t *size) {
	FILE *file = fopen(path, "rb");
	if (!file) {
		perror(path);
		exit(2);
	}
	fseek(file, 0, SEEK_END);
	*size = (size_t)ftell(file);
	fseek(file, 0, SEEK_SET);
	uint8_t *bytes = malloc(*size + 8);
	if (fread(bytes, 1, *size, file) != *size) {
		perror(path);
		exit(2);
	}
	fclose(file);
	return bytes;
}

static void loadPlan(Decoder *d, const uint8_t *blob) {
	const uint32_t *header = (const uint32_t *)blob;
	if (header[H_MAGIC] != PLAN_MAGIC || header[H_VERSION] != PLAN_VERSION) {
		fprintf(stderr, "decode: not a version %u plan\n", PLAN_VERSION);
		exit(2);
	}
	d->messageCount = header[H_MESSAGES];
	d->signalCount = header[H_SIGNALS];
	const uint32_t *messages = (const uint32_t *)(blob + header[H_MESSAGES_AT]);
	const int32_t *signals = (const int32_t *)(blob + header[H_SIGNALS_AT]);
	const double *scaling = (const double *)(blob + header[H_SCALING_AT]);
	d->ranges = (const double *)(blob + header[H_RANGES_AT]);
	d->spans = calloc(d->messageCount + 1, sizeof(uint32_t));
	d->signals = calloc(d->signalCount + 1, sizeof(Signal));
	memset(d->standard, 0, sizeof d->standard);
	uint32_t extended = 0;
	for (uint32_t m = 0; m < d->messageCount; m++) {
		const uint32_t *word = messages + m * MESSAGE_WORDS;
		d->spans[m] = word[M_FIRST] | (word[M_COUNT] << 16);
		if (word[M_ID] & EXTENDED_BIT)
			extended++;
	}
	uint32_t size = 4;
	while (size < extended * 2)
		size <<= 1;
	d->extendedKeys = calloc(size, sizeof(uint32_t));
	d->extendedValues = calloc(size, sizeof(int32_t));
	d->extendedMask = size - 1;
	for (uint32_t m = 0; m < d->messageCount; m++) {
		uint32_t word = messages[m * MESSAGE_WORDS + M_ID];
		if (word & EXTENDED_BIT) {
			uint32_t id = word & 0x1FFFFFFFu, slot = hashId(id) & d->extendedMask;
			while (d->extendedKeys[slot])
				slot = (slot + 1) & d->extendedMask;
			d->extendedKeys[slot] = id + 1;
			d->extendedValues[slot] = (int32_t)m;
		}
		else
			d->standard[word & 0x7FF] = (uint16_t)(m + 1);
	}
	for (uint32_t s = 0; s < d->signalCount; s++) {
		const int32_t *w = signals + s * SIGNAL_WORDS;
		Signal *g = &d->signals[s];
		g->first = (uint8_t)w[S_FIRST_BYTE];
		g->count = (uint8_t)w[S_BYTE_COUNT];
		g->shift = (uint8_t)w[S_SHIFT];
		g->length = (uint8_t)w[S_LENGTH];
		g->flags = (uint8_t)w[S_FLAGS];
		g->mux = w[S_MUX];
		g->rangeFirst = (uint32_t)w[S_RANGE_FIRST];
		g->rangeCount = (uint32_t)w[S_RANGE_COUNT];
		g->factor = scaling[s * SCALING_WORDS];
		g->offset = scaling[s * SCALING_WORDS + 1];
	}
	uint32_t n = d->signalCount + 1;
	d->raws = calloc(n, sizeof(double));
	d->values = calloc(n, sizeof(double));
	d->updatedAt = calloc(n, sizeof(double));
	d->updates = calloc(n, sizeof(uint32_t));
	d->present = calloc(n, 1);
}

static int32_t findMessage(const Decoder *d, uint32_t id, int extended) {
	if (!extended)
		return id <= 0x7FF ? (int32_t)d->standard[id] - 1 : -1;
	uint32_t slot = hashId(id) & d->extendedMask;
	for (;;) {
		uint32_t key = d->extendedKeys[slot];
		if (key == id + 1)
			return d->extendedValues[slot];
		if (!key)
			return -1;
		slot = (slot + 1) & d->extendedMask;
	}
}

static void decodeFrame(Decoder *d, const Frame *frame) {
	if (frame->flags & (FRAME_REMOTE | FRAME_ERROR))
		return;
	int32_t message = findMessage(d, frame->id, frame->flags & FRAME_EXTENDED);
	if (message < 0)
		return;
	uint32_t span = d->spans[message], first = span & 0xFFFF, end = first + (span >> 16);
	for (uint32_t s = first; s < end; s++) {
		const Signal *g = &d->signals[s];
		if (g->mux >= 0) {
			int selected = 0;
			if (d->present[g->mux]) {
				double selector = d->raws[g->mux];
				for (uint32_t r = g->rangeFirst; r < g->rangeFirst + g->rangeCount; r++)
					if (selector >= d->ranges[r * 2] && selector <= d->ranges[r * 2 + 1]) {
						selected = 1;
						break;
					}
			}
			if (!selected) {
				d->present[s] = 0;
				continue;
			}
		}
		if (g->first + g->count > frame->dlc) {
			d->present[s] = 0;
			continue;
		}
		uint64_t bits = 0;
		if (g->flags & F_LITTLE)
			for (int i = g->count - 1; i >= 0; i--)
				bits = (bits << 8) | frame->data[g->first + i];
		else
			for (int i = 0; i < g->count; i++)
				bits = (bits << 8) | frame->data[g->first + i];
		bits >>= g->shift;
		if (g->length < 64)
			bits &= (UINT64_C(1) << g->length) - 1;
		double raw;
		if (g->flags & F_FLOAT32) {
			uint32_t b32 = (uint32_t)bits;
			float f;
			memcpy(&f, &b32, 4);
			raw = f;
		}
		else if (g->flags & F_FLOAT64)
			memcpy(&raw, &bits, 8);
		else if ((g->flags & F_SIGNED) && g->length < 64 && (bits >> (g->length - 1)) & 1)
			raw = (double)(int64_t)(bits | ~((UINT64_C(1) << g->length) - 1));
		else if (g->flags & F_SIGNED)
			raw = (double)(int64_t)bits;
		else
			raw = (double)bits;
		d->raws[s] = raw;
		d->values[s] = raw * g->factor + g->offset;
		d->updatedAt[s] = frame->timestamp;
		d->updates[s]++;
		d->present[s] = 1;
	}
}

static void push(Ring *ring, uint32_t id, uint8_t flags, uint8_t dlc, const uint8_t *data, double timestamp) {
	ring->pushed++;
	if (ring->count == RING_SLOTS) {
		ring->head = (ring->head + 1) & (RING_SLOTS - 1);
		ring->count--;
		ring->dropped++;
	}
	Frame *slot = &ring->slots[(ring->head + ring->count++) & (RING_SLOTS - 1)];
	slot->id = id;
	slot->flags = flags;
	slot->dlc = dlc;
	memcpy(slot->data, data, 8);
	slot->timestamp = timestamp;
}

static int pop(Ring *ring, Frame *frame) {
	if (!ring->count)
		return 0;
	*frame = ring->slots[ring->head];
	ring->head = (ring->head + 1) & (RING_SLOTS - 1);
	ring->count--;
	return 1;
}

typedef struct {
	uint32_t count;
	uint32_t *ids;
	uint8_t *flags, *dlcs, *data;
} Source;

static void loadFrames(Source *source, const uint8_t *bytes) {
	memcpy(&source->count, bytes, 4);
	source->ids = malloc(source->count * 4 + 4);
	source->flags = malloc(source->count + 1);
	source->dlcs = malloc(source->count + 1);
	source->data = malloc(source->count * 8 + 8);
	for (uint32_t i = 0; i < source->count; i++) {
		const uint8_t *at = bytes + 4 + i * 16;
		memcpy(&source->ids[i], at, 4);
		source->flags[i] = at[4];
		source->dlcs[i] = at[5];
		memcpy(source->data + i * 8, at + 8, 8);
	}
}

int main(int argc, char **argv) {
	if (argc < 5 || (argc - 3) % 2) {
		fprintf(stderr, "usage: decode <passes> <values-out-prefix|-> <plan> <frames> [<plan> <frames>...]\n");
		return 2;
	}
	long passes = atol(argv[1]);
	int groups = (argc - 3) / 2;
	Decoder *decoders = calloc((size_t)groups, sizeof(Decoder));
	Source *sources = calloc((size_t)groups, sizeof(Source));
	for (int g = 0; g < groups; g++) {
		size_t size;
		loadPlan(&decoders[g], readFile(argv[3 + g * 2], &size));
		loadFrames(&sources[g], readFile(argv[4 + g * 2], &size));
	}
	static Ring ring;
	Frame frame;
	double time = 0;
	uint64_t frames = 0;
	for (long p = 0; p < passes; p++) {
		for (int g = 0; g < groups; g++) {
			Decoder *d = &decoders[g];
			const Source *source = &sources[g];
			for (uint32_t k = 0; k < source->count; k++) {
				push(&ring, source->ids[k], source->flags[k], source->dlcs[k], source->data + k * 8, time++);
				pop(&ring, &frame);
				decodeFrame(d, &frame);
			}
			frames += source->count;
		}
	}
	if (strcmp(argv[2], "-") != 0) {
		for (int g = 0; g < groups; g++) {
			char path[4096];
			snprintf(path, sizeof path, "%s%d.bin", argv[2], g);
			FILE *out = fopen(path, "wb");
			fwrite(decoders[g].values, sizeof(double), decoders[g].signalCount, out);
			fclose(out);
		}
	}
	printf("%llu\n", (unsigned long long)frames);
	return 0;
}
