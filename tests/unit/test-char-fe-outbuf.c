/*
 * tests/unit/test-char-fe-outbuf.c: the front end's bounded output buffer
 * (chardev/char-fe-outbuf.h) against a pipe backend the test can stall,
 * and against a front end with no backend (writes say -1).
 */
#include <errno.h>
#include <sys/stat.h>

#include "chardev/char-fe-outbuf.h"
#include "test-char-harness.h"

typedef struct Pipe {
    char *dir, *in, *out;
    int to_chr, from_chr;
    Object *c;
    TestFe fe;
} Pipe;

static void pipe_open(Pipe *p)
{
    g_autofree char *base = NULL;
    g_autofree char *spec = NULL;

    p->dir = g_dir_make_tmp("mv-outbuf-XXXXXX", NULL);
    g_assert_nonnull(p->dir);
    base = g_build_filename(p->dir, "p", NULL);
    p->in = g_strdup_printf("%s.in", base);
    p->out = g_strdup_printf("%s.out", base);
    g_assert_cmpint(mkfifo(p->in, 0600), ==, 0);
    g_assert_cmpint(mkfifo(p->out, 0600), ==, 0);
    p->to_chr = open(p->in, O_RDWR);
    p->from_chr = open(p->out, O_RDWR | O_NONBLOCK);
    g_assert_cmpint(p->to_chr, >=, 0);
    g_assert_cmpint(p->from_chr, >=, 0);
    spec = g_strdup_printf("pipe,id=p,path=%s", base);
    p->c = chardev_container_new();
    fe_attach(&p->fe, chr_new_ok(p->c, spec));
}

static void pipe_close(Pipe *p)
{
    fe_detach(&p->fe);
    object_unref(p->c);
    close(p->to_chr);
    close(p->from_chr);
    unlink(p->in);
    unlink(p->out);
    rmdir(p->dir);
    g_free(p->in);
    g_free(p->out);
    g_free(p->dir);
}

/* Everything the backend wrote so far, as a string. */
static GString *pipe_drain(Pipe *p)
{
    GString *got = g_string_new(NULL);
    char buf[4096];
    ssize_t n;

    while ((n = read(p->from_chr, buf, sizeof(buf))) > 0) {
        g_string_append_len(got, buf, n);
    }
    g_assert_cmpint(n, ==, -1);
    g_assert_cmpint(errno, ==, EAGAIN);
    return got;
}

/* The backend refuses more: fill the FIFO; returns how much it took. */
static size_t pipe_stall(Pipe *p)
{
    static uint8_t chunk[4096];
    size_t total = 0;
    int ret;

    while ((ret = chr_fe_write(&p->fe.be, chunk, sizeof(chunk))) > 0) {
        total += ret;
    }
    g_assert_cmpint(ret, ==, 0);
    return total;
}

typedef struct Owner {
    ChrFeOutBuf ob;
    int writable;               /* calls of the writable callback */
    int last_flush;             /* what the callback's flush returned */
} Owner;

static void owner_writable(void *opaque)
{
    Owner *o = opaque;

    o->writable++;
    o->last_flush = chr_fe_outbuf_flush(&o->ob);
}

/* append keeps up to the bound, says how much, and writes nothing. */
static void test_bound(void)
{
    Pipe p;
    Owner o = { 0 };

    pipe_open(&p);
    chr_fe_outbuf_init(&o.ob, &p.fe.be, 10, owner_writable, &o);
    g_assert_cmpuint(chr_fe_outbuf_append(&o.ob, (const uint8_t *)"012345", 6),
                     ==, 6);
    g_assert_cmpuint(chr_fe_outbuf_append(&o.ob, (const uint8_t *)"6789ab", 6),
                     ==, 4);
    g_assert_cmpuint(chr_fe_outbuf_append(&o.ob, (const uint8_t *)"c", 1),
                     ==, 0);
    g_assert_cmpuint(chr_fe_outbuf_len(&o.ob), ==, 10);
    g_autoptr(GString) none = pipe_drain(&p);
    g_assert_cmpuint(none->len, ==, 0);

    g_assert_cmpint(chr_fe_outbuf_flush(&o.ob), ==, 0);
    g_assert_cmpuint(chr_fe_outbuf_len(&o.ob), ==, 0);
    g_assert_false(chr_fe_outbuf_waiting(&o.ob));
    g_autoptr(GString) got = pipe_drain(&p);
    g_assert_cmpstr(got->str, ==, "0123456789");
    g_assert_cmpint(o.writable, ==, 0);

    chr_fe_outbuf_destroy(&o.ob);
    pipe_close(&p);
}

