/*
 * machine/fpu-internal.h - shared core of the soft-float in fpu.c and
 * fpu-cvt.c: unpacked values, sticky shifts, and the one rounding routine.
 *
 * Why soft-float rather than the host FPU: RISC-V needs RMM (no host mode),
 * a canonical NaN for every NaN result, NV for inf*0+qNaN, and exact fflags
 * that must not depend on the host (x86 SSE and aarch64 differ on default
 * NaNs and on when they report underflow).  Fixing all that up around
 * fesetround/fetestexcept costs about as much as doing the arithmetic in
 * integers, and integers behave the same on every host.  Every operation
 * unpacks to a 64-bit significand with spare low bits, computes exactly or
 * with a sticky bit, and rounds once in fpu_round_pack().
 */
#ifndef MACHINE_FPU_INTERNAL_H
#define MACHINE_FPU_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/fpu.h"

/* An IEEE 754 binary interchange format. */
typedef struct FpuFormat {
    int width;      /* total bits: 32 or 64 */
    int precision;  /* significand bits including the hidden bit: 24 or 53 */
    int exp_max;    /* all-ones biased exponent (inf/NaN): 255 or 2047 */
    int bias;       /* exponent bias: 127 or 1023 */
} FpuFormat;

static const FpuFormat fpu_format_s = { 32, 24, 0xff, 127 };
static const FpuFormat fpu_format_d = { 64, 53, 0x7ff, 1023 };

typedef enum FpuKind {
    FPU_KIND_ZERO,
    FPU_KIND_FINITE,  /* normal or subnormal, nonzero */
    FPU_KIND_INF,
    FPU_KIND_QNAN,
    FPU_KIND_SNAN,
} FpuKind;

/*
 * A FINITE value is (-1)^sign * sig / 2^FPU_SIG_MSB * 2^exp with bit
 * FPU_SIG_MSB of sig set, whichever the format, so subnormals arrive
 * normalized.  Bit 63 is left free for the carry of an addition; the bits
 * below the format's precision are round and sticky bits.
 */
#define FPU_SIG_MSB 62

typedef struct FpuValue {
    FpuKind kind;
    bool sign;
    int exp;
    uint64_t sig;
} FpuValue;

static inline bool fpu_is_nan(const FpuValue *v)
{
    return v->kind >= FPU_KIND_QNAN;
}

static inline uint64_t fpu_sign_bit(const FpuFormat *f, bool sign)
{
    return (uint64_t)sign << (f->width - 1);
}

static inline uint64_t fpu_canonical_nan(const FpuFormat *f)
{
    return f->width == 32 ? FPU_S_CANONICAL_NAN : FPU_D_CANONICAL_NAN;
}

static inline uint64_t fpu_inf(const FpuFormat *f, bool sign)
{
    return fpu_sign_bit(f, sign) | (uint64_t)f->exp_max << (f->precision - 1);
}

static inline FpuValue fpu_unpack(const FpuFormat *f, uint64_t bits)
{
    int frac_bits = f->precision - 1;
    uint64_t frac = bits & ((1ull << frac_bits) - 1);
    int bexp = (int)(bits >> frac_bits) & f->exp_max;
    FpuValue v = { .sign = (bits >> (f->width - 1)) & 1 };

    if (bexp == f->exp_max) {
        if (frac == 0) {
            v.kind = FPU_KIND_INF;
        } else {
            /* IEEE 754-2008 6.2.1: the quiet bit is the top fraction bit. */
            v.kind = (frac >> (frac_bits - 1)) & 1 ? FPU_KIND_QNAN
                                                   : FPU_KIND_SNAN;
        }
    } else if (bexp == 0) {
        if (frac == 0) {
            v.kind = FPU_KIND_ZERO;
        } else {
            int msb = 63 - __builtin_clzll(frac);
            v.kind = FPU_KIND_FINITE;
            v.sig = frac << (FPU_SIG_MSB - msb);
            v.exp = 1 - f->bias - frac_bits + msb;
        }
    } else {
        v.kind = FPU_KIND_FINITE;
        v.sig = (frac | 1ull << frac_bits) << (FPU_SIG_MSB - frac_bits);
        v.exp = bexp - f->bias;
    }
    return v;
}

