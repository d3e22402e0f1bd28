/*
 * tests/unit/test-char.c: the chardev core: option parsing, the registry,
 * the front-end API, and the in-memory backends (null, ringbuf, mux).
 */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "chardev/char-telnet.h"
#include "test-char-harness.h"

static void test_null(void)
{
    Object *c = chardev_container_new();
    Chardev *chr = chr_new_ok(c, "null,id=n");
    TestFe fe;

    g_assert_true(chardev_find(c, "n") == chr);
    g_assert_cmpstr(chr->filename, ==, "null");
    fe_attach(&fe, chr);
    /* A sink takes everything, and, as QEMU's, never reports OPENED. */
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"buf", 3), ==, 3);
    g_assert_cmpint(chr_fe_write_all(&fe.be, (const uint8_t *)"all", 3), ==, 3);
    g_assert_false(chr_fe_backend_open(&fe.be));
    g_assert_true(chr_fe_backend_connected(&fe.be));
    g_assert_cmpint(fe.n_events, ==, 0);
    g_assert_cmpint(chr_fe_get_msgfd(&fe.be), ==, -1);
    fe_detach(&fe);
    object_unref(c);
}

static void test_invalid(void)
{
    Object *c = chardev_container_new();

    chr_new_fails(c, "invalid,id=x", "'invalid' is not a valid char driver name");
    chr_new_fails(c, "mux,id=x", "'mux' is not a valid char driver name");
    chr_new_fails(c, "chardev,id=x", "'chardev' is not a valid char driver name");
    chr_new_fails(c, "container,id=x",
                  "'container' is not a valid char driver name");
    g_assert_cmpuint(object_child_count(c), ==, 0);
    object_unref(c);
}

static void test_parse_errors(void)
{
    static const struct {
        const char *str, *msg;
    } cases[] = {
        { "null", "Parameter 'id' is missing" },
        { "null,id=9x", "Parameter 'id' expects an identifier" },
        { "id=a", "chardev: \"a\" missing backend" },
        { "null,id=a,foo=1",
          "Invalid parameter 'foo' for chardev backend 'null' "
          "(valid: backend, id, logfile, logappend, mux)" },
        { "ringbuf,id=a,path=x",
          "Invalid parameter 'path' for chardev backend 'ringbuf' "
          "(valid: backend, id, logfile, logappend, mux, size)" },
        { "null,id=a,mux=maybe",
          "Parameter 'mux' expects 'on' or 'off', got 'maybe'" },
        { "null,id=a,logappend=2",
          "Parameter 'logappend' expects 'on' or 'off', got '2'" },
        { "ringbuf,id=a,size=3", "size of ringbuf chardev must be power of two" },
        { "ringbuf,id=a,size=x",
          "Parameter 'size' expects a size (a number with an optional suffix "
          "K, M, G, T, P or E), got 'x'" },
        { "null,id=a,=x", "Invalid option '=x': empty parameter name" },
        { "null,id=a,logfile=/nonexistent/dir/log",
          "Unable to open logfile /nonexistent/dir/log: "
          "No such file or directory" },
    };
    Object *c = chardev_container_new();

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        chr_new_fails(c, cases[i].str, cases[i].msg);
    }
    g_assert_cmpuint(object_child_count(c), ==, 0);
    object_unref(c);
}

static void test_duplicate_id(void)
{
    Object *c = chardev_container_new();

    chr_new_ok(c, "null,id=a");
    chr_new_fails(c, "ringbuf,id=a", "Chardev 'a' already exists");
    /* mux=on needs both "<id>" and "<id>-base" free. */
    chr_new_ok(c, "null,id=m-base");
    chr_new_fails(c, "null,id=m,mux=on", "Chardev 'm-base' already exists");
    g_assert_null(chardev_find(c, "m"));
    g_assert_cmpuint(object_child_count(c), ==, 2);
    object_unref(c);
}

