/*
 * hw/virtio/virtio-pci.c: the virtio PCI transport (virtio 1.2 §4.1):
 * modern capabilities in BAR 4, the legacy register block in I/O BAR 0,
 * MSI-X in BAR 1 and INTx.
 *
 * Everything here only translates register accesses into the core's
 * transport-side calls (hw/virtio/virtio.h); the device model never sees
 * PCI.
 */
#define G_LOG_DOMAIN "virtio"
#include <string.h>

#include "hw/virtio/virtio-internal.h"
#include "hw/virtio/virtio-pci.h"
#include "qom/error.h"

/* The transitional device ids (§4.1.2.3), indexed by virtio device id. */
static const uint16_t transitional_ids[] = {
    [1] = 0x1000,   /* network */
    [2] = 0x1001,   /* block */
    [3] = 0x1003,   /* console */
    [4] = 0x1005,   /* entropy */
    [5] = 0x1002,   /* memory balloon */
    [8] = 0x1004,   /* SCSI host */
    [9] = 0x1009,   /* 9P transport */
};

uint16_t virtio_pci_transitional_id(uint16_t virtio_id)
{
    return virtio_id < G_N_ELEMENTS(transitional_ids)
           ? transitional_ids[virtio_id] : 0;
}

VirtIOPCIProxy *virtio_pci_from_vdev(VirtIODevice *vdev)
{
    return vdev->transport_opaque;
}

static PCIDevice *proxy_pci(VirtIOPCIProxy *p)
{
    return PCI_DEVICE(p);
}

static VirtQueue *selected_queue(VirtIOPCIProxy *p)
{
    VirtIODevice *vdev = &p->vdev;
    return p->queue_sel < vdev->num_queues ? &vdev->vq[p->queue_sel] : NULL;
}

/* ---- Interrupts ---- */

static void virtio_pci_notify(VirtIODevice *vdev, VirtQueue *vq)
{
    VirtIOPCIProxy *p = vdev->transport_opaque;
    PCIDevice *pdev = proxy_pci(p);

    if (msix_enabled(pdev)) {
        uint16_t vector = vq ? vq->vector : vdev->config_vector;
        if (vector != VIRTIO_NO_VECTOR) {
            msix_notify(pdev, vector);
        }
        return;
    }
    /* INTx is level-triggered and follows the ISR (§4.1.4.5). */
    pci_set_irq(pdev, vdev->isr != 0);
}

static const VirtioTransportOps virtio_pci_transport_ops = {
    .notify = virtio_pci_notify,
};

static uint8_t virtio_pci_isr_read(VirtIOPCIProxy *p)
{
    uint8_t isr = virtio_isr_read(&p->vdev);
    pci_set_irq(proxy_pci(p), 0);
    return isr;
}

/* A vector the driver may use: ours, else "no vector" (§4.1.4.3). */
static uint16_t virtio_pci_valid_vector(VirtIOPCIProxy *p, uint16_t vector)
{
    return vector < proxy_pci(p)->msix_entries ? vector : VIRTIO_NO_VECTOR;
}

static void virtio_pci_reset_transport(VirtIOPCIProxy *p)
{
    p->dfselect = 0;
    p->gfselect = 0;
    p->guest_features = 0;
    p->queue_sel = 0;
    pci_set_irq(proxy_pci(p), 0);
}

static void virtio_pci_set_status(VirtIOPCIProxy *p, uint8_t val)
{
    virtio_set_status(&p->vdev, val);
    if (val == 0) {
        virtio_pci_reset_transport(p);
    }
}

/* ---- Modern: common configuration (§4.1.4.3) ---- */

