/*
 * machine/monitor-hmp.c: the human monitor: line editing (echo, backspace,
 * Ctrl-U, history on the arrow keys), the command table and its commands.
 * Commands, their arguments and their output follow QEMU's HMP.
 *
 * A command writes its output into a GString with plain "\n"; the terminal
 * gets "\r\n" (as QEMU's monitor sends, since the terminal is raw), and
 * QMP's human-monitor-command gets the text as it is.
 */
#include <string.h>

#include "hw/core/qdev-monitor.h"
#include "machine/monitor-internal.h"
#include "qom/error.h"

#define ASCII_BS    0x08
#define ASCII_BEL   0x07
#define ASCII_ESC   0x1b
#define ASCII_DEL   0x7f
#define ASCII_CTRL_U 0x15

/* The most arguments a command takes. */
#define HMP_MAX_ARGS 3

typedef struct HmpCommand {
    const char *name;
    const char *alias;          /* a short name, or NULL */
    const char *params;         /* for help */
    const char *help;
    /* Argument names; the last one takes the rest of the line if @rest. */
    const char *args[HMP_MAX_ARGS];
    unsigned nreq;              /* how many are required */
    bool rest;
    void (*cmd)(MonitorContext *ctx, char **argv, GString *out);
} HmpCommand;

typedef struct HmpInfo {
    const char *name;
    const char *help;
    void (*cmd)(MonitorContext *ctx, GString *out);
} HmpInfo;

static const HmpInfo hmp_info_cmds[] = {
    { "chardev", "show the character devices", hmp_info_chardev },
    { "pci", "show PCI info", hmp_info_pci },
    { "qtree", "show device tree", hmp_info_qtree },
    { "status", "show the current VM status (running|paused)",
      hmp_info_status },
    { "virtio-serial", "show virtio-serial ports, their state and counters",
      hmp_info_virtio_serial },
    { NULL },
};

static void hmp_error(GString *out, const GError *err)
{
    g_string_append_printf(out, "Error: %s\n", err->message);
}

/* ---- commands ------------------------------------------------------------------ */

static const HmpCommand hmp_cmds[];

static void hmp_help(MonitorContext *ctx, char **argv, GString *out)
{
    const char *which = argv[0];

    for (const HmpCommand *c = hmp_cmds; c->name; c++) {
        if (which && strcmp(which, c->name) &&
            !(c->alias && !strcmp(which, c->alias))) {
            continue;
        }
        g_string_append_printf(out, "%s%s%s %s -- %s\n", c->name,
                               c->alias ? "|" : "", c->alias ? c->alias : "",
                               c->params, c->help);
        if (which && !strcmp(c->name, "info")) {
            for (const HmpInfo *i = hmp_info_cmds; i->name; i++) {
                g_string_append_printf(out, "info %s  -- %s\n", i->name,
                                       i->help);
            }
        }
    }
}

static void hmp_info(MonitorContext *ctx, char **argv, GString *out)
{
    if (!argv[0]) {
        for (const HmpInfo *i = hmp_info_cmds; i->name; i++) {
            g_string_append_printf(out, "info %s  -- %s\n", i->name, i->help);
        }
        return;
    }
    for (const HmpInfo *i = hmp_info_cmds; i->name; i++) {
        if (!strcmp(argv[0], i->name)) {
            i->cmd(ctx, out);
            return;
        }
    }
    g_string_append_printf(out, "unknown command: 'info %s'\n", argv[0]);
}

static void hmp_chardev_add(MonitorContext *ctx, char **argv, GString *out)
{
    g_autoptr(GError) err = NULL;
    Chardev *chr = chardev_new_from_string(ctx->chardevs, argv[0], &err);

    if (!chr) {
        hmp_error(out, err);
    } else if (g_str_has_prefix(chr->filename, "pty:")) {
        /* As QEMU: the user needs to know which pty to open. */
        g_string_append_printf(out, "char device redirected to %s (label %s)\n",
                               chr->filename + strlen("pty:"), chr->label);
    }
}

static void hmp_chardev_remove(MonitorContext *ctx, char **argv, GString *out)
{
    g_autoptr(GError) err = NULL;

    if (!chardev_remove(ctx->chardevs, argv[0], &err)) {
        hmp_error(out, err);
    }
}

static void hmp_chardev_change(MonitorContext *ctx, char **argv, GString *out)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Opts) opts = opts_parse(argv[1], "backend", NULL, &err);

    if (opts) {
        opts_set(opts, "id", argv[0]);
        if (chardev_change(ctx->chardevs, argv[0], opts, &err)) {
            return;
        }
    }
    hmp_error(out, err);
}

