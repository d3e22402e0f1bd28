/*
 * test-pci: config space masks, BAR sizing and decode, the capability list,
 * INTx routing, MSI-X masking and pending bits, addr= parsing and slot
 * conflicts, all through the ECAM window of a real host bridge, with a toy
 * device ("test-pci-dev": an I/O BAR, a 32-bit and a 64-bit memory BAR and
 * MSI-X).
 */
#include <string.h>

#include "hw/core/qdev-monitor.h"
#include "hw/pci/pci-host.h"
#include "qom/error.h"

#define TYPE_TEST_PCI_DEV "test-pci-dev"
#define TEST_VENDOR 0x1234
#define TEST_DEVICE 0x5678
#define RAM_BASE 0x80000000ull
#define RAM_SIZE 0x10000
#define MSI_DOORBELL 0x24000000ull

typedef struct TestPCIDev {
    PCIDevice parent_obj;
    MemoryRegion io, mem32, mem64;
    uint64_t last_write;
} TestPCIDev;
DECLARE_TYPE(TestPCIDev, PCIDeviceClass, TEST_PCI_DEV, TYPE_TEST_PCI_DEV)

static uint64_t tdev_read(void *opaque, uint64_t off, unsigned size)
{
    return 0xa0 + off;
}

static void tdev_write(void *opaque, uint64_t off, uint64_t val, unsigned size)
{
    ((TestPCIDev *)opaque)->last_write = val;
}

static const MemoryRegionOps tdev_ops = { .read = tdev_read, .write = tdev_write };

static bool tdev_realize(PCIDevice *pdev, GError **errp)
{
    TestPCIDev *t = TEST_PCI_DEV(pdev);
    memory_region_init_io(&t->io, &tdev_ops, t, "tio", 0x20);
    memory_region_init_io(&t->mem32, &tdev_ops, t, "tmem32", 0x1000);
    memory_region_init_io(&t->mem64, &tdev_ops, t, "tmem64", 0x4000);
    pci_register_bar(pdev, 0, PCI_BASE_ADDRESS_SPACE_IO, &t->io);
    pci_register_bar(pdev, 2, PCI_BASE_ADDRESS_MEM_TYPE_32, &t->mem32);
    pci_register_bar(pdev, 4, PCI_BASE_ADDRESS_MEM_TYPE_64 |
                     PCI_BASE_ADDRESS_MEM_PREFETCH, &t->mem64);
    pdev->config[PCI_INTERRUPT_PIN] = 1;
    return msix_init_exclusive_bar(pdev, 4, 1, errp);
}

static void tdev_class_init(ObjectClass *oc, void *data)
{
    PCIDeviceClass *pc = PCI_DEVICE_CLASS(oc);
    DEVICE_CLASS(oc)->user_creatable = true;
    pc->vendor_id = TEST_VENDOR;
    pc->device_id = TEST_DEVICE;
    pc->revision = 2;
    pc->class_id = 0x0780;
    pc->subsystem_vendor_id = TEST_VENDOR;
    pc->subsystem_id = 7;
    pc->realize = tdev_realize;
}

static const TypeInfo tdev_info = {
    .name = TYPE_TEST_PCI_DEV,
    .parent = TYPE_PCI_DEVICE,
    .instance_size = sizeof(TestPCIDev),
    .class_init = tdev_class_init,
};

/* ---- fixture: a machine with RAM, the host bridge and recorders ---- */

typedef struct Fixture {
    Object *machine;
    AddressSpace sysmem;
    uint8_t *ram;
    PCIHostState *host;
    PCIHostWindows w;
    int plic[PCI_NUM_PINS];
    MemoryRegion doorbell;
    GArray *msis;           /* uint32_t data written to the doorbell */
} Fixture;

static void plic_input(void *opaque, int n, int level)
{
    ((Fixture *)opaque)->plic[n] = level;
}

static uint64_t doorbell_read(void *opaque, uint64_t off, unsigned size)
{
    return 0;
}