static void test_parse_syntax(void)
{
    Object *c = chardev_container_new();
    Chardev *chr;

    /* Implied backend key, every boolean spelling, ",," in a value. */
    chr = chr_new_ok(c, "ringbuf,id=r1,size=1K,mux=off,logappend=no");
    g_assert_cmpstr(chardev_get_backend_name(chr), ==, "ringbuf");
    chr_new_ok(c, "backend=null,id=n1,logappend=true");
    chr_new_ok(c, "null,id=n2,logappend=yes");
    chr_new_ok(c, "null,id=n3,nologappend");
    chr = chr_new_ok(c, "memory,id=mem,size=4096");
    g_assert_cmpstr(chardev_get_backend_name(chr), ==, "memory");
    g_assert_nonnull(object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_RINGBUF));
    object_unref(c);
}

static void test_logfile(void)
{
    g_autofree char *dir = g_dir_make_tmp("test-char-XXXXXX", NULL);
    g_autofree char *log = g_build_filename(dir, "log", NULL);
    g_autofree char *s1 = g_strdup_printf("ringbuf,id=r,logfile=%s", log);
    g_autofree char *s2 = g_strdup_printf("null,id=n,logfile=%s,logappend=on",
                                          log);
    Object *c = chardev_container_new();
    TestFe fe;
    char *text;

    fe_attach(&fe, chr_new_ok(c, s1));
    chr_fe_write(&fe.be, (const uint8_t *)"hello ", 6);
    fe_detach(&fe);
    g_assert_true(chardev_remove(c, "r", NULL));
    fe_attach(&fe, chr_new_ok(c, s2));
    chr_fe_write(&fe.be, (const uint8_t *)"world", 5);
    fe_detach(&fe);
    object_unref(c);
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "hello world");
    g_free(text);
    unlink(log);
    rmdir(dir);
}

static void test_legacy(void)
{
    static const struct {
        const char *filename, *opts;
    } cases[] = {
        { "null", "backend=null" },
        { "stdio", "backend=stdio" },
        { "pty", "backend=pty" },
        { "file:/tmp/a,b", "backend=file,path=/tmp/a,,b" },
        { "pipe:/tmp/p", "backend=pipe,path=/tmp/p" },
        { "unix:/tmp/s", "backend=socket,path=/tmp/s" },
        { "unix:/tmp/s,server,nowait",
          "backend=socket,path=/tmp/s,server=on,wait=off" },
        { "tcp::4444,server,nowait",
          "backend=socket,host=,port=4444,server=on,wait=off" },
        { "tcp:localhost:4444,nodelay",
          "backend=socket,host=localhost,port=4444,nodelay=on" },
        { "tcp:[::1]:4444,server=on,wait=off",
          "backend=socket,host=::1,port=4444,server=on,wait=off" },
        { "telnet::4445,server,nowait",
          "backend=socket,telnet=on,host=,port=4445,server=on,wait=off" },
        { "udp::5555", "backend=udp,host=,port=5555" },
        { "udp:1.2.3.4:5555@:6666",
          "backend=udp,host=1.2.3.4,port=5555,localaddr=,localport=6666" },
        { "udp:1.2.3.4:5555@0.0.0.0:6666",
          "backend=udp,host=1.2.3.4,port=5555,localaddr=0.0.0.0,"
          "localport=6666" },
    };
    static const char *const bad[] = {
        "bogus", "tcp:4444", "tcp:host:", "udp:", "unix:", "mon:stdio",
        "file", "udp:1.2.3.4:5@6",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        GError *err = NULL;
        Opts *o = chardev_legacy_to_opts(cases[i].filename, &err);
        g_assert_no_error(err);
        g_autofree char *s = opts_to_string(o);
        g_assert_cmpstr(s, ==, cases[i].opts);
        opts_free(o);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        GError *err = NULL;
        g_assert_null(chardev_legacy_to_opts(bad[i], &err));
        g_autofree char *msg = g_strdup_printf(
            "'%s' is not a valid char driver", bad[i]);
        g_assert_cmpstr(err->message, ==, msg);
        g_error_free(err);
    }

    Object *c = chardev_container_new();
    Chardev *chr = chardev_new_from_legacy(c, "serial0", "null", NULL);
    g_assert_nonnull(chr);
    g_assert_cmpstr(chr->label, ==, "serial0");
    object_unref(c);
}

