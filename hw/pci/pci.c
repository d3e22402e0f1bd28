/*
 * hw/pci/pci.c: the PCI device base type, the PCI bus, config space with
 * write masks, BAR decoding, the capability list and INTx.
 */
#include <string.h>

#include "hw/pci/pci.h"
#include "hw/pci/pci-internal.h"
#include "qom/error.h"

/* ---- addr= ---- */

int pci_parse_devfn(const char *str)
{
    const char *p = str;
    char *end;

    /* strtoul would take a sign or leading blanks: refuse them. */
    if (!g_ascii_isxdigit(*p)) {
        return -1;
    }
    unsigned long slot = strtoul(p, &end, 16);
    unsigned long fn = 0;
    if (end == p || slot >= PCI_SLOT_MAX) {
        return -1;
    }
    if (*end == '.') {
        p = end + 1;
        if (!g_ascii_isxdigit(*p)) {
            return -1;
        }
        fn = strtoul(p, &end, 16);
        if (end == p || fn >= PCI_FUNC_MAX) {
            return -1;
        }
    }
    if (*end) {
        return -1;
    }
    return PCI_DEVFN(slot, fn);
}

static bool pci_prop_set_addr(Object *obj, const ObjectProperty *prop,
                              const char *value, GError **errp)
{
    int devfn = pci_parse_devfn(value);
    if (devfn < 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Property '%s.%s' doesn't take value '%s'",
                    object_get_typename(obj), prop->name, value);
        return false;
    }
    PCI_DEVICE(obj)->devfn = devfn;
    return true;
}

static char *pci_prop_get_addr(Object *obj, const ObjectProperty *prop)
{
    int32_t devfn = PCI_DEVICE(obj)->devfn;
    if (devfn < 0) {
        return NULL;
    }
    return g_strdup_printf("%02x.%x", PCI_SLOT(devfn), PCI_FUNC(devfn));
}

static const ObjectProperty pci_device_props[] = {
    PROP_CUSTOM("addr", "int32", pci_prop_set_addr, pci_prop_get_addr,
                "Slot and optional function number, example: 06.0 or 06"),
    PROP_BOOL("multifunction", PCIDevice, multifunction, false,
              "on/off: set the multi-function bit of the header type"),
    PROP_END
};

/* ---- INTx ---- */

static void pci_bus_change_irq(PCIBus *bus, int devfn, int pin, int change)
{
    int hp = bus->map_irq ? bus->map_irq(devfn, pin) : pin;
    g_assert(hp >= 0 && hp < PCI_NUM_PINS);
    bus->irq_count[hp] += change;
    if (bus->set_irq) {
        bus->set_irq(bus->irq_opaque, hp, bus->irq_count[hp] != 0);
    }
}

/* Drive the bus line from intx_level and INTX_DISABLE (PCI 3.0 §6.2.2). */
static void pci_update_irq(PCIDevice *d)
{
    uint8_t pin = d->config[PCI_INTERRUPT_PIN];
    uint16_t status = pci_get_word(d->config + PCI_STATUS);
    bool disabled = pci_get_word(d->config + PCI_COMMAND) &
                    PCI_COMMAND_INTX_DISABLE;
    bool assert = d->intx_level && !disabled && pin >= 1 &&
                  pin <= PCI_NUM_PINS && d->bus;

    /* The status bit shows the device's pending interrupt even if disabled. */
    status = d->intx_level ? (status | PCI_STATUS_INTERRUPT)
                           : (status & ~PCI_STATUS_INTERRUPT);
    pci_set_word(d->config + PCI_STATUS, status);
    if (assert != d->intx_asserted) {
        d->intx_asserted = assert;
        pci_bus_change_irq(d->bus, d->devfn, pin - 1, assert ? 1 : -1);
    }
}

void pci_set_irq(PCIDevice *pdev, int level)
{
    pdev->intx_level = level ? 1 : 0;
    pci_update_irq(pdev);
}

AddressSpace *pci_get_address_space(PCIDevice *pdev)
{
    return pdev->bus ? pdev->bus->dma_as : NULL;
}

bool pci_bus_master_enabled(PCIDevice *pdev)
{
    return pci_get_word(pdev->config + PCI_COMMAND) & PCI_COMMAND_MASTER;
}

/* ---- BARs ---- */

static uint32_t pci_bar_offset(int n)
{
    return PCI_BASE_ADDRESS_0 + n * 4;
}

