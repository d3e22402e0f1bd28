/*
 * test-virtio-serial: virtio-serial-pci driven from the host, no CPU: the
 * test plays Linux's virtio_console (tests/device/test-virtio-serial-drv.h)
 * and a chardev backend ("vstest", below) whose appetite, watch and
 * connection it controls, plus a real unix socket.
 */
#include <errno.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hw/char/virtio-serial.h"
#include "test-virtio-serial-drv.h"

/* virtio 1.2 §5.3.2 queue numbers. */
#define Q_RX(nr)  ((nr) == 0 ? 0u : 2u * (nr) + 2)
#define Q_TX(nr)  (Q_RX(nr) + 1)
/* Q_CRX and Q_CTX: test-virtio-serial-drv.h. */

#define F_MULTIPORT  VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT)
#define F_EMERG      VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE)
#define F_VERSION_1  VIRTIO_BIT(VIRTIO_F_VERSION_1)

/* ---- "vstest": a backend with a byte budget and a controllable watch ---- */

#define TYPE_CHARDEV_VSTEST "chardev-vstest"

typedef struct TestChardev {
    Chardev parent;
    GByteArray *out;    /* what the device wrote */
    int budget;         /* bytes it will still take; -1: unlimited */
    bool dead;          /* writes fail (-1) */
    bool reopen;        /* ... after reporting CLOSED and OPENED at once */
    bool fe_open;       /* the last chr_set_fe_open */
    int fe_open_calls;
} TestChardev;

DECLARE_TYPE(TestChardev, ChardevClass, TEST_CHARDEV, TYPE_CHARDEV_VSTEST)

static bool vstest_open(Chardev *chr, const Opts *opts, bool *be_opened,
                        GError **errp)
{
    TestChardev *t = TEST_CHARDEV(chr);

    t->out = g_byte_array_new();
    t->budget = -1;
    *be_opened = false;     /* the tests connect it with chr_be_event */
    return true;
}

static int vstest_write(Chardev *chr, const uint8_t *buf, int len)
{
    TestChardev *t = TEST_CHARDEV(chr);
    int n;

    if (t->dead) {
        if (t->reopen) {
            /* A backend that reconnects inside the failing write. */
            t->dead = t->reopen = false;
            chr_be_event(chr, CHR_EVENT_CLOSED);
            chr_be_event(chr, CHR_EVENT_OPENED);
        }
        return -1;
    }
    n = t->budget < 0 ? len : MIN(len, t->budget);
    if (t->budget >= 0) {
        t->budget -= n;
    }
    g_byte_array_append(t->out, buf, n);
    return n;
}

/* The G_IO_OUT source: ready while the budget allows a byte. */
typedef struct VstestSource {
    GSource src;
    TestChardev *t;
} VstestSource;

static gboolean vstest_src_check(GSource *s)
{
    TestChardev *t = ((VstestSource *)s)->t;

    return !t->dead && t->budget != 0;
}

static gboolean vstest_src_prepare(GSource *s, gint *timeout)
{
    *timeout = -1;
    return vstest_src_check(s);
}

static gboolean vstest_src_dispatch(GSource *s, GSourceFunc cb, gpointer data)
{
    return ((FEWatchFunc)(void *)cb)(NULL, G_IO_OUT, data);
}

static GSourceFuncs vstest_src_funcs = {
    .prepare = vstest_src_prepare,
    .check = vstest_src_check,
    .dispatch = vstest_src_dispatch,
};

static GSource *vstest_add_watch(Chardev *chr, GIOCondition cond)
{
    GSource *s = g_source_new(&vstest_src_funcs, sizeof(VstestSource));

    ((VstestSource *)s)->t = TEST_CHARDEV(chr);
    return s;
}

static void vstest_set_fe_open(Chardev *chr, bool fe_open)
{
    TestChardev *t = TEST_CHARDEV(chr);

    t->fe_open = fe_open;
    t->fe_open_calls++;
}

static void vstest_finalize(Object *obj)
{
    g_byte_array_free(TEST_CHARDEV(obj)->out, true);
}

static void vstest_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = "test backend";
    cc->open = vstest_open;
    cc->chr_write = vstest_write;
    cc->chr_add_watch = vstest_add_watch;
    cc->chr_set_fe_open = vstest_set_fe_open;
}

static const TypeInfo vstest_info = {
    .name = TYPE_CHARDEV_VSTEST,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(TestChardev),
    .class_init = vstest_class_init,
    .instance_finalize = vstest_finalize,
};

static void vstest_register(void)
{
    type_register_static(&vstest_info);
}
type_init(vstest_register)

static TestChardev *vstest_new(TestMachine *m, const char *id)
{
    g_autofree char *opts = g_strdup_printf("vstest,id=%s", id);

    return TEST_CHARDEV(tm_chardev(m, opts));
}

/* Feed @s as host input; returns how much the device took. */
static int host_send(TestChardev *t, const char *s, int len)
{
    Chardev *chr = CHARDEV(t);
    int room = chr_be_can_write(chr);
    int n = MIN(room, len);

    if (n > 0) {
        chr_be_write(chr, (const uint8_t *)s, n);
    }
    return n;
}

/* ---- the control protocol: drv_ctrl_send/recv (test-virtio-serial-drv.h) */

/* Expect exactly the message (@id, @event, @value) next. */
static void ctrl_expect(Drv *d, uint32_t id, uint16_t event, uint16_t value)
{
    DrvCtrlMsg m;

    if (!drv_ctrl_recv(d, &m)) {
        g_error("expected control (%u, %u, %u), got nothing", id, event, value);
    }
    if (m.id != id || m.event != event || m.value != value) {
        g_error("expected control (%u, %u, %u), got (%u, %u, %u)", id, event,
                value, m.id, m.event, m.value);
    }
}

/* ctrl_expect, for a message that comes from the main loop: up to 5 s. */
static void ctrl_wait_expect(Drv *d, uint32_t id, uint16_t event,
                             uint16_t value)
{
    DrvCtrlMsg m;
    bool got = false;

    for (int i = 0; i < 5000 && !got; i++) {
        tm_run();
        got = drv_ctrl_recv(d, &m);
        if (!got) {
            g_usleep(1000);
        }
    }
    if (!got) {
        g_error("expected control (%u, %u, %u), got nothing in 5 s", id,
                event, value);
    }
    if (m.id != id || m.event != event || m.value != value) {
        g_error("expected control (%u, %u, %u), got (%u, %u, %u)", id, event,
                value, m.id, m.event, m.value);
    }
}

