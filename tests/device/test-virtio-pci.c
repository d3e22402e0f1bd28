/*
 * test-virtio-pci: the virtio core, the split virtqueue and the PCI
 * transport, driven by the harness as a guest driver would, against a toy
 * device registered here ("virtio-echo-pci").
 *
 * The echo device has three queues: 0 "rx" (device-writable buffers only),
 * 1 "tx" (device-readable only; bytes sent on tx come back on rx) and 2
 * "req" (a readable request then a writable reply of the same bytes, copied
 * through zero-copy mappings).  Its config space is {le32 echoed; le32
 * scratch}.  It offers one device feature, bit 0.
 */
#include <string.h>

#include "tests/device/vdev-harness.h"
#include "qom/error.h"

#define TYPE_VIRTIO_ECHO_PCI "virtio-echo-pci"
#define ECHO_QUEUE_MAX 256
#define ECHO_F_TEST 0
#define ECHO_CFG_ECHOED 0
#define ECHO_CFG_SCRATCH 4
#define ECHO_RX 0
#define ECHO_TX 1
#define ECHO_REQ 2
#define ECHO_NUM_QUEUES 3

typedef struct VirtIOEchoPCI {
    VirtIOPCIProxy parent_obj;
    GByteArray *pending;        /* received on tx, not yet sent on rx */
    uint64_t features;
    uint32_t echoed;
    uint32_t scratch;
    unsigned resets;
} VirtIOEchoPCI;
DECLARE_TYPE(VirtIOEchoPCI, VirtIOPCIClass, VIRTIO_ECHO_PCI, TYPE_VIRTIO_ECHO_PCI)

static VirtIOEchoPCI *echo_of(VirtIODevice *vdev)
{
    return vdev->opaque;
}

static uint64_t echo_get_features(VirtIODevice *vdev)
{
    return VIRTIO_BIT(ECHO_F_TEST);
}

static void echo_set_features(VirtIODevice *vdev, uint64_t f)
{
    echo_of(vdev)->features = f;
}

static void echo_get_config(VirtIODevice *vdev, uint8_t *buf)
{
    VirtIOEchoPCI *e = echo_of(vdev);
    pci_set_long(buf + ECHO_CFG_ECHOED, e->echoed);
    pci_set_long(buf + ECHO_CFG_SCRATCH, e->scratch);
}

static void echo_set_config(VirtIODevice *vdev, const uint8_t *buf)
{
    echo_of(vdev)->scratch = pci_get_long(buf + ECHO_CFG_SCRATCH);
}

static void echo_reset(VirtIODevice *vdev)
{
    VirtIOEchoPCI *e = echo_of(vdev);
    g_byte_array_set_size(e->pending, 0);
    e->features = 0;
    e->resets++;
}

static void echo_flush_rx(VirtIODevice *vdev)
{
    VirtIOEchoPCI *e = echo_of(vdev);
    VirtQueue *rx = virtio_get_queue(vdev, ECHO_RX);
    bool pushed = false;

    while (e->pending->len) {
        VirtQueueElement *elem = virtqueue_pop_dir(rx, VIRTQ_DIR_IN);
        if (!elem) {
            break;
        }
        size_t n = virtqueue_elem_from_buf(vdev, elem, 0, e->pending->data,
                                           e->pending->len);
        g_byte_array_remove_range(e->pending, 0, n);
        e->echoed += n;
        virtqueue_push(rx, elem, n);
        virtqueue_element_free(elem);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, rx);
    }
}

static void echo_tx(VirtIODevice *vdev)
{
    VirtIOEchoPCI *e = echo_of(vdev);
    VirtQueue *tx = virtio_get_queue(vdev, ECHO_TX);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop_dir(tx, VIRTQ_DIR_OUT))) {
        size_t old = e->pending->len;
        g_byte_array_set_size(e->pending, old + elem->out_len);
        virtqueue_elem_to_buf(vdev, elem, 0, e->pending->data + old,
                              elem->out_len);
        virtqueue_push(tx, elem, 0);
        virtqueue_element_free(elem);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, tx);
    }
    echo_flush_rx(vdev);
}

/* Request/reply through host mappings of guest memory (zero copy). */
static void echo_req(VirtIODevice *vdev)
{
    VirtQueue *q = virtio_get_queue(vdev, ECHO_REQ);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop(q))) {
        struct iovec in[8], out[8];
        size_t len = MIN(elem->out_len, elem->in_len), done = 0;
        while (done < len) {
            int ni = virtqueue_elem_map(vdev, elem, true, done, len - done, in, 1);
            int no = virtqueue_elem_map(vdev, elem, false, done, len - done, out, 1);
            g_assert(ni == 1 && no == 1);
            size_t n = MIN(in[0].iov_len, out[0].iov_len);
            memcpy(in[0].iov_base, out[0].iov_base, n);
            virtqueue_elem_unmap(vdev, in, ni, true, n);
            virtqueue_elem_unmap(vdev, out, no, false, 0);
            done += n;
        }
        echo_of(vdev)->echoed += len;
        virtqueue_push(q, elem, len);
        virtqueue_element_free(elem);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, q);
    }
}

static void echo_queue_notify(VirtIODevice *vdev, unsigned qidx)
{
    switch (qidx) {
    case ECHO_RX:
        echo_flush_rx(vdev);
        break;
    case ECHO_TX:
        echo_tx(vdev);
        break;
    case ECHO_REQ:
        echo_req(vdev);
        break;
    }
}

static const VirtioDeviceOps echo_ops = {
    .device_id = VIRTIO_ID_CONSOLE,     /* borrows a transitional id */
    .queue_max = ECHO_QUEUE_MAX,
    .config_size = 8,
    .get_features = echo_get_features,
    .set_features = echo_set_features,
    .get_config = echo_get_config,
    .set_config = echo_set_config,
    .reset = echo_reset,
    .queue_notify = echo_queue_notify,
};

