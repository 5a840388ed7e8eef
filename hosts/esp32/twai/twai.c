/*
 * TWAI, the ESP32's own CAN controller, as an ECMA-419 style IO class: the
 * native half of hosts/esp32/twai/twai.ts. The shape it implements is
 * `TwaiIO` in modules/can/twai.ts; the record and status layouts are defined
 * there.
 *
 * Targets: Moddable SDK 8.2.x on ESP32 and the ESP-IDF TWAI driver API of
 * driver/twai.h as it stands from ESP-IDF 5.0 to 5.5 (twai_driver_install,
 * twai_receive, twai_read_alerts, twai_get_status_info, twai_initiate_recovery).
 * ESP-IDF 6.0, which SDK 8.2.x documents as its IDF, still ships this driver in
 * the `driver` component, deprecated in favour of esp_twai.h; the define below
 * silences the deprecation warning. NOT COMPILED where it was written (no
 * ESP-IDF on that machine): build it once on a real toolchain before trusting it.
 *
 * Receive path and overload policy. The project's rule is drop-OLDEST (a
 * cluster shows the present: FrameRing in modules/can/ring.ts). ESP-IDF's
 * driver, left alone, drops the NEWEST: when its RX queue is full, the ISR
 * cannot enqueue and counts rx_missed_count. So the queue is never left to
 * fill: this module's task looks at it every kPollMS and, past `keep` frames
 * (three quarters of rx_queue_len, twaiQueueKeep in modules/can/twai.ts),
 * pops the oldest with twai_receive(.., 0) and counts them in `dropped`
 * (status word 10, TwaiStatusIndex.rxDropped). The last quarter is headroom
 * for what arrives between two looks: 128 frames of a 512-frame queue, 14 ms
 * of a saturated 1 Mbit/s bus of 8-byte frames (9,000 frames/s), over
 * kPollMS = 10. The queue itself is the bounded buffer: no second copy of the
 * frames, no lock (twai_receive is a FreeRTOS queue receive, safe from two
 * tasks). Only a burst larger than the headroom within one period is lost
 * newest-first, and rx_missed_count still counts it.
 *
 * Wake-ups: TWAI_ALERT_RX_DATA (one wake-up per received frame, thousands a
 * second on a busy bus) is not enabled, nor TWAI_ALERT_BUS_ERROR (one per
 * failed frame). The task blocks in twai_read_alerts on the state and loss
 * alerts only (bus-off, error-passive, recovery, losses) with a
 * kPollMS timeout: at most 100 wake-ups a second whatever the bus load, plus
 * one per batch of error alerts. onReadable is batched the same way: at most
 * one message to the XS machine per period, when frames are waiting. The app
 * also drains at its display tick (read), so a late message costs nothing.
 *
 * Where each part runs and what it may do:
 * - The driver's ISR (ESP-IDF's, not ours): copies each frame from the
 *   controller's RX FIFO into the driver's RX queue, `rx_queue_len` fixed
 *   slots allocated once in twai_driver_install. No allocation per frame. With
 *   CONFIG_TWAI_ISR_IN_IRAM (hosts/esp32/sdkconfig) it sits in IRAM and is
 *   installed with ESP_INTR_FLAG_IRAM, so it keeps receiving while flash is
 *   written (preferences, the odometer). The ESP32 errata workarounds
 *   (CONFIG_TWAI_ERRATA_FIX_RX_FIFO_CORRUPT: reset the controller when the RX
 *   FIFO overruns with its message counter at 64; _RX_FRAME_INVALID,
 *   _BUS_OFF_REC, _LISTEN_ONLY_DOM, _TX_INTR_LOST) run there too; frames they
 *   cost are in rx_missed_count / rx_overrun_count.
 * - twaiAlertTask, a FreeRTOS task of this module, always running while the
 *   driver is installed: blocks in twai_read_alerts for at most kPollMS, drops
 *   the oldest frames past `keep`, ORs the alerts into `pending`, and keeps at
 *   most one message posted to the XS machine (modMessagePostToMachine without
 *   payload: no allocation). It never touches an XS value. If close() stops
 *   waiting for it (it was blocked posting to a full XS queue), it uninstalls
 *   the driver itself on its way out.
 * - twaiDeliver and every xs_twai_* function: the XS task. read() pops frames
 *   with twai_receive(.., 0) straight into the caller's buffer.
 * The record is freed by whichever of the object, the alert task and a posted
 * message lets go of it last (`useCount`).
 */

