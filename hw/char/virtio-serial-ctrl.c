/*
 * hw/char/virtio-serial-ctrl.c: the multiport control protocol (virtio 1.2
 * §5.3.6.2), on the control queues 2 (host -> guest) and 3 (guest -> host).
 *
 * The exchange with Linux's virtio_console:
 *   guest DEVICE_READY 1  -> host PORT_ADD for every port
 *   guest PORT_READY id 1 -> host CONSOLE_PORT (consoles), PORT_NAME (named
 *                            ports), PORT_OPEN 1 (host side connected)
 *   guest PORT_OPEN id v  -> the port's guest_connected = v
 *   host connect / close  -> PORT_OPEN 1 / 0; hot-unplug -> PORT_REMOVE
 * Messages from the guest that are short, name a port that does not exist
 * or carry an event the guest may not send are dropped and logged: the
 * guest is hostile, the device keeps working.
 */
#include <string.h>

#include "hw/char/virtio-serial-internal.h"

GBytes *vser_ctrl_encode(const VirtIOSerialCtrl *msg, const char *extra)
{
    size_t extra_len = extra ? strlen(extra) + 1 : 0;
    uint8_t *buf = g_malloc(VIRTIO_CONSOLE_CTRL_SIZE + extra_len);
    uint32_t id = GUINT32_TO_LE(msg->id);
    uint16_t event = GUINT16_TO_LE(msg->event);
    uint16_t value = GUINT16_TO_LE(msg->value);

    memcpy(buf, &id, 4);
    memcpy(buf + 4, &event, 2);
    memcpy(buf + 6, &value, 2);
    if (extra) {
        memcpy(buf + VIRTIO_CONSOLE_CTRL_SIZE, extra, extra_len);
    }
    return g_bytes_new_take(buf, VIRTIO_CONSOLE_CTRL_SIZE + extra_len);
}

bool vser_ctrl_decode(const uint8_t *buf, size_t len, VirtIOSerialCtrl *msg)
{
    uint32_t id;
    uint16_t event, value;

    if (len < VIRTIO_CONSOLE_CTRL_SIZE) {
        return false;
    }
    memcpy(&id, buf, 4);
    memcpy(&event, buf + 4, 2);
    memcpy(&value, buf + 6, 2);
    msg->id = GUINT32_FROM_LE(id);
    msg->event = GUINT16_FROM_LE(event);
    msg->value = GUINT16_FROM_LE(value);
    return true;
}

/* ---- host -> guest ---------------------------------------------------- */

void vser_ctrl_flush(VirtIOSerial *vser)
{
    VirtIODevice *vdev = vser->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, VSER_CTRL_RX_QUEUE);
    bool pushed = false;

    while (!g_queue_is_empty(&vser->ctrl_pending)) {
        VirtQueueElement *elem = virtqueue_pop_dir(vq, VIRTQ_DIR_IN);
        if (!elem) {
            break;
        }
        GBytes *msg = g_queue_pop_head(&vser->ctrl_pending);
        size_t len;
        const void *data = g_bytes_get_data(msg, &len);
        size_t n = virtqueue_elem_from_buf(vdev, elem, 0, data, len);
        if (n < len) {
            g_autofree char *who = vser_describe(vser);
            g_message("virtio-serial-bus: %s: control buffer of %zu bytes "
                      "too small for a %zu-byte message, truncated", who,
                      (size_t)elem->in_len, len);
        }
        virtqueue_push(vq, elem, n);
        virtqueue_element_free(elem);
        g_bytes_unref(msg);
        pushed = true;
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}

void vser_ctrl_send(VirtIOSerial *vser, uint32_t id, uint16_t event,
                    uint16_t value, const char *name)
{
    VirtIOSerialCtrl msg = { .id = id, .event = event, .value = value };

    /* Without MULTIPORT the guest has no control queues (§5.3.6). */
    if (!virtio_has_feature(vser->vdev, VIRTIO_CONSOLE_F_MULTIPORT)) {
        return;
    }
    /* A guest that never posts control buffers must not grow us forever. */
    if (g_queue_get_length(&vser->ctrl_pending) >= VSER_CTRL_PENDING_MAX) {
        vser->ctrl_dropped++;
        if (!vser->ctrl_drop_logged) {
            g_autofree char *who = vser_describe(vser);
            g_message("virtio-serial-bus: %s: guest posts no control "
                      "buffers, dropping control messages", who);
            vser->ctrl_drop_logged = true;
        }
        return;
    }
    g_queue_push_tail(&vser->ctrl_pending, vser_ctrl_encode(&msg, name));
    vser_ctrl_flush(vser);
}

