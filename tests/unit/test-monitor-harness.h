/*
 * tests/unit/test-monitor-harness.h: a machine for the monitor tests and
 * clients that talk to monitors through ringbuf chardevs.
 *
 * The machine is tests/device's harness (ECAM host, guest RAM, a virtio
 * driver the test plays) plus /chardevs, a virtio-serial-pci "vser0" with a
 * port "p1" on chardev "c1", and a fake MonitorMachineOps that counts what
 * the monitor asked for.  A MonClient is a monitor on a ringbuf chardev:
 * input goes in with chardev_ringbuf_input, output comes back from the
 * ring.  Everything is synchronous: a command's reply is in the ring when
 * mc_send returns.
 */
#ifndef TEST_MONITOR_HARNESS_H
#define TEST_MONITOR_HARNESS_H

#include <string.h>

#include "machine/monitor.h"
#include "test-virtio-serial-drv.h"

typedef struct FakeMachine {
    TestMachine tm;
    MonitorContext *ctx;
    DeviceState *vser;
    int stops, conts, resets, powerdowns, quits;
    const char *status;
    bool cont_fails;
} FakeMachine;

static void fake_stop(void *opaque)
{
    FakeMachine *fm = opaque;

    fm->stops++;
    fm->status = "paused";
}

static bool fake_cont(void *opaque, GError **errp)
{
    FakeMachine *fm = opaque;

    if (fm->cont_fails) {
        g_set_error(errp, MV_ERROR, MV_ERROR_FAILED,
                    "Resetting the Virtual Machine is required");
        return false;
    }
    fm->conts++;
    fm->status = "running";
    return true;
}

static void fake_reset(void *opaque)
{
    ((FakeMachine *)opaque)->resets++;
}

static void fake_powerdown(void *opaque)
{
    ((FakeMachine *)opaque)->powerdowns++;
}

static void fake_quit(void *opaque)
{
    ((FakeMachine *)opaque)->quits++;
}

static const char *fake_status(void *opaque)
{
    return ((FakeMachine *)opaque)->status;
}

static const MonitorMachineOps fake_ops = {
    .stop = fake_stop,
    .cont = fake_cont,
    .system_reset = fake_reset,
    .system_powerdown = fake_powerdown,
    .quit = fake_quit,
    .status = fake_status,
};

static G_GNUC_UNUSED void fm_init(FakeMachine *fm)
{
    memset(fm, 0, sizeof(*fm));
    tm_init(&fm->tm);
    fm->status = "running";
    tm_chardev(&fm->tm, "null,id=c1");
    tm_chardev(&fm->tm, "null,id=c2");
    tm_chardev(&fm->tm, "ringbuf,id=rb,size=4096");
    fm->vser = tm_add(&fm->tm, "virtio-serial-pci,id=vser0,max_ports=32");
    tm_add(&fm->tm, "virtserialport,id=p1,chardev=c1,name=org.test.p1");
    /* The machine is built: PCI hotplug ends here, as on the board. */
    pci_host_ecam_machine_done(fm->tm.h->host);
    fm->ctx = monitor_context_new(fm->tm.root, fm->tm.chardevs, &fake_ops, fm);
}

static G_GNUC_UNUSED void fm_destroy(FakeMachine *fm)
{
    monitor_context_free(fm->ctx);
    tm_destroy(&fm->tm);
}

/* ---- clients -------------------------------------------------------------- */

typedef struct MonClient {
    FakeMachine *fm;
    Chardev *chr;
    Monitor *mon;
    GString *pending;       /* output read from the ring, not yet consumed */
} MonClient;

static G_GNUC_UNUSED void mc_open(MonClient *c, FakeMachine *fm,
                                  const char *id, MonitorMode mode)
{
    g_autofree char *opts = g_strdup_printf("ringbuf,id=%s,size=4M", id);
    GError *err = NULL;

    c->fm = fm;
    c->chr = tm_chardev(&fm->tm, opts);
    c->pending = g_string_new(NULL);
    c->mon = monitor_new(fm->ctx, c->chr, mode, false, &err);
    g_assert_no_error(err);
}

static G_GNUC_UNUSED void mc_close(MonClient *c)
{
    monitor_free(c->mon);
    g_string_free(c->pending, true);
}

/* Everything the monitor wrote since the last call, appended to pending. */
static G_GNUC_UNUSED void mc_pump(MonClient *c)
{
    uint8_t buf[65536];
    int n;

    while ((n = chardev_ringbuf_read(c->chr, buf, sizeof(buf), NULL)) > 0) {
        g_string_append_len(c->pending, (const char *)buf, n);
    }
}

/* Take all pending output. */
static G_GNUC_UNUSED char *mc_take(MonClient *c)
{
    char *s;

    mc_pump(c);
    s = g_strdup(c->pending->str);
    g_string_truncate(c->pending, 0);
    return s;
}

/* Feed @len bytes as host input, as fast as the monitor takes them. */
static G_GNUC_UNUSED void mc_send_len(MonClient *c, const char *data,
                                      size_t len)
{
    size_t off = 0;

    while (off < len) {
        int n = chardev_ringbuf_input(c->chr, (const uint8_t *)data + off,
                                      (int)MIN(len - off, 65536), NULL);
        g_assert_cmpint(n, >, 0);
        off += n;
    }
}

static G_GNUC_UNUSED void mc_send(MonClient *c, const char *data)
{
    mc_send_len(c, data, strlen(data));
}

/* Strip \r: the human monitor writes \r\n for the raw terminal. */
static G_GNUC_UNUSED char *strip_cr(const char *s)
{
    GString *o = g_string_new(NULL);

    for (; *s; s++) {
        if (*s != '\r') {
            g_string_append_c(o, *s);
        }
    }
    return g_string_free(o, false);
}

#endif /* TEST_MONITOR_HARNESS_H */