#include "xsmc.h"
#include "xsHost.h"
#include "mc.xs.h"			// xsID_* values
#include "builtinCommon.h"

#include "freertos/FreeRTOS.h"
#include "freertos/task.h"
#include "freertos/semphr.h"

#ifndef CONFIG_TWAI_SUPPRESS_DEPRECATE_WARN
	#define CONFIG_TWAI_SUPPRESS_DEPRECATE_WARN 1
#endif
#include "driver/twai.h"

#define kRecordSize (16)			// TWAI_RECORD_SIZE in modules/can/twai.ts
#define kRecordData (8)
#define kFlagExtended (1)			// FrameFlag in modules/can/frame.ts
#define kFlagRemote (2)
#define kStatusLength (11)			// TWAI_STATUS_LENGTH
#define kPollMS (10)				// the task looks at the queue (and `stopping`) at least this often
#define kCloseWaitMS (200)			// how long close() waits for the alert task to end
#define kRecoveryPolls (100)		// how long close() waits for a recovery in progress: 100 x 5 ms (128 frames at 125 kbit/s)
#define kRecoveryPollMS (5)

/** Set when a closed instance left the driver installed (see twaiUninstallOrphan). */
static uint8_t gOrphaned = 0;
#define kAlertTaskStack (2560)
#define kAlertTaskPriority (tskIDLE_PRIORITY + 6)

// Alerts that mean "look at status()": state changes and losses. Not TWAI_ALERT_RX_DATA (see above)
// nor TWAI_ALERT_BUS_ERROR: both fire per frame (bus errors per failed frame on a wrong bit rate,
// where listen-only freezes TEC/REC so no state alert follows); bus_error_count is read at every step.
#define kErrorAlerts (TWAI_ALERT_ERR_ACTIVE | TWAI_ALERT_ABOVE_ERR_WARN | TWAI_ALERT_BELOW_ERR_WARN | \
	TWAI_ALERT_ERR_PASS | TWAI_ALERT_BUS_OFF | TWAI_ALERT_RECOVERY_IN_PROGRESS | TWAI_ALERT_BUS_RECOVERED | \
	TWAI_ALERT_RX_QUEUE_FULL | TWAI_ALERT_RX_FIFO_OVERRUN | TWAI_ALERT_PERIPH_RESET)

static const twai_timing_config_t gTiming125k = TWAI_TIMING_CONFIG_125KBITS();
static const twai_timing_config_t gTiming250k = TWAI_TIMING_CONFIG_250KBITS();
static const twai_timing_config_t gTiming500k = TWAI_TIMING_CONFIG_500KBITS();
static const twai_timing_config_t gTiming1M = TWAI_TIMING_CONFIG_1MBITS();

typedef struct TwaiRecord TwaiRecord;
typedef struct TwaiRecord *Twai;

struct TwaiRecord {
	xsSlot				obj;
	xsMachine			*the;
	xsSlot				*onReadable;
	xsSlot				*onError;
	TaskHandle_t		task;
	SemaphoreHandle_t	taskDone;
	StaticSemaphore_t	taskDoneBuffer;
	uint32_t			pending;		// alerts not yet delivered; alert task ORs, XS task takes
	uint32_t			dropped;		// oldest frames the alert task discarded; it adds, status() reads
	uint32_t			keep;			// frames left queued; more and the oldest are dropped
	uint8_t				posted;			// a twaiDeliver message is in the XS queue
	uint8_t				stopping;		// close asked the alert task to end
	uint8_t				handoff;		// task end and close race for it: the second one uninstalls
	uint8_t				closed;
	uint8_t				useCount;		// the object, the alert task, and one per message in flight
	uint8_t				listenOnly;
	uint8_t				notifyReadable;	// onReadable given (read by the alert task; set once)
	uint8_t				notifyError;	// onError given
	uint8_t				remembered;		// xsRemember'd: close forgets it
	uint8_t				installed;
	uint8_t				pinsUsed;
	uint8_t				transmit;
	uint8_t				receive;
};

