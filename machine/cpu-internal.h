/*
 * machine/cpu-internal.h - state and helpers shared by the cpu*.c files.
 * Nothing outside machine/cpu*.c may include it.
 */
#ifndef MACHINE_CPU_INTERNAL_H
#define MACHINE_CPU_INTERNAL_H

#include "machine/cpu.h"

#include <string.h>

#if G_BYTE_ORDER != G_LITTLE_ENDIAN
#error "the RAM fast path assumes a little-endian host"
#endif

#define likely(x)   __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define RISCV_PAGE_SHIFT 12
#define RISCV_PAGE_SIZE  (1ull << RISCV_PAGE_SHIFT)
#define RISCV_PAGE_MASK  (RISCV_PAGE_SIZE - 1)

/* ---- exception causes, privileged spec §3.1.15 table 3.6 ---- */
#define EXC_NONE               0xffffffffu  /* "no exception" return value */
#define EXC_INSN_MISALIGNED    0
#define EXC_INSN_ACCESS        1
#define EXC_ILLEGAL_INSN       2
#define EXC_BREAKPOINT         3
#define EXC_LOAD_MISALIGNED    4
#define EXC_LOAD_ACCESS        5
#define EXC_STORE_MISALIGNED   6
#define EXC_STORE_ACCESS       7
#define EXC_ECALL_U            8
#define EXC_ECALL_S            9
#define EXC_ECALL_M            11
#define EXC_INSN_PAGE_FAULT    12
#define EXC_LOAD_PAGE_FAULT    13
#define EXC_STORE_PAGE_FAULT   15

/* Interrupt numbers (mip bit positions), §3.1.9. */
#define IRQ_S_SOFT   1
#define IRQ_M_SOFT   3
#define IRQ_S_TIMER  5
#define IRQ_M_TIMER  7
#define IRQ_S_EXT    9
#define IRQ_M_EXT    11
#define CAUSE_INTERRUPT (1ull << 63)

/* ---- mstatus fields, §3.1.6 ---- */
#define MSTATUS_SIE   (1ull << 1)
#define MSTATUS_MIE   (1ull << 3)
#define MSTATUS_SPIE  (1ull << 5)
#define MSTATUS_MPIE  (1ull << 7)
#define MSTATUS_SPP   (1ull << 8)
#define MSTATUS_MPP_SHIFT 11
#define MSTATUS_MPP   (3ull << MSTATUS_MPP_SHIFT)
#define MSTATUS_FS_SHIFT 13
#define MSTATUS_FS    (3ull << MSTATUS_FS_SHIFT)
#define MSTATUS_FS_DIRTY MSTATUS_FS
#define MSTATUS_MPRV  (1ull << 17)
#define MSTATUS_SUM   (1ull << 18)
#define MSTATUS_MXR   (1ull << 19)
#define MSTATUS_TVM   (1ull << 20)
#define MSTATUS_TW    (1ull << 21)
#define MSTATUS_TSR   (1ull << 22)
#define MSTATUS_UXL   (3ull << 32)
#define MSTATUS_SXL   (3ull << 34)
#define MSTATUS_SD    (1ull << 63)
#define MSTATUS_XL_64 2ull   /* UXL/SXL value for XLEN 64 */

/* satp, §4.1.11 (RV64 layout). */
#define SATP_MODE_SHIFT 60
#define SATP_MODE_BARE  0
#define SATP_MODE_SV39  8
#define SATP_MODE_SV48  9
#define SATP_ASID_SHIFT 44
#define SATP_ASID_MASK  0xffffull
#define SATP_PPN_MASK   ((1ull << 44) - 1)

/* Counter-enable bits in m/scounteren, §3.1.11. */
#define COUNTEREN_CY 0x1u
#define COUNTEREN_TM 0x2u
#define COUNTEREN_IR 0x4u

/* ---- software TLB ---- */
#define RISCV_TLB_BITS 8
#define RISCV_TLB_SIZE (1u << RISCV_TLB_BITS)
#define RISCV_TLB_INVALID (~0ull)

enum { TLB_READ, TLB_WRITE, TLB_EXEC, TLB_KINDS };
/* Translation regimes a TLB set is valid for: effective privilege U, S
 * (with mstatus.SUM clear or set: Linux flips SUM around every user
 * access, so each setting keeps its own entries), or M (bare). */
