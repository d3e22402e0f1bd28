/*
 * machine/qmp.c: the QMP session: the greeting, the capabilities handshake,
 * splitting the byte stream into JSON messages, dispatch, replies and
 * events.  JSON is parsed and written by json-glib; this file only finds
 * where one top-level value ends (braces and brackets outside strings), so
 * messages may arrive split across reads or several to a read.
 *
 * Every bad input gets an error reply and the session goes on: malformed
 * JSON, a value that is not an object, a message over QMP_MESSAGE_MAX
 * (skipped to its end), unknown commands and bad arguments.
 */
#include <string.h>

#include "machine/monitor-internal.h"
#include "qom/error.h"

G_DEFINE_QUARK(minivirt-qmp-error-quark, qmp_error)

static const char *const qmp_error_class_names[] = {
    [QMP_ERROR_GENERIC] = "GenericError",
    [QMP_ERROR_COMMAND_NOT_FOUND] = "CommandNotFound",
    [QMP_ERROR_DEVICE_NOT_FOUND] = "DeviceNotFound",
};

/* ---- output ------------------------------------------------------------------ */

static void qmp_send(Monitor *mon, JsonNode *node)
{
    g_autoptr(JsonGenerator) gen = json_generator_new();
    g_autofree char *text = NULL;
    gsize len;

    json_generator_set_root(gen, node);
    json_generator_set_pretty(gen, mon->pretty);
    text = json_generator_to_data(gen, &len);
    monitor_write(mon, text, len);
    /* QEMU ends every message with CRLF. */
    monitor_write(mon, "\r\n", 2);
}

static void qmp_send_object(Monitor *mon, JsonObject *obj)
{
    JsonNode *node = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(node, obj);
    qmp_send(mon, node);
    json_node_unref(node);
}

void qmp_send_event(Monitor *mon, JsonNode *event)
{
    if (mon->qmp.negotiated) {
        qmp_send(mon, event);
    }
}

static void qmp_send_error(Monitor *mon, JsonNode *id, QmpErrorClass cls,
                           const char *desc)
{
    JsonObject *reply = json_object_new();
    JsonObject *err = json_object_new();

    json_object_set_string_member(err, "class", qmp_error_class_names[cls]);
    json_object_set_string_member(err, "desc", desc);
    json_object_set_object_member(reply, "error", err);
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    qmp_send_object(mon, reply);
}

static void qmp_send_gerror(Monitor *mon, JsonNode *id, const GError *err)
{
    QmpErrorClass cls = QMP_ERROR_GENERIC;

    if (err->domain == QMP_ERROR) {
        cls = (QmpErrorClass)err->code;
    }
    qmp_send_error(mon, id, cls, err->message);
}

static void qmp_send_greeting(Monitor *mon)
{
    g_auto(GStrv) v = g_strsplit(MINIVIRT_VERSION, ".", 3);
    JsonObject *qemu = json_object_new();
    JsonObject *version = json_object_new();
    JsonObject *qmp = json_object_new();
    JsonObject *greeting = json_object_new();

    json_object_set_int_member(qemu, "micro", v[0] && v[1] && v[2] ?
                               g_ascii_strtoll(v[2], NULL, 10) : 0);
    json_object_set_int_member(qemu, "minor", v[0] && v[1] ?
                               g_ascii_strtoll(v[1], NULL, 10) : 0);
    json_object_set_int_member(qemu, "major", v[0] ?
                               g_ascii_strtoll(v[0], NULL, 10) : 0);
    json_object_set_object_member(version, "qemu", qemu);
    json_object_set_string_member(version, "package", "minivirt");
    json_object_set_object_member(qmp, "version", version);
    /* No "oob": minivirt runs every command in order. */
    json_object_set_array_member(qmp, "capabilities", json_array_new());
    json_object_set_object_member(greeting, "QMP", qmp);
    qmp_send_object(mon, greeting);
}

/* ---- dispatch ------------------------------------------------------------------ */

