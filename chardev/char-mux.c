/*
 * chardev/char-mux.c: several front ends sharing one backend (mux=on).
 *
 * The focused front end gets the input; every front end may write.  Ctrl-A
 * is the escape: c switches the focus (MUX_OUT to the old front end, MUX_IN
 * to the new), x quits, h prints help, t toggles timestamps on output, b
 * sends a BREAK, and Ctrl-A Ctrl-A is a literal Ctrl-A.
 *
 * Input a front end cannot take yet waits in the mux.  The base's CLOSED
 * waits behind it (a front end learns of the hang-up only after the last
 * byte from before it), and while it waits the base is not read, so a new
 * connection's OPENED and data come after it.
 */
#include <stdio.h>
#include <string.h>

#include "chardev/chardev-internal.h"
#include "qom/error.h"

#define MUX_ESCAPE_CHAR 0x01            /* Ctrl-A */
#define MUX_BUFFER_SIZE 32              /* input held per front end, as QEMU */
#define MUX_BUFFER_MASK (MUX_BUFFER_SIZE - 1)

struct MuxChardev {
    Chardev parent;
    CharBackend *frontends[CHR_MUX_MAX_FE];
    unsigned fe_cnt;
    int focus;                  /* index into frontends, -1: none */
    CharBackend chr;            /* our own front end on the base */
    bool got_escape;
    bool timestamps;
    bool linestart;
    gint64 timestamps_start;
    /* Input for each front end that it could not take yet. */
    uint8_t buffer[CHR_MUX_MAX_FE][MUX_BUFFER_SIZE];
    unsigned prod[CHR_MUX_MAX_FE];
    unsigned cons[CHR_MUX_MAX_FE];
    /* CLOSED (and an OPENED after it) held until that input is taken. */
    bool closed_held[CHR_MUX_MAX_FE];
    bool opened_held[CHR_MUX_MAX_FE];
    void (*quit)(void *opaque);
    void *quit_opaque;
};

DECLARE_TYPE(MuxChardev, ChardevClass, MUX_CHARDEV, TYPE_CHARDEV_MUX)

bool chardev_is_mux(Chardev *chr)
{
    return object_dynamic_cast(OBJECT(chr), TYPE_CHARDEV_MUX) != NULL;
}

unsigned chardev_mux_frontend_count(Chardev *chr)
{
    return chardev_is_mux(chr) ? MUX_CHARDEV(chr)->fe_cnt : 0;
}

static void mux_send_event(MuxChardev *d, int tag, ChrEvent event)
{
    CharBackend *be = tag >= 0 ? d->frontends[tag] : NULL;

    if (be && be->chr_event) {
        be->chr_event(be->opaque, event);
    }
}

/* ---- output ------------------------------------------------------------- */

/* Print on the terminal the mux sits on, whatever the front ends do. */
static void mux_print(MuxChardev *d, const char *text)
{
    if (d->chr.chr) {
        chr_write_all(d->chr.chr, (const uint8_t *)text, (int)strlen(text));
    }
}

static void mux_write_timestamp(MuxChardev *d)
{
    gint64 now = g_get_monotonic_time() / 1000;

    if (d->timestamps_start < 0) {
        d->timestamps_start = now;
    }
    gint64 ms = now - d->timestamps_start;
    g_autofree char *ts = g_strdup_printf(
        "[%02d:%02d:%02d.%03d] ", (int)(ms / 3600000), (int)(ms / 60000 % 60),
        (int)(ms / 1000 % 60), (int)(ms % 1000));
    mux_print(d, ts);
}

/* With timestamps, a line at a time so that each starts with its stamp. */
static int mux_chr_write(Chardev *chr, const uint8_t *buf, int len)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    int done = 0;

    if (!d->timestamps) {
        return chr_fe_write(&d->chr, buf, len);
    }
    while (done < len) {
        const uint8_t *nl = memchr(buf + done, '\n', len - done);
        int chunk = nl ? (int)(nl - (buf + done)) + 1 : len - done;
        if (d->linestart) {
            mux_write_timestamp(d);
            d->linestart = false;
        }
        int ret = chr_fe_write(&d->chr, buf + done, chunk);
        if (ret < 0) {
            return done ? done : -1;
        }
        done += ret;
        if (ret > 0 && buf[done - 1] == '\n') {
            d->linestart = true;
        }
        if (ret < chunk) {
            break;
        }
    }
    return done;
}

static GSource *mux_chr_add_watch(Chardev *chr, GIOCondition cond)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    return d->chr.chr ? chr_create_watch(d->chr.chr, cond) : NULL;
}

/* ---- input ---------------------------------------------------------------- */

