/*
 * tests/device/vdev-harness.h: a host-side PCI enumerator and virtio driver
 * for device tests (QEMU's qtest idea: no CPU, the test is the guest).
 *
 * A VHarness is a tiny machine: guest RAM (VH_RAM_SIZE at VH_RAM_BASE), the
 * pci-host-ecam-generic host bridge at the virt board's windows, a recorder
 * on each of the four INTx outputs and an MSI doorbell that logs every
 * message.  Devices are added with -device strings.  Everything the test
 * does to a device goes through the same paths a guest uses: ECAM config
 * cycles, BARs it sized and programmed itself, rings in guest RAM.
 *
 * Typical use (see tests/device/test-virtio-pci.c):
 *
 *     VHarness *h = vh_new();
 *     GError *err = NULL;
 *     vh_device_add(h, "virtio-serial-pci,id=vser0", &err);
 *     VPCIDev pci;
 *     VVirtio v;
 *     vh_pci_find(h, 0x1af4, 0x1003, 0, &pci);
 *     vvirtio_open(&pci, VV_MODERN, &v);
 *     vvirtio_negotiate(&v, VIRTIO_BIT(VIRTIO_F_VERSION_1) | ...);
 *     VVirtQueue *rx = vvirtio_setup_queue(&v, 0, 0);
 *     vvirtio_driver_ok(&v);
 *     uint64_t buf = vh_alloc(h, 4096, 0);
 *     vq_add_in(rx, buf, 4096);
 *     vq_kick(rx);
 *     ... vq_get_used(rx, &head, &len), vh_memread(h, buf, ...) ...
 *     vvirtio_close(&v);
 *     vh_free(h);
 *
 * Host-side I/O (chardev backends) runs in the default GMainContext; a test
 * iterates it itself (g_main_context_iteration) between kicks.
 * Failures inside the harness (a device that does not enumerate, RAM
 * exhausted) are test failures: they g_assert.
 * Threads: the test's thread only.
 */
#ifndef TESTS_DEVICE_VDEV_HARNESS_H
#define TESTS_DEVICE_VDEV_HARNESS_H

#include "hw/core/qdev-monitor.h"
#include "hw/pci/pci-host.h"
#include "hw/virtio/virtio-pci.h"

#define VH_RAM_BASE     0x80000000ull
#define VH_RAM_SIZE     (64ull << 20)
#define VH_MSI_DOORBELL 0x24000000ull   /* MSI-X messages land here */

/* ---- The machine ---- */

typedef struct VHMsi {
    uint64_t addr;
    uint32_t data;
} VHMsi;

typedef struct VHarness {
    Object *machine;            /* root of the QOM tree (a container) */
    AddressSpace sysmem;
    uint8_t *ram;
    uint64_t ram_next;          /* bump allocator in guest RAM */
    PCIHostState *host;
    PCIHostWindows w;
    int intx_level[PCI_NUM_PINS];       /* current level of INTA..INTD */
    unsigned intx_raises[PCI_NUM_PINS]; /* 0 -> 1 transitions seen */
    MemoryRegion msi_mr;
    GArray *msis;               /* VHMsi, every message in order */
    uint64_t mmio_next;         /* BAR allocators (PCI addresses) */
    uint64_t pio_next;
} VHarness;

/* A machine with no devices but the host bridge.  vh_free destroys it all. */
VHarness *vh_new(void);
void vh_free(VHarness *h);

/* qdev_device_add on this machine (cold plug). */
DeviceState *vh_device_add(VHarness *h, const char *opts, GError **errp);

/* Allocate @size bytes of zeroed guest RAM aligned to @align (0 = 16). */
uint64_t vh_alloc(VHarness *h, uint64_t size, uint64_t align);

/* Host pointer to guest RAM at @gpa (asserts it is RAM). */
void *vh_ram(VHarness *h, uint64_t gpa, uint64_t len);
void vh_memwrite(VHarness *h, uint64_t gpa, const void *buf, size_t len);
void vh_memread(VHarness *h, uint64_t gpa, void *buf, size_t len);

/* How many MSI messages carried @data (any address); the log is h->msis. */
unsigned vh_msi_count(VHarness *h, uint32_t data);

/* ---- PCI enumeration through ECAM ---- */

