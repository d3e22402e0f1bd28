/*
 * io/channel-watch.c: the GSources behind qio_channel_create_watch.
 */
#include "io/channel-watch.h"

/* HUP and ERR are reported by poll whether asked for or not. */
#define QIO_WATCH_ALWAYS (G_IO_HUP | G_IO_ERR | G_IO_NVAL)

typedef struct QIOChannelFdSource {
    GSource parent;
    QIOChannel *ioc;
    GIOCondition condition;
    GPollFD fdread;     /* fd -1 when unused */
    GPollFD fdwrite;
    QIOChannelReadyFunc ready;  /* ready watches only */
} QIOChannelFdSource;

static GIOCondition qio_fd_source_revents(QIOChannelFdSource *s)
{
    GIOCondition revents = 0;

    if (s->fdread.fd >= 0) {
        revents |= s->fdread.revents;
    }
    if (s->fdwrite.fd >= 0) {
        revents |= s->fdwrite.revents;
    }
    return revents & (s->condition | QIO_WATCH_ALWAYS);
}

static gboolean qio_fd_source_prepare(GSource *source, gint *timeout)
{
    *timeout = -1;
    return FALSE;
}

static gboolean qio_fd_source_check(GSource *source)
{
    return qio_fd_source_revents((QIOChannelFdSource *)source) != 0;
}

static gboolean qio_fd_source_dispatch(GSource *source, GSourceFunc callback,
                                       gpointer user_data)
{
    QIOChannelFdSource *s = (QIOChannelFdSource *)source;
    QIOChannelFunc func = (QIOChannelFunc)(void (*)(void))callback;

    if (!func) {
        return G_SOURCE_REMOVE;
    }
    return func(s->ioc, qio_fd_source_revents(s), user_data);
}

static void qio_fd_source_finalize(GSource *source)
{
    object_unref(OBJECT(((QIOChannelFdSource *)source)->ioc));
}

static GSourceFuncs qio_fd_source_funcs = {
    .prepare = qio_fd_source_prepare,
    .check = qio_fd_source_check,
    .dispatch = qio_fd_source_dispatch,
    .finalize = qio_fd_source_finalize,
};

static QIOChannelFdSource *qio_fd_source_new(GSourceFuncs *funcs,
                                             QIOChannel *ioc,
                                             GIOCondition condition)
{
    QIOChannelFdSource *s =
        (QIOChannelFdSource *)g_source_new(funcs, sizeof(QIOChannelFdSource));

    s->ioc = QIO_CHANNEL(object_ref(OBJECT(ioc)));
    s->condition = condition;
    s->fdread.fd = -1;
    s->fdwrite.fd = -1;
    return s;
}

GSource *qio_channel_create_fd_pair_watch(QIOChannel *ioc, int fdread,
                                          int fdwrite, GIOCondition condition)
{
    QIOChannelFdSource *s = qio_fd_source_new(&qio_fd_source_funcs, ioc,
                                              condition);

    if (fdread >= 0 && fdread == fdwrite) {
        s->fdread.fd = fdread;
        s->fdread.events = condition;
        g_source_add_poll(&s->parent, &s->fdread);
        return &s->parent;
    }
    if (fdread >= 0 && (condition & ~G_IO_OUT)) {
        s->fdread.fd = fdread;
        s->fdread.events = condition & ~G_IO_OUT;
        g_source_add_poll(&s->parent, &s->fdread);
    }
    if (fdwrite >= 0 && (condition & G_IO_OUT)) {
        s->fdwrite.fd = fdwrite;
        s->fdwrite.events = G_IO_OUT;
        g_source_add_poll(&s->parent, &s->fdwrite);
    }
    return &s->parent;
}

GSource *qio_channel_create_fd_watch(QIOChannel *ioc, int fd,
                                     GIOCondition condition)
{
    return qio_channel_create_fd_pair_watch(ioc, fd, fd, condition);
}

static gboolean qio_ready_source_prepare(GSource *source, gint *timeout)
{
    QIOChannelFdSource *s = (QIOChannelFdSource *)source;

    *timeout = -1;
    return (s->ready(s->ioc) & (s->condition | QIO_WATCH_ALWAYS)) != 0;
}

static gboolean qio_ready_source_check(GSource *source)
{
    gint timeout;

    return qio_ready_source_prepare(source, &timeout);
}

static gboolean qio_ready_source_dispatch(GSource *source, GSourceFunc callback,
                                          gpointer user_data)
{
    QIOChannelFdSource *s = (QIOChannelFdSource *)source;
    QIOChannelFunc func = (QIOChannelFunc)(void (*)(void))callback;

    if (!func) {
        return G_SOURCE_REMOVE;
    }
    return func(s->ioc, s->ready(s->ioc) & (s->condition | QIO_WATCH_ALWAYS),
                user_data);
}

static GSourceFuncs qio_ready_source_funcs = {
    .prepare = qio_ready_source_prepare,
    .check = qio_ready_source_check,
    .dispatch = qio_ready_source_dispatch,
    .finalize = qio_fd_source_finalize,
};

GSource *qio_channel_create_ready_watch(QIOChannel *ioc, GIOCondition condition,
                                        QIOChannelReadyFunc ready)
{
    QIOChannelFdSource *s = qio_fd_source_new(&qio_ready_source_funcs, ioc,
                                              condition);

    s->ready = ready;
    return &s->parent;
}
