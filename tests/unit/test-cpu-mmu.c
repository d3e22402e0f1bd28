/*
 * tests/unit/test-cpu-mmu.c - Sv39/Sv48 translation through the
 * interpreter: superpages, permissions, SUM, MXR, MPRV, A/D updates, TLB
 * flushes and page-fault causes (privileged spec 1.12 §4.3-4.5).
 *
 * Each test builds page tables in guest RAM, runs S- or U-mode code from
 * an identity-mapped 2 MiB superpage, and lets faults trap to M-mode
 * (bare) so that mcause/mtval can be checked.
 */
#include "test-cpu-harness.h"
#include "machine/cpu-internal.h"

enum { A0 = 10, A1 = 11, A2 = 12, A3 = 13 };

/* PTE bits, §4.3.1 */
#define V_ (1ull << 0)
#define R_ (1ull << 1)
#define W_ (1ull << 2)
#define X_ (1ull << 3)
#define U_ (1ull << 4)
#define A_ (1ull << 6)
#define D_ (1ull << 7)
#define RWX_AD (V_ | R_ | W_ | X_ | A_ | D_)

#define PT_POOL (TH_RAM_BASE + 0x400000)
#define LEVEL_4K 0
#define LEVEL_2M 1
#define LEVEL_1G 2
#define LEVEL_512G 3

typedef struct PageTables {
    TestHart *th;
    int levels;
    uint64_t root, next;
} PageTables;

static uint64_t pt_alloc(PageTables *pt)
{
    uint64_t pa = pt->next;
    pt->next += 0x1000;
    memset(th_ram(pt->th, pa), 0, 0x1000);
    return pa;
}

/* Address of the PTE for va at level, creating tables above it. */
static uint64_t pt_slot(PageTables *pt, uint64_t va, int level)
{
    uint64_t table = pt->root;

    for (int l = pt->levels - 1; ; l--) {
        uint64_t slot = table + ((va >> (12 + 9 * l)) & 511) * 8;
        if (l == level) {
            return slot;
        }
        uint64_t pte = th_ld(pt->th, slot);
        if (!(pte & V_)) {
            uint64_t t = pt_alloc(pt);
            pte = (t >> 12) << 10 | V_;
            th_sd(pt->th, slot, pte);
        }
        table = (pte >> 10) << 12;
    }
}

static uint64_t pt_map(PageTables *pt, uint64_t va, uint64_t pa, int level,
                       uint64_t flags)
{
    uint64_t slot = pt_slot(pt, va, level);
    th_sd(pt->th, slot, (pa >> 12) << 10 | flags);
    return slot;
}

/* Fresh hart in priv with paging on: code/data identity-mapped as one
 * 2 MiB page with code_flags, the test device at its physical address. */
static TestHart *mmu_setup(PageTables *pt, int levels, int priv,
                           uint64_t code_flags)
{
    TestHart *th = th_new();

    th_reset(th, TH_CODE, priv);
    th_set_csr(th, CSR_MEDELEG, 0);
    pt->th = th;
    pt->levels = levels;
    pt->next = PT_POOL;
    pt->root = pt_alloc(pt);
    pt_map(pt, TH_RAM_BASE, TH_RAM_BASE, LEVEL_2M, code_flags);
    /* the page tables themselves, for code that edits them */
    pt_map(pt, PT_POOL, PT_POOL, LEVEL_2M, V_ | R_ | W_ | A_ | D_);
    pt_map(pt, TH_MMIO_BASE, TH_MMIO_BASE, LEVEL_4K,
           V_ | R_ | W_ | A_ | D_ | (code_flags & U_));
    th_set_csr(th, CSR_SATP,
               (uint64_t)(levels == 4 ? 9 : 8) << 60 | pt->root >> 12);
    return th;
}

static void expect_trap(TestHart *th, uint64_t cause, uint64_t tval)
{
    g_assert_cmpint(th_run(th, 1000), ==, TH_TRAPPED);
    g_assert_cmpuint(th_csr(th, CSR_MCAUSE), ==, cause);
    g_assert_cmphex(th_csr(th, CSR_MTVAL), ==, tval);
}

