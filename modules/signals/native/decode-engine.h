/*
 * Signal decode engine: the TypeScript Decoder (modules/signals/decoder.ts) in
 * C99, for the XS hosts where the interpreter cannot meet issue 6's budget.
 *
 * Runs anywhere C99 runs: the ESP32 (from the XS task, never from an ISR),
 * the simulator, the host test driver (test/native/engine-driver.c). Touches
 * only the memory it is handed: the plan blob (read in place, may be in
 * flash), the lookup tables it builds in a caller buffer, the SignalStore's
 * arrays, the `present` flags and the counters. No XS types, no allocation,
 * no globals; one engine per decoder, all state in the caller's memory.
 *
 * The TypeScript decoder is the reference: same plan, same store layout, same
 * values bit for bit (test/native-engine.test.ts holds the two together).
 */
#ifndef DECODE_ENGINE_H
#define DECODE_ENGINE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Frame flags: modules/can/frame.ts FrameFlag. */
enum { SDE_FRAME_EXTENDED = 1, SDE_FRAME_REMOTE = 2, SDE_FRAME_ERROR = 4 };

/*
 * Counters, in this order in SdeStore.counters: Decoder.decoded, unknown,
 * ignored, short; then the bus bits of the frames sde_pump popped, as
 * modules/can/frame.ts frameBits counts them for the bus load (Pipeline.bits).
 */
enum { SDE_DECODED = 0, SDE_UNKNOWN = 1, SDE_IGNORED = 2, SDE_SHORT = 3, SDE_BITS = 4, SDE_COUNTERS = 5 };

/* sde_check / sde_build results. */
enum {
	SDE_OK = 0,
	SDE_BAD_HEADER = -1,   /* too short, bad magic or version, length mismatch */
	SDE_BAD_SECTION = -2,  /* a section lies outside the blob or is misaligned */
	SDE_BAD_MESSAGE = -3,  /* a message's signals are outside the signal table */
	SDE_BAD_SIGNAL = -4,   /* a signal reads outside 8 bytes, or its multiplexer or ranges are out of range */
	SDE_BAD_TABLES = -5,   /* the tables buffer is too small or misaligned, or not built from this plan */
	SDE_BAD_STORE = -6,    /* a store array holds fewer entries than the plan has signals */
};

/*
 * The SignalStore's arrays (modules/signals/store.ts) and the decoder's flags
 * and counters, all signalCount long. `words` holds two 32-bit words of raw
 * bits per signal, laid out by the signal's raw kind as store.ts describes:
 * the engine writes no floating-point value per signal (the ESP32-C3/C6 have
 * no FPU), the store scales what the display reads.
 */
typedef struct {
	uint32_t *words;
	double *updatedAt;
	uint32_t *updates;
	uint8_t *present;
	double *counters; /* SDE_COUNTERS doubles: JavaScript numbers, so they never wrap; added to once per call */
} SdeStore;

/* What one call works on. Cheap to fill per call: pointers only. */
typedef struct {
	const uint8_t *plan;   /* the blob, 8-byte aligned, already checked by sde_build */
	const uint8_t *tables; /* built by sde_build from that same blob */
	SdeStore store;
} SdeEngine;

/* A FrameRing's storage (modules/can/ring.ts): sde_pump drains it oldest first, sde_ring_push_records fills it. */
typedef struct {
	uint32_t *ids;
	uint8_t *flags;
	uint8_t *dlcs;
	uint32_t *words;           /* two per slot: bytes 0-3 and 4-7, little-endian in value */
	double *timestamps;
	uint32_t head;             /* in: oldest slot; out: the next one */
	uint32_t count;            /* in: frames queued; out: frames left */
	uint32_t mask;             /* capacity - 1 */
} SdeRing;

