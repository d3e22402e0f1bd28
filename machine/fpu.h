/*
 * machine/fpu.h - IEEE 754-2008 binary32/binary64 arithmetic with RISC-V
 * semantics (unprivileged spec, chapters "F" and "D" standard extensions).
 *
 * Values travel as raw bit patterns: "s" is binary32 in a uint32_t, "d" is
 * binary64 in a uint64_t.  The CPU interpreter owns everything around the
 * arithmetic: NaN-boxing, sign injection, fmv, and resolving the dynamic
 * rounding mode (frm) before calling in.
 *
 * Common contract of every function below:
 *  - rm is a resolved rounding mode, one of FPU_RM_RNE..FPU_RM_RMM.  Passing
 *    anything else (5, 6 = reserved, 7 = DYN) is a programmer bug: the caller
 *    must raise the illegal-instruction exception itself.
 *  - flags points to an accrued-exception accumulator; functions only OR
 *    FPU_FLAG_* bits into it, never clear it (so it can be fflags itself).
 *  - Every NaN result is the canonical NaN (FPU_S_CANONICAL_NAN /
 *    FPU_D_CANONICAL_NAN); a signalling NaN operand raises FPU_FLAG_NV.
 *  - Tininess is detected after rounding; FPU_FLAG_UF is raised only when the
 *    result is both tiny and inexact (RISC-V follows IEEE 754 default).
 *  - Pure functions of their arguments: no global state, any thread may call.
 */
#ifndef MACHINE_FPU_H
#define MACHINE_FPU_H

#include <stdbool.h>
#include <stdint.h>

/* fflags bits, RISC-V unprivileged spec, "Floating-Point Control and Status
 * Register" (fcsr): NX inexact, UF underflow, OF overflow, DZ divide by zero,
 * NV invalid operation. */
#define FPU_FLAG_NX 0x01u
#define FPU_FLAG_UF 0x02u
#define FPU_FLAG_OF 0x04u
#define FPU_FLAG_DZ 0x08u
#define FPU_FLAG_NV 0x10u

/* Rounding modes, same encoding as the instruction rm field and frm. */
#define FPU_RM_RNE 0  /* round to nearest, ties to even */
#define FPU_RM_RTZ 1  /* round towards zero */
#define FPU_RM_RDN 2  /* round down (towards -inf) */
#define FPU_RM_RUP 3  /* round up (towards +inf) */
#define FPU_RM_RMM 4  /* round to nearest, ties to max magnitude */

/* The canonical NaN of each format (positive, quiet, payload zero). */
#define FPU_S_CANONICAL_NAN 0x7fc00000u
#define FPU_D_CANONICAL_NAN 0x7ff8000000000000ull

/* fclass result bits (one-hot), RISC-V "Single-Precision Floating-Point
 * Classify Instruction" table. */
#define FPU_CLASS_NEG_INF       (1u << 0)
#define FPU_CLASS_NEG_NORMAL    (1u << 1)
#define FPU_CLASS_NEG_SUBNORMAL (1u << 2)
#define FPU_CLASS_NEG_ZERO      (1u << 3)
#define FPU_CLASS_POS_ZERO      (1u << 4)
#define FPU_CLASS_POS_SUBNORMAL (1u << 5)
#define FPU_CLASS_POS_NORMAL    (1u << 6)
#define FPU_CLASS_POS_INF       (1u << 7)
#define FPU_CLASS_SNAN          (1u << 8)
#define FPU_CLASS_QNAN          (1u << 9)

/* ---- binary32 ---- */

/* Correctly rounded a+b, a-b, a*b, a/b, sqrt(a).  x/0 with finite nonzero x
 * raises DZ and returns a signed infinity; 0/0, inf-inf, inf*0, sqrt of a
 * negative nonzero number raise NV. */