static void ctrl_expect_none(Drv *d)
{
    DrvCtrlMsg m;

    if (drv_ctrl_recv(d, &m)) {
        g_error("unexpected control (%u, %u, %u)", m.id, m.event, m.value);
    }
}

/*
 * guest_up: bring the driver up with MULTIPORT (and the ring features Linux
 * takes: indirect descriptors, event index) over queues for ports
 * 0..@nports-1, post control and rx buffers, send DEVICE_READY and check
 * that PORT_ADD comes for each nr in @nrs.
 */
static void guest_up(Drv *d, unsigned nports, const uint32_t *nrs, size_t n)
{
    /* What Linux accepts: the ring features too. */
    drv_init(d, F_VERSION_1 | F_MULTIPORT |
             VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |
             VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX),
             MAX(Q_CTX, Q_TX(nports - 1)) + 1);
    for (int i = 0; i < 8; i++) {
        drv_post_in(d, Q_CRX, DRV_BUF_SIZE);
    }
    drv_ctrl_send(d, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
    for (size_t i = 0; i < n; i++) {
        ctrl_expect(d, nrs[i], VIRTIO_CONSOLE_PORT_ADD, 1);
    }
    ctrl_expect_none(d);
}

/* Post @count rx buffers of @len bytes on port @nr. */
static void post_rx(Drv *d, uint32_t nr, int count, uint32_t len)
{
    for (int i = 0; i < count; i++) {
        drv_post_in(d, Q_RX(nr), len);
    }
}

/* Collect everything the device put in port @nr's rx buffers. */
static void collect_rx(Drv *d, uint32_t nr, GString *into)
{
    char buf[DRV_BUF_SIZE];
    uint32_t len;

    while (drv_get_used(d, Q_RX(nr), buf, sizeof(buf), &len)) {
        g_string_append_len(into, buf, len);
    }
}

static unsigned reap_tx(Drv *d, uint32_t nr)
{
    unsigned n = 0;

    while (drv_get_used(d, Q_TX(nr), NULL, 0, NULL)) {
        n++;
    }
    return n;
}

static void assert_bytes(GByteArray *got, const char *want, size_t len)
{
    g_assert_cmpuint(got->len, ==, len);
    g_assert_true(memcmp(got->data, want, len) == 0);
}

/* ---- tests ----------------------------------------------------------------- */

/* Enumerate through ECAM: both identities, the class, the subsystem. */
static void test_identity(void)
{
    TestMachine m;
    VPCIDev t, mo;

    tm_init(&m);
    tm_add(&m, "virtio-serial-pci,addr=03.0");
    tm_add(&m, "virtio-serial-pci,disable-legacy=on");

    g_assert_nonnull(vh_pci_find(m.h, 0x1af4, 0x1003, 0, &t));
    g_assert_null(vh_pci_find(m.h, 0x1af4, 0x1003, 1, &mo));
    g_assert_cmpint(t.devfn, ==, PCI_DEVFN(3, 0));
    g_assert_cmphex(vpci_cfg_read(&t, PCI_CLASS_DEVICE, 2), ==, 0x0780);
    g_assert_cmphex(vpci_cfg_read(&t, PCI_SUBSYSTEM_VENDOR_ID, 2), ==, 0x1af4);
    g_assert_cmphex(vpci_cfg_read(&t, PCI_SUBSYSTEM_ID, 2), ==, 3);
    g_assert_cmphex(vpci_cfg_read(&t, PCI_REVISION_ID, 1), ==, 0);
    /* Transitional: the legacy I/O BAR 0, and the modern BAR 4. */
    vpci_size_bars(&t);
    g_assert_true(t.bar_io[VIRTIO_PCI_LEGACY_BAR]);
    g_assert_cmpuint(t.bar_size[VIRTIO_PCI_MODERN_BAR], >=, 0x4000);

    g_assert_nonnull(vh_pci_find(m.h, 0x1af4, 0x1043, 0, &mo));
    g_assert_cmphex(vpci_cfg_read(&mo, PCI_CLASS_DEVICE, 2), ==, 0x0780);
    g_assert_cmphex(vpci_cfg_read(&mo, PCI_SUBSYSTEM_ID, 2), ==, 3);
    g_assert_cmphex(vpci_cfg_read(&mo, PCI_REVISION_ID, 1), ==, 1);
    vpci_size_bars(&mo);
    g_assert_cmpuint(mo.bar_size[VIRTIO_PCI_LEGACY_BAR], ==, 0);
    /* Capabilities: the virtio structures, and MSI-X (max_ports + 1). */
    g_assert_cmpuint(vpci_find_cap(&mo, PCI_CAP_ID_VNDR, 0), !=, 0);
    uint8_t msix = vpci_find_cap(&mo, PCI_CAP_ID_MSIX, 0);
    g_assert_cmpuint(msix, !=, 0);
    g_assert_cmpuint((vpci_cfg_read(&mo, msix + PCI_MSIX_FLAGS, 2) &
                      PCI_MSIX_FLAGS_QSIZE) + 1, ==, 32);
    tm_destroy(&m);
}

static void test_features_config(void)
{
    TestMachine m;
    Drv d;

    tm_init(&m);
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci"));
    uint64_t f = vvirtio_device_features(&d.v);
    g_assert_true(f & F_MULTIPORT);
    g_assert_true(f & F_EMERG);
    g_assert_true(f & F_VERSION_1);
    g_assert_false(f & VIRTIO_BIT(VIRTIO_CONSOLE_F_SIZE));
    g_assert_cmpuint(drv_cfg_read(&d, 4, 4), ==, 31);   /* max_nr_ports */
    g_assert_cmpuint(vvirtio_common_read(&d.v, VIRTIO_PCI_COMMON_NUMQ, 2), ==,
                     2 * 31 + 2);

    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci,max_ports=1,"
                                 "emergency-write=off"));
    f = vvirtio_device_features(&d.v);
    g_assert_false(f & F_MULTIPORT);
    g_assert_false(f & F_EMERG);
    g_assert_cmpuint(drv_cfg_read(&d, 4, 4), ==, 1);
    tm_destroy(&m);
}

