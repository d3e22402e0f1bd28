/*
 * test-io-socket: socket channels, addresses and the net listener, on
 * loopback addresses and unix sockets in a temporary directory only.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "io/channel-socket.h"
#include "io/dns-resolver.h"
#include "io/net-listener.h"

#define WAIT_TIMEOUT_US (20 * G_USEC_PER_SEC)

/* Calls expected to succeed report here; see run_test. */
static GError *test_err;
static char *tmpdir;

static void wait_for(const bool *flag)
{
    gint64 deadline = g_get_monotonic_time() + WAIT_TIMEOUT_US;

    while (!*flag) {
        g_assert_cmpint(g_get_monotonic_time(), <, deadline);
        g_main_context_iteration(NULL, FALSE);
        if (!*flag) {
            g_usleep(1000);
        }
    }
}

static QIOChannelSocket *listen_on(const SocketAddress *addr)
{
    QIOChannelSocket *lioc = qio_channel_socket_new();

    g_assert_cmpint(qio_channel_socket_listen_sync(lioc, addr, 4, &test_err),
                    ==, 0);
    g_assert_true(qio_channel_has_feature(QIO_CHANNEL(lioc),
                                          QIO_CHANNEL_FEATURE_LISTEN));
    return lioc;
}

static QIOChannelSocket *connect_to(const SocketAddress *addr)
{
    QIOChannelSocket *cioc = qio_channel_socket_new();

    g_assert_cmpint(qio_channel_socket_connect_sync(cioc, addr, &test_err),
                    ==, 0);
    g_assert_false(qio_channel_has_feature(QIO_CHANNEL(cioc),
                                           QIO_CHANNEL_FEATURE_LISTEN));
    return cioc;
}

/* "ping" one way, "pong" the other. */
static void exchange(QIOChannelSocket *a, QIOChannelSocket *b)
{
    char buf[5] = "";

    g_assert_cmpint(qio_channel_write_all(QIO_CHANNEL(a), "ping", 4,
                                          &test_err), ==, 0);
    g_assert_cmpint(qio_channel_read_all(QIO_CHANNEL(b), buf, 4, &test_err),
                    ==, 0);
    g_assert_cmpstr(buf, ==, "ping");
    g_assert_cmpint(qio_channel_write_all(QIO_CHANNEL(b), "pong", 4,
                                          &test_err), ==, 0);
    g_assert_cmpint(qio_channel_read_all(QIO_CHANNEL(a), buf, 4, &test_err),
                    ==, 0);
    g_assert_cmpstr(buf, ==, "pong");
}

/* A unix listener replaces a stale socket file and removes it on close. */
static void test_unix_listen(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "listen.sock", NULL);
    g_autoptr(SocketAddress) addr = socket_address_new_unix(path);
    QIOChannelSocket *lioc, *cioc, *sioc;
    SocketAddress *local, *remote;
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    struct stat st;
    int stale;

    /* A socket file whose server died without removing it. */
    stale = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(sun.sun_path, path);
    g_assert_cmpint(bind(stale, (struct sockaddr *)&sun, sizeof(sun)), ==, 0);
    close(stale);
    g_assert_cmpint(lstat(path, &st), ==, 0);

    lioc = listen_on(addr);
    cioc = connect_to(addr);
    sioc = qio_channel_socket_accept(lioc, &test_err);
    g_assert_nonnull(sioc);
    g_assert_true(qio_channel_has_feature(QIO_CHANNEL(sioc),
                                          QIO_CHANNEL_FEATURE_FD_PASS));
    exchange(cioc, sioc);

    local = qio_channel_socket_get_local_address(sioc, &test_err);
    g_assert_cmpint(local->type, ==, SOCKET_ADDRESS_TYPE_UNIX);
    g_assert_cmpstr(local->u.q_unix.path, ==, path);
    remote = qio_channel_socket_get_remote_address(cioc, &test_err);
    g_assert_cmpstr(remote->u.q_unix.path, ==, path);
    socket_address_free(local);
    socket_address_free(remote);

    object_unref(OBJECT(cioc));
    object_unref(OBJECT(sioc));
    object_unref(OBJECT(lioc));
    g_assert_cmpint(lstat(path, &st), ==, -1);
    g_assert_cmpint(errno, ==, ENOENT);
}

