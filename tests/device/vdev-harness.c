/*
 * tests/device/vdev-harness.c: see vdev-harness.h.
 */
#include <string.h>

#include "tests/device/vdev-harness.h"
#include "qom/error.h"

#define VH_PIO_START    0x1000      /* leave legacy ISA ports alone */
#define VH_LEGACY_ALIGN VIRTIO_LEGACY_VRING_ALIGN

/* ---- The machine ---- */

static void vh_intx(void *opaque, int n, int level)
{
    VHarness *h = opaque;
    if (level && !h->intx_level[n]) {
        h->intx_raises[n]++;
    }
    h->intx_level[n] = level;
}

static uint64_t msi_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void msi_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    VHarness *h = opaque;
    VHMsi m = { .addr = VH_MSI_DOORBELL + off, .data = val };
    g_array_append_val(h->msis, m);
}

static const MemoryRegionOps msi_ops = { .read = msi_read, .write = msi_write };

VHarness *vh_new(void)
{
    VHarness *h = g_new0(VHarness, 1);
    g_autoptr(GError) err = NULL;

    h->machine = object_new(TYPE_CONTAINER);
    address_space_init(&h->sysmem, "sysmem");
    h->ram = g_malloc0(VH_RAM_SIZE);
    address_space_set_ram(&h->sysmem, h->ram, VH_RAM_BASE, VH_RAM_SIZE);
    h->ram_next = VH_RAM_BASE + 0x1000;     /* keep 0 offsets out of use */
    h->msis = g_array_new(false, false, sizeof(VHMsi));
    memory_region_init_io(&h->msi_mr, &msi_ops, h, "msi-doorbell", 0x1000);
    g_assert(address_space_map_region(&h->sysmem, &h->msi_mr, VH_MSI_DOORBELL,
                                      NULL));
    h->w = PCI_HOST_VIRT_WINDOWS;
    h->host = pci_host_ecam_new(h->machine, &h->sysmem, &h->w, &err);
    g_assert_no_error(err);
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        irq_connect(&h->host->irq[i], vh_intx, h, i);
    }
    h->mmio_next = h->w.mmio_base;
    h->pio_next = VH_PIO_START;
    return h;
}

void vh_free(VHarness *h)
{
    object_unref(h->machine);
    address_space_destroy(&h->sysmem);
    g_free(h->ram);
    g_array_free(h->msis, true);
    g_free(h);
}

DeviceState *vh_device_add(VHarness *h, const char *opts, GError **errp)
{
    return qdev_device_add(h->machine, opts, errp);
}

uint64_t vh_alloc(VHarness *h, uint64_t size, uint64_t align)
{
    align = align ? align : 16;
    uint64_t a = (h->ram_next + align - 1) & ~(align - 1);
    g_assert(a + size <= VH_RAM_BASE + VH_RAM_SIZE);
    h->ram_next = a + size;
    memset(h->ram + (a - VH_RAM_BASE), 0, size);
    return a;
}

void *vh_ram(VHarness *h, uint64_t gpa, uint64_t len)
{
    g_assert(dma_memory_valid(&h->sysmem, gpa, len));
    return h->ram + (gpa - VH_RAM_BASE);
}

void vh_memwrite(VHarness *h, uint64_t gpa, const void *buf, size_t len)
{
    memcpy(vh_ram(h, gpa, len), buf, len);
}

void vh_memread(VHarness *h, uint64_t gpa, void *buf, size_t len)
{
    memcpy(buf, vh_ram(h, gpa, len), len);
}

unsigned vh_msi_count(VHarness *h, uint32_t data)
{
    unsigned n = 0;
    for (unsigned i = 0; i < h->msis->len; i++) {
        n += g_array_index(h->msis, VHMsi, i).data == data;
    }
    return n;
}

static uint16_t ram_load16(VHarness *h, uint64_t gpa)
{
    uint16_t v;
    vh_memread(h, gpa, &v, 2);
    return GUINT16_FROM_LE(v);
}

static uint32_t ram_load32(VHarness *h, uint64_t gpa)
{
    uint32_t v;
    vh_memread(h, gpa, &v, 4);
    return GUINT32_FROM_LE(v);
}

static void ram_store16(VHarness *h, uint64_t gpa, uint16_t v)
{
    v = GUINT16_TO_LE(v);
    vh_memwrite(h, gpa, &v, 2);
}