static const char *qmp_arg_type_name(QmpArgType t)
{
    static const char *const names[] = {
        [QMP_ARG_STR] = "string", [QMP_ARG_BOOL] = "boolean",
        [QMP_ARG_INT] = "integer", [QMP_ARG_OBJECT] = "object",
        [QMP_ARG_ARRAY] = "array", [QMP_ARG_ANY] = "any",
    };
    return names[t];
}

static bool qmp_arg_type_ok(JsonNode *node, QmpArgType t)
{
    GType vt = JSON_NODE_HOLDS_VALUE(node) ? json_node_get_value_type(node)
                                           : G_TYPE_INVALID;

    switch (t) {
    case QMP_ARG_STR:
        return vt == G_TYPE_STRING;
    case QMP_ARG_BOOL:
        return vt == G_TYPE_BOOLEAN;
    case QMP_ARG_INT:
        return vt == G_TYPE_INT64;
    case QMP_ARG_OBJECT:
        return JSON_NODE_HOLDS_OBJECT(node);
    case QMP_ARG_ARRAY:
        return JSON_NODE_HOLDS_ARRAY(node);
    case QMP_ARG_ANY:
        return true;
    }
    return false;
}

/* Check @args against @cmd's declaration, with QEMU's messages. */
static bool qmp_check_args(const QmpCommand *cmd, JsonObject *args,
                           GError **errp)
{
    for (const QmpArg *a = cmd->args; a && a->name; a++) {
        JsonNode *n = json_object_get_member(args, a->name);

        if (!n) {
            if (!a->optional) {
                g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                            "Parameter '%s' is missing", a->name);
                return false;
            }
        } else if (!qmp_arg_type_ok(n, a->type)) {
            g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                        "Invalid parameter type for '%s', expected: %s",
                        a->name, qmp_arg_type_name(a->type));
            return false;
        }
    }
    if (!cmd->extra_args) {
        g_autoptr(GList) members = json_object_get_members(args);

        for (GList *l = members; l; l = l->next) {
            const QmpArg *a = cmd->args;

            while (a && a->name && strcmp(a->name, l->data)) {
                a++;
            }
            if (!a || !a->name) {
                g_set_error(errp, QMP_ERROR, QMP_ERROR_GENERIC,
                            "Parameter '%s' is unexpected",
                            (const char *)l->data);
                return false;
            }
        }
    }
    return true;
}

static void qmp_capabilities(Monitor *mon, JsonNode *id, JsonObject *args)
{
    JsonNode *enable = json_object_get_member(args, "enable");
    JsonObject *reply;

    if (enable && !JSON_NODE_HOLDS_ARRAY(enable)) {
        qmp_send_error(mon, id, QMP_ERROR_GENERIC,
                       "Invalid parameter type for 'enable', expected: array");
        return;
    }
    if (enable && json_array_get_length(json_node_get_array(enable))) {
        JsonNode *cap = json_array_get_element(json_node_get_array(enable), 0);
        g_autofree char *desc = g_strdup_printf(
            "Capability '%s' not available",
            JSON_NODE_HOLDS_VALUE(cap) &&
            json_node_get_value_type(cap) == G_TYPE_STRING ?
            json_node_get_string(cap) : "?");
        qmp_send_error(mon, id, QMP_ERROR_GENERIC, desc);
        return;
    }
    mon->qmp.negotiated = true;
    reply = json_object_new();
    json_object_set_object_member(reply, "return", json_object_new());
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    qmp_send_object(mon, reply);
}

