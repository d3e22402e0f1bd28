/*
 * machine/sbi.c: the built-in SBI, see sbi.h.  Calling convention (SBI spec
 * §3.1): a7 = extension, a6 = function, a0..a5 = arguments; the result is
 * the pair (a0 = error, a1 = value).  Legacy calls return a0 only.
 */
#include <string.h>

#include "machine/sbi.h"

#define REG_A0 10
#define REG_A1 11
#define REG_A6 16
#define REG_A7 17

/* Function IDs. */
enum {
    SBI_BASE_GET_SPEC_VERSION = 0,
    SBI_BASE_GET_IMPL_ID = 1,
    SBI_BASE_GET_IMPL_VERSION = 2,
    SBI_BASE_PROBE_EXT = 3,
    SBI_BASE_GET_MVENDORID = 4,
    SBI_BASE_GET_MARCHID = 5,
    SBI_BASE_GET_MIMPID = 6,
};
enum { SBI_TIME_SET_TIMER = 0 };
enum { SBI_IPI_SEND_IPI = 0 };
enum {
    SBI_RFENCE_FENCE_I = 0,
    SBI_RFENCE_SFENCE_VMA = 1,
    SBI_RFENCE_SFENCE_VMA_ASID = 2,
};
enum {
    SBI_HSM_HART_START = 0,
    SBI_HSM_HART_STOP = 1,
    SBI_HSM_HART_GET_STATUS = 2,
};
enum { SBI_SRST_SYSTEM_RESET = 0 };

/* hart_mask_base of -1: "all harts" (§3.1). */
#define SBI_HART_MASK_BASE_ALL UINT64_MAX
#define SBI_TIMER_DISARMED UINT64_MAX

struct SbiState {
    RISCVCPU **harts;
    unsigned nharts;
    const SbiOps *ops;
    void *opaque;
    uint64_t *deadline;     /* per hart, in mtime ticks */
    bool *stip;             /* the STIP level we drive */
};

typedef struct SbiRet {
    int64_t error;
    uint64_t value;
} SbiRet;

static void sbi_set_stip(SbiState *s, unsigned h, bool level)
{
    s->stip[h] = level;
    riscv_cpu_set_mip(s->harts[h], RISCV_MIP_STIP, level);
}

static void sbi_set_timer(SbiState *s, unsigned h, uint64_t when)
{
    /* A new deadline clears a pending timer (§6.1). */
    s->deadline[h] = when;
    sbi_set_stip(s, h, false);
    sbi_update_timers(s, s->ops->get_time(s->opaque));
}

void sbi_update_timers(SbiState *s, uint64_t now)
{
    for (unsigned h = 0; h < s->nharts; h++) {
        if (!s->stip[h] && s->deadline[h] != SBI_TIMER_DISARMED &&
            now >= s->deadline[h]) {
            sbi_set_stip(s, h, true);
        }
    }
}

int64_t sbi_next_deadline(SbiState *s, uint64_t now)
{
    uint64_t best = UINT64_MAX;

    for (unsigned h = 0; h < s->nharts; h++) {
        if (s->deadline[h] == SBI_TIMER_DISARMED || s->stip[h]) {
            continue;
        }
        /* Reached but not yet raised (time moved on since the last
         * sbi_update_timers()): due now, not "none", or the board would
         * sleep with no deadline and the hart never wakes. */
        best = MIN(best, s->deadline[h] > now ? s->deadline[h] - now : 0);
    }
    return best == UINT64_MAX ? -1 : (int64_t)MIN(best, (uint64_t)INT64_MAX);
}

/*
 * Apply @fn to every hart in (@mask, @base).  §3.1: an out-of-range hart id
 * fails the whole call with INVALID_PARAM, before any hart is touched.
 */
static int64_t sbi_for_harts(SbiState *s, uint64_t mask, uint64_t base,
                             void (*fn)(SbiState *s, unsigned h))
{
    if (base == SBI_HART_MASK_BASE_ALL) {
        for (unsigned h = 0; h < s->nharts; h++) {
            fn(s, h);
        }
        return SBI_SUCCESS;
    }
    for (unsigned i = 0; i < 64; i++) {
        if ((mask & (1ull << i)) && (base >= s->nharts || i >= s->nharts - base)) {
            return SBI_ERR_INVALID_PARAM;
        }
    }
    for (unsigned i = 0; i < 64; i++) {
        if (mask & (1ull << i)) {
            fn(s, base + i);
        }
    }
    return SBI_SUCCESS;
}

static void hart_send_ipi(SbiState *s, unsigned h)
{
    riscv_cpu_set_mip(s->harts[h], RISCV_MIP_SSIP, true);
}

static void hart_fence_i(SbiState *s, unsigned h)
{
    riscv_cpu_flush_icache(s->harts[h]);
}

