/*
 * tests/unit/test-cpu.c - the RV64GC interpreter: decode and execute of the
 * integer, M, A, C and F/D instructions, memory and code-cache behaviour,
 * and a MIPS benchmark.  Traps, interrupts and CSRs are in test-cpu-trap.c,
 * translation (Sv39/Sv48) in test-cpu-mmu.c.
 */
#include "test-cpu-harness.h"
#include "machine/cpu-internal.h"

enum { A0 = 10, A1 = 11, A2 = 12, A3 = 13, T0 = 5, T1 = 6, T2 = 7, SP = 2 };

/* ------------------------------------------------------------------ */
/* RVC: every compressed form against its 32-bit expansion.  The pairs
 * were produced by GNU as (riscv64-linux-gnu-as -march=rv64gc), writing
 * each instruction once with .option rvc and once with .option norvc. */

typedef struct RVCCase {
    uint16_t c;
    uint32_t expansion;
    const char *text;
} RVCCase;

static const RVCCase rvc_cases[] = {
    { 0x1fe8, 0x3fc10513, "c.addi4spn a0, sp, 1020" },
    { 0x0044, 0x00410493, "c.addi4spn s1, sp, 4" },
    { 0x3de8, 0x0f85b507, "c.fld fa0, 248(a1)" },
    { 0x5ef0, 0x07c6a603, "c.lw a2, 124(a3)" },
    { 0x42d0, 0x0046a603, "c.lw a2, 4(a3)" },
    { 0x7ff8, 0x0f87b703, "c.ld a4, 248(a5)" },
    { 0xa480, 0x0084b427, "c.fsd fs0, 8(s1)" },
    { 0xc1a8, 0x04a5a023, "c.sw a0, 64(a1)" },
    { 0xe448, 0x08a43423, "c.sd a0, 136(s0)" },
    { 0x0001, 0x00000013, "c.nop" },
    { 0x1281, 0xfe028293, "c.addi t0, -32" },
    { 0x037d, 0x01f30313, "c.addi t1, 31" },
    { 0x357d, 0xfff5051b, "c.addiw a0, -1" },
    { 0x25c5, 0x0115859b, "c.addiw a1, 17" },
    { 0x56e5, 0xff900693, "c.li a3, -7" },
    { 0x43fd, 0x01f00393, "c.li t2, 31" },
    { 0x7101, 0xe0010113, "c.addi16sp sp, -512" },
    { 0x617d, 0x1f010113, "c.addi16sp sp, 496" },
    { 0x677d, 0x0001f737, "c.lui a4, 0x1f" },
    { 0x7781, 0xfffe07b7, "c.lui a5, 0xfffe0" },
    { 0x917d, 0x03f55513, "c.srli a0, 63" },
    { 0x8085, 0x0014d493, "c.srli s1, 1" },
    { 0x9585, 0x4215d593, "c.srai a1, 33" },
    { 0x9a4d, 0xff367613, "c.andi a2, -13" },
    { 0x8a3d, 0x00f67613, "c.andi a2, 15" },
    { 0x8d0d, 0x40b50533, "c.sub a0, a1" },
    { 0x8c3d, 0x00f44433, "c.xor s0, a5" },
    { 0x8ed9, 0x00e6e6b3, "c.or a3, a4" },
    { 0x8f65, 0x00977733, "c.and a4, s1" },
    { 0x9d11, 0x40c5053b, "c.subw a0, a2" },
    { 0x9db5, 0x00d585bb, "c.addw a1, a3" },
    { 0xaffd, 0x7fe0006f, "c.j .+2046" },
    { 0xb001, 0x801ff06f, "c.j .-2048" },
    { 0xa02d, 0x02a0006f, "c.j .+0x2a" },
    { 0xcd7d, 0x0e050f63, "c.beqz a0, .+254" },
    { 0xd081, 0xf00480e3, "c.beqz s1, .-256" },
    { 0xebb9, 0x04079b63, "c.bnez a5, .+0x56" },
    { 0xfffd, 0xfe079fe3, "c.bnez a5, .-2" },
    { 0x157e, 0x03f51513, "c.slli a0, 63" },
    { 0x0f86, 0x001f9f93, "c.slli t6, 1" },
    { 0x35fe, 0x1f813587, "c.fldsp fa1, 504(sp)" },
    { 0x557e, 0x0fc12503, "c.lwsp a0, 252(sp)" },
    { 0x4f12, 0x00412f03, "c.lwsp t5, 4(sp)" },
    { 0x75fe, 0x1f813583, "c.ldsp a1, 504(sp)" },
    { 0x60a2, 0x00813083, "c.ldsp ra, 8(sp)" },
    { 0x8082, 0x00008067, "c.jr ra" },
    { 0x8e02, 0x000e0067, "c.jr t3" },
    { 0x852e, 0x00b00533, "c.mv a0, a1" },
    { 0x8fee, 0x01b00fb3, "c.mv t6, s11" },
    { 0x9002, 0x00100073, "c.ebreak" },
    { 0x9782, 0x000780e7, "c.jalr a5" },
    { 0x952e, 0x00b50533, "c.add a0, a1" },
    { 0x9dfe, 0x01fd8db3, "c.add s11, t6" },
    { 0xbfa6, 0x1e913c27, "c.fsdsp fs1, 504(sp)" },
    { 0xdfaa, 0x0ea12e23, "c.swsp a0, 252(sp)" },
    { 0xc04a, 0x01212023, "c.swsp s2, 0(sp)" },
    { 0xffae, 0x1eb13c23, "c.sdsp a1, 504(sp)" },
    { 0xe406, 0x00113423, "c.sdsp ra, 8(sp)" },
};

/* Reserved/illegal compressed encodings (unprivileged spec §16.8 table
 * 16.5-16.7): all-zero, nzuimm=0, c.addiw x0, c.lui/c.addi16sp with a zero
 * immediate, c.lwsp/c.ldsp x0, c.jr x0, quadrant 0 funct3=4, and the
 * reserved c.subw/c.addw slots. */
static const uint16_t rvc_illegal[] = {
    0x0000, 0x0004, 0x2001, 0x6501, 0x6101, 0x4002, 0x6002, 0x8002,
    0x8000, 0x9d41, 0x9d61,
};

static void test_rvc_expand(void)
{
    for (size_t i = 0; i < G_N_ELEMENTS(rvc_cases); i++) {
        uint32_t got = riscv_rvc_expand(rvc_cases[i].c);
        if (got != rvc_cases[i].expansion) {
            g_test_message("%s: expanded to %08x, expected %08x",
                           rvc_cases[i].text, got, rvc_cases[i].expansion);
        }
        g_assert_cmphex(got, ==, rvc_cases[i].expansion);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(rvc_illegal); i++) {
        g_assert_cmphex(riscv_rvc_expand(rvc_illegal[i]), ==, 0);
    }
}