/* ---- PCI ---- */

static uint64_t ecam(VPCIDev *d, uint32_t reg)
{
    return d->h->w.ecam_base + ((uint64_t)d->devfn << PCIE_ECAM_DEVFN_SHIFT) +
           reg;
}

uint32_t vpci_cfg_read(VPCIDev *d, uint32_t reg, unsigned size)
{
    uint64_t v;
    g_assert(address_space_read(&d->h->sysmem, ecam(d, reg), size, &v));
    return v;
}

void vpci_cfg_write(VPCIDev *d, uint32_t reg, unsigned size, uint32_t val)
{
    g_assert(address_space_write(&d->h->sysmem, ecam(d, reg), size, val));
}

VPCIDev *vh_pci_at(VHarness *h, int devfn, VPCIDev *out)
{
    *out = (VPCIDev) { .h = h, .devfn = devfn };
    return out;
}

VPCIDev *vh_pci_find(VHarness *h, uint16_t vendor, uint16_t device, int nth,
                     VPCIDev *out)
{
    for (int devfn = 0; devfn < PCI_SLOT_MAX * PCI_FUNC_MAX; devfn++) {
        vh_pci_at(h, devfn, out);
        uint32_t id = vpci_cfg_read(out, PCI_VENDOR_ID, 4);
        if ((id & 0xffff) == vendor &&
            (device == 0xffff || (id >> 16) == device) && nth-- == 0) {
            return out;
        }
    }
    return NULL;
}

void vpci_size_bars(VPCIDev *d)
{
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * n;
        uint32_t orig = vpci_cfg_read(d, reg, 4);
        vpci_cfg_write(d, reg, 4, 0xffffffff);
        uint32_t lo = vpci_cfg_read(d, reg, 4);
        vpci_cfg_write(d, reg, 4, orig);
        d->bar_size[n] = 0;
        d->bar_io[n] = false;
        if (!lo) {
            continue;
        }
        if (lo & PCI_BASE_ADDRESS_SPACE_IO) {
            d->bar_io[n] = true;
            d->bar_size[n] = (uint32_t)(~(lo & ~3u) + 1);
            continue;
        }
        uint64_t mask = lo & ~0xfu;
        if (lo & PCI_BASE_ADDRESS_MEM_TYPE_64) {
            uint32_t horig = vpci_cfg_read(d, reg + 4, 4);
            vpci_cfg_write(d, reg + 4, 4, 0xffffffff);
            mask |= (uint64_t)vpci_cfg_read(d, reg + 4, 4) << 32;
            vpci_cfg_write(d, reg + 4, 4, horig);
            d->bar_size[n] = ~mask + 1;
            n++;    /* the upper half is not a BAR of its own */
            d->bar_size[n] = 0;
        } else {
            d->bar_size[n] = (uint32_t)(~(uint32_t)mask + 1);
        }
    }
}

void vpci_enable(VPCIDev *d)
{
    VHarness *h = d->h;
    vpci_size_bars(d);
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        uint64_t size = d->bar_size[n];
        uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * n;
        if (!size) {
            continue;
        }
        uint64_t *next = d->bar_io[n] ? &h->pio_next : &h->mmio_next;
        uint64_t a = (*next + size - 1) & ~(size - 1);
        *next = a + size;
        d->bar_addr[n] = a;
        uint32_t type = vpci_cfg_read(d, reg, 4) & (d->bar_io[n] ? 3 : 0xf);
        vpci_cfg_write(d, reg, 4, (uint32_t)a | type);
        if (!d->bar_io[n] && (type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
            vpci_cfg_write(d, reg + 4, 4, a >> 32);
        }
    }
    vpci_cfg_write(d, PCI_COMMAND, 2, PCI_COMMAND_IO | PCI_COMMAND_MEMORY |
                   PCI_COMMAND_MASTER);
}

uint8_t vpci_find_cap(VPCIDev *d, uint8_t id, uint8_t start)
{
    uint8_t p = start ? vpci_cfg_read(d, start + PCI_CAP_LIST_NEXT, 1)
                      : vpci_cfg_read(d, PCI_CAPABILITY_LIST, 1);
    for (int guard = 0; p && guard < 64; guard++) {
        if (vpci_cfg_read(d, p + PCI_CAP_LIST_ID, 1) == id) {
            return p;
        }
        p = vpci_cfg_read(d, p + PCI_CAP_LIST_NEXT, 1);
    }
    return 0;
}

