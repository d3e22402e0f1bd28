/*
 * tests/unit/test-char-socket.c: the socket backend over unix and tcp, as
 * server and as client, against raw sockets in the test, socat and telnet,
 * plus a fault test that kills the peer mid-stream.
 */
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

static const Transport t_unix = { .is_unix = true };
static const Transport t_tcp = { .is_unix = false };

static char *tmpdir;
static unsigned path_counter;

/* An address for a test: a fresh unix path, or a tcp port on 127.0.0.1. */
typedef struct Addr {
    bool is_unix;
    char *path;
    int port;
} Addr;

static void addr_init(Addr *a, const Transport *t)
{
    a->is_unix = t->is_unix;
    a->path = g_strdup_printf("%s/sock%u", tmpdir, path_counter++);
    a->port = 0;
}

static void addr_clear(Addr *a)
{
    unlink(a->path);
    g_free(a->path);
}

/* -chardev address options for @a. */
static char *addr_opts(const Addr *a)
{
    return a->is_unix ? g_strdup_printf("path=%s", a->path)
                      : g_strdup_printf("host=127.0.0.1,port=%d", a->port);
}

static int raw_socket(const Addr *a, struct sockaddr_storage *ss,
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

static int raw_connect(const Addr *a)
{
    struct sockaddr_storage ss;
    socklen_t len;
    int fd = raw_socket(a, &ss, &len);

    g_assert_cmpint(connect(fd, (struct sockaddr *)&ss, len), ==, 0);
    return fd;
}

/* Listen on @a (port 0: pick one and store it in @a). */
static int raw_listen(Addr *a)
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
static int free_port(void)
{
    Addr a = { .is_unix = false, .path = g_strdup(""), .port = 0 };
    int fd = raw_listen(&a);

    close(fd);
    g_free(a.path);
    return a.port;
}

/* The port of a tcp server chardev, from "disconnected:tcp:H:PORT,server=on". */
static int filename_port(Chardev *chr)
{
    const char *comma = strstr(chr->filename, ",server");
    const char *p = comma;

    g_assert_nonnull(comma);
    while (p > chr->filename && p[-1] != ':') {
        p--;
    }
    return atoi(p);
}

static int local_port(int fd)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);

    getsockname(fd, (struct sockaddr *)&sa, &len);
    return ntohs(sa.sin_port);
}

/* Accept on @lfd while running the main loop (the chardev connects from it). */
static int accept_mainloop(int lfd)
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
static void recv_mainloop(int fd, void *buf, size_t len)
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
static bool peer_closed(int fd)
{
    char c;

    return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static unsigned count_substr(const char *text, const char *needle)
{
    unsigned n = 0;

    for (const char *p = text; (p = strstr(p, needle)); p++) {
        n++;
    }
    return n;
}

/* A server chardev on @a (tcp: an ephemeral port, stored back in @a). */
static Chardev *server_new(Object *c, Addr *a, const char *extra)
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

static void check_disconnected_filename(Chardev *chr, const Addr *a,
                                        const char *proto)
{
    g_autofree char *want = a->is_unix
        ? g_strdup_printf("disconnected:unix:%s,server=on", a->path)
        : g_strdup_printf("disconnected:%s:127.0.0.1:%d,server=on", proto,
                          a->port);

    g_assert_cmpstr(chr->filename, ==, want);
}

/* ---- server ----------------------------------------------------------------- */

static void test_server_mainloop(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    char buf[16];

    addr_init(&a, data);
    Chardev *chr = server_new(c, &a, ",wait=off");
    check_disconnected_filename(chr, &a, "tcp");
    fe_attach(&fe, chr);
    g_assert_cmpint(fe.n_events, ==, 0);
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"x", 1), ==, -1);

    for (int round = 1; round <= 2; round++) {
        int fd = raw_connect(&a);
        WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == round, 5000);
        g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, round);
        g_assert_true(chr_fe_backend_open(&fe.be));
        g_autofree char *want = a.is_unix
            ? g_strdup_printf("unix:%s,server=on", a.path)
            : g_strdup_printf("tcp:127.0.0.1:%d,server=on <-> 127.0.0.1:%d",
                              a.port, local_port(fd));
        g_assert_cmpstr(chr->filename, ==, want);

        g_string_truncate(fe.data, 0);
        g_assert_cmpint(send(fd, "hello", 5, 0), ==, 5);
        WAIT_FOR(fe.data->len == 5, 5000);
        g_assert_cmpstr(fe.data->str, ==, "hello");
        g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"world", 5), ==, 5);
        recv_mainloop(fd, buf, 5);
        g_assert_cmpmem(buf, 5, "world", 5);

        close(fd);
        WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED) == round, 5000);
        g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, round);
        check_disconnected_filename(chr, &a, "tcp");
        /* Disconnected: refused, nothing taken. */
        g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"x", 1), ==, -1);
        g_assert_cmpuint(chr_fe_add_watch(&fe.be, G_IO_OUT, NULL, NULL), ==, 0);
    }
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

