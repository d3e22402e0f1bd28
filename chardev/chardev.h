/*
 * chardev/chardev.h: the Chardev QOM base type, its backend hooks, and the
 * registry that makes chardevs from -chardev strings.
 *
 * A chardev is one host endpoint (a socket, a file, a pty, ...).  Each
 * backend is a QOM type derived from "chardev" and named "chardev-BACKEND"
 * (chardev-null, chardev-socket, ...).  Devices never call this header's
 * backend side: they use chardev/char-fe.h.
 *
 * There is no global list of chardevs: every chardev is a QOM child, named
 * by its id, of a container object the caller supplies (the board uses
 * /chardevs; tests make their own), so several registries can coexist.
 *
 * Threads: main thread (or under the board's device lock, see char-fe.h).
 */
#ifndef CHARDEV_CHARDEV_H
#define CHARDEV_CHARDEV_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "chardev/char-fe.h"
#include "qom/object.h"
#include "qom/opts.h"

#define TYPE_CHARDEV "chardev"
#define TYPE_CHARDEV_PREFIX "chardev-"

/* The most front ends a mux chardev multiplexes (as QEMU). */
#define CHR_MUX_MAX_FE 4

struct Chardev {
    Object parent_obj;
    GMutex chr_write_lock;  /* serialises chr_write and the logfile */
    CharBackend *be;        /* the bound front end (the mux's, for a mux) */
    char *label;            /* the id */
    char *filename;         /* "info chardev" form, kept up to date */
    int logfd;              /* -1 without logfile= */
    bool be_open;           /* the backend is connected */
    bool wait_at_startup;   /* chardev_wait_connected blocks for this one */
    GMainContext *gcontext; /* where the backend's watches run (NULL: default) */
};

typedef struct ChardevClass {
    ObjectClass parent_class;

    /* Not creatable from -chardev (the mux is made by mux=on). */
    bool internal;
    /* The -chardev keys this backend accepts besides the common ones. */
    const char *const *opts;
    /* One line for `-chardev help`. */
    const char *desc;

    /*
     * open (mandatory): apply the backend options in @opts (already checked
     * against ->opts) and acquire the resource.  Set *@be_opened = false if
     * the backend starts disconnected (a socket without peer); it then calls
     * chr_be_event(OPENED) itself later.  On failure set @errp.
     */
    bool (*open)(Chardev *chr, const Opts *opts, bool *be_opened,
                 GError **errp);
    /*
     * chr_write (mandatory): never blocks.  Returns the bytes the host took
     * (0 if it would block), or -1 if disconnected/failed with nothing
     * taken.  Called with chr_write_lock held.
     */
    int (*chr_write)(Chardev *chr, const uint8_t *buf, int len);
    /*
     * chr_add_watch (optional): a GSource for @cond on the backend's host
     * endpoint, or NULL.  Without the hook, a source that always reports
     * G_IO_OUT is used (for sinks that never refuse: null, ringbuf, file).
     */
    GSource *(*chr_add_watch)(Chardev *chr, GIOCondition cond);
    /*
     * chr_update_read_handler (optional): the front end's handlers or context
     * changed; re-create the read watch in chr->gcontext.
     */
    void (*chr_update_read_handler)(Chardev *chr);
    /* chr_accept_input (optional): the front end has room; poll again. */
    void (*chr_accept_input)(Chardev *chr);
    /* chr_set_fe_open (optional): the guest side opened or closed. */
    void (*chr_set_fe_open)(Chardev *chr, bool fe_open);
    /* chr_disconnect (optional): drop the connection (sockets). */
    void (*chr_disconnect)(Chardev *chr);
    /* get_msgfds / set_msgfds (optional): fd passing, see char-fe.h. */
    int (*get_msgfds)(Chardev *chr, int *fds, int num);
    int (*set_msgfds)(Chardev *chr, int *fds, int num);
    /*
     * chr_be_event (optional): see an event before the front end does (the
     * mux forwards it to every front end).
     */
    void (*chr_be_event)(Chardev *chr, ChrEvent event);
    /*
     * wait_connected (optional): block until a peer is connected (a server
     * with wait=on).  Returns false with @errp on failure.
     */
    bool (*wait_connected)(Chardev *chr, GError **errp);
} ChardevClass;

DECLARE_TYPE(Chardev, ChardevClass, CHARDEV, TYPE_CHARDEV)

/* ---- backend side: what a backend calls ---------------------------------- */

/*
 * chr_be_can_write: how many bytes the front end can take now (0 if there is
 * no front end or it is full).  A backend reads at most this much.
 */
int chr_be_can_write(Chardev *s);

/*
 * chr_be_write: hand @len bytes from the host to the front end.  Passing more
 * than chr_be_can_write() allowed is a backend bug.  Without a front end (or
 * a read handler) the bytes go nowhere, as on a port with no device.
 */
void chr_be_write(Chardev *s, const uint8_t *buf, int len);

/*
 * chr_be_event: report @event to the front end (all of them, for a mux).
 * OPENED/CLOSED also set chr->be_open; backends send them alternately.
 * A backend sends CLOSED only once everything readable from the peer that
 * left has been handed over with chr_be_write: a hang-up seen while the
 * front end is full waits until it has made room for the rest (socket:
 * HUP with bytes unread; fd and pty backends read EOF only after the
 * data; the mux holds CLOSED behind the input it holds).
 */
void chr_be_event(Chardev *s, ChrEvent event);

/* chr_be_update_read_handlers: move the backend's watches to @context. */
void chr_be_update_read_handlers(Chardev *s, GMainContext *context);

