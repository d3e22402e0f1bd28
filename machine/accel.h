/*
 * machine/accel.h - how the board runs a vCPU, independent of the engine.
 *
 * An accelerator is a static const AccelOps table.  "interp" (the
 * interpreter of machine/cpu.h) is the only one today; a KVM path would add
 * "kvm" beside it.  The board creates one AccelVCPU per hart:
 *
 *     const AccelOps *ops = accel_find("interp");
 *     AccelVCPU v;
 *     if (!ops->vcpu_init(&v, &cfg, errp)) ...
 *     ops->vcpu_reset(&v, entry, RISCV_PRV_S, hartid, fdt_addr);
 *     switch (ops->vcpu_run(&v, 100000)) { case RISCV_RUN_WFI: ... }
 *
 * All hooks are mandatory.  Every hook runs on the vCPU's thread except
 * vcpu_kick, which any thread may call.
 */
#ifndef MACHINE_ACCEL_H
#define MACHINE_ACCEL_H

#include "machine/cpu.h"

typedef struct AccelOps AccelOps;

typedef struct AccelVCPU {
    const AccelOps *ops;
    RISCVCPU *cpu;      /* interp: the interpreted hart; NULL for engines
                         * whose register state lives elsewhere */
    void *state;        /* the accelerator's private per-vCPU state */
} AccelVCPU;

struct AccelOps {
    const char *name;
    /* Create the vCPU described by cfg (stopped; see riscv_cpu_new()).
     * Returns false with errp set on failure, leaving vcpu unusable. */
    bool (*vcpu_init)(AccelVCPU *vcpu, const RISCVCPUConfig *cfg,
                      GError **errp);
    /* As riscv_cpu_reset(). */
    void (*vcpu_reset)(AccelVCPU *vcpu, uint64_t pc, int priv,
                       uint64_t a0, uint64_t a1);
    /* Run up to budget instructions; returns a RISCVRunResult. */
    int (*vcpu_run)(AccelVCPU *vcpu, uint64_t budget);
    /* Raise or lower RISCV_MIP_* lines, as riscv_cpu_set_mip(). */
    void (*vcpu_set_irq)(AccelVCPU *vcpu, uint64_t mask, bool level);
    /* Make a running vcpu_run return soon (RISCV_RUN_EXIT); any thread. */
    void (*vcpu_kick)(AccelVCPU *vcpu);
    /* Free everything vcpu_init made. */
    void (*vcpu_destroy)(AccelVCPU *vcpu);
};

/* The accelerator called name, or NULL if there is none. */
const AccelOps *accel_find(const char *name);

#endif /* MACHINE_ACCEL_H */
