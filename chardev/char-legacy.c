/*
 * chardev/char-legacy.c: the -serial / -monitor filename syntax, mapped onto
 * the same options -chardev takes (QEMU's qemu_chr_parse_compat).
 */
#include <string.h>

#include "chardev/chardev-internal.h"
#include "qom/error.h"

/* Backends whose legacy filename is just their name. */
static const char *const legacy_plain[] = { "null", "stdio", "pty", NULL };

/*
 * "[HOST]:PORT" at *@pp, HOST possibly a bracketed IPv6 literal; PORT ends
 * at any of @stops.  Advances *@pp past PORT.
 */
static bool legacy_host_port(const char **pp, const char *stops,
                             char **host, char **port)
{
    const char *p = *pp;
    size_t n;

    if (*p == '[') {
        const char *end = strchr(p, ']');
        if (!end || end[1] != ':') {
            return false;
        }
        *host = g_strndup(p + 1, end - p - 1);
        p = end + 2;
    } else {
        n = strcspn(p, ":,@");
        if (p[n] != ':') {
            return false;
        }
        *host = g_strndup(p, n);
        p += n + 1;
    }
    n = strcspn(p, stops);
    if (n == 0) {
        g_clear_pointer(host, g_free);
        return false;
    }
    *port = g_strndup(p, n);
    *pp = p + n;
    return true;
}

/* Merge ",key=value,flag" options after an address into @opts. */
static bool legacy_merge(Opts *opts, const char *rest, const char *implied,
                         GError **errp)
{
    g_autoptr(Opts) extra = opts_parse(rest, implied, chardev_bool_opts, errp);

    if (!extra) {
        return false;
    }
    for (unsigned i = 0; i < opts_count(extra); i++) {
        opts_set(opts, opts_key(extra, i), opts_value(extra, i));
    }
    return true;
}

static bool legacy_inet(Opts *opts, const char *p, bool udp, GError **errp)
{
    g_autofree char *host = NULL;
    g_autofree char *port = NULL;

    if (!legacy_host_port(&p, udp ? ",@" : ",", &host, &port)) {
        return false;
    }
    opts_set(opts, "host", host);
    opts_set(opts, "port", port);
    if (udp && *p == '@') {
        g_autofree char *lhost = NULL;
        g_autofree char *lport = NULL;
        p++;
        if (!legacy_host_port(&p, ",", &lhost, &lport)) {
            return false;
        }
        opts_set(opts, "localaddr", lhost);
        opts_set(opts, "localport", lport);
    }
    return *p != ',' || legacy_merge(opts, p + 1, NULL, errp);
}

Opts *chardev_legacy_to_opts(const char *filename, GError **errp)
{
    g_autoptr(Opts) opts = opts_parse("", NULL, NULL, NULL);
    GError *err = NULL;
    const char *p;
    bool ok = true;

    if (g_strv_contains(legacy_plain, filename)) {
        opts_set(opts, "backend", filename);
    } else if ((p = g_str_has_prefix(filename, "file:") ? filename + 5 : NULL)) {
        opts_set(opts, "backend", "file");
        opts_set(opts, "path", p);
    } else if ((p = g_str_has_prefix(filename, "pipe:") ? filename + 5 : NULL)) {
        opts_set(opts, "backend", "pipe");
        opts_set(opts, "path", p);
    } else if (g_str_has_prefix(filename, "tcp:") ||
               g_str_has_prefix(filename, "telnet:")) {
        opts_set(opts, "backend", "socket");
        if (filename[0] == 't' && filename[1] == 'e') {
            opts_set(opts, "telnet", "on");
        }
        ok = legacy_inet(opts, strchr(filename, ':') + 1, false, &err);
    } else if (g_str_has_prefix(filename, "udp:")) {
        opts_set(opts, "backend", "udp");
        ok = legacy_inet(opts, filename + 4, true, &err);
    } else if (g_str_has_prefix(filename, "unix:")) {
        opts_set(opts, "backend", "socket");
        ok = legacy_merge(opts, filename + 5, "path", &err) &&
             opts_get(opts, "path") && *opts_get(opts, "path");
    } else {
        ok = false;
    }
    if (!ok) {
        if (err) {
            g_propagate_error(errp, err);
        } else {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "'%s' is not a valid char driver", filename);
        }
        return NULL;
    }
    return g_steal_pointer(&opts);
}