typedef struct ConnectLater {
    Addr *addr;
    int fd;
} ConnectLater;

static gpointer connect_later(gpointer opaque)
{
    ConnectLater *cl = opaque;

    g_usleep(100 * 1000);
    cl->fd = raw_connect(cl->addr);
    g_assert_cmpint(send(cl->fd, "early", 5, 0), ==, 5);
    return NULL;
}

/* wait=on: start-up blocks until a client (a thread here) connects. */
static void test_server_wait(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    StderrCapture cap;
    GError *err = NULL;

    addr_init(&a, data);
    Chardev *chr = server_new(c, &a, "");
    g_autofree char *fname = g_strdup(chr->filename);
    ConnectLater cl = { .addr = &a, .fd = -1 };
    GThread *th = g_thread_new("connect-later", connect_later, &cl);

    stderr_capture_start(&cap, tmpdir);
    g_assert_true(chardev_wait_connected(c, &err));
    g_autofree char *msg = stderr_capture_end(&cap);
    g_assert_no_error(err);
    g_thread_join(th);
    g_autofree char *want = g_strdup_printf(
        "minivirt: waiting for connection on: %s\n", fname);
    g_assert_cmpstr(msg, ==, want);

    /* Attached after the fact: OPENED is replayed, then the data comes. */
    fe_attach(&fe, chr);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    WAIT_FOR(fe.data->len == 5, 5000);
    g_assert_cmpstr(fe.data->str, ==, "early");
    /* Already connected: no second wait. */
    g_assert_true(chr_wait_connected(chr, NULL));
    close(cl.fd);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

static void test_server_second_client(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;

    addr_init(&a, data);
    fe_attach(&fe, server_new(c, &a, ",wait=off"));
    int fd1 = raw_connect(&a);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    int fd2 = raw_connect(&a);
    WAIT_FOR(peer_closed(fd2), 5000);
    g_assert_true(peer_closed(fd2));
    /* The first client is untouched. */
    g_assert_cmpint(send(fd1, "still", 5, 0), ==, 5);
    WAIT_FOR(fe.data->len == 5, 5000);
    g_assert_cmpstr(fe.data->str, ==, "still");
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 0);
    close(fd2);
    close(fd1);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

static void send_with_fd(int sock, const char *data, int fd)
{
    char ctl[CMSG_SPACE(sizeof(int))] = { 0 };
    struct iovec iov = { .iov_base = (void *)data, .iov_len = strlen(data) };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = ctl, .msg_controllen = sizeof(ctl) };
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);

    cm->cmsg_level = SOL_SOCKET;
    cm->cmsg_type = SCM_RIGHTS;
    cm->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(cm), &fd, sizeof(int));
    g_assert_cmpint(sendmsg(sock, &msg, 0), ==, (ssize_t)strlen(data));
}

static int recv_with_fd(int sock, char *buf, size_t len)
{
    char ctl[CMSG_SPACE(sizeof(int))];
    struct iovec iov = { .iov_base = buf, .iov_len = len };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
                          .msg_control = ctl, .msg_controllen = sizeof(ctl) };
    int fd = -1;

    for (int i = 0; i < 5000 && recvmsg(sock, &msg, MSG_DONTWAIT) <= 0; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
        msg.msg_controllen = sizeof(ctl);
    }
    struct cmsghdr *cm = CMSG_FIRSTHDR(&msg);
    if (cm && cm->cmsg_type == SCM_RIGHTS) {
        memcpy(&fd, CMSG_DATA(cm), sizeof(int));
    }
    return fd;
}

/* fds travel both ways with the data on a unix socket. */
static void test_server_fdpass(void)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    int p[2], q[2];
    char buf[16];

    addr_init(&a, &t_unix);
    fe_attach(&fe, server_new(c, &a, ",wait=off"));
    fe.grab_fds = true;
    int fd = raw_connect(&a);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);

    /* Peer -> front end. */
    g_assert_cmpint(pipe(p), ==, 0);
    send_with_fd(fd, "x", p[1]);
    close(p[1]);
    WAIT_FOR(fe.data->len == 1, 5000);
    g_assert_cmpint(fe.msgfd, >=, 0);
    g_assert_cmpint(write(fe.msgfd, "via-fd", 6), ==, 6);
    close(fe.msgfd);
    g_assert_cmpint(read(p[0], buf, sizeof(buf)), ==, 6);
    g_assert_cmpmem(buf, 6, "via-fd", 6);
    close(p[0]);
    /* Claimed once: nothing left. */
    g_assert_cmpint(chr_fe_get_msgfd(&fe.be), ==, -1);

    /* Front end -> peer: the fd goes with the next write, the caller keeps it. */
    g_assert_cmpint(pipe(q), ==, 0);
    g_assert_cmpint(chr_fe_set_msgfds(&fe.be, &q[1], 1), ==, 0);
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"y", 1), ==, 1);
    close(q[1]);
    int got = recv_with_fd(fd, buf, sizeof(buf));
    g_assert_cmpint(got, >=, 0);
    g_assert_cmpint(write(got, "back", 4), ==, 4);
    close(got);
    g_assert_cmpint(read(q[0], buf, sizeof(buf)), ==, 4);
    g_assert_cmpmem(buf, 4, "back", 4);
    close(q[0]);

    close(fd);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

