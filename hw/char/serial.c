/*
 * hw/char/serial.c: ns16550a UART.  Register map and bits after the
 * National PC16550D datasheet (§8: registers), with QEMU's choices where the
 * datasheet leaves room (modem lines report carrier, DSR and CTS present).
 */
#include <string.h>

#include "hw/char/serial.h"
#include "chardev/char-fe-outbuf.h"
#include "qom/error.h"

/* Register offsets (datasheet table 2); DLAB = LCR bit 7 selects DLL/DLM. */
#define UART_RBR 0  /* read: receive buffer */
#define UART_THR 0  /* write: transmit holding */
#define UART_DLL 0  /* DLAB: divisor latch low */
#define UART_IER 1
#define UART_DLM 1  /* DLAB: divisor latch high */
#define UART_IIR 2  /* read */
#define UART_FCR 2  /* write */
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI  0x01  /* received data available */
#define UART_IER_THRI 0x02  /* transmit holding register empty */
#define UART_IER_RLSI 0x04  /* receiver line status */
#define UART_IER_MSI  0x08  /* modem status */
#define UART_IER_MASK 0x0f

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c  /* character timeout: data below the trigger */
#define UART_IIR_FIFO   0xc0  /* both bits set when the FIFOs are enabled */

#define UART_FCR_ENABLE   0x01
#define UART_FCR_CLEAR_RX 0x02
#define UART_FCR_CLEAR_TX 0x04
#define UART_FCR_TRIGGER_SHIFT 6

#define UART_LCR_DLAB 0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10
#define UART_MCR_MASK 0x1f

#define UART_LSR_DR   0x01  /* data ready */
#define UART_LSR_OE   0x02  /* overrun */
#define UART_LSR_BI   0x10  /* break interrupt */
#define UART_LSR_THRE 0x20  /* THR (TX FIFO) empty */
#define UART_LSR_TEMT 0x40  /* transmitter empty */
#define UART_LSR_ERR_MASK 0x1e

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80
#define UART_MSR_DELTA_MASK 0x0f

/* The 16550's FIFOs are 16 bytes deep (datasheet §1). */
#define UART_FIFO_SIZE 16
/* RX trigger levels selected by FCR bits 7:6. */
static const uint8_t rx_trigger_levels[4] = { 1, 4, 8, 14 };

typedef struct SerialFifo {
    uint8_t data[UART_FIFO_SIZE];
    unsigned head;
    unsigned count;
} SerialFifo;

struct SerialState {
    MemoryRegion mmio;
    IRQLine irq;
    CharBackend chr;

    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    uint16_t divider;
    bool thr_ipending;      /* THRE interrupt latched, until IIR read/THR write */
    SerialFifo rx;
    ChrFeOutBuf tx;         /* the TX FIFO: what the backend did not take */
};

static void fifo_reset(SerialFifo *f)
{
    f->head = 0;
    f->count = 0;
}

static bool fifo_push(SerialFifo *f, uint8_t b)
{
    if (f->count == UART_FIFO_SIZE) {
        return false;
    }
    f->data[(f->head + f->count) % UART_FIFO_SIZE] = b;
    f->count++;
    return true;
}

static uint8_t fifo_pop(SerialFifo *f)
{
    uint8_t b = f->data[f->head];

    f->head = (f->head + 1) % UART_FIFO_SIZE;
    f->count--;
    return b;
}

static bool fifo_enabled(SerialState *s)
{
    return s->fcr & UART_FCR_ENABLE;
}

/* How many bytes the receiver holds at most: the FIFO, or one RBR. */
static unsigned rx_capacity(SerialState *s)
{
    return fifo_enabled(s) ? UART_FIFO_SIZE : 1;
}

/* The highest-priority pending interrupt, as IIR reports it (§8.6.3). */
static uint8_t serial_iir_id(SerialState *s)
{
    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_OE)) {
        return UART_IIR_RLSI;
    }
    if ((s->ier & UART_IER_RDI) && s->rx.count) {
        /*
         * No timer: below the trigger level the data is reported as a
         * character timeout at once, which drivers treat the same way.
         */
        unsigned trig = fifo_enabled(s) ?
            rx_trigger_levels[s->fcr >> UART_FCR_TRIGGER_SHIFT] : 1;
        return s->rx.count >= trig ? UART_IIR_RDI : UART_IIR_CTI;
    }
    if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        return UART_IIR_THRI;
    }
    if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTA_MASK)) {
        return UART_IIR_MSI;
    }
    return UART_IIR_NO_INT;
}

static void serial_update_irq(SerialState *s)
{
    irq_set(&s->irq, serial_iir_id(s) != UART_IIR_NO_INT);
}

/* The transmitter drained: THRE and TEMT, and the THRE interrupt. */
static void serial_tx_empty(SerialState *s)
{
    s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
    s->thr_ipending = true;
    serial_update_irq(s);
}

