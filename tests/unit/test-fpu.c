/*
 * tests/unit/test-fpu.c - machine/fpu.h against hand-computed IEEE 754 bit
 * patterns.  Every expected value below is derived in its comment from the
 * binary encoding (binary32: 1 sign, 8 exponent bits biased by 127, 23
 * fraction bits; binary64: 1, 11 biased by 1023, 52), never computed by
 * the host's FPU.
 */
#include <fenv.h>
#include <math.h>
#include <string.h>

#include <glib.h>

#include "machine/fpu.h"

#define RNE FPU_RM_RNE
#define RTZ FPU_RM_RTZ
#define RDN FPU_RM_RDN
#define RUP FPU_RM_RUP
#define RMM FPU_RM_RMM

#define NX FPU_FLAG_NX
#define UF FPU_FLAG_UF
#define OF FPU_FLAG_OF
#define DZ FPU_FLAG_DZ
#define NV FPU_FLAG_NV

/* binary32 */
#define S_ZERO      0x00000000u
#define S_NZERO     0x80000000u
#define S_ONE       0x3f800000u  /* 1.0: exponent 127 */
#define S_NONE      0xbf800000u
#define S_TWO       0x40000000u
#define S_THREE     0x40400000u  /* 1.5 * 2^1 */
#define S_HALF      0x3f000000u
#define S_INF       0x7f800000u
#define S_NINF      0xff800000u
#define S_MAX       0x7f7fffffu  /* (2 - 2^-23) * 2^127 */
#define S_MIN_NORM  0x00800000u  /* 2^-126 */
#define S_MIN_SUB   0x00000001u  /* 2^-149 */
#define S_QNAN      0x7fc00000u
#define S_SNAN      0x7f800001u  /* quiet bit (fraction bit 22) clear */
#define S_QNAN_PAY  0xffc12345u  /* negative quiet NaN with a payload */
#define S_SNAN_PAY  0xffa00005u

/* binary64 */
#define D_ZERO      0x0000000000000000ull
#define D_NZERO     0x8000000000000000ull
#define D_ONE       0x3ff0000000000000ull  /* exponent 1023 */
#define D_NONE      0xbff0000000000000ull
#define D_TWO       0x4000000000000000ull
#define D_THREE     0x4008000000000000ull
#define D_INF       0x7ff0000000000000ull
#define D_NINF      0xfff0000000000000ull
#define D_MAX       0x7fefffffffffffffull
#define D_MIN_NORM  0x0010000000000000ull  /* 2^-1022 */
#define D_MIN_SUB   0x0000000000000001ull  /* 2^-1074 */
#define D_QNAN      0x7ff8000000000000ull
#define D_SNAN      0x7ff0000000000001ull
#define D_QNAN_PAY  0xfff8000000000123ull
#define D_SNAN_PAY  0xfff4000000000000ull

/*
 * Evaluate `call` (which may use the accumulator `fl`) and check its result
 * bits and the flags it raised.
 */
#define CHECK(call, want, want_flags)                                        \
    do {                                                                     \
        uint32_t fl = 0;                                                     \
        uint64_t got_ = (uint64_t)(call);                                    \
        g_assert_cmphex(got_, ==, (uint64_t)(want));                         \
        g_assert_cmphex(fl, ==, (uint32_t)(want_flags));                     \
    } while (0)

/* Evaluate `call` (which uses `rm` and `fl`) in all five rounding modes. */
#define CHECK_RM(call, rne, rtz, rdn, rup, rmm, want_flags)                  \
    do {                                                                     \
        const uint64_t want_[5] = { (rne), (rtz), (rdn), (rup), (rmm) };     \
        for (int rm = 0; rm < 5; rm++) {                                     \
            uint32_t fl = 0;                                                 \
            uint64_t got_ = (uint64_t)(call);                                \
            if (got_ != want_[rm] || fl != (want_flags)) {                   \
                g_test_message("failing rounding mode: rm=%d", rm);          \
            }                                                                \
            g_assert_cmphex(got_, ==, want_[rm]);                            \
            g_assert_cmphex(fl, ==, (uint32_t)(want_flags));                 \
        }                                                                    \
    } while (0)

/* ---- addition ---- */

static void test_add_exact(void)
{
    CHECK(fpu_add_s(S_ONE, S_TWO, RNE, &fl), S_THREE, 0);
    CHECK(fpu_add_d(D_ONE, D_TWO, RNE, &fl), D_THREE, 0);
    CHECK(fpu_sub_s(S_ONE, S_TWO, RNE, &fl), S_NONE, 0);
    CHECK(fpu_sub_d(D_THREE, D_ONE, RNE, &fl), D_TWO, 0);
    /* Subnormal + subnormal carries into the smallest normal, exactly. */
    CHECK(fpu_add_s(0x00400000u, 0x00400000u, RNE, &fl), S_MIN_NORM, 0);
    CHECK(fpu_add_d(0x0008000000000000ull, 0x0008000000000000ull, RNE, &fl),
          D_MIN_NORM, 0);
}

static void test_add_rounding_modes(void)
{
    /* 1 + 2^-24 (0x33800000) is half an ulp of 1 above 1: a tie between
     * 1.0 (even) and 1 + 2^-23. */
    CHECK_RM(fpu_add_s(S_ONE, 0x33800000u, rm, &fl),
             S_ONE, S_ONE, S_ONE, 0x3f800001u, 0x3f800001u, NX);
    /* (1 + 2^-23) + 2^-24: tie between ...01 (odd) and ...02 (even). */
    CHECK_RM(fpu_add_s(0x3f800001u, 0x33800000u, rm, &fl),
             0x3f800002u, 0x3f800001u, 0x3f800001u, 0x3f800002u,
             0x3f800002u, NX);
    /* The negative tie: RDN and RMM go away from zero, RUP towards it. */
    CHECK_RM(fpu_add_s(S_NONE, 0xb3800000u, rm, &fl),
             S_NONE, S_NONE, 0xbf800001u, S_NONE, 0xbf800001u, NX);
    /* 1 + 3*2^-25 (0x33c00000 = 1.5 * 2^-24): above the tie. */
    CHECK_RM(fpu_add_s(S_ONE, 0x33c00000u, rm, &fl),
             0x3f800001u, S_ONE, S_ONE, 0x3f800001u, 0x3f800001u, NX);
    /* 1 - 2^-25 (0x33000000): below 1 the ulp is 2^-24, so it's a tie
     * between 1 - 2^-24 (0x3f7fffff, odd) and 1.0. */
    CHECK_RM(fpu_sub_s(S_ONE, 0x33000000u, rm, &fl),
             S_ONE, 0x3f7fffffu, 0x3f7fffffu, S_ONE, S_ONE, NX);

    /* An addend far below the ulp survives only as a sticky bit. */
    CHECK_RM(fpu_add_s(S_ONE, S_MIN_SUB, rm, &fl),
             S_ONE, S_ONE, S_ONE, 0x3f800001u, S_ONE, NX);
    CHECK_RM(fpu_sub_s(S_ONE, S_MIN_SUB, rm, &fl),
             S_ONE, 0x3f7fffffu, 0x3f7fffffu, S_ONE, S_ONE, NX);
    /* -1 - 2^-54 (1 + 2^-52): a little over a quarter ulp, under half. */
    CHECK_RM(fpu_sub_d(D_NONE, 0x3c90000000000001ull, rm, &fl),
             D_NONE, D_NONE, 0xbff0000000000001ull, D_NONE, D_NONE, NX);

    /* binary64: 1 + 2^-53 (0x3ca0000000000000) ties the same way. */
    CHECK_RM(fpu_add_d(D_ONE, 0x3ca0000000000000ull, rm, &fl),
             D_ONE, D_ONE, D_ONE, 0x3ff0000000000001ull,
             0x3ff0000000000001ull, NX);
    CHECK_RM(fpu_add_d(0x3ff0000000000001ull, 0x3ca0000000000000ull, rm, &fl),
             0x3ff0000000000002ull, 0x3ff0000000000001ull,
             0x3ff0000000000001ull, 0x3ff0000000000002ull,
             0x3ff0000000000002ull, NX);
    CHECK_RM(fpu_sub_d(D_NONE, 0x3ca0000000000000ull, rm, &fl),
             D_NONE, D_NONE, 0xbff0000000000001ull, D_NONE,
             0xbff0000000000001ull, NX);
}

