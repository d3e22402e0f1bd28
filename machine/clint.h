/*
 * machine/clint.h: the SiFive-compatible core-local interruptor: a software
 * interrupt bit (msip) and a timer compare register (mtimecmp) per hart,
 * and the shared 64-bit mtime counter at CLINT_TIMEBASE_FREQ.
 *
 * mtime follows a host clock (the board passes CLOCK_MONOTONIC), so guest
 * time keeps flowing while the guest idles.  MTIP is a level: it is high
 * while mtime >= mtimecmp.  Since time moves without MMIO, the board calls
 * clint_update() between CPU slices and sleeps at most until
 * clint_next_deadline_ns().
 *
 * Threads: the main thread.
 */
#ifndef MACHINE_CLINT_H
#define MACHINE_CLINT_H

#include <stdbool.h>
#include <stdint.h>

#include "hw/core/memory.h"

/* mtime ticks per second: the DT's timebase-frequency (QEMU virt's). */
#define CLINT_TIMEBASE_FREQ 10000000ull
#define CLINT_NS_PER_TICK (1000000000ull / CLINT_TIMEBASE_FREQ)

#define CLINT_MMIO_SIZE 0x10000
/* Register layout (SiFive FU540 manual §9.1, as QEMU's virt). */
#define CLINT_MSIP_BASE     0x0000  /* + 4 * hart, bit 0 */
#define CLINT_MTIMECMP_BASE 0x4000  /* + 8 * hart */
#define CLINT_MTIME         0xbff8
/* 4095 harts fit between MSIP and MTIMECMP; we support far fewer. */
#define CLINT_MAX_HARTS 64

/* Raise or lower the RISCV_MIP_* bits in @mask of hart @hart. */
typedef void (*ClintSetMip)(void *opaque, unsigned hart, uint64_t mask,
                            bool level);
/* The host clock in nanoseconds (monotonic). */
typedef uint64_t (*ClintClock)(void *opaque);

typedef struct ClintState ClintState;

/*
 * clint_new: a CLINT for @nharts harts (1..CLINT_MAX_HARTS) whose mtime
 * counts from 0 at creation.  @clock may be NULL for CLOCK_MONOTONIC.
 */
ClintState *clint_new(unsigned nharts, ClintSetMip set_mip, ClintClock clock,
                      void *opaque);
void clint_free(ClintState *c);
MemoryRegion *clint_get_region(ClintState *c);

/* Power-on state: msip 0, mtimecmp all ones, lines lowered.  mtime keeps
 * counting, as a real board's always-on timer does. */
void clint_reset(ClintState *c);

/* mtime now, in ticks. */
uint64_t clint_get_mtime(ClintState *c);

/* Re-evaluate every hart's MTIP against mtime now. */
void clint_update(ClintState *c);

/*
 * Nanoseconds until the earliest mtimecmp whose MTIP is not raised yet (0
 * if mtime has reached it since the last clint_update()), or -1 if none is
 * armed (all ones counts as disarmed).
 */
int64_t clint_next_deadline_ns(ClintState *c);

#endif /* MACHINE_CLINT_H */
