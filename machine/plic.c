/*
 * machine/plic.c: PLIC, see plic.h.
 */
#include <string.h>

#include "machine/plic.h"

#define PLIC_WORDS (PLIC_MAX_SOURCES / 32)

struct PlicState {
    MemoryRegion mmio;
    unsigned num_sources;
    unsigned num_contexts;
    PlicSetOutput set_output;
    void *opaque;
    uint32_t priority[PLIC_MAX_SOURCES];
    uint32_t level[PLIC_WORDS];     /* the lines as devices drive them */
    uint32_t pending[PLIC_WORDS];
    uint32_t claimed[PLIC_WORDS];   /* in service: gateway closed */
    uint32_t (*enable)[PLIC_WORDS]; /* [context][word] */
    uint32_t *threshold;
    bool *output;                   /* the level last driven per context */
};

static bool bit_test(const uint32_t *w, unsigned n)
{
    return w[n / 32] & (1u << (n % 32));
}

static void bit_assign(uint32_t *w, unsigned n, bool v)
{
    if (v) {
        w[n / 32] |= 1u << (n % 32);
    } else {
        w[n / 32] &= ~(1u << (n % 32));
    }
}

/* The source a claim by @ctx would return now, or 0. */
static unsigned plic_best(PlicState *p, unsigned ctx)
{
    unsigned best = 0, best_prio = p->threshold[ctx];

    for (unsigned w = 0; w * 32 < p->num_sources; w++) {
        uint32_t cand = p->pending[w] & ~p->claimed[w] & p->enable[ctx][w];
        while (cand) {
            unsigned n = w * 32 + __builtin_ctz(cand);
            cand &= cand - 1;
            if (p->priority[n] > best_prio) {
                best_prio = p->priority[n];
                best = n;
            }
        }
    }
    return best;
}

static void plic_update(PlicState *p)
{
    for (unsigned ctx = 0; ctx < p->num_contexts; ctx++) {
        bool level = plic_best(p, ctx) != 0;
        if (level != p->output[ctx]) {
            p->output[ctx] = level;
            p->set_output(p->opaque, ctx, level);
        }
    }
}

void plic_set_irq(void *opaque, int n, int level)
{
    PlicState *p = opaque;

    g_assert(n > 0 && (unsigned)n < p->num_sources);
    bit_assign(p->level, n, level);
    if (!bit_test(p->claimed, n)) {
        bit_assign(p->pending, n, level);
    }
    plic_update(p);
}

static uint32_t plic_claim(PlicState *p, unsigned ctx)
{
    unsigned n = plic_best(p, ctx);

    if (n) {
        bit_assign(p->pending, n, false);
        bit_assign(p->claimed, n, true);
        plic_update(p);
    }
    return n;
}

static void plic_complete(PlicState *p, unsigned ctx, uint32_t n)
{
    /* §7: a completion for a source not enabled for the context, or not
     * in service, is ignored. */
    if (n == 0 || n >= p->num_sources || !bit_test(p->enable[ctx], n) ||
        !bit_test(p->claimed, n)) {
        return;
    }
    bit_assign(p->claimed, n, false);
    if (bit_test(p->level, n)) {
        bit_assign(p->pending, n, true);
    }
    plic_update(p);
}

