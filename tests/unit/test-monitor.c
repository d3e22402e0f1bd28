/*
 * test-monitor: the human monitor on a ringbuf chardev, against the
 * harness machine (test-monitor-harness.h): line editing, the command
 * parser, and every command's output in QEMU's format.
 */
#include <stdio.h>

#include "hw/char/virtio-serial.h"
#include "machine/monitor-internal.h"
#include "test-monitor-harness.h"

/* Run @line and return what it printed (echo and prompt removed). */
static char *hmp(MonClient *c, const char *line)
{
    g_autofree char *raw = NULL, *out = NULL;
    g_autofree char *echo = g_strdup_printf("%s\n", line);
    size_t len;

    g_free(mc_take(c));
    mc_send(c, line);
    mc_send(c, "\r");
    raw = mc_take(c);
    out = strip_cr(raw);
    if (!g_str_has_prefix(out, echo)) {
        g_error("'%s': no echo in '%s'", line, out);
    }
    len = strlen(out);
    if (len < strlen(echo) + strlen("(minivirt) ") ||
        !g_str_has_suffix(out, "(minivirt) ")) {
        g_error("'%s': no prompt after '%s'", line, out);
    }
    out[len - strlen("(minivirt) ")] = '\0';
    return g_strdup(out + strlen(echo));
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle)) {
        g_error("'%s' not found in:\n%s", needle, hay);
    }
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle)) {
        g_error("'%s' unexpectedly in:\n%s", needle, hay);
    }
}

typedef struct Fixture {
    FakeMachine fm;
    MonClient c;
} Fixture;

static void fx_setup(Fixture *f, gconstpointer data)
{
    fm_init(&f->fm);
    mc_open(&f->c, &f->fm, "mon", MONITOR_MODE_READLINE);
}

static void fx_teardown(Fixture *f, gconstpointer data)
{
    mc_close(&f->c);
    fm_destroy(&f->fm);
}

/* ---- the terminal ---------------------------------------------------------- */

static void test_banner(Fixture *f, gconstpointer data)
{
    g_autofree char *raw = mc_take(&f->c);

    g_assert_cmpstr(raw, ==, "minivirt " MINIVIRT_VERSION " monitor - type "
                    "'help' for more information\r\n(minivirt) ");
}

static void test_unknown_command(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "frobnicate now");
    g_autofree char *b = hmp(&f->c, "info nosuch");
    g_autofree char *c = hmp(&f->c, "info status");

    g_assert_cmpstr(a, ==, "unknown command: 'frobnicate'\n");
    g_assert_cmpstr(b, ==, "unknown command: 'info nosuch'\n");
    /* ... and the monitor goes on. */
    g_assert_cmpstr(c, ==, "VM status: running\n");
}

static void test_empty_line(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "");
    g_autofree char *b = hmp(&f->c, "   ");

    g_assert_cmpstr(a, ==, "");
    g_assert_cmpstr(b, ==, "");
}

static void test_line_editing(Fixture *f, gconstpointer data)
{
    g_autofree char *out = NULL, *clean = NULL;

    /* Backspace (DEL and BS) erases on screen: "\b \b". */
    g_free(mc_take(&f->c));
    mc_send(&f->c, "info statux\x7f" "s\r");
    out = mc_take(&f->c);
    assert_contains(out, "x\b \bs\r\n");
    assert_contains(out, "VM status: running\r\n");
    g_clear_pointer(&out, g_free);

    /* Ctrl-U kills the line. */
    mc_send(&f->c, "garbage\x15info status\r");
    out = mc_take(&f->c);
    assert_contains(out, "VM status: running");
    assert_lacks(out, "unknown command");
    g_clear_pointer(&out, g_free);

    /* \r\n runs one command, not one and an empty one. */
    mc_send(&f->c, "info status\r\n");
    out = mc_take(&f->c);
    clean = strip_cr(out);
    g_assert_cmpstr(clean, ==, "info status\nVM status: running\n(minivirt) ");
    g_clear_pointer(&out, g_free);
    g_clear_pointer(&clean, g_free);

    /* \n alone ends a line too (a socket client). */
    mc_send(&f->c, "info status\n");
    out = mc_take(&f->c);
    assert_contains(out, "VM status: running");
    g_clear_pointer(&out, g_free);

    /* Other control characters are ignored. */
    mc_send(&f->c, "info\x02 status\r");
    out = mc_take(&f->c);
    assert_contains(out, "VM status: running");
    g_clear_pointer(&out, g_free);
}

