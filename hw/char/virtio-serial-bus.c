/*
 * hw/char/virtio-serial-bus.c: the virtio console device model (virtio 1.2
 * §5.3), its bus of ports and the per-port data paths.
 *
 * Every port is served on its own: its state (held elements, throttling,
 * connection) lives in the port, and a kick of one queue touches only that
 * queue's port, so a stalled or refusing backend never delays another port.
 *
 * guest -> host: tx elements are popped only while the host side is
 * connected, mapped (no copy) and handed to the port kind's have_data.  A
 * partial write keeps the element and the offset reached and throttles the
 * port until the port kind resumes it (G_IO_OUT).  Data the guest queued
 * while the host is away stays in the ring until it comes back.
 * host -> guest: the port kind asks how much room the guest's rx buffers
 * have (popping them as needed, held in the port) and fills them; one
 * write may span several buffers and the last may be used partially.
 */
#include <string.h>

#include "hw/char/virtio-serial-internal.h"
#include "qom/error.h"

/* tx: iovecs mapped per round, enough for Linux's one-buffer chains. */
#define VSER_TX_IOV_MAX 16

char *vser_describe(VirtIOSerial *vser)
{
    return qdev_describe(vser->dev);
}

VirtIOSerialPort *vser_find_port(VirtIOSerial *vser, uint32_t nr)
{
    return nr < vser->max_ports ? vser->ports[nr] : NULL;
}

static VirtIOSerialPortClass *port_class(VirtIOSerialPort *port)
{
    return VIRTIO_SERIAL_PORT_GET_CLASS(port);
}

static bool vser_multiport(VirtIOSerial *vser)
{
    return virtio_has_feature(vser->vdev, VIRTIO_CONSOLE_F_MULTIPORT);
}

/* Without MULTIPORT only port 0 exists for the guest (§5.3.6). */
static bool port_visible(VirtIOSerialPort *port)
{
    return port->vser && (port->nr == 0 || vser_multiport(port->vser));
}

/* ---- held elements ----------------------------------------------------- */

/* Forget what the port holds of the rings (reset, unplug: never pushed). */
static void port_drop_elems(VirtIOSerialPort *port)
{
    VirtQueueElement *elem;

    if (port->tx_elem) {
        virtqueue_element_free(port->tx_elem);
        port->tx_elem = NULL;
        port->tx_off = 0;
    }
    while ((elem = g_queue_pop_head(&port->rx_elems))) {
        virtqueue_element_free(elem);
    }
    port->rx_room = 0;
}

/* ---- host -> guest ----------------------------------------------------- */

size_t virtio_serial_guest_ready(VirtIOSerialPort *port)
{
    VirtIOSerial *vser = port->vser;
    VirtQueue *vq;
    bool pushed = false;

    if (!port_visible(port) || !virtio_device_ready(vser->vdev)) {
        return 0;
    }
    /* A closed guest port has nobody reading: leave data in the host. */
    if (vser_multiport(vser) && !port->guest_connected) {
        return 0;
    }
    vq = virtio_get_queue(vser->vdev, vser_rx_queue(port->nr));
    while (port->rx_room < VSER_RX_ROOM_TARGET) {
        VirtQueueElement *elem = virtqueue_pop_dir(vq, VIRTQ_DIR_IN);
        if (!elem) {
            break;
        }
        if (elem->in_len == 0) {
            /* Nothing fits in it; hand it straight back. */
            virtqueue_push(vq, elem, 0);
            virtqueue_element_free(elem);
            pushed = true;
            continue;
        }
        g_queue_push_tail(&port->rx_elems, elem);
        port->rx_room += elem->in_len;
    }
    if (pushed) {
        virtio_notify(vser->vdev, vq);
    }
    return port->rx_room;
}

size_t virtio_serial_write(VirtIOSerialPort *port, const uint8_t *buf,
                           size_t len)
{
    size_t room = virtio_serial_guest_ready(port);
    size_t done = 0;
    VirtQueue *vq;

    if (!room) {
        return 0;
    }
    len = MIN(len, room);
    vq = virtio_get_queue(port->vser->vdev, vser_rx_queue(port->nr));
    while (done < len) {
        VirtQueueElement *elem = g_queue_pop_head(&port->rx_elems);
        size_t n = virtqueue_elem_from_buf(port->vser->vdev, elem, 0,
                                           buf + done, len - done);
        /* Pushed at once, even partly filled: the guest reads it now. */
        virtqueue_push(vq, elem, n);
        port->rx_room -= elem->in_len;
        virtqueue_element_free(elem);
        done += n;
        if (n == 0) {
            break;      /* the device broke under us (virtio_error) */
        }
    }
    port->bytes_to_guest += done;
    virtio_notify(port->vser->vdev, vq);
    return done;
}

