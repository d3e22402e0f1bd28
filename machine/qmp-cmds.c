/*
 * machine/qmp-cmds.c: the QMP commands.  Arguments arrive type-checked
 * against each command's table (qmp.c); results and errors are QEMU's
 * (qapi/char.json, qapi/qdev.json, qapi/qom.json, qapi/pci.json,
 * qapi/run-state.json).
 */
#include <string.h>

#include "hw/core/qdev-monitor.h"
#include "hw/pci/pci.h"
#include "machine/monitor-internal.h"
#include "qom/error.h"

/* ---- helpers ------------------------------------------------------------------ */

static JsonNode *node_take_object(JsonObject *obj)
{
    JsonNode *n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, obj);
    return n;
}

static JsonNode *node_take_array(JsonArray *arr)
{
    JsonNode *n = json_node_new(JSON_NODE_ARRAY);

    json_node_take_array(n, arr);
    return n;
}

static const char *arg_str(JsonObject *args, const char *name)
{
    JsonNode *n = json_object_get_member(args, name);

    return n ? json_node_get_string(n) : NULL;
}

/*
 * A JSON scalar as the option-string value it stands for: strings as they
 * are, booleans on/off, numbers in decimal.  NULL for anything else.
 */
static char *json_scalar_to_opt(JsonNode *n)
{
    GType t;

    if (!JSON_NODE_HOLDS_VALUE(n)) {
        return NULL;
    }
    t = json_node_get_value_type(n);
    if (t == G_TYPE_STRING) {
        return g_strdup(json_node_get_string(n));
    } else if (t == G_TYPE_BOOLEAN) {
        return g_strdup(json_node_get_boolean(n) ? "on" : "off");
    } else if (t == G_TYPE_INT64) {
        return g_strdup_printf("%" G_GINT64_FORMAT, json_node_get_int(n));
    } else if (t == G_TYPE_DOUBLE) {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];
        return g_strdup(g_ascii_dtostr(buf, sizeof(buf), json_node_get_double(n)));
    }
    return NULL;
}

/* Append ",key=value" with the value's commas doubled (QemuOpts escaping). */
static void opt_append(GString *s, const char *key, const char *value)
{
    g_string_append_printf(s, ",%s=", key);
    for (const char *p = value; *p; p++) {
        if (*p == ',') {
            g_string_append_c(s, ',');
        }
        g_string_append_c(s, *p);
    }
}

static Chardev *find_chardev(MonitorContext *ctx, const char *id,
                             GError **errp)
{
    Chardev *chr = chardev_find(ctx->chardevs, id);

    if (!chr) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_DEVICE_NOT_FOUND,
                    "Device '%s' not found", id);
    }
    return chr;
}

/* ---- run state ------------------------------------------------------------------ */

static JsonNode *qmp_query_status(MonitorContext *ctx, JsonObject *args,
                                  GError **errp)
{
    const char *status = ctx->ops->status(ctx->opaque);
    JsonObject *r = json_object_new();

    json_object_set_string_member(r, "status", status);
    json_object_set_boolean_member(r, "singlestep", false);
    json_object_set_boolean_member(r, "running", !strcmp(status, "running"));
    return node_take_object(r);
}

static JsonNode *qmp_stop(MonitorContext *ctx, JsonObject *args, GError **errp)
{
    monitor_do_stop(ctx);
    return NULL;
}

static JsonNode *qmp_cont(MonitorContext *ctx, JsonObject *args, GError **errp)
{
    monitor_do_cont(ctx, errp);
    return NULL;
}

static JsonNode *qmp_system_reset(MonitorContext *ctx, JsonObject *args,
                                  GError **errp)
{
    monitor_do_system_reset(ctx);
    return NULL;
}

static JsonNode *qmp_system_powerdown(MonitorContext *ctx, JsonObject *args,
                                      GError **errp)
{
    monitor_do_system_powerdown(ctx);
    return NULL;
}

static JsonNode *qmp_quit(MonitorContext *ctx, JsonObject *args, GError **errp)
{
    monitor_do_quit(ctx);
    return NULL;
}

