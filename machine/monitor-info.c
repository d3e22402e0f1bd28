/*
 * machine/monitor-info.c: the human monitor's `info` subcommands.  The
 * layout of info chardev, info pci and info qtree is QEMU's, so scripts
 * that read QEMU's output read ours; info virtio-serial is minivirt's own.
 */
#include <inttypes.h>
#include <string.h>

#include "hw/char/virtio-serial.h"
#include "hw/pci/pci.h"
#include "machine/monitor-internal.h"

/* ---- info chardev -------------------------------------------------------------- */

static int info_chardev_one(Object *child, void *opaque)
{
    Chardev *chr = (Chardev *)object_dynamic_cast(child, TYPE_CHARDEV);

    if (chr) {
        g_string_append_printf(opaque, "%s: filename=%s\n", chr->label,
                               chr->filename ? chr->filename : "");
    }
    return 0;
}

void hmp_info_chardev(MonitorContext *ctx, GString *out)
{
    object_child_foreach(ctx->chardevs, info_chardev_one, out);
}

/* ---- info status ------------------------------------------------------------------ */

void hmp_info_status(MonitorContext *ctx, GString *out)
{
    const char *status = ctx->ops->status(ctx->opaque);

    if (!strcmp(status, "running")) {
        g_string_append(out, "VM status: running\n");
    } else if (!strcmp(status, "paused")) {
        g_string_append(out, "VM status: paused\n");
    } else {
        g_string_append_printf(out, "VM status: paused (%s)\n", status);
    }
}

/* ---- info pci ------------------------------------------------------------------------ */

/*
 * The class names QEMU's info pci knows (a subset of PCI Code and ID
 * Assignment 1.11 §1); others print as "Class NNNN", e.g. virtio-serial's
 * 0x0780 as "Class 1920".
 */
static const struct {
    uint16_t class_id;
    const char *desc;
} pci_classes[] = {
    { 0x0100, "SCSI controller" },
    { 0x0101, "IDE controller" },
    { 0x0106, "SATA controller" },
    { 0x0108, "NVMe controller" },
    { 0x0200, "Ethernet controller" },
    { 0x0300, "VGA controller" },
    { 0x0600, "Host bridge" },
    { 0x0601, "ISA bridge" },
    { 0x0604, "PCI bridge" },
    { 0x0700, "Serial port" },
    { 0x0701, "Parallel port" },
    { 0x0c03, "USB controller" },
};

const char *pci_class_desc(uint16_t class_id)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pci_classes); i++) {
        if (pci_classes[i].class_id == class_id) {
            return pci_classes[i].desc;
        }
    }
    return NULL;
}

/* Vendor and device names (pci.ids) of the devices minivirt models. */
static const struct {
    uint16_t vendor, device;
    const char *vendor_name, *device_name;
} pci_names[] = {
    { 0x1af4, 0x1003, "Red Hat, Inc.", "Virtio console" },
    { 0x1af4, 0x1043, "Red Hat, Inc.", "Virtio 1.0 console" },
    { 0x1b36, 0x0008, "Red Hat, Inc.", "QEMU PCIe Host bridge" },
};

static void info_pci_names(GString *out, uint16_t vendor, uint16_t device)
{
    for (size_t i = 0; i < G_N_ELEMENTS(pci_names); i++) {
        if (pci_names[i].vendor == vendor && pci_names[i].device == device) {
            g_string_append_printf(out, "      %s %s\n",
                                   pci_names[i].vendor_name,
                                   pci_names[i].device_name);
            return;
        }
    }
}

static void info_pci_bar(GString *out, PCIDevice *pdev, int n)
{
    const PCIIORegion *r = &pdev->io_regions[n];
    uint64_t addr = pci_get_bar_addr(pdev, n);

    if (!r->mr) {
        return;
    }
    g_string_append_printf(out, "      BAR%d: ", n);
    if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
        if (addr == PCI_BAR_UNMAPPED) {
            g_string_append(out, "I/O (not mapped)\n");
        } else {
            g_string_append_printf(out, "I/O at 0x%04" PRIx64 " [0x%04" PRIx64
                                   "].\n", addr, addr + r->size - 1);
        }
        return;
    }
    g_string_append_printf(out, "%d bit%s memory",
                           r->type & PCI_BASE_ADDRESS_MEM_TYPE_64 ? 64 : 32,
                           r->type & PCI_BASE_ADDRESS_MEM_PREFETCH ?
                           " prefetchable" : "");
    if (addr == PCI_BAR_UNMAPPED) {
        g_string_append(out, " (not mapped)\n");
    } else {
        g_string_append_printf(out, " at 0x%08" PRIx64 " [0x%08" PRIx64 "].\n",
                               addr, addr + r->size - 1);
    }
}

