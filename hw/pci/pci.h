/*
 * hw/pci/pci.h: PCI devices, the PCI bus, config space, BARs, capabilities,
 * INTx and MSI-X.
 *
 * A PCI device is a QOM device (TYPE_PCI_DEVICE, abstract) that plugs into a
 * bus of type TYPE_PCI_BUS.  Its 4 KiB config space is an array with a
 * per-byte write mask (bits the guest may change) and a write-1-to-clear
 * mask; pci_config_write applies both, then re-decodes the BARs and MSI-X
 * and calls the class's optional config_write hook.  BARs are MemoryRegions
 * the device registers at realize; the bus maps them into its memory or I/O
 * AddressSpace only while the command register enables that decode and the
 * BAR holds an address (never while it is being sized).
 *
 * Where the device sits: the "addr" property ("SLOT[.FN]" in hex, as QEMU:
 * addr=03.0, addr=3, addr=0x3).  Without it the bus picks the first free
 * slot (function 0).  Conflicts are refused before realize.
 *
 * Config-space layout constants: PCI Local Bus 3.0 §6.1-6.2 (type 0
 * header), §6.7-6.8 (capabilities, MSI-X).
 *
 * Threads: the main thread (or the vCPU under the device lock, for MMIO).
 */
#ifndef HW_PCI_PCI_H
#define HW_PCI_PCI_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/irq.h"
#include "hw/core/memory.h"
#include "hw/core/qdev.h"

#define TYPE_PCI_DEVICE "pci-device"
#define TYPE_PCI_BUS "PCI"

/* Config space: 256 bytes of PCI plus the PCIe extended space (ECAM). */
#define PCI_CONFIG_SPACE_SIZE       0x100
#define PCIE_CONFIG_SPACE_SIZE      0x1000

/* devfn = slot << 3 | function. */
#define PCI_SLOT_MAX                32
#define PCI_FUNC_MAX                8
#define PCI_DEVFN(slot, fn)         ((((slot) & 0x1f) << 3) | ((fn) & 0x07))
#define PCI_SLOT(devfn)             (((devfn) >> 3) & 0x1f)
#define PCI_FUNC(devfn)             ((devfn) & 0x07)
#define PCI_DEVFN_AUTO              (-1)

/* Type 0 header registers (PCI 3.0 §6.1). */
#define PCI_VENDOR_ID               0x00    /* 16 bits */
#define PCI_DEVICE_ID               0x02    /* 16 bits */
#define PCI_COMMAND                 0x04    /* 16 bits */
#define  PCI_COMMAND_IO             0x0001
#define  PCI_COMMAND_MEMORY         0x0002
#define  PCI_COMMAND_MASTER         0x0004
#define  PCI_COMMAND_SERR           0x0100
#define  PCI_COMMAND_INTX_DISABLE   0x0400
#define PCI_STATUS                  0x06    /* 16 bits */
#define  PCI_STATUS_INTERRUPT       0x0008  /* INTx asserted (read-only) */
#define  PCI_STATUS_CAP_LIST        0x0010
#define  PCI_STATUS_W1C_MASK        0xf900  /* error bits, write 1 to clear */
#define PCI_REVISION_ID             0x08
#define PCI_CLASS_PROG              0x09
#define PCI_CLASS_DEVICE            0x0a    /* 16 bits: class << 8 | subclass */
#define PCI_CACHE_LINE_SIZE         0x0c
#define PCI_LATENCY_TIMER           0x0d
#define PCI_HEADER_TYPE             0x0e
#define  PCI_HEADER_TYPE_NORMAL     0x00
#define  PCI_HEADER_TYPE_MULTI_FUNCTION 0x80
#define PCI_BASE_ADDRESS_0          0x10    /* 6 BARs, 4 bytes each */
#define PCI_NUM_REGIONS             6
#define  PCI_BASE_ADDRESS_SPACE_IO      0x01
#define  PCI_BASE_ADDRESS_SPACE_MEMORY  0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_32   0x00
#define  PCI_BASE_ADDRESS_MEM_TYPE_64   0x04
#define  PCI_BASE_ADDRESS_MEM_PREFETCH  0x08
#define  PCI_BASE_ADDRESS_IO_MASK       (~0x03u)
#define  PCI_BASE_ADDRESS_MEM_MASK      (~0x0full)
#define PCI_SUBSYSTEM_VENDOR_ID     0x2c
#define PCI_SUBSYSTEM_ID            0x2e
#define PCI_ROM_ADDRESS             0x30    /* no ROM: reads 0, writes ignored */
#define PCI_CAPABILITY_LIST         0x34
#define PCI_INTERRUPT_LINE          0x3c
#define PCI_INTERRUPT_PIN           0x3d    /* 1 = INTA ... 4 = INTD, 0 none */
#define PCI_CONFIG_HEADER_SIZE      0x40    /* capabilities start here */