/* The 8 payload bytes of ring slot `slot`, from its two little-endian words. */
static inline void sde_ring_payload(const SdeRing *ring, uint32_t slot, uint8_t data[8])
{
	uint32_t lo = ring->words[slot << 1], hi = ring->words[(slot << 1) + 1];
	data[0] = (uint8_t)lo;
	data[1] = (uint8_t)(lo >> 8);
	data[2] = (uint8_t)(lo >> 16);
	data[3] = (uint8_t)(lo >> 24);
	data[4] = (uint8_t)hi;
	data[5] = (uint8_t)(hi >> 8);
	data[6] = (uint8_t)(hi >> 16);
	data[7] = (uint8_t)(hi >> 24);
}

/* Checks a blob: header, sections, every message and signal. SDE_OK or an error. No allocation. */
int32_t sde_check(const uint8_t *plan, uint32_t bytes);
/* Bytes of tables sde_build needs for a checked blob. */
uint32_t sde_table_bytes(const uint8_t *plan);
/* Checks the blob and builds the lookup tables into `tables` (4-byte aligned, sde_table_bytes long). */
int32_t sde_build(const uint8_t *plan, uint32_t planBytes, uint8_t *tables, uint32_t tableBytes);
/*
 * O(1) check, before each call from a binding, that `engine` holds tables
 * sde_build made from a plan of `planBytes` in a buffer of `tableBytes`, and
 * store arrays of at least `storeLength` entries each. SDE_OK or an error.
 */
int32_t sde_valid(const SdeEngine *engine, uint32_t planBytes, uint32_t tableBytes, uint32_t storeLength);
/* Signals and messages of a built engine. */
uint32_t sde_signal_count(const SdeEngine *engine);
uint32_t sde_message_count(const SdeEngine *engine);

/* Message index of a CAN id, or -1: plan.ts DecodePlan.findMessage. */
int32_t sde_find(const SdeEngine *engine, uint32_t id, int extended);
/* Decoder.decode: message index, or -1 for unknown ids, remote and error frames (counted). */
int32_t sde_decode(const SdeEngine *engine, uint32_t id, uint32_t flags, uint32_t dlc, const uint8_t data[8], double now);
/* Decoder.decodeMessage: `message` must be below sde_message_count. */
void sde_decode_message(const SdeEngine *engine, uint32_t message, const uint8_t data[8], uint32_t dlc, double now);
/* Pops up to `max` frames off `ring` (updating head and count), adds their bus bits and decodes each. Returns how many. */
uint32_t sde_pump(const SdeEngine *engine, SdeRing *ring, uint32_t max);

/*
 * A tap's filter (modules/signals/pipeline.ts TapIds): `pairs` (value, mask)
 * pairs of u32; a frame matches a pair when its id, with SDE_TAP_EXTENDED set
 * for a 29-bit id, masked by `mask` equals `value`.
 */
enum { SDE_TAP_MAX_PAIRS = 16 };
#define SDE_TAP_EXTENDED 0x80000000u
/*
 * sde_pump that stops before the first frame matching `filter` (left queued
 * at ring->head, for the caller to hand to its tap). `pairs` 0: sde_pump.
 */
uint32_t sde_pump_until(const SdeEngine *engine, SdeRing *ring, uint32_t max, const uint32_t *filter, uint32_t pairs);

/* TWAI frame records (modules/can/twai.ts): u32 id little-endian, flags, DLC, 2 zero bytes, 8 data bytes. */
enum { SDE_RECORD_SIZE = 16 };

/*
 * Queues `count` records into `ring` as modules/can/twai-source.ts does one
 * by one (flags masked to extended and remote, no payload for a remote
 * frame) with FrameRing.pushFields's drop-oldest policy, all stamped
 * `timestamp`. Updates head and count; returns how many queued frames were
 * dropped (FrameRing.dropped's increment; pushed grows by `count`).
 */
uint32_t sde_ring_push_records(SdeRing *ring, const uint8_t *records, uint32_t count, double timestamp);

#ifdef __cplusplus
}
#endif

#endif
