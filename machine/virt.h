/*
 * machine/virt.h: the "virt" board (QEMU's riscv virt layout, see
 * shared/DESIGN.md): harts, RAM, CLINT, PLIC, ns16550a UART, syscon, the
 * device tree, boot, the built-in SBI and the round-robin main loop.
 *
 * Life of a machine (main.c):
 *     VirtMachine *m = virt_machine_new(&cfg, root, chardevs, errp);
 *     ... qdev_device_add(m->machine, "-device string", errp) ...
 *     virt_machine_done(m);
 *     virt_machine_boot(m, errp);      (DT, images, harts reset)
 *     int status = virt_main_loop(m);  (until poweroff, failure, signal)
 *     virt_machine_free(m);
 *
 * Threads: everything runs on the main thread; harts and devices included.
 */
#ifndef MACHINE_VIRT_H
#define MACHINE_VIRT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "hw/core/memory.h"
#include "machine/accel.h"
#include "qom/object.h"

/* The memory map (DESIGN.md "The board"). */
#define VIRT_TEST_BASE   0x00100000ull
#define VIRT_CLINT_BASE  0x02000000ull
#define VIRT_PLIC_BASE   0x0c000000ull
#define VIRT_UART0_BASE  0x10000000ull
#define VIRT_DRAM_BASE   0x80000000ull

#define VIRT_UART0_IRQ 10
#define VIRT_PCIE_IRQ  32   /* INTA; INTB..D follow */
/* The PCI windows are hw/pci/pci-host.h's PCI_HOST_VIRT_WINDOWS. */
#define VIRT_PLIC_NUM_SOURCES 96    /* riscv,ndev: sources 1..96, as QEMU virt */

#define VIRT_MAX_HARTS 8
#define VIRT_DEFAULT_RAM_SIZE (128ull << 20)
#define VIRT_MIN_RAM_SIZE (16ull << 20)
#define VIRT_MAX_RAM_SIZE (64ull << 30)

/* The ISA string the DT advertises: what machine/cpu.h implements. */
#define VIRT_RISCV_ISA "rv64imafdc_zicsr_zifencei"

/* -action panic=... (QEMU's): what a guest panic (pvpanic-pci) does. */
typedef enum VirtPanicAction {
    VIRT_PANIC_SHUTDOWN,        /* exit 0 (QEMU's default) */
    VIRT_PANIC_EXIT_FAILURE,    /* exit 1 (minivirt's default) */
    VIRT_PANIC_PAUSE,           /* hold the harts (the monitor can look) */
    VIRT_PANIC_NONE,            /* only report it */
} VirtPanicAction;

typedef struct VirtConfig {
    uint64_t ram_size;
    unsigned smp;
    const char *kernel;     /* NULL: none */
    const char *initrd;
    const char *append;
    const char *bios;       /* NULL: built-in SBI ("-bios none") */
    const char *serial_id;  /* chardev id for UART0, NULL: unconnected */
    const char *dumpdtb;    /* -machine dumpdtb=FILE: write the DT, exit */
    bool no_reboot;
    bool start_paused;      /* -S */
    VirtPanicAction panic_action;
    FILE *log;              /* -D (stderr when NULL) */
    bool log_guest_errors;  /* -d guest_errors: accesses to no device */
} VirtConfig;

/* Why the main loop stops the guest. */
typedef enum VirtRequest {
    VIRT_REQ_NONE,
    VIRT_REQ_POWEROFF,      /* exit status 0 */
    VIRT_REQ_RESET,         /* reboot, or exit 0 with -no-reboot */
    VIRT_REQ_FAIL,          /* syscon 0x3333: exit_code */
    VIRT_REQ_QUIT,          /* signal or Ctrl-A x: exit 0 */
    VIRT_REQ_PANIC,         /* pvpanic: as cfg.panic_action says */
} VirtRequest;


typedef struct VirtDevices VirtDevices;

typedef struct VirtMachine {
    VirtConfig cfg;
    Object *root;           /* the QOM root: /machine, /chardevs */
    Object *machine;        /* /machine: peripheral, peripheral-anon */
    Object *chardevs;
    AddressSpace sysmem;
    uint8_t *ram;
    unsigned nharts;
    const AccelOps *accel;
    AccelVCPU vcpu[VIRT_MAX_HARTS];
    VirtDevices *dev;       /* CLINT, PLIC, UART, syscon, SBI, PCI host */
    uint64_t fdt_addr;
    uint64_t kernel_entry;
    VirtRequest request;
    int exit_code;
    bool paused;            /* harts held (-S, the monitor's stop) */
    bool started;           /* the harts ran once: no longer "prelaunch" */
    /*
     * Optional: told of each request as the main loop acts on it, before
     * the machine resets or the loop returns (the monitor's SHUTDOWN and
     * RESET events).  @rebooting: a RESET that reboots (no -no-reboot).
     */
    void (*notify)(void *opaque, VirtRequest req, bool rebooting);
    void *notify_opaque;
} VirtMachine;

/*
 * virt_machine_new: RAM, harts and on-board devices, with UART0 on chardev
 * cfg->serial_id from @chardevs.  The strings in @cfg must outlive the
 * machine.  Errors: RAM that cannot be allocated, a chardev that is missing
 * or in use, a CPU that refuses its configuration.
 */
VirtMachine *virt_machine_new(const VirtConfig *cfg, Object *root,
                              Object *chardevs, GError **errp);
void virt_machine_free(VirtMachine *m);

/* virt_machine_done: -device is over; the PCI bus refuses hotplug now. */
void virt_machine_done(VirtMachine *m);

/*
 * virt_machine_boot: build the DT, load firmware/kernel/initrd and reset
 * the harts to their entry points.  Also what a guest reboot runs.  Errors
 * name the image at fault.
 */
bool virt_machine_boot(VirtMachine *m, GError **errp);

/* Reset every device (not the harts: virt_machine_boot does those). */
void virt_machine_reset_devices(VirtMachine *m);

/*
 * virt_fdt_build: the DT for @m with /chosen filled from @initrd_start/end
 * (both 0: no initrd).  Returns a packed blob (g_free) or NULL with @errp.
 * Lives in virt-fdt.c.
 */
void *virt_fdt_build(VirtMachine *m, uint64_t initrd_start,
                     uint64_t initrd_end, GError **errp);

/* Ask the main loop to stop the guest for @req (any hart's context). */
void virt_request(VirtMachine *m, VirtRequest req, int exit_code);

/* Hold or release the harts (the monitor's stop and cont); guest time
 * keeps running meanwhile, as on QEMU. */
void virt_set_paused(VirtMachine *m, bool paused);

/*
 * virt_main_loop: run the harts round-robin and the glib main context until
 * a request ends the process; returns the exit status.  main-loop.c.
 */
int virt_main_loop(VirtMachine *m);

/* Log a guest-visible problem (jams, bad boots) to -D or stderr. */
void virt_log(VirtMachine *m, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Internal to the board, for main-loop.c: refresh timer lines, and the ns
 * until the next timer deadline (-1: none). */
void virt_update_timers(VirtMachine *m);
int64_t virt_next_deadline_ns(VirtMachine *m);

#endif /* MACHINE_VIRT_H */
