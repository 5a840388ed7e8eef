/*
 * XS binding of the native decode engine: the host functions behind
 * modules/signals/native-decoder.ts (`native("xs_sde_...")`).
 *
 * Runs in the XS task (simulator, ESP32; the bench links it into an xsnap
 * worker too). Touches only its arguments' buffers: it takes their data
 * pointers afresh on every call (ArrayBuffer data moves when XS compacts its
 * chunk heap, which cannot happen during a call that allocates nothing),
 * checks every length in O(1), then hands plain pointers to the engine.
 * No allocation; throws TypeError or RangeError on a bad argument.
 *
 * Arguments 0-6 of every call after build: the plan (ArrayBuffer or a
 * Resource's host buffer), the tables ArrayBuffer sde_build filled, the
 * store's words (a Uint32Array's buffer, two words a signal) and updatedAt
 * (a Float64Array's buffer) and updates (a Uint32Array's buffer), the
 * `present` Uint8Array, the counters (a Float64Array(5)'s buffer).
 *
 * The SLCAN parser (slcan-engine.c) has its own entry, xs_sls_feed, which
 * takes no plan: modules/can/native-slcan.ts NativeSlcanParser calls it.
 */
#include "xsmc.h"
#include "decode-engine.h"
#include "record-engine.h"
#include "slcan-engine.h"

static void *readable(xsMachine *the, xsSlot *slot, xsUnsignedValue *length) {
	void *data;
	_xsmcGetBuffer(the, slot, &data, length, 0);
	return data;
}

static void *writable(xsMachine *the, xsSlot *slot, xsUnsignedValue *length) {
	void *data;
	_xsmcGetBuffer(the, slot, &data, length, 1);
	return data;
}

static uint32_t smaller(uint32_t a, uint32_t b) {
	return a < b ? a : b;
}

/* Fills `engine` from arguments 0-6 and checks it. */
static void engineFromArguments(xsMachine *the, SdeEngine *engine) {
	xsUnsignedValue planBytes, tableBytes, words, updatedAt, updates, present, counters;
	if (xsmcArgc < 7)
		xsTypeError("native decoder: missing arguments");
	engine->plan = readable(the, &xsArg(0), &planBytes);
	engine->tables = readable(the, &xsArg(1), &tableBytes);
	engine->store.words = writable(the, &xsArg(2), &words);
	engine->store.updatedAt = writable(the, &xsArg(3), &updatedAt);
	engine->store.updates = writable(the, &xsArg(4), &updates);
	engine->store.present = writable(the, &xsArg(5), &present);
	engine->store.counters = writable(the, &xsArg(6), &counters);
	if (counters < SDE_COUNTERS * sizeof(double))
		xsRangeError("native decoder: counters too short");
	if (((uintptr_t)engine->store.words & 3) || ((uintptr_t)engine->store.updatedAt & 7) || ((uintptr_t)engine->store.updates & 3) || ((uintptr_t)engine->store.counters & 7))
		xsRangeError("native decoder: misaligned store");
	uint32_t length = smaller(smaller(words / 8, updatedAt / 8), smaller(updates / 4, present));
	int32_t error = sde_valid(engine, planBytes, tableBytes, length);
	if (error == SDE_BAD_STORE)
		xsRangeError("native decoder: store smaller than the plan");
	if (error)
		xsTypeError("native decoder: tables not built from this plan");
}

/* xs_sde_table_bytes(plan): bytes of tables the plan needs, or a negative sde_check error. */
void xs_sde_table_bytes(xsMachine *the) {
	xsUnsignedValue planBytes;
	const uint8_t *plan = readable(the, &xsArg(0), &planBytes);
	int32_t error = sde_check(plan, planBytes);
	xsmcSetInteger(xsResult, error ? error : (xsIntegerValue)sde_table_bytes(plan));
}

/* xs_sde_build(plan, tables): builds the tables; returns 0 or a negative sde_build error. */
void xs_sde_build(xsMachine *the) {
	xsUnsignedValue planBytes, tableBytes;
	const uint8_t *plan = readable(the, &xsArg(0), &planBytes);
	uint8_t *tables = writable(the, &xsArg(1), &tableBytes);
	xsmcSetInteger(xsResult, sde_build(plan, planBytes, tables, tableBytes));
}

static uint32_t dlcOf(xsMachine *the, xsSlot *slot) {
	xsIntegerValue dlc = xsmcToInteger(*slot);
	return dlc < 0 ? 0 : (uint32_t)dlc;
}

static const uint8_t *payloadOf(xsMachine *the, xsSlot *slot) {
	xsUnsignedValue length;
	const uint8_t *data = readable(the, slot, &length);
	if (length < 8)
		xsRangeError("native decoder: data shorter than 8 bytes");
	return data;
}

