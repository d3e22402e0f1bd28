/*
 * io/socket-address.h: where a socket listens or connects (QEMU's
 * SocketAddress): a unix path, an internet host and port, or an inherited fd.
 *
 * All strings are owned by the address.  Functions are plain and
 * thread-safe (no globals).
 */
#ifndef IO_SOCKET_ADDRESS_H
#define IO_SOCKET_ADDRESS_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef enum SocketAddressType {
    SOCKET_ADDRESS_TYPE_INET,
    SOCKET_ADDRESS_TYPE_UNIX,
    SOCKET_ADDRESS_TYPE_FD,
} SocketAddressType;

/*
 * InetSocketAddress: @host may be a name, an IPv4 or IPv6 literal (no
 * brackets), or "" (listen: every local address; connect: loopback).
 * @port is a number or service name.  @to > 0 makes a listener try ports
 * @port..@to until one is free (0 = only @port).  @ipv4/@ipv6 restrict the
 * families when their has_ flag is set (ipv4=on alone means IPv4 only;
 * ipv4=off means not IPv4).  @numeric: the host is a literal, no DNS.
 */
typedef struct InetSocketAddress {
    char *host;
    char *port;
    uint16_t to;
    bool has_ipv4, ipv4;
    bool has_ipv6, ipv6;
    bool numeric;
} InetSocketAddress;

/*
 * UnixSocketAddress: a filesystem @path, or with @abstract a Linux
 * abstract-namespace name; @tight (the default, as in QEMU) makes the
 * abstract address exactly as long as the name rather than the whole
 * sun_path.
 */
typedef struct UnixSocketAddress {
    char *path;
    bool abstract;
    bool tight;
} UnixSocketAddress;

/* FdSocketAddress: @str is the number of an open socket fd we inherited. */
typedef struct FdSocketAddress {
    char *str;
} FdSocketAddress;

typedef struct SocketAddress {
    SocketAddressType type;
    union {
        InetSocketAddress inet;
        UnixSocketAddress q_unix;   /* "unix" is a macro in gnu11 */
        FdSocketAddress fd;
    } u;
} SocketAddress;

/* Constructors: copies of the strings; other fields zero (tight = true). */
SocketAddress *socket_address_new_inet(const char *host, const char *port);
SocketAddress *socket_address_new_unix(const char *path);
SocketAddress *socket_address_new_fd(const char *str);

/* A deep copy; NULL gives NULL. */
SocketAddress *socket_address_copy(const SocketAddress *addr);

/* Free @addr and its strings; NULL is fine. */
void socket_address_free(SocketAddress *addr);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(SocketAddress, socket_address_free)

/* Free an array of @n addresses as returned by the dns resolver. */
void socket_address_list_free(SocketAddress **addrs, size_t n);

/*
 * socket_address_to_string: "unix:/path" (abstract names print the same),
 * "tcp:host:port" ("tcp:[::1]:port" for IPv6 literals), "fd:N".  This is
 * the address part of QEMU's chardev filenames; chardev adds its own
 * prefixes ("disconnected:") and suffixes (",server=on").  g_free it.
 */
char *socket_address_to_string(const SocketAddress *addr);

/*
 * socket_address_parse: "unix:PATH", "fd:N", "tcp:HOST:PORT",
 * "HOST:PORT" (":PORT" = any host; "[v6]:PORT" for IPv6 literals), the inet
 * forms optionally followed by ",to=N", ",ipv4=on|off", ",ipv6=on|off",
 * ",numeric=on|off".  NULL with MV_ERROR_INVALID naming the problem.
 */
SocketAddress *socket_address_parse(const char *str, GError **errp);

#endif /* IO_SOCKET_ADDRESS_H */
