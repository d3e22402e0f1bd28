/*
 * io/channel-socket.c: QIOChannelSocket, stream and datagram sockets.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>

#include "io/channel-internal.h"
#include "io/channel-socket.h"
#include "io/channel-watch.h"
#include "io/sockets-internal.h"

/* At most this many fds travel with one message (as QEMU's chardev). */
#define QIO_CHANNEL_SOCKET_MAX_FDS 16

QIOChannelSocket *qio_channel_socket_new(void)
{
    return QIO_CHANNEL_SOCKET(object_new(TYPE_QIO_CHANNEL_SOCKET));
}

static void qio_channel_socket_instance_init(Object *obj)
{
    QIO_CHANNEL_SOCKET(obj)->fd = -1;
}

/*
 * Adopt @fd: record its addresses and what it can do.  On failure the fd
 * is left to the caller.
 */
static int qio_channel_socket_set_fd(QIOChannelSocket *sioc, int fd,
                                     GError **errp)
{
    QIOChannel *ioc = QIO_CHANNEL(sioc);
    int listening = 0;
    socklen_t optlen = sizeof(listening);

    sioc->local_addr_len = sizeof(sioc->local_addr);
    if (getsockname(fd, (struct sockaddr *)&sioc->local_addr,
                    &sioc->local_addr_len) < 0) {
        qio_channel_error_errno(errp, errno,
                                "Unable to query local socket address");
        return -1;
    }
    sioc->remote_addr_len = sizeof(sioc->remote_addr);
    if (getpeername(fd, (struct sockaddr *)&sioc->remote_addr,
                    &sioc->remote_addr_len) < 0) {
        if (errno != ENOTCONN) {
            qio_channel_error_errno(errp, errno,
                                    "Unable to query remote socket address");
            return -1;
        }
        sioc->remote_addr_len = 0;
    }
    sioc->fd = fd;
    qio_channel_set_feature(ioc, QIO_CHANNEL_FEATURE_SHUTDOWN);
    if (sioc->local_addr.ss_family == AF_UNIX) {
        qio_channel_set_feature(ioc, QIO_CHANNEL_FEATURE_FD_PASS);
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &optlen) == 0 &&
        listening) {
        qio_channel_set_feature(ioc, QIO_CHANNEL_FEATURE_LISTEN);
    }
    return 0;
}

QIOChannelSocket *qio_channel_socket_new_fd(int fd, GError **errp)
{
    QIOChannelSocket *sioc = qio_channel_socket_new();

    if (qio_channel_socket_set_fd(sioc, fd, errp) < 0) {
        object_unref(OBJECT(sioc));
        return NULL;
    }
    return sioc;
}

/* A socket already opened by this channel is a programmer error. */
static void qio_channel_socket_check_unused(QIOChannelSocket *sioc)
{
    g_assert(sioc->fd < 0 && !QIO_CHANNEL(sioc)->closed);
}

static int connect_retry(int fd, const struct sockaddr *sa, socklen_t len)
{
    int ret;

    do {
        ret = connect(fd, sa, len);
    } while (ret < 0 && errno == EINTR);
    return ret;
}

/* How errors name an address: "host:port" or the path, as QEMU's do. */
static char *address_for_error(const SocketAddress *addr)
{
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_INET:
        return g_strdup_printf("%s:%s", addr->u.inet.host, addr->u.inet.port);
    case SOCKET_ADDRESS_TYPE_UNIX:
        return g_strdup(addr->u.q_unix.path);
    case SOCKET_ADDRESS_TYPE_FD:
        return g_strdup_printf("fd:%s", addr->u.fd.str);
    }
    g_assert_not_reached();
}

static void set_connect_error(GError **errp, const SocketAddress *addr,
                              int err)
{
    g_autofree char *str = address_for_error(addr);

    g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Failed to connect to '%s': %s",
                str, g_strerror(err));
}

