/*
 * io/net-listener.c: QIONetListener, listening sockets that accept from a
 * main loop.
 */
#include "io/dns-resolver.h"
#include "io/net-listener.h"

QIONetListener *qio_net_listener_new(void)
{
    return QIO_NET_LISTENER(object_new(TYPE_QIO_NET_LISTENER));
}

void qio_net_listener_set_name(QIONetListener *listener, const char *name)
{
    g_autofree char *chname = g_strdup_printf("%s-listen", name);

    g_free(listener->name);
    listener->name = g_strdup(name);
    for (size_t i = 0; i < listener->nsioc; i++) {
        qio_channel_set_name(QIO_CHANNEL(listener->sioc[i]), chname);
    }
}

static gboolean qio_net_listener_accept(QIOChannel *ioc, GIOCondition cond,
                                        gpointer opaque)
{
    QIONetListener *listener = opaque;
    QIOChannelSocket *sioc;

    sioc = qio_channel_socket_accept(QIO_CHANNEL_SOCKET(ioc), NULL);
    if (!sioc) {
        /* A client that went away before we took it: keep listening. */
        return G_SOURCE_CONTINUE;
    }
    if (listener->io_func) {
        listener->io_func(listener, sioc, listener->io_data);
    }
    object_unref(OBJECT(sioc));
    return G_SOURCE_CONTINUE;
}

static void qio_net_listener_watch(QIONetListener *listener, size_t i)
{
    QIOChannel *ioc = QIO_CHANNEL(listener->sioc[i]);

    /* The listener owns the sources, which cannot outlive it. */
    listener->io_source[i] =
        qio_channel_add_watch_source(ioc, G_IO_IN, qio_net_listener_accept,
                                     listener, NULL, listener->context);
}

static void qio_net_listener_unwatch(QIONetListener *listener, size_t i)
{
    if (listener->io_source[i]) {
        g_source_destroy(listener->io_source[i]);
        g_source_unref(listener->io_source[i]);
        listener->io_source[i] = NULL;
    }
}

void qio_net_listener_add(QIONetListener *listener, QIOChannelSocket *sioc)
{
    size_t i = listener->nsioc++;

    listener->sioc = g_renew(QIOChannelSocket *, listener->sioc,
                             listener->nsioc);
    listener->io_source = g_renew(GSource *, listener->io_source,
                                  listener->nsioc);
    listener->sioc[i] = QIO_CHANNEL_SOCKET(object_ref(OBJECT(sioc)));
    listener->io_source[i] = NULL;
    if (listener->name) {
        g_autofree char *chname = g_strdup_printf("%s-listen", listener->name);

        qio_channel_set_name(QIO_CHANNEL(sioc), chname);
    }
    listener->connected = true;
    if (listener->io_func) {
        qio_net_listener_watch(listener, i);
    }
}

/* The numeric port of a resolved inet address ("0" stays "0"). */
static bool address_has_port_zero(const SocketAddress *addr)
{
    return addr->type == SOCKET_ADDRESS_TYPE_INET &&
           g_str_equal(addr->u.inet.port, "0");
}

int qio_net_listener_open_sync(QIONetListener *listener,
                               const SocketAddress *addr, int num,
                               GError **errp)
{
    SocketAddress **resaddrs;
    size_t nresaddrs;
    GError *first_err = NULL;
    char *chosen_port = NULL;
    bool any = false;

    if (qio_dns_resolver_lookup_sync(addr, &nresaddrs, &resaddrs, errp) < 0) {
        return -1;
    }
    for (size_t i = 0; i < nresaddrs; i++) {
        QIOChannelSocket *sioc = qio_channel_socket_new();
        SocketAddress *one = resaddrs[i];
        GError *err = NULL;

        /* One ephemeral port for every address of the name. */
        if (chosen_port && address_has_port_zero(one)) {
            g_free(one->u.inet.port);
            one->u.inet.port = g_strdup(chosen_port);
        }
        if (qio_channel_socket_listen_sync(sioc, one, num, &err) < 0) {
            if (!first_err) {
                first_err = err;
            } else {
                g_error_free(err);
            }
            object_unref(OBJECT(sioc));
            continue;
        }
        if (!chosen_port && address_has_port_zero(one)) {
            SocketAddress *local =
                qio_channel_socket_get_local_address(sioc, NULL);

            if (local) {
                chosen_port = g_strdup(local->u.inet.port);
                socket_address_free(local);
            }
        }
        qio_net_listener_add(listener, sioc);
        object_unref(OBJECT(sioc));
        any = true;
    }
    socket_address_list_free(resaddrs, nresaddrs);
    g_free(chosen_port);
    if (!any) {
        if (first_err) {
            g_propagate_error(errp, first_err);
        } else {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                        "No addresses to listen on");
        }
        return -1;
    }
    if (first_err) {
        g_error_free(first_err);
    }
    return 0;
}