enum { MMU_IDX_U, MMU_IDX_S, MMU_IDX_M, MMU_IDX_S_SUM, MMU_IDX_COUNT };

typedef struct RISCVTLBEntry {
    uint64_t page;      /* vaddr & ~RISCV_PAGE_MASK, or RISCV_TLB_INVALID
                         * (which no masked address can equal) */
    uintptr_t addend;   /* READ/WRITE: host address = vaddr + addend;
                         * EXEC: index of the RAM page */
} RISCVTLBEntry;

/* ---- decoded instructions ---- */

/* One decoded instruction.  A zeroed entry (op == OP_DECODE) means "not
 * decoded yet", so that wiping a page's cache is a memset. */
typedef struct RISCVInsn {
    uint8_t op;         /* RISCVOp */
    uint8_t rd;         /* 32 when the architectural rd is x0 (a sink) */
    uint8_t rs1, rs2;
    uint8_t len;        /* 2 or 4 */
    uint8_t rm;         /* funct3 (AMO width, FP rounding mode) */
    int16_t hoff;       /* interpreter's handler for op, as an offset in
                         * riscv_cpu_exec() (0 = decode); set by it */
    int32_t imm;        /* immediate; CSR number for CSR ops */
    uint32_t raw;       /* the instruction bits (16-bit for RVC), for tval */
} RISCVInsn;

#define RISCV_PAGE_INSNS (RISCV_PAGE_SIZE / 2)

typedef struct RISCVCodePage {
    uint32_t gen;       /* RISCVCodeCache.gen when last known current */
    /* The page's bytes when decoding started: fence.i only wipes the
     * decodes if they changed behind the harts' back (DMA, loaders);
     * the harts' own stores wipe them at once. */
    uint8_t bytes[RISCV_PAGE_SIZE];
    /* one slot per 2-byte offset, plus an always-undecoded sentinel that
     * catches execution running off the end of the page */
    RISCVInsn insn[RISCV_PAGE_INSNS + 1];
} RISCVCodePage;

/* Decoded code per physical RAM page, shared by all harts on the RAM. */
typedef struct RISCVCodeCache {
    int refcount;
    uint64_t npages;
    RISCVCodePage **pages;  /* per RAM page; NULL until code runs there */
    uint8_t *has_code;      /* per RAM page: pages[i] may hold decodes */
    uint32_t gen;           /* bumped by fence.i: older pages are stale */
    uint64_t nalloc;        /* number of allocated pages */
    GPtrArray *cpus;        /* harts sharing this cache */
    /* host code for OP_JIT slots (cpu-jit.c) */
    uint8_t *jit_arena;
    size_t jit_used;
    bool jit_full;          /* drop everything at the next safe point */
    bool jit_disabled;      /* RISCVCPUConfig.no_jit, or no arena */
} RISCVCodeCache;

/* Allocated code pages beyond which the whole cache is dropped. */
#define RISCV_CODE_CACHE_MAX_PAGES 1024

typedef enum RISCVOp {
    OP_DECODE = 0, OP_ILLEGAL, OP_CROSS_PAGE,
    OP_LUI, OP_AUIPC, OP_JAL, OP_JALR,
    OP_BEQ, OP_BNE, OP_BLT, OP_BGE, OP_BLTU, OP_BGEU,
    /* the same with a target in the same page (set by riscv_decode_slot) */
    OP_JAL_NEAR, OP_BEQ_NEAR, OP_BNE_NEAR, OP_BLT_NEAR, OP_BGE_NEAR,
    OP_BLTU_NEAR, OP_BGEU_NEAR,
    OP_LB, OP_LH, OP_LW, OP_LD, OP_LBU, OP_LHU, OP_LWU,
    OP_SB, OP_SH, OP_SW, OP_SD,
    OP_ADDI, OP_SLTI, OP_SLTIU, OP_XORI, OP_ORI, OP_ANDI,
    OP_SLLI, OP_SRLI, OP_SRAI,
    OP_ADD, OP_SUB, OP_SLL, OP_SLT, OP_SLTU, OP_XOR, OP_SRL, OP_SRA,
    OP_OR, OP_AND,
    OP_ADDIW, OP_SLLIW, OP_SRLIW, OP_SRAIW,
    OP_ADDW, OP_SUBW, OP_SLLW, OP_SRLW, OP_SRAW,
    OP_MUL, OP_MULH, OP_MULHSU, OP_MULHU, OP_DIV, OP_DIVU, OP_REM, OP_REMU,
    OP_MULW, OP_DIVW, OP_DIVUW, OP_REMW, OP_REMUW,
    OP_FENCE, OP_FENCE_I, OP_PAUSE,
    OP_ECALL, OP_EBREAK, OP_MRET, OP_SRET, OP_WFI, OP_SFENCE_VMA,
    OP_CSRRW, OP_CSRRS, OP_CSRRC, OP_CSRRWI, OP_CSRRSI, OP_CSRRCI,
    OP_AMO,             /* all of A; funct5 in imm, width in rm */
    OP_FLW, OP_FLD, OP_FSW, OP_FSD,
    OP_FP,              /* every F/D computational op; see cpu-fp.c */
    OP_JIT,             /* a compiled run: imm = code offset in the arena,
                         * raw: see RISCV_JIT_LOOPS */
    OP_COUNT
} RISCVOp;