/* A new unix socket of @socktype; -1 with @errp. */
static int unix_socket(int socktype, GError **errp)
{
    int fd = socket(AF_UNIX, socktype | SOCK_CLOEXEC, 0);

    if (fd < 0) {
        qio_channel_error_errno(errp, errno, "Unable to create socket");
    }
    return fd;
}

/* Connect @fd to the unix address @addr; 0, or -1 with @errp. */
static int unix_connect(int fd, const SocketAddress *addr, GError **errp)
{
    struct sockaddr_un sun;
    socklen_t len;

    if (!qio_unix_sockaddr(&addr->u.q_unix, &sun, &len, errp)) {
        return -1;
    }
    if (connect_retry(fd, (struct sockaddr *)&sun, len) < 0) {
        set_connect_error(errp, addr, errno);
        return -1;
    }
    return 0;
}

/* Connect a new socket of @socktype to the first of @addr's addresses. */
static int socket_connect(const SocketAddress *addr, int socktype,
                          GError **errp)
{
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_UNIX: {
        int fd = unix_socket(socktype, errp);

        if (fd >= 0 && unix_connect(fd, addr, errp) < 0) {
            close(fd);
            return -1;
        }
        return fd;
    }
    case SOCKET_ADDRESS_TYPE_INET: {
        struct addrinfo *res;
        int err = EADDRNOTAVAIL;

        if (qio_inet_resolve(&addr->u.inet, false, socktype, &res, errp) < 0) {
            return -1;
        }
        for (struct addrinfo *e = res; e; e = e->ai_next) {
            int fd = socket(e->ai_family, e->ai_socktype | SOCK_CLOEXEC,
                            e->ai_protocol);

            if (fd < 0) {
                err = errno;
                continue;
            }
            if (connect_retry(fd, e->ai_addr, e->ai_addrlen) == 0) {
                freeaddrinfo(res);
                return fd;
            }
            err = errno;
            close(fd);
        }
        freeaddrinfo(res);
        set_connect_error(errp, addr, err);
        return -1;
    }
    case SOCKET_ADDRESS_TYPE_FD:
        return qio_fd_address_get(&addr->u.fd, errp);
    }
    g_assert_not_reached();
}

static int qio_channel_socket_adopt(QIOChannelSocket *sioc, int fd,
                                    GError **errp)
{
    if (fd < 0) {
        return -1;
    }
    if (qio_channel_socket_set_fd(sioc, fd, errp) < 0) {
        close(fd);
        return -1;
    }
    return 0;
}

int qio_channel_socket_connect_sync(QIOChannelSocket *sioc,
                                    const SocketAddress *addr, GError **errp)
{
    qio_channel_socket_check_unused(sioc);
    return qio_channel_socket_adopt(sioc, socket_connect(addr, SOCK_STREAM,
                                                         errp), errp);
}

static void qio_channel_socket_connect_worker(QIOTask *task, gpointer opaque)
{
    QIOChannelSocket *sioc = QIO_CHANNEL_SOCKET(qio_task_get_source(task));
    GError *err = NULL;

    if (qio_channel_socket_connect_sync(sioc, opaque, &err) < 0) {
        qio_task_set_error(task, err);
    }
}

void qio_channel_socket_connect_async(QIOChannelSocket *sioc,
                                      const SocketAddress *addr,
                                      QIOTaskFunc callback, gpointer opaque,
                                      GDestroyNotify destroy,
                                      GMainContext *context)
{
    QIOTask *task = qio_task_new(OBJECT(sioc), callback, opaque, destroy);

    qio_task_run_in_thread(task, qio_channel_socket_connect_worker,
                           socket_address_copy(addr),
                           (GDestroyNotify)socket_address_free, context);
}

/* Remove a socket file left by a dead listener; leave anything else. */
static void unlink_stale_socket(const UnixSocketAddress *addr)
{
    struct stat st;

    if (!addr->abstract && lstat(addr->path, &st) == 0 &&
        S_ISSOCK(st.st_mode)) {
        unlink(addr->path);
    }
}

