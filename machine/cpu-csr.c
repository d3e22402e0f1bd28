/*
 * machine/cpu-csr.c - control and status registers (Zicsr; privileged
 * spec 1.12 chapters 2, 3 and 4).  Unknown CSRs raise illegal instruction;
 * the hpm counters, mconfigptr and the envcfg registers read as zero.
 */
#include "machine/cpu-internal.h"

/* CSR numbers, privileged spec table 2.2-2.5. */
enum {
    CSR_FFLAGS = 0x001, CSR_FRM = 0x002, CSR_FCSR = 0x003,
    CSR_CYCLE = 0xc00, CSR_TIME = 0xc01, CSR_INSTRET = 0xc02,
    CSR_HPMCOUNTER3 = 0xc03, CSR_HPMCOUNTER31 = 0xc1f,
    CSR_SSTATUS = 0x100, CSR_SIE = 0x104, CSR_STVEC = 0x105,
    CSR_SCOUNTEREN = 0x106, CSR_SENVCFG = 0x10a,
    CSR_SSCRATCH = 0x140, CSR_SEPC = 0x141, CSR_SCAUSE = 0x142,
    CSR_STVAL = 0x143, CSR_SIP = 0x144, CSR_SATP = 0x180,
    CSR_MVENDORID = 0xf11, CSR_MARCHID = 0xf12, CSR_MIMPID = 0xf13,
    CSR_MHARTID = 0xf14, CSR_MCONFIGPTR = 0xf15,
    CSR_MSTATUS = 0x300, CSR_MISA = 0x301, CSR_MEDELEG = 0x302,
    CSR_MIDELEG = 0x303, CSR_MIE = 0x304, CSR_MTVEC = 0x305,
    CSR_MCOUNTEREN = 0x306, CSR_MENVCFG = 0x30a,
    CSR_MCOUNTINHIBIT = 0x320,
    CSR_MHPMEVENT3 = 0x323, CSR_MHPMEVENT31 = 0x33f,
    CSR_MSCRATCH = 0x340, CSR_MEPC = 0x341, CSR_MCAUSE = 0x342,
    CSR_MTVAL = 0x343, CSR_MIP = 0x344,
    CSR_PMPCFG0 = 0x3a0, CSR_PMPCFG15 = 0x3af,
    CSR_PMPADDR0 = 0x3b0, CSR_PMPADDR63 = 0x3ef,
    CSR_MCYCLE = 0xb00, CSR_MINSTRET = 0xb02,
    CSR_MHPMCOUNTER3 = 0xb03, CSR_MHPMCOUNTER31 = 0xb1f,
};

/* The CSR number encodes access rules, §2.1: bits 11:10 = 3 is read-only,
 * bits 9:8 the lowest privilege allowed. */
#define CSR_RO(csr)       (((csr) >> 10) == 3)
#define CSR_MIN_PRIV(csr) (((csr) >> 8) & 3)

#define MSTATUS_M_WRITABLE (MSTATUS_SIE | MSTATUS_MIE | MSTATUS_SPIE |      \
                            MSTATUS_MPIE | MSTATUS_SPP | MSTATUS_MPP |      \
                            MSTATUS_FS | MSTATUS_MPRV | MSTATUS_SUM |       \
                            MSTATUS_MXR | MSTATUS_TVM | MSTATUS_TW |        \
                            MSTATUS_TSR)
#define SSTATUS_MASK (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP |            \
                      MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR |              \
                      MSTATUS_UXL | MSTATUS_SD)
#define SSTATUS_WRITABLE (MSTATUS_SIE | MSTATUS_SPIE | MSTATUS_SPP |        \
                          MSTATUS_FS | MSTATUS_SUM | MSTATUS_MXR)

