/*
 * machine/cpu.h - one RV64IMAFDC hart (Zicsr, Zifencei; M, S and U modes;
 * Sv39/Sv48 MMU) run by an interpreter.
 *
 * The CPU is a plain C module: it knows nothing of QOM, hw/ or the board.
 * The board hands it
 *  - guest RAM as one host buffer (the fast path for fetch, load, store and
 *    page-table walks),
 *  - a RISCVBusOps table for every other physical address (MMIO),
 *  - a time source for the time CSR, and an optional SBI ecall hook,
 * and drives interrupts in through riscv_cpu_set_mip().
 *
 * Threads: every function here must be called from the thread that runs
 * the hart, except riscv_cpu_request_exit() and riscv_cpu_set_mip(), which
 * any thread may call.  Harts that share a decoded-code cache
 * (RISCVCPUConfig.sibling) must all run on one thread (the board's
 * round-robin scheduler).
 *
 * Speed: instructions are decoded once per physical page into a cache that
 * the harts' own stores invalidate, and run by a direct-threaded
 * interpreter; RAM is reached through a software TLB.  On x86-64 hosts,
 * straight-line runs of integer instructions (and loops closed by a
 * branch back to their start) are compiled to host code (cpu-jit.c;
 * RISCVCPUConfig.no_jit turns that off).  Interrupts are
 * checked between the interpreter's runs, i.e. after any CSR write, xRET,
 * WFI, MMIO access or trap, and at least once per riscv_cpu_run().
 */
#ifndef MACHINE_CPU_H
#define MACHINE_CPU_H

#include <stdbool.h>
#include <stdint.h>
#include <glib.h>

typedef struct RISCVCPU RISCVCPU;

/* Privilege levels, RISC-V privileged spec 1.12 §1.2 (table 1.1). */
#define RISCV_PRV_U 0
#define RISCV_PRV_S 1
#define RISCV_PRV_M 3

/* Interrupt bits of mip/mie, privileged spec §3.1.9. */
#define RISCV_MIP_SSIP (1ull << 1)
#define RISCV_MIP_MSIP (1ull << 3)
#define RISCV_MIP_STIP (1ull << 5)
#define RISCV_MIP_MTIP (1ull << 7)
#define RISCV_MIP_SEIP (1ull << 9)
#define RISCV_MIP_MEIP (1ull << 11)

/*
 * Physical accesses outside RAM.  size is 1, 2, 4 or 8 and paddr is
 * naturally aligned (the CPU splits anything else into bytes).  Return
 * false for "no device here": the CPU raises an access fault.  Both hooks
 * are mandatory.  They run on the hart's thread, inside riscv_cpu_run(),
 * and may call riscv_cpu_set_mip() on any hart.
 */
typedef struct RISCVBusOps {
    bool (*read)(void *opaque, uint64_t paddr, unsigned size, uint64_t *val);
    bool (*write)(void *opaque, uint64_t paddr, unsigned size, uint64_t val);
} RISCVBusOps;

typedef struct RISCVCPUConfig {
    uint64_t hartid;            /* mhartid */
    uint64_t ram_base;          /* guest-physical base of RAM */
    uint64_t ram_size;          /* bytes, a multiple of 4 KiB */
    uint8_t *ram;               /* host pointer to ram_size bytes */

    const RISCVBusOps *bus;     /* mandatory */
    void *bus_opaque;

    /* Mandatory: mtime in 10 MHz ticks, for the time CSR. */
    uint64_t (*get_time)(void *opaque);
    /*
     * Optional built-in SBI: called for ECALL from S-mode with the guest's
     * a0..a7 in the GPRs.  Return true when the call is handled (the CPU
     * then steps pc past the ecall), false to take the normal
     * environment-call trap.  It may change GPRs, mip, and the stopped state
     * of any hart.
     */
    bool (*ecall_hook)(void *opaque, RISCVCPU *cpu);
    void *opaque;               /* passed to get_time and ecall_hook */

    /*
     * Another hart on the same RAM whose decoded-code cache this one shares
     * (so that a store by one hart invalidates code decoded by another), or
     * NULL for the first hart.  The sibling must outlive this hart.
     */
    RISCVCPU *sibling;

    /* Never compile hot integer code to host code (interpret only).  Set
     * by the first hart; siblings share its choice. */
    bool no_jit;
} RISCVCPUConfig;

/* Why riscv_cpu_run() returned. */
typedef enum RISCVRunResult {
    RISCV_RUN_BUDGET,   /* executed the whole budget, or yielded early at
                         * a PAUSE hint (a spin-wait loop) on a board with
                         * several harts */
    RISCV_RUN_WFI,      /* in WFI with no enabled interrupt pending: sleep
                         * until riscv_cpu_set_mip() or the next timer
                         * deadline, then call riscv_cpu_run() again */
    RISCV_RUN_STOPPED,  /* hart is stopped (SBI HSM): do not run it */
    RISCV_RUN_JAMMED,   /* trap loop with no instruction retired: see
                         * riscv_cpu_get_jam_info() */
    RISCV_RUN_EXIT,     /* riscv_cpu_request_exit() was called */
} RISCVRunResult;

/* Error domain of riscv_cpu_new(). */
#define RISCV_CPU_ERROR riscv_cpu_error_quark()
GQuark riscv_cpu_error_quark(void);
enum { RISCV_CPU_ERROR_CONFIG };

