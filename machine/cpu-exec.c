/*
 * machine/cpu-exec.c - the interpreter's inner loop: fetch a decoded
 * instruction from the per-page cache, dispatch on its op, and execute
 * RV64I and M inline.  A, Zicsr, fences and the privileged instructions
 * run out of line in cpu-insn.c, F/D computation in cpu-fp.c, CSRs in
 * cpu-csr.c, translation in cpu-mmu.c.
 *
 * The hot path keeps pc and the step count in locals, reaches RAM through
 * the TLB (host address = vaddr + addend) and leaves the loop only for
 * traps and for instructions that may change interrupt or translation state
 * (CSR writes, xRET, WFI, fences, MMIO).
 */
#include "machine/cpu-internal.h"

/*
 * The loop is direct-threaded: each handler ends by dispatching the next
 * instruction itself (computed goto), so the host branch predictor sees
 * one indirect jump per handler instead of one shared jump.
 *
 * There is no pc variable on the sequential path: d points into the
 * current page's slots and pc is derived from it (PC()).  Straight-line
 * code runs into the never-decoded sentinel slot after the page; jumps and
 * taken branches check the target page and the step budget.
 */
/* GCC would otherwise merge the replicated dispatch tails back into one
 * shared indirect jump (cross-jumping), undoing the threading.  (Clang
 * keeps them apart by itself and knows no such attribute.) */
#if defined(__GNUC__) && !defined(__clang__)
#define EXEC_KEEP_DISPATCH __attribute__((optimize("no-crossjumping", "no-gcse")))
#else
#define EXEC_KEEP_DISPATCH
#endif
EXEC_KEEP_DISPATCH
uint64_t riscv_cpu_exec(RISCVCPU *cpu, uint64_t max, bool single)
{
    /* Handler addresses as offsets from L_OP_DECODE: they fit the 16-bit
     * RISCVInsn.hoff, so dispatch is one load from the slot. */
    static const int32_t handler_off[OP_COUNT][2] = {
#define L1(op) [op] = { &&L_##op - &&L_OP_DECODE, &&L_##op - &&L_OP_DECODE }
#define L2(op) [op] = { &&L_##op##_2 - &&L_OP_DECODE,                        \
                        &&L_##op##_4 - &&L_OP_DECODE }
        L1(OP_DECODE),
        L1(OP_ILLEGAL),
        L1(OP_CROSS_PAGE),
        L2(OP_LUI),
        L2(OP_AUIPC),
        L2(OP_JAL),
        L2(OP_JALR),
        L2(OP_BEQ),
        L2(OP_BNE),
        L2(OP_BLT),
        L2(OP_BGE),
        L2(OP_BLTU),
        L2(OP_BGEU),
        L2(OP_JAL_NEAR), L2(OP_BEQ_NEAR), L2(OP_BNE_NEAR), L2(OP_BLT_NEAR),
        L2(OP_BGE_NEAR), L2(OP_BLTU_NEAR), L2(OP_BGEU_NEAR),
        L2(OP_LB),
        L2(OP_LH),
        L2(OP_LW),
        L2(OP_LD),
        L2(OP_LBU),
        L2(OP_LHU),
        L2(OP_LWU),
        L2(OP_SB),
        L2(OP_SH),
        L2(OP_SW),
        L2(OP_SD),
        L2(OP_ADDI),
        L2(OP_SLTI),
        L2(OP_SLTIU),
        L2(OP_XORI),
        L2(OP_ORI),
        L2(OP_ANDI),
        L2(OP_SLLI),
        L2(OP_SRLI),
        L2(OP_SRAI),
        L2(OP_ADD),
        L2(OP_SUB),
        L2(OP_SLL),
        L2(OP_SLT),
        L2(OP_SLTU),
        L2(OP_XOR),
        L2(OP_SRL),
        L2(OP_SRA),
        L2(OP_OR),
        L2(OP_AND),
        L2(OP_ADDIW),
        L2(OP_SLLIW),
        L2(OP_SRLIW),
        L2(OP_SRAIW),
        L2(OP_ADDW),
        L2(OP_SUBW),
        L2(OP_SLLW),
        L2(OP_SRLW),
        L2(OP_SRAW),
        L2(OP_MUL),
        L2(OP_MULH),
        L2(OP_MULHSU),
        L2(OP_MULHU),
        L2(OP_DIV),
        L2(OP_DIVU),
        L2(OP_REM),
        L2(OP_REMU),
        L2(OP_MULW),
        L2(OP_DIVW),
        L2(OP_DIVUW),
        L2(OP_REMW),
        L2(OP_REMUW),
        L2(OP_FENCE),
        L1(OP_FENCE_I),
        L1(OP_PAUSE),
        L1(OP_JIT),
        L1(OP_ECALL),
        L1(OP_EBREAK),
        L1(OP_MRET),
        L1(OP_SRET),
        L1(OP_WFI),
        L1(OP_SFENCE_VMA),
        L1(OP_CSRRW),
        L1(OP_CSRRS),
        L1(OP_CSRRC),
        L1(OP_CSRRWI),
        L1(OP_CSRRSI),
        L1(OP_CSRRCI),
        L1(OP_AMO),
        L1(OP_FLW),
        L1(OP_FLD),
        L2(OP_FSW),
        L2(OP_FSD),
        L1(OP_FP),
#undef L1
#undef L2
    };
    uint64_t *const x = cpu->x;
    uint64_t n = 0;
    const uint64_t instret0 = cpu->instret;
    RISCVTLBEntry *const tlb_r = cpu->tlb[cpu->mmu_idx_data][TLB_READ];
    RISCVTLBEntry *const tlb_w = cpu->tlb[cpu->mmu_idx_data][TLB_WRITE];
    uint64_t fetch_vpn = cpu->fetch_vpn;
    uint64_t vbase = 0;             /* guest virtual address of page[0] */
    RISCVInsn *page = NULL;
    RISCVInsn tramp[3];             /* a page-straddling instruction */
    const RISCVInsn *d;
    uint64_t pc = cpu->pc;
    uint32_t exc;
    uint64_t tval;

#define PC() (vbase + ((uint64_t)(d - page) << 1))
/* Keep cpu->pc/instret exact before calling out of the loop (pc set). */
#define SYNC() do { cpu->pc = pc; cpu->instret = instret0 + n; } while (0)
#define DISPATCH() goto *(const void *)((const char *)&&L_OP_DECODE + d->hoff)
/* Retire the current instruction and run the next one in sequence.  The
 * budget is not checked here: a straight-line run ends at a jump or at the
 * page's sentinel slot, which check it. */
#define NEXT() do {                                                         \
        n++;                                                               \
        d += step;                                                         \
        DISPATCH();                                                        \
    } while (0)
