/*
 * test-qmp: QMP on a ringbuf chardev against the harness machine
 * (test-monitor-harness.h): the greeting and handshake, every command,
 * every error case (malformed JSON, not an object, unknown command,
 * missing, unexpected or mistyped arguments, oversized input), messages
 * split across reads and several to a read, events, and port hotplug seen
 * by a guest driver.  Replies are parsed with json-glib, never matched as
 * text.
 */
#include <glib/gstdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "hw/char/virtio-serial.h"
#include "machine/monitor-internal.h"
#include "test-monitor-harness.h"

#define F_MULTIPORT  VIRTIO_BIT(VIRTIO_CONSOLE_F_MULTIPORT)
#define F_VERSION_1  VIRTIO_BIT(VIRTIO_F_VERSION_1)

typedef struct QClient {
    MonClient mc;
    GPtrArray *events;      /* JsonNode *, in arrival order */
} QClient;

typedef struct Fixture {
    FakeMachine fm;
    QClient q;
    Drv *drv;               /* a guest driver, if the test made one */
} Fixture;

/* The next message, or NULL if none is complete. */
static JsonNode *q_recv_any(QClient *q)
{
    g_autoptr(JsonParser) parser = json_parser_new();
    GError *err = NULL;
    char *end;
    g_autofree char *line = NULL;

    mc_pump(&q->mc);
    end = strstr(q->mc.pending->str, "\r\n");
    if (!end) {
        return NULL;
    }
    line = g_strndup(q->mc.pending->str, end - q->mc.pending->str);
    g_string_erase(q->mc.pending, 0, end - q->mc.pending->str + 2);
    if (!json_parser_load_from_data(parser, line, -1, &err)) {
        g_error("monitor sent bad JSON '%s': %s", line, err->message);
    }
    g_assert_true(JSON_NODE_HOLDS_OBJECT(json_parser_get_root(parser)));
    return json_node_copy(json_parser_get_root(parser));
}

/* The next reply (events are set aside into q->events). */
static JsonNode *q_reply(QClient *q)
{
    JsonNode *n;

    while ((n = q_recv_any(q))) {
        if (json_object_has_member(json_node_get_object(n), "event")) {
            g_ptr_array_add(q->events, n);
            continue;
        }
        return n;
    }
    g_error("no reply");
}

static void q_expect_silence(QClient *q)
{
    g_autofree char *rest = NULL;

    mc_pump(&q->mc);
    rest = g_strdup(q->mc.pending->str);
    if (*rest) {
        g_error("unexpected output: %s", rest);
    }
}

/* Send @json and return the reply's "return" member (owned by *@reply). */
static JsonNode *q_ok(QClient *q, const char *json, JsonNode **reply)
{
    JsonObject *o;

    mc_send(&q->mc, json);
    *reply = q_reply(q);
    o = json_node_get_object(*reply);
    if (!json_object_has_member(o, "return")) {
        g_autoptr(JsonGenerator) gen = json_generator_new();
        json_generator_set_root(gen, *reply);
        g_error("'%s' failed: %s", json, json_generator_to_data(gen, NULL));
    }
    return json_object_get_member(o, "return");
}

/* Send @json (or nothing if NULL) and expect an error reply. */
static void q_err(QClient *q, const char *json, const char *cls,
                  const char *desc)
{
    g_autoptr(JsonNode) reply = NULL;
    JsonObject *o, *e;

    if (json) {
        mc_send(&q->mc, json);
    }
    reply = q_reply(q);
    o = json_node_get_object(reply);
    if (!json_object_has_member(o, "error")) {
        g_error("'%s' did not fail", json);
    }
    e = json_object_get_object_member(o, "error");
    g_assert_cmpstr(json_object_get_string_member(e, "class"), ==, cls);
    if (desc) {
        g_assert_cmpstr(json_object_get_string_member(e, "desc"), ==, desc);
    }
}

/* The oldest unread event named @name (must exist); removed from the list. */
static JsonNode *q_event(QClient *q, const char *name)
{
    JsonNode *n;

    while ((n = q_recv_any(q))) {
        g_ptr_array_add(q->events, n);
    }
    for (guint i = 0; i < q->events->len; i++) {
        JsonObject *o = json_node_get_object(q->events->pdata[i]);

        if (!strcmp(json_object_get_string_member(o, "event"), name)) {
            return g_ptr_array_steal_index(q->events, i);
        }
    }
    g_error("no event %s", name);
}

static void q_open(QClient *q, FakeMachine *fm, const char *id)
{
    q->events = g_ptr_array_new_with_free_func((GDestroyNotify)json_node_unref);
    mc_open(&q->mc, fm, id, MONITOR_MODE_CONTROL);
}

static void q_negotiate(QClient *q)
{
    g_autoptr(JsonNode) greeting = q_reply(q), reply = NULL;

    g_assert_true(json_object_has_member(json_node_get_object(greeting), "QMP"));
    q_ok(q, "{\"execute\": \"qmp_capabilities\"}", &reply);
}

static void q_close(QClient *q)
{
    mc_close(&q->mc);
    g_ptr_array_unref(q->events);
}

static void fx_setup(Fixture *f, gconstpointer data)
{
    fm_init(&f->fm);
    q_open(&f->q, &f->fm, "qmp");
    if (data) {
        q_negotiate(&f->q);
    }
}

static void fx_teardown(Fixture *f, gconstpointer data)
{
    q_close(&f->q);
    fm_destroy(&f->fm);
    g_free(f->drv);
}

/* ---- greeting and handshake ------------------------------------------------- */

static void test_greeting(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) g = q_reply(&f->q);
    JsonObject *qmp = json_object_get_object_member(json_node_get_object(g),
                                                    "QMP");
    JsonObject *version = json_object_get_object_member(qmp, "version");
    JsonObject *qemu = json_object_get_object_member(version, "qemu");
    g_autofree char *v = g_strdup_printf(
        "%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT ".%" G_GINT64_FORMAT,
        json_object_get_int_member(qemu, "major"),
        json_object_get_int_member(qemu, "minor"),
        json_object_get_int_member(qemu, "micro"));

    g_assert_cmpstr(v, ==, MINIVIRT_VERSION);
    g_assert_cmpstr(json_object_get_string_member(version, "package"), ==,
                    "minivirt");
    g_assert_cmpuint(json_array_get_length(
        json_object_get_array_member(qmp, "capabilities")), ==, 0);
    q_expect_silence(&f->q);
}

