/*
 * machine/syscon.h: the test/poweroff device at 0x100000 (QEMU's
 * "sifive,test0"): a 32-bit write to offset 0 ends the machine.  The DT's
 * syscon-poweroff and syscon-reboot nodes point at it.
 *
 * Threads: the main thread.
 */
#ifndef MACHINE_SYSCON_H
#define MACHINE_SYSCON_H

#include <stdint.h>

#include "hw/core/memory.h"

#define SYSCON_MMIO_SIZE 0x1000
/* Values written to offset 0 (low 16 bits; QEMU hw/misc/sifive_test). */
#define SYSCON_FAIL  0x3333     /* exit code in bits 31:16 */
#define SYSCON_PASS  0x5555     /* poweroff */
#define SYSCON_RESET 0x7777     /* reboot */
#define SYSCON_CODE_SHIFT 16

typedef enum SysconAction {
    SYSCON_ACTION_POWEROFF,
    SYSCON_ACTION_RESET,
    SYSCON_ACTION_FAIL,
} SysconAction;

/* What the guest asked for; @code is the exit status for FAIL. */
typedef void (*SysconHandler)(void *opaque, SysconAction action, int code);

typedef struct SysconState SysconState;

SysconState *syscon_new(SysconHandler handler, void *opaque);
void syscon_free(SysconState *s);
MemoryRegion *syscon_get_region(SysconState *s);

#endif /* MACHINE_SYSCON_H */
