/*
 * io/sockets.c: SocketAddress <-> sockaddr conversions and name lookup.
 */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "io/sockets-internal.h"
#include "qom/error.h"

/* The family ipv4=/ipv6= select (QEMU's rules), or -1 if they exclude all. */
static int inet_family(const InetSocketAddress *inet)
{
    bool v4_on = inet->has_ipv4 && inet->ipv4;
    bool v4_off = inet->has_ipv4 && !inet->ipv4;
    bool v6_on = inet->has_ipv6 && inet->ipv6;
    bool v6_off = inet->has_ipv6 && !inet->ipv6;

    if (v4_off && v6_off) {
        return -1;
    }
    if (v4_on && v6_on) {
        return AF_UNSPEC;
    }
    if (v6_on || v4_off) {
        return AF_INET6;
    }
    if (v4_on || v6_off) {
        return AF_INET;
    }
    return AF_UNSPEC;
}

int qio_inet_resolve(const InetSocketAddress *inet, bool passive, int socktype,
                     struct addrinfo **res, GError **errp)
{
    struct addrinfo hints = { 0 };
    const char *host = inet->host && *inet->host ? inet->host : NULL;
    int family = inet_family(inet);
    int rc;

    if (family < 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Cannot disable both IPv4 and IPv6");
        return -1;
    }
    if (!inet->port || !*inet->port) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Port is missing for host '%s'", host ? host : "");
        return -1;
    }
    hints.ai_family = family;
    hints.ai_socktype = socktype;
    hints.ai_flags = (passive ? AI_PASSIVE : 0) |
                     (inet->numeric ? AI_NUMERICHOST : 0);
    rc = getaddrinfo(host, inet->port, &hints, res);
    if (rc != 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "address resolution failed for %s:%s: %s",
                    host ? host : "", inet->port,
                    rc == EAI_SYSTEM ? g_strerror(errno) : gai_strerror(rc));
        return -1;
    }
    return 0;
}

bool qio_unix_sockaddr(const UnixSocketAddress *addr, struct sockaddr_un *sun,
                       socklen_t *len, GError **errp)
{
    size_t pathlen = addr->path ? strlen(addr->path) : 0;
    size_t room = sizeof(sun->sun_path) - (addr->abstract ? 1 : 0);

    memset(sun, 0, sizeof(*sun));
    sun->sun_family = AF_UNIX;
    if (!pathlen) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "UNIX socket path is empty");
        return false;
    }
    /* A filesystem path needs its NUL; an abstract name is counted. */
    if (addr->abstract ? pathlen > room : pathlen >= room) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "UNIX socket path '%s' is too long (at most %zu bytes)",
                    addr->path, addr->abstract ? room : room - 1);
        return false;
    }
    if (addr->abstract) {
        memcpy(sun->sun_path + 1, addr->path, pathlen);
        *len = addr->tight ? offsetof(struct sockaddr_un, sun_path) + 1 +
                             pathlen
                           : sizeof(*sun);
    } else {
        memcpy(sun->sun_path, addr->path, pathlen);
        *len = sizeof(*sun);
    }
    return true;
}

SocketAddress *qio_sockaddr_to_address(const struct sockaddr_storage *sa,
                                       socklen_t len, GError **errp)
{
    const size_t path_off = offsetof(struct sockaddr_un, sun_path);

    switch (sa->ss_family) {
    case AF_INET:
    case AF_INET6: {
        char host[NI_MAXHOST], port[NI_MAXSERV];
        SocketAddress *addr;
        int rc = getnameinfo((const struct sockaddr *)sa, len, host,
                             sizeof(host), port, sizeof(port),
                             NI_NUMERICHOST | NI_NUMERICSERV);

        if (rc != 0) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Cannot format numeric socket address: %s",
                        gai_strerror(rc));
            return NULL;
        }
        addr = socket_address_new_inet(host, port);
        addr->u.inet.numeric = true;
        addr->u.inet.has_ipv4 = addr->u.inet.ipv4 = sa->ss_family == AF_INET;
        addr->u.inet.has_ipv6 = addr->u.inet.ipv6 = sa->ss_family == AF_INET6;
        return addr;
    }
    case AF_UNIX: {
        const struct sockaddr_un *sun = (const struct sockaddr_un *)sa;
        size_t n = len > path_off ? len - path_off : 0;
        SocketAddress *addr;

        if (n && sun->sun_path[0] == '\0') {
            g_autofree char *name = g_strndup(sun->sun_path + 1, n - 1);

            addr = socket_address_new_unix(name);
            addr->u.q_unix.abstract = true;
            addr->u.q_unix.tight = len < sizeof(*sun);
            return addr;
        }
        /* An unnamed (client) socket has an empty path. */
        {
            g_autofree char *path = g_strndup(sun->sun_path, n);

            addr = socket_address_new_unix(path);
        }
        return addr;
    }
    default:
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Unknown socket address family %d", sa->ss_family);
        return NULL;
    }
}

int qio_fd_address_get(const FdSocketAddress *addr, GError **errp)
{
    char *end;
    long num = addr->str ? strtol(addr->str, &end, 10) : -1;
    struct stat st;
    int fd;

    if (!addr->str || !*addr->str || *end || num < 0 || num > G_MAXINT) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Invalid file descriptor '%s'", addr->str ? addr->str : "");
        return -1;
    }
    if (fstat(num, &st) < 0 || !S_ISSOCK(st.st_mode)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "File descriptor '%s' is not a socket", addr->str);
        return -1;
    }
    fd = fcntl(num, F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO,
                    "Unable to duplicate file descriptor '%s': %s", addr->str,
                    g_strerror(errno));
    }
    return fd;
}
