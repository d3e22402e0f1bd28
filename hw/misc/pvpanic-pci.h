/*
 * hw/misc/pvpanic-pci.h: QEMU's paravirtual panic device on PCI
 * (docs/specs/pvpanic.rst): vendor 0x1b36, device 0x0011.  BAR 0 holds one
 * byte: reading it gives the events the device supports, and the guest
 * writes an event bit there when its kernel panics (Linux's pvpanic-pci
 * driver).
 *
 * The device knows nothing of the board: the board finds it after -device
 * and installs a handler with pvpanic_pci_set_handler().
 *
 * Threads: the main thread.
 */
#ifndef HW_MISC_PVPANIC_PCI_H
#define HW_MISC_PVPANIC_PCI_H

#include "hw/pci/pci.h"

#define TYPE_PVPANIC_PCI "pvpanic-pci"
#define PCI_DEVICE_ID_REDHAT_PVPANIC 0x0011
#define PCI_CLASS_SYSTEM_OTHER 0x0880

/* Event bits (pvpanic.rst). */
#define PVPANIC_PANICKED     (1u << 0)  /* the guest panicked */
#define PVPANIC_CRASH_LOADED (1u << 1)  /* ... and a crash kernel took over */
#define PVPANIC_EVENTS (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

/* Called with the event bits the guest wrote (never 0). */
typedef void (*PVPanicHandler)(void *opaque, unsigned events);

typedef struct PVPanicPCIState PVPanicPCIState;

/* pvpanic_pci_set_handler: where @obj (a pvpanic-pci) reports panics;
 * false if @obj is not one.  Without a handler, events are ignored. */
bool pvpanic_pci_set_handler(Object *obj, PVPanicHandler fn, void *opaque);

#endif /* HW_MISC_PVPANIC_PCI_H */