/* ---- client ----------------------------------------------------------------- */

static Chardev *client_new(Object *c, const Addr *a, const char *extra)
{
    g_autofree char *opts = addr_opts(a);
    g_autofree char *s = g_strdup_printf("socket,id=c,%s%s", opts, extra);

    return chr_new_ok(c, s);
}

static void test_client_mainloop(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    char buf[16];

    addr_init(&a, data);
    int lfd = raw_listen(&a);
    /* Without reconnect: connected when creation returns. */
    Chardev *chr = client_new(c, &a, "");
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    g_assert_cmpint(fd, >=, 0);
    fe_attach(&fe, chr);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    if (a.is_unix) {
        g_assert_cmpstr(chr->filename, ==, "unix:");
    } else {
        struct sockaddr_in peer;
        socklen_t len = sizeof(peer);
        getpeername(fd, (struct sockaddr *)&peer, &len);
        g_autofree char *want = g_strdup_printf(
            "tcp:127.0.0.1:%d <-> 127.0.0.1:%d", ntohs(peer.sin_port), a.port);
        g_assert_cmpstr(chr->filename, ==, want);
        /* fds only travel on unix sockets. */
        int x = 0;
        g_assert_cmpint(chr_fe_set_msgfds(&fe.be, &x, 1), ==, -1);
    }
    g_assert_cmpint(send(fd, "s2c", 3, 0), ==, 3);
    WAIT_FOR(fe.data->len == 3, 5000);
    g_assert_cmpstr(fe.data->str, ==, "s2c");
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"c2s", 3), ==, 3);
    recv_mainloop(fd, buf, 3);
    g_assert_cmpmem(buf, 3, "c2s", 3);

    /* chr_fe_disconnect drops the connection; no reconnect: it stays down. */
    chr_fe_disconnect(&fe.be);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);
    WAIT_FOR(peer_closed(fd), 5000);
    g_assert_true(peer_closed(fd));
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"x", 1), ==, -1);
    g_autofree char *want = a.is_unix
        ? g_strdup_printf("disconnected:unix:%s", a.path)
        : g_strdup_printf("disconnected:tcp:127.0.0.1:%d", a.port);
    g_assert_cmpstr(chr->filename, ==, want);
    close(fd);
    close(lfd);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

static void test_client_wait(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    GError *err = NULL;

    addr_init(&a, data);
    int lfd = raw_listen(&a);
    Chardev *chr = client_new(c, &a, ",reconnect-ms=100");
    g_assert_true(chr_wait_connected(chr, &err));
    g_assert_no_error(err);
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    fe_attach(&fe, chr);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    g_assert_cmpint(send(fd, "ok", 2, 0), ==, 2);
    WAIT_FOR(fe.data->len == 2, 5000);
    g_assert_cmpstr(fe.data->str, ==, "ok");
    /* Exactly one connection was made. */
    struct pollfd p = { .fd = lfd, .events = POLLIN };
    g_assert_cmpint(poll(&p, 1, 100), ==, 0);
    close(fd);
    close(lfd);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

static void test_client_reconnect(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;

    addr_init(&a, data);
    int lfd = raw_listen(&a);
    fe_attach(&fe, client_new(c, &a, ",reconnect-ms=50"));
    g_assert_cmpint(fe.n_events, ==, 0);    /* starts disconnected */
    for (int round = 1; round <= 3; round++) {
        int fd = accept_mainloop(lfd);
        WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == round, 5000);
        g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, round);
        g_string_truncate(fe.data, 0);
        g_assert_cmpint(send(fd, "hi", 2, 0), ==, 2);
        WAIT_FOR(fe.data->len == 2, 5000);
        g_assert_cmpstr(fe.data->str, ==, "hi");
        close(fd);      /* the peer goes away */
        WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED) == round, 5000);
        g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, round);
    }
    /* Strictly alternating. */
    for (int i = 0; i < fe.n_events; i++) {
        g_assert_cmpint(fe.events[i], ==,
                        i % 2 ? CHR_EVENT_CLOSED : CHR_EVENT_OPENED);
    }
    close(lfd);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

/* Run the main loop for @ms. */
static void run_for(int ms)
{
    gint64 end = g_get_monotonic_time() + ms * 1000;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
}