/*
 * chr_write_all / chr_write: write through the backend from inside chardev/
 * (the mux, the monitor's ringbuf), with the write lock and the logfile.
 * chr_write is non-blocking like chr_fe_write; chr_write_all blocks.
 */
int chr_write(Chardev *s, const uint8_t *buf, int len);
int chr_write_all(Chardev *s, const uint8_t *buf, int len);

/* chr_set_filename: replace chr->filename (the "info chardev" text). */
void chr_set_filename(Chardev *s, const char *filename);

/* ---- the registry ---------------------------------------------------------- */

/*
 * A plain object to be the container of chardevs (the board makes one and
 * adds it at /chardevs; tests make their own).  Any object will do.
 */
#define TYPE_CHARDEV_CONTAINER "chardev-container"
Object *chardev_container_new(void);

/*
 * chardev_new_from_opts: create, open and add to @container the chardev
 * described by @opts ("backend" = the type suffix, "id", common options and
 * the backend's own).  With mux=on, "<id>-base" is the backend and "<id>" a
 * mux on top of it.  Errors (MV_ERROR_*):
 *   "Parameter 'id' is missing", "Parameter 'id' expects an identifier"
 *   "chardev: \"ID\" missing backend"
 *   "Chardev 'ID' already exists"
 *   "'X' is not a valid char driver name"
 *   "Invalid parameter 'KEY' for chardev backend 'BACKEND' (valid: ...)"
 *   a bad value's parser error, or the backend's open error.
 * Returns the chardev (the container holds the reference).
 */
Chardev *chardev_new_from_opts(Object *container, const Opts *opts,
                               GError **errp);

/* chardev_new_from_string: opts_parse(@str, implied "backend") + the above. */
Chardev *chardev_new_from_string(Object *container, const char *str,
                                 GError **errp);

/*
 * chardev_new_from_legacy: the -serial/-monitor filename syntax (stdio, null,
 * pty, file:PATH, pipe:PATH, unix:PATH[,server][,nowait],
 * tcp:[HOST]:PORT[,server][,nowait][,nodelay], telnet:..., udp:...) as
 * chardev @id.  "mon:" is the board's business and is refused here.
 */
Chardev *chardev_new_from_legacy(Object *container, const char *id,
                                 const char *filename, GError **errp);

/*
 * chardev_legacy_to_opts: the Opts that @filename means (with backend= set,
 * no id), or NULL with "'FILENAME' is not a valid char driver" style errors.
 */
Opts *chardev_legacy_to_opts(const char *filename, GError **errp);

/* chardev_find: the chardev @id in @container, or NULL. */
Chardev *chardev_find(Object *container, const char *id);

/*
 * chardev_remove: unparent chardev @id.  Fails with "Chardev 'ID' not found"
 * or, while a front end is bound, "Chardev 'ID' is busy".
 */
bool chardev_remove(Object *container, const char *id, GError **errp);

/*
 * chardev_change: replace the backend of chardev @id by the one @opts
 * describes (its id must be @id), keeping the bound front end.  The front
 * end's be_change handler must exist and accept ("Chardev user does not
 * support chardev hotswap" otherwise).  On failure the old one stays.
 */
Chardev *chardev_change(Object *container, const char *id, const Opts *opts,
                        GError **errp);

/*
 * chardev_wait_connected: for every chardev in @container whose backend waits
 * for a peer (socket server=on,wait=on), print "minivirt: waiting for
 * connection on: FILENAME" on stderr and block until one comes.  The board
 * calls it once all devices are set up.  chr_wait_connected does it for one.
 */
bool chardev_wait_connected(Object *container, GError **errp);
bool chr_wait_connected(Chardev *chr, GError **errp);

/* chardev_help: the `-chardev help` text (one backend per line). */
char *chardev_help(void);

/* chardev_get_backend_name: "socket" for a chardev-socket, etc. */
const char *chardev_get_backend_name(Chardev *chr);

/* ---- ringbuf (the monitor's ringbuf-read/write) -------------------------- */

#define TYPE_CHARDEV_RINGBUF "chardev-ringbuf"

/*
 * chardev_ringbuf_write: append @len bytes to the ring, as if the front end
 * had written them (QEMU's ringbuf-write: a later ringbuf-read returns them;
 * the device sees nothing).  Returns @len.
 * chardev_ringbuf_read: take up to @len of the oldest bytes in the ring.
 * Returns the count (0 when empty).
 * chardev_ringbuf_input: hand @len bytes to the front end as host input, as
 * much as it can take now.  Returns the count taken.
 * All three: -1 with "ID is not a ringbuf device" if @chr is not a ringbuf.
 */
int chardev_ringbuf_write(Chardev *chr, const uint8_t *buf, int len,
                          GError **errp);
int chardev_ringbuf_read(Chardev *chr, uint8_t *buf, int len, GError **errp);
int chardev_ringbuf_input(Chardev *chr, const uint8_t *buf, int len,
                          GError **errp);

/* ---- mux ------------------------------------------------------------------ */

#define TYPE_CHARDEV_MUX "chardev-mux"

/*
 * chardev_mux_set_quit_handler: what Ctrl-A x calls (the board: exit).
 * Ctrl-A x prints "minivirt: Terminated" first; without a handler nothing
 * else happens.
 */
void chardev_mux_set_quit_handler(Chardev *mux, void (*quit)(void *opaque),
                                  void *opaque);

/* ---- stdio ---------------------------------------------------------------- */

/*
 * chardev_stdio_restore_terminal: put the terminal back as it was before a
 * stdio chardev made it raw.  Called at exit and from the fatal-signal
 * handlers automatically; async-signal-safe.
 */
void chardev_stdio_restore_terminal(void);

#endif /* CHARDEV_CHARDEV_H */
