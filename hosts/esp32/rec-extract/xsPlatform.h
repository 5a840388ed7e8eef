/*
 * What Moddable's copy of littlefs (lfs.h includes "xsPlatform.h") needs on a
 * desktop: its c_* names for the C library. For rec-extract only.
 */
#include <stdlib.h>
#include <string.h>
#define c_calloc calloc
#define c_free free
#define c_malloc malloc
#define c_memcmp memcmp
#define c_memcpy memcpy
#define c_memset memset
#define c_strchr strchr
#define c_strcpy strcpy
#define c_strcspn strcspn
#define c_strlen strlen
#define c_strspn strspn
