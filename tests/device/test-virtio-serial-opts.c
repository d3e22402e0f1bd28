/*
 * test-virtio-serial-opts: -device strings for virtio-serial-pci and its
 * ports: every error the user can meet (with QEMU's exact words), the
 * max_ports bounds, nr auto-assignment, bus naming and `,help`.
 * The machine of test-virtio-serial-drv.h; no CPU.
 */
#include <string.h>

#include "hw/char/virtio-serial.h"
#include "test-virtio-serial-drv.h"

/* The test machine plus null chardevs c0..c3. */
static void machine_init(TestMachine *m)
{
    tm_init(m);
    for (int i = 0; i < 4; i++) {
        g_autofree char *s = g_strdup_printf("null,id=c%d", i);
        tm_chardev(m, s);
    }
}

static void add_err(TestMachine *m, const char *opts, const char *msg)
{
    GError *err = NULL;

    if (qdev_device_add(m->root, opts, &err)) {
        g_error("accepted: %s", opts);
    }
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, msg);
    g_error_free(err);
}

static uint32_t port_nr(DeviceState *dev)
{
    return VIRTIO_SERIAL_PORT(dev)->nr;
}

static void test_nr_auto(void)
{
    TestMachine m;

    machine_init(&m);
    tm_add(&m, "virtio-serial-pci,id=vser0");
    /* A port without nr takes the lowest free one from 1; a console 0. */
    g_assert_cmpuint(port_nr(tm_add(&m, "virtserialport,chardev=c0")), ==, 1);
    g_assert_cmpuint(port_nr(tm_add(&m, "virtconsole,chardev=c1")), ==, 0);
    g_assert_cmpuint(port_nr(tm_add(&m, "virtserialport,nr=3")), ==, 3);
    g_assert_cmpuint(port_nr(tm_add(&m, "virtserialport,id=p2")), ==, 2);
    /* 0 is taken now: a second console gets the next free number. */
    g_assert_cmpuint(port_nr(tm_add(&m, "virtconsole,chardev=c2")), ==, 4);
    /* A removed port frees its number. */
    g_assert_true(qdev_device_del(m.root, "p2", NULL));
    g_assert_cmpuint(port_nr(tm_add(&m, "virtserialport")), ==, 2);
    tm_destroy(&m);
}

static void test_port_errors(void)
{
    TestMachine m;

    machine_init(&m);
    tm_add(&m, "virtio-serial-pci,id=vser0");
    tm_add(&m, "virtserialport,bus=vser0.0,nr=1,name=org.test.0,chardev=c0");

    add_err(&m, "virtserialport,nr=1",
            "virtio-serial-bus: A port already exists at id 1");
    add_err(&m, "virtserialport,name=org.test.0",
            "virtio-serial-bus: A port already exists by name org.test.0");
    add_err(&m, "virtserialport,nr=31",
            "virtio-serial-bus: Out-of-range port id specified, max. "
            "allowed: 30");
    add_err(&m, "virtserialport,nr=0",
            "Port number 0 on virtio-serial devices reserved for virtconsole "
            "devices for backward compatibility.");
    add_err(&m, "virtserialport,chardev=nosuch",
            "Property 'virtserialport.chardev' can't find value 'nosuch'");
    add_err(&m, "virtserialport,chardev=c0",
            "Property 'virtserialport.chardev' can't take value 'c0', it's "
            "in use");
    add_err(&m, "virtconsole,chardev=c0",
            "Property 'virtconsole.chardev' can't take value 'c0', it's in "
            "use");
    add_err(&m, "virtserialport,bus=nosuch.0", "Bus 'nosuch.0' not found");
    add_err(&m, "virtserialport,bus=pcie.0",
            "Bus 'pcie.0' is of type 'PCI', but device 'virtserialport' "
            "needs 'virtio-serial-bus'");
    add_err(&m, "virtserialport,nr=x",
            "Parameter 'nr' expects a number from 0 to 4294967295, got 'x'");

    /* Refused ports left nothing behind: their numbers are still free. */
    g_assert_cmpuint(port_nr(tm_add(&m, "virtserialport,chardev=c1")), ==, 2);
    /* Names are one namespace across devices, as the guest's links are. */
    tm_add(&m, "virtio-serial-pci,id=vser1");
    add_err(&m, "virtserialport,bus=vser1.0,name=org.test.0",
            "virtio-serial-bus: A port already exists by name org.test.0");
    tm_add(&m, "virtserialport,bus=vser1.0,nr=1,name=org.test.1");
    tm_destroy(&m);
}

