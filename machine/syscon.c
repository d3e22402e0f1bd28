/*
 * machine/syscon.c: test/poweroff device, see syscon.h.
 */
#include "machine/syscon.h"

#define SYSCON_REG_CTRL 0x0
#define SYSCON_STATUS_MASK 0xffff

struct SysconState {
    MemoryRegion mmio;
    SysconHandler handler;
    void *opaque;
};

static uint64_t syscon_read(void *opaque, uint64_t offset, unsigned size)
{
    return 0;
}

static void syscon_write(void *opaque, uint64_t offset, uint64_t val,
                         unsigned size)
{
    SysconState *s = opaque;

    if (offset != SYSCON_REG_CTRL) {
        return;
    }
    switch (val & SYSCON_STATUS_MASK) {
    case SYSCON_PASS:
        s->handler(s->opaque, SYSCON_ACTION_POWEROFF, 0);
        break;
    case SYSCON_RESET:
        s->handler(s->opaque, SYSCON_ACTION_RESET, 0);
        break;
    case SYSCON_FAIL:
        s->handler(s->opaque, SYSCON_ACTION_FAIL,
                   (val >> SYSCON_CODE_SHIFT) & SYSCON_STATUS_MASK);
        break;
    default:
        break;  /* anything else is ignored, as on QEMU */
    }
}

/* OpenSBI writes 16 bits, Linux 32: both work on QEMU's device. */
static const MemoryRegionOps syscon_ops = {
    .read = syscon_read,
    .write = syscon_write,
    .min_access = 2,
    .max_access = 4,
};

SysconState *syscon_new(SysconHandler handler, void *opaque)
{
    SysconState *s = g_new0(SysconState, 1);

    s->handler = handler;
    s->opaque = opaque;
    memory_region_init_io(&s->mmio, &syscon_ops, s, "syscon", SYSCON_MMIO_SIZE);
    return s;
}

void syscon_free(SysconState *s)
{
    if (s) {
        address_space_unmap_region(&s->mmio);
        g_free(s);
    }
}

MemoryRegion *syscon_get_region(SysconState *s)
{
    return &s->mmio;
}
