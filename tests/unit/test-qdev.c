/*
 * test-qdev: devices, buses and -device strings, with a toy controller
 * ("test-ctrl", which owns bus "<id>.0") and toy ports ("test-port").
 */
#include <string.h>

#include "hw/core/qdev-monitor.h"
#include "qom/error.h"

#define TYPE_TEST_BUS "test-bus"
#define TYPE_TEST_CTRL "test-ctrl"
#define TYPE_TEST_PORT "test-port"

typedef struct TestCtrl {
    DeviceState parent_obj;
    BusState *bus;
    GString *log;
} TestCtrl;

typedef struct TestPort {
    DeviceState parent_obj;
    uint32_t nr;
    bool fail;
} TestPort;

DECLARE_TYPE(TestCtrl, DeviceClass, TEST_CTRL, TYPE_TEST_CTRL)
DECLARE_TYPE(TestPort, DeviceClass, TEST_PORT, TYPE_TEST_PORT)

static GString *events;

static bool bus_check(BusState *bus, DeviceState *dev, GError **errp)
{
    for (unsigned i = 0; i < bus->children->len; i++) {
        if (TEST_PORT(g_ptr_array_index(bus->children, i))->nr ==
            TEST_PORT(dev)->nr) {
            g_set_error(errp, MV_ERROR, MV_ERROR_EXISTS,
                        "nr %u is taken", TEST_PORT(dev)->nr);
            return false;
        }
    }
    return true;
}

static void bus_plug(BusState *bus, DeviceState *dev)
{
    g_string_append_printf(events, "plug:%u ", TEST_PORT(dev)->nr);
}

static void bus_unplug(BusState *bus, DeviceState *dev)
{
    g_string_append_printf(events, "unplug:%u ", TEST_PORT(dev)->nr);
}

static void test_bus_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = (BusClass *)oc;
    bc->check_address = bus_check;
    bc->plug = bus_plug;
    bc->unplug = bus_unplug;
    bc->max_dev = 3;
}

static bool ctrl_realize(DeviceState *dev, GError **errp)
{
    g_autofree char *name = g_strdup_printf("%s.0", dev->id ? dev->id : "ctrl");
    TEST_CTRL(dev)->bus = qbus_new(TYPE_TEST_BUS, dev, name);
    g_string_append(events, "ctrl-realize ");
    return true;
}

static void ctrl_unrealize(DeviceState *dev)
{
    g_string_append(events, "ctrl-unrealize ");
}

static void ctrl_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = (DeviceClass *)oc;
    dc->realize = ctrl_realize;
    dc->unrealize = ctrl_unrealize;
    dc->user_creatable = true;
    dc->desc = "a controller";
}

static bool port_realize(DeviceState *dev, GError **errp)
{
    if (TEST_PORT(dev)->fail) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID, "port refuses");
        return false;
    }
    g_string_append_printf(events, "realize:%u ", TEST_PORT(dev)->nr);
    return true;
}

static void port_unrealize(DeviceState *dev)
{
    g_string_append_printf(events, "unrealize:%u ", TEST_PORT(dev)->nr);
}

static void port_reset(DeviceState *dev)
{
    g_string_append_printf(events, "reset:%u ", TEST_PORT(dev)->nr);
}

static const ObjectProperty port_props[] = {
    PROP_UINT32("nr", TestPort, nr, 0, "port number"),
    PROP_BOOL("fail", TestPort, fail, false, "refuse to realize"),
    PROP_END
};

static void port_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = (DeviceClass *)oc;
    dc->realize = port_realize;
    dc->unrealize = port_unrealize;
    dc->reset = port_reset;
    dc->bus_type = TYPE_TEST_BUS;
    dc->user_creatable = true;
    dc->hotpluggable = true;
    object_class_add_props(oc, port_props);
}

static const TypeInfo types[] = {
    { .name = TYPE_TEST_BUS, .parent = TYPE_BUS, .class_init = test_bus_class_init },
    { .name = TYPE_TEST_CTRL, .parent = TYPE_DEVICE,
      .instance_size = sizeof(TestCtrl), .class_init = ctrl_class_init },
    { .name = TYPE_TEST_PORT, .parent = TYPE_DEVICE,
      .instance_size = sizeof(TestPort), .class_init = port_class_init },
};

static void register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        type_register_static(&types[i]);
    }
}
type_init(register_types)

static Object *new_machine(void)
{
    g_string_truncate(events, 0);
    return object_new(TYPE_CONTAINER);
}

static void test_add_and_paths(void)
{
    Object *m = new_machine();
    GError *err = NULL;
    DeviceState *c = qdev_device_add(m, "test-ctrl,id=c0", &err);
    g_assert_no_error(err);
    DeviceState *p = qdev_device_add(m, "test-port,bus=c0.0,nr=2,id=p2", &err);
    g_assert_no_error(err);
    DeviceState *anon = qdev_device_add(m, "test-port,nr=1", &err);
    g_assert_no_error(err);

    g_autofree char *pc = object_get_canonical_path(OBJECT(c));
    g_autofree char *pp = object_get_canonical_path(OBJECT(p));
    g_autofree char *pa = object_get_canonical_path(OBJECT(anon));
    g_assert_cmpstr(pc, ==, "/peripheral/c0");
    g_assert_cmpstr(pp, ==, "/peripheral/p2");
    g_assert_cmpstr(pa, ==, "/peripheral-anon/device[0]");
    g_assert_true(p->parent_bus == TEST_CTRL(c)->bus);
    g_assert_true(anon->parent_bus == TEST_CTRL(c)->bus);  /* found free bus */
    g_assert_true(qbus_find(m, "c0.0") == TEST_CTRL(c)->bus);
    g_assert_true(object_resolve_path(m, "/peripheral/c0/c0.0", TYPE_BUS) ==
                  OBJECT(TEST_CTRL(c)->bus));
    g_assert_cmpstr(events->str, ==, "ctrl-realize realize:2 plug:2 realize:1 plug:1 ");

    qdev_reset(c);
    g_assert_true(g_str_has_suffix(events->str, "reset:2 reset:1 "));

    /* Removing the controller takes its ports down first, last first. */
    g_string_truncate(events, 0);
    qdev_unrealize(c);
    object_unparent(OBJECT(c));
    g_assert_cmpstr(events->str, ==,
                    "unplug:1 unrealize:1 unplug:2 unrealize:2 ctrl-unrealize ");
    g_assert_null(qdev_find_by_id(m, "p2"));
    object_unref(m);
}

