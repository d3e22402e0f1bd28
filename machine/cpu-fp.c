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
#define OPC_OP_FP 0x53

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

/* Per-format operand access (the template below pastes the suffix):
 * binary32 values are NaN-boxed in the 64-bit f registers. */
static inline uint64_t get_d(RISCVCPU *cpu, unsigned r)
{
    return cpu->f[r];
}
#define get_s riscv_fp_get_s
#define set_s riscv_fp_set_s
#define set_d riscv_fp_set_d

/* fcvt between the formats, to the format of the suffix; false if rs2 does
 * not name the other format. */
static inline bool cvt_other_s(RISCVCPU *cpu, unsigned rs1, unsigned rs2,
                               int rm, uint32_t *fl, uint32_t *r)
{
    *r = fpu_d_to_s(cpu->f[rs1], rm, fl);
    return rs2 == FMT_D;
}
static inline bool cvt_other_d(RISCVCPU *cpu, unsigned rs1, unsigned rs2,
                               int rm, uint32_t *fl, uint64_t *r)
{
    *r = fpu_s_to_d(riscv_fp_get_s(cpu, rs1), fl);   /* exact: rm unused */
    return rs2 == FMT_S;
}

/* fmv.x.w moves the raw low 32 bits (no unboxing), sign-extended. */
static inline uint64_t mv_x_s(RISCVCPU *cpu, unsigned rs1)
{
    return (uint64_t)(int64_t)(int32_t)cpu->f[rs1];
}
static inline uint64_t mv_x_d(RISCVCPU *cpu, unsigned rs1)
{
    return cpu->f[rs1];
}

/*
 * One function per format, generated from one body: fp_exec_s and
 * fp_exec_d.  F is the suffix (s, d), T the raw type, SIGN its sign bit.
 */
