/*
 * machine/monitor.c: the monitor context, attaching monitors to chardevs,
 * buffered output, events, and the operations HMP and QMP share.
 * See machine/monitor.h for the contracts.
 */
#include <stdio.h>
#include <string.h>

#include "hw/core/qdev-monitor.h"
#include "machine/monitor-internal.h"
#include "qom/error.h"

/* ---- the context --------------------------------------------------------- */

MonitorContext *monitor_context_new(Object *root, Object *chardevs,
                                    const MonitorMachineOps *ops,
                                    void *opaque)
{
    MonitorContext *ctx = g_new0(MonitorContext, 1);

    g_assert(root && chardevs && ops);
    g_assert(ops->stop && ops->cont && ops->system_reset &&
             ops->system_powerdown && ops->quit && ops->status);
    ctx->root = root;
    ctx->machine = root;
    ctx->chardevs = chardevs;
    ctx->ops = ops;
    ctx->opaque = opaque;
    ctx->monitors = g_ptr_array_new();
    return ctx;
}

void monitor_context_free(MonitorContext *ctx)
{
    if (!ctx) {
        return;
    }
    while (ctx->monitors->len) {
        monitor_free(g_ptr_array_index(ctx->monitors, ctx->monitors->len - 1));
    }
    g_ptr_array_unref(ctx->monitors);
    g_free(ctx);
}

void monitor_context_set_machine(MonitorContext *ctx, Object *machine)
{
    g_assert(object_get_root(machine) == ctx->root);
    ctx->machine = machine;
}

Object *monitor_qom_root(MonitorContext *ctx)
{
    return ctx->root;
}

/* ---- chardev front end ------------------------------------------------------ */

static int monitor_can_read(void *opaque)
{
    Monitor *mon = opaque;

    return mon->mode == MONITOR_MODE_CONTROL ? qmp_can_read(mon)
                                             : hmp_can_read(mon);
}

static void monitor_read(void *opaque, const uint8_t *buf, int size)
{
    Monitor *mon = opaque;
    MonitorContext *ctx = mon->ctx;

    if (mon->mode == MONITOR_MODE_CONTROL) {
        qmp_read(mon, buf, size);
    } else {
        hmp_read(mon, buf, size);
    }
    monitor_run_pending_quit(ctx);
}

static void monitor_drop_output(Monitor *mon)
{
    chr_fe_outbuf_drop(&mon->out);
}

static void monitor_chr_event(void *opaque, ChrEvent event)
{
    Monitor *mon = opaque;

    if (event == CHR_EVENT_CLOSED) {
        /* Whatever the old peer did not read is not the next one's. */
        monitor_drop_output(mon);
    }
    if (mon->mode == MONITOR_MODE_CONTROL) {
        qmp_event(mon, event);
    } else {
        hmp_event(mon, event);
    }
}

/* A monitor's user is the monitor itself: it follows a new backend. */
static int monitor_be_change(void *opaque)
{
    Monitor *mon = opaque;

    monitor_drop_output(mon);
    return 0;
}

static void monitor_flush(void *opaque);

Monitor *monitor_new(MonitorContext *ctx, Chardev *chr, MonitorMode mode,
                     bool pretty, GError **errp)
{
    Monitor *mon = g_new0(Monitor, 1);

    if (!chr_fe_init(&mon->be, chr, errp)) {
        g_free(mon);
        return NULL;
    }
    mon->ctx = ctx;
    mon->mode = mode;
    mon->pretty = pretty;
    chr_fe_outbuf_init(&mon->out, &mon->be, MONITOR_OUTBUF_MAX,
                       monitor_flush, mon);
    if (mode == MONITOR_MODE_CONTROL) {
        qmp_init(mon);
    } else {
        hmp_init(mon);
    }
    g_ptr_array_add(ctx->monitors, mon);
    /* Greets now if the chardev is already open (stdio, a connected peer). */
    chr_fe_set_handlers(&mon->be, monitor_can_read, monitor_read,
                        monitor_chr_event, monitor_be_change, mon, NULL, true);
    return mon;
}

