/*
 * hw/virtio/virtqueue.c: the split virtqueue (virtio 1.2 §2.7), device side.
 *
 * Every index, length and address the driver wrote is checked before use;
 * a violation calls virtio_error, which breaks only this device.  The ring
 * memory itself was checked to be in guest RAM when the queue was enabled,
 * and every buffer of a popped element is checked here, so the copy and
 * map helpers below cannot reach outside guest RAM.
 */
#define G_LOG_DOMAIN "virtio"
#include <string.h>

#include "hw/virtio/virtio-internal.h"

/* §2.7.5.3.1 / §2.7.13.1: a chain's buffers add up to at most 4 GiB. */
#define VIRTQ_MAX_CHAIN_BYTES   (1ull << 32)
/* Elements with up to this many buffers are built without a heap array. */
#define CHAIN_INLINE_SEGS       64

typedef struct VirtqDesc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
} VirtqDesc;

void virtqueue_reset(VirtQueue *vq)
{
    VirtIODevice *vdev = vq->vdev;
    unsigned index = vq->index;

    *vq = (VirtQueue) {
        .vdev = vdev,
        .index = index,
        .num = vdev->ops->queue_max,
        .vector = VIRTIO_NO_VECTOR,
        .notification = true,
    };
}

bool virtqueue_ready(VirtQueue *vq)
{
    return vq->enabled && virtio_device_ready(vq->vdev);
}

/* Ring fields.  The rings were checked at enable, so these only fail if
 * the guest's RAM vanished; then the queue reads as empty. */
static uint16_t vring_avail_idx(VirtQueue *vq)
{
    uint16_t idx = vq->last_avail_idx;
    dma_load16(vq->vdev->dma_as, vq->avail + VRING_AVAIL_IDX, &idx);
    return idx;
}

static uint16_t vring_avail_flags(VirtQueue *vq)
{
    uint16_t flags = 0;
    dma_load16(vq->vdev->dma_as, vq->avail + VRING_AVAIL_FLAGS, &flags);
    return flags;
}

static uint16_t vring_used_event(VirtQueue *vq)
{
    uint16_t ev = 0;
    dma_load16(vq->vdev->dma_as,
               vq->avail + VRING_AVAIL_RING + 2 * (uint64_t)vq->num, &ev);
    return ev;
}

static void vring_set_avail_event(VirtQueue *vq, uint16_t val)
{
    dma_store16(vq->vdev->dma_as,
                vq->used + VRING_USED_RING +
                VRING_USED_ELEM_SIZE * (uint64_t)vq->num, val);
}

bool virtqueue_is_empty(VirtQueue *vq)
{
    if (!virtqueue_ready(vq)) {
        return true;
    }
    return vring_avail_idx(vq) == vq->last_avail_idx;
}

static bool read_desc(VirtIODevice *vdev, uint64_t table, unsigned i,
                      VirtqDesc *d)
{
    uint8_t raw[VIRTQ_DESC_SIZE];
    if (!dma_memory_read(vdev->dma_as, table + (uint64_t)i * VIRTQ_DESC_SIZE,
                         raw, sizeof(raw))) {
        return false;
    }
    uint64_t addr;
    uint32_t len;
    uint16_t flags, next;
    memcpy(&addr, raw, 8);
    memcpy(&len, raw + 8, 4);
    memcpy(&flags, raw + 12, 2);
    memcpy(&next, raw + 14, 2);
    *d = (VirtqDesc) {
        .addr = GUINT64_FROM_LE(addr), .len = GUINT32_FROM_LE(len),
        .flags = GUINT16_FROM_LE(flags), .next = GUINT16_FROM_LE(next),
    };
    return true;
}

/*
 * Walk the chain at @head into an element, or call virtio_error and
 * return NULL.  Readable buffers must all come before writable ones
 * (§2.7.4.2), so one array holds out_sg then in_sg.
 */
