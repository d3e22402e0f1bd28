/*
 * machine/fpu-cvt.c - the non-arithmetic half of the soft-float:
 * comparisons, fmin/fmax, fclass, float<->integer and single<->double
 * conversions, with RISC-V semantics (unprivileged spec, F and D chapters).
 */
#include "machine/fpu-internal.h"

#define S (&fpu_format_s)
#define D (&fpu_format_d)

/* ---- comparisons ---- */

/*
 * Map a non-NaN value to a signed integer that orders like the value, with
 * both zeros on 0: the magnitude bits, negated for negative numbers.
 */
static inline int64_t fpu_order_key(const FpuFormat *f, uint64_t bits)
{
    uint64_t sign_bit = fpu_sign_bit(f, true);
    int64_t mag = (int64_t)(bits & (sign_bit - 1));

    return bits & sign_bit ? -mag : mag;
}

/*
 * Compare a and b.  Returns false and raises NV as needed when either is a
 * NaN (quiet comparisons raise NV only for sNaN); otherwise sets *cmp to
 * -1, 0 or 1.
 */
static inline bool fpu_compare(const FpuFormat *f, uint64_t a, uint64_t b,
                               bool signalling, int *cmp, uint32_t *flags)
{
    FpuValue x = fpu_unpack(f, a);
    FpuValue y = fpu_unpack(f, b);
    int64_t ka, kb;

    if (fpu_is_nan(&x) || fpu_is_nan(&y)) {
        if (signalling || x.kind == FPU_KIND_SNAN || y.kind == FPU_KIND_SNAN) {
            *flags |= FPU_FLAG_NV;
        }
        return false;
    }
    ka = fpu_order_key(f, a);
    kb = fpu_order_key(f, b);
    *cmp = (ka > kb) - (ka < kb);
    return true;
}

/*
 * fmin/fmax (RISC-V 2.2+): a NaN operand is dropped, two NaNs give the
 * canonical NaN, and -0 counts as less than +0.
 */
static inline uint64_t fpu_minmax(const FpuFormat *f, uint64_t a, uint64_t b,
                                  bool want_max, uint32_t *flags)
{
    FpuValue x = fpu_unpack(f, a);
    FpuValue y = fpu_unpack(f, b);
    int64_t ka, kb;

    if (x.kind == FPU_KIND_SNAN || y.kind == FPU_KIND_SNAN) {
        *flags |= FPU_FLAG_NV;
    }
    if (fpu_is_nan(&x)) {
        return fpu_is_nan(&y) ? fpu_canonical_nan(f) : b;
    }
    if (fpu_is_nan(&y)) {
        return a;
    }
    ka = fpu_order_key(f, a);
    kb = fpu_order_key(f, b);
    if (ka != kb) {
        return (ka < kb) != want_max ? a : b;
    }
    /* Equal values are bitwise equal except for +0 vs -0: min takes the
     * sign if either has it, max only if both do. */
    return want_max ? a & b : a | b;
}

static inline uint32_t fpu_class(const FpuFormat *f, uint64_t bits)
{
    FpuValue v = fpu_unpack(f, bits);
    int bexp = (int)(bits >> (f->precision - 1)) & f->exp_max;

    switch (v.kind) {
    case FPU_KIND_ZERO:
        return v.sign ? FPU_CLASS_NEG_ZERO : FPU_CLASS_POS_ZERO;
    case FPU_KIND_FINITE:
        if (bexp == 0) {
            return v.sign ? FPU_CLASS_NEG_SUBNORMAL : FPU_CLASS_POS_SUBNORMAL;
        }
        return v.sign ? FPU_CLASS_NEG_NORMAL : FPU_CLASS_POS_NORMAL;
    case FPU_KIND_INF:
        return v.sign ? FPU_CLASS_NEG_INF : FPU_CLASS_POS_INF;
    case FPU_KIND_QNAN:
        return FPU_CLASS_QNAN;
    case FPU_KIND_SNAN:
        return FPU_CLASS_SNAN;
    }
    return 0;
}

/* ---- float to integer ---- */

/*
 * Round the magnitude of a finite value to an integer with rm (the sign
 * matters for RDN/RUP).  Returns false when it is 2^64 or more.
 */
