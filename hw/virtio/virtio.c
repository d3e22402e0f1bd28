/*
 * hw/virtio/virtio.c: the device side of the transport interface: status
 * state machine, feature negotiation, device config space and its
 * generation, interrupts and reset.
 */
#define G_LOG_DOMAIN "virtio"
#include <stdarg.h>
#include <string.h>

#include "hw/virtio/virtio-internal.h"

void virtio_init(VirtIODevice *vdev, const VirtioDeviceOps *ops, void *opaque,
                 unsigned num_queues, AddressSpace *dma_as, const char *id)
{
    g_assert(ops->get_features && ops->queue_notify);
    g_assert(ops->queue_max && ops->queue_max <= VIRTQUEUE_MAX_SIZE &&
             !(ops->queue_max & (ops->queue_max - 1)));
    g_assert(dma_as);

    const VirtioTransportOps *transport = vdev->transport;
    void *transport_opaque = vdev->transport_opaque;
    *vdev = (VirtIODevice) {
        .ops = ops,
        .opaque = opaque,
        .dma_as = dma_as,
        .id = g_strdup(id ? id : "virtio"),
        .num_queues = num_queues,
        .vq = g_new0(VirtQueue, num_queues),
        .config = g_malloc0(ops->config_size ? ops->config_size : 1),
        .transport = transport,
        .transport_opaque = transport_opaque,
    };
    vdev->host_features = ops->get_features(vdev) | VIRTIO_CORE_FEATURES;
    for (unsigned i = 0; i < num_queues; i++) {
        vdev->vq[i].vdev = vdev;
        vdev->vq[i].index = i;
        virtqueue_reset(&vdev->vq[i]);
    }
    vdev->config_vector = VIRTIO_NO_VECTOR;
}

void virtio_cleanup(VirtIODevice *vdev)
{
    g_clear_pointer(&vdev->vq, g_free);
    g_clear_pointer(&vdev->config, g_free);
    g_clear_pointer(&vdev->id, g_free);
    vdev->num_queues = 0;
    vdev->ops = NULL;
}

VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned n)
{
    g_assert(n < vdev->num_queues);
    return &vdev->vq[n];
}

unsigned virtio_queue_index(VirtQueue *vq)
{
    return vq->index;
}

VirtIODevice *virtio_queue_get_vdev(VirtQueue *vq)
{
    return vq->vdev;
}

bool virtio_device_ready(const VirtIODevice *vdev)
{
    return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->broken;
}

/* ---- Interrupts ---- */

static void virtio_raise(VirtIODevice *vdev, VirtQueue *vq, uint8_t isr_bit)
{
    vdev->isr |= isr_bit;
    if (vdev->transport) {
        vdev->transport->notify(vdev, vq);
    }
}

void virtio_notify_config(VirtIODevice *vdev)
{
    /* The generation tells a driver reading the config that it changed
     * under it (§2.5.1), whether or not it is running yet. */
    vdev->config_generation++;
    if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
        virtio_raise(vdev, NULL, VIRTIO_ISR_CONFIG);
    }
}

void virtio_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    if (vdev->broken || !vq->enabled) {
        return;
    }
    if (virtqueue_should_notify(vq)) {
        virtio_raise(vdev, vq, VIRTIO_ISR_QUEUE);
    }
}

void virtio_error(VirtIODevice *vdev, const char *fmt, ...)
{
    bool first = !vdev->broken;

    vdev->broken = true;
    if (first) {
        va_list ap;
        va_start(ap, fmt);
        g_autofree char *msg = g_strdup_vprintf(fmt, ap);
        va_end(ap);
        g_warning("%s: %s (device needs reset)", vdev->id, msg);
    }
    /* §2.1.2: set DEVICE_NEEDS_RESET and, once the driver is running, tell
     * it with a configuration change notification. */
    if (!(vdev->status & VIRTIO_CONFIG_S_NEEDS_RESET)) {
        vdev->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
        if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
            virtio_raise(vdev, NULL, VIRTIO_ISR_CONFIG);
        }
    }
}

