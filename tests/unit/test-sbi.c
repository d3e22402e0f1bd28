/*
 * tests/unit/test-sbi.c: the built-in SBI on real harts (machine/cpu.h):
 * each extension through sbi_ecall() with the guest's registers, and one
 * real ECALL instruction through the CPU's ecall_hook.
 */
#include <string.h>

#include "machine/cpu.h"
#include "machine/sbi.h"

#define NHARTS 3
#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x4000ull
#define INSN_ECALL 0x00000073u

#define A0 10
#define A1 11
#define A2 12
#define A6 16
#define A7 17

typedef struct Fixture {
    uint8_t *ram;
    RISCVCPU *cpu[NHARTS];
    SbiState *sbi;
    uint64_t now;
    GString *console;
    int input;                      /* next getchar, -1 none */
    int resets;
    uint32_t reset_type;
} Fixture;

static bool bus_read(void *o, uint64_t a, unsigned s, uint64_t *v)
{
    return false;
}

static bool bus_write(void *o, uint64_t a, unsigned s, uint64_t v)
{
    return false;
}

static const RISCVBusOps bus = { bus_read, bus_write };

static uint64_t get_time(void *opaque)
{
    return ((Fixture *)opaque)->now;
}

static void putc_cb(void *opaque, uint8_t ch)
{
    g_string_append_c(((Fixture *)opaque)->console, ch);
}

static int getc_cb(void *opaque)
{
    Fixture *f = opaque;
    int c = f->input;
    f->input = -1;
    return c;
}

static void reset_cb(void *opaque, uint32_t type, uint32_t reason)
{
    Fixture *f = opaque;
    f->resets++;
    f->reset_type = type;
}

static const SbiOps ops = { get_time, putc_cb, getc_cb, reset_cb };

static bool hook(void *opaque, RISCVCPU *cpu)
{
    return sbi_ecall(((Fixture *)opaque)->sbi, cpu);
}

static void setup(Fixture *f, gconstpointer data)
{
    f->ram = g_malloc0(RAM_SIZE);
    f->console = g_string_new(NULL);
    f->input = -1;
    for (unsigned h = 0; h < NHARTS; h++) {
        RISCVCPUConfig cfg = {
            .hartid = h, .ram_base = RAM_BASE, .ram_size = RAM_SIZE,
            .ram = f->ram, .bus = &bus, .get_time = get_time,
            .ecall_hook = hook, .opaque = f,
            .sibling = h ? f->cpu[0] : NULL,
        };
        f->cpu[h] = riscv_cpu_new(&cfg, NULL);
        g_assert_nonnull(f->cpu[h]);
        riscv_cpu_reset(f->cpu[h], RAM_BASE, RISCV_PRV_S, h, 0);
    }
    riscv_cpu_set_stopped(f->cpu[0], false);
    f->sbi = sbi_new(f->cpu, NHARTS, &ops, f);
}

static void teardown(Fixture *f, gconstpointer data)
{
    sbi_free(f->sbi);
    for (int h = NHARTS - 1; h >= 0; h--) {
        riscv_cpu_free(f->cpu[h]);
    }
    g_string_free(f->console, TRUE);
    g_free(f->ram);
}

/* Make the SBI call (eid, fid, a0, a1, a2) from hart @h; return a0, and
 * a1 in *value. */
static int64_t call(Fixture *f, unsigned h, uint64_t eid, uint64_t fid,
                    uint64_t a0, uint64_t a1, uint64_t a2, uint64_t *value)
{
    RISCVCPU *cpu = f->cpu[h];

    riscv_cpu_set_gpr(cpu, A7, eid);
    riscv_cpu_set_gpr(cpu, A6, fid);
    riscv_cpu_set_gpr(cpu, A0, a0);
    riscv_cpu_set_gpr(cpu, A1, a1);
    riscv_cpu_set_gpr(cpu, A2, a2);
    g_assert_true(sbi_ecall(f->sbi, cpu));
    if (value) {
        *value = riscv_cpu_get_gpr(cpu, A1);
    }
    return riscv_cpu_get_gpr(cpu, A0);
}

