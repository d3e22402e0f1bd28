/*
 * chardev/char-file.c: output to a file (path=, append=), input from
 * another file or FIFO (input-path=).
 */
#include <errno.h>
#include <fcntl.h>

#include "chardev/chardev-internal.h"

static const char *const file_opts[] = { "path", "append", "input-path", NULL };

static bool file_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                          GError **errp)
{
    const char *path = opts_get(opts, "path");
    const char *in_path = opts_get(opts, "input-path");
    bool append;
    int fd_in = -1, fd_out;

    if (!path) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "chardev: file: no filename given");
        return false;
    }
    if (!opts_get_bool(opts, "append", false, &append, errp)) {
        return false;
    }
    fd_out = open(path, O_WRONLY | O_CREAT | O_CLOEXEC |
                  (append ? O_APPEND : O_TRUNC), 0666);
    if (fd_out < 0) {
        chr_set_open_error(errp, path, errno);
        return false;
    }
    if (in_path) {
        /* Non-blocking, so that a FIFO without writer does not hang us. */
        fd_in = open(in_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        if (fd_in < 0) {
            chr_set_open_error(errp, in_path, errno);
            close(fd_out);
            return false;
        }
    }
    return chr_fd_open(chr, fd_in, fd_out, false, errp);
}

static void file_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = "write to a file (path=, append=), read input-path=";
    cc->opts = file_opts;
    cc->open = file_chr_open;
}

static const TypeInfo file_chr_info = {
    .name = TYPE_CHARDEV_PREFIX "file",
    .parent = TYPE_CHARDEV_FD,
    .class_init = file_chr_class_init,
};

static void file_chr_register(void)
{
    type_register_static(&file_chr_info);
}
type_init(file_chr_register)