static VirtQueueElement *virtqueue_walk(VirtQueue *vq, unsigned head)
{
    VirtIODevice *vdev = vq->vdev;
    VirtQueueSeg inline_segs[CHAIN_INLINE_SEGS];
    VirtQueueSeg *segs = inline_segs;
    unsigned nsegs = 0, cap = CHAIN_INLINE_SEGS, out_num = 0;
    uint64_t table = vq->desc, out_len = 0, in_len = 0;
    unsigned max = vq->num, i = head, visited = 0;
    bool indirect = false, seen_write = false;
    VirtQueueElement *elem = NULL;
    const unsigned q = vq->index;

    for (;;) {
        VirtqDesc d;
        /* §2.7.5.3.1: no chain longer than the queue size, indirect
         * tables included.  This also ends any loop. */
        if (++visited > vq->num) {
            virtio_error(vdev, "queue %u: descriptor chain at head %u loops "
                         "or is longer than the queue size %u", q, head,
                         vq->num);
            goto out;
        }
        if (!read_desc(vdev, table, i, &d)) {
            virtio_error(vdev, "queue %u: descriptor %u unreadable", q, i);
            goto out;
        }
        if (d.flags & VIRTQ_DESC_F_INDIRECT) {
            /* §2.7.5.3.1: only when negotiated, never nested, never with
             * NEXT, and a whole number of descriptors. */
            if (!virtio_has_feature(vdev, VIRTIO_RING_F_INDIRECT_DESC)) {
                virtio_error(vdev, "queue %u: indirect descriptor, but "
                             "VIRTIO_RING_F_INDIRECT_DESC was not negotiated",
                             q);
                goto out;
            }
            if (indirect) {
                virtio_error(vdev, "queue %u: nested indirect descriptor", q);
                goto out;
            }
            if (d.flags & VIRTQ_DESC_F_NEXT) {
                virtio_error(vdev, "queue %u: indirect descriptor with NEXT", q);
                goto out;
            }
            if (!d.len || d.len % VIRTQ_DESC_SIZE) {
                virtio_error(vdev, "queue %u: indirect table length %u is not "
                             "a multiple of %u", q, d.len, VIRTQ_DESC_SIZE);
                goto out;
            }
            if (!dma_memory_valid(vdev->dma_as, d.addr, d.len)) {
                virtio_error(vdev, "queue %u: indirect table 0x%" PRIx64
                             "+0x%x outside guest RAM", q, d.addr, d.len);
                goto out;
            }
            table = d.addr;
            max = d.len / VIRTQ_DESC_SIZE;
            i = 0;
            indirect = true;
            visited--;      /* the pointer itself is not a buffer */
            continue;
        }
        if (!dma_memory_valid(vdev->dma_as, d.addr, d.len)) {
            virtio_error(vdev, "queue %u: buffer 0x%" PRIx64 "+0x%x outside "
                         "guest RAM", q, d.addr, d.len);
            goto out;
        }
        if (out_len + in_len + d.len > VIRTQ_MAX_CHAIN_BYTES) {
            virtio_error(vdev, "queue %u: descriptor chain at head %u is "
                         "longer than 4 GiB", q, head);
            goto out;
        }
        if (d.flags & VIRTQ_DESC_F_WRITE) {
            seen_write = true;
            in_len += d.len;
        } else if (seen_write) {
            virtio_error(vdev, "queue %u: device-readable descriptor after a "
                         "device-writable one in the chain at head %u", q, head);
            goto out;
        } else {
            out_num++;
            out_len += d.len;
        }
        if (nsegs == cap) {
            cap *= 2;
            if (segs == inline_segs) {
                segs = g_new(VirtQueueSeg, cap);
                memcpy(segs, inline_segs, sizeof(inline_segs));
            } else {
                segs = g_renew(VirtQueueSeg, segs, cap);
            }
        }
        segs[nsegs++] = (VirtQueueSeg) { .addr = d.addr, .len = d.len };
        if (!(d.flags & VIRTQ_DESC_F_NEXT)) {
            break;
        }
        if (d.next >= max) {
            virtio_error(vdev, "queue %u: next index %u out of range (%u "
                         "descriptors)", q, d.next, max);
            goto out;
        }
        i = d.next;
    }

    elem = g_malloc(sizeof(*elem) + nsegs * sizeof(VirtQueueSeg));
    VirtQueueSeg *copy = (VirtQueueSeg *)(elem + 1);
    memcpy(copy, segs, nsegs * sizeof(VirtQueueSeg));
    *elem = (VirtQueueElement) {
        .index = head,
        .out_num = out_num, .in_num = nsegs - out_num,
        .out_len = out_len, .in_len = in_len,
        .out_sg = copy, .in_sg = copy + out_num,
    };
out:
    if (segs != inline_segs) {
        g_free(segs);
    }
    return elem;
}

