/*
 * io/channel.c: the QIOChannel base class and the helpers every channel
 * shares (the *_all loops, watches, nested waits).
 */
#include <errno.h>
#include <string.h>

#include "io/channel.h"
#include "io/channel-internal.h"

static const QIOChannelOps *qio_channel_ops(QIOChannel *ioc)
{
    const QIOChannelOps *ops = QIO_CHANNEL_GET_CLASS(ioc)->ops;

    /* A concrete channel type without an ops table is a programmer bug. */
    g_assert(ops && ops->io_readv && ops->io_writev && ops->io_close &&
             ops->io_create_watch && ops->io_set_blocking);
    return ops;
}

bool qio_channel_check_open(QIOChannel *ioc, GError **errp)
{
    if (ioc->closed) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Channel is closed");
        return false;
    }
    return true;
}

void qio_channel_error_errno(GError **errp, int err, const char *what)
{
    g_set_error(errp, MV_ERROR, MV_ERROR_IO, "%s: %s", what, g_strerror(err));
}

bool qio_channel_has_feature(QIOChannel *ioc, QIOChannelFeature feature)
{
    return ioc->features & (1u << feature);
}

void qio_channel_set_feature(QIOChannel *ioc, QIOChannelFeature feature)
{
    ioc->features |= 1u << feature;
}

void qio_channel_set_name(QIOChannel *ioc, const char *name)
{
    g_free(ioc->name);
    ioc->name = g_strdup(name);
}

const char *qio_channel_get_name(QIOChannel *ioc)
{
    return ioc->name;
}

ssize_t qio_channel_readv_full(QIOChannel *ioc, const struct iovec *iov,
                               size_t niov, int **fds, size_t *nfds,
                               GError **errp)
{
    const QIOChannelOps *ops = qio_channel_ops(ioc);

    if (fds) {
        *fds = NULL;
        *nfds = 0;
        if (!qio_channel_has_feature(ioc, QIO_CHANNEL_FEATURE_FD_PASS)) {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                        "Channel does not support file descriptor passing");
            return -1;
        }
    }
    if (!qio_channel_check_open(ioc, errp)) {
        return -1;
    }
    return ops->io_readv(ioc, iov, niov, fds, nfds, errp);
}

ssize_t qio_channel_writev_full(QIOChannel *ioc, const struct iovec *iov,
                                size_t niov, int *fds, size_t nfds,
                                GError **errp)
{
    const QIOChannelOps *ops = qio_channel_ops(ioc);

    if (nfds && !qio_channel_has_feature(ioc, QIO_CHANNEL_FEATURE_FD_PASS)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Channel does not support file descriptor passing");
        return -1;
    }
    if (!qio_channel_check_open(ioc, errp)) {
        return -1;
    }
    return ops->io_writev(ioc, iov, niov, fds, nfds, errp);
}

ssize_t qio_channel_readv(QIOChannel *ioc, const struct iovec *iov,
                          size_t niov, GError **errp)
{
    return qio_channel_readv_full(ioc, iov, niov, NULL, NULL, errp);
}

ssize_t qio_channel_writev(QIOChannel *ioc, const struct iovec *iov,
                           size_t niov, GError **errp)
{
    return qio_channel_writev_full(ioc, iov, niov, NULL, 0, errp);
}

ssize_t qio_channel_read(QIOChannel *ioc, char *buf, size_t buflen,
                         GError **errp)
{
    struct iovec iov = { .iov_base = buf, .iov_len = buflen };

    return qio_channel_readv(ioc, &iov, 1, errp);
}

ssize_t qio_channel_write(QIOChannel *ioc, const char *buf, size_t buflen,
                          GError **errp)
{
    struct iovec iov = { .iov_base = (char *)buf, .iov_len = buflen };

    return qio_channel_writev(ioc, &iov, 1, errp);
}

/*
 * A private copy of @iov that the *_all loops can advance without touching
 * the caller's array.  Zero-length entries are dropped.
 */