static void port_guest_writable(VirtIOSerialPort *port)
{
    if (port_class(port)->guest_writable) {
        port_class(port)->guest_writable(port);
    }
}

/* ---- guest -> host ----------------------------------------------------- */

/*
 * Write the held element from tx_off.  Returns true when it is all out,
 * false when the port kind took less (throttled or host gone).
 */
static bool port_write_elem(VirtIOSerialPort *port, VirtQueueElement *elem)
{
    VirtIODevice *vdev = port->vser->vdev;
    VirtIOSerialPortClass *pc = port_class(port);

    while (port->tx_off < elem->out_len) {
        struct iovec iov[VSER_TX_IOV_MAX];
        int cnt = virtqueue_elem_map(vdev, elem, false, port->tx_off,
                                     SIZE_MAX, iov, VSER_TX_IOV_MAX);
        if (cnt <= 0) {
            return true;    /* nothing mappable is left: done with it */
        }
        for (int i = 0; i < cnt; i++) {
            int64_t ret = pc->have_data(port, iov[i].iov_base, iov[i].iov_len);
            if (ret > 0) {
                port->tx_off += ret;
                port->bytes_from_guest += ret;
            }
            if (ret < 0 || (size_t)ret < iov[i].iov_len) {
                /* Throttle, unless a resume already came in meanwhile. */
                if (ret >= 0 && !port->flush_again) {
                    port->throttled = true;
                }
                virtqueue_elem_unmap(vdev, iov, cnt, false, 0);
                return false;
            }
        }
        virtqueue_elem_unmap(vdev, iov, cnt, false, 0);
    }
    return true;
}

static void port_flush_tx(VirtIOSerialPort *port)
{
    VirtIOSerial *vser = port->vser;
    VirtQueue *vq;
    bool pushed = false;

    if (!port_visible(port) || !virtio_device_ready(vser->vdev) ||
        port->throttled) {
        return;
    }
    /*
     * A resume or reconnect reported from inside have_data (a backend
     * that signals synchronously) must not be lost: note it, and let the
     * outer call go round again.
     */
    if (port->in_flush) {
        port->flush_again = true;
        return;
    }
    port->in_flush = true;
    vq = virtio_get_queue(vser->vdev, vser_tx_queue(port->nr));
again:
    port->flush_again = false;
    for (;;) {
        if (!port->tx_elem) {
            /* While the host is away the data stays in the guest's ring. */
            if (!port->host_connected) {
                break;
            }
            port->tx_elem = virtqueue_pop_dir(vq, VIRTQ_DIR_OUT);
            port->tx_off = 0;
            if (!port->tx_elem) {
                break;
            }
        }
        if (!port_write_elem(port, port->tx_elem)) {
            if (port->flush_again && !port->throttled &&
                virtio_device_ready(vser->vdev)) {
                goto again;
            }
            break;
        }
        virtqueue_push(vq, port->tx_elem, 0);
        virtqueue_element_free(port->tx_elem);
        port->tx_elem = NULL;
        port->tx_off = 0;
        pushed = true;
    }
    port->in_flush = false;
    if (pushed) {
        virtio_notify(vser->vdev, vq);
    }
}

void virtio_serial_throttle_port(VirtIOSerialPort *port, bool throttle)
{
    port->throttled = throttle;
    if (!throttle) {
        port_flush_tx(port);
    }
}

/* ---- connection state -------------------------------------------------- */

