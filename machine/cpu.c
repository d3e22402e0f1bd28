/*
 * machine/cpu.c - hart lifetime, reset, the run loop, traps and interrupts
 * (privileged spec 1.12 §3.1.6-3.1.9, §3.3.2).
 */
#include "machine/cpu-internal.h"

/* Interrupt priority, highest first (§3.1.9): MEI, MSI, MTI, SEI, SSI,
 * STI. */
static const uint8_t irq_priority[] = {
    IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER,
};

/* What reset below M pretends an SBI firmware delegated: every
 * synchronous exception except ECALL from S (9) and M (11), and the
 * supervisor interrupts. */
#define FW_MEDELEG 0xb1ffull
#define FW_MIDELEG (RISCV_MIP_SSIP | RISCV_MIP_STIP | RISCV_MIP_SEIP)
#define FW_MCOUNTEREN 0xffffffffu
/* OpenSBI also opens cycle, time and instret to U-mode (Linux 6.1 without
 * the SBI PMU driver never writes scounteren, and its vDSO reads time). */
#define FW_SCOUNTEREN 0x7u

#define TVEC_MODE_MASK 3ull
#define TVEC_MODE_VECTORED 1ull
#define RVC_INSN_BYTES 4   /* interrupt vector stride, §3.1.7 */

G_DEFINE_QUARK(riscv-cpu-error-quark, riscv_cpu_error)

RISCVCPU *riscv_cpu_new(const RISCVCPUConfig *cfg, GError **errp)
{
    if (!cfg->bus || !cfg->bus->read || !cfg->bus->write || !cfg->get_time) {
        g_set_error(errp, RISCV_CPU_ERROR, RISCV_CPU_ERROR_CONFIG,
                    "riscv cpu: bus ops and get_time are mandatory");
        return NULL;
    }
    if (!cfg->ram || cfg->ram_size == 0 ||
        ((cfg->ram_base | cfg->ram_size) & RISCV_PAGE_MASK) ||
        cfg->ram_base + cfg->ram_size < cfg->ram_base) {
        g_set_error(errp, RISCV_CPU_ERROR, RISCV_CPU_ERROR_CONFIG,
                    "riscv cpu: RAM must be non-empty and page aligned");
        return NULL;
    }
    if (cfg->sibling && (cfg->sibling->ram != cfg->ram ||
                         cfg->sibling->ram_size != cfg->ram_size ||
                         cfg->sibling->ram_base != cfg->ram_base)) {
        g_set_error(errp, RISCV_CPU_ERROR, RISCV_CPU_ERROR_CONFIG,
                    "riscv cpu: sibling hart has a different RAM");
        return NULL;
    }

    RISCVCPU *cpu = g_new0(RISCVCPU, 1);
    cpu->cfg = *cfg;
    cpu->ram_base = cfg->ram_base;
    cpu->ram_size = cfg->ram_size;
    cpu->ram = cfg->ram;
    if (cfg->sibling) {
        cpu->cc = cfg->sibling->cc;
        cpu->cc->refcount++;
    } else {
        cpu->cc = riscv_code_cache_new(cfg->ram_size);
        cpu->cc->jit_disabled = cfg->no_jit;
    }
    g_ptr_array_add(cpu->cc->cpus, cpu);
    cpu->stopped = true;
    riscv_cpu_reset(cpu, cfg->ram_base, RISCV_PRV_M, 0, 0);
    return cpu;
}

void riscv_cpu_free(RISCVCPU *cpu)
{
    if (!cpu) {
        return;
    }
    g_ptr_array_remove(cpu->cc->cpus, cpu);
    riscv_code_cache_unref(cpu->cc);
    g_free(cpu);
}

