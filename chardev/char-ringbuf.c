/*
 * chardev/char-ringbuf.c: output kept in a ring of `size` bytes (the oldest
 * overwritten), read back by the monitor's ringbuf-read; ringbuf-write feeds
 * input.  "memory" is the same backend under its old name.
 */
#include <string.h>

#include "chardev/chardev-internal.h"
#include "qom/error.h"

/* QEMU's default ring size. */
#define RINGBUF_DEFAULT_SIZE (64 * 1024)
/* A sane upper bound: the ring is allocated at once. */
#define RINGBUF_MAX_SIZE (1ull << 30)

typedef struct RingBufChardev {
    Chardev parent;
    size_t size;        /* a power of two */
    size_t prod;        /* free-running; index with & (size - 1) */
    size_t cons;
    uint8_t *cbuf;
} RingBufChardev;

DECLARE_TYPE(RingBufChardev, ChardevClass, RINGBUF_CHARDEV,
             TYPE_CHARDEV_RINGBUF)

static const char *const ringbuf_opts[] = { "size", NULL };

static bool ringbuf_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                             GError **errp)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);
    uint64_t size;

    if (!opts_get_size(opts, "size", RINGBUF_DEFAULT_SIZE, &size, errp)) {
        return false;
    }
    if (size == 0 || (size & (size - 1)) || size > RINGBUF_MAX_SIZE) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "size of ringbuf chardev must be power of two");
        return false;
    }
    d->size = size;
    d->cbuf = g_malloc0(size);
    return true;
}

/* Takes everything: a full ring drops its oldest bytes, by design. */
static int ringbuf_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    RingBufChardev *d = RINGBUF_CHARDEV(chr);

    for (int i = 0; i < len; i++) {
        d->cbuf[d->prod++ & (d->size - 1)] = buf[i];
        if (d->prod - d->cons > d->size) {
            d->cons = d->prod - d->size;
        }
    }
    return len;
}

static void ringbuf_chr_finalize(Object *obj)
{
    g_free(RINGBUF_CHARDEV(obj)->cbuf);
}

static RingBufChardev *ringbuf_check(Chardev *chr, GError **errp)
{
    RingBufChardev *d = (RingBufChardev *)object_dynamic_cast(
        OBJECT(chr), TYPE_CHARDEV_RINGBUF);

    if (!d) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "%s is not a ringbuf device", chr->label);
    }
    return d;
}

int chardev_ringbuf_read(Chardev *chr, uint8_t *buf, int len, GError **errp)
{
    RingBufChardev *d = ringbuf_check(chr, errp);
    int i;

    if (!d) {
        return -1;
    }
    g_mutex_lock(&chr->chr_write_lock);
    for (i = 0; i < len && d->cons != d->prod; i++) {
        buf[i] = d->cbuf[d->cons++ & (d->size - 1)];
    }
    g_mutex_unlock(&chr->chr_write_lock);
    return i;
}

int chardev_ringbuf_write(Chardev *chr, const uint8_t *buf, int len,
                          GError **errp)
{
    if (!ringbuf_check(chr, errp)) {
        return -1;
    }
    /* Through the write path: the lock, and the logfile like any output. */
    return chr_write(chr, buf, len);
}

int chardev_ringbuf_input(Chardev *chr, const uint8_t *buf, int len,
                          GError **errp)
{
    if (!ringbuf_check(chr, errp)) {
        return -1;
    }
    int n = MIN(len, chr_be_can_write(chr));
    chr_be_write(chr, buf, n);
    return n;
}

static void ringbuf_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = data;
    cc->opts = ringbuf_opts;
    cc->open = ringbuf_chr_open;
    cc->chr_write = ringbuf_chr_write;
}

static const TypeInfo ringbuf_chr_info = {
    .name = TYPE_CHARDEV_RINGBUF,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(RingBufChardev),
    .instance_finalize = ringbuf_chr_finalize,
    .class_init = ringbuf_chr_class_init,
    .class_data = (void *)"output kept in memory (size=, a power of two)",
};

static const TypeInfo memory_chr_info = {
    .name = TYPE_CHARDEV_PREFIX "memory",
    .parent = TYPE_CHARDEV_RINGBUF,
    .class_init = ringbuf_chr_class_init,
    .class_data = (void *)"the old name of ringbuf",
};

static void ringbuf_chr_register(void)
{
    type_register_static(&ringbuf_chr_info);
    type_register_static(&memory_chr_info);
}
type_init(ringbuf_chr_register)
