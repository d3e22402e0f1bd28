/*
 * tests/device/test-virtio-serial-drv.h: what the virtio-serial device
 * tests add to the shared harness (tests/device/vdev-harness.h): a
 * /chardevs container on the harness machine, and a driver that owns one
 * DRV_BUF_SIZE guest buffer per descriptor so that scenarios read as
 * "post a buffer, kick, take what came back".  The test plays the guest,
 * so it can also break the rules on purpose (drv_add_raw).
 */
#ifndef TEST_VIRTIO_SERIAL_DRV_H
#define TEST_VIRTIO_SERIAL_DRV_H

#include <string.h>

#include "chardev/chardev.h"
#include "hw/char/virtio-serial.h"
#include "qom/error.h"
#include "vdev-harness.h"

#define DRV_QSIZE       128     /* what virtio-serial offers (legacy: fixed) */
#define DRV_MAX_QUEUES  16
#define DRV_BUF_SIZE    4096

typedef struct Drv Drv;

/* The harness machine plus /chardevs; drivers are closed with it. */
typedef struct TestMachine {
    VHarness *h;
    Object *root;
    Object *chardevs;
    GPtrArray *drvs;        /* Drv * opened on this machine */
} TestMachine;

struct Drv {
    TestMachine *m;
    VVirtio v;
    uint64_t bufs[DRV_MAX_QUEUES][DRV_QSIZE];   /* guest buffer per head */
};

static G_GNUC_UNUSED void tm_init(TestMachine *m)
{
    m->h = vh_new();
    m->root = m->h->machine;
    m->chardevs = chardev_container_new();
    g_assert_true(object_property_add_child(m->root, "chardevs", m->chardevs,
                                            NULL));
    object_unref(m->chardevs);
    m->drvs = g_ptr_array_new();
}

static G_GNUC_UNUSED void tm_destroy(TestMachine *m)
{
    const char *order[] = { "peripheral", "peripheral-anon" };

    for (unsigned i = 0; i < m->drvs->len; i++) {
        vvirtio_close(&((Drv *)m->drvs->pdata[i])->v);
    }
    g_ptr_array_free(m->drvs, true);
    /* Devices go before the host bridge whose bus they sit on. */
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        Object *c = object_get_child(m->root, order[i]);
        if (c) {
            object_unparent(c);
        }
    }
    vh_free(m->h);
}

static G_GNUC_UNUSED DeviceState *tm_add(TestMachine *m, const char *opts)
{
    GError *err = NULL;
    DeviceState *dev = vh_device_add(m->h, opts, &err);

    if (!dev) {
        g_error("-device %s: %s", opts, err->message);
    }
    return dev;
}

static G_GNUC_UNUSED Chardev *tm_chardev(TestMachine *m, const char *opts)
{
    GError *err = NULL;
    Chardev *chr = chardev_new_from_string(m->chardevs, opts, &err);

    if (!chr) {
        g_error("-chardev %s: %s", opts, err->message);
    }
    return chr;
}

/* Run the main loop until nothing is pending (watches, sockets). */
static G_GNUC_UNUSED void tm_run(void)
{
    for (int i = 0; i < 64 && g_main_context_iteration(NULL, FALSE); i++) {
    }
}

/* The function @dev sits at, for config cycles through ECAM. */
static G_GNUC_UNUSED VPCIDev *tm_pci(TestMachine *m, DeviceState *dev,
                                    VPCIDev *out)
{
    return vh_pci_at(m->h, PCI_DEVICE(dev)->devfn, out);
}

/* ---- the driver ----------------------------------------------------------- */

/* drv_probe_mode: enable @dev's BARs and find its @mode registers. */
static G_GNUC_UNUSED void drv_probe_mode(Drv *d, TestMachine *m,
                                         DeviceState *dev, VVMode mode)
{
    VPCIDev pci;

    if (g_ptr_array_find(m->drvs, d, NULL)) {
        vvirtio_close(&d->v);
    } else {
        g_ptr_array_add(m->drvs, d);
    }
    memset(d, 0, sizeof(*d));
    d->m = m;
    g_assert_true(vvirtio_open(tm_pci(m, dev, &pci), mode, &d->v));
}