static bool echo_realize(VirtIOPCIProxy *proxy, GError **errp)
{
    VirtIOEchoPCI *e = VIRTIO_ECHO_PCI(proxy);
    g_autofree char *id = qdev_describe(DEVICE(proxy));
    e->pending = g_byte_array_new();
    virtio_init(&proxy->vdev, &echo_ops, e, ECHO_NUM_QUEUES,
                pci_get_address_space(PCI_DEVICE(proxy)), id);
    return true;
}

static void echo_unrealize(VirtIOPCIProxy *proxy)
{
    g_byte_array_unref(VIRTIO_ECHO_PCI(proxy)->pending);
}

static void echo_class_init(ObjectClass *oc, void *data)
{
    VirtIOPCIClass *vc = VIRTIO_PCI_CLASS(oc);
    DEVICE_CLASS(oc)->user_creatable = true;
    PCI_DEVICE_CLASS(oc)->class_id = VIRTIO_PCI_CLASS_COMM_OTHER;
    vc->realize = echo_realize;
    vc->unrealize = echo_unrealize;
}

static const TypeInfo echo_info = {
    .name = TYPE_VIRTIO_ECHO_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOEchoPCI),
    .class_init = echo_class_init,
};

/* ---- Driver-side helpers ---- */

typedef struct Dev {
    VHarness *h;
    VirtIOEchoPCI *obj;
    VPCIDev pci;
    VVirtio v;
    VVirtQueue *rx, *tx, *req;
} Dev;

#define FEAT_DEFAULT (VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(ECHO_F_TEST))
#define FEAT_ALL (FEAT_DEFAULT | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | \
                  VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC))

static VirtIOEchoPCI *add_echo(VHarness *h, const char *opts)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *s = g_strdup_printf(TYPE_VIRTIO_ECHO_PCI ",%s", opts);
    DeviceState *d = vh_device_add(h, s, &err);
    g_assert_no_error(err);
    return VIRTIO_ECHO_PCI(d);
}

/* Add an echo device with @opts and open it in @mode. */
static VirtIOEchoPCI *open_echo(VHarness *h, const char *opts, VVMode mode,
                                VVirtio *v)
{
    VirtIOEchoPCI *e = add_echo(h, opts);
    VPCIDev d;
    vh_pci_at(h, PCI_DEVICE(e)->devfn, &d);
    g_assert_true(vvirtio_open(&d, mode, v));
    return e;
}

/* Open the device @obj, negotiate @features, set queues up, DRIVER_OK. */
static void dev_start(Dev *d, VHarness *h, VirtIOEchoPCI *obj, VVMode mode,
                      uint64_t features, bool msix)
{
    d->h = h;
    d->obj = obj;
    vh_pci_at(h, PCI_DEVICE(obj)->devfn, &d->pci);
    g_assert_true(vvirtio_open(&d->pci, mode, &d->v));
    g_assert_cmpuint(d->v.num_queues, ==, ECHO_NUM_QUEUES);
    g_assert_true(vvirtio_negotiate(&d->v, features));
    if (msix) {
        vvirtio_enable_msix(&d->v);
    }
    d->rx = vvirtio_setup_queue(&d->v, ECHO_RX, 0);
    d->tx = vvirtio_setup_queue(&d->v, ECHO_TX, 0);
    d->req = vvirtio_setup_queue(&d->v, ECHO_REQ, 0);
    vvirtio_driver_ok(&d->v);
    g_assert_cmphex(vvirtio_get_status(&d->v), ==, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                    VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_DRIVER_OK |
                    (mode == VV_MODERN ? VIRTIO_CONFIG_S_FEATURES_OK : 0));
}

static void dev_restart(Dev *d)
{
    VVMode mode = d->v.mode;
    bool msix = d->v.msix;
    uint64_t features = d->v.features;
    vvirtio_close(&d->v);
    dev_start(d, d->h, d->obj, mode, features ? features : FEAT_DEFAULT, msix);
}

static void dev_stop(Dev *d)
{
    vvirtio_close(&d->v);
}

/* Send @msg on tx, get it back on rx. */
static void echo_roundtrip(Dev *d, const char *msg)
{
    size_t len = strlen(msg);
    uint64_t out = vh_alloc(d->h, len, 1), in = vh_alloc(d->h, 64, 1);
    uint32_t head, got;
    char buf[64] = "";

    vh_memwrite(d->h, out, msg, len);
    int rxh = vq_add_in(d->rx, in, sizeof(buf));
    g_assert_cmpint(rxh, >=, 0);
    vq_kick(d->rx);
    int txh = vq_add_out(d->tx, out, len);
    vq_kick(d->tx);
    g_assert_true(vq_get_used(d->tx, &head, &got));
    g_assert_cmpuint(head, ==, txh);
    g_assert_true(vq_get_used(d->rx, &head, &got));
    g_assert_cmpuint(head, ==, rxh);
    g_assert_cmpuint(got, ==, len);
    vh_memread(d->h, in, buf, got);
    g_assert_cmpmem(buf, got, msg, len);
}