/* ---- Status and features ---- */

void virtio_reset(VirtIODevice *vdev)
{
    vdev->status = 0;
    vdev->isr = 0;
    vdev->guest_features = 0;
    vdev->broken = false;
    vdev->config_vector = VIRTIO_NO_VECTOR;
    for (unsigned i = 0; i < vdev->num_queues; i++) {
        virtqueue_reset(&vdev->vq[i]);
    }
    if (vdev->ops && vdev->ops->reset) {
        vdev->ops->reset(vdev);
    }
}

void virtio_set_status(VirtIODevice *vdev, uint8_t val)
{
    if (val == 0) {
        virtio_reset(vdev);
        return;
    }
    uint8_t old = vdev->status;
    uint8_t status = (val & ~VIRTIO_CONFIG_S_NEEDS_RESET) |
                     (old & VIRTIO_CONFIG_S_NEEDS_RESET);

    if ((status & VIRTIO_CONFIG_S_FEATURES_OK) &&
        !(old & VIRTIO_CONFIG_S_FEATURES_OK)) {
        /* §3.1.1 step 5-6: the device refuses a feature set it did not
         * offer by leaving FEATURES_OK clear. */
        if (vdev->guest_features & ~vdev->host_features) {
            status &= ~VIRTIO_CONFIG_S_FEATURES_OK;
        } else if (vdev->ops->set_features) {
            vdev->ops->set_features(vdev, vdev->guest_features);
        }
    }
    vdev->status = status;
    if (vdev->ops->set_status) {
        vdev->ops->set_status(vdev, status);
    }
}

void virtio_set_guest_features(VirtIODevice *vdev, uint64_t val)
{
    if (vdev->status & (VIRTIO_CONFIG_S_FEATURES_OK |
                        VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    vdev->guest_features = val;
}

void virtio_set_legacy_features(VirtIODevice *vdev, uint32_t val)
{
    if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
        return;
    }
    /* A legacy driver has no FEATURES_OK to fail: keep what we offered. */
    vdev->guest_features = val & vdev->host_features;
    if (vdev->ops->set_features) {
        vdev->ops->set_features(vdev, vdev->guest_features);
    }
}

bool virtio_queue_config_allowed(const VirtIODevice *vdev, bool legacy)
{
    if (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) {
        return false;
    }
    return legacy || (vdev->status & VIRTIO_CONFIG_S_FEATURES_OK);
}

void virtio_queue_notify(VirtIODevice *vdev, unsigned qidx)
{
    if (qidx < vdev->num_queues && virtqueue_ready(&vdev->vq[qidx])) {
        vdev->ops->queue_notify(vdev, qidx);
    }
}

uint8_t virtio_isr_read(VirtIODevice *vdev)
{
    uint8_t isr = vdev->isr;
    vdev->isr = 0;
    return isr;
}

/* ---- Device config space ---- */

static bool config_range_ok(VirtIODevice *vdev, uint32_t offset, unsigned size)
{
    return (size == 1 || size == 2 || size == 4 || size == 8) &&
           size <= vdev->ops->config_size &&
           offset <= vdev->ops->config_size - size;
}

static void config_refresh(VirtIODevice *vdev)
{
    memset(vdev->config, 0, vdev->ops->config_size);
    if (vdev->ops->get_config) {
        vdev->ops->get_config(vdev, vdev->config);
    }
}

uint64_t virtio_config_read(VirtIODevice *vdev, uint32_t offset, unsigned size)
{
    if (!config_range_ok(vdev, offset, size)) {
        return size == 8 ? UINT64_MAX : (1ull << (size * 8)) - 1;
    }
    config_refresh(vdev);
    uint64_t val = 0;
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)vdev->config[offset + i] << (8 * i);
    }
    return val;
}

void virtio_config_write(VirtIODevice *vdev, uint32_t offset, uint64_t val,
                         unsigned size)
{
    if (!config_range_ok(vdev, offset, size)) {
        return;
    }
    config_refresh(vdev);
    for (unsigned i = 0; i < size; i++) {
        vdev->config[offset + i] = val >> (8 * i);
    }
    if (vdev->ops->set_config) {
        vdev->ops->set_config(vdev, vdev->config);
    }
}