/* Capability list (PCI 3.0 §6.7): id, next pointer, then the body. */
#define PCI_CAP_LIST_ID             0
#define PCI_CAP_LIST_NEXT           1
#define PCI_CAP_ID_VNDR             0x09
#define PCI_CAP_ID_MSIX             0x11

/* MSI-X capability (PCI 3.0 §6.8.2). */
#define PCI_MSIX_FLAGS              2       /* 16 bits: message control */
#define  PCI_MSIX_FLAGS_QSIZE       0x07ff  /* table size - 1 */
#define  PCI_MSIX_FLAGS_MASKALL     0x4000  /* function mask */
#define  PCI_MSIX_FLAGS_ENABLE      0x8000
#define PCI_MSIX_TABLE              4       /* 32 bits: offset | BIR */
#define PCI_MSIX_PBA                8       /* 32 bits: offset | BIR */
#define  PCI_MSIX_BIR_MASK          0x7
#define PCI_MSIX_CAP_SIZE           12
#define PCI_MSIX_ENTRY_SIZE         16      /* addr lo, addr hi, data, ctrl */
#define  PCI_MSIX_ENTRY_LOWER_ADDR  0
#define  PCI_MSIX_ENTRY_UPPER_ADDR  4
#define  PCI_MSIX_ENTRY_DATA        8
#define  PCI_MSIX_ENTRY_VECTOR_CTRL 12
#define   PCI_MSIX_ENTRY_CTRL_MASKBIT 0x1
#define PCI_MSIX_MAX_VECTORS        2048

/* INTx pins, 0-based here (the config register holds pin + 1). */
#define PCI_NUM_PINS                4

typedef struct PCIBus PCIBus;
typedef struct PCIDevice PCIDevice;

/* A registered BAR. */
typedef struct PCIIORegion {
    MemoryRegion *mr;       /* NULL: BAR not implemented (reads 0) */
    uint8_t type;           /* PCI_BASE_ADDRESS_* bits as in the register */
    uint64_t size;          /* mr->size, a power of two */
    uint64_t addr;          /* where it is mapped, or PCI_BAR_UNMAPPED */
} PCIIORegion;
#define PCI_BAR_UNMAPPED (~0ull)

struct PCIDevice {
    DeviceState parent_obj;

    uint8_t config[PCIE_CONFIG_SPACE_SIZE];
    uint8_t wmask[PCIE_CONFIG_SPACE_SIZE];   /* bits the guest may write */
    uint8_t w1cmask[PCIE_CONFIG_SPACE_SIZE]; /* bits cleared by writing 1 */
    uint8_t used[PCIE_CONFIG_SPACE_SIZE];    /* bytes taken by capabilities */

    int32_t devfn;          /* "addr"; PCI_DEVFN_AUTO until placed */
    bool multifunction;     /* "multifunction" */
    PCIBus *bus;            /* set while realized */
    PCIIORegion io_regions[PCI_NUM_REGIONS];
    int intx_level;         /* the device's INTx input (before INTX_DISABLE) */
    bool intx_asserted;     /* what the bus currently counts for us */

    /* MSI-X, set up by msix_init_exclusive_bar. */
    uint16_t msix_entries;  /* 0: no MSI-X */
    uint8_t msix_cap;
    uint8_t msix_bar;
    uint8_t *msix_table;    /* msix_entries * 16 bytes */
    uint8_t *msix_pba;      /* one pending bit per vector */
    MemoryRegion msix_mr;   /* table at 0, PBA after it (exclusive BAR) */
};