static void info_pci_bus(Object *obj, void *opaque)
{
    PCIBus *bus = PCI_BUS(obj);
    GString *out = opaque;

    for (int devfn = 0; devfn < PCI_SLOT_MAX * PCI_FUNC_MAX; devfn++) {
        PCIDevice *pdev = bus->devices[devfn];
        const uint8_t *c;
        uint16_t class_id, vendor, device;
        const char *desc;
        uint8_t pin;

        if (!pdev) {
            continue;
        }
        c = pdev->config;
        class_id = pci_get_word(c + PCI_CLASS_DEVICE);
        vendor = pci_get_word(c + PCI_VENDOR_ID);
        device = pci_get_word(c + PCI_DEVICE_ID);
        desc = pci_class_desc(class_id);
        /* Bus 0: the ECAM host has no bridges (hw/pci/pci-host.h). */
        g_string_append_printf(out, "  Bus %2d, device %3d, function %d:\n", 0,
                               PCI_SLOT(devfn), PCI_FUNC(devfn));
        if (desc) {
            g_string_append_printf(out, "    %s", desc);
        } else {
            g_string_append_printf(out, "    Class %04d", class_id);
        }
        g_string_append_printf(out, ": PCI device %04x:%04x\n", vendor, device);
        info_pci_names(out, vendor, device);
        g_string_append_printf(out, "      PCI subsystem %04x:%04x\n",
                               pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID),
                               pci_get_word(c + PCI_SUBSYSTEM_ID));
        pin = c[PCI_INTERRUPT_PIN];
        if (pin >= 1 && pin <= PCI_NUM_PINS) {
            g_string_append_printf(out, "      IRQ %d, pin %c\n",
                                   c[PCI_INTERRUPT_LINE], 'A' + pin - 1);
        }
        for (int n = 0; n < PCI_NUM_REGIONS; n++) {
            info_pci_bar(out, pdev, n);
        }
        g_string_append_printf(out, "      id \"%s\"\n",
                               DEVICE(pdev)->id ? DEVICE(pdev)->id : "");
    }
}

void hmp_info_pci(MonitorContext *ctx, GString *out)
{
    monitor_foreach_object(ctx->machine, TYPE_PCI_BUS, info_pci_bus, out);
}

/* ---- info qtree ------------------------------------------------------------------------ */

typedef struct QtreePrint {
    GString *out;
    DeviceState *dev;
    int indent;
} QtreePrint;

static void qtree_prop(const ObjectProperty *prop, void *opaque)
{
    QtreePrint *q = opaque;
    g_autofree char *v = object_property_print(OBJECT(q->dev), prop->name,
                                               NULL);
    uint64_t n;

    /* The id is on the dev: line already, as QEMU shows it. */
    if (!v || !strcmp(prop->name, "id")) {
        return;
    }
    g_string_append_printf(q->out, "%*s%s = ", q->indent, "", prop->name);
    switch (prop->kind) {
    case PROP_KIND_STR:
    case PROP_KIND_LINK:
        g_string_append_printf(q->out, "\"%s\"\n", v);
        break;
    case PROP_KIND_BOOL:
        g_string_append_printf(q->out, "%s\n",
                               !strcmp(v, "on") ? "true" : "false");
        break;
    case PROP_KIND_UINT32:
    case PROP_KIND_UINT64:
    case PROP_KIND_SIZE:
        n = g_ascii_strtoull(v, NULL, 10);
        g_string_append_printf(q->out, "%" PRIu64 " (0x%" PRIx64 ")\n", n, n);
        break;
    default:
        g_string_append_printf(q->out, "%s\n", v);
    }
}

/* QEMU's pcibus_dev_print: the PCI identity and BARs of a device. */
static void qtree_pci(GString *out, PCIDevice *pdev, int indent)
{
    const uint8_t *c = pdev->config;
    uint16_t class_id = pci_get_word(c + PCI_CLASS_DEVICE);
    const char *desc = pci_class_desc(class_id);

    g_string_append_printf(out, "%*sclass ", indent, "");
    if (desc) {
        g_string_append(out, desc);
    } else {
        g_string_append_printf(out, "Class %04x", class_id);
    }
    g_string_append_printf(out, ", addr %02x:%02x.%x, pci id %04x:%04x "
                           "(sub %04x:%04x)\n", 0, PCI_SLOT(pdev->devfn),
                           PCI_FUNC(pdev->devfn),
                           pci_get_word(c + PCI_VENDOR_ID),
                           pci_get_word(c + PCI_DEVICE_ID),
                           pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID),
                           pci_get_word(c + PCI_SUBSYSTEM_ID));
    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        const PCIIORegion *r = &pdev->io_regions[n];
        uint64_t addr = pci_get_bar_addr(pdev, n);

        if (!r->mr) {
            continue;
        }
        g_string_append_printf(out, "%*sbar %d: %s at 0x%" PRIx64 " [0x%"
                               PRIx64 "]\n", indent, "", n,
                               r->type & PCI_BASE_ADDRESS_SPACE_IO ? "i/o" : "mem",
                               addr, addr == PCI_BAR_UNMAPPED ?
                               addr : addr + r->size - 1);
    }
}