/* Anything but a socket at the path is left alone and the bind fails. */
static void test_unix_listen_busy(void)
{
    g_autofree char *path = g_build_filename(tmpdir, "regular", NULL);
    g_autoptr(SocketAddress) addr = socket_address_new_unix(path);
    QIOChannelSocket *lioc = qio_channel_socket_new();
    GError *err = NULL;

    g_assert_true(g_file_set_contents(path, "keep", -1, &test_err));
    g_assert_cmpint(qio_channel_socket_listen_sync(lioc, addr, 1, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "Address already in use"));
    g_error_free(err);
    g_assert_true(g_file_test(path, G_FILE_TEST_IS_REGULAR));
    unlink(path);
    object_unref(OBJECT(lioc));
}

static void test_unix_path_too_long(void)
{
    g_autofree char *path = g_strnfill(200, 'x');
    g_autoptr(SocketAddress) addr = socket_address_new_unix(path);
    QIOChannelSocket *cioc = qio_channel_socket_new();
    GError *err = NULL;

    g_assert_cmpint(qio_channel_socket_connect_sync(cioc, addr, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, "too long"));
    g_error_free(err);
    object_unref(OBJECT(cioc));
}

/* Linux abstract names: no file; printed like paths, as QEMU does. */
static void test_unix_abstract(void)
{
    g_autofree char *name = g_strdup_printf("minivirt-test-%d", getpid());
    g_autoptr(SocketAddress) addr = socket_address_new_unix(name);
    g_autofree char *str = NULL;
    QIOChannelSocket *lioc, *cioc, *sioc;
    SocketAddress *local;

    addr->u.q_unix.abstract = true;
    str = socket_address_to_string(addr);
    g_assert_cmpstr(str + strlen("unix:"), ==, name);
    lioc = listen_on(addr);
    cioc = connect_to(addr);
    sioc = qio_channel_socket_accept(lioc, &test_err);
    g_assert_nonnull(sioc);
    exchange(cioc, sioc);
    local = qio_channel_socket_get_local_address(lioc, &test_err);
    g_assert_true(local->u.q_unix.abstract);
    g_assert_true(local->u.q_unix.tight);
    g_assert_cmpstr(local->u.q_unix.path, ==, name);
    g_assert_false(g_file_test(name, G_FILE_TEST_EXISTS));
    socket_address_free(local);
    object_unref(OBJECT(cioc));
    object_unref(OBJECT(sioc));
    object_unref(OBJECT(lioc));
}

/* TCP on @host with port 0: the bound port is read back and reachable. */
static void tcp_listen_accept(const char *host)
{
    g_autoptr(SocketAddress) addr = socket_address_new_inet(host, "0");
    QIOChannelSocket *lioc = qio_channel_socket_new();
    QIOChannelSocket *cioc, *sioc;
    SocketAddress *bound, *peer, *client;
    int nodelay = 0;
    socklen_t len = sizeof(nodelay);
    GError *err = NULL;

    if (qio_channel_socket_listen_sync(lioc, addr, 1, &err) < 0) {
        g_test_skip(err->message);
        g_error_free(err);
        object_unref(OBJECT(lioc));
        return;
    }
    bound = qio_channel_socket_get_local_address(lioc, &test_err);
    g_assert_cmpint(bound->type, ==, SOCKET_ADDRESS_TYPE_INET);
    g_assert_cmpstr(bound->u.inet.host, ==, host);
    g_assert_cmpint(atoi(bound->u.inet.port), >, 0);

    cioc = connect_to(bound);
    sioc = qio_channel_socket_accept(lioc, &test_err);
    g_assert_nonnull(sioc);
    g_assert_false(qio_channel_has_feature(QIO_CHANNEL(sioc),
                                           QIO_CHANNEL_FEATURE_FD_PASS));
    exchange(cioc, sioc);

    /* Each side's peer is the other side's local address. */
    peer = qio_channel_socket_get_remote_address(sioc, &test_err);
    client = qio_channel_socket_get_local_address(cioc, &test_err);
    g_assert_cmpstr(peer->u.inet.host, ==, client->u.inet.host);
    g_assert_cmpstr(peer->u.inet.port, ==, client->u.inet.port);
    socket_address_free(peer);
    peer = qio_channel_socket_get_remote_address(cioc, &test_err);
    g_assert_cmpstr(peer->u.inet.port, ==, bound->u.inet.port);

    qio_channel_set_delay(QIO_CHANNEL(cioc), false);
    g_assert_cmpint(getsockopt(cioc->fd, IPPROTO_TCP, TCP_NODELAY, &nodelay,
                               &len), ==, 0);
    g_assert_cmpint(nodelay, !=, 0);
    qio_channel_set_delay(QIO_CHANNEL(cioc), true);
    getsockopt(cioc->fd, IPPROTO_TCP, TCP_NODELAY, &nodelay, &len);
    g_assert_cmpint(nodelay, ==, 0);

    socket_address_free(peer);
    socket_address_free(client);
    socket_address_free(bound);
    object_unref(OBJECT(cioc));
    object_unref(OBJECT(sioc));
    object_unref(OBJECT(lioc));
}