/* Hand the TX FIFO to the backend; wait for G_IO_OUT for what it refuses. */
static void serial_tx_flush(void *opaque)
{
    SerialState *s = opaque;

    if (chr_fe_outbuf_flush(&s->tx) > 0) {
        return;
    }
    /* No peer, or the backend cannot tell us when: the line is dead, the
     * bytes are lost as on a real unconnected UART. */
    chr_fe_outbuf_drop(&s->tx);
    serial_tx_empty(s);
}

static void serial_receive_byte(SerialState *s, uint8_t b)
{
    if (!fifo_push(&s->rx, b)) {
        s->lsr |= UART_LSR_OE;
    }
    s->lsr |= UART_LSR_DR;
}

static void serial_write_thr(SerialState *s, uint8_t b)
{
    s->thr_ipending = false;
    if (s->mcr & UART_MCR_LOOP) {
        /* Loopback (§8.6.6): the byte comes straight back in. */
        if (s->rx.count < rx_capacity(s)) {
            serial_receive_byte(s, b);
        } else {
            s->lsr |= UART_LSR_OE;
        }
        serial_tx_empty(s);
        return;
    }
    if (!chr_fe_outbuf_append(&s->tx, &b, 1)) {
        /* The guest ignored THRE and overran the FIFO: the byte is lost. */
        return;
    }
    s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
    if (!chr_fe_outbuf_waiting(&s->tx)) {
        serial_tx_flush(s);
    }
    serial_update_irq(s);
}

static uint8_t serial_read_rbr(SerialState *s)
{
    uint8_t b = 0;

    if (s->rx.count) {
        b = fifo_pop(&s->rx);
    }
    if (!s->rx.count) {
        s->lsr &= ~UART_LSR_DR;
    }
    serial_update_irq(s);
    if (!(s->mcr & UART_MCR_LOOP)) {
        chr_fe_accept_input(&s->chr);
    }
    return b;
}

static uint8_t serial_read_msr(SerialState *s)
{
    uint8_t v;

    if (s->mcr & UART_MCR_LOOP) {
        /* Loopback: outputs feed the modem inputs (§8.6.6). */
        v = s->msr & UART_MSR_DELTA_MASK;
        if (s->mcr & UART_MCR_RTS) {
            v |= UART_MSR_CTS;
        }
        if (s->mcr & UART_MCR_DTR) {
            v |= UART_MSR_DSR;
        }
        if (s->mcr & UART_MCR_OUT1) {
            v |= UART_MSR_RI;
        }
        if (s->mcr & UART_MCR_OUT2) {
            v |= UART_MSR_DCD;
        }
    } else {
        v = s->msr;
    }
    s->msr &= ~UART_MSR_DELTA_MASK;
    serial_update_irq(s);
    return v;
}

static uint64_t serial_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    SerialState *s = opaque;
    uint8_t v = 0;

    switch (offset) {
    case UART_RBR:
        v = (s->lcr & UART_LCR_DLAB) ? (s->divider & 0xff) : serial_read_rbr(s);
        break;
    case UART_IER:
        v = (s->lcr & UART_LCR_DLAB) ? (s->divider >> 8) : s->ier;
        break;
    case UART_IIR:
        v = serial_iir_id(s);
        if (v == UART_IIR_THRI) {
            /* Reading IIR with THRE as its source clears it (§8.6.3). */
            s->thr_ipending = false;
            serial_update_irq(s);
        }
        if (fifo_enabled(s)) {
            v |= UART_IIR_FIFO;
        }
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        v = s->lsr;
        /* Reading LSR clears the error bits (§8.6.4). */
        if (s->lsr & UART_LSR_ERR_MASK) {
            s->lsr &= ~UART_LSR_ERR_MASK;
            serial_update_irq(s);
        }
        break;
    case UART_MSR:
        v = serial_read_msr(s);
        break;
    case UART_SCR:
        v = s->scr;
        break;
    default:
        break;  /* beyond the 8 registers: reads as zero */
    }
    return v;
}

static void serial_write_fcr(SerialState *s, uint8_t v)
{
    bool was_enabled = fifo_enabled(s);

    /* Toggling the enable bit clears both FIFOs (§8.6.2). */
    if ((v & UART_FCR_CLEAR_RX) || was_enabled != !!(v & UART_FCR_ENABLE)) {
        fifo_reset(&s->rx);
        s->lsr &= ~(UART_LSR_DR | UART_LSR_OE);
    }
    if ((v & UART_FCR_CLEAR_TX) || was_enabled != !!(v & UART_FCR_ENABLE)) {
        if (!chr_fe_outbuf_waiting(&s->tx)) {
            chr_fe_outbuf_drop(&s->tx);
            s->lsr |= UART_LSR_THRE | UART_LSR_TEMT;
        }
    }
    s->fcr = v & (UART_FCR_ENABLE | (3u << UART_FCR_TRIGGER_SHIFT));
    serial_update_irq(s);
    chr_fe_accept_input(&s->chr);
}