#define S_INTERRUPTS (RISCV_MIP_SSIP | RISCV_MIP_STIP | RISCV_MIP_SEIP)
#define M_INTERRUPTS (RISCV_MIP_MSIP | RISCV_MIP_MTIP | RISCV_MIP_MEIP)
/* mip bits software may write, §3.1.9: the S-level pending bits. */
#define MIP_WRITABLE S_INTERRUPTS
/* medeleg: ECALL from M (11) cannot be delegated, 10 and 14 are reserved. */
#define MEDELEG_WRITABLE 0xb3ffull

#define FFLAGS_MASK 0x1fu
#define FRM_MASK    0x7u
#define FCSR_FRM_SHIFT 5

/* pmpcfg fields, §3.7.1. */
#define PMP_R      0x01u
#define PMP_W      0x02u
#define PMP_A_MASK 0x18u
#define PMP_A_TOR  0x08u
#define PMP_L      0x80u
#define PMP_CFG_WRITABLE 0x9fu
#define PMPADDR_MASK ((1ull << 54) - 1)

#define TVEC_MODE_VECTORED 1ull
#define MCOUNTINHIBIT_WRITABLE 0xfffffffdull   /* bit 1 (TM) is zero */

static uint64_t mstatus_read(RISCVCPU *cpu)
{
    uint64_t v = cpu->mstatus;

    if ((v & MSTATUS_FS) == MSTATUS_FS_DIRTY) {
        v |= MSTATUS_SD;
    }
    return v;
}

