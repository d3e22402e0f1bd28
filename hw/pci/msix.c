/*
 * hw/pci/msix.c: MSI-X (PCI 3.0 §6.8.2): the capability, the vector table
 * and the pending bit array, in a BAR of their own.
 *
 * A message is a 32-bit write of the entry's data to the entry's address in
 * the bus's DMA AddressSpace (where an MSI controller, or a test, listens).
 * A vector that fires while masked (its own mask bit or the function mask)
 * sets its pending bit instead; unmasking sends it and clears the bit.
 */
#include <string.h>

#include "hw/pci/pci.h"
#include "hw/pci/pci-internal.h"
#include "qom/error.h"

#define MSIX_MIN_BAR_SIZE   4096
#define MSIX_PBA_BYTES(n)   (((n) + 7) / 8)

static uint16_t msix_control(PCIDevice *d)
{
    return pci_get_word(d->config + d->msix_cap + PCI_MSIX_FLAGS);
}

bool msix_enabled(PCIDevice *d)
{
    return d->msix_entries && (msix_control(d) & PCI_MSIX_FLAGS_ENABLE);
}

static bool msix_function_masked(PCIDevice *d)
{
    return msix_control(d) & PCI_MSIX_FLAGS_MASKALL;
}

static uint8_t *msix_entry(PCIDevice *d, unsigned vector)
{
    return d->msix_table + vector * PCI_MSIX_ENTRY_SIZE;
}

