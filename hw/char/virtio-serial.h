/*
 * hw/char/virtio-serial.h: the virtio console device (virtio 1.2 §5.3),
 * its bus of ports, and the two port kinds.
 *
 * QOM types (shared/DESIGN.md, "virtio-serial, as the guest sees it"):
 *   virtio-serial-pci  -> virtio-pci -> pci-device -> device
 *       owns the bus "<id>.0" (or "virtio-serial-bus.N" without an id)
 *   virtio-serial-bus  -> bus
 *   virtio-serial-port -> device             (abstract, plugs into the bus)
 *   virtserialport     -> virtio-serial-port (a chardev-backed port)
 *   virtconsole        -> virtserialport     (the same, marked as console)
 *
 * Layering.  The bus side (virtio-serial-bus.c) owns the virtqueues, the
 * control protocol and the per-port state machine; a port kind
 * (virtconsole.c) owns the host endpoint and fills the hooks of
 * VirtIOSerialPortClass.  The two meet only through the functions below.
 *
 * Threads: everything runs under the board's device lock (the main thread
 * or a vCPU holding it), as the chardev front end does.
 */
#ifndef HW_CHAR_VIRTIO_SERIAL_H
#define HW_CHAR_VIRTIO_SERIAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/qdev.h"

#define TYPE_VIRTIO_SERIAL_PCI  "virtio-serial-pci"
#define TYPE_VIRTIO_SERIAL_BUS  "virtio-serial-bus"
#define TYPE_VIRTIO_SERIAL_PORT "virtio-serial-port"
#define TYPE_VIRTSERIALPORT     "virtserialport"
#define TYPE_VIRTCONSOLE        "virtconsole"

/* virtio 1.2 §5.3.3: feature bits of the console device. */
#define VIRTIO_CONSOLE_F_SIZE        0
#define VIRTIO_CONSOLE_F_MULTIPORT   1
#define VIRTIO_CONSOLE_F_EMERG_WRITE 2

/* virtio 1.2 §5.3.6.2: the control events, both directions. */
#define VIRTIO_CONSOLE_DEVICE_READY 0   /* guest: driver is up */
#define VIRTIO_CONSOLE_PORT_ADD     1   /* host: port id exists */
#define VIRTIO_CONSOLE_PORT_REMOVE  2   /* host: port id is gone */
#define VIRTIO_CONSOLE_PORT_READY   3   /* guest: port id set up (value 1) */
#define VIRTIO_CONSOLE_CONSOLE_PORT 4   /* host: port id is a console */
#define VIRTIO_CONSOLE_RESIZE       5   /* host: console size (unused) */
#define VIRTIO_CONSOLE_PORT_OPEN    6   /* both: value 1 open, 0 closed */
#define VIRTIO_CONSOLE_PORT_NAME    7   /* host: name follows the header */

/* virtio 1.2 §5.3.6.2: struct virtio_console_control, little-endian. */
#define VIRTIO_CONSOLE_CTRL_SIZE 8

/* "nr" unset: the bus picks the lowest free number (QEMU's value). */
#define VIRTIO_SERIAL_PORT_NR_UNSET UINT32_MAX

/* max_ports: the default (QEMU's) and the cap, see virtio-serial-pci. */
#define VIRTIO_SERIAL_DEFAULT_MAX_PORTS 31

typedef struct VirtIOSerial VirtIOSerial;
typedef struct VirtIOSerialBus VirtIOSerialBus;
typedef struct VirtIOSerialPort VirtIOSerialPort;
typedef struct VirtQueueElement VirtQueueElement;

/*
 * What `info virtio-serial` shows for one port.  Counters are totals since
 * the port was realized; they survive device resets.  The chardev id is
 * the port's "chardev" property (object_property_print).
 */
typedef struct VirtIOSerialPortStats {
    uint32_t nr;
    const char *name;       /* the port's name=, or NULL; valid while the
                               port exists */
    bool is_console;
    bool guest_connected;   /* the guest sent PORT_OPEN 1 (or no MULTIPORT) */
    bool host_connected;    /* the backend is connected (consoles: always) */
    bool throttled;         /* guest data waits for the backend (G_IO_OUT) */
    uint64_t bytes_to_guest;    /* host -> guest, delivered into rx buffers */
    uint64_t bytes_from_guest;  /* guest -> host, taken off the ring: given
                                   to the backend, or held/dropped below */
    uint64_t bytes_held;        /* of those, waiting in a console's stall
                                   buffer for the backend */
    uint64_t bytes_dropped;     /* lost: guest data with no chardev to go
                                   to, or past a console's stall buffer */
} VirtIOSerialPortStats;

struct VirtIOSerialPort {
    DeviceState parent_obj;

    /* Properties. */
    uint32_t nr;            /* port id; VIRTIO_SERIAL_PORT_NR_UNSET: pick */
    char *name;             /* PORT_NAME, or NULL */

