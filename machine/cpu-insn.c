/*
 * machine/cpu-insn.c - instructions the interpreter runs out of line: the
 * A extension (LR/SC and AMOs), Zicsr, fences and the privileged
 * instructions (ECALL, EBREAK, xRET, WFI, SFENCE.VMA).  Each returns
 * EXC_NONE or the exception to raise at cpu->pc.
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
uint32_t riscv_exec_amo(RISCVCPU *cpu, const RISCVInsn *d)
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
uint32_t riscv_exec_system(RISCVCPU *cpu, const RISCVInsn *d)
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

uint32_t riscv_exec_csr(RISCVCPU *cpu, const RISCVInsn *d, bool *wrote)
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
