/*
 * machine/cpu-mmu.c - address translation (Bare, Sv39, Sv48; privileged
 * spec 1.12 §4.3-4.5), the software TLB, the slow paths of loads and
 * stores (TLB misses, page-crossing and misaligned accesses, MMIO), and the
 * per-physical-page cache of decoded instructions.
 *
 * TLB entries only ever point at RAM; MMIO always takes the slow path.
 * A write-TLB entry never points at a page that holds decoded code, so the
 * store fast path needs no "is this code?" test: making a page code
 * removes its write entries, and filling a write entry wipes the page's
 * decoded code.
 */
#include "machine/cpu-internal.h"

#include <sys/mman.h>

/* PTE bits, §4.3.1 figure 4.18 / §4.4.1. */
#define PTE_V (1ull << 0)
#define PTE_R (1ull << 1)
#define PTE_W (1ull << 2)
#define PTE_X (1ull << 3)
#define PTE_U (1ull << 4)
#define PTE_A (1ull << 6)
#define PTE_D (1ull << 7)
#define PTE_PPN_SHIFT 10
#define PTE_PPN_MASK  ((1ull << 44) - 1)
/* Bits 63:54 (N, PBMT, reserved) must be zero without Svnapot/Svpbmt. */
#define PTE_RESERVED_SHIFT 54

#define PTE_SIZE 8
#define VPN_BITS 9
#define SV39_LEVELS 3
#define SV48_LEVELS 4

static const uint32_t fault_page[TLB_KINDS] = {
    [TLB_READ] = EXC_LOAD_PAGE_FAULT,
    [TLB_WRITE] = EXC_STORE_PAGE_FAULT,
    [TLB_EXEC] = EXC_INSN_PAGE_FAULT,
};
static const uint32_t fault_access[TLB_KINDS] = {
    [TLB_READ] = EXC_LOAD_ACCESS,
    [TLB_WRITE] = EXC_STORE_ACCESS,
    [TLB_EXEC] = EXC_INSN_ACCESS,
};

/* ---- TLB ---- */

void riscv_tlb_flush(RISCVCPU *cpu)
{
    memset(cpu->tlb, 0xff, sizeof(cpu->tlb));
    cpu->fetch_vpn = RISCV_TLB_INVALID;
    cpu->tlb_super_user = false;
}

void riscv_tlb_flush_va(RISCVCPU *cpu, uint64_t va)
{
    uint64_t vpn = va >> RISCV_PAGE_SHIFT;
    unsigned idx = vpn & (RISCV_TLB_SIZE - 1);

    /* Entries are per 4 KiB page: a superpage leaves many of them, so a
     * flush by address falls back to a full flush where superpages may be
     * cached (the kernel half, or user superpages seen since the last full
     * flush). */
    if ((int64_t)va < 0 || cpu->tlb_super_user) {
        riscv_tlb_flush(cpu);
        return;
    }
    for (int m = 0; m < MMU_IDX_COUNT; m++) {
        for (int k = 0; k < TLB_KINDS; k++) {
            if (cpu->tlb[m][k][idx].page == vpn << RISCV_PAGE_SHIFT) {
                cpu->tlb[m][k][idx].page = RISCV_TLB_INVALID;
            }
        }
    }
    if (cpu->fetch_vpn == vpn) {
        cpu->fetch_vpn = RISCV_TLB_INVALID;
    }
}

/* ---- translation ---- */

