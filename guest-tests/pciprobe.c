/*
 * pciprobe: find the virtio-serial PCI functions with libpciaccess and
 * check what the guest driver relies on. Prints unnumbered TAP
 * (`ok - NAME`, `not ok - NAME`, `# detail`); the guest's tap_run numbers it.
 *
 *   pciprobe [--count N] [--modern N]
 *     --count N   exactly N virtio-serial functions (any device id)
 *     --modern N  exactly N of them modern-only (0x1043)
 *
 * Per function (named by its address, e.g. pci/0000:00:02.0):
 *   ids    vendor, device, subsystem, revision (virtio 1.2 §4.1.2)
 *   class  0x0780: simple communication controller, other
 *   bars   sizes and types: I/O BAR iff transitional, sizes powers of two
 *   caps   virtio vendor capabilities (cap id 0x09) for the common, notify,
 *          ISR and device config, each inside a memory BAR; an MSI-X cap
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pciaccess.h>

/* virtio 1.2 §4.1.2: PCI device discovery */
#define VIRTIO_PCI_VENDOR           0x1af4
#define VIRTIO_ID_CONSOLE           3
#define VIRTIO_PCI_TRANS_CONSOLE    0x1003  /* §4.1.2.3: transitional console */
#define VIRTIO_PCI_MODERN_BASE      0x1040  /* §4.1.2: 0x1040 + device id */
#define VIRTIO_PCI_MODERN_CONSOLE   (VIRTIO_PCI_MODERN_BASE + VIRTIO_ID_CONSOLE)
#define VIRTIO_PCI_MODERN_SUBSYS_MIN 0x40   /* §4.1.2.1: SHOULD be >= 0x40 */
#define PCI_CLASS_COMM_OTHER        0x0780  /* PCI code & ID: 07h/80h */

/* PCI 3.0 §6.2 / §6.7: config space header and capability list */
#define PCI_STATUS                  0x06
#define PCI_STATUS_CAP_LIST         0x10
#define PCI_CAPABILITY_LIST         0x34
#define PCI_CAP_ID_MSIX             0x11
#define PCI_CAP_ID_VNDR             0x09
#define PCI_STD_HEADER_END          0x40
#define PCI_CONFIG_SIZE             0x100
#define PCI_MAX_CAPS                ((PCI_CONFIG_SIZE - PCI_STD_HEADER_END) / 4)

/* virtio 1.2 §4.1.4: struct virtio_pci_cap */
#define VIRTIO_PCI_CAP_CFG_TYPE     3
#define VIRTIO_PCI_CAP_BAR          4
#define VIRTIO_PCI_CAP_OFFSET       8
#define VIRTIO_PCI_CAP_LENGTH       12
#define VIRTIO_PCI_CAP_COMMON_CFG   1
#define VIRTIO_PCI_CAP_NOTIFY_CFG   2
#define VIRTIO_PCI_CAP_ISR_CFG      3
#define VIRTIO_PCI_CAP_DEVICE_CFG   4
#define VIRTIO_PCI_CAP_PCI_CFG      5
#define VIRTIO_PCI_NOTIFY_CAP_LEN   20  /* §4.1.4.4: cap + notify_off_multiplier */
/* Smallest structure each capability must cover */
#define VIRTIO_PCI_COMMON_CFG_MIN   56  /* §4.1.4.3: up to queue_device */
#define VIRTIO_PCI_ISR_CFG_MIN      1
#define VIRTIO_CONSOLE_CFG_MIN      8   /* §5.3.4: cols, rows, max_nr_ports */
/* §4.1.4.8: legacy header (20 bytes) then the console config (12 bytes) */
#define VIRTIO_LEGACY_IO_MIN        32

static int failures;

