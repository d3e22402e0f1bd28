/*
 * tests/device/test-serial.c: the ns16550a UART driven through its
 * registers, with a ringbuf chardev as the host side and a recorder on its
 * interrupt line: no CPU, no board.
 */
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "chardev/chardev.h"
#include "hw/char/serial.h"

/* Registers and bits, as a driver names them (PC16550D §8). */
#define RBR 0
#define THR 0
#define DLL 0
#define IER 1
#define DLM 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7
#define IER_RDI  0x01
#define IER_THRI 0x02
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI  0x04
#define IIR_CTI  0x0c
#define IIR_FIFO 0xc0
#define LSR_DR   0x01
#define LSR_OE   0x02
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MCR_LOOP 0x10
#define LCR_DLAB 0x80

typedef struct Fixture {
    Object *chardevs;
    Chardev *chr;
    SerialState *s;
    const MemoryRegionOps *ops;
    void *opaque;
    int irq_level;
    unsigned irq_edges;
} Fixture;

static void irq_record(void *opaque, int n, int level)
{
    Fixture *f = opaque;
    if (level && !f->irq_level) {
        f->irq_edges++;
    }
    f->irq_level = level;
}

static void setup(Fixture *f, gconstpointer data)
{
    f->chardevs = chardev_container_new();
    f->chr = chardev_new_from_string(f->chardevs, "ringbuf,id=r0", NULL);
    g_assert_nonnull(f->chr);
    f->s = serial_new(f->chr, NULL);
    g_assert_nonnull(f->s);
    irq_connect(serial_get_irq(f->s), irq_record, f, 10);
    f->ops = serial_get_region(f->s)->ops;
    f->opaque = serial_get_region(f->s)->opaque;
}

static void teardown(Fixture *f, gconstpointer data)
{
    serial_free(f->s);
    object_unref(f->chardevs);
}

static uint8_t rd(Fixture *f, unsigned reg)
{
    return f->ops->read(f->opaque, reg, 1);
}

static void wr(Fixture *f, unsigned reg, uint8_t v)
{
    f->ops->write(f->opaque, reg, v, 1);
}

static int host_send(Fixture *f, const char *s)
{
    return chardev_ringbuf_input(f->chr, (const uint8_t *)s, strlen(s), NULL);
}

static char *host_recv(Fixture *f)
{
    uint8_t buf[256];
    int n = chardev_ringbuf_read(f->chr, buf, sizeof(buf), NULL);
    return g_strndup((char *)buf, n);
}

static void test_reset_state(Fixture *f, gconstpointer data)
{
    g_assert_cmphex(rd(f, LSR), ==, LSR_THRE | LSR_TEMT);
    g_assert_cmphex(rd(f, IIR), ==, IIR_NONE);
    g_assert_cmphex(rd(f, IER), ==, 0);
    g_assert_cmpint(f->irq_level, ==, 0);
}

static void test_tx(Fixture *f, gconstpointer data)
{
    for (const char *p = "hello"; *p; p++) {
        g_assert_true(rd(f, LSR) & LSR_THRE);
        wr(f, THR, *p);
    }
    g_autofree char *got = host_recv(f);
    g_assert_cmpstr(got, ==, "hello");
    g_assert_cmphex(rd(f, LSR) & (LSR_THRE | LSR_TEMT), ==,
                    LSR_THRE | LSR_TEMT);
}

static void test_rx_irq(Fixture *f, gconstpointer data)
{
    wr(f, IER, IER_RDI);
    g_assert_cmpint(f->irq_level, ==, 0);
    /* Without the FIFO the receiver holds one byte. */
    g_assert_cmpint(host_send(f, "ab"), ==, 1);
    g_assert_true(rd(f, LSR) & LSR_DR);
    g_assert_cmphex(rd(f, IIR), ==, IIR_RDI);
    g_assert_cmpint(f->irq_level, ==, 1);
    g_assert_cmpint(rd(f, RBR), ==, 'a');
    g_assert_false(rd(f, LSR) & LSR_DR);
    g_assert_cmphex(rd(f, IIR), ==, IIR_NONE);
    g_assert_cmpint(f->irq_level, ==, 0);
    /* Masked: data ready, but no interrupt. */
    wr(f, IER, 0);
    host_send(f, "b");
    g_assert_true(rd(f, LSR) & LSR_DR);
    g_assert_cmpint(f->irq_level, ==, 0);
    wr(f, IER, IER_RDI);
    g_assert_cmpint(f->irq_level, ==, 1);
}

