/*
 * chardev/char-fd.c: the abstract base of the backends that are a pair of
 * file descriptors (file, pipe, stdio): a channel for input, one for output.
 */
#include <errno.h>
#include <unistd.h>

#include "chardev/chardev-internal.h"
#include "io/channel-file.h"

void chr_set_open_error(GError **errp, const char *path, int err)
{
    g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Could not open '%s': %s", path,
                g_strerror(err));
}

static int fd_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    FDChardev *s = FD_CHARDEV(chr);

    if (!s->ioc_out) {
        return -1;
    }
    if (s->shared_out_fd >= 0) {
        return chr_io_write_shared_fd(s->ioc_out, s->shared_out_fd, buf, len);
    }
    return chr_io_write(s->ioc_out, buf, len);
}

static GSource *fd_chr_add_watch(Chardev *chr, GIOCondition cond)
{
    FDChardev *s = FD_CHARDEV(chr);

    return s->ioc_out ? qio_channel_create_watch(s->ioc_out, cond) : NULL;
}

static int fd_chr_can_read(void *opaque)
{
    return chr_be_can_write(opaque);
}

static gboolean fd_chr_read(QIOChannel *ioc, GIOCondition cond, void *opaque)
{
    Chardev *chr = opaque;
    FDChardev *s = FD_CHARDEV(chr);

    if (chr_io_read_to_be(chr, ioc) >= 0) {
        return G_SOURCE_CONTINUE;
    }
    /* EOF or error: stop polling a dead fd, and say so once. */
    chr_io_remove_watch(&s->read_src);
    s->eof = true;
    chr_be_event(chr, CHR_EVENT_CLOSED);
    return G_SOURCE_REMOVE;
}

static void fd_chr_update_read_handler(Chardev *chr)
{
    FDChardev *s = FD_CHARDEV(chr);

    chr_io_remove_watch(&s->read_src);
    if (s->ioc_in && !s->eof) {
        s->read_src = chr_io_add_watch_poll(s->ioc_in, fd_chr_can_read,
                                            fd_chr_read, chr, chr->gcontext);
    }
}

/* The watch-poll re-asks can_read on the next iteration: make there be one. */
static void fd_chr_accept_input(Chardev *chr)
{
    g_main_context_wakeup(chr->gcontext);
}

static QIOChannel *fd_chr_channel(int fd, bool nonblock)
{
    QIOChannel *ioc = QIO_CHANNEL(qio_channel_file_new_fd(fd));

    if (nonblock) {
        qio_channel_set_blocking(ioc, false, NULL);
    }
    return ioc;
}

bool chr_fd_open(Chardev *chr, int fd_in, int fd_out, bool shared,
                 GError **errp)
{
    FDChardev *s = FD_CHARDEV(chr);

    if (fd_in >= 0 && fd_in == fd_out) {
        /* Each channel owns (and closes) its own descriptor. */
        fd_in = dup(fd_out);
        if (fd_in < 0) {
            g_set_error(errp, MV_ERROR, MV_ERROR_IO, "dup: %s",
                        g_strerror(errno));
            close(fd_out);
            return false;
        }
    }
    s->ioc_out = fd_chr_channel(fd_out, !shared);
    s->shared_out_fd = shared ? fd_out : -1;
    if (fd_in >= 0) {
        s->ioc_in = fd_chr_channel(fd_in, !shared);
    }
    return true;
}

static void fd_chr_instance_init(Object *obj)
{
    FD_CHARDEV(obj)->shared_out_fd = -1;
}

static void fd_chr_finalize(Object *obj)
{
    FDChardev *s = FD_CHARDEV(obj);

    chr_io_remove_watch(&s->read_src);
    if (s->ioc_in) {
        object_unref(OBJECT(s->ioc_in));
    }
    if (s->ioc_out) {
        object_unref(OBJECT(s->ioc_out));
    }
}

static void fd_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->chr_write = fd_chr_write;
    cc->chr_add_watch = fd_chr_add_watch;
    cc->chr_update_read_handler = fd_chr_update_read_handler;
    cc->chr_accept_input = fd_chr_accept_input;
}

static const TypeInfo fd_chr_info = {
    .name = TYPE_CHARDEV_FD,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(FDChardev),
    .instance_init = fd_chr_instance_init,
    .instance_finalize = fd_chr_finalize,
    .class_init = fd_chr_class_init,
    .abstract = true,
};

static void fd_chr_register(void)
{
    type_register_static(&fd_chr_info);
}
type_init(fd_chr_register)