/* A request/reply through the req queue, in @n_out + @n_in pieces. */
static void req_roundtrip(Dev *d, bool indirect)
{
    const char msg[] = "request through the zero-copy path";
    uint64_t out = vh_alloc(d->h, sizeof(msg), 1);
    uint64_t in = vh_alloc(d->h, sizeof(msg), 1);
    VVBuf b[4] = {
        { out, 10, false }, { out + 10, sizeof(msg) - 10, false },
        { in, 7, true }, { in + 7, sizeof(msg) - 7, true },
    };
    uint32_t head, len;
    char got[sizeof(msg)];

    vh_memwrite(d->h, out, msg, sizeof(msg));
    int h = vq_add(d->req, b, 4, indirect);
    vq_kick(d->req);
    g_assert_true(vq_get_used(d->req, &head, &len));
    g_assert_cmpint(head, ==, h);
    g_assert_cmpuint(len, ==, sizeof(msg));
    vh_memread(d->h, in, got, sizeof(got));
    g_assert_cmpmem(got, sizeof(got), msg, sizeof(msg));
}

/* ---- Enumeration and capabilities ---- */

static void test_enumerate_transitional(void)
{
    VHarness *h = vh_new();
    add_echo(h, "id=e0,addr=3");
    VPCIDev d;

    g_assert_nonnull(vh_pci_find(h, PCI_VENDOR_ID_REDHAT_QUMRANET, 0x1003, 0, &d));
    g_assert_cmpint(d.devfn, ==, PCI_DEVFN(3, 0));
    g_assert_cmphex(vpci_cfg_read(&d, PCI_REVISION_ID, 1), ==, 0);
    g_assert_cmphex(vpci_cfg_read(&d, PCI_CLASS_DEVICE, 2), ==, 0x0780);
    g_assert_cmphex(vpci_cfg_read(&d, PCI_SUBSYSTEM_VENDOR_ID, 2), ==, 0x1af4);
    g_assert_cmphex(vpci_cfg_read(&d, PCI_SUBSYSTEM_ID, 2), ==, VIRTIO_ID_CONSOLE);
    g_assert_cmphex(vpci_cfg_read(&d, PCI_INTERRUPT_PIN, 1), ==, 1);
    vpci_size_bars(&d);
    g_assert_true(d.bar_io[0]);
    g_assert_cmphex(d.bar_size[0], ==, 0x20);   /* 0x18 registers + 8 config */
    g_assert_false(d.bar_io[1]);
    g_assert_cmphex(d.bar_size[1], ==, 0x1000); /* MSI-X */
    g_assert_cmphex(d.bar_size[2], ==, 0);
    g_assert_cmphex(vpci_cfg_read(&d, PCI_BASE_ADDRESS_0 + 16, 4) & 0xf, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(d.bar_size[4], ==, 0x4000);
    vh_free(h);
}

static void test_enumerate_modern_only(void)
{
    VHarness *h = vh_new();
    add_echo(h, "disable-legacy=on");
    VPCIDev d;
    VVirtio v;

    g_assert_null(vh_pci_find(h, 0x1af4, 0x1003, 0, &d));
    g_assert_nonnull(vh_pci_find(h, 0x1af4, 0x1040 + VIRTIO_ID_CONSOLE, 0, &d));
    g_assert_cmphex(vpci_cfg_read(&d, PCI_REVISION_ID, 1), ==, 1);
    vpci_size_bars(&d);
    g_assert_cmphex(d.bar_size[0], ==, 0);
    g_assert_false(vvirtio_open(&d, VV_LEGACY, &v));
    vvirtio_close(&v);
    g_assert_true(vvirtio_open(&d, VV_MODERN, &v));
    g_assert_cmphex(vvirtio_device_features(&v) & VIRTIO_CORE_FEATURES, ==,
                    VIRTIO_CORE_FEATURES);
    vvirtio_close(&v);
    vh_free(h);
}

static void test_enumerate_legacy_only(void)
{
    VHarness *h = vh_new();
    VirtIOEchoPCI *e = add_echo(h, "disable-modern=on,vectors=0");
    VPCIDev d;
    VVirtio v;

    g_assert_nonnull(vh_pci_find(h, 0x1af4, 0x1003, 0, &d));
    g_assert_cmpint(vpci_find_cap(&d, PCI_CAP_ID_VNDR, 0), ==, 0);
    g_assert_cmpint(vpci_find_cap(&d, PCI_CAP_ID_MSIX, 0), ==, 0);
    g_assert_false(vvirtio_open(&d, VV_MODERN, &v));
    vvirtio_close(&v);
    g_assert_false(e->parent_obj.vdev.host_features &
                   VIRTIO_BIT(VIRTIO_F_VERSION_1));

    GError *err = NULL;
    g_assert_null(vh_device_add(h, TYPE_VIRTIO_ECHO_PCI
                                ",disable-modern=on,disable-legacy=on", &err));
    g_assert_cmpstr(err->message, ==, "device cannot work as neither modern nor "
                    "legacy mode is enabled");
    g_error_free(err);
    vh_free(h);
}

static void test_capabilities(void)
{
    VHarness *h = vh_new();
    VVirtio v;
    open_echo(h, "id=e0", VV_MODERN, &v);
    VPCIDev *d = &v.pci;
    /* All five structures, in BAR 4, where the transport puts them. */
    const VVRegion *r[] = { &v.common, &v.isr, &v.device, &v.notify, &v.pci_cfg };
    const uint32_t off[] = { 0, 0x1000, 0x2000, 0x3000 };
    for (int i = 0; i < 4; i++) {
        g_assert_cmpint(r[i]->cap, !=, 0);
        g_assert_cmpint(r[i]->bar, ==, VIRTIO_PCI_MODERN_BAR);
        g_assert_cmphex(r[i]->offset, ==, off[i]);
        g_assert_cmpuint(r[i]->length, >=, 1);
        g_assert_cmpuint(r[i]->offset + r[i]->length, <=, v.pci.bar_size[4]);
    }
    g_assert_cmpint(v.pci_cfg.cap, !=, 0);
    g_assert_cmpuint(vpci_cfg_read(d, v.common.cap + VIRTIO_PCI_CAP_LEN, 1), ==,
                     VIRTIO_PCI_CAP_SIZE);
    g_assert_cmpuint(vpci_cfg_read(d, v.notify.cap + VIRTIO_PCI_CAP_LEN, 1), ==,
                     VIRTIO_PCI_NOTIFY_CAP_SIZE);
    g_assert_cmpuint(v.notify_mult, ==, VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER);
    g_assert_cmpuint(v.common.length, >=, VIRTIO_PCI_COMMON_SIZE);
    g_assert_cmpuint(v.num_queues, ==, ECHO_NUM_QUEUES);
    /* The capabilities are read-only to the driver. */
    vpci_cfg_write(d, v.common.cap + VIRTIO_PCI_CAP_OFFSET, 4, 0x123);
    g_assert_cmphex(vpci_cfg_read(d, v.common.cap + VIRTIO_PCI_CAP_OFFSET, 4),
                    ==, 0);

    /* The PCI_CFG window reaches the common config through config space. */
    uint8_t c = v.pci_cfg.cap;
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_BAR, 1, VIRTIO_PCI_MODERN_BAR);
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_OFFSET, 4, VIRTIO_PCI_COMMON_NUMQ);
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_LENGTH, 4, 2);
    g_assert_cmpuint(vpci_cfg_read(d, c + VIRTIO_PCI_CFG_CAP_DATA, 4) & 0xffff,
                     ==, ECHO_NUM_QUEUES);
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_OFFSET, 4, VIRTIO_PCI_COMMON_STATUS);
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_LENGTH, 4, 1);
    vpci_cfg_write(d, c + VIRTIO_PCI_CFG_CAP_DATA, 4, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    g_assert_cmphex(vvirtio_get_status(&v), ==, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    /* A window past the BAR (or wrapping 32 bits) reaches nothing. */
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_OFFSET, 4, 0xfffffffe);
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_LENGTH, 4, 2);
    vpci_cfg_write(d, c + VIRTIO_PCI_CFG_CAP_DATA, 4, 0);
    g_assert_cmphex(vpci_cfg_read(d, c + VIRTIO_PCI_CFG_CAP_DATA, 4), ==, 0);
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_OFFSET, 4, VIRTIO_PCI_COMMON_STATUS);
    vpci_cfg_write(d, c + VIRTIO_PCI_CAP_LENGTH, 4, 3);     /* bad length */
    vpci_cfg_write(d, c + VIRTIO_PCI_CFG_CAP_DATA, 4, 0);
    g_assert_cmphex(vvirtio_get_status(&v), ==, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    vvirtio_close(&v);
    vh_free(h);
}

