/*
 * machine/cpu-exec.c - the interpreter's inner loop: fetch a decoded
 * instruction from the per-page cache, dispatch on its op, and execute
 * RV64I, M, A, Zicsr, Zifencei and the privileged instructions.  F/D
 * computation is in cpu-fp.c, CSRs in cpu-csr.c, translation in cpu-mmu.c.
 *
 * The hot path keeps pc and the step count in locals, reaches RAM through
 * the TLB (host address = vaddr + addend) and leaves the loop only for
 * traps and for instructions that may change interrupt or translation state
 * (CSR writes, xRET, WFI, fences, MMIO).
 */
#include "machine/cpu-internal.h"

/* AMO funct5 values, unprivileged spec table 24.2. */
enum {
    AMO_ADD = 0x00, AMO_SWAP = 0x01, AMO_LR = 0x02, AMO_SC = 0x03,
    AMO_XOR = 0x04, AMO_OR = 0x08, AMO_AND = 0x0c, AMO_MIN = 0x10,
    AMO_MAX = 0x14, AMO_MINU = 0x18, AMO_MAXU = 0x1c,
};

static uint64_t amo_compute(uint32_t f5, uint64_t a, uint64_t b, bool d)
{
    int64_t sa = d ? (int64_t)a : (int32_t)a;
    int64_t sb = d ? (int64_t)b : (int32_t)b;
    uint64_t ua = d ? a : (uint32_t)a;
    uint64_t ub = d ? b : (uint32_t)b;

    switch (f5) {
    case AMO_ADD:  return a + b;
    case AMO_SWAP: return b;
    case AMO_XOR:  return a ^ b;
    case AMO_OR:   return a | b;
    case AMO_AND:  return a & b;
    case AMO_MIN:  return sa < sb ? a : b;
    case AMO_MAX:  return sa > sb ? a : b;
    case AMO_MINU: return ua < ub ? a : b;
    default:       return ua > ub ? a : b;   /* AMO_MAXU */
    }
}

/* Execute an A-extension instruction.  Returns EXC_NONE or a cause (tval
 * is the address). */
static uint32_t exec_amo(RISCVCPU *cpu, const RISCVInsn *d)
{
    bool is_d = d->rm == 3;
    unsigned size = is_d ? 8 : 4;
    uint64_t va = cpu->x[d->rs1];
    uint32_t f5 = (uint32_t)d->imm;
    void *host;
    uint32_t exc;
    uint64_t old;

    if (f5 == AMO_SC && !(cpu->res_valid && cpu->res_addr == va)) {
        /* Even a failing SC must check alignment and permission. */
        exc = riscv_amo_ptr(cpu, va, size, false, &host);
        if (exc != EXC_NONE) {
            return exc;
        }
        cpu->res_valid = false;
        cpu->x[d->rd] = 1;
        return EXC_NONE;
    }
    exc = riscv_amo_ptr(cpu, va, size, f5 == AMO_LR, &host);
    if (exc != EXC_NONE) {
        return exc;
    }
    if (is_d) {
        memcpy(&old, host, 8);
    } else {
        int32_t w;
        memcpy(&w, host, 4);
        old = (uint64_t)(int64_t)w;
    }
    switch (f5) {
    case AMO_LR:
        cpu->res_valid = true;
        cpu->res_addr = va;
        cpu->x[d->rd] = old;
        return EXC_NONE;
    case AMO_SC:
        memcpy(host, &cpu->x[d->rs2], size);
        cpu->res_valid = false;
        cpu->x[d->rd] = 0;
        return EXC_NONE;
    default: {
        uint64_t v = amo_compute(f5, old, cpu->x[d->rs2], is_d);
        memcpy(host, &v, size);
        cpu->x[d->rd] = old;
        return EXC_NONE;
    }
    }
}

/* The privileged and fence instructions.  Return EXC_NONE when the
 * instruction completed (cpu->pc already updated), else the cause. */