static void test_help(void)
{
    g_autofree char *help = chardev_help();

    g_assert_true(g_str_has_prefix(help, "Available chardev backend types:\n"));
    static const char *const backends[] = {
        "file", "memory", "null", "pipe", "pty", "ringbuf", "socket", "stdio",
        "udp",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(backends); i++) {
        g_autofree char *line = g_strdup_printf("\n  %-10s ", backends[i]);
        g_assert_nonnull(strstr(help, line));
    }
    g_assert_null(strstr(help, "mux"));
    g_assert_null(strstr(help, "  fd "));
    g_assert_null(strstr(help, "container"));
}

static void test_fe_busy_and_remove(void)
{
    Object *c = chardev_container_new();
    Chardev *chr = chr_new_ok(c, "ringbuf,id=r");
    CharBackend other = { 0 };
    TestFe fe;
    GError *err = NULL;

    fe_attach(&fe, chr);
    g_assert_false(chr_fe_init(&other, chr, &err));
    g_assert_cmpstr(err->message, ==, "chardev 'r' is already in use");
    g_clear_error(&err);
    g_assert_false(chardev_remove(c, "r", &err));
    g_assert_cmpstr(err->message, ==, "Chardev 'r' is busy");
    g_clear_error(&err);
    g_assert_false(chardev_remove(c, "nope", &err));
    g_assert_cmpstr(err->message, ==, "Chardev 'nope' not found");
    g_clear_error(&err);
    fe_detach(&fe);
    g_assert_true(chardev_remove(c, "r", &err));
    g_assert_null(chardev_find(c, "r"));

    /* An unbound front end: writes fail, the rest does nothing. */
    g_assert_true(chr_fe_init(&other, NULL, NULL));
    g_assert_cmpint(chr_fe_write(&other, (const uint8_t *)"x", 1), ==, -1);
    g_assert_cmpuint(chr_fe_add_watch(&other, G_IO_OUT, NULL, NULL), ==, 0);
    g_assert_false(chr_fe_backend_connected(&other));
    chr_fe_deinit(&other, false);

    /* deinit with del removes the chardev. */
    chr = chr_new_ok(c, "null,id=d");
    g_assert_true(chr_fe_init(&other, chr, NULL));
    chr_fe_deinit(&other, true);
    g_assert_null(chardev_find(c, "d"));
    object_unref(c);
}

static void test_ringbuf(void)
{
    Object *c = chardev_container_new();
    Chardev *chr = chr_new_ok(c, "ringbuf,id=r,size=4");
    TestFe fe;
    uint8_t buf[16];
    GError *err = NULL;

    fe_attach(&fe, chr);
    /* OPENED at once: the ring is always there. */
    g_assert_cmpint(fe_count(&fe, CHR_EVENT_OPENED), ==, 1);
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"ab", 2), ==, 2);
    g_assert_cmpint(chardev_ringbuf_read(chr, buf, 1, NULL), ==, 1);
    g_assert_cmpmem(buf, 1, "a", 1);
    /* Wrap: prod passes the end of the ring. */
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"cde", 3), ==, 3);
    g_assert_cmpint(chardev_ringbuf_read(chr, buf, sizeof(buf), NULL), ==, 4);
    g_assert_cmpmem(buf, 4, "bcde", 4);
    /* Overflow: the oldest bytes go, the newest four stay. */
    g_assert_cmpint(chr_fe_write(&fe.be, (const uint8_t *)"0123456789", 10),
                    ==, 10);
    g_assert_cmpint(chardev_ringbuf_read(chr, buf, sizeof(buf), NULL), ==, 4);
    g_assert_cmpmem(buf, 4, "6789", 4);
    g_assert_cmpint(chardev_ringbuf_read(chr, buf, sizeof(buf), NULL), ==, 0);

    /* ringbuf-write appends to the ring, as QEMU's; the device sees none. */
    g_assert_cmpint(chardev_ringbuf_write(chr, (const uint8_t *)"mon", 3, NULL),
                    ==, 3);
    g_assert_cmpint(chardev_ringbuf_read(chr, buf, sizeof(buf), NULL), ==, 3);
    g_assert_cmpmem(buf, 3, "mon", 3);
    g_assert_cmpstr(fe.data->str, ==, "");

    /* Input for the device: as much as it takes. */
    fe.room = 3;
    g_assert_cmpint(chardev_ringbuf_input(chr, (const uint8_t *)"hello", 5,
                                          NULL), ==, 3);
    g_assert_cmpstr(fe.data->str, ==, "hel");

    Chardev *null = chr_new_ok(c, "null,id=n");
    g_assert_cmpint(chardev_ringbuf_read(null, buf, 1, &err), ==, -1);
    g_assert_cmpstr(err->message, ==, "n is not a ringbuf device");
    g_clear_error(&err);
    g_assert_cmpint(chardev_ringbuf_write(null, buf, 1, &err), ==, -1);
    g_assert_cmpstr(err->message, ==, "n is not a ringbuf device");
    g_clear_error(&err);
    g_assert_cmpint(chardev_ringbuf_input(null, buf, 1, &err), ==, -1);
    g_clear_error(&err);
    fe_detach(&fe);
    object_unref(c);
}

