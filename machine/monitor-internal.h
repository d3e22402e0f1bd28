/*
 * machine/monitor-internal.h: what the monitor's files share (monitor.c,
 * monitor-hmp.c, monitor-info.c, qmp.c, qmp-cmds.c).  Not for the board:
 * it uses machine/monitor.h.
 *
 * Threads: the main thread, as monitor.h.
 */
#ifndef MACHINE_MONITOR_INTERNAL_H
#define MACHINE_MONITOR_INTERNAL_H

#include <json-glib/json-glib.h>

#include "chardev/char-fe-outbuf.h"
#include "hw/core/qdev.h"
#include "machine/monitor.h"

/* The version QMP's greeting and query-version report (meson's). */
#ifndef MINIVIRT_VERSION
#define MINIVIRT_VERSION "0.0.0"
#endif

#define MONITOR_PROMPT "(minivirt) "
/* The longest human monitor line; longer input is refused with a beep. */
#define HMP_LINE_MAX 4096
#define HMP_HISTORY_MAX 64
/* A QMP message larger than this is refused (and skipped to its end). */
#define QMP_MESSAGE_MAX (1u << 20)
/* Deeper nesting than this is refused as QEMU's parser does. */
#define QMP_NESTING_MAX 1024
/*
 * Output a peer does not read is held up to this much; beyond it the peer
 * is disconnected, so a stalled client cannot grow minivirt without bound.
 */
#define MONITOR_OUTBUF_MAX (16u << 20)
/* How long quit waits for slow peers to take the last replies. */
#define MONITOR_QUIT_FLUSH_US (1 * G_USEC_PER_SEC)
#define MONITOR_QUIT_FLUSH_POLL_US 1000

struct MonitorContext {
    Object *root;               /* QOM paths resolve from here */
    Object *machine;            /* devices live under it (root until set) */
    Object *chardevs;
    const MonitorMachineOps *ops;
    void *opaque;
    GPtrArray *monitors;        /* Monitor *, in creation order */
    unsigned compat_count;      /* next "compat_monitorN" */
    bool quit_requested;        /* quit runs once the reply is out */
};

/* The human monitor's line editor. */
typedef struct HmpState {
    GString *line;
    GPtrArray *history;         /* char *, oldest first */
    int hist_pos;               /* -1: editing a new line */
    int esc;                    /* 0, 1 after ESC, 2 inside ESC [ */
    bool last_cr;               /* swallow the \n of \r\n */
    bool mux_out;               /* a mux gave the focus to someone else */
    bool reset_seen;            /* greeted at least once */
} HmpState;

/* QMP's stream splitter and session. */
typedef struct QmpState {
    GString *buf;               /* the message being collected */
    unsigned depth;             /* open { and [ */
    bool in_string, escape;
    char quote;                 /* the quote that opened the string */
    bool scalar;                /* a bare top-level token (an error later) */
    bool discarding;            /* skipping the rest of a refused message */
    bool negotiated;            /* qmp_capabilities done */
} QmpState;

struct Monitor {
    MonitorContext *ctx;
    MonitorMode mode;
    bool pretty;
    CharBackend be;
    ChrFeOutBuf out;            /* output the chardev did not take yet */
    union {
        HmpState hmp;
        QmpState qmp;
    };
};

/* ---- monitor.c: output and shared operations --------------------------- */

/*
 * monitor_write: queue @len bytes to the peer and send what it takes now;
 * the rest goes out from a G_IO_OUT watch.  Dropped if nobody listens.
 */
void monitor_write(Monitor *mon, const char *buf, size_t len);
/*
 * monitor_flush_all: before quit, push every monitor's output out, waiting
 * at most MONITOR_QUIT_FLUSH_US for peers that are slow to read.
 */
void monitor_flush_all(MonitorContext *ctx);

/* The QOM root that QMP paths resolve from. */
Object *monitor_qom_root(MonitorContext *ctx);

/*
 * The operations HMP and QMP share; each emits its event.  Errors as the
 * layer below words them.
 */
