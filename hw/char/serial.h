/*
 * hw/char/serial.h: an ns16550a UART (one byte per register, reg-shift 0)
 * on a chardev front end.
 *
 * The board maps serial_get_region() at the UART's base and connects
 * serial_get_irq() to a PLIC input.  Bytes the guest writes to THR go to the
 * chardev; a backend that cannot take them yet leaves them in the 16-byte
 * transmit FIFO (LSR.THRE stays clear) until its G_IO_OUT watch fires, so no
 * byte is dropped unless the guest overruns a full FIFO.  Host input is only
 * pulled while the receive FIFO has room.
 *
 * Threads: the main thread (the board runs vCPUs and devices there).
 */
#ifndef HW_CHAR_SERIAL_H
#define HW_CHAR_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "chardev/char-fe.h"
#include "hw/core/irq.h"
#include "hw/core/memory.h"

/* The register file: 8 byte-wide registers (PC16550D datasheet, table 2). */
#define SERIAL_REG_COUNT 8
/* The region the board maps (QEMU virt maps 0x100 bytes). */
#define SERIAL_MMIO_SIZE 0x100

typedef struct SerialState SerialState;

/*
 * serial_new: a UART in its reset state bound to @chr (NULL: no backend;
 * output is discarded and there is never input).  Fails if @chr already has
 * a front end ("chardev 'ID' is already in use").
 */
SerialState *serial_new(Chardev *chr, GError **errp);
/* serial_free: unbind from the chardev and free.  NULL is fine. */
void serial_free(SerialState *s);

/* The register region (not mapped) and the interrupt output. */
MemoryRegion *serial_get_region(SerialState *s);
IRQLine *serial_get_irq(SerialState *s);

/* serial_reset: power-on register values, FIFOs emptied, IRQ lowered. */
void serial_reset(SerialState *s);

/*
 * For the SBI legacy console (and hvc0 earlycon): write one byte to the
 * backend, never blocking (a byte the backend cannot take now waits in the
 * TX FIFO; with that full too, it is dropped); and take one byte of host
 * input from the receive FIFO, or -1 if there is none.
 */
void serial_console_putchar(SerialState *s, uint8_t ch);
int serial_console_getchar(SerialState *s);

#endif /* HW_CHAR_SERIAL_H */