/*
 * A handler for an op that exists in a 2-byte (RVC) and a 4-byte form: the
 * body is instantiated twice, with the slot step a constant, so that the
 * next slot's address does not wait for a load of d->len.
 */
#define HANDLER(op, ...)                                                    \
    L_##op##_2: { enum { step = 1 }; __VA_ARGS__ }                         \
    L_##op##_4: { enum { step = 2 }; __VA_ARGS__ }
/* Retire the current instruction and continue at pc (any address). */
#define JUMP(target) do {                                                   \
        pc = (target);                                                     \
        n++;                                                               \
        if (likely((pc >> RISCV_PAGE_SHIFT) == fetch_vpn && n < max)) {    \
            d = &page[(pc & RISCV_PAGE_MASK) >> 1];                        \
            DISPATCH();                                                    \
        }                                                                  \
        goto refetch;                                                      \
    } while (0)
#define ILLEGAL() do { pc = PC(); goto illegal; } while (0)

#define LOAD(type) do {                                                     \
        uint64_t va_ = x[d->rs1] + (int64_t)d->imm;                        \
        const RISCVTLBEntry *t_ = riscv_tlb_entry(tlb_r, va_);             \
        if (likely(riscv_tlb_hit(t_, va_, sizeof(type)))) {                \
            type v_;                                                       \
            memcpy(&v_, (const void *)(uintptr_t)(va_ + t_->addend),       \
                   sizeof(type));                                          \
            x[d->rd] = (uint64_t)(int64_t)v_;                              \
            NEXT();                                                        \
        }                                                                  \
        uint64_t w_;                                                       \
        RISCVInsn di_ = *d;     /* the walk may wipe *d (A-bit update) */  \
        pc = PC();                                                         \
        SYNC();                                                            \
        exc = riscv_load_slow(cpu, va_, sizeof(type), &w_);                \
        if (exc != EXC_NONE) {                                             \
            tval = va_;                                                    \
            goto exception;                                                \
        }                                                                  \
        x[di_.rd] = (uint64_t)(int64_t)(type)w_;                           \
        pc += di_.len;                                                     \
        n++;                                                               \
        goto leave;             /* MMIO may have raised an interrupt */    \
    } while (0)

