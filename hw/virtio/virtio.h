/*
 * hw/virtio/virtio.h: the virtio device core and the split virtqueue.
 *
 * The split (kvmtool style): a device model (virtio-serial, a test "echo"
 * device) fills a `static const VirtioDeviceOps` and knows nothing of PCI.
 * A transport (hw/virtio/virtio-pci.h) embeds a VirtIODevice in its QOM
 * object, forwards the driver's register accesses to the functions in the
 * "transport side" section below, and delivers interrupts through
 * VirtioTransportOps.
 *
 * The guest is hostile.  Everything read from guest memory is checked here
 * (virtio 1.2 §2.7); a violation calls virtio_error, which marks only this
 * device broken: it sets DEVICE_NEEDS_RESET, sends a config interrupt and
 * logs once (log domain "virtio", level WARNING, message starting with the
 * device id).  A broken device pops nothing and pushes nothing until the
 * driver resets it; after the reset it works again.
 *
 * Threads: the main thread, or a vCPU under the device lock (DESIGN.md).
 * The ring accesses use the barriers the spec requires (§2.7.13), so a
 * driver on another thread sees a consistent ring.
 */
#ifndef HW_VIRTIO_VIRTIO_H
#define HW_VIRTIO_VIRTIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "hw/core/memory.h"

/* Device status bits (virtio 1.2 §2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE     0x01
#define VIRTIO_CONFIG_S_DRIVER          0x02
#define VIRTIO_CONFIG_S_DRIVER_OK       0x04
#define VIRTIO_CONFIG_S_FEATURES_OK     0x08
#define VIRTIO_CONFIG_S_NEEDS_RESET     0x40
#define VIRTIO_CONFIG_S_FAILED          0x80

/* Reserved feature bits (virtio 1.2 §6), as bit numbers. */
#define VIRTIO_F_ANY_LAYOUT             27  /* legacy only (§2.7.4.3) */
#define VIRTIO_RING_F_INDIRECT_DESC     28
#define VIRTIO_RING_F_EVENT_IDX         29
#define VIRTIO_F_VERSION_1              32
#define VIRTIO_BIT(n)                   (1ull << (n))

/* The features the core implements for every device (the transport may
 * remove VERSION_1 for a legacy-only device). */
#define VIRTIO_CORE_FEATURES (VIRTIO_BIT(VIRTIO_F_ANY_LAYOUT) |              \
                              VIRTIO_BIT(VIRTIO_RING_F_INDIRECT_DESC) |      \
                              VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX) |          \
                              VIRTIO_BIT(VIRTIO_F_VERSION_1))

/* Device IDs (virtio 1.2 §5). */
#define VIRTIO_ID_NET                   1
#define VIRTIO_ID_BLOCK                 2
#define VIRTIO_ID_CONSOLE               3

/* ISR status bits (virtio 1.2 §4.1.4.5). */
#define VIRTIO_ISR_QUEUE                0x1
#define VIRTIO_ISR_CONFIG               0x2

/* "No MSI-X vector" (virtio 1.2 §4.1.4.3). */
#define VIRTIO_NO_VECTOR                0xffff

/* The largest split queue (virtio 1.2 §2.7: Queue Size up to 32768). */
#define VIRTQUEUE_MAX_SIZE              32768

/* Descriptor flags (virtio 1.2 §2.7.5). */
#define VIRTQ_DESC_F_NEXT               1
#define VIRTQ_DESC_F_WRITE              2
#define VIRTQ_DESC_F_INDIRECT           4
#define VIRTQ_DESC_SIZE                 16
/* Ring flags (virtio 1.2 §2.7.6, §2.7.8). */
#define VIRTQ_AVAIL_F_NO_INTERRUPT      1
#define VIRTQ_USED_F_NO_NOTIFY          1

typedef struct VirtIODevice VirtIODevice;
typedef struct VirtQueue VirtQueue;   /* opaque: use the functions below */

