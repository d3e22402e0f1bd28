/*
 * io/channel-buffer.h: QIOChannelBuffer, a channel on memory: writes
 * append, reads consume from the front (a FIFO of bytes; one object is both
 * ends).  For tests and for ringbuf-like backends.
 *
 * An empty buffer reads QIO_CHANNEL_ERR_BLOCK when non-blocking and 0 (EOF)
 * when blocking, since no one could fill it while the reader waits; after
 * shutdown(WRITE) it reads EOF once drained (after close, I/O fails like on
 * any closed channel).  With a @limit, a full
 * buffer takes short writes, then QIO_CHANNEL_ERR_BLOCK (non-blocking) or an
 * MV_ERROR_IO "Buffer is full" error (blocking).  Watches: IN when data (or
 * EOF) is readable, OUT when there is room, HUP after shutdown(WRITE).
 * Main thread only (no locking).
 */
#ifndef IO_CHANNEL_BUFFER_H
#define IO_CHANNEL_BUFFER_H

#include "io/channel.h"

#define TYPE_QIO_CHANNEL_BUFFER "qio-channel-buffer"

typedef struct QIOChannelBuffer {
    QIOChannel parent_obj;
    GByteArray *data;   /* unread bytes start at @offset */
    size_t offset;
    size_t limit;       /* max unread bytes, 0 = unlimited */
    bool blocking;
    bool write_shut;    /* shutdown(WRITE) or close */
    bool read_shut;     /* shutdown(READ): reads give EOF */
} QIOChannelBuffer;

typedef struct QIOChannelBufferClass {
    QIOChannelClass parent_class;
} QIOChannelBufferClass;

DECLARE_TYPE(QIOChannelBuffer, QIOChannelBufferClass, QIO_CHANNEL_BUFFER,
             TYPE_QIO_CHANNEL_BUFFER)

/* A new empty buffer holding at most @limit unread bytes (0 = no limit). */
QIOChannelBuffer *qio_channel_buffer_new(size_t limit);

/* The number of unread bytes. */
size_t qio_channel_buffer_get_usage(QIOChannelBuffer *bioc);

#endif /* IO_CHANNEL_BUFFER_H */
