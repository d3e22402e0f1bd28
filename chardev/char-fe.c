/*
 * chardev/char-fe.c: the front-end API (see char-fe.h for the contracts).
 */
#include <string.h>

#include "chardev/chardev-internal.h"
#include "qom/error.h"

bool chr_fe_init(CharBackend *be, Chardev *s, GError **errp)
{
    be->tag = 0;
    if (s) {
        if (chardev_is_mux(s)) {
            if (!mux_chr_attach_frontend(s, be, errp)) {
                return false;
            }
        } else if (s->be) {
            g_set_error(errp, MV_ERROR, MV_ERROR_IN_USE,
                        "chardev '%s' is already in use", s->label);
            return false;
        } else {
            s->be = be;
        }
    }
    be->fe_is_open = false;
    be->chr = s;
    return true;
}

void chr_fe_deinit(CharBackend *be, bool del)
{
    Chardev *chr = be->chr;

    if (!chr) {
        return;
    }
    chr_fe_set_handlers(be, NULL, NULL, NULL, NULL, NULL, NULL, true);
    if (chr->be == be) {
        chr->be = NULL;
    }
    if (chardev_is_mux(chr)) {
        mux_chr_detach_frontend(chr, be);
    }
    be->chr = NULL;
    if (del && OBJECT(chr)->parent) {
        object_unparent(OBJECT(chr));
    }
}

void chr_fe_set_handlers(CharBackend *be, IOCanReadHandler fd_can_read,
                         IOReadHandler fd_read, IOEventHandler fd_event,
                         BackendChangeHandler be_change, void *opaque,
                         GMainContext *ctx, bool set_open)
{
    Chardev *s = be->chr;
    bool fe_open = fd_can_read || fd_read || fd_event;

    if (!s) {
        return;
    }
    be->chr_can_read = fd_can_read;
    be->chr_read = fd_read;
    be->chr_event = fd_event;
    be->chr_be_change = be_change;
    be->opaque = opaque;
    chr_be_update_read_handlers(s, ctx);
    if (set_open) {
        chr_fe_set_open(be, fe_open);
    }
    if (fe_open) {
        if (chardev_is_mux(s)) {
            mux_chr_set_focus(s, be->tag);
        }
        /* Attached after the peer came: tell this front end now. */
        if (s->be_open && fd_event) {
            fd_event(opaque, CHR_EVENT_OPENED);
        }
    }
}

int chr_fe_write(CharBackend *be, const uint8_t *buf, int len)
{
    return be->chr ? chr_write(be->chr, buf, len) : -1;
}

int chr_fe_write_all(CharBackend *be, const uint8_t *buf, int len)
{
    return be->chr ? chr_write_all(be->chr, buf, len) : -1;
}

GSource *chr_create_watch(Chardev *s, GIOCondition cond)
{
    if (CHARDEV_GET_CLASS(s)->chr_add_watch) {
        return CHARDEV_GET_CLASS(s)->chr_add_watch(s, cond);
    }
    /* A sink that never refuses: writable at once, nothing else. */
    return (cond & G_IO_OUT) ? chr_ready_source_new() : NULL;
}

guint chr_fe_add_watch(CharBackend *be, GIOCondition cond, FEWatchFunc func,
                       void *opaque)
{
    Chardev *s = be->chr;
    GSource *src;
    guint tag;

    if (!s) {
        return 0;
    }
    src = chr_create_watch(s, cond);
    if (!src) {
        return 0;
    }
    g_source_set_callback(src, (GSourceFunc)(void *)func, opaque, NULL);
    tag = g_source_attach(src, s->gcontext);
    g_source_unref(src);
    return tag;
}

void chr_fe_accept_input(CharBackend *be)
{
    Chardev *s = be->chr;

    if (s && CHARDEV_GET_CLASS(s)->chr_accept_input) {
        CHARDEV_GET_CLASS(s)->chr_accept_input(s);
    }
}

void chr_fe_set_open(CharBackend *be, bool fe_open)
{
    Chardev *s = be->chr;

    if (!s || be->fe_is_open == fe_open) {
        return;
    }
    be->fe_is_open = fe_open;
    if (CHARDEV_GET_CLASS(s)->chr_set_fe_open) {
        CHARDEV_GET_CLASS(s)->chr_set_fe_open(s, fe_open);
    }
}

void chr_fe_disconnect(CharBackend *be)
{
    Chardev *s = be->chr;

    if (s && CHARDEV_GET_CLASS(s)->chr_disconnect) {
        CHARDEV_GET_CLASS(s)->chr_disconnect(s);
    }
}

bool chr_fe_backend_connected(CharBackend *be)
{
    return be->chr != NULL;
}

bool chr_fe_backend_open(CharBackend *be)
{
    return be->chr && be->chr->be_open;
}

Chardev *chr_fe_get_driver(CharBackend *be)
{
    return be->chr;
}

const char *chr_fe_get_label(CharBackend *be)
{
    return be->chr ? be->chr->label : NULL;
}

int chr_fe_get_msgfds(CharBackend *be, int *fds, int num)
{
    Chardev *s = be->chr;

    if (!s || !CHARDEV_GET_CLASS(s)->get_msgfds) {
        return -1;
    }
    return CHARDEV_GET_CLASS(s)->get_msgfds(s, fds, num);
}

int chr_fe_get_msgfd(CharBackend *be)
{
    int fd;

    return chr_fe_get_msgfds(be, &fd, 1) == 1 ? fd : -1;
}

int chr_fe_set_msgfds(CharBackend *be, int *fds, int num)
{
    Chardev *s = be->chr;

    if (!s || !CHARDEV_GET_CLASS(s)->set_msgfds) {
        return -1;
    }
    return CHARDEV_GET_CLASS(s)->set_msgfds(s, fds, num);
}