static void doorbell_write(void *opaque, uint64_t off, uint64_t val,
                           unsigned size)
{
    uint32_t v = val;
    g_array_append_val(((Fixture *)opaque)->msis, v);
}

static const MemoryRegionOps doorbell_ops = {
    .read = doorbell_read, .write = doorbell_write,
};

static void fixture_setup(Fixture *f, gconstpointer data)
{
    f->machine = object_new(TYPE_CONTAINER);
    address_space_init(&f->sysmem, "sysmem");
    f->ram = g_malloc0(RAM_SIZE);
    address_space_set_ram(&f->sysmem, f->ram, RAM_BASE, RAM_SIZE);
    f->msis = g_array_new(false, false, sizeof(uint32_t));
    memory_region_init_io(&f->doorbell, &doorbell_ops, f, "doorbell", 4);
    g_assert(address_space_map_region(&f->sysmem, &f->doorbell, MSI_DOORBELL,
                                      NULL));
    f->w = PCI_HOST_VIRT_WINDOWS;
    g_autoptr(GError) err = NULL;
    f->host = pci_host_ecam_new(f->machine, &f->sysmem, &f->w, &err);
    g_assert_no_error(err);
    for (int i = 0; i < PCI_NUM_PINS; i++) {
        irq_connect(&f->host->irq[i], plic_input, f, i);
    }
}

static void fixture_teardown(Fixture *f, gconstpointer data)
{
    object_unref(f->machine);
    address_space_destroy(&f->sysmem);
    g_free(f->ram);
    g_array_free(f->msis, true);
}

static uint64_t ecam_addr(Fixture *f, int devfn, uint32_t reg)
{
    return f->w.ecam_base + ((uint64_t)devfn << PCIE_ECAM_DEVFN_SHIFT) + reg;
}

static uint32_t cfg_read(Fixture *f, int devfn, uint32_t reg, unsigned size)
{
    uint64_t v;
    g_assert(address_space_read(&f->sysmem, ecam_addr(f, devfn, reg), size, &v));
    return v;
}

static void cfg_write(Fixture *f, int devfn, uint32_t reg, unsigned size,
                      uint32_t v)
{
    g_assert(address_space_write(&f->sysmem, ecam_addr(f, devfn, reg), size, v));
}

static PCIDevice *add(Fixture *f, const char *opts)
{
    g_autoptr(GError) err = NULL;
    DeviceState *d = qdev_device_add(f->machine, opts, &err);
    g_assert_no_error(err);
    return PCI_DEVICE(d);
}

static char *add_error(Fixture *f, const char *opts)
{
    GError *err = NULL;
    g_assert_null(qdev_device_add(f->machine, opts, &err));
    g_assert_nonnull(err);
    char *msg = g_strdup(err->message);
    g_error_free(err);
    return msg;
}

/* ---- tests ---- */

static void test_enumerate(Fixture *f, gconstpointer data)
{
    PCIDevice *d = add(f, TYPE_TEST_PCI_DEV ",id=t0");
    g_assert_cmpint(d->devfn, ==, PCI_DEVFN(1, 0));
    /* 00.0 is the host bridge. */
    g_assert_cmphex(cfg_read(f, 0, PCI_VENDOR_ID, 2), ==, PCI_VENDOR_ID_REDHAT);
    g_assert_cmphex(cfg_read(f, 0, PCI_CLASS_DEVICE, 2), ==,
                    PCI_CLASS_BRIDGE_HOST);
    g_assert_cmphex(cfg_read(f, 8, PCI_VENDOR_ID, 4), ==,
                    TEST_DEVICE << 16 | TEST_VENDOR);
    g_assert_cmphex(cfg_read(f, 8, PCI_REVISION_ID, 4), ==, 0x07800002);
    g_assert_cmphex(cfg_read(f, 8, PCI_SUBSYSTEM_ID, 2), ==, 7);
    g_assert_cmphex(cfg_read(f, 8, PCI_HEADER_TYPE, 1), ==, 0);
    /* Empty slots, other functions and other buses read all ones. */
    g_assert_cmphex(cfg_read(f, 16, PCI_VENDOR_ID, 4), ==, 0xffffffff);
    g_assert_cmphex(cfg_read(f, 9, PCI_VENDOR_ID, 2), ==, 0xffff);
    uint64_t v;
    g_assert(address_space_read(&f->sysmem, f->w.ecam_base + (1 << 20) + 8 * 4096,
                                4, &v));
    g_assert_cmphex(v, ==, 0xffffffff);
    /* Unaligned accesses read all ones too. */
    g_assert_cmphex(cfg_read(f, 8, PCI_VENDOR_ID + 1, 2), ==, 0xffff);
}