static void test_rx_fifo(Fixture *f, gconstpointer data)
{
    /* FIFO on, trigger level 4 (FCR bits 7:6 = 01). */
    wr(f, FCR, 0x41);
    wr(f, IER, IER_RDI);
    g_assert_cmpint(host_send(f, "xyz"), ==, 3);
    /* Below the trigger: reported as a character timeout. */
    g_assert_cmphex(rd(f, IIR), ==, IIR_FIFO | IIR_CTI);
    g_assert_cmpint(f->irq_level, ==, 1);
    host_send(f, "w");
    g_assert_cmphex(rd(f, IIR), ==, IIR_FIFO | IIR_RDI);
    /* 16 bytes deep: the host is told to hold the rest. */
    g_assert_cmpint(host_send(f, "0123456789abcdefgh"), ==, 12);
    GString *got = g_string_new(NULL);
    while (rd(f, LSR) & LSR_DR) {
        g_string_append_c(got, rd(f, RBR));
    }
    g_assert_cmpstr(got->str, ==, "xyzw0123456789ab");
    g_string_free(got, TRUE);
    g_assert_false(rd(f, LSR) & LSR_OE);
    g_assert_cmpint(f->irq_level, ==, 0);
    /* Clearing the RX FIFO drops what it holds. */
    host_send(f, "zz");
    wr(f, FCR, 0x43);
    g_assert_false(rd(f, LSR) & LSR_DR);
}

static void test_thri(Fixture *f, gconstpointer data)
{
    /* Enabling THRI with the transmitter empty raises it at once. */
    wr(f, IER, IER_THRI);
    g_assert_cmpint(f->irq_level, ==, 1);
    /* Reading IIR as its source clears it. */
    g_assert_cmphex(rd(f, IIR), ==, IIR_THRI);
    g_assert_cmpint(f->irq_level, ==, 0);
    g_assert_cmphex(rd(f, IIR), ==, IIR_NONE);
    /* Every byte sent empties THR again: one more interrupt each. */
    unsigned edges = f->irq_edges;
    wr(f, THR, 'q');
    g_assert_cmpuint(f->irq_edges, ==, edges + 1);
    g_assert_cmphex(rd(f, IIR), ==, IIR_THRI);
    /* RX data outranks THRE. */
    wr(f, THR, 'r');
    wr(f, IER, IER_THRI | IER_RDI);
    host_send(f, "k");
    g_assert_cmphex(rd(f, IIR), ==, IIR_RDI);
    rd(f, RBR);
    g_assert_cmphex(rd(f, IIR), ==, IIR_THRI);
}

static void test_dlab_and_scratch(Fixture *f, gconstpointer data)
{
    wr(f, LCR, LCR_DLAB | 0x03);
    wr(f, DLL, 0x01);
    wr(f, DLM, 0x02);
    g_assert_cmphex(rd(f, DLL), ==, 0x01);
    g_assert_cmphex(rd(f, DLM), ==, 0x02);
    wr(f, LCR, 0x03);
    g_assert_cmphex(rd(f, LCR), ==, 0x03);
    /* The divisor latch did not reach THR or IER. */
    g_autofree char *got = host_recv(f);
    g_assert_cmpstr(got, ==, "");
    g_assert_cmphex(rd(f, IER), ==, 0);
    wr(f, SCR, 0x5a);
    g_assert_cmphex(rd(f, SCR), ==, 0x5a);
    /* Modem lines: carrier, DSR and CTS present. */
    g_assert_cmphex(rd(f, MSR) & 0xb0, ==, 0xb0);
}

static void test_loopback(Fixture *f, gconstpointer data)
{
    wr(f, MCR, MCR_LOOP);
    wr(f, THR, 'L');
    g_assert_true(rd(f, LSR) & LSR_DR);
    g_assert_cmpint(rd(f, RBR), ==, 'L');
    g_autofree char *got = host_recv(f);
    g_assert_cmpstr(got, ==, "");
    /* The host cannot inject while looped back. */
    g_assert_cmpint(host_send(f, "h"), ==, 0);
}