static void hmp_device_add(MonitorContext *ctx, char **argv, GString *out)
{
    g_autoptr(GError) err = NULL;

    if (qdev_device_help(argv[0], out, &err)) {
        if (err) {
            hmp_error(out, err);
        }
        return;
    }
    if (!qdev_device_add(ctx->machine, argv[0], &err)) {
        hmp_error(out, err);
    }
}

static void hmp_device_del(MonitorContext *ctx, char **argv, GString *out)
{
    g_autoptr(GError) err = NULL;

    if (!monitor_do_device_del(ctx, argv[0], &err)) {
        hmp_error(out, err);
    }
}

static Chardev *ringbuf_find(MonitorContext *ctx, const char *id, GString *out)
{
    Chardev *chr = chardev_find(ctx->chardevs, id);

    if (!chr) {
        g_string_append_printf(out, "Error: Chardev '%s' not found\n", id);
    }
    return chr;
}

static void hmp_ringbuf_write(MonitorContext *ctx, char **argv, GString *out)
{
    g_autoptr(GError) err = NULL;
    Chardev *chr = ringbuf_find(ctx, argv[0], out);
    size_t len = strlen(argv[1]);

    if (chr && chardev_ringbuf_write(chr, (const uint8_t *)argv[1],
                                     len > G_MAXINT ? G_MAXINT : (int)len,
                                     &err) < 0) {
        hmp_error(out, err);
    }
}

static void hmp_ringbuf_read(MonitorContext *ctx, char **argv, GString *out)
{
    g_autoptr(GError) err = NULL;
    g_autofree uint8_t *buf = NULL;
    Chardev *chr;
    uint64_t size;
    int n;

    if (!parse_uint("size", argv[1], G_MAXINT, &size, &err)) {
        hmp_error(out, err);
        return;
    }
    chr = ringbuf_find(ctx, argv[0], out);
    if (!chr) {
        return;
    }
    buf = g_malloc(size ? size : 1);
    n = chardev_ringbuf_read(chr, buf, (int)size, &err);
    if (n < 0) {
        hmp_error(out, err);
        return;
    }
    /* QEMU's escaping: backslash doubled, control characters as \uXXXX. */
    for (int i = 0; i < n; i++) {
        uint8_t c = buf[i];

        if (c == '\\') {
            g_string_append(out, "\\\\");
        } else if ((c < 0x20 && c != '\n' && c != '\t') || c == ASCII_DEL) {
            g_string_append_printf(out, "\\u%04X", c);
        } else {
            g_string_append_c(out, c);
        }
    }
    g_string_append_c(out, '\n');
}

static void hmp_stop(MonitorContext *ctx, char **argv, GString *out)
{
    monitor_do_stop(ctx);
}

static void hmp_cont(MonitorContext *ctx, char **argv, GString *out)
{
    g_autoptr(GError) err = NULL;

    if (!monitor_do_cont(ctx, &err)) {
        hmp_error(out, err);
    }
}

static void hmp_system_reset(MonitorContext *ctx, char **argv, GString *out)
{
    monitor_do_system_reset(ctx);
}

static void hmp_system_powerdown(MonitorContext *ctx, char **argv,
                                 GString *out)
{
    monitor_do_system_powerdown(ctx);
}

static void hmp_quit(MonitorContext *ctx, char **argv, GString *out)
{
    monitor_do_quit(ctx);
}

static const HmpCommand hmp_cmds[] = {
    { "help", "?", "[cmd]", "show the help", { "name" }, 0, false, hmp_help },
    { "info", NULL, "[subcommand]", "show various information about the system state",
      { "item" }, 0, false, hmp_info },
    { "chardev-add", NULL, "args", "add chardev", { "args" }, 1, true,
      hmp_chardev_add },
    { "chardev-change", NULL, "id args", "change chardev", { "id", "args" },
      2, true, hmp_chardev_change },
    { "chardev-remove", NULL, "id", "remove chardev", { "id" }, 1, false,
      hmp_chardev_remove },
    { "device_add", NULL, "driver[,prop=value][,...]",
      "add device, like -device on the command line", { "device" }, 1, true,
      hmp_device_add },
    { "device_del", NULL, "device", "remove device", { "id" }, 1, false,
      hmp_device_del },
    { "ringbuf_write", NULL, "device data", "Write to a ring buffer character device",
      { "device", "data" }, 2, false, hmp_ringbuf_write },
    { "ringbuf_read", NULL, "device size", "Read from a ring buffer character device",
      { "device", "size" }, 2, false, hmp_ringbuf_read },
    { "stop", "s", "", "stop emulation", { NULL }, 0, false, hmp_stop },
    { "cont", "c", "", "resume emulation", { NULL }, 0, false, hmp_cont },
    { "system_reset", NULL, "", "reset the system", { NULL }, 0, false,
      hmp_system_reset },
    { "system_powerdown", NULL, "", "send system power down event", { NULL },
      0, false, hmp_system_powerdown },
    { "quit", "q", "", "quit the emulator", { NULL }, 0, false, hmp_quit },
    { NULL },
};