static void test_negotiation(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) g = q_reply(&f->q), r = NULL;
    JsonObject *o;

    /* Nothing but qmp_capabilities before the handshake, and no events. */
    q_err(&f->q, "{\"execute\": \"query-status\"}", "CommandNotFound",
          "Expecting capabilities negotiation with 'qmp_capabilities'");
    monitor_event_stop(f->fm.ctx);
    q_expect_silence(&f->q);
    q_err(&f->q, "{\"execute\": \"qmp_capabilities\", \"arguments\": "
          "{\"enable\": [\"oob\"]}}", "GenericError",
          "Capability 'oob' not available");

    mc_send(&f->q.mc, "{\"execute\": \"qmp_capabilities\", \"id\": \"neg-1\"}");
    r = q_reply(&f->q);
    o = json_node_get_object(r);
    g_assert_cmpuint(json_object_get_size(
        json_object_get_object_member(o, "return")), ==, 0);
    g_assert_cmpstr(json_object_get_string_member(o, "id"), ==, "neg-1");
    q_err(&f->q, "{\"execute\": \"qmp_capabilities\"}", "CommandNotFound",
          "Capabilities negotiation is already complete, command ignored");
    monitor_event_stop(f->fm.ctx);
    json_node_unref(q_event(&f->q, "STOP"));
}

/* A new peer (the chardev reopens) gets a new session. */
static void test_reconnect(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) g = NULL;

    chr_be_event(f->q.mc.chr, CHR_EVENT_CLOSED);
    chr_be_event(f->q.mc.chr, CHR_EVENT_OPENED);
    g = q_reply(&f->q);
    g_assert_true(json_object_has_member(json_node_get_object(g), "QMP"));
    q_err(&f->q, "{\"execute\": \"query-status\"}", "CommandNotFound",
          "Expecting capabilities negotiation with 'qmp_capabilities'");
}

/* ---- request errors ------------------------------------------------------------ */

static void test_ids(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) a = NULL, b = NULL;
    JsonObject *id;

    /* Any JSON value comes back as it was sent, on success and on error. */
    q_ok(&f->q, "{\"execute\": \"query-status\", \"id\": {\"n\": [1, 2]}}", &a);
    id = json_object_get_object_member(json_node_get_object(a), "id");
    g_assert_cmpint(json_array_get_int_element(
        json_object_get_array_member(id, "n"), 1), ==, 2);
    mc_send(&f->q.mc, "{\"execute\": \"nosuch\", \"id\": 42}");
    b = q_reply(&f->q);
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(b), "id"),
                    ==, 42);
}

static void test_malformed(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) r = NULL;

    q_err(&f->q, "{\"execute\": }", "GenericError", NULL);
    q_err(&f->q, "{\"execute\" \"x\"}", "GenericError", NULL);
    q_err(&f->q, "}", "GenericError", "JSON parse error, stray '}'");
    q_err(&f->q, "nonsense ", "GenericError", NULL);
    /* A raw newline cannot be in a string: the next line starts afresh. */
    q_err(&f->q, "{\"execute\": \"query-\n", "GenericError",
          "JSON parse error, unterminated string");
    q_ok(&f->q, "{\"execute\": \"query-status\"}", &r);
    /* Invalid UTF-8. */
    json_node_unref(g_steal_pointer(&r));
    q_err(&f->q, "{\"execute\": \"\xff\xfe\"}", "GenericError", NULL);
    q_ok(&f->q, "{\"execute\": \"query-status\"}", &r);
}

static void test_not_object(Fixture *f, gconstpointer data)
{
    q_err(&f->q, "[1, 2]", "GenericError", "QMP input must be a JSON object");
    q_err(&f->q, "42 ", "GenericError", "QMP input must be a JSON object");
    q_err(&f->q, "\"query-status\"", "GenericError",
          "QMP input must be a JSON object");
    q_err(&f->q, "true\n", "GenericError", "QMP input must be a JSON object");
}

static void test_bad_requests(Fixture *f, gconstpointer data)
{
    q_err(&f->q, "{\"execute\": \"frobnicate\"}", "CommandNotFound",
          "The command frobnicate has not been found");
    q_err(&f->q, "{\"arguments\": {}}", "GenericError",
          "QMP input lacks member 'execute'");
    q_err(&f->q, "{\"execute\": 1}", "GenericError",
          "QMP input member 'execute' must be a string");
    q_err(&f->q, "{\"execute\": \"stop\", \"arguments\": []}", "GenericError",
          "QMP input member 'arguments' must be an object");
    q_err(&f->q, "{\"execute\": \"stop\", \"colour\": 1}", "GenericError",
          "QMP input member 'colour' is unexpected");
    g_assert_cmpint(f->fm.stops, ==, 0);
}

static void test_bad_arguments(Fixture *f, gconstpointer data)
{
    q_err(&f->q, "{\"execute\": \"device_del\"}", "GenericError",
          "Parameter 'id' is missing");
    q_err(&f->q, "{\"execute\": \"device_del\", \"arguments\": {\"id\": 3}}",
          "GenericError", "Invalid parameter type for 'id', expected: string");
    q_err(&f->q, "{\"execute\": \"device_del\", \"arguments\": "
          "{\"id\": \"p1\", \"force\": true}}", "GenericError",
          "Parameter 'force' is unexpected");
    q_err(&f->q, "{\"execute\": \"ringbuf-read\", \"arguments\": "
          "{\"device\": \"rb\", \"size\": \"10\"}}", "GenericError",
          "Invalid parameter type for 'size', expected: integer");
    q_err(&f->q, "{\"execute\": \"ringbuf-read\", \"arguments\": "
          "{\"device\": \"rb\", \"size\": 1.5}}", "GenericError",
          "Invalid parameter type for 'size', expected: integer");
    q_err(&f->q, "{\"execute\": \"chardev-add\", \"arguments\": "
          "{\"id\": \"x\", \"backend\": \"null\"}}", "GenericError",
          "Invalid parameter type for 'backend', expected: object");
    q_err(&f->q, "{\"execute\": \"stop\", \"arguments\": {\"now\": true}}",
          "GenericError", "Parameter 'now' is unexpected");
    /* Nothing happened. */
    g_assert_nonnull(qdev_find_by_id(f->fm.tm.root, "p1"));
    g_assert_cmpint(f->fm.stops, ==, 0);
}