uint32_t riscv_mmu_translate(RISCVCPU *cpu, uint64_t va, int kind,
                             int mmu_idx, uint64_t *pa)
{
    unsigned mode = cpu->satp >> SATP_MODE_SHIFT;
    int levels;

    if (mmu_idx == MMU_IDX_M || mode == SATP_MODE_BARE) {
        *pa = va;
        cpu->last_level = 0;
        return EXC_NONE;
    }
    levels = mode == SATP_MODE_SV48 ? SV48_LEVELS : SV39_LEVELS;

    /* §4.4.1: bits 63..VA width must all equal the top VA bit. */
    int va_bits = RISCV_PAGE_SHIFT + VPN_BITS * levels;
    if ((uint64_t)((int64_t)(va << (64 - va_bits)) >> (64 - va_bits)) != va) {
        return fault_page[kind];
    }

    uint64_t base = (cpu->satp & SATP_PPN_MASK) << RISCV_PAGE_SHIFT;
    for (int i = levels - 1; i >= 0; i--) {
        int shift = RISCV_PAGE_SHIFT + VPN_BITS * i;
        uint64_t pte_pa = base + ((va >> shift) & ((1u << VPN_BITS) - 1)) *
                                 PTE_SIZE;
        uint64_t pte;

        if (!riscv_paddr_in_ram(cpu, pte_pa, PTE_SIZE)) {
            return fault_access[kind];
        }
        uint8_t *pte_host = cpu->ram + (pte_pa - cpu->ram_base);
        memcpy(&pte, pte_host, PTE_SIZE);

        if (!(pte & PTE_V) || (!(pte & PTE_R) && (pte & PTE_W)) ||
            (pte >> PTE_RESERVED_SHIFT)) {
            return fault_page[kind];
        }
        uint64_t ppn = (pte >> PTE_PPN_SHIFT) & PTE_PPN_MASK;
        if (!(pte & (PTE_R | PTE_X))) {
            base = ppn << RISCV_PAGE_SHIFT;     /* next level */
            continue;
        }

        /* Leaf: §4.3.2 steps 5-8. */
        if (pte & PTE_U) {
            /* S may touch U pages only with SUM, and never run them */
            if (mmu_idx == MMU_IDX_S ||
                (mmu_idx == MMU_IDX_S_SUM && kind == TLB_EXEC)) {
                return fault_page[kind];
            }
        } else if (mmu_idx == MMU_IDX_U) {
            return fault_page[kind];
        }
        switch (kind) {
        case TLB_READ:
            if (!(pte & PTE_R) &&
                !((cpu->mstatus & MSTATUS_MXR) && (pte & PTE_X))) {
                return fault_page[kind];
            }
            break;
        case TLB_WRITE:
            if (!(pte & PTE_W)) {
                return fault_page[kind];
            }
            break;
        default:
            if (!(pte & PTE_X)) {
                return fault_page[kind];
            }
            break;
        }
        uint64_t low_mask = (1ull << (VPN_BITS * i)) - 1;
        if (ppn & low_mask) {
            return fault_page[kind];    /* misaligned superpage */
        }
        /* Hardware A/D update (§4.3.2 step 9, Svadu behaviour). */
        uint64_t need = PTE_A | (kind == TLB_WRITE ? PTE_D : 0);
        if ((pte & need) != need) {
            pte |= need;
            uint64_t pg = (pte_pa - cpu->ram_base) >> RISCV_PAGE_SHIFT;
            if (cpu->cc->has_code[pg]) {
                riscv_code_invalidate_page(cpu, pg);
            }
            memcpy(pte_host, &pte, PTE_SIZE);
        }
        *pa = ((ppn & ~low_mask) << RISCV_PAGE_SHIFT) |
              (va & ((1ull << shift) - 1));
        cpu->last_level = i;
        return EXC_NONE;
    }
    return fault_page[kind];
}

/* Translate va for kind in the data regime and, for RAM, fill the TLB.
 * Returns EXC_NONE with *host set (RAM) or *host NULL and *pa set (MMIO). */
static uint32_t tlb_fill(RISCVCPU *cpu, uint64_t va, int kind, int mmu_idx,
                         uint8_t **host, uint64_t *pa)
{
    uint32_t exc = riscv_mmu_translate(cpu, va, kind, mmu_idx, pa);

    if (exc != EXC_NONE) {
        return exc;
    }
    if (!riscv_paddr_in_ram(cpu, *pa, 1)) {
        *host = NULL;
        return EXC_NONE;
    }
    uint64_t off = *pa - cpu->ram_base;
    uint64_t pg = off >> RISCV_PAGE_SHIFT;
    if (kind == TLB_WRITE && cpu->cc->has_code[pg]) {
        riscv_code_invalidate_page(cpu, pg);
    }
    if (cpu->last_level > 0 && (int64_t)va >= 0) {
        cpu->tlb_super_user = true;
    }
    RISCVTLBEntry *t = &cpu->tlb[mmu_idx][kind]
                                [(va >> RISCV_PAGE_SHIFT) & (RISCV_TLB_SIZE - 1)];
    t->page = va & ~RISCV_PAGE_MASK;
    if (kind == TLB_EXEC) {
        t->addend = pg;
    } else {
        t->addend = (uintptr_t)(cpu->ram + (off & ~RISCV_PAGE_MASK)) -
                    (uintptr_t)(va & ~RISCV_PAGE_MASK);
    }
    *host = cpu->ram + off;
    return EXC_NONE;
}

