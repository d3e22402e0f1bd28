/*
 * machine/vl.c: the command line, see vl.h.
 */
#include <string.h>

#include "chardev/chardev.h"
#include "hw/core/qdev-monitor.h"
#include "machine/vl.h"
#include "qom/error.h"
#include "qom/opts.h"

typedef struct VlOption VlOption;

/* A handler gets the argument (NULL for flags); errors get the
 * "-opt arg: " prefix from the caller. */
typedef bool (*VlHandler)(VlOptions *o, const char *arg, VlAction *action,
                          GString *out, GError **errp);

struct VlOption {
    const char *name;
    bool has_arg;
    VlHandler handler;
    const char *args;       /* for -h; NULL: an alias, not listed */
    const char *help;
};

static const char *const no_bare_flags[] = { NULL };

static bool set_string(char **dst, const char *arg)
{
    g_free(*dst);
    *dst = g_strdup(arg);
    return true;
}

static bool opt_machine(VlOptions *o, const char *arg, VlAction *action,
                        GString *out, GError **errp)
{
    static const char *const keys[] = { "type", "dumpdtb", "accel", NULL };
    g_autoptr(Opts) opts = opts_parse(arg, "type", no_bare_flags, errp);

    if (!opts || !opts_check_keys(opts, keys, "-machine", errp)) {
        return false;
    }
    const char *type = opts_get(opts, "type");
    if (type && (!strcmp(type, "help") || !strcmp(type, "?"))) {
        g_string_append(out, "Supported machines are:\n"
                        "virt                 RISC-V VirtIO board (default)\n");
        *action = VL_EXIT;
        return true;
    }
    if (type && strcmp(type, "virt") != 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "unsupported machine type '%s' "
                    "(use -machine help to list supported machines)", type);
        return false;
    }
    const char *accel = opts_get(opts, "accel");
    if (accel && strcmp(accel, "interp") != 0 && strcmp(accel, "tcg") != 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'accel' expects 'interp', got '%s'", accel);
        return false;
    }
    if (opts_has(opts, "dumpdtb")) {
        set_string(&o->dumpdtb, opts_get(opts, "dumpdtb"));
    }
    return true;
}

static bool opt_m(VlOptions *o, const char *arg, VlAction *action,
                  GString *out, GError **errp)
{
    static const char *const keys[] = { "size", NULL };
    g_autoptr(Opts) opts = opts_parse(arg, "size", no_bare_flags, errp);
    uint64_t size;

    if (!opts || !opts_check_keys(opts, keys, "-m", errp)) {
        return false;
    }
    const char *v = opts_get(opts, "size");
    if (!v) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'size' is missing");
        return false;
    }
    /* A plain number means MiB, as in QEMU. */
    if (strspn(v, "0123456789") == strlen(v)) {
        g_autofree char *mib = g_strconcat(v, "M", NULL);
        if (!parse_size("size", mib, &size, errp)) {
            return false;
        }
    } else if (!parse_size("size", v, &size, errp)) {
        return false;
    }
    if (size < VIRT_MIN_RAM_SIZE || size > VIRT_MAX_RAM_SIZE) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "RAM size %" G_GUINT64_FORMAT " is out of range "
                    "(16M to 64G)", size);
        return false;
    }
    /* Whole pages, as the harts map RAM by pages. */
    o->cfg.ram_size = (size + 0xfff) & ~0xfffull;
    return true;
}

static bool opt_smp(VlOptions *o, const char *arg, VlAction *action,
                    GString *out, GError **errp)
{
    static const char *const keys[] = {
        "cpus", "maxcpus", "sockets", "dies", "clusters", "cores", "threads",
        NULL,
    };
    g_autoptr(Opts) opts = opts_parse(arg, "cpus", no_bare_flags, errp);
    uint64_t cpus = 1, v;

    if (!opts || !opts_check_keys(opts, keys, "-smp", errp)) {
        return false;
    }
    if (opts_has(opts, "cpus")) {
        if (!opts_get_uint(opts, "cpus", 1, UINT32_MAX, &cpus, errp)) {
            return false;
        }
    } else {
        /* cpus = sockets * dies * clusters * cores * threads */
        for (unsigned i = 2; keys[i]; i++) {
            if (!opts_get_uint(opts, keys[i], 1, VIRT_MAX_HARTS, &v, errp)) {
                return false;
            }
            cpus *= v;
        }
    }
    if (cpus < 1 || cpus > VIRT_MAX_HARTS) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Invalid SMP CPUs %" G_GUINT64_FORMAT ". The %s CPUs "
                    "supported by machine 'virt' is %d", cpus,
                    cpus < 1 ? "min" : "max", cpus < 1 ? 1 : VIRT_MAX_HARTS);
        return false;
    }
    if (!opts_get_uint(opts, "maxcpus", cpus, UINT32_MAX, &v, errp)) {
        return false;
    }
    if (v < cpus) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "maxcpus must be equal to or greater than smp");
        return false;
    }
    o->cfg.smp = cpus;
    return true;
}

