/*
 * hw/core/memory.h: address spaces, MMIO regions and checked guest-RAM access.
 *
 * An AddressSpace holds one block of RAM and a set of non-overlapping MMIO
 * regions.  The CPU and the board dispatch physical accesses through it;
 * devices reach guest RAM only through the dma_memory_* accessors below,
 * which check every address and length the guest handed them, so a device
 * can never touch host memory outside guest RAM.
 *
 * Threads: the main thread (minivirt runs vCPUs and devices in one thread).
 */
#ifndef HW_CORE_MEMORY_H
#define HW_CORE_MEMORY_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct AddressSpace AddressSpace;

/*
 * MemoryRegionOps: a device's register file.
 * @read/@write are mandatory.  @offset is relative to the region's base and
 * @size is 1, 2, 4 or 8.  Accesses outside [@min_access, @max_access]
 * (0 = no bound) or that cross the region's end are refused before the
 * hooks see them: reads return all ones, writes are dropped, the same as an
 * unassigned address (so a misbehaving guest cannot reach past a region).
 */
typedef struct MemoryRegionOps {
    uint64_t (*read)(void *opaque, uint64_t offset, unsigned size);
    void (*write)(void *opaque, uint64_t offset, uint64_t value, unsigned size);
    unsigned min_access;
    unsigned max_access;
} MemoryRegionOps;

typedef struct MemoryRegion {
    const char *name;
    const MemoryRegionOps *ops;
    void *opaque;
    uint64_t size;
    /* Set while mapped. */
    AddressSpace *as;
    uint64_t addr;
} MemoryRegion;

/*
 * Called after the guest's RAM in [addr, addr+len) was written by someone
 * other than the CPU's own stores (device DMA, the loader), so that the CPU
 * can drop translations it cached from that memory.
 */
typedef void (*RamWriteNotify)(void *opaque, uint64_t addr, uint64_t len);

struct AddressSpace {
    const char *name;
    uint8_t *ram;           /* host memory backing guest RAM, or NULL */
    uint64_t ram_base;
    uint64_t ram_size;
    GPtrArray *regions;     /* MemoryRegion *, sorted by addr */
    RamWriteNotify notify;
    void *notify_opaque;
};

/* A region of @size bytes served by @ops.  Not mapped yet. */
void memory_region_init_io(MemoryRegion *mr, const MemoryRegionOps *ops,
                           void *opaque, const char *name, uint64_t size);

/*
 * address_space_init / _destroy: an empty space.  _destroy unmaps every
 * region (it does not free the RAM, which belongs to whoever set it).
 */
void address_space_init(AddressSpace *as, const char *name);
void address_space_destroy(AddressSpace *as);

/* Back guest [@base, @base+@size) with host memory @host (not owned). */
void address_space_set_ram(AddressSpace *as, uint8_t *host, uint64_t base,
                           uint64_t size);

/* Register the hook for non-CPU writes to RAM (one per space). */
void address_space_set_ram_notify(AddressSpace *as, RamWriteNotify fn,
                                  void *opaque);

/*
 * address_space_map_region: map @mr at @addr.  Fails (MV_ERROR_INVALID) if
 * it overlaps RAM or another region, wraps past 2^64, or is already mapped.
 * address_space_unmap_region: undo it; a no-op for an unmapped region.
 * Devices remap their BARs with these as the guest programs them.
 */
bool address_space_map_region(AddressSpace *as, MemoryRegion *mr, uint64_t addr,
                              GError **errp);
void address_space_unmap_region(MemoryRegion *mr);

/* The region containing @addr and the offset into it, or NULL. */
MemoryRegion *address_space_find_region(AddressSpace *as, uint64_t addr,
                                        uint64_t *offset);

/*
 * address_space_read / _write: one aligned or unaligned access of @size
 * (1, 2, 4, 8) bytes at @addr, to RAM or to a region.  Returns false for
 * an unassigned address (a bus error); then a read yields all ones.
 * Little-endian, as the guest sees it.
 */
bool address_space_read(AddressSpace *as, uint64_t addr, unsigned size,
                        uint64_t *val);
bool address_space_write(AddressSpace *as, uint64_t addr, unsigned size,
                         uint64_t val);

/*
 * dma_memory_valid: whether [@addr, @addr+@len) lies wholly inside guest
 * RAM (computed without overflow).  @len 0 is valid anywhere in RAM.
 */
bool dma_memory_valid(const AddressSpace *as, uint64_t addr, uint64_t len);

/*
 * dma_memory_read / _write: copy between guest RAM and @buf.  Returns false,
 * touching nothing, if the range is not wholly in RAM.  A write notifies the
 * RAM-write hook.
 */
bool dma_memory_read(const AddressSpace *as, uint64_t addr, void *buf,
                     size_t len);
bool dma_memory_write(AddressSpace *as, uint64_t addr, const void *buf,
                      size_t len);

/*
 * dma_memory_map: a host pointer to guest [@addr, @addr+@len), or NULL if
 * that is not wholly in RAM.  For zero-copy I/O between guest buffers and
 * host file descriptors.  A mapping for writing must be closed with
 * dma_memory_unmap, which notifies the RAM-write hook for @written bytes.
 */
void *dma_memory_map(AddressSpace *as, uint64_t addr, uint64_t len,
                     bool is_write);
void dma_memory_unmap(AddressSpace *as, void *ptr, uint64_t len, bool is_write,
                      uint64_t written);

/* Little-endian loads and stores of guest RAM; false if out of RAM. */
bool dma_load16(const AddressSpace *as, uint64_t addr, uint16_t *val);
bool dma_load32(const AddressSpace *as, uint64_t addr, uint32_t *val);
bool dma_load64(const AddressSpace *as, uint64_t addr, uint64_t *val);
bool dma_store16(AddressSpace *as, uint64_t addr, uint16_t val);
bool dma_store32(AddressSpace *as, uint64_t addr, uint32_t val);

#endif /* HW_CORE_MEMORY_H */
