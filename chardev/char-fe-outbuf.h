/*
 * chardev/char-fe-outbuf.h: a front end's bounded output buffer.
 *
 * A device (or the monitor) that must not block on a slow backend keeps
 * what chr_fe_write() did not take in a ChrFeOutBuf and resumes when the
 * backend becomes writable.  This is the mechanism only; the owner keeps
 * its policy:
 *   - the bound: chr_fe_outbuf_append() keeps at most @max bytes and says
 *     how many it kept; what to do with the rest (drop and count it,
 *     disconnect the peer, ...) is the owner's decision;
 *   - a dead backend: chr_fe_outbuf_flush() returns -1 and KEEPS the
 *     bytes; the owner drops them (chr_fe_outbuf_drop()) or holds them
 *     for the next peer.
 * When the backend takes only part, flush() adds a G_IO_OUT | G_IO_HUP
 * watch with chr_fe_add_watch() and returns 1; when the watch fires, the
 * buffer forgets it and calls @writable, which normally calls flush()
 * again.  Bytes leave in the order they were appended.
 *
 * A zero-filled ChrFeOutBuf that was never initialised reads as empty and
 * not waiting, and chr_fe_outbuf_destroy() and chr_fe_outbuf_cancel() on it
 * do nothing; nothing else may be called on it.
 *
 * Threads: everything here, and @writable, runs in the thread that runs
 * the CharBackend's handlers' GMainContext (the main loop); the buffer
 * has no lock of its own.
 */
#ifndef CHARDEV_CHAR_FE_OUTBUF_H
#define CHARDEV_CHAR_FE_OUTBUF_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

#include "chardev/char-fe.h"

/* Called from the watch once the backend can take more (or hung up). */
typedef void (*ChrFeOutBufWritable)(void *opaque);

typedef struct ChrFeOutBuf {
    CharBackend *be;            /* not owned */
    GByteArray *data;           /* what the backend did not take yet */
    size_t max;                 /* the bound on data->len */
    guint watch;                /* the G_IO_OUT watch, or 0 */
    ChrFeOutBufWritable writable;
    void *opaque;
} ChrFeOutBuf;

/*
 * chr_fe_outbuf_init: an empty buffer of at most @max bytes (> 0) in front
 * of @be, which must outlive it.  @writable (mandatory) is called with
 * @opaque when a watch added by flush() fires.
 */
void chr_fe_outbuf_init(ChrFeOutBuf *ob, CharBackend *be, size_t max,
                        ChrFeOutBufWritable writable, void *opaque);

/* chr_fe_outbuf_destroy: removes the watch and frees the bytes. */
void chr_fe_outbuf_destroy(ChrFeOutBuf *ob);

/* chr_fe_outbuf_len: how many bytes wait. */
size_t chr_fe_outbuf_len(const ChrFeOutBuf *ob);

/* chr_fe_outbuf_waiting: true while a watch is armed. */
bool chr_fe_outbuf_waiting(const ChrFeOutBuf *ob);

/*
 * chr_fe_outbuf_append: queues up to the room left of @buf[0..@len).
 * Returns how many bytes it kept (less than @len when full); it never
 * writes to the backend itself.
 */
size_t chr_fe_outbuf_append(ChrFeOutBuf *ob, const uint8_t *buf, size_t len);

/*
 * chr_fe_outbuf_write_once: one chr_fe_write() of the waiting bytes, no
 * watch.  Returns what chr_fe_write() returned (bytes taken, 0, or -1).
 * For a synchronous drain with a deadline, as when quitting.
 */
int chr_fe_outbuf_write_once(ChrFeOutBuf *ob);

/*
 * chr_fe_outbuf_flush: writes what the backend takes.  Returns 0 when the
 * buffer is empty, 1 when bytes wait for the watch (armed now or before),
 * -1 when the backend cannot take data (chr_fe_write() said -1, or it has
 * no way to wait); on -1 the bytes are still held.
 */
int chr_fe_outbuf_flush(ChrFeOutBuf *ob);

/*
 * chr_fe_outbuf_wait: arms the watch without writing (the owner wrote
 * directly and the backend took only part).  False if the backend has
 * no way to wait.
 */
bool chr_fe_outbuf_wait(ChrFeOutBuf *ob);

/* chr_fe_outbuf_cancel: removes the watch; the bytes stay. */
void chr_fe_outbuf_cancel(ChrFeOutBuf *ob);

/* chr_fe_outbuf_drop: removes the watch and forgets the bytes. */
void chr_fe_outbuf_drop(ChrFeOutBuf *ob);

#endif