static void qtree_bus(GString *out, BusState *bus, int indent);

static void qtree_dev(GString *out, DeviceState *dev, int indent)
{
    QtreePrint q = { out, dev, indent + 2 };

    g_string_append_printf(out, "%*sdev: %s, id \"%s\"\n", indent, "",
                           object_get_typename(OBJECT(dev)),
                           dev->id ? dev->id : "");
    object_class_property_foreach(object_get_class(OBJECT(dev)), qtree_prop,
                                  &q);
    if (object_dynamic_cast(OBJECT(dev), TYPE_PCI_DEVICE)) {
        qtree_pci(out, PCI_DEVICE(dev), indent + 2);
    }
    for (guint i = 0; dev->child_buses && i < dev->child_buses->len; i++) {
        qtree_bus(out, g_ptr_array_index(dev->child_buses, i), indent + 2);
    }
}

static void qtree_bus(GString *out, BusState *bus, int indent)
{
    g_string_append_printf(out, "%*sbus: %s\n", indent, "", bus->name);
    g_string_append_printf(out, "%*stype %s\n", indent + 2, "",
                           object_get_typename(OBJECT(bus)));
    for (guint i = 0; i < bus->children->len; i++) {
        qtree_dev(out, g_ptr_array_index(bus->children, i), indent + 2);
    }
}

/* Devices on no bus (the host bridge, the board's) hang off QEMU's sysbus. */
static int qtree_root_devs(Object *child, void *opaque)
{
    DeviceState *dev = (DeviceState *)object_dynamic_cast(child, TYPE_DEVICE);

    if (dev) {
        if (!dev->parent_bus) {
            qtree_dev(opaque, dev, 2);
        }
        return 0;   /* its buses are printed with it */
    }
    if (!object_dynamic_cast(child, TYPE_BUS)) {
        object_child_foreach(child, qtree_root_devs, opaque);
    }
    return 0;
}

void hmp_info_qtree(MonitorContext *ctx, GString *out)
{
    g_string_append(out, "bus: main-system-bus\n  type System\n");
    object_child_foreach(ctx->machine, qtree_root_devs, out);
}

/* ---- info virtio-serial ------------------------------------------------------------ */

static void info_vser_port(VirtIOSerialPort *port, void *opaque)
{
    GString *out = opaque;
    DeviceState *dev = DEVICE(port);
    VirtIOSerialPortStats st;
    g_autofree char *chardev = object_property_print(OBJECT(port), "chardev",
                                                     NULL);

    virtio_serial_port_get_stats(port, &st);
    g_string_append_printf(out, "  port %u: %s, id \"%s\", name \"%s\", "
                           "chardev \"%s\"\n", st.nr,
                           object_get_typename(OBJECT(port)),
                           dev->id ? dev->id : "", port->name ? port->name : "",
                           chardev ? chardev : "");
    g_string_append_printf(out, "    guest %s, host %s, %s\n",
                           st.guest_connected ? "connected" : "disconnected",
                           st.host_connected ? "connected" : "disconnected",
                           st.throttled ? "throttled" : "not throttled");
    g_string_append_printf(out, "    bytes to guest %" PRIu64 ", from guest %"
                           PRIu64 ", held %" PRIu64 ", dropped %" PRIu64 "\n",
                           st.bytes_to_guest, st.bytes_from_guest,
                           st.bytes_held, st.bytes_dropped);
}

static void info_vser_dev(Object *obj, void *opaque)
{
    DeviceState *dev = DEVICE(obj);
    GString *out = opaque;
    BusState *bus = dev->child_buses && dev->child_buses->len ?
                    g_ptr_array_index(dev->child_buses, 0) : NULL;

    g_string_append_printf(out, "%s \"%s\", bus %s:\n",
                           object_get_typename(obj), dev->id ? dev->id : "",
                           bus ? bus->name : "(none)");
    virtio_serial_foreach_port(dev, info_vser_port, out);
}

void hmp_info_virtio_serial(MonitorContext *ctx, GString *out)
{
    gsize before = out->len;

    monitor_foreach_object(ctx->machine, TYPE_VIRTIO_SERIAL_PCI,
                           info_vser_dev, out);
    if (out->len == before) {
        g_string_append(out, "No virtio-serial devices\n");
    }
}