static void xs_twai_mark(xsMachine *the, void *it, xsMarkRoot markRoot);
void xs_twai_destructor(void *data);

static const xsHostHooks ICACHE_RODATA_ATTR xsTwaiHooks = {
	xs_twai_destructor,
	xs_twai_mark,
	NULL
};

static void twaiAlertTask(void *refcon);
static void twaiDeliver(void *theIn, void *refcon, uint8_t *message, uint16_t messageLength);
static void twaiRelease(Twai twai);
static void twaiUninstall(Twai twai);
static void twaiUninstallOrphan(void);

// Filter code and mask use all 32 bits: builtinGetUnsignedInteger goes through int32 and would call 0xFFFFFFFF negative.
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

void xs_twai_constructor(xsMachine *the)
{
	Twai twai;
	uint32_t transmit, receive, bitRate, rxQueueLength, code, mask;
	uint8_t listenOnly, single;
	const twai_timing_config_t *timing;
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

	xsmcGet(xsVar(0), xsArg(0), xsID_bitRate);
	bitRate = builtinGetUnsignedInteger(the, &xsVar(0));
	switch (bitRate) {
		case 125000: timing = &gTiming125k; break;
		case 250000: timing = &gTiming250k; break;
		case 500000: timing = &gTiming500k; break;
		case 1000000: timing = &gTiming1M; break;
		default: xsRangeError("invalid bitRate");
	}

	xsmcGet(xsVar(0), xsArg(0), xsID_listenOnly);
	listenOnly = xsmcTest(xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_code);
	code = twaiGetUint32(the, &xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_mask);
	mask = twaiGetUint32(the, &xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_single);
	single = xsmcTest(xsVar(0));
	xsmcGet(xsVar(0), xsArg(0), xsID_rxQueueLength);
	rxQueueLength = builtinGetUnsignedInteger(the, &xsVar(0));
	if ((rxQueueLength < 1) || (rxQueueLength > 4096))
		xsRangeError("invalid rxQueueLength");

	onReadable = twaiCallback(the, xsID_onReadable);
	onError = twaiCallback(the, xsID_onError);

	twai = c_calloc(1, sizeof(TwaiRecord));
	if (!twai)
		xsRangeError("no memory");
	twai->obj = xsThis;
	twai->the = the;
	twai->onReadable = onReadable;
	twai->onError = onError;
	twai->listenOnly = listenOnly;
	twai->transmit = (uint8_t)transmit;
	twai->receive = (uint8_t)receive;
	twai->keep = rxQueueLength - (rxQueueLength >> 2);	// twaiQueueKeep in modules/can/twai.ts
	twai->notifyReadable = onReadable ? 1 : 0;
	twai->notifyError = onError ? 1 : 0;
	twai->useCount = 1;
	xsmcSetHostData(xsThis, twai);
	xsSetHostHooks(xsThis, (xsHostHooks *)&xsTwaiHooks);

	twai_general_config_t general = TWAI_GENERAL_CONFIG_DEFAULT((gpio_num_t)transmit, (gpio_num_t)receive,
		listenOnly ? TWAI_MODE_LISTEN_ONLY : TWAI_MODE_NORMAL);
	general.rx_queue_len = rxQueueLength;
	general.tx_queue_len = listenOnly ? 0 : 8;	// 0: no TX queue; twai_transmit refuses in listen-only anyway
	general.alerts_enabled = kErrorAlerts;		// no per-frame wake-ups: see the header
#if CONFIG_TWAI_ISR_IN_IRAM
	general.intr_flags = ESP_INTR_FLAG_LEVEL1 | ESP_INTR_FLAG_IRAM;
#endif
	twai_filter_config_t filter = { .acceptance_code = code, .acceptance_mask = mask, .single_filter = single };

	twaiUninstallOrphan();
	err = twai_driver_install(&general, timing, &filter);
	if (ESP_ERR_INVALID_STATE == err)
		xsUnknownError("in use");		// one controller; another instance has it
	if (err)
		xsUnknownError("twai_driver_install failed");
	twai->installed = 1;
	builtinUsePin(transmit);
	builtinUsePin(receive);
	twai->pinsUsed = 1;

	// The task runs with or without callbacks: it is what keeps the queue from filling.
	twai->taskDone = xSemaphoreCreateBinaryStatic(&twai->taskDoneBuffer);
	twai->useCount = 2;
	if (pdPASS != xTaskCreate(twaiAlertTask, "twai", kAlertTaskStack, twai, kAlertTaskPriority, &twai->task)) {
		twai->task = NULL;
		twai->useCount = 1;
		xsUnknownError("no memory");	// destructor uninstalls
	}
	if (onReadable || onError) {
		xsRemember(twai->obj);
		twai->remembered = 1;
	}
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
		__atomic_store_n(&twai->stopping, 1, __ATOMIC_SEQ_CST);
		// The task notices within kPollMS, unless it is blocked posting to a
		// full XS message queue (release builds wait forever there), which only this
		// thread drains. Then it uninstalls the driver itself once it gets out.
		xSemaphoreTake(twai->taskDone, pdMS_TO_TICKS(kCloseWaitMS));
		if (__atomic_exchange_n(&twai->handoff, 1, __ATOMIC_SEQ_CST))
			twaiUninstall(twai);		// the task has ended
	}
	else
		twaiUninstall(twai);
	if (twai->pinsUsed) {
		twai->pinsUsed = 0;
		builtinFreePin(twai->transmit);
		builtinFreePin(twai->receive);
	}
	if (0 == __atomic_sub_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST))
		c_free(twai);
}

