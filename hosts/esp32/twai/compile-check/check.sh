#!/bin/sh
# Compile check of twai.c without ESP-IDF: the real XS headers from the
# Moddable SDK, and stub/ headers that declare only what twai.c uses, copied
# from ESP-IDF 5.x driver/twai.h and hal/twai_types.h (types, macros and
# prototypes; no code). It catches typos, wrong types and wrong field names
# against that API; it proves nothing about the real build (IDF include
# order, sdkconfig, linking). Host gcc, syntax only:
#   MODDABLE=/opt/moddable sh hosts/esp32/twai/compile-check/check.sh
set -e
here=$(dirname "$0")
exec gcc -fsyntax-only -std=gnu17 -Wall -Wextra -Wno-unused-parameter \
	-I"$here/stub" -I"$MODDABLE/xs/includes" \
	-include "$here/stub/freertos/FreeRTOS.h" -include "$MODDABLE/xs/includes/xs.h" \
	"$here/../twai.c"