static bool opt_kernel(VlOptions *o, const char *arg, VlAction *action,
                       GString *out, GError **errp)
{
    return set_string(&o->kernel, arg);
}

static bool opt_initrd(VlOptions *o, const char *arg, VlAction *action,
                       GString *out, GError **errp)
{
    return set_string(&o->initrd, arg);
}

static bool opt_append(VlOptions *o, const char *arg, VlAction *action,
                       GString *out, GError **errp)
{
    return set_string(&o->append, arg);
}

static bool opt_bios(VlOptions *o, const char *arg, VlAction *action,
                     GString *out, GError **errp)
{
    g_clear_pointer(&o->bios, g_free);
    if (strcmp(arg, "none") != 0) {
        o->bios = g_strdup(arg);
    }
    return true;
}

static bool opt_chardev(VlOptions *o, const char *arg, VlAction *action,
                        GString *out, GError **errp)
{
    if (!strcmp(arg, "help") || !strcmp(arg, "?")) {
        g_autofree char *help = chardev_help();
        g_string_append(out, help);
        if (out->len && out->str[out->len - 1] != '\n') {
            g_string_append_c(out, '\n');
        }
        *action = VL_EXIT;
        return true;
    }
    g_ptr_array_add(o->chardevs, g_strdup(arg));
    return true;
}

static bool opt_device(VlOptions *o, const char *arg, VlAction *action,
                       GString *out, GError **errp)
{
    GError *err = NULL;

    if (qdev_device_help(arg, out, &err)) {
        if (err) {
            g_propagate_error(errp, err);
            return false;
        }
        *action = VL_EXIT;
        return true;
    }
    g_ptr_array_add(o->devices, g_strdup(arg));
    return true;
}

static bool opt_serial(VlOptions *o, const char *arg, VlAction *action,
                       GString *out, GError **errp)
{
    g_ptr_array_add(o->serials, g_strdup(arg));
    return true;
}

/* -monitor, -qmp, -qmp-pretty, -mon: kept in order for monitor.h's
 * monitor_add_from_option(), which checks them once chardevs exist. */
static bool add_monitor(VlOptions *o, const char *option, const char *arg)
{
    g_ptr_array_add(o->monitor_opts, g_strdup(option));
    g_ptr_array_add(o->monitor_args, g_strdup(arg));
    return true;
}

static bool opt_monitor(VlOptions *o, const char *arg, VlAction *action,
                        GString *out, GError **errp)
{
    return add_monitor(o, "monitor", arg);
}

static bool opt_qmp(VlOptions *o, const char *arg, VlAction *action,
                    GString *out, GError **errp)
{
    return add_monitor(o, "qmp", arg);
}

static bool opt_qmp_pretty(VlOptions *o, const char *arg, VlAction *action,
                           GString *out, GError **errp)
{
    return add_monitor(o, "qmp-pretty", arg);
}

static bool opt_mon(VlOptions *o, const char *arg, VlAction *action,
                    GString *out, GError **errp)
{
    return add_monitor(o, "mon", arg);
}

static bool opt_nographic(VlOptions *o, const char *arg, VlAction *action,
                          GString *out, GError **errp)
{
    o->nographic = true;
    return true;
}

static bool opt_display(VlOptions *o, const char *arg, VlAction *action,
                        GString *out, GError **errp)
{
    g_autoptr(Opts) opts = opts_parse(arg, "type", NULL, errp);
    const char *type = opts ? opts_get(opts, "type") : NULL;

    if (!opts) {
        return false;
    }
    if (!type || strcmp(type, "none") != 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "only 'none' is supported (minivirt has no display)");
        return false;
    }
    o->display_none = true;
    return true;
}

static bool opt_no_reboot(VlOptions *o, const char *arg, VlAction *action,
                          GString *out, GError **errp)
{
    o->cfg.no_reboot = true;
    return true;
}