static void qmp_dispatch(Monitor *mon, JsonObject *req)
{
    JsonNode *id = json_object_get_member(req, "id");
    JsonNode *exec = json_object_get_member(req, "execute");
    JsonNode *argn = json_object_get_member(req, "arguments");
    g_autoptr(GList) members = json_object_get_members(req);
    g_autoptr(JsonObject) no_args = NULL;
    g_autoptr(GError) err = NULL;
    const QmpCommand *cmd;
    const char *name;
    JsonObject *args, *reply;
    JsonNode *ret;

    for (GList *l = members; l; l = l->next) {
        if (strcmp(l->data, "id") && strcmp(l->data, "execute") &&
            strcmp(l->data, "arguments")) {
            g_autofree char *desc = g_strdup_printf(
                "QMP input member '%s' is unexpected", (const char *)l->data);
            qmp_send_error(mon, id, QMP_ERROR_GENERIC, desc);
            return;
        }
    }
    if (!exec) {
        qmp_send_error(mon, id, QMP_ERROR_GENERIC,
                       "QMP input lacks member 'execute'");
        return;
    }
    if (!JSON_NODE_HOLDS_VALUE(exec) ||
        json_node_get_value_type(exec) != G_TYPE_STRING) {
        qmp_send_error(mon, id, QMP_ERROR_GENERIC,
                       "QMP input member 'execute' must be a string");
        return;
    }
    if (argn && !JSON_NODE_HOLDS_OBJECT(argn)) {
        qmp_send_error(mon, id, QMP_ERROR_GENERIC,
                       "QMP input member 'arguments' must be an object");
        return;
    }
    if (argn) {
        args = json_node_get_object(argn);
    } else {
        no_args = json_object_new();
        args = no_args;
    }
    name = json_node_get_string(exec);
    if (!strcmp(name, "qmp_capabilities")) {
        if (mon->qmp.negotiated) {
            qmp_send_error(mon, id, QMP_ERROR_COMMAND_NOT_FOUND,
                           "Capabilities negotiation is already complete, "
                           "command ignored");
        } else {
            qmp_capabilities(mon, id, args);
        }
        return;
    }
    if (!mon->qmp.negotiated) {
        qmp_send_error(mon, id, QMP_ERROR_COMMAND_NOT_FOUND,
                       "Expecting capabilities negotiation with "
                       "'qmp_capabilities'");
        return;
    }
    cmd = qmp_find_command(name);
    if (!cmd) {
        g_autofree char *desc = g_strdup_printf(
            "The command %s has not been found", name);
        qmp_send_error(mon, id, QMP_ERROR_COMMAND_NOT_FOUND, desc);
        return;
    }
    if (!qmp_check_args(cmd, args, &err)) {
        qmp_send_gerror(mon, id, err);
        return;
    }
    ret = cmd->handler(mon->ctx, args, &err);
    if (err) {
        if (ret) {
            json_node_unref(ret);
        }
        qmp_send_gerror(mon, id, err);
        return;
    }
    if (!ret) {
        ret = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(ret, json_object_new());
    }
    reply = json_object_new();
    json_object_set_member(reply, "return", ret);
    if (id) {
        json_object_set_member(reply, "id", json_node_copy(id));
    }
    qmp_send_object(mon, reply);
}

/* One complete top-level JSON text from the splitter. */
static void qmp_handle_message(Monitor *mon, const char *text, gsize len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) err = NULL;
    JsonNode *root;

    if (!json_parser_load_from_data(parser, text, len, &err)) {
        g_autofree char *desc = g_strdup_printf("JSON parse error, %s",
                                                err->message);
        qmp_send_error(mon, NULL, QMP_ERROR_GENERIC, desc);
        return;
    }
    root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        qmp_send_error(mon, NULL, QMP_ERROR_GENERIC,
                       "QMP input must be a JSON object");
        return;
    }
    qmp_dispatch(mon, json_node_get_object(root));
}

/* ---- the stream splitter ----------------------------------------------------------- */

static void qmp_splitter_reset(QmpState *q)
{
    g_string_truncate(q->buf, 0);
    q->depth = 0;
    q->in_string = q->escape = q->scalar = q->discarding = false;
}

/* The message in q->buf is complete: hand it on (unless it was refused). */
static void qmp_splitter_emit(Monitor *mon)
{
    QmpState *q = &mon->qmp;
    g_autofree char *text = NULL;
    gsize len = q->buf->len;
    bool discarded = q->discarding;

    text = g_string_free(q->buf, false);
    q->buf = g_string_new(NULL);
    qmp_splitter_reset(q);
    if (!discarded) {
        qmp_handle_message(mon, text, len);
    }
}

