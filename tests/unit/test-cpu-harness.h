/*
 * tests/unit/test-cpu-harness.h - a bare hart on 16 MiB of RAM with a tiny
 * MMIO "test device", plus instruction encoders, for the CPU unit tests.
 *
 * Programs are written into RAM with th_emit*(); they end with
 * th_emit_done(), a store to the test device that stops riscv_cpu_run().
 * Every trap into M-mode lands on TH_TRAP_HANDLER, which does the same
 * with a different register, so a test can tell "finished" from "trapped".
 * x31 holds the test device's address and must be left alone.
 */
#ifndef TEST_CPU_HARNESS_H
#define TEST_CPU_HARNESS_H

#include <glib.h>
#include <inttypes.h>
#include <string.h>

#include "machine/cpu.h"

#define TH_RAM_BASE     0x80000000ull
#define TH_RAM_SIZE     (16ull << 20)
#define TH_MMIO_BASE    0x10000000ull
#define TH_MMIO_SIZE    0x1000ull
#define TH_MMIO_DONE    0x0     /* write: program finished */
#define TH_MMIO_TRAP    0x8     /* write: trap handler reached */
#define TH_MMIO_SCRATCH 0x10    /* read/write register */
#define TH_MMIO_IRQ     0x18    /* write: set these mip bits, 0 clears all */
#define TH_TRAP_HANDLER (TH_RAM_BASE + 0x40)
#define TH_CODE         (TH_RAM_BASE + 0x1000)
#define TH_DATA         (TH_RAM_BASE + 0x100000)

enum { TH_NONE, TH_DONE, TH_TRAPPED };

typedef struct TestHart {
    RISCVCPU *cpu;
    uint8_t *ram;
    uint64_t time;
    int status;             /* TH_* */
    uint64_t scratch;
    uint64_t cursor;        /* where th_emit writes next (guest PA) */
    int ecall_hook_calls;
    bool ecall_hook_result;
    int mmio_reads, mmio_writes;
} TestHart;

TestHart *th_new(void);
/* The same, choosing whether hot integer code may be compiled. */
TestHart *th_new_opts(bool no_jit);
void th_free(TestHart *th);
/* Reset to pc in priv with the trap handler and x31 in place, cursor=pc. */
void th_reset(TestHart *th, uint64_t pc, int priv);
void th_at(TestHart *th, uint64_t pa);
void th_emit(TestHart *th, uint32_t insn);
void th_emit16(TestHart *th, uint16_t insn);
void th_emit_done(TestHart *th);
/* Load a 64-bit constant into rd (lui/addi/slli sequence). */
void th_emit_li(TestHart *th, unsigned rd, uint64_t v);
/* Run until the test device stops the hart (asserts it did within one
 * riscv_cpu_run() of at least 65536 instructions, as the board's slices);
 * returns TH_DONE or TH_TRAPPED. */
int th_run(TestHart *th, uint64_t budget);
/* Run in slices of 10^6 instructions until the test device stops the hart
 * (for benchmarks); asserts it finished with TH_DONE.  Returns the
 * instructions retired and sets *us to the wall-clock time taken. */
uint64_t th_run_timed(TestHart *th, int64_t *us);
uint64_t th_x(TestHart *th, unsigned r);
void th_set_x(TestHart *th, unsigned r, uint64_t v);
uint64_t th_csr(TestHart *th, unsigned csr);
void th_set_csr(TestHart *th, unsigned csr, uint64_t v);
void *th_ram(TestHart *th, uint64_t pa);
uint64_t th_ld(TestHart *th, uint64_t pa);
void th_sd(TestHart *th, uint64_t pa, uint64_t v);

/* ---- encoders (unprivileged spec chapter 24 formats); macros so that
 * they can initialise static tables ---- */
#define enc_r(opc, rd, f3, rs1, rs2, f7)                                   \
    ((uint32_t)(f7) << 25 | (uint32_t)(rs2) << 20 | (uint32_t)(rs1) << 15 | \
     (uint32_t)(f3) << 12 | (uint32_t)(rd) << 7 | (uint32_t)(opc))
