/*
 * test-qmp-server: the monitor test machine (test-monitor-harness.h) with
 * QMP on DIR/qmp.sock and the human monitor on DIR/hmp.sock (unix socket
 * servers, wait=off), for clients minivirt did not write
 * (test-qmp-client.py).  Prints "READY" once listening; exits 0 when a
 * client sends quit.
 *
 * Usage: test-qmp-server DIR
 */
#include <stdio.h>

#include "test-monitor-harness.h"

#define POLL_MS 10

typedef struct Server {
    FakeMachine fm;
    GMainLoop *loop;
} Server;

/* The fake ops only count; the loop ends once quit was asked for. */
static gboolean check_quit(gpointer opaque)
{
    Server *s = opaque;

    if (s->fm.quits) {
        g_main_loop_quit(s->loop);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static Monitor *listen_on(Server *s, const char *dir, const char *id,
                          MonitorMode mode)
{
    g_autofree char *opts = g_strdup_printf(
        "socket,id=%s,path=%s/%s.sock,server=on,wait=off", id, dir, id);
    GError *err = NULL;
    Monitor *mon = monitor_new(s->fm.ctx, tm_chardev(&s->fm.tm, opts), mode,
                               false, &err);

    if (!mon) {
        g_error("%s: %s", id, err->message);
    }
    return mon;
}

int main(int argc, char **argv)
{
    Server s;

    if (argc != 2) {
        fprintf(stderr, "usage: %s DIR\n", argv[0]);
        return 2;
    }
    fm_init(&s.fm);
    s.loop = g_main_loop_new(NULL, FALSE);
    listen_on(&s, argv[1], "qmp", MONITOR_MODE_CONTROL);
    listen_on(&s, argv[1], "hmp", MONITOR_MODE_READLINE);
    g_timeout_add(POLL_MS, check_quit, &s);
    printf("READY\n");
    fflush(stdout);
    g_main_loop_run(s.loop);
    g_main_loop_unref(s.loop);
    fm_destroy(&s.fm);
    return 0;
}
