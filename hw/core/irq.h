/*
 * hw/core/irq.h: interrupt lines.
 *
 * A device owns an IRQLine field; the board connects it to an input of an
 * interrupt controller (the PLIC) with irq_connect.  A device raises and
 * lowers its line and never learns what is on the other end, so a device
 * test can connect the line to a recorder instead.
 *
 * Threads: the main thread.
 */
#ifndef HW_CORE_IRQ_H
#define HW_CORE_IRQ_H

#include <stdbool.h>

/* An interrupt controller's input @n changed to @level (0 or 1). */
typedef void (*IRQHandler)(void *opaque, int n, int level);

typedef struct IRQLine {
    IRQHandler handler;     /* NULL: not connected, changes are ignored */
    void *opaque;
    int n;
    int level;              /* the last level set, for inspection */
} IRQLine;

/* Connect @irq to input @n of the controller (@handler, @opaque). */
static inline void irq_connect(IRQLine *irq, IRQHandler handler, void *opaque,
                               int n)
{
    irq->handler = handler;
    irq->opaque = opaque;
    irq->n = n;
}

/* Drive the line to @level; repeated levels are passed on (level-triggered). */
static inline void irq_set(IRQLine *irq, int level)
{
    irq->level = level ? 1 : 0;
    if (irq->handler) {
        irq->handler(irq->opaque, irq->n, irq->level);
    }
}

static inline void irq_raise(IRQLine *irq)
{
    irq_set(irq, 1);
}

static inline void irq_lower(IRQLine *irq)
{
    irq_set(irq, 0);
}

#endif /* HW_CORE_IRQ_H */