/* A connect error is printed once per outage, not on every retry. */
static void test_client_reconnect_error(gconstpointer data)
{
    const char *line = "minivirt: Unable to connect character device c: ";
    Object *c = chardev_container_new();
    StderrCapture cap;
    Addr a;
    TestFe fe;

    addr_init(&a, data);
    if (!a.is_unix) {
        a.port = free_port();
    }
    stderr_capture_start(&cap, tmpdir);
    fe_attach(&fe, client_new(c, &a, ",reconnect-ms=20"));
    run_for(300);                       /* ~15 failed attempts */
    g_autofree char *out1 = stderr_capture_end(&cap);
    g_assert_cmpuint(count_substr(out1, line), ==, 1);
    g_assert_cmpuint(count_substr(out1, "Failed to connect"), ==, 1);

    stderr_capture_start(&cap, tmpdir);
    int lfd = raw_listen(&a);
    int fd = accept_mainloop(lfd);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    close(fd);
    close(lfd);
    unlink(a.path);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED) == 1, 5000);
    run_for(300);                       /* a second outage: one more line */
    g_autofree char *out2 = stderr_capture_end(&cap);
    g_assert_cmpuint(count_substr(out2, line), ==, 1);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);

    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

/* A duplicate id is refused without disturbing the reconnecting original. */
static void test_client_dupid(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;

    addr_init(&a, data);
    int lfd = raw_listen(&a);
    g_autofree char *opts = addr_opts(&a);
    g_autofree char *s = g_strdup_printf("socket,id=c,%s,reconnect=1", opts);
    Chardev *chr = chr_new_ok(c, s);
    chr_new_fails(c, s, "Chardev 'c' already exists");
    g_assert_true(chardev_find(c, "c") == chr);
    fe_attach(&fe, chr);
    int fd = accept_mainloop(lfd);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    /* Exactly one connection: the refused duplicate made none. */
    struct pollfd p = { .fd = lfd, .events = POLLIN };
    g_assert_cmpint(poll(&p, 1, 100), ==, 0);
    close(fd);
    close(lfd);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

/* Removing a chardev whose connect is still in flight is safe. */
static void test_client_remove_connecting(void)
{
    Object *c = chardev_container_new();
    Addr a;

    addr_init(&a, &t_tcp);
    a.port = free_port();
    client_new(c, &a, ",reconnect-ms=10");
    g_assert_true(chardev_remove(c, "c", NULL));
    run_for(100);       /* the task completes on a chardev that is gone */
    object_unref(c);
    addr_clear(&a);
}

/* mux=on over a socket: connection events reach every front end. */
static void test_server_mux(void)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe f1, f2;
    char buf[8];

    addr_init(&a, &t_unix);
    g_autofree char *s = g_strdup_printf(
        "socket,id=m,path=%s,server=on,wait=off,mux=on", a.path);
    Chardev *mux = chr_new_ok(c, s);
    g_assert_nonnull(chardev_find(c, "m-base"));
    fe_attach(&f1, mux);
    fe_attach(&f2, mux);            /* f2 has the focus */
    int fd = raw_connect(&a);
    WAIT_FOR(fe_count(&f1, CHR_EVENT_OPENED) && fe_count(&f2, CHR_EVENT_OPENED),
             5000);
    g_assert_cmpint(fe_count(&f1, CHR_EVENT_OPENED), ==, 1);
    g_assert_cmpint(fe_count(&f2, CHR_EVENT_OPENED), ==, 1);
    g_assert_cmpint(send(fd, "in\001cx", 5, 0), ==, 5);
    WAIT_FOR(f1.data->len == 1, 5000);
    g_assert_cmpstr(f2.data->str, ==, "in");
    g_assert_cmpstr(f1.data->str, ==, "x");
    g_assert_cmpint(chr_fe_write(&f1.be, (const uint8_t *)"o1", 2), ==, 2);
    g_assert_cmpint(chr_fe_write(&f2.be, (const uint8_t *)"o2", 2), ==, 2);
    recv_mainloop(fd, buf, 4);
    g_assert_cmpmem(buf, 4, "o1o2", 4);
    close(fd);
    WAIT_FOR(fe_count(&f1, CHR_EVENT_CLOSED) && fe_count(&f2, CHR_EVENT_CLOSED),
             5000);
    g_assert_cmpint(fe_count(&f1, CHR_EVENT_CLOSED), ==, 1);
    g_assert_cmpint(fe_count(&f2, CHR_EVENT_CLOSED), ==, 1);
    g_assert_cmpint(chr_fe_write(&f1.be, (const uint8_t *)"x", 1), ==, -1);
    fe_detach(&f2);
    fe_detach(&f1);
    object_unref(c);
    addr_clear(&a);
}

/* ---- options ------------------------------------------------------------- */