static uint32_t exec_system(RISCVCPU *cpu, const RISCVInsn *d)
{
    switch (d->op) {
    case OP_ECALL:
        if (cpu->priv == RISCV_PRV_S && cpu->cfg.ecall_hook) {
            uint64_t pc = cpu->pc;
            cpu->pc = pc + 4;
            if (cpu->cfg.ecall_hook(cpu->cfg.opaque, cpu)) {
                return EXC_NONE;
            }
            cpu->pc = pc;
        }
        return cpu->priv == RISCV_PRV_U ? EXC_ECALL_U
             : cpu->priv == RISCV_PRV_S ? EXC_ECALL_S : EXC_ECALL_M;
    case OP_EBREAK:
        return EXC_BREAKPOINT;
    case OP_MRET:
        return riscv_cpu_do_mret(cpu) ? EXC_NONE : EXC_ILLEGAL_INSN;
    case OP_SRET:
        return riscv_cpu_do_sret(cpu) ? EXC_NONE : EXC_ILLEGAL_INSN;
    case OP_WFI:
        /* §3.1.6.5: TW traps WFI below M; with S-mode present, U-mode WFI
         * is illegal too. */
        if (cpu->priv == RISCV_PRV_U ||
            (cpu->priv == RISCV_PRV_S && (cpu->mstatus & MSTATUS_TW))) {
            return EXC_ILLEGAL_INSN;
        }
        cpu->pc += d->len;
        if (!(riscv_mip(cpu) & cpu->mie)) {
            cpu->wfi = true;
        }
        return EXC_NONE;
    case OP_SFENCE_VMA:
        if (cpu->priv == RISCV_PRV_U ||
            (cpu->priv == RISCV_PRV_S && (cpu->mstatus & MSTATUS_TVM))) {
            return EXC_ILLEGAL_INSN;
        }
        if (d->rs1) {
            riscv_tlb_flush_va(cpu, cpu->x[d->rs1]);
        } else {
            riscv_tlb_flush(cpu);
        }
        cpu->pc += d->len;
        return EXC_NONE;
    case OP_FENCE_I:
        riscv_code_cache_flush(cpu->cc);
        cpu->pc += d->len;
        return EXC_NONE;
    default:
        g_assert_not_reached();
    }
}

static uint32_t exec_csr(RISCVCPU *cpu, const RISCVInsn *d, bool *wrote)
{
    bool imm_form = d->op >= OP_CSRRWI;
    int kind = imm_form ? d->op - OP_CSRRWI : d->op - OP_CSRRW;
    uint64_t src = imm_form ? d->rs1 : cpu->x[d->rs1];
    /* §9.1 (Zicsr): csrrw with rd=x0 does not read; csrrs/c with rs1=x0
     * (or uimm=0) do not write. */
    bool do_write = kind == 0 || d->rs1 != 0;
    bool do_read = kind != 0 || d->rd != 32;
    uint64_t old = 0;
    uint32_t exc;

    exc = riscv_csr_access(cpu, (unsigned)d->imm, kind, src, do_write,
                           do_read, &old);
    if (exc != EXC_NONE) {
        return exc;
    }
    cpu->x[d->rd] = old;
    cpu->pc += d->len;
    *wrote = do_write;
    return EXC_NONE;
}