static void hart_sfence_vma(SbiState *s, unsigned h)
{
    /* Flushing everything is a correct (over-)answer to any range. */
    riscv_cpu_flush_tlb(s->harts[h]);
}

static bool sbi_probe(uint64_t eid)
{
    switch (eid) {
    case SBI_EXT_0_1_SET_TIMER ... SBI_EXT_0_1_SHUTDOWN:
    case SBI_EXT_BASE:
    case SBI_EXT_TIME:
    case SBI_EXT_IPI:
    case SBI_EXT_RFENCE:
    case SBI_EXT_HSM:
    case SBI_EXT_SRST:
        return true;
    default:
        return false;
    }
}

static SbiRet sbi_base(SbiState *s, uint64_t fid, uint64_t a0)
{
    switch (fid) {
    case SBI_BASE_GET_SPEC_VERSION:
        return (SbiRet){ SBI_SUCCESS, SBI_SPEC_VERSION };
    case SBI_BASE_GET_IMPL_ID:
        return (SbiRet){ SBI_SUCCESS, SBI_IMPL_ID_MINIVIRT };
    case SBI_BASE_GET_IMPL_VERSION:
        return (SbiRet){ SBI_SUCCESS, SBI_IMPL_VERSION };
    case SBI_BASE_PROBE_EXT:
        return (SbiRet){ SBI_SUCCESS, sbi_probe(a0) };
    case SBI_BASE_GET_MVENDORID:
    case SBI_BASE_GET_MARCHID:
    case SBI_BASE_GET_MIMPID:
        return (SbiRet){ SBI_SUCCESS, 0 };
    default:
        return (SbiRet){ SBI_ERR_NOT_SUPPORTED, 0 };
    }
}

static SbiRet sbi_hsm(SbiState *s, RISCVCPU *cpu, uint64_t fid,
                      uint64_t a0, uint64_t a1, uint64_t a2)
{
    unsigned self = riscv_cpu_get_hartid(cpu);

    switch (fid) {
    case SBI_HSM_HART_START: {
        if (a0 >= s->nharts) {
            return (SbiRet){ SBI_ERR_INVALID_PARAM, 0 };
        }
        RISCVCPU *t = s->harts[a0];
        if (!riscv_cpu_is_stopped(t)) {
            return (SbiRet){ SBI_ERR_ALREADY_AVAILABLE, 0 };
        }
        /* §9.2: the hart enters S-mode at start_addr with a0 = hartid,
         * a1 = opaque, satp = 0 and interrupts off. */
        riscv_cpu_reset(t, a1, RISCV_PRV_S, a0, a2);
        s->deadline[a0] = SBI_TIMER_DISARMED;
        sbi_set_stip(s, a0, false);
        riscv_cpu_set_mip(t, RISCV_MIP_SSIP, false);
        riscv_cpu_set_stopped(t, false);
        return (SbiRet){ SBI_SUCCESS, 0 };
    }
    case SBI_HSM_HART_STOP:
        s->deadline[self] = SBI_TIMER_DISARMED;
        sbi_set_stip(s, self, false);
        riscv_cpu_set_stopped(cpu, true);
        return (SbiRet){ SBI_SUCCESS, 0 };
    case SBI_HSM_HART_GET_STATUS:
        if (a0 >= s->nharts) {
            return (SbiRet){ SBI_ERR_INVALID_PARAM, 0 };
        }
        return (SbiRet){ SBI_SUCCESS, riscv_cpu_is_stopped(s->harts[a0]) ?
                         SBI_HSM_STOPPED : SBI_HSM_STARTED };
    default:
        return (SbiRet){ SBI_ERR_NOT_SUPPORTED, 0 };
    }
}

static SbiRet sbi_srst(SbiState *s, uint64_t fid, uint64_t type,
                       uint64_t reason)
{
    if (fid != SBI_SRST_SYSTEM_RESET) {
        return (SbiRet){ SBI_ERR_NOT_SUPPORTED, 0 };
    }
    if (type > SBI_SRST_WARM_REBOOT || reason > UINT32_MAX) {
        return (SbiRet){ SBI_ERR_INVALID_PARAM, 0 };
    }
    s->ops->system_reset(s->opaque, type, reason);
    return (SbiRet){ SBI_SUCCESS, 0 };
}