static void test_oversized(Fixture *f, gconstpointer data)
{
    g_autoptr(GString) big = g_string_new("{\"execute\": \"ringbuf-write\", "
                                          "\"arguments\": {\"device\": \"rb\", "
                                          "\"data\": \"");
    g_autoptr(JsonNode) r = NULL;
    g_autofree char *deep = NULL;

    while (big->len < 2 * QMP_MESSAGE_MAX) {
        g_string_append(big, "0123456789abcdef");
    }
    g_string_append(big, "\"}}");
    mc_send(&f->q.mc, big->str);
    q_err(&f->q, NULL, "GenericError", "JSON message exceeds the limit of "
          "1048576 bytes");
    /* The rest of that message was skipped; the next command works. */
    q_ok(&f->q, "{\"execute\": \"query-status\", \"id\": 1}", &r);
    q_expect_silence(&f->q);
    g_assert_cmpint(chardev_ringbuf_read(chardev_find(f->fm.tm.chardevs, "rb"),
                                         (uint8_t[1]){ 0 }, 1, NULL), ==, 0);

    /* Too deep, even if small. */
    deep = g_strnfill(QMP_NESTING_MAX + 1, '[');
    mc_send(&f->q.mc, deep);
    g_free(deep);
    deep = g_strnfill(QMP_NESTING_MAX + 1, ']');
    mc_send(&f->q.mc, deep);
    q_err(&f->q, NULL, "GenericError", "JSON parse error, too many nested "
          "data structures");
    json_node_unref(g_steal_pointer(&r));
    q_ok(&f->q, "{\"execute\": \"query-status\"}", &r);
    q_expect_silence(&f->q);
}

/* ---- streaming --------------------------------------------------------------- */

static void test_split(Fixture *f, gconstpointer data)
{
    const char *cmd = " {\"execute\": \"stop\", \"id\": \"a}\\\"[\"}\r\n";
    g_autoptr(JsonNode) r = NULL;

    const char *last = strrchr(cmd, '}');

    /* Nothing runs until the object's last brace is in. */
    for (const char *p = cmd; *p; p++) {
        g_assert_cmpint(f->fm.stops, ==, p > last);
        mc_send_len(&f->q.mc, p, 1);
        if (p == last) {
            g_assert_cmpint(f->fm.stops, ==, 1);
        }
    }
    g_assert_cmpint(f->fm.stops, ==, 1);
    r = q_reply(&f->q);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(r), "id"),
                    ==, "a}\"[");
}

/* QEMU's extension: 'single-quoted' strings, braces inside them too. */
static void test_single_quotes(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) r = NULL;

    q_ok(&f->q, "{'execute': 'query-status', 'id': 'x}\"{'}", &r);
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(r), "id"),
                    ==, "x}\"{");
    q_err(&f->q, "'query-status' ", "GenericError",
          "QMP input must be a JSON object");
}

static void test_concatenated(Fixture *f, gconstpointer data)
{
    mc_send(&f->q.mc, "{\"execute\":\"query-status\",\"id\":1}"
                      "{\"execute\":\"stop\",\"id\":2}  \n"
                      "{\"execute\":\"query-status\",\"id\":3}");
    for (int i = 1; i <= 3; i++) {
        g_autoptr(JsonNode) r = q_reply(&f->q);
        JsonObject *o = json_node_get_object(r);

        g_assert_cmpint(json_object_get_int_member(o, "id"), ==, i);
        if (i == 3) {
            g_assert_cmpstr(json_object_get_string_member(
                json_object_get_object_member(o, "return"), "status"), ==,
                "paused");
        }
    }
}

/* ---- commands ------------------------------------------------------------------ */

static void test_run_state(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
    JsonObject *st;
    JsonObject *ev, *ts;
    JsonNode *n;

    st = json_node_get_object(q_ok(&f->q, "{\"execute\": \"query-status\"}", &a));
    g_assert_cmpstr(json_object_get_string_member(st, "status"), ==, "running");
    g_assert_true(json_object_get_boolean_member(st, "running"));

    q_ok(&f->q, "{\"execute\": \"stop\"}", &b);
    g_assert_cmpint(f->fm.stops, ==, 1);
    n = q_event(&f->q, "STOP");
    ev = json_node_get_object(n);
    ts = json_object_get_object_member(ev, "timestamp");
    g_assert_cmpint(json_object_get_int_member(ts, "seconds"), >, 1600000000);
    g_assert_cmpint(json_object_get_int_member(ts, "microseconds"), <, 1000000);
    json_node_unref(n);

    st = json_node_get_object(q_ok(&f->q, "{\"execute\": \"query-status\"}", &c));
    g_assert_cmpstr(json_object_get_string_member(st, "status"), ==, "paused");
    g_assert_false(json_object_get_boolean_member(st, "running"));

    q_ok(&f->q, "{\"execute\": \"cont\"}", &d);
    g_assert_cmpint(f->fm.conts, ==, 1);
    json_node_unref(q_event(&f->q, "RESUME"));
    f->fm.status = "shutdown";
    f->fm.cont_fails = true;
    q_err(&f->q, "{\"execute\": \"cont\"}", "GenericError",
          "Resetting the Virtual Machine is required");

    q_ok(&f->q, "{\"execute\": \"system_reset\"}", &e);
    g_assert_cmpint(f->fm.resets, ==, 1);
    n = q_event(&f->q, "RESET");
    g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(
        json_node_get_object(n), "data"), "reason"), ==, "host-qmp-system-reset");
    json_node_unref(n);
    json_node_unref(g_steal_pointer(&e));
    q_ok(&f->q, "{\"execute\": \"system_powerdown\"}", &e);
    g_assert_cmpint(f->fm.powerdowns, ==, 1);
    json_node_unref(q_event(&f->q, "POWERDOWN"));
}

