/*
 * test-opts: option strings as users type them after -chardev and -device.
 */
#include <string.h>

#include "qom/error.h"
#include "qom/opts.h"

static void test_implied_key_and_escape(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Opts) o = opts_parse("socket,id=ga,path=/tmp/a,,b,server=on",
                                   "backend", NULL, &err);
    g_assert_no_error(err);
    g_assert_cmpuint(opts_count(o), ==, 4);
    g_assert_cmpstr(opts_get(o, "backend"), ==, "socket");
    g_assert_cmpstr(opts_get(o, "id"), ==, "ga");
    g_assert_cmpstr(opts_get(o, "path"), ==, "/tmp/a,b");
    g_assert_cmpstr(opts_key(o, 3), ==, "server");

    g_autofree char *back = opts_to_string(o);
    g_assert_cmpstr(back, ==, "backend=socket,id=ga,path=/tmp/a,,b,server=on");
}

static void test_bare_flags(void)
{
    static const char *const flags[] = { "server", "wait", "telnet", NULL };
    g_autoptr(GError) err = NULL;
    g_autoptr(Opts) o = opts_parse("tcp,port=4444,server,nowait", "backend",
                                   flags, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(opts_get(o, "server"), ==, "on");
    g_assert_cmpstr(opts_get(o, "wait"), ==, "off");

    g_assert_null(opts_parse("tcp,bogus", "backend", flags, &err));
    g_assert_cmpstr(err->message, ==, "Invalid parameter 'bogus': expected key=value");
}

static void test_last_wins_and_empty_key(void)
{
    g_autoptr(GError) err = NULL;
    g_autoptr(Opts) o = opts_parse("a=1,a=2", NULL, NULL, &err);
    g_assert_cmpuint(opts_count(o), ==, 1);
    g_assert_cmpstr(opts_get(o, "a"), ==, "2");

    g_assert_null(opts_parse("x,=5", "backend", NULL, &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==, "Invalid option '=5': empty parameter name");
}

static void test_check_keys(void)
{
    static const char *const valid[] = { "backend", "id", "path", NULL };
    g_autoptr(GError) err = NULL;
    g_autoptr(Opts) o = opts_parse("file,id=f,pth=/x", "backend", NULL, NULL);
    g_assert_false(opts_check_keys(o, valid, "chardev 'file'", &err));
    g_assert_cmpstr(err->message, ==,
                    "Invalid parameter 'pth' for chardev 'file' (valid: backend, id, path)");
}

static void test_bool(void)
{
    const char *yes[] = { "on", "yes", "true", "y" };
    const char *no[] = { "off", "no", "false", "n" };
    g_autoptr(GError) err = NULL;
    bool b;

    for (unsigned i = 0; i < G_N_ELEMENTS(yes); i++) {
        g_assert_true(parse_bool("x", yes[i], &b, NULL) && b);
        g_assert_true(parse_bool("x", no[i], &b, NULL) && !b);
    }
    g_assert_false(parse_bool("server", "ON ", &b, &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'server' expects 'on' or 'off', got 'ON '");
}

static void test_numbers(void)
{
    g_autoptr(GError) err = NULL;
    uint64_t u;
    int64_t i;

    g_assert_true(parse_uint("n", "0x1f", UINT32_MAX, &u, NULL));
    g_assert_cmpuint(u, ==, 31);
    g_assert_true(parse_uint("n", "010", UINT32_MAX, &u, NULL));
    g_assert_cmpuint(u, ==, 8);
    g_assert_false(parse_uint("nr", "+1", 31, &u, NULL));
    g_assert_false(parse_uint("nr", " 1", 31, &u, NULL));
    g_assert_false(parse_uint("nr", "", 31, &u, NULL));
    g_assert_false(parse_uint("nr", "32", 31, &u, &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'nr' expects a number from 0 to 31, got '32'");
    g_clear_error(&err);
    g_assert_false(parse_uint("nr", "99999999999999999999", UINT64_MAX, &u, &err));
    g_clear_error(&err);

    g_assert_true(parse_int("o", "-5", -10, 10, &i, NULL));
    g_assert_cmpint(i, ==, -5);
    g_assert_false(parse_int("o", "-11", -10, 10, &i, &err));
    g_assert_cmpstr(err->message, ==, "Parameter 'o' expects a number from -10 to 10, got '-11'");
}

static void test_sizes(void)
{
    static const struct { const char *in; uint64_t out; } ok[] = {
        { "0", 0 }, { "4096", 4096 }, { "256M", 256ull << 20 },
        { "1G", 1ull << 30 }, { "2k", 2048 }, { "1.5G", 3ull << 29 },
        { "1T", 1ull << 40 }, { "16E", 0 },   /* 16E overflows: see below */
    };
    g_autoptr(GError) err = NULL;
    uint64_t v;

    for (unsigned i = 0; i + 1 < G_N_ELEMENTS(ok); i++) {
        g_assert_true(parse_size("size", ok[i].in, &v, NULL));
        g_assert_cmpuint(v, ==, ok[i].out);
    }
    g_assert_false(parse_size("size", "16E", &v, NULL));
    g_assert_false(parse_size("size", "1.5", &v, NULL));
    g_assert_false(parse_size("size", "M", &v, NULL));
    g_assert_false(parse_size("size", "-1M", &v, NULL));
    g_assert_false(parse_size("size", "10MB", &v, &err));
    g_assert_cmpstr(err->message, ==,
                    "Parameter 'size' expects a size (a number with an optional "
                    "suffix K, M, G, T, P or E), got '10MB'");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/opts/parse/implied-key-and-escape", test_implied_key_and_escape);
    g_test_add_func("/opts/parse/bare-flags", test_bare_flags);
    g_test_add_func("/opts/parse/last-wins-empty-key", test_last_wins_and_empty_key);
    g_test_add_func("/opts/check-keys", test_check_keys);
    g_test_add_func("/opts/value/bool", test_bool);
    g_test_add_func("/opts/value/numbers", test_numbers);
    g_test_add_func("/opts/value/sizes", test_sizes);
    return g_test_run();
}