typedef struct StepResult {
    uint64_t x[32];
    uint64_t f[32];
    int64_t pc_delta;
    uint64_t mcause;
    uint8_t data[0x2000];
} StepResult;

#define STEP_DATA (TH_DATA)

/* Execute one instruction from a known state; pattern 0 points registers
 * into the data area, pattern 1 zeroes most of them (takes branches). */
static void step_one(TestHart *th, bool compressed, uint32_t insn,
                     int pattern, StepResult *r)
{
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_FS_INIT);
    th_set_csr(th, CSR_MCAUSE, 0xdead);
    for (unsigned i = 1; i < 32; i++) {
        uint64_t v = pattern == 0 ? STEP_DATA + 0x400 + i * 0x20 : 0;
        th_set_x(th, i, v);
        riscv_cpu_set_fpr(th->cpu, i, 0x4000000000000000ull + i * 0x1111);
    }
    th_set_x(th, SP, STEP_DATA + 0x800);
    for (unsigned i = 0; i < sizeof(r->data); i++) {
        ((uint8_t *)th_ram(th, STEP_DATA))[i] = (uint8_t)(i * 7 ^ 0x5a);
    }
    if (compressed) {
        th_emit16(th, insn);
    } else {
        th_emit(th, insn);
    }
    g_assert_cmpint(riscv_cpu_run(th->cpu, 1), ==, RISCV_RUN_BUDGET);
    for (unsigned i = 0; i < 32; i++) {
        r->x[i] = th_x(th, i);
        r->f[i] = riscv_cpu_get_fpr(th->cpu, i);
    }
    r->pc_delta = riscv_cpu_get_pc(th->cpu) - TH_CODE;
    r->mcause = th_csr(th, CSR_MCAUSE);
    memcpy(r->data, th_ram(th, STEP_DATA), sizeof(r->data));
}

static void test_rvc_execute(void)
{
    TestHart *th = th_new();
    StepResult *rc = g_new0(StepResult, 1), *re = g_new0(StepResult, 1);

    for (size_t i = 0; i < G_N_ELEMENTS(rvc_cases); i++) {
        const RVCCase *k = &rvc_cases[i];
        for (int pattern = 0; pattern < 2; pattern++) {
            step_one(th, true, k->c, pattern, rc);
            step_one(th, false, k->expansion, pattern, re);
            /* Fall-through and link values differ by the length. */
            if (rc->pc_delta == 2) {
                rc->pc_delta = 4;
            }
            if (rc->x[1] == TH_CODE + 2) {
                rc->x[1] = TH_CODE + 4;
            }
            if (rc->pc_delta != re->pc_delta || rc->mcause != re->mcause) {
                g_test_message("%s pattern %d: pc %+" PRId64 "/%+" PRId64
                               " cause %" PRIx64 "/%" PRIx64, k->text,
                               pattern, rc->pc_delta, re->pc_delta,
                               rc->mcause, re->mcause);
            }
            g_assert_cmpint(rc->pc_delta, ==, re->pc_delta);
            g_assert_cmphex(rc->mcause, ==, re->mcause);
            for (unsigned r = 0; r < 32; r++) {
                if (rc->x[r] != re->x[r]) {
                    g_test_message("%s: x%u %" PRIx64 " vs %" PRIx64,
                                   k->text, r, rc->x[r], re->x[r]);
                }
                g_assert_cmphex(rc->x[r], ==, re->x[r]);
                g_assert_cmphex(rc->f[r], ==, re->f[r]);
            }
            g_assert_cmpmem(rc->data, sizeof(rc->data), re->data,
                            sizeof(re->data));
        }
    }
    g_free(rc);
    g_free(re);
    th_free(th);
}

/* ------------------------------------------------------------------ */
/* RV64I and M: rd = a0, rs1 = a1, rs2 = a2 */

typedef struct AluCase {
    const char *name;
    uint32_t insn;
    uint64_t a, b, expect;
} AluCase;

#define R_(f7, f3) OP(f7, f3, A0, A1, A2)
#define R32_(f7, f3) OP32(f7, f3, A0, A1, A2)
#define MIN64 0x8000000000000000ull
#define NEG1 0xffffffffffffffffull

