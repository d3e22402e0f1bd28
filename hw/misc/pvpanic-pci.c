/*
 * hw/misc/pvpanic-pci.c: the pvpanic PCI device, see pvpanic-pci.h.
 */
#include "hw/misc/pvpanic-pci.h"
#include "hw/pci/pci-host.h"

/* The smallest memory BAR PCI allows; only byte 0 is a register. */
#define PVPANIC_BAR_SIZE 16
#define PVPANIC_REG_EVENTS 0

struct PVPanicPCIState {
    PCIDevice parent_obj;
    MemoryRegion mmio;
    PVPanicHandler handler;
    void *opaque;
};

DECLARE_TYPE(PVPanicPCIState, PCIDeviceClass, PVPANIC_PCI, TYPE_PVPANIC_PCI)

static uint64_t pvpanic_read(void *opaque, uint64_t offset, unsigned size)
{
    return offset == PVPANIC_REG_EVENTS ? PVPANIC_EVENTS : 0;
}

static void pvpanic_write(void *opaque, uint64_t offset, uint64_t val,
                          unsigned size)
{
    PVPanicPCIState *s = opaque;
    unsigned events = val & PVPANIC_EVENTS;

    /* Unknown bits are ignored, as the spec asks of the host. */
    if (offset == PVPANIC_REG_EVENTS && events && s->handler) {
        s->handler(s->opaque, events);
    }
}

static const MemoryRegionOps pvpanic_ops = {
    .read = pvpanic_read,
    .write = pvpanic_write,
    .min_access = 1,
    .max_access = 4,
};

static bool pvpanic_realize(PCIDevice *pdev, GError **errp)
{
    PVPanicPCIState *s = PVPANIC_PCI(pdev);

    memory_region_init_io(&s->mmio, &pvpanic_ops, s, "pvpanic",
                          PVPANIC_BAR_SIZE);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_32, &s->mmio);
    return true;
}

bool pvpanic_pci_set_handler(Object *obj, PVPanicHandler fn, void *opaque)
{
    PVPanicPCIState *s = (PVPanicPCIState *)object_dynamic_cast(
        obj, TYPE_PVPANIC_PCI);

    if (!s) {
        return false;
    }
    s->handler = fn;
    s->opaque = opaque;
    return true;
}

static void pvpanic_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    DeviceClass *dc = DEVICE_CLASS(oc);

    dc->desc = "pvpanic device: the guest reports its panics";
    dc->user_creatable = true;
    pc->vendor_id = PCI_VENDOR_ID_REDHAT;
    pc->device_id = PCI_DEVICE_ID_REDHAT_PVPANIC;
    pc->class_id = PCI_CLASS_SYSTEM_OTHER;
    pc->subsystem_vendor_id = PCI_VENDOR_ID_REDHAT;
    pc->subsystem_id = PCI_DEVICE_ID_REDHAT_PVPANIC;
    pc->realize = pvpanic_realize;
}

static const TypeInfo pvpanic_pci_info = {
    .name = TYPE_PVPANIC_PCI,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(PVPanicPCIState),
    .class_init = pvpanic_class_init,
};

static void pvpanic_register_types(void)
{
    type_register_static(&pvpanic_pci_info);
}
type_init(pvpanic_register_types)
