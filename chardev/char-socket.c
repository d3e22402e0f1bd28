/*
 * chardev/char-socket.c: a stream socket, unix or tcp, as server or client.
 *
 * Connection state machine (one peer at a time):
 *
 *   DISCONNECTED --(server: a client is accepted)------------> CONNECTED
 *   DISCONNECTED --(client: reconnect timer / start)--> CONNECTING
 *   CONNECTING   --(connect task succeeds)--------------------> CONNECTED
 *   CONNECTING   --(fails: report once per outage, re-arm timer)--> DISCONNECTED
 *   CONNECTED    --(EOF, error, HUP, chr_fe_disconnect)-------> DISCONNECTED
 *
 * A hang-up is acted on only once everything readable has been handed to
 * the front end: the peer's bytes are in our socket, so they are ours to
 * deliver.  A HUP while unread bytes remain (the front end is full) marks
 * the peer gone; the read path drains as the front end makes room and
 * disconnects when the socket is empty (or reads EOF).
 *
 * CONNECTED sends OPENED and DISCONNECTED sends CLOSED to the front end.  A
 * server keeps accepting while connected, and closes extra clients at once.
 * Only start-up (server wait=on, through chardev_wait_connected) and a
 * client without reconnect (connects in open) block; everything else runs
 * from the main loop.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chardev/char-telnet.h"
#include "chardev/chardev-internal.h"
#include "io/channel-socket.h"
#include "io/net-listener.h"

/* The most fds taken from one message, as QEMU's TCP_MAX_FDS. */
#define SOCKET_MAX_FDS 16
#define MS_PER_S 1000

static const char *const socket_opts[] = {
    "path", "host", "port", "to", "ipv4", "ipv6", "server", "wait", "telnet",
    "nodelay", "delay", "reconnect", "reconnect-ms", "abstract", "tight",
    "tls-creds", "tls-authz", "websocket", NULL,
};

typedef enum SocketState {
    SOCKET_DISCONNECTED,
    SOCKET_CONNECTING,
    SOCKET_CONNECTED,
} SocketState;

/* Outlives the chardev while a connect task runs; ->s is cleared at finalize. */
typedef struct SocketConnect {
    struct SocketChardev *s;
} SocketConnect;

typedef struct SocketChardev {
    Chardev parent;
    SocketAddress *addr;        /* as given; a server's becomes the bound one */
    bool is_listen;
    bool is_telnet;
    bool nodelay;
    int64_t reconnect_ms;       /* client: 0 = no reconnect */
    SocketState state;

    QIONetListener *listener;   /* server */
    QIOChannelSocket *sioc;     /* the connection, when CONNECTED */
    GSource *read_src;
    GSource *hup_src;
    GSource *reconnect_timer;
    SocketConnect *connecting;  /* the pending connect task's context */
    bool peer_gone;             /* HUP seen with bytes unread: draining */
    bool connect_err_reported;  /* this outage's error was printed */

    TelnetState telnet;
    int *read_fds;              /* fds from the last read, unclaimed */
    size_t read_fds_num;
    int *write_fds;             /* to send with the next write */
    size_t write_fds_num;
} SocketChardev;

DECLARE_TYPE(SocketChardev, ChardevClass, SOCKET_CHARDEV,
             TYPE_CHARDEV_PREFIX "socket")

static void tcp_chr_connect_start(SocketChardev *s);

static gboolean tcp_chr_reconnect_timeout(gpointer opaque)
{
    SocketChardev *s = opaque;

    /* The context drops the source once we return REMOVE. */
    g_clear_pointer(&s->reconnect_timer, g_source_unref);
    tcp_chr_connect_start(s);
    return G_SOURCE_REMOVE;
}

/* ---- filenames ("info chardev") ----------------------------------------- */

static const char *tcp_chr_protocol(SocketChardev *s)
{
    return s->is_telnet ? "telnet" : "tcp";
}

