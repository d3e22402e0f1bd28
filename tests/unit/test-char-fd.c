/*
 * tests/unit/test-char-fd.c: the backends on file descriptors: file (also
 * reading a FIFO), pipe, stdio, pty and udp.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "test-char-harness.h"

static char *tmpdir;

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static char *file_contents(const char *path)
{
    char *text = NULL;

    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    return text;
}

/* ---- file ---------------------------------------------------------------- */

static void test_file(void)
{
    g_autofree char *out = tmp_path("file-out");
    g_autofree char *in = tmp_path("file-in");
    g_autofree char *s1 = g_strdup_printf("file,id=f,path=%s", out);
    g_autofree char *s2 = g_strdup_printf(
        "file,id=f,path=%s,append=on,input-path=%s", out, in);
    Object *c = chardev_container_new();
    TestFe fe;

    fe_attach(&fe, chr_new_ok(c, s1));
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"first ", 6), ==, 6);
    fe_detach(&fe);
    g_assert_true(chardev_remove(c, "f", NULL));

    /* append=on keeps the old text; input-path= feeds the front end. */
    g_assert_true(g_file_set_contents(in, "typed input", -1, NULL));
    fe_attach(&fe, chr_new_ok(c, s2));
    g_assert_cmpint(chr_fe_write_all(&fe.be, (const uint8_t *)"second", 6),
                    ==, 6);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED), 2000);
    g_assert_cmpstr(fe.data->str, ==, "typed input");
    /* EOF of the input is CLOSED, once; output still works. */
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);
    fe_detach(&fe);
    object_unref(c);

    g_autofree char *text = file_contents(out);
    g_assert_cmpstr(text, ==, "first second");
    unlink(out);
    unlink(in);
}

/*
 * input-path's end is CLOSED only once the whole file has reached the front
 * end, however slowly it makes room.
 */
static void test_file_input_eof_after_data(void)
{
    g_autofree char *out = tmp_path("file-out");
    g_autofree char *in = tmp_path("file-in");
    g_autofree char *str = g_strdup_printf("file,id=f,path=%s,input-path=%s",
                                           out, in);
    g_autoptr(GString) want = g_string_new(NULL);
    Object *c = chardev_container_new();
    TestFe fe;

    for (int i = 0; i < 10000; i++) {
        g_string_append_c(want, (char)('0' + i % 10));
    }
    g_assert_true(g_file_set_contents(in, want->str, want->len, NULL));
    fe_attach(&fe, chr_new_ok(c, str));
    fe.room = 0;
    for (int i = 0; i < 20; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    g_assert_cmpuint(fe.data->len, ==, 0);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 0);
    fe.room = 100;
    chr_fe_accept_input(&fe.be);
    WAIT_FOR(fe.data->len == 100, 2000);
    for (int i = 0; i < 20; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    g_assert_cmpuint(fe.data->len, ==, 100);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 0);
    fe.room = -1;
    chr_fe_accept_input(&fe.be);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED), 2000);
    g_assert_cmpstr(fe.data->str, ==, want->str);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);
    fe_detach(&fe);
    object_unref(c);
    unlink(out);
    unlink(in);
}

static void test_file_errors(void)
{
    Object *c = chardev_container_new();

    chr_new_fails(c, "file,id=f", "chardev: file: no filename given");
    chr_new_fails(c, "file,id=f,path=/nonexistent/x",
                  "Could not open '/nonexistent/x': No such file or directory");
    g_autofree char *out = tmp_path("file-err-out");
    g_autofree char *s = g_strdup_printf(
        "file,id=f,path=%s,input-path=/nonexistent/in", out);
    chr_new_fails(c, s,
                  "Could not open '/nonexistent/in': No such file or directory");
    chr_new_fails(c, "pipe,id=p", "chardev: pipe: no filename given");
    chr_new_fails(c, "pipe,id=p,path=/nonexistent/p",
                  "Could not open '/nonexistent/p': No such file or directory");
    g_assert_cmpuint(object_child_count(c), ==, 0);
    object_unref(c);
    unlink(out);
}

