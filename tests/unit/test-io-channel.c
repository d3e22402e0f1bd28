/*
 * test-io-channel: every channel type through one read/write harness.
 *
 * A case builds a pair (a writer and a reader; for the buffer and the
 * command channel they are one object), then the same checks run on it:
 * blocking and non-blocking transfer of 1 MiB written with several iovecs,
 * "would block" on an empty channel, watches for IN/OUT/HUP, EOF after
 * shutdown or close, the *_all helpers on non-blocking channels, and writes
 * to a vanished reader failing without SIGPIPE.  The null channel has its
 * own semantics and is checked on its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "io/channel-buffer.h"
#include "io/channel-command.h"
#include "io/channel-file.h"
#include "io/channel-null.h"
#include "io/channel-socket.h"

#define PAYLOAD_SIZE (1024 * 1024)
#define WAIT_TIMEOUT_US (20 * G_USEC_PER_SEC)

enum {
    CASE_SAME = 1 << 0,         /* writer and reader are one object */
    CASE_SEQUENTIAL = 1 << 1,   /* holds everything: write, then read */
    CASE_REGULAR = 1 << 2,      /* a regular file: never blocks */
    CASE_SHUTDOWN = 1 << 3,     /* the writer supports shutdown */
    CASE_FD_PASS = 1 << 4,
    CASE_HUP = 1 << 5,          /* the reader sees G_IO_HUP at EOF */
    CASE_PIPE_ERR = 1 << 6,     /* writing after the reader left fails */
};

/*
 * Calls expected to succeed report here; each test asserts it stayed NULL
 * (their return values are asserted too, so a failure stops at once).
 */
static GError *test_err;

typedef struct Pair {
    QIOChannel *src;
    QIOChannel *dst;
} Pair;

typedef struct ChannelCase {
    const char *name;
    bool (*make)(Pair *pair);   /* false: not available here, skip */
    unsigned flags;
} ChannelCase;

/* ---- the cases ---- */

static bool make_unix_pair(Pair *p)
{
    int sv[2];

    g_assert_cmpint(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                    ==, 0);
    p->src = QIO_CHANNEL(qio_channel_socket_new_fd(sv[0], &test_err));
    p->dst = QIO_CHANNEL(qio_channel_socket_new_fd(sv[1], &test_err));
    return true;
}

/* A loopback TCP connection: listen on port 0, connect, accept. */
static bool make_tcp(Pair *p, const char *host)
{
    g_autoptr(SocketAddress) addr = socket_address_new_inet(host, "0");
    QIOChannelSocket *lioc = qio_channel_socket_new();
    QIOChannelSocket *cioc = qio_channel_socket_new();
    SocketAddress *bound;
    GError *err = NULL;

    if (qio_channel_socket_listen_sync(lioc, addr, 1, &err) < 0) {
        g_test_skip(err->message);
        g_error_free(err);
        object_unref(OBJECT(lioc));
        object_unref(OBJECT(cioc));
        return false;
    }
    bound = qio_channel_socket_get_local_address(lioc, &test_err);
    g_assert_cmpstr(bound->u.inet.port, !=, "0");
    g_assert_cmpint(qio_channel_socket_connect_sync(cioc, bound, &test_err),
                    ==, 0);
    p->src = QIO_CHANNEL(cioc);
    p->dst = QIO_CHANNEL(qio_channel_socket_accept(lioc, &test_err));
    g_assert_nonnull(p->dst);
    socket_address_free(bound);
    object_unref(OBJECT(lioc));
    return true;
}

static bool make_tcp4(Pair *p)
{
    return make_tcp(p, "127.0.0.1");
}

static bool make_tcp6(Pair *p)
{
    return make_tcp(p, "::1");
}

static bool make_pipe(Pair *p)
{
    int fds[2];

    g_assert_cmpint(pipe2(fds, O_CLOEXEC), ==, 0);
    p->dst = QIO_CHANNEL(qio_channel_file_new_fd(fds[0]));
    p->src = QIO_CHANNEL(qio_channel_file_new_fd(fds[1]));
    return true;
}