void qio_net_listener_set_client_func_full(QIONetListener *listener,
                                           QIONetListenerClientFunc func,
                                           gpointer data, GDestroyNotify notify,
                                           GMainContext *context)
{
    if (listener->io_notify) {
        listener->io_notify(listener->io_data);
    }
    listener->io_func = func;
    listener->io_data = data;
    listener->io_notify = notify;
    if (listener->context) {
        g_main_context_unref(listener->context);
    }
    listener->context = context ? g_main_context_ref(context) : NULL;

    for (size_t i = 0; i < listener->nsioc; i++) {
        qio_net_listener_unwatch(listener, i);
        if (func && listener->connected) {
            qio_net_listener_watch(listener, i);
        }
    }
}

void qio_net_listener_set_client_func(QIONetListener *listener,
                                      QIONetListenerClientFunc func,
                                      gpointer data, GDestroyNotify notify)
{
    qio_net_listener_set_client_func_full(listener, func, data, notify, NULL);
}

typedef struct WaitClient {
    QIOChannelSocket *sioc;
    GError *err;
} WaitClient;

static gboolean qio_net_listener_wait_ready(QIOChannel *ioc, GIOCondition cond,
                                            gpointer opaque)
{
    WaitClient *wait = opaque;

    if (!wait->sioc && !wait->err) {
        wait->sioc = qio_channel_socket_accept(QIO_CHANNEL_SOCKET(ioc),
                                               &wait->err);
    }
    return G_SOURCE_CONTINUE;
}

QIOChannelSocket *qio_net_listener_wait_client(QIONetListener *listener)
{
    GMainContext *ctx;
    GSource **sources;
    WaitClient wait = { 0 };

    if (!listener->nsioc || !listener->connected) {
        return NULL;
    }
    /* Keep the main loop's accept watches from racing us for the client. */
    for (size_t i = 0; i < listener->nsioc; i++) {
        qio_net_listener_unwatch(listener, i);
    }
    ctx = g_main_context_new();
    sources = g_new(GSource *, listener->nsioc);
    for (size_t i = 0; i < listener->nsioc; i++) {
        sources[i] = qio_channel_add_watch_source(
            QIO_CHANNEL(listener->sioc[i]), G_IO_IN,
            qio_net_listener_wait_ready, &wait, NULL, ctx);
    }
    while (!wait.sioc && !wait.err) {
        g_main_context_iteration(ctx, TRUE);
    }
    for (size_t i = 0; i < listener->nsioc; i++) {
        g_source_destroy(sources[i]);
        g_source_unref(sources[i]);
    }
    g_free(sources);
    g_main_context_unref(ctx);

    for (size_t i = 0; i < listener->nsioc; i++) {
        if (listener->io_func) {
            qio_net_listener_watch(listener, i);
        }
    }
    if (wait.err) {
        g_error_free(wait.err);
    }
    return wait.sioc;
}

void qio_net_listener_disconnect(QIONetListener *listener)
{
    if (!listener->connected) {
        return;
    }
    for (size_t i = 0; i < listener->nsioc; i++) {
        qio_net_listener_unwatch(listener, i);
        qio_channel_close(QIO_CHANNEL(listener->sioc[i]), NULL);
    }
    listener->connected = false;
}

bool qio_net_listener_is_connected(QIONetListener *listener)
{
    return listener->connected;
}

QIOChannelSocket *const *qio_net_listener_get_sockets(QIONetListener *listener,
                                                      size_t *nsioc)
{
    *nsioc = listener->nsioc;
    return listener->sioc;
}

static void qio_net_listener_finalize(Object *obj)
{
    QIONetListener *listener = QIO_NET_LISTENER(obj);

    qio_net_listener_disconnect(listener);
    for (size_t i = 0; i < listener->nsioc; i++) {
        object_unref(OBJECT(listener->sioc[i]));
    }
    g_free(listener->sioc);
    g_free(listener->io_source);
    if (listener->io_notify) {
        listener->io_notify(listener->io_data);
    }
    if (listener->context) {
        g_main_context_unref(listener->context);
    }
    g_free(listener->name);
}

static const TypeInfo qio_net_listener_info = {
    .name = TYPE_QIO_NET_LISTENER,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(QIONetListener),
    .class_size = sizeof(QIONetListenerClass),
    .instance_finalize = qio_net_listener_finalize,
};

static void qio_net_listener_register_types(void)
{
    type_register_static(&qio_net_listener_info);
}

type_init(qio_net_listener_register_types)