static void set_listen_error(GError **errp, const SocketAddress *addr, int err,
                             const char *what)
{
    g_autofree char *str = address_for_error(addr);

    g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Failed to %s '%s': %s", what,
                str, g_strerror(err));
}

static int unix_bind(const SocketAddress *addr, int socktype, GError **errp)
{
    struct sockaddr_un sun;
    socklen_t len;
    int fd;

    if (!qio_unix_sockaddr(&addr->u.q_unix, &sun, &len, errp)) {
        return -1;
    }
    fd = unix_socket(socktype, errp);
    if (fd < 0) {
        return -1;
    }
    unlink_stale_socket(&addr->u.q_unix);
    if (bind(fd, (struct sockaddr *)&sun, len) < 0) {
        set_listen_error(errp, addr, errno, "bind socket to");
        close(fd);
        return -1;
    }
    return fd;
}

/* Set the port of an inet sockaddr. */
static void sockaddr_set_port(struct sockaddr *sa, uint16_t port)
{
    if (sa->sa_family == AF_INET) {
        ((struct sockaddr_in *)sa)->sin_port = htons(port);
    } else {
        ((struct sockaddr_in6 *)sa)->sin6_port = htons(port);
    }
}

static uint16_t sockaddr_get_port(const struct sockaddr *sa)
{
    return ntohs(sa->sa_family == AF_INET
                 ? ((const struct sockaddr_in *)sa)->sin_port
                 : ((const struct sockaddr_in6 *)sa)->sin6_port);
}

/*
 * QEMU's rule for IPv6 listeners: dual-stack (IPV6_V6ONLY off) unless the
 * user restricted the families, so "::" alone also takes IPv4 clients.
 */
static int inet_v6only(const InetSocketAddress *inet)
{
    bool unset = !inet->has_ipv4 && !inet->has_ipv6;
    bool both = inet->has_ipv4 && inet->ipv4 && inet->has_ipv6 && inet->ipv6;

    return unset || both ? 0 : 1;
}

/*
 * Bind a new socket to the first of @addr's addresses and ports that is
 * free.  Stream sockets get SO_REUSEADDR, so a restarted server can reuse a
 * port in TIME_WAIT.
 */
static int inet_bind(const SocketAddress *addr, int socktype, GError **errp)
{
    const InetSocketAddress *inet = &addr->u.inet;
    struct addrinfo *res;
    int err = EADDRNOTAVAIL;

    if (qio_inet_resolve(inet, true, socktype, &res, errp) < 0) {
        return -1;
    }
    for (struct addrinfo *e = res; e; e = e->ai_next) {
        uint16_t first = sockaddr_get_port(e->ai_addr);
        uint16_t last = inet->to > first && first ? inet->to : first;

        for (unsigned port = first; port <= last; port++) {
            static const int on = 1;
            int fd = socket(e->ai_family, e->ai_socktype | SOCK_CLOEXEC,
                            e->ai_protocol);

            if (fd < 0) {
                err = errno;
                break;
            }
            if (socktype == SOCK_STREAM) {
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
            }
            if (e->ai_family == AF_INET6) {
                int v6only = inet_v6only(inet);

                setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6only,
                           sizeof(v6only));
            }
            sockaddr_set_port(e->ai_addr, port);
            if (bind(fd, e->ai_addr, e->ai_addrlen) == 0) {
                freeaddrinfo(res);
                return fd;
            }
            err = errno;
            close(fd);
            if (err != EADDRINUSE) {
                break;
            }
        }
    }
    freeaddrinfo(res);
    set_listen_error(errp, addr, err, "bind socket to");
    return -1;
}

