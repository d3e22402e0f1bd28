/*
 * io/channel-command.c: QIOChannelCommand, a child process on pipes.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include "io/channel-command.h"
#include "io/channel-internal.h"
#include "io/channel-watch.h"

/* How often the reaper looks at the child while it waits. */
#define QIO_CHANNEL_COMMAND_POLL_MS 5

static void qio_channel_command_instance_init(Object *obj)
{
    QIOChannelCommand *cioc = QIO_CHANNEL_COMMAND(obj);

    cioc->readfd = -1;
    cioc->writefd = -1;
}

QIOChannelCommand *qio_channel_command_new_spawn(const char *const argv[],
                                                 int flags, GError **errp)
{
    int accmode = flags & O_ACCMODE;
    bool want_write = accmode == O_WRONLY || accmode == O_RDWR;
    bool want_read = accmode == O_RDONLY || accmode == O_RDWR;
    GSpawnFlags spawn_flags = G_SPAWN_SEARCH_PATH |
                              G_SPAWN_DO_NOT_REAP_CHILD |
                              (want_read ? 0 : G_SPAWN_STDOUT_TO_DEV_NULL);
    QIOChannelCommand *cioc;
    GError *err = NULL;
    int in = -1, out = -1;
    GPid pid;

    if (!g_spawn_async_with_pipes(NULL, (char **)argv, NULL, spawn_flags,
                                  NULL, NULL, &pid,
                                  want_write ? &in : NULL,
                                  want_read ? &out : NULL, NULL, &err)) {
        g_set_error(errp, MV_ERROR,
                    err->domain == G_SPAWN_ERROR &&
                    err->code == G_SPAWN_ERROR_NOENT
                    ? MV_ERROR_NOT_FOUND : MV_ERROR_IO,
                    "Unable to run '%s': %s", argv[0], err->message);
        g_error_free(err);
        return NULL;
    }
    /* Our ends must not leak into other children we spawn later. */
    if (in >= 0) {
        fcntl(in, F_SETFD, FD_CLOEXEC);
    }
    if (out >= 0) {
        fcntl(out, F_SETFD, FD_CLOEXEC);
    }
    cioc = QIO_CHANNEL_COMMAND(object_new(TYPE_QIO_CHANNEL_COMMAND));
    cioc->writefd = in;
    cioc->readfd = out;
    cioc->pid = pid;
    qio_channel_set_feature(QIO_CHANNEL(cioc), QIO_CHANNEL_FEATURE_SHUTDOWN);
    return cioc;
}

static ssize_t qio_channel_command_readv(QIOChannel *ioc,
                                         const struct iovec *iov, size_t niov,
                                         int **fds, size_t *nfds,
                                         GError **errp)
{
    return qio_fd_readv(QIO_CHANNEL_COMMAND(ioc)->readfd, iov, niov,
                        "Unable to read from command", errp);
}

static ssize_t qio_channel_command_writev(QIOChannel *ioc,
                                          const struct iovec *iov, size_t niov,
                                          int *fds, size_t nfds, GError **errp)
{
    return qio_fd_writev(QIO_CHANNEL_COMMAND(ioc)->writefd, iov, niov,
                         "Unable to write to command", errp);
}

static int qio_channel_command_set_blocking(QIOChannel *ioc, bool enabled,
                                            GError **errp)
{
    QIOChannelCommand *cioc = QIO_CHANNEL_COMMAND(ioc);

    if (cioc->writefd >= 0 &&
        qio_fd_set_blocking(cioc->writefd, enabled, errp) < 0) {
        return -1;
    }
    if (cioc->readfd >= 0 &&
        qio_fd_set_blocking(cioc->readfd, enabled, errp) < 0) {
        return -1;
    }
    return 0;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) {
        close(*fd);
        *fd = -1;
    }
}

/* Wait up to @ms for the child; true once it is reaped (status in *@st). */
static bool reap_within(pid_t pid, unsigned ms, int *status)
{
    for (unsigned waited = 0;; waited += QIO_CHANNEL_COMMAND_POLL_MS) {
        pid_t ret = waitpid(pid, status, WNOHANG);

        if (ret == pid || (ret < 0 && errno != EINTR)) {
            return true;
        }
        if (waited >= ms) {
            return false;
        }
        g_usleep(QIO_CHANNEL_COMMAND_POLL_MS * 1000);
    }
}

static int qio_channel_command_close(QIOChannel *ioc, GError **errp)
{
    QIOChannelCommand *cioc = QIO_CHANNEL_COMMAND(ioc);
    int status = 0;

    /* EOF on its stdin, EPIPE on its stdout: a filter exits by itself. */
    close_fd(&cioc->writefd);
    close_fd(&cioc->readfd);
    if (!cioc->pid) {
        return 0;
    }
    if (!reap_within(cioc->pid, QIO_CHANNEL_COMMAND_REAP_MS, &status)) {
        kill(cioc->pid, SIGTERM);
        if (!reap_within(cioc->pid, QIO_CHANNEL_COMMAND_REAP_MS, &status)) {
            kill(cioc->pid, SIGKILL);
            while (waitpid(cioc->pid, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }
    cioc->pid = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO,
                    "Command exited with status %d", WEXITSTATUS(status));
        return -1;
    }
    return 0;
}

static int qio_channel_command_shutdown(QIOChannel *ioc,
                                        QIOChannelShutdown how, GError **errp)
{
    QIOChannelCommand *cioc = QIO_CHANNEL_COMMAND(ioc);

    if (how & QIO_CHANNEL_SHUTDOWN_WRITE) {
        close_fd(&cioc->writefd);
    }
    if (how & QIO_CHANNEL_SHUTDOWN_READ) {
        close_fd(&cioc->readfd);
    }
    return 0;
}

static GSource *qio_channel_command_create_watch(QIOChannel *ioc,
                                                 GIOCondition condition)
{
    QIOChannelCommand *cioc = QIO_CHANNEL_COMMAND(ioc);

    return qio_channel_create_fd_pair_watch(ioc, cioc->readfd, cioc->writefd,
                                            condition);
}

static const QIOChannelOps qio_channel_command_ops = {
    .io_readv = qio_channel_command_readv,
    .io_writev = qio_channel_command_writev,
    .io_set_blocking = qio_channel_command_set_blocking,
    .io_close = qio_channel_command_close,
    .io_create_watch = qio_channel_command_create_watch,
    .io_shutdown = qio_channel_command_shutdown,
};

static void qio_channel_command_class_init(ObjectClass *klass, void *data)
{
    QIO_CHANNEL_CLASS(klass)->ops = &qio_channel_command_ops;
}

static const TypeInfo qio_channel_command_info = {
    .name = TYPE_QIO_CHANNEL_COMMAND,
    .parent = TYPE_QIO_CHANNEL,
    .instance_size = sizeof(QIOChannelCommand),
    .class_size = sizeof(QIOChannelCommandClass),
    .class_init = qio_channel_command_class_init,
    .instance_init = qio_channel_command_instance_init,
};

static void qio_channel_command_register_types(void)
{
    type_register_static(&qio_channel_command_info);
}

type_init(qio_channel_command_register_types)