void monitor_free(Monitor *mon)
{
    if (!mon) {
        return;
    }
    g_ptr_array_remove(mon->ctx->monitors, mon);
    monitor_drop_output(mon);
    chr_fe_deinit(&mon->be, false);
    if (mon->mode == MONITOR_MODE_CONTROL) {
        qmp_cleanup(mon);
    } else {
        hmp_cleanup(mon);
    }
    chr_fe_outbuf_destroy(&mon->out);
    g_free(mon);
}

/* ---- output ------------------------------------------------------------------ */

/* Also the buffer's writable callback, from its G_IO_OUT watch. */
static void monitor_flush(void *opaque)
{
    Monitor *mon = opaque;

    if (chr_fe_outbuf_flush(&mon->out) < 0) {
        /* Nobody listens (a server without peer): QEMU drops it too. */
        chr_fe_outbuf_drop(&mon->out);
    }
}

void monitor_write(Monitor *mon, const char *buf, size_t len)
{
    if (chr_fe_outbuf_len(&mon->out) + len > MONITOR_OUTBUF_MAX) {
        /*
         * The peer stopped reading.  Rather than grow without bound or
         * send it a stream with a hole in it, drop it; the next peer
         * starts a new session.
         */
        fprintf(stderr, "minivirt: monitor on '%s': the peer is not reading, "
                "disconnecting it\n", chr_fe_get_label(&mon->be));
        monitor_drop_output(mon);
        chr_fe_disconnect(&mon->be);
        return;
    }
    chr_fe_outbuf_append(&mon->out, (const uint8_t *)buf, len);
    if (!chr_fe_outbuf_waiting(&mon->out)) {
        monitor_flush(mon);
    }
}

void monitor_flush_all(MonitorContext *ctx)
{
    gint64 deadline = g_get_monotonic_time() + MONITOR_QUIT_FLUSH_US;

    for (guint i = 0; i < ctx->monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(ctx->monitors, i);

        /*
         * Not chr_fe_write_all: a peer that stopped reading must not keep
         * minivirt from quitting.  Retry what the backend refuses for now
         * until the deadline; no main loop runs meanwhile.
         */
        while (chr_fe_outbuf_len(&mon->out) &&
               g_get_monotonic_time() < deadline) {
            int ret = chr_fe_outbuf_write_once(&mon->out);

            if (ret < 0) {
                break;
            }
            if (ret == 0) {
                g_usleep(MONITOR_QUIT_FLUSH_POLL_US);
            }
        }
        monitor_drop_output(mon);
    }
}

/* ---- events ------------------------------------------------------------------ */

void monitor_event_emit_object(MonitorContext *ctx, const char *name,
                               JsonObject *data)
{
    gint64 now = g_get_real_time();
    JsonObject *ts = json_object_new();
    JsonObject *ev = json_object_new();
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_object_set_int_member(ts, "seconds", now / G_USEC_PER_SEC);
    json_object_set_int_member(ts, "microseconds", now % G_USEC_PER_SEC);
    json_object_set_object_member(ev, "timestamp", ts);
    json_object_set_string_member(ev, "event", name);
    if (data) {
        json_object_set_object_member(ev, "data", data);
    }
    json_node_take_object(node, ev);
    for (guint i = 0; i < ctx->monitors->len; i++) {
        Monitor *mon = g_ptr_array_index(ctx->monitors, i);

        if (mon->mode == MONITOR_MODE_CONTROL) {
            qmp_send_event(mon, node);
        }
    }
    json_node_unref(node);
}

