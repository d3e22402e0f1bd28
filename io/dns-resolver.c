/*
 * io/dns-resolver.c: SocketAddress name lookup, synchronous or on a task.
 */
#include <string.h>

#include "io/dns-resolver.h"
#include "io/sockets-internal.h"

/* One numeric address per distinct answer, in getaddrinfo's order. */
static int lookup_inet(const SocketAddress *addr, size_t *naddrs,
                       SocketAddress ***addrs, GError **errp)
{
    const InetSocketAddress *inet = &addr->u.inet;
    GPtrArray *list = g_ptr_array_new();
    struct addrinfo *res;

    if (qio_inet_resolve(inet, true, SOCK_STREAM, &res, errp) < 0) {
        g_ptr_array_free(list, true);
        return -1;
    }
    for (struct addrinfo *e = res; e; e = e->ai_next) {
        struct sockaddr_storage ss = { 0 };
        SocketAddress *one;
        bool dup = false;

        memcpy(&ss, e->ai_addr, e->ai_addrlen);
        one = qio_sockaddr_to_address(&ss, e->ai_addrlen, NULL);
        if (!one) {
            continue;
        }
        for (guint i = 0; i < list->len && !dup; i++) {
            SocketAddress *seen = g_ptr_array_index(list, i);

            dup = !strcmp(seen->u.inet.host, one->u.inet.host) &&
                  !strcmp(seen->u.inet.port, one->u.inet.port);
        }
        if (dup) {
            socket_address_free(one);
            continue;
        }
        /* Keep what the user asked for beyond the numeric address. */
        one->u.inet.to = inet->to;
        one->u.inet.has_ipv4 = inet->has_ipv4;
        one->u.inet.ipv4 = inet->ipv4;
        one->u.inet.has_ipv6 = inet->has_ipv6;
        one->u.inet.ipv6 = inet->ipv6;
        g_ptr_array_add(list, one);
    }
    freeaddrinfo(res);
    *naddrs = list->len;
    *addrs = (SocketAddress **)g_ptr_array_free(list, false);
    return 0;
}

int qio_dns_resolver_lookup_sync(const SocketAddress *addr, size_t *naddrs,
                                 SocketAddress ***addrs, GError **errp)
{
    *naddrs = 0;
    *addrs = NULL;
    if (addr->type == SOCKET_ADDRESS_TYPE_INET) {
        return lookup_inet(addr, naddrs, addrs, errp);
    }
    *addrs = g_new(SocketAddress *, 1);
    (*addrs)[0] = socket_address_copy(addr);
    *naddrs = 1;
    return 0;
}

typedef struct DnsResult {
    size_t naddrs;
    SocketAddress **addrs;
} DnsResult;

static void dns_result_free(gpointer opaque)
{
    DnsResult *result = opaque;

    socket_address_list_free(result->addrs, result->naddrs);
    g_free(result);
}

static void dns_lookup_worker(QIOTask *task, gpointer opaque)
{
    DnsResult *result = g_new0(DnsResult, 1);
    GError *err = NULL;

    if (qio_dns_resolver_lookup_sync(opaque, &result->naddrs, &result->addrs,
                                     &err) < 0) {
        qio_task_set_error(task, err);
        g_free(result);
        return;
    }
    qio_task_set_result_pointer(task, result, dns_result_free);
}

void qio_dns_resolver_lookup_async(const SocketAddress *addr, QIOTaskFunc func,
                                   gpointer opaque, GDestroyNotify destroy)
{
    QIOTask *task = qio_task_new(NULL, func, opaque, destroy);

    qio_task_run_in_thread(task, dns_lookup_worker, socket_address_copy(addr),
                           (GDestroyNotify)socket_address_free, NULL);
}

void qio_dns_resolver_lookup_result(QIOTask *task, size_t *naddrs,
                                    SocketAddress ***addrs)
{
    DnsResult *result = qio_task_get_result_pointer(task);

    *naddrs = 0;
    *addrs = NULL;
    if (!result) {
        return;
    }
    *addrs = g_new(SocketAddress *, result->naddrs ? result->naddrs : 1);
    for (size_t i = 0; i < result->naddrs; i++) {
        (*addrs)[i] = socket_address_copy(result->addrs[i]);
    }
    *naddrs = result->naddrs;
}