// XS task, or the alert task when close gave up waiting for it.
// Stops and uninstalls the driver; 1 when it is gone. Uninstall needs stopped or
// bus-off. Recovery ends in stopped after 128 x 11 recessive bits: wait for it a
// little rather than leave the driver installed.
static int twaiStopAndUninstall(void)
{
	twai_status_info_t info;

	info.state = TWAI_STATE_STOPPED;
	for (int i = 0; (ESP_OK == twai_get_status_info(&info)) && (TWAI_STATE_RECOVERING == info.state) && (i < kRecoveryPolls); i++)
		vTaskDelay(pdMS_TO_TICKS(kRecoveryPollMS));
	if (TWAI_STATE_RUNNING == info.state)
		twai_stop();
	return ESP_OK == twai_driver_uninstall();
}

static void twaiUninstall(Twai twai)
{
	if (!twai->installed)
		return;
	if (twaiStopAndUninstall())
		twai->installed = 0;
	else
		__atomic_store_n(&gOrphaned, 1, __ATOMIC_SEQ_CST);	// the next constructor finishes the job
}

// XS task (constructor): a driver a closed instance could not uninstall (its
// recovery outlasted close) is stopped and uninstalled now, so it does not
// answer "in use" until the next reboot.
static void twaiUninstallOrphan(void)
{
	if (__atomic_load_n(&gOrphaned, __ATOMIC_SEQ_CST) && twaiStopAndUninstall())
		__atomic_store_n(&gOrphaned, 0, __ATOMIC_SEQ_CST);
}

