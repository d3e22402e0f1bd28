/*
 * tests/unit/test-boot.c: the image loaders and placement rules of
 * machine/boot.h, with images written to a temporary directory.
 */
#include <elf.h>
#include <glib/gstdio.h>
#include <string.h>

#include "machine/boot.h"
#include "qom/error.h"

#define RAM_BASE 0x80000000ull
#define MiB (1024ull * 1024)

typedef struct Fixture {
    AddressSpace as;
    uint8_t *ram;
    uint64_t ram_size;
    char *dir;
} Fixture;

static void setup_size(Fixture *f, uint64_t size)
{
    f->ram_size = size;
    f->ram = g_malloc(size);
    memset(f->ram, 0xff, size);     /* "an earlier boot's bytes" */
    address_space_init(&f->as, "test");
    address_space_set_ram(&f->as, f->ram, RAM_BASE, size);
    f->dir = g_dir_make_tmp("test-boot-XXXXXX", NULL);
    g_assert_nonnull(f->dir);
}

static void setup(Fixture *f, gconstpointer data)
{
    setup_size(f, 16 * MiB);
}

static void setup_small(Fixture *f, gconstpointer data)
{
    setup_size(f, 4 * MiB);
}

static void teardown(Fixture *f, gconstpointer data)
{
    g_autoptr(GDir) d = g_dir_open(f->dir, 0, NULL);
    const char *name;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *p = g_build_filename(f->dir, name, NULL);
        g_unlink(p);
    }
    g_rmdir(f->dir);
    g_free(f->dir);
    address_space_destroy(&f->as);
    g_free(f->ram);
}

static char *write_file(Fixture *f, const char *name, const void *data,
                        size_t len)
{
    char *path = g_build_filename(f->dir, name, NULL);
    g_assert_true(g_file_set_contents(path, data, len, NULL));
    return path;
}

/* A riscv Image header (boot-image-header.rst) followed by @len - 64 bytes
 * of pattern. */
static uint8_t *make_image(size_t len, uint64_t image_size)
{
    uint8_t *buf = g_malloc(len);
    for (size_t i = 0; i < len; i++) {
        buf[i] = i * 7 + 1;
    }
    memset(buf, 0, RISCV_IMAGE_HEADER_SIZE);
    for (unsigned b = 0; b < 8; b++) {
        buf[16 + b] = image_size >> (8 * b);
    }
    memcpy(buf + 48, "RISCV\0\0\0", 8);
    memcpy(buf + 56, "RSC\x05", 4);
    return buf;
}

static void test_image_header(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *img = make_image(4096, 0x123000);
    uint64_t size = 0;

    g_assert_true(boot_image_header_parse(img, 4096, &size));
    g_assert_cmphex(size, ==, 0x123000);
    g_assert_false(boot_image_header_parse(img, 63, &size));
    img[56] = 'X';
    g_assert_false(boot_image_header_parse(img, 4096, &size));
}

static void test_load_image(Fixture *f, gconstpointer data)
{
    g_autofree uint8_t *img = make_image(8192, 3 * MiB);
    g_autofree char *path = write_file(f, "Image", img, 8192);
    BootKernel k;
    uint64_t addr = RAM_BASE + BOOT_KERNEL_OFFSET;

    g_assert_true(boot_load_kernel(&f->as, path, addr, &k, NULL));
    g_assert_cmpint(k.format, ==, BOOT_KERNEL_IMAGE);
    g_assert_cmphex(k.entry, ==, addr);
    /* The kernel owns image_size bytes (its bss), not just the file. */
    g_assert_cmphex(k.end, ==, addr + 3 * MiB);
    g_assert_cmpmem(f->ram + BOOT_KERNEL_OFFSET, 8192, img, 8192);
}