/* ---- mux ---------------------------------------------------------------- */

static void mux_input(Chardev *base, const char *s)
{
    int len = (int)strlen(s);

    g_assert_cmpint(chardev_ringbuf_input(base, (const uint8_t *)s, len, NULL),
                    ==, len);
}

static char *mux_output(Chardev *base)
{
    uint8_t buf[4096];
    int n = chardev_ringbuf_read(base, buf, sizeof(buf), NULL);

    return g_strndup((char *)buf, n);
}

static void mux_quit(void *opaque)
{
    (*(int *)opaque)++;
}

/*
 * The base hangs up while the focused front end is full: CLOSED waits
 * behind the input the mux holds, and a new connection's OPENED and data
 * wait behind that CLOSED.
 */
static void test_mux_closed_after_held_input(void)
{
    Object *c = chardev_container_new();
    Chardev *mux = chr_new_ok(c, "ringbuf,id=m,mux=on");
    Chardev *base = chardev_find(c, "m-base");
    TestFe a, b;

    fe_attach(&a, mux);
    fe_attach(&b, mux);         /* b has the focus */
    b.room = 2;
    mux_input(base, "12345");
    g_assert_cmpstr(b.data->str, ==, "12");
    chr_be_event(base, CHR_EVENT_CLOSED);
    /* a holds nothing: told at once; b after its "345". */
    g_assert_cmpint(fe_count(&a, CHR_EVENT_CLOSED), ==, 1);
    g_assert_cmpint(fe_count(&b, CHR_EVENT_CLOSED), ==, 0);
    chr_be_event(base, CHR_EVENT_OPENED);
    g_assert_cmpint(chardev_ringbuf_input(base, (const uint8_t *)"new", 3,
                                          NULL), ==, 0);
    g_assert_cmpint(fe_count(&b, CHR_EVENT_OPENED), ==, 1);  /* at attach */

    b.room = 1;
    chr_fe_accept_input(&b.be);
    g_assert_cmpstr(b.data->str, ==, "123");
    g_assert_cmpint(fe_count(&b, CHR_EVENT_CLOSED), ==, 0);
    b.room = -1;
    chr_fe_accept_input(&b.be);
    g_assert_cmpstr(b.data->str, ==, "12345");
    g_assert_cmpint(b.n_events, >=, 2);
    g_assert_cmpint(b.events[b.n_events - 2], ==, CHR_EVENT_CLOSED);
    g_assert_cmpint(b.events[b.n_events - 1], ==, CHR_EVENT_OPENED);
    mux_input(base, "new");
    g_assert_cmpstr(b.data->str, ==, "12345new");
    fe_detach(&b);
    fe_detach(&a);
    object_unref(c);
}