/* A FIFO as input-path: data as it is written, CLOSED when writers go. */
static void test_file_fifo(void)
{
    g_autofree char *fifo = tmp_path("fifo");
    g_autofree char *out = tmp_path("fifo-out");
    g_autofree char *s = g_strdup_printf("file,id=f,path=%s,input-path=%s",
                                         out, fifo);
    Object *c = chardev_container_new();
    TestFe fe;

    g_assert_cmpint(mkfifo(fifo, 0600), ==, 0);
    int wfd = open(fifo, O_RDWR);   /* a writer before the chardev reads */
    g_assert_cmpint(wfd, >=, 0);
    fe_attach(&fe, chr_new_ok(c, s));
    g_assert_cmpint(write(wfd, "fifo-data", 9), ==, 9);
    WAIT_FOR(fe.data->len == 9, 2000);
    g_assert_cmpstr(fe.data->str, ==, "fifo-data");

    /* Backpressure: a full front end leaves the rest in the FIFO. */
    fe.room = 3;
    g_assert_cmpint(write(wfd, "abcdef", 6), ==, 6);
    WAIT_FOR(fe.data->len == 12, 2000);
    g_assert_cmpstr(fe.data->str, ==, "fifo-dataabc");
    g_usleep(50 * 1000);
    g_main_context_iteration(NULL, FALSE);
    g_assert_cmpuint(fe.data->len, ==, 12);
    fe.room = -1;
    chr_fe_accept_input(&fe.be);
    WAIT_FOR(fe.data->len == 15, 2000);
    g_assert_cmpstr(fe.data->str, ==, "fifo-dataabcdef");

    close(wfd);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED), 2000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);
    fe_detach(&fe);
    object_unref(c);
    unlink(fifo);
    unlink(out);
}

/* ---- pipe ----------------------------------------------------------------- */

static gboolean watch_fired(void *unused, GIOCondition cond, void *opaque)
{
    (*(int *)opaque)++;
    return G_SOURCE_REMOVE;
}

static void test_pipe(void)
{
    g_autofree char *base = tmp_path("pipe");
    g_autofree char *in = g_strdup_printf("%s.in", base);
    g_autofree char *out = g_strdup_printf("%s.out", base);
    g_autofree char *s = g_strdup_printf("pipe,id=p,path=%s", base);
    Object *c = chardev_container_new();
    TestFe fe;
    char buf[64];

    g_assert_cmpint(mkfifo(in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(out, 0600), ==, 0);
    int to_chr = open(in, O_RDWR);
    int from_chr = open(out, O_RDWR | O_NONBLOCK);
    fe_attach(&fe, chr_new_ok(c, s));

    g_assert_cmpint(write(to_chr, "pipe-in", 7), ==, 7);
    WAIT_FOR(fe.data->len == 7, 2000);
    g_assert_cmpstr(fe.data->str, ==, "pipe-in");
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"pipe-out", 8), ==, 8);
    g_assert_cmpint(read(from_chr, buf, sizeof(buf)), ==, 8);
    g_assert_cmpmem(buf, 8, "pipe-out", 8);

    /* Fill the FIFO: a short count or 0, never a drop; G_IO_OUT resumes. */
    static uint8_t chunk[4096];
    int ret, total = 0;
    while ((ret = chr_fe_write(&fe.be, chunk, sizeof(chunk))) > 0) {
        total += ret;
    }
    g_assert_cmpint(ret, ==, 0);
    g_assert_cmpint(total, >, 0);
    int fired = 0;
    g_assert_cmpuint(chr_fe_add_watch(&fe.be, G_IO_OUT, watch_fired, &fired),
                     >, 0);
    g_main_context_iteration(NULL, FALSE);
    g_assert_cmpint(fired, ==, 0);
    int drained = 0;
    while ((ret = read(from_chr, chunk, sizeof(chunk))) > 0) {
        drained += ret;
    }
    g_assert_cmpint(drained, ==, total);
    WAIT_FOR(fired, 2000);
    g_assert_cmpint(fired, ==, 1);

    fe_detach(&fe);
    object_unref(c);
    close(to_chr);
    close(from_chr);
    unlink(in);
    unlink(out);
}

