/*
 * test-virtqueue: the split virtqueue on its own, without PCI: a bare
 * VirtIODevice over a RAM-only AddressSpace, a recording transport, and a
 * few lines of driver that write the rings directly.  Covers what the
 * device tests reach only slowly: 16-bit index wrap-around, batched used
 * entries, unpop, and the element copy and map helpers at odd offsets.
 */
#include <string.h>

#include "hw/virtio/virtio.h"

#define RAM_BASE 0x1000000ull
#define RAM_SIZE 0x100000ull
#define QMAX 8
#define DESC RAM_BASE
#define AVAIL (RAM_BASE + 0x1000)
#define USED (RAM_BASE + 0x2000)
#define BUF (RAM_BASE + 0x10000)

typedef struct T {
    AddressSpace as;
    uint8_t *ram;
    VirtIODevice vdev;
    VirtQueue *vq;
    unsigned queue_irqs, config_irqs, kicks;
    uint64_t ram_written;
    uint16_t avail_idx;         /* driver side */
    uint16_t used_seen;
} T;

static void t_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    T *t = vdev->transport_opaque;
    if (vq) {
        t->queue_irqs++;
    } else {
        t->config_irqs++;
    }
}

static const VirtioTransportOps t_transport = { .notify = t_notify };

static uint64_t t_features(VirtIODevice *vdev)
{
    return 0;
}

static void t_queue_notify(VirtIODevice *vdev, unsigned qidx)
{
    ((T *)vdev->opaque)->kicks++;
}

static const VirtioDeviceOps t_ops = {
    .device_id = 42,
    .queue_max = QMAX,
    .get_features = t_features,
    .queue_notify = t_queue_notify,
};

static void t_ram_written(void *opaque, uint64_t addr, uint64_t len)
{
    ((T *)opaque)->ram_written += len;
}

static void st16(T *t, uint64_t a, uint16_t v)
{
    g_assert(dma_store16(&t->as, a, v));
}

static uint16_t ld16(T *t, uint64_t a)
{
    uint16_t v;
    g_assert(dma_load16(&t->as, a, &v));
    return v;
}

static uint32_t ld32(T *t, uint64_t a)
{
    uint32_t v;
    g_assert(dma_load32(&t->as, a, &v));
    return v;
}

static void desc(T *t, unsigned i, uint64_t addr, uint32_t len, uint16_t flags,
                 uint16_t next)
{
    uint64_t a = DESC + 16 * i;
    uint64_t le = GUINT64_TO_LE(addr);
    g_assert(dma_memory_write(&t->as, a, &le, 8));
    g_assert(dma_store32(&t->as, a + 8, len));
    st16(t, a + 12, flags);
    st16(t, a + 14, next);
}

static void offer(T *t, uint16_t head)
{
    st16(t, AVAIL + 4 + 2 * (t->avail_idx % QMAX), head);
    t->avail_idx++;
    st16(t, AVAIL + 2, t->avail_idx);
}