static uint64_t plic_read(void *opaque, uint64_t offset, unsigned size)
{
    PlicState *p = opaque;

    if (offset < PLIC_PENDING_BASE) {
        unsigned n = offset / 4;
        return n < p->num_sources ? p->priority[n] : 0;
    }
    if (offset < PLIC_ENABLE_BASE) {
        unsigned w = (offset - PLIC_PENDING_BASE) / 4;
        return w * 32 < p->num_sources ? p->pending[w] : 0;
    }
    if (offset < PLIC_CONTEXT_BASE) {
        unsigned ctx = (offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        unsigned w = (offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
        return ctx < p->num_contexts && w * 32 < p->num_sources ?
               p->enable[ctx][w] : 0;
    }
    unsigned ctx = (offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
    unsigned reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
    if (ctx >= p->num_contexts) {
        return 0;
    }
    switch (reg) {
    case PLIC_CONTEXT_THRESHOLD:
        return p->threshold[ctx];
    case PLIC_CONTEXT_CLAIM:
        return plic_claim(p, ctx);
    default:
        return 0;
    }
}

static void plic_write(void *opaque, uint64_t offset, uint64_t val,
                       unsigned size)
{
    PlicState *p = opaque;

    if (offset < PLIC_PENDING_BASE) {
        unsigned n = offset / 4;
        if (n > 0 && n < p->num_sources) {
            p->priority[n] = val & PLIC_PRIORITY_MASK;
            plic_update(p);
        }
        return;
    }
    if (offset < PLIC_ENABLE_BASE) {
        return;     /* pending bits are read-only */
    }
    if (offset < PLIC_CONTEXT_BASE) {
        unsigned ctx = (offset - PLIC_ENABLE_BASE) / PLIC_ENABLE_STRIDE;
        unsigned w = (offset - PLIC_ENABLE_BASE) % PLIC_ENABLE_STRIDE / 4;
        if (ctx < p->num_contexts && w * 32 < p->num_sources) {
            uint32_t v = val;
            if (w == 0) {
                v &= ~1u;   /* source 0 does not exist */
            }
            if ((w + 1) * 32 > p->num_sources) {
                v &= (1u << (p->num_sources % 32)) - 1;
            }
            p->enable[ctx][w] = v;
            plic_update(p);
        }
        return;
    }
    unsigned ctx = (offset - PLIC_CONTEXT_BASE) / PLIC_CONTEXT_STRIDE;
    unsigned reg = (offset - PLIC_CONTEXT_BASE) % PLIC_CONTEXT_STRIDE;
    if (ctx >= p->num_contexts) {
        return;
    }
    switch (reg) {
    case PLIC_CONTEXT_THRESHOLD:
        p->threshold[ctx] = val & PLIC_PRIORITY_MASK;
        plic_update(p);
        break;
    case PLIC_CONTEXT_CLAIM:
        plic_complete(p, ctx, val);
        break;
    default:
        break;
    }
}

static const MemoryRegionOps plic_ops = {
    .read = plic_read,
    .write = plic_write,
    .min_access = 4,
    .max_access = 4,
};

PlicState *plic_new(unsigned num_sources, unsigned num_contexts,
                    PlicSetOutput set_output, void *opaque)
{
    g_assert(num_sources >= 2 && num_sources <= PLIC_MAX_SOURCES);
    g_assert(num_contexts >= 1 && num_contexts <= PLIC_MAX_CONTEXTS);
    PlicState *p = g_new0(PlicState, 1);

    p->num_sources = num_sources;
    p->num_contexts = num_contexts;
    p->set_output = set_output;
    p->opaque = opaque;
    p->enable = g_malloc0_n(num_contexts, sizeof(*p->enable));
    p->threshold = g_new0(uint32_t, num_contexts);
    p->output = g_new0(bool, num_contexts);
    memory_region_init_io(&p->mmio, &plic_ops, p, "plic", PLIC_MMIO_SIZE);
    return p;
}

void plic_reset(PlicState *p)
{
    memset(p->priority, 0, sizeof(p->priority));
    memset(p->claimed, 0, sizeof(p->claimed));
    memcpy(p->pending, p->level, sizeof(p->pending));
    memset(p->enable, 0, sizeof(p->enable[0]) * p->num_contexts);
    memset(p->threshold, 0, sizeof(p->threshold[0]) * p->num_contexts);
    for (unsigned ctx = 0; ctx < p->num_contexts; ctx++) {
        p->output[ctx] = false;
        p->set_output(p->opaque, ctx, false);
    }
}

void plic_free(PlicState *p)
{
    if (p) {
        address_space_unmap_region(&p->mmio);
        g_free(p->enable);
        g_free(p->threshold);
        g_free(p->output);
        g_free(p);
    }
}

MemoryRegion *plic_get_region(PlicState *p)
{
    return &p->mmio;
}