#define STORE(type, val) do {                                               \
        uint64_t va_ = x[d->rs1] + (int64_t)d->imm;                        \
        const RISCVTLBEntry *t_ = riscv_tlb_entry(tlb_w, va_);             \
        type v_ = (type)(val);                                             \
        if (likely(riscv_tlb_hit(t_, va_, sizeof(type)))) {                \
            memcpy((void *)(uintptr_t)(va_ + t_->addend), &v_,             \
                   sizeof(type));                                          \
            NEXT();                                                        \
        }                                                                  \
        const unsigned len_ = d->len;   /* the store may wipe *d */        \
        pc = PC();                                                         \
        SYNC();                                                            \
        exc = riscv_store_slow(cpu, va_, sizeof(type), (uint64_t)v_);      \
        if (exc != EXC_NONE) {                                             \
            tval = va_;                                                    \
            goto exception;                                                \
        }                                                                  \
        /* it may have hit decoded code or an interrupt controller */     \
        pc += len_;                                                        \
        n++;                                                               \
        goto leave;                                                        \
    } while (0)

#define FS_CHECK() do {                                                     \
        if (unlikely(!(cpu->mstatus & MSTATUS_FS))) {                      \
            ILLEGAL();                                                     \
        }                                                                  \
    } while (0)

/* Same-page control transfer: the target slot is imm/2 slots away. */
#define JUMP_NEAR() do {                                                    \
        n++;                                                               \
        d += d->imm >> 1;                                                  \
        if (unlikely(n >= max)) {                                          \
            goto budget_spent;                                             \
        }                                                                  \
        DISPATCH();                                                        \
    } while (0)

#define BRANCH_NEAR(cond) do {                                              \
        if (cond) {                                                        \
            JUMP_NEAR();                                                   \
        }                                                                  \
        NEXT();                                                            \
    } while (0)

#define BRANCH(cond) do {                                                   \
        if (cond) {                                                        \
            JUMP(PC() + (int64_t)d->imm);                                  \
        }                                                                  \
        NEXT();                                                            \
    } while (0)

#define DISPATCH_PAGE_SLOT() do {                                           \
        if (unlikely(single)) {                                            \
            goto single_step;                                              \
        }                                                                  \
        DISPATCH();                                                        \
    } while (0)

    if (likely(fetch_vpn != RISCV_TLB_INVALID &&
               (pc >> RISCV_PAGE_SHIFT) == fetch_vpn)) {
        vbase = fetch_vpn << RISCV_PAGE_SHIFT;
        page = cpu->fetch_page->insn;
        d = &page[(pc & RISCV_PAGE_MASK) >> 1];
        DISPATCH_PAGE_SLOT();
    }

refetch:
    /* pc is the next instruction; n counts what has retired so far. */
    if (n >= max) {
        goto out;
    }
    {
        /* Fast path of riscv_fetch_slow(): the exec TLB knows the page
         * and its decodes are current and watched. */
        const RISCVTLBEntry *t =
            riscv_tlb_entry(cpu->tlb[riscv_mmu_index(cpu->priv)][TLB_EXEC],
                            pc);
        if (likely(t->page == (pc & ~RISCV_PAGE_MASK))) {
            RISCVCodeCache *cc = cpu->cc;
            uint64_t pg = t->addend;
            RISCVCodePage *p = cc->pages[pg];
            if (likely(p && p->gen == cc->gen && cc->has_code[pg])) {
                fetch_vpn = cpu->fetch_vpn = pc >> RISCV_PAGE_SHIFT;
                cpu->fetch_page = p;
                cpu->fetch_host = cpu->ram + (pg << RISCV_PAGE_SHIFT);
                vbase = pc & ~RISCV_PAGE_MASK;
                page = p->insn;
                d = &page[(pc & RISCV_PAGE_MASK) >> 1];
                DISPATCH_PAGE_SLOT();
            }
        }
    }
    SYNC();
    exc = riscv_fetch_slow(cpu, pc);
    if (exc != EXC_NONE) {
        tval = pc;
        goto exception;
    }
    fetch_vpn = cpu->fetch_vpn;
    vbase = fetch_vpn << RISCV_PAGE_SHIFT;
    page = cpu->fetch_page->insn;
    d = &page[(pc & RISCV_PAGE_MASK) >> 1];
    DISPATCH_PAGE_SLOT();