static G_GNUC_UNUSED void drv_probe(Drv *d, TestMachine *m, DeviceState *dev)
{
    drv_probe_mode(d, m, dev, VV_MODERN);
}

static G_GNUC_UNUSED uint8_t drv_status(Drv *d)
{
    return vvirtio_get_status(&d->v);
}

static G_GNUC_UNUSED uint32_t drv_cfg_read(Drv *d, uint32_t off, unsigned sz)
{
    return vvirtio_config_read(&d->v, off, sz);
}

static G_GNUC_UNUSED void drv_cfg_write(Drv *d, uint32_t off, uint32_t v,
                                        unsigned sz)
{
    vvirtio_config_write(&d->v, off, sz, v);
}

static G_GNUC_UNUSED VVirtQueue *drv_q(Drv *d, unsigned qi)
{
    g_assert_cmpuint(qi, <, DRV_MAX_QUEUES);
    g_assert_nonnull(d->v.vq[qi].v);    /* set up */
    return &d->v.vq[qi];
}

/*
 * drv_init: reset, negotiate @features, set up queues 0..@nqueues-1 and
 * set DRIVER_OK.
 */
static G_GNUC_UNUSED void drv_init(Drv *d, uint64_t features, unsigned nqueues)
{
    g_assert_cmpuint(nqueues, <=, DRV_MAX_QUEUES);
    g_assert_true(vvirtio_negotiate(&d->v, features));
    for (unsigned i = 0; i < nqueues; i++) {
        VVirtQueue *q = vvirtio_setup_queue(&d->v, i, DRV_QSIZE);
        g_assert_true(vvirtio_queue_enabled(&d->v, i));
        g_assert_cmpuint(q->num, ==, DRV_QSIZE);
    }
    vvirtio_driver_ok(&d->v);
}

static G_GNUC_UNUSED void drv_kick(Drv *d, unsigned qi)
{
    vq_kick(drv_q(d, qi));
}

/* One raw descriptor (any address, even outside RAM), published; kicks. */
static G_GNUC_UNUSED int drv_add_raw(Drv *d, unsigned qi, uint64_t addr,
                                     uint32_t len, bool in, bool kick)
{
    VVBuf b = { .addr = addr, .len = len, .write = in };
    int head = vq_add(drv_q(d, qi), &b, 1, false);

    g_assert_cmpint(head, >=, 0);
    if (kick) {
        drv_kick(d, qi);
    }
    return head;
}

/*
 * The buffer for the head the next vq_add will use (the top of the
 * harness's free stack), allocated on first use and kept across resets.
 */
static G_GNUC_UNUSED uint64_t drv_next_buf(Drv *d, unsigned qi)
{
    VVirtQueue *q = drv_q(d, qi);

    g_assert_cmpuint(q->num_free, >, 0);
    uint64_t *buf = &d->bufs[qi][q->free[q->num_free - 1]];
    if (!*buf) {
        *buf = vh_alloc(d->m->h, DRV_BUF_SIZE, 8);
    }
    return *buf;
}

/* A device-writable buffer of @len bytes (<= DRV_BUF_SIZE); kicks. */
static G_GNUC_UNUSED void drv_post_in(Drv *d, unsigned qi, uint32_t len)
{
    g_assert_cmpuint(len, <=, DRV_BUF_SIZE);
    drv_add_raw(d, qi, drv_next_buf(d, qi), len, true, true);
}

/* A device-readable buffer holding @data; kicks. */
static G_GNUC_UNUSED void drv_post_out(Drv *d, unsigned qi, const void *data,
                                       uint32_t len)
{
    uint64_t buf = drv_next_buf(d, qi);

    g_assert_cmpuint(len, <=, DRV_BUF_SIZE);
    vh_memwrite(d->m->h, buf, data, len);
    drv_add_raw(d, qi, buf, len, false, true);
}

