/*
 * tests/unit/test-virt.c: the board end to end without Linux: tiny
 * hand-assembled "kernels" run on the built minivirt (MINIVIRT in the
 * environment) and end the process through the syscon, the built-in SBI or
 * a jam, which fixes the exit status and messages.
 */
#include <glib.h>
#include <glib/gstdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Registers and encodings (RISC-V unprivileged spec, chapter 2 and 9). */
enum { T0 = 5, T1 = 6, A0 = 10, A1 = 11, A6 = 16, A7 = 17 };
#define INSN_ECALL 0x00000073u
#define INSN_WFI   0x10500073u
#define INSN_LOOP  0x0000006fu      /* jal x0, 0 */
#define CSR_SIE  0x104
#define CSR_TIME 0xc01
#define SIE_STIE 0x20
#define SYSCON 0x100000

typedef struct Prog {
    uint32_t code[64];
    unsigned n;
} Prog;

static void emit(Prog *p, uint32_t insn)
{
    g_assert_cmpuint(p->n, <, G_N_ELEMENTS(p->code));
    p->code[p->n++] = insn;
}

static void li(Prog *p, unsigned rd, int32_t v)
{
    int32_t hi = (int32_t)((uint32_t)v + 0x800) >> 12;
    int32_t lo = v - (int32_t)((uint32_t)hi << 12);
    emit(p, ((uint32_t)hi << 12) | (rd << 7) | 0x37);                 /* lui */
    emit(p, (((uint32_t)lo & 0xfff) << 20) | (rd << 15) | (rd << 7) | 0x13);
}

static void sw(Prog *p, unsigned rs2, unsigned rs1)
{
    emit(p, (rs2 << 20) | (rs1 << 15) | (2 << 12) | 0x23);   /* sw rs2,0(rs1) */
}

static void csrrs(Prog *p, unsigned rd, unsigned csr, unsigned rs1)
{
    emit(p, (csr << 20) | (rs1 << 15) | (2 << 12) | (rd << 7) | 0x73);
}

static void add_reg(Prog *p, unsigned rd, unsigned rs1, unsigned rs2)
{
    emit(p, (rs2 << 20) | (rs1 << 15) | (rd << 7) | 0x33);   /* add */
}

/* SBI call: a7 = eid, a6 = fid (a0.. already set). */
static void sbi(Prog *p, int32_t eid, int32_t fid)
{
    li(p, A7, eid);
    li(p, A6, fid);
    emit(p, INSN_ECALL);
}

typedef struct Run {
    int status;             /* exit status, -1 if killed */
    char *out, *err;
    double cpu_s;           /* user + system time of the child */
} Run;

static char *write_prog(const Prog *p)
{
    char *path = NULL;
    int fd = g_file_open_tmp("test-virt-XXXXXX.bin", &path, NULL);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(write(fd, p->code, p->n * 4), ==, (ssize_t)(p->n * 4));
    close(fd);
    return path;
}

static char *slurp_fd(int fd)
{
    GString *s = g_string_new(NULL);
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        g_string_append_len(s, buf, n);
    }
    close(fd);
    return g_string_free(s, FALSE);
}

/* Run minivirt with @args (NULL-terminated) and @kernel as -kernel or
 * -bios; collect exit status, output and CPU time. */