/* xs_sde_decode(...0-6, id, flags, dlc, data, timestamp): Decoder.decode. */
void xs_sde_decode(xsMachine *the) {
	SdeEngine engine;
	engineFromArguments(the, &engine);
	if (xsmcArgc < 12)
		xsTypeError("native decoder: decode: missing arguments");
	uint32_t id = (uint32_t)xsmcToInteger(xsArg(7));
	uint32_t flags = (uint32_t)xsmcToInteger(xsArg(8));
	uint32_t dlc = dlcOf(the, &xsArg(9));
	const uint8_t *data = payloadOf(the, &xsArg(10));
	double now = xsmcToNumber(xsArg(11));
	xsmcSetInteger(xsResult, sde_decode(&engine, id, flags, dlc, data, now));
}

/* xs_sde_decode_message(...0-6, message, data, dlc, now): Decoder.decodeMessage. */
void xs_sde_decode_message(xsMachine *the) {
	SdeEngine engine;
	engineFromArguments(the, &engine);
	if (xsmcArgc < 11)
		xsTypeError("native decoder: decodeMessage: missing arguments");
	xsIntegerValue message = xsmcToInteger(xsArg(7));
	if (message < 0 || (uint32_t)message >= sde_message_count(&engine))
		xsRangeError("native decoder: no such message");
	const uint8_t *data = payloadOf(the, &xsArg(8));
	sde_decode_message(&engine, (uint32_t)message, data, dlcOf(the, &xsArg(9)), xsmcToNumber(xsArg(10)));
}

/*
 * xs_sde_pump(...0-6, ids, flags, dlcs, words, timestamps, head, count, max[, filter]):
 * a FrameRing's storage (ids, words and timestamps as ArrayBuffers, flags and
 * dlcs as Uint8Arrays), drained oldest first, stopping before the first frame
 * a tap's filter (an ArrayBuffer of u32 value, mask pairs, or null) matches.
 * Returns the frames decoded; the caller advances the ring's head and count
 * by that many.
 */
void xs_sde_pump(xsMachine *the) {
	SdeEngine engine;
	SdeRing ring;
	xsUnsignedValue ids, flags, dlcs, words, timestamps;
	engineFromArguments(the, &engine);
	if (xsmcArgc < 15)
		xsTypeError("native decoder: pump: missing arguments");
	ring.ids = readable(the, &xsArg(7), &ids);
	ring.flags = readable(the, &xsArg(8), &flags);
	ring.dlcs = readable(the, &xsArg(9), &dlcs);
	ring.words = readable(the, &xsArg(10), &words);
	ring.timestamps = readable(the, &xsArg(11), &timestamps);
	uint32_t capacity = ids / 4;
	xsIntegerValue head = xsmcToInteger(xsArg(12)), count = xsmcToInteger(xsArg(13)), max = xsmcToInteger(xsArg(14));
	if (capacity < 2 || (capacity & (capacity - 1)) || flags < capacity || dlcs < capacity || words < capacity * 8 || timestamps < capacity * 8)
		xsRangeError("native decoder: pump: not a FrameRing's storage");
	if (head < 0 || (uint32_t)head >= capacity || count < 0 || (uint32_t)count > capacity)
		xsRangeError("native decoder: pump: head or count out of range");
	ring.head = (uint32_t)head;
	ring.count = (uint32_t)count;
	ring.mask = capacity - 1;
	const uint32_t *filter = 0;
	uint32_t pairs = 0;
	if (xsmcArgc > 15 && xsmcTest(xsArg(15))) {
		xsUnsignedValue filterBytes;
		filter = readable(the, &xsArg(15), &filterBytes);
		if ((filterBytes & 7) || filterBytes > SDE_TAP_MAX_PAIRS * 8 || ((uintptr_t)filter & 3))
			xsRangeError("native decoder: pump: bad tap filter");
		pairs = (uint32_t)(filterBytes / 8);
	}
	xsmcSetInteger(xsResult, (xsIntegerValue)sde_pump_until(&engine, &ring, max < 0 ? 0 : (uint32_t)max, filter, pairs));
}

/*
 * xs_sde_ring_push(ids, flags, dlcs, words, timestamps, head, count, records, n, timestamp):
 * queues n TWAI records (modules/can/twai.ts layout) into a FrameRing's
 * storage as twai-source.ts does one by one. Returns the frames dropped; the
 * caller advances head by that many and count by n minus that many.
 */
