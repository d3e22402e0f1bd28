/*
 * tests/unit/test-cpu-mmu.c - Sv39/Sv48 translation through the
 * interpreter: superpages, permissions, SUM, MXR, MPRV, A/D updates and
 * page-fault causes.
 */
#include "test-cpu-harness.h"
#include "machine/cpu-internal.h"

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    return g_test_run();
}
