/*
 * tests/unit/test-char-harness.h: a front end that records what it gets,
 * shared by the chardev tests.
 */
#ifndef TEST_CHAR_HARNESS_H
#define TEST_CHAR_HARNESS_H

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chardev/chardev.h"
#include "qom/error.h"

#define FE_MAX_EVENTS 64

typedef struct TestFe {
    CharBackend be;
    GString *data;              /* everything read */
    int room;                   /* what can_read answers; -1: unlimited */
    ChrEvent events[FE_MAX_EVENTS];
    int n_events;
    int changes;                /* be_change calls */
    int refuse_change;          /* be_change answers this */
    bool grab_fds;              /* read: take fds with chr_fe_get_msgfd */
    int msgfd;                  /* the last fd taken, or -1 */
} TestFe;

static G_GNUC_UNUSED int fe_can_read(void *opaque)
{
    TestFe *fe = opaque;

    return fe->room < 0 ? 4096 : fe->room;
}

static G_GNUC_UNUSED void fe_read(void *opaque, const uint8_t *buf, int size)
{
    TestFe *fe = opaque;

    g_assert_cmpint(size, >, 0);
    if (fe->room >= 0) {
        g_assert_cmpint(size, <=, fe->room);
        fe->room -= size;
    }
    g_string_append_len(fe->data, (const char *)buf, size);
    if (fe->grab_fds) {
        int fd = chr_fe_get_msgfd(&fe->be);
        if (fd >= 0) {
            fe->msgfd = fd;
        }
    }
}

static G_GNUC_UNUSED void fe_event(void *opaque, ChrEvent event)
{
    TestFe *fe = opaque;

    g_assert_cmpint(fe->n_events, <, FE_MAX_EVENTS);
    fe->events[fe->n_events++] = event;
}

static G_GNUC_UNUSED int fe_be_change(void *opaque)
{
    TestFe *fe = opaque;

    fe->changes++;
    if (fe->refuse_change) {
        return -1;
    }
    chr_fe_set_handlers(&fe->be, fe_can_read, fe_read, fe_event, fe_be_change,
                        fe, NULL, true);
    return 0;
}

/* Bind @fe to @chr with all handlers; the test fails if it cannot. */
static G_GNUC_UNUSED void fe_attach(TestFe *fe, Chardev *chr)
{
    memset(fe, 0, sizeof(*fe));
    fe->data = g_string_new(NULL);
    fe->room = -1;
    fe->msgfd = -1;
    g_assert_true(chr_fe_init(&fe->be, chr, NULL));
    chr_fe_set_handlers(&fe->be, fe_can_read, fe_read, fe_event, fe_be_change,
                        fe, NULL, true);
}

static G_GNUC_UNUSED void fe_detach(TestFe *fe)
{
    chr_fe_deinit(&fe->be, false);
    g_string_free(fe->data, true);
    fe->data = NULL;
}

/* How many times @event was seen. */
static G_GNUC_UNUSED int fe_count(TestFe *fe, ChrEvent event)
{
    int n = 0;

    for (int i = 0; i < fe->n_events; i++) {
        n += fe->events[i] == event;
    }
    return n;
}

/* Run the default main context until @cond holds or @ms pass. */
#define WAIT_FOR(cond, ms)                                                   \
    do {                                                                     \
        gint64 _end = g_get_monotonic_time() + (ms) * 1000;                  \
        while (!(cond) && g_get_monotonic_time() < _end) {                   \
            g_main_context_iteration(NULL, FALSE);                           \
            g_usleep(1000);                                                  \
        }                                                                    \
    } while (0)

/*
 * Run the default main context until @event has been seen @n times or @ms
 * pass, then assert it was seen exactly @n times.
 */
static G_GNUC_UNUSED void fe_wait_count(TestFe *fe, ChrEvent event, int n,
                                        int ms)
{
    WAIT_FOR(fe_count(fe, event) == n, ms);
    g_assert_cmpint(fe_count(fe, event), ==, n);
}

/* Create from a -chardev string; the test fails with the message if not. */
static G_GNUC_UNUSED Chardev *chr_new_ok(Object *c, const char *str)
{
    GError *err = NULL;
    Chardev *chr = chardev_new_from_string(c, str, &err);

    if (!chr) {
        g_error("'%s': %s", str, err->message);
    }
    return chr;
}

/* Creating from @str must fail with exactly @msg. */
static G_GNUC_UNUSED void chr_new_fails(Object *c, const char *str,
                                        const char *msg)
{
    GError *err = NULL;
    Chardev *chr = chardev_new_from_string(c, str, &err);

    g_assert_null(chr);
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, msg);
    g_error_free(err);
}

/*
 * Collect what is written to stderr between start and end (in a file under
 * @dir, since the main loop writes while we wait).  end returns it, g_free.
 */
typedef struct StderrCapture {
    int saved;
    char *path;
} StderrCapture;

static G_GNUC_UNUSED void stderr_capture_start(StderrCapture *c,
                                               const char *dir)
{
    c->path = g_build_filename(dir, "stderr-capture", NULL);
    int fd = open(c->path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    g_assert_cmpint(fd, >=, 0);
    fflush(stderr);
    c->saved = dup(STDERR_FILENO);
    dup2(fd, STDERR_FILENO);
    close(fd);
}

static G_GNUC_UNUSED char *stderr_capture_end(StderrCapture *c)
{
    char *text = NULL;

    fflush(stderr);
    dup2(c->saved, STDERR_FILENO);
    close(c->saved);
    g_assert_true(g_file_get_contents(c->path, &text, NULL, NULL));
    unlink(c->path);
    g_free(c->path);
    return text;
}

#endif /* TEST_CHAR_HARNESS_H */