static void test_mux(void)
{
    Object *c = chardev_container_new();
    Chardev *mux = chr_new_ok(c, "ringbuf,id=m,mux=on");
    Chardev *base = chardev_find(c, "m-base");
    TestFe a, b, extra[CHR_MUX_MAX_FE];
    GError *err = NULL;
    int quits = 0;

    g_assert_nonnull(base);
    g_assert_true(chardev_find(c, "m") == mux);
    g_assert_nonnull(object_dynamic_cast(OBJECT(mux), TYPE_CHARDEV_MUX));
    chardev_mux_set_quit_handler(mux, mux_quit, &quits);

    /* The base is bound to the mux: nobody else may take it. */
    CharBackend other = { 0 };
    g_assert_false(chr_fe_init(&other, base, &err));
    g_clear_error(&err);

    fe_attach(&a, mux);
    g_assert_cmpint(fe_count(&a, CHR_EVENT_MUX_IN), ==, 1);
    g_assert_cmpint(fe_count(&a, CHR_EVENT_OPENED), ==, 1);
    fe_attach(&b, mux);     /* the newest front end takes the focus */
    g_assert_cmpint(fe_count(&a, CHR_EVENT_MUX_OUT), ==, 1);
    g_assert_cmpint(fe_count(&b, CHR_EVENT_MUX_IN), ==, 1);

    /* Both may write; input goes to the focused one only. */
    g_assert_cmpint(chr_fe_write(&a.be, (const uint8_t *)"A", 1), ==, 1);
    g_assert_cmpint(chr_fe_write(&b.be, (const uint8_t *)"B", 1), ==, 1);
    g_autofree char *ab = mux_output(base);
    g_assert_cmpstr(ab, ==, "AB");
    mux_input(base, "to-b");
    g_assert_cmpstr(b.data->str, ==, "to-b");
    g_assert_cmpstr(a.data->str, ==, "");

    /* Ctrl-A c: focus to the next front end (wrapping). */
    mux_input(base, "\001c");
    g_assert_cmpint(fe_count(&b, CHR_EVENT_MUX_OUT), ==, 1);
    g_assert_cmpint(fe_count(&a, CHR_EVENT_MUX_IN), ==, 2);
    mux_input(base, "to-a");
    g_assert_cmpstr(a.data->str, ==, "to-a");
    mux_input(base, "\001c");
    g_assert_cmpint(fe_count(&b, CHR_EVENT_MUX_IN), ==, 2);
    mux_input(base, "\001c");
    g_assert_cmpint(fe_count(&a, CHR_EVENT_MUX_IN), ==, 3);

    /* Ctrl-A Ctrl-A is a literal Ctrl-A; unknown escapes vanish. */
    g_string_truncate(a.data, 0);
    mux_input(base, "x\001\001y\001zw");
    g_assert_cmpstr(a.data->str, ==, "x\001yw");

    /* Ctrl-A b: BREAK to the focused front end only. */
    mux_input(base, "\001b");
    g_assert_cmpint(fe_count(&a, CHR_EVENT_BREAK), ==, 1);
    g_assert_cmpint(fe_count(&b, CHR_EVENT_BREAK), ==, 0);

    /* Ctrl-A h prints the help on the shared terminal. */
    g_free(mux_output(base));
    mux_input(base, "\001h");
    g_autofree char *help = mux_output(base);
    g_assert_nonnull(strstr(help, "C-a x    exit emulator\n\r"));
    g_assert_nonnull(strstr(help, "C-a c    switch between console and monitor"));

    /* Ctrl-A x: the board's quit handler. */
    mux_input(base, "\001x");
    g_assert_cmpint(quits, ==, 1);
    g_autofree char *term = mux_output(base);
    g_assert_cmpstr(term, ==, "minivirt: Terminated\n\r");

    /*
     * Ctrl-A t: from the next line on (as QEMU: the line in progress is not
     * stamped), each output line starts with a timestamp.
     */
    mux_input(base, "\001t");
    chr_fe_write(&a.be, (const uint8_t *)"l1\nl2\nl3\n", 9);
    g_autofree char *ts = mux_output(base);
    g_assert_true(g_regex_match_simple(
        "^l1\n\\[\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d\\] l2\n"
        "\\[\\d\\d:\\d\\d:\\d\\d\\.\\d\\d\\d\\] l3\n$", ts, 0, 0));
    mux_input(base, "\001t");
    chr_fe_write(&a.be, (const uint8_t *)"plain", 5);
    g_autofree char *plain = mux_output(base);
    g_assert_cmpstr(plain, ==, "plain");

    /* Backpressure: a full front end holds input in the mux, then gets it. */
    a.room = 2;
    g_string_truncate(a.data, 0);
    mux_input(base, "12345");
    g_assert_cmpstr(a.data->str, ==, "12");
    a.room = -1;
    chr_fe_accept_input(&a.be);
    g_assert_cmpstr(a.data->str, ==, "12345");

    /* At most CHR_MUX_MAX_FE front ends. */
    for (int i = 0; i < CHR_MUX_MAX_FE - 2; i++) {
        fe_attach(&extra[i], mux);
    }
    g_assert_false(chr_fe_init(&other, mux, &err));
    g_assert_cmpstr(err->message, ==,
                    "too many uses of multiplexed chardev 'm' (maximum is 4)");
    g_clear_error(&err);
    g_assert_false(chardev_remove(c, "m", &err));
    g_assert_cmpstr(err->message, ==, "Chardev 'm' is busy");
    g_clear_error(&err);
    for (int i = 0; i < CHR_MUX_MAX_FE - 2; i++) {
        fe_detach(&extra[i]);
    }
    fe_detach(&b);
    fe_detach(&a);
    g_assert_true(chardev_remove(c, "m", NULL));
    g_assert_true(chardev_remove(c, "m-base", NULL));
    object_unref(c);
}