static void test_history(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "info status");
    g_autofree char *out = NULL;

    g_assert_cmpstr(a, ==, "VM status: running\n");
    f->fm.status = "paused";
    /* Up arrow (ESC [ A) recalls the last line, redrawn after EL. */
    mc_send(&f->c, "\033[A");
    out = mc_take(&f->c);
    g_assert_cmpstr(out, ==, "\r\033[K(minivirt) info status");
    g_clear_pointer(&out, g_free);
    mc_send(&f->c, "\r");
    out = mc_take(&f->c);
    assert_contains(out, "VM status: paused\r\n");
    g_clear_pointer(&out, g_free);
    /* Down past the newest gives an empty line; SS3 arrows (ESC O B) too. */
    mc_send(&f->c, "\033[A\033OB\r");
    out = mc_take(&f->c);
    assert_lacks(out, "VM status");
    g_clear_pointer(&out, g_free);
}

static void test_line_too_long(Fixture *f, gconstpointer data)
{
    g_autofree char *longline = g_strnfill(5000, 'x');
    g_autofree char *out = NULL;

    g_free(mc_take(&f->c));
    mc_send(&f->c, longline);
    out = mc_take(&f->c);
    /* The first 4096 are echoed, the rest ring the bell. */
    g_assert_nonnull(strchr(out, '\a'));
    g_clear_pointer(&out, g_free);
    mc_send(&f->c, "\r");
    out = mc_take(&f->c);
    assert_contains(out, "unknown command: 'xxxx");
    g_clear_pointer(&out, g_free);
    g_free(mc_take(&f->c));
    {
        g_autofree char *s = hmp(&f->c, "info status");
        g_assert_cmpstr(s, ==, "VM status: running\n");
    }
}

/* ---- the parser ------------------------------------------------------------- */

static void test_bad_args(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "device_del");
    g_autofree char *b = hmp(&f->c, "device_del p1 extra");
    g_autofree char *c = hmp(&f->c, "ringbuf_read rb lots");
    g_autofree char *d = hmp(&f->c, "ringbuf_write rb \"unterminated");
    g_autofree char *e = hmp(&f->c, "ringbuf_write rb \"bad\\q\"");
    g_autofree char *g = hmp(&f->c, "ringbuf_read rb");

    g_assert_cmpstr(a, ==, "device_del: Parameter 'id' is missing\n");
    g_assert_cmpstr(b, ==, "device_del: extraneous characters at the end of "
                    "line\n");
    g_assert_cmpstr(c, ==, "Error: Parameter 'size' expects a number from 0 "
                    "to 2147483647, got 'lots'\n");
    g_assert_cmpstr(d, ==, "Error: unterminated string\n");
    g_assert_cmpstr(e, ==, "Error: invalid escape sequence in string\n");
    g_assert_cmpstr(g, ==, "ringbuf_read: Parameter 'size' is missing\n");
    /* Nothing was deleted by the refused commands. */
    g_assert_nonnull(qdev_find_by_id(f->fm.tm.root, "p1"));
}