static uint64_t bar_cpu_addr(VPCIDev *d, int n, uint64_t off)
{
    g_assert(d->bar_size[n] && off < d->bar_size[n]);
    return d->bar_io[n] ? d->h->w.pio_base + d->bar_addr[n] + off
                        : d->bar_addr[n] + off;
}

uint64_t vpci_bar_read(VPCIDev *d, int n, uint64_t off, unsigned size)
{
    uint64_t v;
    address_space_read(&d->h->sysmem, bar_cpu_addr(d, n, off), size, &v);
    return v;
}

void vpci_bar_write(VPCIDev *d, int n, uint64_t off, unsigned size,
                    uint64_t val)
{
    address_space_write(&d->h->sysmem, bar_cpu_addr(d, n, off), size, val);
}

int vpci_intx(VPCIDev *d)
{
    int pin = vpci_cfg_read(d, PCI_INTERRUPT_PIN, 1);
    g_assert(pin >= 1 && pin <= PCI_NUM_PINS);
    return d->h->intx_level[pci_host_swizzle(PCI_SLOT(d->devfn), pin - 1)];
}

/* ---- virtio: register access ---- */

static uint64_t region_read(VVirtio *v, const VVRegion *r, uint32_t off,
                            unsigned size)
{
    return vpci_bar_read(&v->pci, r->bar, r->offset + off, size);
}

static void region_write(VVirtio *v, const VVRegion *r, uint32_t off,
                         unsigned size, uint64_t val)
{
    vpci_bar_write(&v->pci, r->bar, r->offset + off, size, val);
}

uint32_t vvirtio_common_read(VVirtio *v, uint32_t off, unsigned size)
{
    g_assert(v->mode == VV_MODERN);
    return region_read(v, &v->common, off, size);
}

void vvirtio_common_write(VVirtio *v, uint32_t off, unsigned size, uint32_t val)
{
    g_assert(v->mode == VV_MODERN);
    region_write(v, &v->common, off, size, val);
}

static uint64_t legacy_read(VVirtio *v, uint32_t off, unsigned size)
{
    return vpci_bar_read(&v->pci, VIRTIO_PCI_LEGACY_BAR, off, size);
}

static void legacy_write(VVirtio *v, uint32_t off, unsigned size, uint64_t val)
{
    vpci_bar_write(&v->pci, VIRTIO_PCI_LEGACY_BAR, off, size, val);
}

static bool find_virtio_caps(VVirtio *v)
{
    VPCIDev *d = &v->pci;
    for (uint8_t c = vpci_find_cap(d, PCI_CAP_ID_VNDR, 0); c;
         c = vpci_find_cap(d, PCI_CAP_ID_VNDR, c)) {
        uint8_t type = vpci_cfg_read(d, c + VIRTIO_PCI_CAP_CFG_TYPE, 1);
        VVRegion r = {
            .bar = vpci_cfg_read(d, c + VIRTIO_PCI_CAP_BAR, 1),
            .offset = vpci_cfg_read(d, c + VIRTIO_PCI_CAP_OFFSET, 4),
            .length = vpci_cfg_read(d, c + VIRTIO_PCI_CAP_LENGTH, 4),
            .cap = c,
        };
        VVRegion *slot = NULL;
        switch (type) {
        case VIRTIO_PCI_CAP_COMMON_CFG: slot = &v->common; break;
        case VIRTIO_PCI_CAP_NOTIFY_CFG: slot = &v->notify; break;
        case VIRTIO_PCI_CAP_ISR_CFG: slot = &v->isr; break;
        case VIRTIO_PCI_CAP_DEVICE_CFG: slot = &v->device; break;
        case VIRTIO_PCI_CAP_PCI_CFG: slot = &v->pci_cfg; break;
        }
        /* The first of each type wins (§4.1.4: the driver's preference). */
        if (slot && !slot->cap) {
            *slot = r;
            if (type == VIRTIO_PCI_CAP_NOTIFY_CFG) {
                v->notify_mult = vpci_cfg_read(d, c + VIRTIO_PCI_NOTIFY_CAP_MULT,
                                               4);
            }
        }
    }
    return v->common.cap && v->notify.cap && v->isr.cap;
}

