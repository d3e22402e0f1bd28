/*
 * io/channel-file.c: QIOChannelFile, a channel on a non-socket fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "io/channel-file.h"
#include "io/channel-internal.h"
#include "io/channel-watch.h"

QIOChannelFile *qio_channel_file_new_fd(int fd)
{
    QIOChannelFile *fioc = QIO_CHANNEL_FILE(object_new(TYPE_QIO_CHANNEL_FILE));

    fioc->fd = fd;
    return fioc;
}

QIOChannelFile *qio_channel_file_new_path(const char *path, int flags,
                                          mode_t mode, GError **errp)
{
    int fd;

    do {
        fd = open(path, flags | O_CLOEXEC, mode);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        g_set_error(errp, MV_ERROR,
                    errno == ENOENT ? MV_ERROR_NOT_FOUND : MV_ERROR_IO,
                    "Unable to open '%s': %s", path, g_strerror(errno));
        return NULL;
    }
    return qio_channel_file_new_fd(fd);
}

static void qio_channel_file_instance_init(Object *obj)
{
    QIO_CHANNEL_FILE(obj)->fd = -1;
}

static ssize_t qio_channel_file_readv(QIOChannel *ioc, const struct iovec *iov,
                                      size_t niov, int **fds, size_t *nfds,
                                      GError **errp)
{
    return qio_fd_readv(QIO_CHANNEL_FILE(ioc)->fd, iov, niov,
                        "Unable to read from file", errp);
}

static ssize_t qio_channel_file_writev(QIOChannel *ioc, const struct iovec *iov,
                                       size_t niov, int *fds, size_t nfds,
                                       GError **errp)
{
    return qio_fd_writev(QIO_CHANNEL_FILE(ioc)->fd, iov, niov,
                         "Unable to write to file", errp);
}

static int qio_channel_file_set_blocking(QIOChannel *ioc, bool enabled,
                                         GError **errp)
{
    return qio_fd_set_blocking(QIO_CHANNEL_FILE(ioc)->fd, enabled, errp);
}

static int qio_channel_file_close(QIOChannel *ioc, GError **errp)
{
    QIOChannelFile *fioc = QIO_CHANNEL_FILE(ioc);
    int ret = 0;

    if (fioc->fd >= 0 && close(fioc->fd) < 0) {
        qio_channel_error_errno(errp, errno, "Unable to close file");
        ret = -1;
    }
    fioc->fd = -1;
    return ret;
}

static GSource *qio_channel_file_create_watch(QIOChannel *ioc,
                                              GIOCondition condition)
{
    return qio_channel_create_fd_watch(ioc, QIO_CHANNEL_FILE(ioc)->fd,
                                       condition);
}

static const QIOChannelOps qio_channel_file_ops = {
    .io_readv = qio_channel_file_readv,
    .io_writev = qio_channel_file_writev,
    .io_set_blocking = qio_channel_file_set_blocking,
    .io_close = qio_channel_file_close,
    .io_create_watch = qio_channel_file_create_watch,
};

static void qio_channel_file_class_init(ObjectClass *klass, void *data)
{
    QIO_CHANNEL_CLASS(klass)->ops = &qio_channel_file_ops;
}

static const TypeInfo qio_channel_file_info = {
    .name = TYPE_QIO_CHANNEL_FILE,
    .parent = TYPE_QIO_CHANNEL,
    .instance_size = sizeof(QIOChannelFile),
    .class_size = sizeof(QIOChannelFileClass),
    .class_init = qio_channel_file_class_init,
    .instance_init = qio_channel_file_instance_init,
};

static void qio_channel_file_register_types(void)
{
    type_register_static(&qio_channel_file_info);
}

type_init(qio_channel_file_register_types)
