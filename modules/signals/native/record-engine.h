/*
 * Candump recording engine: CandumpRecorder.record (modules/can/recorder.ts)
 * in C99, run over the frames queued in a FrameRing before they are pumped,
 * so a recording costs no per-frame work in XS.
 *
 * Runs anywhere C99 runs (ESP32 XS task, simulator, host tests). Touches only
 * the memory it is handed: the ring's storage (read only) and the recorder's
 * chunks, chunk lengths, end-of-file flags and cursor. No allocation, no
 * globals, no I/O: like the TypeScript recorder it never touches the file.
 *
 * The TypeScript recorder is the reference: same lines (byte for byte
 * formatCandumpLine's `-l` form), same size cap, rotation and drop counting
 * (test/native-record.test.ts holds the two together).
 */
#ifndef RECORD_ENGINE_H
#define RECORD_ENGINE_H

#include <stdint.h>
#include "decode-engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The recorder's cursor, doubles in this order (recorder.ts RecorderStorage):
 * state (0 recording, 1 full, 2 closed), frames, dropped, bytes, files, the
 * chunk being filled and its fill, the oldest queued chunk and how many are
 * queued, bytes of the current file; then its settings: maxBytes, rotate
 * (0 or 1), chunk size, chunks.
 */
enum {
	SRE_STATE, SRE_FRAMES, SRE_DROPPED, SRE_BYTES, SRE_FILES, SRE_CURRENT, SRE_FILL, SRE_HEAD, SRE_QUEUED, SRE_FILE_BYTES,
	SRE_MAX_BYTES, SRE_ROTATE, SRE_CHUNK_SIZE, SRE_CHUNKS, SRE_CURSOR
};
enum { SRE_RECORDING = 0, SRE_FULL = 1, SRE_CLOSED = 2 };
/* Most chunks a recorder may have; longest line (recorder.ts LINE_CAPACITY); longest interface name. */
enum { SRE_MAX_CHUNKS = 64, SRE_LINE_CAPACITY = 72, SRE_NAME_CAPACITY = 16 };

typedef struct {
	uint8_t *chunks[SRE_MAX_CHUNKS]; /* each SRE_CHUNK_SIZE bytes */
	uint32_t *lengths;               /* bytes in each queued chunk */
	uint8_t *endsFile;               /* 1 when a queued chunk is the last of its file */
	const uint8_t *name;             /* the interface name, 1 to 16 printable bytes */
	uint32_t nameLength;
	double *cursor;                  /* SRE_CURSOR doubles, checked by the caller */
} SreRecorder;

/*
 * Writes the candump `-l` line of one frame (recorder.ts format) into `line`
 * (SRE_LINE_CAPACITY bytes); returns its length, newline included.
 */
uint32_t sre_format(uint8_t *line, const uint8_t *name, uint32_t nameLength, uint32_t id, uint32_t flags, uint32_t dlc, const uint8_t data[8], double timestamp);

/*
 * CandumpRecorder.record for each of the first `max` frames queued in `ring`
 * (oldest first), leaving the ring as it is. Returns how many frames it
 * looked at (recorded or dropped).
 */
uint32_t sre_record_ring(SreRecorder *recorder, const SdeRing *ring, uint32_t max);

#ifdef __cplusplus
}
#endif

#endif