static void test_socket_parse_errors(void)
{
    static const struct {
        const char *str, *msg;
    } cases[] = {
        { "socket,id=s", "Exactly one of 'path' or 'host' required" },
        { "socket,id=s,path=/x,host=h",
          "Exactly one of 'path' or 'host' required" },
        { "socket,id=s,host=h", "chardev: socket: no port given" },
        { "socket,id=s,path=/x,delay=on,nodelay=on",
          "'delay' and 'nodelay' are mutually exclusive" },
        { "socket,id=s,path=/x,reconnect=1,reconnect-ms=5",
          "'reconnect' and 'reconnect-ms' are mutually exclusive" },
        { "socket,id=s,path=/x,server=on,reconnect=1",
          "'reconnect' option is incompatible with socket in server listen "
          "mode" },
        { "socket,id=s,path=/x,wait=off",
          "'wait' option is incompatible with socket in client connect mode" },
        { "socket,id=s,host=h,port=1,tls-creds=t",
          "chardev: socket: TLS (tls-creds) is not supported yet" },
        { "socket,id=s,host=h,port=1,websocket=on",
          "chardev: socket: websocket is not supported yet" },
        { "socket,id=s,path=/x,server=maybe",
          "Parameter 'server' expects 'on' or 'off', got 'maybe'" },
        { "socket,id=s,path=/x,reconnect=-1",
          "Parameter 'reconnect' expects a number from 0 to 4294967, "
          "got '-1'" },
        { "socket,id=s,path=/x,bogus=1",
          "Invalid parameter 'bogus' for chardev backend 'socket' (valid: "
          "backend, id, logfile, logappend, mux, path, host, port, to, ipv4, "
          "ipv6, server, wait, telnet, nodelay, delay, reconnect, "
          "reconnect-ms, abstract, tight, tls-creds, tls-authz, websocket)" },
    };
    Object *c = chardev_container_new();
    GError *err = NULL;

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        chr_new_fails(c, cases[i].str, cases[i].msg);
    }
    /* A client without reconnect fails at once, naming the address. */
    g_assert_null(chardev_new_from_string(
        c, "socket,id=s,path=/nonexistent/sock", &err));
    g_assert_true(g_str_has_prefix(err->message, "Failed to connect"));
    g_assert_nonnull(strstr(err->message, "/nonexistent/sock"));
    g_clear_error(&err);
    g_assert_cmpuint(object_child_count(c), ==, 0);
    object_unref(c);
}

/* The -serial forms, bare flags included, make the same sockets. */
static void test_socket_legacy(void)
{
    Object *c = chardev_container_new();
    Addr a;

    addr_init(&a, &t_unix);
    g_autofree char *u = g_strdup_printf("unix:%s,server,nowait", a.path);
    Chardev *chr = chardev_new_from_legacy(c, "serial0", u, NULL);
    g_assert_nonnull(chr);
    g_autofree char *want = g_strdup_printf("disconnected:unix:%s,server=on",
                                            a.path);
    g_assert_cmpstr(chr->filename, ==, want);
    chr = chardev_new_from_legacy(c, "serial1", "tcp:127.0.0.1:0,server,nowait",
                                  NULL);
    g_assert_nonnull(chr);
    g_assert_true(g_str_has_prefix(chr->filename,
                                   "disconnected:tcp:127.0.0.1:"));
    chr = chardev_new_from_legacy(c, "serial2",
                                  "telnet:127.0.0.1:0,server,nowait", NULL);
    g_assert_nonnull(chr);
    g_assert_true(g_str_has_prefix(chr->filename,
                                   "disconnected:telnet:127.0.0.1:"));
    /* Nothing waits: nowait. */
    g_assert_true(chardev_wait_connected(c, NULL));
    object_unref(c);
    addr_clear(&a);
}

/* ---- telnet ------------------------------------------------------------------ */

static void test_telnet_negotiation(void)
{
    static const uint8_t greeting[] = {
        255, 251, 1, 255, 251, 3, 255, 251, 0, 255, 253, 0,
    };
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    uint8_t buf[64];

    addr_init(&a, &t_tcp);
    Chardev *chr = server_new(c, &a, ",wait=off,telnet=on");
    check_disconnected_filename(chr, &a, "telnet");
    fe_attach(&fe, chr);
    int fd = raw_connect(&a);
    recv_mainloop(fd, buf, sizeof(greeting));
    g_assert_cmpmem(buf, sizeof(greeting), greeting, sizeof(greeting));
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    g_assert_true(g_str_has_prefix(chr->filename, "telnet:127.0.0.1:"));

    /* Acknowledgements need no answer; unknown options are refused. */
    static const uint8_t acks[] = {
        255, 253, 1, 255, 253, 3, 255, 251, 0, 255, 253, 0,
        255, 253, 24, 255, 251, 31,
    };
    g_assert_cmpint(send(fd, acks, sizeof(acks), 0), ==, sizeof(acks));
    static const uint8_t refusals[] = { 255, 252, 24, 255, 254, 31 };
    recv_mainloop(fd, buf, sizeof(refusals));
    g_assert_cmpmem(buf, sizeof(refusals), refusals, sizeof(refusals));

    /* IAC sequences vanish, IAC IAC is 0xff, CR NUL is CR, CR LF stays. */
    static const uint8_t in[] = {
        'a', '\r', 0, 'b', 255, 255, 'c', '\r', '\n', 255, 250, 24, 1, 255,
        255, 255, 240, 255, 241, 'd', 255, 243, 'e',
    };
    g_assert_cmpint(send(fd, in, sizeof(in), 0), ==, sizeof(in));
    WAIT_FOR(fe.data->len == 9, 5000);
    g_assert_cmpmem(fe.data->str, fe.data->len, "a\rb\377c\r\nde", 9);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_BREAK), ==, 1);

    /* Output doubles IAC; a later DONT ECHO is answered with WONT ECHO. */
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"\377z", 2), ==, 2);
    recv_mainloop(fd, buf, 3);
    g_assert_cmpmem(buf, 3, "\377\377z", 3);
    static const uint8_t dont_echo[] = { 255, 254, 1, 255, 254, 1 };
    g_assert_cmpint(send(fd, dont_echo, sizeof(dont_echo), 0), ==, 6);
    recv_mainloop(fd, buf, 3);
    g_assert_cmpmem(buf, 3, "\377\374\001", 3);
    run_for(50);
    g_assert_cmpint(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), ==, -1);

    close(fd);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