/* Two channels on one temporary file: one appends, one reads. */
static bool make_tmpfile(Pair *p)
{
    g_autofree char *path = NULL;
    int fd = g_file_open_tmp("test-io-channel-XXXXXX", &path, &test_err);

    close(fd);
    p->src = QIO_CHANNEL(qio_channel_file_new_path(path, O_WRONLY | O_TRUNC,
                                                   0600, &test_err));
    p->dst = QIO_CHANNEL(qio_channel_file_new_path(path, O_RDONLY, 0,
                                                   &test_err));
    unlink(path);
    return true;
}

static bool make_command(Pair *p)
{
    static const char *const argv[] = { "cat", NULL };

    p->src = QIO_CHANNEL(qio_channel_command_new_spawn(argv, O_RDWR,
                                                       &test_err));
    p->dst = p->src;
    return true;
}

static bool make_buffer(Pair *p)
{
    p->src = QIO_CHANNEL(qio_channel_buffer_new(0));
    p->dst = p->src;
    return true;
}

static const ChannelCase cases[] = {
    { "socket/unix-pair", make_unix_pair,
      CASE_SHUTDOWN | CASE_FD_PASS | CASE_HUP | CASE_PIPE_ERR },
    { "socket/tcp-ipv4", make_tcp4, CASE_SHUTDOWN | CASE_PIPE_ERR },
    { "socket/tcp-ipv6", make_tcp6, CASE_SHUTDOWN | CASE_PIPE_ERR },
    { "file/pipe", make_pipe, CASE_HUP | CASE_PIPE_ERR },
    { "file/regular", make_tmpfile, CASE_SEQUENTIAL | CASE_REGULAR },
    { "command/cat", make_command,
      CASE_SAME | CASE_SHUTDOWN | CASE_HUP | CASE_PIPE_ERR },
    { "buffer", make_buffer,
      CASE_SAME | CASE_SEQUENTIAL | CASE_SHUTDOWN | CASE_HUP },
};

static void pair_free(Pair *p)
{
    if (p->dst != p->src) {
        object_unref(OBJECT(p->dst));
    }
    object_unref(OBJECT(p->src));
}

/* ---- helpers ---- */

static uint8_t *payload_new(void)
{
    uint8_t *buf = g_malloc(PAYLOAD_SIZE);

    for (size_t i = 0; i < PAYLOAD_SIZE; i++) {
        buf[i] = (uint8_t)(i * 7 + (i >> 11));
    }
    return buf;
}

/* The payload as five iovecs of uneven sizes. */
static void payload_iov(uint8_t *buf, struct iovec iov[5])
{
    static const size_t cuts[] = { 0, 1, 4097, 300000, 700001, PAYLOAD_SIZE };

    for (int i = 0; i < 5; i++) {
        iov[i].iov_base = buf + cuts[i];
        iov[i].iov_len = cuts[i + 1] - cuts[i];
    }
}

/* Iterate the default context until *@flag, failing after a deadline. */
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

typedef struct WatchHit {
    GIOCondition cond;
    bool fired;
} WatchHit;

static gboolean record_watch(QIOChannel *ioc, GIOCondition cond, gpointer data)
{
    WatchHit *hit = data;

    hit->cond |= cond;
    hit->fired = true;
    return G_SOURCE_REMOVE;
}

/* Raw I/O loops for a helper thread: they never create watches. */
typedef struct ThreadIO {
    QIOChannel *ioc;
    uint8_t *buf;
    size_t len;
    unsigned delay_ms;
} ThreadIO;

/* Read (or with @write, write) t->len bytes, polling with short sleeps. */
static void thread_io(ThreadIO *t, bool write)
{
    size_t done = 0;

    g_usleep(t->delay_ms * 1000);
    while (done < t->len) {
        char *at = (char *)t->buf + done;
        ssize_t n = write
            ? qio_channel_write(t->ioc, at, MIN(t->len - done, 65536), &test_err)
            : qio_channel_read(t->ioc, at, t->len - done, &test_err);

        if (n == QIO_CHANNEL_ERR_BLOCK) {
            g_usleep(1000);
            continue;
        }
        g_assert_cmpint(n, >, 0);
        done += n;
    }
}

static gpointer thread_read(gpointer opaque)
{
    thread_io(opaque, false);
    return NULL;
}

