/*
 * test-memory: MMIO dispatch and the checked guest-RAM accessors that
 * stand between a hostile guest and host memory.
 */
#include <string.h>

#include "hw/core/memory.h"
#include "qom/error.h"

typedef struct Regs {
    uint64_t last_off, last_val;
    unsigned last_size, writes;
} Regs;

static uint64_t regs_read(void *opaque, uint64_t off, unsigned size)
{
    return 0x1122334455667788ull + off;
}

static void regs_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    Regs *r = opaque;
    r->last_off = off;
    r->last_val = val;
    r->last_size = size;
    r->writes++;
}

static const MemoryRegionOps regs_ops = {
    .read = regs_read, .write = regs_write, .min_access = 4, .max_access = 4,
};

typedef struct Fixture {
    AddressSpace as;
    uint8_t ram[4096];
    Regs regs;
    MemoryRegion mr;
    uint64_t notified_addr, notified_len;
} Fixture;

static void notify(void *opaque, uint64_t addr, uint64_t len)
{
    Fixture *f = opaque;
    f->notified_addr = addr;
    f->notified_len = len;
}

static void fixture_setup(Fixture *f, gconstpointer data)
{
    memset(f, 0, sizeof(*f));
    address_space_init(&f->as, "test");
    address_space_set_ram(&f->as, f->ram, 0x80000000, sizeof(f->ram));
    address_space_set_ram_notify(&f->as, notify, f);
    memory_region_init_io(&f->mr, &regs_ops, &f->regs, "regs", 0x100);
    g_assert_true(address_space_map_region(&f->as, &f->mr, 0x10000000, NULL));
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    address_space_destroy(&f->as);
}

static void test_dispatch(Fixture *f, gconstpointer data)
{
    uint64_t v;
    g_assert_true(address_space_read(&f->as, 0x10000010, 4, &v));
    g_assert_cmphex(v, ==, 0x55667798);   /* truncated to the access size */
    g_assert_true(address_space_write(&f->as, 0x10000020, 4, 0xabcdef01));
    g_assert_cmphex(f->regs.last_off, ==, 0x20);
    g_assert_cmphex(f->regs.last_val, ==, 0xabcdef01);

    /* Sizes the region refuses, and accesses crossing its end, never
     * reach the device: reads float high, writes vanish. */
    g_assert_true(address_space_read(&f->as, 0x10000010, 1, &v));
    g_assert_cmphex(v, ==, 0xff);
    g_assert_true(address_space_write(&f->as, 0x100000fe, 4, 1));
    g_assert_cmpuint(f->regs.writes, ==, 1);

    /* Unassigned: a bus error. */
    g_assert_false(address_space_read(&f->as, 0x20000000, 4, &v));
    g_assert_cmphex(v, ==, ~0ull);
    g_assert_false(address_space_write(&f->as, 0x20000000, 4, 1));

    /* RAM is little-endian. */
    g_assert_true(address_space_write(&f->as, 0x80000008, 8, 0x0102030405060708ull));
    g_assert_cmpuint(f->ram[8], ==, 0x08);
    g_assert_true(address_space_read(&f->as, 0x8000000a, 2, &v));
    g_assert_cmphex(v, ==, 0x0506);
}