/* ---- real peers ---------------------------------------------------------- */

static bool have(const char *prog)
{
    g_autofree char *p = g_find_program_in_path(prog);

    if (!p) {
        g_autofree char *msg = g_strdup_printf("%s is not installed", prog);
        g_test_skip(msg);
    }
    return p != NULL;
}

static GPid spawn(char **argv, int *in, int *out)
{
    GPid pid;
    GError *err = NULL;

    g_assert_true(g_spawn_async_with_pipes(NULL, argv, NULL,
                                           G_SPAWN_SEARCH_PATH |
                                           G_SPAWN_DO_NOT_REAP_CHILD |
                                           G_SPAWN_STDERR_TO_DEV_NULL,
                                           NULL, NULL, &pid, in, out, NULL,
                                           &err));
    g_assert_no_error(err);
    return pid;
}

static void reap(GPid pid, int sig)
{
    int status;

    if (sig) {
        kill(pid, sig);
    }
    waitpid(pid, &status, 0);
    g_spawn_close_pid(pid);
}

static char *socat_addr(const Addr *a, bool listen)
{
    if (a->is_unix) {
        /* unlink-early: a killed socat leaves its socket file behind. */
        return listen ? g_strdup_printf("UNIX-LISTEN:%s,unlink-early", a->path)
                      : g_strdup_printf("UNIX-CONNECT:%s", a->path);
    }
    return listen ? g_strdup_printf("TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr",
                                    a->port)
                  : g_strdup_printf("TCP:127.0.0.1:%d", a->port);
}

/* socat as an echo server; we are a reconnecting client. */
static void test_socat_server(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;

    if (!have("socat")) {
        return;
    }
    addr_init(&a, data);
    if (!a.is_unix) {
        a.port = free_port();
    }
    g_autofree char *listen = socat_addr(&a, true);
    char *argv[] = { "socat", listen, "EXEC:cat", NULL };
    GPid pid = spawn(argv, NULL, NULL);
    StderrCapture cap;
    stderr_capture_start(&cap, tmpdir);     /* connect errors until socat listens */
    fe_attach(&fe, client_new(c, &a, ",reconnect-ms=20"));
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    g_free(stderr_capture_end(&cap));
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"ping\n", 5), ==, 5);
    WAIT_FOR(fe.data->len == 5, 5000);
    g_assert_cmpstr(fe.data->str, ==, "ping\n");
    reap(pid, SIGTERM);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED) == 1, 5000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

/* socat as a client of our server, through its stdin and stdout. */
static void test_socat_client(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    char buf[16];
    int in, out;

    if (!have("socat")) {
        return;
    }
    addr_init(&a, data);
    fe_attach(&fe, server_new(c, &a, ",wait=off"));
    g_autofree char *connect = socat_addr(&a, false);
    char *argv[] = { "socat", "-t", "1", "STDIO", connect, NULL };
    GPid pid = spawn(argv, &in, &out);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    g_assert_cmpint(write(in, "from-socat\n", 11), ==, 11);
    WAIT_FOR(fe.data->len == 11, 5000);
    g_assert_cmpstr(fe.data->str, ==, "from-socat\n");
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"to-socat\n", 9), ==, 9);
    fcntl(out, F_SETFL, O_NONBLOCK);
    size_t got = 0;
    for (int i = 0; i < 5000 && got < 9; i++) {
        g_main_context_iteration(NULL, FALSE);
        ssize_t n = read(out, buf + got, sizeof(buf) - got);
        if (n > 0) {
            got += (size_t)n;
        } else {
            g_usleep(1000);
        }
    }
    g_assert_cmpmem(buf, got, "to-socat\n", 9);
    close(in);      /* socat sends EOF and leaves */
    WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED) == 1, 5000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);
    reap(pid, 0);
    close(out);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

