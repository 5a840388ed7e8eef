/*
 * TWAI, the ESP32 family's own CAN controller, as an ECMA-419 style IO class:
 * the native half of hosts/esp32/twai/twai.ts. The shape it implements is
 * `TwaiIO` in modules/can/twai.ts; the record and status layouts are defined
 * there.
 *
 * Targets: Moddable SDK 8.2.x on ESP-IDF v6.0 and its TWAI node driver
 * (components/esp_driver_twai: esp_twai.h, esp_twai_onchip.h). What this file
 * relies on about that driver was read in its v6.0 source (espressif/esp-idf,
 * tag v6.0: esp_twai_onchip.c, esp_twai.c, esp_hal_twai/twai_hal_v1.c, Kconfig,
 * linker.lf) and is cited where it is used. Checked by compiling against the
 * v6.0 headers for esp32, esp32s3, esp32c3 and esp32c6; not yet run on a chip.
 *
 * Receive path and overload policy. The node driver has no receive queue: its
 * interrupt calls on_rx_done once per frame, and the frame must be taken then
 * (twai_node_receive_from_isr works only inside that callback). This module's
 * callback copies it straight into its own ring of fixed slots
 * (twai-rx-ring.h: `rxQueueLength` 16-byte records in the layout read()
 * returns, allocated once in internal RAM). The project's rule is drop-OLDEST
 * (a cluster shows the present: FrameRing in modules/can/ring.ts), and so does
 * the ring: a frame that finds it full replaces the oldest, counted in
 * `dropped` (TwaiStatusIndex.rxDropped). Nothing is lost newest-first.
 *
 * Wake-ups. The interrupt never talks to XS. onReadable and onError are
 * batched by a small FreeRTOS task: the callback wakes it (a task notification)
 * only when it is waiting; after posting one message to the XS machine the
 * task sleeps kPeriodMS before it looks again. So at most one message per
 * period (100 a second) whatever the bus load, and none when nothing arrived.
 * The app also drains at its display tick (read), so a late message costs
 * nothing. Bus errors are counted, not announced: on a wrong bit rate they
 * come once per frame.
 *
 * Where each part runs and what it may do:
 * - twaiOnReceive, twaiOnStateChange, twaiOnError: the node driver's interrupt
 *   (its ISR calls them: _node_isr_main in esp_twai_onchip.c). No allocation,
 *   no blocking, no XS; they take `lock` with the _ISR critical section, touch
 *   the ring and counters, and at most give one task notification. With
 *   CONFIG_TWAI_ISR_CACHE_SAFE (hosts/esp32/sdkconfig/sdkconfig.defaults) the
 *   interrupt runs while flash is written (preferences, the odometer) and the
 *   cache is off, so they, everything they call, and everything they read are
 *   in IRAM or internal RAM: IRAM_ATTR here (the driver refuses callbacks
 *   outside IRAM then: _node_register_callbacks), the ring functions inlined
 *   into them, twai_node_receive_from_isr in IRAM by the driver's own
 *   linker.lf under CONFIG_TWAI_ISR_IN_IRAM, critical sections and
 *   vTaskGenericNotifyGiveFromISR in IRAM by FreeRTOS's linker.lf, the record
 *   and the slots allocated with MALLOC_CAP_INTERNAL.
 * - twaiNotifyTask, this module's FreeRTOS task, while an instance with a
 *   callback is open: waits for the interrupt's notification, posts at most
 *   one message per period to the XS machine (modMessagePostToMachine without
 *   payload: no allocation), never touches an XS value. If close() stops
 *   waiting for it (it was blocked posting to a full XS queue), it deletes the
 *   node itself on its way out.
 * - twaiDeliver and every xs_twai_* function: the XS task. read() copies
 *   records out of the ring under `lock`, a bounded number at a time.
 * The record is freed by whichever of the object, the task and a posted
 * message lets go of it last (`useCount`).
 *
 * Why one portMUX spinlock is enough on a dual-core ESP32 (and ESP32-S3): the
 * XS task is not pinned (Moddable creates it with xTaskCreate), so the
 * interrupt may run on the other core at the same moment. taskENTER_CRITICAL
 * takes the spinlock and masks interrupts on its own core: the other core's
 * interrupt spins on the lock until the task side leaves, and this core's
 * interrupt cannot preempt the holder (which would spin forever). The
 * interrupt side takes the same lock with taskENTER_CRITICAL_ISR. Every
 * variable the interrupt writes is written only under the lock, so the ring's
 * head, count and counters are always seen whole and in order. On the
 * single-core ESP32-C3 and C6 the same calls mask interrupts.
 */

