/*
 * SLCAN receive parser: modules/can/slcan.ts SlcanParser (with the line
 * framing of modules/can/lines.ts LineParser) in C99, for the XS hosts where
 * parsing text in the interpreter costs about 1,000 instructions a byte.
 *
 * Takes a chunk of bytes cut anywhere, parses the complete lines in it
 * (`t`, `T`, `r`, `R` frames with an optional 4-digit adapter timestamp,
 * adapter replies, BEL, CAN FD commands, garbage, over-long lines) and
 * queues the frames straight into a FrameRing's storage with
 * FrameRing.pushFields's drop-oldest policy; a line the chunk cuts is kept
 * in the caller's line buffer for the next call. Every line is handled here,
 * none is handed back: the counters (lines, ignored, unsupported, malformed,
 * overlong, adapter errors, frames) and the timestamp unwrapping are
 * SlcanParser's, held to it by test/native-slcan.test.ts (host cc) and
 * test/native-slcan-xs.test.ts (XS).
 *
 * One difference by design: the host clock is read once per call (`now`),
 * where SlcanParser calls its clock once per frame; a chunk is read at one
 * moment, so its frames share that moment.
 *
 * Runs anywhere C99 runs (the XS task on the ESP32, never an ISR; the
 * simulator; the host test driver). No XS types, no allocation, no globals,
 * no libm: all state lives in the caller's memory.
 */
#ifndef SLCAN_ENGINE_H
#define SLCAN_ENGINE_H

#include <stdint.h>
#include "decode-engine.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The parser's state, doubles in this order (a Float64Array in XS): the
 * counters as SlcanParser names them, the timestamp history, the partial
 * line, and what the last call dropped from the ring.
 */
enum {
	SLS_FRAMES = 0,
	SLS_LINES = 1,
	SLS_IGNORED = 2,
	SLS_UNSUPPORTED = 3,
	SLS_MALFORMED = 4,
	SLS_OVERLONG = 5,
	SLS_ADAPTER_ERRORS = 6,
	SLS_HAS_CLOCK = 7,      /* set by the owner: frames get `now`, and `now` judges wraps */
	SLS_HAVE_TIMESTAMP = 8,
	SLS_LAST_RAW = 9,
	SLS_LAST_UNWRAPPED = 10,
	SLS_LAST_CLOCK = 11,
	SLS_LENGTH = 12,        /* bytes of the partial line kept in `line` */
	SLS_LINE_FLAGS = 13,    /* SLS_LINE_OVERLONG | SLS_LINE_AFTER_CR */
	SLS_DROPPED = 14,       /* out: queued frames the last call dropped */
	SLS_STATE = 16          /* doubles of state; the line buffer may follow them */
};
enum { SLS_LINE_OVERLONG = 1, SLS_LINE_AFTER_CR = 2 };

/* Longest frame command without its CR (SLCAN_MAX_FRAME_LENGTH): the least line capacity. */
enum { SLS_MAX_FRAME_LENGTH = 30 };

typedef struct {
	double *state;      /* SLS_STATE doubles */
	uint8_t *line;      /* the partial line: `capacity` bytes */
	uint32_t capacity;  /* SlcanParserOptions.maxLineLength, at least SLS_MAX_FRAME_LENGTH */
} SlsParser;

/*
 * SlcanParser.feed: parses `length` bytes, continuing the partial line,
 * queues the frames into `ring` (head and count updated; state[SLS_DROPPED]
 * says how many queued frames were dropped, FrameRing.dropped's increment;
 * pushed grows by the return value). `now` is the clock's time (0 without
 * one). Returns the frames queued.
 */
uint32_t sls_feed(SlsParser *parser, SdeRing *ring, const uint8_t *bytes, uint32_t length, double now);

/* SlcanParser.finish: the partial line, if any, parsed as if a CR had ended it. Returns the frames queued (0 or 1). */
uint32_t sls_finish(SlsParser *parser, SdeRing *ring, double now);

#ifdef __cplusplus
}
#endif

#endif