void riscv_cpu_update_mode(RISCVCPU *cpu)
{
    int eff = cpu->priv;

    if (eff == RISCV_PRV_M && (cpu->mstatus & MSTATUS_MPRV)) {
        eff = (cpu->mstatus & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
    }
    cpu->mmu_idx_data = eff == RISCV_PRV_S && (cpu->mstatus & MSTATUS_SUM)
                        ? MMU_IDX_S_SUM : riscv_mmu_index(eff);
}

static void set_priv(RISCVCPU *cpu, int priv)
{
    cpu->priv = priv;
    cpu->fetch_vpn = RISCV_TLB_INVALID;     /* fetch regime changed */
    riscv_cpu_update_mode(cpu);
}

void riscv_cpu_reset(RISCVCPU *cpu, uint64_t pc, int priv,
                     uint64_t a0, uint64_t a1)
{
    g_assert(priv == RISCV_PRV_U || priv == RISCV_PRV_S ||
             priv == RISCV_PRV_M);
    memset(cpu->x, 0, sizeof(cpu->x));
    memset(cpu->f, 0, sizeof(cpu->f));
    riscv_csr_reset(cpu);
    if (priv < RISCV_PRV_M) {
        cpu->medeleg = FW_MEDELEG;
        cpu->mideleg = FW_MIDELEG;
        cpu->mcounteren = FW_MCOUNTEREN;
        cpu->scounteren = FW_SCOUNTEREN;
    }
    cpu->x[10] = a0;
    cpu->x[11] = a1;
    cpu->pc = pc;
    cpu->res_valid = false;
    cpu->wfi = false;
    cpu->jammed = false;
    cpu->yield = false;
    cpu->trap_streak = 0;
    cpu->last_trap_instret = 0;
    riscv_tlb_flush(cpu);
    set_priv(cpu, priv);
}

/* Enter the trap handler for cause (an exception code, or CAUSE_INTERRUPT
 * | irq) with cpu->pc the interrupted/faulting instruction.  §3.1.6.1 and
 * §3.1.8: delegated traps from S or U go to S-mode. */
static void cpu_trap(RISCVCPU *cpu, uint64_t cause, uint64_t tval)
{
    bool irq = cause & CAUSE_INTERRUPT;
    unsigned code = cause & 63;
    uint64_t deleg = irq ? cpu->mideleg : cpu->medeleg;
    uint64_t s = cpu->mstatus;
    uint64_t tvec;

    /* A hart that keeps trapping without retiring anything is jammed. */
    if (cpu->instret == cpu->last_trap_instret) {
        if (++cpu->trap_streak >= RISCV_JAM_TRAPS) {
            cpu->jammed = true;
            cpu->jam_pc = cpu->pc;
            cpu->jam_cause = cause;
        }
    } else {
        cpu->trap_streak = 0;
        cpu->last_trap_instret = cpu->instret;
    }
    cpu->res_valid = false;

    if (cpu->priv <= RISCV_PRV_S && ((deleg >> code) & 1)) {
        cpu->scause = cause;
        cpu->sepc = cpu->pc;
        cpu->stval = tval;
        s &= ~(MSTATUS_SPIE | MSTATUS_SPP | MSTATUS_SIE);
        if (cpu->mstatus & MSTATUS_SIE) {
            s |= MSTATUS_SPIE;
        }
        if (cpu->priv == RISCV_PRV_S) {
            s |= MSTATUS_SPP;
        }
        cpu->mstatus = s;
        tvec = cpu->stvec;
        set_priv(cpu, RISCV_PRV_S);
    } else {
        cpu->mcause = cause;
        cpu->mepc = cpu->pc;
        cpu->mtval = tval;
        s &= ~(MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MIE);
        if (cpu->mstatus & MSTATUS_MIE) {
            s |= MSTATUS_MPIE;
        }
        s |= (uint64_t)cpu->priv << MSTATUS_MPP_SHIFT;
        cpu->mstatus = s;
        tvec = cpu->mtvec;
        set_priv(cpu, RISCV_PRV_M);
    }
    cpu->pc = tvec & ~TVEC_MODE_MASK;
    if (irq && (tvec & TVEC_MODE_MASK) == TVEC_MODE_VECTORED) {
        cpu->pc += RVC_INSN_BYTES * code;
    }
}

void riscv_cpu_raise(RISCVCPU *cpu, uint32_t cause, uint64_t tval)
{
    cpu_trap(cpu, cause, tval);
}

bool riscv_cpu_do_mret(RISCVCPU *cpu)
{
    if (cpu->priv != RISCV_PRV_M) {
        return false;
    }
    uint64_t s = cpu->mstatus;
    int mpp = (s & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;

    s &= ~(MSTATUS_MIE | MSTATUS_MPP);
    if (s & MSTATUS_MPIE) {
        s |= MSTATUS_MIE;
    }
    s |= MSTATUS_MPIE;
    if (mpp != RISCV_PRV_M) {
        s &= ~MSTATUS_MPRV;     /* §3.1.6.1 (priv 1.12) */
    }
    cpu->mstatus = s;
    cpu->pc = cpu->mepc;
    cpu->res_valid = false;
    set_priv(cpu, mpp);
    return true;
}

bool riscv_cpu_do_sret(RISCVCPU *cpu)
{
    if (cpu->priv == RISCV_PRV_U ||
        (cpu->priv == RISCV_PRV_S && (cpu->mstatus & MSTATUS_TSR))) {
        return false;
    }
    uint64_t s = cpu->mstatus;
    int spp = (s & MSTATUS_SPP) ? RISCV_PRV_S : RISCV_PRV_U;

    s &= ~(MSTATUS_SIE | MSTATUS_SPP);
    if (s & MSTATUS_SPIE) {
        s |= MSTATUS_SIE;
    }
    s |= MSTATUS_SPIE;
    s &= ~MSTATUS_MPRV;
    cpu->mstatus = s;
    cpu->pc = cpu->sepc;
    cpu->res_valid = false;
    set_priv(cpu, spp);
    return true;
}

/* Take the highest-priority pending and enabled interrupt, if any. */
static bool cpu_check_interrupts(RISCVCPU *cpu)
{
    uint64_t pending = riscv_mip(cpu) & cpu->mie;

    if (!pending) {
        return false;
    }
    bool m_on = cpu->priv < RISCV_PRV_M || (cpu->mstatus & MSTATUS_MIE);
    bool s_on = cpu->priv < RISCV_PRV_S ||
                (cpu->priv == RISCV_PRV_S && (cpu->mstatus & MSTATUS_SIE));
    uint64_t take = m_on ? pending & ~cpu->mideleg : 0;

    if (!take && s_on) {
        take = pending & cpu->mideleg;
    }
    if (!take) {
        return false;
    }
    for (size_t i = 0; i < G_N_ELEMENTS(irq_priority); i++) {
        if (take & (1ull << irq_priority[i])) {
            cpu_trap(cpu, CAUSE_INTERRUPT | irq_priority[i], 0);
            return true;
        }
    }
    return false;
}

/* Budgets below this run one instruction per riscv_cpu_exec(), so that
 * they are exact (larger ones may end a straight-line run past them). */
#define RISCV_EXACT_BUDGET RISCV_PAGE_INSNS

int riscv_cpu_run(RISCVCPU *cpu, uint64_t budget)
{
    const bool exact = budget < RISCV_EXACT_BUDGET;

    while (budget > 0) {
        if (__atomic_load_n(&cpu->exit_request, __ATOMIC_RELAXED)) {
            __atomic_store_n(&cpu->exit_request, 0, __ATOMIC_RELAXED);
            return RISCV_RUN_EXIT;
        }
        if (cpu->stopped) {
            return RISCV_RUN_STOPPED;
        }
        if (cpu->wfi) {
            /* §3.3.3: WFI resumes when any interrupt is pending and
             * enabled in mie, whatever the global enables say. */
            if (!(riscv_mip(cpu) & cpu->mie)) {
                return RISCV_RUN_WFI;
            }
            cpu->wfi = false;
        }
        cpu_check_interrupts(cpu);
        if (cpu->jammed) {
            return RISCV_RUN_JAMMED;
        }
        uint64_t n = exact ? riscv_cpu_exec(cpu, 1, true)
                           : riscv_cpu_exec(cpu, budget, false);
        budget -= MIN(n, budget);
        if (cpu->jammed) {
            return RISCV_RUN_JAMMED;
        }
        if (cpu->yield) {
            cpu->yield = false;
            break;
        }
    }
    if (cpu->stopped) {
        return RISCV_RUN_STOPPED;
    }
    return cpu->wfi && !(riscv_mip(cpu) & cpu->mie) ? RISCV_RUN_WFI
                                                    : RISCV_RUN_BUDGET;
}

void riscv_cpu_request_exit(RISCVCPU *cpu)
{
    __atomic_store_n(&cpu->exit_request, 1, __ATOMIC_RELAXED);
}

void riscv_cpu_set_mip(RISCVCPU *cpu, uint64_t mask, bool level)
{
    if (level) {
        __atomic_fetch_or(&cpu->mip, mask, __ATOMIC_RELAXED);
    } else {
        __atomic_fetch_and(&cpu->mip, ~mask, __ATOMIC_RELAXED);
    }
}

uint64_t riscv_cpu_get_mip(RISCVCPU *cpu)
{
    return riscv_mip(cpu);
}

void riscv_cpu_set_stopped(RISCVCPU *cpu, bool stopped)
{
    cpu->stopped = stopped;
}

bool riscv_cpu_is_stopped(RISCVCPU *cpu)
{
    return cpu->stopped;
}

void riscv_cpu_clear_reservation(RISCVCPU *cpu)
{
    cpu->res_valid = false;
}

void riscv_cpu_flush_tlb(RISCVCPU *cpu)
{
    riscv_tlb_flush(cpu);
}

void riscv_cpu_flush_icache(RISCVCPU *cpu)
{
    riscv_code_cache_flush(cpu->cc);
}

uint64_t riscv_cpu_get_gpr(RISCVCPU *cpu, unsigned reg)
{
    g_assert(reg < 32);
    return cpu->x[reg];
}

void riscv_cpu_set_gpr(RISCVCPU *cpu, unsigned reg, uint64_t val)
{
    g_assert(reg < 32);
    if (reg) {
        cpu->x[reg] = val;
    }
}

uint64_t riscv_cpu_get_fpr(RISCVCPU *cpu, unsigned reg)
{
    g_assert(reg < 32);
    return cpu->f[reg];
}

void riscv_cpu_set_fpr(RISCVCPU *cpu, unsigned reg, uint64_t val)
{
    g_assert(reg < 32);
    cpu->f[reg] = val;
}

uint64_t riscv_cpu_get_pc(RISCVCPU *cpu)
{
    return cpu->pc;
}

void riscv_cpu_set_pc(RISCVCPU *cpu, uint64_t pc)
{
    cpu->pc = pc & ~1ull;
}

int riscv_cpu_get_priv(RISCVCPU *cpu)
{
    return cpu->priv;
}

uint64_t riscv_cpu_get_hartid(RISCVCPU *cpu)
{
    return cpu->cfg.hartid;
}

uint64_t riscv_cpu_get_instret(RISCVCPU *cpu)
{
    return cpu->instret;
}

bool riscv_cpu_read_csr(RISCVCPU *cpu, unsigned csr, uint64_t *val)
{
    return riscv_csr_read_raw(cpu, csr, val);
}

bool riscv_cpu_write_csr(RISCVCPU *cpu, unsigned csr, uint64_t val)
{
    bool ok = riscv_csr_write_raw(cpu, csr, val);
    return ok;
}

void riscv_cpu_get_jam_info(RISCVCPU *cpu, uint64_t *pc, uint64_t *cause)
{
    *pc = cpu->jam_pc;
    *cause = cpu->jam_cause;
}
