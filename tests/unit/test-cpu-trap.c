/*
 * tests/unit/test-cpu-trap.c - the RV64GC interpreter's privileged side:
 * exceptions with cause and tval, delegation and xRET, TSR/TW/TVM,
 * interrupt priority and delegation, WFI, run results, CSR fields and
 * counters, and the accelerator table.
 */
#include "test-cpu-harness.h"
#include "machine/cpu-internal.h"
#include "machine/accel.h"

enum { A0 = 10, A1 = 11, A2 = 12, A3 = 13, T0 = 5 };

/* ------------------------------------------------------------------ */
/* traps */

static void test_illegal(void)
{
    TestHart *th = th_new();
    static const uint32_t bad32[] = {
        0xffffffff, 0x0000007f, enc_i(0x13, A0, 1, A1, 0x40) /* slli imm[11:6]!=0 */,
        CSRRS(A0, 0x7ff, 0) /* no such CSR */, 0x00200073 /* uret */,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad32); i++) {
        th_reset(th, TH_CODE, RISCV_PRV_M);
        th_emit(th, bad32[i]);
        g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
        g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ILLEGAL_INSN);
        g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, bad32[i]);
        g_assert_cmphex(th_csr(th, CSR_MEPC), ==, TH_CODE);
    }
    /* 16-bit illegal: tval holds just the 16 bits */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_emit16(th, 0x0000);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ILLEGAL_INSN);
    g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, 0);
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_emit16(th, 0x8002);  /* c.jr x0 */
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, 0x8002);
    th_free(th);
}

/* ecall from each mode, with no delegation, lands in M with cause 8/9/11;
 * ebreak gives cause 3 and tval = pc. */
static void test_ecall_ebreak(void)
{
    TestHart *th = th_new();
    static const struct { int priv; uint64_t cause; } k[] = {
        { RISCV_PRV_U, EXC_ECALL_U }, { RISCV_PRV_S, EXC_ECALL_S },
        { RISCV_PRV_M, EXC_ECALL_M },
    };

    for (size_t i = 0; i < G_N_ELEMENTS(k); i++) {
        th_reset(th, TH_CODE, k[i].priv);
        th_set_csr(th, CSR_MEDELEG, 0);
        th->ecall_hook_result = false;
        th_emit(th, ECALL);
        g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
        g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, k[i].cause);
        g_assert_cmphex(th_csr(th, CSR_MEPC), ==, TH_CODE);
        g_assert_cmpuint(th_csr(th, CSR_MTVAL), ==, 0);
        g_assert_cmpuint((th_csr(th, CSR_MSTATUS) >> 11) & 3, ==, k[i].priv);
        g_assert_cmpint(riscv_cpu_get_priv(th->cpu), ==, RISCV_PRV_M);
    }
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_emit(th, NOP);
    th_emit(th, EBREAK);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_BREAKPOINT);
    g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, TH_CODE + 4);
    th_free(th);
}

/* The built-in SBI hook: handled ecalls from S step over the ecall. */
static void test_ecall_hook(void)
{
    TestHart *th = th_new();

    th_reset(th, TH_CODE, RISCV_PRV_S);
    th->ecall_hook_result = true;
    th_set_x(th, A0, 40);
    th_set_x(th, A1, 2);
    th_emit(th, ECALL);
    th_emit(th, ADDI(A2, A0, 0));
    th_emit(th, EBREAK);        /* delegated to S at stvec */
    th_set_csr(th, CSR_STVEC, TH_TRAP_HANDLER);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpint(th->ecall_hook_calls, ==, 1);
    g_assert_cmpuint(th_x(th, A2), ==, 42);
    g_assert_cmpuint(th_csr(th, CSR_SCAUSE), ==, EXC_BREAKPOINT);
    g_assert_cmpint(riscv_cpu_get_priv(th->cpu), ==, RISCV_PRV_S);

    /* Not handled: the trap to M happens (ecall from S not delegated). */
    th_reset(th, TH_CODE, RISCV_PRV_S);
    th->ecall_hook_result = false;
    th_emit(th, ECALL);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ECALL_S);
    g_assert_cmpint(th->ecall_hook_calls, ==, 2);
    th_free(th);
}