static void serial_mmio_write(void *opaque, uint64_t offset, uint64_t value,
                              unsigned size)
{
    SerialState *s = opaque;
    uint8_t v = value;

    switch (offset) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0xff00) | v;
        } else {
            serial_write_thr(s, v);
        }
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divider = (s->divider & 0x00ff) | (v << 8);
            break;
        }
        /* Enabling THRI with the transmitter empty raises it at once, as
         * on the real chip (Linux's 8250 driver relies on it). */
        if ((v & UART_IER_THRI) && !(s->ier & UART_IER_THRI) &&
            (s->lsr & UART_LSR_THRE)) {
            s->thr_ipending = true;
        }
        s->ier = v & UART_IER_MASK;
        serial_update_irq(s);
        break;
    case UART_FCR:
        serial_write_fcr(s, v);
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        s->mcr = v & UART_MCR_MASK;
        break;
    case UART_LSR:
    case UART_MSR:
        break;  /* read-only */
    case UART_SCR:
        s->scr = v;
        break;
    default:
        break;
    }
}

static const MemoryRegionOps serial_mmio_ops = {
    .read = serial_mmio_read,
    .write = serial_mmio_write,
    .min_access = 1,
    .max_access = 4,
};

static int serial_can_receive(void *opaque)
{
    SerialState *s = opaque;

    if (s->mcr & UART_MCR_LOOP) {
        return 0;   /* the receiver listens to the transmitter only */
    }
    return rx_capacity(s) - MIN(s->rx.count, rx_capacity(s));
}

static void serial_receive(void *opaque, const uint8_t *buf, int size)
{
    SerialState *s = opaque;

    for (int i = 0; i < size; i++) {
        serial_receive_byte(s, buf[i]);
    }
    serial_update_irq(s);
}

static void serial_event(void *opaque, ChrEvent event)
{
    SerialState *s = opaque;

    if (event == CHR_EVENT_BREAK) {
        /* A break is a NUL with the break indicator set (§8.6.4, BI). */
        serial_receive_byte(s, 0);
        s->lsr |= UART_LSR_BI;
        serial_update_irq(s);
    }
}

void serial_reset(SerialState *s)
{
    chr_fe_outbuf_drop(&s->tx);
    s->ier = 0;
    s->lcr = 0;
    s->mcr = UART_MCR_OUT2;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    /* No modem behind the chardev: carrier, DSR and CTS are up. */
    s->msr = UART_MSR_DCD | UART_MSR_DSR | UART_MSR_CTS;
    s->scr = 0;
    s->fcr = 0;
    s->divider = 12;    /* 9600 baud from 1.8432 MHz */
    s->thr_ipending = false;
    fifo_reset(&s->rx);
    irq_lower(&s->irq);
}

SerialState *serial_new(Chardev *chr, GError **errp)
{
    SerialState *s = g_new0(SerialState, 1);

    if (!chr_fe_init(&s->chr, chr, errp)) {
        g_free(s);
        return NULL;
    }
    chr_fe_outbuf_init(&s->tx, &s->chr, UART_FIFO_SIZE, serial_tx_flush, s);
    memory_region_init_io(&s->mmio, &serial_mmio_ops, s, "serial",
                          SERIAL_MMIO_SIZE);
    serial_reset(s);
    chr_fe_set_handlers(&s->chr, serial_can_receive, serial_receive,
                        serial_event, NULL, s, NULL, true);
    return s;
}

void serial_free(SerialState *s)
{
    if (!s) {
        return;
    }
    chr_fe_outbuf_destroy(&s->tx);
    address_space_unmap_region(&s->mmio);
    chr_fe_deinit(&s->chr, false);
    g_free(s);
}

MemoryRegion *serial_get_region(SerialState *s)
{
    return &s->mmio;
}

IRQLine *serial_get_irq(SerialState *s)
{
    return &s->irq;
}

void serial_console_putchar(SerialState *s, uint8_t ch)
{
    /* Straight out when nothing is queued; otherwise behind the queue, so
     * the order holds.  Never blocks: a peer that stops reading leaves the
     * bytes in the TX FIFO, and once that is full, console bytes are lost
     * rather than the whole machine stalled. */
    if (!chr_fe_outbuf_len(&s->tx) && !chr_fe_outbuf_waiting(&s->tx) &&
        chr_fe_write(&s->chr, &ch, 1) != 0) {
        return;     /* sent, or the line is dead (-1) */
    }
    if (chr_fe_outbuf_append(&s->tx, &ch, 1)) {
        s->lsr &= ~(UART_LSR_THRE | UART_LSR_TEMT);
        if (!chr_fe_outbuf_waiting(&s->tx)) {
            serial_tx_flush(s);
        }
    }
}

int serial_console_getchar(SerialState *s)
{
    if (!s->rx.count) {
        return -1;
    }
    return serial_read_rbr(s);
}
