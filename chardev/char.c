/*
 * chardev/char.c: the Chardev base type, the backend side (chr_be_*), the
 * write path with its lock and logfile, and the registry of chardevs.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "chardev/chardev-internal.h"
#include "qom/error.h"

/* The keys every backend accepts (QEMU's ChardevCommon plus the basics). */
static const char *const chardev_common_opts[] = {
    "backend", "id", "logfile", "logappend", "mux", NULL,
};

/* ---- the base type -------------------------------------------------------- */

static void chardev_instance_init(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    g_mutex_init(&chr->chr_write_lock);
    chr->logfd = -1;
}

static void chardev_instance_finalize(Object *obj)
{
    Chardev *chr = CHARDEV(obj);

    /* A front end still bound keeps a dangling pointer otherwise. */
    if (chr->be) {
        chr->be->chr = NULL;
    }
    if (chr->logfd >= 0) {
        close(chr->logfd);
    }
    g_free(chr->label);
    g_free(chr->filename);
    g_mutex_clear(&chr->chr_write_lock);
}

static const TypeInfo chardev_type_info = {
    .name = TYPE_CHARDEV,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Chardev),
    .class_size = sizeof(ChardevClass),
    .instance_init = chardev_instance_init,
    .instance_finalize = chardev_instance_finalize,
    .abstract = true,
};

/* A plain object to hold chardevs as children (tests make several). */
static const TypeInfo chardev_container_info = {
    .name = TYPE_CHARDEV_CONTAINER,
    .parent = TYPE_OBJECT,
    .instance_size = sizeof(Object),
};

static void chardev_register_types(void)
{
    type_register_static(&chardev_type_info);
    type_register_static(&chardev_container_info);
}
type_init(chardev_register_types)

Object *chardev_container_new(void)
{
    return object_new(TYPE_CHARDEV_CONTAINER);
}

const char *chardev_get_backend_name(Chardev *chr)
{
    const char *t = object_get_typename(OBJECT(chr));

    return g_str_has_prefix(t, TYPE_CHARDEV_PREFIX)
           ? t + strlen(TYPE_CHARDEV_PREFIX) : t;
}

void chr_set_filename(Chardev *s, const char *filename)
{
    g_free(s->filename);
    s->filename = g_strdup(filename);
}

/* ---- backend side --------------------------------------------------------- */

int chr_be_can_write(Chardev *s)
{
    CharBackend *be = s->be;

    if (!be || !be->chr_can_read) {
        return 0;
    }
    return be->chr_can_read(be->opaque);
}

void chr_be_write(Chardev *s, const uint8_t *buf, int len)
{
    CharBackend *be = s->be;

    if (be && be->chr_read && len > 0) {
        be->chr_read(be->opaque, buf, len);
    }
}

void chr_be_event(Chardev *s, ChrEvent event)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(s);

    if (event == CHR_EVENT_OPENED) {
        s->be_open = true;
    } else if (event == CHR_EVENT_CLOSED) {
        s->be_open = false;
    }
    if (cc->chr_be_event) {
        cc->chr_be_event(s, event);
    } else if (s->be && s->be->chr_event) {
        s->be->chr_event(s->be->opaque, event);
    }
}

void chr_be_update_read_handlers(Chardev *s, GMainContext *context)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(s);

    s->gcontext = context;
    if (cc->chr_update_read_handler) {
        cc->chr_update_read_handler(s);
    }
}

/* ---- the write path ----------------------------------------------------- */

/* Append what the backend accepted to the logfile; a log never blocks I/O. */
static void chr_write_log(Chardev *s, const uint8_t *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(s->logfd, buf, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        buf += n;
        len -= (size_t)n;
    }
}

int chr_write(Chardev *s, const uint8_t *buf, int len)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(s);
    int ret;

    if (len <= 0) {
        return 0;
    }
    g_mutex_lock(&s->chr_write_lock);
    ret = cc->chr_write(s, buf, len);
    if (ret > 0 && s->logfd >= 0) {
        chr_write_log(s, buf, (size_t)ret);
    }
    g_mutex_unlock(&s->chr_write_lock);
    return ret;
}

