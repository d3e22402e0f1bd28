/*
 * io/channel-socket.h: QIOChannelSocket, a channel on a BSD socket: unix
 * (stream or datagram, with fd passing) and TCP/UDP over IPv4 and IPv6.
 *
 * A new channel has no socket (fd -1) until one of connect/listen/dgram
 * succeeds, or it wraps an existing one (new_fd).  Sockets are created
 * close-on-exec and blocking; use qio_channel_set_blocking for a main loop.
 * Features: SHUTDOWN always, FD_PASS on AF_UNIX, LISTEN on a listener.
 * Writes use MSG_NOSIGNAL, so a vanished peer is an EPIPE error, never a
 * SIGPIPE.
 */
#ifndef IO_CHANNEL_SOCKET_H
#define IO_CHANNEL_SOCKET_H

#include <sys/socket.h>

#include "io/channel.h"
#include "io/socket-address.h"
#include "io/task.h"

#define TYPE_QIO_CHANNEL_SOCKET "qio-channel-socket"

typedef struct QIOChannelSocket QIOChannelSocket;
typedef struct QIOChannelSocketClass {
    QIOChannelClass parent_class;
} QIOChannelSocketClass;

DECLARE_TYPE(QIOChannelSocket, QIOChannelSocketClass, QIO_CHANNEL_SOCKET,
             TYPE_QIO_CHANNEL_SOCKET)

struct QIOChannelSocket {
    QIOChannel parent_obj;
    int fd;                             /* -1 before connect/listen */
    struct sockaddr_storage local_addr;
    socklen_t local_addr_len;
    struct sockaddr_storage remote_addr;
    socklen_t remote_addr_len;          /* 0 for listeners */
};

/* qio_channel_socket_new: a channel with no socket yet.  Main thread. */
QIOChannelSocket *qio_channel_socket_new(void);

/*
 * qio_channel_socket_new_fd: wrap the connected or listening socket @fd
 * (ownership taken on success only).  NULL with MV_ERROR_IO if @fd is not a
 * socket.
 */
QIOChannelSocket *qio_channel_socket_new_fd(int fd, GError **errp);

/*
 * qio_channel_socket_connect_sync: resolve @addr and connect to the first
 * address that accepts (unix path, tcp host/port, or fd: an inherited
 * connected socket, which is dup'ed).  Blocks.  0, or -1 with MV_ERROR_IO
 * naming the address and the reason, worded as QEMU's ("Failed to connect
 * to 'localhost:4444': Connection refused", "Failed to connect to
 * '/path': No such file or directory").  Any thread (used from worker threads).
 */
int qio_channel_socket_connect_sync(QIOChannelSocket *ioc,
                                    const SocketAddress *addr, GError **errp);

/*
 * qio_channel_socket_connect_async: connect_sync in a worker thread, then
 * @callback(task, @opaque) from @context (NULL = default), where
 * qio_task_get_source(task) is @ioc and qio_task_propagate_error reports
 * failure; then @destroy(@opaque).  @addr is copied.  The task references
 * @ioc until the callback has run.  Main thread.
 */
void qio_channel_socket_connect_async(QIOChannelSocket *ioc,
                                      const SocketAddress *addr,
                                      QIOTaskFunc callback, gpointer opaque,
                                      GDestroyNotify destroy,
                                      GMainContext *context);

/*
 * qio_channel_socket_listen_sync: bind and listen (backlog @num, at least 1)
 * on the first address @addr resolves to that binds.  unix: a stale socket
 * file at the path is unlinked first (other file types are left alone and
 * fail with "Address already in use").  tcp: SO_REUSEADDR; an IPv6 socket
 * is dual-stack unless ipv4=/ipv6= restrict the families (QEMU's rule, so
 * "::" also takes IPv4 clients); port "0" binds an ephemeral port (read it back with get_local_address); @to > port tries
 * each port up to @to.  fd: an inherited listening socket (dup'ed).  0, or
 * -1 with MV_ERROR_IO.  Blocks.
 */
int qio_channel_socket_listen_sync(QIOChannelSocket *ioc,
                                   const SocketAddress *addr, int num,
                                   GError **errp);

/*
 * qio_channel_socket_dgram_sync: a datagram socket bound to @localaddr (may
 * be NULL: an ephemeral port) and connected to @remoteaddr, so read/write
 * receive from and send to that peer only.  INET and UNIX.  0 or -1.
 */
int qio_channel_socket_dgram_sync(QIOChannelSocket *ioc,
                                  const SocketAddress *localaddr,
                                  const SocketAddress *remoteaddr,
                                  GError **errp);

/*
 * Closing a listening unix socket removes its socket file (as QEMU does).
 *
 * qio_channel_socket_accept: accept one connection on a listening @ioc
 * (waits if @ioc is blocking).  A new blocking, close-on-exec channel, or
 * NULL: with @errp set on error, or with no error (and nothing set) when a
 * non-blocking listener has nothing pending.  EINTR is retried.
 */
QIOChannelSocket *qio_channel_socket_accept(QIOChannelSocket *ioc,
                                            GError **errp);

/*
 * The bound (local) and peer (remote) addresses as numeric SocketAddresses
 * (free with socket_address_free), or NULL with errp (no socket, no peer,
 * or a family we do not know).
 */
SocketAddress *qio_channel_socket_get_local_address(QIOChannelSocket *ioc,
                                                    GError **errp);
SocketAddress *qio_channel_socket_get_remote_address(QIOChannelSocket *ioc,
                                                     GError **errp);

#endif /* IO_CHANNEL_SOCKET_H */