/* The legacy extensions (§5): the result goes to a0 alone. */
static int64_t sbi_legacy(SbiState *s, RISCVCPU *cpu, uint64_t eid,
                          uint64_t a0)
{
    unsigned self = riscv_cpu_get_hartid(cpu);

    switch (eid) {
    case SBI_EXT_0_1_SET_TIMER:
        sbi_set_timer(s, self, a0);
        return 0;
    case SBI_EXT_0_1_CONSOLE_PUTCHAR:
        s->ops->console_putchar(s->opaque, a0);
        return 0;
    case SBI_EXT_0_1_CONSOLE_GETCHAR:
        return s->ops->console_getchar(s->opaque);
    case SBI_EXT_0_1_CLEAR_IPI:
        riscv_cpu_set_mip(cpu, RISCV_MIP_SSIP, false);
        return 0;
    /*
     * The legacy IPI and fence calls pass a pointer to the hart mask in the
     * caller's virtual memory; rather than walk its page table we treat
     * every call as "all harts", a correct over-approximation (a spurious
     * IPI finds no work; an extra flush is harmless).
     */
    case SBI_EXT_0_1_SEND_IPI:
        sbi_for_harts(s, 0, SBI_HART_MASK_BASE_ALL, hart_send_ipi);
        return 0;
    case SBI_EXT_0_1_REMOTE_FENCE_I:
        sbi_for_harts(s, 0, SBI_HART_MASK_BASE_ALL, hart_fence_i);
        return 0;
    case SBI_EXT_0_1_REMOTE_SFENCE_VMA:
    case SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID:
        sbi_for_harts(s, 0, SBI_HART_MASK_BASE_ALL, hart_sfence_vma);
        return 0;
    case SBI_EXT_0_1_SHUTDOWN:
        s->ops->system_reset(s->opaque, SBI_SRST_SHUTDOWN, 0);
        return 0;
    default:
        return SBI_ERR_NOT_SUPPORTED;
    }
}

bool sbi_ecall(SbiState *s, RISCVCPU *cpu)
{
    uint64_t eid = riscv_cpu_get_gpr(cpu, REG_A7);
    uint64_t fid = riscv_cpu_get_gpr(cpu, REG_A6);
    uint64_t a[3];
    SbiRet ret = { SBI_ERR_NOT_SUPPORTED, 0 };

    for (unsigned i = 0; i < G_N_ELEMENTS(a); i++) {
        a[i] = riscv_cpu_get_gpr(cpu, REG_A0 + i);
    }
    if (eid <= SBI_EXT_0_1_SHUTDOWN) {
        riscv_cpu_set_gpr(cpu, REG_A0, sbi_legacy(s, cpu, eid, a[0]));
        return true;
    }
    switch (eid) {
    case SBI_EXT_BASE:
        ret = sbi_base(s, fid, a[0]);
        break;
    case SBI_EXT_TIME:
        if (fid == SBI_TIME_SET_TIMER) {
            sbi_set_timer(s, riscv_cpu_get_hartid(cpu), a[0]);
            ret.error = SBI_SUCCESS;
        }
        break;
    case SBI_EXT_IPI:
        if (fid == SBI_IPI_SEND_IPI) {
            ret.error = sbi_for_harts(s, a[0], a[1], hart_send_ipi);
        }
        break;
    case SBI_EXT_RFENCE:
        if (fid == SBI_RFENCE_FENCE_I) {
            ret.error = sbi_for_harts(s, a[0], a[1], hart_fence_i);
        } else if (fid == SBI_RFENCE_SFENCE_VMA ||
                   fid == SBI_RFENCE_SFENCE_VMA_ASID) {
            ret.error = sbi_for_harts(s, a[0], a[1], hart_sfence_vma);
        }
        break;
    case SBI_EXT_HSM:
        ret = sbi_hsm(s, cpu, fid, a[0], a[1], a[2]);
        break;
    case SBI_EXT_SRST:
        ret = sbi_srst(s, fid, a[0], a[1]);
        break;
    default:
        break;
    }
    riscv_cpu_set_gpr(cpu, REG_A0, ret.error);
    riscv_cpu_set_gpr(cpu, REG_A1, ret.value);
    return true;
}

SbiState *sbi_new(RISCVCPU *const *harts, unsigned nharts, const SbiOps *ops,
                  void *opaque)
{
    g_assert(nharts >= 1 && ops);
    SbiState *s = g_new0(SbiState, 1);

    s->harts = g_new(RISCVCPU *, nharts);
    memcpy(s->harts, harts, sizeof(*harts) * nharts);
    s->nharts = nharts;
    s->ops = ops;
    s->opaque = opaque;
    s->deadline = g_new(uint64_t, nharts);
    s->stip = g_new0(bool, nharts);
    sbi_reset(s);
    return s;
}

void sbi_reset(SbiState *s)
{
    for (unsigned h = 0; h < s->nharts; h++) {
        s->deadline[h] = SBI_TIMER_DISARMED;
        sbi_set_stip(s, h, false);
    }
}

void sbi_free(SbiState *s)
{
    if (s) {
        g_free(s->harts);
        g_free(s->deadline);
        g_free(s->stip);
        g_free(s);
    }
}