single_step:
    /* Exactly one instruction: run a fresh decode of the slot (not a
     * compiled run, no same-page shortcut) from the trampoline, whose
     * sentinel comes straight back to refetch (and out). */
    {
        RISCVInsn one;
        riscv_decode_slot(&one, cpu->fetch_host, (unsigned)(d - page) << 1);
        if (one.op == OP_CROSS_PAGE) {
            goto L_OP_CROSS_PAGE;   /* runs from the trampoline already */
        }
        pc = PC();
        memset(tramp, 0, sizeof(tramp));
        tramp[0] = one;
    }
    tramp[0].op = riscv_far_op(tramp[0].op);
    tramp[0].hoff = handler_off[tramp[0].op][tramp[0].len == 4];
    vbase = pc;
    page = tramp;
    fetch_vpn = RISCV_TLB_INVALID;
    d = tramp;
    DISPATCH();

L_OP_DECODE:
    if (unlikely(page == tramp || d >= page + RISCV_PAGE_INSNS)) {
        /* the sentinel after the last slot: on to the next page */
        pc = PC();
        goto refetch;
    }
    riscv_decode_slot((RISCVInsn *)d, cpu->fetch_host,
                      (unsigned)(d - page) << 1);
    /* the function is far smaller than 32 KiB; check the offset fits */
    {
        int32_t off = handler_off[d->op][d->len == 4];
        g_assert(off == (int16_t)off);
        ((RISCVInsn *)d)->hoff = off;
    }
    if (riscv_jit_supported(d->op) && !cpu->cc->jit_disabled) {
        /* Decode the straight-line run ahead and compile it if long. */
        RISCVInsn *s = (RISCVInsn *)d;
        unsigned count = 0;
        bool loops = false;
        while (s < page + RISCV_PAGE_INSNS && count < RISCV_PAGE_INSNS) {
            if (s->op == OP_DECODE) {
                riscv_decode_slot(s, cpu->fetch_host,
                                  (unsigned)(s - page) << 1);
                s->hoff = handler_off[s->op][s->len == 4];
            }
            if (!riscv_jit_supported(s->op)) {
                /* a conditional branch back to the start closes a loop */
                uint8_t far = riscv_far_op(s->op);
                if (far >= OP_BEQ && far <= OP_BGEU &&
                    s + (s->imm >> 1) == d) {
                    loops = true;
                    count++;
                }
                break;
            }
            count++;
            s += s->len >> 1;
        }
        if (count >= RISCV_JIT_MIN_RUN &&
            riscv_jit_compile(cpu->cc, (RISCVInsn *)d, count, loops)) {
            ((RISCVInsn *)d)->hoff = handler_off[OP_JIT][0];
        }
        /* A branch further back than our start closes a loop that begins
         * inside or before this run: compile that loop on its own, so its
         * head becomes a looping OP_JIT. */
        if (!loops && s < page + RISCV_PAGE_INSNS) {
            uint8_t far = riscv_far_op(s->op);
            RISCVInsn *t = s + (s->imm >> 1);
            if (far >= OP_BEQ && far <= OP_BGEU && t >= page && t < s &&
                t != d && t->op != OP_JIT) {
                RISCVInsn *u = t;
                unsigned k = 0;
                while (u < s) {
                    if (u->op == OP_DECODE) {
                        riscv_decode_slot(u, cpu->fetch_host,
                                          (unsigned)(u - page) << 1);
                        u->hoff = handler_off[u->op][u->len == 4];
                    }
                    if (!riscv_jit_supported(u->op)) {
                        break;
                    }
                    k++;
                    u += u->len >> 1;
                }
                if (u == s && k + 1 >= RISCV_JIT_MIN_RUN &&
                    riscv_jit_compile(cpu->cc, t, k + 1, true)) {
                    t->hoff = handler_off[OP_JIT][0];
                }
            }
        }
    }
    DISPATCH();