/* ---- the hart ---- */

struct RISCVCPU {
    uint64_t x[33];     /* x[32] swallows writes to x0 */
    uint64_t pc;
    int priv;
    int mmu_idx_data;   /* MMU_IDX_* for loads and stores (MPRV aware) */

    /* Fetch: the decoded page pc is in (vpn, page), or vpn invalid. */
    uint64_t fetch_vpn;
    RISCVCodePage *fetch_page;
    const uint8_t *fetch_host;  /* host address of that page's bytes */

    RISCVTLBEntry tlb[MMU_IDX_COUNT][TLB_KINDS][RISCV_TLB_SIZE];
    bool tlb_super_user;    /* a user-half superpage was cached */
    int last_level;         /* leaf level of the last translation */

    uint64_t f[32];
    uint32_t fflags, frm;

    /* CSRs */
    uint64_t mstatus, misa, medeleg, mideleg, mie;
    uint64_t mip;       /* accessed atomically: other threads set lines */
    uint64_t mtvec, stvec, mepc, sepc, mcause, scause, mtval, stval;
    uint64_t mscratch, sscratch, satp;
    uint32_t mcounteren, scounteren, mcountinhibit;
    uint64_t instret;   /* retired instructions since reset */
    uint64_t mcycle_off, minstret_off;  /* written value - instret */
    uint8_t pmpcfg[64];
    uint64_t pmpaddr[64];

    /* LR/SC */
    bool res_valid;
    uint64_t res_addr;

    /* run state */
    bool wfi, stopped, jammed;
    bool yield;         /* a PAUSE hint asked to let other harts run */
    int exit_request;   /* atomic */
    uint32_t trap_streak;
    uint64_t last_trap_instret;
    uint64_t jam_pc, jam_cause;

    RISCVCPUConfig cfg;
    uint64_t ram_base, ram_size;
    uint8_t *ram;
    RISCVCodeCache *cc;
};

/* Consecutive traps with no instruction retired that count as a jam. */
#define RISCV_JAM_TRAPS 64

/* TLB tag compare for an access of size bytes at va: the low address
 * bits are kept in the key, so a misaligned access misses and goes to the
 * slow path (which also handles page crossing). */
static inline bool riscv_tlb_hit(const RISCVTLBEntry *t, uint64_t va,
                                 unsigned size)
{
    return t->page == (va & ~(RISCV_PAGE_MASK & ~(uint64_t)(size - 1)));
}

static inline RISCVTLBEntry *riscv_tlb_entry(RISCVTLBEntry *set, uint64_t va)
{
    return &set[(va >> RISCV_PAGE_SHIFT) & (RISCV_TLB_SIZE - 1)];
}

/* The regime of instruction fetch at priv (SUM never applies to it). */
static inline int riscv_mmu_index(int priv)
{
    return priv == RISCV_PRV_M ? MMU_IDX_M : priv;
}

static inline bool riscv_paddr_in_ram(RISCVCPU *cpu, uint64_t pa,
                                      uint64_t len)
{
    return pa >= cpu->ram_base && pa - cpu->ram_base < cpu->ram_size &&
           len <= cpu->ram_size - (pa - cpu->ram_base);
}