static void test_help(Fixture *f, gconstpointer data)
{
    static const char *const cmds[] = {
        "help", "info", "chardev-add", "chardev-change", "chardev-remove",
        "device_add", "device_del", "ringbuf_write", "ringbuf_read", "stop",
        "cont", "system_reset", "system_powerdown", "quit",
    };
    g_autofree char *all = hmp(&f->c, "help");
    g_autofree char *one = hmp(&f->c, "help device_add");
    g_autofree char *alias = hmp(&f->c, "? c");
    g_autofree char *info = hmp(&f->c, "help info");
    g_autofree char *info_list = hmp(&f->c, "info");

    for (size_t i = 0; i < G_N_ELEMENTS(cmds); i++) {
        g_autofree char *start = g_strdup_printf("\n%s", cmds[i]);
        g_autofree char *nl = g_strdup_printf("\n%s", all);
        assert_contains(nl, start);
    }
    g_assert_cmpstr(one, ==, "device_add driver[,prop=value][,...] -- add "
                    "device, like -device on the command line\n");
    g_assert_cmpstr(alias, ==, "cont|c  -- resume emulation\n");
    assert_contains(info, "info chardev  -- show the character devices\n");
    assert_contains(info, "info virtio-serial  -- ");
    assert_contains(info_list, "info qtree  -- show device tree\n");
}

/* ---- info -------------------------------------------------------------------- */

static int expect_chardev_line(Object *child, void *opaque)
{
    Chardev *chr = CHARDEV(child);
    g_autofree char *line = g_strdup_printf("%s: filename=%s\n", chr->label,
                                            chr->filename);
    assert_contains(opaque, line);
    return 0;
}

static void test_info_chardev(Fixture *f, gconstpointer data)
{
    g_autofree char *out = hmp(&f->c, "info chardev");

    /* One QEMU-style line per chardev, whatever its backend says. */
    object_child_foreach(f->fm.tm.chardevs, expect_chardev_line, out);
    assert_contains(out, "c1: filename=null\n");
    {
        g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
        /* 4 chardevs + the trailing empty string. */
        g_assert_cmpuint(g_strv_length(lines), ==,
                         object_child_count(f->fm.tm.chardevs) + 1);
    }
}

static void test_info_pci(Fixture *f, gconstpointer data)
{
    g_autofree char *before = hmp(&f->c, "info pci");
    g_autofree char *after = NULL, *bar0 = NULL;
    VPCIDev pci;

    assert_contains(before, "  Bus  0, device   0, function 0:\n"
                    "    Host bridge: PCI device 1b36:0008\n"
                    "      Red Hat, Inc. QEMU PCIe Host bridge\n");
    assert_contains(before, "  Bus  0, device   1, function 0:\n"
                    "    Class 1920: PCI device 1af4:1003\n"
                    "      Red Hat, Inc. Virtio console\n"
                    "      PCI subsystem 1af4:0003\n"
                    "      IRQ 0, pin A\n");
    assert_contains(before, "      BAR0: I/O (not mapped)\n");
    assert_contains(before, "      id \"vser0\"\n");

    /* Once the guest programs the BARs, their ranges show. */
    vpci_enable(tm_pci(&f->fm.tm, f->fm.vser, &pci));
    after = hmp(&f->c, "info pci");
    bar0 = g_strdup_printf("      BAR0: I/O at 0x%04" G_GINT64_MODIFIER "x [0x%04"
                           G_GINT64_MODIFIER "x].\n", pci.bar_addr[0],
                           pci.bar_addr[0] + pci.bar_size[0] - 1);
    assert_contains(after, bar0);
    assert_contains(after, "bit memory at 0x");
    assert_lacks(after, "not mapped");
}

