/*
 * tests/unit/test-char-socket.c: the socket backend over unix and tcp, as
 * server and as client, against raw sockets in the test: connection events,
 * filenames, wait-for-connection, a refused second client, fd passing,
 * reconnect and its error reports, telnet negotiation, option errors.
 * (Real peers and the fault test are in test-char-interop.c.)
 */
#include "test-char-net.h"

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
        fe_wait_count(&fe, CHR_EVENT_OPENED, round, 5000);
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
        fe_wait_count(&fe, CHR_EVENT_CLOSED, round, 5000);
        check_disconnected_filename(chr, &a, "tcp");
        /* Disconnected: refused, nothing taken. */
        g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"x", 1), ==, -1);
        g_assert_cmpuint(chr_fe_add_watch(&fe.be, G_IO_OUT, NULL, NULL), ==, 0);
    }
    net_test_end(&fe, c, &a);
}

/* What the drain test's peer sends before it closes. */
#define DRAIN_LEN (32 * 1024)

/*
 * The peer sends and closes while the front end is full: nothing it sent
 * is lost.  CLOSED comes only once every byte has been handed over, as
 * the front end makes room; until then the connection stays.
 */
static void test_server_drain_before_close(gconstpointer data)
{
    Object *c = chardev_container_new();
    g_autoptr(GString) sent = g_string_new(NULL);
    Addr a;
    TestFe fe;

    addr_init(&a, data);
    Chardev *chr = server_new(c, &a, ",wait=off");
    fe_attach(&fe, chr);
    fe.room = 0;
    int fd = raw_connect(&a);
    fe_wait_count(&fe, CHR_EVENT_OPENED, 1, 5000);
    for (int i = 0; i < DRAIN_LEN; i++) {
        g_string_append_c(sent, (char)('a' + i % 26));
    }
    g_assert_cmpint(send(fd, sent->str, DRAIN_LEN, 0), ==, DRAIN_LEN);
    close(fd);

    /* The peer is gone, but its bytes wait for room. */
    run_for(200);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 0);
    g_assert_cmpuint(fe.data->len, ==, 0);
    g_assert_true(chr_fe_backend_open(&fe.be));

    /* A little room: a little data, still open. */
    fe.room = 1000;
    chr_fe_accept_input(&fe.be);
    WAIT_FOR(fe.data->len == 1000, 5000);
    run_for(100);
    g_assert_cmpuint(fe.data->len, ==, 1000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 0);

    /* Room for all: the rest, then CLOSED. */
    fe.room = -1;
    chr_fe_accept_input(&fe.be);
    fe_wait_count(&fe, CHR_EVENT_CLOSED, 1, 5000);
    g_assert_cmpuint(fe.data->len, ==, DRAIN_LEN);
    g_assert_true(memcmp(fe.data->str, sent->str, DRAIN_LEN) == 0);
    g_assert_false(chr_fe_backend_open(&fe.be));

    /* Ready for the next peer. */
    fd = raw_connect(&a);
    fe_wait_count(&fe, CHR_EVENT_OPENED, 2, 5000);
    close(fd);
    net_test_end(&fe, c, &a);
}

/*
 * A hang-up with nothing unread is acted on at once, even while the front
 * end takes nothing (unix: the kernel reports POLLHUP).
 */
static void test_server_hup_while_full(void)
{
    Object *c = chardev_container_new();
    Addr a;
    TestFe fe;

    addr_init(&a, &t_unix);
    fe_attach(&fe, server_new(c, &a, ",wait=off"));
    fe.room = 0;
    int fd = raw_connect(&a);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED) == 1, 5000);
    g_assert_cmpint(send(fd, "abc", 3, 0), ==, 3);
    fe.room = 3;
    chr_fe_accept_input(&fe.be);
    WAIT_FOR(fe.data->len == 3, 5000);
    g_assert_cmpstr(fe.data->str, ==, "abc");
    close(fd);
    fe_wait_count(&fe, CHR_EVENT_CLOSED, 1, 5000);
    net_test_end(&fe, c, &a);
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
    net_test_end(&fe, c, &a);
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
    net_test_end(&fe, c, &a);
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
    net_test_end(&fe, c, &a);
}

/* ---- client ----------------------------------------------------------------- */

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
    net_test_end(&fe, c, &a);
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
    assert_no_pending_connection(lfd);
    close(fd);
    close(lfd);
    net_test_end(&fe, c, &a);
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
        fe_wait_count(&fe, CHR_EVENT_OPENED, round, 5000);
        g_string_truncate(fe.data, 0);
        g_assert_cmpint(send(fd, "hi", 2, 0), ==, 2);
        WAIT_FOR(fe.data->len == 2, 5000);
        g_assert_cmpstr(fe.data->str, ==, "hi");
        close(fd);      /* the peer goes away */
        fe_wait_count(&fe, CHR_EVENT_CLOSED, round, 5000);
    }
    /* Strictly alternating. */
    for (int i = 0; i < fe.n_events; i++) {
        g_assert_cmpint(fe.events[i], ==,
                        i % 2 ? CHR_EVENT_CLOSED : CHR_EVENT_OPENED);
    }
    close(lfd);
    net_test_end(&fe, c, &a);
}

/* Run the main loop for @ms. */
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

    net_test_end(&fe, c, &a);
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
    fe_wait_count(&fe, CHR_EVENT_OPENED, 1, 5000);
    /* Exactly one connection: the refused duplicate made none. */
    assert_no_pending_connection(lfd);
    close(fd);
    close(lfd);
    net_test_end(&fe, c, &a);
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
    net_test_end(&fe, c, &a);
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
    add_both("/char/socket/%s/server/drain-before-close",
             test_server_drain_before_close);
    g_test_add_func("/char/socket/unix/server/hup-while-full",
                    test_server_hup_while_full);
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
    int ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