static void test_add_signed_zero(void)
{
    /* IEEE 754-2008 6.3: an exact zero sum of opposite-signed operands is
     * +0 in every mode but RDN, where it is -0. */
    CHECK_RM(fpu_add_s(S_ONE, S_NONE, rm, &fl),
             S_ZERO, S_ZERO, S_NZERO, S_ZERO, S_ZERO, 0);
    CHECK_RM(fpu_sub_s(S_MIN_SUB, S_MIN_SUB, rm, &fl),
             S_ZERO, S_ZERO, S_NZERO, S_ZERO, S_ZERO, 0);
    CHECK_RM(fpu_add_s(S_ZERO, S_NZERO, rm, &fl),
             S_ZERO, S_ZERO, S_NZERO, S_ZERO, S_ZERO, 0);
    /* Same-signed zeros keep their sign. */
    CHECK_RM(fpu_add_s(S_NZERO, S_NZERO, rm, &fl),
             S_NZERO, S_NZERO, S_NZERO, S_NZERO, S_NZERO, 0);
    CHECK_RM(fpu_sub_s(S_NZERO, S_ZERO, rm, &fl),
             S_NZERO, S_NZERO, S_NZERO, S_NZERO, S_NZERO, 0);
    /* x + 0 is x, including -0 + x. */
    CHECK(fpu_add_s(S_NZERO, S_NONE, RNE, &fl), S_NONE, 0);
    CHECK(fpu_sub_s(S_ONE, S_ZERO, RDN, &fl), S_ONE, 0);

    CHECK_RM(fpu_add_d(D_ONE, D_NONE, rm, &fl),
             D_ZERO, D_ZERO, D_NZERO, D_ZERO, D_ZERO, 0);
    CHECK_RM(fpu_sub_d(D_NZERO, D_NZERO, rm, &fl),
             D_ZERO, D_ZERO, D_NZERO, D_ZERO, D_ZERO, 0);
    CHECK_RM(fpu_add_d(D_NZERO, D_NZERO, rm, &fl),
             D_NZERO, D_NZERO, D_NZERO, D_NZERO, D_NZERO, 0);
}

