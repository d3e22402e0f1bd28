/*
 * hw/virtio/virtio-internal.h: the virtqueue state shared by virtio.c and
 * virtqueue.c.  Transports and devices use the functions of virtio.h.
 */
#ifndef HW_VIRTIO_VIRTIO_INTERNAL_H
#define HW_VIRTIO_VIRTIO_INTERNAL_H

#include <inttypes.h>

#include "hw/virtio/virtio.h"

/* Split ring layout (virtio 1.2 §2.7.6, §2.7.8), offsets in bytes. */
#define VRING_AVAIL_FLAGS       0
#define VRING_AVAIL_IDX         2
#define VRING_AVAIL_RING        4       /* le16 ring[num], then used_event */
#define VRING_USED_FLAGS        0
#define VRING_USED_IDX          2
#define VRING_USED_RING         4       /* {le32 id; le32 len} ring[num] */
#define VRING_USED_ELEM_SIZE    8
#define VRING_AVAIL_SIZE(num)   (VRING_AVAIL_RING + 2 * (uint64_t)(num) + 2)
#define VRING_USED_SIZE(num)    (VRING_USED_RING + \
                                 VRING_USED_ELEM_SIZE * (uint64_t)(num) + 2)
/* Alignment of each part (virtio 1.2 §2.7, "Queue Part" table). */
#define VRING_DESC_ALIGN        16
#define VRING_AVAIL_ALIGN       2
#define VRING_USED_ALIGN        4

struct VirtQueue {
    VirtIODevice *vdev;
    unsigned index;
    unsigned num;               /* queue size the driver chose */
    uint64_t desc, avail, used; /* guest-physical ring addresses */
    uint32_t legacy_pfn;
    uint16_t vector;            /* MSI-X vector, or VIRTIO_NO_VECTOR */
    bool enabled;

    uint16_t last_avail_idx;    /* next avail entry to pop */
    uint16_t used_idx;          /* next used entry to publish */
    uint16_t signalled_used;    /* used idx at the last interrupt */
    bool signalled_used_valid;
    bool notification;          /* the device wants kicks */
    unsigned inuse;             /* popped, not yet pushed */
};

/* Back to the power-on state: size queue_max, disabled, no addresses. */
void virtqueue_reset(VirtQueue *vq);

/* Whether the driver wants an interrupt for what was pushed since the last
 * one (§2.7.7); records the used idx it was asked at. */
bool virtqueue_should_notify(VirtQueue *vq);

/* Barriers between ring accesses and the driver on another thread. */
#define virtio_mb()  __atomic_thread_fence(__ATOMIC_SEQ_CST)
#define virtio_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define virtio_wmb() __atomic_thread_fence(__ATOMIC_RELEASE)

#endif /* HW_VIRTIO_VIRTIO_INTERNAL_H */