/*
 * drv_get_used: the next used element of queue @qi, or false.  Copies up
 * to @max bytes of what the device wrote into @buf (if non-NULL) and
 * returns the used length in @len.
 */
static G_GNUC_UNUSED bool drv_get_used(Drv *d, unsigned qi, void *buf,
                                       size_t max, uint32_t *len)
{
    uint32_t head, l;

    if (!vq_get_used(drv_q(d, qi), &head, &l)) {
        return false;
    }
    g_assert_cmpuint(head, <, DRV_QSIZE);
    if (buf) {
        g_assert_cmpuint(l, <=, DRV_BUF_SIZE);
        vh_memread(d->m->h, d->bufs[qi][head], buf, MIN(max, l));
    }
    if (len) {
        *len = l;
    }
    return true;
}

/* How many elements of queue @qi the device holds (posted, not used). */
static G_GNUC_UNUSED unsigned drv_outstanding(Drv *d, unsigned qi)
{
    VVirtQueue *q = drv_q(d, qi);

    return q->num - q->num_free;
}

/* ---- the guest side of the control protocol ------------------------------ */

/* virtio 1.2 §5.3.2: port 0's queues, then the control queues. */
#define Q_CRX     2     /* control receiveq */
#define Q_CTX     3     /* control transmitq */

/* One struct virtio_console_control (virtio 1.2 §5.3.6.2), decoded. */
typedef struct DrvCtrlMsg {
    uint32_t id;
    uint16_t event, value;
    char name[64];          /* PORT_NAME's string, NUL-terminated */
} DrvCtrlMsg;

/*
 * drv_ctrl_send: the guest sends (@id, @event, @value), little-endian, on
 * the control transmitq and asserts that the device used the buffer.
 */
static G_GNUC_UNUSED void drv_ctrl_send(Drv *d, uint32_t id, uint16_t event,
                                        uint16_t value)
{
    uint8_t b[VIRTIO_CONSOLE_CTRL_SIZE];
    uint32_t le_id = GUINT32_TO_LE(id);
    uint16_t le_ev = GUINT16_TO_LE(event), le_val = GUINT16_TO_LE(value);

    memcpy(b, &le_id, 4);
    memcpy(b + 4, &le_ev, 2);
    memcpy(b + 6, &le_val, 2);
    drv_post_out(d, Q_CTX, b, sizeof(b));
    g_assert_true(drv_get_used(d, Q_CTX, NULL, 0, NULL));
}

/*
 * drv_ctrl_recv: the next control message from the host into @msg, or
 * false if none; asserts it is at least a header long, and reposts a
 * DRV_BUF_SIZE buffer on the control receiveq for the next one.
 */
static G_GNUC_UNUSED bool drv_ctrl_recv(Drv *d, DrvCtrlMsg *msg)
{
    uint8_t b[VIRTIO_CONSOLE_CTRL_SIZE + sizeof(msg->name)];
    uint32_t len, id;
    uint16_t ev, val;

    memset(b, 0, sizeof(b));
    if (!drv_get_used(d, Q_CRX, b, sizeof(b) - 1, &len)) {
        return false;
    }
    g_assert_cmpuint(len, >=, VIRTIO_CONSOLE_CTRL_SIZE);
    memcpy(&id, b, 4);
    memcpy(&ev, b + 4, 2);
    memcpy(&val, b + 6, 2);
    msg->id = GUINT32_FROM_LE(id);
    msg->event = GUINT16_FROM_LE(ev);
    msg->value = GUINT16_FROM_LE(val);
    memset(msg->name, 0, sizeof(msg->name));
    if (len > VIRTIO_CONSOLE_CTRL_SIZE) {
        memcpy(msg->name, b + VIRTIO_CONSOLE_CTRL_SIZE,
               MIN(len - VIRTIO_CONSOLE_CTRL_SIZE, sizeof(msg->name) - 1));
    }
    drv_post_in(d, Q_CRX, DRV_BUF_SIZE);
    return true;
}

#endif /* TEST_VIRTIO_SERIAL_DRV_H */
