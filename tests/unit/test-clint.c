/*
 * tests/unit/test-clint.c: the CLINT through its registers, on a fake
 * host clock: mtime follows the clock at 10 MHz, mtimecmp drives MTIP as a
 * level, msip drives MSIP.
 */
#include "machine/clint.h"
#include "machine/cpu.h"

typedef struct Fixture {
    uint64_t clock_ns;
    uint64_t mip[4];        /* the levels the CLINT drove, per hart */
    ClintState *c;
    const MemoryRegionOps *ops;
    void *opaque;
} Fixture;

static uint64_t fake_clock(void *opaque)
{
    return ((Fixture *)opaque)->clock_ns;
}

static void record_mip(void *opaque, unsigned hart, uint64_t mask, bool level)
{
    Fixture *f = opaque;
    g_assert_cmpuint(hart, <, 4);
    f->mip[hart] = level ? f->mip[hart] | mask : f->mip[hart] & ~mask;
}

static void setup(Fixture *f, gconstpointer data)
{
    f->clock_ns = 5000000000ull;    /* epoch: mtime counts from here */
    f->c = clint_new(4, record_mip, fake_clock, f);
    MemoryRegion *mr = clint_get_region(f->c);
    f->ops = mr->ops;
    f->opaque = mr->opaque;
}

static void teardown(Fixture *f, gconstpointer data)
{
    clint_free(f->c);
}

static uint64_t rd(Fixture *f, uint64_t off, unsigned size)
{
    return f->ops->read(f->opaque, off, size);
}

static void wr(Fixture *f, uint64_t off, uint64_t val, unsigned size)
{
    f->ops->write(f->opaque, off, val, size);
}

static void test_mtime_advances(Fixture *f, gconstpointer data)
{
    g_assert_cmpuint(rd(f, CLINT_MTIME, 8), ==, 0);
    f->clock_ns += 1000;            /* 1 us = 10 ticks at 10 MHz */
    g_assert_cmpuint(rd(f, CLINT_MTIME, 8), ==, 10);
    f->clock_ns += 3ull * 1000000000 * 1000;   /* 3000 s: past 2^32 ticks */
    uint64_t t = 10 + 30000000000ull;
    g_assert_cmpuint(rd(f, CLINT_MTIME, 8), ==, t);
    g_assert_cmpuint(rd(f, CLINT_MTIME, 4), ==, (uint32_t)t);
    g_assert_cmpuint(rd(f, CLINT_MTIME + 4, 4), ==, t >> 32);
    g_assert_cmpuint(clint_get_mtime(f->c), ==, t);
}

static void test_mtime_write(Fixture *f, gconstpointer data)
{
    wr(f, CLINT_MTIME, 1000000, 8);
    f->clock_ns += 100;             /* one tick */
    g_assert_cmpuint(rd(f, CLINT_MTIME, 8), ==, 1000001);
}

static void test_mtimecmp_level(Fixture *f, gconstpointer data)
{
    /* Reset leaves every mtimecmp far in the future: no MTIP. */
    clint_update(f->c);
    g_assert_cmpuint(f->mip[2] & RISCV_MIP_MTIP, ==, 0);
    g_assert_cmpint(clint_next_deadline_ns(f->c), ==, -1);

    uint64_t cmp = CLINT_MTIMECMP_BASE + 8 * 2;
    wr(f, cmp, 100, 8);
    g_assert_cmpuint(rd(f, cmp, 8), ==, 100);
    g_assert_cmpuint(f->mip[2] & RISCV_MIP_MTIP, ==, 0);
    g_assert_cmpint(clint_next_deadline_ns(f->c), ==, 100 * 100);

    f->clock_ns += 99 * 100;        /* one tick short */
    clint_update(f->c);
    g_assert_cmpuint(f->mip[2] & RISCV_MIP_MTIP, ==, 0);
    f->clock_ns += 100;
    clint_update(f->c);
    g_assert_cmpuint(f->mip[2], ==, RISCV_MIP_MTIP);
    g_assert_cmpuint(f->mip[1], ==, 0);     /* other harts untouched */
    g_assert_cmpint(clint_next_deadline_ns(f->c), ==, -1);   /* reached */

    /* A later compare value lowers the line at once (a level, not an
     * edge), written as two 32-bit halves as RV32 software does. */
    wr(f, cmp + 4, 0, 4);
    wr(f, cmp, 500, 4);
    g_assert_cmpuint(rd(f, cmp, 8), ==, 500);
    g_assert_cmpuint(f->mip[2] & RISCV_MIP_MTIP, ==, 0);
}

