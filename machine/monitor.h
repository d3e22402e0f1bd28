/*
 * machine/monitor.h: the human monitor (HMP) and QMP, on any chardev.
 *
 * A MonitorContext belongs to one machine: it knows the machine only
 * through a MonitorMachineOps table the board provides, the QOM object that
 * devices are created under (its /peripheral children) and the chardev
 * container.  Any number of monitors attach to it, each on a Chardev of its
 * own through its own CharBackend, so a monitor works on stdio, a socket,
 * a pty or a mux (where it follows the mux's focus, Ctrl-A c).
 *
 * Wire formats are QEMU's, so existing clients work unchanged:
 *  - HMP: a "(minivirt) " prompt, line editing, QEMU's command names and
 *    output ("info chardev", "info pci", "info qtree", device_add, ...).
 *  - QMP: the greeting, the qmp_capabilities handshake, {"execute": ...}
 *    requests answered by {"return": ...} or {"error": {"class", "desc"}},
 *    the request's "id" echoed, and asynchronous events with timestamps.
 *
 * Events.  Commands the monitor runs emit their own events (stop -> STOP,
 * cont -> RESUME, quit -> SHUTDOWN, device_del -> DEVICE_DELETED,
 * system_reset -> RESET, system_powerdown -> POWERDOWN).  The board reports
 * what happens without the monitor with monitor_event_*() below (the guest
 * powering off, a virtio-serial port opening).  Events go to every QMP
 * monitor that completed the handshake.
 *
 * Threads: everything here runs in the main thread (the chardev handlers'
 * default GMainContext), under the board's device lock.
 */
#ifndef MACHINE_MONITOR_H
#define MACHINE_MONITOR_H

#include <glib.h>
#include <stdbool.h>

#include "chardev/chardev.h"
#include "qom/object.h"

typedef struct Monitor Monitor;
typedef struct MonitorContext MonitorContext;

/*
 * What the monitor asks of the machine.  All hooks get the opaque pointer
 * given to monitor_context_new.
 * @stop (mandatory): pause the vCPUs (no-op if already paused).
 * @cont (mandatory): run them; false with @errp if the machine cannot run
 *   (it was shut down).  Leaving -S's prelaunch state is the board's.
 * @system_reset (mandatory): reset the machine as a guest reboot would.
 * @system_powerdown (mandatory): ask the guest to power down.
 * @quit (mandatory): leave the main loop and exit (after the reply has been
 *   written: the monitor flushes before calling it).
 * @status (mandatory): QEMU's RunState name: "running", "paused",
 *   "prelaunch" (-S), "shutdown", ...  Running means "running".
 */
typedef struct MonitorMachineOps {
    void (*stop)(void *opaque);
    bool (*cont)(void *opaque, GError **errp);
    void (*system_reset)(void *opaque);
    void (*system_powerdown)(void *opaque);
    void (*quit)(void *opaque);
    const char *(*status)(void *opaque);
} MonitorMachineOps;

typedef enum MonitorMode {
    MONITOR_MODE_READLINE,  /* the human monitor (-monitor, mode=readline) */
    MONITOR_MODE_CONTROL,   /* QMP (-qmp, mode=control) */
} MonitorMode;

/*
 * monitor_context_new: the monitors' shared state for one machine.
 * @root: the QOM root; QOM paths (qom-list, qom-get, DEVICE_DELETED's
 *   "path") resolve from it, e.g. /machine/peripheral/vser0.
 * @chardevs: the chardev container (chardev_new_from_opts's @container).
 * @ops, @opaque: the machine's hooks; @ops must outlive the context.
 * Devices are added under @root until monitor_context_set_machine names
 * the machine object, so monitors can be created (and attached to a mux
 * before the UART takes the focus) before the board exists.  Neither
 * object is referenced: they must outlive the context.
 */
MonitorContext *monitor_context_new(Object *root, Object *chardevs,
                                    const MonitorMachineOps *ops,
                                    void *opaque);