/* How long chr_write_all sleeps when the backend would block, as QEMU. */
#define CHR_WRITE_ALL_RETRY_US 100

int chr_write_all(Chardev *s, const uint8_t *buf, int len)
{
    int done = 0;

    while (done < len) {
        int ret = chr_write(s, buf + done, len - done);
        if (ret < 0) {
            return -1;
        }
        if (ret == 0) {
            g_usleep(CHR_WRITE_ALL_RETRY_US);
        }
        done += ret;
    }
    return len;
}

/* ---- the always-writable watch for sinks ------------------------------ */

static gboolean chr_ready_prepare(GSource *source, gint *timeout)
{
    *timeout = 0;
    return TRUE;
}

static gboolean chr_ready_dispatch(GSource *source, GSourceFunc callback,
                                   gpointer user_data)
{
    FEWatchFunc func = (FEWatchFunc)(void *)callback;

    return func ? func(NULL, G_IO_OUT, user_data) : G_SOURCE_REMOVE;
}

static GSourceFuncs chr_ready_funcs = {
    .prepare = chr_ready_prepare,
    .dispatch = chr_ready_dispatch,
};

GSource *chr_ready_source_new(void)
{
    return g_source_new(&chr_ready_funcs, sizeof(GSource));
}

/* ---- the registry -------------------------------------------------------- */

Opts *chardev_opts_copy(const Opts *src)
{
    Opts *o = opts_parse("", NULL, NULL, NULL);

    for (unsigned i = 0; i < opts_count(src); i++) {
        opts_set(o, opts_key(src, i), opts_value(src, i));
    }
    return o;
}

Chardev *chardev_find(Object *container, const char *id)
{
    Object *o = object_get_child(container, id);

    return o ? (Chardev *)object_dynamic_cast(o, TYPE_CHARDEV) : NULL;
}

/* QEMU's id rule: a letter, then letters, digits, '-', '.', '_'. */
static bool chardev_id_wellformed(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id + 1; *p; p++) {
        if (!g_ascii_isalnum(*p) && !strchr("-._", *p)) {
            return false;
        }
    }
    return true;
}

/* The class for -chardev backend @name, refusing internal and abstract ones. */
static ChardevClass *chardev_class_lookup(const char *name, GError **errp)
{
    g_autofree char *typename = g_strconcat(TYPE_CHARDEV_PREFIX, name, NULL);
    ObjectClass *oc = object_class_by_name(typename);

    if (!object_class_dynamic_cast(oc, TYPE_CHARDEV) ||
        object_class_is_abstract(oc) || CHARDEV_CLASS(oc)->internal) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "'%s' is not a valid char driver name", name);
        return NULL;
    }
    return CHARDEV_CLASS(oc);
}

static bool chardev_open_logfile(Chardev *chr, const Opts *opts, GError **errp)
{
    const char *logfile = opts_get(opts, "logfile");
    bool append;

    if (!opts_get_bool(opts, "logappend", false, &append, errp)) {
        return false;
    }
    if (!logfile) {
        return true;
    }
    chr->logfd = open(logfile, O_WRONLY | O_CREAT | O_CLOEXEC |
                      (append ? O_APPEND : O_TRUNC), 0666);
    if (chr->logfd < 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO, "Unable to open logfile %s: %s",
                    logfile, g_strerror(errno));
        return false;
    }
    return true;
}

Chardev *chardev_new_internal(Object *container, const char *typename,
                              const char *id, const Opts *opts, GError **errp)
{
    GError *err = NULL;
    Object *obj = object_new_checked(typename, TYPE_CHARDEV, errp);
    Chardev *chr;
    bool be_opened = true;

    if (!obj) {
        return NULL;
    }
    chr = CHARDEV(obj);
    chr->label = g_strdup(id);
    if (!chardev_open_logfile(chr, opts, errp) ||
        !CHARDEV_GET_CLASS(chr)->open(chr, opts, &be_opened, errp)) {
        object_unref(obj);
        return NULL;
    }
    if (!chr->filename) {
        chr->filename = g_strdup(chardev_get_backend_name(chr));
    }
    if (!object_property_add_child(container, id, obj, &err)) {
        g_propagate_error(errp, err);
        object_unref(obj);
        return NULL;
    }
    object_unref(obj);  /* the container holds it now */
    if (be_opened) {
        chr_be_event(chr, CHR_EVENT_OPENED);
    }
    return chr;
}

