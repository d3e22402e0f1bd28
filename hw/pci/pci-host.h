/*
 * hw/pci/pci-host.h: the generic ECAM PCI host bridge ("pci-host-ecam-generic",
 * the DT binding Linux's pci-host-generic driver matches).
 *
 * The host owns bus "pcie.0" (bus number 0; there are no bridges) and maps
 * three windows into the system AddressSpace:
 *   - ECAM: config space, offset = bus << 20 | devfn << 12 | reg (PCIe 3.0
 *     §7.2.2).  Accesses of 1, 2 or 4 bytes; absent functions and buses
 *     other than 0 read all ones, writes to them are dropped.
 *   - MMIO: PCI memory space, 1:1 (PCI bus address = CPU address).  Memory
 *     BARs live in the host's own PCI memory AddressSpace, which the window
 *     forwards to, so a BAR is only reachable through the window.
 *   - PIO: a CPU window onto PCI I/O space 0 .. pio_size-1, its own
 *     AddressSpace (the I/O BARs are mapped there).
 * Devices DMA into the system AddressSpace (guest RAM, and MSI doorbells).
 *
 * Function 00.0 is the host bridge itself (vendor 0x1b36, device 0x0008,
 * class 0x0600, as QEMU's gpex), so -device picks slots from 1 up.
 *
 * INTx: four IRQLine outputs host->irq[0..3] = INTA..INTD.  The board
 * connects them to PLIC sources 32..35.  A device at slot S asserting pin P
 * (0 = INTA) drives host->irq[pci_host_swizzle(S, P)]; the DT interrupt-map
 * below describes the same function to the guest.
 *
 * Threads: the main thread (or the vCPU under the device lock).
 */
#ifndef HW_PCI_PCI_HOST_H
#define HW_PCI_PCI_HOST_H

#include "hw/pci/pci.h"

#define TYPE_PCI_HOST_ECAM "pci-host-ecam-generic"
#define TYPE_PCI_HOST_BRIDGE_FN "pci-host-bridge-fn"   /* function 00.0 */
#define PCI_HOST_BUS_NAME "pcie.0"

/* ECAM geometry (PCIe 3.0 §7.2.2): 1 MiB of config space per bus. */
#define PCIE_ECAM_BUS_SHIFT     20
#define PCIE_ECAM_DEVFN_SHIFT   12
#define PCIE_ECAM_BUS_SIZE      (1u << PCIE_ECAM_BUS_SHIFT)

/* The host bridge function's identity (QEMU's gpex, so guests know it). */
#define PCI_VENDOR_ID_REDHAT        0x1b36
#define PCI_DEVICE_ID_REDHAT_PCIE_HOST 0x0008
#define PCI_CLASS_BRIDGE_HOST       0x0600

/* The windows, CPU addresses.  All sizes non-zero, none overlapping. */
typedef struct PCIHostWindows {
    uint64_t ecam_base, ecam_size;  /* ecam_size / 1 MiB buses (max 256) */
    uint64_t mmio_base, mmio_size;  /* 1:1 PCI memory */
    uint64_t pio_base, pio_size;    /* PCI I/O 0 .. pio_size-1 */
} PCIHostWindows;

/* The riscv "virt" board's windows (shared/DESIGN.md, QEMU's layout). */
#define PCI_HOST_VIRT_WINDOWS ((PCIHostWindows) {                    \
    .ecam_base = 0x30000000, .ecam_size = 0x10000000,                \
    .mmio_base = 0x40000000, .mmio_size = 0x40000000,                \
    .pio_base = 0x03000000, .pio_size = 0x10000,                     \
})

typedef struct PCIHostState {
    DeviceState parent_obj;
    PCIHostWindows w;
    AddressSpace *sysmem;       /* not owned */
    PCIBus *bus;                /* "pcie.0", a QOM child of the host */
    AddressSpace pci_mem;       /* memory BARs */
    AddressSpace pci_io;        /* I/O BARs */
    MemoryRegion ecam_mr, mmio_mr, pio_mr;
    IRQLine irq[PCI_NUM_PINS];  /* INTA..INTD, for the board to connect */
} PCIHostState;