/* ---- Features and the status machine ---- */

static void test_features_negotiate(void)
{
    VHarness *h = vh_new();
    VVirtio v;
    VirtIOEchoPCI *e = open_echo(h, "id=e0", VV_MODERN, &v);
    uint64_t offered = vvirtio_device_features(&v);
    g_assert_cmphex(offered, ==, VIRTIO_CORE_FEATURES | VIRTIO_BIT(ECHO_F_TEST));
    uint64_t want = VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                    VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) | VIRTIO_BIT(ECHO_F_TEST);
    g_assert_true(vvirtio_negotiate(&v, want));
    g_assert_cmphex(e->features, ==, want);
    g_assert_cmphex(e->parent_obj.vdev.guest_features, ==, want);
    /* After FEATURES_OK the features are fixed. */
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_GFSELECT, 4, 0);
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_GF, 4, 0);
    g_assert_cmphex(e->parent_obj.vdev.guest_features, ==, want);
    /* The driver cannot set DEVICE_NEEDS_RESET. */
    vvirtio_set_status(&v, vvirtio_get_status(&v) | VIRTIO_CONFIG_S_NEEDS_RESET);
    g_assert_false(vvirtio_get_status(&v) & VIRTIO_CONFIG_S_NEEDS_RESET);
    vvirtio_close(&v);
    vh_free(h);
}

static void test_features_refuse_unoffered(void)
{
    VHarness *h = vh_new();
    VVirtio v;
    VirtIOEchoPCI *e = open_echo(h, "id=e0", VV_MODERN, &v);
    g_assert_false(vvirtio_negotiate(&v, VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                                     VIRTIO_BIT(40)));
    g_assert_false(vvirtio_get_status(&v) & VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmphex(e->features, ==, 0);    /* set_features never ran */
    g_assert_false(vvirtio_negotiate(&v, VIRTIO_BIT(1)));
    /* A proper set is accepted after a reset. */
    g_assert_true(vvirtio_negotiate(&v, FEAT_DEFAULT));
    vvirtio_close(&v);
    vh_free(h);
}

static void test_queue_config_window(void)
{
    VHarness *h = vh_new();
    VVirtio v;
    open_echo(h, "id=e0", VV_MODERN, &v);
    vvirtio_set_status(&v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    /* Before FEATURES_OK: ignored. */
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2, 16);
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
    g_assert_cmpuint(vvirtio_common_read(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2), ==,
                     ECHO_QUEUE_MAX);
    g_assert_cmpuint(vvirtio_common_read(&v, VIRTIO_PCI_COMMON_Q_ENABLE, 2), ==, 0);

    g_assert_true(vvirtio_negotiate(&v, FEAT_DEFAULT));
    /* Between FEATURES_OK and DRIVER_OK: accepted. */
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2, 16);
    g_assert_cmpuint(vvirtio_common_read(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2), ==, 16);
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x80100000);
    g_assert_cmphex(vvirtio_common_read(&v, VIRTIO_PCI_COMMON_Q_DESCLO, 4), ==,
                    0x80100000);
    /* A queue outside num_queues reads as absent. */
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 7);
    g_assert_cmpuint(vvirtio_common_read(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2), ==, 0);

    VVirtQueue *q = vvirtio_setup_queue(&v, 0, 64);
    g_assert_true(vvirtio_queue_enabled(&v, 0));
    vvirtio_driver_ok(&v);
    /* After DRIVER_OK: ignored again. */
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 1);
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2, 32);
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
    g_assert_cmpuint(vvirtio_common_read(&v, VIRTIO_PCI_COMMON_Q_SIZE, 2), ==, 16);
    g_assert_false(vvirtio_queue_enabled(&v, 1));
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_SELECT, 2, 0);
    vvirtio_common_write(&v, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x80200000);
    g_assert_cmphex(vvirtio_common_read(&v, VIRTIO_PCI_COMMON_Q_DESCLO, 4), ==,
                    (uint32_t)q->desc);
    vvirtio_close(&v);
    vh_free(h);
}

