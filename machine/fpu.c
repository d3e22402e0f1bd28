/*
 * machine/fpu.c - rounding and arithmetic (add, sub, mul, div, sqrt, fused
 * multiply-add) for binary32 and binary64 with RISC-V semantics.
 * See fpu-internal.h for why this is integer soft-float.
 */
#include <stddef.h>

#include "machine/fpu-internal.h"

typedef unsigned __int128 fpu_u128;

uint64_t fpu_from_uint(const FpuFormat *f, bool sign, uint64_t mag, int rm,
                       uint32_t *flags)
{
    int lz;

    if (mag == 0) {
        return 0;  /* integer zero converts to +0 */
    }
    lz = __builtin_clzll(mag);
    if (lz == 0) {
        return fpu_round_pack(f, sign, 63, fpu_shr_jam64(mag, 1), rm, flags);
    }
    return fpu_round_pack(f, sign, 63 - lz, mag << (lz - 1), rm, flags);
}

/* Result of an operation with a NaN operand: always the canonical NaN. */
static uint64_t fpu_nan_result(const FpuFormat *f, const FpuValue *x,
                               const FpuValue *y, uint32_t *flags)
{
    if (x->kind == FPU_KIND_SNAN || (y && y->kind == FPU_KIND_SNAN)) {
        *flags |= FPU_FLAG_NV;
    }
    return fpu_canonical_nan(f);
}

static uint64_t fpu_invalid(const FpuFormat *f, uint32_t *flags)
{
    *flags |= FPU_FLAG_NV;
    return fpu_canonical_nan(f);
}

/* An exact zero sum of operands of different signs (or an exact
 * cancellation) is +0, except -0 when rounding down (IEEE 754-2008 6.3). */
static inline uint64_t fpu_zero_sum(const FpuFormat *f, bool sx, bool sy,
                                    int rm)
{
    if (sx == sy) {
        return fpu_sign_bit(f, sx);
    }
    return fpu_sign_bit(f, rm == FPU_RM_RDN);
}

static inline uint64_t fpu_pack_exact(const FpuFormat *f, const FpuValue *v,
                                      uint32_t *flags)
{
    /* Representable values round to themselves and raise nothing. */
    return fpu_round_pack(f, v->sign, v->exp, v->sig, FPU_RM_RNE, flags);
}

static inline __attribute__((always_inline))
uint64_t fpu_addsub(const FpuFormat *f, uint64_t a, uint64_t b, bool negate_b,
                    int rm, uint32_t *flags)
{
    FpuValue x = fpu_unpack(f, a);
    FpuValue y = fpu_unpack(f, b);
    uint64_t sig;
    int exp;

    y.sign ^= negate_b;
    if (fpu_is_nan(&x) || fpu_is_nan(&y)) {
        return fpu_nan_result(f, &x, &y, flags);
    }
    if (x.kind == FPU_KIND_INF) {
        if (y.kind == FPU_KIND_INF && x.sign != y.sign) {
            return fpu_invalid(f, flags);  /* inf - inf */
        }
        return fpu_inf(f, x.sign);
    }
    if (y.kind == FPU_KIND_INF) {
        return fpu_inf(f, y.sign);
    }
    if (x.kind == FPU_KIND_ZERO) {
        if (y.kind == FPU_KIND_ZERO) {
            return fpu_zero_sum(f, x.sign, y.sign, rm);
        }
        return b ^ fpu_sign_bit(f, negate_b);
    }
    if (y.kind == FPU_KIND_ZERO) {
        return a;
    }

    /* Make |x| >= |y|, then align y to x, keeping a sticky bit. */
    if (x.exp < y.exp || (x.exp == y.exp && x.sig < y.sig)) {
        FpuValue t = x;
        x = y;
        y = t;
    }
    y.sig = fpu_shr_jam64(y.sig, x.exp - y.exp);
    exp = x.exp;
    if (x.sign == y.sign) {
        sig = x.sig + y.sig;
        if (sig >> (FPU_SIG_MSB + 1)) {
            sig = fpu_shr_jam64(sig, 1);
            exp++;
        }
    } else {
        int lz;

        sig = x.sig - y.sig;
        if (sig == 0) {
            return fpu_zero_sum(f, x.sign, y.sign, rm);
        }
        lz = __builtin_clzll(sig) - (63 - FPU_SIG_MSB);
        sig <<= lz;
        exp -= lz;
    }
    return fpu_round_pack(f, x.sign, exp, sig, rm, flags);
}