static gpointer thread_write(gpointer opaque)
{
    thread_io(opaque, true);
    return NULL;
}

static gpointer thread_writev_all(gpointer opaque)
{
    ThreadIO *t = opaque;
    struct iovec iov[5];

    payload_iov(t->buf, iov);
    g_assert_cmpint(qio_channel_writev_all(t->ioc, iov, 5, &test_err),
                    ==, 0);
    return NULL;
}

/* ---- the checks ---- */

typedef struct Check {
    const ChannelCase *c;
    void (*fn)(const ChannelCase *c, Pair *p);
} Check;

/* Blocking mode: writev_all of 1 MiB in five iovecs, read_all of it. */
static void check_blocking(const ChannelCase *c, Pair *p)
{
    g_autofree uint8_t *out = payload_new();
    g_autofree uint8_t *in = g_malloc0(PAYLOAD_SIZE);
    ThreadIO t = { .ioc = p->src, .buf = out, .len = PAYLOAD_SIZE };

    if (c->flags & CASE_SEQUENTIAL) {
        thread_writev_all(&t);
    } else {
        GThread *th = g_thread_new("writer", thread_writev_all, &t);

        g_assert_cmpint(qio_channel_read_all(p->dst, (char *)in, PAYLOAD_SIZE,
                                             &test_err), ==, 0);
        g_thread_join(th);
    }
    if (c->flags & CASE_SEQUENTIAL) {
        g_assert_cmpint(qio_channel_read_all(p->dst, (char *)in, PAYLOAD_SIZE,
                                             &test_err), ==, 0);
    }
    g_assert(memcmp(in, out, PAYLOAD_SIZE) == 0);
}

typedef struct Xfer {
    QIOChannel *src, *dst;
    const uint8_t *out;
    uint8_t *in;
    size_t written, nread;
    unsigned regular;
    bool done;
} Xfer;

static gboolean xfer_write(QIOChannel *ioc, GIOCondition cond, gpointer data)
{
    Xfer *x = data;

    g_assert(cond & G_IO_OUT);
    while (x->written < PAYLOAD_SIZE) {
        struct iovec iov[2];
        size_t left = PAYLOAD_SIZE - x->written;
        ssize_t n;

        /* Two iovecs per call, so partial vectored writes are exercised. */
        iov[0].iov_base = (void *)(x->out + x->written);
        iov[0].iov_len = left / 2;
        iov[1].iov_base = (void *)(x->out + x->written + left / 2);
        iov[1].iov_len = left - left / 2;
        n = qio_channel_writev(x->src, iov, 2, &test_err);
        if (n == QIO_CHANNEL_ERR_BLOCK) {
            return G_SOURCE_CONTINUE;
        }
        g_assert_cmpint(n, >, 0);
        x->written += n;
    }
    return G_SOURCE_REMOVE;
}

static gboolean xfer_read(QIOChannel *ioc, GIOCondition cond, gpointer data)
{
    Xfer *x = data;

    for (;;) {
        ssize_t n = qio_channel_read(x->dst, (char *)x->in + x->nread,
                                     PAYLOAD_SIZE - x->nread, &test_err);

        if (n == QIO_CHANNEL_ERR_BLOCK) {
            return G_SOURCE_CONTINUE;
        }
        if (n == 0) {
            /* Only a regular file reads 0 while its writer is not done. */
            g_assert_true(x->regular && x->written < PAYLOAD_SIZE);
            return G_SOURCE_CONTINUE;
        }
        x->nread += n;
        if (x->nread == PAYLOAD_SIZE) {
            x->done = true;
            return G_SOURCE_REMOVE;
        }
    }
}