static void test_info_qtree(Fixture *f, gconstpointer data)
{
    g_autofree char *out = hmp(&f->c, "info qtree");

    g_assert_true(g_str_has_prefix(out, "bus: main-system-bus\n  type System\n"
                                   "  dev: pci-host-ecam-generic, id \"\"\n"));
    assert_contains(out, "\n    bus: pcie.0\n      type PCI\n");
    assert_contains(out, "\n      dev: virtio-serial-pci, id \"vser0\"\n");
    assert_contains(out, "\n        max_ports = 32 (0x20)\n");
    assert_contains(out, "\n        emergency-write = true\n");
    assert_contains(out, "\n        addr = 01.0\n");
    assert_contains(out, "\n        class Class 0780, addr 00:01.0, pci id "
                    "1af4:1003 (sub 1af4:0003)\n");
    assert_contains(out, "\n        bus: vser0.0\n          type "
                    "virtio-serial-bus\n");
    assert_contains(out, "\n          dev: virtserialport, id \"p1\"\n");
    assert_contains(out, "\n            chardev = \"c1\"\n");
    assert_contains(out, "\n            name = \"org.test.p1\"\n");
    assert_contains(out, "\n            nr = 1 (0x1)\n");
    assert_lacks(out, "id = ");
}

static void test_info_virtio_serial(Fixture *f, gconstpointer data)
{
    g_autofree char *out = hmp(&f->c, "info virtio-serial");

    g_assert_cmpstr(out, ==,
        "virtio-serial-pci \"vser0\", bus vser0.0:\n"
        "  port 1: virtserialport, id \"p1\", name \"org.test.p1\", "
        "chardev \"c1\"\n"
        "    guest disconnected, host disconnected, not throttled\n"
        "    bytes to guest 0, from guest 0, held 0, dropped 0\n");
}

static void test_info_virtio_serial_none(void)
{
    TestMachine tm;
    MonitorContext *ctx;
    g_autoptr(GString) out = g_string_new(NULL);
    FakeMachine fm = { .status = "running" };

    tm_init(&tm);
    ctx = monitor_context_new(tm.root, tm.chardevs, &fake_ops, &fm);
    hmp_info_virtio_serial(ctx, out);
    g_assert_cmpstr(out->str, ==, "No virtio-serial devices\n");
    monitor_context_free(ctx);
    tm_destroy(&tm);
}

/* ---- chardevs ----------------------------------------------------------------- */

static void test_chardev_add_remove(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "chardev-add null,id=x1");
    g_autofree char *b = hmp(&f->c, "info chardev");
    g_autofree char *c = hmp(&f->c, "chardev-add null,id=x1");
    g_autofree char *d = hmp(&f->c, "chardev-add bogus,id=x2");
    g_autofree char *e = hmp(&f->c, "chardev-remove c1");
    g_autofree char *g = hmp(&f->c, "chardev-remove x1");
    g_autofree char *h = hmp(&f->c, "chardev-remove x1");
    g_autofree char *i = hmp(&f->c, "chardev-add");

    g_assert_cmpstr(a, ==, "");
    assert_contains(b, "x1: filename=null\n");
    g_assert_cmpstr(c, ==, "Error: Chardev 'x1' already exists\n");
    g_assert_cmpstr(d, ==, "Error: 'bogus' is not a valid char driver name\n");
    /* p1 holds c1. */
    g_assert_cmpstr(e, ==, "Error: Chardev 'c1' is busy\n");
    g_assert_cmpstr(g, ==, "");
    g_assert_null(chardev_find(f->fm.tm.chardevs, "x1"));
    g_assert_cmpstr(h, ==, "Error: Chardev 'x1' not found\n");
    g_assert_cmpstr(i, ==, "chardev-add: Parameter 'args' is missing\n");
}

static void test_chardev_add_pty(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "chardev-add pty,id=pt");
    Chardev *chr = chardev_find(f->fm.tm.chardevs, "pt");
    g_autofree char *want = NULL;

    g_assert_nonnull(chr);
    want = g_strdup_printf("char device redirected to %s (label pt)\n",
                           chr->filename + strlen("pty:"));
    g_assert_cmpstr(a, ==, want);
    g_assert_true(g_str_has_prefix(a, "char device redirected to /dev/pts/"));
}

