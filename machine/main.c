/*
 * machine/main.c: minivirt's entry point: parse the command line, create
 * chardevs, the board and -device devices, boot, and run the main loop.
 */
#include <errno.h>
#include <glib-unix.h>
#include <libfdt.h>
#include <signal.h>
#include <string.h>

#include "chardev/chardev.h"
#include "hw/char/virtio-serial.h"
#include "hw/core/qdev-monitor.h"
#include "machine/monitor.h"
#include "machine/vl.h"
#include "qom/error.h"

#define SERIAL0_ID "serial0"

/* What the signal, Ctrl-A x and monitor handlers act on. */
typedef struct MainState {
    VirtMachine *m;         /* NULL until the board exists */
    MonitorContext *mon;
    bool quit_early;        /* asked to quit before the machine existed */
    bool host_reset;        /* the pending reset is the monitor's, which
                             * reports its own RESET event */
} MainState;

static void request_quit(MainState *s)
{
    if (s->m) {
        virt_request(s->m, VIRT_REQ_QUIT, 0);
    } else {
        s->quit_early = true;
    }
}

static gboolean on_signal(gpointer opaque)
{
    MainState *s = opaque;

    monitor_event_shutdown(s->mon, false, "host-signal");
    request_quit(s);
    return G_SOURCE_CONTINUE;
}

/* ---- the board as the monitor sees it (MonitorMachineOps) ---------------- */

static void mon_stop(void *opaque)
{
    MainState *s = opaque;
    if (s->m) {
        virt_set_paused(s->m, true);
    }
}

static bool mon_cont(void *opaque, GError **errp)
{
    MainState *s = opaque;

    if (!s->m || s->m->request != VIRT_REQ_NONE) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "the guest has shut down");
        return false;
    }
    virt_set_paused(s->m, false);
    return true;
}

static void mon_system_reset(void *opaque)
{
    MainState *s = opaque;
    if (s->m && s->m->request == VIRT_REQ_NONE) {
        s->host_reset = true;
        virt_request(s->m, VIRT_REQ_RESET, 0);
    }
}

/* QEMU's riscv virt has no power button for the guest to see: no-op. */
static void mon_system_powerdown(void *opaque)
{
}

static void mon_quit(void *opaque)
{
    request_quit(opaque);
}

static const char *mon_status(void *opaque)
{
    MainState *s = opaque;

    if (!s->m || (s->m->paused && !s->m->started)) {
        return "prelaunch";
    }
    if (s->m->request == VIRT_REQ_POWEROFF || s->m->request == VIRT_REQ_QUIT ||
        s->m->request == VIRT_REQ_FAIL) {
        return "shutdown";
    }
    return s->m->paused ? "paused" : "running";
}

static const MonitorMachineOps main_monitor_ops = {
    .stop = mon_stop,
    .cont = mon_cont,
    .system_reset = mon_system_reset,
    .system_powerdown = mon_system_powerdown,
    .quit = mon_quit,
    .status = mon_status,
};

/* The guest's own poweroff and reboot, as QMP events. */
static void on_machine_request(void *opaque, VirtRequest req, bool rebooting)
{
    MainState *s = opaque;

    switch (req) {
    case VIRT_REQ_POWEROFF:
    case VIRT_REQ_FAIL:
        monitor_event_shutdown(s->mon, true, "guest-shutdown");
        break;
    case VIRT_REQ_RESET:
        if (s->host_reset) {
            s->host_reset = false;
        } else if (rebooting) {
            monitor_event_reset(s->mon, true, "guest-reset");
        } else {
            monitor_event_shutdown(s->mon, true, "guest-reset");
        }
        break;
    case VIRT_REQ_PANIC: {
        /* QEMU's GUEST_PANICKED "action": what the machine does next. */
        static const char *const action[] = {
            [VIRT_PANIC_SHUTDOWN] = "poweroff",
            [VIRT_PANIC_EXIT_FAILURE] = "poweroff",
            [VIRT_PANIC_PAUSE] = "pause",
            [VIRT_PANIC_NONE] = "run",
        };
        g_autofree char *data = g_strdup_printf(
            "{\"action\": \"%s\"}", action[s->m->cfg.panic_action]);
        monitor_event_emit(s->mon, "GUEST_PANICKED", data);
        if (s->m->cfg.panic_action <= VIRT_PANIC_EXIT_FAILURE) {
            monitor_event_shutdown(s->mon, true, "guest-panic");
        }
        break;
    }
    case VIRT_REQ_NONE:
    case VIRT_REQ_QUIT:
        break;  /* quit and signals report their own */
    }
}