L_OP_JIT: {
        /* a compiled run of integer instructions, maybe a loop */
        const uint32_t info = d->raw;
        const uint32_t count = info & RISCV_JIT_COUNT_MASK;
        uint64_t iters = 1;
        if (info & RISCV_JIT_LOOPS) {
            if (unlikely(n >= max)) {
                pc = PC();
                goto refetch;           /* budget spent: out */
            }
            /* bounded so that iterations_left << 16 cannot overflow */
            iters = MIN(MAX((max - n) / count, 1), RISCV_JIT_MAX_ITERS);
        }
        const uint64_t r = ((RISCVJitFn)(cpu->cc->jit_arena + d->imm))(
                               x, tlb_r, tlb_w, iters);
        const uint32_t p = r & 0xffff;
        const uint64_t retired = (iters - (r >> 16)) * count + p;
        n += retired;
        if (likely(p == count)) {
            d += info >> 16;
            DISPATCH();
        }
        if (unlikely(retired == 0)) {
            /* the first instruction's load/store missed, and its slot
             * holds the run: run a fresh decode of it instead */
            goto single_step;
        }
        /* a load or store missed the TLB (or the iterations ran out, p=0):
         * the interpreter goes on from instruction p */
        for (uint32_t i = 0; i < p; i++) {
            d += d->len >> 1;
        }
        DISPATCH();
    }
L_OP_CROSS_PAGE: {
        uint32_t insn;
        pc = PC();
        SYNC();
        exc = riscv_fetch_raw(cpu, pc, &insn, &tval);
        if (exc != EXC_NONE) {
            goto exception;
        }
        /* Run it from a 3-slot trampoline "page" based at pc, whose
         * sentinel sends execution back through refetch. */
        memset(tramp, 0, sizeof(tramp));
        riscv_decode(&tramp[0], insn, 0);
        tramp[0].hoff = handler_off[tramp[0].op][tramp[0].len == 4];
        vbase = pc;
        page = tramp;
        fetch_vpn = RISCV_TLB_INVALID;
        d = tramp;
        DISPATCH();
    }
L_OP_ILLEGAL:
    ILLEGAL();

HANDLER(OP_LUI,
    x[d->rd] = (int64_t)d->imm;
    NEXT();
)

HANDLER(OP_AUIPC,
    x[d->rd] = PC() + (int64_t)d->imm;
    NEXT();
)

HANDLER(OP_JAL,
    uint64_t here = PC();
    x[d->rd] = here + 2 * step;
    JUMP(here + (int64_t)d->imm);
)

HANDLER(OP_JALR,
    uint64_t target = (x[d->rs1] + (int64_t)d->imm) & ~1ull;
    x[d->rd] = PC() + 2 * step;
    JUMP(target);
)

HANDLER(OP_JAL_NEAR,
    x[d->rd] = PC() + 2 * step;
    JUMP_NEAR();
)
HANDLER(OP_BEQ_NEAR, BRANCH_NEAR(x[d->rs1] == x[d->rs2]);)
HANDLER(OP_BNE_NEAR, BRANCH_NEAR(x[d->rs1] != x[d->rs2]);)
HANDLER(OP_BLT_NEAR, BRANCH_NEAR((int64_t)x[d->rs1] < (int64_t)x[d->rs2]);)
HANDLER(OP_BGE_NEAR, BRANCH_NEAR((int64_t)x[d->rs1] >= (int64_t)x[d->rs2]);)
HANDLER(OP_BLTU_NEAR, BRANCH_NEAR(x[d->rs1] < x[d->rs2]);)
HANDLER(OP_BGEU_NEAR, BRANCH_NEAR(x[d->rs1] >= x[d->rs2]);)

HANDLER(OP_BEQ,
    BRANCH(x[d->rs1] == x[d->rs2]);
)

