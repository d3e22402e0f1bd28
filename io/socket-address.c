/*
 * io/socket-address.c: constructing, copying, printing and parsing
 * SocketAddress.
 */
#include <string.h>

#include "io/socket-address.h"
#include "qom/error.h"

SocketAddress *socket_address_new_inet(const char *host, const char *port)
{
    SocketAddress *addr = g_new0(SocketAddress, 1);

    addr->type = SOCKET_ADDRESS_TYPE_INET;
    addr->u.inet.host = g_strdup(host ? host : "");
    addr->u.inet.port = g_strdup(port);
    return addr;
}

SocketAddress *socket_address_new_unix(const char *path)
{
    SocketAddress *addr = g_new0(SocketAddress, 1);

    addr->type = SOCKET_ADDRESS_TYPE_UNIX;
    addr->u.q_unix.path = g_strdup(path);
    addr->u.q_unix.tight = true;
    return addr;
}

SocketAddress *socket_address_new_fd(const char *str)
{
    SocketAddress *addr = g_new0(SocketAddress, 1);

    addr->type = SOCKET_ADDRESS_TYPE_FD;
    addr->u.fd.str = g_strdup(str);
    return addr;
}

SocketAddress *socket_address_copy(const SocketAddress *addr)
{
    SocketAddress *copy;

    if (!addr) {
        return NULL;
    }
    copy = g_new(SocketAddress, 1);
    *copy = *addr;
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_INET:
        copy->u.inet.host = g_strdup(addr->u.inet.host);
        copy->u.inet.port = g_strdup(addr->u.inet.port);
        break;
    case SOCKET_ADDRESS_TYPE_UNIX:
        copy->u.q_unix.path = g_strdup(addr->u.q_unix.path);
        break;
    case SOCKET_ADDRESS_TYPE_FD:
        copy->u.fd.str = g_strdup(addr->u.fd.str);
        break;
    }
    return copy;
}

void socket_address_free(SocketAddress *addr)
{
    if (!addr) {
        return;
    }
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_INET:
        g_free(addr->u.inet.host);
        g_free(addr->u.inet.port);
        break;
    case SOCKET_ADDRESS_TYPE_UNIX:
        g_free(addr->u.q_unix.path);
        break;
    case SOCKET_ADDRESS_TYPE_FD:
        g_free(addr->u.fd.str);
        break;
    }
    g_free(addr);
}

void socket_address_list_free(SocketAddress **addrs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        socket_address_free(addrs[i]);
    }
    g_free(addrs);
}

char *socket_address_to_string(const SocketAddress *addr)
{
    switch (addr->type) {
    case SOCKET_ADDRESS_TYPE_INET: {
        const char *host = addr->u.inet.host ? addr->u.inet.host : "";

        if (strchr(host, ':')) {
            return g_strdup_printf("tcp:[%s]:%s", host, addr->u.inet.port);
        }
        return g_strdup_printf("tcp:%s:%s", host, addr->u.inet.port);
    }
    case SOCKET_ADDRESS_TYPE_UNIX:
        return g_strdup_printf("unix:%s", addr->u.q_unix.path);
    case SOCKET_ADDRESS_TYPE_FD:
        return g_strdup_printf("fd:%s", addr->u.fd.str);
    }
    g_assert_not_reached();
}

/* "on"/"off" and their QemuOpts synonyms. */
static bool parse_flag(const char *key, const char *value, bool *out,
                       GError **errp)
{
    if (!strcmp(value, "on") || !strcmp(value, "yes") ||
        !strcmp(value, "true")) {
        *out = true;
        return true;
    }
    if (!strcmp(value, "off") || !strcmp(value, "no") ||
        !strcmp(value, "false")) {
        *out = false;
        return true;
    }
    g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                "Parameter '%s' expects 'on' or 'off'", key);
    return false;
}

/* The ",key=value" options after an inet address. */
static bool parse_inet_options(InetSocketAddress *inet, char **opts,
                               GError **errp)
{
    for (; *opts; opts++) {
        char *eq = strchr(*opts, '=');
        const char *value = eq ? eq + 1 : "on";
        g_autofree char *key = eq ? g_strndup(*opts, eq - *opts)
                                  : g_strdup(*opts);

        if (!strcmp(key, "to")) {
            char *end;
            guint64 to = g_ascii_strtoull(value, &end, 10);

            if (!*value || *end || to > G_MAXUINT16) {
                g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                            "Parameter 'to' expects a port number, got '%s'",
                            value);
                return false;
            }
            inet->to = to;
        } else if (!strcmp(key, "ipv4")) {
            inet->has_ipv4 = true;
            if (!parse_flag(key, value, &inet->ipv4, errp)) {
                return false;
            }
        } else if (!strcmp(key, "ipv6")) {
            inet->has_ipv6 = true;
            if (!parse_flag(key, value, &inet->ipv6, errp)) {
                return false;
            }
        } else if (!strcmp(key, "numeric")) {
            if (!parse_flag(key, value, &inet->numeric, errp)) {
                return false;
            }
        } else {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Invalid parameter '%s' in socket address", key);
            return false;
        }
    }
    return true;
}

/* "HOST:PORT", ":PORT", "[V6]:PORT", then options. */
static SocketAddress *parse_inet(const char *str, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(str, ",", -1);
    const char *hp = parts[0];
    g_autofree char *host = NULL;
    const char *port;
    SocketAddress *addr;

    if (hp[0] == '[') {
        const char *close = strchr(hp, ']');

        if (!close || close[1] != ':') {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Invalid IPv6 address '%s', expected [HOST]:PORT", hp);
            return NULL;
        }
        host = g_strndup(hp + 1, close - hp - 1);
        port = close + 2;
    } else {
        const char *colon = strrchr(hp, ':');

        if (!colon || strchr(hp, ':') != colon) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Invalid address '%s', expected HOST:PORT", hp);
            return NULL;
        }
        host = g_strndup(hp, colon - hp);
        port = colon + 1;
    }
    if (!*port) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Port is missing in address '%s'", hp);
        return NULL;
    }
    addr = socket_address_new_inet(host, port);
    if (!parse_inet_options(&addr->u.inet, parts + 1, errp)) {
        socket_address_free(addr);
        return NULL;
    }
    return addr;
}

SocketAddress *socket_address_parse(const char *str, GError **errp)
{
    if (g_str_has_prefix(str, "unix:")) {
        if (!str[5]) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Path is missing in address '%s'", str);
            return NULL;
        }
        return socket_address_new_unix(str + 5);
    }
    if (g_str_has_prefix(str, "fd:")) {
        if (!str[3]) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "File descriptor is missing in address '%s'", str);
            return NULL;
        }
        return socket_address_new_fd(str + 3);
    }
    if (g_str_has_prefix(str, "tcp:")) {
        str += 4;
    }
    return parse_inet(str, errp);
}