/* -action panic=...,reboot=...,shutdown=... (QEMU's keys and values). */
static bool opt_action(VlOptions *o, const char *arg, VlAction *action,
                       GString *out, GError **errp)
{
    static const char *const keys[] = {
        "panic", "reboot", "shutdown", "watchdog", NULL,
    };
    static const struct { const char *name; VirtPanicAction a; } panics[] = {
        { "shutdown", VIRT_PANIC_SHUTDOWN },
        { "exit-failure", VIRT_PANIC_EXIT_FAILURE },
        { "pause", VIRT_PANIC_PAUSE },
        { "none", VIRT_PANIC_NONE },
    };
    g_autoptr(Opts) opts = opts_parse(arg, NULL, no_bare_flags, errp);

    if (!opts || !opts_check_keys(opts, keys, "-action", errp)) {
        return false;
    }
    const char *panic = opts_get(opts, "panic");
    if (panic) {
        size_t i;
        for (i = 0; i < G_N_ELEMENTS(panics); i++) {
            if (!strcmp(panic, panics[i].name)) {
                o->cfg.panic_action = panics[i].a;
                break;
            }
        }
        if (i == G_N_ELEMENTS(panics)) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Parameter 'panic' expects 'shutdown', "
                        "'exit-failure', 'pause' or 'none', got '%s'", panic);
            return false;
        }
    }
    const char *reboot = opts_get(opts, "reboot");
    if (reboot && strcmp(reboot, "reset") && strcmp(reboot, "shutdown")) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'reboot' expects 'reset' or 'shutdown', "
                    "got '%s'", reboot);
        return false;
    }
    if (reboot) {
        o->cfg.no_reboot = !strcmp(reboot, "shutdown");
    }
    const char *shutdown = opts_get(opts, "shutdown");
    if (shutdown && strcmp(shutdown, "poweroff") != 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Parameter 'shutdown': only 'poweroff' is supported");
        return false;
    }
    return true;
}

static bool opt_name(VlOptions *o, const char *arg, VlAction *action,
                     GString *out, GError **errp)
{
    static const char *const keys[] = {
        "guest", "process", "debug-threads", NULL,
    };
    g_autoptr(Opts) opts = opts_parse(arg, "guest", no_bare_flags, errp);

    if (!opts || !opts_check_keys(opts, keys, "-name", errp)) {
        return false;
    }
    return set_string(&o->name, opts_get(opts, "guest"));
}

static bool opt_D(VlOptions *o, const char *arg, VlAction *action,
                  GString *out, GError **errp)
{
    return set_string(&o->logfile, arg);
}

/* The -d items we log; others QEMU knows are accepted and ignored. */
static bool opt_d(VlOptions *o, const char *arg, VlAction *action,
                  GString *out, GError **errp)
{
    if (!strcmp(arg, "help")) {
        g_string_append(out, "Log items (comma separated):\n"
                        "guest_errors  accesses to no device (jams, resets and "
                        "panics are always logged with -D)\n");
        *action = VL_EXIT;
        return true;
    }
    g_auto(GStrv) items = g_strsplit(arg, ",", -1);
    for (unsigned i = 0; items[i]; i++) {
        if (!strcmp(items[i], "guest_errors")) {
            o->cfg.log_guest_errors = true;
        }
    }
    return set_string(&o->log_items, arg);
}

static bool opt_S(VlOptions *o, const char *arg, VlAction *action,
                  GString *out, GError **errp)
{
    o->cfg.start_paused = true;
    return true;
}

static bool opt_version(VlOptions *o, const char *arg, VlAction *action,
                        GString *out, GError **errp)
{
    g_string_append(out, "minivirt version 0.1.0\n");
    *action = VL_EXIT;
    return true;
}

static bool opt_help(VlOptions *o, const char *arg, VlAction *action,
                     GString *out, GError **errp)
{
    vl_usage(out);
    *action = VL_EXIT;
    return true;
}

static const VlOption vl_options[] = {
    { "machine", true, opt_machine, "virt[,dumpdtb=FILE]", "the board (`help` lists it)" },
    { "M", true, opt_machine, NULL, NULL },
    { "m", true, opt_m, "SIZE", "guest RAM (default 128M; K, M, G suffixes)" },
    { "smp", true, opt_smp, "N|cpus=N", "harts, 1 to 8" },
    { "kernel", true, opt_kernel, "FILE", "Linux Image, or an ELF" },
    { "initrd", true, opt_initrd, "FILE", "initial ram disk" },
    { "append", true, opt_append, "CMDLINE", "kernel command line" },
    { "bios", true, opt_bios, "none|FILE", "built-in SBI, or OpenSBI fw_dynamic.bin" },
    { "chardev", true, opt_chardev, "BACKEND,id=ID,...", "a host character device (`help`)" },
    { "device", true, opt_device, "DRIVER,...", "add a device (`help`, `DRIVER,help`)" },
    { "serial", true, opt_serial, "DEV", "UART0's backend (stdio, pty, tcp:..., mon:stdio, none)" },
    { "nographic", false, opt_nographic, "", "serial and monitor on stdio" },
    { "display", true, opt_display, "none", "no display (the only kind)" },
    { "monitor", true, opt_monitor, "DEV", "the human monitor on DEV (stdio, tcp:..., none)" },
    { "qmp", true, opt_qmp, "DEV", "QMP on DEV (unix:PATH,server=on,wait=off, ...)" },
    { "qmp-pretty", true, opt_qmp_pretty, "DEV", "QMP with indented replies" },
    { "mon", true, opt_mon, "chardev=ID[,mode=M]", "a monitor on a -chardev (readline|control)" },
    { "no-reboot", false, opt_no_reboot, "", "exit instead of rebooting" },
    { "action", true, opt_action, "panic=A[,reboot=R]", "A: shutdown|exit-failure|pause|none; R: reset|shutdown" },
    { "name", true, opt_name, "NAME", "the guest's name" },
    { "D", true, opt_D, "FILE", "log file for -d" },
    { "d", true, opt_d, "ITEMS", "log items (`help`)" },
    { "S", false, opt_S, "", "start with the harts paused (the monitor's cont runs them)" },
    { "version", false, opt_version, "", "print the version" },
    { "h", false, opt_help, "", "this text" },
    { "help", false, opt_help, NULL, NULL },
};