static const AluCase alu_cases[] = {
    { "add", R_(0, 0), 5, NEG1, 4 },
    { "sub", R_(0x20, 0), 5, 7, (uint64_t)-2 },
    { "sll", R_(0, 1), 1, 65, 2 },           /* shamt from low 6 bits */
    { "slt", R_(0, 2), NEG1, 1, 1 },
    { "slt/no", R_(0, 2), 1, NEG1, 0 },
    { "sltu", R_(0, 3), 1, NEG1, 1 },
    { "xor", R_(0, 4), 0xf0f0, 0xff00, 0x0ff0 },
    { "srl", R_(0, 5), MIN64, 63, 1 },
    { "sra", R_(0x20, 5), MIN64, 63, NEG1 },
    { "or", R_(0, 6), 0xf0, 0x0f, 0xff },
    { "and", R_(0, 7), 0xf0, 0x3c, 0x30 },
    { "addi", ADDI(A0, A1, -2048), 0, 0, (uint64_t)-2048 },
    { "slti", SLTI(A0, A1, -1), (uint64_t)-2, 0, 1 },
    { "sltiu", SLTIU(A0, A1, -1), 5, 0, 1 },  /* imm sign-extends */
    { "xori", XORI(A0, A1, -1), 0x1234, 0, ~0x1234ull },
    { "ori", ORI(A0, A1, 0x7ff), 0x800, 0, 0xfff },
    { "andi", ANDI(A0, A1, 0xf0), 0x1ff, 0, 0xf0 },
    { "slli", SLLI(A0, A1, 63), 3, 0, MIN64 },
    { "srli", SRLI(A0, A1, 60), NEG1, 0, 0xf },
    { "srai", SRAI(A0, A1, 60), MIN64, 0, (uint64_t)-8 },
    { "addiw", ADDIW(A0, A1, 1), 0x7fffffff, 0, 0xffffffff80000000ull },
    { "slliw", SLLIW(A0, A1, 31), 1, 0, 0xffffffff80000000ull },
    { "srliw", SRLIW(A0, A1, 4), 0xffffffff80000000ull, 0, 0x08000000 },
    { "sraiw", SRAIW(A0, A1, 4), 0x80000000, 0, 0xfffffffff8000000ull },
    { "addw", R32_(0, 0), 0xffffffff, 1, 0 },
    { "subw", R32_(0x20, 0), 0, 1, NEG1 },
    { "sllw", R32_(0, 1), 1, 35, 8 },
    { "srlw", R32_(0, 5), 0x80000000, 31, 1 },
    { "sraw", R32_(0x20, 5), 0x80000000, 31, NEG1 },
    { "mul", R_(1, 0), (uint64_t)-3, 7, (uint64_t)-21 },
    { "mulh", R_(1, 1), MIN64, MIN64, 0x4000000000000000ull },
    { "mulh/neg", R_(1, 1), NEG1, 1, NEG1 },
    { "mulhsu", R_(1, 2), NEG1, NEG1, NEG1 },
    { "mulhu", R_(1, 3), NEG1, NEG1, 0xfffffffffffffffeull },
    { "div", R_(1, 4), (uint64_t)-7, 2, (uint64_t)-3 },
    { "div/0", R_(1, 4), 7, 0, NEG1 },
    { "div/ovf", R_(1, 4), MIN64, NEG1, MIN64 },
    { "divu", R_(1, 5), NEG1, 2, 0x7fffffffffffffffull },
    { "divu/0", R_(1, 5), 7, 0, NEG1 },
    { "rem", R_(1, 6), (uint64_t)-7, 2, NEG1 },
    { "rem/0", R_(1, 6), 7, 0, 7 },
    { "rem/ovf", R_(1, 6), MIN64, NEG1, 0 },
    { "remu", R_(1, 7), 7, 4, 3 },
    { "remu/0", R_(1, 7), 7, 0, 7 },
    { "mulw", R32_(1, 0), 0x10000, 0x10000, 0 },
    { "mulw/sext", R32_(1, 0), 0x40000000, 2, 0xffffffff80000000ull },
    { "divw", R32_(1, 4), 0xfffffff9, 2, (uint64_t)-3 },
    { "divw/0", R32_(1, 4), 5, 0, NEG1 },
    { "divw/ovf", R32_(1, 4), 0x80000000, NEG1, 0xffffffff80000000ull },
    { "divuw", R32_(1, 5), 0xffffffff, 1, NEG1 },
    { "divuw/0", R32_(1, 5), 5, 0, NEG1 },
    { "remw", R32_(1, 6), 0xfffffff9, 2, NEG1 },
    { "remw/0", R32_(1, 6), 0x80000001, 0, 0xffffffff80000001ull },
    { "remw/ovf", R32_(1, 6), 0x80000000, NEG1, 0 },
    { "remuw", R32_(1, 7), 0xffffffff, 0x10, 0xf },
    { "remuw/0", R32_(1, 7), 0x80000000, 0, 0xffffffff80000000ull },
};

static void test_alu(void)
{
    TestHart *th = th_new();

    for (size_t i = 0; i < G_N_ELEMENTS(alu_cases); i++) {
        const AluCase *k = &alu_cases[i];
        th_reset(th, TH_CODE, RISCV_PRV_M);
        th_set_x(th, A1, k->a);
        th_set_x(th, A2, k->b);
        th_emit(th, k->insn);
        th_emit_done(th);
        g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
        if (th_x(th, A0) != k->expect) {
            g_test_message("%s: got %" PRIx64, k->name, th_x(th, A0));
        }
        g_assert_cmphex(th_x(th, A0), ==, k->expect);
    }
    th_free(th);
}

static void test_x0_and_upper(void)
{
    TestHart *th = th_new();

    th_emit(th, ADDI(0, 0, 5));             /* x0 stays zero */
    th_emit(th, ADD(A0, 0, 0));
    th_emit(th, LUI(A1, 0x80000));          /* sign-extends */
    th_emit(th, AUIPC(A2, 1));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmphex(th_x(th, 0), ==, 0);
    g_assert_cmphex(th_x(th, A0), ==, 0);
    g_assert_cmphex(th_x(th, A1), ==, 0xffffffff80000000ull);
    g_assert_cmphex(th_x(th, A2), ==, TH_CODE + 12 + 0x1000);
    th_free(th);
}

static void test_branches_jumps(void)
{
    TestHart *th = th_new();
    /* Each branch runs once taken and once not: a3 counts fall-throughs. */
    static const struct {
        uint32_t insn;
        uint64_t ta, tb, na, nb;    /* operands: taken, not taken */
    } br[] = {
        { BEQ(A1, A2, 8), 3, 3, 3, 4 },
        { BNE(A1, A2, 8), 3, 4, 3, 3 },
        { BLT(A1, A2, 8), NEG1, 0, 0, NEG1 },
        { BGE(A1, A2, 8), 0, NEG1, NEG1, 0 },
        { BLTU(A1, A2, 8), 0, NEG1, NEG1, 0 },
        { BGEU(A1, A2, 8), NEG1, NEG1, 0, NEG1 },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(br); i++) {
        for (int taken = 0; taken < 2; taken++) {
            th_reset(th, TH_CODE, RISCV_PRV_M);
            th_set_x(th, A1, taken ? br[i].ta : br[i].na);
            th_set_x(th, A2, taken ? br[i].tb : br[i].nb);
            th_emit(th, br[i].insn);
            th_emit(th, ADDI(A3, 0, 1));    /* skipped when taken */
            th_emit(th, ADDI(A0, 0, 7));
            th_emit_done(th);
            g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
            g_assert_cmpuint(th_x(th, A3), ==, taken ? 0 : 1);
            g_assert_cmpuint(th_x(th, A0), ==, 7);
        }
    }

    /* jal links pc+4; jalr clears bit 0 of the target and links before
     * overwriting a shared rs1/rd. */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_emit(th, JAL(1, 8));                 /* 0x00 */
    th_emit(th, NOP);                       /* 0x04 skipped */
    th_emit(th, AUIPC(A1, 0));              /* 0x08 a1 = code+8 */
    th_emit(th, ADDI(A1, A1, 17));          /* 0x0c a1 = code+25 (odd) */
    th_emit(th, JALR(A1, A1, -1));          /* 0x10 -> code+24 */
    th_emit(th, NOP);                       /* 0x14 skipped */
    th_emit_done(th);                       /* 0x18 */
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmphex(th_x(th, 1), ==, TH_CODE + 4);
    g_assert_cmphex(th_x(th, A1), ==, TH_CODE + 0x14);
    th_free(th);
}

