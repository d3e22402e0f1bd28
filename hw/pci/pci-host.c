/*
 * hw/pci/pci-host.c: the generic ECAM host bridge, its windows, the INTx
 * swizzle, the bridge function 00.0 and the device-tree cells.
 */
#include "hw/pci/pci-host.h"
#include "qom/error.h"

/* ---- The windows ---- */

static uint64_t ecam_read(void *opaque, uint64_t off, unsigned size)
{
    PCIHostState *h = opaque;
    unsigned busnr = off >> PCIE_ECAM_BUS_SHIFT;
    int devfn = (off >> PCIE_ECAM_DEVFN_SHIFT) & 0xff;
    PCIDevice *d = busnr == 0 ? pci_bus_find_device(h->bus, devfn) : NULL;

    /* No function there: the read completes with all ones (PCIe §2.3.2),
     * which is how enumeration learns that a slot is empty. */
    if (!d) {
        return (1ull << (size * 8)) - 1;
    }
    return pci_config_read(d, off & (PCIE_CONFIG_SPACE_SIZE - 1), size);
}

static void ecam_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    PCIHostState *h = opaque;
    unsigned busnr = off >> PCIE_ECAM_BUS_SHIFT;
    int devfn = (off >> PCIE_ECAM_DEVFN_SHIFT) & 0xff;
    PCIDevice *d = busnr == 0 ? pci_bus_find_device(h->bus, devfn) : NULL;

    if (d) {
        pci_config_write(d, off & (PCIE_CONFIG_SPACE_SIZE - 1), val, size);
    }
}

/* ECAM config accesses are 1, 2 or 4 bytes (PCIe 3.0 §7.2.2.2). */
static const MemoryRegionOps ecam_ops = {
    .read = ecam_read,
    .write = ecam_write,
    .min_access = 1,
    .max_access = 4,
};

static uint64_t mmio_window_read(void *opaque, uint64_t off, unsigned size)
{
    PCIHostState *h = opaque;
    uint64_t val;
    address_space_read(&h->pci_mem, h->w.mmio_base + off, size, &val);
    return val;
}

static void mmio_window_write(void *opaque, uint64_t off, uint64_t val,
                              unsigned size)
{
    PCIHostState *h = opaque;
    address_space_write(&h->pci_mem, h->w.mmio_base + off, size, val);
}

static const MemoryRegionOps mmio_window_ops = {
    .read = mmio_window_read,
    .write = mmio_window_write,
};

static uint64_t pio_window_read(void *opaque, uint64_t off, unsigned size)
{
    PCIHostState *h = opaque;
    uint64_t val;
    address_space_read(&h->pci_io, off, size, &val);
    return val;
}

static void pio_window_write(void *opaque, uint64_t off, uint64_t val,
                             unsigned size)
{
    PCIHostState *h = opaque;
    address_space_write(&h->pci_io, off, size, val);
}

/* I/O space has no 64-bit accesses. */
static const MemoryRegionOps pio_window_ops = {
    .read = pio_window_read,
    .write = pio_window_write,
    .max_access = 4,
};

/* ---- INTx ---- */

static int pci_host_map_irq(int devfn, int pin)
{
    return pci_host_swizzle(PCI_SLOT(devfn), pin);
}

static void pci_host_set_irq(void *opaque, int host_pin, int level)
{
    PCIHostState *h = opaque;
    irq_set(&h->irq[host_pin], level);
}

/* ---- The host device ---- */

static bool pci_host_windows_valid(const PCIHostWindows *w, GError **errp)
{
    if (!w->ecam_size || w->ecam_size % PCIE_ECAM_BUS_SIZE ||
        w->ecam_size > 256ull * PCIE_ECAM_BUS_SIZE ||
        !w->mmio_size || !w->pio_size || w->pio_size > 0x100000000ull) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "pci-host-ecam-generic: bad window sizes (ECAM 0x%"
                    G_GINT64_MODIFIER "x must be 1..256 MiB in 1 MiB steps)",
                    w->ecam_size);
        return false;
    }
    return true;
}

static bool pci_host_realize(DeviceState *dev, GError **errp)
{
    PCIHostState *h = PCI_HOST_ECAM(dev);

    if (!h->sysmem || !pci_host_windows_valid(&h->w, errp)) {
        if (!h->sysmem) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "pci-host-ecam-generic: no system memory to map into");
        }
        return false;
    }
    memory_region_init_io(&h->ecam_mr, &ecam_ops, h, "pcie-ecam", h->w.ecam_size);
    memory_region_init_io(&h->mmio_mr, &mmio_window_ops, h, "pcie-mmio",
                          h->w.mmio_size);
    memory_region_init_io(&h->pio_mr, &pio_window_ops, h, "pcie-pio",
                          h->w.pio_size);
    if (!address_space_map_region(h->sysmem, &h->ecam_mr, h->w.ecam_base, errp) ||
        !address_space_map_region(h->sysmem, &h->mmio_mr, h->w.mmio_base, errp) ||
        !address_space_map_region(h->sysmem, &h->pio_mr, h->w.pio_base, errp)) {
        address_space_unmap_region(&h->ecam_mr);
        address_space_unmap_region(&h->mmio_mr);
        address_space_unmap_region(&h->pio_mr);
        return false;
    }
    h->bus = pci_bus_new(dev, PCI_HOST_BUS_NAME, &h->pci_mem, &h->pci_io,
                         h->sysmem, pci_host_map_irq, pci_host_set_irq, h);
    return true;
}

