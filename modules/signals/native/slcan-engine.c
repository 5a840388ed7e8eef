/*
 * SLCAN receive parser in C99: see slcan-engine.h. The reference is
 * modules/can/slcan.ts SlcanParser with modules/can/lines.ts LineParser's
 * framing; this file keeps their rules, in the order they apply them:
 *
 * - A line ends at CR, LF or BEL; an LF right after a CR (in the same chunk
 *   or the next) belongs to the CR. Only the first `capacity` bytes of a
 *   line are kept; a longer one is `overlong`.
 * - A BEL counts an adapter error; bytes before it (or an over-long line)
 *   are a command that never got its CR: a line, malformed (or overlong).
 * - Any other line is counted in `lines`, then: overlong; empty (ignored);
 *   a valid frame command (queued); `t`, `T`, `r`, `R` otherwise
 *   (malformed); a reply `z Z V v N F` (ignored); CAN FD `d D b B`
 *   (unsupported); anything else (malformed).
 * - A frame command is exactly: command, 3 or 8 hex id digits (at most
 *   0x7FF or 0x1FFFFFFF), a DLC digit 0..8, two hex digits a data byte (none
 *   for a remote frame), then nothing or 4 hex timestamp digits (at most
 *   0xEA5F).
 */
#include "slcan-engine.h"

enum { CR = 0x0D, LF = 0x0A, BEL = 0x07 };
enum { TIMESTAMP_MAX = 0xEA5F };
#define TIMESTAMP_PERIOD 60000.0
/* 2^52: from here on every double is an integer. */
#define INTEGRAL 4503599627370496.0

