/*
 * tests/unit/test-char-interop.c: the socket backend against real peers from
 * Debian packages (socat as server and client, the telnet program), and the
 * fault test that kills the peer mid-stream and restarts it.
 */
#include "test-char-net.h"

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
    fe_wait_count(&fe, CHR_EVENT_CLOSED, 1, 5000);
    net_test_end(&fe, c, &a);
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
    fe_wait_count(&fe, CHR_EVENT_CLOSED, 1, 5000);
    reap(pid, 0);
    close(out);
    net_test_end(&fe, c, &a);
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
    fe_wait_count(&fe, CHR_EVENT_CLOSED, 1, 5000);
    net_test_end(&fe, c, &a);
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
    fe_wait_count(&fe, CHR_EVENT_OPENED, 1, 5000);

    /* Epoch 1: stream, kill the peer with SIGKILL, keep writing until CLOSED. */
    size_t acc1 = fault_write(&fe, stream, &off, FAULT_EPOCH_BYTES, 0);
    g_free(stderr_capture_end(&cap));   /* errors until socat first listened */
    stderr_capture_start(&cap, tmpdir);
    reap(peer, SIGKILL);
    acc1 += fault_write(&fe, stream, &off, 0, 0);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);

    /* Epoch 2: the peer restarts; the chardev reconnects by itself. */
    peer = spawn(argv2, NULL, NULL);
    fe_wait_count(&fe, CHR_EVENT_OPENED, 2, 5000);
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
    net_test_end(&fe, c, &a);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    tmpdir = g_dir_make_tmp("test-char-interop-XXXXXX", NULL);

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