/* Non-blocking mode: "would block" when empty, then a main-loop transfer. */
static void check_nonblocking(const ChannelCase *c, Pair *p)
{
    g_autofree uint8_t *out = payload_new();
    g_autofree uint8_t *in = g_malloc0(PAYLOAD_SIZE);
    Xfer x = { .src = p->src, .dst = p->dst, .out = out, .in = in,
               .regular = c->flags & CASE_REGULAR };
    char byte;

    g_assert_cmpint(qio_channel_set_blocking(p->src, false, &test_err),
                    ==, 0);
    g_assert_cmpint(qio_channel_set_blocking(p->dst, false, &test_err),
                    ==, 0);
    /* Nothing written yet: a regular file is at EOF, the rest would block. */
    g_assert_cmpint(qio_channel_read(p->dst, &byte, 1, &test_err), ==,
                    (c->flags & CASE_REGULAR) ? 0 : QIO_CHANNEL_ERR_BLOCK);

    qio_channel_add_watch(p->src, G_IO_OUT, xfer_write, &x, NULL);
    qio_channel_add_watch(p->dst, G_IO_IN, xfer_read, &x, NULL);
    wait_for(&x.done);
    g_assert_cmpuint(x.written, ==, PAYLOAD_SIZE);
    g_assert(memcmp(in, out, PAYLOAD_SIZE) == 0);
}

/*
 * The *_all helpers on non-blocking channels wait (nested poll) for a peer
 * that is slow: a thread that reads or writes late, in small steps.
 */
static void check_all_nonblocking(const ChannelCase *c, Pair *p)
{
    g_autofree uint8_t *out = payload_new();
    g_autofree uint8_t *in = g_malloc0(PAYLOAD_SIZE);
    struct iovec iov[5];
    ThreadIO t;
    GThread *th = NULL;

    qio_channel_set_blocking(p->src, false, &test_err);
    qio_channel_set_blocking(p->dst, false, &test_err);
    payload_iov(out, iov);

    /* The writer fills the channel and waits for the late reader. */
    t = (ThreadIO){ .ioc = p->dst, .buf = in, .len = PAYLOAD_SIZE,
                    .delay_ms = 50 };
    if (!(c->flags & CASE_SEQUENTIAL)) {
        th = g_thread_new("reader", thread_read, &t);
    }
    g_assert_cmpint(qio_channel_writev_all(p->src, iov, 5, &test_err),
                    ==, 0);
    if (th) {
        g_thread_join(th);
    } else {
        g_assert_cmpint(qio_channel_read_all(p->dst, (char *)in, PAYLOAD_SIZE,
                                             &test_err), ==, 0);
    }
    g_assert(memcmp(in, out, PAYLOAD_SIZE) == 0);
    if (c->flags & CASE_SEQUENTIAL) {
        return;
    }

    /* The reader waits for a late writer. */
    memset(in, 0, PAYLOAD_SIZE);
    t = (ThreadIO){ .ioc = p->src, .buf = out, .len = PAYLOAD_SIZE,
                    .delay_ms = 50 };
    th = g_thread_new("writer", thread_write, &t);
    g_assert_cmpint(qio_channel_read_all_eof(p->dst, (char *)in, PAYLOAD_SIZE,
                                             &test_err), ==, 1);
    g_thread_join(th);
    g_assert(memcmp(in, out, PAYLOAD_SIZE) == 0);
}