    /* Bus-side state, owned by virtio-serial-bus.c. */
    VirtIOSerial *vser;     /* set while plugged */
    bool guest_connected;
    bool host_connected;
    bool throttled;
    bool in_flush;          /* the tx path is running (re-entry guard) */
    bool flush_again;       /* ... and was asked to resume meanwhile */
    /* guest -> host: the element being written out, and how far. */
    VirtQueueElement *tx_elem;
    uint64_t tx_off;
    /* host -> guest: popped rx elements not yet used, and their room. */
    GQueue rx_elems;
    uint64_t rx_room;

    uint64_t bytes_to_guest;
    uint64_t bytes_from_guest;
    uint64_t bytes_dropped;
};

/*
 * VirtIOSerialPortClass: what a port kind provides.
 * @is_console: sends CONSOLE_PORT on PORT_READY; nr 0 is reserved for it.
 * @have_data (mandatory): guest -> host bytes.  Return how many bytes were
 *   taken (0..@len; less than @len means "throttle me": the bus keeps the
 *   rest and waits for virtio_serial_throttle_port(port, false)), or -1 if
 *   the host side is not connected (nothing taken; the kind calls
 *   virtio_serial_close, and the next virtio_serial_open resumes).
 * @set_guest_connected (optional): the guest opened or closed the port.
 * @plugged (optional): the port is on its device; install host handlers.
 * @guest_writable (optional): the guest posted rx buffers; host data that
 *   was refused for lack of room can come now.
 * @held_bytes (optional): guest bytes the kind buffers itself (stats).
 */
typedef struct VirtIOSerialPortClass {
    DeviceClass parent_class;
    bool is_console;
    int64_t (*have_data)(VirtIOSerialPort *port, const uint8_t *buf,
                         size_t len);
    void (*set_guest_connected)(VirtIOSerialPort *port, bool connected);
    void (*plugged)(VirtIOSerialPort *port);
    void (*guest_writable)(VirtIOSerialPort *port);
    uint64_t (*held_bytes)(VirtIOSerialPort *port);
} VirtIOSerialPortClass;

DECLARE_TYPE(VirtIOSerialPort, VirtIOSerialPortClass, VIRTIO_SERIAL_PORT,
             TYPE_VIRTIO_SERIAL_PORT)

/* ---- what a port kind calls (bus side, virtio-serial-bus.c) ------------ */

/*
 * virtio_serial_guest_ready: how many bytes the guest can take now on
 * @port: the room in the rx buffers it posted, or 0 if the driver is not
 * ready, the port is closed on the guest side or no buffer is posted.
 */
size_t virtio_serial_guest_ready(VirtIOSerialPort *port);

/*
 * virtio_serial_write: copy up to @len host bytes into @port's rx buffers,
 * spreading them over as many buffers as needed, and notify the guest.
 * Returns the bytes written (never more than virtio_serial_guest_ready).
 */
size_t virtio_serial_write(VirtIOSerialPort *port, const uint8_t *buf,
                           size_t len);

/*
 * virtio_serial_open / _close: the host side connected or went away.
 * Sends PORT_OPEN 1/0 to the guest (when it negotiated MULTIPORT) and, on
 * open, resumes guest data held while the host was away.  Idempotent.
 */
void virtio_serial_open(VirtIOSerialPort *port);
void virtio_serial_close(VirtIOSerialPort *port);

/*
 * virtio_serial_throttle_port: stop (true) or resume (false) taking guest
 * data for @port.  Resuming flushes the held element and then the ring.
 */
void virtio_serial_throttle_port(VirtIOSerialPort *port, bool throttle);

/* ---- what the monitor calls ------------------------------------------- */

/*
 * VirtIOSerialPortListener: the guest side of @port opened (@guest_open)
 * or closed.  Called, as QEMU emits VSERPORT_CHANGE:
 *  - for every PORT_OPEN message the guest sends (even one that repeats
 *    the state it had);
 *  - when the driver comes up without MULTIPORT (port 0 opens);
 *  - with @guest_open false when a device reset or the port's unplug
 *    closes a port the guest had open.
 * It runs inside the device's queue handling (device lock): it must not
 * plug, unplug or reset ports of this device.
 */
typedef void (*VirtIOSerialPortListener)(VirtIOSerialPort *port,
                                         bool guest_open, void *opaque);

/*
 * virtio_serial_set_port_listener: tell @fn (with @opaque) about the guest
 * opening and closing any port of the virtio-serial-pci device @dev, ports
 * plugged later included.  One listener per device; @fn NULL removes it.
 * Returns false (changing nothing) if @dev is not a virtio-serial-pci.
 */
bool virtio_serial_set_port_listener(DeviceState *dev,
                                     VirtIOSerialPortListener fn,
                                     void *opaque);

/* virtio_serial_port_get_stats: @port's state and counters. */
void virtio_serial_port_get_stats(VirtIOSerialPort *port,
                                  VirtIOSerialPortStats *stats);

/*
 * virtio_serial_foreach_port: call @fn for each port plugged into the
 * virtio-serial-pci device @dev, in nr order.  Returns false (calling
 * nothing) if @dev is not a virtio-serial-pci.
 */
bool virtio_serial_foreach_port(DeviceState *dev,
                                void (*fn)(VirtIOSerialPort *port,
                                           void *opaque),
                                void *opaque);

#endif /* HW_CHAR_VIRTIO_SERIAL_H */