/* Normalize a nonzero 64-bit significand whose top bit may be 62 or 63. */
static inline uint64_t fpu_norm_carry(uint64_t sig, int *exp)
{
    if (sig >> (FPU_SIG_MSB + 1)) {
        (*exp)++;
        return fpu_shr_jam64(sig, 1);
    }
    return sig;
}

static inline __attribute__((always_inline))
uint64_t fpu_mul(const FpuFormat *f, uint64_t a, uint64_t b, int rm,
                 uint32_t *flags)
{
    FpuValue x = fpu_unpack(f, a);
    FpuValue y = fpu_unpack(f, b);
    bool sign = x.sign ^ y.sign;
    fpu_u128 p;
    uint64_t sig;
    int exp;

    if (fpu_is_nan(&x) || fpu_is_nan(&y)) {
        return fpu_nan_result(f, &x, &y, flags);
    }
    if (x.kind == FPU_KIND_INF || y.kind == FPU_KIND_INF) {
        if (x.kind == FPU_KIND_ZERO || y.kind == FPU_KIND_ZERO) {
            return fpu_invalid(f, flags);  /* inf * 0 */
        }
        return fpu_inf(f, sign);
    }
    if (x.kind == FPU_KIND_ZERO || y.kind == FPU_KIND_ZERO) {
        return fpu_sign_bit(f, sign);
    }
    /* Product of two [2^62, 2^63) significands: top bit 124 or 125. */
    p = (fpu_u128)x.sig * y.sig;
    sig = (uint64_t)(p >> FPU_SIG_MSB) |
          ((p & ((1ull << FPU_SIG_MSB) - 1)) != 0);
    exp = x.exp + y.exp;
    sig = fpu_norm_carry(sig, &exp);
    return fpu_round_pack(f, sign, exp, sig, rm, flags);
}

static inline __attribute__((always_inline))
uint64_t fpu_div(const FpuFormat *f, uint64_t a, uint64_t b, int rm,
                 uint32_t *flags)
{
    FpuValue x = fpu_unpack(f, a);
    FpuValue y = fpu_unpack(f, b);
    bool sign = x.sign ^ y.sign;
    fpu_u128 n;
    uint64_t q, r;
    int exp;

    if (fpu_is_nan(&x) || fpu_is_nan(&y)) {
        return fpu_nan_result(f, &x, &y, flags);
    }
    if (x.kind == FPU_KIND_INF) {
        if (y.kind == FPU_KIND_INF) {
            return fpu_invalid(f, flags);  /* inf / inf */
        }
        return fpu_inf(f, sign);
    }
    if (y.kind == FPU_KIND_INF) {
        return fpu_sign_bit(f, sign);
    }
    if (y.kind == FPU_KIND_ZERO) {
        if (x.kind == FPU_KIND_ZERO) {
            return fpu_invalid(f, flags);  /* 0 / 0 */
        }
        *flags |= FPU_FLAG_DZ;
        return fpu_inf(f, sign);
    }
    if (x.kind == FPU_KIND_ZERO) {
        return fpu_sign_bit(f, sign);
    }
    /* x.sig * 2^63 / y.sig lies in (2^62, 2^64): fits in 64 bits. */
    n = (fpu_u128)x.sig << 63;
    q = (uint64_t)(n / y.sig);
    r = (uint64_t)(n % y.sig);
    exp = x.exp - y.exp - 1;
    q = fpu_norm_carry(q | (r != 0), &exp);
    return fpu_round_pack(f, sign, exp, q, rm, flags);
}

/* floor(sqrt(n)) for 2^124 <= n < 2^126, and whether it is exact. */
static uint64_t fpu_isqrt128(fpu_u128 n, bool *exact)
{
    /*
     * With m = n / 2^124 in [1, 4), start from the chord 2^62 * (m + 2) / 3,
     * within 6% of the root and at least 2^62 (so n / x fits in 64 bits).
     * One Newton step lands on or above floor(sqrt(n)); from there the
     * iteration decreases monotonically to it, in about three more steps.
     */
    uint64_t top = (uint64_t)(n >> 64);
    uint64_t x = (uint64_t)((((fpu_u128)top << 2) + (1ull << 63)) / 3);
    uint64_t y;

    x = (uint64_t)(((fpu_u128)x + (uint64_t)(n / x)) >> 1);
    for (;;) {
        y = (uint64_t)(((fpu_u128)x + (uint64_t)(n / x)) >> 1);
        if (y >= x) {
            break;
        }
        x = y;
    }
    *exact = (fpu_u128)x * x == n;
    return x;
}

