/*
 * tests/unit/test-cpu-harness.c - see test-cpu-harness.h.
 */
#include "test-cpu-harness.h"

static bool th_bus_read(void *opaque, uint64_t pa, unsigned size,
                        uint64_t *val)
{
    TestHart *th = opaque;

    if (pa < TH_MMIO_BASE || pa >= TH_MMIO_BASE + TH_MMIO_SIZE) {
        return false;
    }
    g_assert_cmpuint(pa & (size - 1), ==, 0);
    th->mmio_reads++;
    *val = pa - TH_MMIO_BASE == TH_MMIO_SCRATCH ? th->scratch
                                                : 0x1122334455667788ull;
    return true;
}

static bool th_bus_write(void *opaque, uint64_t pa, unsigned size,
                         uint64_t val)
{
    TestHart *th = opaque;

    if (pa < TH_MMIO_BASE || pa >= TH_MMIO_BASE + TH_MMIO_SIZE) {
        return false;
    }
    g_assert_cmpuint(pa & (size - 1), ==, 0);
    th->mmio_writes++;
    switch (pa - TH_MMIO_BASE) {
    case TH_MMIO_DONE:
        th->status = TH_DONE;
        riscv_cpu_request_exit(th->cpu);
        break;
    case TH_MMIO_TRAP:
        th->status = TH_TRAPPED;
        riscv_cpu_request_exit(th->cpu);
        break;
    case TH_MMIO_SCRATCH:
        th->scratch = val;
        break;
    case TH_MMIO_IRQ:
        riscv_cpu_set_mip(th->cpu, val ? val : ~0ull, val != 0);
        break;
    default:
        break;
    }
    return true;
}

static const RISCVBusOps th_bus_ops = {
    .read = th_bus_read,
    .write = th_bus_write,
};

static uint64_t th_get_time(void *opaque)
{
    TestHart *th = opaque;
    return th->time;
}

static bool th_ecall_hook(void *opaque, RISCVCPU *cpu)
{
    TestHart *th = opaque;

    th->ecall_hook_calls++;
    if (th->ecall_hook_result) {
        /* a toy SBI call: a0 = a0 + a1 */
        riscv_cpu_set_gpr(cpu, 10, riscv_cpu_get_gpr(cpu, 10) +
                                   riscv_cpu_get_gpr(cpu, 11));
    }
    return th->ecall_hook_result;
}

TestHart *th_new(void)
{
    return th_new_opts(false);
}

TestHart *th_new_opts(bool no_jit)
{
    TestHart *th = g_new0(TestHart, 1);
    GError *err = NULL;
    RISCVCPUConfig cfg = {
        .hartid = 0,
        .ram_base = TH_RAM_BASE,
        .ram_size = TH_RAM_SIZE,
        .bus = &th_bus_ops,
        .get_time = th_get_time,
        .ecall_hook = th_ecall_hook,
        .no_jit = no_jit,
    };

    th->ram = g_malloc0(TH_RAM_SIZE);
    cfg.ram = th->ram;
    cfg.bus_opaque = th;
    cfg.opaque = th;
    th->cpu = riscv_cpu_new(&cfg, &err);
    g_assert_no_error(err);
    th_reset(th, TH_CODE, RISCV_PRV_M);
    return th;
}

void th_free(TestHart *th)
{
    riscv_cpu_free(th->cpu);
    g_free(th->ram);
    g_free(th);
}

void th_reset(TestHart *th, uint64_t pc, int priv)
{
    riscv_cpu_reset(th->cpu, pc, priv, 0, 0);
    /* Tests rewrite code behind the hart's back. */
    riscv_cpu_flush_icache(th->cpu);
    riscv_cpu_set_stopped(th->cpu, false);
    riscv_cpu_set_gpr(th->cpu, 31, TH_MMIO_BASE);
    riscv_cpu_write_csr(th->cpu, CSR_MTVEC, TH_TRAP_HANDLER);
    th_at(th, TH_TRAP_HANDLER);
    th_emit(th, SD(0, 31, TH_MMIO_TRAP));
    th_emit(th, JAL(0, 0));
    th->status = TH_NONE;
    th_at(th, pc);
}

void th_at(TestHart *th, uint64_t pa)
{
    th->cursor = pa;
}

void *th_ram(TestHart *th, uint64_t pa)
{
    g_assert(pa >= TH_RAM_BASE && pa < TH_RAM_BASE + TH_RAM_SIZE);
    return th->ram + (pa - TH_RAM_BASE);
}

void th_emit(TestHart *th, uint32_t insn)
{
    memcpy(th_ram(th, th->cursor), &insn, 4);
    th->cursor += 4;
}

void th_emit16(TestHart *th, uint16_t insn)
{
    memcpy(th_ram(th, th->cursor), &insn, 2);
    th->cursor += 2;
}

void th_emit_done(TestHart *th)
{
    th_emit(th, SD(0, 31, TH_MMIO_DONE));
    th_emit(th, JAL(0, 0));
}

void th_emit_li(TestHart *th, unsigned rd, uint64_t v)
{
    /* Build from the top: 8 bits at a time keeps it simple and exact. */
    th_emit(th, ADDI(rd, 0, 0));
    for (int shift = 56; shift >= 0; shift -= 8) {
        th_emit(th, SLLI(rd, rd, 8));
        th_emit(th, ORI(rd, rd, (v >> shift) & 0xff));
    }
}

int th_run(TestHart *th, uint64_t budget)
{
    th->status = TH_NONE;
    /* Budgets below 2048 single-step; the programs should run as they do
     * for the board, in large slices (compiled runs, same-page jumps). */
    int r = riscv_cpu_run(th->cpu, MAX(budget, 1u << 16));
    g_assert_cmpint(r, ==, RISCV_RUN_EXIT);
    g_assert_cmpint(th->status, !=, TH_NONE);
    return th->status;
}

uint64_t th_run_timed(TestHart *th, int64_t *us)
{
    int64_t t0 = g_get_monotonic_time();
    uint64_t i0 = riscv_cpu_get_instret(th->cpu);
    int r;

    th->status = TH_NONE;
    do {
        r = riscv_cpu_run(th->cpu, 1000000);
    } while (r == RISCV_RUN_BUDGET);
    *us = g_get_monotonic_time() - t0;
    g_assert_cmpint(r, ==, RISCV_RUN_EXIT);
    g_assert_cmpint(th->status, ==, TH_DONE);
    return riscv_cpu_get_instret(th->cpu) - i0;
}

uint64_t th_x(TestHart *th, unsigned r)
{
    return riscv_cpu_get_gpr(th->cpu, r);
}

void th_set_x(TestHart *th, unsigned r, uint64_t v)
{
    riscv_cpu_set_gpr(th->cpu, r, v);
}

uint64_t th_csr(TestHart *th, unsigned csr)
{
    uint64_t v;
    g_assert_true(riscv_cpu_read_csr(th->cpu, csr, &v));
    return v;
}

void th_set_csr(TestHart *th, unsigned csr, uint64_t v)
{
    g_assert_true(riscv_cpu_write_csr(th->cpu, csr, v));
}

uint64_t th_ld(TestHart *th, uint64_t pa)
{
    uint64_t v;
    memcpy(&v, th_ram(th, pa), 8);
    return v;
}

void th_sd(TestHart *th, uint64_t pa, uint64_t v)
{
    memcpy(th_ram(th, pa), &v, 8);
}