void xs_twai_read(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	void *buffer;
	xsUnsignedValue length;
	uint32_t written = 0;
	twai_message_t message;

	(void)twai;
	xsmcGetBufferWritable(xsArg(0), &buffer, &length);
	while ((written + kRecordSize) <= length) {
		uint8_t *record = (uint8_t *)buffer + written;
		uint8_t dlc, count, i;

		if (ESP_OK != twai_receive(&message, 0))
			break;
		dlc = (message.data_length_code > 8) ? 8 : message.data_length_code;
		count = message.rtr ? 0 : dlc;
		record[0] = (uint8_t)message.identifier;
		record[1] = (uint8_t)(message.identifier >> 8);
		record[2] = (uint8_t)(message.identifier >> 16);
		record[3] = (uint8_t)(message.identifier >> 24);
		record[4] = (message.extd ? kFlagExtended : 0) | (message.rtr ? kFlagRemote : 0);
		record[5] = dlc;
		record[6] = 0;
		record[7] = 0;
		for (i = 0; i < 8; i++)
			record[kRecordData + i] = (i < count) ? message.data[i] : 0;
		written += kRecordSize;
	}
	xsmcSetInteger(xsResult, written);
}

void xs_twai_write(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	void *buffer;
	xsUnsignedValue length;
	const uint8_t *record;
	twai_message_t message = {0};
	esp_err_t err;

	if (twai->listenOnly)
		xsUnknownError("listen-only");
	xsmcGetBufferReadable(xsArg(0), &buffer, &length);
	if (length < kRecordSize)
		xsRangeError("short record");
	record = buffer;
	if (record[5] > 8)
		xsRangeError("invalid DLC");
	message.identifier = record[0] | (record[1] << 8) | (record[2] << 16) | ((uint32_t)record[3] << 24);
	message.extd = (record[4] & kFlagExtended) ? 1 : 0;
	message.rtr = (record[4] & kFlagRemote) ? 1 : 0;
	message.data_length_code = record[5];
	c_memcpy(message.data, record + kRecordData, 8);

	err = twai_transmit(&message, 0);
	if ((ESP_ERR_TIMEOUT == err) || (ESP_FAIL == err))
		xsUnknownError("output full");
	if (err)
		xsUnknownError("transmit failed");
}

void xs_twai_status(xsMachine *the)
{
	Twai twai = xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	void *buffer;
	xsUnsignedValue length;
	uint32_t *out;
	twai_status_info_t info;

	xsmcGetBufferWritable(xsArg(0), &buffer, &length);
	if (length < (kStatusLength * sizeof(uint32_t)))
		xsRangeError("short status buffer");
	if (ESP_OK != twai_get_status_info(&info))
		xsUnknownError("not installed");
	out = buffer;		// the order of twai_status_info_t, then this module's own count
	out[0] = info.state;
	out[1] = info.msgs_to_tx;
	out[2] = info.msgs_to_rx;
	out[3] = info.tx_error_counter;
	out[4] = info.rx_error_counter;
	out[5] = info.tx_failed_count;
	out[6] = info.rx_missed_count;
	out[7] = info.rx_overrun_count;
	out[8] = info.arb_lost_count;
	out[9] = info.bus_error_count;
	out[10] = __atomic_load_n(&twai->dropped, __ATOMIC_SEQ_CST);
}

void xs_twai_start(xsMachine *the)
{
	xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	if (ESP_OK != twai_start())
		xsUnknownError("invalid state");
}

void xs_twai_stop(xsMachine *the)
{
	xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	if (ESP_OK != twai_stop())
		xsUnknownError("invalid state");
}

// Bus-off only. Ends in TWAI_STATE_STOPPED (alert BUS_RECOVERED): twai_start must follow.
void xs_twai_recover(xsMachine *the)
{
	xsmcGetHostDataValidate(xsThis, (void *)&xsTwaiHooks);
	if (ESP_OK != twai_initiate_recovery())
		xsUnknownError("invalid state");
}

// Alert task: pops the oldest queued frames, at most `excess`, while more than
// `keep` wait, and counts them. The XS task may be reading at the same moment
// (each frame goes to one of the two), hence the look before each pop.
static void twaiDropOldest(Twai twai, uint32_t excess)
{
	twai_status_info_t info;
	twai_message_t message;

	while (excess-- && (ESP_OK == twai_get_status_info(&info)) && (info.msgs_to_rx > twai->keep) &&
			(ESP_OK == twai_receive(&message, 0)))
		__atomic_add_fetch(&twai->dropped, 1, __ATOMIC_SEQ_CST);
}

