/*
 * tests/device/test-virtio-serial-drv.h: a tiny virtio-pci (modern) driver
 * for the virtio-serial device tests, driven from the host with no CPU:
 * ECAM config cycles and BAR accesses through the system AddressSpace,
 * split rings and buffers in a guest-RAM array.  It plays the guest, so
 * it can also break the rules on purpose.
 */
#ifndef TEST_VIRTIO_SERIAL_DRV_H
#define TEST_VIRTIO_SERIAL_DRV_H

#include <string.h>

#include "chardev/chardev.h"
#include "hw/core/qdev-monitor.h"
#include "hw/pci/pci-host.h"
#include "hw/virtio/virtio-pci.h"
#include "qom/error.h"

#define TM_RAM_BASE   0x80000000ull
#define TM_RAM_SIZE   (8u << 20)
#define TM_ECAM_BASE  0x30000000ull
#define TM_MMIO_BASE  0x40000000ull
#define DRV_QSIZE     64
#define DRV_MAX_QUEUES 16
#define DRV_BUF_SIZE  4096

/* The test machine: a container root, /chardevs, RAM and an ECAM host. */
typedef struct TestMachine {
    Object *root;
    Object *chardevs;
    AddressSpace sysmem;
    uint8_t *ram;
    uint64_t ram_next;      /* bump allocator for rings and buffers */
    uint64_t mmio_next;     /* BAR placement */
} TestMachine;

static G_GNUC_UNUSED void tm_init(TestMachine *m)
{
    GError *err = NULL;

    memset(m, 0, sizeof(*m));
    m->root = object_new(TYPE_CONTAINER);
    m->chardevs = chardev_container_new();
    g_assert_true(object_property_add_child(m->root, "chardevs", m->chardevs,
                                            NULL));
    object_unref(m->chardevs);
    m->ram = g_malloc0(TM_RAM_SIZE);
    address_space_init(&m->sysmem, "system");
    address_space_set_ram(&m->sysmem, m->ram, TM_RAM_BASE, TM_RAM_SIZE);
    g_assert_nonnull(pci_host_ecam_new(m->root, &m->sysmem,
                                       &PCI_HOST_VIRT_WINDOWS, &err));
    g_assert_no_error(err);
    m->ram_next = TM_RAM_BASE;
    m->mmio_next = TM_MMIO_BASE;
}

static G_GNUC_UNUSED void tm_destroy(TestMachine *m)
{
    const char *order[] = { "peripheral", "peripheral-anon" };

    /* Devices go before the host bridge whose bus they sit on. */
    for (size_t i = 0; i < G_N_ELEMENTS(order); i++) {
        Object *c = object_get_child(m->root, order[i]);
        if (c) {
            object_unparent(c);
        }
    }
    object_unref(m->root);
    address_space_destroy(&m->sysmem);
    g_free(m->ram);
}

static G_GNUC_UNUSED uint64_t tm_alloc(TestMachine *m, uint64_t size,
                                       uint64_t align)
{
    uint64_t a = (m->ram_next + align - 1) & ~(align - 1);

    g_assert_cmpuint(a + size, <=, TM_RAM_BASE + TM_RAM_SIZE);
    m->ram_next = a + size;
    return a;
}