/* Each byte's value as a hex digit plus one; 0 for a byte that is not one. */
static const uint8_t hexPlusOne[256] = {
	['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8, ['8'] = 9, ['9'] = 10,
	['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
	['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
};

/* One call's work: where frames go, the clock's time, what was queued and dropped. */
typedef struct {
	SlsParser *parser;
	SdeRing *ring;
	double now;
	uint32_t frames;
	uint32_t dropped;
} SlsCall;

/* FrameRing.pushFields: drop the oldest when full, then fill the next slot. */
static void push(SlsCall *call, uint32_t id, uint32_t flags, uint32_t dlc, const uint8_t data[8], double time)
{
	SdeRing *ring = call->ring;
	if (ring->count == ring->mask + 1) {
		ring->head = (ring->head + 1) & ring->mask;
		ring->count--;
		call->dropped++;
	}
	uint32_t slot = (ring->head + ring->count++) & ring->mask;
	ring->words[slot << 1] = (uint32_t)data[0] | ((uint32_t)data[1] << 8) | ((uint32_t)data[2] << 16) | ((uint32_t)data[3] << 24);
	ring->words[(slot << 1) + 1] = (uint32_t)data[4] | ((uint32_t)data[5] << 8) | ((uint32_t)data[6] << 16) | ((uint32_t)data[7] << 24);
	ring->ids[slot] = id;
	ring->flags[slot] = (uint8_t)flags;
	ring->dlcs[slot] = (uint8_t)dlc;
	ring->timestamps[slot] = time;
	call->frames++;
}

/* SlcanParser.unwrap: the adapter's raw timestamp as monotonic milliseconds. */
static double unwrap(SlsCall *call, uint32_t raw)
{
	double *state = call->parser->state;
	int hasClock = state[SLS_HAS_CLOCK] != 0;
	double now = hasClock ? call->now : 0;
	if (state[SLS_HAVE_TIMESTAMP] == 0) {
		state[SLS_HAVE_TIMESTAMP] = 1;
		state[SLS_LAST_RAW] = raw;
		state[SLS_LAST_UNWRAPPED] = hasClock ? now : (double)raw;
		state[SLS_LAST_CLOCK] = now;
		return state[SLS_LAST_UNWRAPPED];
	}
	double delta = (double)raw - state[SLS_LAST_RAW];
	double wraps = delta < 0 ? 1 : 0;
	if (hasClock) {
		/* Math.round, where it can matter (at least 0.5: above `wraps`); NaN never wins. */
		double x = (now - state[SLS_LAST_CLOCK] - delta) / TIMESTAMP_PERIOD;
		if (x >= 0.5) {
			double byClock = x >= INTEGRAL ? x : (double)(int64_t)(x + 0.5);
			if (byClock > wraps)
				wraps = byClock;
		}
		state[SLS_LAST_CLOCK] = now;
	}
	state[SLS_LAST_RAW] = raw;
	double step = delta + wraps * TIMESTAMP_PERIOD;
	state[SLS_LAST_UNWRAPPED] = state[SLS_LAST_UNWRAPPED] + step;
	return state[SLS_LAST_UNWRAPPED];
}

/* A frame command of `length` bytes at `s`: queued and 1 when valid, else 0 with nothing changed. */
static int frameLine(SlsCall *call, const uint8_t *s, uint32_t length)
{
	uint32_t flags, idDigits, idMask;
	switch (s[0]) {
	case 't': flags = 0; idDigits = 3; idMask = 0x7FF; break;
	case 'T': flags = SDE_FRAME_EXTENDED; idDigits = 8; idMask = 0x1FFFFFFF; break;
	case 'r': flags = SDE_FRAME_REMOTE; idDigits = 3; idMask = 0x7FF; break;
	case 'R': flags = SDE_FRAME_EXTENDED | SDE_FRAME_REMOTE; idDigits = 8; idMask = 0x1FFFFFFF; break;
	default: return 0;
	}
	uint32_t dlcAt = 1 + idDigits;
	if (length <= dlcAt)
		return 0;
	uint32_t id = 0;
	for (uint32_t i = 1; i < dlcAt; i++) {
		uint32_t d = hexPlusOne[s[i]];
		if (!d)
			return 0;
		id = (id << 4) | (d - 1);
	}
	uint32_t dlc = (uint32_t)s[dlcAt] - '0';
	if (id > idMask || dlc > 8)
		return 0;
	uint32_t dataLength = (flags & SDE_FRAME_REMOTE) ? 0 : dlc;
	uint32_t timestampAt = dlcAt + 1 + dataLength * 2;
	int32_t raw = -1;
	if (length == timestampAt + 4) {
		uint32_t d0 = hexPlusOne[s[timestampAt]], d1 = hexPlusOne[s[timestampAt + 1]];
		uint32_t d2 = hexPlusOne[s[timestampAt + 2]], d3 = hexPlusOne[s[timestampAt + 3]];
		if (!d0 || !d1 || !d2 || !d3)
			return 0;
		raw = (int32_t)((((d0 - 1) * 16 + (d1 - 1)) * 16 + (d2 - 1)) * 16 + (d3 - 1));
		if (raw > TIMESTAMP_MAX)
			return 0;
	}
	else if (length != timestampAt)
		return 0;
	uint8_t data[8] = { 0 };
	const uint8_t *at = s + dlcAt + 1;
	for (uint32_t k = 0; k < dataLength; k++, at += 2) {
		uint32_t high = hexPlusOne[at[0]], low = hexPlusOne[at[1]];
		if (!high || !low)
			return 0;
		data[k] = (uint8_t)(((high - 1) << 4) | (low - 1));
	}
	double time;
	if (raw >= 0)
		time = unwrap(call, (uint32_t)raw);
	else
		time = call->parser->state[SLS_HAS_CLOCK] != 0 ? call->now : 0;
	push(call, id, flags, dlc, data, time);
	return 1;
}

/* One whole line, `length` bytes kept at `s`, ended by `terminator` (0: the input's end). */
static void lineEnded(SlsCall *call, const uint8_t *s, uint32_t length, int overlong, int terminator)
{
	double *state = call->parser->state;
	if (terminator == BEL) {
		state[SLS_ADAPTER_ERRORS]++;
		if (length == 0 && !overlong)
			return;
		state[SLS_LINES]++;
		state[overlong ? SLS_OVERLONG : SLS_MALFORMED]++;
		return;
	}
	state[SLS_LINES]++;
	if (overlong) {
		state[SLS_OVERLONG]++;
		return;
	}
	if (length == 0) {
		state[SLS_IGNORED]++;
		return;
	}
	switch (s[0]) {
	case 't': case 'T': case 'r': case 'R':
		if (frameLine(call, s, length))
			state[SLS_FRAMES]++;
		else
			state[SLS_MALFORMED]++;
		return;
	case 'z': case 'Z': case 'V': case 'v': case 'N': case 'F':
		state[SLS_IGNORED]++;
		return;
	case 'd': case 'D': case 'b': case 'B':
		state[SLS_UNSUPPORTED]++;
		return;
	default:
		state[SLS_MALFORMED]++;
	}
}

/* Adds `bytes[0, n)` to the partial line: what does not fit makes it overlong. */
static void keep(SlsParser *parser, uint32_t *kept, uint32_t *lineFlags, const uint8_t *bytes, uint32_t n)
{
	uint32_t room = parser->capacity - *kept;
	if (n > room) {
		n = room;
		*lineFlags |= SLS_LINE_OVERLONG;
	}
	for (uint32_t k = 0; k < n; k++)
		parser->line[*kept + k] = bytes[k];
	*kept += n;
}

uint32_t sls_feed(SlsParser *parser, SdeRing *ring, const uint8_t *bytes, uint32_t length, double now)
{
	SlsCall call = { parser, ring, now, 0, 0 };
	double *state = parser->state;
	state[SLS_DROPPED] = 0;
	if (length == 0)
		return 0;
	uint32_t kept = (uint32_t)state[SLS_LENGTH], lineFlags = (uint32_t)state[SLS_LINE_FLAGS];
	uint32_t i = 0;
	if (lineFlags & SLS_LINE_AFTER_CR) {
		lineFlags &= ~(uint32_t)SLS_LINE_AFTER_CR;
		if (bytes[0] == LF)
			i = 1;
	}
	while (i < length) {
		uint32_t end = i;
		while (end < length && bytes[end] != CR && bytes[end] != LF && bytes[end] != BEL)
			end++;
		if (end == length) {
			keep(parser, &kept, &lineFlags, bytes + i, length - i);
			break;
		}
		int terminator = bytes[end];
		if (kept > 0 || (lineFlags & SLS_LINE_OVERLONG)) {
			/* The end of a line an earlier chunk cut. */
			keep(parser, &kept, &lineFlags, bytes + i, end - i);
			lineEnded(&call, parser->line, kept, (lineFlags & SLS_LINE_OVERLONG) != 0, terminator);
			kept = 0;
			lineFlags &= ~(uint32_t)SLS_LINE_OVERLONG;
		}
		else if (end - i > parser->capacity)
			lineEnded(&call, bytes + i, parser->capacity, 1, terminator);
		else
			lineEnded(&call, bytes + i, end - i, 0, terminator);
		i = end + 1;
		if (terminator == CR) {
			if (i == length)
				lineFlags |= SLS_LINE_AFTER_CR;
			else if (bytes[i] == LF)
				i++;
		}
	}
	state[SLS_LENGTH] = kept;
	state[SLS_LINE_FLAGS] = lineFlags;
	state[SLS_DROPPED] = call.dropped;
	return call.frames;
}

uint32_t sls_finish(SlsParser *parser, SdeRing *ring, double now)
{
	SlsCall call = { parser, ring, now, 0, 0 };
	double *state = parser->state;
	uint32_t kept = (uint32_t)state[SLS_LENGTH], lineFlags = (uint32_t)state[SLS_LINE_FLAGS];
	if (kept > 0 || (lineFlags & SLS_LINE_OVERLONG))
		lineEnded(&call, parser->line, kept, (lineFlags & SLS_LINE_OVERLONG) != 0, 0);
	state[SLS_LENGTH] = 0;
	state[SLS_LINE_FLAGS] = 0;
	state[SLS_DROPPED] = call.dropped;
	return call.frames;
}