static void test_quit(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) r = NULL;
    JsonNode *n;

    mc_send(&f->q.mc, "{\"execute\": \"quit\", \"id\": 9}"
                      "{\"execute\": \"stop\"}");
    /* The reply, then SHUTDOWN, then quit; nothing after quit runs. */
    g_assert_cmpint(f->fm.quits, ==, 1);
    g_assert_cmpint(f->fm.stops, ==, 0);
    r = q_reply(&f->q);
    g_assert_cmpint(json_object_get_int_member(json_node_get_object(r), "id"),
                    ==, 9);
    n = q_event(&f->q, "SHUTDOWN");
    g_assert_false(json_object_get_boolean_member(json_object_get_object_member(
        json_node_get_object(n), "data"), "guest"));
    json_node_unref(n);
    q_expect_silence(&f->q);
}

static JsonObject *find_by(JsonArray *a, const char *key, const char *value)
{
    for (guint i = 0; i < json_array_get_length(a); i++) {
        JsonObject *o = json_array_get_object_element(a, i);

        if (!strcmp(json_object_get_string_member(o, key), value)) {
            return o;
        }
    }
    return NULL;
}

static void test_chardev_queries(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) a = NULL, b = NULL;
    JsonArray *list = json_node_get_array(
        q_ok(&f->q, "{\"execute\": \"query-chardev\"}", &a));
    JsonObject *c1 = find_by(list, "label", "c1");
    JsonObject *rb = find_by(list, "label", "rb");

    g_assert_nonnull(c1);
    g_assert_cmpstr(json_object_get_string_member(c1, "filename"), ==, "null");
    g_assert_nonnull(rb);
    g_assert_true(json_object_get_boolean_member(
        find_by(list, "label", "qmp"), "frontend-open"));
    g_assert_false(json_object_get_boolean_member(rb, "frontend-open"));
    g_assert_cmpuint(json_array_get_length(list), ==,
                     object_child_count(f->fm.tm.chardevs));

    list = json_node_get_array(q_ok(&f->q, "{\"execute\": "
                                    "\"query-chardev-backends\"}", &b));
    for (const char *const *n = (const char *const[]){ "socket", "ringbuf",
         "null", "file", "pty", "stdio", "udp", "pipe", NULL }; *n; n++) {
        if (!find_by(list, "name", *n)) {
            g_error("backend %s missing", *n);
        }
    }
    g_assert_null(find_by(list, "name", "mux"));
}

static void test_chardev_add(Fixture *f, gconstpointer data)
{
    g_autofree char *dir = g_dir_make_tmp("qmp-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "ga.sock", NULL);
    g_autofree char *fpath = g_build_filename(dir, "out,file", NULL);
    g_autofree char *req = NULL;
    g_autofree char *want = NULL;
    g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
    Chardev *chr;
    JsonNode *ret;

    req = g_strdup_printf("{\"execute\": \"chardev-add\", \"arguments\": "
        "{\"id\": \"ga\", \"backend\": {\"type\": \"socket\", \"data\": "
        "{\"addr\": {\"type\": \"unix\", \"data\": {\"path\": \"%s\"}}, "
        "\"server\": true, \"wait\": false}}}}", path);
    ret = q_ok(&f->q, req, &a);
    g_assert_cmpuint(json_object_get_size(json_node_get_object(ret)), ==, 0);
    chr = chardev_find(f->fm.tm.chardevs, "ga");
    g_assert_nonnull(chr);
    want = g_strdup_printf("disconnected:unix:%s,server=on", path);
    g_assert_cmpstr(chr->filename, ==, want);
    g_assert_true(g_file_test(path, G_FILE_TEST_EXISTS));

    /* A file whose name has a comma: escaped on the way to the options. */
    g_free(req);
    req = g_strdup_printf("{\"execute\": \"chardev-add\", \"arguments\": "
        "{\"id\": \"f\", \"backend\": {\"type\": \"file\", \"data\": "
        "{\"out\": \"%s\"}}}}", fpath);
    q_ok(&f->q, req, &b);
    g_assert_true(g_file_test(fpath, G_FILE_TEST_EXISTS));

    ret = q_ok(&f->q, "{\"execute\": \"chardev-add\", \"arguments\": "
               "{\"id\": \"pt\", \"backend\": {\"type\": \"pty\", \"data\": {}}}}",
               &c);
    g_assert_true(g_str_has_prefix(json_object_get_string_member(
        json_node_get_object(ret), "pty"), "/dev/pts/"));
    q_ok(&f->q, "{\"execute\": \"chardev-add\", \"arguments\": "
         "{\"id\": \"mem\", \"backend\": {\"type\": \"memory\", \"data\": "
         "{\"size\": 1024}}}}", &d);
    g_assert_nonnull(object_dynamic_cast(
        OBJECT(chardev_find(f->fm.tm.chardevs, "mem")), TYPE_CHARDEV_RINGBUF));

    q_err(&f->q, "{\"execute\": \"chardev-add\", \"arguments\": "
          "{\"id\": \"ga\", \"backend\": {\"type\": \"null\"}}}",
          "GenericError", "Chardev 'ga' already exists");
    q_err(&f->q, "{\"execute\": \"chardev-add\", \"arguments\": "
          "{\"id\": \"z\", \"backend\": {\"type\": \"warp\"}}}",
          "GenericError", "'warp' is not a valid char driver name");
    q_err(&f->q, "{\"execute\": \"chardev-add\", \"arguments\": "
          "{\"id\": \"z\", \"backend\": {\"type\": \"file\", \"data\": "
          "{\"out\": \"/x\", \"colour\": \"red\"}}}}", "GenericError",
          "Parameter 'backend.data.colour' is unexpected");
    q_err(&f->q, "{\"execute\": \"chardev-add\", \"arguments\": "
          "{\"id\": \"z\", \"backend\": {\"type\": \"socket\", \"data\": "
          "{\"addr\": {\"type\": \"vsock\", \"data\": {}}}}}}", "GenericError",
          "Parameter 'addr.type' does not accept value 'vsock'");
    q_err(&f->q, "{\"execute\": \"chardev-add\", \"arguments\": "
          "{\"id\": \"z\", \"backend\": {\"data\": {}}}}", "GenericError",
          "Parameter 'backend.type' is missing");
    g_assert_null(chardev_find(f->fm.tm.chardevs, "z"));

    /* Remove: a busy one is refused, a free one goes. */
    q_err(&f->q, "{\"execute\": \"chardev-remove\", \"arguments\": "
          "{\"id\": \"c1\"}}", "GenericError", "Chardev 'c1' is busy");
    q_ok(&f->q, "{\"execute\": \"chardev-remove\", \"arguments\": "
         "{\"id\": \"ga\"}}", &e);
    g_assert_null(chardev_find(f->fm.tm.chardevs, "ga"));
    q_err(&f->q, "{\"execute\": \"chardev-remove\", \"arguments\": "
          "{\"id\": \"ga\"}}", "GenericError", "Chardev 'ga' not found");
    g_unlink(fpath);
    g_unlink(path);
    g_rmdir(dir);
}

static void test_chardev_change(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) a = NULL;

    q_ok(&f->q, "{\"execute\": \"chardev-change\", \"arguments\": "
         "{\"id\": \"c1\", \"backend\": {\"type\": \"ringbuf\"}}}", &a);
    g_assert_nonnull(object_dynamic_cast(
        OBJECT(chardev_find(f->fm.tm.chardevs, "c1")), TYPE_CHARDEV_RINGBUF));
    q_err(&f->q, "{\"execute\": \"chardev-change\", \"arguments\": "
          "{\"id\": \"nosuch\", \"backend\": {\"type\": \"null\"}}}",
          "GenericError", NULL);
}