static T *t_new(uint64_t features)
{
    T *t = g_new0(T, 1);
    address_space_init(&t->as, "ram");
    t->ram = g_malloc0(RAM_SIZE);
    address_space_set_ram(&t->as, t->ram, RAM_BASE, RAM_SIZE);
    address_space_set_ram_notify(&t->as, t_ram_written, t);
    t->vdev.transport = &t_transport;
    t->vdev.transport_opaque = t;
    virtio_init(&t->vdev, &t_ops, t, 1, &t->as, "tq");
    t->vq = virtio_get_queue(&t->vdev, 0);
    virtio_set_status(&t->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER);
    virtio_set_guest_features(&t->vdev, features);
    virtio_set_status(&t->vdev, VIRTIO_CONFIG_S_ACKNOWLEDGE |
                      VIRTIO_CONFIG_S_DRIVER | VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert(t->vdev.status & VIRTIO_CONFIG_S_FEATURES_OK);
    g_assert_true(virtio_queue_config_allowed(&t->vdev, false));
    virtio_queue_set_num(t->vq, QMAX);
    virtio_queue_set_addrs(t->vq, DESC, AVAIL, USED);
    g_assert_true(virtio_queue_enable(t->vq));
    g_assert_false(virtqueue_ready(t->vq));     /* no DRIVER_OK yet */
    g_assert_null(virtqueue_pop(t->vq));
    virtio_set_status(&t->vdev, t->vdev.status | VIRTIO_CONFIG_S_DRIVER_OK);
    g_assert_true(virtqueue_ready(t->vq));
    return t;
}

static void t_free(T *t)
{
    virtio_cleanup(&t->vdev);
    address_space_destroy(&t->as);
    g_free(t->ram);
    g_free(t);
}

static void test_wraparound(void)
{
    T *t = t_new(VIRTIO_BIT(VIRTIO_F_VERSION_1));

    /* Well past 65535 so both 16-bit indices wrap. */
    for (unsigned i = 0; i < 70000; i++) {
        unsigned head = i % QMAX;
        desc(t, head, BUF + head * 16, 16, VIRTQ_DESC_F_WRITE, 0);
        offer(t, head);
        g_assert_false(virtqueue_is_empty(t->vq));
        VirtQueueElement *e = virtqueue_pop(t->vq);
        g_assert_nonnull(e);
        g_assert_cmpuint(e->index, ==, head);
        g_assert_cmpuint(e->in_num, ==, 1);
        virtqueue_push(t->vq, e, i % 17);
        virtqueue_element_free(e);
        g_assert_cmpuint(ld16(t, USED + 2), ==, (uint16_t)(i + 1));
        uint64_t slot = USED + 4 + 8 * (i % QMAX);
        g_assert_cmpuint(ld32(t, slot), ==, head);
        g_assert_cmpuint(ld32(t, slot + 4), ==, i % 17);
        g_assert_true(virtqueue_is_empty(t->vq));
    }
    g_assert_false(t->vdev.broken);
    t_free(t);
}

static void test_batch(void)
{
    T *t = t_new(VIRTIO_BIT(VIRTIO_F_VERSION_1));
    VirtQueueElement *e[3];

    for (unsigned i = 0; i < 3; i++) {
        desc(t, i, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
        offer(t, i);
    }
    for (unsigned i = 0; i < 3; i++) {
        e[i] = virtqueue_pop(t->vq);
        g_assert_nonnull(e[i]);
    }
    g_assert_null(virtqueue_pop(t->vq));
    /* Complete out of order, publish once. */
    virtqueue_fill(t->vq, e[2], 1, 0);
    virtqueue_fill(t->vq, e[0], 2, 1);
    virtqueue_fill(t->vq, e[1], 3, 2);
    g_assert_cmpuint(ld16(t, USED + 2), ==, 0);
    virtqueue_flush(t->vq, 3);
    g_assert_cmpuint(ld16(t, USED + 2), ==, 3);
    g_assert_cmpuint(ld32(t, USED + 4), ==, 2);
    g_assert_cmpuint(ld32(t, USED + 12), ==, 0);
    g_assert_cmpuint(ld32(t, USED + 20), ==, 1);
    virtio_notify(&t->vdev, t->vq);
    g_assert_cmpuint(t->queue_irqs, ==, 1);
    g_assert_cmphex(t->vdev.isr, ==, VIRTIO_ISR_QUEUE);
    for (unsigned i = 0; i < 3; i++) {
        virtqueue_element_free(e[i]);
    }
    t_free(t);
}

static void test_unpop(void)
{
    T *t = t_new(VIRTIO_BIT(VIRTIO_F_VERSION_1));
    desc(t, 5, BUF, 8, 0, 0);
    offer(t, 5);
    VirtQueueElement *e = virtqueue_pop(t->vq);
    g_assert_cmpuint(e->index, ==, 5);
    g_assert_true(virtqueue_is_empty(t->vq));
    virtqueue_unpop(t->vq, e);
    virtqueue_element_free(e);
    g_assert_false(virtqueue_is_empty(t->vq));
    e = virtqueue_pop(t->vq);
    g_assert_cmpuint(e->index, ==, 5);
    g_assert_cmpuint(e->out_num, ==, 1);
    g_assert_cmpuint(e->out_len, ==, 8);
    virtqueue_element_free(e);
    t_free(t);
}

/* A chain of 3+5+7 writable bytes after 2+4 readable ones. */
static VirtQueueElement *pop_mixed(T *t)
{
    desc(t, 0, BUF + 0x000, 2, VIRTQ_DESC_F_NEXT, 1);
    desc(t, 1, BUF + 0x100, 4, VIRTQ_DESC_F_NEXT, 2);
    desc(t, 2, BUF + 0x200, 3, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
    desc(t, 3, BUF + 0x300, 5, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 4);
    desc(t, 4, BUF + 0x400, 7, VIRTQ_DESC_F_WRITE, 0);
    offer(t, 0);
    VirtQueueElement *e = virtqueue_pop(t->vq);
    g_assert_nonnull(e);
    g_assert_cmpuint(e->out_num, ==, 2);
    g_assert_cmpuint(e->in_num, ==, 3);
    g_assert_cmpuint(e->out_len, ==, 6);
    g_assert_cmpuint(e->in_len, ==, 15);
    return e;
}

static void test_elem_copy(void)
{
    T *t = t_new(VIRTIO_BIT(VIRTIO_F_VERSION_1));
    VirtQueueElement *e = pop_mixed(t);
    char buf[16];

    /* 9 bytes at offset 4: seg 0 holds 3, so that is byte 1 of seg 1;
     * 4 bytes land there, then 5 at the start of seg 2. */
    g_assert_cmpuint(virtqueue_elem_from_buf(&t->vdev, e, 4, "ABCDEFGHI", 9),
                     ==, 9);
    g_assert_cmpmem(t->ram + 0x10301, 4, "ABCD", 4);
    g_assert_cmpmem(t->ram + 0x10400, 5, "EFGHI", 5);
    /* Past the end: only what fits. */
    g_assert_cmpuint(virtqueue_elem_from_buf(&t->vdev, e, 12, "xyzw", 4), ==, 3);
    g_assert_cmpuint(virtqueue_elem_from_buf(&t->vdev, e, 15, "x", 1), ==, 0);

    memcpy(t->ram + 0x10000, "ab", 2);
    memcpy(t->ram + 0x10100, "cdef", 4);
    g_assert_cmpuint(virtqueue_elem_to_buf(&t->vdev, e, 1, buf, sizeof(buf)),
                     ==, 5);
    g_assert_cmpmem(buf, 5, "bcdef", 5);
    virtqueue_push(t->vq, e, 1000);
    /* The used length never exceeds the writable space. */
    g_assert_cmpuint(ld32(t, USED + 8), ==, 15);
    virtqueue_element_free(e);
    t_free(t);
}

static void test_elem_map(void)
{
    T *t = t_new(VIRTIO_BIT(VIRTIO_F_VERSION_1));
    VirtQueueElement *e = pop_mixed(t);
    struct iovec iov[4];

    int n = virtqueue_elem_map(&t->vdev, e, true, 2, 100, iov, 4);
    g_assert_cmpint(n, ==, 3);
    g_assert_true(iov[0].iov_base == t->ram + 0x10202);
    g_assert_cmpuint(iov[0].iov_len, ==, 1);
    g_assert_cmpuint(iov[1].iov_len, ==, 5);
    g_assert_cmpuint(iov[2].iov_len, ==, 7);
    /* Bounded by max and by iov_max. */
    g_assert_cmpint(virtqueue_elem_map(&t->vdev, e, true, 0, 4, iov, 4), ==, 2);
    g_assert_cmpuint(iov[1].iov_len, ==, 1);
    g_assert_cmpint(virtqueue_elem_map(&t->vdev, e, true, 0, 100, iov, 1), ==, 1);
    g_assert_cmpint(virtqueue_elem_map(&t->vdev, e, true, 15, 100, iov, 4), ==, 0);
    /* Readable side. */
    g_assert_cmpint(virtqueue_elem_map(&t->vdev, e, false, 0, 100, iov, 4), ==, 2);
    g_assert_true(iov[1].iov_base == t->ram + 0x10100);

    /* Unmapping a write reports the bytes written to the RAM hook. */
    n = virtqueue_elem_map(&t->vdev, e, true, 0, 100, iov, 4);
    t->ram_written = 0;
    virtqueue_elem_unmap(&t->vdev, iov, n, true, 6);
    g_assert_cmpuint(t->ram_written, ==, 6);
    virtqueue_element_free(e);
    t_free(t);
}

static void test_event_idx_wrap(void)
{
    T *t = t_new(VIRTIO_BIT(VIRTIO_F_VERSION_1) |
                 VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX));
    unsigned irqs_at_wrap = 0;

    /* used_event = 0xffff: the interrupt comes when used idx becomes 0. */
    st16(t, AVAIL + 4 + 2 * QMAX, 0xffff);
    for (unsigned i = 0; i < 65540; i++) {
        desc(t, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
        offer(t, 0);
        VirtQueueElement *e = virtqueue_pop(t->vq);
        g_assert_nonnull(e);
        /* The device asked to be kicked for the next buffer. */
        g_assert_cmpuint(ld16(t, USED + 4 + 8 * QMAX), ==, (uint16_t)(i + 1));
        virtqueue_push(t->vq, e, 0);
        virtqueue_element_free(e);
        unsigned before = t->queue_irqs;
        virtio_notify(&t->vdev, t->vq);
        if (t->queue_irqs != before && i > 0) {
            irqs_at_wrap++;
            g_assert_cmpuint(ld16(t, USED + 2), ==, 0);
        }
    }
    /* The first notify always fires; then only the crossing of 0xffff. */
    g_assert_cmpuint(irqs_at_wrap, ==, 1);
    g_assert_cmpuint(t->queue_irqs, ==, 2);

    /* Kicks suppressed and back: avail_event follows the avail idx. */
    virtqueue_set_notification(t->vq, false);
    desc(t, 0, BUF, 8, VIRTQ_DESC_F_WRITE, 0);
    offer(t, 0);
    VirtQueueElement *e = virtqueue_pop(t->vq);
    uint16_t ev = ld16(t, USED + 4 + 8 * QMAX);
    g_assert_cmpuint(ev, !=, t->avail_idx);     /* not updated while off */
    virtqueue_set_notification(t->vq, true);
    g_assert_cmpuint(ld16(t, USED + 4 + 8 * QMAX), ==, t->avail_idx);
    virtqueue_element_free(e);
    t_free(t);
}

static void test_queue_notify_gating(void)
{
    T *t = t_new(VIRTIO_BIT(VIRTIO_F_VERSION_1));
    virtio_queue_notify(&t->vdev, 0);
    g_assert_cmpuint(t->kicks, ==, 1);
    virtio_queue_notify(&t->vdev, 1);       /* no such queue */
    virtio_queue_notify(&t->vdev, 0xffff);
    g_assert_cmpuint(t->kicks, ==, 1);
    /* A config change interrupts a running driver... */
    virtio_notify_config(&t->vdev);
    g_assert_cmpuint(t->vdev.config_generation, ==, 1);
    g_assert_cmpuint(t->config_irqs, ==, 1);
    virtio_set_status(&t->vdev, 0);
    g_assert_cmpuint(t->vdev.status, ==, 0);
    g_assert_false(virtio_queue_enabled(t->vq));
    g_assert_cmpuint(virtio_queue_get_num(t->vq), ==, QMAX);
    virtio_queue_notify(&t->vdev, 0);
    g_assert_cmpuint(t->kicks, ==, 1);
    /* ...and only bumps the generation before DRIVER_OK. */
    virtio_notify_config(&t->vdev);
    g_assert_cmpuint(t->config_irqs, ==, 1);
    g_assert_cmpuint(t->vdev.config_generation, ==, 2);
    t_free(t);
}

static void test_legacy_layout(void)
{
    T *t = t_new(VIRTIO_BIT(VIRTIO_F_VERSION_1));
    virtio_set_status(&t->vdev, 0);
    virtio_set_legacy_features(&t->vdev, 0xffffffff);
    g_assert_cmphex(t->vdev.guest_features, ==,
                    (uint32_t)VIRTIO_CORE_FEATURES);
    g_assert_true(virtio_queue_config_allowed(&t->vdev, true));
    g_assert_false(virtio_queue_config_allowed(&t->vdev, false));
    g_assert_true(virtio_queue_set_legacy_pfn(t->vq, RAM_BASE >> 12));
    uint64_t d, a, u;
    virtio_queue_get_addrs(t->vq, &d, &a, &u);
    /* 8 descriptors (128 bytes), avail right after, used on the next page. */
    g_assert_cmphex(d, ==, RAM_BASE);
    g_assert_cmphex(a, ==, RAM_BASE + 128);
    g_assert_cmphex(u, ==, RAM_BASE + 4096);
    g_assert_cmpuint(virtio_queue_get_legacy_pfn(t->vq), ==, RAM_BASE >> 12);
    g_assert_true(virtio_queue_set_legacy_pfn(t->vq, 0));
    g_assert_false(virtio_queue_enabled(t->vq));
    t_free(t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtqueue/index/wraparound", test_wraparound);
    g_test_add_func("/virtqueue/used/batch", test_batch);
    g_test_add_func("/virtqueue/unpop", test_unpop);
    g_test_add_func("/virtqueue/elem/copy-at-offsets", test_elem_copy);
    g_test_add_func("/virtqueue/elem/map", test_elem_map);
    g_test_add_func("/virtqueue/notify/event-idx-wrap", test_event_idx_wrap);
    g_test_add_func("/virtqueue/notify/gating", test_queue_notify_gating);
    g_test_add_func("/virtqueue/legacy/layout", test_legacy_layout);
    return g_test_run();
}