static void test_oversized_kernel(Fixture *f, gconstpointer data)
{
    /* 4 MiB of RAM leaves 2 MiB above the kernel's load address. */
    size_t len = 3 * MiB;
    g_autofree uint8_t *img = make_image(len, 0);
    g_autofree char *path = write_file(f, "big", img, len);
    g_autoptr(GError) err = NULL;
    BootKernel k;

    g_assert_false(boot_load_kernel(&f->as, path, RAM_BASE + BOOT_KERNEL_OFFSET,
                                    &k, &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_INVALID);
    g_autofree char *want = g_strdup_printf(
        "kernel '%s' (3145728 bytes) does not fit in RAM at 0x80200000 "
        "(2097152 bytes left)", path);
    g_assert_cmpstr(err->message, ==, want);
    /* Nothing was written. */
    g_assert_cmphex(f->ram[BOOT_KERNEL_OFFSET], ==, 0xff);

    /* An Image whose bss does not fit is refused as well. */
    g_autofree uint8_t *img2 = make_image(4096, 2 * MiB + 1);
    g_autofree char *path2 = write_file(f, "bss", img2, 4096);
    g_clear_error(&err);
    g_assert_false(boot_load_kernel(&f->as, path2,
                                    RAM_BASE + BOOT_KERNEL_OFFSET, &k, &err));
    g_assert_nonnull(strstr(err->message, "does not fit in RAM"));
}

static void test_missing_file(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    BootKernel k;

    g_assert_false(boot_load_kernel(&f->as, "/nonexistent/Image", RAM_BASE, &k,
                                    &err));
    g_assert_error(err, MV_ERROR, MV_ERROR_NOT_FOUND);
    g_assert_true(g_str_has_prefix(err->message,
                                   "could not load kernel '/nonexistent/Image'"));
}

/* An ELF64 RISC-V file with one PT_LOAD: 16 bytes in the file, 32 in
 * memory, linked at a virtual address and placed by paddr. */
static size_t make_elf(uint8_t *buf, uint16_t machine, uint64_t paddr)
{
    Elf64_Ehdr eh = { 0 };
    Elf64_Phdr ph = { 0 };

    memcpy(eh.e_ident, ELFMAG, SELFMAG);
    eh.e_ident[EI_CLASS] = ELFCLASS64;
    eh.e_ident[EI_DATA] = ELFDATA2LSB;
    eh.e_ident[EI_VERSION] = EV_CURRENT;
    eh.e_type = ET_EXEC;
    eh.e_machine = machine;
    eh.e_version = EV_CURRENT;
    eh.e_entry = 0xffffffff80000004ull;
    eh.e_phoff = sizeof(eh);
    eh.e_ehsize = sizeof(eh);
    eh.e_phentsize = sizeof(ph);
    eh.e_phnum = 1;
    ph.p_type = PT_LOAD;
    ph.p_offset = sizeof(eh) + sizeof(ph);
    ph.p_vaddr = 0xffffffff80000000ull;
    ph.p_paddr = paddr;
    ph.p_filesz = 16;
    ph.p_memsz = 32;
    memcpy(buf, &eh, sizeof(eh));
    memcpy(buf + sizeof(eh), &ph, sizeof(ph));
    for (unsigned i = 0; i < 16; i++) {
        buf[ph.p_offset + i] = 0xa0 + i;
    }
    return ph.p_offset + 16;
}

static void test_load_elf(Fixture *f, gconstpointer data)
{
    uint8_t buf[512];
    size_t len = make_elf(buf, EM_RISCV, RAM_BASE + 0x300000);
    g_autofree char *path = write_file(f, "vmlinux", buf, len);
    BootKernel k;

    g_assert_true(boot_load_kernel(&f->as, path, RAM_BASE + BOOT_KERNEL_OFFSET,
                                   &k, NULL));
    g_assert_cmpint(k.format, ==, BOOT_KERNEL_ELF);
    /* The virtual entry is mapped through its segment to a paddr. */
    g_assert_cmphex(k.entry, ==, RAM_BASE + 0x300004);
    g_assert_cmphex(k.end, ==, RAM_BASE + 0x300020);
    g_assert_cmphex(f->ram[0x300000], ==, 0xa0);
    g_assert_cmphex(f->ram[0x30000f], ==, 0xaf);
    /* .bss is zeroed, and nothing past it is touched. */
    for (unsigned i = 16; i < 32; i++) {
        g_assert_cmphex(f->ram[0x300000 + i], ==, 0);
    }
    g_assert_cmphex(f->ram[0x300020], ==, 0xff);
}

static void test_bad_elf(Fixture *f, gconstpointer data)
{
    uint8_t buf[512];
    BootKernel k;
    g_autoptr(GError) err = NULL;

    size_t len = make_elf(buf, EM_X86_64, RAM_BASE + 0x300000);
    g_autofree char *p1 = write_file(f, "x86", buf, len);
    g_assert_false(boot_load_kernel(&f->as, p1, RAM_BASE, &k, &err));
    g_assert_nonnull(strstr(err->message, "not a little-endian 64-bit RISC-V ELF"));

    /* A segment outside RAM is refused, not written anywhere. */
    len = make_elf(buf, EM_RISCV, 0x1000);
    g_autofree char *p2 = write_file(f, "low", buf, len);
    g_clear_error(&err);
    g_assert_false(boot_load_kernel(&f->as, p2, RAM_BASE, &k, &err));
    g_assert_nonnull(strstr(err->message, "does not fit in RAM at 0x1000"));

    /* Truncated program headers. */
    len = make_elf(buf, EM_RISCV, RAM_BASE);
    g_autofree char *p3 = write_file(f, "trunc", buf, sizeof(Elf64_Ehdr) + 8);
    g_clear_error(&err);
    g_assert_false(boot_load_kernel(&f->as, p3, RAM_BASE, &k, &err));
    g_assert_nonnull(strstr(err->message, "program headers outside the file"));
}

static void test_placement(Fixture *f, gconstpointer data)
{
    g_autoptr(GError) err = NULL;
    uint64_t start;

    /* The DT takes the last 2 MiB-aligned slot: 256 MiB at 0x80000000 gives
     * 0x8fe00000, as QEMU and OpenSBI's "Next Arg1" show. */
    g_assert_cmphex(boot_fdt_addr(RAM_BASE, 256 * MiB), ==, 0x8fe00000);
    g_assert_cmphex(boot_fdt_addr(RAM_BASE, 16 * MiB), ==, 0x80e00000);

    /* The initrd ends page-aligned under the top it is given ... */
    g_assert_true(boot_initrd_place(0x1800, 0x80400000, 0x80e00000, &start,
                                    NULL));
    g_assert_cmphex(start, ==, 0x80dfe000);
    /* ... and never overlaps the kernel. */
    g_assert_false(boot_initrd_place(0xa00001, 0x80400000, 0x80e00000, &start,
                                     &err));
    g_assert_nonnull(strstr(err->message, "does not fit between the kernel"));
    g_clear_error(&err);
    g_assert_false(boot_initrd_place(UINT64_MAX, 0, 0x80e00000, &start, &err));
}

static void test_fw_dynamic_info(Fixture *f, gconstpointer data)
{
    uint64_t v[6];

    g_assert_true(boot_write_fw_dynamic_info(&f->as, RAM_BASE + 0x1000,
                                             RAM_BASE + BOOT_KERNEL_OFFSET, 0,
                                             NULL));
    for (unsigned i = 0; i < 6; i++) {
        g_assert_true(dma_load64(&f->as, RAM_BASE + 0x1000 + 8 * i, &v[i]));
    }
    g_assert_cmphex(v[0], ==, 0x4942534f);      /* "OSBI" */
    g_assert_cmpuint(v[1], ==, 2);
    g_assert_cmphex(v[2], ==, 0x80200000);
    g_assert_cmpuint(v[3], ==, 1);              /* S-mode */
    g_assert_cmpuint(v[4], ==, 0);
    g_assert_cmpuint(v[5], ==, 0);
    g_assert_false(boot_write_fw_dynamic_info(&f->as, RAM_BASE - 8, 0, 0, NULL));
}

static void test_blob_limit(Fixture *f, gconstpointer data)
{
    static uint8_t fw[4096];
    g_autofree char *path = write_file(f, "fw.bin", fw, sizeof(fw));
    g_autoptr(GError) err = NULL;
    uint64_t size;

    g_assert_true(boot_load_blob(&f->as, "firmware", path, RAM_BASE,
                                 RAM_BASE + 4096, &size, NULL));
    g_assert_cmpuint(size, ==, 4096);
    g_assert_false(boot_load_blob(&f->as, "firmware", path, RAM_BASE,
                                  RAM_BASE + 4095, &size, &err));
    g_assert_nonnull(strstr(err->message, "is too large"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
#define ADD(path, fn) g_test_add(path, Fixture, NULL, setup, fn, teardown)
    ADD("/boot/image/header", test_image_header);
    ADD("/boot/image/load-at-2MiB", test_load_image);
    g_test_add("/boot/kernel/oversized-refused", Fixture, NULL, setup_small,
               test_oversized_kernel, teardown);
    ADD("/boot/kernel/missing-file", test_missing_file);
    ADD("/boot/elf/load-by-paddr", test_load_elf);
    ADD("/boot/elf/refused", test_bad_elf);
    ADD("/boot/placement/fdt-and-initrd", test_placement);
    ADD("/boot/opensbi/fw-dynamic-info", test_fw_dynamic_info);
    ADD("/boot/blob/limit", test_blob_limit);
    return g_test_run();
}