static void test_tcp_ipv4(void)
{
    tcp_listen_accept("127.0.0.1");
}

static void test_tcp_ipv6(void)
{
    tcp_listen_accept("::1");
}

/* A port that nobody listens on (bound once, then released). */
static char *free_port(const char *host)
{
    g_autoptr(SocketAddress) addr = socket_address_new_inet(host, "0");
    QIOChannelSocket *lioc = listen_on(addr);
    SocketAddress *bound = qio_channel_socket_get_local_address(lioc,
                                                                &test_err);
    char *port = g_strdup(bound->u.inet.port);

    socket_address_free(bound);
    object_unref(OBJECT(lioc));
    return port;
}

/* to=: a busy first port makes the listener take a later one. */
static void test_tcp_port_range(void)
{
    g_autoptr(SocketAddress) any = socket_address_new_inet("127.0.0.1", "0");
    QIOChannelSocket *busy = listen_on(any);
    QIOChannelSocket *lioc;
    SocketAddress *bound = qio_channel_socket_get_local_address(busy,
                                                                &test_err);
    unsigned first = atoi(bound->u.inet.port);
    g_autoptr(SocketAddress) range = NULL;
    g_autofree char *spec = NULL;
    SocketAddress *got;
    GError *err = NULL;

    socket_address_free(bound);
    if (first > G_MAXUINT16 - 20) {
        g_test_skip("ephemeral port too close to 65535");
        object_unref(OBJECT(busy));
        return;
    }
    spec = g_strdup_printf("127.0.0.1:%u,to=%u", first, first + 20);
    range = socket_address_parse(spec, &test_err);
    g_assert_cmpint(range->u.inet.to, ==, first + 20);
    lioc = listen_on(range);
    got = qio_channel_socket_get_local_address(lioc, &test_err);
    g_assert_cmpint(atoi(got->u.inet.port), >, first);
    g_assert_cmpint(atoi(got->u.inet.port), <=, first + 20);
    socket_address_free(got);
    object_unref(OBJECT(lioc));

    /* Without a range the busy port is an error. */
    range->u.inet.to = 0;
    lioc = qio_channel_socket_new();
    g_assert_cmpint(qio_channel_socket_listen_sync(lioc, range, 1, &err),
                    ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "Address already in use"));
    g_error_free(err);
    object_unref(OBJECT(lioc));
    object_unref(OBJECT(busy));
}

static void test_connect_refused(void)
{
    g_autofree char *port = free_port("127.0.0.1");
    g_autoptr(SocketAddress) addr = socket_address_new_inet("127.0.0.1", port);
    QIOChannelSocket *cioc = qio_channel_socket_new();
    GError *err = NULL;

    g_assert_cmpint(qio_channel_socket_connect_sync(cioc, addr, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "Connection refused"));
    {
        g_autofree char *want = g_strdup_printf(
            "Failed to connect to '127.0.0.1:%s': Connection refused", port);

        g_assert_cmpstr(err->message, ==, want);
    }
    g_error_free(err);
    g_assert_cmpint(cioc->fd, ==, -1);
    object_unref(OBJECT(cioc));
}

typedef struct AsyncConnect {
    QIOChannelSocket *sioc;
    GError *err;
    GThread *thread;
    bool done;
    bool destroyed;
} AsyncConnect;