/* Validate @opts for its backend; on success return its class. */
static ChardevClass *chardev_check_opts(Object *container, const Opts *opts,
                                        bool *mux, GError **errp)
{
    const char *id = opts_get(opts, "id");
    const char *backend = opts_get(opts, "backend");
    ChardevClass *cc;

    if (!id) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'id' is missing");
        return NULL;
    }
    if (!chardev_id_wellformed(id)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'id' expects an identifier");
        return NULL;
    }
    if (!backend) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "chardev: \"%s\" missing backend", id);
        return NULL;
    }
    cc = chardev_class_lookup(backend, errp);
    if (!cc) {
        return NULL;
    }

    g_autoptr(GPtrArray) valid = g_ptr_array_new();
    for (const char *const *k = chardev_common_opts; *k; k++) {
        g_ptr_array_add(valid, (gpointer)*k);
    }
    for (const char *const *k = cc->opts; k && *k; k++) {
        g_ptr_array_add(valid, (gpointer)*k);
    }
    g_ptr_array_add(valid, NULL);
    g_autofree char *what = g_strdup_printf("chardev backend '%s'", backend);
    if (!opts_check_keys(opts, (const char *const *)valid->pdata, what, errp) ||
        !opts_get_bool(opts, "mux", false, mux, errp)) {
        return NULL;
    }
    if (chardev_find(container, id)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_EXISTS,
                    "Chardev '%s' already exists", id);
        return NULL;
    }
    return cc;
}

Chardev *chardev_new_from_opts(Object *container, const Opts *opts,
                               GError **errp)
{
    bool mux;
    ChardevClass *cc = chardev_check_opts(container, opts, &mux, errp);
    const char *id;
    const char *typename;

    if (!cc) {
        return NULL;
    }
    id = opts_get(opts, "id");
    typename = object_class_get_name(OBJECT_CLASS(cc));
    if (!mux) {
        return chardev_new_internal(container, typename, id, opts, errp);
    }

    /* mux=on: "<id>-base" is the real backend, "<id>" the mux over it. */
    g_autofree char *base_id = g_strdup_printf("%s-base", id);
    if (chardev_find(container, base_id)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_EXISTS,
                    "Chardev '%s' already exists", base_id);
        return NULL;
    }
    Chardev *base = chardev_new_internal(container, typename, base_id, opts,
                                         errp);
    if (!base) {
        return NULL;
    }
    Chardev *chr = chardev_mux_new(container, id, base, errp);
    if (!chr) {
        object_unparent(OBJECT(base));
    }
    return chr;
}

/*
 * The keys that may be written as bare flags ("server", "nowait"): every
 * boolean any backend takes, as QemuOpts accepted for booleans.
 */
const char *const chardev_bool_opts[] = {
    "server", "wait", "telnet", "nodelay", "delay", "websocket", "append",
    "logappend", "mux", "signal", "ipv4", "ipv6", NULL,
};

Chardev *chardev_new_from_string(Object *container, const char *str,
                                 GError **errp)
{
    g_autoptr(Opts) opts = opts_parse(str, "backend", chardev_bool_opts, errp);

    return opts ? chardev_new_from_opts(container, opts, errp) : NULL;
}

Chardev *chardev_new_from_legacy(Object *container, const char *id,
                                 const char *filename, GError **errp)
{
    g_autoptr(Opts) opts = chardev_legacy_to_opts(filename, errp);

    if (!opts) {
        return NULL;
    }
    opts_set(opts, "id", id);
    return chardev_new_from_opts(container, opts, errp);
}

static bool chardev_is_busy(Chardev *chr)
{
    return chr->be || chardev_mux_frontend_count(chr) > 0;
}

bool chardev_remove(Object *container, const char *id, GError **errp)
{
    Chardev *chr = chardev_find(container, id);

    if (!chr) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "Chardev '%s' not found", id);
        return false;
    }
    if (chardev_is_busy(chr)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IN_USE,
                    "Chardev '%s' is busy", id);
        return false;
    }
    object_unparent(OBJECT(chr));
    return true;
}

