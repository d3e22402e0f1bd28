/*
 * hw/char/virtio-serial-pci.c: "virtio-serial-pci", the console device on
 * the virtio PCI transport.  The transport (hw/virtio/virtio-pci.c) gives
 * it its PCI identity (vendor 0x1af4, device 0x1003 transitional or 0x1043
 * modern-only, subsystem id 3); this file adds the class, the properties
 * and the bus of ports, and hands the device model (virtio-serial-bus.c)
 * to the transport.
 *
 * Properties: max_ports (1..511, default 31), emergency-write (default
 * on), plus virtio-pci's vectors (default max_ports + 1, as QEMU),
 * ioeventfd, disable-legacy, disable-modern and pci-device's addr.
 * Realize errors, in QEMU's words: "Maximum number of serial ports not
 * specified" (max_ports=0), "maximum ports supported: 511".
 */
#include "hw/char/virtio-serial-internal.h"
#include "hw/virtio/virtio-pci.h"
#include "qom/error.h"

typedef struct VirtIOSerialPCI {
    VirtIOPCIProxy parent_obj;
    VirtIOSerial vser;
} VirtIOSerialPCI;

DECLARE_TYPE(VirtIOSerialPCI, VirtIOPCIClass, VIRTIO_SERIAL_PCI,
             TYPE_VIRTIO_SERIAL_PCI)

VirtIOSerial *virtio_serial_from_device(DeviceState *dev)
{
    Object *obj = object_dynamic_cast(OBJECT(dev), TYPE_VIRTIO_SERIAL_PCI);

    return obj ? &VIRTIO_SERIAL_PCI(obj)->vser : NULL;
}

/*
 * QEMU's bus naming: "<id>.0" for a device with an id, else the bus type
 * and the first number not taken in this machine.
 */
static char *vser_bus_name(DeviceState *dev)
{
    Object *root = object_get_root(OBJECT(dev));
    char *name = NULL;

    if (dev->id) {
        return g_strdup_printf("%s.0", dev->id);
    }
    for (unsigned n = 0; !name || qbus_find(root, name); n++) {
        g_free(name);
        name = g_strdup_printf("%s.%u", TYPE_VIRTIO_SERIAL_BUS, n);
    }
    return name;
}

static bool vser_pci_realize(VirtIOPCIProxy *proxy, GError **errp)
{
    VirtIOSerialPCI *d = VIRTIO_SERIAL_PCI(proxy);
    DeviceState *dev = DEVICE(proxy);
    VirtIOSerial *vser = &d->vser;

    if (!vser->max_ports) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Maximum number of serial ports not specified");
        return false;
    }
    if (vser->max_ports > VIRTIO_SERIAL_MAX_PORTS) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "maximum ports supported: %u", VIRTIO_SERIAL_MAX_PORTS);
        return false;
    }
    if (proxy->vectors == VIRTIO_PCI_VECTORS_UNSPECIFIED) {
        proxy->vectors = vser->max_ports + 1;
    }

    g_autofree char *path = qdev_describe(dev);
    virtio_init(&proxy->vdev, &virtio_serial_ops, vser,
                vser_num_queues(vser->max_ports),
                pci_get_address_space(PCI_DEVICE(proxy)), path);
    g_autofree char *bus_name = vser_bus_name(dev);
    virtio_serial_model_init(vser, dev, &proxy->vdev, bus_name);
    return true;
}

static void vser_pci_unrealize(VirtIOPCIProxy *proxy)
{
    virtio_serial_model_cleanup(&VIRTIO_SERIAL_PCI(proxy)->vser);
}

static const ObjectProperty vser_pci_props[] = {
    PROP_UINT32("max_ports", VirtIOSerialPCI, vser.max_ports,
                VIRTIO_SERIAL_DEFAULT_MAX_PORTS,
                "number of ports the device offers (1-511)"),
    PROP_BOOL("emergency-write", VirtIOSerialPCI, vser.emergency_write, true,
              "offer VIRTIO_CONSOLE_F_EMERG_WRITE"),
    PROP_END
};

static void vser_pci_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = (DeviceClass *)oc;
    PCIDeviceClass *pc = (PCIDeviceClass *)oc;
    VirtIOPCIClass *vc = (VirtIOPCIClass *)oc;

    dc->desc = "virtio serial/console device (multiport)";
    dc->user_creatable = true;
    pc->class_id = VIRTIO_PCI_CLASS_COMM_OTHER;
    vc->realize = vser_pci_realize;
    vc->unrealize = vser_pci_unrealize;
    object_class_add_props(oc, vser_pci_props);
}

static const TypeInfo vser_pci_type = {
    .name = TYPE_VIRTIO_SERIAL_PCI,
    .parent = TYPE_VIRTIO_PCI,
    .instance_size = sizeof(VirtIOSerialPCI),
    .class_init = vser_pci_class_init,
};

static void vser_pci_register_types(void)
{
    type_register_static(&vser_pci_type);
}
type_init(vser_pci_register_types)