static const char mux_help[] =
    "\n\r"
    "C-a h    print this help\n\r"
    "C-a x    exit emulator\n\r"
    "C-a t    toggle console timestamps\n\r"
    "C-a b    send break (magic sysrq)\n\r"
    "C-a c    switch between console and monitor\n\r"
    "C-a C-a  sends C-a\n\r";

static void mux_next_focus(MuxChardev *d)
{
    for (int i = 1; i <= CHR_MUX_MAX_FE; i++) {
        int tag = (d->focus + i) % CHR_MUX_MAX_FE;
        if (d->frontends[tag]) {
            mux_chr_set_focus(&d->parent, tag);
            return;
        }
    }
}

/* Act on one input byte; true if it is data for the focused front end. */
static bool mux_proc_byte(MuxChardev *d, uint8_t ch)
{
    if (!d->got_escape) {
        if (ch == MUX_ESCAPE_CHAR) {
            d->got_escape = true;
            return false;
        }
        return true;
    }
    d->got_escape = false;
    switch (ch) {
    case MUX_ESCAPE_CHAR:
        return true;
    case '?':
    case 'h':
        mux_print(d, mux_help);
        break;
    case 'x':
        mux_print(d, "minivirt: Terminated\n\r");
        if (d->quit) {
            d->quit(d->quit_opaque);
        }
        break;
    case 'b':
        mux_send_event(d, d->focus, CHR_EVENT_BREAK);
        break;
    case 'c':
        mux_next_focus(d);
        break;
    case 't':
        d->timestamps = !d->timestamps;
        d->timestamps_start = -1;
        d->linestart = false;
        break;
    default:
        break;
    }
    return false;
}

/* Hand the held input of front end @tag over as far as it takes it. */
static void mux_flush(MuxChardev *d, int tag)
{
    if (tag < 0) {
        return;     /* no front end has the focus */
    }
    CharBackend *be = d->frontends[tag];

    while (be && be->chr_can_read && be->chr_read &&
           d->cons[tag] != d->prod[tag]) {
        int room = be->chr_can_read(be->opaque);
        unsigned idx = d->cons[tag] & MUX_BUFFER_MASK;
        unsigned avail = MIN(d->prod[tag] - d->cons[tag], MUX_BUFFER_SIZE - idx);
        if (room <= 0) {
            return;
        }
        avail = MIN(avail, (unsigned)room);
        d->cons[tag] += avail;
        be->chr_read(be->opaque, &d->buffer[tag][idx], (int)avail);
    }
    if (d->cons[tag] == d->prod[tag] && d->closed_held[tag]) {
        /* The last byte from before the hang-up is out: now say so. */
        d->closed_held[tag] = false;
        mux_send_event(d, tag, CHR_EVENT_CLOSED);
        if (d->opened_held[tag]) {
            d->opened_held[tag] = false;
            mux_send_event(d, tag, CHR_EVENT_OPENED);
        }
    }
}

static int mux_chr_can_read(void *opaque)
{
    MuxChardev *d = opaque;

    if (d->focus < 0) {
        return 1;   /* still act on escapes; data has nowhere to go */
    }
    if (d->closed_held[d->focus]) {
        return 0;   /* the old connection's tail first */
    }
    return MUX_BUFFER_SIZE - (int)(d->prod[d->focus] - d->cons[d->focus]);
}

static void mux_chr_read(void *opaque, const uint8_t *buf, int size)
{
    MuxChardev *d = opaque;

    for (int i = 0; i < size; i++) {
        int tag = d->focus;
        if (!mux_proc_byte(d, buf[i]) || tag < 0) {
            continue;
        }
        if (d->prod[tag] - d->cons[tag] < MUX_BUFFER_SIZE) {
            d->buffer[tag][d->prod[tag]++ & MUX_BUFFER_MASK] = buf[i];
        }
        mux_flush(d, tag);
    }
}

static void mux_chr_event(void *opaque, ChrEvent event)
{
    chr_be_event(opaque, event);
}

/* Events from the base go to every front end. */
static void mux_chr_be_event(Chardev *chr, ChrEvent event)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    for (int i = 0; i < CHR_MUX_MAX_FE; i++) {
        if (event == CHR_EVENT_CLOSED && d->opened_held[i]) {
            d->opened_held[i] = false;  /* that connection came and went */
        } else if (event == CHR_EVENT_CLOSED && d->cons[i] != d->prod[i]) {
            d->closed_held[i] = true;
        } else if (event == CHR_EVENT_OPENED && d->closed_held[i]) {
            d->opened_held[i] = true;
        } else {
            mux_send_event(d, i, event);
        }
    }
}

static void mux_chr_accept_input(Chardev *chr)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    if (d->focus >= 0) {
        mux_flush(d, d->focus);
    }
    chr_fe_accept_input(&d->chr);
}