// FreeRTOS task: no XS, no allocation. Holds a use count until it ends.
static void twaiAlertTask(void *refcon)
{
	Twai twai = refcon;
	const TickType_t period = pdMS_TO_TICKS(kPollMS) ? pdMS_TO_TICKS(kPollMS) : 1;

	while (!__atomic_load_n(&twai->stopping, __ATOMIC_SEQ_CST)) {
		uint32_t alerts = 0;
		twai_status_info_t info;
		esp_err_t err = twai_read_alerts(&alerts, period);	// ESP_ERR_TIMEOUT: a period without error alerts

		if (((ESP_OK != err) && (ESP_ERR_TIMEOUT != err)) || (ESP_OK != twai_get_status_info(&info))) {
			vTaskDelay(period);		// not installed: cannot happen while this task runs; never spin
			continue;
		}
		if (info.msgs_to_rx > twai->keep)
			twaiDropOldest(twai, info.msgs_to_rx - twai->keep);
		if (alerts)
			__atomic_fetch_or(&twai->pending, alerts, __ATOMIC_SEQ_CST);
		if (!((twai->notifyError && __atomic_load_n(&twai->pending, __ATOMIC_SEQ_CST)) || (twai->notifyReadable && info.msgs_to_rx)))
			continue;		// nothing to tell, or nobody to tell it to
		if (__atomic_exchange_n(&twai->posted, 1, __ATOMIC_SEQ_CST))
			continue;		// one message in flight is enough: it delivers everything pending
		__atomic_add_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST);
		if (modMessagePostToMachine(twai->the, NULL, 0, twaiDeliver, twai)) {
			__atomic_sub_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST);	// queue full: the next period retries
			__atomic_store_n(&twai->posted, 0, __ATOMIC_SEQ_CST);
		}
	}
	xSemaphoreGive(twai->taskDone);
	if (__atomic_exchange_n(&twai->handoff, 1, __ATOMIC_SEQ_CST))
		twaiUninstall(twai);			// close stopped waiting for us: finish its work
	if (0 == __atomic_sub_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST))
		c_free(twai);
	vTaskDelete(NULL);
}

// XS task. The record stays alive until the end: this message holds a use count.
static void twaiDeliver(void *theIn, void *refcon, uint8_t *message, uint16_t messageLength)
{
	xsMachine *the = (xsMachine *)theIn;
	Twai twai = (Twai)refcon;
	uint32_t alerts;

	__atomic_store_n(&twai->posted, 0, __ATOMIC_SEQ_CST);
	alerts = __atomic_exchange_n(&twai->pending, 0, __ATOMIC_SEQ_CST);

	if ((alerts & kErrorAlerts) && twai->onError && !twai->closed) {
		xsBeginHost(the);
			xsCallFunction0(xsReference(twai->onError), twai->obj);
		xsEndHost(the);
	}
	if (twai->onReadable && !twai->closed) {	// onError may have closed it
		twai_status_info_t info;
		if ((ESP_OK == twai_get_status_info(&info)) && info.msgs_to_rx) {
			xsBeginHost(the);
				xsmcSetInteger(xsResult, info.msgs_to_rx);
				xsCallFunction1(xsReference(twai->onReadable), twai->obj, xsResult);
			xsEndHost(the);
		}
	}

	if (0 == __atomic_sub_fetch(&twai->useCount, 1, __ATOMIC_SEQ_CST))
		c_free(twai);
}

static void xs_twai_mark(xsMachine *the, void *it, xsMarkRoot markRoot)
{
	Twai twai = it;

	if (twai->onReadable)
		(*markRoot)(the, twai->onReadable);
	if (twai->onError)
		(*markRoot)(the, twai->onError);
}