HANDLER(OP_BNE,
    BRANCH(x[d->rs1] != x[d->rs2]);
)

HANDLER(OP_BLT,
    BRANCH((int64_t)x[d->rs1] < (int64_t)x[d->rs2]);
)

HANDLER(OP_BGE,
    BRANCH((int64_t)x[d->rs1] >= (int64_t)x[d->rs2]);
)

HANDLER(OP_BLTU,
    BRANCH(x[d->rs1] < x[d->rs2]);
)

HANDLER(OP_BGEU,
    BRANCH(x[d->rs1] >= x[d->rs2]);
)

HANDLER(OP_LB,
    LOAD(int8_t);
)

HANDLER(OP_LH,
    LOAD(int16_t);
)

HANDLER(OP_LW,
    LOAD(int32_t);
)

HANDLER(OP_LD,
    LOAD(int64_t);
)

HANDLER(OP_LBU,
    LOAD(uint8_t);
)

HANDLER(OP_LHU,
    LOAD(uint16_t);
)

HANDLER(OP_LWU,
    LOAD(uint32_t);
)

HANDLER(OP_SB,
    STORE(uint8_t, x[d->rs2]);
)

HANDLER(OP_SH,
    STORE(uint16_t, x[d->rs2]);
)

HANDLER(OP_SW,
    STORE(uint32_t, x[d->rs2]);
)

HANDLER(OP_SD,
    STORE(uint64_t, x[d->rs2]);
)

HANDLER(OP_ADDI,
    x[d->rd] = x[d->rs1] + (int64_t)d->imm;
    NEXT();
)

HANDLER(OP_SLTI,
    x[d->rd] = (int64_t)x[d->rs1] < (int64_t)d->imm;
    NEXT();
)

HANDLER(OP_SLTIU,
    x[d->rd] = x[d->rs1] < (uint64_t)(int64_t)d->imm;
    NEXT();
)

HANDLER(OP_XORI,
    x[d->rd] = x[d->rs1] ^ (int64_t)d->imm;
    NEXT();
)

HANDLER(OP_ORI,
    x[d->rd] = x[d->rs1] | (int64_t)d->imm;
    NEXT();
)

HANDLER(OP_ANDI,
    x[d->rd] = x[d->rs1] & (int64_t)d->imm;
    NEXT();
)

HANDLER(OP_SLLI,
    x[d->rd] = x[d->rs1] << d->imm;
    NEXT();
)

HANDLER(OP_SRLI,
    x[d->rd] = x[d->rs1] >> d->imm;
    NEXT();
)

HANDLER(OP_SRAI,
    x[d->rd] = (int64_t)x[d->rs1] >> d->imm;
    NEXT();
)

HANDLER(OP_ADD,
    x[d->rd] = x[d->rs1] + x[d->rs2];
    NEXT();
)

HANDLER(OP_SUB,
    x[d->rd] = x[d->rs1] - x[d->rs2];
    NEXT();
)

HANDLER(OP_SLL,
    x[d->rd] = x[d->rs1] << (x[d->rs2] & 63);
    NEXT();
)

HANDLER(OP_SLT,
    x[d->rd] = (int64_t)x[d->rs1] < (int64_t)x[d->rs2];
    NEXT();
)

HANDLER(OP_SLTU,
    x[d->rd] = x[d->rs1] < x[d->rs2];
    NEXT();
)

HANDLER(OP_XOR,
    x[d->rd] = x[d->rs1] ^ x[d->rs2];
    NEXT();
)

HANDLER(OP_SRL,
    x[d->rd] = x[d->rs1] >> (x[d->rs2] & 63);
    NEXT();
)

HANDLER(OP_SRA,
    x[d->rd] = (int64_t)x[d->rs1] >> (x[d->rs2] & 63);
    NEXT();
)

HANDLER(OP_OR,
    x[d->rd] = x[d->rs1] | x[d->rs2];
    NEXT();
)

HANDLER(OP_AND,
    x[d->rd] = x[d->rs1] & x[d->rs2];
    NEXT();
)

HANDLER(OP_ADDIW,
    x[d->rd] = (int64_t)(int32_t)(x[d->rs1] + d->imm);
    NEXT();
)