/* Delegated exceptions from U go to S with sstatus.SPP = U; mret and sret
 * return to the modes in MPP/SPP. */
static void test_delegation_xret(void)
{
    TestHart *th = th_new();

    /* M: set up mepc -> S code, MPP = S, mret */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_csr(th, CSR_MEDELEG, 1u << EXC_ECALL_U);
    th_set_csr(th, CSR_STVEC, TH_CODE + 0x400);
    th_set_csr(th, CSR_MEPC, TH_CODE + 0x200);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_MPP_S);
    th_emit(th, MRET);
    th_at(th, TH_CODE + 0x200);             /* S: sret to U at +0x300 */
    th_emit_li(th, A1, TH_CODE + 0x300);
    th_emit(th, CSRRW(0, CSR_SEPC, A1));
    th_emit(th, CSRRC(0, CSR_SSTATUS, 0));  /* no-op read */
    th_emit(th, SRET);
    th_at(th, TH_CODE + 0x300);             /* U: ecall -> S */
    th_emit(th, ADDI(A0, 0, 1));
    th_emit(th, ECALL);
    th_at(th, TH_CODE + 0x400);             /* S handler: ecall -> M */
    th_emit(th, CSRRS(A2, CSR_SCAUSE, 0));
    th_emit(th, CSRRS(A3, CSR_SSTATUS, 0));
    th_emit(th, ECALL);
    g_assert_cmpint(th_run(th, 1000), ==, TH_TRAPPED);
    g_assert_cmpuint(th_x(th, A0), ==, 1);
    g_assert_cmpuint(th_x(th, A2), ==, EXC_ECALL_U);
    g_assert_cmpuint(th_x(th, A3) & MSTATUS_SPP_BIT, ==, 0);
    g_assert_cmphex(th_csr(th, CSR_SEPC), ==, TH_CODE + 0x304);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ECALL_S);
    th_free(th);
}

/* TSR makes sret illegal in S; TW makes wfi illegal in S; TVM traps satp
 * and sfence.vma in S; sret/mret from U are illegal. */
static void test_trap_virtualization(void)
{
    TestHart *th = th_new();
    static const struct { uint64_t mstatus; int priv; uint32_t insn; } k[] = {
        { MSTATUS_TSR_BIT, RISCV_PRV_S, SRET },
        { MSTATUS_TW_BIT, RISCV_PRV_S, WFI },
        { MSTATUS_TVM_BIT, RISCV_PRV_S, CSRRS(A0, CSR_SATP, 0) },
        { MSTATUS_TVM_BIT, RISCV_PRV_S, SFENCE_VMA(0, 0) },
        { 0, RISCV_PRV_U, SRET },
        { 0, RISCV_PRV_S, MRET },
        { 0, RISCV_PRV_U, WFI },
        { 0, RISCV_PRV_U, SFENCE_VMA(0, 0) },
        { 0, RISCV_PRV_S, CSRRS(A0, CSR_MSTATUS, 0) },
        { 0, RISCV_PRV_M, CSRRW(0, CSR_CYCLE, A0) },    /* read-only */
    };

    for (size_t i = 0; i < G_N_ELEMENTS(k); i++) {
        th_reset(th, TH_CODE, k[i].priv);
        th_set_csr(th, CSR_MEDELEG, 0);
        th_set_csr(th, CSR_MSTATUS, k[i].mstatus);
        th_emit(th, k[i].insn);
        th_emit_done(th);
        g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
        g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ILLEGAL_INSN);
        g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, k[i].insn);
    }
    /* the same instructions are fine without the trap bits */
    th_reset(th, TH_CODE, RISCV_PRV_S);
    th_emit(th, CSRRS(A0, CSR_SATP, 0));
    th_emit(th, SFENCE_VMA(0, 0));
    th_emit(th, EBREAK);
    th_set_csr(th, CSR_STVEC, TH_TRAP_HANDLER);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_SCAUSE), ==, EXC_BREAKPOINT);
    th_free(th);
}