uint32_t fpu_add_s(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_sub_s(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_mul_s(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_div_s(uint32_t a, uint32_t b, int rm, uint32_t *flags);
uint32_t fpu_sqrt_s(uint32_t a, int rm, uint32_t *flags);

/* fmin/fmax (RISC-V 2.2+, IEEE 754-2019 minimumNumber/maximumNumber): a NaN
 * operand is ignored, two NaNs give the canonical NaN, -0 < +0, an sNaN
 * operand raises NV. */
uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *flags);
uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *flags);

/* Fused multiply-add with one rounding:
 * madd = a*b+c, msub = a*b-c, nmsub = -(a*b)+c, nmadd = -(a*b)-c.
 * inf*0 raises NV even when c is a quiet NaN. */
uint32_t fpu_madd_s(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *flags);
uint32_t fpu_msub_s(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *flags);
uint32_t fpu_nmsub_s(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *flags);
uint32_t fpu_nmadd_s(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *flags);

/* feq is a quiet comparison (NV only for an sNaN operand); flt and fle are
 * signalling (NV for any NaN operand).  Any NaN operand gives false. */
bool fpu_eq_s(uint32_t a, uint32_t b, uint32_t *flags);
bool fpu_lt_s(uint32_t a, uint32_t b, uint32_t *flags);
bool fpu_le_s(uint32_t a, uint32_t b, uint32_t *flags);

/* fclass: exactly one FPU_CLASS_* bit.  Never raises flags. */
uint32_t fpu_class_s(uint32_t a);

/* Float to integer, rounded with rm.  NX when inexact.  Out of range, inf
 * and NaN raise NV (and not NX) and saturate per the RISC-V "domains and
 * invalid behaviors" table: NaN and too-large give the maximum, too-small
 * (including -inf) the minimum.  The 32-bit results (w, wu) are returned
 * sign-extended from bit 31, as RV64 writes them to rd; so fcvt.wu.s of NaN
 * returns 0xffffffffffffffff. */
int64_t fpu_s_to_w(uint32_t a, int rm, uint32_t *flags);
int64_t fpu_s_to_wu(uint32_t a, int rm, uint32_t *flags);
int64_t fpu_s_to_l(uint32_t a, int rm, uint32_t *flags);
uint64_t fpu_s_to_lu(uint32_t a, int rm, uint32_t *flags);

/* Integer to float, rounded with rm (NX when inexact; never other flags). */
uint32_t fpu_w_to_s(int32_t v, int rm, uint32_t *flags);
uint32_t fpu_wu_to_s(uint32_t v, int rm, uint32_t *flags);
uint32_t fpu_l_to_s(int64_t v, int rm, uint32_t *flags);
uint32_t fpu_lu_to_s(uint64_t v, int rm, uint32_t *flags);

/* ---- binary64: same contracts as the binary32 functions above ---- */

uint64_t fpu_add_d(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_sub_d(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_mul_d(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_div_d(uint64_t a, uint64_t b, int rm, uint32_t *flags);
uint64_t fpu_sqrt_d(uint64_t a, int rm, uint32_t *flags);

uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *flags);
uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *flags);

uint64_t fpu_madd_d(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *flags);
uint64_t fpu_msub_d(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *flags);
uint64_t fpu_nmsub_d(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *flags);
uint64_t fpu_nmadd_d(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *flags);

bool fpu_eq_d(uint64_t a, uint64_t b, uint32_t *flags);
bool fpu_lt_d(uint64_t a, uint64_t b, uint32_t *flags);
bool fpu_le_d(uint64_t a, uint64_t b, uint32_t *flags);

uint32_t fpu_class_d(uint64_t a);

int64_t fpu_d_to_w(uint64_t a, int rm, uint32_t *flags);
int64_t fpu_d_to_wu(uint64_t a, int rm, uint32_t *flags);
int64_t fpu_d_to_l(uint64_t a, int rm, uint32_t *flags);
uint64_t fpu_d_to_lu(uint64_t a, int rm, uint32_t *flags);

/* w/wu to d is always exact; rm is accepted for a uniform call shape. */
uint64_t fpu_w_to_d(int32_t v, int rm, uint32_t *flags);
uint64_t fpu_wu_to_d(uint32_t v, int rm, uint32_t *flags);
uint64_t fpu_l_to_d(int64_t v, int rm, uint32_t *flags);
uint64_t fpu_lu_to_d(uint64_t v, int rm, uint32_t *flags);

/* ---- between the formats ---- */

/* fcvt.d.s: always exact; an sNaN raises NV, any NaN gives the canonical
 * double NaN. */
uint64_t fpu_s_to_d(uint32_t a, uint32_t *flags);
/* fcvt.s.d: rounded with rm; may raise NX, UF, OF, NV. */
uint32_t fpu_d_to_s(uint64_t a, int rm, uint32_t *flags);

#endif /* MACHINE_FPU_H */