static inline __attribute__((always_inline))
uint64_t fpu_sqrt(const FpuFormat *f, uint64_t a, int rm, uint32_t *flags)
{
    FpuValue x = fpu_unpack(f, a);
    fpu_u128 n;
    uint64_t root;
    bool exact;
    int exp;

    if (fpu_is_nan(&x)) {
        return fpu_nan_result(f, &x, NULL, flags);
    }
    if (x.kind == FPU_KIND_ZERO) {
        return a;  /* sqrt(-0) = -0 */
    }
    if (x.sign) {
        return fpu_invalid(f, flags);
    }
    if (x.kind == FPU_KIND_INF) {
        return a;
    }
    /*
     * value = sig/2^62 * 2^exp.  With an even exponent the root is
     * sqrt(sig * 2^62)/2^62 * 2^(exp/2); with an odd one, fold a factor 2
     * into the significand.  Either root lies in [2^62, 2^63).
     */
    if (x.exp & 1) {
        n = (fpu_u128)x.sig << (FPU_SIG_MSB + 1);
        exp = (x.exp - 1) / 2;
    } else {
        n = (fpu_u128)x.sig << FPU_SIG_MSB;
        exp = x.exp / 2;
    }
    root = fpu_isqrt128(n, &exact);
    return fpu_round_pack(f, false, exp, root | !exact, rm, flags);
}

static inline fpu_u128 fpu_shr_jam128(fpu_u128 x, int n)
{
    if (n <= 0) {
        return x;
    }
    if (n >= 128) {
        return x != 0;
    }
    return (x >> n) | ((x << (128 - n)) != 0);
}

static inline int fpu_clz128(fpu_u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);

    return hi ? __builtin_clzll(hi) : 64 + __builtin_clzll((uint64_t)x);
}

/*
 * (-1)^negate_product * a*b + (-1)^negate_c * c, rounded once.  The product
 * is exact in 128 bits; c joins it there, with the same alignment and
 * sticky rules as fpu_addsub one level wider.
 */
static inline __attribute__((always_inline))
uint64_t fpu_fma(const FpuFormat *f, uint64_t a, uint64_t b, uint64_t c,
                 bool negate_product, bool negate_c, int rm, uint32_t *flags)
{
    /* A 128-bit significand with this top bit, bit 127 free for carries. */
    const int msb = 126;
    FpuValue x = fpu_unpack(f, a);
    FpuValue y = fpu_unpack(f, b);
    FpuValue z = fpu_unpack(f, c);
    bool psign = x.sign ^ y.sign ^ negate_product;
    bool prod_inf = x.kind == FPU_KIND_INF || y.kind == FPU_KIND_INF;
    bool prod_zero = x.kind == FPU_KIND_ZERO || y.kind == FPU_KIND_ZERO;
    fpu_u128 ps, zs, sum;
    int pexp, exp, lz;
    bool sign;

    z.sign ^= negate_c;
    /* RISC-V: inf*0 is invalid even when c is a quiet NaN. */
    if (prod_inf && prod_zero) {
        return fpu_invalid(f, flags);
    }
    if (fpu_is_nan(&x) || fpu_is_nan(&y) || fpu_is_nan(&z)) {
        if (z.kind == FPU_KIND_SNAN) {
            *flags |= FPU_FLAG_NV;
        }
        return fpu_nan_result(f, &x, &y, flags);
    }
    if (prod_inf) {
        if (z.kind == FPU_KIND_INF && z.sign != psign) {
            return fpu_invalid(f, flags);  /* inf - inf */
        }
        return fpu_inf(f, psign);
    }
    if (z.kind == FPU_KIND_INF) {
        return fpu_inf(f, z.sign);
    }
    if (prod_zero) {
        if (z.kind == FPU_KIND_ZERO) {
            return fpu_zero_sum(f, psign, z.sign, rm);
        }
        return fpu_pack_exact(f, &z, flags);
    }

    ps = (fpu_u128)x.sig * y.sig;  /* top bit 124 or 125 */
    lz = fpu_clz128(ps) - (127 - msb);
    ps <<= lz;
    pexp = x.exp + y.exp + 2 - lz;  /* value = ps/2^126 * 2^pexp */
    if (z.kind == FPU_KIND_ZERO) {
        return fpu_round_pack(f, psign, pexp,
                              (uint64_t)(ps >> 64) | ((uint64_t)ps != 0),
                              rm, flags);
    }
    zs = (fpu_u128)z.sig << 64;

    /* Make the product the larger magnitude, then align the other. */
    if (pexp < z.exp || (pexp == z.exp && ps < zs)) {
        fpu_u128 t = ps;
        bool st = psign;
        int et = pexp;

        ps = zs;
        psign = z.sign;
        pexp = z.exp;
        zs = t;
        z.sign = st;
        z.exp = et;
    }
    zs = fpu_shr_jam128(zs, pexp - z.exp);
    exp = pexp;
    sign = psign;
    if (psign == z.sign) {
        sum = ps + zs;
        if (sum >> (msb + 1)) {
            sum = fpu_shr_jam128(sum, 1);
            exp++;
        }
    } else {
        sum = ps - zs;
        if (sum == 0) {
            return fpu_zero_sum(f, psign, z.sign, rm);
        }
        lz = fpu_clz128(sum) - (127 - msb);
        sum <<= lz;
        exp -= lz;
    }
    return fpu_round_pack(f, sign, exp,
                          (uint64_t)(sum >> 64) | ((uint64_t)sum != 0),
                          rm, flags);
}