HANDLER(OP_SLLIW,
    x[d->rd] = (int64_t)(int32_t)((uint32_t)x[d->rs1] << d->imm);
    NEXT();
)

HANDLER(OP_SRLIW,
    x[d->rd] = (int64_t)(int32_t)((uint32_t)x[d->rs1] >> d->imm);
    NEXT();
)

HANDLER(OP_SRAIW,
    x[d->rd] = (int64_t)((int32_t)x[d->rs1] >> d->imm);
    NEXT();
)

HANDLER(OP_ADDW,
    x[d->rd] = (int64_t)(int32_t)(x[d->rs1] + x[d->rs2]);
    NEXT();
)

HANDLER(OP_SUBW,
    x[d->rd] = (int64_t)(int32_t)(x[d->rs1] - x[d->rs2]);
    NEXT();
)

HANDLER(OP_SLLW,
    x[d->rd] = (int64_t)(int32_t)((uint32_t)x[d->rs1] << (x[d->rs2] & 31));
    NEXT();
)

HANDLER(OP_SRLW,
    x[d->rd] = (int64_t)(int32_t)((uint32_t)x[d->rs1] >> (x[d->rs2] & 31));
    NEXT();
)

HANDLER(OP_SRAW,
    x[d->rd] = (int64_t)((int32_t)x[d->rs1] >> (x[d->rs2] & 31));
    NEXT();
)

    /* M extension; division corner cases per unprivileged spec §7.2 table
     * 7.1 (no traps). */

HANDLER(OP_MUL,
    x[d->rd] = x[d->rs1] * x[d->rs2];
    NEXT();
)

HANDLER(OP_MULH,
    x[d->rd] = (uint64_t)(((__int128)(int64_t)x[d->rs1] *
                           (__int128)(int64_t)x[d->rs2]) >> 64);
    NEXT();
)

HANDLER(OP_MULHSU,
    x[d->rd] = (uint64_t)(((__int128)(int64_t)x[d->rs1] *
                           (__int128)(unsigned __int128)x[d->rs2]) >> 64);
    NEXT();
)

HANDLER(OP_MULHU,
    x[d->rd] = (uint64_t)(((unsigned __int128)x[d->rs1] * x[d->rs2]) >> 64);
    NEXT();
)

HANDLER(OP_DIV,
    int64_t a = x[d->rs1], b = x[d->rs2];
    x[d->rd] = b == 0 ? UINT64_MAX
             : (a == INT64_MIN && b == -1) ? (uint64_t)a
             : (uint64_t)(a / b);
    NEXT();
)

HANDLER(OP_DIVU,
    uint64_t a = x[d->rs1], b = x[d->rs2];
    x[d->rd] = b == 0 ? UINT64_MAX : a / b;
    NEXT();
)

HANDLER(OP_REM,
    int64_t a = x[d->rs1], b = x[d->rs2];
    x[d->rd] = b == 0 ? (uint64_t)a
             : (a == INT64_MIN && b == -1) ? 0 : (uint64_t)(a % b);
    NEXT();
)

HANDLER(OP_REMU,
    uint64_t a = x[d->rs1], b = x[d->rs2];
    x[d->rd] = b == 0 ? a : a % b;
    NEXT();
)

HANDLER(OP_MULW,
    x[d->rd] = (int64_t)(int32_t)(x[d->rs1] * x[d->rs2]);
    NEXT();
)

HANDLER(OP_DIVW,
    int32_t a = x[d->rs1], b = x[d->rs2];
    x[d->rd] = (int64_t)(b == 0 ? -1
                         : (a == INT32_MIN && b == -1) ? a : a / b);
    NEXT();
)

HANDLER(OP_DIVUW,
    uint32_t a = x[d->rs1], b = x[d->rs2];
    x[d->rd] = (int64_t)(int32_t)(b == 0 ? UINT32_MAX : a / b);
    NEXT();
)

HANDLER(OP_REMW,
    int32_t a = x[d->rs1], b = x[d->rs2];
    x[d->rd] = (int64_t)(b == 0 ? a
                         : (a == INT32_MIN && b == -1) ? 0 : a % b);
    NEXT();
)