/* ---- parsing ----------------------------------------------------------------------- */

/*
 * Take one word from *@p: up to white space, or a "quoted string" with
 * \" \\ \n \t \r escapes (QEMU's 's' argument).  NULL at the end of the
 * line; an unterminated quote sets @errp.
 */
static char *next_word(const char **p, GError **errp)
{
    const char *s = *p;
    GString *w;

    while (g_ascii_isspace(*s)) {
        s++;
    }
    if (!*s) {
        *p = s;
        return NULL;
    }
    w = g_string_new(NULL);
    if (*s != '"') {
        while (*s && !g_ascii_isspace(*s)) {
            g_string_append_c(w, *s++);
        }
        *p = s;
        return g_string_free(w, false);
    }
    for (s++; *s != '"'; s++) {
        if (!*s) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "unterminated string");
            g_string_free(w, true);
            return NULL;
        }
        if (*s == '\\') {
            static const char from[] = "\"\\ntr", to[] = "\"\\\n\t\r";
            const char *e = s[1] ? strchr(from, s[1]) : NULL;

            if (!e) {
                g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                            "invalid escape sequence in string");
                g_string_free(w, true);
                return NULL;
            }
            g_string_append_c(w, to[e - from]);
            s++;
        } else {
            g_string_append_c(w, *s);
        }
    }
    *p = s + 1;
    return g_string_free(w, false);
}

void hmp_execute(MonitorContext *ctx, const char *cmdline, GString *out)
{
    g_autoptr(GError) err = NULL;
    const char *p = cmdline;
    g_autofree char *name = next_word(&p, &err);
    char *argv[HMP_MAX_ARGS + 1] = { NULL };
    const HmpCommand *c;
    unsigned i;

    if (!name) {
        if (err) {
            hmp_error(out, err);
        }
        return;
    }
    for (c = hmp_cmds; c->name; c++) {
        if (!strcmp(name, c->name) || (c->alias && !strcmp(name, c->alias))) {
            break;
        }
    }
    if (!c->name) {
        g_string_append_printf(out, "unknown command: '%s'\n", name);
        return;
    }
    for (i = 0; i < HMP_MAX_ARGS && c->args[i]; i++) {
        bool last = i + 1 == HMP_MAX_ARGS || !c->args[i + 1];

        if (last && c->rest) {
            g_autofree char *rest = g_strstrip(g_strdup(p));

            p += strlen(p);
            argv[i] = *rest ? g_steal_pointer(&rest) : NULL;
        } else {
            argv[i] = next_word(&p, &err);
            if (err) {
                hmp_error(out, err);
                goto done;
            }
        }
        if (!argv[i]) {
            if (i < c->nreq) {
                g_string_append_printf(out, "%s: Parameter '%s' is missing\n",
                                       c->name, c->args[i]);
                goto done;
            }
            break;
        }
    }
    while (g_ascii_isspace(*p)) {
        p++;
    }
    if (*p) {
        g_string_append_printf(out, "%s: extraneous characters at the end of line\n",
                               c->name);
        goto done;
    }
    c->cmd(ctx, argv, out);
done:
    for (i = 0; i < HMP_MAX_ARGS; i++) {
        g_free(argv[i]);
    }
}

/* ---- the terminal -------------------------------------------------------------------- */

/* Write @text with \n turned into \r\n: the terminal on the other end is raw. */
static void hmp_puts(Monitor *mon, const char *text, size_t len)
{
    g_autoptr(GString) s = g_string_sized_new(len + 16);

    for (size_t i = 0; i < len; i++) {
        if (text[i] == '\n') {
            g_string_append_c(s, '\r');
        }
        g_string_append_c(s, text[i]);
    }
    monitor_write(mon, s->str, s->len);
}

static void hmp_print(Monitor *mon, const char *text)
{
    hmp_puts(mon, text, strlen(text));
}

static void hmp_show_prompt(Monitor *mon)
{
    hmp_print(mon, MONITOR_PROMPT);
}

/* Replace the line being edited by @text, on screen too. */
static void hmp_set_line(Monitor *mon, const char *text)
{
    g_string_assign(mon->hmp.line, text);
    /* Back to column 0, clear to end of line (ECMA-48 EL), redraw. */
    hmp_print(mon, "\r\033[K" MONITOR_PROMPT);
    hmp_print(mon, text);
}