static void test_max_ports(void)
{
    TestMachine m;

    machine_init(&m);
    add_err(&m, "virtio-serial-pci,max_ports=0",
            "Maximum number of serial ports not specified");
    add_err(&m, "virtio-serial-pci,max_ports=512",
            "maximum ports supported: 511");
    tm_add(&m, "virtio-serial-pci,id=big,max_ports=511");
    tm_add(&m, "virtserialport,bus=big.0,nr=510");
    add_err(&m, "virtserialport,bus=big.0,nr=511",
            "virtio-serial-bus: Out-of-range port id specified, max. "
            "allowed: 510");

    tm_add(&m, "virtio-serial-pci,id=two,max_ports=2");
    tm_add(&m, "virtconsole,bus=two.0");
    tm_add(&m, "virtserialport,bus=two.0");
    add_err(&m, "virtserialport,bus=two.0",
            "virtio-serial-bus: Maximum port limit for this device reached");
    add_err(&m, "virtconsole,bus=two.0",
            "virtio-serial-bus: Maximum port limit for this device reached");
    add_err(&m, "virtserialport,bus=two.0,nr=2",
            "virtio-serial-bus: Out-of-range port id specified, max. "
            "allowed: 1");

    tm_add(&m, "virtio-serial-pci,id=one,max_ports=1");
    tm_add(&m, "virtconsole,bus=one.0");
    add_err(&m, "virtconsole,bus=one.0",
            "virtio-serial-bus: Maximum port limit for this device reached");
    tm_destroy(&m);
}

static void test_bus_names(void)
{
    TestMachine m;

    machine_init(&m);
    tm_add(&m, "virtio-serial-pci");
    tm_add(&m, "virtio-serial-pci");
    tm_add(&m, "virtio-serial-pci,id=vs");
    g_assert_nonnull(qbus_find(m.root, "virtio-serial-bus.0"));
    g_assert_nonnull(qbus_find(m.root, "virtio-serial-bus.1"));
    g_assert_nonnull(qbus_find(m.root, "vs.0"));
    DeviceState *p = tm_add(&m, "virtserialport,bus=vs.0,id=p");
    g_assert_cmpstr(p->parent_bus->name, ==, "vs.0");
    /* Without bus=, the first virtio-serial bus with room. */
    p = tm_add(&m, "virtserialport");
    g_assert_cmpstr(p->parent_bus->name, ==, "virtio-serial-bus.0");
    tm_destroy(&m);
}

static void test_no_bus(void)
{
    TestMachine m;

    machine_init(&m);
    add_err(&m, "virtserialport",
            "No 'virtio-serial-bus' bus found for device 'virtserialport'");
    add_err(&m, "virtio-serial-port",
            "'virtio-serial-port' is not a valid device model name");
    tm_destroy(&m);
}

static void test_help(void)
{
    const char *want[] = { "chardev=", "name=", "nr=", "id=" };
    const char *types[] = { "virtserialport", "virtconsole" };

    for (size_t t = 0; t < G_N_ELEMENTS(types); t++) {
        g_autoptr(GString) out = g_string_new(NULL);
        g_autofree char *opt = g_strconcat(types[t], ",help", NULL);
        GError *err = NULL;
        g_assert_true(qdev_device_help(opt, out, &err));
        g_assert_no_error(err);
        for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
            if (!strstr(out->str, want[i])) {
                g_error("%s,help lacks %s:\n%s", types[t], want[i], out->str);
            }
        }
    }
    g_autoptr(GString) out = g_string_new(NULL);
    g_assert_true(qdev_device_help("virtio-serial-pci,help", out, NULL));
    g_assert_nonnull(strstr(out->str, "max_ports="));
    g_assert_nonnull(strstr(out->str, "emergency-write="));
    g_assert_nonnull(strstr(out->str, "disable-legacy="));
    g_assert_nonnull(strstr(out->str, "vectors="));

    g_autoptr(GString) list = g_string_new(NULL);
    g_assert_true(qdev_device_help("help", list, NULL));
    g_assert_nonnull(strstr(list->str, "name \"virtconsole\", bus "
                                       "virtio-serial-bus"));
    g_assert_nonnull(strstr(list->str, "name \"virtio-serial-pci\""));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virtio-serial/opts/nr-auto", test_nr_auto);
    g_test_add_func("/virtio-serial/opts/port-errors", test_port_errors);
    g_test_add_func("/virtio-serial/opts/max-ports", test_max_ports);
    g_test_add_func("/virtio-serial/opts/bus-names", test_bus_names);
    g_test_add_func("/virtio-serial/opts/no-bus", test_no_bus);
    g_test_add_func("/virtio-serial/opts/help", test_help);
    return g_test_run();
}