#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"			// xsID_* values
#include "builtinCommon.h"

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"
#include "esp_attr.h"
#include "esp_heap_caps.h"
#include "soc/soc_caps.h"
#include "esp_twai.h"
#include "esp_twai_onchip.h"

#include "twai-rx-ring.h"

#define kRecordSize (TWAI_RX_RECORD_SIZE)	// TWAI_RECORD_SIZE in modules/can/twai.ts
#define kRecordData (TWAI_RX_RECORD_DATA)
#define kStatusLength (8)			// TWAI_STATUS_LENGTH
#define kRingMax (4096)				// rxQueueLength at most: 64 KB of internal RAM
#define kPeriodMS (10)				// at most one message to XS per period
#define kReadChunk (32)				// records copied per critical section: 512 bytes, about 2 us
#define kCloseWaitMS (200)			// how long close() waits for the task to end
#define kRecoveryPolls (100)		// how long deleting a node waits for a recovery in progress: 100 x 5 ms
#define kRecoveryPollMS (5)			// (128 x 11 recessive bits: 11 ms at 125 kbit/s)
#define kTaskStack (2560)
#define kTaskPriority (tskIDLE_PRIORITY + 6)
// Frames the driver queues for transmission; the hardware holds one more.
#define kTxQueueDepth (8)
// Frames this module keeps for the driver. twai_node_transmit queues a POINTER
// (_node_queue_tx: tx_mount_queue holds twai_frame_t *), and the frame and its
// data must stay put until sent. The driver sends in order, so the frames it
// holds are always the most recent accepted ones, at most kTxQueueDepth queued
// plus one in the hardware (p_curr_tx); a frame lost to bus-off is older than
// those. With two more slots than that, the slot a write reuses is never one
// the driver still holds.
#define kTxSlots (kTxQueueDepth + 2)

// TwaiState in modules/can/twai.ts
#define kStateStopped (0)
#define kStateErrorActive (1)
#define kStateErrorWarning (2)
#define kStateErrorPassive (3)
#define kStateBusOff (4)
#define kStateRecovering (5)

// `pending`: what onError is for
#define kPendingState (1)			// the node's error state changed
#define kPendingLoss (2)			// a frame could not be read

#if CONFIG_TWAI_ISR_IN_IRAM
	#define TWAI_ISR_ATTR IRAM_ATTR
#else
	#define TWAI_ISR_ATTR
#endif

typedef struct {
	twai_frame_t		frame;
	uint8_t				data[TWAI_FRAME_MAX_LEN];
} TwaiTxSlot;

typedef struct TwaiRecord TwaiRecord;
typedef struct TwaiRecord *Twai;

struct TwaiRecord {
	xsSlot				obj;
	xsMachine			*the;
	xsSlot				*onReadable;
	xsSlot				*onError;
	twai_node_handle_t	node;
	TaskHandle_t		task;
	SemaphoreHandle_t	taskDone;
	StaticSemaphore_t	taskDoneBuffer;

	// Under `lock`: written by the interrupt, read and reset by the task and the XS task.
	portMUX_TYPE		lock;
	TwaiRxRing			ring;
	uint32_t			busErrors;		// on_error calls: bus errors (and arbitration losses, which the driver reports alike)
	uint32_t			rxLost;			// frames twai_node_receive_from_isr could not read
	uint8_t				pending;		// kPending* bits not yet delivered
	uint8_t				recovering;		// recover() called and the node not yet out of bus-off
	uint8_t				fresh;			// something arrived or changed since the task last looked
	uint8_t				wake;			// the task waits for a notification
	uint8_t				stopping;		// close asked the task to end

	uint8_t				*slots;			// the ring's storage
	uint32_t			txCount;		// frames the driver accepted; picks the next TX slot
	uint8_t				posted;			// a twaiDeliver message is in the XS queue
	uint8_t				handoff;		// task end and close race for it: the second one deletes the node
	uint8_t				closed;
	uint8_t				useCount;		// the object, the task, and one per message in flight
	uint8_t				listenOnly;
	uint8_t				enabled;		// started (twai_node_enable) and not stopped
	uint8_t				remembered;		// xsRemember'd: close forgets it
	uint8_t				pinsUsed;
	uint8_t				transmit;
	uint8_t				receive;
	uint8_t				controller;
	TwaiTxSlot			tx[kTxSlots];
};

/** Controllers this module holds a node on (the XS task and, handing off, the notify task). */
static uint8_t gHeld[SOC_TWAI_CONTROLLER_NUM];

static void xs_twai_mark(xsMachine *the, void *it, xsMarkRoot markRoot);
void xs_twai_destructor(void *data);

static const xsHostHooks ICACHE_RODATA_ATTR xsTwaiHooks = {
	xs_twai_destructor,
	xs_twai_mark,
	NULL
};