static void test_base(Fixture *f, gconstpointer data)
{
    uint64_t v;

    g_assert_cmpint(call(f, 0, SBI_EXT_BASE, 0, 0, 0, 0, &v), ==, SBI_SUCCESS);
    g_assert_cmphex(v, ==, 0x1000000);          /* spec 1.0 */
    g_assert_cmpint(call(f, 0, SBI_EXT_BASE, 1, 0, 0, 0, &v), ==, 0);
    g_assert_cmphex(v, ==, SBI_IMPL_ID_MINIVIRT);
    static const uint64_t present[] = {
        SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST,
        SBI_EXT_0_1_CONSOLE_PUTCHAR,
    };
    for (unsigned i = 0; i < G_N_ELEMENTS(present); i++) {
        g_assert_cmpint(call(f, 0, SBI_EXT_BASE, 3, present[i], 0, 0, &v), ==, 0);
        g_assert_cmpuint(v, ==, 1);
    }
    g_assert_cmpint(call(f, 0, SBI_EXT_BASE, 3, 0x4442434e /* DBCN */, 0, 0,
                         &v), ==, 0);
    g_assert_cmpuint(v, ==, 0);
    /* Unknown extensions and functions: NOT_SUPPORTED, not a trap. */
    g_assert_cmpint(call(f, 0, 0x12345678, 0, 0, 0, 0, NULL), ==,
                    SBI_ERR_NOT_SUPPORTED);
    g_assert_cmpint(call(f, 0, SBI_EXT_BASE, 99, 0, 0, 0, NULL), ==,
                    SBI_ERR_NOT_SUPPORTED);
}

static void test_timer(Fixture *f, gconstpointer data)
{
    f->now = 1000;
    g_assert_cmpint(call(f, 1, SBI_EXT_TIME, 0, 1500, 0, 0, NULL), ==, 0);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[1]) & RISCV_MIP_STIP, ==, 0);
    g_assert_cmpint(sbi_next_deadline(f->sbi, f->now), ==, 500);
    f->now = 1499;
    sbi_update_timers(f->sbi, f->now);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[1]) & RISCV_MIP_STIP, ==, 0);
    f->now = 1500;
    sbi_update_timers(f->sbi, f->now);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[1]) & RISCV_MIP_STIP, ==,
                     RISCV_MIP_STIP);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[0]) & RISCV_MIP_STIP, ==, 0);
    g_assert_cmpint(sbi_next_deadline(f->sbi, f->now), ==, -1);
    /* A new deadline clears the pending timer. */
    call(f, 1, SBI_EXT_TIME, 0, UINT64_MAX, 0, 0, NULL);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[1]) & RISCV_MIP_STIP, ==, 0);
    g_assert_cmpint(sbi_next_deadline(f->sbi, f->now), ==, -1);
    /* A deadline already past fires at once; legacy set_timer too. */
    call(f, 2, SBI_EXT_0_1_SET_TIMER, 0, 10, 0, 0, NULL);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[2]) & RISCV_MIP_STIP, ==,
                     RISCV_MIP_STIP);
}

/*
 * A deadline that time passed after the last sbi_update_timers() is due
 * now (0), not "no deadline" (-1): the board sleeps until the next
 * deadline, and a -1 there let a hart in WFI sleep forever (seen in the
 * guest-hotplug group: poll() with no timeout, deadline long past).
 */
static void test_timer_passed_unraised(Fixture *f, gconstpointer data)
{
    f->now = 1000;
    call(f, 0, SBI_EXT_TIME, 0, 1200, 0, 0, NULL);
    g_assert_cmpint(sbi_next_deadline(f->sbi, f->now), ==, 200);
    f->now = 1300;          /* no update in between */
    g_assert_cmpint(sbi_next_deadline(f->sbi, f->now), ==, 0);
    sbi_update_timers(f->sbi, f->now);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[0]) & RISCV_MIP_STIP, ==,
                     RISCV_MIP_STIP);
    g_assert_cmpint(sbi_next_deadline(f->sbi, f->now), ==, -1);
}