static char *tcp_chr_host_port(const SocketAddress *a)
{
    const InetSocketAddress *in = &a->u.inet;
    bool v6 = strchr(in->host, ':') != NULL;

    return g_strdup_printf("%s%s%s:%s", v6 ? "[" : "", in->host, v6 ? "]" : "",
                           in->port);
}

/* QEMU's form: "disconnected:unix:/p,server=on", "disconnected:tcp:h:p". */
static void tcp_chr_update_disconnected_filename(SocketChardev *s)
{
    const char *server = s->is_listen ? ",server=on" : "";
    char *name;

    if (s->addr->type == SOCKET_ADDRESS_TYPE_UNIX) {
        const UnixSocketAddress *un = &s->addr->u.q_unix;
        name = g_strdup_printf("disconnected:unix:%s%s%s%s", un->path,
                               un->abstract ? ",abstract=on" : "",
                               un->abstract && un->tight ? ",tight=on" : "",
                               server);
    } else {
        /* Not bracketed, as QEMU prints it. */
        name = g_strdup_printf("disconnected:%s:%s:%s%s", tcp_chr_protocol(s),
                               s->addr->u.inet.host, s->addr->u.inet.port,
                               server);
    }
    g_free(s->parent.filename);
    s->parent.filename = name;
}

/* "unix:/p,server=on", "tcp:127.0.0.1:4444,server=on <-> 127.0.0.1:50000". */
static void tcp_chr_update_connected_filename(SocketChardev *s)
{
    g_autoptr(SocketAddress) local =
        qio_channel_socket_get_local_address(s->sioc, NULL);
    g_autoptr(SocketAddress) peer =
        qio_channel_socket_get_remote_address(s->sioc, NULL);
    const char *server = s->is_listen ? ",server=on" : "";
    char *name;

    if (local && local->type == SOCKET_ADDRESS_TYPE_UNIX) {
        name = g_strdup_printf("unix:%s%s", local->u.q_unix.path, server);
    } else if (local && peer && local->type == SOCKET_ADDRESS_TYPE_INET &&
               peer->type == SOCKET_ADDRESS_TYPE_INET) {
        g_autofree char *l = tcp_chr_host_port(local);
        g_autofree char *p = tcp_chr_host_port(peer);
        name = g_strdup_printf("%s:%s%s <-> %s", tcp_chr_protocol(s), l, server,
                               p);
    } else {
        name = g_strdup(tcp_chr_protocol(s));
    }
    g_free(s->parent.filename);
    s->parent.filename = name;
}

/* ---- the connection --------------------------------------------------------- */

static void tcp_chr_free_read_fds(SocketChardev *s)
{
    for (size_t i = 0; i < s->read_fds_num; i++) {
        close(s->read_fds[i]);
    }
    g_clear_pointer(&s->read_fds, g_free);
    s->read_fds_num = 0;
}

static void tcp_chr_arm_reconnect(SocketChardev *s)
{
    Chardev *chr = &s->parent;

    if (!s->reconnect_ms || s->reconnect_timer) {
        return;
    }
    s->reconnect_timer = g_timeout_source_new((guint)s->reconnect_ms);
    g_source_set_callback(s->reconnect_timer, tcp_chr_reconnect_timeout, s,
                          NULL);
    g_source_attach(s->reconnect_timer, chr->gcontext);
}

static void tcp_chr_disconnect(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    if (s->state != SOCKET_CONNECTED) {
        return;
    }
    chr_io_remove_watch(&s->read_src);
    if (s->hup_src) {
        g_source_destroy(s->hup_src);
        g_clear_pointer(&s->hup_src, g_source_unref);
    }
    qio_channel_close(QIO_CHANNEL(s->sioc), NULL);
    object_unref(OBJECT(s->sioc));
    s->sioc = NULL;
    s->peer_gone = false;
    tcp_chr_free_read_fds(s);
    g_clear_pointer(&s->write_fds, g_free);
    s->write_fds_num = 0;
    s->state = SOCKET_DISCONNECTED;
    tcp_chr_update_disconnected_filename(s);
    chr_be_event(chr, CHR_EVENT_CLOSED);
    tcp_chr_arm_reconnect(s);
}

