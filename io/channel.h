/*
 * io/channel.h: QIOChannel, one byte-stream interface over sockets, files,
 * child processes, memory buffers and the null device.
 *
 * A channel moves bytes with readv/writev (plus file descriptors where the
 * transport can carry them), can be switched between blocking and
 * non-blocking mode, closed, half shut down, and watched from a GMainContext
 * with a GSource.
 *
 * Return values: a read or write returns the number of bytes moved (0 on a
 * read means end of file), -1 with @errp set on an error, or
 * QIO_CHANNEL_ERR_BLOCK when the channel is non-blocking and nothing can be
 * moved right now.  "Would block" is not an error and sets no GError.
 *
 * Errors use the MV_ERROR domain (qom/error.h): MV_ERROR_IO for an operating
 * system error (the message names the failed call and strerror),
 * MV_ERROR_NOT_SUPPORTED for a feature the channel lacks (fd passing,
 * shutdown), MV_ERROR_INVALID for bad arguments given by a user.
 *
 * Threads: a channel is used by one thread at a time.  Object reference
 * counting is main-thread only (qom/object.h), so create, ref and unref
 * channels in the main thread; a worker thread may read and write a channel
 * the main thread has handed to it (qio_task_run_in_thread does this).
 * Watches reference their channel, so creating one (including the nested
 * wait inside the *_all helpers on a non-blocking channel) belongs in the
 * main thread too; a worker should use a blocking channel.
 */
#ifndef IO_CHANNEL_H
#define IO_CHANNEL_H

#include <stdbool.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "qom/error.h"
#include "qom/object.h"

#define TYPE_QIO_CHANNEL "qio-channel"

typedef struct QIOChannel QIOChannel;
typedef struct QIOChannelClass QIOChannelClass;
typedef struct QIOChannelOps QIOChannelOps;

DECLARE_TYPE(QIOChannel, QIOChannelClass, QIO_CHANNEL, TYPE_QIO_CHANNEL)

/* Returned by reads and writes of a non-blocking channel that would block. */
#define QIO_CHANNEL_ERR_BLOCK -2

/* What a channel can do beyond reading and writing bytes. */
typedef enum QIOChannelFeature {
    QIO_CHANNEL_FEATURE_FD_PASS,    /* fds travel with data (SCM_RIGHTS) */
    QIO_CHANNEL_FEATURE_SHUTDOWN,   /* qio_channel_shutdown works */
    QIO_CHANNEL_FEATURE_LISTEN,     /* a listening socket: accept, no I/O */
} QIOChannelFeature;

/* Which direction qio_channel_shutdown closes (bit mask). */
typedef enum QIOChannelShutdown {
    QIO_CHANNEL_SHUTDOWN_READ = 1,
    QIO_CHANNEL_SHUTDOWN_WRITE = 2,
    QIO_CHANNEL_SHUTDOWN_BOTH = 3,
} QIOChannelShutdown;

/*
 * QIOChannelFunc: a watch callback.  @condition is what happened (a subset
 * of what was asked for).  Return G_SOURCE_CONTINUE (TRUE) to keep watching,
 * G_SOURCE_REMOVE (FALSE) to stop.
 */
typedef gboolean (*QIOChannelFunc)(QIOChannel *ioc, GIOCondition condition,
                                   gpointer data);

/*
 * QIOChannelOps: what a channel type implements, one static const table per
 * type, set on the class by its class_init (klass->ops = &...).
 *
 * Mandatory:
 *  - io_readv: read into @iov.  If @fds is non-NULL the channel has
 *    FD_PASS; received descriptors go to a g_new array in *@fds (count in
 *    *@nfds; NULL/0 when none came) and belong to the caller.  Returns bytes,
 *    0 at EOF, QIO_CHANNEL_ERR_BLOCK or -1.
 *  - io_writev: write @iov; @nfds > 0 only when the channel has FD_PASS.
 *    Returns bytes written (possibly short), QIO_CHANNEL_ERR_BLOCK or -1.
 *  - io_set_blocking: switch the mode; 0 or -1.
 *  - io_close: release the OS resources; 0 or -1.  Called at most once.
 *  - io_create_watch: a new GSource (see io/channel-watch.h) that dispatches
 *    a QIOChannelFunc when the channel is ready for @condition.
 * Optional (NULL if the channel cannot):
 *  - io_shutdown: half-close; required if the channel sets FEATURE_SHUTDOWN.
 *  - io_set_delay: Nagle on (true) or off; silently ignored when NULL.
 */