static G_GNUC_UNUSED DeviceState *tm_add(TestMachine *m, const char *opts)
{
    GError *err = NULL;
    DeviceState *dev = qdev_device_add(m->root, opts, &err);

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

/* ---- config space through ECAM ------------------------------------------ */

static G_GNUC_UNUSED uint64_t ecam_addr(int devfn, uint32_t reg)
{
    return TM_ECAM_BASE + ((uint64_t)devfn << PCIE_ECAM_DEVFN_SHIFT) + reg;
}

static G_GNUC_UNUSED uint32_t cfg_read(TestMachine *m, int devfn, uint32_t reg,
                                       unsigned size)
{
    uint64_t v = 0;

    address_space_read(&m->sysmem, ecam_addr(devfn, reg), size, &v);
    return v;
}

static G_GNUC_UNUSED void cfg_write(TestMachine *m, int devfn, uint32_t reg,
                                    uint32_t v, unsigned size)
{
    address_space_write(&m->sysmem, ecam_addr(devfn, reg), size, v);
}

/* ---- the driver ---------------------------------------------------------- */

typedef struct DrvQueue {
    bool live;
    uint16_t size;
    uint64_t desc, avail, used;
    uint16_t avail_idx;     /* next avail slot we fill */
    uint16_t last_used;     /* next used entry we read */
    uint64_t bufs[DRV_QSIZE];   /* a DRV_BUF_SIZE buffer per descriptor */
    bool busy[DRV_QSIZE];
} DrvQueue;

typedef struct Drv {
    TestMachine *m;
    int devfn;
    uint64_t bar;           /* the modern BAR's address */
    uint32_t common, isr, device, notify, notify_mult;
    DrvQueue q[DRV_MAX_QUEUES];
} Drv;

static G_GNUC_UNUSED uint64_t drv_rd(Drv *d, uint32_t off, unsigned size)
{
    uint64_t v = 0;

    address_space_read(&d->m->sysmem, d->bar + off, size, &v);
    return v;
}

static G_GNUC_UNUSED void drv_wr(Drv *d, uint32_t off, uint64_t v,
                                 unsigned size)
{
    address_space_write(&d->m->sysmem, d->bar + off, size, v);
}

/* Find the device's function on bus 0 by its PCIDevice. */
static G_GNUC_UNUSED int drv_devfn(DeviceState *dev)
{
    return PCI_DEVICE(dev)->devfn;
}

/*
 * drv_probe: place BAR 4, enable decoding and mastering, and walk the
 * vendor capabilities as Linux's virtio_pci_modern does.
 */
static G_GNUC_UNUSED void drv_probe(Drv *d, TestMachine *m, DeviceState *dev)
{
    memset(d, 0, sizeof(*d));
    d->m = m;
    d->devfn = drv_devfn(dev);

    /* Size BAR 4 (64-bit): all ones, read back. */
    cfg_write(m, d->devfn, PCI_BASE_ADDRESS_0 + 16, 0xffffffff, 4);
    cfg_write(m, d->devfn, PCI_BASE_ADDRESS_0 + 20, 0xffffffff, 4);
    uint64_t lo = cfg_read(m, d->devfn, PCI_BASE_ADDRESS_0 + 16, 4);
    uint64_t hi = cfg_read(m, d->devfn, PCI_BASE_ADDRESS_0 + 20, 4);
    uint64_t mask = (hi << 32 | lo) & PCI_BASE_ADDRESS_MEM_MASK;
    uint64_t size = ~mask + 1;
    g_assert_cmpuint(size, >=, 0x4000);
    d->bar = (m->mmio_next + size - 1) & ~(size - 1);
    m->mmio_next = d->bar + size;
    cfg_write(m, d->devfn, PCI_BASE_ADDRESS_0 + 16, (uint32_t)d->bar, 4);
    cfg_write(m, d->devfn, PCI_BASE_ADDRESS_0 + 20, d->bar >> 32, 4);
    cfg_write(m, d->devfn, PCI_COMMAND,
              PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER, 2);

    g_assert_true(cfg_read(m, d->devfn, PCI_STATUS, 2) & PCI_STATUS_CAP_LIST);
    for (uint32_t cap = cfg_read(m, d->devfn, PCI_CAPABILITY_LIST, 1); cap;
         cap = cfg_read(m, d->devfn, cap + PCI_CAP_LIST_NEXT, 1)) {
        if (cfg_read(m, d->devfn, cap, 1) != PCI_CAP_ID_VNDR) {
            continue;
        }
        uint8_t type = cfg_read(m, d->devfn, cap + VIRTIO_PCI_CAP_CFG_TYPE, 1);
        uint8_t bar = cfg_read(m, d->devfn, cap + VIRTIO_PCI_CAP_BAR, 1);
        uint32_t off = cfg_read(m, d->devfn, cap + VIRTIO_PCI_CAP_OFFSET, 4);
        if (type == VIRTIO_PCI_CAP_PCI_CFG) {
            continue;
        }
        g_assert_cmpuint(bar, ==, VIRTIO_PCI_MODERN_BAR);
        switch (type) {
        case VIRTIO_PCI_CAP_COMMON_CFG: d->common = off; break;
        case VIRTIO_PCI_CAP_ISR_CFG: d->isr = off; break;
        case VIRTIO_PCI_CAP_DEVICE_CFG: d->device = off; break;
        case VIRTIO_PCI_CAP_NOTIFY_CFG:
            d->notify = off;
            d->notify_mult = cfg_read(m, d->devfn,
                                      cap + VIRTIO_PCI_NOTIFY_CAP_MULT, 4);
            break;
        }
    }
    g_assert_cmpuint(d->notify_mult, !=, 0);
}

static G_GNUC_UNUSED uint8_t drv_status(Drv *d)
{
    return drv_rd(d, d->common + VIRTIO_PCI_COMMON_STATUS, 1);
}

static G_GNUC_UNUSED uint64_t drv_device_features(Drv *d)
{
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_DFSELECT, 0, 4);
    uint64_t lo = drv_rd(d, d->common + VIRTIO_PCI_COMMON_DF, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_DFSELECT, 1, 4);
    uint64_t hi = drv_rd(d, d->common + VIRTIO_PCI_COMMON_DF, 4);
    return hi << 32 | lo;
}