static bool twaiOnReceive(twai_node_handle_t node, const twai_rx_done_event_data_t *event, void *context);
static bool twaiOnStateChange(twai_node_handle_t node, const twai_state_change_event_data_t *event, void *context);
static bool twaiOnError(twai_node_handle_t node, const twai_error_event_data_t *event, void *context);
static void twaiNotifyTask(void *refcon);
static void twaiDeliver(void *theIn, void *refcon, uint8_t *message, uint16_t messageLength);
static void twaiRelease(Twai twai);
static void twaiDeleteNode(Twai twai);
static void twaiAbandon(xsMachine *the, Twai twai);

// Filter id and mask use all 32 bits (dual mode): builtinGetUnsignedInteger goes through int32 and would call 0xFFFFFFFF negative.
static uint32_t twaiGetUint32(xsMachine *the, xsSlot *slot)
{
	xsNumberValue value = xsmcToNumber(*slot);
	if (!((value >= 0) && (value <= 4294967295.0)))
		xsRangeError("invalid filter");
	return (uint32_t)value;
}

static xsSlot *twaiCallback(xsMachine *the, xsIdentifier id)
{
	return builtinGetCallback(the, id);	// reads xsArg(0)[id]; NULL when absent; throws when not callable
}

static void twaiFree(Twai twai)
{
	if (twai->slots)
		heap_caps_free(twai->slots);
	heap_caps_free(twai);
}

/*
 * XS task. Creates a node on `controller`. ESP-IDF v6.0 has no way to name
 * the controller: twai_new_node_onchip takes the lowest free one
 * (_ctrlr_acquire in esp_twai_onchip.c; unchanged after v6.0). So each free
 * controller below the one wanted is first taken by a placeholder node, and
 * the placeholders are deleted once the real node exists. A placeholder is
 * never enabled: listen-only with no TX pin (allowed for listen-only,
 * _node_config_io), its RX input from the same pin, which its deletion
 * reconnects to a constant 1 (_node_release_io). This module must be the only
 * user of the node driver in the firmware, as it is in xs-cluster: a
 * controller held by other code would shift the choice.
 */
static esp_err_t twaiNewNode(const twai_onchip_node_config_t *config, uint32_t controller, twai_node_handle_t *node)
{
	twai_node_handle_t placeholders[SOC_TWAI_CONTROLLER_NUM] = {0};
	const twai_onchip_node_config_t placeholder = {
		.io_cfg = { .tx = GPIO_NUM_NC, .rx = config->io_cfg.rx, .quanta_clk_out = GPIO_NUM_NC, .bus_off_indicator = GPIO_NUM_NC },
		.bit_timing = config->bit_timing,
		.tx_queue_depth = 1,
		.flags = { .enable_listen_only = 1 },
	};
	esp_err_t err = ESP_OK;
	uint32_t i;

	for (i = 0; (i < controller) && (ESP_OK == err); i++) {
		if (!__atomic_load_n(&gHeld[i], __ATOMIC_SEQ_CST))
			err = twai_new_node_onchip(&placeholder, &placeholders[i]);
	}
	if (ESP_OK == err)
		err = twai_new_node_onchip(config, node);
	for (i = 0; i < controller; i++) {
		if (placeholders[i])
			twai_node_delete(placeholders[i]);
	}
	return err;
}