static void test_ringbuf(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
    JsonNode *ret;

    q_ok(&f->q, "{\"execute\": \"ringbuf-write\", \"arguments\": "
         "{\"device\": \"rb\", \"data\": \"h\\u00e9llo\\n\"}}", &a);
    ret = q_ok(&f->q, "{\"execute\": \"ringbuf-read\", \"arguments\": "
               "{\"device\": \"rb\", \"size\": 100}}", &b);
    g_assert_cmpstr(json_node_get_string(ret), ==, "h\xc3\xa9llo\n");
    /* base64 both ways: "AAEC" is bytes 0 1 2. */
    q_ok(&f->q, "{\"execute\": \"ringbuf-write\", \"arguments\": "
         "{\"device\": \"rb\", \"data\": \"AAEC\", \"format\": \"base64\"}}", &c);
    ret = q_ok(&f->q, "{\"execute\": \"ringbuf-read\", \"arguments\": "
               "{\"device\": \"rb\", \"size\": 2, \"format\": \"base64\"}}", &d);
    g_assert_cmpstr(json_node_get_string(ret), ==, "AAE=");
    ret = q_ok(&f->q, "{\"execute\": \"ringbuf-read\", \"arguments\": "
               "{\"device\": \"rb\", \"size\": 10}}", &e);
    g_assert_cmpstr(json_node_get_string(ret), ==, "\x02");

    q_err(&f->q, "{\"execute\": \"ringbuf-read\", \"arguments\": "
          "{\"device\": \"nosuch\", \"size\": 1}}", "DeviceNotFound",
          "Device 'nosuch' not found");
    q_err(&f->q, "{\"execute\": \"ringbuf-read\", \"arguments\": "
          "{\"device\": \"c1\", \"size\": 1}}", "GenericError",
          "c1 is not a ringbuf device");
    q_err(&f->q, "{\"execute\": \"ringbuf-read\", \"arguments\": "
          "{\"device\": \"rb\", \"size\": -1}}", "GenericError", NULL);
    q_err(&f->q, "{\"execute\": \"ringbuf-write\", \"arguments\": "
          "{\"device\": \"rb\", \"data\": \"x\", \"format\": \"rot13\"}}",
          "GenericError", "Parameter 'format' does not accept value 'rot13'");
}

static void test_device_add_del(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL, d = NULL, e = NULL;
    JsonArray *list;
    JsonObject *o;
    JsonNode *ret, *ev;

    q_ok(&f->q, "{\"execute\": \"device_add\", \"arguments\": "
         "{\"driver\": \"virtserialport\", \"id\": \"hp\", \"chardev\": \"c2\", "
         "\"name\": \"org.hp,1\", \"nr\": 4}}", &a);
    g_assert_cmpuint(VIRTIO_SERIAL_PORT(qdev_find_by_id(f->fm.tm.root,
                                                        "hp"))->nr, ==, 4);
    g_assert_cmpstr(VIRTIO_SERIAL_PORT(qdev_find_by_id(f->fm.tm.root,
                                                       "hp"))->name, ==,
                    "org.hp,1");

    list = json_node_get_array(q_ok(&f->q, "{\"execute\": \"qom-list\", "
        "\"arguments\": {\"path\": \"/peripheral\"}}", &b));
    o = find_by(list, "name", "hp");
    g_assert_nonnull(o);
    g_assert_cmpstr(json_object_get_string_member(o, "type"), ==,
                    "child<virtserialport>");
    ret = q_ok(&f->q, "{\"execute\": \"qom-get\", \"arguments\": "
               "{\"path\": \"/peripheral/hp\", \"property\": \"nr\"}}", &c);
    g_assert_cmpint(json_node_get_int(ret), ==, 4);
    ret = q_ok(&f->q, "{\"execute\": \"qom-get\", \"arguments\": "
               "{\"path\": \"/peripheral/vser0\", \"property\": "
               "\"emergency-write\"}}", &d);
    g_assert_true(json_node_get_boolean(ret));
    q_err(&f->q, "{\"execute\": \"qom-get\", \"arguments\": "
          "{\"path\": \"/peripheral/nosuch\", \"property\": \"nr\"}}",
          "DeviceNotFound", "Device '/peripheral/nosuch' not found");
    q_err(&f->q, "{\"execute\": \"qom-get\", \"arguments\": "
          "{\"path\": \"/peripheral/hp\", \"property\": \"colour\"}}",
          "GenericError", NULL);

    q_ok(&f->q, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"hp\"}}",
         &e);
    ev = q_event(&f->q, "DEVICE_DELETED");
    o = json_object_get_object_member(json_node_get_object(ev), "data");
    g_assert_cmpstr(json_object_get_string_member(o, "device"), ==, "hp");
    g_assert_cmpstr(json_object_get_string_member(o, "path"), ==,
                    "/peripheral/hp");
    json_node_unref(ev);
    g_assert_null(qdev_find_by_id(f->fm.tm.root, "hp"));
    q_err(&f->q, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"hp\"}}",
          "DeviceNotFound", "Device 'hp' not found");

    q_err(&f->q, "{\"execute\": \"device_add\", \"arguments\": "
          "{\"driver\": \"nosuch\"}}", "GenericError",
          "'nosuch' is not a valid device model name");
    q_err(&f->q, "{\"execute\": \"device_add\", \"arguments\": "
          "{\"driver\": \"virtserialport,chardev=c1\"}}", "GenericError",
          "'virtserialport,chardev=c1' is not a valid device model name");
    q_err(&f->q, "{\"execute\": \"device_add\", \"arguments\": "
          "{\"driver\": \"virtserialport\", \"nr\": [1]}}", "GenericError",
          "Invalid parameter type for 'nr', expected: string");
    q_err(&f->q, "{\"execute\": \"device_add\", \"arguments\": "
          "{\"id\": \"x\"}}", "GenericError", "Parameter 'driver' is missing");
    q_err(&f->q, "{\"execute\": \"device_add\", \"arguments\": "
          "{\"driver\": \"virtserialport\", \"chardev\": \"c1\"}}",
          "GenericError", "Property 'virtserialport.chardev' can't take value "
          "'c1', it's in use");
}

