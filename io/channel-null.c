/*
 * io/channel-null.c: QIOChannelNull, reads EOF and swallows writes.
 */
#include "io/channel-null.h"
#include "io/channel-watch.h"

QIOChannelNull *qio_channel_null_new(void)
{
    return QIO_CHANNEL_NULL(object_new(TYPE_QIO_CHANNEL_NULL));
}

static ssize_t qio_channel_null_readv(QIOChannel *ioc, const struct iovec *iov,
                                      size_t niov, int **fds, size_t *nfds,
                                      GError **errp)
{
    return 0;
}

static ssize_t qio_channel_null_writev(QIOChannel *ioc, const struct iovec *iov,
                                       size_t niov, int *fds, size_t nfds,
                                       GError **errp)
{
    size_t total = 0;

    for (size_t i = 0; i < niov; i++) {
        total += iov[i].iov_len;
    }
    return total;
}

static int qio_channel_null_set_blocking(QIOChannel *ioc, bool enabled,
                                         GError **errp)
{
    return 0;
}

static int qio_channel_null_close(QIOChannel *ioc, GError **errp)
{
    return 0;
}

static GIOCondition qio_channel_null_ready(QIOChannel *ioc)
{
    return G_IO_IN | G_IO_OUT;
}

static GSource *qio_channel_null_create_watch(QIOChannel *ioc,
                                              GIOCondition condition)
{
    return qio_channel_create_ready_watch(ioc, condition,
                                          qio_channel_null_ready);
}

static const QIOChannelOps qio_channel_null_ops = {
    .io_readv = qio_channel_null_readv,
    .io_writev = qio_channel_null_writev,
    .io_set_blocking = qio_channel_null_set_blocking,
    .io_close = qio_channel_null_close,
    .io_create_watch = qio_channel_null_create_watch,
};

static void qio_channel_null_class_init(ObjectClass *klass, void *data)
{
    QIO_CHANNEL_CLASS(klass)->ops = &qio_channel_null_ops;
}

static const TypeInfo qio_channel_null_info = {
    .name = TYPE_QIO_CHANNEL_NULL,
    .parent = TYPE_QIO_CHANNEL,
    .instance_size = sizeof(QIOChannelNull),
    .class_size = sizeof(QIOChannelNullClass),
    .class_init = qio_channel_null_class_init,
};

static void qio_channel_null_register_types(void)
{
    type_register_static(&qio_channel_null_info);
}

type_init(qio_channel_null_register_types)