static void mux_chr_update_read_handler(Chardev *chr)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    if (d->chr.chr) {
        chr_be_update_read_handlers(d->chr.chr, chr->gcontext);
    }
}

/* ---- front ends ----------------------------------------------------------- */

bool mux_chr_attach_frontend(Chardev *chr, CharBackend *be, GError **errp)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    for (int i = 0; i < CHR_MUX_MAX_FE; i++) {
        if (!d->frontends[i]) {
            d->frontends[i] = be;
            d->prod[i] = d->cons[i] = 0;
            d->closed_held[i] = d->opened_held[i] = false;
            d->fe_cnt++;
            be->tag = i;
            return true;
        }
    }
    g_set_error(errp, MV_ERROR, MV_ERROR_IN_USE,
                "too many uses of multiplexed chardev '%s' (maximum is %d)",
                chr->label, CHR_MUX_MAX_FE);
    return false;
}

void mux_chr_detach_frontend(Chardev *chr, CharBackend *be)
{
    MuxChardev *d = MUX_CHARDEV(chr);
    int tag = be->tag;

    g_assert(tag >= 0 && tag < CHR_MUX_MAX_FE && d->frontends[tag] == be);
    d->frontends[tag] = NULL;
    d->fe_cnt--;
    if (d->focus == tag) {
        d->focus = -1;
        for (int i = 0; i < CHR_MUX_MAX_FE; i++) {
            if (d->frontends[i]) {
                d->focus = i;
                break;
            }
        }
    }
}

void mux_chr_set_focus(Chardev *chr, int tag)
{
    MuxChardev *d = MUX_CHARDEV(chr);

    g_assert(tag >= 0 && tag < CHR_MUX_MAX_FE);
    if (d->focus == tag) {
        return;
    }
    mux_send_event(d, d->focus, CHR_EVENT_MUX_OUT);
    d->focus = tag;
    mux_send_event(d, tag, CHR_EVENT_MUX_IN);
    mux_flush(d, tag);
}

void chardev_mux_set_quit_handler(Chardev *mux, void (*quit)(void *opaque),
                                  void *opaque)
{
    MuxChardev *d = MUX_CHARDEV(mux);

    d->quit = quit;
    d->quit_opaque = opaque;
}

/* ---- the type ------------------------------------------------------------- */

Chardev *chardev_mux_new(Object *container, const char *id, Chardev *base,
                         GError **errp)
{
    Object *obj = object_new(TYPE_CHARDEV_MUX);
    MuxChardev *d = MUX_CHARDEV(obj);
    Chardev *chr = &d->parent;

    chr->label = g_strdup(id);
    chr->filename = g_strdup("mux");
    if (!chr_fe_init(&d->chr, base, errp) ||
        !object_property_add_child(container, id, obj, errp)) {
        object_unref(obj);
        return NULL;
    }
    object_unref(obj);
    /* Replays OPENED (-> our be_open) if the base is already up. */
    chr_fe_set_handlers(&d->chr, mux_chr_can_read, mux_chr_read,
                        mux_chr_event, NULL, d, NULL, true);
    return chr;
}

static void mux_chr_instance_init(Object *obj)
{
    MuxChardev *d = MUX_CHARDEV(obj);

    d->focus = -1;
    d->timestamps_start = -1;
    d->linestart = true;
}

static void mux_chr_finalize(Object *obj)
{
    MuxChardev *d = MUX_CHARDEV(obj);

    for (int i = 0; i < CHR_MUX_MAX_FE; i++) {
        if (d->frontends[i]) {
            d->frontends[i]->chr = NULL;
        }
    }
    chr_fe_deinit(&d->chr, false);
}

/* Only chardev_mux_new makes a mux (from mux=on). */
static bool mux_chr_open(Chardev *chr, const Opts *opts, bool *be_opened,
                         GError **errp)
{
    g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                "'mux' is not a valid char driver name");
    return false;
}

static void mux_chr_class_init(ObjectClass *oc, void *data)
{
    ChardevClass *cc = CHARDEV_CLASS(oc);

    cc->internal = true;
    cc->open = mux_chr_open;
    cc->chr_write = mux_chr_write;
    cc->chr_add_watch = mux_chr_add_watch;
    cc->chr_accept_input = mux_chr_accept_input;
    cc->chr_update_read_handler = mux_chr_update_read_handler;
    cc->chr_be_event = mux_chr_be_event;
}

static const TypeInfo mux_chr_info = {
    .name = TYPE_CHARDEV_MUX,
    .parent = TYPE_CHARDEV,
    .instance_size = sizeof(MuxChardev),
    .instance_init = mux_chr_instance_init,
    .instance_finalize = mux_chr_finalize,
    .class_init = mux_chr_class_init,
};

static void mux_chr_register(void)
{
    type_register_static(&mux_chr_info);
}
type_init(mux_chr_register)