static void test_config_masks(Fixture *f, gconstpointer data)
{
    add(f, TYPE_TEST_PCI_DEV);
    /* Identity registers are read-only. */
    cfg_write(f, 8, PCI_VENDOR_ID, 4, 0);
    g_assert_cmphex(cfg_read(f, 8, PCI_VENDOR_ID, 2), ==, TEST_VENDOR);
    /* Only the defined command bits stick. */
    cfg_write(f, 8, PCI_COMMAND, 2, 0xffff);
    g_assert_cmphex(cfg_read(f, 8, PCI_COMMAND, 2), ==, 0x0507);
    /* Status: error bits are write-1-to-clear, the capability bit is RO. */
    PCIDevice *d = pci_bus_find_device(f->host->bus, 8);
    pci_set_word(d->config + PCI_STATUS,
                 pci_get_word(d->config + PCI_STATUS) | 0x8000);
    cfg_write(f, 8, PCI_STATUS, 2, 0x0000);
    g_assert_cmphex(cfg_read(f, 8, PCI_STATUS, 2), ==,
                    0x8000 | PCI_STATUS_CAP_LIST);
    cfg_write(f, 8, PCI_STATUS, 2, 0xffff);
    g_assert_cmphex(cfg_read(f, 8, PCI_STATUS, 2), ==, PCI_STATUS_CAP_LIST);
    /* Interrupt line is scratch, the pin is read-only. */
    cfg_write(f, 8, PCI_INTERRUPT_LINE, 2, 0x0433);
    g_assert_cmphex(cfg_read(f, 8, PCI_INTERRUPT_LINE, 2), ==, 0x0133);
    /* Reset restores the power-on values. */
    qdev_reset(DEVICE(d));
    g_assert_cmphex(cfg_read(f, 8, PCI_COMMAND, 2), ==, 0);
    g_assert_cmphex(cfg_read(f, 8, PCI_INTERRUPT_LINE, 1), ==, 0);
}

/* Write all ones, read back the size mask, restore (PCI 3.0 §6.2.5.1). */
static uint64_t size_bar(Fixture *f, int devfn, int n, bool is64)
{
    uint32_t reg = PCI_BASE_ADDRESS_0 + 4 * n;
    uint32_t lo = cfg_read(f, devfn, reg, 4);
    cfg_write(f, devfn, reg, 4, 0xffffffff);
    uint64_t mask = cfg_read(f, devfn, reg, 4);
    cfg_write(f, devfn, reg, 4, lo);
    if (is64) {
        uint32_t hi = cfg_read(f, devfn, reg + 4, 4);
        cfg_write(f, devfn, reg + 4, 4, 0xffffffff);
        mask |= (uint64_t)cfg_read(f, devfn, reg + 4, 4) << 32;
        cfg_write(f, devfn, reg + 4, 4, hi);
    } else {
        mask |= 0xffffffff00000000ull;
    }
    mask &= (lo & PCI_BASE_ADDRESS_SPACE_IO) ? ~3ull : ~0xfull;
    return ~mask + 1;
}