static JsonNode *qmp_query_version(MonitorContext *ctx, JsonObject *args,
                                   GError **errp)
{
    g_auto(GStrv) v = g_strsplit(MINIVIRT_VERSION, ".", 3);
    JsonObject *qemu = json_object_new();
    JsonObject *r = json_object_new();

    json_object_set_int_member(qemu, "major", v[0] ? g_ascii_strtoll(v[0], NULL, 10) : 0);
    json_object_set_int_member(qemu, "minor", v[0] && v[1] ?
                               g_ascii_strtoll(v[1], NULL, 10) : 0);
    json_object_set_int_member(qemu, "micro", v[0] && v[1] && v[2] ?
                               g_ascii_strtoll(v[2], NULL, 10) : 0);
    json_object_set_object_member(r, "qemu", qemu);
    json_object_set_string_member(r, "package", "minivirt");
    return node_take_object(r);
}

static JsonNode *qmp_query_commands(MonitorContext *ctx, JsonObject *args,
                                    GError **errp)
{
    JsonArray *a = json_array_new();
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", "qmp_capabilities");
    json_array_add_object_element(a, o);
    for (const QmpCommand *c = qmp_commands; c->name; c++) {
        o = json_object_new();
        json_object_set_string_member(o, "name", c->name);
        json_array_add_object_element(a, o);
    }
    return node_take_array(a);
}

static JsonNode *qmp_human_monitor_command(MonitorContext *ctx,
                                           JsonObject *args, GError **errp)
{
    g_autoptr(GString) out = g_string_new(NULL);
    JsonNode *n = json_node_new(JSON_NODE_VALUE);

    hmp_execute(ctx, arg_str(args, "command-line"), out);
    json_node_set_string(n, out->str);
    return n;
}

/* ---- chardevs ------------------------------------------------------------------- */

static int query_chardev_one(Object *child, void *opaque)
{
    Chardev *chr = (Chardev *)object_dynamic_cast(child, TYPE_CHARDEV);
    JsonObject *o;

    if (!chr) {
        return 0;
    }
    o = json_object_new();
    json_object_set_string_member(o, "label", chr->label);
    json_object_set_string_member(o, "filename",
                                  chr->filename ? chr->filename : "");
    json_object_set_boolean_member(o, "frontend-open",
                                   chr->be && chr->be->fe_is_open);
    json_array_add_object_element(opaque, o);
    return 0;
}

static JsonNode *qmp_query_chardev(MonitorContext *ctx, JsonObject *args,
                                   GError **errp)
{
    JsonArray *a = json_array_new();

    object_child_foreach(ctx->chardevs, query_chardev_one, a);
    return node_take_array(a);
}

static JsonNode *qmp_query_chardev_backends(MonitorContext *ctx,
                                            JsonObject *args, GError **errp)
{
    g_autoptr(GSList) list = object_class_get_list(TYPE_CHARDEV, false);
    JsonArray *a = json_array_new();

    for (GSList *l = list; l; l = l->next) {
        ChardevClass *cc = l->data;
        const char *name = object_class_get_name(l->data);
        JsonObject *o;

        if (cc->internal || !g_str_has_prefix(name, TYPE_CHARDEV_PREFIX)) {
            continue;
        }
        o = json_object_new();
        json_object_set_string_member(o, "name",
                                      name + strlen(TYPE_CHARDEV_PREFIX));
        json_array_add_object_element(a, o);
    }
    return node_take_array(a);
}

/*
 * QEMU's SocketAddressLegacy {"type": "unix"|"inet", "data": {...}} (the
 * flat SocketAddress form, without "data", is accepted too) as options.
 */