static G_GNUC_UNUSED uint32_t drv_cfg_read(Drv *d, uint32_t off, unsigned sz)
{
    return drv_rd(d, d->device + off, sz);
}

static G_GNUC_UNUSED void drv_cfg_write(Drv *d, uint32_t off, uint32_t v,
                                        unsigned sz)
{
    drv_wr(d, d->device + off, v, sz);
}

static G_GNUC_UNUSED void drv_setup_queue(Drv *d, unsigned qi)
{
    DrvQueue *q = &d->q[qi];
    TestMachine *m = d->m;

    g_assert_cmpuint(qi, <, DRV_MAX_QUEUES);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_SELECT, qi, 2);
    g_assert_cmpuint(drv_rd(d, d->common + VIRTIO_PCI_COMMON_Q_SIZE, 2), >=,
                     DRV_QSIZE);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_SIZE, DRV_QSIZE, 2);
    if (!q->desc) {     /* rings and buffers are kept across resets */
        q->desc = tm_alloc(m, VIRTQ_DESC_SIZE * DRV_QSIZE, 16);
        q->avail = tm_alloc(m, 6 + 2 * DRV_QSIZE, 2);
        q->used = tm_alloc(m, 6 + 8 * DRV_QSIZE, 4);
        for (int i = 0; i < DRV_QSIZE; i++) {
            q->bufs[i] = tm_alloc(m, DRV_BUF_SIZE, 8);
        }
    }
    memset(m->ram + (q->avail - TM_RAM_BASE), 0, 6 + 2 * DRV_QSIZE);
    memset(m->ram + (q->used - TM_RAM_BASE), 0, 6 + 8 * DRV_QSIZE);
    memset(q->busy, 0, sizeof(q->busy));
    q->size = DRV_QSIZE;
    q->avail_idx = q->last_used = 0;
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_DESCLO, (uint32_t)q->desc, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_DESCHI, q->desc >> 32, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_AVAILLO, (uint32_t)q->avail, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_AVAILHI, q->avail >> 32, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_USEDLO, (uint32_t)q->used, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_USEDHI, q->used >> 32, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_Q_ENABLE, 1, 2);
    q->live = true;
}

/*
 * drv_init: reset, negotiate @features (must be offered), set up queues
 * 0..@nqueues-1 and set DRIVER_OK.
 */
static G_GNUC_UNUSED void drv_init(Drv *d, uint64_t features, unsigned nqueues)
{
    uint64_t offered = drv_device_features(d);

    g_assert_cmphex(features & ~offered, ==, 0);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_STATUS, 0, 1);
    for (unsigned i = 0; i < DRV_MAX_QUEUES; i++) {
        d->q[i].live = false;
    }
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_STATUS,
           VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER, 1);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_GFSELECT, 0, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_GF, (uint32_t)features, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_GFSELECT, 1, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_GF, features >> 32, 4);
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_STATUS,
           VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
           VIRTIO_CONFIG_S_FEATURES_OK, 1);
    g_assert_true(drv_status(d) & VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_cmpuint(drv_rd(d, d->common + VIRTIO_PCI_COMMON_NUMQ, 2), >=,
                     nqueues);
    for (unsigned i = 0; i < nqueues; i++) {
        drv_setup_queue(d, i);
    }
    drv_wr(d, d->common + VIRTIO_PCI_COMMON_STATUS,
           VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
           VIRTIO_CONFIG_S_FEATURES_OK | VIRTIO_CONFIG_S_DRIVER_OK, 1);
}

