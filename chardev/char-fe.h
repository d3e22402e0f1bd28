/*
 * chardev/char-fe.h: the front-end API that devices use to talk to a chardev.
 *
 * A device embeds a CharBackend, binds it to a Chardev with chr_fe_init(),
 * installs its handlers with chr_fe_set_handlers() and writes with
 * chr_fe_write().  Data from the host arrives through the read handler, but
 * only as much as the can_read handler said the device can take; when the
 * device has room again it calls chr_fe_accept_input().
 *
 * The no-loss contract: nothing a front end writes is silently dropped.
 * chr_fe_write() returns how many bytes the backend ACCEPTED.  An accepted
 * byte has left minivirt's hands: it is in the kernel (socket send buffer,
 * pipe, pty, file), in the ring buffer, or consumed by a sink (null).  A
 * short count (including 0) means "the rest was not taken, try again"; add a
 * G_IO_OUT watch with chr_fe_add_watch() to learn when.  -1 means the backend
 * cannot take data at all (a socket with no peer, a closed fd): none of this
 * call's bytes were taken.  After a disconnect the first write returns -1,
 * never a partial count of a dead connection.
 *
 * Threads: every chr_fe_* call and every handler runs under the board's
 * device lock (QEMU's BQL): either in the main thread, or in a vCPU that
 * holds that lock.  Handlers are dispatched from the GMainContext given to
 * chr_fe_set_handlers() (NULL: the default context).  The backend's write
 * path is serialised by the chardev's own write lock, so chr_fe_write() from
 * a vCPU and chr_fe_write_all() from the monitor do not interleave bytes.
 */
#ifndef CHARDEV_CHAR_FE_H
#define CHARDEV_CHAR_FE_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct Chardev Chardev;

typedef enum ChrEvent {
    CHR_EVENT_BREAK,    /* the host sent a serial BREAK (mux Ctrl-A b, telnet) */
    CHR_EVENT_OPENED,   /* the backend connected (peer arrived, file opened) */
    CHR_EVENT_MUX_IN,   /* mux: this front end now has the focus */
    CHR_EVENT_MUX_OUT,  /* mux: this front end lost the focus */
    CHR_EVENT_CLOSED,   /* the backend disconnected (peer gone, EOF) */
} ChrEvent;

/* How many bytes the device can take now (0: none; stop delivering). */
typedef int (*IOCanReadHandler)(void *opaque);
/* @size bytes from the host; never more than can_read last returned. */
typedef void (*IOReadHandler)(void *opaque, const uint8_t *buf, int size);
typedef void (*IOEventHandler)(void *opaque, ChrEvent event);
/*
 * The backend of this front end was replaced (chardev_change).  Return 0 to
 * accept, < 0 to refuse (the old backend is then kept).
 */
typedef int (*BackendChangeHandler)(void *opaque);
/* A watch callback; return G_SOURCE_REMOVE or G_SOURCE_CONTINUE. */
typedef gboolean (*FEWatchFunc)(void *do_not_use, GIOCondition cond,
                                void *opaque);

/* Embedded in the device; all fields are private to chardev/. */
typedef struct CharBackend {
    Chardev *chr;
    IOEventHandler chr_event;
    IOCanReadHandler chr_can_read;
    IOReadHandler chr_read;
    BackendChangeHandler chr_be_change;
    void *opaque;
    int tag;            /* mux: our index among the mux's front ends */
    bool fe_is_open;    /* the guest side is open (chr_fe_set_open) */
} CharBackend;

/*
 * chr_fe_init: bind @be to @s (NULL @s: an unconnected front end, on which
 * writes return -1 and everything else is a no-op).  Fails with
 * MV_ERROR_IN_USE, "chardev 'ID' is already in use" (QEMU's words), if
 * another front end holds @s; a mux chardev accepts up to CHR_MUX_MAX_FE
 * front ends ("too many uses of multiplexed chardev 'ID' (maximum is 4)").
 */
bool chr_fe_init(CharBackend *be, Chardev *s, GError **errp);

/*
 * chr_fe_deinit: remove the handlers and unbind.  With @del, also remove the
 * chardev from its container (as QEMU does for chardevs made by a device).
 */
void chr_fe_deinit(CharBackend *be, bool del);

/*
 * chr_fe_set_handlers: install (or, all NULL, remove) the handlers, run from
 * @ctx.  With @set_open, also chr_fe_set_open(be, fe_open) where fe_open is
 * whether any handler is non-NULL.  If the backend is already open, the event
 * handler receives CHR_EVENT_OPENED right away (so a device attached after
 * the peer connected still learns of it).
 */
void chr_fe_set_handlers(CharBackend *be, IOCanReadHandler fd_can_read,
                         IOReadHandler fd_read, IOEventHandler fd_event,
                         BackendChangeHandler be_change, void *opaque,
                         GMainContext *ctx, bool set_open);

/*
 * chr_fe_write: never blocks.  Returns the number of bytes accepted (see the
 * contract above; 0 if nothing could be taken now), or -1 if the backend is
 * disconnected or failed, in which case nothing was taken.  Bytes accepted are
 * also appended to the logfile, if any.
 */
int chr_fe_write(CharBackend *be, const uint8_t *buf, int len);

/*
 * chr_fe_write_all: blocks (polling the backend's G_IO_OUT) until all @len
 * bytes are accepted.  Returns @len, or -1 on disconnect/error (some prefix
 * may then have been accepted).  For consoles and the monitor only.
 */
int chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len);

/*
 * chr_fe_add_watch: call @func when @cond (normally G_IO_OUT) holds on the
 * backend.  Returns a GSource id in the handlers' context, or 0 if the
 * backend has no way to wait (not connected, or no front end).
 */
guint chr_fe_add_watch(CharBackend *be, GIOCondition cond, FEWatchFunc func,
                       void *opaque);

/* chr_fe_accept_input: the device can take more; the backend re-polls. */
void chr_fe_accept_input(CharBackend *be);

/*
 * chr_fe_set_open: the guest side opened or closed the port (virtio-serial
 * PORT_OPEN).  Backends that care (e.g. a console) are told; idempotent.
 */
void chr_fe_set_open(CharBackend *be, bool fe_open);

/* chr_fe_disconnect: drop the backend's current connection, if any. */
void chr_fe_disconnect(CharBackend *be);

/* Whether a chardev is bound, and whether it is open (connected). */
bool chr_fe_backend_connected(CharBackend *be);
bool chr_fe_backend_open(CharBackend *be);

/* The bound chardev, or NULL. */
Chardev *chr_fe_get_driver(CharBackend *be);

/*
 * chr_fe_get_msgfds: the fds received with the last read (unix sockets only);
 * up to @num of them are moved into @fds, the caller owns them.  Returns
 * their number, 0 if none, or -1 if the backend cannot carry fds.
 * chr_fe_set_msgfds: send @fds with the next chr_fe_write that accepts at
 * least one byte.  The caller keeps owning them (and must keep them open
 * until then); a later set_msgfds replaces the pending list, num 0 clears
 * it.  Returns 0, or -1 if the backend cannot carry fds (not a connected
 * unix socket).
 */
int chr_fe_get_msgfds(CharBackend *be, int *fds, int num);
int chr_fe_get_msgfd(CharBackend *be);
int chr_fe_set_msgfds(CharBackend *be, int *fds, int num);

/* The chardev's label ("id"), or NULL when unbound. */
const char *chr_fe_get_label(CharBackend *be);

#endif /* CHARDEV_CHAR_FE_H */