void pci_register_bar(PCIDevice *pdev, int n, uint8_t type, MemoryRegion *mr)
{
    bool is64 = !(type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (type & PCI_BASE_ADDRESS_MEM_TYPE_64);
    uint64_t size = mr->size;
    uint32_t off = pci_bar_offset(n);

    g_assert(n >= 0 && n < PCI_NUM_REGIONS - (is64 ? 1 : 0));
    g_assert(!pdev->io_regions[n].mr && (!is64 || !pdev->io_regions[n + 1].mr));
    g_assert(size && !(size & (size - 1)));
    g_assert(size >= ((type & PCI_BASE_ADDRESS_SPACE_IO) ? 4 : 16));
    g_assert(is64 || size <= 0x80000000ull);

    pdev->io_regions[n] = (PCIIORegion) {
        .mr = mr, .type = type, .size = size, .addr = PCI_BAR_UNMAPPED,
    };
    /* The address bits at and above the size are writable (PCI 3.0 §6.2.5.1);
     * the low type bits are read-only, so writing all ones reads the size. */
    uint64_t wmask = ~(size - 1) &
        ((type & PCI_BASE_ADDRESS_SPACE_IO) ? (uint64_t)PCI_BASE_ADDRESS_IO_MASK
                                            : PCI_BASE_ADDRESS_MEM_MASK);
    pci_set_long(pdev->config + off, type);
    pci_set_long(pdev->wmask + off, (uint32_t)wmask);
    if (is64) {
        pci_set_long(pdev->config + off + 4, 0);
        pci_set_long(pdev->wmask + off + 4, wmask >> 32);
    }
}

/* Where BAR @n should be decoded now, or PCI_BAR_UNMAPPED. */
static uint64_t pci_bar_address(PCIDevice *d, int n)
{
    PCIIORegion *r = &d->io_regions[n];
    uint16_t cmd = pci_get_word(d->config + PCI_COMMAND);
    uint32_t off = pci_bar_offset(n);
    uint64_t addr, last;

    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (!(cmd & PCI_COMMAND_IO)) {
            return PCI_BAR_UNMAPPED;
        }
        addr = pci_get_long(d->config + off) & PCI_BASE_ADDRESS_IO_MASK;
        last = addr + r->size - 1;
        /* Sizing leaves ~(size-1) behind: it reaches the 32-bit top. */
        if (!addr || last > UINT32_MAX - 1 || last < addr) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }
    if (!(cmd & PCI_COMMAND_MEMORY)) {
        return PCI_BAR_UNMAPPED;
    }
    addr = pci_get_long(d->config + off) & (uint32_t)PCI_BASE_ADDRESS_MEM_MASK;
    if (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64) {
        addr |= (uint64_t)pci_get_long(d->config + off + 4) << 32;
        last = addr + r->size - 1;
        if (!addr || last < addr || last == UINT64_MAX) {
            return PCI_BAR_UNMAPPED;
        }
        return addr;
    }
    last = addr + r->size - 1;
    if (!addr || last >= UINT32_MAX) {
        return PCI_BAR_UNMAPPED;
    }
    return addr;
}

void pci_update_mappings(PCIDevice *d)
{
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        PCIIORegion *r = &d->io_regions[n];
        if (!r->mr) {
            continue;
        }
        uint64_t addr = d->bus ? pci_bar_address(d, n) : PCI_BAR_UNMAPPED;
        if (addr == r->addr) {
            continue;
        }
        address_space_unmap_region(r->mr);
        r->addr = PCI_BAR_UNMAPPED;
        if (addr == PCI_BAR_UNMAPPED) {
            continue;
        }
        AddressSpace *as = (r->type & PCI_BASE_ADDRESS_SPACE_IO)
                           ? d->bus->io_as : d->bus->mem_as;
        g_autoptr(GError) err = NULL;
        if (as && address_space_map_region(as, r->mr, addr, &err)) {
            r->addr = addr;
        } else if (err) {
            /* A guest that programs overlapping BARs gets neither decoded. */
            g_debug("%02x.%x BAR %d: %s", PCI_SLOT(d->devfn),
                    PCI_FUNC(d->devfn), n, err->message);
        }
    }
}

uint64_t pci_get_bar_addr(PCIDevice *pdev, int n)
{
    g_assert(n >= 0 && n < PCI_NUM_REGIONS);
    return pdev->io_regions[n].addr;
}