/* The telnet program against telnet=on: clean data, negotiation stripped. */
static void test_telnet_client_program(void)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    int in, out;

    if (!have("telnet")) {
        return;
    }
    addr_init(&a, &t_tcp);
    fe_attach(&fe, server_new(c, &a, ",wait=off,telnet=on"));
    g_autofree char *port = g_strdup_printf("%d", a.port);
    char *argv[] = { "telnet", "127.0.0.1", port, NULL };
    GPid pid = spawn(argv, &in, &out);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    run_for(300);       /* let the negotiation settle */
    g_assert_cmpint(write(in, "hello\n", 6), ==, 6);
    WAIT_FOR(strstr(fe.data->str, "hello"), 5000);
    g_assert_nonnull(strstr(fe.data->str, "hello"));
    g_assert_null(memchr(fe.data->str, 0xff, fe.data->len));
    g_assert_null(memchr(fe.data->str, '\0', fe.data->len));
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"from-server\r\n", 13),
                    ==, 13);
    GString *seen = g_string_new(NULL);
    fcntl(out, F_SETFL, O_NONBLOCK);
    for (int i = 0; i < 5000 && !strstr(seen->str, "from-server"); i++) {
        char buf[256];
        g_main_context_iteration(NULL, FALSE);
        ssize_t n = read(out, buf, sizeof(buf));
        if (n > 0) {
            g_string_append_len(seen, buf, n);
        } else {
            g_usleep(1000);
        }
    }
    g_assert_nonnull(strstr(seen->str, "from-server"));
    g_string_free(seen, true);
    reap(pid, SIGTERM);
    close(in);
    close(out);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED) == 1, 5000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

/* ---- fault: the peer is killed mid-stream and restarted ----------------- */

#define FAULT_STREAM_LEN (4 * 1024 * 1024)
#define FAULT_EPOCH_BYTES (256 * 1024)
#define FAULT_CHUNK 8192

static uint8_t stream_byte(size_t i)
{
    return (uint8_t)(i ^ (i >> 8) ^ (i >> 16) ^ 0x5a);
}

/* Count the OPENED/CLOSED events only. */
static int fe_open_state_events(TestFe *fe, ChrEvent *out)
{
    int n = 0;

    for (int i = 0; i < fe->n_events; i++) {
        if (fe->events[i] == CHR_EVENT_OPENED ||
            fe->events[i] == CHR_EVENT_CLOSED) {
            out[n++] = fe->events[i];
        }
    }
    return n;
}

/*
 * Write the stream from *@off while connected, until @until bytes were
 * accepted in this epoch or the connection closes (when @until is 0).
 * Returns the bytes accepted.  Checks that once CLOSED is seen, a write is
 * refused whole (-1).
 */
static size_t fault_write(TestFe *fe, const uint8_t *stream, size_t *off,
                          size_t until, int closed_before)
{
    size_t accepted = 0;
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;

    while (g_get_monotonic_time() < end) {
        g_main_context_iteration(NULL, FALSE);
        if (fe_count(fe, CHR_EVENT_CLOSED) > closed_before) {
            g_assert_cmpint(chr_fe_write(&fe->be, stream + *off, FAULT_CHUNK),
                            ==, -1);
            break;
        }
        if (until && accepted >= until) {
            break;
        }
        g_assert_cmpuint(*off + FAULT_CHUNK, <=, FAULT_STREAM_LEN);
        int ret = chr_fe_write(&fe->be, stream + *off, FAULT_CHUNK);
        g_assert_cmpint(ret, <=, FAULT_CHUNK);
        if (ret > 0) {
            *off += (size_t)ret;
            accepted += (size_t)ret;
        } else {
            /* 0: full; -1: the peer is gone, CLOSED is on its way. */
            g_usleep(500);
        }
    }
    return accepted;
}