static void test_bar_sizing(Fixture *f, gconstpointer data)
{
    add(f, TYPE_TEST_PCI_DEV);
    g_assert_cmphex(cfg_read(f, 8, PCI_BASE_ADDRESS_0, 4) & 0xf, ==,
                    PCI_BASE_ADDRESS_SPACE_IO);
    g_assert_cmphex(cfg_read(f, 8, PCI_BASE_ADDRESS_0 + 16, 4) & 0xf, ==,
                    PCI_BASE_ADDRESS_MEM_TYPE_64 | PCI_BASE_ADDRESS_MEM_PREFETCH);
    g_assert_cmphex(size_bar(f, 8, 0, false) & 0xffffffff, ==, 0x20);
    g_assert_cmphex(size_bar(f, 8, 1, false), ==, 0x1000);  /* MSI-X */
    g_assert_cmphex(size_bar(f, 8, 2, false), ==, 0x1000);
    g_assert_cmphex(size_bar(f, 8, 4, true), ==, 0x4000);
    /* Unimplemented BARs read as zero whatever is written. */
    cfg_write(f, 8, PCI_BASE_ADDRESS_0 + 12, 4, 0xffffffff);
    g_assert_cmphex(cfg_read(f, 8, PCI_BASE_ADDRESS_0 + 12, 4), ==, 0);
}

static void test_bar_decode(Fixture *f, gconstpointer data)
{
    PCIDevice *d = add(f, TYPE_TEST_PCI_DEV);
    TestPCIDev *t = TEST_PCI_DEV(d);
    uint64_t v;

    cfg_write(f, 8, PCI_BASE_ADDRESS_0, 4, 0x100);
    cfg_write(f, 8, PCI_BASE_ADDRESS_0 + 8, 4, 0x40001000);
    cfg_write(f, 8, PCI_BASE_ADDRESS_0 + 16, 4, 0x40004000);
    cfg_write(f, 8, PCI_BASE_ADDRESS_0 + 20, 4, 0);
    /* Programmed but decode off: nothing answers. */
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, PCI_BAR_UNMAPPED);
    address_space_read(&f->sysmem, 0x40001004, 4, &v);
    g_assert_cmphex(v, ==, 0xffffffff);

    cfg_write(f, 8, PCI_COMMAND, 2, PCI_COMMAND_MEMORY);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, 0x40001000);
    g_assert_cmphex(pci_get_bar_addr(d, 4), ==, 0x40004000);
    g_assert_cmphex(pci_get_bar_addr(d, 0), ==, PCI_BAR_UNMAPPED);
    address_space_read(&f->sysmem, 0x40001004, 4, &v);
    g_assert_cmphex(v, ==, 0xa4);
    address_space_read(&f->sysmem, 0x40004010, 8, &v);
    g_assert_cmphex(v, ==, 0xb0);
    address_space_write(&f->sysmem, 0x40001008, 4, 0x55);
    g_assert_cmphex(t->last_write, ==, 0x55);

    /* I/O goes through the PIO window: PCI I/O 0x100 = CPU pio_base+0x100. */
    cfg_write(f, 8, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_IO);
    address_space_read(&f->sysmem, f->w.pio_base + 0x102, 1, &v);
    g_assert_cmphex(v, ==, 0xa2);

    /* Moving a BAR moves the decode; sizing unmaps it. */
    cfg_write(f, 8, PCI_BASE_ADDRESS_0 + 8, 4, 0x40100000);
    address_space_read(&f->sysmem, 0x40001004, 4, &v);
    g_assert_cmphex(v, ==, 0xffffffff);
    address_space_read(&f->sysmem, 0x40100004, 4, &v);
    g_assert_cmphex(v, ==, 0xa4);
    cfg_write(f, 8, PCI_BASE_ADDRESS_0 + 8, 4, 0xffffffff);
    g_assert_cmphex(pci_get_bar_addr(d, 2), ==, PCI_BAR_UNMAPPED);

    /* Turning decode off unmaps. */
    cfg_write(f, 8, PCI_COMMAND, 2, 0);
    g_assert_cmphex(pci_get_bar_addr(d, 4), ==, PCI_BAR_UNMAPPED);
}

