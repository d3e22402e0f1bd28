/*
 * hw/char/virtconsole.c: virtserialport and virtconsole, the port kinds
 * backed by a chardev.  See virtconsole.h for the contracts and the
 * console's stall policy.
 */
#include <limits.h>
#include <string.h>

#include "hw/char/virtconsole.h"
#include "qom/error.h"

/* Where the board keeps -chardev objects (chardev/chardev.h). */
#define CHARDEV_CONTAINER_PATH "/chardevs"
#define TYPE_CHARDEV_BASE "chardev"

static bool port_is_console(VirtIOSerialPort *port)
{
    return VIRTIO_SERIAL_PORT_GET_CLASS(port)->is_console;
}

static bool vcon_is_console(VirtConsole *vcon)
{
    return port_is_console(VIRTIO_SERIAL_PORT(vcon));
}

static char *vcon_describe(VirtConsole *vcon)
{
    return qdev_describe(DEVICE(vcon));
}

/* ---- host -> guest --------------------------------------------------- */

static int vcon_can_read(void *opaque)
{
    size_t room = virtio_serial_guest_ready(VIRTIO_SERIAL_PORT(opaque));

    return room > INT_MAX ? INT_MAX : (int)room;
}

static void vcon_read(void *opaque, const uint8_t *buf, int size)
{
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(opaque);
    size_t done = virtio_serial_write(port, buf, size);

    /* Cannot happen (can_read bounds @size and nothing runs in between);
     * were it to, count the loss rather than hide it. */
    if (done < (size_t)size) {
        port->bytes_dropped += size - done;
    }
}

/* ---- guest -> host --------------------------------------------------- */

/* Either kind's watch: the port's, or the console buffer's (data kept). */
static void vcon_remove_watch(VirtConsole *vcon)
{
    if (vcon->watch) {
        g_source_remove(vcon->watch);
        vcon->watch = 0;
    }
    chr_fe_outbuf_cancel(&vcon->cout);
}

static gboolean vcon_port_writable(void *do_not_use, GIOCondition cond,
                                   void *opaque)
{
    VirtConsole *vcon = opaque;

    vcon->watch = 0;
    virtio_serial_throttle_port(VIRTIO_SERIAL_PORT(vcon), false);
    return G_SOURCE_REMOVE;
}

/* Port: returns false if the backend has no way to wait (disconnected). */
static bool vcon_add_watch(VirtConsole *vcon)
{
    if (!vcon->watch) {
        vcon->watch = chr_fe_add_watch(&vcon->chr, G_IO_OUT | G_IO_HUP,
                                       vcon_port_writable, vcon);
    }
    return vcon->watch != 0;
}

static int64_t serialport_have_data(VirtConsole *vcon, const uint8_t *buf,
                                    size_t len)
{
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(vcon);
    int chunk = len > INT_MAX ? INT_MAX : (int)len;
    int ret = chr_fe_write(&vcon->chr, buf, chunk);

    /*
     * -1, or a short write with nothing to wait on: the backend lost its
     * peer.  The guest's data stays held until OPENED reopens the port.
     * A backend that is open again by now (it reconnected while we
     * wrote) already resumed us, so it is not closed here.
     */
    if (ret < 0 || ((size_t)ret < len && !vcon_add_watch(vcon))) {
        if (!chr_fe_backend_open(&vcon->chr)) {
            virtio_serial_close(port);
        }
        return ret < 0 ? -1 : ret;
    }
    return ret;
}

/*
 * Console: push out what the stall buffer holds; true once it is empty.
 * A backend without a peer (-1) keeps the bytes for the next one (OPENED).
 */
static bool console_flush(VirtConsole *vcon)
{
    if (chr_fe_outbuf_flush(&vcon->cout) != 0) {
        return false;
    }
    vcon->drop_logged = false;
    return true;
}

/* The stall buffer's writable callback. */
static void console_writable(void *opaque)
{
    console_flush(opaque);
}