/* One access that does not cross a page. */
static uint32_t load_one(RISCVCPU *cpu, uint64_t va, unsigned size,
                         uint64_t *val)
{
    int idx = cpu->mmu_idx_data;
    RISCVTLBEntry *t = &cpu->tlb[idx][TLB_READ]
                                [(va >> RISCV_PAGE_SHIFT) & (RISCV_TLB_SIZE - 1)];
    uint8_t *host;
    uint64_t pa;
    uint32_t exc;

    *val = 0;
    if (t->page == (va & ~RISCV_PAGE_MASK)) {
        memcpy(val, (void *)(uintptr_t)(va + t->addend), size);
        return EXC_NONE;
    }
    exc = tlb_fill(cpu, va, TLB_READ, idx, &host, &pa);
    if (exc != EXC_NONE) {
        return exc;
    }
    if (host) {
        memcpy(val, host, size);
        return EXC_NONE;
    }
    if (pa & (size - 1)) {
        for (unsigned i = 0; i < size; i++) {
            uint64_t b;
            if (!cpu->cfg.bus->read(cpu->cfg.bus_opaque, pa + i, 1, &b)) {
                return EXC_LOAD_ACCESS;
            }
            *val |= (b & 0xff) << (8 * i);
        }
        return EXC_NONE;
    }
    if (!cpu->cfg.bus->read(cpu->cfg.bus_opaque, pa, size, val)) {
        return EXC_LOAD_ACCESS;
    }
    if (size < 8) {
        *val &= (1ull << (8 * size)) - 1;
    }
    return EXC_NONE;
}

static uint32_t store_one(RISCVCPU *cpu, uint64_t va, unsigned size,
                          uint64_t val)
{
    int idx = cpu->mmu_idx_data;
    RISCVTLBEntry *t = &cpu->tlb[idx][TLB_WRITE]
                                [(va >> RISCV_PAGE_SHIFT) & (RISCV_TLB_SIZE - 1)];
    uint8_t *host;
    uint64_t pa;
    uint32_t exc;

    if (t->page == (va & ~RISCV_PAGE_MASK)) {
        memcpy((void *)(uintptr_t)(va + t->addend), &val, size);
        return EXC_NONE;
    }
    exc = tlb_fill(cpu, va, TLB_WRITE, idx, &host, &pa);
    if (exc != EXC_NONE) {
        return exc;
    }
    if (host) {
        memcpy(host, &val, size);
        return EXC_NONE;
    }
    if (pa & (size - 1)) {
        for (unsigned i = 0; i < size; i++) {
            if (!cpu->cfg.bus->write(cpu->cfg.bus_opaque, pa + i, 1,
                                     (val >> (8 * i)) & 0xff)) {
                return EXC_STORE_ACCESS;
            }
        }
        return EXC_NONE;
    }
    if (size < 8) {
        val &= (1ull << (8 * size)) - 1;
    }
    return cpu->cfg.bus->write(cpu->cfg.bus_opaque, pa, size, val)
           ? EXC_NONE : EXC_STORE_ACCESS;
}

/* Misaligned accesses are emulated (privileged spec §3.6.3.3 allows it):
 * an access that crosses a page goes byte by byte, each byte translated. */
uint32_t riscv_load_slow(RISCVCPU *cpu, uint64_t va, unsigned size,
                         uint64_t *val)
{
    if ((va & RISCV_PAGE_MASK) + size <= RISCV_PAGE_SIZE) {
        return load_one(cpu, va, size, val);
    }
    uint64_t v = 0;
    for (unsigned i = 0; i < size; i++) {
        uint64_t b;
        uint32_t exc = load_one(cpu, va + i, 1, &b);
        if (exc != EXC_NONE) {
            return exc;
        }
        v |= b << (8 * i);
    }
    *val = v;
    return EXC_NONE;
}

uint32_t riscv_store_slow(RISCVCPU *cpu, uint64_t va, unsigned size,
                          uint64_t val)
{
    if ((va & RISCV_PAGE_MASK) + size <= RISCV_PAGE_SIZE) {
        return store_one(cpu, va, size, val);
    }
    /* Check every byte's translation before writing any, so a faulting
     * store leaves memory untouched. */
    for (unsigned i = 0; i < size; i++) {
        uint64_t pa;
        uint32_t exc = riscv_mmu_translate(cpu, va + i, TLB_WRITE,
                                           cpu->mmu_idx_data, &pa);
        if (exc != EXC_NONE) {
            return exc;
        }
    }
    for (unsigned i = 0; i < size; i++) {
        uint32_t exc = store_one(cpu, va + i, 1, (val >> (8 * i)) & 0xff);
        if (exc != EXC_NONE) {
            return exc;
        }
    }
    return EXC_NONE;
}

