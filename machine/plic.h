/*
 * machine/plic.h: the RISC-V platform-level interrupt controller
 * (riscv-plic-spec 1.0.0), level-triggered sources, as QEMU's virt wires it:
 * context 2h is hart h's M-mode external interrupt (MEIP), 2h+1 its S-mode
 * one (SEIP).
 *
 * A source's pending bit follows its line while it is not claimed; claim
 * takes the highest-priority pending source enabled for the context above
 * its threshold (ties: lowest id); complete re-arms it, and a line still
 * high is pending again at once.
 *
 * Threads: the main thread.
 */
#ifndef MACHINE_PLIC_H
#define MACHINE_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/memory.h"

/* Register layout (PLIC spec §3, "Memory map"). */
#define PLIC_PRIORITY_BASE   0x000000   /* + 4 * source */
#define PLIC_PENDING_BASE    0x001000   /* bit per source */
#define PLIC_ENABLE_BASE     0x002000   /* + 0x80 * context, bit per source */
#define PLIC_ENABLE_STRIDE   0x80
#define PLIC_CONTEXT_BASE    0x200000   /* + 0x1000 * context */
#define PLIC_CONTEXT_STRIDE  0x1000
#define PLIC_CONTEXT_THRESHOLD 0x0
#define PLIC_CONTEXT_CLAIM     0x4      /* read: claim, write: complete */
#define PLIC_MMIO_SIZE       0x600000   /* QEMU virt's window */

/* Source 0 means "none"; QEMU virt has 96 sources (riscv,ndev = 96). */
#define PLIC_MAX_SOURCES 1024
/* Priorities 0 (never) .. 7, as QEMU virt's (3 bits). */
#define PLIC_PRIORITY_MASK 7u
#define PLIC_MAX_CONTEXTS ((PLIC_MMIO_SIZE - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE)

/* Drive the interrupt output of @context (MEIP/SEIP of a hart). */
typedef void (*PlicSetOutput)(void *opaque, unsigned context, bool level);

typedef struct PlicState PlicState;

/*
 * plic_new: @num_sources counts source 0, so sources 1..num_sources-1
 * exist (<= PLIC_MAX_SOURCES); @num_contexts <= PLIC_MAX_CONTEXTS.
 */
PlicState *plic_new(unsigned num_sources, unsigned num_contexts,
                    PlicSetOutput set_output, void *opaque);
void plic_free(PlicState *p);
MemoryRegion *plic_get_region(PlicState *p);

/* All priorities, enables, thresholds and claims to 0; outputs lowered.
 * Source lines keep their level (devices reset on their own). */
void plic_reset(PlicState *p);

/*
 * plic_set_irq: an IRQHandler (hw/core/irq.h): source @n's line is @level.
 * Connect devices with irq_connect(line, plic_set_irq, plic, n).  An
 * out-of-range @n is a board bug.
 */
void plic_set_irq(void *opaque, int n, int level);

#endif /* MACHINE_PLIC_H */
