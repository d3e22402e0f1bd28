/*
 * tests/unit/test-vl.c: the command line.  Parsing through vl_parse() with
 * the exact messages, and the built binary (MINIVIRT in the environment)
 * for exit statuses and the "minivirt: " prefix.
 */
#include <string.h>

#include "machine/vl.h"
#include "qom/error.h"

/* Parse a NULL-terminated argument list (argv[0] is supplied). */
static bool parse(VlOptions *o, VlAction *action, GString *out, GError **errp,
                  ...)
{
    GPtrArray *argv = g_ptr_array_new();
    va_list ap;
    const char *a;

    g_ptr_array_add(argv, (char *)"minivirt");
    va_start(ap, errp);
    while ((a = va_arg(ap, const char *))) {
        g_ptr_array_add(argv, (char *)a);
    }
    va_end(ap);
    bool ok = vl_parse(argv->len, (char **)argv->pdata, o, action, out, errp);
    g_ptr_array_free(argv, TRUE);
    return ok;
}

/* Expect the arguments to fail with exactly @msg. */
#define EXPECT_ERROR(msg, ...) do {                                        \
        VlOptions o_; VlAction a_; GError *e_ = NULL;                      \
        g_autoptr(GString) out_ = g_string_new(NULL);                      \
        g_assert_false(parse(&o_, &a_, out_, &e_, __VA_ARGS__, NULL));     \
        g_assert_nonnull(e_);                                              \
        g_assert_cmpstr(e_->message, ==, (msg));                           \
        g_error_free(e_);                                                  \
        vl_options_clear(&o_);                                             \
    } while (0)

static void test_errors(void)
{
    EXPECT_ERROR("-m 12Q: Parameter 'size' expects a size (a number with an "
                 "optional suffix K, M, G, T, P or E), got '12Q'", "-m", "12Q");
    EXPECT_ERROR("-foo: invalid option", "-foo");
    EXPECT_ERROR("Image: invalid option", "Image");
    EXPECT_ERROR("-m: requires an argument", "-m");
    EXPECT_ERROR("-smp 9: Invalid SMP CPUs 9. The max CPUs supported by "
                 "machine 'virt' is 8", "-smp", "9");
    EXPECT_ERROR("-smp 0: Invalid SMP CPUs 0. The min CPUs supported by "
                 "machine 'virt' is 1", "-smp", "0");
    EXPECT_ERROR("-m 1M: RAM size 1048576 is out of range (16M to 64G)",
                 "-m", "1M");
    EXPECT_ERROR("-machine pc: unsupported machine type 'pc' (use -machine "
                 "help to list supported machines)", "-machine", "pc");
    EXPECT_ERROR("-display gtk: only 'none' is supported (minivirt has no "
                 "display)", "-display", "gtk");
    EXPECT_ERROR("-initrd cannot be used without -kernel", "-initrd", "x");
    EXPECT_ERROR("-action panic=explode: Parameter 'panic' expects "
                 "'shutdown', 'exit-failure', 'pause' or 'none', got 'explode'",
                 "-action", "panic=explode");
    EXPECT_ERROR("-device nosuchdev,help: 'nosuchdev' is not a valid device "
                 "model name", "-device", "nosuchdev,help");
}

static void test_error_names_key(void)
{
    VlOptions o;
    VlAction a;
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) err = NULL;

    g_assert_false(parse(&o, &a, out, &err, "-M", "virt,bogus=1", NULL));
    g_assert_true(g_str_has_prefix(err->message, "-M virt,bogus=1: "));
    g_assert_nonnull(strstr(err->message, "'bogus'"));
    vl_options_clear(&o);
    g_clear_error(&err);
    g_assert_false(parse(&o, &a, out, &err, "-smp", "cpus=x", NULL));
    g_assert_true(g_str_has_prefix(err->message, "-smp cpus=x: "));
    g_assert_nonnull(strstr(err->message, "'cpus'"));
    vl_options_clear(&o);
}