static struct iovec *iov_dup(const struct iovec *iov, size_t niov,
                             size_t *nlocal)
{
    struct iovec *copy = g_new(struct iovec, niov ? niov : 1);
    size_t n = 0;

    for (size_t i = 0; i < niov; i++) {
        if (iov[i].iov_len) {
            copy[n++] = iov[i];
        }
    }
    *nlocal = n;
    return copy;
}

/* Skip @bytes from the front of *@iov / *@niov. */
static void iov_advance(struct iovec **iov, size_t *niov, size_t bytes)
{
    while (bytes && *niov) {
        if (bytes < (*iov)->iov_len) {
            (*iov)->iov_base = (char *)(*iov)->iov_base + bytes;
            (*iov)->iov_len -= bytes;
            return;
        }
        bytes -= (*iov)->iov_len;
        (*iov)++;
        (*niov)--;
    }
}

int qio_channel_readv_all_eof(QIOChannel *ioc, const struct iovec *iov,
                              size_t niov, GError **errp)
{
    size_t nlocal;
    struct iovec *copy = iov_dup(iov, niov, &nlocal);
    struct iovec *cur = copy;
    bool partial = false;
    int ret = 1;

    while (nlocal) {
        ssize_t len = qio_channel_readv(ioc, cur, nlocal, errp);

        if (len == QIO_CHANNEL_ERR_BLOCK) {
            qio_channel_wait(ioc, G_IO_IN);
            continue;
        }
        if (len < 0) {
            ret = -1;
            break;
        }
        if (len == 0) {
            if (partial) {
                g_set_error(errp, MV_ERROR, MV_ERROR_IO,
                            "Unexpected end-of-file before all data were read");
                ret = -1;
            } else {
                ret = 0;
            }
            break;
        }
        partial = true;
        iov_advance(&cur, &nlocal, len);
    }
    g_free(copy);
    return ret;
}

int qio_channel_readv_all(QIOChannel *ioc, const struct iovec *iov,
                          size_t niov, GError **errp)
{
    int ret = qio_channel_readv_all_eof(ioc, iov, niov, errp);

    if (ret == 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO,
                    "Unexpected end-of-file before all data were read");
        return -1;
    }
    return ret < 0 ? -1 : 0;
}

int qio_channel_read_all_eof(QIOChannel *ioc, char *buf, size_t buflen,
                             GError **errp)
{
    struct iovec iov = { .iov_base = buf, .iov_len = buflen };

    return qio_channel_readv_all_eof(ioc, &iov, 1, errp);
}

int qio_channel_read_all(QIOChannel *ioc, char *buf, size_t buflen,
                         GError **errp)
{
    struct iovec iov = { .iov_base = buf, .iov_len = buflen };

    return qio_channel_readv_all(ioc, &iov, 1, errp);
}

int qio_channel_writev_full_all(QIOChannel *ioc, const struct iovec *iov,
                                size_t niov, int *fds, size_t nfds,
                                GError **errp)
{
    size_t nlocal;
    struct iovec *copy = iov_dup(iov, niov, &nlocal);
    struct iovec *cur = copy;
    int ret = 0;

    while (nlocal) {
        ssize_t len = qio_channel_writev_full(ioc, cur, nlocal, fds, nfds,
                                              errp);

        if (len == QIO_CHANNEL_ERR_BLOCK) {
            qio_channel_wait(ioc, G_IO_OUT);
            continue;
        }
        if (len < 0) {
            ret = -1;
            break;
        }
        /* The fds went with the first byte; never send them twice. */
        fds = NULL;
        nfds = 0;
        iov_advance(&cur, &nlocal, len);
    }
    g_free(copy);
    return ret;
}

int qio_channel_writev_all(QIOChannel *ioc, const struct iovec *iov,
                           size_t niov, GError **errp)
{
    return qio_channel_writev_full_all(ioc, iov, niov, NULL, 0, errp);
}

int qio_channel_write_all(QIOChannel *ioc, const char *buf, size_t buflen,
                          GError **errp)
{
    struct iovec iov = { .iov_base = (char *)buf, .iov_len = buflen };

    return qio_channel_writev_all(ioc, &iov, 1, errp);
}