static void run(Run *r, const char *opt, const char *image, ...)
{
    const char *bin = g_getenv("MINIVIRT");
    GPtrArray *argv = g_ptr_array_new();
    va_list ap;
    const char *a;
    int out[2], err[2];

    g_ptr_array_add(argv, (char *)bin);
    g_ptr_array_add(argv, (char *)"-display");
    g_ptr_array_add(argv, (char *)"none");
    g_ptr_array_add(argv, (char *)"-serial");
    g_ptr_array_add(argv, (char *)"stdio");
    g_ptr_array_add(argv, (char *)opt);
    g_ptr_array_add(argv, (char *)image);
    va_start(ap, image);
    while ((a = va_arg(ap, const char *))) {
        g_ptr_array_add(argv, (char *)a);
    }
    va_end(ap);
    g_ptr_array_add(argv, NULL);

    g_assert_cmpint(pipe(out), ==, 0);
    g_assert_cmpint(pipe(err), ==, 0);
    pid_t pid = fork();
    g_assert_cmpint(pid, >=, 0);
    if (pid == 0) {
        dup2(out[1], 1);
        dup2(err[1], 2);
        close(out[0]);
        close(err[0]);
        execv(bin, (char **)argv->pdata);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    r->out = slurp_fd(out[0]);
    r->err = slurp_fd(err[0]);
    int status;
    struct rusage ru;
    g_assert_cmpint(wait4(pid, &status, 0, &ru), ==, pid);
    r->status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r->cpu_s = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
               ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
    g_ptr_array_free(argv, TRUE);
}

static void run_clear(Run *r)
{
    g_free(r->out);
    g_free(r->err);
}

static bool have_binary(void)
{
    if (!g_getenv("MINIVIRT")) {
        g_test_skip("MINIVIRT is not set");
        return false;
    }
    return true;
}

static void test_syscon_fail_code(void)
{
    Prog p = { 0 };
    Run r;

    if (!have_binary()) {
        return;
    }
    li(&p, T0, SYSCON);
    li(&p, T1, (5 << 16) | 0x3333);     /* FAIL with exit code 5 */
    sw(&p, T1, T0);
    emit(&p, INSN_LOOP);
    g_autofree char *k = write_prog(&p);
    run(&r, "-kernel", k, NULL);
    g_assert_cmpint(r.status, ==, 5);
    run_clear(&r);
    g_unlink(k);
}

static void test_syscon_poweroff_and_reset(void)
{
    Prog p = { 0 };
    Run r;

    if (!have_binary()) {
        return;
    }
    li(&p, T0, SYSCON);
    li(&p, T1, 0x7777);                 /* reset, with -no-reboot: exit 0 */
    sw(&p, T1, T0);
    emit(&p, INSN_LOOP);
    g_autofree char *k = write_prog(&p);
    run(&r, "-kernel", k, "-no-reboot", NULL);
    g_assert_cmpint(r.status, ==, 0);
    run_clear(&r);
    g_unlink(k);

    Prog q = { 0 };
    li(&q, T0, SYSCON);
    li(&q, T1, 0x5555);
    sw(&q, T1, T0);
    emit(&q, INSN_LOOP);
    g_autofree char *k2 = write_prog(&q);
    run(&r, "-kernel", k2, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.err, ==, "");
    run_clear(&r);
    g_unlink(k2);
}

/* SBI legacy putchar reaches the UART's chardev; SRST shutdown exits 0. */
static void test_sbi_console_and_shutdown(void)
{
    Prog p = { 0 };
    Run r;

    if (!have_binary()) {
        return;
    }
    for (const char *s = "hi\n"; *s; s++) {
        li(&p, A0, *s);
        sbi(&p, 0x01, 0);               /* legacy console_putchar */
    }
    li(&p, A0, 0);
    li(&p, A1, 0);
    sbi(&p, 0x53525354, 0);             /* SRST: shutdown */
    emit(&p, INSN_LOOP);
    g_autofree char *k = write_prog(&p);
    run(&r, "-kernel", k, NULL);
    g_assert_cmpint(r.status, ==, 0);
    g_assert_cmpstr(r.out, ==, "hi\n");
    run_clear(&r);
    g_unlink(k);
}

/* WFI sleeps until the SBI timer fires, without burning the host CPU. */
static void test_wfi_sleeps_until_timer(void)
{
    Prog p = { 0 };
    Run r;

    if (!have_binary()) {
        return;
    }
    li(&p, T0, SIE_STIE);
    csrrs(&p, 0, CSR_SIE, T0);          /* wake on STIP (sstatus.SIE off) */
    csrrs(&p, A0, CSR_TIME, 0);
    li(&p, T1, 5000000);                /* 0.5 s at 10 MHz */
    add_reg(&p, A0, A0, T1);
    sbi(&p, 0x54494D45, 0);             /* TIME set_timer(a0) */
    emit(&p, INSN_WFI);
    li(&p, T0, SYSCON);
    li(&p, T1, (7 << 16) | 0x3333);     /* exit 7: we woke up */
    sw(&p, T1, T0);
    emit(&p, INSN_LOOP);
    g_autofree char *k = write_prog(&p);
    gint64 t0 = g_get_monotonic_time();
    run(&r, "-kernel", k, NULL);
    double wall = (g_get_monotonic_time() - t0) / 1e6;
    g_assert_cmpint(r.status, ==, 7);
    g_assert_cmpfloat(wall, >=, 0.5);
    g_assert_cmpfloat(r.cpu_s, <, 0.25);  /* slept, did not spin */
    run_clear(&r);
    g_unlink(k);
}

/* Firmware of zeros: illegal instruction in M-mode, mtvec = 0 outside RAM:
 * a trap loop the board reports, exiting 1. */
static void test_jam(void)
{
    Prog p = { 0 };
    Run r;

    if (!have_binary()) {
        return;
    }
    emit(&p, 0);
    emit(&p, 0);
    g_autofree char *fw = write_prog(&p);
    run(&r, "-bios", fw, NULL);
    g_assert_cmpint(r.status, ==, 1);
    g_assert_true(g_str_has_prefix(r.err, "minivirt: hart 0 jammed at pc=0x"));
    g_assert_nonnull(strstr(r.err, "(cause 0x"));
    run_clear(&r);
    g_unlink(fw);
}

/* -d guest_errors -D FILE: an access to no device is logged. */
static void test_guest_errors_log(void)
{
    Prog p = { 0 };
    Run r;

    if (!have_binary()) {
        return;
    }
    li(&p, T0, 0x5000000);              /* between PCI PIO and the PLIC */
    emit(&p, (T0 << 15) | (2 << 12) | (T1 << 7) | 0x03);    /* lw t1,0(t0) */
    li(&p, T0, SYSCON);
    li(&p, T1, 0x5555);
    sw(&p, T1, T0);
    emit(&p, INSN_LOOP);
    g_autofree char *k = write_prog(&p);
    g_autofree char *log = NULL;
    int fd = g_file_open_tmp("test-virt-XXXXXX.log", &log, NULL);
    close(fd);
    run(&r, "-kernel", k, "-d", "guest_errors", "-D", log, NULL);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "guest_errors: read of 4 bytes at 0x5000000: "
                                  "no device"));
    run_clear(&r);
    g_unlink(k);
    g_unlink(log);
}