typedef struct VPCIDev {
    VHarness *h;
    int devfn;
    uint64_t bar_addr[PCI_NUM_REGIONS];  /* PCI address once assigned, or 0 */
    uint64_t bar_size[PCI_NUM_REGIONS];  /* 0 = not implemented */
    bool bar_io[PCI_NUM_REGIONS];
} VPCIDev;

/* Config cycles through the ECAM window. */
uint32_t vpci_cfg_read(VPCIDev *d, uint32_t reg, unsigned size);
void vpci_cfg_write(VPCIDev *d, uint32_t reg, unsigned size, uint32_t val);

/*
 * vh_pci_find: scan bus 0 for the @nth (0-based) function with @vendor and
 * @device (0xffff = any device), fill @out and return it, or NULL.
 * vh_pci_at: the function at @devfn (even if absent: reads give all ones).
 */
VPCIDev *vh_pci_find(VHarness *h, uint16_t vendor, uint16_t device, int nth,
                     VPCIDev *out);
VPCIDev *vh_pci_at(VHarness *h, int devfn, VPCIDev *out);

/*
 * vpci_size_bars: size every BAR by writing all ones (PCI 3.0 §6.2.5.1),
 * filling bar_size/bar_io.  vpci_enable: size, assign addresses from the
 * host's windows, enable I/O, memory and bus mastering.
 */
void vpci_size_bars(VPCIDev *d);
void vpci_enable(VPCIDev *d);

/* The offset of the first capability @id after @start (0: from the head),
 * or 0. */
uint8_t vpci_find_cap(VPCIDev *d, uint8_t id, uint8_t start);

/* Accesses to BAR @n at @off (through the CPU windows). */
uint64_t vpci_bar_read(VPCIDev *d, int n, uint64_t off, unsigned size);
void vpci_bar_write(VPCIDev *d, int n, uint64_t off, unsigned size,
                    uint64_t val);

/* The level of the host INTx line this function's INTA is swizzled to. */
int vpci_intx(VPCIDev *d);

/* ---- A virtio driver ---- */

typedef enum VVMode {
    VV_MODERN,      /* virtio 1.x through the vendor capabilities */
    VV_LEGACY,      /* the legacy I/O BAR */
} VVMode;

typedef struct VVirtio VVirtio;

/* A region found through a virtio vendor capability. */
typedef struct VVRegion {
    int bar;
    uint32_t offset;
    uint32_t length;
    uint8_t cap;                /* where the capability sits in config */
} VVRegion;

/*
 * A queue as the driver keeps it.  The ring addresses and indices are
 * public so that tests can corrupt them on purpose.
 */
typedef struct VVirtQueue {
    VVirtio *v;
    unsigned index;
    unsigned num;
    uint64_t desc, avail, used;         /* guest addresses */
    uint16_t avail_idx;                 /* next avail idx to publish */
    uint16_t last_used_idx;             /* next used entry to consume */
    uint16_t *free;                     /* free descriptor stack */
    unsigned num_free;
    GArray **chains;                    /* per head: descriptor indices */
    uint16_t vector;                    /* MSI-X vector (VIRTIO_NO_VECTOR) */
    uint32_t notify_off;                /* modern: queue_notify_off */
} VVirtQueue;

struct VVirtio {
    VPCIDev pci;
    VVMode mode;
    VVRegion common, isr, device, notify, pci_cfg;
    uint32_t notify_mult;
    uint64_t features;          /* negotiated */
    unsigned num_queues;
    VVirtQueue *vq;             /* num_queues, set up lazily */
    bool msix;                  /* MSI-X enabled by vvirtio_enable_msix */
};

/*
 * vvirtio_open: enable @pci's BARs, find the virtio structures for @mode
 * (the vendor capabilities, or BAR 0) and reset the device.  Returns false
 * if @mode is not available (no capabilities / no I/O BAR).
 * vvirtio_close frees the driver's state (not the device).
 */
bool vvirtio_open(VPCIDev *pci, VVMode mode, VVirtio *v);
void vvirtio_close(VVirtio *v);

/* Status register (§2.1); writing 0 resets. */
uint8_t vvirtio_get_status(VVirtio *v);
void vvirtio_set_status(VVirtio *v, uint8_t status);
void vvirtio_reset(VVirtio *v);

/* The device's offered features (legacy: the low 32 bits). */
uint64_t vvirtio_device_features(VVirtio *v);

