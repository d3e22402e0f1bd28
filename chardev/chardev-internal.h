/*
 * chardev/chardev-internal.h: what chardev/ files share and nobody else uses.
 */
#ifndef CHARDEV_CHARDEV_INTERNAL_H
#define CHARDEV_CHARDEV_INTERNAL_H

#include "chardev/chardev.h"
#include "io/channel.h"

/* The keys -chardev accepts as bare "key" / "nokey" flags. */
extern const char *const chardev_bool_opts[];

/*
 * chardev_new_internal: create a @typename chardev named @id in @container
 * and open it with @opts (already checked).  Delivers OPENED if the backend
 * came up open.
 */
Chardev *chardev_new_internal(Object *container, const char *typename,
                              const char *id, const Opts *opts, GError **errp);

/* A GSource that is always ready, for backends that never refuse a write. */
GSource *chr_ready_source_new(void);

/* The backend's watch for @cond (its hook, or the always-ready source). */
GSource *chr_create_watch(Chardev *s, GIOCondition cond);

/* ---- char-io.c: channel helpers for the fd backends ---------------------- */

/* How much a backend reads from its channel at once. */
#define CHR_READ_BUF_LEN 4096
/* chr_io_write_shared_fd writes at most this (POSIX PIPE_BUF is >= 512). */
#define CHR_IO_SHARED_FD_CHUNK 512

/*
 * chr_io_add_watch_poll: read @ioc with @fd_read (a QIOChannelFunc on
 * G_IO_IN) only while @fd_can_read(@opaque) > 0; attached to @context.
 * Remove with chr_io_remove_watch (also from inside @fd_read).
 */
GSource *chr_io_add_watch_poll(QIOChannel *ioc, IOCanReadHandler fd_can_read,
                               QIOChannelFunc fd_read, void *opaque,
                               GMainContext *context);
void chr_io_remove_watch(GSource **src);

/*
 * chr_io_read_to_be: read from @ioc as much as @chr's front end has room for
 * and hand it over.  Returns the bytes delivered (0: no room, or nothing to
 * read now), or -1 at EOF or on an error.
 */
int chr_io_read_to_be(Chardev *chr, QIOChannel *ioc);

/*
 * chr_io_fd_input_pending: whether bytes wait to be read on @fd (FIONREAD:
 * sockets, pipes, ttys).  A backend that sees its peer hang up asks this
 * before giving up the connection: what the peer's kernel accepted is
 * still ours to deliver.  An fd that cannot tell counts as empty.
 */
bool chr_io_fd_input_pending(int fd);

/*
 * chr_io_write: one non-blocking write: bytes written, 0 if it would block,
 * -1 on error.  chr_io_write_shared_fd: the same for a blocking @fd we may
 * not switch to non-blocking (stdout): it writes only what cannot block.
 */
int chr_io_write(QIOChannel *ioc, const uint8_t *buf, int len);
int chr_io_write_shared_fd(QIOChannel *ioc, int fd, const uint8_t *buf,
                           int len);

/* ---- char-fd.c: the base of file, pipe and stdio ---------------------- */

#define TYPE_CHARDEV_FD "chardev-fd"

typedef struct FDChardev {
    Chardev parent;
    QIOChannel *ioc_in;         /* NULL: no input */
    QIOChannel *ioc_out;
    int shared_out_fd;          /* >= 0: ioc_out is a blocking shared fd */
    GSource *read_src;
    bool eof;                   /* input ended: CLOSED was sent */
} FDChardev;

DECLARE_TYPE(FDChardev, ChardevClass, FD_CHARDEV, TYPE_CHARDEV_FD)

/*
 * chr_fd_open: give @chr the fds @fd_in (-1: none) and @fd_out, which it
 * owns from now on (even on failure).  The same fd may be passed twice.
 * With @shared_out, @fd_out stays blocking (see chr_io_write_shared_fd) and
 * @fd_in is not switched to non-blocking either.
 */
bool chr_fd_open(Chardev *chr, int fd_in, int fd_out, bool shared,
                 GError **errp);

/* "Could not open 'PATH': REASON", QEMU's words, from errno. */
void chr_set_open_error(GError **errp, const char *path, int err);

/* ---- mux, for char.c and char-fe.c --------------------------------------- */

typedef struct MuxChardev MuxChardev;

/* chardev_mux_new: a mux named @id over @base (bound as its front end). */
Chardev *chardev_mux_new(Object *container, const char *id, Chardev *base,
                         GError **errp);
/* The number of front ends on @chr if it is a mux, else 0. */
unsigned chardev_mux_frontend_count(Chardev *chr);
/* Attach / detach front end @be; attach sets be->tag. */
bool mux_chr_attach_frontend(Chardev *mux, CharBackend *be, GError **errp);
void mux_chr_detach_frontend(Chardev *mux, CharBackend *be);
/* Give the focus to front end @tag (MUX_OUT to the old, MUX_IN to it). */
void mux_chr_set_focus(Chardev *mux, int tag);
bool chardev_is_mux(Chardev *chr);

/* Copy @src into a new Opts (there is no opts_copy in qom/). */
Opts *chardev_opts_copy(const Opts *src);

#endif /* CHARDEV_CHARDEV_INTERNAL_H */