int qio_channel_socket_listen_sync(QIOChannelSocket *sioc,
                                   const SocketAddress *addr, int num,
                                   GError **errp)
{
    int fd;

    qio_channel_socket_check_unused(sioc);
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_UNIX:
        fd = unix_bind(addr, SOCK_STREAM, errp);
        break;
    case SOCKET_ADDRESS_TYPE_INET:
        fd = inet_bind(addr, SOCK_STREAM, errp);
        break;
    case SOCKET_ADDRESS_TYPE_FD:
        fd = qio_fd_address_get(&addr->u.fd, errp);
        break;
    default:
        g_assert_not_reached();
    }
    if (fd < 0) {
        return -1;
    }
    if (listen(fd, num > 0 ? num : 1) < 0) {
        set_listen_error(errp, addr, errno, "listen on");
        close(fd);
        return -1;
    }
    return qio_channel_socket_adopt(sioc, fd, errp);
}

int qio_channel_socket_dgram_sync(QIOChannelSocket *sioc,
                                  const SocketAddress *localaddr,
                                  const SocketAddress *remoteaddr,
                                  GError **errp)
{
    int fd;

    qio_channel_socket_check_unused(sioc);
    if (localaddr && localaddr->type != remoteaddr->type) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Local and remote addresses must be of the same kind");
        return -1;
    }
    if (remoteaddr->type == SOCKET_ADDRESS_TYPE_FD) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Datagram sockets from a file descriptor are not supported");
        return -1;
    }
    if (!localaddr) {
        /* The kernel binds an ephemeral address on connect. */
        return qio_channel_socket_adopt(sioc, socket_connect(remoteaddr,
                                                             SOCK_DGRAM,
                                                             errp), errp);
    }
    fd = remoteaddr->type == SOCKET_ADDRESS_TYPE_UNIX
         ? unix_bind(localaddr, SOCK_DGRAM, errp)
         : inet_bind(localaddr, SOCK_DGRAM, errp);
    if (fd < 0) {
        return -1;
    }
    if (remoteaddr->type == SOCKET_ADDRESS_TYPE_UNIX) {
        if (unix_connect(fd, remoteaddr, errp) < 0) {
            close(fd);
            return -1;
        }
    } else {
        struct sockaddr_storage local;
        socklen_t local_len = sizeof(local);
        struct addrinfo *res;
        int err = EAFNOSUPPORT;
        bool ok = false;

        getsockname(fd, (struct sockaddr *)&local, &local_len);
        if (qio_inet_resolve(&remoteaddr->u.inet, false, SOCK_DGRAM, &res,
                             errp) < 0) {
            close(fd);
            return -1;
        }
        /* Only a peer of the local socket's family can be reached. */
        for (struct addrinfo *e = res; e && !ok; e = e->ai_next) {
            if (e->ai_family != local.ss_family) {
                continue;
            }
            ok = connect_retry(fd, e->ai_addr, e->ai_addrlen) == 0;
            err = errno;
        }
        freeaddrinfo(res);
        if (!ok) {
            set_connect_error(errp, remoteaddr, err);
            close(fd);
            return -1;
        }
    }
    return qio_channel_socket_adopt(sioc, fd, errp);
}

QIOChannelSocket *qio_channel_socket_accept(QIOChannelSocket *sioc,
                                            GError **errp)
{
    QIOChannelSocket *cioc;
    int fd;

    if (!qio_channel_check_open(QIO_CHANNEL(sioc), errp)) {
        return NULL;
    }
    do {
        fd = accept4(sioc->fd, NULL, NULL, SOCK_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            qio_channel_error_errno(errp, errno, "Unable to accept connection");
        }
        return NULL;
    }
    cioc = qio_channel_socket_new();
    if (qio_channel_socket_adopt(cioc, fd, errp) < 0) {
        object_unref(OBJECT(cioc));
        return NULL;
    }
    return cioc;
}

SocketAddress *qio_channel_socket_get_local_address(QIOChannelSocket *sioc,
                                                    GError **errp)
{
    if (sioc->fd < 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Socket is not open");
        return NULL;
    }
    return qio_sockaddr_to_address(&sioc->local_addr, sioc->local_addr_len,
                                   errp);
}