/*
 * PCIDeviceClass: what a PCI device model fills in its class_init.
 * The identity fields are written into config space before @realize, which
 * may still change them per instance (pci_set_word(config + PCI_DEVICE_ID..)).
 * @realize: optional; register BARs and capabilities, start the device.  On
 *   failure set @errp, undo, return false.
 * @exit: optional; undo @realize (BARs are unmapped by the core).
 * @reset: optional; the device's own power-on state.  The core has already
 *   cleared the command register, BARs, INTx and MSI-X state.
 * @config_read: optional; return the value of [@addr, @addr+@len) instead of
 *   the config array (for registers with side effects).  Default: the array.
 * @config_write: optional; called after the core stored the masked value
 *   and re-decoded BARs/MSI-X (for windows such as virtio's PCI_CFG cap).
 */
typedef struct PCIDeviceClass {
    DeviceClass parent_class;
    uint16_t vendor_id;
    uint16_t device_id;
    uint8_t revision;
    uint16_t class_id;      /* class << 8 | subclass, e.g. 0x0780 */
    uint16_t subsystem_vendor_id;
    uint16_t subsystem_id;
    bool (*realize)(PCIDevice *pdev, GError **errp);
    void (*exit)(PCIDevice *pdev);
    void (*reset)(PCIDevice *pdev);
    uint32_t (*config_read)(PCIDevice *pdev, uint32_t addr, unsigned len);
    void (*config_write)(PCIDevice *pdev, uint32_t addr, uint32_t val,
                         unsigned len);
} PCIDeviceClass;

/*
 * PCIBus: one bus number's 256 functions.  Created by the host bridge
 * (pci_bus_new); devices are plugged with qdev_realize / -device.
 * INTx lines of all functions are wire-ORed per host pin after the swizzle.
 */
typedef void (*PCISetIRQFunc)(void *opaque, int host_pin, int level);
typedef int (*PCIMapIRQFunc)(int devfn, int pin);

struct PCIBus {
    BusState parent_obj;
    PCIDevice *devices[PCI_SLOT_MAX * PCI_FUNC_MAX];
    AddressSpace *mem_as;   /* PCI memory space: memory BARs are mapped here */
    AddressSpace *io_as;    /* PCI I/O space: I/O BARs */
    AddressSpace *dma_as;   /* what bus masters read and write (guest RAM) */
    PCIMapIRQFunc map_irq;  /* (devfn, pin) -> host pin */
    PCISetIRQFunc set_irq;
    void *irq_opaque;
    unsigned irq_count[PCI_NUM_PINS]; /* asserted functions per host pin */
};

DECLARE_TYPE(PCIDevice, PCIDeviceClass, PCI_DEVICE, TYPE_PCI_DEVICE)
DECLARE_TYPE(PCIBus, BusClass, PCI_BUS, TYPE_PCI_BUS)

/* Little-endian config-space accessors on a byte array. */
static inline void pci_set_byte(uint8_t *p, uint8_t v) { p[0] = v; }
static inline uint8_t pci_get_byte(const uint8_t *p) { return p[0]; }
static inline void pci_set_word(uint8_t *p, uint16_t v)
{
    p[0] = v;
    p[1] = v >> 8;
}
static inline uint16_t pci_get_word(const uint8_t *p)
{
    return p[0] | (uint16_t)p[1] << 8;
}
static inline void pci_set_long(uint8_t *p, uint32_t v)
{
    pci_set_word(p, v);
    pci_set_word(p + 2, v >> 16);
}
static inline uint32_t pci_get_long(const uint8_t *p)
{
    return pci_get_word(p) | (uint32_t)pci_get_word(p + 2) << 16;
}
static inline void pci_set_quad(uint8_t *p, uint64_t v)
{
    pci_set_long(p, v);
    pci_set_long(p + 4, v >> 32);
}
static inline uint64_t pci_get_quad(const uint8_t *p)
{
    return pci_get_long(p) | (uint64_t)pci_get_long(p + 4) << 32;
}

/*
 * pci_bus_new: create the bus @name (e.g. "pcie.0") owned by the host
 * bridge device @parent.  BARs map into @mem_as / @io_as; devices DMA into
 * @dma_as; INTx goes through @map_irq and @set_irq(@irq_opaque, pin, level).
 */
PCIBus *pci_bus_new(DeviceState *parent, const char *name,
                    AddressSpace *mem_as, AddressSpace *io_as,
                    AddressSpace *dma_as, PCIMapIRQFunc map_irq,
                    PCISetIRQFunc set_irq, void *irq_opaque);

/* The function at @devfn, or NULL. */
PCIDevice *pci_bus_find_device(PCIBus *bus, int devfn);