uint64_t riscv_cpu_exec(RISCVCPU *cpu, uint64_t max)
{
    uint64_t *const x = cpu->x;
    uint64_t pc = cpu->pc;
    uint64_t n = 0;
    const uint64_t instret0 = cpu->instret;
    RISCVTLBEntry *const tlb_r = cpu->tlb[cpu->mmu_idx_data][TLB_READ];
    RISCVTLBEntry *const tlb_w = cpu->tlb[cpu->mmu_idx_data][TLB_WRITE];
    uint64_t fetch_vpn = cpu->fetch_vpn;
    RISCVInsn *page = cpu->fetch_page ? cpu->fetch_page->insn : NULL;
    uint32_t exc;
    uint64_t tval;
    RISCVInsn tmp;
    const RISCVInsn *d;

/* Keep cpu->pc/instret exact before calling out of the loop. */
#define SYNC() do { cpu->pc = pc; cpu->instret = instret0 + n; } while (0)
#define NEXT() do { pc += d->len; goto retired; } while (0)

#define LOAD(type) do {                                                     \
        uint64_t va_ = x[d->rs1] + (int64_t)d->imm;                        \
        const unsigned len_ = d->len; /* d may be wiped by a slow path */ \
        const unsigned rd_ = d->rd;                                        \
        const RISCVTLBEntry *t_ = &tlb_r[(va_ >> RISCV_PAGE_SHIFT) &       \
                                         (RISCV_TLB_SIZE - 1)];            \
        type v_;                                                           \
        if (likely(t_->vpn == va_ >> RISCV_PAGE_SHIFT &&                   \
                   (va_ & RISCV_PAGE_MASK) <= RISCV_PAGE_SIZE - sizeof(type))) { \
            memcpy(&v_, (const void *)(uintptr_t)(va_ + t_->addend),       \
                   sizeof(type));                                          \
        } else {                                                           \
            uint64_t w_;                                                   \
            SYNC();                                                        \
            exc = riscv_load_slow(cpu, va_, sizeof(type), &w_);            \
            if (exc != EXC_NONE) {                                         \
                tval = va_;                                                \
                goto exception;                                            \
            }                                                              \
            v_ = (type)w_;                                                 \
        }                                                                  \
        x[rd_] = (uint64_t)(int64_t)v_;                                    \
        pc += len_;                                                        \
        if (unlikely(cpu->break_loop)) {                                   \
            n++;                                                           \
            goto leave;                                                    \
        }                                                                  \
        goto retired;                                                      \
    } while (0)

#define STORE(type, val) do {                                               \
        uint64_t va_ = x[d->rs1] + (int64_t)d->imm;                        \
        const unsigned len_ = d->len; /* d may be wiped by a slow path */ \
        const RISCVTLBEntry *t_ = &tlb_w[(va_ >> RISCV_PAGE_SHIFT) &       \
                                         (RISCV_TLB_SIZE - 1)];            \
        type v_ = (type)(val);                                             \
        if (likely(t_->vpn == va_ >> RISCV_PAGE_SHIFT &&                   \
                   (va_ & RISCV_PAGE_MASK) <= RISCV_PAGE_SIZE - sizeof(type))) { \
            memcpy((void *)(uintptr_t)(va_ + t_->addend), &v_,             \
                   sizeof(type));                                          \
        } else {                                                           \
            SYNC();                                                        \
            exc = riscv_store_slow(cpu, va_, sizeof(type), (uint64_t)v_);  \
            if (exc != EXC_NONE) {                                         \
                tval = va_;                                                \
                goto exception;                                            \
            }                                                              \
            /* the store may have hit this page's decoded code, or an */  \
            /* interrupt controller: re-enter the loop */                 \
            pc += len_;                                                    \
            n++;                                                           \
            goto leave;                                                    \
        }                                                                  \
        pc += len_;                                                        \
        goto retired;                                                      \
    } while (0)