static bool socket_addr_to_opts(JsonNode *addr, GString *s, const char *host_key,
                                const char *port_key, GError **errp)
{
    JsonObject *a, *d;
    const char *type;
    JsonNode *dn;

    if (!addr || !JSON_NODE_HOLDS_OBJECT(addr)) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                    "Parameter 'addr' is missing");
        return false;
    }
    a = json_node_get_object(addr);
    type = json_object_has_member(a, "type") ?
           json_object_get_string_member(a, "type") : NULL;
    dn = json_object_get_member(a, "data");
    d = dn && JSON_NODE_HOLDS_OBJECT(dn) ? json_node_get_object(dn) : a;
    if (!type) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                    "Parameter 'addr.type' is missing");
        return false;
    }
    if (!strcmp(type, "unix")) {
        JsonNode *p = json_object_get_member(d, "path");
        g_autofree char *path = p ? json_scalar_to_opt(p) : NULL;

        if (!path) {
            g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                        "Parameter 'addr.data.path' is missing");
            return false;
        }
        opt_append(s, "path", path);
        return true;
    }
    if (!strcmp(type, "inet")) {
        static const char *const keys[] = { "host", "port", "ipv4", "ipv6",
                                            NULL };
        for (int i = 0; keys[i]; i++) {
            JsonNode *v = json_object_get_member(d, keys[i]);
            g_autofree char *val = v ? json_scalar_to_opt(v) : NULL;
            const char *key = i == 0 ? host_key : i == 1 ? port_key : keys[i];

            if (val) {
                opt_append(s, key, val);
            } else if (i < 2) {
                g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                            "Parameter 'addr.data.%s' is missing", keys[i]);
                return false;
            }
        }
        return true;
    }
    g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                "Parameter 'addr.type' does not accept value '%s'", type);
    return false;
}

/*
 * A ChardevBackend member of "data" that maps to our key: QEMU's name,
 * then ours.
 */
typedef struct BackendKey {
    const char *type;           /* QEMU's backend type */
    const char *qmp;            /* member of "data" */
    const char *key;            /* our -chardev key */
} BackendKey;

static const BackendKey backend_keys[] = {
    { "file", "out", "path" },
    { "file", "in", "input-path" },
    { "file", "append", "append" },
    { "pipe", "device", "path" },
    { "ringbuf", "size", "size" },
    { "stdio", "signal", "signal" },
    { "socket", "server", "server" },
    { "socket", "wait", "wait" },
    { "socket", "nodelay", "nodelay" },
    { "socket", "telnet", "telnet" },
    { "socket", "reconnect", "reconnect" },
    { "socket", "reconnect-ms", "reconnect-ms" },
    { NULL, "logfile", "logfile" },     /* ChardevCommon, every backend */
    { NULL, "logappend", "logappend" },
};

/*
 * QEMU's ChardevBackend {"type": T, "data": {...}} as our option string
 * "T,id=ID,...".  Unknown members of "data" are refused by name.
 */
