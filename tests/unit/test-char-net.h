/*
 * tests/unit/test-char-net.h: sockets for the socket chardev tests: test
 * addresses (a unix path or a tcp port), raw peers, and main-loop waits.
 */
#ifndef TEST_CHAR_NET_H
#define TEST_CHAR_NET_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-char-harness.h"

typedef struct Transport {
    bool is_unix;
} Transport;

static const Transport t_unix G_GNUC_UNUSED = { .is_unix = true };
static const Transport t_tcp G_GNUC_UNUSED = { .is_unix = false };

static char *tmpdir;
static unsigned path_counter;

/* An address for a test: a fresh unix path, or a tcp port on 127.0.0.1. */
typedef struct Addr {
    bool is_unix;
    char *path;
    int port;
} Addr;

static G_GNUC_UNUSED void addr_init(Addr *a, const Transport *t)
{
    a->is_unix = t->is_unix;
    a->path = g_strdup_printf("%s/sock%u", tmpdir, path_counter++);
    a->port = 0;
}

static G_GNUC_UNUSED void addr_clear(Addr *a)
{
    unlink(a->path);
    g_free(a->path);
}

/* -chardev address options for @a. */
static G_GNUC_UNUSED char *addr_opts(const Addr *a)
{
    return a->is_unix ? g_strdup_printf("path=%s", a->path)
                      : g_strdup_printf("host=127.0.0.1,port=%d", a->port);
}

static G_GNUC_UNUSED int raw_socket(const Addr *a, struct sockaddr_storage *ss,
                      socklen_t *len)
{
    memset(ss, 0, sizeof(*ss));
    if (a->is_unix) {
        struct sockaddr_un *un = (struct sockaddr_un *)ss;
        un->sun_family = AF_UNIX;
        g_strlcpy(un->sun_path, a->path, sizeof(un->sun_path));
        *len = sizeof(*un);
        return socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    }
    struct sockaddr_in *in = (struct sockaddr_in *)ss;
    in->sin_family = AF_INET;
    in->sin_port = htons((uint16_t)a->port);
    in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *len = sizeof(*in);
    return socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
}

static G_GNUC_UNUSED int raw_connect(const Addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd = raw_socket(a, &ss, &len);

    g_assert_cmpint(connect(fd, (struct sockaddr *)&ss, len), ==, 0);
    return fd;
}

/* Listen on @a (port 0: pick one and store it in @a). */
static G_GNUC_UNUSED int raw_listen(Addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int one = 1;
    int fd = raw_socket(a, &ss, &len);

    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    unlink(a->path);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&ss, len), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    if (!a->is_unix) {
        len = sizeof(ss);
        getsockname(fd, (struct sockaddr *)&ss, &len);
        a->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    }
    return fd;
}

/* A tcp port nobody listens on right now. */
static G_GNUC_UNUSED int free_port(void)
{
    Addr a = { .is_unix = false, .path = g_strdup(""), .port = 0 };
    int fd = raw_listen(&a);

    close(fd);
    g_free(a.path);
    return a.port;
}

/* The port of a tcp server chardev, from "disconnected:tcp:H:PORT,server=on". */
static G_GNUC_UNUSED int filename_port(Chardev *chr)
{
    const char *comma = strstr(chr->filename, ",server");
    const char *p = comma;

    g_assert_nonnull(comma);
    while (p > chr->filename && p[-1] != ':') {
        p--;
    }
    return atoi(p);
}

static G_GNUC_UNUSED int local_port(int fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);

    getsockname(fd, (struct sockaddr *)&sa, &len);
    return ntohs(sa.sin_port);
}

/* Accept on @lfd while running the main loop (the chardev connects from it). */
static G_GNUC_UNUSED int accept_mainloop(int lfd)
{
    int fd = -1;
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (fd < 0 && g_get_monotonic_time() < end) {
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        g_main_context_iteration(NULL, FALSE);
        if (poll(&p, 1, 5) == 1) {
            fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        }
    }
    g_assert_cmpint(fd, >=, 0);
    return fd;
}

/* Receive exactly @len bytes from @fd, running the main loop meanwhile. */
static G_GNUC_UNUSED void recv_mainloop(int fd, void *buf, size_t len)
{
    size_t got = 0;
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    while (got < len && g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        ssize_t n = recv(fd, (char *)buf + got, len - got, MSG_DONTWAIT);
        if (n > 0) {
            got += (size_t)n;
        } else {
            g_usleep(1000);
        }
    }
    g_assert_cmpuint(got, ==, len);
}

/* Whether @fd was closed by the chardev (EOF readable). */
static G_GNUC_UNUSED bool peer_closed(int fd)
{
    char c;

    return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static G_GNUC_UNUSED unsigned count_substr(const char *text, const char *needle)
{
    unsigned n = 0;

    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

/* A server chardev on @a (tcp: an ephemeral port, stored back in @a). */
static G_GNUC_UNUSED Chardev *server_new(Object *c, Addr *a, const char *extra)
{
    g_autofree char *opts = a->is_unix
        ? g_strdup_printf("path=%s", a->path)
        : g_strdup("host=127.0.0.1,port=0");
    g_autofree char *s = g_strdup_printf("socket,id=s,%s,server=on%s", opts,
                                         extra);
    Chardev *chr = chr_new_ok(c, s);

    if (!a->is_unix) {
        a->port = filename_port(chr);
    }
    return chr;
}

static G_GNUC_UNUSED void check_disconnected_filename(Chardev *chr, const Addr *a,
                                        const char *proto)
{
    g_autofree char *want = a->is_unix
        ? g_strdup_printf("disconnected:unix:%s,server=on", a->path)
        : g_strdup_printf("disconnected:%s:127.0.0.1:%d,server=on", proto,
                          a->port);

    g_assert_cmpstr(chr->filename, ==, want);
}

static G_GNUC_UNUSED Chardev *client_new(Object *c, const Addr *a, const char *extra)
{
    g_autofree char *opts = addr_opts(a);
    g_autofree char *s = g_strdup_printf("socket,id=c,%s%s", opts, extra);

    return chr_new_ok(c, s);
}

static G_GNUC_UNUSED void run_for(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

/* No connection waits on the listening socket @lfd (100 ms to show up). */
static G_GNUC_UNUSED void assert_no_pending_connection(int lfd)
{
    struct pollfd p = { .fd = lfd, .events = POLLIN };

    g_assert_cmpint(poll(&p, 1, 100), ==, 0);
}

/* The end of a socket test: detach @fe, drop the container, free @a. */
static G_GNUC_UNUSED void net_test_end(TestFe *fe, Object *c, Addr *a)
{
    fe_detach(fe);
    object_unref(c);
    addr_clear(a);
}

/* A connect error is printed once per outage, not on every retry. */
static G_GNUC_UNUSED void add_both(const char *fmt, GTestDataFunc fn)
{
    g_autofree char *u = g_strdup_printf(fmt, "unix");
    g_autofree char *t = g_strdup_printf(fmt, "tcp");

    g_test_add_data_func(u, &t_unix, fn);
    g_test_add_data_func(t, &t_tcp, fn);
}

#endif /* TEST_CHAR_NET_H */