static void async_connect_done(QIOTask *task, gpointer opaque)
{
    AsyncConnect *ac = opaque;

    g_assert_true(qio_task_get_source(task) == OBJECT(ac->sioc));
    qio_task_propagate_error(task, &ac->err);
    ac->thread = g_thread_self();
    ac->done = true;
}

static void async_connect_destroy(gpointer opaque)
{
    ((AsyncConnect *)opaque)->destroyed = true;
}

/* Connect in a worker thread; the callback runs in the main loop. */
static void async_connect(const SocketAddress *addr, AsyncConnect *ac)
{
    ac->sioc = qio_channel_socket_new();
    qio_channel_socket_connect_async(ac->sioc, addr, async_connect_done, ac,
                                     async_connect_destroy, NULL);
    /* Only the main loop delivers the result. */
    g_assert_false(ac->done);
    wait_for(&ac->done);
    g_assert_true(ac->destroyed);
    g_assert_true(ac->thread == g_thread_self());
}

static void test_connect_async(void)
{
    g_autoptr(SocketAddress) any = socket_address_new_inet("127.0.0.1", "0");
    QIOChannelSocket *lioc = listen_on(any);
    SocketAddress *bound = qio_channel_socket_get_local_address(lioc,
                                                                &test_err);
    AsyncConnect ac = { 0 };
    QIOChannelSocket *sioc;

    async_connect(bound, &ac);
    g_assert_no_error(ac.err);
    sioc = qio_channel_socket_accept(lioc, &test_err);
    g_assert_nonnull(sioc);
    exchange(ac.sioc, sioc);
    socket_address_free(bound);
    object_unref(OBJECT(sioc));
    object_unref(OBJECT(ac.sioc));
    object_unref(OBJECT(lioc));
}

static void test_connect_async_refused(void)
{
    g_autofree char *port = free_port("127.0.0.1");
    g_autoptr(SocketAddress) addr = socket_address_new_inet("127.0.0.1", port);
    AsyncConnect ac = { 0 };

    async_connect(addr, &ac);
    g_assert_error(ac.err, MV_ERROR, MV_ERROR_IO);
    g_assert_nonnull(strstr(ac.err->message, "Connection refused"));
    g_error_free(ac.err);
    object_unref(OBJECT(ac.sioc));
}

/* Send a pipe's read end over a unix socket and read the pipe through it. */
static void test_fd_pass(void)
{
    int sv[2], pipefd[2];
    QIOChannelSocket *a, *b;
    char byte = 'f', buf[6] = "";
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    int *fds = NULL;
    size_t nfds = 0;

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                    ==, 0);
    g_assert_cmpint(pipe(pipefd), ==, 0);
    a = qio_channel_socket_new_fd(sv[0], &test_err);
    b = qio_channel_socket_new_fd(sv[1], &test_err);

    g_assert_cmpint(qio_channel_writev_full(QIO_CHANNEL(a), &iov, 1,
                                            &pipefd[0], 1, &test_err), ==, 1);
    close(pipefd[0]);   /* the sender keeps no copy */
    byte = 0;
    g_assert_cmpint(qio_channel_readv_full(QIO_CHANNEL(b), &iov, 1, &fds,
                                           &nfds, &test_err), ==, 1);
    g_assert_cmpint(byte, ==, 'f');
    g_assert_cmpuint(nfds, ==, 1);
    g_assert_cmpint(fcntl(fds[0], F_GETFD) & FD_CLOEXEC, !=, 0);

    g_assert_cmpint(write(pipefd[1], "hello", 5), ==, 5);
    g_assert_cmpint(read(fds[0], buf, 5), ==, 5);
    g_assert_cmpstr(buf, ==, "hello");
    close(fds[0]);
    g_free(fds);

    /* Plain data: no fds, and the array stays NULL. */
    g_assert_cmpint(qio_channel_write_all(QIO_CHANNEL(a), "z", 1, &test_err),
                    ==, 0);
    g_assert_cmpint(qio_channel_readv_full(QIO_CHANNEL(b), &iov, 1, &fds,
                                           &nfds, &test_err), ==, 1);
    g_assert_null(fds);
    g_assert_cmpuint(nfds, ==, 0);

    /* fds sent to a reader that does not take them are closed, not leaked. */
    g_assert_cmpint(qio_channel_writev_full_all(QIO_CHANNEL(a), &iov, 1,
                                                &pipefd[1], 1, &test_err),
                    ==, 0);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), &byte, 1, &test_err),
                    ==, 1);
    close(pipefd[1]);
    object_unref(OBJECT(a));
    object_unref(OBJECT(b));
}