static uint32_t common_read(VirtIOPCIProxy *p, uint64_t off)
{
    VirtIODevice *vdev = &p->vdev;
    VirtQueue *vq = selected_queue(p);
    uint64_t desc = 0, avail = 0, used = 0;

    if (vq) {
        virtio_queue_get_addrs(vq, &desc, &avail, &used);
    }
    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        return p->dfselect;
    case VIRTIO_PCI_COMMON_DF:
        return p->dfselect < 2 ? vdev->host_features >> (32 * p->dfselect) : 0;
    case VIRTIO_PCI_COMMON_GFSELECT:
        return p->gfselect;
    case VIRTIO_PCI_COMMON_GF:
        return p->gfselect < 2 ? p->guest_features >> (32 * p->gfselect) : 0;
    case VIRTIO_PCI_COMMON_MSIX:
        return vdev->config_vector;
    case VIRTIO_PCI_COMMON_NUMQ:
        return vdev->num_queues;
    case VIRTIO_PCI_COMMON_STATUS:
        return vdev->status;
    case VIRTIO_PCI_COMMON_CFGGENERATION:
        return vdev->config_generation & 0xff;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        return p->queue_sel;
    case VIRTIO_PCI_COMMON_Q_SIZE:
        return vq ? virtio_queue_get_num(vq) : 0;
    case VIRTIO_PCI_COMMON_Q_MSIX:
        return vq ? virtio_queue_get_vector(vq) : VIRTIO_NO_VECTOR;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        return vq && virtio_queue_enabled(vq);
    case VIRTIO_PCI_COMMON_Q_NOFF:
        /* Queue n's doorbell is notify_off_multiplier * n into the region. */
        return p->queue_sel;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
        return desc;
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        return desc >> 32;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
        return avail;
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        return avail >> 32;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
        return used;
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        return used >> 32;
    default:
        return 0;
    }
}

static uint64_t set_half(uint64_t old, bool hi, uint32_t val)
{
    return hi ? (old & 0xffffffffull) | (uint64_t)val << 32
              : (old & ~0xffffffffull) | val;
}

/* Writes to the selected queue's registers (§4.1.4.3.2: only between
 * FEATURES_OK and DRIVER_OK, and not once the queue is enabled). */
static void common_write_queue(VirtIOPCIProxy *p, uint64_t off, uint32_t val)
{
    VirtIODevice *vdev = &p->vdev;
    VirtQueue *vq = selected_queue(p);
    uint64_t desc, avail, used;

    if (!vq || !virtio_queue_config_allowed(vdev, false)) {
        g_debug("%s: queue register 0x%" PRIx64 " written outside "
                "FEATURES_OK..DRIVER_OK, ignored", vdev->id, off);
        return;
    }
    if (off == VIRTIO_PCI_COMMON_Q_MSIX) {
        virtio_queue_set_vector(vq, virtio_pci_valid_vector(p, val));
        return;
    }
    if (virtio_queue_enabled(vq)) {
        return;
    }
    virtio_queue_get_addrs(vq, &desc, &avail, &used);
    switch (off) {
    case VIRTIO_PCI_COMMON_Q_SIZE:
        virtio_queue_set_num(vq, val & 0xffff);
        break;
    case VIRTIO_PCI_COMMON_Q_ENABLE:
        if (val == 1) {
            virtio_queue_enable(vq);
        }
        break;
    case VIRTIO_PCI_COMMON_Q_DESCLO:
    case VIRTIO_PCI_COMMON_Q_DESCHI:
        desc = set_half(desc, off == VIRTIO_PCI_COMMON_Q_DESCHI, val);
        break;
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
        avail = set_half(avail, off == VIRTIO_PCI_COMMON_Q_AVAILHI, val);
        break;
    case VIRTIO_PCI_COMMON_Q_USEDLO:
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        used = set_half(used, off == VIRTIO_PCI_COMMON_Q_USEDHI, val);
        break;
    }
    virtio_queue_set_addrs(vq, desc, avail, used);
}

static void common_write(VirtIOPCIProxy *p, uint64_t off, uint32_t val)
{
    VirtIODevice *vdev = &p->vdev;

    switch (off) {
    case VIRTIO_PCI_COMMON_DFSELECT:
        p->dfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GFSELECT:
        p->gfselect = val;
        break;
    case VIRTIO_PCI_COMMON_GF:
        if (p->gfselect < 2) {
            p->guest_features = set_half(p->guest_features, p->gfselect, val);
            virtio_set_guest_features(vdev, p->guest_features);
        }
        break;
    case VIRTIO_PCI_COMMON_MSIX:
        vdev->config_vector = virtio_pci_valid_vector(p, val);
        break;
    case VIRTIO_PCI_COMMON_STATUS:
        virtio_pci_set_status(p, val & 0xff);
        break;
    case VIRTIO_PCI_COMMON_Q_SELECT:
        p->queue_sel = val;
        break;
    case VIRTIO_PCI_COMMON_Q_SIZE:
    case VIRTIO_PCI_COMMON_Q_MSIX:
    case VIRTIO_PCI_COMMON_Q_ENABLE:
    case VIRTIO_PCI_COMMON_Q_DESCLO:
    case VIRTIO_PCI_COMMON_Q_DESCHI:
    case VIRTIO_PCI_COMMON_Q_AVAILLO:
    case VIRTIO_PCI_COMMON_Q_AVAILHI:
    case VIRTIO_PCI_COMMON_Q_USEDLO:
    case VIRTIO_PCI_COMMON_Q_USEDHI:
        common_write_queue(p, off, val);
        break;
    default:
        break;      /* read-only or reserved */
    }
}