/* A trap handler address that itself faults: the hart reports JAMMED. */
static void test_jammed(void)
{
    TestHart *th = th_new();
    uint64_t pc, cause;

    th_set_csr(th, CSR_MTVEC, 0x20000000);  /* nothing there */
    th_emit(th, EBREAK);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 100000), ==, RISCV_RUN_JAMMED);
    riscv_cpu_get_jam_info(th->cpu, &pc, &cause);
    g_assert_cmphex(pc, ==, 0x20000000);
    g_assert_cmpuint(cause, ==, EXC_INSN_ACCESS);
    th_free(th);
}

/* ------------------------------------------------------------------ */
/* interrupts */

/* All six pending and enabled: taken in the order MEI, MSI, MTI, SEI, SSI,
 * STI.  Each handler clears its own mie bit and returns. */
static void test_irq_priority(void)
{
    TestHart *th = th_new();
    const uint64_t all = RISCV_MIP_MEIP | RISCV_MIP_MSIP | RISCV_MIP_MTIP |
                         RISCV_MIP_SEIP | RISCV_MIP_SSIP | RISCV_MIP_STIP;
    static const unsigned order[] = { 11, 3, 7, 9, 1, 5 };

    th_set_csr(th, CSR_MTVEC, TH_CODE + 0x100);
    th_set_csr(th, CSR_MIE, all);
    riscv_cpu_set_mip(th->cpu, all, true);
    th_emit(th, CSRRSI(0, CSR_MSTATUS, 8));  /* MIE on */
    th_emit(th, JAL(0, 0));
    /* handler: log mcause into memory at a1, clear that mie bit, mret */
    th_at(th, TH_CODE + 0x100);
    th_emit(th, CSRRS(A0, CSR_MCAUSE, 0));
    th_emit(th, SD(A0, A1, 0));
    th_emit(th, ADDI(A1, A1, 8));
    th_emit(th, ADDI(A2, 0, 1));
    th_emit(th, OP(0, 1, A2, A2, A0));       /* sll a2, 1, cause */
    th_emit(th, CSRRC(0, CSR_MIE, A2));
    th_emit(th, ADDI(A3, A3, 1));
    th_emit(th, ADDI(T0, 0, 6));
    th_emit(th, BNE(A3, T0, 12));           /* over the done sequence */
    th_emit_done(th);
    th_emit(th, MRET);
    th_set_x(th, A1, TH_DATA);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    for (int i = 0; i < 6; i++) {
        g_assert_cmphex(th_ld(th, TH_DATA + 8 * i), ==,
                        CAUSE_INTERRUPT | order[i]);
    }
    th_free(th);
}

/* Delegated STI goes to S at stvec (vectored: base + 4*5) while in U;
 * not taken in M when delegated; M-level MTI preempts S-mode even with
 * SIE off. */
static void test_irq_delegation(void)
{
    TestHart *th = th_new();

    th_reset(th, TH_CODE, RISCV_PRV_U);
    th_set_csr(th, CSR_STVEC, (TH_CODE + 0x200) | 1);
    th_set_csr(th, CSR_MIE, RISCV_MIP_STIP);
    th_emit(th, JAL(0, 0));
    th_at(th, TH_CODE + 0x200 + 4 * 5);
    th_emit(th, EBREAK);    /* delegated: scause = 3 */
    riscv_cpu_set_mip(th->cpu, RISCV_MIP_STIP, true);
    th_set_csr(th, CSR_MTVEC, TH_TRAP_HANDLER);
    th_set_csr(th, CSR_MEDELEG, 0);     /* ebreak to M: trapped */
    g_assert_cmpint(th_run(th, 1000), ==, TH_TRAPPED);
    g_assert_cmphex(th_csr(th, CSR_SCAUSE), ==, CAUSE_INTERRUPT | 5);
    g_assert_cmphex(th_csr(th, CSR_SEPC), ==, TH_CODE);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_BREAKPOINT);
    g_assert_cmphex(th_csr(th, CSR_MEPC), ==, TH_CODE + 0x200 + 20);

    /* In M-mode a delegated interrupt is never taken. */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_csr(th, CSR_MIDELEG, RISCV_MIP_STIP);
    th_set_csr(th, CSR_MIE, RISCV_MIP_STIP);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_MIE_BIT | MSTATUS_SIE_BIT);
    riscv_cpu_set_mip(th->cpu, RISCV_MIP_STIP, true);
    th_emit(th, NOP);
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);

    /* S-mode with SIE off: MTI (not delegated) is still taken. */
    th_reset(th, TH_CODE, RISCV_PRV_S);
    th_set_csr(th, CSR_MIE, RISCV_MIP_MTIP);
    riscv_cpu_set_mip(th->cpu, RISCV_MIP_STIP, false);
    riscv_cpu_set_mip(th->cpu, RISCV_MIP_MTIP, true);
    th_emit(th, JAL(0, 0));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmphex(th_csr(th, CSR_MCAUSE), ==, CAUSE_INTERRUPT | 7);
    riscv_cpu_set_mip(th->cpu, RISCV_MIP_MTIP, false);
    th_free(th);
}