#define enc_i(opc, rd, f3, rs1, imm)                                       \
    ((uint32_t)(imm) << 20 | (uint32_t)(rs1) << 15 | (uint32_t)(f3) << 12 | \
     (uint32_t)(rd) << 7 | (uint32_t)(opc))
#define enc_s(opc, f3, rs1, rs2, imm)                                      \
    (((uint32_t)(imm) >> 5 & 0x7f) << 25 | (uint32_t)(rs2) << 20 |         \
     (uint32_t)(rs1) << 15 | (uint32_t)(f3) << 12 |                        \
     ((uint32_t)(imm) & 31) << 7 | (uint32_t)(opc))
#define enc_b(f3, rs1, rs2, imm)                                           \
    (((uint32_t)(imm) >> 12 & 1) << 31 | ((uint32_t)(imm) >> 5 & 0x3f) << 25 | \
     (uint32_t)(rs2) << 20 | (uint32_t)(rs1) << 15 | (uint32_t)(f3) << 12 | \
     ((uint32_t)(imm) >> 1 & 0xf) << 8 | ((uint32_t)(imm) >> 11 & 1) << 7 | \
     0x63u)
#define enc_u(opc, rd, imm20)                                              \
    ((uint32_t)(imm20) << 12 | (uint32_t)(rd) << 7 | (uint32_t)(opc))
#define enc_j(rd, imm)                                                     \
    (((uint32_t)(imm) >> 20 & 1) << 31 | ((uint32_t)(imm) >> 1 & 0x3ff) << 21 | \
     ((uint32_t)(imm) >> 11 & 1) << 20 | ((uint32_t)(imm) >> 12 & 0xff) << 12 | \
     (uint32_t)(rd) << 7 | 0x6fu)

#define LUI(rd, imm20)      enc_u(0x37, rd, imm20)
#define AUIPC(rd, imm20)    enc_u(0x17, rd, imm20)
#define JAL(rd, off)        enc_j(rd, off)
#define JALR(rd, rs1, off)  enc_i(0x67, rd, 0, rs1, off)
#define BEQ(a, b, off)      enc_b(0, a, b, off)
#define BNE(a, b, off)      enc_b(1, a, b, off)
#define BLT(a, b, off)      enc_b(4, a, b, off)
#define BGE(a, b, off)      enc_b(5, a, b, off)
#define BLTU(a, b, off)     enc_b(6, a, b, off)
#define BGEU(a, b, off)     enc_b(7, a, b, off)
#define LB(rd, rs1, o)      enc_i(0x03, rd, 0, rs1, o)
#define LH(rd, rs1, o)      enc_i(0x03, rd, 1, rs1, o)
#define LW(rd, rs1, o)      enc_i(0x03, rd, 2, rs1, o)
#define LD(rd, rs1, o)      enc_i(0x03, rd, 3, rs1, o)
#define LBU(rd, rs1, o)     enc_i(0x03, rd, 4, rs1, o)
#define LHU(rd, rs1, o)     enc_i(0x03, rd, 5, rs1, o)
#define LWU(rd, rs1, o)     enc_i(0x03, rd, 6, rs1, o)
#define SB(rs2, rs1, o)     enc_s(0x23, 0, rs1, rs2, o)
#define SH(rs2, rs1, o)     enc_s(0x23, 1, rs1, rs2, o)
#define SW(rs2, rs1, o)     enc_s(0x23, 2, rs1, rs2, o)
#define SD(rs2, rs1, o)     enc_s(0x23, 3, rs1, rs2, o)
#define ADDI(rd, rs1, i)    enc_i(0x13, rd, 0, rs1, i)
#define SLTI(rd, rs1, i)    enc_i(0x13, rd, 2, rs1, i)
#define SLTIU(rd, rs1, i)   enc_i(0x13, rd, 3, rs1, i)
#define XORI(rd, rs1, i)    enc_i(0x13, rd, 4, rs1, i)
#define ORI(rd, rs1, i)     enc_i(0x13, rd, 6, rs1, i)
#define ANDI(rd, rs1, i)    enc_i(0x13, rd, 7, rs1, i)
#define SLLI(rd, rs1, sh)   enc_i(0x13, rd, 1, rs1, sh)
#define SRLI(rd, rs1, sh)   enc_i(0x13, rd, 5, rs1, sh)
#define SRAI(rd, rs1, sh)   enc_i(0x13, rd, 5, rs1, 0x400 | (sh))
#define ADDIW(rd, rs1, i)   enc_i(0x1b, rd, 0, rs1, i)
#define SLLIW(rd, rs1, sh)  enc_i(0x1b, rd, 1, rs1, sh)
#define SRLIW(rd, rs1, sh)  enc_i(0x1b, rd, 5, rs1, sh)
#define SRAIW(rd, rs1, sh)  enc_i(0x1b, rd, 5, rs1, 0x400 | (sh))
#define OP(f7, f3, rd, a, b)   enc_r(0x33, rd, f3, a, b, f7)
#define OP32(f7, f3, rd, a, b) enc_r(0x3b, rd, f3, a, b, f7)
#define ADD(rd, a, b)       OP(0, 0, rd, a, b)
#define SUB(rd, a, b)       OP(0x20, 0, rd, a, b)
#define OR(rd, a, b)        OP(0, 6, rd, a, b)
#define AND(rd, a, b)       OP(0, 7, rd, a, b)
#define CSRRW(rd, csr, rs1) enc_i(0x73, rd, 1, rs1, csr)
#define CSRRS(rd, csr, rs1) enc_i(0x73, rd, 2, rs1, csr)
#define CSRRC(rd, csr, rs1) enc_i(0x73, rd, 3, rs1, csr)
#define CSRRWI(rd, csr, u)  enc_i(0x73, rd, 5, u, csr)
#define CSRRSI(rd, csr, u)  enc_i(0x73, rd, 6, u, csr)
#define ECALL               0x00000073u
#define EBREAK              0x00100073u
#define MRET                0x30200073u
#define SRET                0x10200073u
#define WFI                 0x10500073u
#define FENCE_I             0x0000100fu
#define SFENCE_VMA(a, b)    enc_r(0x73, 0, 0, a, b, 0x09)
#define AMO(f5, w, rd, rs1, rs2) enc_r(0x2f, rd, (w) ? 3 : 2, rs1, rs2, (f5) << 2)
#define NOP                 ADDI(0, 0, 0)