/* ---- Modern BAR dispatch ---- */

static uint64_t modern_read(void *opaque, uint64_t off, unsigned size)
{
    VirtIOPCIProxy *p = opaque;

    if (off < VIRTIO_PCI_MODERN_ISR_OFF) {
        return common_read(p, off - VIRTIO_PCI_MODERN_COMMON_OFF);
    }
    if (off < VIRTIO_PCI_MODERN_DEVICE_OFF) {
        return off == VIRTIO_PCI_MODERN_ISR_OFF ? virtio_pci_isr_read(p) : 0;
    }
    if (off < VIRTIO_PCI_MODERN_NOTIFY_OFF) {
        return virtio_config_read(&p->vdev, off - VIRTIO_PCI_MODERN_DEVICE_OFF,
                                  size);
    }
    return 0;
}

static void modern_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    VirtIOPCIProxy *p = opaque;

    if (off < VIRTIO_PCI_MODERN_ISR_OFF) {
        common_write(p, off - VIRTIO_PCI_MODERN_COMMON_OFF, val);
    } else if (off < VIRTIO_PCI_MODERN_DEVICE_OFF) {
        /* The ISR is read-only. */
    } else if (off < VIRTIO_PCI_MODERN_NOTIFY_OFF) {
        virtio_config_write(&p->vdev, off - VIRTIO_PCI_MODERN_DEVICE_OFF, val,
                            size);
    } else {
        /* The doorbell's address names the queue (§4.1.4.4). */
        uint64_t n = off - VIRTIO_PCI_MODERN_NOTIFY_OFF;
        if (n % VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER == 0) {
            virtio_queue_notify(&p->vdev, n / VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER);
        }
    }
}

