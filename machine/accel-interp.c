/*
 * machine/accel-interp.c - the "interp" accelerator: AccelOps over the
 * interpreter of machine/cpu.h.
 */
#include "machine/accel.h"

#include <string.h>

static bool interp_vcpu_init(AccelVCPU *vcpu, const RISCVCPUConfig *cfg,
                             GError **errp)
{
    vcpu->ops = accel_find("interp");
    vcpu->cpu = riscv_cpu_new(cfg, errp);
    vcpu->state = NULL;
    return vcpu->cpu != NULL;
}

static void interp_vcpu_reset(AccelVCPU *vcpu, uint64_t pc, int priv,
                              uint64_t a0, uint64_t a1)
{
    riscv_cpu_reset(vcpu->cpu, pc, priv, a0, a1);
}

static int interp_vcpu_run(AccelVCPU *vcpu, uint64_t budget)
{
    return riscv_cpu_run(vcpu->cpu, budget);
}

static void interp_vcpu_set_irq(AccelVCPU *vcpu, uint64_t mask, bool level)
{
    riscv_cpu_set_mip(vcpu->cpu, mask, level);
}

static void interp_vcpu_kick(AccelVCPU *vcpu)
{
    riscv_cpu_request_exit(vcpu->cpu);
}

static void interp_vcpu_destroy(AccelVCPU *vcpu)
{
    riscv_cpu_free(vcpu->cpu);
    vcpu->cpu = NULL;
}

static const AccelOps accel_interp_ops = {
    .name = "interp",
    .vcpu_init = interp_vcpu_init,
    .vcpu_reset = interp_vcpu_reset,
    .vcpu_run = interp_vcpu_run,
    .vcpu_set_irq = interp_vcpu_set_irq,
    .vcpu_kick = interp_vcpu_kick,
    .vcpu_destroy = interp_vcpu_destroy,
};

static const AccelOps *const accel_table[] = {
    &accel_interp_ops,
};

const AccelOps *accel_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(accel_table); i++) {
        if (strcmp(accel_table[i]->name, name) == 0) {
            const AccelOps *ops = accel_table[i];
            return ops;
        }
    }
    return NULL;
}