/* ---- hot-swapping a backend --------------------------------------------- */

static void test_hotswap(void)
{
    Object *c = chardev_container_new();
    Chardev *chr = chr_new_ok(c, "ringbuf,id=r,size=16");
    TestFe fe;
    GError *err = NULL;
    uint8_t buf[16];

    fe_attach(&fe, chr);
    chr_fe_write(&fe.be, (const uint8_t *)"old", 3);

    /* A refusing front end keeps the old backend. */
    fe.refuse_change = 1;
    g_autoptr(Opts) o = opts_parse("ringbuf,size=32", "backend", NULL, NULL);
    g_assert_null(chardev_change(c, "r", o, &err));
    g_assert_cmpstr(err->message, ==, "Chardev 'r' change failed");
    g_clear_error(&err);
    g_assert_true(chardev_find(c, "r") == chr);
    g_assert_true(chr_fe_get_driver(&fe.be) == chr);
    g_assert_cmpint(chardev_ringbuf_read(chr, buf, 16, NULL), ==, 3);

    /* An accepting one moves over; the old chardev is gone. */
    fe.refuse_change = 0;
    Chardev *new = chardev_change(c, "r", o, &err);
    g_assert_no_error(err);
    g_assert_nonnull(new);
    g_assert_true(chardev_find(c, "r") == new);
    g_assert_true(chr_fe_get_driver(&fe.be) == new);
    g_assert_cmpstr(chr_fe_get_label(&fe.be), ==, "r");
    g_assert_cmpint(fe.changes, ==, 2);
    chr_fe_write(&fe.be, (const uint8_t *)"new", 3);
    g_assert_cmpint(chardev_ringbuf_read(new, buf, 16, NULL), ==, 3);
    g_assert_cmpmem(buf, 3, "new", 3);
    g_assert_cmpuint(object_child_count(c), ==, 1);

    /* Errors: no such id, a bad new backend, a front end without hotswap. */
    g_assert_null(chardev_change(c, "nope", o, &err));
    g_assert_cmpstr(err->message, ==, "Chardev 'nope' does not exist");
    g_clear_error(&err);
    g_autoptr(Opts) bad = opts_parse("ringbuf,size=3", "backend", NULL, NULL);
    g_assert_null(chardev_change(c, "r", bad, &err));
    g_assert_cmpstr(err->message, ==,
                    "size of ringbuf chardev must be power of two");
    g_clear_error(&err);
    g_assert_true(chr_fe_get_driver(&fe.be) == new);
    chr_fe_set_handlers(&fe.be, fe_can_read, fe_read, fe_event, NULL, &fe,
                        NULL, true);
    g_assert_null(chardev_change(c, "r", o, &err));
    g_assert_cmpstr(err->message, ==,
                    "Chardev user does not support chardev hotswap");
    g_clear_error(&err);
    g_assert_cmpuint(object_child_count(c), ==, 1);
    fe_detach(&fe);
    object_unref(c);
}

/* A watch on a sink fires at once with G_IO_OUT. */
static gboolean watch_cb(void *unused, GIOCondition cond, void *opaque)
{
    *(GIOCondition *)opaque = cond;
    return G_SOURCE_REMOVE;
}