static void test_fault_kill_peer(gconstpointer data)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;
    StderrCapture cap;
    ChrEvent ev[FE_MAX_EVENTS];

    if (!have("socat")) {
        return;
    }
    addr_init(&a, data);
    if (!a.is_unix) {
        a.port = free_port();
    }
    g_autofree uint8_t *stream = g_malloc(FAULT_STREAM_LEN);
    for (size_t i = 0; i < FAULT_STREAM_LEN; i++) {
        stream[i] = stream_byte(i);
    }
    g_autofree char *out1 = g_strdup_printf("%s/fault-out1", tmpdir);
    g_autofree char *out2 = g_strdup_printf("%s/fault-out2", tmpdir);
    g_autofree char *listen = socat_addr(&a, true);
    g_autofree char *file1 = g_strdup_printf("CREATE:%s", out1);
    g_autofree char *file2 = g_strdup_printf("CREATE:%s", out2);
    char *argv1[] = { "socat", "-u", listen, file1, NULL };
    char *argv2[] = { "socat", "-u", listen, file2, NULL };
    size_t off = 0;

    stderr_capture_start(&cap, tmpdir);
    GPid peer = spawn(argv1, NULL, NULL);
    fe_attach(&fe, client_new(c, &a, ",reconnect-ms=20"));
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);

    /* Epoch 1: stream, kill the peer with SIGKILL, keep writing until CLOSED. */
    size_t acc1 = fault_write(&fe, stream, &off, FAULT_EPOCH_BYTES, 0);
    g_free(stderr_capture_end(&cap));   /* errors until socat first listened */
    stderr_capture_start(&cap, tmpdir);
    reap(peer, SIGKILL);
    acc1 += fault_write(&fe, stream, &off, 0, 0);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);

    /* Epoch 2: the peer restarts; the chardev reconnects by itself. */
    peer = spawn(argv2, NULL, NULL);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 2, 5000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 2);
    size_t start2 = off;
    size_t acc2 = fault_write(&fe, stream, &off, FAULT_EPOCH_BYTES, 1);
    chr_fe_disconnect(&fe.be);      /* orderly: the peer drains and exits */
    reap(peer, 0);
    g_autofree char *errors = stderr_capture_end(&cap);
    /* At most one report for this outage, however many retries. */
    g_assert_cmpuint(count_substr(errors, "Unable to connect"), <=, 1);

    int n = fe_open_state_events(&fe, ev);
    g_assert_cmpint(n, ==, 4);
    g_assert_cmpint(ev[0], ==, CHR_EVENT_OPENED);
    g_assert_cmpint(ev[1], ==, CHR_EVENT_CLOSED);
    g_assert_cmpint(ev[2], ==, CHR_EVENT_OPENED);
    g_assert_cmpint(ev[3], ==, CHR_EVENT_CLOSED);

    /*
     * Accepted means "in the kernel": what the killed peer had not read yet
     * died with it, so epoch 1 arrived as a prefix, in order, no gaps.  The
     * peer that lived got every accepted byte of its epoch.
     */
    gchar *got1, *got2;
    gsize len1, len2;
    g_assert_true(g_file_get_contents(out1, &got1, &len1, NULL));
    g_assert_true(g_file_get_contents(out2, &got2, &len2, NULL));
    g_test_message("epoch 1: %zu accepted, %zu reached the killed peer; "
                   "epoch 2: %zu accepted, %zu reached the peer",
                   acc1, (size_t)len1, acc2, (size_t)len2);
    g_assert_cmpuint(acc1, >=, FAULT_EPOCH_BYTES);
    g_assert_cmpuint(len1, <=, acc1);
    g_assert_cmpmem(got1, len1, stream, len1);
    g_assert_cmpuint(acc2, >=, FAULT_EPOCH_BYTES);
    g_assert_cmpuint(start2, ==, acc1);
    g_assert_cmpmem(got2, len2, stream + start2, acc2);
    g_free(got1);
    g_free(got2);
    unlink(out1);
    unlink(out2);
    fe_detach(&fe);
    object_unref(c);
    addr_clear(&a);
}

static void add_both(const char *fmt, GTestDataFunc fn)
{
    g_autofree char *u = g_strdup_printf(fmt, "unix");
    g_autofree char *t = g_strdup_printf(fmt, "tcp");

    g_test_add_data_func(u, &t_unix, fn);
    g_test_add_data_func(t, &t_tcp, fn);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    tmpdir = g_dir_make_tmp("test-char-socket-XXXXXX", NULL);

    add_both("/char/socket/%s/server/mainloop", test_server_mainloop);
    add_both("/char/socket/%s/server/wait-conn", test_server_wait);
    add_both("/char/socket/%s/server/second-client-refused",
             test_server_second_client);
    g_test_add_func("/char/socket/unix/server/fdpass", test_server_fdpass);
    g_test_add_func("/char/socket/unix/server/mux", test_server_mux);
    add_both("/char/socket/%s/client/mainloop", test_client_mainloop);
    add_both("/char/socket/%s/client/wait-conn", test_client_wait);
    add_both("/char/socket/%s/client/reconnect", test_client_reconnect);
    add_both("/char/socket/%s/client/reconnect-error",
             test_client_reconnect_error);
    add_both("/char/socket/%s/client/dupid-reconnect", test_client_dupid);
    g_test_add_func("/char/socket/tcp/client/remove-while-connecting",
                    test_client_remove_connecting);
    g_test_add_func("/char/socket/parse-errors", test_socket_parse_errors);
    g_test_add_func("/char/socket/legacy", test_socket_legacy);
    g_test_add_func("/char/socket/telnet/negotiation", test_telnet_negotiation);
    g_test_add_func("/char/socket/telnet/client-program",
                    test_telnet_client_program);
    add_both("/char/socket/%s/interop/socat-server", test_socat_server);
    add_both("/char/socket/%s/interop/socat-client", test_socat_client);
    add_both("/char/socket/%s/fault/kill-peer-reconnect", test_fault_kill_peer);
    int ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