static void console_hold(VirtConsole *vcon, const uint8_t *buf, size_t len)
{
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(vcon);
    size_t keep = chr_fe_outbuf_append(&vcon->cout, buf, len);

    if (keep < len) {
        port->bytes_dropped += len - keep;
        if (!vcon->drop_logged) {
            g_autofree char *who = vcon_describe(vcon);
            g_message("virtconsole %s: backend stalled, dropping console "
                      "output", who);
            vcon->drop_logged = true;
        }
    }
}

static int64_t console_have_data(VirtConsole *vcon, const uint8_t *buf,
                                 size_t len)
{
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(vcon);

    if (!chr_fe_backend_connected(&vcon->chr)) {
        port->bytes_dropped += len;
        return len;
    }
    /* Behind earlier output, to keep the order. */
    if (chr_fe_outbuf_len(&vcon->cout) && !console_flush(vcon)) {
        console_hold(vcon, buf, len);
        return len;
    }
    int chunk = len > INT_MAX ? INT_MAX : (int)len;
    int ret = chr_fe_write(&vcon->chr, buf, chunk);
    if (ret < 0) {
        ret = 0;
    }
    if ((size_t)ret < len) {
        console_hold(vcon, buf + ret, len - ret);
        chr_fe_outbuf_wait(&vcon->cout);
    }
    return len;
}

static int64_t vcon_have_data(VirtIOSerialPort *port, const uint8_t *buf,
                              size_t len)
{
    VirtConsole *vcon = VIRTCONSOLE(port);

    if (vcon_is_console(vcon)) {
        return console_have_data(vcon, buf, len);
    }
    if (!chr_fe_backend_connected(&vcon->chr)) {
        /* No chardev at all (QEMU allows it): the data has nowhere to go. */
        port->bytes_dropped += len;
        return len;
    }
    return serialport_have_data(vcon, buf, len);
}

static uint64_t vcon_held_bytes(VirtIOSerialPort *port)
{
    VirtConsole *vcon = VIRTCONSOLE(port);

    return chr_fe_outbuf_len(&vcon->cout);
}

/* ---- events ---------------------------------------------------------- */

static void vcon_event(void *opaque, ChrEvent event)
{
    VirtConsole *vcon = opaque;
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(vcon);

    switch (event) {
    case CHR_EVENT_OPENED:
        if (vcon_is_console(vcon)) {
            console_flush(vcon);
        } else {
            virtio_serial_open(port);
        }
        break;
    case CHR_EVENT_CLOSED:
        vcon_remove_watch(vcon);
        /* A console stays open to the guest (QEMU); its output is held. */
        if (!vcon_is_console(vcon)) {
            virtio_serial_close(port);
        }
        break;
    default:
        break;
    }
}

/* A console's front end is open from realize on (QEMU); a port's follows
 * the guest. */
static void vcon_set_guest_connected(VirtIOSerialPort *port, bool connected)
{
    if (!port_is_console(port)) {
        chr_fe_set_open(&VIRTCONSOLE(port)->chr, connected);
    }
}

static void vcon_guest_writable(VirtIOSerialPort *port)
{
    chr_fe_accept_input(&VIRTCONSOLE(port)->chr);
}

static int vcon_be_change(void *opaque);

static void vcon_set_handlers(VirtConsole *vcon)
{
    chr_fe_set_handlers(&vcon->chr, vcon_can_read, vcon_read, vcon_event,
                        vcon_be_change, vcon, NULL, vcon_is_console(vcon));
}

/* chardev_change: the new backend has no watch of ours; retry on it. */
static int vcon_be_change(void *opaque)
{
    VirtConsole *vcon = opaque;

    vcon_remove_watch(vcon);
    vcon_set_handlers(vcon);
    if (vcon_is_console(vcon)) {
        console_flush(vcon);
    } else if (chr_fe_backend_open(&vcon->chr)) {
        virtio_serial_open(VIRTIO_SERIAL_PORT(vcon));
        virtio_serial_throttle_port(VIRTIO_SERIAL_PORT(vcon), false);
    } else {
        virtio_serial_close(VIRTIO_SERIAL_PORT(vcon));
    }
    return 0;
}