static char *backend_to_optstr(const char *id, JsonObject *backend,
                               GError **errp)
{
    JsonNode *tn = json_object_get_member(backend, "type");
    JsonNode *dn = json_object_get_member(backend, "data");
    g_autoptr(GString) s = g_string_new(NULL);
    g_autoptr(GList) members = NULL;
    JsonObject *data = NULL;
    const char *type;

    if (!tn || !JSON_NODE_HOLDS_VALUE(tn) ||
        json_node_get_value_type(tn) != G_TYPE_STRING) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                    "Parameter 'backend.type' is missing");
        return NULL;
    }
    type = json_node_get_string(tn);
    if (dn && !JSON_NODE_HOLDS_OBJECT(dn)) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                    "Invalid parameter type for 'backend.data', expected: object");
        return NULL;
    }
    /* QEMU's "memory" is the old name of ringbuf. */
    if (!strcmp(type, "memory")) {
        type = "ringbuf";
    }
    g_string_append(s, type);
    opt_append(s, "id", id);
    if (!dn) {
        return g_string_free(g_steal_pointer(&s), false);
    }
    data = json_node_get_object(dn);
    if (!strcmp(type, "socket")) {
        if (!socket_addr_to_opts(json_object_get_member(data, "addr"), s,
                                 "host", "port", errp)) {
            return NULL;
        }
    } else if (!strcmp(type, "udp")) {
        JsonNode *local = json_object_get_member(data, "local");

        if (!socket_addr_to_opts(json_object_get_member(data, "remote"), s,
                                 "host", "port", errp) ||
            (local && !socket_addr_to_opts(local, s, "localaddr", "localport",
                                           errp))) {
            return NULL;
        }
    }
    members = json_object_get_members(data);
    for (GList *l = members; l; l = l->next) {
        const char *m = l->data;
        const BackendKey *k = NULL;
        g_autofree char *val = NULL;

        if (!strcmp(m, "addr") || (!strcmp(type, "udp") &&
            (!strcmp(m, "remote") || !strcmp(m, "local")))) {
            continue;
        }
        for (size_t i = 0; i < G_N_ELEMENTS(backend_keys); i++) {
            if ((!backend_keys[i].type || !strcmp(backend_keys[i].type, type)) &&
                !strcmp(backend_keys[i].qmp, m)) {
                k = &backend_keys[i];
                break;
            }
        }
        if (!k) {
            g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                        "Parameter 'backend.data.%s' is unexpected", m);
            return NULL;
        }
        val = json_scalar_to_opt(json_object_get_member(data, m));
        if (!val) {
            g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                        "Invalid parameter type for 'backend.data.%s'", m);
            return NULL;
        }
        opt_append(s, k->key, val);
    }
    return g_string_free(g_steal_pointer(&s), false);
}

/* ChardevReturn: {"pty": PATH} for a pty, {} otherwise. */
static JsonNode *chardev_return(Chardev *chr)
{
    JsonObject *r = json_object_new();

    if (chr->filename && g_str_has_prefix(chr->filename, "pty:")) {
        json_object_set_string_member(r, "pty", chr->filename + strlen("pty:"));
    }
    return node_take_object(r);
}

static JsonNode *qmp_chardev_add(MonitorContext *ctx, JsonObject *args,
                                 GError **errp)
{
    g_autofree char *optstr = backend_to_optstr(
        arg_str(args, "id"), json_object_get_object_member(args, "backend"),
        errp);
    Chardev *chr;

    if (!optstr) {
        return NULL;
    }
    chr = chardev_new_from_string(ctx->chardevs, optstr, errp);
    return chr ? chardev_return(chr) : NULL;
}

static JsonNode *qmp_chardev_change(MonitorContext *ctx, JsonObject *args,
                                    GError **errp)
{
    const char *id = arg_str(args, "id");
    g_autofree char *optstr = backend_to_optstr(
        id, json_object_get_object_member(args, "backend"), errp);
    g_autoptr(Opts) opts = NULL;
    Chardev *chr;

    if (!optstr) {
        return NULL;
    }
    opts = opts_parse(optstr, "backend", NULL, errp);
    if (!opts) {
        return NULL;
    }
    chr = chardev_change(ctx->chardevs, id, opts, errp);
    return chr ? chardev_return(chr) : NULL;
}

static JsonNode *qmp_chardev_remove(MonitorContext *ctx, JsonObject *args,
                                    GError **errp)
{
    chardev_remove(ctx->chardevs, arg_str(args, "id"), errp);
    return NULL;
}

static JsonNode *qmp_ringbuf_write(MonitorContext *ctx, JsonObject *args,
                                   GError **errp)
{
    Chardev *chr = find_chardev(ctx, arg_str(args, "device"), errp);
    const char *data = arg_str(args, "data");
    const char *format = arg_str(args, "format");
    g_autofree guchar *decoded = NULL;
    const uint8_t *buf = (const uint8_t *)data;
    gsize len = strlen(data);

    if (!chr) {
        return NULL;
    }
    if (format && !strcmp(format, "base64")) {
        decoded = g_base64_decode(data, &len);
        buf = decoded;
    } else if (format && strcmp(format, "utf8")) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                    "Parameter 'format' does not accept value '%s'", format);
        return NULL;
    }
    chardev_ringbuf_write(chr, buf, len > G_MAXINT ? G_MAXINT : (int)len, errp);
    return NULL;
}