/* ---- Data and interrupts ---- */

static void test_data_modern_intx(void)
{
    VHarness *h = vh_new();
    Dev d;
    dev_start(&d, h, add_echo(h, "id=e0,vectors=0"), VV_MODERN, FEAT_DEFAULT,
              false);
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 0);
    echo_roundtrip(&d, "hello, world");
    /* INTx follows the ISR; reading it clears both. */
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 1);
    g_assert_cmphex(vvirtio_isr(&d.v), ==, VIRTIO_ISR_QUEUE);
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 0);
    g_assert_cmphex(vvirtio_isr(&d.v), ==, 0);
    req_roundtrip(&d, false);
    g_assert_cmpuint(vvirtio_config_read(&d.v, ECHO_CFG_ECHOED, 4), ==,
                     strlen("hello, world") + sizeof("request through the "
                                                     "zero-copy path"));
    dev_stop(&d);
    vh_free(h);
}

static void test_data_legacy(void)
{
    VHarness *h = vh_new();
    Dev d;
    dev_start(&d, h, add_echo(h, "id=e0"), VV_LEGACY, 0xffffffff, false);
    /* A legacy driver sees the low 32 bits; no VERSION_1 there. */
    g_assert_cmphex(d.v.features, ==, (uint32_t)(VIRTIO_CORE_FEATURES |
                                                 VIRTIO_BIT(ECHO_F_TEST)));
    g_assert_cmphex(d.obj->features, ==, d.v.features);
    echo_roundtrip(&d, "legacy");
    req_roundtrip(&d, true);
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 1);
    g_assert_cmphex(vvirtio_isr(&d.v), ==, VIRTIO_ISR_QUEUE);
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 0);
    vvirtio_config_write(&d.v, ECHO_CFG_SCRATCH, 4, 0xfeed);
    g_assert_cmphex(d.obj->scratch, ==, 0xfeed);
    dev_stop(&d);
    vh_free(h);
}

static void test_data_msix(void)
{
    for (int mode = VV_MODERN; mode <= VV_LEGACY; mode++) {
        VHarness *h = vh_new();
        Dev d;
        dev_start(&d, h, add_echo(h, "id=e0,vectors=4"), mode,
                  mode == VV_MODERN ? FEAT_DEFAULT : 0, true);
        echo_roundtrip(&d, "msi-x");
        /* rx is queue 0 -> vector 1, tx queue 1 -> vector 2; no INTx. */
        g_assert_cmpuint(vh_msi_count(h, vvirtio_msi_data(&d.v, 1)), ==, 1);
        g_assert_cmpuint(vh_msi_count(h, vvirtio_msi_data(&d.v, 2)), ==, 1);
        g_assert_cmpint(vvirtio_intx(&d.v), ==, 0);
        /* Config changes use vector 0. */
        virtio_notify_config(&d.obj->parent_obj.vdev);
        g_assert_cmpuint(vh_msi_count(h, vvirtio_msi_data(&d.v, 0)), ==, 1);
        /* With MSI-X on, legacy config moves to 0x18 and still works. */
        vvirtio_config_write(&d.v, ECHO_CFG_SCRATCH, 4, 0x5a5a);
        g_assert_cmphex(vvirtio_config_read(&d.v, ECHO_CFG_SCRATCH, 4), ==, 0x5a5a);
        dev_stop(&d);
        vh_free(h);
    }
}

static void test_indirect(void)
{
    VHarness *h = vh_new();
    Dev d;
    dev_start(&d, h, add_echo(h, "id=e0"), VV_MODERN,
              FEAT_DEFAULT | VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC), false);
    unsigned before = d.req->num_free;
    req_roundtrip(&d, true);
    g_assert_cmpuint(d.req->num_free, ==, before);
    dev_stop(&d);
    vh_free(h);
}

static void test_notify_no_interrupt(void)
{
    VHarness *h = vh_new();
    Dev d;
    dev_start(&d, h, add_echo(h, "id=e0"), VV_MODERN, FEAT_DEFAULT, false);
    vq_set_no_interrupt(d.rx, true);
    vq_set_no_interrupt(d.tx, true);
    echo_roundtrip(&d, "quiet");
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 0);
    g_assert_cmphex(vvirtio_isr(&d.v), ==, 0);
    vq_set_no_interrupt(d.rx, false);
    echo_roundtrip(&d, "loud");
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 1);

    /* The device side: no kicks wanted while it is busy. */
    VirtQueue *tx = virtio_get_queue(&d.obj->parent_obj.vdev, ECHO_TX);
    virtqueue_set_notification(tx, false);
    g_assert_cmphex(vq_used_flags(d.tx) & VIRTQ_USED_F_NO_NOTIFY, ==,
                    VIRTQ_USED_F_NO_NOTIFY);
    g_assert_false(vq_kick_needed(d.tx, d.tx->avail_idx - 1));
    virtqueue_set_notification(tx, true);
    g_assert_true(vq_kick_needed(d.tx, d.tx->avail_idx - 1));
    dev_stop(&d);
    vh_free(h);
}

