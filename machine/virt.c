/*
 * machine/virt.c: the virt board: RAM, harts, on-board devices and boot.
 * See virt.h.
 */
#include <errno.h>
#include <libfdt.h>
#include <stdarg.h>
#include <sys/mman.h>

#include "chardev/chardev.h"
#include "hw/char/serial.h"
#include "hw/core/qdev.h"
#include "hw/misc/pvpanic-pci.h"
#include "hw/pci/pci-host.h"
#include "machine/boot.h"
#include "machine/clint.h"
#include "machine/plic.h"
#include "machine/sbi.h"
#include "machine/syscon.h"
#include "machine/virt.h"
#include "qom/error.h"

/* a2 (x12): where fw_dynamic hands OpenSBI its fw_dynamic_info. */
#define VIRT_REG_A2 12

/* PLIC contexts per hart: M-mode (MEIP) then S-mode (SEIP), as QEMU virt. */
#define VIRT_PLIC_CONTEXTS_PER_HART 2

struct VirtDevices {
    ClintState *clint;
    PlicState *plic;
    SerialState *uart0;
    SysconState *syscon;
    SbiState *sbi;          /* NULL with -bios PATH */
    PCIHostState *pci;      /* /machine/pci-host */
};

void virt_log(VirtMachine *m, const char *fmt, ...)
{
    FILE *f = m->cfg.log ? m->cfg.log : stderr;
    va_list ap;

    va_start(ap, fmt);
    vfprintf(f, fmt, ap);
    va_end(ap);
    fflush(f);
}

void virt_request(VirtMachine *m, VirtRequest req, int exit_code)
{
    if (m->request == VIRT_REQ_NONE) {
        m->request = req;
        m->exit_code = exit_code;
    }
    for (unsigned h = 0; h < m->nharts; h++) {
        m->accel->vcpu_kick(&m->vcpu[h]);
    }
}

void virt_set_paused(VirtMachine *m, bool paused)
{
    m->paused = paused;
    for (unsigned h = 0; h < m->nharts; h++) {
        m->accel->vcpu_kick(&m->vcpu[h]);
    }
}

/* ---- glue between the devices and the harts ------------------------------ */

static bool virt_bus_read(void *opaque, uint64_t paddr, unsigned size,
                          uint64_t *val)
{
    VirtMachine *m = opaque;
    bool ok = address_space_read(&m->sysmem, paddr, size, val);

    if (!ok && m->cfg.log_guest_errors) {
        virt_log(m, "guest_errors: read of %u bytes at 0x%" G_GINT64_MODIFIER
                 "x: no device\n", size, paddr);
    }
    return ok;
}

static bool virt_bus_write(void *opaque, uint64_t paddr, unsigned size,
                           uint64_t val)
{
    VirtMachine *m = opaque;
    bool ok = address_space_write(&m->sysmem, paddr, size, val);

    if (!ok && m->cfg.log_guest_errors) {
        virt_log(m, "guest_errors: write of %u bytes at 0x%" G_GINT64_MODIFIER
                 "x (0x%" G_GINT64_MODIFIER "x): no device\n", size, paddr,
                 val);
    }
    return ok;
}

static const RISCVBusOps virt_bus_ops = {
    .read = virt_bus_read,
    .write = virt_bus_write,
};

static uint64_t virt_get_time(void *opaque)
{
    VirtMachine *m = opaque;
    return clint_get_mtime(m->dev->clint);
}

static bool virt_ecall(void *opaque, RISCVCPU *cpu)
{
    VirtMachine *m = opaque;
    return sbi_ecall(m->dev->sbi, cpu);
}

static void virt_clint_set_mip(void *opaque, unsigned hart, uint64_t mask,
                               bool level)
{
    VirtMachine *m = opaque;
    m->accel->vcpu_set_irq(&m->vcpu[hart], mask, level);
}

static void virt_plic_output(void *opaque, unsigned ctx, bool level)
{
    VirtMachine *m = opaque;
    unsigned hart = ctx / VIRT_PLIC_CONTEXTS_PER_HART;
    uint64_t mask = ctx % VIRT_PLIC_CONTEXTS_PER_HART ? RISCV_MIP_SEIP
                                                       : RISCV_MIP_MEIP;
    m->accel->vcpu_set_irq(&m->vcpu[hart], mask, level);
}