/* A stalled backend: flush waits on G_IO_OUT and resumes, in order. */
static void test_stall_resume(void)
{
    Pipe p;
    Owner o = { 0 };

    pipe_open(&p);
    chr_fe_outbuf_init(&o.ob, &p.fe.be, 64, owner_writable, &o);
    size_t stalled = pipe_stall(&p);
    g_assert_cmpuint(stalled, >, 0);

    chr_fe_outbuf_append(&o.ob, (const uint8_t *)"first ", 6);
    g_assert_cmpint(chr_fe_outbuf_flush(&o.ob), ==, 1);
    g_assert_true(chr_fe_outbuf_waiting(&o.ob));
    chr_fe_outbuf_append(&o.ob, (const uint8_t *)"second", 6);
    g_main_context_iteration(NULL, FALSE);
    g_assert_cmpint(o.writable, ==, 0);
    g_assert_cmpuint(chr_fe_outbuf_len(&o.ob), ==, 12);

    g_autoptr(GString) filler = pipe_drain(&p);
    g_assert_cmpuint(filler->len, ==, stalled);
    WAIT_FOR(o.writable, 2000);
    g_assert_cmpint(o.writable, ==, 1);
    g_assert_cmpint(o.last_flush, ==, 0);
    g_assert_false(chr_fe_outbuf_waiting(&o.ob));
    g_autoptr(GString) got = pipe_drain(&p);
    g_assert_cmpstr(got->str, ==, "first second");

    chr_fe_outbuf_destroy(&o.ob);
    pipe_close(&p);
}

/* cancel keeps the bytes and the callback never comes; drop forgets them. */
static void test_cancel_and_drop(void)
{
    Pipe p;
    Owner o = { 0 };

    pipe_open(&p);
    chr_fe_outbuf_init(&o.ob, &p.fe.be, 64, owner_writable, &o);
    size_t stalled = pipe_stall(&p);
    chr_fe_outbuf_append(&o.ob, (const uint8_t *)"held", 4);
    g_assert_true(chr_fe_outbuf_wait(&o.ob));
    chr_fe_outbuf_cancel(&o.ob);
    g_assert_false(chr_fe_outbuf_waiting(&o.ob));
    g_autoptr(GString) filler = pipe_drain(&p);
    g_assert_cmpuint(filler->len, ==, stalled);
    for (int i = 0; i < 20; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    g_assert_cmpint(o.writable, ==, 0);
    g_assert_cmpuint(chr_fe_outbuf_len(&o.ob), ==, 4);
    g_assert_cmpint(chr_fe_outbuf_write_once(&o.ob), ==, 4);
    g_autoptr(GString) got = pipe_drain(&p);
    g_assert_cmpstr(got->str, ==, "held");

    chr_fe_outbuf_append(&o.ob, (const uint8_t *)"gone", 4);
    chr_fe_outbuf_drop(&o.ob);
    g_assert_cmpuint(chr_fe_outbuf_len(&o.ob), ==, 0);
    g_assert_cmpint(chr_fe_outbuf_flush(&o.ob), ==, 0);
    g_autoptr(GString) none = pipe_drain(&p);
    g_assert_cmpuint(none->len, ==, 0);

    chr_fe_outbuf_destroy(&o.ob);
    pipe_close(&p);
}

/* No backend: flush says -1 and keeps the bytes for the owner to decide. */
static void test_dead_backend_keeps(void)
{
    CharBackend be = { 0 };
    Owner o = { 0 };

    chr_fe_outbuf_init(&o.ob, &be, 8, owner_writable, &o);
    chr_fe_outbuf_append(&o.ob, (const uint8_t *)"kept", 4);
    g_assert_cmpint(chr_fe_outbuf_flush(&o.ob), ==, -1);
    g_assert_cmpuint(chr_fe_outbuf_len(&o.ob), ==, 4);
    g_assert_false(chr_fe_outbuf_waiting(&o.ob));
    g_assert_false(chr_fe_outbuf_wait(&o.ob));
    g_assert_cmpint(chr_fe_outbuf_write_once(&o.ob), ==, -1);
    g_assert_cmpuint(chr_fe_outbuf_len(&o.ob), ==, 4);
    chr_fe_outbuf_destroy(&o.ob);

    /* Never initialised: empty, and destroy does nothing. */
    ChrFeOutBuf zero = { 0 };
    g_assert_cmpuint(chr_fe_outbuf_len(&zero), ==, 0);
    g_assert_false(chr_fe_outbuf_waiting(&zero));
    chr_fe_outbuf_destroy(&zero);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/chardev/fe-outbuf/bound", test_bound);
    g_test_add_func("/chardev/fe-outbuf/stall-resume", test_stall_resume);
    g_test_add_func("/chardev/fe-outbuf/cancel-and-drop", test_cancel_and_drop);
    g_test_add_func("/chardev/fe-outbuf/dead-backend-keeps",
                    test_dead_backend_keeps);
    return g_test_run();
}