Chardev *chardev_change(Object *container, const char *id, const Opts *opts,
                        GError **errp)
{
    Chardev *old = chardev_find(container, id);
    const char *new_id = opts_get(opts, "id");
    bool mux;

    if (!old) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "Chardev '%s' does not exist", id);
        return NULL;
    }
    if (new_id && strcmp(new_id, id) != 0) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Parameter 'id' must be '%s' to change chardev '%s'",
                    id, id);
        return NULL;
    }
    if (object_dynamic_cast(OBJECT(old), TYPE_CHARDEV_MUX)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Mux device hotswap not supported yet");
        return NULL;
    }
    CharBackend *be = old->be;
    if (be && !be->chr_be_change) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Chardev user does not support chardev hotswap");
        return NULL;
    }

    /* Build the new one under a temporary name so that the old stays valid. */
    g_autoptr(Opts) o = chardev_opts_copy(opts);
    g_autofree char *tmp_id = g_strdup_printf("%s-changing", id);
    opts_set(o, "id", tmp_id);
    ChardevClass *cc = chardev_check_opts(container, o, &mux, errp);
    if (!cc) {
        return NULL;
    }
    if (mux) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_SUPPORTED,
                    "Mux device hotswap not supported yet");
        return NULL;
    }
    Chardev *chr = chardev_new_internal(container,
                                        object_class_get_name(OBJECT_CLASS(cc)),
                                        tmp_id, o, errp);
    if (!chr) {
        return NULL;
    }

    /* Move the front end over, then ask it; on refusal move it back. */
    if (be) {
        old->be = NULL;
        be->chr = chr;
        chr->be = be;
        chr_be_update_read_handlers(chr, old->gcontext);
        if (be->chr_be_change(be->opaque) < 0) {
            chr->be = NULL;
            be->chr = old;
            old->be = be;
            chr_be_update_read_handlers(old, old->gcontext);
            object_unparent(OBJECT(chr));
            g_set_error(errp, MV_ERROR, MV_ERROR_FAILED,
                        "Chardev '%s' change failed", id);
            return NULL;
        }
        if (chr->be_open && be->chr_event) {
            be->chr_event(be->opaque, CHR_EVENT_OPENED);
        }
    }
    object_ref(OBJECT(chr));
    object_unparent(OBJECT(chr));
    object_unparent(OBJECT(old));
    g_free(chr->label);
    chr->label = g_strdup(id);
    /* Cannot fail: the name was freed by the old one just above. */
    bool added = object_property_add_child(container, id, OBJECT(chr), NULL);
    g_assert(added);
    object_unref(OBJECT(chr));
    return chr;
}

bool chr_wait_connected(Chardev *chr, GError **errp)
{
    ChardevClass *cc = CHARDEV_GET_CLASS(chr);

    return cc->wait_connected ? cc->wait_connected(chr, errp) : true;
}

static int chardev_wait_one(Object *child, void *opaque)
{
    GError **errp = opaque;
    Chardev *chr = (Chardev *)object_dynamic_cast(child, TYPE_CHARDEV);

    return chr && chr->wait_at_startup && !chr_wait_connected(chr, errp)
           ? -1 : 0;
}

bool chardev_wait_connected(Object *container, GError **errp)
{
    return object_child_foreach(container, chardev_wait_one, errp) == 0;
}

char *chardev_help(void)
{
    GString *s = g_string_new("Available chardev backend types:\n");
    GSList *list = object_class_get_list(TYPE_CHARDEV, false);

    for (GSList *l = list; l; l = l->next) {
        ChardevClass *cc = CHARDEV_CLASS(l->data);
        const char *name = object_class_get_name(OBJECT_CLASS(cc));
        if (cc->internal || !g_str_has_prefix(name, TYPE_CHARDEV_PREFIX)) {
            continue;
        }
        g_string_append_printf(s, "  %-10s %s\n",
                               name + strlen(TYPE_CHARDEV_PREFIX),
                               cc->desc ? cc->desc : "");
    }
    g_slist_free(list);
    return g_string_free(s, false);
}
