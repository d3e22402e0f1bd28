/*
 * tests/unit/test-plic.c: the PLIC through its registers: priorities,
 * thresholds, per-context enables, claim/complete and level semantics.
 */
#include "machine/plic.h"

#define NSRC 97     /* sources 1..96, as on the virt board */
#define NCTX 4      /* two harts: M and S contexts each */

typedef struct Fixture {
    bool out[NCTX];
    unsigned changes;
    PlicState *p;
    const MemoryRegionOps *ops;
    void *opaque;
} Fixture;

static void record(void *opaque, unsigned ctx, bool level)
{
    Fixture *f = opaque;
    g_assert_cmpuint(ctx, <, NCTX);
    f->out[ctx] = level;
    f->changes++;
}

static void setup(Fixture *f, gconstpointer data)
{
    f->p = plic_new(NSRC, NCTX, record, f);
    f->ops = plic_get_region(f->p)->ops;
    f->opaque = plic_get_region(f->p)->opaque;
}

static void teardown(Fixture *f, gconstpointer data)
{
    plic_free(f->p);
}

static uint32_t rd(Fixture *f, uint64_t off)
{
    return f->ops->read(f->opaque, off, 4);
}

static void wr(Fixture *f, uint64_t off, uint32_t v)
{
    f->ops->write(f->opaque, off, v, 4);
}

static void set_prio(Fixture *f, unsigned src, uint32_t prio)
{
    wr(f, PLIC_PRIORITY_BASE + 4 * src, prio);
}

static void enable(Fixture *f, unsigned ctx, unsigned src)
{
    uint64_t off = PLIC_ENABLE_BASE + PLIC_ENABLE_STRIDE * ctx + 4 * (src / 32);
    wr(f, off, rd(f, off) | (1u << (src % 32)));
}

static uint64_t ctx_reg(unsigned ctx, unsigned reg)
{
    return PLIC_CONTEXT_BASE + PLIC_CONTEXT_STRIDE * ctx + reg;
}

static uint32_t claim(Fixture *f, unsigned ctx)
{
    return rd(f, ctx_reg(ctx, PLIC_CONTEXT_CLAIM));
}

static void complete(Fixture *f, unsigned ctx, uint32_t src)
{
    wr(f, ctx_reg(ctx, PLIC_CONTEXT_CLAIM), src);
}

static void test_priority_order(Fixture *f, gconstpointer data)
{
    set_prio(f, 3, 1);
    set_prio(f, 5, 5);
    set_prio(f, 40, 5);     /* same priority as 5: the lower id wins */
    enable(f, 1, 3);
    enable(f, 1, 5);
    enable(f, 1, 40);
    plic_set_irq(f->p, 3, 1);
    plic_set_irq(f->p, 40, 1);
    plic_set_irq(f->p, 5, 1);
    g_assert_true(f->out[1]);
    g_assert_false(f->out[0]);
    g_assert_cmphex(rd(f, PLIC_PENDING_BASE), ==, (1u << 3) | (1u << 5));
    g_assert_cmphex(rd(f, PLIC_PENDING_BASE + 4), ==, 1u << (40 - 32));

    g_assert_cmpuint(claim(f, 1), ==, 5);
    g_assert_cmpuint(claim(f, 1), ==, 40);
    g_assert_cmpuint(claim(f, 1), ==, 3);
    g_assert_false(f->out[1]);      /* everything is in service */
    g_assert_cmpuint(claim(f, 1), ==, 0);
    g_assert_cmphex(rd(f, PLIC_PENDING_BASE), ==, 0);
}

static void test_threshold(Fixture *f, gconstpointer data)
{
    set_prio(f, 7, 2);
    enable(f, 0, 7);
    wr(f, ctx_reg(0, PLIC_CONTEXT_THRESHOLD), 2);
    g_assert_cmpuint(rd(f, ctx_reg(0, PLIC_CONTEXT_THRESHOLD)), ==, 2);
    plic_set_irq(f->p, 7, 1);
    /* Only priorities strictly above the threshold interrupt. */
    g_assert_false(f->out[0]);
    g_assert_cmpuint(claim(f, 0), ==, 0);
    wr(f, ctx_reg(0, PLIC_CONTEXT_THRESHOLD), 1);
    g_assert_true(f->out[0]);
    /* Priority 0 never interrupts. */
    set_prio(f, 7, 0);
    g_assert_false(f->out[0]);
    /* Priorities are 3 bits wide. */
    set_prio(f, 7, 0xff);
    g_assert_cmpuint(rd(f, PLIC_PRIORITY_BASE + 4 * 7), ==, PLIC_PRIORITY_MASK);
}