/* Without PATH.in/PATH.out, the single FIFO PATH is used both ways. */
static void test_pipe_single(void)
{
    g_autofree char *path = tmp_path("pipe1");
    g_autofree char *s = g_strdup_printf("pipe,id=p,path=%s", path);
    Object *c = chardev_container_new();
    TestFe fe;

    g_assert_cmpint(mkfifo(path, 0600), ==, 0);
    int peer = open(path, O_RDWR);
    fe_attach(&fe, chr_new_ok(c, s));
    g_assert_cmpint(write(peer, "one-fifo", 8), ==, 8);
    WAIT_FOR(fe.data->len == 8, 2000);
    g_assert_cmpstr(fe.data->str, ==, "one-fifo");
    fe_detach(&fe);
    object_unref(c);
    close(peer);
    unlink(path);
}

/* ---- stdio ---------------------------------------------------------------- */

static void test_stdio(void)
{
    Object *c = chardev_container_new();
    Chardev *chr = chr_new_ok(c, "stdio,id=s,signal=off");
    TestFe fe;

    g_assert_cmpstr(chr->filename, ==, "stdio");
    chr_new_fails(c, "stdio,id=s2",
                  "cannot use stdio by multiple character devices");
    fe_attach(&fe, chr);
    fe_detach(&fe);
    g_assert_true(chardev_remove(c, "s", NULL));
    /* Free again once the first is gone. */
    chr_new_ok(c, "stdio,id=s3");
    object_unref(c);
}

/*
 * The terminal comes back from raw mode when the process dies of a fatal
 * signal.  The child runs a stdio chardev on a pty's slave and crashes;
 * the parent then reads the slave's modes.
 */
static void test_stdio_restore_on_signal(void)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    struct termios tty;

    g_assert_cmpint(master, >=, 0);
    g_assert_cmpint(grantpt(master), ==, 0);
    g_assert_cmpint(unlockpt(master), ==, 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    g_assert_cmpint(slave, >=, 0);
    g_assert_cmpint(tcgetattr(slave, &tty), ==, 0);
    tty.c_lflag |= ICANON | ECHO;
    tcsetattr(slave, TCSANOW, &tty);

    pid_t pid = fork();
    if (pid == 0) {
        struct termios raw;
        dup2(slave, STDIN_FILENO);
        /* Static: still reachable (not "lost") when the signal kills us. */
        static Object *volatile c;
        c = chardev_container_new();
        chardev_new_from_string(c, "stdio,id=s", NULL);
        tcgetattr(STDIN_FILENO, &raw);
        if (raw.c_lflag & (ICANON | ECHO)) {
            _exit(2);               /* not raw: the test fails */
        }
        raise(SIGTERM);
        _exit(3);
    }
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFSIGNALED(status));
    g_assert_cmpint(WTERMSIG(status), ==, SIGTERM);
    g_assert_cmpint(tcgetattr(slave, &tty), ==, 0);
    g_assert_true(tty.c_lflag & ICANON);
    g_assert_true(tty.c_lflag & ECHO);
    close(slave);
    close(master);
}

/* ---- pty ------------------------------------------------------------------ */

static void test_pty(void)
{
    Object *c = chardev_container_new();
    StderrCapture cap;
    TestFe fe;
    char buf[64];

    stderr_capture_start(&cap, tmpdir);
    Chardev *chr = chr_new_ok(c, "pty,id=p");
    g_autofree char *msg = stderr_capture_end(&cap);
    g_assert_true(g_str_has_prefix(chr->filename, "pty:/dev/pts/"));
    g_autofree char *want = g_strdup_printf(
        "char device redirected to %s (label p)\n", chr->filename + 4);
    g_assert_cmpstr(msg, ==, want);

    fe_attach(&fe, chr);
    /* Nobody on the slave: not open, writes have nowhere to go. */
    g_assert_false(chr_fe_backend_open(&fe.be));
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"x", 1), ==, -1);

    int slave = open(chr->filename + 4, O_RDWR | O_NOCTTY);
    g_assert_cmpint(slave, >=, 0);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_OPENED), 3000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    g_assert_cmpint(write(slave, "typed", 5), ==, 5);
    WAIT_FOR(fe.data->len == 5, 2000);
    g_assert_cmpstr(fe.data->str, ==, "typed");
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"shown\n", 6), ==, 6);
    g_assert_cmpint(read(slave, buf, sizeof(buf)), ==, 6);
    g_assert_cmpmem(buf, 6, "shown\n", 6);   /* raw: no CR added */

    close(slave);
    WAIT_FOR(fe_count(&fe, CHR_EVENT_CLOSED), 3000);
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_CLOSED), ==, 1);
    fe_detach(&fe);
    object_unref(c);
}