struct QIOChannelOps {
    ssize_t (*io_readv)(QIOChannel *ioc, const struct iovec *iov, size_t niov,
                        int **fds, size_t *nfds, GError **errp);
    ssize_t (*io_writev)(QIOChannel *ioc, const struct iovec *iov, size_t niov,
                         int *fds, size_t nfds, GError **errp);
    int (*io_set_blocking)(QIOChannel *ioc, bool enabled, GError **errp);
    int (*io_close)(QIOChannel *ioc, GError **errp);
    GSource *(*io_create_watch)(QIOChannel *ioc, GIOCondition condition);
    int (*io_shutdown)(QIOChannel *ioc, QIOChannelShutdown how, GError **errp);
    void (*io_set_delay)(QIOChannel *ioc, bool enabled);
};

struct QIOChannel {
    Object parent_obj;
    unsigned features;      /* 1 << QIOChannelFeature */
    char *name;             /* for debugging; NULL until set */
    bool closed;            /* io_close already ran */
};

struct QIOChannelClass {
    ObjectClass parent_class;
    const QIOChannelOps *ops;
};

/* Feature flags.  set_feature is for channel implementations. */
bool qio_channel_has_feature(QIOChannel *ioc, QIOChannelFeature feature);
void qio_channel_set_feature(QIOChannel *ioc, QIOChannelFeature feature);

/* A name shown in debug output; copied.  qio_channel_get_name may be NULL. */
void qio_channel_set_name(QIOChannel *ioc, const char *name);
const char *qio_channel_get_name(QIOChannel *ioc);

/*
 * qio_channel_readv_full: read into @iov (@niov entries).  With @fds
 * non-NULL, also receive file descriptors (FD_PASS channels only, else -1
 * with MV_ERROR_NOT_SUPPORTED): *@fds is a g_new array of *@nfds fds that
 * the caller owns (close them, g_free the array), or NULL/0 when none came.
 * Received fds are close-on-exec.  Returns bytes read, 0 at EOF,
 * QIO_CHANNEL_ERR_BLOCK, or -1 with @errp set.
 */
ssize_t qio_channel_readv_full(QIOChannel *ioc, const struct iovec *iov,
                               size_t niov, int **fds, size_t *nfds,
                               GError **errp);

/*
 * qio_channel_writev_full: write @iov and, with @nfds > 0, send @fds along
 * with the first byte (FD_PASS channels only; the caller keeps its fds).
 * A write may be short.  Writes never raise SIGPIPE: a vanished peer is an
 * MV_ERROR_IO error (EPIPE).  Returns bytes written, QIO_CHANNEL_ERR_BLOCK,
 * or -1.
 */
ssize_t qio_channel_writev_full(QIOChannel *ioc, const struct iovec *iov,
                                size_t niov, int *fds, size_t nfds,
                                GError **errp);

/* The same without fds, and on one buffer. */
ssize_t qio_channel_readv(QIOChannel *ioc, const struct iovec *iov,
                          size_t niov, GError **errp);
ssize_t qio_channel_writev(QIOChannel *ioc, const struct iovec *iov,
                           size_t niov, GError **errp);
ssize_t qio_channel_read(QIOChannel *ioc, char *buf, size_t buflen,
                         GError **errp);
ssize_t qio_channel_write(QIOChannel *ioc, const char *buf, size_t buflen,
                          GError **errp);

/*
 * The *_all helpers move every byte or fail.  On a non-blocking channel
 * they wait for readiness with qio_channel_wait (a nested poll on a private
 * GMainContext, never a busy loop), so they block the calling thread.
 *
 * qio_channel_readv_all_eof / qio_channel_read_all_eof: 1 when all bytes
 * were read, 0 when EOF came before the first byte, -1 on error (including
 * EOF after some bytes: "Unexpected end-of-file before all data were read").
 * qio_channel_readv_all / qio_channel_read_all: 0 or -1 (EOF is an error).
 * qio_channel_writev_full_all: writes all of @iov, fds with the first chunk;
 * 0 or -1.  qio_channel_writev_all / qio_channel_write_all: without fds.
 */
