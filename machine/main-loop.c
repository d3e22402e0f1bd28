/*
 * machine/main-loop.c: the single-threaded round-robin of DESIGN.md
 * "Threads and time".  Each runnable hart gets a slice; between rounds the
 * timers are refreshed and the glib main context runs its ready sources
 * (chardev I/O), so a busy guest never starves host I/O, and devices never
 * block, so a stalled host peer never stalls the guest.  When every hart
 * waits in WFI, the loop sleeps in the main context until I/O or the next
 * timer deadline: it never spins.
 */
#include "machine/cpu.h"
#include "machine/virt.h"

/*
 * Instructions per slice: ~1 ms of guest work at the interpreter's speed,
 * short enough that timer interrupts and host I/O are noticed promptly.
 */
#define VIRT_SLICE_INSNS 100000
#define NS_PER_MS 1000000

static const char *const virt_request_names[] = {
    [VIRT_REQ_NONE] = "none",
    [VIRT_REQ_POWEROFF] = "poweroff",
    [VIRT_REQ_RESET] = "reset",
    [VIRT_REQ_FAIL] = "failure",
    [VIRT_REQ_QUIT] = "quit",
    [VIRT_REQ_PANIC] = "panic",
};

static gboolean timeout_cb(gpointer opaque)
{
    return G_SOURCE_REMOVE;
}

/* Block in the main context until a source fires or @ns pass (-1: no
 * deadline). */
static void virt_sleep(int64_t ns)
{
    GSource *t = NULL;

    if (ns >= 0) {
        guint ms = (guint)MIN((ns + NS_PER_MS - 1) / NS_PER_MS, G_MAXINT);
        if (ms == 0) {
            return;
        }
        t = g_timeout_source_new(ms);
        g_source_set_callback(t, timeout_cb, NULL, NULL);
        g_source_attach(t, NULL);
    }
    g_main_context_iteration(NULL, TRUE);
    if (t) {
        g_source_destroy(t);
        g_source_unref(t);
    }
}

/* Run every hart once.  Returns whether any of them still has work (false:
 * all in WFI or stopped), or -1 if one jammed. */
static int virt_run_round(VirtMachine *m)
{
    bool busy = false;

    for (unsigned h = 0; h < m->nharts && m->request == VIRT_REQ_NONE; h++) {
        AccelVCPU *v = &m->vcpu[h];
        int r = m->accel->vcpu_run(v, VIRT_SLICE_INSNS);

        switch (r) {
        case RISCV_RUN_BUDGET:
        case RISCV_RUN_EXIT:
            busy = true;
            break;
        case RISCV_RUN_WFI:
        case RISCV_RUN_STOPPED:
            break;
        case RISCV_RUN_JAMMED: {
            uint64_t pc, cause;
            riscv_cpu_get_jam_info(v->cpu, &pc, &cause);
            fprintf(stderr, "minivirt: hart %u jammed at pc=0x%" G_GINT64_MODIFIER
                    "x (cause 0x%" G_GINT64_MODIFIER "x)\n", h, pc, cause);
            if (m->cfg.log) {
                virt_log(m, "hart %u jammed at pc=0x%" G_GINT64_MODIFIER
                         "x (cause 0x%" G_GINT64_MODIFIER "x)\n", h, pc, cause);
            }
            return -1;
        }
        }
        if (m->nharts > 1) {
            /* Another hart runs next: its stores must break our LR/SC. */
            riscv_cpu_clear_reservation(v->cpu);
        }
    }
    return busy;
}

static bool virt_mip_changed(VirtMachine *m, const uint64_t *before)
{
    for (unsigned h = 0; h < m->nharts; h++) {
        if (riscv_cpu_get_mip(m->vcpu[h].cpu) != before[h]) {
            return true;
        }
    }
    return false;
}

/* Act on m->request.  Returns -1 to keep running, else the exit status. */
static int virt_handle_request(VirtMachine *m)
{
    VirtRequest req = m->request;

    if (m->cfg.log) {
        virt_log(m, "guest requested %s\n", virt_request_names[req]);
    }
    if (m->notify && req != VIRT_REQ_NONE) {
        m->notify(m->notify_opaque, req,
                  req == VIRT_REQ_RESET && !m->cfg.no_reboot);
    }
    switch (req) {
    case VIRT_REQ_NONE:
        return -1;
    case VIRT_REQ_POWEROFF:
    case VIRT_REQ_QUIT:
        return 0;
    case VIRT_REQ_FAIL:
        return m->exit_code;
    case VIRT_REQ_PANIC:
        fprintf(stderr, "minivirt: guest panicked\n");
        switch (m->cfg.panic_action) {
        case VIRT_PANIC_SHUTDOWN:
            return 0;
        case VIRT_PANIC_EXIT_FAILURE:
            return 1;
        case VIRT_PANIC_PAUSE:
            m->paused = true;
            break;
        case VIRT_PANIC_NONE:
            break;
        }
        m->request = VIRT_REQ_NONE;
        return -1;
    case VIRT_REQ_RESET:
        break;
    }
    if (m->cfg.no_reboot) {
        return 0;
    }
    g_autoptr(GError) err = NULL;
    virt_machine_reset_devices(m);
    if (!virt_machine_boot(m, &err)) {
        fprintf(stderr, "minivirt: reboot failed: %s\n", err->message);
        return 1;
    }
    m->request = VIRT_REQ_NONE;
    m->exit_code = 0;
    return -1;
}

int virt_main_loop(VirtMachine *m)
{
    uint64_t mip[VIRT_MAX_HARTS];

    for (;;) {
        if (m->paused && m->request == VIRT_REQ_NONE) {
            /* -S or the monitor's stop: only host I/O runs, until cont. */
            g_main_context_iteration(NULL, TRUE);
            continue;
        }
        m->started = true;
        int busy = m->request == VIRT_REQ_NONE ? virt_run_round(m) : 1;
        if (busy < 0) {
            return 1;
        }
        for (unsigned h = 0; h < m->nharts; h++) {
            mip[h] = riscv_cpu_get_mip(m->vcpu[h].cpu);
        }
        virt_update_timers(m);
        if (m->request != VIRT_REQ_NONE) {
            int status = virt_handle_request(m);
            if (status >= 0) {
                return status;
            }
            continue;
        }
        g_main_context_iteration(NULL, FALSE);
        if (!busy && !virt_mip_changed(m, mip) &&
            m->request == VIRT_REQ_NONE) {
            /* All harts idle and nothing new for them: sleep. */
            virt_sleep(virt_next_deadline_ns(m));
        }
    }
}
