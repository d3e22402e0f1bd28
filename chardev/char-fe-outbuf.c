/*
 * chardev/char-fe-outbuf.c: a front end's bounded output buffer; see
 * char-fe-outbuf.h for the contract.
 */
#include <limits.h>

#include "chardev/char-fe-outbuf.h"

void chr_fe_outbuf_init(ChrFeOutBuf *ob, CharBackend *be, size_t max,
                        ChrFeOutBufWritable writable, void *opaque)
{
    g_assert(max > 0 && writable);
    ob->be = be;
    ob->data = g_byte_array_new();
    ob->max = max;
    ob->watch = 0;
    ob->writable = writable;
    ob->opaque = opaque;
}

void chr_fe_outbuf_destroy(ChrFeOutBuf *ob)
{
    chr_fe_outbuf_cancel(ob);
    if (ob->data) {
        g_byte_array_unref(ob->data);
        ob->data = NULL;
    }
}

size_t chr_fe_outbuf_len(const ChrFeOutBuf *ob)
{
    return ob->data ? ob->data->len : 0;
}

bool chr_fe_outbuf_waiting(const ChrFeOutBuf *ob)
{
    return ob->watch != 0;
}

size_t chr_fe_outbuf_append(ChrFeOutBuf *ob, const uint8_t *buf, size_t len)
{
    size_t room = ob->max > ob->data->len ? ob->max - ob->data->len : 0;
    size_t keep = MIN(room, len);

    g_byte_array_append(ob->data, buf, keep);
    return keep;
}

int chr_fe_outbuf_write_once(ChrFeOutBuf *ob)
{
    int len = MIN(ob->data->len, (guint)INT_MAX);
    int ret = chr_fe_write(ob->be, ob->data->data, len);

    /* A CLOSED event seen inside the write may have emptied the buffer. */
    if (ret > 0) {
        g_byte_array_remove_range(ob->data, 0,
                                  MIN((guint)ret, ob->data->len));
    }
    return ret;
}

static gboolean chr_fe_outbuf_watch_cb(void *do_not_use, GIOCondition cond,
                                       void *opaque)
{
    ChrFeOutBuf *ob = opaque;

    ob->watch = 0;
    ob->writable(ob->opaque);
    return G_SOURCE_REMOVE;
}

bool chr_fe_outbuf_wait(ChrFeOutBuf *ob)
{
    /* HUP too: a peer that hangs up must wake us, to learn it is gone. */
    if (!ob->watch) {
        ob->watch = chr_fe_add_watch(ob->be, G_IO_OUT | G_IO_HUP,
                                     chr_fe_outbuf_watch_cb, ob);
    }
    return ob->watch != 0;
}

int chr_fe_outbuf_flush(ChrFeOutBuf *ob)
{
    while (ob->data->len) {
        guint before = ob->data->len;
        int ret = chr_fe_outbuf_write_once(ob);

        if (ret < 0) {
            return -1;
        }
        if ((guint)ret < before) {
            return chr_fe_outbuf_wait(ob) ? 1 : -1;
        }
    }
    return 0;
}

void chr_fe_outbuf_cancel(ChrFeOutBuf *ob)
{
    if (ob->watch) {
        g_source_remove(ob->watch);
        ob->watch = 0;
    }
}

void chr_fe_outbuf_drop(ChrFeOutBuf *ob)
{
    chr_fe_outbuf_cancel(ob);
    g_byte_array_set_size(ob->data, 0);
}