void xs_sde_ring_push(xsMachine *the) {
	SdeRing ring;
	xsUnsignedValue ids, flags, dlcs, words, timestamps, records;
	if (xsmcArgc < 10)
		xsTypeError("native decoder: push: missing arguments");
	ring.ids = writable(the, &xsArg(0), &ids);
	ring.flags = writable(the, &xsArg(1), &flags);
	ring.dlcs = writable(the, &xsArg(2), &dlcs);
	ring.words = writable(the, &xsArg(3), &words);
	ring.timestamps = writable(the, &xsArg(4), &timestamps);
	uint32_t capacity = ids / 4;
	xsIntegerValue head = xsmcToInteger(xsArg(5)), count = xsmcToInteger(xsArg(6));
	if (capacity < 2 || (capacity & (capacity - 1)) || flags < capacity || dlcs < capacity || words < capacity * 8 || timestamps < capacity * 8)
		xsRangeError("native decoder: push: not a FrameRing's storage");
	if (head < 0 || (uint32_t)head >= capacity || count < 0 || (uint32_t)count > capacity)
		xsRangeError("native decoder: push: head or count out of range");
	const uint8_t *data = readable(the, &xsArg(7), &records);
	xsIntegerValue n = xsmcToInteger(xsArg(8));
	if (n < 0 || (xsUnsignedValue)n > records / SDE_RECORD_SIZE)
		xsRangeError("native decoder: push: more records than the buffer holds");
	ring.head = (uint32_t)head;
	ring.count = (uint32_t)count;
	ring.mask = capacity - 1;
	xsmcSetInteger(xsResult, (xsIntegerValue)sde_ring_push_records(&ring, data, (uint32_t)n, xsmcToNumber(xsArg(9))));
}

/*
 * xs_sde_record(ids, flags, dlcs, words, timestamps, head, count, max, chunks, lengths, endsFile, name, cursor):
 * CandumpRecorder.record (modules/can/recorder.ts) for the first `max`
 * frames queued in a FrameRing's storage, which it leaves as it is. The
 * recorder's storage: an Array of its chunks (Uint8Arrays), the chunk
 * lengths (a Uint32Array's buffer), end-of-file flags (Uint8Array), the
 * interface name (Uint8Array) and the cursor (a Float64Array's buffer,
 * record-engine.h's order).
 * Returns the frames it looked at.
 */
void xs_sde_record(xsMachine *the) {
	SdeRing ring;
	SreRecorder recorder;
	xsUnsignedValue ids, flags, dlcs, words, timestamps, lengths, endsFile, name, cursorBytes;
	if (xsmcArgc < 13)
		xsTypeError("native recorder: missing arguments");
	ring.ids = readable(the, &xsArg(0), &ids);
	ring.flags = readable(the, &xsArg(1), &flags);
	ring.dlcs = readable(the, &xsArg(2), &dlcs);
	ring.words = readable(the, &xsArg(3), &words);
	ring.timestamps = readable(the, &xsArg(4), &timestamps);
	uint32_t capacity = ids / 4;
	xsIntegerValue head = xsmcToInteger(xsArg(5)), count = xsmcToInteger(xsArg(6)), max = xsmcToInteger(xsArg(7));
	if (capacity < 2 || (capacity & (capacity - 1)) || flags < capacity || dlcs < capacity || words < capacity * 8 || timestamps < capacity * 8)
		xsRangeError("native recorder: not a FrameRing's storage");
	if (head < 0 || (uint32_t)head >= capacity || count < 0 || (uint32_t)count > capacity)
		xsRangeError("native recorder: head or count out of range");
	ring.head = (uint32_t)head;
	ring.count = (uint32_t)count;
	ring.mask = capacity - 1;

	recorder.lengths = writable(the, &xsArg(9), &lengths);
	recorder.endsFile = writable(the, &xsArg(10), &endsFile);
	recorder.name = readable(the, &xsArg(11), &name);
	recorder.nameLength = (uint32_t)name;
	recorder.cursor = writable(the, &xsArg(12), &cursorBytes);
	if (cursorBytes < SRE_CURSOR * sizeof(double) || ((uintptr_t)recorder.cursor & 7))
		xsRangeError("native recorder: cursor too short");
	double chunkCount = recorder.cursor[SRE_CHUNKS], chunkSize = recorder.cursor[SRE_CHUNK_SIZE];
	double current = recorder.cursor[SRE_CURRENT], fill = recorder.cursor[SRE_FILL], queued = recorder.cursor[SRE_QUEUED];
	if (!(chunkCount >= 2 && chunkCount <= SRE_MAX_CHUNKS && chunkSize >= 1 && chunkSize <= 0x7FFFFFFF)
		|| !(current >= 0 && current < chunkCount && fill >= 0 && fill < chunkSize && queued >= 0 && queued <= chunkCount)
		|| lengths < chunkCount * 4 || endsFile < chunkCount || name < 1 || name > SRE_NAME_CAPACITY)
		xsRangeError("native recorder: bad recorder storage");
	for (uint32_t c = 0; c < (uint32_t)chunkCount; c++) {
		xsUnsignedValue bytes;
		xsmcGetIndex(xsResult, xsArg(8), c); /* xsResult as scratch: no allocation */
		recorder.chunks[c] = writable(the, &xsResult, &bytes);
		if (bytes < (xsUnsignedValue)chunkSize)
			xsRangeError("native recorder: chunk too short");
	}
	xsmcSetInteger(xsResult, (xsIntegerValue)sre_record_ring(&recorder, &ring, max < 0 ? 0 : (uint32_t)max));
}