void monitor_event_emit(MonitorContext *ctx, const char *name,
                        const char *data_json)
{
    JsonObject *data = NULL;

    if (data_json) {
        g_autoptr(JsonParser) parser = json_parser_new_immutable();
        g_autoptr(GError) err = NULL;

        if (!json_parser_load_from_data(parser, data_json, -1, &err) ||
            !JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser))) {
            g_error("monitor_event_emit(%s): bad data: %s", name,
                    err ? err->message : "not an object");
        }
        data = json_object_ref(json_node_get_object(json_parser_get_root(parser)));
    }
    monitor_event_emit_object(ctx, name, data);
}

void monitor_event_vserport_change(MonitorContext *ctx, const char *id,
                                   bool open)
{
    JsonObject *data = json_object_new();

    json_object_set_string_member(data, "id", id ? id : "");
    json_object_set_boolean_member(data, "open", open);
    monitor_event_emit_object(ctx, "VSERPORT_CHANGE", data);
}

static void emit_guest_reason(MonitorContext *ctx, const char *name,
                              bool guest, const char *reason)
{
    JsonObject *data = json_object_new();

    json_object_set_boolean_member(data, "guest", guest);
    json_object_set_string_member(data, "reason", reason);
    monitor_event_emit_object(ctx, name, data);
}

void monitor_event_shutdown(MonitorContext *ctx, bool guest,
                            const char *reason)
{
    emit_guest_reason(ctx, "SHUTDOWN", guest, reason);
}

void monitor_event_reset(MonitorContext *ctx, bool guest, const char *reason)
{
    emit_guest_reason(ctx, "RESET", guest, reason);
}

void monitor_event_stop(MonitorContext *ctx)
{
    monitor_event_emit_object(ctx, "STOP", NULL);
}

void monitor_event_resume(MonitorContext *ctx)
{
    monitor_event_emit_object(ctx, "RESUME", NULL);
}

/* ---- shared operations ---------------------------------------------------------- */

static bool machine_running(MonitorContext *ctx)
{
    return !strcmp(ctx->ops->status(ctx->opaque), "running");
}

void monitor_do_stop(MonitorContext *ctx)
{
    /* QEMU: stopping a stopped machine is a silent no-op, no event. */
    if (machine_running(ctx)) {
        ctx->ops->stop(ctx->opaque);
        monitor_event_stop(ctx);
    }
}

bool monitor_do_cont(MonitorContext *ctx, GError **errp)
{
    if (machine_running(ctx)) {
        return true;
    }
    if (!ctx->ops->cont(ctx->opaque, errp)) {
        return false;
    }
    monitor_event_resume(ctx);
    return true;
}

void monitor_do_system_reset(MonitorContext *ctx)
{
    ctx->ops->system_reset(ctx->opaque);
    monitor_event_reset(ctx, false, "host-qmp-system-reset");
}

void monitor_do_system_powerdown(MonitorContext *ctx)
{
    monitor_event_emit_object(ctx, "POWERDOWN", NULL);
    ctx->ops->system_powerdown(ctx->opaque);
}

void monitor_do_quit(MonitorContext *ctx)
{
    ctx->quit_requested = true;
}

void monitor_run_pending_quit(MonitorContext *ctx)
{
    if (!ctx->quit_requested) {
        return;
    }
    ctx->quit_requested = false;
    monitor_event_shutdown(ctx, false, "host-qmp-quit");
    monitor_flush_all(ctx);
    ctx->ops->quit(ctx->opaque);
}

bool monitor_do_device_del(MonitorContext *ctx, const char *id, GError **errp)
{
    DeviceState *dev = qdev_find_by_id(ctx->machine, id);
    g_autofree char *path = NULL;
    JsonObject *data;

    if (!dev) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_DEVICE_NOT_FOUND,
                    "Device '%s' not found", id);
        return false;
    }
    path = object_get_canonical_path(OBJECT(dev));
    if (!qdev_device_del(ctx->machine, id, errp)) {
        return false;
    }
    data = json_object_new();
    json_object_set_string_member(data, "device", id);
    json_object_set_string_member(data, "path", path);
    monitor_event_emit_object(ctx, "DEVICE_DELETED", data);
    return true;
}

