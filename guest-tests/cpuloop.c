/*
 * cpuloop: a CPU-bound guest workload whose instruction count is known from
 * its structure, for scripts/bench/boot.
 *
 *   cpuloop [ITERATIONS] [SHA_MIB]
 *
 * 1. A loop of exactly LOOP_INSNS instructions per iteration, written in
 *    assembly so the compiler cannot change the count: a load, a store,
 *    ALU ops, a multiply and a taken branch, like ordinary integer code.
 * 2. SHA-256 over SHA_MIB MiB in memory: compiled C, for a realistic mix
 *    (its instruction count is not known, so it is reported in MiB/s).
 *
 * Prints one line of shell assignments:
 *   loop_insns=N loop_secs=T loop_mips=M sha_mib=N sha_secs=T sha_mibps=R
 * Guest time comes from CLOCK_MONOTONIC, which follows the host's clock on
 * both emulators.
 */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sha256.h"

#define LOOP_INSNS        10        /* instructions in one loop iteration */
#define DEFAULT_ITERS     100000000 /* 1e9 instructions */
#define DEFAULT_SHA_MIB   16

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs iters * LOOP_INSNS instructions (plus a handful around the loop). */
static uint64_t spin(uint64_t iters, uint64_t *cell)
{
    uint64_t acc = 1, mix = 0x9e3779b97f4a7c15ull, t1, t2, t3;

    __asm__ volatile(
        "1:\n\t"
        "ld    %[t1], 0(%[cell])\n\t"       /* 1 load */
        "add   %[acc], %[acc], %[t1]\n\t"   /* 2 */
        "mul   %[t2], %[acc], %[mix]\n\t"   /* 3 multiply */
        "xor   %[mix], %[mix], %[t2]\n\t"   /* 4 */
        "sd    %[mix], 0(%[cell])\n\t"      /* 5 store */
        "slli  %[t3], %[mix], 3\n\t"        /* 6 */
        "srli  %[t2], %[mix], 5\n\t"        /* 7 */
        "or    %[acc], %[t3], %[t2]\n\t"    /* 8 */
        "addi  %[n], %[n], -1\n\t"          /* 9 */
        "bnez  %[n], 1b\n\t"                /* 10 taken branch */
        : [acc] "+r"(acc), [mix] "+r"(mix), [n] "+r"(iters),
          [t1] "=&r"(t1), [t2] "=&r"(t2), [t3] "=&r"(t3)
        : [cell] "r"(cell)
        : "memory");
    return acc;
}

int main(int argc, char **argv)
{
    uint64_t iters = argc > 1 ? strtoull(argv[1], NULL, 0) : DEFAULT_ITERS;
    unsigned sha_mib = argc > 2 ? (unsigned)atoi(argv[2]) : DEFAULT_SHA_MIB;
    uint64_t cell = 0;
    uint8_t digest[SHA256_DIGEST_SIZE];
    uint8_t *buf = malloc(1 << 20);
    double t0, t_loop, t_sha;
    Sha256 sha;

    if (!iters || !buf) {
        fprintf(stderr, "usage: cpuloop [ITERATIONS>0] [SHA_MIB]\n");
        return 2;
    }
    t0 = now_s();
    uint64_t r = spin(iters, &cell);
    t_loop = now_s() - t0;

    for (int i = 0; i < (1 << 20); i++) {
        buf[i] = (uint8_t)(i * 131 + (i >> 9));
    }
    t0 = now_s();
    sha256_init(&sha);
    for (unsigned i = 0; i < sha_mib; i++) {
        sha256_update(&sha, buf, 1 << 20);
    }
    sha256_final(&sha, digest);
    t_sha = now_s() - t0;

    printf("loop_insns=%" PRIu64 " loop_secs=%.3f loop_mips=%.1f "
           "sha_mib=%u sha_secs=%.3f sha_mibps=%.2f check=%02x%02x\n",
           iters * LOOP_INSNS, t_loop, iters * LOOP_INSNS / t_loop / 1e6,
           sha_mib, t_sha, sha_mib ? sha_mib / t_sha : 0.0,
           (unsigned)(r & 0xff), digest[0]);
    return 0;
}