static void hmp_history_add(HmpState *h, const char *line)
{
    if (!*line) {
        return;
    }
    if (h->history->len &&
        !strcmp(g_ptr_array_index(h->history, h->history->len - 1), line)) {
        return;
    }
    if (h->history->len == HMP_HISTORY_MAX) {
        g_ptr_array_remove_index(h->history, 0);
    }
    g_ptr_array_add(h->history, g_strdup(line));
}

static void hmp_history_move(Monitor *mon, int dir)
{
    HmpState *h = &mon->hmp;
    int n = (int)h->history->len;
    int pos = h->hist_pos < 0 ? n : h->hist_pos;

    pos += dir;
    if (pos < 0 || pos > n) {
        return;
    }
    h->hist_pos = pos == n ? -1 : pos;
    hmp_set_line(mon, pos == n ? "" : g_ptr_array_index(h->history, pos));
}

static void hmp_enter(Monitor *mon)
{
    MonitorContext *ctx = mon->ctx;
    g_autofree char *line = g_strdup(mon->hmp.line->str);
    g_autoptr(GString) out = g_string_new(NULL);

    hmp_print(mon, "\n");
    g_string_truncate(mon->hmp.line, 0);
    mon->hmp.hist_pos = -1;
    hmp_history_add(&mon->hmp, line);
    hmp_execute(ctx, line, out);
    hmp_puts(mon, out->str, out->len);
    if (!ctx->quit_requested) {
        hmp_show_prompt(mon);
    }
}

static void hmp_key(Monitor *mon, uint8_t c)
{
    HmpState *h = &mon->hmp;

    if (h->esc == 1) {
        h->esc = c == '[' || c == 'O' ? 2 : 0;
        return;
    }
    if (h->esc == 2) {
        /* A CSI sequence ends with a byte in 0x40..0x7e (ECMA-48 §5.4). */
        if (c >= 0x40 && c <= 0x7e) {
            h->esc = 0;
            if (c == 'A') {
                hmp_history_move(mon, -1);
            } else if (c == 'B') {
                hmp_history_move(mon, 1);
            }
        }
        return;
    }
    if (c == '\n' && h->last_cr) {
        h->last_cr = false;
        return;
    }
    h->last_cr = c == '\r';
    switch (c) {
    case '\r':
    case '\n':
        hmp_enter(mon);
        break;
    case ASCII_ESC:
        h->esc = 1;
        break;
    case ASCII_BS:
    case ASCII_DEL:
        if (h->line->len) {
            g_string_truncate(h->line, h->line->len - 1);
            hmp_print(mon, "\b \b");
        }
        break;
    case ASCII_CTRL_U:
        hmp_set_line(mon, "");
        break;
    default:
        if (c < 0x20) {
            break;  /* other control characters do nothing */
        }
        if (h->line->len >= HMP_LINE_MAX) {
            char bel = ASCII_BEL;
            monitor_write(mon, &bel, 1);
            break;
        }
        g_string_append_c(h->line, c);
        monitor_write(mon, (const char *)&c, 1);
    }
}

void hmp_init(Monitor *mon)
{
    mon->hmp.line = g_string_new(NULL);
    mon->hmp.history = g_ptr_array_new_with_free_func(g_free);
    mon->hmp.hist_pos = -1;
}

void hmp_cleanup(Monitor *mon)
{
    g_string_free(mon->hmp.line, true);
    g_ptr_array_unref(mon->hmp.history);
}

int hmp_can_read(Monitor *mon)
{
    /* One line at most per call, so quit stops reading at once. */
    return mon->ctx->quit_requested ? 0 : HMP_LINE_MAX;
}

void hmp_read(Monitor *mon, const uint8_t *buf, int size)
{
    for (int i = 0; i < size && !mon->ctx->quit_requested; i++) {
        hmp_key(mon, buf[i]);
    }
}

void hmp_event(Monitor *mon, ChrEvent event)
{
    HmpState *h = &mon->hmp;

    switch (event) {
    case CHR_EVENT_OPENED:
        g_string_truncate(h->line, 0);
        h->esc = 0;
        hmp_print(mon, "minivirt " MINIVIRT_VERSION
                  " monitor - type 'help' for more information\n");
        if (!h->mux_out) {
            hmp_show_prompt(mon);
        }
        h->reset_seen = true;
        break;
    case CHR_EVENT_MUX_IN:
        h->mux_out = false;
        if (h->reset_seen) {
            hmp_show_prompt(mon);
            hmp_print(mon, h->line->str);
        }
        break;
    case CHR_EVENT_MUX_OUT:
        if (h->reset_seen && !h->mux_out) {
            hmp_print(mon, "\n");
        }
        h->mux_out = true;
        break;
    case CHR_EVENT_CLOSED:
    case CHR_EVENT_BREAK:
        break;
    }
}