static inline uint64_t riscv_mip(RISCVCPU *cpu)
{
    return __atomic_load_n(&cpu->mip, __ATOMIC_RELAXED);
}

static inline void riscv_mark_fs_dirty(RISCVCPU *cpu)
{
    cpu->mstatus |= MSTATUS_FS_DIRTY;
}

/* cpu.c */
/* Take a synchronous exception at cpu->pc (the faulting instruction). */
void riscv_cpu_raise(RISCVCPU *cpu, uint32_t cause, uint64_t tval);
/* Recompute mmu_idx_data after a priv or mstatus change. */
void riscv_cpu_update_mode(RISCVCPU *cpu);
bool riscv_cpu_do_mret(RISCVCPU *cpu);
bool riscv_cpu_do_sret(RISCVCPU *cpu);

/* cpu-exec.c */
/* Run about max steps (instructions retired or traps taken); returns the
 * number of steps, at least 1.  Straight-line code may run past max by
 * less than a page's worth (RISCV_PAGE_INSNS); single runs exactly one.
 * Returns early after anything that may change interrupt, translation or
 * run state (CSR writes, xRET, WFI, fences, ecalls, MMIO and other
 * slow-path stores and loads), so that the caller re-checks interrupts
 * between calls. */
uint64_t riscv_cpu_exec(RISCVCPU *cpu, uint64_t max, bool single);

/* cpu-decode.c */
/* The op without the same-page shortcut (OP_BEQ for OP_BEQ_NEAR, ...). */
static inline uint8_t riscv_far_op(uint8_t op)
{
    if (op == OP_JAL_NEAR) {
        return OP_JAL;
    }
    if (op >= OP_BEQ_NEAR && op <= OP_BGEU_NEAR) {
        return op - OP_BEQ_NEAR + OP_BEQ;
    }
    return op;
}
/* Decode one 32-bit (or expanded RVC) instruction.  raw16 != 0 marks an
 * RVC original, used for len and tval. */
void riscv_decode(RISCVInsn *d, uint32_t insn, uint32_t raw16);
/* Decode the slot at byte offset off of a RAM page (host bytes page). */
void riscv_decode_slot(RISCVInsn *d, const uint8_t *page, unsigned off);
/* Expand a 16-bit RVC instruction to its 32-bit equivalent; 0 = illegal. */
uint32_t riscv_rvc_expand(uint16_t c);

/* cpu-insn.c: out-of-line instructions, called with cpu->pc/instret
 * synced.  riscv_exec_amo: LR/SC/AMOs (tval = the address);
 * riscv_exec_system: fences, ECALL/EBREAK, xRET, WFI, SFENCE.VMA, which on
 * success leave cpu->pc at the next instruction; riscv_exec_csr: Zicsr,
 * also steps cpu->pc, and reports whether it wrote the CSR. */
uint32_t riscv_exec_amo(RISCVCPU *cpu, const RISCVInsn *d);
uint32_t riscv_exec_system(RISCVCPU *cpu, const RISCVInsn *d);
uint32_t riscv_exec_csr(RISCVCPU *cpu, const RISCVInsn *d, bool *wrote);

/* cpu-csr.c: the CSR instruction; returns EXC_NONE or the exception. */
uint32_t riscv_csr_access(RISCVCPU *cpu, unsigned csr, int op,
                          uint64_t src, bool do_write, bool do_read,
                          uint64_t *old);
bool riscv_csr_read_raw(RISCVCPU *cpu, unsigned csr, uint64_t *val);
bool riscv_csr_write_raw(RISCVCPU *cpu, unsigned csr, uint64_t val);
void riscv_csr_reset(RISCVCPU *cpu);

/* cpu-mmu.c */
void riscv_tlb_flush(RISCVCPU *cpu);
/* sfence.vma with an address: drop the translations of va. */
void riscv_tlb_flush_va(RISCVCPU *cpu, uint64_t va);
/* Translate vaddr for access kind (TLB_*) in regime mmu_idx.  Returns
 * EXC_NONE and *pa, or the fault cause. */
uint32_t riscv_mmu_translate(RISCVCPU *cpu, uint64_t va, int kind,
                             int mmu_idx, uint64_t *pa);
