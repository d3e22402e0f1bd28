/*
 * hw/core/memory.c: address spaces, MMIO dispatch and checked RAM access.
 */
#include <string.h>

#include "hw/core/memory.h"
#include "qom/error.h"

void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size)
{
    g_assert(ops && ops->read && ops->write && size);
    *mr = (MemoryRegion) {
        .name = name, .ops = ops, .opaque = opaque, .size = size,
    };
}

void address_space_init(AddressSpace *as, const char *name)
{
    *as = (AddressSpace) { .name = name, .regions = g_ptr_array_new() };
}

void address_space_destroy(AddressSpace *as)
{
    while (as->regions && as->regions->len) {
        address_space_unmap_region(g_ptr_array_index(as->regions, 0));
    }
    g_clear_pointer(&as->regions, g_ptr_array_unref);
}

void address_space_set_ram(AddressSpace *as, uint8_t *host, uint64_t base,
                           uint64_t size)
{
    as->ram = host;
    as->ram_base = base;
    as->ram_size = size;
}

void address_space_set_ram_notify(AddressSpace *as, RamWriteNotify fn,
                                  void *opaque)
{
    as->notify = fn;
    as->notify_opaque = opaque;
}

/* [a, a+alen) and [b, b+blen) overlap; lengths are non-zero, no wrap. */
static bool ranges_overlap(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
    return a <= b + (blen - 1) && b <= a + (alen - 1);
}

bool address_space_map_region(AddressSpace *as, MemoryRegion *mr, uint64_t addr,
                              GError **errp)
{
    if (mr->as) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Region '%s' is already mapped", mr->name);
        return false;
    }
    if (addr + (mr->size - 1) < addr) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Region '%s' at 0x%" G_GINT64_MODIFIER "x wraps around",
                    mr->name, addr);
        return false;
    }
    if (as->ram_size && ranges_overlap(addr, mr->size, as->ram_base,
                                       as->ram_size)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "Region '%s' at 0x%" G_GINT64_MODIFIER "x overlaps RAM",
                    mr->name, addr);
        return false;
    }
    unsigned pos = 0;
    for (; pos < as->regions->len; pos++) {
        MemoryRegion *o = g_ptr_array_index(as->regions, pos);
        if (ranges_overlap(addr, mr->size, o->addr, o->size)) {
            g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                        "Region '%s' at 0x%" G_GINT64_MODIFIER "x overlaps '%s'",
                        mr->name, addr, o->name);
            return false;
        }
        if (o->addr > addr) {
            break;
        }
    }
    g_ptr_array_insert(as->regions, pos, mr);
    mr->as = as;
    mr->addr = addr;
    return true;
}

void address_space_unmap_region(MemoryRegion *mr)
{
    if (mr->as) {
        g_ptr_array_remove(mr->as->regions, mr);
        mr->as = NULL;
    }
}

MemoryRegion *address_space_find_region(AddressSpace *as, uint64_t addr,
                                        uint64_t *offset)
{
    /* Binary search: the array is sorted and the regions do not overlap. */
    unsigned lo = 0, hi = as->regions->len;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        MemoryRegion *mr = g_ptr_array_index(as->regions, mid);
        if (addr < mr->addr) {
            hi = mid;
        } else if (addr - mr->addr >= mr->size) {
            lo = mid + 1;
        } else {
            *offset = addr - mr->addr;
            return mr;
        }
    }
    return NULL;
}

static bool access_ok(const MemoryRegion *mr, uint64_t offset, unsigned size)
{
    const MemoryRegionOps *ops = mr->ops;
    if ((ops->min_access && size < ops->min_access) ||
        (ops->max_access && size > ops->max_access)) {
        return false;
    }
    return size <= mr->size && offset <= mr->size - size;
}