/* fd:N listens on (a duplicate of) an inherited listening socket. */
static void test_fd_address(void)
{
    g_autoptr(SocketAddress) any = socket_address_new_inet("127.0.0.1", "0");
    QIOChannelSocket *orig = listen_on(any);
    g_autofree char *num = g_strdup_printf("%d", orig->fd);
    g_autoptr(SocketAddress) fdaddr = socket_address_new_fd(num);
    QIOChannelSocket *lioc = listen_on(fdaddr);
    SocketAddress *bound = qio_channel_socket_get_local_address(lioc,
                                                                &test_err);
    QIOChannelSocket *cioc, *sioc;
    GError *err = NULL;

    g_assert_cmpint(lioc->fd, !=, orig->fd);
    cioc = connect_to(bound);
    sioc = qio_channel_socket_accept(lioc, &test_err);
    exchange(cioc, sioc);
    socket_address_free(bound);
    object_unref(OBJECT(cioc));
    object_unref(OBJECT(sioc));
    object_unref(OBJECT(lioc));
    object_unref(OBJECT(orig));

    /* A pipe is not a socket. */
    socket_address_free(fdaddr);
    fdaddr = socket_address_new_fd("0");
    lioc = qio_channel_socket_new();
    if (qio_channel_socket_listen_sync(lioc, fdaddr, 1, &err) < 0) {
        g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);
        g_error_free(err);
    }
    object_unref(OBJECT(lioc));
}

typedef struct ListenerClients {
    unsigned count;
    bool all;
    unsigned expected;
    GPtrArray *socks;
} ListenerClients;

static void listener_client(QIONetListener *listener, QIOChannelSocket *sioc,
                            gpointer data)
{
    ListenerClients *lc = data;

    g_ptr_array_add(lc->socks, object_ref(OBJECT(sioc)));
    lc->all = ++lc->count == lc->expected;
}

/*
 * Every address "localhost" resolves to gets a socket, all on the one
 * ephemeral port, and clients of each are handed over from the main loop.
 */
static void test_net_listener_localhost(void)
{
    g_autoptr(SocketAddress) addr = socket_address_new_inet("localhost", "0");
    QIONetListener *listener = qio_net_listener_new();
    ListenerClients lc = { .socks = g_ptr_array_new() };
    QIOChannelSocket *const *socks;
    SocketAddress **resolved;
    size_t nresolved, nsocks;
    char *port = NULL;
    GPtrArray *clients = g_ptr_array_new();

    g_assert_cmpint(qio_dns_resolver_lookup_sync(addr, &nresolved, &resolved,
                                                 &test_err), ==, 0);
    g_assert_false(qio_net_listener_is_connected(listener));
    g_assert_cmpint(qio_net_listener_open_sync(listener, addr, 4, &test_err),
                    ==, 0);
    g_assert_true(qio_net_listener_is_connected(listener));
    qio_net_listener_set_name(listener, "test");
    socks = qio_net_listener_get_sockets(listener, &nsocks);
    g_test_message("localhost has %zu address(es), %zu listening", nresolved,
                   nsocks);
    g_assert_cmpuint(nsocks, >=, 1);
    g_assert_cmpuint(nsocks, <=, nresolved);
    /* An address left out is one that cannot be bound here at all. */
    for (size_t i = 0; i < nresolved; i++) {
        bool listening = false;

        for (size_t j = 0; j < nsocks; j++) {
            SocketAddress *bound =
                qio_channel_socket_get_local_address(socks[j], &test_err);

            listening |= g_str_equal(bound->u.inet.host,
                                     resolved[i]->u.inet.host);
            socket_address_free(bound);
        }
        if (!listening) {
            g_autoptr(SocketAddress) one =
                socket_address_new_inet(resolved[i]->u.inet.host, "0");
            QIOChannelSocket *lioc = qio_channel_socket_new();
            GError *err = NULL;

            g_assert_cmpint(qio_channel_socket_listen_sync(lioc, one, 1, &err),
                            ==, -1);
            g_test_message("%s: %s", resolved[i]->u.inet.host, err->message);
            g_error_free(err);
            object_unref(OBJECT(lioc));
        }
    }

    lc.expected = nsocks;
    qio_net_listener_set_client_func(listener, listener_client, &lc, NULL);
    for (size_t i = 0; i < nsocks; i++) {
        SocketAddress *bound =
            qio_channel_socket_get_local_address(socks[i], &test_err);

        if (!port) {
            port = g_strdup(bound->u.inet.port);
        }
        g_assert_cmpstr(bound->u.inet.port, ==, port);
        g_ptr_array_add(clients, connect_to(bound));
        socket_address_free(bound);
    }
    wait_for(&lc.all);
    for (guint i = 0; i < clients->len; i++) {
        exchange(g_ptr_array_index(clients, i), g_ptr_array_index(lc.socks, i));
        object_unref(g_ptr_array_index(clients, i));
        object_unref(g_ptr_array_index(lc.socks, i));
    }

    qio_net_listener_disconnect(listener);
    g_assert_false(qio_net_listener_is_connected(listener));
    {
        g_autoptr(SocketAddress) gone = socket_address_new_inet("127.0.0.1",
                                                                port);
        QIOChannelSocket *cioc = qio_channel_socket_new();
        GError *err = NULL;

        g_assert_cmpint(qio_channel_socket_connect_sync(cioc, gone, &err),
                        ==, -1);
        g_error_free(err);
        object_unref(OBJECT(cioc));
    }
    g_free(port);
    g_ptr_array_free(clients, true);
    g_ptr_array_free(lc.socks, true);
    socket_address_list_free(resolved, nresolved);
    object_unref(OBJECT(listener));
}