/* A device store that raises an interrupt is followed by the interrupt
 * before the next instruction. */
static void test_irq_from_mmio(void)
{
    TestHart *th = th_new();

    th_set_csr(th, CSR_MIE, RISCV_MIP_MEIP);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_MIE_BIT);
    th_set_x(th, A1, RISCV_MIP_MEIP);
    th_emit(th, SD(A1, 31, TH_MMIO_IRQ));
    th_emit(th, ADDI(A0, 0, 1));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmphex(th_csr(th, CSR_MCAUSE), ==, CAUSE_INTERRUPT | 11);
    g_assert_cmphex(th_csr(th, CSR_MEPC), ==, TH_CODE + 4);
    g_assert_cmpuint(th_x(th, A0), ==, 0);
    th_free(th);
}

/* WFI returns RISCV_RUN_WFI until an interrupt enabled in mie arrives,
 * even with MIE clear (then execution resumes after the wfi). */
static void test_wfi(void)
{
    TestHart *th = th_new();

    th_set_csr(th, CSR_MIE, RISCV_MIP_MTIP);
    th_emit(th, WFI);
    th_emit(th, ADDI(A0, 0, 5));
    th_emit_done(th);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 1000), ==, RISCV_RUN_WFI);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 1000), ==, RISCV_RUN_WFI);
    g_assert_cmpuint(th_x(th, A0), ==, 0);
    riscv_cpu_set_mip(th->cpu, RISCV_MIP_MTIP, true);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A0), ==, 5);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, 0);   /* MIE was off */
    th_free(th);
}

static void test_run_results(void)
{
    TestHart *th = th_new();

    th_emit(th, JAL(0, 0));
    g_assert_cmpint(riscv_cpu_run(th->cpu, 500), ==, RISCV_RUN_BUDGET);
    g_assert_cmpuint(riscv_cpu_get_instret(th->cpu), ==, 500);
    riscv_cpu_request_exit(th->cpu);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 500), ==, RISCV_RUN_EXIT);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 10), ==, RISCV_RUN_BUDGET);
    riscv_cpu_set_stopped(th->cpu, true);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 10), ==, RISCV_RUN_STOPPED);

    /* Small budgets are exact even in straight-line code. */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    for (int i = 0; i < 10; i++) {
        th_emit(th, NOP);
    }
    th_emit(th, JAL(0, 0));
    g_assert_cmpint(riscv_cpu_run(th->cpu, 3), ==, RISCV_RUN_BUDGET);
    g_assert_cmpuint(riscv_cpu_get_instret(th->cpu), ==, 3);
    g_assert_cmphex(riscv_cpu_get_pc(th->cpu), ==, TH_CODE + 12);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 1), ==, RISCV_RUN_BUDGET);
    g_assert_cmphex(riscv_cpu_get_pc(th->cpu), ==, TH_CODE + 16);
    th_free(th);
}

/* ------------------------------------------------------------------ */
/* CSRs and counters */

