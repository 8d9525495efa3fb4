// lwIP's compiler/platform header for the anchor firmware: as MicroPython's stm32 port's.
#ifndef MPS2_LWIP_ARCH_CC_H
#define MPS2_LWIP_ARCH_CC_H

#include <assert.h>
#include <stdio.h>

#define LWIP_PLATFORM_DIAG(x)    do { printf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x)  { assert(1); }

#define LWIP_NO_CTYPE_H 1

#endif