/* ---- Queue registers ---- */

unsigned virtio_queue_get_num(VirtQueue *vq)
{
    return vq->num;
}

void virtio_queue_set_num(VirtQueue *vq, unsigned num)
{
    vq->num = num;
}

void virtio_queue_get_addrs(VirtQueue *vq, uint64_t *desc, uint64_t *avail,
                            uint64_t *used)
{
    *desc = vq->desc;
    *avail = vq->avail;
    *used = vq->used;
}

void virtio_queue_set_addrs(VirtQueue *vq, uint64_t desc, uint64_t avail,
                            uint64_t used)
{
    vq->desc = desc;
    vq->avail = avail;
    vq->used = used;
}

uint16_t virtio_queue_get_vector(VirtQueue *vq)
{
    return vq->vector;
}

void virtio_queue_set_vector(VirtQueue *vq, uint16_t vector)
{
    vq->vector = vector;
}

bool virtio_queue_enabled(VirtQueue *vq)
{
    return vq->enabled;
}

bool virtio_queue_enable(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned num = vq->num;

    if (!num || (num & (num - 1)) || num > vdev->ops->queue_max) {
        virtio_error(vdev, "queue %u: size %u is not a power of two up to %u",
                     vq->index, num, vdev->ops->queue_max);
        return false;
    }
    if ((vq->desc % VRING_DESC_ALIGN) || (vq->avail % VRING_AVAIL_ALIGN) ||
        (vq->used % VRING_USED_ALIGN)) {
        virtio_error(vdev, "queue %u: misaligned rings (desc 0x%" PRIx64
                     " avail 0x%" PRIx64 " used 0x%" PRIx64 ")", vq->index,
                     vq->desc, vq->avail, vq->used);
        return false;
    }
    if (!dma_memory_valid(vdev->dma_as, vq->desc, VIRTQ_DESC_SIZE * (uint64_t)num) ||
        !dma_memory_valid(vdev->dma_as, vq->avail, VRING_AVAIL_SIZE(num)) ||
        !dma_memory_valid(vdev->dma_as, vq->used, VRING_USED_SIZE(num))) {
        virtio_error(vdev, "queue %u: rings outside guest RAM (desc 0x%" PRIx64
                     " avail 0x%" PRIx64 " used 0x%" PRIx64 ", size %u)",
                     vq->index, vq->desc, vq->avail, vq->used, num);
        return false;
    }
    vq->last_avail_idx = 0;
    vq->used_idx = 0;
    vq->signalled_used_valid = false;
    vq->inuse = 0;
    vq->notification = true;
    vq->enabled = true;
    return true;
}

bool virtio_queue_set_legacy_pfn(VirtQueue *vq, uint32_t pfn)
{
    if (!pfn) {
        unsigned num = vq->num;
        virtqueue_reset(vq);
        vq->num = num;
        return true;
    }
    /* Legacy layout (§2.7.2 legacy interface): the descriptor table at the
     * page, the avail ring right after it, the used ring on the next 4 KiB
     * boundary. */
    uint64_t desc = (uint64_t)pfn << VIRTIO_LEGACY_PFN_SHIFT;
    uint64_t avail = desc + VIRTQ_DESC_SIZE * (uint64_t)vq->num;
    uint64_t used = (avail + VRING_AVAIL_SIZE(vq->num) +
                     VIRTIO_LEGACY_VRING_ALIGN - 1) &
                    ~(uint64_t)(VIRTIO_LEGACY_VRING_ALIGN - 1);
    virtio_queue_set_addrs(vq, desc, avail, used);
    vq->legacy_pfn = pfn;
    return virtio_queue_enable(vq);
}

uint32_t virtio_queue_get_legacy_pfn(VirtQueue *vq)
{
    return vq->enabled ? vq->legacy_pfn : 0;
}