static void test_counters(void)
{
    TestHart *th = th_new();

    th->time = 123456;
    th_emit(th, CSRRS(A0, CSR_INSTRET, 0));
    th_emit(th, NOP);
    th_emit(th, NOP);
    th_emit(th, CSRRS(A1, CSR_INSTRET, 0));
    th_emit(th, CSRRS(A2, CSR_TIME, 0));
    th_emit(th, CSRRS(A3, CSR_CYCLE, 0));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A1) - th_x(th, A0), ==, 3);
    g_assert_cmpuint(th_x(th, A2), ==, 123456);
    g_assert_cmpuint(th_x(th, A3), >=, th_x(th, A1));

    /* S-mode: time needs mcounteren.TM; U-mode also scounteren.TM. */
    th_reset(th, TH_CODE, RISCV_PRV_S);
    th_set_csr(th, CSR_MEDELEG, 0);
    th_set_csr(th, CSR_MCOUNTEREN, 0x5);    /* CY, IR but not TM */
    th_emit(th, CSRRS(A0, CSR_CYCLE, 0));
    th_emit(th, CSRRS(A0, CSR_TIME, 0));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmphex(th_csr(th, CSR_MEPC), ==, TH_CODE + 4);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ILLEGAL_INSN);

    th_reset(th, TH_CODE, RISCV_PRV_U);
    th_set_csr(th, CSR_MEDELEG, 0);
    th_set_csr(th, CSR_MCOUNTEREN, 0x7);
    th_set_csr(th, CSR_SCOUNTEREN, 0x2);
    th_emit(th, CSRRS(A0, CSR_TIME, 0));
    th_emit(th, CSRRS(A0, CSR_INSTRET, 0));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmphex(th_csr(th, CSR_MEPC), ==, TH_CODE + 4);
    th_free(th);
}

static void test_csr_fields(void)
{
    TestHart *th = th_new();
    uint64_t v;

    /* misa: RV64 IMAFDCSU */
    g_assert_true(riscv_cpu_read_csr(th->cpu, 0x301, &v));
    g_assert_cmphex(v, ==, (2ull << 62) | 0x14112d);
    /* mstatus: UXL/SXL = 64, MPP=2 is not kept, SD follows FS=dirty */
    th_set_csr(th, CSR_MSTATUS, 2ull << 11 | MSTATUS_FS_MASK);
    v = th_csr(th, CSR_MSTATUS);
    g_assert_cmphex((v >> 32) & 0xf, ==, 0xa);
    g_assert_cmpuint((v >> 11) & 3, !=, 2);
    g_assert_cmphex(v >> 63, ==, 1);
    g_assert_cmphex(th_csr(th, CSR_SSTATUS) >> 63, ==, 1);
    /* sie/sip are views through mideleg */
    th_set_csr(th, CSR_MIDELEG, RISCV_MIP_SSIP | RISCV_MIP_STIP);
    th_set_csr(th, CSR_MIE, 0xaaa);
    g_assert_cmphex(th_csr(th, 0x104), ==, RISCV_MIP_SSIP | RISCV_MIP_STIP);
    /* mepc bit 0 is zero; mtvec mode 2/3 not kept */
    th_set_csr(th, CSR_MEPC, 0x1235);
    g_assert_cmphex(th_csr(th, CSR_MEPC), ==, 0x1234);
    th_set_csr(th, CSR_MTVEC, 0x1002);
    g_assert_cmphex(th_csr(th, CSR_MTVEC) & 3, ==, 0);
    /* satp: an unsupported mode write is ignored */
    th_set_csr(th, CSR_SATP, 8ull << 60 | 0x1234);
    th_set_csr(th, CSR_SATP, 5ull << 60 | 0x1);
    g_assert_cmphex(th_csr(th, CSR_SATP), ==, 8ull << 60 | 0x1234);
    /* pmp: odd pmpcfg do not exist; locked entries ignore writes; R=0 W=1
     * is not kept */
    g_assert_false(riscv_cpu_read_csr(th->cpu, 0x3a1, &v));
    th_set_csr(th, 0x3a0, 0x8f02);      /* entry0 W only, entry1 locked */
    g_assert_cmphex(th_csr(th, 0x3a0), ==, 0x8f00);
    th_set_csr(th, 0x3a0, 0x0);
    g_assert_cmphex(th_csr(th, 0x3a0), ==, 0x8f00);
    th_set_csr(th, 0x3b1, 0x1234);      /* pmpaddr1 locked */
    g_assert_cmphex(th_csr(th, 0x3b1), ==, 0);
    th_set_csr(th, 0x3b2, ~0ull);
    g_assert_cmphex(th_csr(th, 0x3b2), ==, (1ull << 54) - 1);
    /* read-zero registers */
    g_assert_cmphex(th_csr(th, 0xb03), ==, 0);
    g_assert_cmphex(th_csr(th, 0xf15), ==, 0);
    g_assert_cmphex(th_csr(th, 0x30a), ==, 0);
    g_assert_false(riscv_cpu_read_csr(th->cpu, 0x14d, &v));    /* no Sstc */
    th_free(th);
}

