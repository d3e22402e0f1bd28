/*
 * chardev/char-pipe.c: a pair of FIFOs PATH.in (our input) and PATH.out (our
 * output), or, when they do not both exist, the single FIFO PATH for both.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "chardev/chardev-internal.h"

static const char *const pipe_opts[] = { "path", NULL };

/*
 * O_RDWR, as QEMU: opening cannot block waiting for a peer, and we never
 * see EOF when the peer closes (we are a writer ourselves).
 */
static int pipe_open(const char *path)
{
    return open(path, O_RDWR | O_CLOEXEC | O_NONBLOCK);
}

static bool pipe_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                          GError **errp)
{
    const char *path = opts_get(opts, "path");

    if (!path) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "chardev: pipe: no filename given");
        return false;
    }
    g_autofree char *in = g_strdup_printf("%s.in", path);
    g_autofree char *out = g_strdup_printf("%s.out", path);
    int fd_in = pipe_open(in);
    int fd_out = pipe_open(out);
    if (fd_in < 0 || fd_out < 0) {
        if (fd_in >= 0) {
            close(fd_in);
        }
        if (fd_out >= 0) {
            close(fd_out);
        }
        fd_in = fd_out = pipe_open(path);
        if (fd_in < 0) {
            chr_set_open_error(errp, path, errno);
            return false;
        }
    }
    return chr_fd_open(chr, fd_in, fd_out, false, errp);
}

static void pipe_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = "FIFOs path=P: P.in and P.out, or P";
    cc->opts = pipe_opts;
    cc->open = pipe_chr_open;
}

static const TypeInfo pipe_chr_info = {
    .name = TYPE_CHARDEV_PREFIX "pipe",
    .parent = TYPE_CHARDEV_FD,
    .class_init = pipe_chr_class_init,
};

static void pipe_chr_register(void)
{
    type_register_static(&pipe_chr_info);
}
type_init(pipe_chr_register)