void virtio_serial_open(VirtIOSerialPort *port)
{
    if (port->host_connected) {
        return;
    }
    port->host_connected = true;
    if (port->vser && port->vser->device_ready) {
        vser_ctrl_send(port->vser, port->nr, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
    }
    /* A new connection: deliver what the guest queued while we were away. */
    port->throttled = false;
    port_flush_tx(port);
}

void virtio_serial_close(VirtIOSerialPort *port)
{
    if (!port->host_connected) {
        return;
    }
    port->host_connected = false;
    if (port->vser && port->vser->device_ready) {
        vser_ctrl_send(port->vser, port->nr, VIRTIO_CONSOLE_PORT_OPEN, 0, NULL);
    }
}

static void port_notify_listener(VirtIOSerialPort *port, bool open)
{
    VirtIOSerial *vser = port->vser;

    if (vser && vser->listener) {
        vser->listener(port, open, vser->listener_opaque);
    }
}

void vser_port_set_guest_connected(VirtIOSerialPort *port, bool connected,
                                   bool by_message)
{
    bool was = port->guest_connected;

    port->guest_connected = connected;
    if (was != connected && port_class(port)->set_guest_connected) {
        port_class(port)->set_guest_connected(port, connected);
    }
    if (was != connected || by_message) {
        port_notify_listener(port, connected);
    }
    if (connected) {
        port_guest_writable(port);
    }
}

bool virtio_serial_set_port_listener(DeviceState *dev,
                                     VirtIOSerialPortListener fn,
                                     void *opaque)
{
    VirtIOSerial *vser = virtio_serial_from_device(dev);

    if (!vser) {
        return false;
    }
    vser->listener = fn;
    vser->listener_opaque = fn ? opaque : NULL;
    return true;
}

/* ---- monitor ----------------------------------------------------------- */

void virtio_serial_port_get_stats(VirtIOSerialPort *port,
                                  VirtIOSerialPortStats *stats)
{
    VirtIOSerialPortClass *pc = port_class(port);

    memset(stats, 0, sizeof(*stats));
    stats->nr = port->nr;
    stats->name = port->name;
    stats->is_console = pc->is_console;
    stats->guest_connected = port->guest_connected;
    stats->host_connected = port->host_connected;
    stats->throttled = port->throttled;
    stats->bytes_to_guest = port->bytes_to_guest;
    stats->bytes_from_guest = port->bytes_from_guest;
    stats->bytes_held = pc->held_bytes ? pc->held_bytes(port) : 0;
    stats->bytes_dropped = port->bytes_dropped;
}

bool virtio_serial_foreach_port(DeviceState *dev,
                                void (*fn)(VirtIOSerialPort *port,
                                           void *opaque),
                                void *opaque)
{
    VirtIOSerial *vser = virtio_serial_from_device(dev);

    if (!vser || !vser->ports) {
        return false;
    }
    for (uint32_t nr = 0; nr < vser->max_ports; nr++) {
        if (vser->ports[nr]) {
            fn(vser->ports[nr], opaque);
        }
    }
    return true;
}

/* ---- the bus ----------------------------------------------------------- */

typedef struct NameSearch {
    const char *name;
    VirtIOSerialPort *found;
} NameSearch;

static int find_name_in(Object *obj, void *opaque)
{
    NameSearch *s = opaque;
    VirtIOSerialPort *port =
        (VirtIOSerialPort *)object_dynamic_cast(obj, TYPE_VIRTIO_SERIAL_PORT);

    if (port && port->vser && port->name && !strcmp(port->name, s->name)) {
        s->found = port;
        return 1;
    }
    return object_child_foreach(obj, find_name_in, s);
}

/*
 * Port names are unique across every virtio-serial device, as in QEMU:
 * the guest's /dev/virtio-ports/NAME links share one namespace.
 */
static bool port_name_taken(DeviceState *dev, const char *name)
{
    NameSearch s = { .name = name };

    find_name_in(object_get_root(OBJECT(dev)), &s);
    return s.found != NULL;
}

static bool vser_bus_check_address(BusState *bus, DeviceState *dev,
                                   GError **errp)
{
    VirtIOSerial *vser = VIRTIO_SERIAL_BUS(bus)->vser;
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(dev);
    uint32_t nr = port->nr;

    if (nr != VIRTIO_SERIAL_PORT_NR_UNSET && vser_find_port(vser, nr)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_EXISTS,
                    "virtio-serial-bus: A port already exists at id %u", nr);
        return false;
    }
    if (port->name && port_name_taken(dev, port->name)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_EXISTS,
                    "virtio-serial-bus: A port already exists by name %s",
                    port->name);
        return false;
    }
    if (nr == VIRTIO_SERIAL_PORT_NR_UNSET) {
        /* nr 0 is kept for a console (backward compatibility, as QEMU). */
        if (port_class(port)->is_console && !vser->ports[0]) {
            nr = 0;
        } else {
            for (nr = 1; nr < vser->max_ports && vser->ports[nr]; nr++) {
            }
            if (nr >= vser->max_ports) {
                g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                            "virtio-serial-bus: Maximum port limit for this "
                            "device reached");
                return false;
            }
        }
    }
    if (nr >= vser->max_ports) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "virtio-serial-bus: Out-of-range port id specified, "
                    "max. allowed: %u", vser->max_ports - 1);
        return false;
    }
    port->nr = nr;
    return true;
}