/* ---- public entry points: one pair of thin wrappers per operation ---- */

#define S (&fpu_format_s)
#define D (&fpu_format_d)

uint32_t fpu_add_s(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
    return fpu_addsub(S, a, b, false, rm, flags);
}

uint32_t fpu_sub_s(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
    return fpu_addsub(S, a, b, true, rm, flags);
}

uint32_t fpu_mul_s(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
    return fpu_mul(S, a, b, rm, flags);
}

uint32_t fpu_div_s(uint32_t a, uint32_t b, int rm, uint32_t *flags)
{
    return fpu_div(S, a, b, rm, flags);
}

uint32_t fpu_sqrt_s(uint32_t a, int rm, uint32_t *flags)
{
    return fpu_sqrt(S, a, rm, flags);
}

uint32_t fpu_madd_s(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *flags)
{
    return fpu_fma(S, a, b, c, false, false, rm, flags);
}

uint32_t fpu_msub_s(uint32_t a, uint32_t b, uint32_t c, int rm, uint32_t *flags)
{
    return fpu_fma(S, a, b, c, false, true, rm, flags);
}

uint32_t fpu_nmsub_s(uint32_t a, uint32_t b, uint32_t c, int rm,
                     uint32_t *flags)
{
    return fpu_fma(S, a, b, c, true, false, rm, flags);
}

uint32_t fpu_nmadd_s(uint32_t a, uint32_t b, uint32_t c, int rm,
                     uint32_t *flags)
{
    return fpu_fma(S, a, b, c, true, true, rm, flags);
}

uint64_t fpu_add_d(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
    return fpu_addsub(D, a, b, false, rm, flags);
}

uint64_t fpu_sub_d(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
    return fpu_addsub(D, a, b, true, rm, flags);
}

uint64_t fpu_mul_d(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
    return fpu_mul(D, a, b, rm, flags);
}

uint64_t fpu_div_d(uint64_t a, uint64_t b, int rm, uint32_t *flags)
{
    return fpu_div(D, a, b, rm, flags);
}

uint64_t fpu_sqrt_d(uint64_t a, int rm, uint32_t *flags)
{
    return fpu_sqrt(D, a, rm, flags);
}

uint64_t fpu_madd_d(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *flags)
{
    return fpu_fma(D, a, b, c, false, false, rm, flags);
}

uint64_t fpu_msub_d(uint64_t a, uint64_t b, uint64_t c, int rm, uint32_t *flags)
{
    return fpu_fma(D, a, b, c, false, true, rm, flags);
}

uint64_t fpu_nmsub_d(uint64_t a, uint64_t b, uint64_t c, int rm,
                     uint32_t *flags)
{
    return fpu_fma(D, a, b, c, true, false, rm, flags);
}

uint64_t fpu_nmadd_d(uint64_t a, uint64_t b, uint64_t c, int rm,
                     uint32_t *flags)
{
    return fpu_fma(D, a, b, c, true, true, rm, flags);
}
