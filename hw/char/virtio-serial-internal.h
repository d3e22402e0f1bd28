/*
 * hw/char/virtio-serial-internal.h: what the virtio-serial files share
 * (the device model state, the bus, the control message codec).
 * Nobody outside hw/char includes this.
 */
#ifndef HW_CHAR_VIRTIO_SERIAL_INTERNAL_H
#define HW_CHAR_VIRTIO_SERIAL_INTERNAL_H

#include "hw/char/virtio-serial.h"
#include "hw/virtio/virtio.h"

/*
 * Queue layout (virtio 1.2 §5.3.2): port 0 receiveq/transmitq are 0/1,
 * the control receiveq/transmitq 2/3, and port n (n >= 1) uses 2n+2 and
 * 2n+3.  "receive" is the guest's view: host -> guest.
 */
#define VSER_CTRL_RX_QUEUE  2
#define VSER_CTRL_TX_QUEUE  3
#define VSER_PORT0_RX_QUEUE 0

static inline unsigned vser_rx_queue(uint32_t nr)
{
    return nr == 0 ? VSER_PORT0_RX_QUEUE : 2 * nr + 2;
}

static inline unsigned vser_tx_queue(uint32_t nr)
{
    return vser_rx_queue(nr) + 1;
}

/* Every port has its pair, plus the control pair (QEMU's layout). */
static inline unsigned vser_num_queues(uint32_t max_ports)
{
    return 2 * max_ports + 2;
}

/*
 * The largest max_ports: QEMU's limit, from its 1024 virtqueues per
 * device (2 per port, and one pair for control).
 */
#define VIRTIO_SERIAL_MAX_PORTS (1024 / 2 - 1)

/* Queue size offered for every queue (QEMU uses 128 for port queues). */
#define VSER_QUEUE_SIZE 128

/* virtio 1.2 §5.3.4: struct virtio_console_config, little-endian. */
#define VSER_CFG_COLS           0   /* le16 */
#define VSER_CFG_ROWS           2   /* le16 */
#define VSER_CFG_MAX_NR_PORTS   4   /* le32 */
#define VSER_CFG_EMERG_WR       8   /* le32, write-only */
#define VSER_CFG_SIZE           12

/* Control messages waiting for a guest buffer, at most (then dropped). */
#define VSER_CTRL_PENDING_MAX   4096

/* How much host->guest room to keep popped per port (bounded by the ring). */
#define VSER_RX_ROOM_TARGET     (64 * 1024)

/* The bus a virtio-serial device owns. */
struct VirtIOSerialBus {
    BusState parent_obj;
    VirtIOSerial *vser;
};

DECLARE_TYPE(VirtIOSerialBus, BusClass, VIRTIO_SERIAL_BUS,
             TYPE_VIRTIO_SERIAL_BUS)

/* The device model state, embedded in the virtio-serial-pci object. */
struct VirtIOSerial {
    VirtIODevice *vdev;
    DeviceState *dev;           /* the PCI device, for names in messages */
    VirtIOSerialBus *bus;
    /* Properties (stored here, declared by virtio-serial-pci). */
    uint32_t max_ports;
    bool emergency_write;

    VirtIOSerialPort **ports;   /* [max_ports], by nr; NULL = free */
    bool device_ready;          /* the guest sent DEVICE_READY */
    GQueue ctrl_pending;        /* GBytes *: control messages to send */
    bool ctrl_drop_logged;
    uint64_t ctrl_dropped;
    VirtIOSerialPortListener listener;  /* guest open/close, or NULL */
    void *listener_opaque;
};

/* ---- control messages (virtio 1.2 §5.3.6.2) --------------------------- */

typedef struct VirtIOSerialCtrl {
    uint32_t id;
    uint16_t event;
    uint16_t value;
} VirtIOSerialCtrl;

/*
 * vser_ctrl_encode: the wire form of @msg, followed by @extra (the
 * PORT_NAME string, sent with its NUL as QEMU does) when non-NULL.
 */
GBytes *vser_ctrl_encode(const VirtIOSerialCtrl *msg, const char *extra);

/*
 * vser_ctrl_decode: parse @len bytes of @buf.  Returns false for a message
 * shorter than the header (the guest's fault; the caller drops it).
 */
bool vser_ctrl_decode(const uint8_t *buf, size_t len, VirtIOSerialCtrl *msg);

/*
 * vser_ctrl_send: queue a control message for the guest (only once it
 * negotiated MULTIPORT) and send what its control receiveq has room for.
 * @name: PORT_NAME's string, or NULL.  vser_ctrl_flush: retry the queue
 * (the guest posted buffers).  vser_ctrl_handle_tx: read and act on the
 * guest's control messages.  vser_ctrl_reset: forget what is queued.
 */
void vser_ctrl_send(VirtIOSerial *vser, uint32_t id, uint16_t event,
                    uint16_t value, const char *name);
void vser_ctrl_flush(VirtIOSerial *vser);
void vser_ctrl_handle_tx(VirtIOSerial *vser);
void vser_ctrl_reset(VirtIOSerial *vser);

/* ---- port state, for the control protocol (virtio-serial-bus.c) ------- */

/* The port numbered @nr on @vser, or NULL. */
VirtIOSerialPort *vser_find_port(VirtIOSerial *vser, uint32_t nr);

/*
 * The guest opened or closed @port (PORT_OPEN, or no MULTIPORT).
 * @by_message: a PORT_OPEN message, which the listener hears even when it
 * repeats the state (QEMU's VSERPORT_CHANGE does); otherwise only a change
 * is reported.
 */
void vser_port_set_guest_connected(VirtIOSerialPort *port, bool connected,
                                   bool by_message);

/* "ID" of the device (or its QOM path), for log lines.  Freed by caller. */
char *vser_describe(VirtIOSerial *vser);

/* ---- the device model, for virtio-serial-pci.c ----------------------- */

/* The VirtioDeviceOps of the console device; opaque is the VirtIOSerial. */
extern const VirtioDeviceOps virtio_serial_ops;

/*
 * virtio_serial_model_init: set up @vser (properties already checked) and
 * its bus "@bus_name" under @dev.  virtio_serial_model_cleanup undoes it
 * once every port is gone.
 */
void virtio_serial_model_init(VirtIOSerial *vser, DeviceState *dev,
                              VirtIODevice *vdev, const char *bus_name);
void virtio_serial_model_cleanup(VirtIOSerial *vser);

/* The VirtIOSerial inside a virtio-serial-pci device, or NULL. */
VirtIOSerial *virtio_serial_from_device(DeviceState *dev);

#endif /* HW_CHAR_VIRTIO_SERIAL_INTERNAL_H */