/* x >> n, with any 1 bits shifted out ORed into bit 0 ("sticky"). */
static inline uint64_t fpu_shr_jam64(uint64_t x, int n)
{
    if (n <= 0) {
        return x;
    }
    if (n >= 64) {
        return x != 0;
    }
    return (x >> n) | ((x << (64 - n)) != 0);
}

/*
 * Does rounding away the low `shift` bits of sig add one unit in the last
 * kept place?  (IEEE 754-2008 4.3 rounding-direction attributes, plus RMM.)
 */
static inline bool fpu_round_up(uint64_t sig, int shift, bool sign, int rm)
{
    uint64_t half = 1ull << (shift - 1);
    uint64_t rest = sig & ((half << 1) - 1);

    switch (rm) {
    case FPU_RM_RNE:
        return rest > half || (rest == half && ((sig >> shift) & 1));
    case FPU_RM_RTZ:
        return false;
    case FPU_RM_RDN:
        return sign && rest != 0;
    case FPU_RM_RUP:
        return !sign && rest != 0;
    case FPU_RM_RMM:
        return rest >= half;
    }
    return false;  /* rm is validated by the caller; see fpu.h */
}

/*
 * Round (-1)^sign * sig / 2^FPU_SIG_MSB * 2^exp (bit FPU_SIG_MSB of sig set;
 * low bits hold round and sticky information) to format f with mode rm, and
 * pack it.  Raises NX, UF (tiny after rounding and inexact) and OF.
 * Inlined so that each caller's format constants fold away.
 */
static inline __attribute__((always_inline))
uint64_t fpu_round_pack(const FpuFormat *f, bool sign, int exp, uint64_t sig,
                        int rm, uint32_t *flags)
{
    int prec = f->precision;
    int shift = FPU_SIG_MSB + 1 - prec;  /* round bits below the kept ones */
    uint64_t frac_mask = (1ull << (prec - 1)) - 1;
    uint64_t sign_bit = fpu_sign_bit(f, sign);
    int bexp = exp + f->bias;
    uint64_t kept;

    if (bexp <= 0) {
        /*
         * Subnormal range.  RISC-V detects tininess after rounding: the
         * result is tiny unless rounding to full precision with an
         * unbounded exponent would reach 2^emin, which can only happen from
         * the binade just below it (bexp == 0).
         */
        bool tiny = bexp < 0 ||
            !((((sig >> shift) + fpu_round_up(sig, shift, sign, rm)) >> prec));
        bool inexact;

        sig = fpu_shr_jam64(sig, 1 - bexp);
        inexact = (sig & ((1ull << shift) - 1)) != 0;
        kept = (sig >> shift) + fpu_round_up(sig, shift, sign, rm);
        if (inexact) {
            *flags |= FPU_FLAG_NX | (tiny ? FPU_FLAG_UF : 0);
        }
        /* A carry into the hidden bit makes exactly the smallest normal:
         * the hidden bit lands on the exponent field's low bit. */
        return sign_bit | kept;
    }

    if (sig & ((1ull << shift) - 1)) {
        *flags |= FPU_FLAG_NX;
    }
    kept = (sig >> shift) + fpu_round_up(sig, shift, sign, rm);
    if (kept >> prec) {
        kept >>= 1;
        bexp++;
    }
    if (bexp >= f->exp_max) {
        /* IEEE 754-2008 7.4: directed modes that round towards zero give
         * the largest finite number instead of infinity. */
        bool to_max = rm == FPU_RM_RTZ || (rm == FPU_RM_RDN && !sign) ||
                      (rm == FPU_RM_RUP && sign);
        *flags |= FPU_FLAG_OF | FPU_FLAG_NX;
        if (to_max) {
            return sign_bit | (uint64_t)(f->exp_max - 1) << (prec - 1) |
                   frac_mask;
        }
        return fpu_inf(f, sign);
    }
    return sign_bit | (uint64_t)bexp << (prec - 1) | (kept & frac_mask);
}

/* Round the unsigned integer mag (sign applies to the result) to f. */
uint64_t fpu_from_uint(const FpuFormat *f, bool sign, uint64_t mag, int rm,
                       uint32_t *flags);

#endif /* MACHINE_FPU_INTERNAL_H */
