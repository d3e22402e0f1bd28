/*
 * hw/core/qdev.c: the device and bus base types.
 */
#include <string.h>

#include "hw/core/qdev.h"
#include "qom/error.h"

static const ObjectProperty device_props[] = {
    PROP_STR("id", DeviceState, id, "the device's name under /machine/peripheral"),
    PROP_END
};

/* Leaving the tree takes a device down: children first, then itself. */
static void device_unparent(Object *obj)
{
    qdev_unrealize(DEVICE(obj));
}

static void device_class_init(ObjectClass *oc, void *data)
{
    oc->unparent = device_unparent;
    object_class_add_props(oc, device_props);
}

static void device_instance_init(Object *obj)
{
    DEVICE(obj)->child_buses = g_ptr_array_new();
}

static void device_finalize(Object *obj)
{
    DeviceState *dev = DEVICE(obj);
    g_assert(!dev->realized);
    g_ptr_array_free(dev->child_buses, true);
}

static void bus_instance_init(Object *obj)
{
    BUS(obj)->children = g_ptr_array_new();
}

static void bus_finalize(Object *obj)
{
    BusState *bus = BUS(obj);
    /* Children still plugged (a root bus freed at shutdown): unplug them. */
    while (bus->children->len) {
        DeviceState *dev = g_ptr_array_index(bus->children,
                                             bus->children->len - 1);
        if (dev->realized) {
            qdev_unrealize(dev);
        } else {
            g_ptr_array_remove_index(bus->children, bus->children->len - 1);
            dev->parent_bus = NULL;
            object_unref(OBJECT(dev));
        }
    }
    g_ptr_array_free(bus->children, true);
    g_free(bus->name);
}

static const TypeInfo qdev_types[] = {
    {
        .name = TYPE_DEVICE,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(DeviceState),
        .class_size = sizeof(DeviceClass),
        .class_init = device_class_init,
        .instance_init = device_instance_init,
        .instance_finalize = device_finalize,
    },
    {
        .name = TYPE_BUS,
        .parent = TYPE_OBJECT,
        .abstract = true,
        .instance_size = sizeof(BusState),
        .class_size = sizeof(BusClass),
        .instance_init = bus_instance_init,
        .instance_finalize = bus_finalize,
    },
    {
        .name = TYPE_CONTAINER,
        .parent = TYPE_OBJECT,
        .instance_size = sizeof(Object),
    },
};

static void qdev_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(qdev_types); i++) {
        type_register_static(&qdev_types[i]);
    }
}
type_init(qdev_register_types)

BusState *qbus_new(const char *typename, DeviceState *parent, const char *name)
{
    BusState *bus = BUS(object_new(typename));
    bus->name = g_strdup(name);
    bus->parent = parent;
    if (parent) {
        GError *err = NULL;
        if (!object_property_add_child(OBJECT(parent), name, OBJECT(bus),
                                       &err)) {
            g_error("qbus_new: %s", err->message);
        }
        object_unref(OBJECT(bus));
        g_ptr_array_add(parent->child_buses, bus);
    }
    return bus;
}

typedef struct BusSearch {
    const char *name;       /* match by name, or */
    const char *type;       /* by type with room */
    BusState *found;
} BusSearch;

static bool bus_has_room(BusState *bus)
{
    unsigned max = BUS_GET_CLASS(bus)->max_dev;
    return !max || bus->children->len < max;
}

static int bus_search(Object *obj, void *opaque)
{
    BusSearch *s = opaque;
    BusState *bus = (BusState *)object_dynamic_cast(obj, TYPE_BUS);

    if (bus) {
        if (s->name ? strcmp(bus->name, s->name) == 0
                    : (object_dynamic_cast(obj, s->type) && bus_has_room(bus))) {
            s->found = bus;
            return 1;
        }
        /* A bus's devices are not its QOM children: walk them explicitly. */
        for (unsigned i = 0; i < bus->children->len; i++) {
            if (bus_search(g_ptr_array_index(bus->children, i), s)) {
                return 1;
            }
        }
    }
    return object_child_foreach(obj, bus_search, s);
}

BusState *qbus_find(Object *root, const char *name)
{
    BusSearch s = { .name = name };
    bus_search(root, &s);
    return s.found;
}

BusState *qbus_find_free(Object *root, const char *bus_type)
{
    BusSearch s = { .type = bus_type };
    bus_search(root, &s);
    return s.found;
}