static void test_per_context_enable(Fixture *f, gconstpointer data)
{
    set_prio(f, 10, 1);
    enable(f, 2, 10);
    plic_set_irq(f->p, 10, 1);
    g_assert_true(f->out[2]);
    g_assert_false(f->out[0]);
    g_assert_false(f->out[1]);
    g_assert_false(f->out[3]);
    g_assert_cmpuint(claim(f, 3), ==, 0);   /* not enabled there */
    g_assert_cmpuint(claim(f, 2), ==, 10);
}

static void test_level_rearm(Fixture *f, gconstpointer data)
{
    set_prio(f, 10, 1);
    enable(f, 1, 10);
    plic_set_irq(f->p, 10, 1);
    g_assert_cmpuint(claim(f, 1), ==, 10);
    /* Gateway closed while in service, though the line stays high. */
    plic_set_irq(f->p, 10, 1);
    g_assert_false(f->out[1]);
    g_assert_cmpuint(claim(f, 1), ==, 0);
    /* Completing with the line still high: pending again at once. */
    complete(f, 1, 10);
    g_assert_true(f->out[1]);
    g_assert_cmpuint(claim(f, 1), ==, 10);
    /* The device lowers its line before completion: nothing afterwards. */
    plic_set_irq(f->p, 10, 0);
    complete(f, 1, 10);
    g_assert_false(f->out[1]);
    g_assert_cmpuint(claim(f, 1), ==, 0);
}

static void test_level_drops_before_claim(Fixture *f, gconstpointer data)
{
    set_prio(f, 10, 1);
    enable(f, 1, 10);
    plic_set_irq(f->p, 10, 1);
    g_assert_true(f->out[1]);
    plic_set_irq(f->p, 10, 0);
    g_assert_false(f->out[1]);
    g_assert_cmpuint(claim(f, 1), ==, 0);
}

static void test_hostile_guest(Fixture *f, gconstpointer data)
{
    /* Source 0 does not exist: its priority and enable bit stay 0. */
    set_prio(f, 0, 7);
    g_assert_cmpuint(rd(f, PLIC_PRIORITY_BASE), ==, 0);
    wr(f, PLIC_ENABLE_BASE, 0xffffffff);
    g_assert_cmphex(rd(f, PLIC_ENABLE_BASE), ==, 0xfffffffe);
    /* Sources past 96: enable bits masked, priorities ignored. */
    wr(f, PLIC_ENABLE_BASE + 12, 0xffffffff);
    g_assert_cmphex(rd(f, PLIC_ENABLE_BASE + 12), ==, 1);   /* source 96 */
    set_prio(f, 200, 3);
    g_assert_cmpuint(rd(f, PLIC_PRIORITY_BASE + 4 * 200), ==, 0);
    /* Contexts beyond the last: ignored, read 0. */
    wr(f, ctx_reg(NCTX, PLIC_CONTEXT_THRESHOLD), 5);
    g_assert_cmpuint(rd(f, ctx_reg(NCTX, PLIC_CONTEXT_THRESHOLD)), ==, 0);
    g_assert_cmpuint(claim(f, NCTX + 100), ==, 0);
    /* Completing what was never claimed, or an absurd id, changes nothing. */
    set_prio(f, 9, 1);
    enable(f, 0, 9);
    plic_set_irq(f->p, 9, 1);
    unsigned changes = f->changes;
    complete(f, 0, 9);
    complete(f, 0, 0xffffffff);
    complete(f, 1, 9);
    g_assert_cmpuint(f->changes, ==, changes);
    g_assert_cmpuint(claim(f, 0), ==, 9);
    /* A completion from a context where the source is not enabled is
     * ignored (PLIC spec): it stays in service. */
    complete(f, 1, 9);
    g_assert_cmpuint(claim(f, 0), ==, 0);
    complete(f, 0, 9);
    g_assert_cmpuint(claim(f, 0), ==, 9);
}

static void test_reset(Fixture *f, gconstpointer data)
{
    set_prio(f, 10, 1);
    enable(f, 0, 10);
    plic_set_irq(f->p, 10, 1);
    g_assert_true(f->out[0]);
    plic_reset(f->p);
    g_assert_false(f->out[0]);
    g_assert_cmpuint(rd(f, PLIC_PRIORITY_BASE + 40), ==, 0);
    g_assert_cmphex(rd(f, PLIC_ENABLE_BASE), ==, 0);
    /* The line is still high: pending survives, as the device still asks. */
    g_assert_cmphex(rd(f, PLIC_PENDING_BASE), ==, 1u << 10);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/plic/claim/highest-priority-first", test_priority_order);
    ADD("/plic/threshold/strictly-above", test_threshold);
    ADD("/plic/enable/per-context", test_per_context_enable);
    ADD("/plic/level/complete-rearms", test_level_rearm);
    ADD("/plic/level/drop-before-claim", test_level_drops_before_claim);
    ADD("/plic/guest/hostile-accesses", test_hostile_guest);
    ADD("/plic/reset", test_reset);
    return g_test_run();
}