/* Both loopback families in one listener; wait_client takes either. */
static void test_net_listener_wait_client(void)
{
    g_autoptr(SocketAddress) v4 = socket_address_new_inet("127.0.0.1", "0");
    g_autoptr(SocketAddress) v6 = socket_address_new_inet("::1", "0");
    QIONetListener *listener = qio_net_listener_new();
    QIOChannelSocket *const *socks;
    size_t nsocks;
    GError *err = NULL;

    g_assert_cmpint(qio_net_listener_open_sync(listener, v4, 1, &test_err),
                    ==, 0);
    if (qio_net_listener_open_sync(listener, v6, 1, &err) < 0) {
        g_test_message("no IPv6 loopback: %s", err->message);
        g_clear_error(&err);
    }
    socks = qio_net_listener_get_sockets(listener, &nsocks);
    for (size_t i = 0; i < nsocks; i++) {
        SocketAddress *bound =
            qio_channel_socket_get_local_address(socks[i], &test_err);
        /* The kernel queues the connection; wait_client accepts it. */
        QIOChannelSocket *cioc = connect_to(bound);
        QIOChannelSocket *sioc = qio_net_listener_wait_client(listener);

        g_assert_nonnull(sioc);
        exchange(cioc, sioc);
        object_unref(OBJECT(sioc));
        object_unref(OBJECT(cioc));
        socket_address_free(bound);
    }
    object_unref(OBJECT(listener));
}