static void test_loads_stores(void)
{
    TestHart *th = th_new();
    const uint64_t d = TH_DATA;

    th_sd(th, d, 0x8899aabbccddeeffull);
    th_set_x(th, A1, d);
    th_emit(th, LB(A0, A1, 0));
    th_emit(th, LBU(A2, A1, 0));
    th_emit(th, LH(A3, A1, 6));
    th_emit(th, LHU(T0, A1, 6));
    th_emit(th, LW(T1, A1, 4));
    th_emit(th, LWU(T2, A1, 4));
    th_emit(th, LD(14, A1, 0));
    th_emit(th, SB(A1, A1, 16));
    th_emit(th, SH(A1, A1, 18));
    th_emit(th, SW(A1, A1, 20));
    th_emit(th, SD(A1, A1, 24));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmphex(th_x(th, A0), ==, 0xffffffffffffffffull);
    g_assert_cmphex(th_x(th, A2), ==, 0xff);
    g_assert_cmphex(th_x(th, A3), ==, 0xffffffffffff8899ull);
    g_assert_cmphex(th_x(th, T0), ==, 0x8899);
    g_assert_cmphex(th_x(th, T1), ==, 0xffffffff8899aabbull);
    g_assert_cmphex(th_x(th, T2), ==, 0x8899aabbull);
    g_assert_cmphex(th_x(th, 14), ==, 0x8899aabbccddeeffull);
    g_assert_cmphex(th_ld(th, d + 16), ==, 0x0000000000000000ull |
                    (d & 0xff) | (d & 0xffff) << 16 | (d & 0xffffffff) << 32);
    g_assert_cmphex(th_ld(th, d + 24), ==, d);
    th_free(th);
}

/* Misaligned loads and stores are emulated, also across a page. */
static void test_misaligned(void)
{
    TestHart *th = th_new();
    const uint64_t d = TH_DATA + 0x1000 - 3;    /* straddles a page */

    for (int i = 0; i < 16; i++) {
        ((uint8_t *)th_ram(th, d - 4))[i] = 0x10 + i;
    }
    th_set_x(th, A1, d);
    th_set_x(th, A2, 0x0102030405060708ull);
    th_emit(th, LD(A0, A1, 0));
    th_emit(th, LW(A3, A1, 1));
    th_emit(th, SD(A2, A1, 8));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmphex(th_x(th, A0), ==, 0x1b1a191817161514ull);
    g_assert_cmphex(th_x(th, A3), ==, 0x18171615ull);
    uint64_t v;
    memcpy(&v, th_ram(th, d + 8), 8);
    g_assert_cmphex(v, ==, 0x0102030405060708ull);
    th_free(th);
}

static void test_mmio(void)
{
    TestHart *th = th_new();

    th_set_x(th, A1, 0xabcdef);
    th_emit(th, SW(A1, 31, TH_MMIO_SCRATCH));
    th_emit(th, LD(A0, 31, TH_MMIO_SCRATCH));
    th_emit(th, LW(A2, 31, 0x20));          /* device reads pattern */
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmphex(th_x(th, A0), ==, 0xabcdef);
    g_assert_cmphex(th_x(th, A2), ==, 0x55667788);
    g_assert_cmpint(th->mmio_reads, ==, 2);

    /* Unmapped physical address: load access fault with tval. */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_x(th, A1, 0x20000000);
    th_emit(th, LD(A0, A1, 8));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_LOAD_ACCESS);
    g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, 0x20000008);
    g_assert_cmphex(th_csr(th, CSR_MEPC), ==, TH_CODE);

    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_x(th, A1, 0x20000000);
    th_emit(th, SW(A0, A1, 0));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_STORE_ACCESS);

    /* Fetch from MMIO: instruction access fault. */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_x(th, A1, TH_MMIO_BASE);
    th_emit(th, JALR(0, A1, 0));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_INSN_ACCESS);
    g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, TH_MMIO_BASE);
    th_free(th);
}

/* A store into code already decoded must be seen by the next fetch. */
static void test_self_modifying(void)
{
    TestHart *th = th_new();
    const uint32_t patched = ADDI(A0, 0, 42);

    th_emit_li(th, A1, patched);
    th_emit(th, AUIPC(A2, 0));
    uint64_t at = th->cursor;
    th_emit(th, ADDI(A3, A3, 1));           /* loop counter */
    th_emit(th, ADDI(A0, 0, 1));            /* patched on the 1st pass */
    th_emit(th, SW(A1, A2, 8));
    th_emit(th, ADDI(T0, 0, 2));
    th_emit(th, BLT(A3, T0, (int32_t)(at - th->cursor)));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A3), ==, 2);
    g_assert_cmpuint(th_x(th, A0), ==, 42);
    th_free(th);
}

/* After an AMO rewrote code in the running page, that page is still
 * watched: a later plain store to it is seen too. */
static void test_self_modifying_amo(void)
{
    TestHart *th = th_new();

    th_emit_li(th, A1, ADDI(A0, 0, 42));
    th_emit_li(th, 15, ADDI(A0, 0, 43));    /* a5 */
    th_emit(th, AUIPC(14, 0));              /* a4 = here */
    th_emit(th, ADDI(14, 14, 12));          /* a4 = P */
    th_emit(th, enc_r(0x2f, 0, 2, 14, A1, 1 << 2));  /* amoswap.w x0 */
    uint64_t p = th->cursor;
    th_emit(th, ADDI(A0, 0, 1));            /* P: 42 after the AMO */
    th_emit(th, ADDI(A3, A3, 1));
    th_emit(th, SW(15, 14, 0));             /* P: 43 for the 2nd pass */
    th_emit(th, ADDI(T0, 0, 2));
    th_emit(th, BLT(A3, T0, (int32_t)(p - th->cursor)));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A3), ==, 2);
    g_assert_cmpuint(th_x(th, A0), ==, 43);
    th_free(th);
}

/* Code rewritten behind the hart's back (as by DMA) is picked up at the
 * next fence.i, and only then. */
static void test_fence_i(void)
{
    TestHart *th = th_new();
    const uint64_t func = TH_CODE + 0x800, entry2 = TH_CODE + 0x100;

    th_emit(th, JAL(1, (int32_t)(func - TH_CODE)));
    th_emit_done(th);
    th_at(th, entry2);
    th_emit(th, FENCE_I);
    th_emit(th, JAL(1, (int32_t)(func - (entry2 + 4))));
    th_emit_done(th);
    th_at(th, func);
    th_emit(th, ADDI(A0, 0, 1));
    th_emit(th, JALR(0, 1, 0));
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A0), ==, 1);

    th_at(th, func);
    th_emit(th, ADDI(A0, 0, 2));            /* a "DMA" write */
    riscv_cpu_set_pc(th->cpu, TH_CODE);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A0), ==, 1);  /* still the decoded copy */
    riscv_cpu_set_pc(th->cpu, entry2);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A0), ==, 2);
    th_free(th);
}

/* ------------------------------------------------------------------ */
/* A extension */