static void test_console_hooks(Fixture *f, gconstpointer data)
{
    serial_console_putchar(f->s, 'c');
    g_autofree char *got = host_recv(f);
    g_assert_cmpstr(got, ==, "c");
    g_assert_cmpint(serial_console_getchar(f->s), ==, -1);
    host_send(f, "g");
    g_assert_cmpint(serial_console_getchar(f->s), ==, 'g');
    g_assert_false(rd(f, LSR) & LSR_DR);
}

static void test_guest_odd_accesses(Fixture *f, gconstpointer data)
{
    /* Beyond the eight registers: reads 0, writes ignored. */
    f->ops->write(f->opaque, 0x80, 0xff, 1);
    g_assert_cmphex(f->ops->read(f->opaque, 0x80, 1), ==, 0);
    /* LSR and MSR are read-only. */
    wr(f, LSR, 0);
    g_assert_cmphex(rd(f, LSR), ==, LSR_THRE | LSR_TEMT);
}

/*
 * A peer that does not read: the socket fills, THRE stays clear with the
 * unsent bytes held in the TX FIFO, and once the peer drains, the G_IO_OUT
 * watch sends them.  Every byte the guest wrote arrives, in order.
 */
static void test_tx_backpressure(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-serial-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "s", NULL);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int lfd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    g_assert_cmpint(listen(lfd, 1), ==, 0);
    Object *chardevs = chardev_container_new();
    g_autofree char *spec = g_strdup_printf("socket,id=s0,path=%s", path);
    Chardev *chr = chardev_new_from_string(chardevs, spec, NULL);
    g_assert_nonnull(chr);
    int peer = accept(lfd, NULL, NULL);
    g_assert_cmpint(peer, >=, 0);
    while (g_main_context_iteration(NULL, FALSE)) {
        /* let the chardev see its connection */
    }
    SerialState *s = serial_new(chr, NULL);
    const MemoryRegionOps *ops = serial_get_region(s)->ops;
    void *opaque = serial_get_region(s)->opaque;

    /* Write until the transmitter stays busy: the socket is full. */
    uint64_t sent = 0;
    while (ops->read(opaque, LSR, 1) & LSR_THRE) {
        ops->write(opaque, THR, (uint8_t)(sent * 7), 1);
        sent++;
        g_assert_cmpuint(sent, <, 64 * 1024 * 1024);
    }
    g_assert_cmpuint(sent, >, 16);  /* unix sockets charge each 1-byte skb */
    /* The guest keeps a full FIFO's worth queued: no THRE, no loss. */
    for (unsigned i = 0; i < 15; i++) {
        ops->write(opaque, THR, (uint8_t)(sent * 7), 1);
        sent++;
    }
    g_assert_false(ops->read(opaque, LSR, 1) & LSR_THRE);
    /* The SBI console never blocks on a stuck peer: with the FIFO full,
     * its bytes are dropped (this returns at all, and adds nothing). */
    for (unsigned i = 0; i < 100; i++) {
        serial_console_putchar(s, 'x');
    }

    /* Drain the peer while the main loop runs the watch. */
    uint64_t got = 0;
    uint8_t buf[65536];
    while (got < sent) {
        while (g_main_context_iteration(NULL, FALSE)) {
        }
        ssize_t n = recv(peer, buf, sizeof(buf), MSG_DONTWAIT);
        if (n > 0) {
            for (ssize_t i = 0; i < n; i++) {
                g_assert_cmpuint(buf[i], ==, (uint8_t)((got + i) * 7));
            }
            got += n;
        } else {
            g_usleep(1000);
        }
    }
    g_assert_cmpuint(got, ==, sent);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
    g_assert_true(ops->read(opaque, LSR, 1) & LSR_THRE);

    serial_free(s);
    object_unref(chardevs);
    close(peer);
    close(lfd);
    g_unlink(path);
    g_rmdir(dir);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/serial/reset-state", test_reset_state);
    ADD("/serial/tx/to-chardev", test_tx);
    ADD("/serial/rx/lsr-iir-irq", test_rx_irq);
    ADD("/serial/rx/fifo-trigger-and-depth", test_rx_fifo);
    ADD("/serial/thri/raise-and-clear", test_thri);
    ADD("/serial/regs/dlab-scratch-msr", test_dlab_and_scratch);
    ADD("/serial/loopback", test_loopback);
    ADD("/serial/console/sbi-hooks", test_console_hooks);
    ADD("/serial/guest/odd-accesses", test_guest_odd_accesses);
    g_test_add_func("/serial/tx/backpressure-no-loss", test_tx_backpressure);
    return g_test_run();
}
