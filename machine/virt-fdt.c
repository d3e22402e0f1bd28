/*
 * machine/virt-fdt.c: the device tree of the virt board, built with libfdt
 * at boot.  Node names, compatibles and cells follow QEMU's riscv virt DT
 * (dumpdtb), so guests and users see the same description.
 */
#include <libfdt.h>
#include <string.h>

#include "machine/boot.h"
#include "machine/clint.h"
#include "machine/plic.h"
#include "machine/syscon.h"
#include "machine/virt.h"
#include "hw/char/serial.h"
#include "hw/pci/pci-host.h"
#include "qom/error.h"

/* The UART's input clock: 3.6864 MHz (QEMU virt's). */
#define VIRT_UART_CLOCK_FREQ 0x384000
/* riscv,cpu-intc interrupt numbers = mip bit numbers (privileged spec). */
#define INTC_M_SOFT  3
#define INTC_M_TIMER 7
#define INTC_S_EXT   9
#define INTC_M_EXT  11

/* Builds into a fixed buffer, remembering the first libfdt error. */
typedef struct FdtBuilder {
    void *fdt;
    int err;
    const char *what;
} FdtBuilder;

static void fb_check(FdtBuilder *b, int r, const char *what)
{
    if (r < 0 && !b->err) {
        b->err = r;
        b->what = what;
    }
}

static int fb_node(FdtBuilder *b, int parent, const char *name)
{
    if (b->err) {
        return -1;
    }
    int r = fdt_add_subnode(b->fdt, parent, name);
    fb_check(b, r, name);
    return r;
}

static void fb_prop(FdtBuilder *b, int node, const char *name,
                    const void *val, int len)
{
    if (!b->err) {
        fb_check(b, fdt_setprop(b->fdt, node, name, val, len), name);
    }
}

static void fb_str(FdtBuilder *b, int node, const char *name, const char *s)
{
    fb_prop(b, node, name, s, strlen(s) + 1);
}

/* A string list, written as its strings with their NULs: "a\0b" gives 4. */
static void fb_strlist(FdtBuilder *b, int node, const char *name,
                       const char *s, int len_with_nuls)
{
    fb_prop(b, node, name, s, len_with_nuls);
}

static void fb_cells(FdtBuilder *b, int node, const char *name,
                     const uint32_t *cells, unsigned n)
{
    fdt32_t be[PCI_HOST_DT_IMAP_CELLS];

    g_assert(n <= G_N_ELEMENTS(be));
    for (unsigned i = 0; i < n; i++) {
        be[i] = cpu_to_fdt32(cells[i]);
    }
    fb_prop(b, node, name, be, n * sizeof(be[0]));
}

static void fb_u32(FdtBuilder *b, int node, const char *name, uint32_t v)
{
    fb_cells(b, node, name, &v, 1);
}

static void fb_u64(FdtBuilder *b, int node, const char *name, uint64_t v)
{
    fdt64_t be = cpu_to_fdt64(v);
    fb_prop(b, node, name, &be, sizeof(be));
}

/* reg = <base size> with #address-cells = #size-cells = 2. */
static void fb_reg(FdtBuilder *b, int node, uint64_t base, uint64_t size)
{
    const uint32_t reg[] = { base >> 32, base, size >> 32, size };
    fb_cells(b, node, "reg", reg, G_N_ELEMENTS(reg));
}

/* Phandles of the nodes others point at; hart h's cpu node is
 * PH_CPU_BASE + 2h and its interrupt controller the next one. */
enum { PH_PLIC = 1, PH_TEST = 2, PH_CPU_BASE = 0x100 };

#define FB_STRLIST(b, node, name, lit) \
    fb_strlist(b, node, name, lit, sizeof(lit))