static void vser_bus_plug(BusState *bus, DeviceState *dev)
{
    VirtIOSerial *vser = VIRTIO_SERIAL_BUS(bus)->vser;
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(dev);

    g_assert(port->nr < vser->max_ports && !vser->ports[port->nr]);
    vser->ports[port->nr] = port;
    port->vser = vser;
    if (port_class(port)->plugged) {
        port_class(port)->plugged(port);
    }
    /* Hot-plug: a driver that is up learns of the port now. */
    if (vser->device_ready) {
        vser_ctrl_send(vser, port->nr, VIRTIO_CONSOLE_PORT_ADD, 1, NULL);
    }
    if (virtio_device_ready(vser->vdev) && !vser_multiport(vser) &&
        port->nr == 0) {
        vser_port_set_guest_connected(port, true, false);
    }
}

static void vser_bus_unplug(BusState *bus, DeviceState *dev)
{
    VirtIOSerial *vser = VIRTIO_SERIAL_BUS(bus)->vser;
    VirtIOSerialPort *port = VIRTIO_SERIAL_PORT(dev);

    if (port->vser != vser) {
        return;
    }
    if (vser->device_ready) {
        vser_ctrl_send(vser, port->nr, VIRTIO_CONSOLE_PORT_REMOVE, 1, NULL);
    }
    /* The guest takes its buffers back itself on PORT_REMOVE. */
    port_drop_elems(port);
    if (port->guest_connected) {
        /* Its guest side goes with it: whoever watched it open hears so. */
        port->guest_connected = false;
        port_notify_listener(port, false);
    }
    port->throttled = false;
    vser->ports[port->nr] = NULL;
    port->vser = NULL;
}

static void vser_bus_class_init(ObjectClass *oc, void *data)
{
    BusClass *bc = (BusClass *)oc;

    bc->check_address = vser_bus_check_address;
    bc->plug = vser_bus_plug;
    bc->unplug = vser_bus_unplug;
}

/* ---- the abstract port ------------------------------------------------- */

static const ObjectProperty port_props[] = {
    PROP_UINT32("nr", VirtIOSerialPort, nr, VIRTIO_SERIAL_PORT_NR_UNSET,
                "port number (default: the lowest free one)"),
    PROP_STR("name", VirtIOSerialPort, name,
             "name the guest sees (/dev/virtio-ports/NAME)"),
    PROP_END
};

static void port_instance_init(Object *obj)
{
    g_queue_init(&VIRTIO_SERIAL_PORT(obj)->rx_elems);
}

static void port_class_init(ObjectClass *oc, void *data)
{
    DeviceClass *dc = (DeviceClass *)oc;

    dc->bus_type = TYPE_VIRTIO_SERIAL_BUS;
    object_class_add_props(oc, port_props);
}

/* ---- the device model (VirtioDeviceOps) ---------------------------------- */

static VirtIOSerial *vser_of(VirtIODevice *vdev)
{
    return vdev->opaque;
}

static uint64_t vser_get_features(VirtIODevice *vdev)
{
    VirtIOSerial *vser = vser_of(vdev);
    uint64_t f = 0;

    if (vser->max_ports > 1) {
        f |= VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT);
    }
    if (vser->emergency_write) {
        f |= VIRTIO_BIT(VIRTIO_CONSOLE_F_EMERG_WRITE);
    }
    return f;
}

static void vser_get_config(VirtIODevice *vdev, uint8_t *buf)
{
    uint32_t max = GUINT32_TO_LE(vser_of(vdev)->max_ports);

    /* cols, rows: 0 (no F_SIZE); emerg_wr reads as 0. */
    memcpy(buf + VSER_CFG_MAX_NR_PORTS, &max, sizeof(max));
}