static void test_query_pci(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) a = NULL;
    JsonArray *buses = json_node_get_array(
        q_ok(&f->q, "{\"execute\": \"query-pci\"}", &a));
    JsonArray *devs;
    JsonObject *vser = NULL, *host = NULL;

    g_assert_cmpuint(json_array_get_length(buses), ==, 1);
    devs = json_object_get_array_member(json_array_get_object_element(buses, 0),
                                        "devices");
    for (guint i = 0; i < json_array_get_length(devs); i++) {
        JsonObject *d = json_array_get_object_element(devs, i);
        JsonObject *id = json_object_get_object_member(d, "id");

        if (json_object_get_int_member(id, "vendor") == 0x1af4) {
            vser = d;
        } else if (json_object_get_int_member(id, "vendor") == 0x1b36) {
            host = d;
        }
    }
    g_assert_nonnull(vser);
    g_assert_nonnull(host);
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(vser, "id"), "device"), ==, 0x1003);
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(vser, "id"), "subsystem"), ==, 3);
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(vser, "class_info"), "class"), ==, 0x0780);
    g_assert_false(json_object_has_member(
        json_object_get_object_member(vser, "class_info"), "desc"));
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(host, "class_info"), "desc"), ==,
        "Host bridge");
    g_assert_cmpint(json_object_get_int_member(vser, "slot"), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(vser, "qdev_id"), ==, "vser0");
    g_assert_cmpint(json_object_get_int_member(vser, "irq_pin"), ==, 1);
    g_assert_cmpstr(json_object_get_string_member(json_array_get_object_element(
        json_object_get_array_member(vser, "regions"), 0), "type"), ==, "io");
}

static void test_misc_queries(Fixture *f, gconstpointer data)
{
    g_autoptr(JsonNode) a = NULL, b = NULL, c = NULL;
    JsonArray *cmds = json_node_get_array(
        q_ok(&f->q, "{\"execute\": \"query-commands\"}", &a));
    JsonNode *ret;

    for (const QmpCommand *cmd = qmp_commands; cmd->name; cmd++) {
        g_assert_nonnull(find_by(cmds, "name", cmd->name));
    }
    g_assert_nonnull(find_by(cmds, "name", "qmp_capabilities"));
    g_assert_cmpstr(json_object_get_string_member(json_node_get_object(
        q_ok(&f->q, "{\"execute\": \"query-version\"}", &b)), "package"), ==,
        "minivirt");
    ret = q_ok(&f->q, "{\"execute\": \"human-monitor-command\", \"arguments\": "
               "{\"command-line\": \"info chardev\"}}", &c);
    g_assert_nonnull(strstr(json_node_get_string(ret), "c1: filename=null\n"));
}

static void test_pretty(void)
{
    FakeMachine fm;
    Chardev *chr;
    Monitor *mon;
    uint8_t buf[4096];
    int n;

    fm_init(&fm);
    chr = tm_chardev(&fm.tm, "ringbuf,id=pq");
    mon = monitor_new(fm.ctx, chr, MONITOR_MODE_CONTROL, true, NULL);
    n = chardev_ringbuf_read(chr, buf, sizeof(buf) - 1, NULL);
    buf[n] = 0;
    /* Indented over several lines, still one JSON text. */
    g_assert_true(g_str_has_prefix((char *)buf, "{\n  \"QMP\""));
    g_assert_true(g_str_has_suffix((char *)buf, "}\r\n"));
    monitor_free(mon);
    fm_destroy(&fm);
}

/* ---- events -------------------------------------------------------------------- */