static void test_capabilities(Fixture *f, gconstpointer data)
{
    PCIDevice *d = add(f, TYPE_TEST_PCI_DEV);
    g_autoptr(GError) err = NULL;

    /* The MSI-X capability came first. */
    uint8_t first = cfg_read(f, 8, PCI_CAPABILITY_LIST, 1);
    g_assert_cmpint(first, >=, PCI_CONFIG_HEADER_SIZE);
    g_assert_cmphex(cfg_read(f, 8, first, 1), ==, PCI_CAP_ID_MSIX);
    int a = pci_add_capability(d, PCI_CAP_ID_VNDR, 0, 16, &err);
    g_assert_no_error(err);
    int b = pci_add_capability(d, PCI_CAP_ID_VNDR, 0x80, 20, &err);
    g_assert_no_error(err);
    g_assert_cmpint(b, ==, 0x80);
    g_assert_cmpint(a, >=, first + PCI_MSIX_CAP_SIZE);

    /* Walk: msix -> a -> b -> end. */
    uint8_t ids[8], offs[8];
    int n = 0;
    for (uint8_t p = first; p && n < 8; p = cfg_read(f, 8, p + 1, 1)) {
        offs[n] = p;
        ids[n++] = cfg_read(f, 8, p, 1);
    }
    g_assert_cmpint(n, ==, 3);
    g_assert_cmpint(offs[1], ==, a);
    g_assert_cmpint(offs[2], ==, b);
    g_assert_cmphex(ids[2], ==, PCI_CAP_ID_VNDR);
    g_assert_cmpint(pci_find_capability(d, PCI_CAP_ID_VNDR), ==, a);

    /* Overlap, misalignment and running off the end are refused. */
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0x84, 4, &err), ==, -1);
    g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);
    g_clear_error(&err);
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0xa2, 4, &err), ==, -1);
    g_clear_error(&err);
    g_assert_cmpint(pci_add_capability(d, PCI_CAP_ID_VNDR, 0xf8, 16, &err), ==, -1);
    g_clear_error(&err);
    /* The guest cannot rewrite the list. */
    cfg_write(f, 8, PCI_CAPABILITY_LIST, 1, 0);
    cfg_write(f, 8, a + 1, 1, 0);
    g_assert_cmpint(cfg_read(f, 8, PCI_CAPABILITY_LIST, 1), ==, first);
    g_assert_cmpint(cfg_read(f, 8, a + 1, 1), ==, b);
}

static void test_intx(Fixture *f, gconstpointer data)
{
    PCIDevice *d1 = add(f, TYPE_TEST_PCI_DEV ",addr=1");
    PCIDevice *d5 = add(f, TYPE_TEST_PCI_DEV ",addr=05.0");
    PCIDevice *d2 = add(f, TYPE_TEST_PCI_DEV ",addr=2");

    /* INTA of slot 1 -> host pin 1; of slot 5 -> (0+5)%4 = 1 as well. */
    pci_set_irq(d1, 1);
    g_assert_cmpint(f->plic[1], ==, 1);
    g_assert_cmphex(cfg_read(f, PCI_DEVFN(1, 0), PCI_STATUS, 2) &
                    PCI_STATUS_INTERRUPT, ==, PCI_STATUS_INTERRUPT);
    pci_set_irq(d5, 1);
    pci_set_irq(d1, 0);
    g_assert_cmpint(f->plic[1], ==, 1);     /* wire-OR: slot 5 still holds it */
    pci_set_irq(d5, 0);
    g_assert_cmpint(f->plic[1], ==, 0);
    pci_set_irq(d2, 1);
    g_assert_cmpint(f->plic[2], ==, 1);
    /* INTX_DISABLE masks the line but not the status bit. */
    cfg_write(f, PCI_DEVFN(2, 0), PCI_COMMAND, 2, PCI_COMMAND_INTX_DISABLE);
    g_assert_cmpint(f->plic[2], ==, 0);
    g_assert_cmphex(cfg_read(f, PCI_DEVFN(2, 0), PCI_STATUS, 2) &
                    PCI_STATUS_INTERRUPT, ==, PCI_STATUS_INTERRUPT);
    cfg_write(f, PCI_DEVFN(2, 0), PCI_COMMAND, 2, 0);
    g_assert_cmpint(f->plic[2], ==, 1);
    /* Unplugging a device releases its line. */
    qdev_unrealize(DEVICE(d2));
    g_assert_cmpint(f->plic[2], ==, 0);
    g_assert_cmpint(pci_host_swizzle(3, 2), ==, 1);
}