/* ---- udp ------------------------------------------------------------------ */

static int udp_bound_socket(int *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET,
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof(sa);
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    g_assert_cmpint(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    getsockname(fd, (struct sockaddr *)&sa, &len);
    *port = ntohs(sa.sin_port);
    return fd;
}

static void test_udp(void)
{
    int peer_port, local_port;
    int peer = udp_bound_socket(&peer_port);
    int probe = udp_bound_socket(&local_port);  /* a free port for us */
    close(probe);
    g_autofree char *s = g_strdup_printf(
        "udp,id=u,host=127.0.0.1,port=%d,localaddr=127.0.0.1,localport=%d",
        peer_port, local_port);
    Object *c = chardev_container_new();
    TestFe fe;
    char buf[64];

    Chardev *chr = chr_new_ok(c, s);
    g_autofree char *fname = g_strdup_printf("udp:127.0.0.1:%d", peer_port);
    g_assert_cmpstr(chr->filename, ==, fname);
    fe_attach(&fe, chr);
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"dgram", 5), ==, 5);
    g_assert_cmpint(recv(peer, buf, sizeof(buf), 0), ==, 5);
    g_assert_cmpmem(buf, 5, "dgram", 5);

    struct sockaddr_in to = { .sin_family = AF_INET,
                              .sin_port = htons(local_port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    /* A datagram larger than the room is held and delivered in parts. */
    fe.room = 4;
    g_assert_cmpint(sendto(peer, "0123456789", 10, 0, (struct sockaddr *)&to,
                           sizeof(to)), ==, 10);
    WAIT_FOR(fe.data->len == 4, 2000);
    g_assert_cmpstr(fe.data->str, ==, "0123");
    fe.room = -1;
    chr_fe_accept_input(&fe.be);
    WAIT_FOR(fe.data->len == 10, 2000);
    g_assert_cmpstr(fe.data->str, ==, "0123456789");

    fe_detach(&fe);
    object_unref(c);
    close(peer);

    Object *c2 = chardev_container_new();
    chr_new_fails(c2, "udp,id=u", "chardev: udp: remote port not specified");
    chr_new_fails(c2, "udp,id=u,port=1,ipv4=maybe",
                  "Parameter 'ipv4' expects 'on' or 'off', got 'maybe'");
    object_unref(c2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    signal(SIGPIPE, SIG_IGN);
    tmpdir = g_dir_make_tmp("test-char-fd-XXXXXX", NULL);

    g_test_add_func("/char/file/write-and-input", test_file);
    g_test_add_func("/char/file/errors", test_file_errors);
    g_test_add_func("/char/file/input-eof-after-data",
                    test_file_input_eof_after_data);
    g_test_add_func("/char/file/fifo", test_file_fifo);
    g_test_add_func("/char/pipe/in-out", test_pipe);
    g_test_add_func("/char/pipe/single", test_pipe_single);
    g_test_add_func("/char/stdio/construct", test_stdio);
    g_test_add_func("/char/stdio/restore-on-signal",
                    test_stdio_restore_on_signal);
    g_test_add_func("/char/pty", test_pty);
    g_test_add_func("/char/udp", test_udp);
    int ret = g_test_run();
    rmdir(tmpdir);
    g_free(tmpdir);
    return ret;
}