static void test_chardev_change(Fixture *f, gconstpointer data)
{
    /* A port's backend is swapped under it (it supports hotswap). */
    g_autofree char *a = hmp(&f->c, "chardev-change c1 ringbuf");
    g_autofree char *b = hmp(&f->c, "chardev-change c2 ringbuf,size=1024");
    g_autofree char *c = hmp(&f->c, "chardev-change nosuch null");
    g_autofree char *d = hmp(&f->c, "chardev-change c2");
    g_autofree char *e = hmp(&f->c, "chardev-change c2 bogus");
    Chardev *c1 = chardev_find(f->fm.tm.chardevs, "c1");

    g_assert_cmpstr(a, ==, "");
    g_assert_nonnull(object_dynamic_cast(OBJECT(c1), TYPE_CHARDEV_RINGBUF));
    g_assert_nonnull(c1->be);       /* p1 still holds it */
    g_assert_cmpstr(b, ==, "");
    g_assert_nonnull(object_dynamic_cast(
        OBJECT(chardev_find(f->fm.tm.chardevs, "c2")), TYPE_CHARDEV_RINGBUF));
    g_assert_true(g_str_has_prefix(c, "Error: "));
    g_assert_cmpstr(d, ==, "chardev-change: Parameter 'args' is missing\n");
    g_assert_cmpstr(e, ==, "Error: 'bogus' is not a valid char driver name\n");
}

/* ---- devices -------------------------------------------------------------------- */

static void test_device_add_del(Fixture *f, gconstpointer data)
{
    MonClient q;
    g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *e = NULL;
    g_autofree char *events = NULL;

    /* A QMP client on the same machine sees DEVICE_DELETED. */
    mc_open(&q, &f->fm, "qmp", MONITOR_MODE_CONTROL);
    mc_send(&q, "{\"execute\": \"qmp_capabilities\"}");
    g_free(mc_take(&q));

    a = hmp(&f->c, "device_add virtserialport,id=hp,chardev=c2,name=org.hp");
    g_assert_cmpstr(a, ==, "");
    b = hmp(&f->c, "info virtio-serial");
    assert_contains(b, "port 2: virtserialport, id \"hp\", name \"org.hp\", "
                    "chardev \"c2\"\n");
    c = hmp(&f->c, "device_del hp");
    g_assert_cmpstr(c, ==, "");
    g_assert_null(qdev_find_by_id(f->fm.tm.root, "hp"));
    events = mc_take(&q);
    assert_contains(events, "\"event\":\"DEVICE_DELETED\"");
    assert_contains(events, "\"data\":{\"device\":\"hp\",\"path\":\"/peripheral/hp\"}");
    d = hmp(&f->c, "device_del hp");
    g_assert_cmpstr(d, ==, "Error: Device 'hp' not found\n");
    /* Its chardev is free again. */
    e = hmp(&f->c, "chardev-remove c2");
    g_assert_cmpstr(e, ==, "");
    mc_close(&q);
}

static void test_device_add_errors(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "device_add nosuchdev");
    g_autofree char *b = hmp(&f->c, "device_add virtserialport,chardev=c1");
    g_autofree char *c = hmp(&f->c, "device_add virtio-serial-pci,id=v2");
    g_autofree char *d = hmp(&f->c, "device_add virtserialport,id=p1");
    g_autofree char *e = hmp(&f->c, "device_del vser0");

    g_assert_cmpstr(a, ==, "Error: 'nosuchdev' is not a valid device model "
                    "name\n");
    g_assert_cmpstr(b, ==, "Error: Property 'virtserialport.chardev' can't "
                    "take value 'c1', it's in use\n");
    /* No PCI hotplug controller on this machine. */
    g_assert_true(g_str_has_prefix(c, "Error: "));
    g_assert_null(qdev_find_by_id(f->fm.tm.root, "v2"));
    g_assert_cmpstr(d, ==, "Error: Duplicate ID 'p1' for device\n");
    g_assert_true(g_str_has_prefix(e, "Error: "));
    g_assert_nonnull(qdev_find_by_id(f->fm.tm.root, "vser0"));
}