SocketAddress *qio_channel_socket_get_remote_address(QIOChannelSocket *sioc,
                                                     GError **errp)
{
    if (sioc->fd < 0 || !sioc->remote_addr_len) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Socket is not connected");
        return NULL;
    }
    return qio_sockaddr_to_address(&sioc->remote_addr, sioc->remote_addr_len,
                                   errp);
}

/* Copy the SCM_RIGHTS fds of @msg into a new array for the caller. */
static void collect_fds(struct msghdr *msg, int **fds, size_t *nfds)
{
    for (struct cmsghdr *cmsg = CMSG_FIRSTHDR(msg); cmsg;
         cmsg = CMSG_NXTHDR(msg, cmsg)) {
        size_t n;

        if (cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
            cmsg->cmsg_len < CMSG_LEN(0)) {
            continue;
        }
        n = (cmsg->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        *fds = g_renew(int, *fds, *nfds + n);
        memcpy(*fds + *nfds, CMSG_DATA(cmsg), n * sizeof(int));
        *nfds += n;
    }
}

/* Room for the largest SCM_RIGHTS message, aligned for cmsghdr. */
typedef union SocketControl {
    char buf[CMSG_SPACE(sizeof(int) * QIO_CHANNEL_SOCKET_MAX_FDS)];
    struct cmsghdr align;
} SocketControl;

static ssize_t qio_channel_socket_readv(QIOChannel *ioc,
                                        const struct iovec *iov, size_t niov,
                                        int **fds, size_t *nfds, GError **errp)
{
    QIOChannelSocket *sioc = QIO_CHANNEL_SOCKET(ioc);
    SocketControl control;
    struct msghdr msg = {
        .msg_iov = (struct iovec *)iov,
        .msg_iovlen = qio_iov_count(niov),
    };
    ssize_t ret;

    if (fds) {
        msg.msg_control = control.buf;
        msg.msg_controllen = sizeof(control.buf);
    }
    do {
        ret = recvmsg(sioc->fd, &msg, fds ? MSG_CMSG_CLOEXEC : 0);
    } while (ret < 0 && errno == EINTR);
    ret = qio_io_result(ret, errno, "Unable to read from socket", errp);
    if (ret > 0 && fds) {
        collect_fds(&msg, fds, nfds);
    }
    return ret;
}

static ssize_t qio_channel_socket_writev(QIOChannel *ioc,
                                         const struct iovec *iov, size_t niov,
                                         int *fds, size_t nfds, GError **errp)
{
    QIOChannelSocket *sioc = QIO_CHANNEL_SOCKET(ioc);
    SocketControl control;
    struct msghdr msg = {
        .msg_iov = (struct iovec *)iov,
        .msg_iovlen = qio_iov_count(niov),
    };
    ssize_t ret;

    if (nfds) {
        struct cmsghdr *cmsg;

        if (nfds > QIO_CHANNEL_SOCKET_MAX_FDS) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Only %d file descriptors can be sent at once",
                        QIO_CHANNEL_SOCKET_MAX_FDS);
            return -1;
        }
        memset(&control, 0, sizeof(control));
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
        cmsg = CMSG_FIRSTHDR(&msg);
        cmsg->cmsg_level = SOL_SOCKET;
        cmsg->cmsg_type = SCM_RIGHTS;
        cmsg->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
        memcpy(CMSG_DATA(cmsg), fds, sizeof(int) * nfds);
    }
    do {
        ret = sendmsg(sioc->fd, &msg, MSG_NOSIGNAL);
    } while (ret < 0 && errno == EINTR);
    return qio_io_result(ret, errno, "Unable to write to socket", errp);
}

static int qio_channel_socket_set_blocking(QIOChannel *ioc, bool enabled,
                                           GError **errp)
{
    return qio_fd_set_blocking(QIO_CHANNEL_SOCKET(ioc)->fd, enabled, errp);
}