/* The driver uses the width of each field (§4.1.3.1): 1, 2 or 4 bytes. */
static const MemoryRegionOps modern_ops = {
    .read = modern_read,
    .write = modern_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- Legacy I/O BAR (§4.1.4, "Legacy Interfaces: A Note on PCI Device
 * Layout") ---- */

static uint64_t legacy_read(void *opaque, uint64_t off, unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    VirtIODevice *vdev = &p->vdev;
    VirtQueue *vq = selected_queue(p);
    bool msix = msix_enabled(proxy_pci(p));
    uint64_t cfg = VIRTIO_PCI_LEGACY_CONFIG_OFF(msix);

    if (off >= cfg) {
        return virtio_config_read(vdev, off - cfg, size);
    }
    switch (off) {
    case VIRTIO_PCI_LEGACY_HOST_FEATURES:
        return (uint32_t)vdev->host_features;
    case VIRTIO_PCI_LEGACY_GUEST_FEATURES:
        return (uint32_t)vdev->guest_features;
    case VIRTIO_PCI_LEGACY_QUEUE_PFN:
        return vq ? virtio_queue_get_legacy_pfn(vq) : 0;
    case VIRTIO_PCI_LEGACY_QUEUE_NUM:
        return vq ? virtio_queue_get_num(vq) : 0;
    case VIRTIO_PCI_LEGACY_QUEUE_SEL:
        return p->queue_sel;
    case VIRTIO_PCI_LEGACY_STATUS:
        return vdev->status;
    case VIRTIO_PCI_LEGACY_ISR:
        return virtio_pci_isr_read(p);
    case VIRTIO_PCI_LEGACY_MSI_CONFIG_VECTOR:
        return vdev->config_vector;
    case VIRTIO_PCI_LEGACY_MSI_QUEUE_VECTOR:
        return vq ? virtio_queue_get_vector(vq) : VIRTIO_NO_VECTOR;
    default:
        return 0;
    }
}

static void legacy_write(void *opaque, uint64_t off, uint64_t val,
                         unsigned size)
{
    VirtIOPCIProxy *p = opaque;
    VirtIODevice *vdev = &p->vdev;
    VirtQueue *vq = selected_queue(p);
    bool msix = msix_enabled(proxy_pci(p));
    uint64_t cfg = VIRTIO_PCI_LEGACY_CONFIG_OFF(msix);

    if (off >= cfg) {
        virtio_config_write(vdev, off - cfg, val, size);
        return;
    }
    switch (off) {
    case VIRTIO_PCI_LEGACY_GUEST_FEATURES:
        virtio_set_legacy_features(vdev, val);
        break;
    case VIRTIO_PCI_LEGACY_QUEUE_PFN:
        /* 0 tears the queue down (any time); a page frame sets it up, which
         * a legacy driver does before DRIVER_OK. */
        if (vq && (val == 0 || (virtio_queue_config_allowed(vdev, true) &&
                                !virtio_queue_enabled(vq)))) {
            virtio_queue_set_legacy_pfn(vq, val);
        }
        break;
    case VIRTIO_PCI_LEGACY_QUEUE_SEL:
        p->queue_sel = val;
        break;
    case VIRTIO_PCI_LEGACY_QUEUE_NOTIFY:
        virtio_queue_notify(vdev, val & 0xffff);
        break;
    case VIRTIO_PCI_LEGACY_STATUS:
        virtio_pci_set_status(p, val & 0xff);
        break;
    case VIRTIO_PCI_LEGACY_MSI_CONFIG_VECTOR:
        vdev->config_vector = virtio_pci_valid_vector(p, val);
        break;
    case VIRTIO_PCI_LEGACY_MSI_QUEUE_VECTOR:
        if (vq) {
            virtio_queue_set_vector(vq, virtio_pci_valid_vector(p, val));
        }
        break;
    default:
        break;
    }
}

static const MemoryRegionOps legacy_ops = {
    .read = legacy_read,
    .write = legacy_write,
    .min_access = 1,
    .max_access = 4,
};

/* ---- Capabilities ---- */

static bool add_virtio_cap(VirtIOPCIProxy *p, uint8_t cfg_type, uint32_t offset,
                           uint32_t length, uint8_t cap_len, int *out,
                           GError **errp)
{
    PCIDevice *pdev = proxy_pci(p);
    int cap = pci_add_capability(pdev, PCI_CAP_ID_VNDR, 0, cap_len, errp);
    if (cap < 0) {
        return false;
    }
    uint8_t *c = pdev->config + cap;
    c[VIRTIO_PCI_CAP_LEN] = cap_len;
    c[VIRTIO_PCI_CAP_CFG_TYPE] = cfg_type;
    c[VIRTIO_PCI_CAP_BAR] = VIRTIO_PCI_MODERN_BAR;
    pci_set_long(c + VIRTIO_PCI_CAP_OFFSET, offset);
    pci_set_long(c + VIRTIO_PCI_CAP_LENGTH, length);
    if (out) {
        *out = cap;
    }
    return true;
}

static bool virtio_pci_add_modern(VirtIOPCIProxy *p, GError **errp)
{
    PCIDevice *pdev = proxy_pci(p);
    uint64_t notify_len = MAX(VIRTIO_PCI_MODERN_REGION_SIZE,
                              (uint64_t)p->vdev.num_queues *
                              VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER);
    uint64_t bar_size = VIRTIO_PCI_MODERN_NOTIFY_OFF + notify_len;
    int notify, cfg;

    bar_size = 1ull << g_bit_storage(bar_size - 1);
    if (!add_virtio_cap(p, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_PCI_MODERN_COMMON_OFF,
                        VIRTIO_PCI_MODERN_REGION_SIZE, VIRTIO_PCI_CAP_SIZE,
                        NULL, errp) ||
        !add_virtio_cap(p, VIRTIO_PCI_CAP_ISR_CFG, VIRTIO_PCI_MODERN_ISR_OFF,
                        VIRTIO_PCI_MODERN_REGION_SIZE, VIRTIO_PCI_CAP_SIZE,
                        NULL, errp) ||
        !add_virtio_cap(p, VIRTIO_PCI_CAP_DEVICE_CFG, VIRTIO_PCI_MODERN_DEVICE_OFF,
                        VIRTIO_PCI_MODERN_REGION_SIZE, VIRTIO_PCI_CAP_SIZE,
                        NULL, errp) ||
        !add_virtio_cap(p, VIRTIO_PCI_CAP_NOTIFY_CFG, VIRTIO_PCI_MODERN_NOTIFY_OFF,
                        notify_len, VIRTIO_PCI_NOTIFY_CAP_SIZE, &notify, errp) ||
        !add_virtio_cap(p, VIRTIO_PCI_CAP_PCI_CFG, 0, 0,
                        VIRTIO_PCI_CFG_CAP_SIZE, &cfg, errp)) {
        return false;
    }
    pci_set_long(pdev->config + notify + VIRTIO_PCI_NOTIFY_CAP_MULT,
                 VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER);
    /* The PCI_CFG window: bar, offset, length and data are the driver's. */
    p->pci_cfg_cap = cfg;
    pdev->wmask[cfg + VIRTIO_PCI_CAP_BAR] = 0xff;
    pci_set_long(pdev->wmask + cfg + VIRTIO_PCI_CAP_OFFSET, 0xffffffff);
    pci_set_long(pdev->wmask + cfg + VIRTIO_PCI_CAP_LENGTH, 0xffffffff);
    pci_set_long(pdev->wmask + cfg + VIRTIO_PCI_CFG_CAP_DATA, 0xffffffff);

    memory_region_init_io(&p->modern_mr, &modern_ops, p, "virtio-pci-modern",
                          bar_size);
    pci_register_bar(pdev, VIRTIO_PCI_MODERN_BAR,
                     PCI_BASE_ADDRESS_SPACE_MEMORY | PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &p->modern_mr);
    return true;
}

/*
 * The PCI_CFG capability (§4.1.4, "PCI configuration access capability"):
 * an access to pci_cfg_data reaches @length bytes at @offset of BAR @bar.
 * Only the modern BAR is reachable, with naturally aligned 1, 2 or 4 byte
 * accesses.
 */
static bool pci_cfg_window(VirtIOPCIProxy *p, uint32_t addr, unsigned len,
                           uint32_t *off, unsigned *size)
{
    PCIDevice *pdev = proxy_pci(p);
    uint32_t cap = p->pci_cfg_cap;
    if (!cap || addr + len <= cap + VIRTIO_PCI_CFG_CAP_DATA ||
        addr >= cap + VIRTIO_PCI_CFG_CAP_SIZE) {
        return false;
    }
    uint8_t *c = pdev->config + cap;
    *off = pci_get_long(c + VIRTIO_PCI_CAP_OFFSET);
    *size = pci_get_long(c + VIRTIO_PCI_CAP_LENGTH);
    return c[VIRTIO_PCI_CAP_BAR] == VIRTIO_PCI_MODERN_BAR &&
           (*size == 1 || *size == 2 || *size == 4) && !(*off % *size) &&
           (uint64_t)*off + *size <= p->modern_mr.size;
}

static uint32_t virtio_pci_config_read(PCIDevice *pdev, uint32_t addr,
                                       unsigned len)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(pdev);
    uint32_t off;
    unsigned size;

    if (pci_cfg_window(p, addr, len, &off, &size)) {
        uint32_t v = modern_read(p, off, size);
        pci_set_long(pdev->config + p->pci_cfg_cap + VIRTIO_PCI_CFG_CAP_DATA, v);
    }
    return pci_default_config_read(pdev, addr, len);
}

static void virtio_pci_config_write(PCIDevice *pdev, uint32_t addr,
                                    uint32_t val, unsigned len)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(pdev);
    uint32_t off;
    unsigned size;

    if (pci_cfg_window(p, addr, len, &off, &size)) {
        uint32_t v = pci_get_long(pdev->config + p->pci_cfg_cap +
                                  VIRTIO_PCI_CFG_CAP_DATA);
        modern_write(p, off, size == 4 ? v : v & ((1u << (size * 8)) - 1), size);
    }
}