/* CSR numbers the tests use */
#define CSR_MSTATUS 0x300
#define CSR_MEDELEG 0x302
#define CSR_MIDELEG 0x303
#define CSR_MIE     0x304
#define CSR_MTVEC   0x305
#define CSR_MCOUNTEREN 0x306
#define CSR_MEPC    0x341
#define CSR_MCAUSE  0x342
#define CSR_MTVAL   0x343
#define CSR_MIP     0x344
#define CSR_SSTATUS 0x100
#define CSR_STVEC   0x105
#define CSR_SCOUNTEREN 0x106
#define CSR_SEPC    0x141
#define CSR_SCAUSE  0x142
#define CSR_STVAL   0x143
#define CSR_SATP    0x180
#define CSR_FFLAGS  0x001
#define CSR_FRM     0x002
#define CSR_FCSR    0x003
#define CSR_CYCLE   0xc00
#define CSR_TIME    0xc01
#define CSR_INSTRET 0xc02

#define MSTATUS_MIE_BIT (1ull << 3)
#define MSTATUS_SIE_BIT (1ull << 1)
#define MSTATUS_MPP_S   (1ull << 11)
#define MSTATUS_MPP_M   (3ull << 11)
#define MSTATUS_SPP_BIT (1ull << 8)
#define MSTATUS_FS_INIT (1ull << 13)
#define MSTATUS_FS_MASK (3ull << 13)
#define MSTATUS_MPRV_BIT (1ull << 17)
#define MSTATUS_SUM_BIT (1ull << 18)
#define MSTATUS_MXR_BIT (1ull << 19)
#define MSTATUS_TVM_BIT (1ull << 20)
#define MSTATUS_TW_BIT  (1ull << 21)
#define MSTATUS_TSR_BIT (1ull << 22)

#endif /* TEST_CPU_HARNESS_H */