static void check(bool ok, const char *fmt, ...)
{
    va_list ap;

    printf("%sok - ", ok ? "" : "not ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    failures += !ok;
}

static bool is_pow2(uint64_t v)
{
    return v && !(v & (v - 1));
}

static uint8_t cfg8(struct pci_device *d, unsigned off)
{
    uint8_t v = 0xff;
    pci_device_cfg_read_u8(d, &v, off);
    return v;
}

static uint32_t cfg32(struct pci_device *d, unsigned off)
{
    uint32_t v = 0xffffffff;
    pci_device_cfg_read_u32(d, &v, off);
    return v;
}

static void check_function(struct pci_device *d)
{
    char name[32];
    bool transitional = d->device_id == VIRTIO_PCI_TRANS_CONSOLE;
    bool ids_ok, have_io = false, sizes_ok = true;
    static const char *const cfg_names[] = {
        [VIRTIO_PCI_CAP_COMMON_CFG] = "common", [VIRTIO_PCI_CAP_NOTIFY_CFG] = "notify",
        [VIRTIO_PCI_CAP_ISR_CFG] = "isr", [VIRTIO_PCI_CAP_DEVICE_CFG] = "device",
        [VIRTIO_PCI_CAP_PCI_CFG] = "pci-cfg",
    };
    static const uint32_t cfg_min[] = {
        [VIRTIO_PCI_CAP_COMMON_CFG] = VIRTIO_PCI_COMMON_CFG_MIN,
        [VIRTIO_PCI_CAP_NOTIFY_CFG] = 0,
        [VIRTIO_PCI_CAP_ISR_CFG] = VIRTIO_PCI_ISR_CFG_MIN,
        [VIRTIO_PCI_CAP_DEVICE_CFG] = VIRTIO_CONSOLE_CFG_MIN,
    };
    bool seen[VIRTIO_PCI_CAP_PCI_CFG + 1] = { false };
    bool caps_ok = true, msix = false;
    int ncaps = 0;

    snprintf(name, sizeof(name), "pci/%04x:%02x:%02x.%u", d->domain_16,
             d->bus, d->dev, d->func);
    pci_device_probe(d);

    /* virtio 1.2 §4.1.2.1 */
    if (transitional) {
        ids_ok = d->subvendor_id == VIRTIO_PCI_VENDOR &&
                 d->subdevice_id == VIRTIO_ID_CONSOLE && d->revision == 0;
    } else {
        ids_ok = d->device_id == VIRTIO_PCI_MODERN_CONSOLE &&
                 d->revision >= 1 &&
                 (d->subdevice_id == VIRTIO_ID_CONSOLE ||
                  d->subdevice_id >= VIRTIO_PCI_MODERN_SUBSYS_MIN);
    }
    check(ids_ok, "%s ids: vendor %04x device %04x (%s) subsystem %04x:%04x "
          "revision %u", name, d->vendor_id, d->device_id,
          transitional ? "transitional" : "modern", d->subvendor_id,
          d->subdevice_id, d->revision);
    check(d->device_class >> 8 == PCI_CLASS_COMM_OTHER,
          "%s class: %06x (want %04xxx)", name, d->device_class,
          PCI_CLASS_COMM_OTHER);

    for (int i = 0; i < 6; i++) {
        struct pci_mem_region *r = &d->regions[i];
        if (!r->size) {
            continue;
        }
        printf("# %s BAR%d: %s%s%s size 0x%" PRIx64 "\n", name, i,
               r->is_IO ? "io" : "mem", r->is_64 ? "64" : (r->is_IO ? "" : "32"),
               r->is_prefetchable ? " prefetchable" : "", (uint64_t)r->size);
        sizes_ok &= is_pow2(r->size);
        if (r->is_IO) {
            have_io = true;
            sizes_ok &= r->size >= VIRTIO_LEGACY_IO_MIN;
        }
    }
    check(sizes_ok && have_io == transitional,
          "%s bars: sizes are powers of two, I/O BAR %s", name,
          transitional ? "present (legacy interface)" : "absent (modern only)");

    if (!(cfg8(d, PCI_STATUS) & PCI_STATUS_CAP_LIST)) {
        check(false, "%s caps: status register has no capability list", name);
        return;
    }
    for (unsigned ptr = cfg8(d, PCI_CAPABILITY_LIST) & ~3u; ptr;
         ptr = cfg8(d, ptr + 1) & ~3u) {
        if (ptr < PCI_STD_HEADER_END || ptr > PCI_CONFIG_SIZE - 4 ||
            ++ncaps > PCI_MAX_CAPS) {
            printf("# %s: capability pointer 0x%x out of range or looping\n",
                   name, ptr);
            caps_ok = false;
            break;
        }
        uint8_t id = cfg8(d, ptr);
        if (id == PCI_CAP_ID_MSIX) {
            msix = true;
        }
        if (id != PCI_CAP_ID_VNDR) {
            continue;
        }
        uint8_t type = cfg8(d, ptr + VIRTIO_PCI_CAP_CFG_TYPE);
        uint8_t bar = cfg8(d, ptr + VIRTIO_PCI_CAP_BAR);
        uint32_t off = cfg32(d, ptr + VIRTIO_PCI_CAP_OFFSET);
        uint32_t len = cfg32(d, ptr + VIRTIO_PCI_CAP_LENGTH);
        uint8_t cap_len = cfg8(d, ptr + 2);
        if (type < VIRTIO_PCI_CAP_COMMON_CFG || type > VIRTIO_PCI_CAP_PCI_CFG) {
            printf("# %s: vendor cap at 0x%02x of unknown type %u\n", name,
                   ptr, type);
            continue;
        }
        printf("# %s cap 0x%02x: %s bar %u offset 0x%x length 0x%x\n", name,
               ptr, cfg_names[type], bar, off, len);
        if (type == VIRTIO_PCI_CAP_PCI_CFG) {
            seen[type] = true;
            continue;
        }
        bool in_bar = bar < 6 && !d->regions[bar].is_IO &&
                      (uint64_t)off + len <= d->regions[bar].size;
        if (!in_bar || len < cfg_min[type] ||
            (type == VIRTIO_PCI_CAP_NOTIFY_CFG &&
             cap_len < VIRTIO_PCI_NOTIFY_CAP_LEN)) {
            printf("# %s: %s cap is not inside a memory BAR or too short\n",
                   name, cfg_names[type]);
            caps_ok = false;
        }
        seen[type] = true;
    }
    for (int t = VIRTIO_PCI_CAP_COMMON_CFG; t <= VIRTIO_PCI_CAP_DEVICE_CFG; t++) {
        if (!seen[t]) {
            printf("# %s: no %s capability\n", name, cfg_names[t]);
            caps_ok = false;
        }
    }
    check(caps_ok, "%s caps: virtio vendor caps (id 0x09) common, notify, "
          "isr, device, each inside a memory BAR", name);
    check(msix, "%s caps: MSI-X capability (id 0x11) present", name);
}

int main(int argc, char **argv)
{
    struct pci_id_match match = {
        .vendor_id = VIRTIO_PCI_VENDOR, .device_id = PCI_MATCH_ANY,
        .subvendor_id = PCI_MATCH_ANY, .subdevice_id = PCI_MATCH_ANY,
    };
    struct pci_device_iterator *it;
    struct pci_device *d;
    int want_count = -1, want_modern = -1, count = 0, modern = 0;
    int err;

    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--count") && i + 1 < argc) {
            want_count = atoi(argv[++i]);
        } else if (!strcmp(argv[i], "--modern") && i + 1 < argc) {
            want_modern = atoi(argv[++i]);
        } else {
            fprintf(stderr, "usage: pciprobe [--count N] [--modern N]\n");
            return 2;
        }
    }
    err = pci_system_init();
    check(err == 0, "pci/libpciaccess: pci_system_init (error %d)", err);
    if (err) {
        return 1;
    }
    it = pci_id_match_iterator_create(&match);
    while ((d = pci_device_next(it))) {
        if (d->device_id != VIRTIO_PCI_TRANS_CONSOLE &&
            d->device_id != VIRTIO_PCI_MODERN_CONSOLE) {
            continue;
        }
        count++;
        modern += d->device_id == VIRTIO_PCI_MODERN_CONSOLE;
        check_function(d);
    }
    pci_iterator_destroy(it);
    if (want_count >= 0) {
        check(count == want_count,
              "pci/count: %d virtio-serial functions (want %d)", count,
              want_count);
    }
    if (want_modern >= 0) {
        check(modern == want_modern,
              "pci/count: %d of them modern-only 0x1043 (want %d)", modern,
              want_modern);
    }
    pci_system_cleanup();
    return failures ? 1 : 0;
}
