/*
 * tests/unit/test-char-backends.c: one set of checks run against every
 * backend that has a host peer, the peer being a plain fd in the test:
 *  - output: what the front end writes reaches the peer, and the logfile;
 *  - input: what the peer writes reaches the front end;
 *  - input backpressure: nothing is delivered while can_read is 0, all of
 *    it after chr_fe_accept_input;
 *  - output backpressure (stream backends): writes come back short or 0,
 *    never dropped; a G_IO_OUT watch fires once the peer drains, and the
 *    peer then has exactly the accepted bytes;
 *  - hang-up (connection backends): CLOSED, and writes fail with -1;
 *  - a hang-up right after sending, while can_read is 0: every byte still
 *    arrives once there is room, and only then CLOSED.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "test-char-harness.h"

typedef struct Peer {
    int rfd;            /* the test reads the front end's output here */
    int wfd;            /* the test writes the front end's input here */
    int lfd;            /* a listening socket to close at the end, or -1 */
    bool stream;        /* a byte stream that can fill up */
    bool hangup;        /* closing rfd/wfd disconnects the backend */
} Peer;

typedef struct BackendCase {
    const char *name;
    /* Create the chardev "b" (with @log as logfile) and its peer. */
    Chardev *(*setup)(Object *c, const char *log, Peer *p);
} BackendCase;

static char *tmpdir;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static void set_nonblock(int fd)
{
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* ---- the backends and their peers ---------------------------------------- */

static Chardev *setup_pipe(Object *c, const char *log, Peer *p)
{
    g_autofree char *base = tmp_path("pipe");
    g_autofree char *in = g_strdup_printf("%s.in", base);
    g_autofree char *out = g_strdup_printf("%s.out", base);
    g_autofree char *s = g_strdup_printf("pipe,id=b,path=%s,logfile=%s", base,
                                         log);

    unlink(in);
    unlink(out);
    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    *p = (Peer) { .wfd = open(in, O_RDWR), .rfd = open(out, O_RDWR),
                  .lfd = -1, .stream = true };
    return chr_new_ok(c, s);
}

static Chardev *setup_file_fifo(Object *c, const char *log, Peer *p)
{
    g_autofree char *in = tmp_path("file-in");
    g_autofree char *out = tmp_path("file-out");
    g_autofree char *s = g_strdup_printf(
        "file,id=b,path=%s,input-path=%s,logfile=%s", out, in, log);

    unlink(in);
    unlink(out);
    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    *p = (Peer) { .wfd = open(in, O_RDWR), .rfd = open(out, O_RDWR),
                  .lfd = -1, .stream = true };
    return chr_new_ok(c, s);
}

static Chardev *setup_pty(Object *c, const char *log, Peer *p)
{
    g_autofree char *s = g_strdup_printf("pty,id=b,logfile=%s", log);
    StderrCapture cap;

    stderr_capture_start(&cap, tmpdir);
    Chardev *chr = chr_new_ok(c, s);
    g_free(stderr_capture_end(&cap));
    int fd = open(chr->filename + strlen("pty:"), O_RDWR | O_NOCTTY);
    g_assert_cmpint(fd, >=, 0);
    *p = (Peer) { .wfd = fd, .rfd = fd, .lfd = -1, .stream = true,
                  .hangup = true };
    return chr;
}

static Chardev *setup_unix_server(Object *c, const char *log, Peer *p)
{
    g_autofree char *path = tmp_path("sock");
    g_autofree char *s = g_strdup_printf(
        "socket,id=b,path=%s,server=on,wait=off,logfile=%s", path, log);
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    Chardev *chr = chr_new_ok(c, s);
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);

    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    g_assert_cmpint(connect(fd, (struct sockaddr *)&un, sizeof(un)), ==, 0);
    *p = (Peer) { .wfd = fd, .rfd = fd, .lfd = -1, .stream = true,
                  .hangup = true };
    return chr;
}

static int listen_loopback(int type, int *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, type, 0);

    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    if (type == SOCK_STREAM) {
        g_assert_cmpint(listen(fd, 1), ==, 0);
    }
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *port = ntohs(sa.sin_port);
    return fd;
}