VirtQueueElement *virtqueue_pop_dir(VirtQueue *vq, VirtQueueDir dir)
{
    VirtIODevice *vdev = vq->vdev;

    if (!virtqueue_ready(vq)) {
        return NULL;
    }
    uint16_t avail_idx = vring_avail_idx(vq);
    uint16_t pending = avail_idx - vq->last_avail_idx;
    if (!pending) {
        return NULL;
    }
    /* §2.7.13.3: the driver can offer at most the queue size at once. */
    if (pending > vq->num) {
        virtio_error(vdev, "queue %u: avail idx %u is %u ahead of %u (queue "
                     "size %u)", vq->index, avail_idx, pending,
                     vq->last_avail_idx, vq->num);
        return NULL;
    }
    /* Read the ring entry only after the index that published it. */
    virtio_rmb();
    uint16_t head = 0;
    dma_load16(vdev->dma_as, vq->avail + VRING_AVAIL_RING +
               2 * (uint64_t)(vq->last_avail_idx % vq->num), &head);
    if (head >= vq->num) {
        virtio_error(vdev, "queue %u: head index %u out of range (queue size "
                     "%u)", vq->index, head, vq->num);
        return NULL;
    }
    VirtQueueElement *elem = virtqueue_walk(vq, head);
    if (!elem) {
        return NULL;
    }
    vq->last_avail_idx++;
    vq->inuse++;
    /* §2.7.10: with EVENT_IDX, ask for a kick when the driver adds past
     * what we have consumed. */
    if (vq->notification &&
        virtio_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        vring_set_avail_event(vq, vq->last_avail_idx);
    }
    if ((dir == VIRTQ_DIR_IN && elem->out_num) ||
        (dir == VIRTQ_DIR_OUT && elem->in_num)) {
        virtio_error(vdev, "queue %u: expects device-%s buffers only, the "
                     "chain at head %u has %s ones", vq->index,
                     dir == VIRTQ_DIR_IN ? "writable" : "readable", head,
                     dir == VIRTQ_DIR_IN ? "device-readable" : "device-writable");
        virtqueue_element_free(elem);
        return NULL;
    }
    return elem;
}

VirtQueueElement *virtqueue_pop(VirtQueue *vq)
{
    return virtqueue_pop_dir(vq, VIRTQ_DIR_ANY);
}

void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem)
{
    g_assert(vq->inuse > 0);
    vq->last_avail_idx--;
    vq->inuse--;
}

void virtqueue_element_free(VirtQueueElement *elem)
{
    g_free(elem);
}

void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem, uint32_t len,
                    unsigned idx)
{
    VirtIODevice *vdev = vq->vdev;

    if (vdev->broken || !vq->enabled) {
        return;
    }
    /* Never claim more than the driver gave us room for. */
    len = MIN(len, elem->in_len);
    unsigned slot = (uint16_t)(vq->used_idx + idx) % vq->num;
    uint64_t a = vq->used + VRING_USED_RING +
                 VRING_USED_ELEM_SIZE * (uint64_t)slot;
    /* One store for {id, len}: every DMA write costs the CPU a check of
     * its decoded-code cache. */
    uint32_t entry[2] = { GUINT32_TO_LE(elem->index), GUINT32_TO_LE(len) };
    dma_memory_write(vdev->dma_as, a, entry, sizeof(entry));
}

void virtqueue_flush(VirtQueue *vq, unsigned count)
{
    VirtIODevice *vdev = vq->vdev;

    if (vdev->broken || !vq->enabled) {
        return;
    }
    /* The used elements must be visible before the index that shows them. */
    virtio_wmb();
    uint16_t old = vq->used_idx;
    uint16_t new = old + count;
    dma_store16(vdev->dma_as, vq->used + VRING_USED_IDX, new);
    vq->used_idx = new;
    vq->inuse -= MIN(count, vq->inuse);
    /* If the last signalled index fell behind by a whole wrap, forget it. */
    if ((uint16_t)(new - vq->signalled_used) < (uint16_t)(new - old)) {
        vq->signalled_used_valid = false;
    }
}

void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, uint32_t len)
{
    virtqueue_fill(vq, elem, len, 0);
    virtqueue_flush(vq, 1);
}