bool vvirtio_open(VPCIDev *pci, VVMode mode, VVirtio *v)
{
    *v = (VVirtio) { .pci = *pci, .mode = mode };
    vpci_enable(&v->pci);
    if (mode == VV_MODERN) {
        if (!find_virtio_caps(v)) {
            return false;
        }
        vvirtio_reset(v);
        v->num_queues = vvirtio_common_read(v, VIRTIO_PCI_COMMON_NUMQ, 2);
    } else {
        if (!v->pci.bar_io[VIRTIO_PCI_LEGACY_BAR]) {
            return false;
        }
        vvirtio_reset(v);
        /* No queue count register: queues exist while QUEUE_NUM is non-0. */
        unsigned n = 0;
        for (; n < 1024; n++) {
            legacy_write(v, VIRTIO_PCI_LEGACY_QUEUE_SEL, 2, n);
            if (!legacy_read(v, VIRTIO_PCI_LEGACY_QUEUE_NUM, 2)) {
                break;
            }
        }
        v->num_queues = n;
    }
    v->vq = g_new0(VVirtQueue, v->num_queues);
    return true;
}

static void vq_free_state(VVirtQueue *q)
{
    if (q->chains) {
        for (unsigned i = 0; i < q->num; i++) {
            if (q->chains[i]) {
                g_array_free(q->chains[i], true);
            }
        }
    }
    g_clear_pointer(&q->chains, g_free);
    g_clear_pointer(&q->free, g_free);
}

void vvirtio_close(VVirtio *v)
{
    for (unsigned i = 0; i < v->num_queues; i++) {
        vq_free_state(&v->vq[i]);
    }
    g_clear_pointer(&v->vq, g_free);
}

uint8_t vvirtio_get_status(VVirtio *v)
{
    return v->mode == VV_MODERN
        ? vvirtio_common_read(v, VIRTIO_PCI_COMMON_STATUS, 1)
        : legacy_read(v, VIRTIO_PCI_LEGACY_STATUS, 1);
}

void vvirtio_set_status(VVirtio *v, uint8_t status)
{
    if (v->mode == VV_MODERN) {
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_STATUS, 1, status);
    } else {
        legacy_write(v, VIRTIO_PCI_LEGACY_STATUS, 1, status);
    }
}

void vvirtio_reset(VVirtio *v)
{
    vvirtio_set_status(v, 0);
    v->features = 0;
}

uint64_t vvirtio_device_features(VVirtio *v)
{
    if (v->mode == VV_LEGACY) {
        return legacy_read(v, VIRTIO_PCI_LEGACY_HOST_FEATURES, 4);
    }
    uint64_t f = 0;
    for (unsigned sel = 0; sel < 2; sel++) {
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_DFSELECT, 4, sel);
        f |= (uint64_t)vvirtio_common_read(v, VIRTIO_PCI_COMMON_DF, 4) << (32 * sel);
    }
    return f;
}

bool vvirtio_negotiate(VVirtio *v, uint64_t features)
{
    vvirtio_reset(v);
    vvirtio_set_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE);
    vvirtio_set_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
    if (v->mode == VV_LEGACY) {
        legacy_write(v, VIRTIO_PCI_LEGACY_GUEST_FEATURES, 4, (uint32_t)features);
        v->features = legacy_read(v, VIRTIO_PCI_LEGACY_GUEST_FEATURES, 4);
        return true;
    }
    for (unsigned sel = 0; sel < 2; sel++) {
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_GFSELECT, 4, sel);
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_GF, 4, features >> (32 * sel));
    }
    vvirtio_set_status(v, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER |
                       VIRTIO_CONFIG_S_FEATURES_OK);
    bool ok = vvirtio_get_status(v) & VIRTIO_CONFIG_S_FEATURES_OK;
    v->features = ok ? features : 0;
    return ok;
}

void vvirtio_driver_ok(VVirtio *v)
{
    vvirtio_set_status(v, vvirtio_get_status(v) | VIRTIO_CONFIG_S_DRIVER_OK);
}

/* ---- Queues ---- */