/*
 * Create a hart.  The hart starts stopped, as after riscv_cpu_reset() to
 * pc = ram_base in M-mode; call riscv_cpu_reset() and
 * riscv_cpu_set_stopped(cpu, false) to start it.  Fails (NULL, errp set) if
 * the configuration is unusable (missing hooks, RAM not page aligned).
 */
RISCVCPU *riscv_cpu_new(const RISCVCPUConfig *cfg, GError **errp);
/* Free a hart.  NULL is fine.  Free harts in reverse creation order. */
void riscv_cpu_free(RISCVCPU *cpu);

/*
 * Reset all architectural state and start at pc in privilege priv
 * (RISCV_PRV_*) with a0 and a1 set (hartid and DT address, per the Linux
 * boot protocol).  When priv is below M, the reset also sets up what an SBI
 * firmware would have left behind: every counter enabled in mcounteren,
 * cycle/time/instret in scounteren (as OpenSBI does), supervisor
 * interrupts and all synchronous exceptions except ECALL from S and M
 * delegated to S (illegal instruction included).  Does not change the
 * stopped state.
 */
void riscv_cpu_reset(RISCVCPU *cpu, uint64_t pc, int priv,
                     uint64_t a0, uint64_t a1);

/*
 * Execute about budget instructions (budget > 0): a budget below 2048 is
 * exact (1 single-steps), a larger one may be exceeded by the rest of a
 * straight-line run (less than 2048).  Interrupts raised by
 * riscv_cpu_set_mip() are taken before the next instruction.  Returns a
 * RISCVRunResult.
 */
int riscv_cpu_run(RISCVCPU *cpu, uint64_t budget);

/*
 * Ask riscv_cpu_run() to return RISCV_RUN_EXIT soon (within the current
 * budget, after the instruction in progress).  Any thread may call it; the
 * request is consumed by the run that returns RISCV_RUN_EXIT.
 */
void riscv_cpu_request_exit(RISCVCPU *cpu);

/*
 * Set (level = true) or clear the RISCV_MIP_* bits in mask: the interrupt
 * lines of CLINT (MSIP, MTIP), PLIC (MEIP, SEIP) and the built-in SBI
 * timer (STIP).  Atomic; a hart in WFI wakes on its next riscv_cpu_run(),
 * so a caller on another thread should also riscv_cpu_request_exit() or
 * wake the hart's thread.
 */
void riscv_cpu_set_mip(RISCVCPU *cpu, uint64_t mask, bool level);
uint64_t riscv_cpu_get_mip(RISCVCPU *cpu);

/* HSM: a stopped hart's riscv_cpu_run() returns RISCV_RUN_STOPPED. */
void riscv_cpu_set_stopped(RISCVCPU *cpu, bool stopped);
bool riscv_cpu_is_stopped(RISCVCPU *cpu);

/* Drop this hart's LR reservation (the scheduler calls it when it switches
 * harts, so that a store by another hart breaks an LR/SC pair). */
void riscv_cpu_clear_reservation(RISCVCPU *cpu);

/* Remote fences for the built-in SBI (rfence extension): flush this hart's
 * TLB (sfence.vma, all addresses and ASIDs) or its decoded code (fence.i).
 * Whoever writes guest RAM behind the harts' back (a loader putting a new
 * image in place after the harts ran) must call riscv_cpu_flush_icache():
 * only stores by the harts themselves invalidate decoded code. */
void riscv_cpu_flush_tlb(RISCVCPU *cpu);
void riscv_cpu_flush_icache(RISCVCPU *cpu);

/* Register access.  Index 0 reads as 0 and ignores writes; reg >= 32 is a
 * programmer bug. */
uint64_t riscv_cpu_get_gpr(RISCVCPU *cpu, unsigned reg);
void riscv_cpu_set_gpr(RISCVCPU *cpu, unsigned reg, uint64_t val);
/* f registers as raw 64-bit patterns (an f32 is NaN-boxed). */
uint64_t riscv_cpu_get_fpr(RISCVCPU *cpu, unsigned reg);
void riscv_cpu_set_fpr(RISCVCPU *cpu, unsigned reg, uint64_t val);
uint64_t riscv_cpu_get_pc(RISCVCPU *cpu);
void riscv_cpu_set_pc(RISCVCPU *cpu, uint64_t pc);
int riscv_cpu_get_priv(RISCVCPU *cpu);
uint64_t riscv_cpu_get_hartid(RISCVCPU *cpu);
/* Instructions retired since reset (minstret). */
uint64_t riscv_cpu_get_instret(RISCVCPU *cpu);

/*
 * CSR access for the board, debuggers and tests, with M-mode rights and no
 * side effects beyond the CSR's own (a satp write flushes the TLB).
 * Returns false for an unknown CSR number.
 */
bool riscv_cpu_read_csr(RISCVCPU *cpu, unsigned csr, uint64_t *val);
bool riscv_cpu_write_csr(RISCVCPU *cpu, unsigned csr, uint64_t val);

/* After RISCV_RUN_JAMMED: the pc and mcause/scause of the last trap. */
void riscv_cpu_get_jam_info(RISCVCPU *cpu, uint64_t *pc, uint64_t *cause);

#endif /* MACHINE_CPU_H */