void xs_twai_constructor(xsMachine *the)
{
	Twai twai;
	uint32_t transmit, receive, controller, bitRate, rxQueueLength, filterId, filterMask;
	uint8_t listenOnly, filterExtended, filterDual;
	xsSlot *onReadable, *onError;
	esp_err_t err;

	xsmcVars(1);

	xsmcGet(xsVar(0), xsArg(0), xsID_transmit);
	transmit = builtinGetPin(the, &xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_receive);
	receive = builtinGetPin(the, &xsVar(0));
	if ((transmit >= GPIO_NUM_MAX) || (receive >= GPIO_NUM_MAX) || (transmit == receive))
		xsRangeError("invalid pin");
	if (!builtinIsPinFree(transmit) || !builtinIsPinFree(receive))
		xsUnknownError("in use");

	xsmcGet(xsVar(0), xsArg(0), xsID_controller);
	controller = builtinGetUnsignedInteger(the, &xsVar(0));
	if (controller >= SOC_TWAI_CONTROLLER_NUM)
		xsRangeError("invalid controller");

	// The node driver computes the timing from the bit rate (twai_node_timing_calc_param); these are the rates TwaiOptions allows.
	xsmcGet(xsVar(0), xsArg(0), xsID_bitRate);
	bitRate = builtinGetUnsignedInteger(the, &xsVar(0));
	if ((125000 != bitRate) && (250000 != bitRate) && (500000 != bitRate) && (1000000 != bitRate))
		xsRangeError("invalid bitRate");

	xsmcGet(xsVar(0), xsArg(0), xsID_listenOnly);
	listenOnly = xsmcTest(xsVar(0));

	xsmcGet(xsVar(0), xsArg(0), xsID_filterId);
	filterId = twaiGetUint32(the, &xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_filterMask);
	filterMask = twaiGetUint32(the, &xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_filterExtended);
	filterExtended = xsmcTest(xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_filterDual);
	filterDual = xsmcTest(xsVar(0));
	// A single filter's id and mask fit the format (the driver refuses wider standard ones: _node_config_mask_filter).
	if (!filterDual && ((filterId | filterMask) & ~(filterExtended ? TWAI_EXT_ID_MASK : TWAI_STD_ID_MASK)))
		xsRangeError("invalid filter");

	xsmcGet(xsVar(0), xsArg(0), xsID_rxQueueLength);
	rxQueueLength = builtinGetUnsignedInteger(the, &xsVar(0));
	if ((rxQueueLength < 2) || (rxQueueLength > kRingMax) || (rxQueueLength & (rxQueueLength - 1)))
		xsRangeError("invalid rxQueueLength");

	onReadable = twaiCallback(the, xsID_onReadable);
	onError = twaiCallback(the, xsID_onError);

	if (__atomic_load_n(&gHeld[controller], __ATOMIC_SEQ_CST))
		xsUnknownError("in use");		// this module has a node on it already

	// The interrupt reads the record and the slots: internal RAM, never PSRAM (cache-safe).
	twai = heap_caps_calloc(1, sizeof(TwaiRecord), MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
	if (!twai)
		xsRangeError("no memory");
	twai->slots = heap_caps_malloc(rxQueueLength * kRecordSize, MALLOC_CAP_INTERNAL | MALLOC_CAP_8BIT);
	if (!twai->slots) {
		twaiFree(twai);
		xsRangeError("no memory");
	}
	twaiRxRingInit(&twai->ring, twai->slots, rxQueueLength);
	portMUX_INITIALIZE(&twai->lock);
	twai->obj = xsThis;
	twai->the = the;
	twai->onReadable = onReadable;
	twai->onError = onError;
	twai->listenOnly = listenOnly;
	twai->transmit = (uint8_t)transmit;
	twai->receive = (uint8_t)receive;
	twai->controller = (uint8_t)controller;
	twai->useCount = 1;
	xsmcSetHostData(xsThis, twai);
	xsSetHostHooks(xsThis, (xsHostHooks *)&xsTwaiHooks);

	const twai_onchip_node_config_t config = {
		.io_cfg = { .tx = (gpio_num_t)transmit, .rx = (gpio_num_t)receive, .quanta_clk_out = GPIO_NUM_NC, .bus_off_indicator = GPIO_NUM_NC },
		.bit_timing = { .bitrate = bitRate },
		// -1: retransmit until acknowledged, as CAN does; 0 would be single-shot (twai_hal_format_frame: .ss = retry_cnt != -1).
		.fail_retry_cnt = -1,
		// Not 0 in listen-only either: twai_node_get_info reads the TX queue's free space
		// (uxQueueSpacesAvailable), which asserts on the queue a depth of 0 leaves NULL.
		.tx_queue_depth = listenOnly ? 1 : kTxQueueDepth,
		.flags = { .enable_listen_only = listenOnly },
	};
	err = twaiNewNode(&config, controller, &twai->node);
	if (ESP_ERR_NOT_FOUND == err)
		xsUnknownError("in use");		// no free controller: held outside this module
	if (ESP_ERR_NO_MEM == err)
		xsRangeError("no memory");
	if (ESP_ERR_INVALID_ARG == err)
		xsRangeError("invalid pin or bitRate");
	if (err)
		xsUnknownError("twai_new_node_onchip failed");
	__atomic_store_n(&gHeld[controller], 1, __ATOMIC_SEQ_CST);
	builtinUsePin(transmit);
	builtinUsePin(receive);
	twai->pinsUsed = 1;

	// Filter and callbacks only while the node is disabled (_node_config_mask_filter, _node_register_callbacks).
	// The union's num_of_ids must be 0 (else the driver reads id_list): zero the whole struct, then set.
	twai_mask_filter_config_t filter;
	c_memset(&filter, 0, sizeof(filter));
	filter.id = filterId;
	filter.mask = filterMask;
	filter.is_ext = filterExtended;
	filter.dual_filter = filterDual;
	if (ESP_OK != twai_node_config_mask_filter(twai->node, 0, &filter)) {
		twaiAbandon(the, twai);
		xsRangeError("invalid filter");
	}

	const twai_event_callbacks_t callbacks = {
		.on_rx_done = twaiOnReceive,
		.on_state_change = twaiOnStateChange,
		.on_error = twaiOnError,
	};
	if (ESP_OK != twai_node_register_event_callbacks(twai->node, &callbacks, twai)) {
		twaiAbandon(the, twai);
		xsUnknownError("callbacks refused");	// with TWAI_ISR_CACHE_SAFE: not in IRAM
	}

	if (onReadable || onError) {
		twai->taskDone = xSemaphoreCreateBinaryStatic(&twai->taskDoneBuffer);
		twai->useCount = 2;
		if (pdPASS != xTaskCreate(twaiNotifyTask, "twai", kTaskStack, twai, kTaskPriority, &twai->task)) {
			twai->task = NULL;
			twai->useCount = 1;
			twaiAbandon(the, twai);
			xsUnknownError("no memory");
		}
		xsRemember(twai->obj);
		twai->remembered = 1;
	}
}

// XS task, constructor: a half-built instance lets go of its node, pins and
// controller now rather than when the collector finds it, so opening again
// works at once.
static void twaiAbandon(xsMachine *the, Twai twai)
{
	xsmcSetHostData(xsThis, NULL);
	xsmcSetHostDestructor(xsThis, NULL);
	twaiRelease(twai);
}

void xs_twai_destructor(void *data)
{
	Twai twai = data;
	if (twai)
		twaiRelease(twai);
}

void xs_twai_close(xsMachine *the)
{
	Twai twai = xsmcGetHostData(xsThis);
	if (twai && xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks)) {
		if (twai->remembered)
			xsForget(twai->obj);
		xsmcSetHostData(xsThis, NULL);
		xsmcSetHostDestructor(xsThis, NULL);
		twaiRelease(twai);
	}
}