/* Fills `ring` from arguments first..first+6: a FrameRing's storage (ids, words and timestamps as ArrayBuffers, flags and dlcs as Uint8Arrays), head, count. */
static void ringFromArguments(xsMachine *the, SdeRing *ring, int first, const char *what) {
	xsUnsignedValue ids, flags, dlcs, words, timestamps;
	ring->ids = writable(the, &xsArg(first), &ids);
	ring->flags = writable(the, &xsArg(first + 1), &flags);
	ring->dlcs = writable(the, &xsArg(first + 2), &dlcs);
	ring->words = writable(the, &xsArg(first + 3), &words);
	ring->timestamps = writable(the, &xsArg(first + 4), &timestamps);
	uint32_t capacity = ids / 4;
	xsIntegerValue head = xsmcToInteger(xsArg(first + 5)), count = xsmcToInteger(xsArg(first + 6));
	if (capacity < 2 || (capacity & (capacity - 1)) || flags < capacity || dlcs < capacity || words < capacity * 8 || timestamps < capacity * 8
		|| ((uintptr_t)ring->ids & 3) || ((uintptr_t)ring->words & 3) || ((uintptr_t)ring->timestamps & 7))
		xsRangeError("%s: not a FrameRing's storage", what);
	if (head < 0 || (uint32_t)head >= capacity || count < 0 || (uint32_t)count > capacity)
		xsRangeError("%s: head or count out of range", what);
	ring->head = (uint32_t)head;
	ring->count = (uint32_t)count;
	ring->mask = capacity - 1;
}

/*
 * xs_sls_feed(state, ids, flags, dlcs, words, timestamps, head, count, bytes, offset, length, now):
 * SlcanParser.feed (modules/can/slcan.ts) of `length` bytes at `bytes[offset]`
 * (a Uint8Array or ArrayBuffer) into a FrameRing's storage; `bytes` null:
 * SlcanParser.finish. `state`: an ArrayBuffer of SLS_STATE doubles followed
 * by the line buffer (slcan-engine.h). Returns the frames queued; the
 * caller advances head by state[SLS_DROPPED] and count by the frames
 * minus that.
 */
void xs_sls_feed(xsMachine *the) {
	SlsParser parser;
	SdeRing ring;
	xsUnsignedValue stateBytes;
	if (xsmcArgc < 12)
		xsTypeError("native SLCAN: missing arguments");
	parser.state = writable(the, &xsArg(0), &stateBytes);
	if (stateBytes < SLS_STATE * sizeof(double) + SLS_MAX_FRAME_LENGTH || stateBytes > SLS_STATE * sizeof(double) + 65536 || ((uintptr_t)parser.state & 7))
		xsRangeError("native SLCAN: bad parser state");
	parser.line = (uint8_t *)(parser.state + SLS_STATE);
	parser.capacity = (uint32_t)(stateBytes - SLS_STATE * sizeof(double));
	double kept = parser.state[SLS_LENGTH];
	if (!(kept >= 0 && kept <= parser.capacity))
		xsRangeError("native SLCAN: bad parser state");
	ringFromArguments(the, &ring, 1, "native SLCAN");
	double now = xsmcToNumber(xsArg(11));
	if (!xsmcTest(xsArg(8))) {
		xsmcSetInteger(xsResult, (xsIntegerValue)sls_finish(&parser, &ring, now));
		return;
	}
	xsUnsignedValue size;
	const uint8_t *bytes = readable(the, &xsArg(8), &size);
	xsNumberValue offset = xsmcToNumber(xsArg(9)), length = xsmcToNumber(xsArg(10));
	if (!(offset >= 0 && length >= 0 && offset + length <= (xsNumberValue)size))
		xsRangeError("SLCAN feed range outside the buffer");
	xsmcSetInteger(xsResult, (xsIntegerValue)sls_feed(&parser, &ring, bytes + (uint32_t)offset, (uint32_t)length, now));
}