static void virt_syscon_action(void *opaque, SysconAction action, int code)
{
    VirtMachine *m = opaque;

    switch (action) {
    case SYSCON_ACTION_POWEROFF:
        virt_request(m, VIRT_REQ_POWEROFF, 0);
        break;
    case SYSCON_ACTION_RESET:
        virt_request(m, VIRT_REQ_RESET, 0);
        break;
    case SYSCON_ACTION_FAIL:
        virt_request(m, VIRT_REQ_FAIL, code);
        break;
    }
}

/* Devices wrote RAM (DMA): the harts may have decoded code from it. */
static void virt_ram_written(void *opaque, uint64_t addr, uint64_t len)
{
    VirtMachine *m = opaque;
    /* The harts share one decode cache (cfg.sibling): one flush does. */
    if (m->vcpu[0].cpu) {
        riscv_cpu_flush_icache(m->vcpu[0].cpu);
    }
}

static void virt_sbi_putchar(void *opaque, uint8_t ch)
{
    VirtMachine *m = opaque;
    serial_console_putchar(m->dev->uart0, ch);
}

static int virt_sbi_getchar(void *opaque)
{
    VirtMachine *m = opaque;
    return serial_console_getchar(m->dev->uart0);
}

static void virt_sbi_reset(void *opaque, uint32_t type, uint32_t reason)
{
    VirtMachine *m = opaque;
    virt_request(m, type == SBI_SRST_SHUTDOWN ? VIRT_REQ_POWEROFF
                                              : VIRT_REQ_RESET, 0);
}

static const SbiOps virt_sbi_ops = {
    .get_time = virt_get_time,
    .console_putchar = virt_sbi_putchar,
    .console_getchar = virt_sbi_getchar,
    .system_reset = virt_sbi_reset,
};

void virt_update_timers(VirtMachine *m)
{
    clint_update(m->dev->clint);
    if (m->dev->sbi) {
        sbi_update_timers(m->dev->sbi, clint_get_mtime(m->dev->clint));
    }
}

int64_t virt_next_deadline_ns(VirtMachine *m)
{
    int64_t ns = clint_next_deadline_ns(m->dev->clint);

    if (m->dev->sbi) {
        int64_t t = sbi_next_deadline(m->dev->sbi,
                                      clint_get_mtime(m->dev->clint));
        if (t >= 0) {
            int64_t t_ns = t > INT64_MAX / (int64_t)CLINT_NS_PER_TICK ?
                           INT64_MAX : t * (int64_t)CLINT_NS_PER_TICK;
            ns = ns < 0 ? t_ns : MIN(ns, t_ns);
        }
    }
    return ns;
}

/* ---- construction --------------------------------------------------------- */

static bool virt_map(VirtMachine *m, MemoryRegion *mr, uint64_t addr,
                     GError **errp)
{
    return address_space_map_region(&m->sysmem, mr, addr, errp);
}

static bool virt_create_devices(VirtMachine *m, GError **errp)
{
    VirtDevices *d = m->dev;
    Chardev *serial = NULL;

    d->clint = clint_new(m->nharts, virt_clint_set_mip, NULL, m);
    d->plic = plic_new(VIRT_PLIC_NUM_SOURCES + 1 /* source 0 */,
                       m->nharts * VIRT_PLIC_CONTEXTS_PER_HART,
                       virt_plic_output, m);
    d->syscon = syscon_new(virt_syscon_action, m);
    if (m->cfg.serial_id) {
        serial = chardev_find(m->chardevs, m->cfg.serial_id);
        if (!serial) {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                        "chardev '%s' not found", m->cfg.serial_id);
            return false;
        }
    }
    d->uart0 = serial_new(serial, errp);
    if (!d->uart0) {
        return false;
    }
    irq_connect(serial_get_irq(d->uart0), plic_set_irq, d->plic,
                VIRT_UART0_IRQ);
    d->pci = pci_host_ecam_new(m->machine, &m->sysmem,
                               &PCI_HOST_VIRT_WINDOWS, errp);
    if (!d->pci) {
        return false;
    }
    for (unsigned i = 0; i < PCI_NUM_PINS; i++) {
        irq_connect(&d->pci->irq[i], plic_set_irq, d->plic, VIRT_PCIE_IRQ + i);
    }
    return virt_map(m, syscon_get_region(d->syscon), VIRT_TEST_BASE, errp) &&
           virt_map(m, clint_get_region(d->clint), VIRT_CLINT_BASE, errp) &&
           virt_map(m, plic_get_region(d->plic), VIRT_PLIC_BASE, errp) &&
           virt_map(m, serial_get_region(d->uart0), VIRT_UART0_BASE, errp);
}