static void fdt_add_cpus(FdtBuilder *b, VirtMachine *m, uint32_t *intc)
{
    int cpus = fb_node(b, 0, "cpus");
    fb_u32(b, cpus, "#address-cells", 1);
    fb_u32(b, cpus, "#size-cells", 0);
    fb_u32(b, cpus, "timebase-frequency", CLINT_TIMEBASE_FREQ);

    uint32_t cpu_ph[VIRT_MAX_HARTS];
    /* libfdt adds subnodes first in the list: create in reverse order. */
    for (int h = m->nharts - 1; h >= 0; h--) {
        char name[16];
        g_snprintf(name, sizeof(name), "cpu@%d", h);
        int cpu = fb_node(b, cpus, name);
        cpu_ph[h] = PH_CPU_BASE + 2 * h;
        intc[h] = PH_CPU_BASE + 2 * h + 1;
        fb_u32(b, cpu, "phandle", cpu_ph[h]);
        fb_str(b, cpu, "device_type", "cpu");
        fb_u32(b, cpu, "reg", h);
        fb_str(b, cpu, "status", "okay");
        fb_str(b, cpu, "compatible", "riscv");
        fb_str(b, cpu, "riscv,isa", VIRT_RISCV_ISA);
        fb_str(b, cpu, "riscv,isa-base", "rv64i");
        FB_STRLIST(b, cpu, "riscv,isa-extensions",
                   "i\0m\0a\0f\0d\0c\0zicsr\0zifencei");
        fb_str(b, cpu, "mmu-type", "riscv,sv48");
        int ic = fb_node(b, cpu, "interrupt-controller");
        fb_u32(b, ic, "#interrupt-cells", 1);
        fb_prop(b, ic, "interrupt-controller", NULL, 0);
        fb_str(b, ic, "compatible", "riscv,cpu-intc");
        fb_u32(b, ic, "phandle", intc[h]);
    }
    int map = fb_node(b, cpus, "cpu-map");
    int cluster = fb_node(b, map, "cluster0");
    for (int h = m->nharts - 1; h >= 0; h--) {
        char name[16];
        g_snprintf(name, sizeof(name), "core%d", h);
        int core = fb_node(b, cluster, name);
        fb_u32(b, core, "cpu", cpu_ph[h]);
    }
}


static void fdt_add_pci(FdtBuilder *b, int soc)
{
    const PCIHostWindows w = PCI_HOST_VIRT_WINDOWS;
    uint32_t ranges[PCI_HOST_DT_RANGES_CELLS];
    uint32_t imap[PCI_HOST_DT_IMAP_CELLS];
    const uint32_t imap_mask[] = { PCI_HOST_DT_IMAP_MASK_HI, 0, 0,
                                   PCI_HOST_DT_IMAP_MASK_PIN };
    const uint32_t bus_range[] = { 0, pci_host_dt_last_bus(&w) };
    char name[32];

    g_snprintf(name, sizeof(name), "pci@%" G_GINT64_MODIFIER "x", w.ecam_base);
    int pci = fb_node(b, soc, name);
    fb_cells(b, pci, "interrupt-map-mask", imap_mask, G_N_ELEMENTS(imap_mask));
    fb_cells(b, pci, "interrupt-map", imap,
             pci_host_dt_interrupt_map(PH_PLIC, VIRT_PCIE_IRQ, imap));
    fb_cells(b, pci, "ranges", ranges, pci_host_dt_ranges(&w, ranges));
    fb_reg(b, pci, w.ecam_base, w.ecam_size);
    fb_prop(b, pci, "dma-coherent", NULL, 0);
    fb_cells(b, pci, "bus-range", bus_range, G_N_ELEMENTS(bus_range));
    fb_u32(b, pci, "linux,pci-domain", 0);
    fb_str(b, pci, "device_type", "pci");
    fb_str(b, pci, "compatible", PCI_HOST_DT_COMPATIBLE);
    fb_u32(b, pci, "#size-cells", PCI_HOST_DT_SIZE_CELLS);
    fb_u32(b, pci, "#interrupt-cells", PCI_HOST_DT_INTERRUPT_CELLS);
    fb_u32(b, pci, "#address-cells", PCI_HOST_DT_ADDRESS_CELLS);
}

/* interrupts-extended = <intc0 @a intc0 @b intc1 @a ...>: two lines of
 * every hart's local interrupt controller. */
static void fb_hart_irqs(FdtBuilder *b, int node, const uint32_t *intc,
                         unsigned nharts, uint32_t a, uint32_t bb)
{
    uint32_t cells[4 * VIRT_MAX_HARTS];

    for (unsigned h = 0; h < nharts; h++) {
        cells[4 * h + 0] = intc[h];
        cells[4 * h + 1] = a;
        cells[4 * h + 2] = intc[h];
        cells[4 * h + 3] = bb;
    }
    fb_cells(b, node, "interrupts-extended", cells, 4 * nharts);
}