enum { F5_ADD = 0, F5_SWAP = 1, F5_LR = 2, F5_SC = 3, F5_XOR = 4, F5_OR = 8,
       F5_AND = 12, F5_MIN = 16, F5_MAX = 20, F5_MINU = 24, F5_MAXU = 28 };

static void test_amo_ops(void)
{
    static const struct {
        unsigned f5;
        bool d;
        uint64_t mem, src, new_mem;
    } k[] = {
        { F5_ADD, true, 5, 7, 12 },
        { F5_ADD, false, 0xffffffff, 1, 0 },
        { F5_SWAP, true, 5, 7, 7 },
        { F5_XOR, true, 0xff, 0x0f, 0xf0 },
        { F5_OR, false, 0xf0, 0x0f, 0xff },
        { F5_AND, true, 0xff, 0x3c, 0x3c },
        { F5_MIN, true, 1, NEG1, NEG1 },
        { F5_MIN, false, 1, 0x80000000, 0x80000000 },
        { F5_MAX, true, 1, NEG1, 1 },
        { F5_MINU, true, 1, NEG1, 1 },
        { F5_MAXU, false, 1, 0xffffffff, 0xffffffff },
    };
    TestHart *th = th_new();

    for (size_t i = 0; i < G_N_ELEMENTS(k); i++) {
        th_reset(th, TH_CODE, RISCV_PRV_M);
        th_sd(th, TH_DATA, k[i].d ? k[i].mem
                                   : (0xaaaaaaaa00000000ull | k[i].mem));
        th_set_x(th, A1, TH_DATA);
        th_set_x(th, A2, k[i].src);
        th_emit(th, AMO(k[i].f5, k[i].d, A0, A1, A2));
        th_emit_done(th);
        g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
        uint64_t old = k[i].d ? k[i].mem : (uint64_t)(int64_t)(int32_t)k[i].mem;
        g_assert_cmphex(th_x(th, A0), ==, old);
        if (k[i].d) {
            g_assert_cmphex(th_ld(th, TH_DATA), ==, k[i].new_mem);
        } else {
            g_assert_cmphex(th_ld(th, TH_DATA), ==,
                            0xaaaaaaaa00000000ull | (uint32_t)k[i].new_mem);
        }
    }
    th_free(th);
}

static void test_lr_sc(void)
{
    TestHart *th = th_new();

    /* LR then SC succeeds (rd = 0) and stores. */
    th_sd(th, TH_DATA, 10);
    th_set_x(th, A1, TH_DATA);
    th_set_x(th, A2, 77);
    th_emit(th, AMO(F5_LR, true, A0, A1, 0));
    th_emit(th, AMO(F5_SC, true, A3, A1, A2));
    /* a second SC without LR fails and does not store */
    th_emit(th, ADDI(A2, 0, 99));
    th_emit(th, AMO(F5_SC, true, T0, A1, A2));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A0), ==, 10);
    g_assert_cmpuint(th_x(th, A3), ==, 0);
    g_assert_cmpuint(th_x(th, T0), ==, 1);
    g_assert_cmpuint(th_ld(th, TH_DATA), ==, 77);

    /* The scheduler's riscv_cpu_clear_reservation() breaks the pair. */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_x(th, A1, TH_DATA);
    th_set_x(th, A2, 55);
    th_emit(th, AMO(F5_LR, false, A0, A1, 0));
    th_emit(th, AMO(F5_SC, false, A3, A1, A2));
    th_emit_done(th);
    g_assert_cmpint(riscv_cpu_run(th->cpu, 1), ==, RISCV_RUN_BUDGET);
    riscv_cpu_clear_reservation(th->cpu);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A3), ==, 1);
    g_assert_cmpuint(th_ld(th, TH_DATA), ==, 77);

    /* Misaligned AMO: store/AMO address misaligned; LR: load misaligned. */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_x(th, A1, TH_DATA + 4);
    th_emit(th, AMO(F5_ADD, true, A0, A1, A2));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_STORE_MISALIGNED);
    g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, TH_DATA + 4);
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_x(th, A1, TH_DATA + 2);
    th_emit(th, AMO(F5_LR, false, A0, A1, 0));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_LOAD_MISALIGNED);

    /* AMO on MMIO: access fault. */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_emit(th, AMO(F5_SWAP, true, A0, 31, A2));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_STORE_ACCESS);
    th_free(th);
}

/* ------------------------------------------------------------------ */
/* F and D through the decoder */

#define FOP(f7, rm, rd, a, b) enc_r(0x53, rd, rm, a, b, f7)
#define FLW(rd, rs1, o)  enc_i(0x07, rd, 2, rs1, o)
#define FSW(rs2, rs1, o) enc_s(0x27, 2, rs1, rs2, o)
#define FMV_X_W(rd, rs1) FOP(0x70, 0, rd, rs1, 0)
#define FMV_W_X(rd, rs1) FOP(0x78, 0, rd, rs1, 0)
#define FMV_X_D(rd, rs1) FOP(0x71, 0, rd, rs1, 0)
#define FADD_S(rd, a, b) FOP(0x00, 7, rd, a, b)
#define FADD_D(rd, a, b) FOP(0x01, 7, rd, a, b)
#define FSGNJN_S(rd, a, b) FOP(0x10, 1, rd, a, b)
#define FSGNJX_D(rd, a, b) FOP(0x11, 2, rd, a, b)
#define FCLASS_S(rd, a)  FOP(0x70, 1, rd, a, 0)
#define FEQ_S(rd, a, b)  FOP(0x50, 2, rd, a, b)
#define FCVT_W_S(rd, a, rm) FOP(0x60, rm, rd, a, 0)
#define FCVT_D_W(rd, a)  FOP(0x69, 0, rd, a, 0)
#define FMADD_D(rd, a, b, c) (enc_r(0x43, rd, 7, a, b, 1) | (c) << 27)

static void test_fp_off(void)
{
    TestHart *th = th_new();

    /* FS = Off: FP instructions and fcsr are illegal. */
    th_emit(th, FMV_W_X(1, A0));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ILLEGAL_INSN);
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_emit(th, CSRRS(A0, CSR_FCSR, 0));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ILLEGAL_INSN);
    th_free(th);
}