/* An mtimecmp that mtime passed after the last clint_update() is due now
 * (0), not "no deadline" (-1), or the board sleeps with no timeout. */
static void test_mtimecmp_passed_unraised(Fixture *f, gconstpointer data)
{
    uint64_t cmp = CLINT_MTIMECMP_BASE + 8 * 1;

    wr(f, cmp, 100, 8);
    g_assert_cmpint(clint_next_deadline_ns(f->c), ==, 100 * 100);
    f->clock_ns += 150 * 100;       /* no update in between */
    g_assert_cmpint(clint_next_deadline_ns(f->c), ==, 0);
    clint_update(f->c);
    g_assert_cmpuint(f->mip[1], ==, RISCV_MIP_MTIP);
    g_assert_cmpint(clint_next_deadline_ns(f->c), ==, -1);
}

static void test_msip(Fixture *f, gconstpointer data)
{
    wr(f, CLINT_MSIP_BASE + 4 * 3, 1, 4);
    g_assert_cmpuint(f->mip[3], ==, RISCV_MIP_MSIP);
    g_assert_cmpuint(rd(f, CLINT_MSIP_BASE + 4 * 3, 4), ==, 1);
    g_assert_cmpuint(f->mip[0], ==, 0);
    /* Only bit 0 is implemented. */
    wr(f, CLINT_MSIP_BASE + 4 * 3, 0xfffffffe, 4);
    g_assert_cmpuint(f->mip[3], ==, 0);
    g_assert_cmpuint(rd(f, CLINT_MSIP_BASE + 4 * 3, 4), ==, 0);
}

static void test_out_of_range(Fixture *f, gconstpointer data)
{
    /* Hart 4 does not exist on a 4-hart CLINT: ignored, reads 0. */
    wr(f, CLINT_MSIP_BASE + 4 * 4, 1, 4);
    wr(f, CLINT_MTIMECMP_BASE + 8 * 4, 0, 8);
    g_assert_cmpuint(rd(f, CLINT_MSIP_BASE + 4 * 4, 4), ==, 0);
    g_assert_cmpuint(rd(f, CLINT_MTIMECMP_BASE + 8 * 4, 8), ==, 0);
    for (unsigned h = 0; h < 4; h++) {
        g_assert_cmpuint(f->mip[h], ==, 0);
    }
}

static void test_reset(Fixture *f, gconstpointer data)
{
    wr(f, CLINT_MSIP_BASE, 1, 4);
    wr(f, CLINT_MTIMECMP_BASE, 0, 8);
    g_assert_cmpuint(f->mip[0], ==, RISCV_MIP_MSIP | RISCV_MIP_MTIP);
    f->clock_ns += 1000;
    clint_reset(f->c);
    g_assert_cmpuint(f->mip[0], ==, 0);
    g_assert_cmpuint(rd(f, CLINT_MTIMECMP_BASE, 8), ==, UINT64_MAX);
    /* mtime is always-on: reset does not rewind it. */
    g_assert_cmpuint(rd(f, CLINT_MTIME, 8), ==, 10);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) \
    g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/clint/mtime/advances-at-10MHz", test_mtime_advances);
    ADD("/clint/mtime/guest-write", test_mtime_write);
    ADD("/clint/mtimecmp/mtip-is-a-level", test_mtimecmp_level);
    ADD("/clint/mtimecmp/passed-deadline-is-due-now",
        test_mtimecmp_passed_unraised);
    ADD("/clint/msip/bit0", test_msip);
    ADD("/clint/guest/absent-hart-ignored", test_out_of_range);
    ADD("/clint/reset", test_reset);
    return g_test_run();
}