uint32_t riscv_amo_ptr(RISCVCPU *cpu, uint64_t va, unsigned size,
                       bool is_lr, void **host)
{
    uint8_t *h;
    uint64_t pa;
    uint32_t exc;

    /* §8.2 (A): misaligned LR/SC/AMOs raise an address-misaligned
     * exception (we do not emulate them). */
    if (va & (size - 1)) {
        return is_lr ? EXC_LOAD_MISALIGNED : EXC_STORE_MISALIGNED;
    }
    exc = tlb_fill(cpu, va, is_lr ? TLB_READ : TLB_WRITE, cpu->mmu_idx_data,
                   &h, &pa);
    if (exc != EXC_NONE) {
        return exc;
    }
    if (!h) {
        return is_lr ? EXC_LOAD_ACCESS : EXC_STORE_ACCESS;
    }
    *host = h;
    return EXC_NONE;
}

/* ---- instruction fetch ---- */

static uint32_t fetch_translate(RISCVCPU *cpu, uint64_t pc, uint64_t *pg)
{
    int idx = riscv_mmu_index(cpu->priv);
    RISCVTLBEntry *t = &cpu->tlb[idx][TLB_EXEC]
                                [(pc >> RISCV_PAGE_SHIFT) & (RISCV_TLB_SIZE - 1)];
    uint8_t *host;
    uint64_t pa;
    uint32_t exc;

    if (t->page == (pc & ~RISCV_PAGE_MASK)) {
        *pg = t->addend;
        return EXC_NONE;
    }
    exc = tlb_fill(cpu, pc, TLB_EXEC, idx, &host, &pa);
    if (exc != EXC_NONE) {
        return exc;
    }
    if (!host) {
        return EXC_INSN_ACCESS;     /* no execution from MMIO */
    }
    *pg = (pa - cpu->ram_base) >> RISCV_PAGE_SHIFT;
    return EXC_NONE;
}

static RISCVCodePage *code_page_get(RISCVCPU *cpu, uint64_t pg);

/* Forget every decode of p (all slots back to OP_DECODE). */
static void code_page_wipe(RISCVCodePage *p)
{
    memset(p->insn, 0, sizeof(p->insn));
}


uint32_t riscv_fetch_slow(RISCVCPU *cpu, uint64_t pc)
{
    uint64_t pg;
    uint32_t exc = fetch_translate(cpu, pc, &pg);

    if (exc != EXC_NONE) {
        return exc;
    }
    cpu->fetch_page = code_page_get(cpu, pg);
    cpu->fetch_host = cpu->ram + (pg << RISCV_PAGE_SHIFT);
    cpu->fetch_vpn = pc >> RISCV_PAGE_SHIFT;
    return EXC_NONE;
}

uint32_t riscv_fetch_raw(RISCVCPU *cpu, uint64_t pc, uint32_t *insn,
                         uint64_t *tval)
{
    uint16_t half[2];

    for (int i = 0; i < 2; i++) {
        uint64_t va = pc + 2 * i;
        uint64_t pg;
        uint32_t exc = fetch_translate(cpu, va, &pg);
        if (exc != EXC_NONE) {
            *tval = va;
            return exc;
        }
        memcpy(&half[i], cpu->ram + (pg << RISCV_PAGE_SHIFT) +
                         (va & RISCV_PAGE_MASK), 2);
    }
    *insn = half[0] | (uint32_t)half[1] << 16;
    return EXC_NONE;
}

/* ---- decoded-code cache ---- */

/* Code pages come straight from mmap: a page's slots are touched only as
 * its instructions get decoded, so the untouched part costs no memory. */
static RISCVCodePage *code_page_alloc(void)
{
    void *p = mmap(NULL, sizeof(RISCVCodePage), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        g_error("riscv cpu: out of memory for decoded code");
    }
    return p;
}

static void code_page_free(RISCVCodePage *p)
{
    if (p) {
        munmap(p, sizeof(RISCVCodePage));
    }
}

RISCVCodeCache *riscv_code_cache_new(uint64_t ram_size)
{
    RISCVCodeCache *cc = g_new0(RISCVCodeCache, 1);

    cc->refcount = 1;
    cc->npages = ram_size >> RISCV_PAGE_SHIFT;
    cc->pages = g_new0(RISCVCodePage *, cc->npages);
    cc->has_code = g_new0(uint8_t, cc->npages);
    cc->cpus = g_ptr_array_new();
    return cc;
}