/*
 * vvirtio_negotiate: reset, ACKNOWLEDGE | DRIVER, write @features (as
 * given, even bits the device did not offer), then FEATURES_OK (modern)
 * and read it back.  Returns whether the device accepted.
 */
bool vvirtio_negotiate(VVirtio *v, uint64_t features);

/*
 * vvirtio_setup_queue: allocate rings of @size entries (0 = the device's
 * maximum) in guest RAM and program queue @index (modern: size, addresses,
 * vector, enable; legacy: the page frame).  Returns the queue (owned by
 * @v) whether or not the device accepted it.
 * vvirtio_queue_enabled reads the device's queue_enable / PFN back.
 */
VVirtQueue *vvirtio_setup_queue(VVirtio *v, unsigned index, unsigned size);
bool vvirtio_queue_enabled(VVirtio *v, unsigned index);

/* Modern common-config register access (for tests of the register file). */
uint32_t vvirtio_common_read(VVirtio *v, uint32_t off, unsigned size);
void vvirtio_common_write(VVirtio *v, uint32_t off, unsigned size,
                          uint32_t val);

/* Set DRIVER_OK. */
void vvirtio_driver_ok(VVirtio *v);

/* Device config space (modern: the device cfg region; legacy: after the
 * registers) and the generation counter (modern only). */
uint64_t vvirtio_config_read(VVirtio *v, uint32_t off, unsigned size);
void vvirtio_config_write(VVirtio *v, uint32_t off, unsigned size,
                          uint64_t val);
uint8_t vvirtio_config_generation(VVirtio *v);

/* Read (and so clear) the ISR; INTx drops. */
uint8_t vvirtio_isr(VVirtio *v);

/* INTx level of this device's line. */
int vvirtio_intx(VVirtio *v);

/*
 * vvirtio_enable_msix: program every MSI-X table entry i with address
 * VH_MSI_DOORBELL and data vvirtio_msi_data(v, i), unmask, enable MSI-X,
 * and give the config change vector 0 and queue n vector n + 1 (as queues
 * are set up later; wraps to the last vector).  Call before setup_queue.
 */
void vvirtio_enable_msix(VVirtio *v);
uint32_t vvirtio_msi_data(VVirtio *v, unsigned vector);

/* ---- Buffers ---- */

/* One buffer of a chain: guest address, length, device-writable. */
typedef struct VVBuf {
    uint64_t addr;
    uint32_t len;
    bool write;
} VVBuf;

/*
 * vq_add: put a chain of @n buffers (readable ones first, as the spec
 * requires; the harness does not reorder) on the avail ring, in an
 * indirect table if @indirect.  Returns the head, or -1 if the ring has
 * no free descriptors.  The avail idx is published (with a barrier).
 * vq_add_out / vq_add_in: a single readable / writable buffer.
 */
int vq_add(VVirtQueue *q, const VVBuf *bufs, unsigned n, bool indirect);
int vq_add_out(VVirtQueue *q, uint64_t addr, uint32_t len);
int vq_add_in(VVirtQueue *q, uint64_t addr, uint32_t len);

/* Notify the device (write the doorbell), unconditionally. */
void vq_kick(VVirtQueue *q);

/* Whether the device asked for a kick (used flags / avail_event, §2.7.10)
 * given that the avail idx moved from @old to the current one. */
bool vq_kick_needed(VVirtQueue *q, uint16_t old);

/*
 * vq_get_used: the next used element: head and written length; frees its
 * descriptors.  False if the used ring has nothing new.
 */
bool vq_get_used(VVirtQueue *q, uint32_t *head, uint32_t *len);

/* Driver-side suppression: VIRTQ_AVAIL_F_NO_INTERRUPT, and used_event. */
void vq_set_no_interrupt(VVirtQueue *q, bool on);
void vq_set_used_event(VVirtQueue *q, uint16_t idx);

/* Raw ring access for malformed-ring tests. */
void vq_write_desc(VVirtQueue *q, unsigned i, uint64_t addr, uint32_t len,
                   uint16_t flags, uint16_t next);
void vq_publish_head(VVirtQueue *q, uint16_t head);   /* ring + idx++ */
void vq_set_avail_idx(VVirtQueue *q, uint16_t idx);
uint16_t vq_used_flags(VVirtQueue *q);
uint16_t vq_avail_event(VVirtQueue *q);
uint16_t vq_used_idx(VVirtQueue *q);

#endif /* TESTS_DEVICE_VDEV_HARNESS_H */
