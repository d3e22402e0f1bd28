/*
 * chardev/char-pty.c: a pseudo-terminal; users attach to the slave
 * (/dev/pts/N) with screen, minicom or socat.
 *
 * The master sees POLLHUP while no one has the slave open.  We are "open"
 * (OPENED sent, reading) only while someone does; until then a writes fails
 * with -1 (nobody to take it), and a timer checks once a second whether a
 * user came, as QEMU does.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "chardev/chardev-internal.h"
#include "io/channel-file.h"

/* How often a disconnected pty looks for a user. */
#define PTY_POLL_MS 1000
#define PTY_NAME_MAX 64

typedef struct PtyChardev {
    Chardev parent;
    QIOChannel *ioc;
    int fd;                     /* the master, owned by ioc */
    bool connected;
    GSource *read_src;
    GSource *timer;
} PtyChardev;

DECLARE_TYPE(PtyChardev, ChardevClass, PTY_CHARDEV, TYPE_CHARDEV_PREFIX "pty")

static void pty_chr_state(Chardev *chr, bool connected);

static bool pty_slave_present(PtyChardev *s)
{
    struct pollfd pfd = { .fd = s->fd, .events = POLLIN };

    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

static gboolean pty_chr_timer(gpointer opaque)
{
    Chardev *chr = opaque;
    PtyChardev *s = PTY_CHARDEV(chr);

    if (pty_slave_present(s)) {
        g_source_unref(s->timer);
        s->timer = NULL;
        pty_chr_state(chr, true);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void pty_chr_stop_timer(PtyChardev *s)
{
    if (s->timer) {
        g_source_destroy(s->timer);
        g_source_unref(s->timer);
        s->timer = NULL;
    }
}

static int pty_chr_can_read(void *opaque)
{
    return chr_be_can_write(opaque);
}

static gboolean pty_chr_read(QIOChannel *ioc, GIOCondition cond, void *opaque)
{
    if (chr_io_read_to_be(opaque, ioc) >= 0) {
        return G_SOURCE_CONTINUE;
    }
    /* EIO: the last user closed the slave. */
    pty_chr_state(opaque, false);
    return G_SOURCE_REMOVE;
}

static void pty_chr_update_read_handler(Chardev *chr)
{
    PtyChardev *s = PTY_CHARDEV(chr);

    chr_io_remove_watch(&s->read_src);
    if (s->connected) {
        s->read_src = chr_io_add_watch_poll(s->ioc, pty_chr_can_read,
                                            pty_chr_read, chr, chr->gcontext);
    }
}

static void pty_chr_state(Chardev *chr, bool connected)
{
    PtyChardev *s = PTY_CHARDEV(chr);

    if (s->connected == connected) {
        return;
    }
    s->connected = connected;
    pty_chr_update_read_handler(chr);
    if (connected) {
        pty_chr_stop_timer(s);
        chr_be_event(chr, CHR_EVENT_OPENED);
    } else {
        s->timer = g_timeout_source_new(PTY_POLL_MS);
        g_source_set_callback(s->timer, pty_chr_timer, chr, NULL);
        g_source_attach(s->timer, chr->gcontext);
        chr_be_event(chr, CHR_EVENT_CLOSED);
    }
}

static int pty_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    PtyChardev *s = PTY_CHARDEV(chr);

    if (!s->connected) {
        /* A user may have come since the last timer tick. */
        if (!pty_slave_present(s)) {
            return -1;
        }
        pty_chr_state(chr, true);
    }
    return chr_io_write(s->ioc, buf, len);
}

static GSource *pty_chr_add_watch(Chardev *chr, GIOCondition cond)
{
    PtyChardev *s = PTY_CHARDEV(chr);

    return s->connected ? qio_channel_create_watch(s->ioc, cond) : NULL;
}

static void pty_chr_accept_input(Chardev *chr)
{
    g_main_context_wakeup(chr->gcontext);
}

static bool pty_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                         GError **errp)
{
    PtyChardev *s = PTY_CHARDEV(chr);
    char name[PTY_NAME_MAX];
    struct termios tty;
    int master, slave;

    master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0 ||
        ptsname_r(master, name, sizeof(name)) != 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Failed to create PTY: %s",
                    g_strerror(errno));
        if (master >= 0) {
            close(master);
        }
        return false;
    }
    /* Raw line discipline on the slave: bytes pass as they are. */
    slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave >= 0) {
        if (tcgetattr(slave, &tty) == 0) {
            cfmakeraw(&tty);
            tcsetattr(slave, TCSAFLUSH, &tty);
        }
        close(slave);
    }
    s->fd = master;
    s->ioc = QIO_CHANNEL(qio_channel_file_new_fd(master));
    qio_channel_set_blocking(s->ioc, false, NULL);
    chr->filename = g_strdup_printf("pty:%s", name);
    fprintf(stderr, "char device redirected to %s (label %s)\n", name,
            chr->label);

    /* Start disconnected and look for a user, as after a hang-up. */
    s->connected = true;
    *be_opened = false;
    pty_chr_state(chr, false);
    return true;
}

static void pty_chr_finalize(Object *obj)
{
    PtyChardev *s = PTY_CHARDEV(obj);

    chr_io_remove_watch(&s->read_src);
    pty_chr_stop_timer(s);
    if (s->ioc) {
        object_unref(OBJECT(s->ioc));
    }
}

static void pty_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->desc = "a pseudo-terminal (its /dev/pts/N is printed)";
    cc->open = pty_chr_open;
    cc->chr_write = pty_chr_write;
    cc->chr_add_watch = pty_chr_add_watch;
    cc->chr_update_read_handler = pty_chr_update_read_handler;
    cc->chr_accept_input = pty_chr_accept_input;
}

static const TypeInfo pty_chr_info = {
    .name = TYPE_CHARDEV_PREFIX "pty",
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(PtyChardev),
    .instance_finalize = pty_chr_finalize,
    .class_init = pty_chr_class_init,
};

static void pty_chr_register(void)
{
    type_register_static(&pty_chr_info);
}
type_init(pty_chr_register)