static void fdt_add_soc(FdtBuilder *b, VirtMachine *m, const uint32_t *intc)
{
    char name[32];

    int soc = fb_node(b, 0, "soc");
    fb_u32(b, soc, "#address-cells", 2);
    fb_u32(b, soc, "#size-cells", 2);
    fb_str(b, soc, "compatible", "simple-bus");
    fb_prop(b, soc, "ranges", NULL, 0);

    g_snprintf(name, sizeof(name), "clint@%llx", VIRT_CLINT_BASE);
    int clint = fb_node(b, soc, name);
    fb_hart_irqs(b, clint, intc, m->nharts, INTC_M_SOFT, INTC_M_TIMER);
    fb_reg(b, clint, VIRT_CLINT_BASE, CLINT_MMIO_SIZE);
    FB_STRLIST(b, clint, "compatible", "sifive,clint0\0riscv,clint0");

    g_snprintf(name, sizeof(name), "plic@%llx", VIRT_PLIC_BASE);
    int plic = fb_node(b, soc, name);
    fb_u32(b, plic, "phandle", PH_PLIC);
    fb_u32(b, plic, "riscv,ndev", VIRT_PLIC_NUM_SOURCES);
    fb_reg(b, plic, VIRT_PLIC_BASE, PLIC_MMIO_SIZE);
    fb_hart_irqs(b, plic, intc, m->nharts, INTC_M_EXT, INTC_S_EXT);
    fb_prop(b, plic, "interrupt-controller", NULL, 0);
    FB_STRLIST(b, plic, "compatible", "sifive,plic-1.0.0\0riscv,plic0");
    fb_u32(b, plic, "#address-cells", 0);
    fb_u32(b, plic, "#interrupt-cells", 1);

    g_snprintf(name, sizeof(name), "serial@%llx", VIRT_UART0_BASE);
    int uart = fb_node(b, soc, name);
    fb_u32(b, uart, "interrupts", VIRT_UART0_IRQ);
    fb_u32(b, uart, "interrupt-parent", PH_PLIC);
    fb_u32(b, uart, "clock-frequency", VIRT_UART_CLOCK_FREQ);
    fb_reg(b, uart, VIRT_UART0_BASE, SERIAL_MMIO_SIZE);
    fb_str(b, uart, "compatible", "ns16550a");

    fdt_add_pci(b, soc);

    g_snprintf(name, sizeof(name), "test@%llx", VIRT_TEST_BASE);
    int test = fb_node(b, soc, name);
    fb_u32(b, test, "phandle", PH_TEST);
    fb_reg(b, test, VIRT_TEST_BASE, SYSCON_MMIO_SIZE);
    FB_STRLIST(b, test, "compatible", "sifive,test1\0sifive,test0\0syscon");
}

static void fdt_add_syscon_action(FdtBuilder *b, const char *node_name,
                                  const char *compat, uint32_t value)
{
    int n = fb_node(b, 0, node_name);
    fb_u32(b, n, "value", value);
    fb_u32(b, n, "offset", 0);
    fb_u32(b, n, "regmap", PH_TEST);
    fb_str(b, n, "compatible", compat);
}

void *virt_fdt_build(VirtMachine *m, uint64_t initrd_start,
                     uint64_t initrd_end, GError **errp)
{
    FdtBuilder b = { .fdt = g_malloc0(BOOT_FDT_MAX_SIZE) };
    uint32_t intc[VIRT_MAX_HARTS];
    char name[32];

    fb_check(&b, fdt_create_empty_tree(b.fdt, BOOT_FDT_MAX_SIZE), "/");
    fb_u32(&b, 0, "#address-cells", 2);
    fb_u32(&b, 0, "#size-cells", 2);
    fb_str(&b, 0, "compatible", "riscv-virtio");
    fb_str(&b, 0, "model", "riscv-virtio,minivirt");

    /* The cpus first: the soc's interrupt lines name their intc nodes.
     * (libfdt lists subnodes newest first, so the order is reversed.) */
    fdt_add_cpus(&b, m, intc);
    fdt_add_soc(&b, m, intc);

    g_snprintf(name, sizeof(name), "memory@%llx", VIRT_DRAM_BASE);
    int mem = fb_node(&b, 0, name);
    fb_str(&b, mem, "device_type", "memory");
    fb_reg(&b, mem, VIRT_DRAM_BASE, m->cfg.ram_size);

    fdt_add_syscon_action(&b, "reboot", "syscon-reboot", SYSCON_RESET);
    fdt_add_syscon_action(&b, "poweroff", "syscon-poweroff", SYSCON_PASS);

    int chosen = fb_node(&b, 0, "chosen");
    /* The UART is the console and earlycon, also when the kernel's
     * console is hvc0 (the SBI console). */
    g_snprintf(name, sizeof(name), "/soc/serial@%llx", VIRT_UART0_BASE);
    fb_str(&b, chosen, "stdout-path", name);
    if (m->cfg.append) {
        fb_str(&b, chosen, "bootargs", m->cfg.append);
    }
    if (initrd_end > initrd_start) {
        fb_u64(&b, chosen, "linux,initrd-start", initrd_start);
        fb_u64(&b, chosen, "linux,initrd-end", initrd_end);
    }

    if (!b.err) {
        fb_check(&b, fdt_pack(b.fdt), "pack");
    }
    if (b.err) {
        g_set_error(errp, MV_ERROR, MV_ERROR_FAILED,
                    "building the device tree failed at '%s': %s",
                    b.what, fdt_strerror(b.err));
        g_free(b.fdt);
        return NULL;
    }
    return b.fdt;
}