uint32_t riscv_load_slow(RISCVCPU *cpu, uint64_t va, unsigned size,
                         uint64_t *val);
uint32_t riscv_store_slow(RISCVCPU *cpu, uint64_t va, unsigned size,
                          uint64_t val);
/* Host pointer for an atomic access of size bytes at va: natural
 * alignment, RAM, and read (is_lr: LR, with load-type fault causes) or
 * write permission (SC/AMO, store-type causes). */
uint32_t riscv_amo_ptr(RISCVCPU *cpu, uint64_t va, unsigned size,
                       bool is_lr, void **host);
/* Make cpu->fetch_page/fetch_vpn cover pc.  Returns EXC_NONE or a cause
 * (tval = pc). */
uint32_t riscv_fetch_slow(RISCVCPU *cpu, uint64_t pc);
/* Read up to 4 bytes of instruction at pc bypassing the decode cache. */
uint32_t riscv_fetch_raw(RISCVCPU *cpu, uint64_t pc, uint32_t *insn,
                         uint64_t *tval);
/* Code cache */
RISCVCodeCache *riscv_code_cache_new(uint64_t ram_size);
void riscv_code_cache_unref(RISCVCodeCache *cc);
void riscv_code_cache_flush(RISCVCodeCache *cc);
void riscv_code_invalidate_page(RISCVCPU *cpu, uint64_t ram_page);

/* cpu-jit.c: host code for runs of integer instructions */
/* Runs shorter than this are left to the interpreter. */
#define RISCV_JIT_MIN_RUN 3
/* Ops a compiled run may hold; loads and stores (riscv_jit_is_mem) may
 * hand back to the interpreter. */
bool riscv_jit_supported(uint8_t op);
bool riscv_jit_is_mem(uint8_t op);
/* Compiled code: runs at most iters loop iterations (loops only) and
 * returns p | iterations_left << 16, where p is the index of the next
 * instruction of the run: count when it ran to the end, less when a load
 * or store missed the TLB (the interpreter runs that one next) or, as 0,
 * when the iterations were used up. */
typedef uint64_t (*RISCVJitFn)(uint64_t *x, RISCVTLBEntry *tlb_read,
                               RISCVTLBEntry *tlb_write, uint64_t iters);
/* Compile count decoded instructions starting at first (consecutive slots
 * of one page) and turn first into OP_JIT.  With loops, the last one is a
 * conditional branch back to first, and the code loops by itself.  False:
 * not compiled (no arena, or full: cc->jit_full asks for a flush). */
bool riscv_jit_compile(RISCVCodeCache *cc, RISCVInsn *first, unsigned count,
                       bool loops);
/* OP_JIT's raw: count | RISCV_JIT_LOOPS if it loops | slots << 16 */
#define RISCV_JIT_COUNT_MASK 0x0fffu
#define RISCV_JIT_LOOPS      0x8000u
#define RISCV_JIT_MAX_ITERS  (1ull << 40)
/* Forget all host code (every OP_JIT slot must be gone already). */
void riscv_jit_reset(RISCVCodeCache *cc);
void riscv_jit_free(RISCVCodeCache *cc);

/* cpu-fp.c */
uint32_t riscv_fp_exec(RISCVCPU *cpu, const RISCVInsn *d);
/* Read f[reg] as binary32: an improperly NaN-boxed value reads as the
 * canonical NaN (unprivileged spec §13.2 / D extension "NaN boxing"). */
static inline uint32_t riscv_fp_get_s(RISCVCPU *cpu, unsigned reg)
{
    uint64_t v = cpu->f[reg];
    return (v >> 32) == 0xffffffffu ? (uint32_t)v : 0x7fc00000u;
}
static inline void riscv_fp_set_s(RISCVCPU *cpu, unsigned reg, uint32_t v)
{
    cpu->f[reg] = 0xffffffff00000000ull | v;
    riscv_mark_fs_dirty(cpu);
}
static inline void riscv_fp_set_d(RISCVCPU *cpu, unsigned reg, uint64_t v)
{
    cpu->f[reg] = v;
    riscv_mark_fs_dirty(cpu);
}

#endif /* MACHINE_CPU_INTERNAL_H */