/* §2.7.7: interrupt iff used_event lies in (old, new]. */
static bool vring_need_event(uint16_t event, uint16_t new, uint16_t old)
{
    return (uint16_t)(new - event - 1) < (uint16_t)(new - old);
}

bool virtqueue_should_notify(VirtQueue *vq)
{
    /* The used idx must be visible before we read what the driver asked
     * for; otherwise it may have gone to sleep on an old index. */
    virtio_mb();
    if (!virtio_has_feature(vq->vdev, VIRTIO_RING_F_EVENT_IDX)) {
        return !(vring_avail_flags(vq) & VIRTQ_AVAIL_F_NO_INTERRUPT);
    }
    bool valid = vq->signalled_used_valid;
    uint16_t old = vq->signalled_used;
    vq->signalled_used = vq->used_idx;
    vq->signalled_used_valid = true;
    return !valid || vring_need_event(vring_used_event(vq), vq->used_idx, old);
}

void virtqueue_set_notification(VirtQueue *vq, bool enable)
{
    VirtIODevice *vdev = vq->vdev;

    vq->notification = enable;
    if (!vq->enabled || vdev->broken) {
        return;
    }
    if (virtio_has_feature(vdev, VIRTIO_RING_F_EVENT_IDX)) {
        if (enable) {
            vring_set_avail_event(vq, vring_avail_idx(vq));
        }
    } else {
        dma_store16(vdev->dma_as, vq->used + VRING_USED_FLAGS,
                    enable ? 0 : VIRTQ_USED_F_NO_NOTIFY);
    }
    if (enable) {
        /* Publish the request before the caller re-checks the ring, so a
         * buffer added meanwhile is either seen or kicked. */
        virtio_mb();
    }
}

/* ---- Element data ---- */

size_t virtqueue_elem_from_buf(VirtIODevice *vdev, const VirtQueueElement *elem,
                               size_t offset, const void *buf, size_t len)
{
    size_t done = 0;
    for (unsigned i = 0; i < elem->in_num && done < len; i++) {
        const VirtQueueSeg *s = &elem->in_sg[i];
        if (offset >= s->len) {
            offset -= s->len;
            continue;
        }
        size_t n = MIN(s->len - offset, len - done);
        dma_memory_write(vdev->dma_as, s->addr + offset,
                         (const uint8_t *)buf + done, n);
        done += n;
        offset = 0;
    }
    return done;
}

size_t virtqueue_elem_to_buf(VirtIODevice *vdev, const VirtQueueElement *elem,
                             size_t offset, void *buf, size_t len)
{
    size_t done = 0;
    for (unsigned i = 0; i < elem->out_num && done < len; i++) {
        const VirtQueueSeg *s = &elem->out_sg[i];
        if (offset >= s->len) {
            offset -= s->len;
            continue;
        }
        size_t n = MIN(s->len - offset, len - done);
        dma_memory_read(vdev->dma_as, s->addr + offset, (uint8_t *)buf + done, n);
        done += n;
        offset = 0;
    }
    return done;
}

int virtqueue_elem_map(VirtIODevice *vdev, const VirtQueueElement *elem,
                       bool in, size_t offset, size_t max, struct iovec *iov,
                       int iov_max)
{
    const VirtQueueSeg *sg = in ? elem->in_sg : elem->out_sg;
    unsigned num = in ? elem->in_num : elem->out_num;
    int n = 0;

    for (unsigned i = 0; i < num && n < iov_max && max; i++) {
        if (offset >= sg[i].len) {
            offset -= sg[i].len;
            continue;
        }
        size_t len = MIN(sg[i].len - offset, max);
        void *p = dma_memory_map(vdev->dma_as, sg[i].addr + offset, len, in);
        if (!p) {
            break;      /* cannot happen: buffers were checked at pop */
        }
        iov[n].iov_base = p;
        iov[n].iov_len = len;
        n++;
        max -= len;
        offset = 0;
    }
    return n;
}

void virtqueue_elem_unmap(VirtIODevice *vdev, const struct iovec *iov,
                          int iovcnt, bool in, size_t written)
{
    for (int i = 0; i < iovcnt; i++) {
        size_t w = MIN(written, iov[i].iov_len);
        dma_memory_unmap(vdev->dma_as, iov[i].iov_base, iov[i].iov_len, in, w);
        written -= w;
    }
}