/* Refuse the message being collected and skip to its end. */
static void qmp_splitter_refuse(Monitor *mon, const char *desc)
{
    QmpState *q = &mon->qmp;

    qmp_send_error(mon, NULL, QMP_ERROR_GENERIC, desc);
    g_string_truncate(q->buf, 0);
    q->discarding = true;
}

static void qmp_splitter_append(Monitor *mon, char c)
{
    QmpState *q = &mon->qmp;

    if (q->discarding) {
        return;
    }
    g_string_append_c(q->buf, c);
    if (q->buf->len > QMP_MESSAGE_MAX) {
        g_autofree char *desc = g_strdup_printf(
            "JSON message exceeds the limit of %u bytes", QMP_MESSAGE_MAX);
        qmp_splitter_refuse(mon, desc);
    }
}

static bool is_json_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void qmp_splitter_byte(Monitor *mon, char c)
{
    QmpState *q = &mon->qmp;

    if (q->in_string) {
        if (c == '\n') {
            /*
             * A raw newline cannot be inside a JSON string (RFC 8259 §7):
             * the message is broken, and the next line starts afresh.
             */
            if (!q->discarding) {
                qmp_send_error(mon, NULL, QMP_ERROR_GENERIC,
                               "JSON parse error, unterminated string");
            }
            qmp_splitter_reset(q);
            return;
        }
        qmp_splitter_append(mon, c);
        if (q->escape) {
            q->escape = false;
        } else if (c == '\\') {
            q->escape = true;
        } else if (c == q->quote) {
            q->in_string = false;
            if (q->depth == 0) {
                qmp_splitter_emit(mon);
            }
        }
        return;
    }
    if (q->scalar) {
        /* A bare top-level token ends at white space or punctuation. */
        if (is_json_space(c) || strchr("{}[]\"'", c)) {
            qmp_splitter_emit(mon);
            qmp_splitter_byte(mon, c);
            return;
        }
        qmp_splitter_append(mon, c);
        return;
    }
    if (q->depth == 0) {
        if (is_json_space(c)) {
            return;
        }
        if (c == '}' || c == ']') {
            g_autofree char *desc = g_strdup_printf(
                "JSON parse error, stray '%c'", c);
            qmp_send_error(mon, NULL, QMP_ERROR_GENERIC, desc);
            return;
        }
        qmp_splitter_append(mon, c);
        if (c == '{' || c == '[') {
            q->depth = 1;
        } else if (c == '"' || c == '\'') {
            q->in_string = true;
            q->quote = c;
        } else {
            q->scalar = true;
        }
        return;
    }
    qmp_splitter_append(mon, c);
    switch (c) {
    case '"':
    case '\'':
        q->in_string = true;
        q->quote = c;
        break;
    case '{':
    case '[':
        if (++q->depth > QMP_NESTING_MAX && !q->discarding) {
            qmp_splitter_refuse(mon, "JSON parse error, too many nested data "
                                     "structures");
        }
        break;
    case '}':
    case ']':
        if (--q->depth == 0) {
            qmp_splitter_emit(mon);
        }
        break;
    }
}

/* ---- the session ------------------------------------------------------------------------ */

void qmp_init(Monitor *mon)
{
    mon->qmp.buf = g_string_new(NULL);
}

void qmp_cleanup(Monitor *mon)
{
    g_string_free(mon->qmp.buf, true);
}

int qmp_can_read(Monitor *mon)
{
    /* Stop taking input once quit is on its way. */
    return mon->ctx->quit_requested ? 0 : 4096;
}

void qmp_read(Monitor *mon, const uint8_t *buf, int size)
{
    for (int i = 0; i < size && !mon->ctx->quit_requested; i++) {
        qmp_splitter_byte(mon, (char)buf[i]);
    }
}

void qmp_event(Monitor *mon, ChrEvent event)
{
    switch (event) {
    case CHR_EVENT_OPENED:
        /* Every new peer starts a new session. */
        qmp_splitter_reset(&mon->qmp);
        mon->qmp.negotiated = false;
        qmp_send_greeting(mon);
        break;
    case CHR_EVENT_CLOSED:
        qmp_splitter_reset(&mon->qmp);
        mon->qmp.negotiated = false;
        break;
    default:
        break;
    }
}
