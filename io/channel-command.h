/*
 * io/channel-command.h: QIOChannelCommand, a child process whose stdin
 * and/or stdout are the channel (pipes); its stderr is inherited.
 *
 * Closing (or finalizing) the channel closes the pipes and reaps the child:
 * it waits up to QIO_CHANNEL_COMMAND_REAP_MS for the child to exit on its
 * own (EOF on its stdin), then sends SIGTERM, then SIGKILL, so no zombie and
 * no unbounded wait remain.  Close fails if the child exited with a non-zero
 * status (death by a signal, e.g. SIGPIPE after we closed its stdout, is
 * not an error).
 */
#ifndef IO_CHANNEL_COMMAND_H
#define IO_CHANNEL_COMMAND_H

#include <sys/types.h>

#include "io/channel.h"

#define TYPE_QIO_CHANNEL_COMMAND "qio-channel-command"

/* How long close waits for each step (exit, then SIGTERM) before the next. */
#define QIO_CHANNEL_COMMAND_REAP_MS 1000

typedef struct QIOChannelCommand {
    QIOChannel parent_obj;
    int writefd;    /* the child's stdin, -1 for O_RDONLY */
    int readfd;     /* the child's stdout, -1 for O_WRONLY */
    pid_t pid;      /* 0 once reaped */
} QIOChannelCommand;

typedef struct QIOChannelCommandClass {
    QIOChannelClass parent_class;
} QIOChannelCommandClass;

DECLARE_TYPE(QIOChannelCommand, QIOChannelCommandClass, QIO_CHANNEL_COMMAND,
             TYPE_QIO_CHANNEL_COMMAND)

/*
 * qio_channel_command_new_spawn: run @argv (argv[0] searched in PATH) with
 * its stdin (O_WRONLY: we write), stdout (O_RDONLY: we read) or both
 * (O_RDWR) on pipes; a standard fd not on a pipe is /dev/null, and stderr
 * is inherited.  NULL with MV_ERROR_IO if the pipes or fork
 * fail, or MV_ERROR_NOT_FOUND if the program cannot be run.  Main thread.
 * Supports SHUTDOWN: WRITE closes the child's stdin, READ its stdout.
 */
QIOChannelCommand *qio_channel_command_new_spawn(const char *const argv[],
                                                 int flags, GError **errp);

#endif /* IO_CHANNEL_COMMAND_H */