void vser_ctrl_reset(VirtIOSerial *vser)
{
    GBytes *msg;

    while ((msg = g_queue_pop_head(&vser->ctrl_pending))) {
        g_bytes_unref(msg);
    }
    vser->ctrl_drop_logged = false;
}

/* ---- guest -> host ---------------------------------------------------- */

static void ctrl_port_ready(VirtIOSerial *vser, VirtIOSerialPort *port)
{
    /* The guest set the port up: now it may learn what the port is. */
    if (VIRTIO_SERIAL_PORT_GET_CLASS(port)->is_console) {
        vser_ctrl_send(vser, port->nr, VIRTIO_CONSOLE_CONSOLE_PORT, 1, NULL);
    }
    if (port->name) {
        vser_ctrl_send(vser, port->nr, VIRTIO_CONSOLE_PORT_NAME, 1,
                       port->name);
    }
    if (port->host_connected) {
        vser_ctrl_send(vser, port->nr, VIRTIO_CONSOLE_PORT_OPEN, 1, NULL);
    }
}

static void ctrl_handle(VirtIOSerial *vser, const VirtIOSerialCtrl *msg)
{
    g_autofree char *who = NULL;
    VirtIOSerialPort *port;

    if (msg->event == VIRTIO_CONSOLE_DEVICE_READY) {
        if (!msg->value) {
            who = vser_describe(vser);
            g_message("virtio-serial-bus: %s: guest failed to set up the "
                      "device", who);
            return;
        }
        vser->device_ready = true;
        for (uint32_t nr = 0; nr < vser->max_ports; nr++) {
            if ((port = vser->ports[nr])) {
                vser_ctrl_send(vser, nr, VIRTIO_CONSOLE_PORT_ADD, 1, NULL);
            }
        }
        return;
    }

    port = vser_find_port(vser, msg->id);
    if (!port) {
        who = vser_describe(vser);
        g_message("virtio-serial-bus: %s: unexpected port id %u in control "
                  "message (event %u), dropped", who, msg->id, msg->event);
        return;
    }
    switch (msg->event) {
    case VIRTIO_CONSOLE_PORT_READY:
        if (!msg->value) {
            who = vser_describe(vser);
            g_message("virtio-serial-bus: %s: guest failed to add port %u",
                      who, msg->id);
            return;
        }
        ctrl_port_ready(vser, port);
        break;
    case VIRTIO_CONSOLE_PORT_OPEN:
        vser_port_set_guest_connected(port, msg->value != 0, true);
        break;
    default:
        who = vser_describe(vser);
        g_message("virtio-serial-bus: %s: unexpected control event %u for "
                  "port %u, dropped", who, msg->event, msg->id);
        break;
    }
}

void vser_ctrl_handle_tx(VirtIOSerial *vser)
{
    VirtIODevice *vdev = vser->vdev;
    VirtQueue *vq = virtio_get_queue(vdev, VSER_CTRL_TX_QUEUE);
    VirtQueueElement *elem;
    bool pushed = false;

    while ((elem = virtqueue_pop_dir(vq, VIRTQ_DIR_OUT))) {
        uint8_t buf[VIRTIO_CONSOLE_CTRL_SIZE];
        size_t n = virtqueue_elem_to_buf(vdev, elem, 0, buf, sizeof(buf));
        VirtIOSerialCtrl msg;

        /* Return the buffer first: handling may send on the other queue. */
        virtqueue_push(vq, elem, 0);
        virtqueue_element_free(elem);
        pushed = true;
        if (!vser_ctrl_decode(buf, n, &msg)) {
            g_autofree char *who = vser_describe(vser);
            g_message("virtio-serial-bus: %s: short control message (%zu "
                      "bytes), dropped", who, n);
            continue;
        }
        ctrl_handle(vser, &msg);
    }
    if (pushed) {
        virtio_notify(vdev, vq);
    }
}
