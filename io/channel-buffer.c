/*
 * io/channel-buffer.c: QIOChannelBuffer, a byte FIFO in memory.
 */
#include <errno.h>
#include <string.h>

#include "io/channel-buffer.h"
#include "io/channel-watch.h"

QIOChannelBuffer *qio_channel_buffer_new(size_t limit)
{
    QIOChannelBuffer *bioc =
        QIO_CHANNEL_BUFFER(object_new(TYPE_QIO_CHANNEL_BUFFER));

    bioc->limit = limit;
    qio_channel_set_feature(QIO_CHANNEL(bioc), QIO_CHANNEL_FEATURE_SHUTDOWN);
    return bioc;
}

size_t qio_channel_buffer_get_usage(QIOChannelBuffer *bioc)
{
    return bioc->data->len - bioc->offset;
}

static void qio_channel_buffer_instance_init(Object *obj)
{
    QIOChannelBuffer *bioc = QIO_CHANNEL_BUFFER(obj);

    bioc->data = g_byte_array_new();
    bioc->blocking = true;
}

static void qio_channel_buffer_finalize(Object *obj)
{
    g_byte_array_unref(QIO_CHANNEL_BUFFER(obj)->data);
}

static ssize_t qio_channel_buffer_readv(QIOChannel *ioc,
                                        const struct iovec *iov, size_t niov,
                                        int **fds, size_t *nfds, GError **errp)
{
    QIOChannelBuffer *bioc = QIO_CHANNEL_BUFFER(ioc);
    size_t avail = qio_channel_buffer_get_usage(bioc);
    size_t done = 0;

    if (bioc->read_shut) {
        return 0;
    }
    if (!avail) {
        return bioc->blocking || bioc->write_shut ? 0 : QIO_CHANNEL_ERR_BLOCK;
    }
    for (size_t i = 0; i < niov && done < avail; i++) {
        size_t n = MIN(iov[i].iov_len, avail - done);

        memcpy(iov[i].iov_base, bioc->data->data + bioc->offset + done, n);
        done += n;
    }
    bioc->offset += done;
    /* Drop consumed bytes once they are the larger part of the array. */
    if (bioc->offset == bioc->data->len) {
        g_byte_array_set_size(bioc->data, 0);
        bioc->offset = 0;
    } else if (bioc->offset > bioc->data->len / 2) {
        g_byte_array_remove_range(bioc->data, 0, bioc->offset);
        bioc->offset = 0;
    }
    return done;
}

static ssize_t qio_channel_buffer_writev(QIOChannel *ioc,
                                         const struct iovec *iov, size_t niov,
                                         int *fds, size_t nfds, GError **errp)
{
    QIOChannelBuffer *bioc = QIO_CHANNEL_BUFFER(ioc);
    size_t room = bioc->limit ? bioc->limit - qio_channel_buffer_get_usage(bioc)
                              : G_MAXSSIZE;
    size_t done = 0;

    if (bioc->write_shut) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO,
                    "Unable to write to buffer: %s", g_strerror(EPIPE));
        return -1;
    }
    for (size_t i = 0; i < niov && done < room; i++) {
        size_t n = MIN(iov[i].iov_len, room - done);

        g_byte_array_append(bioc->data, iov[i].iov_base, n);
        done += n;
    }
    if (!done && room == 0) {
        if (!bioc->blocking) {
            return QIO_CHANNEL_ERR_BLOCK;
        }
        g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Buffer is full");
        return -1;
    }
    return done;
}

static int qio_channel_buffer_set_blocking(QIOChannel *ioc, bool enabled,
                                           GError **errp)
{
    QIO_CHANNEL_BUFFER(ioc)->blocking = enabled;
    return 0;
}

static int qio_channel_buffer_close(QIOChannel *ioc, GError **errp)
{
    QIOChannelBuffer *bioc = QIO_CHANNEL_BUFFER(ioc);

    /* The bytes stay until finalize, which runs before this last close. */
    bioc->write_shut = bioc->read_shut = true;
    return 0;
}

static int qio_channel_buffer_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                                       GError **errp)
{
    QIOChannelBuffer *bioc = QIO_CHANNEL_BUFFER(ioc);

    if (how & QIO_CHANNEL_SHUTDOWN_READ) {
        bioc->read_shut = true;
    }
    if (how & QIO_CHANNEL_SHUTDOWN_WRITE) {
        bioc->write_shut = true;
    }
    return 0;
}

static GIOCondition qio_channel_buffer_ready(QIOChannel *ioc)
{
    QIOChannelBuffer *bioc = QIO_CHANNEL_BUFFER(ioc);
    size_t usage = qio_channel_buffer_get_usage(bioc);
    GIOCondition cond = 0;

    if (usage || bioc->write_shut || bioc->read_shut) {
        cond |= G_IO_IN;
    }
    if (bioc->write_shut) {
        cond |= G_IO_HUP;
    } else if (!bioc->limit || usage < bioc->limit) {
        cond |= G_IO_OUT;
    }
    return cond;
}

static GSource *qio_channel_buffer_create_watch(QIOChannel *ioc,
                                                GIOCondition condition)
{
    return qio_channel_create_ready_watch(ioc, condition,
                                          qio_channel_buffer_ready);
}

static const QIOChannelOps qio_channel_buffer_ops = {
    .io_readv = qio_channel_buffer_readv,
    .io_writev = qio_channel_buffer_writev,
    .io_set_blocking = qio_channel_buffer_set_blocking,
    .io_close = qio_channel_buffer_close,
    .io_create_watch = qio_channel_buffer_create_watch,
    .io_shutdown = qio_channel_buffer_shutdown,
};

static void qio_channel_buffer_class_init(ObjectClass *klass, void *data)
{
    QIO_CHANNEL_CLASS(klass)->ops = &qio_channel_buffer_ops;
}

static const TypeInfo qio_channel_buffer_info = {
    .name = TYPE_QIO_CHANNEL_BUFFER,
    .parent = TYPE_QIO_CHANNEL,
    .instance_size = sizeof(QIOChannelBuffer),
    .class_size = sizeof(QIOChannelBufferClass),
    .class_init = qio_channel_buffer_class_init,
    .instance_init = qio_channel_buffer_instance_init,
    .instance_finalize = qio_channel_buffer_finalize,
};

static void qio_channel_buffer_register_types(void)
{
    type_register_static(&qio_channel_buffer_info);
}

type_init(qio_channel_buffer_register_types)
