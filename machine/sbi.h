/*
 * machine/sbi.h: the built-in SBI (RISC-V SBI spec 1.0) for `-bios none`:
 * the harts run Linux in S-mode and their ECALLs land here through the
 * CPU's ecall_hook.  Extensions: base, TIME, sPI (IPI), RFENCE, HSM, SRST,
 * and the legacy (0.1) set_timer, console_putchar/getchar, clear_ipi,
 * send_ipi, remote fences and shutdown.
 *
 * The S-mode timer is kept here: set_timer arms a per-hart deadline in
 * mtime ticks; STIP is raised once mtime reaches it (sbi_update_timers(),
 * which the board calls between slices) and lowered by the next set_timer.
 *
 * Threads: the thread that runs the harts.
 */
#ifndef MACHINE_SBI_H
#define MACHINE_SBI_H

#include <stdbool.h>
#include <stdint.h>

#include "machine/cpu.h"

/* Extension IDs (SBI spec §3-§10, legacy §5). */
#define SBI_EXT_0_1_SET_TIMER          0x00
#define SBI_EXT_0_1_CONSOLE_PUTCHAR    0x01
#define SBI_EXT_0_1_CONSOLE_GETCHAR    0x02
#define SBI_EXT_0_1_CLEAR_IPI          0x03
#define SBI_EXT_0_1_SEND_IPI           0x04
#define SBI_EXT_0_1_REMOTE_FENCE_I     0x05
#define SBI_EXT_0_1_REMOTE_SFENCE_VMA  0x06
#define SBI_EXT_0_1_REMOTE_SFENCE_VMA_ASID 0x07
#define SBI_EXT_0_1_SHUTDOWN           0x08
#define SBI_EXT_BASE  0x10
#define SBI_EXT_TIME  0x54494D45    /* "TIME" */
#define SBI_EXT_IPI   0x735049      /* "sPI" */
#define SBI_EXT_RFENCE 0x52464E43   /* "RFNC" */
#define SBI_EXT_HSM   0x48534D      /* "HSM" */
#define SBI_EXT_SRST  0x53525354    /* "SRST" */

/* Error codes (§3.2). */
#define SBI_SUCCESS              0
#define SBI_ERR_FAILED          -1
#define SBI_ERR_NOT_SUPPORTED   -2
#define SBI_ERR_INVALID_PARAM   -3
#define SBI_ERR_DENIED          -4
#define SBI_ERR_INVALID_ADDRESS -5
#define SBI_ERR_ALREADY_AVAILABLE -6

/* HSM states (§9.1) and SRST types (§10.1). */
#define SBI_HSM_STARTED 0
#define SBI_HSM_STOPPED 1
#define SBI_SRST_SHUTDOWN    0
#define SBI_SRST_COLD_REBOOT 1
#define SBI_SRST_WARM_REBOOT 2

/* What we report: spec 1.0, and an implementation id of our own. */
#define SBI_SPEC_VERSION ((1u << 24) | 0)
#define SBI_IMPL_ID_MINIVIRT 0x6d76     /* "mv": not in the spec's table */
#define SBI_IMPL_VERSION 1

/*
 * SbiOps: the board's side.  All hooks are mandatory.
 * @get_time: mtime in ticks.
 * @console_putchar / @console_getchar: the console UART (getchar: -1 if
 *   no input is waiting).
 * @system_reset: SRST or legacy shutdown: @type is SBI_SRST_*.  The board
 *   records it and makes the harts return from riscv_cpu_run().
 */
typedef struct SbiOps {
    uint64_t (*get_time)(void *opaque);
    void (*console_putchar)(void *opaque, uint8_t ch);
    int (*console_getchar)(void *opaque);
    void (*system_reset)(void *opaque, uint32_t type, uint32_t reason);
} SbiOps;

typedef struct SbiState SbiState;

/* sbi_new: an SBI for @nharts harts; harts[i] has hartid i. */
SbiState *sbi_new(RISCVCPU *const *harts, unsigned nharts, const SbiOps *ops,
                  void *opaque);
void sbi_free(SbiState *s);

/* Disarm every timer and lower STIP (machine reset). */
void sbi_reset(SbiState *s);

/* The ecall_hook body: handle @cpu's ECALL; always true (unknown
 * extensions answer SBI_ERR_NOT_SUPPORTED, as the spec asks). */
bool sbi_ecall(SbiState *s, RISCVCPU *cpu);

/* Raise STIP on every hart whose deadline mtime @now has reached. */
void sbi_update_timers(SbiState *s, uint64_t now);

/* Ticks from @now to the earliest armed deadline whose STIP is not raised
 * yet (0 if it has passed already), or -1 if there is none. */
int64_t sbi_next_deadline(SbiState *s, uint64_t now);

#endif /* MACHINE_SBI_H */