static JsonNode *qmp_ringbuf_read(MonitorContext *ctx, JsonObject *args,
                                  GError **errp)
{
    Chardev *chr = find_chardev(ctx, arg_str(args, "device"), errp);
    gint64 size = json_object_get_int_member(args, "size");
    const char *format = arg_str(args, "format");
    g_autofree uint8_t *buf = NULL;
    JsonNode *n;
    int got;

    if (!chr) {
        return NULL;
    }
    if (size < 0 || size > G_MAXINT) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                    "size must be greater than zero");
        return NULL;
    }
    if (format && strcmp(format, "utf8") && strcmp(format, "base64")) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                    "Parameter 'format' does not accept value '%s'", format);
        return NULL;
    }
    buf = g_malloc(size + 1);
    got = chardev_ringbuf_read(chr, buf, (int)size, errp);
    if (got < 0) {
        return NULL;
    }
    n = json_node_new(JSON_NODE_VALUE);
    if (format && !strcmp(format, "base64")) {
        g_autofree char *b64 = g_base64_encode(buf, got);
        json_node_set_string(n, b64);
    } else {
        /* JSON strings are UTF-8: invalid bytes become U+FFFD, as QEMU. */
        g_autofree char *s = g_utf8_make_valid((const char *)buf, got);
        json_node_set_string(n, s);
    }
    return n;
}

/* ---- devices ---------------------------------------------------------------------- */

static JsonNode *qmp_device_add(MonitorContext *ctx, JsonObject *args,
                                GError **errp)
{
    g_autoptr(GString) s = g_string_new(arg_str(args, "driver"));
    g_autoptr(GList) members = json_object_get_members(args);

    for (GList *l = members; l; l = l->next) {
        g_autofree char *val = NULL;

        if (!strcmp(l->data, "driver")) {
            continue;
        }
        val = json_scalar_to_opt(json_object_get_member(args, l->data));
        if (!val) {
            g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                        "Invalid parameter type for '%s', expected: string",
                        (const char *)l->data);
            return NULL;
        }
        opt_append(s, l->data, val);
    }
    if (strchr(arg_str(args, "driver"), ',')) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                    "'%s' is not a valid device model name",
                    arg_str(args, "driver"));
        return NULL;
    }
    qdev_device_add(ctx->machine, s->str, errp);
    return NULL;
}

static JsonNode *qmp_device_del(MonitorContext *ctx, JsonObject *args,
                                GError **errp)
{
    monitor_do_device_del(ctx, arg_str(args, "id"), errp);
    return NULL;
}

/* ---- QOM -------------------------------------------------------------------------- */

static Object *resolve_path(MonitorContext *ctx, const char *path,
                            GError **errp)
{
    Object *obj = object_resolve_path(monitor_qom_root(ctx), path, NULL);

    if (!obj) {
        g_set_error(errp, QMP_ERROR, QMP_ERROR_DEVICE_NOT_FOUND,
                    "Device '%s' not found", path);
    }
    return obj;
}

static void qom_list_one(const char *name, const char *type,
                         const char *description, void *opaque)
{
    JsonObject *o = json_object_new();

    json_object_set_string_member(o, "name", name);
    json_object_set_string_member(o, "type", type);
    if (description) {
        json_object_set_string_member(o, "description", description);
    }
    json_array_add_object_element(opaque, o);
}

static JsonNode *qmp_qom_list(MonitorContext *ctx, JsonObject *args,
                              GError **errp)
{
    Object *obj = resolve_path(ctx, arg_str(args, "path"), errp);
    JsonArray *a;

    if (!obj) {
        return NULL;
    }
    a = json_array_new();
    object_property_foreach(obj, qom_list_one, a);
    return node_take_array(a);
}