/* Send telnet answers; they are tiny, so wait for room if needed. */
static void tcp_chr_send_raw(SocketChardev *s, const uint8_t *buf, size_t len)
{
    if (len && s->sioc) {
        qio_channel_write_all(QIO_CHANNEL(s->sioc), (const char *)buf, len,
                              NULL);
    }
}

static int tcp_chr_can_read(void *opaque)
{
    return chr_be_can_write(opaque);
}

static gboolean tcp_chr_read(QIOChannel *ioc, GIOCondition cond, void *opaque)
{
    Chardev *chr = opaque;
    SocketChardev *s = SOCKET_CHARDEV(chr);
    uint8_t buf[CHR_READ_BUF_LEN];
    int len = MIN(chr_be_can_write(chr), (int)sizeof(buf));
    struct iovec iov = { .iov_base = buf, .iov_len = (size_t)MAX(len, 0) };
    bool fd_pass = qio_channel_has_feature(ioc, QIO_CHANNEL_FEATURE_FD_PASS);
    int *fds = NULL;
    size_t nfds = 0;
    ssize_t ret;

    if (len <= 0) {
        return G_SOURCE_CONTINUE;
    }
    ret = qio_channel_readv_full(ioc, &iov, 1, fd_pass ? &fds : NULL,
                                 fd_pass ? &nfds : NULL, NULL);
    if (ret == QIO_CHANNEL_ERR_BLOCK) {
        return G_SOURCE_CONTINUE;
    }
    if (nfds) {
        /* As QEMU: the latest message's fds replace unclaimed older ones. */
        tcp_chr_free_read_fds(s);
        s->read_fds = fds;
        s->read_fds_num = nfds;
    }
    if (ret <= 0) {
        tcp_chr_disconnect(chr);
        return G_SOURCE_REMOVE;
    }
    if (s->is_telnet) {
        g_autoptr(GByteArray) reply = g_byte_array_new();
        int brk = 0;
        ret = telnet_rx(&s->telnet, buf, (int)ret, reply, &brk);
        tcp_chr_send_raw(s, reply->data, reply->len);
        while (brk-- > 0) {
            chr_be_event(chr, CHR_EVENT_BREAK);
        }
    }
    if (ret > 0) {
        chr_be_write(chr, buf, (int)ret);
    }
    /* The peer hung up earlier: close once its last byte is delivered. */
    if (s->peer_gone && s->state == SOCKET_CONNECTED &&
        !chr_io_fd_input_pending(s->sioc->fd)) {
        tcp_chr_disconnect(chr);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

/*
 * The peer is gone, seen even while we are not reading (the front end is
 * full).  Bytes it sent before are still unread: keep the connection until
 * the read path has delivered them.
 */
static gboolean tcp_chr_hup(QIOChannel *ioc, GIOCondition cond, void *opaque)
{
    SocketChardev *s = opaque;

    g_clear_pointer(&s->hup_src, g_source_unref);
    if (chr_io_fd_input_pending(s->sioc->fd)) {
        s->peer_gone = true;
        return G_SOURCE_REMOVE;
    }
    tcp_chr_disconnect(&s->parent);
    return G_SOURCE_REMOVE;
}

static void tcp_chr_update_read_handler(Chardev *chr)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    chr_io_remove_watch(&s->read_src);
    if (s->hup_src) {
        g_source_destroy(s->hup_src);
        g_clear_pointer(&s->hup_src, g_source_unref);
    }
    if (s->state != SOCKET_CONNECTED) {
        return;
    }
    s->read_src = chr_io_add_watch_poll(QIO_CHANNEL(s->sioc), tcp_chr_can_read,
                                        tcp_chr_read, chr, chr->gcontext);
    if (s->peer_gone) {
        return;     /* seen already: the read path finishes the job */
    }
    s->hup_src = qio_channel_add_watch_source(QIO_CHANNEL(s->sioc),
                                              G_IO_HUP | G_IO_ERR, tcp_chr_hup,
                                              s, NULL, chr->gcontext);
}

/* Take @sioc (a new reference is ours) as the connection. */
static void tcp_chr_new_client(SocketChardev *s, QIOChannelSocket *sioc)
{
    Chardev *chr = &s->parent;
    QIOChannel *ioc = QIO_CHANNEL(sioc);

    s->sioc = sioc;
    s->state = SOCKET_CONNECTED;
    s->connect_err_reported = false;
    qio_channel_set_blocking(ioc, false, NULL);
    if (s->nodelay) {
        qio_channel_set_delay(ioc, false);
    }
    if (s->is_telnet) {
        uint8_t greeting[TELNET_GREETING_LEN];
        telnet_start(&s->telnet, s->is_listen, greeting);
        if (s->is_listen) {
            tcp_chr_send_raw(s, greeting, sizeof(greeting));
        }
    }
    tcp_chr_update_connected_filename(s);
    tcp_chr_update_read_handler(chr);
    chr_be_event(chr, CHR_EVENT_OPENED);
}

static void tcp_chr_accept(QIONetListener *listener, QIOChannelSocket *sioc,
                           gpointer opaque)
{
    SocketChardev *s = opaque;

    if (s->state != SOCKET_DISCONNECTED) {
        /* One peer at a time: the borrowed channel closes when dropped. */
        qio_channel_close(QIO_CHANNEL(sioc), NULL);
        return;
    }
    tcp_chr_new_client(s, QIO_CHANNEL_SOCKET(object_ref(OBJECT(sioc))));
}

/* ---- writing ---------------------------------------------------------------- */

static int tcp_chr_write_raw(SocketChardev *s, const uint8_t *buf, int len)
{
    struct iovec iov = { .iov_base = (void *)buf, .iov_len = (size_t)len };
    ssize_t ret = qio_channel_writev_full(QIO_CHANNEL(s->sioc), &iov, 1,
                                          s->write_fds, s->write_fds_num, NULL);

    if (ret == QIO_CHANNEL_ERR_BLOCK) {
        return 0;
    }
    if (ret < 0) {
        /*
         * The peer is gone.  Let the HUP watch disconnect from the main loop
         * rather than sending CLOSED from inside the front end's write.
         */
        qio_channel_shutdown(QIO_CHANNEL(s->sioc), QIO_CHANNEL_SHUTDOWN_BOTH,
                             NULL);
        return -1;
    }
    g_clear_pointer(&s->write_fds, g_free);
    s->write_fds_num = 0;
    return (int)ret;
}

static int tcp_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    if (s->state != SOCKET_CONNECTED) {
        return -1;
    }
    if (!s->is_telnet) {
        return tcp_chr_write_raw(s, buf, len);
    }
    if (s->telnet.out_iac_owed) {
        static const uint8_t iac = TELNET_IAC;
        int ret = tcp_chr_write_raw(s, &iac, 1);
        if (ret <= 0) {
            return ret;
        }
        s->telnet.out_iac_owed = false;
    }
    g_autoptr(GByteArray) esc = g_byte_array_new();
    telnet_tx_escape(buf, len, esc);
    int ret = tcp_chr_write_raw(s, esc->data, (int)esc->len);
    return ret <= 0 ? ret : telnet_tx_consumed(&s->telnet, buf, len, ret);
}

