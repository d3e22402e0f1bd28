/*
 * machine/cpu-fp.c - F and D computational instructions (unprivileged spec
 * chapters 11 and 12): operand fetch with NaN-boxing, rounding-mode
 * resolution, sign injection and moves.  The IEEE arithmetic itself is
 * machine/fpu.h.
 */
#include "machine/cpu-internal.h"
#include "machine/fpu.h"

#define OPC_MADD  0x43
#define OPC_MSUB  0x47
#define OPC_NMSUB 0x4b
#define OPC_NMADD 0x4f

#define RM_DYN 7
#define FMT_S 0
#define FMT_D 1

#define SIGN_S 0x80000000u
#define SIGN_D 0x8000000000000000ull

/* funct5 of OP-FP (funct7 >> 2), unprivileged spec table 24.3/24.4. */
enum {
    F5_ADD = 0x00, F5_SUB = 0x01, F5_MUL = 0x02, F5_DIV = 0x03,
    F5_SGNJ = 0x04, F5_MINMAX = 0x05, F5_CVT_FF = 0x08, F5_SQRT = 0x0b,
    F5_CMP = 0x14, F5_CVT_IF = 0x18, F5_CVT_FI = 0x1a, F5_MV_XF = 0x1c,
    F5_MV_FX = 0x1e,
};

/* Resolve the instruction's rm field; false for a reserved mode. */
static bool resolve_rm(RISCVCPU *cpu, unsigned rm, int *out)
{
    if (rm == RM_DYN) {
        rm = cpu->frm;
    }
    if (rm > FPU_RM_RMM) {
        return false;
    }
    *out = rm;
    return true;
}

static void set_x(RISCVCPU *cpu, unsigned rd, uint64_t v)
{
    if (rd) {
        cpu->x[rd] = v;
    }
}

static uint32_t fp_exec_fma(RISCVCPU *cpu, uint32_t insn, unsigned fmt,
                            int rm, uint32_t *fl)
{
    unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
    unsigned rs2 = (insn >> 20) & 31, rs3 = insn >> 27;
    unsigned opc = insn & 0x7f;

    if (fmt == FMT_S) {
        uint32_t a = riscv_fp_get_s(cpu, rs1), b = riscv_fp_get_s(cpu, rs2);
        uint32_t c = riscv_fp_get_s(cpu, rs3), r;
        switch (opc) {
        case OPC_MADD:  r = fpu_madd_s(a, b, c, rm, fl); break;
        case OPC_MSUB:  r = fpu_msub_s(a, b, c, rm, fl); break;
        case OPC_NMSUB: r = fpu_nmsub_s(a, b, c, rm, fl); break;
        default:        r = fpu_nmadd_s(a, b, c, rm, fl); break;
        }
        riscv_fp_set_s(cpu, rd, r);
    } else {
        uint64_t a = cpu->f[rs1], b = cpu->f[rs2], c = cpu->f[rs3], r;
        switch (opc) {
        case OPC_MADD:  r = fpu_madd_d(a, b, c, rm, fl); break;
        case OPC_MSUB:  r = fpu_msub_d(a, b, c, rm, fl); break;
        case OPC_NMSUB: r = fpu_nmsub_d(a, b, c, rm, fl); break;
        default:        r = fpu_nmadd_d(a, b, c, rm, fl); break;
        }
        riscv_fp_set_d(cpu, rd, r);
    }
    return EXC_NONE;
}