static void test_sink_watch(void)
{
    Object *c = chardev_container_new();
    TestFe fe;
    GIOCondition got = 0;

    fe_attach(&fe, chr_new_ok(c, "null,id=n"));
    g_assert_cmpuint(chr_fe_add_watch(&fe.be, G_IO_OUT, watch_cb, &got), >, 0);
    WAIT_FOR(got, 1000);
    g_assert_cmpint(got, ==, G_IO_OUT);
    g_assert_cmpuint(chr_fe_add_watch(&fe.be, G_IO_HUP, watch_cb, &got), ==, 0);
    fe_detach(&fe);
    object_unref(c);
}

/* Telnet sequences split across reads are still understood. */
static void test_telnet_rx_split(void)
{
    static const uint8_t in[] = {
        'a', '\r', 0, 255, 255, 255, 253, 24, 255, 250, 1, 255, 240, 'b',
        255, 243, '\r', '\n',
    };
    g_autoptr(GByteArray) reply = g_byte_array_new();
    uint8_t greeting[TELNET_GREETING_LEN];
    TelnetState ts;

    for (size_t cut = 0; cut <= sizeof(in); cut++) {
        uint8_t buf[sizeof(in)];
        GString *data = g_string_new(NULL);
        int brk = 0;
        telnet_start(&ts, true, greeting);
        g_byte_array_set_size(reply, 0);
        memcpy(buf, in, sizeof(in));
        int n1 = telnet_rx(&ts, buf, (int)cut, reply, &brk);
        g_string_append_len(data, (char *)buf, n1);
        int n2 = telnet_rx(&ts, buf + cut, (int)(sizeof(in) - cut), reply,
                           &brk);
        g_string_append_len(data, (char *)buf + cut, n2);
        g_assert_cmpmem(data->str, data->len, "a\r\377b\r\n", 6);
        g_assert_cmpint(brk, ==, 1);
        /* DO TERMINAL-TYPE (24) is refused, once. */
        g_assert_cmpmem(reply->data, reply->len, "\377\374\030", 3);
        g_string_free(data, true);
    }
}

/* A write cut inside a doubled IAC counts the byte and owes the second half. */
static void test_telnet_tx_partial(void)
{
    static const uint8_t buf[] = { 'a', 255, 'b' };
    g_autoptr(GByteArray) esc = g_byte_array_new();
    TelnetState ts = { 0 };

    telnet_tx_escape(buf, 3, esc);
    g_assert_cmpmem(esc->data, esc->len, "a\377\377b", 4);
    g_assert_cmpint(telnet_tx_consumed(&ts, buf, 3, 1), ==, 1);
    g_assert_false(ts.out_iac_owed);
    g_assert_cmpint(telnet_tx_consumed(&ts, buf, 3, 2), ==, 2);
    g_assert_true(ts.out_iac_owed);
    g_assert_cmpint(telnet_tx_consumed(&ts, buf, 3, 3), ==, 2);
    g_assert_false(ts.out_iac_owed);
    g_assert_cmpint(telnet_tx_consumed(&ts, buf, 3, 4), ==, 3);
    g_assert_false(ts.out_iac_owed);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/char/null", test_null);
    g_test_add_func("/char/invalid", test_invalid);
    g_test_add_func("/char/parse/errors", test_parse_errors);
    g_test_add_func("/char/parse/syntax", test_parse_syntax);
    g_test_add_func("/char/parse/duplicate-id", test_duplicate_id);
    g_test_add_func("/char/parse/legacy", test_legacy);
    g_test_add_func("/char/logfile", test_logfile);
    g_test_add_func("/char/help", test_help);
    g_test_add_func("/char/fe/busy-and-remove", test_fe_busy_and_remove);
    g_test_add_func("/char/fe/sink-watch", test_sink_watch);
    g_test_add_func("/char/ringbuf", test_ringbuf);
    g_test_add_func("/char/mux", test_mux);
    g_test_add_func("/char/mux/closed-after-held-input",
                    test_mux_closed_after_held_input);
    g_test_add_func("/char/hotswap", test_hotswap);
    g_test_add_func("/char/telnet/rx-split", test_telnet_rx_split);
    g_test_add_func("/char/telnet/tx-partial", test_telnet_tx_partial);
    return g_test_run();
}