static void code_cache_drop_all(RISCVCodeCache *cc)
{
    for (uint64_t i = 0; i < cc->npages; i++) {
        code_page_free(cc->pages[i]);
        cc->pages[i] = NULL;
    }
    memset(cc->has_code, 0, cc->npages);
    cc->nalloc = 0;
    for (guint i = 0; i < cc->cpus->len; i++) {
        RISCVCPU *c = g_ptr_array_index(cc->cpus, i);
        c->fetch_vpn = RISCV_TLB_INVALID;
        c->fetch_page = NULL;
    }
}

void riscv_code_cache_unref(RISCVCodeCache *cc)
{
    if (!cc || --cc->refcount > 0) {
        return;
    }
    code_cache_drop_all(cc);
    riscv_jit_free(cc);
    g_free(cc->pages);
    g_free(cc->has_code);
    g_ptr_array_free(cc->cpus, TRUE);
    g_free(cc);
}

void riscv_code_cache_flush(RISCVCodeCache *cc)
{
    cc->gen++;
    for (guint i = 0; i < cc->cpus->len; i++) {
        RISCVCPU *c = g_ptr_array_index(cc->cpus, i);
        c->fetch_vpn = RISCV_TLB_INVALID;
    }
}

void riscv_code_invalidate_page(RISCVCPU *cpu, uint64_t pg)
{
    RISCVCodeCache *cc = cpu->cc;

    RISCVCodePage *p = cc->pages[pg];

    if (p) {
        code_page_wipe(p);
        /* A hart running in this page must come back through
         * code_page_get(), which marks it as code again. */
        for (guint i = 0; i < cc->cpus->len; i++) {
            RISCVCPU *c = g_ptr_array_index(cc->cpus, i);
            if (c->fetch_page == p) {
                c->fetch_vpn = RISCV_TLB_INVALID;
            }
        }
    }
    cc->has_code[pg] = 0;
}

/* Remove write-TLB entries that reach RAM page pg, on every hart. */
static void code_page_protect(RISCVCPU *cpu, uint64_t pg)
{
    RISCVCodeCache *cc = cpu->cc;
    uintptr_t host = (uintptr_t)(cpu->ram + (pg << RISCV_PAGE_SHIFT));

    for (guint i = 0; i < cc->cpus->len; i++) {
        RISCVCPU *c = g_ptr_array_index(cc->cpus, i);
        for (int m = 0; m < MMU_IDX_COUNT; m++) {
            RISCVTLBEntry *t = c->tlb[m][TLB_WRITE];
            for (unsigned j = 0; j < RISCV_TLB_SIZE; j++) {
                if (t[j].page != RISCV_TLB_INVALID &&
                    t[j].page + t[j].addend == host) {
                    t[j].page = RISCV_TLB_INVALID;
                }
            }
        }
    }
}

static RISCVCodePage *code_page_get(RISCVCPU *cpu, uint64_t pg)
{
    RISCVCodeCache *cc = cpu->cc;
    RISCVCodePage *p;
    const uint8_t *host = cpu->ram + (pg << RISCV_PAGE_SHIFT);

    if (cc->jit_full) {
        /* the host-code arena is full: start both caches afresh */
        code_cache_drop_all(cc);
        riscv_jit_reset(cc);
    }
    p = cc->pages[pg];
    if (!p) {
        if (cc->nalloc >= RISCV_CODE_CACHE_MAX_PAGES) {
            code_cache_drop_all(cc);
        }
        p = code_page_alloc();
        cc->pages[pg] = p;
        cc->nalloc++;
        memcpy(p->bytes, host, RISCV_PAGE_SIZE);
    } else if (!cc->has_code[pg]) {
        /* a store wiped the decodes: start again from the new bytes */
        memcpy(p->bytes, host, RISCV_PAGE_SIZE);
    } else if (p->gen != cc->gen &&
               memcmp(p->bytes, host, RISCV_PAGE_SIZE) != 0) {
        /* fence.i after a change we did not see */
        code_page_wipe(p);
        memcpy(p->bytes, host, RISCV_PAGE_SIZE);
    }
    p->gen = cc->gen;
    if (!cc->has_code[pg]) {
        cc->has_code[pg] = 1;
        code_page_protect(cpu, pg);
    }
    return p;
}