static JsonNode *qmp_qom_get(MonitorContext *ctx, JsonObject *args,
                             GError **errp)
{
    Object *obj = resolve_path(ctx, arg_str(args, "path"), errp);
    const char *name = arg_str(args, "property");
    const ObjectProperty *prop;
    g_autofree char *v = NULL;
    JsonNode *n;

    if (!obj) {
        return NULL;
    }
    v = object_property_print(obj, name, errp);
    if (!v) {
        return NULL;
    }
    prop = object_class_property_find(object_get_class(obj), name);
    n = json_node_new(JSON_NODE_VALUE);
    switch (prop ? prop->kind : PROP_KIND_STR) {
    case PROP_KIND_BOOL:
        json_node_set_boolean(n, !strcmp(v, "on"));
        break;
    case PROP_KIND_UINT32:
    case PROP_KIND_UINT64:
    case PROP_KIND_SIZE:
        json_node_set_int(n, (gint64)g_ascii_strtoull(v, NULL, 10));
        break;
    case PROP_KIND_INT64:
        json_node_set_int(n, g_ascii_strtoll(v, NULL, 10));
        break;
    default:
        json_node_set_string(n, v);
    }
    return n;
}

/* ---- query-pci ------------------------------------------------------------------- */

static JsonArray *query_pci_regions(PCIDevice *pdev)
{
    JsonArray *a = json_array_new();

    for (int n = 0; n < PCI_NUM_REGIONS; n++) {
        const PCIIORegion *r = &pdev->io_regions[n];
        JsonObject *o;

        if (!r->mr) {
            continue;
        }
        o = json_object_new();
        json_object_set_int_member(o, "bar", n);
        if (r->type & PCI_BASE_ADDRESS_SPACE_IO) {
            json_object_set_string_member(o, "type", "io");
        } else {
            json_object_set_string_member(o, "type", "memory");
            json_object_set_boolean_member(o, "prefetch",
                r->type & PCI_BASE_ADDRESS_MEM_PREFETCH);
            json_object_set_boolean_member(o, "mem_type_64",
                r->type & PCI_BASE_ADDRESS_MEM_TYPE_64);
        }
        /* QEMU reports an unmapped BAR's address as -1 (all ones). */
        json_object_set_int_member(o, "address", (gint64)pci_get_bar_addr(pdev, n));
        json_object_set_int_member(o, "size", (gint64)r->size);
        json_array_add_object_element(a, o);
    }
    return a;
}

static JsonObject *query_pci_device(PCIDevice *pdev)
{
    const uint8_t *c = pdev->config;
    uint16_t class_id = pci_get_word(c + PCI_CLASS_DEVICE);
    const char *desc = pci_class_desc(class_id);
    JsonObject *o = json_object_new();
    JsonObject *ci = json_object_new();
    JsonObject *id = json_object_new();

    json_object_set_int_member(o, "bus", 0);
    json_object_set_int_member(o, "slot", PCI_SLOT(pdev->devfn));
    json_object_set_int_member(o, "function", PCI_FUNC(pdev->devfn));
    if (desc) {
        json_object_set_string_member(ci, "desc", desc);
    }
    json_object_set_int_member(ci, "class", class_id);
    json_object_set_object_member(o, "class_info", ci);
    json_object_set_int_member(id, "device", pci_get_word(c + PCI_DEVICE_ID));
    json_object_set_int_member(id, "vendor", pci_get_word(c + PCI_VENDOR_ID));
    json_object_set_int_member(id, "subsystem",
                               pci_get_word(c + PCI_SUBSYSTEM_ID));
    json_object_set_int_member(id, "subsystem-vendor",
                               pci_get_word(c + PCI_SUBSYSTEM_VENDOR_ID));
    json_object_set_object_member(o, "id", id);
    if (c[PCI_INTERRUPT_PIN]) {
        json_object_set_int_member(o, "irq", c[PCI_INTERRUPT_LINE]);
    }
    json_object_set_int_member(o, "irq_pin", c[PCI_INTERRUPT_PIN]);
    json_object_set_string_member(o, "qdev_id",
                                  DEVICE(pdev)->id ? DEVICE(pdev)->id : "");
    json_object_set_array_member(o, "regions", query_pci_regions(pdev));
    return o;
}