static void test_fp_nanbox(void)
{
    TestHart *th = th_new();

    th_set_csr(th, CSR_MSTATUS, MSTATUS_FS_INIT);
    /* f1 = 1.0f properly boxed; f2 = 1.0f unboxed (upper bits not ones) */
    riscv_cpu_set_fpr(th->cpu, 1, 0xffffffff3f800000ull);
    riscv_cpu_set_fpr(th->cpu, 2, 0x000000003f800000ull);
    th_emit(th, FADD_S(3, 1, 1));           /* 2.0f */
    th_emit(th, FADD_S(4, 1, 2));           /* unboxed -> canonical NaN */
    th_emit(th, FMV_X_W(A0, 2));            /* raw low bits */
    th_emit(th, FCLASS_S(A1, 2));           /* quiet NaN */
    th_emit(th, FSGNJN_S(5, 1, 1));         /* -1.0f */
    th_emit(th, FEQ_S(A2, 3, 3));
    th_emit(th, FMV_X_D(A3, 3));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmphex(riscv_cpu_get_fpr(th->cpu, 3), ==, 0xffffffff40000000ull);
    g_assert_cmphex(riscv_cpu_get_fpr(th->cpu, 4), ==, 0xffffffff7fc00000ull);
    g_assert_cmphex(th_x(th, A0), ==, 0x3f800000);
    g_assert_cmphex(th_x(th, A1), ==, 1u << 9);
    g_assert_cmphex(riscv_cpu_get_fpr(th->cpu, 5), ==, 0xffffffffbf800000ull);
    g_assert_cmpuint(th_x(th, A2), ==, 1);
    g_assert_cmphex(th_x(th, A3), ==, 0xffffffff40000000ull);
    /* FS went dirty and SD shows it */
    g_assert_cmphex(th_csr(th, CSR_MSTATUS) & MSTATUS_FS_MASK, ==,
                    MSTATUS_FS_MASK);
    g_assert_cmphex(th_csr(th, CSR_MSTATUS) >> 63, ==, 1);
    th_free(th);
}

static void test_fp_ops(void)
{
    TestHart *th = th_new();

    th_set_csr(th, CSR_MSTATUS, MSTATUS_FS_INIT);
    th_set_x(th, A1, TH_DATA);
    th_sd(th, TH_DATA, 0x40490fdb);         /* pi as float */
    th_set_x(th, A2, (uint64_t)-7);
    th_emit(th, FLW(1, A1, 0));
    th_emit(th, FSW(1, A1, 8));
    th_emit(th, FCVT_W_S(A0, 1, 1));        /* rtz: 3, inexact */
    th_emit(th, FCVT_D_W(2, A2));           /* -7.0 */
    th_emit(th, FADD_D(3, 2, 2));           /* -14.0 */
    th_emit(th, FSGNJX_D(4, 3, 2));         /* +14.0 */
    th_emit(th, FMADD_D(5, 2, 2, 3));       /* 49 - 14 = 35 */
    th_emit(th, CSRRS(A3, CSR_FFLAGS, 0));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmphex(riscv_cpu_get_fpr(th->cpu, 1), ==, 0xffffffff40490fdbull);
    g_assert_cmphex(th_ld(th, TH_DATA + 8), ==, 0x40490fdb);
    g_assert_cmpint((int64_t)th_x(th, A0), ==, 3);
    g_assert_cmphex(riscv_cpu_get_fpr(th->cpu, 2), ==, 0xc01c000000000000ull);
    g_assert_cmphex(riscv_cpu_get_fpr(th->cpu, 3), ==, 0xc02c000000000000ull);
    g_assert_cmphex(riscv_cpu_get_fpr(th->cpu, 4), ==, 0x402c000000000000ull);
    g_assert_cmphex(riscv_cpu_get_fpr(th->cpu, 5), ==, 0x4041800000000000ull);
    g_assert_cmphex(th_x(th, A3), ==, 1);   /* NX */

    /* reserved rounding mode: illegal; DYN with invalid frm: illegal */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_FS_INIT);
    th_emit(th, FOP(0x00, 5, 3, 1, 1));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ILLEGAL_INSN);
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_FS_INIT);
    th_set_csr(th, CSR_FRM, 6);
    th_emit(th, FADD_S(3, 1, 1));
    g_assert_cmpint(th_run(th, 100), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, EXC_ILLEGAL_INSN);
    th_free(th);
}

/* Every F/D computational form through the decoder: rd = f3 (or a0 for
 * integer results), rs1 = f1 (or a1), rs2 = f2, rs3 = f4. */
typedef struct FPCase {
    const char *name;
    uint32_t insn;
    uint64_t f1, f2, f4, a1;
    bool int_result;
    uint64_t expect;
} FPCase;

#define BOX(v) (0xffffffff00000000ull | (v))
#define S_1    BOX(0x3f800000)      /* 1.0f */
#define S_2    BOX(0x40000000)      /* 2.0f */
#define S_M15  BOX(0xbfc00000)      /* -1.5f */
#define D_1    0x3ff0000000000000ull
#define D_2    0x4000000000000000ull
#define D_4    0x4010000000000000ull
#define D_M15  0xbff8000000000000ull
#define FOP3(f7, rm) FOP(f7, rm, 3, 1, 2)
#define FOPX(f7, rm, rs2) FOP(f7, rm, A0, 1, rs2)     /* f -> x */
#define FOPF(f7, rm, rs2) FOP(f7, rm, 3, A1, rs2)     /* x -> f */