/* Send one QMP line and read lines until one contains @want; returns
 * everything read (events included). */
static char *qmp(FILE *f, int fd, const char *cmd, const char *want)
{
    GString *got = g_string_new(NULL);
    char line[4096];

    if (cmd) {
        g_assert_cmpint(write(fd, cmd, strlen(cmd)), ==, (ssize_t)strlen(cmd));
    }
    while (fgets(line, sizeof(line), f)) {
        g_string_append(got, line);
        if (strstr(line, want)) {
            break;
        }
    }
    return g_string_free(got, FALSE);
}

/* -S holds the harts; QMP cont/stop/quit drive them (monitor wiring). */
static void test_qmp_lifecycle(void)
{
    Prog p = { 0 };

    if (!have_binary()) {
        return;
    }
    emit(&p, INSN_LOOP);
    g_autofree char *k = write_prog(&p);
    g_autofree char *dir = g_dir_make_tmp("test-virt-XXXXXX", NULL);
    g_autofree char *path = g_build_filename(dir, "qmp", NULL);
    g_autofree char *qarg = g_strdup_printf("unix:%s,server=on,wait=off", path);
    const char *argv[] = {
        g_getenv("MINIVIRT"), "-display", "none", "-S", "-kernel", k,
        "-qmp", qarg, NULL,
    };
    GPid pid;
    g_assert_true(g_spawn_async(NULL, (char **)argv, NULL,
                                G_SPAWN_DO_NOT_REAP_CHILD, NULL, NULL, &pid,
                                NULL));
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    g_strlcpy(sa.sun_path, path, sizeof(sa.sun_path));
    for (int i = 0; connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0; i++) {
        g_assert_cmpint(i, <, 500);
        g_usleep(10000);
    }
    FILE *f = fdopen(dup(fd), "r");
    g_autofree char *greet = qmp(f, fd, NULL, "\"QMP\"");
    g_autofree char *caps = qmp(f, fd, "{\"execute\":\"qmp_capabilities\"}\n",
                                "\"return\"");
    g_autofree char *s1 = qmp(f, fd, "{\"execute\":\"query-status\"}\n",
                              "\"return\"");
    g_assert_nonnull(strstr(s1, "\"prelaunch\""));
    g_autofree char *c = qmp(f, fd, "{\"execute\":\"cont\"}\n", "\"return\"");
    g_autofree char *s2 = qmp(f, fd, "{\"execute\":\"query-status\"}\n",
                              "\"status\"");
    g_assert_nonnull(strstr(s2, "\"running\""));
    g_autofree char *st = qmp(f, fd, "{\"execute\":\"stop\"}\n", "\"return\"");
    g_autofree char *s3 = qmp(f, fd, "{\"execute\":\"query-status\"}\n",
                              "\"status\"");
    g_assert_nonnull(strstr(s3, "\"paused\""));
    g_autofree char *q = qmp(f, fd, "{\"execute\":\"quit\"}\n", "SHUTDOWN");
    g_assert_nonnull(strstr(q, "host-qmp-quit"));
    int status;
    g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
    g_assert_true(WIFEXITED(status));
    g_assert_cmpint(WEXITSTATUS(status), ==, 0);
    fclose(f);
    close(fd);
    g_unlink(path);
    g_rmdir(dir);
    g_unlink(k);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/virt/syscon/fail-exit-code", test_syscon_fail_code);
    g_test_add_func("/virt/syscon/poweroff-and-no-reboot",
                    test_syscon_poweroff_and_reset);
    g_test_add_func("/virt/sbi/console-and-shutdown",
                    test_sbi_console_and_shutdown);
    g_test_add_func("/virt/wfi/sleeps-until-timer", test_wfi_sleeps_until_timer);
    g_test_add_func("/virt/jam/reported", test_jam);
    g_test_add_func("/virt/log/guest-errors", test_guest_errors_log);
    g_test_add_func("/virt/qmp/prelaunch-cont-stop-quit", test_qmp_lifecycle);
    return g_test_run();
}