/* ---- realize --------------------------------------------------------- */

static Object *vcon_find_chardev(VirtConsole *vcon)
{
    Object *root = object_get_root(OBJECT(vcon));
    Object *container = object_resolve_path(root, CHARDEV_CONTAINER_PATH,
                                            NULL);
    Object *chr = container ? object_get_child(container, vcon->chardev)
                            : NULL;

    return object_dynamic_cast(chr, TYPE_CHARDEV_BASE);
}

static bool vcon_realize(DeviceState *dev, GError **errp)
{
    VirtConsole *vcon = VIRTCONSOLE(dev);
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(dev);
    const char *tname = object_get_typename(OBJECT(dev));

    /* The bus assigned nr in check_address, so 0 here was asked for. */
    if (port->nr == 0 && !vcon_is_console(vcon)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Port number 0 on virtio-serial devices reserved for "
                    "virtconsole devices for backward compatibility.");
        return false;
    }
    if (vcon->chardev && *vcon->chardev) {
        Object *chr = vcon_find_chardev(vcon);
        if (!chr) {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                        "Property '%s.chardev' can't find value '%s'",
                        tname, vcon->chardev);
            return false;
        }
        if (!chr_fe_init(&vcon->chr, (Chardev *)chr, NULL)) {
            g_set_error(errp, MV_ERROR, MV_ERROR_IN_USE,
                        "Property '%s.chardev' can't take value '%s', "
                        "it's in use", tname, vcon->chardev);
            return false;
        }
    }
    if (vcon_is_console(vcon)) {
        chr_fe_outbuf_init(&vcon->cout, &vcon->chr, VIRTCONSOLE_BUF_MAX,
                           console_writable, vcon);
    }
    return true;
}

/*
 * The bus calls this once the port is plugged into its device, since the
 * handlers reach the bus (can_read asks for the guest's buffers) and an
 * already-connected backend reports OPENED from inside set_handlers.
 */
static void vcon_plugged(VirtIOSerialPort *port)
{
    VirtConsole *vcon = VIRTCONSOLE(port);

    if (vcon_is_console(vcon)) {
        virtio_serial_open(port);
    }
    if (chr_fe_backend_connected(&vcon->chr)) {
        vcon_set_handlers(vcon);
    }
}

static void vcon_unrealize(DeviceState *dev)
{
    VirtConsole *vcon = VIRTCONSOLE(dev);

    vcon_remove_watch(vcon);
    chr_fe_deinit(&vcon->chr, false);
    chr_fe_outbuf_destroy(&vcon->cout);
}

static const ObjectProperty vcon_props[] = {
    PROP_STR("chardev", VirtConsole, chardev,
             "ID of a chardev to use as a backend"),
    PROP_END
};

static void vcon_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = (DeviceClass *)oc;
    VirtIOSerialPortClass *vc = (VirtIOSerialPortClass *)oc;

    dc->realize = vcon_realize;
    dc->unrealize = vcon_unrealize;
    dc->user_creatable = true;
    dc->hotpluggable = true;
    dc->desc = data ? "virtio console port" : "virtio serial port";
    vc->is_console = data != NULL;
    vc->have_data = vcon_have_data;
    vc->set_guest_connected = vcon_set_guest_connected;
    vc->guest_writable = vcon_guest_writable;
    vc->held_bytes = vcon_held_bytes;
    vc->plugged = vcon_plugged;
    object_class_add_props(oc, vcon_props);
}

static const TypeInfo vcon_types[] = {
    {
        .name = TYPE_VIRTSERIALPORT,
        .parent = TYPE_VIRTIO_SERIAL_PORT,
        .instance_size = sizeof(VirtConsole),
        .class_init = vcon_class_init,
    },
    {
        .name = TYPE_VIRTCONSOLE,
        .parent = TYPE_VIRTSERIALPORT,
        .class_init = vcon_class_init,
        .class_data = (void *)"console",
    },
};

static void vcon_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vcon_types); i++) {
        type_register_static(&vcon_types[i]);
    }
}
type_init(vcon_register_types)