/* Loads through a 4 KiB, a 2 MiB and a 1 GiB page in Sv39. */
static void test_sv39_page_sizes(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);
    const uint64_t va4k = 0x5000, va2m = 0x40000000 + 0x200000 * 3,
                   va1g = 0x80000000ull * 4;

    pt_map(&pt, va4k, TH_DATA + 0x3000, LEVEL_4K, V_ | R_ | A_);
    pt_map(&pt, va2m, TH_RAM_BASE + 0x600000, LEVEL_2M, V_ | R_ | A_);
    pt_map(&pt, va1g, 0x80000000, LEVEL_1G, V_ | R_ | A_);
    th_sd(th, TH_DATA + 0x3008, 0x4444);
    th_sd(th, TH_RAM_BASE + 0x600000 + 0x1238, 0x2222);
    th_sd(th, TH_DATA + 0x10, 0x1111);

    th_emit_li(th, A1, va4k);
    th_emit(th, LD(A0, A1, 8));
    th_emit_li(th, A1, va2m + 0x1238);
    th_emit(th, LD(A2, A1, 0));
    th_emit_li(th, A1, va1g + (TH_DATA - TH_RAM_BASE) + 0x10);
    th_emit(th, LD(A3, A1, 0));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmphex(th_x(th, A0), ==, 0x4444);
    g_assert_cmphex(th_x(th, A2), ==, 0x2222);
    g_assert_cmphex(th_x(th, A3), ==, 0x1111);
    th_free(th);
}

static void test_sv48(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 4, RISCV_PRV_S, RWX_AD);
    const uint64_t va = 0x7f1234567000ull;  /* needs all four levels */

    pt_map(&pt, va, TH_DATA, LEVEL_4K, V_ | R_ | W_ | A_ | D_);
    th_emit_li(th, A1, va);
    th_emit_li(th, A2, 0x5a5a);
    th_emit(th, SD(A2, A1, 0x18));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmphex(th_ld(th, TH_DATA + 0x18), ==, 0x5a5a);

    /* In Sv39 the same address is not canonical: load page fault. */
    th_free(th);
    th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);
    th_emit_li(th, A1, va);
    th_emit(th, LD(A0, A1, 0));
    expect_trap(th, EXC_LOAD_PAGE_FAULT, va);
    th_free(th);
}

/* Superpages whose PPN is not aligned to their size are faults, and so
 * are invalid PTEs and the reserved W-without-R encoding. */
static void test_bad_ptes(void)
{
    static const struct { int level; uint64_t pa_off, flags; } k[] = {
        { LEVEL_2M, 0x1000, V_ | R_ | A_ },     /* misaligned 2 MiB */
        { LEVEL_1G, 0x200000, V_ | R_ | A_ },   /* misaligned 1 GiB */
        { LEVEL_4K, 0, R_ | A_ },               /* not valid */
        { LEVEL_4K, 0, V_ | W_ | A_ },          /* W without R */
        { LEVEL_4K, 0, V_ | R_ | A_ | (1ull << 61) },  /* PBMT bits */
    };
    for (size_t i = 0; i < G_N_ELEMENTS(k); i++) {
        PageTables pt;
        TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);
        const uint64_t va = 0x40000000ull * 5;
        pt_map(&pt, va, 0x80000000 + k[i].pa_off, k[i].level, k[i].flags);
        th_emit_li(th, A1, va + 0x10);
        th_emit(th, LD(A0, A1, 0));
        expect_trap(th, EXC_LOAD_PAGE_FAULT, va + 0x10);
        th_free(th);
    }
}

/* Store to a read-only page: store page fault; fetch from a page without
 * X: instruction page fault with tval = the target. */
static void test_fault_causes(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);

    pt_map(&pt, 0x6000, TH_DATA, LEVEL_4K, V_ | R_ | A_ | D_);
    th_emit_li(th, A1, 0x6000);
    th_emit(th, LD(A0, A1, 0));
    th_emit(th, SD(A0, A1, 8));
    expect_trap(th, EXC_STORE_PAGE_FAULT, 0x6008);
    th_free(th);

    th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);
    pt_map(&pt, 0x7000, TH_DATA, LEVEL_4K, V_ | R_ | W_ | A_ | D_);
    th_emit_li(th, A1, 0x7000);
    th_emit(th, JALR(0, A1, 4));
    expect_trap(th, EXC_INSN_PAGE_FAULT, 0x7004);
    g_assert_cmphex(th_csr(th, CSR_MEPC), ==, 0x7004);
    th_free(th);

    /* Unmapped fetch after a jump to a hole. */
    th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);
    th_emit_li(th, A1, 0x9000);
    th_emit(th, JALR(0, A1, 0));
    expect_trap(th, EXC_INSN_PAGE_FAULT, 0x9000);
    th_free(th);
}

/* U pages from S need SUM (and are never executable from S); S pages are
 * out of reach of U. */