static void test_device_add_help(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "device_add help");
    g_autofree char *b = hmp(&f->c, "device_add virtserialport,help");

    assert_contains(a, "virtserialport");
    assert_contains(b, "chardev=");
    assert_contains(b, "name=");
}

/* ---- ringbuf ---------------------------------------------------------------------- */

static void test_ringbuf(Fixture *f, gconstpointer data)
{
    g_autofree char *a = hmp(&f->c, "ringbuf_write rb hello");
    g_autofree char *b = hmp(&f->c, "ringbuf_read rb 3");
    g_autofree char *c = hmp(&f->c, "ringbuf_read rb 100");
    g_autofree char *d = hmp(&f->c, "ringbuf_read rb 100");
    g_autofree char *e = hmp(&f->c, "ringbuf_write rb \"a b\\n\\tc\\\\\"");
    g_autofree char *g = hmp(&f->c, "ringbuf_read rb 100");
    g_autofree char *h = hmp(&f->c, "ringbuf_write c1 x");
    g_autofree char *i = hmp(&f->c, "ringbuf_read nosuch 1");

    g_assert_cmpstr(a, ==, "");
    g_assert_cmpstr(b, ==, "hel\n");
    g_assert_cmpstr(c, ==, "lo\n");
    g_assert_cmpstr(d, ==, "\n");
    g_assert_cmpstr(e, ==, "");
    /* Newline and tab as they are, the backslash doubled. */
    g_assert_cmpstr(g, ==, "a b\n\tc\\\\\n");
    g_assert_cmpstr(h, ==, "Error: c1 is not a ringbuf device\n");
    g_assert_cmpstr(i, ==, "Error: Chardev 'nosuch' not found\n");
}

static void test_ringbuf_control_chars(Fixture *f, gconstpointer data)
{
    Chardev *rb = chardev_find(f->fm.tm.chardevs, "rb");
    g_autofree char *out = NULL;

    g_assert_cmpint(chardev_ringbuf_write(rb, (const uint8_t *)"\x01x\x7f\x1b",
                                          4, NULL), ==, 4);
    out = hmp(&f->c, "ringbuf_read rb 10");
    g_assert_cmpstr(out, ==, "\\u0001x\\u007F\\u001B\n");
}

/* ---- run state ----------------------------------------------------------------------- */

static void test_run_state(Fixture *f, gconstpointer data)
{
    FakeMachine *fm = &f->fm;
    g_autofree char *a = hmp(&f->c, "stop");
    g_autofree char *b = hmp(&f->c, "info status");
    g_autofree char *c = hmp(&f->c, "s");
    g_autofree char *d = hmp(&f->c, "c");
    g_autofree char *e = NULL, *g = NULL, *h = NULL;

    g_assert_cmpstr(a, ==, "");
    g_assert_cmpstr(b, ==, "VM status: paused\n");
    g_assert_cmpstr(c, ==, "");
    g_assert_cmpint(fm->stops, ==, 1);      /* stopping a stopped VM: no-op */
    g_assert_cmpstr(d, ==, "");
    g_assert_cmpint(fm->conts, ==, 1);
    e = hmp(&f->c, "system_reset");
    g_assert_cmpint(fm->resets, ==, 1);
    g = hmp(&f->c, "system_powerdown");
    g_assert_cmpint(fm->powerdowns, ==, 1);
    g_assert_cmpstr(e, ==, "");
    g_assert_cmpstr(g, ==, "");

    fm->status = "prelaunch";
    h = hmp(&f->c, "info status");
    g_assert_cmpstr(h, ==, "VM status: paused (prelaunch)\n");
    fm->cont_fails = true;
    {
        g_autofree char *x = hmp(&f->c, "cont");
        g_assert_cmpstr(x, ==, "Error: Resetting the Virtual Machine is "
                        "required\n");
    }
}