#define DEFINE_FP_EXEC(F, T, SIGN)                                          \
static uint32_t fp_exec_##F(RISCVCPU *cpu, uint32_t insn, uint32_t *fl)    \
{                                                                          \
    unsigned rd = (insn >> 7) & 31, rs1 = (insn >> 15) & 31;               \
    unsigned rs2 = (insn >> 20) & 31, f3 = (insn >> 12) & 7;               \
    unsigned f5 = insn >> 27;                                              \
    T a = get_##F(cpu, rs1), b = get_##F(cpu, rs2), r;                     \
    int rm = 0;                                                            \
                                                                           \
    if ((insn & 0x7f) != OPC_OP_FP) {                                      \
        T c = get_##F(cpu, insn >> 27);                                    \
        if (!resolve_rm(cpu, f3, &rm)) {                                   \
            return EXC_ILLEGAL_INSN;                                       \
        }                                                                  \
        switch (insn & 0x7f) {                                             \
        case OPC_MADD:  r = fpu_madd_##F(a, b, c, rm, fl); break;          \
        case OPC_MSUB:  r = fpu_msub_##F(a, b, c, rm, fl); break;          \
        case OPC_NMSUB: r = fpu_nmsub_##F(a, b, c, rm, fl); break;         \
        default:        r = fpu_nmadd_##F(a, b, c, rm, fl); break;         \
        }                                                                  \
        set_##F(cpu, rd, r);                                               \
        return EXC_NONE;                                                   \
    }                                                                      \
    switch (f5) {                                                          \
    case F5_ADD: case F5_SUB: case F5_MUL: case F5_DIV: case F5_SQRT:      \
    case F5_CVT_FF: case F5_CVT_IF: case F5_CVT_FI:                        \
        if (!resolve_rm(cpu, f3, &rm)) {                                   \
            return EXC_ILLEGAL_INSN;                                       \
        }                                                                  \
        break;                                                             \
    default:                                                               \
        break;                                                             \
    }                                                                      \
    switch (f5) {                                                          \
    case F5_ADD:                                                           \
        r = fpu_add_##F(a, b, rm, fl);                                     \
        break;                                                             \
    case F5_SUB:                                                           \
        r = fpu_sub_##F(a, b, rm, fl);                                     \
        break;                                                             \
    case F5_MUL:                                                           \
        r = fpu_mul_##F(a, b, rm, fl);                                     \
        break;                                                             \
    case F5_DIV:                                                           \
        r = fpu_div_##F(a, b, rm, fl);                                     \
        break;                                                             \
    case F5_SQRT:                                                          \
        if (rs2 != 0) {                                                    \
            return EXC_ILLEGAL_INSN;                                       \
        }                                                                  \
        r = fpu_sqrt_##F(a, rm, fl);                                       \
        break;                                                             \
    case F5_SGNJ:                                                          \
        switch (f3) {                                                      \
        case 0: r = (a & ~SIGN) | (b & SIGN); break;       /* fsgnj */     \
        case 1: r = (a & ~SIGN) | (~b & SIGN); break;      /* fsgnjn */    \
        case 2: r = a ^ (b & SIGN); break;                 /* fsgnjx */    \
        default: return EXC_ILLEGAL_INSN;                                  \
        }                                                                  \
        break;                                                             \
    case F5_MINMAX:                                                        \
        if (f3 > 1) {                                                      \
            return EXC_ILLEGAL_INSN;                                       \
        }                                                                  \
        r = f3 ? fpu_max_##F(a, b, fl) : fpu_min_##F(a, b, fl);            \
        break;                                                             \
    case F5_CVT_FF:                                                        \
        if (!cvt_other_##F(cpu, rs1, rs2, rm, fl, &r)) {                   \
            return EXC_ILLEGAL_INSN;                                       \
        }                                                                  \
        break;                                                             \
    case F5_CMP:                                                           \
        switch (f3) {                                                      \
        case 0: set_x(cpu, rd, fpu_le_##F(a, b, fl)); return EXC_NONE;     \
        case 1: set_x(cpu, rd, fpu_lt_##F(a, b, fl)); return EXC_NONE;     \
        case 2: set_x(cpu, rd, fpu_eq_##F(a, b, fl)); return EXC_NONE;     \
        default: return EXC_ILLEGAL_INSN;                                  \
        }                                                                  \
    case F5_CVT_IF:     /* fcvt.{w,wu,l,lu}.fmt */                         \
        switch (rs2) {                                                     \
        case 0: set_x(cpu, rd, fpu_##F##_to_w(a, rm, fl)); break;          \
        case 1: set_x(cpu, rd, fpu_##F##_to_wu(a, rm, fl)); break;         \
        case 2: set_x(cpu, rd, fpu_##F##_to_l(a, rm, fl)); break;          \
        case 3: set_x(cpu, rd, fpu_##F##_to_lu(a, rm, fl)); break;         \
        default: return EXC_ILLEGAL_INSN;                                  \
        }                                                                  \
        return EXC_NONE;                                                   \
    case F5_CVT_FI: {   /* fcvt.fmt.{w,wu,l,lu} */                         \
        uint64_t v = cpu->x[rs1];                                          \
        switch (rs2) {                                                     \
        case 0: r = fpu_w_to_##F((int32_t)v, rm, fl); break;               \
        case 1: r = fpu_wu_to_##F((uint32_t)v, rm, fl); break;             \
        case 2: r = fpu_l_to_##F((int64_t)v, rm, fl); break;               \
        case 3: r = fpu_lu_to_##F(v, rm, fl); break;                       \
        default: return EXC_ILLEGAL_INSN;                                  \
        }                                                                  \
        break;                                                             \
    }                                                                      \
    case F5_MV_XF:      /* fmv.x.fmt, fclass */                            \
        if (rs2 != 0 || f3 > 1) {                                          \
            return EXC_ILLEGAL_INSN;                                       \
        }                                                                  \
        set_x(cpu, rd, f3 ? fpu_class_##F(a) : mv_x_##F(cpu, rs1));        \
        return EXC_NONE;                                                   \
    case F5_MV_FX:      /* fmv.fmt.x */                                    \
        if (rs2 != 0 || f3 != 0) {                                         \
            return EXC_ILLEGAL_INSN;                                       \
        }                                                                  \
        r = (T)cpu->x[rs1];                                                \
        break;                                                             \
    default:                                                               \
        return EXC_ILLEGAL_INSN;                                           \
    }                                                                      \
    set_##F(cpu, rd, r);                                                   \
    return EXC_NONE;                                                       \
}

DEFINE_FP_EXEC(s, uint32_t, SIGN_S)
DEFINE_FP_EXEC(d, uint64_t, SIGN_D)

uint32_t riscv_fp_exec(RISCVCPU *cpu, const RISCVInsn *d)
{
    uint32_t insn = d->raw;
    unsigned fmt = (insn >> 25) & 3;
    uint32_t fl = 0;
    uint32_t exc;

    if (fmt > FMT_D) {
        return EXC_ILLEGAL_INSN;    /* H and Q are not implemented */
    }
    exc = fmt == FMT_S ? fp_exec_s(cpu, insn, &fl) : fp_exec_d(cpu, insn, &fl);
    if (exc == EXC_NONE && fl) {
        cpu->fflags |= fl;
        riscv_mark_fs_dirty(cpu);
    }
    return exc;
}