static double thread_cpu_seconds(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * While read_all waits for a peer that is silent for a while, this thread
 * sleeps in poll: it uses a small part of that time, where a busy loop
 * would use all of it.
 */
static void check_all_no_spin(const ChannelCase *c, Pair *p)
{
    enum { DELAY_MS = 300 };
    char out[16] = "late but whole!", in[16] = "";
    ThreadIO t = { .ioc = p->src, .buf = (uint8_t *)out, .len = sizeof(out),
                   .delay_ms = DELAY_MS };
    GThread *th;
    double cpu;

    qio_channel_set_blocking(p->src, false, &test_err);
    qio_channel_set_blocking(p->dst, false, &test_err);
    th = g_thread_new("late-writer", thread_write, &t);
    cpu = thread_cpu_seconds();
    g_assert_cmpint(qio_channel_read_all(p->dst, in, sizeof(in), &test_err),
                    ==, 0);
    cpu = thread_cpu_seconds() - cpu;
    g_thread_join(th);
    g_assert_cmpstr(in, ==, out);
    g_test_message("CPU while waiting %d ms: %.1f ms", DELAY_MS, cpu * 1e3);
    g_assert_cmpfloat(cpu, <, DELAY_MS / 3 / 1e3);
}

/* Watches: IN only once data is there, OUT at once, IN/HUP at EOF. */
static void check_watch(const ChannelCase *c, Pair *p)
{
    WatchHit in_hit = { 0 }, out_hit = { 0 }, eof_hit = { 0 };
    char byte = 0;

    qio_channel_set_blocking(p->src, false, &test_err);
    qio_channel_set_blocking(p->dst, false, &test_err);

    qio_channel_add_watch(p->dst, G_IO_IN, record_watch, &in_hit, NULL);
    if (!(c->flags & CASE_REGULAR)) {
        /* An empty channel is not readable; give the loop a chance. */
        for (int i = 0; i < 20; i++) {
            g_main_context_iteration(NULL, FALSE);
            g_usleep(1000);
        }
        g_assert_false(in_hit.fired);
    }
    qio_channel_add_watch(p->src, G_IO_OUT, record_watch, &out_hit, NULL);
    wait_for(&out_hit.fired);
    g_assert_true(out_hit.cond & G_IO_OUT);

    g_assert_cmpint(qio_channel_write(p->src, "x", 1, &test_err), ==, 1);
    wait_for(&in_hit.fired);
    g_assert_true(in_hit.cond & G_IO_IN);
    g_assert_cmpint(qio_channel_read(p->dst, &byte, 1, &test_err), ==, 1);
    g_assert_cmpint(byte, ==, 'x');

    /* The peer goes away (one object: it stops writing). */
    if (p->src == p->dst) {
        g_assert_cmpint(qio_channel_shutdown(p->src, QIO_CHANNEL_SHUTDOWN_WRITE,
                                             &test_err), ==, 0);
    } else {
        g_assert_cmpint(qio_channel_close(p->src, &test_err), ==, 0);
    }
    qio_channel_add_watch(p->dst, G_IO_IN | G_IO_HUP, record_watch, &eof_hit,
                          NULL);
    wait_for(&eof_hit.fired);
    if (c->flags & CASE_HUP) {
        g_assert_true(eof_hit.cond & G_IO_HUP);
    }
    g_assert_cmpint(qio_channel_read(p->dst, &byte, 1, &test_err), ==, 0);
}

/* EOF after shutdown(WRITE) or close: read_all_eof's three outcomes. */
static void check_eof(const ChannelCase *c, Pair *p)
{
    char buf[8] = "";
    GError *err = NULL;

    g_assert_cmpint(qio_channel_write_all(p->src, "hello", 5, &test_err),
                    ==, 0);
    if (c->flags & CASE_SHUTDOWN) {
        g_assert_cmpint(qio_channel_shutdown(p->src, QIO_CHANNEL_SHUTDOWN_WRITE,
                                             &test_err), ==, 0);
        /* A write after shutdown is an error (EPIPE), never a SIGPIPE. */
        g_assert_cmpint(qio_channel_write(p->src, "x", 1, &err), ==, -1);
        g_assert_error(err, MV_ERROR, MV_ERROR_IO);
        g_clear_error(&err);
    } else {
        g_assert_cmpint(qio_channel_close(p->src, &test_err), ==, 0);
    }
    g_assert_cmpint(qio_channel_read_all_eof(p->dst, buf, 5, &test_err),
                    ==, 1);
    g_assert_cmpstr(buf, ==, "hello");
    g_assert_cmpint(qio_channel_read_all_eof(p->dst, buf, 5, &test_err),
                    ==, 0);
    g_assert_cmpint(qio_channel_read_all(p->dst, buf, 5, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_clear_error(&err);
}

/* EOF in the middle of read_all_eof is an error, not a clean EOF. */
static void check_short_eof(const ChannelCase *c, Pair *p)
{
    char buf[8];
    GError *err = NULL;

    g_assert_cmpint(qio_channel_write_all(p->src, "abc", 3, &test_err),
                    ==, 0);
    if (c->flags & CASE_SHUTDOWN) {
        qio_channel_shutdown(p->src, QIO_CHANNEL_SHUTDOWN_WRITE, &test_err);
    } else {
        qio_channel_close(p->src, &test_err);
    }
    g_assert_cmpint(qio_channel_read_all_eof(p->dst, buf, 8, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "end-of-file"));
    g_error_free(err);
}

/* Close: the closed side refuses I/O; closing twice is fine. */
static void check_close(const ChannelCase *c, Pair *p)
{
    char byte;
    GError *err = NULL;

    g_assert_cmpint(qio_channel_close(p->src, &test_err), ==, 0);
    g_assert_cmpint(qio_channel_close(p->src, &test_err), ==, 0);
    g_assert_cmpint(qio_channel_write(p->src, "x", 1, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_assert_cmpstr(err->message, ==, "Channel is closed");
    g_clear_error(&err);
    g_assert_cmpint(qio_channel_read(p->src, &byte, 1, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_clear_error(&err);
    if (p->dst != p->src) {
        /* The other side sees EOF. */
        g_assert_cmpint(qio_channel_read(p->dst, &byte, 1, &test_err),
                        ==, 0);
    }
}

/* The reader went away: writing fails with an error and no SIGPIPE. */
static void check_broken_pipe(const ChannelCase *c, Pair *p)
{
    g_autofree uint8_t *out = payload_new();
    GError *err = NULL;

    if (p->dst == p->src) {
        /* A command: stop reading its output, so it dies of SIGPIPE. */
        qio_channel_shutdown(p->dst, QIO_CHANNEL_SHUTDOWN_READ, &test_err);
    } else {
        qio_channel_close(p->dst, &test_err);
    }
    g_assert_cmpint(qio_channel_write_all(p->src, (char *)out, PAYLOAD_SIZE,
                                          &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_error_free(err);
}

/* Feature flags, and fd passing refused where it is not supported. */
static void check_features(const ChannelCase *c, Pair *p)
{
    int fd = 0;
    int *fds = NULL;
    size_t nfds = 0;
    char byte;
    struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
    GError *err = NULL;

    g_assert_cmpint(qio_channel_has_feature(p->src, QIO_CHANNEL_FEATURE_SHUTDOWN),
                    ==, !!(c->flags & CASE_SHUTDOWN));
    g_assert_cmpint(qio_channel_has_feature(p->src, QIO_CHANNEL_FEATURE_FD_PASS),
                    ==, !!(c->flags & CASE_FD_PASS));
    g_assert_false(qio_channel_has_feature(p->src, QIO_CHANNEL_FEATURE_LISTEN));
    if (c->flags & CASE_FD_PASS) {
        return;     /* see test-io-socket */
    }
    g_assert_cmpint(qio_channel_writev_full(p->src, &iov, 1, &fd, 1, &err),
                    ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_SUPPORTED);
    g_clear_error(&err);
    g_assert_cmpint(qio_channel_readv_full(p->dst, &iov, 1, &fds, &nfds, &err),
                    ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_SUPPORTED);
    g_clear_error(&err);
    if (!(c->flags & CASE_SHUTDOWN)) {
        g_assert_cmpint(qio_channel_shutdown(p->src, QIO_CHANNEL_SHUTDOWN_BOTH,
                                             &err), ==, -1);
        g_assert_error(err, MV_ERROR, MV_ERROR_NOT_SUPPORTED);
        g_clear_error(&err);
    }
}

static void run_check(gconstpointer data)
{
    const Check *check = data;
    Pair pair = { 0 };

    if (!check->c->make(&pair)) {
        return;
    }
    qio_channel_set_name(pair.src, "test-src");
    check->fn(check->c, &pair);
    g_assert_no_error(test_err);
    pair_free(&pair);
    /* Sources removed by the check may still hold channel references. */
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

/* ---- the null channel ---- */

static void test_null(void)
{
    QIOChannel *ioc = QIO_CHANNEL(qio_channel_null_new());
    WatchHit hit = { 0 };
    char buf[4];
    GError *err = NULL;

    g_assert_cmpint(qio_channel_write(ioc, "abc", 3, &test_err), ==, 3);
    g_assert_cmpint(qio_channel_write_all(ioc, "abc", 3, &test_err), ==, 0);
    g_assert_cmpint(qio_channel_read(ioc, buf, sizeof(buf), &test_err),
                    ==, 0);
    g_assert_cmpint(qio_channel_read_all_eof(ioc, buf, 4, &test_err), ==, 0);
    g_assert_cmpint(qio_channel_read_all(ioc, buf, 4, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_clear_error(&err);

    /* Always ready both ways, also in non-blocking mode. */
    qio_channel_set_blocking(ioc, false, &test_err);
    qio_channel_add_watch(ioc, G_IO_IN | G_IO_OUT, record_watch, &hit, NULL);
    wait_for(&hit.fired);
    g_assert_cmpint(hit.cond, ==, G_IO_IN | G_IO_OUT);

    g_assert_cmpint(qio_channel_shutdown(ioc, QIO_CHANNEL_SHUTDOWN_READ, &err),
                    ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_SUPPORTED);
    g_clear_error(&err);

    g_assert_cmpint(qio_channel_close(ioc, &test_err), ==, 0);
    g_assert_cmpint(qio_channel_write(ioc, "abc", 3, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_clear_error(&err);
    object_unref(OBJECT(ioc));
}

/* ---- buffer specifics ---- */

/* A limited buffer takes short writes, then would block; reads free room. */
static void test_buffer_limit(void)
{
    QIOChannelBuffer *bioc = qio_channel_buffer_new(8);
    QIOChannel *ioc = QIO_CHANNEL(bioc);
    WatchHit hit = { 0 };
    char buf[16];
    GError *err = NULL;

    g_assert_cmpint(qio_channel_write(ioc, "0123456789", 10, &test_err),
                    ==, 8);
    g_assert_cmpuint(qio_channel_buffer_get_usage(bioc), ==, 8);
    g_assert_cmpint(qio_channel_write(ioc, "x", 1, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_clear_error(&err);
    qio_channel_set_blocking(ioc, false, &test_err);
    g_assert_cmpint(qio_channel_write(ioc, "x", 1, &test_err),
                    ==, QIO_CHANNEL_ERR_BLOCK);

    /* OUT fires only once a read made room. */
    qio_channel_add_watch(ioc, G_IO_OUT, record_watch, &hit, NULL);
    g_main_context_iteration(NULL, FALSE);
    g_assert_false(hit.fired);
    g_assert_cmpint(qio_channel_read(ioc, buf, 3, &test_err), ==, 3);
    g_assert_cmpmem(buf, 3, "012", 3);
    wait_for(&hit.fired);
    g_assert_cmpint(qio_channel_write(ioc, "abc", 3, &test_err), ==, 3);
    g_assert_cmpint(qio_channel_read(ioc, buf, sizeof(buf), &test_err),
                    ==, 8);
    g_assert_cmpmem(buf, 8, "34567abc", 8);
    object_unref(OBJECT(bioc));
}

/* ---- command specifics ---- */

static void test_command_spawn_fail(void)
{
    static const char *const argv[] = { "/nonexistent/minivirt-test", NULL };
    GError *err = NULL;

    g_assert_null(qio_channel_command_new_spawn(argv, O_RDWR, &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_FOUND);
    g_error_free(err);
}

/* A child that ignores EOF on stdin is killed within the bounded wait. */
static void test_command_reap(void)
{
    static const char *const argv[] = { "sleep", "60", NULL };
    QIOChannelCommand *cioc = qio_channel_command_new_spawn(argv, O_WRONLY,
                                                            &test_err);
    pid_t pid = cioc->pid;
    gint64 start = g_get_monotonic_time();

    g_assert_cmpint(qio_channel_close(QIO_CHANNEL(cioc), &test_err), ==, 0);
    g_assert_cmpint(cioc->pid, ==, 0);
    g_assert_cmpint(g_get_monotonic_time() - start, <,
                    3 * QIO_CHANNEL_COMMAND_REAP_MS * 1000);
    /* Reaped: no such child any more. */
    g_assert_cmpint(waitpid(pid, NULL, WNOHANG), ==, -1);
    g_assert_cmpint(errno, ==, ECHILD);
    object_unref(OBJECT(cioc));
}

static void test_command_exit_status(void)
{
    static const char *const argv[] = { "false", NULL };
    QIOChannelCommand *cioc = qio_channel_command_new_spawn(argv, O_RDONLY,
                                                            &test_err);
    char byte;
    GError *err = NULL;

    /* EOF first: the child closed its stdout by exiting. */
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(cioc), &byte, 1,
                                     &test_err), ==, 0);
    g_assert_cmpint(qio_channel_close(QIO_CHANNEL(cioc), &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_IO);
    g_assert_nonnull(strstr(err->message, "status 1"));
    g_error_free(err);
    object_unref(OBJECT(cioc));
}

/* ---- file specifics ---- */

static void test_file_open_fail(void)
{
    GError *err = NULL;

    g_assert_null(qio_channel_file_new_path("/nonexistent/minivirt-test",
                                            O_RDONLY, 0, &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_FOUND);
    g_assert_nonnull(strstr(err->message, "/nonexistent/minivirt-test"));
    g_error_free(err);
}

/* A FIFO opened by path on both ends carries data like a pipe. */
static void test_file_fifo(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-io-XXXXXX", &test_err);
    g_autofree char *path = g_build_filename(dir, "fifo", NULL);
    QIOChannelFile *rd, *wr;
    char buf[6] = "";

    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    rd = qio_channel_file_new_path(path, O_RDONLY | O_NONBLOCK, 0,
                                   &test_err);
    wr = qio_channel_file_new_path(path, O_WRONLY, 0, &test_err);
    g_assert_cmpint(qio_channel_write_all(QIO_CHANNEL(wr), "fifo!", 5,
                                          &test_err), ==, 0);
    g_assert_cmpint(qio_channel_read_all(QIO_CHANNEL(rd), buf, 5,
                                         &test_err), ==, 0);
    g_assert_cmpstr(buf, ==, "fifo!");
    object_unref(OBJECT(wr));
    g_assert_cmpint(qio_channel_read(QIO_CHANNEL(rd), buf, 5, &test_err),
                    ==, 0);
    object_unref(OBJECT(rd));
    unlink(path);
    rmdir(dir);
}

static void run_plain(gconstpointer data)
{
    ((void (*)(void))data)();
    g_assert_no_error(test_err);
}

static void add_plain(const char *path, void (*fn)(void))
{
    g_test_add_data_func(path, (gconstpointer)fn, run_plain);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(const ChannelCase *c, Pair *p);
        unsigned needs;     /* all of these flags */
        unsigned excludes;  /* none of these flags */
    } checks[] = {
        { "features", check_features, 0, 0 },
        { "blocking", check_blocking, 0, 0 },
        { "nonblocking", check_nonblocking, 0, 0 },
        { "all-nonblocking", check_all_nonblocking, 0, 0 },
        { "all-no-spin", check_all_no_spin, 0,
          CASE_SEQUENTIAL | CASE_REGULAR },
        { "watch", check_watch, 0, 0 },
        { "eof", check_eof, 0, 0 },
        { "short-eof", check_short_eof, 0, 0 },
        { "close", check_close, 0, 0 },
        { "broken-pipe", check_broken_pipe, CASE_PIPE_ERR, 0 },
    };
    GPtrArray *all = g_ptr_array_new_with_free_func(g_free);
    int ret;

    g_test_init(&argc, &argv, NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        for (size_t j = 0; j < G_N_ELEMENTS(checks); j++) {
            Check *check;
            char *path;

            if ((cases[i].flags & checks[j].needs) != checks[j].needs ||
                (cases[i].flags & checks[j].excludes)) {
                continue;
            }
            check = g_new(Check, 1);
            check->c = &cases[i];
            check->fn = checks[j].fn;
            g_ptr_array_add(all, check);
            path = g_strdup_printf("/io/channel/%s/%s", cases[i].name,
                                   checks[j].name);
            g_test_add_data_func(path, check, run_check);
            g_free(path);
        }
    }
    add_plain("/io/channel/null/semantics", test_null);
    add_plain("/io/channel/buffer/limit", test_buffer_limit);
    add_plain("/io/channel/command/spawn-fail", test_command_spawn_fail);
    add_plain("/io/channel/command/reap-bounded", test_command_reap);
    add_plain("/io/channel/command/exit-status", test_command_exit_status);
    add_plain("/io/channel/file/open-fail", test_file_open_fail);
    add_plain("/io/channel/file/fifo", test_file_fifo);
    ret = g_test_run();
    g_ptr_array_free(all, true);
    return ret;
}
