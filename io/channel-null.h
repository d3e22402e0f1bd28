/*
 * io/channel-null.h: QIOChannelNull, /dev/null as a channel: reads return
 * EOF, writes accept and discard everything, watches are always ready for
 * IN and OUT.  After close, I/O fails like on any closed channel.
 */
#ifndef IO_CHANNEL_NULL_H
#define IO_CHANNEL_NULL_H

#include "io/channel.h"

#define TYPE_QIO_CHANNEL_NULL "qio-channel-null"

typedef struct QIOChannelNull {
    QIOChannel parent_obj;
} QIOChannelNull;

typedef struct QIOChannelNullClass {
    QIOChannelClass parent_class;
} QIOChannelNullClass;

DECLARE_TYPE(QIOChannelNull, QIOChannelNullClass, QIO_CHANNEL_NULL,
             TYPE_QIO_CHANNEL_NULL)

QIOChannelNull *qio_channel_null_new(void);

#endif /* IO_CHANNEL_NULL_H */