static GSource *tcp_chr_add_watch(Chardev *chr, GIOCondition cond)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    return s->sioc ? qio_channel_create_watch(QIO_CHANNEL(s->sioc), cond)
                   : NULL;
}

static void tcp_chr_accept_input(Chardev *chr)
{
    g_main_context_wakeup(chr->gcontext);
}

static int tcp_get_msgfds(Chardev *chr, int *fds, int num)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    int n = (int)MIN((size_t)MAX(num, 0), s->read_fds_num);

    if (!s->read_fds_num) {
        return 0;
    }
    memcpy(fds, s->read_fds, (size_t)n * sizeof(int));
    /* The caller took n; the rest would leak. */
    for (size_t i = (size_t)n; i < s->read_fds_num; i++) {
        close(s->read_fds[i]);
    }
    g_clear_pointer(&s->read_fds, g_free);
    s->read_fds_num = 0;
    return n;
}

static int tcp_set_msgfds(Chardev *chr, int *fds, int num)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    if (!s->sioc || num < 0 || num > SOCKET_MAX_FDS ||
        !qio_channel_has_feature(QIO_CHANNEL(s->sioc),
                                 QIO_CHANNEL_FEATURE_FD_PASS)) {
        return -1;
    }
    g_free(s->write_fds);
    s->write_fds = num ? g_memdup2(fds, (gsize)num * sizeof(int)) : NULL;
    s->write_fds_num = (size_t)num;
    return 0;
}