static void query_pci_bus(Object *obj, void *opaque)
{
    PCIBus *bus = PCI_BUS(obj);
    JsonObject *b = json_object_new();
    JsonArray *devs = json_array_new();

    for (int devfn = 0; devfn < PCI_SLOT_MAX * PCI_FUNC_MAX; devfn++) {
        if (bus->devices[devfn]) {
            json_array_add_object_element(devs,
                                          query_pci_device(bus->devices[devfn]));
        }
    }
    json_object_set_int_member(b, "bus", 0);
    json_object_set_array_member(b, "devices", devs);
    json_array_add_object_element(opaque, b);
}

static JsonNode *qmp_query_pci(MonitorContext *ctx, JsonObject *args,
                               GError **errp)
{
    JsonArray *a = json_array_new();

    monitor_foreach_object(ctx->machine, TYPE_PCI_BUS, query_pci_bus, a);
    return node_take_array(a);
}

/* ---- the table ------------------------------------------------------------------- */

static const QmpArg args_id[] = { { "id", QMP_ARG_STR }, { NULL } };
static const QmpArg args_chardev_add[] = {
    { "id", QMP_ARG_STR }, { "backend", QMP_ARG_OBJECT }, { NULL },
};
static const QmpArg args_device_add[] = {
    { "driver", QMP_ARG_STR }, { "id", QMP_ARG_STR, true },
    { "bus", QMP_ARG_STR, true }, { NULL },
};
static const QmpArg args_qom_list[] = { { "path", QMP_ARG_STR }, { NULL } };
static const QmpArg args_qom_get[] = {
    { "path", QMP_ARG_STR }, { "property", QMP_ARG_STR }, { NULL },
};
static const QmpArg args_ringbuf_write[] = {
    { "device", QMP_ARG_STR }, { "data", QMP_ARG_STR },
    { "format", QMP_ARG_STR, true }, { NULL },
};
static const QmpArg args_ringbuf_read[] = {
    { "device", QMP_ARG_STR }, { "size", QMP_ARG_INT },
    { "format", QMP_ARG_STR, true }, { NULL },
};
static const QmpArg args_hmc[] = {
    { "command-line", QMP_ARG_STR }, { "cpu-index", QMP_ARG_INT, true },
    { NULL },
};

const QmpCommand qmp_commands[] = {
    { "query-status", qmp_query_status, NULL, false },
    { "query-version", qmp_query_version, NULL, false },
    { "query-commands", qmp_query_commands, NULL, false },
    { "stop", qmp_stop, NULL, false },
    { "cont", qmp_cont, NULL, false },
    { "system_reset", qmp_system_reset, NULL, false },
    { "system_powerdown", qmp_system_powerdown, NULL, false },
    { "quit", qmp_quit, NULL, false },
    { "query-chardev", qmp_query_chardev, NULL, false },
    { "query-chardev-backends", qmp_query_chardev_backends, NULL, false },
    { "chardev-add", qmp_chardev_add, args_chardev_add, false },
    { "chardev-change", qmp_chardev_change, args_chardev_add, false },
    { "chardev-remove", qmp_chardev_remove, args_id, false },
    { "device_add", qmp_device_add, args_device_add, true },
    { "device_del", qmp_device_del, args_id, false },
    { "qom-list", qmp_qom_list, args_qom_list, false },
    { "qom-get", qmp_qom_get, args_qom_get, false },
    { "query-pci", qmp_query_pci, NULL, false },
    { "ringbuf-write", qmp_ringbuf_write, args_ringbuf_write, false },
    { "ringbuf-read", qmp_ringbuf_read, args_ringbuf_read, false },
    { "human-monitor-command", qmp_human_monitor_command, args_hmc, false },
    { NULL },
};

const QmpCommand *qmp_find_command(const char *name)
{
    for (const QmpCommand *c = qmp_commands; c->name; c++) {
        if (!strcmp(c->name, name)) {
            return c;
        }
    }
    return NULL;
}
