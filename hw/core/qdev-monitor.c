/*
 * hw/core/qdev-monitor.c: -device and device_add.
 */
#include <string.h>

#include "hw/core/qdev-monitor.h"
#include "qom/error.h"
#include "qom/opts.h"

bool id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(*id)) {
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

DeviceState *qdev_find_by_id(Object *machine, const char *id)
{
    Object *periph = object_get_child(machine, "peripheral");
    Object *o = periph ? object_get_child(periph, id) : NULL;
    return (DeviceState *)object_dynamic_cast(o, TYPE_DEVICE);
}

static DeviceClass *device_class_for_user(const char *driver, GError **errp)
{
    ObjectClass *oc = object_class_by_name(driver);
    DeviceClass *dc = (DeviceClass *)object_class_dynamic_cast(oc, TYPE_DEVICE);
    if (!dc || object_class_is_abstract(oc) || !dc->user_creatable) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "'%s' is not a valid device model name", driver);
        return NULL;
    }
    return dc;
}

static BusState *find_bus(Object *machine, DeviceClass *dc, const char *path,
                          GError **errp)
{
    if (!dc->bus_type) {
        if (path) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Device '%s' does not plug into a bus",
                        object_class_get_name(OBJECT_CLASS(dc)));
        }
        return NULL;
    }
    if (!path) {
        return qbus_find_free(machine, dc->bus_type);
    }
    BusState *bus = path[0] == '/'
        ? (BusState *)object_resolve_path(machine, path, TYPE_BUS)
        : qbus_find(machine, path);
    if (!bus) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND, "Bus '%s' not found",
                    path);
    }
    return bus;
}

DeviceState *qdev_device_add(Object *machine, const char *optstr, GError **errp)
{
    g_autoptr(Opts) opts = opts_parse(optstr, "driver", NULL, errp);
    if (!opts) {
        return NULL;
    }
    const char *driver = opts_get(opts, "driver");
    const char *id = opts_get(opts, "id");
    if (!driver) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'driver' is missing");
        return NULL;
    }
    DeviceClass *dc = device_class_for_user(driver, errp);
    if (!dc) {
        return NULL;
    }
    if (id && !id_wellformed(id)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'id' expects an identifier");
        return NULL;
    }
    if (id && qdev_find_by_id(machine, id)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_EXISTS,
                    "Duplicate ID '%s' for device", id);
        return NULL;
    }
    GError *err = NULL;
    BusState *bus = find_bus(machine, dc, opts_get(opts, "bus"), &err);
    if (err) {
        g_propagate_error(errp, err);
        return NULL;
    }

    DeviceState *dev = DEVICE(object_new(driver));
    for (unsigned i = 0; i < opts_count(opts); i++) {
        const char *k = opts_key(opts, i);
        if (strcmp(k, "driver") == 0 || strcmp(k, "bus") == 0) {
            continue;
        }
        if (!qdev_prop_parse(dev, k, opts_value(opts, i), errp)) {
            object_unref(OBJECT(dev));
            return NULL;
        }
    }

    /* In the tree before realize, so realize errors can name the path. */
    Object *parent;
    g_autofree char *name = NULL;
    if (id) {
        parent = qdev_get_container(machine, "peripheral");
        name = g_strdup(id);
    } else {
        parent = qdev_get_container(machine, "peripheral-anon");
        for (unsigned n = 0; !name || object_get_child(parent, name); n++) {
            g_free(name);
            name = g_strdup_printf("device[%u]", n);
        }
    }
    g_assert(object_property_add_child(parent, name, OBJECT(dev), NULL));
    object_unref(OBJECT(dev));
    if (!qdev_realize(dev, bus, errp)) {
        object_unparent(OBJECT(dev));
        return NULL;
    }
    return dev;
}

static void prop_help_line(const ObjectProperty *p, void *opaque)
{
    g_autofree char *line = object_property_help(p);
    g_string_append_printf(opaque, "%s\n", line);
}

bool qdev_device_help(const char *optstr, GString *out, GError **errp)
{
    if (strcmp(optstr, "help") == 0 || strcmp(optstr, "?") == 0) {
        GSList *list = object_class_get_list(TYPE_DEVICE, false);
        for (GSList *l = list; l; l = l->next) {
            DeviceClass *dc = l->data;
            if (!dc->user_creatable) {
                continue;
            }
            g_string_append_printf(out, "name \"%s\"",
                                   object_class_get_name(l->data));
            if (dc->bus_type) {
                g_string_append_printf(out, ", bus %s", dc->bus_type);
            }
            if (dc->desc) {
                g_string_append_printf(out, ", desc \"%s\"", dc->desc);
            }
            g_string_append_c(out, '\n');
        }
        g_slist_free(list);
        return true;
    }
    g_autoptr(Opts) opts = opts_parse(optstr, "driver", NULL, NULL);
    if (!opts || (!opts_has(opts, "help") && !opts_has(opts, "?"))) {
        return false;
    }
    const char *driver = opts_get(opts, "driver");
    DeviceClass *dc = driver ? device_class_for_user(driver, errp) : NULL;
    if (!dc) {
        if (!driver) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Parameter 'driver' is missing");
        }
        return true;
    }
    g_string_append_printf(out, "%s options:\n", driver);
    object_class_property_foreach(OBJECT_CLASS(dc), prop_help_line, out);
    return true;
}

bool qdev_device_del(Object *machine, const char *id, GError **errp)
{
    DeviceState *dev = qdev_find_by_id(machine, id);
    if (!dev) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "Device '%s' not found", id);
        return false;
    }
    if (!DEVICE_GET_CLASS(dev)->hotpluggable) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Bus '%s' does not support hotplugging",
                    dev->parent_bus ? dev->parent_bus->name : "main-system-bus");
        return false;
    }
    qdev_unrealize(dev);
    object_unparent(OBJECT(dev));
    return true;
}
