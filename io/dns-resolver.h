/*
 * io/dns-resolver.h: turn a SocketAddress with a host name into the list of
 * numeric addresses it names (getaddrinfo), synchronously or in a worker
 * thread.  Plain functions, no resolver object.
 */
#ifndef IO_DNS_RESOLVER_H
#define IO_DNS_RESOLVER_H

#include "io/socket-address.h"
#include "io/task.h"

/*
 * qio_dns_resolver_lookup_sync: resolve @addr.  INET: one numeric
 * InetSocketAddress per distinct getaddrinfo answer (host is the literal,
 * port numeric, flags and @to copied), honouring ipv4=/ipv6=; an empty host
 * means the wildcard addresses (for listening); ipv4=/ipv6= flags are
 * copied as given, not set from the family.  UNIX and FD: a single copy.
 * On success *@addrs is a g_new array of *@naddrs addresses (free with
 * socket_address_list_free) and 0 is returned; on failure -1 and @errp
 * (MV_ERROR_NOT_FOUND for a name that does not resolve, naming host and
 * port).  Any thread; it blocks.
 */
int qio_dns_resolver_lookup_sync(const SocketAddress *addr, size_t *naddrs,
                                 SocketAddress ***addrs, GError **errp);

/*
 * qio_dns_resolver_lookup_async: resolve a copy of @addr in a worker thread,
 * then call @func(task, @opaque) from the default main context, then
 * @destroy(@opaque).  In @func, qio_task_propagate_error tells failure;
 * on success fetch the list with qio_dns_resolver_lookup_result.  Main
 * thread.
 */
void qio_dns_resolver_lookup_async(const SocketAddress *addr, QIOTaskFunc func,
                                   gpointer opaque, GDestroyNotify destroy);

/*
 * qio_dns_resolver_lookup_result: in the completion callback of a
 * successful lookup_async, a copy of the list (free with
 * socket_address_list_free).
 */
void qio_dns_resolver_lookup_result(QIOTask *task, size_t *naddrs,
                                    SocketAddress ***addrs);

#endif /* IO_DNS_RESOLVER_H */