static int qio_channel_socket_close(QIOChannel *ioc, GError **errp)
{
    QIOChannelSocket *sioc = QIO_CHANNEL_SOCKET(ioc);
    int ret = 0;

    if (sioc->fd < 0) {
        return 0;
    }
    /* A listener removes its socket file, as QEMU does. */
    if (qio_channel_has_feature(ioc, QIO_CHANNEL_FEATURE_LISTEN) &&
        sioc->local_addr.ss_family == AF_UNIX) {
        struct sockaddr_un *sun = (struct sockaddr_un *)&sioc->local_addr;

        if (sun->sun_path[0]) {
            unlink(sun->sun_path);
        }
    }
    if (close(sioc->fd) < 0) {
        qio_channel_error_errno(errp, errno, "Unable to close socket");
        ret = -1;
    }
    sioc->fd = -1;
    return ret;
}

static int qio_channel_socket_shutdown(QIOChannel *ioc, QIOChannelShutdown how,
                                       GError **errp)
{
    static const int sock_how[] = {
        [QIO_CHANNEL_SHUTDOWN_READ] = SHUT_RD,
        [QIO_CHANNEL_SHUTDOWN_WRITE] = SHUT_WR,
        [QIO_CHANNEL_SHUTDOWN_BOTH] = SHUT_RDWR,
    };

    g_assert(how >= QIO_CHANNEL_SHUTDOWN_READ &&
             how <= QIO_CHANNEL_SHUTDOWN_BOTH);
    if (shutdown(QIO_CHANNEL_SOCKET(ioc)->fd, sock_how[how]) < 0) {
        qio_channel_error_errno(errp, errno, "Unable to shut down socket");
        return -1;
    }
    return 0;
}

static void qio_channel_socket_set_delay(QIOChannel *ioc, bool enabled)
{
    QIOChannelSocket *sioc = QIO_CHANNEL_SOCKET(ioc);
    int nodelay = !enabled;
    int type = 0;
    socklen_t len = sizeof(type);

    if (sioc->local_addr.ss_family != AF_INET &&
        sioc->local_addr.ss_family != AF_INET6) {
        return;
    }
    if (getsockopt(sioc->fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0 &&
        type == SOCK_STREAM) {
        setsockopt(sioc->fd, IPPROTO_TCP, TCP_NODELAY, &nodelay,
                   sizeof(nodelay));
    }
}

static GSource *qio_channel_socket_create_watch(QIOChannel *ioc,
                                                GIOCondition condition)
{
    return qio_channel_create_fd_watch(ioc, QIO_CHANNEL_SOCKET(ioc)->fd,
                                       condition);
}

static const QIOChannelOps qio_channel_socket_ops = {
    .io_readv = qio_channel_socket_readv,
    .io_writev = qio_channel_socket_writev,
    .io_set_blocking = qio_channel_socket_set_blocking,
    .io_close = qio_channel_socket_close,
    .io_create_watch = qio_channel_socket_create_watch,
    .io_shutdown = qio_channel_socket_shutdown,
    .io_set_delay = qio_channel_socket_set_delay,
};

static void qio_channel_socket_class_init(ObjectClass *klass, void *data)
{
    QIO_CHANNEL_CLASS(klass)->ops = &qio_channel_socket_ops;
}

static const TypeInfo qio_channel_socket_info = {
    .name = TYPE_QIO_CHANNEL_SOCKET,
    .parent = TYPE_QIO_CHANNEL,
    .instance_size = sizeof(QIOChannelSocket),
    .class_size = sizeof(QIOChannelSocketClass),
    .class_init = qio_channel_socket_class_init,
    .instance_init = qio_channel_socket_instance_init,
};

static void qio_channel_socket_register_types(void)
{
    type_register_static(&qio_channel_socket_info);
}

type_init(qio_channel_socket_register_types)