static void test_add_infinity(void)
{
    CHECK(fpu_add_s(S_INF, S_NINF, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_sub_s(S_INF, S_INF, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_add_s(S_INF, S_INF, RNE, &fl), S_INF, 0);
    CHECK(fpu_add_s(S_MAX, S_NINF, RNE, &fl), S_NINF, 0);
    CHECK(fpu_add_d(D_NINF, D_INF, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_sub_d(D_ONE, D_INF, RNE, &fl), D_NINF, 0);
}

static void test_add_overflow(void)
{
    /* max + max = (2 - 2^-23) * 2^128 overflows: inf when rounding to
     * nearest or away from zero, max finite when rounding towards zero. */
    CHECK_RM(fpu_add_s(S_MAX, S_MAX, rm, &fl),
             S_INF, S_MAX, S_MAX, S_INF, S_INF, OF | NX);
    CHECK_RM(fpu_add_s(S_MAX | 0x80000000u, S_MAX | 0x80000000u, rm, &fl),
             S_NINF, 0xff7fffffu, S_NINF, 0xff7fffffu, S_NINF, OF | NX);
    CHECK_RM(fpu_add_d(D_MAX, D_MAX, rm, &fl),
             D_INF, D_MAX, D_MAX, D_INF, D_INF, OF | NX);
    /* max + half an ulp of max (2^103 = 0x73000000) ties to the even
     * neighbour 2^128, which overflows; RTZ stays at max without OF. */
    CHECK(fpu_add_s(S_MAX, 0x73000000u, RNE, &fl), S_INF, OF | NX);
    CHECK(fpu_add_s(S_MAX, 0x73000000u, RTZ, &fl), S_MAX, NX);
}

/* ---- NaNs ---- */

static void test_nan_canonical(void)
{
    /* Quiet NaN operands (any sign, any payload) give the canonical NaN
     * and raise nothing. */
    CHECK(fpu_add_s(S_QNAN_PAY, S_ONE, RNE, &fl), S_QNAN, 0);
    CHECK(fpu_sub_s(S_ONE, S_QNAN_PAY, RNE, &fl), S_QNAN, 0);
    CHECK(fpu_mul_s(S_QNAN_PAY, S_ZERO, RNE, &fl), S_QNAN, 0);
    CHECK(fpu_div_s(S_QNAN_PAY, S_QNAN, RNE, &fl), S_QNAN, 0);
    CHECK(fpu_sqrt_s(S_QNAN_PAY, RNE, &fl), S_QNAN, 0);
    CHECK(fpu_madd_s(S_ONE, S_ONE, S_QNAN_PAY, RNE, &fl), S_QNAN, 0);
    CHECK(fpu_add_d(D_QNAN_PAY, D_ONE, RNE, &fl), D_QNAN, 0);
    CHECK(fpu_mul_d(D_INF, D_QNAN_PAY, RNE, &fl), D_QNAN, 0);
    CHECK(fpu_div_d(D_ONE, D_QNAN_PAY, RNE, &fl), D_QNAN, 0);
    CHECK(fpu_sqrt_d(D_QNAN_PAY, RNE, &fl), D_QNAN, 0);
    CHECK(fpu_nmadd_d(D_QNAN_PAY, D_ONE, D_ONE, RNE, &fl), D_QNAN, 0);
}

static void test_nan_signalling(void)
{
    CHECK(fpu_add_s(S_SNAN, S_ONE, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_sub_s(S_QNAN, S_SNAN_PAY, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_mul_s(S_ONE, S_SNAN, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_div_s(S_SNAN_PAY, S_ONE, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_sqrt_s(S_SNAN, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_madd_s(S_ONE, S_ONE, S_SNAN, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_msub_s(S_SNAN, S_ONE, S_QNAN, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_add_d(D_ONE, D_SNAN, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_mul_d(D_SNAN_PAY, D_ONE, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_div_d(D_ONE, D_SNAN, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_sqrt_d(D_SNAN_PAY, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_nmsub_d(D_ONE, D_SNAN, D_ONE, RNE, &fl), D_QNAN, NV);
}

/* ---- multiplication ---- */

static void test_mul_rounding_modes(void)
{
    /* (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24: a tie above 1 + 2^-11
     * (0x3f801000, even). */
    CHECK_RM(fpu_mul_s(0x3f800800u, 0x3f800800u, rm, &fl),
             0x3f801000u, 0x3f801000u, 0x3f801000u, 0x3f801001u,
             0x3f801001u, NX);
    CHECK_RM(fpu_mul_s(0xbf800800u, 0x3f800800u, rm, &fl),
             0xbf801000u, 0xbf801000u, 0xbf801001u, 0xbf801000u,
             0xbf801001u, NX);
    /* (1 + 2^-26)(1 + 2^-27) = 1 + 2^-26 + 2^-27 + 2^-53: half an ulp above
     * 0x3ff0000006000000 (fraction 2^26 + 2^25, even). */
    CHECK_RM(fpu_mul_d(0x3ff0000004000000ull, 0x3ff0000002000000ull, rm, &fl),
             0x3ff0000006000000ull, 0x3ff0000006000000ull,
             0x3ff0000006000000ull, 0x3ff0000006000001ull,
             0x3ff0000006000001ull, NX);
    CHECK(fpu_mul_s(S_THREE, S_HALF, RNE, &fl), 0x3fc00000u, 0);  /* 1.5 */
    CHECK(fpu_mul_d(D_THREE, D_NONE, RNE, &fl), 0xc008000000000000ull, 0);
}

static void test_mul_special(void)
{
    CHECK(fpu_mul_s(S_INF, S_ZERO, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_mul_s(S_NZERO, S_NINF, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_mul_s(S_NINF, S_TWO, RNE, &fl), S_NINF, 0);
    CHECK(fpu_mul_s(S_NZERO, S_TWO, RNE, &fl), S_NZERO, 0);
    CHECK(fpu_mul_s(S_NZERO, S_NZERO, RNE, &fl), S_ZERO, 0);
    CHECK(fpu_mul_d(D_ZERO, D_INF, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_mul_d(D_NZERO, D_ONE, RNE, &fl), D_NZERO, 0);
}

static void test_mul_overflow(void)
{
    CHECK_RM(fpu_mul_s(S_MAX, S_TWO, rm, &fl),
             S_INF, S_MAX, S_MAX, S_INF, S_INF, OF | NX);
    CHECK_RM(fpu_mul_s(S_MAX, 0xc0000000u, rm, &fl),
             S_NINF, 0xff7fffffu, S_NINF, 0xff7fffffu, S_NINF, OF | NX);
    CHECK_RM(fpu_mul_d(D_MAX, D_TWO, rm, &fl),
             D_INF, D_MAX, D_MAX, D_INF, D_INF, OF | NX);
    CHECK_RM(fpu_mul_d(D_MAX | D_NZERO, D_MAX, rm, &fl),
             D_NINF, 0xffefffffffffffffull, D_NINF, 0xffefffffffffffffull,
             D_NINF, OF | NX);
}

static void test_mul_underflow(void)
{
    /* 2^-126 * 0.5 = 2^-127 is a subnormal but exact: no UF. */
    CHECK(fpu_mul_s(S_MIN_NORM, S_HALF, RNE, &fl), 0x00400000u, 0);
    CHECK(fpu_mul_d(D_MIN_NORM, 0x3fe0000000000000ull, RNE, &fl),
          0x0008000000000000ull, 0);
    /* 2^-149 * 0.5 = 2^-150: a tie between +0 (even) and 2^-149. */
    CHECK_RM(fpu_mul_s(S_MIN_SUB, S_HALF, rm, &fl),
             S_ZERO, S_ZERO, S_ZERO, S_MIN_SUB, S_MIN_SUB, UF | NX);
    CHECK_RM(fpu_mul_s(S_MIN_SUB | S_NZERO, S_HALF, rm, &fl),
             S_NZERO, S_NZERO, S_MIN_SUB | S_NZERO, S_NZERO,
             S_MIN_SUB | S_NZERO, UF | NX);
    CHECK_RM(fpu_mul_d(D_MIN_SUB, 0x3fe0000000000000ull, rm, &fl),
             D_ZERO, D_ZERO, D_ZERO, D_MIN_SUB, D_MIN_SUB, UF | NX);
    /*
     * 2^-126 * (1 - 2^-24) = 2^-126 - 2^-150.  With an unbounded exponent
     * this is exact ((2 - 2^-23) * 2^-127), so it is tiny after rounding;
     * on the subnormal grid (step 2^-149) it is a tie between 0x007fffff and
     * 0x00800000.  Rounding up to the smallest normal still raises UF.
     */
    CHECK_RM(fpu_mul_s(S_MIN_NORM, 0x3f7fffffu, rm, &fl),
             S_MIN_NORM, 0x007fffffu, 0x007fffffu, S_MIN_NORM, S_MIN_NORM,
             UF | NX);
    CHECK_RM(fpu_mul_d(D_MIN_NORM, 0x3fefffffffffffffull, rm, &fl),
             D_MIN_NORM, 0x000fffffffffffffull, 0x000fffffffffffffull,
             D_MIN_NORM, D_MIN_NORM, UF | NX);
}

/* ---- division ---- */

static void test_div_rounding_modes(void)
{
    /* 1/3 = 1.0101...b * 2^-2: fraction 0x2aaaaa, remainder 2/3 ulp. */
    CHECK_RM(fpu_div_s(S_ONE, S_THREE, rm, &fl),
             0x3eaaaaabu, 0x3eaaaaaau, 0x3eaaaaaau, 0x3eaaaaabu,
             0x3eaaaaabu, NX);
    CHECK_RM(fpu_div_s(S_NONE, S_THREE, rm, &fl),
             0xbeaaaaabu, 0xbeaaaaaau, 0xbeaaaaabu, 0xbeaaaaaau,
             0xbeaaaaabu, NX);
    /* Binary64: fraction 0x5555555555555, remainder 1/3 ulp. */
    CHECK_RM(fpu_div_d(D_ONE, D_THREE, rm, &fl),
             0x3fd5555555555555ull, 0x3fd5555555555555ull,
             0x3fd5555555555555ull, 0x3fd5555555555556ull,
             0x3fd5555555555555ull, NX);
    /* Quotient ties only happen on the subnormal grid: 5 * 2^-149 / 2. */
    CHECK_RM(fpu_div_s(0x00000005u, S_TWO, rm, &fl),
             0x00000002u, 0x00000002u, 0x00000002u, 0x00000003u,
             0x00000003u, UF | NX);
    CHECK_RM(fpu_div_d(0x8000000000000003ull, D_TWO, rm, &fl),
             0x8000000000000002ull, 0x8000000000000001ull,
             0x8000000000000002ull, 0x8000000000000001ull,
             0x8000000000000002ull, UF | NX);
    CHECK(fpu_div_s(0x40c00000u, S_THREE, RNE, &fl), S_TWO, 0);  /* 6/3 */
    /*
     * Sticky bits: 0x3ff8ddb6243545a6 / 0x3ff00f4bc0931057 lies only 0.0003
     * ulp above 0x3ff8c6073307a435 (checked with exact integer division of
     * the significands), so a quotient truncated a few bits past the ulp
     * looks exact; it is not.
     */
    CHECK_RM(fpu_div_d(0x3ff8ddb6243545a6ull, 0x3ff00f4bc0931057ull, rm, &fl),
             0x3ff8c6073307a435ull, 0x3ff8c6073307a435ull,
             0x3ff8c6073307a435ull, 0x3ff8c6073307a436ull,
             0x3ff8c6073307a435ull, NX);
}

static void test_div_by_zero(void)
{
    CHECK(fpu_div_s(S_ONE, S_ZERO, RNE, &fl), S_INF, DZ);
    CHECK(fpu_div_s(S_NONE, S_ZERO, RNE, &fl), S_NINF, DZ);
    CHECK(fpu_div_s(S_ONE, S_NZERO, RNE, &fl), S_NINF, DZ);
    CHECK(fpu_div_s(S_MIN_SUB, S_ZERO, RTZ, &fl), S_INF, DZ);
    CHECK(fpu_div_s(S_ZERO, S_ZERO, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_div_s(S_INF, S_NINF, RNE, &fl), S_QNAN, NV);
    /* An infinite dividend is exact: no DZ. */
    CHECK(fpu_div_s(S_INF, S_NZERO, RNE, &fl), S_NINF, 0);
    CHECK(fpu_div_s(S_ONE, S_NINF, RNE, &fl), S_NZERO, 0);
    CHECK(fpu_div_d(D_NONE, D_NZERO, RNE, &fl), D_INF, DZ);
    CHECK(fpu_div_d(D_NZERO, D_ZERO, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_div_d(D_ZERO, D_ONE, RNE, &fl), D_ZERO, 0);
}

static void test_div_overflow_underflow(void)
{
    /* max / 0.5 overflows; min subnormal / 4 = 2^-151 is below the tie. */
    CHECK_RM(fpu_div_s(S_MAX, S_HALF, rm, &fl),
             S_INF, S_MAX, S_MAX, S_INF, S_INF, OF | NX);
    CHECK_RM(fpu_div_s(S_MIN_SUB, 0x40800000u, rm, &fl),
             S_ZERO, S_ZERO, S_ZERO, S_MIN_SUB, S_ZERO, UF | NX);
    CHECK_RM(fpu_div_d(D_MIN_NORM, D_MAX, rm, &fl),
             D_ZERO, D_ZERO, D_ZERO, D_MIN_SUB, D_ZERO, UF | NX);
}

/* ---- square root ---- */

static void test_sqrt(void)
{
    CHECK(fpu_sqrt_s(0x40800000u, RNE, &fl), S_TWO, 0);  /* sqrt(4) */
    CHECK(fpu_sqrt_d(0x4022000000000000ull, RNE, &fl), D_THREE, 0);  /* 9 */
    /* sqrt(2) = 1.41421356237...: 0x3fb504f3 is 2.4e-8 below it, 0x3fb504f4
     * 9.5e-8 above. */
    CHECK_RM(fpu_sqrt_s(S_TWO, rm, &fl),
             0x3fb504f3u, 0x3fb504f3u, 0x3fb504f3u, 0x3fb504f4u,
             0x3fb504f3u, NX);
    /* In binary64 the nearest, 0x3ff6a09e667f3bcd, is 9.7e-17 above. */
    CHECK_RM(fpu_sqrt_d(D_TWO, rm, &fl),
             0x3ff6a09e667f3bcdull, 0x3ff6a09e667f3bccull,
             0x3ff6a09e667f3bccull, 0x3ff6a09e667f3bcdull,
             0x3ff6a09e667f3bcdull, NX);
    /*
     * Sticky bits, checked with exact integer square roots of the
     * significand times 2^52: sqrt(0x3ffa0add94247661) lies 0.50049 ulp
     * above 0x3ff469a7f38eb764 (just past a tie: up, though ...764 is
     * even), and sqrt(0x3ff6d3d7937ad175) 0.0005 ulp above
     * 0x3ff31c7b50e8edbc (inexact, though it almost looks exact).
     */
    CHECK_RM(fpu_sqrt_d(0x3ffa0add94247661ull, rm, &fl),
             0x3ff469a7f38eb765ull, 0x3ff469a7f38eb764ull,
             0x3ff469a7f38eb764ull, 0x3ff469a7f38eb765ull,
             0x3ff469a7f38eb765ull, NX);
    CHECK_RM(fpu_sqrt_d(0x3ff6d3d7937ad175ull, rm, &fl),
             0x3ff31c7b50e8edbcull, 0x3ff31c7b50e8edbcull,
             0x3ff31c7b50e8edbcull, 0x3ff31c7b50e8edbdull,
             0x3ff31c7b50e8edbcull, NX);
    /* (A square root is never exactly half-way between two floats, so
     * there is no tie case for RMM to decide.) */
    /* sqrt(2^-149) = sqrt(2) * 2^-75: biased exponent 52. */
    CHECK(fpu_sqrt_s(S_MIN_SUB, RNE, &fl), (52u << 23) | 0x3504f3u, NX);
    /* sqrt(2^-1074) = 2^-537 exactly. */
    CHECK(fpu_sqrt_d(D_MIN_SUB, RNE, &fl), (uint64_t)(1023 - 537) << 52, 0);
    CHECK(fpu_sqrt_s(S_NZERO, RNE, &fl), S_NZERO, 0);
    CHECK(fpu_sqrt_s(S_INF, RNE, &fl), S_INF, 0);
    CHECK(fpu_sqrt_s(S_NONE, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_sqrt_s(S_NINF, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_sqrt_d(D_NZERO, RNE, &fl), D_NZERO, 0);
    CHECK(fpu_sqrt_d(0x8000000000000001ull, RNE, &fl), D_QNAN, NV);
}

/* ---- fused multiply-add ---- */

static void test_fma_single_rounding(void)
{
    /*
     * a = 1 + 2^-12: a*a - 1 = 2^-11 + 2^-24 exactly (0x3a000400: exponent
     * -11, fraction 2^10).  Rounding a*a first would lose the 2^-24 (a tie
     * to even) and leave 2^-11.
     */
    CHECK(fpu_madd_s(0x3f800800u, 0x3f800800u, S_NONE, RNE, &fl),
          0x3a000400u, 0);
    CHECK(fpu_sub_s(fpu_mul_s(0x3f800800u, 0x3f800800u, RNE, &fl), S_ONE,
                    RNE, &fl), 0x3a000000u, NX);
    /* binary64: a = 1 + 2^-27, a*a - 1 = 2^-26 + 2^-54 = 2^-26 (1 + 2^-28). */
    CHECK(fpu_madd_d(0x3ff0000002000000ull, 0x3ff0000002000000ull, D_NONE,
                     RNE, &fl), 0x3e50000001000000ull, 0);
    CHECK(fpu_sub_d(fpu_mul_d(0x3ff0000002000000ull, 0x3ff0000002000000ull,
                              RNE, &fl), D_ONE, RNE, &fl),
          0x3e50000000000000ull, NX);
}

static void test_fma_rounding_modes(void)
{
    /* (1 + 2^-12)^2 + 2^-22 = 1 + 2^-11 + 2^-22 + 2^-24: a tie between
     * 0x3f801002 (even) and 0x3f801003. */
    CHECK_RM(fpu_madd_s(0x3f800800u, 0x3f800800u, 0x34800000u, rm, &fl),
             0x3f801002u, 0x3f801002u, 0x3f801002u, 0x3f801003u,
             0x3f801003u, NX);
    CHECK_RM(fpu_nmadd_s(0x3f800800u, 0x3f800800u, 0x34800000u, rm, &fl),
             0xbf801002u, 0xbf801002u, 0xbf801003u, 0xbf801002u,
             0xbf801003u, NX);
    /* Exact cancellation: +0, or -0 under RDN. */
    CHECK_RM(fpu_madd_s(S_ONE, S_ONE, S_NONE, rm, &fl),
             S_ZERO, S_ZERO, S_NZERO, S_ZERO, S_ZERO, 0);
    CHECK_RM(fpu_msub_d(D_TWO, D_ONE, D_TWO, rm, &fl),
             D_ZERO, D_ZERO, D_NZERO, D_ZERO, D_ZERO, 0);
    /* A zero product plus a zero: the signs combine like an addition. */
    CHECK_RM(fpu_madd_s(S_ONE, S_ZERO, S_NZERO, rm, &fl),
             S_ZERO, S_ZERO, S_NZERO, S_ZERO, S_ZERO, 0);
    CHECK_RM(fpu_nmadd_s(S_ONE, S_ZERO, S_ZERO, rm, &fl),
             S_NZERO, S_NZERO, S_NZERO, S_NZERO, S_NZERO, 0);
    /* A huge product swamps a tiny addend: only a sticky bit is left. */
    CHECK_RM(fpu_madd_d(D_ONE, D_ONE, D_MIN_SUB, rm, &fl),
             D_ONE, D_ONE, D_ONE, 0x3ff0000000000001ull, D_ONE, NX);
    CHECK_RM(fpu_madd_s(S_MAX, S_TWO, S_NINF, rm, &fl),
             S_NINF, S_NINF, S_NINF, S_NINF, S_NINF, 0);
    CHECK_RM(fpu_madd_s(S_MAX, S_TWO, S_NONE, rm, &fl),
             S_INF, S_MAX, S_MAX, S_INF, S_INF, OF | NX);
}

static void test_fma_signs(void)
{
    /* 2*3+1 = 7 (0x40e00000), 2*3-1 = 5 (0x40a00000). */
    CHECK(fpu_madd_s(S_TWO, S_THREE, S_ONE, RNE, &fl), 0x40e00000u, 0);
    CHECK(fpu_msub_s(S_TWO, S_THREE, S_ONE, RNE, &fl), 0x40a00000u, 0);
    CHECK(fpu_nmsub_s(S_TWO, S_THREE, S_ONE, RNE, &fl), 0xc0a00000u, 0);
    CHECK(fpu_nmadd_s(S_TWO, S_THREE, S_ONE, RNE, &fl), 0xc0e00000u, 0);
    /* A zero product leaves the (negated) addend, exactly. */
    CHECK(fpu_msub_s(S_ONE, S_ZERO, S_ONE, RNE, &fl), S_NONE, 0);
    CHECK(fpu_nmadd_s(S_ZERO, S_ONE, 0x00000003u, RNE, &fl), 0x80000003u, 0);
    CHECK(fpu_nmsub_d(D_NZERO, D_ONE, D_MIN_SUB, RNE, &fl), D_MIN_SUB, 0);
    CHECK(fpu_madd_d(D_TWO, D_THREE, D_ONE, RNE, &fl), 0x401c000000000000ull, 0);
    CHECK(fpu_msub_d(D_TWO, D_THREE, D_ONE, RNE, &fl), 0x4014000000000000ull, 0);
    CHECK(fpu_nmsub_d(D_TWO, D_THREE, D_ONE, RNE, &fl), 0xc014000000000000ull, 0);
    CHECK(fpu_nmadd_d(D_TWO, D_THREE, D_ONE, RNE, &fl), 0xc01c000000000000ull, 0);
}

static void test_fma_invalid(void)
{
    /* RISC-V: inf * 0 + qNaN raises NV (IEEE leaves it optional). */
    CHECK(fpu_madd_s(S_INF, S_ZERO, S_QNAN, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_madd_s(S_NZERO, S_NINF, S_QNAN_PAY, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_madd_d(D_ZERO, D_INF, D_QNAN, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_madd_s(S_INF, S_ZERO, S_ONE, RNE, &fl), S_QNAN, NV);
    /* inf - inf inside the fused operation. */
    CHECK(fpu_madd_s(S_INF, S_ONE, S_NINF, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_msub_d(D_INF, D_ONE, D_INF, RNE, &fl), D_QNAN, NV);
    CHECK(fpu_nmsub_d(D_INF, D_ONE, D_NINF, RNE, &fl), D_NINF, 0);
    CHECK(fpu_nmadd_s(S_INF, S_ONE, S_NINF, RNE, &fl), S_QNAN, NV);
    /* A finite product with an infinite addend is that infinity. */
    CHECK(fpu_madd_s(S_MAX, S_MAX, S_NINF, RNE, &fl), S_NINF, 0);
    CHECK(fpu_madd_s(S_ONE, S_ONE, S_QNAN, RNE, &fl), S_QNAN, 0);
}

/* ---- comparisons, min/max, classify ---- */

static void test_compare(void)
{
    CHECK(fpu_eq_s(S_ONE, S_ONE, &fl), true, 0);
    CHECK(fpu_eq_s(S_ZERO, S_NZERO, &fl), true, 0);
    CHECK(fpu_lt_s(S_NZERO, S_ZERO, &fl), false, 0);
    CHECK(fpu_le_s(S_NZERO, S_ZERO, &fl), true, 0);
    CHECK(fpu_lt_s(S_ONE, S_TWO, &fl), true, 0);
    CHECK(fpu_lt_s(S_TWO, S_ONE, &fl), false, 0);
    CHECK(fpu_lt_s(0xc0000000u, S_NONE, &fl), true, 0);  /* -2 < -1 */
    CHECK(fpu_le_s(S_NONE, 0xc0000000u, &fl), false, 0);
    CHECK(fpu_lt_s(S_NINF, S_INF, &fl), true, 0);
    CHECK(fpu_lt_s(0x00000001u, 0x00000002u, &fl), true, 0);
    CHECK(fpu_lt_s(0x80000002u, 0x80000001u, &fl), true, 0);
    CHECK(fpu_le_s(S_INF, S_INF, &fl), true, 0);
    /* feq is quiet, flt/fle signal on any NaN. */
    CHECK(fpu_eq_s(S_QNAN, S_QNAN, &fl), false, 0);
    CHECK(fpu_eq_s(S_ONE, S_QNAN_PAY, &fl), false, 0);
    CHECK(fpu_eq_s(S_SNAN, S_ONE, &fl), false, NV);
    CHECK(fpu_lt_s(S_QNAN, S_ONE, &fl), false, NV);
    CHECK(fpu_le_s(S_ONE, S_QNAN, &fl), false, NV);
    CHECK(fpu_le_s(S_SNAN, S_SNAN, &fl), false, NV);

    CHECK(fpu_eq_d(D_NZERO, D_ZERO, &fl), true, 0);
    CHECK(fpu_eq_d(D_ONE, D_ONE | 1, &fl), false, 0);
    CHECK(fpu_lt_d(D_NONE, D_NZERO, &fl), true, 0);
    CHECK(fpu_lt_d(D_MAX, D_INF, &fl), true, 0);
    CHECK(fpu_le_d(D_NINF, D_NINF, &fl), true, 0);
    CHECK(fpu_eq_d(D_QNAN_PAY, D_ONE, &fl), false, 0);
    CHECK(fpu_eq_d(D_ONE, D_SNAN, &fl), false, NV);
    CHECK(fpu_lt_d(D_ONE, D_QNAN, &fl), false, NV);
    CHECK(fpu_le_d(D_QNAN, D_ONE, &fl), false, NV);
}

static void test_minmax(void)
{
    CHECK(fpu_min_s(S_ONE, S_TWO, &fl), S_ONE, 0);
    CHECK(fpu_max_s(S_ONE, S_TWO, &fl), S_TWO, 0);
    CHECK(fpu_max_s(S_NONE, 0xc0000000u, &fl), S_NONE, 0);
    CHECK(fpu_min_s(S_NINF, S_MAX, &fl), S_NINF, 0);
    /* -0 < +0, in both operand orders. */
    CHECK(fpu_min_s(S_ZERO, S_NZERO, &fl), S_NZERO, 0);
    CHECK(fpu_min_s(S_NZERO, S_ZERO, &fl), S_NZERO, 0);
    CHECK(fpu_max_s(S_ZERO, S_NZERO, &fl), S_ZERO, 0);
    CHECK(fpu_max_s(S_NZERO, S_ZERO, &fl), S_ZERO, 0);
    /* A single NaN is dropped; an sNaN still raises NV. */
    CHECK(fpu_min_s(S_QNAN_PAY, S_ONE, &fl), S_ONE, 0);
    CHECK(fpu_max_s(S_TWO, S_QNAN, &fl), S_TWO, 0);
    CHECK(fpu_min_s(S_SNAN, S_ONE, &fl), S_ONE, NV);
    CHECK(fpu_max_s(S_NONE, S_SNAN_PAY, &fl), S_NONE, NV);
    /* Two NaNs give the canonical NaN. */
    CHECK(fpu_min_s(S_QNAN_PAY, S_QNAN_PAY, &fl), S_QNAN, 0);
    CHECK(fpu_max_s(S_SNAN, S_QNAN_PAY, &fl), S_QNAN, NV);

    CHECK(fpu_min_d(D_NZERO, D_ZERO, &fl), D_NZERO, 0);
    CHECK(fpu_max_d(D_NZERO, D_ZERO, &fl), D_ZERO, 0);
    CHECK(fpu_max_d(D_ZERO, D_NZERO, &fl), D_ZERO, 0);
    CHECK(fpu_min_d(D_ONE, D_NONE, &fl), D_NONE, 0);
    CHECK(fpu_max_d(D_QNAN_PAY, D_NINF, &fl), D_NINF, 0);
    CHECK(fpu_min_d(D_SNAN, D_TWO, &fl), D_TWO, NV);
    CHECK(fpu_max_d(D_QNAN, D_SNAN_PAY, &fl), D_QNAN, NV);
}

static void test_class(void)
{
    g_assert_cmphex(fpu_class_s(S_NINF), ==, FPU_CLASS_NEG_INF);
    g_assert_cmphex(fpu_class_s(S_NONE), ==, FPU_CLASS_NEG_NORMAL);
    g_assert_cmphex(fpu_class_s(0x80000001u), ==, FPU_CLASS_NEG_SUBNORMAL);
    g_assert_cmphex(fpu_class_s(S_NZERO), ==, FPU_CLASS_NEG_ZERO);
    g_assert_cmphex(fpu_class_s(S_ZERO), ==, FPU_CLASS_POS_ZERO);
    g_assert_cmphex(fpu_class_s(0x007fffffu), ==, FPU_CLASS_POS_SUBNORMAL);
    g_assert_cmphex(fpu_class_s(S_MIN_NORM), ==, FPU_CLASS_POS_NORMAL);
    g_assert_cmphex(fpu_class_s(S_MAX), ==, FPU_CLASS_POS_NORMAL);
    g_assert_cmphex(fpu_class_s(S_INF), ==, FPU_CLASS_POS_INF);
    g_assert_cmphex(fpu_class_s(S_SNAN), ==, FPU_CLASS_SNAN);
    g_assert_cmphex(fpu_class_s(S_SNAN_PAY), ==, FPU_CLASS_SNAN);
    g_assert_cmphex(fpu_class_s(S_QNAN), ==, FPU_CLASS_QNAN);
    g_assert_cmphex(fpu_class_s(S_QNAN_PAY), ==, FPU_CLASS_QNAN);
    /* The fclass table's bit numbers, RISC-V unprivileged spec. */
    g_assert_cmphex(FPU_CLASS_NEG_INF, ==, 0x001);
    g_assert_cmphex(FPU_CLASS_QNAN, ==, 0x200);

    g_assert_cmphex(fpu_class_d(D_NINF), ==, FPU_CLASS_NEG_INF);
    g_assert_cmphex(fpu_class_d(D_NONE), ==, FPU_CLASS_NEG_NORMAL);
    g_assert_cmphex(fpu_class_d(0x800fffffffffffffull), ==,
                    FPU_CLASS_NEG_SUBNORMAL);
    g_assert_cmphex(fpu_class_d(D_NZERO), ==, FPU_CLASS_NEG_ZERO);
    g_assert_cmphex(fpu_class_d(D_ZERO), ==, FPU_CLASS_POS_ZERO);
    g_assert_cmphex(fpu_class_d(D_MIN_SUB), ==, FPU_CLASS_POS_SUBNORMAL);
    g_assert_cmphex(fpu_class_d(D_MIN_NORM), ==, FPU_CLASS_POS_NORMAL);
    g_assert_cmphex(fpu_class_d(D_INF), ==, FPU_CLASS_POS_INF);
    g_assert_cmphex(fpu_class_d(D_SNAN), ==, FPU_CLASS_SNAN);
    g_assert_cmphex(fpu_class_d(D_SNAN_PAY), ==, FPU_CLASS_SNAN);
    g_assert_cmphex(fpu_class_d(D_QNAN), ==, FPU_CLASS_QNAN);
    g_assert_cmphex(fpu_class_d(D_QNAN_PAY), ==, FPU_CLASS_QNAN);
}

/* ---- float to integer ---- */

#define INT32_MIN_SX 0xffffffff80000000ull  /* INT32_MIN sign-extended */
#define ALL_ONES     0xffffffffffffffffull  /* 0xffffffff sign-extended */

static void test_cvt_s_to_int(void)
{
    /* 1.5, 2.5, -2.5, -0.5 = 0x3fc00000, 0x40200000, 0xc0200000,
     * 0xbf000000. */
    CHECK_RM(fpu_s_to_w(0x3fc00000u, rm, &fl), 2, 1, 1, 2, 2, NX);
    CHECK_RM(fpu_s_to_w(0x40200000u, rm, &fl), 2, 2, 2, 3, 3, NX);
    CHECK_RM(fpu_s_to_w(0xc0200000u, rm, &fl),
             (uint64_t)-2, (uint64_t)-2, (uint64_t)-3, (uint64_t)-2,
             (uint64_t)-3, NX);
    CHECK_RM(fpu_s_to_w(0xbf000000u, rm, &fl),
             0, 0, (uint64_t)-1, 0, (uint64_t)-1, NX);
    /* 0x4effffff = 2^31 - 128, exact; 2^31 (0x4f000000) saturates. */
    CHECK(fpu_s_to_w(0x4effffffu, RNE, &fl), 0x7fffff80, 0);
    CHECK(fpu_s_to_w(0x4f000000u, RNE, &fl), 0x7fffffff, NV);
    CHECK(fpu_s_to_w(0xcf000000u, RNE, &fl), INT32_MIN_SX, 0);
    CHECK(fpu_s_to_w(0xcf000001u, RTZ, &fl), INT32_MIN_SX, NV);
    CHECK(fpu_s_to_w(S_INF, RNE, &fl), 0x7fffffff, NV);
    CHECK(fpu_s_to_w(S_NINF, RNE, &fl), INT32_MIN_SX, NV);
    CHECK(fpu_s_to_w(S_QNAN_PAY, RNE, &fl), 0x7fffffff, NV);  /* any sign */
    CHECK(fpu_s_to_w(S_SNAN, RNE, &fl), 0x7fffffff, NV);
    CHECK(fpu_s_to_w(S_NZERO, RNE, &fl), 0, 0);

    /* wu: results are sign-extended from bit 31. 0x4f7fffff = 2^32 - 256. */
    CHECK(fpu_s_to_wu(0x4f7fffffu, RNE, &fl), 0xffffffffffffff00ull, 0);
    CHECK(fpu_s_to_wu(0x4f800000u, RNE, &fl), ALL_ONES, NV);  /* 2^32 */
    CHECK(fpu_s_to_wu(S_NONE, RNE, &fl), 0, NV);
    CHECK_RM(fpu_s_to_wu(0xbf000000u, rm, &fl), 0, 0, 0, 0, 0,
             (rm == RDN || rm == RMM) ? NV : NX);
    CHECK_RM(fpu_s_to_wu(0x40200000u, rm, &fl), 2, 2, 2, 3, 3, NX);
    CHECK(fpu_s_to_wu(S_QNAN, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_s_to_wu(S_INF, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_s_to_wu(S_NINF, RNE, &fl), 0, NV);

    /* l: 0x5effffff = 2^63 - 2^39; 2^63 (0x5f000000) saturates. */
    CHECK(fpu_s_to_l(0x5effffffu, RNE, &fl), 0x7fffff8000000000ull, 0);
    CHECK(fpu_s_to_l(0x5f000000u, RNE, &fl), 0x7fffffffffffffffull, NV);
    CHECK(fpu_s_to_l(0xdf000000u, RNE, &fl), 0x8000000000000000ull, 0);
    CHECK(fpu_s_to_l(0xdf000001u, RNE, &fl), 0x8000000000000000ull, NV);
    CHECK(fpu_s_to_l(S_QNAN, RNE, &fl), 0x7fffffffffffffffull, NV);
    CHECK(fpu_s_to_l(S_NINF, RNE, &fl), 0x8000000000000000ull, NV);
    CHECK(fpu_s_to_l(S_INF, RNE, &fl), 0x7fffffffffffffffull, NV);
    CHECK_RM(fpu_s_to_l(0xc0200000u, rm, &fl),
             (uint64_t)-2, (uint64_t)-2, (uint64_t)-3, (uint64_t)-2,
             (uint64_t)-3, NX);
    /* 2^-149 rounds to 0 or to 1 away from zero. */
    CHECK_RM(fpu_s_to_l(S_MIN_SUB, rm, &fl), 0, 0, 0, 1, 0, NX);

    /* lu: 0x5f7fffff = 2^64 - 2^40; 2^64 (0x5f800000) saturates. */
    CHECK(fpu_s_to_lu(0x5f7fffffu, RNE, &fl), 0xffffff0000000000ull, 0);
    CHECK(fpu_s_to_lu(0x5f800000u, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_s_to_lu(S_NONE, RNE, &fl), 0, NV);
    CHECK(fpu_s_to_lu(S_NZERO, RNE, &fl), 0, 0);
    CHECK(fpu_s_to_lu(S_SNAN_PAY, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_s_to_lu(S_NINF, RNE, &fl), 0, NV);
    CHECK(fpu_s_to_lu(S_INF, RNE, &fl), ALL_ONES, NV);
    CHECK_RM(fpu_s_to_lu(0x3fc00000u, rm, &fl), 2, 1, 1, 2, 2, NX);
}

static void test_cvt_d_to_int(void)
{
    /* 2^31 - 0.5 (0x41dfffffffe00000): RNE ties to even 2^31, out of range. */
    CHECK(fpu_d_to_w(0x41dfffffffc00000ull, RNE, &fl), 0x7fffffff, 0);
    CHECK(fpu_d_to_w(0x41dfffffffe00000ull, RNE, &fl), 0x7fffffff, NV);
    CHECK(fpu_d_to_w(0x41dfffffffe00000ull, RTZ, &fl), 0x7fffffff, NX);
    CHECK(fpu_d_to_w(0x41dfffffffe00000ull, RDN, &fl), 0x7fffffff, NX);
    CHECK(fpu_d_to_w(0x41dfffffffe00000ull, RMM, &fl), 0x7fffffff, NV);
    /* -2^31 - 0.5 (0xc1e0000000100000): -2^31 is even, RMM goes beyond. */
    CHECK_RM(fpu_d_to_w(0xc1e0000000100000ull, rm, &fl),
             INT32_MIN_SX, INT32_MIN_SX, INT32_MIN_SX, INT32_MIN_SX,
             INT32_MIN_SX, (rm == RDN || rm == RMM) ? NV : NX);
    CHECK(fpu_d_to_w(D_QNAN_PAY, RNE, &fl), 0x7fffffff, NV);
    CHECK(fpu_d_to_w(D_NINF, RNE, &fl), INT32_MIN_SX, NV);
    CHECK(fpu_d_to_w(D_INF, RNE, &fl), 0x7fffffff, NV);
    CHECK(fpu_d_to_w(D_SNAN, RNE, &fl), 0x7fffffff, NV);
    CHECK(fpu_d_to_w(0xc0c3880000000000ull, RNE, &fl), (uint64_t)-10000, 0);

    /* 2^32 - 0.5 (0x41effffffff00000). */
    CHECK(fpu_d_to_wu(0x41effffffff00000ull, RTZ, &fl), ALL_ONES, NX);
    CHECK(fpu_d_to_wu(0x41effffffff00000ull, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_d_to_wu(0x41dfffffffc00000ull, RNE, &fl), 0x7fffffff, 0);
    CHECK(fpu_d_to_wu(0x41e0000000000000ull, RNE, &fl),  /* 2^31 */
          INT32_MIN_SX, 0);
    /* -0.75 (0xbfe8000000000000) truncates to 0 but rounds to -1. */
    CHECK(fpu_d_to_wu(0xbfe8000000000000ull, RTZ, &fl), 0, NX);
    CHECK(fpu_d_to_wu(0xbfe8000000000000ull, RNE, &fl), 0, NV);
    CHECK(fpu_d_to_wu(D_SNAN, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_d_to_wu(D_INF, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_d_to_wu(D_NINF, RNE, &fl), 0, NV);

    /* 0x43dfffffffffffff = 2^63 - 1024; 0x43e0000000000000 = 2^63. */
    CHECK(fpu_d_to_l(0x43dfffffffffffffull, RNE, &fl),
          0x7ffffffffffffc00ull, 0);
    CHECK(fpu_d_to_l(0x43e0000000000000ull, RNE, &fl),
          0x7fffffffffffffffull, NV);
    CHECK(fpu_d_to_l(0xc3e0000000000000ull, RNE, &fl),
          0x8000000000000000ull, 0);
    CHECK(fpu_d_to_l(0xc3e0000000000001ull, RNE, &fl),
          0x8000000000000000ull, NV);
    CHECK(fpu_d_to_l(D_QNAN, RNE, &fl), 0x7fffffffffffffffull, NV);
    CHECK(fpu_d_to_l(D_INF, RNE, &fl), 0x7fffffffffffffffull, NV);
    CHECK(fpu_d_to_l(D_NINF, RNE, &fl), 0x8000000000000000ull, NV);
    /* 4.5 (0x4012000000000000) ties; tiny values round to 0 or +-1. */
    CHECK_RM(fpu_d_to_l(0x4012000000000000ull, rm, &fl), 4, 4, 4, 5, 5, NX);
    CHECK_RM(fpu_d_to_l(D_MIN_SUB, rm, &fl), 0, 0, 0, 1, 0, NX);
    CHECK_RM(fpu_d_to_l(D_MIN_SUB | D_NZERO, rm, &fl),
             0, 0, (uint64_t)-1, 0, 0, NX);
    /* 0.5 (0x3fe0000000000000) is a tie between 0 and 1. */
    CHECK_RM(fpu_d_to_l(0x3fe0000000000000ull, rm, &fl), 0, 0, 0, 1, 1, NX);

    /* 0x43efffffffffffff = 2^64 - 2048; 0x43f0000000000000 = 2^64. */
    CHECK(fpu_d_to_lu(0x43efffffffffffffull, RNE, &fl),
          0xfffffffffffff800ull, 0);
    CHECK(fpu_d_to_lu(0x43f0000000000000ull, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_d_to_lu(0x43e0000000000000ull, RNE, &fl),
          0x8000000000000000ull, 0);
    CHECK(fpu_d_to_lu(D_NONE, RUP, &fl), 0, NV);
    CHECK(fpu_d_to_lu(0xbfe8000000000000ull, RUP, &fl), 0, NX);
    CHECK(fpu_d_to_lu(D_QNAN_PAY, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_d_to_lu(D_INF, RNE, &fl), ALL_ONES, NV);
    CHECK(fpu_d_to_lu(D_NINF, RNE, &fl), 0, NV);
}

/* ---- integer to float ---- */

static void test_cvt_int_to_s(void)
{
    /* 2^24 + 1 is a tie between 2^24 (0x4b800000) and 2^24 + 2. */
    CHECK_RM(fpu_w_to_s(16777217, rm, &fl),
             0x4b800000u, 0x4b800000u, 0x4b800000u, 0x4b800001u,
             0x4b800001u, NX);
    CHECK_RM(fpu_w_to_s(-16777217, rm, &fl),
             0xcb800000u, 0xcb800000u, 0xcb800001u, 0xcb800000u,
             0xcb800001u, NX);
    /* 2^24 + 3: tie between 2^24 + 2 (odd fraction) and 2^24 + 4. */
    CHECK_RM(fpu_w_to_s(16777219, rm, &fl),
             0x4b800002u, 0x4b800001u, 0x4b800001u, 0x4b800002u,
             0x4b800002u, NX);
    CHECK(fpu_w_to_s(INT32_MIN, RNE, &fl), 0xcf000000u, 0);
    CHECK(fpu_w_to_s(0, RDN, &fl), S_ZERO, 0);
    CHECK(fpu_w_to_s(-3, RNE, &fl), 0xc0400000u, 0);

    CHECK_RM(fpu_wu_to_s(0xffffffffu, rm, &fl),
             0x4f800000u, 0x4f7fffffu, 0x4f7fffffu, 0x4f800000u,
             0x4f800000u, NX);
    CHECK(fpu_wu_to_s(0x80000000u, RNE, &fl), 0x4f000000u, 0);

    CHECK(fpu_l_to_s(INT64_MIN, RNE, &fl), 0xdf000000u, 0);
    CHECK_RM(fpu_l_to_s(INT64_MAX, rm, &fl),
             0x5f000000u, 0x5effffffu, 0x5effffffu, 0x5f000000u,
             0x5f000000u, NX);
    CHECK(fpu_l_to_s(-1, RNE, &fl), S_NONE, 0);

    CHECK_RM(fpu_lu_to_s(UINT64_MAX, rm, &fl),
             0x5f800000u, 0x5f7fffffu, 0x5f7fffffu, 0x5f800000u,
             0x5f800000u, NX);
    CHECK(fpu_lu_to_s(1ull << 63, RNE, &fl), 0x5f000000u, 0);
    CHECK(fpu_lu_to_s(0, RNE, &fl), S_ZERO, 0);
}

static void test_cvt_int_to_d(void)
{
    for (int rm = 0; rm < 5; rm++) {
        CHECK(fpu_w_to_d(INT32_MIN, rm, &fl), 0xc1e0000000000000ull, 0);
        CHECK(fpu_w_to_d(-1, rm, &fl), D_NONE, 0);
        CHECK(fpu_w_to_d(0, rm, &fl), D_ZERO, 0);
        CHECK(fpu_wu_to_d(0xffffffffu, rm, &fl), 0x41efffffffe00000ull, 0);
        CHECK(fpu_l_to_d(INT64_MIN, rm, &fl), 0xc3e0000000000000ull, 0);
        CHECK(fpu_lu_to_d(1ull << 63, rm, &fl), 0x43e0000000000000ull, 0);
    }
    /* 2^53 + 1 is a tie between 2^53 (0x4340000000000000) and 2^53 + 2. */
    CHECK_RM(fpu_l_to_d((1ll << 53) + 1, rm, &fl),
             0x4340000000000000ull, 0x4340000000000000ull,
             0x4340000000000000ull, 0x4340000000000001ull,
             0x4340000000000001ull, NX);
    CHECK_RM(fpu_l_to_d(-(1ll << 53) - 1, rm, &fl),
             0xc340000000000000ull, 0xc340000000000000ull,
             0xc340000000000001ull, 0xc340000000000000ull,
             0xc340000000000001ull, NX);
    CHECK_RM(fpu_l_to_d(INT64_MAX, rm, &fl),
             0x43e0000000000000ull, 0x43dfffffffffffffull,
             0x43dfffffffffffffull, 0x43e0000000000000ull,
             0x43e0000000000000ull, NX);
    CHECK_RM(fpu_lu_to_d(UINT64_MAX, rm, &fl),
             0x43f0000000000000ull, 0x43efffffffffffffull,
             0x43efffffffffffffull, 0x43f0000000000000ull,
             0x43f0000000000000ull, NX);
    /* 2^63 + 2^10 is half an ulp (2^11) above 2^63: tie to even 2^63. */
    CHECK_RM(fpu_lu_to_d((1ull << 63) + 1024, rm, &fl),
             0x43e0000000000000ull, 0x43e0000000000000ull,
             0x43e0000000000000ull, 0x43e0000000000001ull,
             0x43e0000000000001ull, NX);
}

/* ---- between the formats ---- */

static void test_cvt_widen(void)
{
    CHECK(fpu_s_to_d(S_ONE, &fl), D_ONE, 0);
    CHECK(fpu_s_to_d(S_NZERO, &fl), D_NZERO, 0);
    CHECK(fpu_s_to_d(S_NINF, &fl), D_NINF, 0);
    /* 2^-149: binary64 biased exponent 1023 - 149 = 874 = 0x36a. */
    CHECK(fpu_s_to_d(S_MIN_SUB, &fl), 0x36a0000000000000ull, 0);
    /* 0x80400001 = -(2^-127 + 2^-149) = -2^-127 (1 + 2^-22). */
    CHECK(fpu_s_to_d(0x80400001u, &fl),
          D_NZERO | (uint64_t)(1023 - 127) << 52 | 1ull << 30, 0);
    CHECK(fpu_s_to_d(S_MAX, &fl), 0x47efffffe0000000ull, 0);
    CHECK(fpu_s_to_d(S_QNAN_PAY, &fl), D_QNAN, 0);
    CHECK(fpu_s_to_d(S_SNAN, &fl), D_QNAN, NV);
}

static void test_cvt_narrow(void)
{
    CHECK(fpu_d_to_s(D_ONE, RNE, &fl), S_ONE, 0);
    CHECK(fpu_d_to_s(D_NZERO, RUP, &fl), S_NZERO, 0);
    CHECK(fpu_d_to_s(D_INF, RNE, &fl), S_INF, 0);
    /* 1 + 2^-24 (fraction 2^28): a tie above 1.0. */
    CHECK_RM(fpu_d_to_s(0x3ff0000010000000ull, rm, &fl),
             S_ONE, S_ONE, S_ONE, 0x3f800001u, 0x3f800001u, NX);
    /* 1 + 2^-23 + 2^-24: a tie above 0x3f800001 (odd). */
    CHECK_RM(fpu_d_to_s(0xbff0000030000000ull, rm, &fl),
             0xbf800002u, 0xbf800001u, 0xbf800002u, 0xbf800001u,
             0xbf800002u, NX);
    /* 1/3 in binary64 is below the binary32 midpoint. */
    CHECK_RM(fpu_d_to_s(0x3fd5555555555555ull, rm, &fl),
             0x3eaaaaabu, 0x3eaaaaaau, 0x3eaaaaaau, 0x3eaaaaabu,
             0x3eaaaaabu, NX);
    /* 2^128 overflows; (2 - 2^-24) * 2^127 = max + half ulp ties to the
     * even neighbour 2^128, so overflows too, except towards zero. */
    CHECK_RM(fpu_d_to_s(0x47f0000000000000ull, rm, &fl),
             S_INF, S_MAX, S_MAX, S_INF, S_INF, OF | NX);
    CHECK(fpu_d_to_s(0x47effffff0000000ull, RNE, &fl), S_INF, OF | NX);
    CHECK(fpu_d_to_s(0x47effffff0000000ull, RMM, &fl), S_INF, OF | NX);
    CHECK(fpu_d_to_s(0x47effffff0000000ull, RTZ, &fl), S_MAX, NX);
    CHECK(fpu_d_to_s(0xc7effffff0000000ull, RUP, &fl), 0xff7fffffu, NX);
    CHECK(fpu_d_to_s(D_MAX, RDN, &fl), S_MAX, OF | NX);
    /* 2^-150 (0x3690000000000000): a tie between 0 and 2^-149. */
    CHECK_RM(fpu_d_to_s(0x3690000000000000ull, rm, &fl),
             S_ZERO, S_ZERO, S_ZERO, S_MIN_SUB, S_MIN_SUB, UF | NX);
    CHECK_RM(fpu_d_to_s(D_MIN_SUB | D_NZERO, rm, &fl),
             S_NZERO, S_NZERO, S_MIN_SUB | S_NZERO, S_NZERO, S_NZERO,
             UF | NX);
    /*
     * Tininess after rounding: 2^-126 (1 - 2^-25) (0x380ffffff0000000)
     * rounds, with an unbounded exponent and to nearest, to exactly 2^-126,
     * so it is not tiny: NX without UF.  Rounded down it stays below 2^-126
     * (0x007fffff), tiny and inexact: UF.
     */
    CHECK(fpu_d_to_s(0x380ffffff0000000ull, RNE, &fl), S_MIN_NORM, NX);
    CHECK(fpu_d_to_s(0x380ffffff0000000ull, RMM, &fl), S_MIN_NORM, NX);
    CHECK(fpu_d_to_s(0x380ffffff0000000ull, RUP, &fl), S_MIN_NORM, NX);
    CHECK(fpu_d_to_s(0x380ffffff0000000ull, RTZ, &fl), 0x007fffffu, UF | NX);
    CHECK(fpu_d_to_s(0x380ffffff0000000ull, RDN, &fl), 0x007fffffu, UF | NX);
    /* Exact subnormal: 2^-127 (0x3800000000000000) raises nothing. */
    CHECK(fpu_d_to_s(0x3800000000000000ull, RNE, &fl), 0x00400000u, 0);
    CHECK(fpu_d_to_s(D_SNAN, RNE, &fl), S_QNAN, NV);
    CHECK(fpu_d_to_s(D_QNAN_PAY, RNE, &fl), S_QNAN, 0);
    /* A NaN whose payload only lives in the low 29 bits stays a NaN. */
    CHECK(fpu_d_to_s(0x7ff8000000000001ull, RNE, &fl), S_QNAN, 0);
}

/* ---- the flag accumulator ---- */

static void test_flags_accumulate(void)
{
    uint32_t fl = DZ;

    /* Functions only OR bits in; an exact operation leaves DZ alone. */
    g_assert_cmphex(fpu_add_s(S_ONE, S_ONE, RNE, &fl), ==, S_TWO);
    g_assert_cmphex(fl, ==, DZ);
    fpu_div_d(D_ONE, D_THREE, RNE, &fl);
    g_assert_cmphex(fl, ==, DZ | NX);
    fpu_lt_s(S_QNAN, S_ONE, &fl);
    g_assert_cmphex(fl, ==, DZ | NX | NV);
}

/* ---- cross-check against the host FPU ---- */

/*
 * Hand-made cases above pin down the rules; this catches slips in between.
 * The soft-float never touches the host FPU, so the host is an independent
 * oracle for the four IEEE modes it has (values always; flags only where the
 * host also detects tininess after rounding, i.e. x86).  Hosts that ignore
 * the dynamic rounding mode (valgrind's x86 emulation) are detected and the
 * test is skipped.
 */

static const int host_modes[4] = {
    FE_TONEAREST, FE_TOWARDZERO, FE_DOWNWARD, FE_UPWARD,
};

static uint32_t host_flags(void)
{
    int e = fetestexcept(FE_ALL_EXCEPT);

    return (e & FE_INEXACT ? NX : 0) | (e & FE_UNDERFLOW ? UF : 0) |
           (e & FE_OVERFLOW ? OF : 0) | (e & FE_DIVBYZERO ? DZ : 0) |
           (e & FE_INVALID ? NV : 0);
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* Random binary64 operands biased towards interesting exponents. */
static uint64_t random_d(uint64_t *s)
{
    uint64_t x = xorshift(s);

    switch (xorshift(s) % 4) {
    case 0:  /* subnormal or zero */
        return x & 0x800fffffffffffffull;
    case 1:  /* near 1, so that sums cancel and round */
        return (x & 0x800fffffffffffffull) |
               (uint64_t)(1023 - 30 + xorshift(s) % 60) << 52;
    case 2:  /* short significand: ties and exact results */
        return x & 0xfffffff000000000ull;
    default:
        return x;
    }
}

static uint64_t bits_d(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof(u));
    return (u & ~D_NZERO) > D_INF ? D_QNAN : u;
}

static uint32_t bits_s(float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof(u));
    return (u & ~S_NZERO) > S_INF ? S_QNAN : u;
}

static double to_d(uint64_t u)
{
    double d;
    memcpy(&d, &u, sizeof(d));
    return d;
}

static float to_s(uint32_t u)
{
    float f;
    memcpy(&f, &u, sizeof(f));
    return f;
}

static bool host_honours_fenv(bool *flags_ok)
{
    volatile double one = 1.0, tiny = 0x1p-60, third;

    fesetround(FE_UPWARD);
    feclearexcept(FE_ALL_EXCEPT);
    third = one + tiny;
    *flags_ok = fetestexcept(FE_INEXACT) != 0;
    fesetround(FE_TONEAREST);
    return bits_d(third) == 0x3ff0000000000001ull;
}

/* Run `host` (a double or float expression) in the host's mode for rm. */
#define HOST_D(host, hf)                                                     \
    ({ volatile double r_; feclearexcept(FE_ALL_EXCEPT);                     \
       fesetround(host_modes[rm]); r_ = (host);                              \
       hf = host_flags(); fesetround(FE_TONEAREST); bits_d(r_); })
#define HOST_S(host, hf)                                                     \
    ({ volatile float r_; feclearexcept(FE_ALL_EXCEPT);                      \
       fesetround(host_modes[rm]); r_ = (host);                              \
       hf = host_flags(); fesetround(FE_TONEAREST); bits_s(r_); })
#define CROSS(mine, host_expr, HOST, args_fmt, ...)                          \
    do {                                                                     \
        uint32_t fl = 0, hf;                                                 \
        uint64_t m_ = (mine), h_ = HOST(host_expr, hf);                      \
        if (m_ != h_ || (compare_flags && fl != hf)) {                       \
            g_test_message("%s rm=%d args " args_fmt, #mine, rm,             \
                           __VA_ARGS__);                                     \
            g_assert_cmphex(m_, ==, h_);                                     \
            g_assert_cmphex(fl, ==, hf);                                     \
        }                                                                    \
    } while (0)

static void test_host_crosscheck(void)
{
    uint64_t seed = 0x243f6a8885a308d3ull;
    bool compare_flags;

    if (!host_honours_fenv(&compare_flags)) {
        g_test_skip("host FPU ignores the dynamic rounding mode");
        return;
    }
#if !defined(__x86_64__) && !defined(__i386__)
    compare_flags = false;  /* other hosts may detect tininess earlier */
#endif
    for (int i = 0; i < 100000; i++) {
        int rm = i % 4;  /* RNE, RTZ, RDN, RUP share their encodings */
        volatile uint64_t a = random_d(&seed), b = random_d(&seed);
        volatile uint64_t c = random_d(&seed);
        volatile uint32_t x = (uint32_t)(random_d(&seed) >> 32);
        volatile uint32_t y = (uint32_t)(random_d(&seed) >> 32);
        volatile uint32_t z = (uint32_t)(random_d(&seed) >> 32);
        volatile int64_t n = (int64_t)xorshift(&seed) >> (xorshift(&seed) % 64);

        CROSS(fpu_add_d(a, b, rm, &fl), to_d(a) + to_d(b), HOST_D,
              "%016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER "x", a, b);
        CROSS(fpu_mul_d(a, b, rm, &fl), to_d(a) * to_d(b), HOST_D,
              "%016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER "x", a, b);
        CROSS(fpu_div_d(a, b, rm, &fl), to_d(a) / to_d(b), HOST_D,
              "%016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER "x", a, b);
        CROSS(fpu_sqrt_d(a, rm, &fl), sqrt(to_d(a)), HOST_D,
              "%016" G_GINT64_MODIFIER "x", a);
        CROSS(fpu_madd_d(a, b, c, rm, &fl), fma(to_d(a), to_d(b), to_d(c)),
              HOST_D, "%016" G_GINT64_MODIFIER "x %016" G_GINT64_MODIFIER
              "x %016" G_GINT64_MODIFIER "x", a, b, c);
        CROSS(fpu_sub_s(x, y, rm, &fl), to_s(x) - to_s(y), HOST_S,
              "%08x %08x", x, y);
        CROSS(fpu_mul_s(x, y, rm, &fl), to_s(x) * to_s(y), HOST_S,
              "%08x %08x", x, y);
        CROSS(fpu_div_s(x, y, rm, &fl), to_s(x) / to_s(y), HOST_S,
              "%08x %08x", x, y);
        CROSS(fpu_sqrt_s(x, rm, &fl), sqrtf(to_s(x)), HOST_S, "%08x", x);
        CROSS(fpu_nmsub_s(x, y, z, rm, &fl), fmaf(-to_s(x), to_s(y), to_s(z)),
              HOST_S, "%08x %08x %08x", x, y, z);
        CROSS(fpu_d_to_s(a, rm, &fl), (float)to_d(a), HOST_S,
              "%016" G_GINT64_MODIFIER "x", a);
        CROSS(fpu_s_to_d(x, &fl), (double)to_s(x), HOST_D, "%08x", x);
        CROSS(fpu_l_to_d(n, rm, &fl), (double)n, HOST_D,
              "%" G_GINT64_FORMAT, n);
        CROSS(fpu_l_to_s(n, rm, &fl), (float)n, HOST_S,
              "%" G_GINT64_FORMAT, n);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    g_test_add_func("/fpu/add/exact", test_add_exact);
    g_test_add_func("/fpu/add/rounding-modes", test_add_rounding_modes);
    g_test_add_func("/fpu/add/signed-zero", test_add_signed_zero);
    g_test_add_func("/fpu/add/infinity", test_add_infinity);
    g_test_add_func("/fpu/add/overflow", test_add_overflow);
    g_test_add_func("/fpu/nan/canonical", test_nan_canonical);
    g_test_add_func("/fpu/nan/signalling", test_nan_signalling);
    g_test_add_func("/fpu/mul/rounding-modes", test_mul_rounding_modes);
    g_test_add_func("/fpu/mul/special", test_mul_special);
    g_test_add_func("/fpu/mul/overflow", test_mul_overflow);
    g_test_add_func("/fpu/mul/underflow", test_mul_underflow);
    g_test_add_func("/fpu/div/rounding-modes", test_div_rounding_modes);
    g_test_add_func("/fpu/div/by-zero", test_div_by_zero);
    g_test_add_func("/fpu/div/overflow-underflow", test_div_overflow_underflow);
    g_test_add_func("/fpu/sqrt", test_sqrt);
    g_test_add_func("/fpu/fma/single-rounding", test_fma_single_rounding);
    g_test_add_func("/fpu/fma/rounding-modes", test_fma_rounding_modes);
    g_test_add_func("/fpu/fma/signs", test_fma_signs);
    g_test_add_func("/fpu/fma/invalid", test_fma_invalid);
    g_test_add_func("/fpu/compare", test_compare);
    g_test_add_func("/fpu/minmax", test_minmax);
    g_test_add_func("/fpu/class", test_class);
    g_test_add_func("/fpu/cvt/s-to-int", test_cvt_s_to_int);
    g_test_add_func("/fpu/cvt/d-to-int", test_cvt_d_to_int);
    g_test_add_func("/fpu/cvt/int-to-s", test_cvt_int_to_s);
    g_test_add_func("/fpu/cvt/int-to-d", test_cvt_int_to_d);
    g_test_add_func("/fpu/cvt/s-to-d", test_cvt_widen);
    g_test_add_func("/fpu/cvt/d-to-s", test_cvt_narrow);
    g_test_add_func("/fpu/flags/accumulate", test_flags_accumulate);
    g_test_add_func("/fpu/host-crosscheck", test_host_crosscheck);

    return g_test_run();
}
