/*
 * machine/vl.h: the command line (QEMU's options, DESIGN.md "The command
 * line").  vl_parse() turns argv into VlOptions without side effects other
 * than help text; main.c then builds the machine from them.
 *
 * Threads: the main thread, before the machine exists.
 */
#ifndef MACHINE_VL_H
#define MACHINE_VL_H

#include <glib.h>
#include <stdbool.h>

#include "machine/virt.h"

typedef struct VlOptions {
    VirtConfig cfg;             /* strings point into the fields below */
    char *kernel, *initrd, *append, *bios, *dumpdtb;
    GPtrArray *chardevs;        /* -chardev strings, in order */
    GPtrArray *devices;         /* -device strings, in order */
    GPtrArray *serials;         /* -serial strings, in order */
    GPtrArray *monitor_opts;    /* "monitor", "qmp", "qmp-pretty", "mon" */
    GPtrArray *monitor_args;    /* ... and each one's argument */
    bool nographic;
    bool display_none;
    char *name;                 /* -name guest */
    char *logfile;              /* -D */
    char *log_items;            /* -d */
} VlOptions;

typedef enum VlAction {
    VL_RUN,     /* build and run the machine */
    VL_EXIT,    /* help or version was printed to out: exit 0 */
} VlAction;

/*
 * vl_parse: parse argv[1..argc-1] into @o (which it initialises; release
 * with vl_options_clear even on failure).  Help and version text goes to
 * @out.  Errors name the option and its argument, as the user wrote them:
 *   "-m 12Q: Parameter 'size' expects a size ..."
 *   "-foo: invalid option"
 *   "-m: requires an argument"
 */
bool vl_parse(int argc, char **argv, VlOptions *o, VlAction *action,
              GString *out, GError **errp);
void vl_options_clear(VlOptions *o);

/* The usage text of -h. */
void vl_usage(GString *out);

#endif /* MACHINE_VL_H */