static void test_ipi(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(call(f, 0, SBI_EXT_IPI, 0, 0x2, 1, 0, NULL), ==, 0);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[2]) & RISCV_MIP_SSIP, ==,
                     RISCV_MIP_SSIP);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[1]) & RISCV_MIP_SSIP, ==, 0);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[0]) & RISCV_MIP_SSIP, ==, 0);
    /* hart_mask_base -1: every hart. */
    call(f, 0, SBI_EXT_IPI, 0, 0, UINT64_MAX, 0, NULL);
    for (unsigned h = 0; h < NHARTS; h++) {
        g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[h]) & RISCV_MIP_SSIP, ==,
                         RISCV_MIP_SSIP);
    }
    /* Legacy clear_ipi clears the caller's only. */
    call(f, 1, SBI_EXT_0_1_CLEAR_IPI, 0, 0, 0, 0, NULL);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[1]) & RISCV_MIP_SSIP, ==, 0);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[2]) & RISCV_MIP_SSIP, ==,
                     RISCV_MIP_SSIP);
    /* A hart that does not exist fails the whole call, touching none. */
    call(f, 2, SBI_EXT_0_1_CLEAR_IPI, 0, 0, 0, 0, NULL);
    g_assert_cmpint(call(f, 0, SBI_EXT_IPI, 0, 0x5, 1, 0, NULL), ==,
                    SBI_ERR_INVALID_PARAM);
    g_assert_cmpuint(riscv_cpu_get_mip(f->cpu[2]) & RISCV_MIP_SSIP, ==, 0);
    g_assert_cmpint(call(f, 0, SBI_EXT_IPI, 0, 1, 1ull << 40, 0, NULL), ==,
                    SBI_ERR_INVALID_PARAM);
}

static void test_rfence(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(call(f, 0, SBI_EXT_RFENCE, 0, 0x7, 0, 0, NULL), ==, 0);
    g_assert_cmpint(call(f, 0, SBI_EXT_RFENCE, 1, 0x6, 0, 0, NULL), ==, 0);
    g_assert_cmpint(call(f, 0, SBI_EXT_RFENCE, 2, 0x1, 0, 0, NULL), ==, 0);
    g_assert_cmpint(call(f, 0, SBI_EXT_RFENCE, 1, 0x8, 0, 0, NULL), ==,
                    SBI_ERR_INVALID_PARAM);
    /* The hypervisor fences do not exist without the H extension. */
    g_assert_cmpint(call(f, 0, SBI_EXT_RFENCE, 3, 0x1, 0, 0, NULL), ==,
                    SBI_ERR_NOT_SUPPORTED);
}