/* ---- The QOM type ---- */

static bool virtio_pci_realize(PCIDevice *pdev, GError **errp)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(pdev);
    VirtIOPCIClass *vc = VIRTIO_PCI_GET_CLASS(p);
    VirtIODevice *vdev = &p->vdev;

    if (p->disable_legacy && p->disable_modern) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "device cannot work as neither modern nor legacy mode is "
                    "enabled");
        return false;
    }
    vdev->transport = &virtio_pci_transport_ops;
    vdev->transport_opaque = p;
    if (!vc->realize(p, errp)) {
        return false;
    }
    g_assert(vdev->ops);

    uint16_t id = vdev->ops->device_id;
    uint16_t tid = virtio_pci_transitional_id(id);
    bool legacy = !p->disable_legacy && tid;
    if (!legacy && p->disable_modern) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "virtio device %u has no legacy interface: "
                    "disable-modern=on is not possible", id);
        goto fail;
    }
    /* §4.1.2: modern-only devices have revision 1 and id 0x1040 + id;
     * transitional ones revision 0 and the subsystem id names the type. */
    pci_set_word(pdev->config + PCI_DEVICE_ID,
                 legacy ? tid : VIRTIO_PCI_DEVICE_ID_MODERN_BASE + id);
    pdev->config[PCI_REVISION_ID] = legacy ? 0 : 1;
    pci_set_word(pdev->config + PCI_SUBSYSTEM_VENDOR_ID,
                 PCI_VENDOR_ID_REDHAT_QUMRANET);
    pci_set_word(pdev->config + PCI_SUBSYSTEM_ID, id);
    pdev->config[PCI_INTERRUPT_PIN] = 1;
    if (p->disable_modern) {
        vdev->host_features &= ~VIRTIO_BIT(VIRTIO_F_VERSION_1);
    }

    if (p->vectors == VIRTIO_PCI_VECTORS_UNSPECIFIED) {
        p->vectors = VIRTIO_PCI_VECTORS_DEFAULT;
    }
    if (p->vectors > PCI_MSIX_MAX_VECTORS) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'vectors' expects a number up to %u",
                    PCI_MSIX_MAX_VECTORS);
        goto fail;
    }
    if (p->vectors &&
        !msix_init_exclusive_bar(pdev, p->vectors, VIRTIO_PCI_MSIX_BAR, errp)) {
        goto fail;
    }
    if (legacy) {
        uint64_t size = VIRTIO_PCI_LEGACY_CONFIG_OFF(true) +
                        vdev->ops->config_size;
        size = 1ull << g_bit_storage(size - 1);
        memory_region_init_io(&p->legacy_mr, &legacy_ops, p, "virtio-pci-legacy",
                              size);
        pci_register_bar(pdev, VIRTIO_PCI_LEGACY_BAR, PCI_BASE_ADDRESS_SPACE_IO,
                         &p->legacy_mr);
    }
    if (!p->disable_modern && !virtio_pci_add_modern(p, errp)) {
        goto fail;
    }
    return true;

