/*
 * machine/boot.c: image loaders and placement, see boot.h.
 */
#include <elf.h>
#include <string.h>

#include "machine/boot.h"
#include "qom/error.h"

/* Offsets in the riscv Image header (boot-image-header.rst). */
#define IMAGE_OFF_IMAGE_SIZE 16
#define IMAGE_OFF_MAGIC      48
#define IMAGE_OFF_MAGIC2     56

static uint64_t ld64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) {
        v = (v << 8) | p[i];
    }
    return v;
}

static uint32_t ld32(const uint8_t *p)
{
    return p[0] | (p[1] << 8) | (p[2] << 16) | ((uint32_t)p[3] << 24);
}

bool boot_image_header_parse(const uint8_t *buf, size_t len,
                             uint64_t *image_size)
{
    if (len < RISCV_IMAGE_HEADER_SIZE ||
        ld32(buf + IMAGE_OFF_MAGIC2) != RISCV_IMAGE_MAGIC2 ||
        ld64(buf + IMAGE_OFF_MAGIC) != RISCV_IMAGE_MAGIC) {
        return false;
    }
    *image_size = ld64(buf + IMAGE_OFF_IMAGE_SIZE);
    return true;
}

/* Bytes of RAM from @addr to its end (0 if @addr is outside RAM). */
static uint64_t ram_left(const AddressSpace *as, uint64_t addr)
{
    if (addr < as->ram_base || addr - as->ram_base >= as->ram_size) {
        return 0;
    }
    return as->ram_size - (addr - as->ram_base);
}

static bool load_at(AddressSpace *as, const char *what, const char *path,
                    const uint8_t *data, uint64_t len, uint64_t footprint,
                    uint64_t addr, GError **errp)
{
    uint64_t left = ram_left(as, addr);

    if (MAX(len, footprint) > left) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "%s '%s' (%" G_GUINT64_FORMAT " bytes) does not fit in "
                    "RAM at 0x%" G_GINT64_MODIFIER "x (%" G_GUINT64_FORMAT
                    " bytes left)", what, path, MAX(len, footprint), addr,
                    left);
        return false;
    }
    if (!dma_memory_write(as, addr, data, len)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "%s '%s': cannot write RAM at 0x%" G_GINT64_MODIFIER "x",
                    what, path, addr);
        return false;
    }
    return true;
}

static bool elf_error(GError **errp, const char *path, const char *why)
{
    g_set_error(errp, MV_ERROR, MV_ERROR_INVALID, "kernel '%s': %s", path, why);
    return false;
}

static bool load_elf(AddressSpace *as, const char *path, const uint8_t *buf,
                     size_t len, BootKernel *out, GError **errp)
{
    Elf64_Ehdr eh;

    if (len < sizeof(eh)) {
        return elf_error(errp, path, "truncated ELF header");
    }
    memcpy(&eh, buf, sizeof(eh));
    if (eh.e_ident[EI_CLASS] != ELFCLASS64 ||
        eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_RISCV) {
        return elf_error(errp, path, "not a little-endian 64-bit RISC-V ELF");
    }
    if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
        (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff) {
        return elf_error(errp, path, "program headers outside the file");
    }
    out->format = BOOT_KERNEL_ELF;
    out->start = UINT64_MAX;
    out->end = 0;
    out->entry = eh.e_entry;
    bool entry_mapped = false;
    for (unsigned i = 0; i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, buf + eh.e_phoff + i * sizeof(ph), sizeof(ph));
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0) {
            continue;
        }
        if (ph.p_filesz > ph.p_memsz || ph.p_offset > len ||
            ph.p_filesz > len - ph.p_offset) {
            return elf_error(errp, path, "segment outside the file");
        }
        if (!load_at(as, "kernel", path, buf + ph.p_offset, ph.p_filesz,
                     ph.p_memsz, ph.p_paddr, errp)) {
            return false;
        }
        /* .bss: RAM may hold an earlier boot's bytes after a reboot. */
        for (uint64_t off = ph.p_filesz; off < ph.p_memsz; ) {
            static const uint8_t zeros[4096];
            uint64_t n = MIN(sizeof(zeros), ph.p_memsz - off);
            dma_memory_write(as, ph.p_paddr + off, zeros, n);
            off += n;
        }
        /* A vmlinux's entry is virtual: map it through its segment. */
        if (!entry_mapped && eh.e_entry >= ph.p_vaddr &&
            eh.e_entry - ph.p_vaddr < ph.p_memsz) {
            out->entry = ph.p_paddr + (eh.e_entry - ph.p_vaddr);
            entry_mapped = true;
        }
        out->start = MIN(out->start, ph.p_paddr);
        out->end = MAX(out->end, ph.p_paddr + ph.p_memsz);
    }
    if (out->end == 0) {
        return elf_error(errp, path, "no loadable segment");
    }
    return true;
}

