/*
 * io/sockets-internal.h: conversions between SocketAddress and the BSD
 * socket structures, shared by the socket channel and the dns resolver.
 */
#ifndef IO_SOCKETS_INTERNAL_H
#define IO_SOCKETS_INTERNAL_H

#include <netdb.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "io/socket-address.h"

/*
 * qio_inet_resolve: getaddrinfo for @inet with @socktype (SOCK_STREAM or
 * SOCK_DGRAM), honouring ipv4=/ipv6= and numeric; @passive for listening
 * (an empty host then means the wildcard addresses; otherwise loopback).
 * The list goes to *@res (freeaddrinfo it).  0, or -1 with
 * MV_ERROR_NOT_FOUND / MV_ERROR_INVALID.
 */
int qio_inet_resolve(const InetSocketAddress *inet, bool passive, int socktype,
                     struct addrinfo **res, GError **errp);

/*
 * qio_unix_sockaddr: fill *@sun and *@len for @addr (path or abstract name).
 * false with MV_ERROR_INVALID if the name does not fit sun_path.
 */
bool qio_unix_sockaddr(const UnixSocketAddress *addr, struct sockaddr_un *sun,
                       socklen_t *len, GError **errp);

/*
 * qio_sockaddr_to_address: a numeric SocketAddress for @sa (AF_INET,
 * AF_INET6 or AF_UNIX), or NULL with MV_ERROR_NOT_SUPPORTED.
 */
SocketAddress *qio_sockaddr_to_address(const struct sockaddr_storage *sa,
                                       socklen_t len, GError **errp);

/*
 * qio_fd_address_get: the fd of an FdSocketAddress, duplicated
 * close-on-exec, after checking it is a socket.  -1 with MV_ERROR_INVALID
 * or MV_ERROR_IO.
 */
int qio_fd_address_get(const FdSocketAddress *addr, GError **errp);

#endif /* IO_SOCKETS_INTERNAL_H */