#define FS_CHECK() do {                                                     \
        if (unlikely(!(cpu->mstatus & MSTATUS_FS))) {                      \
            goto illegal;                                                  \
        }                                                                  \
    } while (0)

    while (n < max) {
        if (unlikely((pc >> RISCV_PAGE_SHIFT) != fetch_vpn)) {
            SYNC();
            exc = riscv_fetch_slow(cpu, pc);
            if (exc != EXC_NONE) {
                tval = pc;
                goto exception;
            }
            fetch_vpn = cpu->fetch_vpn;
            page = cpu->fetch_page->insn;
        }
        d = &page[(pc & RISCV_PAGE_MASK) >> 1];
dispatch:
        switch ((RISCVOp)d->op) {
        case OP_DECODE:
            riscv_decode_slot((RISCVInsn *)d, cpu->fetch_host,
                              pc & RISCV_PAGE_MASK);
            goto dispatch;
        case OP_CROSS_PAGE: {
            uint32_t insn;
            SYNC();
            exc = riscv_fetch_raw(cpu, pc, &insn, &tval);
            if (exc != EXC_NONE) {
                goto exception;
            }
            riscv_decode(&tmp, insn, 0);
            d = &tmp;
            goto dispatch;
        }
        case OP_ILLEGAL:
            goto illegal;

        case OP_LUI:
            x[d->rd] = (int64_t)d->imm;
            NEXT();
        case OP_AUIPC:
            x[d->rd] = pc + (int64_t)d->imm;
            NEXT();
        case OP_JAL:
            x[d->rd] = pc + d->len;
            pc += (int64_t)d->imm;
            goto retired;
        case OP_JALR: {
            uint64_t target = (x[d->rs1] + (int64_t)d->imm) & ~1ull;
            x[d->rd] = pc + d->len;
            pc = target;
            goto retired;
        }

#define BRANCH(cond) do {                                                   \
            if (cond) {                                                    \
                pc += (int64_t)d->imm;                                     \
                goto retired;                                              \
            }                                                              \
            NEXT();                                                        \
        } while (0)
        case OP_BEQ:
            BRANCH(x[d->rs1] == x[d->rs2]);
        case OP_BNE:
            BRANCH(x[d->rs1] != x[d->rs2]);
        case OP_BLT:
            BRANCH((int64_t)x[d->rs1] < (int64_t)x[d->rs2]);
        case OP_BGE:
            BRANCH((int64_t)x[d->rs1] >= (int64_t)x[d->rs2]);
        case OP_BLTU:
            BRANCH(x[d->rs1] < x[d->rs2]);
        case OP_BGEU:
            BRANCH(x[d->rs1] >= x[d->rs2]);

        case OP_LB:  LOAD(int8_t);
        case OP_LH:  LOAD(int16_t);
        case OP_LW:  LOAD(int32_t);
        case OP_LD:  LOAD(int64_t);
        case OP_LBU: LOAD(uint8_t);
        case OP_LHU: LOAD(uint16_t);
        case OP_LWU: LOAD(uint32_t);
        case OP_SB:  STORE(uint8_t, x[d->rs2]);
        case OP_SH:  STORE(uint16_t, x[d->rs2]);
        case OP_SW:  STORE(uint32_t, x[d->rs2]);
        case OP_SD:  STORE(uint64_t, x[d->rs2]);

        case OP_ADDI:
            x[d->rd] = x[d->rs1] + (int64_t)d->imm;
            NEXT();
        case OP_SLTI:
            x[d->rd] = (int64_t)x[d->rs1] < (int64_t)d->imm;
            NEXT();
        case OP_SLTIU:
            x[d->rd] = x[d->rs1] < (uint64_t)(int64_t)d->imm;
            NEXT();
        case OP_XORI:
            x[d->rd] = x[d->rs1] ^ (int64_t)d->imm;
            NEXT();
        case OP_ORI:
            x[d->rd] = x[d->rs1] | (int64_t)d->imm;
            NEXT();
        case OP_ANDI:
            x[d->rd] = x[d->rs1] & (int64_t)d->imm;
            NEXT();
        case OP_SLLI:
            x[d->rd] = x[d->rs1] << d->imm;
            NEXT();
        case OP_SRLI:
            x[d->rd] = x[d->rs1] >> d->imm;
            NEXT();
        case OP_SRAI:
            x[d->rd] = (int64_t)x[d->rs1] >> d->imm;
            NEXT();

        case OP_ADD:
            x[d->rd] = x[d->rs1] + x[d->rs2];
            NEXT();
        case OP_SUB:
            x[d->rd] = x[d->rs1] - x[d->rs2];
            NEXT();
        case OP_SLL:
            x[d->rd] = x[d->rs1] << (x[d->rs2] & 63);
            NEXT();
        case OP_SLT:
            x[d->rd] = (int64_t)x[d->rs1] < (int64_t)x[d->rs2];
            NEXT();
        case OP_SLTU:
            x[d->rd] = x[d->rs1] < x[d->rs2];
            NEXT();
        case OP_XOR:
            x[d->rd] = x[d->rs1] ^ x[d->rs2];
            NEXT();
        case OP_SRL:
            x[d->rd] = x[d->rs1] >> (x[d->rs2] & 63);
            NEXT();
        case OP_SRA:
            x[d->rd] = (int64_t)x[d->rs1] >> (x[d->rs2] & 63);
            NEXT();
        case OP_OR:
            x[d->rd] = x[d->rs1] | x[d->rs2];
            NEXT();
        case OP_AND:
            x[d->rd] = x[d->rs1] & x[d->rs2];
            NEXT();

        case OP_ADDIW:
            x[d->rd] = (int64_t)(int32_t)(x[d->rs1] + d->imm);
            NEXT();
        case OP_SLLIW:
            x[d->rd] = (int64_t)(int32_t)((uint32_t)x[d->rs1] << d->imm);
            NEXT();
        case OP_SRLIW:
            x[d->rd] = (int64_t)(int32_t)((uint32_t)x[d->rs1] >> d->imm);
            NEXT();
        case OP_SRAIW:
            x[d->rd] = (int64_t)((int32_t)x[d->rs1] >> d->imm);
            NEXT();
        case OP_ADDW:
            x[d->rd] = (int64_t)(int32_t)(x[d->rs1] + x[d->rs2]);
            NEXT();
        case OP_SUBW:
            x[d->rd] = (int64_t)(int32_t)(x[d->rs1] - x[d->rs2]);
            NEXT();
        case OP_SLLW:
            x[d->rd] = (int64_t)(int32_t)((uint32_t)x[d->rs1] <<
                                          (x[d->rs2] & 31));
            NEXT();
        case OP_SRLW:
            x[d->rd] = (int64_t)(int32_t)((uint32_t)x[d->rs1] >>
                                          (x[d->rs2] & 31));
            NEXT();
        case OP_SRAW:
            x[d->rd] = (int64_t)((int32_t)x[d->rs1] >> (x[d->rs2] & 31));
            NEXT();

        /* M extension; division corner cases per unprivileged spec §7.2
         * table 7.1 (no traps). */
        case OP_MUL:
            x[d->rd] = x[d->rs1] * x[d->rs2];
            NEXT();
        case OP_MULH:
            x[d->rd] = (uint64_t)(((__int128)(int64_t)x[d->rs1] *
                                   (__int128)(int64_t)x[d->rs2]) >> 64);
            NEXT();
        case OP_MULHSU:
            x[d->rd] = (uint64_t)(((__int128)(int64_t)x[d->rs1] *
                                   (__int128)(unsigned __int128)x[d->rs2])
                                  >> 64);
            NEXT();
        case OP_MULHU:
            x[d->rd] = (uint64_t)(((unsigned __int128)x[d->rs1] *
                                   x[d->rs2]) >> 64);
            NEXT();
        case OP_DIV: {
            int64_t a = x[d->rs1], b = x[d->rs2];
            x[d->rd] = b == 0 ? UINT64_MAX
                     : (a == INT64_MIN && b == -1) ? (uint64_t)a
                     : (uint64_t)(a / b);
            NEXT();
        }
        case OP_DIVU: {
            uint64_t a = x[d->rs1], b = x[d->rs2];
            x[d->rd] = b == 0 ? UINT64_MAX : a / b;
            NEXT();
        }
        case OP_REM: {
            int64_t a = x[d->rs1], b = x[d->rs2];
            x[d->rd] = b == 0 ? (uint64_t)a
                     : (a == INT64_MIN && b == -1) ? 0 : (uint64_t)(a % b);
            NEXT();
        }
        case OP_REMU: {
            uint64_t a = x[d->rs1], b = x[d->rs2];
            x[d->rd] = b == 0 ? a : a % b;
            NEXT();
        }
        case OP_MULW:
            x[d->rd] = (int64_t)(int32_t)(x[d->rs1] * x[d->rs2]);
            NEXT();
        case OP_DIVW: {
            int32_t a = x[d->rs1], b = x[d->rs2];
            x[d->rd] = (int64_t)(b == 0 ? -1
                                 : (a == INT32_MIN && b == -1) ? a : a / b);
            NEXT();
        }
        case OP_DIVUW: {
            uint32_t a = x[d->rs1], b = x[d->rs2];
            x[d->rd] = (int64_t)(int32_t)(b == 0 ? UINT32_MAX : a / b);
            NEXT();
        }
        case OP_REMW: {
            int32_t a = x[d->rs1], b = x[d->rs2];
            x[d->rd] = (int64_t)(b == 0 ? a
                                 : (a == INT32_MIN && b == -1) ? 0 : a % b);
            NEXT();
        }
        case OP_REMUW: {
            uint32_t a = x[d->rs1], b = x[d->rs2];
            x[d->rd] = (int64_t)(int32_t)(b == 0 ? a : a % b);
            NEXT();
        }

        case OP_FENCE:
            NEXT();     /* one hart at a time: memory is always ordered */

        case OP_FENCE_I:
        case OP_ECALL:
        case OP_EBREAK:
        case OP_MRET:
        case OP_SRET:
        case OP_WFI:
        case OP_SFENCE_VMA:
            SYNC();
            exc = exec_system(cpu, d);
            if (exc != EXC_NONE) {
                tval = exc == EXC_ILLEGAL_INSN ? d->raw
                     : exc == EXC_BREAKPOINT ? pc : 0;
                goto exception;
            }
            pc = cpu->pc;
            n++;
            goto leave;

        case OP_CSRRW: case OP_CSRRS: case OP_CSRRC:
        case OP_CSRRWI: case OP_CSRRSI: case OP_CSRRCI: {
            bool wrote = false;
            SYNC();
            exc = exec_csr(cpu, d, &wrote);
            if (exc != EXC_NONE) {
                tval = d->raw;
                goto exception;
            }
            pc = cpu->pc;
            if (wrote) {
                n++;
                goto leave;
            }
            goto retired;
        }

        case OP_AMO:
            tmp = *d;   /* the store may wipe this page's decodes */
            d = &tmp;
            SYNC();
            exc = exec_amo(cpu, d);
            if (exc != EXC_NONE) {
                tval = x[d->rs1];
                goto exception;
            }
            NEXT();

        case OP_FLW: {
            FS_CHECK();
            uint64_t va = x[d->rs1] + (int64_t)d->imm;
            uint64_t v;
            SYNC();
            exc = riscv_load_slow(cpu, va, 4, &v);
            if (exc != EXC_NONE) {
                tval = va;
                goto exception;
            }
            riscv_fp_set_s(cpu, d->rd, (uint32_t)v);
            NEXT();
        }
        case OP_FLD: {
            FS_CHECK();
            uint64_t va = x[d->rs1] + (int64_t)d->imm;
            uint64_t v;
            SYNC();
            exc = riscv_load_slow(cpu, va, 8, &v);
            if (exc != EXC_NONE) {
                tval = va;
                goto exception;
            }
            riscv_fp_set_d(cpu, d->rd, v);
            NEXT();
        }
        case OP_FSW:
            FS_CHECK();
            STORE(uint32_t, cpu->f[d->rs2]);
        case OP_FSD:
            FS_CHECK();
            STORE(uint64_t, cpu->f[d->rs2]);
        case OP_FP:
            FS_CHECK();
            SYNC();
            exc = riscv_fp_exec(cpu, d);
            if (exc != EXC_NONE) {
                tval = d->raw;
                goto exception;
            }
            NEXT();

        case OP_COUNT:
            break;
        }
        /* not reached: every op above ends in goto */
        goto illegal;
retired:
        n++;
    }
    SYNC();
    return n;

illegal:
    exc = EXC_ILLEGAL_INSN;
    tval = d->raw;
exception:
    SYNC();
    riscv_cpu_raise(cpu, exc, tval);
    return n + 1;

leave:
    SYNC();
    return n;
#undef SYNC
#undef NEXT
#undef LOAD
#undef STORE
#undef BRANCH
#undef FS_CHECK
}
