/*
 * chardev/char-udp.c: datagrams to host:port, from localaddr:localport.
 *
 * Each chr_write is one datagram (a full kernel buffer: 0, try again).  A
 * datagram that arrives is held and handed to the front end as it has room,
 * before the next one is read.
 */
#include <string.h>

#include "chardev/chardev-internal.h"
#include "io/channel-socket.h"

/* The largest datagram we take whole (as QEMU's READ_BUF_LEN). */
#define UDP_BUF_LEN 4096

static const char *const udp_opts[] = {
    "host", "port", "localaddr", "localport", "ipv4", "ipv6", NULL,
};

typedef struct UdpChardev {
    Chardev parent;
    QIOChannel *ioc;
    GSource *read_src;
    uint8_t buf[UDP_BUF_LEN];
    int bufcnt;
    int bufptr;
} UdpChardev;

DECLARE_TYPE(UdpChardev, ChardevClass, UDP_CHARDEV, TYPE_CHARDEV_PREFIX "udp")

static int udp_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    return chr_io_write(UDP_CHARDEV(chr)->ioc, buf, len);
}

static GSource *udp_chr_add_watch(Chardev *chr, GIOCondition cond)
{
    return qio_channel_create_watch(UDP_CHARDEV(chr)->ioc, cond);
}

/* Hand over what is held; true if all of it went. */
static bool udp_chr_flush(Chardev *chr)
{
    UdpChardev *s = UDP_CHARDEV(chr);

    while (s->bufptr < s->bufcnt) {
        int n = MIN(chr_be_can_write(chr), s->bufcnt - s->bufptr);
        if (n <= 0) {
            return false;
        }
        chr_be_write(chr, s->buf + s->bufptr, n);
        s->bufptr += n;
    }
    return true;
}

static int udp_chr_can_read(void *opaque)
{
    Chardev *chr = opaque;

    /* Read a new datagram only once the last is delivered. */
    return udp_chr_flush(chr) ? chr_be_can_write(chr) : 0;
}

static gboolean udp_chr_read(QIOChannel *ioc, GIOCondition cond, void *opaque)
{
    Chardev *chr = opaque;
    UdpChardev *s = UDP_CHARDEV(chr);
    ssize_t ret = qio_channel_read(ioc, (char *)s->buf, sizeof(s->buf), NULL);

    if (ret <= 0) {
        /* ERR_BLOCK, or an ICMP error from a closed port: wait for more. */
        return G_SOURCE_CONTINUE;
    }
    s->bufcnt = (int)ret;
    s->bufptr = 0;
    udp_chr_flush(chr);
    return G_SOURCE_CONTINUE;
}

static void udp_chr_update_read_handler(Chardev *chr)
{
    UdpChardev *s = UDP_CHARDEV(chr);

    chr_io_remove_watch(&s->read_src);
    s->read_src = chr_io_add_watch_poll(s->ioc, udp_chr_can_read, udp_chr_read,
                                        chr, chr->gcontext);
}

static void udp_chr_accept_input(Chardev *chr)
{
    udp_chr_flush(chr);
    g_main_context_wakeup(chr->gcontext);
}

/* Apply ipv4=/ipv6= to an inet address. */
static bool udp_inet_families(SocketAddress *addr, const Opts *opts,
                              GError **errp)
{
    InetSocketAddress *inet = &addr->u.inet;

    inet->has_ipv4 = opts_has(opts, "ipv4");
    inet->has_ipv6 = opts_has(opts, "ipv6");
    return opts_get_bool(opts, "ipv4", false, &inet->ipv4, errp) &&
           opts_get_bool(opts, "ipv6", false, &inet->ipv6, errp);
}

static bool udp_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                         GError **errp)
{
    UdpChardev *s = UDP_CHARDEV(chr);
    const char *host = opts_get(opts, "host");
    const char *port = opts_get(opts, "port");
    const char *localaddr = opts_get(opts, "localaddr");
    const char *localport = opts_get(opts, "localport");

    if (!host || !*host) {
        host = "localhost";
    }
    if (!port || !*port) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "chardev: udp: remote port not specified");
        return false;
    }
    if (!localport || !*localport) {
        localport = "0";
    }
    g_autoptr(SocketAddress) remote = socket_address_new_inet(host, port);
    g_autoptr(SocketAddress) local = socket_address_new_inet(
        localaddr ? localaddr : "", localport);
    if (!udp_inet_families(remote, opts, errp) ||
        !udp_inet_families(local, opts, errp)) {
        return false;
    }
    QIOChannelSocket *sioc = qio_channel_socket_new();
    if (qio_channel_socket_dgram_sync(sioc, local, remote, errp) < 0) {
        object_unref(OBJECT(sioc));
        return false;
    }
    s->ioc = QIO_CHANNEL(sioc);
    qio_channel_set_blocking(s->ioc, false, NULL);
    g_autofree char *r = socket_address_to_string(remote);
    chr->filename = g_strdup_printf("udp:%s", g_str_has_prefix(r, "tcp:")
                                                  ? r + strlen("tcp:") : r);
    return true;
}

static void udp_chr_finalize(Object *obj)
{
    UdpChardev *s = UDP_CHARDEV(obj);

    chr_io_remove_watch(&s->read_src);
    if (s->ioc) {
        object_unref(OBJECT(s->ioc));
    }
}

static void udp_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = "datagrams to host=:port= from localaddr=:localport=";
    cc->opts = udp_opts;
    cc->open = udp_chr_open;
    cc->chr_write = udp_chr_write;
    cc->chr_add_watch = udp_chr_add_watch;
    cc->chr_update_read_handler = udp_chr_update_read_handler;
    cc->chr_accept_input = udp_chr_accept_input;
}

static const TypeInfo udp_chr_info = {
    .name = TYPE_CHARDEV_PREFIX "udp",
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(UdpChardev),
    .instance_finalize = udp_chr_finalize,
    .class_init = udp_chr_class_init,
};

static void udp_chr_register(void)
{
    type_register_static(&udp_chr_info);
}
type_init(udp_chr_register)