/* DEVICE_READY -> PORT_ADD each; PORT_READY -> CONSOLE_PORT, NAME, OPEN. */
static void test_control_handshake(void)
{
    TestMachine m;
    Drv d;
    DrvCtrlMsg msg;

    tm_init(&m);
    vstest_new(&m, "con");
    TestChardev *t1 = vstest_new(&m, "t1");
    vstest_new(&m, "t2");
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci,id=vser0"));
    tm_add(&m, "virtconsole,chardev=con");
    tm_add(&m, "virtserialport,chardev=t1,name=org.minivirt.one");
    tm_add(&m, "virtserialport,chardev=t2,nr=3");
    tm_add(&m, "virtserialport,name=org.minivirt.nochr");    /* nr 2 */

    guest_up(&d, 4, (const uint32_t[]){ 0, 1, 2, 3 }, 4);

    /* The console: CONSOLE_PORT, then PORT_OPEN (a console is connected). */
    drv_ctrl_send(&d, 0, VIRTIO_CONSOLE_PORT_READY, 1);
    ctrl_expect(&d, 0, VIRTIO_CONSOLE_CONSOLE_PORT, 1);
    ctrl_expect(&d, 0, VIRTIO_CONSOLE_PORT_OPEN, 1);
    ctrl_expect_none(&d);

    /* A named port whose backend is open: PORT_NAME then PORT_OPEN. */
    chr_be_event(CHARDEV(t1), CHR_EVENT_OPENED);
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    g_assert_true(drv_ctrl_recv(&d, &msg));
    g_assert_cmpuint(msg.id, ==, 1);
    g_assert_cmpuint(msg.event, ==, VIRTIO_CONSOLE_PORT_NAME);
    g_assert_cmpstr(msg.name, ==, "org.minivirt.one");
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    ctrl_expect_none(&d);

    /* No chardev: the name, and no PORT_OPEN. */
    drv_ctrl_send(&d, 2, VIRTIO_CONSOLE_PORT_READY, 1);
    g_assert_true(drv_ctrl_recv(&d, &msg));
    g_assert_cmpuint(msg.event, ==, VIRTIO_CONSOLE_PORT_NAME);
    g_assert_cmpstr(msg.name, ==, "org.minivirt.nochr");
    ctrl_expect_none(&d);

    /* Unnamed, backend closed: nothing at all. */
    drv_ctrl_send(&d, 3, VIRTIO_CONSOLE_PORT_READY, 1);
    ctrl_expect_none(&d);

    /* Hot-plug after DEVICE_READY: PORT_ADD; hot-unplug: PORT_REMOVE. */
    tm_add(&m, "virtserialport,id=hp,nr=5");
    ctrl_expect(&d, 5, VIRTIO_CONSOLE_PORT_ADD, 1);
    g_assert_true(qdev_device_del(m.root, "hp", NULL));
    ctrl_expect(&d, 5, VIRTIO_CONSOLE_PORT_REMOVE, 1);
    ctrl_expect_none(&d);
    tm_destroy(&m);
}

/* Guest PORT_OPEN reaches the backend (chr_fe_set_open); backend events
 * reach the guest as PORT_OPEN. */
static void test_open_close(void)
{
    TestMachine m;
    Drv d;
    VirtIOSerialPortStats st;

    tm_init(&m);
    TestChardev *t = vstest_new(&m, "t");
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci"));
    DeviceState *p = tm_add(&m, "virtserialport,chardev=t,nr=1");
    guest_up(&d, 2, (const uint32_t[]){ 1 }, 1);
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    ctrl_expect_none(&d);

    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    g_assert_true(t->fe_open);
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(p), &st);
    g_assert_true(st.guest_connected);
    g_assert_false(st.host_connected);
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    g_assert_false(t->fe_open);
    g_assert_cmpint(t->fe_open_calls, ==, 2);

    chr_be_event(CHARDEV(t), CHR_EVENT_OPENED);
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(p), &st);
    g_assert_true(st.host_connected);
    chr_be_event(CHARDEV(t), CHR_EVENT_CLOSED);
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    chr_be_event(CHARDEV(t), CHR_EVENT_OPENED);
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    ctrl_expect_none(&d);
    tm_destroy(&m);
}

/* What the port listener heard, as "id:1 id:0 ..." (VSERPORT_CHANGE). */
static void record_change(VirtIOSerialPort *port, bool open, void *opaque)
{
    GString *log = opaque;
    const char *id = DEVICE(port)->id;

    g_string_append_printf(log, "%s%s:%d", log->len ? " " : "",
                           id ? id : "-", open);
}

/*
 * The port listener hears the guest open and close, as QEMU's
 * VSERPORT_CHANGE: each PORT_OPEN message, hot-plugged ports included,
 * and a close by reset or unplug of a port the guest had open.
 */
static void test_port_listener(void)
{
    TestMachine m;
    Drv d;
    g_autoptr(GString) log = g_string_new(NULL);

    tm_init(&m);
    vstest_new(&m, "t");
    vstest_new(&m, "h");
    DeviceState *vser = tm_add(&m, "virtio-serial-pci");
    drv_probe(&d, &m, vser);
    DeviceState *p1 = tm_add(&m, "virtserialport,chardev=t,nr=1,id=p1");
    g_assert_false(virtio_serial_set_port_listener(p1, record_change, log));
    g_assert_true(virtio_serial_set_port_listener(vser, record_change, log));
    guest_up(&d, 4, (const uint32_t[]){ 1 }, 1);
    g_assert_cmpstr(log->str, ==, "");

    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);  /* repeated: heard too */
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    g_assert_cmpstr(log->str, ==, "p1:1 p1:1 p1:0");

    /* A port plugged while the guest runs. */
    g_string_truncate(log, 0);
    tm_add(&m, "virtserialport,chardev=h,nr=3,id=hp");
    ctrl_expect(&d, 3, VIRTIO_CONSOLE_PORT_ADD, 1);
    drv_ctrl_send(&d, 3, VIRTIO_CONSOLE_PORT_OPEN, 1);
    g_assert_cmpstr(log->str, ==, "hp:1");
    /* Unplugged while open: it closes with it. */
    g_assert_true(qdev_device_del(m.root, "hp", NULL));
    g_assert_cmpstr(log->str, ==, "hp:1 hp:0");

    /* Reset closes what was open, and only that. */
    g_string_truncate(log, 0);
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    guest_up(&d, 4, (const uint32_t[]){ 1 }, 1);
    g_assert_cmpstr(log->str, ==, "p1:1 p1:0");
    guest_up(&d, 4, (const uint32_t[]){ 1 }, 1);
    g_assert_cmpstr(log->str, ==, "p1:1 p1:0");

    /* Removed: nothing more is heard. */
    g_assert_true(virtio_serial_set_port_listener(vser, NULL, NULL));
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    g_assert_cmpstr(log->str, ==, "p1:1 p1:0");
    tm_destroy(&m);
}