static bool msix_vector_masked(PCIDevice *d, unsigned vector)
{
    return pci_get_long(msix_entry(d, vector) + PCI_MSIX_ENTRY_VECTOR_CTRL) &
           PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

bool msix_is_masked(PCIDevice *d, unsigned vector)
{
    return vector >= d->msix_entries || msix_function_masked(d) ||
           msix_vector_masked(d, vector);
}

bool msix_is_pending(PCIDevice *d, unsigned vector)
{
    return vector < d->msix_entries &&
           (d->msix_pba[vector / 8] >> (vector % 8)) & 1;
}

static void msix_set_pending(PCIDevice *d, unsigned vector, bool pending)
{
    uint8_t bit = 1u << (vector % 8);
    if (pending) {
        d->msix_pba[vector / 8] |= bit;
    } else {
        d->msix_pba[vector / 8] &= ~bit;
    }
}

static void msix_send(PCIDevice *d, unsigned vector)
{
    uint8_t *e = msix_entry(d, vector);
    uint64_t addr = pci_get_quad(e + PCI_MSIX_ENTRY_LOWER_ADDR);
    uint32_t data = pci_get_long(e + PCI_MSIX_ENTRY_DATA);
    AddressSpace *as = pci_get_address_space(d);

    /* A message is a memory write, so bus mastering must be on (§6.8.3.1). */
    if (as && pci_bus_master_enabled(d)) {
        address_space_write(as, addr, 4, data);
    }
}

void msix_notify(PCIDevice *d, unsigned vector)
{
    if (!msix_enabled(d) || vector >= d->msix_entries) {
        return;
    }
    if (msix_is_masked(d, vector)) {
        msix_set_pending(d, vector, true);
        return;
    }
    msix_send(d, vector);
}

/* Send @vector if it is pending and no longer masked. */
static void msix_handle_unmask(PCIDevice *d, unsigned vector)
{
    if (msix_enabled(d) && msix_is_pending(d, vector) &&
        !msix_is_masked(d, vector)) {
        msix_set_pending(d, vector, false);
        msix_send(d, vector);
    }
}

void msix_config_changed(PCIDevice *d)
{
    for (unsigned v = 0; v < d->msix_entries; v++) {
        msix_handle_unmask(d, v);
    }
}

void msix_reset(PCIDevice *d)
{
    if (!d->msix_entries) {
        return;
    }
    uint8_t *ctrl = d->config + d->msix_cap + PCI_MSIX_FLAGS;
    pci_set_word(ctrl, pci_get_word(ctrl) &
                 ~(PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL));
    memset(d->msix_table, 0, d->msix_entries * PCI_MSIX_ENTRY_SIZE);
    for (unsigned v = 0; v < d->msix_entries; v++) {
        pci_set_long(msix_entry(d, v) + PCI_MSIX_ENTRY_VECTOR_CTRL,
                     PCI_MSIX_ENTRY_CTRL_MASKBIT);
    }
    memset(d->msix_pba, 0, MSIX_PBA_BYTES(d->msix_entries));
}

/* The BAR: the table at 0, the PBA at half the BAR. */
static uint64_t msix_pba_offset(PCIDevice *d)
{
    return d->msix_mr.size / 2;
}

static uint32_t msix_read32(PCIDevice *d, uint64_t off)
{
    uint64_t table_size = (uint64_t)d->msix_entries * PCI_MSIX_ENTRY_SIZE;
    uint64_t pba = msix_pba_offset(d);
    uint64_t pba_size = MSIX_PBA_BYTES(d->msix_entries);

    if (off + 4 <= table_size) {
        return pci_get_long(d->msix_table + off);
    }
    if (off >= pba && off < pba + pba_size) {
        uint32_t v = 0;
        for (unsigned i = 0; i < 4 && off - pba + i < pba_size; i++) {
            v |= (uint32_t)d->msix_pba[off - pba + i] << (8 * i);
        }
        return v;
    }
    return 0;
}

static void msix_write32(PCIDevice *d, uint64_t off, uint32_t val)
{
    uint64_t table_size = (uint64_t)d->msix_entries * PCI_MSIX_ENTRY_SIZE;

    /* The PBA is read-only; so is everything outside the table. */
    if (off + 4 > table_size) {
        return;
    }
    unsigned vector = off / PCI_MSIX_ENTRY_SIZE;
    if (off % PCI_MSIX_ENTRY_SIZE == PCI_MSIX_ENTRY_VECTOR_CTRL) {
        /* Only the mask bit is defined; the rest is reserved (§6.8.2.9). */
        val &= PCI_MSIX_ENTRY_CTRL_MASKBIT;
    }
    pci_set_long(d->msix_table + off, val);
    msix_handle_unmask(d, vector);
}

static uint64_t msix_mmio_read(void *opaque, uint64_t off, unsigned size)
{
    PCIDevice *d = opaque;
    if (off & (size - 1)) {
        return UINT64_MAX;
    }
    if (size == 8) {
        return msix_read32(d, off) | (uint64_t)msix_read32(d, off + 4) << 32;
    }
    return msix_read32(d, off);
}

static void msix_mmio_write(void *opaque, uint64_t off, uint64_t val,
                            unsigned size)
{
    PCIDevice *d = opaque;
    if (off & (size - 1)) {
        return;
    }
    msix_write32(d, off, val);
    if (size == 8) {
        msix_write32(d, off + 4, val >> 32);
    }
}

/* Table and PBA accesses are dwords or qwords (PCI 3.0 §6.8.2). */
static const MemoryRegionOps msix_mmio_ops = {
    .read = msix_mmio_read,
    .write = msix_mmio_write,
    .min_access = 4,
    .max_access = 8,
};

bool msix_init_exclusive_bar(PCIDevice *d, unsigned nentries, int bar_nr,
                             GError **errp)
{
    g_assert(nentries >= 1 && nentries <= PCI_MSIX_MAX_VECTORS);
    g_assert(!d->msix_entries);

    uint64_t table_size = (uint64_t)nentries * PCI_MSIX_ENTRY_SIZE;
    uint64_t bar_size = MAX(MSIX_MIN_BAR_SIZE,
                            2 * (1ull << g_bit_storage(table_size - 1)));
    int cap = pci_add_capability(d, PCI_CAP_ID_MSIX, 0, PCI_MSIX_CAP_SIZE, errp);
    if (cap < 0) {
        return false;
    }
    d->msix_cap = cap;
    d->msix_entries = nentries;
    d->msix_bar = bar_nr;
    d->msix_table = g_malloc0(table_size);
    d->msix_pba = g_malloc0(MSIX_PBA_BYTES(nentries));
    memory_region_init_io(&d->msix_mr, &msix_mmio_ops, d, "msix", bar_size);

    uint8_t *c = d->config + cap;
    pci_set_word(c + PCI_MSIX_FLAGS, nentries - 1);
    pci_set_long(c + PCI_MSIX_TABLE, 0 | bar_nr);
    pci_set_long(c + PCI_MSIX_PBA, (uint32_t)(bar_size / 2) | bar_nr);
    pci_set_word(d->wmask + cap + PCI_MSIX_FLAGS,
                 PCI_MSIX_FLAGS_ENABLE | PCI_MSIX_FLAGS_MASKALL);
    msix_reset(d);
    pci_register_bar(d, bar_nr, PCI_BASE_ADDRESS_SPACE_MEMORY |
                     PCI_BASE_ADDRESS_MEM_TYPE_32, &d->msix_mr);
    return true;
}

void msix_uninit(PCIDevice *d)
{
    if (!d->msix_entries) {
        return;
    }
    address_space_unmap_region(&d->msix_mr);
    g_clear_pointer(&d->msix_table, g_free);
    g_clear_pointer(&d->msix_pba, g_free);
    d->msix_entries = 0;
}