fail:
    if (vc->unrealize) {
        vc->unrealize(p);
    }
    virtio_cleanup(vdev);
    return false;
}

static void virtio_pci_exit(PCIDevice *pdev)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(pdev);
    VirtIOPCIClass *vc = VIRTIO_PCI_GET_CLASS(p);

    if (vc->unrealize) {
        vc->unrealize(p);
    }
    virtio_cleanup(&p->vdev);
}

static void virtio_pci_reset(PCIDevice *pdev)
{
    VirtIOPCIProxy *p = VIRTIO_PCI(pdev);
    virtio_reset(&p->vdev);
    virtio_pci_reset_transport(p);
}

static const ObjectProperty virtio_pci_props[] = {
    PROP_BOOL("disable-legacy", VirtIOPCIProxy, disable_legacy, false,
              "on: modern-only device (id 0x1040+n), no legacy I/O BAR"),
    PROP_BOOL("disable-modern", VirtIOPCIProxy, disable_modern, false,
              "on: legacy-only device, no virtio 1.x capabilities"),
    PROP_UINT32("vectors", VirtIOPCIProxy, vectors,
                VIRTIO_PCI_VECTORS_UNSPECIFIED,
                "MSI-X vectors (0: none; 4294967295: the device decides)"),
    PROP_BOOL("ioeventfd", VirtIOPCIProxy, ioeventfd, true,
              "accepted for QEMU compatibility, no effect"),
    PROP_END
};

static void virtio_pci_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    pc->vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pc->subsystem_vendor_id = PCI_VENDOR_ID_REDHAT_QUMRANET;
    pc->realize = virtio_pci_realize;
    pc->exit = virtio_pci_exit;
    pc->reset = virtio_pci_reset;
    pc->config_read = virtio_pci_config_read;
    pc->config_write = virtio_pci_config_write;
    object_class_add_props(oc, virtio_pci_props);
}

static const TypeInfo virtio_pci_info = {
    .name = TYPE_VIRTIO_PCI,
    .parent = TYPE_PCI_DEVICE,
    .abstract = true,
    .instance_size = sizeof(VirtIOPCIProxy),
    .class_size = sizeof(VirtIOPCIClass),
    .class_init = virtio_pci_class_init,
};

static void virtio_pci_register_types(void)
{
    type_register_static(&virtio_pci_info);
}
type_init(virtio_pci_register_types)
