/*
 * hw/virtio/virtio-pci.h: the virtio PCI transport (virtio 1.2 §4.1).
 *
 * TYPE_VIRTIO_PCI ("virtio-pci") is an abstract pci-device.  A concrete
 * device (virtio-serial-pci) subclasses it, sets the PCI class id in its
 * PCIDeviceClass (e.g. 0x0780) and a VirtIOPCIClass.realize that calls
 * virtio_init(&proxy->vdev, &its_ops, state, nqueues,
 * pci_get_address_space(PCI_DEVICE(proxy)), id).  The transport then
 * derives the PCI identity from ops->device_id and lays out:
 *   - BAR 0 (I/O, unless disable-legacy): the legacy register block;
 *   - BAR 1 (32-bit memory, if vectors > 0): MSI-X table and PBA;
 *   - BAR 4 (64-bit prefetchable memory, unless disable-modern): the
 *     common, ISR, device-config and notify structures, each found
 *     through a vendor capability (cfg_type 1..4), plus a PCI_CFG (5)
 *     capability for config-space access.
 * Identity: vendor 0x1af4; device 0x1040 + id when modern-only (revision
 * 1); when transitional, the fixed table of §4.1.2.3 (console 0x1003,
 * net 0x1000, block 0x1001, ...; revision 0, subsystem id = virtio id).
 * A device type without a transitional id is always modern-only.
 * Interrupts: with MSI-X enabled, queue and config vectors; otherwise INTx
 * (pin A), asserted while the ISR is non-zero; reading the ISR clears it and
 * lowers INTx.
 *
 * Properties: disable-legacy (bool, off), disable-modern (bool, off),
 * vectors (uint32; default decided by the subclass, else 2; 0 = no MSI-X),
 * ioeventfd (bool, accepted and ignored), plus pci-device's addr and
 * multifunction.
 *
 * Threads: the main thread (or the vCPU under the device lock).
 */
#ifndef HW_VIRTIO_VIRTIO_PCI_H
#define HW_VIRTIO_VIRTIO_PCI_H

#include "hw/pci/pci.h"
#include "hw/virtio/virtio.h"

#define TYPE_VIRTIO_PCI "virtio-pci"

#define PCI_VENDOR_ID_REDHAT_QUMRANET       0x1af4
#define VIRTIO_PCI_DEVICE_ID_MODERN_BASE    0x1040  /* + virtio id (§4.1.2) */
#define VIRTIO_PCI_CLASS_COMM_OTHER         0x0780

/* vectors= left at this means "let the subclass choose". */
#define VIRTIO_PCI_VECTORS_UNSPECIFIED      UINT32_MAX
#define VIRTIO_PCI_VECTORS_DEFAULT          2

/* BAR numbers, as QEMU places them. */
#define VIRTIO_PCI_LEGACY_BAR               0
#define VIRTIO_PCI_MSIX_BAR                 1
#define VIRTIO_PCI_MODERN_BAR               4

/* Vendor capability cfg_type (§4.1.4). */
#define VIRTIO_PCI_CAP_COMMON_CFG           1
#define VIRTIO_PCI_CAP_NOTIFY_CFG           2
#define VIRTIO_PCI_CAP_ISR_CFG              3
#define VIRTIO_PCI_CAP_DEVICE_CFG           4
#define VIRTIO_PCI_CAP_PCI_CFG              5

/* struct virtio_pci_cap (§4.1.4): offsets inside the capability. */
#define VIRTIO_PCI_CAP_VNDR                 0
#define VIRTIO_PCI_CAP_NEXT                 1
#define VIRTIO_PCI_CAP_LEN                  2
#define VIRTIO_PCI_CAP_CFG_TYPE             3
#define VIRTIO_PCI_CAP_BAR                  4
#define VIRTIO_PCI_CAP_ID                   5
#define VIRTIO_PCI_CAP_OFFSET               8
#define VIRTIO_PCI_CAP_LENGTH               12
#define VIRTIO_PCI_CAP_SIZE                 16
#define VIRTIO_PCI_NOTIFY_CAP_MULT          16  /* notify_off_multiplier */
#define VIRTIO_PCI_NOTIFY_CAP_SIZE          20
#define VIRTIO_PCI_CFG_CAP_DATA             16u /* pci_cfg_data[4] */
#define VIRTIO_PCI_CFG_CAP_SIZE             20u