static bool read_file(const char *what, const char *path, gchar **buf,
                      gsize *len, GError **errp)
{
    g_autoptr(GError) err = NULL;

    if (!g_file_get_contents(path, buf, len, &err)) {
        g_set_error(errp, MV_ERROR, MV_ERROR_NOT_FOUND,
                    "could not load %s '%s': %s", what, path, err->message);
        return false;
    }
    return true;
}

bool boot_load_kernel(AddressSpace *as, const char *path, uint64_t load_addr,
                      BootKernel *out, GError **errp)
{
    g_autofree gchar *buf = NULL;
    gsize len;
    uint64_t image_size = 0;

    if (!read_file("kernel", path, &buf, &len, errp)) {
        return false;
    }
    const uint8_t *data = (const uint8_t *)buf;
    if (len >= SELFMAG && !memcmp(data, ELFMAG, SELFMAG)) {
        return load_elf(as, path, data, len, out, errp);
    }
    out->format = boot_image_header_parse(data, len, &image_size) ?
                  BOOT_KERNEL_IMAGE : BOOT_KERNEL_RAW;
    if (!load_at(as, "kernel", path, data, len, image_size, load_addr, errp)) {
        return false;
    }
    out->entry = load_addr;
    out->start = load_addr;
    out->end = load_addr + MAX(len, image_size);
    return true;
}

bool boot_load_blob(AddressSpace *as, const char *what, const char *path,
                    uint64_t addr, uint64_t limit, uint64_t *size,
                    GError **errp)
{
    g_autofree gchar *buf = NULL;
    gsize len;

    if (!read_file(what, path, &buf, &len, errp)) {
        return false;
    }
    if (addr > limit || len > limit - addr) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "%s '%s' (%" G_GSIZE_FORMAT " bytes) is too large: "
                    "0x%" G_GINT64_MODIFIER "x..0x%" G_GINT64_MODIFIER
                    "x has %" G_GUINT64_FORMAT " bytes",
                    what, path, len, addr, limit, limit > addr ? limit - addr : 0);
        return false;
    }
    if (!load_at(as, what, path, (const uint8_t *)buf, len, 0, addr, errp)) {
        return false;
    }
    *size = len;
    return true;
}

uint64_t boot_fdt_addr(uint64_t ram_base, uint64_t ram_size)
{
    uint64_t end = ram_base + ram_size;
    return (end - BOOT_FDT_MAX_SIZE) & ~(BOOT_FDT_ALIGN - 1);
}

bool boot_initrd_place(uint64_t size, uint64_t kernel_end, uint64_t top,
                       uint64_t *start, GError **errp)
{
    uint64_t s = top > size ? (top - size) & ~(BOOT_INITRD_ALIGN - 1) : 0;

    if (top < size || s < kernel_end) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "(%" G_GUINT64_FORMAT " bytes) does not fit "
                    "between the kernel (ending at 0x%" G_GINT64_MODIFIER
                    "x) and the device tree at 0x%" G_GINT64_MODIFIER "x; "
                    "give the machine more memory with -m",
                    size, kernel_end, top);
        return false;
    }
    *start = s;
    return true;
}

bool boot_write_fw_dynamic_info(AddressSpace *as, uint64_t addr,
                                uint64_t next_addr, uint64_t boot_hart,
                                GError **errp)
{
    const uint64_t info[FW_DYNAMIC_INFO_SIZE / 8] = {
        FW_DYNAMIC_INFO_MAGIC, FW_DYNAMIC_INFO_VERSION, next_addr,
        FW_DYNAMIC_INFO_NEXT_MODE_S, 0 /* options */, boot_hart,
    };
    uint8_t le[FW_DYNAMIC_INFO_SIZE];

    for (unsigned i = 0; i < G_N_ELEMENTS(info); i++) {
        for (unsigned b = 0; b < 8; b++) {
            le[i * 8 + b] = info[i] >> (8 * b);
        }
    }
    if (!dma_memory_write(as, addr, le, sizeof(le))) {
        g_set_error(errp, MV_ERROR, MV_ERROR_INVALID,
                    "fw_dynamic_info at 0x%" G_GINT64_MODIFIER "x is outside RAM",
                    addr);
        return false;
    }
    return true;
}