static void pci_unmap_bars(PCIDevice *d)
{
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        if (d->io_regions[n].mr) {
            address_space_unmap_region(d->io_regions[n].mr);
            d->io_regions[n].addr = PCI_BAR_UNMAPPED;
        }
    }
}

/* ---- Config space ---- */

static bool pci_config_access_ok(uint32_t addr, unsigned len)
{
    return (len == 1 || len == 2 || len == 4) && !(addr & (len - 1)) &&
           addr < PCIE_CONFIG_SPACE_SIZE;
}

uint32_t pci_config_read(PCIDevice *pdev, uint32_t addr, unsigned len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(pdev);

    if (!pci_config_access_ok(addr, len)) {
        return len >= 4 ? UINT32_MAX : (1u << (len * 8)) - 1;
    }
    if (pc->config_read) {
        return pc->config_read(pdev, addr, len);
    }
    return pci_default_config_read(pdev, addr, len);
}

uint32_t pci_default_config_read(PCIDevice *pdev, uint32_t addr, unsigned len)
{
    uint32_t val = 0;
    for (unsigned i = 0; i < len; i++) {
        val |= (uint32_t)pdev->config[addr + i] << (8 * i);
    }
    return val;
}

static bool ranges_touch(uint32_t a, unsigned alen, uint32_t b, unsigned blen)
{
    return a < b + blen && b < a + alen;
}

void pci_config_write(PCIDevice *pdev, uint32_t addr, uint32_t val,
                      unsigned len)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(pdev);

    if (!pci_config_access_ok(addr, len)) {
        return;
    }
    for (unsigned i = 0; i < len; i++) {
        uint32_t a = addr + i;
        uint8_t b = val >> (8 * i);
        uint8_t wm = pdev->wmask[a], w1c = pdev->w1cmask[a];
        pdev->config[a] = (pdev->config[a] & ~wm) | (b & wm);
        pdev->config[a] &= ~(b & w1c);
    }
    if (ranges_touch(addr, len, PCI_BASE_ADDRESS_0, PCI_NUM_REGIONS * 4) ||
        ranges_touch(addr, len, PCI_COMMAND, 2)) {
        pci_update_mappings(pdev);
    }
    if (ranges_touch(addr, len, PCI_COMMAND, 2)) {
        pci_update_irq(pdev);
    }
    if (pdev->msix_entries &&
        ranges_touch(addr, len, pdev->msix_cap, PCI_MSIX_CAP_SIZE)) {
        msix_config_changed(pdev);
    }
    if (pc->config_write) {
        pc->config_write(pdev, addr, val, len);
    }
}

/* ---- Capabilities ---- */

static bool pci_cap_range_free(PCIDevice *d, unsigned off, unsigned size)
{
    for (unsigned i = off; i < off + size; i++) {
        if (d->used[i]) {
            return false;
        }
    }
    return true;
}

int pci_add_capability(PCIDevice *pdev, uint8_t cap_id, uint8_t offset,
                       uint8_t size, GError **errp)
{
    g_assert(size >= 2);
    if (!offset) {
        for (unsigned o = PCI_CONFIG_HEADER_SIZE;
             o + size <= PCI_CONFIG_SPACE_SIZE; o += 4) {
            if (pci_cap_range_free(pdev, o, size)) {
                offset = o;
                break;
            }
        }
        if (!offset) {
            g_set_error(errp, MV_ERROR, MV_ERROR_FAILED,
                        "PCI: no room for capability 0x%02x (%u bytes)",
                        cap_id, size);
            return -1;
        }
    } else if ((offset & 3) || offset < PCI_CONFIG_HEADER_SIZE ||
               offset + size > PCI_CONFIG_SPACE_SIZE ||
               !pci_cap_range_free(pdev, offset, size)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "PCI: capability 0x%02x at 0x%02x (%u bytes) overlaps "
                    "another or leaves the config header space",
                    cap_id, offset, size);
        return -1;
    }

    /* Append, so that a walk meets capabilities in the order they came. */
    uint8_t *link = &pdev->config[PCI_CAPABILITY_LIST];
    while (*link) {
        link = &pdev->config[*link + PCI_CAP_LIST_NEXT];
    }
    *link = offset;
    pdev->config[offset + PCI_CAP_LIST_ID] = cap_id;
    pdev->config[offset + PCI_CAP_LIST_NEXT] = 0;
    memset(pdev->used + offset, 0xff, size);
    pci_set_word(pdev->config + PCI_STATUS,
                 pci_get_word(pdev->config + PCI_STATUS) | PCI_STATUS_CAP_LIST);
    return offset;
}