static G_GNUC_UNUSED void drv_kick(Drv *d, unsigned qi)
{
    drv_wr(d, d->notify + qi * d->notify_mult, qi, 2);
}

/*
 * drv_add: put one descriptor on queue @qi: @len bytes at @addr (a
 * device-writable buffer if @in), publish it, and kick.  Returns the
 * descriptor index.
 */
static G_GNUC_UNUSED int drv_add_raw(Drv *d, unsigned qi, uint64_t addr,
                                     uint32_t len, bool in, bool kick)
{
    DrvQueue *q = &d->q[qi];
    AddressSpace *as = &d->m->sysmem;
    int i;

    g_assert_true(q->live);
    for (i = 0; i < q->size && q->busy[i]; i++) {
    }
    g_assert_cmpint(i, <, q->size);
    q->busy[i] = true;
    uint64_t desc = q->desc + (uint64_t)i * VIRTQ_DESC_SIZE;
    g_assert_true(dma_store32(as, desc, (uint32_t)addr));
    g_assert_true(dma_store32(as, desc + 4, addr >> 32));
    g_assert_true(dma_store32(as, desc + 8, len));
    g_assert_true(dma_store16(as, desc + 12, in ? VIRTQ_DESC_F_WRITE : 0));
    g_assert_true(dma_store16(as, desc + 14, 0));
    g_assert_true(dma_store16(as, q->avail + 4 + 2 * (q->avail_idx % q->size),
                              i));
    q->avail_idx++;
    g_assert_true(dma_store16(as, q->avail + 2, q->avail_idx));
    if (kick) {
        drv_kick(d, qi);
    }
    return i;
}

/* A device-writable buffer of @len bytes (<= DRV_BUF_SIZE). */
static G_GNUC_UNUSED void drv_post_in(Drv *d, unsigned qi, uint32_t len)
{
    DrvQueue *q = &d->q[qi];
    int i;

    for (i = 0; i < q->size && q->busy[i]; i++) {
    }
    g_assert_cmpint(i, <, q->size);
    g_assert_cmpuint(len, <=, DRV_BUF_SIZE);
    drv_add_raw(d, qi, q->bufs[i], len, true, true);
}

/* A device-readable buffer holding @data. */
static G_GNUC_UNUSED void drv_post_out(Drv *d, unsigned qi, const void *data,
                                       uint32_t len)
{
    DrvQueue *q = &d->q[qi];
    int i;

    for (i = 0; i < q->size && q->busy[i]; i++) {
    }
    g_assert_cmpint(i, <, q->size);
    g_assert_cmpuint(len, <=, DRV_BUF_SIZE);
    g_assert_true(dma_memory_write(&d->m->sysmem, q->bufs[i], data, len));
    drv_add_raw(d, qi, q->bufs[i], len, false, true);
}

/*
 * drv_get_used: the next used element of queue @qi, or false.  Copies up
 * to @max bytes of what the device wrote into @buf (if non-NULL) and
 * returns the used length in @len.
 */
static G_GNUC_UNUSED bool drv_get_used(Drv *d, unsigned qi, void *buf,
                                       size_t max, uint32_t *len)
{
    DrvQueue *q = &d->q[qi];
    AddressSpace *as = &d->m->sysmem;
    uint16_t used_idx;
    uint32_t id, l;

    g_assert_true(dma_load16(as, q->used + 2, &used_idx));
    if (used_idx == q->last_used) {
        return false;
    }
    uint64_t e = q->used + 4 + 8 * (q->last_used % q->size);
    g_assert_true(dma_load32(as, e, &id));
    g_assert_true(dma_load32(as, e + 4, &l));
    g_assert_cmpuint(id, <, q->size);
    g_assert_true(q->busy[id]);
    q->busy[id] = false;
    q->last_used++;
    if (buf) {
        g_assert_true(dma_memory_read(as, q->bufs[id], buf, MIN(max, l)));
    }
    if (len) {
        *len = l;
    }
    return true;
}

/* How many elements of queue @qi the device holds (posted, not used). */
static G_GNUC_UNUSED unsigned drv_outstanding(Drv *d, unsigned qi)
{
    unsigned n = 0;

    for (int i = 0; i < d->q[qi].size; i++) {
        n += d->q[qi].busy[i];
    }
    return n;
}

#endif /* TEST_VIRTIO_SERIAL_DRV_H */