static const FPCase fp_cases[] = {
    { "fsub.s", FOP3(0x04, 0), S_1, S_2, 0, 0, false, BOX(0xbf800000) },
    { "fmul.d", FOP3(0x09, 0), D_2, D_M15, 0, 0, false, 0xc008000000000000ull },
    { "fdiv.s", FOP3(0x0c, 0), S_1, S_2, 0, 0, false, BOX(0x3f000000) },
    { "fsqrt.d", FOP(0x2d, 0, 3, 1, 0), D_4, 0, 0, 0, false, D_2 },
    { "fmin.s", FOP3(0x14, 0), S_1, S_M15, 0, 0, false, S_M15 },
    { "fmax.d", FOP3(0x15, 1), D_1, D_2, 0, 0, false, D_2 },
    { "fsgnj.d", FOP3(0x11, 0), D_1, D_M15, 0, 0, false, 0xbff0000000000000ull },
    { "fsgnjx.s", FOP3(0x10, 2), S_M15, S_M15, 0, 0, false, BOX(0x3fc00000) },
    { "fcvt.s.d", FOP(0x20, 0, 3, 1, 1), D_M15, 0, 0, 0, false, S_M15 },
    { "fcvt.d.s", FOP(0x21, 0, 3, 1, 0), S_M15, 0, 0, 0, false, D_M15 },
    { "flt.d", FOPX(0x51, 1, 2), D_1, D_2, 0, 0, true, 1 },
    { "fle.s", FOPX(0x50, 0, 2), S_2, S_1, 0, 0, true, 0 },
    { "feq.d", FOPX(0x51, 2, 2), D_2, D_2, 0, 0, true, 1 },
    { "fcvt.wu.s", FOPX(0x60, 1, 1), S_M15, 0, 0, 0, true, 0 },
    { "fcvt.w.d", FOPX(0x61, 0, 0), D_M15, 0, 0, 0, true, (uint64_t)-2 },
    { "fcvt.l.d/rtz", FOPX(0x61, 1, 2), D_M15, 0, 0, 0, true, (uint64_t)-1 },
    { "fcvt.l.d/rdn", FOPX(0x61, 2, 2), D_M15, 0, 0, 0, true, (uint64_t)-2 },
    { "fcvt.lu.s", FOPX(0x60, 0, 3), S_2, 0, 0, 0, true, 2 },
    { "fcvt.s.wu", FOPF(0x68, 0, 1), 0, 0, 0, 0xffffffff, false, BOX(0x4f800000) },
    { "fcvt.s.w", FOPF(0x68, 0, 0), 0, 0, 0, 0xfffffffe, false, BOX(0xc0000000) },
    { "fcvt.d.l", FOPF(0x69, 0, 2), 0, 0, 0, (uint64_t)-3, false, 0xc008000000000000ull },
    { "fcvt.d.lu", FOPF(0x69, 0, 3), 0, 0, 0, 4, false, D_4 },
    { "fmv.w.x", FOPF(0x78, 0, 0), 0, 0, 0, 0xabcd12345678ull, false, BOX(0x12345678) },
    { "fmv.d.x", FOPF(0x79, 0, 0), 0, 0, 0, 0x123456789ull, false, 0x123456789ull },
    { "fmv.x.w", FOPX(0x70, 0, 0), BOX(0x80000000), 0, 0, 0, true, 0xffffffff80000000ull },
    { "fclass.d", FOPX(0x71, 1, 0), D_M15, 0, 0, 0, true, 1u << 1 },
    { "fmadd.d", enc_r(0x43, 3, 0, 1, 2, 4 << 2 | 1), D_2, D_2, D_1, 0, false, 0x4014000000000000ull },
    { "fmsub.s", enc_r(0x47, 3, 0, 1, 2, 4 << 2), S_2, S_2, S_1, 0, false, BOX(0x40400000) },
    { "fnmsub.d", enc_r(0x4b, 3, 0, 1, 2, 4 << 2 | 1), D_2, D_2, D_1, 0, false, 0xc008000000000000ull },
    { "fnmadd.s", enc_r(0x4f, 3, 0, 1, 2, 4 << 2), S_1, S_2, S_1, 0, false, BOX(0xc0400000) },
};

static void test_fp_table(void)
{
    TestHart *th = th_new();

    for (size_t i = 0; i < G_N_ELEMENTS(fp_cases); i++) {
        const FPCase *k = &fp_cases[i];
        th_reset(th, TH_CODE, RISCV_PRV_M);
        th_set_csr(th, CSR_MSTATUS, MSTATUS_FS_INIT);
        riscv_cpu_set_fpr(th->cpu, 1, k->f1);
        riscv_cpu_set_fpr(th->cpu, 2, k->f2);
        riscv_cpu_set_fpr(th->cpu, 4, k->f4);
        th_set_x(th, A1, k->a1);
        th_emit(th, k->insn);
        th_emit_done(th);
        if (th_run(th, 100) != TH_DONE) {
            g_test_message("%s trapped: cause %" PRIu64, k->name,
                           th_csr(th, CSR_MCAUSE));
            g_assert_not_reached();
        }
        uint64_t got = k->int_result ? th_x(th, A0)
                                     : riscv_cpu_get_fpr(th->cpu, 3);
        if (got != k->expect) {
            g_test_message("%s: got %016" PRIx64, k->name, got);
        }
        g_assert_cmphex(got, ==, k->expect);
    }
    /* fcvt.wu.s of -1.5 is out of range: NV */
    th_reset(th, TH_CODE, RISCV_PRV_M);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_FS_INIT);
    riscv_cpu_set_fpr(th->cpu, 1, S_M15);
    th_emit(th, FOPX(0x60, 1, 1));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 100), ==, TH_DONE);
    g_assert_cmphex(th_csr(th, CSR_FFLAGS), ==, 0x10);
    th_free(th);
}

/* ------------------------------------------------------------------ */

/* Long random runs of integer ALU instructions, loads and stores (the
 * kind compiled to host code; misaligned and MMIO accesses hand back to
 * the interpreter) give the same registers and memory with and without
 * compilation. */