static bool virt_create_harts(VirtMachine *m, GError **errp)
{
    m->accel = accel_find("interp");
    g_assert(m->accel);
    for (unsigned h = 0; h < m->nharts; h++) {
        RISCVCPUConfig cfg = {
            .hartid = h,
            .ram_base = VIRT_DRAM_BASE,
            .ram_size = m->cfg.ram_size,
            .ram = m->ram,
            .bus = &virt_bus_ops,
            .bus_opaque = m,
            .get_time = virt_get_time,
            .ecall_hook = m->cfg.bios ? NULL : virt_ecall,
            .opaque = m,
            .sibling = h ? m->vcpu[0].cpu : NULL,
        };
        if (!m->accel->vcpu_init(&m->vcpu[h], &cfg, errp)) {
            return false;
        }
    }
    return true;
}

VirtMachine *virt_machine_new(const VirtConfig *cfg, Object *root,
                              Object *chardevs, GError **errp)
{
    VirtMachine *m = g_new0(VirtMachine, 1);

    g_assert(cfg->smp >= 1 && cfg->smp <= VIRT_MAX_HARTS);
    m->cfg = *cfg;
    m->nharts = cfg->smp;
    m->paused = cfg->start_paused;
    m->root = root;
    m->chardevs = chardevs;
    m->machine = qdev_get_container(root, "machine");
    m->dev = g_new0(VirtDevices, 1);
    address_space_init(&m->sysmem, "memory");

    /* Untouched pages of an anonymous mapping cost no host memory. */
    void *ram = mmap(NULL, cfg->ram_size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (ram == MAP_FAILED) {
        g_set_error(errp, MV_ERROR, MV_ERROR_IO,
                    "cannot allocate %" G_GUINT64_FORMAT " bytes of RAM: %s",
                    cfg->ram_size, g_strerror(errno));
        virt_machine_free(m);
        return NULL;
    }
    m->ram = ram;
    address_space_set_ram(&m->sysmem, m->ram, VIRT_DRAM_BASE, cfg->ram_size);
    address_space_set_ram_notify(&m->sysmem, virt_ram_written, m);

    if (!virt_create_harts(m, errp) || !virt_create_devices(m, errp)) {
        virt_machine_free(m);
        return NULL;
    }
    if (!cfg->bios) {
        RISCVCPU *cpus[VIRT_MAX_HARTS];
        for (unsigned h = 0; h < m->nharts; h++) {
            cpus[h] = m->vcpu[h].cpu;
        }
        m->dev->sbi = sbi_new(cpus, m->nharts, &virt_sbi_ops, m);
    }
    return m;
}

void virt_machine_free(VirtMachine *m)
{
    if (!m) {
        return;
    }
    /* -device devices first: they may have mapped regions into sysmem. */
    object_unparent(m->machine);
    VirtDevices *d = m->dev;
    sbi_free(d->sbi);
    serial_free(d->uart0);
    syscon_free(d->syscon);
    plic_free(d->plic);
    clint_free(d->clint);
    g_free(d);
    for (unsigned h = m->nharts; h-- > 0; ) {
        if (m->vcpu[h].ops) {
            m->vcpu[h].ops->vcpu_destroy(&m->vcpu[h]);
        }
    }
    address_space_destroy(&m->sysmem);
    if (m->ram) {
        munmap(m->ram, m->cfg.ram_size);
    }
    g_free(m);
}

/* Reset bus roots only: qdev_reset() takes each one's buses down. */
static int virt_reset_child(Object *child, void *opaque)
{
    DeviceState *d = (DeviceState *)object_dynamic_cast(child, TYPE_DEVICE);

    if (d && d->realized && !d->parent_bus) {
        qdev_reset(d);
    }
    return 0;
}

void virt_machine_reset_devices(VirtMachine *m)
{
    clint_reset(m->dev->clint);
    plic_reset(m->dev->plic);
    serial_reset(m->dev->uart0);
    if (m->dev->sbi) {
        sbi_reset(m->dev->sbi);
    }
    qdev_reset(DEVICE(m->dev->pci));
    Object *periph = object_get_child(m->machine, "peripheral");
    Object *anon = object_get_child(m->machine, "peripheral-anon");
    Object *conts[] = { periph, anon };
    for (unsigned i = 0; i < G_N_ELEMENTS(conts); i++) {
        if (conts[i]) {
            object_child_foreach(conts[i], virt_reset_child, NULL);
        }
    }
}

static void virt_guest_panicked(void *opaque, unsigned events)
{
    VirtMachine *m = opaque;

    if (events & PVPANIC_PANICKED) {
        virt_request(m, VIRT_REQ_PANIC, 0);
    }
}

/* Give every pvpanic-pci from -device its way to us. */
static int virt_hook_pvpanic(Object *child, void *opaque)
{
    pvpanic_pci_set_handler(child, virt_guest_panicked, opaque);
    return 0;
}

void virt_machine_done(VirtMachine *m)
{
    const char *const conts[] = { "peripheral", "peripheral-anon" };

    for (unsigned i = 0; i < G_N_ELEMENTS(conts); i++) {
        Object *c = object_get_child(m->machine, conts[i]);
        if (c) {
            object_child_foreach(c, virt_hook_pvpanic, m);
        }
    }
    pci_host_ecam_machine_done(m->dev->pci);
}

/* ---- boot ------------------------------------------------------------------ */

bool virt_machine_boot(VirtMachine *m, GError **errp)
{
    AddressSpace *as = &m->sysmem;
    uint64_t ram_end = VIRT_DRAM_BASE + m->cfg.ram_size;
    uint64_t kernel_addr = VIRT_DRAM_BASE + BOOT_KERNEL_OFFSET;
    BootKernel k = { .entry = kernel_addr, .start = kernel_addr,
                     .end = kernel_addr };
    uint64_t initrd_start = 0, initrd_end = 0;

    if (!m->cfg.kernel && !m->cfg.bios) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "nothing to boot: give -kernel (or -bios PATH)");
        return false;
    }
    if (m->cfg.kernel &&
        !boot_load_kernel(as, m->cfg.kernel, kernel_addr, &k, errp)) {
        return false;
    }
    m->kernel_entry = k.entry;
    m->fdt_addr = boot_fdt_addr(VIRT_DRAM_BASE, m->cfg.ram_size);
    /* One page under the DT for OpenSBI's fw_dynamic_info. */
    uint64_t info_addr = m->fdt_addr - BOOT_INITRD_ALIGN;
    if (m->cfg.initrd) {
        g_autofree gchar *buf = NULL;
        gsize size;
        g_autoptr(GError) err = NULL;
        if (!g_file_get_contents(m->cfg.initrd, &buf, &size, &err)) {
            g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                        "could not load initrd '%s': %s", m->cfg.initrd,
                        err->message);
            return false;
        }
        if (!boot_initrd_place(size, k.end, info_addr, &initrd_start, errp)) {
            g_prefix_error(errp, "initrd '%s' ", m->cfg.initrd);
            return false;
        }
        dma_memory_write(as, initrd_start, buf, size);
        initrd_end = initrd_start + size;
    }
    if (m->cfg.bios) {
        uint64_t fw_size;
        uint64_t limit = m->cfg.kernel ? MAX(k.start, VIRT_DRAM_BASE)
                                       : info_addr;
        if (!boot_load_blob(as, "firmware", m->cfg.bios, VIRT_DRAM_BASE,
                            limit, &fw_size, errp) ||
            !boot_write_fw_dynamic_info(as, info_addr, kernel_addr, 0, errp)) {
            return false;
        }
    }

    g_autofree void *fdt = virt_fdt_build(m, initrd_start, initrd_end, errp);
    if (!fdt) {
        return false;
    }
    if (!dma_memory_write(as, m->fdt_addr, fdt, fdt_totalsize(fdt))) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "the device tree does not fit in RAM");
        return false;
    }
    g_assert(m->fdt_addr + fdt_totalsize(fdt) <= ram_end);

    for (unsigned h = 0; h < m->nharts; h++) {
        AccelVCPU *v = &m->vcpu[h];
        if (m->cfg.bios) {
            /* Every hart enters the firmware, which picks the boot hart. */
            m->accel->vcpu_reset(v, VIRT_DRAM_BASE, RISCV_PRV_M, h,
                                 m->fdt_addr);
            riscv_cpu_set_gpr(v->cpu, VIRT_REG_A2, info_addr);
            riscv_cpu_set_stopped(v->cpu, false);
        } else {
            /* Linux boot protocol: hart 0 in S-mode, satp = 0; the others
             * wait for an SBI HSM hart_start. */
            m->accel->vcpu_reset(v, k.entry, RISCV_PRV_S, h, m->fdt_addr);
            riscv_cpu_set_stopped(v->cpu, h != 0);
        }
        riscv_cpu_flush_icache(v->cpu);
    }
    return true;
}