static void test_values(void)
{
    VlOptions o;
    VlAction a;
    g_autoptr(GString) out = g_string_new(NULL);

    g_assert_true(parse(&o, &a, out, NULL, NULL));
    g_assert_cmpuint(o.cfg.ram_size, ==, 128ull << 20);     /* QEMU's default */
    g_assert_cmpuint(o.cfg.smp, ==, 1);
    g_assert_null(o.cfg.bios);
    vl_options_clear(&o);

    g_assert_true(parse(&o, &a, out, NULL, "-M", "virt", "-m", "256M",
                        "-smp", "cpus=2", "-kernel", "K", "-initrd", "I",
                        "-append", "console=ttyS0 quiet", "-bios", "fw.bin",
                        "--no-reboot", "-nographic", "-S", "-name", "g1",
                        "-serial", "tcp::4444,server,nowait",
                        "-chardev", "null,id=n0", "-D", "log", "-d",
                        "guest_errors", "-display", "none", NULL));
    g_assert_cmpint(a, ==, VL_RUN);
    g_assert_cmpuint(o.cfg.ram_size, ==, 256ull << 20);
    g_assert_cmpuint(o.cfg.smp, ==, 2);
    g_assert_cmpstr(o.cfg.kernel, ==, "K");
    g_assert_cmpstr(o.cfg.initrd, ==, "I");
    g_assert_cmpstr(o.cfg.append, ==, "console=ttyS0 quiet");
    g_assert_cmpstr(o.cfg.bios, ==, "fw.bin");
    g_assert_true(o.cfg.no_reboot);
    g_assert_true(o.cfg.start_paused);
    g_assert_true(o.nographic);
    g_assert_true(o.display_none);
    g_assert_cmpstr(o.name, ==, "g1");
    g_assert_cmpstr(o.logfile, ==, "log");
    g_assert_true(o.cfg.log_guest_errors);
    g_assert_cmpuint(o.serials->len, ==, 1);
    g_assert_cmpstr(g_ptr_array_index(o.serials, 0), ==,
                    "tcp::4444,server,nowait");
    g_assert_cmpstr(g_ptr_array_index(o.chardevs, 0), ==, "null,id=n0");
    vl_options_clear(&o);

    /* A bare -m number is MiB; -smp from the topology; -bios none. */
    g_assert_true(parse(&o, &a, out, NULL, "-m", "512", "-smp",
                        "sockets=2,cores=2", "-bios", "x", "-bios", "none",
                        NULL));
    g_assert_cmpuint(o.cfg.ram_size, ==, 512ull << 20);
    g_assert_cmpuint(o.cfg.smp, ==, 4);
    g_assert_null(o.cfg.bios);
    vl_options_clear(&o);

    /* Monitor options are kept in order for monitor_add_from_option(). */
    g_assert_true(parse(&o, &a, out, NULL, "-qmp", "unix:/q,server=on",
                        "-monitor", "none", "-mon", "chardev=c,mode=control",
                        "-qmp-pretty", "tcp::1", NULL));
    g_assert_cmpuint(o.monitor_opts->len, ==, 4);
    static const char *const want[][2] = {
        { "qmp", "unix:/q,server=on" }, { "monitor", "none" },
        { "mon", "chardev=c,mode=control" }, { "qmp-pretty", "tcp::1" },
    };
    for (unsigned i = 0; i < 4; i++) {
        g_assert_cmpstr(g_ptr_array_index(o.monitor_opts, i), ==, want[i][0]);
        g_assert_cmpstr(g_ptr_array_index(o.monitor_args, i), ==, want[i][1]);
    }
    vl_options_clear(&o);

    /* A guest panic fails the run by default (issue 3); QEMU's exit 0 is
     * one option away. */
    g_assert_true(parse(&o, &a, out, NULL, NULL));
    g_assert_cmpint(o.cfg.panic_action, ==, VIRT_PANIC_EXIT_FAILURE);
    vl_options_clear(&o);
    g_assert_true(parse(&o, &a, out, NULL, "-action", "panic=shutdown", NULL));
    g_assert_cmpint(o.cfg.panic_action, ==, VIRT_PANIC_SHUTDOWN);
    vl_options_clear(&o);
    g_assert_true(parse(&o, &a, out, NULL, "-action",
                        "panic=exit-failure,reboot=shutdown", NULL));
    g_assert_cmpint(o.cfg.panic_action, ==, VIRT_PANIC_EXIT_FAILURE);
    g_assert_true(o.cfg.no_reboot);
    vl_options_clear(&o);

    g_assert_true(parse(&o, &a, out, NULL, "-machine", "virt,dumpdtb=x.dtb",
                        NULL));
    g_assert_cmpstr(o.cfg.dumpdtb, ==, "x.dtb");
    vl_options_clear(&o);
}

