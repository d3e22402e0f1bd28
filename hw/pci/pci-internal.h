/*
 * hw/pci/pci-internal.h: glue between pci.c and msix.c.
 */
#ifndef HW_PCI_PCI_INTERNAL_H
#define HW_PCI_PCI_INTERNAL_H

#include "hw/pci/pci.h"

/* Re-decode every BAR after a BAR or command register change. */
void pci_update_mappings(PCIDevice *d);

/* The MSI-X capability was written: apply enable / function mask, and send
 * what became unmasked and is pending. */
void msix_config_changed(PCIDevice *d);

/* Power-on MSI-X state: disabled, every vector masked, nothing pending. */
void msix_reset(PCIDevice *d);

#endif /* HW_PCI_PCI_INTERNAL_H */