static void vq_init_state(VVirtQueue *q)
{
    q->free = g_new(uint16_t, q->num);
    q->chains = g_new0(GArray *, q->num);
    q->num_free = q->num;
    for (unsigned i = 0; i < q->num; i++) {
        q->free[i] = q->num - 1 - i;    /* pop gives 0, 1, 2, ... */
    }
    q->avail_idx = 0;
    q->last_used_idx = 0;
}

VVirtQueue *vvirtio_setup_queue(VVirtio *v, unsigned index, unsigned size)
{
    VHarness *h = v->pci.h;
    g_assert(index < v->num_queues);
    VVirtQueue *q = &v->vq[index];

    vq_free_state(q);
    *q = (VVirtQueue) { .v = v, .index = index, .vector = VIRTIO_NO_VECTOR };
    if (v->msix) {
        unsigned nvec = (vpci_cfg_read(&v->pci, vpci_find_cap(&v->pci,
                         PCI_CAP_ID_MSIX, 0) + PCI_MSIX_FLAGS, 2) &
                         PCI_MSIX_FLAGS_QSIZE) + 1;
        q->vector = MIN(index + 1, nvec - 1);
    }
    if (v->mode == VV_MODERN) {
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_SELECT, 2, index);
        unsigned max = vvirtio_common_read(v, VIRTIO_PCI_COMMON_Q_SIZE, 2);
        q->num = size ? size : max;
        q->notify_off = vvirtio_common_read(v, VIRTIO_PCI_COMMON_Q_NOFF, 2);
        q->desc = vh_alloc(h, 16ull * q->num, 16);
        q->avail = vh_alloc(h, 6 + 2ull * q->num, 2);
        q->used = vh_alloc(h, 6 + 8ull * q->num, 4);
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_SIZE, 2, q->num);
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_DESCLO, 4, q->desc);
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_DESCHI, 4, q->desc >> 32);
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_AVAILLO, 4, q->avail);
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_AVAILHI, 4, q->avail >> 32);
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_USEDLO, 4, q->used);
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_USEDHI, 4, q->used >> 32);
        if (v->msix) {
            vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_MSIX, 2, q->vector);
        }
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_ENABLE, 2, 1);
    } else {
        legacy_write(v, VIRTIO_PCI_LEGACY_QUEUE_SEL, 2, index);
        q->num = legacy_read(v, VIRTIO_PCI_LEGACY_QUEUE_NUM, 2);
        /* Legacy layout: one block, used ring on the next 4 KiB boundary. */
        uint64_t avail_end = 16ull * q->num + 6 + 2ull * q->num;
        uint64_t used_off = (avail_end + VH_LEGACY_ALIGN - 1) &
                            ~(uint64_t)(VH_LEGACY_ALIGN - 1);
        q->desc = vh_alloc(h, used_off + 6 + 8ull * q->num, VH_LEGACY_ALIGN);
        q->avail = q->desc + 16ull * q->num;
        q->used = q->desc + used_off;
        if (v->msix) {
            legacy_write(v, VIRTIO_PCI_LEGACY_MSI_QUEUE_VECTOR, 2, q->vector);
        }
        legacy_write(v, VIRTIO_PCI_LEGACY_QUEUE_PFN, 4,
                     q->desc >> VIRTIO_LEGACY_PFN_SHIFT);
    }
    vq_init_state(q);
    return q;
}

bool vvirtio_queue_enabled(VVirtio *v, unsigned index)
{
    if (v->mode == VV_MODERN) {
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_Q_SELECT, 2, index);
        return vvirtio_common_read(v, VIRTIO_PCI_COMMON_Q_ENABLE, 2);
    }
    legacy_write(v, VIRTIO_PCI_LEGACY_QUEUE_SEL, 2, index);
    return legacy_read(v, VIRTIO_PCI_LEGACY_QUEUE_PFN, 4) != 0;
}

/* ---- Config, ISR, interrupts ---- */

static uint32_t legacy_config_off(VVirtio *v)
{
    return VIRTIO_PCI_LEGACY_CONFIG_OFF(v->msix);
}

uint64_t vvirtio_config_read(VVirtio *v, uint32_t off, unsigned size)
{
    if (v->mode == VV_MODERN) {
        return region_read(v, &v->device, off, size);
    }
    return legacy_read(v, legacy_config_off(v) + off, size);
}

