#pragma once
#include "sdkconfig.h"
#include <stdint.h>
typedef uint32_t TickType_t;
typedef int BaseType_t;
typedef unsigned int UBaseType_t;
#define pdMS_TO_TICKS(ms) ((TickType_t)(ms))
#define portMAX_DELAY ((TickType_t)0xffffffff)
#define pdPASS 1
#define tskIDLE_PRIORITY 0