static void test_notify_event_idx(void)
{
    VHarness *h = vh_new();
    Dev d;
    dev_start(&d, h, add_echo(h, "id=e0"), VV_MODERN,
              FEAT_DEFAULT | VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX), false);
    uint64_t in = vh_alloc(h, 16, 1);

    /* The first completion always interrupts. */
    vq_set_used_event(d.req, 0);
    req_roundtrip(&d, false);
    g_assert_cmphex(vvirtio_isr(&d.v), ==, VIRTIO_ISR_QUEUE);
    /* The device asks for a kick once the driver passes what it consumed. */
    g_assert_cmpuint(vq_avail_event(d.req), ==, 1);

    /* used_event = 3: completions 2 and 3 stay quiet, 4 interrupts
     * (§2.7.7: interrupt when the used idx passes used_event). */
    vq_set_used_event(d.req, 3);
    for (int i = 2; i <= 4; i++) {
        req_roundtrip(&d, false);
        uint8_t isr = vvirtio_isr(&d.v);
        g_assert_cmphex(isr, ==, i == 4 ? VIRTIO_ISR_QUEUE : 0);
    }
    /* The rx queue: a buffer is posted, nothing to send, no interrupt. */
    vq_add_in(d.rx, in, 16);
    vq_kick(d.rx);
    g_assert_cmphex(vvirtio_isr(&d.v), ==, 0);
    dev_stop(&d);
    vh_free(h);
}

static void test_reset(void)
{
    VHarness *h = vh_new();
    Dev d;
    dev_start(&d, h, add_echo(h, "id=e0"), VV_MODERN, FEAT_DEFAULT, false);
    echo_roundtrip(&d, "before");
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 1);
    unsigned resets = d.obj->resets;
    vvirtio_set_status(&d.v, 0);
    g_assert_cmpuint(d.obj->resets, ==, resets + 1);
    g_assert_cmphex(vvirtio_get_status(&d.v), ==, 0);
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 0);
    g_assert_cmphex(vvirtio_isr(&d.v), ==, 0);
    for (int q = 0; q < ECHO_NUM_QUEUES; q++) {
        g_assert_false(vvirtio_queue_enabled(&d.v, q));
    }
    g_assert_cmphex(d.obj->parent_obj.vdev.guest_features, ==, 0);
    dev_restart(&d);
    echo_roundtrip(&d, "after");
    /* A bus reset does the same. */
    qdev_reset(DEVICE(d.obj));
    g_assert_cmphex(d.obj->parent_obj.vdev.status, ==, 0);
    g_assert_cmphex(vpci_cfg_read(&d.pci, PCI_COMMAND, 2), ==, 0);
    dev_restart(&d);
    echo_roundtrip(&d, "after bus reset");
    dev_stop(&d);
    vh_free(h);
}

static void test_config_generation(void)
{
    VHarness *h = vh_new();
    Dev d;
    dev_start(&d, h, add_echo(h, "id=e0"), VV_MODERN, FEAT_DEFAULT, false);
    uint8_t gen = vvirtio_config_generation(&d.v);
    g_assert_cmpuint(vvirtio_config_read(&d.v, ECHO_CFG_ECHOED, 4), ==, 0);
    echo_roundtrip(&d, "12345");
    vvirtio_isr(&d.v);
    g_assert_cmpuint(vvirtio_config_read(&d.v, ECHO_CFG_ECHOED, 4), ==, 5);
    /* Byte-wise reads of the same field. */
    g_assert_cmpuint(vvirtio_config_read(&d.v, ECHO_CFG_ECHOED, 1), ==, 5);
    virtio_notify_config(&d.obj->parent_obj.vdev);
    g_assert_cmpuint(vvirtio_config_generation(&d.v), ==, (uint8_t)(gen + 1));
    g_assert_cmpint(vvirtio_intx(&d.v), ==, 1);
    g_assert_cmphex(vvirtio_isr(&d.v), ==, VIRTIO_ISR_CONFIG);
    /* Out-of-range config reads return all ones and do not crash. */
    g_assert_cmphex(vvirtio_config_read(&d.v, 6, 4), ==, 0xffffffff);
    vvirtio_config_write(&d.v, ECHO_CFG_SCRATCH, 4, 0xabcd);
    g_assert_cmphex(d.obj->scratch, ==, 0xabcd);
    dev_stop(&d);
    vh_free(h);
}

/* ---- Malformed rings: each breaks only that device ---- */

typedef struct Malformed {
    const char *name;
    const char *log;            /* a substring of the one log line */
    uint64_t features;          /* 0: FEAT_ALL */
    bool at_enable;             /* caught when the queue is enabled */
    void (*corrupt)(Dev *d);    /* NULL for the at_enable cases */
    unsigned req_size;          /* at_enable: the size to program */
} Malformed;

static void bad_rings_outside_ram(Dev *d)
{
    VVirtio *v = &d->v;
    vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_SELECT, 2, ECHO_REQ);
    vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_DESCLO, 4, 0x1000);
    vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
}

static void bad_head(Dev *d)
{
    vq_publish_head(d->req, d->req->num + 5);
}

static void bad_next(Dev *d)
{
    uint64_t b = vh_alloc(d->h, 16, 0);
    vq_write_desc(d->req, 0, b, 16, VIRTQ_DESC_F_NEXT, 999);
    vq_publish_head(d->req, 0);
}