static void test_hsm(Fixture *f, gconstpointer data)
{
    uint64_t v;

    g_assert_cmpint(call(f, 0, SBI_EXT_HSM, 2, 1, 0, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, SBI_HSM_STOPPED);
    g_assert_cmpint(call(f, 0, SBI_EXT_HSM, 2, 0, 0, 0, &v), ==, 0);
    g_assert_cmpuint(v, ==, SBI_HSM_STARTED);
    g_assert_cmpint(call(f, 0, SBI_EXT_HSM, 2, NHARTS, 0, 0, &v), ==,
                    SBI_ERR_INVALID_PARAM);

    /* hart_start(1, start_addr, opaque): S-mode, a0 = hartid, a1 = opaque. */
    g_assert_cmpint(call(f, 0, SBI_EXT_HSM, 0, 1, RAM_BASE + 0x100, 0xabc,
                         NULL), ==, 0);
    g_assert_false(riscv_cpu_is_stopped(f->cpu[1]));
    g_assert_cmphex(riscv_cpu_get_pc(f->cpu[1]), ==, RAM_BASE + 0x100);
    g_assert_cmpint(riscv_cpu_get_priv(f->cpu[1]), ==, RISCV_PRV_S);
    g_assert_cmpuint(riscv_cpu_get_gpr(f->cpu[1], A0), ==, 1);
    g_assert_cmphex(riscv_cpu_get_gpr(f->cpu[1], A1), ==, 0xabc);
    uint64_t satp = 1;
    g_assert_true(riscv_cpu_read_csr(f->cpu[1], 0x180, &satp));
    g_assert_cmpuint(satp, ==, 0);
    g_assert_cmpint(call(f, 0, SBI_EXT_HSM, 0, 1, RAM_BASE, 0, NULL), ==,
                    SBI_ERR_ALREADY_AVAILABLE);
    g_assert_cmpint(call(f, 0, SBI_EXT_HSM, 0, 7, RAM_BASE, 0, NULL), ==,
                    SBI_ERR_INVALID_PARAM);

    /* hart_stop stops the caller. */
    call(f, 1, SBI_EXT_HSM, 1, 0, 0, 0, NULL);
    g_assert_true(riscv_cpu_is_stopped(f->cpu[1]));
    call(f, 0, SBI_EXT_HSM, 2, 1, 0, 0, &v);
    g_assert_cmpuint(v, ==, SBI_HSM_STOPPED);
}

static void test_srst(Fixture *f, gconstpointer data)
{
    g_assert_cmpint(call(f, 0, SBI_EXT_SRST, 0, 3, 0, 0, NULL), ==,
                    SBI_ERR_INVALID_PARAM);
    g_assert_cmpint(f->resets, ==, 0);
    call(f, 0, SBI_EXT_SRST, 0, SBI_SRST_COLD_REBOOT, 0, 0, NULL);
    g_assert_cmpint(f->resets, ==, 1);
    g_assert_cmpuint(f->reset_type, ==, SBI_SRST_COLD_REBOOT);
    call(f, 0, SBI_EXT_SRST, 0, SBI_SRST_SHUTDOWN, 0, 0, NULL);
    g_assert_cmpuint(f->reset_type, ==, SBI_SRST_SHUTDOWN);
    /* Legacy shutdown is a shutdown. */
    f->reset_type = 99;
    call(f, 0, SBI_EXT_0_1_SHUTDOWN, 0, 0, 0, 0, NULL);
    g_assert_cmpint(f->resets, ==, 3);
    g_assert_cmpuint(f->reset_type, ==, SBI_SRST_SHUTDOWN);
}

static void test_legacy_console(Fixture *f, gconstpointer data)
{
    call(f, 0, SBI_EXT_0_1_CONSOLE_PUTCHAR, 0, 'o', 0, 0, NULL);
    call(f, 0, SBI_EXT_0_1_CONSOLE_PUTCHAR, 0, 'k', 0, 0, NULL);
    g_assert_cmpstr(f->console->str, ==, "ok");
    g_assert_cmpint(call(f, 0, SBI_EXT_0_1_CONSOLE_GETCHAR, 0, 0, 0, 0, NULL),
                    ==, -1);
    f->input = 'x';
    g_assert_cmpint(call(f, 0, SBI_EXT_0_1_CONSOLE_GETCHAR, 0, 0, 0, 0, NULL),
                    ==, 'x');
}

/* A real ECALL from S-mode lands in the hook and the hart steps past it. */
static void test_ecall_instruction(Fixture *f, gconstpointer data)
{
    const uint32_t insn = INSN_ECALL;
    memcpy(f->ram, &insn, sizeof(insn));
    memcpy(f->ram + 4, &insn, sizeof(insn));
    riscv_cpu_flush_icache(f->cpu[0]);
    riscv_cpu_set_gpr(f->cpu[0], A7, SBI_EXT_BASE);
    riscv_cpu_set_gpr(f->cpu[0], A6, 0);
    g_assert_cmpint(riscv_cpu_run(f->cpu[0], 1), ==, RISCV_RUN_BUDGET);
    g_assert_cmphex(riscv_cpu_get_pc(f->cpu[0]), ==, RAM_BASE + 4);
    g_assert_cmpint(riscv_cpu_get_priv(f->cpu[0]), ==, RISCV_PRV_S);
    g_assert_cmpint(riscv_cpu_get_gpr(f->cpu[0], A0), ==, 0);
    g_assert_cmphex(riscv_cpu_get_gpr(f->cpu[0], A1), ==, 0x1000000);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/sbi/base/version-and-probe", test_base);
    ADD("/sbi/time/set-timer-drives-stip", test_timer);
    ADD("/sbi/time/passed-deadline-is-due-now", test_timer_passed_unraised);
    ADD("/sbi/ipi/hart-mask", test_ipi);
    ADD("/sbi/rfence/hart-mask", test_rfence);
    ADD("/sbi/hsm/start-stop-status", test_hsm);
    ADD("/sbi/srst/shutdown-and-reboot", test_srst);
    ADD("/sbi/legacy/console", test_legacy_console);
    ADD("/sbi/ecall/through-the-cpu-hook", test_ecall_instruction);
    return g_test_run();
}