// XS task (close) or the garbage collector (destructor): no XS calls.
static void twaiRelease(Twai twai)
{
	if (twai->closed)
		return;
	twai->closed = 1;
	twai->onReadable = NULL;
	twai->onError = NULL;
	if (twai->task) {
		uint8_t notify;

		// `wake` set means the task is in (or entering) its wait and cannot end
		// before it takes a notification: only then is it safe to give one.
		taskENTER_CRITICAL(&twai->lock);
		twai->stopping = 1;
		notify = twai->wake;
		twai->wake = 0;
		taskEXIT_CRITICAL(&twai->lock);
		if (notify)
			xTaskNotifyGive(twai->task);
		// The task ends within kPeriodMS, unless it is blocked posting to a full XS
		// message queue (release builds wait forever there), which only this thread
		// drains. Then it deletes the node itself once it gets out.
		xSemaphoreTake(twai->taskDone, pdMS_TO_TICKS(kCloseWaitMS));
		if (__atomic_exchange_n(&twai->handoff, 1, __ATOMIC_SEQ_CST))
			twaiDeleteNode(twai);		// the task has ended
	}
	else
		twaiDeleteNode(twai);
	// Pins go back only once the node is gone: a node the task still has to
	// delete (close gave up waiting) keeps driving TX, and its pins stay taken.
	if (twai->pinsUsed && !twai->node) {
		twai->pinsUsed = 0;
		builtinFreePin(twai->transmit);
		builtinFreePin(twai->receive);
	}
	if (0 == __atomic_sub_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST))
		twaiFree(twai);
}

// XS task, or the notify task when close gave up waiting for it. After
// twai_node_delete the interrupt is freed (esp_intr_free, which waits for the
// core that owns it), so no callback runs on the record any more.
static void twaiDeleteNode(Twai twai)
{
	twai_node_handle_t node = twai->node;

	if (!node)
		return;
	// A node recovering from bus-off still takes interrupts, and _node_delete
	// takes the hardware from under them (twai_hal_deinit before the interrupt
	// is freed): let the recovery end first, a bounded wait. One that does not
	// end keeps its node, record and controller for good, as below.
	for (int i = 0; i < kRecoveryPolls; i++) {
		uint8_t recovering;
		taskENTER_CRITICAL(&twai->lock);
		recovering = twai->recovering;
		taskEXIT_CRITICAL(&twai->lock);
		if (!recovering)
			break;
		if (i == kRecoveryPolls - 1) {
			__atomic_add_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST);
			return;
		}
		vTaskDelay(pdMS_TO_TICKS(kRecoveryPollMS));
	}
	// The driver deletes only a disabled node, and reports a disabled node and a
	// bus-off one alike (TWAI_ERROR_BUS_OFF): _node_delete accepts both. It refuses
	// to disable a bus-off or recovering node (_node_disable). So: delete; if that
	// is refused the node was running: disable it, then delete.
	if (ESP_OK != twai_node_delete(node)) {
		twai_node_disable(node);
		if (ESP_OK != twai_node_delete(node)) {
			// Not a path the v6.0 source has. The interrupt may still use the record:
			// keep it, its ring and the controller for good rather than free them under it.
			__atomic_add_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST);
			return;
		}
	}
	twai->node = NULL;
	twai->enabled = 0;
	__atomic_store_n(&gHeld[twai->controller], 0, __ATOMIC_SEQ_CST);
}