/* ---- connecting (client) ----------------------------------------------- */

static void tcp_chr_connect_done(QIOTask *task, gpointer opaque)
{
    SocketConnect *c = opaque;
    SocketChardev *s = c->s;
    GError *err = NULL;

    if (!s) {
        /* The chardev went away meanwhile: drop the result. */
        qio_task_propagate_error(task, NULL);
        return;
    }
    s->connecting = NULL;
    if (qio_task_propagate_error(task, &err)) {
        s->state = SOCKET_DISCONNECTED;
        if (!s->connect_err_reported) {
            /* Once per outage, not on every retry (as QEMU). */
            fprintf(stderr, "minivirt: Unable to connect character device "
                    "%s: %s\n", s->parent.label, err->message);
            s->connect_err_reported = true;
        }
        g_error_free(err);
        tcp_chr_arm_reconnect(s);
        return;
    }
    QIOChannelSocket *sioc = QIO_CHANNEL_SOCKET(qio_task_get_source(task));
    tcp_chr_new_client(s, QIO_CHANNEL_SOCKET(object_ref(OBJECT(sioc))));
}

static void tcp_chr_connect_free(gpointer opaque)
{
    g_free(opaque);
}

/* Start an asynchronous connect (at open, or from the reconnect timer). */
static void tcp_chr_connect_start(SocketChardev *s)
{
    Chardev *chr = &s->parent;

    if (s->reconnect_timer) {
        g_source_destroy(s->reconnect_timer);
        g_clear_pointer(&s->reconnect_timer, g_source_unref);
    }
    if (s->state != SOCKET_DISCONNECTED) {
        return;
    }
    s->state = SOCKET_CONNECTING;
    s->connecting = g_new0(SocketConnect, 1);
    s->connecting->s = s;
    QIOChannelSocket *sioc = qio_channel_socket_new();
    qio_channel_socket_connect_async(sioc, s->addr, tcp_chr_connect_done,
                                     s->connecting, tcp_chr_connect_free,
                                     chr->gcontext);
    object_unref(OBJECT(sioc));     /* the task holds it */
}

/* Forget a pending connect: its result will be dropped. */
static void tcp_chr_connect_abandon(SocketChardev *s)
{
    if (s->connecting) {
        s->connecting->s = NULL;
        s->connecting = NULL;
        s->state = SOCKET_DISCONNECTED;
    }
}

static bool tcp_chr_connect_sync(SocketChardev *s, GError **errp)
{
    QIOChannelSocket *sioc = qio_channel_socket_new();

    if (qio_channel_socket_connect_sync(sioc, s->addr, errp) < 0) {
        object_unref(OBJECT(sioc));
        return false;
    }
    tcp_chr_new_client(s, sioc);
    return true;
}