/* ---- helpers ------------------------------------------------------------------------ */

typedef struct ForeachData {
    const char *typename;
    void (*fn)(Object *obj, void *opaque);
    void *opaque;
} ForeachData;

static int foreach_child(Object *child, void *opaque)
{
    ForeachData *d = opaque;

    if (object_dynamic_cast(child, d->typename)) {
        d->fn(child, d->opaque);
    }
    object_child_foreach(child, foreach_child, d);
    return 0;
}

void monitor_foreach_object(Object *root, const char *typename,
                            void (*fn)(Object *obj, void *opaque),
                            void *opaque)
{
    ForeachData d = { typename, fn, opaque };

    foreach_child(root, &d);
}

/* ---- the command line ------------------------------------------------------------ */

bool monitor_add_legacy(MonitorContext *ctx, MonitorMode mode, bool pretty,
                        const char *arg, GError **errp)
{
    Chardev *chr;

    if (!strcmp(arg, "none")) {
        return true;
    }
    if (g_str_has_prefix(arg, "chardev:")) {
        const char *id = arg + strlen("chardev:");

        chr = chardev_find(ctx->chardevs, id);
        if (!chr) {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                        "chardev '%s' not found", id);
            return false;
        }
    } else {
        g_autofree char *id = NULL;

        /* Skip ids the user took for -chardev. */
        do {
            g_free(id);
            id = g_strdup_printf("compat_monitor%u", ctx->compat_count++);
        } while (chardev_find(ctx->chardevs, id));
        chr = chardev_new_from_legacy(ctx->chardevs, id, arg, errp);
        if (!chr) {
            return false;
        }
    }
    return monitor_new(ctx, chr, mode, pretty, errp) != NULL;
}

bool monitor_add_opts(MonitorContext *ctx, const char *optstr, GError **errp)
{
    static const char *const valid[] = { "chardev", "mode", "pretty", "id",
                                         NULL };
    static const char *const flags[] = { "pretty", NULL };
    g_autoptr(Opts) opts = opts_parse(optstr, "chardev", flags, errp);
    const char *id, *mode;
    MonitorMode m = MONITOR_MODE_READLINE;
    bool pretty;
    Chardev *chr;

    if (!opts || !opts_check_keys(opts, valid, "-mon", errp) ||
        !opts_get_bool(opts, "pretty", false, &pretty, errp)) {
        return false;
    }
    id = opts_get(opts, "chardev");
    if (!id) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'chardev' is missing");
        return false;
    }
    mode = opts_get(opts, "mode");
    if (mode && !strcmp(mode, "control")) {
        m = MONITOR_MODE_CONTROL;
    } else if (mode && strcmp(mode, "readline")) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'mode' expects 'readline' or 'control'");
        return false;
    }
    chr = chardev_find(ctx->chardevs, id);
    if (!chr) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "chardev '%s' not found", id);
        return false;
    }
    return monitor_new(ctx, chr, m, pretty, errp) != NULL;
}

bool monitor_add_from_option(MonitorContext *ctx, const char *option,
                             const char *arg, GError **errp)
{
    bool ok;

    if (!strcmp(option, "monitor")) {
        ok = monitor_add_legacy(ctx, MONITOR_MODE_READLINE, false, arg, errp);
    } else if (!strcmp(option, "qmp")) {
        ok = monitor_add_legacy(ctx, MONITOR_MODE_CONTROL, false, arg, errp);
    } else if (!strcmp(option, "qmp-pretty")) {
        ok = monitor_add_legacy(ctx, MONITOR_MODE_CONTROL, true, arg, errp);
    } else if (!strcmp(option, "mon")) {
        ok = monitor_add_opts(ctx, arg, errp);
    } else {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "-%s: not a monitor option", option);
        return false;
    }
    if (!ok) {
        g_prefix_error(errp, "-%s %s: ", option, arg);
    }
    return ok;
}