/*
 * VirtioDeviceOps: a device model, transport independent.
 * @device_id: VIRTIO_ID_*.  @queue_max: the largest queue size offered
 *   (a power of two <= VIRTQUEUE_MAX_SIZE).  @config_size: bytes of
 *   device-specific config space (0 allowed).
 * @get_features: mandatory; the device-specific feature bits offered.  The
 *   core adds VIRTIO_CORE_FEATURES.  Called once, from virtio_init.
 * @set_features: optional; the features the driver accepted (a subset of
 *   the offer), when the driver sets FEATURES_OK (or writes the legacy
 *   feature register).
 * @get_config: optional; fill @buf (@config_size bytes, zeroed before).
 * @set_config: optional; the driver wrote into the config space: @buf holds
 *   the whole config after the write.
 * @reset: optional; back to the power-on state (the core already reset the
 *   queues and status).  Called on driver reset and on virtio_reset.
 * @set_status: optional; @status was just stored (e.g. DRIVER_OK: start).
 * @queue_notify: mandatory; the driver kicked queue @qidx (which is ready).
 */
typedef struct VirtioDeviceOps {
    uint16_t device_id;
    uint16_t queue_max;
    size_t config_size;
    uint64_t (*get_features)(VirtIODevice *vdev);
    void (*set_features)(VirtIODevice *vdev, uint64_t features);
    void (*get_config)(VirtIODevice *vdev, uint8_t *buf);
    void (*set_config)(VirtIODevice *vdev, const uint8_t *buf);
    void (*reset)(VirtIODevice *vdev);
    void (*set_status)(VirtIODevice *vdev, uint8_t status);
    void (*queue_notify)(VirtIODevice *vdev, unsigned qidx);
} VirtioDeviceOps;

/*
 * VirtioTransportOps: how the core reaches the transport.
 * @notify: mandatory; raise the interrupt for @vq (its MSI-X vector or
 *   INTx), or for a config change if @vq is NULL.  The ISR bit is set.
 */
typedef struct VirtioTransportOps {
    void (*notify)(VirtIODevice *vdev, VirtQueue *vq);
} VirtioTransportOps;

/* The device state.  Embedded in the transport's QOM object. */
struct VirtIODevice {
    const VirtioDeviceOps *ops;
    void *opaque;                   /* the device model, for its ops */
    AddressSpace *dma_as;           /* guest RAM */
    char *id;                       /* for log messages (owned) */
    uint8_t status;                 /* VIRTIO_CONFIG_S_* */
    uint8_t isr;                    /* VIRTIO_ISR_*; read-to-clear */
    uint64_t host_features;         /* offered */
    uint64_t guest_features;        /* accepted by the driver */
    uint32_t config_generation;
    uint16_t config_vector;         /* MSI-X vector for config changes */
    bool broken;                    /* a guest violation; until reset */
    unsigned num_queues;
    VirtQueue *vq;                  /* num_queues of them */
    uint8_t *config;                /* ops->config_size bytes, scratch */
    const VirtioTransportOps *transport;
    void *transport_opaque;
};

/* ---------------- Device side ---------------- */

/*
 * virtio_init: set up @vdev for the device model @ops/@opaque with
 * @num_queues queues (each starts at size ops->queue_max, disabled),
 * DMA through @dma_as, and the name @id in logs (copied).  Offers
 * ops->get_features() | VIRTIO_CORE_FEATURES.  virtio_cleanup frees it.
 */
void virtio_init(VirtIODevice *vdev, const VirtioDeviceOps *ops, void *opaque,
                 unsigned num_queues, AddressSpace *dma_as, const char *id);
void virtio_cleanup(VirtIODevice *vdev);

/* Queue @n (< num_queues), for the device's lifetime. */
VirtQueue *virtio_get_queue(VirtIODevice *vdev, unsigned n);
unsigned virtio_queue_index(VirtQueue *vq);
VirtIODevice *virtio_queue_get_vdev(VirtQueue *vq);

/* The driver accepted feature bit @bit. */
static inline bool virtio_has_feature(const VirtIODevice *vdev, unsigned bit)
{
    return (vdev->guest_features >> bit) & 1;
}

/* The device is live: DRIVER_OK set, not broken. */
bool virtio_device_ready(const VirtIODevice *vdev);

/*
 * One buffer of an element: a guest-physical range.  Every range of a
 * popped element lies wholly inside guest RAM (checked by virtqueue_pop).
 */
typedef struct VirtQueueSeg {
    uint64_t addr;
    uint32_t len;
} VirtQueueSeg;

/*
 * VirtQueueElement: one descriptor chain, driver-readable buffers (out_sg,
 * the device reads them) then device-writable ones (in_sg).
 */
typedef struct VirtQueueElement {
    unsigned index;         /* head descriptor, goes back in the used ring */
    unsigned out_num, in_num;
    uint64_t out_len, in_len;  /* byte totals */
    VirtQueueSeg *out_sg;
    VirtQueueSeg *in_sg;
} VirtQueueElement;