static uint32_t fp_exec_s(RISCVCPU *cpu, uint32_t insn, unsigned f5,
                          uint32_t *fl)
{
    unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
    unsigned rs2 = (insn >> 20) & 31, f3 = (insn >> 12) & 7;
    uint32_t a = riscv_fp_get_s(cpu, rs1), b = riscv_fp_get_s(cpu, rs2);
    int rm = 0;

    switch (f5) {
    case F5_ADD: case F5_SUB: case F5_MUL: case F5_DIV: case F5_SQRT:
    case F5_CVT_FF: case F5_CVT_IF: case F5_CVT_FI:
        if (!resolve_rm(cpu, f3, &rm)) {
            return EXC_ILLEGAL_INSN;
        }
        break;
    default:
        break;
    }
    switch (f5) {
    case F5_ADD:
        riscv_fp_set_s(cpu, rd, fpu_add_s(a, b, rm, fl));
        return EXC_NONE;
    case F5_SUB:
        riscv_fp_set_s(cpu, rd, fpu_sub_s(a, b, rm, fl));
        return EXC_NONE;
    case F5_MUL:
        riscv_fp_set_s(cpu, rd, fpu_mul_s(a, b, rm, fl));
        return EXC_NONE;
    case F5_DIV:
        riscv_fp_set_s(cpu, rd, fpu_div_s(a, b, rm, fl));
        return EXC_NONE;
    case F5_SQRT:
        if (rs2 != 0) {
            return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_s(cpu, rd, fpu_sqrt_s(a, rm, fl));
        return EXC_NONE;
    case F5_SGNJ: {
        uint32_t sign;
        switch (f3) {
        case 0: sign = b & SIGN_S; break;             /* fsgnj */
        case 1: sign = ~b & SIGN_S; break;            /* fsgnjn */
        case 2: sign = (a ^ b) & SIGN_S; break;       /* fsgnjx */
        default: return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_s(cpu, rd, (a & ~SIGN_S) | sign);
        return EXC_NONE;
    }
    case F5_MINMAX:
        if (f3 > 1) {
            return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_s(cpu, rd, f3 ? fpu_max_s(a, b, fl)
                                   : fpu_min_s(a, b, fl));
        return EXC_NONE;
    case F5_CVT_FF:     /* fcvt.s.d */
        if (rs2 != FMT_D) {
            return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_s(cpu, rd, fpu_d_to_s(cpu->f[rs1], rm, fl));
        return EXC_NONE;
    case F5_CMP:
        switch (f3) {
        case 0: set_x(cpu, rd, fpu_le_s(a, b, fl)); return EXC_NONE;
        case 1: set_x(cpu, rd, fpu_lt_s(a, b, fl)); return EXC_NONE;
        case 2: set_x(cpu, rd, fpu_eq_s(a, b, fl)); return EXC_NONE;
        default: return EXC_ILLEGAL_INSN;
        }
    case F5_CVT_IF:     /* fcvt.{w,wu,l,lu}.s */
        switch (rs2) {
        case 0: set_x(cpu, rd, fpu_s_to_w(a, rm, fl)); return EXC_NONE;
        case 1: set_x(cpu, rd, fpu_s_to_wu(a, rm, fl)); return EXC_NONE;
        case 2: set_x(cpu, rd, fpu_s_to_l(a, rm, fl)); return EXC_NONE;
        case 3: set_x(cpu, rd, fpu_s_to_lu(a, rm, fl)); return EXC_NONE;
        default: return EXC_ILLEGAL_INSN;
        }
    case F5_CVT_FI: {   /* fcvt.s.{w,wu,l,lu} */
        uint64_t v = cpu->x[rs1];
        uint32_t r;
        switch (rs2) {
        case 0: r = fpu_w_to_s((int32_t)v, rm, fl); break;
        case 1: r = fpu_wu_to_s((uint32_t)v, rm, fl); break;
        case 2: r = fpu_l_to_s((int64_t)v, rm, fl); break;
        case 3: r = fpu_lu_to_s(v, rm, fl); break;
        default: return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_s(cpu, rd, r);
        return EXC_NONE;
    }
    case F5_MV_XF:
        if (rs2 != 0) {
            return EXC_ILLEGAL_INSN;
        }
        if (f3 == 0) {  /* fmv.x.w: the raw low bits, sign-extended */
            set_x(cpu, rd, (uint64_t)(int64_t)(int32_t)cpu->f[rs1]);
            return EXC_NONE;
        }
        if (f3 == 1) {
            set_x(cpu, rd, fpu_class_s(a));
            return EXC_NONE;
        }
        return EXC_ILLEGAL_INSN;
    case F5_MV_FX:      /* fmv.w.x */
        if (rs2 != 0 || f3 != 0) {
            return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_s(cpu, rd, (uint32_t)cpu->x[rs1]);
        return EXC_NONE;
    default:
        return EXC_ILLEGAL_INSN;
    }
}

static uint32_t fp_exec_d(RISCVCPU *cpu, uint32_t insn, unsigned f5,
                          uint32_t *fl)
{
    unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;
    unsigned rs2 = (insn >> 20) & 31, f3 = (insn >> 12) & 7;
    uint64_t a = cpu->f[rs1], b = cpu->f[rs2];
    int rm = 0;

    switch (f5) {
    case F5_ADD: case F5_SUB: case F5_MUL: case F5_DIV: case F5_SQRT:
    case F5_CVT_FF: case F5_CVT_IF: case F5_CVT_FI:
        if (!resolve_rm(cpu, f3, &rm)) {
            return EXC_ILLEGAL_INSN;
        }
        break;
    default:
        break;
    }
    switch (f5) {
    case F5_ADD:
        riscv_fp_set_d(cpu, rd, fpu_add_d(a, b, rm, fl));
        return EXC_NONE;
    case F5_SUB:
        riscv_fp_set_d(cpu, rd, fpu_sub_d(a, b, rm, fl));
        return EXC_NONE;
    case F5_MUL:
        riscv_fp_set_d(cpu, rd, fpu_mul_d(a, b, rm, fl));
        return EXC_NONE;
    case F5_DIV:
        riscv_fp_set_d(cpu, rd, fpu_div_d(a, b, rm, fl));
        return EXC_NONE;
    case F5_SQRT:
        if (rs2 != 0) {
            return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_d(cpu, rd, fpu_sqrt_d(a, rm, fl));
        return EXC_NONE;
    case F5_SGNJ: {
        uint64_t sign;
        switch (f3) {
        case 0: sign = b & SIGN_D; break;
        case 1: sign = ~b & SIGN_D; break;
        case 2: sign = (a ^ b) & SIGN_D; break;
        default: return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_d(cpu, rd, (a & ~SIGN_D) | sign);
        return EXC_NONE;
    }
    case F5_MINMAX:
        if (f3 > 1) {
            return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_d(cpu, rd, f3 ? fpu_max_d(a, b, fl)
                                   : fpu_min_d(a, b, fl));
        return EXC_NONE;
    case F5_CVT_FF:     /* fcvt.d.s (exact: rm is only validated) */
        if (rs2 != FMT_S) {
            return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_d(cpu, rd, fpu_s_to_d(riscv_fp_get_s(cpu, rs1), fl));
        return EXC_NONE;
    case F5_CMP:
        switch (f3) {
        case 0: set_x(cpu, rd, fpu_le_d(a, b, fl)); return EXC_NONE;
        case 1: set_x(cpu, rd, fpu_lt_d(a, b, fl)); return EXC_NONE;
        case 2: set_x(cpu, rd, fpu_eq_d(a, b, fl)); return EXC_NONE;
        default: return EXC_ILLEGAL_INSN;
        }
    case F5_CVT_IF:
        switch (rs2) {
        case 0: set_x(cpu, rd, fpu_d_to_w(a, rm, fl)); return EXC_NONE;
        case 1: set_x(cpu, rd, fpu_d_to_wu(a, rm, fl)); return EXC_NONE;
        case 2: set_x(cpu, rd, fpu_d_to_l(a, rm, fl)); return EXC_NONE;
        case 3: set_x(cpu, rd, fpu_d_to_lu(a, rm, fl)); return EXC_NONE;
        default: return EXC_ILLEGAL_INSN;
        }
    case F5_CVT_FI: {
        uint64_t v = cpu->x[rs1];
        uint64_t r;
        switch (rs2) {
        case 0: r = fpu_w_to_d((int32_t)v, rm, fl); break;
        case 1: r = fpu_wu_to_d((uint32_t)v, rm, fl); break;
        case 2: r = fpu_l_to_d((int64_t)v, rm, fl); break;
        case 3: r = fpu_lu_to_d(v, rm, fl); break;
        default: return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_d(cpu, rd, r);
        return EXC_NONE;
    }
    case F5_MV_XF:
        if (rs2 != 0) {
            return EXC_ILLEGAL_INSN;
        }
        if (f3 == 0) {
            set_x(cpu, rd, a);
            return EXC_NONE;
        }
        if (f3 == 1) {
            set_x(cpu, rd, fpu_class_d(a));
            return EXC_NONE;
        }
        return EXC_ILLEGAL_INSN;
    case F5_MV_FX:
        if (rs2 != 0 || f3 != 0) {
            return EXC_ILLEGAL_INSN;
        }
        riscv_fp_set_d(cpu, rd, cpu->x[rs1]);
        return EXC_NONE;
    default:
        return EXC_ILLEGAL_INSN;
    }
}

uint32_t riscv_fp_exec(RISCVCPU *cpu, const RISCVInsn *d)
{
    uint32_t insn = d->raw;
    unsigned fmt = (insn >> 25) & 3;
    uint32_t fl = 0;
    uint32_t exc;

    if (fmt > FMT_D) {
        return EXC_ILLEGAL_INSN;    /* H and Q are not implemented */
    }
    if ((insn & 0x7f) != 0x53) {
        int rm;
        if (!resolve_rm(cpu, (insn >> 12) & 7, &rm)) {
            return EXC_ILLEGAL_INSN;
        }
        exc = fp_exec_fma(cpu, insn, fmt, rm, &fl);
    } else if (fmt == FMT_S) {
        exc = fp_exec_s(cpu, insn, insn >> 27, &fl);
    } else {
        exc = fp_exec_d(cpu, insn, insn >> 27, &fl);
    }
    if (exc == EXC_NONE && fl) {
        cpu->fflags |= fl;
        riscv_mark_fs_dirty(cpu);
    }
    return exc;
}