HANDLER(OP_REMUW,
    uint32_t a = x[d->rs1], b = x[d->rs2];
    x[d->rd] = (int64_t)(int32_t)(b == 0 ? a : a % b);
    NEXT();
)

HANDLER(OP_FENCE,
    NEXT();     /* one hart at a time: memory is always ordered */
)

L_OP_PAUSE:
    /* A spin-wait loop: when other harts share this one's thread, end the
     * slice so that the one holding what we wait for can run. */
    pc = PC() + d->len;
    n++;
    if (cpu->cc->cpus->len > 1) {
        cpu->yield = true;
        goto leave;
    }
    JUMP(pc);

L_OP_FENCE_I:
L_OP_ECALL:
L_OP_EBREAK:
L_OP_MRET:
L_OP_SRET:
L_OP_WFI:
L_OP_SFENCE_VMA:
    pc = PC();
    SYNC();
    exc = riscv_exec_system(cpu, d);
    if (exc != EXC_NONE) {
        tval = exc == EXC_ILLEGAL_INSN ? d->raw
             : exc == EXC_BREAKPOINT ? pc : 0;
        goto exception;
    }
    pc = cpu->pc;
    n++;
    goto leave;

L_OP_CSRRW: L_OP_CSRRS: L_OP_CSRRC:
L_OP_CSRRWI: L_OP_CSRRSI: L_OP_CSRRCI: {
        const unsigned step = d->len >> 1;
        bool wrote = false;
        pc = PC();
        SYNC();
        exc = riscv_exec_csr(cpu, d, &wrote);
        if (exc != EXC_NONE) {
            tval = d->raw;
            goto exception;
        }
        if (wrote) {
            /* interrupt enables, translation or FP state may change */
            pc = cpu->pc;
            n++;
            goto leave;
        }
        NEXT();
    }

L_OP_AMO: {
        RISCVInsn di = *d;  /* the store may wipe this page's decodes */
        pc = PC();
        SYNC();
        exc = riscv_exec_amo(cpu, &di);
        if (exc != EXC_NONE) {
            tval = x[di.rs1];
            goto exception;
        }
        /* a store into this page's code drops it: fetch it again */
        fetch_vpn = cpu->fetch_vpn;
        JUMP(pc + di.len);
    }

L_OP_FLW:
L_OP_FLD: {
        FS_CHECK();
        uint64_t va = x[d->rs1] + (int64_t)d->imm;
        uint64_t v;
        RISCVInsn di = *d;
        pc = PC();
        SYNC();
        exc = riscv_load_slow(cpu, va, di.op == OP_FLW ? 4 : 8, &v);
        if (exc != EXC_NONE) {
            tval = va;
            goto exception;
        }
        if (di.op == OP_FLW) {
            riscv_fp_set_s(cpu, di.rd, (uint32_t)v);
        } else {
            riscv_fp_set_d(cpu, di.rd, v);
        }
        fetch_vpn = cpu->fetch_vpn;     /* as for AMOs (A-bit updates) */
        JUMP(pc + di.len);
    }
HANDLER(OP_FSW,
    FS_CHECK();
    STORE(uint32_t, cpu->f[d->rs2]);
)
HANDLER(OP_FSD,
    FS_CHECK();
    STORE(uint64_t, cpu->f[d->rs2]);
)
L_OP_FP: {
    const unsigned step = d->len >> 1;
    FS_CHECK();
    pc = PC();
    SYNC();
    exc = riscv_fp_exec(cpu, d);
    if (exc != EXC_NONE) {
        tval = d->raw;
        goto exception;
    }
    NEXT();
}

illegal:
    exc = EXC_ILLEGAL_INSN;
    tval = d->raw;
exception:
    /* pc is the faulting instruction */
    SYNC();
    riscv_cpu_raise(cpu, exc, tval);
    return n + 1;

budget_spent:
    pc = PC();
out:
leave:
    SYNC();
    return n;
#undef PC
#undef SYNC
#undef DISPATCH
#undef NEXT
#undef JUMP
#undef ILLEGAL
#undef LOAD
#undef STORE
#undef FS_CHECK
#undef BRANCH
#undef BRANCH_NEAR
#undef JUMP_NEAR
#undef HANDLER
#undef DISPATCH_PAGE_SLOT
}