static void test_map_errors(Fixture *f, gconstpointer data)
{
    MemoryRegion a, b, c;
    g_autoptr(GError) err = NULL;
    memory_region_init_io(&a, &regs_ops, NULL, "a", 0x100);
    memory_region_init_io(&b, &regs_ops, NULL, "b", 0x1000);
    memory_region_init_io(&c, &regs_ops, NULL, "c", 0x1000);

    g_assert_false(address_space_map_region(&f->as, &a, 0x100000ff, &err));
    g_assert_cmpstr(err->message, ==, "Region 'a' at 0x100000ff overlaps 'regs'");
    g_clear_error(&err);
    g_assert_false(address_space_map_region(&f->as, &b, 0x80000800, &err));
    g_assert_cmpstr(err->message, ==, "Region 'b' at 0x80000800 overlaps RAM");
    g_clear_error(&err);
    g_assert_false(address_space_map_region(&f->as, &c, UINT64_MAX - 0x10, &err));
    g_assert_nonnull(strstr(err->message, "wraps"));
    g_clear_error(&err);

    /* Below, between and after: lookups find each. */
    g_assert_true(address_space_map_region(&f->as, &a, 0x0fffff00, NULL));
    g_assert_true(address_space_map_region(&f->as, &b, 0x30000000, NULL));
    uint64_t off;
    g_assert_true(address_space_find_region(&f->as, 0x0fffffff, &off) == &a);
    g_assert_cmphex(off, ==, 0xff);
    g_assert_true(address_space_find_region(&f->as, 0x10000000, &off) == &f->mr);
    g_assert_true(address_space_find_region(&f->as, 0x30000fff, &off) == &b);
    g_assert_null(address_space_find_region(&f->as, 0x30001000, &off));
    address_space_unmap_region(&b);
    g_assert_null(address_space_find_region(&f->as, 0x30000000, &off));
    /* Remapping at a new address (a BAR move) works after unmap. */
    g_assert_true(address_space_map_region(&f->as, &b, 0x40000000, NULL));
    address_space_unmap_region(&a);
    address_space_unmap_region(&b);
}

static void test_dma_bounds(Fixture *f, gconstpointer data)
{
    uint8_t buf[16] = { 0 };
    g_assert_true(dma_memory_valid(&f->as, 0x80000000, 4096));
    g_assert_true(dma_memory_valid(&f->as, 0x80000fff, 1));
    g_assert_false(dma_memory_valid(&f->as, 0x80000fff, 2));
    g_assert_false(dma_memory_valid(&f->as, 0x7fffffff, 1));
    g_assert_false(dma_memory_valid(&f->as, 0x80000000, 4097));
    /* A length chosen to wrap the address space is refused. */
    g_assert_false(dma_memory_valid(&f->as, 0x80000010, UINT64_MAX - 8));
    g_assert_false(dma_memory_valid(&f->as, UINT64_MAX, 2));
    g_assert_false(dma_memory_valid(&f->as, 0x80001000, 0));

    g_assert_false(dma_memory_read(&f->as, 0x80000ff8, buf, 16));
    g_assert_false(dma_memory_write(&f->as, 0x80000ff8, buf, 16));
    g_assert_null(dma_memory_map(&f->as, 0x80000ff8, 16, true));

    memset(buf, 0xa5, sizeof(buf));
    g_assert_true(dma_memory_write(&f->as, 0x80000100, buf, 16));
    g_assert_cmphex(f->notified_addr, ==, 0x80000100);
    g_assert_cmpuint(f->notified_len, ==, 16);
    uint32_t v32;
    g_assert_true(dma_load32(&f->as, 0x80000100, &v32));
    g_assert_cmphex(v32, ==, 0xa5a5a5a5);
    g_assert_true(dma_store16(&f->as, 0x80000200, 0xbeef));
    uint16_t v16;
    g_assert_true(dma_load16(&f->as, 0x80000200, &v16));
    g_assert_cmphex(v16, ==, 0xbeef);
    g_assert_false(dma_load64(&f->as, 0x80000ffc, &(uint64_t){0}));

    uint8_t *p = dma_memory_map(&f->as, 0x80000400, 64, true);
    g_assert_true(p == f->ram + 0x400);
    dma_memory_unmap(&f->as, p, 64, true, 10);
    g_assert_cmphex(f->notified_addr, ==, 0x80000400);
    g_assert_cmpuint(f->notified_len, ==, 10);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add("/memory/dispatch", Fixture, NULL, fixture_setup, test_dispatch,
               fixture_teardown);
    g_test_add("/memory/map-errors", Fixture, NULL, fixture_setup,
               test_map_errors, fixture_teardown);
    g_test_add("/memory/dma/bounds", Fixture, NULL, fixture_setup,
               test_dma_bounds, fixture_teardown);
    return g_test_run();
}