uint8_t pci_find_capability(PCIDevice *pdev, uint8_t cap_id)
{
    uint8_t off = pdev->config[PCI_CAPABILITY_LIST];
    /* At most 48 capabilities fit in the 192 bytes: bound a corrupt list. */
    for (int n = 0; off && n < 48; n++) {
        if (pdev->config[off + PCI_CAP_LIST_ID] == cap_id) {
            return off;
        }
        off = pdev->config[off + PCI_CAP_LIST_NEXT];
    }
    return 0;
}

/* ---- The device type ---- */

static void pci_init_header(PCIDevice *d)
{
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    memset(d->config, 0, sizeof(d->config));
    memset(d->wmask, 0, sizeof(d->wmask));
    memset(d->w1cmask, 0, sizeof(d->w1cmask));
    memset(d->used, 0, sizeof(d->used));
    memset(d->used, 0xff, PCI_CONFIG_HEADER_SIZE);

    pci_set_word(d->config + PCI_VENDOR_ID, pc->vendor_id);
    pci_set_word(d->config + PCI_DEVICE_ID, pc->device_id);
    d->config[PCI_REVISION_ID] = pc->revision;
    pci_set_word(d->config + PCI_CLASS_DEVICE, pc->class_id);
    pci_set_word(d->config + PCI_SUBSYSTEM_VENDOR_ID, pc->subsystem_vendor_id);
    pci_set_word(d->config + PCI_SUBSYSTEM_ID, pc->subsystem_id);
    d->config[PCI_HEADER_TYPE] = d->multifunction
        ? PCI_HEADER_TYPE_MULTI_FUNCTION : PCI_HEADER_TYPE_NORMAL;

    pci_set_word(d->wmask + PCI_COMMAND,
                 PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER |
                 PCI_COMMAND_SERR | PCI_COMMAND_INTX_DISABLE);
    pci_set_word(d->w1cmask + PCI_STATUS, PCI_STATUS_W1C_MASK);
    d->wmask[PCI_CACHE_LINE_SIZE] = 0xff;
    d->wmask[PCI_INTERRUPT_LINE] = 0xff;
}

static bool pci_device_realize(DeviceState *dev, GError **errp)
{
    PCIDevice *d = PCI_DEVICE(dev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);
    PCIBus *bus = PCI_BUS(dev->parent_bus);

    /* check_address placed us; claim the slot for the duration. */
    g_assert(d->devfn >= 0 && !bus->devices[d->devfn]);
    bus->devices[d->devfn] = d;
    d->bus = bus;
    pci_init_header(d);
    if (pc->realize && !pc->realize(d, errp)) {
        pci_unmap_bars(d);
        msix_uninit(d);
        memset(d->io_regions, 0, sizeof(d->io_regions));
        bus->devices[d->devfn] = NULL;
        d->bus = NULL;
        return false;
    }
    return true;
}

static void pci_device_unrealize(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    pci_set_irq(d, 0);
    if (pc->exit) {
        pc->exit(d);
    }
    pci_unmap_bars(d);
    msix_uninit(d);
    memset(d->io_regions, 0, sizeof(d->io_regions));
    d->bus->devices[d->devfn] = NULL;
    d->bus = NULL;
}

static void pci_device_reset(DeviceState *dev)
{
    PCIDevice *d = PCI_DEVICE(dev);
    PCIDeviceClass *pc = PCI_DEVICE_GET_CLASS(d);

    /* Power-on values of the writable header registers (PCI 3.0 §6.2). */
    pci_set_word(d->config + PCI_COMMAND, 0);
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) & ~PCI_STATUS_W1C_MASK);
    d->config[PCI_CACHE_LINE_SIZE] = 0;
    d->config[PCI_INTERRUPT_LINE] = 0;
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        PCIIORegion *r = &d->io_regions[n];
        if (r->mr) {
            pci_set_long(d->config + pci_bar_offset(n), r->type);
            if (!(r->type & PCI_BASE_ADDRESS_SPACE_IO) &&
                (r->type & PCI_BASE_ADDRESS_MEM_TYPE_64)) {
                pci_set_long(d->config + pci_bar_offset(n + 1), 0);
            }
        }
    }
    pci_update_mappings(d);
    msix_reset(d);
    pci_set_irq(d, 0);
    if (pc->reset) {
        pc->reset(d);
    }
}