void xs_twai_read(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	void *buffer;
	xsUnsignedValue length;
	uint32_t max, done = 0;

	xsmcGetBufferWritable(xsArg(0), &buffer, &length);
	max = length / kRecordSize;
	// A bounded copy per critical section keeps the interrupt waiting at most
	// about 2 us; between chunks it may add frames or drop the oldest, and the
	// next chunk goes on from the oldest still there.
	while (done < max) {
		uint32_t chunk = ((max - done) < kReadChunk) ? (max - done) : kReadChunk, n;

		taskENTER_CRITICAL(&twai->lock);
		n = twaiRxRingRead(&twai->ring, (uint8_t *)buffer + (done * kRecordSize), chunk);
		taskEXIT_CRITICAL(&twai->lock);
		done += n;
		if (n < chunk)
			break;
	}
	xsmcSetInteger(xsResult, done * kRecordSize);
}

void xs_twai_write(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	void *buffer;
	xsUnsignedValue length;
	const uint8_t *record;
	TwaiTxSlot *slot;
	uint8_t dlc, remote;
	esp_err_t err;

	if (twai->listenOnly)
		xsUnknownError("listen-only");
	if (!twai->enabled)
		xsUnknownError("stopped");
	xsmcGetBufferReadable(xsArg(0), &buffer, &length);
	if (length < kRecordSize)
		xsRangeError("short record");
	record = buffer;
	dlc = record[5];
	if (dlc > TWAI_FRAME_MAX_DLC)
		xsRangeError("invalid DLC");
	remote = (record[4] & TWAI_RX_FLAG_REMOTE) ? 1 : 0;

	slot = &twai->tx[twai->txCount % kTxSlots];
	c_memset(slot, 0, sizeof(TwaiTxSlot));
	slot->frame.header.id = record[0] | (record[1] << 8) | (record[2] << 16) | ((uint32_t)record[3] << 24);
	slot->frame.header.dlc = dlc;
	slot->frame.header.ide = (record[4] & TWAI_RX_FLAG_EXTENDED) ? 1 : 0;
	slot->frame.header.rtr = remote;
	c_memcpy(slot->data, record + kRecordData, TWAI_FRAME_MAX_LEN);
	slot->frame.buffer = slot->data;
	slot->frame.buffer_len = remote ? 0 : dlc;	// the driver wants dlc == len2dlc(buffer_len) when both are set

	err = twai_node_transmit(twai->node, &slot->frame, 0);
	if (ESP_OK == err) {
		twai->txCount++;
		return;
	}
	if (ESP_ERR_TIMEOUT == err)
		xsUnknownError("output full");
	if (ESP_ERR_INVALID_STATE == err)
		xsUnknownError("bus-off");
	xsUnknownError("transmit failed");
}

void xs_twai_status(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	void *buffer;
	xsUnsignedValue length;
	uint32_t *out, state;
	twai_node_status_t info;
	uint8_t recovering;

	xsmcGetBufferWritable(xsArg(0), &buffer, &length);
	if (length < (kStatusLength * sizeof(uint32_t)))
		xsRangeError("short status buffer");
	// `recovering` before the node's state: recovery may end in between, and then
	// error-active wins; read the other way round, a recovery that just ended
	// would look like a new bus-off.
	taskENTER_CRITICAL(&twai->lock);
	recovering = twai->recovering;
	taskEXIT_CRITICAL(&twai->lock);
	if (ESP_OK != twai_node_get_info(twai->node, &info, NULL))
		xsUnknownError("no node");
	if (!twai->enabled)
		state = kStateStopped;		// the driver says bus-off for a disabled node
	else if (TWAI_ERROR_BUS_OFF == info.state)
		state = recovering ? kStateRecovering : kStateBusOff;
	else if (twai->listenOnly)
		// A listen-only node sends no error frames, so its counters say nothing
		// about the bus; on the ESP32, S3 and C3 the driver even starts it at
		// REC 128 (twai_hal_start, the listen-only erratum), which would read
		// error-passive for good.
		state = kStateErrorActive;
	else {
		// From the counters, as CAN defines the states: the driver reports no
		// event when they fall back below the warning limit (96), so its own
		// state would stay at warning.
		uint32_t worst = (info.tx_error_count > info.rx_error_count) ? info.tx_error_count : info.rx_error_count;
		state = (worst >= 128) ? kStateErrorPassive : (worst >= 96) ? kStateErrorWarning : kStateErrorActive;
	}

	out = buffer;		// TwaiStatusIndex order
	out[0] = state;
	out[1] = info.tx_error_count;
	out[2] = info.rx_error_count;
	taskENTER_CRITICAL(&twai->lock);
	out[3] = twai->busErrors;
	out[4] = twaiRxRingCount(&twai->ring);
	out[5] = twai->ring.pushed;
	out[6] = twai->ring.dropped;
	out[7] = twai->rxLost;
	taskEXIT_CRITICAL(&twai->lock);
}

