/*
 * TwaiRxRing: the TWAI module's receive ring. Fixed slots holding frame
 * records in the 16-byte layout of modules/can/twai.ts (TWAI_RECORD_SIZE),
 * so read() hands them to TypeScript as they are:
 *   bytes 0..3  identifier, little-endian
 *   byte  4     flags (1 extended, 2 remote: FrameFlag in modules/can/frame.ts)
 *   byte  5     DLC, 0..8
 *   bytes 6..7  zero
 *   bytes 8..15 data; bytes past the DLC (all of them for a remote frame) zero
 *
 * Overflow policy, drop-OLDEST as FrameRing (modules/can/ring.ts): a push into
 * a full ring discards the oldest record, counts it in `dropped`, and reuses
 * its slot. A cluster shows the present, so the newest frames are kept.
 *
 * Pure C99 with no ESP-IDF or XS dependency: hosts/esp32/twai/twai.c pushes
 * from the node driver's on_rx_done callback (interrupt context) and reads
 * from the XS task; test/twai-rx-ring.test.ts runs it with the host cc; the
 * RV32 bench includes it too. Nothing here locks: the caller serializes push
 * and read (twai.c holds one portMUX spinlock around each call).
 *
 * The storage is the caller's (capacity * TWAI_RX_RECORD_SIZE bytes, allocated
 * once); nothing here allocates. Push is branch-light and calls no library
 * function (it runs in an ISR that may have to run from IRAM with the flash
 * cache off): a power-of-two mask, 16 byte stores. Read copies with memcpy,
 * at most two runs (before and after the wrap).
 */
#ifndef TWAI_RX_RING_H
#define TWAI_RX_RING_H

#include <stdint.h>
#include <string.h>

#define TWAI_RX_RECORD_SIZE (16)		/* TWAI_RECORD_SIZE in modules/can/twai.ts */
#define TWAI_RX_RECORD_DATA (8)			/* TWAI_RECORD_DATA */
#define TWAI_RX_FLAG_EXTENDED (1)		/* FrameFlag.extended */
#define TWAI_RX_FLAG_REMOTE (2)			/* FrameFlag.remote */
#define TWAI_RX_MAX_DLC (8)
#define TWAI_RX_RING_MAX (65536)

/*
 * Every function is inlined into its caller, so that an IRAM_ATTR callback
 * stays in IRAM whole. A caller may define TWAI_RX_RING_INLINE before
 * including this file to choose otherwise.
 */
#ifndef TWAI_RX_RING_INLINE
	#if defined(__GNUC__)
		#define TWAI_RX_RING_INLINE static inline __attribute__((always_inline))
	#else
		#define TWAI_RX_RING_INLINE static inline
	#endif
#endif

typedef struct {
	uint8_t *slots;			/* capacity * TWAI_RX_RECORD_SIZE bytes, the caller's */
	uint32_t mask;			/* capacity - 1 */
	uint32_t head;			/* slot of the oldest record */
	uint32_t count;			/* records waiting */
	uint32_t pushed;		/* frames pushed since init */
	uint32_t dropped;		/* oldest records discarded to make room since init */
} TwaiRxRing;

/*
 * Sets `ring` up over `slots` (capacity * TWAI_RX_RECORD_SIZE bytes), empty,
 * counters zero. Returns 0, or -1 (ring untouched) when `capacity` is not a
 * power of two from 2 to TWAI_RX_RING_MAX.
 */
TWAI_RX_RING_INLINE int twaiRxRingInit(TwaiRxRing *ring, uint8_t *slots, uint32_t capacity)
{
	if ((capacity < 2) || (capacity > TWAI_RX_RING_MAX) || (capacity & (capacity - 1)) || !slots)
		return -1;
	ring->slots = slots;
	ring->mask = capacity - 1;
	ring->head = 0;
	ring->count = 0;
	ring->pushed = 0;
	ring->dropped = 0;
	return 0;
}

/*
 * Writes one frame as a record; when the ring is full, first discards the
 * oldest record (counted in `dropped`). `flags` keeps its extended and remote
 * bits; a DLC above 8 is stored as 8; `data` is read for min(dlc, 8) bytes of
 * a data frame and not at all for a remote frame (it may then be NULL).
 */
TWAI_RX_RING_INLINE void twaiRxRingPush(TwaiRxRing *ring, uint32_t id, uint8_t flags, uint8_t dlc, const uint8_t *data)
{
	uint8_t *record;
	uint32_t length, i;

	ring->pushed++;
	if (ring->count > ring->mask) {
		ring->head = (ring->head + 1) & ring->mask;
		ring->count--;
		ring->dropped++;
	}
	record = ring->slots + (((ring->head + ring->count) & ring->mask) * TWAI_RX_RECORD_SIZE);
	ring->count++;

	flags &= (TWAI_RX_FLAG_EXTENDED | TWAI_RX_FLAG_REMOTE);
	if (dlc > TWAI_RX_MAX_DLC)
		dlc = TWAI_RX_MAX_DLC;
	length = (flags & TWAI_RX_FLAG_REMOTE) ? 0 : dlc;
	record[0] = (uint8_t)id;
	record[1] = (uint8_t)(id >> 8);
	record[2] = (uint8_t)(id >> 16);
	record[3] = (uint8_t)(id >> 24);
	record[4] = flags;
	record[5] = dlc;
	record[6] = 0;
	record[7] = 0;
	for (i = 0; i < TWAI_RX_MAX_DLC; i++)
		record[TWAI_RX_RECORD_DATA + i] = (i < length) ? data[i] : 0;
}

/*
 * Copies the oldest records, at most `max`, into `out` (TWAI_RX_RECORD_SIZE
 * bytes each, any alignment) and removes them. Returns how many.
 */
TWAI_RX_RING_INLINE uint32_t twaiRxRingRead(TwaiRxRing *ring, uint8_t *out, uint32_t max)
{
	uint32_t n = (ring->count < max) ? ring->count : max;
	uint32_t first = ring->mask + 1 - ring->head;		/* records before the wrap */

	if (first > n)
		first = n;
	if (first)
		memcpy(out, ring->slots + (ring->head * TWAI_RX_RECORD_SIZE), first * TWAI_RX_RECORD_SIZE);
	if (n > first)
		memcpy(out + (first * TWAI_RX_RECORD_SIZE), ring->slots, (n - first) * TWAI_RX_RECORD_SIZE);
	ring->head = (ring->head + n) & ring->mask;
	ring->count -= n;
	return n;
}

/* Records waiting. */
TWAI_RX_RING_INLINE uint32_t twaiRxRingCount(const TwaiRxRing *ring)
{
	return ring->count;
}

#endif
