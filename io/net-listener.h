/*
 * io/net-listener.h: QIONetListener, a set of listening sockets for one
 * address (every address a name resolves to, e.g. "localhost" gives
 * 127.0.0.1 and ::1) that accepts clients from the main loop and hands each
 * new connection to a callback.
 *
 * All functions: main thread (or the thread iterating the listener's
 * context).
 */
#ifndef IO_NET_LISTENER_H
#define IO_NET_LISTENER_H

#include "io/channel-socket.h"

#define TYPE_QIO_NET_LISTENER "qio-net-listener"

typedef struct QIONetListener QIONetListener;
typedef struct QIONetListenerClass {
    ObjectClass parent_class;
} QIONetListenerClass;

DECLARE_TYPE(QIONetListener, QIONetListenerClass, QIO_NET_LISTENER,
             TYPE_QIO_NET_LISTENER)

/*
 * QIONetListenerClientFunc: a new client @sioc (blocking mode, as accepted)
 * arrived.  The callback gets a borrowed reference: object_ref it to keep
 * the connection.
 */
typedef void (*QIONetListenerClientFunc)(QIONetListener *listener,
                                         QIOChannelSocket *sioc,
                                         gpointer data);

struct QIONetListener {
    Object parent_obj;
    char *name;
    QIOChannelSocket **sioc;    /* nsioc listening channels, referenced */
    GSource **io_source;        /* their accept watches, when a func is set */
    size_t nsioc;
    bool connected;
    QIONetListenerClientFunc io_func;
    gpointer io_data;
    GDestroyNotify io_notify;
    GMainContext *context;      /* referenced, or NULL = default */
};

QIONetListener *qio_net_listener_new(void);

/* Name the listener's channels "<name>-listen" for debugging. */
void qio_net_listener_set_name(QIONetListener *listener, const char *name);

/*
 * qio_net_listener_open_sync: resolve @addr and listen (backlog @num) on
 * every address it names.  Addresses that fail to bind are skipped as long
 * as one succeeds; if none does, the first error is returned.  With port
 * "0", the first address picks an ephemeral port and the others reuse it
 * (so one port number serves IPv4 and IPv6).  May be called more than once
 * to add more addresses.  0, or -1 with errp (MV_ERROR_NOT_FOUND for a name
 * that does not resolve, MV_ERROR_IO for bind/listen).
 */
int qio_net_listener_open_sync(QIONetListener *listener,
                               const SocketAddress *addr, int num,
                               GError **errp);

/* Add an already listening channel (the listener takes a reference). */
void qio_net_listener_add(QIONetListener *listener, QIOChannelSocket *sioc);

/*
 * qio_net_listener_set_client_func_full: accept clients from @context's
 * main loop (NULL = default) and call @func for each; @notify(@data) when
 * the func is replaced or the listener goes.  @func NULL stops accepting
 * (pending clients wait in the kernel backlog).
 */
void qio_net_listener_set_client_func_full(QIONetListener *listener,
                                           QIONetListenerClientFunc func,
                                           gpointer data, GDestroyNotify notify,
                                           GMainContext *context);
void qio_net_listener_set_client_func(QIONetListener *listener,
                                      QIONetListenerClientFunc func,
                                      gpointer data, GDestroyNotify notify);

/*
 * qio_net_listener_wait_client: block until a client connects on any of
 * the sockets and return it (a new reference for the caller; the client func
 * is not called for it).  For "server, wait=on" start-up.  NULL only if the
 * listener has no sockets or accept fails.
 */
QIOChannelSocket *qio_net_listener_wait_client(QIONetListener *listener);

/*
 * qio_net_listener_disconnect: stop accepting and close every listening
 * socket (a unix socket's file is removed, as QEMU does).  The client
 * func stays registered but is never called again.
 */
void qio_net_listener_disconnect(QIONetListener *listener);

/* True between a successful open_sync/add and disconnect. */
bool qio_net_listener_is_connected(QIONetListener *listener);

/*
 * The listening channels (borrowed; valid until the next open/add/
 * disconnect) and their number in *@nsioc.
 */
QIOChannelSocket *const *qio_net_listener_get_sockets(QIONetListener *listener,
                                                      size_t *nsioc);

#endif /* IO_NET_LISTENER_H */
