/*
 * chardev/char-io.c: reading a channel only while the front end has room.
 *
 * The watch-poll source asks the front end's can_read before each main loop
 * iteration: while it answers 0 the channel's IN watch is detached (so the
 * kernel buffers hold the data and the peer feels the backpressure), and
 * it is attached again as soon as there is room.  The source itself never
 * becomes ready, so it costs no wake-ups.
 */
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>

#include "chardev/chardev-internal.h"

typedef struct IOWatchPoll {
    GSource parent;
    QIOChannel *ioc;
    GSource *src;               /* the IN watch while attached, else NULL */
    IOCanReadHandler fd_can_read;
    QIOChannelFunc fd_read;
    void *opaque;
} IOWatchPoll;

static gboolean io_watch_poll_prepare(GSource *source, gint *timeout)
{
    IOWatchPoll *iwp = (IOWatchPoll *)source;
    bool now_active = iwp->fd_can_read(iwp->opaque) > 0;
    bool was_active = iwp->src != NULL;

    if (was_active == now_active) {
        return FALSE;
    }
    if (now_active) {
        iwp->src = qio_channel_create_watch(iwp->ioc,
                                            G_IO_IN | G_IO_HUP | G_IO_ERR);
        g_source_set_callback(iwp->src, (GSourceFunc)(void *)iwp->fd_read,
                              iwp->opaque, NULL);
        g_source_add_child_source(source, iwp->src);
        g_source_unref(iwp->src);
    } else {
        g_source_remove_child_source(source, iwp->src);
        iwp->src = NULL;
    }
    return FALSE;
}

static gboolean io_watch_poll_check(GSource *source)
{
    return FALSE;
}

static gboolean io_watch_poll_dispatch(GSource *source, GSourceFunc callback,
                                       gpointer user_data)
{
    /* Never ready; only the child IN watch dispatches. */
    return G_SOURCE_CONTINUE;
}

static void io_watch_poll_finalize(GSource *source)
{
    IOWatchPoll *iwp = (IOWatchPoll *)source;

    object_unref(OBJECT(iwp->ioc));
}

static GSourceFuncs io_watch_poll_funcs = {
    .prepare = io_watch_poll_prepare,
    .check = io_watch_poll_check,
    .dispatch = io_watch_poll_dispatch,
    .finalize = io_watch_poll_finalize,
};

GSource *chr_io_add_watch_poll(QIOChannel *ioc, IOCanReadHandler fd_can_read,
                               QIOChannelFunc fd_read, void *opaque,
                               GMainContext *context)
{
    IOWatchPoll *iwp = (IOWatchPoll *)g_source_new(&io_watch_poll_funcs,
                                                   sizeof(IOWatchPoll));

    iwp->ioc = QIO_CHANNEL(object_ref(OBJECT(ioc)));
    iwp->fd_can_read = fd_can_read;
    iwp->fd_read = fd_read;
    iwp->opaque = opaque;
    g_source_set_name((GSource *)iwp, "chardev-iowatch");
    g_source_attach((GSource *)iwp, context);
    return (GSource *)iwp;
}

void chr_io_remove_watch(GSource **src)
{
    if (*src) {
        IOWatchPoll *iwp = (IOWatchPoll *)*src;
        if (iwp->src) {
            g_source_remove_child_source(*src, iwp->src);
            iwp->src = NULL;
        }
        g_source_destroy(*src);
        g_source_unref(*src);
        *src = NULL;
    }
}

int chr_io_read_to_be(Chardev *chr, QIOChannel *ioc)
{
    uint8_t buf[CHR_READ_BUF_LEN];
    int len = MIN(chr_be_can_write(chr), (int)sizeof(buf));
    ssize_t ret;

    if (len <= 0) {
        return 0;
    }
    ret = qio_channel_read(ioc, (char *)buf, (size_t)len, NULL);
    if (ret == QIO_CHANNEL_ERR_BLOCK) {
        return 0;
    }
    if (ret <= 0) {
        return -1;
    }
    chr_be_write(chr, buf, (int)ret);
    return (int)ret;
}

bool chr_io_fd_input_pending(int fd)
{
    int n = 0;

    return fd >= 0 && ioctl(fd, FIONREAD, &n) == 0 && n > 0;
}

int chr_io_write(QIOChannel *ioc, const uint8_t *buf, int len)
{
    ssize_t ret = qio_channel_write(ioc, (const char *)buf, (size_t)len, NULL);

    if (ret == QIO_CHANNEL_ERR_BLOCK) {
        return 0;
    }
    return ret < 0 ? -1 : (int)ret;
}

/*
 * A fd we must not make non-blocking (stdout is shared with the shell):
 * write only when poll says there is room, and no more than PIPE_BUF, which
 * a writable pipe or tty is guaranteed to take without blocking.
 */
int chr_io_write_shared_fd(QIOChannel *ioc, int fd, const uint8_t *buf,
                           int len)
{
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    int ret;

    do {
        ret = poll(&pfd, 1, 0);
    } while (ret < 0 && errno == EINTR);
    if (ret < 0 || (pfd.revents & (POLLERR | POLLNVAL))) {
        return -1;
    }
    if (!(pfd.revents & POLLOUT)) {
        return 0;
    }
    return chr_io_write(ioc, buf, MIN(len, CHR_IO_SHARED_FD_CHUNK));
}