/*
 * pci_config_read / pci_config_write: a config access of @len (1, 2 or 4)
 * bytes at @addr, as the host bridge forwards it.  Accesses that are not
 * naturally aligned or run past the 4 KiB space read all ones / are
 * dropped.  Writes honour wmask and w1cmask, then re-decode BARs, update
 * INTx (INTX_DISABLE) and MSI-X state, then call the class hook.
 */
uint32_t pci_config_read(PCIDevice *pdev, uint32_t addr, unsigned len);
void pci_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                      unsigned len);

/* The config array's value, for config_read hooks to fall back on. */
uint32_t pci_default_config_read(PCIDevice *pdev, uint32_t addr, unsigned len);

/*
 * pci_register_bar: BAR @n is @mr (size: mr->size, a power of two, at least
 * 4 for I/O and 16 for memory).  @type: PCI_BASE_ADDRESS_SPACE_IO, or
 * PCI_BASE_ADDRESS_SPACE_MEMORY | MEM_TYPE_32 or MEM_TYPE_64 [| PREFETCH].
 * A 64-bit BAR takes slots @n and @n+1.  Call from realize.  Programmer
 * errors (bad size, slot taken) abort.
 */
void pci_register_bar(PCIDevice *pdev, int n, uint8_t type, MemoryRegion *mr);

/* The guest address BAR @n is mapped at, or PCI_BAR_UNMAPPED. */
uint64_t pci_get_bar_addr(PCIDevice *pdev, int n);

/*
 * pci_add_capability: add a capability @cap_id of @size bytes to the list
 * at @offset (dword aligned, >= 0x40, inside the first 256 bytes), or at the
 * first free place if @offset is 0.  Capabilities are linked in the order
 * they are added.  Returns the offset, or -1 with @errp set if it overlaps
 * another capability or does not fit.
 */
int pci_add_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t offset,
                       uint8_t size, GError **errp);

/* The offset of the first capability @cap_id, or 0. */
uint8_t pci_find_capability(PCIDevice *pdev, uint8_t cap_id);

/*
 * pci_set_irq: drive the device's INTx pin (the one in PCI_INTERRUPT_PIN).
 * Updates PCI_STATUS_INTERRUPT; the line reaches the host only while
 * PCI_COMMAND_INTX_DISABLE is clear.  Repeated levels are harmless.
 */
void pci_set_irq(PCIDevice *pdev, int level);

/* The AddressSpace the device DMAs into (guest RAM).  Valid once realized. */
AddressSpace *pci_get_address_space(PCIDevice *pdev);

/* Bus mastering enabled in the command register. */
bool pci_bus_master_enabled(PCIDevice *pdev);

/*
 * msix_init_exclusive_bar: give @pdev @nentries MSI-X vectors (1..2048) with
 * the table at offset 0 and the PBA in the upper half of a BAR of its own
 * (at least 4 KiB), @bar_nr (32-bit memory), and an MSI-X capability.
 * Vectors start masked (PCI 3.0 §6.8.2.9).  Call from
 * realize.  Returns false with @errp set if the capability does not fit.
 * msix_uninit undoes it (from exit).
 */
bool msix_init_exclusive_bar(PCIDevice *pdev, unsigned nentries, int bar_nr,
                             GError **errp);
void msix_uninit(PCIDevice *pdev);

/* MSI-X is enabled by the guest (and the device has it). */
bool msix_enabled(PCIDevice *pdev);

/*
 * msix_notify: signal @vector: write its message to the DMA AddressSpace,
 * or set its pending bit if the vector or the function is masked (it is
 * sent when unmasked).  Ignored if MSI-X is disabled or @vector is out of
 * range.
 */
void msix_notify(PCIDevice *pdev, unsigned vector);

/* Whether @vector is masked (per vector or function mask), or its PBA bit. */
bool msix_is_masked(PCIDevice *pdev, unsigned vector);
bool msix_is_pending(PCIDevice *pdev, unsigned vector);

/*
 * pci_parse_devfn: parse an "addr" value, "SLOT[.FN]" in hex (a "0x" prefix
 * is accepted), slot < 32, fn < 8.  Returns the devfn, or -1 if malformed.
 * Exposed for tests; the property setter reports
 * "Property 'TYPE.addr' doesn't take value 'V'".
 */
int pci_parse_devfn(const char *str);

#endif /* HW_PCI_PCI_H */