void vl_usage(GString *out)
{
    g_string_append(out, "usage: minivirt [options]\n\n");
    for (size_t i = 0; i < G_N_ELEMENTS(vl_options); i++) {
        const VlOption *opt = &vl_options[i];
        if (opt->args) {
            g_autofree char *left = g_strdup_printf("-%s %s", opt->name,
                                                    opt->args);
            g_string_append_printf(out, "%-28s %s\n", left, opt->help);
        }
    }
}

static const VlOption *vl_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(vl_options); i++) {
        if (!strcmp(vl_options[i].name, name)) {
            return &vl_options[i];
        }
    }
    return NULL;
}

static void vl_options_init(VlOptions *o)
{
    memset(o, 0, sizeof(*o));
    o->cfg.ram_size = VIRT_DEFAULT_RAM_SIZE;
    o->cfg.smp = 1;
    /* A panicking guest must fail a CI run: exit 1, not QEMU's exit 0. */
    o->cfg.panic_action = VIRT_PANIC_EXIT_FAILURE;
    o->chardevs = g_ptr_array_new_with_free_func(g_free);
    o->devices = g_ptr_array_new_with_free_func(g_free);
    o->serials = g_ptr_array_new_with_free_func(g_free);
    o->monitor_opts = g_ptr_array_new_with_free_func(g_free);
    o->monitor_args = g_ptr_array_new_with_free_func(g_free);
}

void vl_options_clear(VlOptions *o)
{
    g_free(o->kernel);
    g_free(o->initrd);
    g_free(o->append);
    g_free(o->bios);
    g_free(o->dumpdtb);
    g_free(o->name);
    g_free(o->logfile);
    g_free(o->log_items);
    if (o->chardevs) {
        g_ptr_array_unref(o->chardevs);
        g_ptr_array_unref(o->devices);
        g_ptr_array_unref(o->serials);
        g_ptr_array_unref(o->monitor_opts);
        g_ptr_array_unref(o->monitor_args);
    }
    memset(o, 0, sizeof(*o));
}

/* Prefix an option's error with "-opt arg: " (QEMU's form). */
static bool vl_fail(GError **errp, GError *err, const char *opt,
                    const char *arg)
{
    if (arg) {
        g_prefix_error(&err, "%s %s: ", opt, arg);
    } else {
        g_prefix_error(&err, "%s: ", opt);
    }
    g_propagate_error(errp, err);
    return false;
}

bool vl_parse(int argc, char **argv, VlOptions *o, VlAction *action,
              GString *out, GError **errp)
{
    vl_options_init(o);
    *action = VL_RUN;
    for (int i = 1; i < argc; i++) {
        const char *word = argv[i];
        GError *err = NULL;

        if (word[0] != '-' || word[1] == '\0') {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "%s: invalid option", word);
            return false;
        }
        /* QEMU accepts --opt as well as -opt. */
        const char *name = word + (word[1] == '-' ? 2 : 1);
        const VlOption *opt = vl_find(name);
        if (!opt) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "%s: invalid option", word);
            return false;
        }
        const char *arg = NULL;
        if (opt->has_arg) {
            if (i + 1 >= argc) {
                g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                            "%s: requires an argument", word);
                return false;
            }
            arg = argv[++i];
        }
        if (!opt->handler(o, arg, action, out, &err)) {
            return vl_fail(errp, err, word, arg);
        }
        if (*action == VL_EXIT) {
            return true;
        }
    }
    if ((o->initrd || o->append) && !o->kernel) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "%s cannot be used without -kernel",
                    o->initrd ? "-initrd" : "-append");
        return false;
    }
    o->cfg.kernel = o->kernel;
    o->cfg.initrd = o->initrd;
    o->cfg.append = o->append;
    o->cfg.bios = o->bios;
    o->cfg.dumpdtb = o->dumpdtb;
    return true;
}
