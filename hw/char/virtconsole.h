/*
 * hw/char/virtconsole.h: the chardev-backed port kinds, virtserialport and
 * virtconsole (QEMU's hw/char/virtio-console.c).
 *
 * Properties: chardev (the id of a -chardev; optional, as in QEMU: a port
 * without one discards what the guest writes and never opens), name
 * (PORT_NAME), nr, id, bus.  The chardev is looked up at realize in the
 * "chardevs" container at the root of the device's QOM tree (/chardevs).
 * Realize errors, in QEMU's words:
 *   "Property 'virtserialport.chardev' can't find value 'X'"
 *   "Property 'virtserialport.chardev' can't take value 'X', it's in use"
 *   "Port number 0 on virtio-serial devices reserved for virtconsole
 *    devices for backward compatibility."
 *
 * virtserialport: guest data goes to the backend with chr_fe_write.  What
 * the backend does not take stays in the guest's ring (the bus holds the
 * element and its offset, the port is throttled) and is retried from a
 * G_IO_OUT watch; while the backend is disconnected the guest's data stays
 * queued and is delivered after it reconnects.  Nothing is dropped.
 *
 * virtconsole: the policy when the backend stalls.  Linux's hvc path
 * (put_chars) busy-waits in the guest until the device returns each
 * buffer, so a console must never hold a guest buffer: the guest would
 * hang.  A console therefore always takes the whole buffer at once:
 *   - what the backend accepts goes out directly;
 *   - the rest is kept, in order, in a host buffer of at most
 *     VIRTCONSOLE_BUF_MAX bytes, flushed from a G_IO_OUT watch (and when a
 *     disconnected backend comes back);
 *   - bytes that do not fit are dropped, counted in the port's
 *     bytes_dropped (`info virtio-serial`), and logged once per stall
 *     ("virtconsole ID: backend stalled, dropping console output").
 * A console is host-connected from realize on (as in QEMU), so the guest
 * always sees the port open.  Emergency writes (config emerg_wr) take the
 * same path for port 0.
 *
 * Threads: the device lock, like the rest of hw/char.
 */
#ifndef HW_CHAR_VIRTCONSOLE_H
#define HW_CHAR_VIRTCONSOLE_H

#include "chardev/char-fe.h"
#include "chardev/char-fe-outbuf.h"
#include "hw/char/virtio-serial.h"

/* The most console output held for a stalled backend. */
#define VIRTCONSOLE_BUF_MAX (64 * 1024)

typedef struct VirtConsole {
    VirtIOSerialPort parent_obj;
    char *chardev;          /* property: chardev id, or NULL */
    CharBackend chr;
    guint watch;            /* port: G_IO_OUT watch while throttled, or 0 */
    ChrFeOutBuf cout;       /* console: output the backend has not taken */
    bool drop_logged;       /* console: the stall was logged */
} VirtConsole;

DECLARE_TYPE(VirtConsole, VirtIOSerialPortClass, VIRTCONSOLE,
             TYPE_VIRTSERIALPORT)

#endif /* HW_CHAR_VIRTCONSOLE_H */