static void test_compiled_runs(void)
{
    static const uint32_t rr[][2] = {   /* funct7, funct3 of OP / OP-32 */
        { 0, 0 }, { 0x20, 0 }, { 0, 1 }, { 0, 2 }, { 0, 3 }, { 0, 4 },
        { 0, 5 }, { 0x20, 5 }, { 0, 6 }, { 0, 7 }, { 1, 0 },
    };
    static const uint32_t rr32[][2] = {
        { 0, 0 }, { 0x20, 0 }, { 0, 1 }, { 0, 5 }, { 0x20, 5 }, { 1, 0 },
    };
    TestHart *jit = th_new_opts(false), *interp = th_new_opts(true);
    GRand *rand = g_rand_new_with_seed(1234);

    for (int round = 0; round < 40; round++) {
        TestHart *both[2] = { jit, interp };
        uint64_t init[16];
        for (int r = 1; r < 16; r++) {
            init[r] = (uint64_t)g_rand_int(rand) << 32 | g_rand_int(rand);
            if (g_rand_boolean(rand)) {
                init[r] = (int64_t)(int32_t)init[r];
            }
        }
        for (int h = 0; h < 2; h++) {
            th_reset(both[h], TH_CODE, RISCV_PRV_M);
            for (int r = 1; r < 16; r++) {
                th_set_x(both[h], r, init[r]);
            }
            th_set_x(both[h], 16, TH_DATA);     /* base for loads/stores */
            for (int i = 0; i < 0x2000; i++) {
                ((uint8_t *)th_ram(both[h], TH_DATA))[i] = (uint8_t)(i * 13);
            }
        }
        /* the same random program into both, run twice (a7 counts) so
         * that the second pass finds its run compiled and the TLB warm */
        GRand *prog = g_rand_new_with_seed(round);
        bool tricky = round >= 20;      /* misaligned and MMIO accesses */
        for (int h = 0; h < 2; h++) {
            th_emit(both[h], ADDI(17, 0, 2));
            th_emit(both[h], 0x0000000f);   /* fence: the body starts a run */
        }
        uint64_t body = jit->cursor;
        for (int i = 0; i < 300; i++) {
            unsigned rd = g_rand_int_range(prog, 0, 16);
            unsigned a = g_rand_int_range(prog, 0, 16);
            unsigned b = g_rand_int_range(prog, 0, 16);
            int32_t imm = g_rand_int_range(prog, -2048, 2048);
            uint32_t insn;
            int32_t off = g_rand_int_range(prog, 0, 2040);
            if (!tricky || g_rand_int_range(prog, 0, 4)) {
                off &= ~7;  /* misaligned ones bail out to the interpreter */
            }
            int kind = g_rand_int_range(prog, 0, tricky ? 9 : 8);
            if (i == 0 && round % 2) {
                kind = 6;   /* a run that starts with a load */
            }
            switch (kind) {
            case 6:
                insn = enc_i(0x03, rd, g_rand_int_range(prog, 0, 7), 16,
                             off);
                break;
            case 7:
                insn = enc_s(0x23, g_rand_int_range(prog, 0, 4), 16, b, off);
                break;
            case 8:     /* MMIO: never in the TLB, always bails out */
                insn = LD(rd, 31, TH_MMIO_SCRATCH);
                break;
            case 0: {
                unsigned k = g_rand_int_range(prog, 0, G_N_ELEMENTS(rr));
                insn = OP(rr[k][0], rr[k][1], rd, a, b);
                break;
            }
            case 1: {
                unsigned k = g_rand_int_range(prog, 0, G_N_ELEMENTS(rr32));
                insn = OP32(rr32[k][0], rr32[k][1], rd, a, b);
                break;
            }
            case 2: {
                static const unsigned f3[] = { 0, 2, 3, 4, 6, 7 };
                insn = enc_i(0x13, rd, f3[g_rand_int_range(prog, 0, 6)], a,
                             imm);
                break;
            }
            case 3: {
                unsigned sh = g_rand_int_range(prog, 0, 64);
                int kind = g_rand_int_range(prog, 0, 3);
                insn = kind == 0 ? SLLI(rd, a, sh) : kind == 1 ? SRLI(rd, a, sh)
                                                   : SRAI(rd, a, sh);
                break;
            }
            case 4: {
                unsigned sh = g_rand_int_range(prog, 0, 32);
                int kind = g_rand_int_range(prog, 0, 4);
                insn = kind == 0 ? SLLIW(rd, a, sh) : kind == 1 ? SRLIW(rd, a, sh)
                     : kind == 2 ? SRAIW(rd, a, sh) : ADDIW(rd, a, imm);
                break;
            }
            default:
                insn = LUI(rd, g_rand_int(prog) >> 12);
                break;
            }
            for (int h = 0; h < 2; h++) {
                th_emit(both[h], insn);
            }
        }
        g_rand_free(prog);
        for (int h = 0; h < 2; h++) {
            th_emit(both[h], ADDI(17, 17, -1));
            th_emit(both[h], BNE(17, 0, (int32_t)(body - both[h]->cursor)));
            th_emit_done(both[h]);
            g_assert_cmpint(th_run(both[h], 1000), ==, TH_DONE);
        }
        g_assert_cmpmem(th_ram(jit, TH_DATA), 0x2000,
                        th_ram(interp, TH_DATA), 0x2000);
        for (int r = 0; r < 32; r++) {
            if (th_x(jit, r) != th_x(interp, r)) {
                g_test_message("round %d x%d: %" PRIx64 " vs %" PRIx64,
                               round, r, th_x(jit, r), th_x(interp, r));
            }
            g_assert_cmphex(th_x(jit, r), ==, th_x(interp, r));
        }
        g_assert_cmpuint(riscv_cpu_get_instret(jit->cpu), ==,
                         riscv_cpu_get_instret(interp->cpu));
    }
#if defined(__x86_64__)
    g_assert_cmpuint(jit->cpu->cc->jit_used, >, 0);   /* it did compile */
#endif
    g_assert_cmpuint(interp->cpu->cc->jit_used, ==, 0);
    g_rand_free(rand);
    th_free(jit);
    th_free(interp);
}

/* MIPS of a tight integer loop with loads, stores and a taken branch. */
static void test_bench_loop(void)
{
    TestHart *th = th_new();
    const uint64_t iters = g_test_thorough() ? 50000000 : 5000000;

    th_emit_li(th, T0, iters);
    th_set_x(th, A1, TH_DATA);
    uint64_t loop = th->cursor;
    th_emit(th, ADDI(T1, T1, 3));
    th_emit(th, LD(T2, A1, 0));
    th_emit(th, ADD(T2, T2, T1));
    th_emit(th, SD(T2, A1, 0));
    th_emit(th, XORI(A2, T2, 0x55));
    th_emit(th, ADDI(T0, T0, -1));
    th_emit(th, BNE(T0, 0, (int32_t)(loop - th->cursor)));
    th_emit_done(th);

    int64_t us;
    uint64_t n = th_run_timed(th, &us);
    g_assert_cmpuint(n, >=, iters * 7);
    g_assert_cmpuint(th_ld(th, TH_DATA), ==, 3 * iters * (iters + 1) / 2);
    g_test_message("interpreter: %.1f MIPS (%" PRIu64 " insns in %.3f s)",
                   n / (double)us, n, us / 1e6);
    th_free(th);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu/rvc/expand", test_rvc_expand);
    g_test_add_func("/cpu/rvc/execute-like-expansion", test_rvc_execute);
    g_test_add_func("/cpu/rv64im/alu", test_alu);
    g_test_add_func("/cpu/rv64i/x0-lui-auipc", test_x0_and_upper);
    g_test_add_func("/cpu/rv64i/branches-jumps", test_branches_jumps);
    g_test_add_func("/cpu/rv64i/loads-stores", test_loads_stores);
    g_test_add_func("/cpu/rv64i/misaligned-emulated", test_misaligned);
    g_test_add_func("/cpu/mem/mmio-and-access-faults", test_mmio);
    g_test_add_func("/cpu/mem/self-modifying-code", test_self_modifying);
    g_test_add_func("/cpu/mem/self-modifying-code-amo",
                    test_self_modifying_amo);
    g_test_add_func("/cpu/mem/fence-i-sees-dma-writes", test_fence_i);
    g_test_add_func("/cpu/rv64a/amo", test_amo_ops);
    g_test_add_func("/cpu/rv64a/lr-sc", test_lr_sc);
    g_test_add_func("/cpu/fp/fs-off", test_fp_off);
    g_test_add_func("/cpu/fp/nan-boxing", test_fp_nanbox);
    g_test_add_func("/cpu/fp/ops", test_fp_ops);
    g_test_add_func("/cpu/fp/every-form", test_fp_table);
    g_test_add_func("/cpu/jit/same-as-interpreter", test_compiled_runs);
    g_test_add_func("/cpu/bench/loop-mips", test_bench_loop);
    return g_test_run();
}