/* §5.3.4: a write to emerg_wr outputs one character on port 0. */
static void vser_set_config(VirtIODevice *vdev, const uint8_t *buf)
{
    VirtIOSerial *vser = vser_of(vdev);
    VirtIOSerialPort *port = vser->ports[0];
    uint32_t emerg;

    memcpy(&emerg, buf + VSER_CFG_EMERG_WR, sizeof(emerg));
    emerg = GUINT32_FROM_LE(emerg);
    if (!vser->emergency_write || !emerg || !port) {
        return;
    }
    uint8_t c = emerg & 0xff;
    int64_t ret = port_class(port)->have_data(port, &c, 1);
    if (ret > 0) {
        port->bytes_from_guest += ret;
    }
}

static void vser_reset(VirtIODevice *vdev)
{
    VirtIOSerial *vser = vser_of(vdev);

    if (!vser->ports) {
        return;     /* torn down already (unrealize) */
    }
    vser->device_ready = false;
    vser_ctrl_reset(vser);
    for (uint32_t nr = 0; nr < vser->max_ports; nr++) {
        VirtIOSerialPort *port = vser->ports[nr];
        if (port) {
            port_drop_elems(port);
            port->throttled = false;
            vser_port_set_guest_connected(port, false, false);
        }
    }
}

static void vser_set_status(VirtIODevice *vdev, uint8_t status)
{
    VirtIOSerial *vser = vser_of(vdev);
    VirtIOSerialPort *port0 = vser->ports[0];

    if (!(status & VIRTIO_CONFIG_S_DRIVER_OK)) {
        return;
    }
    /* Without MULTIPORT, port 0 is open as soon as the driver is. */
    if (port0 && !vser_multiport(vser)) {
        vser_port_set_guest_connected(port0, true, false);
    }
}

static void vser_queue_notify(VirtIODevice *vdev, unsigned qidx)
{
    VirtIOSerial *vser = vser_of(vdev);
    VirtIOSerialPort *port;
    uint32_t nr;

    if (qidx == VSER_CTRL_RX_QUEUE || qidx == VSER_CTRL_TX_QUEUE) {
        if (!vser_multiport(vser)) {
            return;
        }
        if (qidx == VSER_CTRL_RX_QUEUE) {
            vser_ctrl_flush(vser);
        } else {
            vser_ctrl_handle_tx(vser);
        }
        return;
    }
    nr = qidx < VSER_CTRL_RX_QUEUE ? 0 : (qidx - 2) / 2;
    port = vser_find_port(vser, nr);
    if (!port || !port_visible(port)) {
        return;     /* no port there: the buffers wait in the ring */
    }
    if (qidx == vser_rx_queue(nr)) {
        port_guest_writable(port);
    } else {
        port_flush_tx(port);
    }
}

const VirtioDeviceOps virtio_serial_ops = {
    .device_id = VIRTIO_ID_CONSOLE,
    .queue_max = VSER_QUEUE_SIZE,
    .config_size = VSER_CFG_SIZE,
    .get_features = vser_get_features,
    .get_config = vser_get_config,
    .set_config = vser_set_config,
    .reset = vser_reset,
    .set_status = vser_set_status,
    .queue_notify = vser_queue_notify,
};

void virtio_serial_model_init(VirtIOSerial *vser, DeviceState *dev,
                              VirtIODevice *vdev, const char *bus_name)
{
    vser->vdev = vdev;
    vser->dev = dev;
    vser->ports = g_new0(VirtIOSerialPort *, vser->max_ports);
    g_queue_init(&vser->ctrl_pending);
    vser->bus = VIRTIO_SERIAL_BUS(qbus_new(TYPE_VIRTIO_SERIAL_BUS, dev,
                                           bus_name));
    vser->bus->vser = vser;
}

void virtio_serial_model_cleanup(VirtIOSerial *vser)
{
    vser_ctrl_reset(vser);
    g_free(vser->ports);
    vser->ports = NULL;
}

static const TypeInfo vser_bus_types[] = {
    {
        .name = TYPE_VIRTIO_SERIAL_BUS,
        .parent = TYPE_BUS,
        .instance_size = sizeof(VirtIOSerialBus),
        .class_init = vser_bus_class_init,
    },
    {
        .name = TYPE_VIRTIO_SERIAL_PORT,
        .parent = TYPE_DEVICE,
        .instance_size = sizeof(VirtIOSerialPort),
        .class_size = sizeof(VirtIOSerialPortClass),
        .instance_init = port_instance_init,
        .class_init = port_class_init,
        .abstract = true,
    },
};

static void vser_bus_register_types(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vser_bus_types); i++) {
        type_register_static(&vser_bus_types[i]);
    }
}
type_init(vser_bus_register_types)