static bool no_read(void *opaque, uint64_t pa, unsigned size, uint64_t *v)
{
    return false;
}

static bool no_write(void *opaque, uint64_t pa, unsigned size, uint64_t v)
{
    return false;
}

static uint64_t zero_time(void *opaque)
{
    return 0;
}

static const RISCVBusOps no_bus = { .read = no_read, .write = no_write };

/* PAUSE (Zihintpause) is a no-op on a lone hart; with sibling harts it
 * ends the slice early so that a spin-waiting hart lets the others run. */
static void test_pause_yields(void)
{
    TestHart *th = th_new();
    const uint32_t pause = 0x0100000f;

    th_emit(th, pause);
    th_emit(th, ADDI(A0, 0, 1));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A0), ==, 1);

    RISCVCPUConfig cfg = {
        .hartid = 1, .ram_base = TH_RAM_BASE, .ram_size = TH_RAM_SIZE,
        .ram = th->ram, .bus = &no_bus, .get_time = zero_time,
        .sibling = th->cpu,
    };
    GError *err = NULL;
    RISCVCPU *other = riscv_cpu_new(&cfg, &err);
    g_assert_no_error(err);
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_emit(th, pause);
    th_emit(th, ADDI(A0, 0, 1));
    th_emit_done(th);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 100000), ==, RISCV_RUN_BUDGET);
    g_assert_cmpuint(riscv_cpu_get_instret(th->cpu), ==, 1);
    g_assert_cmphex(riscv_cpu_get_pc(th->cpu), ==, TH_CODE + 4);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A0), ==, 1);
    riscv_cpu_free(other);
    th_free(th);
}

/* ------------------------------------------------------------------ */

static void test_accel(void)
{
    const AccelOps *ops = accel_find("interp");
    TestHart *th = th_new();     /* for its RAM and bus */
    RISCVCPUConfig cfg = {
        .ram_base = TH_RAM_BASE, .ram_size = TH_RAM_SIZE, .ram = th->ram,
        .bus = NULL,
    };
    AccelVCPU v;
    GError *err = NULL;

    g_assert_nonnull(ops);
    g_assert_null(accel_find("kvm"));
    g_assert_false(ops->vcpu_init(&v, &cfg, &err));  /* no bus: refused */
    g_assert_error(err, RISCV_CPU_ERROR, RISCV_CPU_ERROR_CONFIG);
    g_clear_error(&err);
    th_free(th);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu/trap/illegal-tval", test_illegal);
    g_test_add_func("/cpu/trap/ecall-ebreak", test_ecall_ebreak);
    g_test_add_func("/cpu/trap/ecall-hook", test_ecall_hook);
    g_test_add_func("/cpu/trap/delegation-xret", test_delegation_xret);
    g_test_add_func("/cpu/trap/tsr-tw-tvm", test_trap_virtualization);
    g_test_add_func("/cpu/trap/jammed", test_jammed);
    g_test_add_func("/cpu/irq/priority", test_irq_priority);
    g_test_add_func("/cpu/irq/delegation", test_irq_delegation);
    g_test_add_func("/cpu/irq/raised-by-mmio-store", test_irq_from_mmio);
    g_test_add_func("/cpu/irq/wfi", test_wfi);
    g_test_add_func("/cpu/run/results", test_run_results);
    g_test_add_func("/cpu/run/pause-yields-to-siblings", test_pause_yields);
    g_test_add_func("/cpu/csr/counters", test_counters);
    g_test_add_func("/cpu/csr/fields", test_csr_fields);
    g_test_add_func("/cpu/accel/interp", test_accel);
    return g_test_run();
}
