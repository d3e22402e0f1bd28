/*
 * io/channel-internal.h: helpers shared by the channel implementations in
 * io/ (not for users of channels).
 */
#ifndef IO_CHANNEL_INTERNAL_H
#define IO_CHANNEL_INTERNAL_H

#include "io/channel.h"

/* False with "Channel is closed" once the channel was closed. */
bool qio_channel_check_open(QIOChannel *ioc, GError **errp);

/* Set an MV_ERROR_IO error "@what: strerror(@err)". */
void qio_channel_error_errno(GError **errp, int err, const char *what);

/* readv/sendmsg take at most IOV_MAX entries; the rest waits for next call. */
int qio_iov_count(size_t niov);

/*
 * The channel result of a system call that returned @ret with errno @err:
 * @ret itself when >= 0, QIO_CHANNEL_ERR_BLOCK for EAGAIN, else -1 with an
 * MV_ERROR_IO error "@what: strerror".
 */
ssize_t qio_io_result(ssize_t ret, int err, const char *what, GError **errp);

/* O_NONBLOCK off (@blocking) or on for @fd.  0, or -1 with @errp. */
int qio_fd_set_blocking(int fd, bool blocking, GError **errp);

/*
 * readv/writev on a plain fd with the channel conventions: EINTR retried,
 * EAGAIN -> QIO_CHANNEL_ERR_BLOCK, errors -> -1 with @errp naming @what.
 * qio_fd_writev never raises SIGPIPE: it blocks the signal in this thread
 * for the call and discards one it caused (pipes have no MSG_NOSIGNAL).
 */
ssize_t qio_fd_readv(int fd, const struct iovec *iov, size_t niov,
                     const char *what, GError **errp);
ssize_t qio_fd_writev(int fd, const struct iovec *iov, size_t niov,
                      const char *what, GError **errp);

#endif /* IO_CHANNEL_INTERNAL_H */