/*
 * The guest opened or closed a virtio-serial port: VSERPORT_CHANGE, for
 * ports with an id only, as QEMU (its "id" is the port's qdev id).
 */
static void on_vserport_change(VirtIOSerialPort *port, bool open,
                               void *opaque)
{
    MainState *s = opaque;
    const char *id = DEVICE(port)->id;

    if (s->mon && id) {
        monitor_event_vserport_change(s->mon, id, open);
    }
}

/*
 * Listen to every virtio-serial device under @obj.  Run once the -device
 * devices exist: virtio-serial-pci cannot be hot-plugged, and the listener
 * is per device, so ports hot-plugged later are covered too.
 */
static int watch_vserports(Object *obj, void *opaque)
{
    if (object_dynamic_cast(obj, TYPE_VIRTIO_SERIAL_PCI)) {
        virtio_serial_set_port_listener(DEVICE(obj), on_vserport_change,
                                        opaque);
    }
    object_child_foreach(obj, watch_vserports, opaque);
    return 0;
}

static void on_mux_quit(void *opaque)
{
    request_quit(opaque);
}

static int fail(const char *what, GError *err)
{
    if (what) {
        fprintf(stderr, "minivirt: %s: %s\n", what, err->message);
    } else {
        fprintf(stderr, "minivirt: %s\n", err->message);
    }
    g_error_free(err);
    return 1;
}

/* Whether a -chardev already owns the terminal. */
static int is_stdio_chardev(Object *chr, void *opaque)
{
    return object_dynamic_cast(chr, TYPE_CHARDEV) &&
           strcmp(chardev_get_backend_name(CHARDEV(chr)), "stdio") == 0;
}

static bool stdio_taken(Object *chardevs)
{
    return object_child_foreach(chardevs, is_stdio_chardev, NULL) != 0;
}

/*
 * UART0's backend: the first -serial; else, with -nographic, "mon:stdio"
 * (or plain "stdio" when a monitor option was given), QEMU's rule.  Without
 * either, QEMU gives the UART a graphical console; minivirt has no display,
 * so the UART is left unconnected (stdio stays free for a -chardev stdio).
 * "mon:X" multiplexes X between the UART and a human monitor (Ctrl-A c
 * switches, Ctrl-A x quits).
 */
static bool setup_serial(VlOptions *o, Object *chardevs, MainState *ms,
                         const char **serial_id, GError **errp)
{
    const char *spec = NULL;

    if (o->serials->len) {
        spec = g_ptr_array_index(o->serials, 0);
        for (unsigned i = 1; i < o->serials->len; i++) {
            fprintf(stderr, "minivirt: -serial %s: the virt board has one "
                    "UART; ignored\n", (char *)g_ptr_array_index(o->serials, i));
        }
    } else if (o->nographic) {
        spec = o->monitor_opts->len ? "stdio" : "mon:stdio";
    } else if (!o->display_none && !stdio_taken(chardevs)) {
        /* QEMU would put the UART in its window; we have none, so the
         * terminal gets it, unless a -chardev stdio (say, a virtconsole
         * on hvc0) already owns the terminal. */
        spec = "mon:stdio";
    }
    *serial_id = NULL;
    if (!spec || !strcmp(spec, "none")) {
        return true;
    }
    if (g_str_has_prefix(spec, "chardev:")) {
        *serial_id = spec + strlen("chardev:");
        if (!chardev_find(chardevs, *serial_id)) {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                        "-serial %s: chardev '%s' not found", spec, *serial_id);
            return false;
        }
        return true;
    }
    Chardev *chr;
    if (g_str_has_prefix(spec, "mon:")) {
        g_autoptr(Opts) opts = chardev_legacy_to_opts(spec + 4, errp);
        if (!opts) {
            g_prefix_error(errp, "-serial %s: ", spec);
            return false;
        }
        opts_set(opts, "id", SERIAL0_ID);
        opts_set(opts, "mux", "on");
        chr = chardev_new_from_opts(chardevs, opts, errp);
        if (chr) {
            chardev_mux_set_quit_handler(chr, on_mux_quit, ms);
            /* The monitor first: the UART, attached last, has the focus. */
            if (!monitor_new(ms->mon, chr, MONITOR_MODE_READLINE, false,
                             errp)) {
                chr = NULL;
            }
        }
    } else {
        chr = chardev_new_from_legacy(chardevs, SERIAL0_ID, spec, errp);
    }
    if (!chr) {
        g_prefix_error(errp, "-serial %s: ", spec);
        return false;
    }
    *serial_id = SERIAL0_ID;
    return true;
}

