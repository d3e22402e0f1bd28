/*
 * chardev/char-null.c: a sink that takes every byte and never has input.
 */
#include "chardev/chardev-internal.h"

static bool null_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                          GError **errp)
{
    /* QEMU's null backend never reports OPENED. */
    *be_opened = false;
    return true;
}

static int null_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    return len;
}

static void null_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = "discard all output, never any input";
    cc->open = null_chr_open;
    cc->chr_write = null_chr_write;
}

static const TypeInfo null_chr_info = {
    .name = TYPE_CHARDEV_PREFIX "null",
    .parent = TYPE_CHARDEV,
    .class_init = null_chr_class_init,
};

static void null_chr_register(void)
{
    type_register_static(&null_chr_info);
}
type_init(null_chr_register)