static void bad_loop(Dev *d)
{
    uint64_t b = vh_alloc(d->h, 16, 0);
    vq_write_desc(d->req, 0, b, 16, VIRTQ_DESC_F_NEXT, 1);
    vq_write_desc(d->req, 1, b, 16, VIRTQ_DESC_F_NEXT, 0);
    vq_publish_head(d->req, 0);
}

/* An indirect table holding a chain longer than the queue (size 256). */
static void bad_too_long(Dev *d)
{
    unsigned n = d->req->num + 1;
    uint64_t b = vh_alloc(d->h, 16, 0);
    uint64_t table = vh_alloc(d->h, 16ull * n, 16);
    VVirtQueue t = { .v = &d->v, .desc = table };
    for (unsigned i = 0; i < n; i++) {
        vq_write_desc(&t, i, b, 1, i + 1 < n ? VIRTQ_DESC_F_NEXT : 0, i + 1);
    }
    vq_write_desc(d->req, 0, table, 16 * n, VIRTQ_DESC_F_INDIRECT, 0);
    vq_publish_head(d->req, 0);
}

/* 129 readable buffers of 32 MiB (the same RAM each time): over 4 GiB. */
static void bad_over_4gib(Dev *d)
{
    const uint32_t big = 32u << 20;
    uint64_t b = VH_RAM_BASE;
    for (unsigned i = 0; i < 129; i++) {
        vq_write_desc(d->req, i, b, big, i < 128 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
    }
    vq_publish_head(d->req, 0);
}

static void bad_indirect_common(Dev *d, uint16_t flags, uint32_t len,
                                bool nested, uint64_t table_addr)
{
    uint64_t b = vh_alloc(d->h, 16, 0);
    uint64_t table = table_addr ? table_addr : vh_alloc(d->h, 64, 16);
    if (!table_addr) {
        VVirtQueue t = { .v = &d->v, .desc = table };
        vq_write_desc(&t, 0, nested ? table : b, 16,
                      nested ? VIRTQ_DESC_F_INDIRECT : 0, 0);
    }
    vq_write_desc(d->req, 0, table, len, VIRTQ_DESC_F_INDIRECT | flags, 1);
    vq_write_desc(d->req, 1, b, 16, VIRTQ_DESC_F_WRITE, 0);
    vq_publish_head(d->req, 0);
}

static void bad_indirect_unnegotiated(Dev *d)
{
    bad_indirect_common(d, 0, 16, false, 0);
}

static void bad_indirect_nested(Dev *d)
{
    bad_indirect_common(d, 0, 16, true, 0);
}

static void bad_indirect_next(Dev *d)
{
    bad_indirect_common(d, VIRTQ_DESC_F_NEXT, 16, false, 0);
}

static void bad_indirect_len(Dev *d)
{
    bad_indirect_common(d, 0, 24, false, 0);
}

static void bad_indirect_outside_ram(Dev *d)
{
    bad_indirect_common(d, 0, 16, false, 0x2000);
}

static void bad_avail_jump(Dev *d)
{
    vq_set_avail_idx(d->req, d->req->avail_idx + d->req->num + 1);
}

static void bad_readable_after_writable(Dev *d)
{
    uint64_t b = vh_alloc(d->h, 32, 0);
    vq_write_desc(d->req, 0, b, 16, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
    vq_write_desc(d->req, 1, b + 16, 16, 0, 0);
    vq_publish_head(d->req, 0);
}

static void bad_buffer_outside_ram(Dev *d)
{
    vq_write_desc(d->req, 0, 0x1000, 16, 0, 0);
    vq_publish_head(d->req, 0);
}

/* The device wants writable buffers on rx; a readable one breaks it. */
static void bad_rx_readable(Dev *d)
{
    uint64_t b = vh_alloc(d->h, 16, 0);
    vq_add_out(d->rx, b, 16);
    vq_kick(d->rx);
    /* Something to send, so the device pops rx. */
    uint64_t m = vh_alloc(d->h, 4, 1);
    vh_memwrite(d->h, m, "data", 4);
    vq_add_out(d->tx, m, 4);
}

static void bad_tx_writable(Dev *d)
{
    uint64_t b = vh_alloc(d->h, 16, 0);
    vq_add_in(d->tx, b, 16);
}

static const Malformed malformed[] = {
    { "queue-size-not-power-of-two", "size 100 is not a power of two",
      .at_enable = true, .req_size = 100 },
    { "queue-size-above-max", "size 512 is not a power of two up to 256",
      .at_enable = true, .req_size = 512 },
    { "rings-outside-ram", "rings outside guest RAM", .at_enable = true },
    { "head-out-of-range", "head index 261 out of range", .corrupt = bad_head },
    { "next-out-of-range", "next index 999 out of range", .corrupt = bad_next },
    { "loop", "loops or is longer than the queue size", .corrupt = bad_loop },
    { "chain-longer-than-queue", "loops or is longer than the queue size",
      .corrupt = bad_too_long },
    { "over-4gib", "longer than 4 GiB", .corrupt = bad_over_4gib },
    { "indirect-not-negotiated", "VIRTIO_RING_F_INDIRECT_DESC was not negotiated",
      .features = FEAT_DEFAULT, .corrupt = bad_indirect_unnegotiated },
    { "indirect-nested", "nested indirect", .corrupt = bad_indirect_nested },
    { "indirect-with-next", "indirect descriptor with NEXT",
      .corrupt = bad_indirect_next },
    { "indirect-bad-length", "length 24 is not a multiple of 16",
      .corrupt = bad_indirect_len },
    { "indirect-outside-ram", "indirect table 0x2000+0x10 outside guest RAM",
      .corrupt = bad_indirect_outside_ram },
    { "avail-idx-jump", "ahead of", .corrupt = bad_avail_jump },
    { "readable-after-writable", "device-readable descriptor after a "
      "device-writable one", .corrupt = bad_readable_after_writable },
    { "buffer-outside-ram", "buffer 0x1000+0x10 outside guest RAM",
      .corrupt = bad_buffer_outside_ram },
    { "rx-readable-buffer", "expects device-writable buffers only",
      .corrupt = bad_rx_readable },
    { "tx-writable-buffer", "expects device-readable buffers only",
      .corrupt = bad_tx_writable },
};

static void kick_all(Dev *d)
{
    vq_kick(d->req);
    vq_kick(d->tx);
    vq_kick(d->rx);
}

static void test_malformed(gconstpointer data)
{
    const Malformed *m = data;
    uint64_t features = m->features ? m->features : FEAT_ALL;
    VHarness *h = vh_new();
    Dev a = { 0 }, b;
    VirtIOEchoPCI *ea = add_echo(h, "id=bad");
    dev_start(&b, h, add_echo(h, "id=good"), VV_MODERN, FEAT_ALL, false);

    /* Exactly one warning, naming the device and the violation. */
    g_autofree char *pattern = g_strdup_printf("bad: *%s*", m->log);
    g_test_expect_message("virtio", G_LOG_LEVEL_WARNING, pattern);
    if (m->at_enable) {
        a.h = h;
        a.obj = ea;
        vh_pci_at(h, PCI_DEVICE(ea)->devfn, &a.pci);
        g_assert_true(vvirtio_open(&a.pci, VV_MODERN, &a.v));
        g_assert_true(vvirtio_negotiate(&a.v, features));
        a.rx = vvirtio_setup_queue(&a.v, ECHO_RX, 0);
        if (m->req_size) {
            a.req = vvirtio_setup_queue(&a.v, ECHO_REQ, m->req_size);
        } else {
            bad_rings_outside_ram(&a);
        }
        g_assert_false(vvirtio_queue_enabled(&a.v, ECHO_REQ));
        /* No DRIVER_OK yet: no interrupt, but the status says it. */
        g_assert_cmphex(vvirtio_get_status(&a.v) & VIRTIO_CONFIG_S_NEEDS_RESET,
                        ==, VIRTIO_CONFIG_S_NEEDS_RESET);
        vvirtio_driver_ok(&a.v);
    } else {
        dev_start(&a, h, ea, VV_MODERN, features, false);
        m->corrupt(&a);
        kick_all(&a);
        g_assert_cmphex(vvirtio_get_status(&a.v) & VIRTIO_CONFIG_S_NEEDS_RESET,
                        ==, VIRTIO_CONFIG_S_NEEDS_RESET);
        /* §2.1.2: a configuration change notification tells the driver. */
        g_assert_cmpint(vvirtio_intx(&a.v), ==, 1);
        g_assert_cmphex(vvirtio_isr(&a.v) & VIRTIO_ISR_CONFIG, ==,
                        VIRTIO_ISR_CONFIG);
    }
    g_test_assert_expected_messages();
    g_assert_true(ea->parent_obj.vdev.broken);

    /* Logged once: more kicks on the broken device stay silent (another
     * warning would fail the test), and nothing is processed. */
    if (!m->at_enable) {
        kick_all(&a);
        uint16_t used = vq_used_idx(a.tx);
        vq_add_out(a.tx, vh_alloc(h, 1, 1), 1);
        vq_kick(a.tx);
        g_assert_cmpuint(vq_used_idx(a.tx), ==, used);
    }

    /* The other device is untouched. */
    echo_roundtrip(&b, "still here");
    req_roundtrip(&b, true);

    /* A reset brings the broken device back. */
    vvirtio_reset(&a.v);
    g_assert_false(ea->parent_obj.vdev.broken);
    g_assert_cmphex(vvirtio_get_status(&a.v), ==, 0);
    vvirtio_close(&a.v);
    dev_start(&a, h, ea, VV_MODERN, FEAT_ALL, false);
    echo_roundtrip(&a, "recovered");
    req_roundtrip(&a, false);

    dev_stop(&a);
    dev_stop(&b);
    vh_free(h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static(&echo_info);

    g_test_add_func("/virtio-pci/enumerate/transitional",
                    test_enumerate_transitional);
    g_test_add_func("/virtio-pci/enumerate/modern-only",
                    test_enumerate_modern_only);
    g_test_add_func("/virtio-pci/enumerate/legacy-only",
                    test_enumerate_legacy_only);
    g_test_add_func("/virtio-pci/capabilities", test_capabilities);
    g_test_add_func("/virtio-pci/features/negotiate", test_features_negotiate);
    g_test_add_func("/virtio-pci/features/refuse-unoffered",
                    test_features_refuse_unoffered);
    g_test_add_func("/virtio-pci/queue/config-window", test_queue_config_window);
    g_test_add_func("/virtio-pci/data/modern-intx", test_data_modern_intx);
    g_test_add_func("/virtio-pci/data/legacy", test_data_legacy);
    g_test_add_func("/virtio-pci/data/msix", test_data_msix);
    g_test_add_func("/virtio-pci/data/indirect", test_indirect);
    g_test_add_func("/virtio-pci/notify/no-interrupt", test_notify_no_interrupt);
    g_test_add_func("/virtio-pci/notify/event-idx", test_notify_event_idx);
    g_test_add_func("/virtio-pci/reset", test_reset);
    g_test_add_func("/virtio-pci/config/generation", test_config_generation);
    for (size_t i = 0; i < G_N_ELEMENTS(malformed); i++) {
        g_autofree char *path = g_strdup_printf("/virtio-pci/malformed/%s",
                                                malformed[i].name);
        g_test_add_data_func(path, &malformed[i], test_malformed);
    }
    return g_test_run();
}