/* struct virtio_pci_common_cfg (§4.1.4.3). */
#define VIRTIO_PCI_COMMON_DFSELECT          0x00
#define VIRTIO_PCI_COMMON_DF                0x04
#define VIRTIO_PCI_COMMON_GFSELECT          0x08
#define VIRTIO_PCI_COMMON_GF                0x0c
#define VIRTIO_PCI_COMMON_MSIX              0x10
#define VIRTIO_PCI_COMMON_NUMQ              0x12
#define VIRTIO_PCI_COMMON_STATUS            0x14
#define VIRTIO_PCI_COMMON_CFGGENERATION     0x15
#define VIRTIO_PCI_COMMON_Q_SELECT          0x16
#define VIRTIO_PCI_COMMON_Q_SIZE            0x18
#define VIRTIO_PCI_COMMON_Q_MSIX            0x1a
#define VIRTIO_PCI_COMMON_Q_ENABLE          0x1c
#define VIRTIO_PCI_COMMON_Q_NOFF            0x1e
#define VIRTIO_PCI_COMMON_Q_DESCLO          0x20
#define VIRTIO_PCI_COMMON_Q_DESCHI          0x24
#define VIRTIO_PCI_COMMON_Q_AVAILLO         0x28
#define VIRTIO_PCI_COMMON_Q_AVAILHI         0x2c
#define VIRTIO_PCI_COMMON_Q_USEDLO          0x30
#define VIRTIO_PCI_COMMON_Q_USEDHI          0x34
#define VIRTIO_PCI_COMMON_SIZE              0x38

/* Layout of the modern BAR: one 4 KiB page per structure, as QEMU. */
#define VIRTIO_PCI_MODERN_REGION_SIZE       0x1000
#define VIRTIO_PCI_MODERN_COMMON_OFF        0x0000
#define VIRTIO_PCI_MODERN_ISR_OFF           0x1000
#define VIRTIO_PCI_MODERN_DEVICE_OFF        0x2000
#define VIRTIO_PCI_MODERN_NOTIFY_OFF        0x3000
/* queue_notify_off = queue index; each queue's doorbell is 4 bytes apart. */
#define VIRTIO_PCI_NOTIFY_OFF_MULTIPLIER    4

/* The legacy register block (§4.1.4, "Legacy Interfaces: A Note on PCI
 * Device Layout"), BAR 0. */
#define VIRTIO_PCI_LEGACY_HOST_FEATURES     0x00    /* 32, RO */
#define VIRTIO_PCI_LEGACY_GUEST_FEATURES    0x04    /* 32, RW */
#define VIRTIO_PCI_LEGACY_QUEUE_PFN         0x08    /* 32, RW */
#define VIRTIO_PCI_LEGACY_QUEUE_NUM         0x0c    /* 16, RO */
#define VIRTIO_PCI_LEGACY_QUEUE_SEL         0x0e    /* 16, RW */
#define VIRTIO_PCI_LEGACY_QUEUE_NOTIFY      0x10    /* 16, RW */
#define VIRTIO_PCI_LEGACY_STATUS            0x12    /* 8, RW */
#define VIRTIO_PCI_LEGACY_ISR               0x13    /* 8, RO, read clears */
#define VIRTIO_PCI_LEGACY_MSI_CONFIG_VECTOR 0x14    /* 16, only with MSI-X */
#define VIRTIO_PCI_LEGACY_MSI_QUEUE_VECTOR  0x16    /* 16, only with MSI-X */
/* Device config follows at 0x14, or at 0x18 while MSI-X is enabled. */
#define VIRTIO_PCI_LEGACY_CONFIG_OFF(msix)  ((msix) ? 0x18 : 0x14)

typedef struct VirtIOPCIProxy {
    PCIDevice parent_obj;
    VirtIODevice vdev;

    /* Properties. */
    bool disable_legacy;
    bool disable_modern;
    bool ioeventfd;
    uint32_t vectors;

    /* Transport state (reset with the device). */
    uint32_t dfselect;          /* device_feature_select */
    uint32_t gfselect;          /* driver_feature_select */
    uint64_t guest_features;    /* the driver's features being written */
    uint16_t queue_sel;
    bool legacy_used;           /* the driver went through the legacy BAR */

    MemoryRegion legacy_mr;
    MemoryRegion modern_mr;
    uint8_t pci_cfg_cap;        /* offset of the PCI_CFG capability, or 0 */
} VirtIOPCIProxy;

/*
 * VirtIOPCIClass: a concrete virtio PCI device.
 * @realize: mandatory; create the device model and call virtio_init on
 *   &proxy->vdev.  It may set proxy->vectors if it is still
 *   VIRTIO_PCI_VECTORS_UNSPECIFIED.  On failure set @errp and return false.
 * @unrealize: optional; undo @realize before the transport calls
 *   virtio_cleanup.
 */
typedef struct VirtIOPCIClass {
    PCIDeviceClass parent_class;
    bool (*realize)(VirtIOPCIProxy *proxy, GError **errp);
    void (*unrealize)(VirtIOPCIProxy *proxy);
} VirtIOPCIClass;

DECLARE_TYPE(VirtIOPCIProxy, VirtIOPCIClass, VIRTIO_PCI, TYPE_VIRTIO_PCI)

/* The transitional PCI device id of virtio device @virtio_id (§4.1.2.3),
 * or 0 if it has none. */
uint16_t virtio_pci_transitional_id(uint16_t virtio_id);

/* The proxy that carries @vdev (a VirtIODevice set up by this transport). */
VirtIOPCIProxy *virtio_pci_from_vdev(VirtIODevice *vdev);

#endif /* HW_VIRTIO_VIRTIO_PCI_H */