static void test_events(Fixture *f, gconstpointer data)
{
    QClient other;
    JsonNode *n;
    JsonObject *d;

    /* Every negotiated QMP monitor gets every event; HMP ones get none. */
    q_open(&other, &f->fm, "qmp2");
    q_negotiate(&other);
    monitor_event_vserport_change(f->fm.ctx, "p1", true);
    monitor_event_vserport_change(f->fm.ctx, "p1", false);
    monitor_event_shutdown(f->fm.ctx, true, "guest-shutdown");
    monitor_event_emit(f->fm.ctx, "BLOCK_IO_ERROR", "{\"device\": \"x\"}");
    for (QClient *q = &f->q; q; q = q == &f->q ? &other : NULL) {
        n = q_event(q, "VSERPORT_CHANGE");
        d = json_object_get_object_member(json_node_get_object(n), "data");
        g_assert_cmpstr(json_object_get_string_member(d, "id"), ==, "p1");
        g_assert_true(json_object_get_boolean_member(d, "open"));
        json_node_unref(n);
        n = q_event(q, "VSERPORT_CHANGE");
        d = json_object_get_object_member(json_node_get_object(n), "data");
        g_assert_false(json_object_get_boolean_member(d, "open"));
        json_node_unref(n);
        n = q_event(q, "SHUTDOWN");
        d = json_object_get_object_member(json_node_get_object(n), "data");
        g_assert_true(json_object_get_boolean_member(d, "guest"));
        g_assert_cmpstr(json_object_get_string_member(d, "reason"), ==,
                        "guest-shutdown");
        json_node_unref(n);
        json_node_unref(q_event(q, "BLOCK_IO_ERROR"));
        g_assert_cmpuint(q->events->len, ==, 0);
    }
    q_close(&other);
}

/* A QMP server socket with a negotiated client that will never read. */
typedef struct Stalled {
    FakeMachine fm;
    char *dir, *path;
    Chardev *chr;
    Monitor *mon;
    int fd;
} Stalled;

static void stalled_open(Stalled *st)
{
    const char *caps = "{\"execute\": \"qmp_capabilities\"}";
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_autofree char *opts = NULL;
    int i;

    fm_init(&st->fm);
    st->dir = g_dir_make_tmp("qmp-XXXXXX", NULL);
    st->path = g_build_filename(st->dir, "q.sock", NULL);
    opts = g_strdup_printf("socket,id=qs,path=%s,server=on,wait=off",
                           st->path);
    st->chr = tm_chardev(&st->fm.tm, opts);
    st->mon = monitor_new(st->fm.ctx, st->chr, MONITOR_MODE_CONTROL, false,
                          NULL);
    g_assert_nonnull(st->mon);
    st->fd = socket(AF_UNIX, SOCK_STREAM, 0);
    g_strlcpy(sa.sun_path, st->path, sizeof(sa.sun_path));
    g_assert_cmpint(connect(st->fd, (struct sockaddr *)&sa, sizeof(sa)), ==, 0);
    for (i = 0; i < 1000 && !st->chr->be_open; i++) {
        g_main_context_iteration(NULL, TRUE);
    }
    g_assert_true(st->chr->be_open);
    g_assert_cmpint(write(st->fd, caps, strlen(caps)), ==,
                    (ssize_t)strlen(caps));
    for (i = 0; i < 1000 && !st->mon->qmp.negotiated; i++) {
        g_main_context_iteration(NULL, FALSE);
    }
    g_assert_true(st->mon->qmp.negotiated);
}

static void stalled_close(Stalled *st)
{
    close(st->fd);
    fm_destroy(&st->fm);
    g_unlink(st->path);
    g_rmdir(st->dir);
    g_free(st->path);
    g_free(st->dir);
}

static void stalled_emit(Stalled *st, int count)
{
    for (int i = 0; i < count && st->chr->be_open; i++) {
        monitor_event_emit(st->fm.ctx, "TEST_EVENT",
                           "{\"padding\": \"0123456789abcdef0123456789abcdef"
                           "0123456789abcdef\"}");
    }
}

/*
 * A client that stops reading is disconnected once MONITOR_OUTBUF_MAX is
 * queued for it, instead of minivirt growing without bound.
 */
static void test_stalled_client(void)
{
    Stalled st;
    char buf[65536];
    gsize total = 0;
    ssize_t n;

    stalled_open(&st);
    /* Far more than the limit, never read. */
    stalled_emit(&st, 400000);
    g_assert_false(st.chr->be_open);
    g_assert_cmpuint(chr_fe_outbuf_len(&st.mon->out), ==, 0);
    /* What the kernel had buffered, then EOF. */
    while ((n = read(st.fd, buf, sizeof(buf))) > 0) {
        total += n;
    }
    g_assert_cmpint(n, ==, 0);
    g_assert_cmpuint(total, <, MONITOR_OUTBUF_MAX);
    stalled_close(&st);
}

/* quit from another monitor is not held up by the stalled client. */
static void test_stalled_client_quit(void)
{
    Stalled st;
    MonClient hmp;
    gint64 start;

    stalled_open(&st);
    stalled_emit(&st, 20000);       /* ~2 MB: more than the kernel takes */
    g_assert_true(st.chr->be_open);
    g_assert_cmpuint(chr_fe_outbuf_len(&st.mon->out), >, 0);
    mc_open(&hmp, &st.fm, "hmp", MONITOR_MODE_READLINE);
    start = g_get_monotonic_time();
    mc_send(&hmp, "quit\r");
    g_assert_cmpint(st.fm.quits, ==, 1);
    g_assert_cmpint(g_get_monotonic_time() - start, <,
                    MONITOR_QUIT_FLUSH_US + G_USEC_PER_SEC / 2);
    mc_close(&hmp);
    stalled_close(&st);
}

/* ---- hotplug seen by the guest ------------------------------------------------------ */

/* The control messages the device sent, up to @max; buffers reposted. */
static unsigned guest_ctrl_recv(Drv *d, DrvCtrlMsg *msgs, unsigned max)
{
    unsigned n = 0;

    while (n < max && drv_ctrl_recv(d, &msgs[n])) {
        n++;
    }
    return n;
}

/*
 * Hot-add 30 ports through QMP, one by one, on a running guest driver:
 * each arrives as PORT_ADD with its number; remove them all: PORT_REMOVE
 * and DEVICE_DELETED each.  Three cycles, and nothing left behind.
 */
