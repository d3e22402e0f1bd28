/*
 * machine/boot.h: putting the guest's images in RAM (kernel Image or ELF,
 * initrd, firmware, the DT and OpenSBI's fw_dynamic_info) and choosing
 * where they go.
 *
 * Every loader writes through dma_memory_write(), so an image that does not
 * fit in RAM is refused with a message naming the file and the sizes, and
 * the CPU's decode cache hears of the new bytes.
 *
 * Threads: the main thread, with the harts not running.
 */
#ifndef MACHINE_BOOT_H
#define MACHINE_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hw/core/memory.h"

/* Linux riscv boot protocol (Documentation/riscv/boot-image-header.rst). */
#define RISCV_IMAGE_MAGIC  0x5643534952ull   /* "RISCV\0\0\0" at 0x30 */
#define RISCV_IMAGE_MAGIC2 0x05435352u       /* "RSC\x05" at 0x38 */
#define RISCV_IMAGE_HEADER_SIZE 64
/* A 64-bit kernel goes 2 MiB into RAM (the firmware owns the first 2 MiB). */
#define BOOT_KERNEL_OFFSET 0x200000ull
/* The DT sits in the last 2 MiB-aligned slot of RAM, as on QEMU. */
#define BOOT_FDT_ALIGN 0x200000ull
#define BOOT_FDT_MAX_SIZE 0x10000ull
#define BOOT_INITRD_ALIGN 0x1000ull

/* OpenSBI's struct fw_dynamic_info (include/sbi/fw_dynamic.h), version 2. */
#define FW_DYNAMIC_INFO_MAGIC   0x4942534full  /* "OSBI" */
#define FW_DYNAMIC_INFO_VERSION 2
#define FW_DYNAMIC_INFO_NEXT_MODE_S 1
#define FW_DYNAMIC_INFO_SIZE (6 * 8)

/* What boot_load_kernel() found. */
typedef enum BootKernelFormat {
    BOOT_KERNEL_IMAGE,  /* Linux Image with the riscv header */
    BOOT_KERNEL_ELF,    /* ELF64 riscv, loaded by physical address */
    BOOT_KERNEL_RAW,    /* anything else: raw bytes at the load address */
} BootKernelFormat;

typedef struct BootKernel {
    BootKernelFormat format;
    uint64_t entry;     /* physical entry point */
    uint64_t start;     /* lowest byte loaded */
    uint64_t end;       /* one past the last byte the kernel owns (its
                         * image_size for an Image, the highest segment's
                         * memsz for ELF) */
} BootKernel;

/*
 * boot_image_header_parse: if @buf (@len bytes) starts with a riscv Linux
 * Image header, store its image_size (0 if the header leaves it out) and
 * return true.
 */
bool boot_image_header_parse(const uint8_t *buf, size_t len,
                             uint64_t *image_size);

/*
 * boot_load_kernel: load @path into @as: an Image or raw file at
 * @load_addr, an ELF by its segments' physical addresses.  Errors name the
 * file: unreadable, a bad ELF (wrong machine/class, segment outside RAM),
 * or "kernel 'P' (N bytes) does not fit in RAM at 0xA (M bytes left)".
 */
bool boot_load_kernel(AddressSpace *as, const char *path, uint64_t load_addr,
                      BootKernel *out, GError **errp);

/*
 * boot_load_blob: load @path's bytes at @addr, refusing them if they would
 * cross @limit (an exclusive address); @what names the image in errors
 * ("initrd", "firmware").  Stores the size.
 */
bool boot_load_blob(AddressSpace *as, const char *what, const char *path,
                    uint64_t addr, uint64_t limit, uint64_t *size,
                    GError **errp);

/*
 * boot_fdt_addr: where a DT of at most BOOT_FDT_MAX_SIZE bytes goes: the
 * highest BOOT_FDT_ALIGN-aligned address that leaves room for it in RAM.
 */
uint64_t boot_fdt_addr(uint64_t ram_base, uint64_t ram_size);

/*
 * boot_initrd_place: the start of an initrd of @size bytes ending below
 * @top (page aligned), or false with an error if it would overlap
 * [.., @kernel_end): "(N bytes) does not fit between the kernel ...", for
 * the caller to prefix with the file's name.
 */
bool boot_initrd_place(uint64_t size, uint64_t kernel_end, uint64_t top,
                       uint64_t *start, GError **errp);

/* boot_write_fw_dynamic_info: OpenSBI's hand-over block at @addr. */
bool boot_write_fw_dynamic_info(AddressSpace *as, uint64_t addr,
                                uint64_t next_addr, uint64_t boot_hart,
                                GError **errp);

#endif /* MACHINE_BOOT_H */