static void expect_add_error(Object *m, const char *opts, const char *msg)
{
    GError *err = NULL;
    if (qdev_device_add(m, opts, &err)) {
        g_error("accepted: %s", opts);
    }
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, msg);
    g_error_free(err);
}

static void test_add_errors(void)
{
    Object *m = new_machine();
    g_assert_nonnull(qdev_device_add(m, "test-ctrl,id=c0", NULL));
    g_assert_nonnull(qdev_device_add(m, "test-port,id=a,nr=1", NULL));

    expect_add_error(m, "nosuch", "'nosuch' is not a valid device model name");
    expect_add_error(m, "device", "'device' is not a valid device model name");
    expect_add_error(m, "id=x", "Parameter 'driver' is missing");
    expect_add_error(m, "test-port,id=1x", "Parameter 'id' expects an identifier");
    expect_add_error(m, "test-port,id=a,nr=3", "Duplicate ID 'a' for device");
    expect_add_error(m, "test-port,bus=zz.0", "Bus 'zz.0' not found");
    expect_add_error(m, "test-port,nr=1", "nr 1 is taken");
    expect_add_error(m, "test-port,nr=x",
                     "Parameter 'nr' expects a number from 0 to 4294967295, got 'x'");
    expect_add_error(m, "test-port,nr=5,bogus=1", "Property 'test-port.bogus' not found");
    expect_add_error(m, "test-port,nr=5,fail=on", "port refuses");
    expect_add_error(m, "test-ctrl,bus=c0.0",
                     "Device 'test-ctrl' does not plug into a bus");

    /* Failures left nothing behind: the bus has one port, ids are free. */
    BusState *bus = qbus_find(m, "c0.0");
    g_assert_cmpuint(bus->children->len, ==, 1);
    g_assert_cmpuint(object_child_count(qdev_get_container(m, "peripheral-anon")), ==, 0);
    g_assert_nonnull(qdev_device_add(m, "test-port,nr=5", NULL));
    g_assert_nonnull(qdev_device_add(m, "test-port,nr=6", NULL));
    expect_add_error(m, "test-port,nr=7,bus=c0.0", "Bus 'c0.0' is full");
    expect_add_error(m, "test-port,nr=7", "No 'test-bus' bus found for device 'test-port'");

    /* Properties are frozen after realize. */
    GError *err = NULL;
    g_assert_false(qdev_prop_parse(qdev_find_by_id(m, "a"), "nr", "4", &err));
    g_assert_cmpstr(err->message, ==,
                    "Attempt to set property 'nr' on device 'a' after it was realized");
    g_clear_error(&err);
    object_unref(m);
}

static void test_del(void)
{
    Object *m = new_machine();
    GError *err = NULL;
    g_assert_nonnull(qdev_device_add(m, "test-ctrl,id=c0", NULL));
    g_assert_nonnull(qdev_device_add(m, "test-port,id=p,nr=4", NULL));
    g_string_truncate(events, 0);
    g_assert_true(qdev_device_del(m, "p", NULL));
    g_assert_cmpstr(events->str, ==, "unplug:4 unrealize:4 ");
    g_assert_false(qdev_device_del(m, "p", &err));
    g_assert_cmpstr(err->message, ==, "Device 'p' not found");
    g_clear_error(&err);
    g_assert_false(qdev_device_del(m, "c0", &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_SUPPORTED);
    g_clear_error(&err);
    /* The id can be used again. */
    g_assert_nonnull(qdev_device_add(m, "test-port,id=p,nr=4", NULL));
    object_unref(m);
}

static void test_help(void)
{
    g_autoptr(GString) out = g_string_new(NULL);
    GError *err = NULL;
    g_assert_true(qdev_device_help("help", out, NULL));
    g_assert_nonnull(strstr(out->str, "name \"test-port\", bus test-bus\n"));
    g_assert_nonnull(strstr(out->str, "name \"test-ctrl\", desc \"a controller\"\n"));
    g_string_truncate(out, 0);
    g_assert_true(qdev_device_help("test-port,help", out, NULL));
    g_assert_true(g_str_has_prefix(out->str, "test-port options:\n"));
    g_assert_nonnull(strstr(out->str, "  nr=<uint32>"));
    g_assert_nonnull(strstr(out->str, "  id=<str>"));
    g_assert_false(qdev_device_help("test-port,nr=1", out, NULL));
    g_assert_true(qdev_device_help("nosuch,help", out, &err));
    g_assert_nonnull(err);
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    events = g_string_new(NULL);
    g_test_add_func("/qdev/add/paths-and-buses", test_add_and_paths);
    g_test_add_func("/qdev/add/errors", test_add_errors);
    g_test_add_func("/qdev/del", test_del);
    g_test_add_func("/qdev/help", test_help);
    int ret = g_test_run();
    g_string_free(events, true);
    return ret;
}
