/*
 * io/channel-watch.h: GSources that channel implementations return from
 * their io_create_watch hook.  Users call qio_channel_create_watch or
 * qio_channel_add_watch* (io/channel.h) instead.
 *
 * Every source holds a reference on its channel, and dispatches a
 * QIOChannelFunc with the conditions that are both ready and asked for
 * (HUP and ERR always count as asked for, since poll reports them anyway).
 * Sources are created in the thread that will attach them; dispatch runs in
 * whichever thread iterates the context.
 */
#ifndef IO_CHANNEL_WATCH_H
#define IO_CHANNEL_WATCH_H

#include "io/channel.h"

/* A watch on one fd: sockets, files, ttys, FIFOs. */
GSource *qio_channel_create_fd_watch(QIOChannel *ioc, int fd,
                                     GIOCondition condition);

/*
 * A watch on a pair of fds: G_IO_IN (and HUP/ERR) from @fdread, G_IO_OUT
 * (and HUP/ERR) from @fdwrite; either fd may be -1 when that direction is
 * absent.  Used by command channels (a child's stdout and stdin).
 */
GSource *qio_channel_create_fd_pair_watch(QIOChannel *ioc, int fdread,
                                          int fdwrite, GIOCondition condition);

/*
 * QIOChannelReadyFunc: the conditions a channel without an fd is ready for
 * right now (e.g. G_IO_IN when a buffer holds data).
 */
typedef GIOCondition (*QIOChannelReadyFunc)(QIOChannel *ioc);

/*
 * A watch for channels without an fd (buffer, null): it asks @ready on
 * every main loop iteration and never sleeps while the channel is ready.
 * State changes made by another thread need a g_main_context_wakeup of the
 * watching context to be noticed.
 */
GSource *qio_channel_create_ready_watch(QIOChannel *ioc, GIOCondition condition,
                                        QIOChannelReadyFunc ready);

#endif /* IO_CHANNEL_WATCH_H */