static void pci_device_instance_init(Object *obj)
{
    PCIDevice *d = PCI_DEVICE(obj);
    d->devfn = PCI_DEVFN_AUTO;
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        d->io_regions[n].addr = PCI_BAR_UNMAPPED;
    }
}

static void pci_device_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(oc);
    dc->bus_type = TYPE_PCI_BUS;
    dc->realize = pci_device_realize;
    dc->unrealize = pci_device_unrealize;
    dc->reset = pci_device_reset;
    object_class_add_props(oc, pci_device_props);
}

/* ---- The bus ---- */

static const char *pci_dev_name(PCIDevice *d)
{
    return object_get_typename(OBJECT(d));
}

/* Place @dev (PCI 3.0 §6.2.1: function 0 must exist and says whether the
 * slot has more functions), before it is realized. */
static bool pci_bus_check_address(BusState *b, DeviceState *dev, GError **errp)
{
    PCIBus *bus = PCI_BUS(b);
    PCIDevice *d = PCI_DEVICE(dev);

    if (d->devfn == PCI_DEVFN_AUTO) {
        for (int devfn = 0; devfn < PCI_SLOT_MAX * PCI_FUNC_MAX;
             devfn += PCI_FUNC_MAX) {
            if (!bus->devices[devfn]) {
                d->devfn = devfn;
                return true;
            }
        }
        g_set_error(errp, MV_ERROR, MV_ERROR_IN_USE,
                    "PCI: no slot/function available for %s, all in use or "
                    "reserved", pci_dev_name(d));
        return false;
    }
    PCIDevice *other = bus->devices[d->devfn];
    if (other) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IN_USE,
                    "PCI: slot %d function %d not available for %s, in use "
                    "by %s,id=%s", PCI_SLOT(d->devfn), PCI_FUNC(d->devfn),
                    pci_dev_name(d), pci_dev_name(other),
                    DEVICE(other)->id ? DEVICE(other)->id : "");
        return false;
    }
    int slot = PCI_SLOT(d->devfn);
    PCIDevice *fn0 = bus->devices[PCI_DEVFN(slot, 0)];
    if (PCI_FUNC(d->devfn) && fn0 && !fn0->multifunction) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "PCI: single function device can't be populated in "
                    "function %x.%x", slot, PCI_FUNC(d->devfn));
        return false;
    }
    if (!PCI_FUNC(d->devfn) && !d->multifunction) {
        for (int fn = 1; fn < PCI_FUNC_MAX; fn++) {
            if (bus->devices[PCI_DEVFN(slot, fn)]) {
                g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                            "PCI: %x.0 indicates single function, but %x.%x "
                            "is already populated.", slot, slot, fn);
                return false;
            }
        }
    }
    return true;
}

static void pci_bus_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = (BusClass *)oc;
    bc->check_address = pci_bus_check_address;
}

PCIBus *pci_bus_new(DeviceState *parent, const char *name,
                    AddressSpace *mem_as, AddressSpace *io_as,
                    AddressSpace *dma_as, PCIMapIRQFunc map_irq,
                    PCISetIRQFunc set_irq, void *irq_opaque)
{
    PCIBus *bus = PCI_BUS(qbus_new(TYPE_PCI_BUS, parent, name));
    bus->mem_as = mem_as;
    bus->io_as = io_as;
    bus->dma_as = dma_as;
    bus->map_irq = map_irq;
    bus->set_irq = set_irq;
    bus->irq_opaque = irq_opaque;
    return bus;
}

PCIDevice *pci_bus_find_device(PCIBus *bus, int devfn)
{
    if (devfn < 0 || devfn >= PCI_SLOT_MAX * PCI_FUNC_MAX) {
        return NULL;
    }
    return bus->devices[devfn];
}

static const TypeInfo pci_types[] = {
    {
        .name = TYPE_PCI_DEVICE,
        .parent = TYPE_DEVICE,
        .abstract = true,
        .instance_size = sizeof(PCIDevice),
        .class_size = sizeof(PCIDeviceClass),
        .class_init = pci_device_class_init,
        .instance_init = pci_device_instance_init,
    },
    {
        .name = TYPE_PCI_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(PCIBus),
        .class_size = sizeof(BusClass),
        .class_init = pci_bus_class_init,
    },
};

static void pci_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pci_types); i++) {
        type_register_static(&pci_types[i]);
    }
}
type_init(pci_register_types)