static inline bool fpu_round_to_uint(const FpuValue *v, int rm, uint64_t *mag,
                                     bool *inexact)
{
    uint64_t sig = v->sig, rest;
    int shift;

    *inexact = false;
    if (v->kind == FPU_KIND_ZERO) {
        *mag = 0;
        return true;
    }
    if (v->exp >= 64) {
        return false;
    }
    if (v->exp >= FPU_SIG_MSB) {
        *mag = sig << (v->exp - FPU_SIG_MSB);
        return true;
    }
    /* Values below 1/2 only matter through a sticky bit: clamp the shift
     * to 63 so that the half-way bit (2^62) stays inside the word. */
    shift = FPU_SIG_MSB - v->exp;
    if (shift > 63) {
        sig = fpu_shr_jam64(sig, shift - 63);
        shift = 63;
    }
    rest = sig & ((1ull << shift) - 1);
    *inexact = rest != 0;
    *mag = (sig >> shift) + fpu_round_up(sig, shift, v->sign, rm);
    return true;
}

/*
 * Convert to an integer in [-max_neg, max_pos], returned as a two's
 * complement 64-bit pattern.  Per the RISC-V "domains and invalid
 * behaviors" table: NaN and values above the range give max_pos, values
 * below it give -max_neg, each raising NV only (no NX).
 */
static inline uint64_t fpu_to_int(const FpuFormat *f, uint64_t bits, int rm,
                                  uint64_t max_pos, uint64_t max_neg,
                                  uint32_t *flags)
{
    FpuValue v = fpu_unpack(f, bits);
    uint64_t mag;
    bool inexact;

    if (fpu_is_nan(&v)) {
        *flags |= FPU_FLAG_NV;
        return max_pos;
    }
    if (v.kind == FPU_KIND_INF || !fpu_round_to_uint(&v, rm, &mag, &inexact) ||
        mag > (v.sign ? max_neg : max_pos)) {
        *flags |= FPU_FLAG_NV;
        return v.sign ? 0 - max_neg : max_pos;
    }
    if (inexact) {
        *flags |= FPU_FLAG_NX;
    }
    return v.sign ? 0 - mag : mag;
}

#define FPU_W_MAX  0x7fffffffull           /* 2^31 - 1 */
#define FPU_W_NEG  0x80000000ull           /* |INT32_MIN| */
#define FPU_WU_MAX 0xffffffffull           /* 2^32 - 1 */
#define FPU_L_MAX  0x7fffffffffffffffull   /* 2^63 - 1 */
#define FPU_L_NEG  0x8000000000000000ull   /* |INT64_MIN| */
#define FPU_LU_MAX 0xffffffffffffffffull   /* 2^64 - 1 */

/* RV64 writes 32-bit integer results sign-extended from bit 31. */
static inline int64_t fpu_sext32(uint64_t v)
{
    return (int32_t)(uint32_t)v;
}

/* ---- public entry points ---- */

bool fpu_eq_s(uint32_t a, uint32_t b, uint32_t *flags)
{
    int cmp;
    return fpu_compare(S, a, b, false, &cmp, flags) && cmp == 0;
}

bool fpu_lt_s(uint32_t a, uint32_t b, uint32_t *flags)
{
    int cmp;
    return fpu_compare(S, a, b, true, &cmp, flags) && cmp < 0;
}

bool fpu_le_s(uint32_t a, uint32_t b, uint32_t *flags)
{
    int cmp;
    return fpu_compare(S, a, b, true, &cmp, flags) && cmp <= 0;
}

bool fpu_eq_d(uint64_t a, uint64_t b, uint32_t *flags)
{
    int cmp;
    return fpu_compare(D, a, b, false, &cmp, flags) && cmp == 0;
}

bool fpu_lt_d(uint64_t a, uint64_t b, uint32_t *flags)
{
    int cmp;
    return fpu_compare(D, a, b, true, &cmp, flags) && cmp < 0;
}

bool fpu_le_d(uint64_t a, uint64_t b, uint32_t *flags)
{
    int cmp;
    return fpu_compare(D, a, b, true, &cmp, flags) && cmp <= 0;
}

uint32_t fpu_min_s(uint32_t a, uint32_t b, uint32_t *flags)
{
    return fpu_minmax(S, a, b, false, flags);
}

uint32_t fpu_max_s(uint32_t a, uint32_t b, uint32_t *flags)
{
    return fpu_minmax(S, a, b, true, flags);
}

uint64_t fpu_min_d(uint64_t a, uint64_t b, uint32_t *flags)
{
    return fpu_minmax(D, a, b, false, flags);
}

uint64_t fpu_max_d(uint64_t a, uint64_t b, uint32_t *flags)
{
    return fpu_minmax(D, a, b, true, flags);
}

uint32_t fpu_class_s(uint32_t a)
{
    return fpu_class(S, a);
}

uint32_t fpu_class_d(uint64_t a)
{
    return fpu_class(D, a);
}