static void test_user_supervisor(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);

    pt_map(&pt, 0x8000, TH_DATA, LEVEL_4K, V_ | R_ | W_ | X_ | U_ | A_ | D_);
    th_sd(th, TH_DATA, 0x77);
    th_emit_li(th, A1, 0x8000);
    th_emit(th, LD(A0, A1, 0));
    expect_trap(th, EXC_LOAD_PAGE_FAULT, 0x8000);

    /* with SUM the load works; executing there still faults */
    th_reset(th, TH_CODE, RISCV_PRV_S);
    th_set_csr(th, CSR_MEDELEG, 0);
    th_set_csr(th, CSR_SATP, 8ull << 60 | pt.root >> 12);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_SUM_BIT);
    th_emit_li(th, A1, 0x8000);
    th_emit(th, LD(A0, A1, 0));
    th_emit(th, JALR(0, A1, 0));
    expect_trap(th, EXC_INSN_PAGE_FAULT, 0x8000);
    g_assert_cmphex(th_x(th, A0), ==, 0x77);

    /* SUM switched off again in the same run: the access faults again
     * (no stale translation from the SUM=1 regime) */
    th_reset(th, TH_CODE, RISCV_PRV_S);
    th_set_csr(th, CSR_MEDELEG, 0);
    th_set_csr(th, CSR_SATP, 8ull << 60 | pt.root >> 12);
    th_emit_li(th, A1, 0x8000);
    th_emit_li(th, A2, MSTATUS_SUM_BIT);
    th_emit(th, CSRRS(0, CSR_SSTATUS, A2));
    th_emit(th, LD(A0, A1, 0));
    th_emit(th, CSRRC(0, CSR_SSTATUS, A2));
    th_emit(th, LD(A3, A1, 0));
    expect_trap(th, EXC_LOAD_PAGE_FAULT, 0x8000);
    g_assert_cmphex(th_x(th, A0), ==, 0x77);
    th_free(th);

    /* U-mode code on a U page cannot touch an S page */
    th = mmu_setup(&pt, 3, RISCV_PRV_U, RWX_AD | U_);
    pt_map(&pt, 0x8000, TH_DATA, LEVEL_4K, V_ | R_ | W_ | A_ | D_);
    th_emit_li(th, A1, 0x8000);
    th_emit(th, SD(A0, A1, 0));
    expect_trap(th, EXC_STORE_PAGE_FAULT, 0x8000);
    th_free(th);

    /* ... and S-mode code cannot run from a U page at all */
    th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD | U_);
    expect_trap(th, EXC_INSN_PAGE_FAULT, TH_CODE);
    th_free(th);
}

/* MXR makes execute-only pages readable. */
static void test_mxr(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);

    pt_map(&pt, 0xa000, TH_DATA, LEVEL_4K, V_ | X_ | A_);
    th_sd(th, TH_DATA, 0x99);
    th_emit_li(th, A1, 0xa000);
    th_emit(th, LD(A0, A1, 0));
    expect_trap(th, EXC_LOAD_PAGE_FAULT, 0xa000);

    th_reset(th, TH_CODE, RISCV_PRV_S);
    th_set_csr(th, CSR_MEDELEG, 0);
    th_set_csr(th, CSR_SATP, 8ull << 60 | pt.root >> 12);
    th_emit_li(th, A1, 0xa000);
    th_emit_li(th, A2, MSTATUS_MXR_BIT);
    th_emit(th, CSRRS(0, CSR_SSTATUS, A2));
    th_emit(th, LD(A0, A1, 0));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmphex(th_x(th, A0), ==, 0x99);
    th_free(th);
}

/* The walker sets A on access and D on write, in the PTE in memory. */
static void test_accessed_dirty(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);
    uint64_t s1 = pt_map(&pt, 0xb000, TH_DATA, LEVEL_4K, V_ | R_ | W_);
    uint64_t s2 = pt_map(&pt, 0xc000, TH_DATA + 0x1000, LEVEL_4K,
                         V_ | R_ | W_);

    th_emit_li(th, A1, 0xb000);
    th_emit(th, LD(A0, A1, 0));
    th_emit_li(th, A1, 0xc000);
    th_emit(th, SD(A0, A1, 0));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmphex(th_ld(th, s1) & (A_ | D_), ==, A_);
    g_assert_cmphex(th_ld(th, s2) & (A_ | D_), ==, A_ | D_);
    th_free(th);
}

/* MPRV: M-mode loads and stores translated as MPP = S. */
static void test_mprv(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_M, RWX_AD);

    pt_map(&pt, 0xd000, TH_DATA, LEVEL_4K, V_ | R_ | W_ | A_ | D_);
    th_sd(th, TH_DATA + 8, 0x31337);
    th_set_csr(th, CSR_MSTATUS, MSTATUS_MPRV_BIT | MSTATUS_MPP_S);
    th_emit_li(th, A1, 0xd000);
    th_emit(th, LD(A0, A1, 8));             /* translated */
    th_emit_li(th, A2, MSTATUS_MPRV_BIT);
    th_emit(th, CSRRC(0, CSR_MSTATUS, A2));
    th_emit_li(th, A1, TH_DATA);            /* bare again */
    th_emit(th, LD(A3, A1, 8));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmphex(th_x(th, A0), ==, 0x31337);
    g_assert_cmphex(th_x(th, A3), ==, 0x31337);
    th_free(th);
}