static bool tcp_chr_wait_connected(Chardev *chr, GError **errp)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);

    if (s->state == SOCKET_CONNECTED) {
        return true;
    }
    if (!s->is_listen) {
        /*
         * Let a connect in flight finish first (as QEMU): abandoning it could
         * leave its connection half-made at the server next to ours.
         */
        while (s->state == SOCKET_CONNECTING) {
            g_main_context_iteration(chr->gcontext, TRUE);
        }
        if (s->state == SOCKET_CONNECTED) {
            return true;
        }
        if (s->reconnect_timer) {
            g_source_destroy(s->reconnect_timer);
            g_clear_pointer(&s->reconnect_timer, g_source_unref);
        }
        return tcp_chr_connect_sync(s, errp);
    }
    fprintf(stderr, "minivirt: waiting for connection on: %s\n", chr->filename);
    QIOChannelSocket *sioc = qio_net_listener_wait_client(s->listener);
    if (!sioc) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO,
                    "Failed to accept a connection on '%s'", chr->filename);
        return false;
    }
    tcp_chr_new_client(s, sioc);
    return true;
}

/* ---- options and open ---------------------------------------------------- */

static bool tcp_chr_parse_addr(SocketChardev *s, const Opts *opts, GError **errp)
{
    const char *path = opts_get(opts, "path");
    const char *host = opts_get(opts, "host");
    const char *port = opts_get(opts, "port");

    if (!!path + !!host != 1) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Exactly one of 'path' or 'host' required");
        return false;
    }
    if (path) {
        UnixSocketAddress *un;
        s->addr = socket_address_new_unix(path);
        un = &s->addr->u.q_unix;
        return opts_get_bool(opts, "abstract", false, &un->abstract, errp) &&
               opts_get_bool(opts, "tight", true, &un->tight, errp);
    }
    if (!port) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "chardev: socket: no port given");
        return false;
    }
    s->addr = socket_address_new_inet(host, port);
    InetSocketAddress *in = &s->addr->u.inet;
    uint64_t to;
    in->has_ipv4 = opts_has(opts, "ipv4");
    in->has_ipv6 = opts_has(opts, "ipv6");
    if (!opts_get_bool(opts, "ipv4", false, &in->ipv4, errp) ||
        !opts_get_bool(opts, "ipv6", false, &in->ipv6, errp) ||
        !opts_get_uint(opts, "to", 0, UINT16_MAX, &to, errp)) {
        return false;
    }
    in->to = (uint16_t)to;
    return true;
}

static bool tcp_chr_parse(SocketChardev *s, const Opts *opts, bool *wait,
                          GError **errp)
{
    bool delay, websocket;
    uint64_t reconnect_s, reconnect_ms;

    if (opts_has(opts, "tls-creds") || opts_has(opts, "tls-authz")) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "chardev: socket: TLS (tls-creds) is not supported yet");
        return false;
    }
    if (!opts_get_bool(opts, "websocket", false, &websocket, errp)) {
        return false;
    }
    if (websocket) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "chardev: socket: websocket is not supported yet");
        return false;
    }
    if (opts_has(opts, "delay") && opts_has(opts, "nodelay")) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "'delay' and 'nodelay' are mutually exclusive");
        return false;
    }
    if (opts_has(opts, "reconnect") && opts_has(opts, "reconnect-ms")) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "'reconnect' and 'reconnect-ms' are mutually exclusive");
        return false;
    }
    if (!opts_get_bool(opts, "server", false, &s->is_listen, errp) ||
        !opts_get_bool(opts, "wait", true, wait, errp) ||
        !opts_get_bool(opts, "telnet", false, &s->is_telnet, errp) ||
        !opts_get_bool(opts, "delay", true, &delay, errp) ||
        !opts_get_bool(opts, "nodelay", !delay, &s->nodelay, errp) ||
        !opts_get_uint(opts, "reconnect", 0, G_MAXUINT / MS_PER_S, &reconnect_s,
                       errp) ||
        !opts_get_uint(opts, "reconnect-ms", reconnect_s * MS_PER_S, G_MAXUINT,
                       &reconnect_ms, errp)) {
        return false;
    }
    if (s->is_listen && reconnect_ms) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "'reconnect' option is incompatible with socket in "
                    "server listen mode");
        return false;
    }
    if (!s->is_listen && opts_has(opts, "wait")) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "'wait' option is incompatible with socket in client "
                    "connect mode");
        return false;
    }
    s->reconnect_ms = (int64_t)reconnect_ms;
    return tcp_chr_parse_addr(s, opts, errp);
}