/* What the device needs from an element (see virtqueue_pop_dir). */
typedef enum VirtQueueDir {
    VIRTQ_DIR_ANY,      /* readable then writable buffers, any mix */
    VIRTQ_DIR_IN,       /* device-writable buffers only (receive queues) */
    VIRTQ_DIR_OUT,      /* device-readable buffers only (transmit queues) */
} VirtQueueDir;

/* The queue is enabled, the driver is OK and the device not broken. */
bool virtqueue_ready(VirtQueue *vq);

/* No available buffer (true also when not ready). */
bool virtqueue_is_empty(VirtQueue *vq);

/*
 * virtqueue_pop: the next available chain, or NULL if there is none, the
 * queue is not ready, or the chain breaks the rules (then virtio_error was
 * called: head/next out of range, loop or chain longer than the queue,
 * more than 4 GiB, bad indirect table, a readable buffer after a writable
 * one, a buffer outside guest RAM, avail idx running ahead by more than the
 * queue size).  Free the element with virtqueue_element_free after pushing.
 * virtqueue_pop_dir additionally requires the direction @dir, and calls
 * virtio_error ("... expects device-writable buffers only") otherwise.
 */
VirtQueueElement *virtqueue_pop(VirtQueue *vq);
VirtQueueElement *virtqueue_pop_dir(VirtQueue *vq, VirtQueueDir dir);

/*
 * virtqueue_unpop: give back the most recently popped @elem (not pushed),
 * so the next pop returns it again (LIFO).  Does not free it.
 */
void virtqueue_unpop(VirtQueue *vq, const VirtQueueElement *elem);

/*
 * virtqueue_push: return @elem to the driver with @len bytes written into
 * its in_sg, and publish it (used idx).  Does not notify (virtio_notify) or
 * free.  virtqueue_fill puts it at position @idx of a batch that
 * virtqueue_flush(@count) publishes.  Ignored while the device is broken.
 */
void virtqueue_push(VirtQueue *vq, const VirtQueueElement *elem, uint32_t len);
void virtqueue_fill(VirtQueue *vq, const VirtQueueElement *elem, uint32_t len,
                    unsigned idx);
void virtqueue_flush(VirtQueue *vq, unsigned count);

void virtqueue_element_free(VirtQueueElement *elem);

/*
 * virtio_notify: interrupt the driver about used buffers on @vq, unless it
 * asked not to (VIRTQ_AVAIL_F_NO_INTERRUPT, or with EVENT_IDX the
 * used_event index, §2.7.7).  Sets ISR bit 0.
 */
void virtio_notify(VirtIODevice *vdev, VirtQueue *vq);

/* virtio_notify_config: the config changed: bump the generation and, once
 * the driver is running (DRIVER_OK), set ISR bit 1 and interrupt (the
 * config vector with MSI-X). */
void virtio_notify_config(VirtIODevice *vdev);

/*
 * virtqueue_set_notification: whether the device wants kicks for @vq
 * (VIRTQ_USED_F_NO_NOTIFY, or with EVENT_IDX the avail_event index,
 * §2.7.10).  The
 * driver may still kick; re-check virtqueue_is_empty after enabling.
 */
void virtqueue_set_notification(VirtQueue *vq, bool enable);

/*
 * virtio_error: the driver broke the rules: mark @vdev broken, set
 * DEVICE_NEEDS_RESET, send a config interrupt if DRIVER_OK is set (§2.1.2)
 * and log "<id>: <message> (device needs reset)" once (later errors before
 * the reset are not logged).  Safe to call from any device callback.
 */