static void msix_setup(Fixture *f, int devfn, uint8_t cap, uint64_t bar)
{
    cfg_write(f, devfn, PCI_BASE_ADDRESS_0 + 4, 4, bar);
    cfg_write(f, devfn, PCI_COMMAND, 2, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
    for (int v = 0; v < 4; v++) {
        uint64_t e = bar + v * PCI_MSIX_ENTRY_SIZE;
        address_space_write(&f->sysmem, e + PCI_MSIX_ENTRY_LOWER_ADDR, 4,
                            (uint32_t)MSI_DOORBELL);
        address_space_write(&f->sysmem, e + PCI_MSIX_ENTRY_UPPER_ADDR, 4, 0);
        address_space_write(&f->sysmem, e + PCI_MSIX_ENTRY_DATA, 4, 0x100 + v);
    }
}

static void msix_mask(Fixture *f, uint64_t bar, int v, bool mask)
{
    address_space_write(&f->sysmem, bar + v * PCI_MSIX_ENTRY_SIZE +
                        PCI_MSIX_ENTRY_VECTOR_CTRL, 4, mask);
}

static void test_msix(Fixture *f, gconstpointer data)
{
    PCIDevice *d = add(f, TYPE_TEST_PCI_DEV);
    uint8_t cap = pci_find_capability(d, PCI_CAP_ID_MSIX);
    const uint64_t bar = 0x40010000;
    uint64_t v;

    g_assert_cmphex(cfg_read(f, 8, cap + PCI_MSIX_FLAGS, 2), ==, 3);
    g_assert_cmphex(cfg_read(f, 8, cap + PCI_MSIX_TABLE, 4), ==, 1);
    g_assert_cmphex(cfg_read(f, 8, cap + PCI_MSIX_PBA, 4), ==, 0x800 | 1);
    msix_setup(f, 8, cap, bar);
    /* Entries start masked. */
    address_space_read(&f->sysmem, bar + PCI_MSIX_ENTRY_VECTOR_CTRL, 4, &v);
    g_assert_cmphex(v, ==, 1);

    /* Disabled: notifications vanish. */
    msix_notify(d, 0);
    g_assert_cmpuint(f->msis->len, ==, 0);
    g_assert_false(msix_is_pending(d, 0));

    cfg_write(f, 8, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
    g_assert_true(msix_enabled(d));
    /* Masked vector: pending bit, visible in the PBA; unmask delivers. */
    msix_notify(d, 2);
    g_assert_cmpuint(f->msis->len, ==, 0);
    address_space_read(&f->sysmem, bar + 0x800, 4, &v);
    g_assert_cmphex(v, ==, 1 << 2);
    msix_mask(f, bar, 2, false);
    g_assert_cmpuint(f->msis->len, ==, 1);
    g_assert_cmphex(g_array_index(f->msis, uint32_t, 0), ==, 0x102);
    g_assert_false(msix_is_pending(d, 2));
    /* The PBA is read-only. */
    address_space_write(&f->sysmem, bar + 0x800, 4, 0xf);
    address_space_read(&f->sysmem, bar + 0x800, 4, &v);
    g_assert_cmphex(v, ==, 0);

    /* Unmasked: straight through. */
    msix_notify(d, 2);
    g_assert_cmpuint(f->msis->len, ==, 2);
    /* Function mask holds every vector; clearing it delivers the pending. */
    cfg_write(f, 8, cap + PCI_MSIX_FLAGS, 2,
              PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    msix_notify(d, 2);
    g_assert_cmpuint(f->msis->len, ==, 2);
    g_assert_true(msix_is_pending(d, 2));
    cfg_write(f, 8, cap + PCI_MSIX_FLAGS, 2, PCI_MSIX_FLAGS_ENABLE);
    g_assert_cmpuint(f->msis->len, ==, 3);
    /* Out-of-range vectors are ignored. */
    msix_notify(d, 4);
    msix_notify(d, 1000);
    g_assert_cmpuint(f->msis->len, ==, 3);
    /* The table size field is read-only. */
    cfg_write(f, 8, cap + PCI_MSIX_FLAGS, 2, 0xffff);
    g_assert_cmphex(cfg_read(f, 8, cap + PCI_MSIX_FLAGS, 2), ==, 0xc003);
    /* Reset: disabled, masked, nothing pending. */
    qdev_reset(DEVICE(d));
    g_assert_false(msix_enabled(d));
    g_assert_true(msix_is_masked(d, 2));
}

static void test_addr_parse(void)
{
    g_assert_cmpint(pci_parse_devfn("03.0"), ==, PCI_DEVFN(3, 0));
    g_assert_cmpint(pci_parse_devfn("3"), ==, PCI_DEVFN(3, 0));
    g_assert_cmpint(pci_parse_devfn("0x3"), ==, PCI_DEVFN(3, 0));
    g_assert_cmpint(pci_parse_devfn("1f.7"), ==, PCI_DEVFN(31, 7));
    g_assert_cmpint(pci_parse_devfn("0a.2"), ==, PCI_DEVFN(10, 2));
    g_assert_cmpint(pci_parse_devfn("20"), ==, -1);
    g_assert_cmpint(pci_parse_devfn("3.8"), ==, -1);
    g_assert_cmpint(pci_parse_devfn("3."), ==, -1);
    g_assert_cmpint(pci_parse_devfn(""), ==, -1);
    g_assert_cmpint(pci_parse_devfn("zz"), ==, -1);
    g_assert_cmpint(pci_parse_devfn("-1"), ==, -1);
    g_assert_cmpint(pci_parse_devfn("3.0x"), ==, -1);
}

static void test_addr_property(Fixture *f, gconstpointer data)
{
    PCIDevice *d = add(f, TYPE_TEST_PCI_DEV ",id=a,addr=0x1c");
    g_assert_cmpint(d->devfn, ==, PCI_DEVFN(0x1c, 0));
    g_autofree char *printed = object_property_print(OBJECT(d), "addr", NULL);
    g_assert_cmpstr(printed, ==, "1c.0");
    g_autofree char *bad = add_error(f, TYPE_TEST_PCI_DEV ",addr=zz");
    g_assert_cmpstr(bad, ==,
                    "Property '" TYPE_TEST_PCI_DEV ".addr' doesn't take value 'zz'");
}

static void test_slot_conflicts(Fixture *f, gconstpointer data)
{
    add(f, TYPE_TEST_PCI_DEV ",id=x,addr=03.0");
    g_autofree char *taken = add_error(f, TYPE_TEST_PCI_DEV ",id=y,addr=3");
    g_assert_cmpstr(taken, ==,
                    "PCI: slot 3 function 0 not available for test-pci-dev, "
                    "in use by test-pci-dev,id=x");
    g_autofree char *bridge = add_error(f, TYPE_TEST_PCI_DEV ",addr=0");
    g_assert_true(g_str_has_prefix(bridge, "PCI: slot 0 function 0 not "
                                   "available for test-pci-dev, in use by "
                                   TYPE_PCI_HOST_BRIDGE_FN));
    /* Function 1 of a single-function slot. */
    g_autofree char *fn = add_error(f, TYPE_TEST_PCI_DEV ",addr=3.1");
    g_assert_cmpstr(fn, ==, "PCI: single function device can't be populated "
                    "in function 3.1");
    /* A multifunction slot takes more functions, and says so in config. */
    add(f, TYPE_TEST_PCI_DEV ",addr=4.0,multifunction=on");
    add(f, TYPE_TEST_PCI_DEV ",addr=4.1");
    g_assert_cmphex(cfg_read(f, PCI_DEVFN(4, 0), PCI_HEADER_TYPE, 1), ==, 0x80);
    g_assert_cmphex(cfg_read(f, PCI_DEVFN(4, 1), PCI_VENDOR_ID, 2), ==,
                    TEST_VENDOR);
    /* Automatic placement skips taken slots (0 bridge, 3, 4). */
    g_assert_cmpint(add(f, TYPE_TEST_PCI_DEV)->devfn, ==, PCI_DEVFN(1, 0));
    g_assert_cmpint(add(f, TYPE_TEST_PCI_DEV)->devfn, ==, PCI_DEVFN(2, 0));
    g_assert_cmpint(add(f, TYPE_TEST_PCI_DEV)->devfn, ==, PCI_DEVFN(5, 0));
    /* The failed attempts left nothing behind. */
    g_assert_cmpint(pci_bus_find_device(f->host->bus, PCI_DEVFN(3, 1)) == NULL,
                    ==, 1);
}

static void test_bus_option(Fixture *f, gconstpointer data)
{
    PCIDevice *d = add(f, TYPE_TEST_PCI_DEV ",bus=" PCI_HOST_BUS_NAME ",addr=6");
    g_assert_true(BUS(d->bus) == BUS(f->host->bus));
    g_autofree char *msg = add_error(f, TYPE_TEST_PCI_DEV ",bus=pcie.9");
    g_assert_cmpstr(msg, ==, "Bus 'pcie.9' not found");
}

static void test_cold_plug_only(Fixture *f, gconstpointer data)
{
    add(f, TYPE_TEST_PCI_DEV);
    pci_host_ecam_machine_done(f->host);
    g_autofree char *msg = add_error(f, TYPE_TEST_PCI_DEV);
    g_assert_cmpstr(msg, ==, "Device 'test-pci-dev' can not be hotplugged on "
                    "this machine");
}

static void test_dt_cells(void)
{
    PCIHostWindows w = PCI_HOST_VIRT_WINDOWS;
    uint32_t r[PCI_HOST_DT_RANGES_CELLS];
    uint32_t m[PCI_HOST_DT_IMAP_CELLS];

    g_assert_cmpuint(pci_host_dt_last_bus(&w), ==, 255);
    g_assert_cmpuint(pci_host_dt_ranges(&w, r), ==, 14);
    const uint32_t want[14] = {
        0x01000000, 0, 0, 0, 0x03000000, 0, 0x10000,
        0x02000000, 0, 0x40000000, 0, 0x40000000, 0, 0x40000000,
    };
    for (int i = 0; i < 14; i++) {
        g_assert_cmphex(r[i], ==, want[i]);
    }
    g_assert_cmpuint(pci_host_dt_interrupt_map(7, 32, m), ==, 96);
    /* Entry for slot 2, INTC (pin 3): 2<<11, 0, 0, 3, phandle, 32+(2+2)%4. */
    const uint32_t *e = m + (2 * 4 + 2) * 6;
    g_assert_cmphex(e[0], ==, 0x1000);
    g_assert_cmphex(e[3], ==, 3);
    g_assert_cmphex(e[4], ==, 7);
    g_assert_cmphex(e[5], ==, 32);
    g_assert_cmphex(PCI_HOST_DT_IMAP_MASK_HI, ==, 0x1800);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    type_register_static(&tdev_info);
#define FT(path, fn) g_test_add(path, Fixture, NULL, fixture_setup, fn, \
                                fixture_teardown)
    FT("/pci/ecam/enumerate", test_enumerate);
    FT("/pci/config/masks", test_config_masks);
    FT("/pci/bar/sizing", test_bar_sizing);
    FT("/pci/bar/decode", test_bar_decode);
    FT("/pci/capability/list", test_capabilities);
    FT("/pci/intx/swizzle-and-disable", test_intx);
    FT("/pci/msix/mask-and-pending", test_msix);
    g_test_add_func("/pci/addr/parse", test_addr_parse);
    FT("/pci/addr/property", test_addr_property);
    FT("/pci/addr/conflicts", test_slot_conflicts);
    FT("/pci/addr/bus-option", test_bus_option);
    FT("/pci/host/cold-plug-only", test_cold_plug_only);
    g_test_add_func("/pci/host/dt-cells", test_dt_cells);
    return g_test_run();
}