static bool tcp_chr_listen(SocketChardev *s, GError **errp)
{
    Chardev *chr = &s->parent;
    size_t n;

    s->listener = qio_net_listener_new();
    qio_net_listener_set_name(s->listener, chr->label);
    if (qio_net_listener_open_sync(s->listener, s->addr, 1, errp) < 0) {
        return false;
    }
    /* Show where we really listen (the bound port for port=0). */
    QIOChannelSocket *const *socks =
        qio_net_listener_get_sockets(s->listener, &n);
    SocketAddress *local = n ? qio_channel_socket_get_local_address(socks[0],
                                                                    NULL)
                             : NULL;
    if (local && local->type == s->addr->type) {
        if (local->type == SOCKET_ADDRESS_TYPE_UNIX) {
            local->u.q_unix.abstract = s->addr->u.q_unix.abstract;
            local->u.q_unix.tight = s->addr->u.q_unix.tight;
        }
        socket_address_free(s->addr);
        s->addr = local;
    } else {
        socket_address_free(local);
    }
    qio_net_listener_set_client_func_full(s->listener, tcp_chr_accept, s, NULL,
                                          chr->gcontext);
    return true;
}

static bool tcp_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                         GError **errp)
{
    SocketChardev *s = SOCKET_CHARDEV(chr);
    bool wait;

    *be_opened = false;     /* OPENED comes with the peer */
    if (!tcp_chr_parse(s, opts, &wait, errp)) {
        return false;
    }
    tcp_chr_update_disconnected_filename(s);
    if (s->is_listen) {
        if (!tcp_chr_listen(s, errp)) {
            return false;
        }
        chr->wait_at_startup = wait;
        tcp_chr_update_disconnected_filename(s);
        return true;
    }
    if (s->reconnect_ms) {
        tcp_chr_connect_start(s);
        return true;
    }
    return tcp_chr_connect_sync(s, errp);
}

static void tcp_chr_finalize(Object *obj)
{
    SocketChardev *s = SOCKET_CHARDEV(obj);

    tcp_chr_connect_abandon(s);
    if (s->reconnect_timer) {
        g_source_destroy(s->reconnect_timer);
        g_clear_pointer(&s->reconnect_timer, g_source_unref);
    }
    chr_io_remove_watch(&s->read_src);
    if (s->hup_src) {
        g_source_destroy(s->hup_src);
        g_clear_pointer(&s->hup_src, g_source_unref);
    }
    if (s->sioc) {
        qio_channel_close(QIO_CHANNEL(s->sioc), NULL);
        object_unref(OBJECT(s->sioc));
    }
    if (s->listener) {
        qio_net_listener_disconnect(s->listener);
        object_unref(OBJECT(s->listener));
    }
    tcp_chr_free_read_fds(s);
    g_free(s->write_fds);
    socket_address_free(s->addr);
}

static void tcp_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = "unix (path=) or tcp (host=,port=) socket, server= or client";
    cc->opts = socket_opts;
    cc->open = tcp_chr_open;
    cc->chr_write = tcp_chr_write;
    cc->chr_add_watch = tcp_chr_add_watch;
    cc->chr_update_read_handler = tcp_chr_update_read_handler;
    cc->chr_accept_input = tcp_chr_accept_input;
    cc->chr_disconnect = tcp_chr_disconnect;
    cc->get_msgfds = tcp_get_msgfds;
    cc->set_msgfds = tcp_set_msgfds;
    cc->wait_connected = tcp_chr_wait_connected;
}

static const TypeInfo tcp_chr_info = {
    .name = TYPE_CHARDEV_PREFIX "socket",
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(SocketChardev),
    .instance_finalize = tcp_chr_finalize,
    .class_init = tcp_chr_class_init,
};

static void tcp_chr_register(void)
{
    type_register_static(&tcp_chr_info);
}
type_init(tcp_chr_register)