void virtio_error(VirtIODevice *vdev, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/*
 * virtqueue_elem_from_buf: copy @len bytes of @buf into @elem's in_sg,
 * starting @offset bytes into them; returns the bytes copied (less if the
 * buffers are shorter).  virtqueue_elem_to_buf: the reverse, from out_sg.
 */
size_t virtqueue_elem_from_buf(VirtIODevice *vdev, const VirtQueueElement *elem,
                               size_t offset, const void *buf, size_t len);
size_t virtqueue_elem_to_buf(VirtIODevice *vdev, const VirtQueueElement *elem,
                             size_t offset, void *buf, size_t len);

/*
 * virtqueue_elem_map: host iovecs for @elem's in_sg (@in, for the device to
 * write, e.g. readv from a socket) or out_sg (for writev), starting @offset
 * bytes in, covering at most @max bytes, in at most @iov_max entries.
 * Zero-copy: the iovecs point into guest RAM.  Returns the number of
 * iovecs (0 if nothing is left past @offset).  After writing into in_sg
 * iovecs, call virtqueue_elem_unmap with the bytes actually written, so
 * the CPU drops stale translations of that memory.
 */
int virtqueue_elem_map(VirtIODevice *vdev, const VirtQueueElement *elem,
                       bool in, size_t offset, size_t max, struct iovec *iov,
                       int iov_max);
void virtqueue_elem_unmap(VirtIODevice *vdev, const struct iovec *iov,
                          int iovcnt, bool in, size_t written);

/* ---------------- Transport side ---------------- */

/* virtio_reset: device reset (status 0 written, or a bus reset). */
void virtio_reset(VirtIODevice *vdev);

/*
 * virtio_set_status: the driver wrote @val (§2.1, §3.1.1).  0 resets.
 * FEATURES_OK is refused (left clear, so the driver sees it failed) if the
 * driver accepted features that were not offered.  NEEDS_RESET is the
 * device's bit: the driver cannot set or clear it.  Calls ops->set_status.
 */
void virtio_set_status(VirtIODevice *vdev, uint8_t val);

/*
 * virtio_set_guest_features: the driver's accepted features.  Modern
 * transports call it with the driver's 64 bits before setting FEATURES_OK
 * (which validates them); legacy transports (no FEATURES_OK) call
 * virtio_set_legacy_features, which masks them with the offer and applies
 * them at once.  Ignored after FEATURES_OK / DRIVER_OK.
 */
void virtio_set_guest_features(VirtIODevice *vdev, uint64_t val);
void virtio_set_legacy_features(VirtIODevice *vdev, uint32_t val);

/*
 * Whether the driver may configure queues now: FEATURES_OK set and
 * DRIVER_OK not yet (§4.1.4.3.2); for a legacy driver (@legacy), any time
 * before DRIVER_OK.
 */
bool virtio_queue_config_allowed(const VirtIODevice *vdev, bool legacy);

/*
 * Queue registers.  set_num/set_addrs/set_vector store the value (the
 * transport checks virtio_queue_config_allowed first); virtio_queue_enable
 * validates the configuration (size a power of two <= queue_max, rings
 * aligned and inside guest RAM, §2.7) and makes the queue live, or calls
 * virtio_error and returns false.  virtio_queue_set_legacy_pfn lays the
 * rings out from one page frame (legacy §2.7.2, 4096 alignment) and
 * enables; pfn 0 disables the queue.
 */
unsigned virtio_queue_get_num(VirtQueue *vq);
void virtio_queue_set_num(VirtQueue *vq, unsigned num);
void virtio_queue_get_addrs(VirtQueue *vq, uint64_t *desc, uint64_t *avail,
                            uint64_t *used);
void virtio_queue_set_addrs(VirtQueue *vq, uint64_t desc, uint64_t avail,
                            uint64_t used);
uint16_t virtio_queue_get_vector(VirtQueue *vq);
void virtio_queue_set_vector(VirtQueue *vq, uint16_t vector);
bool virtio_queue_enabled(VirtQueue *vq);
bool virtio_queue_enable(VirtQueue *vq);
bool virtio_queue_set_legacy_pfn(VirtQueue *vq, uint32_t pfn);
uint32_t virtio_queue_get_legacy_pfn(VirtQueue *vq);
#define VIRTIO_LEGACY_PFN_SHIFT     12
#define VIRTIO_LEGACY_VRING_ALIGN   4096

/* The driver kicked queue @qidx: forwarded to ops->queue_notify if that
 * queue exists and is ready; ignored otherwise. */
void virtio_queue_notify(VirtIODevice *vdev, unsigned qidx);

/*
 * Device config space access of @size (1, 2, 4 or 8) bytes at @offset, as
 * the driver sees it (little-endian).  Out of range: reads all ones,
 * writes are dropped.
 */
uint64_t virtio_config_read(VirtIODevice *vdev, uint32_t offset, unsigned size);
void virtio_config_write(VirtIODevice *vdev, uint32_t offset, uint64_t val,
                         unsigned size);

/* virtio_isr_read: read-to-clear ISR (the transport lowers INTx after). */
uint8_t virtio_isr_read(VirtIODevice *vdev);

#endif /* HW_VIRTIO_VIRTIO_H */