bool address_space_read(AddressSpace *as, uint64_t addr, unsigned size,
                        uint64_t *val)
{
    uint64_t off;
    if (dma_memory_valid(as, addr, size)) {
        uint64_t v = 0;
        memcpy(&v, as->ram + (addr - as->ram_base), size);
        *val = GUINT64_FROM_LE(v);
        return true;
    }
    MemoryRegion *mr = address_space_find_region(as, addr, &off);
    if (!mr) {
        *val = ~0ull;
        return false;
    }
    if (!access_ok(mr, off, size)) {
        *val = size == 8 ? ~0ull : (1ull << (size * 8)) - 1;
        return true;
    }
    *val = mr->ops->read(mr->opaque, off, size);
    if (size < 8) {
        *val &= (1ull << (size * 8)) - 1;
    }
    return true;
}

bool address_space_write(AddressSpace *as, uint64_t addr, unsigned size,
                         uint64_t val)
{
    uint64_t off;
    if (dma_memory_valid(as, addr, size)) {
        uint64_t v = GUINT64_TO_LE(val);
        memcpy(as->ram + (addr - as->ram_base), &v, size);
        return true;
    }
    MemoryRegion *mr = address_space_find_region(as, addr, &off);
    if (!mr) {
        return false;
    }
    if (access_ok(mr, off, size)) {
        if (size < 8) {
            val &= (1ull << (size * 8)) - 1;
        }
        mr->ops->write(mr->opaque, off, val, size);
    }
    return true;
}

bool dma_memory_valid(const AddressSpace *as, uint64_t addr, uint64_t len)
{
    if (!as->ram || addr < as->ram_base) {
        return false;
    }
    uint64_t off = addr - as->ram_base;
    return off <= as->ram_size && len <= as->ram_size - off &&
           (len || off < as->ram_size);
}

bool dma_memory_read(const AddressSpace *as, uint64_t addr, void *buf,
                     size_t len)
{
    if (!dma_memory_valid(as, addr, len)) {
        return false;
    }
    memcpy(buf, as->ram + (addr - as->ram_base), len);
    return true;
}

static void notify_write(AddressSpace *as, uint64_t addr, uint64_t len)
{
    if (as->notify && len) {
        as->notify(as->notify_opaque, addr, len);
    }
}

bool dma_memory_write(AddressSpace *as, uint64_t addr, const void *buf,
                      size_t len)
{
    if (!dma_memory_valid(as, addr, len)) {
        return false;
    }
    memcpy(as->ram + (addr - as->ram_base), buf, len);
    notify_write(as, addr, len);
    return true;
}

void *dma_memory_map(AddressSpace *as, uint64_t addr, uint64_t len,
                     bool is_write)
{
    if (!dma_memory_valid(as, addr, len)) {
        return NULL;
    }
    /* Drop cached code now too: the bytes may land before unmap is called. */
    if (is_write) {
        notify_write(as, addr, len);
    }
    return as->ram + (addr - as->ram_base);
}

void dma_memory_unmap(AddressSpace *as, void *ptr, uint64_t len, bool is_write,
                      uint64_t written)
{
    if (is_write && ptr) {
        uint64_t addr = (uint64_t)((uint8_t *)ptr - as->ram) + as->ram_base;
        notify_write(as, addr, MIN(len, written));
    }
}

#define DEFINE_DMA_LOAD(bits)                                                 \
bool dma_load##bits(const AddressSpace *as, uint64_t addr, uint##bits##_t *v) \
{                                                                             \
    uint##bits##_t raw;                                                       \
    if (!dma_memory_read(as, addr, &raw, sizeof(raw))) {                      \
        return false;                                                         \
    }                                                                         \
    *v = GUINT##bits##_FROM_LE(raw);                                          \
    return true;                                                              \
}
DEFINE_DMA_LOAD(16)
DEFINE_DMA_LOAD(32)
DEFINE_DMA_LOAD(64)

#define DEFINE_DMA_STORE(bits)                                                \
bool dma_store##bits(AddressSpace *as, uint64_t addr, uint##bits##_t v)       \
{                                                                             \
    uint##bits##_t raw = GUINT##bits##_TO_LE(v);                              \
    return dma_memory_write(as, addr, &raw, sizeof(raw));                     \
}
DEFINE_DMA_STORE(16)
DEFINE_DMA_STORE(32)
