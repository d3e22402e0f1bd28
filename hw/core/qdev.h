/*
 * hw/core/qdev.h: devices and buses.
 *
 * A device is a QOM object with properties that are set before it is
 * realized, a realize hook that may fail, and an unrealize hook.  It sits
 * on a bus of the type its class names; a device may own buses of its own
 * (virtio-serial-pci owns "<id>.0").  Buses are QOM children of their
 * device, and devices created from the command line are children of
 * /machine/peripheral (with an id) or /machine/peripheral-anon (without).
 *
 * Threads: the main thread.
 */
#ifndef HW_CORE_QDEV_H
#define HW_CORE_QDEV_H

#include "qom/object.h"
#include "qom/property.h"

#define TYPE_DEVICE "device"
#define TYPE_BUS "bus"
#define TYPE_CONTAINER "container"

typedef struct BusState BusState;
typedef struct DeviceState DeviceState;

struct DeviceState {
    Object parent_obj;
    char *id;               /* the user's id=, or NULL */
    bool realized;
    BusState *parent_bus;   /* not a reference: the bus lists us */
    GPtrArray *child_buses; /* BusState *, owned through the QOM tree */
};

/*
 * DeviceClass hooks.
 * @realize: optional; make the device live (claim chardevs, map regions,
 *   check properties).  On failure set @errp, undo everything, return false.
 * @unrealize: optional; undo @realize.  Called before the device leaves its
 *   bus (hot-unplug or shutdown).
 * @reset: optional; the device's power-on state.  Child buses are reset
 *   after the device.
 * @bus_type: the bus type the device plugs into, or NULL for none.
 * @user_creatable: may be created with -device / device_add.
 * @hotpluggable: may be added or removed while the machine runs.
 */
typedef struct DeviceClass {
    ObjectClass parent_class;
    const char *desc;
    const char *bus_type;
    bool user_creatable;
    bool hotpluggable;
    bool (*realize)(DeviceState *dev, GError **errp);
    void (*unrealize)(DeviceState *dev);
    void (*reset)(DeviceState *dev);
} DeviceClass;

struct BusState {
    Object parent_obj;
    char *name;             /* "vser0.0", "pcie.0" */
    DeviceState *parent;    /* the device that owns the bus, or NULL */
    GPtrArray *children;    /* DeviceState *, in plug order, referenced */
    bool realized;
};

/*
 * BusClass hooks, all optional.
 * @check_address: refuse @dev's address properties before it is plugged
 *   (a duplicate nr=, a taken PCI slot).
 * @plug / @unplug: tell the bus's owner that a realized device arrived or
 *   is about to go (virtio-serial sends PORT_ADD / PORT_REMOVE here).
 * @max_dev: 0 = no limit.
 */
typedef struct BusClass {
    ObjectClass parent_class;
    bool (*check_address)(BusState *bus, DeviceState *dev, GError **errp);
    void (*plug)(BusState *bus, DeviceState *dev);
    void (*unplug)(BusState *bus, DeviceState *dev);
    unsigned max_dev;
} BusClass;

DECLARE_TYPE(DeviceState, DeviceClass, DEVICE, TYPE_DEVICE)
DECLARE_TYPE(BusState, BusClass, BUS, TYPE_BUS)

/*
 * qbus_new: create a bus of @typename named @name, owned by @parent (it
 * becomes @parent's QOM child under @name and is freed with it).  @parent
 * may be NULL for a root bus (the caller then holds the reference).
 */
BusState *qbus_new(const char *typename, DeviceState *parent, const char *name);

/*
 * qbus_find: the bus named @name anywhere below @root (depth first, devices
 * and buses alike), or NULL.
 */
BusState *qbus_find(Object *root, const char *name);

/*
 * qbus_find_free: the first bus below @root of type @bus_type with room
 * for another device, or NULL.
 */
BusState *qbus_find_free(Object *root, const char *bus_type);

/*
 * qdev_prop_parse: set a property of an unrealized device from a string.
 * After realize: MV_ERROR_INVALID "Attempt to set property 'P' on device
 * 'ID' after it was realized".  Other errors as object_property_parse.
 */
bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     GError **errp);

/*
 * qdev_realize: plug @dev into @bus (may be NULL only for a device without
 * bus_type), check its address, realize it and tell the bus.  Takes a
 * reference for the bus.  On failure nothing is plugged and @errp is set:
 * "Bus 'B' does not support hotplugging", a wrong bus type, a full bus, or
 * the device's own error.
 */
bool qdev_realize(DeviceState *dev, BusState *bus, GError **errp);

/*
 * qdev_unrealize: the reverse: unrealize child buses' devices (last first),
 * tell the bus, run the device's unrealize, leave the bus and drop its
 * reference.  The caller usually unparents the device next.
 */
void qdev_unrealize(DeviceState *dev);

/* qdev_reset: reset @dev, then every device on its child buses. */
void qdev_reset(DeviceState *dev);

/* The id, or the QOM path when there is none (for messages).  Freed by caller. */
char *qdev_describe(DeviceState *dev);

/*
 * qdev_get_machine_container: the child @name of @root ("peripheral",
 * "peripheral-anon", "chardevs"), created as a "container" if missing.
 */
Object *qdev_get_container(Object *root, const char *name);

#endif /* HW_CORE_QDEV_H */