/* A name that does not resolve fails open_sync with NOT_FOUND. */
static void test_net_listener_bad_name(void)
{
    g_autoptr(SocketAddress) addr =
        socket_address_new_inet("minivirt-nonexistent.invalid", "0");
    QIONetListener *listener = qio_net_listener_new();
    GError *err = NULL;

    g_assert_cmpint(qio_net_listener_open_sync(listener, addr, 1, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_FOUND);
    g_error_free(err);
    g_assert_false(qio_net_listener_is_connected(listener));
    object_unref(OBJECT(listener));
}

/* Datagrams keep their boundaries, both ways. */
static void dgram_pair(SocketAddress *la, SocketAddress *lb)
{
    QIOChannelSocket *a = qio_channel_socket_new();
    QIOChannelSocket *b = qio_channel_socket_new();
    char buf[64];

    g_assert_cmpint(qio_channel_socket_dgram_sync(a, la, lb, &test_err), ==, 0);
    g_assert_cmpint(qio_channel_socket_dgram_sync(b, lb, la, &test_err), ==, 0);
    g_assert_cmpint(qio_channel_write(QIO_CHANNEL(a), "one", 3, &test_err),
                    ==, 3);
    g_assert_cmpint(qio_channel_write(QIO_CHANNEL(a), "two!", 4, &test_err),
                    ==, 4);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), buf, sizeof(buf),
                                     &test_err), ==, 3);
    g_assert_cmpmem(buf, 3, "one", 3);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(b), buf, sizeof(buf),
                                     &test_err), ==, 4);
    g_assert_cmpint(qio_channel_write(QIO_CHANNEL(b), "back", 4, &test_err),
                    ==, 4);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(a), buf, sizeof(buf),
                                     &test_err), ==, 4);
    g_assert_cmpmem(buf, 4, "back", 4);
    /* Nothing more queued. */
    qio_channel_set_blocking(QIO_CHANNEL(a), false, &test_err);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(a), buf, sizeof(buf),
                                     &test_err), ==, QIO_CHANNEL_ERR_BLOCK);
    object_unref(OBJECT(a));
    object_unref(OBJECT(b));
}

/* A free UDP port: bind port 0, read it back, release it. */
static char *free_udp_port(void)
{
    g_autoptr(SocketAddress) any = socket_address_new_inet("127.0.0.1", "0");
    g_autoptr(SocketAddress) peer = socket_address_new_inet("127.0.0.1", "9");
    QIOChannelSocket *s = qio_channel_socket_new();
    SocketAddress *bound;
    char *port;

    g_assert_cmpint(qio_channel_socket_dgram_sync(s, any, peer, &test_err),
                    ==, 0);
    bound = qio_channel_socket_get_local_address(s, &test_err);
    port = g_strdup(bound->u.inet.port);
    socket_address_free(bound);
    object_unref(OBJECT(s));
    return port;
}

static void test_dgram_udp(void)
{
    g_autofree char *pa = free_udp_port();
    g_autofree char *pb = free_udp_port();
    g_autoptr(SocketAddress) la = socket_address_new_inet("127.0.0.1", pa);
    g_autoptr(SocketAddress) lb = socket_address_new_inet("127.0.0.1", pb);

    dgram_pair(la, lb);
}

/*
 * Unix datagrams: a connected dgram socket needs its peer bound first, so
 * the peer here is a plain socket bound at @pb that answers with sendto.
 */
static void test_dgram_unix(void)
{
    g_autofree char *pa = g_build_filename(tmpdir, "dgram-a", NULL);
    g_autofree char *pb = g_build_filename(tmpdir, "dgram-b", NULL);
    g_autoptr(SocketAddress) la = socket_address_new_unix(pa);
    g_autoptr(SocketAddress) lb = socket_address_new_unix(pb);
    QIOChannelSocket *a = qio_channel_socket_new();
    struct sockaddr_un sun_a = { .sun_family = AF_UNIX };
    struct sockaddr_un sun_b = { .sun_family = AF_UNIX };
    char buf[16];
    GError *err = NULL;
    int peer;

    /* No peer yet: the connect fails. */
    g_assert_cmpint(qio_channel_socket_dgram_sync(a, la, lb, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_error_free(err);
    object_unref(OBJECT(a));

    peer = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    strcpy(sun_b.sun_path, pb);
    g_assert_cmpint(bind(peer, (struct sockaddr *)&sun_b, sizeof(sun_b)),
                    ==, 0);
    /* The failed attempt left a stale socket file at pa: it is replaced. */
    a = qio_channel_socket_new();
    g_assert_cmpint(qio_channel_socket_dgram_sync(a, la, lb, &test_err), ==, 0);

    g_assert_cmpint(qio_channel_write(QIO_CHANNEL(a), "one", 3, &test_err),
                    ==, 3);
    g_assert_cmpint(qio_channel_write(QIO_CHANNEL(a), "two!", 4, &test_err),
                    ==, 4);
    g_assert_cmpint(recv(peer, buf, sizeof(buf), 0), ==, 3);
    g_assert_cmpint(recv(peer, buf, sizeof(buf), 0), ==, 4);
    g_assert_cmpmem(buf, 4, "two!", 4);

    strcpy(sun_a.sun_path, pa);
    g_assert_cmpint(sendto(peer, "back", 4, 0, (struct sockaddr *)&sun_a,
                           sizeof(sun_a)), ==, 4);
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(a), buf, sizeof(buf),
                                     &test_err), ==, 4);
    g_assert_cmpmem(buf, 4, "back", 4);

    close(peer);
    object_unref(OBJECT(a));
    unlink(pa);
    unlink(pb);
}