int qio_channel_set_blocking(QIOChannel *ioc, bool enabled, GError **errp)
{
    const QIOChannelOps *ops = qio_channel_ops(ioc);

    if (!qio_channel_check_open(ioc, errp)) {
        return -1;
    }
    return ops->io_set_blocking(ioc, enabled, errp);
}

int qio_channel_close(QIOChannel *ioc, GError **errp)
{
    const QIOChannelOps *ops = qio_channel_ops(ioc);

    if (ioc->closed) {
        return 0;
    }
    ioc->closed = true;
    return ops->io_close(ioc, errp);
}

int qio_channel_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                         GError **errp)
{
    const QIOChannelOps *ops = qio_channel_ops(ioc);

    if (!ops->io_shutdown ||
        !qio_channel_has_feature(ioc, QIO_CHANNEL_FEATURE_SHUTDOWN)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Channel does not support shutdown");
        return -1;
    }
    if (!qio_channel_check_open(ioc, errp)) {
        return -1;
    }
    return ops->io_shutdown(ioc, how, errp);
}

void qio_channel_set_delay(QIOChannel *ioc, bool enabled)
{
    const QIOChannelOps *ops = qio_channel_ops(ioc);

    if (ops->io_set_delay && !ioc->closed) {
        ops->io_set_delay(ioc, enabled);
    }
}

GSource *qio_channel_create_watch(QIOChannel *ioc, GIOCondition condition)
{
    GSource *source = qio_channel_ops(ioc)->io_create_watch(ioc, condition);

    if (ioc->name) {
        g_source_set_name(source, ioc->name);
    }
    return source;
}

GSource *qio_channel_add_watch_source(QIOChannel *ioc, GIOCondition condition,
                                      QIOChannelFunc func, gpointer data,
                                      GDestroyNotify notify,
                                      GMainContext *context)
{
    GSource *source = qio_channel_create_watch(ioc, condition);

    g_source_set_callback(source, (GSourceFunc)(void (*)(void))func, data,
                          notify);
    g_source_attach(source, context);
    return source;
}

guint qio_channel_add_watch_full(QIOChannel *ioc, GIOCondition condition,
                                 QIOChannelFunc func, gpointer data,
                                 GDestroyNotify notify, GMainContext *context)
{
    GSource *source = qio_channel_add_watch_source(ioc, condition, func, data,
                                                   notify, context);
    guint id = g_source_get_id(source);

    g_source_unref(source);
    return id;
}

guint qio_channel_add_watch(QIOChannel *ioc, GIOCondition condition,
                            QIOChannelFunc func, gpointer data,
                            GDestroyNotify notify)
{
    return qio_channel_add_watch_full(ioc, condition, func, data, notify, NULL);
}

static gboolean qio_channel_wait_ready(QIOChannel *ioc, GIOCondition condition,
                                       gpointer opaque)
{
    *(bool *)opaque = true;
    return G_SOURCE_REMOVE;
}

void qio_channel_wait(QIOChannel *ioc, GIOCondition condition)
{
    GMainContext *ctx = g_main_context_new();
    GSource *source = qio_channel_create_watch(ioc, condition);
    bool ready = false;

    g_source_set_callback(source,
                          (GSourceFunc)(void (*)(void))qio_channel_wait_ready,
                          &ready, NULL);
    g_source_attach(source, ctx);
    while (!ready) {
        g_main_context_iteration(ctx, TRUE);
    }
    g_source_destroy(source);
    g_source_unref(source);
    g_main_context_unref(ctx);
}

static void qio_channel_finalize(Object *obj)
{
    QIOChannel *ioc = QIO_CHANNEL(obj);

    /* Subclass finalizers ran first and left what io_close needs. */
    if (!ioc->closed) {
        ioc->closed = true;
        qio_channel_ops(ioc)->io_close(ioc, NULL);
    }
    g_free(ioc->name);
}

static const TypeInfo qio_channel_info = {
    .name = TYPE_QIO_CHANNEL,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(QIOChannel),
    .class_size = sizeof(QIOChannelClass),
    .instance_finalize = qio_channel_finalize,
    .abstract = true,
};

static void qio_channel_register_types(void)
{
    type_register_static(&qio_channel_info);
}

type_init(qio_channel_register_types)