static Chardev *setup_tcp_client(Object *c, const char *log, Peer *p)
{
    int port;
    int lfd = listen_loopback(SOCK_STREAM, &port);
    g_autofree char *s = g_strdup_printf(
        "socket,id=b,host=127.0.0.1,port=%d,nodelay=on,logfile=%s", port, log);
    Chardev *chr = chr_new_ok(c, s);
    int fd = accept(lfd, NULL, NULL);

    *p = (Peer) { .wfd = fd, .rfd = fd, .lfd = lfd, .stream = true,
                  .hangup = true };
    return chr;
}

static Chardev *setup_udp(Object *c, const char *log, Peer *p)
{
    int peer_port, local_port;
    int fd = listen_loopback(SOCK_DGRAM, &peer_port);
    close(listen_loopback(SOCK_DGRAM, &local_port));
    g_autofree char *s = g_strdup_printf(
        "udp,id=b,host=127.0.0.1,port=%d,localaddr=127.0.0.1,localport=%d,"
        "logfile=%s", peer_port, local_port, log);
    struct sockaddr_in to = { .sin_family = AF_INET,
                              .sin_port = htons(local_port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    Chardev *chr = chr_new_ok(c, s);

    g_assert_cmpint(connect(fd, (struct sockaddr *)&to, sizeof(to)), ==, 0);
    *p = (Peer) { .wfd = fd, .rfd = fd, .lfd = -1 };
    return chr;
}

static const BackendCase cases[] = {
    { "pipe", setup_pipe },
    { "file-fifo", setup_file_fifo },
    { "pty", setup_pty },
    { "socket-unix-server", setup_unix_server },
    { "socket-tcp-client", setup_tcp_client },
    { "udp", setup_udp },
};

/* ---- the checks --------------------------------------------------------------- */

/* Read whatever the peer has, running the main loop, until @len bytes. */
static void peer_read(int fd, GString *into, size_t len)
{
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;

    set_nonblock(fd);
    while (into->len < len && g_get_monotonic_time() < end) {
        char buf[65536];
        g_main_context_iteration(NULL, FALSE);
        ssize_t n = read(fd, buf, MIN(sizeof(buf), len - into->len));
        if (n > 0) {
            g_string_append_len(into, buf, n);
        } else {
            g_usleep(500);
        }
    }
}

static gboolean watch_fired(void *unused, GIOCondition cond, void *opaque)
{
    (*(int *)opaque)++;
    return G_SOURCE_REMOVE;
}

static uint8_t pattern(size_t i)
{
    return (uint8_t)(i * 131 + (i >> 9));
}

static void check_output_backpressure(TestFe *fe, Peer *p)
{
    /* Enough to fill any kernel buffer on the way. */
    const size_t max = 64 * 1024 * 1024;
    uint8_t chunk[16384];
    size_t total = 0;
    int ret = 1;

    while (total < max) {
        for (size_t i = 0; i < sizeof(chunk); i++) {
            chunk[i] = pattern(total + i);
        }
        ret = chr_fe_write(&fe->be, chunk, sizeof(chunk));
        g_assert_cmpint(ret, >=, 0);
        if (ret == 0) {
            break;
        }
        total += (size_t)ret;
    }
    g_assert_cmpint(ret, ==, 0);
    int fired = 0;
    g_assert_cmpuint(chr_fe_add_watch(&fe->be, G_IO_OUT, watch_fired, &fired),
                     >, 0);
    for (int i = 0; i < 10; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    g_assert_cmpint(fired, ==, 0);

    /* Every accepted byte arrives, in order; then the watch fires. */
    GString *got = g_string_new(NULL);
    peer_read(p->rfd, got, total);
    g_assert_cmpuint(got->len, ==, total);
    for (size_t i = 0; i < total; i++) {
        if ((uint8_t)got->str[i] != pattern(i)) {
            g_error("byte %zu of %zu differs", i, total);
        }
    }
    g_string_free(got, true);
    WAIT_FOR(fired, 5000);
    g_assert_cmpint(fired, ==, 1);
}

/*
 * The peer sends and hangs up at once while the front end takes nothing:
 * the bytes are in our kernel buffers, so they are delivered when room
 * comes, and CLOSED follows them, never precedes them.
 */
static void check_hangup_keeps_input(TestFe *fe, Peer *p)
{
    static const char tail[] = "the last words";
    const int len = (int)strlen(tail);

    fe->room = 0;
    g_string_truncate(fe->data, 0);
    g_assert_cmpint(write(p->wfd, tail, len), ==, len);
    close(p->wfd);
    if (p->rfd != p->wfd) {
        close(p->rfd);
    }
    for (int i = 0; i < 50; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_assert_cmpuint(fe->data->len, ==, 0);
    g_assert_cmpint(fe_count(fe, CHR_EVENT_CLOSED), ==, 0);
    fe->room = -1;
    chr_fe_accept_input(&fe->be);
    WAIT_FOR(fe_count(fe, CHR_EVENT_CLOSED) == 1, 5000);
    g_assert_cmpstr(fe->data->str, ==, tail);
    g_assert_cmpint(fe_count(fe, CHR_EVENT_CLOSED), ==, 1);
    g_assert_cmpint(chr_fe_write(&fe->be, (const uint8_t *)"x", 1), ==, -1);
}

static void test_backend(gconstpointer data)
{
    const BackendCase *bc = data;
    g_autofree char *log = tmp_path("log");
    Object *c = chardev_container_new();
    GString *got = g_string_new(NULL);
    TestFe fe;
    Peer p;

    fe_attach(&fe, bc->setup(c, log, &p));
    WAIT_FOR(chr_fe_backend_open(&fe.be), 5000);
    g_assert_true(chr_fe_backend_open(&fe.be));

    /* Output. */
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"to-peer", 7), ==, 7);
    peer_read(p.rfd, got, 7);
    g_assert_cmpstr(got->str, ==, "to-peer");

    /* Input. */
    g_assert_cmpint(write(p.wfd, "to-fe", 5), ==, 5);
    WAIT_FOR(fe.data->len == 5, 5000);
    g_assert_cmpstr(fe.data->str, ==, "to-fe");

    /* Input backpressure. */
    fe.room = 0;
    g_assert_cmpint(write(p.wfd, "held", 4), ==, 4);
    for (int i = 0; i < 20; i++) {
        g_main_context_iteration(NULL, FALSE);
        g_usleep(1000);
    }
    g_assert_cmpuint(fe.data->len, ==, 5);
    fe.room = -1;
    chr_fe_accept_input(&fe.be);
    WAIT_FOR(fe.data->len == 9, 5000);
    g_assert_cmpstr(fe.data->str, ==, "to-feheld");

    if (p.stream) {
        check_output_backpressure(&fe, &p);
    }

    /* The logfile has what the backend accepted, starting with "to-peer". */
    g_autofree char *logged = NULL;
    gsize loglen;
    g_assert_true(g_file_get_contents(log, &logged, &loglen, NULL));
    g_assert_cmpuint(loglen, >=, 7);
    g_assert_cmpmem(logged, 7, "to-peer", 7);

    if (p.hangup) {
        check_hangup_keeps_input(&fe, &p);
    } else {
        close(p.rfd);
        if (p.wfd != p.rfd) {
            close(p.wfd);
        }
    }
    if (p.lfd >= 0) {
        close(p.lfd);
    }
    g_string_free(got, true);
    fe_detach(&fe);
    object_unref(c);
    unlink(log);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    tmpdir = g_dir_make_tmp("test-char-backends-XXXXXX", NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *path = g_strdup_printf("/char/backend/%s",
                                                cases[i].name);
        g_test_add_data_func(path, &cases[i], test_backend);
    }
    int ret = g_test_run();
    g_autoptr(GDir) dir = g_dir_open(tmpdir, 0, NULL);
    const char *name;
    while (dir && (name = g_dir_read_name(dir))) {
        g_autofree char *f = tmp_path(name);
        unlink(f);
    }
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