static void test_address_parse(void)
{
    static const struct {
        const char *in;
        const char *out;    /* socket_address_to_string, NULL = error */
    } cases[] = {
        { "unix:/tmp/x.sock", "unix:/tmp/x.sock" },
        { "tcp:127.0.0.1:4444", "tcp:127.0.0.1:4444" },
        { "localhost:4444", "tcp:localhost:4444" },
        { ":4444", "tcp::4444" },
        { "[::1]:5000", "tcp:[::1]:5000" },
        { "tcp:[::1]:5000,ipv6=on,to=5010", "tcp:[::1]:5000" },
        { "fd:3", "fd:3" },
        { "nocolon", NULL },
        { "[::1", NULL },
        { "host:", NULL },
        { "unix:", NULL },
        { "host:1,bogus=1", NULL },
        { "host:1,to=99999", NULL },
        { "host:1,ipv4=maybe", NULL },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *err = NULL;
        SocketAddress *addr = socket_address_parse(cases[i].in, &err);

        if (!cases[i].out) {
            g_assert_null(addr);
            g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);
            g_error_free(err);
            continue;
        }
        g_assert_no_error(err);
        {
            g_autofree char *str = socket_address_to_string(addr);
            SocketAddress *copy = socket_address_copy(addr);
            g_autofree char *str2 = socket_address_to_string(copy);
            SocketAddress *again = socket_address_parse(str, &test_err);
            g_autofree char *str3 = socket_address_to_string(again);

            g_assert_cmpstr(str, ==, cases[i].out);
            g_assert_cmpstr(str2, ==, str);
            g_assert_cmpstr(str3, ==, str);
            socket_address_free(copy);
            socket_address_free(again);
        }
        if (g_str_has_suffix(cases[i].in, "to=5010")) {
            g_assert_cmpint(addr->u.inet.to, ==, 5010);
            g_assert_true(addr->u.inet.has_ipv6 && addr->u.inet.ipv6);
            g_assert_false(addr->u.inet.has_ipv4);
        }
        socket_address_free(addr);
    }
}

static void run_test(gconstpointer data)
{
    ((void (*)(void))data)();
    g_assert_no_error(test_err);
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

static void add_test(const char *path, void (*fn)(void))
{
    g_test_add_data_func(path, (gconstpointer)fn, run_test);
}

int main(int argc, char **argv)
{
    int ret;

    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("test-io-socket-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    add_test("/io/socket/address/parse-print", test_address_parse);
    add_test("/io/socket/unix/listen-accept", test_unix_listen);
    add_test("/io/socket/unix/listen-not-a-socket", test_unix_listen_busy);
    add_test("/io/socket/unix/path-too-long", test_unix_path_too_long);
    add_test("/io/socket/unix/abstract", test_unix_abstract);
    add_test("/io/socket/tcp/ipv4/listen-accept", test_tcp_ipv4);
    add_test("/io/socket/tcp/ipv6/listen-accept", test_tcp_ipv6);
    add_test("/io/socket/tcp/port-range", test_tcp_port_range);
    add_test("/io/socket/connect/refused", test_connect_refused);
    add_test("/io/socket/connect/async", test_connect_async);
    add_test("/io/socket/connect/async-refused", test_connect_async_refused);
    add_test("/io/socket/unix/fd-pass", test_fd_pass);
    add_test("/io/socket/fd-address", test_fd_address);
    add_test("/io/socket/net-listener/localhost", test_net_listener_localhost);
    add_test("/io/socket/net-listener/wait-client",
             test_net_listener_wait_client);
    add_test("/io/socket/net-listener/bad-name", test_net_listener_bad_name);
    add_test("/io/socket/dgram/udp", test_dgram_udp);
    add_test("/io/socket/dgram/unix", test_dgram_unix);
    ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