static void test_quit(Fixture *f, gconstpointer data)
{
    g_autofree char *out = NULL;

    g_free(mc_take(&f->c));
    /* quit, and a command after it in the same read that must not run. */
    mc_send(&f->c, "quit\rstop\r");
    g_assert_cmpint(f->fm.quits, ==, 1);
    g_assert_cmpint(f->fm.stops, ==, 0);
    out = mc_take(&f->c);
    g_assert_cmpstr(out, ==, "quit\r\n");
}

/* ---- mux ----------------------------------------------------------------------------- */

static int serial_can_read(void *opaque)
{
    return 0;
}

static void test_mux_focus(void)
{
    FakeMachine fm;
    Chardev *mux, *base;
    CharBackend serial = { 0 };
    Monitor *mon;
    GError *err = NULL;
    g_autofree char *out = NULL;
    uint8_t buf[4096];
    int n;

    fm_init(&fm);
    mux = tm_chardev(&fm.tm, "ringbuf,id=mx,mux=on,size=65536");
    base = chardev_find(fm.tm.chardevs, "mx-base");
    g_assert_nonnull(base);
    mon = monitor_new(fm.ctx, mux, MONITOR_MODE_READLINE, false, &err);
    g_assert_no_error(err);
    /* The "serial port" attaches last and takes the focus, as on the board. */
    g_assert_true(chr_fe_init(&serial, mux, &err));
    chr_fe_set_handlers(&serial, serial_can_read, NULL, NULL, NULL, NULL,
                        NULL, true);
    n = chardev_ringbuf_read(base, buf, sizeof(buf) - 1, NULL);
    buf[n] = 0;
    /* Greeted once; the focus moved away after the prompt. */
    g_assert_cmpstr((char *)buf, ==, "minivirt " MINIVIRT_VERSION
                    " monitor - type 'help' for more information\r\n"
                    "(minivirt) \r\n");

    /* Ctrl-A c gives the monitor the focus: the prompt comes back. */
    g_assert_cmpint(chardev_ringbuf_input(base, (const uint8_t *)"\x01" "c",
                                          2, NULL), ==, 2);
    n = chardev_ringbuf_read(base, buf, sizeof(buf) - 1, NULL);
    buf[n] = 0;
    g_assert_cmpstr((char *)buf, ==, "(minivirt) ");
    g_assert_cmpint(chardev_ringbuf_input(base, (const uint8_t *)"stop\r",
                                          5, NULL), ==, 5);
    g_assert_cmpint(fm.stops, ==, 1);

    chr_fe_deinit(&serial, false);
    monitor_free(mon);
    fm_destroy(&fm);
}

/* ---- command line ------------------------------------------------------------------ */