void xs_twai_start(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);

	if (twai->enabled || (ESP_OK != twai_node_enable(twai->node)))
		xsUnknownError("invalid state");
	twai->enabled = 1;
}

// The driver refuses while the node is bus-off or recovering.
void xs_twai_stop(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);

	if (!twai->enabled || (ESP_OK != twai_node_disable(twai->node)))
		xsUnknownError("invalid state");
	twai->enabled = 0;
	taskENTER_CRITICAL(&twai->lock);
	twai->recovering = 0;
	taskEXIT_CRITICAL(&twai->lock);
}

// Bus-off only. twai_node_recover starts the recovery and returns; after 128 x 11
// recessive bits the node is error-active and taking part in the bus again by
// itself: the hardware leaves reset mode at the recovery's start
// (twai_hal_start_bus_recovery) and the interrupt reports error-active at its end,
// restarting any queued transmission (_node_isr_main). No twai_node_enable follows;
// the driver would refuse it (_node_enable wants TWAI_ERROR_BUS_OFF, i.e. disabled).
void xs_twai_recover(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);

	// A disabled node reads as bus-off too, and _node_recover would start it: refuse here.
	if (!twai->enabled)
		xsUnknownError("invalid state");
	taskENTER_CRITICAL(&twai->lock);
	twai->recovering = 1;		// before the call: the interrupt clears it when recovery ends
	taskEXIT_CRITICAL(&twai->lock);
	if (ESP_OK != twai_node_recover(twai->node)) {
		taskENTER_CRITICAL(&twai->lock);
		twai->recovering = 0;
		taskEXIT_CRITICAL(&twai->lock);
		xsUnknownError("invalid state");
	}
}

// Interrupt (the driver's ISR), once per received frame. Returns whether a higher-priority
// task was woken: the driver then yields when its ISR ends (do_yield, portYIELD_FROM_ISR).
static bool TWAI_ISR_ATTR twaiOnReceive(twai_node_handle_t node, const twai_rx_done_event_data_t *event, void *context)
{
	Twai twai = context;
	uint8_t data[TWAI_FRAME_MAX_LEN];
	twai_frame_t frame;
	BaseType_t woken = pdFALSE;
	uint8_t wake;

	// Bytes past the DLC are neither written by the driver (twai_ll_parse_frame_data) nor read by the push.
	frame.buffer = data;
	frame.buffer_len = sizeof(data);
	if (ESP_OK == twai_node_receive_from_isr(node, &frame)) {
		uint8_t flags = (frame.header.ide ? TWAI_RX_FLAG_EXTENDED : 0) | (frame.header.rtr ? TWAI_RX_FLAG_REMOTE : 0);
		uint8_t dlc = (frame.header.dlc > TWAI_FRAME_MAX_DLC) ? TWAI_FRAME_MAX_DLC : (uint8_t)frame.header.dlc;

		taskENTER_CRITICAL_ISR(&twai->lock);
		twaiRxRingPush(&twai->ring, frame.header.id, flags, dlc, data);
	}
	else {
		taskENTER_CRITICAL_ISR(&twai->lock);
		twai->rxLost++;
		twai->pending |= kPendingLoss;
	}
	twai->fresh = 1;
	wake = twai->wake;
	twai->wake = 0;
	taskEXIT_CRITICAL_ISR(&twai->lock);
	if (wake)
		vTaskNotifyGiveFromISR(twai->task, &woken);
	return pdTRUE == woken;
}