int64_t fpu_s_to_w(uint32_t a, int rm, uint32_t *flags)
{
    return fpu_sext32(fpu_to_int(S, a, rm, FPU_W_MAX, FPU_W_NEG, flags));
}

int64_t fpu_s_to_wu(uint32_t a, int rm, uint32_t *flags)
{
    return fpu_sext32(fpu_to_int(S, a, rm, FPU_WU_MAX, 0, flags));
}

int64_t fpu_s_to_l(uint32_t a, int rm, uint32_t *flags)
{
    return (int64_t)fpu_to_int(S, a, rm, FPU_L_MAX, FPU_L_NEG, flags);
}

uint64_t fpu_s_to_lu(uint32_t a, int rm, uint32_t *flags)
{
    return fpu_to_int(S, a, rm, FPU_LU_MAX, 0, flags);
}

int64_t fpu_d_to_w(uint64_t a, int rm, uint32_t *flags)
{
    return fpu_sext32(fpu_to_int(D, a, rm, FPU_W_MAX, FPU_W_NEG, flags));
}

int64_t fpu_d_to_wu(uint64_t a, int rm, uint32_t *flags)
{
    return fpu_sext32(fpu_to_int(D, a, rm, FPU_WU_MAX, 0, flags));
}

int64_t fpu_d_to_l(uint64_t a, int rm, uint32_t *flags)
{
    return (int64_t)fpu_to_int(D, a, rm, FPU_L_MAX, FPU_L_NEG, flags);
}

uint64_t fpu_d_to_lu(uint64_t a, int rm, uint32_t *flags)
{
    return fpu_to_int(D, a, rm, FPU_LU_MAX, 0, flags);
}

/* ---- integer to float ---- */

static inline uint64_t fpu_from_int(const FpuFormat *f, int64_t v, int rm,
                                    uint32_t *flags)
{
    /* 0 - (uint64_t)v is |v| even for INT64_MIN. */
    return fpu_from_uint(f, v < 0, v < 0 ? 0 - (uint64_t)v : (uint64_t)v,
                         rm, flags);
}

uint32_t fpu_w_to_s(int32_t v, int rm, uint32_t *flags)
{
    return fpu_from_int(S, v, rm, flags);
}

uint32_t fpu_wu_to_s(uint32_t v, int rm, uint32_t *flags)
{
    return fpu_from_uint(S, false, v, rm, flags);
}

uint32_t fpu_l_to_s(int64_t v, int rm, uint32_t *flags)
{
    return fpu_from_int(S, v, rm, flags);
}

uint32_t fpu_lu_to_s(uint64_t v, int rm, uint32_t *flags)
{
    return fpu_from_uint(S, false, v, rm, flags);
}

uint64_t fpu_w_to_d(int32_t v, int rm, uint32_t *flags)
{
    return fpu_from_int(D, v, rm, flags);
}

uint64_t fpu_wu_to_d(uint32_t v, int rm, uint32_t *flags)
{
    return fpu_from_uint(D, false, v, rm, flags);
}

uint64_t fpu_l_to_d(int64_t v, int rm, uint32_t *flags)
{
    return fpu_from_int(D, v, rm, flags);
}

uint64_t fpu_lu_to_d(uint64_t v, int rm, uint32_t *flags)
{
    return fpu_from_uint(D, false, v, rm, flags);
}

/* ---- between the formats ---- */

/* Re-round a value unpacked from one format into another. */
static inline uint64_t fpu_convert(const FpuFormat *to, const FpuValue *v,
                                   int rm, uint32_t *flags)
{
    switch (v->kind) {
    case FPU_KIND_ZERO:
        return fpu_sign_bit(to, v->sign);
    case FPU_KIND_FINITE:
        return fpu_round_pack(to, v->sign, v->exp, v->sig, rm, flags);
    case FPU_KIND_INF:
        return fpu_inf(to, v->sign);
    case FPU_KIND_SNAN:
        *flags |= FPU_FLAG_NV;
        return fpu_canonical_nan(to);
    case FPU_KIND_QNAN:
        return fpu_canonical_nan(to);
    }
    return fpu_canonical_nan(to);
}

uint64_t fpu_s_to_d(uint32_t a, uint32_t *flags)
{
    FpuValue v = fpu_unpack(S, a);

    /* Every binary32 value is a binary64 value: rm never matters. */
    return fpu_convert(D, &v, FPU_RM_RNE, flags);
}

uint32_t fpu_d_to_s(uint64_t a, int rm, uint32_t *flags)
{
    FpuValue v = fpu_unpack(D, a);

    return fpu_convert(S, &v, rm, flags);
}