/*
 * monitor_context_set_machine: where device_add puts devices
 * (qdev_device_add's @machine: its /peripheral children) and where info
 * qtree / info pci / info virtio-serial / query-pci look.  @machine must
 * be in @root's tree.
 */
void monitor_context_set_machine(MonitorContext *ctx, Object *machine);

/* monitor_context_free: free every monitor attached, then the context. */
void monitor_context_free(MonitorContext *ctx);

/*
 * monitor_new: attach a monitor in @mode to @chr.  @pretty indents QMP
 * replies (-qmp-pretty, pretty=on).  The monitor greets when the chardev is
 * open (now, or when a peer connects) and again for every new peer.
 * Errors: @chr already has a front end ("chardev 'ID' is already in use").
 */
Monitor *monitor_new(MonitorContext *ctx, Chardev *chr, MonitorMode mode,
                     bool pretty, GError **errp);

/* monitor_free: detach from the chardev (which stays) and free. */
void monitor_free(Monitor *mon);

/*
 * monitor_add_legacy: -monitor ARG (@mode READLINE), -qmp ARG (CONTROL) or
 * -qmp-pretty ARG (CONTROL, @pretty).  ARG is "none" (nothing is created),
 * "chardev:ID" (an existing chardev), or a legacy chardev filename (stdio,
 * unix:PATH,server=on,wait=off, tcp:..., pty, ...), made as chardev
 * "compat_monitorN".  Errors: the chardev's, an unknown ID ("chardev 'ID'
 * not found"), or a busy chardev.
 */
bool monitor_add_legacy(MonitorContext *ctx, MonitorMode mode, bool pretty,
                        const char *arg, GError **errp);

/*
 * monitor_add_opts: -mon chardev=ID[,mode=readline|control][,pretty=on|off].
 * Errors: "Parameter 'chardev' is missing", an invalid mode ("Parameter
 * 'mode' expects 'readline' or 'control'"), an unknown key, a missing or
 * busy chardev.
 */
bool monitor_add_opts(MonitorContext *ctx, const char *optstr, GError **errp);

/*
 * monitor_add_from_option: one monitor option as the user wrote it, with
 * @option "monitor", "qmp", "qmp-pretty" (monitor_add_legacy) or "mon"
 * (monitor_add_opts).  Errors are prefixed with "-OPTION ARG: ".  vl.c
 * keeps the options in command-line order and calls this for each, after
 * the -chardev ones exist and before the UART is created.
 */
bool monitor_add_from_option(MonitorContext *ctx, const char *option,
                             const char *arg, GError **errp);

/* ---- events the board reports ---------------------------------------------- */

/*
 * monitor_event_vserport_change: a virtio-serial port's guest side opened
 * (@open) or closed: VSERPORT_CHANGE {"id": @id, "open": @open}.  @id is
 * the port device's id.  Connect it to virtio-serial's port notifier.
 */
void monitor_event_vserport_change(MonitorContext *ctx, const char *id,
                                   bool open);

/*
 * monitor_event_shutdown: SHUTDOWN {"guest": @guest, "reason": @reason},
 * e.g. (true, "guest-shutdown") when the guest powers off through the
 * syscon, (false, "host-signal") on SIGTERM.
 */
void monitor_event_shutdown(MonitorContext *ctx, bool guest,
                            const char *reason);

/* monitor_event_reset: RESET {"guest": @guest, "reason": @reason}. */
void monitor_event_reset(MonitorContext *ctx, bool guest, const char *reason);

/* monitor_event_stop / _resume: the vCPUs stopped / resumed on their own. */
void monitor_event_stop(MonitorContext *ctx);
void monitor_event_resume(MonitorContext *ctx);

/*
 * monitor_event_emit: send event @name with @data_json (a JSON object as
 * text, or NULL for none) to every QMP monitor past the handshake.  For
 * events not listed above.  @data_json must be valid: a programmer error
 * otherwise.
 */
void monitor_event_emit(MonitorContext *ctx, const char *name,
                        const char *data_json);

#endif /* MACHINE_MONITOR_H */
