/*
 * The ESP32's receive, queue and decode path in C, compiled for rv32imc (the
 * ESP32-C3's instruction set, no FPU) and run on QEMU with one instruction
 * per tick, so the `minstret` counter gives its exact cost per frame:
 *
 *   receive  twaiRxRingPush: what hosts/esp32/twai/twai.c's on_rx_done
 *            callback does with each frame the node driver hands it. Not
 *            counted: the interrupt's entry and exit, the node driver's own
 *            interrupt handler reading the frame from the controller and
 *            twai_node_receive_from_isr (ESP-IDF's code, not built here),
 *            and the callback's spinlock;
 *   queue    every <batch> frames, twaiRxRingRead into a records buffer (the
 *            TWAI object's read) and sde_ring_push_records into a FrameRing's
 *            storage (NativeDecoder.pushRecords);
 *   decode   sde_pump over that ring (NativeDecoder.pump).
 *
 * The XS→C calls around queue and decode (two per batch) are not in the
 * count: `npm run bench` measures them on XS (call16). Built by bench/rv32.ts
 * with the flags ESP-IDF builds components with (-Os). Allocates at load
 * (plans, tables, stores, rings); none per frame. After one pass it writes
 * each plan's store words, for the bench to check against the TypeScript
 * decoder.
 *
 * Usage: rv32-bench <passes> <batch> <words-out-prefix|-> <plan> <frames> [<plan> <frames>...]
 * Prints one line: frames, then receive, queue and decode instructions (totals).
 */
#include "bench-groups.h"
#include "twai-rx-ring.h"

/* Instructions retired so far: the minstret CSR (0xB02), read with an encoding old assemblers accept. */
static inline uint32_t retired(void) {
	uint32_t value;
	__asm__ volatile (".insn i 0x73, 2, %0, x0, -1278" : "=r"(value) : : "memory"); /* no store moves across it */
	return value;
}

#define RX_SLOTS 512     /* the TWAI module's ring (rxQueueLength's default) */
#define RING_SLOTS 512   /* the app's FrameRing */
#define MAX_BATCH 128    /* TwaiSource's records buffer */

static uint8_t rxSlots[RX_SLOTS * TWAI_RX_RECORD_SIZE], records[MAX_BATCH * TWAI_RX_RECORD_SIZE];
static uint32_t ids[RING_SLOTS], words[RING_SLOTS * 2];
static uint8_t flags[RING_SLOTS], dlcs[RING_SLOTS];
static double timestamps[RING_SLOTS];

int main(int argc, char **argv) {
	BenchInput input = readBenchInput("rv32-bench", argc, argv, MAX_BATCH);
	Group *group = input.groups;
	uint32_t batch = input.batch;
	TwaiRxRing rx;
	twaiRxRingInit(&rx, rxSlots, RX_SLOTS);
	SdeRing ring = { ids, flags, dlcs, words, timestamps, 0, 0, RING_SLOTS - 1 };
	uint64_t receive = 0, queue = 0, decode = 0, frames = 0;
	double now = 0;
	for (long p = 0; p < input.passes; p++) {
		for (int g = 0; g < input.count; g++) {
			const SdeEngine *e = &group[g].engine;
			for (uint32_t k = 0; k < group[g].count; k++) {
				const uint8_t *f = group[g].frames + 4 + k * 16;
				uint32_t id;
				memcpy(&id, f, 4);
				uint32_t before = retired();
				twaiRxRingPush(&rx, id, f[4], f[5], f + 8);
				uint32_t pushed = retired();
				receive += pushed - before;
				if (twaiRxRingCount(&rx) == batch || k + 1 == group[g].count) {
					before = retired();
					uint32_t n = twaiRxRingRead(&rx, records, batch);
					sde_ring_push_records(&ring, records, n, now);
					uint32_t queued = retired();
					sde_pump(e, &ring, RING_SLOTS);
					uint32_t decoded = retired();
					queue += queued - before;
					decode += decoded - queued;
					now += 33;
				}
			}
			frames += group[g].count;
		}
		if (p == 0)
			writeBenchWords(&input);
	}
	printf("%llu %llu %llu %llu %.0f\n", (unsigned long long)frames, (unsigned long long)receive, (unsigned long long)queue, (unsigned long long)decode, benchDecoded(&input));
	return 0;
}