static void pci_host_unrealize(DeviceState *dev)
{
    PCIHostState *h = PCI_HOST_ECAM(dev);
    address_space_unmap_region(&h->ecam_mr);
    address_space_unmap_region(&h->mmio_mr);
    address_space_unmap_region(&h->pio_mr);
}

static void pci_host_instance_init(Object *obj)
{
    PCIHostState *h = PCI_HOST_ECAM(obj);
    address_space_init(&h->pci_mem, "pci-mem");
    address_space_init(&h->pci_io, "pci-io");
}

static void pci_host_finalize(Object *obj)
{
    PCIHostState *h = PCI_HOST_ECAM(obj);
    address_space_destroy(&h->pci_mem);
    address_space_destroy(&h->pci_io);
}

static void pci_host_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->desc = "generic ECAM PCI host bridge";
    dc->realize = pci_host_realize;
    dc->unrealize = pci_host_unrealize;
}

/* Function 00.0: what the guest enumerates as the host bridge. */
static void pci_host_fn_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    DEVICE_CLASS(oc)->desc = "PCIe host bridge function";
    pc->vendor_id = PCI_VENDOR_ID_REDHAT;
    pc->device_id = PCI_DEVICE_ID_REDHAT_PCIE_HOST;
    pc->class_id = PCI_CLASS_BRIDGE_HOST;
    pc->subsystem_vendor_id = PCI_VENDOR_ID_REDHAT;
    pc->subsystem_id = PCI_DEVICE_ID_REDHAT_PCIE_HOST;
}

static const TypeInfo pci_host_types[] = {
    {
        .name = TYPE_PCI_HOST_ECAM,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(PCIHostState),
        .class_init = pci_host_class_init,
        .instance_init = pci_host_instance_init,
        .instance_finalize = pci_host_finalize,
    },
    {
        .name = TYPE_PCI_HOST_BRIDGE_FN,
        .parent = TYPE_PCI_DEVICE,
        .instance_size = sizeof(PCIDevice),
        .class_init = pci_host_fn_class_init,
    },
};

static void pci_host_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pci_host_types); i++) {
        type_register_static(&pci_host_types[i]);
    }
}
type_init(pci_host_register_types)

PCIHostState *pci_host_ecam_new(Object *machine, AddressSpace *sysmem,
                                const PCIHostWindows *w, GError **errp)
{
    PCIHostState *h = PCI_HOST_ECAM(object_new(TYPE_PCI_HOST_ECAM));
    h->sysmem = sysmem;
    h->w = *w;
    if (!object_property_add_child(machine, "pci-host", OBJECT(h), errp)) {
        object_unref(OBJECT(h));
        return NULL;
    }
    object_unref(OBJECT(h));
    if (!qdev_realize(DEVICE(h), NULL, errp)) {
        object_unparent(OBJECT(h));
        return NULL;
    }
    /*
     * qdev_realize marked our bus realized, which makes qdev refuse
     * devices that are not hotpluggable.  Until the machine is done, the
     * bus is still being populated (cold plug).
     */
    BUS(h->bus)->realized = false;

    Object *fn = object_new(TYPE_PCI_HOST_BRIDGE_FN);
    PCI_DEVICE(fn)->devfn = PCI_DEVFN(0, 0);
    g_assert(object_property_add_child(OBJECT(h), "bridge", fn, NULL));
    object_unref(fn);
    if (!qdev_realize(DEVICE(fn), BUS(h->bus), errp)) {
        object_unparent(OBJECT(h));
        return NULL;
    }
    return h;
}

void pci_host_ecam_machine_done(PCIHostState *host)
{
    BUS(host->bus)->realized = true;
}

/* ---- Device tree ---- */

unsigned pci_host_dt_ranges(const PCIHostWindows *w,
                            uint32_t cells[PCI_HOST_DT_RANGES_CELLS])
{
    const struct {
        uint32_t space;
        uint64_t pci, cpu, size;
    } r[2] = {
        { PCI_DT_SPACE_IO, 0, w->pio_base, w->pio_size },
        { PCI_DT_SPACE_MEM32, w->mmio_base, w->mmio_base, w->mmio_size },
    };
    unsigned n = 0;
    for (int i = 0; i < 2; i++) {
        cells[n++] = r[i].space;
        cells[n++] = r[i].pci >> 32;
        cells[n++] = (uint32_t)r[i].pci;
        cells[n++] = r[i].cpu >> 32;
        cells[n++] = (uint32_t)r[i].cpu;
        cells[n++] = r[i].size >> 32;
        cells[n++] = (uint32_t)r[i].size;
    }
    return n;
}

unsigned pci_host_dt_interrupt_map(uint32_t intc_phandle, uint32_t irq_base,
                                   uint32_t cells[PCI_HOST_DT_IMAP_CELLS])
{
    unsigned n = 0;
    for (int slot = 0; slot < PCI_NUM_PINS; slot++) {
        for (int pin = 0; pin < PCI_NUM_PINS; pin++) {
            cells[n++] = PCI_DEVFN(slot, 0) << PCI_DT_PHYS_HI_DEVFN_SHIFT;
            cells[n++] = 0;
            cells[n++] = 0;
            cells[n++] = pin + 1;
            cells[n++] = intc_phandle;
            cells[n++] = irq_base + pci_host_swizzle(slot, pin);
        }
    }
    return n;
}
