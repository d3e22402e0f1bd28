/*
 * io/channel-file.h: QIOChannelFile, a channel on one fd that is not a
 * socket: a regular file, a FIFO, a pipe end, a tty or pty.
 *
 * No SHUTDOWN or FD_PASS feature.  Writes to a pipe or FIFO whose reader is
 * gone fail with EPIPE and never raise SIGPIPE.  Regular files are always
 * "ready" for poll; reads at their end return 0.
 */
#ifndef IO_CHANNEL_FILE_H
#define IO_CHANNEL_FILE_H

#include <sys/types.h>

#include "io/channel.h"

#define TYPE_QIO_CHANNEL_FILE "qio-channel-file"

typedef struct QIOChannelFile {
    QIOChannel parent_obj;
    int fd;
} QIOChannelFile;

typedef struct QIOChannelFileClass {
    QIOChannelClass parent_class;
} QIOChannelFileClass;

DECLARE_TYPE(QIOChannelFile, QIOChannelFileClass, QIO_CHANNEL_FILE,
             TYPE_QIO_CHANNEL_FILE)

/*
 * qio_channel_file_new_fd: wrap @fd, which the channel now owns and closes
 * (dup it first to keep using it, e.g. for stdin/stdout).  Its blocking
 * mode is left as it is.  Main thread.
 */
QIOChannelFile *qio_channel_file_new_fd(int fd);

/*
 * qio_channel_file_new_path: open(@path, @flags | O_CLOEXEC, @mode).  NULL
 * with MV_ERROR_IO "Unable to open 'path': reason" (MV_ERROR_NOT_FOUND when
 * it does not exist).  Opening a FIFO blocks until a peer opens it unless
 * @flags has O_NONBLOCK (which stays set).  Main thread.
 */
QIOChannelFile *qio_channel_file_new_path(const char *path, int flags,
                                          mode_t mode, GError **errp);

#endif /* IO_CHANNEL_FILE_H */
