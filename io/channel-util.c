/*
 * io/channel-util.c: fd helpers for the file and command channels.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <unistd.h>

#include "io/channel-internal.h"

int qio_fd_set_blocking(int fd, bool blocking, GError **errp)
{
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0) {
        qio_channel_error_errno(errp, errno, "Unable to get fd flags");
        return -1;
    }
    flags = blocking ? flags & ~O_NONBLOCK : flags | O_NONBLOCK;
    if (fcntl(fd, F_SETFL, flags) < 0) {
        qio_channel_error_errno(errp, errno, "Unable to set fd flags");
        return -1;
    }
    return 0;
}

int qio_iov_count(size_t niov)
{
    return niov > IOV_MAX ? IOV_MAX : (int)niov;
}

ssize_t qio_io_result(ssize_t ret, int err, const char *what, GError **errp)
{
    if (ret >= 0) {
        return ret;
    }
    if (err == EAGAIN || err == EWOULDBLOCK) {
        return QIO_CHANNEL_ERR_BLOCK;
    }
    qio_channel_error_errno(errp, err, what);
    return -1;
}

ssize_t qio_fd_readv(int fd, const struct iovec *iov, size_t niov,
                     const char *what, GError **errp)
{
    ssize_t ret;

    do {
        ret = readv(fd, iov, qio_iov_count(niov));
    } while (ret < 0 && errno == EINTR);
    return qio_io_result(ret, errno, what, errp);
}

ssize_t qio_fd_writev(int fd, const struct iovec *iov, size_t niov,
                      const char *what, GError **errp)
{
    sigset_t pipe_set, old_set, pending;
    bool was_pending;
    ssize_t ret;
    int err;

    /*
     * A write to a pipe without a reader raises SIGPIPE at this thread.
     * Block it around the call; if we caused one that was not already
     * pending, take it off the queue so it is never delivered.
     */
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);
    sigpending(&pending);
    was_pending = sigismember(&pending, SIGPIPE);

    do {
        ret = writev(fd, iov, qio_iov_count(niov));
    } while (ret < 0 && errno == EINTR);
    err = errno;

    /* Even a partial write that then met a closed pipe raises SIGPIPE. */
    sigpending(&pending);
    if (!was_pending && sigismember(&pending, SIGPIPE)) {
        static const struct timespec no_wait = { 0, 0 };

        while (sigtimedwait(&pipe_set, NULL, &no_wait) < 0 && errno == EINTR) {
        }
    }
    pthread_sigmask(SIG_SETMASK, &old_set, NULL);
    return qio_io_result(ret, err, what, errp);
}