static void test_hotplug_cycles(Fixture *f, gconstpointer data)
{
    Drv *d = f->drv = g_new0(Drv, 1);
    Object *periph = object_get_child(f->fm.tm.root, "peripheral");
    unsigned base_children = object_child_count(periph);
    unsigned base_chardevs = object_child_count(f->fm.tm.chardevs);
    DrvCtrlMsg m[4];
    unsigned n;

    drv_probe(d, &f->fm.tm, f->fm.vser);
    drv_init(d, F_VERSION_1 | F_MULTIPORT, Q_CTX + 1);
    for (int i = 0; i < 8; i++) {
        drv_post_in(d, Q_CRX, DRV_BUF_SIZE);
    }
    drv_ctrl_send(d, 0, VIRTIO_CONSOLE_DEVICE_READY, 1);
    g_assert_cmpuint(guest_ctrl_recv(d, m, 4), ==, 1);     /* p1 */
    g_assert_cmpuint(m[0].event, ==, VIRTIO_CONSOLE_PORT_ADD);
    g_assert_cmpuint(m[0].id, ==, 1);

    for (int cycle = 0; cycle < 3; cycle++) {
        for (int i = 0; i < 30; i++) {
            g_autofree char *req = g_strdup_printf(
                "{\"execute\": \"chardev-add\", \"arguments\": {\"id\": "
                "\"hc%d\", \"backend\": {\"type\": \"ringbuf\"}}}", i);
            g_autofree char *add = g_strdup_printf(
                "{\"execute\": \"device_add\", \"arguments\": {\"driver\": "
                "\"virtserialport\", \"id\": \"hp%d\", \"chardev\": \"hc%d\", "
                "\"name\": \"org.minivirt.hp%d\"}}", i, i, i);
            g_autoptr(JsonNode) r1 = NULL, r2 = NULL;
            g_autofree char *name = g_strdup_printf("org.minivirt.hp%d", i);
            /* nr 1 is p1's: the new ones take 2, 3, ... in order. */
            uint32_t nr = i + 2;

            q_ok(&f->q, req, &r1);
            q_ok(&f->q, add, &r2);
            /*
             * PORT_ADD, and PORT_OPEN since the ringbuf is connected (in
             * either order: Linux ignores an open for a port it does not
             * know yet, and the device repeats it after PORT_READY).
             */
            n = guest_ctrl_recv(d, m, 4);
            g_assert_cmpuint(n, ==, 2);
            g_assert_cmpuint(m[0].id, ==, nr);
            g_assert_cmpuint(m[1].id, ==, nr);
            g_assert_cmpuint(m[0].event + m[1].event, ==,
                             VIRTIO_CONSOLE_PORT_ADD + VIRTIO_CONSOLE_PORT_OPEN);
            /* The guest sets the port up and learns its name. */
            drv_ctrl_send(d, nr, VIRTIO_CONSOLE_PORT_READY, 1);
            n = guest_ctrl_recv(d, m, 4);
            g_assert_cmpuint(n, ==, 2);
            g_assert_cmpuint(m[0].event, ==, VIRTIO_CONSOLE_PORT_NAME);
            g_assert_cmpstr(m[0].name, ==, name);
            g_assert_cmpuint(m[1].event, ==, VIRTIO_CONSOLE_PORT_OPEN);
            g_assert_cmpuint(m[1].value, ==, 1);
        }
        for (int i = 0; i < 30; i++) {
            g_autofree char *del = g_strdup_printf(
                "{\"execute\": \"device_del\", \"arguments\": {\"id\": "
                "\"hp%d\"}}", i);
            g_autofree char *rm = g_strdup_printf(
                "{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": "
                "\"hc%d\"}}", i);
            g_autoptr(JsonNode) r1 = NULL, r2 = NULL, ev = NULL;

            q_ok(&f->q, del, &r1);
            ev = q_event(&f->q, "DEVICE_DELETED");
            g_assert_cmpuint(guest_ctrl_recv(d, m, 4), ==, 1);
            g_assert_cmpuint(m[0].event, ==, VIRTIO_CONSOLE_PORT_REMOVE);
            g_assert_cmpuint(m[0].id, ==, (uint32_t)i + 2);
            q_ok(&f->q, rm, &r2);
        }
        g_assert_cmpuint(object_child_count(periph), ==, base_children);
        g_assert_cmpuint(object_child_count(f->fm.tm.chardevs), ==,
                         base_chardevs);
        g_assert_cmpuint(f->q.events->len, ==, 0);
    }
}

#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, fx_setup, fn, fx_teardown)
/* Tests that start after the handshake. */
#define ADDN(path, fn) \
    g_test_add(path, Fixture, "negotiated", fx_setup, fn, fx_teardown)

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    ADD("/qmp/session/greeting", test_greeting);
    ADD("/qmp/session/negotiation", test_negotiation);
    ADDN("/qmp/session/reconnect", test_reconnect);
    ADDN("/qmp/session/ids", test_ids);
    g_test_add_func("/qmp/session/pretty", test_pretty);
    ADDN("/qmp/errors/malformed-json", test_malformed);
    ADDN("/qmp/errors/not-an-object", test_not_object);
    ADDN("/qmp/errors/bad-request", test_bad_requests);
    ADDN("/qmp/errors/bad-arguments", test_bad_arguments);
    ADDN("/qmp/errors/oversized", test_oversized);
    ADDN("/qmp/stream/split", test_split);
    ADDN("/qmp/stream/concatenated", test_concatenated);
    ADDN("/qmp/stream/single-quotes", test_single_quotes);
    ADDN("/qmp/cmd/run-state", test_run_state);
    ADDN("/qmp/cmd/quit", test_quit);
    ADDN("/qmp/cmd/chardev-queries", test_chardev_queries);
    ADDN("/qmp/cmd/chardev-add-remove", test_chardev_add);
    ADDN("/qmp/cmd/chardev-change", test_chardev_change);
    ADDN("/qmp/cmd/ringbuf", test_ringbuf);
    ADDN("/qmp/cmd/device-add-del", test_device_add_del);
    ADDN("/qmp/cmd/query-pci", test_query_pci);
    ADDN("/qmp/cmd/misc-queries", test_misc_queries);
    ADDN("/qmp/events/broadcast", test_events);
    g_test_add_func("/qmp/session/stalled-client", test_stalled_client);
    g_test_add_func("/qmp/session/stalled-client-quit",
                    test_stalled_client_quit);
    ADDN("/qmp/hotplug/30-ports-3-cycles", test_hotplug_cycles);
    return g_test_run();
}