static void test_help(void)
{
    VlOptions o;
    VlAction a;
    g_autoptr(GString) out = g_string_new(NULL);

    g_assert_true(parse(&o, &a, out, NULL, "-machine", "help", NULL));
    g_assert_cmpint(a, ==, VL_EXIT);
    g_assert_nonnull(strstr(out->str, "virt "));
    vl_options_clear(&o);

    g_string_truncate(out, 0);
    g_assert_true(parse(&o, &a, out, NULL, "-version", "-foo", NULL));
    g_assert_cmpint(a, ==, VL_EXIT);    /* stops at -version */
    g_assert_true(g_str_has_prefix(out->str, "minivirt version "));
    vl_options_clear(&o);

    g_string_truncate(out, 0);
    g_assert_true(parse(&o, &a, out, NULL, "-h", NULL));
    g_assert_nonnull(strstr(out->str, "-kernel"));
    g_assert_nonnull(strstr(out->str, "-nographic"));
    vl_options_clear(&o);
}

/* Run the built binary; returns its exit status and stderr.  Its stdout
 * is captured too (kept out of our TAP stream) and is available in
 * last_stdout until the next run. */
static char *last_stdout;

static int run(char **err, ...)
{
    const char *bin = g_getenv("MINIVIRT");
    GPtrArray *argv = g_ptr_array_new();
    va_list ap;
    const char *a;
    int status;

    g_ptr_array_add(argv, (char *)bin);
    va_start(ap, err);
    while ((a = va_arg(ap, const char *))) {
        g_ptr_array_add(argv, (char *)a);
    }
    va_end(ap);
    g_ptr_array_add(argv, NULL);
    g_clear_pointer(&last_stdout, g_free);
    g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL,
                               G_SPAWN_STDIN_FROM_DEV_NULL, NULL, NULL,
                               &last_stdout, err, &status, NULL));
    g_ptr_array_free(argv, TRUE);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void test_binary(void)
{
    g_autofree char *e1 = NULL, *e2 = NULL, *e3 = NULL, *e4 = NULL;

    if (!g_getenv("MINIVIRT")) {
        g_test_skip("MINIVIRT is not set");
        return;
    }
    g_assert_cmpint(run(&e1, "-m", "12Q", NULL), ==, 1);
    g_assert_cmpstr(e1, ==, "minivirt: -m 12Q: Parameter 'size' expects a "
                    "size (a number with an optional suffix K, M, G, T, P or "
                    "E), got '12Q'\n");
    g_assert_cmpint(run(&e2, "-foo", NULL), ==, 1);
    g_assert_cmpstr(e2, ==, "minivirt: -foo: invalid option\n");
    g_assert_cmpint(run(&e3, "-version", NULL), ==, 0);
    g_assert_true(g_str_has_prefix(last_stdout, "minivirt version "));
    /* A kernel that is not there: the loader's message, status 1. */
    g_assert_cmpint(run(&e4, "-display", "none", "-kernel", "/nonexistent/K",
                        NULL), ==, 1);
    g_assert_true(g_str_has_prefix(e4, "minivirt: could not load kernel "
                                   "'/nonexistent/K'"));
    g_autofree char *e5 = NULL;
    g_assert_cmpint(run(&e5, "-display", "none", NULL), ==, 1);
    g_assert_cmpstr(e5, ==, "minivirt: nothing to boot: give -kernel (or -bios "
                    "PATH)\n");
    /* Monitor errors come from monitor.h, prefixed with the option. */
    g_autofree char *e7 = NULL;
    g_assert_cmpint(run(&e7, "-display", "none", "-kernel", "/dev/null",
                        "-mon", "mode=control", NULL), ==, 1);
    g_assert_cmpstr(e7, ==, "minivirt: -mon mode=control: Parameter 'chardev' "
                    "is missing\n");
    g_autofree char *e6 = NULL;
    g_assert_cmpint(run(&e6, "-display", "none", "-kernel", "/dev/null",
                        "-chardev", "bogus,id=x", NULL), ==, 1);
    g_assert_true(g_str_has_prefix(e6, "minivirt: -chardev bogus,id=x: "));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/vl/errors/exact-messages", test_errors);
    g_test_add_func("/vl/errors/name-the-key", test_error_names_key);
    g_test_add_func("/vl/options/values", test_values);
    g_test_add_func("/vl/options/help-and-version", test_help);
    g_test_add_func("/vl/binary/exit-status", test_binary);
    int ret = g_test_run();
    g_free(last_stdout);
    return ret;
}