/* Without MULTIPORT, port 0 opens with the driver and closes at reset. */
static void test_port_listener_no_multiport(void)
{
    TestMachine m;
    Drv d;
    g_autoptr(GString) log = g_string_new(NULL);

    tm_init(&m);
    vstest_new(&m, "con");
    DeviceState *vser = tm_add(&m, "virtio-serial-pci");
    drv_probe(&d, &m, vser);
    tm_add(&m, "virtconsole,chardev=con,id=c0");
    g_assert_true(virtio_serial_set_port_listener(vser, record_change, log));
    drv_init(&d, F_VERSION_1, 2);
    g_assert_cmpstr(log->str, ==, "c0:1");
    drv_init(&d, F_VERSION_1, 2);
    g_assert_cmpstr(log->str, ==, "c0:1 c0:0 c0:1");
    tm_destroy(&m);
}

/* Bring up one virtserialport nr 1 on "t", open both ways. */
static Drv *one_port(TestMachine *m, TestChardev **t, DeviceState **port)
{
    Drv *d = g_new0(Drv, 1);

    tm_init(m);
    *t = vstest_new(m, "t");
    drv_probe(d, m, tm_add(m, "virtio-serial-pci"));
    *port = tm_add(m, "virtserialport,chardev=t,nr=1");
    chr_be_event(CHARDEV(*t), CHR_EVENT_OPENED);
    guest_up(d, 2, (const uint32_t[]){ 1 }, 1);
    drv_ctrl_send(d, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    ctrl_expect(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    drv_ctrl_send(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    ctrl_expect_none(d);
    return d;
}

static void test_guest_to_host(void)
{
    TestMachine m;
    TestChardev *t;
    DeviceState *p;
    Drv *d = one_port(&m, &t, &p);
    VirtIOSerialPortStats st;

    drv_post_out(d, Q_TX(1), "hello ", 6);
    drv_post_out(d, Q_TX(1), "world", 5);
    assert_bytes(t->out, "hello world", 11);
    g_assert_cmpuint(reap_tx(d, 1), ==, 2);
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(p), &st);
    g_assert_cmpuint(st.bytes_from_guest, ==, 11);
    g_assert_false(st.throttled);
    tm_destroy(&m);
    g_free(d);
}

/* Host data is pulled only into posted buffers, spread over several, the
 * last one partly used. */
static void test_host_to_guest(void)
{
    TestMachine m;
    TestChardev *t;
    DeviceState *p;
    Drv *d = one_port(&m, &t, &p);
    g_autoptr(GString) got = g_string_new(NULL);
    VirtIOSerialPortStats st;

    /* No buffers posted: nothing can be taken. */
    g_assert_cmpint(chr_be_can_write(CHARDEV(t)), ==, 0);
    post_rx(d, 1, 3, 4);
    g_assert_cmpint(chr_be_can_write(CHARDEV(t)), ==, 12);
    g_assert_cmpint(host_send(t, "0123456789", 10), ==, 10);
    collect_rx(d, 1, got);
    g_assert_cmpstr(got->str, ==, "0123456789");
    g_assert_cmpuint(drv_outstanding(d, Q_RX(1)), ==, 0);
    g_assert_cmpint(chr_be_can_write(CHARDEV(t)), ==, 0);

    /* A closed guest port takes nothing, even with buffers posted. */
    post_rx(d, 1, 1, 64);
    drv_ctrl_send(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    g_assert_cmpint(chr_be_can_write(CHARDEV(t)), ==, 0);
    drv_ctrl_send(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    g_assert_cmpint(host_send(t, "abc", 3), ==, 3);
    g_string_truncate(got, 0);
    collect_rx(d, 1, got);
    g_assert_cmpstr(got->str, ==, "abc");
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(p), &st);
    g_assert_cmpuint(st.bytes_to_guest, ==, 13);
    tm_destroy(&m);
    g_free(d);
}

/*
 * A backend that takes little: the element is held with its offset, the
 * port is throttled, the G_IO_OUT watch resumes it; order kept, nothing
 * lost, and another port is served meanwhile.
 */
static void test_throttle(void)
{
    TestMachine m;
    Drv d;
    VirtIOSerialPortStats st;

    tm_init(&m);
    TestChardev *slow = vstest_new(&m, "slow");
    TestChardev *fast = vstest_new(&m, "fast");
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci"));
    DeviceState *ps = tm_add(&m, "virtserialport,chardev=slow,nr=1");
    tm_add(&m, "virtserialport,chardev=fast,nr=2");
    chr_be_event(CHARDEV(slow), CHR_EVENT_OPENED);
    chr_be_event(CHARDEV(fast), CHR_EVENT_OPENED);
    guest_up(&d, 3, (const uint32_t[]){ 1, 2 }, 2);

    slow->budget = 3;
    drv_post_out(&d, Q_TX(1), "abcdefgh", 8);
    drv_post_out(&d, Q_TX(1), "ijkl", 4);
    assert_bytes(slow->out, "abc", 3);
    g_assert_cmpuint(reap_tx(&d, 1), ==, 0);
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(ps), &st);
    g_assert_true(st.throttled);

    /* The other port is not held up. */
    drv_post_out(&d, Q_TX(2), "other", 5);
    assert_bytes(fast->out, "other", 5);
    g_assert_cmpuint(reap_tx(&d, 2), ==, 1);

    /* Kicks while throttled change nothing. */
    drv_kick(&d, Q_TX(1));
    tm_run();
    assert_bytes(slow->out, "abc", 3);

    slow->budget = 4;
    tm_run();
    assert_bytes(slow->out, "abcdefg", 7);
    g_assert_cmpuint(reap_tx(&d, 1), ==, 0);
    slow->budget = -1;
    tm_run();
    assert_bytes(slow->out, "abcdefghijkl", 12);
    g_assert_cmpuint(reap_tx(&d, 1), ==, 2);
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(ps), &st);
    g_assert_false(st.throttled);
    g_assert_cmpuint(st.bytes_from_guest, ==, 12);
    tm_destroy(&m);
}

/* Guest data queued while the backend is away is delivered after it
 * reconnects (QEMU would discard it). */
static void test_reconnect_keeps_data(void)
{
    TestMachine m;
    TestChardev *t;
    DeviceState *p;
    Drv *d = one_port(&m, &t, &p);

    chr_be_event(CHARDEV(t), CHR_EVENT_CLOSED);
    ctrl_expect(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    drv_post_out(d, Q_TX(1), "while ", 6);
    drv_post_out(d, Q_TX(1), "away", 4);
    g_assert_cmpuint(t->out->len, ==, 0);
    g_assert_cmpuint(reap_tx(d, 1), ==, 0);

    chr_be_event(CHARDEV(t), CHR_EVENT_OPENED);
    ctrl_expect(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    assert_bytes(t->out, "while away", 10);
    g_assert_cmpuint(reap_tx(d, 1), ==, 2);

    /* A write that fails half way (peer gone) keeps the rest too. */
    t->budget = 2;
    drv_post_out(d, Q_TX(1), "12345", 5);
    t->dead = true;
    tm_run();
    assert_bytes(t->out, "while away12", 12);
    g_assert_cmpuint(reap_tx(d, 1), ==, 0);
    t->dead = false;
    t->budget = -1;
    chr_be_event(CHARDEV(t), CHR_EVENT_CLOSED);
    chr_be_event(CHARDEV(t), CHR_EVENT_OPENED);
    tm_run();
    assert_bytes(t->out, "while away12345", 15);
    g_assert_cmpuint(reap_tx(d, 1), ==, 1);

    /* A backend that drops and regains its peer inside the write. */
    ctrl_expect(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    ctrl_expect(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    t->dead = t->reopen = true;
    drv_post_out(d, Q_TX(1), "+sync", 5);
    ctrl_expect(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    ctrl_expect(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    assert_bytes(t->out, "while away12345+sync", 20);
    g_assert_cmpuint(reap_tx(d, 1), ==, 1);
    ctrl_expect_none(d);
    tm_destroy(&m);
    g_free(d);
}

/* Short control messages and unknown ids are dropped and logged; the
 * device keeps working. */
static void test_malformed_control(void)
{
    TestMachine m;
    TestChardev *t;
    DeviceState *p;
    Drv *d = one_port(&m, &t, &p);

    g_test_expect_message(NULL, G_LOG_LEVEL_MESSAGE,
                          "virtio-serial-bus: *: short control message (4 "
                          "bytes), dropped");
    drv_post_out(d, Q_CTX, "\1\0\0\0", 4);
    g_test_assert_expected_messages();
    g_assert_true(drv_get_used(d, Q_CTX, NULL, 0, NULL));

    g_test_expect_message(NULL, G_LOG_LEVEL_MESSAGE,
                          "virtio-serial-bus: *: unexpected port id 99 *");
    drv_ctrl_send(d, 99, VIRTIO_CONSOLE_PORT_OPEN, 1);
    g_test_assert_expected_messages();

    g_test_expect_message(NULL, G_LOG_LEVEL_MESSAGE,
                          "virtio-serial-bus: *: unexpected port id 4294967295 *");
    drv_ctrl_send(d, 0xffffffff, VIRTIO_CONSOLE_PORT_READY, 1);
    g_test_assert_expected_messages();

    g_test_expect_message(NULL, G_LOG_LEVEL_MESSAGE,
                          "virtio-serial-bus: *: unexpected control event 42 *");
    drv_ctrl_send(d, 1, 42, 1);
    g_test_assert_expected_messages();
    ctrl_expect_none(d);

    /* Still serving. */
    drv_ctrl_send(d, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    ctrl_expect(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    drv_post_out(d, Q_TX(1), "ok", 2);
    assert_bytes(t->out, "ok", 2);
    g_assert_false(drv_status(d) & VIRTIO_CONFIG_S_NEEDS_RESET);
    tm_destroy(&m);
    g_free(d);
}

/*
 * A tx descriptor outside guest RAM breaks that device (virtio_error:
 * NEEDS_RESET), not the process: another virtio-serial device keeps
 * serving, and after a reset the broken one works again.
 */
static void test_broken_ring(void)
{
    TestMachine m;
    Drv a, b;

    tm_init(&m);
    TestChardev *ta = vstest_new(&m, "ta");
    TestChardev *tb = vstest_new(&m, "tb");
    drv_probe(&a, &m, tm_add(&m, "virtio-serial-pci,id=va"));
    drv_probe(&b, &m, tm_add(&m, "virtio-serial-pci,id=vb"));
    tm_add(&m, "virtserialport,bus=va.0,chardev=ta,nr=1");
    tm_add(&m, "virtserialport,bus=vb.0,chardev=tb,nr=1");
    chr_be_event(CHARDEV(ta), CHR_EVENT_OPENED);
    chr_be_event(CHARDEV(tb), CHR_EVENT_OPENED);
    guest_up(&a, 2, (const uint32_t[]){ 1 }, 1);
    guest_up(&b, 2, (const uint32_t[]){ 1 }, 1);

    g_test_expect_message("virtio", G_LOG_LEVEL_WARNING, "*va*");
    drv_add_raw(&a, Q_TX(1), 0x1000, 16, false, true);
    g_test_assert_expected_messages();
    g_assert_true(drv_status(&a) & VIRTIO_CONFIG_S_NEEDS_RESET);
    drv_post_out(&a, Q_TX(1), "lost", 4);
    g_assert_cmpuint(ta->out->len, ==, 0);

    drv_post_out(&b, Q_TX(1), "alive", 5);
    assert_bytes(tb->out, "alive", 5);
    post_rx(&b, 1, 1, 16);
    drv_ctrl_send(&b, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    g_assert_cmpint(host_send(tb, "back", 4), ==, 4);
    g_autoptr(GString) got = g_string_new(NULL);
    collect_rx(&b, 1, got);
    g_assert_cmpstr(got->str, ==, "back");

    /* Reset and start over: the device works again. */
    guest_up(&a, 2, (const uint32_t[]){ 1 }, 1);
    g_assert_false(drv_status(&a) & VIRTIO_CONFIG_S_NEEDS_RESET);
    drv_post_out(&a, Q_TX(1), "again", 5);
    assert_bytes(ta->out, "again", 5);
    tm_destroy(&m);
}

/* The config emerg_wr register writes one character to port 0. */
static void test_emergency_write(void)
{
    TestMachine m;
    Drv d;

    tm_init(&m);
    TestChardev *t = vstest_new(&m, "con");
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci"));
    DeviceState *con = tm_add(&m, "virtconsole,chardev=con");
    g_assert_cmpuint(VIRTIO_SERIAL_PORT(con)->nr, ==, 0);
    /* Before the driver is up, as an early console would. */
    drv_cfg_write(&d, 8, 'H', 4);
    drv_cfg_write(&d, 8, 'i', 4);
    assert_bytes(t->out, "Hi", 2);
    g_assert_cmpuint(drv_cfg_read(&d, 8, 4), ==, 0);

    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci,id=noem,"
                                 "emergency-write=off"));
    TestChardev *t2 = vstest_new(&m, "con2");
    tm_add(&m, "virtconsole,bus=noem.0,chardev=con2");
    drv_cfg_write(&d, 8, 'X', 4);
    g_assert_cmpuint(t2->out->len, ==, 0);
    tm_destroy(&m);
}

/*
 * The console never holds the guest's buffers (hvc busy-waits on them):
 * a stalled backend gets a bounded buffer, the rest is dropped, counted
 * and logged once; the held part comes out in order when it drains.
 */
static void test_console_stall(void)
{
    TestMachine m;
    Drv d;
    VirtIOSerialPortStats st;
    static char chunk[DRV_BUF_SIZE];

    tm_init(&m);
    TestChardev *t = vstest_new(&m, "con");
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci,id=vc"));
    DeviceState *con = tm_add(&m, "virtconsole,chardev=con");
    guest_up(&d, 1, (const uint32_t[]){ 0 }, 1);

    t->budget = 0;
    size_t total = 0;
    g_test_expect_message(NULL, G_LOG_LEVEL_MESSAGE,
                          "virtconsole *: backend stalled, dropping console "
                          "output");
    for (int i = 0; i < 20; i++) {
        memset(chunk, 'a' + i, sizeof(chunk));
        drv_post_out(&d, Q_TX(0), chunk, sizeof(chunk));
        total += sizeof(chunk);
        /* Every buffer comes straight back. */
        g_assert_cmpuint(reap_tx(&d, 0), ==, 1);
    }
    g_test_assert_expected_messages();
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(con), &st);
    g_assert_cmpuint(st.bytes_held, ==, 64 * 1024);
    g_assert_cmpuint(st.bytes_dropped, ==, total - 64 * 1024);
    g_assert_cmpuint(st.bytes_from_guest, ==, total);
    g_assert_false(st.throttled);

    t->budget = -1;
    tm_run();
    g_assert_cmpuint(t->out->len, ==, 64 * 1024);
    for (int i = 0; i < 16; i++) {
        g_assert_cmpint(t->out->data[i * DRV_BUF_SIZE], ==, 'a' + i);
    }
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(con), &st);
    g_assert_cmpuint(st.bytes_held, ==, 0);

    /* Flowing again: straight through. */
    drv_post_out(&d, Q_TX(0), "ok", 2);
    g_assert_cmpuint(t->out->len, ==, 64 * 1024 + 2);
    tm_destroy(&m);
}

/* Without MULTIPORT the guest sees only port 0 on queues 0/1, open. */
static void test_no_multiport(void)
{
    TestMachine m;
    Drv d;

    tm_init(&m);
    TestChardev *t = vstest_new(&m, "con");
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci"));
    tm_add(&m, "virtconsole,chardev=con");
    drv_init(&d, F_VERSION_1, 2);
    drv_post_out(&d, Q_TX(0), "legacy", 6);
    assert_bytes(t->out, "legacy", 6);
    post_rx(&d, 0, 1, 16);
    g_assert_cmpint(host_send(t, "in", 2), ==, 2);
    g_autoptr(GString) got = g_string_new(NULL);
    collect_rx(&d, 0, got);
    g_assert_cmpstr(got->str, ==, "in");
    g_assert_true(t->fe_open);
    tm_destroy(&m);
}

/*
 * A virtserialport nr 1 behind a listening unix socket chardev at @path,
 * the guest driver up and the port ready and open on the guest's side;
 * the host side opens when a peer connects.
 */
static void socket_port_up(TestMachine *m, Drv *d, const char *path)
{
    g_autofree char *opts = g_strdup_printf(
        "socket,id=s,path=%s,server=on,wait=off", path);

    tm_init(m);
    tm_chardev(m, opts);
    drv_probe(d, m, tm_add(m, "virtio-serial-pci"));
    tm_add(m, "virtserialport,chardev=s,nr=1");
    guest_up(d, 2, (const uint32_t[]){ 1 }, 1);
    drv_ctrl_send(d, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    drv_ctrl_send(d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
}

/* A host peer: a stream socket connected to @path. */
static int unix_connect(const char *path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };

    g_assert_cmpint(fd, >=, 0);
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    return fd;
}

/* A real unix socket behind the port: data both ways, with the kernel's
 * buffers as the backpressure. */
static void test_socket(void)
{
    TestMachine m;
    Drv d;
    g_autofree char *dir = g_dir_make_tmp("vser-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);

    socket_port_up(&m, &d, path);
    ctrl_expect_none(&d);

    int fd = unix_connect(path);
    /* The chardev accepts from the main loop. */
    ctrl_wait_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);

    drv_post_out(&d, Q_TX(1), "to-host", 7);
    char buf[16] = "";
    g_assert_cmpint(read(fd, buf, sizeof(buf)), ==, 7);
    g_assert_cmpstr(buf, ==, "to-host");

    post_rx(&d, 1, 2, 4);
    g_assert_cmpint(write(fd, "to-guest", 8), ==, 8);
    g_autoptr(GString) got = g_string_new(NULL);
    for (int i = 0; i < 5000 && got->len < 8; i++) {
        tm_run();
        collect_rx(&d, 1, got);
        g_usleep(1000);
    }
    g_assert_cmpstr(got->str, ==, "to-guest");
    close(fd);
    tm_destroy(&m);
    unlink(path);
    rmdir(dir);
}

/* Bytes the host peer sends before it closes, in the tail test. */
#define TAIL_LEN 20000

/*
 * The host peer sends and closes at once, while the guest has posted
 * little room: every byte reaches the guest as it posts buffers, and
 * PORT_OPEN 0 comes only after the last one.
 */
static void test_socket_close_delivers_tail(void)
{
    TestMachine m;
    Drv d;
    DrvCtrlMsg msg;
    g_autofree char *dir = g_dir_make_tmp("vser-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "sock", NULL);
    g_autoptr(GString) sent = g_string_new(NULL);
    g_autoptr(GString) got = g_string_new(NULL);

    socket_port_up(&m, &d, path);
    int fd = unix_connect(path);
    ctrl_wait_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);

    for (int i = 0; i < TAIL_LEN; i++) {
        g_string_append_c(sent, (char)(i * 7 + (i >> 8)));
    }
    g_assert_cmpint(write(fd, sent->str, TAIL_LEN), ==, TAIL_LEN);
    close(fd);

    /* One small buffer at a time; the port stays open meanwhile. */
    for (int i = 0; i < 10000 && got->len < TAIL_LEN; i++) {
        if (drv_outstanding(&d, Q_RX(1)) == 0) {
            post_rx(&d, 1, 1, 1000);
        }
        tm_run();
        collect_rx(&d, 1, got);
        if (got->len < TAIL_LEN && drv_ctrl_recv(&d, &msg)) {
            g_error("control (%u, %u, %u) with %zu of %d bytes delivered",
                    msg.id, msg.event, msg.value, got->len, TAIL_LEN);
        }
        g_usleep(100);
    }
    g_assert_cmpuint(got->len, ==, TAIL_LEN);
    g_assert_true(memcmp(got->str, sent->str, TAIL_LEN) == 0);

    /* Then the close, even with no room left over. */
    ctrl_wait_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 0);
    tm_destroy(&m);
    unlink(path);
    rmdir(dir);
}

/* The ringbuf backend: guest output read back as ringbuf-read does, host
 * input fed with chardev_ringbuf_input. */
static void test_ringbuf(void)
{
    TestMachine m;
    Drv d;
    uint8_t buf[64];

    tm_init(&m);
    Chardev *rb = tm_chardev(&m, "ringbuf,id=rb,size=1024");
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci"));
    tm_add(&m, "virtserialport,chardev=rb,nr=1");
    guest_up(&d, 2, (const uint32_t[]){ 1 }, 1);
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);    /* ringbuf is open */
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);

    drv_post_out(&d, Q_TX(1), "ring out", 8);
    g_assert_cmpint(chardev_ringbuf_read(rb, buf, sizeof(buf), NULL), ==, 8);
    g_assert_true(memcmp(buf, "ring out", 8) == 0);

    post_rx(&d, 1, 2, 3);
    g_assert_cmpint(chardev_ringbuf_input(rb, (const uint8_t *)"ring", 4,
                                          NULL), ==, 4);
    g_autoptr(GString) got = g_string_new(NULL);
    collect_rx(&d, 1, got);
    g_assert_cmpstr(got->str, ==, "ring");
    tm_destroy(&m);
}

static void count_port(VirtIOSerialPort *port, void *opaque)
{
    GString *s = opaque;
    VirtIOSerialPortStats st;

    virtio_serial_port_get_stats(port, &st);
    g_string_append_printf(s, "%u:%s:%d%d ", st.nr, st.name ? st.name : "-",
                           st.is_console, st.host_connected);
}

/* What `info virtio-serial` will walk. */
static void test_foreach_stats(void)
{
    TestMachine m;
    g_autoptr(GString) s = g_string_new(NULL);

    tm_init(&m);
    vstest_new(&m, "t");
    DeviceState *v = tm_add(&m, "virtio-serial-pci,id=v");
    tm_add(&m, "virtserialport,nr=4,name=four");
    tm_add(&m, "virtconsole,chardev=t");
    tm_add(&m, "virtserialport,name=one");
    g_assert_true(virtio_serial_foreach_port(v, count_port, s));
    g_assert_cmpstr(s->str, ==, "0:-:11 1:one:00 4:four:00 ");
    g_assert_false(virtio_serial_foreach_port(DEVICE(object_resolve_path(
        m.root, "/pci-host", NULL)), count_port, s));
    tm_destroy(&m);
}

/*
 * A port unplugged, and a device reset, while elements are held (a
 * throttled tx element, popped rx buffers): nothing leaks, nothing is
 * pushed for the dead port, and the device works after the reset.
 */
static void test_unplug_and_reset_with_held(void)
{
    TestMachine m;
    Drv d;

    tm_init(&m);
    TestChardev *a = vstest_new(&m, "a");
    TestChardev *b = vstest_new(&m, "b");
    drv_probe(&d, &m, tm_add(&m, "virtio-serial-pci"));
    tm_add(&m, "virtserialport,chardev=a,nr=1,id=pa");
    tm_add(&m, "virtserialport,chardev=b,nr=2");
    chr_be_event(CHARDEV(a), CHR_EVENT_OPENED);
    chr_be_event(CHARDEV(b), CHR_EVENT_OPENED);
    guest_up(&d, 3, (const uint32_t[]){ 1, 2 }, 2);
    for (uint32_t nr = 1; nr <= 2; nr++) {
        drv_ctrl_send(&d, nr, VIRTIO_CONSOLE_PORT_OPEN, 1);
        post_rx(&d, nr, 2, 8);
    }
    a->budget = 1;
    b->budget = 1;
    drv_post_out(&d, Q_TX(1), "xyz", 3);
    drv_post_out(&d, Q_TX(2), "xyz", 3);
    g_assert_cmpint(chr_be_can_write(CHARDEV(a)), ==, 16);
    g_assert_cmpint(chr_be_can_write(CHARDEV(b)), ==, 16);

    g_assert_true(qdev_device_del(m.root, "pa", NULL));
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_REMOVE, 1);
    g_assert_cmpuint(reap_tx(&d, 1), ==, 0);

    /* Reset: the driver starts over, port 2 is fresh. */
    guest_up(&d, 3, (const uint32_t[]){ 2 }, 1);
    VirtIOSerialPortStats st;
    b->budget = -1;
    tm_run();
    g_assert_cmpuint(b->out->len, ==, 1);   /* the old element is gone */
    drv_ctrl_send(&d, 2, VIRTIO_CONSOLE_PORT_OPEN, 1);
    g_assert_cmpint(chr_be_can_write(CHARDEV(b)), ==, 0);
    post_rx(&d, 2, 1, 8);
    g_assert_cmpint(host_send(b, "new", 3), ==, 3);
    g_autoptr(GString) got = g_string_new(NULL);
    collect_rx(&d, 2, got);
    g_assert_cmpstr(got->str, ==, "new");
    drv_post_out(&d, Q_TX(2), "after", 5);
    assert_bytes(b->out, "xafter", 6);
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(
        qbus_find(m.root, "virtio-serial-bus.0")->children->pdata[0]), &st);
    g_assert_false(st.throttled);
    tm_destroy(&m);
}

/* The transitional device through its legacy I/O BAR, as a legacy driver
 * (Linux's virtio_pci_legacy) sees it: handshake, data, config. */
static void test_legacy(void)
{
    TestMachine m;
    Drv d;
    DrvCtrlMsg msg;

    tm_init(&m);
    TestChardev *t = vstest_new(&m, "t");
    drv_probe_mode(&d, &m, tm_add(&m, "virtio-serial-pci"), VV_LEGACY);
    tm_add(&m, "virtserialport,chardev=t,name=legacy.port");
    chr_be_event(CHARDEV(t), CHR_EVENT_OPENED);
    g_assert_cmpuint(drv_cfg_read(&d, 4, 4), ==, 31);

    drv_init(&d, F_MULTIPORT | F_EMERG, Q_TX(1) + 1);
    for (int i = 0; i < 4; i++) {
        drv_post_in(&d, Q_CRX, DRV_BUF_SIZE);
    }
    drv_ctrl_send(&d, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_ADD, 1);
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_READY, 1);
    g_assert_true(drv_ctrl_recv(&d, &msg));
    g_assert_cmpstr(msg.name, ==, "legacy.port");
    ctrl_expect(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    drv_ctrl_send(&d, 1, VIRTIO_CONSOLE_PORT_OPEN, 1);
    drv_post_out(&d, Q_TX(1), "old", 3);
    assert_bytes(t->out, "old", 3);
    post_rx(&d, 1, 1, 8);
    g_assert_cmpint(host_send(t, "school", 6), ==, 6);
    g_autoptr(GString) got = g_string_new(NULL);
    collect_rx(&d, 1, got);
    g_assert_cmpstr(got->str, ==, "school");
    tm_destroy(&m);
}

/*
 * Bulk both ways with chains of several buffers (some indirect) and a
 * backend whose appetite changes all the time: the byte streams arrive
 * whole and in order.
 */
static void test_bulk(void)
{
    enum { CHAINS = 300, SEG = 700, NSEG = 3 };
    TestMachine m;
    TestChardev *t;
    DeviceState *p;
    Drv *d = one_port(&m, &t, &p);
    GRand *rnd = g_rand_new_with_seed(5);
    g_autoptr(GByteArray) want = g_byte_array_new();
    VVirtQueue *tx = drv_q(d, Q_TX(1)), *rx = drv_q(d, Q_RX(1));
    uint64_t area = vh_alloc(m.h, (uint64_t)DRV_QSIZE * NSEG * SEG, 8);
    uint32_t head, len;
    int sent = 0;

    /* guest -> host */
    while (sent < CHAINS || drv_outstanding(d, Q_TX(1))) {
        while (sent < CHAINS && tx->num_free >= NSEG) {
            VVBuf b[NSEG];
            int slot = tx->free[tx->num_free - 1];
            for (int i = 0; i < NSEG; i++) {
                uint8_t data[SEG];
                uint32_t l = g_rand_int_range(rnd, 1, SEG + 1);
                for (uint32_t k = 0; k < l; k++) {
                    data[k] = g_rand_int(rnd);
                }
                b[i].addr = area + ((uint64_t)slot * NSEG + i) * SEG;
                b[i].len = l;
                b[i].write = false;
                vh_memwrite(m.h, b[i].addr, data, l);
                g_byte_array_append(want, data, l);
            }
            g_assert_cmpint(vq_add(tx, b, NSEG, sent % 2), ==, slot);
            vq_kick(tx);
            sent++;
        }
        t->budget = g_rand_int_range(rnd, 0, 3000);
        tm_run();
        while (vq_get_used(tx, &head, &len)) {
        }
    }
    t->budget = -1;
    g_assert_cmpuint(t->out->len, ==, want->len);
    g_assert_true(memcmp(t->out->data, want->data, want->len) == 0);

    /* host -> guest, into chains of writable buffers */
    g_autoptr(GByteArray) in = g_byte_array_new();
    g_autoptr(GByteArray) got = g_byte_array_new();
    for (int k = 0; k < 200000; k++) {
        uint8_t c = g_rand_int(rnd);
        g_byte_array_append(in, &c, 1);
    }
    uint64_t addr[DRV_QSIZE][NSEG];
    uint32_t cap[DRV_QSIZE][NSEG];
    size_t fed = 0;
    while (got->len < in->len) {
        while (rx->num_free >= NSEG) {
            VVBuf b[NSEG];
            int slot = rx->free[rx->num_free - 1];
            for (int i = 0; i < NSEG; i++) {
                b[i].addr = addr[slot][i] =
                    area + ((uint64_t)slot * NSEG + i) * SEG;
                b[i].len = cap[slot][i] = g_rand_int_range(rnd, 1, SEG + 1);
                b[i].write = true;
            }
            g_assert_cmpint(vq_add(rx, b, NSEG, slot % 2), ==, slot);
            vq_kick(rx);
        }
        if (fed < in->len) {
            size_t want_n = g_rand_int_range(rnd, 1, 5000);
            int chunk = MIN(in->len - fed, want_n);
            fed += host_send(t, (const char *)in->data + fed, chunk);
        }
        while (vq_get_used(rx, &head, &len)) {
            for (int i = 0; i < NSEG && len; i++) {
                uint32_t n = MIN(len, cap[head][i]);
                uint8_t buf[SEG];
                vh_memread(m.h, addr[head][i], buf, n);
                g_byte_array_append(got, buf, n);
                len -= n;
            }
        }
    }

    g_assert_cmpuint(got->len, ==, in->len);
    g_assert_true(memcmp(got->data, in->data, in->len) == 0);

    VirtIOSerialPortStats st;
    virtio_serial_port_get_stats(VIRTIO_SERIAL_PORT(p), &st);
    g_assert_cmpuint(st.bytes_from_guest, ==, want->len);
    g_assert_cmpuint(st.bytes_to_guest, ==, in->len);
    g_rand_free(rnd);
    tm_destroy(&m);
    g_free(d);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-serial/pci/identity", test_identity);
    g_test_add_func("/virtio-serial/pci/features-config",
                    test_features_config);
    g_test_add_func("/virtio-serial/pci/legacy", test_legacy);
    g_test_add_func("/virtio-serial/control/handshake",
                    test_control_handshake);
    g_test_add_func("/virtio-serial/control/malformed",
                    test_malformed_control);
    g_test_add_func("/virtio-serial/port/open-close", test_open_close);
    g_test_add_func("/virtio-serial/port/listener", test_port_listener);
    g_test_add_func("/virtio-serial/port/listener-no-multiport",
                    test_port_listener_no_multiport);
    g_test_add_func("/virtio-serial/port/guest-to-host", test_guest_to_host);
    g_test_add_func("/virtio-serial/port/host-to-guest", test_host_to_guest);
    g_test_add_func("/virtio-serial/port/throttle", test_throttle);
    g_test_add_func("/virtio-serial/port/reconnect-keeps-data",
                    test_reconnect_keeps_data);
    g_test_add_func("/virtio-serial/port/no-multiport", test_no_multiport);
    g_test_add_func("/virtio-serial/port/socket", test_socket);
    g_test_add_func("/virtio-serial/port/socket-close-delivers-tail",
                    test_socket_close_delivers_tail);
    g_test_add_func("/virtio-serial/port/ringbuf", test_ringbuf);
    g_test_add_func("/virtio-serial/port/bulk", test_bulk);
    g_test_add_func("/virtio-serial/port/unplug-and-reset-with-held",
                    test_unplug_and_reset_with_held);
    g_test_add_func("/virtio-serial/monitor/foreach-stats",
                    test_foreach_stats);
    g_test_add_func("/virtio-serial/ring/broken-device", test_broken_ring);
    g_test_add_func("/virtio-serial/console/emergency-write",
                    test_emergency_write);
    g_test_add_func("/virtio-serial/console/stall", test_console_stall);
    return g_test_run();
}