void monitor_do_stop(MonitorContext *ctx);
bool monitor_do_cont(MonitorContext *ctx, GError **errp);
void monitor_do_system_reset(MonitorContext *ctx);
void monitor_do_system_powerdown(MonitorContext *ctx);
/* Ask to quit: runs after the current command's reply (see quit_requested). */
void monitor_do_quit(MonitorContext *ctx);
bool monitor_do_device_del(MonitorContext *ctx, const char *id, GError **errp);
/* The pending quit, if a command asked for one: SHUTDOWN, flush, ops->quit. */
void monitor_run_pending_quit(MonitorContext *ctx);

/* monitor_event_emit_object: like monitor_event_emit, taking @data. */
void monitor_event_emit_object(MonitorContext *ctx, const char *name,
                               JsonObject *data);

/*
 * monitor_foreach_object: call @fn on every object below @root (depth
 * first, in child order, @root included) that is of @typename.
 */
void monitor_foreach_object(Object *root, const char *typename,
                            void (*fn)(Object *obj, void *opaque),
                            void *opaque);

/* ---- monitor-hmp.c ---------------------------------------------------------- */

void hmp_init(Monitor *mon);
void hmp_cleanup(Monitor *mon);
int hmp_can_read(Monitor *mon);
void hmp_read(Monitor *mon, const uint8_t *buf, int size);
void hmp_event(Monitor *mon, ChrEvent event);
/*
 * hmp_execute: run one command line, appending its output (with plain \n)
 * to @out.  Shared with QMP's human-monitor-command.
 */
void hmp_execute(MonitorContext *ctx, const char *cmdline, GString *out);

/* ---- monitor-info.c: `info` subcommands, output appended to @out --------- */

void hmp_info_chardev(MonitorContext *ctx, GString *out);
void hmp_info_qtree(MonitorContext *ctx, GString *out);
void hmp_info_pci(MonitorContext *ctx, GString *out);
void hmp_info_virtio_serial(MonitorContext *ctx, GString *out);
void hmp_info_status(MonitorContext *ctx, GString *out);

/* The class name info pci shows ("Host bridge"), or NULL: "Class %04d". */
const char *pci_class_desc(uint16_t class_id);

/* ---- qmp.c ------------------------------------------------------------------ */

void qmp_init(Monitor *mon);
void qmp_cleanup(Monitor *mon);
int qmp_can_read(Monitor *mon);
void qmp_read(Monitor *mon, const uint8_t *buf, int size);
void qmp_event(Monitor *mon, ChrEvent event);
/* qmp_send_event: @event (a complete event object) to @mon if negotiated. */
void qmp_send_event(Monitor *mon, JsonNode *event);

/* QMP error classes (QEMU's ErrorClass names). */
typedef enum QmpErrorClass {
    QMP_ERROR_GENERIC,          /* "GenericError" */
    QMP_ERROR_COMMAND_NOT_FOUND,/* "CommandNotFound" */
    QMP_ERROR_DEVICE_NOT_FOUND, /* "DeviceNotFound" */
} QmpErrorClass;

#define QMP_ERROR (qmp_error_quark())
GQuark qmp_error_quark(void);

/* The argument types a command declares (QEMU's names in messages). */
typedef enum QmpArgType {
    QMP_ARG_STR,
    QMP_ARG_BOOL,
    QMP_ARG_INT,
    QMP_ARG_OBJECT,
    QMP_ARG_ARRAY,
    QMP_ARG_ANY,
} QmpArgType;

typedef struct QmpArg {
    const char *name;
    QmpArgType type;
    bool optional;
} QmpArg;

/*
 * A QMP command.  @handler gets the (already type-checked) arguments and
 * returns the "return" value (NULL means {}), or NULL with @errp set (in
 * the QMP_ERROR domain for a class other than GenericError).  @args ends
 * with a NULL name; @extra_args accepts members it does not list
 * (device_add's properties).
 */
typedef struct QmpCommand {
    const char *name;
    JsonNode *(*handler)(MonitorContext *ctx, JsonObject *args,
                         GError **errp);
    const QmpArg *args;
    bool extra_args;
} QmpCommand;

/* ---- qmp-cmds.c --------------------------------------------------------- */

/* The command @name, or NULL. */
const QmpCommand *qmp_find_command(const char *name);
/* The NULL-terminated command table, for query-commands. */
extern const QmpCommand qmp_commands[];

#endif /* MACHINE_MONITOR_INTERNAL_H */