/* A changed PTE is seen after sfence.vma (by address, and global). */
static void test_sfence(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);
    uint64_t slot = pt_map(&pt, 0xe000, TH_DATA, LEVEL_4K,
                           V_ | R_ | W_ | A_ | D_);
    uint64_t new_pte = ((TH_DATA + 0x1000) >> 12) << 10 |
                       V_ | R_ | W_ | A_ | D_;

    th_sd(th, TH_DATA, 1);
    th_sd(th, TH_DATA + 0x1000, 2);
    th_emit_li(th, A1, 0xe000);
    th_emit(th, LD(A0, A1, 0));
    th_emit_li(th, A2, slot);               /* S code rewrites the PTE */
    th_emit_li(th, A3, new_pte);
    th_emit(th, SD(A3, A2, 0));
    th_emit(th, SFENCE_VMA(A1, 0));
    th_emit(th, LD(A2, A1, 0));
    th_emit_done(th);
    g_assert_cmpint(th_run(th, 1000), ==, TH_DONE);
    g_assert_cmpuint(th_x(th, A0), ==, 1);
    g_assert_cmpuint(th_x(th, A2), ==, 2);
    th_free(th);
}

/* A page-table walk that leaves RAM is an access fault. */
static void test_walk_access_fault(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);

    /* point a level-1 entry at a table outside RAM */
    uint64_t slot = pt_slot(&pt, 0x40000000ull * 6, LEVEL_1G);
    th_sd(th, slot, (0x20000000ull >> 12) << 10 | V_);
    th_emit_li(th, A1, 0x40000000ull * 6);
    th_emit(th, SD(A0, A1, 0));
    expect_trap(th, EXC_STORE_ACCESS, 0x40000000ull * 6);
    th_free(th);
}

/* MIPS with paging on: a loop in S-mode touching 64 pages of data. */
static void test_bench_paged(void)
{
    PageTables pt;
    TestHart *th = mmu_setup(&pt, 3, RISCV_PRV_S, RWX_AD);
    const uint64_t iters = 2000000;
    uint64_t loop;

    for (int i = 0; i < 64; i++) {
        pt_map(&pt, 0x100000 + i * 0x1000, TH_DATA + i * 0x1000, LEVEL_4K,
               V_ | R_ | W_ | A_ | D_);
    }
    th_emit_li(th, 5, iters);
    th_emit_li(th, A2, 0x3ffc0);            /* 64 pages, 64-byte steps */
    th_emit_li(th, A3, 0x100000);
    th_emit_li(th, 7, 0x1040);              /* next page, next line */
    loop = th->cursor;
    th_emit(th, AND(A1, A0, A2));
    th_emit(th, OR(A1, A1, A3));
    th_emit(th, LD(6, A1, 0));
    th_emit(th, ADDI(6, 6, 1));
    th_emit(th, SD(6, A1, 0));
    th_emit(th, ADD(A0, A0, 7));
    th_emit(th, ADDI(5, 5, -1));
    th_emit(th, BNE(5, 0, (int32_t)(loop - th->cursor)));
    th_emit_done(th);
    int64_t us;
    uint64_t n = th_run_timed(th, &us);
    uint64_t sum = 0;
    for (int i = 0; i < 64 * 64; i++) {
        sum += th_ld(th, TH_DATA + i * 0x40);
    }
    g_assert_cmpuint(sum, ==, iters);
    g_test_message("interpreter, Sv39 S-mode: %.1f MIPS", n / (double)us);
    th_free(th);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cpu/mmu/sv39/page-sizes", test_sv39_page_sizes);
    g_test_add_func("/cpu/mmu/sv48/four-levels", test_sv48);
    g_test_add_func("/cpu/mmu/bad-ptes", test_bad_ptes);
    g_test_add_func("/cpu/mmu/fault-causes", test_fault_causes);
    g_test_add_func("/cpu/mmu/user-supervisor-sum", test_user_supervisor);
    g_test_add_func("/cpu/mmu/mxr", test_mxr);
    g_test_add_func("/cpu/mmu/accessed-dirty", test_accessed_dirty);
    g_test_add_func("/cpu/mmu/mprv", test_mprv);
    g_test_add_func("/cpu/mmu/sfence-vma", test_sfence);
    g_test_add_func("/cpu/mmu/walk-access-fault", test_walk_access_fault);
    g_test_add_func("/cpu/bench/paged-loop-mips", test_bench_paged);
    return g_test_run();
}