char *qdev_describe(DeviceState *dev)
{
    if (dev->id) {
        return g_strdup(dev->id);
    }
    return object_get_canonical_path(OBJECT(dev));
}

bool qdev_prop_parse(DeviceState *dev, const char *name, const char *value,
                     GError **errp)
{
    if (dev->realized) {
        g_autofree char *who = qdev_describe(dev);
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Attempt to set property '%s' on device '%s' after it was "
                    "realized", name, who);
        return false;
    }
    return object_property_parse(OBJECT(dev), name, value, errp);
}

bool qdev_realize(DeviceState *dev, BusState *bus, GError **errp)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);

    g_assert(!dev->realized && !dev->parent_bus);
    if (dc->bus_type) {
        if (!bus) {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                        "No '%s' bus found for device '%s'", dc->bus_type,
                        object_get_typename(OBJECT(dev)));
            return false;
        }
        if (!object_dynamic_cast(OBJECT(bus), dc->bus_type)) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Bus '%s' is of type '%s', but device '%s' needs '%s'",
                        bus->name, object_get_typename(OBJECT(bus)),
                        object_get_typename(OBJECT(dev)), dc->bus_type);
            return false;
        }
        if (!bus_has_room(bus)) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Bus '%s' is full", bus->name);
            return false;
        }
        if (bus->realized && !dc->hotpluggable) {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                        "Device '%s' can not be hotplugged on this machine",
                        object_get_typename(OBJECT(dev)));
            return false;
        }
        BusClass *bc = BUS_GET_CLASS(bus);
        if (bc->check_address && !bc->check_address(bus, dev, errp)) {
            return false;
        }
    } else if (bus) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Device '%s' does not plug into a bus",
                    object_get_typename(OBJECT(dev)));
        return false;
    }

    /* Plugged before realize, so that realize can reach its bus's owner. */
    if (bus) {
        dev->parent_bus = bus;
        g_ptr_array_add(bus->children, object_ref(OBJECT(dev)));
    }
    if (dc->realize && !dc->realize(dev, errp)) {
        if (bus) {
            g_ptr_array_remove(bus->children, dev);
            dev->parent_bus = NULL;
            object_unref(OBJECT(dev));
        }
        return false;
    }
    dev->realized = true;
    for (unsigned i = 0; i < dev->child_buses->len; i++) {
        BUS(g_ptr_array_index(dev->child_buses, i))->realized = true;
    }
    if (bus && BUS_GET_CLASS(bus)->plug) {
        BUS_GET_CLASS(bus)->plug(bus, dev);
    }
    return true;
}

void qdev_unrealize(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    BusState *bus = dev->parent_bus;

    if (!dev->realized) {
        return;
    }
    for (unsigned i = 0; i < dev->child_buses->len; i++) {
        BusState *child = g_ptr_array_index(dev->child_buses, i);
        while (child->children->len) {
            DeviceState *d = g_ptr_array_index(child->children,
                                               child->children->len - 1);
            object_ref(OBJECT(d));
            qdev_unrealize(d);
            object_unparent(OBJECT(d));
            object_unref(OBJECT(d));
        }
        child->realized = false;
    }
    if (bus && BUS_GET_CLASS(bus)->unplug) {
        BUS_GET_CLASS(bus)->unplug(bus, dev);
    }
    if (dc->unrealize) {
        dc->unrealize(dev);
    }
    dev->realized = false;
    if (bus) {
        g_ptr_array_remove(bus->children, dev);
        dev->parent_bus = NULL;
        object_unref(OBJECT(dev));
    }
}

void qdev_reset(DeviceState *dev)
{
    DeviceClass *dc = DEVICE_GET_CLASS(dev);
    if (dc->reset) {
        dc->reset(dev);
    }
    for (unsigned i = 0; i < dev->child_buses->len; i++) {
        BusState *bus = g_ptr_array_index(dev->child_buses, i);
        for (unsigned j = 0; j < bus->children->len; j++) {
            qdev_reset(g_ptr_array_index(bus->children, j));
        }
    }
}

Object *qdev_get_container(Object *root, const char *name)
{
    Object *c = object_get_child(root, name);
    if (!c) {
        c = object_new(TYPE_CONTAINER);
        g_assert(object_property_add_child(root, name, c, NULL));
        object_unref(c);
    }
    return c;
}