static bool dump_dtb(VirtMachine *m, const char *path, GError **errp)
{
    uint8_t hdr[sizeof(struct fdt_header)];

    if (!dma_memory_read(&m->sysmem, m->fdt_addr, hdr, sizeof(hdr))) {
        g_set_error(errp, MV_ERROR, MV_ERROR_FAILED, "no device tree");
        return false;
    }
    size_t size = fdt_totalsize(hdr);
    g_autofree uint8_t *blob = g_malloc(size);
    if (!dma_memory_read(&m->sysmem, m->fdt_addr, blob, size) ||
        !g_file_set_contents(path, (const char *)blob, size, errp)) {
        return false;
    }
    fprintf(stderr, "minivirt: dtb dumped to %s. Exiting.\n", path);
    return true;
}

int main(int argc, char **argv)
{
    g_autoptr(GString) out = g_string_new(NULL);
    GError *err = NULL;
    VlOptions o;
    VlAction action;
    MainState ms = { 0 };
    int status;

    if (!vl_parse(argc, argv, &o, &action, out, &err)) {
        vl_options_clear(&o);
        return fail(NULL, err);
    }
    if (action == VL_EXIT) {
        fputs(out->str, stdout);
        vl_options_clear(&o);
        return 0;
    }
    if (o.logfile) {
        o.cfg.log = fopen(o.logfile, "w");
        if (!o.cfg.log) {
            fprintf(stderr, "minivirt: -D %s: %s\n", o.logfile,
                    g_strerror(errno));
            vl_options_clear(&o);
            return 1;
        }
    }

    Object *root = object_new(TYPE_CONTAINER);
    Object *chardevs = chardev_container_new();
    bool added = object_property_add_child(root, "chardevs", chardevs, NULL);
    g_assert(added);
    object_unref(chardevs);

    g_unix_signal_add(SIGINT, on_signal, &ms);
    g_unix_signal_add(SIGTERM, on_signal, &ms);
    g_unix_signal_add(SIGHUP, on_signal, &ms);

    VirtMachine *m = NULL;
    status = 1;
    ms.mon = monitor_context_new(root, chardevs, &main_monitor_ops, &ms);
    for (unsigned i = 0; i < o.chardevs->len; i++) {
        const char *str = g_ptr_array_index(o.chardevs, i);
        if (!chardev_new_from_string(chardevs, str, &err)) {
            g_autofree char *what = g_strdup_printf("-chardev %s", str);
            fail(what, err);
            goto out;
        }
    }
    for (unsigned i = 0; i < o.monitor_opts->len; i++) {
        if (!monitor_add_from_option(ms.mon, g_ptr_array_index(o.monitor_opts, i),
                                     g_ptr_array_index(o.monitor_args, i),
                                     &err)) {
            fail(NULL, err);
            goto out;
        }
    }
    if (!setup_serial(&o, chardevs, &ms, &o.cfg.serial_id, &err)) {
        fail(NULL, err);
        goto out;
    }
    m = virt_machine_new(&o.cfg, root, chardevs, &err);
    if (!m) {
        fail(NULL, err);
        goto out;
    }
    ms.m = m;
    m->notify = on_machine_request;
    m->notify_opaque = &ms;
    monitor_context_set_machine(ms.mon, m->machine);
    for (unsigned i = 0; i < o.devices->len; i++) {
        const char *str = g_ptr_array_index(o.devices, i);
        if (!qdev_device_add(m->machine, str, &err)) {
            g_autofree char *what = g_strdup_printf("-device %s", str);
            fail(what, err);
            goto out;
        }
    }
    watch_vserports(m->machine, &ms);
    virt_machine_done(m);
    if (!virt_machine_boot(m, &err)) {
        fail(NULL, err);
        goto out;
    }
    if (o.dumpdtb) {
        if (!dump_dtb(m, o.dumpdtb, &err)) {
            fail("dumpdtb", err);
            goto out;
        }
        status = 0;
        goto out;
    }
    if (!chardev_wait_connected(chardevs, &err)) {
        fail(NULL, err);
        goto out;
    }
    if (ms.quit_early) {
        status = 0;
        goto out;
    }
    status = virt_main_loop(m);

out:
    ms.m = NULL;
    /* Monitors first: they hold front ends on chardevs and know devices. */
    monitor_context_free(ms.mon);
    ms.mon = NULL;      /* ports unplugged below report to nobody */
    virt_machine_free(m);
    object_unref(root);
    if (o.cfg.log) {
        fclose(o.cfg.log);
    }
    vl_options_clear(&o);
    return status;
}