static void test_cmdline(void)
{
    FakeMachine fm;
    GError *err = NULL;

    fm_init(&fm);
    g_assert_true(monitor_add_legacy(fm.ctx, MONITOR_MODE_READLINE, false,
                                     "none", &err));
    g_assert_true(monitor_add_legacy(fm.ctx, MONITOR_MODE_READLINE, false,
                                     "null", &err));
    g_assert_no_error(err);
    g_assert_nonnull(chardev_find(fm.tm.chardevs, "compat_monitor0"));
    /* The chardev is now the monitor's. */
    g_assert_false(chardev_remove(fm.tm.chardevs, "compat_monitor0", NULL));

    tm_chardev(&fm.tm, "null,id=m1");
    g_assert_true(monitor_add_opts(fm.ctx, "chardev=m1,mode=control,pretty=on",
                                   &err));
    g_assert_no_error(err);
    g_assert_false(monitor_add_opts(fm.ctx, "chardev=m1", &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_IN_USE);
    g_clear_error(&err);
    g_assert_false(monitor_add_opts(fm.ctx, "mode=control", &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'chardev' is missing");
    g_clear_error(&err);
    g_assert_false(monitor_add_opts(fm.ctx, "chardev=c2,mode=fancy", &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'mode' expects 'readline' or "
                    "'control'");
    g_clear_error(&err);
    g_assert_false(monitor_add_opts(fm.ctx, "chardev=nosuch", &err));
    g_assert_cmpstr(err->message, ==, "chardev 'nosuch' not found");
    g_clear_error(&err);
    g_assert_false(monitor_add_opts(fm.ctx, "chardev=c2,colour=red", &err));
    g_assert_nonnull(strstr(err->message, "colour"));
    g_clear_error(&err);

    tm_chardev(&fm.tm, "null,id=m2");
    g_assert_true(monitor_add_legacy(fm.ctx, MONITOR_MODE_CONTROL, false,
                                     "chardev:m2", &err));
    g_assert_false(monitor_add_legacy(fm.ctx, MONITOR_MODE_CONTROL, false,
                                      "chardev:nosuch", &err));
    g_clear_error(&err);
    g_assert_false(monitor_add_legacy(fm.ctx, MONITOR_MODE_CONTROL, false,
                                      "bogus:thing", &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
    /* As vl.c hands them over: errors name the option and its argument. */
    g_assert_true(monitor_add_from_option(fm.ctx, "qmp-pretty", "null", &err));
    g_assert_true(monitor_add_from_option(fm.ctx, "monitor", "none", &err));
    g_assert_false(monitor_add_from_option(fm.ctx, "mon", "chardev=zz", &err));
    g_assert_cmpstr(err->message, ==, "-mon chardev=zz: chardev 'zz' not found");
    g_clear_error(&err);
    g_assert_false(monitor_add_from_option(fm.ctx, "qmp", "chardev:zz", &err));
    g_assert_cmpstr(err->message, ==, "-qmp chardev:zz: chardev 'zz' not found");
    g_clear_error(&err);
    g_assert_false(monitor_add_from_option(fm.ctx, "serial", "x", &err));
    g_clear_error(&err);

    /* The next legacy monitor takes the next free compat id. */
    tm_chardev(&fm.tm, "null,id=compat_monitor3");
    g_assert_true(monitor_add_legacy(fm.ctx, MONITOR_MODE_READLINE, false,
                                     "null", &err));
    g_assert_nonnull(chardev_find(fm.tm.chardevs, "compat_monitor4"));
    fm_destroy(&fm);
}

#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/monitor/hmp/banner", test_banner);
    ADD("/monitor/hmp/unknown-command", test_unknown_command);
    ADD("/monitor/hmp/empty-line", test_empty_line);
    ADD("/monitor/hmp/line-editing", test_line_editing);
    ADD("/monitor/hmp/history", test_history);
    ADD("/monitor/hmp/line-too-long", test_line_too_long);
    ADD("/monitor/hmp/bad-args", test_bad_args);
    ADD("/monitor/hmp/help", test_help);
    ADD("/monitor/hmp/info/chardev", test_info_chardev);
    ADD("/monitor/hmp/info/pci", test_info_pci);
    ADD("/monitor/hmp/info/qtree", test_info_qtree);
    ADD("/monitor/hmp/info/virtio-serial", test_info_virtio_serial);
    g_test_add_func("/monitor/hmp/info/virtio-serial-none",
                    test_info_virtio_serial_none);
    ADD("/monitor/hmp/chardev/add-remove", test_chardev_add_remove);
    ADD("/monitor/hmp/chardev/add-pty", test_chardev_add_pty);
    ADD("/monitor/hmp/chardev/change", test_chardev_change);
    ADD("/monitor/hmp/device/add-del", test_device_add_del);
    ADD("/monitor/hmp/device/add-errors", test_device_add_errors);
    ADD("/monitor/hmp/device/add-help", test_device_add_help);
    ADD("/monitor/hmp/ringbuf", test_ringbuf);
    ADD("/monitor/hmp/ringbuf-control-chars", test_ringbuf_control_chars);
    ADD("/monitor/hmp/run-state", test_run_state);
    ADD("/monitor/hmp/quit", test_quit);
    g_test_add_func("/monitor/hmp/mux-focus", test_mux_focus);
    g_test_add_func("/monitor/cmdline", test_cmdline);
    return g_test_run();
}