DECLARE_TYPE(PCIHostState, DeviceClass, PCI_HOST_ECAM, TYPE_PCI_HOST_ECAM)

/*
 * pci_host_ecam_new: create the host bridge as @machine's child "pci-host",
 * map its windows into @sysmem and put the bridge function at 00.0.  The
 * bus then accepts cold-plugged devices (-device, qdev_realize) until
 * pci_host_ecam_machine_done.  Errors: a window that overlaps something
 * already in @sysmem, or an ECAM size that is not a multiple of 1 MiB
 * between 1 and 256 MiB.
 * Returns the host (owned by @machine's tree) or NULL.
 */
PCIHostState *pci_host_ecam_new(Object *machine, AddressSpace *sysmem,
                                const PCIHostWindows *w, GError **errp);

/*
 * pci_host_ecam_machine_done: the machine is built; from now on the bus
 * refuses new devices as hotplug ("Device 'T' can not be hotplugged on this
 * machine"): there is no PCI hotplug controller.
 */
void pci_host_ecam_machine_done(PCIHostState *host);

/* The host pin (0..3) that pin @pin (0 = INTA) of a device in @slot drives. */
static inline int pci_host_swizzle(int slot, int pin)
{
    return (pin + slot) % PCI_NUM_PINS;
}

/* ---- Device-tree helpers for the board's pci node ---- */

#define PCI_HOST_DT_COMPATIBLE      "pci-host-ecam-generic"
#define PCI_HOST_DT_ADDRESS_CELLS   3   /* phys.hi phys.mid phys.lo */
#define PCI_HOST_DT_SIZE_CELLS      2
#define PCI_HOST_DT_INTERRUPT_CELLS 1

/* phys.hi space codes (IEEE 1275 PCI binding §2.2.1.1). */
#define PCI_DT_SPACE_CONFIG         0x00000000
#define PCI_DT_SPACE_IO             0x01000000
#define PCI_DT_SPACE_MEM32          0x02000000
#define PCI_DT_SPACE_MEM64          0x03000000
#define PCI_DT_PHYS_HI_DEVFN_SHIFT  8   /* phys.hi = space | devfn << 8 */

/* "bus-range" = <0 pci_host_dt_last_bus(w)>. */
static inline uint32_t pci_host_dt_last_bus(const PCIHostWindows *w)
{
    return (uint32_t)(w->ecam_size / PCIE_ECAM_BUS_SIZE) - 1;
}

/*
 * "ranges": two entries of 7 cells (phys.hi phys.mid phys.lo, cpu addr hi lo,
 * size hi lo): I/O (PCI 0 -> pio_base) and 32-bit memory (1:1 at mmio_base).
 * Fills @cells (host order: convert with cpu_to_fdt32) and returns 14.
 */
#define PCI_HOST_DT_RANGES_CELLS    14
unsigned pci_host_dt_ranges(const PCIHostWindows *w,
                            uint32_t cells[PCI_HOST_DT_RANGES_CELLS]);

/*
 * "interrupt-map-mask" = <PCI_HOST_DT_IMAP_MASK_HI 0 0 7>: only the slot's
 * low two bits and the pin matter, since the swizzle repeats every 4 slots.
 */
#define PCI_HOST_DT_IMAP_MASK_HI    (PCI_DEVFN(3, 0) << PCI_DT_PHYS_HI_DEVFN_SHIFT)
#define PCI_HOST_DT_IMAP_MASK_PIN   7

/*
 * "interrupt-map": 4 slots x 4 pins = 16 entries of 6 cells each:
 * <phys.hi 0 0 pin(1..4) @intc_phandle irq>, with
 * irq = @irq_base + pci_host_swizzle(slot, pin - 1), for an interrupt
 * controller with #address-cells = 0 and #interrupt-cells = 1 (the PLIC).
 * Fills @cells (host order) and returns the number of cells, 96.
 */
#define PCI_HOST_DT_IMAP_CELLS      (PCI_NUM_PINS * PCI_NUM_PINS * 6)
unsigned pci_host_dt_interrupt_map(uint32_t intc_phandle, uint32_t irq_base,
                                   uint32_t cells[PCI_HOST_DT_IMAP_CELLS]);

#endif /* HW_PCI_PCI_HOST_H */