void vvirtio_config_write(VVirtio *v, uint32_t off, unsigned size, uint64_t val)
{
    if (v->mode == VV_MODERN) {
        region_write(v, &v->device, off, size, val);
    } else {
        legacy_write(v, legacy_config_off(v) + off, size, val);
    }
}

uint8_t vvirtio_config_generation(VVirtio *v)
{
    return v->mode == VV_MODERN
        ? vvirtio_common_read(v, VIRTIO_PCI_COMMON_CFGGENERATION, 1) : 0;
}

uint8_t vvirtio_isr(VVirtio *v)
{
    return v->mode == VV_MODERN ? region_read(v, &v->isr, 0, 1)
                                : legacy_read(v, VIRTIO_PCI_LEGACY_ISR, 1);
}

int vvirtio_intx(VVirtio *v)
{
    return vpci_intx(&v->pci);
}

uint32_t vvirtio_msi_data(VVirtio *v, unsigned vector)
{
    return (uint32_t)v->pci.devfn << 16 | vector;
}

void vvirtio_enable_msix(VVirtio *v)
{
    VPCIDev *d = &v->pci;
    uint8_t cap = vpci_find_cap(d, PCI_CAP_ID_MSIX, 0);
    g_assert(cap);
    unsigned nvec = (vpci_cfg_read(d, cap + PCI_MSIX_FLAGS, 2) &
                     PCI_MSIX_FLAGS_QSIZE) + 1;
    uint32_t table = vpci_cfg_read(d, cap + PCI_MSIX_TABLE, 4);
    int bar = table & PCI_MSIX_BIR_MASK;
    uint32_t toff = table & ~PCI_MSIX_BIR_MASK;

    for (unsigned i = 0; i < nvec; i++) {
        uint32_t e = toff + i * PCI_MSIX_ENTRY_SIZE;
        vpci_bar_write(d, bar, e + PCI_MSIX_ENTRY_LOWER_ADDR, 4,
                       (uint32_t)VH_MSI_DOORBELL);
        vpci_bar_write(d, bar, e + PCI_MSIX_ENTRY_UPPER_ADDR, 4,
                       VH_MSI_DOORBELL >> 32);
        vpci_bar_write(d, bar, e + PCI_MSIX_ENTRY_DATA, 4,
                       vvirtio_msi_data(v, i));
        vpci_bar_write(d, bar, e + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, 0);
    }
    vpci_cfg_write(d, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
    v->msix = true;
    if (v->mode == VV_MODERN) {
        vvirtio_common_write(v, VIRTIO_PCI_COMMON_MSIX, 2, 0);
    } else {
        legacy_write(v, VIRTIO_PCI_LEGACY_MSI_CONFIG_VECTOR, 2, 0);
    }
}

/* ---- Buffers ---- */

void vq_write_desc(VVirtQueue *q, unsigned i, uint64_t addr, uint32_t len,
                   uint16_t flags, uint16_t next)
{
    uint8_t raw[16];
    uint64_t a = GUINT64_TO_LE(addr);
    uint32_t l = GUINT32_TO_LE(len);
    uint16_t f = GUINT16_TO_LE(flags), n = GUINT16_TO_LE(next);
    memcpy(raw, &a, 8);
    memcpy(raw + 8, &l, 4);
    memcpy(raw + 12, &f, 2);
    memcpy(raw + 14, &n, 2);
    vh_memwrite(q->v->pci.h, q->desc + 16ull * i, raw, 16);
}

void vq_set_avail_idx(VVirtQueue *q, uint16_t idx)
{
    /* The ring entries must be visible before the index (§2.7.13). */
    __atomic_thread_fence(__ATOMIC_RELEASE);
    ram_store16(q->v->pci.h, q->avail + 2 /* idx */, idx);
    q->avail_idx = idx;
}

void vq_publish_head(VVirtQueue *q, uint16_t head)
{
    ram_store16(q->v->pci.h, q->avail + 4 + 2ull * (q->avail_idx % q->num),
                head);
    vq_set_avail_idx(q, q->avail_idx + 1);
}

int vq_add(VVirtQueue *q, const VVBuf *bufs, unsigned n, bool indirect)
{
    VHarness *h = q->v->pci.h;
    unsigned need = indirect ? 1 : n;

    g_assert(n > 0);
    if (q->num_free < need) {
        return -1;
    }
    GArray *chain = g_array_new(false, false, sizeof(uint16_t));
    for (unsigned i = 0; i < need; i++) {
        uint16_t d = q->free[--q->num_free];
        g_array_append_val(chain, d);
    }
    uint16_t head = g_array_index(chain, uint16_t, 0);
    if (indirect) {
        uint64_t table = vh_alloc(h, 16ull * n, 16);
        VVirtQueue t = { .v = q->v, .desc = table };
        for (unsigned i = 0; i < n; i++) {
            vq_write_desc(&t, i, bufs[i].addr, bufs[i].len,
                          (bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
                          (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0), i + 1 < n ? i + 1 : 0);
        }
        vq_write_desc(q, head, table, 16 * n, VIRTQ_DESC_F_INDIRECT, 0);
    } else {
        for (unsigned i = 0; i < n; i++) {
            uint16_t d = g_array_index(chain, uint16_t, i);
            uint16_t next = i + 1 < n ? g_array_index(chain, uint16_t, i + 1) : 0;
            vq_write_desc(q, d, bufs[i].addr, bufs[i].len,
                          (bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
                          (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0), next);
        }
    }
    g_assert(!q->chains[head]);
    q->chains[head] = chain;
    vq_publish_head(q, head);
    return head;
}

int vq_add_out(VVirtQueue *q, uint64_t addr, uint32_t len)
{
    VVBuf b = { .addr = addr, .len = len, .write = false };
    return vq_add(q, &b, 1, false);
}

int vq_add_in(VVirtQueue *q, uint64_t addr, uint32_t len)
{
    VVBuf b = { .addr = addr, .len = len, .write = true };
    return vq_add(q, &b, 1, false);
}

void vq_kick(VVirtQueue *q)
{
    VVirtio *v = q->v;
    if (v->mode == VV_MODERN) {
        region_write(v, &v->notify, q->notify_off * v->notify_mult, 2, q->index);
    } else {
        legacy_write(v, VIRTIO_PCI_LEGACY_QUEUE_NOTIFY, 2, q->index);
    }
}

uint16_t vq_used_flags(VVirtQueue *q)
{
    return ram_load16(q->v->pci.h, q->used);
}

uint16_t vq_used_idx(VVirtQueue *q)
{
    return ram_load16(q->v->pci.h, q->used + 2);
}

uint16_t vq_avail_event(VVirtQueue *q)
{
    return ram_load16(q->v->pci.h, q->used + 4 + 8ull * q->num);
}

bool vq_kick_needed(VVirtQueue *q, uint16_t old)
{
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (q->v->features & VIRTIO_BIT(VIRTIO_RING_F_EVENT_IDX)) {
        uint16_t ev = vq_avail_event(q);
        return (uint16_t)(q->avail_idx - ev - 1) < (uint16_t)(q->avail_idx - old);
    }
    return !(vq_used_flags(q) & VIRTQ_USED_F_NO_NOTIFY);
}

bool vq_get_used(VVirtQueue *q, uint32_t *head, uint32_t *len)
{
    VHarness *h = q->v->pci.h;
    if (vq_used_idx(q) == q->last_used_idx) {
        return false;
    }
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    uint64_t e = q->used + 4 + 8ull * (q->last_used_idx % q->num);
    uint32_t id = ram_load32(h, e);
    uint32_t l = ram_load32(h, e + 4);
    g_assert_cmpuint(id, <, q->num);
    g_assert(q->chains[id]);
    GArray *chain = q->chains[id];
    for (unsigned i = 0; i < chain->len; i++) {
        q->free[q->num_free++] = g_array_index(chain, uint16_t, i);
    }
    g_array_free(chain, true);
    q->chains[id] = NULL;
    q->last_used_idx++;
    if (head) {
        *head = id;
    }
    if (len) {
        *len = l;
    }
    return true;
}

void vq_set_no_interrupt(VVirtQueue *q, bool on)
{
    ram_store16(q->v->pci.h, q->avail, on ? VIRTQ_AVAIL_F_NO_INTERRUPT : 0);
}

void vq_set_used_event(VVirtQueue *q, uint16_t idx)
{
    ram_store16(q->v->pci.h, q->avail + 4 + 2ull * q->num, idx);
}