// Interrupt: error-active, warning, passive, bus-off. Leaving bus-off ends a recovery.
static bool TWAI_ISR_ATTR twaiOnStateChange(twai_node_handle_t node, const twai_state_change_event_data_t *event, void *context)
{
	Twai twai = context;
	BaseType_t woken = pdFALSE;
	uint8_t wake;

	taskENTER_CRITICAL_ISR(&twai->lock);
	twai->pending |= kPendingState;
	if (TWAI_ERROR_BUS_OFF != event->new_sta)
		twai->recovering = 0;
	twai->fresh = 1;
	wake = twai->wake;
	twai->wake = 0;
	taskEXIT_CRITICAL_ISR(&twai->lock);
	if (wake)
		vTaskNotifyGiveFromISR(twai->task, &woken);
	return pdTRUE == woken;
}

// Interrupt, once per bus error or lost arbitration (the driver calls on_error for both, and
// the ESP32-class HAL's flags do not tell them apart). Counted here, not with the driver's
// bus_err_num, which twai_node_recover zeroes (_node_recover). Wakes nobody.
static bool TWAI_ISR_ATTR twaiOnError(twai_node_handle_t node, const twai_error_event_data_t *event, void *context)
{
	Twai twai = context;

	taskENTER_CRITICAL_ISR(&twai->lock);
	twai->busErrors++;
	taskEXIT_CRITICAL_ISR(&twai->lock);
	return false;
}

// FreeRTOS task: no XS, no allocation. Holds a use count until it ends.
static void twaiNotifyTask(void *refcon)
{
	Twai twai = refcon;
	const TickType_t period = pdMS_TO_TICKS(kPeriodMS) ? pdMS_TO_TICKS(kPeriodMS) : 1;

	for (;;) {
		uint8_t stop, due;

		taskENTER_CRITICAL(&twai->lock);
		stop = twai->stopping;
		due = twai->fresh;
		twai->fresh = 0;
		twai->wake = !stop && !due;
		taskEXIT_CRITICAL(&twai->lock);
		if (stop)
			break;
		if (!due) {
			ulTaskNotifyTake(pdTRUE, portMAX_DELAY);	// the interrupt, or close
			continue;
		}
		// One message in flight is enough: it delivers everything pending when it runs.
		if (!__atomic_exchange_n(&twai->posted, 1, __ATOMIC_SEQ_CST)) {
			__atomic_add_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST);
			if (modMessagePostToMachine(twai->the, NULL, 0, twaiDeliver, twai)) {
				__atomic_sub_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST);
				__atomic_store_n(&twai->posted, 0, __ATOMIC_SEQ_CST);
				taskENTER_CRITICAL(&twai->lock);
				twai->fresh = 1;		// queue full: the next period tries again
				taskEXIT_CRITICAL(&twai->lock);
			}
		}
		vTaskDelay(period);
	}
	// Claim the handoff before saying "done": a close that is still waiting then
	// deletes the node itself, before it returns, so the controller is free at once.
	if (__atomic_exchange_n(&twai->handoff, 1, __ATOMIC_SEQ_CST))
		twaiDeleteNode(twai);			// close stopped waiting for us: finish its work
	xSemaphoreGive(twai->taskDone);
	if (0 == __atomic_sub_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST))
		twaiFree(twai);
	vTaskDelete(NULL);
}

// XS task. The record stays alive until the end: this message holds a use count.
static void twaiDeliver(void *theIn, void *refcon, uint8_t *message, uint16_t messageLength)
{
	xsMachine *the = (xsMachine *)theIn;
	Twai twai = (Twai)refcon;
	uint32_t waiting;
	uint8_t pending;

	__atomic_store_n(&twai->posted, 0, __ATOMIC_SEQ_CST);
	taskENTER_CRITICAL(&twai->lock);
	pending = twai->pending;
	twai->pending = 0;
	taskEXIT_CRITICAL(&twai->lock);

	if (pending && twai->onError && !twai->closed) {
		xsBeginHost(the);
			xsCallFunction0(xsReference(twai->onError), twai->obj);
		xsEndHost(the);
	}
	if (twai->onReadable && !twai->closed) {	// onError may have closed it
		taskENTER_CRITICAL(&twai->lock);
		waiting = twaiRxRingCount(&twai->ring);
		taskEXIT_CRITICAL(&twai->lock);
		if (waiting) {
			xsBeginHost(the);
				xsmcSetInteger(xsResult, waiting);
				xsCallFunction1(xsReference(twai->onReadable), twai->obj, xsResult);
			xsEndHost(the);
		}
	}

	if (0 == __atomic_sub_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST))
		twaiFree(twai);
}

static void xs_twai_mark(xsMachine *the, void *it, xsMarkRoot markRoot)
{
	Twai twai = it;

	if (twai->onReadable)
		(*markRoot)(the, twai->onReadable);
	if (twai->onError)
		(*markRoot)(the, twai->onError);
}