static void mstatus_write(RISCVCPU *cpu, uint64_t val, uint64_t mask)
{
    uint64_t old = cpu->mstatus;
    uint64_t v = (old & ~mask) | (val & mask);

    /* MPP is WARL over the implemented modes (U, S, M): 2 is kept out. */
    if (((v & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT) == 2) {
        v = (v & ~MSTATUS_MPP) | (old & MSTATUS_MPP);
    }
    v &= ~MSTATUS_SD;
    v |= (MSTATUS_XL_64 << 32) | (MSTATUS_XL_64 << 34);
    cpu->mstatus = v;
    if ((old ^ v) & MSTATUS_MXR) {
        riscv_tlb_flush(cpu);
    }
    riscv_cpu_update_mode(cpu);
}

static void mip_write(RISCVCPU *cpu, uint64_t val, uint64_t mask)
{
    uint64_t old = riscv_mip(cpu);
    uint64_t v;

    do {
        v = (old & ~mask) | (val & mask);
    } while (!__atomic_compare_exchange_n(&cpu->mip, &old, v, false,
                                          __ATOMIC_RELAXED,
                                          __ATOMIC_RELAXED));
}

static bool pmp_locked(RISCVCPU *cpu, unsigned i)
{
    return cpu->pmpcfg[i] & PMP_L;
}

static void pmpcfg_write(RISCVCPU *cpu, unsigned reg, uint64_t val)
{
    for (unsigned b = 0; b < 8; b++) {
        unsigned i = reg * 4 + b;   /* RV64: pmpcfg2k holds entries 8k.. */
        uint8_t c = (val >> (8 * b)) & PMP_CFG_WRITABLE;
        if (pmp_locked(cpu, i)) {
            continue;
        }
        if ((c & PMP_W) && !(c & PMP_R)) {
            c &= ~PMP_W;    /* R=0 W=1 is reserved: WARL to no write */
        }
        cpu->pmpcfg[i] = c;
    }
}

static void pmpaddr_write(RISCVCPU *cpu, unsigned i, uint64_t val)
{
    /* §3.7.1: a locked entry's address is frozen, and so is the one below
     * a locked TOR entry (it is that entry's bottom). */
    if (pmp_locked(cpu, i) ||
        (i + 1 < 64 && pmp_locked(cpu, i + 1) &&
         (cpu->pmpcfg[i + 1] & PMP_A_MASK) == PMP_A_TOR)) {
        return;
    }
    cpu->pmpaddr[i] = val & PMPADDR_MASK;
}

bool riscv_csr_read_raw(RISCVCPU *cpu, unsigned csr, uint64_t *val)
{
    switch (csr) {
    case CSR_FFLAGS:
        *val = cpu->fflags;
        return true;
    case CSR_FRM:
        *val = cpu->frm;
        return true;
    case CSR_FCSR:
        *val = cpu->fflags | cpu->frm << FCSR_FRM_SHIFT;
        return true;
    case CSR_CYCLE: case CSR_MCYCLE:
        *val = cpu->instret + cpu->mcycle_off;
        return true;
    case CSR_INSTRET: case CSR_MINSTRET:
        *val = cpu->instret + cpu->minstret_off;
        return true;
    case CSR_TIME:
        *val = cpu->cfg.get_time(cpu->cfg.opaque);
        return true;
    case CSR_SSTATUS:
        *val = mstatus_read(cpu) & SSTATUS_MASK;
        return true;
    case CSR_SIE:
        *val = cpu->mie & cpu->mideleg;
        return true;
    case CSR_SIP:
        *val = riscv_mip(cpu) & cpu->mideleg;
        return true;
    case CSR_STVEC:
        *val = cpu->stvec;
        return true;
    case CSR_SCOUNTEREN:
        *val = cpu->scounteren;
        return true;
    case CSR_SSCRATCH:
        *val = cpu->sscratch;
        return true;
    case CSR_SEPC:
        *val = cpu->sepc;
        return true;
    case CSR_SCAUSE:
        *val = cpu->scause;
        return true;
    case CSR_STVAL:
        *val = cpu->stval;
        return true;
    case CSR_SATP:
        *val = cpu->satp;
        return true;
    case CSR_MHARTID:
        *val = cpu->cfg.hartid;
        return true;
    case CSR_MVENDORID: case CSR_MARCHID: case CSR_MIMPID:
    case CSR_MCONFIGPTR: case CSR_MENVCFG: case CSR_SENVCFG:
        *val = 0;
        return true;
    case CSR_MSTATUS:
        *val = mstatus_read(cpu);
        return true;
    case CSR_MISA:
        *val = cpu->misa;
        return true;
    case CSR_MEDELEG:
        *val = cpu->medeleg;
        return true;
    case CSR_MIDELEG:
        *val = cpu->mideleg;
        return true;
    case CSR_MIE:
        *val = cpu->mie;
        return true;
    case CSR_MIP:
        *val = riscv_mip(cpu);
        return true;
    case CSR_MTVEC:
        *val = cpu->mtvec;
        return true;
    case CSR_MCOUNTEREN:
        *val = cpu->mcounteren;
        return true;
    case CSR_MCOUNTINHIBIT:
        *val = cpu->mcountinhibit;
        return true;
    case CSR_MSCRATCH:
        *val = cpu->mscratch;
        return true;
    case CSR_MEPC:
        *val = cpu->mepc;
        return true;
    case CSR_MCAUSE:
        *val = cpu->mcause;
        return true;
    case CSR_MTVAL:
        *val = cpu->mtval;
        return true;
    default:
        break;
    }
    if ((csr >= CSR_HPMCOUNTER3 && csr <= CSR_HPMCOUNTER31) ||
        (csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        *val = 0;
        return true;
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned reg = csr - CSR_PMPCFG0;
        if (reg & 1) {
            return false;   /* RV64 has only the even pmpcfg registers */
        }
        *val = 0;
        for (unsigned b = 0; b < 8; b++) {
            *val |= (uint64_t)cpu->pmpcfg[reg * 4 + b] << (8 * b);
        }
        return true;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        *val = cpu->pmpaddr[csr - CSR_PMPADDR0];
        return true;
    }
    return false;
}

bool riscv_csr_write_raw(RISCVCPU *cpu, unsigned csr, uint64_t val)
{
    switch (csr) {
    case CSR_FFLAGS:
        cpu->fflags = val & FFLAGS_MASK;
        riscv_mark_fs_dirty(cpu);
        return true;
    case CSR_FRM:
        cpu->frm = val & FRM_MASK;
        riscv_mark_fs_dirty(cpu);
        return true;
    case CSR_FCSR:
        cpu->fflags = val & FFLAGS_MASK;
        cpu->frm = (val >> FCSR_FRM_SHIFT) & FRM_MASK;
        riscv_mark_fs_dirty(cpu);
        return true;
    case CSR_MCYCLE:
        cpu->mcycle_off = val - cpu->instret;
        return true;
    case CSR_MINSTRET:
        /* The writing instruction itself still retires afterwards. */
        cpu->minstret_off = val - cpu->instret - 1;
        return true;
    case CSR_SSTATUS:
        mstatus_write(cpu, val, SSTATUS_WRITABLE);
        return true;
    case CSR_MSTATUS:
        mstatus_write(cpu, val, MSTATUS_M_WRITABLE);
        return true;
    case CSR_SIE:
        cpu->mie = (cpu->mie & ~cpu->mideleg) |
                   (val & cpu->mideleg & S_INTERRUPTS);
        return true;
    case CSR_SIP:
        mip_write(cpu, val, cpu->mideleg & RISCV_MIP_SSIP);
        return true;
    case CSR_STVEC:
        cpu->stvec = val & ~2ull;   /* modes 0 and 1 only */
        return true;
    case CSR_SCOUNTEREN:
        cpu->scounteren = val;
        return true;
    case CSR_SSCRATCH:
        cpu->sscratch = val;
        return true;
    case CSR_SEPC:
        cpu->sepc = val & ~1ull;
        return true;
    case CSR_SCAUSE:
        cpu->scause = val;
        return true;
    case CSR_STVAL:
        cpu->stval = val;
        return true;
    case CSR_SATP: {
        unsigned mode = val >> SATP_MODE_SHIFT;
        /* §4.1.11: an unsupported MODE makes the whole write a no-op. */
        if (mode != SATP_MODE_BARE && mode != SATP_MODE_SV39 &&
            mode != SATP_MODE_SV48) {
            return true;
        }
        cpu->satp = val;
        riscv_tlb_flush(cpu);
        return true;
    }
    case CSR_MISA: case CSR_MENVCFG: case CSR_SENVCFG:
        return true;    /* WARL, nothing writable */
    case CSR_MEDELEG:
        cpu->medeleg = val & MEDELEG_WRITABLE;
        return true;
    case CSR_MIDELEG:
        cpu->mideleg = val & S_INTERRUPTS;
        return true;
    case CSR_MIE:
        cpu->mie = val & (S_INTERRUPTS | M_INTERRUPTS);
        return true;
    case CSR_MIP:
        mip_write(cpu, val, MIP_WRITABLE);
        return true;
    case CSR_MTVEC:
        cpu->mtvec = val & ~2ull;
        return true;
    case CSR_MCOUNTEREN:
        cpu->mcounteren = val;
        return true;
    case CSR_MCOUNTINHIBIT:
        cpu->mcountinhibit = val & MCOUNTINHIBIT_WRITABLE;
        return true;
    case CSR_MSCRATCH:
        cpu->mscratch = val;
        return true;
    case CSR_MEPC:
        cpu->mepc = val & ~1ull;
        return true;
    case CSR_MCAUSE:
        cpu->mcause = val;
        return true;
    case CSR_MTVAL:
        cpu->mtval = val;
        return true;
    default:
        break;
    }
    if ((csr >= CSR_MHPMCOUNTER3 && csr <= CSR_MHPMCOUNTER31) ||
        (csr >= CSR_MHPMEVENT3 && csr <= CSR_MHPMEVENT31)) {
        return true;    /* no hpm events: hardwired to zero */
    }
    if (csr >= CSR_PMPCFG0 && csr <= CSR_PMPCFG15) {
        unsigned reg = csr - CSR_PMPCFG0;
        if (reg & 1) {
            return false;
        }
        pmpcfg_write(cpu, reg, val);
        return true;
    }
    if (csr >= CSR_PMPADDR0 && csr <= CSR_PMPADDR63) {
        pmpaddr_write(cpu, csr - CSR_PMPADDR0, val);
        return true;
    }
    /* read-only CSRs that exist */
    uint64_t dummy;
    return riscv_csr_read_raw(cpu, csr, &dummy);
}

/* Checks that depend on the current mode and state, beyond the number's
 * own privilege bits. */
static bool csr_allowed(RISCVCPU *cpu, unsigned csr)
{
    if (cpu->priv < (int)CSR_MIN_PRIV(csr)) {
        return false;
    }
    if (csr == CSR_SATP && cpu->priv == RISCV_PRV_S &&
        (cpu->mstatus & MSTATUS_TVM)) {
        return false;
    }
    if (csr >= CSR_FFLAGS && csr <= CSR_FCSR &&
        !(cpu->mstatus & MSTATUS_FS)) {
        return false;
    }
    if (csr >= CSR_CYCLE && csr <= CSR_HPMCOUNTER31) {
        /* §3.1.11-12: counter access below M is gated by mcounteren, and
         * in U-mode also by scounteren. */
        uint32_t bit = 1u << (csr - CSR_CYCLE);
        if (cpu->priv < RISCV_PRV_M && !(cpu->mcounteren & bit)) {
            return false;
        }
        if (cpu->priv == RISCV_PRV_U && !(cpu->scounteren & bit)) {
            return false;
        }
    }
    return true;
}

uint32_t riscv_csr_access(RISCVCPU *cpu, unsigned csr, int op,
                          uint64_t src, bool do_write, bool do_read,
                          uint64_t *old)
{
    uint64_t v = 0;

    if (!csr_allowed(cpu, csr) || (do_write && CSR_RO(csr))) {
        return EXC_ILLEGAL_INSN;
    }
    /* Our reads have no side effects, so csrrw x0 reads too (op needs the
     * old value for csrrs/csrrc anyway). */
    (void)do_read;
    if (!riscv_csr_read_raw(cpu, csr, &v)) {
        return EXC_ILLEGAL_INSN;
    }
    if (do_write) {
        uint64_t nv = op == 0 ? src : op == 1 ? v | src : v & ~src;
        if (!riscv_csr_write_raw(cpu, csr, nv)) {
            return EXC_ILLEGAL_INSN;
        }
    }
    *old = v;
    return EXC_NONE;
}

void riscv_csr_reset(RISCVCPU *cpu)
{
    cpu->mstatus = (MSTATUS_XL_64 << 32) | (MSTATUS_XL_64 << 34);
    /* misa, §3.1.1: MXL=2 (RV64) and the extensions I M A F D C S U. */
    cpu->misa = (2ull << 62);
    for (const char *e = "IMAFDCSU"; *e; e++) {
        cpu->misa |= 1ull << (*e - 'A');
    }
    cpu->medeleg = cpu->mideleg = cpu->mie = 0;
    /* mip keeps the interrupt lines: they belong to the devices. */
    cpu->mtvec = cpu->stvec = cpu->mepc = cpu->sepc = 0;
    cpu->mcause = cpu->scause = cpu->mtval = cpu->stval = 0;
    cpu->mscratch = cpu->sscratch = cpu->satp = 0;
    cpu->mcounteren = cpu->scounteren = cpu->mcountinhibit = 0;
    cpu->instret = cpu->mcycle_off = cpu->minstret_off = 0;
    cpu->fflags = cpu->frm = 0;
    memset(cpu->pmpcfg, 0, sizeof(cpu->pmpcfg));
    memset(cpu->pmpaddr, 0, sizeof(cpu->pmpaddr));
}