int qio_channel_readv_all_eof(QIOChannel *ioc, const struct iovec *iov,
                              size_t niov, GError **errp);
int qio_channel_readv_all(QIOChannel *ioc, const struct iovec *iov,
                          size_t niov, GError **errp);
int qio_channel_read_all_eof(QIOChannel *ioc, char *buf, size_t buflen,
                             GError **errp);
int qio_channel_read_all(QIOChannel *ioc, char *buf, size_t buflen,
                         GError **errp);
int qio_channel_writev_full_all(QIOChannel *ioc, const struct iovec *iov,
                                size_t niov, int *fds, size_t nfds,
                                GError **errp);
int qio_channel_writev_all(QIOChannel *ioc, const struct iovec *iov,
                           size_t niov, GError **errp);
int qio_channel_write_all(QIOChannel *ioc, const char *buf, size_t buflen,
                          GError **errp);

/* Switch blocking mode (channels start blocking).  0 or -1. */
int qio_channel_set_blocking(QIOChannel *ioc, bool enabled, GError **errp);

/*
 * qio_channel_close: release the channel's OS resources (the peer sees EOF).
 * Later I/O fails with MV_ERROR_IO "Channel is closed"; closing twice is a
 * no-op.  Finalizing a channel closes it too.  0 or -1.
 */
int qio_channel_close(QIOChannel *ioc, GError **errp);

/*
 * qio_channel_shutdown: stop reading and/or writing while keeping the
 * descriptor (after SHUTDOWN_WRITE the peer reads EOF).  Channels without
 * FEATURE_SHUTDOWN fail with MV_ERROR_NOT_SUPPORTED.  0 or -1.
 */
int qio_channel_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                         GError **errp);

/* Nagle's algorithm on (@enabled) or off (TCP_NODELAY); no-op elsewhere. */
void qio_channel_set_delay(QIOChannel *ioc, bool enabled);

/*
 * qio_channel_create_watch: a new, unattached GSource that fires when the
 * channel is ready for @condition (G_IO_IN, G_IO_OUT, G_IO_HUP, G_IO_ERR;
 * HUP and ERR may be reported even when not asked for).  Set the callback
 * with g_source_set_callback((GSourceFunc)func, ...) where func is a
 * QIOChannelFunc.  The source holds a reference on @ioc.
 */
GSource *qio_channel_create_watch(QIOChannel *ioc, GIOCondition condition);

/*
 * qio_channel_add_watch_full: create a watch, attach it to @context (NULL =
 * the default context) and return its id.  @notify (may be NULL) frees @data
 * when the watch goes.  Remove with g_source_remove only for the default
 * context; for another context use qio_channel_add_watch_source and
 * g_source_destroy.  qio_channel_add_watch: the default context.
 */
guint qio_channel_add_watch_full(QIOChannel *ioc, GIOCondition condition,
                                 QIOChannelFunc func, gpointer data,
                                 GDestroyNotify notify, GMainContext *context);
guint qio_channel_add_watch(QIOChannel *ioc, GIOCondition condition,
                            QIOChannelFunc func, gpointer data,
                            GDestroyNotify notify);

/*
 * qio_channel_add_watch_source: like add_watch_full but returns the attached
 * source with a reference for the caller (g_source_destroy + g_source_unref
 * to remove it from any context).
 */
GSource *qio_channel_add_watch_source(QIOChannel *ioc, GIOCondition condition,
                                      QIOChannelFunc func, gpointer data,
                                      GDestroyNotify notify,
                                      GMainContext *context);

/*
 * qio_channel_wait: block the calling thread until @ioc is ready for
 * @condition (or HUP/ERR), by running the channel's watch on a private
 * GMainContext.  Used by the *_all helpers.
 */
void qio_channel_wait(QIOChannel *ioc, GIOCondition condition);

#endif /* IO_CHANNEL_H */
