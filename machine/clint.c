/*
 * machine/clint.c: CLINT (msip, mtimecmp, mtime), see clint.h.
 */
#include <time.h>

#include "machine/clint.h"
#include "machine/cpu.h"

struct ClintState {
    MemoryRegion mmio;
    unsigned nharts;
    ClintSetMip set_mip;
    ClintClock clock;
    void *opaque;
    uint64_t epoch_ns;          /* host time at which mtime was 0 ... */
    uint64_t mtime_offset;      /* ... plus what guest writes to mtime added */
    uint32_t msip[CLINT_MAX_HARTS];
    uint64_t mtimecmp[CLINT_MAX_HARTS];
    bool mtip[CLINT_MAX_HARTS]; /* the level last driven */
};

static uint64_t clint_host_ns(ClintState *c)
{
    if (c->clock) {
        return c->clock(c->opaque);
    }
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

uint64_t clint_get_mtime(ClintState *c)
{
    return (clint_host_ns(c) - c->epoch_ns) / CLINT_NS_PER_TICK +
           c->mtime_offset;
}

static void clint_update_hart(ClintState *c, unsigned h, uint64_t now)
{
    bool level = now >= c->mtimecmp[h];

    if (level != c->mtip[h]) {
        c->mtip[h] = level;
        c->set_mip(c->opaque, h, RISCV_MIP_MTIP, level);
    }
}

void clint_update(ClintState *c)
{
    uint64_t now = clint_get_mtime(c);

    for (unsigned h = 0; h < c->nharts; h++) {
        clint_update_hart(c, h, now);
    }
}

int64_t clint_next_deadline_ns(ClintState *c)
{
    uint64_t now = clint_get_mtime(c);
    uint64_t best = UINT64_MAX;

    for (unsigned h = 0; h < c->nharts; h++) {
        /* All ones is how software disarms the timer. */
        if (c->mtimecmp[h] == UINT64_MAX || c->mtip[h]) {
            continue;
        }
        /* Reached since the last clint_update() but MTIP not raised yet:
         * due now (0), so the board does not sleep without a deadline. */
        best = MIN(best, c->mtimecmp[h] > now ? c->mtimecmp[h] - now : 0);
    }
    if (best == UINT64_MAX) {
        return -1;
    }
    return best > (uint64_t)INT64_MAX / CLINT_NS_PER_TICK ?
           INT64_MAX : (int64_t)(best * CLINT_NS_PER_TICK);
}

/* Merge a 4- or 8-byte write at byte @shift of a 64-bit register. */
static uint64_t deposit(uint64_t old, unsigned shift, unsigned size,
                        uint64_t val)
{
    uint64_t mask = size == 8 ? UINT64_MAX : ((1ull << (size * 8)) - 1);
    return (old & ~(mask << (shift * 8))) | ((val & mask) << (shift * 8));
}

static uint64_t clint_read(void *opaque, uint64_t offset, unsigned size)
{
    ClintState *c = opaque;
    uint64_t reg;
    unsigned shift = offset & 7;

    if (offset < CLINT_MSIP_BASE + 4 * c->nharts) {
        return size == 4 && !(offset & 3) ? c->msip[offset / 4] : 0;
    }
    if (offset >= CLINT_MTIMECMP_BASE &&
        offset < CLINT_MTIMECMP_BASE + 8 * c->nharts) {
        reg = c->mtimecmp[(offset - CLINT_MTIMECMP_BASE) / 8];
    } else if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
        reg = clint_get_mtime(c);
    } else {
        return 0;
    }
    reg >>= shift * 8;
    return size == 8 ? reg : reg & ((1ull << (size * 8)) - 1);
}

static void clint_write(void *opaque, uint64_t offset, uint64_t val,
                        unsigned size)
{
    ClintState *c = opaque;
    unsigned shift = offset & 7;

    if (offset < CLINT_MSIP_BASE + 4 * c->nharts) {
        if (size == 4 && !(offset & 3)) {
            unsigned h = offset / 4;
            c->msip[h] = val & 1;
            c->set_mip(c->opaque, h, RISCV_MIP_MSIP, c->msip[h]);
        }
        return;
    }
    if (size < 4 || shift + size > 8) {
        return;     /* the 64-bit registers take 4- and 8-byte accesses */
    }
    if (offset >= CLINT_MTIMECMP_BASE &&
        offset < CLINT_MTIMECMP_BASE + 8 * c->nharts) {
        unsigned h = (offset - CLINT_MTIMECMP_BASE) / 8;
        c->mtimecmp[h] = deposit(c->mtimecmp[h], shift, size, val);
        clint_update_hart(c, h, clint_get_mtime(c));
    } else if (offset >= CLINT_MTIME && offset < CLINT_MTIME + 8) {
        uint64_t now = clint_get_mtime(c);
        uint64_t want = deposit(now, shift, size, val);
        c->mtime_offset += want - now;
        clint_update(c);
    }
}

static const MemoryRegionOps clint_ops = {
    .read = clint_read,
    .write = clint_write,
    .min_access = 4,
    .max_access = 8,
};

ClintState *clint_new(unsigned nharts, ClintSetMip set_mip, ClintClock clock,
                      void *opaque)
{
    g_assert(nharts >= 1 && nharts <= CLINT_MAX_HARTS && set_mip);
    ClintState *c = g_new0(ClintState, 1);

    c->nharts = nharts;
    c->set_mip = set_mip;
    c->clock = clock;
    c->opaque = opaque;
    c->epoch_ns = clint_host_ns(c);
    memory_region_init_io(&c->mmio, &clint_ops, c, "clint", CLINT_MMIO_SIZE);
    clint_reset(c);
    return c;
}

void clint_reset(ClintState *c)
{
    for (unsigned h = 0; h < c->nharts; h++) {
        c->msip[h] = 0;
        c->mtimecmp[h] = UINT64_MAX;
        c->mtip[h] = false;
        c->set_mip(c->opaque, h, RISCV_MIP_MSIP | RISCV_MIP_MTIP, false);
    }
}

void clint_free(ClintState *c)
{
    if (c) {
        address_space_unmap_region(&c->mmio);
        g_free(c);
    }
}

MemoryRegion *clint_get_region(ClintState *c)
{
    return &c->mmio;
}
